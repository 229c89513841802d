-- The counters' cells learn the Bangkok month a problem was closed in (issue #19, P6e): see the PostgreSQL
-- migration of the same number. SQLite cannot change a primary key, so the tables and their triggers are
-- made again, and the cells counted once from the rows. Asia/Bangkok has had no daylight saving since 1920:
-- its month is the UTC instant's seven hours on.
DROP TRIGGER issue_counts_insert;
DROP TRIGGER issue_counts_delete;
DROP TRIGGER issue_counts_update;
DROP TABLE issue_counts;
DROP TABLE issue_count_changes;
CREATE TABLE issue_counts (
  area_id        TEXT NOT NULL,
  category       TEXT NOT NULL,
  month          TEXT NOT NULL,
  status         TEXT NOT NULL,
  outcome        TEXT NOT NULL,
  days           INTEGER NOT NULL,
  forum_id       TEXT NOT NULL,
  agency_id      TEXT NOT NULL,
  duplicate      INTEGER NOT NULL,
  confirmed      INTEGER NOT NULL,
  escalated      INTEGER NOT NULL,
  due_month      TEXT NOT NULL,
  restricted     INTEGER NOT NULL,
  raised_by_user TEXT NOT NULL,
  closed_month   TEXT NOT NULL,
  n              INTEGER NOT NULL,
  PRIMARY KEY (area_id, category, month, status, outcome, days, forum_id, agency_id, duplicate, confirmed,
               escalated, due_month, restricted, raised_by_user, closed_month)
) WITHOUT ROWID;
CREATE INDEX issue_counts_empty ON issue_counts (area_id) WHERE n = 0;
CREATE TABLE issue_count_changes (
  area_id        TEXT NOT NULL,
  category       TEXT NOT NULL,
  month          TEXT NOT NULL,
  status         TEXT NOT NULL,
  outcome        TEXT NOT NULL,
  days           INTEGER NOT NULL,
  forum_id       TEXT NOT NULL,
  agency_id      TEXT NOT NULL,
  duplicate      INTEGER NOT NULL,
  confirmed      INTEGER NOT NULL,
  escalated      INTEGER NOT NULL,
  due_month      TEXT NOT NULL,
  restricted     INTEGER NOT NULL,
  raised_by_user TEXT NOT NULL,
  closed_month   TEXT NOT NULL,
  n              INTEGER NOT NULL
);

CREATE TRIGGER issue_counts_insert AFTER INSERT ON issues
  WHEN NEW.kind = 'community' AND NOT EXISTS (SELECT 1 FROM issue_counts_paused)
BEGIN
  INSERT INTO issue_count_changes VALUES (
    NEW.area_id, NEW.category, substr(NEW.raised_on, 1, 7), NEW.status, COALESCE(NEW.outcome, ''),
    CASE WHEN NEW.status = 'closed' AND NEW.outcome = 'resolved' AND NEW.closed_at IS NOT NULL
      THEN CAST(round((julianday(NEW.closed_at) - julianday(NEW.raised_at)) * 86400000) AS INTEGER) / 86400000
      ELSE -1 END,
    COALESCE(NEW.forum_id, ''), COALESCE(NEW.agency_id, ''),
    CASE WHEN NEW.duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN NEW.verdict = 'confirmed' THEN 1 ELSE 0 END,
    CASE WHEN NEW.status <> 'closed' AND NEW.escalation_level > 0 THEN 1 ELSE 0 END,
    CASE WHEN NEW.status <> 'closed' THEN COALESCE(substr(NEW.due_on, 1, 7), '') ELSE '' END,
    CASE WHEN NEW.restricted THEN 1 ELSE 0 END, COALESCE(NEW.raised_by_user, ''),
    CASE WHEN NEW.status = 'closed' AND NEW.closed_at IS NOT NULL
      THEN strftime('%Y-%m', NEW.closed_at, '+7 hours') ELSE '' END, 1);
END;
CREATE TRIGGER issue_counts_delete AFTER DELETE ON issues
  WHEN OLD.kind = 'community' AND NOT EXISTS (SELECT 1 FROM issue_counts_paused)
BEGIN
  INSERT INTO issue_count_changes VALUES (
    OLD.area_id, OLD.category, substr(OLD.raised_on, 1, 7), OLD.status, COALESCE(OLD.outcome, ''),
    CASE WHEN OLD.status = 'closed' AND OLD.outcome = 'resolved' AND OLD.closed_at IS NOT NULL
      THEN CAST(round((julianday(OLD.closed_at) - julianday(OLD.raised_at)) * 86400000) AS INTEGER) / 86400000
      ELSE -1 END,
    COALESCE(OLD.forum_id, ''), COALESCE(OLD.agency_id, ''),
    CASE WHEN OLD.duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN OLD.verdict = 'confirmed' THEN 1 ELSE 0 END,
    CASE WHEN OLD.status <> 'closed' AND OLD.escalation_level > 0 THEN 1 ELSE 0 END,
    CASE WHEN OLD.status <> 'closed' THEN COALESCE(substr(OLD.due_on, 1, 7), '') ELSE '' END,
    CASE WHEN OLD.restricted THEN 1 ELSE 0 END, COALESCE(OLD.raised_by_user, ''),
    CASE WHEN OLD.status = 'closed' AND OLD.closed_at IS NOT NULL
      THEN strftime('%Y-%m', OLD.closed_at, '+7 hours') ELSE '' END, -1);
