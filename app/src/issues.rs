//! Issue use cases: raise (with idempotency), and the actions on an existing issue (assign, address,
//! close, reopen), with the caller's role and area scope decided here, and the conversion of a request
//! into the domain command shared by the API and the web app; the issue list, one issue and its history.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::Aggregate;
use futures::stream::{self, BoxStream, StreamExt};
use santisuk_domain::forum::{Forum, ForumEvent};
use santisuk_domain::issue::{
    AddressIssue, AssignIssue, CloseIssue, CorrectIssue, Issue, IssueAction, IssueCommand, IssueError, IssueEvent,
    RaiseIssue, ReopenIssue, RestrictIssue,
};
use santisuk_domain::time::bangkok_date;
use santisuk_domain::values::{
    AreaId, Assignee, CaseNumber, CategoryCode, ForumId, IssueId, IssueKind, IssueStatus, Name, Outcome, Text, Title,
};
use santisuk_projections::as_of::{self, AsOf};
use santisuk_projections::queue;
pub use santisuk_projections::queue::{QueuePage, QueueSort};
use santisuk_projections::read_model;
pub use santisuk_projections::read_model::{IssueCursor, IssueFilter, IssueRow, Search, SearchWord};
use santisuk_store::events::{self, fmt_ts};
pub use santisuk_store::events::{HistoryRow, StoredEvent};
use santisuk_store::{Db, Reader};
use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::caller::Caller;
use crate::command::Committed;
use crate::error::AppError;
use crate::parse::{clip, opt, parse_as_of, parse_at, parse_date};
use crate::schema;
use crate::{AppState, now};
use santisuk_domain::agency::AgencyId;
use santisuk_domain::routing::RoutingRuleId;

/// Scopes idempotency keys: the issue id of a keyed raise is UUIDv5(this, "<user id>:<key>"), so a retry
/// targets the same aggregate and the event store itself refuses the duplicate, atomically.
const IDEMPOTENCY_NAMESPACE: Uuid = Uuid::from_u128(0x5a4e_7c1d_8b2f_4e6a_9d3c_1f0b_2a4c_6e8d);

// --- requests -------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseIssueRequest {
    /// An area the caller may raise issues in.
    #[schema(value_type = schema::AreaId)]
    pub area_id: String,
    /// A category code, e.g. `INF`.
    #[schema(value_type = schema::CategoryCode)]
    pub category: String,
    #[schema(value_type = schema::Title)]
    pub title: String,
    #[schema(value_type = Option<schema::Text>)]
    pub description: Option<String>,
    /// The forum it was raised at, if any (must be in the same area).
    #[schema(format = Uuid)]
    pub forum_id: Option<String>,
    /// Who raised it in the field (a group, a community leader).
    #[schema(value_type = Option<schema::Name>)]
    pub raised_by: Option<String>,
    /// When it was raised (RFC 3339); default now; never in the future.
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// The person who raised it, kept outside the event log (see README, "Personal data"). Absent:
    /// anonymous (ไม่ประสงค์ออกนาม), or on behalf of the group in `raised_by`.
    pub complainant: Option<crate::privacy::ComplainantRequest>,
    /// `true`: a sensitive case, restricted from the start (its details are shown only to admins, to staff
    /// and auditors granted its category, and to whoever raised it). Default `false`; a case is also
    /// restricted while its category is.
    pub restricted: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The person (or agency, in free text) now responsible; may be left out when `agency` (or `rule`) names
    /// a registered agency: its Thai name is shown then.
    #[schema(value_type = Option<schema::Assignee>)]
    #[serde(default)]
    pub assignee: Option<String>,
    /// The registered agency the problem is referred to (issue #17); the problem then waits for it. An id no
    /// agency has is refused (`unknown_agency`).
    #[schema(format = Uuid)]
    #[serde(default)]
    pub agency: Option<String>,
    /// The routing rule followed (from `GET /api/routing-rules/suggest`); its agency is the referral's when
    /// `agency` is left out. A rule not in force, or not for this problem's category and district, or for
    /// another agency, is refused (`unknown_routing_rule`, `routing_rule_mismatch`).
    #[schema(format = Uuid)]
    #[serde(default)]
    pub rule: Option<String>,
    /// `YYYY-MM-DD`, not before the day of the assignment.
    #[schema(format = Date)]
    pub due_on: Option<String>,
    #[schema(value_type = Option<schema::Text>)]
    pub note: Option<String>,
    /// When it happened (RFC 3339); default now; not in the future, not before the issue was raised.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressRequest {
    /// What was done.
    #[schema(value_type = schema::Text)]
    pub action: String,
    #[schema(value_type = Option<schema::Text>)]
    pub note: Option<String>,
    /// When it happened (RFC 3339); default now; not in the future, not before the issue was raised.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// `resolved` (only after an action), `unresolved`, `referred`, `duplicate` or `withdrawn`.
    #[schema(value_type = schema::Outcome)]
    pub outcome: String,
    #[schema(value_type = Option<schema::Text>)]
    pub note: Option<String>,
    /// When it happened (RFC 3339); default now; not in the future, not before the issue was raised.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    #[schema(value_type = schema::Text)]
    pub reason: String,
    /// When it happened (RFC 3339); default now; not in the future, not before the issue was raised.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// A correction of what was recorded at the raise. Give at least one field that differs from the record.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectRequest {
    /// The corrected title; absent: unchanged.
    #[schema(value_type = Option<schema::Title>)]
    pub title: Option<String>,
    /// The corrected description; absent: unchanged; an empty string removes it.
    #[schema(value_type = Option<schema::TextOrBlank>)]
    pub description: Option<String>,
    /// The corrected category code; absent: unchanged. Statistics count the problem in its new category.
    #[schema(value_type = Option<schema::CategoryCode>)]
    pub category: Option<String>,
    /// Why the record was wrong; kept in the history with what each field was before and after.
    #[schema(value_type = schema::Text)]
    pub reason: String,
    /// When it was corrected (RFC 3339); default now; not in the future, not before the issue was raised.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Marks the case restricted, or lifts the mark. The case stays restricted while its category is.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictRequest {
    /// `true`: restricted (its details shown only to admins, to staff and auditors granted its category, and
    /// to whoever raised it); `false`: the mark is lifted.
    pub restricted: bool,
    /// Why; kept in the history.
    #[schema(value_type = schema::Text)]
    pub reason: String,
    /// When it was decided (RFC 3339); default now; not in the future, not before the issue was raised.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// An action on an existing issue, as requested.
