//! `/healthz` (the process is up), `/readyz` (database reachable, migrations applied, projection lag) and
//! `/metrics` (the same figures for a Prometheus scraper).

use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, AppError};
use crate::state::AppState;

pub fn router(max_lag: Duration) -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(Extension(MaxLag(max_lag)))
}

/// How long the oldest unprojected event may wait before `/readyz` answers 503 (`--ready-max-lag`).
#[derive(Debug, Clone, Copy)]
pub struct MaxLag(pub Duration);

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub status: &'static str,
    pub backend: &'static str,
    /// Committed events not yet in the read model (on PostgreSQL including those still behind another
    /// open transaction).
    pub projection_lag: i64,
    /// How long the oldest of them has waited, in seconds (0 when none).
    pub projection_lag_seconds: f64,
    /// Commands this process holds now, running or queued (beyond `--max-pending-commands`, 503).
    pub pending_commands: usize,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database is reachable, every migration is applied, and the read model is not stalled: 503 when a
/// projection's last turn failed or panicked (it is retrying), or when the oldest event it has not
/// applied has waited longer than the configured bound.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = crate::error::ErrorBody)))]
pub async fn readyz(
    State(state): State<AppState>,
    Extension(MaxLag(max_lag)): Extension<MaxLag>,
) -> Result<Json<Readiness>, ApiError> {
    // Whatever the database does, the answer comes within a second (a load balancer's probe must not hang).
    tokio::time::timeout(Duration::from_secs(1), readiness(&state, max_lag)).await.unwrap_or_else(|_| {
        tracing::warn!("readiness check: the database did not answer within 1 s");
        Err(ApiError(AppError::Unavailable { message: "the database did not answer within 1 s".into() }))
    })
}

async fn readiness(state: &AppState, max_lag: Duration) -> Result<Json<Readiness>, ApiError> {
    let unavailable = |what: String| ApiError(AppError::Unavailable { message: what });
    match state.migrations_applied().await {
        Ok(true) => {}
        Ok(false) => return Err(unavailable("database migrations are not applied".into())),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            return Err(unavailable("database unreachable".into()));
        }
    }
    let lag = state.projection_lag().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        unavailable("database unreachable".into())
    })?;
    let failing = state.failing_projections();
    if !failing.is_empty() {
        return Err(unavailable(format!(
            "the projections {} failed their last turn and are retrying (see the log)",
            failing.join(", ")
        )));
    }
    if lag.seconds > max_lag.as_secs_f64() {
        tracing::warn!(events = lag.events, seconds = lag.seconds, "the projections are stalled");
        return Err(unavailable(format!(
            "the projections are stalled: {} events not shown, the oldest for {:.0} s (bound {} s)",
            lag.events,
            lag.seconds,
            max_lag.as_secs()
        )));
    }
    let backend = state.backend_name();
    Ok(Json(Readiness {
        status: "ready",
        backend,
        projection_lag: lag.events,
        projection_lag_seconds: lag.seconds,
        pending_commands: state.pending_commands(),
    }))
}

/// The projection lag, the commands held and the failing projections in the Prometheus text format
/// (version 0.0.4), for alerting on what `/readyz` judges. Counts only, nothing about any issue, so it is as
/// public as `/readyz`. When the database does not answer within 1 s the lag gauges are left out (a scraper
/// then sees them missing) and `santisuk_database_up` is 0.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain; version=0.0.4")))]
pub async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    use std::fmt::Write as _;
    let lag = tokio::time::timeout(Duration::from_secs(1), state.projection_lag()).await.ok().and_then(Result::ok);
    let mut out = String::new();
    let mut gauge = |name: &str, help: &str, value: String| {
        let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");
    };
    gauge(
        "santisuk_database_up",
        "Whether the database answered the lag query within 1 s.",
        u8::from(lag.is_some()).to_string(),
    );
    if let Some(lag) = lag {
        gauge(
            "santisuk_projection_lag_events",
            "Committed events the read model has not applied.",
            lag.events.to_string(),
        );
        gauge(
            "santisuk_projection_lag_seconds",
            "How long the oldest of them has waited.",
            format!("{:.3}", lag.seconds),
        );
    }
    gauge(
        "santisuk_pending_commands",
        "Commands this process holds, running or queued.",
        state.pending_commands().to_string(),
    );
    let failing = state.failing_projections();
    let _ = write!(
        out,
        "# HELP santisuk_projection_failing Whether a projection's last turn failed or panicked.\n\
         # TYPE santisuk_projection_failing gauge\n"
    );
    for name in [state.runner.name(), state.ledger.name()] {
        let _ =
            writeln!(out, "santisuk_projection_failing{{projection=\"{name}\"}} {}", u8::from(failing.contains(&name)));
    }
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out)
}
