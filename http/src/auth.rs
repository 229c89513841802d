//! Authentication (bearer tokens) and authorisation (roles). Every `/api` handler takes a [`Ctx`]: who
//! is acting and under which request id, the two things stored in each event's metadata.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
pub use santisuk_projections::users::{Role, User};

use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated actor of one request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: User,
    /// From `x-request-id` (set by the request-id middleware when the client sent none).
    pub request_id: String,
}

impl Ctx {
    /// Refuses (403) unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role], action: &str) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("the {} role may not {action}", self.user.role)))
        }
    }

    /// The areas this user may see and act in: `None` for every area (admin, staff, auditor), the
    /// coordinator's own areas otherwise. Every list, count and export applies it.
    pub fn visible_areas(&self) -> Option<Vec<String>> {
        match self.user.role {
            Role::Coordinator => Some(self.user.areas.clone()),
            Role::Admin | Role::Staff | Role::Auditor => None,
        }
    }

    /// Whether this user may see (and, if a writer, act in) `area_id`.
    pub fn sees_area(&self, area_id: &str) -> bool {
        self.visible_areas().is_none_or(|areas| areas.iter().any(|a| a == area_id))
    }

    /// Who may raise and act on issues and record forums.
    pub fn require_issue_writer(&self) -> Result<(), ApiError> {
        self.require(&[Role::Admin, Role::Staff, Role::Coordinator], "change issues or forums")
    }

    /// Records, in the access log, that this user read `action` (`issue_history`, `audit_events`,
    /// `issues_export`, …) of `target` with `filters`. Called before the read: if it cannot be recorded,
    /// nothing is read.
    pub async fn record_read(
        &self,
        db: &santisuk_projections::Db,
        action: &str,
        target: Option<&str>,
        filters: serde_json::Value,
    ) -> Result<(), ApiError> {
        let access = santisuk_projections::access_log::Access {
            at: crate::state::now(),
            actor: &self.user.name,
            actor_role: self.user.role.as_str(),
            action,
            target,
            filters,
            request_id: Some(self.request_id.as_str()).filter(|r| !r.is_empty()),
        };
        santisuk_projections::access_log::record(db, access).await?;
        Ok(())
    }

    /// The event metadata for a command by this actor.
    pub fn metadata(&self) -> HashMap<String, String> {
        HashMap::from([
            ("actor".to_owned(), self.user.name.clone()),
            ("actor_id".to_owned(), self.user.id.clone()),
            ("actor_role".to_owned(), self.user.role.as_str().to_owned()),
            ("request_id".to_owned(), self.request_id.clone()),
        ])
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .ok_or(ApiError::Unauthorized)?;
        let user = state.tokens.user(&state.db, token).await?.ok_or(ApiError::Unauthorized)?;
        Ok(Ctx { user, request_id: request_id(&parts.headers) })
    }
}

/// The request's id (set by the request-id middleware when the client sent none), at most 128 characters.
pub fn request_id(headers: &axum::http::HeaderMap) -> String {
    headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(|s| s.chars().take(128).collect()).unwrap_or_default()
}
