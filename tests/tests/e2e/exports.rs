//! Exports for reports: the CSV and XLSX files hold exactly what the JSON endpoints answer.

use std::io::Cursor;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use http_body_util::BodyExt;
use santisuk_tests::{Backend, TestApp, both_backends, csv_records};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(
    a_csv_export_has_exactly_the_rows_of_the_json_list,
    a_coordinator_exports_only_their_own_areas,
    a_coordinator_sees_only_their_own_areas_as_of_any_instant,
    headers_are_thai_by_default_and_english_on_request,
    buddhist_era_dates_are_bangkok_local_dates_plus_543_years,
    an_xlsx_export_opens_and_keeps_numbers_as_numbers,
    the_statistics_export_has_the_json_rows_then_the_totals,
    an_as_of_export_lists_the_issues_as_they_stood,
    bad_export_options_are_refused_like_bad_filters,
    every_export_is_recorded_in_the_access_log,
    a_five_thousand_issue_export_streams_page_by_page,
);

/// The list's fields, in the export's column order. Without `personal=include` an export has neither the
/// description nor `raised_by` (see `personal.rs` for the export with them).
const FIELDS: [&str; 13] = [
    "id",
    "area_id",
    "category",
    "title",
    "forum_id",
    "status",
    "assignee",
    "due_on",
    "outcome",
    "raised_at",
    "closed_at",
    "version",
    "case_number",
];

const BOM: &str = "\u{feff}";

/// A file download: status, headers, the body as bytes and how many frames it arrived in.
struct Download {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
    frames: usize,
}

impl Download {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The CSV records after the BOM: header first.
    fn csv(&self) -> Vec<Vec<String>> {
        let text = std::str::from_utf8(&self.bytes).expect("UTF-8");
        let text = text.strip_prefix(BOM).expect("a CSV starts with a byte-order mark");
        csv_records(text)
    }

    fn xlsx(&self) -> Vec<Vec<Data>> {
        assert!(self.bytes.starts_with(b"PK"), "an XLSX file is a ZIP archive");
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(self.bytes.clone())).expect("an XLSX file calamine can open");
        let range = book.worksheet_range_at(0).expect("a first sheet").expect("a readable sheet");
        range.rows().map(<[Data]>::to_vec).collect()
    }
}

async fn download(app: &TestApp, path: &str, token: &str) -> Download {
    download_with(app, path, token, &[]).await
}

