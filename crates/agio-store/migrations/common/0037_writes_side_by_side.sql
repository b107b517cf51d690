-- Writes no longer take turns on data_version's one row: every write of the platform waited
-- for the one before, and an import held that row for its whole length. Each write appends a
-- row here instead. Appended rows never conflict, so writers in two districts never wait for
-- each other. The data version is data_version.version plus the rows here: the number of
-- writes committed, which grows with every commit whatever order they commit in. Instances
-- fold the rows into data_version from time to time (Store::fold_data_writes).
CREATE TABLE data_writes (id TEXT PRIMARY KEY);

-- The directory index's change scan (agio-app's Directory::sync) reads services by updated_at.
CREATE INDEX directory_services_updated_idx ON directory_services (updated_at);
