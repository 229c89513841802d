//! Faults (issue #14): what an operator's backup and restore, and a broken or stuck database, do to the
//! promise that every acknowledged change is kept, projected and verifiable.

use std::process::Command;
use std::sync::Arc;

use axum::http::StatusCode;
use santisuk_store::testing as pg;
use santisuk_store::{Db, on_db, on_tx};
use santisuk_tests::{Backend, TestApp, TestDb, settle};
use serde_json::json;

/// Runs an installed PostgreSQL client tool (`pg_dump`, `pg_restore`) and fails the test on an error.
fn pg_tool(name: &str, args: &[&str]) {
    let program = pg::binary(name).unwrap_or_else(|| panic!("{name} is installed with the PostgreSQL server"));
    let out = Command::new(&program).args(args).output().unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(out.status.success(), "{name} failed: {}", String::from_utf8_lossy(&out.stderr));
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.expect(sql))
}

/// A logical dump (`pg_dump`) restored into a fresh cluster, whose transaction ids start again far below
/// the stored ones: new writes are projected, access changes hold, `/readyz` tells the truth, the ledger
/// verifies and a rebuild replays every event.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logical_restore_into_a_fresh_cluster_loses_nothing_and_projects_what_comes_after() {
    // The source: a database on the shared cluster, with transaction ids pushed past a fresh cluster's.
    let source = TestApp::new(Backend::Postgres).await;
    on_db!(source.db(), p => {
        sqlx::query("DO $$ BEGIN FOR i IN 1..3000 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$")
            .execute(p).await.expect("use up transaction ids");
    });
    let area = source.area("RS-1").await;
    let mut before = Vec::new();
    for i in 0..5 {
        before.push(source.raise(&area, "LIV", &format!("ก่อน {i}")).await);
    }
    let forum = source
        .post("/api/forums", &source.staff, json!({"area_id": area, "held_on": "2026-11-30", "title": "เวทีก่อนสำรอง"}))
        .await;
    assert_eq!(forum.status, StatusCode::CREATED, "{:?}", forum.body);
    settle(&source.state.runner, source.db()).await;
    // Outside a restore the base never moves (a raise under a writer would break the gap-safe order).
    assert_eq!(scalar(source.db(), "SELECT base FROM log_tx_base").await, 0, "no raise without a restore");
    let dump = tempfile::tempdir().expect("a folder for the dump");
    let file = dump.path().join("santisuk.dump");
    let url = source.db_handle.url().expect("a PostgreSQL database").to_owned();
    pg_tool("pg_dump", &["--format=custom", "--file", file.to_str().unwrap(), &url]);

    // The restore: a cluster of its own, as an operator restoring onto a new server would have, with the
    // master key of the database it came from (kept apart from the dump, as the README says).
    let restored = TestDb::private_with(&source.db_handle.master, |url| {
        pg_tool("pg_restore", &["--no-owner", "--dbname", url, file.to_str().unwrap()])
    })
    .await;
    let stored = scalar(&restored.db, "SELECT COUNT(*) FROM events").await;
    let behind = scalar(
        &restored.db,
        "SELECT (MAX(tx::text::bigint) >= pg_snapshot_xmax(pg_current_snapshot())::text::bigint)::int::bigint FROM events",
    )
    .await;
    assert_eq!(behind, 1, "the precondition: the restored transaction ids lie ahead of the new cluster's");
    // `santisuk migrate` heals it before anything writes, so a read-only `audit verify` sees the whole log.
    santisuk_app::admin::migrate(&restored.db).await.expect("migrate");
    assert!(scalar(&restored.db, "SELECT base FROM log_tx_base").await > 0, "the restore base was raised");
    let verified = santisuk_app::admin::verify_ledger(&restored.db, None).await.expect("verify");
    assert!(verified.ok && verified.checked == stored, "{verified:?}");

    let app = TestApp::on(Arc::new(restored)).await;
    // The restored users still work, and a user created after the restore (TestApp::on made four) too.
    let old_staff = &source.staff;
    assert_eq!(app.get("/api/issues", old_staff).await.status, StatusCode::OK, "a restored token works");
    assert_eq!(app.get("/api/issues", &app.staff).await.status, StatusCode::OK, "a new token works");
    // New writes are projected: a forum (projected by the runner) and an issue.
    let after = app.raise(&area, "LIV", "หลังกู้คืน").await;
    let forum = app
        .post("/api/forums", &app.staff, json!({"area_id": area, "held_on": "2026-12-01", "title": "เวทีหลังกู้คืน"}))
        .await;
    assert_eq!(forum.status, StatusCode::CREATED, "{:?}", forum.body);
    let forum_id = forum.body["id"].as_str().expect("id").to_owned();
    settle(&app.state.runner, app.db()).await;
    let r = app.get(&format!("/api/forums/{forum_id}"), &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "a forum created after the restore is projected: {:?}", r.body);
    let list = app.get(&format!("/api/issues?area_id={area}&limit=100"), &app.staff).await;
    let ids: Vec<&str> = list.body["items"].as_array().unwrap().iter().filter_map(|i| i["id"].as_str()).collect();
    for id in before.iter().chain([&after]) {
        assert!(ids.contains(&id.as_str()), "issue {id} is listed after the restore");
    }
    // Every event is projected: the ledger holds one row per event, the checkpoint is at the newest.
    let events = scalar(app.db(), "SELECT COUNT(*) FROM events").await;
    assert!(events > stored, "the restored app wrote events");
    assert!(scalar(app.db(), "SELECT base FROM log_tx_base").await > 0, "the restore base was raised");
    let chained = ledger_rows_once_caught_up(&app, events).await;
    assert_eq!(chained, events, "one ledger row per event");
    let r = app.get("/readyz", &app.staff).await;
    assert_eq!((r.status, r.body["projection_lag"].as_i64()), (StatusCode::OK, Some(0)), "{:?}", r.body);

    // Revocation after the restore: the restored staff user, deactivated, is refused.
    let old_id = santisuk_projections::users::user_by_token(app.db(), old_staff).await.expect("lookup");
    let old_id = old_id.expect("the restored staff user").id;
    let r = app.post(&format!("/api/users/{old_id}/deactivate"), &app.admin, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.get("/api/issues", old_staff).await.status, StatusCode::UNAUTHORIZED, "a deactivated token");

    // The ledger verifies: no tampering where there was none.
    let r = app.get("/api/audit/verify", &app.auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["ok"], json!(true), "{:?}", r.body);
    // A rebuild replays every event, users included.
    let events = scalar(app.db(), "SELECT COUNT(*) FROM events").await;
    let replayed = santisuk_app::admin::rebuild_read_model(app.db()).await.expect("rebuild");
    assert_eq!(replayed as i64, events, "the rebuild replays the whole log");
    app.state.changes.read_model_changed();
    assert_eq!(app.get("/api/issues", &app.staff).await.status, StatusCode::OK, "users survive the rebuild");
}

