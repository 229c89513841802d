//! Corrections and field times (issue #13): a writer puts right the title, description or category recorded
//! at the raise, with a reason (`IssueCorrected`, before and after in the history, statistics move the
//! problem to its new category, as-of answers keep the old record); the web app's action forms take when
//! something happened (a date the Thai way and an optional time) and report every bad field at once.

use axum::http::StatusCode;
use santisuk_projections::users::Role;
use santisuk_tests::{Backend, TestApp, settle};
use serde_json::{Value, json};

santisuk_tests::both_backends!(
    a_correction_changes_the_record_keeps_the_old_one_and_moves_the_statistics,
    a_correction_is_refused_when_it_changes_nothing_or_is_not_the_callers_to_make,
    web_forms_take_when_it_happened_and_report_every_bad_field_at_once
);

fn count_in(stats: &Value, category: &str) -> i64 {
    stats["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("rows: {stats}"))
        .iter()
        .find(|r| r["category"] == category)
        .map_or(0, |r| r["raised"].as_i64().unwrap_or(0))
}

async fn a_correction_changes_the_record_keeps_the_old_one_and_moves_the_statistics(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("CR-1").await;
    let id = app.raise(&area, "LIV", "ถนนชำรุ").await;
    settle(&app.state.runner, app.db()).await;
    let before = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let stats = app.get("/api/stats/resolution?by=category", &app.staff).await.body;
    let (liv, gov) = (count_in(&stats, "LIV"), count_in(&stats, "GOV"));

    // Through the case number, as people quote it.
    let number =
        app.get(&format!("/api/issues/{id}"), &app.staff).await.body["case_number"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/issues/{number}/correct"),
            &app.coordinator,
            json!({"title": "ถนนชำรุด", "description": "หลุมลึกหน้ามัสยิด", "category": "GOV", "reason": "พิมพ์ผิดที่เวที"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "raised", "a correction does not change the status");
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
    assert_eq!((issue["title"].as_str(), issue["category"].as_str()), (Some("ถนนชำรุด"), Some("GOV")));
    assert_eq!(issue["description"], "หลุมลึกหน้ามัสยิด");

    // The history keeps what each field was and is now, with the reason.
    let history = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await.body;
    let last = history["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event_type"], "IssueCorrected", "{last:?}");
    let data = &last["data"];
    assert_eq!(data["title"], json!({"from": "ถนนชำรุ", "to": "ถนนชำรุด"}), "{last:?}");
    assert_eq!(data["description"], json!({"from": null, "to": "หลุมลึกหน้ามัสยิด"}));
    assert_eq!(data["category"], json!({"from": "LIV", "to": "GOV"}));
    assert_eq!(data["reason"], "พิมพ์ผิดที่เวที");

    // Statistics count it in its new category, live and after a rebuild; as of before, in its old one.
    let stats = app.get("/api/stats/resolution?by=category", &app.staff).await.body;
    assert_eq!((count_in(&stats, "LIV"), count_in(&stats, "GOV")), (liv - 1, gov + 1), "{stats}");
    let old = app.get(&format!("/api/stats/resolution?by=category&as_of={before}"), &app.staff).await.body;
    assert_eq!((count_in(&old, "LIV"), count_in(&old, "GOV")), (liv, gov));
    let then = app.get(&format!("/api/issues/{id}?as_of={before}"), &app.staff).await.body;
    assert_eq!((then["title"].as_str(), then["category"].as_str()), (Some("ถนนชำรุ"), Some("LIV")));
    santisuk_app::admin::rebuild_read_model(app.db()).await.expect("rebuild");
    let rebuilt = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
    assert_eq!((rebuilt["title"].as_str(), rebuilt["category"].as_str()), (Some("ถนนชำรุด"), Some("GOV")));

    // A search finds it by its new title; an empty description removes it; a closed issue can be corrected.
    let found = app.get("/api/issues?q=ชำรุด", &app.staff).await.body;
    assert!(found["items"].as_array().unwrap().iter().any(|i| i["id"] == id.as_str()), "{found}");
    for (path, body) in [
        ("close", json!({"outcome": "withdrawn"})),
        ("correct", json!({"description": "  ", "reason": "ผู้แจ้งขอให้ลบรายละเอียด"})),
    ] {
        let r = app.post(&format!("/api/issues/{id}/{path}"), &app.staff, body).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    }
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
    assert_eq!((issue["description"].clone(), issue["status"].as_str()), (Value::Null, Some("closed")));
}

async fn a_correction_is_refused_when_it_changes_nothing_or_is_not_the_callers_to_make(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("CR-2").await;
    let other = app.area("CR-X").await;
    let id = app.raise(&area, "LIV", "น้ำประปาไม่ไหล").await;
    // An area the coordinator does not hold: registered after, then taken away.
    let theirs = app.raise(&other, "LIV", "ไฟฟ้าดับ").await;
    let me = app.coordinator_id.clone();
    let r = app.post(&format!("/api/users/{me}/areas"), &app.admin, json!({"areas": [area]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let events = app.event_count().await;
    let path = format!("/api/issues/{id}/correct");
    for (token, path, body, status, code) in [
        (&app.staff, path.clone(), json!({"title": "น้ำประปาไม่ไหล", "reason": "ลอง"}), 422, "nothing_to_correct"),
        (&app.staff, path.clone(), json!({"reason": "ลอง"}), 422, "nothing_to_correct"),
        (&app.staff, path.clone(), json!({"category": "NOPE", "reason": "ลอง"}), 422, "unknown_category"),
        (&app.staff, path.clone(), json!({"category": "bad code", "reason": "ลอง"}), 422, "bad_category_code"),
        (&app.staff, path.clone(), json!({"title": "ใหม่", "reason": " "}), 422, "empty_value"),
        (&app.staff, path.clone(), json!({"title": "ใหม่"}), 422, "unprocessable"),
        (
            &app.staff,
            path.clone(),
            json!({"title": "ใหม่", "reason": "ลอง", "at": "2020-01-01T00:00:00Z"}),
            422,
            "at_before_raise",
        ),
        (&app.staff, path.clone(), json!({"title": "ใหม่", "reason": "ลอง", "colour": "red"}), 422, "unprocessable"),
        (&app.auditor, path.clone(), json!({"title": "ใหม่", "reason": "ลอง"}), 403, "forbidden"),
        (
            &app.coordinator,
            format!("/api/issues/{theirs}/correct"),
            json!({"title": "ใหม่", "reason": "ลอง"}),
            404,
            "issue_not_found",
        ),
    ] {
        let r = app.post(&path, token, body.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {:?}", r.body);
        if code != "unprocessable" {
            assert_eq!(r.code(), code, "{body}: {:?}", r.body);
        }
    }
    assert_eq!(app.event_count().await, events, "no refused correction wrote anything");
    // Stale: the If-Match of an older version is refused too.
    let r = app.post_with(&path, &app.staff, json!({"title": "ใหม่", "reason": "ลอง"}), &[("if-match", "7")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(app.event_count().await, events);
}

async fn web_forms_take_when_it_happened_and_report_every_bad_field_at_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("CR-3").await;
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": area, "category": "LIV", "title": "ท่อแตก", "at": "2026-11-20T01:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let mut web = app.web_as(Role::Staff).await;
    let page = web.get(&format!("/issues/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("name=\"at_date\"") && page.body.contains("placeholder=\"วว/ดด/ปปปป\""),
        "Thai date fields"
    );
    let csrf = page.csrf();

    // Three bad fields in one assign form: all three come back, in a summary that links to each.
    let events = app.event_count().await;
    let refused = web
        .post(
            &format!("/issues/{id}/assign"),
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("assignee", " "),
                ("due_on", "31/02/2569"),
                ("at_date", "20/11/2569"),
                ("at_time", "25:61"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = &refused.body[refused.body.find("id=\"error-summary\"").expect("an error summary")..];
    for field in ["#assign-assignee", "#assign-due_on", "#assign-at_time"] {
        assert!(summary.contains(&format!("href=\"{field}\"")), "the summary links {field}");
    }
    assert!(refused.body.contains("value=\"20/11/2569\""), "what was typed is kept");
    assert!(refused.body.contains("= 20 พ.ย. 2569 (อ่านเป็น พ.ศ.)"), "the date it understood is shown");
    assert_eq!(app.event_count().await, events, "nothing written");

    // The same form, right: the assignment is dated the day and time typed (Bangkok), in the Buddhist Era.
    let done = web
        .post(
            &format!("/issues/{id}/assign"),
            &[
                ("_csrf", &csrf),
                ("version", "1"),
                ("assignee", "อบต.บานา"),
                ("due_on", "31/12/2569"),
                ("at_date", "21/11/2569"),
                ("at_time", "14:30"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    // A date without a time is the end of that day (never before a raise of the same day).
    let done = web
        .post(
            &format!("/issues/{id}/address"),
            &[("_csrf", &csrf), ("version", "2"), ("action", "ซ่อมแล้ว"), ("at_date", "2026-11-20")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let history = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await.body;
    let items = history["items"].as_array().unwrap();
    assert_eq!(items[1]["data"]["at"], "2026-11-21T07:30:00Z", "{:?}", items[1]);
    assert_eq!(items[1]["data"]["due_on"], "2026-12-31");
    assert_eq!(items[2]["data"]["at"], "2026-11-20T16:59:59Z", "{:?}", items[2]);

    // Before the raise: refused beside the date, nothing written.
    let events = app.event_count().await;
    let early = web
        .post(
            &format!("/issues/{id}/close"),
            &[
                ("_csrf", &csrf),
                ("version", "3"),
                ("outcome", "withdrawn"),
                ("at_date", "01/11/2569"),
                ("at_time", "09:00"),
            ],
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("href=\"#close-at_date\""), "the error points at the date");
    assert_eq!(app.event_count().await, events);

    // The correction form: every field at once, then a correction shown before and after in the timeline.
    let page = web.get(&format!("/issues/{id}")).await;
    let refused = web
        .post(
            &format!("/issues/{id}/correct"),
            &[
                ("_csrf", &csrf),
                ("version", "3"),
                ("title", ""),
                ("category", "LIV"),
                ("reason", ""),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["#correct-title", "#correct-reason"] {
        assert!(refused.body.contains(&format!("href=\"{field}\"")), "the summary links {field}");
    }
    assert_eq!(app.event_count().await, events);
    assert!(page.body.contains("name=\"title\" maxlength") || page.body.contains("id=\"correct-title\""));
    let done = web
        .post(
            &format!("/issues/{id}/correct"),
            &[
                ("_csrf", &csrf),
                ("version", "3"),
                ("title", "ท่อประปาแตก"),
                ("category", "LIV"),
                ("reason", "ชื่อไม่ชัด"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = web.get(&format!("/issues/{id}")).await;
    assert!(page.body.contains("แก้ไขข้อมูลเรื่อง"), "the event's Thai name");
    assert!(page.body.contains("<del>ท่อแตก</del>") && page.body.contains("<ins>ท่อประปาแตก</ins>"), "before and after");
    assert!(!page.body.contains("IssueCorrected"), "no English event name on the Thai page");

    // The forum form: problems raised at the forum take its date and the time given.
    let form = web.get("/forums/new").await;
    let submission = form.hidden("submission").expect("a submission id");
    let saved = web
        .post(
            "/forums",
            &[
                ("_csrf", &form.csrf()),
                ("submission", &submission),
                ("area_id", &area),
                ("held_on", "22/11/2569"),
                ("held_at", "09:15"),
                ("p_title", "สะพานชำรุด"),
                ("p_category", "INF"),
                ("p_description", ""),
                ("p_raised_by", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    settle(&app.state.runner, app.db()).await;
    let listed = app.get("/api/issues?q=สะพานชำรุด", &app.staff).await.body;
    assert_eq!(listed["items"][0]["raised_at"].as_str().map(|t| &t[..19]), Some("2026-11-22T02:15:00"), "{listed}");
}
