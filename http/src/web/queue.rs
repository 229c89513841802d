//! The issue queue: filters from the query string, search, sorting, numbered pages and counts, and the table
//! of issues each row links to its page.
//!
//! Its filters include everything the dashboard counts by (the raise-date window, "open" as the statistics
//! define it, the outcome), so every number on the dashboard links to exactly the issues it counted. On a
//! phone the filters fold behind one button beside the search box, and each issue is a compact card.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use santisuk_app::issues::{self, IssueFilter, IssueRow, QueueSort};
use santisuk_app::parse::parse_date_era;
use santisuk_app::reference::{self, AreaRow, CategoryRow};
use santisuk_app::stats;
use santisuk_domain::time::{bangkok_date, fiscal_year_be};
use santisuk_domain::values::{IssueStatus, Outcome};
use serde::Deserialize;

use super::i18n::{self, Lang};
use super::layout::{self, Nav};
use super::{Web, WebError};
use crate::error::ApiError;
use crate::state::{AppState, now};

const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    amphoe: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    q: String,
    /// The raise-date window: first and last Bangkok day (inclusive), either era, and/or a fiscal year.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    fy: String,
    /// `1`: only issues not closed (the dashboard's "open").
    #[serde(default)]
    open: String,
    /// `1`: only open problems escalated for passing their service level (the dashboard's "escalated").
    #[serde(default)]
    escalated: String,
    /// Only issues closed with this outcome (the dashboard's "resolved" is `resolved`).
    #[serde(default)]
    outcome: String,
    /// Only issues closed from and to these Bangkok days (inclusive), whatever day they were raised.
    #[serde(default)]
    closed_from: String,
    #[serde(default)]
    closed_to: String,
    /// `1`: only problems not marked duplicates (issue #17: what the dashboard counts, an original once).
    #[serde(default)]
    originals: String,
    /// Only problems holding this community verdict (the dashboard's "confirmed").
    #[serde(default)]
    verdict: String,
}

/// The first and last day of a Thai fiscal year (Buddhist Era): FY2570 is 2026-10-01 .. 2027-09-30.
pub(super) fn fiscal_year_days(fy: i32) -> (NaiveDate, NaiveDate) {
    issues::fiscal_year_days(fy)
}

/// A fiscal year as typed in `fy=`: a Buddhist-Era year from 2500 to 2700, or nothing.
pub(super) fn parse_fiscal_year(raw: &str) -> Result<Option<i32>, ApiError> {
    match raw.trim() {
        "" => Ok(None),
        raw => raw.parse::<i32>().ok().filter(|y| (2500..=2700).contains(y)).map(Some).ok_or_else(|| {
            ApiError::bad_request("bad_fiscal_year", "the fiscal year is a Buddhist-Era year such as 2570")
        }),
    }
}

/// A day typed in `from=` or `to=`: in either era, year or day first (`2569-11-28`, `28/11/2569`), or nothing.
pub(super) fn parse_day(field: &str, raw: &str) -> Result<Option<NaiveDate>, ApiError> {
    match raw.trim() {
        "" => Ok(None),
        raw => parse_date_era(raw).map(|(d, _)| Some(d)).ok_or_else(|| {
            ApiError::bad_request("bad_date", format!("{field} is a date such as 2569-11-28 or 28/11/2569"))
        }),
    }
}

