-- Organisations and participation (issue #16 §1). The registry of civil-society organisations with the areas
-- they work in, the organisations that took part in each forum, and on each forum who took part by partner
-- group: every participation column is NULL (and `participation_recorded` false) for a forum whose participation
-- was never recorded, which the API and the web app show as "not recorded".
CREATE TABLE organisations
(
  id            TEXT PRIMARY KEY,
  name_th       TEXT NOT NULL,
  name_en       TEXT,
  kind          TEXT NOT NULL,
  status        TEXT NOT NULL, -- proposed | active
  registered_at TEXT NOT NULL
);
CREATE TABLE organisation_areas
(
  organisation_id TEXT NOT NULL,
  area_id         TEXT NOT NULL,
  PRIMARY KEY (organisation_id, area_id)
);
CREATE INDEX organisation_areas_area ON organisation_areas (area_id);
CREATE TABLE forum_organisations
(
  forum_id        TEXT NOT NULL,
  organisation_id TEXT NOT NULL,
  PRIMARY KEY (forum_id, organisation_id)
);
CREATE INDEX forum_organisations_organisation ON forum_organisations (organisation_id);
ALTER TABLE forums ADD COLUMN participation_recorded boolean NOT NULL DEFAULT false;
ALTER TABLE forums ADD COLUMN sbpac_staff bigint;
ALTER TABLE forums ADD COLUMN coordinators bigint;
-- The leaders of every role together, and by role as a JSON object (role → count).
ALTER TABLE forums ADD COLUMN leaders bigint;
ALTER TABLE forums ADD COLUMN leaders_by_role TEXT;
ALTER TABLE forums ADD COLUMN villagers bigint;
ALTER TABLE forums ADD COLUMN villagers_women bigint;
ALTER TABLE forums ADD COLUMN villagers_men bigint;
