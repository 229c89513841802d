//! Service levels and escalation in the web app (issue #17 §2): the admin page `/admin/service-levels`
//! (each category's days to assign and to resolve), and the words the queue and the issue page use for
//! escalation levels. Thai first, English beside it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use santisuk_app::caller::Role;
use santisuk_app::escalation::{self, ServiceLevelRequest};
use santisuk_app::reference;
use serde::Deserialize;

use super::i18n::{self, Lang, Tr};
use super::layout::{self, Nav};
use super::{Posted, Web, WebError};
use crate::error::{ApiError, AppError};
use crate::state::AppState;

pub const SERVICE_LEVELS: Tr = Tr("service-levels");
pub const SERVICE_LEVELS_HINT: Tr = Tr("service-levels-hint");
pub const DAYS_TO_ASSIGN: Tr = Tr("days-to-assign");
pub const DAYS_TO_RESOLVE: Tr = Tr("days-to-resolve");
pub const SERVICE_LEVEL_SAVED: Tr = Tr("service-level-saved");
pub const ESCALATED: Tr = Tr("escalated");
pub const RESPONSIBLE: Tr = Tr("responsible");
pub const OVERDUE_ASSIGNMENT: Tr = Tr("overdue-assignment");
pub const OVERDUE_RESOLUTION: Tr = Tr("overdue-resolution");
pub const SORT_URGENT: Tr = Tr("sort-urgent");
pub const NO_LIMIT: Tr = Tr("no-limit");

/// An escalation level in words.
pub fn level(lang: Lang, level: i64) -> &'static str {
    match level {
        0 => Tr("level-district-coordinator").get(lang),
        1 => Tr("level-provincial-office").get(lang),
        _ => Tr("level-sbpac-centre").get(lang),
    }
}

/// A badge for an escalated problem (nothing at level 0).
pub fn badge(lang: Lang, escalation_level: i64) -> Markup {
    html! {
        @if escalation_level > 0 {
            span.badge.escalated title=(level(lang, escalation_level)) { (ESCALATED.get(lang)) " " (escalation_level) }
        }
    }
}

/// The escalation part of the issue page: level, who is responsible, and whether it is overdue now.
pub fn issue_section(lang: Lang, view: &escalation::EscalationView) -> Markup {
    html! {
        @if view.level > 0 || view.overdue.is_some() || view.assign_by.is_some() || view.resolve_by.is_some() {
            section.escalation aria-label=(ESCALATED.get(lang)) {
                dl {
                    @if view.level > 0 {
                        dt { (ESCALATED.get(lang)) } dd { (level(lang, view.level)) " (" (view.level) ")" }
                        @if let Some(r) = &view.responsible { dt { (RESPONSIBLE.get(lang)) } dd dir="auto" { (r) } }
                    }
                    @if let Some(by) = view.assign_by { dt { (DAYS_TO_ASSIGN.get(lang)) } dd { (i18n::date_time(lang, by)) } }
                    @if let Some(by) = view.resolve_by { dt { (DAYS_TO_RESOLVE.get(lang)) } dd { (i18n::date_time(lang, by)) } }
                }
                @match view.overdue.as_deref() {
                    Some("assignment") => p.overdue { (OVERDUE_ASSIGNMENT.get(lang)) },
                    Some(_) => p.overdue { (OVERDUE_RESOLUTION.get(lang)) },
                    None => {}
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The admin page: every category with its service level and a form to change it.
pub async fn page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    require_admin(&web)?;
    let done = query.map(|Query(q)| q).unwrap_or_default().done;
    render(&state, &web, done.as_deref(), None, StatusCode::OK).await
}

fn require_admin(web: &Web) -> Result<(), WebError> {
    if web.ctx.user.role != Role::Admin {
        return Err(ApiError(AppError::forbidden("only administrators set service levels")).into());
    }
    Ok(())
}

async fn render(
    state: &AppState,
    web: &Web,
    done: Option<&str>,
    error: Option<(&str, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let categories = reference::list_categories_of(state, None).await?;
    let days = |d: Option<i64>| d.map(|d| d.to_string()).unwrap_or_default();
    let content = html! {
        @if let Some(code) = done { p.notice role="status" { (SERVICE_LEVEL_SAVED.get(lang)) ": " (code) } }
        h1 { (SERVICE_LEVELS.get(lang)) }
        p.hint { (SERVICE_LEVELS_HINT.get(lang)) }
        @if let Some((code, message)) = &error {
            div.error-summary role="alert" { p { (code) ": " (message) } }
        }
        table.stack {
            thead { tr { th { (i18n::CATEGORY_CODE.get(lang)) } th { (i18n::NAME_TH.get(lang)) }
                th { (DAYS_TO_ASSIGN.get(lang)) } th { (DAYS_TO_RESOLVE.get(lang)) } th {} } }
            tbody {
                @for c in &categories {
                    @let form_id = format!("sl-{}", c.code);
                    tr {
                        td data-label=(i18n::CATEGORY_CODE.get(lang)) { (c.code) }
                        td data-label=(i18n::NAME_TH.get(lang)) { span lang="th" { (c.name_th) } br; span.muted lang="en" { (c.name_en) } }
                        td data-label=(DAYS_TO_ASSIGN.get(lang)) {
                            input form=(form_id) type="number" min="1" max="366" name="days_to_assign" value=(days(c.days_to_assign))
                                placeholder=(NO_LIMIT.get(lang)) aria-label={ (DAYS_TO_ASSIGN.get(lang)) " " (c.code) };
                        }
                        td data-label=(DAYS_TO_RESOLVE.get(lang)) {
                            input form=(form_id) type="number" min="1" max="366" name="days_to_resolve" value=(days(c.days_to_resolve))
                                placeholder=(NO_LIMIT.get(lang)) aria-label={ (DAYS_TO_RESOLVE.get(lang)) " " (c.code) };
                        }
                        td {
                            form.inline id=(form_id) method="post" action={ "/admin/service-levels/" (c.code) } {
                                input type="hidden" name="_csrf" value=(web.csrf);
                                button type="submit" { (i18n::SAVE.get(lang)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok((status, layout::page(web, Nav::Admin, SERVICE_LEVELS.get(lang), content)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ServiceLevelForm {
    #[serde(default)]
    days_to_assign: String,
    #[serde(default)]
    days_to_resolve: String,
}

/// Saves one category's service level (the API's `set_service_level`); a level it already has is taken
/// as done (a retried form), any other refusal shows on the page with nothing written.
pub async fn save(
    State(state): State<AppState>,
    Path(code): Path<String>,
    posted: Posted<ServiceLevelForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let lang = web.lang;
    let number = |raw: &str| -> Result<Option<i64>, ()> {
        let raw = raw.trim();
        if raw.is_empty() { Ok(None) } else { raw.parse().map(Some).map_err(|_| ()) }
    };
    let (Ok(days_to_assign), Ok(days_to_resolve)) = (number(&form.days_to_assign), number(&form.days_to_resolve))
    else {
        let message = Tr("save-days-must-be-a-number").get(lang).to_owned();
        return render(&state, &web, None, Some(("bad_service_days", message)), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let req = ServiceLevelRequest { days_to_assign, days_to_resolve };
    match escalation::set_service_level(&state, &web.ctx, &code, req).await {
        Ok(_) | Err(AppError::Conflict { code: "service_level_unchanged", .. }) => {}
        Err(AppError::Invalid { code, message }) => {
            return render(&state, &web, None, Some((code, message)), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/admin/service-levels?done={}", layout::url_encode(code.trim()))).into_response())
}