fn some(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The queue. Filters come from the query string (a plain GET form: bookmarkable, no script needed); a
/// value no select offers is refused with 400 rather than silently ignored.
pub async fn queue(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = query.map_err(|_| ApiError::bad_request("bad_query", "the filters could not be read"))?;
    let lang = web.lang;
    if let Some(s) = some(&q.status) {
        IssueStatus::parse(&s).map_err(|_| ApiError::bad_request("bad_status", "unknown status"))?;
    }
    if let Some(o) = some(&q.outcome) {
        Outcome::parse(&o).map_err(|_| ApiError::bad_request("bad_outcome", "unknown outcome"))?;
    }
    if let Some(v) = some(&q.verdict) {
        santisuk_domain::verdict::Verdict::parse(&v)
            .ok_or_else(|| ApiError::bad_request("bad_verdict", "unknown verdict"))?;
    }
    let open = match q.open.as_str() {
        "" => false,
        "1" => true,
        _ => return Err(ApiError::bad_request("bad_open", "open is 1 or nothing").into()),
    };
    let escalated = match q.escalated.as_str() {
        "" => false,
        "1" => true,
        _ => return Err(ApiError::bad_request("bad_escalated", "escalated is 1 or nothing").into()),
    };
    let originals = match q.originals.as_str() {
        "" => false,
        "1" => true,
        _ => return Err(ApiError::bad_request("bad_originals", "originals is 1 or nothing").into()),
    };
    // The API list's rule for the raise and close windows (days in either era, a fiscal year narrowing the
    // raise window, a window typed backwards refused), so a link means the same in both.
    let window = issues::Window::parse(
        some(&q.from).as_deref(),
        some(&q.to).as_deref(),
        some(&q.fy).as_deref(),
        some(&q.closed_from).as_deref(),
        some(&q.closed_to).as_deref(),
    )?;
    let sort = match some(&q.sort) {
        None => QueueSort::default(),
        Some(s) => QueueSort::parse(&s).ok_or_else(|| ApiError::bad_request("bad_sort", "unknown sort order"))?,
    };
    let page: i64 = match some(&q.page) {
        None => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| ApiError::bad_request("bad_page", "the page must be a whole number from 1"))?,
    };
    let today = bangkok_date(now()).to_string();
    let filter = IssueFilter {
        area_id: some(&q.area),
        category: some(&q.category),
        status: some(&q.status),
        assignee: some(&q.assignee),
        amphoe_code: some(&q.amphoe),
        province_code: some(&q.province),
        overdue_before: (q.overdue == "1").then(|| today.clone()),
        areas: web.ctx.visible_areas(),
        kind: Default::default(),
        hidden: web.ctx.restriction(),
        search: issues::parse_search(Some(&q.q))?,
        raised_from: window.raised_from.map(|d| d.to_string()),
        raised_to: window.raised_to.map(|d| d.to_string()),
        open,
        escalated,
        outcome: some(&q.outcome),
        closed_from: window.closed_from.map(stats::bangkok_midnight),
        closed_before: window.closed_to.map(|d| stats::bangkok_midnight(d.succ_opt().unwrap_or(d))),
        originals,
        verdict: some(&q.verdict),
    };
    let result = issues::queue(&state, &web.ctx, filter, sort, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let areas: Vec<AreaRow> = reference::list_areas(&state, &web.ctx).await?;
    let categories = reference::list_categories(&state).await?;
    // Suggestions only: a free-text field with the most used names keeps the page small (a select of every
    // assignee ever named was most of the page's weight with a year of data).
    let assignees = issues::assignees(&state, &web.ctx, 50).await?;
    let pages = ((result.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let (provinces, amphoes) = layout::places(lang, &areas, &q.province);
    let link = |p: i64| {
        let page = p.to_string();
        format!(
            "/issues{}",
            layout::query(&[
                ("area", &q.area),
                ("category", &q.category),
                ("status", &q.status),
                ("assignee", &q.assignee),
                ("overdue", &q.overdue),
                ("province", &q.province),
                ("amphoe", &q.amphoe),
                ("sort", &q.sort),
                ("q", &q.q),
                ("from", &q.from),
                ("to", &q.to),
                ("fy", &q.fy),
                ("open", &q.open),
                ("escalated", &q.escalated),
                ("outcome", &q.outcome),
                ("closed_from", &q.closed_from),
                ("closed_to", &q.closed_to),
                ("originals", &q.originals),
                ("verdict", &q.verdict),
                ("page", if p == 1 { "" } else { &page }),
            ])
        )
    };
    let select = |name: &str, label: i18n::Tr, current: &str, options: Vec<(String, String)>| {
        html! {
            div {
                label for=(name) { (label.get(lang)) }
                select id=(name) name=(name) {
                    option value="" { (i18n::ALL.get(lang)) }
                    @for (value, text) in &options { option value=(value) selected[value == current] { (text) } }
                }
            }
        }
    };
    let statuses =
        IssueStatus::ALL.iter().map(|s| (s.as_str().to_owned(), i18n::status(lang, s.as_str()).to_owned())).collect();
    let sorts = [
        (QueueSort::Urgent, super::escalation::SORT_URGENT),
        (QueueSort::Newest, i18n::SORT_NEWEST),
        (QueueSort::Oldest, i18n::SORT_OLDEST),
        (QueueSort::Due, i18n::SORT_DUE),
        (QueueSort::Changed, i18n::SORT_CHANGED),
    ];
    let outcomes =
        Outcome::ALL.iter().map(|o| (o.as_str().to_owned(), i18n::outcome(lang, o.as_str()).to_owned())).collect();
    // Fiscal years from the first raise in scope to now, for the window select.
    let current_fy = fiscal_year_be(bangkok_date(now()));
    let first_fy = issues::first_raised_on(&state, &web.ctx)
        .await?
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map_or(current_fy, fiscal_year_be);
    let mut years: Vec<i32> = (first_fy.min(current_fy)..=current_fy).rev().collect();
    years.extend(parse_fiscal_year(&q.fy)?.filter(|y| !years.contains(y)));
    let years = years.iter().map(|y| (y.to_string(), y.to_string())).collect();
    // How many filters narrow the list, shown on the button that unfolds them (the search box stays out).
    let active = [
        &q.area,
        &q.category,
        &q.status,
        &q.assignee,
        &q.province,
        &q.amphoe,
        &q.from,
        &q.to,
        &q.fy,
        &q.open,
        &q.escalated,
        &q.outcome,
        &q.overdue,
    ]
    .iter()
    .filter(|v| !v.trim().is_empty())
    .count();
    let content = html! {
        h1 { (i18n::NAV_QUEUE.get(lang)) }
        form.card.queue-form method="get" action="/issues" data-autosubmit role="search" {
            div.search {
                label for="q" { (i18n::SEARCH.get(lang)) }
                div.search-row {
                    input #q type="search" name="q" value=(q.q) maxlength="200" dir="auto"
                        placeholder=(i18n::SEARCH_HINT.get(lang)) enterkeyhint="search";
                    button.primary type="submit" { (i18n::SEARCH.get(lang)) }
                }
            }
            // Folded on a phone (the script unfolds it on a wide screen); a plain <details> needs no script.
            details #more-filters {
                summary { (i18n::FILTERS.get(lang)) @if active > 0 { " (" (active) ")" } }
                div.filters {
                    (select("area", i18n::AREA, &q.area, areas.iter().map(|a| (a.id.clone(), layout::area_label(lang, a))).collect()))
                    (select("category", i18n::CATEGORY, &q.category, categories.iter().map(|c| (c.code.clone(), layout::category_label(lang, c))).collect()))
                    (select("status", i18n::STATUS, &q.status, statuses))
                    (select("outcome", i18n::OUTCOME, &q.outcome, outcomes))
                    div {
                        label for="assignee" { (i18n::ASSIGNEE.get(lang)) }
                        input #assignee type="text" name="assignee" value=(q.assignee) list="assignees" dir="auto" maxlength="200";
                        datalist #assignees { @for a in &assignees { option value=(a) {} } }
                    }
                    (select("province", i18n::PROVINCE, &q.province, provinces))
                    (select("amphoe", i18n::DISTRICT, &q.amphoe, amphoes))
                    (select("fy", i18n::FISCAL_YEAR, &q.fy, years))
                    div {
                        label for="from" { (i18n::RAISED_FROM.get(lang)) }
                        (layout::date_input(lang, "from", "from", &q.from, false, &[]))
                    }
                    div {
                        label for="to" { (i18n::RAISED_TO.get(lang)) }
                        (layout::date_input(lang, "to", "to", &q.to, false, &[]))
                    }
                    div {
                        label for="closed_from" { (i18n::CLOSED_FROM.get(lang)) }
                        (layout::date_input(lang, "closed_from", "closed_from", &q.closed_from, false, &[]))
                    }
                    div {
                        label for="closed_to" { (i18n::CLOSED_TO.get(lang)) }
                        (layout::date_input(lang, "closed_to", "closed_to", &q.closed_to, false, &[]))
                    }
                    div {
                        label for="sort" { (i18n::SORT.get(lang)) }
                        select #sort name="sort" {
                            @for (s, label) in sorts { option value=(s.as_str()) selected[s == sort] { (label.get(lang)) } }
                        }
                    }
                    div.checks {
                        label.check { input type="checkbox" name="open" value="1" checked[q.open == "1"]; (i18n::OPEN_ONLY.get(lang)) }
                        label.check { input type="checkbox" name="overdue" value="1" checked[q.overdue == "1"]; (i18n::OVERDUE_ONLY.get(lang)) }
                    }
                    div.actions {
                        button.primary type="submit" { (i18n::FILTER.get(lang)) }
                        a href="/issues" { (i18n::CLEAR.get(lang)) }
                    }
                }
            }
        }
        p #count role="status" { (i18n::FOUND.get(lang)) " " strong { (result.total) } " " (i18n::ISSUES_UNIT.get(lang))
            @if pages > 1 { " · " (i18n::PAGE.get(lang)) " " (page) "/" (pages) } }
        @if result.rows.is_empty() {
            p.card.muted { (i18n::NO_ISSUES.get(lang)) }
        } @else {
            (issue_table(lang, &result.rows, &areas, &categories, &today))
        }
        @if pages > 1 {
            nav.pager aria-label=(i18n::PAGE.get(lang)) {
                @if page > 1 { a href=(link(page - 1)) rel="prev" { "‹ " (i18n::PREVIOUS.get(lang)) } }
                span { (i18n::PAGE.get(lang)) " " (page) " / " (pages) }
                @if page < pages { a href=(link(page + 1)) rel="next" { (i18n::NEXT.get(lang)) " ›" } }
            }
        }
    };
    Ok(layout::page(&web, Nav::Queue, i18n::NAV_QUEUE.get(lang), content).into_response())
}

