//! The offline forum page's sync route (issue #18 §1), as `assets/offline.js` calls it: `GET /forums/sync`
//! for the signed-in writer and their token, `POST /forums/sync` with one kept entry. Stored once however
//! often it is sent (also after a sync cut off half-way); refused with every field named, writing nothing,
//! for bad input, an area the user lost, another user's entry, or no valid session and token.

use axum::http::StatusCode;
use santisuk_projections::users::Role;
use santisuk_tests::web::{Page, WebClient};
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};

both_backends!(
    a_kept_forum_sent_twice_or_after_a_cut_is_stored_once,
    a_kept_forum_with_bad_fields_is_refused_field_by_field_and_writes_nothing,
    a_kept_forum_for_an_area_the_user_lost_is_refused_and_writes_nothing,
    a_sync_needs_a_live_session_its_token_and_the_entry_s_own_author,
);

fn json_of(page: &Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("{e}: {}", page.body))
}

/// The live session's user and token, as the page's script asks for them.
async fn session(web: &mut WebClient) -> (String, String) {
    let page = web.get("/forums/sync").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = json_of(&page);
    (body["user"].as_str().expect("user").to_owned(), body["csrf"].as_str().expect("csrf").to_owned())
}

/// One kept entry as the script sends it: the form's fields, the token, its author.
fn entry<'a>(
    csrf: &'a str,
    user: &'a str,
    submission: &'a str,
    area: &'a str,
    rows: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("_csrf", csrf),
        ("typed_by", user),
        ("op", "save"),
        ("submission", submission),
        ("area_id", area),
        ("held_on", "2026-11-20"),
        ("title", "เวทีประชาคมหมู่ 4 (บันทึกขณะไม่มีสัญญาณ)"),
    ];
    for (title, category) in rows {
        fields.extend([("p_title", *title), ("p_category", *category), ("p_kind", "anonymous")]);
    }
    fields
}

async fn issues_in(app: &TestApp, area: &str) -> usize {
    santisuk_tests::settle(&app.state.runner, app.db()).await;
    let r = app.get(&format!("/api/issues?area_id={area}&limit=500"), &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().expect("items").len()
}

const THREE: [(&str, &str); 3] = [("ถนนเข้าหมู่บ้านชำรุด", "INF"), ("เยาวชนว่างงาน", "LIV"), ("ไฟส่องสว่างดับทั้งซอย", "SEC")];

async fn a_kept_forum_sent_twice_or_after_a_cut_is_stored_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OFF-1").await;
    let mut web = app.web_as(Role::Coordinator).await;
    let (user, csrf) = session(&mut web).await;
    assert_eq!(user, app.coordinator_id);
    let submission = uuid::Uuid::new_v4().to_string();

    // A sync cut after the forum and its first problem were stored (the phone never heard back): what the
    // server has is what an entry with only that row stores.
    let first = web.post("/forums/sync", &entry(&csrf, &user, &submission, &area, &THREE[..1])).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let forum = json_of(&first)["forum_id"].as_str().expect("forum id").to_owned();
    assert_eq!(issues_in(&app, &area).await, 1);

    // The whole entry again: the forum and the first problem are found, the other two are added.
    let whole = entry(&csrf, &user, &submission, &area, &THREE);
    let again = web.post("/forums/sync", &whole).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let body = json_of(&again);
    assert_eq!((body["forum_id"].as_str(), body["problems"].as_u64()), (Some(forum.as_str()), Some(3)));
    assert_eq!(body["url"], json!(format!("/forums/{forum}")));
    assert_eq!(issues_in(&app, &area).await, 3);

    // And again, as a repeated sync does: accepted as the same, nothing written.
    let events = app.event_count().await;
    for _ in 0..2 {
        let r = web.post("/forums/sync", &whole).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(json_of(&r)["forum_id"], json!(forum));
    }
    assert_eq!(app.event_count().await, events, "a repeated sync writes nothing");
    assert_eq!(issues_in(&app, &area).await, 3);
    let forums = app.get("/api/forums", &app.staff).await;
    let all = forums.body["items"].as_array().or(forums.body.as_array()).expect("a list").clone();
    assert_eq!(all.iter().filter(|f| f["area_id"] == json!(area)).count(), 1, "{:?}", forums.body);
}

