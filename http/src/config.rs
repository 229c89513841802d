//! Configuration: flags with environment fallbacks, one typed struct.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use santisuk_app::privacy::{MasterKey, Vault};

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

    /// File holding the master key that wraps the data keys of personal text (base64 of 32 bytes). Default:
    /// `master.key` in the data folder, generated (mode 0600) on the first start of a new database. The key
    /// itself may instead be given in SANTISUK_MASTER_KEY.
    #[arg(long, env = "SANTISUK_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,

    /// Where attached photos and documents are kept: `folder` (a folder on this server's disk, see
    /// --blobs-dir) or `database` (the `blobs` table of the database in use: for several servers that
    /// share no disk). Issue #17 §4.
    #[arg(long, env = "SANTISUK_BLOBS", default_value = "folder", global = true,
        value_parser = ["folder", "database", "postgres"])]
    pub blobs: String,

    /// The folder of `--blobs folder`. Default: `blobs` in the data folder.
    #[arg(long, env = "SANTISUK_BLOBS_DIR", global = true)]
    pub blobs_dir: Option<PathBuf>,
}

// The URL may carry a password: never print it.
impl fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageConfig")
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_ref().map(|_| "<redacted>"))
            .field("db_connections", &self.db_connections)
            .field("db_timeout", &self.db_timeout)
            .field("master_key_file", &self.master_key_file)
            .field("blobs", &self.blobs)
            .field("blobs_dir", &self.blobs_dir)
            .finish()
    }
}

impl StorageConfig {
    /// Opens the database with the vault of its master key (see [`StorageConfig::master_key`]).
    pub async fn open(&self) -> Result<Db, StoreError> {
        let db = self.open_without_key().await?;
        let master = self.master_key(&db).await?;
        Ok(self.with_blobs(db.with_vault(Vault::new(master))))
    }

    /// The handle keeping attached files where the configuration says (see [`StorageConfig::blobs`]).
    pub fn with_blobs(&self, db: Db) -> Db {
        match self.blobs.as_str() {
            // `postgres` is accepted as another name for the table, the usual case.
            "database" | "postgres" => {
                let table = santisuk_app::attachments::database_blobs(&db);
                db.with_blobs(table)
            }
            _ => {
                let dir = self.blobs_dir.clone().unwrap_or_else(|| self.data_dir.join("blobs"));
                db.with_blobs(santisuk_app::attachments::folder_blobs(dir))
            }
        }
    }

