-- The essential databases a district's services rely on: what they hold, who holds them, on
-- what legal basis, and how others can reach them. Never the data itself.

CREATE TABLE profile_databases (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profiles (id),
    name TEXT NOT NULL,
    holder TEXT NOT NULL,
    contents TEXT NOT NULL DEFAULT '',
    personal_data BIGINT NOT NULL CHECK (personal_data IN (0, 1)),
    -- Special categories of personal data (GDPR art. 9: health, ethnic origin, …).
    special_categories BIGINT NOT NULL CHECK (special_categories IN (0, 1)),
    legal_basis TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT '',
    update_frequency TEXT NOT NULL DEFAULT '',
    access TEXT NOT NULL CHECK (access IN ('api', 'pdnd', 'open_data', 'file_exchange', 'none')),
    -- The services that use it, by name (public or internal), one per line.
    used_by TEXT NOT NULL DEFAULT '',
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    archived_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (profile_id, name)
);
