-- Approved versions are immutable: a trigger refuses updates (this dialect's syntax).
CREATE FUNCTION agenda_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'agenda_versions are immutable';
END;
$$;
CREATE TRIGGER agenda_versions_immutable BEFORE UPDATE ON agenda_versions
    FOR EACH ROW EXECUTE FUNCTION agenda_versions_immutable();
