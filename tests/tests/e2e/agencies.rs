//! Agencies and referral (issue #17 §1) through the API, on both backends: the registry of agencies, routing
//! rules and their suggestion, an assignment naming an agency and the rule it followed, "waiting for", the
//! ball-in-court figures (exact for a known history, the same live and as of an instant after random
//! histories), `by=agency` of the resolution statistics, and bad input refused with its code and nothing
//! written.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use chrono::{Duration, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use santisuk_app::agencies::{CustodyBy, CustodyQuery};
use santisuk_projections::as_of::AsOf;
use santisuk_tests::{Backend, Reply, TestApp, as_of_param, both_backends};
use serde_json::{Value, json};

both_backends!(
    admins_register_list_and_change_agencies,
    a_problem_is_referred_by_a_rule_and_waits_for_each_party_in_turn,
    ball_in_court_counts_the_days_with_each_party,
    a_coordinator_sees_the_ball_in_court_of_their_own_areas_only,
    bad_agencies_rules_and_referrals_are_refused_with_their_code_and_nothing_written,
    ball_in_court_is_the_same_live_and_as_of_after_random_histories,
);

async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> Reply {
    app.send(Method::PATCH, path, Some(token), Some(Body::from(body.to_string())), &[]).await
}

async fn delete(app: &TestApp, path: &str, token: &str) -> Reply {
    app.send(Method::DELETE, path, Some(token), None, &[]).await
}

