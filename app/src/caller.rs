//! Who is acting, and what they may see and do: the one place roles and area scope are decided. Every
//! use case takes a [`Caller`]; the adapters only establish who it is (a bearer token, a web session).

use std::collections::HashMap;

pub use santisuk_projections::read_model::Restriction;
pub use santisuk_projections::stats::Suppression;
pub use santisuk_projections::users::{Role, User};

use crate::error::AppError;
use crate::{AppState, now};

/// The authenticated actor of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    /// The request's id (from `x-request-id`), stored in each event's metadata.
    pub request_id: String,
    /// Where the request came from (the peer's address, or a trusted proxy's header): recorded with
    /// every read the access log keeps. Empty when unknown (the CLI).
    pub client: String,
}

impl Caller {
    /// The active user holding `token`, if any (tokens are cached per instance; see `TokenCache`).
    pub async fn by_token(
        state: &AppState,
        token: &str,
        request_id: String,
        client: String,
    ) -> Result<Caller, AppError> {
        let user = state.tokens.user(&state.db, token).await?.ok_or(AppError::Unauthorized)?;
        Ok(Caller { user, request_id, client })
    }

    /// Refuses (403) unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role], action: &str) -> Result<(), AppError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!("the {} role may not {action}", self.user.role)))
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

    /// Which restricted cases this user may not read, as every read that lists, counts or opens cases
    /// applies it: `None` for an admin, who reads every case. Anyone else reads a case restricted now (its
    /// own mark, or its category's) only if it is of a category granted to them (staff and auditors are
    /// granted categories; nobody else holds any) or they raised it (a coordinator's own cases). Everyone
    /// else meets it nowhere: not in lists, searches, the queue, exports or forum pages, and opening it
    /// answers exactly as an id no issue has. It still counts in statistics, under [`Caller::suppression`].
    /// A coordinator's area scope ([`Caller::visible_areas`]) applies as well.
    pub fn restriction(&self) -> Option<Restriction> {
        match self.user.role {
            Role::Admin => None,
            Role::Staff | Role::Auditor | Role::Coordinator => {
                Some(Restriction {
                    categories: self.user.categories.clone(),
                    user_id: self.user.id.clone(),
                    // Issue #16: a coordinator's obstacle is seen by admins, staff, auditors and the
                    // coordinator who raised it; to any other coordinator it does not exist.
                    own_obstacles_only: self.user.role == Role::Coordinator,
                })
            }
        }
    }

    /// How statistics count the restricted cases this user may not read ([`Caller::restriction`]): only in
    /// groups holding at least the server's small-cell threshold of them (`Suppression`). `None` for an
    /// admin, whose figures count every case.
    pub fn suppression(&self, state: &AppState) -> Option<Suppression> {
        self.restriction().map(|restriction| Suppression { restriction, threshold: state.small_cell_threshold() })
    }

    /// Refuses, as "no such issue", an issue restricted now that this user may not read (see
    /// [`Caller::restriction`]): to them it does not exist.
    pub async fn require_readable(&self, state: &AppState, issue_id: &str) -> Result<(), AppError> {
        let hidden = self.restriction();
        if santisuk_projections::read_model::is_hidden(&state.db, issue_id, hidden.as_ref()).await? {
            return Err(AppError::not_found("issue_not_found", "no such issue"));
        }
        Ok(())
    }

    /// Who may raise and act on issues and record forums.
    pub fn require_issue_writer(&self) -> Result<(), AppError> {
        self.require(&[Role::Admin, Role::Staff, Role::Coordinator], "change issues or forums")
    }

    /// Records, in the access log, that this user read `action` (`issue_history`, `audit_events`,
    /// `issues_export`, …) of `target` with `filters`. Called before the read: if it cannot be recorded,
    /// nothing is read.
    pub async fn record_read(
        &self,
        state: &AppState,
        action: &str,
        target: Option<&str>,
        filters: serde_json::Value,
    ) -> Result<(), AppError> {
        let access = santisuk_projections::access_log::Access {
            at: now(),
            actor: &self.user.name,
            actor_role: self.user.role.as_str(),
            action,
            target,
            filters,
            request_id: Some(self.request_id.as_str()).filter(|r| !r.is_empty()),
            client: Some(self.client.as_str()).filter(|c| !c.is_empty()),
        };
        santisuk_projections::access_log::record(&state.db, access).await?;
        Ok(())
    }

    /// The event metadata for a command by this actor.
    /// [`Caller::metadata`], and with an `Idempotency-Key` the key scoped to this user and a fingerprint
    /// of the request (SHA-256 of its JSON form), so that a retry is answered from the first run and the
    /// same key with another request is refused (see `command::IDEMPOTENCY_KEY`).
    pub fn keyed_metadata(&self, key: Option<&str>, request: &impl serde::Serialize) -> HashMap<String, String> {
        use sha2::Digest as _;
        let mut metadata = self.metadata();
        if let Some(key) = key {
            let json = serde_json::to_vec(request).unwrap_or_default();
            let fingerprint = hex::encode(sha2::Sha256::digest(&json));
            metadata.insert(crate::command::IDEMPOTENCY_KEY.to_owned(), format!("{}:{key}", self.user.id));
            metadata.insert(crate::command::IDEMPOTENCY_REQUEST.to_owned(), fingerprint);
        }
        metadata
    }

    pub fn metadata(&self) -> HashMap<String, String> {
        HashMap::from([
            ("actor".to_owned(), self.user.name.clone()),
            ("actor_id".to_owned(), self.user.id.clone()),
            ("actor_role".to_owned(), self.user.role.as_str().to_owned()),
            ("request_id".to_owned(), self.request_id.clone()),
        ])
    }
}
