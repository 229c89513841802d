//! Agencies and referral (issue #17 §1): the registry of agencies, the routing rules (category × district →
//! agency) and their suggestions, who a problem is waiting for, and the ball-in-court figures.
//!
//! Who may do what (decided here, once):
//! - everyone signed in reads the agencies and the routing rules (reference data, no personal data and
//!   nothing of an area's problems);
//! - admins register and change agencies and set and remove routing rules;
//! - issue writers (admins, staff, coordinators in their areas) ask for a suggestion (a coordinator only for
//!   their own areas), refer a problem to an agency (the assignment) and record who it is waiting for;
//! - everyone signed in reads the ball-in-court figures of the problems they may see (a coordinator: their
//!   areas; the restricted cases a reader may not read are left out of the figures altogether: a group of one
//!   agency may hold a single problem).

use chrono::{DateTime, NaiveDate, Utc};
use santisuk_domain::agency::{Agency, AgencyCommand, AgencyDetails, AgencyId, AgencyLevel, Party};
use santisuk_domain::issue::{IssueAction, WaitFor};
use santisuk_domain::routing::{RoutingRule, RoutingRuleCommand, RoutingRuleId};
use santisuk_domain::values::{AmphoeCode, Assignee, CategoryCode, IssueKind, Name, Text};
use santisuk_projections::agencies as table;
pub use santisuk_projections::agencies::{AgencyRow, RoutingRuleRow};
use santisuk_projections::as_of::AsOf;
pub use santisuk_projections::custody::{CustodyBy, CustodyQuery, CustodyRow, CustodyStats};
use santisuk_projections::read_model;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::caller::{Caller, Role};
use crate::error::AppError;
use crate::parse::{clip, opt, parse_as_of, parse_at, parse_date};
use crate::schema;

// --- agencies -------------------------------------------------------------------------------------------

/// Register an agency (admins).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterAgencyRequest {
    /// Its name in Thai (unique in the registry, ignoring case and spaces), e.g. `แขวงทางหลวงปัตตานี`.
    #[schema(value_type = schema::Name)]
    pub name_th: String,
    #[schema(value_type = Option<schema::Name>)]
    pub name_en: Option<String>,
    /// `tambon`, `amphoe`, `province`, `region` or `national`.
    #[schema(value_type = schema::AgencyLevel)]
    pub level: String,
    /// The DOPA codes of the districts it covers (of the 37 in scope): at least one for a tambon, amphoe or
    /// province agency; none for a regional or national one means every district.
    #[schema(value_type = schema::AgencyDistricts)]
    #[serde(default)]
    pub districts: Vec<String>,
    /// How to reach it: an e-mail address, a telephone number, a LINE id (one line).
    #[schema(value_type = Option<schema::Name>)]
    pub contact: Option<String>,
}

/// Change an agency (admins): the fields given replace the current ones.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgencyRequest {
    #[schema(value_type = Option<schema::Name>)]
    pub name_th: Option<String>,
    /// The English name; an empty (blank) string removes it.
    #[schema(value_type = Option<schema::NameOrBlank>)]
    pub name_en: Option<String>,
    #[schema(value_type = Option<schema::AgencyLevel>)]
    pub level: Option<String>,
    #[schema(value_type = Option<schema::AgencyDistricts>)]
    pub districts: Option<Vec<String>>,
    /// The contact; an empty (blank) string removes it.
    #[schema(value_type = Option<schema::NameOrBlank>)]
    pub contact: Option<String>,
}

/// Which agencies to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AgencyQuery {
    /// Only those covering this district (DOPA code; an agency naming no district covers all).
    #[param(value_type = Option<schema::Filter>, inline)]
    pub district: Option<String>,
    /// Only those of this level.
    #[param(value_type = Option<schema::AgencyLevel>, inline)]
    pub level: Option<String>,
}

fn parse_level(raw: &str) -> Result<AgencyLevel, AppError> {
    AgencyLevel::parse(raw.trim()).ok_or_else(|| {
        AppError::invalid(
            "unknown_agency_level",
            format!(
                "unknown level {:?}: expected one of {}",
                clip(raw),
                AgencyLevel::ALL.map(AgencyLevel::as_str).join(", ")
            ),
        )
    })
}

