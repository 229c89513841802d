//! The OpenAPI document, generated from the handlers' annotations and served at `/api/openapi.json`.
//!
//! Handlers list their own answers (403, 404, 409, the 422 of their rules); [`CommonErrors`] adds the
//! ones every operation of a kind can give, so none is forgotten. The schema-driven fuzz test
//! (tests/tests/e2e/fuzz.rs) checks that every answer the server gives is one the document lists.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use crate::routes::imports;
use crate::routes::open311;
use crate::routes::papers;
use crate::routes::{
    agencies, attachments, audit, duplicates, escalation, exports, health, issues, notifications, obstacles,
    organisations, privacy, progress, reference, stats, users,
};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Santisuk", description = "Event-sourced tracker for problems raised at listening forums in the small peaceful areas of Thailand's southern border provinces."),
    paths(
        issues::raise, issues::assign, issues::address, issues::close, issues::reopen, issues::correct,
        issues::restrict,
        issues::list, issues::get_one, issues::history,
        obstacles::raise, obstacles::list,
        reference::register_area, reference::list_areas, reference::add_category, reference::list_categories,
        reference::restrict_category,
        reference::hold_forum, reference::list_forums, reference::get_forum, reference::record_participation,
        organisations::register_organisation, organisations::list_organisations,
        organisations::get_organisation, organisations::update_organisation, organisations::approve_organisation,
        stats::resolution, health::healthz, health::readyz, health::metrics,
        exports::issues_export, exports::stats_export,
        users::create, users::list, users::set_areas, users::grant_categories, users::deactivate, users::rotate_token, users::set_password,
        audit::list_events, audit::export, audit::access_log, audit::digest, audit::verify,
        privacy::erase, privacy::export_subject,
        progress::reach_area, progress::report, progress::trend, exports::progress_export,
        agencies::register_agency, agencies::list_agencies, agencies::get_agency, agencies::update_agency,
        agencies::set_routing_rule, agencies::list_routing_rules, agencies::remove_routing_rule, agencies::suggest,
        agencies::waiting, agencies::custody,
        escalation::set_service_level,
        notifications::list_channels, notifications::add_channel, notifications::remove_channel,
        notifications::list_deliveries, notifications::retry,
        duplicates::mark_duplicate, duplicates::duplicates_of, duplicates::suggest,
        duplicates::forum_verdicts, duplicates::record_verdicts,
        attachments::upload, attachments::list, attachments::file, attachments::thumbnail,
        papers::report_pdf, papers::receipt_pdf,
        imports::run,
        open311::get_discovery, open311::get_services, open311::service_definition, open311::get_requests,
        open311::one_request, open311::post_requests,
    ),
    components(schemas(crate::error::ErrorBody, crate::routes::open311::Format)),
    modifiers(&BearerAuth, &CommonErrors),
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

/// The answers that follow from an operation's shape rather than from its handler (`error.rs`,
/// `extract.rs`, `auth.rs`), added to every operation they apply to unless its annotation already
/// describes them:
///
/// - 401 to every operation that needs a token (`auth.rs`: none, or not a live one);
/// - 400, 413 and 422 to every operation with a JSON body (`AppJson`: not JSON or malformed; over 1 MiB;
///   a field missing, unknown or of the wrong type);
/// - 400 to every operation with query or path parameters (`AppQuery`/`AppPath`: a NUL byte, a
///   parameter an audit query does not know, a repeated one);
/// - 429 to every operation (`limits.rs`: over the client's rate or requests in flight).
#[derive(Debug)]
struct CommonErrors;

const UNAUTHORIZED: &str = "Unauthorized";
const BAD_REQUEST: &str = "BadRequest";
const TOO_LARGE: &str = "PayloadTooLarge";
const UNPROCESSABLE: &str = "UnprocessableBody";
const TOO_MANY: &str = "TooManyRequests";

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let error = |description: &str| {
            ResponseBuilder::new().description(description).content(
                "application/json",
                ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
            )
        };
        let challenge = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String))
            .description(Some("`Bearer`"))
            .build();
        let retry = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
            .description(Some("Seconds to wait before trying again."))
            .build();
        let shared = [
            (
                UNAUTHORIZED,
                error("No bearer token, or not a live one (`unauthorized`).").header("WWW-Authenticate", challenge),
            ),
            (BAD_REQUEST, error("The request is malformed: not JSON, a NUL byte, an unknown or repeated parameter.")),
            (TOO_LARGE, error("The body is over 1 MiB (`payload_too_large`).")),
            (UNPROCESSABLE, error("The body or a value is invalid (`invalid_body` or the rule's own code).")),
            (
                TOO_MANY,
                error("Over this client's rate or requests in flight (`too_many_requests`).")
                    .header("Retry-After", retry),
            ),
        ];
        for (name, response) in shared {
            components.responses.insert(name.to_owned(), RefOr::T(response.build()));
        }
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                add_common_errors(operation);
            }
        }
    }
}

fn add_common_errors(operation: &mut Operation) {
    let needs_token = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = operation.request_body.is_some();
    let has_parameters =
        operation.parameters.iter().flatten().any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Path));
    let mut add = |status: &str, name: &str| {
        operation.responses.responses.entry(status.to_owned()).or_insert_with(|| Ref::from_response_name(name).into());
    };
    if needs_token {
        add("401", UNAUTHORIZED);
    }
    if has_body || has_parameters {
        add("400", BAD_REQUEST);
    }
    if has_body {
        add("413", TOO_LARGE);
        add("422", UNPROCESSABLE);
    }
    add("429", TOO_MANY);
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