async fn download_with(app: &TestApp, path: &str, token: &str, headers: &[(&str, &str)]) -> Download {
    let mut req = Request::get(path).header("authorization", format!("Bearer {token}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.expect("infallible");
    let (status, headers) = (resp.status(), resp.headers().clone());
    let mut body = resp.into_body();
    let (mut bytes, mut frames) = (Vec::new(), 0);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.expect("the body streams without error").into_data() {
            bytes.extend_from_slice(&data);
            frames += 1;
        }
    }
    Download { status, headers, bytes, frames }
}

/// The JSON list for `query`, every page, as the export's cells.
async fn json_rows(app: &TestApp, query: &str, token: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page_query = match &cursor {
            Some(c) => format!("/api/issues?{query}&limit=500&cursor={c}"),
            None => format!("/api/issues?{query}&limit=500"),
        };
        let page = app.get(&page_query, token).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            rows.push(FIELDS.iter().map(|f| cell_text(&item[*f])).collect());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return rows,
        }
    }
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Two areas, issues in several states, one with a title that needs CSV quoting.
async fn seeded(backend: Backend) -> (TestApp, Vec<String>) {
    let app = TestApp::new(backend).await;
    let pattani = app.area_in("PTN-01", "9401").await;
    let yala = app.area_in("YLA-01", "9501").await;
    let mut ids = Vec::new();
    for (i, area) in [&pattani, &pattani, &yala, &pattani, &yala].into_iter().enumerate() {
        let r = app
            .post(
                "/api/issues",
                &app.staff,
                json!({"area_id": area, "category": "INF", "title": format!("ถนนชำรุด, \"สาย\" {i}"),
                    "description": "หลุมลึก", "raised_by": "ผู้นำชุมชน", "at": format!("2026-10-0{}T03:00:00Z", i + 1)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let assign = json!({"assignee": "อบต.ตะลุโบะ", "due_on": "2026-12-31", "at": "2026-10-06T03:00:00Z"});
    for id in &ids[..2] {
        let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, assign.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let r = app
        .post(
            &format!("/api/issues/{}/address", ids[0]),
            &app.staff,
            json!({"action": "ซ่อมแล้ว", "at": "2026-10-07T03:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(
            &format!("/api/issues/{}/close", ids[0]),
            &app.staff,
            json!({"outcome": "resolved", "at": "2026-10-08T03:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    (app, ids)
}

async fn a_csv_export_has_exactly_the_rows_of_the_json_list(backend: Backend) {
    let (app, ids) = seeded(backend).await;
    for query in [
        "",
        "area_id=PTN-01",
        "status=closed",
        "province_code=95",
        "category=INF&assignee=%E0%B8%AD%E0%B8%9A%E0%B8%95.%E0%B8%95%E0%B8%B0%E0%B8%A5%E0%B8%B8%E0%B9%82%E0%B8%9A%E0%B8%B0",
    ] {
        let file = download(&app, &format!("/api/issues/export?lang=en&{query}"), &app.auditor).await;
        assert_eq!(file.status, StatusCode::OK, "{query}");
        let expected = json_rows(&app, query, &app.auditor).await;
        let records = file.csv();
        assert_eq!(records[1..], expected[..], "the CSV for {query:?} is the JSON list");
        assert!(!expected.is_empty(), "{query:?} selects something, so the comparison means something");
    }
    assert_eq!(json_rows(&app, "", &app.auditor).await.len(), ids.len());
    assert_eq!(json_rows(&app, "status=closed", &app.auditor).await.len(), 1);

    let file = download(&app, "/api/issues/export", &app.staff).await;
    assert_eq!(file.header(header::CONTENT_TYPE), "text/csv; charset=utf-8");
    let disposition = file.header(header::CONTENT_DISPOSITION);
    assert!(disposition.starts_with("attachment; filename=") && disposition.ends_with(".csv\""), "{disposition}");
    assert!(file.bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte-order mark first");
    let text = String::from_utf8(file.bytes.clone()).unwrap();
    assert!(text.contains("\"ถนนชำรุด, \"\"สาย\"\" 0\""), "commas and quotes are quoted: {text}");
    assert!(text.ends_with("\r\n"), "RFC 4180 line ends");
}

async fn a_coordinator_exports_only_their_own_areas(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let r =
        app.post(&format!("/api/users/{}/areas", app.coordinator_id), &app.admin, json!({"areas": ["YLA-01"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mine = download(&app, "/api/issues/export?lang=en", &app.coordinator).await.csv();
    assert_eq!(mine[1..], json_rows(&app, "", &app.coordinator).await[..], "the coordinator's CSV is their JSON list");
    assert_eq!(mine.len() - 1, 2, "the two issues in YLA-01");
    assert!(mine[1..].iter().all(|r| r[1] == "YLA-01"), "{mine:?}");
    let all = download(&app, "/api/issues/export?lang=en", &app.staff).await.csv();
    assert_eq!(all.len() - 1, 5, "staff see every area");

    let stats = download(&app, "/api/stats/resolution/export?lang=en&by=area", &app.coordinator).await.csv();
    let areas: Vec<&str> = stats[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(areas, ["YLA-01", "Total"], "statistics are scoped the same way");
    assert_eq!(stats[2][1], "2", "the totals count only the coordinator's issues");
}

/// Issue #12's leak: the as-of list and the as-of export filtered a coordinator's scope only on the live
/// path. The list, one issue and both exports as of now must answer what the live reads answer.
async fn a_coordinator_sees_only_their_own_areas_as_of_any_instant(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let r =
        app.post(&format!("/api/users/{}/areas", app.coordinator_id), &app.admin, json!({"areas": ["YLA-01"]})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let now = chrono::Utc::now().to_rfc3339().replace('+', "%2B");
    let live = app.get("/api/issues", &app.coordinator).await;
    let as_of = app.get(&format!("/api/issues?as_of={now}"), &app.coordinator).await;
    assert_eq!(as_of.status, StatusCode::OK, "{:?}", as_of.body);
    assert_eq!(live.body["items"], as_of.body["items"], "the as-of list is the live list");
    let items = as_of.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items.iter().all(|i| i["area_id"] == "YLA-01"), "{items:?}");
    let csv = download(&app, &format!("/api/issues/export?lang=en&as_of={now}"), &app.coordinator).await.csv();
    assert_eq!(csv.len() - 1, 2, "{csv:?}");
    assert!(csv[1..].iter().all(|r| r[1] == "YLA-01"), "{csv:?}");
    let everyone = app.get(&format!("/api/issues?as_of={now}"), &app.staff).await;
    let elsewhere = everyone.body["items"].as_array().unwrap().iter().find(|i| i["area_id"] != "YLA-01").unwrap();
    let one =
        app.get(&format!("/api/issues/{}?as_of={now}", elsewhere["id"].as_str().unwrap()), &app.coordinator).await;
    assert_eq!(one.status, StatusCode::NOT_FOUND, "{:?}", one.body);
    let stats = download(&app, &format!("/api/stats/resolution/export?lang=en&by=area&as_of={now}"), &app.coordinator)
        .await
        .csv();
    let areas: Vec<&str> = stats[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(areas, ["YLA-01", "Total"]);
}

async fn headers_are_thai_by_default_and_english_on_request(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let th = download(&app, "/api/issues/export", &app.staff).await.csv();
    assert_eq!(
        th[0],
        [
            "รหัสเรื่อง",
            "พื้นที่",
            "ประเภทปัญหา",
            "หัวเรื่อง",
            "เวที",
            "สถานะ",
            "ผู้รับผิดชอบ",
            "กำหนดเสร็จ",
            "ผลการดำเนินการ",
            "วันที่รับเรื่อง",
            "วันที่ปิดเรื่อง",
            "ฉบับที่",
            "เลขที่เรื่อง"
        ]
    );
    let en = download(&app, "/api/issues/export?lang=en", &app.staff).await.csv();
    assert_eq!(en[0][..4], ["Issue ID", "Area", "Category", "Title"]);
    assert_eq!(en[0].len(), th[0].len());
    assert_eq!(en[1..], th[1..], "only the headers change with the language");

    let stats = download(&app, "/api/stats/resolution/export?by=area", &app.staff).await.csv();
    assert_eq!(stats[0][..4], ["พื้นที่", "จำนวนเรื่อง", "ปิดแล้ว", "แก้ไขได้"]);
    assert!(stats[0].iter().any(|h| h == "อัตราการแก้ไข"), "{:?}", stats[0]);
    let stats = download(&app, "/api/stats/resolution/export?by=area&lang=en", &app.staff).await.csv();
    assert_eq!(stats[0][..4], ["Area", "Raised", "Closed", "Resolved"]);
}

async fn buddhist_era_dates_are_bangkok_local_dates_plus_543_years(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    // 20:00 UTC on 1 November is 03:00 on 2 November in Bangkok.
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": area, "category": "LIV", "title": "น้ำท่วม", "at": "2026-11-01T20:00:00Z"}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/issues/{id}/assign"),
            &app.staff,
            json!({"assignee": "อำเภอ", "due_on": "2026-12-31", "at": "2026-11-02T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let be = download(&app, "/api/issues/export?dates=be&lang=en", &app.staff).await.csv();
    let row = &be[1];
    assert_eq!((row[7].as_str(), row[9].as_str()), ("31/12/2569", "02/11/2569 03:00:00"));
    let iso = download(&app, "/api/issues/export?lang=en", &app.staff).await.csv();
    assert_eq!((iso[1][7].as_str(), iso[1][9].as_str()), ("2026-12-31", "2026-11-01T20:00:00.000000Z"));

    let months = download(&app, "/api/stats/resolution/export?by=month&dates=be&lang=en", &app.staff).await.csv();
    assert_eq!(months[1][0], "11/2569", "statistics months in the Buddhist Era too");
}

async fn an_xlsx_export_opens_and_keeps_numbers_as_numbers(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let file = download(&app, "/api/issues/export?format=xlsx&lang=en", &app.auditor).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.header(header::CONTENT_TYPE), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(file.header(header::CONTENT_DISPOSITION).ends_with(".xlsx\""));
    assert_eq!(file.header(header::CONTENT_LENGTH), file.bytes.len().to_string());
    let sheet = file.xlsx();
    assert_eq!(sheet[0][0], Data::String("Issue ID".into()));
    let expected = json_rows(&app, "", &app.auditor).await;
    assert_eq!(sheet.len() - 1, expected.len());
    for (row, want) in sheet[1..].iter().zip(&expected) {
        assert_eq!(row[0], Data::String(want[0].clone()));
        assert_eq!(row[3], Data::String(want[3].clone()), "Thai text survives");
        let version: f64 = want[11].parse().unwrap();
        assert_eq!(row[11], Data::Float(version), "the version is a number");
    }

    let stats = download(&app, "/api/stats/resolution/export?format=xlsx&by=area&lang=en", &app.auditor).await.xlsx();
    let pattani = stats.iter().find(|r| r[0] == Data::String("PTN-01".into())).expect("a PTN-01 row");
    assert_eq!((&pattani[1], &pattani[3]), (&Data::Float(3.0), &Data::Float(1.0)), "raised and resolved");
    let rate = stats[0].iter().position(|h| *h == Data::String("Resolution rate".into())).unwrap();
    assert_eq!(pattani[rate], Data::Float(1.0 / 3.0), "a rate is a number (shown as a percentage)");
}

async fn the_statistics_export_has_the_json_rows_then_the_totals(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let _quiet = app.area_in("SKA-01", "9003").await;
    for by in ["area", "category,area", "month", "fiscal_year,province"] {
        let json = app.get(&format!("/api/stats/resolution?by={by}"), &app.auditor).await;
        assert_eq!(json.status, StatusCode::OK, "{:?}", json.body);
        let file = download(&app, &format!("/api/stats/resolution/export?by={by}&lang=en"), &app.auditor).await;
        assert_eq!(file.status, StatusCode::OK);
        let records = file.csv();
        let keys: Vec<&str> = by
            .split(',')
            .map(|g| match g {
                "area" => "area_id",
                "province" => "province_code",
                other => other,
            })
            .collect();
        let json_rows = json.body["rows"].as_array().unwrap();
        assert_eq!(records.len(), 1 + json_rows.len() + 1, "header, one line per JSON row, totals");
        let n = keys.len();
        for (record, row) in records[1..].iter().zip(json_rows) {
            for (i, k) in keys.iter().enumerate() {
                assert_eq!(record[i], cell_text(&row[*k]), "{by}: key {k}");
            }
            assert_counters(&record[n..], row);
        }
        let totals = records.last().unwrap();
        assert_eq!(totals[0], "Total");
        assert_counters(&totals[n..], &json.body["totals"]);
    }
}

/// The counter columns of a statistics line against a JSON row.
fn assert_counters(cells: &[String], row: &Value) {
    let outcomes = &row["unresolved_by_outcome"];
    let want = [
        cell_text(&row["raised"]),
        cell_text(&row["closed"]),
        cell_text(&row["resolved"]),
        cell_text(&row["unresolved"]),
        cell_text(&outcomes["unresolved"]),
        cell_text(&outcomes["referred"]),
        cell_text(&outcomes["duplicate"]),
        cell_text(&outcomes["withdrawn"]),
        cell_text(&row["open"]),
        cell_text(&row["overdue"]),
    ];
    assert_eq!(cells[..10], want);
    for (cell, key) in
        cells[10..14].iter().zip(["resolution_rate", "closure_rate", "median_days_to_resolve", "p90_days_to_resolve"])
    {
        let have: Option<f64> = (!cell.is_empty()).then(|| cell.parse().unwrap());
        assert_eq!(have, row[key].as_f64(), "{key}");
    }
    assert_eq!(cells[14], if row["small_sample"] == true { "yes" } else { "no" });
}

async fn an_as_of_export_lists_the_issues_as_they_stood(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    let first = app.raise(&area, "LIV", "ก่อน").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let cut = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    app.raise(&area, "LIV", "หลัง").await;
    let r = app.post(&format!("/api/issues/{first}/assign"), &app.staff, json!({"assignee": "อบต."})).await;
    assert_eq!(r.status, StatusCode::OK);

    let query = format!("as_of={}", cut.replace('+', "%2B"));
    let then = download(&app, &format!("/api/issues/export?lang=en&{query}"), &app.staff).await.csv();
    assert_eq!(then[1..], json_rows(&app, &query, &app.staff).await[..]);
    assert_eq!(then.len() - 1, 1, "only the issue raised before the cut");
    assert_eq!((then[1][0].as_str(), then[1][5].as_str()), (first.as_str(), "raised"), "not yet assigned then");
    assert_eq!(download(&app, "/api/issues/export", &app.staff).await.csv().len() - 1, 2);
}

async fn bad_export_options_are_refused_like_bad_filters(backend: Backend) {
    let app = TestApp::new(backend).await;
    for (path, code) in [
        ("/api/issues/export?format=pdf", "bad_format"),
        ("/api/issues/export?lang=fr", "bad_lang"),
        ("/api/issues/export?dates=jp", "bad_dates"),
        ("/api/stats/resolution/export?format=ods", "bad_format"),
        ("/api/stats/resolution/export?format=csv&by=village", "bad_group"),
        ("/api/issues/export?format=csv&overdue=maybe", "bad_overdue"),
        ("/api/issues/export?as_of=yesterday", "bad_as_of"),
    ] {
        let r = app.get(path, &app.staff).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code), "{path}: {:?}", r.body);
    }
    let r = app.get("/api/issues/export?status=lost", &app.staff).await;
    let json = app.get("/api/issues?status=lost", &app.staff).await;
    assert_eq!((r.status, r.code()), (json.status, json.code()), "the JSON list's errors, unchanged");
    let r = app.send(axum::http::Method::GET, "/api/issues/export", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The export walks every page itself, so paging parameters do not matter, even bad ones.
    let r = download(&app, "/api/issues/export?limit=100000&cursor=zz", &app.staff).await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn every_export_is_recorded_in_the_access_log(backend: Backend) {
    let (app, _) = seeded(backend).await;
    let before = santisuk_projections::access_log::list(app.db(), 0, 1000).await.unwrap().0.len();
    let r = download_with(
        &app,
        "/api/issues/export?area_id=PTN-01&format=xlsx",
        &app.auditor,
        &[("x-request-id", "req-export-1")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = download(&app, "/api/stats/resolution/export?by=category&fiscal_year=2570", &app.staff).await;
    assert_eq!(r.status, StatusCode::OK);
    let refused = download(&app, "/api/issues/export?format=pdf", &app.staff).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let (entries, _) = santisuk_projections::access_log::list(app.db(), 0, 1000).await.unwrap();
    let new = &entries[before..];
    assert_eq!(new.len(), 2, "two exports, and nothing for the refused one: {new:?}");
    let issues = &new[0];
    assert_eq!((issues.action.as_str(), issues.actor_role.as_str()), ("issues_export", "auditor"));
    assert!(issues.actor.starts_with("auditor-"), "{}", issues.actor);
    assert_eq!(issues.request_id.as_deref(), Some("req-export-1"));
    let filters: Value = serde_json::from_str(&issues.filters).unwrap();
    assert_eq!(filters, json!({"area_id": "PTN-01", "format": "xlsx"}));
    let stats = &new[1];
    assert_eq!((stats.action.as_str(), stats.actor_role.as_str()), ("stats_export", "staff"));
    let filters: Value = serde_json::from_str(&stats.filters).unwrap();
    assert_eq!(filters, json!({"by": "category", "fiscal_year": "2570"}));
    assert!(stats.request_id.as_deref().is_some_and(|r| !r.is_empty()), "the generated request id");
}

async fn a_five_thousand_issue_export_streams_page_by_page(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    // Raising 5,000 issues through the API costs one durable commit each; the export reads the issue
    // table, so fill it directly, as the projection would have.
    insert_issues(&app, &area, 5_000).await;

    let file = download(&app, "/api/issues/export?lang=en", &app.staff).await;
    assert_eq!(file.status, StatusCode::OK);
    let records = file.csv();
    assert_eq!(records.len(), 1 + 5_000);
    assert_eq!(file.frames, 1 + 5, "the header and five pages of 1,000 arrive separately, not as one buffer");
    let expected = json_rows(&app, "", &app.staff).await;
    assert_eq!(records[1..], expected[..], "every page, in list order, without repeats");

    let sheet = download(&app, "/api/issues/export?lang=en&format=xlsx", &app.staff).await.xlsx();
    assert_eq!(sheet.len(), 1 + 5_000);
    assert_eq!(sheet[5_000][0], Data::String(expected[4_999][0].clone()));
}

async fn insert_issues(app: &TestApp, area: &str, n: usize) {
    let start = chrono::DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z").unwrap().to_utc();
    let columns = "id, area_id, category, title, description, forum_id, raised_by, status, assignee, due_on, \
                   outcome, raised_at, raised_on, closed_at, version, last_position";
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let values: Vec<String> = chunk
            .iter()
            .map(|i| {
                let at = start + chrono::Duration::minutes(*i as i64);
                format!(
                    "('{}', '{area}', 'LIV', 'ปัญหาที่ {i}', 'รายละเอียด {i}', NULL, NULL, 'raised', NULL, NULL, NULL, \
                     '{}', '{}', NULL, 1, {})",
                    uuid::Uuid::new_v4(),
                    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    santisuk_domain::time::bangkok_date(at),
                    i + 1
                )
            })
            .collect();
        let sql = format!("INSERT INTO issues ({columns}) VALUES {}", values.join(", "));
        santisuk_store::on_db!(app.db(), p => sqlx::query(&sql).execute(p).await.map(|_| ()).expect("insert issues"));
    }
}
