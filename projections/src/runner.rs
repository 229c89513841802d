//! The projection runner: applies stored events, in gap-safe global order, to a projection's tables,
//! advancing its checkpoint in the same transaction (exactly-once effect), one runner at a time.
//!
//! Why not cqrs-es' in-process queries: they run after the commit, swallow their errors and lose updates
//! under concurrency, and a crash between commit and dispatch leaves the view wrong for ever. Here the
//! event store is the queue: whatever was committed is projected, by whichever instance holds the lock,
//! however the writer died.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::{Notify, watch};

use santisuk_store::db::{Db, DbTx, Pool};
use santisuk_store::error::StoreError;
use santisuk_store::events::{self, Checkpoint, Covered, StoredEvent, read_batch, read_batch_for};

/// A read model fed by the runner. Every `apply` must be deterministic (a function of the events only),
/// so that a rebuild reproduces the live tables exactly.
pub trait Projection: Send + Sync + 'static {
    /// Names the checkpoint row and the advisory lock. Frozen once deployed.
    const NAME: &'static str;

    /// Applies a batch of events, in order, inside the batch transaction: the effect must equal applying
    /// them one by one (implementations load what the batch touches once and write it back once, instead
    /// of a read and a write per event). An error aborts the whole batch: nothing is skipped. Errors about
    /// one event name it ([`at_event`]).
    fn apply(&self, tx: &mut DbTx, events: &[StoredEvent]) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Applies a batch of a rebuild: like [`Projection::apply`], in the rebuild's transaction after
    /// [`Projection::reset`], so the tables hold nothing but what this rebuild wrote (a projection may
    /// skip looking for rows it knows cannot exist yet).
    fn replay(&self, tx: &mut DbTx, events: &[StoredEvent]) -> impl Future<Output = Result<(), StoreError>> + Send {
        self.apply(tx, events)
    }

    /// The tables [`Projection::reset`] empties: after a rebuild they are vacuumed and analysed on
    /// PostgreSQL (every old row is dead then, and the planner's statistics describe the old tables).
    const TABLES: &'static [&'static str];

    /// Empties the projection's tables (for a rebuild), inside the rebuild transaction.
    fn reset(&self, tx: &mut DbTx) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Upkeep inside every live batch's transaction, after [`Projection::apply`] (also when every event of
    /// the batch was covered and nothing was applied); not in a rebuild.
    fn tend(&self, _tx: &mut DbTx) -> impl Future<Output = Result<(), StoreError>> + Send {
        async { Ok(()) }
    }

    /// Finishes a rebuild inside its transaction, after the last [`Projection::replay`] (a projection that
    /// paused derived tables in [`Projection::reset`] recounts them here).
    fn finish_rebuild(&self, _tx: &mut DbTx) -> impl Future<Output = Result<(), StoreError>> + Send {
        async { Ok(()) }
    }

    /// Events this projection need not read in full in live running, because their aggregate's row was
    /// written with them ([`Covered`]): the runner reads them as positions only, applies the rest and moves
    /// the checkpoint over both. `None` (the default): every event is read and applied. A rebuild reads
    /// every event whatever this says (it starts from empty tables).
    const COVERED: Option<Covered> = None;

    /// Called after a batch (or a rebuild) has committed, before waiters hear of it: the place to drop
    /// in-process caches of what the batch changed. `covered` counts the events the batch passed over
    /// ([`Projection::COVERED`]): their writers changed the tables, this instance's or another's.
    fn committed(&self, _events: &[StoredEvent], _covered: usize) {}

    /// Called after a rebuild has committed (every table was replaced).
    fn rebuilt(&self) {}

    /// Called when the stored checkpoint was seen to move while another instance held the projection's
    /// lock: that instance applied events this process's caches may hold older answers for.
    fn advanced_elsewhere(&self) {}
}

