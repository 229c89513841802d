//! Photos and documents in the web app (issue #17 §4): the files section of the issue page (thumbnails,
//! PDFs as links, the upload form), the small upload form the forum page shows under each of its problems
//! (a phone's camera opens from it: `capture="environment"`), the upload itself, and the files and
//! thumbnails read with the session. Every rule is the application's (`santisuk_app::attachments`).

use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, extract::DefaultBodyLimit};
use maud::{Markup, html};
use santisuk_app::AppError;
use santisuk_app::attachments::{self, AttachmentRow};
use santisuk_app::issues::{IssueRow, StoredEvent};

use super::WebError;
use super::extract::{Web, same_secret};
use super::i18n::{self, Lang, Tr};
use crate::routes::attachments::{read_upload, send_file, upload_body_limit};
use crate::state::AppState;

pub const FILES: Tr = Tr("files");
pub const NO_FILES: Tr = Tr("no-files");
pub const ATTACH: Tr = Tr("attach");
pub const ATTACH_BUTTON: Tr = Tr("attach-button");
pub const FILE: Tr = Tr("file");
pub const FOR_ACTION: Tr = Tr("for-action");
pub const THE_PROBLEM: Tr = Tr("the-problem");
pub const LOCATION_STRIPPED: Tr = Tr("location-stripped");
pub const ERASED_FILE: Tr = Tr("erased-file");
pub const DOCUMENT: Tr = Tr("document");
pub const ATTACHED: Tr = Tr("attached");

pub fn router(max_file_bytes: u64) -> Router<AppState> {
    Router::new()
        .route("/issues/{id}/attachments", post(upload).layer(DefaultBodyLimit::max(upload_body_limit(max_file_bytes))))
        .route("/issues/{id}/attachments/{sha256}", get(file))
        .route("/issues/{id}/attachments/{sha256}/thumbnail", get(thumbnail))
        // Error pages speak the page's language, as on every other page (`web::router`).
        .layer(axum::middleware::from_fn(super::extract::with_page_lang))
}

/// The actions (`IssueAddressed` events) of a history, by sequence, with their text's first words.
fn actions(history: &[StoredEvent]) -> Vec<(i64, String)> {
    history
        .iter()
        .filter(|e| e.event_type == "IssueAddressed")
        .map(|e| {
            let text =
                e.payload["IssueAddressed"]["action"].as_str().unwrap_or("").chars().take(60).collect::<String>();
            (e.sequence, text)
        })
        .collect()
}

fn file_url(row: &AttachmentRow) -> String {
    format!("/issues/{}/attachments/{}", row.issue_id, row.sha256)
}

/// One file: its thumbnail (a photo) or a link (a PDF), and (on the issue page, where the case's details
/// are read) its name and what it documents.
fn tile(lang: Lang, row: &AttachmentRow, details: bool) -> Markup {
    let name = row.name.clone().unwrap_or_else(|| row.sha256[..12].to_owned());
    html! {
        figure.attachment {
            @if row.erased {
                span.muted { (ERASED_FILE.get(lang)) }
            } @else if row.thumbnail.is_some() {
                a href=(file_url(row)) { img src={ (file_url(row)) "/thumbnail" } alt=(if details { name.as_str() } else { "" }) loading="lazy" width="160"; }
            } @else {
                a href=(file_url(row)) { (DOCUMENT.get(lang)) }
            }
            @if details { figcaption dir="auto" {
                (super::layout::text(lang, &name))
                @if let Some(a) = row.action { " · " (FOR_ACTION.get(lang)) " #" (a) }
                @if let Some(at) = attachments::attached_at(row) { " · " (i18n::date_time(lang, at)) }
            } }
        }
    }
}

/// The upload form: a file (the camera opens on a phone), optionally the action it documents.
fn form(web: &Web, issue_id: &str, actions: &[(i64, String)], back: &str, compact: bool) -> Markup {
    let lang = web.lang;
    let id = format!("file-{issue_id}");
    html! {
        form.attach method="post" action={ "/issues/" (issue_id) "/attachments" } enctype="multipart/form-data" {
            input type="hidden" name="_csrf" value=(web.csrf);
            input type="hidden" name="back" value=(back);
            @if !compact { label for=(id) { (FILE.get(lang)) } }
            input id=(id) type="file" name="file" accept="image/*,application/pdf" capture="environment" required;
            @if !actions.is_empty() {
                label for={ "action-" (issue_id) } { (FOR_ACTION.get(lang)) }
                select id={ "action-" (issue_id) } name="action" {
                    option value="" { (THE_PROBLEM.get(lang)) }
                    @for (seq, text) in actions { option value=(seq) { "#" (seq) " " (text) } }
                }
            }
            @if !compact { p.hint { (LOCATION_STRIPPED.get(lang)) } }
            button type="submit" { (if compact { ATTACH.get(lang) } else { ATTACH_BUTTON.get(lang) }) }
        }
    }
}

