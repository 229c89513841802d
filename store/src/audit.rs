//! The global audit log: every stored event of every aggregate exactly as stored (text, not re-encoded
//! JSON), in the projection runner's gap-safe global order, read a page at a time with a keyset cursor.
//! The audit API, its export and the ledger read the log through here.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::db::{Db, Pool};
use crate::error::StoreError;
use crate::events::{Checkpoint, PG_COLUMNS as PG_RAW, SQLITE_COLUMNS as SQLITE_RAW};
use crate::on_db;

pub use crate::events::RawEvent;

impl RawEvent {
    /// The event's fields: stored payloads are `{"<EventType>": {...}}`, this is the inner object. A
    /// payload that is not JSON (corruption or tampering) is shown as the stored text.
    pub fn data(&self) -> Value {
        match serde_json::from_str::<Value>(&self.payload) {
            Ok(payload) => payload.get(&self.event_type).cloned().unwrap_or(payload),
            Err(_) => Value::String(self.payload.clone()),
        }
    }

    /// A metadata field (`actor`, `request_id`) as text.
    pub fn meta(&self, key: &str) -> Option<String> {
        let metadata: Value = serde_json::from_str(&self.metadata).ok()?;
        metadata.get(key).and_then(Value::as_str).map(str::to_owned)
    }
}

/// What narrows the log: every field given narrows it further (all of them: the whole log).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The events of this issue (its aggregate id).
    pub issue: Option<String>,
    /// Events whose metadata names this actor (a user name, `system`, …), exactly.
    pub actor: Option<String>,
    /// Events of this type (`IssueClosed`), exactly.
    pub event_type: Option<String>,
    /// Recorded at or after this instant.
    pub recorded_from: Option<DateTime<Utc>>,
    /// Recorded before this instant.
    pub recorded_before: Option<DateTime<Utc>>,
}

/// Which way the log is read: oldest first (the global order projections use) or newest first (its reverse).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

/// One end of a read: an event's place in the global order, and whether that event itself is included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub at: Checkpoint,
    pub inclusive: bool,
}

impl Bound {
    pub fn excluding(at: Checkpoint) -> Bound {
        Bound { at, inclusive: false }
    }

    pub fn including(at: Checkpoint) -> Bound {
        Bound { at, inclusive: true }
    }
}

/// The next `limit` events after `after` (from the very start when `None`, which includes rows someone
/// slipped in at position 0 or below) in global order.
///
/// `upto: None` reads up to the gap-safe horizon, like the projection runner (PostgreSQL: only events of
/// transactions older than the oldest one still running, in `(tx, position)` order; see
/// [`crate::events::read_batch`]), so a client paging with the last position it saw never misses an event
/// that commits late. `upto: Some(c)` reads up to and including `c` and nothing beyond, whatever the
/// horizon (an export fixed at its start; the ledger verification, which must also see rows someone slipped
/// in below the ledger's checkpoint).
pub async fn page(
    db: &Db,
    after: Option<Checkpoint>,
    upto: Option<Checkpoint>,
    limit: i64,
) -> Result<Vec<RawEvent>, StoreError> {
    select(db, &Filter::default(), Order::Asc, after.map(Bound::excluding), upto.map(Bound::including), limit).await
}

/// A value bound to a placeholder of [`select`].
enum Arg {
    Text(String),
    Int(i64),
}

/// At most `limit` events matching `filter` between `lower` and `upper` (each end open when `None`), in
/// `order`. Without an `upper` bound PostgreSQL reads only up to the gap-safe horizon (see [`page`]); an
/// `upper` bound is a place some read already reached, so everything below it is settled.
///
/// Every filter is a plain comparison on the row (the actor is read from the metadata's JSON), combined
/// with the keyset bounds; the order walks the position index (SQLite) or `(tx, position)` (PostgreSQL),
/// so a page reads as far as it must to find `limit` matches, and no further.
pub async fn select(
    db: &Db,
    filter: &Filter,
    order: Order,
    lower: Option<Bound>,
    upper: Option<Bound>,
    limit: i64,
) -> Result<Vec<RawEvent>, StoreError> {
    let sqlite = matches!(db.pool(), Pool::Sqlite(_));
    let mut conditions: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    // Placeholders are numbered in the order the values are pushed.
    fn push(args: &mut Vec<Arg>, arg: Arg) -> String {
        args.push(arg);
        format!("${}", args.len())
    }
    // SQLite stores `recorded_at` as text in one fixed format (milliseconds, `Z`), so an instant is compared
    // as text in that format; PostgreSQL compares timestamptz.
    let instant = |at: DateTime<Utc>| {
        if sqlite {
            at.to_rfc3339_opts(SecondsFormat::Millis, true)
        } else {
            at.to_rfc3339_opts(SecondsFormat::Micros, true)
        }
    };
    let time_cast = if sqlite { "" } else { "::text::timestamptz" };
    if let Some(issue) = &filter.issue {
        let p = push(&mut args, Arg::Text(issue.clone()));
        conditions.push(format!("aggregate_type = 'Issue' AND aggregate_id = {p}"));
    }
    if let Some(actor) = &filter.actor {
        let p = push(&mut args, Arg::Text(actor.clone()));
        conditions.push(if sqlite {
            format!("json_extract(metadata, '$.actor') = {p}")
        } else {
            format!("metadata ->> 'actor' = {p}")
        });
    }
    if let Some(event_type) = &filter.event_type {
        let p = push(&mut args, Arg::Text(event_type.clone()));
        conditions.push(format!("event_type = {p}"));
    }
    if let Some(from) = filter.recorded_from {
        let p = push(&mut args, Arg::Text(instant(from)));
        conditions.push(format!("recorded_at >= {p}{time_cast}"));
    }
    if let Some(before) = filter.recorded_before {
        let p = push(&mut args, Arg::Text(instant(before)));
        conditions.push(format!("recorded_at < {p}{time_cast}"));
    }
    for (bound, above) in [(lower, true), (upper, false)] {
        let Some(Bound { at, inclusive }) = bound else { continue };
        let op = match (above, inclusive) {
            (true, false) => ">",
            (true, true) => ">=",
            (false, false) => "<",
            (false, true) => "<=",
        };
        if sqlite {
            let p = push(&mut args, Arg::Int(at.position));
            conditions.push(format!("position {op} {p}"));
        } else {
            let (a, b) = (push(&mut args, Arg::Text(at.tx.to_string())), push(&mut args, Arg::Int(at.position)));
            conditions.push(format!("(tx, position) {op} ({a}::text::xid8, {b})"));
        }
    }
    if upper.is_none() && !sqlite {
        conditions.push("tx < santisuk_horizon()".to_owned());
    }
    let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let direction = match order {
        Order::Asc => "",
        Order::Desc => " DESC",
    };
    let limit = push(&mut args, Arg::Int(limit));
    let sql = if sqlite {
        format!("SELECT {SQLITE_RAW} FROM events {filter} ORDER BY events.position{direction} LIMIT {limit}")
    } else {
        format!(
            "SELECT {PG_RAW} FROM events {filter} ORDER BY events.tx{direction}, events.position{direction} LIMIT {limit}"
        )
    };
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(&sql);
        for arg in args {
            q = match arg {
                Arg::Text(text) => q.bind(text),
                Arg::Int(n) => q.bind(n),
            };
        }
        q.fetch_all(p).await?
    }))
}

