-- A counter bumped by every write, so that each app instance can tell when its cached
-- pages are stale (the instances poll it; see agio-web's page cache). One row.
CREATE TABLE data_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 1);
