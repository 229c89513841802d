//! The blob store: photos and documents kept outside the event log, content-addressed by SHA-256 (issue #17
//! §4). The log records only a file's digest (in `AttachmentAdded`), so the ledger's hash chain covers the
//! file: a file changed in the store no longer matches the digest its event holds. One trait, two backends:
//!
//! - [`FolderBlobs`], the default: a folder (`blobs/` beside the SQLite file, or a configured one), one file
//!   per digest under two levels of two-digit subfolders. Each file is written to a temporary file in the
//!   same folder, synced, and renamed into place (then the folder is synced), so a crash leaves either the
//!   whole file or none: never a half-written file under a digest.
//! - [`DatabaseBlobs`]: the `blobs` table of the database in use (PostgreSQL or SQLite), for deployments
//!   where the servers share no disk (`SANTISUK_BLOBS=database`).
//!
//! An S3-compatible bucket is not provided: it could not be tested here without a network service (see
//! ARCHITECTURE.md). Every backend checks that a digest is 64 lowercase hex digits before it is used as a
//! name or key, and `put` checks that the bytes have that digest.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::db::Pool;
use crate::error::StoreError;
use crate::on_db;

/// Where files live. Each call is one operation; a backend holds no state a restart would lose.
#[async_trait::async_trait]
pub trait BlobStore: fmt::Debug + Send + Sync {
    /// `folder` or `database`: for logs, `/readyz` and the tests.
    fn kind(&self) -> &'static str;

    /// Stores `bytes` under `digest` (their SHA-256). Storing a digest that is there already changes
    /// nothing (the same digest is the same content).
    async fn put(&self, digest: &str, bytes: &[u8]) -> Result<(), StoreError>;

    /// The file stored under `digest`, if any.
    async fn get(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Removes the file under `digest`; whether there was one.
    async fn delete(&self, digest: &str) -> Result<bool, StoreError>;

    /// Every digest stored, sorted (tests count them before and after; an operator's check).
    async fn list(&self) -> Result<Vec<String>, StoreError>;
}

/// The SHA-256 of `bytes`, as the store names it (64 lowercase hex digits).
pub fn digest_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Refuses anything but 64 lowercase hex digits: a digest becomes a file name, and must never become a
/// path (`../`) or another key.
fn checked(digest: &str) -> Result<&str, StoreError> {
    if digest.len() == 64 && digest.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(digest)
    } else {
        Err(StoreError::Blob(format!("not a SHA-256 digest: {digest:?}")))
    }
}

fn check_content(digest: &str, bytes: &[u8]) -> Result<(), StoreError> {
    if digest_of(bytes) == checked(digest)? {
        Ok(())
    } else {
        Err(StoreError::Blob(format!("the bytes given for {digest} have another digest")))
    }
}

/// Files in a folder of the server's disk.
#[derive(Debug, Clone)]
pub struct FolderBlobs {
    dir: PathBuf,
}

impl FolderBlobs {
    /// The store in `dir` (created on the first write).
    pub fn new(dir: impl Into<PathBuf>) -> FolderBlobs {
        FolderBlobs { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `dir/ab/cd/abcd…`: two levels of subfolders keep any one folder small.
    fn path(&self, digest: &str) -> PathBuf {
        self.dir.join(&digest[..2]).join(&digest[2..4]).join(digest)
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Blob(format!("cannot {what} {}: {e}", path.display()))
}

/// Makes a rename or a new file in `dir` durable.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io("sync the folder", dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn put_file(target: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if target.exists() {
        return Ok(());
    }
    let dir = target.parent().expect("a blob path has a folder");
    std::fs::create_dir_all(dir).map_err(|e| io("create the folder", dir, e))?;
    let temp = dir.join(format!(".incoming-{}", uuid::Uuid::new_v4().simple()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io("write", &temp, e));
    }
    // Two uploads of the same file at once rename the same content onto the same name: either wins.
    if let Err(e) = std::fs::rename(&temp, target) {
        let _ = std::fs::remove_file(&temp);
        return Err(io("rename into", target, e));
    }
    sync_dir(dir)
}

fn list_files(dir: &Path) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io("list", &d, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io("list", &d, e))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                if checked(name).is_ok() {
                    out.push(name.to_owned());
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| StoreError::Blob(format!("blob task failed: {e}")))?
}

