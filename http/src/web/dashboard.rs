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

use super::i18n::{self, Lang};
use super::layout::{self, Nav};
use super::{Web, WebError};
use crate::error::ApiError;
use crate::state::{AppState, now};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    fy: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    amphoe: String,
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
    // The default is the last twelve whole months up to today, not the current fiscal year: in October
    // a fiscal year is a few days old and its dashboard would be empty.
    let fy: Option<i32> = match q.fy.trim() {
        "" => None,
        raw => Some(raw.parse::<i32>().ok().filter(|y| (2500..=2700).contains(y)).ok_or_else(|| {
            ApiError::bad_request("bad_fiscal_year", "the fiscal year is a Buddhist-Era year such as 2570")
        })?),
    };
    let window_start = months_before(today, 11);
    let first_month = match fy {
        Some(fy) => NaiveDate::from_ymd_opt(fy - 544, 10, 1).unwrap_or(window_start),
        None => window_start,
    };
    let geo = Geography::get();
    let visible: Vec<AreaRow> = reference::list_areas(&state, &web.ctx).await?;
    let in_scope = |a: &AreaRow| {
        let amphoe = geo.amphoe(&a.amphoe_code);
        (q.province.is_empty() || amphoe.is_some_and(|x| x.province_code == q.province))
            && (q.amphoe.is_empty() || a.amphoe_code == q.amphoe)
    };
    let areas: Vec<&AreaRow> = visible.iter().filter(|a| in_scope(a)).collect();
    let scoped = web.ctx.visible_areas().is_some() || !q.province.is_empty() || !q.amphoe.is_empty();
    let base = StatsQuery {
        by: vec![GroupBy::Area],
        from: fy.is_none().then_some(window_start),
        to: fy.is_none().then_some(today),
        fiscal_year: fy,
        today,
        areas: scoped.then(|| areas.iter().map(|a| a.id.clone()).collect()),
    };
    let by_area = stats::live(&state, &web.ctx, &base).await?;
    let by_category =
        stats::live(&state, &web.ctx, &StatsQuery { by: vec![GroupBy::Category], ..base.clone() }).await?;
    let by_month = stats::live(&state, &web.ctx, &StatsQuery { by: vec![GroupBy::Month], ..base.clone() }).await?;
    let categories = reference::list_categories(&state).await?;

    // Every fiscal year from the first raise to now: the picker costs one index lookup, not a statistics scan.
    let first_fy = issues::first_raised_on(&state, &web.ctx)
        .await?
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map_or(current_fy, fiscal_year_be);
    let mut fiscal_years: Vec<i32> = (first_fy.min(current_fy)..=current_fy).collect();
    fiscal_years.extend(fy);
    fiscal_years.sort_unstable_by(|a, b| b.cmp(a));
    fiscal_years.dedup();
    let (provinces, amphoes) = layout::places(lang, &visible, &q.province);

    let area_rows: Vec<(String, String, Option<Counters>)> = areas
        .iter()
        .map(|a| {
            let c = by_area
                .rows
                .iter()
                .find(|r| key(&r.keys, "area_id") == Some(a.id.as_str()))
                .map(|r| r.counters.clone());
            (a.id.clone(), layout::area_label(lang, a), c)
        })
        .collect();
    let category_rows: Vec<(String, String, Option<Counters>)> = categories
        .iter()
        .map(|c| {
            let k = by_category
                .rows
                .iter()
                .find(|r| key(&r.keys, "category") == Some(c.code.as_str()))
                .map(|r| r.counters.clone());
            (c.code.clone(), layout::category_label(lang, c), k)
        })
        .collect();
    let demo = visible.iter().any(|a| a.id.starts_with("DEMO-"));
    let t = &by_area.totals;
    let rate = |r: Option<f64>| r.map(|r| format!("{:.0}%", r * 100.0)).unwrap_or_else(|| "—".into());
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
        i18n::month_year(lang, window_start),
        i18n::month_year(lang, today)
    );
    let mut fy_options: Vec<(String, String)> = vec![(String::new(), last_12.clone())];
    fy_options.extend(
        fiscal_years.iter().map(|y| (y.to_string(), format!("{} {}", i18n::FISCAL_YEAR.get(lang), fy_label(lang, *y)))),
    );
    let period = match fy {
        Some(fy) => format!("{} {}", i18n::FISCAL_YEAR.get(lang), fy_label(lang, fy)),
        None => last_12,
    };
    let fy_value = fy.map(|y| y.to_string()).unwrap_or_default();
    let content = html! {
        h1 { (i18n::NAV_DASHBOARD.get(lang)) " · " (period) }
        @if demo { p.warn { (i18n::DEMO_BANNER.get(lang)) } }
        form.card.filters method="get" action="/dashboard" data-autosubmit {
            (select("fy", i18n::PERIOD, &fy_value, &fy_options, false))
            (select("province", i18n::PROVINCE, &q.province, &provinces, true))
            (select("amphoe", i18n::DISTRICT, &q.amphoe, &amphoes, true))
            div.actions { button.primary type="submit" { (i18n::FILTER.get(lang)) } a href="/dashboard" { (i18n::CLEAR.get(lang)) } }
        }
        section.kpis aria-label="summary" {
            div.kpi #kpi-raised { div.v { (t.raised) } div.l { (i18n::RAISED.get(lang)) } }
            div.kpi #kpi-resolved { div.v { (t.resolved) } div.l { (i18n::RESOLVED.get(lang)) " · " (rate(t.resolution_rate)) } }
            div.kpi #kpi-open { div.v { (t.open) } div.l { (i18n::OPEN.get(lang)) } }
            div.kpi #kpi-overdue { div.v.overdue[t.overdue > 0] { (t.overdue) } div.l { (i18n::OVERDUE.get(lang)) } }
            div.kpi #kpi-median { div.v { (t.median_days_to_resolve.map(|d| format!("{d:.1}")).unwrap_or_else(|| "—".into())) }
                div.l { (i18n::MEDIAN_DAYS.get(lang)) } }
        }
        section.card #by-area {
            h2 { (i18n::BY_AREA.get(lang)) }
            (bars(lang, "area", &area_rows))
        }
        section.card #by-category {
            h2 { (i18n::BY_CATEGORY.get(lang)) }
            (bars(lang, "category", &category_rows))
        }
        section.card #trend {
            h2 { (i18n::TREND.get(lang)) }
            (trend(lang, first_month, &by_month))
        }
    };
    // How long the page took, for whoever measures it (devtools, the benchmark), not on the page itself.
    let timing = format!("render;dur={:.1}", started.elapsed().as_secs_f64() * 1000.0);
    let page = layout::page(&web, Nav::Dashboard, i18n::NAV_DASHBOARD.get(lang), content);
    Ok(([("server-timing", timing)], page).into_response())
}