#[derive(Debug, Clone, Serialize)]
pub enum ActionRequest {
    Assign(AssignRequest),
    Address(AddressRequest),
    Close(CloseRequest),
    Reopen(ReopenRequest),
    Correct(CorrectRequest),
    Restrict(RestrictRequest),
    Wait(crate::agencies::WaitingRequest),
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
                let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
                // Without an agency (or a rule naming one) the person is required, as before agencies.
                let referred = !blank(&r.agency) || !blank(&r.rule);
                let assignee = match (blank(&r.assignee), referred) {
                    (true, true) => Some(None),
                    _ => {
                        field(&mut e, "assignee", Assignee::parse(r.assignee.as_deref().unwrap_or_default()).map(Some))
                    }
                };
                let unknown = |what: &'static str, raw: &str| {
                    let code = if what == "agency" { "unknown_agency" } else { "unknown_routing_rule" };
                    AppError::invalid(code, format!("no {what} {:?}", clip(raw)))
                };
                let agency = field(
                    &mut e,
                    "agency",
                    opt(r.agency.as_deref().filter(|a| !a.trim().is_empty()), |a| {
                        AgencyId::parse(a).ok_or_else(|| unknown("agency", a))
                    }),
                );
                let rule = field(
                    &mut e,
                    "rule",
                    opt(r.rule.as_deref().filter(|a| !a.trim().is_empty()), |a| {
                        RoutingRuleId::parse(a).ok_or_else(|| unknown("routing rule", a))
                    }),
                );
                let due_on = field(&mut e, "due_on", opt(r.due_on.as_deref(), |d| parse_date("due_on", d)));
                let note = field(&mut e, "note", opt(r.note.as_deref(), Text::parse));
                let at = field(&mut e, "at", parse_at(r.at.as_deref(), now));
                match (assignee, agency, rule, due_on, note, at) {
                    (Some(assignee), Some(agency), Some(rule), Some(due_on), Some(note), Some(at)) => {
                        // The agency's name is looked up by `act`, once the issue is known.
                        Some(IssueAction::Assign(AssignIssue {
                            assignee,
                            agency,
                            agency_name: None,
                            rule,
                            due_on,
                            note,
                            at,
                        }))
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
            ActionRequest::Correct(r) => {
                let title = field(&mut e, "title", opt(r.title.as_deref(), Title::parse));
                // Absent: unchanged; empty: removed (`Some(None)`).
                let description = field(
                    &mut e,
                    "description",
                    r.description
                        .as_deref()
                        .map(|d| opt(Some(d).filter(|d| !d.trim().is_empty()), Text::parse))
                        .transpose(),
                );
                let category = field(&mut e, "category", opt(r.category.as_deref(), CategoryCode::parse));
                let reason = field(&mut e, "reason", Text::parse(&r.reason));
                let at = field(&mut e, "at", parse_at(r.at.as_deref(), now));
                match (title, description, category, reason, at) {
                    (Some(title), Some(description), Some(category), Some(reason), Some(at)) => {
                        // The new category's kind is looked up by `act`, once the category is known to exist.
                        Some(IssueAction::Correct(CorrectIssue {
                            title,
                            description,
                            category,
                            category_kind: None,
                            reason,
                            at,
                        }))
                    }
                    _ => None,
                }
            }
            ActionRequest::Wait(r) => match r.into_action(now) {
                Ok(a) => Some(a),
                Err(errors) => {
                    e.extend(errors);
                    None
                }
            },
            ActionRequest::Restrict(r) => {
                let reason = field(&mut e, "reason", Text::parse(&r.reason));
                let at = field(&mut e, "at", parse_at(r.at.as_deref(), now));
                match (reason, at) {
                    (Some(reason), Some(at)) => {
                        Some(IssueAction::Restrict(RestrictIssue { restricted: r.restricted, reason, at }))
                    }
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
            // Allocated by `raise_checked`, once the raise is known to be allowed.
            case_number: None,
            // Set by `raise` from `complainant`, once the record's id is known.
            complainant: None,
            restricted: self.restricted.unwrap_or(false),
            kind: IssueKind::Community,
            // Set by `raise_checked` from the category it finds.
            category_kind: IssueKind::Community,
            source: None,
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
    #[schema(value_type = schema::IssueStatus)]
    pub status: String,
    /// The global position of the event written.
    pub position: i64,
    /// The problem's case number (`PTN-2569-00123`); absent for problems raised before case numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<schema::CaseNumber>)]
    pub case_number: Option<String>,
}

impl CommandReply {
    fn new(id: String, done: &Committed<Issue>) -> Self {
        let status = done.aggregate.status().map(|s| s.as_str()).unwrap_or_default().to_owned();
        let case_number = done.aggregate.case_number().map(ToString::to_string);
        CommandReply { id, version: done.version, status, position: done.position, case_number }
    }
}

// --- use cases ------------------------------------------------------------------------------------------

/// An issue id from a request: an unknown or malformed one is "no such issue".
pub fn issue_id(raw: &str) -> Result<IssueId, AppError> {
    Uuid::parse_str(raw).map(IssueId).map_err(|_| AppError::not_found("issue_not_found", "no such issue"))
}

/// An issue named in a URL by its id or by its case number (`PTN-2569-00123`, in any letter case, with or
/// without the leading zeros); anything else, or a number no issue has, is "no such issue". Scope is
/// checked by the read that follows, as for an id.
pub async fn resolve_issue(state: &AppState, raw: &str) -> Result<String, AppError> {
    if let Ok(id) = issue_id(raw) {
        return Ok(id.to_string());
    }
    let not_found = || AppError::not_found("issue_not_found", "no such issue");
    let number = CaseNumber::parse(raw).map_err(|_| not_found())?;
    read_model::issue_id_by_case_number(&state.db, number.as_str()).await?.ok_or_else(not_found)
}

/// Raises an issue (admin, staff, coordinator in their areas). With an idempotency key, a retry of the same
/// request returns the first answer and creates nothing; the same key with a different request is refused.
pub async fn raise(
    state: &AppState,
    caller: &Caller,
    req: RaiseIssueRequest,
    idempotency_key: Option<String>,
) -> Result<CommandReply, AppError> {
    raise_of_kind(state, caller, req, idempotency_key, IssueKind::Community).await
}

/// [`raise`] of a community problem or (`crate::obstacles`) of a coordinator's own obstacle.
pub(crate) async fn raise_of_kind(
    state: &AppState,
    caller: &Caller,
    req: RaiseIssueRequest,
    idempotency_key: Option<String>,
    kind: IssueKind,
) -> Result<CommandReply, AppError> {
    caller.require_issue_writer()?;
    let now = now();
    let explicit_at = req.at.is_some();
    let mut req = req;
    let complainant_req = req.complainant.take();
    let mut raise = req.into_raise(now)?;
    raise.kind = kind;
    let (id, fresh) = match &idempotency_key {
        Some(k) => (Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, format!("{}:{k}", caller.user.id).as_bytes()), false),
        None => (Uuid::new_v4(), true),
    };
    // A keyed raise names the same new record on a retry: its id is derived from the issue's.
    let subject = match fresh {
        true => Uuid::new_v4(),
        false => Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, format!("{id}:complainant").as_bytes()),
    };
    let complainant = match complainant_req {
        Some(c) => c.into_complainant(santisuk_domain::personal::SubjectId(subject)).map_err(first)?,
        None => None,
    };
    raise.complainant = complainant.as_ref().map(crate::privacy::Complainant::subject);
    let id = id.to_string();
    match raise_checked(state, caller, id.clone(), fresh, raise.clone(), complainant.as_ref(), now).await {
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
    complainant: Option<&crate::privacy::Complainant>,
    now: DateTime<Utc>,
) -> Result<Committed<Issue>, AppError> {
    caller.require_issue_writer()?;
    if raise.kind == IssueKind::Obstacle {
        crate::obstacles::require_coordinator(caller)?;
    }
    if !caller.sees_area(raise.area.as_str()) {
        return Err(AppError::forbidden(format!("you may raise issues only in your own areas, not in {}", raise.area)));
    }
    let (area_known, category_kind) =
        state.references.area_and_category_exist(&state.db, raise.area.as_str(), raise.category.as_str()).await?;
    if !area_known {
        return Err(AppError::invalid("unknown_area", format!("no area {}", raise.area)));
    }
    let Some(category_kind) = category_kind else {
        return Err(AppError::invalid("unknown_category", format!("no category {}", raise.category)));
    };
    let mut raise = raise;
    raise.category_kind = category_kind;
    if let Some(forum) = raise.forum {
        match forum_area(state, &forum.to_string()).await? {
            None => return Err(AppError::invalid("unknown_forum", format!("no forum {forum}"))),
            // Another area's forum is, to a coordinator who may not see that area, a forum that does not
            // exist: its existence and its area are not theirs to learn.
            Some(area) if !caller.sees_area(&area) => {
                return Err(AppError::invalid("unknown_forum", format!("no forum {forum}")));
            }
            Some(area) if area != raise.area.as_str() => {
                return Err(AppError::invalid("forum_in_other_area", format!("forum {forum} was held in {area}")));
            }
            Some(_) => {}
        }
    }
    // Obstacles are numbered in a series of their own (`OBS-2569-00001`): the provinces' series of community
    // problems stay without gaps, and an obstacle's number says nothing of the province's problems.
    let prefix = match raise.kind {
        IssueKind::Community => state.case_numbers.prefix(&state.db, raise.area.as_str()).await?,
        IssueKind::Obstacle => crate::obstacles::CASE_NUMBER_PREFIX,
    };
    let year = santisuk_domain::time::be_year(raise.at);
    // The store allocates the number in the transaction that appends the raise (under its series' lock, so
    // instances sharing the database wait for each other rather than take the same one); the command is
    // judged with the placeholder, whose series and year are the number's.
    raise.case_number = Some(CaseNumber::to_allocate(prefix, year));
    // What the domain refuses in any case (an `at` in the future) is refused before anything is stored.
    Issue::default()
        .decide(IssueCommand { now, action: IssueAction::Raise(raise.clone()) })
        .map_err(|e| AppError::from(crate::command::CommandError::Rejected(e)))?;
    // Stored only now that the raise is known to be allowed: a refused raise leaves no record behind.
    if let Some(c) = complainant {
        crate::privacy::prepare_complainant(state, caller, c).await?;
    }
    if fresh {
        state.aggregates.expect_new::<Issue>(&id);
    }
    let command = IssueCommand { now, action: IssueAction::Raise(raise) };
    state.command::<Issue>(id, command, caller.metadata(), None).await
}

/// The area a forum was held in, or `None` when there is no such forum. The read model answers first; a
/// forum it does not hold yet (its projection is behind the forum's commit, as when the web app records a
/// forum and at once its problems on a loaded server) is read from its event, the truth.
async fn forum_area(state: &AppState, forum: &str) -> Result<Option<String>, AppError> {
    if let Some(f) = read_model::get_forum(&state.db, forum).await? {
        return Ok(Some(f.area_id));
    }
    let mut area = None;
    santisuk_store::load::load_events::<ForumEvent>(
        &state.db,
        Forum::TYPE,
        forum,
        crate::command::VERSIONS,
        |_, _, e| {
            if let ForumEvent::ForumHeld { area_id, .. } = e {
                area.get_or_insert(area_id.to_string());
            }
        },
    )
    .await?;
    Ok(area)
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
    let IssueEvent::IssueRaised {
        area_id,
        category,
        title,
        description,
        forum_id,
        raised_by,
        at,
        case_number,
        complainant,
        restricted,
        kind,
        source: _,
    } = stored
    else {
        return Err(AppError::Internal("first event of an issue is not IssueRaised".into()));
    };
    let same = area_id == raise.area
        && category == raise.category
        && title == raise.title
        && description == raise.description
        && forum_id == raise.forum
        && raised_by == raise.raised_by
        && complainant == raise.complainant
        && restricted == raise.restricted
        && kind == raise.kind
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
        case_number: case_number.map(|n| n.to_string()),
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
    act_with(state, caller, raw_id, action, now, expected, caller.metadata()).await
}

/// [`act`] with the command's metadata given (an idempotency key in it makes a retry safe).
async fn act_with(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    action: IssueAction,
    now: DateTime<Utc>,
    expected: Option<i64>,
    metadata: HashMap<String, String>,
) -> Result<CommandReply, AppError> {
    caller.require_issue_writer()?;
    let id = resolve_issue(state, raw_id).await?;
    // A restricted case the writer may not read is, to them, no issue at all (as for another area's, below).
    caller.require_readable(state, &id).await?;
    let mut action = action;
    // The issue's row, read once and only when something below needs it: a command is the hot path, and
    // most need no read of their own (the aggregate checks the rest).
    let referral = matches!(&action, IssueAction::Assign(a) if a.agency.is_some() || a.rule.is_some());
    let row =
        if caller.visible_areas().is_some() || referral { read_model::get_issue(&state.db, &id).await? } else { None };
    if caller.visible_areas().is_some() {
        // A coordinator acts only in their own areas, and another area's issue answers exactly as an issue
        // that does not exist (which the aggregate answers 404): its existence is not theirs to know.
        if let Some(row) = &row {
            if !caller.sees_area(&row.area_id) {
                return Err(AppError::not_found("issue_not_found", "no such issue"));
            }
            // Their own obstacle (any other is hidden above) is worked by SBPAC's staff, to whom it is addressed.
            if row.kind == IssueKind::Obstacle {
                return Err(AppError::forbidden_as(
                    "obstacle_worked_by_staff",
                    "an obstacle is assigned, acted on, closed and reopened by SBPAC staff; you raised it and can follow it",
                ));
            }
        }
    }
    if let IssueAction::Assign(assign) = &mut action
        && referral
    {
        // An agency or a rule is checked against the issue's category and district.
        match &row {
            Some(row) => crate::agencies::check_referral(state, assign, row).await?,
            None => return Err(AppError::not_found("issue_not_found", "no such issue")),
        }
    }
    if let IssueAction::Correct(CorrectIssue { category: Some(code), category_kind, .. }) = &mut action {
        match crate::reference::get_category(state, code.as_str()).await? {
            None => return Err(AppError::invalid("unknown_category", format!("no category {code}"))),
            Some(c) => *category_kind = Some(c.kind),
        }
    }
    let done = state.command::<Issue>(id.clone(), IssueCommand { now, action }, metadata, expected).await?;
    Ok(CommandReply::new(id, &done))
}

/// [`act`] on a request: the role is checked before the request's values (a reader is refused as such,
/// whatever it sent), then the first bad field is the answer. With an idempotency key, a retry of the same
/// request on the same issue is answered as the first run was and changes nothing; the same key with
/// another request is refused.
pub async fn act_on_request(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    request: ActionRequest,
    expected: Option<i64>,
    idempotency_key: Option<String>,
) -> Result<CommandReply, AppError> {
    caller.require_issue_writer()?;
    let now = now();
    let metadata = caller.keyed_metadata(idempotency_key.as_deref(), &request);
    let action = request.into_action(now).map_err(first)?;
    act_with(state, caller, raw_id, action, now, expected, metadata).await
}

// --- queries --------------------------------------------------------------------------------------------

/// The issue list's query as the API and the exports receive it (every value still text).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only the issues of this area.
    #[param(value_type = Option<schema::Filter>, inline)]
    pub area_id: Option<String>,
    /// Only the issues of this category (its code).
    #[param(value_type = Option<schema::Filter>, inline)]
    pub category: Option<String>,
    /// `raised`, `assigned`, `addressed` or `closed`.
    #[param(value_type = Option<schema::IssueStatus>, inline)]
    pub status: Option<String>,
    /// Only the issues assigned to exactly this name.
    #[param(value_type = Option<schema::Filter>, inline)]
    pub assignee: Option<String>,
    /// Only the issues of areas in this district.
    #[param(value_type = Option<schema::Filter>, inline)]
    pub amphoe_code: Option<String>,
    /// Only the issues of areas in this province.
    #[param(value_type = Option<schema::Filter>, inline)]
    pub province_code: Option<String>,
    /// `true`: only open issues past their due date.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// First day (inclusive, Asia/Bangkok) of the raise date, either era (`2569-11-28`, `28/11/2569`).
    #[param(format = Date)]
    pub raised_from: Option<String>,
    /// Last day (inclusive, Asia/Bangkok) of the raise date; not before `raised_from`.
    #[param(format = Date)]
    pub raised_to: Option<String>,
    /// Only issues raised in this Thai fiscal year (Buddhist Era, e.g. `2570`: Oct 2026 – Sep 2027), as in
    /// the statistics.
    #[param(value_type = Option<i32>, minimum = 2500, maximum = 2700)]
    pub fiscal_year: Option<String>,
    /// `true`: only issues not closed (the statistics' `open`).
    #[param(value_type = Option<bool>)]
    pub open: Option<String>,
    /// Only issues closed with this outcome (`resolved`, `unresolved`, `referred`, `duplicate`, `withdrawn`).
    #[param(value_type = Option<schema::Outcome>, inline)]
    pub outcome: Option<String>,
    /// Only issues closed on or after this day (Asia/Bangkok), whenever raised.
    #[param(format = Date)]
    pub closed_from: Option<String>,
    /// Only issues closed on or before this day (Asia/Bangkok).
    #[param(format = Date)]
    pub closed_to: Option<String>,
    /// 1–500, default 50.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// The `next_cursor` of the page before (a cursor this server issued).
    #[param(value_type = Option<schema::Filter>, inline)]
    pub cursor: Option<String>,
    /// RFC 3339: answer as the log stood at this recorded instant (not in the future).
    #[param(format = DateTime)]
    pub as_of: Option<String>,
    /// Search: words (200 characters in all, no control characters), each found in the case number, title, description, area
    /// code or name, or assignee (a substring: Thai needs no spaces); best matches first (a case number
    /// typed in full, then words in the title), newest first among equals.
    #[param(value_type = Option<schema::Search>, inline)]
    pub q: Option<String>,
    /// `true`: only open problems escalated for passing their category's service level (issue #17 §2).
    #[param(value_type = Option<bool>)]
    pub escalated: Option<String>,
}

/// A search box's text, checked: `None` when blank.
pub fn parse_search(raw: Option<&str>) -> Result<Option<Search>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else { return Ok(None) };
    if raw.chars().count() > Search::MAX_CHARS {
        return Err(AppError::invalid("bad_search", format!("a search is at most {} characters", Search::MAX_CHARS)));
    }
    if raw.chars().any(char::is_control) {
        return Err(AppError::invalid("bad_search", "a search must not contain control characters"));
    }
    let words: Vec<SearchWord> = raw
        .split_whitespace()
        .map(|w| SearchWord { text: w.to_lowercase(), case_number: CaseNumber::parse(w).ok().map(|n| n.to_string()) })
        .collect();
    Ok(Some(Search { words }))
}

