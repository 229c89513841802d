//! Duplicates (issue #17 §3) through the API, on both backends: marking closes a problem as a duplicate and
//! links it both ways (the original lists its duplicates and the forums they came from); bad marks (itself,
//! unknown or unreadable originals, chains, closed problems, readers) are refused with their code and
//! nothing written; suggestions find open problems alike in Thai in the same area and category, never a case
//! the asker may not read; statistics count an original once with how many times it was raised, live equal
//! to as of each instant (differential), and a generated property: over any sequence of marks and reopens,
//! no duplicate's original is a duplicate, and the originals' times raised add up to every problem raised.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use santisuk_tests::{Backend, TestApp, both_backends, quiet_instant};
use serde_json::{Value, json};

both_backends!(
    a_duplicate_is_closed_and_listed_on_its_original_with_its_forum,
    bad_duplicate_marks_are_refused_with_their_code_and_nothing_written,
    suggestions_find_open_problems_alike_in_the_area_and_category_the_asker_may_read,
    statistics_count_an_original_once_live_and_as_of_each_instant,
    any_sequence_of_marks_keeps_originals_original_and_times_raised_adding_up,
);

async fn forum(app: &TestApp, area: &str, day: &str, title: &str) -> String {
    let r = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": day, "title": title})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn raise_at(app: &TestApp, area: &str, category: &str, title: &str, forum: Option<&str>) -> String {
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": area, "category": category, "title": title, "forum_id": forum}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn mark(app: &TestApp, token: &str, id: &str, of: &str) -> santisuk_tests::Reply {
    app.post(&format!("/api/issues/{id}/duplicate"), token, json!({"of": of, "note": "เรื่องเดียวกัน"})).await
}

