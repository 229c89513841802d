//! The audit API (auditors and admins only): the global event log, its export, the access log, the
//! ledger's digest and verification of the hash chain.
//!
//! Every read of the log and every export is recorded in the access log before any event is read, and
//! only once the request has passed its checks (a rejected request records nothing). The export reads
//! [`EXPORT_PAGE`] events per query with the keyset cursor, each page when hyper asks for more body, so
//! memory stays flat however long the log; it stops at the head of the log as it stood when the export
//! began. The CSV form is for spreadsheets (a BOM, cells that look like formulas get a leading `'`); the
//! NDJSON form is exact.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Json, Router};
use futures::stream::{self, StreamExt, TryStreamExt};
use santisuk_app::audit::{self, AccessEntry, Checkpoint, LogParams, RawEvent, Reason, Verification};
use santisuk_app::parse::{fmt_ts, parse_ts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::AppQuery;
use crate::state::AppState;
use santisuk_app::parse::clip;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/audit/events", get(list_events))
        .route("/api/audit/export", get(export))
        .route("/api/audit/access-log", get(access_log))
        .route("/api/audit/digest", get(digest))
}

/// `GET /api/audit/verify`, kept out of the 30 s request timeout (see `app`).
pub fn verify_router() -> Router<AppState> {
    Router::new().route("/api/audit/verify", get(verify))
}

pub use santisuk_app::audit::{AUDITORS, EXPORT_PAGE, events_page};

// --- replies --------------------------------------------------------------------------------------------

/// One stored event, of any aggregate.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Its place in the global log; pass the last one seen as `after`.
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    /// When it happened in the field (the payload's `at`), if the event has one.
    pub at: Option<String>,
    /// When it was stored.
    pub recorded_at: String,
    /// Who did it (from the event's metadata).
    pub actor: Option<String>,
    /// The event's fields as stored (the stored text when it is not JSON).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<&RawEvent> for AuditEvent {
    fn from(e: &RawEvent) -> Self {
        let data = e.data();
        AuditEvent {
            position: e.position,
            aggregate_type: e.aggregate_type.clone(),
            aggregate_id: e.aggregate_id.clone(),
            sequence: e.sequence,
            event_type: e.event_type.clone(),
            event_version: e.event_version.clone(),
            at: data.get("at").and_then(|v| v.as_str()).map(str::to_owned),
            recorded_at: parse_ts(&e.recorded_at).map(fmt_ts).unwrap_or_else(|_| e.recorded_at.clone()),
            actor: e.meta("actor"),
            data,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    /// The last position of this page, to pass as `after`; null at the end of the log.
    pub next_cursor: Option<i64>,
}

/// One recorded read.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub actor_role: String,
    /// `issue_history`, `audit_events`, `audit_export`, `issues_export`, …
    pub action: String,
    pub target: Option<String>,
    /// The request's filters.
    #[schema(value_type = Object)]
    pub filters: serde_json::Value,
    pub request_id: Option<String>,
    /// The client's address (the peer's, or the one a trusted proxy's header gave).
    pub client: Option<String>,
}

