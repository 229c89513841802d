//! Users, their areas and API tokens, as read tables derived from `User` events. Tokens are 256 random
//! bits shown once; only their SHA-256 is stored (in the `TokenIssued` event and the `api_tokens` table).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngCore;
pub use santisuk_domain::user::Role;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::changes::Changes;
use santisuk_store::db::{Db, DbTx};
use santisuk_store::error::StoreError;
use santisuk_store::{on_db, on_tx};

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The areas a coordinator works in (empty for other roles).
    pub areas: Vec<String>,
}

/// A user as administrators list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub areas: Vec<String>,
    pub created_at: String,
}

/// A new API token: shown to the person once, never stored in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn generate() -> Token {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Token(format!("sst_{}", hex::encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: hex SHA-256 of the token.
    pub fn sha256(&self) -> String {
        token_hash(&self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn parse_role(name: &str, role: &str) -> Result<Role, StoreError> {
    Role::parse(role).ok_or_else(|| StoreError::corrupt(format!("user {name} has unknown role {role}")))
}

/// The active user a bearer token belongs to, if any.
pub async fn user_by_token(db: &Db, token: &str) -> Result<Option<User>, StoreError> {
    user_by_hash(db, &token_hash(token)).await
}

async fn user_by_hash(db: &Db, hash: &str) -> Result<Option<User>, StoreError> {
    let row: Option<(String, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_sha256 = $1 AND u.active")
        .bind(hash).fetch_optional(p).await?);
    let Some((id, name, role)) = row else { return Ok(None) };
    let role = parse_role(&name, &role)?;
    let areas = if role == Role::Coordinator { areas_of(db, &id).await? } else { Vec::new() };
    Ok(Some(User { id, name, role, areas }))
}

/// How long a cached token lookup may be used when no local change was seen: the bound on how long a
/// token revoked through *another* instance (whose runner did the projecting) keeps working here.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);

/// Bounds the memory of the cache (it is cleared when full): one entry per active token.
const TOKEN_CACHE_MAX: usize = 10_000;

/// Bearer token → user, so that a request does not cost a database lookup when the same client sent one
/// within the last [`TOKEN_CACHE_TTL`]. Correctness: an entry is dropped as soon as this process's runner
/// commits any `User` event (a new token, a role or area change, a deactivation), and a command waits for
/// that commit before answering, so a revocation through this instance holds for the very next request.
/// Unknown tokens are never cached (a client guessing tokens cannot fill it, and a new token works at once).
#[derive(Debug, Clone)]
pub struct TokenCache {
    entries: Arc<Mutex<HashMap<String, Cached>>>,
    /// Bumped by the read model after every batch that applied a `User` event, and after a rebuild.
    changes: Changes,
}

/// A cached lookup: the user, when it was asked for, and the users' generation ([`Changes::users`]) at that
/// moment.
type Cached = (User, Instant, u64);

impl TokenCache {
    /// An empty cache whose entries `changes` outdates (shared with the [`crate::read_model::ReadModel`]).
    pub fn new(changes: Changes) -> TokenCache {
        TokenCache { entries: Arc::default(), changes }
    }

    /// [`user_by_token`], answered from the cache while its entry is fresh.
    pub async fn user(&self, db: &Db, token: &str) -> Result<Option<User>, StoreError> {
        let hash = token_hash(token);
        // Both read before the lookup: a change committed while it runs leaves a stale entry that is
        // already outdated by the bump that follows the commit.
        let generation = self.changes.users();
        let asked = Instant::now();
        if let Some((user, at, g)) = self.lock().get(&hash) {
            if *g == generation && at.elapsed() < TOKEN_CACHE_TTL {
                return Ok(Some(user.clone()));
            }
        }
        let user = user_by_hash(db, &hash).await?;
        let mut entries = self.lock();
        match &user {
            Some(u) => {
                if entries.len() >= TOKEN_CACHE_MAX {
                    entries.clear();
                }
                entries.insert(hash, (u.clone(), asked, generation));
            }
            None => {
                entries.remove(&hash);
            }
        }
        Ok(user)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        // A panic while holding the lock cannot leave the map inconsistent (single inserts and removes).
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) async fn areas_of(db: &Db, user_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar("SELECT area_id FROM user_areas WHERE user_id = $1 ORDER BY area_id")
        .bind(user_id).fetch_all(p).await?))
}

/// Every user, by name.
pub async fn list_users(db: &Db) -> Result<Vec<UserRow>, StoreError> {
    let rows: Vec<(String, String, String, bool, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, name, role, active, created_at FROM users ORDER BY name").fetch_all(p).await?);
    let mut out = Vec::with_capacity(rows.len());
    for (id, name, role, active, created_at) in rows {
        let areas = areas_of(db, &id).await?;
        out.push(UserRow { id, name, role, active, areas, created_at });
    }
    Ok(out)
}

pub async fn get_user(db: &Db, id: &str) -> Result<Option<UserRow>, StoreError> {
    let row: Option<(String, String, String, bool, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, name, role, active, created_at FROM users WHERE id = $1").bind(id).fetch_optional(p).await?);
    let Some((id, name, role, active, created_at)) = row else { return Ok(None) };
    let areas = areas_of(db, &id).await?;
    Ok(Some(UserRow { id, name, role, active, areas, created_at }))
}

pub async fn count_users(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await?))
}

// --- projection of User events (called by the read model) ---------------------------------------------

pub(crate) async fn created(
    tx: &mut DbTx,
    id: &str,
    name: &str,
    role: Role,
    areas: &[String],
    at: &str,
) -> Result<(), StoreError> {
    on_tx!(tx, t => sqlx::query("INSERT INTO users (id, name, role, active, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id).bind(name).bind(role.as_str()).bind(true).bind(at).execute(&mut **t).await.map(|_| ())?);
    set_areas(tx, id, areas).await
}

pub(crate) async fn set_areas(tx: &mut DbTx, id: &str, areas: &[String]) -> Result<(), StoreError> {
    on_tx!(tx, t => sqlx::query("DELETE FROM user_areas WHERE user_id = $1").bind(id).execute(&mut **t).await.map(|_| ())?);
    for area in areas {
        on_tx!(tx, t => sqlx::query("INSERT INTO user_areas (user_id, area_id) VALUES ($1, $2)")
            .bind(id).bind(area).execute(&mut **t).await.map(|_| ())?);
    }
    Ok(())
}

/// A new token replaces every earlier one of the user.
pub(crate) async fn token_issued(tx: &mut DbTx, id: &str, token_sha256: &str, at: &str) -> Result<(), StoreError> {
    on_tx!(tx, t => sqlx::query("DELETE FROM api_tokens WHERE user_id = $1").bind(id).execute(&mut **t).await.map(|_| ())?);
    on_tx!(tx, t => sqlx::query("INSERT INTO api_tokens (token_sha256, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_sha256).bind(id).bind(at).execute(&mut **t).await.map(|_| ())?);
    Ok(())
}

pub(crate) async fn deactivated(tx: &mut DbTx, id: &str) -> Result<(), StoreError> {
    on_tx!(tx, t => sqlx::query("UPDATE users SET active = $1 WHERE id = $2").bind(false).bind(id).execute(&mut **t).await.map(|_| ())?);
    Ok(())
}
