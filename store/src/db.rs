//! The database handle: a pool on one of the two backends plus the write coordination this process
//! keeps for it (write turns, group commit), connection set-up, migrations, and the `on_db!`/`on_tx!`
//! macros that run one body of dialect-neutral SQL on whichever backend is in use.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, Postgres, Sqlite, SqliteConnection, Transaction};

use crate::error::StoreError;
use crate::writers::Writers;

pub use crate::backend::{Backend, Pool};

/// The handle every part of Santisuk uses: the pool, and what this process coordinates about writing to
/// it (the SQLite write turn, the appends waiting for a group commit, the inline read-model table). Made
/// by `open_*`; clones share both, so every clone of one handle queues its writes together. Two handles
/// opened on the same database coordinate only through the database itself, like two processes.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    writers: Arc<Writers>,
    /// The data keys that seal personal text (see [`crate::vault`]); reads through a handle without one
    /// see sealed texts as stored.
    vault: Option<Arc<crate::vault::Vault>>,
    /// Where attached files are kept (issue #17 §4); `None`: the database's own `blobs` table.
    blobs: Option<Arc<dyn crate::blobs::BlobStore>>,
}

/// An open transaction on one of the two backends.
#[derive(Debug)]
pub enum DbTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A connection of its own, taken out of the pool and closed when dropped: for state that must never
/// reach another request through a pooled connection, such as the temporary tables of an as-of report.
#[derive(Debug)]
pub enum OwnConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Where a read runs: any connection of the pool, or a connection of its own (see [`on_reader!`]).
#[derive(Debug)]
pub enum Reader<'a> {
    Pool(&'a Pool),
    Own(&'a mut OwnConn),
}

impl Reader<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Reader::Pool(Pool::Sqlite(_)) | Reader::Own(OwnConn::Sqlite(_)) => Backend::Sqlite,
            Reader::Pool(Pool::Postgres(_)) | Reader::Own(OwnConn::Postgres(_)) => Backend::Postgres,
        }
    }

    /// The same reader for one more query (a `Reader` on an own connection cannot be copied).
    pub fn reborrow(&mut self) -> Reader<'_> {
        match self {
            Reader::Pool(p) => Reader::Pool(p),
            Reader::Own(c) => Reader::Own(c),
        }
    }
}

impl<'a> From<&'a Db> for Reader<'a> {
    fn from(db: &'a Db) -> Reader<'a> {
        Reader::Pool(&db.pool)
    }
}

impl<'a> From<&'a mut OwnConn> for Reader<'a> {
    fn from(conn: &'a mut OwnConn) -> Reader<'a> {
        Reader::Own(conn)
    }
}

/// Runs `$body` with `$p` bound to the concrete pool. The body must compile for both backends, which
/// holds for sqlx queries written with `$1`-style placeholders (sqlx-sqlite accepts them) and types both
/// drivers encode (text, i64, f64, bool).
#[macro_export]
macro_rules! on_db {
    ($db:expr, $p:ident => $body:expr) => {
        match $db.pool() {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Like `on_db!`, for a transaction: `$t` is `&mut Transaction<_>`; use `&mut **$t` as the executor.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::db::DbTx::Sqlite($t) => $body,
            $crate::db::DbTx::Postgres($t) => $body,
        }
    };
}

/// Like `on_db!`, for a [`Reader`]: `$e` is the executor (a pool, or the connection), used once by `$body`.
#[macro_export]
macro_rules! on_reader {
    ($reader:expr, $e:ident => $body:expr) => {
        match $reader {
            $crate::db::Reader::Pool($crate::db::Pool::Sqlite($e)) => $body,
            $crate::db::Reader::Pool($crate::db::Pool::Postgres($e)) => $body,
            $crate::db::Reader::Own($crate::db::OwnConn::Sqlite(c)) => {
                let $e = &mut *c;
                $body
            }
            $crate::db::Reader::Own($crate::db::OwnConn::Postgres(c)) => {
                let $e = &mut *c;
                $body
            }
        }
    };
}

