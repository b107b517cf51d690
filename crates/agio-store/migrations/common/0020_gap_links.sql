-- The gaps of the district's profile that an objective or an action addresses, as a JSON
-- array of gap keys ("need:casa", "service:{slug}", "internal:{id}", "database:{id}",
-- "comune:{ISTAT code}"): the agenda stands on the profile, and each gap shows who takes it on.

ALTER TABLE objectives ADD COLUMN gaps TEXT NOT NULL DEFAULT '[]';
ALTER TABLE actions ADD COLUMN gaps TEXT NOT NULL DEFAULT '[]';
