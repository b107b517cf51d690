-- The files that prove a measured value (a register's extract, a report), uploaded by those
-- who enter it and served with the value: to the public once it is approved. Kept in the
-- database, so that every instance serves them and a backup holds them.

CREATE TABLE measurement_evidence (
    id TEXT PRIMARY KEY,
    measurement_id TEXT NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX measurement_evidence_measurement_idx ON measurement_evidence (measurement_id, created_at);
