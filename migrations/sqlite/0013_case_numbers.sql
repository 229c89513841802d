-- Case numbers (issue #13): `PTN-2569-00123`, allocated at raise and carried by `IssueRaised` 1.1. The issue
-- row carries it under a unique index and is written in the same statement as the event, so two raises can
-- never commit one number (the second is refused and takes another). Issues raised before have none (NULL).
ALTER TABLE issues ADD COLUMN case_number TEXT;
CREATE UNIQUE INDEX issues_case_number ON issues (case_number);
