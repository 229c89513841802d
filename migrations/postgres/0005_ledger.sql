-- The tamper-evident ledger: one row per event, in the projection runner's global order (tx, position),
-- written by the `ledger` projection only. event_hash is SHA-256 over the event's stored bytes
-- (length-prefixed fields), chain_hash = SHA-256(previous chain_hash || event_hash), from 32 zero bytes;
-- both as lower-case hex. `santisuk audit verify` recomputes the chain from the events table and compares
-- it with these rows.
CREATE TABLE ledger
(
  -- 1, 2, 3, … in the order the runner applied the events ((tx, position) order).
  seq         bigint PRIMARY KEY,
  position    bigint NOT NULL,
  tx          bigint NOT NULL,
  event_hash  text   NOT NULL,
  chain_hash  text   NOT NULL,
  -- The event's recorded_at text, as hashed (not when the ledger row was written: a rebuild must
  -- reproduce every row exactly).
  recorded_at text   NOT NULL
);

CREATE UNIQUE INDEX ledger_position ON ledger (position);

-- A rebuild empties the table and writes it again; nothing ever updates a row.
CREATE FUNCTION ledger_never_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are never updated';
END;
$$;

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
  FOR EACH ROW EXECUTE FUNCTION ledger_never_updated();
