//! The dashboard: resolution rate per area and per category (bars with the counts beside every rate and a
//! flag under 10 issues), the open and overdue backlog, median days to resolve and the monthly trend, for one
//! Thai fiscal year and optionally one province or district.
//!
//! Everything is drawn on the server from the same statistics the API serves (`StatsCache::live`, the design's
//! exact definitions): bars are HTML rows (readable at 40 areas on a 360-px phone, selectable text, no
//! script), the trend is an inline SVG. The page is one request.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, PreEscaped, html};
use santisuk_app::issues;
use santisuk_app::reference::{self, AreaRow};
use santisuk_app::stats::{self, Counters, GroupBy, Stats, StatsQuery};
use santisuk_domain::geo::Geography;
use santisuk_domain::time::{bangkok_date, fiscal_year_be};
use serde::Deserialize;

use super::i18n::{self, Lang, Tr};
use super::layout::{self, Nav};
use super::queue;
use super::{Web, WebError};
use crate::error::ApiError;
use crate::routes::exports::ExportQuery;
use crate::state::{AppState, now};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DashboardQuery {
    /// `""`: the last twelve months; a Buddhist-Era fiscal year; `range`: the `from`–`to` days.
    #[serde(default)]
    fy: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    amphoe: String,
    /// How the area and category tables are ordered: `name` (default), `rate`, `open` or `overdue`.
    #[serde(default)]
    sort: String,
}

/// The longest custom range, in days: ten years (a chart of 120 months is the most the page draws).
const MAX_RANGE_DAYS: i64 = 3660;

/// What the page counts: the raise-date window and how the queue is told the same window.
#[derive(Debug, Clone)]
struct Window {
    first: NaiveDate,
    last: NaiveDate,
    fy: Option<i32>,
    /// A range chosen by hand (`fy=range`), as opposed to the last twelve months or a fiscal year.
    custom: bool,
}

impl Window {
    /// The queue's parameters for this window: `fy=` for a fiscal year (the queue applies the same bounds),
    /// otherwise the first and last day.
    fn params(&self) -> Vec<(&'static str, String)> {
        match self.fy {
            Some(fy) => vec![("fy", fy.to_string())],
            None => vec![("from", self.first.to_string()), ("to", self.last.to_string())],
        }
    }
}

/// The window a query asks for. A fiscal year chosen wins over days left in the range fields (the select
/// submits the form as soon as it changes).
fn window(q: &DashboardQuery, today: NaiveDate) -> Result<Window, ApiError> {
    let fy_raw = q.fy.trim();
    let custom = fy_raw == "range" || (fy_raw.is_empty() && !(q.from.trim().is_empty() && q.to.trim().is_empty()));
    if custom {
        let (Some(first), Some(last)) = (queue::parse_day("from", &q.from)?, queue::parse_day("to", &q.to)?) else {
            return Err(ApiError::bad_request("bad_window", "a range needs its first and its last day"));
        };
        if first > last {
            return Err(ApiError::bad_request("bad_window", "the first day is after the last"));
        }
        if (last - first).num_days() > MAX_RANGE_DAYS {
            return Err(ApiError::bad_request("bad_window", "a range is at most ten years"));
        }
        return Ok(Window { first, last, fy: None, custom: true });
    }
    match queue::parse_fiscal_year(fy_raw)? {
        Some(fy) => {
            let (first, last) = queue::fiscal_year_days(fy);
            Ok(Window { first, last, fy: Some(fy), custom: false })
        }
        // The default is the last twelve whole months up to today, not the current fiscal year: in October
        // a fiscal year is a few days old and its dashboard would be empty.
        None => Ok(Window { first: months_before(today, 11), last: today, fy: None, custom: false }),
    }
}

/// How the area and category tables are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    /// As the reference lists have them (area code, category code).
    Name,
    /// Lowest resolution rate first: where attention is needed; groups without issues last.
    Rate,
    /// Most open first.
    Open,
    /// Most overdue first.
    Overdue,
}

impl Sort {
    const ALL: [Sort; 4] = [Sort::Name, Sort::Rate, Sort::Open, Sort::Overdue];

    fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Rate => "rate",
            Sort::Open => "open",
            Sort::Overdue => "overdue",
        }
    }

    fn parse(raw: &str) -> Result<Sort, ApiError> {
        match raw.trim() {
            "" => Ok(Sort::Name),
            raw => Sort::ALL
                .into_iter()
                .find(|s| s.as_str() == raw)
                .ok_or_else(|| ApiError::bad_request("bad_sort", "sort is name, rate, open or overdue")),
        }
    }

    fn label(self) -> i18n::Tr {
        match self {
            Sort::Name => i18n::DASH_SORT_NAME,
            Sort::Rate => i18n::DASH_SORT_RATE,
            Sort::Open => i18n::DASH_SORT_OPEN,
            Sort::Overdue => i18n::DASH_SORT_OVERDUE,
        }
    }

    /// Stable: equal groups keep their reference order.
    fn apply(self, rows: &mut [Row]) {
        let count = |r: &Row, f: fn(&Counters) -> i64| r.counters.as_ref().map_or(0, f);
        match self {
            Sort::Name => {}
            Sort::Rate => rows.sort_by(|a, b| {
                let rate = |r: &Row| r.counters.as_ref().and_then(|c| c.resolution_rate);
                match (rate(a), rate(b)) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                }
            }),
            Sort::Open => rows.sort_by_key(|r| std::cmp::Reverse(count(r, |c| c.open))),
            Sort::Overdue => rows.sort_by_key(|r| std::cmp::Reverse(count(r, |c| c.overdue))),
        }
    }
}

