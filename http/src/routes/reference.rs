//! Reference data: target areas, categories and forums.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use santisuk_app::forums;
pub use santisuk_app::forums::{HoldForumRequest, ParticipationRequest};
use santisuk_app::reference::{self, AreaRow};
pub use santisuk_app::reference::{AddCategoryRequest, RegisterAreaRequest, RestrictCategoryRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/areas", get(list_areas).post(register_area))
        .route("/api/categories", get(list_categories).post(add_category))
        .route("/api/categories/{code}/restrict", post(restrict_category))
        .route("/api/forums", get(list_forums).post(hold_forum))
        .route("/api/forums/{id}", get(get_forum))
        .route("/api/forums/{id}/participation", axum::routing::put(record_participation))
}

/// A list response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

// --- areas ----------------------------------------------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaView {
    pub id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    pub amphoe_code: String,
    pub province_code: String,
    pub tambon_code: Option<String>,
    /// A target area (พื้นที่เป้าหมาย): one not marked as reached from another.
    pub target_area: bool,
    /// The area it was reached from (ขยายผล), and the day, by its last mark.
    pub reached_from: Option<String>,
    #[schema(format = Date)]
    pub reached_on: Option<String>,
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
            target_area: r.reached_from.is_none(),
            reached_from: r.reached_from,
            reached_on: r.reached_on,
        }
    }
}

/// Registers a target area (admin).
#[utoipa::path(post, path = "/api/areas", tag = "reference", request_body = RegisterAreaRequest,
    security(("bearer" = [])),
    responses((status = 201, body = AreaView), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 409, description = "an area with this id exists (`area_exists`)", body = ErrorBody),
        (status = 422, description = "an invalid value, or a subdistrict outside the district", body = ErrorBody)))]
pub async fn register_area(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<RegisterAreaRequest>,
) -> Result<(StatusCode, Json<AreaView>), ApiError> {
    let command = reference::register_area(&state, &ctx, req).await?;
    let view = AreaView {
        id: command.id.to_string(),
        name_th: command.name_th.to_string(),
        name_en: command.name_en.as_ref().map(ToString::to_string),
        amphoe_code: command.amphoe.as_str().to_owned(),
        province_code: command.amphoe.province_code().to_owned(),
        tambon_code: command.tambon.as_ref().map(|t| t.as_str().to_owned()),
        target_area: true,
        reached_from: None,
        reached_on: None,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// Lists the target areas.
#[utoipa::path(get, path = "/api/areas", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = Items<AreaView>)))]
pub async fn list_areas(State(state): State<AppState>, ctx: Ctx) -> Result<Json<Items<AreaView>>, ApiError> {
    let items = reference::list_areas(&state, &ctx).await?.into_iter().map(AreaView::from).collect();
    Ok(Json(Items { items }))
}

// --- categories -----------------------------------------------------------------------------------------

/// A category as the API shows it: the read model's row itself.
pub use santisuk_app::reference::CategoryRow as CategoryView;

/// Adds an obstacle category (admin).
#[utoipa::path(post, path = "/api/categories", tag = "reference", request_body = AddCategoryRequest,
    security(("bearer" = [])),
    responses((status = 201, body = CategoryView), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 409, description = "a category with this code exists (`category_exists`)", body = ErrorBody),
        (status = 422, description = "an invalid value", body = ErrorBody)))]
pub async fn add_category(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<AddCategoryRequest>,
) -> Result<(StatusCode, Json<CategoryView>), ApiError> {
    let command = reference::add_category(&state, &ctx, req).await?;
    let view = CategoryView {
        code: command.code.to_string(),
        name_th: command.name_th.to_string(),
        name_en: command.name_en.to_string(),
        restricted: false,
        kind: command.kind,
        days_to_assign: None,
        days_to_resolve: None,
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// Marks a category restricted, or lifts the mark (admin). While it is restricted, every case of the
/// category is shown only to admins, to staff and auditors granted it (`POST /api/users/{id}/categories`) and
/// to whoever raised the case; others meet it nowhere, and statistics count such cases for them only in
/// groups holding at least the server's small-cell threshold of them.
#[utoipa::path(post, path = "/api/categories/{code}/restrict", tag = "reference", request_body = RestrictCategoryRequest,
    security(("bearer" = [])), params(("code" = String, Path, description = "category code")),
    responses((status = 200, body = CategoryView), (status = 400, description = "a malformed body", body = ErrorBody),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 404, description = "no such category", body = ErrorBody),
        (status = 409, description = "the category already is (or is not) restricted (`restriction_unchanged`)", body = ErrorBody)))]
