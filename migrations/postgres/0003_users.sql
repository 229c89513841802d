-- People and API clients. Not derived from events (yet): see ARCHITECTURE.md.
CREATE TABLE users
(
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  role       TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'coordinator', 'auditor')),
  active     boolean NOT NULL,
  created_at TEXT NOT NULL
);

-- Bearer tokens, stored as the SHA-256 of the token: a token is 256 random bits, so a fast hash is
-- enough (argon2 is for low-entropy passwords); a database leak does not leak usable tokens.
CREATE TABLE api_tokens
(
  token_sha256 TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id),
  created_at   TEXT NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