/// One row of the area or category table: its key, its label, its counters (none: nothing raised) and
/// the queue's parameters for exactly its issues.
struct Row {
    key: String,
    label: String,
    counters: Option<Counters>,
    link: Vec<(&'static str, String)>,
}

/// A link to the queue narrowed to `base` plus `extra`.
fn queue_link(base: &[(&'static str, String)], extra: &[(&'static str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = base.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pairs.extend_from_slice(extra);
    format!("/issues{}", layout::query(&pairs))
}

/// The figures of one dashboard query, ready to draw or to download.
struct Figures {
    window: Window,
    sort: Sort,
    visible: Vec<AreaRow>,
    /// The parameters every link to the queue carries: the window and the place.
    base: Vec<(&'static str, String)>,
    query: StatsQuery,
}

/// Checks the query and builds the statistics query of the page (the areas in view, the window).
async fn figures(state: &AppState, web: &Web, q: &DashboardQuery) -> Result<Figures, WebError> {
    let today = bangkok_date(now());
    let window = window(q, today)?;
    let sort = Sort::parse(&q.sort)?;
    let geo = Geography::get();
    let visible: Vec<AreaRow> = reference::list_areas(state, &web.ctx).await?;
    let in_scope = |a: &AreaRow| {
        let amphoe = geo.amphoe(&a.amphoe_code);
        (q.province.is_empty() || amphoe.is_some_and(|x| x.province_code == q.province))
            && (q.amphoe.is_empty() || a.amphoe_code == q.amphoe)
    };
    let scoped = web.ctx.visible_areas().is_some() || !q.province.is_empty() || !q.amphoe.is_empty();
    let areas: Vec<String> = visible.iter().filter(|a| in_scope(a)).map(|a| a.id.clone()).collect();
    let query = StatsQuery {
        by: vec![GroupBy::Area],
        from: Some(window.first),
        to: Some(window.last),
        fiscal_year: None,
        today,
        areas: scoped.then_some(areas),
        suppress: web.ctx.suppression(state),
    };
    let mut base = window.params();
    base.extend([("province", q.province.clone()), ("amphoe", q.amphoe.clone())]);
    // The statistics count an original once (issue #17): so does the queue each figure links to.
    base.push(("originals", "1".to_owned()));
    Ok(Figures { window, sort, visible, base, query })
}

/// The dashboard page.
pub async fn page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let started = Instant::now();
    let Query(q) = query.map_err(|_| ApiError::bad_request("bad_query", "the filters could not be read"))?;
    let lang = web.lang;
    let today = bangkok_date(now());
    let current_fy = fiscal_year_be(today);
    let Figures { window, sort, visible, base, query } = figures(&state, &web, &q).await?;
    let groupings = [query.by.clone(), vec![GroupBy::Category], vec![GroupBy::Month]];
    let [by_area, by_category, by_month]: [Stats; 3] = stats::live_many(&state, &web.ctx, &query, &groupings)
        .await?
        .try_into()
        .map_err(|_| ApiError::internal("the statistics came back short"))?;
    let categories = reference::list_categories(&state).await?;

    // Every fiscal year from the first raise to now: the picker costs one index lookup, not a statistics scan.
    let first_fy = issues::first_raised_on(&state, &web.ctx)
        .await?
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map_or(current_fy, fiscal_year_be);
    let mut fiscal_years: Vec<i32> = (first_fy.min(current_fy)..=current_fy).collect();
    fiscal_years.extend(window.fy);
    fiscal_years.sort_unstable_by(|a, b| b.cmp(a));
    fiscal_years.dedup();
    let (provinces, amphoes) = layout::places(lang, &visible, &q.province);

    let in_view = |id: &String| query.areas.as_ref().is_none_or(|a| a.contains(id));
    let mut area_rows: Vec<Row> = visible
        .iter()
        .filter(|a| in_view(&a.id))
        .map(|a| Row {
            key: a.id.clone(),
            // Target areas and the areas reached from them (ขยายผล) told apart (#16).
            label: match &a.reached_from {
                None => layout::area_label(lang, a),
                Some(from) => format!("{} · {} {from}", layout::area_label(lang, a), i18n::REACHED_FROM.get(lang)),
            },
            counters: by_area
                .rows
                .iter()
                .find(|r| key(&r.keys, "area_id") == Some(a.id.as_str()))
                .map(|r| r.counters.clone()),
            link: [base.clone(), vec![("area", a.id.clone())]].concat(),
        })
        .collect();
    let mut category_rows: Vec<Row> = categories
        .iter()
        .map(|c| Row {
            key: c.code.clone(),
            label: layout::category_label(lang, c),
            counters: by_category
                .rows
                .iter()
                .find(|r| key(&r.keys, "category") == Some(c.code.as_str()))
                .map(|r| r.counters.clone()),
            link: [base.clone(), vec![("category", c.code.clone())]].concat(),
        })
        .collect();
    sort.apply(&mut area_rows);
    sort.apply(&mut category_rows);
    let demo = visible.iter().any(|a| a.id.starts_with("DEMO-"));
    let t = &by_area.totals;
    let pct = |r: Option<f64>| r.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "—".into());
    let select = |name: &str, label: i18n::Tr, current: &str, options: &[(String, String)], all: bool| {
        html! {
            div {
                label for=(name) { (label.get(lang)) }
                select id=(name) name=(name) {
                    @if all { option value="" { (i18n::ALL.get(lang)) } }
                    @for (value, text) in options { option value=(value) selected[value == current] { (text) } }
                }
            }
        }
    };
    let last_12 = format!(
        "{} ({} – {})",
        i18n::LAST_12_MONTHS.get(lang),
        i18n::month_year(lang, months_before(today, 11)),
        i18n::month_year(lang, today)
    );
    let mut fy_options: Vec<(String, String)> = vec![(String::new(), last_12.clone())];
    fy_options.extend(
        fiscal_years.iter().map(|y| (y.to_string(), format!("{} {}", i18n::FISCAL_YEAR.get(lang), fy_label(lang, *y)))),
    );
    fy_options.push(("range".into(), i18n::DASH_CUSTOM_RANGE.get(lang).to_owned()));
    let period = match (window.fy, window.custom) {
        (Some(fy), _) => format!("{} {}", i18n::FISCAL_YEAR.get(lang), fy_label(lang, fy)),
        (None, true) => {
            format!(
                "{} – {}",
                i18n::stored_date(lang, &window.first.to_string()),
                i18n::stored_date(lang, &window.last.to_string())
            )
        }
        (None, false) => last_12,
    };
    let fy_value = match (window.fy, window.custom) {
        (Some(fy), _) => fy.to_string(),
        (None, true) => "range".to_owned(),
        (None, false) => String::new(),
    };
    let sorts: Vec<(String, String)> =
        Sort::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().get(lang).to_owned())).collect();
    // The page's own query, to download exactly what is shown.
    let shown = [
        ("fy", fy_value.clone()),
        ("from", if window.custom { window.first.to_string() } else { String::new() }),
        ("to", if window.custom { window.last.to_string() } else { String::new() }),
        ("province", q.province.clone()),
        ("amphoe", q.amphoe.clone()),
    ];
    let download = |by: &str, format: &str| {
        let mut pairs: Vec<(&str, &str)> = shown.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.extend([("by", by), ("format", format), ("lang", lang.code())]);
        format!("/dashboard/export{}", layout::query(&pairs))
    };
    let downloads = |by: &str| {
        html! {
            p.downloads {
                (i18n::DASH_DOWNLOAD.get(lang)) " "
                a href=(download(by, "csv")) download { "CSV" } " · "
                a href=(download(by, "xlsx")) download { "XLSX" }
            }
        }
    };
    let link = |extra: &[(&'static str, &str)]| queue_link(&base, extra);
    // The issues closed in the window, by the day they were closed: the queue gets the same days.
    let closures = stats::closures(&state, &web.ctx, window.first, window.last, query.areas.clone()).await?;
    let closed_link = |extra: &[(&'static str, &str)]| {
        let mut params: Vec<(&'static str, String)> = vec![
            ("closed_from", window.first.to_string()),
            ("closed_to", window.last.to_string()),
            ("province", q.province.clone()),
            ("amphoe", q.amphoe.clone()),
            ("originals", "1".to_owned()),
        ];
        params.retain(|(_, v)| !v.is_empty());
        queue_link(&params, extra)
    };
    let content = html! {
        h1 { (i18n::NAV_DASHBOARD.get(lang)) " · " (period) }
        p { a href="/reports/custody" { (i18n::CUSTODY_TITLE.get(lang)) } }
        @if demo { p.warn { (i18n::DEMO_BANNER.get(lang)) } }
        form.card.filters.dash-filters method="get" action="/dashboard" data-autosubmit {
            (select("fy", i18n::PERIOD, &fy_value, &fy_options, false))
            div {
                label for="from" { (i18n::RAISED_FROM.get(lang)) }
                (layout::date_input(lang, "from", "from", if window.custom { q.from.as_str() } else { "" }, false, &[]))
            }
            div {
                label for="to" { (i18n::RAISED_TO.get(lang)) }
                (layout::date_input(lang, "to", "to", if window.custom { q.to.as_str() } else { "" }, false, &[]))
            }
            (select("province", i18n::PROVINCE, &q.province, &provinces, true))
            (select("amphoe", i18n::DISTRICT, &q.amphoe, &amphoes, true))
            (select("sort", i18n::SORT, sort.as_str(), &sorts, false))
            div.actions {
                button.primary type="submit" { (i18n::FILTER.get(lang)) }
                a href="/dashboard" { (i18n::CLEAR.get(lang)) }
                // Shown by the script, which can print; without it, the browser's own Print uses the same print styles.
                button.print type="button" data-print hidden { (i18n::DASH_PRINT.get(lang)) }
            }
        }
        p.hint.range-hint { (i18n::DASH_RANGE_HINT.get(lang)) }
        section.kpis aria-label="summary" {
            div.kpi #kpi-raised { div.v { a.count href=(link(&[])) { (t.raised) } } div.l { (i18n::RAISED.get(lang)) } }
            div.kpi #kpi-resolved { div.v { a.count href=(link(&[("status", "closed"), ("outcome", "resolved")])) { (t.resolved) } }
                div.l { (i18n::RESOLVED.get(lang)) " · " (pct(t.resolution_rate)) } }
            div.kpi #kpi-confirmed { div.v { a.count href=(link(&[("status", "closed"), ("outcome", "resolved"), ("verdict", "confirmed")])) { (t.confirmed) } }
                div.l { (CONFIRMED.get(lang)) " · " (pct(t.confirmed_rate)) } }
            div.kpi #kpi-open { div.v { a.count href=(link(&[("open", "1")])) { (t.open) } } div.l { (i18n::OPEN.get(lang)) } }
            // Issue #17 §2: escalated open problems, first in the queue's default order.
            div.kpi #kpi-escalated { div.v.overdue[t.escalated > 0] { a.count href=(link(&[("escalated", "1")])) { (t.escalated) } }
                div.l { (super::escalation::ESCALATED.get(lang)) } }
            div.kpi #kpi-overdue { div.v.overdue[t.overdue > 0] { a.count href=(link(&[("overdue", "1")])) { (t.overdue) } } div.l { (i18n::OVERDUE.get(lang)) } }
            div.kpi #kpi-median { div.v { (t.median_days_to_resolve.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())) }
                div.l { (i18n::MEDIAN_DAYS.get(lang)) } }
        }
        section.card.definitions #rate-definition {
            p #rate-def {
                strong { (i18n::RESOLUTION_RATE.get(lang)) " " (pct(t.resolution_rate)) }
                " = " a.count href=(link(&[("status", "closed"), ("outcome", "resolved")])) { (t.resolved) }
                " ÷ " a.count href=(link(&[])) { (t.raised) } " · " (i18n::DASH_RATE_DEF.get(lang))
            }
            // Issue #17 §6: beside the resolution rate, the share the community confirmed at a forum.
            p #confirmed-def {
                strong { (CONFIRMED_RATE.get(lang)) " " (pct(t.confirmed_rate)) }
                " = " a.count href=(link(&[("status", "closed"), ("outcome", "resolved"), ("verdict", "confirmed")])) { (t.confirmed) }
                " ÷ " a.count href=(link(&[])) { (t.raised) } " · " (CONFIRMED_RATE_DEF.get(lang))
            }
            p #closed-in-def {
                strong { (i18n::DASH_CLOSED_IN.get(lang)) " " (pct(closures.resolved_share)) }
                " = " a.count href=(closed_link(&[("outcome", "resolved")])) { (closures.resolved) }
                " ÷ " a.count href=(closed_link(&[])) { (closures.closed) } " · " (i18n::DASH_CLOSED_IN_DEF.get(lang))
            }
            // For a reader who may not read every restricted case: why a figure may be above what the list shows.
            @if let Some(s) = &query.suppress {
                p #suppression-note { (i18n::suppression_note(lang, s.threshold)) }
            }
        }
        section.card #by-area {
            h2 { (i18n::BY_AREA.get(lang)) }
            (bars(lang, "area", &area_rows))
            (downloads("area"))
        }
        section.card #by-category {
            h2 { (i18n::BY_CATEGORY.get(lang)) }
            (bars(lang, "category", &category_rows))
            (downloads("category"))
        }
        section.card #trend {
            h2 { (i18n::TREND.get(lang)) }
            (trend(lang, &window, &by_month, &base))
            (downloads("month"))
        }
    };
    // How long the page took, for whoever measures it (devtools, the benchmark), not on the page itself.
    let timing = format!("render;dur={:.1}", started.elapsed().as_secs_f64() * 1000.0);
    let page = layout::page(&web, Nav::Dashboard, i18n::NAV_DASHBOARD.get(lang), content);
    Ok(([("server-timing", timing)], page).into_response())
}

