//! Reading the event store with our own SQL: the global log in gap-safe order, one aggregate's history,
//! and the log as it was recorded up to an instant. (cqrs-es' `stream_all_events` orders by the
//! per-aggregate sequence and its replay stream swallows errors, so projections never use it.)

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::db::{Db, DbTx, Pool};
use crate::error::StoreError;
use crate::on_db;

pub use crate::checkpoint::Checkpoint;

/// One stored event, as the database holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub position: i64,
    pub tx: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
    /// The same event exactly as stored (what the ledger hashes).
    pub raw: RawEvent,
}

impl StoredEvent {
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint { tx: self.tx, position: self.position }
    }

    /// A metadata field (`actor`, `actor_id`, `request_id`) as text.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).and_then(Value::as_str)
    }
}

/// One event as the database holds it: every column as text, so that the ledger hashes the stored bytes
/// and an auditor sees a payload even when it is no longer valid JSON.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RawEvent {
    pub position: i64,
    /// The appending transaction on PostgreSQL; always 0 on SQLite.
    pub tx: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// SQLite: the stored TEXT. PostgreSQL: `payload::text` (jsonb's canonical text).
    pub payload: String,
    pub metadata: String,
    /// SQLite: the stored text (milliseconds). PostgreSQL: UTC with six fractional digits, which is
    /// exactly the precision of `timestamptz`.
    pub recorded_at: String,
}

impl RawEvent {
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint { tx: self.tx, position: self.position }
    }

    // A payload that is not JSON is corruption, reported with its position; sqlite-es would panic on it.
    fn parse(self) -> Result<StoredEvent, StoreError> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::corrupt(format!("event at position {}: {what}: {e}", self.position))
        };
        let payload = serde_json::from_str(&self.payload).map_err(|e| bad("payload is not JSON", &e))?;
        let metadata = serde_json::from_str(&self.metadata).map_err(|e| bad("metadata is not JSON", &e))?;
        let recorded_at = parse_ts(&self.recorded_at).map_err(|e| bad("recorded_at", &e))?;
        Ok(StoredEvent {
            position: self.position,
            tx: self.tx,
            aggregate_type: self.aggregate_type.clone(),
            aggregate_id: self.aggregate_id.clone(),
            sequence: self.sequence,
            event_type: self.event_type.clone(),
            event_version: self.event_version.clone(),
            payload,
            metadata,
            recorded_at,
            raw: self,
        })
    }
}

/// Opens the sealed texts of `events` with the vault of `db` (nothing to do without one, or when none is
/// sealed): each reader of the log that shows or folds event fields calls it after reading. `raw` keeps
/// the stored form, which is what the ledger hashes.
pub async fn open(db: &Db, events: &mut [StoredEvent]) -> Result<(), StoreError> {
    let Some(vault) = db.vault() else { return Ok(()) };
    let sealed = events.iter_mut().filter(|e| crate::vault::holds_sealed(&e.raw.payload));
    vault.open_all(db, sealed.map(|e| (e.aggregate_id.as_str(), &mut e.payload))).await
}

/// Every column as text, the same way on both backends (what the ledger hashes). `CAST` on SQLite: a value
/// stored with another type by someone editing the file by hand is still read (and hashed) rather than
/// failing to decode.
///
/// The PostgreSQL list aliases the cast `tx::text::bigint AS tx`: an `ORDER BY tx` would then sort by the
/// cast (no index, a full sort of everything past the checkpoint on every batch; measured 1 s per page at
/// 1M events instead of 3 ms), so queries order by `events.tx` explicitly.
pub(crate) const SQLITE_COLUMNS: &str = "position, 0 AS tx, \
     CAST(aggregate_type AS TEXT) AS aggregate_type, CAST(aggregate_id AS TEXT) AS aggregate_id, \
     CAST(sequence AS INTEGER) AS sequence, CAST(event_type AS TEXT) AS event_type, \
     CAST(event_version AS TEXT) AS event_version, CAST(payload AS TEXT) AS payload, \
     CAST(metadata AS TEXT) AS metadata, CAST(recorded_at AS TEXT) AS recorded_at";
