//! Santisuk's application layer: the use cases that the API, the web app and the CLI share.
//!
//! One function per command and per query, taking the caller ([`Caller`]) and typed input, deciding
//! authorisation (role and area scope) once, and returning typed results or an [`AppError`]. Requests
//! become commands here (`parse`, the `*Request` types and their `TryFrom`/`into_*`), so every adapter
//! converts them the same way. What a query answers is a read-model row, re-exported here (`IssueRow`,
//! `AreaRow`, …): the adapters shape their views from it without calling the projections themselves.
//!
//! - [`AppState`]: what the application builds at start-up and owns (the store handle, the projection
//!   runners, the caches) and running commands so they finish whatever the client does;
//! - [`command`]: running a command against an aggregate (load, decide, append) with its inline row;
//! - [`caller`]: who is acting, and what they may see and do;
//! - [`issues`], [`forums`], [`reference`], [`stats`], [`progress`], [`users`], [`audit`], [`sessions`]: the use cases;
//! - [`agencies`]: agencies, routing rules, who a problem waits for, ball-in-court figures (issue #17);
//! - [`admin`]: the command line's operator tasks;
//! - [`parse`]: request values (times, dates, `as_of`) into checked values;
//! - [`demo`]: the demo data generator.

pub mod admin;
pub mod agencies;
pub mod attachments;
pub mod audit;
pub mod caller;
pub mod case_numbers;
pub mod command;
pub mod demo;
pub mod error;
pub mod escalation;
pub mod forums;
pub mod issues;
pub mod notifications;
pub mod obstacles;
pub mod organisations;
pub mod parse;
pub mod password;
pub mod privacy;
pub mod progress;
pub mod reference;
pub mod report;
pub mod schema;
pub mod sessions;
pub mod stats;
pub mod users;
// Issue #17 §3, §6.
pub mod duplicates;
pub mod verdicts;
// Issue #18 §2.
pub mod import;
// Issue #18 §5: the Open311 GeoReport v2 façade.
pub mod open311;

pub use caller::Caller;
pub use error::AppError;
/// The store handle the binary opens and hands to [`AppState::prepare`].
pub use santisuk_store::{Db, StoreError};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use cqrs_es::Aggregate;
use santisuk_domain::category::{AddCategory, Category, CategoryCommand, SEED_CATEGORIES, SEED_OBSTACLE_CATEGORIES};
use santisuk_domain::values::{CategoryCode, IssueKind, Name};
use santisuk_projections::changes::Changes;
use santisuk_projections::ledger::Ledger;
use santisuk_projections::read_model::{KnownReferences, ReadModel};
use santisuk_projections::runner::Runner;
use santisuk_projections::stats::StatsCache;
use santisuk_projections::users::TokenCache;
use santisuk_store::events;

use crate::command::{AggregateCache, CommandError, Committed, InlineRow, execute, execute_cached};
use crate::error::DomainError;
use crate::password::Hashing;

/// Shared by every handler. Nothing in it is a source of truth: it can be rebuilt from the database.
/// One `Arc`: axum clones the state for every extractor of every request, and cloning (then dropping)
/// a dozen reference counts each time showed up in the command profile.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

/// How far the read model is behind the log: the committed events it has not applied (on PostgreSQL also
/// those still behind an open transaction), and how long the oldest of them has waited.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lag {
    pub events: i64,
    pub seconds: f64,
}

