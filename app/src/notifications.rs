//! Notifications (issue #17 §5): channels (admin), the deliverer and the daily notifications.
//!
//! What needs someone becomes a delivery in the outbox: assignments and escalations through the
//! notifications projection (`santisuk_projections::notifications`, its own checkpoint), a due date tomorrow
//! and the daily digest of overdue problems through [`create_daily`], once per key. The deliverer
//! ([`deliver_due`]) claims due rows, sends each by e-mail (SMTP via `lettre`; nothing is sent while no
//! SMTP server is configured) or by webhook (JSON signed with HMAC-SHA256), and records the attempt: a
//! failure is retried with back-off, and after [`MAX_ATTEMPTS`] it waits for an admin's retry. A delivery
//! carries its idempotency key, so a receiver that sees a key twice (the deliverer stopped between sending
//! and recording) can drop the second; nothing else is ever sent twice, and nothing pending is lost across
//! restarts: the rows are in the database.
//!
//! Bodies carry no personal data and no complaint text: the kind, the case number(s) and a link.

use std::net::{IpAddr, SocketAddr};
use std::sync::RwLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use santisuk_domain::time::bangkok_date;
use santisuk_projections::notifications as outbox;
pub use santisuk_projections::notifications::{ChannelRow, OutboxRow};
use santisuk_projections::read_model::{self, IssueFilter};
use serde::Deserialize;
use sha2::Sha256;
use utoipa::ToSchema;

use crate::AppState;
use crate::caller::{Caller, Role};
use crate::error::AppError;

/// Attempts before a delivery waits for an admin's retry.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long a claimed delivery is this deliverer's before another may try it (a deliverer that died
/// mid-send leaves it to the next after this).
const LEASE: chrono::Duration = chrono::Duration::minutes(2);

/// How often the deliverer looks for due deliveries and for the day's notifications.
pub const DELIVER_EVERY: Duration = Duration::from_secs(5);

/// The header carrying a webhook body's signature: `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "X-Santisuk-Signature";

/// Where notifications are sent from and what their links point at (the server's configuration).
#[derive(Clone, Default)]
pub struct NotifyConfig {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required` or `smtps://…`; `None`: no e-mail.
    pub smtp_url: Option<String>,
    /// The From of e-mails.
    pub mail_from: String,
    /// The server's address as people open it (links: `<public_url>/issues/PTN-2569-00001`).
    pub public_url: String,
    /// The addresses the server listens on: a webhook may not point at them.
    pub listen: Vec<SocketAddr>,
}

// The SMTP URL may carry a password: never print it.
impl std::fmt::Debug for NotifyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifyConfig")
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("listen", &self.listen)
            .finish()
    }
}

/// The notification settings an [`AppState`] holds (set once at start, read by the deliverer).
#[derive(Debug, Default)]
pub struct Notifier {
    config: RwLock<NotifyConfig>,
    /// Whether the background deliverer runs its passes: from [`Notifier::configure`] on (the server
    /// configures it at start; an app that never does, a test's, sends nothing by itself).
    on: std::sync::atomic::AtomicBool,
}

impl Notifier {
    pub fn new() -> Notifier {
        Notifier { config: RwLock::default(), on: std::sync::atomic::AtomicBool::new(false) }
    }

    /// Sets where notifications go from and switches the background deliverer on.
    pub fn configure(&self, config: NotifyConfig) {
        *self.config.write().unwrap_or_else(std::sync::PoisonError::into_inner) = config;
        self.set_running(true);
    }

