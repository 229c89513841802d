//! Santisuk's domain: the aggregates (`Issue`, `Forum`, `Area`, `Category`, `Organisation`, `Agency`,
//! `RoutingRule`), their commands, events and
//! rules, and the checked value types the commands carry.
//!
//! Everything here is pure. Time, the actor and new ids arrive inside commands, so every rule is tested
//! deterministically with given/when/then (see the `tests` modules beside each aggregate). Stored names
//! (`Aggregate::TYPE`, event type names, field names) are frozen: a breaking change needs a new event
//! version and an upcaster ([`versions`]), never a bare rename.

pub mod agency;
pub mod area;
pub mod attachment;
pub mod category;
pub mod error;
pub mod escalation;
pub mod forum;
pub mod geo;
pub mod import;
pub mod issue;
pub mod organisation;
pub mod participation;
pub mod personal;
pub mod routing;
pub mod service_level;
pub mod similarity;
pub mod time;
pub mod user;
pub mod values;
pub mod verdict;
pub mod versions;

pub use error::{ErrorKind, ValueError};
