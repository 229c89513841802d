//! The progress report page (`/reports/progress`): the figures the meeting with the coordinators goes
//! through, per area and per coordinator, with the per-area trend over quarters. Built to be projected
//! (`view=projector`: large type, the form folded away) and printed (the print style sheet drops the
//! navigation, the form and the links). The page sends the very parameters of `GET /api/reports/progress`,
//! so its downloads are the API's export of the same report.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use santisuk_app::progress::{self, Figures, Progress, ProgressParams, Trend};
use santisuk_app::reference;

use super::i18n::{self, Lang, Tr};
use super::layout::{self, Nav};
use super::{Web, WebError};
use crate::error::ApiError;
use crate::routes::exports::ExportQuery;
use crate::state::{AppState, now};

// The page's own words (Thai first, English when chosen).
const QUARTER: Tr = Tr("quarter");
const CUSTOM: Tr = Tr("custom");
const FROM: Tr = Tr("from");
const TO: Tr = Tr("to");
const SCOPE: Tr = Tr("scope");
const SCOPE_ALL: Tr = Tr("scope-all");
const SCOPE_AMPHOE: Tr = Tr("scope-amphoe");
const SCOPE_PROVINCE: Tr = Tr("scope-province");
const SCOPE_COORDINATOR: Tr = Tr("scope-coordinator");
const SCOPE_ID: Tr = Tr("scope-id");
const QUIET_DAYS: Tr = Tr("quiet-days");
const ROLL_UP: Tr = Tr("roll-up");
const SHOW: Tr = Tr("progress-show");
const PROJECTOR: Tr = Tr("projector");
const NORMAL: Tr = Tr("normal");
const DOWNLOAD: Tr = Tr("download");
const KIND: Tr = Tr("kind");
const FORUMS: Tr = Tr("forums");
const NOT_RECORDED: Tr = Tr("progress-not-recorded");
const STAFF: Tr = Tr("staff");
const COORDINATORS: Tr = Tr("progress-coordinators");
const LEADERS: Tr = Tr("progress-leaders");
const VILLAGERS: Tr = Tr("villagers");
const ORGANISATIONS: Tr = Tr("progress-organisations");
const RAISED: Tr = Tr("progress-raised");
const RESOLVED: Tr = Tr("progress-resolved");
const VERDICTS: Tr = Tr("verdicts");
const VERDICTS_NONE: Tr = Tr("verdicts-none");

/// The verdicts given at the period's forums in words (issue #17 §6), e.g. "ยืนยัน 3 · แย้ง 1 · ไม่ได้ถาม 2";
/// `None` when none was given.
pub fn verdict_counts(lang: Lang, verdicts: Option<&std::collections::BTreeMap<String, i64>>) -> Option<String> {
    let v = verdicts.filter(|v| v.values().any(|n| *n > 0))?;
    let n = |k: &str| v.get(k).copied().unwrap_or(0);
    let count = |k: &str| super::i18n::FluentValue::from(n(k).to_string());
    Some(Tr("verdict-counts").with(
        lang,
        &[("confirmed", count("confirmed")), ("disputed", count("disputed")), ("not_asked", count("not_asked"))],
    ))
}
const LAST_FORUM: Tr = Tr("last-forum");
const DAYS: Tr = Tr("days");
const QUIET: Tr = Tr("quiet");
const NEVER: Tr = Tr("never");
const TOTAL: Tr = Tr("total");
const BY_COORDINATOR: Tr = Tr("by-coordinator");
const OBSTACLES: Tr = Tr("progress-obstacles");
const TREND: Tr = Tr("progress-trend");
const AS_OF: Tr = Tr("as-of");
const NOTE: Tr = Tr("progress-note");

/// A stored `YYYY-MM-DD` day as the page's language writes it (Buddhist Era in Thai).
fn day(lang: Lang, text: &str) -> String {
    text.parse::<chrono::NaiveDate>().map(|d| i18n::date(lang, d)).unwrap_or_else(|_| text.to_owned())
}

