//! The dashboard against the queue it links to (#13): every number on the dashboard is a link, and the queue
//! it opens lists exactly that many issues (a differential check of the statistics against the queue's
//! filters, over a year of demo data); the tables sort; a bad period or filter is refused and writes nothing;
//! a coordinator's links stay within their areas; the queue's raise window, "open" and outcome filters.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use santisuk_tests::web::{PASSWORD, Page, WebClient};
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

both_backends!(
    every_number_on_the_dashboard_links_to_a_queue_of_exactly_that_many_issues,
    a_coordinators_dashboard_links_only_to_their_areas_and_agree_with_their_queue,
    the_dashboard_sorts_its_tables_by_rate_open_overdue_or_name,
    a_bad_period_sort_or_filter_is_refused_with_400_and_writes_nothing,
    the_queue_narrows_to_a_raise_window_open_issues_and_an_outcome,
    the_dashboard_downloads_the_table_it_shows,
);

/// `&amp;` and friends back to text, for an attribute maud escaped.
fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">")
}

/// Every `<a class="count" href="…">N</a>` on a page: the link and the number it shows.
fn counted_links(body: &str) -> Vec<(String, i64)> {
    let marker = "<a class=\"count\" href=\"";
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        let end = rest.find('"').expect("the href ends");
        let href = unescape(&rest[..end]);
        let text_start = rest[end..].find('>').expect("the tag ends") + end + 1;
        let text_end = rest[text_start..].find("</a>").expect("the link closes") + text_start;
        let n = rest[text_start..text_end].trim().parse().unwrap_or_else(|_| panic!("a number: {href}"));
        out.push((href, n));
    }
    out
}

/// The total a queue page reports (`พบ <strong>N</strong> เรื่อง`).
fn queue_total(page: &Page) -> i64 {
    let at = page.body.find("id=\"count\"").unwrap_or_else(|| panic!("a count: {}", page.body));
    let rest = &page.body[at..];
    let start = rest.find("<strong>").expect("strong") + "<strong>".len();
    let end = rest.find("</strong>").expect("/strong");
    rest[start..end].parse().expect("a number")
}

/// Follows every counted link of `path` and checks the queue's total; returns how many links there were and
/// the links themselves.
async fn check_links(web: &mut WebClient, path: &str) -> Vec<(String, i64)> {
    let page = web.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    let links = counted_links(&page.body);
    let distinct: BTreeSet<&String> = links.iter().map(|(h, _)| h).collect();
    for href in distinct {
        let shown: BTreeSet<i64> = links.iter().filter(|(h, _)| h == href).map(|(_, n)| *n).collect();
        assert_eq!(shown.len(), 1, "{path}: one link, one number: {href} {shown:?}");
        let queue = web.get(href).await;
        assert_eq!(queue.status, StatusCode::OK, "{href}: {}", queue.body);
        let n = *shown.first().expect("one");
        assert_eq!(queue_total(&queue), n, "{path}: the dashboard shows {n} for {href}");
    }
    links
}

