-- Spreadsheet imports of an agenda's values: read in the background (progress in rows_done of
-- rows_total), then a preview of what would change, then applied at once or not at all. The
-- report (JSON) holds the problems found, or the plan; the import and its result are kept.
-- Only the agenda's editors start one; each agenda keeps its latest ones (see the store).

CREATE TABLE monitoring_imports (
    id TEXT PRIMARY KEY,
    agenda_id TEXT NOT NULL REFERENCES agendas (id) ON DELETE CASCADE,
    person_id TEXT REFERENCES people (id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('reading', 'ready', 'failed', 'applied', 'stale')),
    rows_total BIGINT NOT NULL DEFAULT 0,
    rows_done BIGINT NOT NULL DEFAULT 0,
    report TEXT NOT NULL DEFAULT '{}',
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX monitoring_imports_agenda_idx ON monitoring_imports (agenda_id, created_at);
