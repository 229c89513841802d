-- Notifications (issue #17 §5). Channels are configuration (where to send: an e-mail address or a webhook
-- URL with its signing secret, optionally following one coordinator's areas or one agency's problems), kept as state like sign-in
-- sessions, not events. The outbox holds one row per delivery, keyed by its idempotency key: written by the
-- notifications projection in the same transaction as its checkpoint (event-driven ones), or once per key by
-- the daily task (due tomorrow, the digest); the deliverer sends them and records each attempt.
CREATE TABLE notification_channels
(
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL, -- email | webhook
  target     TEXT NOT NULL, -- the address or the URL
  secret     TEXT,          -- webhook: the HMAC-SHA256 key
  user_id    TEXT,          -- follows this user's areas; NULL: every area
  agency_id  TEXT,          -- an agency's channel: follows the problems referred to it only
  created_at TEXT NOT NULL
);
CREATE TABLE notification_outbox
(
  key             TEXT PRIMARY KEY, -- the idempotency key, sent with the delivery
  channel_id      TEXT NOT NULL,
  kind            TEXT NOT NULL,    -- assigned | escalated | due_tomorrow | digest
  reference       TEXT NOT NULL,    -- case numbers only: never personal data or complaint text
  link            TEXT NOT NULL,
  state           TEXT NOT NULL,    -- pending | sent | failed
  attempts        bigint NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  created_at      TEXT NOT NULL,
  sent_at         TEXT
);
CREATE INDEX notification_outbox_due ON notification_outbox (state, next_attempt_at);
