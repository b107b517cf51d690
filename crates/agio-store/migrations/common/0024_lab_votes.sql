-- The Community Lab's prioritisation: the ideas the coordinators admit to the vote, and one
-- ballot per person and process (the unique key, not a check in code), changeable until the
-- phase closes. A ballot's choices are its points per idea (1 for each approved idea under
-- approval voting). Published results give only the tally: who cast which ballot is never shown,
-- and ballots are not written to the audit log.

ALTER TABLE lab_ideas ADD COLUMN admitted BIGINT NOT NULL DEFAULT 0 CHECK (admitted IN (0, 1));

CREATE TABLE lab_ballots (
    id TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES lab_processes (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (process_id, person_id)
);

CREATE TABLE lab_ballot_choices (
    ballot_id TEXT NOT NULL REFERENCES lab_ballots (id) ON DELETE CASCADE,
    idea_id TEXT NOT NULL REFERENCES lab_ideas (id) ON DELETE CASCADE,
    points BIGINT NOT NULL CHECK (points > 0),
    PRIMARY KEY (ballot_id, idea_id)
);
CREATE INDEX lab_ballot_choices_idea_idx ON lab_ballot_choices (idea_id);
