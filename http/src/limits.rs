//! What one client may cost us: where a request comes from (the TCP peer, or the header a trusted reverse
//! proxy sets), and per-client limits on the rate of requests (tower-governor) and on requests in flight,
//! answered 429 with `Retry-After` beyond them. A client is its bearer token when it sends one, its
//! address otherwise (web pages, sign-in, health checks).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderName;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use clap::Args;
use governor::clock::QuantaInstant;
use governor::middleware::NoOpMiddleware;
use santisuk_app::AppError;
use sha2::{Digest, Sha256};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use crate::error::ApiError;

/// The limits of `santisuk serve`. The defaults are far above what one of the 106 coordinators, or a
/// dashboard left open, ever sends (a page is a handful of requests), and low enough that one runaway
/// script cannot take the server for itself.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Header a reverse proxy in front of Santisuk sets to the client's address (`x-forwarded-for`,
    /// `x-real-ip`); its last value is used. Set it only when every request comes through that proxy: a
    /// client reaching Santisuk directly could otherwise claim any address. Unset: the TCP peer's address.
    #[arg(long, env = "SANTISUK_TRUSTED_PROXY_HEADER", global = true)]
    pub trusted_proxy_header: Option<String>,

    /// Requests per second one client (a token, or an address without one) may make on average.
    #[arg(long, env = "SANTISUK_CLIENT_RATE", default_value_t = 50, global = true)]
    pub client_rate: u32,

    /// Requests one client may make at once above its rate, before 429.
    #[arg(long, env = "SANTISUK_CLIENT_BURST", default_value_t = 200, global = true)]
    pub client_burst: u32,

    /// Requests of one client in flight at once; more are 429 at once.
    #[arg(long, env = "SANTISUK_CLIENT_CONCURRENCY", default_value_t = 16, global = true)]
    pub client_concurrency: usize,

    /// Seconds the oldest event not yet in the read model may wait before `/readyz` answers 503 (the
    /// projections are stalled: lists and dashboards no longer show what was recorded).
    #[arg(long, env = "SANTISUK_READY_MAX_LAG", default_value_t = 60, global = true)]
    pub ready_max_lag: u64,

    /// Commands this process holds at once, running or queued; more are shed with 503 at once.
    #[arg(long, env = "SANTISUK_MAX_PENDING_COMMANDS", default_value_t = santisuk_app::MAX_PENDING_COMMANDS, global = true)]
    pub max_pending_commands: usize,
}

impl Limits {
    /// Limits no test or benchmark client meets (the middleware still runs): for load that is the point,
    /// not abuse.
    pub fn relaxed() -> Limits {
        Limits {
            trusted_proxy_header: None,
            client_rate: 1_000_000,
            client_burst: 1_000_000,
            client_concurrency: 100_000,
            ready_max_lag: 60,
            max_pending_commands: santisuk_app::MAX_PENDING_COMMANDS,
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            trusted_proxy_header: None,
            client_rate: 50,
            client_burst: 200,
            client_concurrency: 16,
            ready_max_lag: 60,
            max_pending_commands: santisuk_app::MAX_PENDING_COMMANDS,
        }
    }
}

/// Where a request came from, as the access log and the sign-in throttle record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    /// The address [`client_addr`] put on the request; empty if it did not run (a router without it).
    pub fn of(extensions: &axum::http::Extensions) -> String {
        extensions.get::<ClientAddr>().map(|c| c.0.clone()).unwrap_or_default()
    }
}

/// The per-process state of the limits: built once by [`crate::app_with`].
#[derive(Debug, Clone)]
pub struct Limiter {
    trusted: Option<HeaderName>,
    concurrency: usize,
    in_flight: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl Limiter {
    pub fn new(limits: &Limits) -> Result<Limiter, String> {
        let trusted = match limits.trusted_proxy_header.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
            Some(h) => Some(
                HeaderName::try_from(h.to_ascii_lowercase())
                    .map_err(|_| format!("SANTISUK_TRUSTED_PROXY_HEADER {h:?} is not a header name"))?,
            ),
            None => None,
        };
        if limits.client_rate == 0 || limits.client_burst == 0 || limits.client_concurrency == 0 {
            return Err("the client rate, burst and concurrency must be at least 1".into());
        }
        Ok(Limiter { trusted, concurrency: limits.client_concurrency, in_flight: Arc::default() })
    }

