//! Users (admin): create with a role (and areas for coordinators), list, change areas, grant restricted
//! categories, deactivate, rotate tokens. Every change is a `User` event, so it appears in the audit log.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use santisuk_app::schema;
use santisuk_app::users::{self, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath, idempotency_key};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", get(list).post(create))
        .route("/api/users/{id}/areas", post(set_areas))
        .route("/api/users/{id}/categories", post(grant_categories))
        .route("/api/users/{id}/deactivate", post(deactivate))
        .route("/api/users/{id}/token", post(rotate_token))
        .route("/api/users/{id}/password", post(set_password))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 1–64 letters, digits, '.', '_' or '-'.
    #[schema(value_type = schema::UserName)]
    pub name: String,
    /// `admin`, `staff`, `coordinator` or `auditor`.
    #[schema(value_type = schema::Role)]
    pub role: String,
    /// A coordinator's areas, which must exist (required for coordinators, refused for other roles).
    #[serde(default)]
    #[schema(value_type = Vec<schema::AreaId>)]
    pub areas: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAreasRequest {
    /// Areas that exist; at least one for a coordinator, none for any other role.
    #[schema(value_type = Vec<schema::AreaId>)]
    pub areas: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantCategoriesRequest {
    /// The restricted categories (codes that exist) whose cases the user may read: the whole set, replacing
    /// the one before; empty takes every grant away. Staff and auditors only.
    #[schema(value_type = Vec<schema::CategoryCode>)]
    pub categories: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    /// 10–256 characters, none of them a control character, for signing in to the web app.
    #[schema(value_type = schema::Password)]
    pub password: String,
}

impl std::fmt::Debug for SetPasswordRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetPasswordRequest { password: <redacted> }")
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub name: String,
    #[schema(value_type = schema::Role)]
    pub role: String,
    pub active: bool,
    pub areas: Vec<String>,
    /// The restricted categories whose cases the user may read (staff and auditors; an admin reads every
    /// case).
    #[schema(value_type = Vec<schema::CategoryCode>)]
    pub restricted_categories: Vec<String>,
    pub created_at: String,
}

impl From<UserRow> for UserView {
    fn from(r: UserRow) -> Self {
        UserView {
            id: r.id,
            name: r.name,
            role: r.role,
            active: r.active,
            areas: r.areas,
            restricted_categories: r.categories,
            created_at: r.created_at,
        }
    }
}

/// A user with a token that is shown only in this answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserWithToken {
    #[serde(flatten)]
    pub user: UserView,
    /// The new API token (send as `Authorization: Bearer <token>`); shown once, stored only as a hash.
    /// Absent when the request was a retry with the `Idempotency-Key` of one already done: the token that
    /// request made was shown only in its own answer (if that answer was lost, rotate the token again with
    /// a new key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
}

/// Creates a user (admin); the answer carries its first token. With `Idempotency-Key`, a retry of the same
/// request answers the user again, without the token.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = CreateUserRequest, security(("bearer" = [])),
    params(super::issues::IdempotencyKey),
    responses((status = 201, body = UserWithToken),
        (status = 400, description = "a malformed body or Idempotency-Key", body = ErrorBody),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 409, description = "a user of this name exists (`user_exists`)", body = ErrorBody),
        (status = 422, description = "an invalid value, an area that does not exist, areas for a role that has none \
            or none for a coordinator, a reused Idempotency-Key", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppJson(req): AppJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserWithToken>), ApiError> {
    let key = idempotency_key(&headers)?;
    let (row, token) = users::create(&state, &ctx, key.as_deref(), &req.name, &req.role, &req.areas).await?;
    Ok((StatusCode::CREATED, Json(UserWithToken { user: row.into(), token: token.map(|t| t.expose().to_owned()) })))
}

/// Lists users (admin).
#[utoipa::path(get, path = "/api/users", operation_id = "list_users", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 403, description = "not an administrator", body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Json<UserList>, ApiError> {
    let items = users::list(&state, &ctx).await?.into_iter().map(UserView::from).collect();
    Ok(Json(UserList { items }))
}