/// The first and last day of a Thai fiscal year (Buddhist Era): FY2570 is 2026-10-01 .. 2027-09-30.
pub fn fiscal_year_days(fy: i32) -> (NaiveDate, NaiveDate) {
    let ends = fy - 543;
    let first = NaiveDate::from_ymd_opt(ends - 1, 10, 1).unwrap_or(NaiveDate::MIN);
    let last = NaiveDate::from_ymd_opt(ends, 9, 30).unwrap_or(NaiveDate::MAX);
    (first, last)
}

/// The raise and close windows of a list query, checked: days in either era; a fiscal year narrows the raise
/// window like `raised_from`/`raised_to` (each narrows it); a window typed with its first day after its last
/// is refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub raised_from: Option<NaiveDate>,
    pub raised_to: Option<NaiveDate>,
    pub closed_from: Option<NaiveDate>,
    pub closed_to: Option<NaiveDate>,
}

impl Window {
    pub fn parse(
        raised_from: Option<&str>,
        raised_to: Option<&str>,
        fiscal_year: Option<&str>,
        closed_from: Option<&str>,
        closed_to: Option<&str>,
    ) -> Result<Window, AppError> {
        let mut w = Window {
            raised_from: opt(raised_from, |d| parse_date("raised_from", d))?,
            raised_to: opt(raised_to, |d| parse_date("raised_to", d))?,
            closed_from: opt(closed_from, |d| parse_date("closed_from", d))?,
            closed_to: opt(closed_to, |d| parse_date("closed_to", d))?,
        };
        let fy = opt(fiscal_year, |y| {
            y.parse::<i32>()
                .ok()
                .filter(|y| (2500..=2700).contains(y))
                .ok_or_else(|| AppError::invalid("bad_fiscal_year", "fiscal_year is a Buddhist-Era year such as 2570"))
        })?;
        // A window typed backwards is a mistake; a fiscal year outside the days typed is just an empty list.
        for (from, to) in [(w.raised_from, w.raised_to), (w.closed_from, w.closed_to)] {
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    return Err(AppError::invalid("bad_window", "the first day of a window is after its last"));
                }
            }
        }
        if let Some((first, last)) = fy.map(fiscal_year_days) {
            w.raised_from = Some(w.raised_from.map_or(first, |f| f.max(first)));
            w.raised_to = Some(w.raised_to.map_or(last, |t| t.min(last)));
        }
        Ok(w)
    }
}

