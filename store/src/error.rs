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

/// Why an append wrote nothing.
#[derive(Debug)]
pub enum Appended {
    /// Another command appended the same sequence first (a primary-key violation: PostgreSQL 23505,
    /// SQLite 1555 SQLITE_CONSTRAINT_PRIMARYKEY), as the event repositories report it.
    Conflict,
    Failed(StoreError),
}

impl From<StoreError> for Appended {
    fn from(e: StoreError) -> Self {
        Appended::Failed(e)
    }
}

impl From<sqlx::Error> for Appended {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("23505" | "1555")) => Appended::Conflict,
            e => Appended::Failed(e.into()),
        }
    }
}
