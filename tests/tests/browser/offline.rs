//! Offline forum capture in a real browser (issue #18 §1), on a 360-px phone screen and on both backends.
//!
//! "Offline" is made real twice over: the page's own network is switched off through Chrome DevTools
//! (`Network.emulateNetworkConditions`, which also makes `navigator.onLine` false and fires `offline`), and
//! the browser reaches the server only through a small TCP relay ([`Link`]) that the test cuts, so that the
//! service worker's own fetches (which the page's emulation does not cover) fail too. The relay can also let
//! a sync's request reach the server and drop its reply, or cut the line after a number of stored entries:
//! the sync cut half-way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use santisuk_tests::web::PASSWORD;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Driver, browser, click, fill, fits, js, serve, shot, sign_in, start_driver, text, wait_css, wait_until};

both_backends!(
    a_forum_typed_offline_on_a_phone_survives_a_reload_and_is_stored_once_when_the_connection_returns,
    a_sync_cut_half_way_is_completed_later_without_creating_anything_twice,
    an_expired_sign_in_keeps_the_entries_until_their_author_signs_in_again_and_no_one_else_sees_them,
    an_entry_for_an_area_the_user_lost_shows_the_server_s_error_until_fixed_or_discarded,
);

/// The line between the browser and the server.
#[derive(Default)]
struct Link {
    /// Cut: new connections are closed at once, open ones at their next byte.
    down: AtomicBool,
    /// A sync's request reaches the server, its reply never reaches the browser.
    drop_sync_replies: AtomicBool,
    /// When non-zero: the line goes down after this many more sync replies have reached the browser.
    down_after_syncs: AtomicUsize,
    /// Set when those replies have passed: the line goes down at the next request (so that the last
    /// reply arrives whole, however many pieces it comes in).
    cut_at_next_request: AtomicBool,
}

impl Link {
    fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

/// A relay on a free port to `target`; its address (`http://127.0.0.1:…`) is what the browser uses.
async fn relay(target: SocketAddr, link: Arc<Link>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the relay");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            if link.down.load(Ordering::SeqCst) {
                drop(client);
                continue;
            }
            let link = link.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(target).await else { return };
                connection(client, server, link).await;
            });
        }
    });
    format!("http://{addr}")
}

/// Copies one connection both ways until either side closes or the link says otherwise.
async fn connection(client: TcpStream, server: TcpStream, link: Arc<Link>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    // Whether the request in flight on this connection is a sync (its reply may be dropped).
    let sync = Arc::new(AtomicBool::new(false));
    let upstream = {
        let (link, sync) = (link.clone(), sync.clone());
        async move {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match client_read.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if link.cut_at_next_request.swap(false, Ordering::SeqCst) {
                    link.set_down(true);
                }
                if link.down.load(Ordering::SeqCst) {
                    return;
                }
                let chunk = &buf[..n];
                if chunk.starts_with(b"POST /forums/sync ") {
                    sync.store(true, Ordering::SeqCst);
                } else if [&b"GET "[..], b"POST ", b"HEAD "].iter().any(|m| chunk.starts_with(m)) {
                    sync.store(false, Ordering::SeqCst);
                }
                if server_write.write_all(chunk).await.is_err() {
                    return;
                }
            }
        }
    };
    let downstream = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if link.down.load(Ordering::SeqCst) {
                return;
            }
            if sync.load(Ordering::SeqCst) {
                if link.drop_sync_replies.load(Ordering::SeqCst) {
                    return;
                }
                let left = link.down_after_syncs.load(Ordering::SeqCst);
                if left > 0 {
                    if client_write.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                    sync.store(false, Ordering::SeqCst);
                    if left == 1 {
                        link.cut_at_next_request.store(true, Ordering::SeqCst);
                    }
                    link.down_after_syncs.store(left - 1, Ordering::SeqCst);
                    continue;
                }
            }
            if client_write.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    tokio::select! {
        () = upstream => {}
        () = downstream => {}
    }
}

/// A Chrome DevTools command through chromedriver (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(json!({"cmd": self.cmd, "params": self.params}).to_string()))
    }
}

