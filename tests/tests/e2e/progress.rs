//! The progress report and the spreading marks (issue #16 §2, §4): exact figures over several forums, areas
//! and periods, the report as of a past instant, a coordinator's scope, the marks and the roll-up, and bad
//! input refused with its code and nothing written.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use santisuk_tests::{Backend, Reply, TestApp, both_backends, csv_records};
use serde_json::{Value, json};

both_backends!(
    spreading_marks_are_checked_and_shown_on_the_areas,
    bad_reach_marks_are_refused_and_write_nothing,
    the_report_counts_forums_problems_and_quiet_areas_exactly,
    reached_areas_roll_up_to_their_target_area,
    a_report_as_of_a_past_instant_is_what_it_said_then,
    a_coordinator_sees_only_their_own_areas_and_section,
    bad_report_requests_are_refused_with_their_code,
    the_report_exports_as_csv_and_xlsx_thai_first,
    the_trend_counts_each_quarter_as_the_report_does,
    participation_organisations_and_obstacles_are_counted,
    the_web_pages_mark_areas_and_show_the_report_in_the_callers_scope,
);

async fn reach(app: &TestApp, token: &str, area: &str, body: Value) -> Reply {
    let path = format!("/api/areas/{area}/reach");
    app.send(Method::PUT, &path, Some(token), Some(Body::from(body.to_string())), &[]).await
}

async fn forum(app: &TestApp, area: &str, held_on: &str, head: Option<i64>) -> String {
    let mut body = json!({"area_id": area, "held_on": held_on});
    if let Some(n) = head {
        body["participants"] = json!(n);
    }
    let r = app.post("/api/forums", &app.staff, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().expect("id").to_owned()
}

/// Raises a community problem at a past instant and returns its id.
async fn raise_at(app: &TestApp, area: &str, at: &str) -> String {
    let body = json!({"area_id": area, "category": "LIV", "title": "ถนนชำรุด", "at": at});
    let r = app.post("/api/issues", &app.staff, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().expect("id").to_owned()
}

async fn resolve_at(app: &TestApp, id: &str, at: &str) {
    let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต.", "at": at})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{id}/address"), &app.staff, json!({"action": "ซ่อมแล้ว", "at": at})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "resolved", "at": at})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app.get(&format!("/api/reports/progress?{query}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body
}

fn row<'a>(report: &'a Value, area: &str) -> &'a Value {
    report["rows"].as_array().expect("rows").iter().find(|r| r["area_id"] == area).unwrap_or_else(|| {
        panic!("no row for {area} in {report}");
    })
}

/// `(forums_held, head_count, problems_raised, problems_resolved, problems_open, days_since_last_forum, quiet)`
fn figures(v: &Value) -> (i64, i64, i64, i64, i64, Option<i64>, bool) {
    (
        v["forums_held"].as_i64().unwrap(),
        v["head_count"].as_i64().unwrap(),
        v["problems_raised"].as_i64().unwrap(),
        v["problems_resolved"].as_i64().unwrap(),
        v["problems_open"].as_i64().unwrap(),
        v["days_since_last_forum"].as_i64(),
        v["quiet"].as_bool().unwrap(),
    )
}

/// Areas T (target), R (reached from T), Q (quiet since October 2025), with forums and problems around
/// March 2026.
async fn history(app: &TestApp) -> [String; 3] {
    let t = app.area("PR-T").await;
    let r = app.area("PR-R").await;
    let q = app.area_in("PR-Q", "9501").await;
    let marked = reach(app, &app.admin, &r, json!({"from": t, "on": "2026-02-01"})).await;
    assert_eq!(marked.status, StatusCode::OK, "{:?}", marked.body);
    forum(app, &t, "2026-03-05", Some(30)).await;
    forum(app, &t, "2026-03-20", Some(10)).await;
    forum(app, &t, "2026-02-10", Some(99)).await;
    forum(app, &r, "2026-03-15", None).await;
    forum(app, &q, "2025-10-01", Some(5)).await;
    // T: raised and resolved in March; raised in February, still open; raised in March, resolved in April.
    let a = raise_at(app, &t, "2026-03-02T03:00:00Z").await;
    resolve_at(app, &a, "2026-03-10T03:00:00Z").await;
    raise_at(app, &t, "2026-02-01T03:00:00Z").await;
    let c = raise_at(app, &t, "2026-03-05T03:00:00Z").await;
    resolve_at(app, &c, "2026-04-02T03:00:00Z").await;
    // R: raised in March, open. Q: raised in April (outside March altogether).
    raise_at(app, &r, "2026-03-25T03:00:00Z").await;
    raise_at(app, &q, "2026-04-05T03:00:00Z").await;
    [t, r, q]
}

