//! The web app's extractors: [`Web`] (who is signed in, in which language) and [`Posted`] (a form that
//! carries the session's CSRF token, or is refused before anything is done), and the cookie and redirect
//! helpers the pages share.
//!
//! The session cookie holds 256 random bits (only their SHA-256 is stored), is `HttpOnly` and
//! `SameSite=Lax`, and `Secure` when the request came over HTTPS (directly or as a proxy's
//! `X-Forwarded-Proto: https`). Sessions last 12 hours: an office PC is shared, a phone is lost.
//! Before sign-in, forms are protected by a double-submit token (a cookie and a field that must match).

use std::cell::Cell;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use santisuk_app::sessions::{self};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::WebError;
use super::i18n::Lang;
use crate::auth::{Caller, Ctx, request_id};
use crate::error::{ApiError, AppError};
use crate::state::{AppState, now};

pub const SESSION_COOKIE: &str = "santisuk_session";
pub(super) const LANG_COOKIE: &str = "santisuk_lang";
/// The double-submit token of forms shown before sign-in (the sign-in form, the language switch there).
pub(super) const ANON_CSRF_COOKIE: &str = "santisuk_csrf";

/// The signed-in user of a page, the session's CSRF token and the page's language.
#[derive(Debug, Clone)]
pub struct Web {
    pub ctx: Ctx,
    pub csrf: String,
    pub lang: Lang,
}

/// The language remembered in the browser (before sign-in, or when the user never chose one).
pub fn cookie_lang(headers: &HeaderMap) -> Lang {
    CookieJar::from_headers(headers).get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())).unwrap_or_default()
}

impl FromRequestParts<AppState> for Web {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let next = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let jar = CookieJar::from_headers(&parts.headers);
        let secret = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()).filter(|s| s.len() == 64);
        let Some(secret) = secret else { return Err(WebError::SignIn { next }) };
        let Some(session) = sessions::session(state, &secret, now()).await? else {
            return Err(WebError::SignIn { next });
        };
        let lang = session.lang.as_deref().and_then(Lang::parse).unwrap_or_else(|| cookie_lang(&parts.headers));
        // Outside `with_page_lang` (no page being answered) there is nothing to tell.
        let _ = PAGE_LANG.try_with(|l| l.set(lang));
        Ok(Web {
            ctx: Ctx(Caller {
                user: session.user,
                request_id: request_id(&parts.headers),
                client: crate::limits::ClientAddr::of(&parts.extensions),
            }),
            csrf: session.csrf,
            lang,
        })
    }
}

tokio::task_local! {
    /// The language of the page being answered: the browser's remembered one, then the signed-in user's
    /// once [`Web`] has found it. An error becomes a page far from the handler that knew the user (`?`
    /// turns any application error into a [`WebError`]), so the error page reads it here.
    static PAGE_LANG: Cell<Lang>;
}

/// Middleware of every web route: scopes [`page_lang`] to the request.
pub async fn with_page_lang(req: Request, next: Next) -> Response {
    let lang = cookie_lang(req.headers());
    PAGE_LANG.scope(Cell::new(lang), next.run(req)).await
}

/// The language of the page being answered; Thai outside a web request or when it is not known.
pub fn page_lang() -> Lang {
    PAGE_LANG.try_with(Cell::get).unwrap_or_default()
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// A form posted by a signed-in user with the session's CSRF token. Anything else (no session, an expired
/// one, a missing or wrong token) is refused with 403 before the handler runs, so nothing is written.
#[derive(Debug)]
pub struct Posted<T> {
    pub web: Web,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = req.into_parts();
        let lang = cookie_lang(&parts.headers);
        let web = match Web::from_request_parts(&mut parts, state).await {
            Ok(web) => web,
            Err(WebError::SignIn { .. }) => return Err(WebError::BadForm { lang }),
            Err(e) => return Err(e),
        };
        let bytes = read_body(Request::from_parts(parts, body), state).await?;
        let token: CsrfField = serde_html_form::from_bytes(&bytes).map_err(|_| WebError::BadForm { lang })?;
        if !same_secret(&token.csrf, &web.csrf) {
            return Err(WebError::BadForm { lang: web.lang });
        }
        let form = serde_html_form::from_bytes(&bytes)
            .map_err(|e| ApiError::bad_request("bad_form", format!("the form could not be read: {e}")))?;
        Ok(Posted { web, form })
    }
}

pub(super) async fn read_body(req: Request, state: &AppState) -> Result<Bytes, WebError> {
    Bytes::from_request(req, state).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::Api(ApiError(AppError::PayloadTooLarge))
        } else {
            WebError::Api(ApiError::bad_request("bad_body", r.body_text()))
        }
    })
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Only a path on this site: `next=https://evil.example` or `//evil.example` must not send a user away.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && p.len() <= 2000 => p.to_owned(),
        _ => "/".to_owned(),
    }
}

pub(super) fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

pub(super) fn make_cookie(
    name: &'static str,
    value: String,
    headers: &HeaderMap,
    max_age: Duration,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(is_https(headers))
        .max_age(cookie::time::Duration::seconds(max_age.num_seconds()))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(local_path(Some("/issues?status=raised")), "/issues?status=raised");
        for bad in ["https://evil.example/", "//evil.example/x", "/\\evil.example", "issues", ""] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", ""), "an empty token never matches");
    }
}
