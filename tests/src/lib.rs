//! The test harness: a fresh database per test on either backend, the app behind `app()`, users of
//! every role, and helpers to call the API as JSON.
//!
//! PostgreSQL: every test gets its own database on the server at `SANTISUK_TEST_PG`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`), dropped when the test ends. When no server
//! answers there, the harness starts a throwaway cluster from the installed PostgreSQL binaries
//! (`initdb`/`pg_ctl`) in a temporary folder; with neither, the tests fail and say what to install.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use santisuk_app::users::create_user;
use santisuk_http::state::AppState;
use santisuk_projections::users::Role;
use santisuk_store::Db;
use santisuk_store::testing as pg;
pub use santisuk_store::vault::{MasterKey, Vault};
use serde_json::Value;
use tower::ServiceExt;

pub mod notify;
pub mod web;

/// Which storage backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares `async fn name(backend: Backend)` tests once and runs each on both backends:
/// `both_backends!(a, b)` makes `sqlite::a`, `postgres::a`, ….
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}

/// Runs the projection until every event committed so far is applied (up to 20 s). On PostgreSQL an
/// event becomes projectable only once every older write transaction in the cluster has finished, and
/// other tests run in parallel on the same server, so one `catch_up` may legitimately stop short.
pub async fn settle(
    runner: &santisuk_projections::runner::Runner<santisuk_projections::read_model::ReadModel>,
    db: &Db,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        // A connection killed a moment before (the fault tests) may fail one turn; it must not fail them all.
        if let Err(e) = runner.catch_up().await {
            assert!(e.is_unavailable() && std::time::Instant::now() < deadline, "projection: {e}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        }
        let last: Option<(String, i64, i64)> = santisuk_store::on_db!(db, p => sqlx::query_as(
            "SELECT aggregate_type, sequence, position FROM events ORDER BY position DESC LIMIT 1")
            .fetch_optional(p).await.expect("last event"));
        let Some((_, _, position)) = last else { return };
        let checkpoint = runner.checkpoint().await.expect("checkpoint");
        let (lag, _) = santisuk_store::events::lag_after(db, checkpoint).await.expect("lag");
        let head = santisuk_store::events::head(db).await.expect("head");
        if lag == 0 && head.position >= position {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the projection did not settle");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// A fresh database of one backend; removed when dropped.
#[derive(Debug)]
pub struct TestDb {
    pub db: Db,
    pub backend: Backend,
    /// The master key of this database's personal data; every handle on it (`second_pool`) holds it.
    pub master: MasterKey,
    /// SQLite: the folder holding the file. PostgreSQL: the database to drop.
    _guard: Guard,
}

#[derive(Debug)]
enum Guard {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    PgDatabase(pg::DropDatabase),
    /// The test keeps what must outlive the database (a private cluster, say).
    None,
}

/// A handle that seals and opens personal text with `master`, as the server's is.
pub fn sealing(db: Db, master: &MasterKey) -> Db {
    db.with_vault(Vault::new(master.clone()))
}

impl TestDb {
    fn made(db: Db, backend: Backend, guard: Guard) -> TestDb {
        let master = MasterKey::generate();
        TestDb { db: sealing(db, &master), backend, master, _guard: guard }
    }

    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let db = Db::open_sqlite(dir.path()).await.expect("open sqlite");
                TestDb::made(db, backend, Guard::Dir(dir))
            }
            Backend::Postgres => {
                let (url, guard) = pg::fresh_database().await;
                let db = Db::open_postgres(&url, 8).await.expect("connect to the test database");
                TestDb::made(db, backend, Guard::PgDatabase(guard))
            }
        }
    }

    /// [`TestDb::new`], but on PostgreSQL on a cluster of its own (`testing::private_database`): for a test
    /// that holds a transaction open, or stops the server.
    pub async fn private(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb::new(backend).await,
            Backend::Postgres => {
                let (url, guard) = pg::private_database().await;
                let db = Db::open_postgres(&url, 8).await.expect("connect to the private test database");
                TestDb::made(db, backend, Guard::PgDatabase(guard))
            }
        }
    }

    /// A PostgreSQL database on a cluster of its own, filled by `fill(url)` before it is opened (a
    /// restore, say), sealed with `master`: a restore needs the master key of the database it came from.
    pub async fn private_with(master: &MasterKey, fill: impl FnOnce(&str)) -> TestDb {
        let (url, guard) = pg::private_database().await;
        fill(&url);
        let db = Db::open_postgres(&url, 8).await.expect("connect to the private test database");
        TestDb {
            db: sealing(db, master),
            backend: Backend::Postgres,
            master: master.clone(),
            _guard: Guard::PgDatabase(guard),
        }
    }

    /// A PostgreSQL handle opened by the test itself (with its own timeouts, on a cluster it controls).
    pub fn wrap(db: Db) -> TestDb {
        TestDb::made(db, Backend::Postgres, Guard::None)
    }

    /// The database's URL (PostgreSQL only, when this handle created the database).
    pub fn url(&self) -> Option<&str> {
        match &self._guard {
            Guard::PgDatabase(g) => Some(&g.url),
            Guard::Dir(_) | Guard::None => None,
        }
    }

    /// SQLite: the folder holding the database files (`santisuk.db` and its `-wal`), to read them as bytes.
    pub fn sqlite_dir(&self) -> Option<&std::path::Path> {
        match &self._guard {
            Guard::Dir(dir) => Some(dir.path()),
            Guard::PgDatabase(_) | Guard::None => None,
        }
    }

    /// Another pool on the same database, as a second server instance would have.
    pub async fn second_pool(&self) -> Db {
        match (&self._guard, &self.db) {
            (Guard::Dir(dir), _) => sealing(Db::open_sqlite(dir.path()).await.expect("open sqlite"), &self.master),
            (Guard::PgDatabase(g), _) => sealing(Db::open_postgres(&g.url, 8).await.expect("connect"), &self.master),
            (Guard::None, _) => panic!("a wrapped handle has no second pool"),
        }
    }
}

