-- The cases restricted now (migrations 0015, 0026), as one join instead of two arms under UNION ALL. A list
-- asks `NOT EXISTS (… WHERE r.id = i.id)` of each row of its page, and PostgreSQL cannot push that
-- correlation into an arm that itself joins (the arm stays a subquery): it planned the whole set of
-- restricted cases under the list, which means a scan of every issue row as soon as a category is
-- restricted, and priced a staff member's list at 2.5 million issues high enough to compile it with JIT
-- (40 ms a page for a page that read five buffers). As a join, each row's question is one lookup in the
-- issues' primary key and one in the categories'. A question about one case (a command's) reads that case,
-- as before. SQLite keeps 0026: it pushes the correlation into both arms.
CREATE OR REPLACE VIEW restricted_issues AS
  SELECT i.id, i.category, i.raised_by_user FROM issues i LEFT JOIN categories c ON c.code = i.category
  WHERE i.restricted OR c.restricted;
