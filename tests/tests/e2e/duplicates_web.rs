//! Duplicates and the community's verdict in the web app (issue #17 §3, §6), on both backends, Thai first
//! and English too: the marking page with its likely duplicates, the original's page listing its duplicates
//! and their forums, the forum form showing likely duplicates when it is shown again (and the fragment the
//! script fetches), the forum page's verdict section, and refusals shown in Thai with nothing written.

use axum::http::StatusCode;
use santisuk_projections::users::Role;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

both_backends!(
    a_problem_is_marked_a_duplicate_on_its_page_and_the_original_lists_it_with_its_forum,
    the_forum_form_shows_likely_duplicates_when_shown_again_and_as_one_types,
    the_forum_page_records_the_communitys_verdicts_and_refuses_a_dispute_without_a_reason,
);

async fn a_problem_is_marked_a_duplicate_on_its_page_and_the_original_lists_it_with_its_forum(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("DW-1").await;
    let f = app
        .post("/api/forums", &app.staff, json!({"area_id": a, "held_on": "2026-11-20", "title": "เวทีบ้านบานา"}))
        .await;
    let forum = f.body["id"].as_str().unwrap().to_owned();
    let original = app.raise(&a, "INF", "สะพานข้ามคลองบ้านตะโละชำรุด").await;
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": a, "category": "INF", "title": "สะพานข้ามคลองที่บ้านตะโละพัง ใช้การไม่ได้", "forum_id": forum}),
        )
        .await;
    let again = r.body["id"].as_str().unwrap().to_owned();
    let mut web = app.web_as(Role::Coordinator).await;
    let page = web.get(&format!("/issues/{again}")).await;
    assert!(page.body.contains(&format!("/issues/{again}/duplicate")), "{}", page.body);
    // The marking page offers the original as a likely duplicate.
    let page = web.get(&format!("/issues/{again}/duplicate")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("อาจเป็นเรื่องเดียวกับ") && page.body.contains("สะพานข้ามคลองบ้านตะโละชำรุด"), "{}", page.body);
    let (csrf, version) = (page.csrf(), page.hidden("version").unwrap());
    // Refused: itself, in Thai, nothing written.
    let before = app.event_count().await;
    let refused = web
        .post(
            &format!("/issues/{again}/duplicate"),
            &[("_csrf", &csrf), ("version", &version), ("of", &again), ("note", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("เป็นเรื่องซ้ำกับตัวเองไม่ได้"), "{}", refused.body);
    let refused = web
        .post(
            &format!("/issues/{again}/duplicate"),
            &[("_csrf", &csrf), ("version", &version), ("of", "ไม่มี"), ("note", "")],
        )
        .await;
    assert!(refused.body.contains("ไม่พบเรื่องเดิมนี้"), "{}", refused.body);
    assert_eq!(app.event_count().await, before, "nothing written");
    // Marked by the suggestion's button (its value is the original's case number).
    let number =
        app.get(&format!("/api/issues/{original}"), &app.staff).await.body["case_number"].as_str().unwrap().to_owned();
    let done = web
        .post(
            &format!("/issues/{again}/duplicate"),
            &[("_csrf", &csrf), ("version", &version), ("note", "เวทีบ้านบานายกมาอีก"), ("of", &number)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let dup = app.get(&format!("/api/issues/{again}"), &app.staff).await.body;
    assert_eq!((dup["duplicate_of"].as_str(), dup["outcome"].as_str()), (Some(original.as_str()), Some("duplicate")));
    // The duplicate's page names its original; the original's page lists it with its forum and counts two.
    let page = web.get(&format!("/issues/{again}")).await;
    assert!(page.body.contains("เป็นเรื่องซ้ำกับ") && page.body.contains("บันทึกว่าเป็นเรื่องซ้ำ"), "{}", page.body);
    let page = web.get(&format!("/issues/{original}")).await;
    assert!(page.body.contains("จำนวนครั้งที่ยกขึ้นมา") && page.body.contains("เวทีบ้านบานา"), "{}", page.body);
    assert!(page.body.contains(&format!("/forums/{forum}")), "{}", page.body);
    // In English too.
    let switched = web.post("/lang", &[("_csrf", csrf.as_str()), ("lang", "en"), ("back", "/")]).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let page = web.get(&format!("/issues/{original}")).await;
    assert!(page.body.contains("Times raised") && page.body.contains("Raised again as"), "{}", page.body);
    // A reader sees the list but no way to mark.
    let mut auditor = app.web_as(Role::Auditor).await;
    let page = auditor.get(&format!("/issues/{original}")).await;
    assert!(page.body.contains("จำนวนครั้งที่ยกขึ้นมา") && !page.body.contains(&format!("/issues/{original}/duplicate")));
    assert_eq!(auditor.get(&format!("/issues/{original}/duplicate")).await.status, StatusCode::FORBIDDEN);
}

async fn the_forum_form_shows_likely_duplicates_when_shown_again_and_as_one_types(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("DW-2").await;
    app.raise(&a, "INF", "ถนนเข้าหมู่บ้านชำรุดเป็นหลุมบ่อ").await;
    let mut web = app.web_as(Role::Coordinator).await;
    let page = web.get("/forums/new").await;
    let (csrf, submission) = (page.csrf(), page.hidden("submission").unwrap());
    // "Add a problem" shows the form again: the typed problem gets its likely duplicate beneath it.
    let form = [
        ("_csrf", csrf.as_str()),
        ("submission", submission.as_str()),
        ("area_id", a.as_str()),
        ("held_on", "2026-11-20"),
        ("op", "add_row"),
        ("p_title", "ถนนทางเข้าหมู่บ้านเป็นหลุมเป็นบ่อ ชำรุดหนัก"),
        ("p_category", "INF"),
        ("p_description", ""),
        ("p_raised_by", ""),
    ];
    let shown = web.post("/forums", &form).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(
        shown.body.contains("อาจเป็นเรื่องเดียวกับ") && shown.body.contains("ถนนเข้าหมู่บ้านชำรุดเป็นหลุมบ่อ"),
        "{}",
        shown.body
    );
    // The fragment the script fetches as one types; nothing for an unrelated title.
    let path = |title: &str| {
        format!("/duplicates/suggest?area={a}&category=INF&title={}", santisuk_http::web::layout::url_encode(title))
    };
    let fragment = web.get(&path("ถนนเข้าหมู่บ้านเป็นหลุมบ่อ")).await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert!(fragment.body.contains("ถนนเข้าหมู่บ้านชำรุดเป็นหลุมบ่อ"), "{}", fragment.body);
    let fragment = web.get(&path("ยาเสพติดระบาด")).await;
    assert!(!fragment.body.contains("ถนน"), "{}", fragment.body);
}

async fn the_forum_page_records_the_communitys_verdicts_and_refuses_a_dispute_without_a_reason(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("DW-3").await;
    let close = |title: &'static str, outcome: &'static str| {
        let app = app.clone();
        let a = a.clone();
        async move {
            let id = app.raise(&a, "INF", title).await;
            if outcome == "resolved" {
                app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต."})).await;
                app.post(&format!("/api/issues/{id}/address"), &app.staff, json!({"action": "ซ่อมแล้ว"})).await;
            }
            let r = app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": outcome})).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            id
        }
    };
    let fixed = close("สะพานชำรุด", "resolved").await;
    let referred = close("ถนนชำรุด", "referred").await;
    // The forum day as the server reads it: Bangkok's (the UTC date is a day behind from 17:00 UTC).
    let today = santisuk_domain::time::bangkok_date(chrono::Utc::now()).to_string();
    let f = app.post("/api/forums", &app.staff, json!({"area_id": a, "held_on": today})).await;
    let forum = f.body["id"].as_str().unwrap().to_owned();
    let mut web = app.web_as(Role::Coordinator).await;
    let page = web.get(&format!("/forums/{forum}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("ความเห็นของชุมชนต่อเรื่องที่ปิดแล้ว") && page.body.contains("สะพานชำรุด"), "{}", page.body);
    let csrf = page.csrf();
    let path = format!("/forums/{forum}/verdicts");
    // A dispute without a reason: refused in Thai beside its row, nothing written (the other row neither).
    let before = app.event_count().await;
    let refused = web
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("v_issue", &fixed),
                ("v_verdict", "confirmed"),
                ("v_reason", ""),
                ("v_issue", &referred),
                ("v_verdict", "disputed"),
                ("v_reason", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("กรุณาระบุเหตุผลที่ชุมชนแย้ง"), "{}", refused.body);
    assert_eq!(app.event_count().await, before, "nothing written");
    let saved = web
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("v_issue", &fixed),
                ("v_verdict", "confirmed"),
                ("v_reason", ""),
                ("v_issue", &referred),
                ("v_verdict", "disputed"),
                ("v_reason", "ถนนยังพังอยู่"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = web.get(saved.location.as_deref().unwrap()).await;
    assert!(page.body.contains("บันทึกความเห็นของชุมชนแล้ว") && page.body.contains("ชุมชนยืนยันว่าแก้ไขแล้ว"), "{}", page.body);
    assert_eq!(app.get(&format!("/api/issues/{referred}"), &app.staff).await.body["status"], "raised");
    assert_eq!(app.get(&format!("/api/issues/{fixed}"), &app.staff).await.body["verdict"], "confirmed");
    // The issue page's timeline names the verdict; the dashboard shows the confirmed rate.
    let page = web.get(&format!("/issues/{referred}")).await;
    assert!(page.body.contains("บันทึกความเห็นของชุมชน") && page.body.contains("ถนนยังพังอยู่"), "{}", page.body);
    let dashboard = web.get("/dashboard").await;
    assert!(dashboard.body.contains("อัตราการแก้ไขที่ชุมชนยืนยัน"), "{}", dashboard.body);
}