async fn spreading_marks_are_checked_and_shown_on_the_areas(backend: Backend) {
    let app = TestApp::new(backend).await;
    let t = app.area("SP-T").await;
    let r = app.area("SP-R").await;
    let marked = reach(&app, &app.staff, &r, json!({"from": t, "on": "2026-02-01"})).await;
    assert_eq!(marked.status, StatusCode::OK, "staff may mark: {:?}", marked.body);
    assert_eq!(marked.body["reached_from"], t);
    assert_eq!(marked.body["reached_on"], "2026-02-01");
    assert_eq!(marked.body["target_area"], false);
    let areas = app.get("/api/areas", &app.admin).await;
    let listed = |id: &str| areas.body["items"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap().clone();
    assert_eq!(listed(&t)["target_area"], true);
    assert_eq!(listed(&r)["reached_from"], t);
    // Given again (Buddhist-Era date), the mark is replaced; the event is in the audit log.
    let again = reach(&app, &app.admin, &r, json!({"from": t, "on": "2569-03-01"})).await;
    assert_eq!(again.body["reached_on"], "2026-03-01", "{:?}", again.body);
    let log = app.get("/api/audit/events?type=AreaReached", &app.auditor).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    assert_eq!(log.body["items"].as_array().map(Vec::len), Some(2), "{:?}", log.body);
}

async fn bad_reach_marks_are_refused_and_write_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("BR-A").await;
    let b = app.area("BR-B").await;
    let c = app.area("BR-C").await;
    assert_eq!(reach(&app, &app.admin, &b, json!({"from": a, "on": "2026-01-01"})).await.status, StatusCode::OK);
    assert_eq!(reach(&app, &app.admin, &c, json!({"from": b, "on": "2026-01-01"})).await.status, StatusCode::OK);
    let before = app.event_count().await;
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            &app.admin,
            &a,
            json!({"from": a, "on": "2026-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "reached_from_itself",
        ),
        (&app.admin, &a, json!({"from": c, "on": "2026-01-01"}), StatusCode::UNPROCESSABLE_ENTITY, "reach_cycle"),
        (&app.admin, &b, json!({"from": c, "on": "2026-01-01"}), StatusCode::UNPROCESSABLE_ENTITY, "reach_cycle"),
        (
            &app.admin,
            &a,
            json!({"from": "NOPE-1", "on": "2026-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_area",
        ),
        (&app.admin, "NOPE-2", json!({"from": a, "on": "2026-01-01"}), StatusCode::NOT_FOUND, "area_not_found"),
        (&app.admin, &c, json!({"from": a, "on": "2999-01-01"}), StatusCode::UNPROCESSABLE_ENTITY, "reached_in_future"),
        (&app.admin, &a, json!({"from": b, "on": "yesterday"}), StatusCode::UNPROCESSABLE_ENTITY, "bad_date"),
        (&app.admin, &a, json!({"from": b}), StatusCode::UNPROCESSABLE_ENTITY, ""),
        (&app.coordinator, &a, json!({"from": b, "on": "2026-01-01"}), StatusCode::FORBIDDEN, "forbidden"),
        (&app.auditor, &a, json!({"from": b, "on": "2026-01-01"}), StatusCode::FORBIDDEN, "forbidden"),
    ];
    for (token, area, body, status, code) in cases {
        let r = reach(&app, token, area, body.clone()).await;
        assert_eq!(r.status, status, "{area} {body}: {:?}", r.body);
        if !code.is_empty() {
            assert_eq!(r.code(), code, "{area} {body}");
        }
    }
    assert_eq!(app.event_count().await, before, "no refused mark wrote an event");
}

async fn the_report_counts_forums_problems_and_quiet_areas_exactly(backend: Backend) {
    let app = TestApp::new(backend).await;
    let [t, r, q] = history(&app).await;
    let march = report(&app, &app.admin, "period=month&month=2026-03").await;
    assert_eq!((march["from"].as_str(), march["to"].as_str()), (Some("2026-03-01"), Some("2026-03-31")));
    assert_eq!(figures(row(&march, &t)), (2, 40, 2, 1, 1, Some(11), false));
    assert_eq!(figures(row(&march, &r)), (1, 0, 1, 0, 1, Some(16), false));
    assert_eq!(figures(row(&march, &q)), (0, 0, 0, 0, 0, Some(181), true));
    assert_eq!(row(&march, &t)["target_area"], true);
    assert_eq!(row(&march, &r)["reached_from"], t.as_str());
    assert_eq!(row(&march, &r)["root_area"], t.as_str());
    // The coordinator's home area has never held a forum: quiet, no days.
    let home = format!("HOME-{}", app.suffix);
    assert_eq!(figures(row(&march, &home)), (0, 0, 0, 0, 0, None, true));
    // Forums without participation are "not recorded"; no verdict was given at them (issue #17 counts them).
    assert_eq!(row(&march, &t)["participants"]["forums_not_recorded"], 2);
    assert_eq!(row(&march, &t)["verdicts"], json!({"confirmed": 0, "disputed": 0, "not_asked": 0}));
    assert_eq!(figures(&march["totals"]), (3, 40, 3, 1, 2, Some(11), false));
    assert_eq!(march["quiet_days"], 90);
    // A longer quiet threshold; February: the third forum of T, and one problem raised.
    let lenient = report(&app, &app.admin, "period=month&month=2026-03&quiet_days=200").await;
    assert_eq!(row(&lenient, &q)["quiet"], false);
    let feb = report(&app, &app.admin, "period=month&month=2569-02").await;
    assert_eq!(figures(row(&feb, &t)), (1, 99, 1, 0, 1, Some(18), false));
    // The first quarter of 2026 (fiscal Q2 of 2569): five forums from February and March.
    let q1 = report(&app, &app.admin, "period=quarter&quarter=2026-Q1").await;
    assert_eq!(figures(row(&q1, &t)), (3, 139, 3, 1, 1, Some(11), false));
    // The fiscal year 2569 (1 October 2025 – 30 September 2026) holds everything.
    let fy = report(&app, &app.admin, "period=fiscal_year&fiscal_year=2569").await;
    assert_eq!(fy["from"], "2025-10-01");
    let days = fy_days(&fy, "2026-03-20");
    assert_eq!(figures(row(&fy, &t)), (3, 139, 3, 2, 1, Some(days), days > 90));
    assert_eq!(figures(row(&fy, &q)).0, 1);
    // A custom period, scoped to one province (Yala: Q only) and to one area.
    let yala = report(&app, &app.admin, "period=custom&from=2025-09-01&to=2026-04-30&scope=province&scope_id=95").await;
    let ids: Vec<&str> = yala["rows"].as_array().unwrap().iter().map(|r| r["area_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [q.as_str()]);
    assert_eq!(figures(row(&yala, &q)), (1, 5, 1, 0, 1, Some(211), true));
    let one = report(&app, &app.staff, &format!("period=month&month=2026-03&scope=area&scope_id={t}")).await;
    assert_eq!(one["rows"].as_array().unwrap().len(), 1);
    assert_eq!(figures(&one["totals"]), (2, 40, 2, 1, 1, Some(11), false));
}

/// Days from `day` to the report's end (the fiscal year has not ended when the test runs in it).
fn fy_days(report: &Value, day: &str) -> i64 {
    let end: chrono::NaiveDate = report["end"].as_str().unwrap().parse().unwrap();
    (end - day.parse::<chrono::NaiveDate>().unwrap()).num_days()
}

async fn reached_areas_roll_up_to_their_target_area(backend: Backend) {
    let app = TestApp::new(backend).await;
    let [t, r, q] = history(&app).await;
    // A second generation: Q reached from R, so T's group holds all three.
    assert_eq!(reach(&app, &app.admin, &q, json!({"from": r, "on": "2026-03-01"})).await.status, StatusCode::OK);
    let rolled = report(&app, &app.admin, "period=month&month=2026-03&roll_up=target").await;
    let group = row(&rolled, &t);
    assert_eq!(group["areas"], json!([t, q, r]), "the target area first");
    assert_eq!(figures(group), (3, 40, 3, 1, 2, Some(11), false));
    assert!(rolled["rows"].as_array().unwrap().iter().all(|x| x["area_id"] != r && x["area_id"] != q));
    // The totals are the same as without the roll-up.
    let flat = report(&app, &app.admin, "period=month&month=2026-03").await;
    assert_eq!(rolled["totals"], flat["totals"]);
}

async fn a_report_as_of_a_past_instant_is_what_it_said_then(backend: Backend) {
    let app = TestApp::new(backend).await;
    let [t, r, q] = history(&app).await;
    let query = "period=month&month=2026-03&roll_up=none";
    let then = report(&app, &app.admin, query).await;
    let trend_then = app.get(&format!("/api/reports/progress/trend?{query}"), &app.admin).await.body;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let instant = santisuk_app::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    // Later: a forum recorded late for March, a problem resolved back in March, a new mark.
    forum(&app, &r, "2026-03-28", Some(12)).await;
    let open = raise_at(&app, &t, "2026-03-03T03:00:00Z").await;
    resolve_at(&app, &open, "2026-03-30T03:00:00Z").await;
    assert_eq!(reach(&app, &app.admin, &q, json!({"from": t, "on": "2026-03-01"})).await.status, StatusCode::OK);
    let now = report(&app, &app.admin, query).await;
    assert_ne!(now, then, "the later changes show live");
    assert_eq!(figures(row(&now, &r)).0, 2);
    let past = report(&app, &app.admin, &format!("{query}&as_of={}", instant.replace('+', "%2B"))).await;
    assert_eq!(past, then, "as of the instant, the report is what it said then");
    let trend_past = app.get(&format!("/api/reports/progress/trend?{query}&as_of={instant}"), &app.admin).await.body;
    assert_eq!(trend_past, trend_then);
    // And live equals as of now.
    let at_now = santisuk_app::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    assert_eq!(report(&app, &app.admin, &format!("{query}&as_of={at_now}")).await, now);
}

async fn a_coordinator_sees_only_their_own_areas_and_section(backend: Backend) {
    let app = TestApp::new(backend).await;
    let [t, _r, q] = history(&app).await;
    let other =
        app.post("/api/users", &app.admin, json!({"name": "somchai", "role": "coordinator", "areas": [q]})).await;
    assert_eq!(other.status, StatusCode::CREATED, "{:?}", other.body);
    let token = other.body["token"].as_str().unwrap().to_owned();
    let id = other.body["id"].as_str().unwrap().to_owned();
    let mine = report(&app, &token, "period=month&month=2026-03").await;
    let ids: Vec<&str> = mine["rows"].as_array().unwrap().iter().map(|r| r["area_id"].as_str().unwrap()).collect();
    assert_eq!(ids, [q.as_str()]);
    let sections: Vec<&str> =
        mine["coordinators"].as_array().unwrap().iter().map(|c| c["user_id"].as_str().unwrap()).collect();
    assert_eq!(sections, [id.as_str()], "only their own section");
    assert_eq!(figures(&mine["totals"]).0, 0);
    // Asking for another's area or another coordinator is refused as if it did not exist.
    let r = app.get(&format!("/api/reports/progress?scope=area&scope_id={t}"), &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "bad_scope"));
    let r = app.get(&format!("/api/reports/progress?scope=coordinator&scope_id={}", app.coordinator_id), &token).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "bad_scope"));
    // Everyone else sees every coordinator; a coordinator's scope is their areas.
    let all = report(&app, &app.auditor, "period=month&month=2026-03").await;
    assert!(all["coordinators"].as_array().unwrap().len() >= 2);
    let theirs = report(&app, &app.staff, &format!("period=month&month=2026-03&scope=coordinator&scope_id={id}")).await;
    assert_eq!(theirs["rows"].as_array().unwrap().len(), 1);
    assert_eq!(theirs["coordinators"].as_array().unwrap().len(), 1);
    let harness = report(
        &app,
        &app.staff,
        &format!("period=month&month=2026-03&scope=coordinator&scope_id={}", app.coordinator_id),
    )
    .await;
    let section = &harness["coordinators"][0];
    assert_eq!(figures(section).0, 3, "the harness coordinator holds T, R and Q: {section}");
}

async fn bad_report_requests_are_refused_with_their_code(backend: Backend) {
    let app = TestApp::new(backend).await;
    let before = app.event_count().await;
    let cases = [
        ("period=week", "bad_period"),
        ("period=month&month=2026-13", "bad_period"),
        ("period=month&month=26-01", "bad_period"),
        ("period=quarter&quarter=2026-Q5", "bad_period"),
        ("period=fiscal_year&fiscal_year=99", "bad_period"),
        ("period=custom&from=2026-03-01", "bad_period"),
        ("period=custom&from=2026-03-10&to=2026-03-01", "bad_period"),
        ("period=custom&from=2026-03-01&to=tomorrow", "bad_date"),
        ("period=month&month=2999-01", "bad_period"),
        ("scope=village", "bad_scope"),
        ("scope=area", "bad_scope"),
        ("scope=area&scope_id=NOPE-1", "bad_scope"),
        ("scope=amphoe&scope_id=1234", "bad_scope"),
        ("scope=province&scope_id=10", "bad_scope"),
        ("scope=coordinator&scope_id=nobody", "bad_scope"),
        ("quiet_days=0", "bad_quiet_days"),
        ("quiet_days=ninety", "bad_quiet_days"),
        ("roll_up=province", "bad_roll_up"),
        ("as_of=2999-01-01T00:00:00Z", "as_of_in_future"),
    ];
    for (query, code) in cases {
        for path in ["/api/reports/progress", "/api/reports/progress/trend", "/api/reports/progress/export"] {
            let r = app.get(&format!("{path}?{query}"), &app.admin).await;
            assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code), "{path}?{query}: {:?}", r.body);
        }
    }
    let r = app.get("/api/reports/progress/trend?quarters=21", &app.admin).await;
    assert_eq!(r.code(), "bad_quarters");
    assert_eq!(app.event_count().await, before, "reads write nothing");
}

