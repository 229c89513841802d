//! Personal data on the web app (issue #15): the complainant's card on the issue page, and the
//! administrators' erasure of a problem's text or of its complainant, behind a confirmation page that names
//! exactly what goes, with a report of what went.
//!
//! Who may read people and who may erase is decided by the application (`app::privacy`): the card reads
//! through `complainant_for_issue` (which records the read in the access log), the erasure through
//! `privacy::erase` (admins only). The pages only refuse early, so a non-administrator never sees the form.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use santisuk_app::caller::Role;
use santisuk_app::issues::{self, IssueRow};
use santisuk_app::privacy::{self, EraseRequest, ErasureReport, PersonView, RaisedIssue};
use santisuk_domain::values::Text;
use serde::Deserialize;

use super::i18n::{self, Lang};
use super::layout::{self, Nav, field_error, invalid};
use super::{Posted, Web, WebError};
use crate::error::{ApiError, AppError};
use crate::state::AppState;

fn require_admin(web: &Web) -> Result<(), WebError> {
    Ok(web.ctx.require(&[Role::Admin], "erase personal data")?)
}

/// A national id number as the card shows it: only its last four digits, so a glance over a shoulder or a
/// screenshot does not carry it away whole.
pub fn masked_national_id(id: &str) -> String {
    let n = id.chars().count();
    let shown: String = id.chars().skip(n.saturating_sub(4)).collect();
    format!("{}{shown}", "•".repeat(n.saturating_sub(4)))
}

/// The complainant's card on the issue page: their details, or that they were erased (when, and on which
/// legal basis). Nothing when the problem names nobody or the reader's role does not read people.
pub fn complainant_card(lang: Lang, person: Option<&PersonView>) -> Markup {
    let Some(p) = person else { return html! {} };
    let fact = |label: i18n::Tr, value: &Option<String>| {
        html! {
            @if let Some(v) = value { dt { (label.get(lang)) } dd.free dir="auto" { (layout::text(lang, v)) } }
        }
    };
    html! {
        @if p.erased {
            section.card.complainant.erased #complainant {
                h2 { (i18n::COMPLAINANT.get(lang)) }
                p { strong.badge.erased { (i18n::PERSON_ERASED.get(lang)) } }
                dl.facts {
                    @if let Some(at) = p.erased_at { dt { (i18n::ERASED_ON.get(lang)) } dd { (i18n::date_time(lang, at)) } }
                    (fact(i18n::LEGAL_BASIS, &p.legal_basis))
                }
            }
        } @else {
            section.card.complainant #complainant {
                h2 { (i18n::COMPLAINANT.get(lang)) }
                dl.facts {
                    (fact(i18n::PERSON_NAME, &p.name))
                    (fact(i18n::PHONE, &p.phone))
                    (fact(i18n::ADDRESS, &p.address))
                    (fact(i18n::NATIONAL_ID, &p.national_id.as_deref().map(masked_national_id)))
                    (fact(i18n::CONTACT_NOTES, &p.notes))
                }
            }
        }
    }
}

/// The way to the erasure on the issue page, for administrators only.
pub fn erase_entry(web: &Web, row: &IssueRow) -> Markup {
    let lang = web.lang;
    html! {
        @if web.ctx.user.role == Role::Admin {
            section.card.erase #erase {
                h2 { (i18n::ERASE.get(lang)) }
                p.hint { (i18n::ERASE_HINT.get(lang)) }
                a.button href={ "/issues/" (row.id) "/erase" } { (i18n::ERASE.get(lang)) "…" }
            }
        }
    }
}

/// How a problem is named on these pages: its case number, else its id.
fn case_of(row: &IssueRow) -> &str {
    row.case_number.as_deref().unwrap_or(&row.id)
}

/// The confirmation step: what erasing the problem's text takes, and, when the problem names a complainant
/// not erased yet, what erasing the person takes (their name and every problem they raised).
pub async fn erase_page(State(state): State<AppState>, web: Web, Path(id): Path<String>) -> Result<Response, WebError> {
    require_admin(&web)?;
    let row = issues::get(&state, &web.ctx, &id, None).await?;
    render_erase(&state, &web, &row, "", &[], StatusCode::OK).await
}

async fn render_erase(
    state: &AppState,
    web: &Web,
    row: &IssueRow,
    legal_basis: &str,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let person = privacy::complainant_for_issue(state, &web.ctx, &row.id).await?.filter(|p| !p.erased);
    let raised: Vec<RaisedIssue> = match &person {
        Some(p) => privacy::issues_of_subject(state, &web.ctx, &p.subject_id).await?,
        None => Vec::new(),
    };
    let case = case_of(row);
    let content = html! {
        h1 { (i18n::ERASE.get(lang)) }
        p.case-number { (i18n::CASE_NUMBER.get(lang)) " " strong { (case) } " · " span dir="auto" { (row.title) } }
        (layout::error_summary(lang, errors, &[("legal_basis", i18n::LEGAL_BASIS)]))
        form.card #erase-form method="post" action={ "/issues/" (row.id) "/erase" } novalidate {
            input type="hidden" name="_csrf" value=(web.csrf);
            label for="legal_basis" { (i18n::LEGAL_BASIS.get(lang)) }
            textarea #legal_basis name="legal_basis" maxlength=(Text::MAX) dir="auto" required
                aria-invalid=[invalid(errors, "legal_basis")] aria-describedby="legal_basis-hint" { (legal_basis) }
            span.hint #legal_basis-hint { (i18n::LEGAL_BASIS_HINT.get(lang)) }
            (field_error(errors, "legal_basis"))
            p.warn { (i18n::ERASE_KEEPS.get(lang)) }
            section.erase #erase-issue {
                h2 { (i18n::ERASE_ISSUE.get(lang)) }
                p { (i18n::ERASE_ISSUE_WHAT.get(lang)) " " strong.case-number { (case) } @if lang == Lang::En { "." } }
                button.primary type="submit" name="target" value="issue" { (i18n::ERASE_ISSUE_BUTTON.get(lang)) " " (case) }
            }
            @if let Some(p) = &person {
                @let name = p.name.clone().unwrap_or_default();
                @let (before, after) = i18n::ERASE_PERSON_WHAT.split(lang, "name");
                section.erase #erase-person {
                    h2 { (i18n::ERASE_PERSON.get(lang)) }
                    p { (before) strong dir="auto" { (name) } (after) }
                    ul #person-issues {
                        @for i in &raised {
                            @let n = i.case_number.as_deref().unwrap_or(&i.id);
                            li { a href={ "/issues/" (i.id) } { span.case-number { (n) } } }
                        }
                    }
                    button.primary type="submit" name="target" value="person" {
                        (i18n::ERASE_PERSON_BUTTON.get(lang)) " " span dir="auto" { (name) }
                    }
                }
            }
            p { a href={ "/issues/" (row.id) } { (i18n::CANCEL.get(lang)) } }
        }
    };
    Ok((status, layout::page(web, Nav::Queue, i18n::ERASE.get(lang), content)).into_response())
}

