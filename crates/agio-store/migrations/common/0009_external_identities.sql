-- Identities from an external OpenID Connect provider (a regional gateway bringing SPID/CIE):
-- the provider's (issuer, subject) pair, linked to one person. A person may have a password,
-- external identities, or both.
CREATE TABLE external_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_person_idx ON external_identities (person_id);

-- Sign-ins under way at the provider: what the callback needs (state as SHA-256, nonce, PKCE
-- verifier, where to go after), shared by every instance, single use, short-lived.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
