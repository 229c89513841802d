//! The issue page: details, status, the full timeline, and the action forms the issue's status and the
//! user's role allow.
//!
//! Every action form carries the version of the issue it was shown with and is sent as an `If-Match`: when
//! someone acted in between, the change is refused, the page says so plainly, shows the new state and keeps
//! what was typed.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use santisuk_app::caller::Role;
use santisuk_app::forums;
use santisuk_app::issues::{
    self, ActionRequest, AddressRequest, AssignRequest, CloseRequest, CorrectRequest, IssueRow, ReopenRequest,
    RestrictRequest,
};
use santisuk_app::parse::{DayEdge, fmt_ts, parse_when};
use santisuk_app::reference::{self, CategoryRow};
use santisuk_domain::issue::{IssueAction, IssueEvent};
use santisuk_domain::time::bangkok_date;
use santisuk_domain::values::{IssueStatus, Outcome, Text};
use serde::Deserialize;
use uuid::Uuid;

use super::i18n::{self, Lang};
use super::layout::{self, Nav, field_error, invalid};
use super::{Posted, Web, WebError};
use crate::error::{ApiError, AppError};
use crate::state::{AppState, now};

// --- the issue page -------------------------------------------------------------------------------------

/// An action form as posted; every field as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    assignee: String,
    /// The agency referred to (its id; empty: none) and the routing rule the form suggested it by.
    #[serde(default)]
    agency: String,
    #[serde(default)]
    rule: String,
    /// Who the problem waits for (the waiting form).
    #[serde(default)]
    waiting_for: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
    /// When it happened (empty: now); see `parse::parse_when`.
    #[serde(default)]
    at_date: String,
    #[serde(default)]
    at_time: String,
    /// A correction's fields (shown filled with the record).
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category: String,
    /// The restriction form's choice: `true` to restrict, `false` to lift the mark.
    #[serde(default)]
    restricted: String,
}

/// What a refused action brings back to the page.
#[derive(Debug, Default)]
struct Sticky {
    action: String,
    form: ActionForm,
    errors: Vec<(String, String)>,
    stale: bool,
    message: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    done: Option<String>,
}

fn issue_uuid(raw: &str) -> Result<String, WebError> {
    Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::not_found("issue_not_found", "no such issue").into())
}

