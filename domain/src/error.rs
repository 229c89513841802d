//! Errors raised while building checked values, and the coarse kind every domain error maps to.

/// What kind of failure a domain error is; the HTTP layer turns each kind into one status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The thing a command targets does not exist (404).
    NotFound,
    /// The command is well-formed but the current state forbids it (409).
    Conflict,
    /// A value in the command is invalid (422).
    Invalid,
}

/// A raw input that could not become a checked value. Always a 422.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control characters")]
    ControlCharacters { field: &'static str },
    #[error("area id must be 1–32 characters of A–Z, a–z, 0–9 or '-'")]
    BadAreaId,
    #[error("category code must be 2–16 characters of A–Z, 0–9 or '_'")]
    BadCategoryCode,
    #[error("unknown amphoe code {0}: not one of the 37 districts in scope")]
    UnknownAmphoe(String),
    #[error("unknown tambon code {tambon} in amphoe {amphoe}")]
    UnknownTambon { tambon: String, amphoe: String },
    #[error("unknown outcome {0}: expected resolved, unresolved, referred, duplicate or withdrawn")]
    UnknownOutcome(String),
    #[error("unknown status {0}: expected raised, assigned, addressed or closed")]
    UnknownStatus(String),
    #[error("unknown kind {0}: expected community or obstacle")]
    UnknownKind(String),
    #[error("participants must be between 0 and 100000")]
    BadParticipants,
    #[error("user name must be 1–64 characters of letters, digits, '.', '_' or '-'")]
    BadUserName,
    #[error("a case number looks like PTN-2569-00123 (province, Buddhist-Era year, running number)")]
    BadCaseNumber,
    #[error("a phone number is a Thai number of 9 or 10 digits starting with 0 (or +66), e.g. 081-234-5678")]
    BadPhone,
    #[error("a national id number is 13 digits whose last digit is its check digit; this one does not check")]
    BadNationalId,
    /// A service level's days: 1 to 366, and the days to resolve no fewer than the days to assign.
    #[error("{field} must be a whole number of days from 1 to 366 (and days_to_resolve no fewer than days_to_assign)")]
    BadServiceDays { field: &'static str },
    #[error("a file digest is a SHA-256 written as 64 hexadecimal digits")]
    BadDigest,
    #[error("unknown media type {0}: expected image/jpeg, image/png, image/webp or application/pdf")]
    UnknownMediaType(String),
}

impl ValueError {
    /// A stable, machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            ValueError::Empty { .. } => "empty_value",
            ValueError::TooLong { .. } => "value_too_long",
            ValueError::ControlCharacters { .. } => "control_characters",
            ValueError::BadAreaId => "bad_area_id",
            ValueError::BadCategoryCode => "bad_category_code",
            ValueError::UnknownAmphoe(_) => "unknown_amphoe",
            ValueError::UnknownTambon { .. } => "unknown_tambon",
            ValueError::UnknownOutcome(_) => "unknown_outcome",
            ValueError::UnknownStatus(_) => "unknown_status",
            ValueError::UnknownKind(_) => "unknown_kind",
            ValueError::BadParticipants => "bad_participants",
            ValueError::BadUserName => "bad_user_name",
            ValueError::BadCaseNumber => "bad_case_number",
            ValueError::BadPhone => "bad_phone",
            ValueError::BadNationalId => "bad_national_id",
            ValueError::BadServiceDays { .. } => "bad_service_days",
            ValueError::BadDigest => "bad_digest",
            ValueError::UnknownMediaType(_) => "unsupported_file_type",
        }
    }
}
