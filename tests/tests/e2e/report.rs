//! The printed forum report and the complainant's receipt (issue #18 §3, §4), on both backends: the PDF made
//! by the server is rendered to PNG with `pdftoppm` and its text extracted with `pdftotext` (Debian's
//! poppler-utils, installed by the test when missing) and compared with golden files under
//! `tests/fixtures/report/`; the print page's content; who may print (a coordinator of another area gets
//! 404, an auditor reads); restricted cases and personal data absent whoever prints; a forum with no
//! problems; a long Thai description wrapping across lines and pages without splitting a word; Malay.
//!
//! The data is fixed (area ids, days, `at` of every event), so the papers are the same on every run. To
//! write the golden files anew after a deliberate change of layout or wording: `UPDATE_GOLDEN=1 cargo test
//! -p santisuk-tests --test e2e report`, then read the diff (and look at the PNGs in
//! `target/report-png/`) before committing it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use santisuk_projections::users::Role;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;
use tower::ServiceExt;

both_backends!(
    the_forum_report_pdf_prints_the_forum_its_problems_and_the_closed_ones_in_thai,
    the_forum_report_prints_in_malay_and_in_english,
    the_print_page_says_what_the_pdf_says_and_nothing_personal,
    only_those_who_may_see_the_forum_print_its_report,
    a_forum_with_no_problems_says_so,
    a_long_thai_description_wraps_between_words_across_pages,
    the_receipt_tells_the_complainant_the_reference_what_next_and_whom_to_ask,
    a_receipt_is_printed_by_whoever_may_read_the_problem_and_a_restricted_one_has_no_title,
    a_paper_in_an_unknown_language_is_refused,
    a_case_restricted_by_its_category_is_on_no_paper,
);

/// Installs poppler-utils once per run when `pdftotext` or `pdftoppm` is missing (CI starts clean).
fn ensure_poppler() {
    static INSTALL: Mutex<bool> = Mutex::new(false);
    let mut done = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let present = || {
        ["pdftotext", "pdftoppm"].iter().all(|t| Command::new(t).arg("-v").output().is_ok_and(|o| o.status.success()))
    };
    if *done || present() {
        *done = true;
        return;
    }
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "poppler-utils"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        let _ = Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive").status();
        install();
    }
    assert!(present(), "the report tests need Debian's poppler-utils: `apt-get install -y poppler-utils` (as root)");
    *done = true;
}

/// A GET through the router with a bearer token (or none): status, content type and the raw body.
async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut req = Request::builder().uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = app.router.clone().oneshot(req.body(Body::empty()).expect("request")).await.expect("infallible");
    let status = resp.status();
    let kind =
        resp.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap_or("").to_owned()).unwrap_or_default();
    (status, kind, resp.into_body().collect().await.expect("body").to_bytes().to_vec())
}

/// The PDF at `path` (API, bearer token), checked to be one.
async fn pdf(app: &TestApp, path: &str, token: &str) -> Vec<u8> {
    let (status, kind, bytes) = fetch(app, path, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&bytes));
    assert_eq!(kind, "application/pdf");
    assert!(bytes.starts_with(b"%PDF-"), "{path} is not a PDF");
    bytes
}

fn out_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"), PathBuf::from);
    let dir = target.join("report-png");
    std::fs::create_dir_all(&dir).expect("png dir");
    dir
}

/// The text poppler extracts from `bytes`, with only what must be normalised: spaces at line ends (which
/// depend on the extractor's layout guesses). Pages stay separated by form feeds.
fn text_of(bytes: &[u8], name: &str) -> String {
    ensure_poppler();
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join(format!("{name}.pdf"));
    std::fs::write(&file, bytes).expect("write pdf");
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&file).arg("-").output().expect("pdftotext");
    assert!(out.status.success(), "pdftotext: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("utf-8 text");
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim_end().to_owned() + "\n"
}