fn parse_districts(raw: &[String]) -> Result<Vec<AmphoeCode>, AppError> {
    if raw.len() > 200 {
        return Err(AppError::invalid("too_many_districts", "at most 200 districts"));
    }
    raw.iter().map(|d| AmphoeCode::parse(d.trim()).map_err(AppError::from)).collect()
}

/// Names compare ignoring case and the white space inside them.
fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Refuses a Thai name another agency already has (409 `duplicate_agency`).
async fn require_unique_name(state: &AppState, name_th: &Name, except: Option<&str>) -> Result<(), AppError> {
    let key = name_key(name_th.as_str());
    let taken = table::list_agencies(&state.db)
        .await?
        .into_iter()
        .find(|a| Some(a.id.as_str()) != except && name_key(&a.name_th) == key);
    match taken {
        Some(a) => Err(AppError::Conflict {
            code: "duplicate_agency",
            message: format!("the registry already has {} ({})", a.name_th, a.id),
        }),
        None => Ok(()),
    }
}

fn agency_not_found() -> AppError {
    AppError::not_found("agency_not_found", "no such agency")
}

/// Registers an agency (admins). Answers with its row.
pub async fn register_agency(
    state: &AppState,
    caller: &Caller,
    req: RegisterAgencyRequest,
) -> Result<AgencyRow, AppError> {
    caller.require(&[Role::Admin], "register agencies")?;
    let details = AgencyDetails {
        name_th: Name::parse(&req.name_th)?,
        name_en: opt(req.name_en.as_deref(), Name::parse)?,
        level: parse_level(&req.level)?,
        districts: parse_districts(&req.districts)?,
        contact: opt(req.contact.as_deref(), Name::parse)?,
    };
    require_unique_name(state, &details.name_th, None).await?;
    let id = AgencyId(uuid::Uuid::new_v4()).to_string();
    register_checked(state, caller, &id, details).await
}

/// Registers an agency whose details were checked (the demo data's seeding comes here too).
pub async fn register_checked(
    state: &AppState,
    caller: &Caller,
    id: &str,
    details: AgencyDetails,
) -> Result<AgencyRow, AppError> {
    state.command::<Agency>(id.to_owned(), AgencyCommand::Register(details), caller.metadata(), None).await?;
    table::get_agency(&state.db, id).await?.ok_or_else(agency_not_found)
}

/// The registry by Thai name, optionally of one district or one level.
pub async fn list_agencies(
    state: &AppState,
    _caller: &Caller,
    query: &AgencyQuery,
) -> Result<Vec<AgencyRow>, AppError> {
    let level = opt(query.level.as_deref(), parse_level)?;
    Ok(table::list_agencies(&state.db)
        .await?
        .into_iter()
        .filter(|a| query.district.as_deref().is_none_or(|d| a.covers(d.trim())))
        .filter(|a| level.is_none_or(|l| a.level == l.as_str()))
        .collect())
}

/// One agency.
pub async fn get_agency(state: &AppState, _caller: &Caller, id: &str) -> Result<AgencyRow, AppError> {
    let id = AgencyId::parse(id).ok_or_else(agency_not_found)?;
    table::get_agency(&state.db, &id.to_string()).await?.ok_or_else(agency_not_found)
}

