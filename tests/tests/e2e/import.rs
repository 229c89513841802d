//! Importing spreadsheets (issue #18 §2) end to end, on both backends: a dry run lists every row's problem
//! and writes nothing; an import writes only valid files, records the file and row in each problem's first
//! event, is idempotent (the same file twice, or saved again with a row added, creates nothing twice), and
//! dates the problems by the sheet so statistics place them in their month and fiscal year while as-of
//! reads still cut by recorded time; every bad file (merged cells, formulas, a wrong sheet, 100,000 rows,
//! TIS-620, not a spreadsheet) gets its error and writes nothing; only admins and staff import.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use santisuk_tests::{Backend, Reply, TestApp, both_backends};
use serde_json::Value;
use sha2::{Digest, Sha256};

both_backends!(
    a_dry_run_lists_every_rows_problem_and_writes_nothing,
    an_import_is_idempotent_and_a_resaved_file_adds_only_its_new_row,
    each_problem_records_its_file_and_row_in_its_first_event,
    historical_rows_count_in_their_month_and_fiscal_year_and_as_of_cuts_by_recorded_time,
    bad_files_are_refused_and_write_nothing,
    formulas_use_their_saved_values_and_say_so,
    the_sheet_is_chosen_by_name_or_as_the_first_with_a_header,
    a_csv_in_tis_620_is_named_and_read_when_asked,
    only_admins_and_staff_import,
    the_import_page_previews_and_then_imports,
    a_raised_row_with_an_action_is_a_row_problem_not_a_half_written_import,
    an_action_that_cannot_be_kept_is_noted_in_the_dry_run,
    the_dry_run_reports_the_status_the_import_leaves,
    imports_of_one_file_at_once_write_each_event_once,
);

const HEADERS: [&str; 8] = ["พื้นที่", "วันที่", "ประเภท", "เรื่อง", "รายละเอียด", "สถานะ", "ผู้รับผิดชอบ", "ผลการดำเนินการ"];

/// POSTs `bytes` to /api/imports with the query `query`.
async fn post_file(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> Reply {
    app.send(Method::POST, &format!("/api/imports?{query}"), Some(token), Some(Body::from(bytes)), &[]).await
}

fn csv(rows: &[&[&str]]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADERS).unwrap();
    for r in rows {
        w.write_record(*r).unwrap();
    }
    w.into_inner().unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A workbook as a Thai office keeps one: a title row above the header (merged across the table, which
/// is harmless there), an English/Thai header, dates as text in the Buddhist Era and one as an Excel date.
fn workbook(area: &str, extra_row: bool, reversed: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("ปัญหาจากเวที").unwrap();
    ws.merge_range(0, 0, 0, 7, "สรุปปัญหาจากเวทีรับฟัง ปี 2567", &Format::new()).unwrap();
    for (c, h) in ["Area", "วันที่", "หมวด", "หัวข้อ", "Description", "Status", "Assignee", "ผล"].iter().enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let mut rows: Vec<[&str; 8]> = vec![
        [area, "15/01/2567", "INF", "ถนนเข้าหมู่บ้านชำรุด", "หลุมลึก", "ปิดเรื่อง", "อบต.", "แก้ไขได้แล้ว"],
        [area, "3 มีนาคม 2567", "DRG", "ยาเสพติดในชุมชน", "", "มอบหมายแล้ว", "สภ.เมือง", ""],
        [area, "2023-11-20", "INF", "ไฟฟ้าดับบ่อย", "", "", "", ""],
    ];
    if extra_row {
        rows.push([area, "1/10/2566", "INF", "น้ำประปาไม่ไหล", "", "ปิดเรื่อง", "", "ส่งต่อ"]);
    }
    if reversed {
        rows.reverse();
    }
    let mut r = 2;
    for row in &rows {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r, c as u16, *v).unwrap();
        }
        r += 1;
    }
    // A date Excel holds as a date (shown in the Thai way, stored as a serial number in the Common Era).
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    ws.write_string(r, 0, area).unwrap();
    ws.write_datetime_with_format(r, 1, ExcelDateTime::from_ymd(2024, 6, 5).unwrap(), &date_format).unwrap();
    ws.write_string(r, 2, "ยาเสพติด").unwrap();
    ws.write_string(r, 3, "มีการค้ายาใกล้โรงเรียน").unwrap();
    wb.save_to_buffer().unwrap()
}

