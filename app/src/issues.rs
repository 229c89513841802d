//! Issue use cases: raise (with idempotency), and the actions on an existing issue (assign, address,
//! close, reopen), with the caller's role and area scope decided here, and the conversion of a request
//! into the domain command shared by the API and the web app.

use chrono::{DateTime, Utc};
use santisuk_domain::issue::{
    AddressIssue, AssignIssue, CloseIssue, Issue, IssueAction, IssueCommand, IssueError, IssueEvent, RaiseIssue,
    ReopenIssue,
};
use santisuk_domain::values::{AreaId, Assignee, CategoryCode, ForumId, IssueStatus, Name, Outcome, Text, Title};
use santisuk_projections::read_model;
use santisuk_store::events;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::Caller;
use crate::command::Committed;
use crate::error::AppError;
use crate::parse::{clip, opt, parse_at, parse_date};
use crate::{AppState, now};

/// Scopes idempotency keys: the issue id of a keyed raise is UUIDv5(this, "<user id>:<key>"), so a retry
/// targets the same aggregate and the event store itself refuses the duplicate, atomically.
const IDEMPOTENCY_NAMESPACE: Uuid = Uuid::from_u128(0x5a4e_7c1d_8b2f_4e6a_9d3c_1f0b_2a4c_6e8d);

// --- requests -------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The person or agency now responsible.
    pub assignee: String,
    /// `YYYY-MM-DD`, not before the day of the assignment.
    pub due_on: Option<String>,
    pub note: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressRequest {
    /// What was done.
    pub action: String,
    pub note: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// `resolved` (only after an action), `unresolved`, `referred`, `duplicate` or `withdrawn`.
    pub outcome: String,
    pub note: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub reason: String,
    pub at: Option<String>,
}

/// An action on an existing issue, as requested.
#[derive(Debug, Clone)]
pub enum ActionRequest {
    Assign(AssignRequest),
    Address(AddressRequest),
    Close(CloseRequest),
    Reopen(ReopenRequest),
}

