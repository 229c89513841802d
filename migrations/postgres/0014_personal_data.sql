-- Issue #15: personal data kept apart and erasable. None of these tables is a projection: `projections
-- rebuild` leaves them alone, and a backup must hold them (without `data_keys` no sealed text opens).

-- Data keys, each wrapped (AES-256-GCM) by the master key whose id is `master_id`. Destroying a key deletes
-- its wrapped form for good; the row keeps when. Texts sealed under it then read as erased.
CREATE TABLE data_keys
(
  key_id       TEXT PRIMARY KEY,
  wrapped      BYTEA,
  master_id    TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  destroyed_at TIMESTAMPTZ
);

-- The id (a fingerprint) of the master key this database was set up with: a server given another key
-- refuses to start instead of sealing new data under a key the old data does not share.
CREATE TABLE key_check
(
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  master_id  TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

-- Complainants. The details are one sealed JSON document under the person's own key; events carry only
-- `subject_id`. Erasure destroys the key, clears `sealed` and records who, when and why.
CREATE TABLE persons
(
  subject_id  TEXT PRIMARY KEY,
  key_id      TEXT NOT NULL,
  sealed      TEXT,
  created_at  TIMESTAMPTZ NOT NULL,
  created_by  TEXT NOT NULL,
  erased_at   TIMESTAMPTZ,
  erased_by   TEXT,
  legal_basis TEXT
);
