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
/// Failures for one name within [`THROTTLE_MINUTES`] that lock it for the rest of the window.
pub const MAX_FAILURES: i64 = 5;
pub const THROTTLE_MINUTES: i64 = 15;

/// The outcome of a sign-in attempt.
#[derive(Debug)]
pub enum SignIn {
    /// Too many failures for this name lately: refused without looking at the password.
    Throttled,
    /// Unknown name or wrong password (which one is not said); counted as a failure.
    Refused,
    /// Signed in: the new session's secret and the account.
    Started { secret: String, account: Box<Account> },
}

/// Checks a name and password (the name already trimmed and cut to 64 characters), with the throttle.
pub async fn sign_in(state: &AppState, name: &str, password: String, now: DateTime<Utc>) -> Result<SignIn, AppError> {
    let window = now - Duration::minutes(THROTTLE_MINUTES);
    if web::failures_since(&state.db, name, window).await? >= MAX_FAILURES {
        tracing::warn!(user = %name, "sign-in throttled");
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
        web::record_failure(&state.db, name, now, window).await?;
        tracing::info!(user = %name, "sign-in failed");
        return Ok(SignIn::Refused);
    };
    web::clear_failures(&state.db, name).await?;
    let secret = web::create_session(&state.db, &account.user.id, now, Duration::hours(SESSION_HOURS)).await?;
    tracing::info!(user = %account.user.name, "signed in");
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
