//! Users, roles and API tokens. Tokens are 256 random bits shown once and stored as their SHA-256.

use std::fmt;

use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::StoreError;
use crate::events::fmt_ts;
use crate::on_db;

/// What a user may do (see ARCHITECTURE.md, "Roles").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reference data (areas, categories) and users; everything staff may do.
    Admin,
    /// Everything on issues and forums, in all areas.
    Staff,
    /// Raise and act on issues, record forums.
    Coordinator,
    /// Reads everything, writes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Staff, Role::Coordinator, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Coordinator => "coordinator",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The areas a coordinator works in (empty for other roles).
    pub areas: Vec<String>,
}

/// A new API token: shown to the person once, never stored in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    fn generate() -> Token {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Token(format!("sst_{}", hex::encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("user name must be 1–64 characters of letters, digits, '.', '_' or '-'")]
    BadName,
    #[error("a user named {0:?} already exists")]
    Exists(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a user with a first API token.
pub async fn add_user(db: &Db, name: &str, role: Role, now: DateTime<Utc>) -> Result<(User, Token), UserError> {
    let ok = (1..=64).contains(&name.chars().count())
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(UserError::BadName);
    }
    let user = User { id: uuid::Uuid::new_v4().to_string(), name: name.to_owned(), role, areas: Vec::new() };
    let token = Token::generate();
    let created = fmt_ts(now);
    let inserted = on_db!(db, p => {
        let mut tx = p.begin().await.map_err(StoreError::from)?;
        let r = sqlx::query("INSERT INTO users (id, name, role, active, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING")
            .bind(&user.id).bind(&user.name).bind(role.as_str()).bind(true).bind(&created)
            .execute(&mut *tx).await.map_err(StoreError::from)?;
        if r.rows_affected() == 1 {
            sqlx::query("INSERT INTO api_tokens (token_sha256, user_id, created_at) VALUES ($1, $2, $3)")
                .bind(token_hash(token.expose())).bind(&user.id).bind(&created)
                .execute(&mut *tx).await.map_err(StoreError::from)?;
            tx.commit().await.map_err(StoreError::from)?;
            true
        } else {
            false
        }
    });
    if !inserted {
        return Err(UserError::Exists(name.to_owned()));
    }
    Ok((user, token))
}

/// The active user a bearer token belongs to, if any.
pub async fn user_by_token(db: &Db, token: &str) -> Result<Option<User>, StoreError> {
    let row: Option<(String, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_sha256 = $1 AND u.active")
        .bind(token_hash(token)).fetch_optional(p).await?);
    row.map(|(id, name, role)| {
        let role =
            Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("user {name} has unknown role {role}")))?;
        Ok(User { id, name, role, areas: Vec::new() })
    })
    .transpose()
}

pub async fn count_users(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await?))
}
