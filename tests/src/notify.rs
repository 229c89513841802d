//! Local receivers for the notification tests (issue #17 §5), started by the tests themselves on
//! loopback: a minimal SMTP sink that accepts every message, and a webhook receiver that checks each
//! body's HMAC-SHA256 signature with the channel's secret and can be told to fail.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// An SMTP server that takes every message and keeps its text (headers and body).
#[derive(Debug, Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let addr = listener.local_addr().expect("address");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, kept.clone()));
            }
        });
        SmtpSink { addr, messages }
    }

    /// `smtp://127.0.0.1:<port>` (no TLS).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn received(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}

/// One SMTP session: the replies a client needs, the message kept at the end of DATA.
async fn session(stream: tokio::net::TcpStream, messages: Arc<Mutex<Vec<String>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250 sink\r\n",
            "DATA" => {
                if write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await.is_err() {
                    return;
                }
                let mut text = String::new();
                while let Ok(Some(l)) = lines.next_line().await {
                    if l == "." {
                        break;
                    }
                    text.push_str(&l);
                    text.push('\n');
                }
                messages.lock().unwrap().push(text);
                b"250 queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"250 OK\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// One request the webhook receiver accepted: its idempotency key and JSON body.
#[derive(Debug, Clone)]
pub struct Hook {
    pub key: String,
    pub body: serde_json::Value,
}

/// An HTTP server taking webhook deliveries at `/hook`: a body whose signature does not check is
/// refused (401) and counted in `bad`; while `fail_with` is not 0 every delivery gets that status.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Hook>>>,
    pub bad: Arc<Mutex<usize>>,
    pub fail_with: Arc<AtomicU16>,
}

#[derive(Clone)]
struct Receiver {
    secret: String,
    received: Arc<Mutex<Vec<Hook>>>,
    bad: Arc<Mutex<usize>>,
    fail_with: Arc<AtomicU16>,
}

impl WebhookReceiver {
    pub async fn start(secret: &str) -> WebhookReceiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let bad = Arc::new(Mutex::new(0));
        let fail_with = Arc::new(AtomicU16::new(0));
        let state = Receiver {
            secret: secret.to_owned(),
            received: received.clone(),
            bad: bad.clone(),
            fail_with: fail_with.clone(),
        };
        let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the webhook receiver");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        WebhookReceiver { addr, received, bad, fail_with }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn hooks(&self) -> Vec<Hook> {
        self.received.lock().unwrap().clone()
    }

    /// Answer every delivery with `status` (0: accept them again).
    pub fn fail(&self, status: u16) {
        self.fail_with.store(status, Ordering::SeqCst);
    }
}

async fn hook(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut mac = Hmac::<Sha256>::new_from_slice(r.secret.as_bytes()).expect("any key length");
    mac.update(&body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    if header("x-santisuk-signature") != expected {
        *r.bad.lock().unwrap() += 1;
        return StatusCode::UNAUTHORIZED;
    }
    let status = r.fail_with.load(Ordering::SeqCst);
    if status != 0 {
        return StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    r.received.lock().unwrap().push(Hook { key: header("idempotency-key"), body });
    StatusCode::OK
}
