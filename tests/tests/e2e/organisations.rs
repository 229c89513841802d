//! Organisations and participation (issue #16 §1) through the API, on both backends: the registry
//! (register, propose, approve, update), participation recorded with a forum and later, old forums "not
//! recorded", a coordinator's scope, and bad input refused with its code and nothing written.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use santisuk_tests::{Backend, Reply, TestApp, both_backends};
use serde_json::{Value, json};

both_backends!(
    organisations_are_registered_proposed_approved_and_updated,
    participation_is_recorded_with_a_forum_and_corrected_later,
    a_forum_without_participation_reads_as_not_recorded,
    a_coordinator_records_participation_only_in_their_own_areas,
    bad_participation_is_refused_with_its_code_and_nothing_written,
    bad_organisations_are_refused_with_their_code_and_nothing_written,
    participation_is_exact_as_of_a_past_instant,
);

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    app.send(Method::PUT, path, Some(token), Some(Body::from(body.to_string())), &[]).await
}

async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    app.send(Method::PATCH, path, Some(token), Some(Body::from(body.to_string())), &[]).await
}

/// An area registered without giving it to the test coordinator.
async fn foreign_area(app: &TestApp, id: &str) -> String {
    let r = app.post("/api/areas", &app.admin, json!({"id": id, "name_th": "พื้นที่อื่น", "amphoe_code": "9401"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    id.to_owned()
}

async fn organisation(app: &TestApp, token: &str, name: &str, areas: &[&str]) -> String {
    let r = app
        .post("/api/organisations", token, json!({"name_th": name, "kind": "womens_group", "area_ids": areas}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn forum(app: &TestApp, area: &str, head_count: Option<i64>, participation: Option<Value>) -> Reply {
    let mut body = json!({"area_id": area, "held_on": "2026-11-20", "participants": head_count});
    if let Some(p) = participation {
        body["participation"] = p;
    }
    app.post("/api/forums", &app.coordinator, body).await
}

async fn organisations_are_registered_proposed_approved_and_updated(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("PTN-01").await;
    let b = app.area("PTN-02").await;
    let r = app
        .post(
            "/api/organisations",
            &app.staff,
            json!({"name_th": "มูลนิธิผสานวัฒนธรรม", "name_en": "Cross Cultural Foundation", "kind": "foundation",
                "area_ids": [b, a, a]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!((r.body["status"].as_str(), &r.body["area_ids"]), (Some("active"), &json!([a, b])));
    let active = r.body["id"].as_str().unwrap().to_owned();
    // A coordinator proposes one; it waits for approval, and every role reads the registry.
    let proposed = organisation(&app, &app.coordinator, "กลุ่มสตรีบ้านตะลุโบะ", &[&a]).await;
    let one = app.get(&format!("/api/organisations/{proposed}"), &app.auditor).await;
    assert_eq!((one.status, one.body["status"].as_str()), (StatusCode::OK, Some("proposed")));
    let waiting = app.get("/api/organisations?status=proposed", &app.coordinator).await;
    assert_eq!(waiting.body["items"].as_array().unwrap().len(), 1);
    let in_b = app.get(&format!("/api/organisations?area_id={b}"), &app.coordinator).await;
    assert_eq!(in_b.body["items"][0]["id"].as_str(), Some(active.as_str()));
    // Only admins and staff approve, and only what is proposed.
    let before = app.event_count().await;
    let r = app.post(&format!("/api/organisations/{proposed}/approve"), &app.coordinator, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.post(&format!("/api/organisations/{proposed}/approve"), &app.auditor, json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.post(&format!("/api/organisations/{active}/approve"), &app.staff, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "organisation_not_proposed"));
    assert_eq!(app.event_count().await, before, "nothing written");
    let r = app.post(&format!("/api/organisations/{proposed}/approve"), &app.admin, json!({})).await;
    assert_eq!((r.status, r.body["status"].as_str()), (StatusCode::OK, Some("active")), "{:?}", r.body);
    // Updated by staff: the fields given replace the current ones; a blank English name removes it.
    let r = patch(&app, &format!("/api/organisations/{active}"), &app.staff, json!({"name_en": " ", "area_ids": [a]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (&r.body["name_en"], &r.body["area_ids"], r.body["kind"].as_str()),
        (&json!(null), &json!([a]), Some("foundation"))
    );
    let r = patch(&app, &format!("/api/organisations/{active}"), &app.coordinator, json!({"kind": "network"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = patch(&app, &format!("/api/organisations/{active}"), &app.staff, json!({"area_ids": [a]})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "organisation_unchanged"));
    let all = app.get("/api/organisations", &app.auditor).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    // A coordinator sees those working in their areas, with only their areas.
    let far = foreign_area(&app, "NWT-03").await;
    let r = patch(&app, &format!("/api/organisations/{active}"), &app.staff, json!({"area_ids": [a, far]})).await;
    assert_eq!(r.body["area_ids"], json!([far, a]), "sorted");
    let only_far = organisation(&app, &app.staff, "เครือข่ายไกล", &[&far]).await;
    let mine = app.get("/api/organisations", &app.coordinator).await.body["items"].clone();
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");
    assert!(!mine.to_string().contains(&far) && !mine.to_string().contains(&only_far), "{mine}");
    assert_eq!(app.get("/api/organisations", &app.staff).await.body["items"].as_array().unwrap().len(), 3);
}

async fn participation_is_recorded_with_a_forum_and_corrected_later(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("PTN-01").await;
    let elsewhere = foreign_area(&app, "NWT-01").await;
    let o1 = organisation(&app, &app.staff, "เครือข่ายเยาวชน", &[&a]).await;
    // One proposed by the coordinator may be named at once.
    let o2 = organisation(&app, &app.coordinator, "กลุ่มสตรี", &[&a]).await;
    // One working only elsewhere does not exist for the coordinator; staff may name it.
    let o3 = organisation(&app, &app.admin, "มูลนิธิที่อื่น", &[&elsewhere]).await;
    let r = forum(&app, &a, None, Some(json!({"organisations": [o3]}))).await;
    assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "unknown_organisation"), "{:?}", r.body);
    let r = app.get(&format!("/api/organisations/{o3}"), &app.coordinator).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "organisation_not_found"));
    let p = json!({"sbpac_staff": 2, "coordinators": 1, "organisations": [o2, o1, o2],
        "leaders": {"village_headman": 1, "imam": 1, "teacher": 0}, "villagers": 30,
        "villagers_women": 18, "villagers_men": 12});
    let r = forum(&app, &a, Some(35), Some(p)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let mut sorted = [o1.clone(), o2.clone()];
    sorted.sort();
    let shown = app.get(&format!("/api/forums/{id}"), &app.auditor).await.body["participation"].clone();
    assert_eq!(
        shown,
        json!({"sbpac_staff": 2, "coordinators": 1, "organisations": sorted, "leaders": 2,
            "leaders_by_role": {"imam": 1, "village_headman": 1}, "villagers": 30, "villagers_women": 18,
            "villagers_men": 12})
    );
    // Corrected later by staff: the last record wins, whole.
    let r = put(
        &app,
        &format!("/api/forums/{id}/participation"),
        &app.staff,
        json!({"villagers": 20, "leaders": {"elder": 3}, "organisations": [o3]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let listed = app.get(&format!("/api/forums?area_id={a}"), &app.coordinator).await;
    assert_eq!(
        listed.body["items"][0]["participation"],
        json!({"sbpac_staff": 0, "coordinators": 0, "organisations": [o3], "leaders": 3,
            "leaders_by_role": {"elder": 3}, "villagers": 20, "villagers_women": null, "villagers_men": null})
    );
    assert_eq!(listed.body["items"][0]["participation"], r.body["participation"]);
}

async fn a_forum_without_participation_reads_as_not_recorded(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("PTN-01").await;
    let r = forum(&app, &a, Some(40), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["participation"], json!(null));
    let id = r.body["id"].as_str().unwrap();
    let one = app.get(&format!("/api/forums/{id}"), &app.coordinator).await;
    assert_eq!((one.status, &one.body["participation"]), (StatusCode::OK, &json!(null)));
    assert!(one.body.as_object().unwrap().contains_key("participation"), "present, and null");
    // Recorded later by the coordinator of the area, within the head count.
    let r = put(&app, &format!("/api/forums/{id}/participation"), &app.coordinator, json!({"villagers": 40})).await;
    assert_eq!((r.status, &r.body["participation"]["villagers"]), (StatusCode::OK, &json!(40)), "{:?}", r.body);
}

async fn a_coordinator_records_participation_only_in_their_own_areas(backend: Backend) {
    let app = TestApp::new(backend).await;
    let other = foreign_area(&app, "NWT-02").await;
    let r = app.post("/api/forums", &app.staff, json!({"area_id": other, "held_on": "2026-11-20"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let before = app.event_count().await;
    let r = put(&app, &format!("/api/forums/{id}/participation"), &app.coordinator, json!({"villagers": 5})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "forum_not_found"));
    let r = put(&app, &format!("/api/forums/{id}/participation"), &app.auditor, json!({"villagers": 5})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A coordinator proposes organisations only in their own areas.
    let r = app
        .post("/api/organisations", &app.coordinator, json!({"name_th": "กลุ่มอื่น", "kind": "other", "area_ids": [other]}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app
        .post("/api/organisations", &app.auditor, json!({"name_th": "กลุ่มอื่น", "kind": "other", "area_ids": [other]}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert_eq!(app.event_count().await, before, "nothing written");
    let r = put(&app, &format!("/api/forums/{id}/participation"), &app.admin, json!({"villagers": 5})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn bad_participation_is_refused_with_its_code_and_nothing_written(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("PTN-01").await;
    let r = forum(&app, &a, Some(10), None).await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let unknown = uuid::Uuid::new_v4().to_string();
    let cases = [
        (json!({"organisations": [unknown]}), "unknown_organisation"),
        (json!({"organisations": ["not-an-id"]}), "unknown_organisation"),
        (json!({"leaders": {"sheriff": 1}}), "unknown_leader_role"),
        (json!({"villagers": -1}), "bad_participants"),
        (json!({"leaders": {"imam": -2}}), "bad_participants"),
        (json!({"sbpac_staff": 100_001}), "too_many_participants"),
        (json!({"villagers": 9_999_999_999_i64}), "too_many_participants"),
        (json!({"leaders": {"imam": 6, "elder": 5}}), "participation_exceeds_head_count"),
        (json!({"villagers": 8, "sbpac_staff": 3}), "participation_exceeds_head_count"),
        (json!({"villagers": 5, "villagers_women": 3, "villagers_men": 3}), "gender_exceeds_villagers"),
    ];
    let before = app.event_count().await;
    for (body, code) in &cases {
        let r = put(&app, &format!("/api/forums/{id}/participation"), &app.coordinator, body.clone()).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, *code), "{body}: {:?}", r.body);
        let r = forum(&app, &a, Some(10), Some(body.clone())).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, *code), "at hold {body}: {:?}", r.body);
    }
    // Not an object, or an unknown field: refused before anything is read (the document says so too).
    for body in [json!([null, null]), json!({"villagers": 1, "guests": 3})] {
        let r = put(&app, &format!("/api/forums/{id}/participation"), &app.coordinator, body.clone()).await;
        assert!(r.status.is_client_error(), "{body}: {:?}", r.body);
    }
    let doc = app.get("/api/openapi.json", &app.admin).await.body;
    assert_eq!(doc["components"]["schemas"]["ParticipationRequest"]["additionalProperties"], json!(false));
    let r = put(&app, &format!("/api/forums/{}/participation", uuid::Uuid::new_v4()), &app.staff, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "forum_not_found"));
    assert_eq!(app.event_count().await, before, "nothing written");
    let shown = app.get(&format!("/api/forums/{id}"), &app.coordinator).await;
    assert_eq!(shown.body["participation"], json!(null));
}

async fn bad_organisations_are_refused_with_their_code_and_nothing_written(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("PTN-01").await;
    organisation(&app, &app.staff, "กลุ่มสตรี  บ้านบานา", &[&a]).await;
    let cases = [
        (json!({"name_th": "กลุ่มใหม่", "kind": "party", "area_ids": [a]}), 422, "unknown_organisation_kind"),
        (json!({"name_th": "กลุ่มใหม่", "kind": "network", "area_ids": []}), 422, "no_areas"),
        (json!({"name_th": "กลุ่มใหม่", "kind": "network", "area_ids": ["NOPE-1"]}), 422, "unknown_area"),
        (json!({"name_th": " ", "kind": "network", "area_ids": [a]}), 422, "empty_value"),
        (json!({"name_th": "กลุ่มสตรี บ้านบานา", "kind": "network", "area_ids": [a]}), 409, "duplicate_organisation"),
    ];
    let before = app.event_count().await;
    for (body, status, code) in &cases {
        let r = app.post("/api/organisations", &app.staff, body.clone()).await;
        assert_eq!((r.status.as_u16(), r.code()), (*status, *code), "{body}: {:?}", r.body);
    }
    let nobody = uuid::Uuid::new_v4();
    let r = app.post(&format!("/api/organisations/{nobody}/approve"), &app.staff, json!({})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "organisation_not_found"));
    let r = patch(&app, &format!("/api/organisations/{nobody}"), &app.staff, json!({"kind": "network"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "organisation_not_found"));
    let r = app.get("/api/organisations/not-an-id", &app.staff).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "organisation_not_found"));
    assert_eq!(app.event_count().await, before, "nothing written");
}

/// The as-of fold (`Snapshot`) holds a forum's participation and the registry as they stood.
async fn participation_is_exact_as_of_a_past_instant(backend: Backend) {
    let app = TestApp::new(backend).await;
    let a = app.area("PTN-01").await;
    let o = organisation(&app, &app.coordinator, "กลุ่มเยาวชน", &[&a]).await;
    let r = forum(&app, &a, None, Some(json!({"villagers": 12, "organisations": [o]}))).await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let then = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    put(&app, &format!("/api/forums/{id}/participation"), &app.coordinator, json!({"villagers": 15})).await;
    app.post(&format!("/api/organisations/{o}/approve"), &app.staff, json!({})).await;
    let past = santisuk_projections::read_model::Snapshot::as_of(app.db(), then).await.unwrap();
    let forum = &past.forums[&id];
    let p = forum.participation.as_ref().unwrap();
    assert_eq!((p.villagers, p.organisations.clone()), (12, vec![o.clone()]));
    assert_eq!(past.organisations[&o].status, "proposed");
    let now = santisuk_projections::read_model::Snapshot::as_of(app.db(), chrono::Utc::now()).await.unwrap();
    assert_eq!(now.forums[&id].participation.as_ref().unwrap().villagers, 15);
    assert_eq!(now.organisations[&o].status, "active");
    // The fold equals the live tables.
    assert_eq!(now.dump().unwrap(), santisuk_projections::read_model::dump(app.db()).await.unwrap());
}
