//! Issues: raise, assign, address, close, reopen, correct; the list, one issue, and its history.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use santisuk_app::issues::{self, IssueRow};
pub use santisuk_app::issues::{
    ActionRequest, AddressRequest, AssignRequest, CloseRequest, CommandReply, CorrectRequest, ListParams, ListQuery,
    RaiseIssueRequest, ReopenRequest, RestrictRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery, idempotency_key, if_match};
use crate::state::{AppState, now};
use santisuk_app::parse::parse_as_of;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/issues", get(list).post(raise))
        .route("/api/issues/{id}", get(get_one))
        .route("/api/issues/{id}/history", get(history))
        .route("/api/issues/{id}/assign", post(assign))
        .route("/api/issues/{id}/address", post(address))
        .route("/api/issues/{id}/close", post(close))
        .route("/api/issues/{id}/reopen", post(reopen))
        .route("/api/issues/{id}/correct", post(correct))
        .route("/api/issues/{id}/restrict", post(restrict))
}

// --- replies --------------------------------------------------------------------------------------------

/// One issue as the read model holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueView {
    pub id: String,
    /// `PTN-2569-00123`: province, Buddhist-Era year, running number; also accepted in place of the id in
    /// URLs. `null` for issues raised before case numbers.
    #[schema(value_type = Option<santisuk_app::schema::CaseNumber>)]
    pub case_number: Option<String>,
    pub area_id: String,
    pub category: String,
    pub title: String,
    pub description: Option<String>,
    pub forum_id: Option<String>,
    pub raised_by: Option<String>,
    #[schema(value_type = santisuk_app::schema::IssueStatus)]
    pub status: String,
    pub assignee: Option<String>,
    pub due_on: Option<String>,
    /// How it was closed, while closed.
    #[schema(value_type = Option<santisuk_app::schema::Outcome>)]
    pub outcome: Option<String>,
    /// `at` of `IssueRaised`.
    pub raised_at: String,
    /// `at` of the last `IssueClosed`, while closed.
    pub closed_at: Option<String>,
    /// Whether the case itself is marked restricted (`POST /api/issues/{id}/restrict`); it is restricted
    /// too while its category is (`restricted` in `/api/categories`).
    pub restricted: bool,
    /// `community`, or `obstacle` for a coordinator's own obstacle (`/api/obstacles`).
    #[schema(value_type = santisuk_app::schema::IssueKind)]
    pub kind: String,
    /// The agency the last assignment referred the problem to (`/api/agencies`); `null`: none.
    #[schema(format = Uuid)]
    pub agency_id: Option<String>,
    /// Who the problem waits for now (`sbpac`, `agency`, `community`); `null` while closed.
    #[schema(value_type = Option<santisuk_app::schema::Party>)]
    pub waiting_for: Option<String>,
    /// How far up the chain the problem has been escalated for passing its category's service level
    /// (issue #17 §2): 0 the district coordinator, 1 the provincial office, 2 the SBPAC centre.
    pub escalation_level: i64,
    /// Who is responsible at that level (`null` at level 0).
    pub responsible: Option<String>,
    /// `assignment` or `resolution` when the problem is past that limit of its category's service level
    /// (at `as_of` when given); `null` when it is not.
    pub overdue: Option<String>,
    /// Issue #17: the original, while the problem is marked a duplicate of it (`/api/issues/{id}/duplicates`
    /// lists an original's duplicates).
    pub duplicate_of: Option<String>,
    /// Issue #17: the community's verdict on the current closure (`confirmed`, `disputed`, `not_asked`) and
    /// the forum it was given at; `null` when none.
    pub verdict: Option<String>,
    pub verdict_forum_id: Option<String>,
    pub version: i64,
    /// The complainant's record, when the problem names one and the caller's role reads personal data
    /// (admin, staff, the coordinator of its area; never auditors). Reading it is recorded in the access log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complainant: Option<santisuk_app::privacy::PersonView>,
}

