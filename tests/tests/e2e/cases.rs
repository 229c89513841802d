//! Case numbers and search (issue #13): every problem gets `PTN-2569-00123` at raise, without gaps per
//! province and year, in every answer and usable in URLs; the search box (`q=`) finds problems by case
//! number, words of the title and description (Thai, without spaces), area and assignee, best first, within
//! the caller's scope.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::http::StatusCode;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use santisuk_tests::{Backend, TestApp, TestDb, settle};
use serde_json::json;

santisuk_tests::both_backends!(
    concurrent_raises_number_each_province_and_year_without_gaps,
    three_instances_raising_at_once_in_one_province_number_it_1_to_n,
    the_stored_series_is_1_to_n_whatever_raises_race_fail_or_replay,
    a_series_past_99999_continues_by_value_not_by_text_order,
    a_case_number_names_its_issue_in_every_answer_and_url,
    search_finds_by_number_words_area_and_assignee_within_scope
);

fn year_now() -> i32 {
    santisuk_domain::time::be_year(chrono::Utc::now())
}

/// Three server instances on one database (each its own pool, caches and write queue); the others use the
/// first's users and tokens.
async fn three_instances(backend: Backend) -> Vec<TestApp> {
    let test_db = Arc::new(TestDb::new(backend).await);
    let one = TestApp::on(test_db.clone()).await;
    let mut apps = vec![one.clone()];
    for _ in 0..2 {
        let state = santisuk_http::state::AppState::prepare(test_db.second_pool().await).await.unwrap();
        state.spawn_runner(std::future::pending());
        let router = santisuk_http::app_with(state.clone(), &santisuk_http::limits::Limits::relaxed()).unwrap();
        apps.push(TestApp { state, router, ..one.clone() });
    }
    apps
}

/// Raises `count` problems at once, raise `i` through `apps[i % apps.len()]` in `area(i)`. Every sixth
/// (`i % 6 == 5`) is dated two days ahead and must be refused (`at_in_future`) with nothing written; every
/// other must be created. The created ones' `(i, id, case number)`, in `i` order.
async fn raise_at_once(
    apps: &[TestApp],
    count: usize,
    area: impl Fn(usize) -> String,
    title: &str,
) -> Vec<(usize, String, String)> {
    let future = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let raises: Vec<_> = (0..count)
        .map(|i| {
            let app = apps[i % apps.len()].clone();
            let mut body = json!({"area_id": area(i), "category": "LIV", "title": format!("{title} {i}")});
            if i % 6 == 5 {
                body["at"] = json!(future);
            }
            tokio::spawn(async move { (i, app.post("/api/issues", &app.staff, body).await) })
        })
        .collect();
    let mut answered = Vec::new();
    for raise in raises {
        let (i, r) = raise.await.expect("a raise");
        if i % 6 == 5 {
            assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "at_in_future"), "{:?}", r.body);
            continue;
        }
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let number = r.body["case_number"].as_str().expect("the answer carries the case number").to_owned();
        answered.push((i, r.body["id"].as_str().expect("an id").to_owned(), number));
    }
    answered
}

/// The running numbers stored in the issue rows of `series` (`PTN-2569`), sorted.
async fn stored_series(app: &TestApp, series: &str) -> Vec<u32> {
    let numbers: Vec<String> = santisuk_store::on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT case_number FROM issues WHERE case_number IS NOT NULL").fetch_all(p).await.unwrap());
    let mut out: Vec<u32> =
        numbers.iter().filter_map(|n| n.strip_prefix(&format!("{series}-"))?.parse().ok()).collect();
    out.sort_unstable();
    out
}

/// Three instances raise sixty problems at once in one province (the bench's P11): every raise succeeds
/// (none meets a number another instance took), the numbers are exactly 1..=60, and a later command on each
/// issue, judged on the instance's cached aggregate, answers the number the store allocated. Refused raises
/// among them write nothing and take no number.
async fn three_instances_raising_at_once_in_one_province_number_it_1_to_n(backend: Backend) {
    let apps = three_instances(backend).await;
    let area = apps[0].area_in("TRI-PTN", "9401").await;
    let events = apps[0].event_count().await;
    let answered = raise_at_once(&apps, 72, |_| area.clone(), "ท่อแตก").await;
    assert_eq!(apps[0].event_count().await, events + 60, "the twelve refused raises wrote nothing");
    let series = format!("PTN-{}", year_now());
    let mut numbers: Vec<u32> =
        answered.iter().map(|(_, _, n)| n.strip_prefix(&format!("{series}-")).unwrap().parse().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=60).collect::<Vec<_>>(), "one each, no gap, none twice");
    assert_eq!(stored_series(&apps[0], &series).await, numbers, "the rows hold what the answers said");
    for (i, id, number) in &answered {
        let app = &apps[i % 3];
        let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต."})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["case_number"], json!(number), "the cached aggregate holds the stored number");
        let page = app.get(&format!("/api/issues/{number}"), &app.staff).await;
        assert_eq!(page.body["id"], json!(id), "{:?}", page.body);
    }
}

