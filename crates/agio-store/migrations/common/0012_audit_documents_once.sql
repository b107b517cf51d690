-- Directory services keep whole documents (5–10 KB each; a regional import writes 100,000).
-- Their audit records do not copy the document after the change: it is the before_json of the
-- entity's next record or, for its last record, the entity's current document. Each version
-- of a document is then stored once. Older records keep their after_json.
ALTER TABLE audit_log ADD COLUMN after_elsewhere BIGINT NOT NULL DEFAULT 0 CHECK (after_elsewhere IN (0, 1));
