-- Backfill from the versions already approved, then the trigger that keeps the pages immutable
-- (this dialect's JSON functions and trigger syntax).
INSERT INTO agenda_version_pages (version_id, page, body)
SELECT id, '', (snapshot::json -> 'detail')::text FROM agenda_versions;
INSERT INTO agenda_version_pages (version_id, page, body)
SELECT v.id, e ->> 'code', e::text FROM agenda_versions v, json_array_elements(v.snapshot::json -> 'actions') e;

CREATE FUNCTION agenda_version_pages_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'agenda_version_pages are immutable';
END;
$$;
CREATE TRIGGER agenda_version_pages_immutable BEFORE UPDATE ON agenda_version_pages
    FOR EACH ROW EXECUTE FUNCTION agenda_version_pages_immutable();
