//! PostgreSQL as the service uses it. The README's restricted role: the service does a working day's tasks
//! under exactly the grants the README gives (read from the README itself, so the two cannot drift apart),
//! and those grants still refuse what the README says they refuse. And the settings of every session the
//! service opens. PostgreSQL only: SQLite has no roles or sessions of this kind.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use santisuk_projections::read_model::ReadModel;
use santisuk_projections::runner::Runner;
use santisuk_projections::users::Role;
use santisuk_store::Db;
use santisuk_store::testing as pg;
use santisuk_tests::{TestApp, TestDb, settle};
use serde_json::{Value, json};
use sqlx::ConnectOptions as _;
use sqlx::postgres::PgConnectOptions;
use std::str::FromStr as _;
use tower::ServiceExt as _;

const README: &str = include_str!("../../../README.md");
const PASSWORD: &str = "app-role-test";

/// The SQL block of the README's "Running on PostgreSQL with a restricted role", for role `role` on
/// database `database`.
fn readme_grants(role: &str, database: &str) -> String {
    let section = README
        .split("### Running on PostgreSQL with a restricted role")
        .nth(1)
        .expect("the README has the restricted-role section");
    let block = section.split("```sql").nth(1).and_then(|b| b.split("```").next()).expect("its SQL block");
    block
        .replace("santisuk_app", role)
        .replace("ON DATABASE santisuk ", &format!("ON DATABASE \"{database}\" "))
        .replace("'…'", &format!("'{PASSWORD}'"))
}

/// `url` (a database reached as its owner) as `role` reaches it.
fn as_role(url: &str, role: &str) -> String {
    let o = PgConnectOptions::from_str(url).expect("test URL");
    let database = o.get_database().expect("a database in the test URL");
    let host = o.get_host();
    if host.starts_with('/') {
        format!("postgres://{role}:{PASSWORD}@/{database}?host={host}&port={}", o.get_port())
    } else {
        format!("postgres://{role}:{PASSWORD}@{host}:{}/{database}", o.get_port())
    }
}

