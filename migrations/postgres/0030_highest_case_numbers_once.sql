-- The same function as migration 0028, with its probe written once: one probe per length a series' numbers
-- can have (five to nine digits), each still one backward step in `issues_case_number_order` (a nested
-- loop over the five lengths). 0028 stays as it ran, because a changed migration fails sqlx's checksum
-- on every database that has already applied it.
CREATE OR REPLACE FUNCTION santisuk_highest_case_numbers(series TEXT) RETURNS SETOF TEXT LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
    SELECT h.case_number FROM generate_series(5, 9) AS d(digits) CROSS JOIN LATERAL (
      SELECT i.case_number FROM issues i WHERE length(i.case_number) = length(series) + d.digits
        AND (i.case_number COLLATE "C") >= series AND (i.case_number COLLATE "C") < series || ':'
        ORDER BY (i.case_number COLLATE "C") DESC LIMIT 1) AS h;
END
$$;
