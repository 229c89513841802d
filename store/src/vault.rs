//! Sealing the free text of events (crypto-shredding): each aggregate's text is encrypted with AES-256-GCM
//! under a data key of its own; data keys are kept in `data_keys`, wrapped by the master key; destroying a
//! data key erases every text sealed under it for good, while the events, their hashes and the ledger stay
//! exactly as stored.
//!
//! A sealed text is a JSON string `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>` in place of the
//! text, so the stored events keep the shape the stock postgres-es/sqlite-es crates decode (an opaque
//! string where a string was). The application seals the fields the domain names
//! (`santisuk_domain::personal::sealed_fields`) before an event is stored; every read of the log through a
//! [`Db`] that holds the vault opens them again ([`Vault::open_all`]), or reads `[erased]` where the key is
//! gone. A reader without the vault (the stock crates, the ledger, the audit log's stored form) sees the
//! sealed strings.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::Utc;
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::db::{Db, Pool};
use crate::error::StoreError;
use crate::on_db;

/// What a sealed string starts with.
pub const SEALED_PREFIX: &str = "sealed:v1:";

/// What a sealed text reads as once its key is destroyed (the domain's `personal::ERASED`).
pub const ERASED: &str = "[erased]";

/// Fresh data keys are made this many at a time, in one statement, so a raise does not pay a commit of
/// its own for its key.
const STASH_BATCH: usize = 32;

/// Unwrapped keys kept in memory at most (about 80 bytes each); the map is cleared when full.
const KEY_CACHE_MAX: usize = 200_000;

type KeyBytes = Zeroizing<[u8; 32]>;

/// The key that wraps every data key: 32 random bytes, written as base64. Its id (a fingerprint, not the
/// key) is stored with each wrapped key so that a wrong master key is recognised at start.
#[derive(Clone)]
pub struct MasterKey {
    bytes: KeyBytes,
    id: String,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({}, redacted)", self.id)
    }
}

impl MasterKey {
    pub fn generate() -> MasterKey {
        MasterKey::from_bytes(rand::random())
    }

    fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        let digest = Sha256::new().chain_update(b"santisuk master key id\0").chain_update(bytes).finalize();
        MasterKey { bytes: Zeroizing::new(bytes), id: hex::encode(&digest[..8]) }
    }

    /// Reads a key written by [`MasterKey::to_text`] (standard base64 of 32 bytes; surrounding whitespace
    /// ignored). The error never quotes the text.
    pub fn from_text(text: &str) -> Result<MasterKey, StoreError> {
        let bytes = STANDARD.decode(text.trim()).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or_else(|| {
            StoreError::Config("the master key must be 32 bytes written in base64 (44 characters)".into())
        })?;
        Ok(MasterKey::from_bytes(bytes))
    }

    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(*self.bytes))
    }

    /// A fingerprint of the key, safe to show and store.
    pub fn id(&self) -> &str {
        &self.id
    }
}

fn seal_bytes(key: &[u8; 32], aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let nonce: [u8; 12] = rand::random();
    let cipher = Aes256Gcm::new(key.into());
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
        .expect("AES-GCM encryption of an in-memory buffer cannot fail");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    out
}

fn open_bytes(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < 12 {
        return None;
    }
    let (nonce, body) = sealed.split_at(12);
    Aes256Gcm::new(key.into()).decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad }).ok().map(Zeroizing::new)
}

/// `text` sealed under `key` as it is stored: `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`.
fn seal_text(key: &[u8; 32], key_id: &str, text: &str) -> String {
    let sealed = seal_bytes(key, key_id.as_bytes(), text.as_bytes());
    format!("{SEALED_PREFIX}{key_id}:{}", URL_SAFE_NO_PAD.encode(sealed))
}

/// The text of a sealed string's `body` under `key`; `None` when it does not open.
fn open_text(key: &[u8; 32], key_id: &str, body: &str) -> Option<String> {
    let sealed = URL_SAFE_NO_PAD.decode(body).ok()?;
    String::from_utf8(open_bytes(key, key_id.as_bytes(), &sealed)?.to_vec()).ok()
}

