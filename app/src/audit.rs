//! Audit use cases (auditors and administrators only): the global event log page by page and as an export,
//! the access log, the ledger's digest and the verification of the hash chain.
//!
//! Every read of the log and every export is recorded in the access log before any event is read, and only
//! once the request has passed its checks (a rejected request records nothing).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use santisuk_domain::time::bangkok;
use santisuk_domain::values::CaseNumber;
pub use santisuk_domain::versions::EVENT_TYPES;
use santisuk_projections::access_log;
pub use santisuk_projections::access_log::AccessEntry;
pub use santisuk_projections::ledger::{DIGEST_FORMAT, Digest, Head, Reason, Verification};
use santisuk_projections::{ledger, read_model};
pub use santisuk_store::Checkpoint;
use santisuk_store::audit::Bound;
pub use santisuk_store::audit::{Filter, Order, RawEvent};
use santisuk_store::{audit, events};
use serde_json::json;

use crate::AppState;
use crate::caller::{Caller, Role};
use crate::error::AppError;
use crate::issues;
use crate::parse::{clip, parse_date};

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
    raw.map_or(Ok(0), |raw| parse_cursor("after", raw, what))
}

/// The cursor `name` (`after`, `before`): a whole number ≥ 0, `what` it stands for; else malformed (400).
fn parse_cursor(name: &str, raw: &str, what: &str) -> Result<i64, AppError> {
    raw.trim().parse().ok().filter(|n| *n >= 0).ok_or_else(|| {
        AppError::bad_request("bad_cursor", format!("{name} must be {what}, a whole number (got {:?})", clip(raw)))
    })
}

/// The audit log's query as a request gives it, every value as typed (a blank value is no value). The API
/// list takes all but the jumps, the export only the filters and the order; the web page takes everything.
#[derive(Debug, Clone, Default)]
pub struct LogParams {
    /// An issue id or a case number (`PTN-2569-00123`).
    pub issue: Option<String>,
    /// A user name as the log records it (the metadata's `actor`).
    pub actor: Option<String>,
    /// An event type (`IssueClosed`); see [`EVENT_TYPES`].
    pub event_type: Option<String>,
    /// The first and the last Bangkok date the events were recorded on (inclusive, either era).
    pub from: Option<String>,
    pub to: Option<String>,
    /// `asc` (oldest first) or `desc` (newest first).
    pub order: Option<String>,
    /// The cursor of an oldest-first list: the position of the last event seen.
    pub after: Option<String>,
    /// The cursor of a newest-first list: the position of the last event seen.
    pub before: Option<String>,
    /// A jump: the page starts at this position (or the nearest event beyond it in the page's order).
    pub position: Option<String>,
    /// A jump: the page starts at this Bangkok date (its first event oldest first, its last newest first).
    pub date: Option<String>,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// The oldest event (oldest first) or the newest one (newest first).
    Edge,
    /// Just beyond the event at this position, in the page's order (a cursor).
    Beyond(i64),
    /// At this position, or the nearest event beyond it (a jump).
    Position(i64),
    /// At the first event of this Bangkok day (oldest first) or its last (newest first).
    Date(NaiveDate),
}

/// The filters and the order, checked: what the list, the export and the web page share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub filter: Filter,
    pub order: Order,
    /// What to record in the access log (only what was given, as given or resolved).
    recorded: serde_json::Map<String, serde_json::Value>,
}

/// An optional value; for a free-text one (`actor`) blank is none. Every other value is checked as sent, so
/// a blank one is refused like any value that is not one (the document states the same rules).
fn blank_is_none(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().filter(|t| !t.is_empty())
}

/// The start of a Bangkok day, as an instant (no earlier than the year 1000: the PostgreSQL timestamp range
/// starts at 4713 BC, but a day before 1 January 1 AD is not a date chrono writes in a form it reads).
fn bangkok_midnight(date: NaiveDate) -> DateTime<Utc> {
    let floor = NaiveDate::from_ymd_opt(1000, 1, 1).unwrap_or(date);
    date.max(floor)
        .and_time(NaiveTime::MIN)
        .and_local_timezone(bangkok())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Whether `raw` is shaped as [`crate::schema::ISSUE_REF`] says: a hyphenated UUID, or letters, a four-digit
/// year and a number (a case number as people type it).
fn issue_shape(raw: &str) -> Option<bool> {
    let uuid = raw.len() == 36
        && raw.char_indices().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() });
    if uuid {
        return Some(true);
    }
    let mut parts = raw.split('-');
    let (Some(prefix), Some(year), Some(number), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    ((2..=4).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_alphabetic())
        && year.len() == 4
        && digits(year)
        && digits(number))
    .then_some(false)
}

