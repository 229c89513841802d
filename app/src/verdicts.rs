//! The community's verdict (issue #17 §6): the problems a forum asks its community about, and what the
//! community said of each (confirmed resolved, disputed, which reopens the problem, or not asked).
//!
//! Who may (decided here, once): anyone who may see the forum reads its list (a coordinator: forums of
//! their areas; restricted cases the reader may not read are left out, as everywhere); an issue writer who
//! may see the forum records verdicts (a coordinator: in their areas). A problem named that the caller may
//! not read is, to them, no problem at all (`unknown_issue`).
//!
//! A request records several verdicts, one command per problem. Every one is judged first, against each
//! problem's stored history by the domain's own rules, and nothing is written unless all pass; a problem
//! changed by someone else between that check and its write is then refused on its own (each command is
//! judged again), so only such a race can leave a request partly recorded.

use cqrs_es::Aggregate;
use santisuk_domain::issue::{Issue, IssueAction, IssueCommand, IssueEvent, RecordVerdict};
use santisuk_domain::values::{AreaId, ForumId, Text};
use santisuk_domain::verdict::Verdict;
use santisuk_projections::duplicates;
use santisuk_projections::read_model::{IssueFilter, IssueRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::error::AppError;
use crate::forums::get_forum;
use crate::issues::{CommandReply, issue_id};
use crate::parse::{opt, parse_at};
use crate::schema;
use crate::{AppState, now};

/// The community's verdicts given at a forum.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictsRequest {
    /// At least one; each problem once.
    #[schema(min_items = 1)]
    pub verdicts: Vec<VerdictEntry>,
}

/// What the community said of one closed problem of the forum's area.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictEntry {
    #[schema(format = Uuid)]
    pub issue_id: String,
    /// `confirmed` (only a problem closed as resolved), `disputed` (reopens it; `reason` required) or
    /// `not_asked` (asked again at the next forum).
    #[schema(value_type = VerdictName)]
    pub verdict: String,
    #[schema(value_type = Option<schema::Text>)]
    pub reason: Option<String>,
    /// When it was given (RFC 3339); default now; not in the future.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// A verdict's name.
#[derive(Debug, ToSchema)]
#[schema(as = VerdictName)]
pub enum VerdictName {
    #[schema(rename = "confirmed")]
    Confirmed,
    #[schema(rename = "disputed")]
    Disputed,
    #[schema(rename = "not_asked")]
    NotAsked,
}

/// One problem on a forum's list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VerdictItem {
    pub id: String,
    pub case_number: Option<String>,
    pub title: String,
    pub category: String,
    #[schema(value_type = schema::IssueStatus)]
    pub status: String,
    pub outcome: Option<String>,
    pub assignee: Option<String>,
    pub closed_at: Option<String>,
    /// The verdict the problem holds (on its current closure, or the dispute that reopened it), the forum
    /// it was given at and when; `null` when none yet.
    pub verdict: Option<String>,
    pub verdict_forum_id: Option<String>,
    pub verdict_at: Option<String>,
}

/// A forum's list: the problems of its area closed since the previous forum there (see
/// [`duplicates::for_verdicts`]), with any verdict.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ForumVerdicts {
    pub forum_id: String,
    pub area_id: String,
    pub held_on: String,
    /// The day of the previous forum of the area (the list starts there); `null` when this is the first.
    pub since: Option<String>,
    pub problems: Vec<VerdictItem>,
}

/// The answer to recording verdicts: each problem's new version and status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerdictsRecorded {
    pub forum_id: String,
    pub recorded: Vec<CommandReply>,
}

impl VerdictItem {
    fn of(r: IssueRow) -> VerdictItem {
        VerdictItem {
            id: r.id,
            case_number: r.case_number,
            title: r.title,
            category: r.category,
            status: r.status.as_str().to_owned(),
            outcome: r.outcome,
            assignee: r.assignee,
            closed_at: r.closed_at,
            verdict: r.verdict,
            verdict_forum_id: r.verdict_forum_id,
            verdict_at: r.verdict_at,
        }
    }
}

fn forum_day(held_on: &str) -> Result<chrono::NaiveDate, AppError> {
    held_on.parse().map_err(|e| AppError::Internal(format!("forum day {held_on:?}: {e}")))
}