/// The files section of the issue page (its details were read and logged by the page).
/// `may_upload`: the page shows its action forms (the same rule: a coordinator follows their own obstacle).
pub fn issue_section(
    web: &Web,
    row: &IssueRow,
    files: &[AttachmentRow],
    history: &[StoredEvent],
    may_upload: bool,
) -> Markup {
    let lang = web.lang;
    html! {
        section.card #files {
            h2 { (FILES.get(lang)) }
            @if files.is_empty() { p.muted { (NO_FILES.get(lang)) } }
            div.attachments { @for f in files { (tile(lang, f, true)) } }
            @if may_upload {
                h3 { (ATTACH.get(lang)) }
                (form(web, &row.id, &actions(history), &format!("/issues/{}#files", row.id), false))
            }
        }
    }
}

/// Under one problem of the forum page: its thumbnails and a one-line upload (the phone's camera).
pub fn forum_problem(web: &Web, issue_id: &str, files: &[AttachmentRow], forum_id: &str) -> Markup {
    let mine: Vec<&AttachmentRow> = files.iter().filter(|f| f.issue_id == issue_id).collect();
    let may_upload = web.ctx.require_issue_writer().is_ok();
    html! {
        div.attachments { @for f in &mine { (tile(web.lang, f, false)) } }
        @if may_upload { (form(web, issue_id, &[], &format!("/forums/{forum_id}"), true)) }
    }
}

/// Where to go back to after an upload: only a page of this site (an issue or a forum), never elsewhere.
fn back_to(back: Option<&str>, issue_id: &str) -> String {
    match back {
        Some(b)
            if (b.starts_with("/issues/") || b.starts_with("/forums/")) && !b.contains("//") && !b.contains('\\') =>
        {
            b.to_owned()
        }
        _ => format!("/issues/{issue_id}#files"),
    }
}

/// The upload from a page: the CSRF token is checked before anything is done; a refused file shows the
/// error page with the reason, in the user's language.
pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    web: Web,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let mut multipart = multipart.map_err(crate::routes::attachments::not_multipart)?;
    let max = state.attachment_policy.max_bytes();
    let mut csrf = String::new();
    let mut back = None;
    // The token travels in the same body: read the parts, then check it before anything is written.
    let read = read_upload_with(&mut multipart, max, &mut csrf, &mut back).await;
    if !same_secret(&csrf, &web.csrf) {
        return Err(WebError::BadForm { lang: web.lang });
    }
    let result = match read {
        Ok(upload) => attachments::upload(&state, &web.ctx, &id, upload).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(done) => {
            let target = back_to(back.as_deref(), &done.id);
            Ok(Redirect::to(&target).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// [`read_upload`], keeping the form's `_csrf` and `back` fields.
async fn read_upload_with(
    multipart: &mut Multipart,
    max: u64,
    csrf: &mut String,
    back: &mut Option<String>,
) -> Result<attachments::Upload, AppError> {
    let (upload, extra) = read_upload(multipart, max).await?;
    for (name, value) in extra {
        match name.as_str() {
            "_csrf" => *csrf = value,
            "back" => *back = Some(value),
            _ => {}
        }
    }
    Ok(upload)
}

/// A file of an issue, for a signed-in reader of the issue (logged as over the API).
pub async fn file(
    State(state): State<AppState>,
    Path((id, sha256)): Path<(String, String)>,
    web: Web,
) -> Result<Response, WebError> {
    Ok(send_file(attachments::content(&state, &web.ctx, &id, &sha256, false).await?))
}

/// A photo's thumbnail, for a signed-in reader of the issue (logged as over the API).
pub async fn thumbnail(
    State(state): State<AppState>,
    Path((id, sha256)): Path<(String, String)>,
    web: Web,
) -> Result<Response, WebError> {
    Ok(send_file(attachments::content(&state, &web.ctx, &id, &sha256, true).await?))
}
