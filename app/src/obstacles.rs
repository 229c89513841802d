//! Coordinators' own obstacles (อุปสรรคของผู้ประสานงาน, issue #16 §3): raising one and listing them. An obstacle
//! is an issue of kind `obstacle`, so it is assigned, acted on, closed and reopened through the issue use
//! cases (`crate::issues::act`) like any problem; who sees it is decided with the restricted cases, in
//! [`Caller::restriction`] (admins, staff, auditors, and the coordinator who raised it), and every community
//! list and statistic leaves it out through the kind in `IssueFilter`.

use santisuk_domain::values::IssueKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::caller::{Caller, Role};
use crate::error::AppError;
use crate::issues::{self, CommandReply, IssueCursor, IssueRow, ListParams, RaiseIssueRequest};
use crate::schema;

/// The case-number series of obstacles, one for the whole country (`OBS-2569-00001`): they are addressed to
/// SBPAC's central office, and the provinces' series of community problems stay without gaps.
pub const CASE_NUMBER_PREFIX: &str = "OBS";

/// A coordinator raises an obstacle in their own work: what it is, in which of their areas, of which
/// obstacle category (`GET /api/categories?kind=obstacle`).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseObstacleRequest {
    /// One of the coordinator's own areas: where the work is held up.
    #[schema(value_type = schema::AreaId)]
    pub area_id: String,
    /// An obstacle category code, e.g. `OBS_TRANSPORT` (a community category is refused:
    /// `category_kind_mismatch`).
    #[schema(value_type = schema::CategoryCode)]
    pub category: String,
    #[schema(value_type = schema::Title)]
    pub title: String,
    #[schema(value_type = Option<schema::Text>)]
    pub description: Option<String>,
    /// When it arose (RFC 3339); default now; never in the future.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// Refuses (403 `not_a_coordinator`) anyone but a coordinator: obstacles are the coordinators' own.
pub fn require_coordinator(caller: &Caller) -> Result<(), AppError> {
    if caller.user.role == Role::Coordinator {
        Ok(())
    } else {
        Err(AppError::forbidden_as(
            "not_a_coordinator",
            format!("only a coordinator raises an obstacle of their own work (you are {})", caller.user.role),
        ))
    }
}

/// Raises an obstacle (a coordinator, in one of their areas, with an obstacle category). With an
/// idempotency key, a retry of the same request answers as the first and creates nothing.
pub async fn raise(
    state: &AppState,
    caller: &Caller,
    req: RaiseObstacleRequest,
    idempotency_key: Option<String>,
) -> Result<CommandReply, AppError> {
    require_coordinator(caller)?;
    let req = RaiseIssueRequest {
        area_id: req.area_id,
        category: req.category,
        title: req.title,
        description: req.description,
        forum_id: None,
        raised_by: None,
        at: req.at,
        complainant: None,
        restricted: None,
    };
    issues::raise_of_kind(state, caller, req, idempotency_key, IssueKind::Obstacle).await
}

/// `params` (parsed like the issue list's) for obstacles.
pub fn params(mut params: ListParams) -> ListParams {
    params.filter.kind = IssueKind::Obstacle;
    params
}

/// One page of obstacles (live, or as the log stood at `as_of`), newest first: every obstacle for admins,
/// staff and auditors, a coordinator's own for a coordinator (see [`Caller::restriction`]). The read is
/// recorded in the access log like the issue list's.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    p: ListParams,
) -> Result<(Vec<IssueRow>, Option<IssueCursor>), AppError> {
    issues::list(state, caller, &params(p)).await
}

/// The names of the coordinators who raised `rows` (by user id), for showing beside each obstacle: the
/// caller sees only obstacles they may read, so the names are theirs to see.
pub async fn raisers(
    state: &AppState,
    rows: &[IssueRow],
) -> Result<std::collections::HashMap<String, String>, AppError> {
    let mut names = std::collections::HashMap::new();
    for id in rows.iter().filter_map(|r| r.raised_by_user.as_deref()) {
        if !names.contains_key(id) {
            if let Some(user) = santisuk_projections::users::get_user(&state.db, id).await? {
                names.insert(id.to_owned(), user.name);
            }
        }
    }
    Ok(names)
}

/// The `as_of` of "the list as it stood at the end of `day`" (Asia/Bangkok), or `None` when that end is
/// not yet past (the live list): what the web page's "as of" day means.
pub fn end_of_day(day: chrono::NaiveDate, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    let end = santisuk_projections::stats::bangkok_midnight(day.succ_opt().unwrap_or(day));
    (end < santisuk_store::events::fmt_ts(now)).then_some(end)
}
