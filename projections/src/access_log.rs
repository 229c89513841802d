//! The access log: who read an issue's history, the audit log or an export, when, from where, and with
//! which filters.

use chrono::{DateTime, Utc};
use serde::Serialize;

use santisuk_store::db::Db;
use santisuk_store::error::StoreError;
use santisuk_store::events::fmt_ts;
use santisuk_store::on_db;

/// One recorded read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AccessEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub actor_role: String,
    /// What was read, e.g. `issue_history`, `audit_events`, `audit_export`, `issues_export`.
    pub action: String,
    /// The object read, if one (an issue id).
    pub target: Option<String>,
    /// The request's filters, as a JSON object.
    pub filters: String,
    pub request_id: Option<String>,
    /// The client's address, where the request came from.
    pub client: Option<String>,
}

/// What to record.
#[derive(Debug, Clone)]
pub struct Access<'a> {
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub target: Option<&'a str>,
    pub filters: serde_json::Value,
    pub request_id: Option<&'a str>,
    pub client: Option<&'a str>,
}

pub async fn record(db: &Db, a: Access<'_>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO access_log (at, actor, actor_role, action, target, filters, request_id, client) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(fmt_ts(a.at)).bind(a.actor).bind(a.actor_role).bind(a.action).bind(a.target)
        .bind(a.filters.to_string()).bind(a.request_id).bind(a.client)
        .execute(p).await.map(|_| ())?);
    Ok(())
}

/// One page of the access log in recording order, after entry `after`; the next cursor if there is more.
pub async fn list(db: &Db, after: i64, limit: i64) -> Result<(Vec<AccessEntry>, Option<i64>), StoreError> {
    let mut rows: Vec<AccessEntry> = on_db!(db, p => sqlx::query_as(
        "SELECT id, at, actor, actor_role, action, target, filters, request_id, client FROM access_log \
         WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after).bind(limit + 1).fetch_all(p).await?);
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(|r| r.id) } else { None };
    Ok((rows, next))
}