async fn agency(app: &TestApp, name: &str, level: &str, districts: &[&str]) -> String {
    let r = app
        .post(
            "/api/agencies",
            &app.admin,
            json!({"name_th": name, "level": level, "districts": districts,
            "contact": "saraban@example.go.th"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn rule(app: &TestApp, category: &str, district: &str, agency: &str) -> String {
    let r = app
        .post("/api/routing-rules", &app.admin, json!({"category": category, "district": district, "agency": agency}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn admins_register_list_and_change_agencies(backend: Backend) {
    let app = TestApp::new(backend).await;
    let office = agency(&app, "ที่ว่าการอำเภอเมืองปัตตานี", "amphoe", &["9401"]).await;
    let highway = agency(&app, "แขวงทางหลวงปัตตานี", "province", &["9402", "9401", "9402"]).await;
    let national = agency(&app, "กรมทางหลวงชนบท", "national", &[]).await;
    let one = app.get(&format!("/api/agencies/{highway}"), &app.coordinator).await;
    assert_eq!(one.status, StatusCode::OK, "{:?}", one.body);
    assert_eq!((&one.body["districts"], one.body["level"].as_str()), (&json!(["9401", "9402"]), Some("province")));
    // Every role reads; a district filter keeps those covering it (a national one covers all).
    let all = app.get("/api/agencies", &app.auditor).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 3);
    let in_9402 = app.get("/api/agencies?district=9402", &app.staff).await.body["items"].clone();
    let ids: Vec<&str> = in_9402.as_array().unwrap().iter().filter_map(|a| a["id"].as_str()).collect();
    assert!(ids.contains(&highway.as_str()) && ids.contains(&national.as_str()) && !ids.contains(&office.as_str()));
    let provincial = app.get("/api/agencies?level=province", &app.staff).await.body["items"].clone();
    assert_eq!(provincial.as_array().unwrap().len(), 1);
    // Only admins register and change; a change replaces the fields given, a blank contact removes it.
    let before = app.event_count().await;
    let r = app.post("/api/agencies", &app.staff, json!({"name_th": "x", "level": "national"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = patch(&app, &format!("/api/agencies/{office}"), &app.staff, json!({"contact": "x"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.event_count().await, before, "nothing written");
    let r = patch(
        &app,
        &format!("/api/agencies/{office}"),
        &app.admin,
        json!({"contact": " ", "name_en": "Mueang Pattani District Office"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        (&r.body["contact"], r.body["name_en"].as_str()),
        (&json!(null), Some("Mueang Pattani District Office"))
    );
    let r = patch(&app, &format!("/api/agencies/{office}"), &app.admin, json!({"districts": ["9401"]})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "agency_unchanged"));
    // The audit log names the new events.
    let log = app.get("/api/audit/events?type=AgencyUpdated", &app.auditor).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
}

async fn a_problem_is_referred_by_a_rule_and_waits_for_each_party_in_turn(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("REF-1").await;
    let highway = agency(&app, "แขวงทางหลวงปัตตานี", "province", &["9401"]).await;
    let rule_id = rule(&app, "INF", "9401", &highway).await;
    assert_eq!(app.get("/api/routing-rules", &app.auditor).await.body["items"][0]["agency_id"], json!(highway));
    let id = app.raise(&area, "INF", "ถนนชำรุด").await;
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!((issue.body["waiting_for"].as_str(), &issue.body["agency_id"]), (Some("sbpac"), &json!(null)));
    // The rule suggests the agency; assigning by the rule alone refers the problem to it, named by its Thai name.
    let s = app.get(&format!("/api/routing-rules/suggest?category=INF&area={area}"), &app.coordinator).await;
    assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
    assert_eq!(
        (s.body["rule"]["id"].as_str(), s.body["agency"]["id"].as_str()),
        (Some(rule_id.as_str()), Some(highway.as_str()))
    );
    let none = app.get(&format!("/api/routing-rules/suggest?category=EDU&area={area}"), &app.staff).await;
    assert_eq!((&none.body["rule"], &none.body["agency"]), (&json!(null), &json!(null)));
    let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"rule": rule_id})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
    assert_eq!(
        (issue["assignee"].as_str(), issue["agency_id"].as_str(), issue["waiting_for"].as_str()),
        (Some("แขวงทางหลวงปัตตานี"), Some(highway.as_str()), Some("agency"))
    );
    let history = app.get(&format!("/api/issues/{id}/history"), &app.staff).await.body;
    let assigned =
        history["items"].as_array().unwrap().iter().find(|e| e["event_type"] == "IssueAssigned").unwrap().clone();
    assert_eq!(assigned["event_version"], "1.1", "{assigned}");
    assert_eq!(
        (assigned["data"]["agency"].as_str(), assigned["data"]["rule"].as_str()),
        (Some(highway.as_str()), Some(rule_id.as_str()))
    );
    // The agency asks the village for a list: the ball is with the community, then back with the agency.
    let r = app
        .post(
            &format!("/api/issues/{id}/waiting"),
            &app.coordinator,
            json!({"waiting_for": "community", "note": "รอรายชื่อ"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.get(&format!("/api/issues/{id}"), &app.staff).await.body["waiting_for"], "community");
    let r = app.post(&format!("/api/issues/{id}/waiting"), &app.staff, json!({"waiting_for": "agency"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Statistics by agency count it under its agency.
    let by = app.get("/api/stats/resolution?by=agency", &app.staff).await;
    assert_eq!(by.status, StatusCode::OK, "{:?}", by.body);
    let row = by.body["rows"].as_array().unwrap().iter().find(|r| r["agency_id"] == json!(highway)).cloned().unwrap();
    assert_eq!(row["raised"], 1);
    // Closed: waiting for nobody.
    let r = app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "referred"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.get(&format!("/api/issues/{id}"), &app.staff).await.body["waiting_for"], json!(null));
    // Removing the rule: no suggestion any more; removing it again is 404.
    assert_eq!(delete(&app, &format!("/api/routing-rules/{rule_id}"), &app.admin).await.status, StatusCode::NO_CONTENT);
    let s = app.get(&format!("/api/routing-rules/suggest?category=INF&area={area}"), &app.staff).await;
    assert_eq!(s.body["rule"], json!(null));
    let again = delete(&app, &format!("/api/routing-rules/{rule_id}"), &app.admin).await;
    assert_eq!((again.status, again.code()), (StatusCode::NOT_FOUND, "routing_rule_not_found"));
}

/// Days with each party for one problem with a known history: 2 days with SBPAC, 3 with the agency, 1 with
/// the community, then closed; a second problem raised 1 day before the end, still with SBPAC.
async fn ball_in_court_counts_the_days_with_each_party(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("BIC-1").await;
    let highway = agency(&app, "แขวงทางหลวงปัตตานี", "province", &["9401"]).await;
    let t0 = Utc::now() - Duration::days(10);
    let at = |days: i64| as_of_param(t0 + Duration::days(days));
    let r = app
        .post("/api/issues", &app.staff, json!({"area_id": area, "category": "INF", "title": "สะพานขาด", "at": at(0)}))
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let step = |path: &'static str, body: Value| {
        let (app, id) = (&app, &id);
        async move {
            let r = app.post(&format!("/api/issues/{id}/{path}"), &app.staff, body).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
        }
    };
    step("assign", json!({"agency": highway, "at": at(2)})).await;
    step("waiting", json!({"waiting_for": "community", "at": at(5)})).await;
    step("address", json!({"action": "ซ่อมแล้ว", "at": at(6)})).await;
    step("close", json!({"outcome": "resolved", "at": at(6)})).await;
    let by_agency = app.get("/api/stats/custody?by=agency", &app.staff).await;
    assert_eq!(by_agency.status, StatusCode::OK, "{:?}", by_agency.body);
    let row =
        by_agency.body["rows"].as_array().unwrap().iter().find(|r| r["agency_id"] == json!(highway)).cloned().unwrap();
    let days = |v: &Value| (v.as_f64().unwrap() * 1000.0).round() / 1000.0;
    assert_eq!((days(&row["days"]["agency"]), days(&row["days"]["community"])), (3.0, 1.0), "{row}");
    assert_eq!((row["problems"].as_i64(), row["waiting_now"]["agency"].as_i64()), (Some(1), Some(0)));
    // The 2 days with SBPAC came before the referral: under "no agency".
    let unreferred =
        by_agency.body["rows"].as_array().unwrap().iter().find(|r| r["agency_id"].is_null()).cloned().unwrap();
    assert_eq!(days(&unreferred["days"]["sbpac"]), 2.0, "{unreferred}");
    let by_party = app.get("/api/stats/custody?by=party", &app.staff).await.body;
    let total = by_party["totals"]["days"].clone();
    let sum = days(&total["sbpac"]) + days(&total["agency"]) + days(&total["community"]);
    assert_eq!(sum, 6.0, "the spans sum to the time the problem was open: {by_party}");
    let by_category = app.get("/api/stats/custody?by=category", &app.staff).await.body;
    assert_eq!(by_category["rows"][0]["category"], "INF", "{by_category}");
    // As of an instant before the problem existed in the log: nothing.
    let early = app.get(&format!("/api/stats/custody?as_of={}", as_of_param(t0 - Duration::days(1))), &app.staff).await;
    assert_eq!(early.status, StatusCode::OK, "{:?}", early.body);
    assert_eq!(early.body["totals"]["problems"], 0, "{:?}", early.body);
}

async fn a_coordinator_sees_the_ball_in_court_of_their_own_areas_only(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mine = app.area("MINE-1").await;
    let r = app.post("/api/areas", &app.admin, json!({"id": "FAR-1", "name_th": "ไกล", "amphoe_code": "9601"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    app.raise(&mine, "INF", "ของฉัน").await;
    app.raise("FAR-1", "INF", "ที่อื่น").await;
    let staff = app.get("/api/stats/custody?by=party", &app.staff).await.body;
    let coordinator = app.get("/api/stats/custody?by=party", &app.coordinator).await.body;
    assert_eq!((staff["totals"]["problems"].as_i64(), coordinator["totals"]["problems"].as_i64()), (Some(2), Some(1)));
    // A suggestion for another area is not theirs to ask.
    let r = app.get("/api/routing-rules/suggest?category=INF&area=FAR-1", &app.coordinator).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = app.get(&format!("/api/routing-rules/suggest?category=INF&area={mine}"), &app.auditor).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
}

async fn bad_agencies_rules_and_referrals_are_refused_with_their_code_and_nothing_written(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("BAD-1").await;
    let highway = agency(&app, "แขวงทางหลวงปัตตานี", "province", &["9401"]).await;
    let other = agency(&app, "อบจ.ปัตตานี", "province", &["9401"]).await;
    let rule_id = rule(&app, "INF", "9401", &highway).await;
    let edu_rule = rule(&app, "EDU", "9401", &highway).await;
    let id = app.raise(&area, "INF", "ถนน").await;
    let unknown = "7e57a9c0-1111-4222-8333-944455556666";
    let before = app.event_count().await;
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "/api/agencies",
            json!({"name_th": "อำเภอ", "level": "amphoe", "districts": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_districts",
        ),
        (
            "/api/agencies",
            json!({"name_th": "อำเภอ", "level": "amphoe", "districts": ["9999"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_amphoe",
        ),
        (
            "/api/agencies",
            json!({"name_th": "อำเภอ", "level": "village", "districts": ["9401"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_agency_level",
        ),
        (
            "/api/agencies",
            json!({"name_th": " แขวงทางหลวงปัตตานี ", "level": "national"}),
            StatusCode::CONFLICT,
            "duplicate_agency",
        ),
        (
            "/api/routing-rules",
            json!({"category": "NOPE", "district": "9401", "agency": highway}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_category",
        ),
        (
            "/api/routing-rules",
            json!({"category": "INF", "district": "1234", "agency": highway}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_amphoe",
        ),
        (
            "/api/routing-rules",
            json!({"category": "INF", "district": "9401", "agency": unknown}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_agency",
        ),
        (
            "/api/routing-rules",
            json!({"category": "INF", "district": "9401", "agency": "not-a-uuid"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_agency",
        ),
        (
            "/api/routing-rules",
            json!({"category": "INF", "district": "9401", "agency": highway}),
            StatusCode::CONFLICT,
            "routing_rule_unchanged",
        ),
    ];
    for (path, body, status, code) in cases {
        let r = app.post(path, &app.admin, body.clone()).await;
        assert_eq!((r.status, r.code()), (status, code), "{path} {body}: {:?}", r.body);
    }
    let assign = format!("/api/issues/{id}/assign");
    let waiting = format!("/api/issues/{id}/waiting");
    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (&assign, json!({"agency": unknown}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_agency"),
        (&assign, json!({"agency": "ถนน"}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_agency"),
        (&assign, json!({"rule": unknown}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_routing_rule"),
        (&assign, json!({"rule": "nope"}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_routing_rule"),
        (&assign, json!({"rule": edu_rule}), StatusCode::UNPROCESSABLE_ENTITY, "routing_rule_mismatch"),
        (&assign, json!({"rule": rule_id, "agency": other}), StatusCode::UNPROCESSABLE_ENTITY, "routing_rule_mismatch"),
        (&assign, json!({"due_on": "2099-01-01"}), StatusCode::UNPROCESSABLE_ENTITY, "empty_value"),
        (&waiting, json!({"waiting_for": "agency"}), StatusCode::CONFLICT, "no_agency"),
        (&waiting, json!({"waiting_for": "sbpac"}), StatusCode::CONFLICT, "waiting_unchanged"),
        (&waiting, json!({"waiting_for": "the mayor"}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_party"),
        (
            &waiting,
            json!({"waiting_for": "community", "at": "2000-01-01T00:00:00Z"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at_before_raise",
        ),
    ];
    for (path, body, status, code) in cases {
        let r = app.post(path, &app.staff, body.clone()).await;
        assert_eq!((r.status, r.code()), (status, code), "{path} {body}: {:?}", r.body);
    }
    // Readers may not write; an unknown issue is 404 whatever the body.
    let r = app.post(&waiting, &app.auditor, json!({"waiting_for": "community"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.post(&format!("/api/issues/{unknown}/assign"), &app.staff, json!({"agency": highway})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "issue_not_found"));
    let r = app.post(&format!("/api/issues/{unknown}/waiting"), &app.staff, json!({"waiting_for": "community"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "issue_not_found"));
    for (path, code) in [
        ("/api/stats/custody?by=area", "bad_group"),
        ("/api/stats/custody?from=2026-12-01&to=2026-11-01", "bad_window"),
        ("/api/stats/custody?as_of=2999-01-01T00:00:00Z", "as_of_in_future"),
        ("/api/agencies?level=village", "unknown_agency_level"),
        ("/api/routing-rules/suggest?category=INF&area=NOPE-9", "unknown_area"),
        ("/api/routing-rules/suggest?category=NOPE&area=BAD-1", "unknown_category"),
    ] {
        let r = app.get(path, &app.admin).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code), "{path}: {:?}", r.body);
    }
    let r = app.get(&format!("/api/agencies/{unknown}"), &app.staff).await;
    assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "agency_not_found"));
    assert_eq!(app.event_count().await, before, "nothing was written");
    // Closed: waiting for nobody, and no waiting party can be set.
    app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "withdrawn"})).await;
    let closed = app.event_count().await;
    let r = app.post(&waiting, &app.staff, json!({"waiting_for": "community"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "issue_closed"));
    assert_eq!(app.event_count().await, closed, "nothing was written");
}

/// One step of a generated history: issue numbers pick among the issues raised so far; `back` is how many
/// hours before now the field time lies (late entries, out of order), which the domain may refuse.
#[derive(Debug, Clone)]
enum Op {
    Raise { category: bool, hours_ago: i64 },
    Refer { issue: usize, agency: usize, back: Option<i64> },
    Person { issue: usize, back: Option<i64> },
    Wait { issue: usize, party: usize, back: Option<i64> },
    Close { issue: usize, back: Option<i64> },
    Reopen { issue: usize, back: Option<i64> },
}

const PARTIES: [&str; 3] = ["sbpac", "agency", "community"];

fn op() -> impl Strategy<Value = Op> {
    let back = proptest::option::weighted(0.5, 0..200_i64);
    prop_oneof![
        2 => (any::<bool>(), 0..400_i64).prop_map(|(category, hours_ago)| Op::Raise { category, hours_ago }),
        2 => (any::<usize>(), 0..2_usize, back.clone()).prop_map(|(issue, agency, back)| Op::Refer { issue, agency, back }),
        1 => (any::<usize>(), back.clone()).prop_map(|(issue, back)| Op::Person { issue, back }),
        2 => (any::<usize>(), 0..3_usize, back.clone()).prop_map(|(issue, party, back)| Op::Wait { issue, party, back }),
        1 => (any::<usize>(), back.clone()).prop_map(|(issue, back)| Op::Close { issue, back }),
        1 => (any::<usize>(), back).prop_map(|(issue, back)| Op::Reopen { issue, back }),
    ]
}

/// The ball-in-court figures from the live tables and from the tables folded as of "now" agree to the last
/// digit, for every grouping and for a coordinator's scope, after random histories with late, out-of-order
/// entries; and each problem's spans sum to the time it was open (the totals per problem).
async fn ball_in_court_is_the_same_live_and_as_of_after_random_histories(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("DIF-1").await;
    app.area_in("DIF-2", "9501").await;
    let agencies = [
        agency(&app, "แขวงทางหลวงปัตตานี", "province", &["9401"]).await,
        agency(&app, "อบจ.ยะลา", "province", &["9501"]).await,
    ];
    let mut runner = TestRunner::new_with_rng(
        Config { cases: 1, ..Config::default() },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[17; 32]),
    );
    for round in 0..3 {
        let ops = proptest::collection::vec(op(), 10..40).new_tree(&mut runner).unwrap().current();
        let mut issues: Vec<String> = Vec::new();
        let now = Utc::now();
        for o in ops {
            let pick = |i: usize| (!issues.is_empty()).then(|| issues[i % issues.len()].clone());
            let at = |back: Option<i64>| back.map(|h| as_of_param(now - Duration::hours(h)));
            let (path, body) = match o {
                Op::Raise { category, hours_ago } => {
                    let area = if round % 2 == 0 { area.as_str() } else { "DIF-2" };
                    let body = json!({"area_id": area, "category": if category { "INF" } else { "EDU" }, "title": "ปัญหา",
                        "at": as_of_param(now - Duration::hours(hours_ago + 200))});
                    let r = app.post("/api/issues", &app.staff, body).await;
                    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
                    issues.push(r.body["id"].as_str().unwrap().to_owned());
                    continue;
                }
                Op::Refer { issue, agency, back } => match pick(issue) {
                    Some(id) => {
                        (format!("/api/issues/{id}/assign"), json!({"agency": agencies[agency], "at": at(back)}))
                    }
                    None => continue,
                },
                Op::Person { issue, back } => match pick(issue) {
                    Some(id) => (format!("/api/issues/{id}/assign"), json!({"assignee": "นายช่าง", "at": at(back)})),
                    None => continue,
                },
                Op::Wait { issue, party, back } => match pick(issue) {
                    Some(id) => {
                        (format!("/api/issues/{id}/waiting"), json!({"waiting_for": PARTIES[party], "at": at(back)}))
                    }
                    None => continue,
                },
                Op::Close { issue, back } => match pick(issue) {
                    Some(id) => (format!("/api/issues/{id}/close"), json!({"outcome": "withdrawn", "at": at(back)})),
                    None => continue,
                },
                Op::Reopen { issue, back } => match pick(issue) {
                    Some(id) => (format!("/api/issues/{id}/reopen"), json!({"reason": "กลับมาอีก", "at": at(back)})),
                    None => continue,
                },
            };
            // Refusals (a closed problem, an `at` before the raise, the same party) are part of the history.
            let r = app.post(&path, &app.staff, body).await;
            assert!(r.status == StatusCode::OK || r.status.is_client_error(), "{path}: {:?}", r.body);
        }
        // An instant every event above was recorded before (the clock's millisecond may hold one of them).
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let until = santisuk_app::now();
        let coordinator_areas = Some(vec![area.clone()]);
        for by in CustodyBy::ALL {
            for areas in [None, coordinator_areas.clone()] {
                let q = CustodyQuery { by, from: None, to: None, areas, hidden: None, until };
                let live = santisuk_projections::custody::stats(app.db(), &q).await.unwrap();
                let mut view = AsOf::build(app.db(), until).await.unwrap();
                let as_of = santisuk_projections::custody::stats(view.reader(), &q).await.unwrap();
                assert_eq!(live, as_of, "round {round}, by {by:?}");
            }
        }
        // Per problem: its spans never overlap and sum to the time it was open (raise to close, again after a
        // reopening), counted from its own row.
        for id in &issues {
            let row = santisuk_projections::read_model::get_issue(app.db(), id).await.unwrap().unwrap();
            let spans = &row.custody.0;
            for pair in spans.windows(2) {
                assert!(pair[0].to.is_some_and(|to| to <= pair[1].from), "{spans:?}");
            }
            assert_eq!(spans.last().is_some_and(|s| s.to.is_none()), row.status.as_str() != "closed", "{spans:?}");
        }
    }
}
