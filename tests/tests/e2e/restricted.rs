//! Restricted cases (issue #15 §4), on both backends: who reads a restricted case (admins, staff and auditors
//! granted its category, whoever raised it) and who meets it nowhere (lists, search, exports, as-of reads,
//! the web queue, home page and forum pages; opening it answers exactly as an id no issue has); statistics
//! that count hidden cases only in groups holding the small-cell threshold of them, with a property test
//! that no shown figure depends on fewer than the threshold of hidden cases in a group; the figures of those
//! who read everything unchanged byte for byte; and bad input that writes nothing.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{SecondsFormat, Utc};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use santisuk_app::users::create_user;
use santisuk_domain::values::IssueStatus;
use santisuk_projections::read_model::{self, IssueRow, IssueTable, ReadModel, Restriction, Snapshot};
use santisuk_projections::runner::Runner;
use santisuk_projections::stats::{self, GroupBy, Stats, StatsQuery, Suppression};
use santisuk_projections::users::Role;
use santisuk_store::append::InlineTable;
use santisuk_store::{SqlValue, bind_row, on_db};
use santisuk_tests::web::{PASSWORD, WebClient};
use santisuk_tests::{Backend, TestApp, TestDb, both_backends, csv_records};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(
    restricted_cases_are_read_only_by_those_allowed_everywhere,
    statistics_count_hidden_cases_only_in_groups_holding_the_threshold_of_them,
    figures_for_those_who_read_everything_do_not_change_when_cases_are_restricted,
    bad_restrictions_and_grants_are_refused_and_write_nothing,
    the_web_app_shows_marks_and_sets_them,
    no_shown_figure_depends_on_fewer_than_the_threshold_of_hidden_cases_in_a_group,
);

/// A user of `role` (with `areas`), and its token.
async fn user(app: &TestApp, name: &str, role: Role, areas: &[String]) -> (String, String) {
    let system = std::collections::HashMap::from([("actor".to_owned(), "test-harness".to_owned())]);
    let (row, token) = create_user(&app.state, name, role, areas, system).await.expect("add user");
    (row.id, token.expose().to_owned())
}

async fn user_id(app: &TestApp, token: &str) -> String {
    santisuk_projections::users::user_by_token(app.db(), token).await.expect("lookup").expect("user").id
}

