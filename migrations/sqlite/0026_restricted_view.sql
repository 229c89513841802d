-- The cases restricted now, as before (migration 0015), written so that a question about one case reads that
-- case (issue #19): see the PostgreSQL migration of the same number. SQLite pushes a correlated `r.id = i.id`
-- into the arms of a UNION ALL, not of a UNION, which it builds whole (a scan of every issue row per command).
DROP VIEW restricted_issues;
CREATE VIEW restricted_issues AS
  SELECT i.id, i.category, i.raised_by_user FROM issues i WHERE i.restricted
  UNION ALL
  SELECT i.id, i.category, i.raised_by_user FROM issues i JOIN categories c ON c.code = i.category
  WHERE c.restricted AND NOT i.restricted;