async fn owner_execute(url: &str, sql: &str) {
    let mut conn = PgConnectOptions::from_str(url).expect("url").connect().await.expect("connect as the owner");
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A multipart body with one small PDF as `file`.
fn one_file() -> (String, Vec<u8>) {
    let boundary = "app-role-boundary";
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"minutes.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(pdf);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Asserts `status` and returns the body (printed on failure: the permission error says which table).
fn ok(what: &str, r: &santisuk_tests::Reply, status: StatusCode) -> Value {
    assert_eq!(r.status, status, "{what}: {:?}", r.body);
    r.body.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_works_under_the_readme_grants_and_they_refuse_edits() {
    let (url, guard) = pg::fresh_database().await;
    // The owner migrates, as the README's first step does.
    let owner = Db::open_postgres(&url, 2).await.expect("connect as the owner");
    owner.migrate().await.expect("migrate as the owner");
    owner.close().await;
    let database = PgConnectOptions::from_str(&url).unwrap().get_database().unwrap().to_owned();
    let role = format!("santisuk_app_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    owner_execute(&url, &readme_grants(&role, &database)).await;
    let app_url = as_role(&url, &role);

    {
        let db = Db::open_postgres(&app_url, 8).await.expect("the service opens the database as the app role");
        let app = TestApp::on(Arc::new(TestDb::wrap(db))).await;
        let area = app.area("ROLE-01").await;

        // A webhook for every change: the raise below queues a delivery.
        let channel =
            json!({"kind": "webhook", "target": "http://127.0.0.1:9/santisuk", "secret": "app-role-webhook-secret"});
        let channel =
            ok("channel", &app.post("/api/notifications/channels", &app.admin, channel).await, StatusCode::CREATED);
        let channel = channel["id"].as_str().unwrap().to_owned();
        // Reference data, organisations, agencies and routing.
        let agency = ok(
            "agency",
            &app.post(
                "/api/agencies",
                &app.admin,
                json!({"name_th": "อำเภอเมือง", "level": "amphoe", "districts": ["9401"]}),
            )
            .await,
            StatusCode::CREATED,
        );
        let agency = agency["id"].as_str().unwrap().to_owned();
        let rule = json!({"category": "INF", "district": "9401", "agency": agency});
        ok("routing rule", &app.post("/api/routing-rules", &app.admin, rule).await, StatusCode::CREATED);
        let org = json!({"name_th": "กลุ่มสตรี", "kind": "womens_group", "area_ids": [area]});
        ok("organisation", &app.post("/api/organisations", &app.staff, org).await, StatusCode::CREATED);
        let forum = json!({"area_id": area, "held_on": "2026-11-02", "title": "เวทีรับฟัง"});
        let forum = ok("forum", &app.post("/api/forums", &app.coordinator, forum).await, StatusCode::CREATED);
        let forum = forum["id"].as_str().unwrap().to_owned();
        ok(
            "category restriction",
            &app.post("/api/categories/SEC/restrict", &app.admin, json!({"restricted": true})).await,
            StatusCode::OK,
        );

        // A problem with a complainant, worked from raise to close and reopened.
        let raise = json!({"area_id": area, "category": "INF", "title": "ถนนชำรุด", "forum_id": forum,
            "complainant": {"name": "นายทดสอบ บทบาท", "phone": "0812345678"}});
        let raised = ok("raise", &app.post("/api/issues", &app.coordinator, raise).await, StatusCode::CREATED);
        let id = raised["id"].as_str().unwrap().to_owned();
        assert!(raised["case_number"].as_str().is_some_and(|n| !n.is_empty()), "{raised:?}");
        let steps = [
            ("assign", json!({"agency": agency, "due_on": "2099-12-31"})),
            ("address", json!({"action": "ซ่อมแล้ว"})),
            ("close", json!({"outcome": "resolved"})),
            ("reopen", json!({"reason": "พังอีก"})),
        ];
        for (verb, body) in steps {
            ok(verb, &app.post(&format!("/api/issues/{id}/{verb}"), &app.staff, body).await, StatusCode::OK);
        }
        // The notifications' queue, written and worked under the same grants.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            app.state.notifications.catch_up().await.expect("the outbox projection");
            let queued: i64 = santisuk_store::on_db!(app.db(), p => sqlx::query_scalar(
                "SELECT COUNT(*) FROM notification_outbox").fetch_one(p).await.expect("count the queue"));
            if queued > 0 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the webhook's deliveries were never queued");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        // A delivery attempt (nothing listens there: it is rescheduled) updates the queue.
        santisuk_app::notifications::deliver_due(&app.state, santisuk_app::now()).await.expect("a delivery pass");
        let (content_type, body) = one_file();
        let upload = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/issues/{id}/attachments"))
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, format!("Bearer {}", app.staff))
            .body(Body::from(body))
            .unwrap();
        let resp = app.router.clone().oneshot(upload).await.unwrap();
        let status = resp.status();
        let text = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(status, StatusCode::CREATED, "attachment: {}", String::from_utf8_lossy(&text));

        // Personal data: read, then erased.
        let one = ok("issue", &app.get(&format!("/api/issues/{id}"), &app.staff).await, StatusCode::OK);
        let subject = one["complainant"]["subject_id"].as_str().expect("a complainant").to_owned();
        ok("subject", &app.get(&format!("/api/privacy/subjects/{subject}"), &app.admin).await, StatusCode::OK);
        let erase = json!({"subject": subject, "legal_basis": "PDPA s.33, the data subject's request"});
        ok("erase", &app.post("/api/privacy/erase", &app.admin, erase).await, StatusCode::OK);
        let restrict = json!({"restricted": true, "reason": "ผู้ร้องขอ"});
        ok("restrict", &app.post(&format!("/api/issues/{id}/restrict"), &app.staff, restrict).await, StatusCode::OK);

        // Users, tokens, and the webhook removed.
        let user = json!({"name": "staff-two", "role": "staff", "areas": []});
        let user = ok("user", &app.post("/api/users", &app.admin, user).await, StatusCode::CREATED);
        let user = user["id"].as_str().unwrap().to_owned();
        let grant = json!({"categories": ["SEC"]});
        ok("grant", &app.post(&format!("/api/users/{user}/categories"), &app.admin, grant).await, StatusCode::OK);
        ok("token", &app.post(&format!("/api/users/{user}/token"), &app.admin, json!({})).await, StatusCode::OK);
        ok(
            "deactivate",
            &app.post(&format!("/api/users/{user}/deactivate"), &app.admin, json!({})).await,
            StatusCode::OK,
        );
        let removed = app
            .send(Method::DELETE, &format!("/api/notifications/channels/{channel}"), Some(&app.admin), None, &[])
            .await;
        assert!(removed.status.is_success(), "remove a channel: {:?}", removed.body);

        // Reads: lists, statistics, exports, the audit views.
        settle(&app.state.runner, app.db()).await;
        let instant = santisuk_tests::as_of_param(santisuk_tests::quiet_instant().await);
        for path in [
            format!("/api/issues?as_of={instant}"),
            format!("/api/issues?area_id={area}"),
            "/api/stats/resolution?by=area,category".to_owned(),
            "/api/issues/export?format=csv".to_owned(),
            format!("/api/issues/{id}/history"),
            "/api/audit/access-log".to_owned(),
            "/api/notifications/deliveries".to_owned(),
        ] {
            ok(&path, &app.get(&path, &app.admin).await, StatusCode::OK);
        }
        let verify = ok("verify", &app.get("/api/audit/verify", &app.auditor).await, StatusCode::OK);
        assert_eq!(verify["ok"], json!(true), "{verify:?}");

        // The web app: a failed sign-in, a sign-in, the dashboard.
        let mut web = santisuk_tests::web::WebClient::new(&app);
        let refused = web.try_sign_in(&format!("staff-{}", app.suffix), "not the password").await;
        assert_ne!(refused.status, StatusCode::SEE_OTHER, "a wrong password signs nobody in");
        let mut web = app.web_as(Role::Staff).await;
        let page = web.get("/dashboard").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);

        // A rebuild of the read model is the service's own work.
        let events = app.event_count().await;
        Runner::new(app.db().clone(), ReadModel::default()).rebuild().await.expect("rebuild as the app role");

        // What the README promises the role cannot do, and that none of it changed anything.
        let santisuk_store::Pool::Postgres(p) = app.db().pool() else { panic!("PostgreSQL") };
        for (sql, why) in [
            ("UPDATE events SET payload = payload", "permission denied"),
            ("DELETE FROM events", "permission denied"),
            ("TRUNCATE events", "permission denied"),
            ("DELETE FROM ledger", "permission denied"),
            ("UPDATE ledger SET position = position", "permission denied"),
            ("DELETE FROM access_log", "permission denied"),
            ("UPDATE access_log SET actor = 'nobody'", "permission denied"),
            ("ALTER TABLE events DISABLE TRIGGER ALL", "must be owner"),
            ("DELETE FROM log_tx_base", "permission denied"),
            ("DELETE FROM _sqlx_migrations", "permission denied"),
        ] {
            let e = sqlx::query(sql).execute(p).await.expect_err(sql);
            assert!(e.to_string().contains(why), "{sql}: {e}");
        }
        assert_eq!(app.event_count().await, events, "the refused statements wrote nothing");
        app.db().close().await;
    }
    drop(guard);
    let mut admin = PgConnectOptions::from_str(&url).unwrap().database("postgres").connect().await.expect("connect");
    sqlx::raw_sql(&format!("DROP ROLE IF EXISTS {role}")).execute(&mut admin).await.expect("drop the role");
}

/// JIT compilation is off in every session of the service's pool: PostgreSQL would otherwise compile a list
/// page's plan once its estimated cost passes `jit_above_cost`, which happens as the tables grow (at 2.5
/// million issues: ~40 ms of compiling for a page read in 0.05 ms; docs/benchmarks.md).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_session_of_the_service_runs_without_jit() {
    let (url, _guard) = pg::fresh_database().await;
    let db = Db::open_postgres(&url, 3).await.expect("connect");
    let santisuk_store::Pool::Postgres(p) = db.pool() else { panic!("PostgreSQL") };
    // Three sessions held at once, so that each is a connection of its own.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut conn = p.acquire().await.expect("a session");
        let jit: String = sqlx::query_scalar("SHOW jit").fetch_one(&mut *conn).await.expect("SHOW jit");
        assert_eq!(jit, "off");
        held.push(conn);
    }
    drop(held);
    db.close().await;
}
