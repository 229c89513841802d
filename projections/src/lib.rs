//! Santisuk's storage layer: everything that speaks SQL.
//!
//! - [`db`]: the two backends (SQLite, PostgreSQL) behind one handle, and migrations;
//! - [`commands`]: running a command through cqrs-es' event store (sqlite-es / postgres-es);
//! - [`append`]: appending a command's events and its issue row (one statement; SQLite commits in groups);
//! - [`events`]: reading the event log in gap-safe global order;
//! - [`runner`]: the checkpointed projection runner;
//! - [`read_model`]: areas, categories, forums and the issue list, and their queries;
//! - [`queue`]: the web app's issue queue (sorted, numbered pages, counts);
//! - [`stats`]: resolution statistics;
//! - [`users`]: users and API tokens;
//! - [`audit`]: the global audit log, every event as stored, page by page;
//! - [`ledger`]: the tamper-evident hash chain over the events, its digest and its verification;
//! - [`access_log`]: who read histories, the audit log and exports;
//! - [`web`]: the web app's passwords, sessions and sign-in throttling (state, not events).

pub mod access_log;
pub mod append;
pub mod audit;
pub mod commands;
pub mod db;
pub mod error;
pub mod events;
pub mod ledger;
pub mod queue;
pub mod read_model;
pub mod runner;
pub mod stats;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub mod web;

pub use db::{Backend, Db, DbTx};
pub use error::StoreError;
