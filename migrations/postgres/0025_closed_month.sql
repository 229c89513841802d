-- The counters' cells learn the Bangkok month a problem was closed in (issue #19, P6e): the dashboard reads
-- beside its resolution rate how many problems were *closed* in its window, whatever month they were raised,
-- and that was the one figure of the page still counted from the issue rows. A cell's `closed_month` is the
-- month (Asia/Bangkok, `YYYY-MM`) of its problem's `closed_at` while the problem is closed, '' otherwise.
--
-- The tables are made again with the new key column (before `n`, so both tables keep one column order and
-- readers can add them up with `SELECT *`), the trigger function writes it, and the cells are counted once
-- from the rows. The triggers themselves stay: their WHEN already tests `closed_at`. The cell expressions
-- are repeated in `projections/src/stats.rs` (`cell_sql`); the property test `counters` checks they agree.
DROP TABLE issue_counts;
DROP TABLE issue_count_changes;
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
  closed_month   TEXT NOT NULL,
  n              bigint NOT NULL,
  PRIMARY KEY (area_id, category, month, status, outcome, days, forum_id, agency_id, duplicate, confirmed,
               escalated, due_month, restricted, raised_by_user, closed_month)
);
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
  closed_month   TEXT NOT NULL,
  n              bigint NOT NULL
);
ALTER TABLE issue_count_changes SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0);

CREATE OR REPLACE FUNCTION issue_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
        CASE WHEN OLD.restricted THEN 1 ELSE 0 END, COALESCE(OLD.raised_by_user, ''),
        CASE WHEN OLD.status = 'closed' AND OLD.closed_at IS NOT NULL
          THEN to_char(OLD.closed_at::timestamptz AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM') ELSE '' END, -1);
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
        CASE WHEN NEW.restricted THEN 1 ELSE 0 END, COALESCE(NEW.raised_by_user, ''),
        CASE WHEN NEW.status = 'closed' AND NEW.closed_at IS NOT NULL
          THEN to_char(NEW.closed_at::timestamptz AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM') ELSE '' END, 1);
    END IF;
  END IF;
  RETURN NULL;
END $$;

INSERT INTO issue_counts
SELECT 
  i.area_id, i.category, substr(i.raised_on, 1, 7), i.status, COALESCE(i.outcome, ''),
  CASE WHEN i.status = 'closed' AND i.outcome = 'resolved' AND i.closed_at IS NOT NULL
    THEN floor(extract(epoch FROM (i.closed_at::timestamptz - i.raised_at::timestamptz)) / 86400)::bigint
    ELSE -1 END,
  COALESCE(i.forum_id, ''), COALESCE(i.agency_id, ''),
  CASE WHEN i.duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
  CASE WHEN i.verdict = 'confirmed' THEN 1 ELSE 0 END,
  CASE WHEN i.status <> 'closed' AND i.escalation_level > 0 THEN 1 ELSE 0 END,
  CASE WHEN i.status <> 'closed' THEN COALESCE(substr(i.due_on, 1, 7), '') ELSE '' END,
  CASE WHEN i.restricted THEN 1 ELSE 0 END, COALESCE(i.raised_by_user, ''),
  CASE WHEN i.status = 'closed' AND i.closed_at IS NOT NULL
    THEN to_char(i.closed_at::timestamptz AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM') ELSE '' END, COUNT(*)
FROM issues i WHERE i.kind = 'community'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15;
