-- Issue #12 §3: where a request came from. The access log records the client address of every read it
-- records; failed sign-ins are counted per client address as well as per name (and in all), so one
-- person can neither lock a name out by guessing nor spray one password across every name.
ALTER TABLE access_log ADD COLUMN client TEXT;
ALTER TABLE web_login_failures ADD COLUMN client TEXT;
CREATE INDEX web_login_failures_client ON web_login_failures (client, at);
CREATE INDEX web_login_failures_at ON web_login_failures (at);