async fn the_report_exports_as_csv_and_xlsx_thai_first(backend: Backend) {
    let app = TestApp::new(backend).await;
    let [t, ..] = history(&app).await;
    let path = format!("/api/reports/progress/export?period=month&month=2026-03&scope=area&scope_id={t}");
    let r = app.send(Method::GET, &path, Some(&app.staff), None, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    let csv = raw_get(&app, &path, &app.staff).await;
    let text = String::from_utf8(csv).unwrap();
    let records = csv_records(text.strip_prefix('\u{feff}').expect("a byte-order mark"));
    assert_eq!(records[0][0], "แถว", "Thai headers first");
    assert_eq!(records[1][1], t);
    assert_eq!(records[1][7], "2", "forums held");
    assert_eq!(records[1][22], "ไม่ได้บันทึก", "no verdict was given at the period's forums");
    assert_eq!(records[2][0], "รวม");
    let en = String::from_utf8(raw_get(&app, &format!("{path}&lang=en"), &app.staff).await).unwrap();
    let records = csv_records(en.strip_prefix('\u{feff}').unwrap());
    assert_eq!(&records[0][..3], ["Row", "ID", "Name"]);
    assert_eq!(records[1][19..22], ["2", "1", "1"], "raised, resolved, open");
    let xlsx = raw_get(&app, &format!("{path}&format=xlsx&lang=en"), &app.staff).await;
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX file");
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(ToString::to_string).collect()).collect();
    assert_eq!(rows[0][0], "Row");
    assert_eq!(rows[1][7], "2");
}

