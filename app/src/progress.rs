//! Spreading to neighbouring areas (ขยายผล: marking an area as reached from another) and the progress
//! report of the meeting with the coordinators: the request checked once (period, scope, the caller's
//! areas), answered live or as of an instant by the same query ([`santisuk_projections::progress`]).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use santisuk_domain::area::{Area, AreaCommand, ReachArea};
use santisuk_domain::time::{bangkok_date, fiscal_year_be};
use santisuk_domain::values::{AmphoeCode, AreaId};
use santisuk_projections::as_of::AsOf;
pub use santisuk_projections::progress::{
    CoordinatorRow, Figures, Obstacles, PartnerGroups, Progress, ProgressQuery, ProgressRow, QUIET_DAYS,
    TREND_QUARTERS, Trend, TrendPoint, TrendRow, quarter_end, quarter_name, quarter_start,
};
use santisuk_projections::read_model::{self, AreaRow};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::caller::{Caller, Role};
use crate::error::AppError;
use crate::parse::{clip, parse_as_of, parse_date};
use crate::{AppState, now};

// --- spreading ----------------------------------------------------------------------------------------

/// Marks an area as reached from another.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReachAreaRequest {
    /// The area it was reached from (a registered area, not the area itself, and not one reached from it).
    #[schema(value_type = crate::schema::AreaId)]
    pub from: String,
    /// The day it was reached (Asia/Bangkok), `YYYY-MM-DD` (or in the Buddhist Era); not later than today.
    #[schema(format = Date, example = "2026-11-01")]
    pub on: String,
}

/// Marks area `id` as reached from `req.from` (ขยายผล), replacing any earlier mark; answers with the area
/// as it is now. Admins and staff: the spreading is a fact of the project that SBPAC's staff follow and
/// record, while registering areas stays with admins. Refused: an unknown area (404 `area_not_found`), an
/// unknown `from` (422 `unknown_area`), the area itself (422 `reached_from_itself`), a `from` that is
/// reached, through the marks, from this area (422 `reach_cycle`), a day in the future (422
/// `reached_in_future`). Marks are given one at a time on this instance, so two marks checked together
/// cannot make a cycle between them.
pub async fn reach_area(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: ReachAreaRequest,
) -> Result<AreaRow, AppError> {
    caller.require(&[Role::Admin, Role::Staff], "mark areas as reached")?;
    let id = AreaId::parse(id).map_err(|_| AppError::not_found("area_not_found", "no such area"))?;
    let from = AreaId::parse(&req.from)?;
    let on = parse_date("on", &req.on)?;
    let _one_at_a_time = state.reach.lock().await;
    let areas: std::collections::BTreeMap<String, AreaRow> =
        read_model::list_areas(&state.db).await?.into_iter().map(|a| (a.id.clone(), a)).collect();
    if !areas.contains_key(id.as_str()) {
        return Err(AppError::not_found("area_not_found", "no such area"));
    }
    if !areas.contains_key(from.as_str()) {
        return Err(AppError::invalid("unknown_area", format!("no area {from}")));
    }
    if from != id {
        // Follow the marks up from `from`: meeting `id` means `from` was reached (perhaps through others)
        // from `id`, and the new mark would close a circle.
        let mut at = from.as_str();
        let mut seen = std::collections::BTreeSet::new();
        while seen.insert(at.to_owned()) {
            if at == id.as_str() {
                return Err(AppError::invalid(
                    "reach_cycle",
                    format!("{from} was itself reached from {id}: marking {id} as reached from it would make a cycle"),
                ));
            }
            match areas.get(at).and_then(|a| a.reached_from.as_deref()) {
                Some(next) => at = next,
                None => break,
            }
        }
    }
    let command = AreaCommand::Reach(ReachArea { id: id.clone(), from, on, today: bangkok_date(now()) });
    state.command::<Area>(id.to_string(), command, caller.metadata(), None).await?;
    read_model::get_area(&state.db, id.as_str())
        .await?
        .ok_or_else(|| AppError::Internal(format!("area {id} is missing from the read model")))
}

// --- the progress report ------------------------------------------------------------------------------

