//! The one HTTP error type: every failure (an [`AppError`] or a rejected request) becomes a status code and
//! `{"error":{"code","message"}}`.
//! Internal detail (SQL, paths, panics) is logged here, once, and never sent.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use santisuk_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// An [`AppError`] on its way to becoming a response.
#[derive(Debug)]
pub struct ApiError(pub AppError);

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code, e.g. `issue_closed`.
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError(AppError::bad_request(code, message))
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ApiError(AppError::invalid(code, message))
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        ApiError(AppError::not_found(code, message))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError(AppError::forbidden(message))
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError(AppError::Internal(detail.into()))
    }

    pub(crate) fn parts(&self) -> (StatusCode, &str, String) {
        let status = match &self.0 {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Gone { .. } => StatusCode::GONE,
        };
        let (code, message) = self.0.code_and_message();
        (status, code, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self.0 {
            tracing::error!(error = %detail, "request failed");
        }
        let (status, code, message) = self.parts();
        let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message } };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // Every 503 is a passing condition (busy, or the database not ready yet).
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if let AppError::TooManyRequests { retry_after, .. } = &self.0 {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from((*retry_after).max(1)));
        }
        response
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<santisuk_domain::ValueError> for ApiError {
    fn from(e: santisuk_domain::ValueError) -> Self {
        ApiError(e.into())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::invalid("invalid_body", e.body_text()),
            JsonRejection::JsonSyntaxError(e) => ApiError::bad_request("malformed_json", e.body_text()),
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::bad_request("expected_json", "send the body as JSON with Content-Type: application/json")
            }
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError(AppError::PayloadTooLarge),
            other => ApiError::bad_request("bad_body", other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::bad_request("bad_query", r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::bad_request("bad_path", r.body_text())
    }
}

impl From<santisuk_app::StoreError> for ApiError {
    fn from(e: santisuk_app::StoreError) -> Self {
        ApiError(e.into())
    }
}
