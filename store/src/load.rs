//! Loading one aggregate's events with our own SQL (one query, payloads parsed straight into the event
//! type), and its current version.
//!
//! cqrs-es' repositories also fetch every event's metadata and decode everything through
//! `serde_json::Value`, which dominates the cost of a long history; and sqlite-es panics on a payload that
//! is not JSON, where this is an error naming the event.

use serde::de::DeserializeOwned;

use crate::db::{Db, Pool};
use crate::error::StoreError;
use crate::on_db;

/// Calls `each(sequence, position, event)` for every event of the aggregate in sequence order and returns
/// its version (0 when it has none). A gap in the sequence or a payload that does not decode is corrupt
/// data, never a panic.
pub async fn load_events<E: DeserializeOwned>(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
    mut each: impl FnMut(i64, i64, E),
) -> Result<i64, StoreError> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            "SELECT sequence, position, CAST(payload AS TEXT) FROM events \
             WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence"
        }
        Pool::Postgres(_) => {
            "SELECT sequence, position, payload::text FROM events \
             WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence"
        }
    };
    let rows: Vec<(i64, i64, String)> =
        on_db!(db, p => sqlx::query_as(sql).bind(aggregate_type).bind(aggregate_id).fetch_all(p).await?);
    let mut version = 0;
    for (sequence, position, payload) in rows {
        if sequence != version + 1 {
            return Err(StoreError::corrupt(format!(
                "{aggregate_type} {aggregate_id}: event {sequence} follows event {version}"
            )));
        }
        let event = serde_json::from_str(&payload).map_err(|e| {
            StoreError::corrupt(format!("{aggregate_type} {aggregate_id}: event {sequence} cannot be decoded: {e}"))
        })?;
        each(sequence, position, event);
        version = sequence;
    }
    Ok(version)
}

/// The aggregate's current version (0 when it has no events).
pub async fn current_version(db: &Db, aggregate_type: &str, aggregate_id: &str) -> Result<i64, StoreError> {
    let v: Option<i64> = on_db!(db, p => sqlx::query_scalar(
        "SELECT MAX(sequence) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2")
        .bind(aggregate_type).bind(aggregate_id).fetch_one(p).await?);
    Ok(v.unwrap_or(0))
}
