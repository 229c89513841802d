//! Issues: raise, assign, address, close, reopen; the list, one issue, and its history.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use santisuk_domain::issue::{
    AddressIssue, AssignIssue, CloseIssue, Issue, IssueAction, IssueCommand, IssueError, IssueEvent, RaiseIssue,
    ReopenIssue,
};
use santisuk_domain::time::bangkok_date;
use santisuk_domain::values::{AreaId, Assignee, CategoryCode, ForumId, IssueStatus, Name, Outcome, Text, Title};
use santisuk_projections::commands::Committed;
use santisuk_projections::events;
use santisuk_projections::read_model::{self, IssueCursor, IssueFilter, IssueRow, Snapshot};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{clip, opt, parse_as_of, parse_at, parse_date};
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

/// Scopes idempotency keys: the issue id of a keyed raise is UUIDv5(this, "<user id>:<key>"), so a retry
/// targets the same aggregate and the event store itself refuses the duplicate, atomically.
const IDEMPOTENCY_NAMESPACE: Uuid = Uuid::from_u128(0x5a4e_7c1d_8b2f_4e6a_9d3c_1f0b_2a4c_6e8d);

// --- requests and replies -------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseIssueRequest {
    pub area_id: String,
    /// A category code, e.g. `INF`.
    pub category: String,
    pub title: String,
    pub description: Option<String>,
    /// The forum it was raised at, if any (must be in the same area).
    pub forum_id: Option<String>,
    /// Who raised it in the field (a group, a community leader).
    pub raised_by: Option<String>,
    /// When it was raised (RFC 3339); default now; never in the future.
    pub at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The person or agency now responsible.
    pub assignee: String,
    /// `YYYY-MM-DD`, not before the day of the assignment.
    pub due_on: Option<String>,
    pub note: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressRequest {
    /// What was done.
    pub action: String,
    pub note: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// `resolved` (only after an action), `unresolved`, `referred`, `duplicate` or `withdrawn`.
    pub outcome: String,
    pub note: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub reason: String,
    pub at: Option<String>,
}

/// The answer to every issue command.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommandReply {
    pub id: String,
    /// The issue's version after the command (use it in `If-Match`).
    pub version: i64,
    pub status: String,
    /// The global position of the event written.
    pub position: i64,
}

impl CommandReply {
    fn new(id: String, done: &Committed<Issue>) -> Self {
        let status = done.aggregate.status().map(|s| s.as_str()).unwrap_or_default().to_owned();
        CommandReply { id, version: done.version, status, position: done.position }
    }
}

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

fn issue_id(raw: &str) -> Result<String, ApiError> {
    Uuid::parse_str(raw).map(|u| u.to_string()).map_err(|_| ApiError::not_found("issue_not_found", "no such issue"))
}

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
    let now = now();
    let explicit_at = req.at.is_some();
    let raise = RaiseIssue {
        area: AreaId::parse(&req.area_id)?,
        category: CategoryCode::parse(&req.category)?,
        title: Title::parse(&req.title)?,
        description: opt(req.description.as_deref(), Text::parse)?,
        forum: opt(req.forum_id.as_deref(), |f| {
            Uuid::parse_str(f)
                .map(ForumId)
                .map_err(|_| ApiError::invalid("unknown_forum", format!("no forum {:?}", clip(f))))
        })?,
        raised_by: opt(req.raised_by.as_deref(), Name::parse)?,
        at: parse_at(req.at.as_deref(), now)?,
    };
    let (id, fresh) = match &key {
        Some(k) => (Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, format!("{}:{k}", ctx.user.id).as_bytes()), false),
        None => (Uuid::new_v4(), true),
    };
    let id = id.to_string();
    match raise_checked(&state, &ctx, id.clone(), fresh, raise.clone(), now).await {
        Ok(done) => Ok((StatusCode::CREATED, Json(CommandReply::new(id, &done)))),
        Err(ApiError::Conflict { code, .. }) if key.is_some() && code == IssueError::AlreadyRaised.code() => {
            replay_first_raise(&state, id, &raise, explicit_at).await
        }
        Err(e) => Err(e),
    }
}

/// Raises an issue with id `id` once the actor may raise in its area and its area, category and forum exist
/// (the command carries checked values only). Shared by the API and the web app's forum page. `fresh`: the
/// id is a random UUID made up for this request, so its (empty) history need not be read.
pub async fn raise_checked(
    state: &AppState,
    ctx: &Ctx,
    id: String,
    fresh: bool,
    raise: RaiseIssue,
    now: DateTime<Utc>,
) -> Result<Committed<Issue>, ApiError> {
    ctx.require_issue_writer()?;
    if !ctx.sees_area(raise.area.as_str()) {
        return Err(ApiError::forbidden(format!("you may raise issues only in your own areas, not in {}", raise.area)));
    }
    // The command carries checked values only: the area, category and forum must exist.
    let (area_known, category_known) =
        state.references.area_and_category_exist(&state.db, raise.area.as_str(), raise.category.as_str()).await?;
    if !area_known {
        return Err(ApiError::invalid("unknown_area", format!("no area {}", raise.area)));
    }
    if !category_known {
        return Err(ApiError::invalid("unknown_category", format!("no category {}", raise.category)));
    }
    if let Some(forum) = raise.forum {
        match read_model::get_forum(&state.db, &forum.to_string()).await? {
            None => return Err(ApiError::invalid("unknown_forum", format!("no forum {forum}"))),
            Some(f) if f.area_id != raise.area.as_str() => {
                return Err(ApiError::invalid(
                    "forum_in_other_area",
                    format!("forum {forum} was held in {}", f.area_id),
                ));
            }
            Some(_) => {}
        }
    }
    let command = IssueCommand { now, action: IssueAction::Raise(raise) };
    if fresh {
        state.aggregates.expect_new::<Issue>(&id);
    }
    state.command::<Issue>(id, command, ctx.metadata(), None).await
}

