//! Sign-in, sign-out and the language switch; the [`Web`] extractor (who is signed in, in which language)
//! and [`Posted`] (a form that carries the session's CSRF token, or is refused before anything is done).
//!
//! The session cookie holds 256 random bits (only their SHA-256 is stored), is `HttpOnly` and
//! `SameSite=Lax`, and `Secure` when the request came over HTTPS (directly or as a proxy's
//! `X-Forwarded-Proto: https`). Sessions last 12 hours: an office PC is shared, a phone is lost.
//! Before sign-in, forms are protected by a double-submit token (a cookie and a field that must match).

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use maud::html;
use santisuk_app::sessions::{self, SignIn};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::i18n::{self, Lang};
use super::{WebError, layout};
use crate::auth::{Caller, Ctx, request_id};
use crate::error::{ApiError, AppError};
use crate::state::{AppState, now};

pub const SESSION_COOKIE: &str = "santisuk_session";
const LANG_COOKIE: &str = "santisuk_lang";
/// The double-submit token of forms shown before sign-in (the sign-in form, the language switch there).
const ANON_CSRF_COOKIE: &str = "santisuk_csrf";
use santisuk_app::sessions::SESSION_HOURS;

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
        Ok(Web {
            ctx: Ctx(Caller { user: session.user, request_id: request_id(&parts.headers) }),
            csrf: session.csrf,
            lang,
        })
    }
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

async fn read_body(req: Request, state: &AppState) -> Result<Bytes, WebError> {
    Bytes::from_request(req, state).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::Api(ApiError(AppError::PayloadTooLarge))
        } else {
            WebError::Api(ApiError::bad_request("bad_body", r.body_text()))
        }
    })
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && !a.is_empty() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Only a path on this site: `next=https://evil.example` or `//evil.example` must not send a user away.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && p.len() <= 2000 => p.to_owned(),
        _ => "/".to_owned(),
    }
}

fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn make_cookie(name: &'static str, value: String, headers: &HeaderMap, max_age: Duration) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(is_https(headers))
        .max_age(cookie::time::Duration::seconds(max_age.num_seconds()))
        .build()
}

// --- pages and forms --------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    out: Option<String>,
}

/// The sign-in form. A signed-in user goes straight on.
pub async fn login_page(
    signed_in: Result<Web, WebError>,
    headers: HeaderMap,
    jar: CookieJar,
    query: Result<Query<LoginQuery>, QueryRejection>,
) -> Response {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let next = local_path(q.next.as_deref());
    if signed_in.is_ok() {
        return Redirect::to(&next).into_response();
    }
    let lang = cookie_lang(&headers);
    let (jar, token) = anon_token(jar, &headers);
    let notice = q.out.is_some().then(|| i18n::SIGNED_OUT.get(lang).to_owned());
    let body = login_form(lang, &token, &next, "", notice.as_deref(), None);
    (jar, body).into_response()
}

/// The pre-sign-in token: the one in the cookie, or a new one set now.
fn anon_token(jar: CookieJar, headers: &HeaderMap) -> (CookieJar, String) {
    match jar.get(ANON_CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|t| t.len() == 64) {
        Some(token) => (jar, token),
        None => {
            let token = sessions::random_secret();
            let jar = jar.add(make_cookie(ANON_CSRF_COOKIE, token.clone(), headers, Duration::hours(SESSION_HOURS)));
            (jar, token)
        }
    }
}

fn login_form(
    lang: Lang,
    token: &str,
    next: &str,
    name: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> maud::Markup {
    let content = html! {
        section.card.narrow {
            h1 { (i18n::SIGN_IN.get(lang)) }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            @if let Some(e) = error { p.error-summary role="alert" id="login-error" { (e) } }
            form method="post" action="/login" {
                input type="hidden" name="_csrf" value=(token);
                input type="hidden" name="next" value=(next);
                label for="name" { (i18n::USER_NAME.get(lang)) }
                input #name type="text" name="name" value=(name) autocomplete="username" autocapitalize="none"
                    required maxlength="64" autofocus[name.is_empty()];
                label for="password" { (i18n::PASSWORD.get(lang)) }
                input #password type="password" name="password" autocomplete="current-password" required
                    maxlength="256" autofocus[!name.is_empty()];
                button.primary type="submit" { (i18n::SIGN_IN.get(lang)) }
            }
        }
        (layout::lang_switch(lang, token, "/login"))
    };
    layout::bare(lang, i18n::SIGN_IN.get(lang), content)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Checks the name and password. A wrong pair gets one message whichever was wrong (and takes as long);
/// five failures for a name in 15 minutes lock that name for the rest of the window.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    req: Request,
) -> Result<Response, WebError> {
    let lang = cookie_lang(&headers);
    let bytes = read_body(req, &state).await?;
    let form: LoginForm = serde_html_form::from_bytes(&bytes).map_err(|_| WebError::BadForm { lang })?;
    let expected = jar.get(ANON_CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    if !same_secret(&form.csrf, &expected) {
        return Err(WebError::BadForm { lang });
    }
    let next = local_path(form.next.as_deref());
    let name: String = form.name.trim().chars().take(64).collect();
    let refuse = |status: StatusCode, message: &str| {
        (status, login_form(lang, &expected, &next, &name, None, Some(message))).into_response()
    };
    let secret = match sessions::sign_in(&state, &name, form.password, now()).await? {
        SignIn::Throttled => return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, i18n::THROTTLED.get(lang))),
        SignIn::Refused => return Ok(refuse(StatusCode::UNAUTHORIZED, i18n::WRONG_PASSWORD.get(lang))),
        SignIn::Started { secret, .. } => secret,
    };
    let jar = jar
        .add(make_cookie(SESSION_COOKIE, secret, &headers, Duration::hours(SESSION_HOURS)))
        .remove(Cookie::build(ANON_CSRF_COOKIE).path("/"));
    Ok((jar, Redirect::to(&next)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// Ends the session (this browser only).
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    posted: Posted<NoFields>,
) -> Result<Response, WebError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        sessions::sign_out(&state, c.value(), now()).await?;
    }
    tracing::info!(user = %posted.web.ctx.user.name, "signed out");
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login?out=1")).into_response())
}

#[derive(Deserialize)]
struct LangForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    lang: String,
    back: Option<String>,
}

/// Switches the language: remembered for the user (any device) when signed in, and in this browser.
pub async fn switch_lang(
    State(state): State<AppState>,
    signed_in: Result<Web, WebError>,
    headers: HeaderMap,
    jar: CookieJar,
    req: Request,
) -> Result<Response, WebError> {
    let current = cookie_lang(&headers);
    let signed_in = signed_in.ok();
    let bytes = read_body(req, &state).await?;
    let form: LangForm = serde_html_form::from_bytes(&bytes).map_err(|_| WebError::BadForm { lang: current })?;
    let expected = match &signed_in {
        Some(web) => web.csrf.clone(),
        None => jar.get(ANON_CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default(),
    };
    if !same_secret(&form.csrf, &expected) {
        return Err(WebError::BadForm { lang: current });
    }
    let lang = Lang::parse(&form.lang)
        .ok_or_else(|| ApiError::invalid("unknown_language", "the language must be th or en"))?;
    if let Some(web) = &signed_in {
        sessions::set_lang(&state, &web.ctx, lang.code(), now()).await?;
    }
    let jar = jar.add(make_cookie(LANG_COOKIE, lang.code().to_owned(), &headers, Duration::days(365)));
    Ok((jar, Redirect::to(&local_path(form.back.as_deref()))).into_response())
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