impl From<IssueRow> for IssueView {
    fn from(r: IssueRow) -> Self {
        IssueView {
            id: r.id,
            case_number: r.case_number,
            area_id: r.area_id,
            category: r.category,
            title: r.title,
            description: r.description,
            forum_id: r.forum_id,
            raised_by: r.raised_by,
            status: r.status.as_str().to_owned(),
            assignee: r.assignee,
            due_on: r.due_on,
            outcome: r.outcome,
            raised_at: r.raised_at,
            closed_at: r.closed_at,
            restricted: r.restricted,
            kind: r.kind.as_str().to_owned(),
            agency_id: r.agency_id,
            waiting_for: r.waiting_for,
            escalation_level: r.escalation_level,
            responsible: r.responsible,
            overdue: None,
            duplicate_of: r.duplicate_of,
            verdict: r.verdict,
            verdict_forum_id: r.verdict_forum_id,
            version: r.version,
            complainant: None,
        }
    }
}

impl IssueView {
    /// The view with `overdue` as the service levels in force say at `at` (issue #17 §2).
    fn at(
        r: IssueRow,
        levels: &std::collections::BTreeMap<String, santisuk_domain::service_level::ServiceLevel>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> IssueView {
        let level = levels.get(&r.category).copied().unwrap_or_default();
        let overdue = r.overdue(&level, at).map(|b| b.as_str().to_owned());
        IssueView { overdue, ..r.into() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuePage {
    pub items: Vec<IssueView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub sequence: i64,
    pub position: i64,
    pub event_type: String,
    pub event_version: String,
    /// When it happened in the field.
    pub at: Option<String>,
    /// When it was stored.
    pub recorded_at: String,
    pub actor: Option<String>,
    pub request_id: Option<String>,
    /// The event's fields as stored (the stored JSON text, passed through).
    #[schema(value_type = Object)]
    pub data: Box<serde_json::value::RawValue>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    pub items: Vec<HistoryEntry>,
    /// The `after` of the next page; absent on the last one.
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// The `sequence` of the last event seen (the previous page's `next_cursor`); from the first when absent.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub after: Option<String>,
    /// Events per page, 1–1000 (default 1000).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
}

// --- commands -------------------------------------------------------------------------------------------

/// Raises an issue in an area (admin, staff, coordinator). With `Idempotency-Key`, a retry returns the
/// first answer and creates nothing.
#[utoipa::path(post, path = "/api/issues", tag = "issues", request_body = RaiseIssueRequest,
    security(("bearer" = [])),
    params(IdempotencyKey),
    responses((status = 201, description = "raised (or, for a repeated key, the first answer)", body = CommandReply),
        (status = 400, description = "a malformed body or Idempotency-Key", body = ErrorBody),
        (status = 403, description = "a reader, or a coordinator outside their areas", body = ErrorBody),
        (status = 404, description = "`complainant.subject_id` names no person record (`unknown_subject`)", body = ErrorBody),
        (status = 409, description = "`complainant.subject_id` names a person whose data was erased (`already_erased`)", body = ErrorBody),
        (status = 422, description = "an invalid value, an area, category or forum that does not exist, `at` in \
            the future, a reused Idempotency-Key; a complainant with both `subject_id` and details, without a \
            name, or with a phone or national id that does not check", body = ErrorBody)))]
pub async fn raise(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppJson(req): AppJson<RaiseIssueRequest>,
) -> Result<(StatusCode, Json<CommandReply>), ApiError> {
    ctx.require_issue_writer()?;
    let key = idempotency_key(&headers)?;
    Ok((StatusCode::CREATED, Json(issues::raise(&state, &ctx, req, key).await?)))
}

async fn act(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    raw_id: &str,
    request: ActionRequest,
) -> Result<Json<CommandReply>, ApiError> {
    ctx.require_issue_writer()?;
    let expected = if_match(headers)?;
    let key = idempotency_key(headers)?;
    Ok(Json(issues::act_on_request(state, ctx, raw_id, request, expected, key).await?))
}

/// Assigns (or re-assigns) an issue.
#[utoipa::path(post, path = "/api/issues/{id}/assign", tag = "issues", request_body = AssignRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "issue id"), IfMatch, IdempotencyKey),
    responses((status = 200, body = CommandReply), (status = 400, description = "a malformed body or If-Match", body = ErrorBody),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such issue (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 409, description = "the issue's state forbids it, or it is no longer at the If-Match version", body = ErrorBody),
        (status = 422, description = "an invalid value, `at` in the future or before the raise", body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<AssignRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    act(&state, &ctx, &headers, &id, ActionRequest::Assign(req)).await
}

/// Records an action taken on an assigned issue.
#[utoipa::path(post, path = "/api/issues/{id}/address", tag = "issues", request_body = AddressRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "issue id"), IfMatch, IdempotencyKey),
    responses((status = 200, body = CommandReply), (status = 400, description = "a malformed body or If-Match", body = ErrorBody),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such issue (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 409, description = "the issue's state forbids it, or it is no longer at the If-Match version", body = ErrorBody),
        (status = 422, description = "an invalid value, `at` in the future or before the raise", body = ErrorBody)))]
pub async fn address(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<AddressRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    act(&state, &ctx, &headers, &id, ActionRequest::Address(req)).await
}

/// Closes an issue with an outcome.
#[utoipa::path(post, path = "/api/issues/{id}/close", tag = "issues", request_body = CloseRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "issue id"), IfMatch, IdempotencyKey),
    responses((status = 200, body = CommandReply), (status = 400, description = "a malformed body or If-Match", body = ErrorBody),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such issue (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 409, description = "the issue's state forbids it, or it is no longer at the If-Match version", body = ErrorBody),
        (status = 422, description = "an invalid value, `at` in the future or before the raise", body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<CloseRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    act(&state, &ctx, &headers, &id, ActionRequest::Close(req)).await
}

/// Reopens a closed issue.
#[utoipa::path(post, path = "/api/issues/{id}/reopen", tag = "issues", request_body = ReopenRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "issue id"), IfMatch, IdempotencyKey),
    responses((status = 200, body = CommandReply), (status = 400, description = "a malformed body or If-Match", body = ErrorBody),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such issue (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 409, description = "the issue's state forbids it, or it is no longer at the If-Match version", body = ErrorBody),
        (status = 422, description = "an invalid value, `at` in the future or before the raise", body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<ReopenRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    act(&state, &ctx, &headers, &id, ActionRequest::Reopen(req)).await
}

/// Corrects the title, description or category recorded at the raise, with a reason; in any status. The
/// history keeps what each field was before and after; statistics count the problem in its new category.
#[utoipa::path(post, path = "/api/issues/{id}/correct", tag = "issues", request_body = CorrectRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "issue id"), IfMatch, IdempotencyKey),
    responses((status = 200, body = CommandReply), (status = 400, description = "a malformed body or If-Match", body = ErrorBody),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such issue (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 409, description = "it is no longer at the If-Match version", body = ErrorBody),
        (status = 422, description = "an invalid value, an unknown category, nothing changed, or `at` in the future or before the raise", body = ErrorBody)))]
pub async fn correct(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<CorrectRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    act(&state, &ctx, &headers, &id, ActionRequest::Correct(req)).await
}

/// Marks the case restricted, or lifts the mark, with a reason (writers who may read the case). While it is
/// restricted (by its mark or its category's), its details are shown only to admins, to staff and auditors
/// granted its category, and to whoever raised it; to anyone else it answers 404 like an id no issue has
/// and is absent from every list, search and export, and statistics count it only in groups holding at
/// least the server's small-cell threshold of such cases.
#[utoipa::path(post, path = "/api/issues/{id}/restrict", tag = "issues", request_body = RestrictRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "issue id"), IfMatch, IdempotencyKey),
    responses((status = 200, body = CommandReply), (status = 400, description = "a malformed body or If-Match", body = ErrorBody),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such issue (or one the caller may not read: another area's to a coordinator, \
            a restricted one not granted)", body = ErrorBody),
        (status = 409, description = "the mark is already as asked (`restriction_unchanged`), or the issue is no \
            longer at the If-Match version", body = ErrorBody),
        (status = 422, description = "an empty reason, `at` in the future or before the raise", body = ErrorBody)))]
