//! Reference data: target areas, categories and forums.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use santisuk_app::forums::hold_forum_checked;
use santisuk_domain::area::{Area, RegisterArea};
use santisuk_domain::category::{AddCategory, Category};
use santisuk_domain::forum::HoldForum;
use santisuk_domain::values::{AmphoeCode, AreaId, CategoryCode, ForumId, Name, TambonCode, Title};
use santisuk_projections::read_model::{self, AreaRow, CategoryRow, ForumRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{opt, parse_date};
use crate::auth::{Ctx, Role};
use crate::error::ApiError;
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::{AppState, now};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/areas", get(list_areas).post(register_area))
        .route("/api/categories", get(list_categories).post(add_category))
        .route("/api/forums", get(list_forums).post(hold_forum))
        .route("/api/forums/{id}", get(get_forum))
}

/// A list response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

// --- areas ----------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterAreaRequest {
    /// Administrator-chosen code, `[A-Za-z0-9-]{1,32}`, e.g. `PTN-01`.
    pub id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    /// One of the 37 districts in scope (DOPA code), e.g. `9401`.
    pub amphoe_code: String,
    /// A subdistrict of that district (DOPA code), e.g. `940101`.
    pub tambon_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaView {
    pub id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    pub amphoe_code: String,
    pub province_code: String,
    pub tambon_code: Option<String>,
}

impl From<AreaRow> for AreaView {
    fn from(r: AreaRow) -> Self {
        AreaView {
            id: r.id,
            name_th: r.name_th,
            name_en: r.name_en,
            amphoe_code: r.amphoe_code,
            province_code: r.province_code,
            tambon_code: r.tambon_code,
        }
    }
}

