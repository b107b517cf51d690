-- Accounts, roles, sessions, the audit log, and a version on every editable record
-- (optimistic concurrency: a save names the version it started from).

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    organization_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    closed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- What a person may do, and where: a regional administrator everywhere, a coordinator on one
-- agenda or one territory, a referent for one organisation, a citizen nowhere in particular.
CREATE TABLE role_assignments (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'referent', 'citizen')),
    agenda_id TEXT REFERENCES agendas (id) ON DELETE CASCADE,
    territory_id TEXT REFERENCES territories (id) ON DELETE CASCADE,
    organization_id TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CHECK (
        (role IN ('admin', 'citizen') AND agenda_id IS NULL AND territory_id IS NULL AND organization_id IS NULL)
        OR (role = 'coordinator' AND organization_id IS NULL AND ((agenda_id IS NULL) <> (territory_id IS NULL)))
        OR (role = 'referent' AND organization_id IS NOT NULL AND agenda_id IS NULL AND territory_id IS NULL)
    )
);
CREATE INDEX role_assignments_person_idx ON role_assignments (person_id);

-- Server-side sessions: the cookie holds a random token, the table only its SHA-256.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_person_idx ON sessions (person_id);

-- Failed sign-ins, counted per account and per address over a window (shared by instances).
CREATE TABLE sign_in_failures (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_scope_idx ON sign_in_failures (scope, at);

-- Every write, by whom, when, from where, through which channel, with the values before and
-- after (JSON). Append-only: triggers refuse updates and deletes.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    person_id TEXT,
    channel TEXT NOT NULL CHECK (channel IN ('form', 'api', 'cli', 'import')),
    address TEXT NOT NULL DEFAULT '',
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_label TEXT NOT NULL,
    operation TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, seq);
CREATE INDEX audit_log_person_idx ON audit_log (person_id, seq);
CREATE INDEX audit_log_at_idx ON audit_log (at);

ALTER TABLE agendas ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE objectives ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE actions ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE organizations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE digital_assets ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