fn row(report: &Value, n: u64) -> &Value {
    report["rows"].as_array().unwrap().iter().find(|r| r["row"] == n).unwrap_or_else(|| panic!("no row {n}: {report}"))
}

fn codes(row: &Value) -> Vec<String> {
    row["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{}:{}", p["field"].as_str().unwrap(), p["code"].as_str().unwrap()))
        .collect()
}

async fn a_dry_run_lists_every_rows_problem_and_writes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    let file = csv(&[
        &[&area, "15/01/2567", "INF", "ถนนชำรุด", "", "", "", ""],
        &["ไม่มีพื้นที่นี้", "15/01/2567", "INF", "เรื่องหนึ่ง", "", "", "", ""],
        &[&area, "31/02/2567", "INF", "เรื่องสอง", "", "", "", ""],
        &[&area, "15/01/67", "INF", "เรื่องสาม", "", "", "", ""],
        &[&area, "15/01/2567", "INF", "", "", "", "", ""],
        &[&area, "15/01/2567", "XYZ", "เรื่องห้า", "", "", "", ""],
        &[&area, "15/01/2567", "INF", "เรื่องหก", "", "รอพิจารณา", "", ""],
        &[&area, "15/01/2567", "INF", "เรื่องเจ็ด", "", "ปิดเรื่อง", "", "ก็ดี"],
        &[&area, "15/01/2567", "INF", "เรื่องแปด", "", "ปิดเรื่อง", "", ""],
        &[&area, "15/01/2600", "INF", "เรื่องเก้า", "", "", "", ""],
        &[&area, "15 มกราคม 2567", "INF", "เรื่องสิบ", "", "ปิดเรื่อง", "", "แก้ไขได้แล้ว"],
    ]);
    let before = app.event_count().await;
    let r = post_file(&app, &app.staff, "dry_run=true&name=forum.csv", file.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert_eq!(b["format"], "csv");
    assert_eq!(b["header_row"], 1);
    let mapped: Vec<(&str, &str)> = b["mapping"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["column"].as_str().unwrap(), m["header"].as_str().unwrap()))
        .collect();
    assert!(mapped.contains(&("area", "พื้นที่")) && mapped.contains(&("outcome", "ผลการดำเนินการ")), "{mapped:?}");
    assert_eq!(b["counts"]["rows"], 11);
    assert_eq!(b["counts"]["valid"], 1);
    assert_eq!(b["counts"]["invalid"], 10);
    // Every row's problem, each named by its row and field.
    assert_eq!(row(b, 2)["state"], "new");
    assert!(
        row(b, 2)["notes"][0].as_str().unwrap().contains("Buddhist-Era year 2567 was read as 2024"),
        "{}",
        row(b, 2)
    );
    assert_eq!(codes(row(b, 3)), ["area:unknown_area"]);
    assert_eq!(codes(row(b, 4)), ["date:bad_date"]);
    assert_eq!(codes(row(b, 5)), ["date:two_digit_year"]);
    assert_eq!(codes(row(b, 6)), ["title:empty_title"]);
    assert_eq!(codes(row(b, 7)), ["category:unknown_category"]);
    assert_eq!(codes(row(b, 8)), ["status:unknown_status"]);
    assert_eq!(codes(row(b, 9)), ["outcome:unknown_outcome"]);
    assert_eq!(codes(row(b, 10)), ["outcome:closed_without_outcome"]);
    assert_eq!(codes(row(b, 11)), ["date:date_in_future"]);
    assert_eq!(codes(row(b, 12)), ["assignee:assignee_required"], "resolved needs an action, an action an assignee");
    assert_eq!(app.event_count().await, before, "a dry run writes nothing");
    // The import itself is refused whole, naming the rows, and writes nothing.
    let r = post_file(&app, &app.staff, "dry_run=false&name=forum.csv", file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.code(), "import_rows_invalid");
    let message = r.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("row 3 area") && message.contains("row 6 title"), "{message}");
    assert_eq!(app.event_count().await, before, "nothing half-written");
}