pub(crate) const PG_COLUMNS: &str = "position, tx::text::bigint AS tx, aggregate_type, aggregate_id, sequence, \
     event_type, event_version, payload::text AS payload, metadata::text AS metadata, \
     to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS recorded_at";

/// Formats an instant the way every read table stores it: RFC 3339, UTC, always six fractional digits,
/// so that text order is time order.
pub fn fmt_ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn parse_ts(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
}

/// The next events after `after`, in global order, that can never be preceded by an event not yet
/// visible.
///
/// PostgreSQL: positions come from a sequence, so a transaction that started earlier may commit a lower
/// position after a later one committed a higher position (and rolled-back appends leave holes). Reading
/// "position > checkpoint" would skip the late one for ever. Instead read only events whose transaction
/// is older than the oldest transaction still running (`santisuk_horizon()`: `pg_snapshot_xmin` plus the
/// database's restore base, see migration 0012 and [`heal_restored_tx`]): all of those are finished, so no
/// event can ever appear below the point we reach, and `(tx, position)` is a total order.
pub async fn read_batch(tx: &mut DbTx, after: Checkpoint, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
    let rows: Vec<RawEvent> = match tx {
        DbTx::Sqlite(t) => {
            let sql = format!("SELECT {SQLITE_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2");
            sqlx::query_as(&sql).bind(after.position).bind(limit).fetch_all(&mut **t).await?
        }
        DbTx::Postgres(t) => {
            let sql = format!(
                "SELECT {PG_COLUMNS} FROM events \
                 WHERE tx < santisuk_horizon() \
                   AND (tx, position) > ($1::text::xid8, $2) \
                 ORDER BY events.tx, events.position LIMIT $3"
            );
            sqlx::query_as(&sql).bind(after.tx.to_string()).bind(after.position).bind(limit).fetch_all(&mut **t).await?
        }
    };
    rows.into_iter().map(RawEvent::parse).collect()
}

/// Events a projection need not read in full: those of `aggregate_type` whose row in `table` (keyed by
/// `id`, holding the aggregate's `version`) already holds them, because a command wrote the row in the same
/// statement as its events. Such events are read as their place in the order only (no payload to send,
/// parse, open or decode, no row to load): the projection's fold would skip them anyway. A row that is
/// missing or behind (events appended by a writer without the row: an older release, an SQL import) still
/// gets its events in full, so the projection heals it. Event types in `always` are read in full whatever
/// the row says: the projection writes other tables from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covered {
    pub aggregate_type: &'static str,
    pub table: &'static str,
    pub always: &'static [&'static str],
}

impl Covered {
    /// The SQL condition (over the columns of `events`) of an event the row covers. The names are the
    /// projection's constants, quoted here all the same.
    fn condition(&self) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
        let ident = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let always = if self.always.is_empty() {
            String::new()
        } else {
            let types: Vec<String> = self.always.iter().map(|t| quote(t)).collect();
            format!(" AND events.event_type NOT IN ({})", types.join(", "))
        };
        format!(
            "(events.aggregate_type = {}{always} AND EXISTS (SELECT 1 FROM {} AS r \
             WHERE r.id = events.aggregate_id AND r.version >= events.sequence))",
            quote(self.aggregate_type),
            ident(self.table)
        )
    }
}

/// A batch of the log for a projection ([`read_batch_for`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// The events to apply, in order.
    pub events: Vec<StoredEvent>,
    /// How many events the batch passed over because their rows hold them already ([`Covered`]).
    pub covered: usize,
    /// The place of the batch's last event, applied or covered (where the checkpoint goes); `None` when
    /// the batch is empty.
    pub last: Option<Checkpoint>,
}

impl Batch {
    /// How many events the batch read, applied or covered (at most the limit it was read with).
    pub fn len(&self) -> usize {
        self.events.len() + self.covered
    }

    pub fn is_empty(&self) -> bool {
        self.last.is_none()
    }
}

