-- The event store: the only source of truth. Append-only.
-- postgres-es names its columns on insert, so the extra columns below are filled by their defaults.
CREATE TABLE events
(
  aggregate_type text   NOT NULL,
  aggregate_id   text   NOT NULL,
  sequence       bigint NOT NULL CHECK (sequence >= 1),
  event_type     text   NOT NULL,
  event_version  text   NOT NULL,
  payload        jsonb  NOT NULL,
  metadata       jsonb  NOT NULL,
  -- Global position. Concurrent transactions may commit out of position order and rolled-back appends
  -- leave holes, so readers never rely on it alone: see `tx`.
  position       bigint GENERATED ALWAYS AS IDENTITY,
  -- The appending transaction. Projections read only events whose transaction is older than the oldest
  -- one still running (pg_snapshot_xmin), in (tx, position) order: gap-safe.
  tx             xid8        NOT NULL DEFAULT pg_current_xact_id(),
  -- When the event was stored: the "recorded" axis of bitemporal time.
  recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);

CREATE UNIQUE INDEX events_position ON events (position);
CREATE INDEX events_tx_position ON events (tx, position);

-- Nothing in Santisuk updates or deletes an event; refuse it at the database too.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only';
END;
$$;

CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
