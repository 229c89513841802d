//! Appending a command's events, and the issue row that goes with them, atomically and durably; on
//! SQLite, the appends of concurrent commands commit together (group commit).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use cqrs_es::persist::SerializedEvent;
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::oneshot;

use crate::db::{Backend, Db};
use crate::error::StoreError;
use crate::events::Checkpoint;
use crate::read_model::{IssueRow, bind_issue_row, inline_issue_upsert, issue_upsert_sql};

/// Why an append wrote nothing.
#[derive(Debug)]
pub enum Appended {
    /// Another command appended the same sequence first (a primary-key violation: PostgreSQL 23505,
    /// SQLite 1555 SQLITE_CONSTRAINT_PRIMARYKEY), as the event repositories report it.
    Conflict,
    Failed(StoreError),
}

impl From<StoreError> for Appended {
    fn from(e: StoreError) -> Self {
        Appended::Failed(e)
    }
}

impl From<sqlx::Error> for Appended {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("23505" | "1555")) => Appended::Conflict,
            e => Appended::Failed(e.into()),
        }
    }
}

fn insert_sql(backend: Backend, events: usize) -> String {
    let values = crate::db::values_placeholders(backend, events, 7);
    format!(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES {values}"
    )
}

/// The PostgreSQL append of `events` events, with the inline row's upsert when `inline`. Built once per
/// shape (a command appends one or two events): building ~25 placeholders and three statements' text on
/// every command was a visible share of a command's CPU.
fn pg_append_sql(events: usize, inline: bool) -> std::borrow::Cow<'static, str> {
    const CACHED: usize = 4;
    static SQL: [[OnceLock<String>; CACHED]; 2] = [const { [const { OnceLock::new() }; CACHED] }; 2];
    let build = || {
        let insert = insert_sql(Backend::Postgres, events);
        match inline {
            false => format!("{insert} RETURNING tx::text::bigint, position"),
            true => {
                let upsert = inline_issue_upsert(Backend::Postgres, events * 7 + 1, "(SELECT MAX(position) FROM e)");
                format!(
                    "WITH e AS ({insert} RETURNING tx, position), r AS ({upsert}) \
                     SELECT tx::text::bigint, position FROM e ORDER BY position"
                )
            }
        }
    };
    match events {
        1..=CACHED => std::borrow::Cow::Borrowed(SQL[inline as usize][events - 1].get_or_init(build)),
        _ => std::borrow::Cow::Owned(build()),
    }
}

/// Binds the events' columns in the order of [`insert_sql`] (a macro: the query types of the two
/// drivers differ).
macro_rules! bind_events {
    ($q:expr, $aggregate_type:expr, $events:expr) => {{
        let mut q = $q;
        for e in $events {
            q = q
                .bind($aggregate_type)
                .bind(&e.aggregate_id)
                .bind(e.sequence as i64)
                .bind(&e.event_type)
                .bind(&e.event_version)
                .bind(&e.payload)
                .bind(&e.metadata);
        }
        q
    }};
}

/// Appends one command's events (consecutive sequences of one aggregate), and the aggregate's inline row
/// if it has one, atomically with one durable commit, and returns where the last event landed. This
/// replaces the event repositories' `persist` (`BEGIN`, an `INSERT` per event, `COMMIT`) followed by a
/// query for the position. The event columns and their encoding (`serde_json::Value` bound as jsonb /
/// JSON text) are exactly the repositories', so what is stored, and hashed by the ledger, is unchanged.
/// On a conflict nothing is written, the row included.
///
/// PostgreSQL: one statement, one round trip. The row's upsert is a data-modifying CTE beside the events'
/// `INSERT`, taking `last_position` from the positions that `INSERT` returns. PostgreSQL already flushes
/// the WAL of concurrent commits together.
///
/// SQLite: see [`sqlite_append`].
pub async fn append(
    db: &Db,
    aggregate_type: &str,
    events: Vec<SerializedEvent>,
    row: Option<IssueRow>,
) -> Result<Checkpoint, Appended> {
    if events.is_empty() {
        return Err(Appended::Failed(StoreError::EventStore("the command produced no events".into())));
    }
    match db {
        Db::Postgres(p) => {
            let sql = pg_append_sql(events.len(), row.is_some());
            let mut q = bind_events!(sqlx::query_as::<_, (i64, i64)>(&sql), aggregate_type, &events);
            if let Some(r) = &row {
                q = bind_issue_row!(q, r);
            }
            // The last row holds the highest position.
            let rows = q.fetch_all(p).await?;
            let (tx, position) = rows
                .last()
                .copied()
                .ok_or_else(|| Appended::Failed(StoreError::EventStore("the append returned no row".into())))?;
            Ok(Checkpoint { tx, position })
        }
        Db::Sqlite(p) => sqlite_append(db, p, Job::new(aggregate_type, events, row)).await,
    }
}

