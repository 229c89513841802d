//! Operator use cases for the command line (`santisuk migrate`, `projections rebuild`, `audit verify`,
//! `user password`, the first administrator). Whoever runs the binary has the database already, so these
//! take no [`crate::Caller`]; each event they cause is recorded with the actor they are given.

use std::collections::HashMap;

use santisuk_projections::ledger::{self, Digest, Verification};
use santisuk_projections::read_model::ReadModel;
use santisuk_projections::runner::Runner;
use santisuk_projections::users::{self, Token};
use santisuk_projections::web;
use santisuk_store::Db;

use crate::caller::Role;
use crate::error::AppError;
use crate::users::{create_user, store_password};
use crate::{AppState, seed_categories};

/// Applies every migration and seeds the categories on a new database; on a PostgreSQL database restored
/// from another cluster, raises the restore base (`events::heal_restored_tx`) so that `audit verify` and
/// every reader see the whole log before the server has started.
pub async fn migrate(db: &Db) -> Result<(), AppError> {
    db.migrate().await?;
    let raised = santisuk_store::events::heal_restored_tx(db).await?;
    if raised > 0 {
        tracing::warn!(raised_by = raised, "the event log was restored from another PostgreSQL cluster; healed");
    }
    Ok(seed_categories(db).await?)
}

/// Writes a consistent copy of the embedded database to `to` (a new file), while the server may run.
pub async fn backup(db: &Db, to: &std::path::Path) -> Result<(), AppError> {
    Ok(db.backup_to(to).await?)
}

/// Empties the read model and replays every event from position 0; returns how many events it applied.
pub async fn rebuild_read_model(db: &Db) -> Result<usize, AppError> {
    db.migrate().await?;
    Ok(Runner::new(db.clone(), ReadModel::default()).rebuild().await?)
}

/// Recomputes the hash chain and compares it with the ledger and the digest. Read-only (no migration), so
/// a role that may only SELECT can run it.
pub async fn verify_ledger(db: &Db, digest: Option<&Digest>) -> Result<Verification, AppError> {
    Ok(ledger::verify(db, digest).await?)
}

/// Sets the web password of the active user called `name`; returns the user's id.
pub async fn set_password_by_name(
    state: &AppState,
    name: &str,
    password: String,
    metadata: HashMap<String, String>,
) -> Result<String, AppError> {
    let account = web::account_by_name(&state.db, name.trim())
        .await?
        .ok_or_else(|| AppError::not_found("user_not_found", format!("no active user called {name:?}")))?;
    store_password(state, &account.user.id, password, metadata).await?;
    Ok(account.user.id)
}

/// Creates `admin` with a random web password when the database has no active administrator (a new
/// database, or one filled by the demo), so there is always a way in. Answers the token and the password,
/// to be shown once; none when there is an administrator, or when `admin` exists but was deactivated on
/// purpose (respected: `user add` makes another one).
pub async fn ensure_admin(
    state: &AppState,
    metadata: HashMap<String, String>,
) -> Result<Option<(Token, String)>, AppError> {
    let has_admin = users::list_users(&state.db).await?.iter().any(|u| u.active && u.role == Role::Admin.as_str());
    if has_admin {
        return Ok(None);
    }
    match create_user(state, "admin", Role::Admin, &[], metadata.clone()).await {
        Ok((admin, token)) => {
            // 64 random bits as 16 hex digits: strong enough to start with, easy to type once and change.
            let password = web::random_secret()[..16].to_owned();
            store_password(state, &admin.id, password.clone(), metadata).await?;
            Ok(Some((token, password)))
        }
        Err(e) => {
            tracing::warn!(error = %e, "no active administrator, and `admin` could not be created");
            Ok(None)
        }
    }
}
