//! Extractors whose rejections are our JSON errors, and the headers commands read.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `Json<T>` that answers a bad body with our error format (400 malformed, 422 wrong shape, 413 too big).
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(AppJson(value))
    }
}

/// `Query<T>` with our error format.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if has_nul(parts.uri.query().unwrap_or_default()) {
            return Err(ApiError::bad_request("bad_query", "the query string contains a NUL character"));
        }
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(AppQuery(value))
    }
}

/// `Path<T>` with our error format.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for AppPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if has_nul(parts.uri.path()) {
            return Err(ApiError::bad_request("bad_path", "the path contains a NUL character"));
        }
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(AppPath(value))
    }
}

/// A percent-encoded NUL byte: no identifier or filter value contains one, and PostgreSQL rejects it in
/// text (it would surface as a database error, a 500), so such a request is malformed.
fn has_nul(raw: &str) -> bool {
    raw.to_ascii_lowercase().contains("%00")
}

/// `If-Match: <version>` (a bare number, or quoted as an entity tag `"3"`), if present.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(raw) = headers.get(axum::http::header::IF_MATCH) else { return Ok(None) };
    let bad = || ApiError::bad_request("bad_if_match", "If-Match must be the issue's version, e.g. If-Match: 3");
    let text = raw.to_str().map_err(|_| bad())?.trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    let version: i64 = text.parse().map_err(|_| bad())?;
    if version < 0 {
        return Err(bad());
    }
    Ok(Some(version))
}

/// `Idempotency-Key`, if present: 1–255 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(raw) = headers.get("idempotency-key") else { return Ok(None) };
    let key = raw
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()));
    match key {
        Some(k) => Ok(Some(k.to_owned())),
        None => {
            Err(ApiError::bad_request("bad_idempotency_key", "Idempotency-Key must be 1–255 visible ASCII characters"))
        }
    }
}