/// One issue: details, timeline, and the action forms allowed.
pub async fn page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    // By id or by case number (`/issues/PTN-2569-00123`, what people quote).
    let id = issues::resolve_issue(&state, &id).await?;
    let sticky = Sticky { message: q.done.map(|_| i18n::DONE_SAVED.get(web.lang).to_owned()), ..Sticky::default() };
    render(&state, &web, &id, sticky, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    web: &Web,
    id: &str,
    sticky: Sticky,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    // The timeline is the issue's history: its reading is logged for auditors, as over the API.
    let (row, history) = issues::timeline(state, &web.ctx, id, serde_json::json!({"via": "web"})).await?;
    let area = reference::get_area(state, &web.ctx, &row.area_id).await?;
    let category = reference::get_category(state, &row.category).await?;
    let forum = match &row.forum_id {
        Some(f) => forums::find_forum(state, &web.ctx, f).await?,
        None => None,
    };
    let today = bangkok_date(now());
    let overdue =
        row.status != IssueStatus::Closed && row.due_on.as_deref().is_some_and(|d| d < today.to_string().as_str());
    let obstacle = row.kind == santisuk_domain::values::IssueKind::Obstacle;
    // An obstacle is worked by SBPAC's staff and admins; the coordinator who raised it follows it here.
    let writer = match web.ctx.user.role {
        Role::Admin | Role::Staff => true,
        Role::Coordinator => !obstacle,
        Role::Auditor => false,
    };
    // A correction offers the categories of the issue's own kind (an obstacle's are the obstacle categories).
    let categories = if writer { reference::list_categories_of(state, Some(row.kind)).await? } else { Vec::new() };
    let by_category = category.as_ref().is_some_and(|c| c.restricted);
    // The complainant, for the roles that read people (none for auditors); the read is in the access log.
    let complainant = santisuk_app::privacy::complainant_for_issue(state, &web.ctx, &row.id).await?;
    let referral = super::agencies::referral(state, web, &row, writer && web.ctx.sees_area(&row.area_id)).await?;
    let duplicates = super::verdicts::issue_section(state, web, &row, writer).await?;
    let files = santisuk_app::attachments::rows_of(state, &row.id).await?;
    let content = html! {
        @if let Some(m) = &sticky.message { p.notice role="status" { (m) } }
        @if sticky.stale { p.warn role="alert" id="stale" { (i18n::STALE.get(lang)) } }
        @if obstacle { p.badge.obstacle { (i18n::OBSTACLE_LABEL.get(lang)) } }
        @if let Some(n) = &row.case_number { p.case-number { (i18n::CASE_NUMBER.get(lang)) " " strong { (n) } } }
        h1 dir="auto" { (row.title) }
        @if !obstacle {
            (super::report::papers_links(lang, &format!("/issues/{}/receipt", row.id), super::strings_report::PRINT_RECEIPT))
        }
        p { (layout::status_badge(lang, row.status.as_str()))
            @if let Some(o) = &row.outcome { " " span.muted { (i18n::outcome(lang, o)) } }
            @if overdue { " " span.overdue { (i18n::OVERDUE.get(lang)) } }
            @if row.restricted || by_category { " " (layout::restricted_badge(lang)) } }
        section.card {
            dl.facts {
                dt { (i18n::AREA.get(lang)) } dd { (area.as_ref().map(|a| layout::area_label(lang, a)).unwrap_or_else(|| row.area_id.clone())) }
                dt { (i18n::CATEGORY.get(lang)) } dd { (category.as_ref().map(|c| layout::category_label(lang, c)).unwrap_or_else(|| row.category.clone()))
                    @if by_category { " " span.hint { "(" (i18n::RESTRICTED_BY_CATEGORY.get(lang)) ")" } } }
                @if let Some(d) = &row.description { dt { (i18n::DESCRIPTION.get(lang)) } dd.free dir="auto" { (layout::text(lang, d)) } }
                @if let Some(b) = &row.raised_by { dt { (i18n::RAISED_BY.get(lang)) } dd dir="auto" { (layout::text(lang, b)) } }
                @if let Some(f) = &forum {
                    dt { (i18n::FORUM.get(lang)) }
                    dd { a href={ "/forums/" (f.id) } dir="auto" { (f.title.clone().unwrap_or_else(|| i18n::stored_date(lang, &f.held_on))) } }
                }
                dt { (i18n::RAISED_ON.get(lang)) } dd { (i18n::stored_time(lang, &row.raised_at)) }
                dt { (i18n::ASSIGNEE.get(lang)) } dd dir="auto" { (row.assignee.as_deref().unwrap_or("—")) }
                dt { (i18n::DUE_ON.get(lang)) } dd { (row.due_on.as_deref().map(|d| i18n::stored_date(lang, d)).unwrap_or_else(|| "—".into())) }
                (super::agencies::facts(lang, &referral, &row))
            }
        }
        (super::escalation::issue_section(lang, &santisuk_app::escalation::view(&row,
            &category.as_ref().map(|c| c.service_level()).unwrap_or_default(), now())))
        (super::privacy::complainant_card(lang, complainant.as_ref()))
        (duplicates)
        (super::attachments::issue_section(web, &row, &files, &history, writer && web.ctx.sees_area(&row.area_id)))
        @if writer && web.ctx.sees_area(&row.area_id) {
            (action_forms(web, &row, row.status, &sticky, &categories, &referral))
        } @else {
            p.muted { (i18n::READ_ONLY.get(lang)) }
        }
        h2 #timeline { (i18n::TIMELINE.get(lang)) }
        ol.timeline {
            @for e in &history {
                li { (timeline_entry(lang, e)) }
            }
        }
        (super::privacy::erase_entry(web, &row))
    };
    let nav = if obstacle { Nav::Obstacles } else { Nav::Queue };
    Ok((status, layout::page(web, nav, &row.title, content)).into_response())
}

