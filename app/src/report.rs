//! The printed forum report and the complainant's receipt (issue #18 §3, §4): what goes back to the village
//! on paper, gathered here with its authorisation so that the HTML page and the PDF print the same thing.
//!
//! Who may print (decided here, once): the forum report, anyone who may see the forum (a coordinator: the
//! forums of their areas; another area's forum is "not found"); a receipt, anyone who may read the problem
//! (the rules of `issues::get`: area scope, restricted cases, obstacles; the read is recorded in the access
//! log like any other).
//!
//! What a villager-facing paper may show is decided here as well, whoever prints it: it never carries a
//! complainant's name or contact (`raised_by` and the person records are left out altogether), and never a
//! restricted case (its own mark or its category's) nor a coordinator's obstacle, even when the one printing
//! may read them, because the paper is handed round a village hall. They are left out without a count: in
//! a small village a count of hidden cases is itself telling. The report says so in a standing note. A
//! receipt of a restricted case carries its reference number, its category and what happens next, but not
//! its title.

use chrono::NaiveDate;
use cqrs_es::Aggregate as _;
use santisuk_domain::geo::Geography;
use santisuk_domain::issue::{Issue, IssueEvent};
use santisuk_domain::personal::ERASED;
use santisuk_domain::values::IssueKind;
use santisuk_projections::duplicates;
use santisuk_projections::read_model::{self, ForumRow, IssueFilter, IssueRow, Restriction};

use crate::caller::Caller;
use crate::error::AppError;
use crate::forums::get_forum;
use crate::{AppState, issues};

/// Where a forum was held, with the names of its district and province (Thai and English).
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub area_id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    pub amphoe_th: Option<String>,
    pub amphoe_en: Option<String>,
    pub province_th: Option<String>,
    pub province_en: Option<String>,
}

/// A name in Thai and, where known, in English (categories, agencies, organisations).
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub th: String,
    pub en: Option<String>,
}

/// One problem as the paper shows it: nothing that names who raised it.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedProblem {
    pub id: String,
    pub case_number: Option<String>,
    pub category: Named,
    pub title: String,
    pub description: Option<String>,
    /// `raised`, `assigned`, `addressed`, `closed` (as stored).
    pub status: String,
    /// The agency it was referred to, or the assignee (an official, never the complainant).
    pub responsible: Option<Named>,
    pub due_on: Option<String>,
    /// The outcome code of its closure (`resolved`, …) while closed.
    pub outcome: Option<String>,
    pub raised_on: String,
    /// The Bangkok day of its closure, while closed.
    pub closed_on: Option<String>,
    /// The community's verdict on the current closure, if given.
    pub verdict: Option<String>,
    /// What was done, oldest first: the Bangkok day and the action recorded (erased ones left out).
    pub actions: Vec<(String, String)>,
}

/// Who took part, as counts (the forum record holds no names of villagers).
#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub participants: Option<i64>,
    pub sbpac_staff: Option<i64>,
    pub coordinators: Option<i64>,
    pub leaders: Option<i64>,
    pub villagers: Option<i64>,
    pub villagers_women: Option<i64>,
    pub villagers_men: Option<i64>,
    pub organisations: Vec<Named>,
}

/// A forum's report (see the module's comment for what it leaves out).
#[derive(Debug, Clone, PartialEq)]
pub struct ForumReport {
    pub forum_id: String,
    pub held_on: String,
    pub title: Option<String>,
    pub facilitator: Option<String>,
    pub place: Place,
    pub attendance: Attendance,
    /// Every problem raised at the forum, by case number.
    pub raised: Vec<PrintedProblem>,
    /// The day of the area's previous forum (`None`: this is its first).
    pub since: Option<String>,
    /// The problems of the area closed since the previous forum, for the community's verdict.
    pub closed_since: Vec<PrintedProblem>,
}