/// The fiscal years a dashboard offers (option values that are years).
fn fiscal_years(body: &str) -> Vec<String> {
    body.split("<option value=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|v| v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

async fn demo(backend: Backend, user: &str) -> (TestApp, WebClient) {
    let (app, _) = TestApp::demo(backend, santisuk_app::demo::DemoOptions { seed: 13, issues: 240 }).await;
    app.set_password(user).await;
    let mut web = WebClient::new(&app);
    web.sign_in(user, PASSWORD).await;
    (app, web)
}

async fn every_number_on_the_dashboard_links_to_a_queue_of_exactly_that_many_issues(backend: Backend) {
    let (_app, mut web) = demo(backend, "demo-staff").await;
    let first = web.get("/dashboard").await;
    let years = fiscal_years(&first.body);
    assert!(!years.is_empty(), "the period select offers fiscal years");
    let mut paths = vec!["/dashboard".to_owned(), "/dashboard?province=94&sort=overdue".to_owned()];
    paths.extend(years.iter().take(2).map(|y| format!("/dashboard?fy={y}")));
    // A custom range typed the Thai way (Buddhist Era, day first) and the other way.
    paths.push("/dashboard?fy=range&from=1/1/2569&to=2026-06-30".to_owned());
    let (mut links, mut kinds) = (0, BTreeSet::new());
    for path in &paths {
        let found = check_links(&mut web, path).await;
        links += found.len();
        for (href, n) in &found {
            for kind in ["open=1", "overdue=1", "outcome=resolved", "area=", "category=", "closed_from="] {
                if href.contains(kind) && *n > 0 {
                    kinds.insert(kind);
                }
            }
        }
    }
    // 40 areas and 13 categories with four counts each, the summary, the definitions and the months.
    assert!(links > 5 * (40 + 13) * 4, "{links} links followed");
    assert_eq!(kinds.len(), 6, "every kind of count was non-zero somewhere: {kinds:?}");
}

async fn a_coordinators_dashboard_links_only_to_their_areas_and_agree_with_their_queue(backend: Backend) {
    let (app, mut web) = demo(backend, "demo-coord-01").await;
    let areas = app.get("/api/areas", &app.coordinator).await;
    assert_eq!(areas.status, StatusCode::OK);
    let mine: BTreeSet<String> = areas.body["items"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect();
    let everyone = app.get("/api/areas", &app.staff).await.body["items"].as_array().expect("a list").len();
    assert!(!mine.is_empty() && mine.len() < everyone, "a coordinator has some areas, not all: {mine:?}");
    let links = check_links(&mut web, "/dashboard").await;
    let linked: BTreeSet<String> = links
        .iter()
        .filter_map(|(h, _)| h.split(['?', '&']).find_map(|p| p.strip_prefix("area=")).map(str::to_owned))
        .collect();
    assert_eq!(linked, mine, "an area row for each of their areas and no other");
    // Their totals are theirs: the summary's raised equals the staff queue narrowed to their areas.
    let raised = links
        .iter()
        .find(|(h, _)| {
            !h.contains("area=")
                && !h.contains("category=")
                && !h.contains("status=")
                && !h.contains("open=")
                && !h.contains("overdue=")
                && h.contains("from=")
        })
        .map(|(_, n)| *n)
        .expect("the raised total");
    let mut staff = WebClient::new(&app);
    app.set_password("demo-staff").await;
    staff.sign_in("demo-staff", PASSWORD).await;
    let staff_links = check_links(&mut staff, "/dashboard").await;
    let mut sum = 0;
    for area in &mine {
        let row =
            staff_links.iter().find(|(h, _)| h.ends_with(&format!("area={area}"))).expect("the staff see their area");
        sum += row.1;
    }
    assert_eq!(raised, sum, "the coordinator's total is the sum of their areas' rows");
}

/// The `(key, raised, resolved, open, overdue)` of each row of a bars table, in order.
fn rows(body: &str, table: &str) -> Vec<(String, i64, i64, i64, i64)> {
    let start = body.find(&format!("id=\"bars-{table}\"")).expect("the table");
    let end = body[start..].find("</table>").expect("its end") + start;
    let mut out = Vec::new();
    for tr in body[start..end].split("<tr data-key=\"").skip(1) {
        let key = tr.split('"').next().expect("key").to_owned();
        let attr = |name: &str| -> i64 {
            let at = tr.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
            tr[at..].split('"').next().expect("value").parse().expect("number")
        };
        let counts: Vec<i64> = counted_links(tr).into_iter().map(|(_, n)| n).collect();
        out.push((key, attr("data-raised"), attr("data-resolved"), counts[2], counts[3]));
    }
    out
}

async fn the_dashboard_sorts_its_tables_by_rate_open_overdue_or_name(backend: Backend) {
    let (_app, mut web) = demo(backend, "demo-staff").await;
    let by_name = web.get("/dashboard?sort=name").await.body;
    for table in ["area", "category"] {
        let name = rows(&by_name, table);
        let keys: Vec<&String> = name.iter().map(|r| &r.0).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{table}: by code");
        let open = rows(&web.get("/dashboard?sort=open").await.body, table);
        assert!(open.windows(2).all(|w| w[0].3 >= w[1].3), "{table}: most open first: {open:?}");
        assert_ne!(open.iter().map(|r| &r.0).collect::<Vec<_>>(), keys, "{table}: the order changed");
        let overdue = rows(&web.get("/dashboard?sort=overdue").await.body, table);
        assert!(overdue.windows(2).all(|w| w[0].4 >= w[1].4), "{table}: most overdue first: {overdue:?}");
        let rate = rows(&web.get("/dashboard?sort=rate").await.body, table);
        let r = |x: &(String, i64, i64, i64, i64)| (x.1 > 0).then(|| x.2 as f64 / x.1 as f64);
        assert!(
            rate.windows(2).all(|w| match (r(&w[0]), r(&w[1])) {
                (Some(a), Some(b)) => a <= b,
                (None, Some(_)) => false,
                _ => true,
            }),
            "{table}: lowest rate first, groups without issues last: {rate:?}"
        );
        assert_eq!(rate.len(), name.len(), "{table}: sorting keeps every row");
    }
}

async fn a_bad_period_sort_or_filter_is_refused_with_400_and_writes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("DSH-1").await;
    app.raise(&area, "INF", "ถนนชำรุด").await;
    let mut web = app.web_as(santisuk_projections::users::Role::Staff).await;
    let before = app.event_count().await;
    for bad in [
        "/dashboard?fy=abc",
        "/dashboard?fy=1999",
        "/dashboard?fy=range",
        "/dashboard?fy=range&from=2026-11-01",
        "/dashboard?fy=range&from=1/12/2569&to=1/11/2569",
        "/dashboard?from=31/02/2569&to=1/3/2569",
        "/dashboard?fy=range&from=2000-01-01&to=2026-01-01",
        "/dashboard?sort=random",
        "/dashboard/export?by=forum&format=csv",
        "/dashboard/export?by=area&format=pdf",
        "/dashboard/export?by=area&fy=12",
        "/issues?from=yesterday",
        "/issues?fy=99",
        "/issues?from=2026-12-01&to=2026-11-01",
        "/issues?open=yes",
        "/issues?outcome=maybe",
        "/issues?closed_from=tomorrow",
        "/issues?closed_from=2026-12-01&closed_to=2026-11-01",
    ] {
        let page = web.get(bad).await;
        assert!(
            matches!(page.status, StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY),
            "{bad}: {} {}",
            page.status,
            page.body
        );
        assert!(page.body.contains("<html"), "{bad}: an error page, not a bare body");
    }
    assert_eq!(app.event_count().await, before, "nothing written");
}

async fn the_queue_narrows_to_a_raise_window_open_issues_and_an_outcome(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("DSH-2").await;
    let ids = [
        app.raise(&area, "INF", "ไฟฟ้าดับบ่อย").await,
        app.raise(&area, "INF", "น้ำประปาไม่ไหล").await,
        app.raise(&area, "EDU", "ขาดครูคณิตศาสตร์").await,
    ];
    let r = app.post(&format!("/api/issues/{}/assign", ids[0]), &app.staff, json!({"assignee": "การไฟฟ้า"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{}/address", ids[0]), &app.staff, json!({"action": "ซ่อมสายไฟแล้ว"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{}/close", ids[0]), &app.staff, json!({"outcome": "resolved"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{}/close", ids[1]), &app.staff, json!({"outcome": "referred"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut web = app.web_as(santisuk_projections::users::Role::Staff).await;
    let today = santisuk_domain::time::bangkok_date(chrono::Utc::now());
    let be = |d: chrono::NaiveDate| {
        format!("{}", d.format("%d/%m/"))
            + &(d.format("%Y").to_string().parse::<i32>().expect("year") + 543).to_string()
    };
    let yesterday = today.pred_opt().expect("a day before");
    let fy = santisuk_domain::time::fiscal_year_be(today);
    for (query, n) in [
        (format!("area={area}"), 3),
        (format!("area={area}&open=1"), 1),
        (format!("area={area}&status=closed"), 2),
        (format!("area={area}&status=closed&outcome=resolved"), 1),
        (format!("area={area}&outcome=referred"), 1),
        (format!("area={area}&from={}&to={}", be(today), be(today)), 3),
        (format!("area={area}&from={today}"), 3),
        (format!("area={area}&to={yesterday}"), 0),
        (format!("area={area}&fy={fy}"), 3),
        (format!("area={area}&fy={}", fy - 1), 0),
        (format!("area={area}&fy={fy}&from={}", be(today)), 3),
        (format!("area={area}&closed_from={}&closed_to={today}", be(today)), 2),
        (format!("area={area}&closed_from={today}&outcome=resolved"), 1),
        (format!("area={area}&closed_to={yesterday}"), 0),
    ] {
        let page = web.get(&format!("/issues?{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
        assert_eq!(queue_total(&page), n, "{query}");
    }
    // The same filters over the API's list and export.
    for (query, n) in [
        (format!("area_id={area}&open=true"), 1),
        (format!("area_id={area}&outcome=resolved"), 1),
        (format!("area_id={area}&closed_from={}&closed_to={today}", be(today)), 2),
        (format!("area_id={area}&closed_to={yesterday}"), 0),
        (format!("area_id={area}&raised_from={}&raised_to={today}", be(today)), 3),
        (format!("area_id={area}&fiscal_year={fy}"), 3),
        (format!("area_id={area}&fiscal_year={}", fy - 1), 0),
    ] {
        let r = app.get(&format!("/api/issues?{query}"), &app.staff).await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {:?}", r.body);
        assert_eq!(r.body["items"].as_array().map(Vec::len), Some(n), "API {query}");
        let file = app.get(&format!("/api/issues/export?format=csv&{query}"), &app.staff).await;
        assert_eq!(file.status, StatusCode::OK, "export {query}");
    }
    let before = app.event_count().await;
    for bad in [
        "open=maybe",
        "outcome=fixed",
        "raised_from=yesterday",
        "fiscal_year=70",
        "closed_from=2026-12-01&closed_to=2026-11-01",
    ] {
        let r = app.get(&format!("/api/issues?{bad}"), &app.staff).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {:?}", r.body);
    }
    assert_eq!(app.event_count().await, before, "a refused list writes nothing");
    // The filters fold behind one button, which says how many are active; the search box stays outside.
    let page = web.get(&format!("/issues?area={area}&open=1")).await;
    assert!(page.body.contains("<details id=\"more-filters\"><summary>ตัวกรอง (2)</summary>"), "{}", page.body);
    assert!(page.body.find("name=\"q\"") < page.body.find("<details"), "the search box comes first");
}

async fn the_dashboard_downloads_the_table_it_shows(backend: Backend) {
    let (_app, mut web) = demo(backend, "demo-staff").await;
    let page = web.get("/dashboard?province=94").await;
    let area_rows = rows(&page.body, "area");
    let marker = "href=\"/dashboard/export?";
    let at = page.body.find(marker).expect("a download link") + "href=\"".len();
    let href = unescape(page.body[at..].split('"').next().expect("href"));
    assert!(href.contains("province=94") && href.contains("by=area") && href.contains("format=csv"), "{href}");
    let file = web.get(&href).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let records = santisuk_tests::csv_records(file.body.trim_start_matches('\u{feff}'));
    // A header, a row per area on the page, and the totals.
    assert_eq!(records.len(), 1 + area_rows.len() + 1, "{records:?}");
    for (key, raised, ..) in &area_rows {
        let rec = records.iter().find(|r| r[0] == *key).unwrap_or_else(|| panic!("{key} in the file"));
        assert_eq!(rec[1], raised.to_string(), "{key}: raised as on the page");
    }
}
