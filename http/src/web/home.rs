//! The home page: what needs the signed-in writer first, within their scope. Overdue problems, then those
//! due in the next seven days, then new problems nobody has been given yet; each a compact line linking to
//! the problem, each list ending in a link to the whole filtered queue. Auditors, who act on nothing, go
//! to the dashboard.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use maud::{Markup, html};
use santisuk_app::caller::Role;
use santisuk_app::issues::{self, IssueFilter, IssueRow, QueueSort};
use santisuk_domain::time::bangkok_date;

use super::i18n::{self, Lang};
use super::layout::{self, Nav};
use super::{Web, WebError};
use crate::state::{AppState, now};

/// How many problems each list shows before "see all".
const SHOWN: i64 = 15;
/// "Due soon": within this many days from today.
const SOON_DAYS: i64 = 7;

/// `/`: the writer's home page; the dashboard for auditors.
pub async fn page(State(state): State<AppState>, web: Web) -> Result<Response, WebError> {
    if !matches!(web.ctx.user.role, Role::Admin | Role::Staff | Role::Coordinator) {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let lang = web.lang;
    let today = bangkok_date(now());
    let soon = today + Duration::days(SOON_DAYS + 1);
    // One query for both lists: open problems due before the day after the week, earliest first; those due
    // before today are the overdue ones (the queue's own definition of overdue).
    let filter = IssueFilter { overdue_before: Some(soon.to_string()), ..IssueFilter::default() };
    let due = issues::queue(&state, &web.ctx, filter, QueueSort::Due, 0, 200).await?;
    let today_text = today.to_string();
    let (overdue, this_week): (Vec<&IssueRow>, Vec<&IssueRow>) =
        due.rows.iter().partition(|r| r.due_on.as_deref().is_some_and(|d| d < today_text.as_str()));
    let filter = IssueFilter { status: Some("raised".into()), ..IssueFilter::default() };
    let unassigned = issues::queue(&state, &web.ctx, filter, QueueSort::Oldest, 0, SHOWN).await?;
    let content = html! {
        h1 { (i18n::HOME_TITLE.get(lang)) }
        p.muted { (i18n::HOME_INTRO.get(lang)) }
        div.home-lists {
            (list(lang, i18n::HOME_OVERDUE, &overdue, "/issues?overdue=1&sort=due", &today_text))
            (list(lang, i18n::HOME_DUE_SOON, &this_week, "/issues?sort=due", &today_text))
            (list(lang, i18n::HOME_UNASSIGNED, &unassigned.rows.iter().collect::<Vec<_>>(), "/issues?status=raised&sort=oldest", &today_text))
        }
        p { a.button href="/forums/new" { (i18n::NAV_FORUM.get(lang)) } " " a href="/dashboard" { (i18n::NAV_DASHBOARD.get(lang)) } }
    };
    Ok(layout::page(&web, Nav::Home, i18n::HOME_TITLE.get(lang), content).into_response())
}

/// One list of the home page: a heading with its count, up to [`SHOWN`] compact lines, and "see all".
fn list(lang: Lang, title: i18n::Tr, rows: &[&IssueRow], all: &str, today: &str) -> Markup {
    html! {
        section.card.home-list {
            h2 { (title.get(lang)) " " span.count { "(" (rows.len()) ")" } }
            @if rows.is_empty() {
                p.muted { (i18n::HOME_NOTHING.get(lang)) }
            } @else {
                ul.compact {
                    @for r in rows.iter().take(SHOWN as usize) {
                        li {
                            a href={ "/issues/" (r.id) } dir="auto" { (r.title) }
                            span.meta {
                                @if let Some(n) = &r.case_number { span.case { (n) } }
                                (layout::status_badge(lang, r.status.as_str()))
                                " " (r.area_id)
                                @if let Some(d) = &r.due_on {
                                    " · " span class=[(d.as_str() < today).then_some("overdue")] {
                                        (i18n::DUE_ON.get(lang)) " " (i18n::stored_date(lang, d))
                                    }
                                }
                            }
                        }
                    }
                }
                p { a href=(all) { (i18n::SEE_ALL.get(lang)) " ›" } }
            }
        }
    }
}
