//! The storage layer's error type.

use std::fmt;

/// What went wrong below the HTTP layer. Database detail stays in the message for the logs; the HTTP
/// layer never sends it to clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("configuration error: {0}")]
    Config(String),
    /// A stored event or row that cannot be read back: a defect or tampering, never bad input.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    #[error("event store error: {0}")]
    EventStore(String),
}

impl StoreError {
    pub fn corrupt(what: impl fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }
}
