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

    #[test]
    fn asset_urls_change_with_their_content() {
        assert_ne!(short_hash(b"a"), short_hash(b"b"));
        assert!(css_url().starts_with("/assets/app.css?v="));
    }
}
