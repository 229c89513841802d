-- Transaction ids that survive a logical restore (issue #14).
--
-- Readers order the log by (tx, position) and read only below the oldest running transaction, so an event
-- is never passed over while an older writer is still open. A logical dump restored into another cluster
-- keeps every event's `tx`, but that cluster's transaction ids start again from a few hundred: new events
-- would sort below the restored ones, behind every checkpoint, and never be projected.
--
-- So `tx` is the writer's transaction id plus a per-database `base`, and readers compare against the oldest
-- running id plus the same `base`. `base` is 0 until the log holds a `tx` at or beyond the next
-- transaction id this cluster will hand out, which no writer of this cluster can have stored: the log was
-- restored from elsewhere. The first writer or reader that sees this raises `base` so that every `tx` from
-- then on lies above every restored one (and every restored checkpoint), with a margin of a million ids
-- for a transaction that already held an id when the raise happened. The raise is taken under the row's
-- lock and checked again after it, so writers that race it all use the raised base. Outside a restore the
-- check never fires (every stored `tx` is below the next id plus `base`), so `base` never moves under a
-- writer that has computed its `tx` and the gap-safe horizon holds.
CREATE TABLE log_tx_base (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  base bigint  NOT NULL DEFAULT 0 CHECK (base >= 0)
);
INSERT INTO log_tx_base DEFAULT VALUES;

-- Above every transaction id whose events this statement can see: the snapshot's xmax bounds every
-- committed one, and this transaction's own id (which can be at or past xmax) bounds its own rows.
CREATE FUNCTION santisuk_xid_bound() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT GREATEST(pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
                  COALESCE(pg_current_xact_id_if_assigned()::text::bigint + 1, 0))
$$;

-- Whether the log holds a tx that this cluster's writers cannot have written with `b`.
CREATE FUNCTION santisuk_tx_behind(b bigint) RETURNS boolean LANGUAGE sql VOLATILE AS $$
  SELECT COALESCE((SELECT tx::text::bigint FROM events ORDER BY events.tx DESC LIMIT 1), 0) >= santisuk_xid_bound() + b
$$;

-- The base, raised first if the log was restored from another cluster. It runs as the owner (who ran the
-- migrations), so a service role that may only SELECT and INSERT can still raise it.
CREATE FUNCTION santisuk_tx_base() RETURNS bigint LANGUAGE plpgsql VOLATILE
  SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  b bigint;
BEGIN
  SELECT base INTO b FROM log_tx_base;
  IF santisuk_tx_behind(b) THEN
    SELECT base INTO b FROM log_tx_base FOR UPDATE;
    IF santisuk_tx_behind(b) THEN
      UPDATE log_tx_base
         SET base = (SELECT tx::text::bigint FROM events ORDER BY events.tx DESC LIMIT 1)
                    - santisuk_xid_bound() + 1000001
      RETURNING base INTO b;
    END IF;
  END IF;
  RETURN b;
END
$$;

-- What an appended event's `tx` is (the column's default, so stock postgres-es inserts get it too). It
-- runs for every row appended, so the usual case is one plpgsql body with two cached index lookups (the
-- base, the newest tx); only a log restored from elsewhere takes the locked path above. (As SQL functions
-- nested three deep, with SECURITY DEFINER on the hot path, it cost P1 a fifth of its rate.)
CREATE FUNCTION santisuk_tx() RETURNS xid8 LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  own bigint := pg_current_xact_id()::text::bigint;
  b bigint;
  newest bigint;
BEGIN
  SELECT base INTO b FROM log_tx_base;
  SELECT tx::text::bigint INTO newest FROM events ORDER BY events.tx DESC LIMIT 1;
  IF newest >= GREATEST(pg_snapshot_xmax(pg_current_snapshot())::text::bigint, own + 1) + b THEN
    b := santisuk_tx_base();
  END IF;
  RETURN (own + b)::text::xid8;
END
$$;

-- Events with a smaller `tx` were written by transactions that have all finished.
CREATE FUNCTION santisuk_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $$
  SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint + base)::text::xid8 FROM log_tx_base
$$;

ALTER TABLE events ALTER COLUMN tx SET DEFAULT santisuk_tx();