/// What [`AppState`] shares.
#[derive(Debug)]
pub struct Shared {
    pub db: Db,
    pub runner: Runner<ReadModel>,
    /// The tamper-evident hash chain: a second projection with its own checkpoint and lock.
    pub ledger: Runner<Ledger>,
    /// Bearer token → user, dropped whenever the runner commits a change to users.
    pub tokens: TokenCache,
    /// Each aggregate as this process's last command left it (write side only; checked by the append).
    pub aggregates: AggregateCache,
    /// Areas and categories known to exist (checked before every raise; never removed once they exist).
    pub references: KnownReferences,
    /// The province prefix of each area's case numbers (the store allocates the numbers).
    pub case_numbers: case_numbers::CaseNumbers,
    /// Live statistics per query until the read model changes (the dashboards' full scans).
    pub stats: StatsCache,
    /// The read model's generation counters, which the token and statistics caches compare against.
    pub changes: Changes,
    /// The slots for Argon2 computations (sign-ins, new passwords).
    pub hashing: Hashing,
    /// How many failed sign-ins lock a name, an address, or everyone, for a while.
    pub throttle: sessions::Throttle,
    /// Below how many hidden restricted cases a statistics group leaves them out, for readers who may not
    /// read them (`--small-cell-threshold`; see `stats::Suppression`).
    small_cell_threshold: std::sync::atomic::AtomicI64,
    /// Spreading marks are checked for cycles and given one at a time (see `progress::reach_area`).
    pub reach: tokio::sync::Mutex<()>,
    /// The notifications outbox projection (issue #17 §5), its settings, and the deliverer's wake-up.
    pub notifications: Runner<santisuk_projections::notifications::Notifications>,
    pub notifier: notifications::Notifier,
    pub notify_wake: tokio::sync::Notify,
    /// Whether the background escalator's passes run (issue #17 §2); on unless switched off.
    escalator: std::sync::atomic::AtomicBool,
    /// Duplicate marks are checked for chains and given one at a time (see `duplicates::mark`).
    pub duplicate_marks: tokio::sync::Mutex<()>,
    /// The commands this process may hold at once, running or waiting (see [`AppState::command`]).
    pending: Arc<tokio::sync::Semaphore>,
    max_pending: usize,
    /// What uploads may be (size, whether photos keep their metadata); see `attachments::Policy`.
    pub attachment_policy: attachments::Policy,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// How long a command waits for its effect to reach the read model before answering. Usually a few
/// milliseconds; if the projection is behind, the command still succeeds and says where it landed.
const READ_YOUR_WRITES: Duration = Duration::from_secs(2);

/// How many commands one process holds at once by default, running or waiting for their aggregate or for
/// the write queue. Far above what the 106 coordinators send together; a burst beyond it (a script gone
/// wrong, clients retrying in a loop against a stalled database) is shed with 503 at once instead of
/// queueing without bound.
pub const MAX_PENDING_COMMANDS: usize = 512;

impl AppState {
    /// Migrates, seeds the categories on a new database, catches the projection up (healing any crash
    /// between a commit and its projection) and returns the state. The runner is started by
    /// [`AppState::spawn_runner`].
    pub async fn prepare(db: Db) -> Result<AppState, StoreError> {
        Self::prepare_with(db, MAX_PENDING_COMMANDS).await
    }

    /// [`AppState::prepare`], holding at most `max_pending_commands` commands at once (the server's
    /// `--max-pending-commands`).
    pub async fn prepare_with(db: Db, max_pending_commands: usize) -> Result<AppState, StoreError> {
        // Migrating needs CREATE rights; a service running as a role that may only SELECT and INSERT (see
        // the README's section on database roles) starts fine once `santisuk migrate` has been run by the owner.
        if !db.migrations_applied().await.unwrap_or(false) {
            db.migrate().await?;
        }
        // A database set up with another master key is refused before anything is read or written.
        if let Some(vault) = db.vault() {
            vault.check(&db).await?;
        }
        // Commands on issues and users write the aggregate's row with their events.
        santisuk_projections::read_model::register_inline_tables(&db);
        seed_categories(&db).await?;
        let changes = Changes::default();
        let runner = Runner::new(db.clone(), ReadModel::new(changes.clone()));
        runner.catch_up().await?;
        let ledger = Runner::new(db.clone(), Ledger);
        ledger.catch_up().await?;
        let notifications = Runner::new(db.clone(), santisuk_projections::notifications::Notifications);
        notifications.catch_up().await?;
        Ok(AppState(Arc::new(Shared {
            db,
            runner,
            ledger,
            tokens: TokenCache::new(changes.clone()),
            aggregates: AggregateCache::default(),
            references: KnownReferences::default(),
            case_numbers: case_numbers::CaseNumbers::default(),
            stats: StatsCache::new(changes.clone()),
            changes,
            hashing: Hashing::default(),
            throttle: sessions::Throttle::default(),
            small_cell_threshold: std::sync::atomic::AtomicI64::new(santisuk_projections::stats::SMALL_CELL_THRESHOLD),
            reach: tokio::sync::Mutex::new(()),
            notifications,
            notifier: notifications::Notifier::new(),
            notify_wake: tokio::sync::Notify::new(),
            escalator: std::sync::atomic::AtomicBool::new(true),
            duplicate_marks: tokio::sync::Mutex::new(()),
            pending: Arc::new(tokio::sync::Semaphore::new(max_pending_commands.max(1))),
            max_pending: max_pending_commands.max(1),
            attachment_policy: attachments::Policy::default(),
        })))
    }

