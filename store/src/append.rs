//! Appending a command's events, and the read-model row that goes with them, atomically and durably; the
//! appends of concurrent commands commit together (group commit) on both backends.
//!
//! The store knows no read model: a projection that wants its row written in the same statement as the
//! events registers an [`InlineTable`] with the handle ([`Db::register_inline_table`]), and a command
//! passes its row as plain column values ([`RowValues`]).
//!
//! An append may ask the store for the next number of a series ([`Numbered`]: a case number). The store
//! allocates it inside the transaction that writes the append, under a lock per series. PostgreSQL: the
//! group statement itself upserts the series' row in `number_series` (migration 0028), whose row lock
//! is held for that statement and its commit, and continues from the higher of that row and the highest
//! number stored in the inline table ([`InlineTable::highest_number_sql`]). SQLite: the write lock
//! `BEGIN IMMEDIATE` already holds, and the highest number stored. So processes sharing one database wait
//! a moment for each other instead of taking the same number, and an append that fails takes its number
//! back with it: the series stays 1..=n.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, PoisonError};

use cqrs_es::persist::SerializedEvent;
use sqlx::{PgPool, Sqlite, SqlitePool, Transaction};
use tokio::sync::oneshot;

use crate::bind_row;
use crate::db::{Backend, Db, Pool};
pub use crate::error::Appended;
use crate::error::StoreError;
use crate::events::Checkpoint;
pub use crate::writers::{InlineTable, Landed, Numbered, RowValues, SqlValue};
use crate::writers::{Job, PG_FLIGHTS, Shape, Waiting};

impl Db {
    /// Registers the table that rows passed to [`append`] with events of its aggregate type go to. The
    /// first registration per type stands (the group statements built from then on use it); the
    /// application registers the read model's at start-up.
    pub fn register_inline_table(&self, table: Arc<dyn InlineTable>) {
        let mut inline = self.writers().inline.lock().unwrap_or_else(PoisonError::into_inner);
        inline.entry(table.aggregate_type()).or_insert(table);
    }

    fn inline_table(&self, aggregate_type: &str) -> Result<Arc<dyn InlineTable>, StoreError> {
        let inline = self.writers().inline.lock().unwrap_or_else(PoisonError::into_inner);
        inline.get(aggregate_type).cloned().ok_or_else(|| {
            StoreError::Config(format!("an append of {aggregate_type} carries a row but no inline table is registered"))
        })
    }

    /// The rows of these appends by inline table (in aggregate-type order), each with its append's index.
    fn rows_by_table<'a>(&self, jobs: &'a [Job]) -> Result<Vec<TableRows<'a>>, StoreError> {
        let mut tables: Vec<TableRows<'a>> = Vec::new();
        for (n, job) in jobs.iter().enumerate() {
            let Some(row) = &job.row else { continue };
            match tables.iter_mut().find(|(t, _)| t.aggregate_type() == job.aggregate_type) {
                Some((_, rows)) => rows.push((n, row)),
                None => tables.push((self.inline_table(&job.aggregate_type)?, vec![(n, row)])),
            }
        }
        tables.sort_by_key(|(t, _)| t.aggregate_type());
        Ok(tables)
    }
}

/// One inline table and the rows a group writes to it, each with the index of its append in the group.
type TableRows<'a> = (Arc<dyn InlineTable>, Vec<(usize, &'a RowValues)>);

fn insert_sql(backend: Backend, events: usize) -> String {
    let values = crate::db::values_placeholders(backend, events, 7);
    format!(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES {values}"
    )
}

