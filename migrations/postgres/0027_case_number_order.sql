-- Case numbers allocated by the store (issue #19): the raise's transaction reads the highest number of its
-- series under the series' lock. A running number grows a digit past 99,999, so text order alone puts
-- `PTN-2569-99999` above `PTN-2569-100000`: numbers are compared by (length, text), and this index makes each
-- length's highest one index lookup instead of a scan of the series. Byte order ("C"), whatever the
-- database's collation: within one length and one series it is the order of the running numbers.
CREATE INDEX issues_case_number_order ON issues (length(case_number), (case_number COLLATE "C"));
