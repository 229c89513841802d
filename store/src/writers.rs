//! What a store handle coordinates about writing, and the shapes appends are made of: the write turn, the
//! appends waiting for a group commit, the PostgreSQL group statements, and the inline read-model table a
//! projection registered (see [`crate::append`] for how they are used).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use cqrs_es::persist::SerializedEvent;
use tokio::sync::oneshot;

use crate::backend::Backend;
use crate::checkpoint::Checkpoint;
use crate::error::Appended;

/// A read-model table whose row an append writes with its events (in Santisuk, the issue list: a
/// command on an issue answers with its row already current). Registered by the projection that owns the
/// table; the store only runs the SQL it is given.
pub trait InlineTable: Send + Sync + fmt::Debug + 'static {
    /// The multi-row upsert of `rows` rows, each bound as its [`RowValues`] followed by the position of its
    /// last event.
    fn upsert_sql(&self, backend: Backend, rows: usize) -> String;

    /// PostgreSQL: the upsert of `rows` rows inside the group statement, whose CTE `e` returns the inserted
    /// events (`aggregate_type`, `aggregate_id`, `sequence`, `position`); each row is bound as its
    /// [`RowValues`] from placeholder `$first` on and takes the position of its aggregate's event whose
    /// sequence is the row's version.
    fn grouped_upsert_sql(&self, first: usize, rows: usize) -> String;
}

/// One column value of an inline row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    Text(String),
    OptText(Option<String>),
    Int(i64),
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
    /// PostgreSQL: the groups that may be in flight at once ([`PG_FLIGHTS`]).
    pub(crate) flights: Arc<tokio::sync::Semaphore>,
    /// PostgreSQL: the group statement per (events, rows) shape (`append::pg_group_sql`).
    pub(crate) shapes: Mutex<HashMap<(usize, usize), Arc<str>>>,
    /// The table rows passed with appends are written to, once registered.
    pub(crate) inline: OnceLock<Arc<dyn InlineTable>>,
}

impl Default for Writers {
    fn default() -> Writers {
        Writers {
            turn: Arc::default(),
            waiting: Waiting::default(),
            flights: Arc::new(tokio::sync::Semaphore::new(PG_FLIGHTS)),
            shapes: Mutex::default(),
            inline: OnceLock::new(),
        }
    }
}

/// How many groups of appends may be in flight at once on one PostgreSQL pool: one writing while the
/// other waits for its commit to be flushed.
pub(crate) const PG_FLIGHTS: usize = 2;

/// One command's append waiting for its group.
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) aggregate_type: String,
    pub(crate) events: Vec<SerializedEvent>,
    pub(crate) row: Option<RowValues>,
    pub(crate) done: Option<oneshot::Sender<Result<Checkpoint, Appended>>>,
}

impl Job {
    pub(crate) fn new(aggregate_type: &str, events: Vec<SerializedEvent>, row: Option<RowValues>) -> Job {
        Job { aggregate_type: aggregate_type.to_owned(), events, row, done: None }
    }
}

/// The appends waiting for the next group of one handle.
pub(crate) type Waiting = Mutex<Vec<Job>>;
