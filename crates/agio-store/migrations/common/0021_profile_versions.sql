-- The published versions of a district's profile: what the public reads, dated, as it stood
-- when published (its figures depend on the directory, which goes on changing). `document`
-- is the whole profile, `summary` its line in the regional table, `gaps` what the agendas
-- of the district choose from; all JSON.

CREATE TABLE profile_versions (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profiles (id),
    number BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL,
    gaps TEXT NOT NULL,
    document TEXT NOT NULL,
    UNIQUE (profile_id, number)
);