    /// Runs the projections (read model, ledger and the notifications' outbox, each in its own task) in
    /// the background until `shutdown` resolves; the handle finishes when all have stopped. One-shot
    /// commands (the CLI's) run only these: a command that fails at once must not take a half-started
    /// escalation pass or delivery down with it.
    pub fn spawn_runner(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        self.spawn_tasks(shutdown, false)
    }

    /// What a server runs beside its requests: the projections of [`AppState::spawn_runner`], the
    /// escalator (issue #17 §2; safe on every instance at once, the aggregate refuses a level reached)
    /// and the notifications' deliverer (§5).
    pub fn spawn_service(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        self.spawn_tasks(shutdown, true)
    }

    fn spawn_tasks(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
        service: bool,
    ) -> tokio::task::JoinHandle<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let mut tasks = vec![
            tokio::spawn(self.runner.clone().run(until_stopped(stopped.clone()))),
            tokio::spawn(self.ledger.clone().run(until_stopped(stopped.clone()))),
            tokio::spawn(self.notifications.clone().run(until_stopped(stopped.clone()))),
        ];
        if service {
            tasks.push(tokio::spawn(escalation::run_escalator(self.clone(), until_stopped(stopped.clone()))));
            tasks.push(tokio::spawn(notifications::run_deliverer(self.clone(), until_stopped(stopped))));
        }
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
            for task in tasks {
                let _ = task.await;
            }
        })
    }

    /// Runs a command to completion in its own task (hyper drops a handler's future when the client goes
    /// away; a command must not stop half-way for that) and makes its effect readable before answering.
    /// Every wait on the way is bounded: beyond [`MAX_PENDING_COMMANDS`] (or the configured bound) held at
    /// once a command is refused at once, and its waits for its aggregate and for the write queue end after
    /// the database timeout; each answers 503 `unavailable` with nothing written.
    ///
    /// A command on an issue wrote the issue's row with its events, so it answers at once and only tells
    /// the projections that events are waiting (they gather them into larger batches). Any other command
    /// (forums, reference data, users) wakes the read model and waits briefly for it, so that a read right
    /// after the answer sees the change.
    pub async fn command<A>(
        &self,
        aggregate_id: String,
        command: A::Command,
        metadata: HashMap<String, String>,
        expected_version: Option<i64>,
    ) -> Result<Committed<A>, AppError>
    where
        A: InlineRow<Services = ()> + Clone + 'static,
        A::Command: Clone + Send + 'static,
        A::Error: DomainError + Send + 'static,
    {
        // Shed, not queued, beyond the bound: a command refused here has done nothing.
        let pending = self.pending.clone().try_acquire_owned().map_err(|_| AppError::Unavailable {
            message: "the server has too many commands waiting; nothing was written, try again shortly".into(),
        })?;
        let state = self.clone();
        let task = tokio::spawn(async move {
            let _pending = pending;
            let committed =
                execute_cached::<A>(&state.aggregates, &state.db, &aggregate_id, command, metadata, expected_version)
                    .await?;
            // Before answering: cached statistics must not outlive the change (read-your-writes), nor cached
            // token lookups a change of a user (the row is already written: the next request reads it).
            state.changes.read_model_changed();
            if A::TYPE == santisuk_domain::user::User::TYPE {
                state.changes.users_changed();
            }
            // The ledger is never read right after a command: it always gathers.
            state.ledger.wake_soon();
            state.notifications.wake_soon();
            if A::INLINE {
                state.runner.wake_soon();
                return Ok(committed);
            }
            state.runner.wake();
            if !state.runner.wait_for(committed.checkpoint, READ_YOUR_WRITES).await? {
                tracing::warn!(position = committed.position, "projection is behind; answering anyway");
            }
            Ok::<_, CommandError<A::Error>>(committed)
        });
        match task.await {
            Ok(result) => result.map_err(AppError::from),
            Err(e) => Err(AppError::Internal(format!("command task failed: {e}"))),
        }
    }

    /// The small-cell threshold of statistics (see [`AppState::set_small_cell_threshold`]).
    pub fn small_cell_threshold(&self) -> i64 {
        self.small_cell_threshold.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets below how many hidden restricted cases a statistics group leaves them out (at least 1; the
    /// server's `--small-cell-threshold`, default 5). Cached statistics are keyed by it, so none outlives it.
    pub fn set_small_cell_threshold(&self, threshold: u32) {
        self.small_cell_threshold.store(i64::from(threshold.max(1)), std::sync::atomic::Ordering::Relaxed);
    }

    /// The commands this process holds now, running or waiting (for `/readyz`: a count near the bound
    /// means commands are about to be shed).
    /// Switches the background escalator's passes on or off (tests run the passes themselves).
    pub fn set_escalator(&self, on: bool) {
        self.escalator.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn escalator_on(&self) -> bool {
        self.escalator.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn pending_commands(&self) -> usize {
        self.max_pending - self.pending.available_permits()
    }

    /// The projections whose last turn failed or panicked and has not succeeded since (for `/readyz`; the
    /// reason is in the log).
    pub fn failing_projections(&self) -> Vec<&'static str> {
        let failing = [
            (self.runner.name(), self.runner.failure()),
            (self.ledger.name(), self.ledger.failure()),
            (self.notifications.name(), self.notifications.failure()),
        ];
        failing.into_iter().filter(|(_, failure)| failure.is_some()).map(|(name, _)| name).collect()
    }

    /// How far the read model is behind the log (for `/readyz`).
    pub async fn projection_lag(&self) -> Result<Lag, StoreError> {
        let (events, oldest) = events::lag_after(&self.db, self.runner.checkpoint().await?).await?;
        let seconds = oldest.map_or(0.0, |t| (now() - t).num_milliseconds().max(0) as f64 / 1000.0);
        Ok(Lag { events, seconds })
    }

    /// Whether every migration is applied (for `/readyz`).
    pub async fn migrations_applied(&self) -> Result<bool, StoreError> {
        self.db.migrations_applied().await
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.db.backend() {
            santisuk_store::Backend::Sqlite => "sqlite",
            santisuk_store::Backend::Postgres => "postgres",
        }
    }
}

/// The server clock, truncated to milliseconds: the precision of SQLite's recorded time, so an event's
/// `at` defaulted to now is never later than its recorded time.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// Adds the 13 standard categories to a database that has never had any, and the 7 categories of
/// coordinators' obstacles to any database that lacks them (one seeded before they existed gets them at its
/// next start; an obstacle category already there is left as it is). Recorded as events by the actor
/// `system`, so auditors see where they came from. Safe when two instances start together.
pub async fn seed_categories(db: &Db) -> Result<(), StoreError> {
    let standard = events::count_of_type(db, Category::TYPE).await? == 0;
    // The last one is added last: when it is there, so are the others.
    let obstacles = events::aggregate_history(db, Category::TYPE, SEED_OBSTACLE_CATEGORIES[6].0).await?.is_empty();
    let metadata = HashMap::from([("actor".to_owned(), "system".to_owned())]);
    let seeds = SEED_CATEGORIES
        .iter()
        .filter(|_| standard)
        .map(|s| (s, IssueKind::Community))
        .chain(SEED_OBSTACLE_CATEGORIES.iter().filter(|_| obstacles).map(|s| (s, IssueKind::Obstacle)));
    for (&(code, th, en), kind) in seeds {
        let command = CategoryCommand::Add(AddCategory {
            code: CategoryCode::parse(code).expect("seed codes are valid"),
            name_th: Name::parse(th).expect("seed names are valid"),
            name_en: Name::parse(en).expect("seed names are valid"),
            kind,
        });
        match execute::<Category>(db, code, command, metadata.clone(), None).await {
            Ok(_) | Err(CommandError::Rejected(_)) => {}
            Err(CommandError::Store(e)) => return Err(e),
            Err(e) => return Err(StoreError::EventStore(e.to_string())),
        }
    }
    Ok(())
}
