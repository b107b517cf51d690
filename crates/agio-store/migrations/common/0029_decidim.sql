-- The Decidim connector: an agenda whose consultation runs on a Decidim instance names the
-- instance and the process; each import keeps what it read (phases, proposals, meetings,
-- accountability results) as items keyed by their Decidim id, so importing again updates them
-- in place and never duplicates. `updated_at` is Decidim's own time, kept with the item; an
-- import compares `data` (the item as AGIO shows it, JSON, read whole), since Decidim moves
-- counts without touching its time.

CREATE TABLE decidim_sources (
    id TEXT PRIMARY KEY,
    agenda_id TEXT NOT NULL UNIQUE REFERENCES agendas (id) ON DELETE CASCADE,
    instance_url TEXT NOT NULL,
    process_slug TEXT NOT NULL,
    process_title TEXT NOT NULL DEFAULT '',
    process_url TEXT NOT NULL DEFAULT '',
    synced_at TEXT,
    error_code TEXT,
    error_detail TEXT,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE decidim_items (
    source_id TEXT NOT NULL REFERENCES decidim_sources (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('step', 'proposal', 'meeting', 'result')),
    decidim_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    updated_at TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (source_id, kind, decidim_id)
);
