-- The issue list filtered by area and status (a coordinator's open problems), ordered by raise time. With
-- only `issues_area_list` (0009), PostgreSQL walked the area's entries and filtered them by status, which
-- costs the whole area when few of its issues are in that status: at 2.5 million issues (125,000 in the
-- area, none in the status asked for) a page took ~500 ms in plain SQL and 596 ms p99 through the API
-- (issue #19, P9 at 10 M events). Here it reads that area's entries in that status only.
--
-- 0008 dropped the index on status alone so that commands could update issue rows in place (HOT); since
-- 0024 the partial indexes on open due dates and close times reference status and closed_at, so a status
-- change updates every index of the row already, and this one adds one entry to it.
CREATE INDEX IF NOT EXISTS issues_area_status_list ON issues (area_id, status, raised_at DESC, id DESC);
