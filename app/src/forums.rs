//! Forum use cases: recording a forum held in an area, for the API and the web app's forum page.

use santisuk_domain::forum::{Forum, HoldForum};
use santisuk_projections::read_model;

use crate::AppState;
use crate::caller::Caller;
use crate::command::Committed;
use crate::error::AppError;

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
