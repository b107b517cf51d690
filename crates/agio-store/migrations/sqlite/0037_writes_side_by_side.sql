-- Nothing more on SQLite: it has one writer at a time, so the audit log's next number is
-- still the highest plus one, and indicator_latest's triggers cannot race.
SELECT 1;
