//! Notifications (issue #17 §5): the outbox projection and the tables around it.
//!
//! [`Notifications`] is a projection with a checkpoint of its own: for each assignment and escalation it
//! writes one outbox row per channel that follows the problem's area, in the same transaction as its
//! checkpoint, so every event is turned into deliveries exactly once, whatever restarts between. Each row is
//! keyed by its idempotency key (`<kind>:<event position>:<channel>`); time-based rows (due tomorrow, the
//! daily digest) are inserted with keys of the day, so they too exist once. The deliverer
//! (`santisuk_app::notifications`) claims due rows, sends them and records each attempt here.
//!
//! Channels are configuration, not business facts: a table like the sign-in sessions, not events. The
//! projection gives a channel only events recorded after it was added (a new channel is not flooded with
//! the past), and a rebuild empties nothing: the outbox remembers what was sent.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use santisuk_store::db::{Db, DbTx};
use santisuk_store::error::StoreError;
use santisuk_store::events::{StoredEvent, fmt_ts};
use santisuk_store::{on_db, on_tx};
use serde::Serialize;

use crate::read_model::IssueRow;
use crate::runner::Projection;

/// One channel: where notifications go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = NotificationChannelView)]
pub struct ChannelRow {
    pub id: String,
    /// `email` or `webhook`.
    pub kind: String,
    /// The e-mail address or the webhook URL.
    pub target: String,
    /// The webhook's HMAC-SHA256 key; never shown.
    #[serde(skip)]
    #[schema(ignore)]
    pub secret: Option<String>,
    /// The user whose areas the channel follows (their problems only); `null`: every area.
    pub user_id: Option<String>,
    /// An agency's channel (issue #17 §1): it follows only the problems referred to that agency.
    pub agency_id: Option<String>,
    pub created_at: String,
}

/// One delivery: what is sent to one channel, and how its attempts went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = NotificationDeliveryView)]
pub struct OutboxRow {
    /// The idempotency key: sent with the delivery (`Idempotency-Key` header and `id` in a webhook's body).
    pub key: String,
    pub channel_id: String,
    /// `assigned`, `escalated`, `due_tomorrow` or `digest`.
    pub kind: String,
    /// Case numbers only: never personal data or the complaint's text.
    pub reference: String,
    /// The page to open (a path; the deliverer prefixes the server's public URL).
    pub link: String,
    /// `pending` (to be sent, or retrying after a failure), `sent`, or `failed` (gave up; retry by hand).
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

const OUTBOX_COLUMNS: &str =
    "key, channel_id, kind, reference, link, state, attempts, next_attempt_at, last_error, created_at, sent_at";

const OUTBOX_INSERT: &str = "INSERT INTO notification_outbox (key, channel_id, kind, reference, link, state, attempts, \
     next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) ON CONFLICT (key) DO NOTHING";

/// The outbox projection (see the module's comment).
#[derive(Debug, Clone, Copy, Default)]
pub struct Notifications;

impl Projection for Notifications {
    const NAME: &'static str = "notifications";

    /// A rebuild empties nothing: the outbox is the record of what was sent, and its keys make a replay
    /// insert nothing twice.
    const TABLES: &'static [&'static str] = &[];