/// The issue-list query, checked, with the caller's area scope applied: shared by the JSON list and its
/// exports.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub filter: IssueFilter,
    pub limit: i64,
    pub cursor: Option<IssueCursor>,
    pub as_of: Option<DateTime<Utc>>,
}

impl ListParams {
    pub fn parse(q: ListQuery, caller: &Caller, now: DateTime<Utc>) -> Result<ListParams, AppError> {
        let as_of = parse_as_of(q.as_of.as_deref(), now)?;
        let limit: i64 = match q.limit.as_deref() {
            None => 50,
            Some(raw) => raw
                .parse()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or_else(|| AppError::invalid("bad_limit", "limit must be a whole number from 1 to 500"))?,
        };
        let cursor = opt(q.cursor.as_deref(), |c| {
            IssueCursor::decode(c)
                .ok_or_else(|| AppError::bad_request("bad_cursor", "cursor is not one this server issued"))
        })?;
        if let Some(status) = &q.status {
            IssueStatus::parse(status)?;
        }
        let overdue = match q.overdue.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(AppError::invalid("bad_overdue", "overdue must be true or false")),
        };
        let open = match q.open.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(AppError::invalid("bad_open", "open must be true or false")),
        };
        let escalated = match q.escalated.as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(AppError::invalid("bad_escalated", "escalated must be true or false")),
        };
        if let Some(o) = &q.outcome {
            Outcome::parse(o)?;
        }
        let window = Window::parse(
            q.raised_from.as_deref(),
            q.raised_to.as_deref(),
            q.fiscal_year.as_deref(),
            q.closed_from.as_deref(),
            q.closed_to.as_deref(),
        )?;
        let filter = IssueFilter {
            area_id: q.area_id,
            category: q.category,
            status: q.status,
            assignee: q.assignee,
            amphoe_code: q.amphoe_code,
            province_code: q.province_code,
            overdue_before: overdue.then(|| bangkok_date(as_of.unwrap_or(now)).to_string()),
            areas: caller.visible_areas(),
            // Community problems; the obstacle list sets its kind (`crate::obstacles::params`).
            kind: IssueKind::Community,
            hidden: caller.restriction(),
            search: parse_search(q.q.as_deref())?,
            raised_from: window.raised_from.map(|d| d.to_string()),
            raised_to: window.raised_to.map(|d| d.to_string()),
            open,
            outcome: q.outcome,
            closed_from: window.closed_from.map(santisuk_projections::stats::bangkok_midnight),
            closed_before: window
                .closed_to
                .map(|d| santisuk_projections::stats::bangkok_midnight(d.succ_opt().unwrap_or(d))),
            escalated,
            originals: false,
            verdict: None,
        };
        Ok(ListParams { filter, limit, cursor, as_of })
    }
}

