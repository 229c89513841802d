//! What a hostile or careless client can cost (issue #12 §3): the sign-in throttle per name, per client
//! address and in all, with the failure reserved before the password is checked; per-client rate and
//! concurrency limits answered 429 with `Retry-After`; and every read of complainants' details recorded in
//! the access log with the client's address, taken from a trusted proxy's header only when one is set.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::Utc;
use http_body_util::BodyExt;
use santisuk_app::sessions::{SignIn, Throttle, sign_in};
use santisuk_http::limits::Limits;
use santisuk_tests::web::PASSWORD;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(
    failed_sign_ins_lock_the_name_the_address_and_finally_everyone,
    parallel_guesses_never_check_more_passwords_than_the_limit,
    a_client_over_its_rate_or_its_requests_in_flight_gets_429_with_retry_after,
    reads_of_complainants_details_are_recorded_with_the_client_address,
);

fn is_throttled(outcome: &SignIn) -> bool {
    matches!(outcome, SignIn::Throttled)
}

async fn failed_sign_ins_lock_the_name_the_address_and_finally_everyone(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = format!("staff-{}", app.suffix);
    app.set_password(&staff).await;
    let limits = Throttle::default();
    let state = &app.state;
    let now = Utc::now();

    // Per name: five wrong guesses from five addresses lock the name, whatever the address; the right
    // password is then refused too, without being checked.
    for n in 0..limits.per_name {
        let outcome = sign_in(state, &staff, "wrong".into(), &format!("198.51.100.{n}"), now).await.unwrap();
        assert!(matches!(outcome, SignIn::Refused), "guess {n}: {outcome:?}");
    }
    let outcome = sign_in(state, &staff, PASSWORD.into(), "198.51.100.200", now).await.unwrap();
    assert!(is_throttled(&outcome), "{outcome:?}");

    // Per address: one address spraying one password across many names is stopped, while another
    // address signs in (a different name: the sprayed names are not locked one by one).
    let auditor = format!("auditor-{}", app.suffix);
    app.set_password(&auditor).await;
    for n in 0..limits.per_client {
        let outcome = sign_in(state, &format!("nobody-{n}"), "Password1".into(), "203.0.113.9", now).await.unwrap();
        assert!(matches!(outcome, SignIn::Refused), "spray {n}: {outcome:?}");
    }
    let outcome = sign_in(state, &auditor, PASSWORD.into(), "203.0.113.9", now).await.unwrap();
    assert!(is_throttled(&outcome), "the spraying address is locked: {outcome:?}");
    let outcome = sign_in(state, &auditor, PASSWORD.into(), "192.0.2.1", now).await.unwrap();
    assert!(matches!(outcome, SignIn::Started { .. }), "another address still signs in: {outcome:?}");

    // In all: past the overall ceiling (failures from everywhere), every sign-in waits for the window.
    let failures: i64 = santisuk_store::on_db!(app.db(), p => sqlx::query_scalar("SELECT COUNT(*) FROM web_login_failures")
        .fetch_one(p).await.unwrap());
    let at = santisuk_store::events::fmt_ts(now);
    for n in failures..limits.overall {
        santisuk_store::on_db!(app.db(), p => sqlx::query(
            "INSERT INTO web_login_failures (user_name, client, at) VALUES ($1, $2, $3)")
            .bind(format!("bot-{n}")).bind(format!("10.{}.{}.{}", n / 65536, (n / 256) % 256, n % 256)).bind(&at)
            .execute(p).await.map(|_| ()).unwrap());
    }
    let outcome = sign_in(state, &auditor, PASSWORD.into(), "192.0.2.1", now).await.unwrap();
    assert!(is_throttled(&outcome), "over the overall ceiling: {outcome:?}");
    // The window passes: all of it is forgotten.
    let later = now + chrono::Duration::minutes(limits.window_minutes + 1);
    let outcome = sign_in(state, &staff, PASSWORD.into(), "198.51.100.200", later).await.unwrap();
    assert!(matches!(outcome, SignIn::Started { .. }), "{outcome:?}");
}

/// The failure is reserved before the password is checked: 20 guesses at once check at most five passwords.
async fn parallel_guesses_never_check_more_passwords_than_the_limit(backend: Backend) {
    let app = TestApp::new(backend).await;
    let staff = format!("staff-{}", app.suffix);
    app.set_password(&staff).await;
    let now = Utc::now();
    let guesses = (0..20).map(|n| {
        let state = app.state.clone();
        let staff = staff.clone();
        tokio::spawn(
            async move { sign_in(&state, &staff, format!("guess-{n}"), &format!("198.51.100.{n}"), now).await },
        )
    });
    let outcomes: Vec<SignIn> =
        futures::future::join_all(guesses).await.into_iter().map(|o| o.unwrap().unwrap()).collect();
    let checked = outcomes.iter().filter(|o| matches!(o, SignIn::Refused)).count();
    let throttled = outcomes.iter().filter(|o| is_throttled(o)).count();
    assert_eq!(checked + throttled, 20);
    assert!(checked as i64 <= Throttle::default().per_name, "{checked} passwords were checked");
    // However they interleaved, every guess was counted: the name is locked now.
    let outcome = sign_in(&app.state, &staff, PASSWORD.into(), "192.0.2.1", now).await.unwrap();
    assert!(is_throttled(&outcome), "{outcome:?}");
}