fn timeline_entry(lang: Lang, e: &issues::StoredEvent) -> Markup {
    let actor = e.metadata.get("actor").and_then(|v| v.as_str()).unwrap_or("—");
    let event: Option<IssueEvent> = serde_json::from_value(e.payload.clone()).ok();
    let when = event.as_ref().map(|ev| i18n::date_time(lang, ev.at())).unwrap_or_default();
    html! {
        strong { (i18n::event(lang, &e.event_type)) }
        " " span.when { (when) " · " (i18n::BY.get(lang)) " " span dir="auto" { (actor) } }
        @match &event {
            Some(IssueEvent::IssueRaised { raised_by, restricted, .. }) => {
                @if let Some(b) = raised_by { div dir="auto" { (i18n::RAISED_BY.get(lang)) ": " (layout::text(lang, b.as_str())) } }
                @if *restricted { div { (layout::restricted_badge(lang)) } }
            }
            Some(IssueEvent::IssueAssigned { assignee, due_on, note, agency, rule, .. }) => {
                div dir="auto" { (i18n::ASSIGNEE.get(lang)) ": " (assignee)
                    @if let Some(d) = due_on { " · " (i18n::DUE_ON.get(lang)) " " (i18n::date(lang, *d)) } }
                @if let Some(a) = agency { div { (i18n::AGENCY.get(lang)) ": " a href={ "/admin/agencies/" (a) } { (a) }
                    @if rule.is_some() { " · " span.hint { (i18n::ROUTING_RULE.get(lang)) } } } }
                @if let Some(n) = note { div.free dir="auto" { (i18n::NOTE.get(lang)) ": " (layout::text(lang, n.as_str())) } }
            }
            Some(IssueEvent::IssueAddressed { action, note, .. }) => {
                div.free dir="auto" { (layout::text(lang, action.as_str())) }
                @if let Some(n) = note { div.free dir="auto" { (i18n::NOTE.get(lang)) ": " (layout::text(lang, n.as_str())) } }
            }
            Some(IssueEvent::IssueClosed { outcome, note, .. }) => {
                div { (i18n::OUTCOME.get(lang)) ": " (i18n::outcome(lang, outcome.as_str())) }
                @if let Some(n) = note { div.free dir="auto" { (i18n::NOTE.get(lang)) ": " (layout::text(lang, n.as_str())) } }
            }
            Some(IssueEvent::IssueReopened { reason, .. }) => {
                div.free dir="auto" { (i18n::REASON.get(lang)) ": " (layout::text(lang, reason.as_str())) }
            }
            Some(IssueEvent::IssueCorrected { title, description, category, reason, .. }) => {
                dl.changes {
                    @if let Some(c) = title { (change(lang, i18n::TITLE, c.from.as_str(), c.to.as_str())) }
                    @if let Some(c) = description {
                        (change(lang, i18n::DESCRIPTION, c.from.as_ref().map_or(i18n::NONE.get(lang), |t| t.as_str()),
                            c.to.as_ref().map_or(i18n::NONE.get(lang), |t| t.as_str())))
                    }
                    @if let Some(c) = category { (change(lang, i18n::CATEGORY, c.from.as_str(), c.to.as_str())) }
                }
                div.free dir="auto" { (i18n::REASON.get(lang)) ": " (layout::text(lang, reason.as_str())) }
            }
            Some(IssueEvent::PersonalDataErased { legal_basis, keys, .. }) => {
                div.free dir="auto" { (i18n::LEGAL_BASIS.get(lang)) ": " (legal_basis) }
                div { (i18n::KEYS_DESTROYED.get(lang)) ": " (keys.len()) }
            }
            Some(IssueEvent::IssueRestrictionChanged { restricted, reason, .. }) => {
                div { (i18n::RESTRICTED.get(lang)) ": " (if *restricted { i18n::YES } else { i18n::NO }.get(lang)) }
                div.free dir="auto" { (i18n::REASON.get(lang)) ": " (reason) }
            }
            Some(IssueEvent::IssueWaitingChanged { waiting_for, note, .. }) => {
                div { (i18n::WAITING_FOR.get(lang)) ": " (i18n::party(lang, waiting_for.as_str())) }
                @if let Some(n) = note { div.free dir="auto" { (i18n::NOTE.get(lang)) ": " (layout::text(lang, n.as_str())) } }
            }
            Some(IssueEvent::IssueEscalated { level, responsible, .. }) => {
                div dir="auto" { (super::escalation::level(lang, i64::from(*level))) ": " (responsible) }
            }
            Some(IssueEvent::IssueMarkedDuplicate { of, note, .. }) => {
                (super::verdicts::timeline_duplicate(lang, &of.to_string(), note.as_ref()))
            }
            Some(IssueEvent::CommunityVerdictRecorded { forum_id, verdict, reason, .. }) => {
                (super::verdicts::timeline_verdict(lang, &forum_id.to_string(), verdict.as_str(), reason.as_ref()))
            }
            Some(IssueEvent::AttachmentAdded { media_type, name, action, .. }) => {
                div dir="auto" { (media_type.as_str()) @if let Some(n) = name { " · " (layout::text(lang, n.as_str())) }
                    @if let Some(a) = action { " · #" (a) } }
            }
            None => { pre.data { (e.payload.to_string()) } }
        }
        div.when { (i18n::RECORDED.get(lang)) " " (i18n::date_time(lang, e.recorded_at)) " · #" (e.sequence) }
    }
}