/// A running number grows a digit past 99,999, and `…-99999` sorts after `…-100000` as text: the store takes
/// the highest by value. The numbers past 99,999 are stored by raises that carry their own (as the demo's
/// do), after the store has already numbered the series once: on PostgreSQL the series' row in
/// `number_series` then says 1, and the store continues from the higher of that and the stored numbers.
async fn a_series_past_99999_continues_by_value_not_by_text_order(backend: Backend) {
    use santisuk_domain::issue::{IssueAction, IssueCommand, RaiseIssue};
    use santisuk_domain::values::{AreaId, CaseNumber, CategoryCode, IssueKind, Title};
    let app = TestApp::new(backend).await;
    let area = app.area_in("CN-NWT", "9601").await;
    let year = year_now();
    let r = app.post("/api/issues", &app.staff, json!({"area_id": area, "category": "LIV", "title": "แรก"})).await;
    assert_eq!(r.body["case_number"], json!(format!("NWT-{year}-00001")), "{:?}", r.body);
    for n in [99_999, 100_000, 99_998] {
        let raise = RaiseIssue {
            area: AreaId::parse(&area).unwrap(),
            category: CategoryCode::parse("LIV").unwrap(),
            title: Title::parse("เลขหกหลัก").unwrap(),
            description: None,
            forum: None,
            raised_by: None,
            at: chrono::Utc::now(),
            case_number: Some(CaseNumber::new("NWT", year, n)),
            complainant: None,
            restricted: false,
            kind: IssueKind::Community,
            category_kind: IssueKind::Community,
            source: None,
        };
        let command = IssueCommand { now: chrono::Utc::now(), action: IssueAction::Raise(raise) };
        let id = uuid::Uuid::new_v4().to_string();
        santisuk_app::command::execute::<santisuk_domain::issue::Issue>(
            app.db(),
            &id,
            command,
            Default::default(),
            None,
        )
        .await
        .unwrap();
    }
    for expected in ["100001", "100002"] {
        let r = app.post("/api/issues", &app.staff, json!({"area_id": area, "category": "LIV", "title": "ต่อไป"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["case_number"], json!(format!("NWT-{year}-{expected}")), "{:?}", r.body);
    }
}

/// What one raise of the property test does: which instance, and how it goes.
#[derive(Debug, Clone)]
enum Raise {
    /// A plain raise: it is numbered.
    Plain { instance: usize },
    /// An `at` in the future: the domain refuses it before anything is stored.
    Future { instance: usize },
    /// A raise with one of a few `Idempotency-Key`s and one of two titles: the first with a key is
    /// numbered, a retry of the same request answers that number, another request with the key is refused
    /// (when two race, the loser's append is refused by the store after its number was allocated).
    Keyed { instance: usize, key: usize, title: usize },
}

fn raise_op() -> impl Strategy<Value = Raise> {
    prop_oneof![
        3 => (0..3_usize).prop_map(|instance| Raise::Plain { instance }),
        1 => (0..3_usize).prop_map(|instance| Raise::Future { instance }),
        3 => (0..3_usize, 0..3_usize, 0..2_usize).prop_map(|(instance, key, title)| Raise::Keyed { instance, key, title }),
    ]
}

/// Generated rounds of raises run at once over three instances, some refused by the domain, some keyed
/// (retries, reused keys, two first runs of one key racing): after each round the stored series is exactly
/// 1..=n with n the issues stored, every 201 answered a number of the series, a retry answered its first
/// run's number, and the refused raises wrote nothing.
async fn the_stored_series_is_1_to_n_whatever_raises_race_fail_or_replay(backend: Backend) {
    let apps = three_instances(backend).await;
    let area = apps[0].area_in("GEN-YLA", "9501").await;
    let series = format!("YLA-{}", year_now());
    let later = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let mut runner = TestRunner::new_with_rng(
        Config { cases: 1, ..Config::default() },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[19; 32]),
    );
    // The number and title the first stored run of each key got.
    let mut first_runs: BTreeMap<usize, (String, usize)> = BTreeMap::new();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for round in 0..4 {
        let ops = proptest::collection::vec(raise_op(), 4..16).new_tree(&mut runner).unwrap().current();
        let events = apps[0].event_count().await;
        let runs: Vec<_> = ops
            .into_iter()
            .map(|op| {
                let (instance, key, title, future) = match op {
                    Raise::Plain { instance } => (instance, None, 0, false),
                    Raise::Future { instance } => (instance, None, 0, true),
                    Raise::Keyed { instance, key, title } => (instance, Some(key), title, false),
                };
                let app = apps[instance].clone();
                let mut body = json!({"area_id": area, "category": "LIV", "title": format!("เรื่องที่ {title}")});
                if future {
                    body["at"] = json!(later);
                }
                let suffix = app.suffix.clone();
                tokio::spawn(async move {
                    let header = key.map(|k| format!("gen-{suffix}-{k}"));
                    let headers: Vec<(&str, &str)> = header.iter().map(|h| ("idempotency-key", h.as_str())).collect();
                    (key, title, future, app.post_with("/api/issues", &app.staff, body, &headers).await)
                })
            })
            .collect();
        let mut new_events = 0;
        for run in runs {
            let (key, title, future, r) = run.await.expect("a raise");
            if future {
                assert_eq!(r.code(), "at_in_future", "round {round}: {:?}", r.body);
                continue;
            }
            if r.status != StatusCode::CREATED {
                // Only another request with a key already used (or racing its first run) is refused.
                assert!(key.is_some() && r.code() == "idempotency_key_reused", "round {round}: {:?}", r.body);
                continue;
            }
            let number = r.body["case_number"].as_str().expect("a case number").to_owned();
            assert!(number.starts_with(&format!("{series}-")), "{number}");
            let id = r.body["id"].as_str().unwrap().to_owned();
            if ids.insert(id) {
                new_events += 1;
            }
            if let Some(k) = key {
                let (first, first_title) = first_runs.entry(k).or_insert_with(|| (number.clone(), title)).clone();
                assert_eq!((&number, title), (&first, first_title), "round {round}: a key answers its first run");
            }
        }
        let stored = stored_series(&apps[0], &series).await;
        assert_eq!(stored, (1..=ids.len() as u32).collect::<Vec<_>>(), "round {round}: 1..=n, none twice");
        assert_eq!(apps[0].event_count().await, events + new_events, "round {round}: only new issues wrote");
    }
}

/// Forty raises at once in two provinces (Pattani, Yala), some refused after their number was taken (an
/// `at` in the future reaches the domain, which refuses it): the stored numbers of each province are
/// exactly 1..=n, each once, and each answer carries its own.
async fn concurrent_raises_number_each_province_and_year_without_gaps(backend: Backend) {
    let app = TestApp::new(backend).await;
    let pattani = app.area_in("CN-PTN", "9401").await;
    let yala = app.area_in("CN-YLA", "9501").await;
    let events = app.event_count().await;
    let area = |i| if i % 3 == 0 { yala.clone() } else { pattani.clone() };
    let mut answered: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (_, _, number) in raise_at_once(std::slice::from_ref(&app), 48, area, "ถนนเส้นที่").await {
        let (series, n) = number.rsplit_once('-').expect("PTN-2569-00001");
        answered.entry(series.to_owned()).or_default().push(n.parse().expect("a number"));
    }
    assert_eq!(app.event_count().await, events + 40, "the eight refused raises wrote nothing");
    let year = year_now();
    let expect = |n: u32| (1..=n).collect::<Vec<_>>();
    for (series, count) in [(format!("PTN-{year}"), 24), (format!("YLA-{year}"), 16)] {
        let mut numbers = answered.remove(&series).unwrap_or_default();
        numbers.sort_unstable();
        assert_eq!(numbers, expect(count), "{series}: one each, no gap, none twice");
    }
    assert!(answered.is_empty(), "no other series: {answered:?}");
    // The stored rows say the same (a rebuild from the events gives them back: the number is in the event).
    settle(&app.state.runner, app.db()).await;
    let stored: i64 = santisuk_store::on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT COUNT(DISTINCT case_number) FROM issues WHERE case_number IS NOT NULL").fetch_one(p).await.unwrap());
    assert_eq!(stored, 40);
    let rebuilt = app.state.runner.rebuild().await.expect("a rebuild");
    assert!(rebuilt > 0);
    let after: i64 = santisuk_store::on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT COUNT(DISTINCT case_number) FROM issues WHERE case_number IS NOT NULL").fetch_one(p).await.unwrap());
    assert_eq!(after, 40, "the numbers come back from the events");
    // The next raise continues the series.
    let next = app.post("/api/issues", &app.staff, json!({"area_id": yala, "category": "LIV", "title": "ต่อ"})).await;
    assert_eq!(next.body["case_number"], json!(format!("YLA-{year}-00017")), "{:?}", next.body);
}

/// The number is in the list, the issue, both exports and the command answers; `/api/issues/<number>` and
/// the web page `/issues/<number>` (in any letter case, without the leading zeros) name the issue; a
/// coordinator of another area gets the same 404 for it as for a number that does not exist.
async fn a_case_number_names_its_issue_in_every_answer_and_url(backend: Backend) {
    let app = TestApp::new(backend).await;
    let home = format!("HOME-{}", app.suffix);
    let id = app.raise(&home, "LIV", "สะพานไม้ผุ").await;
    let other = not_the_coordinators(&app, "CN-OTHER").await;
    let elsewhere = app.raise(&other, "LIV", "ที่อื่น").await;
    let one = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    let number = one.body["case_number"].as_str().expect("case_number").to_owned();
    assert!(number.starts_with(&format!("PTN-{}-", year_now())), "{number}");
    let list = app.get("/api/issues", &app.staff).await;
    assert!(list.body["items"].as_array().unwrap().iter().any(|i| i["case_number"] == json!(number)));
    let csv = app.send(axum::http::Method::GET, "/api/issues/export?format=csv", Some(&app.staff), None, &[]).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lowered = number.to_lowercase().replace("-0000", "-").replace("-000", "-");
    for path in [format!("/api/issues/{number}"), format!("/api/issues/{lowered}")] {
        let r = app.get(&path, &app.staff).await;
        assert_eq!((r.status, r.body["id"].as_str()), (StatusCode::OK, Some(id.as_str())), "{path}: {:?}", r.body);
    }
    let assigned = app.post(&format!("/api/issues/{number}/assign"), &app.staff, json!({"assignee": "อบต.ก"})).await;
    assert_eq!((assigned.status, assigned.body["case_number"].as_str()), (StatusCode::OK, Some(number.as_str())));
    let history = app.get(&format!("/api/issues/{number}/history"), &app.staff).await;
    assert_eq!(history.status, StatusCode::OK, "{:?}", history.body);
    // Scope: another area's number is, to the coordinator, a number that does not exist.
    let theirs = app.get(&format!("/api/issues/{elsewhere}"), &app.staff).await.body["case_number"].clone();
    let hidden = app.get(&format!("/api/issues/{}", theirs.as_str().unwrap()), &app.coordinator).await;
    let unknown = app.get(&format!("/api/issues/PTN-{}-99999", year_now()), &app.coordinator).await;
    assert_eq!((hidden.status, &hidden.body), (unknown.status, &unknown.body));
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    for bad in ["PTN-2569", "not-a-number", "PTN-2569-0"] {
        assert_eq!(app.get(&format!("/api/issues/{bad}"), &app.staff).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // The web page, by number.
    let mut web = app.web_as(santisuk_projections::users::Role::Staff).await;
    let page = web.get(&format!("/issues/{lowered}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&number) && page.body.contains("สะพานไม้ผุ"), "the page shows the number");
    let queue = web.get("/issues").await;
    assert!(queue.body.contains(&number), "the queue shows the number");
}

/// The search box and `q=`: every word must be found (Thai inside a longer run of text, case numbers in
/// any form, the area's name, the assignee); a title match ranks above a description match; a coordinator
/// finds nothing outside their areas; a bad search is refused and writes nothing.
async fn search_finds_by_number_words_area_and_assignee_within_scope(backend: Backend) {
    let app = TestApp::new(backend).await;
    let home = format!("HOME-{}", app.suffix);
    let other = not_the_coordinators(&app, "SR-OTHER").await;
    let raise = |area: &str, title: &str, description: Option<&str>| {
        let body = json!({"area_id": area, "category": "LIV", "title": title, "description": description});
        let app = app.clone();
        async move {
            let r = app.post("/api/issues", &app.staff, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            (r.body["id"].as_str().unwrap().to_owned(), r.body["case_number"].as_str().unwrap().to_owned())
        }
    };
    let (bridge, bridge_no) = raise(&home, "สะพานข้ามคลองชำรุดหนัก", None).await;
    let (mention, _) = raise(&home, "ไฟฟ้าดับ", Some("ใกล้สะพานข้ามคลอง")).await;
    let (hidden, hidden_no) = raise(&other, "สะพานอีกแห่ง", None).await;
    let (water, _) = raise(&home, "น้ำประปาไม่ไหล", None).await;
    let r = app.post(&format!("/api/issues/{water}/assign"), &app.staff, json!({"assignee": "การประปาส่วนภูมิภาค"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let ids = |r: &santisuk_tests::Reply| -> Vec<String> {
        r.body["items"].as_array().expect("items").iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    let search = |q: &str, token: &str| {
        let (app, path, token) = (app.clone(), format!("/api/issues?q={}", urlencoding(q)), token.to_owned());
        async move { app.get(&path, &token).await }
    };
    // A Thai word inside a run without spaces; the title match first, the description match after.
    let r = search("สะพาน", &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let found = ids(&r);
    assert_eq!(found.len(), 3, "{:?}", r.body);
    assert_eq!(found.last(), Some(&mention), "a description match ranks below title matches: {found:?}");
    assert_eq!(found[..2], [hidden.clone(), bridge.clone()], "equal matches newest first");
    // Every word must be found.
    assert_eq!(ids(&search("สะพาน ชำรุด", &app.staff).await), std::slice::from_ref(&bridge));
    // A case number typed in any form; the area's name; the assignee.
    let typed = bridge_no.to_lowercase().replace("-0000", "-");
    assert_eq!(ids(&search(&typed, &app.staff).await).first(), Some(&bridge), "{typed}");
    assert_eq!(ids(&search("พื้นที่ทดสอบ น้ำประปา", &app.staff).await), std::slice::from_ref(&water));
    assert_eq!(ids(&search("ประปาส่วนภูมิ", &app.staff).await), std::slice::from_ref(&water));
    // Scope: the coordinator (home area only) finds nothing of the other area, not even by its number.
    let theirs = ids(&search("สะพาน", &app.coordinator).await);
    assert!(!theirs.contains(&hidden) && theirs.contains(&bridge), "{theirs:?}");
    assert!(ids(&search(&hidden_no, &app.coordinator).await).is_empty());
    // `%` and `_` are taken literally; nothing matches.
    assert!(ids(&search("%", &app.staff).await).is_empty());
    assert!(ids(&search("_", &app.staff).await).is_empty());
    // Bad searches are refused, and a read writes nothing anyway.
    let events = app.event_count().await;
    for bad in ["ก".repeat(201), "สะ\u{7}พาน".to_owned()] {
        let r = search(&bad, &app.staff).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, "bad_search"), "{:?}", r.body);
    }
    assert_eq!(app.event_count().await, events);
    // Paging through a search: two pages of one, then none.
    let first = app.get(&format!("/api/issues?q={}&limit=2", urlencoding("สะพาน")), &app.staff).await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page").to_owned();
    let second = app.get(&format!("/api/issues?q={}&limit=2&cursor={cursor}", urlencoding("สะพาน")), &app.staff).await;
    assert_eq!(ids(&first).into_iter().chain(ids(&second)).collect::<Vec<_>>(), found);
    assert!(second.body["next_cursor"].is_null());
    // The web queue's search box.
    let mut web = app.web_as(santisuk_projections::users::Role::Staff).await;
    let page = web.get(&format!("/issues?q={}", urlencoding("น้ำประปา"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("น้ำประปาไม่ไหล") && !page.body.contains("ไฟฟ้าดับ"), "only the match is listed");
}

/// An area registered by the admin directly (`TestApp::area` would give it to the coordinator too).
async fn not_the_coordinators(app: &TestApp, id: &str) -> String {
    let body = json!({"id": id, "name_th": "พื้นที่อื่น", "amphoe_code": "9402"});
    assert_eq!(app.post("/api/areas", &app.admin, body).await.status, StatusCode::CREATED);
    id.to_owned()
}

fn urlencoding(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).expect("encodable")[1..].to_owned()
}