/// A table of the dashboard as a CSV or XLSX file: the same window, place and scope as the page, in the
/// columns of the statistics export (`/api/stats/resolution/export`), recorded in the access log like it.
pub async fn download(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(raw) = query.map_err(|_| ApiError::bad_request("bad_query", "the filters could not be read"))?;
    let field = |k: &str| raw.get(k).cloned().unwrap_or_default();
    let page = DashboardQuery {
        fy: field("fy"),
        from: field("from"),
        to: field("to"),
        province: field("province"),
        amphoe: field("amphoe"),
        sort: field("sort"),
    };
    let by = match field("by").as_str() {
        "area" => GroupBy::Area,
        "category" => GroupBy::Category,
        "month" => GroupBy::Month,
        _ => return Err(ApiError::bad_request("bad_group", "by is area, category or month").into()),
    };
    let Figures { query, .. } = figures(&state, &web, &page).await?;
    // Thai readers get Buddhist-Era months, as on the page.
    let lang = raw.get("lang").cloned().unwrap_or_else(|| web.lang.code().to_owned());
    let dates = if lang == "th" { "be" } else { "iso" };
    let export = ExportQuery { format: raw.get("format").cloned(), lang: Some(lang), dates: Some(dates.into()) };
    Ok(crate::routes::exports::stats_file(&state, &web.ctx, &raw, &StatsQuery { by: vec![by], ..query }, &export)
        .await?)
}

