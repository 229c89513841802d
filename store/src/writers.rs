//! What a store handle coordinates about writing, and the shapes appends are made of: the write turn, the
//! appends waiting for a group commit, the PostgreSQL group statements, and the inline read-model table a
//! projection registered (see [`crate::append`] for how they are used).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use cqrs_es::persist::SerializedEvent;
use tokio::sync::oneshot;

use crate::backend::Backend;
use crate::checkpoint::Checkpoint;
use crate::error::Appended;

/// A read-model table whose row an append writes with its events (in Santisuk, the issue list: a command on
/// an issue answers with its row already current; and the users: a grant or a revocation holds from the
/// moment it commits). One per aggregate type, registered by the projection that owns the table; the store
/// only runs the SQL it is given.
pub trait InlineTable: Send + Sync + fmt::Debug + 'static {
    /// The aggregate type whose appends carry rows of this table.
    fn aggregate_type(&self) -> &'static str;

    /// How many values a row binds ([`RowValues`], without the position).
    fn columns(&self) -> usize;

    /// The multi-row upsert of `rows` rows, each bound as its [`RowValues`] followed by the position of its
    /// last event.
    fn upsert_sql(&self, backend: Backend, rows: usize) -> String;

    /// PostgreSQL: the upsert of `rows` rows inside the group statement, whose CTE `e` returns the inserted
    /// events (`aggregate_type`, `aggregate_id`, `sequence`, `position`); each row is bound as its
    /// [`RowValues`] from placeholder `$first` on and takes the position of its aggregate's event whose
    /// sequence is the row's version. With `numbers`, the statement also allocates numbers ([`Numbered`]):
    /// `numbers` names its CTE of them (`aggregate_type`, `aggregate_id`, `number`), and a row whose
    /// aggregate has one there takes it in its [`InlineTable::number_column`] instead of the bound value.
    fn grouped_upsert_sql(&self, first: usize, rows: usize, numbers: Option<&str>) -> String;

    /// The column of [`RowValues`] holding the number the store allocates for a [`Numbered`] append (the
    /// issue list: its case number), if this table has one.
    fn number_column(&self) -> Option<usize> {
        None
    }

    /// The query reading the highest numbers stored in a series, for [`Numbered`] appends: `series` and
    /// `upper` are SQL expressions (placeholders, or columns of the statement it is part of) for the
    /// series (`PTN-2569-`) and the series followed by `:` (which sorts after every digit). It returns, in
    /// its first column, the text of at most a few numbers, among them the highest (the store compares
    /// them by value: a number grows a digit past 99,999, so text order alone would put `…-99999` above
    /// `…-100000`). Each should be an index lookup, not a scan of the series: it runs while the series is
    /// locked.
    fn highest_number_sql(&self, _backend: Backend, _series: &str, _upper: &str) -> Option<String> {
        None
    }
}

/// A number the store allocates for an append, in the transaction that writes it: one past the highest
/// handed out in its series (PostgreSQL: the series' row in `number_series`, or the highest stored in the
/// inline table's column if that is higher; SQLite: the highest stored, read under the write lock),
/// written into the append's first event at `pointer` and into its row. A refused or failed append rolls
/// its number back with it, so a series has no gaps however appends fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    /// How the numbers of the series begin (`PTN-2569-`): a number is the series followed by its running
    /// number, at least five digits with leading zeros (`PTN-2569-00123`).
    pub series: String,
    /// Where the number goes in the first event's payload, a JSON pointer (`/IssueRaised/case_number`).
    pub pointer: String,
}

impl Numbered {
    /// The `n`th number of the series.
    pub fn format(&self, n: u64) -> String {
        format!("{}{n:05}", self.series)
    }

    /// The running number of `number` if it belongs to the series.
    pub fn parse(&self, number: &str) -> Option<u64> {
        let digits = number.strip_prefix(&self.series)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
}

/// Where an append landed, and the number the store allocated for it if it was [`Numbered`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landed {
    pub checkpoint: Checkpoint,
    pub number: Option<String>,
}

/// One column value of an inline row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    /// A number or NULL (a forum's participation counts, issue #16).
    OptInt(Option<i64>),
    Bool(bool),
}

/// An inline row as the values of its columns, in the order its [`InlineTable`]'s SQL binds them.
pub type RowValues = Vec<SqlValue>;

/// Binds [`RowValues`] in order (a macro: the query types of the two drivers differ).
#[macro_export]
macro_rules! bind_row {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values.iter() {
            q = match v {
                $crate::SqlValue::Text(s) => q.bind(s),
                $crate::SqlValue::OptText(s) => q.bind(s),
                $crate::SqlValue::Int(i) => q.bind(*i),
                $crate::SqlValue::OptInt(i) => q.bind(*i),
                $crate::SqlValue::Bool(b) => q.bind(*b),
            };
        }
        q
    }};
}

