//! Santisuk's HTTP layer: the axum API and web app, authentication, configuration, and the binary.
//!
//! Handlers are thin: extract → call the application layer (`santisuk-app`), which converts the request,
//! decides authorisation and runs the command or query → map the result. No business rule here (that
//! lives in `santisuk-domain`). [`app`] builds the router for both `main` and the tests.

pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod limits;
pub mod openapi;
pub mod pdf;
pub mod routes;
pub mod state;
pub mod web;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
pub use crate::state::AppState;

/// Largest request body accepted (413 beyond).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The whole HTTP application, with the default [`limits::Limits`].
pub fn app(state: AppState) -> Router {
    app_with(state, &limits::Limits::default()).expect("the default limits are valid")
}

/// The whole HTTP application, with these limits (an error names a limit that is out of range).
pub fn app_with(state: AppState, limits: &limits::Limits) -> Result<Router, String> {
    let limiter = limits::Limiter::new(limits)?;
    let request_id = HeaderName::from_static("x-request-id");
    // Every request gets 30 s, except a verification of the whole ledger, which reads the log page by page
    // (about 10 s per million events) without blocking anything else and must not be cut off.
    let timed = Router::new()
        .merge(routes::issues::router())
        .merge(routes::obstacles::router())
        .merge(routes::exports::router())
        .merge(routes::reference::router())
        .merge(routes::organisations::router())
        .merge(routes::agencies::router())
        .merge(routes::stats::router())
        .merge(routes::progress::router())
        .merge(routes::users::router())
        .merge(routes::privacy::router())
        .merge(routes::duplicates::router())
        .merge(routes::audit::router())
        .merge(routes::escalation::router())
        .merge(routes::open311::router())
        .merge(routes::notifications::router())
        .merge(routes::papers::router())
        .merge(routes::health::router(Duration::from_secs(limits.ready_max_lag)))
        .merge(openapi::router())
        .merge(with_web_headers(web::router()))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)));
    // Uploads (issue #17 §4) get 10 minutes: a 10 MiB photo from a phone on a slow rural connection takes
    // longer than 30 s to arrive.
    let max_file = state.attachment_policy.max_bytes();
    let uploads = Router::new()
        .merge(routes::attachments::router(max_file))
        .merge(with_web_headers(web::attachments::router(max_file)))
        // Issue #18 §2: a spreadsheet of 5,000 rows is checked and written within this request.
        .merge(routes::imports::router())
        .merge(with_web_headers(web::import::router()))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(600)));
    Ok(Router::new()
        .merge(timed)
        .merge(uploads)
        .merge(routes::audit::verify_router())
        .fallback(|| async { ApiError::not_found("no_route", "no such endpoint") })
        .method_not_allowed_fallback(|| async {
            (StatusCode::METHOD_NOT_ALLOWED, ApiError::bad_request("method_not_allowed", "method not allowed"))
                .into_response()
        })
        .with_state(state)
        // Outermost first: the client's address and its requests in flight, then its rate.
        .layer(limits::rate_layer(limits))
        .layer(axum::middleware::from_fn_with_state(limiter, limits::client_limits))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| ApiError::internal("handler panicked").into_response()))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid)))
}

/// The span of a request in the log: its method, path and request id. Never the query string (a search
/// can be a person's name, an export's reason is free text), headers (tokens, cookies) or the body.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
    tracing::debug_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
}

/// Headers every web page and asset gets: no framing (clickjacking), no content sniffing, scripts and
/// styles only from this server (the one exception: `style` attributes, which draw the dashboard's bars),
/// no referrer to other sites.
fn with_web_headers(pages: Router<AppState>) -> Router<AppState> {
    pages
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; \
                 img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}
