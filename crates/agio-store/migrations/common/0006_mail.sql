-- Password resets: a link with a random token (only its SHA-256 here), single use, short-lived.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX password_resets_person_idx ON password_resets (person_id);

-- Messages AGIO would send when no SMTP server is configured: administrators read them here.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX outbox_created_idx ON outbox (created_at);
