//! Measures the web app as a browser sees it: for each page, the bytes on the wire and in HTML, and the
//! median and slowest of ten loads (server + transfer, DOMContentLoaded, load) in headless Chromium.
//!
//! ```sh
//! cargo run --release -p santisuk-http -- --data-dir /tmp/santisuk-demo serve --demo --bind 127.0.0.1:8192 &
//! cargo run --release -p santisuk-tests --example page_timing -- http://127.0.0.1:8192 demo-staff santisuk-demo
//! ```

use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use serde_json::{Value, json};

const LOADS: usize = 10;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, user, password] =
        <[String; 3]>::try_from(args).unwrap_or_else(|_| panic!("usage: page_timing <base url> <user> <password>"));
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let mut driver = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt-get install -y chromium chromium-driver)");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let profile = tempfile::tempdir().expect("profile");
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium", "args": ["--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
            "--disable-quic", "--window-size=1280,900", format!("--user-data-dir={}", profile.path().display())]}),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("browser");
    c.goto(&format!("{base}/login")).await.expect("login");
    c.find(Locator::Css("#name")).await.expect("name").send_keys(&user).await.expect("type");
    c.find(Locator::Css("#password")).await.expect("password").send_keys(&password).await.expect("type");
    c.find(Locator::Css("form[action='/login'] button")).await.expect("button").click().await.expect("sign in");
    tokio::time::sleep(Duration::from_millis(500)).await;
    c.goto(&format!("{base}/issues")).await.expect("queue");
    let issue: String = c
        .execute("return document.querySelector('table.stack tbody a').getAttribute('href');", vec![])
        .await
        .expect("an issue")
        .as_str()
        .unwrap_or("/issues")
        .to_owned();
    println!("| page | HTML | on the wire | server + transfer (median / max) | DOMContentLoaded | load |");
    println!("|---|---|---|---|---|---|");
    for path in
        ["/dashboard", "/dashboard?fy=2569", "/issues", "/issues?overdue=1&sort=due", issue.as_str(), "/forums/new"]
    {
        let mut rows: Vec<[f64; 5]> = Vec::new();
        for _ in 0..LOADS {
            c.goto(&format!("{base}{path}")).await.expect("page");
            let t: Value = c
                .execute(
                    "var n = performance.getEntriesByType('navigation')[0]; return [n.responseEnd - n.requestStart, \
                     n.domContentLoadedEventEnd - n.startTime, n.loadEventEnd - n.startTime, n.transferSize, n.decodedBodySize];",
                    vec![],
                )
                .await
                .expect("timing");
            let f = |i: usize| t[i].as_f64().unwrap_or(f64::NAN);
            rows.push([f(0), f(1), f(2), f(3), f(4)]);
        }
        let stat = |i: usize| {
            let mut v: Vec<f64> = rows.iter().map(|r| r[i]).collect();
            v.sort_by(f64::total_cmp);
            (v[v.len() / 2], v[v.len() - 1])
        };
        let (server, server_max) = stat(0);
        let (dcl, dcl_max) = stat(1);
        let (load, load_max) = stat(2);
        println!(
            "| `{path}` | {:.1} KB | {:.1} KB | {server:.1} / {server_max:.1} ms | {dcl:.1} / {dcl_max:.1} ms | {load:.1} / {load_max:.1} ms |",
            rows[0][4] / 1024.0,
            rows[0][3] / 1024.0,
        );
    }
    let _ = c.close().await;
    let _ = driver.kill();
    let _ = driver.wait();
}
