//! Loading one aggregate's events with our own SQL (one query, payloads parsed straight into the event
//! type), and its current version.
//!
//! cqrs-es' repositories also fetch every event's metadata and decode everything through
//! `serde_json::Value`, which dominates the cost of a long history; and sqlite-es panics on a payload that
//! is not JSON, where this is an error naming the event.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::db::{Db, Pool};
use crate::error::StoreError;
use crate::on_db;

/// What a reader knows of event versions (the domain's `versions`, passed in: the store knows no event).
#[derive(Debug, Clone, Copy)]
pub struct Versions {
    /// The version an event type is written in now.
    pub current: fn(&str) -> &'static str,
    /// Brings a stored payload of (event type, version) to the current shape; an error for a version the
    /// release does not know.
    pub upcast: fn(&str, &str, Value) -> Result<Value, String>,
}

/// Calls `each(sequence, position, event)` for every event of the aggregate in sequence order and returns
/// its version (0 when it has none). An event of an older version is brought to the current shape by
/// `versions` first. A gap in the sequence, a payload that does not decode or a version the release does
/// not know is an error naming the event (fail closed), never a panic or a guess.
pub async fn load_events<E: DeserializeOwned>(
    db: &Db,
    aggregate_type: &str,
    aggregate_id: &str,
    versions: Versions,
    mut each: impl FnMut(i64, i64, E),
) -> Result<i64, StoreError> {
    let sql = match db.pool() {
        Pool::Sqlite(_) => {
            "SELECT sequence, position, event_type, event_version, CAST(payload AS TEXT) FROM events \
             WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence"
        }
        Pool::Postgres(_) => {
            "SELECT sequence, position, event_type, event_version, payload::text FROM events \
             WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence"
        }
    };
    let rows: Vec<(i64, i64, String, String, String)> =
        on_db!(db, p => sqlx::query_as(sql).bind(aggregate_type).bind(aggregate_id).fetch_all(p).await?);
    let rows = open_sealed(db, aggregate_id, rows).await?;
    let mut version = 0;
    for (sequence, position, event_type, event_version, payload) in rows {
        if sequence != version + 1 {
            return Err(StoreError::corrupt(format!(
                "{aggregate_type} {aggregate_id}: event {sequence} follows event {version}"
            )));
        }
        let undecodable = |e: String| {
            StoreError::corrupt(format!(
                "{aggregate_type} {aggregate_id}: event {sequence} (position {position}) cannot be decoded: {e}"
            ))
        };
        // The current version is parsed straight into the event type; only an older one goes through JSON.
        let event = if event_version == (versions.current)(&event_type) {
            serde_json::from_str(&payload).map_err(|e| undecodable(e.to_string()))?
        } else {
            let value: Value = serde_json::from_str(&payload).map_err(|e| undecodable(e.to_string()))?;
            let value = (versions.upcast)(&event_type, &event_version, value).map_err(undecodable)?;
            serde_json::from_value(value).map_err(|e| undecodable(e.to_string()))?
        };
        each(sequence, position, event);
        version = sequence;
    }
    Ok(version)
}

/// The rows with their sealed texts opened by the vault of `db` (see [`crate::vault`]). Only a history that
/// holds a sealed text goes through a JSON tree; the others keep the fast path.
async fn open_sealed(
    db: &Db,
    aggregate_id: &str,
    mut rows: Vec<(i64, i64, String, String, String)>,
) -> Result<Vec<(i64, i64, String, String, String)>, StoreError> {
    let Some(vault) = db.vault() else { return Ok(rows) };
    let mut parsed: Vec<(usize, Value)> = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        if crate::vault::holds_sealed(&row.4) {
            let value = serde_json::from_str(&row.4)
                .map_err(|e| StoreError::corrupt(format!("{aggregate_id}: event {} cannot be decoded: {e}", row.0)))?;
            parsed.push((n, value));
        }
    }
    if parsed.is_empty() {
        return Ok(rows);
    }
    vault.open_all(db, parsed.iter_mut().map(|(_, v)| (aggregate_id, v))).await?;
    for (n, value) in parsed {
        rows[n].4 = value.to_string();
    }
    Ok(rows)
}

/// The aggregate's current version (0 when it has no events).
pub async fn current_version(db: &Db, aggregate_type: &str, aggregate_id: &str) -> Result<i64, StoreError> {
    let v: Option<i64> = on_db!(db, p => sqlx::query_scalar(
        "SELECT MAX(sequence) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2")
        .bind(aggregate_type).bind(aggregate_id).fetch_one(p).await?);
    Ok(v.unwrap_or(0))
}
