//! `/healthz` (the process is up) and `/readyz` (database reachable, migrations applied, projection lag).

use std::time::Duration;

use axum::extract::State;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, AppError};
use crate::state::AppState;

pub fn router(max_lag: Duration) -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz)).layer(Extension(MaxLag(max_lag)))
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