/// [`RawEvent`] of a batch that may pass over covered events: those come without payload, metadata and
/// time.
#[derive(sqlx::FromRow)]
struct BatchRow {
    position: i64,
    tx: i64,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    covered: bool,
    payload: Option<String>,
    metadata: Option<String>,
    recorded_at: Option<String>,
}

/// [`read_batch`] for a projection that may pass over the events `covered` names (`None`: read every
/// event in full, as [`read_batch`]). The limit counts every event read, covered or not, and the batch's
/// end is its last event either way, so the checkpoint moves over covered events as over applied ones.
///
/// The covered test runs in the database, inside the batch's own transaction: a row is written in the same
/// statement as its events, so an event visible to the batch is covered exactly when its row's version has
/// reached its sequence (rows never move backwards).
pub async fn read_batch_for(
    tx: &mut DbTx,
    after: Checkpoint,
    limit: i64,
    covered: Option<&Covered>,
) -> Result<Batch, StoreError> {
    let Some(covered) = covered else {
        let events = read_batch(tx, after, limit).await?;
        let last = events.last().map(StoredEvent::checkpoint);
        return Ok(Batch { events, covered: 0, last });
    };
    let condition = covered.condition();
    // The inner query picks the batch (the same order and limit as `read_batch`) and says which events are
    // covered; only the outer one turns stored values into text, and only for the others.
    let rows: Vec<BatchRow> = match tx {
        DbTx::Sqlite(t) => {
            let sql = format!(
                "SELECT position, 0 AS tx, CAST(aggregate_type AS TEXT) AS aggregate_type, \
                 CAST(aggregate_id AS TEXT) AS aggregate_id, CAST(sequence AS INTEGER) AS sequence, \
                 CAST(event_type AS TEXT) AS event_type, CAST(event_version AS TEXT) AS event_version, covered, \
                 CASE WHEN covered THEN NULL ELSE CAST(payload AS TEXT) END AS payload, \
                 CASE WHEN covered THEN NULL ELSE CAST(metadata AS TEXT) END AS metadata, \
                 CASE WHEN covered THEN NULL ELSE CAST(recorded_at AS TEXT) END AS recorded_at \
                 FROM (SELECT events.*, {condition} AS covered FROM events WHERE position > $1 \
                       ORDER BY position LIMIT $2) AS b \
                 ORDER BY position"
            );
            sqlx::query_as(&sql).bind(after.position).bind(limit).fetch_all(&mut **t).await?
        }
        DbTx::Postgres(t) => {
            let sql = format!(
                "SELECT b.position, b.tx::text::bigint AS tx, b.aggregate_type, b.aggregate_id, b.sequence, \
                 b.event_type, b.event_version, b.covered, \
                 CASE WHEN b.covered THEN NULL ELSE b.payload::text END AS payload, \
                 CASE WHEN b.covered THEN NULL ELSE b.metadata::text END AS metadata, \
                 CASE WHEN b.covered THEN NULL \
                      ELSE to_char(b.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') END \
                      AS recorded_at \
                 FROM (SELECT events.position, events.tx, events.aggregate_type, events.aggregate_id, \
                       events.sequence, events.event_type, events.event_version, events.payload, \
                       events.metadata, events.recorded_at, {condition} AS covered FROM events \
                       WHERE tx < santisuk_horizon() AND (tx, position) > ($1::text::xid8, $2) \
                       ORDER BY events.tx, events.position LIMIT $3) AS b \
                 ORDER BY b.tx, b.position"
            );
            sqlx::query_as(&sql).bind(after.tx.to_string()).bind(after.position).bind(limit).fetch_all(&mut **t).await?
        }
    };
    let mut batch = Batch::default();
    for row in rows {
        batch.last = Some(Checkpoint { tx: row.tx, position: row.position });
        if row.covered {
            batch.covered += 1;
            continue;
        }
        let position = row.position;
        let missing = || StoreError::corrupt(format!("event at position {position}: a stored column is NULL"));
        let raw = RawEvent {
            payload: row.payload.ok_or_else(missing)?,
            metadata: row.metadata.ok_or_else(missing)?,
            recorded_at: row.recorded_at.ok_or_else(missing)?,
            position,
            tx: row.tx,
            aggregate_type: row.aggregate_type,
            aggregate_id: row.aggregate_id,
            sequence: row.sequence,
            event_type: row.event_type,
            event_version: row.event_version,
        };
        batch.events.push(raw.parse()?);
    }
    Ok(batch)
}