/// The fields of a request that did not convert, each with its error, in the order of the request's fields.
pub type FieldErrors = Vec<(&'static str, AppError)>;

/// Collects the error of one field, keeping the conversion going so that every bad field is reported.
fn field<T, E: Into<AppError>>(errors: &mut FieldErrors, name: &'static str, r: Result<T, E>) -> Option<T> {
    r.map_err(|e| errors.push((name, e.into()))).ok()
}

impl ActionRequest {
    /// The domain action, or every field that is wrong. `now` is when the request arrived: `at` defaults to it.
    pub fn into_action(self, now: DateTime<Utc>) -> Result<IssueAction, FieldErrors> {
        let mut e = FieldErrors::new();
        let action = match self {
            ActionRequest::Assign(r) => {
                let assignee = field(&mut e, "assignee", Assignee::parse(&r.assignee));
                let due_on = field(&mut e, "due_on", opt(r.due_on.as_deref(), |d| parse_date("due_on", d)));
                let note = field(&mut e, "note", opt(r.note.as_deref(), Text::parse));
                let at = field(&mut e, "at", parse_at(r.at.as_deref(), now));
                match (assignee, due_on, note, at) {
                    (Some(assignee), Some(due_on), Some(note), Some(at)) => {
                        Some(IssueAction::Assign(AssignIssue { assignee, due_on, note, at }))
                    }
                    _ => None,
                }
            }
            ActionRequest::Address(r) => {
                let action = field(&mut e, "action", Text::parse(&r.action));
                let note = field(&mut e, "note", opt(r.note.as_deref(), Text::parse));
                let at = field(&mut e, "at", parse_at(r.at.as_deref(), now));
                match (action, note, at) {
                    (Some(action), Some(note), Some(at)) => {
                        Some(IssueAction::Address(AddressIssue { action, note, at }))
                    }
                    _ => None,
                }
            }
            ActionRequest::Close(r) => {
                let outcome = field(&mut e, "outcome", Outcome::parse(r.outcome.trim()));
                let note = field(&mut e, "note", opt(r.note.as_deref(), Text::parse));
                let at = field(&mut e, "at", parse_at(r.at.as_deref(), now));
                match (outcome, note, at) {
                    (Some(outcome), Some(note), Some(at)) => Some(IssueAction::Close(CloseIssue { outcome, note, at })),
                    _ => None,
                }
            }
            ActionRequest::Reopen(r) => {
                let reason = field(&mut e, "reason", Text::parse(&r.reason));
                let at = field(&mut e, "at", parse_at(r.at.as_deref(), now));
                match (reason, at) {
                    (Some(reason), Some(at)) => Some(IssueAction::Reopen(ReopenIssue { reason, at })),
                    _ => None,
                }
            }
        };
        match action {
            Some(a) if e.is_empty() => Ok(a),
            _ => Err(e),
        }
    }
}

/// The first error of a conversion (what the API answers).
pub fn first(mut errors: FieldErrors) -> AppError {
    if errors.is_empty() {
        AppError::Internal("a conversion failed without an error".into())
    } else {
        errors.remove(0).1
    }
}

impl RaiseIssueRequest {
    /// The domain command (checked values only; whether the area, category and forum exist is checked by
    /// [`raise`]).
    pub fn into_raise(self, now: DateTime<Utc>) -> Result<RaiseIssue, AppError> {
        Ok(RaiseIssue {
            area: AreaId::parse(&self.area_id)?,
            category: CategoryCode::parse(&self.category)?,
            title: Title::parse(&self.title)?,
            description: opt(self.description.as_deref(), Text::parse)?,
            forum: opt(self.forum_id.as_deref(), |f| {
                Uuid::parse_str(f)
                    .map(ForumId)
                    .map_err(|_| AppError::invalid("unknown_forum", format!("no forum {:?}", clip(f))))
            })?,
            raised_by: opt(self.raised_by.as_deref(), Name::parse)?,
            at: parse_at(self.at.as_deref(), now)?,
        })
    }
}

// --- replies --------------------------------------------------------------------------------------------

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

// --- use cases ------------------------------------------------------------------------------------------

/// An issue id from a request: an unknown or malformed one is "no such issue".
pub fn issue_id(raw: &str) -> Result<String, AppError> {
    Uuid::parse_str(raw).map(|u| u.to_string()).map_err(|_| AppError::not_found("issue_not_found", "no such issue"))
}

/// Raises an issue (admin, staff, coordinator in their areas). With an idempotency key, a retry of the same
/// request returns the first answer and creates nothing; the same key with a different request is refused.
pub async fn raise(
    state: &AppState,
    caller: &Caller,
    req: RaiseIssueRequest,
    idempotency_key: Option<String>,
) -> Result<CommandReply, AppError> {
    caller.require_issue_writer()?;
    let now = now();
    let explicit_at = req.at.is_some();
    let raise = req.into_raise(now)?;
    let (id, fresh) = match &idempotency_key {
        Some(k) => (Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, format!("{}:{k}", caller.user.id).as_bytes()), false),
        None => (Uuid::new_v4(), true),
    };
    let id = id.to_string();
    match raise_checked(state, caller, id.clone(), fresh, raise.clone(), now).await {
        Ok(done) => Ok(CommandReply::new(id, &done)),
        Err(AppError::Conflict { code, .. })
            if idempotency_key.is_some() && code == IssueError::AlreadyRaised.code() =>
        {
            replay_first_raise(state, id, &raise, explicit_at).await
        }
        Err(e) => Err(e),
    }
}