async fn a_duplicate_is_closed_and_listed_on_its_original_with_its_forum(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("DUP-1").await;
    let f1 = forum(&app, &a, "2026-11-10", "เวทีบ้านตะโละ").await;
    let f2 = forum(&app, &a, "2026-11-20", "เวทีบ้านบานา").await;
    let original = raise_at(&app, &a, "INF", "สะพานข้ามคลองบ้านตะโละชำรุด", Some(&f1)).await;
    let again = raise_at(&app, &a, "INF", "สะพานข้ามคลองที่บ้านตะโละพัง ใช้การไม่ได้", Some(&f2)).await;
    let third = raise_at(&app, &a, "INF", "สะพานชำรุด", None).await;
    // By case number too, and by the coordinator of the area.
    let number = app.get(&format!("/api/issues/{original}"), &app.staff).await.body["case_number"].clone();
    let r = mark(&app, &app.coordinator, &again, number.as_str().unwrap()).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("closed")), "{:?}", r.body);
    let r = mark(&app, &app.staff, &third, &original).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let dup = app.get(&format!("/api/issues/{again}"), &app.staff).await.body;
    assert_eq!((dup["outcome"].as_str(), dup["duplicate_of"].as_str()), (Some("duplicate"), Some(original.as_str())));
    let list = app.get(&format!("/api/issues/{original}/duplicates"), &app.auditor).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["times_raised"], 3);
    let items = list.body["duplicates"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!((items[0]["id"].as_str(), items[0]["forum_id"].as_str()), (Some(again.as_str()), Some(f2.as_str())));
    assert_eq!(
        (items[0]["forum_held_on"].as_str(), items[0]["forum_title"].as_str()),
        (Some("2026-11-20"), Some("เวทีบ้านบานา"))
    );
    assert_eq!(items[1]["forum_id"], Value::Null);
    // The duplicate's own list says what it duplicates; the history names the event.
    let own = app.get(&format!("/api/issues/{again}/duplicates"), &app.staff).await.body;
    assert_eq!((own["duplicate_of"].as_str(), own["times_raised"].as_i64()), (Some(original.as_str()), Some(1)));
    let history = app.get(&format!("/api/issues/{again}/history"), &app.staff).await.body;
    assert!(history.to_string().contains("IssueMarkedDuplicate"), "{history}");
    // Reopening a duplicate ends the link.
    let r = app.post(&format!("/api/issues/{third}/reopen"), &app.staff, json!({"reason": "คนละสะพาน"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let list = app.get(&format!("/api/issues/{original}/duplicates"), &app.staff).await.body;
    assert_eq!(list["times_raised"], 2);
    assert_eq!(app.get(&format!("/api/issues/{third}"), &app.staff).await.body["duplicate_of"], Value::Null);
}

async fn bad_duplicate_marks_are_refused_with_their_code_and_nothing_written(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("DUP-2").await;
    let other = {
        let r =
            app.post("/api/areas", &app.admin, json!({"id": "DUP-X", "name_th": "พื้นที่อื่น", "amphoe_code": "9401"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        "DUP-X".to_owned()
    };
    let original = app.raise(&a, "INF", "ถนนชำรุด").await;
    let dup = app.raise(&a, "INF", "ถนนชำรุดเป็นหลุม").await;
    let next = app.raise(&a, "INF", "ถนนพัง").await;
    let closed = app.raise(&a, "INF", "ถนนเป็นหลุม").await;
    let elsewhere = app.raise(&other, "INF", "ถนนชำรุดที่อื่น").await;
    assert_eq!(mark(&app, &app.staff, &dup, &original).await.status, StatusCode::OK);
    let r = app.post(&format!("/api/issues/{closed}/close"), &app.staff, json!({"outcome": "withdrawn"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let unknown = uuid::Uuid::new_v4().to_string();
    let before = app.event_count().await;
    let cases: Vec<(String, &str, String, u16, &str)> = vec![
        (app.staff.clone(), "itself", next.clone(), 422, "duplicate_of_itself"),
        (app.staff.clone(), "unknown original", unknown.clone(), 422, "unknown_original"),
        (app.staff.clone(), "unknown case number", "DUP-2569-99999".into(), 422, "unknown_original"),
        (app.staff.clone(), "chain", dup.clone(), 409, "duplicate_of_duplicate"),
        // Another area's problem does not exist for the coordinator.
        (app.coordinator.clone(), "another area's original", elsewhere.clone(), 422, "unknown_original"),
        (app.auditor.clone(), "a reader", original.clone(), 403, "forbidden"),
    ];
    for (token, what, of, status, code) in &cases {
        let r = mark(&app, token, &next, of).await;
        assert_eq!((r.status.as_u16(), r.code()), (*status, *code), "{what}: {:?}", r.body);
        if *code == "duplicate_of_duplicate" {
            let message = r.body["error"]["message"].as_str().unwrap();
            assert!(message.contains(&original), "names the original: {message}");
        }
    }
    // A problem with duplicates of its own is not marked (no chains, so no cycles either).
    let r = mark(&app, &app.staff, &original, &next).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "has_duplicates"), "{:?}", r.body);
    // A closed problem is reopened first; an unknown problem is not found; so is another area's to a coordinator.
    let r = mark(&app, &app.staff, &closed, &original).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "issue_closed"), "{:?}", r.body);
    let r = mark(&app, &app.staff, &unknown, &original).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "issue_not_found"), "{:?}", r.body);
    let r = mark(&app, &app.coordinator, &elsewhere, &original).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "issue_not_found"), "{:?}", r.body);
    // A stale If-Match, an unknown field, a note that is not text.
    let r = app
        .post_with(&format!("/api/issues/{next}/duplicate"), &app.staff, json!({"of": original}), &[("if-match", "99")])
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "stale_version"), "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{next}/duplicate"), &app.staff, json!({"of": original, "x": 1})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{next}/duplicate"), &app.staff, json!({"of": original, "note": " "})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "empty_value"), "{:?}", r.body);
    let r = app.get(&format!("/api/issues/{elsewhere}/duplicates"), &app.coordinator).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "issue_not_found"));
    assert_eq!(app.event_count().await, before, "nothing written");
}