/// Every event of one aggregate, in sequence order.
pub async fn aggregate_history(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
) -> Result<Vec<StoredEvent>, StoreError> {
    let columns = match db.pool() {
        Pool::Sqlite(_) => SQLITE_COLUMNS,
        Pool::Postgres(_) => PG_COLUMNS,
    };
    let sql = format!("SELECT {columns} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence");
    let rows: Vec<RawEvent> =
        on_db!(db, p => sqlx::query_as(&sql).bind(aggregate_type).bind(aggregate_id).fetch_all(p).await?);
    let mut events = rows.into_iter().map(RawEvent::parse).collect::<Result<Vec<_>, _>>()?;
    open(db, &mut events).await?;
    Ok(events)
}

/// One event of an issue's history as the history view shows it: the event's fields as the stored JSON
/// text (never parsed into a tree and written out again: for an issue with 1,000 events that round trip
/// was most of the answer's time), and the few fields the view lifts out, extracted by the database.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub sequence: i64,
    pub position: i64,
    pub event_type: String,
    pub event_version: String,
    /// The event's own fields (`payload -> event_type`), or the whole payload when it is not keyed by its
    /// type (an event stored by hand).
    pub data: Box<RawValue>,
    /// The field `at` (when it happened in the field), when the event has one.
    pub at: Option<String>,
    /// RFC 3339, UTC, six fractional digits (see [`fmt_ts`]).
    pub recorded_at: String,
    pub actor: Option<String>,
    pub request_id: Option<String>,
    /// The issue's area, on its `IssueRaised` event only.
    pub area_id: Option<String>,
}

/// [`HistoryRow`] as the database returns it.
#[derive(sqlx::FromRow)]
struct HistoryText {
    sequence: i64,
    position: i64,
    event_type: String,
    event_version: String,
    data: String,
    at: Option<String>,
    recorded_at: String,
    actor: Option<String>,
    request_id: Option<String>,
    area_id: Option<String>,
}

/// The area an issue was raised in (from its first event), if it exists.
pub async fn issue_area(db: &Db, issue_id: &str) -> Result<Option<String>, StoreError> {
    let area: Option<Option<String>> = match db.pool() {
        Pool::Sqlite(p) => {
            sqlx::query_scalar(
                "SELECT json_extract(payload, '$.IssueRaised.area_id') FROM events \
             WHERE aggregate_type = 'Issue' AND aggregate_id = $1 AND sequence = 1",
            )
            .bind(issue_id)
            .fetch_optional(p)
            .await?
        }
        Pool::Postgres(p) => {
            sqlx::query_scalar(
                "SELECT payload #>> '{IssueRaised,area_id}' FROM events \
             WHERE aggregate_type = 'Issue' AND aggregate_id = $1 AND sequence = 1",
            )
            .bind(issue_id)
            .fetch_optional(p)
            .await?
        }
    };
    Ok(area.flatten())
}