/// The labels of an action form's fields, by id (`<action>-<field>`), for its error summary.
fn labels(action: &str) -> Vec<(String, i18n::Tr)> {
    let fields: [(&str, i18n::Tr); 13] = [
        ("assignee", i18n::ASSIGNEE),
        ("due_on", i18n::DUE_ON),
        ("note", i18n::NOTE),
        ("action", i18n::ACTION_TAKEN),
        ("outcome", i18n::OUTCOME),
        ("reason", i18n::REASON),
        ("title", i18n::TITLE),
        ("description", i18n::DESCRIPTION),
        ("category", i18n::CATEGORY),
        ("at_date", i18n::WHEN_DATE),
        ("at_time", i18n::WHEN_TIME),
        ("agency", i18n::AGENCY),
        ("waiting_for", i18n::WAITING_FOR),
    ];
    fields.into_iter().map(|(f, l)| (format!("{action}-{f}"), l)).collect()
}

/// One corrected field in the timeline: its name, what it was (struck through) and what it is now.
fn change(lang: Lang, name: i18n::Tr, from: &str, to: &str) -> Markup {
    html! {
        dt { (name.get(lang)) }
        dd.free dir="auto" { span.muted { (i18n::BEFORE.get(lang)) " " } del { (layout::text(lang, from)) } br; span.muted { (i18n::AFTER.get(lang)) " " } ins { (layout::text(lang, to)) } }
    }
}

