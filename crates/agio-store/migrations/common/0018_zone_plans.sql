-- The Piano di Zona of a district's profile: the plan (title, period) and its intervention
-- sheets. Agenda actions name a sheet in their `zone_plan_ref` ("Scheda 16 – …" or "16").

CREATE TABLE zone_plans (
    id TEXT PRIMARY KEY,
    profile_id TEXT NOT NULL UNIQUE REFERENCES profiles (id),
    title TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL CHECK (period_end >= period_start),
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE zone_plan_sheets (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES zone_plans (id),
    -- As the plan numbers it ("16", "3.2").
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    -- JSON array of target_group codes.
    target_groups TEXT NOT NULL DEFAULT '[]',
    budget_cents BIGINT CHECK (budget_cents >= 0),
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'completed', 'suspended')),
    position BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_id, number)
);