/// A complainant's receipt for one problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    /// The case number (`PTN-2569-00123`), or the id for a problem raised before case numbers.
    pub reference: String,
    /// `None` on the receipt of a restricted case (see the module's comment).
    pub title: Option<String>,
    pub category: Named,
    pub status: String,
    pub outcome: Option<String>,
    pub raised_on: String,
    /// The forum it was raised at, if any.
    pub forum_held_on: Option<String>,
    pub place: Place,
    pub responsible: Option<Named>,
    pub due_on: Option<String>,
    pub closed_on: Option<String>,
}

/// What no villager-facing paper shows: every restricted case and every obstacle, whoever reads. A reader
/// granted nothing, with an id no user has, is hidden exactly those (see `read_model::hidden_sql`).
fn public_only() -> Restriction {
    Restriction { categories: Vec::new(), user_id: String::new(), own_obstacles_only: true }
}

fn place_of(area: Option<read_model::AreaRow>, area_id: &str) -> Place {
    let amphoe = area.as_ref().and_then(|a| Geography::get().amphoe(&a.amphoe_code));
    Place {
        area_id: area_id.to_owned(),
        name_th: area.as_ref().map_or_else(|| area_id.to_owned(), |a| a.name_th.clone()),
        name_en: area.as_ref().and_then(|a| a.name_en.clone()),
        amphoe_th: amphoe.map(|a| a.name_th.clone()),
        amphoe_en: amphoe.map(|a| a.name_en.clone()),
        province_th: amphoe.map(|a| a.province_th.clone()),
        province_en: amphoe.map(|a| a.province_en.clone()),
    }
}

async fn place(state: &AppState, area_id: &str) -> Result<Place, AppError> {
    Ok(place_of(read_model::get_area(&state.db, area_id).await?, area_id))
}

async fn category(state: &AppState, code: &str) -> Result<Named, AppError> {
    Ok(match read_model::get_category(&state.db, code).await? {
        Some(c) => Named { th: c.name_th, en: Some(c.name_en) },
        None => Named { th: code.to_owned(), en: None },
    })
}

async fn responsible(state: &AppState, row: &IssueRow) -> Result<Option<Named>, AppError> {
    if let Some(agency) = &row.agency_id
        && let Some(a) = santisuk_projections::agencies::get_agency(&state.db, agency).await?
    {
        return Ok(Some(Named { th: a.name_th, en: a.name_en }));
    }
    Ok(row.assignee.clone().map(|a| Named { th: a, en: None }))
}

fn bangkok_day(stored: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stored).map_or_else(
        |_| stored.to_owned(),
        |t| t.with_timezone(&santisuk_domain::time::bangkok()).date_naive().to_string(),
    )
}

/// The actions recorded on an issue (`IssueAddressed`), oldest first, as the Bangkok day and the text; an
/// action whose text was erased (personal data) is left out rather than printed as a placeholder.
async fn actions(state: &AppState, id: &str) -> Result<Vec<(String, String)>, AppError> {
    let mut done = Vec::new();
    for e in santisuk_store::events::aggregate_history(&state.db, Issue::TYPE, id).await? {
        if let Ok(IssueEvent::IssueAddressed { action, at, .. }) = serde_json::from_value::<IssueEvent>(e.payload) {
            let text = action.as_str().trim();
            if !text.is_empty() && text != ERASED {
                done.push((santisuk_domain::time::bangkok_date(at).to_string(), text.to_owned()));
            }
        }
    }
    Ok(done)
}

async fn printed(state: &AppState, row: IssueRow) -> Result<PrintedProblem, AppError> {
    Ok(PrintedProblem {
        actions: actions(state, &row.id).await?,
        category: category(state, &row.category).await?,
        responsible: responsible(state, &row).await?,
        closed_on: row.closed_at.as_deref().map(bangkok_day),
        id: row.id,
        case_number: row.case_number,
        title: row.title,
        // An erased description is left out, as an erased action is, rather than printed as a placeholder.
        description: row.description.filter(|d| d.trim() != ERASED && !d.trim().is_empty()),
        status: row.status.as_str().to_owned(),
        due_on: row.due_on,
        outcome: row.outcome,
        raised_on: row.raised_on,
        verdict: row.verdict,
    })
}

