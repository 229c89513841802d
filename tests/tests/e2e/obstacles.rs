//! Coordinators' own obstacles (issue #16 §3): raised by a coordinator, seen by admins, staff, auditors and
//! that coordinator only (404 to any other, on every path), worked by staff like any problem, listed at
//! `/api/obstacles` (live and as of an instant), and counted in no community list, statistic, export, queue
//! or dashboard. Bad raises are refused with their code and write nothing.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{SecondsFormat, Utc};
use http_body_util::BodyExt;
use santisuk_app::caller::Role;
use santisuk_app::users::create_user;
use santisuk_tests::web::{PASSWORD, WebClient};
use santisuk_tests::{Backend, TestApp, both_backends, settle};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(
    a_coordinators_obstacle_is_seen_by_staff_and_its_raiser_only_and_worked_like_a_problem,
    obstacles_are_absent_from_every_community_list_statistic_and_export,
    the_obstacle_list_is_exact_as_of_an_instant,
    bad_obstacle_raises_are_refused_and_write_nothing,
    categories_are_offered_by_kind,
    the_web_app_lists_and_raises_obstacles,
);

/// Another coordinator, of the same areas as the test coordinator: (user id, token).
async fn other_coordinator(app: &TestApp, areas: &[String]) -> (String, String) {
    let system = std::collections::HashMap::from([("actor".to_owned(), "test-harness".to_owned())]);
    let name = format!("other-coord-{}", app.suffix);
    let (row, token) = create_user(&app.state, &name, Role::Coordinator, areas, system).await.expect("add user");
    settle(&app.state.runner, &app.state.db).await;
    (row.id, token.expose().to_owned())
}

async fn raise_obstacle(app: &TestApp, token: &str, area: &str, category: &str, title: &str) -> santisuk_tests::Reply {
    app.post("/api/obstacles", token, json!({"area_id": area, "category": category, "title": title})).await
}

fn ids(body: &Value) -> Vec<String> {
    body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_owned()).collect()
}