    /// The master key: SANTISUK_MASTER_KEY, else the key file. A missing key file is generated only at the
    /// default place and only for a database that was never set up with a key: over existing sealed data
    /// a new key would open nothing, so the start is refused instead, saying which key is wanted.
    pub async fn master_key(&self, db: &Db) -> Result<MasterKey, StoreError> {
        if let Ok(text) = std::env::var("SANTISUK_MASTER_KEY") {
            return MasterKey::from_text(&text).map_err(|e| StoreError::Config(format!("SANTISUK_MASTER_KEY: {e}")));
        }
        let path = self.master_key_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                warn_if_readable_by_others(&path);
                return MasterKey::from_text(&text).map_err(|e| StoreError::Config(format!("{}: {e}", path.display())));
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StoreError::Config(format!("cannot read the master key {}: {e}", path.display())));
            }
            Err(_) => {}
        }
        if let Some(id) = santisuk_app::privacy::master_id_of(db).await? {
            return Err(StoreError::Config(format!(
                "this database was set up with master key {id}, but no master key was found ({} does not exist \
                 and SANTISUK_MASTER_KEY is not set). Restore that key (see README, \"Personal data\"); a new key \
                 could open none of the personal data already stored, so none is made",
                path.display()
            )));
        }
        if self.master_key_file.is_some() {
            return Err(StoreError::Config(format!(
                "the master key file {} does not exist (given in --master-key-file / SANTISUK_MASTER_KEY_FILE); \
                 a key is generated only at the default place, {}",
                path.display(),
                self.data_dir.join("master.key").display()
            )));
        }
        let key = MasterKey::generate();
        write_key_file(&path, &key)?;
        tracing::warn!(
            path = %path.display(), key_id = key.id(),
            "generated a new master key for personal data; back it up apart from the database: without it no \
             personal data can be read"
        );
        Ok(key)
    }

    fn master_key_path(&self) -> PathBuf {
        self.master_key_file.clone().unwrap_or_else(|| self.data_dir.join("master.key"))
    }

    /// Opens the database without its master key: for reading the log as stored (`audit verify`), which
    /// needs no key and may be run by an auditor who holds none.
    pub async fn open_without_key(&self) -> Result<Db, StoreError> {
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

    /// The master key file's place (for messages).
    pub fn master_key_place(&self) -> String {
        match std::env::var("SANTISUK_MASTER_KEY") {
            Ok(_) => "SANTISUK_MASTER_KEY".to_owned(),
            Err(_) => self.master_key_path().display().to_string(),
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

    /// Erase complainants' personal data this many months after every problem they raised was closed
    /// (checked at start and hourly). Off unless set. See README, "Personal data".
    #[arg(long, env = "SANTISUK_RETENTION_MONTHS", global = true)]
    pub retention_months: Option<u32>,
    /// Statistics for a user who may not read some restricted cases count those cases only in groups
    /// holding at least this many of them (small-cell suppression; at least 1).
    #[arg(long, env = "SANTISUK_SMALL_CELL_THRESHOLD", default_value_t = 5, global = true,
        value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub small_cell_threshold: u32,

    #[command(flatten)]
    pub limits: crate::limits::Limits,

    #[command(flatten)]
    pub notify: NotifyArgs,

    /// Largest photo or document accepted, in bytes (413 `file_too_large` beyond). Default 10 MiB.
    #[arg(long, env = "SANTISUK_ATTACHMENT_MAX_BYTES", default_value_t = santisuk_app::attachments::DEFAULT_MAX_BYTES,
        global = true, value_parser = clap::value_parser!(u64).range(1..=1_073_741_824))]
    pub attachment_max_bytes: u64,

    /// Keep the metadata of uploaded photos (EXIF location and camera, XMP, IPTC). Off by default: a
    /// photo's GPS position can endanger whoever took it or is in it.
    #[arg(long, env = "SANTISUK_ATTACHMENT_KEEP_METADATA", global = true)]
    pub attachment_keep_metadata: bool,
}

/// Notifications (issue #17 §5): where e-mail goes out and what links point at.
#[derive(Clone, Args)]
pub struct NotifyArgs {
    /// SMTP server for e-mail notifications: `smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// or `smtps://user:pass@host:465`. Unset: no e-mail is sent (and no e-mail channel can be added).
    #[arg(long, env = "SANTISUK_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The From of notification e-mails.
    #[arg(long, env = "SANTISUK_MAIL_FROM", default_value = "Santisuk <santisuk@localhost>", global = true)]
    pub mail_from: String,
    /// The server's address as people open it, for the links in notifications (default: http://<bind>).
    #[arg(long, env = "SANTISUK_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
}

// The SMTP URL may carry a password: never print it.
impl fmt::Debug for NotifyArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NotifyArgs")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// Writes a new key file readable by its owner only (mode 0600), refusing to replace one.
pub fn write_key_file(path: &std::path::Path, key: &MasterKey) -> Result<(), StoreError> {
    use std::io::Write as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Config(format!("cannot create the folder of {}: {e}", path.display())))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file =
        options.open(path).map_err(|e| StoreError::Config(format!("cannot create {}: {e}", path.display())))?;
    file.write_all(format!("{}\n", key.to_text().as_str()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| StoreError::Config(format!("cannot write {}: {e}", path.display())))
}

fn warn_if_readable_by_others(path: &std::path::Path) {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt as _;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the master key file can be read by others than its owner; chmod 600 it");
        }
    }
}
