//! The community's verdict (issue #17 §6) through the API, on both backends: a forum lists the problems of
//! its area closed since the previous forum there (and those not asked before); confirmed, disputed (which
//! reopens the problem with the reason) and not asked are recorded; bad verdicts are refused with their code
//! and nothing written, a batch with one bad entry included; the confirmed resolution rate beside the
//! resolution rate, live equal to as of each instant; the progress report's verdict column.

use axum::http::StatusCode;
use chrono::Utc;
use santisuk_tests::{Backend, TestApp, both_backends, quiet_instant};
use serde_json::{Value, json};

/// Today in Bangkok, the day a forum held now is recorded on (UTC is a day behind from 17:00 UTC).
fn bangkok_today() -> String {
    santisuk_domain::time::bangkok_date(Utc::now()).to_string()
}

both_backends!(
    a_forum_lists_the_problems_closed_since_the_previous_one_and_records_the_verdicts,
    bad_verdicts_are_refused_with_their_code_and_nothing_written,
    the_confirmed_rate_stands_beside_the_resolution_rate_live_and_as_of,
    the_progress_report_counts_the_verdicts_of_its_forums,
    the_confirmed_rate_is_given_per_agency_live_and_as_of,
);

async fn forum(app: &TestApp, area: &str, day: &str) -> String {
    let r = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": day})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// A problem raised on `raised` and closed with `outcome` at `closed` (RFC 3339), resolved ones after an action.
async fn closed_problem(app: &TestApp, area: &str, title: &str, outcome: &str, raised: &str, closed: &str) -> String {
    let r = app
        .post("/api/issues", &app.staff, json!({"area_id": area, "category": "INF", "title": title, "at": raised}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    if outcome == "resolved" {
        let r =
            app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต.", "at": raised})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let r =
            app.post(&format!("/api/issues/{id}/address"), &app.staff, json!({"action": "ซ่อมแล้ว", "at": closed})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let r = app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": outcome, "at": closed})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    id
}

async fn verdicts(app: &TestApp, token: &str, forum: &str, entries: Value) -> santisuk_tests::Reply {
    app.post(&format!("/api/forums/{forum}/verdicts"), token, json!({"verdicts": entries})).await
}

fn ids(list: &Value) -> Vec<String> {
    list["problems"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
}

const EARLY: &str = "2026-11-01T03:00:00Z";

async fn a_forum_lists_the_problems_closed_since_the_previous_one_and_records_the_verdicts(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("VER-1").await;
    let b = app.area("VER-2").await;
    let before_first = closed_problem(&app, &a, "ถนนชำรุด", "resolved", EARLY, "2026-11-05T03:00:00Z").await;
    let first = forum(&app, &a, "2026-11-10").await;
    // Not asked at the first forum: it waits for the next one.
    let r = verdicts(&app, &app.coordinator, &first, json!([{"issue_id": before_first, "verdict": "not_asked"}])).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let old = closed_problem(&app, &a, "ไฟดับ", "resolved", EARLY, "2026-11-06T03:00:00Z").await;
    let r = verdicts(&app, &app.coordinator, &first, json!([{"issue_id": old, "verdict": "confirmed"}])).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let resolved = closed_problem(&app, &a, "สะพานชำรุด", "resolved", EARLY, "2026-11-12T03:00:00Z").await;
    let withdrawn = closed_problem(&app, &a, "ประปาไม่ไหล", "withdrawn", EARLY, "2026-11-13T03:00:00Z").await;
    let open = app.raise(&a, "INF", "ท่อระบายน้ำตัน").await;
    let elsewhere = closed_problem(&app, &b, "ถนนที่อื่น", "withdrawn", EARLY, "2026-11-12T03:00:00Z").await;
    let duplicate = app.raise(&a, "INF", "สะพานพัง").await;
    let r = app.post(&format!("/api/issues/{duplicate}/duplicate"), &app.staff, json!({"of": resolved})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let second = forum(&app, &a, &bangkok_today()).await;
    let list = app.get(&format!("/api/forums/{second}/verdicts"), &app.coordinator).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["since"], "2026-11-10");
    // Closed since the first forum, and the one not asked there; not the open one, the confirmed one, another
    // area's or the duplicate. The duplicate's closure is today (after the forum's start): still not listed.
    assert_eq!(ids(&list.body), vec![before_first.clone(), resolved.clone(), withdrawn.clone()], "{}", list.body);
    assert!(!ids(&list.body).contains(&open) && !ids(&list.body).contains(&elsewhere));
    // The first forum listed what was closed before it (it had no previous forum).
    let first_list = app.get(&format!("/api/forums/{first}/verdicts"), &app.staff).await.body;
    assert_eq!(first_list["since"], Value::Null);
    assert!(ids(&first_list).contains(&before_first), "{first_list}");
    let r = verdicts(
        &app,
        &app.coordinator,
        &second,
        json!([
            {"issue_id": resolved, "verdict": "confirmed"},
            {"issue_id": withdrawn, "verdict": "disputed", "reason": "น้ำประปายังไม่ไหล"},
            {"issue_id": before_first, "verdict": "not_asked"},
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["recorded"].as_array().unwrap().len(), 3);
    // The dispute reopened the problem, with the reason in its history.
    let reopened = app.get(&format!("/api/issues/{withdrawn}"), &app.staff).await.body;
    assert_eq!((reopened["status"].as_str(), reopened["verdict"].as_str()), (Some("raised"), Some("disputed")));
    assert_eq!(reopened["verdict_forum_id"].as_str(), Some(second.as_str()));
    let history = app.get(&format!("/api/issues/{withdrawn}/history"), &app.staff).await.body;
    assert!(history.to_string().contains("น้ำประปายังไม่ไหล"), "{history}");
    // Still listed at the forum it was disputed at, with its verdict.
    let list = app.get(&format!("/api/forums/{second}/verdicts"), &app.auditor).await.body;
    let shown: Vec<(String, Value)> = list["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_owned(), p["verdict"].clone()))
        .collect();
    assert!(shown.contains(&(withdrawn.clone(), json!("disputed"))), "{list}");
    assert!(shown.contains(&(resolved.clone(), json!("confirmed"))), "{list}");
    // A verdict may be corrected at the same forum (the last one holds).
    let r = verdicts(&app, &app.staff, &second, json!([{"issue_id": resolved, "verdict": "not_asked"}])).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.get(&format!("/api/issues/{resolved}"), &app.staff).await.body["verdict"], "not_asked");
    // Closing again asks again: the verdict of the old closure no longer holds.
    let r = app.post(&format!("/api/issues/{withdrawn}/close"), &app.staff, json!({"outcome": "withdrawn"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.get(&format!("/api/issues/{withdrawn}"), &app.staff).await.body["verdict"], Value::Null);
}

async fn bad_verdicts_are_refused_with_their_code_and_nothing_written(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("VER-3").await;
    let other = {
        let r =
            app.post("/api/areas", &app.admin, json!({"id": "VER-X", "name_th": "อื่น", "amphoe_code": "9401"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        "VER-X".to_owned()
    };
    let resolved = closed_problem(&app, &a, "สะพานชำรุด", "resolved", EARLY, "2026-11-12T03:00:00Z").await;
    let referred = closed_problem(&app, &a, "ถนนชำรุด", "referred", EARLY, "2026-11-12T03:00:00Z").await;
    let elsewhere = closed_problem(&app, &other, "ถนนที่อื่น", "withdrawn", EARLY, "2026-11-12T03:00:00Z").await;
    let open = app.raise(&a, "INF", "ไฟดับ").await;
    let dup = app.raise(&a, "INF", "สะพานพัง").await;
    app.post(&format!("/api/issues/{dup}/duplicate"), &app.staff, json!({"of": resolved})).await;
    let early = forum(&app, &a, "2026-11-11").await;
    let today = forum(&app, &a, &bangkok_today()).await;
    let far = forum(&app, &other, &bangkok_today()).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let before = app.event_count().await;
    let good = json!({"issue_id": resolved, "verdict": "confirmed"});
    let cases: Vec<(&str, String, Value, u16, &str)> = vec![
        ("open", today.clone(), json!([{"issue_id": open, "verdict": "confirmed"}]), 409, "verdict_on_open_issue"),
        (
            "other area",
            today.clone(),
            json!([{"issue_id": elsewhere, "verdict": "not_asked"}]),
            422,
            "forum_in_other_area",
        ),
        ("unknown issue", today.clone(), json!([{"issue_id": unknown, "verdict": "not_asked"}]), 422, "unknown_issue"),
        ("not an id", today.clone(), json!([{"issue_id": "nope", "verdict": "not_asked"}]), 422, "unknown_issue"),
        ("no reason", today.clone(), json!([{"issue_id": referred, "verdict": "disputed"}]), 422, "reason_required"),
        (
            "blank reason",
            today.clone(),
            json!([{"issue_id": referred, "verdict": "disputed", "reason": " "}]),
            422,
            "reason_required",
        ),
        (
            "not resolved",
            today.clone(),
            json!([{"issue_id": referred, "verdict": "confirmed"}]),
            409,
            "confirmed_not_resolved",
        ),
        ("duplicate", today.clone(), json!([{"issue_id": dup, "verdict": "not_asked"}]), 409, "verdict_on_duplicate"),
        ("unknown verdict", today.clone(), json!([{"issue_id": resolved, "verdict": "happy"}]), 422, "unknown_verdict"),
        ("none", today.clone(), json!([]), 422, "no_verdicts"),
        ("twice", today.clone(), json!([good, good]), 422, "repeated_issue"),
        ("forum before closure", early.clone(), json!([good]), 422, "forum_before_closure"),
        // One good entry and one bad: nothing of the request is written.
        (
            "batch",
            today.clone(),
            json!([good, {"issue_id": open, "verdict": "confirmed"}]),
            409,
            "verdict_on_open_issue",
        ),
        ("unknown forum", unknown.clone(), json!([good]), 404, "forum_not_found"),
    ];
    for (what, forum, entries, status, code) in &cases {
        let r = verdicts(&app, &app.staff, forum, entries.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (*status, *code), "{what}: {:?}", r.body);
    }
    // Readers may not; a coordinator does not see another area's forum.
    let r = verdicts(&app, &app.auditor, &today, json!([good])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = verdicts(&app, &app.coordinator, &far, json!([{"issue_id": elsewhere, "verdict": "not_asked"}])).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "forum_not_found"));
    let r = app.get(&format!("/api/forums/{far}/verdicts"), &app.coordinator).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "forum_not_found"));
    let r = app.post(&format!("/api/forums/{today}/verdicts"), &app.staff, json!({"verdicts": [good], "x": 1})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(app.event_count().await, before, "nothing written");
    assert_eq!(app.get(&format!("/api/issues/{resolved}"), &app.staff).await.body["verdict"], Value::Null);
}

async fn the_confirmed_rate_stands_beside_the_resolution_rate_live_and_as_of(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("VER-4").await;
    let mut resolved = Vec::new();
    for n in 0..3 {
        resolved.push(closed_problem(&app, &a, &format!("ปัญหา {n}"), "resolved", EARLY, "2026-11-12T03:00:00Z").await);
    }
    app.raise(&a, "INF", "ยังไม่ปิด").await;
    let f = forum(&app, &a, &bangkok_today()).await;
    let mut marks = vec![quiet_instant().await];
    let mut live = vec![(app.resolution("area", None).await, app.resolution("category", None).await)];
    let r = verdicts(
        &app,
        &app.coordinator,
        &f,
        json!([{"issue_id": resolved[0], "verdict": "confirmed"}, {"issue_id": resolved[1], "verdict": "confirmed"}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    marks.push(quiet_instant().await);
    live.push((app.resolution("area", None).await, app.resolution("category", None).await));
    let r = verdicts(
        &app,
        &app.coordinator,
        &f,
        json!([{"issue_id": resolved[1], "verdict": "disputed", "reason": "ยังไม่เสร็จ"}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    marks.push(quiet_instant().await);
    live.push((app.resolution("area", None).await, app.resolution("category", None).await));
    let rates = |v: &Value| {
        let t = &v["totals"];
        (t["resolved"].as_i64(), t["confirmed"].as_i64(), t["resolution_rate"].as_f64(), t["confirmed_rate"].as_f64())
    };
    assert_eq!(rates(&live[0].0), (Some(3), Some(0), Some(0.75), Some(0.0)));
    assert_eq!(rates(&live[1].0), (Some(3), Some(2), Some(0.75), Some(0.5)));
    // The dispute reopened one: resolved 2 of 4, confirmed 1 of 4.
    assert_eq!(rates(&live[2].0), (Some(2), Some(1), Some(0.5), Some(0.25)));
    let inf = live[1].1["rows"].as_array().unwrap().iter().find(|r| r["category"] == "INF").unwrap().clone();
    assert_eq!(inf["confirmed"], 2);
    for (t, (by_area, by_category)) in marks.iter().zip(&live) {
        assert_eq!(&app.resolution("area", Some(*t)).await, by_area, "as of {t}");
        assert_eq!(&app.resolution("category", Some(*t)).await, by_category, "as of {t}");
    }
}

async fn the_progress_report_counts_the_verdicts_of_its_forums(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("VER-5").await;
    let one = closed_problem(&app, &a, "ปัญหาหนึ่ง", "resolved", EARLY, "2026-11-12T03:00:00Z").await;
    let two = closed_problem(&app, &a, "ปัญหาสอง", "withdrawn", EARLY, "2026-11-12T03:00:00Z").await;
    let f = forum(&app, &a, "2026-11-20").await;
    let r = verdicts(
        &app,
        &app.staff,
        &f,
        json!([{"issue_id": one, "verdict": "confirmed"}, {"issue_id": two, "verdict": "not_asked"}]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.get("/api/reports/progress?period=custom&from=2026-11-01&to=2026-11-30", &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let row = r.body["rows"].as_array().unwrap().iter().find(|r| r["area_id"] == a.as_str()).unwrap().clone();
    assert_eq!(row["verdicts"], json!({"confirmed": 1, "disputed": 0, "not_asked": 1}));
    assert_eq!(r.body["totals"]["verdicts"]["confirmed"], 1);
    // A forum outside the period counts nothing.
    let r = app.get("/api/reports/progress?period=custom&from=2026-10-01&to=2026-10-31", &app.staff).await;
    let row = r.body["rows"].as_array().unwrap().iter().find(|r| r["area_id"] == a.as_str()).unwrap().clone();
    assert_eq!(row["verdicts"], json!({"confirmed": 0, "disputed": 0, "not_asked": 0}));
}

async fn the_confirmed_rate_is_given_per_agency_live_and_as_of(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("VER-6").await;
    let agency =
        app.post("/api/agencies", &app.admin, json!({"name_th": "แขวงทางหลวงชนบท", "level": "national"})).await;
    assert_eq!(agency.status, StatusCode::CREATED, "{:?}", agency.body);
    let agency = agency.body["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for n in 0..2 {
        let r = app
            .post(
                "/api/issues",
                &app.staff,
                json!({"area_id": a, "category": "INF", "title": format!("ถนน {n}"), "at": EARLY}),
            )
            .await;
        let id = r.body["id"].as_str().unwrap().to_owned();
        let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"agency": agency, "at": EARLY})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let at = "2026-11-12T03:00:00Z";
        app.post(&format!("/api/issues/{id}/address"), &app.staff, json!({"action": "ซ่อมแล้ว", "at": at})).await;
        let r =
            app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "resolved", "at": at})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        ids.push(id);
    }
    let f = forum(&app, &a, &bangkok_today()).await;
    let before = quiet_instant().await;
    let r = verdicts(&app, &app.staff, &f, json!([{"issue_id": ids[0], "verdict": "confirmed"}])).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let row =
        |v: &Value| v["rows"].as_array().unwrap().iter().find(|r| r["agency_id"] == agency.as_str()).cloned().unwrap();
    let live = app.resolution("agency", None).await;
    let mine = row(&live);
    assert_eq!((mine["resolved"].as_i64(), mine["confirmed"].as_i64()), (Some(2), Some(1)), "{mine}");
    assert_eq!((mine["resolution_rate"].as_f64(), mine["confirmed_rate"].as_f64()), (Some(1.0), Some(0.5)));
    assert_eq!(app.resolution("agency", Some(Utc::now())).await, live, "as of now equals live");
    assert_eq!(row(&app.resolution("agency", Some(before)).await)["confirmed"], 0, "as of before the forum");
}
