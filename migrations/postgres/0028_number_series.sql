-- The last number each series handed out (issue #19), so that a raise takes its case number in the one
-- statement that writes its events and row. The statement upserts its series' row here: the row lock
-- serialises raises of one series for that statement and its commit only (before, a transaction took an
-- advisory lock and read the highest number in round trips of their own, all under the lock), and a
-- raise waiting for the lock continues from the number its holder committed (an upsert's update always
-- applies to the row's latest version). A failed raise rolls its number back with it: no gaps.
--
-- The issue rows stay the truth: each upsert also reads the highest number stored in the series and
-- continues from whichever is higher, so numbers written without this table (the demo's, a database from
-- before it, a restore) can never be handed out twice. `step` is how many numbers the latest upsert took:
-- it carries the step from the upsert's proposed row (`excluded`) to its update.
CREATE TABLE number_series
(
  series TEXT   PRIMARY KEY,
  last   BIGINT NOT NULL CHECK (last >= 0),
  step   BIGINT NOT NULL CHECK (step >= 1)
);

-- The highest case numbers stored in a series, for that upsert: the highest of each length a series'
-- numbers can have (five to nine digits), each one lookup in `issues_case_number_order` (migration 0027);
-- the store compares them by value. A function, so that its plan is kept per connection: written into the
-- group statement, the five probes made PostgreSQL plan each new shape of statement for ~4 ms, ten times
-- the same statement without them.
CREATE FUNCTION santisuk_highest_case_numbers(series TEXT) RETURNS SETOF TEXT LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
    SELECT h.case_number FROM (
      SELECT * FROM (SELECT i.case_number FROM issues i WHERE length(i.case_number) = length(series) + 5
        AND (i.case_number COLLATE "C") >= series AND (i.case_number COLLATE "C") < series || ':'
        ORDER BY (i.case_number COLLATE "C") DESC LIMIT 1) AS h5
      UNION ALL
      SELECT * FROM (SELECT i.case_number FROM issues i WHERE length(i.case_number) = length(series) + 6
        AND (i.case_number COLLATE "C") >= series AND (i.case_number COLLATE "C") < series || ':'
        ORDER BY (i.case_number COLLATE "C") DESC LIMIT 1) AS h6
      UNION ALL
      SELECT * FROM (SELECT i.case_number FROM issues i WHERE length(i.case_number) = length(series) + 7
        AND (i.case_number COLLATE "C") >= series AND (i.case_number COLLATE "C") < series || ':'
        ORDER BY (i.case_number COLLATE "C") DESC LIMIT 1) AS h7
      UNION ALL
      SELECT * FROM (SELECT i.case_number FROM issues i WHERE length(i.case_number) = length(series) + 8
        AND (i.case_number COLLATE "C") >= series AND (i.case_number COLLATE "C") < series || ':'
        ORDER BY (i.case_number COLLATE "C") DESC LIMIT 1) AS h8
      UNION ALL
      SELECT * FROM (SELECT i.case_number FROM issues i WHERE length(i.case_number) = length(series) + 9
        AND (i.case_number COLLATE "C") >= series AND (i.case_number COLLATE "C") < series || ':'
        ORDER BY (i.case_number COLLATE "C") DESC LIMIT 1) AS h9
    ) AS h;
END
$$;
