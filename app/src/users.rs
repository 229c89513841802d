//! User use cases shared by the API, the web app and the CLI: creating a user with its first token, the
//! areas a coordinator works in, setting a web password; and managing users (list, areas, deactivation,
//! tokens).

use std::collections::HashMap;

use santisuk_domain::user::{Role, User, UserCommand, UserName};
use santisuk_domain::values::{AreaId, CategoryCode};
use santisuk_projections::read_model;
use santisuk_projections::users;
pub use santisuk_projections::users::{Token, UserRow};
use uuid::Uuid;

use crate::caller::Caller;
use crate::error::AppError;
use crate::parse::clip;
use crate::{AppState, now};

/// User ids are UUIDv5(this, name): one name, one aggregate, so the event store itself refuses a second
/// user of the same name, even from two instances at once.
const USER_NAMESPACE: Uuid = Uuid::from_u128(0x7b1e_29c4_0d5a_4f8e_a3b6_5c2d_9e1f_4a70);

pub fn user_id(name: &UserName) -> String {
    Uuid::new_v5(&USER_NAMESPACE, name.as_str().as_bytes()).to_string()
}

/// Checks that every area exists (the command carries checked values only).
pub async fn checked_areas(state: &AppState, raw: &[String]) -> Result<Vec<AreaId>, AppError> {
    let mut areas = Vec::with_capacity(raw.len());
    for a in raw {
        let id = AreaId::parse(a)?;
        // The log decides, not the read model: an area registered a moment ago may not be projected yet
        // (a grant holds at commit; so must the check before it).
        let registered = read_model::get_area(&state.db, id.as_str()).await?.is_some()
            || santisuk_store::load::current_version(&state.db, "Area", id.as_str()).await? > 0;
        if !registered {
            return Err(AppError::invalid("unknown_area", format!("no area {:?}", clip(a))));
        }
        if !areas.contains(&id) {
            areas.push(id);
        }
    }
    Ok(areas)
}

/// Creates a user and its first token. Used by the API, `santisuk user add` and the first start.
pub async fn create_user(
    state: &AppState,
    name: &str,
    role: Role,
    raw_areas: &[String],
    metadata: HashMap<String, String>,
) -> Result<(UserRow, Token), AppError> {
    let (row, token) = create_user_with(state, name, role, raw_areas, metadata).await?;
    // Only a command with an idempotency key can be a replay, and only the API sends keys.
    Ok((row, token.ok_or_else(|| AppError::Internal("an unkeyed creation was answered as a replay".into()))?))
}

/// [`create_user`]; the token is `None` when the command was the replay of an earlier one with the same
/// idempotency key (the token was made up by that run and shown only in its answer).
async fn create_user_with(
    state: &AppState,
    name: &str,
    role: Role,
    raw_areas: &[String],
    metadata: HashMap<String, String>,
) -> Result<(UserRow, Option<Token>), AppError> {
    let name = UserName::parse(name)?;
    let areas = checked_areas(state, raw_areas).await?;
    let id = user_id(&name);
    let fallback = UserRow {
        id: id.clone(),
        name: name.as_str().to_owned(),
        role: role.as_str().to_owned(),
        active: true,
        areas: areas.iter().map(ToString::to_string).collect(),
        categories: Vec::new(),
        created_at: santisuk_store::events::fmt_ts(now()),
    };
    let token = Token::generate();
    let command = UserCommand::Create { name, role, areas, token_sha256: token.sha256() };
    let done = state.command::<User>(id.clone(), command, metadata, None).await?;
    // If the read model lags, answer from what was just decided (the token works once it catches up).
    let row = users::get_user(&state.db, &id).await?.unwrap_or(fallback);
    Ok((row, (!done.replayed).then_some(token)))
}

