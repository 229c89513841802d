//! Sign-in, sign-out and the language switch (the pages; the extractors they share are in
//! [`super::extract`]).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use chrono::Duration;
use maud::html;
use santisuk_app::sessions::{self, SignIn};
use serde::Deserialize;

use super::i18n::{self, Lang};
use super::{WebError, layout};
use crate::error::ApiError;
use crate::state::{AppState, now};

use super::extract::{
    ANON_CSRF_COOKIE, LANG_COOKIE, Posted, SESSION_COOKIE, Web, cookie_lang, local_path, make_cookie, read_body,
    same_secret,
};
use santisuk_app::sessions::SESSION_HOURS;

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
/// too many failures for a name, from an address or in all lock them for the rest of the window
/// (`sessions::Throttle`).
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    req: Request,
) -> Result<Response, WebError> {
    let lang = cookie_lang(&headers);
    let client = crate::limits::ClientAddr::of(req.extensions());
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
    let secret = match sessions::sign_in(&state, &name, form.password, &client, now()).await? {
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

/// `GET /logout` (a bookmark, a typed address): signed in, a page with the sign-out button (signing out
/// changes state, so it takes the form's POST and its CSRF token); signed out, the sign-in page.
pub async fn logout_page(signed_in: Result<Web, WebError>) -> Response {
    let Ok(web) = signed_in else { return Redirect::to("/login").into_response() };
    let lang = web.lang;
    let content = html! {
        h1 { (i18n::SIGN_OUT.get(lang)) }
        form.card method="post" action="/logout" {
            p { (i18n::SIGN_OUT_ASK.get(lang)) }
            input type="hidden" name="_csrf" value=(web.csrf);
            button.primary type="submit" { (i18n::SIGN_OUT.get(lang)) }
        }
    };
    layout::page(&web, layout::Nav::None, i18n::SIGN_OUT.get(lang), content).into_response()
}

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
