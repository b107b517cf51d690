-- Approved versions of an agenda: what the public reads. Immutable: a trigger refuses updates.
CREATE TABLE agenda_versions (
    id TEXT PRIMARY KEY,
    agenda_id TEXT NOT NULL REFERENCES agendas (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    person_id TEXT,
    note TEXT NOT NULL DEFAULT '',
    snapshot TEXT NOT NULL,
    UNIQUE (agenda_id, number)
);
