-- A user's access (role, areas, current token, active) becomes one row written in the same statement as
-- the user's events, as an issue's row is: granting and revoking take effect when the command commits,
-- whatever the projection runner's lag. The areas move into the row (comma-separated area ids, sorted)
-- and the current token's hash too (a new token replaces the old one, so there is at most one).
ALTER TABLE users ADD COLUMN areas TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN token_sha256 TEXT;
-- The sequence of the user's last event in the row. 0 for rows written before this migration: the runner
-- continues from its checkpoint and a command folds the row from the whole history, so either brings it
-- up to date without skipping an event.
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_position BIGINT NOT NULL DEFAULT 0;

UPDATE users SET areas = COALESCE(
  (SELECT string_agg(a.area_id, ',' ORDER BY a.area_id) FROM user_areas a WHERE a.user_id = users.id), '');
UPDATE users SET token_sha256 = (SELECT t.token_sha256 FROM api_tokens t WHERE t.user_id = users.id LIMIT 1);

CREATE UNIQUE INDEX users_token ON users (token_sha256);

DROP TABLE api_tokens;
DROP TABLE user_areas;
