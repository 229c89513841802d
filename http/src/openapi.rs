//! The OpenAPI document, generated from the handlers' annotations and served at `/api/openapi.json`.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{audit, exports, health, issues, reference, stats, users};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Santisuk", description = "Event-sourced tracker for problems raised at listening forums in the small peaceful areas of Thailand's southern border provinces."),
    paths(
        issues::raise, issues::assign, issues::address, issues::close, issues::reopen,
        issues::list, issues::get_one, issues::history,
        reference::register_area, reference::list_areas, reference::add_category, reference::list_categories,
        reference::hold_forum, reference::list_forums, reference::get_forum,
        stats::resolution, health::healthz, health::readyz,
        exports::issues_export, exports::stats_export,
        users::create, users::list, users::set_areas, users::deactivate, users::rotate_token, users::set_password,
        audit::list_events, audit::export, audit::access_log, audit::digest, audit::verify,
    ),
    modifiers(&BearerAuth),
)]
#[derive(Debug)]
pub struct ApiDoc;

#[derive(Debug)]
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
