-- Documents of a Community Lab meeting (the minutes as a file, slides, an attendance sheet),
-- uploaded by the coordinators after it and served as downloads. The file is kept in the
-- database, so that every instance serves it and a backup holds it.

CREATE TABLE lab_meeting_documents (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES lab_meetings (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX lab_meeting_documents_meeting_idx ON lab_meeting_documents (meeting_id, created_at);