/// Checks and hashes `password`, records `PasswordSet` (who and when, never the hash), then stores the hash
/// and ends the user's sessions. The event comes first: an audit record of a change that then failed to be
/// stored is harmless (retry), a stored change without its record is not.
pub async fn store_password(
    state: &AppState,
    user_id: &str,
    password: String,
    metadata: HashMap<String, String>,
) -> Result<(), AppError> {
    crate::password::check(&password)?;
    let slot = state.hashing.slot()?;
    let hash = crate::password::hash(password).await?;
    drop(slot);
    state.command::<User>(user_id.to_owned(), UserCommand::SetPassword, metadata, None).await?;
    santisuk_projections::web::set_password_hash(&state.db, user_id, &hash, now()).await?;
    santisuk_projections::web::end_sessions_of(&state.db, user_id).await?;
    Ok(())
}

// --- managing users (administrators; a user may set their own password) ---------------------------------

/// Checks that `raw_id` names an existing user; another id is "not found".
async fn existing(state: &AppState, raw_id: &str) -> Result<String, AppError> {
    let not_found = || AppError::not_found("user_not_found", "no such user");
    let id = Uuid::parse_str(raw_id).map_err(|_| not_found())?.to_string();
    match users::get_user(&state.db, &id).await? {
        Some(_) => Ok(id),
        None => Err(not_found()),
    }
}

/// The user's row after a change (`existing` found it a moment ago; missing, it would be a defect).
async fn row(state: &AppState, id: &str) -> Result<UserRow, AppError> {
    users::get_user(&state.db, id).await?.ok_or_else(|| AppError::Internal("user row vanished".into()))
}

/// Creates a user from an API request; the answer carries its first token, except in the replay of a
/// request with the same `Idempotency-Key` (`None`: that token was shown once, in the first answer).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    idempotency_key: Option<&str>,
    name: &str,
    raw_role: &str,
    raw_areas: &[String],
) -> Result<(UserRow, Option<Token>), AppError> {
    caller.require(&[Role::Admin], "manage users")?;
    let role = Role::parse(raw_role).ok_or_else(|| {
        AppError::invalid(
            "unknown_role",
            format!("role must be admin, staff, coordinator or auditor (got {:?})", clip(raw_role)),
        )
    })?;
    let metadata = caller.keyed_metadata(idempotency_key, &("create", name, raw_role, raw_areas));
    create_user_with(state, name, role, raw_areas, metadata).await
}

/// [`create`], and then the web password when one is given (with [`set_password`], as the API sets it).
/// The password is checked before anything is written. A retry of a creation (same idempotency key) sets
/// the password only if the first run was cut off before it did, so a double-click writes nothing twice.
pub async fn create_with_password(
    state: &AppState,
    caller: &Caller,
    idempotency_key: Option<&str>,
    name: &str,
    raw_role: &str,
    raw_areas: &[String],
    password: Option<String>,
) -> Result<(UserRow, Option<Token>), AppError> {
    caller.require(&[Role::Admin], "manage users")?;
    if let Some(p) = &password {
        crate::password::check(p)?;
    }
    let (row, token) = create(state, caller, idempotency_key, name, raw_role, raw_areas).await?;
    if let Some(p) = password {
        let unset = || async {
            let account = santisuk_projections::web::account_by_name(&state.db, &row.name).await?;
            Ok::<bool, AppError>(account.is_some_and(|a| a.password_hash.is_none()))
        };
        if token.is_some() || unset().await? {
            set_password(state, caller, &row.id, p).await?;
        }
    }
    Ok((row, token))
}

/// Every user.
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<UserRow>, AppError> {
    caller.require(&[Role::Admin], "list users")?;
    Ok(users::list_users(&state.db).await?)
}

/// Replaces a coordinator's areas.
pub async fn set_areas(
    state: &AppState,
    caller: &Caller,
    idempotency_key: Option<&str>,
    raw_id: &str,
    raw_areas: &[String],
) -> Result<UserRow, AppError> {
    caller.require(&[Role::Admin], "manage users")?;
    let id = existing(state, raw_id).await?;
    let areas = checked_areas(state, raw_areas).await?;
    let metadata = caller.keyed_metadata(idempotency_key, &("set_areas", raw_areas));
    state.command::<User>(id.clone(), UserCommand::SetAreas { areas }, metadata, None).await?;
    row(state, &id).await
}

