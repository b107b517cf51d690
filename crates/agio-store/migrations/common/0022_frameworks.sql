-- The regional and national frameworks an agenda's objectives serve, as data the regional
-- administrator edits (every change versioned and audited): the challenges of the Agenda
-- Digitale dell'Emilia-Romagna (ADER), the PNRR missions, components and investments that fund
-- digital welfare, the UN Sustainable Development Goals and their targets. Each item names its
-- parent (a goal, a mission, a component) by code. The first content is in data/ATTRIBUTION.md.

CREATE TABLE frameworks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    edition TEXT NOT NULL DEFAULT '',
    source_url TEXT NOT NULL DEFAULT '',
    position BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

CREATE TABLE framework_targets (
    id TEXT PRIMARY KEY,
    framework_id TEXT NOT NULL REFERENCES frameworks (id),
    code TEXT NOT NULL,
    parent_code TEXT,
    title TEXT NOT NULL,
    position BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (framework_id, code)
);

-- The framework targets an objective serves, as a JSON array of keys "{framework}:{code}".
ALTER TABLE objectives ADD COLUMN targets TEXT NOT NULL DEFAULT '[]';

INSERT INTO frameworks (id, name, edition, source_url, position, updated_at) VALUES
('ader', 'Agenda Digitale dell''Emilia-Romagna', 'Data Valley Bene Comune 2020-2025', 'https://digitale.regione.emilia-romagna.it/', 1, '2026-12-05T00:00:00Z'),
('pnrr', 'Piano Nazionale di Ripresa e Resilienza', 'PNRR 2021-2026', 'https://www.italiadomani.gov.it/', 2, '2026-12-05T00:00:00Z'),
('sdg', 'Agenda 2030 per lo sviluppo sostenibile (ONU)', 'Obiettivi e traguardi 2015', 'https://unric.org/it/agenda-2030/', 3, '2026-12-05T00:00:00Z');