/// The PostgreSQL insert of a group's events, in a statement that starts `WITH t AS MATERIALIZED (SELECT
/// santisuk_tx() AS tx)`: the events' `tx` (migration 0012) is computed once per statement instead of
/// once per row by the column default (which stock postgres-es inserts still use). The events keep the
/// order of the VALUES list, so one aggregate's events get increasing positions.
///
/// With `numbered`, an event that a numbered append's number goes into (the CTE `numbers`: its
/// aggregate, sequence and JSON path) is stored with the number written in.
fn pg_insert_sql(events: usize, numbered: bool) -> (&'static str, String) {
    let values = crate::db::values_placeholders(Backend::Postgres, events, 7);
    let with = "WITH t AS MATERIALIZED (SELECT santisuk_tx() AS tx)";
    let payload = if numbered {
        // A scalar subquery, not a join: the rows keep the order of the VALUES list.
        "COALESCE((SELECT jsonb_set(v.p, n.path, to_jsonb(n.number)) FROM numbers n \
         WHERE n.aggregate_type = v.a AND n.aggregate_id = v.i AND n.sequence = v.s), v.p)"
    } else {
        "v.p"
    };
    let insert = format!(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, tx) \
         SELECT v.a, v.i, v.s, v.e, v.ev, {payload}, v.m, t.tx FROM t, (VALUES {values}) AS v(a, i, s, e, ev, p, m)"
    );
    (with, insert)
}

/// What a PostgreSQL group numbers: each series once, in series order (the order the statement locks
/// their rows in, so two groups never wait for each other in a cycle), with how many numbers the group
/// takes from it; and each numbered append with its place among its series' numbers in the group (from 1).
struct Numbering<'a> {
    series: Vec<(&'a str, i64)>,
    jobs: Vec<(&'a Job, &'a Numbered, i64)>,
}

