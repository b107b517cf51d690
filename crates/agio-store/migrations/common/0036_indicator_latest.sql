-- Each indicator's latest approved value and how many approved values it has: all that the
-- region's progress is worked out from. Kept by triggers on measurements (this migration's
-- dialect files), in the same transaction as the change, so the regional dashboard reads one
-- small row per indicator instead of looking through every value of the region. It is
-- derived: `agio migrate --to` does not copy it, the copied measurements fill it again. No
-- foreign key: the triggers remove a row when its indicator's last approved value goes, as
-- when the indicator is deleted.

CREATE TABLE indicator_latest (
    indicator_id TEXT PRIMARY KEY,
    period TEXT NOT NULL,
    value TEXT NOT NULL,
    numerator TEXT,
    denominator TEXT,
    approved BIGINT NOT NULL
);

-- What indicator_latest keeps, worked out from the values (the triggers ask it for one
-- indicator, along the index on (indicator_id, period)).
CREATE VIEW latest_approved_values AS
SELECT m.indicator_id, m.period, m.value, m.numerator, m.denominator,
    (SELECT COUNT(*) FROM measurements c WHERE c.indicator_id = m.indicator_id AND c.status = 'approved') AS approved
FROM measurements m
WHERE m.status = 'approved' AND NOT EXISTS (
    SELECT 1 FROM measurements later
    WHERE later.indicator_id = m.indicator_id AND later.status = 'approved' AND later.period > m.period
);

INSERT INTO indicator_latest (indicator_id, period, value, numerator, denominator, approved)
SELECT indicator_id, period, value, numerator, denominator, approved FROM latest_approved_values;