/// Up to `limit` events of one issue's history after sequence `after`, in sequence order, with each event's
/// fields as stored JSON text. A `data` or `recorded_at` that is not what the store writes is reported as
/// corruption with its position.
pub async fn issue_history(db: &Db, issue_id: &str, after: i64, limit: i64) -> Result<Vec<HistoryRow>, StoreError> {
    let rows: Vec<HistoryText> = match db.pool() {
        Pool::Sqlite(p) => {
            // `json_extract` returns objects as their JSON text and strings unquoted, as `->`/`->>` do
            // on PostgreSQL.
            let sql = "SELECT CAST(sequence AS INTEGER) AS sequence, position,                  CAST(event_type AS TEXT) AS event_type, CAST(event_version AS TEXT) AS event_version,                  COALESCE(json_extract(payload, '$.\"' || event_type || '\"'), CAST(payload AS TEXT)) AS data,                  json_extract(payload, '$.\"' || event_type || '\".at') AS at,                  CAST(recorded_at AS TEXT) AS recorded_at,                  json_extract(metadata, '$.actor') AS actor, json_extract(metadata, '$.request_id') AS request_id,                  json_extract(payload, '$.IssueRaised.area_id') AS area_id                  FROM events WHERE aggregate_type = 'Issue' AND aggregate_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3";
            sqlx::query_as(sql).bind(issue_id).bind(after).bind(limit).fetch_all(p).await?
        }
        Pool::Postgres(p) => {
            let sql = "SELECT sequence, position, event_type, event_version,                  COALESCE((payload -> event_type)::text, payload::text) AS data,                  payload -> event_type ->> 'at' AS at,                  to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS recorded_at,                  metadata ->> 'actor' AS actor, metadata ->> 'request_id' AS request_id,                  payload #>> '{IssueRaised,area_id}' AS area_id                  FROM events WHERE aggregate_type = 'Issue' AND aggregate_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3";
            sqlx::query_as(sql).bind(issue_id).bind(after).bind(limit).fetch_all(p).await?
        }
    };
    let sqlite = matches!(db.pool(), Pool::Sqlite(_));
    let mut rows = rows;
    open_history(db, issue_id, &mut rows).await?;
    rows.into_iter()
        .map(|r| {
            let position = r.position;
            let bad = |what: &str, e: &dyn std::fmt::Display| {
                StoreError::corrupt(format!("event at position {position}: {what}: {e}"))
            };
            // Validated, not parsed into a tree: the text goes out as it came in.
            let data = RawValue::from_string(r.data).map_err(|e| bad("payload is not JSON", &e))?;
            // SQLite stores milliseconds; every answer shows six digits whichever the backend.
            let recorded_at = if sqlite {
                fmt_ts(parse_ts(&r.recorded_at).map_err(|e| bad("recorded_at", &e))?)
            } else {
                r.recorded_at
            };
            Ok(HistoryRow {
                sequence: r.sequence,
                position: r.position,
                event_type: r.event_type,
                event_version: r.event_version,
                data,
                at: r.at,
                recorded_at,
                actor: r.actor,
                request_id: r.request_id,
                area_id: r.area_id,
            })
        })
        .collect()
}

/// Opens the sealed texts of an issue's history rows (see [`open`]).
async fn open_history(db: &Db, issue_id: &str, rows: &mut [HistoryText]) -> Result<(), StoreError> {
    let Some(vault) = db.vault() else { return Ok(()) };
    let mut parsed: Vec<(usize, Value)> = Vec::new();
    for (n, r) in rows.iter().enumerate() {
        if crate::vault::holds_sealed(&r.data) || r.event_type == "PersonalDataErased" {
            if let Ok(data) = serde_json::from_str::<Value>(&r.data) {
                // Keyed by type again so that the vault sees an erasure's keys as it does in a payload.
                parsed.push((n, serde_json::json!({ r.event_type.clone(): data })));
            }
        }
    }
    if parsed.is_empty() {
        return Ok(());
    }
    vault.open_all(db, parsed.iter_mut().map(|(_, v)| (issue_id, v))).await?;
    for (n, mut value) in parsed {
        let inner = value.as_object_mut().and_then(|o| o.values_mut().next()).map(std::mem::take).unwrap_or_default();
        rows[n].data = inner.to_string();
    }
    Ok(())
}