    pub fn config(&self) -> NotifyConfig {
        self.config.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    pub fn set_running(&self, on: bool) {
        self.on.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    fn running(&self) -> bool {
        self.on.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A new channel.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationChannelRequest {
    /// `email` or `webhook`.
    #[schema(pattern = "^(email|webhook)$")]
    pub kind: String,
    /// An e-mail address, or an `http`/`https` URL that is not this server itself.
    pub target: String,
    /// A webhook's signing key (16–200 characters); refused for e-mail.
    pub secret: Option<String>,
    /// Follow this user's areas only (a coordinator's); absent: every area.
    pub user_id: Option<String>,
    /// An agency's channel: only the problems referred to this agency (its assignments, escalations and
    /// digest); not with `user_id`.
    pub agency_id: Option<String>,
}

fn require_admin(caller: &Caller) -> Result<(), AppError> {
    caller.require(&[Role::Admin], "manage notifications")
}

/// Adds a channel (administrators). Refused with nothing written: an unknown kind (`bad_channel_kind`), an
/// e-mail address that is not one (`bad_email`) or e-mail while no SMTP server is configured
/// (`smtp_not_configured`), a webhook URL that is not http(s) (`bad_webhook_url`) or points at this server
/// (`webhook_points_at_self`), a webhook without a secret of 16–200 characters (`bad_secret`), an unknown
/// user (`user_not_found`).
pub async fn add_channel(
    state: &AppState,
    caller: &Caller,
    req: NotificationChannelRequest,
) -> Result<ChannelRow, AppError> {
    require_admin(caller)?;
    let config = state.notifier.config();
    let target = req.target.trim().to_owned();
    let secret = req.secret.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    match req.kind.as_str() {
        "email" => {
            target
                .parse::<lettre::Address>()
                .map_err(|_| AppError::invalid("bad_email", "the target is not an e-mail address"))?;
            if config.smtp_url.is_none() {
                return Err(AppError::invalid(
                    "smtp_not_configured",
                    "no SMTP server is configured (SANTISUK_SMTP_URL): e-mail cannot be sent",
                ));
            }
            if secret.is_some() {
                return Err(AppError::invalid("bad_secret", "an e-mail channel takes no secret"));
            }
        }
        "webhook" => {
            check_webhook_url(&target, &config.listen)?;
            if secret.as_ref().is_none_or(|s| !(16..=200).contains(&s.chars().count())) {
                return Err(AppError::invalid("bad_secret", "a webhook needs a secret of 16–200 characters"));
            }
        }
        _ => return Err(AppError::invalid("bad_channel_kind", "kind is email or webhook")),
    }
    if let Some(user) = &req.user_id {
        if santisuk_projections::users::get_user(&state.db, user).await?.is_none() {
            return Err(AppError::invalid("user_not_found", "no such user"));
        }
    }
    if let Some(agency) = &req.agency_id {
        if req.user_id.is_some() {
            return Err(AppError::invalid(
                "bad_channel_scope",
                "a channel follows a user's areas or an agency, not both",
            ));
        }
        if santisuk_projections::agencies::get_agency(&state.db, agency).await?.is_none() {
            return Err(AppError::invalid("unknown_agency", "no such agency"));
        }
    }
    let row = ChannelRow {
        id: uuid::Uuid::new_v4().to_string(),
        kind: req.kind,
        target,
        secret,
        user_id: req.user_id,
        agency_id: req.agency_id,
        created_at: santisuk_store::events::fmt_ts(crate::now()),
    };
    outbox::add_channel(&state.db, &row).await?;
    Ok(row)
}

/// Refuses a webhook URL that is not `http`/`https` with a host, or that points at this server: one of
/// its listen addresses, or a loopback or unspecified address (`localhost`, `127.0.0.1`, `[::1]`,
/// `0.0.0.0`) on one of its ports.
pub fn check_webhook_url(raw: &str, listen: &[SocketAddr]) -> Result<reqwest::Url, AppError> {
    let bad = || AppError::invalid("bad_webhook_url", "a webhook URL is http:// or https:// with a host");
    let url = reqwest::Url::parse(raw).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    let port = url.port_or_known_default().ok_or_else(bad)?;
    let ip: Option<IpAddr> = match url.host() {
        Some(url::Host::Ipv4(a)) => Some(a.into()),
        Some(url::Host::Ipv6(a)) => Some(a.into()),
        Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost") => {
            Some(IpAddr::from([127, 0, 0, 1]))
        }
        _ => None,
    };
    let own = ip.is_some_and(|ip| {
        listen.iter().any(|l| {
            l.port() == port && (l.ip() == ip || ip.is_loopback() || ip.is_unspecified() || l.ip().is_unspecified())
        })
    });
    if own {
        return Err(AppError::invalid("webhook_points_at_self", "a webhook may not point at this server itself"));
    }
    Ok(url)
}

pub async fn list_channels(state: &AppState, caller: &Caller) -> Result<Vec<ChannelRow>, AppError> {
    require_admin(caller)?;
    Ok(outbox::list_channels(&state.db).await?)
}

/// Removes a channel and its deliveries not yet sent.
pub async fn remove_channel(state: &AppState, caller: &Caller, id: &str) -> Result<(), AppError> {
    require_admin(caller)?;
    if !outbox::remove_channel(&state.db, id).await? {
        return Err(AppError::not_found("channel_not_found", "no such channel"));
    }
    Ok(())
}

/// Deliveries by state (`failed`, `retrying`, `pending`, `sent`; absent: all), newest first.
pub async fn list_deliveries(
    state: &AppState,
    caller: &Caller,
    filter: Option<&str>,
) -> Result<Vec<OutboxRow>, AppError> {
    require_admin(caller)?;
    // `state=` (empty), as a form with nothing chosen sends it, is no filter.
    let filter = filter.map(str::trim).filter(|f| !f.is_empty());
    if filter.is_some_and(|f| !matches!(f, "failed" | "retrying" | "pending" | "sent")) {
        return Err(AppError::invalid("bad_state", "state is failed, retrying, pending or sent"));
    }
    Ok(outbox::list_deliveries(&state.db, filter, 500).await?)
}

/// Sends a delivery not yet sent again at once (its attempts counted afresh).
pub async fn retry(state: &AppState, caller: &Caller, key: &str) -> Result<OutboxRow, AppError> {
    require_admin(caller)?;
    let not_found = || AppError::not_found("delivery_not_found", "no such delivery");
    let row = outbox::get_delivery(&state.db, key).await?.ok_or_else(not_found)?;
    if row.state == "sent" {
        return Err(AppError::Conflict { code: "delivery_sent", message: "the delivery was sent already".into() });
    }
    outbox::retry(&state.db, key, crate::now()).await?;
    state.notify_wake.notify_one();
    outbox::get_delivery(&state.db, key).await?.ok_or_else(not_found)
}

/// The wait before attempt `attempts + 1`: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i64) -> chrono::Duration {
    let exp = attempts.clamp(0, 7) as u32;
    chrono::Duration::seconds(30 * 2i64.pow(exp)).min(chrono::Duration::hours(1))
}

/// What one pass of the deliverer did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

/// One pass of the deliverer at `now`: sends every due delivery it can claim.
pub async fn deliver_due(state: &AppState, now: DateTime<Utc>) -> Result<Delivered, AppError> {
    let config = state.notifier.config();
    let mut done = Delivered::default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AppError::Internal(format!("http client: {e}")))?;
    for row in outbox::claim_due(&state.db, now, now + LEASE, 100).await? {
        let result = match outbox::get_channel(&state.db, &row.channel_id).await? {
            None => Err("the channel was removed".to_owned()),
            Some(channel) => send(&client, &config, &channel, &row).await,
        };
        match result {
            Ok(()) => {
                outbox::mark_sent(&state.db, &row.key, crate::now()).await?;
                done.sent += 1;
            }
            Err(error) => {
                let retry_at = (row.attempts + 1 < MAX_ATTEMPTS).then(|| crate::now() + backoff(row.attempts));
                tracing::warn!(key = %row.key, attempts = row.attempts + 1, error = %error, "a notification was not delivered");
                outbox::mark_failed(&state.db, &row.key, &error, retry_at).await?;
                done.failed += 1;
            }
        }
    }
    Ok(done)
}

/// The JSON a webhook receives (and what an e-mail says, in words): no personal data, no complaint text.
pub fn body(config: &NotifyConfig, row: &OutboxRow) -> serde_json::Value {
    serde_json::json!({
        "id": row.key,
        "kind": row.kind,
        "reference": row.reference,
        "link": format!("{}{}", config.public_url.trim_end_matches('/'), row.link),
        "created_at": row.created_at,
    })
}

/// `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn send(
    client: &reqwest::Client,
    config: &NotifyConfig,
    channel: &ChannelRow,
    row: &OutboxRow,
) -> Result<(), String> {
    let body = body(config, row);
    match channel.kind.as_str() {
        "webhook" => {
            // Checked again at each send: the server may listen elsewhere since the channel was added.
            check_webhook_url(&channel.target, &config.listen).map_err(|_| "the URL is refused".to_owned())?;
            let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
            let signed = signature(channel.secret.as_deref().unwrap_or_default(), &bytes);
            let reply = client
                .post(&channel.target)
                .header("content-type", "application/json")
                .header("idempotency-key", &row.key)
                .header(SIGNATURE_HEADER, signed)
                .body(bytes)
                .send()
                .await
                .map_err(|e| format!("webhook: {e}"))?;
            if reply.status().is_success() { Ok(()) } else { Err(format!("webhook answered {}", reply.status())) }
        }
        "email" => {
            use lettre::AsyncTransport;
            let url = config.smtp_url.as_deref().ok_or("no SMTP server is configured (SANTISUK_SMTP_URL)")?;
            let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
                .map_err(|e| format!("SMTP URL: {e}"))?
                .timeout(Some(Duration::from_secs(20)))
                .build();
            let from = config.mail_from.parse::<lettre::message::Mailbox>().map_err(|e| format!("mail from: {e}"))?;
            let to = channel.target.parse::<lettre::message::Mailbox>().map_err(|e| format!("mail to: {e}"))?;
            let (th, en) = words(&row.kind);
            let link = body["link"].as_str().unwrap_or_default();
            let text = format!("{th}: {}\n{en}: {}\n\n{link}\n\nid: {}\n", row.reference, row.reference, row.key);
            let digest = hex::encode(<Sha256 as sha2::Digest>::digest(row.key.as_bytes()));
            let message = lettre::Message::builder()
                .from(from)
                .to(to)
                .subject(format!("[Santisuk] {th} / {en}: {}", short(&row.reference)))
                .message_id(Some(format!("<{digest}@santisuk>")))
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(text)
                .map_err(|e| format!("message: {e}"))?;
            transport.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
        }
        other => Err(format!("unknown channel kind {other}")),
    }
}