/// Changes an agency (admins): the fields given replace the current ones.
pub async fn update_agency(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: UpdateAgencyRequest,
) -> Result<AgencyRow, AppError> {
    caller.require(&[Role::Admin], "change agencies")?;
    let current = get_agency(state, caller, id).await?;
    let blank_removes = |raw: Option<&str>, now: Option<&str>| -> Result<Option<Name>, AppError> {
        match raw {
            Some(r) if r.trim().is_empty() => Ok(None),
            Some(r) => Ok(Some(Name::parse(r)?)),
            None => Ok(now.map(Name::parse).transpose()?),
        }
    };
    let details = AgencyDetails {
        name_th: Name::parse(req.name_th.as_deref().unwrap_or(&current.name_th))?,
        name_en: blank_removes(req.name_en.as_deref(), current.name_en.as_deref())?,
        level: parse_level(req.level.as_deref().unwrap_or(&current.level))?,
        districts: parse_districts(req.districts.as_ref().unwrap_or(&current.districts))?,
        contact: blank_removes(req.contact.as_deref(), current.contact.as_deref())?,
    };
    require_unique_name(state, &details.name_th, Some(&current.id)).await?;
    state.command::<Agency>(current.id.clone(), AgencyCommand::Update(details), caller.metadata(), None).await?;
    table::get_agency(&state.db, &current.id).await?.ok_or_else(agency_not_found)
}

// --- routing rules --------------------------------------------------------------------------------------

/// Route the problems of a category in a district to an agency (admins): a new rule, or a new agency for
/// the pair's rule.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoutingRuleRequest {
    /// A category code of community problems, e.g. `INF`.
    #[schema(value_type = schema::CategoryCode)]
    pub category: String,
    /// The district's DOPA code (one of the 37 in scope), e.g. `9401`.
    #[schema(value_type = schema::AmphoeCode)]
    pub district: String,
    /// A registered agency's id.
    #[schema(format = Uuid)]
    pub agency: String,
}

/// What to suggest for.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestQuery {
    /// A category code (required).
    #[param(value_type = Option<String>)]
    pub category: Option<String>,
    /// An area id (required; its district picks the rule).
    #[param(value_type = Option<String>)]
    pub area: Option<String>,
}

/// The agency a routing rule suggests, if a rule matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RoutingSuggestion {
    /// The rule that matched; `null` when none does (then `agency` is `null` too).
    pub rule: Option<RoutingRuleRow>,
    pub agency: Option<AgencyRow>,
}

fn rule_not_found() -> AppError {
    AppError::not_found("routing_rule_not_found", "no such routing rule")
}

/// The agency an id names, or `unknown_agency` (422): a rule or an assignment naming one that does not exist.
async fn known_agency(state: &AppState, raw: &str) -> Result<AgencyRow, AppError> {
    let unknown = || AppError::invalid("unknown_agency", format!("no agency {:?}", clip(raw)));
    let id = AgencyId::parse(raw).ok_or_else(unknown)?;
    table::get_agency(&state.db, &id.to_string()).await?.ok_or_else(unknown)
}

/// A category of community problems that exists, or `unknown_category` (422).
async fn known_category(state: &AppState, raw: &str) -> Result<CategoryCode, AppError> {
    let code = CategoryCode::parse(raw.trim())?;
    match read_model::get_category(&state.db, code.as_str()).await? {
        Some(c) if c.kind == IssueKind::Community => Ok(code),
        _ => Err(AppError::invalid("unknown_category", format!("no category {code}"))),
    }
}

/// Sets a routing rule (admins). Answers with the rule.
pub async fn set_routing_rule(
    state: &AppState,
    caller: &Caller,
    req: SetRoutingRuleRequest,
) -> Result<RoutingRuleRow, AppError> {
    caller.require(&[Role::Admin], "set routing rules")?;
    let category = known_category(state, &req.category).await?;
    let district = AmphoeCode::parse(req.district.trim())?;
    let agency = known_agency(state, &req.agency).await?;
    let agency_id = AgencyId::parse(&agency.id).ok_or_else(agency_not_found)?;
    let id = RoutingRuleId::of(&category, &district);
    let command = RoutingRuleCommand::Set { category, district, agency: agency_id };
    state.command::<RoutingRule>(id.to_string(), command, caller.metadata(), None).await?;
    table::get_routing_rule(&state.db, &id.to_string()).await?.ok_or_else(rule_not_found)
}

/// The rules in force, by category and district.
pub async fn list_routing_rules(state: &AppState, _caller: &Caller) -> Result<Vec<RoutingRuleRow>, AppError> {
    Ok(table::list_routing_rules(&state.db).await?)
}