/// One page of the issue list (live, or as the log stood at `as_of`), newest raised first, within the
/// caller's scope (applied by [`ListParams::parse`]). The list shows who raised each issue, so the read
/// is recorded in the access log first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    p: &ListParams,
) -> Result<(Vec<IssueRow>, Option<IssueCursor>), AppError> {
    let action = match p.filter.kind {
        IssueKind::Community => "issues_list",
        IssueKind::Obstacle => "obstacles_list",
    };
    caller.record_read(state, action, None, read_filters(&p.filter, p.as_of)).await?;
    Ok(match p.as_of {
        None => read_model::list_issues(&state.db, &p.filter, p.limit, p.cursor.as_ref()).await?,
        Some(t) => {
            read_model::list_issues(AsOf::build(&state.db, t).await?.reader(), &p.filter, p.limit, p.cursor.as_ref())
                .await?
        }
    })
}

/// One issue (live, or as of an instant); the read is recorded in the access log first. Another area's
/// issue is "not found" to a coordinator: its existence is not theirs to know.
pub async fn get(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    as_of: Option<DateTime<Utc>>,
) -> Result<IssueRow, AppError> {
    let id = resolve_issue(state, raw_id).await?;
    caller.record_read(state, "issue_read", Some(&id), serde_json::json!({"as_of": as_of.map(fmt_ts)})).await?;
    let row = match as_of {
        None => read_model::get_issue(&state.db, &id).await?,
        Some(t) => as_of::issue(&state.db, t, &id).await?,
    };
    let row = row
        .filter(|r| caller.sees_area(&r.area_id))
        .ok_or_else(|| AppError::not_found("issue_not_found", "no such issue"))?;
    // Restricted *now* decides, also for a read as of an instant.
    caller.require_readable(state, &id).await?;
    Ok(row)
}

