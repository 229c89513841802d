//! User use cases shared by the API, the web app and the CLI: creating a user with its first token, the
//! areas a coordinator works in, and setting a web password.

use std::collections::HashMap;

use santisuk_domain::user::{Role, User, UserCommand, UserName};
use santisuk_domain::values::AreaId;
use santisuk_projections::read_model;
use santisuk_projections::users::{self, Token, UserRow};
use uuid::Uuid;

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
        if read_model::get_area(&state.db, id.as_str()).await?.is_none() {
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
    let name = UserName::parse(name)?;
    let areas = checked_areas(state, raw_areas).await?;
    let id = user_id(&name);
    let fallback = UserRow {
        id: id.clone(),
        name: name.as_str().to_owned(),
        role: role.as_str().to_owned(),
        active: true,
        areas: areas.iter().map(ToString::to_string).collect(),
        created_at: santisuk_store::events::fmt_ts(now()),
    };
    state.command::<User>(id.clone(), UserCommand::Create { name, role, areas }, metadata.clone(), None).await?;
    let token = Token::generate();
    state.command::<User>(id.clone(), UserCommand::IssueToken { token_sha256: token.sha256() }, metadata, None).await?;
    // If the read model lags, answer from what was just decided (the token works once it catches up).
    let row = users::get_user(&state.db, &id).await?.unwrap_or(fallback);
    Ok((row, token))
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
    let hash = crate::password::hash(password).await?;
    state.command::<User>(user_id.to_owned(), UserCommand::SetPassword, metadata, None).await?;
    santisuk_projections::web::set_password_hash(&state.db, user_id, &hash, now()).await?;
    santisuk_projections::web::end_sessions_of(&state.db, user_id).await?;
    Ok(())
}