/// The forum's list (see [`ForumVerdicts`]). A forum the caller may not see is "not found".
pub async fn list(state: &AppState, caller: &Caller, forum_id: &str) -> Result<ForumVerdicts, AppError> {
    let forum = get_forum(state, caller, forum_id).await?;
    let day = forum_day(&forum.held_on)?;
    let since = duplicates::previous_forum_day(&state.db, &forum.area_id, day).await?;
    let filter = IssueFilter { areas: caller.visible_areas(), hidden: caller.restriction(), ..IssueFilter::default() };
    let rows = duplicates::for_verdicts(&state.db, &forum.id, &forum.area_id, day, since, &filter).await?;
    Ok(ForumVerdicts {
        forum_id: forum.id,
        area_id: forum.area_id,
        held_on: forum.held_on,
        since: since.map(|d| d.to_string()),
        problems: rows.into_iter().map(VerdictItem::of).collect(),
    })
}

/// The state of an issue folded from its stored history (`None`: no such issue).
async fn stored(state: &AppState, id: &str) -> Result<Option<Issue>, AppError> {
    let mut issue = Issue::default();
    let version = santisuk_store::load::load_events::<IssueEvent>(
        &state.db,
        Issue::TYPE,
        id,
        crate::command::VERSIONS,
        |_, _, e| issue.apply(e),
    )
    .await?;
    Ok((version > 0).then_some(issue))
}

/// Records the verdicts (see the module's comment on atomicity). Every entry is checked before anything
/// is written; the first refusal is the answer, its message naming the entry.
pub async fn record(
    state: &AppState,
    caller: &Caller,
    forum_id: &str,
    req: VerdictsRequest,
) -> Result<VerdictsRecorded, AppError> {
    caller.require_issue_writer()?;
    let forum = get_forum(state, caller, forum_id).await?;
    let forum_uuid =
        ForumId(uuid::Uuid::parse_str(&forum.id).map_err(|_| AppError::not_found("forum_not_found", "no such forum"))?);
    let forum_area = AreaId::parse(&forum.area_id)?;
    let held_on = forum_day(&forum.held_on)?;
    if req.verdicts.is_empty() {
        return Err(AppError::invalid("no_verdicts", "give at least one verdict"));
    }
    let now = now();
    let mut planned = Vec::with_capacity(req.verdicts.len());
    for (n, entry) in req.verdicts.iter().enumerate() {
        let named = |e: AppError| name_entry(n, &entry.issue_id, e);
        let unknown = || named(AppError::invalid("unknown_issue", "no such problem"));
        let id = issue_id(entry.issue_id.trim()).map_err(|_| unknown())?.to_string();
        if planned.iter().any(|(other, _): &(String, IssueAction)| *other == id) {
            return Err(named(AppError::invalid("repeated_issue", "the problem is named twice")));
        }
        let verdict = Verdict::parse(entry.verdict.trim()).ok_or_else(|| {
            named(AppError::invalid(
                "unknown_verdict",
                format!("verdict must be one of {}", Verdict::ALL.map(Verdict::as_str).join(", ")),
            ))
        })?;
        let reason =
            opt(entry.reason.as_deref().filter(|r| !r.trim().is_empty()), Text::parse).map_err(|e| named(e.into()))?;
        let at = parse_at(entry.at.as_deref(), now).map_err(named)?;
        // Visible to the caller (their areas, the restricted cases they may read), else unknown to them.
        let row = santisuk_projections::read_model::get_issue(&state.db, &id).await?;
        let visible = match &row {
            Some(r) => {
                caller.sees_area(&r.area_id)
                    && !santisuk_projections::read_model::is_hidden(&state.db, &id, caller.restriction().as_ref())
                        .await?
            }
            None => false,
        };
        if !visible {
            return Err(unknown());
        }
        let action = IssueAction::RecordVerdict(RecordVerdict {
            forum: forum_uuid,
            forum_area: forum_area.clone(),
            forum_held_on: held_on,
            verdict,
            reason,
            at,
        });
        // The domain's rules, on the stored history, before anything is written.
        let issue = stored(state, &id).await?.ok_or_else(unknown)?;
        issue
            .decide(IssueCommand { now, action: action.clone() })
            .map_err(|e| named(AppError::from(crate::command::CommandError::Rejected(e))))?;
        planned.push((id, action));
    }
    let mut recorded = Vec::with_capacity(planned.len());
    for (id, action) in planned {
        recorded.push(crate::issues::act(state, caller, &id, action, now, None).await?);
    }
    Ok(VerdictsRecorded { forum_id: forum.id, recorded })
}

/// The error with the entry it is about in front of its message.
fn name_entry(n: usize, issue: &str, e: AppError) -> AppError {
    let prefix = format!("verdicts[{n}] ({}): ", crate::parse::clip(issue));
    match e {
        AppError::Invalid { code, message } => AppError::Invalid { code, message: prefix + &message },
        AppError::Conflict { code, message } => AppError::Conflict { code, message: prefix + &message },
        AppError::NotFound { code, message } => AppError::NotFound { code, message: prefix + &message },
        other => other,
    }
}
