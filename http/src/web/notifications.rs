//! The notifications admin page `/admin/notifications` (issue #17 §5), Thai first: the channels (add,
//! remove), and the deliveries that failed or are being retried, each with a retry button. Over the
//! application functions the API calls (`santisuk_app::notifications`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use santisuk_app::caller::Role;
use santisuk_app::notifications::{self, NotificationChannelRequest};
use serde::Deserialize;

use super::i18n::{self, Tr};
use super::layout::{self, Nav};
use super::{Posted, Web, WebError};
use crate::error::{ApiError, AppError};
use crate::state::AppState;

pub const NOTIFICATIONS: Tr = Tr("notifications");
pub const CHANNELS: Tr = Tr("channels");
pub const CHANNEL_ADD: Tr = Tr("channel-add");
pub const CHANNEL_KIND: Tr = Tr("channel-kind");
pub const CHANNEL_TARGET: Tr = Tr("channel-target");
pub const CHANNEL_SECRET: Tr = Tr("channel-secret");
pub const CHANNEL_USER: Tr = Tr("channel-user");
pub const CHANNEL_REMOVE: Tr = Tr("channel-remove");
pub const NO_CHANNELS: Tr = Tr("no-channels");
pub const ATTENTION: Tr = Tr("attention");
pub const NO_FAILURES: Tr = Tr("no-failures");
pub const RETRY: Tr = Tr("retry");
pub const ATTEMPTS: Tr = Tr("attempts");
pub const ERROR: Tr = Tr("error");
pub const NEXT_ATTEMPT: Tr = Tr("next-attempt");
pub const GAVE_UP: Tr = Tr("gave-up");
pub const REFERENCE: Tr = Tr("reference");
pub const HINT: Tr = Tr("hint");

