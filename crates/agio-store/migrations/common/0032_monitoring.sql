-- Monitoring: how often each indicator is measured and its weight in its action's progress;
-- the value measured in each period, with its workflow (draft, submitted, approved, returned);
-- and a coordinator's judgement of how an action is doing, with the reason.
-- Values are exact decimals written as text ("1234.5"): the application adds them as
-- decimals, never as floats.

ALTER TABLE indicators ADD COLUMN frequency TEXT NOT NULL DEFAULT 'quarter'
    CHECK (frequency IN ('quarter', 'semester', 'year'));
ALTER TABLE indicators ADD COLUMN weight BIGINT NOT NULL DEFAULT 1 CHECK (weight BETWEEN 0 AND 100);

CREATE TABLE measurements (
    id TEXT PRIMARY KEY,
    indicator_id TEXT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    -- 2025-Q1, 2025-S2, 2025: sorts in time order within one frequency.
    period TEXT NOT NULL,
    value TEXT NOT NULL,
    numerator TEXT,
    denominator TEXT,
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    review_note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (indicator_id, period)
);
-- The coordinators' queue and the public's approved values.
CREATE INDEX measurements_status_idx ON measurements (status, indicator_id);

CREATE TABLE action_standings (
    action_id TEXT PRIMARY KEY REFERENCES actions (id) ON DELETE CASCADE,
    standing TEXT NOT NULL CHECK (standing IN ('on_track', 'at_risk', 'late', 'completed', 'no_data')),
    reason TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);