/// The period and scope of a progress report (`GET /api/reports/progress`, its trend and its exports; the
/// web page's form sends the same fields).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressParams {
    /// `month` (default), `quarter`, `fiscal_year` or `custom`.
    #[param(value_type = Option<String>, pattern = "^(month|quarter|fiscal_year|custom)$", example = "month")]
    pub period: Option<String>,
    /// For `period=month`: `YYYY-MM` (Common or Buddhist Era year); default the current month (Asia/Bangkok).
    #[param(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", example = "2026-11")]
    pub month: Option<String>,
    /// For `period=quarter`: a calendar quarter `YYYY-Qn`, e.g. `2026-Q4` (= Thai fiscal quarter 1 of 2570);
    /// default the current one.
    #[param(pattern = "^[0-9]{4}-Q[1-4]$", example = "2026-Q4")]
    pub quarter: Option<String>,
    /// For `period=fiscal_year`: the Thai fiscal year in the Buddhist Era (`2570` = 1 Oct 2026 – 30 Sep 2027);
    /// default the current one.
    #[param(value_type = Option<i32>, minimum = 2500, maximum = 2700)]
    pub fiscal_year: Option<String>,
    /// For `period=custom`: the first day (inclusive).
    #[param(format = Date)]
    pub from: Option<String>,
    /// For `period=custom`: the last day (inclusive), not before `from`.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `all` (default), `area`, `amphoe`, `province` or `coordinator`; every scope but `all` needs `scope_id`.
    #[param(pattern = "^(all|area|amphoe|province|coordinator)$", example = "province")]
    pub scope: Option<String>,
    /// The area id, district code, province code or coordinator's user id the scope names.
    #[param(example = "94")]
    pub scope_id: Option<String>,
    /// Areas without a forum for more than this many days are flagged `quiet` (1–3650, default 90).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 3650)]
    pub quiet_days: Option<String>,
    /// `target`: reached areas are added up under the target area they were reached from; `none` (default).
    #[param(pattern = "^(target|none)$", example = "target")]
    pub roll_up: Option<String>,
    /// The trend only: how many quarters (1–20, default 8), the last one holding the report's end.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 20)]
    pub quarters: Option<String>,
    /// RFC 3339: the report as the records stood at this instant (not in the future).
    #[param(format = DateTime)]
    pub as_of: Option<String>,
}

/// The checked request: the query, the as-of instant and the trend's quarters.
#[derive(Debug, Clone)]
pub struct ProgressRequest {
    pub query: ProgressQuery,
    pub as_of: Option<DateTime<Utc>>,
    pub quarters: u32,
}

fn bad_period(message: impl Into<String>) -> AppError {
    AppError::invalid("bad_period", message)
}

/// The answer to a district, or a province, that does not exist or holds none of a coordinator's areas.
const NO_DISTRICT: &str = "no such district among those you may see (a DOPA code of a district in scope, e.g. 9401)";
const NO_PROVINCE: &str = "no such province among those you may see (94, 95, 96 or 90)";

fn bad_scope(message: impl Into<String>) -> AppError {
    AppError::invalid("bad_scope", message)
}

/// A year written in either era (2569 or 2026).
fn year(text: &str) -> Option<i32> {
    let y: i32 = text.parse().ok().filter(|_| text.len() == 4)?;
    Some(if y >= crate::parse::FIRST_BE_YEAR { y - 543 } else { y })
}

