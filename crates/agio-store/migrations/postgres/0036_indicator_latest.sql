-- indicator_latest follows every change that touches an approved value (this dialect's
-- syntax). Two approvals of one indicator's values may run at once: the upsert lets the
-- second wait for the first's row instead of failing on its key. A measurement never moves
-- to another indicator.
CREATE FUNCTION indicator_latest_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed TEXT := CASE WHEN TG_OP = 'DELETE' THEN OLD.indicator_id ELSE NEW.indicator_id END;
BEGIN
    INSERT INTO indicator_latest SELECT * FROM latest_approved_values WHERE indicator_id = changed
    ON CONFLICT (indicator_id) DO UPDATE SET period = excluded.period, value = excluded.value,
        numerator = excluded.numerator, denominator = excluded.denominator, approved = excluded.approved;
    IF NOT FOUND THEN
        DELETE FROM indicator_latest WHERE indicator_id = changed;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER indicator_latest_on_insert AFTER INSERT ON measurements
    FOR EACH ROW WHEN (NEW.status = 'approved') EXECUTE FUNCTION indicator_latest_refresh();
CREATE TRIGGER indicator_latest_on_update AFTER UPDATE ON measurements
    FOR EACH ROW WHEN (OLD.status = 'approved' OR NEW.status = 'approved') EXECUTE FUNCTION indicator_latest_refresh();
CREATE TRIGGER indicator_latest_on_delete AFTER DELETE ON measurements
    FOR EACH ROW WHEN (OLD.status = 'approved') EXECUTE FUNCTION indicator_latest_refresh();