fn key<'a>(keys: &'a BTreeMap<&'static str, Option<String>>, name: &str) -> Option<&'a str> {
    keys.get(name).and_then(|v| v.as_deref())
}

/// `2570` in Thai, `2570 (2026–27)` in English, where a Buddhist-Era year alone means little.
fn fy_label(lang: Lang, fy: i32) -> String {
    match lang {
        Lang::Th => fy.to_string(),
        Lang::En => format!("{fy} ({}–{:02})", fy - 544, (fy - 543) % 100),
    }
}

/// One bar per group: label, the rate as a bar, and the rate with its counts (resolved / raised), open and
/// overdue counts; a flag where the rate rests on fewer than 10 issues.
fn bars(lang: Lang, kind: &str, rows: &[(String, String, Option<Counters>)]) -> Markup {
    html! {
        table.bars id={ "bars-" (kind) } {
            thead { tr {
                th { @if kind == "area" { (i18n::AREA.get(lang)) } @else { (i18n::CATEGORY.get(lang)) } }
                th { (i18n::RESOLUTION_RATE.get(lang)) }
                th.num { (i18n::RESOLVED.get(lang)) " / " (i18n::RAISED.get(lang)) }
                th.num { (i18n::OPEN.get(lang)) }
                th.num { (i18n::OVERDUE.get(lang)) }
            } }
            tbody {
                @for (id, label, counters) in rows {
                    @let raised = counters.as_ref().map_or(0, |c| c.raised);
                    @let rate = counters.as_ref().and_then(|c| c.resolution_rate);
                    @let small = counters.as_ref().is_none_or(|c| c.small_sample);
                    tr data-key=(id) data-raised=(raised) data-resolved=(counters.as_ref().map_or(0, |c| c.resolved)) {
                        td.label dir="auto" { (label) }
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
                            " " span.counts { "(" (counters.as_ref().map_or(0, |c| c.resolved)) "/" (raised) ")" }
                            @if small && raised > 0 { " " span.flag title=(i18n::SMALL_SAMPLE.get(lang)) aria-label=(i18n::SMALL_SAMPLE.get(lang)) { "⚠" } }
                        }
                        td.num.open { (counters.as_ref().map_or(0, |c| c.open)) }
                        td.num.overdue-count { (counters.as_ref().map_or(0, |c| c.overdue)) }
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

/// Raised and resolved (of those raised) per month, for the twelve months from `first_month`, as an SVG
/// bar chart.
fn trend(lang: Lang, first_month: NaiveDate, by_month: &Stats) -> Markup {
    let months: Vec<(NaiveDate, i64, i64)> = (0..12u32)
        .filter_map(|i| {
            let first = first_month.checked_add_months(chrono::Months::new(i))?;
            let k = first.format("%Y-%m").to_string();
            let c = by_month.rows.iter().find(|r| key(&r.keys, "month") == Some(k.as_str())).map(|r| &r.counters);
            Some((first, c.map_or(0, |c| c.raised), c.map_or(0, |c| c.resolved)))
        })
        .collect();
    let max = months.iter().map(|m| m.1).max().unwrap_or(0).max(1);
    let (w, h, left, bottom, top) = (720.0_f64, 240.0_f64, 36.0_f64, 28.0_f64, 12.0_f64);
    let slot = (w - left) / 12.0;
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
    for (i, (first, raised, resolved)) in months.iter().enumerate() {
        let x = left + slot * i as f64 + slot * 0.12;
        let (yr, yv) = (y(*raised), y(*resolved));
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{yr:.1}" width="{bar:.1}" height="{:.1}" fill="#b9d9cf"><title>{}: {raised}</title></rect><rect x="{:.1}" y="{yv:.1}" width="{bar:.1}" height="{:.1}" fill="#2f8f74"><title>{}: {resolved}</title></rect><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
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
        table.sr-only #trend-data {
            tr { @for (first, raised, resolved) in &months { td data-month=(first.format("%Y-%m").to_string()) data-raised=(raised) data-resolved=(resolved) {} } }
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