fn key<'a>(keys: &'a BTreeMap<&'static str, Option<String>>, name: &str) -> Option<&'a str> {
    keys.get(name).and_then(|v| v.as_deref())
}

/// `2570` in Thai, `2570 (2026–27)` in English, where a Buddhist-Era year alone means little.
fn fy_label(lang: Lang, fy: i32) -> String {
    if lang.buddhist_era() { fy.to_string() } else { format!("{fy} ({}–{:02})", fy - 544, (fy - 543) % 100) }
}

/// One bar per group: label, the rate as a bar, and the rate with its counts (resolved / raised), open and
/// overdue counts; a flag where the rate rests on fewer than 10 issues. Every count links to the queue
/// narrowed to exactly the issues it counts.
/// Issue #17 §6: the confirmed resolution rate's words.
const CONFIRMED: Tr = Tr("confirmed");
const CONFIRMED_RATE: Tr = Tr("confirmed-rate");
const CONFIRMED_RATE_DEF: Tr = Tr("confirmed-rate-def");

fn bars(lang: Lang, kind: &str, rows: &[Row]) -> Markup {
    html! {
        table.bars id={ "bars-" (kind) } {
            thead { tr {
                th { @if kind == "area" { (i18n::AREA.get(lang)) } @else { (i18n::CATEGORY.get(lang)) } }
                th { (i18n::RESOLUTION_RATE.get(lang)) }
                th.num { (i18n::RESOLVED.get(lang)) " / " (i18n::RAISED.get(lang)) }
                th.num { (i18n::OPEN.get(lang)) }
                th.num { (i18n::OVERDUE.get(lang)) }
                th.num { (CONFIRMED_RATE.get(lang)) }
            } }
            tbody {
                @for row in rows {
                    @let c = row.counters.as_ref();
                    @let raised = c.map_or(0, |c| c.raised);
                    @let resolved = c.map_or(0, |c| c.resolved);
                    @let rate = c.and_then(|c| c.resolution_rate);
                    @let small = c.is_none_or(|c| c.small_sample);
                    @let link = |extra: &[(&'static str, &str)]| queue_link(&row.link, extra);
                    tr data-key=(row.key) data-raised=(raised) data-resolved=(resolved) {
                        td.label dir="auto" { (row.label) }
                        td.bar {
                            div.track role="img" aria-label=(format!("{}: {}", i18n::RESOLUTION_RATE.get(lang), rate.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| i18n::NO_DATA.get(lang).to_owned()))) {
                                div class={ "fill" @if small { " small" } } style=(format!("width:{:.1}%", rate.unwrap_or(0.0) * 100.0)) {}
                            }
                        }
                        td.num.rate {
                            @match rate {
                                Some(r) => { strong { (format!("{:.0}%", r * 100.0)) } }
                                None => { span.muted { "—" } }
                            }
                            " " span.counts { "("
                                a.count href=(link(&[("status", "closed"), ("outcome", "resolved")])) { (resolved) } "/"
                                a.count href=(link(&[])) { (raised) } ")" }
                            @if small && raised > 0 { " " span.flag title=(i18n::SMALL_SAMPLE.get(lang)) aria-label=(i18n::SMALL_SAMPLE.get(lang)) { "⚠" } }
                        }
                        td.num.open data-label=(i18n::OPEN.get(lang)) { a.count href=(link(&[("open", "1")])) { (c.map_or(0, |c| c.open)) } }
                        td.num.overdue-count data-label=(i18n::OVERDUE.get(lang)) { a.count href=(link(&[("overdue", "1")])) { (c.map_or(0, |c| c.overdue)) } }
                        td.num.confirmed data-label=(CONFIRMED_RATE.get(lang)) {
                            (c.and_then(|c| c.confirmed_rate).map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "—".into())) " " span.counts { "("
                                a.count href=(link(&[("status", "closed"), ("outcome", "resolved"), ("verdict", "confirmed")])) { (c.map_or(0, |c| c.confirmed)) } ")" }
                        }
                    }
                }
            }
        }
        p.hint { span.flag { "⚠" } " " (i18n::SMALL_SAMPLE.get(lang)) }
    }
}

