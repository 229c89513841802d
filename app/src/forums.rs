//! Forum use cases: recording a forum held in an area (the API and the web app's forum page), and the
//! forums the caller may see.

use chrono::{DateTime, Utc};
use santisuk_domain::forum::{Forum, HoldForum};
use santisuk_domain::values::{AreaId, ForumId, Name, Title};
use santisuk_projections::read_model;
pub use santisuk_projections::read_model::{ForumRow, IssueRow};
use santisuk_store::events::fmt_ts;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::command::Committed;
use crate::error::AppError;
use crate::parse::{opt, parse_date};
use crate::{AppState, now};

/// Records forum `id` once the actor may record forums in its area and the area exists. Shared by the API
/// and the web app's forum page.
pub async fn hold_forum_checked(
    state: &AppState,
    caller: &Caller,
    id: String,
    command: HoldForum,
) -> Result<Committed<Forum>, AppError> {
    caller.require_issue_writer()?;
    let area = &command.area;
    if !caller.sees_area(area.as_str()) {
        return Err(AppError::forbidden(format!("you may record forums only in your own areas, not in {area}")));
    }
    if read_model::get_area(&state.db, area.as_str()).await?.is_none() {
        return Err(AppError::invalid("unknown_area", format!("no area {area}")));
    }
    state.command::<Forum>(id, command, caller.metadata(), None).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldForumRequest {
    pub area_id: String,
    /// The day the forum was held (Asia/Bangkok), `YYYY-MM-DD`; not later than today.
    pub held_on: String,
    pub title: Option<String>,
    pub facilitator: Option<String>,
    pub participants: Option<i64>,
}

impl HoldForumRequest {
    /// The command, judged against the server clock `now`.
    pub fn into_command(self, now: DateTime<Utc>) -> Result<HoldForum, AppError> {
        let area = AreaId::parse(&self.area_id)?;
        let participants = match self.participants {
            None => None,
            Some(n) => Some(
                u32::try_from(n)
                    .map_err(|_| AppError::invalid("bad_participants", "participants must be a whole number from 0"))?,
            ),
        };
        Ok(HoldForum {
            area,
            held_on: parse_date("held_on", &self.held_on)?,
            title: opt(self.title.as_deref(), Title::parse)?,
            facilitator: opt(self.facilitator.as_deref(), Name::parse)?,
            participants,
            now,
        })
    }
}

/// Records a new forum from an API request; answers with its row (from the read model, or built from the
/// command when the read model lags) and where it was committed.
pub async fn hold_forum(
    state: &AppState,
    caller: &Caller,
    req: HoldForumRequest,
) -> Result<(ForumRow, Committed<Forum>), AppError> {
    caller.require_issue_writer()?;
    let command = req.into_command(now())?;
    let id = ForumId(uuid::Uuid::new_v4()).to_string();
    let fallback = ForumRow {
        id: id.clone(),
        area_id: command.area.to_string(),
        held_on: command.held_on.to_string(),
        title: command.title.as_ref().map(ToString::to_string),
        facilitator: command.facilitator.as_ref().map(ToString::to_string),
        participants: command.participants.map(i64::from),
        recorded_at: fmt_ts(command.now),
    };
    let done = hold_forum_checked(state, caller, id.clone(), command).await?;
    // The projected row carries the exact recorded time.
    let row = read_model::get_forum(&state.db, &id).await?.unwrap_or(fallback);
    Ok((row, done))
}

/// Forums the caller may see, newest first, optionally of one area.
pub async fn list_forums(state: &AppState, caller: &Caller, area_id: Option<&str>) -> Result<Vec<ForumRow>, AppError> {
    Ok(read_model::list_forums(&state.db, area_id)
        .await?
        .into_iter()
        .filter(|f| caller.sees_area(&f.area_id))
        .collect())
}

/// One forum; another area's forum is "not found" to a coordinator.
pub async fn get_forum(state: &AppState, caller: &Caller, id: &str) -> Result<ForumRow, AppError> {
    find_forum(state, caller, id).await?.ok_or_else(|| AppError::not_found("forum_not_found", "no such forum"))
}

/// One forum, if it exists and the caller may see it.
pub async fn find_forum(state: &AppState, caller: &Caller, id: &str) -> Result<Option<ForumRow>, AppError> {
    Ok(read_model::get_forum(&state.db, id).await?.filter(|f| caller.sees_area(&f.area_id)))
}

/// The issues raised at a forum the caller got through [`get_forum`] (so within their scope).
pub async fn issues_of(state: &AppState, forum: &ForumRow) -> Result<Vec<IssueRow>, AppError> {
    Ok(santisuk_projections::queue::issues_of_forum(&state.db, &forum.id).await?)
}
