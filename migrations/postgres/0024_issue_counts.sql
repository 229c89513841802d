-- Statistics counters (issue #19). `issue_counts` holds, for every combination of the values the statistics
-- group and filter by, how many community problems have them now: the dashboards add up these cells instead
-- of scanning every issue. The cell of a row: area, category, forum, agency, raise month, status, outcome,
-- whether it is a marked duplicate, has a confirmed verdict, is open and escalated, the month an open problem
-- is due, whether it is restricted and who raised it (for small-cell suppression), and the whole days from
-- raise to close of a problem closed as resolved (-1 otherwise; a histogram, so medians stay exact). Text
-- keys use '' for none, so the primary key can hold them.
--
-- The cells are kept by triggers on `issues`, so every writer of a row (a command's inline write, the runner,
-- a rebuild, an erasure, an import) keeps them true in the same statement. A trigger only appends a change
-- (-1 for the old cell, +1 for the new) to `issue_count_changes`: appends take no lock that two commits in
-- flight could wait on. The read-model runner folds the changes into the cells now and then
-- (`stats::compact`); readers add both up in one statement. The cell expressions below are repeated in
-- `projections/src/stats.rs` (`CELL_SQL`, used to recount after a rebuild and to scan the issue rows); the
-- property test `counters` checks that they agree.
CREATE TABLE issue_counts (
  area_id        TEXT NOT NULL,
  category       TEXT NOT NULL,
  month          TEXT NOT NULL,
  status         TEXT NOT NULL,
  outcome        TEXT NOT NULL,
  days           bigint NOT NULL,
  forum_id       TEXT NOT NULL,
  agency_id      TEXT NOT NULL,
  duplicate      integer NOT NULL,
  confirmed      integer NOT NULL,
  escalated      integer NOT NULL,
  due_month      TEXT NOT NULL,
  restricted     integer NOT NULL,
  raised_by_user TEXT NOT NULL,
  n              bigint NOT NULL,
  PRIMARY KEY (area_id, category, month, status, outcome, days, forum_id, agency_id, duplicate, confirmed,
               escalated, due_month, restricted, raised_by_user)
);
-- Cells emptied by a change; removed by the compaction.
CREATE INDEX issue_counts_empty ON issue_counts (area_id) WHERE n = 0;
CREATE TABLE issue_count_changes (
  area_id        TEXT NOT NULL,
  category       TEXT NOT NULL,
  month          TEXT NOT NULL,
  status         TEXT NOT NULL,
  outcome        TEXT NOT NULL,
  days           bigint NOT NULL,
  forum_id       TEXT NOT NULL,
  agency_id      TEXT NOT NULL,
  duplicate      integer NOT NULL,
  confirmed      integer NOT NULL,
  escalated      integer NOT NULL,
  due_month      TEXT NOT NULL,
  restricted     integer NOT NULL,
  raised_by_user TEXT NOT NULL,
  n              bigint NOT NULL
);
-- Rows come and go every second under load: vacuum it as soon as a thousand are dead, whatever its size, so
-- readers (who scan it whole) do not wade through dead rows for long.
ALTER TABLE issue_count_changes SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0);
-- A rebuild stops the triggers for its own transaction (`SET LOCAL santisuk.counting = 'off'`, read in the
-- triggers' WHEN, so a paused row write does not even call the function) while it rewrites every issue row,
-- then recounts the cells in one statement. SQLite has no such setting: there a row in this table, inserted
-- inside the rebuild's transaction, does it; the table exists on both so the code is one.
CREATE TABLE issue_counts_paused (paused integer NOT NULL);

CREATE FUNCTION issue_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    IF OLD.kind = 'community' THEN
      INSERT INTO issue_count_changes VALUES (
        OLD.area_id, OLD.category, substr(OLD.raised_on, 1, 7), OLD.status, COALESCE(OLD.outcome, ''),
        CASE WHEN OLD.status = 'closed' AND OLD.outcome = 'resolved' AND OLD.closed_at IS NOT NULL
          THEN floor(extract(epoch FROM (OLD.closed_at::timestamptz - OLD.raised_at::timestamptz)) / 86400)::bigint
          ELSE -1 END,
        COALESCE(OLD.forum_id, ''), COALESCE(OLD.agency_id, ''),
        CASE WHEN OLD.duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
        CASE WHEN OLD.verdict = 'confirmed' THEN 1 ELSE 0 END,
        CASE WHEN OLD.status <> 'closed' AND OLD.escalation_level > 0 THEN 1 ELSE 0 END,
        CASE WHEN OLD.status <> 'closed' THEN COALESCE(substr(OLD.due_on, 1, 7), '') ELSE '' END,
        CASE WHEN OLD.restricted THEN 1 ELSE 0 END, COALESCE(OLD.raised_by_user, ''), -1);
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    IF NEW.kind = 'community' THEN
      INSERT INTO issue_count_changes VALUES (
        NEW.area_id, NEW.category, substr(NEW.raised_on, 1, 7), NEW.status, COALESCE(NEW.outcome, ''),
        CASE WHEN NEW.status = 'closed' AND NEW.outcome = 'resolved' AND NEW.closed_at IS NOT NULL
          THEN floor(extract(epoch FROM (NEW.closed_at::timestamptz - NEW.raised_at::timestamptz)) / 86400)::bigint
          ELSE -1 END,
        COALESCE(NEW.forum_id, ''), COALESCE(NEW.agency_id, ''),
        CASE WHEN NEW.duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
        CASE WHEN NEW.verdict = 'confirmed' THEN 1 ELSE 0 END,
        CASE WHEN NEW.status <> 'closed' AND NEW.escalation_level > 0 THEN 1 ELSE 0 END,
        CASE WHEN NEW.status <> 'closed' THEN COALESCE(substr(NEW.due_on, 1, 7), '') ELSE '' END,
        CASE WHEN NEW.restricted THEN 1 ELSE 0 END, COALESCE(NEW.raised_by_user, ''), 1);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER issue_counts_insert AFTER INSERT ON issues FOR EACH ROW
  WHEN (current_setting('santisuk.counting', true) IS DISTINCT FROM 'off')
  EXECUTE FUNCTION issue_counts_change();
CREATE TRIGGER issue_counts_delete AFTER DELETE ON issues FOR EACH ROW
  WHEN (current_setting('santisuk.counting', true) IS DISTINCT FROM 'off')
  EXECUTE FUNCTION issue_counts_change();
-- Most updates (a new assignee, an action, an erased text) move no counter: no change is written for them.
CREATE TRIGGER issue_counts_update AFTER UPDATE ON issues FOR EACH ROW
  WHEN (current_setting('santisuk.counting', true) IS DISTINCT FROM 'off' AND
        (OLD.kind, OLD.area_id, OLD.category, OLD.raised_on, OLD.raised_at, OLD.status, OLD.outcome,
         OLD.closed_at, OLD.forum_id, OLD.agency_id, OLD.duplicate_of, OLD.verdict, OLD.escalation_level > 0,
         OLD.due_on, OLD.restricted, OLD.raised_by_user)
        IS DISTINCT FROM
        (NEW.kind, NEW.area_id, NEW.category, NEW.raised_on, NEW.raised_at, NEW.status, NEW.outcome,
         NEW.closed_at, NEW.forum_id, NEW.agency_id, NEW.duplicate_of, NEW.verdict, NEW.escalation_level > 0,
         NEW.due_on, NEW.restricted, NEW.raised_by_user))
  EXECUTE FUNCTION issue_counts_change();

-- The rows already there, counted once.
INSERT INTO issue_counts
SELECT area_id, category, substr(raised_on, 1, 7), status, COALESCE(outcome, ''),
  CASE WHEN status = 'closed' AND outcome = 'resolved' AND closed_at IS NOT NULL
    THEN floor(extract(epoch FROM (closed_at::timestamptz - raised_at::timestamptz)) / 86400)::bigint ELSE -1 END,
  COALESCE(forum_id, ''), COALESCE(agency_id, ''),
  CASE WHEN duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
  CASE WHEN verdict = 'confirmed' THEN 1 ELSE 0 END,
  CASE WHEN status <> 'closed' AND escalation_level > 0 THEN 1 ELSE 0 END,
  CASE WHEN status <> 'closed' THEN COALESCE(substr(due_on, 1, 7), '') ELSE '' END,
  CASE WHEN restricted THEN 1 ELSE 0 END, COALESCE(raised_by_user, ''), COUNT(*)
FROM issues WHERE kind = 'community'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;

-- Overdue is judged against today: the cells tell which open problems fall due in earlier months; those due
-- earlier this month are counted from the rows, through this index.
CREATE INDEX issues_due_open ON issues (due_on) WHERE status <> 'closed' AND due_on IS NOT NULL;

-- The dashboard's closures (problems closed in its window, whatever day they were raised) read a range of
-- close times: through this index, not a scan of every problem.
CREATE INDEX issues_closed_at ON issues (closed_at) WHERE closed_at IS NOT NULL;
