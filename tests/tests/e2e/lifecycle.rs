//! A forum problem from raised to closed, through the API: commands, reads, history, statistics.

use axum::http::StatusCode;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

both_backends!(
    an_issue_goes_from_raised_to_closed_and_back,
    the_history_names_every_event_with_its_actor,
    the_issue_list_filters_and_pages,
    resolution_statistics_follow_the_definitions,
    an_idempotent_raise_creates_nothing_twice,
    a_stale_if_match_is_refused_and_changes_nothing,
    forums_are_recorded_per_area,
    a_new_database_has_the_standard_categories,
    areas_and_categories_are_registered_by_admins,
    openapi_and_health_endpoints_answer,
);

async fn an_issue_goes_from_raised_to_closed_and_back(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    let r = app
        .post(
            "/api/issues",
            &app.coordinator,
            json!({"area_id": area, "category": "INF", "title": "ถนนเข้าหมู่บ้านชำรุด",
            "description": "หลุมลึกหน้ามัสยิด", "at": "2026-11-01T03:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!((r.body["version"].as_i64(), r.body["status"].as_str()), (Some(1), Some("raised")));
    assert!(r.body["position"].as_i64().unwrap() > 0);
    let id = r.body["id"].as_str().unwrap().to_owned();

    let r = app
        .post(
            &format!("/api/issues/{id}/assign"),
            &app.staff,
            json!({"assignee": "อบต.ตะลุโบะ", "due_on": "2026-12-31"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str(), r.body["version"].as_i64()),
        (StatusCode::OK, Some("assigned"), Some(2))
    );
    let r = app.post(&format!("/api/issues/{id}/address"), &app.coordinator, json!({"action": "ซ่อมถนนแล้ว"})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("addressed")));
    let r = app
        .post(
            &format!("/api/issues/{id}/close"),
            &app.staff,
            json!({"outcome": "resolved", "at": "2026-11-03T03:00:00Z"}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["status"].as_str(), r.body["version"].as_i64()),
        (StatusCode::OK, Some("closed"), Some(4))
    );

    let issue = app.get(&format!("/api/issues/{id}"), &app.auditor).await;
    assert_eq!(issue.status, StatusCode::OK);
    let b = &issue.body;
    assert_eq!(b["status"], "closed");
    assert_eq!(b["outcome"], "resolved");
    assert_eq!(b["assignee"], "อบต.ตะลุโบะ");
    assert_eq!(b["due_on"], "2026-12-31");
    assert_eq!(b["raised_at"], "2026-11-01T03:00:00.000000Z");
    assert_eq!(b["closed_at"], "2026-11-03T03:00:00.000000Z");
    assert_eq!(b["version"], 4);
    assert_eq!(b["description"], "หลุมลึกหน้ามัสยิด");

    let r = app.post(&format!("/api/issues/{id}/reopen"), &app.staff, json!({"reason": "ถนนพังอีก"})).await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (StatusCode::OK, Some("assigned")),
        "an assigned issue reopens as assigned"
    );
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(
        (issue.body["status"].as_str(), issue.body["outcome"].as_str(), issue.body["closed_at"].as_str()),
        (Some("assigned"), None, None)
    );

    // Closed twice, resolved without an action: refused.
    let r = app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "withdrawn"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "withdrawn"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "issue_closed"));
}