impl<'a> Numbering<'a> {
    fn of(jobs: &'a [Job]) -> Numbering<'a> {
        let mut taken: BTreeMap<&str, i64> = BTreeMap::new();
        let mut numbered = Vec::new();
        for job in jobs {
            if let Some(n) = &job.numbered {
                let k = taken.entry(n.series.as_str()).or_default();
                *k += 1;
                numbered.push((job, n, *k));
            }
        }
        Numbering { series: taken.into_iter().collect(), jobs: numbered }
    }
}

/// The CTEs that allocate a group's numbers, from placeholder `$first` on: `c` upserts each series' row
/// of `number_series` (bound: the series and how many numbers the group takes) to one past the higher of
/// its last number and the highest stored in the inline table (`highest`, the table's query over the
/// columns `w.series` and `w.upper`); `numbers` gives each numbered append (bound: its aggregate type, id,
/// the sequence and JSON path of the event its number goes into, its series and its place in the series'
/// share) its number, formatted as [`Numbered::format`] does (at least five digits).
///
/// The upsert's row lock serialises the raises of one series from this statement to its commit; one that
/// waits for it then updates the row as its holder committed it, so it continues from the holder's last
/// number. The highest stored is read in the statement's snapshot, which may predate that commit: it only
/// matters for numbers written without the table (the demo's, a database from before it), never newer.
fn pg_numbers_sql(first: usize, series: usize, jobs: usize, highest: &str) -> String {
    let w = crate::db::values_placeholders_from(Backend::Postgres, first, series, 2);
    let j = crate::db::values_placeholders_from(Backend::Postgres, first + 2 * series, jobs, 6);
    let digits = "substr(h.n, length(w.series) + 1)";
    let n = "(c.last - c.step + j.k)";
    format!(
        "c AS (INSERT INTO number_series AS s (series, last, step) \
         SELECT w.series, COALESCE((SELECT max({digits}::bigint) FROM ({highest}) AS h(n) WHERE {digits} ~ '^[0-9]+$'), 0) \
         + w.step, w.step FROM (SELECT w0.series, w0.series || ':' AS upper, w0.step FROM (VALUES {w}) AS w0(series, step)) AS w \
         ON CONFLICT (series) DO UPDATE SET last = GREATEST(s.last, excluded.last - excluded.step) + excluded.step, \
         step = excluded.step RETURNING series, last, step), \
         numbers AS (SELECT j.aggregate_type, j.aggregate_id, j.sequence, j.path, \
         c.series || lpad({n}::text, GREATEST(5, length({n}::text)), '0') AS number \
         FROM (VALUES {j}) AS j(aggregate_type, aggregate_id, sequence, path, series, k) JOIN c ON c.series = j.series)"
    )
}

/// The JSON pointer `pointer` as a PostgreSQL path (`/IssueRaised/case_number` → `{IssueRaised,case_number}`).
fn json_path(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

/// The PostgreSQL statement writing a group of appends with `events` events and the rows of `tables`: a
/// CTE inserting the events (returning where each landed) and one upserting each table's rows, each row
/// joined to the position of its own last event ([`InlineTable::grouped_upsert_sql`]); with `numbered`
/// (the table holding the numbers, how many series, how many numbered appends), first the CTEs that
/// allocate the numbers ([`pg_numbers_sql`]). It returns each event's aggregate, sequence, `tx`, position
/// and the number its append took (or NULL). Built once per shape and kept by the handle: building the
/// text and its placeholders on every command was a visible share of a command's CPU, and the shapes are
/// few (a command appends one or two events; a group holds one append per waiting command).
fn pg_group_sql(
    db: &Db,
    events: usize,
    tables: &[TableRows<'_>],
    numbered: Option<(&Arc<dyn InlineTable>, usize, usize)>,
) -> Result<Arc<str>, StoreError> {
    let shape: Shape = (
        events,
        tables.iter().map(|(t, rows)| (t.aggregate_type(), rows.len())).collect(),
        numbered.map(|(t, series, jobs)| (t.aggregate_type(), series, jobs)),
    );
    let mut shapes = db.writers().shapes.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(sql) = shapes.get(&shape) {
        return Ok(sql.clone());
    }
    let (with, insert) = pg_insert_sql(events, numbered.is_some());
    let returning = "RETURNING aggregate_type, aggregate_id, sequence";
    let sql: Arc<str> = if tables.is_empty() && numbered.is_none() {
        format!("{with} {insert} {returning}, tx::text::bigint, position, NULL::text").into()
    } else {
        let mut first = events * 7 + 1;
        let mut upserts = String::new();
        for (n, (table, rows)) in tables.iter().enumerate() {
            let numbers = numbered.map(|_| "numbers");
            upserts.push_str(&format!(", r{n} AS ({})", table.grouped_upsert_sql(first, rows.len(), numbers)));
            first += table.columns() * rows.len();
        }
        // The numbering CTEs come before `e`, which reads them (a CTE sees only those before it).
        let (numbering, number) = match numbered {
            None => (String::new(), "NULL::text"),
            Some((table, series, jobs)) => {
                let highest = table.highest_number_sql(Backend::Postgres, "w.series", "w.upper").ok_or_else(|| {
                    StoreError::Config(format!("the inline table of {} holds no numbers", table.aggregate_type()))
                })?;
                (
                    format!(", {}", pg_numbers_sql(first, series, jobs, &highest)),
                    "(SELECT n.number FROM numbers n WHERE n.aggregate_type = e.aggregate_type \
                     AND n.aggregate_id = e.aggregate_id)",
                )
            }
        };
        format!(
            "{with}{numbering}, e AS ({insert} {returning}, tx, position, recorded_at){upserts} \
             SELECT aggregate_type, aggregate_id, sequence, tx::text::bigint, position, {number} FROM e"
        )
        .into()
    };
    shapes.insert(shape, sql.clone());
    Ok(sql)
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
/// if it has one (written to the registered [`InlineTable`]), atomically with one durable commit, and returns where the last event landed. This
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
    row: Option<RowValues>,
) -> Result<Checkpoint, Appended> {
    append_numbered(db, aggregate_type, events, row, None).await.map(|landed| landed.checkpoint)
}

/// [`append`], allocating the next number of a series for the append when it is [`Numbered`] (the
/// append must carry a row of an inline table with a [`InlineTable::number_column`], and its first event
/// the slot at the pointer): the number is written into the first event and the row, and returned.
pub async fn append_numbered(
    db: &Db,
    aggregate_type: &str,
    events: Vec<SerializedEvent>,
    row: Option<RowValues>,
    numbered: Option<Numbered>,
) -> Result<Landed, Appended> {
    if events.is_empty() {
        return Err(Appended::Failed(StoreError::EventStore("the command produced no events".into())));
    }
    if row.is_some() {
        db.inline_table(aggregate_type)?;
    }
    if let Some(n) = &numbered {
        // Checked here, once, so a group never fails for one append's mistake.
        let table = row.as_ref().map(|_| db.inline_table(aggregate_type)).transpose()?;
        let numbers =
            table.as_ref().and_then(|t| Some((t.number_column()?, t.highest_number_sql(db.backend(), "$1", "$2")?)));
        let column = numbers.as_ref().map(|(c, _)| *c);
        if column.is_none_or(|c| row.as_ref().is_none_or(|r| r.len() <= c)) {
            return Err(Appended::Failed(StoreError::Config(format!(
                "a numbered append of {aggregate_type} needs a row of an inline table that holds numbers"
            ))));
        }
        if events[0].payload.pointer(&n.pointer).is_none() {
            return Err(Appended::Failed(StoreError::EventStore(format!(
                "the first event of a numbered append has nothing at {}",
                n.pointer
            ))));
        }
    }
    let job = Job::new(aggregate_type, events, row, numbered);
    match db.pool() {
        Pool::Postgres(p) => pg_append(db, p, job).await,
        Pool::Sqlite(p) => sqlite_append(db, p, job).await,
    }
}

/// PostgreSQL flushes the WAL of concurrent commits together already, but each commit is still a
/// statement to parse, plan and run, a commit record, a round trip and a wake-up on both sides. Under
/// load, the appends that wait at the same moment are written as one group, in one statement and one
/// commit ([`pg_write_group`]): whoever gets one of the [`PG_FLIGHTS`] takes every append waiting and
/// writes them ([`in_group`]). An append that finds nobody waiting is a group of one, written at once,
/// so a single client waits for nothing.
async fn pg_append(db: &Db, pool: &PgPool, job: Job) -> Result<Landed, Appended> {
    let writers = db.writers();
    in_group(&writers.waiting, writers.wait, job, writers.flights.acquire(), async |group| {
        pg_group_results(db, pool, group).await
    })
    .await
}

/// Holds the appends of `db` (this handle and its clones) back while it lives: they queue, and when it is dropped they
/// commit as one group (how the tests form a group on demand).
#[derive(Debug)]
pub enum AppendHold {
    Sqlite(Option<tokio::sync::OwnedMutexGuard<()>>),
    Postgres(tokio::sync::OwnedSemaphorePermit),
}

pub async fn hold(db: &Db) -> AppendHold {
    match db.pool() {
        Pool::Sqlite(_) => AppendHold::Sqlite(db.write_turn().await),
        Pool::Postgres(_) => AppendHold::Postgres(
            db.writers().flights.clone().acquire_many_owned(PG_FLIGHTS as u32).await.expect("never closed"),
        ),
    }
}

/// Writes a group and returns each append's result. If the group fails as a whole, what happens next
/// depends on whether the failure says what became of the statement:
///
/// - The database refused it (a sequence another command took first, a unique value taken, any error the
///   server reported): nothing of it was written. A group of one fails with that error; a larger group is
///   written again append by append, so the conflict stays with its own command.
/// - The answer never came (a connection lost, an I/O error): the statement commits on its own, so it may
///   have committed and taken the answer with it, and writing such an append again would meet its own
///   events and have its command judged a second time (a second assignment). So every append of the group
///   is first read back from the store: one found stored exactly as sent (type, payload and metadata, which
///   carries the request id) succeeded, and only the others are written again. All are read back before
///   any is written again: a rewritten append must not be found as another append's (two escalators
///   sending the same event, metadata and all, were once both answered as stored). If the store cannot be
///   read either, the append fails as unavailable (the one case still ambiguous to the client, who gets a
///   503; the log says so).
///
/// Reading back only when the outcome is unknown also keeps a command from being answered with another
/// command's events: a refused append of an event identical to the one that won (same payload and
/// metadata) was reported as stored.
async fn pg_group_results(db: &Db, pool: &PgPool, group: &[Job]) -> Vec<Result<Landed, Appended>> {
    let written = pg_write_group(db, pool, group).await;
    #[cfg(feature = "testing")]
    let written = lose_answer(db, written);
    let first = match written {
        Ok(landed) => return landed.into_iter().map(Ok).collect(),
        Err(e) => e,
    };
    // Refused: none of it was stored, and there is nothing to read back.
    let mut found = Vec::with_capacity(group.len());
    for job in group {
        found.push(if refused(&first) { Ok(None) } else { stored_as_sent(db, pool, job).await });
    }
    let mut first = Some(first);
    let mut results = Vec::with_capacity(group.len());
    for (job, found) in group.iter().zip(found) {
        results.push(match found {
            Ok(Some(landed)) => Ok(landed),
            Ok(None) if group.len() == 1 => Err(first.take().expect("one append, one error")),
            Ok(None) => pg_write_group(db, pool, std::slice::from_ref(job)).await.map(first_landed),
            Err(e) => Err(Appended::Failed(e)),
        });
    }
    results
}

/// Whether a failed group statement was refused by the database, so that nothing of it was written: the
/// server answered with an error, which in autocommit rolls the statement back. Anything else (no answer,
/// an I/O or protocol error) leaves its outcome unknown.
fn refused(failure: &Appended) -> bool {
    match failure {
        Appended::Conflict | Appended::Duplicate(_) => true,
        Appended::Failed(StoreError::Database(sqlx::Error::Database(_))) => true,
        Appended::Failed(_) => false,
    }
}

fn first_landed(mut landed: Vec<Landed>) -> Landed {
    landed.swap_remove(0)
}

/// Where the last event of `job` landed, if the store holds it exactly as sent (a numbered append: as sent
/// with the number its first stored event holds).
async fn stored_as_sent(db: &Db, pool: &PgPool, job: &Job) -> Result<Option<Landed>, StoreError> {
    let numbered;
    let (job, number) = match &job.numbered {
        None => (job, None),
        Some(n) => {
            let first = &job.events[0];
            let stored: Option<serde_json::Value> = sqlx::query_scalar(
                "SELECT payload FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3",
            )
            .bind(&job.aggregate_type)
            .bind(&first.aggregate_id)
            .bind(first.sequence as i64)
            .fetch_optional(pool)
            .await?;
            let Some(number) = stored.and_then(|p| p.pointer(&n.pointer)?.as_str().map(str::to_owned)) else {
                return Ok(None);
            };
            numbered = with_number(db, job, &number)?;
            (&numbered, Some(number))
        }
    };
    let last = job.events.last().ok_or_else(|| StoreError::EventStore("an append without events".into()))?;
    let found: Option<(i64, i64)> = sqlx::query_as(
        "SELECT tx::text::bigint, position FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
         AND sequence = $3 AND event_type = $4 AND payload = $5 AND metadata = $6",
    )
    .bind(&job.aggregate_type)
    .bind(&last.aggregate_id)
    .bind(last.sequence as i64)
    .bind(&last.event_type)
    .bind(&last.payload)
    .bind(&last.metadata)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|(tx, position)| Landed { checkpoint: Checkpoint { tx, position }, number }))
}

/// Makes the next group writes (as many as [`lose_next_answers`] said) fail after they committed.
#[cfg(feature = "testing")]
fn lose_answer(db: &Db, written: Result<Vec<Landed>, Appended>) -> Result<Vec<Landed>, Appended> {
    use std::sync::atomic::Ordering;
    let lose = written.is_ok()
        && db.writers().lose_answers.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    if lose {
        let lost =
            std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected: the answer to a commit was lost");
        return Err(Appended::Failed(StoreError::Database(sqlx::Error::Io(lost))));
    }
    written
}

/// Fault injection for tests (feature `testing`, PostgreSQL): the next `n` group writes of `db` commit and
/// then report a lost connection.
#[cfg(feature = "testing")]
pub fn lose_next_answers(db: &Db, n: usize) {
    db.writers().lose_answers.store(n, std::sync::atomic::Ordering::SeqCst);
}

/// The query for the highest stored numbers of `series`, from the inline table of the appends numbering
/// it.
fn numbers_sql(db: &Db, jobs: &[Job], series: &str) -> Result<String, StoreError> {
    let job = jobs
        .iter()
        .find(|j| j.numbered.as_ref().is_some_and(|n| n.series == series))
        .ok_or_else(|| StoreError::EventStore(format!("no append numbers {series}")))?;
    db.inline_table(&job.aggregate_type)?
        .highest_number_sql(db.backend(), "$1", "$2")
        .ok_or_else(|| StoreError::Config(format!("the inline table of {} holds no numbers", job.aggregate_type)))
}

/// The highest running number among `stored` (numbers of `series`), by value; 0 for an empty series.
fn highest_of(jobs: &[Job], series: &str, stored: &[String]) -> u64 {
    let Some(numbered) = jobs.iter().find_map(|j| j.numbered.as_ref().filter(|n| n.series == series)) else {
        return 0;
    };
    stored.iter().filter_map(|n| numbered.parse(n)).max().unwrap_or(0)
}

/// The group with the numbers allocated: each numbered append, in group order, takes the next number of its
/// series after `highest` (which it advances). Returns the appends as they are to be written (copies) and
/// each one's number.
fn allocate(
    db: &Db,
    jobs: &[Job],
    highest: &mut HashMap<String, u64>,
) -> Result<(Vec<Job>, Vec<Option<String>>), StoreError> {
    let mut written = Vec::with_capacity(jobs.len());
    let mut numbers = Vec::with_capacity(jobs.len());
    for job in jobs {
        let Some(n) = &job.numbered else {
            written.push(Job::new(&job.aggregate_type, job.events.clone(), job.row.clone(), None));
            numbers.push(None);
            continue;
        };
        let last = highest.entry(n.series.clone()).or_default();
        *last += 1;
        let number = n.format(*last);
        written.push(with_number(db, job, &number)?);
        numbers.push(Some(number));
    }
    Ok((written, numbers))
}

/// A copy of a numbered append with `number` written into its first event and its row.
fn with_number(db: &Db, job: &Job, number: &str) -> Result<Job, StoreError> {
    let Some(n) = &job.numbered else {
        return Err(StoreError::EventStore("an append without a number to allocate".into()));
    };
    let mut events = job.events.clone();
    let slot = events
        .first_mut()
        .and_then(|e| e.payload.pointer_mut(&n.pointer))
        .ok_or_else(|| StoreError::EventStore(format!("the first event has nothing at {}", n.pointer)))?;
    *slot = serde_json::Value::String(number.to_owned());
    let column = db.inline_table(&job.aggregate_type)?.number_column();
    let mut row = job.row.clone();
    let value = column
        .and_then(|c| row.as_mut()?.get_mut(c))
        .ok_or_else(|| StoreError::Config(format!("the inline table of {} holds no numbers", job.aggregate_type)))?;
    *value = match value {
        SqlValue::OptText(_) => SqlValue::OptText(Some(number.to_owned())),
        _ => SqlValue::Text(number.to_owned()),
    };
    Ok(Job::new(&job.aggregate_type, events, row, Some(n.clone())))
}

/// Writes the group in one statement ([`pg_group_sql`]): the numbers it allocates, a CTE inserting every event
/// of the group, and the upsert of their rows joined to the positions the events got. Autocommit: one
/// round trip and one commit, numbered appends included.
async fn pg_write_group(db: &Db, pool: &PgPool, jobs: &[Job]) -> Result<Vec<Landed>, Appended> {
    // A group holds one append per waiting command: far below PostgreSQL's 65,535 bound parameters.
    let events: Vec<(&str, &SerializedEvent)> =
        jobs.iter().flat_map(|j| j.events.iter().map(move |e| (j.aggregate_type.as_str(), e))).collect();
    let tables = db.rows_by_table(jobs)?;
    let numbering = Numbering::of(jobs);
    let numbers_table = match numbering.jobs.first() {
        None => None,
        Some((job, _, _)) => {
            if numbering.jobs.iter().any(|(j, _, _)| j.aggregate_type != job.aggregate_type) {
                return Err(StoreError::Config("one group numbers appends of two aggregate types".into()).into());
            }
            Some(db.inline_table(&job.aggregate_type)?)
        }
    };
    let numbered = numbers_table.as_ref().map(|t| (t, numbering.series.len(), numbering.jobs.len()));
    let sql = pg_group_sql(db, events.len(), &tables, numbered)?;
    let mut q = sqlx::query_as::<_, (String, String, i64, i64, i64, Option<String>)>(&sql);
    for (aggregate_type, e) in &events {
        q = bind_events!(q, *aggregate_type, std::iter::once(*e));
    }
    for (_, rows) in &tables {
        for (_, r) in rows {
            q = bind_row!(q, r);
        }
    }
    for (series, taken) in &numbering.series {
        q = q.bind(*series).bind(*taken);
    }
    for (job, n, k) in &numbering.jobs {
        let first = &job.events[0];
        q = q
            .bind(&job.aggregate_type)
            .bind(&first.aggregate_id)
            .bind(first.sequence as i64)
            .bind(json_path(&n.pointer))
            .bind(&n.series)
            .bind(*k);
    }
    // Matched by key: the order of returned rows is not promised.
    let landed: HashMap<(String, String, i64), Landed> = q
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(t, id, sequence, tx, position, number)| {
            ((t, id, sequence), Landed { checkpoint: Checkpoint { tx, position }, number })
        })
        .collect();
    jobs.iter()
        .map(|job| {
            let last = job.events.last().ok_or_else(|| StoreError::EventStore("an append without events".into()))?;
            let key = (job.aggregate_type.clone(), last.aggregate_id.clone(), last.sequence as i64);
            let landed = landed.get(&key).ok_or_else(|| StoreError::corrupt("an appended event vanished"))?;
            if job.numbered.is_some() != landed.number.is_some() {
                return Err(StoreError::corrupt("a numbered append landed without its number").into());
            }
            Ok(landed.clone())
        })
        .collect()
}

