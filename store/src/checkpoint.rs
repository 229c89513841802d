//! Where an event stands in the global order that projections and auditors read.

/// A place in the global order. On PostgreSQL the order is `(tx, position)` over transactions that have
/// finished (see [`crate::events::read_batch`]); on SQLite `tx` is always 0 and position alone is commit order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Checkpoint {
    pub tx: i64,
    pub position: i64,
}
