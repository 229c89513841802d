//! Notifications (issue #17 §5) end to end, on both backends, against receivers the tests start: a local
//! SMTP sink and a local webhook receiver that checks every signature. Deliveries carry only a case number
//! and a link, are sent once (also across a restart), retried with back-off when they fail and retried by
//! an admin after giving up; the day's notifications exist once per key; bad channels are refused with
//! nothing written.

use axum::http::{Method, StatusCode};
use chrono::Duration;
use santisuk_app::notifications::{NotifyConfig, create_daily, deliver_due};
use santisuk_tests::notify::{SmtpSink, WebhookReceiver};
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};

both_backends!(
    assignments_and_escalations_reach_webhooks_and_email_once_without_personal_data,
    failed_deliveries_back_off_give_up_and_are_retried_by_an_admin,
    pending_notifications_survive_a_restart_and_are_delivered_once,
    the_days_notifications_are_created_once_per_key_for_the_channels_that_follow_the_area,
    bad_channels_are_refused_with_their_code_and_nothing_written,
    an_agencys_channel_hears_of_its_own_problems_only,
    one_batch_of_many_assignments_gives_each_channel_what_it_follows_as_one_by_one,
);

/// An agency's contact channel (issue #17 §1 and §5): the assignments referred to it, and its own digest.
async fn an_agencys_channel_hears_of_its_own_problems_only(backend: Backend) {
    let receiver = WebhookReceiver::start(SECRET).await;
    let app = app(backend, None).await;
    let area = app.area("NTF-06").await;
    let mut agencies = Vec::new();
    for name in ["แขวงทางหลวงปัตตานี", "สำนักงานสาธารณสุขจังหวัดปัตตานี"]
    {
        let r = app
            .post("/api/agencies", &app.admin, json!({"name_th": name, "level": "province", "districts": ["9401"]}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        agencies.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let highway = &agencies[0];
    let channel_id =
        channel(&app, json!({"kind": "webhook", "target": receiver.url(), "secret": SECRET, "agency_id": highway}))
            .await;
    let r = app
        .post(
            "/api/notifications/channels",
            &app.admin,
            json!({"kind": "webhook", "target": receiver.url(), "secret": SECRET, "agency_id": "nope"}),
        )
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_agency"));
    let road = app.raise(&area, "INF", "ถนนชำรุด").await;
    let clinic = app.raise(&area, "HLT", "ไม่มีหมอ").await;
    assign(&app, &road, json!({"agency": highway})).await;
    assign(&app, &clinic, json!({"agency": agencies[1]})).await;
    outbox_holds(&app, 1).await;
    assert_eq!(deliver_due(&app.state, santisuk_app::now()).await.unwrap().sent, 1);
    let hooks = receiver.hooks();
    assert_eq!(hooks[0].body["reference"], case_number(&app, &road).await.as_str());
    // Its digest lists its own overdue problems only.
    for code in ["INF", "HLT"] {
        let r = app
            .send(
                Method::PUT,
                &format!("/api/categories/{code}/service-level"),
                Some(&app.admin),
                Some(json!({"days_to_resolve": 1}).to_string().into()),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let later = santisuk_app::now() + Duration::days(2);
    assert_eq!(create_daily(&app.state, later).await.unwrap(), 1);
    deliver_due(&app.state, later).await.unwrap();
    let digest = receiver.hooks().into_iter().find(|h| h.body["kind"] == "digest").unwrap();
    assert!(digest.key.ends_with(&channel_id));
    assert_eq!(digest.body["reference"], format!("1: {}", case_number(&app, &road).await));
}

const SECRET: &str = "a-webhook-secret-of-some-length";

/// An app whose background deliverer and escalator stay off: the tests run the passes themselves.
async fn app(backend: Backend, smtp: Option<&SmtpSink>) -> TestApp {
    let made = TestApp::new(backend).await;
    configure(&made, smtp);
    made
}

fn configure(app: &TestApp, smtp: Option<&SmtpSink>) {
    app.state.notifier.configure(NotifyConfig {
        smtp_url: smtp.map(SmtpSink::url),
        mail_from: "Santisuk <santisuk@example.org>".into(),
        public_url: "https://santisuk.example.org/".into(),
        listen: vec!["127.0.0.1:18080".parse().unwrap()],
    });
    app.state.notifier.set_running(false);
    app.state.set_escalator(false);
}

async fn channel(app: &TestApp, body: Value) -> String {
    let r = app.post("/api/notifications/channels", &app.admin, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert!(r.body.get("secret").is_none(), "the secret is never shown");
    r.body["id"].as_str().unwrap().to_owned()
}

async fn deliveries(app: &TestApp, state: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/notifications/deliveries?state={state}"), &app.admin).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Runs the outbox projection until it has written `n` pending deliveries (on PostgreSQL an event becomes
/// projectable once older transactions finish, so one catch-up may stop short).
async fn outbox_holds(app: &TestApp, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        app.state.notifications.catch_up().await.expect("the outbox projection");
        let pending = deliveries(app, "pending").await.len();
        if pending >= n {
            assert_eq!(pending, n, "no more deliveries than asked for");
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the outbox holds {pending} of {n} deliveries");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn assign(app: &TestApp, id: &str, body: Value) {
    let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, body).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn case_number(app: &TestApp, id: &str) -> String {
    app.get(&format!("/api/issues/{id}"), &app.staff).await.body["case_number"].as_str().unwrap().to_owned()
}

async fn assignments_and_escalations_reach_webhooks_and_email_once_without_personal_data(backend: Backend) {
    let sink = SmtpSink::start().await;
    let receiver = WebhookReceiver::start(SECRET).await;
    let app = app(backend, Some(&sink)).await;
    let area = app.area("NTF-01").await;
    let hook = channel(&app, json!({"kind": "webhook", "target": receiver.url(), "secret": SECRET})).await;
    channel(&app, json!({"kind": "email", "target": "coordinator@example.org"})).await;
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": area, "category": "INF", "title": "ถนนหน้าบ้านนายสมชายพัง", "description": "เบอร์ 081-234-5678"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let case = case_number(&app, &id).await;
    assign(&app, &id, json!({"assignee": "อบต.ตะลุโบะ"})).await;
    outbox_holds(&app, 2).await;

    let now = santisuk_app::now();
    assert_eq!(deliver_due(&app.state, now).await.unwrap().sent, 2);
    let hooks = receiver.hooks();
    assert_eq!(hooks.len(), 1);
    assert_eq!(*receiver.bad.lock().unwrap(), 0, "every signature checked");
    let body = &hooks[0].body;
    assert_eq!(body["kind"], "assigned");
    assert_eq!(body["reference"], case.as_str());
    assert_eq!(body["link"], format!("https://santisuk.example.org/issues/{case}"));
    assert_eq!(hooks[0].key, body["id"].as_str().unwrap(), "the idempotency key is in the header and the body");
    assert!(hooks[0].key.ends_with(&format!(":{hook}")));
    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains(&case) && mail[0].contains("coordinator@example.org"), "{}", mail[0]);
    for text in [body.to_string(), mail[0].clone()] {
        for private in ["สมชาย", "081-234-5678", "ถนน"] {
            assert!(!text.contains(private), "no personal data or complaint text: {text}");
        }
    }
    // Sent once: another pass, and another run of the projection, send nothing more.
    app.state.notifications.catch_up().await.unwrap();
    assert_eq!(deliver_due(&app.state, santisuk_app::now()).await.unwrap().sent, 0);
    assert_eq!((receiver.hooks().len(), sink.received().len()), (1, 1));
    assert_eq!(deliveries(&app, "sent").await.len(), 2);

    // An escalation is a notification too.
    let r = app
        .send(
            Method::PUT,
            "/api/categories/LIV/service-level",
            Some(&app.admin),
            Some(json!({"days_to_assign": 1}).to_string().into()),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let at = (now - Duration::days(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let r = app
        .post("/api/issues", &app.staff, json!({"area_id": area, "category": "LIV", "title": "ตกงาน", "at": at}))
        .await;
    let late = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(santisuk_app::escalation::escalate_due(&app.state, now).await.unwrap(), 1);
    outbox_holds(&app, 2).await;
    assert_eq!(deliver_due(&app.state, santisuk_app::now()).await.unwrap().sent, 2);
    let hooks = receiver.hooks();
    assert_eq!((hooks.len(), hooks[1].body["kind"].as_str()), (2, Some("escalated")));
    assert_eq!(hooks[1].body["reference"], case_number(&app, &late).await.as_str());
}

async fn failed_deliveries_back_off_give_up_and_are_retried_by_an_admin(backend: Backend) {
    let receiver = WebhookReceiver::start(SECRET).await;
    let app = app(backend, None).await;
    let area = app.area("NTF-02").await;
    channel(&app, json!({"kind": "webhook", "target": receiver.url(), "secret": SECRET})).await;
    let id = app.raise(&area, "INF", "สะพานขาด").await;
    assign(&app, &id, json!({"assignee": "อำเภอ"})).await;
    outbox_holds(&app, 1).await;
    receiver.fail(503);
    let now = santisuk_app::now();
    assert_eq!(deliver_due(&app.state, now).await.unwrap().failed, 1);
    let retrying = deliveries(&app, "retrying").await;
    assert_eq!(retrying.len(), 1);
    assert_eq!(retrying[0]["attempts"], 1);
    assert!(retrying[0]["last_error"].as_str().unwrap().contains("503"), "{retrying:?}");
    // Backing off: not due again at once.
    assert_eq!(deliver_due(&app.state, now).await.unwrap(), Default::default());
    // Later attempts fail too, until it gives up and waits for an admin.
    for hours in 1..=20 {
        deliver_due(&app.state, now + Duration::hours(hours * 2)).await.unwrap();
    }
    let failed = deliveries(&app, "failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["attempts"], santisuk_app::notifications::MAX_ATTEMPTS);
    let key = failed[0]["key"].as_str().unwrap().to_owned();
    assert!(receiver.hooks().is_empty());
    // The admin retries it once the receiver is back.
    receiver.fail(0);
    let path = format!("/api/notifications/deliveries/{}/retry", key.replace(':', "%3A"));
    for token in [&app.staff, &app.coordinator, &app.auditor] {
        assert_eq!(app.post(&path, token, json!({})).await.status, StatusCode::FORBIDDEN);
    }
    let r = app.post(&path, &app.admin, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!((r.body["state"].as_str(), r.body["attempts"].as_i64()), (Some("pending"), Some(0)));
    assert_eq!(deliver_due(&app.state, santisuk_app::now()).await.unwrap().sent, 1);
    assert_eq!(receiver.hooks().len(), 1);
    let r = app.post(&path, &app.admin, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "delivery_sent"));
    let r = app.post("/api/notifications/deliveries/nope/retry", &app.admin, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "delivery_not_found"));
}

async fn pending_notifications_survive_a_restart_and_are_delivered_once(backend: Backend) {
    let receiver = WebhookReceiver::start(SECRET).await;
    let before = app(backend, None).await;
    let area = before.area("NTF-03").await;
    channel(&before, json!({"kind": "webhook", "target": receiver.url(), "secret": SECRET})).await;
    let id = before.raise(&area, "INF", "ไฟถนนดับ").await;
    assign(&before, &id, json!({"assignee": "เทศบาล"})).await;
    outbox_holds(&before, 1).await;
    // The server restarts before it delivered: a new instance on the same database.
    let after = TestApp::on(before.db_handle.clone()).await;
    configure(&after, None);
    after.state.notifications.catch_up().await.unwrap();
    assert_eq!(deliveries(&after, "pending").await.len(), 1, "the restart found the delivery, and made no other");
    assert_eq!(deliver_due(&after.state, santisuk_app::now()).await.unwrap().sent, 1);
    // Neither instance sends it again.
    for state in [&before.state, &after.state] {
        assert_eq!(deliver_due(state, santisuk_app::now() + Duration::hours(1)).await.unwrap().sent, 0);
    }
    let hooks = receiver.hooks();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].body["kind"], "assigned");
}

async fn the_days_notifications_are_created_once_per_key_for_the_channels_that_follow_the_area(backend: Backend) {
    let receiver = WebhookReceiver::start(SECRET).await;
    let app = app(backend, None).await;
    let mine = app.area("NTF-04").await;
    // An area the coordinator does not work in.
    let r = app.post("/api/areas", &app.admin, json!({"id": "NTF-05", "name_th": "อื่น", "amphoe_code": "9401"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let coordinator = channel(
        &app,
        json!({"kind": "webhook", "target": receiver.url(), "secret": SECRET, "user_id": app.coordinator_id}),
    )
    .await;
    let everyone = channel(&app, json!({"kind": "webhook", "target": receiver.url(), "secret": SECRET})).await;
    let now = santisuk_app::now();
    let tomorrow = santisuk_domain::time::bangkok_date(now).succ_opt().unwrap().to_string();
    let due = app.raise(&mine, "EDU", "โรงเรียนไม่มีครู").await;
    assign(&app, &due, json!({"assignee": "เขตพื้นที่การศึกษา", "due_on": tomorrow})).await;
    let r = app
        .send(
            Method::PUT,
            "/api/categories/INF/service-level",
            Some(&app.admin),
            Some(json!({"days_to_resolve": 1}).to_string().into()),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let at = (now - Duration::days(3)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut late = Vec::new();
    for area in [&mine, "NTF-05"] {
        let r = app
            .post("/api/issues", &app.staff, json!({"area_id": area, "category": "INF", "title": "น้ำท่วม", "at": at}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        late.push(case_number(&app, r.body["id"].as_str().unwrap()).await);
    }
    let events = app.event_count().await;
    // Due tomorrow (both channels follow NTF-04), and one digest per channel.
    assert_eq!(create_daily(&app.state, now).await.unwrap(), 4);
    assert_eq!(create_daily(&app.state, now).await.unwrap(), 0, "once per key");
    assert_eq!(app.event_count().await, events, "notifications write no events");
    deliver_due(&app.state, santisuk_app::now()).await.unwrap();
    let hooks = receiver.hooks();
    let digest = |channel: &str| {
        hooks
            .iter()
            .find(|h| h.body["kind"] == "digest" && h.key.ends_with(channel))
            .map(|h| h.body["reference"].clone())
    };
    let own = digest(&coordinator).unwrap();
    assert!(own.as_str().unwrap().contains(&late[0]) && !own.as_str().unwrap().contains(&late[1]), "{own}");
    let all = digest(&everyone).unwrap();
    assert!(all.as_str().unwrap().starts_with("2: "), "{all}");
    assert_eq!(hooks.iter().filter(|h| h.body["kind"] == "due_tomorrow").count(), 2);
}

async fn bad_channels_are_refused_with_their_code_and_nothing_written(backend: Backend) {
    let app = app(backend, None).await;
    let events = app.event_count().await;
    for (body, code) in [
        (json!({"kind": "webhook", "target": "ftp://example.org/hook", "secret": SECRET}), "bad_webhook_url"),
        (json!({"kind": "webhook", "target": "javascript:alert(1)", "secret": SECRET}), "bad_webhook_url"),
        (json!({"kind": "webhook", "target": "not a url", "secret": SECRET}), "bad_webhook_url"),
        (
            json!({"kind": "webhook", "target": "http://localhost:18080/api/issues", "secret": SECRET}),
            "webhook_points_at_self",
        ),
        (json!({"kind": "webhook", "target": "http://127.0.0.1:18080/", "secret": SECRET}), "webhook_points_at_self"),
        (json!({"kind": "webhook", "target": "http://[::1]:18080/x", "secret": SECRET}), "webhook_points_at_self"),
        (json!({"kind": "webhook", "target": "http://0.0.0.0:18080/x", "secret": SECRET}), "webhook_points_at_self"),
        (json!({"kind": "webhook", "target": "http://127.0.0.1:9/hook", "secret": "short"}), "bad_secret"),
        (json!({"kind": "webhook", "target": "http://127.0.0.1:9/hook"}), "bad_secret"),
        (json!({"kind": "sms", "target": "0812345678"}), "bad_channel_kind"),
        (json!({"kind": "email", "target": "not-an-address"}), "bad_email"),
        (json!({"kind": "email", "target": "coordinator@example.org"}), "smtp_not_configured"),
        (
            json!({"kind": "webhook", "target": "http://127.0.0.1:9/hook", "secret": SECRET, "user_id": "nobody"}),
            "user_not_found",
        ),
    ] {
        let r = app.post("/api/notifications/channels", &app.admin, body.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code), "{body}: {:?}", r.body);
    }
    for token in [&app.staff, &app.coordinator, &app.auditor] {
        let body = json!({"kind": "webhook", "target": "http://127.0.0.1:9/hook", "secret": SECRET});
        assert_eq!(app.post("/api/notifications/channels", token, body).await.status, StatusCode::FORBIDDEN);
    }
    let r = app.get("/api/notifications/channels", &app.admin).await;
    assert_eq!(r.body["items"], json!([]), "nothing written");
    assert_eq!(app.event_count().await, events);
    let r = app.send(Method::DELETE, "/api/notifications/channels/nope", Some(&app.admin), None, &[]).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "channel_not_found"));
    let r = app.get("/api/notifications/deliveries?state=lost", &app.admin).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "bad_state"));
    // Another port on loopback is someone else's server: accepted, and removable.
    let id = channel(&app, json!({"kind": "webhook", "target": "http://127.0.0.1:9/hook", "secret": SECRET})).await;
    let r = app.send(Method::DELETE, &format!("/api/notifications/channels/{id}"), Some(&app.admin), None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

/// The outbox projection reads the channels and the problems' rows once per batch: a batch of many
/// assignments, in two areas and on both sides of a channel's creation, gives every channel exactly the
/// deliveries that projecting them one at a time gave (the run as the commands came, then the same events
/// again from a rewound checkpoint, in one batch).
async fn one_batch_of_many_assignments_gives_each_channel_what_it_follows_as_one_by_one(backend: Backend) {
    let receiver = WebhookReceiver::start(SECRET).await;
    let app = app(backend, None).await;
    let mine = app.area("NTF-06").await;
    let r = app.post("/api/areas", &app.admin, json!({"id": "NTF-07", "name_th": "อื่น", "amphoe_code": "9401"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let hook = json!({"kind": "webhook", "target": receiver.url(), "secret": SECRET});
    let mut of_coordinator = hook.clone();
    of_coordinator["user_id"] = json!(app.coordinator_id);
    let coordinator = channel(&app, of_coordinator).await;
    let everyone = channel(&app, hook.clone()).await;
    let mut late = String::new();
    for (n, area) in [mine.as_str(), "NTF-07", mine.as_str(), "NTF-07"].into_iter().enumerate() {
        if n == 2 {
            // Added between the second and the third assignment: it hears of the last two only.
            late = channel(&app, hook.clone()).await;
        }
        let id = app.raise(area, "INF", "ถนนพัง").await;
        assign(&app, &id, json!({"assignee": "อบต."})).await;
    }
    outbox_holds(&app, 4 + 2 + 2).await;
    let one_by_one = outbox_keys(&app).await;
    let of = |channel: &str| one_by_one.iter().filter(|k| k.ends_with(&format!(":{channel}"))).count();
    assert_eq!((of(&everyone), of(&coordinator), of(&late)), (4, 2, 2), "{one_by_one:?}");

    santisuk_store::on_db!(app.db(), p => {
        sqlx::query("DELETE FROM notification_outbox").execute(p).await.unwrap();
        sqlx::query("UPDATE projection_checkpoints SET tx = 0, position = 0 WHERE name = 'notifications'")
            .execute(p).await.unwrap();
    });
    outbox_holds(&app, one_by_one.len()).await;
    assert_eq!(outbox_keys(&app).await, one_by_one, "one batch gives what one event at a time gave");
}

async fn outbox_keys(app: &TestApp) -> Vec<String> {
    let mut keys: Vec<String> =
        deliveries(app, "pending").await.iter().map(|d| d["key"].as_str().unwrap().to_owned()).collect();
    keys.sort();
    keys
}
