-- Duplicates and the community's verdict (issue #17 §3, §6). Every row stored before is no duplicate and has
-- no verdict; the rows come from the `Issue` events (`IssueMarkedDuplicate`, `CommunityVerdictRecorded`), so
-- a rebuild fills them. How many times a problem was raised is not stored: it is 1 + the rows whose
-- `duplicate_of` is its id, counted when read (a mark writes only the duplicate's own row).
ALTER TABLE issues ADD COLUMN duplicate_of TEXT;
-- The verdict on the current closure (cleared by the next close or reopen; a dispute keeps it while the
-- problem is open again), the forum it was given at and when.
ALTER TABLE issues ADD COLUMN verdict TEXT;
ALTER TABLE issues ADD COLUMN verdict_forum_id TEXT;
ALTER TABLE issues ADD COLUMN verdict_at TEXT;
-- The original's duplicates (its page, and "times raised"): few rows, so a partial index.
CREATE INDEX issues_duplicate_of ON issues (duplicate_of) WHERE duplicate_of IS NOT NULL;