/// Checks the filters and the order (no cursor, no jump). An issue given by case number is looked up the
/// way the issue routes look it up (one that names no issue is 404, as for `/api/issues/{id}`); an issue
/// id is taken as it is (the log is the truth: an auditor may ask for the events of an issue the read
/// model has lost).
pub async fn parse_filter(state: &AppState, params: &LogParams) -> Result<LogFilter, AppError> {
    let order = match params.order.as_deref() {
        None | Some("asc") => Order::Asc,
        Some("desc") => Order::Desc,
        Some(other) => {
            return Err(AppError::invalid(
                "bad_order",
                format!("order must be asc (oldest first) or desc (newest first) (got {:?})", clip(other)),
            ));
        }
    };
    let mut out = LogFilter { order, ..LogFilter::default() };
    if out.order == Order::Desc {
        out.recorded.insert("order".into(), json!("desc"));
    }
    if let Some(raw) = params.issue.as_deref() {
        let id = match issue_shape(raw) {
            Some(true) => issues::issue_id(raw)?.to_string(),
            Some(false) => {
                let unknown = || AppError::not_found("issue_not_found", format!("no issue has the case number {raw}"));
                let number = CaseNumber::parse(raw).map_err(|_| unknown())?;
                match issues::resolve_issue(state, number.as_str()).await {
                    Ok(id) => id,
                    Err(AppError::NotFound { .. }) => return Err(unknown()),
                    Err(e) => return Err(e),
                }
            }
            None => {
                return Err(AppError::invalid(
                    "bad_issue",
                    format!("issue must be an issue id or a case number such as PTN-2569-00123 (got {:?})", clip(raw)),
                ));
            }
        };
        out.recorded.insert("issue".into(), json!(id));
        out.filter.issue = Some(id);
    }
    if let Some(actor) = blank_is_none(&params.actor) {
        if actor.chars().count() > 200 {
            return Err(AppError::invalid(
                "bad_actor",
                format!("actor must be a user name of at most 200 characters (got {:?}…)", clip(actor)),
            ));
        }
        out.recorded.insert("actor".into(), json!(actor));
        out.filter.actor = Some(actor.to_owned());
    }
    if let Some(event_type) = params.event_type.as_deref() {
        let known = EVENT_TYPES.iter().find(|t| **t == event_type).ok_or_else(|| {
            AppError::invalid(
                "unknown_event_type",
                format!("type must be one of {} (got {:?})", EVENT_TYPES.join(", "), clip(event_type)),
            )
        })?;
        out.recorded.insert("type".into(), json!(known));
        out.filter.event_type = Some((*known).to_owned());
    }
    let from = params.from.as_deref().map(|raw| parse_date("from", raw)).transpose()?;
    let to = params.to.as_deref().map(|raw| parse_date("to", raw)).transpose()?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(AppError::invalid("bad_date_range", format!("from ({from}) is after to ({to})")));
    }
    if let Some(from) = from {
        out.recorded.insert("from".into(), json!(from.to_string()));
        out.filter.recorded_from = Some(bangkok_midnight(from));
    }
    if let Some(to) = to {
        out.recorded.insert("to".into(), json!(to.to_string()));
        out.filter.recorded_before = to.succ_opt().map(bangkok_midnight);
    }
    Ok(out)
}

