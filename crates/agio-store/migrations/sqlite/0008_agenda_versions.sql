-- Approved versions are immutable: a trigger refuses updates (this dialect's syntax).
CREATE TRIGGER agenda_versions_immutable BEFORE UPDATE ON agenda_versions
BEGIN
    SELECT RAISE(ABORT, 'agenda_versions are immutable');
END;
