-- E-mail notifications of the Community Lab (an idea answered, hidden or commented; a meeting
-- one registered for changed): on unless a person turns a kind off, one row per kind turned off.
CREATE TABLE notification_opt_outs (
    person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('idea_answered', 'idea_hidden', 'idea_commented', 'meeting_changed')),
    PRIMARY KEY (person_id, kind)
);
