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
    /// This process has too much waiting already (a bounded queue); nothing was written.
    #[error("busy: {0}")]
    Busy(String),
    /// The blob store (files kept outside the log) could not read or write a file.
    #[error("blob store error: {0}")]
    Blob(String),
}

impl StoreError {
    pub fn corrupt(what: impl fmt::Display) -> Self {
        StoreError::Corrupt(what.to_string())
    }

    /// Whether the database could not serve this now and a retry may succeed: the connection was lost or
    /// refused, the server is shutting down or starting, it has no connection to spare, this process's
    /// pool had none within its acquire timeout, a statement ran past `statement_timeout`, or SQLite was
    /// busy or its disk full; or this process shed the request ([`StoreError::Busy`]). Answered 503 with
    /// `Retry-After`, not 500.
    pub fn is_unavailable(&self) -> bool {
        if matches!(self, StoreError::Busy(_)) {
            return true;
        }
        let StoreError::Database(e) = self else { return false };
        match e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(d) => d.code().is_some_and(|code| {
                // PostgreSQL: class 08 (connection exception), admin/crash shutdown, cannot connect now, too
                // many connections, out of memory or disk, query canceled (statement_timeout). SQLite:
                // SQLITE_BUSY and its extended codes, SQLITE_FULL.
                code.starts_with("08")
                    || matches!(
                        code.as_ref(),
                        "57P01"
                            | "57P02"
                            | "57P03"
                            | "53300"
                            | "53200"
                            | "53100"
                            | "57014"
                            | "5"
                            | "261"
                            | "517"
                            | "13"
                    )
            }),
            _ => false,
        }
    }
}

/// Why an append wrote nothing.
#[derive(Debug)]
pub enum Appended {
    /// Another command appended the same sequence first (a primary-key violation of the events: PostgreSQL
    /// 23505 on `events_pkey`, SQLite 1555 SQLITE_CONSTRAINT_PRIMARYKEY), as the event repositories report it.
    Conflict,
    /// A value that must be unique in an inline table was taken first (another unique index: PostgreSQL
    /// 23505, SQLite 2067 SQLITE_CONSTRAINT_UNIQUE), named by its constraint or message: for example a
    /// case number another instance committed a moment before.
    Duplicate(String),
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
            sqlx::Error::Database(d) if d.code().as_deref() == Some("1555") => Appended::Conflict,
            sqlx::Error::Database(d)
                if d.code().as_deref() == Some("23505") && d.constraint() == Some("events_pkey") =>
            {
                Appended::Conflict
            }
            sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("23505" | "2067")) => {
                Appended::Duplicate(d.constraint().map_or_else(|| d.message().to_owned(), str::to_owned))
            }
            e => Appended::Failed(e.into()),
        }
    }
}
