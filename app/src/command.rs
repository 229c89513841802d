//! Running a command against an aggregate in the event store, with optimistic concurrency, and reporting
//! where its events landed in the global order.
//!
//! We drive cqrs-es ourselves (load → `Aggregate::handle` → append, the same three steps as
//! `CqrsFramework::execute_with_metadata`) because we need what the framework throws away: the committed
//! events (for the new version and position) and the loaded version (for `If-Match`). cqrs-es provides the
//! `Aggregate` (`handle`/`apply`), the `EventSink` and the serialised form of events; loading and appending
//! are the store's own SQL over the postgres-es/sqlite-es table layout (`santisuk_store::load`,
//! `santisuk_store::append`): fewer round trips, and no snapshot store (cqrs-es 0.5's aggregate and
//! snapshot stores apply each event twice). A plain cqrs-es `CqrsFramework` can run on the same store
//! through `santisuk_store::repository::EventRepository`.
//!
//! A command on an issue or a user also writes the aggregate's read-model row in the same atomic statement
//! as its events ([`InlineRow`], into the table the read model registered with the store): the issue list,
//! the issue page and the statistics are current the moment the command answers, and a grant or a
//! revocation holds on every instance from that moment, with no wait for the projection runner.

use std::any::Any;
use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use tokio::sync::Mutex;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::SerializedEvent;
use cqrs_es::{Aggregate, EventEnvelope};

use santisuk_domain::agency::Agency;
use santisuk_domain::area::Area;
use santisuk_domain::category::Category;
use santisuk_domain::forum::Forum;
use santisuk_domain::issue::{Issue, IssueEvent};
use santisuk_domain::organisation::Organisation;
use santisuk_domain::routing::RoutingRule;
use santisuk_domain::user::User;
use santisuk_domain::values::CaseNumber;

use santisuk_projections::read_model::IssueRow;
use santisuk_projections::users::UserRecord;
use santisuk_store::append::{Appended, Numbered, RowValues, append_numbered};
use santisuk_store::load::{Versions, current_version, load_events};
use santisuk_store::vault::SealError;
use santisuk_store::{Checkpoint, Db, StoreError, events};

/// An aggregate whose read-model row a command writes together with its events: an issue (its row in
/// `issues`, which every list, page and statistic reads) and a user (its row in `users`, which every
/// request's authentication reads, so a grant or a revocation holds from the commit). The others (rare
/// reference data, forums) are left to the projection runner, and a command on them waits for it.
pub trait InlineRow: Aggregate {
    /// The row (`Infallible` for aggregates without one).
    type Row: Clone + Send + Sync + 'static;

    /// Whether commands on this aggregate write its row themselves (and need not wait for the runner).
    const INLINE: bool = false;

    /// Folds one event, with its sequence and global position, into the row (`None` before the first
    /// event, and always for aggregates without an inline row). The runner folds with the same functions.
    fn fold_row(
        row: Option<Self::Row>,
        aggregate_id: &str,
        event: &Self::Event,
        sequence: i64,
        position: i64,
    ) -> Option<Self::Row>;

    /// The row's column values, as its inline table binds them.
    fn values(row: &Self::Row) -> RowValues;

    /// Records where the row's last event landed, once the append knows it.
    fn landed(_row: &mut Self::Row, _position: i64) {}

    /// Completes a row that the command's first event of the aggregate just created with what only the
    /// command's metadata says (the runner reads the same from the stored metadata).
    fn created_by(_row: &mut Self::Row, _metadata: &HashMap<String, String>) {}

    /// The number a command's events ask the store to allocate, in the transaction that appends them
    /// (a raise's case number), if any.
    fn numbered(_events: &[Self::Event]) -> Option<Numbered> {
        None
    }

    /// Writes the number the store allocated into the event that asked for it ([`InlineRow::numbered`]).
    fn number(_event: &mut Self::Event, _number: &str) {}
}

impl InlineRow for Issue {
    type Row = IssueRow;
    const INLINE: bool = true;

