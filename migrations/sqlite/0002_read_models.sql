-- Read models: derived from the events by the projection runner only, and rebuilt from position 0 by
-- `santisuk projections rebuild`. Times are RFC 3339 UTC text and dates YYYY-MM-DD text in both backends,
-- so both sort the same way and a rebuild can be compared byte for byte.

-- How far each projection has got, in the gap-safe global order (tx, position). SQLite has one writer,
-- so its tx is always 0.
CREATE TABLE projection_checkpoints
(
  name     TEXT PRIMARY KEY,
  tx       INTEGER NOT NULL,
  position INTEGER NOT NULL
);

CREATE TABLE areas
(
  id            TEXT PRIMARY KEY,
  name_th       TEXT NOT NULL,
  name_en       TEXT,
  amphoe_code   TEXT NOT NULL,
  province_code TEXT NOT NULL,
  tambon_code   TEXT,
  registered_at TEXT NOT NULL
);

CREATE TABLE categories
(
  code    TEXT PRIMARY KEY,
  name_th TEXT NOT NULL,
  name_en TEXT NOT NULL
);

CREATE TABLE forums
(
  id           TEXT PRIMARY KEY,
  area_id      TEXT NOT NULL,
  held_on      TEXT NOT NULL,
  title        TEXT,
  facilitator  TEXT,
  participants INTEGER,
  recorded_at  TEXT NOT NULL
);
CREATE INDEX forums_area ON forums (area_id, held_on);

CREATE TABLE issues
(
  id            TEXT PRIMARY KEY,
  area_id       TEXT NOT NULL,
  category      TEXT NOT NULL,
  title         TEXT NOT NULL,
  description   TEXT,
  forum_id      TEXT,
  raised_by     TEXT,
  status        TEXT NOT NULL,
  assignee      TEXT,
  due_on        TEXT,
  outcome       TEXT,
  -- `at` of IssueRaised, and its Asia/Bangkok date (the statistics window is on this date).
  raised_at     TEXT NOT NULL,
  raised_on     TEXT NOT NULL,
  -- `at` of the last IssueClosed while closed; NULL when open.
  closed_at     TEXT,
  version       INTEGER NOT NULL,
  last_position INTEGER NOT NULL
);
CREATE INDEX issues_list ON issues (raised_at DESC, id DESC);
CREATE INDEX issues_area ON issues (area_id, raised_on);
CREATE INDEX issues_category ON issues (category, raised_on);
CREATE INDEX issues_status ON issues (status);
