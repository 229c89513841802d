//! Santisuk's HTTP layer: the axum API, authentication, configuration and the application layer that
//! turns requests into commands.
//!
//! Handlers are thin: extract → convert into checked values → run the command or query → map the result.
//! No SQL here (that lives in `santisuk-projections`) and no business rule (that lives in
//! `santisuk-domain`). [`app`] builds the router for both `main` and the tests.

pub mod auth;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod routes;
pub mod state;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode};
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
pub use crate::state::AppState;

/// Largest request body accepted (413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    // Every request gets 30 s, except a verification of the whole ledger, which reads the log page by page
    // (about 10 s per million events) without blocking anything else and must not be cut off.
    let timed = Router::new()
        .merge(routes::issues::router())
        .merge(routes::exports::router())
        .merge(routes::reference::router())
        .merge(routes::stats::router())
        .merge(routes::users::router())
        .merge(routes::audit::router())
        .merge(routes::health::router())
        .merge(openapi::router())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)));
    Router::new()
        .merge(timed)
        .merge(routes::audit::verify_router())
        .fallback(|| async { ApiError::not_found("no_route", "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            (StatusCode::METHOD_NOT_ALLOWED, ApiError::bad_request("method_not_allowed", "method not allowed"))
                .into_response()
        })
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| ApiError::Internal("handler panicked".into()).into_response()))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