async fn an_import_is_idempotent_and_a_resaved_file_adds_only_its_new_row(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-02").await;
    let file = workbook(&area, false, false);
    let dry = post_file(&app, &app.staff, "name=forum-2567.xlsx", file.clone()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(dry.body["dry_run"], true, "a dry run is the default");
    assert_eq!(dry.body["sheet"], "ปัญหาจากเวที");
    assert_eq!(dry.body["header_row"], 2, "the title row above is skipped");
    assert_eq!(dry.body["counts"]["new"], 4, "{}", dry.body);
    assert_eq!(dry.body["counts"]["buddhist_era_dates"], 2);
    assert_eq!(
        row(&dry.body, 3)["events"],
        serde_json::json!(["IssueRaised", "IssueAssigned", "IssueAddressed", "IssueClosed"])
    );
    assert_eq!(row(&dry.body, 4)["events"], serde_json::json!(["IssueRaised", "IssueAssigned"]));
    assert_eq!(row(&dry.body, 6)["date"], "2024-06-05", "an Excel date cell");

    let before = app.event_count().await;
    let first = post_file(&app, &app.staff, "dry_run=false&name=forum-2567.xlsx", file.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["written"], true);
    assert_eq!(first.body["counts"]["created"], 4);
    assert_eq!(first.body["counts"]["events_written"], 4 + 3 + 1);
    assert_eq!(app.event_count().await, before + 8);
    let closed = row(&first.body, 3)["issue_id"].as_str().unwrap().to_owned();
    let issue = app.get(&format!("/api/issues/{closed}"), &app.staff).await;
    assert_eq!(issue.body["status"], "closed", "{}", issue.body);
    assert_eq!(issue.body["outcome"], "resolved");

    // The same file again: nothing new.
    let again = post_file(&app, &app.staff, "dry_run=false&name=forum-2567.xlsx", file).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["counts"]["created"], 0);
    assert_eq!(again.body["counts"]["events_written"], 0);
    assert_eq!(again.body["counts"]["already_imported"], 4);
    assert_eq!(again.body["written"], false);
    assert_eq!(app.event_count().await, before + 8, "a file imported twice creates nothing twice");

    // Saved again with a row added and the rows in another order: only the new row is written.
    let resaved = workbook(&area, true, true);
    let dry = post_file(&app, &app.staff, "name=forum-2567-v2.xlsx", resaved.clone()).await;
    assert_eq!(dry.body["counts"]["new"], 1, "{}", dry.body);
    assert_eq!(dry.body["counts"]["already_imported"], 4);
    let third = post_file(&app, &app.staff, "dry_run=false&name=forum-2567-v2.xlsx", resaved).await;
    assert_eq!(third.body["counts"]["created"], 1, "{}", third.body);
    assert_eq!(third.body["counts"]["events_written"], 2, "raised and closed as referred");
    assert_eq!(app.event_count().await, before + 10);
}

async fn each_problem_records_its_file_and_row_in_its_first_event(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-03").await;
    let file = workbook(&area, false, false);
    let r =
        post_file(&app, &app.admin, "dry_run=false&name=%E0%B9%80%E0%B8%A7%E0%B8%97%E0%B8%B5.xlsx", file.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["file_sha256"], sha256(&file));
    for n in [3u64, 4, 5, 6] {
        let id = row(&r.body, n)["issue_id"].as_str().unwrap().to_owned();
        let h = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await;
        let first = &h.body["items"][0];
        assert_eq!(first["event_type"], "IssueRaised");
        assert_eq!(first["event_version"], "1.4", "{first}");
        let source = &first["data"]["source"];
        assert_eq!(source["file_sha256"], sha256(&file), "{first}");
        assert_eq!(source["file_name"], "เวที.xlsx");
        assert_eq!(source["sheet"], "ปัญหาจากเวที");
        assert_eq!(source["row"], n);
    }
}

