//! The registry of civil-society organisations (issue #16 §1): list and read (everyone signed in),
//! register (admin, staff) or propose (coordinator), approve and update (admin, staff). Who may do what is
//! decided in `santisuk_app::organisations`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use santisuk_app::organisations::{self, OrganisationQuery};
pub use santisuk_app::organisations::{
    OrganisationRow as OrganisationView, RegisterOrganisationRequest, UpdateOrganisationRequest,
};

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::routes::reference::Items;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/organisations", get(list).post(register))
        .route("/api/organisations/{id}", get(get_one).patch(update))
        .route("/api/organisations/{id}/approve", post(approve))
}

/// Registers an organisation (admin, staff: `active`) or proposes one (coordinator: `proposed` until an
/// admin or staff approves it; only in the coordinator's own areas). A proposed organisation may be named
/// at forums at once.
#[utoipa::path(post, path = "/api/organisations", tag = "organisations", request_body = RegisterOrganisationRequest,
    security(("bearer" = [])),
    responses((status = 201, body = OrganisationView),
        (status = 403, description = "an auditor, or a coordinator naming an area not theirs", body = ErrorBody),
        (status = 409, description = "the registry has an organisation of this Thai name (`duplicate_organisation`)",
            body = ErrorBody),
        (status = 422, description = "an invalid value, an unknown kind (`unknown_organisation_kind`), no area \
            (`no_areas`) or an area that does not exist (`unknown_area`)", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<RegisterOrganisationRequest>,
) -> Result<(StatusCode, Json<OrganisationView>), ApiError> {
    Ok((StatusCode::CREATED, Json(organisations::register_organisation(&state, &ctx, req).await?)))
}

/// Lists the registry by Thai name (everyone signed in sees every organisation).
#[utoipa::path(get, path = "/api/organisations", tag = "organisations", params(OrganisationQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Items<OrganisationView>),
        (status = 422, description = "a status other than `active` or `proposed`", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<OrganisationQuery>,
) -> Result<Json<Items<OrganisationView>>, ApiError> {
    Ok(Json(Items { items: organisations::list_organisations(&state, &ctx, &q).await? }))
}

/// One organisation.
#[utoipa::path(get, path = "/api/organisations/{id}", tag = "organisations", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "organisation id")),
    responses((status = 200, body = OrganisationView),
        (status = 404, description = "no such organisation (`organisation_not_found`)", body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<OrganisationView>, ApiError> {
    Ok(Json(organisations::get_organisation(&state, &ctx, &id).await?))
}

/// Changes an organisation's names, kind or areas (admin, staff): the fields given replace the current ones.
#[utoipa::path(patch, path = "/api/organisations/{id}", tag = "organisations",
    request_body = UpdateOrganisationRequest, security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "organisation id")),
    responses((status = 200, body = OrganisationView),
        (status = 403, description = "neither an admin nor staff", body = ErrorBody),
        (status = 404, description = "no such organisation (`organisation_not_found`)", body = ErrorBody),
        (status = 409, description = "another organisation has this Thai name (`duplicate_organisation`), or the \
            update changes nothing (`organisation_unchanged`)", body = ErrorBody),
        (status = 422, description = "an invalid value, an unknown kind or area, no area", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<UpdateOrganisationRequest>,
) -> Result<Json<OrganisationView>, ApiError> {
    Ok(Json(organisations::update_organisation(&state, &ctx, &id, req).await?))
}

/// Approves a proposed organisation (admin, staff).
#[utoipa::path(post, path = "/api/organisations/{id}/approve", tag = "organisations", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "organisation id")),
    responses((status = 200, body = OrganisationView),
        (status = 403, description = "neither an admin nor staff", body = ErrorBody),
        (status = 404, description = "no such organisation (`organisation_not_found`)", body = ErrorBody),
        (status = 409, description = "the organisation is already active (`organisation_not_proposed`)",
            body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<OrganisationView>, ApiError> {
    Ok(Json(organisations::approve_organisation(&state, &ctx, &id).await?))
}
