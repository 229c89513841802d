//! Service levels and escalation (issue #17 §2) through the API, on both backends: a category's level
//! set by an admin, problems past it escalated once per deadline with the deadline as `at` (however many
//! escalators run), the queue putting them first, as-of reads computing the level due from the events and
//! the clock (differential: live after the escalator equals as of now), and bad input refused with
//! nothing written. No clock tricks: problems are raised with a past `at` under a one-day level.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};
use santisuk_app::escalation::escalate_due;
use santisuk_projections::queue::{QueueSort, page};
use santisuk_projections::read_model::IssueFilter;
use santisuk_tests::{Backend, Reply, TestApp, both_backends};
use serde_json::{Value, json};

both_backends!(
    the_background_escalator_records_what_is_due,
    problems_past_their_service_level_escalate_once_per_deadline,
    two_escalators_at_once_record_each_level_once,
    as_of_reads_show_the_level_due_then_and_agree_with_live_once_escalated,
    the_queue_shows_escalated_problems_first,
    bad_service_levels_are_refused_with_their_code_and_nothing_written,
);

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn set_level(app: &TestApp, code: &str, body: Value) -> Reply {
    let path = format!("/api/categories/{code}/service-level");
    app.send(Method::PUT, &path, Some(&app.admin), Some(Body::from(body.to_string())), &[]).await
}