fn action_forms(
    web: &Web,
    row: &IssueRow,
    status: IssueStatus,
    sticky: &Sticky,
    categories: &[CategoryRow],
    referral: &super::agencies::Referral,
) -> Markup {
    let restricting = sticky.action == "restrict";
    let lang = web.lang;
    let value = |action: &str, pick: fn(&ActionForm) -> &String| -> String {
        if sticky.action == action { pick(&sticky.form).clone() } else { String::new() }
    };
    let errors = &sticky.errors;
    // Every error of the refused form at its top, linked to each field (the script moves the focus there).
    let head = |action: &str| {
        html! {
            input type="hidden" name="_csrf" value=(web.csrf);
            input type="hidden" name="version" value=(row.version);
            @if sticky.action == action { (layout::error_summary(lang, errors, &labels(action))) }
        }
    };
    let when = |action: &str| {
        let (date, time) = if sticky.action == action {
            (sticky.form.at_date.as_str(), sticky.form.at_time.as_str())
        } else {
            ("", "")
        };
        layout::when_input(lang, action, date, time, errors)
    };
    let textarea = |action: &str, field: &str, label: i18n::Tr, pick: fn(&ActionForm) -> &String, required: bool| {
        let id = format!("{action}-{field}");
        html! {
            label for=(id) { (label.get(lang)) @if !required { " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } } }
            textarea id=(id) name=(field) maxlength=(Text::MAX) dir="auto" aria-invalid=[invalid(errors, &id)] { (value(action, pick)) }
            (field_error(errors, &id))
        }
    };
    let can_assign = matches!(status, IssueStatus::Raised | IssueStatus::Assigned | IssueStatus::Addressed);
    let can_address = matches!(status, IssueStatus::Assigned | IssueStatus::Addressed);
    let closed = status == IssueStatus::Closed;
    let correcting = sticky.action == "correct";
    let (title, description, category) = if correcting {
        (sticky.form.title.clone(), sticky.form.description.clone(), sticky.form.category.clone())
    } else {
        (row.title.clone(), row.description.clone().unwrap_or_default(), row.category.clone())
    };
    html! {
        div.actions-grid {
            @if can_assign {
                form.card #assign method="post" action={ "/issues/" (row.id) "/assign" } {
                    h2 { (i18n::ACT_ASSIGN.get(lang)) }
                    (head("assign"))
                    (super::agencies::assign_fields(lang, referral, row, (sticky.action == "assign").then_some(sticky.form.agency.as_str()), errors))
                    label for="assign-assignee" { (i18n::ASSIGNEE.get(lang)) " " span.hint { "(" (i18n::ASSIGNEE_OR_AGENCY.get(lang)) ")" } }
                    input #assign-assignee type="text" name="assignee" maxlength="200" dir="auto"
                        value=(if sticky.action == "assign" { sticky.form.assignee.clone() } else { row.assignee.clone().unwrap_or_default() })
                        aria-invalid=[invalid(errors, "assign-assignee")];
                    (field_error(errors, "assign-assignee"))
                    label for="assign-due_on" { (i18n::DUE_ON.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
                    (layout::date_input(lang, "assign-due_on", "due_on", &value("assign", |f| &f.due_on), false, errors))
                    (textarea("assign", "note", i18n::NOTE, |f| &f.note, false))
                    (when("assign"))
                    button.primary type="submit" { (i18n::ACT_ASSIGN.get(lang)) }
                }
            }
            @if can_address {
                form.card #address method="post" action={ "/issues/" (row.id) "/address" } {
                    h2 { (i18n::ACT_ADDRESS.get(lang)) }
                    (head("address"))
                    (textarea("address", "action", i18n::ACTION_TAKEN, |f| &f.action, true))
                    (textarea("address", "note", i18n::NOTE, |f| &f.note, false))
                    (when("address"))
                    button.primary type="submit" { (i18n::ACT_ADDRESS.get(lang)) }
                }
            }
            @if !closed {
                form.card #close method="post" action={ "/issues/" (row.id) "/close" } {
                    h2 { (i18n::ACT_CLOSE.get(lang)) }
                    (head("close"))
                    label for="close-outcome" { (i18n::OUTCOME.get(lang)) }
                    select #close-outcome name="outcome" required aria-invalid=[invalid(errors, "close-outcome")] {
                        option value="" { (i18n::CHOOSE.get(lang)) }
                        @for o in Outcome::ALL {
                            // "Resolved" needs an action first (the domain's rule); offering it earlier would only
                            // produce an error.
                            @if o != Outcome::Resolved || status == IssueStatus::Addressed {
                                option value=(o.as_str()) selected[sticky.action == "close" && sticky.form.outcome == o.as_str()] { (i18n::outcome(lang, o.as_str())) }
                            }
                        }
                    }
                    (field_error(errors, "close-outcome"))
                    (textarea("close", "note", i18n::NOTE, |f| &f.note, false))
                    (when("close"))
                    button.primary type="submit" { (i18n::ACT_CLOSE.get(lang)) }
                }
            }
            @if !closed {
                (super::agencies::waiting_form(web, row,
                    (sticky.action == "wait").then_some((sticky.form.waiting_for.as_str(), sticky.form.note.as_str())), errors))
            }
            @if closed {
                form.card #reopen method="post" action={ "/issues/" (row.id) "/reopen" } {
                    h2 { (i18n::ACT_REOPEN.get(lang)) }
                    (head("reopen"))
                    (textarea("reopen", "reason", i18n::REASON, |f| &f.reason, true))
                    (when("reopen"))
                    button.primary type="submit" { (i18n::ACT_REOPEN.get(lang)) }
                }
            }
        }
        details.card.correct open[correcting] {
            summary { h2 { (i18n::ACT_CORRECT.get(lang)) } }
            form #correct method="post" action={ "/issues/" (row.id) "/correct" } {
                (head("correct"))
                p.hint { (i18n::CORRECT_HINT.get(lang)) }
                label for="correct-title" { (i18n::TITLE.get(lang)) }
                input #correct-title type="text" name="title" maxlength=(santisuk_domain::values::Title::MAX) dir="auto" required
                    value=(title) aria-invalid=[invalid(errors, "correct-title")];
                (field_error(errors, "correct-title"))
                label for="correct-description" { (i18n::DESCRIPTION.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
                textarea #correct-description name="description" maxlength=(Text::MAX) dir="auto"
                    aria-invalid=[invalid(errors, "correct-description")] { (description) }
                (field_error(errors, "correct-description"))
                label for="correct-category" { (i18n::CATEGORY.get(lang)) }
                select #correct-category name="category" required aria-invalid=[invalid(errors, "correct-category")] {
                    @for c in categories {
                        option value=(c.code) selected[c.code == category] { (layout::category_label(lang, c)) }
                    }
                }
                (field_error(errors, "correct-category"))
                (textarea("correct", "reason", i18n::REASON, |f| &f.reason, true))
                (when("correct"))
                button type="submit" { (i18n::ACT_CORRECT.get(lang)) }
            }
        }
        // The case's own mark: restrict it, or lift the mark (its category's, if any, stays).
        @let (title, restricted) = if row.restricted { (i18n::ACT_UNRESTRICT, "false") } else { (i18n::ACT_RESTRICT, "true") };
        details.card.restrict open[restricting] {
            summary { h2 { (title.get(lang)) } }
            form #restrict method="post" action={ "/issues/" (row.id) "/restrict" } {
                (head("restrict"))
                input type="hidden" name="restricted" value=(restricted);
                p.hint { (i18n::RESTRICT_HINT.get(lang)) }
                (textarea("restrict", "reason", i18n::REASON, |f| &f.reason, true))
                (when("restrict"))
                button type="submit" { (title.get(lang)) }
            }
        }
    }
}