/// The answer the first request with this idempotency key got, if this request is the same one.
async fn replay_first_raise(
    state: &AppState,
    id: String,
    raise: &RaiseIssue,
    explicit_at: bool,
) -> Result<(StatusCode, Json<CommandReply>), ApiError> {
    let history = events::aggregate_history(&state.db, "Issue", &id).await?;
    let first = history.first().ok_or_else(|| ApiError::Internal("keyed issue has no events".into()))?;
    let stored: IssueEvent =
        serde_json::from_value(first.payload.clone()).map_err(|e| ApiError::Internal(e.to_string()))?;
    let IssueEvent::IssueRaised { area_id, category, title, description, forum_id, raised_by, at } = stored else {
        return Err(ApiError::Internal("first event of an issue is not IssueRaised".into()));
    };
    let same = area_id == raise.area
        && category == raise.category
        && title == raise.title
        && description == raise.description
        && forum_id == raise.forum
        && raised_by == raise.raised_by
        && (!explicit_at || at == raise.at);
    if !same {
        return Err(ApiError::invalid(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request",
        ));
    }
    let reply = CommandReply {
        id,
        version: first.sequence,
        status: IssueStatus::Raised.as_str().to_owned(),
        position: first.position,
    };
    Ok((StatusCode::CREATED, Json(reply)))
}

/// Runs an action on an existing issue for `ctx`, refusing another area's issue to a coordinator; with
/// `expected`, only if the issue is still at that version. Shared by the API and the web app.
pub async fn act(
    state: &AppState,
    ctx: &Ctx,
    raw_id: &str,
    action: IssueAction,
    now: DateTime<Utc>,
    expected: Option<i64>,
) -> Result<Committed<Issue>, ApiError> {
    ctx.require_issue_writer()?;
    let id = issue_id(raw_id)?;
    if ctx.visible_areas().is_some() {
        // A coordinator acts only in their own areas. (An unknown issue falls through to the aggregate,
        // which answers 404.)
        if let Some(row) = read_model::get_issue(&state.db, &id).await? {
            if !ctx.sees_area(&row.area_id) {
                return Err(ApiError::forbidden(format!(
                    "you may act only on issues in your own areas, not in {}",
                    row.area_id
                )));
            }
        }
    }
    state.command::<Issue>(id, IssueCommand { now, action }, ctx.metadata(), expected).await
}

async fn act_api(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    raw_id: &str,
    action: IssueAction,
    now: DateTime<Utc>,
) -> Result<Json<CommandReply>, ApiError> {
    let expected = if_match(headers)?;
    let done = act(state, ctx, raw_id, action, now, expected).await?;
    Ok(Json(CommandReply::new(issue_id(raw_id)?, &done)))
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
    ctx.require_issue_writer()?;
    let now = now();
    let action = IssueAction::Assign(AssignIssue {
        assignee: Assignee::parse(&req.assignee)?,
        due_on: opt(req.due_on.as_deref(), |d| parse_date("due_on", d))?,
        note: opt(req.note.as_deref(), Text::parse)?,
        at: parse_at(req.at.as_deref(), now)?,
    });
    act_api(&state, &ctx, &headers, &id, action, now).await
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
    ctx.require_issue_writer()?;
    let now = now();
    let action = IssueAction::Address(AddressIssue {
        action: Text::parse(&req.action)?,
        note: opt(req.note.as_deref(), Text::parse)?,
        at: parse_at(req.at.as_deref(), now)?,
    });
    act_api(&state, &ctx, &headers, &id, action, now).await
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
    ctx.require_issue_writer()?;
    let now = now();
    let action = IssueAction::Close(CloseIssue {
        outcome: Outcome::parse(&req.outcome)?,
        note: opt(req.note.as_deref(), Text::parse)?,
        at: parse_at(req.at.as_deref(), now)?,
    });
    act_api(&state, &ctx, &headers, &id, action, now).await
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
    ctx.require_issue_writer()?;
    let now = now();
    let action =
        IssueAction::Reopen(ReopenIssue { reason: Text::parse(&req.reason)?, at: parse_at(req.at.as_deref(), now)? });
    act_api(&state, &ctx, &headers, &id, action, now).await
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
    ctx.record_read(&state.db, "issue_history", Some(&id), serde_json::json!({})).await?;
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