impl Db {
    /// Opens (creating if needed) the SQLite file `santisuk.db` in `data_dir`.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Db, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Config(format!("cannot create data folder {}: {e}", data_dir.display())))?;
        Self::open_sqlite_file(&data_dir.join("santisuk.db")).await
    }

    /// [`Db::open_sqlite`] for the server: a request waits at most `wait` for a free connection and for its
    /// turn in the write queue (503 beyond it) instead of sqlx's 30 s.
    pub async fn open_sqlite_with(data_dir: &Path, wait: Duration) -> Result<Db, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::Config(format!("cannot create data folder {}: {e}", data_dir.display())))?;
        Ok(Self::open_sqlite_pool(&data_dir.join("santisuk.db"), wait).await?.with_write_wait(wait))
    }

    /// Opens (creating if needed) one SQLite file.
    ///
    /// WAL with `synchronous = FULL`: a command acknowledged to a coordinator survives a power cut
    /// (NORMAL could lose the last transactions), and readers never block the single writer.
    pub async fn open_sqlite_file(file: &Path) -> Result<Db, StoreError> {
        Self::open_sqlite_pool(file, Duration::from_secs(30)).await
    }

    async fn open_sqlite_pool(file: &Path, acquire: Duration) -> Result<Db, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Erased records and destroyed keys are overwritten with zeros in the file, not left in free
            // pages where a copy of the file would still hold them.
            .pragma("secure_delete", "ON")
            // Another process holding the write lock (the CLI, a second server) is waited for this long, at
            // most the request bound: beyond it, SQLITE_BUSY (503).
            .busy_timeout(acquire.min(Duration::from_secs(10)));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(acquire)
            .test_before_acquire(false)
            // A connection still inside a transaction is never handed out: after SQLITE_FULL (or another
            // error that ends SQLite's transaction on its own) a failed rollback can leave the driver
            // counting one open, and every later `BEGIN IMMEDIATE` on that connection would fail
            // (`InvalidSavePointStatement`) for as long as the pool kept it; a new connection is cheap.
            .before_acquire(|conn, _| Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) }))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Config(format!("cannot open {}: {e}", file.display())))?;
        // Files attached to issues live beside the database file by default.
        let folder = file.parent().unwrap_or(Path::new(".")).join("blobs");
        Ok(Db::from(Pool::Sqlite(pool)).with_blobs(Arc::new(crate::blobs::FolderBlobs::new(folder))))
    }

    /// Connects to PostgreSQL with a 10 s acquire timeout and no statement timeout (tests, tools, the
    /// benchmark's bulk loads); the server uses [`Db::open_postgres_with`].
    pub async fn open_postgres(url: &str, max_connections: u32) -> Result<Db, StoreError> {
        Self::open_postgres_with(url, max_connections, Duration::from_secs(10), None).await
    }

    /// Connects to PostgreSQL. `test_before_acquire(false)`: sqlx would otherwise ping the server on
    /// every checkout, a round trip per query for nothing (a broken connection fails the query anyway).
    /// `acquire` bounds the wait for a free connection (beyond it: 503); `statement`, if given, is every
    /// session's `statement_timeout`, so a stalled server cannot hold a request for ever. Migrations, a
    /// rebuild and its VACUUM lift it for themselves (they may rightly take longer). Every session runs with
    /// `jit = off`.
    pub async fn open_postgres_with(
        url: &str,
        max_connections: u32,
        acquire: Duration,
        statement: Option<Duration>,
    ) -> Result<Db, StoreError> {
        let mut options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("DATABASE_URL is not a valid PostgreSQL URL: {e}")))?;
        // No JIT compilation: the service's statements are short, and PostgreSQL decides to compile by the
        // planner's cost, which grows with the tables. At 2.5 million issues a staff member's list page,
        // which reads a few buffers in 0.05 ms, was priced over `jit_above_cost` and spent ~40 ms compiling.
        options = options.options([("jit", "off")]);
        if let Some(limit) = statement {
            options = options.options([("statement_timeout", limit.as_millis().to_string())]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .test_before_acquire(false)
            .acquire_timeout(acquire)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Config(format!("cannot connect to PostgreSQL: {e}")))?;
        Ok(Db::from(Pool::Postgres(pool)))
    }

    /// The same database with `wait` as the bound on a command's wait in this process's write queue (its
    /// turn in a group commit; see [`crate::append`]): beyond it the command is withdrawn unwritten and
    /// fails as unavailable. Call it right after opening: the handle it returns coordinates its writes
    /// afresh (no inline table registered yet).
    pub fn with_write_wait(self, wait: Duration) -> Db {
        Db {
            pool: self.pool,
            writers: Arc::new(Writers { wait, ..Writers::default() }),
            vault: self.vault,
            blobs: self.blobs,
        }
    }

    /// The bound on a command's waits in this process's queues (see [`Db::with_write_wait`]).
    pub fn write_wait(&self) -> Duration {
        self.writers.wait
    }

    /// The same handle (its clones share the write coordination) that seals and opens personal text with
    /// `vault`.
    pub fn with_vault(self, vault: crate::vault::Vault) -> Db {
        Db { vault: Some(Arc::new(vault)), ..self }
    }

    /// The same handle, keeping attached files in `blobs`.
    pub fn with_blobs(self, blobs: Arc<dyn crate::blobs::BlobStore>) -> Db {
        Db { blobs: Some(blobs), ..self }
    }

    /// Where attached files are kept: the store given to [`Db::with_blobs`] (a SQLite handle opened by
    /// `open_sqlite*` keeps them in the folder `blobs` beside its file), else the database's `blobs` table.
    pub fn blobs(&self) -> Arc<dyn crate::blobs::BlobStore> {
        match &self.blobs {
            Some(b) => b.clone(),
            None => Arc::new(crate::blobs::DatabaseBlobs::new(self.pool.clone())),
        }
    }

    /// The vault this handle seals and opens with, if any.
    pub fn vault(&self) -> Option<&crate::vault::Vault> {
        self.vault.as_deref()
    }

    /// The pool, to run a query on the backend in use (see [`on_db!`]).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// What this handle coordinates about writes (see [`crate::append`]).
    pub(crate) fn writers(&self) -> &Writers {
        &self.writers
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the embedded migrations of this backend (idempotent).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("../migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => {
                // Migrations may take longer than the serving statement timeout; lifted for this session only.
                let mut conn = p.acquire().await?;
                sqlx::query("SET statement_timeout = 0").execute(&mut *conn).await?;
                let migrated = sqlx::migrate!("../migrations/postgres").run_direct(&mut *conn).await;
                sqlx::query("RESET statement_timeout").execute(&mut *conn).await?;
                migrated?
            }
        }
        Ok(())
    }

    /// SQLite: writes a consistent copy of the whole database to `to`, which must not exist, with
    /// `VACUUM INTO` (one read transaction: writers go on meanwhile, the copy is the database as of its
    /// start, compacted). PostgreSQL: refused, pg_dump or a base backup does this there.
    pub async fn backup_to(&self, to: &std::path::Path) -> Result<(), StoreError> {
        let Pool::Sqlite(p) = &self.pool else {
            return Err(StoreError::Config(
                "`santisuk backup` copies the embedded SQLite database; on PostgreSQL use pg_dump or a base \
                 backup (README, Operations)"
                    .into(),
            ));
        };
        if to.exists() {
            return Err(StoreError::Config(format!("{} exists already; name a new file", to.display())));
        }
        let path = to.to_str().ok_or_else(|| StoreError::Config("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
        Ok(())
    }

    /// SQLite: copies the write-ahead log into the database file and empties it (`wal_checkpoint(TRUNCATE)`),
    /// so that what was just overwritten (an erasure) leaves the files at once: with `secure_delete` the
    /// database file keeps no copy of an overwritten row, but the log keeps the old pages until they are
    /// reused. Waits for readers up to the busy timeout; `false` when readers kept it from finishing (the
    /// old pages then go with a later checkpoint). PostgreSQL: nothing to do here (old row versions leave
    /// the tables' files when they are vacuumed, which autovacuum does).
    pub async fn flush_log(&self) -> Result<bool, StoreError> {
        let Pool::Sqlite(p) = &self.pool else { return Ok(true) };
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(p).await?;
        Ok(busy == 0)
    }

    /// Whether every embedded migration has been applied (for `/readyz`).
    pub async fn migrations_applied(&self) -> Result<bool, StoreError> {
        let (expected, applied): (usize, i64) = match &self.pool {
            Pool::Sqlite(p) => (
                sqlx::migrate!("../migrations/sqlite").iter().count(),
                sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(p).await?,
            ),
            Pool::Postgres(p) => (
                sqlx::migrate!("../migrations/postgres").iter().count(),
                sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success").fetch_one(p).await?,
            ),
        };
        Ok(applied as usize >= expected)
    }

    /// Starts a transaction. On SQLite it is `BEGIN IMMEDIATE`, taking the write lock up front, so a
    /// read-then-write transaction (the projection runner) cannot fail half-way with SQLITE_BUSY.
    pub async fn begin_write(&self) -> Result<DbTx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => DbTx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => DbTx::Postgres(p.begin().await?),
        })
    }

    /// Starts a read-only transaction whose reads all see one snapshot of the committed data (PostgreSQL:
    /// `REPEATABLE READ`; SQLite: a deferred transaction, which in WAL mode reads one snapshot), for
    /// reports read in several queries.
    pub async fn begin_snapshot(&self) -> Result<DbTx, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => DbTx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => DbTx::Postgres(p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?),
        })
    }

    /// A connection of this database's own, outside the pool (see [`OwnConn`]).
    pub async fn own_connection(&self) -> Result<OwnConn, StoreError> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => OwnConn::Sqlite(p.acquire().await?.detach()),
            Pool::Postgres(p) => OwnConn::Postgres(p.acquire().await?.detach()),
        })
    }

    /// Waits for this process's turn to write to the SQLite file (`None` on PostgreSQL, whose writers
    /// lock rows, not the database). SQLite has one writer at a time; a connection that finds the write
    /// lock taken sleeps in SQLite's busy handler (1, 2, 5, 10, 15, 20… ms between tries), and the lock
    /// stays idle until the sleeper wakes. Writers of this process instead wait in FIFO order on one
    /// async lock held by this handle and start the moment the previous one commits. Held by the command's
    /// append and by every projection batch for the length of their write; writers elsewhere (the CLI,
    /// a second server, another handle on the same file) still meet the busy timeout, the safety net.
    pub async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.pool {
            Pool::Sqlite(_) => Some(self.writers.turn.clone().lock_owned().await),
            Pool::Postgres(_) => None,
        }
    }

    pub async fn close(&self) {
        on_db!(self, p => p.close().await)
    }
}