/// Registers a target area (admin).
#[utoipa::path(post, path = "/api/areas", tag = "reference", request_body = RegisterAreaRequest,
    security(("bearer" = [])),
    responses((status = 201, body = AreaView), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn register_area(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<RegisterAreaRequest>,
) -> Result<(StatusCode, Json<AreaView>), ApiError> {
    ctx.require(&[Role::Admin], "register areas")?;
    let amphoe = AmphoeCode::parse(&req.amphoe_code)?;
    let command = RegisterArea {
        id: AreaId::parse(&req.id)?,
        name_th: Name::parse(&req.name_th)?,
        name_en: opt(req.name_en.as_deref(), Name::parse)?,
        tambon: opt(req.tambon_code.as_deref(), |t| TambonCode::parse_in(t, &amphoe))?,
        amphoe,
    };
    // The answer is built from the command, not read back: the read model may lag under load, and the
    // projected row is a pure function of this event anyway.
    let view = AreaView {
        id: command.id.to_string(),
        name_th: command.name_th.to_string(),
        name_en: command.name_en.as_ref().map(ToString::to_string),
        amphoe_code: command.amphoe.as_str().to_owned(),
        province_code: command.amphoe.province_code().to_owned(),
        tambon_code: command.tambon.as_ref().map(|t| t.as_str().to_owned()),
    };
    state.command::<Area>(view.id.clone(), command, ctx.metadata(), None).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Lists the target areas.
#[utoipa::path(get, path = "/api/areas", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = Items<AreaView>)))]
pub async fn list_areas(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Items<AreaView>>, ApiError> {
    let items = read_model::list_areas(&state.db)
        .await?
        .into_iter()
        .filter(|a| ctx.sees_area(&a.id))
        .map(AreaView::from)
        .collect();
    Ok(Json(Items { items }))
}

// --- categories -----------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddCategoryRequest {
    /// A stable code, `[A-Z0-9_]{2,16}`, e.g. `LIV`.
    pub code: String,
    pub name_th: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
}

impl From<CategoryRow> for CategoryView {
    fn from(r: CategoryRow) -> Self {
        CategoryView { code: r.code, name_th: r.name_th, name_en: r.name_en }
    }
}

/// Adds an obstacle category (admin).
#[utoipa::path(post, path = "/api/categories", tag = "reference", request_body = AddCategoryRequest,
    security(("bearer" = [])),
    responses((status = 201, body = CategoryView), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_category(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<AddCategoryRequest>,
) -> Result<(StatusCode, Json<CategoryView>), ApiError> {
    ctx.require(&[Role::Admin], "add categories")?;
    let command = AddCategory {
        code: CategoryCode::parse(&req.code)?,
        name_th: Name::parse(&req.name_th)?,
        name_en: Name::parse(&req.name_en)?,
    };
    // Built from the command, like areas: the read model may lag.
    let view = CategoryView {
        code: command.code.to_string(),
        name_th: command.name_th.to_string(),
        name_en: command.name_en.to_string(),
    };
    state.command::<Category>(view.code.clone(), command, ctx.metadata(), None).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Lists the obstacle categories.
#[utoipa::path(get, path = "/api/categories", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = Items<CategoryView>)))]
pub async fn list_categories(State(state): State<AppState>, _ctx: Ctx) -> Result<Json<Items<CategoryView>>, ApiError> {
    let items = read_model::list_categories(&state.db).await?.into_iter().map(CategoryView::from).collect();
    Ok(Json(Items { items }))
}

// --- forums ---------------------------------------------------------------------------------------------

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

#[derive(Debug, Serialize, ToSchema)]
pub struct ForumView {
    pub id: String,
    pub area_id: String,
    pub held_on: String,
    pub title: Option<String>,
    pub facilitator: Option<String>,
    pub participants: Option<i64>,
    pub recorded_at: String,
}

impl From<ForumRow> for ForumView {
    fn from(r: ForumRow) -> Self {
        ForumView {
            id: r.id,
            area_id: r.area_id,
            held_on: r.held_on,
            title: r.title,
            facilitator: r.facilitator,
            participants: r.participants,
            recorded_at: r.recorded_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ForumCreated {
    #[serde(flatten)]
    pub forum: ForumView,
    pub version: i64,
    pub position: i64,
}

/// Records a forum held in an area (admin, staff, coordinator).
#[utoipa::path(post, path = "/api/forums", tag = "reference", request_body = HoldForumRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ForumCreated), (status = 422, body = crate::error::ErrorBody)))]
pub async fn hold_forum(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<HoldForumRequest>,
) -> Result<(StatusCode, Json<ForumCreated>), ApiError> {
    ctx.require_issue_writer()?;
    let area = AreaId::parse(&req.area_id)?;
    let participants = match req.participants {
        None => None,
        Some(n) => Some(
            u32::try_from(n)
                .map_err(|_| ApiError::invalid("bad_participants", "participants must be a whole number from 0"))?,
        ),
    };
    let command = HoldForum {
        area,
        held_on: parse_date("held_on", &req.held_on)?,
        title: opt(req.title.as_deref(), Title::parse)?,
        facilitator: opt(req.facilitator.as_deref(), Name::parse)?,
        participants,
        now: now(),
    };
    let id = ForumId(uuid::Uuid::new_v4()).to_string();
    let fallback = ForumView {
        id: id.clone(),
        area_id: command.area.to_string(),
        held_on: command.held_on.to_string(),
        title: command.title.as_ref().map(ToString::to_string),
        facilitator: command.facilitator.as_ref().map(ToString::to_string),
        participants: command.participants.map(i64::from),
        recorded_at: santisuk_store::events::fmt_ts(command.now),
    };
    let done = hold_forum_checked(&state, &ctx, id.clone(), command).await?;
    // The projected row carries the exact recorded time; if the read model lags, answer from the command.
    let forum = read_model::get_forum(&state.db, &id).await?.map(ForumView::from).unwrap_or(fallback);
    Ok((StatusCode::CREATED, Json(ForumCreated { forum, version: done.version, position: done.position })))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ForumQuery {
    /// Only the forums of this area.
    pub area_id: Option<String>,
}

/// Lists forums, newest first.
#[utoipa::path(get, path = "/api/forums", tag = "reference", params(ForumQuery), security(("bearer" = [])),
    responses((status = 200, body = Items<ForumView>)))]
pub async fn list_forums(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ForumQuery>,
) -> Result<Json<Items<ForumView>>, ApiError> {
    let items = read_model::list_forums(&state.db, q.area_id.as_deref())
        .await?
        .into_iter()
        .filter(|f| ctx.sees_area(&f.area_id))
        .map(ForumView::from)
        .collect();
    Ok(Json(Items { items }))
}

/// One forum.
#[utoipa::path(get, path = "/api/forums/{id}", tag = "reference", security(("bearer" = [])),
    params(("id" = String, Path, description = "forum id")),
    responses((status = 200, body = ForumView), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_forum(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<ForumView>, ApiError> {
    let row = read_model::get_forum(&state.db, &id)
        .await?
        .filter(|f| ctx.sees_area(&f.area_id))
        .ok_or_else(|| ApiError::not_found("forum_not_found", "no such forum"))?;
    Ok(Json(row.into()))
}
