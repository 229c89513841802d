//! Spreading marks on areas (ขยายผล) and the progress report of the meeting with the coordinators, with
//! its per-area trend. The exports of the report are in [`super::exports`].

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};
use santisuk_app::progress::{self, Progress, ProgressParams, ReachAreaRequest, Trend};

use super::reference::AreaView;
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::{AppState, now};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/areas/{id}/reach", put(reach_area))
        .route("/api/reports/progress", get(report))
        .route("/api/reports/progress/trend", get(trend))
}

/// Marks an area as reached from another (ขยายผล), on a day; given again, it replaces the mark (admin, staff).
/// An area without a mark is a target area.
#[utoipa::path(put, path = "/api/areas/{id}/reach", tag = "reference", operation_id = "reach_area", request_body = ReachAreaRequest,
    params(("id" = String, Path, description = "the area reached")),
    security(("bearer" = [])),
    responses((status = 200, body = AreaView),
        (status = 403, description = "neither an administrator nor staff", body = ErrorBody),
        (status = 404, description = "no such area (`area_not_found`)", body = ErrorBody),
        (status = 422, description = "an unknown `from` (`unknown_area`), the area itself (`reached_from_itself`), \
            a `from` reached from this area through the marks (`reach_cycle`), a day in the future \
            (`reached_in_future`) or a bad date (`bad_date`)", body = ErrorBody)))]
pub async fn reach_area(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<ReachAreaRequest>,
) -> Result<Json<AreaView>, ApiError> {
    Ok(Json(progress::reach_area(&state, &ctx, &id, req).await?.into()))
}

/// The progress report: per area (or per target area with `roll_up=target`) and per coordinator, for a
/// period and a scope, with totals. The README's "The progress report" defines every figure.
///
/// A coordinator's report covers their own areas and shows their own section and obstacles only. Restricted
/// cases the caller may not read count in an area's problems only when the area holds at least the server's
/// small-cell threshold of them (as in the statistics).
#[utoipa::path(get, path = "/api/reports/progress", tag = "stats", operation_id = "progress_report", params(ProgressParams),
    security(("bearer" = [])),
    responses((status = 200, body = Progress),
        (status = 422, description = "a bad period (`bad_period`, `bad_date`), scope (`bad_scope`), `quiet_days`, \
            `roll_up`, `quarters` or `as_of`", body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ProgressParams>,
) -> Result<Json<Progress>, ApiError> {
    let req = progress::parse_request(&state, &ctx, &q, now()).await?;
    Ok(Json(progress::report(&state, &req).await?))
}

/// The per-area trend over quarters (default the last 8, ending with the quarter that holds the report's
/// end): forums held, participants and problems resolved, each quarter counted as the report counts it.
#[utoipa::path(get, path = "/api/reports/progress/trend", tag = "stats", operation_id = "progress_trend", params(ProgressParams),
    security(("bearer" = [])),
    responses((status = 200, body = Trend),
        (status = 422, description = "a bad period (`bad_period`, `bad_date`), scope (`bad_scope`), `quiet_days`, \
            `roll_up`, `quarters` or `as_of`", body = ErrorBody)))]
pub async fn trend(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ProgressParams>,
) -> Result<Json<Trend>, ApiError> {
    let req = progress::parse_request(&state, &ctx, &q, now()).await?;
    Ok(Json(progress::trend(&state, &req).await?))
}
