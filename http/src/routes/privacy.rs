//! Personal data: erasure and the data-subject access export (admins). The complainant of one issue is
//! part of `GET /api/issues/{id}`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use santisuk_app::privacy::{self, EraseRequest, ErasureReport, SubjectExport};

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/privacy/erase", post(erase)).route("/api/privacy/subjects/{id}", get(export_subject))
}

/// Erases a person's data (their record, and the free text of every problem they raised) or one problem's
/// free text, by destroying the keys it was sealed under. Records `PersonalDataErased` in each problem's
/// history; titles, categories, areas, dates, statuses and statistics stay as they were.
#[utoipa::path(post, path = "/api/privacy/erase", tag = "privacy", request_body = EraseRequest,
    security(("bearer" = [])),
    responses((status = 200, body = ErasureReport),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 404, description = "no person record or issue with this id (`unknown_subject`)", body = ErrorBody),
        (status = 409, description = "already erased (`already_erased`)", body = ErrorBody),
        (status = 422, description = "an empty or invalid legal basis", body = ErrorBody)))]
pub async fn erase(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<EraseRequest>,
) -> Result<Json<ErasureReport>, ApiError> {
    Ok(Json(privacy::erase(&state, &ctx, req).await?))
}

/// Everything held about a person (the data-subject access request): the record and the history of each
/// problem they raised. Recorded in the access log.
#[utoipa::path(get, path = "/api/privacy/subjects/{id}", tag = "privacy",
    params(("id" = String, Path, format = Uuid, description = "the person record's id (`complainant.subject_id`)")),
    security(("bearer" = [])),
    responses((status = 200, body = SubjectExport),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 404, description = "no such person record", body = ErrorBody)))]
pub async fn export_subject(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<SubjectExport>, ApiError> {
    Ok(Json(privacy::export_subject(&state, &ctx, &id).await?))
}