    /// Reads what the batch needs once, not per event: the channels (none is the common case, and then
    /// nothing else is read) and the rows of the batch's assigned or escalated problems. These were four
    /// single-row reads per assignment, the largest share of a command's statements after its append
    /// (docs/benchmarks.md). Each event still sees only the channels added by the time it was recorded,
    /// and each problem's row as it is now (its case number and agency), as before.
    async fn apply(&self, tx: &mut DbTx, events: &[StoredEvent]) -> Result<(), StoreError> {
        let notified: Vec<(&StoredEvent, &str)> = events
            .iter()
            .filter_map(|event| match (event.aggregate_type.as_str(), event.event_type.as_str()) {
                ("Issue", "IssueAssigned") => Some((event, "assigned")),
                ("Issue", "IssueEscalated") => Some((event, "escalated")),
                _ => None,
            })
            .collect();
        let Some(latest) = notified.iter().map(|(e, _)| e.recorded_at).max() else { return Ok(()) };
        let channels = channels_added_by(tx, &fmt_ts(latest)).await?;
        if channels.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<&str> = notified.iter().map(|(e, _)| e.aggregate_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let rows: HashMap<String, IssueRow> =
            crate::read_model::issues_in(tx, &ids).await?.into_iter().map(|r| (r.id.clone(), r)).collect();
        for (event, kind) in notified {
            let Some(issue) = rows.get(&event.aggregate_id) else { continue };
            let reference = issue.case_number.clone().unwrap_or_else(|| event.aggregate_id.clone());
            let link = format!("/issues/{reference}");
            let recorded = fmt_ts(event.recorded_at);
            let following = channels
                .iter()
                .filter(|c| c.created_at <= recorded && c.scope.follows(&issue.area_id, issue.agency_id.as_deref()));
            for channel in following {
                let key = format!("{kind}:{}:{}", event.position, channel.id);
                on_tx!(tx, t => sqlx::query(OUTBOX_INSERT).bind(&key).bind(&channel.id).bind(kind).bind(&reference)
                    .bind(&link).bind(&recorded).execute(&mut **t).await.map(|_| ())?);
            }
        }
        Ok(())
    }

    async fn reset(&self, _tx: &mut DbTx) -> Result<(), StoreError> {
        Ok(())
    }
}

/// A channel as the projection reads it: what it follows, and since when.
#[derive(Debug)]
struct Following {
    id: String,
    scope: Scope,
    created_at: String,
}

/// The channels added by `recorded`, each with what it follows: an agency's channel follows its agency's
/// problems only; the others, those of no user and those of a user whose areas hold it (an admin's,
/// staff's or auditor's channel follows every area). A channel of a deactivated user follows nothing.
async fn channels_added_by(tx: &mut DbTx, recorded: &str) -> Result<Vec<Following>, StoreError> {
    let rows: Vec<FollowingColumns> = on_tx!(tx, t => sqlx::query_as(
        "SELECT c.id, u.role, u.areas, c.agency_id, c.created_at FROM notification_channels c \
         LEFT JOIN users u ON u.id = c.user_id WHERE c.created_at <= $1 AND (c.user_id IS NULL OR u.active) ORDER BY c.id")
        .bind(recorded).fetch_all(&mut **t).await?);
    Ok(rows
        .into_iter()
        .map(|(id, role, areas, of, created_at)| Following { id, scope: scope(role.as_deref(), areas, of), created_at })
        .collect())
}

/// [`ScopeColumns`] and when the channel was added, as the projection reads them.
type FollowingColumns = (String, Option<String>, Option<String>, Option<String>, String);

/// A channel's id, its user's role and areas, and its agency, as read for its [`Scope`].
type ScopeColumns = (String, Option<String>, Option<String>, Option<String>);

/// What a channel follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every problem.
    All,
    /// The problems of these areas (a coordinator's).
    Areas(Vec<String>),
    /// The problems referred to this agency.
    Agency(String),
}

impl Scope {
    pub fn follows(&self, area: &str, agency: Option<&str>) -> bool {
        match self {
            Scope::All => true,
            Scope::Areas(areas) => areas.iter().any(|a| a == area),
            Scope::Agency(of) => agency == Some(of.as_str()),
        }
    }
}

fn scope(role: Option<&str>, areas: Option<String>, agency: Option<String>) -> Scope {
    match (agency, role, areas) {
        (Some(agency), _, _) => Scope::Agency(agency),
        (None, Some("coordinator"), Some(areas)) => Scope::Areas(areas.split(',').map(str::to_owned).collect()),
        _ => Scope::All,
    }
}

/// Every channel's scope: its id and the areas it follows (`None`: every area), as [`channels_added_by`]
/// decides, read once for a pass over many problems.
pub async fn channel_scopes(db: &Db) -> Result<Vec<(String, Scope)>, StoreError> {
    let rows: Vec<ScopeColumns> = on_db!(db, p => sqlx::query_as(
        "SELECT c.id, u.role, u.areas, c.agency_id FROM notification_channels c LEFT JOIN users u ON u.id = c.user_id \
         WHERE c.user_id IS NULL OR u.active ORDER BY c.id")
        .fetch_all(p).await?);
    Ok(rows.into_iter().map(|(id, role, areas, of)| (id, scope(role.as_deref(), areas, of))).collect())
}

pub async fn list_channels(db: &Db) -> Result<Vec<ChannelRow>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT id, kind, target, secret, user_id, agency_id, created_at FROM notification_channels ORDER BY created_at, id")
        .fetch_all(p).await?))
}

pub async fn get_channel(db: &Db, id: &str) -> Result<Option<ChannelRow>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT id, kind, target, secret, user_id, agency_id, created_at FROM notification_channels WHERE id = $1")
        .bind(id).fetch_optional(p).await?))
}

