//! `/healthz` (the process is up) and `/readyz` (database reachable, migrations applied, projection lag).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, AppError};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub status: &'static str,
    pub backend: &'static str,
    /// Events stored but not yet in the read model.
    pub projection_lag: i64,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database is reachable, every migration is applied, and the projection lag is reported.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = crate::error::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    let unavailable = |what: &str| ApiError(AppError::Unavailable { message: what.to_owned() });
    match state.migrations_applied().await {
        Ok(true) => {}
        Ok(false) => return Err(unavailable("database migrations are not applied")),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            return Err(unavailable("database unreachable"));
        }
    }
    let lag = state.projection_lag().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        unavailable("database unreachable")
    })?;
    let backend = state.backend_name();
    Ok(Json(Readiness { status: "ready", backend, projection_lag: lag }))
}
