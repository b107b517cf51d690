-- The directory's lists and its streamed export read services in name order, a batch at a time
-- after the last (name, id) read: this index makes each batch cost the same however far the
-- reader has come.
CREATE INDEX directory_services_name_idx ON directory_services (name, id);
