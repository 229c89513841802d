//! Person records (complainants): kept outside the event log, each sealed under a data key of its own, so
//! that erasing a person destroys one key and clears one row while every event stays as stored.

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::error::StoreError;
use crate::on_db;
use crate::vault::Vault;

/// A person record as stored, opened.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub subject_id: String,
    /// The details (a JSON document the application defines); `None` once erased.
    pub details: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub erased_at: Option<DateTime<Utc>>,
    pub erased_by: Option<String>,
    pub legal_basis: Option<String>,
}

/// Stores a new person record with `details` sealed under a fresh key.
pub async fn insert(
    db: &Db,
    vault: &Vault,
    subject_id: &str,
    details: &str,
    created_by: &str,
) -> Result<(), StoreError> {
    let (key_id, sealed) = vault.seal_record(db, details).await?;
    on_db!(db, p => sqlx::query(
        "INSERT INTO persons (subject_id, key_id, sealed, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(subject_id).bind(key_id).bind(sealed).bind(Utc::now()).bind(created_by).execute(p).await?.rows_affected());
    Ok(())
}

type Row = (String, Option<String>, DateTime<Utc>, String, Option<DateTime<Utc>>, Option<String>, Option<String>);

/// The record of `subject_id`, opened; `None` if there is none.
pub async fn get(db: &Db, vault: &Vault, subject_id: &str) -> Result<Option<PersonRecord>, StoreError> {
    let row: Option<Row> = on_db!(db, p => sqlx::query_as(
        "SELECT subject_id, sealed, created_at, created_by, erased_at, erased_by, legal_basis FROM persons \
         WHERE subject_id = $1").bind(subject_id).fetch_optional(p).await?);
    let Some((subject_id, sealed, created_at, created_by, erased_at, erased_by, legal_basis)) = row else {
        return Ok(None);
    };
    let details = match sealed {
        Some(sealed) => vault.open_record(db, &sealed).await?.map(|d| d.to_string()),
        None => None,
    };
    Ok(Some(PersonRecord { subject_id, details, created_at, created_by, erased_at, erased_by, legal_basis }))
}

/// Erases a record: destroys its key, clears the sealed details and records who, when and why. `false` if
/// it was erased already (or does not exist).
pub async fn erase(
    db: &Db,
    vault: &Vault,
    subject_id: &str,
    erased_by: &str,
    legal_basis: &str,
) -> Result<bool, StoreError> {
    let key: Option<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT key_id FROM persons WHERE subject_id = $1 AND erased_at IS NULL").bind(subject_id).fetch_optional(p).await?);
    let Some(key) = key else { return Ok(false) };
    vault.destroy(db, std::slice::from_ref(&key)).await?;
    let done = on_db!(db, p => sqlx::query(
        "UPDATE persons SET sealed = NULL, erased_at = $1, erased_by = $2, legal_basis = $3 \
         WHERE subject_id = $4 AND erased_at IS NULL")
        .bind(Utc::now()).bind(erased_by).bind(legal_basis).bind(subject_id).execute(p).await?.rows_affected());
    Ok(done > 0)
}

/// The issues whose raise names `subject_id` as complainant (from the events themselves, not a read model).
pub async fn issues_of(db: &Db, subject_id: &str) -> Result<Vec<String>, StoreError> {
    let sql = match db.backend() {
        crate::Backend::Sqlite => {
            "SELECT aggregate_id FROM events WHERE aggregate_type = 'Issue' AND event_type = 'IssueRaised' \
             AND json_extract(payload, '$.IssueRaised.complainant') = $1 ORDER BY position"
        }
        crate::Backend::Postgres => {
            "SELECT aggregate_id FROM events WHERE aggregate_type = 'Issue' AND event_type = 'IssueRaised' \
             AND payload -> 'IssueRaised' ->> 'complainant' = $1 ORDER BY position"
        }
    };
    Ok(on_db!(db, p => sqlx::query_scalar(sql).bind(subject_id).fetch_all(p).await?))
}

/// Every (complainant, issue) pair of the log whose person record is not erased: what the retention rule
/// looks at.
pub async fn unerased_links(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    let sql = match db.backend() {
        crate::Backend::Sqlite => {
            "SELECT p.subject_id, e.aggregate_id FROM events e JOIN persons p \
             ON p.subject_id = json_extract(e.payload, '$.IssueRaised.complainant') \
             WHERE e.aggregate_type = 'Issue' AND e.event_type = 'IssueRaised' AND p.erased_at IS NULL"
        }
        crate::Backend::Postgres => {
            "SELECT p.subject_id, e.aggregate_id FROM events e JOIN persons p \
             ON p.subject_id = e.payload -> 'IssueRaised' ->> 'complainant' \
             WHERE e.aggregate_type = 'Issue' AND e.event_type = 'IssueRaised' AND p.erased_at IS NULL"
        }
    };
    Ok(on_db!(db, p => sqlx::query_as(sql).fetch_all(p).await?))
}

/// The complainant named by the raise of each of these issues, as (issue id, subject id).
pub async fn complainants_of(db: &Db, issue_ids: &[String]) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = Vec::new();
    for chunk in issue_ids.chunks(500) {
        let list = crate::db::values_placeholders(db.backend(), chunk.len(), 1).replace(['(', ')'], "");
        let sql = match db.backend() {
            crate::Backend::Sqlite => format!(
                "SELECT aggregate_id, json_extract(payload, '$.IssueRaised.complainant') FROM events \
                 WHERE aggregate_type = 'Issue' AND sequence = 1 AND aggregate_id IN ({list}) \
                 AND json_extract(payload, '$.IssueRaised.complainant') IS NOT NULL"
            ),
            crate::Backend::Postgres => format!(
                "SELECT aggregate_id, payload -> 'IssueRaised' ->> 'complainant' FROM events \
                 WHERE aggregate_type = 'Issue' AND sequence = 1 AND aggregate_id IN ({list}) \
                 AND payload -> 'IssueRaised' ->> 'complainant' IS NOT NULL"
            ),
        };
        let rows: Vec<(String, String)> = on_db!(db, p => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(id.clone());
            }
            q.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}