impl From<Pool> for Db {
    /// A handle on a pool opened elsewhere (tests, tools), with its own write coordination.
    fn from(pool: Pool) -> Db {
        Db { pool, writers: Arc::default(), vault: None, blobs: None }
    }
}

/// `rows` parenthesised groups of `cols` placeholders each, for a multi-row `VALUES` (or, with `cols` 1 and
/// the parentheses dropped by the caller, an `IN` list). PostgreSQL: `$1, $2, …`. SQLite: anonymous `?`, bound
/// in order: sqlx-sqlite looks up the name of every numbered parameter, and SQLite finds a name by a linear
/// search, so thousands of `$n` in one statement cost quadratic time (measured: a third of a rebuild).
pub fn values_placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    values_placeholders_from(backend, 1, rows, cols)
}

/// [`values_placeholders`] numbered from `$first` (for a statement that binds other values before them).
pub fn values_placeholders_from(backend: Backend, first: usize, rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let row = (0..cols)
                .map(|c| match backend {
                    Backend::Postgres => format!("${}", first + r * cols + c),
                    Backend::Sqlite => "?".to_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("({row})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl DbTx {
    pub fn backend(&self) -> Backend {
        match self {
            DbTx::Sqlite(_) => Backend::Sqlite,
            DbTx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        on_tx!(self, t => t.commit().await?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_on_from_the_first() {
        assert_eq!(values_placeholders(Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
        assert_eq!(values_placeholders_from(Backend::Postgres, 8, 1, 3), "($8, $9, $10)");
        assert_eq!(values_placeholders_from(Backend::Sqlite, 8, 2, 2), "(?, ?), (?, ?)");
    }
}
