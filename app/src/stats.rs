//! Resolution statistics: the query checked once (with the caller's area scope and the small-cell
//! suppression of the restricted cases they may not read), answered live (cached until the read model
//! changes) or as of an instant (the same query on the tables folded for it).

use chrono::{DateTime, NaiveDate, Utc};
use santisuk_domain::time::bangkok_date;
use santisuk_projections::as_of::AsOf;
pub use santisuk_projections::stats::{
    Closures, Counters, GroupBy, SMALL_CELL_THRESHOLD, Stats, StatsQuery, Suppression, bangkok_midnight,
};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::caller::Caller;
use crate::error::AppError;
use crate::parse::{clip, opt, parse_as_of, parse_date};
use crate::schema;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResolutionQuery {
    /// Comma-separated dimensions: `area`, `category`, `amphoe`, `province`, `forum`, `month`,
    /// `fiscal_year`, `agency` (the agency a problem is referred to now; key `agency_id`) (default `area`),
    /// each at most once.
    #[param(value_type = Option<schema::Groupings>, inline, style = Form, explode = false)]
    pub by: Option<String>,
    /// First day (inclusive, Asia/Bangkok) of the raised date window, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day (inclusive, Asia/Bangkok) of the window; not before `from`.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Thai fiscal year in the Buddhist Era, e.g. `2570` (Oct 2026 – Sep 2027).
    #[param(value_type = Option<i32>, minimum = 2500, maximum = 2700)]
    pub fiscal_year: Option<String>,
    /// RFC 3339: the figures as they stood at this recorded instant (not in the future).
    #[param(format = DateTime)]
    pub as_of: Option<String>,
}

/// The figures for a checked query: live, or as the log stood at `as_of`.
pub async fn resolution(state: &AppState, query: &StatsQuery, as_of: Option<DateTime<Utc>>) -> Result<Stats, AppError> {
    Ok(match as_of {
        None => state.stats.live(&state.db, query).await?,
        Some(t) => santisuk_projections::stats::from_rows(AsOf::build(&state.db, t).await?.reader(), query).await?,
    })
}

/// The statistics query, checked, with the caller's area scope and suppression ([`Caller::suppression`]):
/// shared by the JSON endpoint and its exports. Returns the query and the as-of instant, if any.
pub fn parse_query(
    state: &AppState,
    q: ResolutionQuery,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<(StatsQuery, Option<DateTime<Utc>>), AppError> {
    let by_raw = q.by.as_deref().unwrap_or("area");
    let by = GroupBy::parse_list(by_raw).ok_or_else(|| {
        AppError::invalid(
            "bad_group",
            format!(
                "by must list area, category, amphoe, province, forum, month, fiscal_year or agency (got {:?})",
                clip(by_raw)
            ),
        )
    })?;
    let from = opt(q.from.as_deref(), |d| parse_date("from", d))?;
    let to = opt(q.to.as_deref(), |d| parse_date("to", d))?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::invalid("bad_window", "`from` is after `to`"));
        }
    }
    let fiscal_year = opt(q.fiscal_year.as_deref(), |y| {
        y.parse::<i32>()
            .ok()
            .filter(|y| (2500..=2700).contains(y))
            .ok_or_else(|| AppError::invalid("bad_fiscal_year", "fiscal_year is a Buddhist-Era year such as 2570"))
    })?;
    let as_of = parse_as_of(q.as_of.as_deref(), now)?;
    let query = StatsQuery {
        by,
        from,
        to,
        fiscal_year,
        today: bangkok_date(as_of.unwrap_or(now)),
        areas: caller.visible_areas(),
        suppress: caller.suppression(state),
    };
    Ok((query, as_of))
}

/// Live figures for a query built by the caller (the web dashboard), narrowed to the caller's scope: a
/// coordinator's figures never include another area, whatever `query.areas` said, and the restricted cases
/// the caller may not read count under the caller's suppression, whatever `query.suppress` said.
pub async fn live(state: &AppState, caller: &Caller, query: &StatsQuery) -> Result<Stats, AppError> {
    Ok(state.stats.live(&state.db, &scoped(state, caller, query)).await?)
}

/// [`live`] under each grouping of `groupings` (the query's own `by` is not used), counted in one pass.
pub async fn live_many(
    state: &AppState,
    caller: &Caller,
    query: &StatsQuery,
    groupings: &[Vec<GroupBy>],
) -> Result<Vec<Stats>, AppError> {
    Ok(state.stats.live_many(&state.db, &scoped(state, caller, query), groupings).await?)
}

/// `query` narrowed to the caller's areas, with the caller's suppression.
fn scoped(state: &AppState, caller: &Caller, query: &StatsQuery) -> StatsQuery {
    let mut query = query.clone();
    query.suppress = caller.suppression(state);
    if let Some(visible) = caller.visible_areas() {
        query.areas = Some(match query.areas {
            None => visible,
            Some(asked) => asked.into_iter().filter(|a| visible.contains(a)).collect(),
        });
    }
    query
}

/// The issues closed from `from` to `to` (Bangkok days) and how many as resolved, within `areas` and the
/// caller's scope (live).
pub async fn closures(
    state: &AppState,
    caller: &Caller,
    from: NaiveDate,
    to: NaiveDate,
    areas: Option<Vec<String>>,
) -> Result<Closures, AppError> {
    let areas = match (caller.visible_areas(), areas) {
        (Some(visible), Some(asked)) => Some(asked.into_iter().filter(|a| visible.contains(a)).collect()),
        (visible, asked) => asked.or(visible),
    };
    let suppress = caller.suppression(state);
    let today = bangkok_date(crate::now());
    Ok(santisuk_projections::stats::closures_live(&state.db, from, to, today, areas, suppress.as_ref()).await?)
}
