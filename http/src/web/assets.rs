//! The web app's static files, embedded in the binary at build time: no CDN, nothing fetched at run time.
//!
//! The stylesheet and the script are addressed with a hash of their content (`/assets/app.css?v=…`), so
//! browsers keep them for a year and fetch them again exactly when a new release changes them. Fonts never
//! change under one name and are kept for a year too.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::state::AppState;

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");
/// The forum page's offline capture (issue #18 §1): the page's script and its service worker.
const OFFLINE_JS: &str = include_str!("../../assets/offline.js");
const SERVICE_WORKER: &str = include_str!("../../assets/forum-sw.js");
/// Where the service worker is served: its folder is the widest scope it may take without
/// `Service-Worker-Allowed`, and it covers the forum page (`/forums/new`, the scope it registers).
pub const SERVICE_WORKER_URL: &str = "/forums/offline-sw.js";
const ICON: &str = include_str!("../../assets/icon.svg");
pub const ICON_URL: &str = "/assets/icon.svg";

/// Sarabun (SIL Open Font License 1.1, `assets/fonts/OFL.txt`), Thai and Latin subsets, regular and bold.
const FONTS: [(&str, &[u8]); 4] = [
    ("sarabun-thai-400.woff2", include_bytes!("../../assets/fonts/sarabun-thai-400-normal.woff2")),
    ("sarabun-thai-700.woff2", include_bytes!("../../assets/fonts/sarabun-thai-700-normal.woff2")),
    ("sarabun-latin-400.woff2", include_bytes!("../../assets/fonts/sarabun-latin-400-normal.woff2")),
    ("sarabun-latin-700.woff2", include_bytes!("../../assets/fonts/sarabun-latin-700-normal.woff2")),
];
const OFL: &str = include_str!("../../assets/fonts/OFL.txt");

/// Preloaded by every page: most text is Thai.
pub const FONT_THAI_400: &str = "/assets/fonts/sarabun-thai-400.woff2";

fn short_hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..6])
}

static CSS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/app.css?v={}", short_hash(CSS.as_bytes())));
static JS_URL: LazyLock<String> = LazyLock::new(|| format!("/assets/app.js?v={}", short_hash(JS.as_bytes())));

static OFFLINE_JS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/assets/offline.js?v={}", short_hash(OFFLINE_JS.as_bytes())));

pub fn offline_js_url() -> &'static str {
    &OFFLINE_JS_URL
}

/// The service worker with what it keeps for the forum page written in: every asset the page loads, by
/// the addresses the page uses, and a version that changes with any of them (a new release replaces the
/// old cache whole).
static SERVICE_WORKER_JS: LazyLock<String> = LazyLock::new(|| {
    let mut assets = vec![css_url().to_owned(), js_url().to_owned(), offline_js_url().to_owned(), ICON_URL.to_owned()];
    assets.extend(FONTS.iter().map(|(name, _)| format!("/assets/fonts/{name}")));
    let version = short_hash(format!("{assets:?}{SERVICE_WORKER}").as_bytes());
    let list = serde_json::to_string(&assets).unwrap_or_else(|_| "[]".to_owned());
    format!("const VERSION = \"{version}\";\nconst ASSETS = {list};\n{SERVICE_WORKER}")
});

pub fn css_url() -> &'static str {
    &CSS_URL
}

pub fn js_url() -> &'static str {
    &JS_URL
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assets/app.css", get(|| async { asset("text/css; charset=utf-8", CSS.as_bytes()) }))
        .route("/assets/app.js", get(|| async { asset("text/javascript; charset=utf-8", JS.as_bytes()) }))
        .route("/assets/offline.js", get(|| async { asset("text/javascript; charset=utf-8", OFFLINE_JS.as_bytes()) }))
        .route(SERVICE_WORKER_URL, get(service_worker))
        .route("/assets/icon.svg", get(|| async { asset("image/svg+xml", ICON.as_bytes()) }))
        .route("/assets/fonts/OFL.txt", get(|| async { asset("text/plain; charset=utf-8", OFL.as_bytes()) }))
        .route("/assets/fonts/{name}", get(font))
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}

/// The service worker is fetched again on every registration and navigation check (never kept for a
/// year): a new release must reach phones that already have the page.
async fn service_worker() -> Response {
    let mut response = SERVICE_WORKER_JS.as_str().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn font(Path(name): Path<String>) -> Response {
    match FONTS.iter().find(|(n, _)| *n == name) {
        Some((_, bytes)) => asset("font/woff2", bytes),
        None => (StatusCode::NOT_FOUND, "no such font").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_names_only_fonts_that_are_served() {
        for url in CSS.split("url(").skip(1).map(|rest| rest.split(')').next().unwrap_or_default()) {
            let name = url.trim_matches(['"', '\'']).trim_start_matches("/assets/fonts/");
            assert!(FONTS.iter().any(|(n, _)| *n == name), "app.css refers to {url}, which is not embedded");
        }
        assert!(CSS.contains("Sarabun"));
    }

    /// The service worker keeps exactly what the pages load, by the addresses they use.
    #[test]
    fn the_service_worker_keeps_every_asset_of_the_forum_page_by_its_hashed_address() {
        let sw = SERVICE_WORKER_JS.as_str();
        for url in [css_url(), js_url(), offline_js_url(), FONT_THAI_400, ICON_URL] {
            assert!(sw.contains(&format!("\"{url}\"")), "{url} is not kept: {}", &sw[..300]);
        }
        assert!(sw.starts_with("const VERSION = \""));
        assert!(offline_js_url().starts_with("/assets/offline.js?v="));
    }

    #[test]
    fn asset_urls_change_with_their_content() {
        assert_ne!(short_hash(b"a"), short_hash(b"b"));
        assert!(css_url().starts_with("/assets/app.css?v="));
    }
}
