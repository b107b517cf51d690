-- Sign-ins slow down instead of locking out: one row per scope (an address, an account, the
-- password-reset requests of an address) counts the attempts of its current window and says
-- when the next one may come. Attempts are taken with a compare-and-set on the count, so
-- concurrent ones are counted one by one. It replaces the table of failures, which grew by
-- a row per failure; rows whose window is over are deleted as new attempts come.
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_throttle (
    scope TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    last_at TEXT NOT NULL,
    next_at TEXT NOT NULL
);
CREATE INDEX sign_in_throttle_last_at_idx ON sign_in_throttle (last_at);
