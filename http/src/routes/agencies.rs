//! Agencies and referral (issue #17 §1): the registry of agencies (read: everyone signed in; register and
//! change: admins), the routing rules and their suggestion, who a problem is waiting for, and the
//! ball-in-court figures. Who may do what is decided in `santisuk_app::agencies`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use santisuk_app::agencies::{self, AgencyQuery, CustodyParams, CustodyStats, SuggestQuery};
pub use santisuk_app::agencies::{
    AgencyRow as AgencyView, RegisterAgencyRequest, RoutingRuleRow as RoutingRuleView, RoutingSuggestion,
    SetRoutingRuleRequest, UpdateAgencyRequest, WaitingRequest,
};
use santisuk_app::issues::{self, ActionRequest, CommandReply};

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery, idempotency_key, if_match};
use crate::routes::issues::{IdempotencyKey, IfMatch};
use crate::routes::reference::Items;
use crate::state::{AppState, now};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agencies", get(list_agencies).post(register_agency))
        .route("/api/agencies/{id}", get(get_agency).patch(update_agency))
        .route("/api/routing-rules", get(list_routing_rules).post(set_routing_rule))
        .route("/api/routing-rules/suggest", get(suggest))
        .route("/api/routing-rules/{id}", delete(remove_routing_rule))
        .route("/api/issues/{id}/waiting", post(waiting))
        .route("/api/stats/custody", get(custody))
}

/// Registers an agency (admins).
#[utoipa::path(post, path = "/api/agencies", tag = "agencies", request_body = RegisterAgencyRequest,
    security(("bearer" = [])),
    responses((status = 201, body = AgencyView),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 409, description = "the registry has an agency of this Thai name (`duplicate_agency`)", body = ErrorBody),
        (status = 422, description = "an invalid value, an unknown level (`unknown_agency_level`) or district \
            (`unknown_amphoe`), no district for a tambon, amphoe or province agency (`no_districts`)",
            body = ErrorBody)))]
pub async fn register_agency(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<RegisterAgencyRequest>,
) -> Result<(StatusCode, Json<AgencyView>), ApiError> {
    Ok((StatusCode::CREATED, Json(agencies::register_agency(&state, &ctx, req).await?)))
}

/// Lists the agencies by Thai name (everyone signed in).
#[utoipa::path(get, path = "/api/agencies", tag = "agencies", params(AgencyQuery), security(("bearer" = [])),
    responses((status = 200, body = Items<AgencyView>),
        (status = 422, description = "an unknown level (`unknown_agency_level`)", body = ErrorBody)))]
pub async fn list_agencies(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<AgencyQuery>,
) -> Result<Json<Items<AgencyView>>, ApiError> {
    Ok(Json(Items { items: agencies::list_agencies(&state, &ctx, &q).await? }))
}

/// One agency.
#[utoipa::path(get, path = "/api/agencies/{id}", tag = "agencies", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "agency id")),
    responses((status = 200, body = AgencyView),
        (status = 404, description = "no such agency (`agency_not_found`)", body = ErrorBody)))]
pub async fn get_agency(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<AgencyView>, ApiError> {
    Ok(Json(agencies::get_agency(&state, &ctx, &id).await?))
}

/// Changes an agency (admins): the fields given replace the current ones.
#[utoipa::path(patch, path = "/api/agencies/{id}", tag = "agencies", request_body = UpdateAgencyRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "agency id")),
    responses((status = 200, body = AgencyView),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such agency (`agency_not_found`)", body = ErrorBody),
        (status = 409, description = "another agency has this Thai name (`duplicate_agency`), or the update \
            changes nothing (`agency_unchanged`)", body = ErrorBody),
        (status = 422, description = "an invalid value, an unknown level or district, no district", body = ErrorBody)))]
pub async fn update_agency(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<UpdateAgencyRequest>,
) -> Result<Json<AgencyView>, ApiError> {
    Ok(Json(agencies::update_agency(&state, &ctx, &id, req).await?))
}

/// Sets the routing rule of a category in a district (admins): a new rule, or a new agency for it.
#[utoipa::path(post, path = "/api/routing-rules", tag = "agencies", request_body = SetRoutingRuleRequest,
    security(("bearer" = [])),
    responses((status = 201, body = RoutingRuleView),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 409, description = "the rule already routes to this agency (`routing_rule_unchanged`)", body = ErrorBody),
        (status = 422, description = "an unknown category (`unknown_category`), district (`unknown_amphoe`) or \
            agency (`unknown_agency`)", body = ErrorBody)))]