impl From<AccessEntry> for AccessView {
    fn from(e: AccessEntry) -> Self {
        AccessView {
            filters: serde_json::from_str(&e.filters).unwrap_or(serde_json::Value::String(e.filters)),
            id: e.id,
            at: e.at,
            actor: e.actor,
            actor_role: e.actor_role,
            action: e.action,
            target: e.target,
            request_id: e.request_id,
            client: e.client,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessPage {
    pub items: Vec<AccessView>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_cursor: Option<i64>,
}

/// The chain at the newest ledgered event: keep `<position>:<chain_hash>` outside the database.
#[derive(Debug, Serialize, ToSchema)]
pub struct DigestView {
    /// 0 on an empty log.
    pub position: i64,
    /// 64 hex digits (32 zero bytes on an empty log).
    pub chain_hash: String,
    /// When that event was stored; null on an empty log.
    pub recorded_at: Option<String>,
}

/// The outcome of a verification.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyReport {
    /// True when every ledgered event is unchanged, none is missing or added, and the digest (if
    /// given) still matches.
    pub ok: bool,
    /// Events found intact, in order, before the first problem.
    pub checked: i64,
    /// When intact: the position verified up to and the chain there (a fresh digest).
    pub position: Option<i64>,
    pub chain_hash: Option<String>,
    /// When not intact: the first position found wrong (null when only the digest caught it).
    pub first_bad_position: Option<i64>,
    /// `changed`, `deleted`, `inserted`, `ledger_mismatch` or `digest_mismatch`.
    pub reason: Option<String>,
    pub detail: Option<String>,
    /// Whether the events still hash to the digest given; null without one.
    pub digest_matches: Option<bool>,
}

impl From<Verification> for VerifyReport {
    fn from(v: Verification) -> Self {
        VerifyReport {
            ok: v.ok,
            checked: v.checked,
            position: v.position,
            chain_hash: v.chain_hash,
            first_bad_position: v.first_bad_position,
            reason: v.reason.map(|r| reason_code(r).to_owned()),
            detail: v.detail,
            digest_matches: v.digest_matches,
        }
    }
}

fn reason_code(r: Reason) -> &'static str {
    match r {
        Reason::Changed => "changed",
        Reason::Deleted => "deleted",
        Reason::Inserted => "inserted",
        Reason::LedgerMismatch => "ledger_mismatch",
        Reason::DigestMismatch => "digest_mismatch",
    }
}

// --- queries --------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Oldest first: the position of the last event seen, one the log holds (default: from the start; 0 is
    /// the start).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub after: Option<String>,
    /// Newest first (`order=desc`): the position of the last event seen, one the log holds (default: from
    /// the newest event).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub before: Option<String>,
    /// 1–1000, default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// Only this issue's events: its id or its case number (`PTN-2569-00123`, any letter case); a case
    /// number no issue has is 404.
    #[param(value_type = Option<santisuk_app::schema::IssueRef>, inline)]
    pub issue: Option<String>,
    /// Only events done by this user (the name the log records as `actor`, e.g. `system`), exactly; blank
    /// is no filter.
    #[param(value_type = Option<santisuk_app::schema::Actor>, inline)]
    pub actor: Option<String>,
    /// Only events of this type.
    #[serde(rename = "type")]
    #[param(value_type = Option<santisuk_app::schema::EventType>, inline)]
    pub event_type: Option<String>,
    /// Only events recorded on or after this Asia/Bangkok date (`2026-11-28`, or in the Buddhist Era
    /// `2569-11-28` or `28/11/2569`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Only events recorded on or before this Asia/Bangkok date (inclusive; either era, as `from`).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// `asc` (oldest first, the default: the global order projections use) or `desc` (newest first).
    #[param(value_type = Option<Order>, inline)]
    pub order: Option<String>,
}

/// The export takes the list's filters and order (each filter given narrows the log), not its cursors.
#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `ndjson` (default; exact) or `csv` (for spreadsheets).
    #[param(value_type = Option<Format>, inline)]
    pub format: Option<String>,
    /// Only this issue's events: its id or its case number (`PTN-2569-00123`, any letter case); a case
    /// number no issue has is 404.
    #[param(value_type = Option<santisuk_app::schema::IssueRef>, inline)]
    pub issue: Option<String>,
    /// Only events done by this user (the name the log records as `actor`, e.g. `system`), exactly; blank
    /// is no filter.
    #[param(value_type = Option<santisuk_app::schema::Actor>, inline)]
    pub actor: Option<String>,
    /// Only events of this type.
    #[serde(rename = "type")]
    #[param(value_type = Option<santisuk_app::schema::EventType>, inline)]
    pub event_type: Option<String>,
    /// Only events recorded on or after this Asia/Bangkok date (`2026-11-28`, or in the Buddhist Era
    /// `2569-11-28` or `28/11/2569`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Only events recorded on or before this Asia/Bangkok date (inclusive; either era, as `from`).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// `asc` (oldest first, the default: the global order projections use) or `desc` (newest first).
    #[param(value_type = Option<Order>, inline)]
    pub order: Option<String>,
}

impl EventsQuery {
    fn params(self) -> LogParams {
        LogParams {
            issue: self.issue,
            actor: self.actor,
            event_type: self.event_type,
            from: self.from,
            to: self.to,
            order: self.order,
            after: self.after,
            before: self.before,
            ..LogParams::default()
        }
    }
}

impl ExportQuery {
    fn params(&self) -> LogParams {
        LogParams {
            issue: self.issue.clone(),
            actor: self.actor.clone(),
            event_type: self.event_type.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            order: self.order.clone(),
            ..LogParams::default()
        }
    }
}