/// One page of an issue's events, in order, after sequence `after` (`limit`: 1–1000, default 1000); with
/// the sequence to continue after when there are more. The read is recorded in the access log. Another
/// area's issue is "not found" to a coordinator. (An auditor reads every event of every issue, unpaged,
/// through the audit export.)
pub async fn history(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    after: Option<&str>,
    limit: Option<&str>,
) -> Result<(Vec<HistoryRow>, Option<i64>), AppError> {
    let id = resolve_issue(state, raw_id).await?;
    let after = crate::audit::parse_after(after, "the sequence of the last event seen")?;
    let limit = if limit.is_some() { crate::audit::parse_limit(limit)? } else { HISTORY_PAGE };
    let area = events::issue_area(&state.db, &id).await?;
    if !area.is_some_and(|a| caller.sees_area(&a)) {
        return Err(AppError::not_found("issue_not_found", "no such issue"));
    }
    caller.require_readable(state, &id).await?;
    let via = serde_json::json!({"after": after, "limit": limit});
    caller.record_read(state, "issue_history", Some(&id), via).await?;
    let mut page = events::issue_history(&state.db, &id, after, limit + 1).await?;
    let more = page.len() as i64 > limit;
    page.truncate(limit as usize);
    let next = if more { page.last().map(|e| e.sequence) } else { None };
    Ok((page, next))
}