/// A stalled runner shows in `/readyz`. PostgreSQL, a write transaction held open: the waiting events are
/// counted at once, past the configured bound the answer is 503 `unavailable`, and once the transaction
/// ends the runner catches up and `/readyz` is ready again with nothing skipped. SQLite, an event the
/// runner cannot decode: 503 naming the failing projection as soon as its turn has failed.
async fn readyz_reports_a_stalled_projection_and_turns_503_past_the_bound(backend: Backend) {
    let app = TestApp::on(Arc::new(TestDb::private(backend).await)).await;
    let limits = santisuk_http::limits::Limits { ready_max_lag: 5, ..santisuk_http::limits::Limits::relaxed() };
    let app = TestApp { router: santisuk_http::app_with(app.state.clone(), &limits).expect("limits"), ..app };
    let r = app.get("/readyz", &app.staff).await;
    assert_eq!((r.status, r.body["projection_lag"].as_i64()), (StatusCode::OK, Some(0)), "{:?}", r.body);

    let area = app.area("ST-1").await;
    settle(&app.state.runner, app.db()).await;
    let stall = crate::access::stall(app.db()).await;
    let stalled = std::time::Instant::now();
    let forum = app
        .post("/api/forums", &app.staff, json!({"area_id": area, "held_on": "2026-12-01", "title": "เวทีระหว่างค้าง"}))
        .await;
    assert_eq!(forum.status, StatusCode::CREATED, "{:?}", forum.body);
    if let crate::access::Stall::UndecodableEvent = stall {
        // A runner that fails on an event is not ready at once (it retries; the log names the position).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let r = app.get("/readyz", &app.staff).await;
            if r.status == StatusCode::SERVICE_UNAVAILABLE {
                assert!(r.body["error"]["message"].as_str().unwrap_or("").contains("read_model"), "{:?}", r.body);
                let m = metrics(&app).await;
                assert!(m.contains("santisuk_projection_failing{projection=\"read_model\"} 1"), "{m}");
                assert!(m.contains("santisuk_projection_failing{projection=\"ledger\"} 0"), "{m}");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "a failing runner shows in /readyz: {:?}", r.body);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        return;
    }
    let _ = app.state.runner.catch_up().await;
    let r = app.get("/readyz", &app.staff).await;
    let lag = r.body["projection_lag"].as_i64().unwrap_or(-1);
    assert!(r.status == StatusCode::OK && lag >= 1, "the waiting events are counted at once: {:?}", r.body);
    // The same figures for a scraper.
    let m = metrics(&app).await;
    let gauge = |name: &str| -> Option<f64> {
        m.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).and_then(|v| v.parse().ok())
    };
    assert_eq!(gauge("santisuk_database_up"), Some(1.0), "{m}");
    assert!(gauge("santisuk_projection_lag_events").is_some_and(|n| n >= 1.0), "{m}");
    assert!(gauge("santisuk_projection_lag_seconds").is_some_and(|s| s > 0.0), "{m}");
    // (A forum command waits up to 2 s for the runner before it answers, so the first look is within the
    // 5 s bound, and this one past it.)
    tokio::time::sleep(std::time::Duration::from_millis(5_500).saturating_sub(stalled.elapsed())).await;
    let r = app.get("/readyz", &app.staff).await;
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "{:?}", r.body);

    if let crate::access::Stall::Transaction(mut conn) = stall {
        sqlx::query("ROLLBACK").execute(&mut *conn).await.expect("end the held transaction");
        drop(conn);
        settle(&app.state.runner, app.db()).await;
        let r = app.get("/readyz", &app.staff).await;
        assert_eq!((r.status, r.body["projection_lag"].as_i64()), (StatusCode::OK, Some(0)), "{:?}", r.body);
        let id = forum.body["id"].as_str().expect("id");
        assert_eq!(app.get(&format!("/api/forums/{id}"), &app.staff).await.status, StatusCode::OK, "nothing skipped");
    }
}