/// The confirmation as posted.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    legal_basis: String,
    /// `issue` (the problem's text) or `person` (its complainant, and every problem they raised).
    #[serde(default)]
    target: String,
}

/// Erases what the confirmation named; a missing legal basis or an erasure already done comes back on the
/// confirmation page with its message, and nothing is erased.
pub async fn erase(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<EraseForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let lang = web.lang;
    let row = issues::get(&state, &web.ctx, &id, None).await?;
    let subject = match form.target.as_str() {
        "issue" => row.id.clone(),
        // The person is the one the problem's raise names, never one the form could name.
        "person" => privacy::complainants(&state, std::slice::from_ref(&row.id))
            .await?
            .remove(&row.id)
            .ok_or_else(|| ApiError::not_found("unknown_subject", "this problem names no complainant"))?,
        _ => return Err(ApiError::bad_request("bad_target", "choose what to erase").into()),
    };
    let refused = |field: &str, e: AppError| {
        let (code, message) = e.code_and_message();
        vec![(field.to_owned(), i18n::error_message(lang, code, &message))]
    };
    if let Err(e) = privacy::legal_basis(&form.legal_basis) {
        let errors = refused("legal_basis", e);
        return render_erase(&state, &web, &row, &form.legal_basis, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let request = EraseRequest { subject, legal_basis: form.legal_basis.clone() };
    match privacy::erase(&state, &web.ctx, request).await {
        Ok(report) => Ok(report_page(&web, &row, &report)),
        Err(e @ AppError::Conflict { .. }) => {
            let errors = refused("form", e);
            render_erase(&state, &web, &row, &form.legal_basis, &errors, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

/// What an erasure did: the problems whose text went (with the keys destroyed), the person's record.
fn report_page(web: &Web, row: &IssueRow, report: &ErasureReport) -> Response {
    let lang = web.lang;
    let unsealed: usize = report.issues.iter().map(|i| i.unsealed_texts).sum();
    let content = html! {
        h1 { (i18n::ERASE_DONE.get(lang)) }
        @if report.person_erased { p.notice role="status" #person-erased { (i18n::ERASE_DONE_PERSON.get(lang)) } }
        @else { p.notice role="status" { (i18n::ERASE_DONE.get(lang)) } }
        section.card #erasure-report {
            dl.facts { dt { (i18n::LEGAL_BASIS.get(lang)) } dd.free dir="auto" { (report.legal_basis) } }
            h2 { (i18n::ERASED_ISSUES.get(lang)) " (" (report.issues.len()) ")" }
            table.stack {
                thead { tr { th { (i18n::CASE_NUMBER.get(lang)) } th { (i18n::KEYS_DESTROYED.get(lang)) } } }
                tbody {
                    @for i in &report.issues {
                        tr {
                            td data-label=(i18n::CASE_NUMBER.get(lang)) {
                                a href={ "/issues/" (i.id) } { span.case-number { (i.case_number.as_deref().unwrap_or(&i.id)) } }
                            }
                            td data-label=(i18n::KEYS_DESTROYED.get(lang)) { (i.keys_destroyed) }
                        }
                    }
                }
            }
            @if unsealed > 0 { p.warn { (i18n::UNSEALED_LEFT.get(lang)) ": " (unsealed) } }
        }
        p { a href={ "/issues/" (row.id) } { (i18n::BACK_TO_ISSUE.get(lang)) } }
    };
    layout::page(web, Nav::Queue, i18n::ERASE_DONE.get(lang), content).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_national_id_shows_only_its_last_four_digits() {
        assert_eq!(masked_national_id("1101700230708"), "•••••••••0708");
        assert_eq!(masked_national_id("12"), "12");
    }

    #[test]
    fn an_erased_complainant_is_said_so_with_the_legal_basis_and_nothing_else() {
        let erased = PersonView {
            subject_id: "6f1c2a4e-0000-4000-8000-000000000001".into(),
            name: None,
            phone: None,
            address: None,
            national_id: None,
            notes: None,
            erased: true,
            erased_at: Some(chrono::Utc::now()),
            legal_basis: Some("PDPA s.33".into()),
            recorded_at: chrono::Utc::now(),
        };
        let html = complainant_card(Lang::Th, Some(&erased)).into_string();
        assert!(html.contains("ลบข้อมูลแล้ว") && html.contains("PDPA s.33"), "{html}");
        assert!(complainant_card(Lang::Th, None).into_string().is_empty());
    }
}