/// A case number for a raise that bypasses the application (which allocates them): random in a series of
/// its own (`TST-<year>-…`), so raises of one test do not collide on the unique index.
pub fn case_number(at: chrono::DateTime<chrono::Utc>) -> Option<santisuk_domain::values::CaseNumber> {
    let n = (uuid::Uuid::new_v4().as_u128() % 90_000_000) as u32 + 1;
    Some(santisuk_domain::values::CaseNumber::new("TST", santisuk_domain::time::be_year(at), n))
}

/// The application on a fresh database, with one user (and token) per role.
#[derive(Debug, Clone)]
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub admin: String,
    pub staff: String,
    pub coordinator: String,
    pub auditor: String,
    /// The coordinator's user id: `area_in` adds every area it registers to this coordinator's areas.
    pub coordinator_id: String,
    /// The users are `admin-<suffix>`, `staff-<suffix>`, `auditor-<suffix>`, `coordinator-<suffix>`.
    pub suffix: String,
    pub db_handle: Arc<TestDb>,
}

/// A response: status and JSON body (`Value::Null` when the body is empty or not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub headers: axum::http::HeaderMap,
}

impl Reply {
    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        Self::on(Arc::new(TestDb::new(backend).await)).await
    }

    /// An app (think: a server instance) on an existing test database.
    pub async fn on(test_db: Arc<TestDb>) -> TestApp {
        let state = AppState::prepare(test_db.db.clone()).await.expect("prepare");
        state.spawn_runner(std::future::pending());
        let system = std::collections::HashMap::from([("actor".to_owned(), "test-harness".to_owned())]);
        let suffix = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        let mut tokens = Vec::new();
        for role in [Role::Admin, Role::Staff, Role::Auditor] {
            let name = format!("{}-{suffix}", role.as_str());
            let (_, token) = create_user(&state, &name, role, &[], system.clone()).await.expect("add user");
            tokens.push(token.expose().to_owned());
        }
        // A coordinator needs an area: give it a home area, and `area_in` adds the areas tests register.
        let home = format!("HOME-{suffix}");
        let body = serde_json::json!({"id": home, "name_th": "พื้นที่ทดสอบ", "amphoe_code": "9401"});
        let router = santisuk_http::app_with(state.clone(), &santisuk_http::limits::Limits::relaxed()).expect("limits");
        let probe = TestApp {
            state: state.clone(),
            router: router.clone(),
            admin: tokens[0].clone(),
            staff: tokens[1].clone(),
            coordinator: String::new(),
            auditor: tokens[2].clone(),
            coordinator_id: String::new(),
            suffix: suffix.clone(),
            db_handle: test_db.clone(),
        };
        let r = probe.post("/api/areas", &probe.admin, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let (coordinator, token) =
            create_user(&state, &format!("coordinator-{suffix}"), Role::Coordinator, &[home], system)
                .await
                .expect("add coordinator");
        let [admin, staff, auditor] = <[String; 3]>::try_from(tokens).expect("three tokens");
        // Commands on users do not wait for the runner (their rows are written with their events): let it
        // finish, so every test starts from a settled read model.
        settle(&state.runner, &state.db).await;
        TestApp {
            state,
            router,
            admin,
            staff,
            coordinator: token.expose().to_owned(),
            auditor,
            coordinator_id: coordinator.id,
            suffix,
            db_handle: test_db,
        }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Sends a request with optional bearer token, JSON body and extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Body>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(body.unwrap_or_else(Body::empty)).expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, body, headers }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None, &[]).await
    }

    /// The resolution statistics grouped `by`, live or as of an instant, read by staff.
    pub async fn resolution(&self, by: &str, as_of: Option<chrono::DateTime<chrono::Utc>>) -> Value {
        let q = as_of.map(|t| format!("&as_of={}", as_of_param(t))).unwrap_or_default();
        let r = self.get(&format!("/api/stats/resolution?by={by}{q}"), &self.staff).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        r.body
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(Body::from(body.to_string())), &[]).await
    }

    pub async fn post_with(&self, path: &str, token: &str, body: Value, headers: &[(&str, &str)]) -> Reply {
        self.send(Method::POST, path, Some(token), Some(Body::from(body.to_string())), headers).await
    }

    /// Registers an area in amphoe 9401 (Mueang Pattani) and returns its id.
    pub async fn area(&self, id: &str) -> String {
        self.area_in(id, "9401").await
    }

    pub async fn area_in(&self, id: &str, amphoe: &str) -> String {
        let r = self
            .post(
                "/api/areas",
                &self.admin,
                serde_json::json!({"id": id, "name_th": format!("พื้นที่ {id}"), "amphoe_code": amphoe}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        self.grant_coordinator(id).await;
        id.to_owned()
    }

    /// Adds an area to the test coordinator's areas.
    pub async fn grant_coordinator(&self, area: &str) {
        let me = santisuk_projections::users::get_user(self.db(), &self.coordinator_id)
            .await
            .expect("user")
            .expect("coordinator");
        let mut areas = me.areas;
        areas.push(area.to_owned());
        let path = format!("/api/users/{}/areas", self.coordinator_id);
        let r = self.post(&path, &self.admin, serde_json::json!({"areas": areas})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }

    /// Raises an issue and returns its id.
    pub async fn raise(&self, area: &str, category: &str, title: &str) -> String {
        let r = self
            .post(
                "/api/issues",
                &self.staff,
                serde_json::json!({"area_id": area, "category": category, "title": title}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        r.body["id"].as_str().expect("id").to_owned()
    }

    /// How many events are stored (to check that a rejection wrote nothing).
    pub async fn event_count(&self) -> i64 {
        santisuk_store::on_db!(self.db(), p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events")
            .fetch_one(p).await.expect("count"))
    }

    /// A fresh database filled by `santisuk demo` (with `options`), and an app whose tokens are the demo
    /// users' own (plus an admin, created after the fill as `santisuk user add` would). `suffix` is empty:
    /// the users are the demo's (`demo-staff`, `demo-coord-01`, …).
    pub async fn demo(
        backend: Backend,
        options: santisuk_app::demo::DemoOptions,
    ) -> (TestApp, santisuk_app::demo::DemoReport) {
        let test_db = Arc::new(TestDb::new(backend).await);
        let state = AppState::prepare(test_db.db.clone()).await.expect("prepare");
        state.spawn_runner(std::future::pending());
        let report = santisuk_app::demo::fill(&state, options).await.expect("the demo fill succeeds");
        settle(&state.runner, &state.db).await;
        let token = |name: &str| {
            report
                .users
                .iter()
                .find(|u| u.name == name)
                .unwrap_or_else(|| panic!("no {name}"))
                .token
                .expose()
                .to_owned()
        };
        let system = std::collections::HashMap::from([("actor".to_owned(), "test-harness".to_owned())]);
        let (_, admin) = create_user(&state, "admin", Role::Admin, &[], system).await.expect("admin");
        let app = TestApp {
            router: santisuk_http::app_with(state.clone(), &santisuk_http::limits::Limits::relaxed()).expect("limits"),
            state,
            admin: admin.expose().to_owned(),
            staff: token("demo-staff"),
            coordinator: token("demo-coord-01"),
            auditor: token("demo-auditor"),
            coordinator_id: String::new(),
            suffix: String::new(),
            db_handle: test_db,
        };
        (app, report)
    }
}

/// A small RFC 4180 reader: quoted fields may hold commas, quotes and line breaks (NDJSON reads as one field
/// per line).
/// An instant after every commit so far and before any later one: as-of reads cut by recorded time to the
/// microsecond, and a commit's time is read just before it lands, so the instant keeps a margin each side.
pub async fn quiet_instant() -> chrono::DateTime<chrono::Utc> {
    tokio::time::sleep(std::time::Duration::from_millis(15)).await;
    let t = santisuk_app::now();
    tokio::time::sleep(std::time::Duration::from_millis(15)).await;
    t
}

/// An instant as an `as_of` query value (RFC 3339, microseconds, `Z`).
pub fn as_of_param(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty(), "the last record ends with a line break");
    records
}
