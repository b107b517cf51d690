-- Collaboration pacts (*patti di collaborazione*) between the administration and citizens or
-- associations: the parties, the object and the good or service concerned, each party's
-- commitments, the duration and the reporting dates; a pact may carry an action of the agenda.
-- Its status goes proposed → signed → concluded, and its reports are kept over time.

CREATE TABLE lab_pacts (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES lab_processes (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    title TEXT NOT NULL,
    object TEXT NOT NULL,
    good TEXT NOT NULL DEFAULT '',
    parties TEXT NOT NULL DEFAULT '[]',
    commitments TEXT NOT NULL DEFAULT '',
    starts_on TEXT,
    ends_on TEXT,
    reporting_dates TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('proposed', 'signed', 'concluded')),
    action_id TEXT REFERENCES actions (id) ON DELETE SET NULL,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (process_id, number)
);
CREATE INDEX lab_pacts_action_idx ON lab_pacts (action_id);

CREATE TABLE lab_pact_reports (
    id TEXT PRIMARY KEY,
    pact_id TEXT NOT NULL REFERENCES lab_pacts (id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX lab_pact_reports_pact_idx ON lab_pact_reports (pact_id, date);