async fn call(
    router: &axum::Router,
    path: &str,
    token: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Value, Option<String>) {
    let mut req = Request::builder().uri(path).header("authorization", format!("Bearer {token}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), retry)
}

async fn a_client_over_its_rate_or_its_requests_in_flight_gets_429_with_retry_after(backend: Backend) {
    let app = TestApp::new(backend).await;
    // The rate: a burst of 3, then one request a second.
    let limits = Limits { client_rate: 1, client_burst: 3, ..Limits::default() };
    let router = santisuk_http::app_with(app.state.clone(), &limits).unwrap();
    for n in 0..3 {
        let (status, body, _) = call(&router, "/api/categories", &app.staff, &[]).await;
        assert_eq!(status, StatusCode::OK, "request {n}: {body}");
    }
    let (status, body, retry) = call(&router, "/api/categories", &app.staff, &[]).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")));
    assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s >= 1)), "Retry-After in seconds");
    // Another token is another client.
    let (status, _, _) = call(&router, "/api/categories", &app.auditor, &[]).await;
    assert_eq!(status, StatusCode::OK);

    // Requests in flight: one at a time. A raise held at the append is in flight; a second request of
    // the same token is refused at once, another token's is served; the held one then completes.
    let limits = Limits { client_concurrency: 1, ..Limits::relaxed() };
    let router = santisuk_http::app_with(app.state.clone(), &limits).unwrap();
    let area = app.area("LIM-1").await;
    let before = app.event_count().await;
    let hold = santisuk_store::append::hold(app.db()).await;
    let spawn_raise = || {
        let router = router.clone();
        let token = app.staff.clone();
        let body = json!({"area_id": area, "category": "EDU", "title": "ถนนชำรุด"}).to_string();
        tokio::spawn(async move {
            let req = Request::post("/api/issues")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap();
            router.oneshot(req).await.unwrap().status()
        })
    };
    // Probe until the raise holds the client's one slot. A probe that starts first takes the slot and the
    // raise is the one refused (429, nothing written): then the raise is sent again.
    let mut raise = spawn_raise();
    let mut refused = None;
    for _ in 0..500 {
        if raise.is_finished() {
            assert_eq!(raise.await.unwrap(), StatusCode::TOO_MANY_REQUESTS, "only a probe can have stopped it");
            raise = spawn_raise();
            continue;
        }
        let (status, body, retry) = call(&router, "/api/categories", &app.staff, &[]).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((body, retry));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (body, retry) = refused.expect("a second request while one is in flight is refused");
    assert_eq!((body["error"]["code"].as_str(), retry.as_deref()), (Some("too_many_requests"), Some("1")));
    assert_eq!(call(&router, "/api/categories", &app.auditor, &[]).await.0, StatusCode::OK);
    assert_eq!(app.event_count().await, before, "the refused request wrote nothing; the held one not yet");
    drop(hold);
    assert_eq!(raise.await.unwrap(), StatusCode::CREATED);
    assert_eq!(app.event_count().await, before + 1);
    assert_eq!(call(&router, "/api/categories", &app.staff, &[]).await.0, StatusCode::OK, "the slot is free again");
}

async fn reads_of_complainants_details_are_recorded_with_the_client_address(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("LOG-1").await;
    let id = app.raise(&area, "EDU", "ร้องเรียนด่านตรวจ").await;
    let proxied = Limits { trusted_proxy_header: Some("X-Forwarded-For".into()), ..Limits::relaxed() };
    let behind_proxy = santisuk_http::app_with(app.state.clone(), &proxied).unwrap();
    let forwarded = [("x-forwarded-for", "10.9.8.7, 203.0.113.50")];
    let reads = [
        ("/api/issues".to_owned(), "issues_list"),
        (format!("/api/issues/{id}"), "issue_read"),
        ("/api/issues/export?format=csv".to_owned(), "issues_export"),
        (format!("/api/issues/{id}/history"), "issue_history"),
    ];
    for (path, _) in &reads {
        let (status, body, _) = call(&behind_proxy, path, &app.coordinator, &forwarded).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    // Without a trusted header configured, a client's own X-Forwarded-For is ignored.
    let (status, _, _) = call(&app.router, "/api/issues", &app.coordinator, &forwarded).await;
    assert_eq!(status, StatusCode::OK);

    let log = app.get("/api/audit/access-log?limit=500", &app.auditor).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    let entries = log.body["items"].as_array().unwrap();
    let coordinator = format!("coordinator-{}", app.suffix);
    let mine: Vec<&Value> = entries.iter().filter(|e| e["actor"] == json!(coordinator)).collect();
    for (path, action) in &reads {
        let entry =
            mine.iter().find(|e| e["action"] == json!(action)).unwrap_or_else(|| panic!("{path} not logged: {mine:?}"));
        assert_eq!(entry["client"], json!("203.0.113.50"), "{path}: {entry}");
        if *action == "issue_read" || *action == "issue_history" {
            assert_eq!(entry["target"], json!(id));
        }
    }
    let direct: Vec<&&Value> = mine.iter().filter(|e| e["action"] == json!("issues_list")).collect();
    assert_eq!(direct.len(), 2, "{direct:?}");
    assert_eq!(direct[1]["client"], json!("unknown"), "a client's own header is not trusted: {:?}", direct[1]);
}