/// Which way the log is listed (the schema of `order`; the value is checked by the application layer).
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "lowercase")]
#[expect(dead_code, reason = "only its schema is used")]
enum Order {
    Asc,
    Desc,
}

#[derive(Debug, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccessQuery {
    /// The id of the last entry seen (default: from the start).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub after: Option<String>,
    /// 1–1000, default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VerifyQuery {
    /// A digest handed out earlier, `<position>:<64 hex digits>`.
    #[param(pattern = "^(0|[1-9][0-9]{0,17}):[0-9A-Fa-f]{64}$")]
    pub digest: Option<String>,
}

// --- handlers -------------------------------------------------------------------------------------------

/// Every stored event of every aggregate, in the global order projections use or newest first (auditor,
/// admin), narrowed by the filters given. Page with `after` (oldest first) or `before` (newest first) =
/// the last position seen; a page never skips an event that commits late.
#[utoipa::path(get, path = "/api/audit/events", tag = "audit", params(EventsQuery), security(("bearer" = [])),
    responses((status = 200, body = AuditPage), (status = 400, description = "`after` or `before` is not a position", body = ErrorBody),
        (status = 403, description = "not an auditor or administrator", body = ErrorBody),
        (status = 404, description = "no issue has the case number given as `issue`", body = ErrorBody),
        (status = 422, description = "an invalid limit, order, type, date or issue, no event at the cursor, or a cursor that does not go with the order", body = ErrorBody)))]
pub async fn list_events(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<EventsQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = q.limit.clone();
    let (rows, next_cursor) = audit::list_events(&state, &ctx, &q.params(), limit.as_deref()).await?;
    Ok(Json(AuditPage { items: rows.iter().map(AuditEvent::from).collect(), next_cursor }))
}

/// The whole log, or what the list's filters leave of it, in the same order, as NDJSON (one event per
/// line, exact) or CSV (auditor, admin). Streamed: the log may be any length.
#[utoipa::path(get, path = "/api/audit/export", tag = "audit", params(ExportQuery), security(("bearer" = [])),
    responses((status = 200, description = "the log as NDJSON or CSV, as an attachment",
            content((String = "application/x-ndjson"), (String = "text/csv"))),
        (status = 403, description = "not an auditor or administrator", body = ErrorBody),
        (status = 404, description = "no issue has the case number given as `issue`", body = ErrorBody),
        (status = 422, description = "an unknown format, or an invalid filter (as for the list)", body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    export_with(state, ctx, q, None).await
}

/// The export, for the API and for the web app's download link (`via`: where it was asked for, recorded in
/// the access log when not through the API).
pub async fn export_with(state: AppState, ctx: Ctx, q: ExportQuery, via: Option<&str>) -> Result<Response, ApiError> {
    // The role is the answer before the format is looked at.
    ctx.require(AUDITORS, "export the audit log")?;
    let format = match q.format.as_deref().map(str::trim) {
        None | Some("ndjson") => Format::Ndjson,
        Some("csv") => Format::Csv,
        Some(other) => {
            return Err(ApiError::invalid(
                "bad_format",
                format!("format must be ndjson or csv (got {:?})", clip(other)),
            ));
        }
    };
    let (plan, first) = audit::export_start(&state, &ctx, format.name(), &q.params(), via).await?;
    let pages = stream::try_unfold(Step::Page(first), move |step| {
        let state = state.clone();
        let plan = plan.clone();
        async move {
            let page = match step {
                Step::Done => return Ok(None),
                Step::Page(page) => page,
                Step::After(after) => audit::export_page(&state, &plan, after).await?,
            };
            let next = match page.last() {
                Some(last) if page.len() as i64 == EXPORT_PAGE => Step::After(last.checkpoint()),
                _ => Step::Done,
            };
            Ok::<_, BoxError>(Some((format.render(&page)?, next)))
        }
    });
    let body = stream::once(async move { Ok::<_, BoxError>(format.header()) })
        .chain(pages)
        .inspect_err(|e| tracing::error!(error = %e, "audit export failed mid-stream"));
    Ok(file_response(format, Body::from_stream(body)))
}

/// Where the export stands: a page read before the answer started, the cursor of the next one, or done.
enum Step {
    Page(Vec<RawEvent>),
    After(Checkpoint),
    Done,
}

#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(rename_all = "lowercase")]
enum Format {
    Ndjson,
    Csv,
}

const CSV_COLUMNS: [&str; 10] = [
    "position",
    "aggregate_type",
    "aggregate_id",
    "sequence",
    "event_type",
    "event_version",
    "at",
    "recorded_at",
    "actor",
    "data",
];

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
        }
    }

    /// What comes before the first event: nothing for NDJSON; a BOM (Excel reads a BOM-less CSV in the
    /// local code page and garbles Thai) and the header line for CSV.
    fn header(self) -> Bytes {
        match self {
            Format::Ndjson => Bytes::new(),
            Format::Csv => Bytes::from(format!("\u{feff}{}\r\n", CSV_COLUMNS.join(","))),
        }
    }

    fn render(self, page: &[RawEvent]) -> Result<Bytes, BoxError> {
        match self {
            Format::Ndjson => {
                let mut out = Vec::with_capacity(page.len() * 512);
                for e in page {
                    serde_json::to_writer(&mut out, &AuditEvent::from(e))?;
                    out.push(b'\n');
                }
                Ok(Bytes::from(out))
            }
            Format::Csv => {
                let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
                for e in page {
                    let item = AuditEvent::from(e);
                    w.write_record([
                        item.position.to_string(),
                        defuse(&item.aggregate_type),
                        defuse(&item.aggregate_id),
                        item.sequence.to_string(),
                        defuse(&item.event_type),
                        defuse(&item.event_version),
                        item.at.as_deref().map(defuse).unwrap_or_default(),
                        defuse(&item.recorded_at),
                        item.actor.as_deref().map(defuse).unwrap_or_default(),
                        defuse(&item.data.to_string()),
                    ])?;
                }
                Ok(Bytes::from(w.into_inner().map_err(|e| e.into_error())?))
            }
        }
    }
}

