//! The one HTTP error type: every failure becomes a status code and `{"error":{"code","message"}}`.
//! Internal detail (SQL, paths, panics) is logged here, once, and never sent.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use santisuk_domain::ErrorKind;
use santisuk_domain::ValueError;
use santisuk_projections::StoreError;
use santisuk_projections::commands::CommandError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub enum ApiError {
    /// 400: the request itself is malformed (JSON syntax, query string, headers, cursor).
    BadRequest { code: &'static str, message: String },
    /// 401: no valid bearer token.
    Unauthorized,
    /// 403: authenticated, but the role may not do this.
    Forbidden { message: String },
    /// 404: no such resource.
    NotFound { code: &'static str, message: String },
    /// 409: the current state forbids it (a rule, or a stale `If-Match`).
    Conflict { code: &'static str, message: String },
    /// 413: the body is over the limit.
    PayloadTooLarge,
    /// 422: well-formed, but a value is invalid.
    Invalid { code: &'static str, message: String },
    /// 503: not ready (database down, migrations missing).
    Unavailable { message: String },
    /// 500: a defect or an outage; logged with detail, answered without.
    Internal(String),
}

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
        ApiError::BadRequest { code, message: message.into() }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid { code, message: message.into() }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::NotFound { code, message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        ApiError::Forbidden { message: message.into() }
    }

    /// Maps a domain error by its kind.
    pub fn domain(kind: ErrorKind, code: &'static str, message: String) -> Self {
        match kind {
            ErrorKind::NotFound => ApiError::NotFound { code, message },
            ErrorKind::Conflict => ApiError::Conflict { code, message },
            ErrorKind::Invalid => ApiError::Invalid { code, message },
        }
    }

    pub(crate) fn parts(&self) -> (StatusCode, &str, String) {
        match self {
            ApiError::BadRequest { code, message } => (StatusCode::BAD_REQUEST, code, message.clone()),
            ApiError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, "unauthorized", "a valid bearer token is required".into())
            }
            ApiError::Forbidden { message } => (StatusCode::FORBIDDEN, "forbidden", message.clone()),
            ApiError::NotFound { code, message } => (StatusCode::NOT_FOUND, code, message.clone()),
            ApiError::Conflict { code, message } => (StatusCode::CONFLICT, code, message.clone()),
            ApiError::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is over 1 MiB".into())
            }
            ApiError::Invalid { code, message } => (StatusCode::UNPROCESSABLE_ENTITY, code, message.clone()),
            ApiError::Unavailable { message } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", message.clone()),
            ApiError::Internal(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side".into())
            }
        }
    }
}

// For the CLI, which reports the same errors on the terminal.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (_, code, message) = self.parts();
        match self {
            ApiError::Internal(detail) => write!(f, "{code}: {detail}"),
            _ => write!(f, "{message} ({code})"),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "request failed");
        }
        let (status, code, message) = self.parts();
        let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message } };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<ValueError> for ApiError {
    fn from(e: ValueError) -> Self {
        ApiError::Invalid { code: e.code(), message: e.to_string() }
    }
}

/// Domain errors that know their kind and code.
pub trait DomainError: std::error::Error {
    fn kind(&self) -> ErrorKind;
    fn code(&self) -> &'static str;
}

macro_rules! domain_error {
    ($($t:ty),*) => {$(
        impl DomainError for $t {
            fn kind(&self) -> ErrorKind { <$t>::kind(self) }
            fn code(&self) -> &'static str { <$t>::code(self) }
        }
    )*};
}

domain_error!(
    santisuk_domain::issue::IssueError,
    santisuk_domain::forum::ForumError,
    santisuk_domain::area::AreaError,
    santisuk_domain::category::CategoryError,
    santisuk_domain::user::UserError
);

impl<E: DomainError> From<CommandError<E>> for ApiError {
    fn from(e: CommandError<E>) -> Self {
        match e {
            CommandError::Rejected(e) => ApiError::domain(e.kind(), e.code(), e.to_string()),
            CommandError::StaleVersion { .. } => ApiError::Conflict { code: "stale_version", message: e.to_string() },
            CommandError::Conflict => ApiError::Conflict { code: "concurrent_change", message: e.to_string() },
            CommandError::Store(e) => e.into(),
        }
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
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
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
