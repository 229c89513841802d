//! Audit use cases (auditors and administrators only): the global event log page by page and as an export,
//! the access log, the ledger's digest and the verification of the hash chain.
//!
//! Every read of the log and every export is recorded in the access log before any event is read, and only
//! once the request has passed its checks (a rejected request records nothing).

use santisuk_projections::access_log;
pub use santisuk_projections::access_log::AccessEntry;
use santisuk_projections::ledger;
pub use santisuk_projections::ledger::{DIGEST_FORMAT, Digest, Head, Reason, Verification};
pub use santisuk_store::Checkpoint;
pub use santisuk_store::audit::RawEvent;
use santisuk_store::{audit, events};
use serde_json::json;

use crate::AppState;
use crate::caller::{Caller, Role};
use crate::error::AppError;
use crate::parse::clip;

/// Who may read the audit views.
pub const AUDITORS: &[Role] = &[Role::Auditor, Role::Admin];

/// A page size (`limit`): 1–1000, default 100.
pub fn parse_limit(raw: Option<&str>) -> Result<i64, AppError> {
    match raw {
        None => Ok(100),
        Some(raw) => raw
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| AppError::invalid("bad_limit", "limit must be a whole number from 1 to 1000")),
    }
}

/// A cursor (`after`): a whole number ≥ 0; anything else is malformed (400).
pub fn parse_after(raw: Option<&str>, what: &str) -> Result<i64, AppError> {
    match raw {
        None => Ok(0),
        Some(raw) => raw.trim().parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
            AppError::bad_request("bad_cursor", format!("after must be {what}, a whole number (got {:?})", clip(raw)))
        }),
    }
}

/// [`events_page`] for the API: the role is the answer before any value is looked at, then the `limit`.
pub async fn list_events(
    state: &AppState,
    caller: &Caller,
    after: Option<&str>,
    limit: Option<&str>,
) -> Result<(Vec<RawEvent>, Option<i64>), AppError> {
    caller.require(AUDITORS, "read the audit log")?;
    let limit = parse_limit(limit)?;
    events_page(state, caller, after, limit, None).await
}

/// A page of the log after `after` (the position of the last event seen; from the very start when absent),
/// in the global order projections use, and the cursor of the next page if there is one. The read is
/// recorded in the access log, with `via` when it did not come through the API. Shared by
/// `GET /api/audit/events` and the web app's `/audit`.
pub async fn events_page(
    state: &AppState,
    caller: &Caller,
    after: Option<&str>,
    limit: i64,
    via: Option<&str>,
) -> Result<(Vec<RawEvent>, Option<i64>), AppError> {
    caller.require(AUDITORS, "read the audit log")?;
    // `after=0` means the start too, unless someone put an event there.
    let position = after.map(|raw| parse_after(Some(raw), "the position of the last event seen")).transpose()?;
    let after = match position {
        None => None,
        Some(p) => match audit::checkpoint_at(&state.db, p).await? {
            Some(checkpoint) => Some(checkpoint),
            None if p == 0 => None,
            None => {
                return Err(AppError::invalid(
                    "unknown_position",
                    format!("there is no event at position {p} in the log"),
                ));
            }
        },
    };
    let mut filters = json!({"after": position, "limit": limit});
    if let Some(via) = via {
        filters["via"] = json!(via);
    }
    caller.record_read(state, "audit_events", None, filters).await?;
    let mut rows = audit::page(&state.db, after, None, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|e| e.position) } else { None };
    Ok((rows, next_cursor))
}

/// Events read per query while exporting.
pub const EXPORT_PAGE: i64 = 1000;

/// Starts an export of the whole log (`format` is only recorded): records it in the access log, fixes its
/// end at the head of the log as it stands now (so the export ends even while events keep arriving), and
/// reads the first page, so that a failing database is still a clean error before the answer starts.
/// Continue with [`export_page`] after the last event of each full page.
pub async fn export_start(
    state: &AppState,
    caller: &Caller,
    format: &str,
) -> Result<(Checkpoint, Vec<RawEvent>), AppError> {
    caller.require(AUDITORS, "export the audit log")?;
    caller.record_read(state, "audit_export", None, json!({"format": format})).await?;
    let upto = events::head(&state.db).await?;
    let first = audit::page(&state.db, None, Some(upto), EXPORT_PAGE).await?;
    Ok((upto, first))
}

/// The next page of an export begun by [`export_start`].
pub async fn export_page(state: &AppState, after: Checkpoint, upto: Checkpoint) -> Result<Vec<RawEvent>, AppError> {
    Ok(audit::page(&state.db, Some(after), Some(upto), EXPORT_PAGE).await?)
}

/// Who read what: the access log, oldest first.
pub async fn access_log(
    state: &AppState,
    caller: &Caller,
    after: Option<&str>,
    limit: Option<&str>,
) -> Result<(Vec<AccessEntry>, Option<i64>), AppError> {
    caller.require(AUDITORS, "read the access log")?;
    let limit = parse_limit(limit)?;
    let after = parse_after(after, "the id of the last entry seen")?;
    Ok(access_log::list(&state.db, after, limit).await?)
}

/// The ledger's newest position and chain hash.
pub async fn digest(state: &AppState, caller: &Caller) -> Result<Head, AppError> {
    caller.require(AUDITORS, "read the ledger digest")?;
    Ok(ledger::head(&state.db).await?)
}

/// Recomputes the hash chain from the events and compares it with the ledger and, if given, with a digest
/// handed out earlier. Reads the log page by page; may take seconds.
pub async fn verify(state: &AppState, caller: &Caller, digest: Option<&str>) -> Result<Verification, AppError> {
    caller.require(AUDITORS, "verify the ledger")?;
    let digest = match digest {
        None => None,
        Some(raw) => Some(Digest::parse(raw).ok_or_else(|| {
            AppError::invalid("bad_digest", format!("digest must be {DIGEST_FORMAT} (got {:?})", clip(raw)))
        })?),
    };
    Ok(ledger::verify(&state.db, digest.as_ref()).await?)
}
