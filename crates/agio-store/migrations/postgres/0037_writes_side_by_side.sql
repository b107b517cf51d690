-- Writers now run at once on PostgreSQL (see the common file).

-- The audit log's numbers come from a sequence: two writers reading the highest number at
-- once would both take the next one.
CREATE SEQUENCE audit_log_seq;
SELECT setval('audit_log_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), false);

-- Two transactions changing approved values of one indicator take turns on that indicator's
-- key before working out its latest value. The one that waited then reads with a new snapshot
-- (each statement of a volatile function takes one), which holds the other's committed values;
-- without the lock each would write a row computed without the other's value.
CREATE OR REPLACE FUNCTION indicator_latest_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed TEXT := CASE WHEN TG_OP = 'DELETE' THEN OLD.indicator_id ELSE NEW.indicator_id END;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('indicator_latest:' || changed, 0));
    INSERT INTO indicator_latest SELECT * FROM latest_approved_values WHERE indicator_id = changed
    ON CONFLICT (indicator_id) DO UPDATE SET period = excluded.period, value = excluded.value,
        numerator = excluded.numerator, denominator = excluded.denominator, approved = excluded.approved;
    IF NOT FOUND THEN
        DELETE FROM indicator_latest WHERE indicator_id = changed;
    END IF;
    RETURN NULL;
END;
$$;