/// What one [`crate::Db`] handle coordinates about writing: owned by the handle, shared by its clones.
#[derive(Debug)]
pub(crate) struct Writers {
    /// SQLite: the turn to write ([`crate::Db::write_turn`]).
    pub(crate) turn: Arc<tokio::sync::Mutex<()>>,
    /// The appends waiting for the next group.
    pub(crate) waiting: Waiting,
    /// How long an append may wait for its turn to write before it is withdrawn unwritten and fails as
    /// unavailable (a bounded queue: under overload or a stalled database, 503 instead of a hang).
    pub(crate) wait: std::time::Duration,
    /// PostgreSQL: the groups that may be in flight at once ([`PG_FLIGHTS`]).
    pub(crate) flights: Arc<tokio::sync::Semaphore>,
    /// PostgreSQL: the group statement per shape (`append::pg_group_sql`).
    pub(crate) shapes: Mutex<HashMap<Shape, Arc<str>>>,
    /// The tables rows passed with appends are written to, by aggregate type, once registered.
    pub(crate) inline: Mutex<HashMap<&'static str, Arc<dyn InlineTable>>>,
    /// Fault injection for tests: how many of the next PostgreSQL group writes commit and then report a
    /// lost connection, as when the server's answer to a COMMIT never arrives.
    #[cfg(feature = "testing")]
    pub(crate) lose_answers: std::sync::atomic::AtomicUsize,
}

impl Default for Writers {
    fn default() -> Writers {
        Writers {
            turn: Arc::default(),
            waiting: Waiting::default(),
            wait: DEFAULT_WAIT,
            flights: Arc::new(tokio::sync::Semaphore::new(PG_FLIGHTS)),
            shapes: Mutex::default(),
            inline: Mutex::default(),
            #[cfg(feature = "testing")]
            lose_answers: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

/// A group statement's shape: how many events, how many rows of each inline table (by aggregate type, in
/// name order), and, if it numbers appends, the aggregate type whose table holds the numbers, how many
/// series and how many numbered appends.
pub(crate) type Shape = (usize, Vec<(&'static str, usize)>, Option<(&'static str, usize, usize)>);

/// How many groups of appends may be in flight at once on one PostgreSQL pool: one writing while the
/// other waits for its commit to be flushed.
pub(crate) const PG_FLIGHTS: usize = 2;

/// How long an append waits for its turn unless the handle was opened with another bound (the server
/// passes `--db-timeout`): generous, for tests and tools whose load is the point.
pub(crate) const DEFAULT_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// One command's append waiting for its group.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) aggregate_type: String,
    pub(crate) events: Vec<SerializedEvent>,
    pub(crate) row: Option<RowValues>,
    /// The number the store allocates for this append, if it asked for one.
    pub(crate) numbered: Option<Numbered>,
    pub(crate) done: Option<oneshot::Sender<Result<Landed, Appended>>>,
    /// Which append this is in the waiting list (see [`Queue::withdraw`]).
    pub(crate) ticket: u64,
}

impl Job {
    pub(crate) fn new(
        aggregate_type: &str,
        events: Vec<SerializedEvent>,
        row: Option<RowValues>,
        numbered: Option<Numbered>,
    ) -> Job {
        Job { aggregate_type: aggregate_type.to_owned(), events, row, numbered, done: None, ticket: 0 }
    }
}

/// The appends waiting for the next group of one handle.
pub(crate) type Waiting = Mutex<Queue>;

/// The waiting appends, each with a ticket so that one can be taken back before a group takes it.
#[derive(Debug, Default)]
pub(crate) struct Queue {
    pub(crate) jobs: Vec<Job>,
    next_ticket: u64,
}

impl Queue {
    /// Adds `job` and returns its ticket.
    pub(crate) fn push(&mut self, mut job: Job) -> u64 {
        self.next_ticket += 1;
        job.ticket = self.next_ticket;
        self.jobs.push(job);
        self.next_ticket
    }

    /// Takes the append with `ticket` out of the list if no group has taken it yet (then it is never
    /// written); false if a group has (then it is written or being written, and its answer will come).
    pub(crate) fn withdraw(&mut self, ticket: u64) -> bool {
        let before = self.jobs.len();
        self.jobs.retain(|j| j.ticket != ticket);
        self.jobs.len() < before
    }
}

#[cfg(test)]
mod tests {
    use super::Numbered;

    #[test]
    fn a_series_numbers_with_five_digits_at_least_and_reads_them_back_by_value() {
        let series = Numbered { series: "PTN-2569-".into(), pointer: "/IssueRaised/case_number".into() };
        assert_eq!((series.format(1), series.format(100_000)), ("PTN-2569-00001".into(), "PTN-2569-100000".into()));
        assert_eq!(series.parse("PTN-2569-100000"), Some(100_000));
        assert!(series.parse("PTN-2569-100000") > series.parse("PTN-2569-99999"), "by value, not by text");
        for other in ["YLA-2569-00001", "PTN-2568-00001", "PTN-2569-", "PTN-2569-12a", "PTN-2569--1"] {
            assert_eq!(series.parse(other), None, "{other}");
        }
    }
}
