-- Coordinators' own obstacles (issue #16 §3): an obstacle is an issue of kind 'obstacle', with categories of
-- its own kind. Every row stored before is a community problem or a category of community problems.
ALTER TABLE issues ADD COLUMN kind TEXT NOT NULL DEFAULT 'community';
ALTER TABLE categories ADD COLUMN kind TEXT NOT NULL DEFAULT 'community';
-- The obstacle list (newest first) and the progress report's obstacles per coordinator; community problems,
-- nearly every row, need no index of their own.
CREATE INDEX issues_obstacles ON issues (raised_at, id) WHERE kind = 'obstacle';
CREATE INDEX issues_obstacles_by_user ON issues (raised_by_user) WHERE kind = 'obstacle';
