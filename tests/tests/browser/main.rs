//! End-to-end tests in a real browser: headless Debian Chromium driven over WebDriver (chromedriver) against
//! the app served on a real socket, on both backends. The story a coordinator team lives: sign in, record a
//! forum with three problems, assign, record an action, close one as resolved, see the dashboard change,
//! read the timeline; and a coordinator of another area sees none of it. Each page is also checked on a
//! 360-px-wide phone screen, and screenshots go to `target/screenshots/`.
//!
//! Chromium and chromedriver come from Debian's `chromium` and `chromium-driver` packages; when they are
//! missing the harness installs them with apt-get (CI starts from a clean machine), and fails with what to
//! install when it cannot.

mod admin;
mod forms;
// Issue #18 §1.
mod offline;
mod progress;
mod workflow;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use santisuk_tests::web::PASSWORD;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};

both_backends!(
    a_forum_from_intake_to_resolution_in_the_browser,
    the_dashboard_stays_readable_at_forty_areas_and_thirteen_categories,
    the_event_log_reads_on_a_phone_without_breaking_a_thai_word,
    a_dashboard_number_clicked_opens_the_queue_of_that_many_and_the_queue_fits_a_phone
);

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Installs Chromium and chromedriver once per test run when they are missing.
fn ensure_browser() {
    static INSTALL: Mutex<bool> = Mutex::new(false);
    let mut done = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if *done || (std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists()) {
        *done = true;
        return;
    }
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if !install() {
        let _ = Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive").status();
        install();
    }
    assert!(
        std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists(),
        "the browser tests need Debian's Chromium and ChromeDriver: `apt-get install -y chromium chromium-driver` \
         (as root; the tests tried and failed)"
    );
    *done = true;
}

/// A chromedriver process on a free port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

async fn start_driver() -> Driver {
    ensure_browser();
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start listening within 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

/// A fresh headless Chromium (its own empty profile) with the flags this machine needs: no sandbox as
/// root, and no background networking (the machine has no internet; Chromium would keep trying).
async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=th-TH",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("start a Chromium session")
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// A screenshot of the whole page (the window is stretched to the page's height first).
async fn shot(c: &Client, width: u32, name: &str) {
    let height = c
        .execute("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);", vec![])
        .await
        .expect("height")
        .as_u64()
        .unwrap_or(900) as u32;
    c.set_window_size(width, height.clamp(400, 6000) + 140).await.expect("resize");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).expect("write screenshot");
}

/// Waits (up to 20 s) for an element; on timeout, fails with what the page shows instead.
async fn wait_css(c: &Client, css: &str, what: &str) {
    let found = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await;
    if found.is_err() {
        let page = c.find(Locator::Css("body")).await.map(|b| async move { b.text().await.unwrap_or_default() });
        let shown = match page {
            Ok(f) => f.await,
            Err(_) => String::new(),
        };
        panic!("{what}: no {css} within 20 s; the page shows: {}", shown.chars().take(600).collect::<String>());
    }
}