/// `GET /metrics` as text.
async fn metrics(app: &TestApp) -> String {
    use tower::ServiceExt;
    let req = axum::http::Request::get("/metrics").body(axum::body::Body::empty()).expect("a request");
    let resp = app.router.clone().oneshot(req).await.expect("an answer");
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(resp.into_body()).await.expect("a body").to_bytes();
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

/// `santisuk backup` (SQLite): a consistent copy taken while the app writes, which opens as a database
/// with every event and passes `PRAGMA integrity_check`; an existing file is refused and left alone. On
/// PostgreSQL it is refused with a pointer to pg_dump, and writes nothing.
async fn a_backup_copies_the_embedded_database_while_it_runs(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("BK-1").await;
    let writer = {
        let app = app.clone();
        let area = area.clone();
        tokio::spawn(async move {
            for i in 0..20 {
                app.raise(&area, "LIV", &format!("ระหว่างสำรอง {i}")).await;
            }
        })
    };
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("santisuk.db");
    let result = santisuk_app::admin::backup(app.db(), &file).await;
    writer.await.expect("the writer");
    match backend {
        Backend::Postgres => {
            let e = result.expect_err("refused on PostgreSQL");
            assert!(e.to_string().contains("pg_dump"), "{e}");
            assert!(!file.exists(), "nothing written");
        }
        Backend::Sqlite => {
            result.expect("a backup");
            let copy = Db::open_sqlite(dir.path()).await.expect("the copy opens");
            let ok: String =
                on_db!(&copy, p => sqlx::query_scalar("PRAGMA integrity_check").fetch_one(p).await.unwrap());
            assert_eq!(ok, "ok");
            let copied = scalar(&copy, "SELECT COUNT(*) FROM events").await;
            let now = scalar(app.db(), "SELECT COUNT(*) FROM events").await;
            assert!(copied > 0 && copied <= now, "a prefix of the log: {copied} of {now}");
            let max: i64 = scalar(&copy, "SELECT MAX(position) FROM events").await;
            assert_eq!(copied, scalar(app.db(), &format!("SELECT COUNT(*) FROM events WHERE position <= {max}")).await);
            let before = std::fs::metadata(&file).expect("the copy").len();
            let again = santisuk_app::admin::backup(app.db(), &file).await.expect_err("an existing file is refused");
            assert!(again.to_string().contains("exists already"), "{again}");
            assert_eq!(std::fs::metadata(&file).expect("the copy").len(), before, "left alone");
        }
    }
}

santisuk_tests::both_backends!(
    readyz_reports_a_stalled_projection_and_turns_503_past_the_bound,
    a_backup_copies_the_embedded_database_while_it_runs,
    a_projection_that_panics_is_restarted_and_skips_nothing,
    a_keyed_action_or_forum_retried_writes_once,
    random_rollbacks_by_a_second_writer_leave_no_stall_and_no_gap,
    full_queues_shed_commands_with_503_and_write_nothing,
    keyed_user_commands_retried_write_once
);

/// What clients saw during a fault: the issues acknowledged (201), and every status with its count.
#[derive(Debug, Default)]
struct Seen {
    acknowledged: Vec<String>,
    statuses: std::collections::BTreeMap<u16, usize>,
    /// The first few answers that were neither a success nor a 503, with their bodies (for the failure).
    unexpected: Vec<String>,
}

impl Seen {
    fn count(&mut self, what: &str, status: StatusCode, body: &serde_json::Value) {
        *self.statuses.entry(status.as_u16()).or_default() += 1;
        if ![200, 201, 503].contains(&status.as_u16()) && self.unexpected.len() < 5 {
            self.unexpected.push(format!("{what}: {status} {body}"));
        }
    }
}

/// Four clients raising issues and reading the list, until stopped.
struct Load {
    stop: Arc<std::sync::atomic::AtomicBool>,
    clients: Vec<tokio::task::JoinHandle<Seen>>,
}

impl Load {
    fn start(app: &TestApp, area: &str) -> Load {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients = (0..4)
            .map(|client| {
                let (app, area, stop) = (app.clone(), area.to_owned(), stop.clone());
                tokio::spawn(async move {
                    let mut seen = Seen::default();
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        n += 1;
                        let body = json!({"area_id": area, "category": "LIV", "title": format!("ภาระ {client}-{n}")});
                        let r = app.post("/api/issues", &app.staff, body).await;
                        seen.count("raise", r.status, &r.body);
                        if r.status == StatusCode::CREATED {
                            seen.acknowledged.push(r.body["id"].as_str().expect("id").to_owned());
                        }
                        let list = app.get("/api/issues?limit=5", &app.staff).await;
                        seen.count("list", list.status, &list.body);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                    seen
                })
            })
            .collect();
        Load { stop, clients }
    }

    async fn stop(self) -> Seen {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut seen = Seen::default();
        for client in self.clients {
            let s = client.await.expect("a client");
            seen.acknowledged.extend(s.acknowledged);
            seen.unexpected.extend(s.unexpected);
            for (status, n) in s.statuses {
                *seen.statuses.entry(status).or_default() += n;
            }
        }
        seen
    }
}

/// Waits until `/readyz` is ready with nothing left to project. Once the database serves again, a
/// background projection whose turns failed meanwhile is still backing off (at most 5 s) and `/readyz`
/// rightly answers 503 until its next turn succeeds; the bound here leaves room for that, and no more.
async fn ready_again(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let r = app.get("/readyz", &app.staff).await;
        if (r.status, r.body["projection_lag"].as_i64()) == (StatusCode::OK, Some(0)) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "/readyz is not ready again within 15 s: {:?}", r.body);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Runs the ledger until it holds `events` rows (up to 20 s); returns how many it holds.
async fn ledger_rows_once_caught_up(app: &TestApp, events: i64) -> i64 {
    let mut chained = 0;
    for _ in 0..2_000 {
        app.state.ledger.catch_up().await.expect("the ledger");
        chained = scalar(app.db(), "SELECT COUNT(*) FROM ledger").await;
        if chained == events {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    chained
}

/// Every acknowledged issue is readable, and no issue was raised twice.
async fn nothing_lost_or_doubled(app: &TestApp, acknowledged: &[String]) {
    for id in acknowledged {
        let r = app.get(&format!("/api/issues/{id}"), &app.staff).await;
        assert_eq!(r.status, StatusCode::OK, "acknowledged issue {id} is kept: {:?}", r.body);
    }
    let doubled = scalar(
        app.db(),
        "SELECT COUNT(*) FROM (SELECT aggregate_id FROM events WHERE event_type = 'IssueRaised' \
         GROUP BY aggregate_id HAVING COUNT(*) > 1) d",
    )
    .await;
    assert_eq!(doubled, 0, "no issue raised twice");
}

/// PostgreSQL stopped at once (`-m immediate`) under load from four clients and started again 4 s later:
/// every answer is a success or 503 (never 500), `/readyz` answers 503 within about a second while it is
/// down, nothing acknowledged is lost or stored twice, and Santisuk serves again without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_under_load_answers_503_and_recovers_without_a_restart() {
    let cluster = pg::private_cluster().await;
    let timeout = std::time::Duration::from_secs(2);
    let db = Db::open_postgres_with(&cluster.url, 8, timeout, Some(timeout)).await.expect("connect");
    let app = TestApp::on(Arc::new(TestDb::wrap(db))).await;
    let area = app.area("OUT-1").await;
    settle(&app.state.runner, app.db()).await;

    let load = Load::start(&app, &area);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let cluster = Arc::new(cluster);
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.stop_immediately()).await.expect("stop");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let asked = std::time::Instant::now();
    let ready = app.get("/readyz", &app.staff).await;
    let took = asked.elapsed();
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", ready.body);
    assert!(took < std::time::Duration::from_millis(1500), "/readyz took {took:?} with the database down");
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.start()).await.expect("start");
    tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
    let seen = load.stop().await;
    // Recovered without a restart: a command works, and the projections catch up.
    let after = app.raise(&area, "LIV", "หลังดับ").await;
    settle(&app.state.runner, app.db()).await;
    ready_again(&app).await;

    let unexpected: Vec<_> = seen.statuses.keys().filter(|s| ![200, 201, 503].contains(*s)).collect();
    assert!(
        unexpected.is_empty(),
        "only successes and 503 during the outage: {:?} {:?}",
        seen.statuses,
        seen.unexpected
    );
    assert!(seen.statuses.get(&503).copied().unwrap_or(0) > 0, "the outage was seen: {:?}", seen.statuses);
    let mut acknowledged = seen.acknowledged.clone();
    acknowledged.push(after);
    nothing_lost_or_doubled(&app, &acknowledged).await;
    eprintln!("outage: {} acknowledged, statuses {:?}", seen.acknowledged.len(), seen.statuses);
}