/// The page's parameters as sent (every one optional, the API's names).
fn params(raw: &BTreeMap<String, String>) -> ProgressParams {
    let field = |k: &str| raw.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    ProgressParams {
        period: field("period"),
        month: field("month"),
        quarter: field("quarter"),
        fiscal_year: field("fiscal_year"),
        from: field("from"),
        to: field("to"),
        scope: field("scope"),
        scope_id: field("scope_id"),
        quiet_days: field("quiet_days"),
        roll_up: field("roll_up"),
        quarters: field("quarters"),
        as_of: field("as_of"),
    }
}

/// The report's parameters as a query string (for the downloads and the view switch).
fn carry(raw: &BTreeMap<String, String>, extra: &[(&str, &str)]) -> String {
    const KEYS: [&str; 12] = [
        "period",
        "month",
        "quarter",
        "fiscal_year",
        "from",
        "to",
        "scope",
        "scope_id",
        "quiet_days",
        "roll_up",
        "quarters",
        "as_of",
    ];
    let mut pairs: Vec<(&str, &str)> = KEYS.iter().filter_map(|k| raw.get(*k).map(|v| (*k, v.as_str()))).collect();
    pairs.extend_from_slice(extra);
    layout::query(&pairs)
}

pub async fn page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(raw) = query.map_err(|_| ApiError::bad_request("bad_query", "the filters could not be read"))?;
    let lang = web.lang;
    let p = params(&raw);
    let req = progress::parse_request(&state, &web.ctx, &p, now()).await?;
    let report = progress::report(&state, &req).await?;
    let trend = progress::trend(&state, &req).await?;
    let areas = reference::list_areas(&state, &web.ctx).await?;
    let names: BTreeMap<&str, String> = areas.iter().map(|a| (a.id.as_str(), layout::area_label(lang, a))).collect();
    let projector = raw.get("view").is_some_and(|v| v == "projector");
    let label = progress::period_label(&p, &req.query);
    let content = html! {
        div.progress-report.projector[projector] {
            h1 { (i18n::NAV_PROGRESS.get(lang)) " · " (label) }
            p.muted {
                (day(lang, &report.from)) " – " (day(lang, &report.to))
                @if let Some(t) = &p.as_of { " · " (AS_OF.get(lang)) " " (t) }
            }
            (form(lang, &p, &areas))
            p.downloads.no-print {
                (DOWNLOAD.get(lang)) ": "
                a href=(format!("/reports/progress/export{}", carry(&raw, &[("format", "csv")]))) { "CSV" } " · "
                a href=(format!("/reports/progress/export{}", carry(&raw, &[("format", "xlsx")]))) { "XLSX" } " · "
                @if projector {
                    a href=(format!("/reports/progress{}", carry(&raw, &[]))) { (NORMAL.get(lang)) }
                } @else {
                    a href=(format!("/reports/progress{}", carry(&raw, &[("view", "projector")]))) { (PROJECTOR.get(lang)) }
                }
            }
            (kpis(lang, &report))
            (area_table(lang, &report, &names))
            (coordinator_table(lang, &report))
            (trend_table(lang, &trend, &names))
            p.muted { (NOTE.get(lang)) }
        }
    };
    Ok(layout::page(&web, Nav::Progress, i18n::NAV_PROGRESS.get(lang), content).into_response())
}

/// The downloads of the page: the API's export of the same report, in the page's language.
pub async fn download(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(raw) = query.map_err(|_| ApiError::bad_request("bad_query", "the filters could not be read"))?;
    let lang = raw.get("lang").cloned().unwrap_or_else(|| web.lang.code().to_owned());
    let dates = if lang == "th" { "be" } else { "iso" };
    let export = ExportQuery { format: raw.get("format").cloned(), lang: Some(lang), dates: Some(dates.into()) };
    Ok(crate::routes::exports::progress_file(&state, &web.ctx, &raw, &params(&raw), &export).await?)
}

