//! Service levels (issue #17 §2): `PUT /api/categories/{code}/service-level`. Escalation itself shows on
//! the issue answers (`escalation_level`, `responsible`, `overdue`).

use axum::extract::State;
use axum::routing::put;
use axum::{Json, Router};
pub use santisuk_app::escalation::ServiceLevelRequest;
use santisuk_app::reference::CategoryRow;

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/categories/{code}/service-level", put(set_service_level))
}

/// Sets a category's service level (admin): the days its problems may wait for a first assignment and
/// may stay open. A problem past either is overdue, and the escalator moves it one level up the chain
/// (district coordinator → provincial office → SBPAC centre) at each deadline passed. `null` lifts a limit.
#[utoipa::path(put, path = "/api/categories/{code}/service-level", tag = "reference", request_body = ServiceLevelRequest,
    security(("bearer" = [])), params(("code" = String, Path, description = "category code")),
    responses((status = 200, body = santisuk_app::reference::CategoryRow), (status = 400, description = "a malformed body", body = ErrorBody),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 404, description = "no such category (`category_not_found`)", body = ErrorBody),
        (status = 409, description = "the category already has this service level (`service_level_unchanged`)", body = ErrorBody),
        (status = 422, description = "days out of 1–366, or fewer days to resolve than to assign (`bad_service_days`)", body = ErrorBody)))]
pub async fn set_service_level(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(code): AppPath<String>,
    AppJson(req): AppJson<ServiceLevelRequest>,
) -> Result<Json<CategoryRow>, ApiError> {
    Ok(Json(santisuk_app::escalation::set_service_level(&state, &ctx, &code, req).await?))
}
