//! The progress report in a real browser (issue #16): staff open it from the navigation, choose a month,
//! read a target area and the area reached from it, switch to the projector view (larger type), download the
//! CSV the page links to, and the page fits a 360-px phone.

use axum::body::Body;
use axum::http::Method;
use santisuk_tests::web::PASSWORD;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

use super::{Browsing, browse, click, fits, js, shot, text, wait_css};

both_backends!(the_progress_report_reads_on_a_projector_on_paper_and_on_a_phone);

async fn the_progress_report_reads_on_a_projector_on_paper_and_on_a_phone(backend: Backend) {
    let app = TestApp::new(backend).await;
    let (t, r) = (app.area("PGB-T").await, app.area("PGB-R").await);
    let path = format!("/api/areas/{r}/reach");
    let body = json!({"from": t, "on": "2026-02-01"}).to_string();
    let marked = app.send(Method::PUT, &path, Some(&app.admin), Some(Body::from(body)), &[]).await;
    assert_eq!(marked.status.as_u16(), 200, "{:?}", marked.body);
    for (area, day) in [(&t, "2026-03-05"), (&t, "2026-03-20"), (&r, "2026-03-15")] {
        let f = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": day, "participants": 20})).await;
        assert_eq!(f.status.as_u16(), 201, "{:?}", f.body);
    }
    let staff = format!("staff-{}", app.suffix);
    app.set_password(&staff).await;
    let Browsing { base, c, tag, _driver, _profile } = browse(&app, backend).await;
    super::sign_in(&c, &base, &staff, PASSWORD).await;
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    click(&c, "header nav a[href='/reports/progress']").await;
    wait_css(&c, "#progress-areas-table", "the progress report").await;
    // Thai first: the heading and the period form.
    assert!(text(&c, "main h1").await.contains("รายงานความก้าวหน้า"));
    c.goto(&format!("{base}/reports/progress?period=month&month=2026-03")).await.expect("March");
    wait_css(&c, "#progress-areas-table", "the March report").await;
    let target = text(&c, &format!("tr[data-area='{t}']")).await;
    assert!(target.contains("พื้นที่เป้าหมาย"), "{target}");
    let reached = text(&c, &format!("tr[data-area='{r}']")).await;
    assert!(reached.contains("ขยายผลจาก"), "{reached}");
    let forums =
        js(&c, &format!("return document.querySelector(\"tr[data-area='{t}'] td\").nextElementSibling.textContent;"))
            .await;
    assert_eq!(forums.as_str().map(str::trim), Some("2"), "T held two forums in March");
    shot(&c, 1280, &format!("{tag}-progress")).await;
    // The projector view: the same report in larger type, the form folded away.
    let normal =
        js(&c, "return parseFloat(getComputedStyle(document.querySelector('table.progress td')).fontSize);").await;
    click(&c, "p.downloads a[href*='view=projector']").await;
    wait_css(&c, ".progress-report.projector", "the projector view").await;
    let large =
        js(&c, "return parseFloat(getComputedStyle(document.querySelector('table.progress td')).fontSize);").await;
    assert!(large.as_f64() > normal.as_f64(), "projector type {large} is larger than {normal}");
    let form_shown = js(&c, "return getComputedStyle(document.querySelector('form.filters')).display;").await;
    assert_eq!(form_shown, json!("none"));
    shot(&c, 1920, &format!("{tag}-progress-projector")).await;
    // The print style sheet drops the navigation, the form and the links.
    let print = js(
        &c,
        "return [...document.styleSheets].flatMap(s => [...s.cssRules]).some(r => r.media && \
         r.media.mediaText.includes('print') && r.cssText.includes('no-print'));",
    )
    .await;
    assert_eq!(print, json!(true), "a print style sheet hides the form and the links");
    // The CSV the page links to is the report's, Thai headers first.
    let csv = js(
        &c,
        "const a = document.querySelector(\"p.downloads a[href*='format=csv']\"); \
         const x = new XMLHttpRequest(); x.open('GET', a.href, false); x.send(); return [x.status, x.responseText];",
    )
    .await;
    assert_eq!(csv[0], json!(200), "{csv}");
    let body = csv[1].as_str().unwrap_or_default();
    assert!(body.trim_start_matches('\u{feff}').starts_with("แถว,"), "{body}");
    assert!(body.contains(&t));
    // A phone: the tables become cards, nothing is wider than the screen.
    c.set_window_size(360, 760).await.expect("phone size");
    c.goto(&format!("{base}/reports/progress?period=month&month=2026-03")).await.expect("on a phone");
    wait_css(&c, "#progress-areas-table", "the report on a phone").await;
    fits(&c, "the progress report").await;
    shot(&c, 360, &format!("{tag}-phone-progress")).await;
    c.close().await.expect("close the browser");
}