fn require_admin(web: &Web) -> Result<(), WebError> {
    if web.ctx.user.role != Role::Admin {
        return Err(ApiError(AppError::forbidden("only administrators manage notifications")).into());
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    require_admin(&web)?;
    let done = query.map(|Query(q)| q).unwrap_or_default().done;
    render(&state, &web, &ChannelForm::default(), done.as_deref(), None, StatusCode::OK).await
}

fn kind_words(kind: &str) -> (&'static str, &'static str) {
    notifications::words(kind)
}

async fn render(
    state: &AppState,
    web: &Web,
    form: &ChannelForm,
    done: Option<&str>,
    error: Option<(&str, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let channels = notifications::list_channels(state, &web.ctx).await?;
    let mut attention = notifications::list_deliveries(state, &web.ctx, Some("failed")).await?;
    attention.extend(notifications::list_deliveries(state, &web.ctx, Some("retrying")).await?);
    let users = santisuk_app::users::list(state, &web.ctx).await?;
    let content = html! {
        @if let Some(d) = done { p.notice role="status" { (i18n::DONE_SAVED.get(lang)) " " (d) } }
        h1 { (NOTIFICATIONS.get(lang)) }
        p.hint { (HINT.get(lang)) }
        @if let Some((code, message)) = &error { div.error-summary role="alert" { p { (code) ": " (message) } } }
        h2 { (CHANNELS.get(lang)) }
        @if channels.is_empty() { p.muted { (NO_CHANNELS.get(lang)) } } @else {
            table.stack {
                thead { tr { th { (CHANNEL_KIND.get(lang)) } th { (CHANNEL_TARGET.get(lang)) } th { (CHANNEL_USER.get(lang)) } th {} } }
                tbody {
                    @for c in &channels {
                        tr {
                            td data-label=(CHANNEL_KIND.get(lang)) { (c.kind) }
                            td data-label=(CHANNEL_TARGET.get(lang)) { code { (c.target) } }
                            td data-label=(CHANNEL_USER.get(lang)) {
                                (c.user_id.as_ref().map(|u| users.iter().find(|x| &x.id == u).map_or(u.clone(), |x| x.name.clone())).unwrap_or_else(|| "—".into()))
                            }
                            td { form.inline method="post" action={ "/admin/notifications/channels/" (c.id) "/remove" } {
                                input type="hidden" name="_csrf" value=(web.csrf);
                                button type="submit" { (CHANNEL_REMOVE.get(lang)) } } }
                        }
                    }
                }
            }
        }
        form.card method="post" action="/admin/notifications/channels" novalidate {
            h2 { (CHANNEL_ADD.get(lang)) }
            input type="hidden" name="_csrf" value=(web.csrf);
            div.grid.two {
                div { label for="kind" { (CHANNEL_KIND.get(lang)) }
                    select #kind name="kind" {
                        option value="webhook" selected[form.kind != "email"] { "webhook" }
                        option value="email" selected[form.kind == "email"] { (Tr("render-e-mail").get(lang)) }
                    } }
                div { label for="target" { (CHANNEL_TARGET.get(lang)) }
                    input #target type="text" name="target" value=(form.target) maxlength="500"; }
                div { label for="secret" { (CHANNEL_SECRET.get(lang)) }
                    input #secret type="password" name="secret" autocomplete="off" maxlength="200"; }
                div { label for="user_id" { (CHANNEL_USER.get(lang)) }
                    select #user_id name="user_id" {
                        option value="" { "—" }
                        @for u in &users { option value=(u.id) selected[form.user_id == u.id] { (u.name) " (" (u.role) ")" } }
                    } }
            }
            p { button.primary type="submit" { (CHANNEL_ADD.get(lang)) } }
        }
        h2 { (ATTENTION.get(lang)) }
        @if attention.is_empty() { p.muted { (NO_FAILURES.get(lang)) } } @else {
            table.stack {
                thead { tr { th { (CHANNEL_KIND.get(lang)) } th { (REFERENCE.get(lang)) } th { (ATTEMPTS.get(lang)) }
                    th { (ERROR.get(lang)) } th { (NEXT_ATTEMPT.get(lang)) } th {} } }
                tbody {
                    @for d in &attention {
                        tr {
                            td data-label=(CHANNEL_KIND.get(lang)) { (lang.pick(kind_words(&d.kind).0, kind_words(&d.kind).1)) }
                            td data-label=(REFERENCE.get(lang)) { (d.reference) }
                            td data-label=(ATTEMPTS.get(lang)) { (d.attempts) }
                            td data-label=(ERROR.get(lang)) { (d.last_error.as_deref().unwrap_or("—")) }
                            td data-label=(NEXT_ATTEMPT.get(lang)) {
                                @if d.state == "failed" { (GAVE_UP.get(lang)) } @else { (i18n::stored_time(lang, &d.next_attempt_at)) }
                            }
                            td { form.inline method="post" action={ "/admin/notifications/deliveries/" (layout::url_encode(&d.key)) "/retry" } {
                                input type="hidden" name="_csrf" value=(web.csrf);
                                button type="submit" { (RETRY.get(lang)) } } }
                        }
                    }
                }
            }
        }
    };
    Ok((status, layout::page(web, Nav::Admin, NOTIFICATIONS.get(lang), content)).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct ChannelForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    user_id: String,
}

/// Adds a channel; a refusal shows on the page with nothing written.
pub async fn add(State(state): State<AppState>, posted: Posted<ChannelForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let req = NotificationChannelRequest {
        kind: form.kind.clone(),
        target: form.target.clone(),
        secret: Some(form.secret.clone()).filter(|s| !s.trim().is_empty()),
        user_id: Some(form.user_id.clone()).filter(|u| !u.is_empty()),
        agency_id: None,
    };
    match notifications::add_channel(&state, &web.ctx, req).await {
        Ok(c) => {
            Ok(Redirect::to(&format!("/admin/notifications?done={}", layout::url_encode(&c.kind))).into_response())
        }
        Err(AppError::Invalid { code, message }) => {
            render(&state, &web, &form, None, Some((code, message)), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<Empty>,
) -> Result<Response, WebError> {
    require_admin(&posted.web)?;
    match notifications::remove_channel(&state, &posted.web.ctx, &id).await {
        // A retried removal finds it gone.
        Ok(()) | Err(AppError::NotFound { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/admin/notifications").into_response())
}

pub async fn retry(
    State(state): State<AppState>,
    Path(key): Path<String>,
    posted: Posted<Empty>,
) -> Result<Response, WebError> {
    require_admin(&posted.web)?;
    match notifications::retry(&state, &posted.web.ctx, &key).await {
        Ok(_) | Err(AppError::Conflict { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/admin/notifications?done=retry").into_response())
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct Empty {}