/// Renders every page to PNG (kept under `target/report-png/` to be looked at) and returns how many.
fn render_pages(bytes: &[u8], name: &str) -> usize {
    ensure_poppler();
    let dir = out_dir();
    let file = dir.join(format!("{name}.pdf"));
    std::fs::write(&file, bytes).expect("write pdf");
    let prefix = dir.join(name);
    let out = Command::new("pdftoppm").args(["-png", "-r", "110"]).arg(&file).arg(&prefix).output().expect("pdftoppm");
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    let pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "png")
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{name}-")))
        })
        .collect();
    for p in &pages {
        // A page with the text drawn is far from blank: a PNG of a white A4 page at 110 dpi is ~3 KB.
        assert!(std::fs::metadata(p).expect("png").len() > 8_000, "{} looks blank", p.display());
    }
    pages.len()
}

/// Compares `text` with the golden file `name` (or writes it, with `UPDATE_GOLDEN=1`).
fn golden(name: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/report").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("fixtures dir");
        std::fs::write(&path, text).expect("write golden");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no golden file {}", path.display()));
    assert_eq!(text, want, "the text of the PDF differs from {}", path.display());
}

/// What no paper may print: the complainant's name and contact, the group named as raising it, and the
/// restricted case's title and description.
const PERSONAL: [&str; 5] = ["สมชาย ใจดี", "0812345678", "กลุ่มสตรีบ้านทดสอบ", "ลับเฉพาะ", "ผู้ให้ข้อมูลลับ"];

struct Story {
    forum: String,
    earlier_forum: String,
    flood: String,
    restricted: String,
}

async fn ok(app: &TestApp, path: &str, body: serde_json::Value) -> serde_json::Value {
    let r = app.post(path, &app.staff, body).await;
    assert!(r.status.is_success(), "{path}: {:?}", r.body);
    r.body
}

