-- Archiving: an archived objective, action, organisation or union leaves the lists and the
-- forms' choices but keeps its page, its links and its history, and can be restored.
-- (A digital asset is archived by its own status, `retired`.) Unions become editable, so
-- territories carry a version like every other editable record.
ALTER TABLE objectives ADD COLUMN archived_at TEXT;
ALTER TABLE actions ADD COLUMN archived_at TEXT;
ALTER TABLE organizations ADD COLUMN archived_at TEXT;
ALTER TABLE territories ADD COLUMN archived_at TEXT;
ALTER TABLE territories ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
-- The language a message in the outbox is written in (the page that shows it marks it).
ALTER TABLE outbox ADD COLUMN lang TEXT NOT NULL DEFAULT 'it';
