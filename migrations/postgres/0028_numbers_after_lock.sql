-- A raise's case number (issue #19, P11): the lock of its series and the read of the series' highest numbers
-- in one round trip. The read must see every raise committed before the lock was granted, so it cannot share
-- a statement with the lock (a statement's snapshot is taken before it waits). A VOLATILE function's queries
-- each take a new snapshot under READ COMMITTED, so the query run here after the lock sees them. `query` is
-- the store's own text (the inline table's `highest_number_sql`), bound with the series and the series
-- followed by ':'. The lock is the transaction's: released at its commit or rollback.
CREATE FUNCTION santisuk_numbers_after_lock(lock_key bigint, query text, series text) RETURNS SETOF text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(lock_key);
  RETURN QUERY EXECUTE query USING series, series || ':';
END
$$;
