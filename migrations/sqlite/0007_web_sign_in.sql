-- Sign-in for the web app. Not events and not projections: a password hash is a secret, not history, so it
-- stays out of the append-only log (the `PasswordSet` user event records who set a password and when); a
-- session is a login's state. `projections rebuild` leaves these tables alone.

-- One row per user who may sign in with a password; the language is the user's remembered UI choice.
CREATE TABLE web_accounts
(
  user_id       TEXT PRIMARY KEY,
  password_hash TEXT,
  lang          TEXT,
  updated_at    TEXT NOT NULL
);

-- A signed-in browser. The cookie holds a random secret; only its SHA-256 is stored. The CSRF token is
-- sent back in every form and compared with this row.
CREATE TABLE web_sessions
(
  id_sha256  TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  csrf       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Failed sign-ins, for throttling: after too many for one user name in a window, sign-in is refused for a
-- while, whichever instance is asked. Old rows are deleted as new ones are written.
CREATE TABLE web_login_failures
(
  id        INTEGER PRIMARY KEY,
  user_name TEXT NOT NULL,
  at        TEXT NOT NULL
);
CREATE INDEX web_login_failures_name ON web_login_failures (user_name, at);