/// A data key as the cache knows it.
#[derive(Clone)]
enum KeyState {
    Live(KeyBytes),
    Destroyed,
}

/// The data keys of one database, unwrapped on demand with the master key and cached; fresh keys made in
/// batches. Owned by the [`Db`] handle that reads and writes with it ([`Db::with_vault`]).
pub struct Vault {
    master: MasterKey,
    keys: Mutex<HashMap<String, KeyState>>,
    /// Keys already stored, not yet given to an aggregate.
    stash: tokio::sync::Mutex<Vec<(String, KeyBytes)>>,
    /// The key each aggregate's newest text was sealed or read under: its next text uses the same.
    current: Mutex<HashMap<String, String>>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault").field("master", &self.master).finish_non_exhaustive()
    }
}

/// Why a text could not be sealed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The key the aggregate's text is sealed under was destroyed since it was loaded: what the caller
    /// holds of the aggregate may be text that is erased now; load it again.
    #[error("the aggregate's data key was destroyed since it was loaded")]
    KeyDestroyed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Vault {
    /// The vault that seals and opens with data keys wrapped by `master`. Before it is used on a database,
    /// [`Vault::check`] makes sure the database was set up with this master key.
    pub fn new(master: MasterKey) -> Vault {
        Vault { master, keys: Mutex::default(), stash: tokio::sync::Mutex::default(), current: Mutex::default() }
    }

    /// Records the master key's id on a database that has none yet (its first start); refuses any other key
    /// on a database set up with one: nothing sealed could be opened, and new data would be sealed under a
    /// key the old data does not share. Needs the migrations applied.
    pub async fn check(&self, db: &Db) -> Result<(), StoreError> {
        match master_id_of(db).await? {
            Some(id) if id != self.master.id => Err(StoreError::Config(format!(
                "wrong master key: the data keys of this database are wrapped by master key {id}, and the key \
                 given is {}. Give the key this database was set up with (see README, \"Personal data\")",
                self.master.id
            ))),
            Some(_) => Ok(()),
            None => {
                on_db!(db, p => sqlx::query("INSERT INTO key_check (id, master_id, created_at) VALUES (1, $1, $2) \
                    ON CONFLICT (id) DO NOTHING")
                    .bind(&self.master.id).bind(Utc::now()).execute(p).await?.rows_affected());
                // Two instances starting together on a new database: whichever recorded first decides.
                match master_id_of(db).await? {
                    Some(id) if id == self.master.id => Ok(()),
                    _ => Err(StoreError::Config(
                        "another master key was recorded for this database at the same moment".into(),
                    )),
                }
            }
        }
    }

    pub fn master_id(&self) -> &str {
        &self.master.id
    }

    fn wrap(&self, key_id: &str, key: &[u8; 32]) -> Vec<u8> {
        seal_bytes(&self.master.bytes, key_id.as_bytes(), key)
    }

    fn unwrap_key(&self, key_id: &str, wrapped: &[u8]) -> Result<KeyBytes, StoreError> {
        let plain = open_bytes(&self.master.bytes, key_id.as_bytes(), wrapped)
            .ok_or_else(|| StoreError::corrupt(format!("data key {key_id} does not open with the master key")))?;
        let bytes = <[u8; 32]>::try_from(plain.as_slice())
            .map_err(|_| StoreError::corrupt(format!("data key {key_id} is not 32 bytes")))?;
        Ok(Zeroizing::new(bytes))
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, KeyState>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn remember(&self, key_id: String, state: KeyState) {
        let mut cache = self.cache();
        if cache.len() >= KEY_CACHE_MAX {
            cache.clear();
        }
        cache.insert(key_id, state);
    }

    fn current(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A key made and stored, not yet used: from the stash, which is refilled [`STASH_BATCH`] at a time.
    async fn fresh_key(&self, db: &Db) -> Result<(String, KeyBytes), StoreError> {
        let mut stash = self.stash.lock().await;
        if stash.is_empty() {
            let made: Vec<(String, KeyBytes)> =
                (0..STASH_BATCH).map(|_| (uuid::Uuid::new_v4().to_string(), Zeroizing::new(rand::random()))).collect();
            let values = crate::db::values_placeholders(db.backend(), made.len(), 4);
            let sql = format!("INSERT INTO data_keys (key_id, wrapped, master_id, created_at) VALUES {values}");
            let now = Utc::now();
            on_db!(db, p => {
                let mut q = sqlx::query(&sql);
                for (id, key) in &made {
                    q = q.bind(id.clone()).bind(self.wrap(id, key)).bind(self.master.id.clone()).bind(now);
                }
                q.execute(p).await?.rows_affected()
            });
            *stash = made;
        }
        let (id, key) = stash.pop().expect("refilled above");
        self.remember(id.clone(), KeyState::Live(key.clone()));
        Ok((id, key))
    }

    /// Fetches the keys among `ids` the cache does not know, in one query.
    async fn fetch(&self, db: &Db, ids: &[&str]) -> Result<(), StoreError> {
        let missing: Vec<String> = {
            let cache = self.cache();
            let mut m: Vec<String> =
                ids.iter().filter(|id| !cache.contains_key(**id)).map(|s| (*s).to_owned()).collect();
            m.sort();
            m.dedup();
            m
        };
        for chunk in missing.chunks(500) {
            let list = crate::db::values_placeholders(db.backend(), chunk.len(), 1).replace(['(', ')'], "");
            let sql = format!("SELECT key_id, wrapped FROM data_keys WHERE key_id IN ({list})");
            let rows: Vec<(String, Option<Vec<u8>>)> = on_db!(db, p => {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(id.clone());
                }
                q.fetch_all(p).await?
            });
            for (id, wrapped) in rows {
                let state = match wrapped {
                    Some(w) => KeyState::Live(self.unwrap_key(&id, &w)?),
                    None => KeyState::Destroyed,
                };
                self.remember(id, state);
            }
        }
        Ok(())
    }

    /// Seals, in `payload` (`{"<EventType>": {…}}`), each string found at one of `paths` (inside the event's
    /// own object) under the data key of `aggregate_id`, a fresh one if it has none yet.
    pub async fn seal(
        &self,
        db: &Db,
        aggregate_id: &str,
        paths: &[&[&str]],
        payload: &mut Value,
    ) -> Result<(), SealError> {
        let Some(inner) = payload.as_object_mut().and_then(|o| o.values_mut().next()) else { return Ok(()) };
        let mut targets: Vec<&mut Value> = Vec::new();
        collect_paths(inner, paths, &mut targets);
        if targets.is_empty() {
            return Ok(());
        }
        let (key_id, key) = self.key_for(db, aggregate_id).await?;
        for target in targets {
            if let Value::String(text) = target {
                *text = seal_text(&key, &key_id, text);
            }
        }
        Ok(())
    }

    /// The key `aggregate_id`'s next text is sealed under.
    async fn key_for(&self, db: &Db, aggregate_id: &str) -> Result<(String, KeyBytes), SealError> {
        let known = self.current().get(aggregate_id).cloned();
        if let Some(key_id) = known {
            self.fetch(db, &[&key_id]).await?;
            match self.cache().get(&key_id) {
                Some(KeyState::Live(key)) => return Ok((key_id, key.clone())),
                Some(KeyState::Destroyed) => {
                    self.forget(&key_id);
                    return Err(SealError::KeyDestroyed);
                }
                None => {}
            }
        }
        let (key_id, key) = self.fresh_key(db).await?;
        self.current().insert(aggregate_id.to_owned(), key_id.clone());
        Ok((key_id, key))
    }

    /// Opens every sealed string of these payloads (each with its aggregate's id), fetching the keys the
    /// cache lacks in one query; a text whose key was destroyed reads [`ERASED`]. The keys a
    /// `PersonalDataErased` event lists are taken as destroyed first, whatever this process cached: another
    /// instance may have destroyed them a moment ago.
    pub async fn open_all<'a>(
        &self,
        db: &Db,
        payloads: impl IntoIterator<Item = (&'a str, &'a mut Value)>,
    ) -> Result<(), StoreError> {
        let payloads: Vec<(&str, &mut Value)> = payloads.into_iter().collect();
        let mut wanted: Vec<&str> = Vec::new();
        for (_, payload) in &payloads {
            if let Some(keys) = payload.get("PersonalDataErased").and_then(|e| e.get("keys")).and_then(Value::as_array)
            {
                for key in keys.iter().filter_map(Value::as_str) {
                    self.forget(key);
                }
            }
            visit_strings(payload, &mut |s| {
                if let Some((key_id, _)) = split_sealed(s) {
                    wanted.push(key_id);
                }
            });
        }
        if wanted.is_empty() {
            return Ok(());
        }
        let wanted: Vec<String> = wanted.into_iter().map(str::to_owned).collect();
        self.fetch(db, &wanted.iter().map(String::as_str).collect::<Vec<_>>()).await?;
        // Only the keys these payloads use, copied out of the lock (the cache may hold many).
        let cache: HashMap<String, KeyState> = {
            let all = self.cache();
            wanted.iter().filter_map(|id| all.get(id).map(|k| (id.clone(), k.clone()))).collect()
        };
        for (aggregate_id, payload) in payloads {
            let mut last_live = None;
            visit_strings_mut(payload, &mut |s| {
                let Some((key_id, body)) = split_sealed(s) else { return };
                let opened = match cache.get(key_id) {
                    Some(KeyState::Live(key)) => {
                        last_live = Some(key_id.to_owned());
                        open_text(key, key_id, body).unwrap_or_else(|| ERASED.to_owned())
                    }
                    Some(KeyState::Destroyed) => ERASED.to_owned(),
                    // Not a key of this database: a text that only looks sealed (it was stored as typed).
                    None => return,
                };
                *s = opened;
            });
            if let Some(key_id) = last_live {
                self.current().insert(aggregate_id.to_owned(), key_id);
            }
        }
        Ok(())
    }

    /// Takes a key as destroyed in this process (another may have destroyed it).
    pub fn forget(&self, key_id: &str) {
        self.remember(key_id.to_owned(), KeyState::Destroyed);
        self.current().retain(|_, k| k != key_id);
    }

    /// Destroys these data keys: their wrapped form is deleted (nothing can open their texts again) and the
    /// row keeps when. Returns how many were alive.
    pub async fn destroy(&self, db: &Db, key_ids: &[String]) -> Result<u64, StoreError> {
        let mut destroyed = 0;
        for chunk in key_ids.chunks(500) {
            let list = crate::db::values_placeholders(db.backend(), chunk.len(), 1).replace(['(', ')'], "");
            let sql = format!(
                "UPDATE data_keys SET wrapped = NULL, destroyed_at = CURRENT_TIMESTAMP \
                 WHERE wrapped IS NOT NULL AND key_id IN ({list})"
            );
            destroyed += on_db!(db, p => {
                let mut q = sqlx::query(&sql);
                for id in chunk {
                    q = q.bind(id.clone());
                }
                q.execute(p).await?.rows_affected()
            });
            for id in chunk {
                self.forget(id);
            }
        }
        Ok(destroyed)
    }

    /// The keys still alive among the keys that sealed the stored events of one aggregate.
    pub async fn live_keys_of(
        &self,
        db: &Db,
        aggregate_type: &str,
        aggregate_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        let sql = match db.pool() {
            Pool::Sqlite(_) => {
                "SELECT CAST(payload AS TEXT) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2"
            }
            Pool::Postgres(_) => "SELECT payload::text FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
        };
        let payloads: Vec<String> =
            on_db!(db, p => sqlx::query_scalar(sql).bind(aggregate_type).bind(aggregate_id).fetch_all(p).await?);
        let mut ids: Vec<String> = Vec::new();
        for payload in &payloads {
            let Ok(value) = serde_json::from_str::<Value>(payload) else { continue };
            visit_strings(&value, &mut |s| {
                if let Some((key_id, _)) = split_sealed(s) {
                    ids.push(key_id.to_owned());
                }
            });
        }
        ids.sort();
        ids.dedup();
        let mut live = Vec::new();
        for chunk in ids.chunks(500) {
            let list = crate::db::values_placeholders(db.backend(), chunk.len(), 1).replace(['(', ')'], "");
            let sql = format!("SELECT key_id FROM data_keys WHERE wrapped IS NOT NULL AND key_id IN ({list})");
            let found: Vec<String> = on_db!(db, p => {
                let mut q = sqlx::query_scalar(&sql);
                for id in chunk {
                    q = q.bind(id.clone());
                }
                q.fetch_all(p).await?
            });
            live.extend(found);
        }
        live.sort();
        Ok(live)
    }

    /// Seals `plain` under a fresh key of its own (a person record): returns the key's id and the sealed
    /// text.
    pub async fn seal_record(&self, db: &Db, plain: &str) -> Result<(String, String), StoreError> {
        let (key_id, key) = self.fresh_key(db).await?;
        let sealed = seal_text(&key, &key_id, plain);
        Ok((key_id, sealed))
    }

    /// Opens a text sealed by [`Vault::seal_record`]; `None` when its key was destroyed.
    pub async fn open_record(&self, db: &Db, sealed: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        let Some((key_id, body)) = split_sealed(sealed) else {
            return Err(StoreError::corrupt("a person record is not sealed"));
        };
        self.fetch(db, &[key_id]).await?;
        let key = match self.cache().get(key_id) {
            Some(KeyState::Live(key)) => key.clone(),
            Some(KeyState::Destroyed) => return Ok(None),
            None => return Err(StoreError::corrupt(format!("a person record's key {key_id} is unknown"))),
        };
        let plain = open_text(&key, key_id, body)
            .ok_or_else(|| StoreError::corrupt(format!("a person record sealed under {key_id} does not open")))?;
        Ok(Some(Zeroizing::new(plain)))
    }

    /// Re-wraps every live data key with `new` in one transaction (the events are not touched) and records
    /// the new master key's id; from the commit on, only `new` opens this database. Returns how many keys
    /// were re-wrapped.
    pub async fn rotate(&self, db: &Db, new: &MasterKey) -> Result<u64, StoreError> {
        let mut tx = db.begin_write().await?;
        let rows: Vec<(String, Vec<u8>)> = crate::on_tx!(&mut tx, c => sqlx::query_as(
            "SELECT key_id, wrapped FROM data_keys WHERE wrapped IS NOT NULL").fetch_all(&mut **c).await?);
        for (id, wrapped) in &rows {
            let key = self.unwrap_key(id, wrapped)?;
            let rewrapped = seal_bytes(&new.bytes, id.as_bytes(), &*key);
            crate::on_tx!(&mut tx, c => sqlx::query("UPDATE data_keys SET wrapped = $1, master_id = $2 WHERE key_id = $3")
                .bind(rewrapped).bind(new.id.clone()).bind(id.clone()).execute(&mut **c).await?.rows_affected());
        }
        crate::on_tx!(&mut tx, c => sqlx::query("UPDATE key_check SET master_id = $1, created_at = $2 WHERE id = 1")
            .bind(new.id.clone()).bind(Utc::now()).execute(&mut **c).await?.rows_affected());
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}

/// The id of the master key this database's data keys are wrapped with, if it has been set up (`None` also
/// before the migrations created the table).
pub async fn master_id_of(db: &Db) -> Result<Option<String>, StoreError> {
    let exists: bool = match db.backend() {
        crate::Backend::Sqlite => on_db!(db, p => sqlx::query_scalar(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'key_check'").fetch_one(p).await?),
        crate::Backend::Postgres => on_db!(db, p => sqlx::query_scalar(
            "SELECT to_regclass('key_check') IS NOT NULL").fetch_one(p).await?),
    };
    if !exists {
        return Ok(None);
    }
    Ok(on_db!(db, p => sqlx::query_scalar("SELECT master_id FROM key_check WHERE id = 1").fetch_optional(p).await?))
}

/// `(key id, body)` of a sealed string.
fn split_sealed(s: &str) -> Option<(&str, &str)> {
    s.strip_prefix(SEALED_PREFIX)?.split_once(':')
}

fn collect_paths<'v>(value: &'v mut Value, paths: &[&[&str]], out: &mut Vec<&'v mut Value>) {
    // Paths are few and short; walk each from the event's object. Two paths never name the same value.
    let Value::Object(map) = value else { return };
    let mut groups: HashMap<&str, Vec<&[&str]>> = HashMap::new();
    for path in paths {
        if let Some((first, rest)) = path.split_first() {
            groups.entry(first).or_default().push(rest);
        }
    }
    for (field, child) in map.iter_mut() {
        let Some(rests) = groups.get(field.as_str()) else { continue };
        if rests.iter().any(|r| r.is_empty()) {
            out.push(child);
        } else {
            collect_paths(child, rests, out);
        }
    }
}

fn visit_strings<'v>(value: &'v Value, f: &mut impl FnMut(&'v str)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().for_each(|v| visit_strings(v, f)),
        Value::Object(map) => map.values().for_each(|v| visit_strings(v, f)),
        _ => {}
    }
}

fn visit_strings_mut(value: &mut Value, f: &mut impl FnMut(&mut String)) {
    match value {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter_mut().for_each(|v| visit_strings_mut(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| visit_strings_mut(v, f)),
        _ => {}
    }
}

/// Whether a stored payload text holds a sealed string (cheap test before parsing it as a tree).
pub fn holds_sealed(payload: &str) -> bool {
    payload.contains(SEALED_PREFIX) || payload.contains("PersonalDataErased")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_master_key_round_trips_through_its_text_and_is_never_printed() {
        let key = MasterKey::generate();
        let again = MasterKey::from_text(&format!("  {}\n", key.to_text().as_str())).unwrap();
        assert_eq!(again.id(), key.id());
        assert!(!format!("{key:?}").contains(key.to_text().as_str()));
        assert!(MasterKey::from_text("c2hvcnQ=").is_err());
        assert!(MasterKey::from_text("not base64 at all!").is_err());
    }

    #[test]
    fn sealed_bytes_open_only_with_their_key_and_label() {
        let key = [7u8; 32];
        let sealed = seal_bytes(&key, b"k1", "ข้อความ".as_bytes());
        assert_eq!(open_bytes(&key, b"k1", &sealed).unwrap().as_slice(), "ข้อความ".as_bytes());
        assert!(open_bytes(&[8u8; 32], b"k1", &sealed).is_none());
        assert!(open_bytes(&key, b"k2", &sealed).is_none());
        assert_ne!(seal_bytes(&key, b"k1", b"x"), seal_bytes(&key, b"k1", b"x"), "a fresh nonce each time");
    }

    #[test]
    fn paths_find_nested_fields_only() {
        let mut event = serde_json::json!({"description": {"from": "a", "to": "b"}, "reason": "c", "title": "d"});
        let mut found = Vec::new();
        collect_paths(&mut event, &[&["description", "from"], &["description", "to"], &["reason"]], &mut found);
        let mut texts: Vec<String> = found.iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        texts.sort();
        assert_eq!(texts, ["a", "b", "c"]);
    }
}