/// Replaces a coordinator's areas (admin).
#[utoipa::path(post, path = "/api/users/{id}/areas", tag = "users", request_body = SetAreasRequest,
    params(("id" = String, Path, format = Uuid, description = "user id"), super::issues::IdempotencyKey),
    security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 400, description = "a malformed body or Idempotency-Key", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 409, description = "the user is deactivated", body = ErrorBody),
        (status = 422, description = "an invalid area, one that does not exist, areas for a role that has none \
            or none for a coordinator, a reused Idempotency-Key", body = ErrorBody)))]
pub async fn set_areas(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<SetAreasRequest>,
) -> Result<Json<UserView>, ApiError> {
    let key = idempotency_key(&headers)?;
    Ok(Json(users::set_areas(&state, &ctx, key.as_deref(), &id, &req.areas).await?.into()))
}

/// Grants a staff member or an auditor the restricted categories whose cases they may read (admin),
/// replacing the ones granted before. Takes effect at once.
#[utoipa::path(post, path = "/api/users/{id}/categories", tag = "users", request_body = GrantCategoriesRequest,
    params(("id" = String, Path, format = Uuid, description = "user id"), super::issues::IdempotencyKey),
    security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 400, description = "a malformed body or Idempotency-Key", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 409, description = "the user is deactivated", body = ErrorBody),
        (status = 422, description = "an invalid category code, one that does not exist, a grant to an admin or a \
            coordinator (`grant_for_other_role`), a reused Idempotency-Key", body = ErrorBody)))]
pub async fn grant_categories(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<GrantCategoriesRequest>,
) -> Result<Json<UserView>, ApiError> {
    let key = idempotency_key(&headers)?;
    Ok(Json(users::grant_categories(&state, &ctx, key.as_deref(), &id, &req.categories).await?.into()))
}

/// Deactivates a user (admin): its tokens stop working at once. With `Idempotency-Key`, a retry answers
/// the deactivated user again instead of 409.
#[utoipa::path(post, path = "/api/users/{id}/deactivate", tag = "users",
    params(("id" = String, Path, format = Uuid, description = "user id"), super::issues::IdempotencyKey),
    security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 400, description = "a malformed Idempotency-Key", body = ErrorBody),
        (status = 422, description = "a reused Idempotency-Key", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 409, description = "already deactivated, or the last active administrator", body = ErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
) -> Result<Json<UserView>, ApiError> {
    let key = idempotency_key(&headers)?;
    Ok(Json(users::deactivate(&state, &ctx, key.as_deref(), &id).await?.into()))
}

/// Issues a new token for a user (admin); the old one stops working. With `Idempotency-Key`, a retry
/// answers the user again without a token and issues none.
#[utoipa::path(post, path = "/api/users/{id}/token", tag = "users",
    params(("id" = String, Path, format = Uuid, description = "user id"), super::issues::IdempotencyKey),
    security(("bearer" = [])),
    responses((status = 200, body = UserWithToken), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 400, description = "a malformed Idempotency-Key", body = ErrorBody),
        (status = 422, description = "a reused Idempotency-Key", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 409, description = "the user is deactivated", body = ErrorBody)))]
pub async fn rotate_token(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
) -> Result<Json<UserWithToken>, ApiError> {
    let key = idempotency_key(&headers)?;
    let (row, token) = users::rotate_token(&state, &ctx, key.as_deref(), &id).await?;
    Ok(Json(UserWithToken { user: row.into(), token: token.map(|t| t.expose().to_owned()) }))
}

/// Sets a user's web password (admin, or the user for themselves). Every session of the user ends.
#[utoipa::path(post, path = "/api/users/{id}/password", tag = "users", request_body = SetPasswordRequest,
    params(("id" = String, Path, format = Uuid, description = "user id")), security(("bearer" = [])),
    responses((status = 200, body = UserView),
        (status = 403, description = "another user's password, and not an administrator", body = ErrorBody),
        (status = 404, description = "no such user", body = ErrorBody),
        (status = 409, description = "the user is deactivated", body = ErrorBody),
        (status = 422, description = "too short, too long, or a control character", body = ErrorBody),
        (status = 503, description = "too many passwords being hashed at once; retry after `Retry-After` seconds",
            body = ErrorBody, headers(("Retry-After" = String, description = "seconds")))))]
pub async fn set_password(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<SetPasswordRequest>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::set_password(&state, &ctx, &id, req.password).await?.into()))
}