pub async fn restrict(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<RestrictRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    act(&state, &ctx, &headers, &id, ActionRequest::Restrict(req)).await
}

// --- queries --------------------------------------------------------------------------------------------

/// Lists issues, newest raised first, with filters and cursor pagination.
#[utoipa::path(get, path = "/api/issues", operation_id = "list_issues", tag = "issues", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = IssuePage), (status = 400, description = "a cursor this server did not issue", body = ErrorBody),
        (status = 422, description = "an invalid filter, limit or `as_of`", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ListQuery>,
) -> Result<Json<IssuePage>, ApiError> {
    let params = ListParams::parse(q, &ctx, now())?;
    let (rows, next) = issues::list(&state, &ctx, &params).await?;
    let levels = santisuk_app::escalation::service_levels(&state).await?;
    let at = params.as_of.unwrap_or_else(now);
    Ok(Json(IssuePage {
        items: rows.into_iter().map(|r| IssueView::at(r, &levels, at)).collect(),
        next_cursor: next.map(|c| c.encode()),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OneQuery {
    /// RFC 3339: answer as the log stood at this recorded instant (not in the future).
    #[param(format = DateTime)]
    pub as_of: Option<String>,
}

/// `Idempotency-Key` (`extract::idempotency_key`): makes retries of a raise, an action or a forum safe.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// 1–255 visible ASCII characters, a fresh one for each new issue: a retry with the same key returns the
    /// first answer and creates nothing; the same key with another request is refused (422).
    #[param(rename = "Idempotency-Key", value_type = String, required = false, pattern = r"^[\x21-\x7E]{1,255}$")]
    pub key: Option<String>,
}

/// `If-Match` (`extract::if_match`): the version the issue must still be at, bare or as an entity tag.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The issue's expected version, e.g. `3` or `"3"`; if it has moved on, 409 `stale_version`.
    #[param(rename = "If-Match", value_type = String, required = false, pattern = r#"^(W/)?"?[0-9]{1,18}"?$"#)]
    pub if_match: Option<String>,
}

/// One issue.
#[utoipa::path(get, path = "/api/issues/{id}", tag = "issues",
    params(("id" = String, Path, format = Uuid, description = "issue id"), OneQuery), security(("bearer" = [])),
    responses((status = 200, body = IssueView),
        (status = 404, description = "no such issue (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 422, description = "an invalid `as_of`", body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppQuery(q): AppQuery<OneQuery>,
) -> Result<Json<IssueView>, ApiError> {
    let as_of = parse_as_of(q.as_of.as_deref(), now())?;
    let row = issues::get(&state, &ctx, &id, as_of).await?;
    let complainant = santisuk_app::privacy::complainant_for_issue(&state, &ctx, &row.id).await?;
    let levels = santisuk_app::escalation::service_levels(&state).await?;
    Ok(Json(IssueView { complainant, ..IssueView::at(row, &levels, as_of.unwrap_or_else(now)) }))
}

/// The events of an issue, in order, a page at a time: what happened, when, recorded when, by whom.
#[utoipa::path(get, path = "/api/issues/{id}/history", tag = "issues",
    params(("id" = String, Path, format = Uuid, description = "issue id"), HistoryQuery), security(("bearer" = [])),
    responses((status = 200, body = History), (status = 400, description = "`after` is not a sequence", body = ErrorBody),
        (status = 404, description = "no such issue (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 422, description = "an invalid limit", body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppQuery(q): AppQuery<HistoryQuery>,
) -> Result<Json<History>, ApiError> {
    let (page, next_cursor) = issues::history(&state, &ctx, &id, q.after.as_deref(), q.limit.as_deref()).await?;
    let items = page
        .into_iter()
        .map(|e| HistoryEntry {
            sequence: e.sequence,
            position: e.position,
            event_type: e.event_type,
            event_version: e.event_version,
            at: e.at,
            recorded_at: e.recorded_at,
            actor: e.actor,
            request_id: e.request_id,
            data: e.data,
        })
        .collect();
    Ok(Json(History { items, next_cursor }))
}
