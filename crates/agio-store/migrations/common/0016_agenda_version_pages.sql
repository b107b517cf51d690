-- Each page of an approved version stored on its own: the agenda page (key '') and one page per
-- action (its code). A public page then reads its part alone, instead of parsing the whole
-- snapshot (70 KB for the demo agenda) on every request. Written with the version; immutable.
CREATE TABLE agenda_version_pages (
    version_id TEXT NOT NULL REFERENCES agenda_versions (id) ON DELETE CASCADE,
    page TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (version_id, page)
);
