-- Delivery of an action beside its measured results: its milestones (planned and actual
-- dates, status) and what is committed and paid of each budget line, as of a date.
-- Recorded by the referents of the action's lead organisation and the coordinators,
-- versioned, and audited against the action.

CREATE TABLE milestones (
    id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    planned_date TEXT NOT NULL,
    actual_date TEXT,
    status TEXT NOT NULL CHECK (status IN ('planned', 'reached', 'cancelled')),
    note TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- A reached milestone has its date, and only a reached one.
    CHECK ((status = 'reached' AND actual_date IS NOT NULL) OR (status <> 'reached' AND actual_date IS NULL))
);
CREATE INDEX milestones_action_idx ON milestones (action_id, planned_date);

CREATE TABLE budget_spending (
    id TEXT PRIMARY KEY,
    budget_line_id TEXT NOT NULL UNIQUE REFERENCES budget_lines (id) ON DELETE CASCADE,
    committed_cents BIGINT NOT NULL CHECK (committed_cents >= 0),
    paid_cents BIGINT NOT NULL CHECK (paid_cents >= 0 AND paid_cents <= committed_cents),
    as_of TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    updated_at TEXT NOT NULL
);
