-- The tamper-evident ledger: one row per event, in the projection runner's global order, written by the
-- `ledger` projection only. event_hash is SHA-256 over the event's stored bytes (length-prefixed fields),
-- chain_hash = SHA-256(previous chain_hash || event_hash), from 32 zero bytes; both as lower-case hex.
-- `santisuk audit verify` recomputes the chain from the events table and compares it with these rows.
CREATE TABLE ledger
(
  -- 1, 2, 3, … in the order the runner applied the events (on SQLite: position order).
  seq         INTEGER PRIMARY KEY,
  position    INTEGER NOT NULL,
  -- Always 0 on SQLite (one writer); kept so both backends have the same columns.
  tx          INTEGER NOT NULL,
  event_hash  TEXT    NOT NULL,
  chain_hash  TEXT    NOT NULL,
  -- The event's recorded_at, as hashed (not when the ledger row was written: a rebuild must reproduce
  -- every row exactly).
  recorded_at TEXT    NOT NULL
);

CREATE UNIQUE INDEX ledger_position ON ledger (position);

-- A rebuild empties the table and writes it again; nothing ever updates a row.
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
  SELECT RAISE(ABORT, 'ledger rows are never updated');
END;
