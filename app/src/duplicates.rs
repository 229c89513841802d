//! Duplicates (issue #17 §3): marking a problem a duplicate of another, an original's duplicates with the
//! forums they came from, and the likely duplicates suggested when a problem is raised.
//!
//! Who may (decided here, once): marking is an issue writer's act on a problem they may act on (a
//! coordinator: in their areas), naming an original they may read; an original they may not read (another
//! area's, a restricted case) is refused exactly as one that does not exist (`unknown_original`). Every
//! reader sees an original's duplicates and the suggestions within their own scope: the list and the
//! suggestions go through the one issue filter, so restricted cases and other areas never show.

use santisuk_domain::issue::{DuplicateFacts, IssueAction, MarkDuplicate};
use santisuk_domain::similarity::{Fingerprint, THRESHOLD};
use santisuk_domain::values::{AreaId, CategoryCode, IssueKind, Text};
use santisuk_projections::duplicates;
use santisuk_projections::read_model::{self, IssueFilter, IssueRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::caller::Caller;
use crate::error::AppError;
use crate::issues::{CommandReply, issue_id, resolve_issue};
use crate::parse::{opt, parse_at};
use crate::schema;
use crate::{AppState, now};

/// Mark a problem a duplicate of another (it is closed with outcome `duplicate`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateMarkRequest {
    /// The original: its id or its case number (`PTN-2569-00123`). It may not be the problem itself, nor a
    /// duplicate itself (name its original), and the problem marked may not have duplicates of its own.
    #[schema(value_type = schema::Filter, example = "PTN-2569-00123")]
    pub of: String,
    #[schema(value_type = Option<schema::Text>)]
    pub note: Option<String>,
    /// When it happened (RFC 3339); default now; not in the future, not before the problem was raised.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// One duplicate of an original, with the forum it was raised at.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DuplicateItem {
    pub id: String,
    pub case_number: Option<String>,
    pub title: String,
    pub area_id: String,
    pub category: String,
    pub raised_at: String,
    /// When it was marked (its closure).
    pub marked_at: Option<String>,
    /// The forum it was raised at, if any, and that forum's day and title.
    pub forum_id: Option<String>,
    pub forum_held_on: Option<String>,
    pub forum_title: Option<String>,
}

/// An original's duplicates: how many times the problem was raised (1 + its duplicates the caller may see)
/// and the duplicates, in the order they were raised.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DuplicatesOfIssue {
    pub id: String,
    /// While the problem is itself marked a duplicate: its original.
    pub duplicate_of: Option<String>,
    pub times_raised: i64,
    pub duplicates: Vec<DuplicateItem>,
}

/// What to suggest duplicates for: the problem being raised.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DuplicateSuggestQuery {
    /// The area it is raised in (without it: every area the caller may see).
    #[param(value_type = Option<schema::AreaId>, inline)]
    pub area: Option<String>,
    /// Its category (without it: every category).
    #[param(value_type = Option<schema::CategoryCode>, inline)]
    pub category: Option<String>,
    /// Its title: without one there is nothing to compare, and nothing is suggested.
    #[param(value_type = Option<schema::Title>, inline)]
    pub title: Option<String>,
    #[param(value_type = Option<schema::Filter>, inline)]
    pub description: Option<String>,
    /// A problem to leave out (the one whose duplicates are looked for).
    #[param(value_type = Option<schema::Filter>, inline)]
    pub exclude: Option<String>,
}

/// A likely duplicate: an open problem of the same area and category whose text is alike.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DuplicateSuggestion {
    pub id: String,
    pub case_number: Option<String>,
    pub title: String,
    #[schema(value_type = schema::IssueStatus)]
    pub status: String,
    pub raised_at: String,
    pub forum_id: Option<String>,
    /// How alike, 0–1 (suggested from [`THRESHOLD`] on).
    pub score: f64,
}

/// At most this many suggestions, best first.
pub const SUGGESTIONS: usize = 5;

/// How many open problems of one area and category are compared at most (the newest).
const CANDIDATES: i64 = 2000;

/// The issue filter of what `caller` may list: their areas, not the restricted cases they may not read.
fn scope(caller: &Caller, kind: IssueKind) -> IssueFilter {
    IssueFilter { areas: caller.visible_areas(), hidden: caller.restriction(), kind, ..IssueFilter::default() }
}

/// The issue's row if `caller` may read it; `None` for an unknown one, another area's (a coordinator) or
/// a restricted case they may not read: to them, all three do not exist.
async fn readable(state: &AppState, caller: &Caller, id: &str) -> Result<Option<IssueRow>, AppError> {
    let Some(row) = read_model::get_issue(&state.db, id).await? else { return Ok(None) };
    if !caller.sees_area(&row.area_id) {
        return Ok(None);
    }
    let hidden = caller.restriction();
    if read_model::is_hidden(&state.db, id, hidden.as_ref()).await? {
        return Ok(None);
    }
    Ok(Some(row))
}

