-- Who read what: reads of an issue's history, of the audit log, and every export. Append-only; shown to
-- auditors at GET /api/audit/access-log. Not an event: reads are not changes to the problems, and would
-- flood the log auditors verify.
CREATE TABLE access_log
(
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT,
  filters    TEXT NOT NULL,
  request_id TEXT
);