/// Waits (up to 20 s) until a script returns true.
async fn wait_until(c: &Client, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    // A script run while the page is being replaced may fail: that only means "not yet".
    while !c.execute(script, vec![]).await.is_ok_and(|v| v == json!(true)) {
        assert!(Instant::now() < deadline, "{what}: not within 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.expect("text")
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
}

async fn fill(c: &Client, css: &str, value: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.expect("clear");
    e.send_keys(value).await.expect("type");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.expect("click");
}

async fn sign_in(c: &Client, base: &str, name: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("login page");
    fill(c, "#name", name).await;
    fill(c, "#password", password).await;
    click(c, "form[action='/login'] button[type=submit]").await;
    // A click returns before the next page has loaded: wait for it (signed in, or told why not).
    wait_until(
        c,
        "return document.readyState === 'complete' && (location.pathname !== '/login' || !!document.getElementById('login-error'));",
        "the answer to signing in",
    )
    .await;
}

/// No horizontal scrolling: everything fits the phone's width.
async fn fits(c: &Client, what: &str) {
    let overflow = js(c, "return document.documentElement.scrollWidth - window.innerWidth;").await;
    assert!(overflow.as_i64().unwrap_or(999) <= 0, "{what} is wider than a 360-px phone by {overflow} px");
}

/// The app on a socket and a fresh browser pointed at it; the driver and profile live as long as this.
struct Browsing {
    base: String,
    c: Client,
    /// Names the screenshots by backend.
    tag: &'static str,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

async fn browse(app: &TestApp, backend: Backend) -> Browsing {
    let base = serve(app).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(&driver, profile.path()).await;
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    Browsing { base, c, tag, _driver: driver, _profile: profile }
}

async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    format!("http://{addr}")
}

async fn a_forum_from_intake_to_resolution_in_the_browser(backend: Backend) {
    let app = TestApp::new(backend).await;
    // The forum's area is not one of the test coordinator's areas; the coordinator has one issue at home.
    let r = app
        .post("/api/areas", &app.admin, json!({"id": "BRW-1", "name_th": "ตำบลบานา (ทดสอบ)", "amphoe_code": "9401"}))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let home = format!("HOME-{}", app.suffix);
    app.raise(&home, "EDU", "เรื่องในพื้นที่ของผู้ประสานงาน").await;
    let staff = format!("staff-{}", app.suffix);
    let coordinator = format!("coordinator-{}", app.suffix);
    app.set_password(&staff).await;
    app.set_password(&coordinator).await;
    let Browsing { base, c, tag, _driver, _profile } = browse(&app, backend).await;

    // Sign-in: a wrong password is told in Thai; the right one lands on the page asked for.
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    assert!(c.current_url().await.expect("url").as_str().contains("/login?next="), "signed out → sign-in page");
    shot(&c, 1280, &format!("{tag}-sign-in")).await;
    sign_in(&c, &base, &staff, "not-the-password").await;
    assert_eq!(text(&c, "#login-error").await, "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง");
    sign_in(&c, &base, &staff, PASSWORD).await;
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    let raised_before: i64 = text(&c, "#kpi-raised .v").await.parse().expect("a number");
    let resolved_before: i64 = text(&c, "#kpi-resolved .v").await.parse().expect("a number");

    // Record a forum with three problems (the script adds a fourth row, left empty and ignored).
    c.goto(&format!("{base}/forums/new")).await.expect("forum page");
    c.find(Locator::Css("#area_id")).await.expect("area").select_by_value("BRW-1").await.expect("choose area");
    fill(&c, "#title", "เวทีประชาคมตำบลบานา ครั้งที่ 3").await;
    fill(&c, "#facilitator", "นางสาวซูไรดา ดอเลาะ").await;
    fill(&c, "#participants", "47").await;
    let problems = [
        ("ถนนเข้าหมู่บ้านชำรุด น้ำท่วมขังช่วงมรสุม", "INF"),
        ("เยาวชนว่างงานหลังจบการศึกษา (Belia menganggur)", "LIV"),
        ("<img src=x onerror=\"window.__xss=1\">ไฟส่องสว่างเสีย", "SEC"),
    ];
    for (i, (title, category)) in problems.iter().enumerate() {
        fill(&c, &format!("#p_title-{}", i + 1), title).await;
        c.find(Locator::Css(&format!("#p_category-{}", i + 1)))
            .await
            .expect("category")
            .select_by_value(category)
            .await
            .expect("choose category");
    }
    click(&c, "button[value=add_row]").await;
    assert_eq!(js(&c, "return document.querySelectorAll('fieldset.problem').length;").await, json!(4));
    shot(&c, 1280, &format!("{tag}-forum")).await;
    c.set_window_size(1280, 900).await.expect("resize");
    click(&c, "button[value=save]").await;
    wait_css(&c, "p.notice", "saved notice").await;
    assert!(c.current_url().await.expect("url").path().starts_with("/forums/"));
    assert_eq!(js(&c, "return document.querySelectorAll('table.stack tbody tr').length;").await, json!(3));
    assert_eq!(js(&c, "return window.__xss === undefined;").await, json!(true), "typed HTML is never run");
    assert!(text(&c, "main").await.contains("<img src=x"), "it is shown as text");

    // The first problem: assign with a due date, record an action, close as resolved.
    click(&c, "table.stack tbody tr:first-child a").await;
    wait_css(&c, "#assign", "issue page").await;
    let issue_url = c.current_url().await.expect("url").to_string();
    fill(&c, "#assign-assignee", "องค์การบริหารส่วนตำบลบานา").await;
    js(&c, "document.getElementById('assign-due_on').value = '2099-12-31'; return 1;").await;
    click(&c, "#assign button[type=submit]").await;
    wait_css(&c, "#address", "address form after assigning").await;
    assert_eq!(text(&c, "main .badge").await, "มอบหมายแล้ว");
    fill(&c, "#address-action", "ซ่อมผิวถนนและขุดลอกร่องระบายน้ำ ระยะทาง 800 เมตร").await;
    click(&c, "#address button[type=submit]").await;
    wait_until(&c, "return document.querySelector('main .badge').textContent === 'อยู่ระหว่างดำเนินการ';", "addressed")
        .await;
    c.find(Locator::Css("#close-outcome")).await.expect("outcome").select_by_value("resolved").await.expect("resolved");
    fill(&c, "#close-note", "ชาวบ้านยืนยันในเวทีติดตามผล").await;
    click(&c, "#close button[type=submit]").await;
    wait_css(&c, "#reopen", "closed: only reopening is offered").await;
    assert_eq!(text(&c, "main .badge").await, "ปิดเรื่อง");
    assert_eq!(js(&c, "return document.querySelectorAll('ol.timeline > li').length;").await, json!(4));
    let timeline = text(&c, "ol.timeline").await;
    for expected in
        ["รับเรื่อง", "มอบหมาย", "องค์การบริหารส่วนตำบลบานา", "31 ธ.ค. 2642", "บันทึกการดำเนินการ", "แก้ไขได้แล้ว", &staff]
    {
        assert!(timeline.contains(expected), "the timeline shows {expected:?}: {timeline}");
    }
    shot(&c, 1280, &format!("{tag}-issue")).await;
    c.set_window_size(1280, 900).await.expect("resize");

    // The dashboard's numbers moved; render time is recorded for the closing note.
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    assert_eq!(text(&c, "#kpi-raised .v").await.parse::<i64>().expect("n"), raised_before + 3);
    assert_eq!(text(&c, "#kpi-resolved .v").await.parse::<i64>().expect("n"), resolved_before + 1);
    let row = js(&c, "var r = document.querySelector('#bars-area tr[data-key=\"BRW-1\"]'); return [r.dataset.raised, r.dataset.resolved];").await;
    assert_eq!(row, json!(["3", "1"]));
    assert!(text(&c, "#bars-area tr[data-key=\"BRW-1\"] .rate").await.contains("33%"), "1 of 3, with its counts");
    let timing = js(&c, "var n = performance.getEntriesByType('navigation')[0]; return [n.responseEnd - n.requestStart, n.domContentLoadedEventEnd - n.startTime, n.loadEventEnd - n.startTime, n.transferSize];").await;
    eprintln!(
        "[{tag}] dashboard: response {:.1} ms, DOMContentLoaded {:.1} ms, load {:.1} ms, {} bytes",
        timing[0].as_f64().unwrap_or(0.0),
        timing[1].as_f64().unwrap_or(0.0),
        timing[2].as_f64().unwrap_or(0.0),
        timing[3]
    );
    shot(&c, 1280, &format!("{tag}-dashboard")).await;
    c.goto(&format!("{base}/issues")).await.expect("queue");
    shot(&c, 1280, &format!("{tag}-queue")).await;

    // A phone: every page fits 360 px.
    for (path, name) in [("/dashboard", "dashboard"), ("/issues", "queue"), ("/forums/new", "forum")] {
        c.set_window_size(360, 760).await.expect("phone size");
        c.goto(&format!("{base}{path}")).await.expect(path);
        fits(&c, path).await;
        shot(&c, 360, &format!("{tag}-phone-{name}")).await;
    }
    c.set_window_size(360, 760).await.expect("phone size");
    c.goto(&issue_url).await.expect("issue");
    fits(&c, "the issue page").await;

    // English on request.
    c.set_window_size(1280, 900).await.expect("resize");
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    click(&c, "form.lang button").await;
    wait_until(&c, "return document.documentElement.lang === 'en';", "English").await;
    assert!(text(&c, "h1").await.starts_with("Dashboard"));
    click(&c, "form.lang button").await;
    wait_until(
        &c,
        "return document.documentElement.lang === 'th' && document.readyState === 'complete';",
        "Thai again",
    )
    .await;

    // Sign out; a coordinator of another area sees none of it.
    click(&c, "form[action='/logout'] button").await;
    wait_css(&c, "#name", "back at sign-in").await;
    sign_in(&c, &base, &coordinator, PASSWORD).await;
    c.goto(&format!("{base}/issues")).await.expect("queue");
    let queue = text(&c, "main").await;
    assert!(queue.contains("เรื่องในพื้นที่ของผู้ประสานงาน"), "their own issue is listed");
    assert!(!queue.contains("ถนนเข้าหมู่บ้านชำรุด"), "another area's issue is not");
    c.goto(&issue_url).await.expect("issue of another area");
    assert!(text(&c, "h1").await.contains("ไม่พบ"), "another area's issue is not found");
    c.close().await.expect("close the browser");
}

async fn the_dashboard_stays_readable_at_forty_areas_and_thirteen_categories(backend: Backend) {
    let (app, _) = TestApp::demo(backend, santisuk_app::demo::DemoOptions { seed: 2570, issues: 800 }).await;
    app.set_password("demo-staff").await;
    let Browsing { base, c, tag, _driver, _profile } = browse(&app, backend).await;
    sign_in(&c, &base, "demo-staff", PASSWORD).await;
    for (width, name) in [(1280, "desktop"), (360, "phone")] {
        c.set_window_size(width, 900).await.expect("resize");
        c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
        // Every area and every category has its own row, with its name, its rate and its counts legible: text
        // at least 12 px, rows at least 16 px high, no two labels overlapping, nothing wider than the screen.
        let check = js(
            &c,
            "var out = {};
             ['area', 'category'].forEach(function (k) {
               var rows = Array.from(document.querySelectorAll('#bars-' + k + ' tbody tr'));
               var boxes = rows.map(function (r) { return r.querySelector('td.label').getBoundingClientRect(); });
               var overlap = boxes.some(function (b, i) { return i > 0 && b.top < boxes[i - 1].bottom - 1; });
               out[k] = {
                 rows: rows.length,
                 minHeight: Math.min.apply(null, rows.map(function (r) { return r.getBoundingClientRect().height; })),
                 minFont: Math.min.apply(null, rows.map(function (r) { return parseFloat(getComputedStyle(r.querySelector('td.rate')).fontSize); })),
                 emptyLabels: rows.filter(function (r) { return !r.querySelector('td.label').textContent.trim(); }).length,
                 withCounts: rows.filter(function (r) { return /\\(\\d+\\/\\d+\\)/.test(r.querySelector('td.rate').textContent); }).length,
                 overlap: overlap
               };
             });
             out.flags = document.querySelectorAll('#bars-area .flag').length;
             return out;",
        )
        .await;
        for (kind, n) in [("area", 40), ("category", 13)] {
            let k = &check[kind];
            assert_eq!(k["rows"], json!(n), "{name}: {kind} rows: {check}");
            assert_eq!(k["emptyLabels"], json!(0), "{name}: {check}");
            assert_eq!(k["withCounts"], json!(n), "{name}: every rate shows its counts: {check}");
            assert_eq!(k["overlap"], json!(false), "{name}: {check}");
            assert!(k["minHeight"].as_f64().unwrap_or(0.0) >= 16.0, "{name}: {check}");
            assert!(k["minFont"].as_f64().unwrap_or(0.0) >= 12.0, "{name}: {check}");
        }
        assert!(check["flags"].as_u64().unwrap_or(0) >= 1, "the demo has small areas, flagged: {check}");
        fits(&c, "the dashboard with 40 areas").await;
        let timing = js(&c, "var n = performance.getEntriesByType('navigation')[0]; return [n.responseEnd - n.requestStart, n.domContentLoadedEventEnd - n.startTime, n.loadEventEnd - n.startTime, n.transferSize, n.decodedBodySize];").await;
        eprintln!(
            "[{tag} {name}] demo dashboard (40 areas, 800 issues): server+transfer {:.1} ms, DOMContentLoaded {:.1} ms, load {:.1} ms, {} bytes on the wire, {} bytes of HTML",
            timing[0].as_f64().unwrap_or(0.0),
            timing[1].as_f64().unwrap_or(0.0),
            timing[2].as_f64().unwrap_or(0.0),
            timing[3],
            timing[4]
        );
        shot(&c, width, &format!("{tag}-demo-dashboard-{name}")).await;
    }
    c.close().await.expect("close the browser");
}

/// The audit log (issue #13) on a 360-px phone: it fits, and no line of Thai text breaks inside a word (every
/// line break in a label, a value or an event's name falls on a boundary of Chromium's own Thai word
/// segmenter, or after a space); only ids and hashes may break anywhere.
async fn the_event_log_reads_on_a_phone_without_breaking_a_thai_word(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = app
        .post(
            "/api/areas",
            &app.admin,
            json!({"id": "BRW-9", "name_th": "ตำบลสะบารังและชุมชนริมแม่น้ำปัตตานี", "amphoe_code": "9401"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": "BRW-9", "category": "INF", "title": "ถนนเข้าหมู่บ้านชำรุดเป็นหลุมลึกหน้ามัสยิดกลางทำให้รถจักรยานยนต์ของนักเรียนล้มบ่อยครั้งในฤดูฝน",
                   "description": "ชาวบ้านแจ้งว่าน้ำท่วมขังบนถนนสายหลักของหมู่บ้านทุกครั้งที่ฝนตกหนักและไม่มีหน่วยงานใดเข้ามาซ่อมแซม",
                   "raised_by": "กลุ่มสตรีบ้านตะโละและคณะกรรมการมัสยิดประจำหมู่บ้าน"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/issues/{id}/assign"),
            &app.staff,
            json!({"assignee": "องค์การบริหารส่วนตำบลสะบารังร่วมกับสำนักงานทางหลวงชนบทจังหวัดปัตตานี",
                   "due_on": "2026-12-31", "note": "ประสานงานกับผู้ใหญ่บ้านและคณะกรรมการหมู่บ้านเพื่อสำรวจความเสียหาย"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let auditor = format!("auditor-{}", app.suffix);
    app.set_password(&auditor).await;
    let Browsing { base, c, tag, _driver, _profile } = browse(&app, backend).await;
    sign_in(&c, &base, &auditor, PASSWORD).await;
    c.set_window_size(360, 760).await.expect("phone size");
    c.goto(&format!("{base}/audit?issue={id}")).await.expect("audit log");
    wait_css(&c, "ol.audit-log li.event", "the issue's events").await;
    fits(&c, "the event log").await;
    let check = js(
        &c,
        "var seg = new Intl.Segmenter('th', {granularity: 'word'});
         var bad = [], lines = 0, checked = 0;
         document.querySelectorAll('.audit-log dt, .audit-log dd, .audit-log h2 .name, .audit-filters label').forEach(function (el) {
           var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
           var node;
           while ((node = walker.nextNode())) {
             if (node.parentElement.closest('.id, code')) continue;
             var text = node.textContent;
             var bounds = new Set([0, text.length]);
             for (var s of seg.segment(text)) { bounds.add(s.index); }
             var range = document.createRange();
             var prevTop = null;
             checked++;
             for (var i = 0; i < text.length; i++) {
               range.setStart(node, i); range.setEnd(node, i + 1);
               var rects = range.getClientRects();
               if (!rects.length) continue;
               var top = rects[0].top;
               if (prevTop !== null && top > prevTop + 2) {
                 lines++;
                 if (!bounds.has(i) && !/\\s/.test(text[i - 1])) {
                   bad.push(text.slice(Math.max(0, i - 10), i) + '|' + text.slice(i, i + 10));
                 }
               }
               prevTop = top;
             }
           }
         });
         return {bad: bad, lines: lines, checked: checked};",
    )
    .await;
    assert!(check["checked"].as_u64().unwrap_or(0) > 20, "{check}");
    assert!(check["lines"].as_u64().unwrap_or(0) >= 3, "long Thai values wrap on a phone: {check}");
    assert_eq!(check["bad"], json!([]), "a Thai word broken across lines: {check}");
    // The labels and the Buddhist-Era due date are there.
    let main = text(&c, "main").await;
    assert!(main.contains("มอบหมายผู้รับผิดชอบ") && main.contains("31 ธ.ค. 2569"), "{main}");
    shot(&c, 360, &format!("{tag}-phone-audit")).await;
    c.close().await.expect("close the browser");
}

/// The queue's total (`#count strong`), once the queue page has loaded.
async fn queue_count(c: &Client) -> i64 {
    wait_until(c, "return location.pathname === '/issues' && document.readyState === 'complete';", "the queue").await;
    text(c, "#count strong").await.parse().expect("a number")
}

/// Types `words` in the queue's search box, sends it, and returns the total and the page's text.
async fn search(c: &Client, words: &str) -> (i64, String) {
    fill(c, "#q", words).await;
    click(c, ".search-row button[type=submit]").await;
    wait_until(
        c,
        &format!(
            "return document.readyState === 'complete' && new URLSearchParams(location.search).get('q') === {};",
            json!(words)
        ),
        "the search's answer",
    )
    .await;
    (text(c, "#count strong").await.parse().expect("a number"), text(c, "main").await)
}

async fn a_dashboard_number_clicked_opens_the_queue_of_that_many_and_the_queue_fits_a_phone(backend: Backend) {
    let (app, _) = TestApp::demo(backend, santisuk_app::demo::DemoOptions { seed: 2569, issues: 300 }).await;
    app.set_password("demo-staff").await;
    let Browsing { base, c, tag, _driver, _profile } = browse(&app, backend).await;
    sign_in(&c, &base, "demo-staff", PASSWORD).await;

    // Drill-down: the open total, an area's overdue count and a month's raised count, each clicked, open the
    // queue with exactly that many issues.
    for link in ["#kpi-open a.count", "#bars-area tbody tr:first-child td.open a.count", "#kpi-overdue a.count"] {
        c.set_window_size(1280, 900).await.expect("desktop");
        c.goto(&format!("{base}/dashboard?sort=overdue")).await.expect("dashboard");
        let shown: i64 = text(&c, link).await.parse().expect("a number");
        click(&c, link).await;
        assert_eq!(queue_count(&c).await, shown, "{link}");
    }
    // A custom range: choosing it waits for the days (nothing is sent yet), typed the Thai way.
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    c.find(Locator::Css("#fy")).await.expect("period").select_by_value("range").await.expect("custom range");
    assert_eq!(js(&c, "return location.search;").await, json!(""), "not sent without its days");
    fill(&c, "#from", "1/1/2569").await;
    fill(&c, "#to", "30/6/2569").await;
    click(&c, ".dash-filters button[type=submit]").await;
    wait_until(
        &c,
        "return location.search.indexOf('fy=range') >= 0 && document.readyState === 'complete';",
        "the range",
    )
    .await;
    let shown: i64 = text(&c, "#kpi-raised a.count").await.parse().expect("a number");
    assert!(shown > 0, "the demo has issues from January to June 2026");
    click(&c, "#kpi-raised a.count").await;
    assert_eq!(queue_count(&c).await, shown, "the range's issues");
    // On a phone the monthly chart is a table, whose counts link too.
    c.set_window_size(360, 760).await.expect("phone size");
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    let shown = js(&c, "return [getComputedStyle(document.querySelector('svg.trend')).display, getComputedStyle(document.querySelector('#trend-data')).display];").await;
    assert_eq!(shown, json!(["none", "table"]), "the chart becomes a table at 360 px");
    fits(&c, "the dashboard").await;
    let month = "#trend-data tbody tr:last-child td:nth-child(2) a.count";
    let n: i64 = text(&c, month).await.parse().expect("a number");
    click(&c, month).await;
    assert_eq!(queue_count(&c).await, n, "this month's issues");

    // A page of 25 on a phone: compact cards, filters folded behind one button.
    c.goto(&format!("{base}/issues")).await.expect("queue");
    let height = js(&c, "return document.body.scrollHeight;").await.as_i64().expect("a height");
    eprintln!("[{tag}] the queue, 25 issues at 360 px: {height} px");
    assert_eq!(js(&c, "return document.getElementById('more-filters').open;").await, json!(false), "folded");
    fits(&c, "the queue").await;
    shot(&c, 360, &format!("{tag}-phone-queue-25")).await;
    assert!(height <= 3000, "a page of 25 at 360 px is {height} px high");
    c.set_window_size(360, 760).await.expect("phone size");
    c.goto(&format!("{base}/issues")).await.expect("queue");
    click(&c, "#more-filters summary").await;
    assert_eq!(js(&c, "return document.getElementById('more-filters').open;").await, json!(true), "unfolded");
    assert!(c.find(Locator::Css("#area")).await.expect("area").is_displayed().await.expect("shown"));

    // Search, in Thai and in English: a case number, and a word of a title.
    c.set_window_size(1280, 900).await.expect("desktop");
    c.goto(&format!("{base}/issues")).await.expect("queue");
    let case = text(&c, "#issues tbody tr:first-child .case-number").await;
    let title = text(&c, "#issues tbody tr:first-child td.c-title a").await;
    let word: String = title.chars().take(6).collect();
    for lang in ["th", "en"] {
        if lang == "en" {
            click(&c, "form.lang button").await;
            wait_until(
                &c,
                "return document.documentElement.lang === 'en' && document.readyState === 'complete';",
                "English",
            )
            .await;
            c.goto(&format!("{base}/issues")).await.expect("queue");
        }
        let (n, page) = search(&c, &case).await;
        assert_eq!(n, 1, "[{lang}] a case number finds its issue");
        assert!(page.contains(&title), "[{lang}] {page}");
        let (n, page) = search(&c, &word).await;
        assert!(n >= 1, "[{lang}] {word:?} finds at least its issue");
        assert!(page.contains(&title), "[{lang}] {word:?}: {page}");
    }
    c.close().await.expect("close the browser");
}
