//! The application layer's one error type: what a use case refuses, and why, in terms the adapters map
//! to their own (HTTP status codes, CLI messages, web form errors). Internal detail stays in `Internal`
//! for the logs and is never shown to a client.

use santisuk_domain::{ErrorKind, ValueError};
use santisuk_store::StoreError;

use crate::command::CommandError;

#[derive(Debug)]
pub enum AppError {
    /// The request itself is malformed (a cursor this server never issued, a header out of shape).
    BadRequest { code: &'static str, message: String },
    /// No valid credentials.
    Unauthorized,
    /// Authenticated, but the role may not do this (`code` is `forbidden` unless a more precise one is
    /// documented, e.g. `not_a_coordinator`).
    Forbidden { code: &'static str, message: String },
    /// No such resource (or none the caller may know of).
    NotFound { code: &'static str, message: String },
    /// The current state forbids it (a rule, or a stale expected version).
    Conflict { code: &'static str, message: String },
    /// The request body is over the limit.
    PayloadTooLarge,
    /// Well-formed, but a value is invalid.
    Invalid { code: &'static str, message: String },
    /// Not ready (database down, migrations missing).
    Unavailable { message: String },
    /// Over a limit of this client (its rate or its requests in flight); may retry after the given seconds.
    TooManyRequests { message: String, retry_after: u64 },
    /// A defect or an outage; logged with detail, answered without.
    Internal(String),
    /// An uploaded file over its limit (413; `file_too_large`), its message naming the limit.
    TooLarge { code: &'static str, message: String },
    /// An uploaded file whose content is of a kind not accepted (415; `unsupported_file_type`), whatever
    /// its name or the type its sender claimed.
    UnsupportedMediaType { code: &'static str, message: String },
    /// It existed, and was removed for good (410; an erased issue's files: `attachment_erased`).
    Gone { code: &'static str, message: String },
}

impl AppError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest { code, message: message.into() }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid { code, message: message.into() }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        AppError::NotFound { code, message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden { code: "forbidden", message: message.into() }
    }

    /// [`AppError::forbidden`] with a code of its own.
    pub fn forbidden_as(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Forbidden { code, message: message.into() }
    }

    /// Maps a domain error by its kind.
    pub fn domain(kind: ErrorKind, code: &'static str, message: String) -> Self {
        match kind {
            ErrorKind::NotFound => AppError::NotFound { code, message },
            ErrorKind::Conflict => AppError::Conflict { code, message },
            ErrorKind::Invalid => AppError::Invalid { code, message },
        }
    }

    /// The stable code and the message a client may see (`Internal` detail is withheld).
    pub fn code_and_message(&self) -> (&str, String) {
        match self {
            AppError::BadRequest { code, message }
            | AppError::NotFound { code, message }
            | AppError::Conflict { code, message }
            | AppError::Invalid { code, message }
            | AppError::Forbidden { code, message }
            | AppError::TooLarge { code, message }
            | AppError::UnsupportedMediaType { code, message }
            | AppError::Gone { code, message } => (code, message.clone()),
            AppError::Unauthorized => ("unauthorized", "a valid bearer token is required".into()),
            AppError::PayloadTooLarge => ("payload_too_large", "the request body is over 1 MiB".into()),
            AppError::Unavailable { message } => ("unavailable", message.clone()),
            AppError::TooManyRequests { message, .. } => ("too_many_requests", message.clone()),
            AppError::Internal(_) => ("internal", "something went wrong on our side".into()),
        }
    }
}

// For the CLI, which reports the same errors on the terminal.
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (code, message) = self.code_and_message();
        match self {
            AppError::Internal(detail) => write!(f, "{code}: {detail}"),
            _ => write!(f, "{message} ({code})"),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        if let StoreError::Busy(why) = &e {
            tracing::warn!(why, "a command was shed");
            return AppError::Unavailable {
                message: "the server is busy; nothing was written, try again shortly".into(),
            };
        }
        if e.is_unavailable() {
            tracing::warn!(error = %e, "the database is unavailable");
            return AppError::Unavailable { message: "the database is unavailable; try again shortly".into() };
        }
        AppError::Internal(e.to_string())
    }
}

impl From<ValueError> for AppError {
    fn from(e: ValueError) -> Self {
        AppError::Invalid { code: e.code(), message: e.to_string() }
    }
}

/// The code of a conflict on a value that must be unique (a case number taken by another instance a moment
/// before); the raise takes another number and does not show it to clients.
pub const DUPLICATE_VALUE: &str = "duplicate_value";

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
    santisuk_domain::organisation::OrganisationError,
    santisuk_domain::user::UserError,
    santisuk_domain::agency::AgencyError,
    santisuk_domain::routing::RoutingRuleError
);

impl<E: DomainError> From<CommandError<E>> for AppError {
    fn from(e: CommandError<E>) -> Self {
        match e {
            CommandError::Rejected(e) => AppError::domain(e.kind(), e.code(), e.to_string()),
            CommandError::StaleVersion { .. } => AppError::Conflict { code: "stale_version", message: e.to_string() },
            CommandError::Conflict => AppError::Conflict { code: "concurrent_change", message: e.to_string() },
            CommandError::Store(e) => e.into(),
            CommandError::Duplicate(_) => AppError::Conflict { code: DUPLICATE_VALUE, message: e.to_string() },
            CommandError::KeyReused => AppError::invalid(
                "idempotency_key_reused",
                "this Idempotency-Key was already used for a different request",
            ),
        }
    }
}
