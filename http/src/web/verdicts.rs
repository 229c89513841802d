//! Duplicates and the community's verdict on the web (issue #17 §3, §6), Thai first: the issue page's
//! duplicates part (its original, its duplicates with their forums, how many times it was raised, its
//! verdict), the page that marks a problem a duplicate (with the likely duplicates to pick from), the
//! suggestions shown under each problem of the forum form, and the forum page's verdict section with its form.
//! Every page calls the use cases the API calls (`santisuk_app::duplicates`, `santisuk_app::verdicts`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use santisuk_app::duplicates::{self, DuplicateMarkRequest, DuplicateSuggestQuery, DuplicateSuggestion};
use santisuk_app::issues::{self, IssueRow};
use santisuk_app::verdicts::{self, ForumVerdicts, VerdictEntry, VerdictsRequest};
use santisuk_domain::values::{IssueStatus, Text};
use serde::Deserialize;

use super::i18n::{self, Lang, Tr};
use super::layout::{self, Nav, field_error, invalid};
use super::{Posted, Web, WebError};
use crate::error::{ApiError, AppError};
use crate::state::AppState;

const DUPLICATE_OF: Tr = Tr("duplicate-of");
const DUPLICATES: Tr = Tr("duplicates");
const TIMES_RAISED: Tr = Tr("times-raised");
const NO_FORUM: Tr = Tr("no-forum");
const MARK_DUPLICATE: Tr = Tr("mark-duplicate");
const MARK_HINT: Tr = Tr("mark-hint");
const ORIGINAL: Tr = Tr("original");
const LIKELY: Tr = Tr("likely");
const NONE_LIKELY: Tr = Tr("none-likely");
const SIMILARITY: Tr = Tr("similarity");
const THIS_ONE: Tr = Tr("this-one");
const VERDICT: Tr = Tr("verdict");
const VERDICTS_TITLE: Tr = Tr("verdicts-title");
const VERDICTS_SINCE: Tr = Tr("verdicts-since");
const VERDICTS_FIRST: Tr = Tr("verdicts-first");
const VERDICTS_NONE: Tr = Tr("verdicts-verdicts-none");
const VERDICTS_SAVE: Tr = Tr("verdicts-save");
const VERDICTS_SAVED: Tr = Tr("verdicts-saved");
const VERDICT_SKIP: Tr = Tr("verdict-skip");
const VERDICT_REASON_HINT: Tr = Tr("verdict-reason-hint");
const EARLIER_FORUM: Tr = Tr("earlier-forum");
const CLOSED_ON: Tr = Tr("closed-on");

/// A verdict in words.
pub fn verdict_words(lang: Lang, verdict: &str) -> &'static str {
    let tr = match verdict {
        "confirmed" => Tr("verdict-words-confirmed"),
        "disputed" => Tr("verdict-words-disputed"),
        "not_asked" => Tr("verdict-words-not-asked"),
        _ => return "—",
    };
    tr.get(lang)
}

/// The messages of this module's refusals in the page's language; others as the app words them.
fn message(lang: Lang, code: &str, fallback: &str) -> String {
    let tr = match code {
        "duplicate_of_itself" => Tr("message-duplicate-of-itself"),
        "unknown_original" => Tr("message-unknown-original"),
        "duplicate_of_duplicate" => {
            // The English is the message that came with the error (it names the original).
            return match lang {
                Lang::En => fallback.to_owned(),
                Lang::Th | Lang::Ms => Tr("message-duplicate-of-duplicate")
                    .with(lang, &[("detail", super::i18n::FluentValue::from(fallback))]),
            };
        }
        "has_duplicates" => Tr("message-has-duplicates"),
        "duplicate_of_other_kind" => Tr("message-duplicate-of-other-kind"),
        "reason_required" => Tr("message-reason-required"),
        "verdict_on_open_issue" => Tr("message-verdict-on-open-issue"),
        "confirmed_not_resolved" => Tr("message-confirmed-not-resolved"),
        "forum_before_closure" => Tr("message-forum-before-closure"),
        _ => return i18n::error_message(lang, code, fallback),
    };
    tr.get(lang).to_owned()
}

/// A duplicate mark in the issue's timeline.
pub fn timeline_duplicate(lang: Lang, of: &str, note: Option<&Text>) -> Markup {
    html! {
        div { (DUPLICATE_OF.get(lang)) ": " a href={ "/issues/" (of) } { (of) } }
        @if let Some(n) = note { div.free dir="auto" { (i18n::NOTE.get(lang)) ": " (layout::text(lang, n.as_str())) } }
    }
}