/// The log as it stood at `until`, in global order, after `after` (for as-of reports; page with the last
/// event's checkpoint until a page comes back empty): the longest prefix of the stored order whose events
/// were all recorded at or before `until`. It is cut by stored order, not by `recorded_at` alone: should
/// the server's clock step back, an event stored after one recorded later than `until` is left out too,
/// so an as-of answer never shows an event without the events before it. Read inside `tx`, which the
/// caller opens with [`Db::begin_snapshot`] so that every page sees the same committed events: no horizon
/// is needed, and an event committed while the report is being read is left out of every page alike.
pub async fn read_recorded_until(
    tx: &mut DbTx,
    until: DateTime<Utc>,
    after: Checkpoint,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let rows: Vec<RawEvent> = match tx {
        DbTx::Sqlite(t) => {
            let sql = format!("SELECT {SQLITE_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2");
            sqlx::query_as(&sql).bind(after.position).bind(limit).fetch_all(&mut **t).await?
        }
        DbTx::Postgres(t) => {
            let sql = format!(
                "SELECT {PG_COLUMNS} FROM events WHERE (tx, position) > ($1::text::xid8, $2) \
                 ORDER BY events.tx, events.position LIMIT $3"
            );
            sqlx::query_as(&sql).bind(after.tx.to_string()).bind(after.position).bind(limit).fetch_all(&mut **t).await?
        }
    };
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        let event = row.parse()?;
        if event.recorded_at > until {
            break;
        }
        events.push(event);
    }
    Ok(events)
}

/// Where the log as it stood at `until` ends: the first event in stored order recorded after `until`
/// (`None`: every committed event belongs to it). Everything before this checkpoint, and nothing after,
/// is the log at `until`, cut by stored order like [`read_recorded_until`]. Read inside a snapshot
/// transaction ([`Db::begin_snapshot`]), as every read of that report.
///
/// SQLite stores `recorded_at` in the table's fixed format (milliseconds, `Z`), so `until` is compared as
/// text in that format, truncated to the millisecond as the stored times are.
pub async fn cut_after(tx: &mut DbTx, until: DateTime<Utc>) -> Result<Option<Checkpoint>, StoreError> {
    let row: Option<(i64, i64)> = match tx {
        DbTx::Sqlite(t) => {
            let until = until.to_rfc3339_opts(SecondsFormat::Millis, true);
            sqlx::query_as(
                "SELECT 0, position FROM events WHERE recorded_at > $1 AND position IS NOT NULL \
                 ORDER BY position LIMIT 1",
            )
            .bind(until)
            .fetch_optional(&mut **t)
            .await?
        }
        DbTx::Postgres(t) => {
            sqlx::query_as(
                "SELECT tx::text::bigint, position FROM events WHERE recorded_at > $1 \
                 ORDER BY events.tx, events.position LIMIT 1",
            )
            .bind(until)
            .fetch_optional(&mut **t)
            .await?
        }
    };
    Ok(row.map(|(tx, position)| Checkpoint { tx, position }))
}

/// The events of one aggregate type stored before `cut` (all of them for `None`), ordered by aggregate
/// and sequence, after the event `(aggregate_id, sequence)` given in `after` (`("", 0)` to start): for
/// folding the log one aggregate at a time, with memory bounded by the page. Read inside `tx`, the
/// snapshot transaction [`cut_after`] was read in.
pub async fn read_aggregates_until(
    tx: &mut DbTx,
    aggregate_type: &str,
    cut: Option<Checkpoint>,
    after: (&str, i64),
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let cut = cut.unwrap_or(Checkpoint { tx: i64::MAX, position: i64::MAX });
    let rows: Vec<RawEvent> = match tx {
        DbTx::Sqlite(t) => {
            let sql = format!(
                "SELECT {SQLITE_COLUMNS} FROM events WHERE aggregate_type = $1 AND (aggregate_id, sequence) > ($2, $3) \
                 AND position < $4 ORDER BY aggregate_id, sequence LIMIT $5"
            );
            let q = sqlx::query_as(&sql).bind(aggregate_type).bind(after.0).bind(after.1);
            q.bind(cut.position).bind(limit).fetch_all(&mut **t).await?
        }
        DbTx::Postgres(t) => {
            let sql = format!(
                "SELECT {PG_COLUMNS} FROM events WHERE aggregate_type = $1 AND (aggregate_id, sequence) > ($2, $3) \
                 AND (events.tx, events.position) < ($4::text::xid8, $5) ORDER BY aggregate_id, sequence LIMIT $6"
            );
            let q = sqlx::query_as(&sql).bind(aggregate_type).bind(after.0).bind(after.1);
            q.bind(cut.tx.to_string()).bind(cut.position).bind(limit).fetch_all(&mut **t).await?
        }
    };
    rows.into_iter().map(RawEvent::parse).collect()
}

