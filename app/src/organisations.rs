//! Organisation use cases: the registry of civil-society organisations (องค์กรภาคประชาสังคม), one of SBPAC's
//! four partner groups.
//!
//! Who may do what (decided here, once):
//! - everyone signed in reads the whole registry (reference data like the categories: a coordinator picks
//!   the organisations that took part in a forum, and an organisation from a neighbouring area may come);
//! - admins and staff register organisations (active at once), approve proposed ones and update any;
//! - a coordinator proposes one (status `proposed` until approved), working in their own areas only;
//!   it may be named at forums at once;
//! - auditors read only.

use santisuk_domain::organisation::{
    Organisation, OrganisationCommand, OrganisationDetails, OrganisationId, OrganisationKind,
};
use santisuk_domain::values::{AreaId, Name};
use santisuk_projections::read_model;
pub use santisuk_projections::read_model::OrganisationRow;
use santisuk_store::events::fmt_ts;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::caller::{Caller, Role};
use crate::error::AppError;
use crate::schema;
use crate::{AppState, now};

/// Register (admins, staff) or propose (coordinators) an organisation.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterOrganisationRequest {
    /// Its name in Thai (unique in the registry, ignoring case and spaces around it).
    #[schema(value_type = schema::Name)]
    pub name_th: String,
    #[schema(value_type = Option<schema::Name>)]
    pub name_en: Option<String>,
    #[schema(value_type = schema::OrganisationKind)]
    pub kind: String,
    /// The target areas it works in: at least one, each registered (a coordinator: their own areas).
    #[schema(value_type = schema::OrganisationAreas)]
    pub area_ids: Vec<String>,
}

/// Change an organisation (admins, staff): the fields given replace the current ones.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganisationRequest {
    #[schema(value_type = Option<schema::Name>)]
    pub name_th: Option<String>,
    /// The English name; an empty (blank) string removes it.
    #[schema(value_type = Option<schema::NameOrBlank>)]
    pub name_en: Option<String>,
    #[schema(value_type = Option<schema::OrganisationKind>)]
    pub kind: Option<String>,
    #[schema(value_type = Option<schema::OrganisationAreas>)]
    pub area_ids: Option<Vec<String>>,
}

/// Which organisations to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrganisationQuery {
    /// Only those working in this area.
    #[param(value_type = Option<schema::AreaId>, inline)]
    pub area_id: Option<String>,
    /// Only those `active` or only those `proposed`.
    #[param(value_type = Option<schema::OrganisationStatus>, inline)]
    pub status: Option<String>,
}

fn parse_kind(raw: &str) -> Result<OrganisationKind, AppError> {
    OrganisationKind::parse(raw.trim()).ok_or_else(|| {
        AppError::invalid(
            "unknown_organisation_kind",
            format!(
                "unknown kind {raw:?}: expected one of {}",
                OrganisationKind::ALL.map(OrganisationKind::as_str).join(", ")
            ),
        )
    })
}

/// The areas, each checked to exist (and, for a coordinator, to be theirs).
async fn parse_areas(state: &AppState, caller: &Caller, raw: &[String]) -> Result<Vec<AreaId>, AppError> {
    let mut areas = Vec::with_capacity(raw.len());
    for a in raw {
        let area = AreaId::parse(a)?;
        if !caller.sees_area(area.as_str()) {
            return Err(AppError::forbidden(format!(
                "you may propose organisations only in your own areas, not in {area}"
            )));
        }
        if read_model::get_area(&state.db, area.as_str()).await?.is_none() {
            return Err(AppError::invalid("unknown_area", format!("no area {area}")));
        }
        areas.push(area);
    }
    Ok(areas)
}

/// Names compare ignoring case and the white space inside them: "Women's Group  A" is "women's group a".
fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Refuses a Thai name another organisation already has (409 `duplicate_organisation`).
async fn require_unique_name(state: &AppState, name_th: &Name, except: Option<&str>) -> Result<(), AppError> {
    let key = name_key(name_th.as_str());
    let taken = read_model::list_organisations(&state.db)
        .await?
        .into_iter()
        .find(|o| Some(o.id.as_str()) != except && name_key(&o.name_th) == key);
    match taken {
        Some(o) => Err(AppError::Conflict {
            code: "duplicate_organisation",
            message: format!("the registry already has {} ({})", o.name_th, o.id),
        }),
        None => Ok(()),
    }
}

