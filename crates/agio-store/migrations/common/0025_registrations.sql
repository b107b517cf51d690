-- Self-registration: anyone may ask for an account (the Community Lab needs anyone to take
-- part), but the account is created only when the link sent to the address is followed, so an
-- address nobody controls never gets one. A pending registration keeps the chosen display name
-- and the password's hash (only the link's SHA-256 is kept) for a day; writing one drops the
-- expired, any other for the same address and, past a bound, the oldest: anonymous requests
-- keep the table bounded.
CREATE TABLE registrations (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX registrations_expires_idx ON registrations (expires_at);