async fn raw_get(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req =
        axum::http::Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.into_body().collect().await.unwrap().to_bytes().to_vec()
}

async fn the_trend_counts_each_quarter_as_the_report_does(backend: Backend) {
    let app = TestApp::new(backend).await;
    let [t, ..] = history(&app).await;
    let trend = app.get("/api/reports/progress/trend?period=month&month=2026-06&quarters=3", &app.admin).await;
    assert_eq!(trend.status, StatusCode::OK, "{:?}", trend.body);
    assert_eq!(trend.body["quarters"], json!(["2025-Q4", "2026-Q1", "2026-Q2"]));
    let t_row = trend.body["rows"].as_array().unwrap().iter().find(|r| r["area_id"] == t.as_str()).unwrap();
    let forums: Vec<i64> =
        t_row["quarters"].as_array().unwrap().iter().map(|p| p["forums_held"].as_i64().unwrap()).collect();
    let resolved: Vec<i64> =
        t_row["quarters"].as_array().unwrap().iter().map(|p| p["problems_resolved"].as_i64().unwrap()).collect();
    assert_eq!(forums, [0, 3, 0]);
    assert_eq!(resolved, [0, 1, 1]);
}

async fn organisation(app: &TestApp, name: &str, area: &str) -> String {
    let body = json!({"name_th": name, "kind": "womens_group", "area_ids": [area]});
    let r = app.post("/api/organisations", &app.staff, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn obstacle(app: &TestApp, token: &str, area: &str, at: &str) -> String {
    let body = json!({"area_id": area, "category": "OBS_BUDGET", "title": "งบเดินทางไม่พอ", "at": at});
    let r = app.post("/api/obstacles", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn participation_organisations_and_obstacles_are_counted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PP-1").await;
    let (o1, o2) = (organisation(&app, "กลุ่มสตรี", &area).await, organisation(&app, "เครือข่ายเยาวชน", &area).await);
    let full = json!({"sbpac_staff": 2, "coordinators": 1, "organisations": [o1, o2],
        "leaders": {"imam": 1, "teacher": 2}, "villagers": 30, "villagers_women": 12, "villagers_men": 18});
    let small = json!({"sbpac_staff": 1, "coordinators": 1, "organisations": [o1], "leaders": {}, "villagers": 5});
    for (day, head, participation) in
        [("2026-03-05", 40, Some(full)), ("2026-03-12", 10, Some(small)), ("2026-03-20", 7, None)]
    {
        let mut body = json!({"area_id": area, "held_on": day, "participants": head});
        if let Some(p) = participation {
            body["participation"] = p;
        }
        let r = app.post("/api/forums", &app.staff, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    // Obstacles: two by the harness coordinator (one resolved by staff), one by another coordinator.
    obstacle(&app, &app.coordinator, &area, "2026-03-03T03:00:00Z").await;
    let done = obstacle(&app, &app.coordinator, &area, "2026-03-04T03:00:00Z").await;
    resolve_at(&app, &done, "2026-03-06T03:00:00Z").await;
    let other =
        app.post("/api/users", &app.admin, json!({"name": "somsri", "role": "coordinator", "areas": [area]})).await;
    let (token, id) = (other.body["token"].as_str().unwrap().to_owned(), other.body["id"].as_str().unwrap().to_owned());
    obstacle(&app, &token, &area, "2026-03-07T03:00:00Z").await;
    let march = report(&app, &app.admin, "period=month&month=2026-03").await;
    let r = row(&march, &area);
    assert_eq!(figures(r), (3, 57, 0, 0, 0, Some(11), false), "obstacles are not community problems");
    assert_eq!(
        r["participants"],
        json!({"forums_recorded": 2, "forums_not_recorded": 1, "sbpac_staff": 3, "coordinators": 2, "leaders": 3,
            "villagers": 35, "villagers_women": 12, "villagers_men": 18, "total": 43})
    );
    assert_eq!(r["organisations_engaged"], 2);
    let section = |report: &Value, user: &str| {
        report["coordinators"].as_array().unwrap().iter().find(|c| c["user_id"] == user).cloned()
    };
    let mine = section(&march, &app.coordinator_id).expect("the harness coordinator");
    assert_eq!(mine["obstacles"], json!({"raised": 2, "resolved": 1, "open": 1}));
    assert_eq!(section(&march, &id).unwrap()["obstacles"], json!({"raised": 1, "resolved": 0, "open": 1}));
    // Each coordinator sees their own obstacles only.
    let theirs = report(&app, &token, "period=month&month=2026-03").await;
    assert!(section(&theirs, &app.coordinator_id).is_none());
    assert_eq!(section(&theirs, &id).unwrap()["obstacles"]["raised"], 1);
    // As of now equals live, participation and organisations included.
    let now = santisuk_app::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    assert_eq!(report(&app, &app.admin, &format!("period=month&month=2026-03&as_of={now}")).await, march);
}

async fn the_web_pages_mark_areas_and_show_the_report_in_the_callers_scope(backend: Backend) {
    use santisuk_projections::users::Role;
    let app = TestApp::new(backend).await;
    let [t, r, q] = history(&app).await;
    // The administrator marks Q as reached from R on the areas page; a cycle is refused there with its
    // message in Thai, and nothing is written.
    let mut admin = app.web_as(Role::Admin).await;
    let page = admin.get("/admin/areas").await;
    assert!(page.body.contains("ขยายผลจาก") && page.body.contains("action=\"/admin/areas/reach\""), "{}", page.body);
    let csrf = page.csrf();
    let saved =
        admin.post("/admin/areas/reach", &[("_csrf", &csrf), ("area", &q), ("from", &r), ("on", "2026-03-01")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let areas = app.get("/api/areas", &app.admin).await.body;
    let q_row = areas["items"].as_array().unwrap().iter().find(|a| a["id"] == q.as_str()).unwrap().clone();
    assert_eq!(q_row["reached_from"], r.as_str());
    let before = app.event_count().await;
    let refused =
        admin.post("/admin/areas/reach", &[("_csrf", &csrf), ("area", &t), ("from", &q), ("on", "2026-03-01")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("วนกลับ"), "the cycle is explained in Thai: {}", refused.body);
    assert_eq!(app.event_count().await, before);
    // The report page, Thai first, with its downloads; the coordinator's shows their areas only.
    let report = admin.get("/reports/progress?period=month&month=2026-03&roll_up=target").await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert!(report.body.contains("รายงานความก้าวหน้า") && report.body.contains("/reports/progress/export?"));
    assert!(report.body.contains(&format!("data-area=\"{t}\"")));
    let file = admin.get("/reports/progress/export?period=month&month=2026-03&format=csv").await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.trim_start_matches('\u{feff}').starts_with("แถว,"), "{}", file.body);
    let other =
        app.post("/api/users", &app.admin, json!({"name": "somjai", "role": "coordinator", "areas": [q]})).await;
    assert_eq!(other.status, StatusCode::CREATED);
    app.set_password("somjai").await;
    let mut coordinator = santisuk_tests::web::WebClient::new(&app);
    coordinator.sign_in("somjai", santisuk_tests::web::PASSWORD).await;
    let mine = coordinator.get("/reports/progress?period=month&month=2026-03").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(mine.body.contains(&format!("data-area=\"{q}\"")));
    assert!(!mine.body.contains(&format!("data-area=\"{t}\"")), "another coordinator's area is not shown");
    let bad = coordinator.get("/reports/progress?period=week").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
