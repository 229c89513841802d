//! The system under test and the client that drives it: `app()` served on 127.0.0.1:0 from its own tokio
//! runtime (as if it were another process), the real `santisuk` binary as a child process, and an HTTP
//! client over real TCP.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::HeaderMap;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderName, SET_COOKIE};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use santisuk_app::users::{create_user, store_password};
use santisuk_http::state::AppState;
use santisuk_projections::users::Role;
use santisuk_store::Db;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::watch;

/// How many target areas the benchmark registers (issues are spread over them).
pub const AREAS: usize = 20;

/// The app on its own runtime: the client's tasks and the server's never share a worker queue, as with
/// two processes; both still share the machine's cores, as in any single-box test.
#[derive(Debug)]
pub struct Server {
    runtime: Option<tokio::runtime::Runtime>,
    pub addr: SocketAddr,
    pub state: AppState,
    pub admin: String,
    pub staff: String,
    stop: watch::Sender<bool>,
}

/// Opens a database on the server runtime (pools must live on the runtime that uses them).
pub fn server_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    // Named so that a profile tells the server's threads from the clients' (`perf report --comm santisuk-server`).
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("santisuk-server")
        .enable_all()
        .build()?)
}

/// Runs `fut` on `rt` and waits for it from the caller's runtime.
pub async fn on<T: Send + 'static>(
    rt: &tokio::runtime::Runtime,
    fut: impl Future<Output = anyhow::Result<T>> + Send + 'static,
) -> anyhow::Result<T> {
    rt.spawn(fut).await?
}

impl Server {
    /// Prepares the database (migrate, seed, catch up), starts the projections, serves `app()`, and makes
    /// an admin and a staff user (with tokens) and the benchmark's areas if they are missing.
    pub async fn start(runtime: tokio::runtime::Runtime, open: OpenDb) -> anyhow::Result<Server> {
        let (stop, stopped) = watch::channel(false);
        let (state, addr) = on(&runtime, async move {
            let db = open.open().await?;
            let state = AppState::prepare(db).await.context("preparing the database")?;
            let until = |mut rx: watch::Receiver<bool>| async move {
                let _ = rx.wait_for(|s| *s).await;
            };
            state.spawn_service(until(stopped.clone()));
            // Served exactly as `santisuk serve` does it.
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let app =
                santisuk_http::app_with(state.clone(), &santisuk_http::limits::Limits::relaxed()).expect("limits");
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).with_graceful_shutdown(until(stopped)).await;
            });
            Ok((state, addr))
        })
        .await?;
        let s = state.clone();
        let (admin, staff) = on(&runtime, async move {
            let meta = HashMap::from([("actor".to_owned(), "bench".to_owned())]);
            let suffix = &uuid::Uuid::new_v4().simple().to_string()[..8];
            let (_, admin) = create_user(&s, &format!("bench-admin-{suffix}"), Role::Admin, &[], meta.clone())
                .await
                .map_err(|e| anyhow::anyhow!("creating the admin: {e:?}"))?;
            let (_, staff) = create_user(&s, &format!("bench-staff-{suffix}"), Role::Staff, &[], meta)
                .await
                .map_err(|e| anyhow::anyhow!("creating the staff user: {e:?}"))?;
            Ok((admin.expose().to_owned(), staff.expose().to_owned()))
        })
        .await?;
        let server = Server { runtime: Some(runtime), addr, state, admin, staff, stop };
        let http = server.client(&server.admin);
        let (_, known) = http.get("/api/areas").await?;
        let known = String::from_utf8_lossy(&known).into_owned();
        for n in 1..=AREAS {
            let id = area_id(n);
            if known.contains(&format!("\"{id}\"")) {
                continue;
            }
            let body = json!({"id": id, "name_th": format!("พื้นที่ทดสอบ {n}"), "amphoe_code": "9401"});
            http.post_ok("/api/areas", &body).await?;
        }
        Ok(server)
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A staff member signed in to the web app: made by the product's own functions (`create_user`,
    /// `store_password`), then signed in over HTTP as a browser would; returns a client carrying the session.
    pub async fn web_staff(&self) -> anyhow::Result<Http> {
        let s = self.state.clone();
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let (name, password) = (format!("bench-web-{}", &suffix[..8]), format!("bench-password-{suffix}"));
        let (n, p) = (name.clone(), password.clone());
        on(self.runtime(), async move {
            let meta = HashMap::from([("actor".to_owned(), "bench".to_owned())]);
            let (row, _) = create_user(&s, &n, Role::Staff, &[], meta.clone())
                .await
                .map_err(|e| anyhow::anyhow!("creating the web user: {e:?}"))?;
            store_password(&s, &row.id, p, meta).await.map_err(|e| anyhow::anyhow!("setting its password: {e:?}"))
        })
        .await?;
        let session = Http::web_sign_in(&self.base(), &name, &password).await?;
        Ok(Http::with_session(&self.base(), &session))
    }

    pub fn client(&self, token: &str) -> Http {
        Http::new(&self.base(), token)
    }

    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().expect("running")
    }

    /// Stops serving and projecting, and drops the runtime without blocking the caller's.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        tokio::time::sleep(Duration::from_millis(50)).await;
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Where a server's database is.
#[derive(Debug, Clone)]
pub enum OpenDb {
    Postgres(String),
    Sqlite(PathBuf),
    /// PostgreSQL without a master key: free text stored as typed. Only for P1's comparison of what sealing
    /// costs; the product never runs so (`santisuk serve` always has a key).
    PostgresUnsealed(String),
}

