-- The issue list filtered by area and status, ordered by raise time: see the PostgreSQL migration of the
-- same number (issue #19, P9: at 2.5 million issues a page walked the whole area's entries when few of
-- them were in the status asked for).
CREATE INDEX IF NOT EXISTS issues_area_status_list ON issues (area_id, status, raised_at DESC, id DESC);
