//! The global audit log: every stored event of every aggregate exactly as stored (text, not re-encoded
//! JSON), in the projection runner's gap-safe global order, read a page at a time with a keyset cursor.
//! The audit API, its export and the ledger read the log through here.

use serde_json::Value;

use crate::db::{Db, Pool};
use crate::error::StoreError;
use crate::events::{Checkpoint, PG_COLUMNS as PG_RAW, SQLITE_COLUMNS as SQLITE_RAW};

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
    // Placeholders are numbered in the order the values are bound below.
    let mut conditions = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            if after.is_some() {
                conditions.push(format!("position > ${}", next()));
            }
            if upto.is_some() {
                conditions.push(format!("position <= ${}", next()));
            }
            let filter =
                if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
            format!("SELECT {SQLITE_RAW} FROM events {filter} ORDER BY events.position LIMIT ${}", next())
        }
        Pool::Postgres(_) => {
            if after.is_some() {
                let (a, b) = (next(), next());
                conditions.push(format!("(tx, position) > (${a}::text::xid8, ${b})"));
            }
            match upto {
                Some(_) => {
                    let (a, b) = (next(), next());
                    conditions.push(format!("(tx, position) <= (${a}::text::xid8, ${b})"));
                }
                None => conditions.push("tx < santisuk_horizon()".to_owned()),
            }
            format!(
                "SELECT {PG_RAW} FROM events WHERE {} ORDER BY events.tx, events.position LIMIT ${}",
                conditions.join(" AND "),
                next()
            )
        }
    };
    Ok(match db.pool() {
        Pool::Sqlite(p) => {
            let mut q = sqlx::query_as(&sql);
            if let Some(a) = after {
                q = q.bind(a.position);
            }
            if let Some(u) = upto {
                q = q.bind(u.position);
            }
            q.bind(limit).fetch_all(p).await?
        }
        Pool::Postgres(p) => {
            let mut q = sqlx::query_as(&sql);
            if let Some(a) = after {
                q = q.bind(a.tx.to_string()).bind(a.position);
            }
            if let Some(u) = upto {
                q = q.bind(u.tx.to_string()).bind(u.position);
            }
            q.bind(limit).fetch_all(p).await?
        }
    })
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
