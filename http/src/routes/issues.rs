//! Issues: raise, assign, address, close, reopen; the list, one issue, and its history.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use santisuk_app::issues::{self, issue_id};
pub use santisuk_app::issues::{
    ActionRequest, AddressRequest, AssignRequest, CloseRequest, CommandReply, RaiseIssueRequest, ReopenRequest,
};
use santisuk_domain::time::bangkok_date;
use santisuk_domain::values::IssueStatus;
use santisuk_projections::read_model::{self, IssueCursor, IssueFilter, IssueRow, Snapshot};
use santisuk_store::events;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{opt, parse_as_of};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath, AppQuery, idempotency_key, if_match};
use crate::state::{AppState, now};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/issues", get(list).post(raise))
        .route("/api/issues/{id}", get(get_one))
        .route("/api/issues/{id}/history", get(history))
        .route("/api/issues/{id}/assign", post(assign))
        .route("/api/issues/{id}/address", post(address))
        .route("/api/issues/{id}/close", post(close))
        .route("/api/issues/{id}/reopen", post(reopen))
}

// --- replies --------------------------------------------------------------------------------------------

/// One issue as the read model holds it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssueView {
    pub id: String,
    pub area_id: String,
    pub category: String,
    pub title: String,
    pub description: Option<String>,
    pub forum_id: Option<String>,
    pub raised_by: Option<String>,
    pub status: String,
    pub assignee: Option<String>,
    pub due_on: Option<String>,
    pub outcome: Option<String>,
    /// `at` of `IssueRaised`.
    pub raised_at: String,
    /// `at` of the last `IssueClosed`, while closed.
    pub closed_at: Option<String>,
    pub version: i64,
}

impl From<IssueRow> for IssueView {
    fn from(r: IssueRow) -> Self {
        IssueView {
            id: r.id,
            area_id: r.area_id,
            category: r.category,
            title: r.title,
            description: r.description,
            forum_id: r.forum_id,
            raised_by: r.raised_by,
            status: r.status,
            assignee: r.assignee,
            due_on: r.due_on,
            outcome: r.outcome,
            raised_at: r.raised_at,
            closed_at: r.closed_at,
            version: r.version,
        }
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
}

// --- commands -------------------------------------------------------------------------------------------

/// Raises an issue in an area (admin, staff, coordinator). With `Idempotency-Key`, a retry returns the
/// first answer and creates nothing.
#[utoipa::path(post, path = "/api/issues", tag = "issues", request_body = RaiseIssueRequest,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = CommandReply), (status = 400, body = crate::error::ErrorBody),
        (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
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
    Ok(Json(issues::act_on_request(state, ctx, raw_id, request, expected).await?))
}

/// Assigns (or re-assigns) an issue.
#[utoipa::path(post, path = "/api/issues/{id}/assign", tag = "issues", request_body = AssignRequest,
    security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "expected version")),
    responses((status = 200, body = CommandReply), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
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
    security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "expected version")),
    responses((status = 200, body = CommandReply), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
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
    security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "expected version")),
    responses((status = 200, body = CommandReply), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
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
    security(("bearer" = [])),
    params(("id" = String, Path), ("If-Match" = Option<String>, Header, description = "expected version")),
    responses((status = 200, body = CommandReply), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<ReopenRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    act(&state, &ctx, &headers, &id, ActionRequest::Reopen(req)).await
}

// --- queries --------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ListQuery {
    pub area_id: Option<String>,
    pub category: Option<String>,
    /// `raised`, `assigned`, `addressed` or `closed`.
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub amphoe_code: Option<String>,
    pub province_code: Option<String>,
    /// `true`: only open issues past their due date.
    pub overdue: Option<String>,
    /// 1–500, default 50.
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// RFC 3339: answer as the log stood at this recorded instant.
    pub as_of: Option<String>,
}