/// Marks the problem `raw_id` a duplicate of `req.of` (see [`DuplicateMarkRequest`]); with `expected`, only
/// if the problem is still at that version.
pub async fn mark(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    req: DuplicateMarkRequest,
    expected: Option<i64>,
) -> Result<CommandReply, AppError> {
    caller.require_issue_writer()?;
    let now = now();
    let id = resolve_issue(state, raw_id).await?;
    readable(state, caller, &id).await?.ok_or_else(|| AppError::not_found("issue_not_found", "no such issue"))?;
    let note = opt(req.note.as_deref(), Text::parse)?;
    let at = parse_at(req.at.as_deref(), now)?;
    let unknown = || AppError::invalid("unknown_original", "no such problem to be a duplicate of");
    let original_id = resolve_issue(state, req.of.trim()).await.map_err(|_| unknown())?;
    let original = readable(state, caller, &original_id).await?.ok_or_else(unknown)?;
    // Marks are judged one at a time in this process: two marks checked together could each see the other's
    // problem without duplicates and make a chain (A → B and B → A at once).
    let _one_at_a_time = state.duplicate_marks.lock().await;
    let facts = DuplicateFacts {
        same_issue: original_id == id,
        original_duplicate_of: match read_model::get_issue(&state.db, &original_id).await? {
            Some(row) => row.duplicate_of.as_deref().map(issue_id).transpose()?,
            None => None,
        },
        original_kind: original.kind,
        own_duplicates: usize::try_from(duplicates::count_duplicates_of(&state.db, &id).await?).unwrap_or(usize::MAX),
    };
    let of = issue_id(&original_id)?;
    let action = IssueAction::MarkDuplicate(MarkDuplicate { of, note, at, facts });
    crate::issues::act(state, caller, &id, action, now, expected).await
}

/// The problem's duplicates the caller may see, with the forums they came from, and how many times it was
/// raised. An issue the caller may not read is "not found".
pub async fn of_issue(state: &AppState, caller: &Caller, raw_id: &str) -> Result<DuplicatesOfIssue, AppError> {
    let id = resolve_issue(state, raw_id).await?;
    let issue =
        readable(state, caller, &id).await?.ok_or_else(|| AppError::not_found("issue_not_found", "no such issue"))?;
    let rows = duplicates::duplicates_of(&state.db, &id, &scope(caller, issue.kind)).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let forum = match &r.forum_id {
            Some(f) => read_model::get_forum(&state.db, f).await?,
            None => None,
        };
        items.push(DuplicateItem {
            id: r.id,
            case_number: r.case_number,
            title: r.title,
            area_id: r.area_id,
            category: r.category,
            raised_at: r.raised_at,
            marked_at: r.closed_at,
            forum_held_on: forum.as_ref().map(|f| f.held_on.clone()),
            forum_title: forum.and_then(|f| f.title),
            forum_id: r.forum_id,
        });
    }
    Ok(DuplicatesOfIssue {
        id,
        duplicate_of: issue.duplicate_of,
        times_raised: 1 + items.len() as i64,
        duplicates: items,
    })
}

/// The likely duplicates of a problem about to be raised (or of `exclude`): the open problems of its area
/// and category the caller may see whose text scores at least [`THRESHOLD`], best first, at most
/// [`SUGGESTIONS`]. Any signed-in user may ask (auditors read); a coordinator gets nothing of another area.
pub async fn suggest(
    state: &AppState,
    caller: &Caller,
    q: &DuplicateSuggestQuery,
) -> Result<Vec<DuplicateSuggestion>, AppError> {
    let area = crate::parse::opt(q.area.as_deref(), AreaId::parse)?;
    let category = crate::parse::opt(q.category.as_deref(), CategoryCode::parse)?;
    let Some(title) = crate::parse::opt(q.title.as_deref(), santisuk_domain::values::Title::parse)? else {
        return Ok(Vec::new());
    };
    let wanted = Fingerprint::new(title.as_str(), q.description.as_deref());
    let filter = IssueFilter {
        area_id: area.map(|a| a.to_string()),
        category: category.map(|c| c.to_string()),
        open: true,
        ..scope(caller, IssueKind::Community)
    };
    let (rows, _) = read_model::list_issues(&state.db, &filter, CANDIDATES, None).await?;
    Ok(rank(&wanted, rows, q.exclude.as_deref()))
}

/// The rows scoring at least [`THRESHOLD`] against `wanted`, best first (newest first among equals), at
/// most [`SUGGESTIONS`], `exclude` left out.
pub fn rank(wanted: &Fingerprint, rows: Vec<IssueRow>, exclude: Option<&str>) -> Vec<DuplicateSuggestion> {
    let mut scored: Vec<DuplicateSuggestion> = rows
        .into_iter()
        .filter(|r| Some(r.id.as_str()) != exclude)
        .filter_map(|r| {
            let score = wanted.score(&Fingerprint::new(&r.title, r.description.as_deref()));
            (score >= THRESHOLD).then(|| DuplicateSuggestion {
                id: r.id,
                case_number: r.case_number,
                title: r.title,
                status: r.status.as_str().to_owned(),
                raised_at: r.raised_at,
                forum_id: r.forum_id,
                score: (score * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    // Rows come newest first; a stable sort keeps that order among equal scores.
    scored.sort_by(|a, b| b.score.total_cmp(&a.score));
    scored.truncate(SUGGESTIONS);
    scored
}

/// The suggestions for an existing problem (its own page): those of its area and category, itself left out.
pub async fn suggest_for_issue(
    state: &AppState,
    caller: &Caller,
    row: &IssueRow,
) -> Result<Vec<DuplicateSuggestion>, AppError> {
    let q = DuplicateSuggestQuery {
        area: Some(row.area_id.clone()),
        category: Some(row.category.clone()),
        title: Some(row.title.clone()),
        description: row.description.clone(),
        exclude: Some(row.id.clone()),
    };
    suggest(state, caller, &q).await
}
