//! The two backends and a pool on either: the leaf types every other module of the store names.

use sqlx::{PgPool, SqlitePool};

/// Which backend holds the events and read models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on one of the two backends.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}