/// Drives one projection. Cheap to clone; clones share the wake-up and progress channels.
#[derive(Debug)]
pub struct Runner<P> {
    db: Db,
    projection: Arc<P>,
    wake: Arc<Notify>,
    soon: Arc<Notify>,
    progress: Arc<watch::Sender<Checkpoint>>,
    batch_size: i64,
    /// Why the last turn of [`Runner::run`] failed or panicked (`None` once a turn succeeds).
    failure: Arc<Mutex<Option<String>>>,
    /// When an idle turn last looked for a restored log (see [`HEAL_EVERY`]).
    healed: Arc<Mutex<Option<std::time::Instant>>>,
    /// Whether the last turn found the projection's lock held by another instance: then this runner lets
    /// that instance project and stops answering [`Runner::wake_soon`] until its next poll or
    /// [`Runner::wake`]. Three instances each trying after every batch of their own commands cost
    /// PostgreSQL a transaction (begin, lock, rollback) per loser per batch (P11).
    elsewhere: Arc<AtomicBool>,
}

/// How often an idle runner checks whether the log was restored from another cluster: a query per idle
/// turn cost P1 a few per cent; writers check on every append anyway.
const HEAL_EVERY: Duration = Duration::from_secs(5);

impl<P> Clone for Runner<P> {
    fn clone(&self) -> Self {
        Runner {
            db: self.db.clone(),
            projection: self.projection.clone(),
            wake: self.wake.clone(),
            soon: self.soon.clone(),
            progress: self.progress.clone(),
            batch_size: self.batch_size,
            failure: self.failure.clone(),
            healed: self.healed.clone(),
            elsewhere: self.elsewhere.clone(),
        }
    }
}

/// How often an idle runner looks for events written by other instances (they cannot wake it).
const POLL: Duration = Duration::from_millis(250);

/// How long a runner woken by [`Runner::wake_soon`] gathers events before its batch: under load, one
/// batch (one transaction) for the events of many commands instead of one each, for at most this much
/// more projection lag.
const GATHER: Duration = Duration::from_millis(25);

impl<P: Projection> Runner<P> {
    pub fn new(db: Db, projection: P) -> Self {
        Runner {
            db,
            projection: Arc::new(projection),
            wake: Arc::new(Notify::new()),
            soon: Arc::new(Notify::new()),
            progress: Arc::new(watch::Sender::new(Checkpoint::default())),
            batch_size: 500,
            failure: Arc::default(),
            healed: Arc::default(),
            elsewhere: Arc::default(),
        }
    }

