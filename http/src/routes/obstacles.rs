//! Coordinators' own obstacles: raise one, list them. An obstacle is otherwise read and worked through
//! `/api/issues/{id}/…` like any problem (it is an issue of kind `obstacle`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use santisuk_app::issues::{CommandReply, ListParams, ListQuery};
use santisuk_app::obstacles;
pub use santisuk_app::obstacles::RaiseObstacleRequest;

use super::issues::{IdempotencyKey, IssuePage, IssueView};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppQuery, idempotency_key};
use crate::state::{AppState, now};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/obstacles", get(list).post(raise))
}

/// Raises an obstacle in the coordinator's own work (coordinators only, in one of their areas, with an
/// obstacle category). It is then assigned, acted on, closed and reopened by staff through
/// `/api/issues/{id}/…`. With `Idempotency-Key`, a retry returns the first answer and creates nothing.
#[utoipa::path(post, path = "/api/obstacles", tag = "obstacles", request_body = RaiseObstacleRequest,
    security(("bearer" = [])),
    params(IdempotencyKey),
    responses((status = 201, description = "raised (or, for a repeated key, the first answer)", body = CommandReply),
        (status = 400, description = "a malformed body or Idempotency-Key", body = ErrorBody),
        (status = 403, description = "not a coordinator (`not_a_coordinator`), or an area not theirs", body = ErrorBody),
        (status = 422, description = "an invalid value, an area or category that does not exist, a category of \
            community problems (`category_kind_mismatch`), `at` in the future, a reused Idempotency-Key", body = ErrorBody)))]
pub async fn raise(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppJson(req): AppJson<RaiseObstacleRequest>,
) -> Result<(StatusCode, Json<CommandReply>), ApiError> {
    obstacles::require_coordinator(&ctx)?;
    let key = idempotency_key(&headers)?;
    Ok((StatusCode::CREATED, Json(obstacles::raise(&state, &ctx, req, key).await?)))
}

/// Lists obstacles, newest raised first, with the issue list's filters and cursor pagination (and `as_of`):
/// every obstacle for admins, staff and auditors; a coordinator's own for a coordinator.
#[utoipa::path(get, path = "/api/obstacles", operation_id = "list_obstacles", tag = "obstacles", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = IssuePage), (status = 400, description = "a cursor this server did not issue", body = ErrorBody),
        (status = 422, description = "an invalid filter, limit or `as_of`", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ListQuery>,
) -> Result<Json<IssuePage>, ApiError> {
    let (rows, next) = obstacles::list(&state, &ctx, ListParams::parse(q, &ctx, now())?).await?;
    Ok(Json(IssuePage {
        items: rows.into_iter().map(IssueView::from).collect(),
        next_cursor: next.map(|c| c.encode()),
    }))
}