/// Events per page of an issue's history, unless the client asks for fewer.
pub const HISTORY_PAGE: i64 = 1000;

/// Issues read per query while exporting the live list.
pub const EXPORT_PAGE: i64 = 1000;

/// Every issue of the list in list order, page by page, for the exports (they ignore `limit` and `cursor`):
/// one page of [`EXPORT_PAGE`] issues per read, each read when the stream is polled. Live: separate
/// reads, not one transaction (an issue changed mid-export shows its state when its page was read). As
/// of an instant: the same reads on the tables folded for that instant ([`AsOf`]), which the stream owns
/// until its last page.
pub async fn all_pages(
    state: &AppState,
    p: ListParams,
) -> Result<BoxStream<'static, Result<Vec<IssueRow>, AppError>>, AppError> {
    enum Tables {
        Live(Db),
        AsOf(Box<AsOf>),
    }
    let tables = match p.as_of {
        None => Tables::Live(state.db.clone()),
        Some(t) => Tables::AsOf(Box::new(AsOf::build(&state.db, t).await?)),
    };
    let filter = p.filter;
    let pages = stream::try_unfold((tables, Some(None)), move |(mut tables, after)| {
        let filter = filter.clone();
        async move {
            // `None`: the last page was read; `Some(None)`: the first page is next.
            let Some(after) = after else { return Ok(None) };
            let reader = match &mut tables {
                Tables::Live(db) => Reader::from(&*db),
                Tables::AsOf(view) => view.reader(),
            };
            let (rows, next) = read_model::list_issues(reader, &filter, EXPORT_PAGE, after.as_ref()).await?;
            // An empty first page is still a page (the export's header is written with it).
            Ok::<_, AppError>(Some((rows, (tables, next.map(Some)))))
        }
    });
    Ok(pages.boxed())
}