    /// The projection's name (its checkpoint row).
    pub fn name(&self) -> &'static str {
        P::NAME
    }

    /// Why the last turn of [`Runner::run`] failed or panicked, while it has not succeeded since.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Tells the runner new events are there and someone waits for them: it starts a batch at once.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Tells the runner new events are there that nobody waits for: it starts a batch within [`GATHER`],
    /// with whatever has arrived by then (or at once, if [`Runner::wake`] is called meanwhile).
    pub fn wake_soon(&self) {
        self.soon.notify_one();
    }

    /// The projection's checkpoint as stored.
    pub async fn checkpoint(&self) -> Result<Checkpoint, StoreError> {
        load_checkpoint(&self.db, P::NAME).await
    }

    /// Applies one batch. Returns how many events it passed, applied or covered
    /// ([`Projection::COVERED`]): 0 when caught up, or when another instance holds this projection's lock.
    pub async fn run_once(&self) -> Result<usize, StoreError> {
        let _turn = self.db.write_turn().await;
        let mut tx = self.db.begin_write().await?;
        let locked = try_lock(&mut tx, P::NAME).await?;
        self.elsewhere.store(!locked, Ordering::Relaxed);
        if !locked {
            drop(tx);
            // Another instance is projecting; publish its progress so local waiters see it.
            let stored = self.checkpoint().await?;
            if self.progress.send_if_modified(|c| replace_if_newer(c, stored)) {
                self.projection.advanced_elsewhere();
            }
            return Ok(0);
        }
        let from = checkpoint_in(&mut tx, P::NAME).await?;
        let mut batch = read_batch_for(&mut tx, from, self.batch_size, P::COVERED.as_ref()).await?;
        events::open(&self.db, &mut batch.events).await?;
        let Some(last) = batch.last else {
            drop(tx);
            // A stored checkpoint ahead of what this runner published means another instance projected
            // between our turns (it released the lock before we asked): as in the branch above.
            if self.progress.send_if_modified(|c| replace_if_newer(c, from)) {
                self.projection.advanced_elsewhere();
            }
            // Nothing below the horizon: on a database restored from another cluster, that is every new
            // event until the restore base is raised (see `heal_restored_tx`). Heal (at most every
            // HEAL_EVERY: writers heal by themselves, this is for a restored log nobody writes to), and go
            // again at once if it helped.
            if due(&self.healed, HEAL_EVERY) && heal(&self.db).await? {
                self.wake.notify_one();
            }
            return Ok(0);
        };
        if let Some(first) = batch.events.first() {
            self.projection.apply(&mut tx, &batch.events).await.map_err(|e| {
                StoreError::Corrupt(format!(
                    "projection {} failed in the batch of positions {}..={}: {e}",
                    P::NAME,
                    first.position,
                    last.position
                ))
            })?;
        }
        self.projection.tend(&mut tx).await?;
        save_checkpoint(&mut tx, P::NAME, last).await?;
        tx.commit().await?;
        self.projection.committed(&batch.events, batch.covered);
        self.progress.send_if_modified(|c| replace_if_newer(c, last));
        Ok(batch.len())
    }

    /// Applies batches until nothing is left. A batch smaller than the batch size means the runner has
    /// reached the horizon, so it stops there instead of paying a second, empty transaction (events that
    /// arrive meanwhile wake it again).
    pub async fn catch_up(&self) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let n = self.run_once().await?;
            total += n;
            if n < self.batch_size as usize {
                return Ok(total);
            }
        }
    }

    /// Empties the projection and replays every event from position 0, in one transaction: readers see
    /// the old tables until the new ones are complete, and a failure leaves the old ones in place.
    pub async fn rebuild(&self) -> Result<usize, StoreError> {
        heal(&self.db).await?;
        let _turn = self.db.write_turn().await;
        let mut tx = self.db.begin_write().await?;
        if let DbTx::Postgres(t) = &mut tx {
            // A rebuild's batches and its wait for the lock may take longer than a request may.
            sqlx::query("SET LOCAL statement_timeout = 0").execute(&mut **t).await?;
        }
        lock_blocking(&mut tx, P::NAME).await?;
        // Every event committed before the rebuild began must be replayed; fewer means the log is not
        // being read in full (it happened after a logical restore), and the old tables are kept.
        let stored: i64 = santisuk_store::on_tx!(&mut tx, t => sqlx::query_scalar("SELECT COUNT(*) FROM events")
            .fetch_one(&mut **t).await?);
        self.projection.reset(&mut tx).await?;
        let mut from = Checkpoint::default();
        let mut total = 0;
        loop {
            let mut events = read_batch(&mut tx, from, 5_000).await?;
            events::open(&self.db, &mut events).await?;
            let Some(last) = events.last().map(StoredEvent::checkpoint) else {
                // Nothing more is visible. On PostgreSQL, events of transactions that started before this
                // one may still be committing: wait until they have all finished, so the rebuild covers
                // everything committed before it began (later events go to the live runner).
                if older_writers_finished(&mut tx).await? {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            self.projection.replay(&mut tx, &events).await?;
            total += events.len();
            from = last;
        }
        if (total as i64) < stored {
            return Err(StoreError::Corrupt(format!(
                "the rebuild of {} read {total} events but the log held {stored} when it began: the old \
                 tables are kept. Was the database restored while the server ran? Restart Santisuk and try again",
                P::NAME
            )));
        }
        self.projection.finish_rebuild(&mut tx).await?;
        save_checkpoint(&mut tx, P::NAME, from).await?;
        tx.commit().await?;
        self.projection.rebuilt();
        self.progress.send_replace(from);
        drop(_turn);
        // A rebuild leaves every old row dead: without this, the statistics over the issue table ran ~2× slower
        // until autovacuum came by (P6a after three rebuilds). Outside the transaction (VACUUM cannot run in
        // one); a failure here leaves a correct rebuild, so it is only logged.
        if let Pool::Postgres(p) = self.db.pool() {
            // On a session of its own with no statement timeout: a vacuum of a large table may take minutes.
            let vacuum = async {
                let mut conn = p.acquire().await?;
                sqlx::query("SET statement_timeout = 0").execute(&mut *conn).await?;
                let sql = format!("VACUUM (ANALYZE) {}", P::TABLES.join(", "));
                sqlx::query(&sql).execute(&mut *conn).await?;
                sqlx::query("RESET statement_timeout").execute(&mut *conn).await.map(|_| ())
            };
            if let Err(e) = vacuum.await {
                tracing::warn!(projection = P::NAME, error = %e, "vacuum after the rebuild failed");
            }
        }
        Ok(total)
    }

    /// Waits until the projection has applied the event at `target`, or `timeout` passes. Returns
    /// whether it got there (read-your-writes for commands and for reads that ask for it).
    pub async fn wait_for(&self, target: Checkpoint, timeout: Duration) -> Result<bool, StoreError> {
        let mut rx = self.progress.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if *rx.borrow_and_update() >= target {
                return Ok(true);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            // Usually the local runner gets there within milliseconds and the watch wakes us. Only when it
            // stays quiet (another instance holds the lock and is the one projecting) look at the stored
            // checkpoint: no database round trip on the common path.
            let step = (deadline - now).min(Duration::from_millis(50));
            if tokio::time::timeout(step, rx.changed()).await.is_err() && self.checkpoint().await? >= target {
                return Ok(true);
            }
        }
    }

    /// Runs the projection until `shutdown` resolves: catch up, then sleep until woken or until the poll
    /// interval passes. A failing batch is logged and retried (with back-off); it never skips an event.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        tokio::pin!(shutdown);
        let mut backoff = Duration::from_millis(100);
        loop {
            // Each turn in a task of its own: a panic ends that task only, and the runner goes on after a
            // back-off as after an error (supervised), instead of stopping this projection silently.
            let turn = tokio::spawn({
                let runner = self.clone();
                async move { runner.catch_up().await }
            });
            let failure = match turn.await {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some(format!("failed: {e}")),
                // Nothing here aborts a turn: a cancelled one means the runtime is shutting down (a CLI
                // command returning), which is no failure to log or retry.
                Err(e) if e.is_cancelled() => return,
                Err(e) => Some(format!("panicked: {e}")),
            };
            *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = failure.clone();
            match failure {
                None => backoff = Duration::from_millis(100),
                Some(what) => {
                    tracing::error!(projection = P::NAME, error = %what, retry_in = ?backoff, "a projection turn did not complete");
                    tokio::select! {
                        _ = &mut shutdown => return,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    // At most 5 s: once the database is back, projections resume within that.
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            }
            tokio::select! {
                _ = &mut shutdown => return,
                _ = self.wake.notified() => {}
                // Another instance holds the lock: it projects, woken by its own commands; this one only
                // polls, or answers a wake (someone waits here).
                _ = self.soon.notified(), if !self.elsewhere.load(Ordering::Relaxed) => {
                    tokio::select! {
                        _ = &mut shutdown => return,
                        _ = self.wake.notified() => {}
                        _ = tokio::time::sleep(GATHER) => {}
                    }
                }
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}

/// An error about one event of a batch, naming it (position, type, aggregate and sequence).
pub fn at_event(event: &StoredEvent, what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!(
        "at position {} ({} {}#{}): {what}",
        event.position, event.event_type, event.aggregate_id, event.sequence
    ))
}

fn replace_if_newer(current: &mut Checkpoint, new: Checkpoint) -> bool {
    if new > *current {
        *current = new;
        true
    } else {
        false
    }
}

/// The advisory-lock key of a projection: the first 8 bytes of SHA-256("santisuk:projection:" + name).
fn lock_key(name: &str) -> i64 {
    let digest = Sha256::digest(format!("santisuk:projection:{name}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Takes the projection's lock for this transaction if free. SQLite: `BEGIN IMMEDIATE` already made this
/// transaction the only writer.
///
/// On PostgreSQL the same statement relaxes the durability of this transaction only
/// (`synchronous_commit = off`, one round trip for both): a projection batch need not wait for its WAL
/// flush, because its effects and its checkpoint commit together, so a crash can lose only the last few
/// batches as a whole, and the runner re-applies them from the durable event log at the next start. The
/// events themselves are still committed durably by the command's own statement. (The checkpoint is read
/// by the next statement, whose snapshot is taken after the lock is held.)
async fn try_lock(tx: &mut DbTx, name: &str) -> Result<bool, StoreError> {
    match tx {
        DbTx::Sqlite(_) => Ok(true),
        DbTx::Postgres(t) => {
            let (locked, _): (bool, String) =
                sqlx::query_as("SELECT pg_try_advisory_xact_lock($1), set_config('synchronous_commit', 'off', true)")
                    .bind(lock_key(name))
                    .fetch_one(&mut **t)
                    .await?;
            Ok(locked)
        }
    }
}

async fn lock_blocking(tx: &mut DbTx, name: &str) -> Result<(), StoreError> {
    if let DbTx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(lock_key(name)).execute(&mut **t).await?;
    }
    Ok(())
}

/// [`events::heal_restored_tx`], logged: whether the restore base was raised.
async fn heal(db: &Db) -> Result<bool, StoreError> {
    let raised = events::heal_restored_tx(db).await?;
    if raised > 0 {
        tracing::warn!(
            raised_by = raised,
            "the event log holds transaction ids ahead of this PostgreSQL cluster's (it was restored from \
             another cluster): new events are now ordered after the restored ones"
        );
    }
    Ok(raised > 0)
}

/// Whether every write transaction older than this one has finished (always true on SQLite, where this
/// transaction is the only writer).
async fn older_writers_finished(tx: &mut DbTx) -> Result<bool, StoreError> {
    match tx {
        DbTx::Sqlite(_) => Ok(true),
        DbTx::Postgres(t) => {
            Ok(sqlx::query_scalar("SELECT pg_snapshot_xmin(pg_current_snapshot()) >= pg_current_xact_id()")
                .fetch_one(&mut **t)
                .await?)
        }
    }
}

async fn checkpoint_in(tx: &mut DbTx, name: &str) -> Result<Checkpoint, StoreError> {
    let row: Option<(i64, i64)> = santisuk_store::on_tx!(tx, t => sqlx::query_as(
        "SELECT tx, position FROM projection_checkpoints WHERE name = $1")
        .bind(name).fetch_optional(&mut **t).await?);
    Ok(row.map(|(tx, position)| Checkpoint { tx, position }).unwrap_or_default())
}

/// A projection's stored checkpoint, read outside any batch.
pub async fn load_checkpoint(db: &Db, name: &str) -> Result<Checkpoint, StoreError> {
    let row: Option<(i64, i64)> = santisuk_store::on_db!(db, p => sqlx::query_as(
        "SELECT tx, position FROM projection_checkpoints WHERE name = $1")
        .bind(name).fetch_optional(p).await?);
    Ok(row.map(|(tx, position)| Checkpoint { tx, position }).unwrap_or_default())
}

async fn save_checkpoint(tx: &mut DbTx, name: &str, at: Checkpoint) -> Result<(), StoreError> {
    santisuk_store::on_tx!(tx, t => sqlx::query(
        "INSERT INTO projection_checkpoints (name, tx, position) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET tx = excluded.tx, position = excluded.position")
        .bind(name).bind(at.tx).bind(at.position).execute(&mut **t).await.map(|_| ())?);
    Ok(())
}

/// Whether `every` has passed since `last` (or nothing ran yet); if so, `last` becomes now. For upkeep a
/// runner does at most so often (heals, the statistics counters' compaction).
pub(crate) fn due(last: &std::sync::Mutex<Option<std::time::Instant>>, every: Duration) -> bool {
    let mut last = last.lock().unwrap_or_else(PoisonError::into_inner);
    let due = last.is_none_or(|t| t.elapsed() >= every);
    if due {
        *last = Some(std::time::Instant::now());
    }
    due
}