/// Removes a rule (admins).
pub async fn remove_routing_rule(state: &AppState, caller: &Caller, id: &str) -> Result<(), AppError> {
    caller.require(&[Role::Admin], "remove routing rules")?;
    let id = RoutingRuleId::parse(id).ok_or_else(rule_not_found)?;
    state.command::<RoutingRule>(id.to_string(), RoutingRuleCommand::Remove, caller.metadata(), None).await?;
    Ok(())
}

/// The agency the rules suggest for a problem of `category` in `area` (issue writers; a coordinator in their
/// own areas). An unknown category or area is refused (422), an area not the coordinator's too (403).
pub async fn suggest(state: &AppState, caller: &Caller, q: &SuggestQuery) -> Result<RoutingSuggestion, AppError> {
    caller.require_issue_writer()?;
    // A form that has not chosen both yet asks too (the document makes both optional): nothing to suggest.
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
    if blank(&q.category) || blank(&q.area) {
        return Ok(RoutingSuggestion { rule: None, agency: None });
    }
    let category = known_category(state, q.category.as_deref().unwrap_or_default()).await?;
    let area_raw = q.area.as_deref().unwrap_or_default().trim();
    if !caller.sees_area(area_raw) {
        return Err(AppError::forbidden(format!(
            "you may refer problems only in your own areas, not in {}",
            clip(area_raw)
        )));
    }
    let area = read_model::get_area(&state.db, area_raw)
        .await?
        .ok_or_else(|| AppError::invalid("unknown_area", format!("no area {:?}", clip(area_raw))))?;
    suggest_for(state, category.as_str(), &area.amphoe_code).await
}

/// The rule in force for the pair and its agency (none when no rule matches).
pub async fn suggest_for(state: &AppState, category: &str, district: &str) -> Result<RoutingSuggestion, AppError> {
    let Some(rule) = table::rule_for(&state.db, category, district).await? else {
        return Ok(RoutingSuggestion { rule: None, agency: None });
    };
    let agency = table::get_agency(&state.db, &rule.agency_id).await?;
    Ok(RoutingSuggestion { rule: Some(rule), agency })
}

// --- referral: the assignment's agency and rule -----------------------------------------------------------