/// The first day of the month `n` months before `day`'s month.
fn months_before(day: NaiveDate, n: u32) -> NaiveDate {
    let index = day.year() * 12 + day.month0() as i32 - n as i32;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1).unwrap_or(day)
}

/// The months of a window: each month's first and last day, clipped to the window.
fn months_of(window: &Window) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = window.first;
    while start <= window.last {
        let next = months_before(start, 0).checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX);
        let end = next.pred_opt().unwrap_or(next).min(window.last);
        out.push((start, end));
        start = next;
    }
    out
}

/// Raised and resolved (of those raised) per month of the window, as an SVG bar chart and, for a narrow
/// screen and for print, as a table whose every count links to the queue for that month.
fn trend(lang: Lang, window: &Window, by_month: &Stats, base: &[(&'static str, String)]) -> Markup {
    let months: Vec<(NaiveDate, NaiveDate, i64, i64)> = months_of(window)
        .into_iter()
        .map(|(first, last)| {
            let k = first.format("%Y-%m").to_string();
            let c = by_month.rows.iter().find(|r| key(&r.keys, "month") == Some(k.as_str())).map(|r| &r.counters);
            (first, last, c.map_or(0, |c| c.raised), c.map_or(0, |c| c.resolved))
        })
        .collect();
    // A month's link: the place of the page and the month's days (clipped to the window), not the window's
    // fiscal year, so the queue counts exactly that month.
    let month_link = |first: NaiveDate, last: NaiveDate, extra: &[(&'static str, &str)]| {
        let mut params: Vec<(&'static str, String)> =
            base.iter().filter(|(k, _)| !matches!(*k, "fy" | "from" | "to")).cloned().collect();
        params.extend([("from", first.to_string()), ("to", last.to_string())]);
        queue_link(&params, extra)
    };
    let n = months.len().max(1);
    let max = months.iter().map(|m| m.2).max().unwrap_or(0).max(1);
    let (left, bottom, top, h) = (36.0_f64, 28.0_f64, 12.0_f64, 240.0_f64);
    let slot = ((720.0 - left) / n as f64).max(24.0);
    let w = left + slot * n as f64;
    let bar = slot * 0.36;
    let y = |v: i64| top + (h - top - bottom) * (1.0 - v as f64 / max as f64);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="trend" viewBox="0 0 {w} {h}" role="img" aria-labelledby="trend-title"><title id="trend-title">{}</title>"#,
        maud::html! { (i18n::TREND.get(lang)) }.into_string()
    );
    for tick in [0, max / 2, max] {
        let ty = y(tick);
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{w}" y1="{ty:.1}" y2="{ty:.1}" stroke="#e1e7e5"/><text x="{}" y="{:.1}" text-anchor="end">{tick}</text>"##,
            left - 4.0,
            ty + 4.0
        );
    }
    for (i, (first, last, raised, resolved)) in months.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.12;
        let (yr, yv) = (y(*raised), y(*resolved));
        // Each month's bars link to its issues (escaped: the href holds `&`).
        let href = maud::html! { (month_link(*first, *last, &[])) }.into_string();
        let _ = write!(
            svg,
            r##"<a href="{href}"><rect x="{x:.1}" y="{yr:.1}" width="{bar:.1}" height="{:.1}" fill="#b9d9cf"><title>{}: {raised}</title></rect><rect x="{:.1}" y="{yv:.1}" width="{bar:.1}" height="{:.1}" fill="#2f8f74"><title>{}: {resolved}</title></rect></a><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            (h - bottom - yr).max(0.0),
            i18n::RAISED.get(lang),
            x + bar,
            (h - bottom - yv).max(0.0),
            i18n::RESOLVED.get(lang),
            x + bar,
            h - bottom + 16.0,
            i18n::month(lang, first.month0()),
        );
    }
    svg.push_str("</svg>");
    html! {
        div.legend {
            span { span.sw style="background:#b9d9cf" {} (i18n::RAISED.get(lang)) }
            span { span.sw style="background:#2f8f74" {} (i18n::RESOLVED.get(lang)) }
        }
        // Built above from numbers and the fixed strings of `i18n` (escaped by maud where they are text).
        (PreEscaped(svg))
        table.trend-table #trend-data {
            thead { tr {
                th { (i18n::DASH_MONTH.get(lang)) } th.num { (i18n::RAISED.get(lang)) } th.num { (i18n::RESOLVED.get(lang)) }
                th.num { (i18n::RESOLUTION_RATE.get(lang)) }
            } }
            tbody {
                @for (first, last, raised, resolved) in &months {
                    tr data-month=(first.format("%Y-%m").to_string()) data-raised=(raised) data-resolved=(resolved) {
                        td { (i18n::month_year(lang, *first)) }
                        td.num { a.count href=(month_link(*first, *last, &[])) { (raised) } }
                        td.num { a.count href=(month_link(*first, *last, &[("status", "closed"), ("outcome", "resolved")])) { (resolved) } }
                        td.num { @if *raised > 0 { (format!("{:.0}%", *resolved as f64 * 100.0 / *raised as f64)) } @else { "—" } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_counted_back_across_years() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(months_before(d, 11), NaiveDate::from_ymd_opt(2025, 12, 1).unwrap());
        assert_eq!(months_before(d, 0), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(
            months_before(NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(), 1),
            NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
        );
    }

    #[test]
    fn english_fiscal_years_name_their_common_era_years() {
        assert_eq!(fy_label(Lang::En, 2570), "2570 (2026–27)");
        assert_eq!(fy_label(Lang::Th, 2570), "2570");
    }
}