/// The events of one aggregate stored before `cut` (all of them for `None`), in sequence order.
pub async fn read_aggregate_until(
    tx: &mut DbTx,
    aggregate_type: &str,
    aggregate_id: &str,
    cut: Option<Checkpoint>,
) -> Result<Vec<StoredEvent>, StoreError> {
    let cut = cut.unwrap_or(Checkpoint { tx: i64::MAX, position: i64::MAX });
    let rows: Vec<RawEvent> = match tx {
        DbTx::Sqlite(t) => {
            let sql = format!(
                "SELECT {SQLITE_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
                 AND position < $3 ORDER BY sequence"
            );
            let q = sqlx::query_as(&sql).bind(aggregate_type).bind(aggregate_id);
            q.bind(cut.position).fetch_all(&mut **t).await?
        }
        DbTx::Postgres(t) => {
            let sql = format!(
                "SELECT {PG_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
                 AND (events.tx, events.position) < ($3::text::xid8, $4) ORDER BY sequence"
            );
            let q = sqlx::query_as(&sql).bind(aggregate_type).bind(aggregate_id);
            q.bind(cut.tx.to_string()).bind(cut.position).fetch_all(&mut **t).await?
        }
    };
    rows.into_iter().map(RawEvent::parse).collect()
}

/// The newest event readers may project (see [`read_batch`]); zero when the log is empty.
pub async fn head(db: &Db) -> Result<Checkpoint, StoreError> {
    let row: Option<(i64, i64)> = match db.pool() {
        Pool::Sqlite(p) => {
            sqlx::query_as("SELECT 0, position FROM events ORDER BY position DESC LIMIT 1").fetch_optional(p).await?
        }
        Pool::Postgres(p) => {
            sqlx::query_as(
                "SELECT tx::text::bigint, position FROM events \
                 WHERE tx < santisuk_horizon() ORDER BY events.tx DESC, events.position DESC LIMIT 1",
            )
            .fetch_optional(p)
            .await?
        }
    };
    Ok(row.map(|(tx, position)| Checkpoint { tx, position }).unwrap_or_default())
}

/// The committed events a projection at `checkpoint` has not applied: how many, and when the oldest of
/// them was recorded. On PostgreSQL this counts events still behind an open transaction too (committed,
/// but not yet projectable): they are what a stalled runner has not shown, and a lag that left them out
/// reported 0 while a held transaction stalled every projection.
pub async fn lag_after(db: &Db, checkpoint: Checkpoint) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
    let (count, oldest): (i64, Option<String>) =
        match db.pool() {
            Pool::Sqlite(p) => {
                sqlx::query_as("SELECT COUNT(*), MIN(recorded_at) FROM events WHERE position > $1")
                    .bind(checkpoint.position)
                    .fetch_one(p)
                    .await?
            }
            Pool::Postgres(p) => sqlx::query_as(
                "SELECT COUNT(*), to_char(MIN(recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') \
                 FROM events WHERE (tx, position) > ($1::text::xid8, $2)",
            )
            .bind(checkpoint.tx.to_string())
            .bind(checkpoint.position)
            .fetch_one(p)
            .await?,
        };
    let oldest =
        oldest.map(|t| parse_ts(&t)).transpose().map_err(|e| StoreError::corrupt(format!("recorded_at: {e}")))?;
    Ok((count, oldest))
}