END;
CREATE TRIGGER issue_counts_update AFTER UPDATE ON issues
  WHEN (OLD.kind IS NOT NEW.kind OR OLD.area_id IS NOT NEW.area_id OR OLD.category IS NOT NEW.category OR
     OLD.raised_on IS NOT NEW.raised_on OR OLD.raised_at IS NOT NEW.raised_at OR OLD.status IS NOT
     NEW.status OR OLD.outcome IS NOT NEW.outcome OR OLD.closed_at IS NOT NEW.closed_at OR OLD.forum_id
     IS NOT NEW.forum_id OR OLD.agency_id IS NOT NEW.agency_id OR OLD.duplicate_of IS NOT
     NEW.duplicate_of OR OLD.verdict IS NOT NEW.verdict OR OLD.due_on IS NOT NEW.due_on OR OLD.restricted
     IS NOT NEW.restricted OR OLD.raised_by_user IS NOT NEW.raised_by_user OR (OLD.escalation_level > 0)
     IS NOT (NEW.escalation_level > 0))
     AND NOT EXISTS (SELECT 1 FROM issue_counts_paused)
BEGIN
  INSERT INTO issue_count_changes SELECT 
    OLD.area_id, OLD.category, substr(OLD.raised_on, 1, 7), OLD.status, COALESCE(OLD.outcome, ''),
    CASE WHEN OLD.status = 'closed' AND OLD.outcome = 'resolved' AND OLD.closed_at IS NOT NULL
      THEN CAST(round((julianday(OLD.closed_at) - julianday(OLD.raised_at)) * 86400000) AS INTEGER) / 86400000
      ELSE -1 END,
    COALESCE(OLD.forum_id, ''), COALESCE(OLD.agency_id, ''),
    CASE WHEN OLD.duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN OLD.verdict = 'confirmed' THEN 1 ELSE 0 END,
    CASE WHEN OLD.status <> 'closed' AND OLD.escalation_level > 0 THEN 1 ELSE 0 END,
    CASE WHEN OLD.status <> 'closed' THEN COALESCE(substr(OLD.due_on, 1, 7), '') ELSE '' END,
    CASE WHEN OLD.restricted THEN 1 ELSE 0 END, COALESCE(OLD.raised_by_user, ''),
    CASE WHEN OLD.status = 'closed' AND OLD.closed_at IS NOT NULL
      THEN strftime('%Y-%m', OLD.closed_at, '+7 hours') ELSE '' END, -1
  WHERE OLD.kind = 'community';
  INSERT INTO issue_count_changes SELECT 
    NEW.area_id, NEW.category, substr(NEW.raised_on, 1, 7), NEW.status, COALESCE(NEW.outcome, ''),
    CASE WHEN NEW.status = 'closed' AND NEW.outcome = 'resolved' AND NEW.closed_at IS NOT NULL
      THEN CAST(round((julianday(NEW.closed_at) - julianday(NEW.raised_at)) * 86400000) AS INTEGER) / 86400000
      ELSE -1 END,
    COALESCE(NEW.forum_id, ''), COALESCE(NEW.agency_id, ''),
    CASE WHEN NEW.duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN NEW.verdict = 'confirmed' THEN 1 ELSE 0 END,
    CASE WHEN NEW.status <> 'closed' AND NEW.escalation_level > 0 THEN 1 ELSE 0 END,
    CASE WHEN NEW.status <> 'closed' THEN COALESCE(substr(NEW.due_on, 1, 7), '') ELSE '' END,
    CASE WHEN NEW.restricted THEN 1 ELSE 0 END, COALESCE(NEW.raised_by_user, ''),
    CASE WHEN NEW.status = 'closed' AND NEW.closed_at IS NOT NULL
      THEN strftime('%Y-%m', NEW.closed_at, '+7 hours') ELSE '' END, 1
  WHERE NEW.kind = 'community';
END;

INSERT INTO issue_counts
SELECT 
    i.area_id, i.category, substr(i.raised_on, 1, 7), i.status, COALESCE(i.outcome, ''),
    CASE WHEN i.status = 'closed' AND i.outcome = 'resolved' AND i.closed_at IS NOT NULL
      THEN CAST(round((julianday(i.closed_at) - julianday(i.raised_at)) * 86400000) AS INTEGER) / 86400000
      ELSE -1 END,
    COALESCE(i.forum_id, ''), COALESCE(i.agency_id, ''),
    CASE WHEN i.duplicate_of IS NOT NULL THEN 1 ELSE 0 END,
    CASE WHEN i.verdict = 'confirmed' THEN 1 ELSE 0 END,
    CASE WHEN i.status <> 'closed' AND i.escalation_level > 0 THEN 1 ELSE 0 END,
    CASE WHEN i.status <> 'closed' THEN COALESCE(substr(i.due_on, 1, 7), '') ELSE '' END,
    CASE WHEN i.restricted THEN 1 ELSE 0 END, COALESCE(i.raised_by_user, ''),
    CASE WHEN i.status = 'closed' AND i.closed_at IS NOT NULL
      THEN strftime('%Y-%m', i.closed_at, '+7 hours') ELSE '' END, COUNT(*)
FROM issues i WHERE i.kind = 'community'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15;
