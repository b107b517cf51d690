-- The digital-welfare profile of a territory (step 1 of the regional method, "conoscenza").
-- Its public services are the directory's services located in the territory: linked by
-- where they are, never copied. What the directory does not hold is stored here: the internal
-- services and procedures (the social record, home-care scheduling, economic-support
-- procedures…), each with its groups, channels, national platforms and digital level (0–4).

CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    territory_id TEXT NOT NULL UNIQUE REFERENCES territories (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    -- A comune is at risk of digital exclusion when its nearest point of digital facilitation
    -- is farther than this (from the comune's centre, as the crow flies).
    facilitation_km DOUBLE PRECISION NOT NULL CHECK (facilitation_km > 0),
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    published_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE profile_services (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL REFERENCES profiles (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- JSON arrays of codes: vocabulary terms (target_group, life_stage, need), channels and
    -- national platforms (agio-domain's closed sets).
    target_groups TEXT NOT NULL DEFAULT '[]',
    life_stages TEXT NOT NULL DEFAULT '[]',
    needs TEXT NOT NULL DEFAULT '[]',
    channels TEXT NOT NULL DEFAULT '[]',
    platforms TEXT NOT NULL DEFAULT '[]',
    digital_level BIGINT NOT NULL CHECK (digital_level BETWEEN 0 AND 4),
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    archived_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (profile_id, name)
);

CREATE INDEX profile_services_profile_idx ON profile_services (profile_id);