/// SQLite has one writer at a time and, with `synchronous = FULL`, one fsync per commit: appending each
/// command in its own transaction caps the commands per second at the disk's flushes per second, and
/// leaves commands queueing for the write lock. So a command puts its append in this file's waiting
/// list and waits for its turn to write ([`Db::write_turn`]). Whoever gets the turn takes *every*
/// append waiting at that moment and commits them in one `BEGIN IMMEDIATE` transaction ([`write_group`]:
/// all at once, or, if that fails, one by one in savepoints, so one command's conflict rolls back only its
/// own events and row); then it hands each command its result. A command whose append was taken by someone else's group gets its answer as soon
/// as that group has committed (and its fsync is done): nothing is acknowledged before it is durable,
/// and under no load a group is a single append, committed at once.
async fn sqlite_append(db: &Db, pool: &SqlitePool, job: Job) -> Result<Landed, Appended> {
    let writers = db.writers();
    in_group(&writers.waiting, writers.wait, job, db.write_turn(), async |group| {
        sqlite_group_results(db, pool, group).await
    })
    .await
}

/// Puts `job` in `waiting` and waits for its result. If `turn` comes before the answer, this command takes
/// every append waiting at that moment, writes them with `write` while holding the turn, and answers each;
/// otherwise its append was in a group someone else took, and the answer comes when that group has
/// committed. The group commit of both backends; only the turn and the writing differ.
///
/// The queue is bounded in time: an append still waiting after `wait` is withdrawn and fails as
/// unavailable, and so is one whose command stopped waiting (its future dropped). Withdrawn means never
/// written; once a group has taken an append it is written, and its answer is awaited (each statement is
/// bounded by the server's `statement_timeout`). So a command that gave up is either not committed or
/// committed with its events, `Idempotency-Key` included, never half-way.
async fn in_group<T>(
    waiting: &Waiting,
    wait: std::time::Duration,
    mut job: Job,
    turn: impl Future<Output = T>,
    write: impl AsyncFnOnce(&[Job]) -> Vec<Result<Landed, Appended>>,
) -> Result<Landed, Appended> {
    let (done, mut answer) = oneshot::channel();
    job.done = Some(done);
    let ticket = waiting.lock().unwrap_or_else(PoisonError::into_inner).push(job);
    let withdraw_on_drop = Withdraw { waiting, ticket };
    tokio::select! {
        biased;
        answered = &mut answer => return unanswered(answered),
        turn = tokio::time::timeout(wait, turn) => {
            let Ok(turn) = turn else {
                if withdraw_on_drop.now() {
                    return Err(Appended::Failed(StoreError::Busy(format!(
                        "the write queue did not reach this command within {} ms; nothing was written",
                        wait.as_millis()
                    ))));
                }
                // A group took it meanwhile: its answer is on the way.
                return unanswered(answer.await);
            };
            let mut group = std::mem::take(&mut waiting.lock().unwrap_or_else(PoisonError::into_inner).jobs);
            if !group.is_empty() {
                let results = write(&group).await;
                for (job, result) in group.iter_mut().zip(results) {
                    if let Some(done) = job.done.take() {
                        // The command may have stopped waiting (its task was dropped): its events stay
                        // committed.
                        let _ = done.send(result);
                    }
                }
            }
            drop(turn);
        }
    }
    // Our append was in the group we just committed, or in one committed before our turn came.
    unanswered(answer.await)
}