fn form(lang: Lang, p: &ProgressParams, areas: &[santisuk_app::reference::AreaRow]) -> Markup {
    let period = p.period.as_deref().unwrap_or("month");
    let scope = p.scope.as_deref().unwrap_or("all");
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    html! {
        form.filters.no-print method="get" action="/reports/progress" {
            label { (i18n::PERIOD.get(lang))
                select name="period" {
                    @for (value, name) in [("month", i18n::DASH_MONTH), ("quarter", QUARTER), ("fiscal_year", i18n::FISCAL_YEAR), ("custom", CUSTOM)] {
                        option value=(value) selected[period == value] { (name.get(lang)) }
                    }
                }
            }
            label { (i18n::DASH_MONTH.get(lang)) input type="month" name="month" value=(v(&p.month)); }
            label { (QUARTER.get(lang)) input type="text" name="quarter" placeholder="2026-Q4" value=(v(&p.quarter)); }
            label { (i18n::FISCAL_YEAR.get(lang)) input type="number" name="fiscal_year" placeholder="2570" value=(v(&p.fiscal_year)); }
            label { (FROM.get(lang)) input type="date" name="from" value=(v(&p.from)); }
            label { (TO.get(lang)) input type="date" name="to" value=(v(&p.to)); }
            label { (SCOPE.get(lang))
                select name="scope" {
                    @for (value, name) in [("all", SCOPE_ALL), ("area", i18n::AREA), ("amphoe", SCOPE_AMPHOE),
                        ("province", SCOPE_PROVINCE), ("coordinator", SCOPE_COORDINATOR)] {
                        option value=(value) selected[scope == value] { (name.get(lang)) }
                    }
                }
            }
            label { (SCOPE_ID.get(lang))
                input type="text" name="scope_id" list="progress-areas" value=(v(&p.scope_id));
                datalist #progress-areas {
                    @for a in areas { option value=(a.id) { (layout::area_label(lang, a)) } }
                }
            }
            label { (QUIET_DAYS.get(lang)) input type="number" name="quiet_days" min="1" max="3650" placeholder="90" value=(v(&p.quiet_days)); }
            label.check { input type="checkbox" name="roll_up" value="target" checked[p.roll_up.as_deref() == Some("target")]; " " (ROLL_UP.get(lang)) }
            div.actions { button type="submit" { (SHOW.get(lang)) } }
        }
    }
}

fn kpis(lang: Lang, r: &Progress) -> Markup {
    let t = &r.totals;
    let quiet = r.rows.iter().filter(|row| row.figures.quiet).count();
    html! {
        div.kpis {
            div.kpi { div.v { (t.forums_held) } div.l { (FORUMS.get(lang)) } }
            div.kpi { div.v { (t.participants.total) } div.l { (i18n::Tr("kpis-participants").get(lang)) } }
            div.kpi { div.v { (t.organisations_engaged) } div.l { (ORGANISATIONS.get(lang)) } }
            div.kpi { div.v { (t.problems_raised) " / " (t.problems_resolved) } div.l { (RAISED.get(lang)) " / " (RESOLVED.get(lang)) } }
            div.kpi { div.v { (quiet) } div.l { (QUIET.get(lang)) } }
        }
    }
}

/// The figure cells shared by the area, totals and coordinator rows.
fn figure_cells(lang: Lang, f: &Figures) -> Markup {
    let p = &f.participants;
    html! {
        td.num data-label=(FORUMS.get(lang)) { (f.forums_held) }
        td.num data-label=(NOT_RECORDED.get(lang)) { (p.forums_not_recorded) }
        td.num data-label=(STAFF.get(lang)) { (p.sbpac_staff) }
        td.num data-label=(COORDINATORS.get(lang)) { (p.coordinators) }
        td.num data-label=(LEADERS.get(lang)) { (p.leaders) }
        td.num data-label=(VILLAGERS.get(lang)) { (p.villagers) }
        td.num data-label=(ORGANISATIONS.get(lang)) { (f.organisations_engaged) }
        td.num data-label=(RAISED.get(lang)) { (f.problems_raised) }
        td.num data-label=(RESOLVED.get(lang)) { (f.problems_resolved) }
        td.num data-label=(i18n::OPEN.get(lang)) { (f.problems_open) }
        td data-label=(VERDICTS.get(lang)) {
            @match verdict_counts(lang, f.verdicts.as_ref()) {
                Some(words) => { (words) }
                None => { span.muted { (VERDICTS_NONE.get(lang)) } }
            }
        }
        td data-label=(LAST_FORUM.get(lang)) {
            @match &f.last_forum_on { Some(d) => (day(lang, d)), None => span.muted { (NEVER.get(lang)) } }
        }
        td.num.quiet[f.quiet] data-label=(DAYS.get(lang)) {
            @if let Some(d) = f.days_since_last_forum { (d) }
            @if f.quiet { " ⚠" span.visually-hidden { (QUIET.get(lang)) } }
        }
    }
}