/// One page of the web app's queue (sorted, numbered pages, with the total), within the caller's scope
/// whatever `filter.areas` said.
pub async fn queue(
    state: &AppState,
    caller: &Caller,
    mut filter: IssueFilter,
    sort: QueueSort,
    offset: i64,
    limit: i64,
) -> Result<QueuePage, AppError> {
    filter.areas = caller.visible_areas();
    filter.hidden = caller.restriction();
    // The queue is the community problems' (obstacles have their own list).
    filter.kind = IssueKind::Community;
    caller.record_read(state, "issues_queue", None, read_filters(&filter, None)).await?;
    Ok(queue::page(&state.db, &filter, sort, offset, limit).await?)
}

/// The filters of a list read, as the access log records them.
fn read_filters(f: &IssueFilter, as_of: Option<DateTime<Utc>>) -> serde_json::Value {
    serde_json::json!({
        "area_id": f.area_id, "category": f.category, "status": f.status, "assignee": f.assignee,
        "amphoe_code": f.amphoe_code, "province_code": f.province_code,
        "overdue": f.overdue_before.is_some(), "as_of": as_of.map(fmt_ts),
        "raised_from": f.raised_from, "raised_to": f.raised_to, "open": f.open, "outcome": f.outcome,
        "closed_from": f.closed_from, "closed_before": f.closed_before,
        // What was searched for is recorded too: a search for a person's name is a read about them.
        "q": f.search.as_ref().map(|s| s.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")),
    })
}

/// The most used assignee names within the caller's scope (suggestions for a free-text field).
pub async fn assignees(state: &AppState, caller: &Caller, limit: i64) -> Result<Vec<String>, AppError> {
    Ok(queue::assignees(&state.db, caller.visible_areas().as_deref(), caller.restriction().as_ref(), limit).await?)
}

/// The day of the first raise within the caller's scope, if any (`YYYY-MM-DD`).
pub async fn first_raised_on(state: &AppState, caller: &Caller) -> Result<Option<String>, AppError> {
    Ok(queue::first_raised_on(&state.db, caller.visible_areas().as_deref(), caller.restriction().as_ref()).await?)
}

/// An issue and its whole stored history, for the web app's timeline: "not found" outside the caller's
/// scope, and the reading is recorded in the access log (with `via`), as over the API.
pub async fn timeline(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    via: serde_json::Value,
) -> Result<(IssueRow, Vec<StoredEvent>), AppError> {
    let row = get(state, caller, raw_id, None).await?;
    caller.record_read(state, "issue_history", Some(&row.id), via).await?;
    let history = events::aggregate_history(&state.db, "Issue", &row.id).await?;
    Ok((row, history))
}
