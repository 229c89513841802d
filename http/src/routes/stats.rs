//! Resolution statistics by area, category, district, province, forum, month or fiscal year.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use santisuk_domain::time::bangkok_date;
use santisuk_projections::read_model::Snapshot;
use santisuk_projections::stats::{self, GroupBy, Stats, StatsQuery};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{clip, opt, parse_as_of, parse_date};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::extract::AppQuery;
use crate::state::{AppState, now};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/stats/resolution", get(resolution))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ResolutionQuery {
    /// Comma-separated dimensions: `area`, `category`, `amphoe`, `province`, `forum`, `month`,
    /// `fiscal_year` (default `area`).
    pub by: Option<String>,
    /// First day (inclusive, Asia/Bangkok) of the raised date window, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day (inclusive, Asia/Bangkok) of the window.
    pub to: Option<String>,
    /// Thai fiscal year in the Buddhist Era, e.g. `2570` (Oct 2026 – Sep 2027).
    pub fiscal_year: Option<String>,
    /// RFC 3339: the figures as they stood at this recorded instant.
    pub as_of: Option<String>,
}

/// Resolution statistics with the design's exact definitions.
#[utoipa::path(get, path = "/api/stats/resolution", tag = "stats", params(ResolutionQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "rows per group and totals", body = Object),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn resolution(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ResolutionQuery>,
) -> Result<Json<Stats>, ApiError> {
    let (query, as_of) = parse_query(q, &ctx, now())?;
    let result = match as_of {
        None => state.stats.live(&state.db, &query).await?,
        Some(t) => stats::from_snapshot(&Snapshot::as_of(&state.db, t).await?, &query),
    };
    Ok(Json(result))
}

/// The statistics query, checked, with the caller's area scope: shared by the JSON endpoint and its
/// exports. Returns the query and the as-of instant, if any.
pub fn parse_query(
    q: ResolutionQuery,
    ctx: &Ctx,
    now: DateTime<Utc>,
) -> Result<(StatsQuery, Option<DateTime<Utc>>), ApiError> {
    let by_raw = q.by.as_deref().unwrap_or("area");
    let by = GroupBy::parse_list(by_raw).ok_or_else(|| {
        ApiError::invalid(
            "bad_group",
            format!(
                "by must list area, category, amphoe, province, forum, month or fiscal_year (got {:?})",
                clip(by_raw)
            ),
        )
    })?;
    let from = opt(q.from.as_deref(), |d| parse_date("from", d))?;
    let to = opt(q.to.as_deref(), |d| parse_date("to", d))?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::invalid("bad_window", "`from` is after `to`"));
        }
    }
    let fiscal_year = opt(q.fiscal_year.as_deref(), |y| {
        y.parse::<i32>()
            .ok()
            .filter(|y| (2500..=2700).contains(y))
            .ok_or_else(|| ApiError::invalid("bad_fiscal_year", "fiscal_year is a Buddhist-Era year such as 2570"))
    })?;
    let as_of = parse_as_of(q.as_of.as_deref(), now)?;
    let query =
        StatsQuery { by, from, to, fiscal_year, today: bangkok_date(as_of.unwrap_or(now)), areas: ctx.visible_areas() };
    Ok((query, as_of))
}