/// An optional form field: empty means absent.
fn optional(raw: &str) -> Option<String> {
    Some(raw.to_owned()).filter(|r| !r.trim().is_empty())
}

/// Turns a posted form into the domain action through the same conversion as the API
/// ([`ActionRequest::into_action`]), or the errors of all its fields at once (named `<action>-<field>`).
fn build(
    lang: Lang,
    action: &str,
    form: &ActionForm,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<IssueAction, Vec<(String, String)>> {
    let message = |field: &str, e: AppError| {
        let (code, message) = e.code_and_message();
        (format!("{action}-{field}"), i18n::error_message(lang, code, &message))
    };
    // A date without a time is the end of that day: an action never falls before a raise of the same day.
    // Its error is listed after the others, as the field comes last on the form.
    let (at, when_error) = match parse_when(&form.at_date, &form.at_time, now, DayEdge::End) {
        Ok(at) => (at.map(fmt_ts), None),
        Err((field, e)) => (None, Some(message(field, e))),
    };
    let note = optional(&form.note);
    let request = match action {
        "assign" => ActionRequest::Assign(AssignRequest {
            assignee: Some(form.assignee.clone()),
            agency: super::agencies::referral_choice(&form.agency).0,
            rule: super::agencies::referral_choice(&form.agency).1.or_else(|| optional(&form.rule)),
            due_on: optional(&form.due_on),
            note,
            at,
        }),
        "address" => ActionRequest::Address(AddressRequest { action: form.action.clone(), note, at }),
        "close" => ActionRequest::Close(CloseRequest { outcome: form.outcome.clone(), note, at }),
        "reopen" => ActionRequest::Reopen(ReopenRequest { reason: form.reason.clone(), at }),
        // The form shows every field filled with the record; what is unchanged is not a correction.
        "correct" => ActionRequest::Correct(CorrectRequest {
            title: Some(form.title.clone()),
            description: Some(form.description.clone()),
            category: Some(form.category.clone()),
            reason: form.reason.clone(),
            at,
        }),
        "wait" => ActionRequest::Wait(santisuk_app::agencies::WaitingRequest {
            waiting_for: form.waiting_for.clone(),
            note,
            at,
        }),
        "restrict" => ActionRequest::Restrict(RestrictRequest {
            restricted: form.restricted.trim() == "true",
            reason: form.reason.clone(),
            at,
        }),
        _ => return Err(Vec::new()),
    };
    let mut errors: Vec<(String, String)> = match request.into_action(now) {
        Ok(a) if when_error.is_none() => return Ok(a),
        Ok(_) => Vec::new(),
        Err(fields) => fields.into_iter().map(|(field, e)| message(field, e)).collect(),
    };
    errors.extend(when_error);
    Err(errors)
}

/// Runs an action from the issue page; on success back to the page (303), otherwise the page again with
/// the errors and what was typed.
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    posted: Posted<ActionForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    let lang = web.lang;
    if !["assign", "address", "close", "reopen", "correct", "restrict", "wait"].contains(&action.as_str()) {
        return Err(ApiError::not_found("no_route", "no such action").into());
    }
    let id = issue_uuid(&id)?;
    let version: i64 = form
        .version
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request("bad_version", "the form has no valid version"))?;
    let now = now();
    let command = match build(lang, &action, &form, now) {
        Ok(c) => c,
        Err(errors) => {
            let sticky = Sticky { action, form, errors, ..Sticky::default() };
            return render(&state, &web, &id, sticky, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match issues::act(&state, &web.ctx, &id, command, now, Some(version)).await.map_err(ApiError) {
        // A writer who restricted a case they may not read (not granted its category, not its raiser) has
        // no page to come back to.
        Ok(_) if action == "restrict" && web.ctx.require_readable(&state, &id).await.is_err() => {
            Ok(Redirect::to("/issues").into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/issues/{id}?done={action}#timeline")).into_response()),
        Err(ApiError(AppError::Conflict { code: "stale_version" | "concurrent_change", .. })) => {
            let sticky = Sticky { action, form, stale: true, ..Sticky::default() };
            render(&state, &web, &id, sticky, StatusCode::CONFLICT).await
        }
        Err(e @ ApiError(AppError::Conflict { .. } | AppError::Invalid { .. })) => {
            let (status, code, message) = e.parts();
            let field = match code {
                "due_before_assignment" => "due_on",
                "resolved_without_action" => "outcome",
                "unknown_category" => "category",
                "unknown_agency" | "unknown_routing_rule" | "routing_rule_mismatch" => "agency",
                "no_agency" | "waiting_unchanged" | "unknown_party" => "waiting_for",
                "at_in_future" | "at_before_raise" => "at_date",
                _ => "form",
            };
            let name = if field == "form" { "form".to_owned() } else { format!("{action}-{field}") };
            let errors = vec![(name, i18n::error_message(lang, code, &message))];
            render(&state, &web, &id, Sticky { action, form, errors, ..Sticky::default() }, status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-11-25T07:00:00Z").unwrap().with_timezone(&chrono::Utc)
    }

    #[test]
    fn an_assignment_needs_an_assignee_and_a_real_date() {
        let form = ActionForm { assignee: "  ".into(), due_on: "31/02/2569".into(), ..ActionForm::default() };
        let errors = build(Lang::Th, "assign", &form, now()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["assign-assignee", "assign-due_on"]);
        // A due date typed the Thai way is a real date.
        let form = ActionForm { assignee: "อบต.".into(), due_on: "31/12/2569".into(), ..ActionForm::default() };
        assert!(build(Lang::Th, "assign", &form, now()).is_ok());
    }

    #[test]
    fn a_close_needs_a_known_outcome() {
        let form = ActionForm { outcome: "<b>done</b>".into(), ..ActionForm::default() };
        assert_eq!(build(Lang::En, "close", &form, now()).unwrap_err()[0].0, "close-outcome");
        let form = ActionForm {
            outcome: "referred".into(), note: "ส่งต่อ อบต.".into(), ..ActionForm::default()
        };
        assert!(matches!(build(Lang::En, "close", &form, now()), Ok(IssueAction::Close(_))));
    }
}
