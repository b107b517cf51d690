-- Each page of an approved version stored on its own: the agenda page (key '') and one page per
-- action (its code). A public page then reads its part alone, instead of parsing the whole
-- snapshot (70 KB for the demo agenda) on every request. Written with the version; immutable.
CREATE TABLE agenda_version_pages (
    version_id TEXT NOT NULL REFERENCES agenda_versions (id) ON DELETE CASCADE,
    page TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (version_id, page)
);

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