/// One command's append waiting for its group.
struct Job {
    aggregate_type: String,
    events: Vec<SerializedEvent>,
    row: Option<IssueRow>,
    done: Option<oneshot::Sender<Result<Checkpoint, Appended>>>,
}

impl Job {
    fn new(aggregate_type: &str, events: Vec<SerializedEvent>, row: Option<IssueRow>) -> Job {
        Job { aggregate_type: aggregate_type.to_owned(), events, row, done: None }
    }
}

/// The appends waiting for a turn to write, per SQLite file of this process (a handful of files).
static WAITING: LazyLock<Mutex<HashMap<PathBuf, Waiting>>> = LazyLock::new(Default::default);

/// The appends waiting for one file.
type Waiting = Arc<Mutex<Vec<Job>>>;

/// SQLite has one writer at a time and, with `synchronous = FULL`, one fsync per commit: appending each
/// command in its own transaction caps the commands per second at the disk's flushes per second, and
/// leaves commands queueing for the write lock. So a command puts its append in this file's waiting
/// list and waits for its turn to write ([`Db::write_turn`]). Whoever gets the turn takes *every*
/// append waiting at that moment and commits them in one `BEGIN IMMEDIATE` transaction, each inside its
/// own savepoint, so one command's conflict rolls back only its own events and row; then it hands each
/// command its result. A command whose append was taken by someone else's group gets its answer as soon
/// as that group has committed (and its fsync is done): nothing is acknowledged before it is durable,
/// and under no load a group is a single append, committed at once.
async fn sqlite_append(db: &Db, pool: &SqlitePool, mut job: Job) -> Result<Checkpoint, Appended> {
    let waiting = {
        let file = pool.connect_options().get_filename().to_owned();
        let mut all = WAITING.lock().unwrap_or_else(PoisonError::into_inner);
        all.entry(file).or_default().clone()
    };
    let (done, mut answer) = oneshot::channel();
    job.done = Some(done);
    waiting.lock().unwrap_or_else(PoisonError::into_inner).push(job);
    tokio::select! {
        biased;
        answered = &mut answer => return unanswered(answered),
        turn = db.write_turn() => {
            let group = std::mem::take(&mut *waiting.lock().unwrap_or_else(PoisonError::into_inner));
            if !group.is_empty() {
                commit_group(pool, group).await;
            }
            drop(turn);
        }
    }
    // Our append was in the group we just committed, or in one committed before our turn came.
    unanswered(answer.await)
}

fn unanswered(answer: Result<Result<Checkpoint, Appended>, oneshot::error::RecvError>) -> Result<Checkpoint, Appended> {
    answer.unwrap_or_else(|_| Err(Appended::Failed(StoreError::EventStore("the append was dropped".into()))))
}

/// Commits a group of appends in one transaction and answers each. A failure outside one append (begin,
/// commit, a savepoint that cannot be rolled back) fails every append of the group: nothing is written.
async fn commit_group(pool: &SqlitePool, mut group: Vec<Job>) {
    let results = match write_group(pool, &group).await {
        Ok(results) => results,
        Err(e) => {
            let message = e.to_string();
            group.iter().map(|_| Err(Appended::Failed(StoreError::EventStore(message.clone())))).collect()
        }
    };
    for (job, result) in group.iter_mut().zip(results) {
        if let Some(done) = job.done.take() {
            // The command may have stopped waiting (its task was dropped): its events stay committed.
            let _ = done.send(result);
        }
    }
}

