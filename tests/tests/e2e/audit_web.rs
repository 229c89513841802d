//! The web app's event log (`/audit`, issue #13): Thai names and labelled fields instead of JSON, newest
//! first, the filters, the jumps, paging, the download of what the filters show, and who may see it.

use axum::http::StatusCode;
use santisuk_projections::users::Role;
use santisuk_tests::web::{Page, WebClient};
use santisuk_tests::{Backend, TestApp, both_backends, csv_records};
use serde_json::{Value, json};

both_backends!(
    the_event_log_shows_thai_names_and_labelled_fields_newest_first_and_no_json,
    the_event_log_filters_as_the_api_does_and_refuses_bad_values,
    the_event_log_pages_newest_first_and_jumps_to_a_position_or_a_date,
    the_download_link_carries_the_filters_and_downloads_what_the_page_shows,
    only_auditors_and_admins_see_the_event_log_or_download_it,
);

/// The positions of the event cards on a page, in the order shown.
fn cards(page: &Page) -> Vec<i64> {
    page.body
        .split("<li class=\"event card\" id=\"e")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().expect("a position"))
        .collect()
}

/// The target of the link with `marker` (an id or a rel) on a page, unescaped.
fn href(page: &Page, marker: &str) -> Option<String> {
    let at = page.body.find(marker)?;
    let tag_start = page.body[..at].rfind("<a ")?;
    let tag = &page.body[tag_start..];
    let start = tag.find("href=\"")? + 6;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].replace("&amp;", "&"))
}

