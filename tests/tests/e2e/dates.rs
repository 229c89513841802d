//! Dates the way Thai users write them (issue #13): the server reads a date in the Buddhist or the Common
//! Era, year first or day first, tells the two apart by the year, and stores the Common-Era date; an instant
//! with a Buddhist-Era year is read as such. What it understood is in the answer (the stored date).

use axum::http::StatusCode;
use santisuk_tests::web::WebClient;
use santisuk_tests::{Backend, TestApp};
use serde_json::json;

santisuk_tests::both_backends!(buddhist_era_dates_are_read_and_stored_in_the_common_era);

async fn buddhist_era_dates_are_read_and_stored_in_the_common_era(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("DT-1").await;
    for held_on in ["28/11/2569", "2569-11-28", "28/11/2026", "2026-11-28"] {
        let r = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": held_on})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{held_on}: {:?}", r.body);
        assert_eq!(r.body["held_on"], json!("2026-11-28"), "{held_on} is 28 November 2026");
    }
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": area, "category": "LIV", "title": "ถนน",
            "at": "2569-11-28T10:00:00+07:00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert!(r.body["case_number"].as_str().unwrap().contains("-2569-"), "{:?}", r.body);
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert!(issue.body["raised_at"].as_str().unwrap().starts_with("2026-11-28T03:00:00"), "{:?}", issue.body);
    let r = app
        .post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต.", "due_on": "31/12/2569"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.get(&format!("/api/issues/{id}"), &app.staff).await.body["due_on"], json!("2026-12-31"));

    // Impossible dates are refused, with the forms accepted in the message, and write nothing.
    let events = app.event_count().await;
    for bad in ["31/02/2569", "29/02/2568", "28.11.2569", "11/28/2569"] {
        let r = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": bad})).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "bad_date"), "{bad}: {:?}", r.body);
        assert!(r.body["error"]["message"].as_str().unwrap().contains("28/11/2569"), "{:?}", r.body);
    }
    assert_eq!(app.event_count().await, events);

    // The web forum form takes the date as Thai users type it; the forum page shows it in the Buddhist Era.
    let mut web: WebClient = app.web_as(santisuk_projections::users::Role::Staff).await;
    let page = web.get("/forums/new").await;
    let (csrf, submission) = (page.csrf(), page.hidden("submission").expect("a submission id"));
    let saved = web
        .post(
            "/forums",
            &[
                ("_csrf", &csrf),
                ("submission", &submission),
                ("area_id", &area),
                ("held_on", "28/11/2569"),
                ("title", "เวทีวันที่แบบไทย"),
                ("op", "save"),
                ("p_title", "ถนนชำรุด"),
                ("p_category", "LIV"),
                ("p_description", ""),
                ("p_raised_by", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let forum = web.get(saved.location.as_deref().expect("to the forum")).await;
    assert!(forum.body.contains("2569") && forum.body.contains("เวทีวันที่แบบไทย"), "{}", forum.body);
}