/// A GET whose body is not JSON (an export): status and text.
async fn text(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    let req = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn a_coordinators_obstacle_is_seen_by_staff_and_its_raiser_only_and_worked_like_a_problem(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OB-1").await;
    let (_, other) = other_coordinator(&app, std::slice::from_ref(&area)).await;

    let r = raise_obstacle(&app, &app.coordinator, &area, "OBS_TRANSPORT", "ไม่มีรถไปจัดเวทีที่หมู่ 3").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let number = r.body["case_number"].as_str().unwrap().to_owned();
    assert!(number.starts_with("OBS-"), "obstacles are numbered in their own series: {number}");

    // Its raiser, staff, admins and auditors read it; to another coordinator of the same area it does not exist.
    for token in [&app.coordinator, &app.staff, &app.admin, &app.auditor] {
        let one = app.get(&format!("/api/issues/{id}"), token).await;
        assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
        assert_eq!(one.body["kind"], "obstacle");
        assert_eq!(app.get(&format!("/api/issues/{id}/history"), token).await.status, StatusCode::OK);
        assert_eq!(ids(&app.get("/api/obstacles", token).await.body), vec![id.clone()]);
    }
    let before = app.event_count().await;
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    for path in [
        format!("/api/issues/{id}"),
        format!("/api/issues/{number}"),
        format!("/api/issues/{id}/history"),
        format!("/api/issues/{id}?as_of={}", now.replace('+', "%2B")),
    ] {
        let r = app.get(&path, &other).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "issue_not_found"), "{path}");
    }
    for (action, body) in [
        ("assign", json!({"assignee": "x"})),
        ("address", json!({"action": "x"})),
        ("close", json!({"outcome": "withdrawn"})),
        ("reopen", json!({"reason": "x"})),
        ("correct", json!({"title": "x", "reason": "x"})),
        ("restrict", json!({"restricted": true, "reason": "x"})),
    ] {
        let r = app.post(&format!("/api/issues/{id}/{action}"), &other, body).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "issue_not_found"), "{action}: {:?}", r.body);
    }
    assert!(ids(&app.get("/api/obstacles", &other).await.body).is_empty());
    assert!(
        ids(&app
            .get("/api/obstacles?q=%E0%B9%84%E0%B8%A1%E0%B9%88%E0%B8%A1%E0%B8%B5%E0%B8%A3%E0%B8%96", &other)
            .await
            .body)
        .is_empty()
    );
    // Its raiser follows it; staff work it.
    let r = app.post(&format!("/api/issues/{id}/assign"), &app.coordinator, json!({"assignee": "ส่วนกลาง"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "obstacle_worked_by_staff"), "{:?}", r.body);
    assert_eq!(app.event_count().await, before, "nothing was written by the refused requests");

    let steps = [
        ("assign", json!({"assignee": "กองแผนงาน ศอ.บต."}), "assigned"),
        ("address", json!({"action": "จัดรถตู้ให้ทุกวันพฤหัส"}), "addressed"),
        ("close", json!({"outcome": "resolved"}), "closed"),
        ("reopen", json!({"reason": "รถตู้ไม่มาอีก"}), "assigned"),
        ("close", json!({"outcome": "referred", "note": "ส่งกองคลัง"}), "closed"),
    ];
    for (action, body, status) in steps {
        let r = app.post(&format!("/api/issues/{id}/{action}"), &app.staff, body).await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {:?}", r.body);
        assert_eq!(r.body["status"], status);
    }
    let one = app.get(&format!("/api/issues/{id}"), &app.coordinator).await;
    assert_eq!((one.body["status"].as_str(), one.body["outcome"].as_str()), (Some("closed"), Some("referred")));
    // A correction keeps it among the obstacle categories.
    let r = app.post(&format!("/api/issues/{id}/correct"), &app.staff, json!({"category": "LIV", "reason": "x"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "category_kind_mismatch"));
    let r = app
        .post(&format!("/api/issues/{id}/correct"), &app.staff, json!({"category": "OBS_AGENCY", "reason": "ผิดประเภท"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // The auditor reads and writes nothing.
    let r = app.post(&format!("/api/issues/{id}/reopen"), &app.auditor, json!({"reason": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// Every community figure a reader can get, as text: the list, a search, the statistics, the export, the
/// dashboard's closures (through the statistics' totals) and the queue's counts.
async fn community_figures(app: &TestApp, token: &str) -> Vec<String> {
    let mut out = Vec::new();
    for path in [
        "/api/issues",
        "/api/issues?q=%E0%B8%A3%E0%B8%96",
        "/api/issues?open=true",
        "/api/stats/resolution?by=area",
        "/api/stats/resolution?by=category",
        "/api/stats/resolution?by=month",
    ] {
        let r = app.get(path, token).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
        out.push(format!("{path}: {}", r.body));
    }
    let (status, csv) = text(app, "/api/issues/export?format=csv&lang=en", token).await;
    assert_eq!(status, StatusCode::OK);
    out.push(csv);
    let (status, csv) = text(app, "/api/stats/resolution/export?by=area&format=csv&lang=en", token).await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    out.push(csv);
    out
}

async fn obstacles_are_absent_from_every_community_list_statistic_and_export(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OB-2").await;
    let problem = app.raise(&area, "INF", "ถนนชำรุด รถผ่านไม่ได้").await;
    let r = app.post(&format!("/api/issues/{problem}/assign"), &app.staff, json!({"assignee": "อบต."})).await;
    assert_eq!(r.status, StatusCode::OK);
    let tokens = [app.admin.clone(), app.staff.clone(), app.auditor.clone(), app.coordinator.clone()];
    let mut before = Vec::new();
    for t in &tokens {
        before.push(community_figures(&app, t).await);
    }
    let mut web = app.web_as(Role::Staff).await;
    let queue_before = web.get("/issues").await.body.matches("href=\"/issues/").count();
    let dashboard_before = web.get("/dashboard").await;
    assert_eq!(dashboard_before.status, StatusCode::OK);

    // Obstacles of every status, with words the searches above look for.
    for (i, category) in ["OBS_BUDGET", "OBS_TRANSPORT", "OBS_WORKLOAD"].iter().enumerate() {
        let r = raise_obstacle(&app, &app.coordinator, &area, category, &format!("ไม่มีรถ {i}")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let id = r.body["id"].as_str().unwrap();
        if i > 0 {
            let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต."})).await;
            assert_eq!(r.status, StatusCode::OK);
        }
        if i > 1 {
            let r = app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "withdrawn"})).await;
            assert_eq!(r.status, StatusCode::OK);
        }
    }
    settle(&app.state.runner, &app.state.db).await;
    for (t, figures) in tokens.iter().zip(&before) {
        assert_eq!(&community_figures(&app, t).await, figures, "no community figure moved");
    }
    assert_eq!(web.get("/issues").await.body.matches("href=\"/issues/").count(), queue_before, "the queue");
    let dashboard = web.get("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(!dashboard.body.contains("ไม่มีรถ"), "the dashboard names no obstacle");
    assert_eq!(
        // ("งบประมาณ", the budget category's name, is also in ปีงบประมาณ, the fiscal year.)
        dashboard.body.matches("OBS_").count() + dashboard.body.matches("การเดินทางและยานพาหนะ").count(),
        0,
        "nor an obstacle category"
    );
    assert_eq!(ids(&app.get("/api/obstacles", &app.staff).await.body).len(), 3);
    assert_eq!(ids(&app.get("/api/obstacles?open=true", &app.staff).await.body).len(), 2);
    // The progress report's section per coordinator, live and as of now (one SQL definition).
    let today = santisuk_domain::time::bangkok_date(Utc::now());
    let period = format!("period=custom&from={}&to={today}", today.pred_opt().unwrap());
    let mine = |report: &Value| {
        let rows = report["coordinators"].as_array().expect("coordinators").clone();
        let row = rows.into_iter().find(|c| c["user_id"] == app.coordinator_id.as_str()).expect("the coordinator");
        (row["obstacles"]["raised"].as_i64(), row["obstacles"]["resolved"].as_i64(), row["obstacles"]["open"].as_i64())
    };
    let live = app.get(&format!("/api/reports/progress?{period}"), &app.staff).await;
    assert_eq!(live.status, StatusCode::OK, "{:?}", live.body);
    assert_eq!(mine(&live.body), (Some(3), Some(0), Some(2)), "{:?}", live.body["coordinators"]);
    let now = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true).replace('+', "%2B");
    let as_of = app.get(&format!("/api/reports/progress?{period}&as_of={now}"), &app.staff).await;
    assert_eq!(mine(&as_of.body), mine(&live.body), "{:?}", as_of.body);
    assert_eq!(ids(&app.get("/api/obstacles?category=OBS_BUDGET", &app.auditor).await.body).len(), 1);
}

async fn the_obstacle_list_is_exact_as_of_an_instant(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OB-3").await;
    let (_, other) = other_coordinator(&app, std::slice::from_ref(&area)).await;
    let stamp = || Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true).replace('+', "%2B");
    let r = raise_obstacle(&app, &app.coordinator, &area, "OBS_SAFETY", "ถูกข่มขู่ระหว่างลงพื้นที่").await;
    let first = r.body["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let t1 = stamp();
    let live_t1 = app.get("/api/obstacles", &app.staff).await.body;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let r = app.post(&format!("/api/issues/{first}/assign"), &app.staff, json!({"assignee": "ฝ่ายความมั่นคง"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = raise_obstacle(&app, &app.coordinator, &area, "OBS_DOCUMENTS", "แบบฟอร์มเบิกจ่ายเปลี่ยนบ่อย").await;
    assert_eq!(r.status, StatusCode::CREATED);
    settle(&app.state.runner, &app.state.db).await;
    let as_of = app.get(&format!("/api/obstacles?as_of={t1}"), &app.staff).await;
    assert_eq!(as_of.status, StatusCode::OK, "{:?}", as_of.body);
    assert_eq!(as_of.body, live_t1, "the list as of t1 is the list that was shown at t1");
    assert_eq!(as_of.body["items"][0]["status"], "raised");
    assert_eq!(ids(&app.get("/api/obstacles", &app.staff).await.body).len(), 2);
    // As of an instant, another coordinator still sees none of them; the raiser sees theirs.
    assert!(ids(&app.get(&format!("/api/obstacles?as_of={t1}"), &other).await.body).is_empty());
    assert_eq!(ids(&app.get(&format!("/api/obstacles?as_of={t1}"), &app.coordinator).await.body), vec![first.clone()]);
    let r = app.get(&format!("/api/issues/{first}?as_of={t1}"), &other).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The community list as of now holds none of them.
    assert!(ids(&app.get(&format!("/api/issues?as_of={}", stamp()), &app.staff).await.body).is_empty());
}

async fn bad_obstacle_raises_are_refused_and_write_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OB-4").await;
    let elsewhere = "OB-ELSE";
    let r = app.post("/api/areas", &app.admin, json!({"id": elsewhere, "name_th": "ที่อื่น", "amphoe_code": "9501"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    settle(&app.state.runner, &app.state.db).await;
    let before = app.event_count().await;
    for token in [&app.staff, &app.admin, &app.auditor] {
        let r = raise_obstacle(&app, token, &area, "OBS_BUDGET", "งบไม่พอ").await;
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "not_a_coordinator"), "{:?}", r.body);
    }
    let cases: [(Value, StatusCode, &str); 6] = [
        (
            json!({"area_id": area, "category": "LIV", "title": "งบไม่พอ"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "category_kind_mismatch",
        ),
        (
            json!({"area_id": elsewhere, "category": "OBS_BUDGET", "title": "งบไม่พอ"}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            json!({"area_id": area, "category": "OBS_NOPE", "title": "งบไม่พอ"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_category",
        ),
        (
            json!({"area_id": area, "category": "OBS_BUDGET", "title": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_value",
        ),
        (
            json!({"area_id": area, "category": "OBS_BUDGET", "title": "x", "at": "2099-01-01T00:00:00Z"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at_in_future",
        ),
        (
            json!({"area_id": area, "category": "OBS_BUDGET", "title": "x", "forum_id": null}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable_body",
        ),
    ];
    for (body, status, code) in cases {
        let r = app.post("/api/obstacles", &app.coordinator, body.clone()).await;
        assert_eq!(r.status, status, "{body}: {:?}", r.body);
        if code != "unprocessable_body" {
            assert_eq!(r.code(), code, "{body}");
        }
    }
    // An obstacle category on a community problem is refused too, whoever raises it.
    for token in [&app.staff, &app.coordinator] {
        let r =
            app.post("/api/issues", token, json!({"area_id": area, "category": "OBS_BUDGET", "title": "ถนน"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "category_kind_mismatch"), "{:?}", r.body);
    }
    assert_eq!(app.event_count().await, before, "no refused raise wrote an event");
    assert!(ids(&app.get("/api/obstacles", &app.staff).await.body).is_empty());
}

async fn categories_are_offered_by_kind(backend: Backend) {
    let app = TestApp::new(backend).await;
    let codes = |body: &Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_owned()).collect()
    };
    let community = app.get("/api/categories", &app.coordinator).await;
    assert_eq!(codes(&community.body).len(), 13);
    assert!(codes(&community.body).iter().all(|c| !c.starts_with("OBS_")));
    let obstacle = app.get("/api/categories?kind=obstacle", &app.coordinator).await;
    assert_eq!(
        codes(&obstacle.body),
        ["OBS_AGENCY", "OBS_BUDGET", "OBS_DOCUMENTS", "OBS_OTHER", "OBS_SAFETY", "OBS_TRANSPORT", "OBS_WORKLOAD"]
    );
    assert!(obstacle.body["items"].as_array().unwrap().iter().all(|c| c["kind"] == "obstacle" && c["name_th"] != ""));
    assert_eq!(app.get("/api/categories?kind=community", &app.staff).await.body, community.body);
    let r = app.get("/api/categories?kind=all", &app.staff).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_kind"));
    // An admin adds an obstacle category of their own.
    let r = app
        .post(
            "/api/categories",
            &app.admin,
            json!({"code": "OBS_HEALTH", "name_th": "สุขภาพ", "name_en": "Health", "kind": "obstacle"}),
        )
        .await;
    assert_eq!((r.status, &r.body["kind"]), (StatusCode::CREATED, &json!("obstacle")), "{:?}", r.body);
    settle(&app.state.runner, &app.state.db).await;
    assert_eq!(codes(&app.get("/api/categories?kind=obstacle", &app.staff).await.body).len(), 8);
    // Seeding again (a restart) adds nothing.
    let before = app.event_count().await;
    santisuk_app::seed_categories(app.db()).await.unwrap();
    assert_eq!(app.event_count().await, before);
}

async fn the_web_app_lists_and_raises_obstacles(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OB-5").await;
    let (_, _) = other_coordinator(&app, std::slice::from_ref(&area)).await;
    let mut coordinator = app.web_as(Role::Coordinator).await;
    let form = coordinator.get("/obstacles/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("แจ้งอุปสรรค") && form.body.contains("OBS_TRANSPORT") && !form.body.contains("value=\"LIV\"")
    );
    assert!(form.body.contains("width=device-width"), "the page is laid out for phones");
    let csrf = form.csrf();
    let submission = form.hidden("submission").unwrap();
    // A community category is refused beside its field, with what was typed kept, and nothing written.
    let before = app.event_count().await;
    let bad = coordinator
        .post(
            "/obstacles",
            &[
                ("_csrf", &csrf),
                ("submission", &submission),
                ("area_id", &area),
                ("category", "LIV"),
                ("title", "รถเสีย"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("ประเภทนี้ใช้ไม่ได้") && bad.body.contains("รถเสีย"));
    assert_eq!(app.event_count().await, before);
    let page = coordinator
        .post(
            "/obstacles",
            &[
                ("_csrf", &csrf),
                ("submission", &submission),
                ("area_id", &area),
                ("category", "OBS_TRANSPORT"),
                ("title", "รถเสีย ไปเวทีไม่ได้"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let target = page.location.unwrap();
    let shown = coordinator.get(&target).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("อุปสรรคของผู้ประสานงาน") && shown.body.contains("รถเสีย ไปเวทีไม่ได้"));
    let forms: Vec<&str> = shown.body.match_indices("action=\"/issues/").map(|(i, _)| &shown.body[i..i + 80]).collect();
    assert!(forms.is_empty(), "its raiser follows it and has no action form: {forms:?}");
    // A retried submit raises nothing more.
    let again = coordinator
        .post(
            "/obstacles",
            &[
                ("_csrf", &csrf),
                ("submission", &submission),
                ("area_id", &area),
                ("category", "OBS_TRANSPORT"),
                ("title", "รถเสีย ไปเวทีไม่ได้"),
            ],
        )
        .await;
    assert_eq!(again.location.as_deref(), Some(target.as_str()));
    let mine = coordinator.get("/obstacles").await;
    assert!(mine.status == StatusCode::OK && mine.body.contains("รถเสีย ไปเวทีไม่ได้"), "{}", mine.body);
    assert!(mine.body.contains("href=\"/obstacles\""), "the navigation links to obstacles");

    let mut staff = app.web_as(Role::Staff).await;
    let all = staff.get("/obstacles").await;
    assert!(all.body.contains("รถเสีย ไปเวทีไม่ได้") && all.body.contains(&format!("coordinator-{}", app.suffix)));
    assert!(!staff.get("/issues").await.body.contains("รถเสีย"), "the community queue holds no obstacle");
    let worked = staff.get(&target).await;
    assert!(worked.body.contains("action=\"/issues/"), "staff work it on its page");
    assert_eq!(staff.get("/obstacles/new").await.status, StatusCode::FORBIDDEN, "only coordinators raise obstacles");
    let as_of = staff.get("/obstacles?as_of=01%2F01%2F2560").await;
    assert!(as_of.status == StatusCode::OK && !as_of.body.contains("รถเสีย"), "as of a day before it, none");

    // The other coordinator of the same area sees nothing of it.
    let name = format!("other-coord-{}", app.suffix);
    app.set_password(&name).await;
    let mut other = WebClient::new(&app);
    other.sign_in(&name, PASSWORD).await;
    assert!(!other.get("/obstacles").await.body.contains("รถเสีย"));
    assert_eq!(other.get(&target).await.status, StatusCode::NOT_FOUND);
    let mut auditor = app.web_as(Role::Auditor).await;
    let read = auditor.get(&target).await;
    assert!(read.status == StatusCode::OK && !read.body.contains("action=\"/issues/"));

    // The administrator sees both kinds of category and adds an obstacle category.
    let mut admin = app.web_as(Role::Admin).await;
    let page = admin.get("/admin/categories").await;
    assert!(page.body.contains("OBS_BUDGET") && page.body.contains("LIV"));
    let csrf = page.csrf();
    let added = admin
        .post(
            "/admin/categories",
            &[("_csrf", &csrf), ("code", "OBS_FUEL"), ("name_th", "ค่าน้ำมัน"), ("name_en", "Fuel"), ("kind", "obstacle")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    settle(&app.state.runner, &app.state.db).await;
    let kinds = app.get("/api/categories?kind=obstacle", &app.staff).await;
    assert!(kinds.body.to_string().contains("OBS_FUEL"), "{:?}", kinds.body);
    assert!(coordinator.get("/obstacles/new").await.body.contains("OBS_FUEL"));
}
