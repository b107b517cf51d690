-- Backfill from the versions already approved, then the trigger that keeps the pages immutable
-- (this dialect's JSON functions and trigger syntax).
INSERT INTO agenda_version_pages (version_id, page, body)
SELECT id, '', json_extract(snapshot, '$.detail') FROM agenda_versions;
INSERT INTO agenda_version_pages (version_id, page, body)
SELECT v.id, json_extract(e.value, '$.code'), e.value FROM agenda_versions v, json_each(v.snapshot, '$.actions') e;

CREATE TRIGGER agenda_version_pages_immutable BEFORE UPDATE ON agenda_version_pages
BEGIN
    SELECT RAISE(ABORT, 'agenda_version_pages are immutable');
END;