/// Lists issues, newest raised first, with filters and cursor pagination.
#[utoipa::path(get, path = "/api/issues", tag = "issues", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = IssuePage), (status = 400, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ListQuery>,
) -> Result<Json<IssuePage>, ApiError> {
    let p = ListParams::parse(q, &ctx, now())?;
    let (rows, next) = match p.as_of {
        None => read_model::list_issues(&state.db, &p.filter, p.limit, p.cursor.as_ref()).await?,
        Some(t) => Snapshot::as_of(&state.db, t).await?.list_issues(&p.filter, p.limit, p.cursor.as_ref()),
    };
    Ok(Json(IssuePage {
        items: rows.into_iter().map(IssueView::from).collect(),
        next_cursor: next.map(|c| c.encode()),
    }))
}

/// The issue-list query, checked: shared by the JSON list and its exports.
#[derive(Debug, Clone)]
pub struct ListParams {
    /// The filters, with the caller's area scope applied.
    pub filter: IssueFilter,
    pub limit: i64,
    pub cursor: Option<IssueCursor>,
    pub as_of: Option<DateTime<Utc>>,
}

impl ListParams {
    pub fn parse(q: ListQuery, ctx: &Ctx, now: DateTime<Utc>) -> Result<ListParams, ApiError> {
        let as_of = parse_as_of(q.as_of.as_deref(), now)?;
        let limit: i64 = match q.limit.as_deref() {
            None => 50,
            Some(raw) => raw
                .parse()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or_else(|| ApiError::invalid("bad_limit", "limit must be a whole number from 1 to 500"))?,
        };
        let cursor = opt(q.cursor.as_deref(), |c| {
            IssueCursor::decode(c)
                .ok_or_else(|| ApiError::bad_request("bad_cursor", "cursor is not one this server issued"))
        })?;
        if let Some(status) = &q.status {
            IssueStatus::parse(status)?;
        }
        let overdue = match q.overdue.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(ApiError::invalid("bad_overdue", "overdue must be true or false")),
        };
        let filter = IssueFilter {
            area_id: q.area_id,
            category: q.category,
            status: q.status,
            assignee: q.assignee,
            amphoe_code: q.amphoe_code,
            province_code: q.province_code,
            overdue_before: overdue.then(|| bangkok_date(as_of.unwrap_or(now)).to_string()),
            areas: ctx.visible_areas(),
        };
        Ok(ListParams { filter, limit, cursor, as_of })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OneQuery {
    /// RFC 3339: answer as the log stood at this recorded instant.
    pub as_of: Option<String>,
}

/// One issue.
#[utoipa::path(get, path = "/api/issues/{id}", tag = "issues", params(("id" = String, Path), OneQuery),
    security(("bearer" = [])),
    responses((status = 200, body = IssueView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppQuery(q): AppQuery<OneQuery>,
) -> Result<Json<IssueView>, ApiError> {
    let id = issue_id(&id)?;
    let row = match parse_as_of(q.as_of.as_deref(), now())? {
        None => read_model::get_issue(&state.db, &id).await?,
        Some(t) => Snapshot::as_of(&state.db, t).await?.issues.remove(&id),
    };
    // Another area's issue is "not found" to a coordinator: its existence is not theirs to know.
    row.filter(|r| ctx.sees_area(&r.area_id))
        .map(|r| Json(r.into()))
        .ok_or_else(|| ApiError::not_found("issue_not_found", "no such issue"))
}

/// Every event of an issue, in order: what happened, when, recorded when, by whom.
#[utoipa::path(get, path = "/api/issues/{id}/history", tag = "issues", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = History), (status = 404, body = crate::error::ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<History>, ApiError> {
    let id = issue_id(&id)?;
    let stored = events::issue_history(&state.db, &id).await?;
    let area = stored.first().and_then(|e| e.area_id.as_deref());
    if !area.is_some_and(|a| ctx.sees_area(a)) {
        return Err(ApiError::not_found("issue_not_found", "no such issue"));
    }
    ctx.record_read(&state, "issue_history", Some(&id), serde_json::json!({})).await?;
    let items = stored
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
    Ok(Json(History { items }))
}