/// Takes an append back out of the waiting list when its command stops waiting before a group took it.
struct Withdraw<'a> {
    waiting: &'a Waiting,
    ticket: u64,
}

impl Withdraw<'_> {
    /// Whether the append was still waiting (and is now withdrawn, never to be written).
    fn now(&self) -> bool {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner).withdraw(self.ticket)
    }
}

impl Drop for Withdraw<'_> {
    fn drop(&mut self) {
        self.now();
    }
}

fn unanswered(answer: Result<Result<Landed, Appended>, oneshot::error::RecvError>) -> Result<Landed, Appended> {
    answer.unwrap_or_else(|_| Err(Appended::Failed(StoreError::EventStore("the append was dropped".into()))))
}

/// Writes a group of appends in one transaction and returns each one's result. A failure outside one
/// append (begin, commit, a savepoint that cannot be rolled back) fails every append of the group: nothing
/// is written.
async fn sqlite_group_results(db: &Db, pool: &SqlitePool, group: &[Job]) -> Vec<Result<Landed, Appended>> {
    match write_group(db, pool, group).await {
        Ok(results) => results,
        Err(e) => {
            let message = e.to_string();
            group.iter().map(|_| Err(Appended::Failed(StoreError::EventStore(message.clone())))).collect()
        }
    }
}

