//! Authentication of API requests (bearer tokens). Every `/api` handler takes a [`Ctx`]: the
//! [`Caller`] the application layer decides authorisation for.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
pub use santisuk_app::Caller;
pub use santisuk_app::caller::{Role, User};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of one API request.
#[derive(Debug, Clone)]
pub struct Ctx(pub Caller);

impl std::ops::Deref for Ctx {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers)
            .filter(|t| t.len() <= 200)
            .ok_or(ApiError(santisuk_app::AppError::Unauthorized))?;
        let client = crate::limits::ClientAddr::of(&parts.extensions);
        Ok(Ctx(Caller::by_token(state, token, request_id(&parts.headers), client).await?))
    }
}

/// The bearer token of an `Authorization` header, if it carries a non-empty one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The request's id (set by the request-id middleware when the client sent none), at most 128 characters.
pub fn request_id(headers: &axum::http::HeaderMap) -> String {
    headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(128).collect()).unwrap_or_default()
}
