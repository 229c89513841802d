-- The event store: the only source of truth. Append-only.
-- (aggregate_type, aggregate_id, sequence) stays the PRIMARY KEY: sqlite-es maps only a primary-key
-- violation (extended code 1555) to an optimistic-concurrency conflict.
CREATE TABLE events
(
  aggregate_type TEXT    NOT NULL,
  aggregate_id   TEXT    NOT NULL,
  sequence       INTEGER NOT NULL CHECK (sequence >= 1),
  event_type     TEXT    NOT NULL,
  event_version  TEXT    NOT NULL,
  payload        TEXT    NOT NULL,
  metadata       TEXT    NOT NULL,
  -- Global order. One writer at a time, so insert order is commit order; assigned by the trigger below
  -- as the previous maximum + 1 (never the bare rowid, which VACUUM may renumber).
  position       INTEGER,
  -- When the event was stored (UTC, RFC 3339 with milliseconds): the "recorded" axis of bitemporal time.
  recorded_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE UNIQUE INDEX events_position ON events (position);

CREATE TRIGGER events_assign_position AFTER INSERT ON events
BEGIN
  UPDATE events SET position = (SELECT COALESCE(MAX(position), 0) + 1 FROM events) WHERE rowid = NEW.rowid;
END;

-- Nothing in Santisuk updates or deletes an event; refuse it at the database too. The only UPDATE allowed
-- is the trigger above filling in a position that is still NULL.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN OLD.position IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only');
END;