fn figure_headers(lang: Lang) -> Markup {
    html! {
        @for h in [FORUMS, NOT_RECORDED, STAFF, COORDINATORS, LEADERS, VILLAGERS, ORGANISATIONS, RAISED, RESOLVED, i18n::OPEN] {
            th.num scope="col" { (h.get(lang)) }
        }
        th scope="col" { (VERDICTS.get(lang)) }
        th scope="col" { (LAST_FORUM.get(lang)) }
        th.num scope="col" { (DAYS.get(lang)) }
    }
}

fn area_table(lang: Lang, r: &Progress, names: &BTreeMap<&str, String>) -> Markup {
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    html! {
        table.stack.progress #progress-areas-table {
            thead { tr { th scope="col" { (i18n::AREA.get(lang)) } th scope="col" { (KIND.get(lang)) } (figure_headers(lang)) } }
            tbody {
                @for row in &r.rows {
                    tr.quiet[row.figures.quiet] data-area=(row.area_id) {
                        th scope="row" data-label=(i18n::AREA.get(lang)) {
                            (name(&row.area_id)) " " span.muted { (row.area_id) }
                            @if row.areas.len() > 1 {
                                br; span.muted { "+ " (row.areas[1..].iter().map(|a| name(a)).collect::<Vec<_>>().join(", ")) }
                            }
                        }
                        td data-label=(KIND.get(lang)) {
                            @match &row.reached_from {
                                None => (i18n::TARGET_AREA.get(lang)),
                                Some(from) => { (i18n::REACHED_FROM.get(lang)) " " (name(from))
                                    @if let Some(on) = &row.reached_on { " (" (day(lang, on)) ")" } }
                            }
                        }
                        (figure_cells(lang, &row.figures))
                    }
                }
            }
            tfoot { tr { th scope="row" { (TOTAL.get(lang)) } td {} (figure_cells(lang, &r.totals)) } }
        }
    }
}

fn coordinator_table(lang: Lang, r: &Progress) -> Markup {
    html! {
        @if !r.coordinators.is_empty() {
            h2 { (BY_COORDINATOR.get(lang)) }
            table.stack.progress #progress-coordinators {
                thead { tr { th scope="col" { (COORDINATORS.get(lang)) } th scope="col" { (i18n::AREA.get(lang)) } (figure_headers(lang))
                    th.num scope="col" { (OBSTACLES.get(lang)) } } }
                tbody {
                    @for c in &r.coordinators {
                        tr {
                            th scope="row" data-label=(COORDINATORS.get(lang)) dir="auto" { (c.name) }
                            td data-label=(i18n::AREA.get(lang)) { (c.areas.join(", ")) }
                            (figure_cells(lang, &c.figures))
                            td.num data-label=(OBSTACLES.get(lang)) {
                                (c.obstacles.raised) " / " (c.obstacles.resolved) " / " (c.obstacles.open)
                            }
                        }
                    }
                }
            }
        }
    }
}

fn trend_table(lang: Lang, t: &Trend, names: &BTreeMap<&str, String>) -> Markup {
    html! {
        h2 { (TREND.get(lang)) }
        div.scroll {
            table.progress-trend {
                thead { tr { th scope="col" { (i18n::AREA.get(lang)) } @for q in &t.quarters { th.num scope="col" { (q) } } } }
                tbody {
                    @for row in &t.rows {
                        tr {
                            th scope="row" { (names.get(row.area_id.as_str()).cloned().unwrap_or_else(|| row.area_id.clone())) }
                            @for p in &row.quarters {
                                td.num { (p.forums_held) " · " (p.participants) " · " (p.problems_resolved) }
                            }
                        }
                    }
                }
            }
        }
    }
}
