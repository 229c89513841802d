//! Notifications (issue #17 §5), administrators only: channels (e-mail, signed webhook) and deliveries,
//! with a retry for those that failed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
pub use santisuk_app::notifications::NotificationChannelRequest;
use santisuk_app::notifications::{ChannelRow, OutboxRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/notifications/channels", get(list_channels).post(add_channel))
        .route("/api/notifications/channels/{id}", delete(remove_channel))
        .route("/api/notifications/deliveries", get(list_deliveries))
        .route("/api/notifications/deliveries/{key}/retry", post(retry))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationChannels {
    pub items: Vec<ChannelRow>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDeliveries {
    pub items: Vec<OutboxRow>,
}

/// The notification channels (admin); secrets are never shown.
#[utoipa::path(get, path = "/api/notifications/channels", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotificationChannels), (status = 403, description = "not an administrator", body = ErrorBody)))]
pub async fn list_channels(State(state): State<AppState>, ctx: Ctx) -> Result<Json<NotificationChannels>, ApiError> {
    Ok(Json(NotificationChannels { items: santisuk_app::notifications::list_channels(&state, &ctx).await? }))
}

/// Adds a channel (admin): an e-mail address (needs SANTISUK_SMTP_URL), or a webhook URL with its
/// signing secret. A webhook receives `{"id", "kind", "reference", "link", "created_at"}` as JSON, with
/// `Idempotency-Key: <id>` and `X-Santisuk-Signature: sha256=<hex HMAC-SHA256 of the body under the
/// secret>`; `id` is the same on every attempt of one delivery.
#[utoipa::path(post, path = "/api/notifications/channels", tag = "notifications", request_body = NotificationChannelRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ChannelRow), (status = 400, description = "a malformed body", body = ErrorBody),
        (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 422, description = "`bad_channel_kind`, `bad_email`, `smtp_not_configured`, `bad_webhook_url` (not http or https), \
            `webhook_points_at_self` (this server's own address and port), `bad_secret`, `user_not_found`: nothing is written", body = ErrorBody)))]
pub async fn add_channel(
    State(state): State<AppState>,
    ctx: Ctx,
    AppJson(req): AppJson<NotificationChannelRequest>,
) -> Result<(StatusCode, Json<ChannelRow>), ApiError> {
    Ok((StatusCode::CREATED, Json(santisuk_app::notifications::add_channel(&state, &ctx, req).await?)))
}

/// Removes a channel and its deliveries not yet sent (admin).
#[utoipa::path(delete, path = "/api/notifications/channels/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path, description = "channel id")),
    responses((status = 204, description = "removed"), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 404, description = "no such channel (`channel_not_found`)", body = ErrorBody)))]
pub async fn remove_channel(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    santisuk_app::notifications::remove_channel(&state, &ctx, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// `failed` (gave up; retry by hand), `retrying` (failed, tried again later), `pending` or `sent`;
    /// empty or absent: all.
    #[param(pattern = "^(failed|retrying|pending|sent)?$")]
    pub state: Option<String>,
}

/// Deliveries, newest first (admin): the 500 latest of the state asked for.
#[utoipa::path(get, path = "/api/notifications/deliveries", tag = "notifications", security(("bearer" = [])),
    params(DeliveriesQuery),
    responses((status = 200, body = NotificationDeliveries), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 422, description = "an unknown state (`bad_state`)", body = ErrorBody)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<DeliveriesQuery>,
) -> Result<Json<NotificationDeliveries>, ApiError> {
    let items = santisuk_app::notifications::list_deliveries(&state, &ctx, q.state.as_deref()).await?;
    Ok(Json(NotificationDeliveries { items }))
}

/// Sends a delivery not yet sent again at once (admin), its attempts counted afresh.
#[utoipa::path(post, path = "/api/notifications/deliveries/{key}/retry", tag = "notifications", security(("bearer" = [])),
    params(("key" = String, Path, description = "the delivery's idempotency key")),
    responses((status = 200, body = OutboxRow), (status = 403, description = "not an administrator", body = ErrorBody),
        (status = 404, description = "no such delivery (`delivery_not_found`)", body = ErrorBody),
        (status = 409, description = "it was sent already (`delivery_sent`)", body = ErrorBody)))]
pub async fn retry(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(key): AppPath<String>,
) -> Result<Json<OutboxRow>, ApiError> {
    Ok(Json(santisuk_app::notifications::retry(&state, &ctx, &key).await?))
}
