-- Commands now write their issue's row with their events (one statement), so every assign, address,
-- close and reopen updates a row of `issues` on the request path. None of the columns such an update
-- changes (status, assignee, due_on, outcome, closed_at, version, last_position) is indexed any more, and
-- pages keep room for new versions, so PostgreSQL can update the row in place (a HOT update: no new
-- entry in any of the table's indexes). The index on status alone is dropped: status has four values,
-- and every list filtered by it is also ordered by the list index or narrowed by area first.
DROP INDEX IF EXISTS issues_status;
ALTER TABLE issues SET (fillfactor = 80);