/// An area in Pattani with two forums: at the first (15 Jan 2026) a road problem raised, assigned,
/// closed as resolved on 20 Feb; at the second (10 Mar 2026) a flood (with a complainant and a group), a
/// school problem, a Latin-and-Thai title, and a restricted case. `granted`: whether the test coordinator
/// may see the area.
async fn story(app: &TestApp, area: &str, granted: bool) -> Story {
    let r = app
        .post(
            "/api/areas",
            &app.admin,
            json!({"id": area, "name_th": "บ้านทดสอบ", "name_en": "Ban Thotsop", "amphoe_code": "9401"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    if granted {
        app.grant_coordinator(area).await;
    }
    let earlier = ok(app, "/api/forums", json!({"area_id": area, "held_on": "2026-01-15", "title": "เวทีครั้งที่ 1"})).await;
    let earlier_forum = earlier["id"].as_str().expect("id").to_owned();
    let road = ok(
        app,
        "/api/issues",
        json!({"area_id": area, "category": "INF", "title": "ถนนเข้าหมู่บ้านชำรุด", "forum_id": earlier_forum,
               "at": "2026-01-15T03:00:00Z"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(
        app,
        &format!("/api/issues/{road}/assign"),
        json!({"assignee": "องค์การบริหารส่วนตำบลทดสอบ", "due_on": "2026-02-28", "at": "2026-01-20T03:00:00Z"}),
    )
    .await;
    ok(
        app,
        &format!("/api/issues/{road}/address"),
        json!({"action": "อบต.ซ่อมผิวถนนและเทคอนกรีตช่วงที่ชำรุดแล้ว", "at": "2026-02-15T03:00:00Z"}),
    )
    .await;
    ok(app, &format!("/api/issues/{road}/close"), json!({"outcome": "resolved", "at": "2026-02-20T03:00:00Z"})).await;
    let forum = ok(
        app,
        "/api/forums",
        json!({"area_id": area, "held_on": "2026-03-10", "title": "เวทีรับฟังปัญหา มัสยิดบ้านทดสอบ",
               "facilitator": "นางสาวอามีเนาะ สาและ", "participants": 48}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let raise = |title: &str, extra: serde_json::Value| {
        let mut body = json!({"area_id": area, "category": "INF", "title": title, "forum_id": forum,
                              "at": "2026-03-10T04:00:00Z"});
        body.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
        body
    };
    let flood = ok(
        app,
        "/api/issues",
        raise(
            "น้ำท่วมขังถนนหน้าโรงเรียนตาดีกา",
            json!({"description": "ผู้ใหญ่บ้านแจ้งว่าน้ำท่วมทุกครั้งที่ฝนตกหนัก ท่อระบายน้ำอุดตัน",
                   "raised_by": "กลุ่มสตรีบ้านทดสอบ",
                   "complainant": {"name": "สมชาย ใจดี", "phone": "0812345678"}}),
        ),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(
        app,
        &format!("/api/issues/{flood}/assign"),
        json!({"assignee": "เทศบาลตำบลทดสอบ", "due_on": "2026-04-30", "at": "2026-03-11T03:00:00Z"}),
    )
    .await;
    ok(app, "/api/issues", raise("ไฟฟ้าส่องสว่าง Solar cell ชำรุด 3 จุด", json!({"category": "INF"}))).await;
    let restricted =
        ok(app, "/api/issues", raise("เรื่องลับเฉพาะของผู้ให้ข้อมูลลับ", json!({"description": "ลับเฉพาะ", "restricted": true})))
            .await["id"]
            .as_str()
            .expect("id")
            .to_owned();
    Story { forum, earlier_forum, flood, restricted }
}

fn assert_nothing_personal(text: &str) {
    for p in PERSONAL {
        assert!(!text.contains(p), "the paper prints {p:?}:\n{text}");
    }
}

async fn the_forum_report_pdf_prints_the_forum_its_problems_and_the_closed_ones_in_thai(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = story(&app, "RPT-TH", true).await;
    let before = app.event_count().await;
    // An admin reads every restricted case, and still the paper does not print it.
    let bytes = pdf(&app, &format!("/api/forums/{}/report.pdf?lang=th", s.forum), &app.admin).await;
    assert_eq!(app.event_count().await, before, "printing writes no event");
    let name = format!("forum-th-{}", backend_name(backend));
    assert!(render_pages(&bytes, &name) >= 1);
    let text = text_of(&bytes, &name);
    assert_nothing_personal(&text);
    for shaped in ["ผู้ใหญ่บ้าน", "น้ำท่วม", "ปัญหาที่ได้รับแจ้ง", "ถนนเข้าหมู่บ้านชำรุด", "ปิดเมื่อ: 20 กุมภาพันธ์ 2569"]
    {
        assert!(text.contains(shaped), "{shaped:?} is not extracted as written:\n{text}");
    }
    golden("forum-th.txt", &text);
    // The web app's twin gives the same paper to a signed-in user.
    let mut web = app.web_as(Role::Staff).await;
    let page = web.get(&format!("/forums/{}/report.pdf?lang=th", s.forum)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.starts_with("%PDF-"));
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

async fn the_forum_report_prints_in_malay_and_in_english(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = story(&app, "RPT-MS", true).await;
    for (lang, words) in [
        ("ms", ["Laporan forum", "Masalah yang dibangkitkan di forum ini (2)", "Wilayah Pattani", "Telah diserahkan"]),
        ("en", ["Forum report", "Problems raised at this forum (2)", "Province Pattani", "Assigned"]),
    ] {
        let bytes = pdf(&app, &format!("/api/forums/{}/report.pdf?lang={lang}", s.forum), &app.staff).await;
        let name = format!("forum-{lang}-{}", backend_name(backend));
        render_pages(&bytes, &name);
        let text = text_of(&bytes, &name);
        assert_nothing_personal(&text);
        for w in words {
            assert!(text.contains(w), "{lang}: {w:?} missing:\n{text}");
        }
        // Titles stay as they were typed (Thai), the paper's words are Malay or English.
        assert!(text.contains("น้ำท่วมขังถนนหน้าโรงเรียนตาดีกา"), "{text}");
        golden(&format!("forum-{lang}.txt"), &text);
    }
}

async fn the_print_page_says_what_the_pdf_says_and_nothing_personal(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = story(&app, "RPT-WEB", true).await;
    let mut web = app.web_as(Role::Admin).await;
    let page = web.get(&format!("/forums/{}/report", s.forum)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("lang=\"th\"") && body.contains("class=\"paper\""), "{body}");
    for w in [
        "รายงานผลเวทีรับฟังปัญหา",
        "10 มีนาคม 2569",
        "บ้านทดสอบ · อำเภอ",
        "นางสาวอามีเนาะ สาและ",
        "48 คน",
        "ปัญหาที่ได้รับแจ้งในเวทีนี้ (2)",
        "น้ำท่วมขังถนนหน้าโรงเรียนตาดีกา",
        "เทศบาลตำบลทดสอบ",
        "30 เมษายน 2569",
        "ไฟฟ้าส่องสว่าง Solar cell ชำรุด 3 จุด",
        "เรื่องในพื้นที่ที่ปิดแล้วตั้งแต่เวทีครั้งก่อน (ตั้งแต่เวทีวันที่ 15 มกราคม 2569)",
        "ถนนเข้าหมู่บ้านชำรุด",
        "แก้ไขได้แล้ว",
        "report.pdf?lang=th",
    ] {
        assert!(body.contains(w), "{w:?} missing from the page");
    }
    assert_nothing_personal(body);
    assert!(!body.contains(&s.restricted), "the restricted case's id is on the page");
    // Malay on the page too, and the language links.
    let ms = web.get(&format!("/forums/{}/report?lang=ms", s.forum)).await;
    assert!(
        ms.body.contains("lang=\"ms\"") && ms.body.contains("Masalah yang dibangkitkan di forum ini (2)"),
        "{}",
        ms.body
    );
    assert_nothing_personal(&ms.body);
    // The forum's page and its problem's page link to their papers, the PDF in each language.
    let forum_page = web.get(&format!("/forums/{}", s.forum)).await;
    for lang in ["th", "ms", "en"] {
        let pdf = format!("/forums/{}/report.pdf?lang={lang}", s.forum);
        assert!(forum_page.body.contains(&pdf), "{pdf} missing from the forum's page");
    }
    let issue_page = web.get(&format!("/issues/{}", s.flood)).await;
    assert!(issue_page.body.contains(&format!("/issues/{}/receipt.pdf?lang=ms", s.flood)), "{}", issue_page.body);
    // The earlier forum's report lists its one problem, closed since, with its outcome.
    let earlier = web.get(&format!("/forums/{}/report?lang=en", s.earlier_forum)).await;
    assert!(earlier.body.contains("Problems raised at this forum (1)"), "{}", earlier.body);
    assert!(earlier.body.contains("Closed problems of the area (its first forum)"), "{}", earlier.body);
}

async fn only_those_who_may_see_the_forum_print_its_report(backend: Backend) {
    let app = TestApp::new(backend).await;
    // The test coordinator is not given this area.
    let s = story(&app, "RPT-OTHER", false).await;
    for path in [format!("/api/forums/{}/report.pdf", s.forum), format!("/api/issues/{}/receipt.pdf", s.flood)] {
        let (status, _, body) = fetch(&app, &path, Some(&app.coordinator)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {}", String::from_utf8_lossy(&body));
        let (status, _, _) = fetch(&app, &path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        // An auditor reads everything and writes nothing: the papers are reads.
        let (status, kind, _) = fetch(&app, &path, Some(&app.auditor)).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"), "{path}");
    }
    let mut web = app.web_as(Role::Coordinator).await;
    for path in [
        format!("/forums/{}/report", s.forum),
        format!("/forums/{}/report.pdf", s.forum),
        format!("/issues/{}/receipt", s.flood),
        format!("/issues/{}/receipt.pdf", s.flood),
    ] {
        assert_eq!(web.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Without a session the page sends the browser to sign in.
    let mut anonymous = santisuk_tests::web::WebClient::new(&app);
    let page = anonymous.get(&format!("/forums/{}/report", s.forum)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // Once the area is theirs, the coordinator prints it.
    app.grant_coordinator("RPT-OTHER").await;
    let mut web = app.web_as(Role::Coordinator).await;
    assert_eq!(web.get(&format!("/forums/{}/report", s.forum)).await.status, StatusCode::OK);
    let (status, _, _) = fetch(&app, &format!("/api/forums/{}/report.pdf", s.forum), Some(&app.coordinator)).await;
    assert_eq!(status, StatusCode::OK);
    // A forum no one held.
    let (status, _, _) =
        fetch(&app, "/api/forums/00000000-0000-4000-8000-000000000000/report.pdf", Some(&app.admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_forum_with_no_problems_says_so(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.area("RPT-EMPTY").await;
    let forum = ok(&app, "/api/forums", json!({"area_id": "RPT-EMPTY", "held_on": "2026-05-02"})).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let bytes = pdf(&app, &format!("/api/forums/{forum}/report.pdf"), &app.coordinator).await;
    let name = format!("forum-empty-{}", backend_name(backend));
    assert_eq!(render_pages(&bytes, &name), 1);
    let text = text_of(&bytes, &name);
    for w in [
        "ปัญหาที่ได้รับแจ้งในเวทีนี้ (0)",
        "ไม่มีปัญหาที่ได้รับแจ้งในเวทีนี้",
        "เรื่องในพื้นที่ที่ปิดแล้ว (เวทีแรกของพื้นที่)",
        "ไม่มีเรื่องที่ปิดให้ชุมชนพิจารณา",
        "จำนวนผู้เข้าร่วม: ไม่ได้บันทึก",
    ] {
        assert!(text.contains(w), "{w:?} missing:\n{text}");
    }
    golden("forum-empty-th.txt", &text);
}

/// A Thai text of some 5,000 characters: sentences of the forum minutes, no spaces inside them.
fn long_thai() -> String {
    let sentences = [
        "ชาวบ้านแจ้งว่าน้ำท่วมขังบริเวณถนนสายหลักของหมู่บ้านทุกครั้งที่ฝนตกหนักต่อเนื่องเกินสองชั่วโมง",
        "ผู้ใหญ่บ้านและคณะกรรมการมัสยิดได้ประสานกับองค์การบริหารส่วนตำบลแล้วแต่ยังไม่ได้รับการแก้ไข",
        "นักเรียนโรงเรียนตาดีกาต้องเดินลุยน้ำไปเรียนและผู้ป่วยติดเตียงไม่สามารถเดินทางไปโรงพยาบาลได้",
        "ที่ประชุมเสนอให้ขุดลอกท่อระบายน้ำและยกระดับถนนช่วงที่ต่ำที่สุดประมาณสามร้อยเมตร",
    ];
    let mut text = String::new();
    for i in 0..60 {
        text.push_str(sentences[i % sentences.len()]);
        text.push(' ');
    }
    text.trim_end().to_owned()
}

async fn a_long_thai_description_wraps_between_words_across_pages(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.area("RPT-LONG").await;
    let forum = ok(&app, "/api/forums", json!({"area_id": "RPT-LONG", "held_on": "2026-06-01"})).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let description = long_thai();
    ok(
        &app,
        "/api/issues",
        json!({"area_id": "RPT-LONG", "category": "INF", "title": "น้ำท่วมขังถนนสายหลัก", "forum_id": forum,
               "description": description, "at": "2026-06-01T04:00:00Z"}),
    )
    .await;
    let bytes = pdf(&app, &format!("/api/forums/{forum}/report.pdf"), &app.staff).await;
    let name = format!("forum-long-{}", backend_name(backend));
    let pages = render_pages(&bytes, &name);
    assert!(pages >= 2, "the description fills more than a page: {pages}");
    let text = text_of(&bytes, &name);
    // Every character of the description comes back, in order, and in the extracted text the lines of the
    // description end only where a Thai word ends.
    let start = text.find("ชาวบ้านแจ้งว่า").expect("the description is there");
    let lines: Vec<&str> = text[start..]
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}'))
        .filter(|l| !l.is_empty() && !l.starts_with("Santisuk"))
        .take_while(|l| !l.starts_with("ผู้รับผิดชอบ"))
        .collect();
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(squeeze(&lines.concat()), squeeze(&description), "the description is extracted whole");
    assert!(lines.len() > 40, "it wraps over many lines: {}", lines.len());
    let segmenter = icu_segmenter::LineSegmenter::new_dictionary();
    let squeezed = squeeze(&description);
    let word_ends: std::collections::BTreeSet<usize> =
        segmenter.segment_str(&description).map(|b| squeeze(&description[..b]).len()).collect();
    let mut at = 0;
    for line in &lines[..lines.len() - 1] {
        at += squeeze(line).len();
        assert!(word_ends.contains(&at), "a line ends inside a word: {line:?}");
        assert!(at < squeezed.len());
    }
}

async fn the_receipt_tells_the_complainant_the_reference_what_next_and_whom_to_ask(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = story(&app, "RPT-RCPT", true).await;
    let issue = app.get(&format!("/api/issues/{}", s.flood), &app.staff).await;
    let case_number = issue.body["case_number"].as_str().expect("a case number").to_owned();
    for lang in ["th", "ms", "en"] {
        let bytes = pdf(&app, &format!("/api/issues/{}/receipt.pdf?lang={lang}", s.flood), &app.coordinator).await;
        let name = format!("receipt-{lang}-{}", backend_name(backend));
        assert_eq!(render_pages(&bytes, &name), 1);
        let text = text_of(&bytes, &name);
        assert!(text.contains(&case_number), "{text}");
        assert!(text.contains("1880"), "how to ask: {text}");
        assert_nothing_personal(&text);
        golden(&format!("receipt-{lang}.txt"), &text);
    }
    // By case number too, on the page, in Malay.
    let mut web = app.web_as(Role::Staff).await;
    let page = web.get(&format!("/issues/{case_number}/receipt?lang=ms")).await;
    assert_eq!(page.status, StatusCode::OK);
    for w in ["Resit aduan", "Nombor rujukan", &case_number, "Langkah seterusnya", "Cara bertanya"] {
        assert!(page.body.contains(w), "{w:?} missing: {}", page.body);
    }
    assert_nothing_personal(&page.body);
}

async fn a_receipt_is_printed_by_whoever_may_read_the_problem_and_a_restricted_one_has_no_title(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = story(&app, "RPT-RESTR", true).await;
    // The coordinator did not raise the restricted case and holds no grant: to them it does not exist.
    let (status, _, _) =
        fetch(&app, &format!("/api/issues/{}/receipt.pdf", s.restricted), Some(&app.coordinator)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Staff raised it, so staff read it, and so does an admin; the paper carries its reference, not its title.
    for token in [&app.staff, &app.admin] {
        let bytes = pdf(&app, &format!("/api/issues/{}/receipt.pdf", s.restricted), token).await;
        let text = text_of(&bytes, "receipt-restricted");
        assert!(text.contains("เรื่องนี้เป็นความลับ"), "{text}");
        assert_nothing_personal(&text);
    }
    // An auditor holds no grant of its category: to them it does not exist.
    let (status, _, _) = fetch(&app, &format!("/api/issues/{}/receipt.pdf", s.restricted), Some(&app.auditor)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // An obstacle has no complainant: no receipt.
    let obstacle = app
        .post(
            "/api/obstacles",
            &app.coordinator,
            json!({"area_id": "RPT-RESTR", "category": "OBS_BUDGET", "title": "งบประมาณไม่พอ"}),
        )
        .await;
    assert_eq!(obstacle.status, StatusCode::CREATED, "{:?}", obstacle.body);
    let id = obstacle.body["id"].as_str().expect("id");
    let (status, _, _) = fetch(&app, &format!("/api/issues/{id}/receipt.pdf"), Some(&app.admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_paper_in_an_unknown_language_is_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = story(&app, "RPT-LANG", true).await;
    let (status, _, body) = fetch(&app, &format!("/api/forums/{}/report.pdf?lang=fr", s.forum), Some(&app.staff)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["error"]["code"], "report_bad_lang");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("lang")));
    let mut web = app.web_as(Role::Staff).await;
    assert_eq!(web.get(&format!("/issues/{}/receipt?lang=fr", s.flood)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A case restricted by its category (not by its own mark) is left out of both lists of the report too,
/// for whoever prints it, and its receipt carries no title.
async fn a_case_restricted_by_its_category_is_on_no_paper(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = story(&app, "RPT-CAT", true).await;
    let code = "RPT_SECRET";
    let r = app
        .post("/api/categories", &app.admin, json!({"code": code, "name_th": "ความมั่นคง", "name_en": "Security"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let raised_here = ok(
        &app,
        "/api/issues",
        json!({"area_id": "RPT-CAT", "category": code, "title": "ด่านตรวจข่มขู่ชาวบ้าน", "forum_id": s.forum,
               "at": "2026-03-10T05:00:00Z"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let closed_since = ok(
        &app,
        "/api/issues",
        json!({"area_id": "RPT-CAT", "category": code, "title": "เจ้าหน้าที่ค้นบ้านกลางดึก", "forum_id": s.earlier_forum,
               "at": "2026-01-15T05:00:00Z"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(
        &app,
        &format!("/api/issues/{closed_since}/close"),
        json!({"outcome": "withdrawn", "note": "ผู้เสนอถอน", "at": "2026-02-25T03:00:00Z"}),
    )
    .await;
    // Before the category is restricted, both are printed (the test sees what it later misses).
    let mut web = app.web_as(Role::Admin).await;
    let page = web.get(&format!("/forums/{}/report", s.forum)).await;
    assert!(page.body.contains("ด่านตรวจข่มขู่ชาวบ้าน") && page.body.contains("เจ้าหน้าที่ค้นบ้านกลางดึก"), "{}", page.body);
    let r = app.post(&format!("/api/categories/{code}/restrict"), &app.admin, json!({"restricted": true})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let page = web.get(&format!("/forums/{}/report", s.forum)).await;
    assert_eq!(page.status, StatusCode::OK);
    for hidden in ["ด่านตรวจข่มขู่ชาวบ้าน", "เจ้าหน้าที่ค้นบ้านกลางดึก", "ความมั่นคง", raised_here.as_str(), closed_since.as_str()]
    {
        assert!(!page.body.contains(hidden), "{hidden:?} printed on the report");
    }
    assert!(page.body.contains("ปัญหาที่ได้รับแจ้งในเวทีนี้ (2)"), "the count leaves it out too");
    let bytes = pdf(&app, &format!("/api/forums/{}/report.pdf?lang=ms", s.forum), &app.admin).await;
    let text = text_of(&bytes, &format!("forum-category-restricted-{}", backend_name(backend)));
    assert!(!text.contains("ด่านตรวจ") && !text.contains("ค้นบ้าน"), "{text}");
    let receipt = web.get(&format!("/issues/{raised_here}/receipt")).await;
    assert_eq!(receipt.status, StatusCode::OK, "an admin may print it");
    assert!(!receipt.body.contains("ด่านตรวจข่มขู่ชาวบ้าน"), "a restricted case's receipt has no title");
}