/// The cursor or the jump of a page, checked against its order.
fn parse_start(params: &LogParams, order: Order) -> Result<Start, AppError> {
    let after = params
        .after
        .as_deref()
        .map(|raw| parse_cursor("after", raw, "the position of the last event seen"))
        .transpose()?;
    let before = params
        .before
        .as_deref()
        .map(|raw| parse_cursor("before", raw, "the position of the last event seen"))
        .transpose()?;
    let position = params
        .position
        .as_deref()
        .map(|raw| {
            raw.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                AppError::invalid(
                    "bad_position",
                    format!("position must be a whole number from 0 (got {:?})", clip(raw)),
                )
            })
        })
        .transpose()?;
    let date = params.date.as_deref().map(|raw| parse_date("date", raw)).transpose()?;
    let cursor = match (order, after, before) {
        (_, Some(_), Some(_)) => {
            return Err(AppError::invalid(
                "cursor_and_order",
                "give after (oldest first) or before (newest first), not both",
            ));
        }
        (Order::Desc, Some(_), None) => {
            return Err(AppError::invalid(
                "cursor_and_order",
                "after pages an oldest-first list; newest first (order=desc) pages with before",
            ));
        }
        (Order::Asc, None, Some(_)) => {
            return Err(AppError::invalid(
                "cursor_and_order",
                "before pages a newest-first list (order=desc); oldest first pages with after",
            ));
        }
        (_, a, b) => a.or(b),
    };
    match (cursor, position, date) {
        (None, None, None) => Ok(Start::Edge),
        (Some(p), None, None) => Ok(Start::Beyond(p)),
        (None, Some(p), None) => Ok(Start::Position(p)),
        (None, None, Some(d)) => Ok(Start::Date(d)),
        _ => Err(AppError::invalid(
            "jump_and_cursor",
            "jump to a position or to a date, or follow a cursor: one at a time",
        )),
    }
}

/// [`events_page`] for the API: the role is the answer before any value is looked at, then the `limit`.
pub async fn list_events(
    state: &AppState,
    caller: &Caller,
    params: &LogParams,
    limit: Option<&str>,
) -> Result<(Vec<RawEvent>, Option<i64>), AppError> {
    caller.require(AUDITORS, "read the audit log")?;
    let limit = parse_limit(limit)?;
    events_page(state, caller, params, limit, None).await
}

/// A page of the log matching `params`, oldest first (the global order projections use) or newest first,
/// from its start, beyond a cursor (the position of the last event seen) or from a jump, and the cursor of
/// the next page if there is one. The read is recorded in the access log, with `via` when it did not come
/// through the API. Shared by `GET /api/audit/events` and the web app's `/audit`.
pub async fn events_page(
    state: &AppState,
    caller: &Caller,
    params: &LogParams,
    limit: i64,
    via: Option<&str>,
) -> Result<(Vec<RawEvent>, Option<i64>), AppError> {
    caller.require(AUDITORS, "read the audit log")?;
    let LogFilter { filter, order, recorded } = parse_filter(state, params).await?;
    let start = parse_start(params, order)?;
    // A cursor names an event the log holds (within the gap-safe horizon); `after=0` means the start too,
    // unless someone put an event there.
    let from = match start {
        Start::Edge => None,
        Start::Beyond(p) => match audit::checkpoint_at(&state.db, p).await? {
            Some(checkpoint) => Some(Bound::excluding(checkpoint)),
            None if p == 0 && order == Order::Asc => None,
            None => {
                return Err(AppError::invalid(
                    "unknown_position",
                    format!("there is no event at position {p} in the log"),
                ));
            }
        },
        Start::Position(p) => match audit::anchor_at_position(&state.db, p, order).await? {
            Some(checkpoint) => Some(Bound::including(checkpoint)),
            None => return empty_page(state, caller, recorded, start, limit, via).await,
        },
        Start::Date(d) => {
            let at = match order {
                Order::Asc => bangkok_midnight(d),
                Order::Desc => d.succ_opt().map(bangkok_midnight).unwrap_or_default(),
            };
            match audit::anchor_at_time(&state.db, at, order).await? {
                Some(checkpoint) => Some(Bound::including(checkpoint)),
                None => return empty_page(state, caller, recorded, start, limit, via).await,
            }
        }
    };
    record(state, caller, recorded, start, limit, via).await?;
    let (lower, upper) = match order {
        Order::Asc => (from, None),
        Order::Desc => (None, from),
    };
    let mut rows = audit::select(&state.db, &filter, order, lower, upper, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|e| e.position) } else { None };
    Ok((rows, next_cursor))
}

