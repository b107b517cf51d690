-- AGIO foundation schema, the same SQL for SQLite and PostgreSQL (the schema-parity test
-- compares the two after migration).
-- Flags are BIGINT 0/1, not BOOLEAN: sqlx's Any driver cannot decode SQLite booleans.

CREATE TABLE vocabulary_terms (
    vocabulary TEXT NOT NULL,
    code TEXT NOT NULL,
    label_it TEXT NOT NULL,
    label_en TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (vocabulary, code)
);

CREATE TABLE territories (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('region', 'district', 'union', 'comune')),
    code TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    parent_id TEXT REFERENCES territories (id),
    province TEXT,
    province_code TEXT,
    cadastral_code TEXT,
    health_authority TEXT,
    population BIGINT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    boundary TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX territories_kind_idx ON territories (kind);
CREATE INDEX territories_parent_idx ON territories (parent_id);

CREATE TABLE union_members (
    union_id TEXT NOT NULL REFERENCES territories (id) ON DELETE CASCADE,
    comune_id TEXT NOT NULL REFERENCES territories (id),
    PRIMARY KEY (union_id, comune_id)
);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    org_type TEXT NOT NULL,
    org_type_vocabulary TEXT NOT NULL DEFAULT 'organization_type' CHECK (org_type_vocabulary = 'organization_type'),
    tax_code TEXT,
    territory_id TEXT REFERENCES territories (id),
    description TEXT NOT NULL DEFAULT '',
    website TEXT,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (org_type_vocabulary, org_type) REFERENCES vocabulary_terms (vocabulary, code)
);
CREATE INDEX organizations_territory_idx ON organizations (territory_id);

CREATE TABLE digital_assets (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('network', 'datacenter', 'service_platform', 'database')),
    provider TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active', 'in_development', 'planned', 'retired')),
    url TEXT,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE asset_coverage (
    asset_id TEXT NOT NULL REFERENCES digital_assets (id) ON DELETE CASCADE,
    comune_id TEXT NOT NULL REFERENCES territories (id),
    PRIMARY KEY (asset_id, comune_id)
);
CREATE INDEX asset_coverage_comune_idx ON asset_coverage (comune_id);

CREATE TABLE agendas (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    territory_id TEXT NOT NULL REFERENCES territories (id),
    title TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'consultation', 'approved', 'archived')),
    vision TEXT NOT NULL DEFAULT '',
    context TEXT NOT NULL DEFAULT '',
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (period_end >= period_start)
);
CREATE INDEX agendas_territory_idx ON agendas (territory_id);

CREATE TABLE objectives (
    id TEXT PRIMARY KEY,
    agenda_id TEXT NOT NULL REFERENCES agendas (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (agenda_id, code)
);

CREATE TABLE actions (
    id TEXT PRIMARY KEY,
    agenda_id TEXT NOT NULL REFERENCES agendas (id) ON DELETE CASCADE,
    objective_id TEXT NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    term TEXT NOT NULL CHECK (term IN ('short', 'medium')),
    start_date TEXT,
    end_date TEXT,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'planned', 'in_progress', 'completed', 'suspended', 'cancelled')),
    zone_plan_ref TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (agenda_id, code)
);
CREATE INDEX actions_objective_idx ON actions (objective_id);

CREATE TABLE action_organizations (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'partner')),
    role_description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (action_id, organization_id)
);
CREATE INDEX action_organizations_org_idx ON action_organizations (organization_id);

CREATE TABLE action_terms (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    vocabulary TEXT NOT NULL CHECK (vocabulary IN ('target_group', 'life_stage', 'theme')),
    code TEXT NOT NULL,
    PRIMARY KEY (action_id, vocabulary, code),
    FOREIGN KEY (vocabulary, code) REFERENCES vocabulary_terms (vocabulary, code)
);
CREATE INDEX action_terms_term_idx ON action_terms (vocabulary, code);

CREATE TABLE budget_lines (
    id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    funding_source TEXT NOT NULL,
    funding_vocabulary TEXT NOT NULL DEFAULT 'funding_source' CHECK (funding_vocabulary = 'funding_source'),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    cup TEXT,
    description TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (funding_vocabulary, funding_source) REFERENCES vocabulary_terms (vocabulary, code)
);
CREATE INDEX budget_lines_action_idx ON budget_lines (action_id);

CREATE TABLE action_assets (
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    asset_id TEXT NOT NULL REFERENCES digital_assets (id),
    PRIMARY KEY (action_id, asset_id)
);
CREATE INDEX action_assets_asset_idx ON action_assets (asset_id);

CREATE TABLE expected_results (
    id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('output', 'outcome', 'impact')),
    description TEXT NOT NULL
);
CREATE INDEX expected_results_action_idx ON expected_results (action_id);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    result_id TEXT NOT NULL REFERENCES expected_results (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    baseline_value DOUBLE PRECISION,
    baseline_year BIGINT,
    target_value DOUBLE PRECISION,
    target_year BIGINT,
    direction TEXT NOT NULL CHECK (direction IN ('increase', 'decrease'))
);
CREATE INDEX indicators_result_idx ON indicators (result_id);
-- At most one lead organisation per action.
CREATE UNIQUE INDEX action_organizations_one_lead_idx ON action_organizations (action_id) WHERE role = 'lead';