/// The period's first and last days. Every period field given is checked, whichever period is asked for.
pub fn period(p: &ProgressParams, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), AppError> {
    let month = match p.month.as_deref() {
        None => None,
        Some(m) => Some(
            m.split_once('-')
                .and_then(|(y, m)| NaiveDate::from_ymd_opt(year(y)?, m.parse().ok()?, 1))
                .ok_or_else(|| bad_period(format!("month must be YYYY-MM (got {:?})", clip(m))))?,
        ),
    };
    let quarter = match p.quarter.as_deref() {
        None => None,
        Some(q) => Some(
            q.split_once("-Q")
                .and_then(|(y, n)| {
                    let n: u32 = n.parse().ok().filter(|n| (1..=4).contains(n))?;
                    NaiveDate::from_ymd_opt(year(y)?, 3 * n - 2, 1)
                })
                .ok_or_else(|| bad_period(format!("quarter must be YYYY-Qn, e.g. 2026-Q4 (got {:?})", clip(q))))?,
        ),
    };
    let fiscal_year = match p.fiscal_year.as_deref() {
        None => None,
        Some(y) => Some(y.parse::<i32>().ok().filter(|y| (2500..=2700).contains(y)).ok_or_else(|| {
            bad_period(format!("fiscal_year is a Buddhist-Era year such as 2570 (got {:?})", clip(y)))
        })?),
    };
    let from = p.from.as_deref().map(|f| parse_date("from", f)).transpose()?;
    let to = p.to.as_deref().map(|t| parse_date("to", t)).transpose()?;
    let kind = p.period.as_deref().unwrap_or("month");
    let (from, to) = match kind {
        "month" => {
            let start = month.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
            let end = start.checked_add_months(chrono::Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(start);
            (start, end)
        }
        "quarter" => {
            let start = quarter.unwrap_or_else(|| quarter_start(today));
            (start, quarter_end(start))
        }
        "fiscal_year" => {
            // FY2570 runs from 1 October 2026 to 30 September 2027.
            let ends = fiscal_year.unwrap_or_else(|| fiscal_year_be(today)) - 543;
            let from = NaiveDate::from_ymd_opt(ends - 1, 10, 1).ok_or_else(|| bad_period("no such fiscal year"))?;
            let to = NaiveDate::from_ymd_opt(ends, 9, 30).ok_or_else(|| bad_period("no such fiscal year"))?;
            (from, to)
        }
        "custom" => {
            let (Some(from), Some(to)) = (from, to) else {
                return Err(bad_period("period=custom needs both from and to"));
            };
            if from > to {
                return Err(bad_period("`from` is after `to`"));
            }
            if (to - from).num_days() > 366 * 10 {
                return Err(bad_period("a custom period spans at most ten years"));
            }
            (from, to)
        }
        other => {
            return Err(bad_period(format!(
                "period must be month, quarter, fiscal_year or custom (got {:?})",
                clip(other)
            )));
        }
    };
    if from > today {
        return Err(bad_period(format!("the period begins on {from}, after the report's day {today}")));
    }
    Ok((from, to))
}

/// Checks the request and narrows it to the caller: a coordinator's report covers their own areas only
/// and shows their own section (and obstacles) only.
pub async fn parse_request(
    state: &AppState,
    caller: &Caller,
    p: &ProgressParams,
    now: DateTime<Utc>,
) -> Result<ProgressRequest, AppError> {
    let as_of = parse_as_of(p.as_of.as_deref(), now)?;
    let today = bangkok_date(as_of.unwrap_or(now));
    let (from, to) = period(p, today)?;
    let quiet_days = match p.quiet_days.as_deref() {
        None => QUIET_DAYS,
        Some(d) => d.parse::<i64>().ok().filter(|d| (1..=3650).contains(d)).ok_or_else(|| {
            AppError::invalid("bad_quiet_days", format!("quiet_days is a number of days, 1–3650 (got {:?})", clip(d)))
        })?,
    };
    let roll_up = match p.roll_up.as_deref().unwrap_or("none") {
        "none" => false,
        "target" => true,
        other => {
            return Err(AppError::invalid("bad_roll_up", format!("roll_up is target or none (got {:?})", clip(other))));
        }
    };
    let quarters = match p.quarters.as_deref() {
        None => TREND_QUARTERS,
        Some(q) => q.parse::<u32>().ok().filter(|q| (1..=20).contains(q)).ok_or_else(|| {
            AppError::invalid("bad_quarters", format!("quarters is a number from 1 to 20 (got {:?})", clip(q)))
        })?,
    };
    // The scope's areas, from the live areas (an area, once registered, is never removed).
    let areas = read_model::list_areas(&state.db).await?;
    let id = p.scope_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let need_id = |what: &str| id.ok_or_else(|| bad_scope(format!("scope={what} needs scope_id")));
    let pick = |keep: &dyn Fn(&AreaRow) -> bool| -> Vec<String> {
        areas.iter().filter(|a| keep(a)).map(|a| a.id.clone()).collect()
    };
    let mut coordinators = None;
    let scoped: Option<Vec<String>> = match p.scope.as_deref().unwrap_or("all") {
        "all" => None,
        "area" => {
            let id = need_id("area")?;
            if !areas.iter().any(|a| a.id == id) || !caller.sees_area(id) {
                return Err(bad_scope(format!("no area {:?} among those you may see", clip(id))));
            }
            Some(vec![id.to_owned()])
        }
        "amphoe" => {
            let code = AmphoeCode::parse(need_id("amphoe")?).map_err(|_| bad_scope(NO_DISTRICT))?;
            Some(pick(&|a| a.amphoe_code == code.as_str()))
        }
        "province" => {
            let code = need_id("province")?;
            if !["90", "94", "95", "96"].contains(&code) {
                return Err(bad_scope(NO_PROVINCE));
            }
            Some(pick(&|a| a.province_code == code))
        }
        "coordinator" => {
            let id = need_id("coordinator")?;
            let visible = caller.user.role != Role::Coordinator || caller.user.id == id;
            let user = santisuk_projections::users::get_user(&state.db, id).await?;
            let Some(user) = user.filter(|u| visible && u.role == "coordinator") else {
                return Err(bad_scope(format!("no coordinator {:?} among those you may see", clip(id))));
            };
            coordinators = Some(vec![user.id.clone()]);
            Some(user.areas)
        }
        other => {
            return Err(bad_scope(format!(
                "scope is all, area, amphoe, province or coordinator (got {:?})",
                clip(other)
            )));
        }
    };
    let areas = match (caller.visible_areas(), scoped) {
        (Some(visible), Some(asked)) => {
            let mine: Vec<String> = asked.into_iter().filter(|a| visible.contains(a)).collect();
            // A district or province holding none of a coordinator's areas answers exactly as one that does
            // not exist: what lies outside their areas is not theirs to learn.
            if mine.is_empty() {
                let kind = p.scope.as_deref().unwrap_or("all");
                return Err(bad_scope(if kind == "province" { NO_PROVINCE } else { NO_DISTRICT }));
            }
            Some(mine)
        }
        (visible, asked) => asked.or(visible),
    };
    if caller.user.role == Role::Coordinator {
        coordinators = Some(vec![caller.user.id.clone()]);
    }
    let query = ProgressQuery {
        from,
        to,
        end: to.min(today),
        areas,
        coordinators,
        quiet_days,
        roll_up,
        suppress: caller.suppression(state),
    };
    Ok(ProgressRequest { query, as_of, quarters })
}

/// The report: live, or as the records stood at the request's `as_of`.
pub async fn report(state: &AppState, req: &ProgressRequest) -> Result<Progress, AppError> {
    Ok(match req.as_of {
        None => santisuk_projections::progress::report(&state.db, &req.query).await?,
        Some(t) => {
            santisuk_projections::progress::report(AsOf::build(&state.db, t).await?.reader(), &req.query).await?
        }
    })
}

/// The per-area trend over the request's quarters: live, or as of its instant.
pub async fn trend(state: &AppState, req: &ProgressRequest) -> Result<Trend, AppError> {
    let (q, n) = (&req.query, req.quarters);
    Ok(match req.as_of {
        None => santisuk_projections::progress::trend(&state.db, q, n).await?,
        Some(t) => santisuk_projections::progress::trend(AsOf::build(&state.db, t).await?.reader(), q, n).await?,
    })
}

/// The period as a label: `2026-11`, `2026-Q4`, `FY2570`, or `2026-10-01..2026-12-31`.
pub fn period_label(p: &ProgressParams, q: &ProgressQuery) -> String {
    match p.period.as_deref().unwrap_or("month") {
        "month" => q.from.format("%Y-%m").to_string(),
        "quarter" => quarter_name(q.from),
        "fiscal_year" => format!("FY{}", fiscal_year_be(q.from)),
        _ => format!("{}..{}", q.from, q.to),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn params(pairs: &[(&str, &str)]) -> ProgressParams {
        let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| (*v).to_owned());
        ProgressParams {
            period: get("period"),
            month: get("month"),
            quarter: get("quarter"),
            fiscal_year: get("fiscal_year"),
            from: get("from"),
            to: get("to"),
            ..ProgressParams::default()
        }
    }

    fn days(pairs: &[(&str, &str)]) -> Result<(String, String), &'static str> {
        period(&params(pairs), day("2026-12-07"))
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .map_err(|e| if let AppError::Invalid { code, .. } = e { code } else { "other" })
    }

    #[test]
    fn periods_are_months_calendar_quarters_thai_fiscal_years_or_custom_days() {
        let pair = |a: &str, b: &str| Ok((a.to_owned(), b.to_owned()));
        assert_eq!(days(&[]), pair("2026-12-01", "2026-12-31"), "the current month by default");
        assert_eq!(days(&[("month", "2569-02")]), pair("2026-02-01", "2026-02-28"), "a Buddhist-Era month");
        assert_eq!(days(&[("period", "quarter"), ("quarter", "2026-Q4")]), pair("2026-10-01", "2026-12-31"));
        assert_eq!(days(&[("period", "fiscal_year"), ("fiscal_year", "2570")]), pair("2026-10-01", "2027-09-30"));
        assert_eq!(days(&[("period", "fiscal_year")]), pair("2026-10-01", "2027-09-30"), "October opens FY2570");
        assert_eq!(
            days(&[("period", "custom"), ("from", "1/3/2569"), ("to", "2026-03-31")]),
            pair("2026-03-01", "2026-03-31")
        );
    }

    #[test]
    fn bad_periods_are_refused_with_their_code() {
        for bad in [
            vec![("period", "week")],
            vec![("month", "2026-13")],
            vec![("period", "quarter"), ("quarter", "2026-Q0")],
            vec![("period", "fiscal_year"), ("fiscal_year", "1999")],
            vec![("period", "custom"), ("from", "2026-03-01")],
            vec![("period", "custom"), ("from", "2026-03-02"), ("to", "2026-03-01")],
            vec![("month", "2027-01")],
            vec![("quarter", "soon")],
        ] {
            assert_eq!(days(&bad), Err("bad_period"), "{bad:?}");
        }
        assert_eq!(days(&[("from", "yesterday")]), Err("bad_date"), "a field given is checked whatever the period");
    }
}
