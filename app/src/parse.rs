//! Request values into checked values, the same for the API, the web app and the CLI: instants (`at`,
//! `as_of`), dates, optional fields; bad values echo back clipped.

pub use santisuk_store::events::{fmt_ts, parse_ts};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

use crate::error::AppError;

/// Parses an optional RFC 3339 instant (`at`); absent means now. Kept to microseconds, like the read
/// tables. "Not in the future" is a domain rule, checked by the aggregate.
pub fn parse_at(raw: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, AppError> {
    match raw {
        None => Ok(now),
        Some(text) => {
            DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc).trunc_subsecs(6)).map_err(|_| {
                AppError::invalid(
                    "bad_time",
                    format!("`at` must be an RFC 3339 instant, e.g. 2026-11-25T07:00:00Z (got {:?})", clip(text)),
                )
            })
        }
    }
}

/// Parses a `YYYY-MM-DD` date named `field`.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::invalid("bad_date", format!("`{field}` must be a date YYYY-MM-DD (got {:?})", clip(text)))
    })
}

/// Parses `as_of`: an RFC 3339 instant not in the future. `now` is the server clock truncated to
/// milliseconds ([`crate::now`]), so an instant within the current millisecond (a client's own
/// "now", with microseconds, sent and answered within the same millisecond) is not the future.
pub fn parse_as_of(raw: Option<&str>, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, AppError> {
    let Some(text) = raw else { return Ok(None) };
    let at = DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        AppError::invalid("bad_as_of", format!("`as_of` must be an RFC 3339 instant (got {:?})", clip(text)))
    })?;
    if at.trunc_subsecs(3) > now {
        return Err(AppError::invalid("as_of_in_future", "`as_of` is in the future"));
    }
    Ok(Some(at))
}

/// Echo at most 64 characters of a bad value back.
pub fn clip(text: &str) -> String {
    text.chars().take(64).collect()
}

/// Applies `parse` to an optional raw value.
pub fn opt<T, E>(raw: Option<&str>, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    raw.map(parse).transpose()
}