/// Checks that every category exists (the command carries checked values only); repeats are dropped.
pub async fn checked_categories(state: &AppState, raw: &[String]) -> Result<Vec<CategoryCode>, AppError> {
    let mut categories = Vec::with_capacity(raw.len());
    for c in raw {
        let code = CategoryCode::parse(c)?;
        // The log decides, as for areas: a category added a moment ago may not be projected yet.
        let added = read_model::get_category(&state.db, code.as_str()).await?.is_some()
            || santisuk_store::load::current_version(&state.db, "Category", code.as_str()).await? > 0;
        if !added {
            return Err(AppError::invalid("unknown_category", format!("no category {:?}", clip(c))));
        }
        if !categories.contains(&code) {
            categories.push(code);
        }
    }
    Ok(categories)
}

/// Replaces the restricted categories whose cases a staff member or an auditor may read (administrators;
/// an empty list takes every grant away). Refused for admins (who read every case) and coordinators (who
/// read the restricted cases they raised).
pub async fn grant_categories(
    state: &AppState,
    caller: &Caller,
    idempotency_key: Option<&str>,
    raw_id: &str,
    raw_categories: &[String],
) -> Result<UserRow, AppError> {
    caller.require(&[Role::Admin], "manage users")?;
    let id = existing(state, raw_id).await?;
    let categories = checked_categories(state, raw_categories).await?;
    let metadata = caller.keyed_metadata(idempotency_key, &("grant_categories", raw_categories));
    state.command::<User>(id.clone(), UserCommand::GrantRestrictedCategories { categories }, metadata, None).await?;
    row(state, &id).await
}

/// Deactivates a user: its tokens stop working at once.
pub async fn deactivate(
    state: &AppState,
    caller: &Caller,
    idempotency_key: Option<&str>,
    raw_id: &str,
) -> Result<UserRow, AppError> {
    caller.require(&[Role::Admin], "manage users")?;
    let id = existing(state, raw_id).await?;
    // Nobody could manage users any more: refuse to deactivate the last active administrator (also when an
    // administrator deactivates themselves). Two administrators deactivating each other at the same moment
    // can still both succeed (no constraint spans two aggregates); `santisuk user add --role admin` on the
    // server is then the way back in.
    let active_admins: Vec<String> = users::list_users(&state.db)
        .await?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Admin.as_str())
        .map(|u| u.id)
        .collect();
    if active_admins == [id.clone()] {
        return Err(AppError::Conflict {
            code: "last_admin",
            message: "this is the last active administrator; make another one first".into(),
        });
    }
    let metadata = caller.keyed_metadata(idempotency_key, &"deactivate");
    state.command::<User>(id.clone(), UserCommand::Deactivate, metadata, None).await?;
    row(state, &id).await
}

/// Issues a new token for a user; the old one stops working. `None` in the replay of a request with the
/// same `Idempotency-Key`: the token it issued was shown once, in the first answer (rotate again with a new
/// key if that answer was lost).
pub async fn rotate_token(
    state: &AppState,
    caller: &Caller,
    idempotency_key: Option<&str>,
    raw_id: &str,
) -> Result<(UserRow, Option<Token>), AppError> {
    caller.require(&[Role::Admin], "manage users")?;
    let id = existing(state, raw_id).await?;
    let token = Token::generate();
    let metadata = caller.keyed_metadata(idempotency_key, &"rotate_token");
    let done = state
        .command::<User>(id.clone(), UserCommand::IssueToken { token_sha256: token.sha256() }, metadata, None)
        .await?;
    Ok((row(state, &id).await?, (!done.replayed).then_some(token)))
}

/// Sets a user's web password (administrators, or the user for themselves); every session of the user ends.
pub async fn set_password(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    password: String,
) -> Result<UserRow, AppError> {
    if caller.user.id != raw_id {
        caller.require(&[Role::Admin], "set other users' passwords")?;
    }
    let id = existing(state, raw_id).await?;
    store_password(state, &id, password, caller.metadata()).await?;
    row(state, &id).await
}
