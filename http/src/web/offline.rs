//! Offline forum capture (issue #18 §1): the server's side of the forum page that keeps working without a
//! connection.
//!
//! The page (`forums::form_markup`) carries a status panel ([`panel`]) and `assets/offline.js`, which keeps
//! forums typed without a connection in the browser's IndexedDB and sends them later to
//! `POST /forums/sync`, one entry per request. That route is the same save as the page's own
//! (`forums::record`: the same checks, the same ids made from the user, the entry's submission id and the
//! row), so a sync repeated or cut half-way finds what an earlier try stored and creates nothing twice. It
//! answers JSON instead of a page, so the script can tell a refusal (kept, with each field's message, until
//! the user fixes or discards it) from a failure to reach the server (kept and tried again).
//!
//! It is a web route, protected as every form is: the session cookie and the session's CSRF token in the
//! body. An entry typed before the session expired carries a stale token, so the script first asks
//! `GET /forums/sync` for the live session's user and token (401 when signed out: the entries wait).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use serde::Serialize;

use super::forums::{self, ForumForm, Recorded};
use super::i18n::{self, Lang, Tr};
use super::strings_offline as s;
use super::{Posted, Web, WebError, assets};
use crate::error::{ApiError, AppError, ErrorBody, ErrorDetail};
use crate::state::AppState;

/// Who is signed in, and the token their forms must carry.
#[derive(Debug, Serialize)]
pub struct SyncSession {
    pub user: String,
    pub csrf: String,
}

/// A stored entry: the forum's id and how many problems it carries.
#[derive(Debug, Serialize)]
pub struct Synced {
    pub forum_id: String,
    pub url: String,
    pub problems: usize,
}

/// One refused field: its name in the form (the element's id), its label and the server's message.
#[derive(Debug, Serialize)]
pub struct FieldError {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// A refusal: the usual error body, and every refused field.
#[derive(Debug, Serialize)]
pub struct Refusal {
    pub error: ErrorDetail,
    pub fields: Vec<FieldError>,
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message: message.to_owned() } };
    no_store((status, axum::Json(body)).into_response())
}

/// `GET /forums/sync`: the signed-in writer and the session's CSRF token, or 401 when nobody is signed in.
pub async fn session(web: Result<Web, WebError>) -> Response {
    let web = match web {
        Ok(web) => web,
        Err(WebError::SignIn { .. } | WebError::BadForm { .. }) => {
            let lang = super::extract::page_lang();
            return json_error(StatusCode::UNAUTHORIZED, "sync_signed_out", s::OFFLINE_WHY_SIGNED_OUT.get(lang));
        }
        Err(WebError::Api(e)) => return no_store(e.into_response()),
    };
    if let Err(e) = web.ctx.require_issue_writer() {
        return no_store(ApiError(e).into_response());
    }
    no_store(axum::Json(SyncSession { user: web.ctx.user.id.clone(), csrf: web.csrf.clone() }).into_response())
}

