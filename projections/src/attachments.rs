//! The `attachments` read table (issue #17 §4): one row per `AttachmentAdded`, projected by the read model
//! in the same batch as the issue rows, so a rebuild reproduces it from the log. An issue's erasure marks
//! its earlier rows `erased` and their names `[erased]` (as a rebuild would read them once the keys are
//! gone): the application then serves none of their files.

use santisuk_domain::issue::IssueEvent;
use serde::Serialize;

use santisuk_store::db::{Db, DbTx};
use santisuk_store::error::StoreError;
use santisuk_store::events::{StoredEvent, fmt_ts};
use santisuk_store::{on_db, on_tx};

/// One attached file as the pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AttachmentRow {
    pub issue_id: String,
    /// The sequence of its `AttachmentAdded` event in the issue's stream.
    pub sequence: i64,
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    /// The name given at upload (opened from the sealed event); `[erased]` after an erasure.
    pub name: Option<String>,
    /// The sequence of the action it documents; `None`: the problem itself.
    pub action: Option<i64>,
    pub at: String,
    pub thumbnail: Option<String>,
    /// The issue's personal data was erased after the file was attached: it is no longer served.
    pub erased: bool,
}

const COLUMNS: &str = "issue_id, sequence, sha256, media_type, size, name, action, at, thumbnail, erased";

/// The issue events [`project`] writes from: the read model's runner reads them in full even when the
/// issue's row already holds them (see `ReadModel::COVERED`).
pub(crate) const EVENT_TYPES: &[&str] = &["AttachmentAdded", "PersonalDataErased"];

/// Writes what an issue event changes in the table (most change nothing).
pub(crate) async fn project(tx: &mut DbTx, event: &StoredEvent, e: &IssueEvent) -> Result<(), StoreError> {
    match e {
        IssueEvent::AttachmentAdded { sha256, media_type, size, name, action, thumbnail, at } => {
            let size = i64::try_from(*size).map_err(|_| StoreError::corrupt("an attachment's size is out of range"))?;
            on_tx!(tx, t => sqlx::query(
                "INSERT INTO attachments (issue_id, sequence, sha256, media_type, size, name, action, at, thumbnail, \
                 erased) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (issue_id, sequence) DO NOTHING")
                .bind(&event.aggregate_id).bind(event.sequence).bind(sha256.as_str()).bind(media_type.as_str())
                .bind(size).bind(name.as_ref().map(|n| n.as_str().to_owned())).bind(*action).bind(fmt_ts(*at))
                .bind(thumbnail.as_ref().map(|d| d.as_str().to_owned())).bind(false)
                .execute(&mut **t).await.map(|_| ())?);
        }
        IssueEvent::PersonalDataErased { .. } => {
            on_tx!(tx, t => sqlx::query(
                "UPDATE attachments SET erased = $1, name = CASE WHEN name IS NULL THEN NULL ELSE $2 END \
                 WHERE issue_id = $3 AND sequence < $4")
                .bind(true).bind(santisuk_domain::personal::ERASED).bind(&event.aggregate_id).bind(event.sequence)
                .execute(&mut **t).await.map(|_| ())?);
        }
        IssueEvent::IssueRaised { .. }
        | IssueEvent::IssueAssigned { .. }
        | IssueEvent::IssueAddressed { .. }
        | IssueEvent::IssueClosed { .. }
        | IssueEvent::IssueReopened { .. }
        | IssueEvent::IssueCorrected { .. }
        | IssueEvent::IssueRestrictionChanged { .. }
        | IssueEvent::IssueWaitingChanged { .. }
        | IssueEvent::IssueEscalated { .. }
        | IssueEvent::IssueMarkedDuplicate { .. }
        | IssueEvent::CommunityVerdictRecorded { .. } => {}
    }
    Ok(())
}

/// The files of one issue, in the order they were attached.
pub async fn of_issue(db: &Db, issue_id: &str) -> Result<Vec<AttachmentRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE issue_id = $1 ORDER BY sequence");
    Ok(on_db!(db, p => sqlx::query_as(&sql).bind(issue_id).fetch_all(p).await?))
}

/// The files of several issues (a forum page's problems), each issue's in the order attached.
pub async fn of_issues(db: &Db, issue_ids: &[String]) -> Result<Vec<AttachmentRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in issue_ids.chunks(200) {
        let placeholders =
            santisuk_store::db::values_placeholders(db.backend(), chunk.len(), 1).replace(['(', ')'], "");
        let sql =
            format!("SELECT {COLUMNS} FROM attachments WHERE issue_id IN ({placeholders}) ORDER BY issue_id, sequence");
        let rows: Vec<AttachmentRow> = on_db!(db, p => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

/// The newest row of an issue whose file or thumbnail has this digest (a file attached twice is one blob).
pub async fn find(db: &Db, issue_id: &str, digest: &str) -> Result<Option<AttachmentRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments WHERE issue_id = $1 AND (sha256 = $2 OR thumbnail = $2) \
         ORDER BY sequence DESC LIMIT 1"
    );
    Ok(on_db!(db, p => sqlx::query_as(&sql).bind(issue_id).bind(digest).fetch_optional(p).await?))
}

/// Whether any row other than those of `except_issue`, and not erased, still refers to `digest` (as its
/// file or its thumbnail): then the blob must stay.
pub async fn still_referenced(db: &Db, digest: &str, except_issue: Option<&str>) -> Result<bool, StoreError> {
    let (n,): (i64,) = on_db!(db, p => sqlx::query_as(
        "SELECT COUNT(*) FROM attachments WHERE (sha256 = $1 OR thumbnail = $1) AND erased = $2 AND issue_id <> $3")
        .bind(digest).bind(false).bind(except_issue.unwrap_or("")).fetch_one(p).await?);
    Ok(n > 0)
}

/// Every digest (files and thumbnails) the rows of `issue_id` refer to.
pub async fn digests_of(db: &Db, issue_id: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String, Option<String>)> = on_db!(db, p => sqlx::query_as(
        "SELECT sha256, thumbnail FROM attachments WHERE issue_id = $1").bind(issue_id).fetch_all(p).await?);
    let mut out: Vec<String> = rows.into_iter().flat_map(|(s, t)| std::iter::once(s).chain(t)).collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Every row, in key order: what a rebuild must reproduce.
pub async fn dump(db: &Db) -> Result<Vec<AttachmentRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM attachments ORDER BY issue_id, sequence");
    Ok(on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await?))
}
