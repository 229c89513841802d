//! Santisuk's event store: everything that reads or writes the `events` table, on SQLite or PostgreSQL.
//!
//! - [`db`]: the handle over the two backends, its write coordination, and migrations;
//! - [`append`]: appending a command's events (and an inline read-model row a projection registered) in
//!   one statement, with group commit on both backends;
//! - [`load`]: one aggregate's events, for judging a command;
//! - [`events`]: the event log in gap-safe global order, one aggregate's history, the log as recorded up
//!   to an instant;
//! - [`audit`]: the global audit log, every event exactly as stored, page by page (auditors, the ledger);
//! - [`vault`]: sealing personal text under per-aggregate data keys wrapped by a master key
//!   (crypto-shredding), and [`persons`]: complainants' records, sealed, outside the log;
//! - [`blobs`]: attached files outside the log, by SHA-256, in a folder or a database table;
//! - [`repository`]: cqrs-es' `PersistedEventRepository` over the same tables, so any cqrs-es application
//!   (and the stock postgres-es / sqlite-es) can use Santisuk's store.
//!
//! The store knows nothing of projections: they read events from it and register what they need.

pub mod append;
pub mod audit;
mod backend;
pub mod blobs;
mod checkpoint;
pub mod db;
pub mod error;
pub mod events;
pub mod load;
pub mod persons;
pub mod repository;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vault;
mod writers;

pub use append::SqlValue;
pub use db::{Backend, Db, DbTx, OwnConn, Pool, Reader};
pub use error::StoreError;
pub use events::Checkpoint;
