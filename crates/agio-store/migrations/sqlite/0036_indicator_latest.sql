-- indicator_latest follows every change that touches an approved value (this dialect's
-- syntax). SQLite's writes never run at once, so deleting and inserting again cannot race. A
-- measurement never moves to another indicator.
CREATE TRIGGER indicator_latest_on_insert AFTER INSERT ON measurements WHEN NEW.status = 'approved'
BEGIN
    DELETE FROM indicator_latest WHERE indicator_id = NEW.indicator_id;
    INSERT INTO indicator_latest SELECT * FROM latest_approved_values WHERE indicator_id = NEW.indicator_id;
END;

CREATE TRIGGER indicator_latest_on_update AFTER UPDATE ON measurements
WHEN OLD.status = 'approved' OR NEW.status = 'approved'
BEGIN
    DELETE FROM indicator_latest WHERE indicator_id = NEW.indicator_id;
    INSERT INTO indicator_latest SELECT * FROM latest_approved_values WHERE indicator_id = NEW.indicator_id;
END;

CREATE TRIGGER indicator_latest_on_delete AFTER DELETE ON measurements WHEN OLD.status = 'approved'
BEGIN
    DELETE FROM indicator_latest WHERE indicator_id = OLD.indicator_id;
    INSERT INTO indicator_latest SELECT * FROM latest_approved_values WHERE indicator_id = OLD.indicator_id;
END;
