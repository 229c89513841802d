//! Service levels and escalation (issue #17 §2): admins set a category's days to assign and to resolve;
//! the escalator, a background task the [`AppState`] owns, records an `IssueEscalated` for every
//! deadline a problem passed (the rule is the domain's, [`santisuk_domain::escalation`]).
//!
//! The escalator is safe to run on every instance at once and as often as wanted: the `Issue` aggregate
//! refuses a level already reached, so a level is recorded once, and each event's `at` is the deadline
//! passed, so whichever instance records it, and however late, the log says the same.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use santisuk_domain::category::{Category, CategoryCommand};
use santisuk_domain::escalation;
use santisuk_domain::geo::Geography;
use santisuk_domain::issue::{EscalateIssue, Issue, IssueAction, IssueCommand};
use santisuk_domain::service_level::ServiceLevel;
use santisuk_domain::values::CategoryCode;
use santisuk_projections::read_model::{self, CategoryRow, IssueRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::caller::{Caller, Role};
use crate::error::AppError;

/// How often the escalator looks for passed deadlines. A deadline is recorded at its own instant
/// whenever the escalator gets to it; this bounds only how long the queue may show an overdue problem
/// not yet escalated.
pub const ESCALATE_EVERY: Duration = Duration::from_secs(60);

/// A category's service level; absent or `null`: no limit of that kind.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceLevelRequest {
    /// Days a problem may wait for its first assignment (1–366).
    pub days_to_assign: Option<i64>,
    /// Days a problem may stay open (1–366, no fewer than `days_to_assign`).
    pub days_to_resolve: Option<i64>,
}

/// Sets a category's service level (administrators); answers with the category as it is now. An unknown
/// category is "not found", the level it already has a conflict (`service_level_unchanged`), days out of
/// range `bad_service_days`: nothing is written in any of these cases.
pub async fn set_service_level(
    state: &AppState,
    caller: &Caller,
    raw_code: &str,
    req: ServiceLevelRequest,
) -> Result<CategoryRow, AppError> {
    caller.require(&[Role::Admin], "set service levels")?;
    let not_found = || AppError::not_found("category_not_found", "no such category");
    let code = CategoryCode::parse(raw_code).map_err(|_| not_found())?;
    let level = ServiceLevel::parse(req.days_to_assign, req.days_to_resolve)?;
    let command = CategoryCommand::SetServiceLevel { level, at: crate::now() };
    state.command::<Category>(code.to_string(), command, caller.metadata(), None).await?;
    let mut row = read_model::get_category(&state.db, code.as_str()).await?.ok_or_else(not_found)?;
    row.days_to_assign = level.days_to_assign.map(i64::from);
    row.days_to_resolve = level.days_to_resolve.map(i64::from);
    Ok(row)
}

/// Where a problem stands against its category's service level, as the issue answer shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EscalationView {
    /// 0: the district coordinator; 1: the provincial office; 2: the SBPAC centre.
    pub level: i64,
    /// Who is responsible at that level (`null` at level 0).
    pub responsible: Option<String>,
    /// `assignment` or `resolution` when the problem is past that limit now; `null` when it is not.
    pub overdue: Option<String>,
    /// When it is due assigned (none once assigned, or without a limit).
    pub assign_by: Option<DateTime<Utc>>,
    /// When it is due resolved (none without a limit).
    pub resolve_by: Option<DateTime<Utc>>,
}

/// The service levels in force, by category code.
pub async fn service_levels(state: &AppState) -> Result<BTreeMap<String, ServiceLevel>, AppError> {
    Ok(read_model::list_categories(&state.db).await?.into_iter().map(|c| (c.code.clone(), c.service_level())).collect())
}

/// What [`EscalationView`] says about `row` at `now` under `level`.
pub fn view(row: &IssueRow, level: &ServiceLevel, now: DateTime<Utc>) -> EscalationView {
    let (assign_by, resolve_by) = match row.escalation_facts() {
        Some(f) => escalation::deadlines(f.raised_at, level),
        None => (None, None),
    };
    EscalationView {
        level: row.escalation_level,
        responsible: row.responsible.clone(),
        overdue: row.overdue(level, now).map(|b| b.as_str().to_owned()),
        assign_by: assign_by.filter(|_| row.assigned_at.is_none()),
        resolve_by,
    }
}

/// One pass of the escalator at `now`: records every escalation due on an open problem of a category
/// with a service level. Returns how many it recorded (0 when another instance got there first).
pub async fn escalate_due(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let levels: BTreeMap<String, ServiceLevel> =
        service_levels(state).await?.into_iter().filter(|(_, l)| !l.is_none()).collect();
    let codes: Vec<String> = levels.keys().cloned().collect();
    let areas: BTreeMap<String, String> = read_model::list_areas(&state.db)
        .await?
        .into_iter()
        .map(|a| {
            let province = Geography::get().amphoe(&a.amphoe_code).map(|x| x.province_th.clone()).unwrap_or_default();
            (a.id, province)
        })
        .collect();
    let mut recorded = 0;
    for row in read_model::open_issues_of_categories(&state.db, &codes).await? {
        let (Some(facts), Some(level)) = (row.escalation_facts(), levels.get(&row.category)) else { continue };
        let current = u8::try_from(row.escalation_level).unwrap_or(escalation::MAX_LEVEL);
        let province = areas.get(&row.area_id).map(String::as_str).unwrap_or_default();
        for due in escalation::due(&facts, level, current, now) {
            let responsible = escalation::responsible(due.level, province).expect("a level above 0 has an office");
            let action =
                IssueAction::Escalate(EscalateIssue { level: due.level, responsible, breach: due.breach, at: due.at });
            // A request id of its own, as every API command has: escalators on two instances send the same
            // event, and the store tells a command's own events from another's by their metadata when it
            // must read an append back (a commit whose answer was lost).
            let metadata = HashMap::from([
                ("actor".to_owned(), "escalator".to_owned()),
                ("request_id".to_owned(), format!("escalator-{}", uuid::Uuid::new_v4())),
            ]);
            match state.command::<Issue>(row.id.clone(), IssueCommand { now, action }, metadata, None).await {
                Ok(_) => recorded += 1,
                // Another instance (or an earlier pass) recorded it, or the problem was closed meanwhile.
                Err(AppError::Conflict { .. }) => break,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(recorded)
}

/// Runs [`escalate_due`] now and every [`ESCALATE_EVERY`] until `shutdown`; a failing pass is logged and
/// the next one tries again (nothing is lost: the deadlines stay passed).
pub async fn run_escalator(state: AppState, shutdown: impl std::future::Future<Output = ()> + Send) {
    tokio::pin!(shutdown);
    loop {
        let pass = if state.escalator_on() { escalate_due(&state, crate::now()).await } else { Ok(0) };
        match pass {
            Ok(0) => {}
            Ok(n) => tracing::info!(escalated = n, "problems past their service level escalated"),
            Err(e) => tracing::warn!(error = ?e, "an escalator pass failed; the next one tries again"),
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(ESCALATE_EVERY) => {}
        }
    }
}
