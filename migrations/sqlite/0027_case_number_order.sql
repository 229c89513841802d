-- Case numbers allocated by the store (issue #19): see the PostgreSQL migration of the same number. SQLite
-- compares text by bytes already.
CREATE INDEX issues_case_number_order ON issues (length(case_number), case_number);