/// `POST /forums/sync`: one entry kept offline (the forum form's fields, `_csrf` and `typed_by`), saved as
/// the form's save saves it. 200 with the forum when stored (now or before), 422 with every refused field,
/// 403 without a live session or with a wrong token, 409 when the entry was typed by another user.
pub async fn sync(State(state): State<AppState>, posted: Result<Posted<ForumForm>, WebError>) -> Response {
    let Posted { web, form } = match posted {
        Ok(p) => p,
        Err(WebError::SignIn { .. } | WebError::BadForm { .. }) => {
            let lang = super::extract::page_lang();
            return json_error(StatusCode::FORBIDDEN, "sync_signed_out", s::OFFLINE_SIGNED_OUT_SERVER.get(lang));
        }
        Err(WebError::Api(e)) => return no_store(e.into_response()),
    };
    let lang = web.lang;
    if let Err(e) = web.ctx.require_issue_writer() {
        return no_store(ApiError(e).into_response());
    }
    // An entry belongs to the user who typed it: under another user's session it would be recorded in
    // their name (and under ids of theirs, so a later sync by its author would record it again).
    if form.typed_by.trim() != web.ctx.user.id {
        let e = AppError::Conflict { code: "sync_other_user", message: s::OFFLINE_OTHER_USER.get(lang).to_owned() };
        return no_store(ApiError(e).into_response());
    }
    let rows = form.rows();
    match forums::record(&state, &web, &form, &rows).await {
        Ok(Recorded::Saved { forum_id, problems }) => no_store(
            axum::Json(Synced { forum_id: forum_id.to_string(), url: format!("/forums/{forum_id}"), problems })
                .into_response(),
        ),
        Ok(Recorded::Refused(errors)) => {
            let labels = forums::labels(rows.len());
            let fields: Vec<FieldError> = errors
                .into_iter()
                .map(|(field, message)| FieldError { label: label_of(lang, &labels, &field), field, message })
                .collect();
            let message = fields.iter().map(|f| format!("{}: {}", f.label, f.message)).collect::<Vec<_>>().join("; ");
            let body = Refusal { error: ErrorDetail { code: "sync_invalid".to_owned(), message }, fields };
            no_store((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response())
        }
        Err(e) => no_store(e.into_response()),
    }
}

/// A field's label as the error summary names it; a problem's field says which problem (`p_title-2`).
fn label_of(lang: Lang, labels: &[(String, Tr)], field: &str) -> String {
    let label = labels.iter().find(|(f, _)| f == field).map(|(_, l)| l.get(lang)).unwrap_or(field);
    match field.rsplit_once('-') {
        Some((name, n)) if name.starts_with("p_") && n.parse::<usize>().is_ok() => {
            format!("{} {n}: {label}", i18n::PROBLEM_N.get(lang))
        }
        _ => label.to_owned(),
    }
}

/// The words the script shows, in the page's language.
fn strings(lang: Lang) -> String {
    let pairs: [(&str, Tr); 23] = [
        ("none", s::OFFLINE_NONE_WAITING),
        ("waiting", s::OFFLINE_WAITING_N),
        ("refusedN", s::OFFLINE_REFUSED_N),
        ("never", s::OFFLINE_NEVER),
        ("lastOk", s::OFFLINE_LAST_OK),
        ("lastFailed", s::OFFLINE_LAST_FAILED),
        ("noConnection", s::OFFLINE_NO_CONNECTION),
        ("whyNetwork", s::OFFLINE_WHY_NETWORK),
        ("whySignedOut", s::OFFLINE_WHY_SIGNED_OUT),
        ("whyServer", s::OFFLINE_WHY_SERVER),
        ("signIn", s::OFFLINE_SIGN_IN),
        ("kept", s::OFFLINE_KEPT),
        ("sent", s::OFFLINE_SENT),
        ("refused", s::OFFLINE_REFUSED),
        ("fix", s::OFFLINE_FIX),
        ("discard", s::OFFLINE_DISCARD),
        ("discardConfirm", s::OFFLINE_DISCARD_CONFIRM),
        ("sendNow", s::OFFLINE_SEND_NOW),
        ("sending", s::OFFLINE_SENDING),
        ("problemsN", s::OFFLINE_PROBLEMS_N),
        ("untitled", s::OFFLINE_UNTITLED),
        ("fixing", s::OFFLINE_FIXING),
        ("noStorage", s::OFFLINE_NO_STORAGE),
    ];
    // The script fills the variables in: each is left in the text as `{name}`.
    let vars: Vec<(&str, i18n::FluentValue)> = ["n", "when", "why", "title", "date"]
        .into_iter()
        .map(|v| (v, i18n::FluentValue::from(format!("{{{v}}}"))))
        .collect();
    let map: serde_json::Map<String, serde_json::Value> =
        pairs.iter().map(|(k, t)| ((*k).to_owned(), serde_json::Value::from(t.with(lang, &vars)))).collect();
    // Inside a <script> element nothing may close it: `<` is written as its JSON escape.
    serde_json::Value::Object(map).to_string().replace('<', "\\u003c")
}

/// The forum page's panel of entries kept on this phone. Hidden until the script shows it: without the
/// script (or without IndexedDB) the form saves straight to the server as before.
pub fn panel(web: &Web) -> Markup {
    let lang = web.lang;
    html! {
        section #offline .card .offline hidden aria-labelledby="offline-h" data-lang=(lang.code()) {
            h2 #offline-h { (s::OFFLINE_HEADING.get(lang)) }
            p #offline-status role="status" aria-live="polite" {}
            p #offline-last {}
            p #offline-notice .offline-notice hidden role="status" {}
            ul #offline-queue {}
            button #offline-send type="button" hidden { (s::OFFLINE_SEND_NOW.get(lang)) }
            script #offline-strings type="application/json" { (PreEscaped(strings(lang))) }
        }
        script src=(assets::offline_js_url()) defer {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_field_is_named_with_its_problem_number() {
        let labels = forums::labels(3);
        assert_eq!(label_of(Lang::En, &labels, "p_title-2"), "Problem 2: Title");
        assert_eq!(label_of(Lang::Th, &labels, "area_id"), i18n::AREA.get(Lang::Th));
    }

    #[test]
    fn the_strings_cannot_close_their_script_element() {
        let json = strings(Lang::Th);
        assert!(!json.contains('<'));
        let parsed: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert!(parsed["waiting"].as_str().is_some_and(|w| w.contains("{n}")));
    }
}
