-- Users, their areas and their tokens become read tables derived from User events (UserCreated,
-- UserAreasChanged, TokenIssued, UserDeactivated), so that every change to who may do what is itself
-- in the audited log. Rows written before this migration had no events; they are dropped (no deployment
-- had them; `santisuk serve` creates a first administrator again on an empty user table).
DELETE FROM api_tokens;
DELETE FROM users;

CREATE TABLE user_areas
(
  user_id TEXT NOT NULL REFERENCES users (id),
  area_id TEXT NOT NULL,
  PRIMARY KEY (user_id, area_id)
);