/// The group's appends in one transaction. First all at once: one multi-row `INSERT` of every event,
/// one query for the positions the trigger assigned, one multi-row upsert of the rows: a handful of
/// statements however large the group. If that fails (a command lost a race for its sequence to another
/// process, which this process's per-aggregate queue makes rare), everything is rolled back and the
/// appends are written again one by one, each in its own savepoint, so the failure stays with its own.
async fn write_group(db: &Db, pool: &SqlitePool, group: &[Job]) -> Result<Vec<Result<Landed, Appended>>, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    match write_all(db, &mut tx, group).await {
        Ok(landed) => {
            tx.commit().await?;
            return Ok(landed.into_iter().map(Ok).collect());
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
        let result = write_all(db, &mut tx, std::slice::from_ref(job)).await;
        if result.is_err() {
            sqlx::query("ROLLBACK TO append").execute(&mut *tx).await?;
        }
        sqlx::query("RELEASE append").execute(&mut *tx).await?;
        results.push(result.map(first_landed));
    }
    tx.commit().await?;
    Ok(results)
}

/// Writes these appends inside the transaction and returns, for each, the position of its last event (and
/// its number if it was numbered: the transaction holds the write lock, which is every series' lock, and
/// sees what the group's earlier savepoints wrote).
async fn write_all(db: &Db, tx: &mut Transaction<'static, Sqlite>, jobs: &[Job]) -> Result<Vec<Landed>, Appended> {
    let mut numbers = vec![None; jobs.len()];
    let numbered;
    let jobs = if jobs.iter().any(|j| j.numbered.is_some()) {
        let series: BTreeSet<&str> = jobs.iter().filter_map(|j| Some(j.numbered.as_ref()?.series.as_str())).collect();
        let mut highest = HashMap::new();
        for s in series {
            let sql = numbers_sql(db, jobs, s)?;
            let stored: Vec<String> =
                sqlx::query_scalar(&sql).bind(s).bind(format!("{s}:")).fetch_all(&mut **tx).await?;
            highest.insert(s.to_owned(), highest_of(jobs, s, &stored));
        }
        (numbered, numbers) = allocate(db, jobs, &mut highest)?;
        &numbered[..]
    } else {
        jobs
    };
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
    for (table, rows) in db.rows_by_table(jobs)? {
        for chunk in rows.chunks(200) {
            let upsert = table.upsert_sql(Backend::Sqlite, chunk.len());
            let mut q = sqlx::query(&upsert);
            for (n, r) in chunk {
                q = bind_row!(q, r).bind(positions[*n]);
            }
            q.execute(&mut **tx).await?;
        }
    }
    Ok(positions
        .into_iter()
        .zip(numbers)
        .map(|(position, number)| Landed { checkpoint: Checkpoint { tx: 0, position }, number })
        .collect())
}
