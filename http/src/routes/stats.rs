//! Resolution statistics by area, category, district, province, forum, month or fiscal year.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use santisuk_app::stats::{self, Stats};
pub use santisuk_app::stats::{ResolutionQuery, parse_query};

use crate::auth::Ctx;
use crate::error::ApiError;
use crate::extract::AppQuery;
use crate::state::{AppState, now};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/stats/resolution", get(resolution))
}

/// Resolution statistics with the design's exact definitions.
///
/// Restricted cases: for a caller who may not read some of them (anyone but an admin, for the cases of
/// categories not granted to them and not raised by them), those cases are counted in a group only when the
/// group holds at least the server's small-cell threshold of them (`--small-cell-threshold`, default 5);
/// otherwise they are left out of the group (its counts, rates, median and P90), a group made only of them
/// is not shown, and the totals add up the groups shown. An admin's figures count every case.
#[utoipa::path(get, path = "/api/stats/resolution", tag = "stats", params(ResolutionQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "rows per group and totals", body = Object),
        (status = 422, description = "an invalid grouping, date, window, fiscal year or `as_of`",
            body = crate::error::ErrorBody)))]
pub async fn resolution(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ResolutionQuery>,
) -> Result<Json<Stats>, ApiError> {
    let (query, as_of) = parse_query(&state, q, &ctx, now())?;
    Ok(Json(stats::resolution(&state, &query, as_of).await?))
}