/// Case numbers in order (those without one last, by id): the order people look them up in.
fn by_case_number(problems: &mut [PrintedProblem]) {
    problems.sort_by(|a, b| {
        (a.case_number.is_none(), &a.case_number, &a.id).cmp(&(b.case_number.is_none(), &b.case_number, &b.id))
    });
}

/// The report of one forum (see [`ForumReport`]). A forum the caller may not see is "not found".
pub async fn forum_report(state: &AppState, caller: &Caller, forum_id: &str) -> Result<ForumReport, AppError> {
    let forum: ForumRow = get_forum(state, caller, forum_id).await?;
    // The paper lists problems and what was done about them: recorded like any other list of cases.
    caller.record_read(state, "forum_report", Some(&forum.id), serde_json::json!({})).await?;
    let day: NaiveDate =
        forum.held_on.parse().map_err(|e| AppError::Internal(format!("forum day {:?}: {e}", forum.held_on)))?;
    let public = public_only();
    let mut raised = Vec::new();
    for row in santisuk_projections::queue::issues_of_forum(&state.db, &forum.id, Some(&public)).await? {
        if row.kind == IssueKind::Community {
            raised.push(printed(state, row).await?);
        }
    }
    by_case_number(&mut raised);
    let since = duplicates::previous_forum_day(&state.db, &forum.area_id, day).await?;
    let filter = IssueFilter { areas: caller.visible_areas(), hidden: Some(public), ..IssueFilter::default() };
    let mut closed_since = Vec::new();
    for row in duplicates::for_verdicts(&state.db, &forum.id, &forum.area_id, day, since, &filter).await? {
        if row.kind == IssueKind::Community {
            closed_since.push(printed(state, row).await?);
        }
    }
    by_case_number(&mut closed_since);
    let mut organisations = Vec::new();
    if let Some(p) = &forum.participation {
        for id in &p.organisations {
            if let Some(o) = read_model::get_organisation(&state.db, id).await? {
                organisations.push(Named { th: o.name_th, en: o.name_en });
            }
        }
    }
    let p = forum.participation.as_ref();
    let attendance = Attendance {
        participants: forum.participants,
        sbpac_staff: p.map(|p| p.sbpac_staff),
        coordinators: p.map(|p| p.coordinators),
        leaders: p.map(|p| p.leaders),
        villagers: p.map(|p| p.villagers),
        villagers_women: p.and_then(|p| p.villagers_women),
        villagers_men: p.and_then(|p| p.villagers_men),
        organisations,
    };
    Ok(ForumReport {
        place: place(state, &forum.area_id).await?,
        forum_id: forum.id,
        held_on: forum.held_on,
        title: forum.title,
        facilitator: forum.facilitator,
        attendance,
        raised,
        since: since.map(|d| d.to_string()),
        closed_since,
    })
}

/// The receipt of one problem (by id or case number), for whoever may read it: another area's problem, a
/// restricted case the caller may not read, or an obstacle is "not found" (as `issues::get` answers).
pub async fn receipt(state: &AppState, caller: &Caller, raw_id: &str) -> Result<Receipt, AppError> {
    let row = issues::get(state, caller, raw_id, None).await?;
    if row.kind != IssueKind::Community {
        // An obstacle is a coordinator's own note, raised by no complainant.
        return Err(AppError::not_found("issue_not_found", "no such issue"));
    }
    let restricted = read_model::is_hidden(&state.db, &row.id, Some(&public_only())).await?;
    let forum_held_on = match &row.forum_id {
        Some(f) => read_model::get_forum(&state.db, f).await?.map(|f| f.held_on),
        None => None,
    };
    Ok(Receipt {
        reference: row.case_number.clone().unwrap_or_else(|| row.id.clone()),
        title: (!restricted).then(|| row.title.clone()),
        category: category(state, &row.category).await?,
        responsible: responsible(state, &row).await?,
        place: place(state, &row.area_id).await?,
        closed_on: row.closed_at.as_deref().map(bangkok_day),
        status: row.status.as_str().to_owned(),
        outcome: row.outcome,
        raised_on: row.raised_on,
        forum_held_on,
        due_on: row.due_on,
    })
}