async fn the_history_names_every_event_with_its_actor(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("YLA-01").await;
    let id = app.raise(&area, "DRG", "ยาเสพติดในหมู่บ้าน").await;
    app.post(&format!("/api/issues/{id}/assign"), &app.coordinator, json!({"assignee": "สภ.เมืองยะลา", "note": "ส่งต่อ"}))
        .await;
    let h = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await;
    assert_eq!(h.status, StatusCode::OK);
    let items = h.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["event_type"], "IssueRaised");
    assert_eq!(items[0]["sequence"], 1);
    assert!(items[0]["actor"].as_str().unwrap().starts_with("staff-"));
    assert_eq!(items[0]["data"]["title"], "ยาเสพติดในหมู่บ้าน");
    assert_eq!(items[1]["event_type"], "IssueAssigned");
    assert!(items[1]["actor"].as_str().unwrap().starts_with("coordinator-"));
    assert_eq!(items[1]["data"]["note"], "ส่งต่อ");
    assert!(items[1]["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(items[0]["at"].as_str().is_some());
    assert_eq!(items[0]["at"], items[0]["data"]["at"], "the view's `at` is the event's own");
    assert_eq!(items[1]["at"], items[1]["data"]["at"]);
    // Both backends show recorded times alike: RFC 3339, UTC, six fractional digits.
    for item in items {
        let recorded = item["recorded_at"].as_str().unwrap();
        assert!(recorded.len() == 27 && recorded.ends_with('Z') && recorded.as_bytes()[19] == b'.', "{recorded}");
    }
    assert!(items[1]["position"].as_i64() > items[0]["position"].as_i64());
}

async fn the_issue_list_filters_and_pages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let pattani = app.area_in("PTN-01", "9401").await;
    let yala = app.area_in("YLA-01", "9501").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.raise(&pattani, "LIV", &format!("ปัญหา {i}")).await);
    }
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": yala, "category": "EDU", "title": "โรงเรียน", "at": "2026-10-29T00:00:00Z"}),
        )
        .await;
    let yala_issue = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/issues/{yala_issue}/assign"),
            &app.staff,
            json!({"assignee": "สพป.ยะลา", "due_on": "2026-11-01", "at": "2026-10-30T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let all = app.get("/api/issues?limit=100", &app.staff).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 6);
    assert!(all.body["next_cursor"].is_null());

    let by_province = app.get("/api/issues?province_code=95", &app.staff).await;
    let items = by_province.body["items"].as_array().unwrap();
    assert_eq!((items.len(), items[0]["id"].as_str()), (1, Some(yala_issue.as_str())));
    assert_eq!(
        app.get("/api/issues?amphoe_code=9401&category=LIV", &app.staff).await.body["items"].as_array().unwrap().len(),
        5
    );
    assert_eq!(app.get("/api/issues?status=assigned", &app.staff).await.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/issues?assignee=%E0%B8%AA%E0%B8%9E%E0%B8%9B.%E0%B8%A2%E0%B8%B0%E0%B8%A5%E0%B8%B2", &app.staff)
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let overdue = app.get("/api/issues?overdue=true", &app.staff).await;
    assert_eq!(overdue.body["items"].as_array().unwrap().len(), 1, "due 2026-11-01 and still open");

    // Two pages of 3 cover the six issues, newest first, without repeats.
    let p1 = app.get("/api/issues?limit=3", &app.auditor).await;
    let cursor = p1.body["next_cursor"].as_str().expect("a next page").to_owned();
    let p2 = app.get(&format!("/api/issues?limit=3&cursor={cursor}"), &app.auditor).await;
    assert!(p2.body["next_cursor"].is_null());
    let mut seen: Vec<String> = p1.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2.body["items"].as_array().unwrap())
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    let raised: Vec<String> = seen
        .iter()
        .map(|id| {
            all.body["items"].as_array().unwrap().iter().find(|i| i["id"] == id.as_str()).unwrap()["raised_at"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(raised.windows(2).all(|w| w[0] >= w[1]), "newest first: {raised:?}");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6);
}

async fn resolution_statistics_follow_the_definitions(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area_in("PTN-01", "9401").await;
    let b = app.area_in("NWT-01", "9601").await;
    let _quiet = app.area_in("SKA-01", "9003").await;
    let raise_at = |area: &str, at: &str| json!({"area_id": area, "category": "LIV", "title": "ปัญหา", "at": at});
    let mut issues = Vec::new();
    for at in ["2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z", "2026-10-03T00:00:00Z", "2026-10-04T00:00:00Z"] {
        let r = app.post("/api/issues", &app.staff, raise_at(&a, at)).await;
        issues.push(r.body["id"].as_str().unwrap().to_owned());
    }
    // Two resolved after 2 and 5 days, one referred, one still open and overdue.
    for (id, days) in [(&issues[0], 2), (&issues[1], 5)] {
        app.post(
            &format!("/api/issues/{id}/assign"),
            &app.staff,
            json!({"assignee": "อบต.", "at": "2026-10-05T00:00:00Z"}),
        )
        .await;
        app.post(
            &format!("/api/issues/{id}/address"),
            &app.staff,
            json!({"action": "ทำแล้ว", "at": "2026-10-05T00:00:00Z"}),
        )
        .await;
        let raised_day = if id == &issues[0] { 1 } else { 2 };
        let at = format!("2026-10-{:02}T00:00:00Z", raised_day + days);
        let r =
            app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "resolved", "at": at})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    app.post(&format!("/api/issues/{}/close", issues[2]), &app.staff, json!({"outcome": "referred"})).await;
    app.post(
        &format!("/api/issues/{}/assign", issues[3]),
        &app.staff,
        json!({"assignee": "อำเภอ", "due_on": "2026-10-10", "at": "2026-10-05T00:00:00Z"}),
    )
    .await;
    app.post(
        "/api/issues",
        &app.staff,
        json!({"area_id": b, "category": "DRG", "title": "ยา", "at": "2026-10-01T00:00:00Z"}),
    )
    .await;

    let s = app.get("/api/stats/resolution?by=area", &app.auditor).await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    let rows = s.body["rows"].as_array().unwrap();
    let areas = app.get("/api/areas", &app.staff).await.body["items"].as_array().unwrap().len();
    assert_eq!(rows.len(), areas, "every area, the quiet ones too");
    let pattani = rows.iter().find(|r| r["area_id"] == "PTN-01").unwrap();
    assert_eq!(
        (pattani["raised"].as_i64(), pattani["closed"].as_i64(), pattani["resolved"].as_i64()),
        (Some(4), Some(3), Some(2))
    );
    assert_eq!(
        (pattani["open"].as_i64(), pattani["overdue"].as_i64(), pattani["unresolved"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(pattani["unresolved_by_outcome"]["referred"], 1);
    assert_eq!(pattani["resolution_rate"].as_f64(), Some(0.5));
    assert_eq!(pattani["closure_rate"].as_f64(), Some(0.75));
    assert_eq!(pattani["median_days_to_resolve"].as_f64(), Some(3.5), "mean of 2 and 5 days");
    assert_eq!(pattani["small_sample"], true);
    let quiet = rows.iter().find(|r| r["area_id"] == "SKA-01").unwrap();
    assert_eq!((quiet["raised"].as_i64(), quiet["resolution_rate"].is_null()), (Some(0), true));
    assert_eq!(s.body["totals"]["raised"], 5);

    let by_province = app.get("/api/stats/resolution?by=province,category", &app.staff).await;
    let rows = by_province.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|r| r["province_code"] == "96" && r["category"] == "DRG" && r["raised"] == 1));

    // The window is on the raised date: only the first two issues.
    let w = app.get("/api/stats/resolution?by=amphoe&from=2026-10-01&to=2026-10-02", &app.staff).await;
    let rows = w.body["rows"].as_array().unwrap();
    let mueang = rows.iter().find(|r| r["amphoe_code"] == "9401").unwrap();
    assert_eq!((mueang["raised"].as_i64(), mueang["resolved"].as_i64()), (Some(2), Some(2)));

    // As of a moment before anything happened: nothing was known.
    let before = app.get("/api/stats/resolution?by=area&as_of=2020-01-01T00:00:00Z", &app.staff).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.body["totals"]["raised"], 0);
    // As of now: the same figures as live.
    let now = chrono::Utc::now().to_rfc3339();
    let live = app.get("/api/stats/resolution?by=area,category", &app.staff).await;
    let as_of =
        app.get(&format!("/api/stats/resolution?by=area,category&as_of={}", now.replace('+', "%2B")), &app.staff).await;
    assert_eq!(live.body, as_of.body);
}

async fn an_idempotent_raise_creates_nothing_twice(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-02").await;
    let body = json!({"area_id": area, "category": "HLT", "title": "ขาดแคลนยา"});
    let first =
        app.post_with("/api/issues", &app.coordinator, body.clone(), &[("idempotency-key", "forum-7-row-1")]).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let count = app.event_count().await;
    let retry =
        app.post_with("/api/issues", &app.coordinator, body.clone(), &[("idempotency-key", "forum-7-row-1")]).await;
    assert_eq!((retry.status, &retry.body), (StatusCode::CREATED, &first.body), "a retry returns the first answer");
    assert_eq!(app.event_count().await, count, "and writes nothing");
    // The same key with another body is refused; another user's same key is their own.
    let other = app
        .post_with(
            "/api/issues",
            &app.coordinator,
            json!({"area_id": area, "category": "HLT", "title": "อื่น"}),
            &[("idempotency-key", "forum-7-row-1")],
        )
        .await;
    assert_eq!((other.status, other.code()), (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"));
    let staff = app.post_with("/api/issues", &app.staff, body, &[("idempotency-key", "forum-7-row-1")]).await;
    assert_eq!(staff.status, StatusCode::CREATED);
    assert_ne!(staff.body["id"], first.body["id"]);
    // Concurrent retries: one issue.
    let body = json!({"area_id": area, "category": "HLT", "title": "พร้อมกัน"});
    let replies = futures::future::join_all(
        (0..8).map(|_| app.post_with("/api/issues", &app.staff, body.clone(), &[("idempotency-key", "double-click")])),
    )
    .await;
    assert!(
        replies.iter().all(|r| r.status == StatusCode::CREATED),
        "{:?}",
        replies.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    assert!(replies.iter().all(|r| r.body["id"] == replies[0].body["id"]));
    let list = app.get(&format!("/api/issues?area_id={area}&limit=100"), &app.staff).await;
    assert_eq!(list.body["items"].as_array().unwrap().iter().filter(|i| i["title"] == "พร้อมกัน").count(), 1);
}

async fn a_stale_if_match_is_refused_and_changes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-03").await;
    let id = app.raise(&area, "INF", "ไฟฟ้าดับ").await;
    let path = format!("/api/issues/{id}/assign");
    let ok = app.post_with(&path, &app.staff, json!({"assignee": "กฟภ."}), &[("if-match", "1")]).await;
    assert_eq!((ok.status, ok.body["version"].as_i64()), (StatusCode::OK, Some(2)));
    let count = app.event_count().await;
    let stale = app.post_with(&path, &app.staff, json!({"assignee": "อบต."}), &[("if-match", "1")]).await;
    assert_eq!((stale.status, stale.code()), (StatusCode::CONFLICT, "stale_version"));
    assert_eq!(app.event_count().await, count);
    assert_eq!(app.get(&format!("/api/issues/{id}"), &app.staff).await.body["assignee"], "กฟภ.");
    // Quoted entity tags work too.
    let quoted = app.post_with(&path, &app.staff, json!({"assignee": "อบต."}), &[("if-match", "\"2\"")]).await;
    assert_eq!(quoted.status, StatusCode::OK);
    // Racing writers with the same If-Match: exactly one wins.
    let replies = futures::future::join_all(
        (0..6)
            .map(|i| app.post_with(&path, &app.staff, json!({"assignee": format!("หน่วย {i}")}), &[("if-match", "3")])),
    )
    .await;
    let won = replies.iter().filter(|r| r.status == StatusCode::OK).count();
    let lost = replies.iter().filter(|r| r.status == StatusCode::CONFLICT && r.code() == "stale_version").count();
    assert_eq!(
        (won, lost),
        (1, 5),
        "{:?}",
        replies.iter().map(|r| (r.status, r.code().to_owned())).collect::<Vec<_>>()
    );
}

async fn forums_are_recorded_per_area(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("NWT-02").await;
    let b = app.area("NWT-03").await;
    let f = app
        .post(
            "/api/forums",
            &app.coordinator,
            json!({"area_id": a, "held_on": "2026-11-20", "title": "เวทีประชาคม", "participants": 42}),
        )
        .await;
    assert_eq!(f.status, StatusCode::CREATED, "{:?}", f.body);
    assert_eq!((f.body["participants"].as_i64(), f.body["held_on"].as_str()), (Some(42), Some("2026-11-20")));
    let forum_id = f.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/issues",
            &app.coordinator,
            json!({"area_id": a, "category": "LND", "title": "ที่ดินทำกิน", "forum_id": forum_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let issue = app.get(&format!("/api/issues/{}", r.body["id"].as_str().unwrap()), &app.staff).await;
    assert_eq!(issue.body["forum_id"], forum_id.as_str());
    // A forum of another area cannot carry this area's issue.
    let wrong = app
        .post(
            "/api/issues",
            &app.coordinator,
            json!({"area_id": b, "category": "LND", "title": "x", "forum_id": forum_id}),
        )
        .await;
    assert_eq!((wrong.status, wrong.code()), (StatusCode::UNPROCESSABLE_ENTITY, "forum_in_other_area"));
    let list = app.get(&format!("/api/forums?area_id={a}"), &app.auditor).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.get(&format!("/api/forums?area_id={b}"), &app.auditor).await.body["items"].as_array().unwrap().len(),
        0
    );
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    let future = app.post("/api/forums", &app.coordinator, json!({"area_id": a, "held_on": tomorrow})).await;
    assert_eq!((future.status, future.code()), (StatusCode::UNPROCESSABLE_ENTITY, "held_on_in_future"));
}

async fn a_new_database_has_the_standard_categories(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = app.get("/api/categories", &app.auditor).await;
    let codes: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    let mut expected = ["LIV", "DRG", "INF", "EDU", "HLT", "SEC", "JUS", "LND", "REL", "ENV", "DIS", "GOV", "OTH"];
    expected.sort();
    assert_eq!(codes, expected);
    let drg = r.body["items"].as_array().unwrap().iter().find(|c| c["code"] == "DRG").unwrap();
    assert_eq!((drg["name_th"].as_str(), drg["name_en"].as_str()), (Some("ยาเสพติด"), Some("Drugs")));
    // A second start does not seed again.
    let again = TestApp::on(app.db_handle.clone()).await;
    assert_eq!(again.get("/api/categories", &again.auditor).await.body["items"].as_array().unwrap().len(), 13);
}

async fn areas_and_categories_are_registered_by_admins(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = app.post("/api/areas", &app.admin, json!({"id": "SKA-02", "name_th": "บ้านสะกอม", "name_en": "Ban Sakom", "amphoe_code": "9003", "tambon_code": "900304"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let mine = app.get("/api/areas", &app.coordinator).await;
    assert!(mine.body["items"].as_array().unwrap().iter().all(|a| a["id"] != "SKA-02"), "not the coordinator's area");
    let list = app.get("/api/areas", &app.staff).await;
    let area = list.body["items"].as_array().unwrap().iter().find(|a| a["id"] == "SKA-02").expect("listed");
    assert_eq!(
        (area["id"].as_str(), area["province_code"].as_str(), area["tambon_code"].as_str()),
        (Some("SKA-02"), Some("90"), Some("900304"))
    );
    assert_eq!(area["name_en"], "Ban Sakom");
    let dup = app.post("/api/areas", &app.admin, json!({"id": "SKA-02", "name_th": "ซ้ำ", "amphoe_code": "9003"})).await;
    assert_eq!((dup.status, dup.code()), (StatusCode::CONFLICT, "area_exists"));
    // Sakom of Thepha (900507) is not in Chana (9003).
    let wrong = app
        .post(
            "/api/areas",
            &app.admin,
            json!({"id": "SKA-03", "name_th": "x", "amphoe_code": "9003", "tambon_code": "900507"}),
        )
        .await;
    assert_eq!((wrong.status, wrong.code()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_tambon"));
    let staff =
        app.post("/api/areas", &app.staff, json!({"id": "SKA-04", "name_th": "x", "amphoe_code": "9003"})).await;
    assert_eq!(staff.status, StatusCode::FORBIDDEN);

    let c = app.post("/api/categories", &app.admin, json!({"code": "WTR", "name_th": "น้ำ", "name_en": "Water"})).await;
    assert_eq!(c.status, StatusCode::CREATED);
    let dup =
        app.post("/api/categories", &app.admin, json!({"code": "WTR", "name_th": "น้ำ", "name_en": "Water"})).await;
    assert_eq!((dup.status, dup.code()), (StatusCode::CONFLICT, "category_exists"));
    assert_eq!(app.get("/api/categories", &app.staff).await.body["items"].as_array().unwrap().len(), 14);
}

async fn openapi_and_health_endpoints_answer(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = app.send(axum::http::Method::GET, "/api/openapi.json", None, None, &[]).await;
    assert_eq!(doc.status, StatusCode::OK);
    for path in
        ["/api/issues", "/api/issues/{id}/close", "/api/stats/resolution", "/api/areas", "/api/forums", "/readyz"]
    {
        assert!(doc.body["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(doc.body["components"]["schemas"].get("RaiseIssueRequest").is_some());
    let health = app.send(axum::http::Method::GET, "/healthz", None, None, &[]).await;
    assert_eq!((health.status, health.body["status"].as_str()), (StatusCode::OK, Some("ok")));
    let ready = app.send(axum::http::Method::GET, "/readyz", None, None, &[]).await;
    assert_eq!(
        (ready.status, ready.body["status"].as_str(), ready.body["projection_lag"].as_i64()),
        (StatusCode::OK, Some("ready"), Some(0))
    );
    let expected_backend = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(ready.body["backend"], expected_backend);
}