/// A subject line's reference: the first case numbers of a digest.
fn short(reference: &str) -> String {
    reference.chars().take(60).collect()
}

/// A notification's kind in Thai and English.
pub fn words(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "assigned" => ("มีเรื่องมอบหมายใหม่", "New assignment"),
        "escalated" => ("เรื่องถูกยกระดับ", "Problem escalated"),
        "due_tomorrow" => ("ครบกำหนดพรุ่งนี้", "Due tomorrow"),
        "digest" => ("สรุปเรื่องที่เกินกำหนด", "Overdue problems"),
        _ => ("การแจ้งเตือน", "Notification"),
    }
}

/// The day's time-based deliveries, each once per key: a due date tomorrow (per problem and channel) and
/// the digest of overdue problems (per channel and day: a coordinator's channel lists their areas'
/// problems, an agency's channel the problems referred to the agency, a channel of neither every area's).
/// Returns how many were new.
pub async fn create_daily(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    let scopes = outbox::channel_scopes(&state.db).await?;
    if scopes.is_empty() {
        return Ok(0);
    }
    let today = bangkok_date(now);
    let tomorrow = today.succ_opt().unwrap_or(today).to_string();
    let levels = crate::escalation::service_levels(state).await?;
    let open = IssueFilter { open: true, ..IssueFilter::default() };
    let (rows, _) = read_model::list_issues(&state.db, &open, 100_000, None).await?;
    let mut new = 0;
    // Per channel, the overdue problems it follows (case numbers), for its digest.
    let mut overdue: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for row in rows.iter().filter(|r| r.kind == santisuk_domain::values::IssueKind::Community) {
        let reference = row.case_number.clone().unwrap_or_else(|| row.id.clone());
        let followers: Vec<String> = scopes
            .iter()
            .filter(|(_, scope)| scope.follows(&row.area_id, row.agency_id.as_deref()))
            .map(|(id, _)| id.clone())
            .collect();
        if row.due_on.as_deref() == Some(tomorrow.as_str()) {
            for channel in &followers {
                let key = format!("due_tomorrow:{}:{tomorrow}:{channel}", row.id);
                let link = format!("/issues/{reference}");
                new += usize::from(
                    outbox::insert_once(&state.db, &key, channel, "due_tomorrow", &reference, &link, now).await?,
                );
            }
        }
        let level = levels.get(&row.category).copied().unwrap_or_default();
        let late =
            row.overdue(&level, now).is_some() || row.due_on.as_deref().is_some_and(|d| d < today.to_string().as_str());
        if late {
            for channel in followers {
                overdue.entry(channel).or_default().push(reference.clone());
            }
        }
    }
    for (channel, mut references) in overdue {
        references.sort();
        let count = references.len();
        references.truncate(20);
        let more = if count > 20 { format!(" (+{})", count - 20) } else { String::new() };
        let reference = format!("{count}: {}{more}", references.join(", "));
        let key = format!("digest:{today}:{channel}");
        new += usize::from(outbox::insert_once(&state.db, &key, &channel, "digest", &reference, "/issues", now).await?);
    }
    Ok(new)
}

/// Runs the deliverer until `shutdown`: the day's notifications, then every due delivery, now and every
/// [`DELIVER_EVERY`] (sooner when a retry wakes it).
pub async fn run_deliverer(state: AppState, shutdown: impl std::future::Future<Output = ()> + Send) {
    tokio::pin!(shutdown);
    // The day's notifications read every open problem: once a minute is often enough for keys of the day.
    let mut daily: Option<std::time::Instant> = None;
    loop {
        if state.notifier.running() {
            let now = crate::now();
            if daily.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                daily = Some(std::time::Instant::now());
                if let Err(e) = create_daily(&state, now).await {
                    tracing::warn!(error = ?e, "the day's notifications could not be created; the next pass tries again");
                }
            }
            if let Err(e) = deliver_due(&state, now).await {
                tracing::warn!(error = ?e, "a deliverer pass failed; the next one tries again");
            }
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = state.notify_wake.notified() => {}
            _ = tokio::time::sleep(DELIVER_EVERY) => {}
        }
    }
}
