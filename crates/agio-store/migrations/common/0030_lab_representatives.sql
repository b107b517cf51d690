-- Organisations' representatives in a Community Lab: a signed-in person asks to take part for
-- an organisation (one request per organisation and process), the agenda's coordinators confirm
-- or refuse it; a confirmed representative may propose ideas for the organisation, and the idea
-- names it.

CREATE TABLE lab_representatives (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES lab_processes (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'refused')),
    decided_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (process_id, person_id, organization_id)
);
CREATE INDEX lab_representatives_person_idx ON lab_representatives (person_id);

ALTER TABLE lab_ideas ADD COLUMN organization_id TEXT REFERENCES organizations (id) ON DELETE SET NULL;