/// The group's appends in one transaction. First all at once: one multi-row `INSERT` of every event,
/// one query for the positions the trigger assigned, one multi-row upsert of the rows: a handful of
/// statements however large the group. If that fails (a command lost a race for its sequence to another
/// process, which this process's per-aggregate queue makes rare), everything is rolled back and the
/// appends are written again one by one, each in its own savepoint, so the failure stays with its own.
async fn write_group(pool: &SqlitePool, group: &[Job]) -> Result<Vec<Result<Checkpoint, Appended>>, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    match write_all(&mut tx, group).await {
        Ok(positions) => {
            tx.commit().await?;
            return Ok(positions.into_iter().map(|position| Ok(Checkpoint { tx: 0, position })).collect());
        }
        Err(_) if group.len() > 1 => tx.rollback().await?,
        Err(e) => {
            tx.rollback().await?;
            return Ok(vec![Err(e)]);
        }
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut results = Vec::with_capacity(group.len());
    for job in group {
        sqlx::query("SAVEPOINT append").execute(&mut *tx).await?;
        let result = write_all(&mut tx, std::slice::from_ref(job)).await;
        if result.is_err() {
            sqlx::query("ROLLBACK TO append").execute(&mut *tx).await?;
        }
        sqlx::query("RELEASE append").execute(&mut *tx).await?;
        results.push(result.map(|p| Checkpoint { tx: 0, position: p[0] }));
    }
    tx.commit().await?;
    Ok(results)
}

/// Writes these appends inside the transaction and returns, for each, the position of its last event.
async fn write_all(tx: &mut Transaction<'static, Sqlite>, jobs: &[Job]) -> Result<Vec<i64>, Appended> {
    // Far below SQLite's 32,766 bound parameters: a group holds at most one append per waiting command.
    for chunk in jobs.chunks(200) {
        let events: Vec<(&str, &SerializedEvent)> =
            chunk.iter().flat_map(|j| j.events.iter().map(move |e| (j.aggregate_type.as_str(), e))).collect();
        let insert = insert_sql(Backend::Sqlite, events.len());
        let mut q = sqlx::query(&insert);
        for (aggregate_type, e) in &events {
            q = bind_events!(q, *aggregate_type, std::iter::once(*e));
        }
        q.execute(&mut **tx).await?;
    }
    let mut positions = Vec::with_capacity(jobs.len());
    for chunk in jobs.chunks(200) {
        let keys = crate::db::values_placeholders(Backend::Sqlite, chunk.len(), 3);
        let sql = format!(
            "SELECT aggregate_type, aggregate_id, sequence, position FROM events \
             WHERE (aggregate_type, aggregate_id, sequence) IN (VALUES {keys})"
        );
        let mut q = sqlx::query_as::<_, (String, String, i64, i64)>(&sql);
        for job in chunk {
            let last = job.events.last().ok_or_else(|| StoreError::EventStore("an append without events".into()))?;
            q = q.bind(&job.aggregate_type).bind(&last.aggregate_id).bind(last.sequence as i64);
        }
        let found: HashMap<(String, String, i64), i64> =
            q.fetch_all(&mut **tx).await?.into_iter().map(|(t, id, seq, position)| ((t, id, seq), position)).collect();
        for job in chunk {
            let last = &job.events[job.events.len() - 1];
            let key = (job.aggregate_type.clone(), last.aggregate_id.clone(), last.sequence as i64);
            let position = found.get(&key).copied().ok_or_else(|| StoreError::corrupt("an appended event vanished"))?;
            positions.push(position);
        }
    }
    let rows: Vec<(&IssueRow, i64)> =
        jobs.iter().zip(&positions).filter_map(|(j, p)| j.row.as_ref().map(|r| (r, *p))).collect();
    for chunk in rows.chunks(200) {
        let upsert = issue_upsert_sql(Backend::Sqlite, chunk.len());
        let mut q = sqlx::query(&upsert);
        for (r, position) in chunk {
            q = bind_issue_row!(q, r).bind(*position);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(positions)
}
