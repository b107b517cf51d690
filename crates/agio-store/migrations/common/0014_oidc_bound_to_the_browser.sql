-- An external sign-in under way is bound to the browser that started it (the hash of a random
-- value in a short-lived cookie) and to its address, so that at most a few per address are
-- kept: a callback from another browser is refused, and anonymous starts cannot grow the
-- table without bound. Pending sign-ins carry nothing worth keeping across the change.
DROP TABLE oidc_logins;
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    address TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX oidc_logins_address_idx ON oidc_logins (address, created_at);
CREATE INDEX oidc_logins_expires_at_idx ON oidc_logins (expires_at, state_hash);

-- An external identity waiting for the signed-in person to confirm that it is theirs: one
-- per person, for a few minutes.
CREATE TABLE identity_links (
    person_id TEXT PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