/// A spreadsheet runs a cell starting with `=`, `+`, `-` or `@` as a formula: prefix `'` (the NDJSON
/// form keeps the text exact).
fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

fn file_response(format: Format, body: Body) -> Response {
    let (content_type, ext) = match format {
        Format::Ndjson => ("application/x-ndjson", "ndjson"),
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"santisuk-audit-log.{ext}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    // The log holds personal data: no shared cache may keep a copy.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Who read what: the access log, oldest first (auditor, admin).
#[utoipa::path(get, path = "/api/audit/access-log", tag = "audit", params(AccessQuery), security(("bearer" = [])),
    responses((status = 200, body = AccessPage), (status = 400, description = "`after` is not an entry id", body = ErrorBody),
        (status = 403, description = "not an auditor or administrator", body = ErrorBody),
        (status = 422, description = "an invalid limit", body = ErrorBody)))]
pub async fn access_log(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<AccessQuery>,
) -> Result<Json<AccessPage>, ApiError> {
    let (rows, next_cursor) = audit::access_log(&state, &ctx, q.after.as_deref(), q.limit.as_deref()).await?;
    Ok(Json(AccessPage { items: rows.into_iter().map(AccessView::from).collect(), next_cursor }))
}

/// The ledger's newest position and chain hash (auditor, admin). Keep `<position>:<chain_hash>`
/// somewhere the database's administrators cannot write, and verify against it later.
#[utoipa::path(get, path = "/api/audit/digest", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = DigestView), (status = 403, description = "not an auditor or administrator", body = ErrorBody)))]
pub async fn digest(State(state): State<AppState>, ctx: Ctx) -> Result<Json<DigestView>, ApiError> {
    let h = audit::digest(&state, &ctx).await?;
    Ok(Json(DigestView { position: h.position, chain_hash: h.chain_hash, recorded_at: h.recorded_at }))
}

/// Recomputes the hash chain from the events and compares it with the ledger and, if given, with a
/// digest handed out earlier (auditor, admin). Reads the log page by page; may take seconds.
#[utoipa::path(get, path = "/api/audit/verify", tag = "audit", params(VerifyQuery), security(("bearer" = [])),
    responses((status = 200, body = VerifyReport), (status = 403, description = "not an auditor or administrator", body = ErrorBody),
        (status = 422, description = "a malformed digest", body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<VerifyQuery>,
) -> Result<Json<VerifyReport>, ApiError> {
    Ok(Json(audit::verify(&state, &ctx, q.digest.as_deref()).await?.into()))
}
