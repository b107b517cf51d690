-- A person who signs in with SPID or CIE may turn password sign-in off for their account: a
-- stolen password then opens nothing. It is turned back on from the personal area, signed in
-- with the digital identity.
ALTER TABLE people ADD COLUMN password_sign_in_off BIGINT NOT NULL DEFAULT 0 CHECK (password_sign_in_off IN (0, 1));