/// Completes an assignment's referral once the issue is known: the agency (named, or the rule's) checked to
/// exist and named by its Thai name; the rule checked to be in force, to route the issue's category and
/// district, and to route to the agency. Anything unknown is refused (422) before anything is written.
pub(crate) async fn check_referral(
    state: &AppState,
    assign: &mut santisuk_domain::issue::AssignIssue,
    issue: &read_model::IssueRow,
) -> Result<(), AppError> {
    if let Some(rule_id) = assign.rule {
        let rule = table::get_routing_rule(&state.db, &rule_id.to_string())
            .await?
            .ok_or_else(|| AppError::invalid("unknown_routing_rule", format!("no routing rule {rule_id} in force")))?;
        let district = read_model::get_area(&state.db, &issue.area_id).await?.map(|a| a.amphoe_code);
        if rule.category != issue.category || Some(&rule.district) != district.as_ref() {
            return Err(AppError::invalid(
                "routing_rule_mismatch",
                format!(
                    "rule {rule_id} routes {} in {}, not this problem's category and district",
                    rule.category, rule.district
                ),
            ));
        }
        match assign.agency {
            None => assign.agency = AgencyId::parse(&rule.agency_id),
            Some(a) if a.to_string() != rule.agency_id => {
                return Err(AppError::invalid(
                    "routing_rule_mismatch",
                    format!("rule {rule_id} routes to agency {}, not {a}", rule.agency_id),
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(agency) = assign.agency {
        // Found: its Thai name is the name shown when no person is named. Not found: the domain refuses the
        // assignment (`unknown_agency`), as it refuses one without a name.
        assign.agency_name = match table::get_agency(&state.db, &agency.to_string()).await? {
            Some(a) => Some(Assignee::parse(&a.name_th)?),
            None => None,
        };
    }
    Ok(())
}

// --- waiting for -------------------------------------------------------------------------------------------

/// Record who the problem is waiting for now.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitingRequest {
    /// `sbpac`, `agency` (the agency it is referred to; it must be referred to one) or `community`.
    #[schema(value_type = schema::Party)]
    pub waiting_for: String,
    #[schema(value_type = Option<schema::Text>)]
    pub note: Option<String>,
    /// When it happened (RFC 3339); default now; not in the future, not before the issue was raised.
    #[schema(format = DateTime)]
    pub at: Option<String>,
}

/// The party a request names, or `unknown_party` (422).
pub fn parse_party(raw: &str) -> Result<Party, AppError> {
    Party::parse(raw.trim()).ok_or_else(|| {
        AppError::invalid(
            "unknown_party",
            format!("unknown party {:?}: expected sbpac, agency or community", clip(raw)),
        )
    })
}

impl WaitingRequest {
    /// The domain action. `now` is when the request arrived: `at` defaults to it.
    pub fn into_action(self, now: DateTime<Utc>) -> Result<IssueAction, crate::issues::FieldErrors> {
        let mut errors = crate::issues::FieldErrors::new();
        let waiting_for = parse_party(&self.waiting_for).map_err(|e| errors.push(("waiting_for", e))).ok();
        let note = opt(self.note.as_deref(), Text::parse).map_err(|e| errors.push(("note", e.into()))).ok();
        let at = parse_at(self.at.as_deref(), now).map_err(|e| errors.push(("at", e))).ok();
        match (waiting_for, note, at) {
            (Some(waiting_for), Some(note), Some(at)) if errors.is_empty() => {
                Ok(IssueAction::Wait(WaitFor { waiting_for, note, at }))
            }
            _ => Err(errors),
        }
    }
}

// --- ball in court ---------------------------------------------------------------------------------------------

/// The ball-in-court figures' query as the API receives it.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CustodyParams {
    /// `agency` (default), `category` or `party`.
    #[param(value_type = Option<schema::CustodyGrouping>, inline)]
    pub by: Option<String>,
    /// First day (inclusive, Asia/Bangkok) of the raised date window, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day (inclusive) of the window; not before `from`.
    #[param(format = Date)]
    pub to: Option<String>,
    /// RFC 3339: the figures as they stood at this recorded instant (open spans counted up to it).
    #[param(format = DateTime)]
    pub as_of: Option<String>,
}

/// The query, checked, with the caller's scope; and the as-of instant, if any. Open spans count up to the
/// as-of instant, or to `now`.
pub fn parse_custody(
    caller: &Caller,
    p: &CustodyParams,
    now: DateTime<Utc>,
) -> Result<(CustodyQuery, Option<DateTime<Utc>>), AppError> {
    let raw = p.by.as_deref().unwrap_or("agency");
    let by = CustodyBy::parse(raw).ok_or_else(|| {
        AppError::invalid("bad_group", format!("by is agency, category or party (got {:?})", clip(raw)))
    })?;
    let from: Option<NaiveDate> = opt(p.from.as_deref(), |d| parse_date("from", d))?;
    let to: Option<NaiveDate> = opt(p.to.as_deref(), |d| parse_date("to", d))?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::invalid("bad_window", "`from` is after `to`"));
        }
    }
    let as_of = parse_as_of(p.as_of.as_deref(), now)?;
    let query = CustodyQuery {
        by,
        from,
        to,
        areas: caller.visible_areas(),
        hidden: caller.restriction(),
        until: as_of.unwrap_or(now),
    };
    Ok((query, as_of))
}

/// The figures: live, or as the log stood at `as_of` (the same query on the tables folded for it).
pub async fn custody(
    state: &AppState,
    query: &CustodyQuery,
    as_of: Option<DateTime<Utc>>,
) -> Result<CustodyStats, AppError> {
    Ok(match as_of {
        None => santisuk_projections::custody::stats(&state.db, query).await?,
        Some(t) => santisuk_projections::custody::stats(AsOf::build(&state.db, t).await?.reader(), query).await?,
    })
}
