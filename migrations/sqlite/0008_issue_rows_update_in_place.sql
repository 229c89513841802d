-- Commands now write their issue's row with their events, so every assign, address, close and reopen
-- updates a row of `issues` on the request path. The index on status alone is dropped: it was the only
-- index over a column such an update changes, status has four values, and every list filtered by it is
-- also ordered by the list index or narrowed by area first.
DROP INDEX IF EXISTS issues_status;
