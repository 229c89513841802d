//! The application state the handlers share: built and owned by the application layer (`santisuk-app`).

pub use santisuk_app::{AppState, now};
