//! The `santisuk` binary itself: subcommands, their output and exit codes, bad arguments, a graceful
//! shutdown on SIGTERM, and `kill -9` under load. Runs against SQLite and PostgreSQL.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use santisuk_projections::users::user_by_token;
use santisuk_store::Db;

const BIN: &str = env!("CARGO_BIN_EXE_santisuk");

/// Where a test's data lives: a temporary SQLite folder, or a fresh PostgreSQL database and a temporary
/// data folder for its master key (the default place, `./data`, would be the crate's own folder).
enum Store {
    Sqlite(tempfile::TempDir),
    Postgres(String, #[allow(dead_code)] santisuk_store::testing::DropDatabase, tempfile::TempDir),
}

impl Store {
    async fn new(postgres: bool) -> Store {
        if postgres {
            let (url, guard) = santisuk_store::testing::fresh_database().await;
            Store::Postgres(url, guard, tempfile::tempdir().expect("temp dir"))
        } else {
            Store::Sqlite(tempfile::tempdir().expect("temp dir"))
        }
    }

    /// The data folder: the SQLite database and, on either backend, the generated master key.
    fn dir(&self) -> &std::path::Path {
        match self {
            Store::Sqlite(dir) | Store::Postgres(_, _, dir) => dir.path(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_remove("DATABASE_URL")
            .env_remove("SANTISUK_MASTER_KEY")
            .env_remove("SANTISUK_MASTER_KEY_FILE")
            .env_remove("SANTISUK_RETENTION_MONTHS")
            .env("SANTISUK_LOG", "warn")
            .env("SANTISUK_DATA_DIR", self.dir());
        if let Store::Postgres(url, _, _) = self {
            cmd.env("DATABASE_URL", url);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run santisuk")
    }

    async fn db(&self) -> Db {
        match self {
            Store::Sqlite(dir) => Db::open_sqlite(dir.path()).await.expect("open"),
            Store::Postgres(url, _, _) => Db::open_postgres(url, 2).await.expect("connect"),
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn user_add_prints_a_working_token_as_its_last_line(postgres: bool) {
    let store = Store::new(postgres).await;
    let out = store.run(&["user", "add", "somchai", "--role", "staff"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let token = stdout.lines().last().expect("a last line").trim().to_owned();
    assert!(token.starts_with("sst_"), "{stdout}");
    let user = user_by_token(&store.db().await, &token).await.unwrap().expect("the token authenticates");
    assert_eq!((user.name.as_str(), user.role.as_str()), ("somchai", "staff"));
    // Only a hash is stored.
    let db = store.db().await;
    let stored: Vec<String> = santisuk_store::on_db!(&db, p => sqlx::query_scalar("SELECT token_sha256 FROM users WHERE token_sha256 IS NOT NULL").fetch_all(p).await.unwrap());
    assert!(!stored.iter().any(|s| s.contains(&token[4..])));

    let again = store.run(&["user", "add", "somchai", "--role", "staff"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));
}

async fn bad_arguments_fail_clearly_and_write_nothing(postgres: bool) {
    let store = Store::new(postgres).await;
    let bad_role = store.run(&["user", "add", "x", "--role", "superuser"]);
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(text(&bad_role.stderr).contains("invalid value 'superuser'"), "{}", text(&bad_role.stderr));
    let bad_name = store.run(&["user", "add", "has space", "--role", "staff"]);
    assert!(!bad_name.status.success());
    assert!(text(&bad_name.stderr).contains("user name must be"), "{}", text(&bad_name.stderr));
    let no_area = store.run(&["user", "add", "somsak", "--role", "coordinator"]);
    assert!(!no_area.status.success());
    assert!(text(&no_area.stderr).contains("a coordinator needs at least one area"), "{}", text(&no_area.stderr));
    let unknown_area = store.run(&["user", "add", "somsak", "--role", "coordinator", "--area", "NOWHERE-1"]);
    assert!(!unknown_area.status.success());
    assert!(text(&unknown_area.stderr).contains("no area"), "{}", text(&unknown_area.stderr));
    let missing = store.run(&["user", "add"]);
    assert_eq!(missing.status.code(), Some(2));
    let unknown = store.run(&["frobnicate"]);
    assert_eq!(unknown.status.code(), Some(2));
    for out in [&bad_role, &bad_name, &no_area, &unknown_area, &missing, &unknown] {
        assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
    }
    let ok = store.run(&["migrate"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let db = store.db().await;
    assert_eq!(santisuk_projections::users::count_users(&db).await.unwrap(), 0);
}

async fn migrate_and_rebuild_run_and_report(postgres: bool) {
    let store = Store::new(postgres).await;
    let out = store.run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("migrations applied"));
    let out = store.run(&["projections", "rebuild"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("rebuilt read_model from 20 events"),
        "the 13 seeded categories and the 7 of coordinators' obstacles: {}",
        text(&out.stdout)
    );
    let db = store.db().await;
    assert_eq!(
        santisuk_projections::read_model::list_categories(&db).await.unwrap().len(),
        20,
        "13 community and 7 obstacle categories"
    );
}

async fn serve_prints_the_url_and_first_token_then_stops_on_sigterm(postgres: bool) {
    let store = Store::new(postgres).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = store
        .command(&["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        use std::io::BufRead;
        // Read to the end: closing the pipe early would make the server's next print fail.
        std::io::BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>()
    });
    // Wait for the port, then ask it something.
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "the server listens");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "a SIGTERM is a clean stop: {exit:?}");
    let lines = lines.join().unwrap();
    assert!(lines[0].contains(&format!("http://127.0.0.1:{port}")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("API token:    sst_")), "first start prints the admin token: {lines:?}");
    let password = lines
        .iter()
        .find_map(|l| l.split("sign in as  admin  with the password  ").nth(1))
        .unwrap_or_else(|| panic!("first start prints the admin's web password: {lines:?}"))
        .trim()
        .to_owned();
    let account = santisuk_projections::web::account_by_name(&store.db().await, "admin").await.unwrap().expect("admin");
    assert!(santisuk_app::password::verify(password, account.password_hash).await, "the printed password signs in");
}

/// Runs `santisuk` with `input` on standard input.
fn run_with_input(store: &Store, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child =
        store.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

async fn passwords_are_read_from_standard_input_and_checked(postgres: bool) {
    let store = Store::new(postgres).await;
    assert!(store.run(&["migrate"]).status.success());
    let short = run_with_input(&store, &["user", "add", "somying", "--role", "staff", "--password-stdin"], "short\n");
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("at least 10 characters"), "{}", text(&short.stderr));
    let db = store.db().await;
    assert!(santisuk_projections::web::account_by_name(&db, "somying").await.unwrap().is_none(), "no half-made user");
    let out =
        run_with_input(&store, &["user", "add", "somying", "--role", "staff", "--password-stdin"], "ปัตตานี-ยะลา-นราฯ\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).lines().last().unwrap().starts_with("sst_"), "the token is still the last line");
    let stored = santisuk_projections::web::account_by_name(&db, "somying").await.unwrap().unwrap().password_hash;
    assert!(santisuk_app::password::verify("ปัตตานี-ยะลา-นราฯ".into(), stored.clone()).await);
    assert!(!stored.unwrap().contains("ปัตตานี"), "only a hash is stored");
    let reset = run_with_input(&store, &["user", "password", "somying", "--password-stdin"], "another-long-one\n");
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    let stored = santisuk_projections::web::account_by_name(&db, "somying").await.unwrap().unwrap().password_hash;
    assert!(santisuk_app::password::verify("another-long-one".into(), stored.clone()).await);
    assert!(!santisuk_app::password::verify("ปัตตานี-ยะลา-นราฯ".into(), stored).await);
    let nobody = run_with_input(&store, &["user", "password", "nobody", "--password-stdin"], "another-long-one\n");
    assert!(!nobody.status.success());
    assert!(text(&nobody.stderr).contains("no active user called"), "{}", text(&nobody.stderr));
    let empty = run_with_input(&store, &["user", "password", "somying", "--password-stdin"], "");
    assert!(!empty.status.success());
    assert!(text(&empty.stderr).contains("no password on standard input"), "{}", text(&empty.stderr));
}

async fn a_bad_database_url_is_a_clear_error(postgres: bool) {
    let _ = postgres;
    let out = Command::new(BIN).args(["migrate"]).env("DATABASE_URL", "mysql://nope").output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("DATABASE_URL must start with postgres://"), "{}", text(&out.stderr));
    let out =
        Command::new(BIN).args(["migrate"]).env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/x").output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot connect to PostgreSQL"), "{}", text(&out.stderr));
}

/// A JSON request over plain HTTP/1.1 to a server on `port`: the status and the body, or `None` when the
/// server did not answer (it was killed).
async fn send_json(
    port: u16,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> Option<(u16, serde_json::Value)> {
    send(port, token, method, path, body, None).await
}

async fn send(
    port: u16,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    idempotency_key: Option<&str>,
) -> Option<(u16, serde_json::Value)> {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<axum::body::Bytes>>();
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1:{port}{path}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    if let Some(key) = idempotency_key {
        req = req.header("idempotency-key", key);
    }
    let req = req.body(http_body_util::Full::new(axum::body::Bytes::from(bytes))).ok()?;
    let resp = tokio::time::timeout(Duration::from_secs(10), client.request(req)).await.ok()?.ok()?;
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.ok()?.to_bytes();
    Some((status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)))
}

/// Starts `santisuk serve` on a free port; returns the child, the port, and its standard output's lines
/// as they come.
fn start_server(store: &Store) -> (std::process::Child, u16, std::sync::mpsc::Receiver<String>) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = store
        .command(&["serve", "--bind", &format!("127.0.0.1:{port}")])
        // Load, not abuse: the per-client limits are lifted (they are tested elsewhere).
        .env("SANTISUK_CLIENT_RATE", "1000000")
        .env("SANTISUK_CLIENT_BURST", "1000000")
        .env("SANTISUK_CLIENT_CONCURRENCY", "100000")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (child, port, lines);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not listen on {port}");
}

/// What one load client saw: each answer's status, and the issue id of a 201.
type Answers = Vec<(u16, Option<String>)>;

/// What load clients saw: each status with its count into `answered`, the ids answered 201 into
/// `acknowledged`.
async fn tally(
    clients: Vec<tokio::task::JoinHandle<Answers>>,
    answered: &mut std::collections::BTreeMap<u16, usize>,
    acknowledged: &mut Vec<String>,
) {
    for c in clients {
        for (status, id) in c.await.unwrap() {
            *answered.entry(status).or_default() += 1;
            if status == 201 {
                acknowledged.push(id.expect("a 201 carries the id"));
            }
        }
    }
}

/// Every acknowledged raise is stored with its row, and no issue was raised twice.
async fn stored_once(db: &Db, acknowledged: &[String]) {
    for id in acknowledged {
        let row = santisuk_projections::read_model::get_issue(db, id).await.unwrap();
        assert!(row.is_some(), "acknowledged issue {id} is stored with its row");
    }
    let twice: i64 = santisuk_store::on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT aggregate_id FROM events WHERE event_type = 'IssueRaised' \
         GROUP BY aggregate_id HAVING COUNT(*) > 1) d").fetch_one(p).await.unwrap());
    assert_eq!(twice, 0, "no issue raised twice");
}

/// Issue #14's fault suite: `kill -9` of the server under load from four clients, three times in a row.
/// Every raise answered 201 is stored with its row, none twice, the projections catch up on the next
/// start, and SQLite's `PRAGMA integrity_check` is ok.
async fn kill_9_under_load_three_times_loses_nothing_acknowledged(postgres: bool) {
    let store = Store::new(postgres).await;
    let mut token = String::new();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut answered = std::collections::BTreeMap::<u16, usize>::new();
    for round in 0..3 {
        let (mut child, port, lines) = start_server(&store);
        if round == 0 {
            // The first start prints the administrator's token.
            let line = lines.iter().find(|l| l.contains("API token:")).expect("the first start prints a token");
            token = line.split_whitespace().last().expect("the token").to_owned();
            let area = serde_json::json!({"id": "K9-1", "name_th": "พื้นที่ทดสอบ", "amphoe_code": "9401"});
            let r = send_json(port, &token, "POST", "/api/areas", Some(area)).await.expect("an answer");
            assert_eq!(r.0, 201, "{:?}", r.1);
        }
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients: Vec<_> = (0..4)
            .map(|c| {
                let (token, stop) = (token.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        n += 1;
                        let body = serde_json::json!({"area_id": "K9-1", "category": "LIV", "title": format!("k9 {round}-{c}-{n}")});
                        match send_json(port, &token, "POST", "/api/issues", Some(body)).await {
                            Some((status, body)) => seen.push((status, body["id"].as_str().map(str::to_owned))),
                            None => tokio::time::sleep(Duration::from_millis(20)).await,
                        }
                    }
                    seen
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap();
        child.wait().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        tally(clients, &mut answered, &mut acknowledged).await;
    }
    let db = store.db().await;
    stored_once(&db, &acknowledged).await;
    if !postgres {
        let ok: String =
            santisuk_store::on_db!(&db, p => sqlx::query_scalar("PRAGMA integrity_check").fetch_one(p).await.unwrap());
        assert_eq!(ok, "ok");
    }
    assert!(acknowledged.len() > 10 && answered.keys().all(|s| *s == 201), "load ran, only 201s: {answered:?}");
    // A fourth start catches the projections up: nothing stored is left unprojected.
    let (mut child, port, _lines) = start_server(&store);
    let r = send_json(port, &token, "GET", "/readyz", None).await.expect("an answer");
    assert_eq!((r.0, r.1["projection_lag"].as_i64()), (200, Some(0)), "{:?}", r.1);
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    child.wait().unwrap();
    eprintln!("kill -9 ×3: {} acknowledged, answers {answered:?}", acknowledged.len());
}

/// Issue #14's fault suite: two instances on one PostgreSQL database under load from four clients (each
/// sending to its own instance, and to the other while its own is down), killed in turn with `kill -9` and
/// started again. Every raise answered 201 is stored with its row, none twice, only 201s are answered, and
/// both instances end with their projections caught up (the survivor takes over the projection lock).
#[tokio::test]
async fn two_instances_on_postgres_killed_in_turn_under_load_lose_nothing() {
    use std::sync::{Arc, Mutex};
    let store = Store::new(true).await;
    let (first, port_a, lines) = start_server(&store);
    let line = lines.iter().find(|l| l.contains("API token:")).expect("the first start prints a token");
    let token = line.split_whitespace().last().expect("the token").to_owned();
    let area = serde_json::json!({"id": "TW-1", "name_th": "พื้นที่ทดสอบ", "amphoe_code": "9401"});
    let r = send_json(port_a, &token, "POST", "/api/areas", Some(area)).await.expect("an answer");
    assert_eq!(r.0, 201, "{:?}", r.1);
    let (second, port_b, _) = start_server(&store);
    let mut children = [first, second];
    let ports = Arc::new(Mutex::new([port_a, port_b]));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let (token, stop, ports) = (token.clone(), stop.clone(), ports.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let body =
                        serde_json::json!({"area_id": "TW-1", "category": "LIV", "title": format!("tw {c}-{n}")});
                    // Its own instance first; when it does not answer, the same request with the same
                    // Idempotency-Key to the other, and so on until one answers (a load balancer's retry): a
                    // raise that committed on an instance killed before it answered is answered, not doubled.
                    let key = format!("tw-{c}-{n}");
                    let answer = loop {
                        let [own, other] = {
                            let p = ports.lock().unwrap();
                            [p[c % 2], p[(c + 1) % 2]]
                        };
                        let mut answer = None;
                        for port in [own, other] {
                            answer = send(port, &token, "POST", "/api/issues", Some(body.clone()), Some(&key)).await;
                            if answer.is_some() {
                                break;
                            }
                        }
                        match answer {
                            // 503 means "retry" (with the same key): counted, then retried.
                            Some((503, _)) => {
                                seen.push((503, None));
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                            Some(a) => break a,
                            None => tokio::time::sleep(Duration::from_millis(20)).await,
                        }
                    };
                    seen.push((answer.0, answer.1["id"].as_str().map(str::to_owned)));
                }
                seen
            })
        })
        .collect();
    for victim in [0, 1] {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        Command::new("kill").args(["-KILL", &children[victim].id().to_string()]).status().unwrap();
        children[victim].wait().unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let (child, port, _) = start_server(&store);
        children[victim] = child;
        ports.lock().unwrap()[victim] = port;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    let mut answered = std::collections::BTreeMap::<u16, usize>::new();
    tally(clients, &mut answered, &mut acknowledged).await;
    let db = store.db().await;
    stored_once(&db, &acknowledged).await;
    // Every raise ends answered 201; on the way, 503s (retried) only: two instances raising in one province
    // race for its case numbers, and a raise that loses too often asks to be retried.
    assert!(acknowledged.len() > 10 && answered.keys().all(|s| [201, 503].contains(s)), "{answered:?}");
    // Both instances catch their projections up (whichever holds the lock projects; the other follows).
    let ports = *ports.lock().unwrap();
    for port in ports {
        let mut lag = None;
        for _ in 0..100 {
            let r = send_json(port, &token, "GET", "/readyz", None).await.expect("an answer");
            lag = r.1["projection_lag"].as_i64();
            if (r.0, lag) == (200, Some(0)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(lag, Some(0), "instance on {port} caught up");
    }
    let raised: i64 = santisuk_store::on_db!(&db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM issues").fetch_one(p).await.unwrap());
    assert_eq!(raised as usize, acknowledged.len(), "every raise answered once, none stored unanswered or twice");
    for child in &mut children {
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        child.wait().unwrap();
    }
    eprintln!("two instances killed in turn: {} acknowledged, answers {answered:?}", acknowledged.len());
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(false).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name(true).await } )* }
    };
}

both!(
    user_add_prints_a_working_token_as_its_last_line,
    bad_arguments_fail_clearly_and_write_nothing,
    migrate_and_rebuild_run_and_report,
    serve_prints_the_url_and_first_token_then_stops_on_sigterm,
    passwords_are_read_from_standard_input_and_checked,
    a_bad_database_url_is_a_clear_error,
    kill_9_under_load_three_times_loses_nothing_acknowledged,
    a_full_scenario_logs_no_personal_data_or_secrets
);

// --- personal data (issue #15) ----------------------------------------------------------------------------

const NAME: &str = "Zebulon Phanomwan-Quist";
const PHONE_AS_TYPED: &str = "081-234-5678";
const PHONE: &str = "0812345678";
const NATIONAL_ID: &str = "1101700230708";
const ADDRESS: &str = "99 Moo 7 Tambon Xylocarpus";
const NOTES: &str = "call after five through headman Vorapong-Kestrel";

fn complainant() -> serde_json::Value {
    serde_json::json!({"name": NAME, "phone": PHONE_AS_TYPED, "address": ADDRESS, "national_id": NATIONAL_ID,
        "notes": NOTES})
}

/// A `santisuk serve` that listens, with what it has printed so far.
struct Running {
    child: std::process::Child,
    port: u16,
    stdout: std::sync::mpsc::Receiver<String>,
    stderr: std::thread::JoinHandle<String>,
}

/// Starts `santisuk serve` on a free port with `env`; `Err` with the exit status and standard error when it
/// stops instead of listening (a refusal).
fn serve(store: &Store, env: &[(&str, &str)]) -> Result<Running, (std::process::ExitStatus, String)> {
    use std::io::{BufRead, Read};
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cmd = store.command(&["serve", "--bind", &format!("127.0.0.1:{port}")]);
    cmd.envs(env.iter().copied()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    for _ in 0..400 {
        if let Some(status) = child.try_wait().unwrap() {
            return Err((status, stderr.join().unwrap()));
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(Running { child, port, stdout: lines, stderr });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server neither listened on {port} nor stopped");
}

impl Running {
    /// The administrator's API token and web password, printed on the first start.
    fn first_login(&self) -> (String, String) {
        let (mut token, mut password) = (None, None);
        while token.is_none() || password.is_none() {
            let line = self.stdout.recv_timeout(Duration::from_secs(10)).expect("the first start prints a login");
            if let Some(t) = line.split("API token:").nth(1) {
                token = Some(t.trim().to_owned());
            }
            if let Some(p) = line.split("sign in as  admin  with the password  ").nth(1) {
                password = Some(p.trim().to_owned());
            }
        }
        (token.unwrap(), password.unwrap())
    }

    /// Stops it with SIGTERM; returns its standard error.
    fn stop(mut self) -> String {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "a clean stop: {exit:?}");
        self.stderr.join().unwrap()
    }
}

/// A start that must be refused: the exit status is a failure, and standard error is returned.
fn refused(store: &Store, env: &[(&str, &str)]) -> String {
    match serve(store, env) {
        Ok(running) => {
            let stderr = running.stop();
            panic!("the server started: {stderr}");
        }
        Err((status, stderr)) => {
            assert!(!status.success(), "{stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
            stderr
        }
    }
}

/// Any request over plain HTTP/1.1: status, headers and body.
async fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<axum::body::Bytes>>();
    let mut req = axum::http::Request::builder().method(method).uri(format!("http://127.0.0.1:{port}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(http_body_util::Full::new(axum::body::Bytes::from(body))).unwrap();
    let resp =
        tokio::time::timeout(Duration::from_secs(20), client.request(req)).await.expect("in time").expect("answer");
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    (status, headers, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// A JSON request that must answer `status`; its body.
async fn expect(
    port: u16,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
    status: u16,
) -> serde_json::Value {
    let (got, body) = send_json(port, token, method, path, body).await.expect("an answer");
    assert_eq!(got, status, "{method} {path}: {body}");
    body
}

/// SQLite, the real binary: the first start makes `<data-dir>/master.key` (0600) and says so; without it,
/// with another key, or with a key file that does not exist, the server refuses to start, names the key it
/// wants and makes no new one; a rotated key replaces the old one and still opens what was sealed before;
/// `privacy export` prints the record and `privacy erase` works once.
#[tokio::test]
async fn the_master_key_is_made_once_and_a_missing_or_wrong_one_refuses_to_start() {
    let store = Store::new(false).await;
    let key_file = store.dir().join("master.key");
    let server = serve(&store, &[]).expect("the first start");
    let (token, _) = server.first_login();
    let area = serde_json::json!({"id": "KEY-1", "name_th": "พื้นที่ทดสอบ", "amphoe_code": "9401"});
    expect(server.port, &token, "POST", "/api/areas", Some(area), 201).await;
    let raise = serde_json::json!({"area_id": "KEY-1", "category": "GOV", "title": "ร้องเรียน",
        "description": "KEY-desc-Narwhal", "complainant": complainant()});
    let id =
        expect(server.port, &token, "POST", "/api/issues", Some(raise), 201).await["id"].as_str().unwrap().to_owned();
    let one = expect(server.port, &token, "GET", &format!("/api/issues/{id}"), None, 200).await;
    let subject = one["complainant"]["subject_id"].as_str().unwrap().to_owned();
    let stderr = server.stop();

    let key = santisuk_app::privacy::MasterKey::from_text(&std::fs::read_to_string(&key_file).unwrap()).unwrap();
    assert!(stderr.contains("generated a new master key") && stderr.contains(key.id()), "{stderr}");
    assert!(stderr.contains(&key_file.display().to_string()), "it says where: {stderr}");
    assert!(!stderr.contains(key.to_text().as_str()), "but never the key itself");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);

    // The key file gone: refused, naming the key wanted; no new key is made over the sealed data.
    let kept = store.dir().join("kept.key");
    std::fs::rename(&key_file, &kept).unwrap();
    let stderr = refused(&store, &[]);
    assert!(stderr.contains(key.id()) && stderr.contains("no master key was found"), "{stderr}");
    assert!(!key_file.exists(), "no new key file");
    // Another key: refused.
    let other = santisuk_app::privacy::MasterKey::generate();
    let stderr = refused(&store, &[("SANTISUK_MASTER_KEY", other.to_text().as_str())]);
    assert!(
        stderr.contains("wrong master key") && stderr.contains(key.id()) && stderr.contains(other.id()),
        "{stderr}"
    );
    // A key file named but missing: refused, and not created.
    let nowhere = store.dir().join("nowhere.key");
    let stderr = refused(&store, &[("SANTISUK_MASTER_KEY_FILE", nowhere.to_str().unwrap())]);
    assert!(stderr.contains("nowhere.key"), "{stderr}");
    assert!(!nowhere.exists() && !key_file.exists());
    let out = store.run(&["--master-key-file", nowhere.to_str().unwrap(), "migrate"]);
    assert!(!out.status.success() && text(&out.stderr).contains("nowhere.key"), "{}", text(&out.stderr));
    assert!(!nowhere.exists());
    std::fs::rename(&kept, &key_file).unwrap();

    // Rotation: a new key file (0600); the old key then refuses, the new one opens the old texts.
    let rotated = store.dir().join("rotated.key");
    let out = store.run(&["privacy", "rotate-key", "--new-key-file", rotated.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let new = santisuk_app::privacy::MasterKey::from_text(&std::fs::read_to_string(&rotated).unwrap()).unwrap();
    assert!(text(&out.stdout).contains(new.id()), "{}", text(&out.stdout));
    assert_eq!(std::fs::metadata(&rotated).unwrap().permissions().mode() & 0o777, 0o600);
    let stderr = refused(&store, &[]);
    assert!(stderr.contains("wrong master key") && stderr.contains(new.id()), "{stderr}");
    let with_new = [("SANTISUK_MASTER_KEY_FILE", rotated.to_str().unwrap())];
    let server = serve(&store, &with_new).expect("the new key opens the database");
    let one = expect(server.port, &token, "GET", &format!("/api/issues/{id}"), None, 200).await;
    assert_eq!(
        (&one["description"], &one["complainant"]["name"]),
        (&serde_json::json!("KEY-desc-Narwhal"), &serde_json::json!(NAME))
    );
    server.stop();

    // The access request, then an erasure, once.
    let run = |args: &[&str]| store.command(args).envs(with_new).output().unwrap();
    let out = run(&["privacy", "export", "--subject", &subject]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let export: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (&export["person"]["name"], &export["person"]["national_id"]),
        (&serde_json::json!(NAME), &serde_json::json!(NATIONAL_ID))
    );
    assert_eq!(export["issues"][0]["id"], id.as_str());
    let out = run(&["privacy", "erase", "--subject", &subject, "--legal-basis", "PDPA s.33: request of 2 Dec 2026"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (&report["person_erased"], &report["issues"][0]["id"]),
        (&serde_json::json!(true), &serde_json::json!(id))
    );
    let again = run(&["privacy", "erase", "--subject", &subject, "--legal-basis", "PDPA s.33"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already been erased"), "{}", text(&again.stderr));
    let out = run(&["privacy", "export", "--subject", &subject]);
    let export: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(export["person"]["erased"], true);
    assert!(
        !text(&out.stdout).contains(NAME) && !text(&out.stdout).contains("KEY-desc-Narwhal"),
        "{}",
        text(&out.stdout)
    );
}

/// The real binary with every Santisuk log at trace and tower-http's at debug, through a whole scenario
/// (a forum, a raise with a complainant, notes, a search for the complainant's name, an export with
/// personal data, the access request, web sign-ins, an erasure): its log names no complainant detail, no
/// free text, no token, password, session or master key.
async fn a_full_scenario_logs_no_personal_data_or_secrets(postgres: bool) {
    let store = Store::new(postgres).await;
    let log = "debug,santisuk=trace,santisuk_http=trace,santisuk_app=trace,santisuk_store=trace,\
               santisuk_projections=trace,santisuk_domain=trace,tower_http=trace";
    let server = serve(&store, &[("SANTISUK_LOG", log)]).expect("start");
    let port = server.port;
    let (admin, password) = server.first_login();
    let clerk =
        expect(port, &admin, "POST", "/api/users", Some(serde_json::json!({"name": "clerk", "role": "staff"})), 201)
            .await;
    let staff = clerk["token"].as_str().unwrap().to_owned();
    let area = serde_json::json!({"id": "LOG-1", "name_th": "พื้นที่ทดสอบ", "amphoe_code": "9401"});
    expect(port, &admin, "POST", "/api/areas", Some(area), 201).await;
    let forum = serde_json::json!({"area_id": "LOG-1", "held_on": "2026-11-01", "facilitator": "Facilitator Ombretta-Lindqvist"});
    let forum = expect(port, &staff, "POST", "/api/forums", Some(forum), 201).await["id"].as_str().unwrap().to_owned();
    let raise = serde_json::json!({"area_id": "LOG-1", "category": "GOV", "title": "ร้องเรียน", "forum_id": forum,
        "description": "LOG-desc-Aardwolf", "raised_by": "LOG-by-Bandicoot", "complainant": complainant()});
    let id = expect(port, &staff, "POST", "/api/issues", Some(raise), 201).await["id"].as_str().unwrap().to_owned();
    let bad = serde_json::json!({"area_id": "LOG-1", "category": "GOV", "title": "x", "description": "LOG-desc-Caracal",
        "complainant": {"name": NAME, "national_id": "1101700230707"}});
    expect(port, &staff, "POST", "/api/issues", Some(bad), 422).await;
    expect(
        port,
        &staff,
        "POST",
        &format!("/api/issues/{id}/assign"),
        Some(serde_json::json!({"assignee": "อบต.", "note": "LOG-note-Dugong"})),
        200,
    )
    .await;
    expect(
        port,
        &staff,
        "POST",
        &format!("/api/issues/{id}/address"),
        Some(serde_json::json!({"action": "LOG-action-Echidna"})),
        200,
    )
    .await;
    let one = expect(port, &staff, "GET", &format!("/api/issues/{id}"), None, 200).await;
    let subject = one["complainant"]["subject_id"].as_str().unwrap().to_owned();
    expect(port, &staff, "GET", &format!("/api/issues/{id}/history"), None, 200).await;
    expect(port, &staff, "GET", "/api/issues?q=Phanomwan", None, 200).await;
    let (status, _, file) = request(
        port,
        "GET",
        "/api/issues/export?personal=include&reason=LOG-reason-Fossa",
        &[("authorization", &format!("Bearer {staff}"))],
        Vec::new(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&file).contains(NATIONAL_ID), "the export holds the person");
    expect(port, &admin, "GET", &format!("/api/privacy/subjects/{subject}"), None, 200).await;
    // The web app: a failed and a good sign-in, then the problem's page.
    let csrf = "c".repeat(64);
    let cookie = format!("santisuk_csrf={csrf}");
    let form_headers = [("cookie", cookie.as_str()), ("content-type", "application/x-www-form-urlencoded")];
    let form = |password: &str| format!("_csrf={csrf}&name=admin&password={password}&next=/").into_bytes();
    let (status, _, _) = request(port, "POST", "/login", &form_headers, form("LOG-wrong-password-Gharial")).await;
    assert_eq!(status, 401);
    let (status, headers, _) = request(port, "POST", "/login", &form_headers, form(&password)).await;
    assert_eq!(status, 303, "signed in");
    let session = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("santisuk_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let (status, _, page) = request(
        port,
        "GET",
        &format!("/issues/{id}"),
        &[("cookie", &format!("santisuk_session={session}"))],
        Vec::new(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("LOG-desc-Aardwolf"), "the page shows the problem");
    let erase = serde_json::json!({"subject": subject, "legal_basis": "PDPA s.33"});
    expect(port, &admin, "POST", "/api/privacy/erase", Some(erase), 200).await;
    let stderr = server.stop();

    // The log is there, and detailed: requests by path, the erasure.
    assert!(stderr.lines().count() > 50, "{stderr}");
    assert!(stderr.contains("/api/issues/export") && stderr.contains("personal data erased"), "{stderr}");
    let key = std::fs::read_to_string(store.dir().join("master.key")).unwrap();
    let secrets = [
        NAME,
        "Phanomwan",
        PHONE_AS_TYPED,
        PHONE,
        NATIONAL_ID,
        ADDRESS,
        NOTES,
        "LOG-desc-Aardwolf",
        "LOG-by-Bandicoot",
        "LOG-desc-Caracal",
        "LOG-note-Dugong",
        "LOG-action-Echidna",
        "LOG-reason-Fossa",
        "LOG-wrong-password-Gharial",
        "Ombretta-Lindqvist",
        admin.as_str(),
        &admin[4..],
        staff.as_str(),
        &staff[4..],
        password.as_str(),
        session.as_str(),
        &csrf,
        key.trim(),
    ];
    for secret in secrets {
        assert!(!stderr.contains(secret), "{secret:?} is in the log");
    }
}

/// SQLite, the real binary: the retention rule runs only when asked for (`--retention-months` /
/// SANTISUK_RETENTION_MONTHS). A complainant whose problem closed long ago is left alone by a start
/// without it, listed by `privacy retention --dry-run`, and erased by a start with it.
#[tokio::test]
async fn retention_is_off_unless_asked_for() {
    let store = Store::new(false).await;
    let server = serve(&store, &[]).expect("start");
    let port = server.port;
    let (token, _) = server.first_login();
    let area = serde_json::json!({"id": "RET-1", "name_th": "พื้นที่ทดสอบ", "amphoe_code": "9401"});
    expect(port, &token, "POST", "/api/areas", Some(area), 201).await;
    let raise = serde_json::json!({"area_id": "RET-1", "category": "GOV", "title": "เก่า", "at": "2025-01-10T03:00:00Z",
        "complainant": {"name": NAME}});
    let id = expect(port, &token, "POST", "/api/issues", Some(raise), 201).await["id"].as_str().unwrap().to_owned();
    let close = serde_json::json!({"outcome": "withdrawn", "at": "2025-02-01T03:00:00Z"});
    expect(port, &token, "POST", &format!("/api/issues/{id}/close"), Some(close), 200).await;
    let path = format!("/api/issues/{id}");
    let subject =
        expect(port, &token, "GET", &path, None, 200).await["complainant"]["subject_id"].as_str().unwrap().to_owned();
    server.stop();

    // A start without the setting, given time for a rule that ran at start: nothing erased.
    let server = serve(&store, &[]).expect("start");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let one = expect(server.port, &token, "GET", &path, None, 200).await;
    assert_eq!(one["complainant"]["name"], NAME, "retention is off by default: {one}");
    server.stop();
    let out = store.run(&["privacy", "retention", "--months", "6", "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dry: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(dry, serde_json::json!({"would_erase": [subject]}));

    let server = serve(&store, &[("SANTISUK_RETENTION_MONTHS", "6")]).expect("start");
    let mut erased = serde_json::Value::Null;
    for _ in 0..100 {
        erased = expect(server.port, &token, "GET", &path, None, 200).await;
        if erased["complainant"]["erased"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(erased["complainant"]["erased"], true, "{erased}");
    assert!(erased["complainant"]["legal_basis"].as_str().unwrap().starts_with("retention: 6 months"), "{erased}");
    server.stop();
}
