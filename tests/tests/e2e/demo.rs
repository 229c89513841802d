//! `santisuk demo`: a small fill on each backend, checked through the API as a newcomer would see it (40
//! marked demo areas, the reported number of issues, varied rates, small samples, overdue issues, demo
//! users with their areas), and the refusals that keep demo rows out of real data.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use santisuk_app::demo::{self, DemoError, DemoOptions, DemoReport};
use santisuk_domain::time::bangkok_date;
use santisuk_tests::{Backend, TestApp, both_backends};

both_backends!(
    a_demo_fill_shows_a_varied_year_and_a_second_fill_is_refused,
    a_demo_fill_refuses_a_database_with_real_areas,
);

/// Small enough for a test, large enough that most areas pass the small-sample threshold.
const SMALL: DemoOptions = DemoOptions { seed: 11, issues: 600 };

async fn demo_app(backend: Backend) -> (TestApp, DemoReport) {
    TestApp::demo(backend, SMALL).await
}

async fn a_demo_fill_shows_a_varied_year_and_a_second_fill_is_refused(backend: Backend) {
    let (app, report) = demo_app(backend).await;

    // 40 demo areas, marked as such, spread over the four provinces as in the real project.
    let areas = app.get("/api/areas", &app.auditor).await;
    assert_eq!(areas.status, StatusCode::OK);
    let areas = areas.body["items"].as_array().expect("items").clone();
    assert_eq!(areas.len(), 40);
    assert_eq!(report.areas, 40);
    assert!(areas.iter().all(|a| a["id"].as_str().unwrap().starts_with("DEMO-")));
    assert!(areas.iter().all(|a| a["name_th"].as_str().unwrap().starts_with("[ตัวอย่าง] ")));
    assert!(areas.iter().all(|a| a["name_en"].as_str().unwrap().starts_with("[Demo] ")));
    assert!(areas.iter().all(|a| a["tambon_code"].is_string()));
    let mut provinces = BTreeMap::new();
    for a in &areas {
        *provinces.entry(a["province_code"].as_str().unwrap().to_owned()).or_insert(0) += 1;
    }
    assert_eq!(provinces, BTreeMap::from([("90".into(), 5), ("94".into(), 12), ("95".into(), 16), ("96".into(), 7)]));

    // The statistics count exactly the issues the report says were raised.
    let stats = app.get("/api/stats/resolution?by=area", &app.auditor).await;
    assert_eq!(stats.status, StatusCode::OK, "{:?}", stats.body);
    let rows = stats.body["rows"].as_array().expect("rows").clone();
    assert_eq!(rows.len(), 40);
    assert!((550..=650).contains(&report.issues), "about the requested number: {}", report.issues);
    assert_eq!(stats.body["totals"]["raised"].as_u64(), Some(report.issues as u64));
    assert_eq!(report.by_status.values().sum::<usize>(), report.issues);

    // Varied resolution rates among the areas with enough issues to compare.
    let rates: Vec<f64> = rows
        .iter()
        .filter(|r| r["small_sample"] == false)
        .map(|r| r["resolution_rate"].as_f64().expect("a rate"))
        .collect();
    assert!(rates.len() >= 20, "most areas have 10 issues or more: {}", rates.len());
    let (lo, hi) = rates.iter().fold((1.0f64, 0.0f64), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    assert!(hi - lo >= 0.3, "resolution rates vary between areas: {lo:.2}..{hi:.2}");

    // The small areas the report names show as small samples, with their counts.
    assert!(!report.small_areas.is_empty());
    for (area, n) in &report.small_areas {
        let row = rows.iter().find(|r| r["area_id"] == area.as_str()).expect("a row per area");
        assert_eq!(row["raised"].as_u64(), Some(*n as u64));
        assert!(*n < 10 && row["small_sample"] == true, "{row}");
    }

    // Every ending the design knows, and overdue issues that are really open and past due.
    assert!(report.by_outcome.get("resolved").is_some_and(|n| *n > 0), "{:?}", report.by_outcome);
    assert!(report.by_outcome.len() >= 4, "{:?}", report.by_outcome);
    assert!(report.overdue > 0);
    assert_eq!(stats.body["totals"]["overdue"].as_u64(), Some(report.overdue as u64));
    let overdue = app.get("/api/issues?overdue=true&limit=100", &app.staff).await;
    assert_eq!(overdue.status, StatusCode::OK, "{:?}", overdue.body);
    let today = bangkok_date(chrono::Utc::now()).to_string();
    let items = overdue.body["items"].as_array().expect("items").clone();
    assert!(!items.is_empty());
    for i in &items {
        assert_ne!(i["status"], "closed");
        assert!(i["due_on"].as_str().expect("a due date") < today.as_str(), "{i}");
    }

    // History looks real: the coordinator of the area raised the issue, at a forum in the past.
    let id = items[0]["id"].as_str().unwrap();
    let history = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await;
    assert_eq!(history.status, StatusCode::OK);
    let first = &history.body["items"][0];
    assert_eq!(first["event_type"], "IssueRaised");
    assert!(first["actor"].as_str().unwrap().starts_with("demo-coord-"), "{first}");
    assert!(first["at"].as_str().unwrap() < first["recorded_at"].as_str().unwrap());

    // A demo coordinator sees exactly its own areas.
    let coord = report.users.iter().find(|u| u.name == "demo-coord-01").unwrap();
    assert!((3..=5).contains(&coord.areas.len()));
    let mine = app.get("/api/areas", &app.coordinator).await;
    let mine: Vec<&str> = mine.body["items"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(mine, coord.areas.iter().map(String::as_str).collect::<Vec<_>>());

    // A second fill is refused and writes nothing.
    let before = app.event_count().await;
    let again = demo::fill(&app.state, SMALL).await;
    assert!(matches!(again, Err(DemoError::NotEmpty { areas: 40, issues: _ })), "{again:?}");
    assert_eq!(app.event_count().await, before);
}

async fn a_demo_fill_refuses_a_database_with_real_areas(backend: Backend) {
    // The harness registers a real area (the test coordinator's home) and no issue.
    let app = TestApp::new(backend).await;
    let before = app.event_count().await;
    let refused = demo::fill(&app.state, SMALL).await;
    assert!(matches!(refused, Err(DemoError::NotEmpty { areas: 1, issues: 0 })), "{refused:?}");
    assert_eq!(app.event_count().await, before);
    let areas = app.get("/api/areas", &app.admin).await;
    assert!(areas.body["items"].as_array().unwrap().iter().all(|a| !a["id"].as_str().unwrap().starts_with("DEMO-")));
}
