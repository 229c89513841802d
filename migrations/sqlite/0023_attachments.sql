-- Photos and documents (issue #17 §4). `attachments` is a read table projected from `AttachmentAdded` (one row
-- per event, keyed by the issue and the event's sequence), rebuildable from the log like the others. `name` is
-- the file's name as opened from the sealed event ('[erased]' once the issue's text is erased); `erased` marks
-- the rows whose issue had its personal data erased since: their files are no longer served.
-- `blobs` holds the files themselves when the database blob store is configured (SANTISUK_BLOBS=database);
-- it is no read table: the files are not in the log (only their SHA-256 is) and a rebuild leaves it alone.
CREATE TABLE attachments
(
  issue_id   TEXT    NOT NULL,
  sequence   INTEGER NOT NULL,
  sha256     TEXT    NOT NULL,
  media_type TEXT    NOT NULL,
  size       INTEGER NOT NULL,
  name       TEXT,
  action     INTEGER,
  at         TEXT    NOT NULL,
  thumbnail  TEXT,
  erased     BOOLEAN NOT NULL DEFAULT 0,
  PRIMARY KEY (issue_id, sequence)
);
CREATE INDEX attachments_sha256 ON attachments (sha256);
CREATE INDEX attachments_thumbnail ON attachments (thumbnail);
CREATE TABLE blobs
(
  sha256     TEXT PRIMARY KEY,
  bytes      BLOB   NOT NULL,
  created_at TEXT   NOT NULL
);