/// The master key of every database this run makes: the in-process servers and the real binary (P7, P12),
/// which serve the same bulk database in turn, must hold the same key (a database refuses any other). One per
/// process, made on first use: the harness is one run.
pub fn master_key() -> &'static santisuk_store::vault::MasterKey {
    static KEY: std::sync::OnceLock<santisuk_store::vault::MasterKey> = std::sync::OnceLock::new();
    KEY.get_or_init(santisuk_store::vault::MasterKey::generate)
}

impl OpenDb {
    /// The database as `santisuk serve` opens it: with the vault of the run's master key.
    pub async fn open(&self) -> anyhow::Result<Db> {
        let vault = || santisuk_store::vault::Vault::new(master_key().clone());
        Ok(match self {
            // 16: the `santisuk` binary's default pool size.
            OpenDb::Postgres(url) => Db::open_postgres(url, 16).await?.with_vault(vault()),
            OpenDb::Sqlite(dir) => Db::open_sqlite(dir).await?.with_vault(vault()),
            OpenDb::PostgresUnsealed(url) => Db::open_postgres(url, 16).await?,
        })
    }
}

/// The web app's cookies (`http/src/web/extract.rs`): the session, and the double-submit token of the
/// sign-in form.
const SESSION_COOKIE: &str = "santisuk_session";
const ANON_CSRF_COOKIE: &str = "santisuk_csrf";

/// Percent-encodes a form value (only letters, digits and `-_.~` pass as they are).
fn form_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn area_id(n: usize) -> String {
    format!("BENCH-{n}")
}

/// A JSON client with a bearer token (or a browser's session cookie), over keep-alive TCP connections (one
/// per concurrent request).
#[derive(Debug, Clone)]
pub struct Http {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    /// The header that says who is asking: `Authorization: Bearer …` or `Cookie: santisuk_session=…`.
    auth: (HeaderName, String),
}

impl Http {
    pub fn new(base: &str, token: &str) -> Http {
        Http::with_header(base, AUTHORIZATION, format!("Bearer {token}"))
    }

    /// A browser signed in to the web app: every request carries the session cookie.
    pub fn with_session(base: &str, session: &str) -> Http {
        Http::with_header(base, COOKIE, format!("{SESSION_COOKIE}={session}"))
    }

    fn with_header(base: &str, name: HeaderName, value: String) -> Http {
        let mut connector = HttpConnector::new();
        // The client must not add Nagle delays of its own to what is measured.
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).pool_max_idle_per_host(256).build(connector);
        Http { client, base: base.to_owned(), auth: (name, value) }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> anyhow::Result<(StatusCode, Bytes)> {
        let body = match body {
            Some(v) => Some(("application/json", Bytes::from(serde_json::to_vec(v)?))),
            None => None,
        };
        let (status, _, bytes) = self.request(method, path, body, true).await?;
        Ok((status, bytes))
    }

