-- The cases restricted now, as before (migration 0015), written so that a question about one case reads that
-- case (issue #19): every command on an issue asks whether the case is hidden from its writer, and the
-- view's UNION made the planners build the whole set of restricted cases (a scan of every issue row) to
-- answer it. Two disjoint arms under UNION ALL let `EXISTS (… WHERE r.id = i.id)` reach each arm through
-- the issues' primary key. The second arm leaves out the cases the first holds, so no case is listed twice.
CREATE OR REPLACE VIEW restricted_issues AS
  SELECT i.id, i.category, i.raised_by_user FROM issues i WHERE i.restricted
  UNION ALL
  SELECT i.id, i.category, i.raised_by_user FROM issues i JOIN categories c ON c.code = i.category
  WHERE c.restricted AND NOT i.restricted;