/// Raises an issue with id `id` once the caller may raise in its area and its area, category and forum
/// exist (the command carries checked values only). Shared by [`raise`] and the web app's forum page.
/// `fresh`: the id is a random UUID made up for this request, so its (empty) history need not be read.
pub async fn raise_checked(
    state: &AppState,
    caller: &Caller,
    id: String,
    fresh: bool,
    raise: RaiseIssue,
    now: DateTime<Utc>,
) -> Result<Committed<Issue>, AppError> {
    caller.require_issue_writer()?;
    if !caller.sees_area(raise.area.as_str()) {
        return Err(AppError::forbidden(format!("you may raise issues only in your own areas, not in {}", raise.area)));
    }
    let (area_known, category_known) =
        state.references.area_and_category_exist(&state.db, raise.area.as_str(), raise.category.as_str()).await?;
    if !area_known {
        return Err(AppError::invalid("unknown_area", format!("no area {}", raise.area)));
    }
    if !category_known {
        return Err(AppError::invalid("unknown_category", format!("no category {}", raise.category)));
    }
    if let Some(forum) = raise.forum {
        match read_model::get_forum(&state.db, &forum.to_string()).await? {
            None => return Err(AppError::invalid("unknown_forum", format!("no forum {forum}"))),
            Some(f) if f.area_id != raise.area.as_str() => {
                return Err(AppError::invalid(
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
    state.command::<Issue>(id, command, caller.metadata(), None).await
}

/// The answer the first request with this idempotency key got, if this request is the same one.
async fn replay_first_raise(
    state: &AppState,
    id: String,
    raise: &RaiseIssue,
    explicit_at: bool,
) -> Result<CommandReply, AppError> {
    let history = events::aggregate_history(&state.db, "Issue", &id).await?;
    let first = history.first().ok_or_else(|| AppError::Internal("keyed issue has no events".into()))?;
    let stored: IssueEvent =
        serde_json::from_value(first.payload.clone()).map_err(|e| AppError::Internal(e.to_string()))?;
    let IssueEvent::IssueRaised { area_id, category, title, description, forum_id, raised_by, at } = stored else {
        return Err(AppError::Internal("first event of an issue is not IssueRaised".into()));
    };
    let same = area_id == raise.area
        && category == raise.category
        && title == raise.title
        && description == raise.description
        && forum_id == raise.forum
        && raised_by == raise.raised_by
        && (!explicit_at || at == raise.at);
    if !same {
        return Err(AppError::invalid(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request",
        ));
    }
    Ok(CommandReply {
        id,
        version: first.sequence,
        status: IssueStatus::Raised.as_str().to_owned(),
        position: first.position,
    })
}

/// Runs an action on an existing issue for `caller`, refusing another area's issue to a coordinator; with
/// `expected`, only if the issue is still at that version. The API and the web app both come here.
pub async fn act(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    action: IssueAction,
    now: DateTime<Utc>,
    expected: Option<i64>,
) -> Result<CommandReply, AppError> {
    caller.require_issue_writer()?;
    let id = issue_id(raw_id)?;
    if caller.visible_areas().is_some() {
        // A coordinator acts only in their own areas. (An unknown issue falls through to the aggregate,
        // which answers 404.)
        if let Some(row) = read_model::get_issue(&state.db, &id).await? {
            if !caller.sees_area(&row.area_id) {
                return Err(AppError::forbidden(format!(
                    "you may act only on issues in your own areas, not in {}",
                    row.area_id
                )));
            }
        }
    }
    let done = state.command::<Issue>(id.clone(), IssueCommand { now, action }, caller.metadata(), expected).await?;
    Ok(CommandReply::new(id, &done))
}

/// [`act`] on a request: the role is checked before the request's values (a reader is refused as such,
/// whatever it sent), then the first bad field is the answer.
pub async fn act_on_request(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    request: ActionRequest,
    expected: Option<i64>,
) -> Result<CommandReply, AppError> {
    caller.require_issue_writer()?;
    let now = now();
    let action = request.into_action(now).map_err(first)?;
    act(state, caller, raw_id, action, now, expected).await
}
