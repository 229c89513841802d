//! Organisations and participation in the web app (issue #16 §1), on both backends: the registry's page
//! (admins and staff), participation on the forum form and on the forum page, "ไม่ได้บันทึก" for a forum
//! without it, a coordinator's proposal, and refused input shown in Thai with nothing written.

use axum::http::StatusCode;
use santisuk_projections::users::Role;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

both_backends!(
    staff_register_and_approve_organisations_on_the_registry_page,
    a_forum_saved_with_participation_shows_it_and_one_without_shows_not_recorded,
    participation_is_corrected_on_the_forum_page_and_a_bad_one_refused_in_thai,
    a_coordinator_proposes_an_organisation_from_the_forum_page,
);

async fn staff_register_and_approve_organisations_on_the_registry_page(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("ORG-1").await;
    let mut coordinator = app.web_as(Role::Coordinator).await;
    assert_eq!(coordinator.get("/admin/organisations").await.status, StatusCode::FORBIDDEN);
    let mut web = app.web_as(Role::Staff).await;
    let page = web.get("/admin/organisations").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("องค์กรภาคประชาสังคม") && page.body.contains("ลงทะเบียนองค์กร"));
    let csrf = page.csrf();
    // Refused: no area; nothing written, the message in Thai.
    let before = app.event_count().await;
    let form = [("_csrf", csrf.as_str()), ("name_th", "กลุ่มสตรีบ้านบานา"), ("kind", "womens_group")];
    let refused = web.post("/admin/organisations", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("เลือกพื้นที่อย่างน้อยหนึ่งพื้นที่"), "{}", refused.body);
    assert_eq!(app.event_count().await, before);
    let mut form = form.to_vec();
    form.push(("areas", &area));
    let saved = web.post("/admin/organisations", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // A proposed one (through the API) is approved on the page.
    let proposed = app
        .post(
            "/api/organisations",
            &app.coordinator,
            json!({"name_th": "กลุ่มเยาวชน", "kind": "youth_group", "area_ids": [area]}),
        )
        .await;
    let id = proposed.body["id"].as_str().unwrap().to_owned();
    let page = web.get("/admin/organisations").await;
    assert!(page.body.contains("รออนุมัติ") && page.body.contains("กลุ่มสตรีบ้านบานา"), "{}", page.body);
    let approved = web.post(&format!("/admin/organisations/{id}/approve"), &[("_csrf", csrf.as_str())]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let one = app.get(&format!("/api/organisations/{id}"), &app.staff).await;
    assert_eq!(one.body["status"], "active");
    // Edited: another kind.
    let edited = web
        .post(
            &format!("/admin/organisations/{id}"),
            &[
                ("_csrf", csrf.as_str()),
                ("name_th", "กลุ่มเยาวชน"),
                ("name_en", ""),
                ("kind", "network"),
                ("areas", &area),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    assert_eq!(app.get(&format!("/api/organisations/{id}"), &app.staff).await.body["kind"], "network");
}

async fn a_forum_saved_with_participation_shows_it_and_one_without_shows_not_recorded(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("ORG-2").await;
    let org = app
        .post(
            "/api/organisations",
            &app.staff,
            json!({"name_th": "มูลนิธิศักยภาพชุมชน", "kind": "foundation", "area_ids": [area]}),
        )
        .await;
    let org = org.body["id"].as_str().unwrap().to_owned();
    let mut web = app.web_as(Role::Coordinator).await;
    let page = web.get("/forums/new").await;
    assert!(page.body.contains("ผู้เข้าร่วมตามภาคีเครือข่าย") && page.body.contains("มูลนิธิศักยภาพชุมชน"), "{}", page.body);
    let (csrf, submission) = (page.csrf(), page.hidden("submission").unwrap());
    let mut form = vec![
        ("_csrf", csrf.as_str()),
        ("submission", submission.as_str()),
        ("area_id", area.as_str()),
        ("held_on", "2026-11-20"),
        ("participants", "40"),
        ("op", "save"),
        ("pa_sbpac_staff", "2"),
        ("pa_coordinators", "1"),
        ("pa_organisations", org.as_str()),
        ("pa_role", "imam"),
        ("pa_leader", "1"),
        ("pa_role", "teacher"),
        ("pa_leader", ""),
        ("pa_villagers", "30"),
        ("pa_women", "20"),
        ("pa_men", "10"),
    ];
    form.extend([("p_title", ""), ("p_category", ""), ("p_description", ""), ("p_raised_by", "")]);
    let saved = web.post("/forums", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let location = saved.location.unwrap();
    let page = web.get(&location).await;
    assert!(page.body.contains("มูลนิธิศักยภาพชุมชน") && page.body.contains("อิหม่าม 1"), "{}", page.body);
    let id = location.trim_start_matches("/forums/").split('?').next().unwrap().to_owned();
    let api = app.get(&format!("/api/forums/{id}"), &app.staff).await;
    assert_eq!(api.body["participation"]["villagers_women"], 20);
    assert_eq!(api.body["participation"]["leaders"], 1);
    // A forum without participation: "ไม่ได้บันทึก".
    let r = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": "2026-11-01"})).await;
    let page = web.get(&format!("/forums/{}", r.body["id"].as_str().unwrap())).await;
    assert!(page.body.contains("ไม่ได้บันทึก"), "{}", page.body);
}

async fn participation_is_corrected_on_the_forum_page_and_a_bad_one_refused_in_thai(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("ORG-3").await;
    let r = app
        .post("/api/forums", &app.staff, json!({"area_id": area, "held_on": "2026-11-01", "participants": 20}))
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let mut web = app.web_as(Role::Coordinator).await;
    let page = web.get(&format!("/forums/{id}")).await;
    let csrf = page.csrf();
    let path = format!("/forums/{id}/participation");
    let before = app.event_count().await;
    let bad = web.post(&path, &[("_csrf", &csrf), ("pa_villagers", "5"), ("pa_women", "4"), ("pa_men", "4")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("จำนวนหญิงและชายรวมกันมากกว่าจำนวนชาวบ้าน"), "{}", bad.body);
    let over = web.post(&path, &[("_csrf", &csrf), ("pa_villagers", "25")]).await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(over.body.contains("มากกว่าจำนวนผู้เข้าร่วมทั้งหมด"), "{}", over.body);
    let negative = web.post(&path, &[("_csrf", &csrf), ("pa_villagers", "-1")]).await;
    assert_eq!(negative.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.event_count().await, before, "nothing written");
    let ok = web.post(&path, &[("_csrf", &csrf), ("pa_villagers", "15"), ("pa_women", "9")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let api = app.get(&format!("/api/forums/{id}"), &app.staff).await;
    assert_eq!(
        (api.body["participation"]["villagers"].clone(), api.body["participation"]["villagers_women"].clone()),
        (json!(15), json!(9))
    );
    // An auditor has no form and may not post one.
    let mut auditor = app.web_as(Role::Auditor).await;
    let page = auditor.get(&format!("/forums/{id}")).await;
    assert!(!page.body.contains(&path), "no form for an auditor");
    // The audit log shows the record in words, never as JSON.
    let log = auditor.get("/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains("บันทึกผู้เข้าร่วมตามภาคีเครือข่าย") && log.body.contains("ชาวบ้าน 15"), "{}", log.body);
    assert!(!log.body.contains("sbpac_staff"), "{}", log.body);
}

async fn a_coordinator_proposes_an_organisation_from_the_forum_page(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("ORG-4").await;
    let r = app.post("/api/forums", &app.coordinator, json!({"area_id": area, "held_on": "2026-11-01"})).await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let mut web = app.web_as(Role::Coordinator).await;
    let page = web.get(&format!("/forums/{id}")).await;
    assert!(page.body.contains("เสนอองค์กรใหม่"), "{}", page.body);
    let csrf = page.csrf();
    let proposed = web
        .post(
            &format!("/forums/{id}/organisations"),
            &[("_csrf", &csrf), ("name_th", "กลุ่มประมงพื้นบ้าน"), ("kind", "community_enterprise")],
        )
        .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    let listed = app.get("/api/organisations?status=proposed", &app.staff).await;
    assert_eq!(listed.body["items"][0]["name_th"], "กลุ่มประมงพื้นบ้าน");
    assert_eq!(listed.body["items"][0]["area_ids"], json!([area]));
    // Now pickable on the forum page.
    let page = web.get(&format!("/forums/{id}")).await;
    assert!(page.body.contains("กลุ่มประมงพื้นบ้าน") && page.body.contains("รออนุมัติ"), "{}", page.body);
}
