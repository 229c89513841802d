-- Restricted cases (issue #15 §4). A case is restricted while its own flag is set or its category is
-- restricted; its details are then shown only to admins, to staff and auditors granted its category, and to
-- the user who raised it (the `actor_id` of its first event, kept in the row as `raised_by_user`).
ALTER TABLE issues ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE issues ADD COLUMN raised_by_user TEXT;
UPDATE issues SET raised_by_user = (SELECT json_extract(e.metadata, '$.actor_id') FROM events e
  WHERE e.aggregate_type = 'Issue' AND e.aggregate_id = issues.id AND e.sequence = 1);
ALTER TABLE categories ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;
-- The restricted categories granted to a staff member or an auditor: codes joined by commas, sorted.
ALTER TABLE users ADD COLUMN categories TEXT NOT NULL DEFAULT '';
CREATE INDEX issues_restricted ON issues (id) WHERE restricted;
-- The cases restricted now, over the shared tables whatever the connection (a view outside `temp` names the
-- tables of its own schema), so a read as of an instant, whose temporary `issues` and `categories` hide the
-- shared ones, still hides what is restricted now.
CREATE VIEW restricted_issues AS
  SELECT i.id, i.category, i.raised_by_user FROM issues i WHERE i.restricted
  UNION
  SELECT i.id, i.category, i.raised_by_user FROM issues i JOIN categories c ON c.code = i.category
  WHERE c.restricted;