/// A verdict in the issue's timeline.
pub fn timeline_verdict(lang: Lang, forum: &str, verdict: &str, reason: Option<&Text>) -> Markup {
    html! {
        div { (verdict_words(lang, verdict)) " · " a href={ "/forums/" (forum) } { (i18n::FORUM.get(lang)) } }
        @if let Some(r) = reason { div.free dir="auto" { (i18n::REASON.get(lang)) ": " (layout::text(lang, r.as_str())) } }
    }
}

fn issue_link(id: &str, case_number: Option<&str>, title: &str) -> Markup {
    html! {
        @if let Some(n) = case_number { span.case-number { (n) } " " }
        a href={ "/issues/" (case_number.unwrap_or(id)) } dir="auto" { (title) }
    }
}

/// The issue page's part: the original of a duplicate, the duplicates of an original with their forums and
/// how many times it was raised, the verdict the problem holds, and (for those who may act on it) the way to
/// mark it a duplicate.
pub async fn issue_section(state: &AppState, web: &Web, row: &IssueRow, writer: bool) -> Result<Markup, WebError> {
    let lang = web.lang;
    let dups = duplicates::of_issue(state, &web.ctx, &row.id).await?;
    let original = match &row.duplicate_of {
        Some(o) => readable_row(state, web, o).await?,
        None => None,
    };
    Ok(html! {
        @if row.duplicate_of.is_some() || !dups.duplicates.is_empty() || row.verdict.is_some() {
            section.card #duplicates {
                dl.facts {
                    @if let Some(o) = &row.duplicate_of {
                        dt { (DUPLICATE_OF.get(lang)) }
                        dd { @match &original {
                            Some(r) => { (issue_link(&r.id, r.case_number.as_deref(), &r.title)) }
                            None => { span.id { (o) } }
                        } }
                    }
                    @if !dups.duplicates.is_empty() {
                        dt { (TIMES_RAISED.get(lang)) } dd { strong { (dups.times_raised) } }
                    }
                    @if let Some(v) = &row.verdict {
                        dt { (VERDICT.get(lang)) }
                        dd { (verdict_words(lang, v))
                            @if let Some(f) = &row.verdict_forum_id { " · " a href={ "/forums/" (f) } { (i18n::FORUM.get(lang)) } } }
                    }
                }
                @if !dups.duplicates.is_empty() {
                    h2 { (DUPLICATES.get(lang)) " (" (dups.duplicates.len()) ")" }
                    ul {
                        @for d in &dups.duplicates {
                            li {
                                (issue_link(&d.id, d.case_number.as_deref(), &d.title))
                                " · "
                                @match &d.forum_id {
                                    Some(f) => { a href={ "/forums/" (f) } {
                                        (d.forum_title.clone().unwrap_or_else(|| i18n::FORUM.get(lang).to_owned()))
                                        @if let Some(h) = &d.forum_held_on { " " (i18n::stored_date(lang, h)) } } }
                                    None => { span.muted { (NO_FORUM.get(lang)) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if writer && row.status != IssueStatus::Closed && web.ctx.sees_area(&row.area_id) {
            p { a.button href={ "/issues/" (row.id) "/duplicate" } { (MARK_DUPLICATE.get(lang)) } }
        }
    })
}

/// The original's row, if the reader may read it (otherwise only its id is shown).
async fn readable_row(state: &AppState, web: &Web, id: &str) -> Result<Option<IssueRow>, WebError> {
    match issues::get(state, &web.ctx, id, None).await {
        Ok(r) => Ok(Some(r)),
        Err(AppError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The likely duplicates as a list, each with a button that fills the original (on the marking page) or a
/// link (elsewhere).
fn suggestions_list(lang: Lang, items: &[DuplicateSuggestion], pick: bool) -> Markup {
    html! {
        @if items.is_empty() { p.muted { (NONE_LIKELY.get(lang)) } }
        @else {
            p.hint { (LIKELY.get(lang)) }
            ul.suggestions {
                @for s in items {
                    li {
                        @if pick {
                            button type="submit" name="of" value=(s.case_number.as_deref().unwrap_or(&s.id)) {
                                (MARK_DUPLICATE.get(lang)) ": " (s.case_number.as_deref().unwrap_or(&s.id))
                            }
                            " "
                        }
                        (issue_link(&s.id, s.case_number.as_deref(), &s.title))
                        " " span.muted { "(" (SIMILARITY.get(lang)) " " (format!("{:.0}%", s.score * 100.0)) ")" }
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    of: String,
    #[serde(default)]
    note: String,
}

/// The page that marks a problem a duplicate: the likely duplicates (open problems of its area and
/// category, alike in text) to pick from, or any original by case number.
pub async fn mark_page(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Result<Response, WebError> {
    web.ctx.require_issue_writer()?;
    let row = issues::get(&state, &web.ctx, &id, None).await?;
    mark_render(&state, &web, &row, &MarkForm::default(), &[], StatusCode::OK).await
}

async fn mark_render(
    state: &AppState,
    web: &Web,
    row: &IssueRow,
    typed: &MarkForm,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let suggestions = duplicates::suggest_for_issue(state, &web.ctx, row).await?;
    let version = if typed.version.is_empty() { row.version.to_string() } else { typed.version.clone() };
    let content = html! {
        h1 { (MARK_DUPLICATE.get(lang)) }
        p { (THIS_ONE.get(lang)) ": " (issue_link(&row.id, row.case_number.as_deref(), &row.title)) }
        p.hint { (MARK_HINT.get(lang)) }
        (layout::error_summary(lang, errors, &[("of", ORIGINAL), ("note", i18n::NOTE)]))
        form.card method="post" action={ "/issues/" (row.id) "/duplicate" } novalidate {
            input type="hidden" name="_csrf" value=(web.csrf);
            input type="hidden" name="version" value=(version);
            (suggestions_list(lang, &suggestions, true))
            label for="note" { (i18n::NOTE.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
            textarea #note name="note" maxlength=(Text::MAX) dir="auto" aria-invalid=[invalid(errors, "note")] { (typed.note) }
            (field_error(errors, "note"))
            label for="of" { (ORIGINAL.get(lang)) }
            input #of type="text" name="of" value=(typed.of) placeholder="PTN-2569-00123" autocomplete="off"
                aria-invalid=[invalid(errors, "of")];
            (field_error(errors, "of"))
            div { button.primary type="submit" { (MARK_DUPLICATE.get(lang)) } }
        }
    };
    Ok((status, layout::page(web, Nav::Queue, MARK_DUPLICATE.get(lang), content)).into_response())
}

/// Marks the problem a duplicate (as `POST /api/issues/{id}/duplicate`, with the version the page was shown
/// at as `If-Match`); a refusal comes back on the page beside the field it is about.
pub async fn mark(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<MarkForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    web.ctx.require_issue_writer()?;
    let row = issues::get(&state, &web.ctx, &id, None).await?;
    let lang = web.lang;
    let expected = form.version.trim().parse::<i64>().ok();
    let req = DuplicateMarkRequest {
        of: form.of.clone(),
        note: Some(form.note.clone()).filter(|n| !n.trim().is_empty()),
        at: None,
    };
    match duplicates::mark(&state, &web.ctx, &row.id, req, expected).await {
        Ok(_) => Ok(Redirect::to(&format!("/issues/{}?done=1", row.id)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let e = ApiError(e);
            let (_, code, text) = e.parts();
            let field = if code == "value_too_long" || code == "control_characters" { "note" } else { "of" };
            let errors = vec![(field.to_owned(), message(lang, code, &text))];
            let row = issues::get(&state, &web.ctx, &row.id, None).await?;
            let form = MarkForm { version: row.version.to_string(), ..form };
            mark_render(&state, &web, &row, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the forum form's row (or the script, as one types) asks.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

/// The likely duplicates of a problem being typed, as a fragment of HTML (empty when the area, category or
/// title is not there yet): under each problem of the forum form when it is shown again, and fetched by
/// the script as one types (`GET /duplicates/suggest`).
pub async fn row_suggestions(
    state: &AppState,
    web: &Web,
    area: &str,
    category: &str,
    title: &str,
    description: &str,
) -> Result<Markup, WebError> {
    // Issue #17 §1: the routing rules' agency for the area and category chosen, before the duplicates.
    let agency = super::agencies::row_agency(state, web, area, category).await?;
    if area.trim().is_empty() || category.trim().is_empty() || title.trim().is_empty() {
        return Ok(agency);
    }
    let q = DuplicateSuggestQuery {
        area: Some(area.trim().to_owned()),
        category: Some(category.trim().to_owned()),
        title: Some(title.to_owned()),
        description: Some(description.to_owned()).filter(|d| !d.trim().is_empty()),
        exclude: None,
    };
    match duplicates::suggest(state, &web.ctx, &q).await {
        Ok(items) if !items.is_empty() => {
            Ok(html! { (agency) div.duplicates role="status" { (suggestions_list(web.lang, &items, false)) } })
        }
        Ok(_) => Ok(agency),
        // A value that is not one yet (a title too long, an area not chosen): the form's own check says so.
        Err(AppError::Invalid { .. }) => Ok(agency),
        Err(e) => Err(e.into()),
    }
}

/// `GET /duplicates/suggest`: [`row_suggestions`] for the script.
pub async fn suggest_fragment(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<SuggestQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let markup = row_suggestions(&state, &web, &q.area, &q.category, &q.title, &q.description).await?;
    Ok(([(axum::http::header::CACHE_CONTROL, "no-store")], markup).into_response())
}

// --- the community's verdict ------------------------------------------------------------------------------

/// The verdict form as posted: one row per problem listed (`v_issue`, `v_verdict`, `v_reason`, in order).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    v_issue: Vec<String>,
    #[serde(default)]
    v_verdict: Vec<String>,
    #[serde(default)]
    v_reason: Vec<String>,
}

impl VerdictForm {
    fn typed(&self, issue: &str) -> (String, String) {
        let at = self.v_issue.iter().position(|i| i == issue);
        let get = |v: &Vec<String>| at.and_then(|n| v.get(n).cloned()).unwrap_or_default();
        (get(&self.v_verdict), get(&self.v_reason))
    }
}

/// The forum page's verdict section: the problems of its area closed since the previous forum there, each
/// with its verdict, and (for those who may record them) the form.
pub async fn forum_section(state: &AppState, web: &Web, forum_id: &str) -> Result<Markup, WebError> {
    let list = verdicts::list(state, &web.ctx, forum_id).await?;
    Ok(verdict_form(web, &list, &VerdictForm::default(), &[]))
}

fn verdict_form(web: &Web, list: &ForumVerdicts, typed: &VerdictForm, errors: &[(String, String)]) -> Markup {
    let lang = web.lang;
    let writer = web.ctx.require_issue_writer().is_ok();
    let choice = |current: &str, value: &str, label: &str| {
        html! { option value=(value) selected[current == value] { (label) } }
    };
    html! {
        section #verdicts {
            h2 { (VERDICTS_TITLE.get(lang)) " (" (list.problems.len()) ")" }
            p.hint { @match &list.since {
                Some(d) => { (VERDICTS_SINCE.get(lang)) " (" (i18n::stored_date(lang, d)) ")" }
                None => { (VERDICTS_FIRST.get(lang)) }
            } }
            (layout::error_summary(lang, errors, &[] as &[(&str, Tr)]))
            @if list.problems.is_empty() { p.muted { (VERDICTS_NONE.get(lang)) } }
            @else {
                form method="post" action={ "/forums/" (list.forum_id) "/verdicts" } novalidate {
                    input type="hidden" name="_csrf" value=(web.csrf);
                    table.stack {
                        thead { tr { th { (i18n::TITLE.get(lang)) } th { (i18n::STATUS.get(lang)) } th { (VERDICT.get(lang)) } } }
                        tbody {
                            @for (n, p) in list.problems.iter().enumerate() {
                                @let here = p.verdict_forum_id.as_deref() == Some(list.forum_id.as_str());
                                @let (v, r) = typed.typed(&p.id);
                                @let v = if v.is_empty() && here { p.verdict.clone().unwrap_or_default() } else { v };
                                tr {
                                    td data-label=(i18n::TITLE.get(lang)) {
                                        (issue_link(&p.id, p.case_number.as_deref(), &p.title))
                                        @if let Some(c) = &p.closed_at { br; span.muted { (CLOSED_ON.get(lang)) " " (i18n::stored_time(lang, c)) } }
                                    }
                                    td data-label=(i18n::STATUS.get(lang)) {
                                        (layout::status_badge(lang, &p.status))
                                        @if let Some(o) = &p.outcome { " " span.muted { (i18n::outcome(lang, o)) } }
                                    }
                                    td data-label=(VERDICT.get(lang)) {
                                        @if let Some(current) = &p.verdict {
                                            div { (verdict_words(lang, current)) @if !here { " " span.muted { "(" (EARLIER_FORUM.get(lang)) ")" } } }
                                        }
                                        @if writer && p.status == IssueStatus::Closed.as_str() {
                                            @let f = format!("v_verdict-{}", n + 1);
                                            @let fr = format!("v_reason-{}", n + 1);
                                            input type="hidden" name="v_issue" value=(p.id);
                                            label.visually-hidden for=(f) { (VERDICT.get(lang)) }
                                            select id=(f) name="v_verdict" aria-invalid=[invalid(errors, &f)] {
                                                (choice(&v, "", VERDICT_SKIP.get(lang)))
                                                @if p.outcome.as_deref() == Some("resolved") {
                                                    (choice(&v, "confirmed", verdict_words(lang, "confirmed")))
                                                }
                                                (choice(&v, "disputed", verdict_words(lang, "disputed")))
                                                (choice(&v, "not_asked", verdict_words(lang, "not_asked")))
                                            }
                                            label for=(fr) { (i18n::REASON.get(lang)) " " span.hint { "(" (VERDICT_REASON_HINT.get(lang)) ")" } }
                                            input id=(fr) type="text" name="v_reason" value=(r) maxlength=(Text::MAX) dir="auto"
                                                aria-invalid=[invalid(errors, &fr)];
                                            (field_error(errors, &f))
                                            (field_error(errors, &fr))
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if writer { div { button.primary type="submit" { (VERDICTS_SAVE.get(lang)) } } }
                }
            }
        }
    }
}

fn verdicts_render(
    web: &Web,
    list: &ForumVerdicts,
    typed: &VerdictForm,
    errors: &[(String, String)],
    status: StatusCode,
    saved: bool,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let content = html! {
        @if saved { p.notice role="status" { (VERDICTS_SAVED.get(lang)) } }
        p { a href={ "/forums/" (list.forum_id) } { "← " (i18n::FORUM.get(lang)) " " (i18n::stored_date(lang, &list.held_on)) } }
        (verdict_form(web, list, typed, errors))
    };
    Ok((status, layout::page(web, Nav::Forum, VERDICTS_TITLE.get(lang), content)).into_response())
}

/// Records the verdicts chosen (rows left at "not recorded" are skipped), as `POST /api/forums/{id}/verdicts`:
/// all are checked before any is written; a refusal comes back beside the row it is about.
pub async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<VerdictForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    web.ctx.require_issue_writer()?;
    let lang = web.lang;
    let list = verdicts::list(&state, &web.ctx, &id).await?;
    let mut entries = Vec::new();
    let mut rows = Vec::new();
    for (n, issue) in form.v_issue.iter().enumerate() {
        let verdict = form.v_verdict.get(n).map(|v| v.trim().to_owned()).unwrap_or_default();
        if verdict.is_empty() {
            continue;
        }
        let reason = form.v_reason.get(n).map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        // The row's number on the page, for the error's place.
        let shown = list.problems.iter().position(|p| p.id == *issue).map_or(n + 1, |p| p + 1);
        rows.push(shown);
        entries.push(VerdictEntry { issue_id: issue.clone(), verdict, reason, at: None });
    }
    if entries.is_empty() {
        return Ok(Redirect::to(&format!("/forums/{}", list.forum_id)).into_response());
    }
    match verdicts::record(&state, &web.ctx, &list.forum_id, VerdictsRequest { verdicts: entries }).await {
        Ok(_) => Ok(Redirect::to(&format!("/forums/{}/verdicts?saved=1", list.forum_id)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let e = ApiError(e);
            let (_, code, text) = e.parts();
            // "verdicts[i] (…): message": the entry's row, and the message without its prefix.
            let entry =
                text.strip_prefix("verdicts[").and_then(|t| t.split(']').next()).and_then(|n| n.parse::<usize>().ok());
            let row = entry.and_then(|i| rows.get(i)).copied().unwrap_or(1);
            let field = if code == "reason_required" || code == "value_too_long" { "v_reason" } else { "v_verdict" };
            let plain = text.split_once("): ").map_or(text.as_str(), |(_, m)| m).to_owned();
            let errors = vec![(format!("{field}-{row}"), message(lang, code, &plain))];
            verdicts_render(&web, &list, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY, false)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /forums/{id}/verdicts`: the verdict section on a page of its own (`?saved=1` after a save).
pub async fn verdicts_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    query: Result<Query<SavedQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let saved = query.map(|Query(q)| q.saved.is_some()).unwrap_or(false);
    let list = verdicts::list(&state, &web.ctx, &id).await?;
    verdicts_render(&web, &list, &VerdictForm::default(), &[], StatusCode::OK, saved)
}
