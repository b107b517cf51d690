-- The directory of welfare services (Open Referral HSDS 3.0), see docs/directory.md.
-- Needs written for people: the directory's main taxonomy, beside life stages and target groups.
INSERT INTO vocabulary_terms (vocabulary, code, label_it, label_en, position) VALUES
('need', 'casa', 'Casa', 'Housing', 1),
('need', 'lavoro_reddito', 'Lavoro e reddito', 'Work and income', 2),
('need', 'salute', 'Salute', 'Health', 3),
('need', 'famiglia_figli', 'Famiglia e figli', 'Family and children', 4),
('need', 'disabilita', 'Disabilità', 'Disability', 5),
('need', 'anziani', 'Anziani e non autosufficienza', 'Older people and long-term care', 6),
('need', 'poverta_emergenza', 'Povertà ed emergenza', 'Poverty and emergencies', 7),
('need', 'migranti', 'Persone migranti', 'Migrants', 8),
('need', 'violenza', 'Violenza e maltrattamento', 'Violence and abuse', 9),
('need', 'dipendenze', 'Dipendenze', 'Addiction', 10),
('need', 'istruzione_formazione', 'Istruzione e formazione', 'Education and training', 11),
('need', 'facilitazione_digitale', 'Facilitazione digitale', 'Help with digital services', 12);

-- An HSDS organisation, as the services that name it last described it; linked to the AGIO
-- organisation of the same name, whose referents then manage its services.
CREATE TABLE directory_organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    agio_organization_id TEXT REFERENCES organizations (id),
    document TEXT NOT NULL,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    updated_at TEXT NOT NULL
);

-- One HSDS service document per service (the source of truth) and the columns derived from it
-- on every write, for the filters SQL answers (nothing else reads the document's inside).
CREATE TABLE directory_services (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES directory_organizations (id),
    document TEXT NOT NULL,
    -- SHA-256 of the document as stored: an import that brings the same document changes nothing.
    digest TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX directory_services_organization_idx ON directory_services (organization_id);
CREATE INDEX directory_services_modified_idx ON directory_services (last_modified);

CREATE TABLE directory_service_terms (
    service_id TEXT NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    term_id TEXT NOT NULL,
    PRIMARY KEY (service_id, term_id)
);
CREATE INDEX directory_service_terms_term_idx ON directory_service_terms (term_id);

-- Where a service is delivered: the HSDS service_at_location, with what the API filters by.
CREATE TABLE directory_service_at_locations (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES directory_services (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    comune TEXT,
    postcode TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION
);
CREATE INDEX directory_sal_service_idx ON directory_service_at_locations (service_id);
CREATE INDEX directory_sal_postcode_idx ON directory_service_at_locations (postcode);