#[async_trait::async_trait]
impl BlobStore for FolderBlobs {
    fn kind(&self) -> &'static str {
        "folder"
    }

    async fn put(&self, digest: &str, bytes: &[u8]) -> Result<(), StoreError> {
        check_content(digest, bytes)?;
        let target = self.path(digest);
        let bytes = bytes.to_vec();
        blocking(move || put_file(&target, &bytes)).await
    }

    async fn get(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(checked(digest)?);
        blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("read", &path, e)),
        })
        .await
    }

    async fn delete(&self, digest: &str) -> Result<bool, StoreError> {
        let path = self.path(checked(digest)?);
        blocking(move || match std::fs::remove_file(&path) {
            Ok(()) => {
                sync_dir(path.parent().expect("a blob path has a folder"))?;
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io("remove", &path, e)),
        })
        .await
    }

    async fn list(&self) -> Result<Vec<String>, StoreError> {
        let dir = self.dir.clone();
        blocking(move || list_files(&dir)).await
    }
}

/// Files in the `blobs` table of the database (PostgreSQL `bytea`, SQLite `BLOB`).
#[derive(Debug, Clone)]
pub struct DatabaseBlobs {
    pool: Pool,
}

impl DatabaseBlobs {
    pub fn new(pool: Pool) -> DatabaseBlobs {
        DatabaseBlobs { pool }
    }

    fn pool(&self) -> &Pool {
        &self.pool
    }
}

#[async_trait::async_trait]
impl BlobStore for DatabaseBlobs {
    fn kind(&self) -> &'static str {
        "database"
    }

    async fn put(&self, digest: &str, bytes: &[u8]) -> Result<(), StoreError> {
        check_content(digest, bytes)?;
        let at = crate::events::fmt_ts(Utc::now());
        on_db!(self, p => sqlx::query(
            "INSERT INTO blobs (sha256, bytes, created_at) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
            .bind(digest).bind(bytes).bind(&at).execute(p).await.map(|_| ())?);
        Ok(())
    }

    async fn get(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let digest = checked(digest)?;
        let row: Option<(Vec<u8>,)> = on_db!(self, p => sqlx::query_as("SELECT bytes FROM blobs WHERE sha256 = $1")
            .bind(digest).fetch_optional(p).await?);
        Ok(row.map(|(b,)| b))
    }

    async fn delete(&self, digest: &str) -> Result<bool, StoreError> {
        let digest = checked(digest)?;
        let n = on_db!(self, p => sqlx::query("DELETE FROM blobs WHERE sha256 = $1")
            .bind(digest).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    async fn list(&self) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            on_db!(self, p => sqlx::query_as("SELECT sha256 FROM blobs ORDER BY sha256").fetch_all(p).await?);
        Ok(rows.into_iter().map(|(d,)| d).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_keeps_a_file_under_its_digest_and_refuses_other_names() {
        let dir = std::env::temp_dir().join(format!("santisuk-blobs-{}", uuid::Uuid::new_v4().simple()));
        let store = FolderBlobs::new(&dir);
        let bytes = b"%PDF-1.4 hello".to_vec();
        let d = digest_of(&bytes);
        store.put(&d, &bytes).await.unwrap();
        store.put(&d, &bytes).await.unwrap();
        assert_eq!(store.get(&d).await.unwrap(), Some(bytes.clone()));
        assert_eq!(store.list().await.unwrap(), vec![d.clone()]);
        assert!(store.put(&digest_of(b"other"), &bytes).await.is_err(), "bytes of another digest");
        assert!(store.get("../../etc/passwd").await.is_err());
        assert!(store.get(&d.to_uppercase()).await.is_err());
        assert!(store.delete(&d).await.unwrap());
        assert!(!store.delete(&d).await.unwrap());
        assert_eq!(store.get(&d).await.unwrap(), None);
        assert!(store.list().await.unwrap().is_empty(), "no temporary file left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