/// The place in the global order a jump lands on: the first event at or after `position` (oldest first) or
/// the last one at or before it (newest first), within the gap-safe horizon; `None` when the log holds no
/// such event.
pub async fn anchor_at_position(db: &Db, position: i64, order: Order) -> Result<Option<Checkpoint>, StoreError> {
    let (op, direction) = match order {
        Order::Asc => (">=", ""),
        Order::Desc => ("<=", " DESC"),
    };
    let row: Option<(i64, i64)> = match db.pool() {
        Pool::Sqlite(p) => {
            let sql =
                format!("SELECT 0, position FROM events WHERE position {op} $1 ORDER BY position{direction} LIMIT 1");
            sqlx::query_as(&sql).bind(position).fetch_optional(p).await?
        }
        Pool::Postgres(p) => {
            let sql = format!(
                "SELECT tx::text::bigint, position FROM events WHERE position {op} $1 AND tx < santisuk_horizon() \
                 ORDER BY position{direction} LIMIT 1"
            );
            sqlx::query_as(&sql).bind(position).fetch_optional(p).await?
        }
    };
    Ok(row.map(|(tx, position)| Checkpoint { tx, position }))
}

/// The place in the global order a jump to an instant lands on: the first event recorded at or after `at`
/// (oldest first), or the last one recorded before it (newest first); `None` when there is none.
pub async fn anchor_at_time(db: &Db, at: DateTime<Utc>, order: Order) -> Result<Option<Checkpoint>, StoreError> {
    let (op, direction) = match order {
        Order::Asc => (">=", ""),
        Order::Desc => ("<", " DESC"),
    };
    let row: Option<(i64, i64)> = match db.pool() {
        Pool::Sqlite(p) => {
            let sql = format!(
                "SELECT 0, position FROM events WHERE recorded_at {op} $1 AND position IS NOT NULL \
                 ORDER BY position{direction} LIMIT 1"
            );
            sqlx::query_as(&sql).bind(at.to_rfc3339_opts(SecondsFormat::Millis, true)).fetch_optional(p).await?
        }
        Pool::Postgres(p) => {
            let sql = format!(
                "SELECT tx::text::bigint, position FROM events WHERE recorded_at {op} $1 AND tx < santisuk_horizon() \
                 ORDER BY tx{direction}, position{direction} LIMIT 1"
            );
            sqlx::query_as(&sql).bind(at).fetch_optional(p).await?
        }
    };
    Ok(row.map(|(tx, position)| Checkpoint { tx, position }))
}

/// Where the event at `position` sits in the global order, if it is within the gap-safe horizon (a
/// client's `after`: paging after an event not yet behind the horizon could skip one committing late).
pub async fn checkpoint_at(db: &Db, position: i64) -> Result<Option<Checkpoint>, StoreError> {
    let row: Option<(i64, i64)> = match db.pool() {
        Pool::Sqlite(p) => {
            sqlx::query_as("SELECT 0, position FROM events WHERE position = $1")
                .bind(position)
                .fetch_optional(p)
                .await?
        }
        Pool::Postgres(p) => {
            sqlx::query_as(
                "SELECT tx::text::bigint, position FROM events \
                 WHERE position = $1 AND tx < santisuk_horizon()",
            )
            .bind(position)
            .fetch_optional(p)
            .await?
        }
    };
    Ok(row.map(|(tx, position)| Checkpoint { tx, position }))
}