/// Registers an organisation (admins, staff: active) or proposes one (a coordinator: proposed, in their
/// own areas). Answers with its row.
pub async fn register_organisation(
    state: &AppState,
    caller: &Caller,
    req: RegisterOrganisationRequest,
) -> Result<OrganisationRow, AppError> {
    caller.require(&[Role::Admin, Role::Staff, Role::Coordinator], "register or propose organisations")?;
    let proposed = caller.user.role == Role::Coordinator;
    let name_th = Name::parse(&req.name_th)?;
    let name_en = crate::parse::opt(req.name_en.as_deref(), Name::parse)?;
    let kind = parse_kind(&req.kind)?;
    let area_ids = parse_areas(state, caller, &req.area_ids).await?;
    require_unique_name(state, &name_th, None).await?;
    let id = OrganisationId(uuid::Uuid::new_v4()).to_string();
    let details = OrganisationDetails { name_th, name_en, kind, area_ids };
    let command = OrganisationCommand::Register { details: details.clone(), proposed };
    state.command::<Organisation>(id.clone(), command, caller.metadata(), None).await?;
    let fallback = || {
        let mut areas: Vec<String> = details.area_ids.iter().map(ToString::to_string).collect();
        areas.sort();
        areas.dedup();
        OrganisationRow {
            id: id.clone(),
            name_th: details.name_th.to_string(),
            name_en: details.name_en.as_ref().map(ToString::to_string),
            kind: kind.as_str().to_owned(),
            status: if proposed { "proposed" } else { "active" }.to_owned(),
            area_ids: areas,
            registered_at: fmt_ts(now()),
        }
    };
    Ok(read_model::get_organisation(&state.db, &id).await?.unwrap_or_else(fallback))
}

/// The registry (everyone signed in), by Thai name, optionally of one area or one status.
pub async fn list_organisations(
    state: &AppState,
    _caller: &Caller,
    query: &OrganisationQuery,
) -> Result<Vec<OrganisationRow>, AppError> {
    if let Some(status) = query.status.as_deref() {
        if !matches!(status, "active" | "proposed") {
            return Err(AppError::invalid("bad_status", "status is active or proposed"));
        }
    }
    Ok(read_model::list_organisations(&state.db)
        .await?
        .into_iter()
        .filter(|o| query.area_id.as_ref().is_none_or(|a| o.area_ids.contains(a)))
        .filter(|o| query.status.as_ref().is_none_or(|s| o.status == *s))
        .collect())
}

/// One organisation of the registry (everyone signed in).
pub async fn get_organisation(state: &AppState, _caller: &Caller, id: &str) -> Result<OrganisationRow, AppError> {
    let not_found = || AppError::not_found("organisation_not_found", "no such organisation");
    let id = OrganisationId::parse(id).ok_or_else(not_found)?;
    read_model::get_organisation(&state.db, &id.to_string()).await?.ok_or_else(not_found)
}

/// Approves a proposed organisation (admins, staff).
pub async fn approve_organisation(state: &AppState, caller: &Caller, id: &str) -> Result<OrganisationRow, AppError> {
    caller.require(&[Role::Admin, Role::Staff], "approve organisations")?;
    let mut row = get_organisation(state, caller, id).await?;
    state.command::<Organisation>(row.id.clone(), OrganisationCommand::Approve, caller.metadata(), None).await?;
    row.status = "active".to_owned();
    Ok(row)
}

/// Updates an organisation (admins, staff): the fields given replace the current ones.
pub async fn update_organisation(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: UpdateOrganisationRequest,
) -> Result<OrganisationRow, AppError> {
    caller.require(&[Role::Admin, Role::Staff], "change organisations")?;
    let current = get_organisation(state, caller, id).await?;
    let name_th = Name::parse(req.name_th.as_deref().unwrap_or(&current.name_th))?;
    let name_en = match req.name_en.as_deref() {
        Some(raw) if raw.trim().is_empty() => None,
        Some(raw) => Some(Name::parse(raw)?),
        None => current.name_en.as_deref().map(Name::parse).transpose()?,
    };
    let kind = parse_kind(req.kind.as_deref().unwrap_or(&current.kind))?;
    let area_ids = parse_areas(state, caller, req.area_ids.as_ref().unwrap_or(&current.area_ids)).await?;
    require_unique_name(state, &name_th, Some(&current.id)).await?;
    let details = OrganisationDetails { name_th, name_en, kind, area_ids };
    state
        .command::<Organisation>(current.id.clone(), OrganisationCommand::Update(details), caller.metadata(), None)
        .await?;
    read_model::get_organisation(&state.db, &current.id)
        .await?
        .ok_or_else(|| AppError::not_found("organisation_not_found", "no such organisation"))
}