    /// The client's address: the trusted proxy's header when one is configured and present (its last
    /// value: the address that proxy saw), else the TCP peer's.
    fn address(&self, req: &Request) -> String {
        let from_proxy =
            self.trusted.as_ref().and_then(|h| req.headers().get(h)).and_then(|v| v.to_str().ok()).and_then(|v| {
                v.rsplit(',').map(str::trim).find(|a| !a.is_empty()).map(|a| a.chars().take(64).collect::<String>())
            });
        from_proxy
            .or_else(|| req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()))
            .unwrap_or_else(|| "unknown".to_owned())
    }

    /// Takes one of the client's slots for requests in flight, or says it has none left.
    fn enter(&self, key: &str) -> Option<OwnedSemaphorePermit> {
        let mut map = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= 10_000 {
            // Forget the clients with nothing in flight (their semaphore is only referenced here).
            map.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < self.concurrency);
        }
        let semaphore = map.entry(key.to_owned()).or_insert_with(|| Arc::new(Semaphore::new(self.concurrency))).clone();
        drop(map);
        semaphore.try_acquire_owned().ok()
    }
}

/// The key one client is limited under: its bearer token (hashed: the limiter's memory holds no token),
/// or its address.
fn client_key<T>(req: &axum::http::Request<T>) -> String {
    match crate::auth::bearer_token(req.headers()) {
        Some(t) => format!("token:{}", hex::encode(&Sha256::digest(t.as_bytes())[..16])),
        None => format!("addr:{}", req.extensions().get::<ClientAddr>().map(|c| c.0.as_str()).unwrap_or("unknown")),
    }
}

/// Middleware: records the client's address on the request, then holds one of the client's slots for
/// requests in flight while the request runs (429 when it has none left).
pub async fn client_limits(State(limiter): State<Limiter>, mut req: Request, next: Next) -> Response {
    let address = limiter.address(&req);
    req.extensions_mut().insert(ClientAddr(address));
    let key = client_key(&req);
    let Some(_permit) = limiter.enter(&key) else {
        return too_many(1, "too many requests of this client at once; wait for one to finish");
    };
    next.run(req).await
}

fn too_many(retry_after: u64, message: &str) -> Response {
    ApiError(AppError::TooManyRequests { message: message.into(), retry_after }).into_response()
}

/// [`client_key`] for tower-governor.
#[derive(Debug, Clone, Copy)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = String;

    fn extract<T>(&self, req: &axum::http::Request<T>) -> Result<String, GovernorError> {
        Ok(client_key(req))
    }
}

/// The rate limit: one token bucket per client key, refilled at [`Limits::client_rate`] per second up to
/// [`Limits::client_burst`]. Buckets of clients that went quiet are forgotten every minute.
pub type RateLayer = GovernorLayer<ClientKey, NoOpMiddleware<QuantaInstant>, axum::body::Body>;

pub fn rate_layer(limits: &Limits) -> RateLayer {
    let period = Duration::from_nanos(1_000_000_000 / u64::from(limits.client_rate.max(1)));
    let config = Arc::new(
        GovernorConfigBuilder::default()
            .key_extractor(ClientKey)
            .period(period)
            .burst_size(limits.client_burst.max(1))
            .finish()
            .expect("a non-zero period and burst"),
    );
    let forget = Arc::downgrade(&config);
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let Some(config) = forget.upgrade() else { break };
                config.limiter().retain_recent();
            }
        });
    }
    GovernorLayer::new(config).error_handler(rate_refused)
}

/// The answer to a request over the rate: the shared JSON error, 429, `Retry-After`.
fn rate_refused(error: GovernorError) -> Response {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => {
            too_many(wait_time, "too many requests from this client; slow down")
        }
        other => ApiError(AppError::Internal(format!("rate limiter: {other}"))).into_response(),
    }
}
