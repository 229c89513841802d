//! Configuration: flags with environment fallbacks, one typed struct.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use santisuk_app::{Db, StoreError};

/// Where the data lives. Without `DATABASE_URL`, SQLite in the data folder: no setup needed.
#[derive(Clone, Args)]
pub struct StorageConfig {
    /// Folder for the SQLite database (ignored when DATABASE_URL is set).
    #[arg(long, env = "SANTISUK_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// PostgreSQL URL (postgres://…); when set, PostgreSQL is used instead of SQLite.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Maximum PostgreSQL connections of this process.
    #[arg(long, env = "SANTISUK_DB_CONNECTIONS", default_value_t = 16, global = true)]
    pub db_connections: u32,

    /// Seconds a request may wait for a free connection, and a command for its turn in this process's
    /// write queue; on PostgreSQL also each statement's `statement_timeout` (503 beyond any of them).
    /// Migrations and rebuilds are exempt.
    #[arg(long, env = "SANTISUK_DB_TIMEOUT", default_value_t = 5, global = true)]
    pub db_timeout: u64,
}

// The URL may carry a password: never print it.
impl fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageConfig")
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_ref().map(|_| "<redacted>"))
            .field("db_connections", &self.db_connections)
            .field("db_timeout", &self.db_timeout)
            .finish()
    }
}

impl StorageConfig {
    pub async fn open(&self) -> Result<Db, StoreError> {
        match self.database_url.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Db::open_postgres_with(url, self.db_connections, self.wait(), Some(self.wait()))
                    .await?
                    .with_write_wait(self.wait()))
            }
            Some(_) => Err(StoreError::Config("DATABASE_URL must start with postgres:// or postgresql://".into())),
            None => Db::open_sqlite_with(&self.data_dir, self.wait()).await,
        }
    }

    fn wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.db_timeout.max(1))
    }

    /// Where the data is, for people (no secrets).
    pub fn describe(&self) -> String {
        match &self.database_url {
            Some(_) => "PostgreSQL (DATABASE_URL)".to_owned(),
            None => format!("SQLite at {}", self.data_dir.join("santisuk.db").display()),
        }
    }
}

/// `santisuk serve` settings.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "SANTISUK_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: SocketAddr,
    /// On an empty database, first fill in a year of demo data (as `santisuk demo` does), so the dashboard
    /// has something to show. Ignored on a database that already has areas or issues.
    #[arg(long, env = "SANTISUK_DEMO", global = true)]
    pub demo: bool,

    /// Statistics for a user who may not read some restricted cases count those cases only in groups
    /// holding at least this many of them (small-cell suppression; at least 1).
    #[arg(long, env = "SANTISUK_SMALL_CELL_THRESHOLD", default_value_t = 5, global = true,
        value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub small_cell_threshold: u32,

    #[command(flatten)]
    pub limits: crate::limits::Limits,
}
