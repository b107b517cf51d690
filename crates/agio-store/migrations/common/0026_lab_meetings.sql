-- The Community Lab's meetings: open meetings, the working day, negotiation tables (with named
-- members and their decisions). Registration takes a seat while there is one and a place on the
-- waiting list otherwise (one row per person and meeting: the primary key); a cancellation gives
-- the seat to the first waiting. Attendance is recorded after, with the minutes; the ideas
-- discussed are linked.

CREATE TABLE lab_meetings (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES lab_processes (id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('meeting', 'working_day', 'negotiation_table')),
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    starts TEXT,
    ends TEXT,
    place TEXT,
    online_url TEXT,
    agenda TEXT NOT NULL DEFAULT '',
    capacity BIGINT,
    minutes TEXT NOT NULL DEFAULT '',
    decisions TEXT NOT NULL DEFAULT '',
    members TEXT NOT NULL DEFAULT '[]',
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (process_id, number)
);

CREATE TABLE lab_meeting_registrations (
    meeting_id TEXT NOT NULL REFERENCES lab_meetings (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    seat TEXT NOT NULL CHECK (seat IN ('registered', 'waiting')),
    attended BIGINT NOT NULL DEFAULT 0 CHECK (attended IN (0, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE lab_meeting_ideas (
    meeting_id TEXT NOT NULL REFERENCES lab_meetings (id) ON DELETE CASCADE,
    idea_id TEXT NOT NULL REFERENCES lab_ideas (id) ON DELETE CASCADE,
    PRIMARY KEY (meeting_id, idea_id)
);
CREATE INDEX lab_meeting_ideas_idea_idx ON lab_meeting_ideas (idea_id);
