//! One module per resource, each with its own `router()`; shared parsing helpers for request values.

pub mod audit;
pub mod exports;
pub mod health;
pub mod issues;
pub mod reference;
pub mod stats;
pub mod users;

pub use santisuk_app::parse::{clip, opt, parse_as_of, parse_at, parse_date};
