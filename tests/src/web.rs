//! A cookie-keeping client for the web app's pages and forms, through `app()` (no browser): sign in as any
//! test user, read pages as text, post forms with the page's CSRF token.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use santisuk_app::users::store_password;
use santisuk_projections::users::Role;
use tower::ServiceExt;

use crate::TestApp;

/// Every test user's web password.
pub const PASSWORD: &str = "ฟ้าใส-2569-pattani";

/// One HTML response.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    /// The `Server-Timing` header, when the page sends one.
    pub server_timing: Option<String>,
    pub body: String,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        attr_after(&self.body, "name=\"_csrf\" value=\"").expect("the page has a form with a CSRF token")
    }

    /// The value of the hidden input `name`.
    pub fn hidden(&self, name: &str) -> Option<String> {
        attr_after(&self.body, &format!("name=\"{name}\" value=\""))
    }
}

fn attr_after(body: &str, marker: &str) -> Option<String> {
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

/// A browser without a browser: keeps cookies, follows nothing by itself.
#[derive(Debug, Clone)]
pub struct WebClient {
    pub router: axum::Router,
    pub cookies: HashMap<String, String>,
}

/// `application/x-www-form-urlencoded` of pairs (repeated names allowed).
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    };
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

impl WebClient {
    pub fn new(app: &TestApp) -> WebClient {
        WebClient { router: app.router.clone(), cookies: HashMap::new() }
    }

    async fn send(&mut self, method: Method, path: &str, body: Option<String>) -> Page {
        let mut req = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header(header::COOKIE, jar.join("; "));
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let req = req.body(body.map(Body::from).unwrap_or_else(Body::empty)).expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        for set in resp.headers().get_all(header::SET_COOKIE) {
            let text = set.to_str().expect("ascii cookie");
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = resp.status();
        let text = |name| resp.headers().get(name).map(|v: &header::HeaderValue| v.to_str().expect("ascii").to_owned());
        let (location, server_timing) =
            (text(header::LOCATION), text(header::HeaderName::from_static("server-timing")));
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        Page { status, location, server_timing, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, Some(form_body(pairs))).await
    }

    /// Signs in through the form; panics unless it succeeds.
    pub async fn sign_in(&mut self, name: &str, password: &str) {
        let page = self.try_sign_in(name, password).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "sign-in as {name} failed: {}", page.body);
    }

    pub async fn try_sign_in(&mut self, name: &str, password: &str) -> Page {
        let login = self.get("/login").await;
        let csrf = login.csrf();
        self.post("/login", &[("_csrf", &csrf), ("name", name), ("password", password), ("next", "/issues")]).await
    }
}

impl TestApp {
    /// The test user of `role` with a web password set, and a client signed in as them.
    pub async fn web_as(&self, role: Role) -> WebClient {
        let name = format!("{}-{}", role.as_str(), self.suffix);
        self.set_password(&name).await;
        let mut client = WebClient::new(self);
        client.sign_in(&name, PASSWORD).await;
        client
    }

    /// Sets [`PASSWORD`] for the user called `name`.
    pub async fn set_password(&self, name: &str) {
        let account = santisuk_projections::web::account_by_name(self.db(), name).await.expect("lookup").expect("user");
        let actor = HashMap::from([("actor".to_owned(), "test-harness".to_owned())]);
        store_password(&self.state, &account.user.id, PASSWORD.to_owned(), actor).await.expect("set password");
    }
}
