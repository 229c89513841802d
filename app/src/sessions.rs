//! Web sign-in: sessions (a random secret in a cookie), the per-name throttle, signing out, and the
//! language a user chose. Sessions and throttling are state, not events (see `projections::web`).

use chrono::{DateTime, Duration, Utc};
use santisuk_projections::web;
pub use santisuk_projections::web::{Account, WebSession, random_secret};

use crate::AppState;
use crate::caller::Caller;
use crate::error::AppError;

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// How many failed sign-ins within one window of [`Throttle::window_minutes`] lock what they came from for
/// the rest of the window. Counted whichever instance is asked (the failures are in the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures for one user name: guessing one account's password.
    pub per_name: i64,
    /// Failures from one client address: one person trying many names (password spraying), or locking
    /// many accounts out. Generous, as an office behind one NAT address shares it.
    pub per_client: i64,
    /// Failures in all: a distributed attack. Beyond it every sign-in waits for the window to pass
    /// (sessions already open and API tokens keep working).
    pub overall: i64,
    pub window_minutes: i64,
}

impl Default for Throttle {
    fn default() -> Throttle {
        Throttle { per_name: 5, per_client: 30, overall: 1_000, window_minutes: 15 }
    }
}

/// The outcome of a sign-in attempt.
#[derive(Debug)]
pub enum SignIn {
    /// Too many failures lately for this name, from this address, or in all: refused without looking at
    /// the password.
    Throttled,
    /// Unknown name or wrong password (which one is not said); counted as a failure.
    Refused,
    /// Signed in: the new session's secret and the account.
    Started { secret: String, account: Box<Account> },
}

/// Checks a name and password (the name already trimmed and cut to 64 characters) from `client` (the
/// request's address, see the README on proxies), with the throttle.
pub async fn sign_in(
    state: &AppState,
    name: &str,
    password: String,
    client: &str,
    now: DateTime<Utc>,
) -> Result<SignIn, AppError> {
    let throttle = state.throttle;
    let window = now - Duration::minutes(throttle.window_minutes);
    // Counted as a failure until the password proves otherwise.
    let attempts = web::reserve_attempt(&state.db, name, client, now, window).await?;
    if attempts.name > throttle.per_name || attempts.client > throttle.per_client || attempts.all > throttle.overall {
        tracing::warn!(user = %name, client, ?attempts, "sign-in throttled");
        return Ok(SignIn::Throttled);
    }
    let account = if name.is_empty() { None } else { web::account_by_name(&state.db, name).await? };
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    // An over-long password is checked as an empty one, so it costs the same and never matches.
    let password = if password.chars().count() > crate::password::MAX_CHARS { String::new() } else { password };
    let slot = state.hashing.slot()?;
    let ok = crate::password::verify(password, stored).await;
    drop(slot);
    let Some(account) = account.filter(|_| ok) else {
        tracing::info!(user = %name, client, "sign-in failed");
        return Ok(SignIn::Refused);
    };
    web::clear_failures(&state.db, name).await?;
    let secret = web::create_session(&state.db, &account.user.id, now, Duration::hours(SESSION_HOURS)).await?;
    tracing::info!(user = %account.user.name, client, "signed in");
    Ok(SignIn::Started { secret, account: Box::new(account) })
}

/// The live session behind a secret, if any (expired and ended sessions are none).
pub async fn session(state: &AppState, secret: &str, now: DateTime<Utc>) -> Result<Option<WebSession>, AppError> {
    Ok(web::session(&state.db, secret, now).await?)
}

/// Ends one session (this browser only).
pub async fn sign_out(state: &AppState, secret: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    Ok(web::end_session(&state.db, secret, now).await?)
}

/// Remembers the caller's language (any device).
pub async fn set_lang(state: &AppState, caller: &Caller, lang: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    Ok(web::set_lang(&state.db, &caller.user.id, lang, now).await?)
}
