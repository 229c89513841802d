//! cqrs-es' `PersistedEventRepository` over Santisuk's store, so that any cqrs-es application can run its
//! `CqrsFramework` on it, with the tables postgres-es and sqlite-es also read and write.
//!
//! Appends go through [`crate::append::append`]: the same statement, group commit and conflict detection
//! as Santisuk's own commands, and the events get their global position like any other, so the projection
//! runner and the ledger see them. What differs from the stock repositories, on purpose:
//! - no snapshots (cqrs-es 0.5's snapshot stores apply every event twice; see ARCHITECTURE.md): a
//!   snapshot update is refused, and `get_snapshot` answers none;
//! - `stream_all_events` streams in global order (by position), not by per-aggregate sequence, and a
//!   database error mid-stream reaches the reader as an error instead of ending the stream silently.

use cqrs_es::Aggregate;
use cqrs_es::persist::{PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot};
use serde_json::Value;

use crate::append::{Appended, append};
use crate::db::{Db, Pool};
use crate::error::StoreError;
use crate::on_db;

/// Santisuk's store as a cqrs-es event repository. Cheap to clone.
#[derive(Debug, Clone)]
pub struct EventRepository {
    db: Db,
}

impl EventRepository {
    pub fn new(db: Db) -> EventRepository {
        EventRepository { db }
    }
}

/// Rows read per query while streaming.
const PAGE: i64 = 1000;

/// One stored event with its payload and metadata as text, the same way on both backends.
type Row = (String, String, i64, String, String, String, String);

/// A [`Row`] with its global position first, as the streams read it.
type PositionedRow = (i64, String, String, i64, String, String, String, String);

fn select(db: &Db, filter: &str) -> String {
    let cast = match db.pool() {
        Pool::Sqlite(_) => "CAST(payload AS TEXT), CAST(metadata AS TEXT)",
        Pool::Postgres(_) => "payload::text, metadata::text",
    };
    format!(
        "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, {cast} FROM events WHERE {filter}"
    )
}

fn serialized(row: Row) -> Result<SerializedEvent, PersistenceError> {
    let (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) = row;
    let payload: Value = serde_json::from_str(&payload)?;
    let metadata: Value = serde_json::from_str(&metadata)?;
    Ok(SerializedEvent {
        aggregate_id,
        sequence: usize::try_from(sequence).map_err(|e| PersistenceError::DeserializationError(Box::new(e)))?,
        aggregate_type,
        event_type,
        event_version,
        payload,
        metadata,
    })
}

fn failed(e: impl Into<StoreError>) -> PersistenceError {
    match e.into() {
        StoreError::Database(e) => PersistenceError::ConnectionError(Box::new(e)),
        e => PersistenceError::UnknownError(Box::new(e)),
    }
}

impl EventRepository {
    async fn events_after(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        after: i64,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let sql = select(&self.db, "aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 ORDER BY sequence");
        let rows: Vec<Row> = on_db!(&self.db, p => sqlx::query_as(&sql)
            .bind(aggregate_type).bind(aggregate_id).bind(after).fetch_all(p).await.map_err(failed)?);
        rows.into_iter().map(serialized).collect()
    }

    /// Streams the events of one aggregate type (and, if given, one aggregate) page by page in position
    /// order, from a task of its own; a database error reaches the reader as the stream's last item.
    fn stream(&self, aggregate_type: &str, aggregate_id: Option<&str>) -> ReplayStream {
        let (mut feed, stream) = ReplayStream::new(PAGE as usize);
        let db = self.db.clone();
        let aggregate_type = aggregate_type.to_owned();
        let aggregate_id = aggregate_id.map(str::to_owned);
        tokio::spawn(async move {
            // Both filters leave the aggregate id's place ($2) in the statement, so one binding serves both.
            let filter = match aggregate_id {
                Some(_) => "aggregate_type = $1 AND aggregate_id = $2 AND position > $3 ORDER BY position LIMIT $4",
                None => "aggregate_type = $1 AND $2 = $2 AND position > $3 ORDER BY position LIMIT $4",
            };
            let sql = select(&db, filter).replacen("SELECT ", "SELECT position, ", 1);
            let id = aggregate_id.unwrap_or_default();
            let mut after = 0_i64;
            loop {
                let page: Result<Vec<PositionedRow>, _> = on_db!(&db, p =>
                    sqlx::query_as(&sql).bind(&aggregate_type).bind(&id).bind(after).bind(PAGE).fetch_all(p).await);
                let page = match page {
                    Ok(page) => page,
                    Err(e) => {
                        let _ = feed.push(Err(failed(e))).await;
                        return;
                    }
                };
                let last = page.len() < PAGE as usize;
                for (position, t, a, s, et, ev, payload, metadata) in page {
                    after = position;
                    if feed.push(serialized((t, a, s, et, ev, payload, metadata))).await.is_err() {
                        return; // the reader went away
                    }
                }
                if last {
                    return;
                }
            }
        });
        stream
    }
}

impl PersistedEventRepository for EventRepository {
    async fn get_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.events_after(A::TYPE, aggregate_id, 0).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let after = i64::try_from(last_sequence).map_err(|e| PersistenceError::UnknownError(Box::new(e)))?;
        self.events_after(A::TYPE, aggregate_id, after).await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        _aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        Ok(None)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        if snapshot_update.is_some() {
            return Err(PersistenceError::UnknownError(
                "Santisuk's store keeps no snapshots: use cqrs-es' event store (new_event_store)".into(),
            ));
        }
        if events.is_empty() {
            return Ok(());
        }
        match append(&self.db, A::TYPE, events.to_vec(), None).await {
            Ok(_) => Ok(()),
            Err(Appended::Conflict) => Err(PersistenceError::OptimisticLockError),
            Err(Appended::Duplicate(what)) => {
                Err(failed(StoreError::EventStore(format!("a unique value was taken: {what}"))))
            }
            Err(Appended::Failed(e)) => Err(failed(e)),
        }
    }

    async fn stream_events<A: Aggregate>(&self, aggregate_id: &str) -> Result<ReplayStream, PersistenceError> {
        Ok(self.stream(A::TYPE, Some(aggregate_id)))
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        Ok(self.stream(A::TYPE, None))
    }
}
