//! Santisuk's projections: everything derived from the events, and the queries over it.
//!
//! Events come from the store (`santisuk-store`), in gap-safe global order; the store knows nothing of
//! what is here. The read model registers its issue table with the store ([`read_model::IssueTable`]) so
//! that commands write issue rows with their events.
//!
//! - [`runner`]: the checkpointed projection runner;
//! - [`as_of`]: the read tables as they stood at a past instant, folded from the log for one report;
//! - [`read_model`]: areas, categories, forums and the issue list, and their queries;
//! - [`changes`]: the read model's generation counters, which the caches compare against;
//! - [`queue`]: the web app's issue queue (sorted, numbered pages, counts);
//! - [`stats`]: resolution statistics;
//! - [`agencies`]: the agencies and routing rules (issue #17);
//! - [`custody`]: ball in court: who each problem waited for, and for how long (issue #17);
//! - [`duplicates`]: an original's duplicates and the problems a forum asks the community about (#17);
//! - [`users`]: users and API tokens;
//! - [`ledger`]: the tamper-evident hash chain over the events, its digest and its verification;
//! - [`access_log`]: who read histories, the audit log and exports;
//! - [`notifications`]: the notifications outbox, its projection and its channels (issue #17 §5);
//! - [`web`]: the web app's passwords, sessions and sign-in throttling (state, not events).

pub mod access_log;
pub mod agencies;
pub mod as_of;
pub mod attachments;
mod binds;
pub mod changes;
pub mod custody;
pub mod duplicates;
pub mod ledger;
pub mod notifications;
pub mod progress;
pub mod queue;
pub mod read_model;
pub mod runner;
pub mod stats;
pub mod users;
pub mod web;