    /// The same functions as the runner's fold ([`IssueRow::raised`], [`IssueRow::apply`]).
    fn fold_row(
        row: Option<IssueRow>,
        aggregate_id: &str,
        event: &Self::Event,
        sequence: i64,
        position: i64,
    ) -> Option<IssueRow> {
        match row {
            None => IssueRow::raised(aggregate_id, event, sequence, position),
            Some(mut row) => {
                row.apply(event, sequence, position);
                Some(row)
            }
        }
    }

    fn values(row: &IssueRow) -> RowValues {
        row.values()
    }

    fn landed(row: &mut IssueRow, position: i64) {
        row.last_position = position;
    }

    /// Who raised the issue: a restricted case stays visible to them. A row folded from a loaded history
    /// has none (loads skip the metadata), and the upsert keeps the stored one then.
    fn created_by(row: &mut IssueRow, metadata: &HashMap<String, String>) {
        row.raised_by_user = metadata.get("actor_id").cloned();
    }

    /// A raise whose case number is still to be allocated ([`CaseNumber::to_allocate`]) takes the next of
    /// its province's (or the obstacles') series from the store. A raise that carries its own (the demo's)
    /// keeps it.
    fn numbered(events: &[IssueEvent]) -> Option<Numbered> {
        match events.first() {
            Some(IssueEvent::IssueRaised { case_number: Some(n), .. }) if n.is_to_allocate() => {
                Some(Numbered { series: n.series().to_owned(), pointer: "/IssueRaised/case_number".to_owned() })
            }
            _ => None,
        }
    }

    fn number(event: &mut IssueEvent, number: &str) {
        if let IssueEvent::IssueRaised { case_number, .. } = event {
            *case_number = CaseNumber::parse(number).ok();
        }
    }
}

impl InlineRow for User {
    type Row = UserRecord;
    const INLINE: bool = true;

    /// The runner's fold ([`UserRecord::fold`]).
    fn fold_row(row: Option<UserRecord>, id: &str, event: &Self::Event, sequence: i64, _: i64) -> Option<UserRecord> {
        UserRecord::fold(row, id, event, sequence)
    }

    fn values(row: &UserRecord) -> RowValues {
        row.values()
    }
}

/// Aggregates without an inline row.
macro_rules! no_inline_row {
    ($($aggregate:ty),*) => {$(
        impl InlineRow for $aggregate {
            type Row = Infallible;

            fn fold_row(_: Option<Infallible>, _: &str, _: &Self::Event, _: i64, _: i64) -> Option<Infallible> {
                None
            }

            fn values(row: &Infallible) -> RowValues {
                match *row {}
            }
        }
    )*};
}

no_inline_row!(Forum, Area, Category, Organisation, Agency, RoutingRule);

/// Where a command's last event landed, and the aggregate's state after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed<A> {
    /// The aggregate's version after the command (its last event's sequence).
    pub version: i64,
    /// The global position of the last event.
    pub position: i64,
    /// The last event's place in the gap-safe order, to wait for projections to reach it.
    pub checkpoint: Checkpoint,
    /// The aggregate with the new events applied.
    pub aggregate: A,
    /// Whether this is the answer of an earlier run with the same `Idempotency-Key` (nothing was written
    /// now): an answer that carried a secret made up by that run cannot carry it again.
    pub replayed: bool,
}

/// The metadata naming a command's idempotency key (`<user id>:<Idempotency-Key>`): a command that carries
/// one is run once per aggregate; a retry is answered from the events the first run stored.
pub const IDEMPOTENCY_KEY: &str = "idempotency_key";
/// The metadata holding a fingerprint of the request a key was first used with (a SHA-256 in hex): the
/// same key with another request is refused.
pub const IDEMPOTENCY_REQUEST: &str = "idempotency_request";