pub async fn set_routing_rule(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<SetRoutingRuleRequest>,
) -> Result<(StatusCode, Json<RoutingRuleView>), ApiError> {
    Ok((StatusCode::CREATED, Json(agencies::set_routing_rule(&state, &ctx, req).await?)))
}

/// Lists the routing rules in force, by category and district (everyone signed in).
#[utoipa::path(get, path = "/api/routing-rules", tag = "agencies", security(("bearer" = [])),
    responses((status = 200, body = Items<RoutingRuleView>)))]
pub async fn list_routing_rules(
    State(state): State<AppState>,
    ctx: Ctx,
) -> Result<Json<Items<RoutingRuleView>>, ApiError> {
    Ok(Json(Items { items: agencies::list_routing_rules(&state, &ctx).await? }))
}

/// Removes a routing rule (admins).
#[utoipa::path(delete, path = "/api/routing-rules/{id}", tag = "agencies", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "routing rule id")),
    responses((status = 204, description = "removed"),
        (status = 403, description = "not an admin", body = ErrorBody),
        (status = 404, description = "no such rule in force (`routing_rule_not_found`)", body = ErrorBody)))]
pub async fn remove_routing_rule(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    agencies::remove_routing_rule(&state, &ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The agency the routing rules suggest for a problem of a category in an area (issue writers; a
/// coordinator in their own areas). `rule` and `agency` are `null` when no rule matches, or when the
/// category or the area is not given yet.
#[utoipa::path(get, path = "/api/routing-rules/suggest", tag = "agencies", params(SuggestQuery),
    security(("bearer" = [])),
    responses((status = 200, body = RoutingSuggestion),
        (status = 403, description = "an auditor, or a coordinator asking for another area", body = ErrorBody),
        (status = 422, description = "an unknown category (`unknown_category`) or area (`unknown_area`)",
            body = ErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<SuggestQuery>,
) -> Result<Json<RoutingSuggestion>, ApiError> {
    Ok(Json(agencies::suggest(&state, &ctx, &q).await?))
}

/// Records who the problem is waiting for now: `sbpac`, `agency` (the agency it is referred to) or
/// `community`. An assignment to an agency already means the agency; a closure, nobody.
#[utoipa::path(post, path = "/api/issues/{id}/waiting", tag = "issues", request_body = WaitingRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "issue id"), IfMatch, IdempotencyKey),
    responses((status = 200, body = CommandReply), (status = 400, description = "a malformed body or If-Match", body = ErrorBody),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such issue (or, to a coordinator, one in another area)", body = ErrorBody),
        (status = 409, description = "closed (`issue_closed`), already waiting for that party (`waiting_unchanged`), \
            waiting for the agency of a problem referred to none (`no_agency`), or no longer at the If-Match version",
            body = ErrorBody),
        (status = 422, description = "an unknown party (`unknown_party`), an invalid note, `at` in the future or \
            before the raise", body = ErrorBody)))]
pub async fn waiting(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<WaitingRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    ctx.require_issue_writer()?;
    let expected = if_match(&headers)?;
    let key = idempotency_key(&headers)?;
    Ok(Json(issues::act_on_request(&state, &ctx, &id, ActionRequest::Wait(req), expected, key).await?))
}

/// Ball in court: the days the problems the caller may see spent with each party (SBPAC, the agency
/// referred to, the community), per agency (the agency of the referral during each stretch; `null`: none),
/// per category, or per party. Open problems count up to now, or to `as_of` (the figures as the log stood
/// then). The restricted cases the caller may not read are left out.
#[utoipa::path(get, path = "/api/stats/custody", tag = "stats", params(CustodyParams), security(("bearer" = [])),
    responses((status = 200, description = "rows per group and totals", body = Object),
        (status = 422, description = "an invalid grouping (`bad_group`), date, window or `as_of`", body = ErrorBody)))]
pub async fn custody(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<CustodyParams>,
) -> Result<Json<CustodyStats>, ApiError> {
    let (query, as_of) = agencies::parse_custody(&ctx, &q, now())?;
    Ok(Json(agencies::custody(&state, &query, as_of).await?))
}