async fn raise_at(app: &TestApp, area: &str, category: &str, title: &str, at: DateTime<Utc>) -> String {
    let body = json!({"area_id": area, "category": category, "title": title, "at": ts(at)});
    let r = app.post("/api/issues", &app.staff, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn issue(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn escalations(app: &TestApp, id: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/issues/{id}/history"), &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event_type"] == "IssueEscalated")
        .map(|e| e["data"].clone())
        .collect()
}

/// An app whose background escalator stays out of the way: the test runs the passes itself.
async fn app(backend: Backend) -> TestApp {
    let made = TestApp::new(backend).await;
    made.state.set_escalator(false);
    made
}

/// The clock of a test, to the second (the API's `at` is given to the second).
fn now() -> DateTime<Utc> {
    santisuk_app::now().trunc_subsecs(0)
}

async fn the_background_escalator_records_what_is_due(backend: Backend) {
    let app = app(backend).await;
    let area = app.area("ESC-00").await;
    assert_eq!(set_level(&app, "INF", json!({"days_to_assign": 1})).await.status, StatusCode::OK);
    let id = raise_at(&app, &area, "INF", "ท่อประปาแตก", now() - Duration::days(2)).await;
    // A task of its own, as `spawn_runner` starts it: its first pass is at once.
    app.state.set_escalator(true);
    tokio::spawn(santisuk_app::escalation::run_escalator(app.state.clone(), std::future::pending()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while issue(&app, &id).await["escalation_level"] != 1 {
        assert!(std::time::Instant::now() < deadline, "the escalator did not record the level");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(escalations(&app, &id).await.len(), 1);
}

async fn problems_past_their_service_level_escalate_once_per_deadline(backend: Backend) {
    let app = app(backend).await;
    let area = app.area("ESC-01").await;
    let r = set_level(&app, "INF", json!({"days_to_assign": 1, "days_to_resolve": 2})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!((r.body["days_to_assign"].as_i64(), r.body["days_to_resolve"].as_i64()), (Some(1), Some(2)));
    let now = now();
    let raised = now - Duration::days(5);
    let late = raise_at(&app, &area, "INF", "ถนนชำรุด ไม่มีผู้รับ", raised).await;
    let on_time = raise_at(&app, &area, "INF", "ถนนชำรุด มอบหมายทัน", raised).await;
    let r = app
        .post(
            &format!("/api/issues/{on_time}/assign"),
            &app.staff,
            json!({"assignee": "อบต.ตะลุโบะ", "at": ts(raised + Duration::hours(2))}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // A category without a level, and a problem of the level's category raised just now: nothing due.
    let free = raise_at(&app, &area, "LIV", "ไม่มีอาชีพ", raised).await;
    let fresh = raise_at(&app, &area, "INF", "ไฟฟ้าดับ", now - Duration::hours(1)).await;

    // Before the escalator: overdue, but level 0 live.
    let before = issue(&app, &late).await;
    assert_eq!((before["escalation_level"].as_i64(), before["overdue"].as_str()), (Some(0), Some("resolution")));

    let events = app.event_count().await;
    assert_eq!(escalate_due(&app.state, now).await.unwrap(), 4, "two levels for each of the two late problems");
    assert_eq!(app.event_count().await, events + 4);
    // Idempotent: a second pass records nothing.
    assert_eq!(escalate_due(&app.state, now).await.unwrap(), 0);
    assert_eq!(app.event_count().await, events + 4);

    let view = issue(&app, &late).await;
    assert_eq!(view["escalation_level"], 2);
    assert_eq!(view["responsible"], "ศูนย์อำนวยการบริหารจังหวัดชายแดนภาคใต้ (ศอ.บต.)");
    assert_eq!(view["overdue"], "resolution");
    let recorded = escalations(&app, &late).await;
    assert_eq!(recorded.len(), 2);
    // Each at the deadline it answers: the assignment deadline (raised + 1 day), then the resolution one.
    assert_eq!((recorded[0]["level"].as_i64(), recorded[0]["breach"].as_str()), (Some(1), Some("assignment")));
    assert_eq!(recorded[0]["responsible"], "สำนักงานประสานงาน ศอ.บต. จังหวัดปัตตานี");
    let at = |v: &Value| v["at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
    assert_eq!(at(&recorded[0]), raised + Duration::days(1));
    assert_eq!((recorded[1]["level"].as_i64(), recorded[1]["breach"].as_str()), (Some(2), Some("resolution")));
    assert_eq!(at(&recorded[1]), raised + Duration::days(2));
    // Assigned in time: escalated for resolution only (2 days, then a full period more).
    let on_time_recorded = escalations(&app, &on_time).await;
    assert_eq!(on_time_recorded.iter().map(|e| e["breach"].as_str().unwrap()).collect::<Vec<_>>(), ["resolution"; 2]);
    assert_eq!(at(&on_time_recorded[1]), raised + Duration::days(4));
    for id in [&free, &fresh] {
        let v = issue(&app, id).await;
        assert_eq!((v["escalation_level"].as_i64(), &v["overdue"]), (Some(0), &Value::Null), "{id}");
        assert!(escalations(&app, id).await.is_empty());
    }
    // A closed problem is not overdue (it keeps the level it reached).
    let r = app
        .post(&format!("/api/issues/{late}/close"), &app.staff, json!({"outcome": "unresolved", "note": "ส่งต่อ"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let closed = issue(&app, &late).await;
    assert_eq!((closed["escalation_level"].as_i64(), &closed["overdue"]), (Some(2), &Value::Null));
}

async fn two_escalators_at_once_record_each_level_once(backend: Backend) {
    let app = app(backend).await;
    let area = app.area("ESC-02").await;
    assert_eq!(set_level(&app, "INF", json!({"days_to_assign": 1})).await.status, StatusCode::OK);
    let now = now();
    let id = raise_at(&app, &area, "INF", "สะพานขาด", now - Duration::days(3)).await;
    // A second instance on the same database, with its own escalator.
    let other = TestApp::on(app.db_handle.clone()).await;
    let (a, b) = tokio::join!(escalate_due(&app.state, now), escalate_due(&other.state, now));
    // Whoever got there first, one event in the log, and only that pass counts it: the other's append was
    // refused (the sequence was taken), and a refused append is never answered as stored. (On PostgreSQL
    // both passes once answered 1: the store read a refused append back and found the winner's event,
    // identical to it, metadata and all.)
    let (a, b) = (a.unwrap(), b.unwrap());
    let stored = escalations(&app, &id).await;
    assert_eq!(stored.len(), 1, "passes answered {a} and {b}: {stored:?}");
    assert_eq!((a + b, a.min(b)), (1, 0), "one pass recorded the level, the other nothing: {a} and {b}");
}

async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/issues?limit=500{query}"), &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn by_id(items: &[Value]) -> std::collections::BTreeMap<String, (Value, Value, Value)> {
    items
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                (i["escalation_level"].clone(), i["responsible"].clone(), i["overdue"].clone()),
            )
        })
        .collect()
}

async fn as_of_reads_show_the_level_due_then_and_agree_with_live_once_escalated(backend: Backend) {
    let app = app(backend).await;
    let area = app.area("ESC-03").await;
    assert_eq!(set_level(&app, "INF", json!({"days_to_assign": 1, "days_to_resolve": 3})).await.status, StatusCode::OK);
    let now = now();
    // Problems at every stage: not yet due, one deadline passed, two passed, assigned in time, closed.
    let mut ids = Vec::new();
    for (n, days) in [0i64, 2, 4, 10].into_iter().enumerate() {
        ids.push(
            raise_at(&app, &area, "INF", &format!("ปัญหา {n}"), now - Duration::days(days) - Duration::hours(1)).await,
        );
    }
    let assigned = raise_at(&app, &area, "INF", "มอบหมายแล้ว", now - Duration::days(2)).await;
    let r = app
        .post(
            &format!("/api/issues/{assigned}/assign"),
            &app.staff,
            json!({"assignee": "อำเภอ", "at": ts(now - Duration::days(2))}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let read_at = santisuk_app::now() + Duration::milliseconds(1);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let area_q = format!("&area_id={area}");
    // As of now, before any escalator ran: the level due is computed from the events and the clock.
    let as_of =
        by_id(&list(&app, &format!("{area_q}&as_of={}", read_at.to_rfc3339_opts(SecondsFormat::Millis, true))).await);
    let expected = [0, 1, 2, 2];
    for (id, level) in ids.iter().zip(expected) {
        assert_eq!(as_of[id].0, level, "{id} as of now");
    }
    let live_before = by_id(&list(&app, &area_q).await);
    assert!(live_before.values().all(|(level, _, _)| *level == 0), "nothing recorded yet");
    // The statistics too: as of now three open problems were escalated; live, none is recorded yet.
    let escalated = |r: Reply| r.body["totals"]["escalated"].as_i64();
    let stats_as_of =
        format!("/api/stats/resolution?by=area&as_of={}", read_at.to_rfc3339_opts(SecondsFormat::Millis, true));
    assert_eq!(escalated(app.get(&stats_as_of, &app.staff).await), Some(3));
    assert_eq!(escalated(app.get("/api/stats/resolution?by=area", &app.staff).await), Some(0));
    // The escalator records what was due; live then equals as-of, row for row (level, office, overdue).
    escalate_due(&app.state, read_at).await.unwrap();
    let live = by_id(&list(&app, &area_q).await);
    assert_eq!(live, as_of, "live after the escalator equals the as-of read at the same instant");
    assert_eq!(escalated(app.get("/api/stats/resolution?by=area", &app.staff).await), Some(3));
    // One problem, as of that instant, reads the same as in the list.
    let one = app
        .get(
            &format!("/api/issues/{}?as_of={}", ids[2], read_at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            &app.staff,
        )
        .await;
    assert_eq!(
        (one.body["escalation_level"].clone(), one.body["overdue"].clone()),
        (as_of[&ids[2]].0.clone(), as_of[&ids[2]].2.clone())
    );
}

async fn the_queue_shows_escalated_problems_first(backend: Backend) {
    let app = app(backend).await;
    let area = app.area("ESC-04").await;
    assert_eq!(set_level(&app, "INF", json!({"days_to_resolve": 1})).await.status, StatusCode::OK);
    let now = now();
    let old = raise_at(&app, &area, "INF", "เก่าและเกินกำหนด", now - Duration::days(3)).await;
    let newer = raise_at(&app, &area, "LIV", "ใหม่กว่า", now - Duration::hours(2)).await;
    let filter = IssueFilter { areas: Some(vec![area.clone()]), ..IssueFilter::default() };
    let ids =
        |rows: Vec<santisuk_projections::read_model::IssueRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        ids(page(app.db(), &filter, QueueSort::Urgent, 0, 10).await.unwrap().rows),
        [newer.clone(), old.clone()]
    );
    escalate_due(&app.state, now).await.unwrap();
    assert_eq!(QueueSort::default(), QueueSort::Urgent, "the web queue's default order");
    assert_eq!(
        ids(page(app.db(), &filter, QueueSort::Urgent, 0, 10).await.unwrap().rows),
        [old.clone(), newer.clone()]
    );
    assert_eq!(ids(page(app.db(), &filter, QueueSort::Newest, 0, 10).await.unwrap().rows)[0], newer);
    // The API lists the escalated ones on their own (the dashboard's count links to the queue's same filter).
    let escalated = list(&app, &format!("&area_id={area}&escalated=true")).await;
    assert_eq!(escalated.iter().map(|i| i["id"].as_str().unwrap()).collect::<Vec<_>>(), [old.as_str()]);
    let r = app.get("/api/issues?escalated=maybe", &app.staff).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "bad_escalated"));
}

async fn bad_service_levels_are_refused_with_their_code_and_nothing_written(backend: Backend) {
    let app = app(backend).await;
    assert_eq!(
        set_level(&app, "INF", json!({"days_to_assign": 2, "days_to_resolve": 10})).await.status,
        StatusCode::OK
    );
    let events = app.event_count().await;
    for (code, body, status, error) in [
        ("INF", json!({"days_to_assign": 0}), StatusCode::UNPROCESSABLE_ENTITY, "bad_service_days"),
        ("INF", json!({"days_to_resolve": 367}), StatusCode::UNPROCESSABLE_ENTITY, "bad_service_days"),
        (
            "INF",
            json!({"days_to_assign": 5, "days_to_resolve": 3}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_service_days",
        ),
        ("INF", json!({"days_to_assign": -3}), StatusCode::UNPROCESSABLE_ENTITY, "bad_service_days"),
        ("INF", json!({"days_to_assign": 2, "days_to_resolve": 10}), StatusCode::CONFLICT, "service_level_unchanged"),
        ("NOPE_1", json!({"days_to_assign": 2}), StatusCode::NOT_FOUND, "category_not_found"),
        ("bad code!", json!({"days_to_assign": 2}), StatusCode::NOT_FOUND, "category_not_found"),
    ] {
        let r = set_level(&app, &code.replace(' ', "%20").replace('!', "%21"), body.clone()).await;
        assert_eq!((r.status, r.code()), (status, error), "{code} {body}: {:?}", r.body);
    }
    for body in [json!({"days_to_assign": "two"}), json!({"days": 3}), json!("three")] {
        let r = set_level(&app, "INF", body.clone()).await;
        assert!(r.status.is_client_error() && r.status != StatusCode::NOT_FOUND, "{body}: {:?}", r);
    }
    // Only an administrator.
    for token in [&app.staff, &app.coordinator, &app.auditor] {
        let body = Body::from(json!({"days_to_assign": 1}).to_string());
        let r = app.send(Method::PUT, "/api/categories/INF/service-level", Some(token), Some(body), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.event_count().await, events, "nothing written");
}