pub async fn add_channel(db: &Db, row: &ChannelRow) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "INSERT INTO notification_channels (id, kind, target, secret, user_id, agency_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&row.id).bind(&row.kind).bind(&row.target).bind(&row.secret).bind(&row.user_id).bind(&row.agency_id)
        .bind(&row.created_at)
        .execute(p).await.map(|_| ())?);
    Ok(())
}

/// Removes a channel and its deliveries not yet sent; whether it existed.
pub async fn remove_channel(db: &Db, id: &str) -> Result<bool, StoreError> {
    let removed = on_db!(db, p => sqlx::query("DELETE FROM notification_channels WHERE id = $1")
        .bind(id).execute(p).await?.rows_affected());
    on_db!(db, p => sqlx::query("DELETE FROM notification_outbox WHERE channel_id = $1 AND state <> 'sent'")
        .bind(id).execute(p).await.map(|_| ())?);
    Ok(removed > 0)
}

/// Inserts a time-based delivery once per key; whether it was new.
pub async fn insert_once(
    db: &Db,
    key: &str,
    channel: &str,
    kind: &str,
    reference: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = on_db!(db, p => sqlx::query(OUTBOX_INSERT).bind(key).bind(channel).bind(kind).bind(reference)
        .bind(link).bind(fmt_ts(now)).execute(p).await?.rows_affected());
    Ok(inserted > 0)
}

/// Claims up to `limit` deliveries due at `now` for this deliverer until `lease_until`: a row is claimed
/// by moving its next attempt, only if nobody moved it first, so two instances never send one row at once.
pub async fn claim_due(
    db: &Db,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM notification_outbox WHERE state = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, key LIMIT {}",
        limit.max(0)
    );
    let due: Vec<OutboxRow> = on_db!(db, p => sqlx::query_as(&sql).bind(fmt_ts(now)).fetch_all(p).await?);
    let mut claimed = Vec::with_capacity(due.len());
    for row in due {
        let moved = on_db!(db, p => sqlx::query(
            "UPDATE notification_outbox SET next_attempt_at = $1 WHERE key = $2 AND state = 'pending' \
             AND next_attempt_at = $3")
            .bind(fmt_ts(lease_until)).bind(&row.key).bind(&row.next_attempt_at).execute(p).await?.rows_affected());
        if moved == 1 {
            claimed.push(row);
        }
    }
    Ok(claimed)
}

pub async fn mark_sent(db: &Db, key: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
    on_db!(db, p => sqlx::query(
        "UPDATE notification_outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL \
         WHERE key = $2")
        .bind(fmt_ts(at)).bind(key).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up (`None`: state `failed`).
pub async fn mark_failed(db: &Db, key: &str, error: &str, retry_at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
    let (state, next) = match retry_at {
        Some(at) => ("pending", Some(fmt_ts(at))),
        None => ("failed", None),
    };
    on_db!(db, p => sqlx::query(
        "UPDATE notification_outbox SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at), \
         attempts = attempts + 1, last_error = $3 WHERE key = $4")
        .bind(state).bind(next).bind(error).bind(key).execute(p).await.map(|_| ())?);
    Ok(())
}

/// Deliveries by state: `failed` (given up), `retrying` (pending after a failed attempt), `pending`,
/// `sent`, or `None` for all; newest first.
pub async fn list_deliveries(db: &Db, state: Option<&str>, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
    let filter = match state {
        Some("retrying") => "WHERE state = 'pending' AND last_error IS NOT NULL",
        Some("failed") => "WHERE state = 'failed'",
        Some("pending") => "WHERE state = 'pending'",
        Some("sent") => "WHERE state = 'sent'",
        _ => "",
    };
    let sql = format!(
        "SELECT {OUTBOX_COLUMNS} FROM notification_outbox {filter} ORDER BY created_at DESC, key LIMIT {}",
        limit.max(0)
    );
    Ok(on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await?))
}

pub async fn get_delivery(db: &Db, key: &str) -> Result<Option<OutboxRow>, StoreError> {
    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM notification_outbox WHERE key = $1");
    Ok(on_db!(db, p => sqlx::query_as(&sql).bind(key).fetch_optional(p).await?))
}

/// Puts a delivery not yet sent back in the queue, due at once with its attempts counted afresh; whether
/// there was one to retry.
pub async fn retry(db: &Db, key: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let moved = on_db!(db, p => sqlx::query(
        "UPDATE notification_outbox SET state = 'pending', attempts = 0, next_attempt_at = $1 \
         WHERE key = $2 AND state <> 'sent'")
        .bind(fmt_ts(now)).bind(key).execute(p).await?.rows_affected());
    Ok(moved > 0)
}