INSERT INTO framework_targets (id, framework_id, code, parent_code, title, position, created_at, updated_at) VALUES
('ader-1', 'ader', '1', NULL, 'Dati per una nuova intelligenza del territorio', 1, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('ader-2', 'ader', '2', NULL, 'Competenze digitali', 2, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('ader-3', 'ader', '3', NULL, 'PA digitale', 3, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('ader-4', 'ader', '4', NULL, 'Trasformazione digitale dei settori produttivi e dei servizi', 4, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('ader-5', 'ader', '5', NULL, 'Servizi pubblici digitali centrati sull''utente, integrati, aperti e innovativi', 5, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('ader-6', 'ader', '6', NULL, 'Città e comunità digitali', 6, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('ader-7', 'ader', '7', NULL, 'Connettività: più banda a più persone e imprese', 7, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('ader-8', 'ader', '8', NULL, 'Donne e digitale: una risorsa indispensabile', 8, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m1', 'pnrr', 'M1', NULL, 'Digitalizzazione, innovazione, competitività, cultura e turismo', 1, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m1c1', 'pnrr', 'M1C1', 'M1', 'Digitalizzazione, innovazione e sicurezza nella PA', 2, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m1c1-i13', 'pnrr', 'M1C1-I1.3', 'M1C1', 'Dati e interoperabilità (Piattaforma Digitale Nazionale Dati)', 3, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m1c1-i14', 'pnrr', 'M1C1-I1.4', 'M1C1', 'Servizi e cittadinanza digitale (pagoPA, App IO, SPID e CIE, esperienza del cittadino)', 4, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m1c1-i17', 'pnrr', 'M1C1-I1.7', 'M1C1', 'Competenze digitali di base (Servizio civile digitale, Rete dei servizi di facilitazione digitale)', 5, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m5', 'pnrr', 'M5', NULL, 'Inclusione e coesione', 6, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m5c2', 'pnrr', 'M5C2', 'M5', 'Infrastrutture sociali, famiglie, comunità e terzo settore', 7, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m5c2-i11', 'pnrr', 'M5C2-I1.1', 'M5C2', 'Sostegno alle persone vulnerabili e prevenzione dell''istituzionalizzazione degli anziani non autosufficienti', 8, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m5c2-i12', 'pnrr', 'M5C2-I1.2', 'M5C2', 'Percorsi di autonomia per persone con disabilità', 9, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m5c2-i13', 'pnrr', 'M5C2-I1.3', 'M5C2', 'Housing temporaneo e stazioni di posta', 10, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m6', 'pnrr', 'M6', NULL, 'Salute', 11, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m6c1', 'pnrr', 'M6C1', 'M6', 'Reti di prossimità, strutture e telemedicina per l''assistenza sanitaria territoriale', 12, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('pnrr-m6c1-i12', 'pnrr', 'M6C1-I1.2', 'M6C1', 'Casa come primo luogo di cura e telemedicina', 13, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-1', 'sdg', '1', NULL, 'Sconfiggere la povertà', 1, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-1.3', 'sdg', '1.3', '1', 'Sistemi di protezione sociale adeguati per tutti, con una copertura sostanziale delle persone povere e vulnerabili', 2, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-1.4', 'sdg', '1.4', '1', 'Uguali diritti alle risorse economiche e accesso ai servizi di base e alle nuove tecnologie, in particolare per le persone povere e vulnerabili', 3, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-3', 'sdg', '3', NULL, 'Salute e benessere', 4, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-3.4', 'sdg', '3.4', '3', 'Promuovere la salute mentale e il benessere', 5, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-3.8', 'sdg', '3.8', '3', 'Copertura sanitaria universale e accesso a servizi essenziali di qualità', 6, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-4', 'sdg', '4', NULL, 'Istruzione di qualità', 7, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-4.4', 'sdg', '4.4', '4', 'Più giovani e adulti con competenze, anche digitali, per il lavoro', 8, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-4.5', 'sdg', '4.5', '4', 'Parità di accesso all''istruzione e alla formazione per le persone vulnerabili e con disabilità', 9, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-5', 'sdg', '5', NULL, 'Parità di genere', 10, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-5.2', 'sdg', '5.2', '5', 'Eliminare ogni forma di violenza contro donne e ragazze', 11, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-5.b', 'sdg', '5.b', '5', 'Usare le tecnologie dell''informazione e della comunicazione per l''emancipazione delle donne', 12, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-8', 'sdg', '8', NULL, 'Lavoro dignitoso e crescita economica', 13, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-8.5', 'sdg', '8.5', '8', 'Piena occupazione e lavoro dignitoso per tutti, compresi i giovani e le persone con disabilità', 14, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-9', 'sdg', '9', NULL, 'Imprese, innovazione e infrastrutture', 15, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-9.c', 'sdg', '9.c', '9', 'Accesso universale e a basso costo a Internet e alle tecnologie dell''informazione', 16, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-10', 'sdg', '10', NULL, 'Ridurre le disuguaglianze', 17, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-10.2', 'sdg', '10.2', '10', 'Inclusione sociale, economica e politica di tutti, a prescindere da età, sesso, disabilità, origine o condizione economica', 18, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-11', 'sdg', '11', NULL, 'Città e comunità sostenibili', 19, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-11.1', 'sdg', '11.1', '11', 'Accesso per tutti ad alloggi adeguati, sicuri e convenienti e ai servizi di base', 20, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-16', 'sdg', '16', NULL, 'Pace, giustizia e istituzioni solide', 21, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-16.6', 'sdg', '16.6', '16', 'Istituzioni efficaci, responsabili e trasparenti a tutti i livelli', 22, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-16.7', 'sdg', '16.7', '16', 'Decisioni reattive, inclusive, partecipative e rappresentative a tutti i livelli', 23, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-17', 'sdg', '17', NULL, 'Partnership per gli obiettivi', 24, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z'),
('sdg-17.17', 'sdg', '17.17', '17', 'Partenariati efficaci tra soggetti pubblici, pubblico-privati e della società civile', 25, '2026-12-05T00:00:00Z', '2026-12-05T00:00:00Z');
