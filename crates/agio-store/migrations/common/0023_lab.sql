-- The Community Lab (step 2 of the regional method, *realizzazione*): one participatory process
-- per agenda, its ordered phases (one active at a time, kept on the process so there can never
-- be two), the ideas people propose, their supports (one per person: the primary key, not a
-- check in code), comments one level deep, reports, and the coordinators' answers linking an
-- accepted idea to the action that carries it.

CREATE TABLE lab_processes (
    id TEXT PRIMARY KEY,
    agenda_id TEXT NOT NULL UNIQUE REFERENCES agendas (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- NULL before the process starts; else the kind of the one active phase.
    active_phase TEXT CHECK (active_phase IN ('information', 'ideas', 'working_day', 'prioritisation', 'feedback', 'pacts')),
    vote_method TEXT NOT NULL DEFAULT 'approval' CHECK (vote_method IN ('approval', 'points')),
    vote_points BIGINT NOT NULL DEFAULT 0,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Every process has the six phases of the method, in their order; a phase without dates is
-- not planned.
CREATE TABLE lab_phases (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES lab_processes (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('information', 'ideas', 'working_day', 'prioritisation', 'feedback', 'pacts')),
    position BIGINT NOT NULL,
    starts_on TEXT,
    ends_on TEXT,
    description TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    UNIQUE (process_id, kind)
);

CREATE TABLE lab_ideas (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES lab_processes (id) ON DELETE CASCADE,
    -- The idea's number in its process: its address (`…/percorso/idee/12`).
    number BIGINT NOT NULL,
    author_id TEXT REFERENCES people (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- A gap of the district's profile (its stable key), if the idea addresses one.
    gap_key TEXT,
    comune_id TEXT REFERENCES territories (id),
    target_groups TEXT NOT NULL DEFAULT '[]',
    life_stages TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('published', 'withdrawn', 'hidden')),
    hidden_reason TEXT NOT NULL DEFAULT '',
    -- The coordinators' answer: NULL while none.
    answer TEXT CHECK (answer IN ('accepted', 'merged', 'rejected')),
    answer_note TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    action_id TEXT REFERENCES actions (id) ON DELETE SET NULL,
    merged_into BIGINT,
    -- Counted in the same transaction as the rows of lab_supports and lab_comments.
    supports BIGINT NOT NULL DEFAULT 0,
    comments BIGINT NOT NULL DEFAULT 0,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (process_id, number)
);
CREATE INDEX lab_ideas_author_idx ON lab_ideas (author_id, created_at);
CREATE INDEX lab_ideas_action_idx ON lab_ideas (action_id);
CREATE INDEX lab_ideas_supports_idx ON lab_ideas (process_id, supports);

CREATE TABLE lab_supports (
    idea_id TEXT NOT NULL REFERENCES lab_ideas (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (idea_id, person_id)
);

CREATE TABLE lab_comments (
    id TEXT PRIMARY KEY,
    idea_id TEXT NOT NULL REFERENCES lab_ideas (id) ON DELETE CASCADE,
    author_id TEXT REFERENCES people (id),
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'published' CHECK (state IN ('published', 'withdrawn', 'hidden')),
    hidden_reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX lab_comments_idea_idx ON lab_comments (idea_id, created_at);

-- Reports of an idea to the moderators: one per person and idea.
CREATE TABLE lab_reports (
    idea_id TEXT NOT NULL REFERENCES lab_ideas (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (idea_id, person_id)
);
