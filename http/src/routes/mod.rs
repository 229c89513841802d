//! One module per resource, each with its own `router()`.

pub mod agencies;
pub mod attachments;
pub mod audit;
pub mod escalation;
pub mod exports;
pub mod health;
pub mod issues;
pub mod notifications;
pub mod obstacles;
pub mod organisations;
pub mod privacy;
pub mod progress;
pub mod reference;
pub mod stats;
pub mod users;
// Issue #17 §3, §6.
pub mod duplicates;
// Issue #18 §3, §4.
pub mod papers;
// Issue #18 §2.
pub mod imports;
// Issue #18 §5: Open311 GeoReport v2.
pub mod open311;