async fn a_kept_forum_with_bad_fields_is_refused_field_by_field_and_writes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OFF-2").await;
    let mut web = app.web_as(Role::Coordinator).await;
    let (user, csrf) = session(&mut web).await;
    let submission = uuid::Uuid::new_v4().to_string();
    let events = app.event_count().await;

    let mut bad = entry(&csrf, &user, &submission, &area, &[("ถนนชำรุด", "INF"), ("", "SEC"), ("ไฟดับ", "NOPE")]);
    bad.retain(|(k, _)| *k != "held_on");
    bad.push(("held_on", "31/02/2569"));
    let r = web.post("/forums/sync", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body = json_of(&r);
    assert_eq!(body["error"]["code"], json!("sync_invalid"));
    let fields: Vec<&str> =
        body["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, ["held_on", "p_title-2", "p_category-3"], "{body}");
    // Each names its field in Thai, with the problem's number.
    let labels: Vec<&str> = body["fields"].as_array().unwrap().iter().filter_map(|f| f["label"].as_str()).collect();
    assert_eq!(labels[1], "ปัญหาที่ 2: เรื่อง", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("ปัญหาที่ 3"), "{body}");

    // A submission id that is not one, an unknown area, too many rows: refused, nothing written.
    let r = web.post("/forums/sync", &entry(&csrf, &user, "not-a-uuid", &area, &THREE)).await;
    assert_eq!((r.status, json_of(&r)["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("bad_submission")));
    let r = web.post("/forums/sync", &entry(&csrf, &user, &submission, "NOWHERE-9", &THREE)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(json_of(&r)["fields"][0]["field"], json!("area_id"));
    let many: Vec<(&str, &str)> = (0..61).map(|_| ("ถนนชำรุด", "INF")).collect();
    let r = web.post("/forums/sync", &entry(&csrf, &user, &submission, &area, &many)).await;
    assert_eq!(
        (r.status, json_of(&r)["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("too_many_rows"))
    );
    assert_eq!(app.event_count().await, events, "nothing written");
    assert_eq!(issues_in(&app, &area).await, 0);

    // Fixed, it is stored.
    let r = web.post("/forums/sync", &entry(&csrf, &user, &submission, &area, &THREE)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(issues_in(&app, &area).await, 3);
}

async fn a_kept_forum_for_an_area_the_user_lost_is_refused_and_writes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OFF-3").await;
    let mut web = app.web_as(Role::Coordinator).await;
    let (user, csrf) = session(&mut web).await;
    // While the phone had no signal, an administrator took the area away.
    let home = format!("HOME-{}", app.suffix);
    let r = app.post(&format!("/api/users/{}/areas", app.coordinator_id), &app.admin, json!({"areas": [home]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let events = app.event_count().await;
    let submission = uuid::Uuid::new_v4().to_string();
    let r = web.post("/forums/sync", &entry(&csrf, &user, &submission, &area, &THREE)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body = json_of(&r);
    assert_eq!(body["fields"][0]["field"], json!("area_id"), "{body}");
    assert!(body["fields"][0]["message"].as_str().unwrap().contains("OFF-3"), "names the area: {body}");
    assert_eq!(app.event_count().await, events, "nothing half-written");
    assert_eq!(issues_in(&app, &area).await, 0);
}

async fn a_sync_needs_a_live_session_its_token_and_the_entry_s_own_author(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OFF-4").await;
    let submission = uuid::Uuid::new_v4().to_string();
    // Signed in first (setting their passwords writes events): every count below is after.
    let mut web = app.web_as(Role::Coordinator).await;
    let mut staff = app.web_as(Role::Staff).await;
    let mut auditor = app.web_as(Role::Auditor).await;
    let events = app.event_count().await;

    // Signed out: the session route says so (401, JSON, not a redirect), and a sync is refused.
    let mut nobody = WebClient::new(&app);
    let page = nobody.get("/forums/sync").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
    assert_eq!(json_of(&page)["error"]["code"], json!("sync_signed_out"));
    let r = nobody.post("/forums/sync", &entry("x", &app.coordinator_id, &submission, &area, &THREE)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(json_of(&r)["error"]["code"], json!("sync_signed_out"));

    // Signed in, but an old token (the one the page had when the entry was typed) or none.
    let (user, csrf) = session(&mut web).await;
    for token in ["0".repeat(csrf.len()), String::new()] {
        let r = web.post("/forums/sync", &entry(&token, &user, &submission, &area, &THREE)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        assert_eq!(json_of(&r)["error"]["code"], json!("sync_signed_out"));
    }

    // Another user's entry (typed on this phone before they signed out) is not recorded in this one's name.
    let (_, staff_csrf) = session(&mut staff).await;
    let r = staff.post("/forums/sync", &entry(&staff_csrf, &user, &submission, &area, &THREE)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(json_of(&r)["error"]["code"], json!("sync_other_user"));
    let r = staff.post("/forums/sync", &entry(&staff_csrf, "", &submission, &area, &THREE)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "an entry without its author is refused too: {}", r.body);

    // An auditor writes nothing, offline or not.
    assert_eq!(auditor.get("/forums/sync").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.event_count().await, events, "nothing written");

    // The author, with the live token: stored.
    let r = web.post("/forums/sync", &entry(&csrf, &user, &submission, &area, &THREE)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
