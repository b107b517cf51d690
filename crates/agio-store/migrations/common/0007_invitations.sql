-- Invitations by email: a role (with its scope) offered to an address; the link carries a
-- random token (only its SHA-256 here), works once and for 7 days.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'referent', 'citizen')),
    agenda_id TEXT REFERENCES agendas (id) ON DELETE CASCADE,
    territory_id TEXT REFERENCES territories (id) ON DELETE CASCADE,
    organization_id TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    invited_by TEXT REFERENCES people (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT
);
CREATE INDEX invitations_email_idx ON invitations (email);