/// A projection that panics on its first batch, then applies normally: counts what it applied.
#[derive(Debug, Default, Clone)]
struct Panicky {
    panicked: Arc<std::sync::atomic::AtomicBool>,
    applied: Arc<std::sync::atomic::AtomicUsize>,
}

impl santisuk_projections::runner::Projection for Panicky {
    const NAME: &'static str = "test_panicky";
    const TABLES: &'static [&'static str] = &[];

    async fn apply(
        &self,
        _tx: &mut santisuk_store::db::DbTx,
        events: &[santisuk_store::events::StoredEvent],
    ) -> Result<(), santisuk_store::StoreError> {
        if !self.panicked.swap(true, std::sync::atomic::Ordering::SeqCst) {
            panic!("a projection defect");
        }
        self.applied.fetch_add(events.len(), std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    async fn reset(&self, _tx: &mut santisuk_store::db::DbTx) -> Result<(), santisuk_store::StoreError> {
        Ok(())
    }
}

/// A runner whose projection panics is restarted with back-off and reports the failure until a turn
/// succeeds; nothing is skipped (the panicking batch is applied again).
async fn a_projection_that_panics_is_restarted_and_skips_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    for i in 0..3 {
        app.raise(&app.area(&format!("PN-{i}")).await, "LIV", "เรื่อง").await;
    }
    let events = scalar(app.db(), "SELECT COUNT(*) FROM events").await as usize;
    // A clone shares the counters: the runner owns one, the test reads the other.
    let projection = Panicky::default();
    let runner = santisuk_projections::runner::Runner::new(app.db().clone(), projection.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(runner.clone().run(async {
        let _ = stopped.await;
    }));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut saw_failure = false;
    while projection.applied.load(std::sync::atomic::Ordering::SeqCst) < events {
        saw_failure |= runner.failure().is_some_and(|f| f.contains("panicked"));
        assert!(std::time::Instant::now() < deadline, "the runner did not recover from the panic");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(projection.panicked.load(std::sync::atomic::Ordering::SeqCst), "it panicked once");
    assert!(saw_failure, "the panic was reported while the runner waited to retry");
    assert_eq!(
        projection.applied.load(std::sync::atomic::Ordering::SeqCst),
        events,
        "every event once, after the panic"
    );
    while runner.failure().is_some() {
        assert!(std::time::Instant::now() < deadline, "the failure is cleared once a turn succeeds");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let _ = stop.send(());
    task.await.expect("the runner stops");
}

/// The connection dies after a group of appends committed, before its answer arrives (injected, PostgreSQL):
/// each command is found stored as sent and answered as done. Writing them again would have met their own
/// events and judged each command a second time (a second assignment, or a false conflict).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_whose_answer_was_lost_is_read_back_not_run_twice() {
    let app = TestApp::new(Backend::Postgres).await;
    let area = app.area("LA-1").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(app.raise(&area, "LIV", &format!("คำตอบหาย {i}")).await);
    }
    let assigned = |id: &str| {
        let sql = format!("SELECT COUNT(*) FROM events WHERE aggregate_id = '{id}' AND event_type = 'IssueAssigned'");
        let db = app.db().clone();
        async move { scalar(&db, &sql).await }
    };
    // One command alone.
    santisuk_store::append::lose_next_answers(app.db(), 1);
    let r = app.post(&format!("/api/issues/{}/assign", ids[0]), &app.staff, json!({"assignee": "อบต.ก"})).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{:?}", r.body);
    assert_eq!(assigned(&ids[0]).await, 1, "assigned once");
    // A group of three, held back so they commit together.
    let held = santisuk_store::append::hold(app.db()).await;
    santisuk_store::append::lose_next_answers(app.db(), 1);
    let commands: Vec<_> = ids[1..]
        .iter()
        .map(|id| {
            let (app, id) = (app.clone(), id.clone());
            tokio::spawn(async move {
                app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อำเภอ"})).await
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(held);
    for (id, command) in ids[1..].iter().zip(commands) {
        let r = command.await.expect("a command");
        assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{id}: {:?}", r.body);
        assert_eq!(assigned(id).await, 1, "{id} assigned once");
    }
    // A raise, whose case number the store allocated in the lost transaction: read back by the number its
    // stored event holds, answered with it, stored once; the next raise takes the next number.
    let numbered = |r: &santisuk_tests::Reply| r.body["case_number"].as_str().unwrap_or_default().to_owned();
    santisuk_store::append::lose_next_answers(app.db(), 1);
    let body = json!({"area_id": area, "category": "LIV", "title": "เลขที่หาย"});
    let r = app.post("/api/issues", &app.staff, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert!(numbered(&r).ends_with("-00005"), "{:?}", r.body);
    let raised = "SELECT COUNT(*) FROM events WHERE event_type = 'IssueRaised'";
    assert_eq!(scalar(app.db(), raised).await, 5, "raised once");
    let r = app.post("/api/issues", &app.staff, body).await;
    assert!(numbered(&r).ends_with("-00006"), "{:?}", r.body);
}

/// Issue #14 §3: every command endpoint takes `Idempotency-Key`. A retry of an action or a forum with the
/// same key and body is answered as the first run was and writes nothing; the same key with another body
/// is refused (422) and writes nothing; two retries racing the first run store one event.
async fn a_keyed_action_or_forum_retried_writes_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("ID-1").await;
    let issue = app.raise(&area, "LIV", "ลองซ้ำ").await;
    let path = format!("/api/issues/{issue}/assign");
    let body = json!({"assignee": "อบต.ก", "note": "ส่งต่อ"});
    let first = app.post_with(&path, &app.staff, body.clone(), &[("idempotency-key", "assign-1")]).await;
    assert_eq!((first.status, first.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{:?}", first.body);
    let events = app.event_count().await;
    let again = app.post_with(&path, &app.staff, body.clone(), &[("idempotency-key", "assign-1")]).await;
    assert_eq!((again.status, &again.body), (StatusCode::OK, &first.body), "the first answer again");
    assert_eq!(app.event_count().await, events, "a retry writes nothing");
    let other = json!({"assignee": "อำเภอ"});
    let reused = app.post_with(&path, &app.staff, other.clone(), &[("idempotency-key", "assign-1")]).await;
    assert_eq!((reused.status, reused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    assert_eq!(app.event_count().await, events, "a reused key writes nothing");
    // Another user's same key is theirs: it runs.
    let admins = app.post_with(&path, &app.admin, other, &[("idempotency-key", "assign-1")]).await;
    assert_eq!((admins.status, admins.body["version"].as_i64()), (StatusCode::OK, Some(3)), "{:?}", admins.body);
    // Racing retries of one keyed close: one event.
    let close = format!("/api/issues/{issue}/close");
    let racing: Vec<_> = (0..4)
        .map(|_| {
            let (app, close) = (app.clone(), close.clone());
            tokio::spawn(async move {
                app.post_with(&close, &app.staff, json!({"outcome": "referred"}), &[("idempotency-key", "close-1")])
                    .await
            })
        })
        .collect();
    let mut versions = Vec::new();
    for r in racing {
        let r = r.await.expect("a request");
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        versions.push(r.body["version"].as_i64());
    }
    versions.dedup();
    assert_eq!(versions, vec![Some(4)], "every retry got the one close");
    let closes: i64 = on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE aggregate_id = $1 AND event_type = 'IssueClosed'")
        .bind(&issue).fetch_one(p).await.unwrap());
    assert_eq!(closes, 1);

    // A forum.
    let forum = json!({"area_id": area, "held_on": "2026-12-01", "title": "เวทีซ้ำ"});
    let first = app.post_with("/api/forums", &app.staff, forum.clone(), &[("idempotency-key", "forum-1")]).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let events = app.event_count().await;
    let again = app.post_with("/api/forums", &app.staff, forum, &[("idempotency-key", "forum-1")]).await;
    assert_eq!((again.status, &again.body["forum"]["id"]), (StatusCode::CREATED, &first.body["forum"]["id"]));
    assert_eq!(again.body["version"], first.body["version"]);
    assert_eq!(app.event_count().await, events, "a retried forum writes nothing");
    let other = json!({"area_id": area, "held_on": "2026-12-02", "title": "เวทีอื่น"});
    let reused = app.post_with("/api/forums", &app.staff, other, &[("idempotency-key", "forum-1")]).await;
    assert_eq!((reused.status, reused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    assert_eq!(app.event_count().await, events, "a reused key writes nothing");
}

/// Connections killed under load (`pg_terminate_backend` of every Santisuk backend, every 150 ms for 2 s,
/// on a private cluster): only successes and 503s, nothing acknowledged lost, nothing stored twice, and
/// the projections catch up afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_killed_under_load_answer_503_and_lose_nothing() {
    let cluster = pg::private_cluster().await;
    let timeout = std::time::Duration::from_secs(2);
    let db = Db::open_postgres_with(&cluster.url, 8, timeout, Some(timeout)).await.expect("connect");
    let app = TestApp::on(Arc::new(TestDb::wrap(db))).await;
    let area = app.area("KL-1").await;
    settle(&app.state.runner, app.db()).await;
    let killer = Db::open_postgres(&cluster.url, 1).await.expect("a connection of the killer's own");
    let load = Load::start(&app, &area);
    let mut killed = 0;
    for _ in 0..13 {
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        killed += scalar(
            &killer,
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()) k",
        )
        .await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let seen = load.stop().await;
    settle(&app.state.runner, app.db()).await;
    ready_again(&app).await;
    let unexpected: Vec<_> = seen.statuses.keys().filter(|s| ![200, 201, 503].contains(*s)).collect();
    assert!(unexpected.is_empty(), "only successes and 503: {:?} {:?}", seen.statuses, seen.unexpected);
    assert!(killed > 0, "connections were killed");
    nothing_lost_or_doubled(&app, &seen.acknowledged).await;
    eprintln!("killed {killed} connections: {} acknowledged, statuses {:?}", seen.acknowledged.len(), seen.statuses);
}

/// A second writer appending to the log while 20 % of its transactions roll back (holes in the positions,
/// transactions finishing out of order), beside Santisuk's own load: the projections neither stall nor skip
/// (every committed event is projected and chained once).
async fn random_rollbacks_by_a_second_writer_leave_no_stall_and_no_gap(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("RB-1").await;
    settle(&app.state.runner, app.db()).await;
    let other = app.db().clone();
    let writer = tokio::spawn(async move {
        let (mut committed, mut rolled_back) = (0, 0);
        for n in 0..150 {
            let mut tx = other.begin_write().await.expect("begin");
            on_tx!(&mut tx, t => {
                sqlx::query(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
                 VALUES ('Forum', $1, 1, 'ForumHeld', '2.0', $2, '{}')")
                .bind(format!("00000000-0000-4000-8000-{n:012}"))
                .bind(json!({"ForumHeld": {"area_id": "RB-1", "held_on": "2026-12-01", "title": null,
                    "facilitator": null, "head_count": null}}))
                .execute(&mut **t).await.expect("insert");
            });
            if n % 5 == 0 {
                drop(tx); // rolled back
                rolled_back += 1;
            } else {
                tx.commit().await.expect("commit");
                committed += 1;
            }
        }
        (committed, rolled_back)
    });
    let load = Load::start(&app, &area);
    let (committed, rolled_back) = writer.await.expect("the second writer");
    let seen = load.stop().await;
    settle(&app.state.runner, app.db()).await;
    nothing_lost_or_doubled(&app, &seen.acknowledged).await;
    let forums = scalar(app.db(), "SELECT COUNT(*) FROM forums WHERE id LIKE '00000000-0000-4000-8000-%'").await;
    assert_eq!((forums, rolled_back), (committed, 30), "every committed forum projected, none of the rolled back");
    let events = scalar(app.db(), "SELECT COUNT(*) FROM events").await;
    let chained = ledger_rows_once_caught_up(&app, events).await;
    assert_eq!(chained, events, "one ledger row per committed event");
    assert!(seen.statuses.keys().all(|s| [200, 201].contains(s)), "{:?}", seen.statuses);
}

/// Sets `PRAGMA max_page_count` on every connection of a SQLite pool (the setting is per connection).
async fn set_max_pages(db: &Db, pages: i64) {
    let santisuk_store::db::Pool::Sqlite(pool) = db.pool() else { panic!("SQLite only") };
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        let mut conn = pool.acquire().await.expect("a connection");
        sqlx::query(&format!("PRAGMA max_page_count = {pages}")).execute(&mut *conn).await.expect("pragma");
        held.push(conn);
    }
}

/// SQLite whose file may not grow (a size limit the test sets with `PRAGMA max_page_count`, as a full
/// disk would): commands answer 503 `unavailable` and write nothing, reads go on, and once there is room
/// again the server serves commands without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_out_of_space_answers_503_writes_nothing_and_recovers() {
    let app = TestApp::new(Backend::Sqlite).await;
    let area = app.area("FD-1").await;
    let before = app.raise(&area, "LIV", "ก่อนเต็ม").await;
    settle(&app.state.runner, app.db()).await;
    let pages = scalar(app.db(), "PRAGMA page_count").await;
    set_max_pages(app.db(), pages).await;
    let events = app.event_count().await;
    let mut refused = 0;
    for i in 0..20 {
        // A long description: each raise needs pages the file may not take.
        let body =
            json!({"area_id": area, "category": "LIV", "title": format!("เต็ม {i}"), "description": "ก".repeat(1900)});
        let r = app.post("/api/issues", &app.staff, body).await;
        if r.status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(r.code(), "unavailable", "{:?}", r.body);
            assert!(r.headers.contains_key("retry-after"));
            refused += 1;
        } else {
            assert_eq!(r.status, StatusCode::CREATED, "only 201 or 503: {:?}", r.body);
        }
    }
    assert!(refused > 0, "the size limit was reached");
    let written = app.event_count().await - events;
    assert_eq!(written, 20 - refused, "a refused raise wrote nothing");
    assert_eq!(app.get(&format!("/api/issues/{before}"), &app.staff).await.status, StatusCode::OK, "reads go on");
    set_max_pages(app.db(), 1_073_741_823).await;
    let after = app.raise(&area, "LIV", "หลังมีที่").await;
    settle(&app.state.runner, app.db()).await;
    assert_eq!(app.get(&format!("/api/issues/{after}"), &app.staff).await.status, StatusCode::OK);
    let ok: String = on_db!(app.db(), p => sqlx::query_scalar("PRAGMA integrity_check").fetch_one(p).await.unwrap());
    assert_eq!(ok, "ok");
}

/// Issue #14 §2, bounded queues. A command that waits for its turn to write longer than the bound is
/// withdrawn and answered 503 `unavailable`, and stays unwritten after the queue moves again (never an
/// answer of failure for something that later commits); beyond the bound on commands held at once, a
/// command is refused at once while the held ones complete; `/readyz` counts them.
async fn full_queues_shed_commands_with_503_and_write_nothing(backend: Backend) {
    use std::time::Duration;
    let mut test_db = TestDb::new(backend).await;
    test_db.db = test_db.db.clone().with_write_wait(Duration::from_millis(300));
    let app = TestApp::on(Arc::new(test_db)).await;
    let area = app.area("SH-1").await;
    let raise = |app: &TestApp, title: &str| {
        let (app, body) = (app.clone(), json!({"area_id": area, "category": "LIV", "title": title}));
        tokio::spawn(async move { app.post("/api/issues", &app.staff, body).await })
    };
    let events = app.event_count().await;

    // The write queue does not move for longer than the bound.
    let held = santisuk_store::append::hold(app.db()).await;
    let started = std::time::Instant::now();
    let r = raise(&app, "รอนานเกิน").await.expect("a raise");
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "{:?}", r.body);
    assert!(r.headers.contains_key("retry-after"));
    assert!(started.elapsed() < Duration::from_secs(10), "shed after the bound, not after the hold");
    drop(held);
    let after = app.raise(&area, "LIV", "คิวเดินแล้ว").await;
    settle(&app.state.runner, app.db()).await;
    assert_eq!(app.event_count().await, events + 1, "the shed raise was withdrawn: only the later one is stored");
    assert_eq!(app.get(&format!("/api/issues/{after}"), &app.staff).await.status, StatusCode::OK);

    // At most three commands held at once (a state of its own on a handle whose queue waits long).
    let db = app.db().clone().with_write_wait(Duration::from_secs(60));
    let small = santisuk_app::AppState::prepare_with(db.clone(), 3).await.expect("prepare");
    let router = santisuk_http::app_with(small.clone(), &santisuk_http::limits::Limits::relaxed()).expect("router");
    let small_app = TestApp { state: small.clone(), router, ..app.clone() };
    let events = app.event_count().await;
    let held = santisuk_store::append::hold(&db).await;
    let waiting: Vec<_> = (0..3).map(|i| raise(&small_app, &format!("รอคิว {i}"))).collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while small.pending_commands() < 3 {
        assert!(std::time::Instant::now() < deadline, "three commands held: {}", small.pending_commands());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ready = small_app.get("/readyz", "").await;
    assert_eq!((ready.status, ready.body["pending_commands"].as_u64()), (StatusCode::OK, Some(3)), "{:?}", ready.body);
    let started = std::time::Instant::now();
    let r = raise(&small_app, "เกินคิว").await.expect("a raise");
    assert_eq!((r.status, r.code()), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"), "{:?}", r.body);
    assert!(r.headers.contains_key("retry-after"));
    assert!(started.elapsed() < Duration::from_secs(5), "refused at once, not queued");
    assert_eq!(app.event_count().await, events, "nothing written while held");
    drop(held);
    for w in waiting {
        let r = w.await.expect("a raise");
        assert_eq!(r.status, StatusCode::CREATED, "the held commands complete: {:?}", r.body);
    }
    assert_eq!(app.event_count().await, events + 3, "the three held, not the refused one");
    assert_eq!(small.pending_commands(), 0);
}

/// A writer left idle in a transaction for 60 s (PostgreSQL, a private cluster: on the shared one it would
/// stall every database). Under load from four clients: every command is acknowledged (the writers are not
/// blocked), the projection lag grows and `/readyz` says so (503 past its bound), a deactivation and a new
/// user hold at once all the while, and when the transaction ends every acknowledged event is projected
/// and chained once, with nothing skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_in_transaction_writer_for_60_s_grows_the_lag_and_skips_nothing() {
    use std::time::Duration;
    let app = TestApp::on(Arc::new(TestDb::private(Backend::Postgres).await)).await;
    let limits = santisuk_http::limits::Limits { ready_max_lag: 10, ..santisuk_http::limits::Limits::relaxed() };
    let app = TestApp { router: santisuk_http::app_with(app.state.clone(), &limits).expect("limits"), ..app };
    let area = app.area("IT-1").await;
    let doomed = app.post("/api/users", &app.admin, json!({"name": "doomed", "role": "staff"})).await;
    assert_eq!(doomed.status, StatusCode::CREATED, "{:?}", doomed.body);
    let doomed_token = doomed.body["token"].as_str().expect("token").to_owned();
    settle(&app.state.runner, app.db()).await;

    let stall = crate::access::stall(app.db()).await;
    let stalled = std::time::Instant::now();
    let load = Load::start(&app, &area);
    let mut lags = Vec::new();
    let mut not_ready = 0;
    let mut revoked = false;
    while stalled.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let _ = app.state.runner.catch_up().await;
        lags.push(app.state.projection_lag().await.expect("lag"));
        let ready = app.get("/readyz", &app.staff).await;
        if ready.status == StatusCode::SERVICE_UNAVAILABLE {
            assert!(ready.body["error"]["message"].as_str().unwrap_or("").contains("stalled"), "{:?}", ready.body);
            not_ready += 1;
        } else {
            assert_eq!(ready.status, StatusCode::OK, "{:?}", ready.body);
        }
        if !revoked && stalled.elapsed() > Duration::from_secs(20) {
            // Revocation and a new user hold at once, with the projections 20 s behind.
            assert_eq!(app.get("/api/categories", &doomed_token).await.status, StatusCode::OK);
            let path = format!("/api/users/{}/deactivate", doomed.body["id"].as_str().expect("id"));
            assert_eq!(app.post(&path, &app.admin, json!({})).await.status, StatusCode::OK);
            assert_eq!(app.get("/api/categories", &doomed_token).await.status, StatusCode::UNAUTHORIZED);
            let fresh = app.post("/api/users", &app.admin, json!({"name": "fresh", "role": "auditor"})).await;
            assert_eq!(fresh.status, StatusCode::CREATED, "{:?}", fresh.body);
            let token = fresh.body["token"].as_str().expect("token");
            assert_eq!(app.get("/api/categories", token).await.status, StatusCode::OK);
            revoked = true;
        }
    }
    let seen = load.stop().await;
    let crate::access::Stall::Transaction(mut conn) = stall else { unreachable!("PostgreSQL") };
    sqlx::query("ROLLBACK").execute(&mut *conn).await.expect("end the idle transaction");
    drop(conn);
    let released = std::time::Instant::now();
    settle(&app.state.runner, app.db()).await;
    let caught_up = released.elapsed();
    let r = app.get("/readyz", &app.staff).await;
    assert_eq!((r.status, r.body["projection_lag"].as_i64()), (StatusCode::OK, Some(0)), "{:?}", r.body);

    assert!(revoked);
    assert!(seen.statuses.keys().all(|s| [200, 201].contains(s)), "writers are not blocked: {:?}", seen.statuses);
    assert!(lags.windows(2).all(|w| w[1].events >= w[0].events), "the lag only grows while stalled: {lags:?}");
    let (first, last) = (lags[0], lags[lags.len() - 1]);
    assert!(last.events > first.events && last.seconds > 50.0, "the lag grew to the whole stall: {lags:?}");
    assert!(not_ready >= 8, "/readyz said so past its 10 s bound ({not_ready} of {} looks)", lags.len());
    nothing_lost_or_doubled(&app, &seen.acknowledged).await;
    let listed = scalar(app.db(), "SELECT COUNT(*) FROM issues").await;
    assert_eq!(listed as usize, seen.acknowledged.len(), "every acknowledged raise is in the list, once");
    let events = scalar(app.db(), "SELECT COUNT(*) FROM events").await;
    assert_eq!(ledger_rows_once_caught_up(&app, events).await, events, "every event chained once");
    eprintln!(
        "idle in transaction 60 s: {} acknowledged, statuses {:?}, lag at the end {} events / {:.0} s, \
         /readyz 503 in {not_ready} of {} looks, caught up {caught_up:?} after the release",
        seen.acknowledged.len(),
        seen.statuses,
        last.events,
        last.seconds,
        lags.len()
    );
}

/// Issue #14 §3 for users: creating a user, rotating its token, changing its areas and deactivating it take
/// `Idempotency-Key`. A retry answers as the first run did and writes nothing (a replayed creation or
/// rotation carries no token: the one made was shown once, and it is the one that works); the same key
/// with another request is 422 and writes nothing.
async fn keyed_user_commands_retried_write_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("IU-1").await;
    let key = |k: &'static str| [("idempotency-key", k)];
    let body = json!({"name": "kanya", "role": "coordinator", "areas": [area]});
    let first = app.post_with("/api/users", &app.admin, body.clone(), &key("user-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let token = first.body["token"].as_str().expect("the first answer carries the token").to_owned();
    let id = first.body["id"].as_str().expect("id").to_owned();
    let events = app.event_count().await;
    let again = app.post_with("/api/users", &app.admin, body.clone(), &key("user-1")).await;
    assert_eq!(again.status, StatusCode::CREATED, "{:?}", again.body);
    assert_eq!((again.body["id"].as_str(), again.body.get("token")), (Some(id.as_str()), None), "{:?}", again.body);
    assert_eq!(app.event_count().await, events, "a replay writes nothing");
    assert_eq!(app.get("/api/categories", &token).await.status, StatusCode::OK, "the first token works");
    let other = json!({"name": "kanya", "role": "staff"});
    let reused = app.post_with("/api/users", &app.admin, other, &key("user-1")).await;
    assert_eq!((reused.status, reused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    // Without a key, the same request is the conflict it always was.
    let unkeyed = app.post("/api/users", &app.admin, body).await;
    assert_eq!((unkeyed.status, unkeyed.code()), (StatusCode::CONFLICT, "user_exists"), "{:?}", unkeyed.body);
    assert_eq!(app.event_count().await, events);

    let rotate = format!("/api/users/{id}/token");
    let rotated = app.post_with(&rotate, &app.admin, json!({}), &key("rotate-1")).await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let new_token = rotated.body["token"].as_str().expect("a new token").to_owned();
    let events = app.event_count().await;
    let again = app.post_with(&rotate, &app.admin, json!({}), &key("rotate-1")).await;
    assert_eq!((again.status, again.body.get("token")), (StatusCode::OK, None), "{:?}", again.body);
    assert_eq!(app.event_count().await, events, "a replayed rotation issues no token");
    assert_eq!(app.get("/api/categories", &new_token).await.status, StatusCode::OK, "the rotated token still works");
    assert_eq!(app.get("/api/categories", &token).await.status, StatusCode::UNAUTHORIZED);

    let areas = format!("/api/users/{id}/areas");
    let set = app.post_with(&areas, &app.admin, json!({"areas": [area]}), &key("areas-1")).await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    let events = app.event_count().await;
    let again = app.post_with(&areas, &app.admin, json!({"areas": [area]}), &key("areas-1")).await;
    assert_eq!((again.status, &again.body), (StatusCode::OK, &set.body));
    let home = format!("HOME-{}", app.suffix);
    let reused = app.post_with(&areas, &app.admin, json!({"areas": [home]}), &key("areas-1")).await;
    assert_eq!((reused.status, reused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    assert_eq!(app.event_count().await, events);

    let off = format!("/api/users/{id}/deactivate");
    let done = app.post_with(&off, &app.admin, json!({}), &key("off-1")).await;
    assert_eq!((done.status, done.body["active"].as_bool()), (StatusCode::OK, Some(false)), "{:?}", done.body);
    let events = app.event_count().await;
    let again = app.post_with(&off, &app.admin, json!({}), &key("off-1")).await;
    assert_eq!((again.status, &again.body), (StatusCode::OK, &done.body), "a retry is not 409");
    let unkeyed = app.post(&off, &app.admin, json!({})).await;
    assert_eq!(unkeyed.status, StatusCode::CONFLICT, "{:?}", unkeyed.body);
    assert_eq!(app.event_count().await, events);
    assert_eq!(app.get("/api/categories", &new_token).await.status, StatusCode::UNAUTHORIZED);
}