    /// One request; `body` is its content type and bytes; `auth`: whether to send who is asking.
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Bytes)>,
        auth: bool,
    ) -> anyhow::Result<(StatusCode, HeaderMap, Bytes)> {
        let mut req = Request::builder().method(method).uri(format!("{}{path}", self.base));
        if auth {
            req = req.header(self.auth.0.clone(), self.auth.1.as_str());
        }
        let body = match body {
            Some((content_type, bytes)) => {
                req = req.header(CONTENT_TYPE, content_type);
                Full::new(bytes)
            }
            None => Full::new(Bytes::new()),
        };
        let resp = self.client.request(req.body(body)?).await.with_context(|| format!("request to {path}"))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await?.to_bytes();
        Ok((status, headers, bytes))
    }

    /// Signs in to the web app as a browser does (`POST /login` with the form's double-submit token) and
    /// returns the session cookie's value.
    pub async fn web_sign_in(base: &str, name: &str, password: &str) -> anyhow::Result<String> {
        let csrf = "b".repeat(64);
        let form = format!("_csrf={csrf}&name={}&password={}&next=%2F", form_escape(name), form_escape(password));
        let http = Http::with_header(base, COOKIE, format!("{ANON_CSRF_COOKIE}={csrf}"));
        let (status, headers, body) = http
            .request(Method::POST, "/login", Some(("application/x-www-form-urlencoded", Bytes::from(form))), true)
            .await?;
        if status != StatusCode::SEE_OTHER {
            bail!("POST /login: {status}: {}", String::from_utf8_lossy(&body));
        }
        headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix(&format!("{SESSION_COOKIE}=")).map(|rest| rest.to_owned()))
            .and_then(|c| c.split(';').next().map(str::to_owned))
            .context("the sign-in set no session cookie")
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<(StatusCode, Bytes)> {
        self.send(Method::GET, path, None).await
    }

    /// A GET that must succeed; returns the body's length.
    pub async fn get_ok(&self, path: &str) -> anyhow::Result<usize> {
        let (status, body) = self.get(path).await?;
        if !status.is_success() {
            bail!("GET {path}: {status}: {}", String::from_utf8_lossy(&body));
        }
        Ok(body.len())
    }

    /// A POST that must succeed; returns the JSON reply.
    pub async fn post_ok(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let (status, reply) = self.send(Method::POST, path, Some(body)).await?;
        if !status.is_success() {
            bail!("POST {path}: {status}: {}", String::from_utf8_lossy(&reply));
        }
        Ok(serde_json::from_slice(&reply)?)
    }
}

/// The real `santisuk` binary, serving a database as a child process.
#[derive(Debug)]
pub struct Child {
    child: tokio::process::Child,
    pub base: String,
}

/// The `santisuk` binary beside this one, built first (in the same profile) if `--santisuk-bin` is not
/// given: `cargo run -p santisuk-bench` builds only this package.
pub fn santisuk_binary(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(p) = given {
        return Ok(p);
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.args(["build", "--quiet", "-p", "santisuk-http", "--bin", "santisuk"]);
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    let status = cmd.current_dir(env!("CARGO_MANIFEST_DIR")).status().context("running cargo build")?;
    if !status.success() {
        bail!("building the santisuk binary failed");
    }
    let dir = std::env::current_exe()?.parent().context("no folder")?.to_path_buf();
    let path = dir.join("santisuk");
    if !path.is_file() {
        bail!("{} was not built", path.display());
    }
    Ok(path)
}

impl Child {
    pub async fn start(binary: &std::path::Path, database_url: &str) -> anyhow::Result<Child> {
        let mut child = tokio::process::Command::new(binary)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("SANTISUK_MASTER_KEY", master_key().to_text().as_str())
            .env("SANTISUK_LOG", "warn")
            // The load is the point here, not abuse: the per-client limits are lifted (the middleware runs).
            .env("SANTISUK_CLIENT_RATE", "1000000")
            .env("SANTISUK_CLIENT_BURST", "1000000")
            .env("SANTISUK_CLIENT_CONCURRENCY", "100000")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = tokio::time::timeout(Duration::from_secs(600), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(rest) = line.split("running at ").nth(1) {
                    return Ok(rest.split_whitespace().next().unwrap_or_default().to_owned());
                }
            }
            bail!("santisuk exited before serving")
        })
        .await
        .context("santisuk did not start within 10 minutes")??;
        // Keep draining its output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Child { child, base })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Peak resident set size so far (VmHWM), in MiB.
    pub fn peak_rss_mb(&self) -> anyhow::Result<f64> {
        let pid = self.pid().context("exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .context("no VmHWM")?;
        Ok(kb / 1024.0)
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(pid) = self.pid() {
            // SIGTERM: the server shuts down gracefully, as in production.
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
        match tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await {
            Ok(status) => {
                status?;
            }
            Err(_) => self.child.kill().await?,
        }
        Ok(())
    }
}
