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
SELECT id, '', json_extract(snapshot, '$.detail') FROM agenda_versions;
INSERT INTO agenda_version_pages (version_id, page, body)
SELECT v.id, json_extract(e.value, '$.code'), e.value FROM agenda_versions v, json_each(v.snapshot, '$.actions') e;

CREATE TRIGGER agenda_version_pages_immutable BEFORE UPDATE ON agenda_version_pages
BEGIN
    SELECT RAISE(ABORT, 'agenda_version_pages are immutable');
END;
