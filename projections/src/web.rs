//! The web app's sign-in state: password hashes, sessions, failed sign-ins and each user's language.
//!
//! None of this is an event or a projection. A password hash is a secret, not history (the append-only log
//! could never forget it; the `PasswordSet` event records who set one and when); a session is the state of
//! one browser's login. Rows live in the database, not in the process, so any instance behind a load
//! balancer accepts any session and counts every failed sign-in. `projections rebuild` does not touch them.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::users::User;
use santisuk_store::db::Db;
use santisuk_store::error::StoreError;
use santisuk_store::events::fmt_ts;
use santisuk_store::on_db;

/// A signed-in browser, as the session cookie finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub user: User,
    /// Sent back in every form and compared with this value.
    pub csrf: String,
    /// The user's remembered language (`th`, `en`), if they ever chose one.
    pub lang: Option<String>,
}

/// A user who may try to sign in, with the stored password hash (PHC string) if one was ever set.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub password_hash: Option<String>,
}

/// 256 random bits as hex: session secrets and CSRF tokens.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Stores (or replaces) a user's password hash. The caller has recorded the `PasswordSet` event.
pub async fn set_password_hash(db: &Db, user_id: &str, hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO web_accounts (user_id, password_hash, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at")
        .bind(user_id).bind(hash).bind(fmt_ts(now)).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Remembers the user's language for the next sign-in, on any device.
pub async fn set_lang(db: &Db, user_id: &str, lang: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO web_accounts (user_id, lang, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang, updated_at = excluded.updated_at")
        .bind(user_id).bind(lang).bind(fmt_ts(now)).execute(p).await.map(|_| ())?);
    Ok(())
}

/// The active user called `name`, with their password hash; `None` for an unknown or deactivated user.
pub async fn account_by_name(db: &Db, name: &str) -> Result<Option<Account>, StoreError> {
    let row: Option<(String, String, String, String, String, Option<String>)> = on_db!(db, p => sqlx::query_as(
        "SELECT u.id, u.name, u.role, u.areas, u.categories, w.password_hash FROM users u \
         LEFT JOIN web_accounts w ON w.user_id = u.id WHERE u.name = $1 AND u.active")
        .bind(name).fetch_optional(p).await?);
    let Some((id, name, role, areas, categories, password_hash)) = row else { return Ok(None) };
    Ok(Some(Account { user: crate::users::user(id, name, &role, &areas, &categories)?, password_hash }))
}

/// Starts a session for `user_id`; returns the cookie's secret (only its hash is stored).
pub async fn create_session(
    db: &Db,
    user_id: &str,
    now: DateTime<Utc>,
    lifetime: Duration,
) -> Result<String, StoreError> {
    let secret = random_secret();
    on_db!(db, p => sqlx::query(
        "INSERT INTO web_sessions (id_sha256, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(sha256_hex(&secret)).bind(user_id).bind(random_secret()).bind(fmt_ts(now))
        .bind(fmt_ts(now + lifetime)).execute(p).await.map(|_| ())?);
    Ok(secret)
}

/// The live session behind a cookie's secret: not expired, and its user still active (deactivating a user
/// ends their sessions at once).
pub async fn session(db: &Db, secret: &str, now: DateTime<Utc>) -> Result<Option<WebSession>, StoreError> {
    type Row = (String, String, String, String, String, String, Option<String>);
    let row: Option<Row> = on_db!(db, p => sqlx::query_as(
        "SELECT u.id, u.name, u.role, u.areas, u.categories, s.csrf, w.lang FROM web_sessions s \
         JOIN users u ON u.id = s.user_id LEFT JOIN web_accounts w ON w.user_id = u.id \
         WHERE s.id_sha256 = $1 AND s.expires_at > $2 AND u.active")
        .bind(sha256_hex(secret)).bind(fmt_ts(now)).fetch_optional(p).await?);
    let Some((id, name, role, areas, categories, csrf, lang)) = row else { return Ok(None) };
    Ok(Some(WebSession { user: crate::users::user(id, name, &role, &areas, &categories)?, csrf, lang }))
}

/// Ends one session (sign-out), and sweeps expired ones while at it.
pub async fn end_session(db: &Db, secret: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM web_sessions WHERE id_sha256 = $1 OR expires_at <= $2")
        .bind(sha256_hex(secret)).bind(fmt_ts(now)).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Ends every session of a user (after a password change, so a stolen session does not outlive it).
pub async fn end_sessions_of(db: &Db, user_id: &str) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
        .bind(user_id).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Sign-in attempts counted in one window: for the name, for the client address, and in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempts {
    pub name: i64,
    pub client: i64,
    pub all: i64,
}

/// Reserves a failure for a sign-in about to be checked (`user_name`, known or not: refusing unknown
/// names at the same rate tells an attacker nothing; `client`, the address it came from) and returns the
/// failures in the window since `since`, this one included. Reserving *before* the password is checked is
/// what keeps parallel guesses within the limit: each one sees every other one already counted. Failures
/// older than `since` are forgotten while at it. A successful sign-in wipes the name's slate
/// ([`clear_failures`]).
pub async fn reserve_attempt(
    db: &Db,
    user_name: &str,
    client: &str,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
) -> Result<Attempts, StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM web_login_failures WHERE at < $1")
        .bind(fmt_ts(since)).execute(p).await.map(|_| ())?);
    on_db!(db, p => sqlx::query("INSERT INTO web_login_failures (user_name, client, at) VALUES ($1, $2, $3)")
        .bind(user_name).bind(client).bind(fmt_ts(now)).execute(p).await.map(|_| ())?);
    let (name, client, all): (i64, i64, i64) = on_db!(db, p => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM web_login_failures WHERE user_name = $1 AND at >= $3), \
                (SELECT COUNT(*) FROM web_login_failures WHERE client = $2 AND at >= $3), \
                (SELECT COUNT(*) FROM web_login_failures WHERE at >= $3)")
        .bind(user_name).bind(client).bind(fmt_ts(since)).fetch_one(p).await?);
    Ok(Attempts { name, client, all })
}

/// A successful sign-in wipes the slate.
pub async fn clear_failures(db: &Db, user_name: &str) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query("DELETE FROM web_login_failures WHERE user_name = $1")
        .bind(user_name).execute(p).await.map(|_| ())?);
    Ok(())
}
