-- Whether a session was started with a digital identity: only such a session turns password
-- sign-in back on, so a stolen password cannot undo what it was turned off against.
ALTER TABLE sessions ADD COLUMN with_identity BIGINT NOT NULL DEFAULT 0 CHECK (with_identity IN (0, 1));