pub async fn restrict_category(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(code): AppPath<String>,
    AppJson(req): AppJson<RestrictCategoryRequest>,
) -> Result<Json<CategoryView>, ApiError> {
    Ok(Json(reference::restrict_category(&state, &ctx, &code, req).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoriesQuery {
    /// `community` (default): the categories of community problems; `obstacle`: of coordinators' own
    /// obstacles (`POST /api/obstacles`).
    #[param(value_type = Option<santisuk_app::schema::IssueKind>, inline)]
    pub kind: Option<String>,
}

/// Lists the categories of community problems, or (`kind=obstacle`) of coordinators' obstacles.
#[utoipa::path(get, path = "/api/categories", tag = "reference", params(CategoriesQuery), security(("bearer" = [])),
    responses((status = 200, body = Items<CategoryView>),
        (status = 422, description = "a kind other than `community` or `obstacle` (`unknown_kind`)", body = ErrorBody)))]
pub async fn list_categories(
    State(state): State<AppState>,
    _ctx: Ctx,
    AppQuery(q): AppQuery<CategoriesQuery>,
) -> Result<Json<Items<CategoryView>>, ApiError> {
    let kind = santisuk_app::parse::opt(q.kind.as_deref(), santisuk_domain::values::IssueKind::parse)
        .map_err(santisuk_app::error::AppError::from)?
        .unwrap_or_default();
    let items = reference::list_categories_of(&state, Some(kind)).await?;
    Ok(Json(Items { items }))
}

// --- forums ---------------------------------------------------------------------------------------------

/// A forum as the API shows it: the read model's row itself.
pub use santisuk_app::forums::ForumRow as ForumView;

#[derive(Debug, Serialize, ToSchema)]
pub struct ForumCreated {
    #[serde(flatten)]
    pub forum: ForumView,
    pub version: i64,
    pub position: i64,
}

/// Records a forum held in an area (admin, staff, coordinator).
/// With `Idempotency-Key`, a retry of the same request answers the forum the first one recorded.
#[utoipa::path(post, path = "/api/forums", tag = "reference", request_body = HoldForumRequest,
    security(("bearer" = [])), params(super::issues::IdempotencyKey),
    responses((status = 201, body = ForumCreated),
        (status = 400, description = "a malformed body or Idempotency-Key", body = ErrorBody),
        (status = 403, description = "a reader, or a coordinator outside their areas", body = ErrorBody),
        (status = 422, description = "an invalid value, an area that does not exist, `held_on` after today, a \
            reused Idempotency-Key; in `participation`: an organisation the registry does not have \
            (`unknown_organisation`), a leader role not listed (`unknown_leader_role`), a negative count \
            (`bad_participants`), an absurd one (`too_many_participants`), women and men beyond the villagers \
            (`gender_exceeds_villagers`), more people than the head count (`participation_exceeds_head_count`)",
            body = ErrorBody)))]
pub async fn hold_forum(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppJson(req): AppJson<HoldForumRequest>,
) -> Result<(StatusCode, Json<ForumCreated>), ApiError> {
    let key = crate::extract::idempotency_key(&headers)?;
    let (row, done) = forums::hold_forum(&state, &ctx, req, key).await?;
    let forum = row;
    Ok((StatusCode::CREATED, Json(ForumCreated { forum, version: done.version, position: done.position })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForumQuery {
    /// Only the forums of this area.
    #[param(value_type = Option<santisuk_app::schema::Filter>, inline)]
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
    Ok(Json(Items { items: forums::list_forums(&state, &ctx, q.area_id.as_deref()).await? }))
}

/// One forum.
#[utoipa::path(get, path = "/api/forums/{id}", tag = "reference", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "forum id")),
    responses((status = 200, body = ForumView),
        (status = 404, description = "no such forum (or, to a coordinator, one in another area)", body = ErrorBody)))]
pub async fn get_forum(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<ForumView>, ApiError> {
    Ok(Json(forums::get_forum(&state, &ctx, &id).await?))
}

/// Records who took part in a forum, by partner group, or corrects the record (the last one wins): the
/// coordinator of the forum's area, staff or an admin. Answers with the forum as it is now.
#[utoipa::path(put, path = "/api/forums/{id}/participation", tag = "reference", request_body = ParticipationRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "forum id")),
    responses((status = 200, body = ForumView),
        (status = 403, description = "an auditor", body = ErrorBody),
        (status = 404, description = "no such forum (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 422, description = "an organisation the registry does not have (`unknown_organisation`), a \
            leader role not listed (`unknown_leader_role`), a negative count (`bad_participants`), an absurd one \
            (`too_many_participants`), women and men beyond the villagers (`gender_exceeds_villagers`), more \
            people than the forum's head count (`participation_exceeds_head_count`)", body = ErrorBody)))]
pub async fn record_participation(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<ParticipationRequest>,
) -> Result<Json<ForumView>, ApiError> {
    Ok(Json(forums::record_participation(&state, &ctx, &id, req).await?))
}