/// PostgreSQL: after a logical restore into another cluster, whose transaction ids start again below the
/// stored ones, raises the database's restore base so that every new `tx` lies above every restored one
/// (migration 0012 says how and why). Returns the base by which it was raised (0: nothing to do, the
/// usual case; always 0 on SQLite). Writers do this themselves through the column default; the runner,
/// a rebuild and a start call it so that reads heal before any write comes.
pub async fn heal_restored_tx(db: &Db) -> Result<i64, StoreError> {
    let Pool::Postgres(p) = db.pool() else { return Ok(0) };
    let (before, after): (i64, i64) =
        sqlx::query_as("SELECT (SELECT base FROM log_tx_base), santisuk_tx_base()").fetch_one(p).await?;
    Ok(after - before)
}

/// Where one stored event sits in the global order.
pub async fn checkpoint_of(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
    sequence: i64,
) -> Result<Checkpoint, StoreError> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            "SELECT 0, position FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3"
        }
        Pool::Postgres(_) => {
            "SELECT tx::text::bigint, position FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3"
        }
    };
    let row: Option<(i64, i64)> = on_db!(db, p => sqlx::query_as(sql)
        .bind(aggregate_type).bind(aggregate_id).bind(sequence).fetch_optional(p).await?);
    row.map(|(tx, position)| Checkpoint { tx, position }).ok_or_else(|| {
        StoreError::corrupt(format!("committed event {aggregate_type}/{aggregate_id}#{sequence} not found"))
    })
}

/// The last event of one aggregate recorded by a command carrying the idempotency key `key` (metadata
/// `idempotency_key`): its sequence, its place in the global order, and the request fingerprint stored
/// with it (metadata `idempotency_request`). Reads only that aggregate's events (the primary key's prefix).
pub async fn keyed_command(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
    key: &str,
) -> Result<Option<(i64, Checkpoint, Option<String>)>, StoreError> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            "SELECT sequence, 0, position, json_extract(metadata, '$.idempotency_request') FROM events \
             WHERE aggregate_type = $1 AND aggregate_id = $2 AND json_extract(metadata, '$.idempotency_key') = $3 \
             ORDER BY sequence DESC LIMIT 1"
        }
        Pool::Postgres(_) => {
            "SELECT sequence, tx::text::bigint, position, metadata->>'idempotency_request' FROM events \
             WHERE aggregate_type = $1 AND aggregate_id = $2 AND metadata->>'idempotency_key' = $3 \
             ORDER BY sequence DESC LIMIT 1"
        }
    };
    let row: Option<(i64, i64, i64, Option<String>)> = on_db!(db, p => sqlx::query_as(sql)
        .bind(aggregate_type).bind(aggregate_id).bind(key).fetch_optional(p).await?);
    Ok(row.map(|(sequence, tx, position, request)| (sequence, Checkpoint { tx, position }, request)))
}

/// How many events an aggregate type has (0 means "never seeded").
pub async fn count_of_type(db: &Db, aggregate_type: &str) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE aggregate_type = $1")
        .bind(aggregate_type).fetch_one(p).await?))
}

/// The field time (`at`) of the events at `positions` (issue #18 §5: an Open311 request's
/// `updated_datetime` is its last event's), RFC 3339 as stored; an event without `at` gives its recorded
/// time. Positions no event has are left out.
pub async fn at_of_positions(db: &Db, positions: &[i64]) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    let mut out = std::collections::HashMap::new();
    // In slices, well under either backend's limit on bound parameters.
    for chunk in positions.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = match db.pool() {
            Pool::Sqlite(_) => format!(
                "SELECT position, COALESCE(json_extract(payload, '$.\"' || event_type || '\".at'), \
                 CAST(recorded_at AS TEXT)) FROM events WHERE position IN ({})",
                marks.join(", ")
            ),
            Pool::Postgres(_) => format!(
                "SELECT position, COALESCE(payload -> event_type ->> 'at', \
                 to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')) \
                 FROM events WHERE position IN ({})",
                marks.join(", ")
            ),
        };
        let rows: Vec<(i64, Option<String>)> = on_db!(db, p => {
            let mut q = sqlx::query_as(&sql);
            for position in chunk {
                q = q.bind(*position);
            }
            q.fetch_all(p).await?
        });
        out.extend(rows.into_iter().filter_map(|(position, at)| Some((position, at?))));
    }
    Ok(out)
}
