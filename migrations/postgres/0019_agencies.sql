-- Agencies and referral (issue #17 §1). The registry of agencies a problem is referred to, with the districts
-- each covers (none for a regional or national agency covering all); the routing rules in force (category ×
-- district → agency; a removed rule has no row); on each issue the agency of its last assignment, who it waits
-- for now (sbpac | agency | community; NULL while closed) and its ball-in-court spans (JSON: one span per
-- stretch of time with one party, see projections/src/custody.rs). Every row comes from the events, so a
-- rebuild fills them; problems recorded before this migration get their spans at their next command or at the
-- next `santisuk projections rebuild`.
CREATE TABLE agencies
(
  id            TEXT PRIMARY KEY,
  name_th       TEXT NOT NULL,
  name_en       TEXT,
  level         TEXT NOT NULL, -- tambon | amphoe | province | region | national
  contact       TEXT,
  registered_at TEXT NOT NULL
);
CREATE TABLE agency_districts
(
  agency_id   TEXT NOT NULL,
  amphoe_code TEXT NOT NULL,
  PRIMARY KEY (agency_id, amphoe_code)
);
CREATE INDEX agency_districts_amphoe ON agency_districts (amphoe_code);
CREATE TABLE routing_rules
(
  id        TEXT PRIMARY KEY,
  category  TEXT NOT NULL,
  district  TEXT NOT NULL,
  agency_id TEXT NOT NULL,
  set_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX routing_rules_pair ON routing_rules (category, district);
ALTER TABLE issues ADD COLUMN agency_id TEXT;
ALTER TABLE issues ADD COLUMN waiting_for TEXT;
ALTER TABLE issues ADD COLUMN custody TEXT NOT NULL DEFAULT '[]';
CREATE INDEX issues_agency ON issues (agency_id) WHERE agency_id IS NOT NULL;