async fn suggestions_find_open_problems_alike_in_the_area_and_category_the_asker_may_read(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("DUP-3").await;
    let b = app.area("DUP-4").await;
    let road = app.raise(&a, "INF", "ถนนเข้าหมู่บ้านชำรุดเป็นหลุมบ่อ").await;
    app.raise(&a, "INF", "ไฟฟ้าส่องสว่างริมถนนดับหลายจุด").await;
    app.raise(&a, "EDU", "ถนนเข้าหมู่บ้านชำรุดเป็นหลุมบ่อ").await;
    app.raise(&b, "INF", "ถนนเข้าหมู่บ้านชำรุดเป็นหลุมบ่อ").await;
    let closed = app.raise(&a, "INF", "ถนนเข้าหมู่บ้านชำรุด เป็นหลุมบ่อ").await;
    app.post(&format!("/api/issues/{closed}/close"), &app.staff, json!({"outcome": "withdrawn"})).await;
    // A restricted case alike, raised by staff: not for the coordinator's eyes, nor for other staff without a grant.
    let secret = app
        .post(
            "/api/issues",
            &app.admin,
            json!({"area_id": a, "category": "INF", "title": "ถนนเข้าหมู่บ้านชำรุดเป็นหลุม", "restricted": true}),
        )
        .await;
    let secret = secret.body["id"].as_str().unwrap().to_owned();
    let ask = |token: String, area: String| {
        let app = app.clone();
        async move {
            let title = "ถนนทางเข้าหมู่บ้านเป็นหลุมเป็นบ่อ ชำรุดหนัก";
            let path = format!(
                "/api/duplicates/suggest?area={area}&category=INF&title={}",
                santisuk_http::web::layout::url_encode(title)
            );
            let r = app.get(&path, &token).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            r.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(ask(app.coordinator.clone(), a.clone()).await, vec![road.clone()]);
    assert_eq!(ask(app.staff.clone(), a.clone()).await, vec![road.clone()]);
    let admin = ask(app.admin.clone(), a.clone()).await;
    assert!(admin.contains(&secret) && admin.contains(&road), "{admin:?}");
    // Nothing of an area the coordinator does not hold.
    let other = {
        let r =
            app.post("/api/areas", &app.admin, json!({"id": "DUP-Y", "name_th": "อื่น", "amphoe_code": "9401"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        app.raise("DUP-Y", "INF", "ถนนเข้าหมู่บ้านชำรุดเป็นหลุมบ่อ").await
    };
    assert!(ask(app.coordinator.clone(), "DUP-Y".into()).await.is_empty());
    assert_eq!(ask(app.staff.clone(), "DUP-Y".into()).await, vec![other]);
    // Bad input: a malformed area or an empty title (422); an unknown field (400 or 422).
    let r = app.get("/api/duplicates/suggest?area=bad%20area&category=INF&title=x", &app.staff).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = app.get(&format!("/api/duplicates/suggest?area={a}&category=INF&title=%20"), &app.staff).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "empty_value"), "{:?}", r.body);
}

/// The statistics' totals, live or as of an instant.
async fn statistics_count_an_original_once_live_and_as_of_each_instant(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("DUP-5").await;
    let original = app.raise(&a, "INF", "สะพานชำรุด").await;
    let again = app.raise(&a, "INF", "สะพานพัง").await;
    let third = app.raise(&a, "INF", "สะพานใช้ไม่ได้").await;
    let mut marks = Vec::new();
    let mut live = Vec::new();
    let record = |marks: &mut Vec<DateTime<Utc>>, t| marks.push(t);
    let t = quiet_instant().await;
    record(&mut marks, t);
    live.push(app.resolution("area", None).await);
    mark(&app, &app.staff, &again, &original).await;
    mark(&app, &app.staff, &third, &original).await;
    let t = quiet_instant().await;
    record(&mut marks, t);
    live.push(app.resolution("area", None).await);
    app.post(&format!("/api/issues/{third}/reopen"), &app.staff, json!({"reason": "คนละเรื่อง"})).await;
    let t = quiet_instant().await;
    record(&mut marks, t);
    live.push(app.resolution("area", None).await);
    let figures = |v: &Value| {
        (v["totals"]["raised"].as_i64(), v["totals"]["times_raised"].as_i64(), v["totals"]["closed"].as_i64())
    };
    assert_eq!(figures(&live[0]), (Some(3), Some(3), Some(0)));
    // Counted once, raised three times; the duplicates are neither closed nor unresolved problems.
    assert_eq!(figures(&live[1]), (Some(1), Some(3), Some(0)));
    assert_eq!(live[1]["totals"]["unresolved_by_outcome"]["duplicate"], 0);
    assert_eq!(figures(&live[2]), (Some(2), Some(3), Some(0)));
    let row = live[1]["rows"].as_array().unwrap().iter().find(|r| r["area_id"] == a.as_str()).unwrap().clone();
    assert_eq!((row["raised"].as_i64(), row["times_raised"].as_i64()), (Some(1), Some(3)));
    // The same figures as of each instant: the live SQL and the fold agree.
    for (t, then) in marks.iter().zip(&live) {
        assert_eq!(&app.resolution("area", Some(*t)).await, then, "as of {t}");
    }
}

/// A generated step: mark issue `i` a duplicate of issue `j`, or reopen issue `i`.
#[derive(Debug, Clone)]
enum Step {
    Mark(usize, usize),
    Reopen(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![3 => (0..6_usize, 0..6_usize).prop_map(|(i, j)| Step::Mark(i, j)), 1 => (0..6_usize).prop_map(Step::Reopen)]
}

async fn run_marks(backend: Backend, steps: &[Step]) -> Result<(), TestCaseError> {
    let app = TestApp::new(backend).await;
    let a = app.area("DUP-P").await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(app.raise(&a, "INF", &format!("ปัญหา {n}")).await);
    }
    for s in steps {
        match s {
            Step::Mark(i, j) => {
                let r = mark(&app, &app.staff, &ids[*i], &ids[*j]).await;
                prop_assert!([200, 409, 422].contains(&r.status.as_u16()), "{:?}", r.body);
            }
            Step::Reopen(i) => {
                app.post(&format!("/api/issues/{}/reopen", ids[*i]), &app.staff, json!({"reason": "ไม่ซ้ำ"})).await;
            }
        }
    }
    let mut sum = 0;
    let mut originals = 0;
    for id in &ids {
        let one = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
        let dups = app.get(&format!("/api/issues/{id}/duplicates"), &app.staff).await.body;
        match one["duplicate_of"].as_str() {
            Some(of) => {
                let original = app.get(&format!("/api/issues/{of}"), &app.staff).await.body;
                prop_assert_eq!(&original["duplicate_of"], &Value::Null, "a duplicate's original is an original");
                prop_assert_eq!(dups["times_raised"].as_i64(), Some(1), "a duplicate has no duplicates");
                prop_assert_eq!(one["status"].as_str(), Some("closed"));
            }
            None => {
                originals += 1;
                sum += dups["times_raised"].as_i64().unwrap();
            }
        }
    }
    prop_assert_eq!(sum, ids.len() as i64, "the originals' times raised add up to every problem raised");
    let live = app.resolution("area", None).await;
    prop_assert_eq!(live["totals"]["raised"].as_i64(), Some(originals));
    prop_assert_eq!(live["totals"]["times_raised"].as_i64(), Some(ids.len() as i64));
    prop_assert_eq!(&app.resolution("area", Some(Utc::now())).await, &live, "as of now equals live");
    Ok(())
}

async fn any_sequence_of_marks_keeps_originals_original_and_times_raised_adding_up(backend: Backend) {
    let cases = match backend {
        Backend::Sqlite => 6,
        Backend::Postgres => 3,
    };
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[17; 32]));
    let handle = tokio::runtime::Handle::current();
    let result = runner.run(&proptest::collection::vec(step(), 1..14), |steps| {
        tokio::task::block_in_place(|| handle.block_on(run_marks(backend, &steps)))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