/// A jump past the end of the log: recorded like any read, and empty.
async fn empty_page(
    state: &AppState,
    caller: &Caller,
    recorded: serde_json::Map<String, serde_json::Value>,
    start: Start,
    limit: i64,
    via: Option<&str>,
) -> Result<(Vec<RawEvent>, Option<i64>), AppError> {
    record(state, caller, recorded, start, limit, via).await?;
    Ok((Vec::new(), None))
}

/// Records a read of the log: the cursor and the limit always (as before filters existed), then what was
/// given of the rest.
async fn record(
    state: &AppState,
    caller: &Caller,
    recorded: serde_json::Map<String, serde_json::Value>,
    start: Start,
    limit: i64,
    via: Option<&str>,
) -> Result<(), AppError> {
    let mut filters = json!({"after": null, "limit": limit});
    match start {
        Start::Edge => {}
        Start::Beyond(p) if recorded.contains_key("order") => filters["before"] = json!(p),
        Start::Beyond(p) => filters["after"] = json!(p),
        Start::Position(p) => filters["position"] = json!(p),
        Start::Date(d) => filters["date"] = json!(d.to_string()),
    }
    for (key, value) in recorded {
        filters[key.as_str()] = value;
    }
    if let Some(via) = via {
        filters["via"] = json!(via);
    }
    caller.record_read(state, "audit_events", None, filters).await
}

/// Events read per query while exporting.
pub const EXPORT_PAGE: i64 = 1000;

/// An export under way: its filters, its order and where the log ended when it began.
#[derive(Debug, Clone)]
pub struct ExportPlan {
    filter: Filter,
    order: Order,
    upto: Checkpoint,
}

/// Starts an export of the log matching the filters of `params` (its cursors and jumps are ignored;
/// `format` is only recorded): records it in the access log, fixes its end at the head of the log as it
/// stands now (so the export ends even while events keep arriving), and reads the first page, so that a
/// failing database is still a clean error before the answer starts. `via` is recorded when the export
/// was not asked for through the API. Continue with [`export_page`] after
/// the last event of each full page.
pub async fn export_start(
    state: &AppState,
    caller: &Caller,
    format: &str,
    params: &LogParams,
    via: Option<&str>,
) -> Result<(ExportPlan, Vec<RawEvent>), AppError> {
    caller.require(AUDITORS, "export the audit log")?;
    let LogFilter { filter, order, recorded } = parse_filter(state, params).await?;
    let mut filters = json!({"format": format});
    for (key, value) in recorded {
        filters[key.as_str()] = value;
    }
    if let Some(via) = via {
        filters["via"] = json!(via);
    }
    caller.record_read(state, "audit_export", None, filters).await?;
    let upto = events::head(&state.db).await?;
    let plan = ExportPlan { filter, order, upto };
    let first = read_export(state, &plan, None).await?;
    Ok((plan, first))
}

/// The next page of an export begun by [`export_start`], beyond the event `after`.
pub async fn export_page(state: &AppState, plan: &ExportPlan, after: Checkpoint) -> Result<Vec<RawEvent>, AppError> {
    read_export(state, plan, Some(after)).await
}

async fn read_export(
    state: &AppState,
    plan: &ExportPlan,
    after: Option<Checkpoint>,
) -> Result<Vec<RawEvent>, AppError> {
    let beyond = after.map(Bound::excluding);
    let (lower, upper) = match plan.order {
        Order::Asc => (beyond, Some(Bound::including(plan.upto))),
        Order::Desc => (None, Some(beyond.unwrap_or(Bound::including(plan.upto)))),
    };
    Ok(audit::select(&state.db, &plan.filter, plan.order, lower, upper, EXPORT_PAGE).await?)
}

/// The case number of each issue among `rows` that has one, by issue id (for showing and linking).
pub async fn case_numbers(state: &AppState, rows: &[RawEvent]) -> Result<HashMap<String, String>, AppError> {
    let mut out = HashMap::new();
    for e in rows.iter().filter(|e| e.aggregate_type == "Issue") {
        if out.contains_key(&e.aggregate_id) {
            continue;
        }
        if let Some(number) = read_model::get_issue(&state.db, &e.aggregate_id).await?.and_then(|i| i.case_number) {
            out.insert(e.aggregate_id.clone(), number);
        }
    }
    Ok(out)
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