async fn grant(app: &TestApp, user: &str, categories: &[&str]) {
    let r = app.post(&format!("/api/users/{user}/categories"), &app.admin, json!({"categories": categories})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
}

async fn restrict_category(app: &TestApp, code: &str, restricted: bool) {
    let r = app.post(&format!("/api/categories/{code}/restrict"), &app.admin, json!({"restricted": restricted})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["restricted"], json!(restricted));
}

async fn raise(app: &TestApp, token: &str, body: Value) -> (String, String) {
    let r = app.post("/api/issues", token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    (r.body["id"].as_str().expect("id").to_owned(), r.body["case_number"].as_str().expect("number").to_owned())
}

/// The ids of every issue the list answers `token` for `query` (one page is enough here).
async fn listed(app: &TestApp, token: &str, query: &str) -> BTreeSet<String> {
    let r = app.get(&format!("/api/issues?limit=500&{query}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().expect("id").to_owned()).collect()
}

/// A file's status and text.
async fn download(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    let req = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let resp = app.router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// `raised` of the group whose `key` is `value` in a statistics answer (0 when the group is not shown).
fn raised_in(body: &Value, key: &str, value: &str) -> i64 {
    body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[key] == json!(value))
        .map_or(0, |r| r["raised"].as_i64().expect("raised"))
}

async fn stats(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app.get(&format!("/api/stats/resolution?{query}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body
}

async fn events_now(app: &TestApp) -> i64 {
    app.event_count().await
}

/// Who reads, in the role matrix of restricted cases.
struct Reader {
    name: &'static str,
    token: String,
    /// Reads the flagged case A (raised restricted by the coordinator)?
    a: bool,
    /// Reads B (of the restricted category JUS)?
    b: bool,
}

async fn restricted_cases_are_read_only_by_those_allowed_everywhere(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("RS-1").await;
    let s = app.suffix.clone();
    let (staff_jus_id, staff_jus) = user(&app, &format!("staffjus-{s}"), Role::Staff, &[]).await;
    let (auditor_jus_id, auditor_jus) = user(&app, &format!("auditjus-{s}"), Role::Auditor, &[]).await;
    let (_, coordinator2) = user(&app, &format!("coord2-{s}"), Role::Coordinator, std::slice::from_ref(&area)).await;
    grant(&app, &staff_jus_id, &["JUS"]).await;
    grant(&app, &auditor_jus_id, &["JUS"]).await;
    restrict_category(&app, "JUS", true).await;
    let today = santisuk_domain::time::bangkok_date(Utc::now()).to_string();
    let r = app.post("/api/forums", &app.coordinator, json!({"area_id": area, "held_on": today, "title": "เวที"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let forum = r.body["id"].as_str().expect("forum id").to_owned();
    // A: flagged at the raise by the coordinator; B: in the restricted category; C: neither.
    let (a, a_number) = raise(
        &app,
        &app.coordinator,
        json!({"area_id": area, "category": "INF", "title": "SECRET-A ข่มขู่", "forum_id": forum, "restricted": true}),
    )
    .await;
    let (b, _) = raise(&app, &app.admin, json!({"area_id": area, "category": "JUS", "title": "SECRET-B ถูกจับกุม"})).await;
    let (c, _) = raise(&app, &app.staff, json!({"area_id": area, "category": "INF", "title": "OPEN-C ถนน"})).await;
    santisuk_tests::settle(&app.state.runner, app.db()).await;
    let as_of = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let readers = [
        Reader { name: "admin", token: app.admin.clone(), a: true, b: true },
        Reader { name: "staff", token: app.staff.clone(), a: false, b: false },
        Reader { name: "staff granted JUS", token: staff_jus.clone(), a: false, b: true },
        Reader { name: "auditor", token: app.auditor.clone(), a: false, b: false },
        Reader { name: "auditor granted JUS", token: auditor_jus.clone(), a: false, b: true },
        Reader { name: "coordinator who raised A", token: app.coordinator.clone(), a: true, b: false },
        Reader { name: "another coordinator of the area", token: coordinator2.clone(), a: false, b: false },
    ];
    let unknown = uuid::Uuid::new_v4();
    for reader in &readers {
        let who = reader.name;
        let token = reader.token.as_str();
        let mut expected: BTreeSet<String> = BTreeSet::from([c.clone()]);
        if reader.a {
            expected.insert(a.clone());
        }
        if reader.b {
            expected.insert(b.clone());
        }
        let ours = |ids: BTreeSet<String>| -> BTreeSet<String> {
            ids.into_iter().filter(|i| [&a, &b, &c].contains(&i)).collect()
        };
        assert_eq!(ours(listed(&app, token, "").await), expected, "{who}: the list");
        assert_eq!(ours(listed(&app, token, &format!("area_id={area}")).await), expected, "{who}: the area's list");
        let secret: BTreeSet<String> = expected.iter().filter(|i| **i != c).cloned().collect();
        assert_eq!(ours(listed(&app, token, "q=SECRET").await), secret, "{who}: a search");
        assert_eq!(ours(listed(&app, token, "q=ข่มขู่").await), secret.iter().filter(|i| **i == a).cloned().collect());
        assert_eq!(ours(listed(&app, token, &format!("as_of={as_of}")).await), expected, "{who}: the list as of");
        let (status, csv) = download(&app, "/api/issues/export?format=csv&lang=en", token).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        for id in [&a, &b, &c] {
            assert_eq!(csv.contains(id.as_str()), expected.contains(id), "{who}: the export and {id}");
        }
        assert_eq!(csv.contains("SECRET-A"), reader.a, "{who}: the export's titles");
        // Opening a case one may not read answers exactly as an id no issue has.
        let absent = app.get(&format!("/api/issues/{unknown}"), token).await;
        let absent_history = app.get(&format!("/api/issues/{unknown}/history"), token).await;
        assert_eq!(absent.status, StatusCode::NOT_FOUND);
        for (id, reads) in [(&a, reader.a), (&b, reader.b), (&c, true)] {
            for path in [format!("/api/issues/{id}"), format!("/api/issues/{id}?as_of={as_of}")] {
                let r = app.get(&path, token).await;
                if reads {
                    assert_eq!(r.status, StatusCode::OK, "{who}: {path}");
                } else {
                    assert_eq!((r.status, &r.body), (absent.status, &absent.body), "{who}: {path}");
                }
            }
            let r = app.get(&format!("/api/issues/{id}/history"), token).await;
            if reads {
                assert_eq!(r.status, StatusCode::OK, "{who}: history");
            } else {
                assert_eq!((r.status, &r.body), (absent_history.status, &absent_history.body), "{who}: history");
            }
        }
        let by_number = app.get(&format!("/api/issues/{a_number}"), token).await;
        assert_eq!(by_number.status == StatusCode::OK, reader.a, "{who}: by case number");
    }
    // The API's view says which case is marked.
    let r = app.get(&format!("/api/issues/{a}"), &app.admin).await;
    assert_eq!(r.body["restricted"], json!(true));
    let r = app.get(&format!("/api/issues/{b}"), &app.admin).await;
    assert_eq!(r.body["restricted"], json!(false), "B is restricted by its category only");

    // Counts: two hidden cases are fewer than the default threshold (5); with a threshold of 2 they count.
    let expect_by_area = |threshold: i64| -> Vec<(&'static str, String, i64)> {
        let two = threshold <= 2;
        vec![
            ("admin", app.admin.clone(), 3),
            ("staff", app.staff.clone(), if two { 3 } else { 1 }),
            ("staff granted JUS", staff_jus.clone(), 2),
            ("auditor", app.auditor.clone(), if two { 3 } else { 1 }),
            ("coordinator who raised A", app.coordinator.clone(), 2),
            ("another coordinator", coordinator2.clone(), if two { 3 } else { 1 }),
        ]
    };
    for threshold in [5, 2] {
        app.state.set_small_cell_threshold(threshold as u32);
        for (who, token, raised) in expect_by_area(threshold) {
            let live = stats(&app, &token, "by=area").await;
            assert_eq!(raised_in(&live, "area_id", &area), raised, "{who}, threshold {threshold}: by area");
            assert_eq!(live["totals"]["raised"].as_i64(), Some(raised), "{who}: the totals are the groups' sum");
            let then = stats(&app, &token, &format!("by=area&as_of={as_of}")).await;
            assert_eq!(then, live, "{who}, threshold {threshold}: as of equals live");
            let (status, csv) = download(&app, "/api/stats/resolution/export?format=csv&by=area&lang=en", &token).await;
            assert_eq!(status, StatusCode::OK);
            let records = csv_records(&csv);
            let col = records[0].iter().position(|h| h == "Raised").expect("a Raised column");
            let row = records.iter().find(|r| r[0] == area).expect("the area's row");
            assert_eq!(row[col], raised.to_string(), "{who}, threshold {threshold}: the statistics export");
        }
    }
    // By category with a threshold of 2, each category holds one hidden case for the staff member: neither
    // counts (INF shows C alone; JUS, listed as every category is, shows nothing).
    let by_category = stats(&app, &app.staff, "by=category").await;
    assert_eq!((raised_in(&by_category, "category", "INF"), raised_in(&by_category, "category", "JUS")), (1, 0));
    let admin_by_category = stats(&app, &app.admin, "by=category").await;
    assert_eq!(
        (raised_in(&admin_by_category, "category", "INF"), raised_in(&admin_by_category, "category", "JUS")),
        (2, 1)
    );

    // Writes: to a writer who may not read it, a restricted case does not exist; nothing is written.
    let before = events_now(&app).await;
    let absent_assign =
        app.post(&format!("/api/issues/{unknown}/assign"), &coordinator2, json!({"assignee": "อบต."})).await;
    for (token, id) in [(&coordinator2, &a), (&app.staff, &a), (&app.staff, &b), (&app.coordinator, &b)] {
        for (action, body) in [
            ("assign", json!({"assignee": "อบต."})),
            ("restrict", json!({"restricted": false, "reason": "ไม่ลับแล้ว"})),
            ("correct", json!({"title": "เปลี่ยน", "reason": "ลอง"})),
        ] {
            let r = app.post(&format!("/api/issues/{id}/{action}"), token, body).await;
            assert_eq!(
                (r.status, &r.body["error"]["code"]),
                (absent_assign.status, &absent_assign.body["error"]["code"])
            );
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{action} {id}");
        }
    }
    assert_eq!(events_now(&app).await, before, "refused writes stored nothing");
    // Those who may read it may act on it: the coordinator who raised A lifts its mark, and everyone reads it.
    let r = app
        .post(
            &format!("/api/issues/{a}/restrict"),
            &app.coordinator,
            json!({"restricted": false, "reason": "ผู้ร้องยินยอม"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(app.get(&format!("/api/issues/{a}"), &coordinator2).await.status, StatusCode::OK);
    // The history records the change and its reason.
    let h = app.get(&format!("/api/issues/{a}/history"), &app.admin).await;
    let last = h.body["items"].as_array().expect("items").last().cloned().expect("an event");
    assert_eq!(last["event_type"], json!("IssueRestrictionChanged"));
    assert_eq!((&last["data"]["restricted"], &last["data"]["reason"]), (&json!(false), &json!("ผู้ร้องยินยอม")));
    // A grant taken away holds at once; lifting the category's mark opens its cases to all.
    grant(&app, &staff_jus_id, &[]).await;
    assert_eq!(app.get(&format!("/api/issues/{b}"), &staff_jus).await.status, StatusCode::NOT_FOUND);
    restrict_category(&app, "JUS", false).await;
    assert_eq!(app.get(&format!("/api/issues/{b}"), &staff_jus).await.status, StatusCode::OK);
    // Marked now decides for reads as of any instant: C, restricted after `as_of`, is hidden then too.
    let r =
        app.post(&format!("/api/issues/{c}/restrict"), &app.staff, json!({"restricted": true, "reason": "ลับ"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(!listed(&app, &coordinator2, &format!("as_of={as_of}")).await.contains(&c));
    assert_eq!(app.get(&format!("/api/issues/{c}?as_of={as_of}"), &coordinator2).await.status, StatusCode::NOT_FOUND);
    // The staff member raised C: it stays theirs to read.
    assert_eq!(app.get(&format!("/api/issues/{c}"), &app.staff).await.status, StatusCode::OK);

    // A rebuild gives the same tables (marks, raisers, categories' marks) and the same grants and answers.
    santisuk_tests::settle(&app.state.runner, app.db()).await;
    let live = read_model::dump(app.db()).await.expect("dump");
    assert!(live.contains("\"raised_by_user\":") && live.contains("\"restricted\":true"), "{live}");
    let replayed = Runner::new(app.db().clone(), ReadModel::default()).rebuild().await.expect("rebuild");
    assert_eq!(replayed as i64, app.event_count().await);
    assert_eq!(read_model::dump(app.db()).await.expect("dump"), live);
    assert_eq!(Snapshot::as_of(app.db(), Utc::now()).await.expect("fold").dump().expect("dump"), live);
    let auditor = santisuk_projections::users::get_user(app.db(), &auditor_jus_id).await.unwrap().unwrap();
    assert_eq!(auditor.categories, ["JUS"]);
    assert_eq!(app.get(&format!("/api/issues/{c}"), &app.staff).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/issues/{c}"), &coordinator2).await.status, StatusCode::NOT_FOUND);
}

async fn statistics_count_hidden_cases_only_in_groups_holding_the_threshold_of_them(backend: Backend) {
    let app = TestApp::new(backend).await;
    let big = app.area("ST-BIG").await;
    let small = app.area("ST-SMALL").await;
    restrict_category(&app, "SEC", true).await;
    // Six hidden cases in one area (above the threshold of 5), three in the other, and visible ones in both.
    for n in 0..6 {
        raise(&app, &app.admin, json!({"area_id": big, "category": "SEC", "title": format!("ลับ {n}")})).await;
    }
    for n in 0..3 {
        raise(
            &app,
            &app.admin,
            json!({"area_id": small, "category": "INF", "title": format!("ลับ {n}"), "restricted": true}),
        )
        .await;
    }
    for a in [&big, &small] {
        raise(&app, &app.admin, json!({"area_id": a, "category": "INF", "title": "เปิด"})).await;
    }
    let admin = stats(&app, &app.admin, "by=area").await;
    assert_eq!((raised_in(&admin, "area_id", &big), raised_in(&admin, "area_id", &small)), (7, 4));
    let auditor = stats(&app, &app.auditor, "by=area").await;
    assert_eq!((raised_in(&auditor, "area_id", &big), raised_in(&auditor, "area_id", &small)), (7, 1));
    assert_eq!(auditor["totals"]["raised"].as_i64(), Some(8), "the totals are what the groups show");
    // A coarser grouping holds all nine hidden cases in one group: they count there.
    let by_province = stats(&app, &app.auditor, "by=province").await;
    assert_eq!(raised_in(&by_province, "province_code", "94"), 11);
    // With a threshold above nine they count nowhere.
    app.state.set_small_cell_threshold(10);
    let by_province = stats(&app, &app.auditor, "by=province").await;
    assert_eq!(raised_in(&by_province, "province_code", "94"), 2);
    app.state.set_small_cell_threshold(5);
    let mut web = app.web_as(Role::Auditor).await;
    let page = web.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"suppression-note\""), "the dashboard says how restricted cases are counted");
    assert!(page.body.contains("อย่างน้อย 5 เรื่อง"), "with the threshold, in Thai");
    // The API's document says so too.
    let doc = app.get("/api/openapi.json", &app.admin).await.body;
    for path in ["/api/stats/resolution", "/api/stats/resolution/export"] {
        let text = doc["paths"][path]["get"]["description"].as_str().unwrap_or_default();
        assert!(text.contains("small-cell threshold"), "{path}: {text}");
    }
    let mut admin_web = app.web_as(Role::Admin).await;
    let page = admin_web.get("/dashboard").await;
    assert!(!page.body.contains("suppression-note"), "an admin's figures count every case");
}

async fn figures_for_those_who_read_everything_do_not_change_when_cases_are_restricted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let one = app.area("FG-1").await;
    let two = app.area("FG-2").await;
    let mut ids = Vec::new();
    for (n, (area, category)) in
        [(&one, "JUS"), (&one, "INF"), (&two, "JUS"), (&two, "LIV"), (&one, "SEC")].iter().enumerate()
    {
        let (id, _) =
            raise(&app, &app.staff, json!({"area_id": area, "category": category, "title": format!("เรื่อง {n}")})).await;
        ids.push(id);
    }
    for id in &ids[..3] {
        let r = app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "withdrawn"})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let t0 = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let queries = ["by=area", "by=category", "by=month", "by=area,category", "by=fiscal_year", "by=province,forum"];
    let files = [
        "/api/stats/resolution/export?format=csv&by=area&lang=en",
        "/api/stats/resolution/export?format=csv&by=category",
    ];
    let figures = |app: TestApp, token: String, t0: String| async move {
        let mut out = Vec::new();
        for q in queries {
            for path in [format!("/api/stats/resolution?{q}"), format!("/api/stats/resolution?{q}&as_of={t0}")] {
                let (status, text) = download(&app, &path, &token).await;
                assert_eq!(status, StatusCode::OK, "{path}");
                out.push(text);
            }
        }
        for f in files {
            out.push(download(&app, f, &token).await.1);
        }
        out
    };
    let before = figures(app.clone(), app.admin.clone(), t0.clone()).await;
    let staff_before = figures(app.clone(), app.staff.clone(), t0.clone()).await;
    assert_eq!(staff_before, before, "nothing is restricted yet: everyone's figures are the same");
    restrict_category(&app, "JUS", true).await;
    for id in &ids[3..] {
        let r = app
            .post(&format!("/api/issues/{id}/restrict"), &app.admin, json!({"restricted": true, "reason": "ลับ"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let after = figures(app.clone(), app.admin.clone(), t0.clone()).await;
    assert_eq!(after, before, "an admin's figures, byte for byte");
    let staff_after = figures(app.clone(), app.auditor.clone(), t0.clone()).await;
    assert_ne!(staff_after, before, "an auditor without grants counts fewer (the comparison can fail)");
}

async fn bad_restrictions_and_grants_are_refused_and_write_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("BR-1").await;
    let (id, _) = raise(&app, &app.staff, json!({"area_id": area, "category": "INF", "title": "ถนน"})).await;
    let staff = user_id(&app, &app.staff).await;
    let coordinator = app.coordinator_id.clone();
    let admin = user_id(&app, &app.admin).await;
    let restrict = format!("/api/issues/{id}/restrict");
    let cases: Vec<(String, &str, Value, StatusCode, &str)> = vec![
        (
            restrict.clone(),
            &app.staff,
            json!({"restricted": true, "reason": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_value",
        ),
        (
            restrict.clone(),
            &app.staff,
            json!({"restricted": true, "reason": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_value",
        ),
        (
            restrict.clone(),
            &app.staff,
            json!({"restricted": false, "reason": "ไม่ลับ"}),
            StatusCode::CONFLICT,
            "restriction_unchanged",
        ),
        (
            restrict.clone(),
            &app.staff,
            json!({"restricted": "yes", "reason": "ลับ"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
        ),
        (
            restrict.clone(),
            &app.auditor,
            json!({"restricted": true, "reason": "ลับ"}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            format!("/api/issues/{}/restrict", uuid::Uuid::new_v4()),
            &app.admin,
            json!({"restricted": true, "reason": "ลับ"}),
            StatusCode::NOT_FOUND,
            "issue_not_found",
        ),
        (
            "/api/categories/NOPE/restrict".into(),
            &app.admin,
            json!({"restricted": true}),
            StatusCode::NOT_FOUND,
            "category_not_found",
        ),
        (
            "/api/categories/bad code/restrict".replace(' ', "%20"),
            &app.admin,
            json!({"restricted": true}),
            StatusCode::NOT_FOUND,
            "category_not_found",
        ),
        (
            "/api/categories/INF/restrict".into(),
            &app.admin,
            json!({"restricted": false}),
            StatusCode::CONFLICT,
            "restriction_unchanged",
        ),
        (
            "/api/categories/INF/restrict".into(),
            &app.staff,
            json!({"restricted": true}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            format!("/api/users/{staff}/categories"),
            &app.admin,
            json!({"categories": ["NOPE"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_category",
        ),
        (
            format!("/api/users/{staff}/categories"),
            &app.admin,
            json!({"categories": ["JUS", "not a code"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_category_code",
        ),
        (
            format!("/api/users/{coordinator}/categories"),
            &app.admin,
            json!({"categories": ["JUS"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant_for_other_role",
        ),
        (
            format!("/api/users/{admin}/categories"),
            &app.admin,
            json!({"categories": ["JUS"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grant_for_other_role",
        ),
        (
            format!("/api/users/{staff}/categories"),
            &app.staff,
            json!({"categories": ["JUS"]}),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            format!("/api/users/{}/categories", uuid::Uuid::new_v4()),
            &app.admin,
            json!({"categories": ["JUS"]}),
            StatusCode::NOT_FOUND,
            "user_not_found",
        ),
        (
            "/api/issues".into(),
            &app.staff,
            json!({"area_id": area, "category": "INF", "title": "ก", "restricted": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
        ),
    ];
    for (path, token, body, status, code) in cases {
        let before = events_now(&app).await;
        let r = app.post(&path, token, body.clone()).await;
        assert_eq!(r.status, status, "{path} {body}: {:?}", r.body);
        if !code.is_empty() {
            assert_eq!(r.code(), code, "{path} {body}");
        }
        assert!(!r.body["error"]["message"].as_str().unwrap_or_default().is_empty(), "a clear message");
        assert_eq!(events_now(&app).await, before, "{path} {body}: nothing written");
    }
    // The category already restricted, and a grant that only repeats itself, are as clear.
    restrict_category(&app, "JUS", true).await;
    let before = events_now(&app).await;
    let r = app.post("/api/categories/JUS/restrict", &app.admin, json!({"restricted": true})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "restriction_unchanged"));
    let r = app.post(&restrict, &app.staff, json!({"restricted": true, "reason": "ลับ"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.post(&restrict, &app.staff, json!({"restricted": true, "reason": "ลับอีก"})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "restriction_unchanged"));
    assert_eq!(events_now(&app).await, before + 1);
}

async fn the_web_app_shows_marks_and_sets_them(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("WB-1").await;
    let s = app.suffix.clone();
    let coord2_name = format!("coordb-{s}");
    let (_, _coordinator2) = user(&app, &coord2_name, Role::Coordinator, std::slice::from_ref(&area)).await;
    app.set_password(&coord2_name).await;
    let mut other = WebClient::new(&app);
    other.sign_in(&coord2_name, PASSWORD).await;
    let mut coordinator = app.web_as(Role::Coordinator).await;

    // The forum form: the second problem's box is ticked; only it is restricted.
    let form = coordinator.get(&format!("/forums/new?area={area}")).await;
    assert!(form.body.contains("เรื่องละเอียดอ่อน (จำกัดการเข้าถึง)"), "the box on every problem row");
    let submission = form.hidden("submission").expect("a submission id");
    let today = santisuk_domain::time::bangkok_date(Utc::now()).format("%d/%m/%Y").to_string();
    let saved = coordinator
        .post(
            "/forums",
            &[
                ("_csrf", &form.csrf()),
                ("submission", &submission),
                ("area_id", &area),
                ("held_on", &today),
                ("p_title", "ถนนชำรุด-WEB"),
                ("p_category", "INF"),
                ("p_description", ""),
                ("p_raised_by", ""),
                ("p_title", "ถูกข่มขู่-WEB"),
                ("p_category", "INF"),
                ("p_description", ""),
                ("p_raised_by", ""),
                ("p_restricted", "2"),
                ("op", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let forum_page = saved.location.clone().expect("to the forum");
    let items = app.get("/api/issues?q=WEB", &app.admin).await.body["items"].as_array().expect("items").clone();
    let marked: BTreeMap<String, (String, bool)> = items
        .iter()
        .map(|i| {
            (
                i["title"].as_str().unwrap().to_owned(),
                (i["id"].as_str().unwrap().to_owned(), i["restricted"] == json!(true)),
            )
        })
        .collect();
    assert_eq!(marked.len(), 2, "{items:?}");
    let (secret, secret_marked) = marked["ถูกข่มขู่-WEB"].clone();
    let (open, open_marked) = marked["ถนนชำรุด-WEB"].clone();
    assert!(secret_marked && !open_marked, "{marked:?}");

    // The raiser sees it, marked; another coordinator of the area meets it nowhere.
    let page = coordinator.get(&format!("/issues/{secret}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("badge restricted") && page.body.contains("จำกัดการเข้าถึง"));
    assert!(page.body.contains("ยกเลิกการจำกัดการเข้าถึงเรื่องนี้"), "the form lifts the mark");
    assert!(coordinator.get(&forum_page).await.body.contains("ถูกข่มขู่-WEB"));
    let absent = other.get(&format!("/issues/{}", uuid::Uuid::new_v4())).await;
    let hidden = other.get(&format!("/issues/{secret}")).await;
    assert_eq!((hidden.status, hidden.body.len()), (absent.status, absent.body.len()), "as an unknown id");
    for path in ["/issues", "/", "/issues?q=WEB", forum_page.as_str()] {
        let p = other.get(path).await;
        assert_eq!(p.status, StatusCode::OK, "{path}");
        assert!(!p.body.contains("ถูกข่มขู่-WEB") && !p.body.contains(&secret), "{path} shows the restricted case");
    }
    assert!(other.get("/issues").await.body.contains("ถนนชำรุด-WEB"), "the open one is listed (a control)");

    // Marking from the issue page: an empty reason is refused beside its field; then the mark is set.
    let page = coordinator.get(&format!("/issues/{open}")).await;
    assert!(page.body.contains("จำกัดการเข้าถึงเรื่องนี้"));
    let version = page.hidden("version").expect("a version");
    let before = app.event_count().await;
    let refused = coordinator
        .post(
            &format!("/issues/{open}/restrict"),
            &[("_csrf", &page.csrf()), ("version", &version), ("restricted", "true"), ("reason", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("err-restrict-reason"), "the error beside the reason");
    assert_eq!(app.event_count().await, before);
    let done = coordinator
        .post(
            &format!("/issues/{open}/restrict"),
            &[("_csrf", &page.csrf()), ("version", &version), ("restricted", "true"), ("reason", "ผู้ร้องขอ")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = coordinator.get(&format!("/issues/{open}")).await;
    assert!(page.body.contains("เปลี่ยนการจำกัดการเข้าถึงเรื่อง"), "the timeline names the change");
    assert_eq!(other.get(&format!("/issues/{open}")).await.status, StatusCode::NOT_FOUND);

    // Administration: a category's toggle, and a staff member's grants.
    let mut admin = app.web_as(Role::Admin).await;
    let page = admin.get("/admin/categories").await;
    assert!(page.body.contains("/admin/categories/JUS/restrict"));
    let r = admin.post("/admin/categories/JUS/restrict", &[("_csrf", &page.csrf()), ("restricted", "true")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.get("/api/categories", &app.admin).await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == json!("JUS"))
            .unwrap()["restricted"],
        json!(true)
    );
    // A retry of the same toggle finds it done.
    let r = admin.post("/admin/categories/JUS/restrict", &[("_csrf", &page.csrf()), ("restricted", "true")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let staff = user_id(&app, &app.staff).await;
    let page = admin.get(&format!("/admin/users/{staff}")).await;
    assert!(page.body.contains(&format!("/admin/users/{staff}/categories")));
    let submission =
        attr(&page.body, &format!("action=\"/admin/users/{staff}/categories\""), "name=\"submission\" value=\"");
    let r = admin
        .post(
            &format!("/admin/users/{staff}/categories"),
            &[("_csrf", &page.csrf()), ("submission", &submission), ("categories", "JUS"), ("categories", "SEC")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let row = santisuk_projections::users::get_user(app.db(), &staff).await.unwrap().unwrap();
    assert_eq!(row.categories, ["JUS", "SEC"]);
    // The coordinator's page has no grant form; a grant posted anyway is refused beside its field.
    let page = admin.get(&format!("/admin/users/{}", app.coordinator_id)).await;
    assert!(!page.body.contains(&format!("/admin/users/{}/categories", app.coordinator_id)));
    let r = admin
        .post(
            &format!("/admin/users/{}/categories", app.coordinator_id),
            &[("_csrf", &page.csrf()), ("submission", &uuid::Uuid::new_v4().to_string()), ("categories", "JUS")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("ให้สิทธิ์ประเภทปัญหาที่จำกัดการเข้าถึงได้เฉพาะเจ้าหน้าที่และผู้ตรวจสอบ"));
}

/// The value after `marker` that follows `anchor` in `body`.
fn attr(body: &str, anchor: &str, marker: &str) -> String {
    let from = body.find(anchor).expect("the anchor");
    let rest = &body[from..];
    let start = rest.find(marker).expect("the marker") + marker.len();
    let end = rest[start..].find('"').expect("a closing quote") + start;
    rest[start..end].to_owned()
}

// --- the property test of suppression ---------------------------------------------------------------------

const AREAS: [&str; 3] = ["PA", "PB", "PC"];
const CATEGORIES: [&str; 4] = ["C1", "C2", "C3", "C4"];
const MONTHS: [&str; 3] = ["2026-09", "2026-10", "2026-11"];
const ME: &str = "me";

/// One generated case: its place in every grouping, its state, and what makes it hidden or not.
#[derive(Debug, Clone)]
struct Case {
    area: usize,
    category: usize,
    month: usize,
    /// 0 raised, 1 assigned (overdue), 2 closed resolved after `days`, 3 closed referred.
    state: usize,
    days: u8,
    restricted: bool,
    /// Raised by the reader (who then reads it).
    mine: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..AREAS.len(),
        0..CATEGORIES.len(),
        0..MONTHS.len(),
        0..4_usize,
        0..30_u8,
        any::<bool>(),
        proptest::bool::weighted(0.15),
    )
        .prop_map(|(area, category, month, state, days, restricted, mine)| Case {
            area,
            category,
            month,
            state,
            days,
            restricted,
            mine,
        })
}

/// The world of one property case: the cases, which categories are restricted and which granted, the
/// threshold, the grouping, and the change to make in one group holding fewer hidden cases than the
/// threshold (`add` more like `template`, or drop every `drop`-th hidden case of that group).
#[derive(Debug, Clone)]
struct World {
    cases: Vec<Case>,
    restricted_categories: [bool; 4],
    granted: [bool; 4],
    threshold: i64,
    by: usize,
    template: Case,
    add: usize,
    drop: usize,
}

const GROUPINGS: [&[GroupBy]; 6] = [
    &[],
    &[GroupBy::Area],
    &[GroupBy::Category],
    &[GroupBy::Month],
    &[GroupBy::Area, GroupBy::Category],
    &[GroupBy::Category, GroupBy::Month],
];

fn world() -> impl Strategy<Value = World> {
    (
        proptest::collection::vec(case(), 0..30),
        any::<[bool; 4]>(),
        any::<[bool; 4]>(),
        1..6_i64,
        0..GROUPINGS.len(),
        case(),
        0..5_usize,
        1..3_usize,
    )
        .prop_map(|(cases, restricted_categories, granted, threshold, by, template, add, drop)| World {
            cases,
            restricted_categories,
            granted,
            threshold,
            by,
            template,
            add,
            drop,
        })
}

impl World {
    fn hidden(&self, c: &Case) -> bool {
        (c.restricted || self.restricted_categories[c.category]) && !self.granted[c.category] && !c.mine
    }

    fn key(&self, c: &Case) -> Vec<usize> {
        GROUPINGS[self.by]
            .iter()
            .map(|g| match g {
                GroupBy::Area => c.area,
                GroupBy::Category => c.category,
                GroupBy::Month => c.month,
                _ => unreachable!("not generated"),
            })
            .collect()
    }

    /// The cases after the change, or `None` when the template cannot be a hidden case (its category is
    /// granted).
    fn changed(&self) -> Option<Vec<Case>> {
        let mut template = self.template.clone();
        template.restricted = true;
        template.mine = false;
        if self.granted[template.category] {
            return None;
        }
        let key = self.key(&template);
        let in_group: Vec<usize> = (0..self.cases.len())
            .filter(|i| self.hidden(&self.cases[*i]) && self.key(&self.cases[*i]) == key)
            .collect();
        let h = in_group.len() as i64;
        if h >= self.threshold {
            return None;
        }
        let mut out = self.cases.clone();
        // Add as many as keep the group below the threshold, or take some of its hidden cases away.
        let room = (self.threshold - 1 - h) as usize;
        if self.add > 0 && room > 0 {
            out.extend(std::iter::repeat_n(template, self.add.min(room)));
        } else {
            let dropped: BTreeSet<usize> = in_group.iter().step_by(self.drop).copied().collect();
            out = out.into_iter().enumerate().filter(|(i, _)| !dropped.contains(i)).map(|(_, c)| c).collect();
        }
        Some(out)
    }
}

fn row(n: usize, c: &Case) -> IssueRow {
    let raised = chrono::DateTime::parse_from_rfc3339(&format!("{}-05T03:00:00Z", MONTHS[c.month])).unwrap().to_utc();
    let closed = santisuk_store::events::fmt_ts(raised + chrono::Duration::hours(i64::from(c.days) * 24 + 1));
    let (status, outcome, closed_at, due_on) = match c.state {
        0 => (IssueStatus::Raised, None, None, None),
        1 => (IssueStatus::Assigned, None, None, Some("2026-09-30".to_owned())),
        2 => (IssueStatus::Closed, Some("resolved".to_owned()), Some(closed), None),
        _ => (IssueStatus::Closed, Some("referred".to_owned()), Some(closed), None),
    };
    IssueRow {
        status,
        due_on,
        outcome,
        closed_at,
        restricted: c.restricted,
        raised_by_user: Some(if c.mine { ME.into() } else { "someone".into() }),
        ..IssueRow::open(
            &format!("00000000-0000-4000-8000-{n:012}"),
            AREAS[c.area],
            CATEGORIES[c.category],
            "t",
            raised,
        )
    }
}

/// Replaces the tables' cases and categories with these, and computes the statistics.
async fn figures(db: &santisuk_store::Db, w: &World, cases: &[Case], suppress: bool) -> Stats {
    on_db!(db, p => sqlx::query("DELETE FROM issues").execute(p).await.map(|_| ())).expect("clear issues");
    on_db!(db, p => sqlx::query("DELETE FROM categories").execute(p).await.map(|_| ())).expect("clear categories");
    for (code, restricted) in CATEGORIES.iter().zip(w.restricted_categories) {
        on_db!(db, p => sqlx::query("INSERT INTO categories (code, name_th, name_en, restricted) VALUES ($1, $1, $1, $2)")
            .bind(*code).bind(restricted).execute(p).await.map(|_| ()))
        .expect("category");
    }
    for (n, c) in cases.iter().enumerate() {
        let r = row(n, c);
        let mut values = r.values();
        values.push(SqlValue::Int(r.last_position));
        let sql = IssueTable.upsert_sql(db.backend(), 1);
        on_db!(db, p => bind_row!(sqlx::query(&sql), values).execute(p).await.map(|_| ())).expect("issue row");
    }
    let granted = CATEGORIES.iter().zip(w.granted).filter(|(_, g)| *g).map(|(c, _)| (*c).to_owned()).collect();
    let query = StatsQuery {
        by: GROUPINGS[w.by].to_vec(),
        from: None,
        to: None,
        fiscal_year: None,
        today: "2026-12-01".parse().unwrap(),
        areas: None,
        suppress: suppress.then(|| Suppression {
            restriction: Restriction { categories: granted, user_id: ME.into(), own_obstacles_only: false },
            threshold: w.threshold,
        }),
    };
    stats::live(db, &query).await.expect("statistics")
}

async fn no_shown_figure_depends_on_fewer_than_the_threshold_of_hidden_cases_in_a_group(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    test_db.db.migrate().await.expect("migrate");
    let db = test_db.db.clone();
    let config = Config { cases: 48, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[15; 32]));
    let handle = tokio::runtime::Handle::current();
    let changed_something = std::cell::Cell::new(0);
    let result = runner.run(&world(), |w| {
        let Some(changed) = w.changed() else { return Ok(()) };
        let (shown, shown_after, all, all_after) = tokio::task::block_in_place(|| {
            handle.block_on(async {
                (
                    figures(&db, &w, &w.cases, true).await,
                    figures(&db, &w, &changed, true).await,
                    figures(&db, &w, &w.cases, false).await,
                    figures(&db, &w, &changed, false).await,
                )
            })
        });
        prop_assert_eq!(&shown, &shown_after, "a shown figure moved with hidden cases below the threshold");
        if all != all_after {
            changed_something.set(changed_something.get() + 1);
        }
        // The groups add up to the totals, and nothing is shown beyond what an admin sees.
        prop_assert_eq!(shown.rows.iter().map(|r| r.counters.raised).sum::<i64>(), shown.totals.raised);
        prop_assert!(shown.totals.raised <= all.totals.raised);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let changed = changed_something.get();
    assert!(changed > 5, "the changes changed an admin's figures ({changed} cases): the test has teeth");
}