/// Why a command did not commit. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    /// The aggregate's rules refused it.
    #[error(transparent)]
    Rejected(E),
    /// `If-Match` named another version than the current one.
    #[error("the issue is at version {actual}, not {expected}")]
    StaleVersion { expected: i64, actual: i64 },
    /// Another command committed to the same aggregate in between, more often than we retry.
    #[error("a concurrent change won; try again")]
    Conflict,
    /// The idempotency key was used before with a different request.
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    /// A value of the aggregate's row that must be unique was taken by another command first (the unique
    /// index named): not retried here, the caller chooses another value (a case number).
    #[error("a unique value was taken first ({0})")]
    Duplicate(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How often a command without `If-Match` is re-run after losing a race to another instance: it is
/// re-judged against the new state each time, so a retry never applies a stale decision.
const RETRIES: usize = 20;

/// Commands on one aggregate queue up in this process instead of racing each other to the database:
/// without it, 20 concurrent commands on one issue mostly fail with conflicts and retry in lock-step.
/// Striped by a hash of the aggregate id (collisions only cost a little waiting). Other instances are
/// still handled by optimistic concurrency. Owned by the [`AggregateCache`] (so by the application).
#[derive(Debug)]
struct Stripes(Vec<Mutex<()>>);

impl Default for Stripes {
    fn default() -> Stripes {
        Stripes((0..256).map(|_| Mutex::new(())).collect())
    }
}

impl Stripes {
    fn of(&self, aggregate_type: &str, aggregate_id: &str) -> &Mutex<()> {
        let mut h = DefaultHasher::new();
        (aggregate_type, aggregate_id).hash(&mut h);
        &self.0[(h.finish() % self.0.len() as u64) as usize]
    }
}

/// Loads the aggregate, judges the command, appends its events (one transaction), and returns where
/// they landed. `expected_version`, if given, must equal the loaded version (optimistic concurrency: a
/// concurrent append between load and commit is caught by the primary key and also reported as stale).
pub async fn execute<A>(
    db: &Db,
    aggregate_id: &str,
    command: A::Command,
    metadata: HashMap<String, String>,
    expected_version: Option<i64>,
) -> Result<Committed<A>, CommandError<A::Error>>
where
    A: InlineRow<Services = ()> + Clone + 'static,
    A::Command: Clone + Send,
{
    run(db, None, aggregate_id, command, metadata, expected_version).await
}

/// [`execute`], judging the command against the aggregate this process left in `cache` after its last
/// command on it, when there is one, instead of loading its history again. See [`AggregateCache`].
pub async fn execute_cached<A>(
    cache: &AggregateCache,
    db: &Db,
    aggregate_id: &str,
    command: A::Command,
    metadata: HashMap<String, String>,
    expected_version: Option<i64>,
) -> Result<Committed<A>, CommandError<A::Error>>
where
    A: InlineRow<Services = ()> + Clone + 'static,
    A::Command: Clone + Send,
{
    run(db, Some(cache), aggregate_id, command, metadata, expected_version).await
}

async fn run<A>(
    db: &Db,
    cache: Option<&AggregateCache>,
    aggregate_id: &str,
    command: A::Command,
    metadata: HashMap<String, String>,
    expected_version: Option<i64>,
) -> Result<Committed<A>, CommandError<A::Error>>
where
    A: InlineRow<Services = ()> + Clone + 'static,
    A::Command: Clone + Send,
{
    // Without a cache (the CLI, seeding, the demo: one writer each) there is nobody to queue behind.
    // The wait is bounded like the write queue's: behind a command stalled on the database, 503 (nothing
    // written) rather than a hang.
    let _queue = match cache {
        Some(c) => {
            let stripe = c.stripes.of(A::TYPE, aggregate_id).lock();
            Some(tokio::time::timeout(db.write_wait(), stripe).await.map_err(|_| {
                StoreError::Busy(format!(
                    "an earlier command on this {} did not finish within {} ms; nothing was written",
                    A::TYPE,
                    db.write_wait().as_millis()
                ))
            })?)
        }
        None => None,
    };
    // Behind the queue, so a retry that arrives while the first run is still working waits for it and then
    // finds its events (across instances the window is the first run's own duration).
    if let Some(key) = metadata.get(IDEMPOTENCY_KEY) {
        if let Some(done) = recorded::<A>(db, aggregate_id, key, metadata.get(IDEMPOTENCY_REQUEST)).await? {
            return Ok(done);
        }
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result =
            execute_once::<A>(db, cache, aggregate_id, command.clone(), metadata.clone(), expected_version).await;
        match result {
            Err(CommandError::Conflict) if expected_version.is_none() && attempt < RETRIES => {
                // Back off a little, with jitter, so racing instances stop colliding.
                let pause = rand::random_range(1..=5 * attempt as u64);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                continue;
            }
            Err(CommandError::Conflict) if expected_version.is_some() => {
                // We loaded the expected version, yet another writer got there first: the client's
                // version is stale by now.
                let actual = current_version(db, A::TYPE, aggregate_id).await?;
                return Err(CommandError::StaleVersion { expected: expected_version.unwrap_or_default(), actual });
            }
            Err(e) => return Err(e),
            Ok((sequence, aggregate, checkpoint)) => {
                return Ok(Committed {
                    version: sequence,
                    position: checkpoint.position,
                    checkpoint,
                    aggregate,
                    replayed: false,
                });
            }
        }
    }
}

async fn execute_once<A>(
    db: &Db,
    cache: Option<&AggregateCache>,
    aggregate_id: &str,
    command: A::Command,
    metadata: HashMap<String, String>,
    expected_version: Option<i64>,
) -> Result<(i64, A, Checkpoint), CommandError<A::Error>>
where
    A: InlineRow<Services = ()> + Clone + 'static,
    A::Command: Clone,
{
    // Taken out of the cache: whatever happens next, a failure leaves no entry, so the next command loads.
    let mut cached = cache.and_then(|c| c.take::<A>(aggregate_id));
    // Judged again on the stored history when a text cannot be sealed under the key the aggregate had:
    // that key was destroyed (an erasure) since the aggregate was loaded, so what it holds may be erased.
    let (aggregate, after, row, loaded, serialized, numbered) = 'judge: loop {
        let (aggregate, mut row, loaded, events) = loop {
            let from_cache = cached.is_some();
            let (mut aggregate, row, loaded) = match cached.take() {
                Some(entry) => entry,
                None => load::<A>(db, aggregate_id).await?,
            };
            // A cached aggregate may be behind (another instance appended since): a version mismatch or a
            // refusal is only answered after judging again against the stored history.
            // On an aggregate with no history, the aggregate's own refusal ("no such issue") comes before a
            // version mismatch: answering "stale" would tell a caller that guessed an id that it exists nowhere,
            // while another area's issue answers "not found" (issue #12).
            let stale = expected_version.filter(|expected| *expected != loaded);
            if let Some(expected) = stale {
                if from_cache {
                    continue;
                }
                if loaded > 0 {
                    return Err(CommandError::StaleVersion { expected, actual: loaded });
                }
            }
            let sink = EventSink::default();
            match aggregate.handle(command.clone(), &(), &sink).await {
                Ok(()) if stale.is_some() => {
                    return Err(CommandError::StaleVersion { expected: stale.unwrap_or_default(), actual: loaded });
                }
                Ok(()) => break (aggregate, row, loaded, sink.collect().await),
                Err(_) if from_cache => continue,
                Err(e) => return Err(CommandError::Rejected(e)),
            }
        };
        if events.is_empty() {
            return Err(StoreError::EventStore("the command produced no events".into()).into());
        }
        // The row after the command; its `last_position` is known once the append has assigned positions.
        for (n, event) in events.iter().enumerate() {
            row = A::fold_row(row, aggregate_id, event, loaded + n as i64 + 1, 0);
        }
        if loaded == 0 {
            if let Some(r) = row.as_mut() {
                A::created_by(r, &metadata);
            }
        }
        // `handle` applied the events through the sink: this is the state after the command.
        let after = aggregate.clone();
        // The events are kept to be folded again once the store has written its number into them.
        let numbered = A::numbered(&events).map(|n| (n, events.clone()));
        let serialized = events
            .into_iter()
            .enumerate()
            .map(|(n, payload)| {
                let envelope = EventEnvelope::<A> {
                    aggregate_id: aggregate_id.to_owned(),
                    sequence: loaded as usize + n + 1,
                    payload,
                    metadata: metadata.clone(),
                };
                SerializedEvent::try_from(&envelope)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::EventStore(format!("cannot serialise an event: {e}")))?;
        let mut serialized = serialized;
        if let Some(vault) = db.vault() {
            for event in &mut serialized {
                let paths = santisuk_domain::personal::sealed_fields(&event.event_type);
                match vault.seal(db, aggregate_id, paths, &mut event.payload).await {
                    Ok(()) => {}
                    Err(SealError::KeyDestroyed) => {
                        cached = None;
                        continue 'judge;
                    }
                    Err(SealError::Store(e)) => return Err(e.into()),
                }
            }
        }
        break 'judge (aggregate, after, row, loaded, serialized, numbered);
    };
    // A conflict here also catches a cached aggregate that was behind: the sequence it continues from
    // is taken, so nothing is written and the retry loads the history.
    let sequence = serialized.last().map(|e| e.sequence as i64).unwrap_or(loaded);
    // Only a raise is numbered, and a raise has no history: refused before anything is written, as the
    // numbered state below is folded from the command's own events alone.
    if numbered.is_some() && loaded > 0 {
        return Err(StoreError::EventStore(format!(
            "a numbered command on {}/{aggregate_id}, which has {loaded} events already",
            A::TYPE
        ))
        .into());
    }
    let (numbered, events) = numbered.unzip();
    let landed = match append_numbered(db, A::TYPE, serialized, row.as_ref().map(A::values), numbered).await {
        Ok(landed) => landed,
        Err(Appended::Conflict) => return Err(CommandError::Conflict),
        Err(Appended::Duplicate(what)) => return Err(CommandError::Duplicate(what)),
        Err(Appended::Failed(e)) => return Err(e.into()),
    };
    let checkpoint = landed.checkpoint;
    // The aggregate and row as stored, with the number the store allocated (the cache and the answer
    // must not keep the placeholder the command was judged with).
    let (aggregate, after, mut row) = match (landed.number, events) {
        (Some(number), Some(events)) => {
            let (aggregate, row) = as_numbered::<A>(aggregate_id, events, &number, &metadata);
            (aggregate.clone(), aggregate, row)
        }
        _ => (aggregate, after, row),
    };
    if let Some(r) = row.as_mut() {
        A::landed(r, checkpoint.position);
    }
    if let Some(cache) = cache {
        cache.put(aggregate_id, aggregate, row, sequence);
    }
    Ok((sequence, after, checkpoint))
}

/// The aggregate and its row after a command whose events the store numbered: its events, the first with
/// `number` written in, folded from scratch (only a raise is numbered, and a raise has no history).
fn as_numbered<A: InlineRow>(
    aggregate_id: &str,
    mut events: Vec<A::Event>,
    number: &str,
    metadata: &HashMap<String, String>,
) -> (A, Option<A::Row>) {
    if let Some(first) = events.first_mut() {
        A::number(first, number);
    }
    let mut aggregate = A::default();
    let mut row = None;
    for (n, event) in events.into_iter().enumerate() {
        row = A::fold_row(row, aggregate_id, &event, n as i64 + 1, 0);
        aggregate.apply(event);
    }
    if let Some(r) = row.as_mut() {
        A::created_by(r, metadata);
    }
    (aggregate, row)
}

/// The aggregates after the last command this process ran on each, with their version, so the next
/// command on the same aggregate is judged without loading its history again (a 1,000-event issue took
/// ~6 ms to load). Safe without any invalidation because the append is optimistic: an entry that is behind
/// (another instance appended) continues from a sequence that is taken, so the append is refused by the
/// primary key and the command is retried from the stored history; a refusal or a version mismatch judged
/// on a cached entry is judged again on the stored history before it is answered. An entry is taken out
/// while a command runs, so a failure of any kind leaves none. Only the write side uses it: reads, as-of
/// reads and read-your-writes never see it. Cleared when it holds [`AGGREGATE_CACHE_MAX`] entries.
#[derive(Debug, Clone, Default)]
pub struct AggregateCache {
    entries: Arc<std::sync::Mutex<HashMap<(&'static str, String), CachedAggregate>>>,
    stripes: Arc<Stripes>,
}

/// An aggregate (of the type named in the key) with its inline row if it has one (`(A, Option<A::Row>)`), and
/// its version.
type CachedAggregate = (Box<dyn Any + Send + Sync>, i64);

pub const AGGREGATE_CACHE_MAX: usize = 10_000;

impl AggregateCache {
    fn take<A: InlineRow + 'static>(&self, aggregate_id: &str) -> Option<(A, Option<A::Row>, i64)> {
        let (boxed, version) = self.lock().remove(&(A::TYPE, aggregate_id.to_owned()))?;
        boxed.downcast::<(A, Option<A::Row>)>().ok().map(|b| (b.0, b.1, version))
    }

    /// Records that `aggregate_id` was just made up by the caller (a random UUID), so it has no history: the
    /// next command on it is judged against the empty aggregate without asking the store (on PostgreSQL a
    /// raise was otherwise two round trips, the second only to find nothing). Safe for the reason every
    /// entry is: should the id have events after all, the append of sequence 1 is refused by the primary key
    /// and the command is judged again on the stored history.
    pub fn expect_new<A: InlineRow + 'static>(&self, aggregate_id: &str) {
        self.put::<A>(aggregate_id, A::default(), None, 0);
    }

    /// Drops what this process holds of an aggregate (an erasure: what it holds may be text erased now).
    pub fn forget<A: InlineRow + 'static>(&self, aggregate_id: &str) {
        self.lock().remove(&(A::TYPE, aggregate_id.to_owned()));
    }

    fn put<A: InlineRow + 'static>(&self, aggregate_id: &str, aggregate: A, row: Option<A::Row>, version: i64) {
        let mut entries = self.lock();
        if entries.len() >= AGGREGATE_CACHE_MAX {
            entries.clear();
        }
        entries.insert((A::TYPE, aggregate_id.to_owned()), (Box::new((aggregate, row)), version));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(&'static str, String), CachedAggregate>> {
        // Single inserts and removes: a panic elsewhere cannot leave the map inconsistent.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The domain's event versions, for the store's loads.
pub const VERSIONS: Versions = Versions {
    current: santisuk_domain::versions::current,
    upcast: |event_type, version, payload| {
        santisuk_domain::versions::upcast(event_type, version, payload).map_err(|e| e.to_string())
    },
};

/// The answer a keyed command got when it ran: the aggregate as its last event left it, or `KeyReused` if
/// it ran with another request.
async fn recorded<A: InlineRow>(
    db: &Db,
    aggregate_id: &str,
    key: &str,
    request: Option<&String>,
) -> Result<Option<Committed<A>>, CommandError<A::Error>>
where
    A::Error: std::error::Error,
{
    let Some((version, checkpoint, first)) = events::keyed_command(db, A::TYPE, aggregate_id, key).await? else {
        return Ok(None);
    };
    if first.as_ref() != request {
        return Err(CommandError::KeyReused);
    }
    let mut aggregate = A::default();
    load_events::<A::Event>(db, A::TYPE, aggregate_id, VERSIONS, |sequence, _, event| {
        if sequence <= version {
            aggregate.apply(event);
        }
    })
    .await?;
    Ok(Some(Committed { version, position: checkpoint.position, checkpoint, aggregate, replayed: true }))
}

/// Loads an aggregate: its events folded in sequence order, its inline row folded from the same events (so
/// it is exactly what the stored history gives, whatever the `issues` table holds), and its version.
async fn load<A: InlineRow>(db: &Db, aggregate_id: &str) -> Result<(A, Option<A::Row>, i64), StoreError> {
    let mut aggregate = A::default();
    let mut row = None;
    let version = load_events::<A::Event>(db, A::TYPE, aggregate_id, VERSIONS, |sequence, position, event| {
        row = A::fold_row(row.take(), aggregate_id, &event, sequence, position);
        aggregate.apply(event);
    })
    .await?;
    Ok((aggregate, row, version))
}