/// Waits (up to 20 s) until the log reads every stored event: on PostgreSQL an event is read only once
/// every older transaction in the cluster has finished, and other tests write beside this one.
async fn settled(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = app.get("/api/audit/events?limit=1000", &app.auditor).await;
        if r.body["items"].as_array().map(Vec::len) == Some(app.event_count().await as usize) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the log did not settle");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Every event through the API, oldest first, filtered by `query`, once the log has settled.
async fn api_positions(app: &TestApp, query: &str) -> Vec<i64> {
    settled(app).await;
    let r = app.get(&format!("/api/audit/events?limit=1000&{query}"), &app.auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
    r.body["items"].as_array().unwrap().iter().map(|e| e["position"].as_i64().unwrap()).collect()
}

/// An issue raised, assigned with a due date and closed as referred; its id and case number.
async fn worked_issue(app: &TestApp, area: &str, title: &str) -> (String, String) {
    let id = app.raise(area, "GOV", title).await;
    let r = app
        .post(
            &format!("/api/issues/{id}/assign"),
            &app.staff,
            json!({"assignee": "สำนักงานเขตพื้นที่การศึกษา", "due_on": "2026-12-31"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "referred", "note": "ส่งต่อจังหวัด"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    let case = issue.body["case_number"].as_str().expect("a case number").to_owned();
    (id, case)
}

async fn auditor(app: &TestApp) -> WebClient {
    app.web_as(Role::Auditor).await
}

async fn the_event_log_shows_thai_names_and_labelled_fields_newest_first_and_no_json(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("AUD-1").await;
    let (id, case) = worked_issue(&app, &area, "บัตรประชาชนออกช้า").await;
    let mut web = auditor(&app).await;
    settled(&app).await;
    let page = web.get("/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    // Event types in Thai; the stored name only as the tooltip (no English event names on a Thai page).
    for (thai, code) in [("รับเรื่อง", "IssueRaised"), ("มอบหมายผู้รับผิดชอบ", "IssueAssigned"), ("ปิดเรื่อง", "IssueClosed")]
    {
        assert!(body.contains(&format!("<span class=\"name\" title=\"{code}\">{thai}</span></h2>")), "{code}");
    }
    assert!(!body.contains("<code class=\"type\">"), "no stored type shown on the Thai page");
    // Fields with Thai labels and values in words: the outcome, a Buddhist-Era due date, the area's name.
    for text in [
        "<dt>ผลการดำเนินการ</dt><dd dir=\"auto\">ส่งต่อหน่วยงานอื่น</dd>",
        "<dt>กำหนดเสร็จ</dt><dd dir=\"auto\">31 ธ.ค. 2569</dd>",
        "<dt>ผู้รับผิดชอบ</dt><dd dir=\"auto\">สำนักงานเขตพื้นที่การศึกษา</dd>",
        // A note is free text: stored sealed, so the card says so instead of printing it (#15).
        "<dt>หมายเหตุ</dt><dd dir=\"auto\"><span class=\"badge sealed\">",
        "<dt>เรื่อง</dt><dd dir=\"auto\">บัตรประชาชนออกช้า</dd>",
        "<dt>พื้นที่</dt><dd dir=\"auto\">พื้นที่ AUD-1 (AUD-1)</dd>",
        "<dt>เกิดขึ้นเมื่อ</dt>",
        "<dt>บันทึกเมื่อ</dt>",
    ] {
        assert!(body.contains(text), "{text}");
    }
    // Who did it, and the issue by its case number, linked to its page.
    assert!(body.contains(&format!("<dd dir=\"auto\">staff-{}</dd>", app.suffix)));
    assert!(body.contains(&format!("<a href=\"/issues/{id}\"><span class=\"case-number\">{case}</span></a>")));
    // No JSON anywhere: no stored payload, no object or array text.
    for json_text in ["{&quot;", "&quot;:", "pre class=\"data\"", "\"IssueClosed\":"] {
        assert!(!body.contains(json_text), "{json_text}");
    }
    // Newest first: the close, then the assignment, then the raise.
    let shown = cards(&page);
    let mut all = api_positions(&app, "").await;
    all.reverse();
    assert_eq!(shown, all[..shown.len()].to_vec(), "newest first by default");
    // The same page in English.
    let switched = web.post("/lang", &[("_csrf", &page.csrf()), ("lang", "en"), ("back", "/audit")]).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let english = web.get("/audit").await;
    assert!(english.body.contains(
        "<span class=\"name\" title=\"IssueClosed\">Issue closed</span> <code class=\"type\">IssueClosed</code>"
    ));
    assert!(english.body.contains("<dt>Outcome</dt><dd dir=\"auto\">Referred elsewhere</dd>"));
    assert!(english.body.contains("<dt>Due</dt><dd dir=\"auto\">31 Dec 2026</dd>"));
}

async fn the_event_log_filters_as_the_api_does_and_refuses_bad_values(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("AUD-2").await;
    let (id, case) = worked_issue(&app, &area, "ถนนชำรุด").await;
    let (_, _) = worked_issue(&app, &area, "ไฟฟ้าดับบ่อย").await;
    let mut web = auditor(&app).await;
    settled(&app).await;

    // By case number: only that issue's events, newest first, the other issue nowhere.
    let page = web.get(&format!("/audit?issue={case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut expected = api_positions(&app, &format!("issue={id}")).await;
    expected.reverse();
    assert_eq!(cards(&page), expected);
    assert_eq!(expected.len(), 3);
    assert!(!page.body.contains("ไฟฟ้าดับบ่อย"));
    assert!(page.body.contains(&format!("value=\"{case}\"")), "the form keeps what was typed");

    // By type and user, oldest first, and by recorded date (today, typed in the Buddhist Era).
    let staff = format!("staff-{}", app.suffix);
    let page = web.get(&format!("/audit?type=IssueAssigned&actor={staff}&order=asc")).await;
    assert_eq!(cards(&page), api_positions(&app, &format!("type=IssueAssigned&actor={staff}")).await);
    assert_eq!(cards(&page).len(), 2);
    assert!(page.body.contains("<option value=\"IssueAssigned\" selected>มอบหมายผู้รับผิดชอบ</option>"));
    let today = santisuk_domain::time::bangkok_date(chrono::Utc::now());
    let be = format!(
        "{}/{}/{}",
        chrono::Datelike::day(&today),
        chrono::Datelike::month(&today),
        chrono::Datelike::year(&today) + 543
    );
    let page = web.get(&format!("/audit?type=IssueClosed&from={be}&to={be}")).await;
    assert_eq!(cards(&page).len(), 2, "both closes were recorded today");
    let page = web.get("/audit?type=IssueClosed&to=2026-01-01").await;
    assert!(cards(&page).is_empty());
    assert!(page.body.contains("id=\"no-events\""));

    // Bad values: an error page, nothing read.
    for bad in ["type=IssueExploded", "issue=not-a-case", "from=31/02/2569", "order=sideways", "position=abc"] {
        let r = web.get(&format!("/audit?{bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    // A case number no issue has: as on the issue pages, not found.
    assert_eq!(web.get("/audit?issue=PTN-2569-99999").await.status, StatusCode::NOT_FOUND);
}

async fn the_event_log_pages_newest_first_and_jumps_to_a_position_or_a_date(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("AUD-3").await;
    for i in 0..100 {
        app.raise(&area, "LIV", &format!("เรื่องที่ {i}")).await;
    }
    // Signing in sets a password: an event too.
    let mut web = auditor(&app).await;
    settled(&app).await;
    let mut all = api_positions(&app, "").await;
    assert!(all.len() > 100, "more than two pages: {}", all.len());
    all.reverse();

    // Following "next" visits every event once, newest first, 50 to a page.
    let mut page = web.get("/audit").await;
    let mut seen = cards(&page);
    assert_eq!(seen.len(), 50);
    while let Some(next) = href(&page, "rel=\"next\"") {
        assert!(next.starts_with("/audit?before="), "{next}");
        page = web.get(&next).await;
        assert_eq!(page.status, StatusCode::OK);
        seen.extend(cards(&page));
    }
    assert_eq!(seen, all);

    // A jump to a position starts the page there, in either order; one the log lacks, at the nearest.
    let target = all[all.len() / 2];
    let page = web.get(&format!("/audit?position={target}")).await;
    assert_eq!(cards(&page).first(), Some(&target));
    assert!(href(&page, "rel=\"first\"").is_some(), "a way back to the start");
    let page = web.get(&format!("/audit?position={target}&order=asc")).await;
    assert_eq!(cards(&page).first(), Some(&target));
    let newest = all[0];
    let page = web.get(&format!("/audit?position={}", newest + 1000)).await;
    assert_eq!(cards(&page).first(), Some(&newest), "beyond the newest: the newest");
    // Filters stay on a jump: raises only, from the target down.
    let page = web.get(&format!("/audit?position={target}&type=IssueRaised")).await;
    let raised = api_positions(&app, "type=IssueRaised").await;
    let mut expected: Vec<i64> = raised.into_iter().filter(|p| *p <= target).collect();
    expected.reverse();
    assert_eq!(cards(&page), expected.into_iter().take(50).collect::<Vec<_>>());
    // The jump forms keep the filters as hidden fields.
    assert!(page.body.contains("<input type=\"hidden\" name=\"type\" value=\"IssueRaised\">"));

    // A jump to a date: today starts at the newest event (newest first) or the oldest (oldest first);
    // a day before anything was recorded has nothing newest first before it, and after today nothing
    // oldest first after it.
    let today = santisuk_domain::time::bangkok_date(chrono::Utc::now());
    let page = web.get(&format!("/audit?date={today}")).await;
    assert_eq!(cards(&page).first(), Some(&newest));
    let page = web.get(&format!("/audit?date={today}&order=asc")).await;
    assert_eq!(cards(&page).first(), all.last());
    let page = web.get("/audit?date=2569-01-01").await;
    assert!(cards(&page).is_empty());
    let tomorrow = today.succ_opt().unwrap();
    let page = web.get(&format!("/audit?date={tomorrow}&order=asc")).await;
    assert!(cards(&page).is_empty());
    // A jump and a cursor at once is refused.
    let r = web.get(&format!("/audit?date={today}&before={newest}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_download_link_carries_the_filters_and_downloads_what_the_page_shows(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("AUD-4").await;
    let (id, case) = worked_issue(&app, &area, "น้ำประปาไม่ไหล").await;
    worked_issue(&app, &area, "สะพานชำรุด").await;
    let mut web = auditor(&app).await;
    settled(&app).await;
    let page = web.get(&format!("/audit?issue={case}&type=IssueAssigned")).await;
    let csv = href(&page, "id=\"download-csv\"").expect("a download link");
    assert!(csv.starts_with("/audit/export?format=csv&"), "{csv}");
    for part in [format!("issue={case}"), "type=IssueAssigned".to_owned(), "order=desc".to_owned()] {
        assert!(csv.contains(&part), "{csv} carries {part}");
    }
    let ndjson = href(&page, "id=\"download-ndjson\"").expect("a download link");
    assert!(ndjson.starts_with("/audit/export?format=ndjson&") && ndjson.contains("type=IssueAssigned"));

    let file = web.get(&csv).await;
    assert_eq!(file.status, StatusCode::OK);
    let records = csv_records(file.body.strip_prefix('\u{feff}').expect("a BOM"));
    assert_eq!(records.len(), 2, "the header and the one assignment: {records:?}");
    assert_eq!(records[1][2], id);
    assert_eq!(records[1][4], "IssueAssigned");
    let file = web.get(&ndjson).await;
    let lines: Vec<Value> = file.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["position"].as_i64(), cards(&page).first().copied());

    // Oldest first, unfiltered: the whole log in that order.
    let page = web.get("/audit?order=asc").await;
    let ndjson = href(&page, "id=\"download-ndjson\"").unwrap();
    assert!(!ndjson.contains("order=desc"), "{ndjson}");
    let file = web.get(&ndjson).await;
    let exported: Vec<i64> =
        file.body.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["position"].as_i64().unwrap()).collect();
    assert_eq!(exported, api_positions(&app, "").await);
    // The download is recorded as coming from the web app.
    let log = app.get("/api/audit/access-log?limit=1000", &app.admin).await;
    assert!(log.body["items"].as_array().unwrap().iter().any(|e| e["action"] == "audit_export"
        && e["filters"]["via"] == "web"
        && e["filters"]["type"] == "IssueAssigned"
        && e["filters"]["issue"] == id.as_str()));
}

async fn only_auditors_and_admins_see_the_event_log_or_download_it(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("AUD-5").await;
    app.raise(&area, "LIV", "ขยะล้น").await;
    let mut events = app.event_count().await;
    for role in [Role::Staff, Role::Coordinator] {
        let mut web = app.web_as(role).await;
        // Signing in set a password (an event); reading writes nothing after it.
        events += 1;
        for path in ["/audit", "/audit?type=IssueRaised&order=asc", "/audit/export?format=csv", "/audit?type=Nonsense"]
        {
            assert_eq!(web.get(path).await.status, StatusCode::FORBIDDEN, "{role:?} {path}");
        }
    }
    let mut admin = app.web_as(Role::Admin).await;
    events += 1;
    assert_eq!(admin.get("/audit").await.status, StatusCode::OK);
    assert_eq!(admin.get("/audit/export?format=csv").await.status, StatusCode::OK);
    // Signed out: to the sign-in page.
    let mut nobody = WebClient::new(&app);
    assert_eq!(nobody.get("/audit").await.status, StatusCode::SEE_OTHER);
    // The stylesheet never breaks Thai inside a word: no break-all, and the log wraps between words.
    let css = nobody.get(santisuk_http::web::assets::css_url()).await.body;
    assert!(!css.contains("break-all"));
    assert!(css.contains(".audit-log, .audit-filters, .jump { overflow-wrap: break-word; word-break: normal; }"));
    assert_eq!(app.event_count().await, events, "reading writes nothing");
}