fn issue_table(lang: Lang, rows: &[IssueRow], areas: &[AreaRow], categories: &[CategoryRow], today: &str) -> Markup {
    let area = |id: &str| {
        areas.iter().find(|a| a.id == id).map(|a| layout::area_label(lang, a)).unwrap_or_else(|| id.to_owned())
    };
    let category = |code: &str| {
        categories
            .iter()
            .find(|c| c.code == code)
            .map(|c| layout::category_label(lang, c))
            .unwrap_or_else(|| code.to_owned())
    };
    html! {
        table.stack #issues {
            thead { tr {
                th { (i18n::TITLE.get(lang)) } th { (i18n::AREA.get(lang)) } th { (i18n::CATEGORY.get(lang)) }
                th { (i18n::STATUS.get(lang)) } th { (i18n::ASSIGNEE.get(lang)) } th { (i18n::DUE_ON.get(lang)) }
                th { (i18n::RAISED_ON.get(lang)) }
            } }
            tbody {
                @for r in rows {
                    @let overdue = r.status != IssueStatus::Closed && r.due_on.as_deref().is_some_and(|d| d < today);
                    tr {
                        td data-label=(i18n::TITLE.get(lang)) class="c-title" {
                            @if let Some(n) = &r.case_number { span.case-number { (n) } " " }
                            a href={ "/issues/" (r.case_number.as_deref().unwrap_or(&r.id)) } dir="auto" { (r.title) }
                        }
                        td data-label=(i18n::AREA.get(lang)) class="c-area" { (area(&r.area_id)) }
                        td data-label=(i18n::CATEGORY.get(lang)) class="c-category" { (category(&r.category)) }
                        td data-label=(i18n::STATUS.get(lang)) class="c-status" { (layout::status_badge(lang, r.status.as_str()))
                            @if r.status != IssueStatus::Closed { " " (super::escalation::badge(lang, r.escalation_level)) } }
                        td data-label=(i18n::ASSIGNEE.get(lang)) class="c-assignee" dir="auto" { (r.assignee.as_deref().unwrap_or("—")) }
                        td data-label=(i18n::DUE_ON.get(lang)) class={ "c-due" @if overdue { " overdue" } } {
                            (r.due_on.as_deref().map(|d| i18n::stored_date(lang, d)).unwrap_or_else(|| "—".into()))
                            @if overdue { " · " (i18n::OVERDUE.get(lang)) }
                        }
                        td data-label=(i18n::RAISED_ON.get(lang)) class="c-raised" { (i18n::stored_date(lang, &r.raised_on)) }
                    }
                }
            }
        }
    }
}
