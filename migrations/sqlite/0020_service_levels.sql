-- Service levels and escalation (issue #17 §2). A category's days to first assignment and to resolution
-- (NULL: no limit of that kind); on each issue the level it has been escalated to (0: the district
-- coordinator, 1: the provincial office, 2: the SBPAC centre), who is responsible at that level, and the
-- `at` of its first assignment (the assignment deadline is met or missed by it). Filled from the events
-- (ServiceLevelSet, IssueEscalated, IssueAssigned), like every read table.
ALTER TABLE categories ADD COLUMN days_to_assign INTEGER;
ALTER TABLE categories ADD COLUMN days_to_resolve INTEGER;
ALTER TABLE issues ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE issues ADD COLUMN responsible TEXT;
ALTER TABLE issues ADD COLUMN assigned_at TEXT;