/// Switches the phone's connection: the page's network (DevTools) and the line to the server (relay).
async fn network(c: &Client, link: &Link, online: bool) {
    // The line first, then the page: the `online` event starts a sync at once, which must find the line up.
    link.set_down(!online);
    let params = json!({"offline": !online, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1});
    c.issue_cmd(Cdp { cmd: "Network.enable", params: json!({}) }).await.expect("Network.enable");
    c.issue_cmd(Cdp { cmd: "Network.emulateNetworkConditions", params }).await.expect("emulate the network");
}

/// Whether the page can reach the server at all (a fetch that bypasses every cache).
async fn reaches_server(c: &Client) -> bool {
    let r = c
        .execute_async(
            "var done = arguments[arguments.length - 1];
             fetch('/healthz?probe=' + Math.random(), {cache: 'no-store'}).then(function () { done(true); }, function () { done(false); });",
            vec![],
        )
        .await
        .expect("probe");
    r == json!(true)
}

/// A phone with the app behind a relay: the browser, its driver and profile, the relay's control.
struct Phone {
    base: String,
    c: Client,
    link: Arc<Link>,
    tag: &'static str,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

async fn phone(app: &TestApp, backend: Backend) -> Phone {
    let direct = serve(app).await;
    let target: SocketAddr = direct.trim_start_matches("http://").parse().expect("server address");
    let link = Arc::new(Link::default());
    let base = relay(target, link.clone()).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(&driver, profile.path()).await;
    c.set_window_size(360, 760).await.expect("phone size");
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    Phone { base, c, link, tag, _driver: driver, _profile: profile }
}

/// Opens the forum page online and waits until its service worker controls it and has kept it.
async fn open_forum_page(c: &Client, base: &str) {
    c.goto(&format!("{base}/forums/new")).await.expect("forum page");
    wait_css(c, "#offline:not([hidden])", "the offline panel").await;
    wait_until(c, "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);", "the service worker")
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !page_kept(c).await {
        assert!(std::time::Instant::now() < deadline, "the page was not kept for offline use within 20 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The panel is shown at once and filled from IndexedDB a moment later: read it only once filled (the
    // first test read `waiting` before and failed now and then).
    wait_until(c, "return document.getElementById('offline').dataset.waiting !== undefined;", "the panel's counts")
        .await;
}

/// Whether the service worker's cache holds a copy of the forum page.
async fn page_kept(c: &Client) -> bool {
    let kept = c
        .execute_async(
            "var done = arguments[arguments.length - 1];
             if (!window.caches) { done(false); return; }
             caches.keys().then(function (ks) {
               return Promise.all(ks.map(function (k) { return caches.open(k).then(function (c) { return c.match('/forums/new'); }); }));
             }).then(function (rs) { done(rs.some(Boolean)); }, function () { done(false); });",
            vec![],
        )
        .await
        .expect("ask the cache");
    kept == json!(true)
}

/// Fills the forum form: the area, a title and one problem per (title, category).
async fn type_forum(c: &Client, area: &str, title: &str, problems: &[(&str, &str)]) {
    c.find(Locator::Css("#area_id")).await.expect("area").select_by_value(area).await.expect("choose area");
    fill(c, "#title", title).await;
    while (js(c, "return document.querySelectorAll('fieldset.problem').length;").await.as_u64().unwrap_or(0) as usize)
        < problems.len()
    {
        click(c, "button[value=add_row]").await;
    }
    for (i, (t, category)) in problems.iter().enumerate() {
        fill(c, &format!("#p_title-{}", i + 1), t).await;
        c.find(Locator::Css(&format!("#p_category-{}", i + 1)))
            .await
            .expect("category")
            .select_by_value(category)
            .await
            .expect("choose category");
    }
}

/// Saves the form while offline and waits until the panel counts `waiting` entries.
async fn save_offline(c: &Client, waiting: usize) {
    click(c, "button[value=save]").await;
    wait_until(
        c,
        &format!("return document.getElementById('offline').dataset.waiting === '{waiting}';"),
        "the entry kept on the phone",
    )
    .await;
    assert!(!text(c, "#offline-notice").await.is_empty(), "the user is told it is kept");
}

async fn panel(c: &Client) -> Value {
    js(c, "var p = document.getElementById('offline'); return {waiting: p.dataset.waiting, refused: p.dataset.refused, last: p.dataset.lastSync, status: document.getElementById('offline-status').textContent, entries: document.querySelectorAll('#offline-queue li.offline-entry').length};").await
}

async fn count_issues(app: &TestApp, area: &str) -> usize {
    santisuk_tests::settle(&app.state.runner, app.db()).await;
    let r = app.get(&format!("/api/issues?area_id={area}&limit=500"), &app.staff).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    r.body["items"].as_array().expect("items").len()
}

async fn count_forums(app: &TestApp, area: &str) -> usize {
    let r = app.get(&format!("/api/forums?area_id={area}"), &app.staff).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    r.body["items"].as_array().expect("items").len()
}

const THREE: [(&str, &str); 3] = [
    ("ถนนเข้าหมู่บ้านชำรุด น้ำท่วมขังช่วงมรสุม", "INF"),
    ("เยาวชนว่างงานหลังจบการศึกษา (Belia menganggur)", "LIV"),
    ("ไฟส่องสว่างริมถนนดับทั้งซอย", "SEC"),
];

async fn a_forum_typed_offline_on_a_phone_survives_a_reload_and_is_stored_once_when_the_connection_returns(
    backend: Backend,
) {
    let app = TestApp::new(backend).await;
    let area = app.area("OFB-1").await;
    let coordinator = format!("coordinator-{}", app.suffix);
    app.set_password(&coordinator).await;
    let Phone { base, c, link, tag, _driver, _profile } = phone(&app, backend).await;
    sign_in(&c, &base, &coordinator, PASSWORD).await;
    open_forum_page(&c, &base).await;
    assert_eq!(panel(&c).await["waiting"], json!("0"));

    // No signal: the server cannot be reached at all, yet the page opens again from the phone.
    network(&c, &link, false).await;
    assert!(!reaches_server(&c).await, "offline is offline");
    c.refresh().await.expect("reload offline");
    wait_css(&c, "#forum-form", "the forum page from the phone's copy").await;
    wait_css(&c, "#offline:not([hidden])", "the offline panel").await;
    let submission_before = js(&c, "return document.querySelector('[name=submission]').value;").await;
    type_forum(&c, &area, "เวทีประชาคมบ้านบาราเฮาะ (ไม่มีสัญญาณ)", &THREE).await;
    save_offline(&c, 1).await;
    let send = c.find(Locator::Css("#offline-send")).await.expect("the send button");
    assert!(send.is_displayed().await.expect("shown?"), "an entry waits: it can be sent by hand");
    fits(&c, "the forum page with an entry waiting").await;
    shot(&c, 360, &format!("{tag}-phone-offline-waiting")).await;
    assert!(text(&c, "#offline-status").await.contains("รอส่ง 1 รายการ"), "{}", panel(&c).await);

    // Reloaded while still offline: the entry is still there, and a new form has a new submission id.
    c.refresh().await.expect("reload offline again");
    wait_until(&c, "return document.getElementById('offline').dataset.waiting === '1';", "the kept entry").await;
    assert!(text(&c, "#offline-queue").await.contains("เวทีประชาคมบ้านบาราเฮาะ"));
    let submission_after = js(&c, "return document.querySelector('[name=submission]').value;").await;
    assert_ne!(submission_before, submission_after, "the phone's copy of the page never reuses an id");
    assert_eq!(count_issues(&app, &area).await, 0, "nothing reached the server");

    // The connection returns: sent once, and the panel says so with the time.
    network(&c, &link, true).await;
    wait_until(
        &c,
        "var p = document.getElementById('offline'); return p.dataset.waiting === '0' && p.dataset.lastSync === 'ok';",
        "the sync",
    )
    .await;
    assert!(text(&c, "#offline-last").await.starts_with("ส่งครั้งล่าสุดสำเร็จ เมื่อ"), "{}", panel(&c).await);
    assert_eq!(text(&c, "#offline-notice").await, "ส่งแล้ว: เวทีประชาคมบ้านบาราเฮาะ (ไม่มีสัญญาณ)");
    let be_year = chrono::Datelike::year(&chrono::Utc::now()) + 543;
    assert!(text(&c, "#offline-last").await.contains(&be_year.to_string()), "the time in the Buddhist Era");
    assert_eq!(count_issues(&app, &area).await, 3);
    assert_eq!(count_forums(&app, &area).await, 1);
    let send = c.find(Locator::Css("#offline-send")).await.expect("the send button");
    assert!(!send.is_displayed().await.expect("shown?"), "nothing waits: no button to send");
    // A second sync (the page opened again) sends nothing more.
    c.refresh().await.expect("reload online");
    wait_css(&c, "#offline:not([hidden])", "the offline panel").await;
    js(&c, "document.getElementById('offline-send').click(); return 1;").await;
    assert_eq!(count_issues(&app, &area).await, 3);
    shot(&c, 360, &format!("{tag}-phone-offline-synced")).await;
    c.close().await.expect("close the browser");
}

async fn a_sync_cut_half_way_is_completed_later_without_creating_anything_twice(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("OFB-2").await;
    let coordinator = format!("coordinator-{}", app.suffix);
    app.set_password(&coordinator).await;
    let Phone { base, c, link, _driver, _profile, .. } = phone(&app, backend).await;
    sign_in(&c, &base, &coordinator, PASSWORD).await;
    open_forum_page(&c, &base).await;
    network(&c, &link, false).await;
    type_forum(&c, &area, "เวทีที่หนึ่ง", &THREE).await;
    save_offline(&c, 1).await;
    type_forum(&c, &area, "เวทีที่สอง", &[("ท่อประปาแตก", "INF")]).await;
    save_offline(&c, 2).await;
    type_forum(&c, &area, "เวทีที่สาม", &[("โรงเรียนขาดครู", "EDU"), ("ยาเสพติดในชุมชน", "SEC")]).await;
    save_offline(&c, 3).await;

    // The first entry reaches the server and is stored, but its reply is lost on the way back.
    link.drop_sync_replies.store(true, Ordering::SeqCst);
    let before = js(&c, "return document.getElementById('offline').dataset.lastSyncAt;").await;
    network(&c, &link, true).await;
    wait_until(
        &c,
        &format!(
            "var p = document.getElementById('offline'); return p.dataset.lastSyncAt !== {before} && p.dataset.lastSync === 'failed:network';"
        ),
        "the sync that lost its reply",
    )
    .await;
    assert_eq!(panel(&c).await["waiting"], json!("3"), "kept: the phone never heard it was stored");
    assert_eq!(count_issues(&app, &area).await, 3, "the server stored the first forum");

    // The line comes back for one stored entry and is cut again.
    link.drop_sync_replies.store(false, Ordering::SeqCst);
    link.down_after_syncs.store(1, Ordering::SeqCst);
    click(&c, "#offline-send").await;
    wait_until(&c, "return document.getElementById('offline').dataset.waiting === '2';", "one entry settled").await;
    wait_until(&c, "return document.getElementById('offline').dataset.lastSync.indexOf('failed') === 0;", "cut").await;
    assert_eq!(count_issues(&app, &area).await, 3, "the first forum again: found, not stored twice");

    // Back for good: the rest is sent, each forum and problem stored once.
    network(&c, &link, false).await;
    network(&c, &link, true).await;
    wait_until(
        &c,
        "var p = document.getElementById('offline'); return p.dataset.waiting === '0' && p.dataset.lastSync === 'ok';",
        "the rest sent",
    )
    .await;
    assert_eq!(count_issues(&app, &area).await, 6);
    assert_eq!(count_forums(&app, &area).await, 3);
    c.close().await.expect("close the browser");
}

async fn an_expired_sign_in_keeps_the_entries_until_their_author_signs_in_again_and_no_one_else_sees_them(
    backend: Backend,
) {
    let app = TestApp::new(backend).await;
    let area = app.area("OFB-3").await;
    let coordinator = format!("coordinator-{}", app.suffix);
    let staff = format!("staff-{}", app.suffix);
    app.set_password(&coordinator).await;
    app.set_password(&staff).await;
    let Phone { base, c, link, tag, _driver, _profile } = phone(&app, backend).await;
    sign_in(&c, &base, &coordinator, PASSWORD).await;
    open_forum_page(&c, &base).await;
    network(&c, &link, false).await;
    type_forum(&c, &area, "เวทีขณะไม่มีสัญญาณ", &THREE).await;
    save_offline(&c, 1).await;

    // The twelve hours of the sign-in run out while the phone is offline.
    let user = app.coordinator_id.clone();
    santisuk_store::on_db!(app.db(), p => sqlx::query("UPDATE web_sessions SET expires_at = created_at WHERE user_id = $1")
        .bind(&user).execute(p).await.map(|_| ()).expect("expire the session"));
    network(&c, &link, true).await;
    wait_until(
        &c,
        "return document.getElementById('offline').dataset.lastSync === 'failed:signed_out';",
        "told to sign in",
    )
    .await;
    assert_eq!(panel(&c).await["waiting"], json!("1"), "kept");
    assert!(text(&c, "#offline-last").await.contains("เข้าสู่ระบบอีกครั้ง"));
    shot(&c, 360, &format!("{tag}-phone-offline-signed-out")).await;
    assert_eq!(count_issues(&app, &area).await, 0);

    // Another user signs in on this phone: they see nothing of it, and nothing is sent in their name.
    sign_in(&c, &base, &staff, PASSWORD).await;
    c.goto(&format!("{base}/forums/new")).await.expect("forum page");
    wait_css(&c, "#offline:not([hidden])", "the offline panel").await;
    wait_until(&c, "return document.getElementById('offline').dataset.lastSync !== undefined;", "rendered").await;
    let seen = panel(&c).await;
    assert_eq!((seen["waiting"].clone(), seen["entries"].clone()), (json!("0"), json!(0)), "{seen}");
    assert!(!text(&c, "main").await.contains("เวทีขณะไม่มีสัญญาณ"));
    assert_eq!(count_issues(&app, &area).await, 0);
    assert!(page_kept(&c).await, "the staff member's own copy of the page is kept");
    click(&c, "form[action='/logout'] button").await;
    wait_css(&c, "#name", "signed out").await;
    assert!(!page_kept(&c).await, "signing out forgets the page kept for offline use (their name, areas, token)");

    // Its author signs in again: sent as soon as the forum page opens.
    sign_in(&c, &base, &coordinator, PASSWORD).await;
    c.goto(&format!("{base}/forums/new")).await.expect("forum page");
    wait_until(
        &c,
        "var p = document.getElementById('offline'); return !!p && p.dataset.waiting === '0' && p.dataset.lastSync === 'ok';",
        "sent after signing in",
    )
    .await;
    assert_eq!(count_issues(&app, &area).await, 3);
    c.close().await.expect("close the browser");
}

async fn an_entry_for_an_area_the_user_lost_shows_the_server_s_error_until_fixed_or_discarded(backend: Backend) {
    let app = TestApp::new(backend).await;
    let lost = app.area("OFB-4").await;
    let kept = app.area("OFB-5").await;
    let coordinator = format!("coordinator-{}", app.suffix);
    app.set_password(&coordinator).await;
    let Phone { base, c, link, tag, _driver, _profile } = phone(&app, backend).await;
    sign_in(&c, &base, &coordinator, PASSWORD).await;
    open_forum_page(&c, &base).await;
    network(&c, &link, false).await;
    type_forum(&c, &lost, "เวทีในพื้นที่ที่ถูกถอน", &THREE).await;
    save_offline(&c, 1).await;
    type_forum(&c, &lost, "เวทีที่จะทิ้ง", &[("ถนนชำรุด", "INF")]).await;
    save_offline(&c, 2).await;

    // Meanwhile an administrator removes the area from the coordinator's areas.
    let home = format!("HOME-{}", app.suffix);
    let r =
        app.post(&format!("/api/users/{}/areas", app.coordinator_id), &app.admin, json!({"areas": [home, kept]})).await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);
    let events = app.event_count().await;
    network(&c, &link, true).await;
    wait_until(&c, "return document.getElementById('offline').dataset.refused === '2';", "both refused").await;
    assert_eq!(app.event_count().await, events, "nothing half-written");
    let refused = text(&c, "#offline-queue li[data-state=refused]").await;
    assert!(refused.contains("พื้นที่") && refused.contains("OFB-4"), "the server's error, naming the field: {refused}");
    fits(&c, "the refused entries").await;
    shot(&c, 360, &format!("{tag}-phone-offline-refused")).await;

    // Discarding asks first; the entry is gone only when confirmed.
    click(&c, "#offline-queue li:nth-child(2) button.offline-discard").await;
    c.dismiss_alert().await.expect("keep it after all");
    assert_eq!(panel(&c).await["refused"], json!("2"));
    click(&c, "#offline-queue li:nth-child(2) button.offline-discard").await;
    c.accept_alert().await.expect("discard");
    wait_until(&c, "return document.getElementById('offline').dataset.refused === '1';", "discarded").await;

    // Fixed: the entry comes back into the form with the message beside its field; another area, saved.
    click(&c, "#offline-queue li button.offline-fix").await;
    wait_css(&c, "#area_id[aria-invalid=true]", "the refused field marked").await;
    assert_eq!(js(&c, "return document.getElementById('p_title-3').value;").await, json!(THREE[2].0));
    c.find(Locator::Css("#area_id")).await.expect("area").select_by_value(&kept).await.expect("another area");
    click(&c, "button[value=save]").await;
    wait_until(
        &c,
        "return /^\\/forums\\/[0-9a-f-]{36}$/.test(location.pathname) && document.readyState === 'complete';",
        "the recorded forum's page",
    )
    .await;
    assert!(text(&c, "main p.notice").await.contains("บันทึก"), "saved");
    assert_eq!(js(&c, "return document.querySelectorAll('table.stack tbody tr').length;").await, json!(3));
    assert_eq!(count_issues(&app, &kept).await, 3);
    assert_eq!(count_issues(&app, &lost).await, 0);
    c.goto(&format!("{base}/forums/new")).await.expect("forum page");
    wait_until(&c, "var p = document.getElementById('offline'); return !!p && p.dataset.refused === '0' && p.dataset.waiting === '0';", "nothing left").await;

    // Online, a refused save comes back as the server's page with every message beside its field (the
    // entry kept meanwhile); corrected, it is stored and leaves nothing behind on the phone.
    type_forum(&c, &kept, "เวทีที่กรอกไม่ครบ", &[("ถนนชำรุด", "INF"), ("ไม่มีประเภท", "")]).await;
    click(&c, "button[value=save]").await;
    wait_css(&c, "#error-summary", "the server's page with its errors").await;
    assert!(text(&c, "#err-p_category-2").await.contains("ประเภท"), "the message beside its field");
    wait_until(&c, "return document.getElementById('offline').dataset.refused === '1';", "kept as refused").await;
    c.find(Locator::Css("#p_category-2")).await.expect("category").select_by_value("INF").await.expect("choose");
    click(&c, "button[value=save]").await;
    wait_until(
        &c,
        "return /^\\/forums\\/[0-9a-f-]{36}$/.test(location.pathname) && document.readyState === 'complete';",
        "the recorded forum's page",
    )
    .await;
    assert_eq!(count_issues(&app, &kept).await, 5);
    c.goto(&format!("{base}/forums/new")).await.expect("forum page");
    wait_until(&c, "var p = document.getElementById('offline'); return !!p && p.dataset.refused === '0' && p.dataset.waiting === '0';", "nothing left").await;
    c.close().await.expect("close the browser");
}
