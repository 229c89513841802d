//! Reference-data use cases: registering target areas and adding categories (administrators), and the
//! lists of areas and categories, each within the caller's scope.

use crate::caller::Role;
use santisuk_domain::area::{Area, RegisterArea};
use santisuk_domain::category::{AddCategory, Category, CategoryCommand};
use santisuk_domain::values::{AmphoeCode, AreaId, CategoryCode, IssueKind, Name, TambonCode};
use santisuk_projections::read_model;
pub use santisuk_projections::read_model::{AreaRow, CategoryRow};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::caller::Caller;
use crate::error::AppError;
use crate::parse::opt;
use crate::schema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterAreaRequest {
    /// Administrator-chosen code, `[A-Za-z0-9-]{1,32}`, e.g. `PTN-01`.
    #[schema(value_type = schema::AreaId)]
    pub id: String,
    #[schema(value_type = schema::Name)]
    pub name_th: String,
    #[schema(value_type = Option<schema::Name>)]
    pub name_en: Option<String>,
    /// One of the 37 districts in scope (DOPA code), e.g. `9401`.
    #[schema(value_type = schema::AmphoeCode)]
    pub amphoe_code: String,
    /// A subdistrict of that district (DOPA code), e.g. `940101`.
    #[schema(value_type = Option<schema::TambonCode>)]
    pub tambon_code: Option<String>,
}

impl TryFrom<RegisterAreaRequest> for RegisterArea {
    type Error = AppError;

    fn try_from(req: RegisterAreaRequest) -> Result<RegisterArea, AppError> {
        let amphoe = AmphoeCode::parse(&req.amphoe_code)?;
        Ok(RegisterArea {
            id: AreaId::parse(&req.id)?,
            name_th: Name::parse(&req.name_th)?,
            name_en: opt(req.name_en.as_deref(), Name::parse)?,
            tambon: opt(req.tambon_code.as_deref(), |t| TambonCode::parse_in(t, &amphoe))?,
            amphoe,
        })
    }
}

/// Registers a target area (administrators). Answers with the command as recorded: the read model may lag
/// under load, and the projected row is a pure function of this event anyway.
pub async fn register_area(
    state: &AppState,
    caller: &Caller,
    req: RegisterAreaRequest,
) -> Result<RegisterArea, AppError> {
    caller.require(&[Role::Admin], "register areas")?;
    let command = RegisterArea::try_from(req)?;
    state.command::<Area>(command.id.to_string(), command.clone().into(), caller.metadata(), None).await?;
    Ok(command)
}

/// The target areas the caller may see (a coordinator: their own).
pub async fn list_areas(state: &AppState, caller: &Caller) -> Result<Vec<AreaRow>, AppError> {
    Ok(read_model::list_areas(&state.db).await?.into_iter().filter(|a| caller.sees_area(&a.id)).collect())
}

/// One target area, if the caller may see it.
pub async fn get_area(state: &AppState, caller: &Caller, id: &str) -> Result<Option<AreaRow>, AppError> {
    Ok(read_model::get_area(&state.db, id).await?.filter(|a| caller.sees_area(&a.id)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCategoryRequest {
    /// A stable code, `[A-Z0-9_]{2,16}`, e.g. `LIV`.
    #[schema(value_type = schema::CategoryCode)]
    pub code: String,
    #[schema(value_type = schema::Name)]
    pub name_th: String,
    #[schema(value_type = schema::Name)]
    pub name_en: String,
    /// `community` (default): a category of community problems; `obstacle`: of coordinators' own obstacles.
    #[schema(value_type = Option<schema::IssueKind>)]
    pub kind: Option<String>,
}

impl TryFrom<AddCategoryRequest> for AddCategory {
    type Error = AppError;

    fn try_from(req: AddCategoryRequest) -> Result<AddCategory, AppError> {
        Ok(AddCategory {
            code: CategoryCode::parse(&req.code)?,
            name_th: Name::parse(&req.name_th)?,
            name_en: Name::parse(&req.name_en)?,
            kind: opt(req.kind.as_deref(), IssueKind::parse)?.unwrap_or_default(),
        })
    }
}

/// Adds an obstacle category (administrators); answers with the command as recorded, like areas.
pub async fn add_category(state: &AppState, caller: &Caller, req: AddCategoryRequest) -> Result<AddCategory, AppError> {
    caller.require(&[Role::Admin], "add categories")?;
    let command = AddCategory::try_from(req)?;
    let add = CategoryCommand::Add(command.clone());
    state.command::<Category>(command.code.to_string(), add, caller.metadata(), None).await?;
    Ok(command)
}

/// Marks a category restricted, or lifts the mark.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestrictCategoryRequest {
    /// `true`: every case of the category is restricted (shown only to admins, to staff and auditors granted
    /// the category, and to whoever raised it); `false`: the mark is lifted.
    pub restricted: bool,
}

/// Marks a category restricted or lifts the mark (administrators); answers with the category as it is
/// now. A category that does not exist is "not found"; a mark it already has is a conflict.
pub async fn restrict_category(
    state: &AppState,
    caller: &Caller,
    raw_code: &str,
    req: RestrictCategoryRequest,
) -> Result<CategoryRow, AppError> {
    caller.require(&[Role::Admin], "restrict categories")?;
    let not_found = || AppError::not_found("category_not_found", "no such category");
    let code = CategoryCode::parse(raw_code).map_err(|_| not_found())?;
    let command = CategoryCommand::SetRestricted { restricted: req.restricted };
    state.command::<Category>(code.to_string(), command, caller.metadata(), None).await?;
    // The command waited for the projection; should it lag, the row is still the command's effect.
    let mut row = read_model::get_category(&state.db, code.as_str()).await?.ok_or_else(not_found)?;
    row.restricted = req.restricted;
    Ok(row)
}

/// The categories of community problems (everyone signed in sees them all): what every community form, filter
/// and dashboard offers. Coordinators' obstacles have their own ([`list_categories_of`]).
pub async fn list_categories(state: &AppState) -> Result<Vec<CategoryRow>, AppError> {
    list_categories_of(state, Some(IssueKind::Community)).await
}

/// The categories of one kind, or (`None`) of both (to name any category, as the audit log does).
pub async fn list_categories_of(state: &AppState, kind: Option<IssueKind>) -> Result<Vec<CategoryRow>, AppError> {
    let all = read_model::list_categories(&state.db).await?;
    Ok(all.into_iter().filter(|c| kind.is_none_or(|k| c.kind == k)).collect())
}

/// One category, if it exists.
pub async fn get_category(state: &AppState, code: &str) -> Result<Option<CategoryRow>, AppError> {
    Ok(read_model::get_category(&state.db, code).await?)
}