async fn historical_rows_count_in_their_month_and_fiscal_year_and_as_of_cuts_by_recorded_time(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-04").await;
    // Recorded now, but raised in January 2024 (FY 2567) and October 2023 (FY 2567 too: Oct–Sep).
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let before_import = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let file = csv(&[
        &[&area, "15/01/2567", "INF", "ถนนชำรุด", "", "ปิดเรื่อง", "อบต.", "แก้ไขได้แล้ว"],
        &[&area, "01/10/2566", "INF", "ไฟดับ", "", "", "", ""],
        &[&area, "2023-09-30", "INF", "น้ำท่วม", "", "", "", ""],
    ]);
    let r = post_file(&app, &app.staff, "dry_run=false&name=h.csv", file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    santisuk_tests::settle(&app.state.runner, &app.state.db).await;
    let query = |by: &str| format!("/api/stats/resolution?by={by}&area_id={area}");
    let by_month = app.get(&query("month"), &app.staff).await;
    assert_eq!(by_month.status, StatusCode::OK, "{}", by_month.body);
    let months: Vec<(String, u64)> = by_month.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["raised"].as_u64().unwrap_or(0) > 0)
        .map(|r| (r["month"].as_str().unwrap().to_owned(), r["raised"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        months,
        [("2023-09".to_owned(), 1), ("2023-10".to_owned(), 1), ("2024-01".to_owned(), 1)],
        "{}",
        by_month.body
    );
    let by_fy = app.get(&query("fiscal_year"), &app.staff).await;
    let years: Vec<(String, u64)> = by_fy.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["fiscal_year"].as_str().map(str::to_owned).unwrap_or_else(|| r["fiscal_year"].to_string()),
                r["raised"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(years, [("2566".to_owned(), 1), ("2567".to_owned(), 2)], "{}", by_fy.body);
    // As of a moment before the import was recorded, none of it is known, whatever its field dates.
    let as_of = app.get(&format!("{}&as_of={}", query("month"), before_import.replace('+', "%2B")), &app.staff).await;
    assert_eq!(as_of.status, StatusCode::OK, "{}", as_of.body);
    assert_eq!(as_of.body["totals"]["raised"], 0, "{}", as_of.body);
}

async fn bad_files_are_refused_and_write_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-05").await;
    let before = app.event_count().await;
    let mut cases: Vec<(&str, Vec<u8>, StatusCode, &str, &str)> = Vec::new();

    // Merged cells inside the table.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.merge_range(1, 0, 3, 0, &area, &Format::new()).unwrap();
    for r in 1..4 {
        ws.write_string(r, 1, "15/01/2567").unwrap();
        ws.write_string(r, 2, "INF").unwrap();
        ws.write_string(r, 3, format!("เรื่อง {r}")).unwrap();
    }
    cases.push((
        "merged",
        wb.save_to_buffer().unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_merged_cells",
        "A2:A4",
    ));

    // 100,000 rows of CSV, and of xlsx (refused from the sheet's declared size).
    let mut big = String::from("พื้นที่,วันที่,ประเภท,เรื่อง\n");
    for i in 0..100_000 {
        big.push_str(&format!("{area},15/01/2567,INF,เรื่อง {i}\n"));
    }
    cases.push(("csv 100k", big.into_bytes(), StatusCode::PAYLOAD_TOO_LARGE, "import_too_many_rows", "5000"));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=100_000u32 {
        ws.write_string(r, 0, &area).unwrap();
        ws.write_string(r, 3, "ถนน").unwrap();
    }
    cases.push((
        "xlsx 100k",
        wb.save_to_buffer().unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "import_too_many_rows",
        "100001",
    ));

    // A small file that unpacks to far more than a sheet of problems (a zip bomb): 4,000 cells of 30,000
    // letters, written inline (the constant-memory writer keeps no shared-string table), about 115 MiB
    // unpacked in a file of well under a MiB.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let filler = "ก".repeat(10_000);
    for r in 1..=1_000u32 {
        for c in 4..8u16 {
            ws.write_string(r, c, &filler).unwrap();
        }
    }
    let bomb = wb.save_to_buffer().unwrap();
    assert!(bomb.len() < 10 * 1024 * 1024, "the file itself is under the upload limit: {} bytes", bomb.len());
    cases.push(("zip bomb", bomb, StatusCode::PAYLOAD_TOO_LARGE, "import_too_large", "unpacks to more than 100 MiB"));

    // Not a spreadsheet at all.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0".to_vec();
    cases.push(("png", png, StatusCode::UNSUPPORTED_MEDIA_TYPE, "import_not_spreadsheet", "binary"));
    cases.push((
        "pdf",
        b"%PDF-1.7\n1 0 obj".to_vec(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "import_not_spreadsheet",
        "PDF",
    ));
    cases.push(("empty", Vec::new(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "import_not_spreadsheet", "empty"));
    cases.push((
        "xls",
        vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "import_not_spreadsheet",
        ".xls",
    ));
    cases.push((
        "zip",
        b"PK\x03\x04garbage that is no workbook".to_vec(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "import_not_spreadsheet",
        "workbook",
    ));
    cases.push((
        "a letter",
        "เรียน ท่านนายอำเภอ\nขอแจ้งปัญหาถนนชำรุด\n".as_bytes().to_vec(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_no_header",
        "header row",
    ));
    cases.push((
        "no title column",
        "พื้นที่,วันที่,ประเภท\nPTN-05,15/01/2567,INF\n".as_bytes().to_vec(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_missing_columns",
        "title",
    ));
    cases.push((
        "header only",
        "พื้นที่,วันที่,ประเภท,เรื่อง\n".as_bytes().to_vec(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "import_no_rows",
        "no rows",
    ));
    for (what, bytes, status, code, named) in cases {
        for dry_run in ["true", "false"] {
            let r = post_file(&app, &app.staff, &format!("dry_run={dry_run}&name=bad"), bytes.clone()).await;
            assert_eq!(r.status, status, "{what}: {}", r.body);
            assert_eq!(r.code(), code, "{what}: {}", r.body);
            let message = r.body["error"]["message"].as_str().unwrap();
            assert!(message.contains(named), "{what}: the message names {named:?}: {message}");
        }
        assert_eq!(app.event_count().await, before, "{what} wrote nothing");
    }
    // A sheet asked for by a name the workbook lacks.
    let r = post_file(&app, &app.staff, "dry_run=false&sheet=Sheet9", workbook(&area, false, false)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.code(), "import_sheet_not_found");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("ปัญหาจากเวที"), "the sheets are listed");
    let r = post_file(&app, &app.staff, "dry_run=maybe", workbook(&area, false, false)).await;
    assert_eq!(r.code(), "bad_dry_run");
    assert_eq!(app.event_count().await, before);
}

async fn formulas_use_their_saved_values_and_say_so(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-06").await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, &area).unwrap();
    ws.write_string(1, 1, "15/01/2567").unwrap();
    ws.write_string(1, 2, "INF").unwrap();
    ws.write_formula(1, 3, Formula::new("=CONCATENATE(\"ถนน\",\"ชำรุด\")").set_result("ถนนชำรุด")).unwrap();
    let r = post_file(&app, &app.staff, "dry_run=false&name=f.xlsx", wb.save_to_buffer().unwrap()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(row(&r.body, 2)["title"], "ถนนชำรุด");
    assert!(r.body["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("formulas")), "{}", r.body);
    assert!(row(&r.body, 2)["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("formula")));
    assert_eq!(r.body["counts"]["created"], 1);
}

async fn the_sheet_is_chosen_by_name_or_as_the_first_with_a_header(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-07").await;
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("คำอธิบาย").unwrap().write_string(0, 0, "ไฟล์นี้สรุปปัญหาจากเวที").unwrap();
    for name in ["ปี 2566", "ปี 2567"] {
        let ws = wb.add_worksheet().set_name(name).unwrap();
        for (c, h) in HEADERS.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, &area).unwrap();
        ws.write_string(1, 1, if name == "ปี 2566" { "01/02/2566" } else { "01/02/2567" }).unwrap();
        ws.write_string(1, 2, "INF").unwrap();
        ws.write_string(1, 3, name).unwrap();
    }
    let file = wb.save_to_buffer().unwrap();
    let first = post_file(&app, &app.staff, "", file.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["sheet"], "ปี 2566", "the first sheet with a header, not the notes");
    assert!(first.body["notes"][0].as_str().unwrap().contains("first of the workbook's 3 sheets"), "{}", first.body);
    let chosen = post_file(&app, &app.staff, "sheet=%E0%B8%9B%E0%B8%B5%202567", file).await;
    assert_eq!(chosen.body["sheet"], "ปี 2567", "{}", chosen.body);
    assert_eq!(row(&chosen.body, 2)["date"], "2024-02-01");
}

async fn a_csv_in_tis_620_is_named_and_read_when_asked(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-08").await;
    let text = format!("พื้นที่,วันที่,ประเภท,เรื่อง\n{area},15/01/2567,INF,ถนนชำรุด\n");
    let (tis, _, _) = encoding_rs::WINDOWS_874.encode(&text);
    let before = app.event_count().await;
    let r = post_file(&app, &app.staff, "dry_run=false", tis.to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.code(), "import_not_utf8");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("TIS-620"), "{}", r.body);
    assert_eq!(app.event_count().await, before);
    let r = post_file(&app, &app.staff, "dry_run=false&encoding=windows-874", tis.to_vec()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(row(&r.body, 2)["title"], "ถนนชำรุด");
    assert_eq!(r.body["counts"]["created"], 1);
    // The same content in UTF-8 (with a BOM, as Excel writes "CSV UTF-8") is the same problem.
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(text.as_bytes());
    let r = post_file(&app, &app.staff, "dry_run=false", utf8).await;
    assert_eq!(r.body["counts"]["already_imported"], 1, "{}", r.body);
    assert_eq!(r.body["counts"]["created"], 0);
}

async fn only_admins_and_staff_import(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-09").await;
    let file = csv(&[&[&area, "15/01/2567", "INF", "ถนน", "", "", "", ""]]);
    let before = app.event_count().await;
    for token in [&app.coordinator, &app.auditor] {
        let r = post_file(&app, token, "dry_run=false", file.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    let r = post_file(&app, "not-a-token", "dry_run=false", file.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.event_count().await, before);
    let r = post_file(&app, &app.admin, "dry_run=false", file).await;
    assert_eq!(r.body["counts"]["created"], 1, "{}", r.body);
}

async fn the_import_page_previews_and_then_imports(backend: Backend) {
    use santisuk_projections::users::Role;
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-10").await;
    let mut staff = app.web_as(Role::Staff).await;
    let page = staff.get("/admin/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("นำเข้าตาราง") && page.body.contains("ผลการดำเนินการ"), "the columns are listed");
    let csrf = page.csrf();
    let file = csv(&[&[&area, "15/01/2567", "INF", "ถนนชำรุดหน้าโรงเรียน", "", "", "", ""]]);
    let before = app.event_count().await;
    let preview =
        post_multipart(&app, &staff, &[("_csrf", &csrf), ("encoding", "utf-8")], Some(("เวที.csv", file))).await;
    assert_eq!(preview.0, StatusCode::OK, "{}", preview.1);
    assert!(preview.1.contains("ตัวอย่างก่อนนำเข้า") && preview.1.contains("ถนนชำรุดหน้าโรงเรียน"), "{}", preview.1);
    assert!(preview.1.contains("15 ม.ค. 2567"), "the date in the Buddhist Era");
    assert_eq!(app.event_count().await, before, "the preview writes nothing");
    let content = hidden(&preview.1, "content");
    let fields = [
        ("_csrf", csrf.as_str()),
        ("content", &content),
        ("name", "เวที.csv"),
        ("sheet", ""),
        ("encoding", "utf-8"),
        ("confirm", "1"),
    ];
    let confirm = post_multipart(&app, &staff, &fields, None).await;
    assert_eq!(confirm.0, StatusCode::OK, "{}", confirm.1);
    assert!(confirm.1.contains("ผลการนำเข้า"), "{}", confirm.1);
    assert_eq!(app.event_count().await, before + 1);
    // Without the CSRF token nothing is done.
    let forged = post_multipart(&app, &staff, &fields[1..], None).await;
    assert_eq!(forged.0, StatusCode::FORBIDDEN);
    // A file refused as a whole shows the form again with the reason.
    let refused = post_multipart(&app, &staff, &[("_csrf", &csrf)], Some(("x.pdf", b"%PDF-1.4".to_vec()))).await;
    assert_eq!(refused.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(refused.1.contains("ไม่ใช่ไฟล์ตาราง"), "{}", refused.1);
    // A coordinator is refused the page.
    let mut coordinator = app.web_as(Role::Coordinator).await;
    assert_eq!(coordinator.get("/admin/import").await.status, StatusCode::FORBIDDEN);
}

/// POSTs the import form as multipart (the browser's way), with the client's session cookie.
async fn post_multipart(
    app: &TestApp,
    client: &santisuk_tests::web::WebClient,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> (StatusCode, String) {
    use axum::http::{Request, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    const BOUNDARY: &str = "santisuk-import-boundary-3f1a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((file_name, bytes)) = file {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let cookie: Vec<String> = client.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let req = Request::builder()
        .method("POST")
        .uri("/admin/import")
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"))
        .header(header::COOKIE, cookie.join("; "))
        .body(Body::from(body))
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    (status, String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

/// The value of the hidden input `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).unwrap_or_else(|| panic!("no hidden {name}")) + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// A sheet that says "waiting" (รอดำเนินการ: raised) yet names who is responsible and what was done: the
/// domain records an action only after an assignment, which a raised problem has not had. The dry run must
/// list it as the row's problem; before, it passed the check and the import stopped after the raise,
/// half-written (`import_interrupted`).
async fn a_raised_row_with_an_action_is_a_row_problem_not_a_half_written_import(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-11").await;
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(
        format!(
            "พื้นที่,วันที่,ประเภท,เรื่อง,สถานะ,ผู้รับผิดชอบ,การดำเนินการ\n\
             {area},15/01/2567,INF,ถนนชำรุด,,,\n\
             {area},16/01/2567,INF,ท่อประปาแตก,รอดำเนินการ,อบต.,ส่งช่างไปดูแล้ว\n"
        )
        .as_bytes(),
    );
    let before = app.event_count().await;
    let dry = post_file(&app, &app.staff, "dry_run=true&name=waiting.csv", file.clone()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(codes(row(&dry.body, 3)), ["action:action_on_raised"], "{}", row(&dry.body, 3));
    assert!(row(&dry.body, 3)["problems"][0]["message"].as_str().unwrap().contains("raised"), "{}", dry.body);
    let r = post_file(&app, &app.staff, "dry_run=false&name=waiting.csv", file).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.code(), "import_rows_invalid", "{}", r.body);
    assert!(r.body["error"]["message"].as_str().unwrap().contains("row 3 action"), "{}", r.body);
    assert_eq!(app.event_count().await, before, "nothing half-written: not even row 2");
}

/// A row closed without an assignee may not keep its action (the rules record an action only after an
/// assignment): the dry run says so in the row's notes rather than dropping it unseen.
async fn an_action_that_cannot_be_kept_is_noted_in_the_dry_run(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-12").await;
    let file = format!(
        "พื้นที่,วันที่,ประเภท,เรื่อง,สถานะ,ผู้รับผิดชอบ,การดำเนินการ,ผลการดำเนินการ\n\
         {area},17/01/2567,INF,ไฟถนนดับ,ปิดเรื่อง,,ประสานการไฟฟ้าแล้ว,ส่งต่อหน่วยงานอื่น\n"
    );
    let before = app.event_count().await;
    let dry = post_file(&app, &app.staff, "dry_run=true&name=closed.csv", file.into_bytes()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert!(codes(row(&dry.body, 2)).is_empty(), "{}", row(&dry.body, 2));
    let notes = row(&dry.body, 2)["notes"].as_array().cloned().unwrap_or_default();
    assert!(notes.iter().any(|n| n.as_str().unwrap_or("").starts_with("action: not recorded")), "{}", dry.body);
    assert_eq!(app.event_count().await, before, "a dry run writes nothing");
}

/// A row marked assigned (มอบหมายแล้ว) that also records an action: the import assigns it and records the
/// action, which moves it on to in progress. The dry run must report that status, not the one written.
async fn the_dry_run_reports_the_status_the_import_leaves(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-13").await;
    let file = format!(
        "พื้นที่,วันที่,ประเภท,เรื่อง,สถานะ,ผู้รับผิดชอบ,การดำเนินการ\n\
         {area},18/01/2567,INF,ท่อระบายน้ำอุดตัน,มอบหมายแล้ว,อบต.,ลอกท่อแล้ว\n"
    )
    .into_bytes();
    let dry = post_file(&app, &app.staff, "dry_run=true&name=assigned.csv", file.clone()).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(row(&dry.body, 2)["events"], serde_json::json!(["IssueRaised", "IssueAssigned", "IssueAddressed"]));
    assert_eq!(row(&dry.body, 2)["status"], "addressed", "{}", dry.body);
    let r = post_file(&app, &app.staff, "dry_run=false&name=assigned.csv", file).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = row(&r.body, 2)["issue_id"].as_str().unwrap().to_owned();
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(issue.body["status"], row(&dry.body, 2)["status"], "{}", issue.body);
}

/// Thirty rows closed as resolved (each raised, assigned, addressed and closed: four events), titled `title`.
fn closed_rows(area: &str, title: &str) -> Vec<u8> {
    let mut file = format!("{}\n", HEADERS.join(","));
    for i in 0..30 {
        file.push_str(&format!("{area},15/01/2567,INF,{title} {i},,ปิดเรื่อง,อบต.,แก้ไขได้แล้ว\n"));
    }
    file.into_bytes()
}

/// Imports `file` (named `name`) twice at once, the second import started once the first has written
/// (`staggered`: it then reads rows the first has only partly written) or together with it, and checks that
/// each row's four events exist exactly once, that both answers are successes, that they wrote 120 events
/// between them, and that a third import in a row writes nothing.
async fn import_twice_at_once(app: &TestApp, file: Vec<u8>, name: &str, staggered: bool) {
    let query = format!("dry_run=false&name={name}");
    let before = app.event_count().await;
    let first = tokio::spawn({
        let (app, file, query) = (app.clone(), file.clone(), query.clone());
        async move { post_file(&app, &app.staff, &query, file).await }
    });
    while staggered && app.event_count().await == before && !first.is_finished() {
        tokio::task::yield_now().await;
    }
    let second = post_file(app, &app.staff, &query, file.clone()).await;
    let first = first.await.expect("the first import");
    for r in [&first, &second] {
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let written = |r: &Reply| r.body["counts"]["events_written"].as_u64().unwrap();
    assert_eq!(written(&first) + written(&second), 120, "{} / {}", first.body, second.body);
    assert_eq!(app.event_count().await, before + 120, "four events a row, none twice");
    for n in 2..=31 {
        let id = row(&first.body, n)["issue_id"].as_str().unwrap().to_owned();
        let history = santisuk_store::events::aggregate_history(app.db(), "Issue", &id).await.unwrap();
        let types: Vec<&str> = history.iter().map(|e| e.event_type.as_str()).collect();
        assert_eq!(types, ["IssueRaised", "IssueAssigned", "IssueAddressed", "IssueClosed"], "row {n}");
    }
    let again = post_file(app, &app.staff, &query, file).await;
    assert_eq!(again.body["counts"]["events_written"], 0, "{}", again.body);
    assert_eq!(app.event_count().await, before + 120, "a file imported again in a row writes nothing");
}

/// Two imports of one file at the same time: only the raise was keyed (by the problem's id), so an import
/// that read a row after the other had raised it wrote the row's later events again (#18). Each event is
/// now keyed by its place in the row, and written once.
async fn imports_of_one_file_at_once_write_each_event_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-14").await;
    import_twice_at_once(&app, closed_rows(&area, "ถนนสายที่"), "staggered.csv", true).await;
    import_twice_at_once(&app, closed_rows(&area, "ท่อประปาสายที่"), "together.csv", false).await;
}
