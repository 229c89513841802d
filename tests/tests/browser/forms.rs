//! The date field and the all-at-once errors in a real browser (issue #13), on the Thai and the English
//! pages: a date typed the Thai way is read and echoed in words with its era, one picked from the calendar
//! is written back in the page's era, and a refused form lists every bad field at the top, with the focus
//! there and a link to each field.

use fantoccini::Locator;
use santisuk_tests::web::PASSWORD;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

use super::{Browsing, browse, click, fill, js, shot, sign_in, text, wait_css, wait_until};

both_backends!(thai_dates_typed_or_picked_and_every_error_at_once_in_the_browser);

/// Picks `iso` in the calendar of the date field `id`, as the browser's picker does: it sets the hidden
/// date input and fires `change` (headless Chromium has no calendar to click).
fn pick(id: &str, iso: &str) -> String {
    format!(
        "var p = document.getElementById('{id}').parentElement.querySelector('input.picker'); \
         p.value = '{iso}'; p.dispatchEvent(new Event('change')); return document.getElementById('{id}').value;"
    )
}

async fn thai_dates_typed_or_picked_and_every_error_at_once_in_the_browser(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("BRD-1").await;
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": area, "category": "INF", "title": "ท่อระบายน้ำอุดตัน", "at": "2026-11-20T01:00:00Z"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let id = r.body["id"].as_str().expect("id").to_owned();
    let staff = format!("staff-{}", app.suffix);
    app.set_password(&staff).await;
    let Browsing { base, c, tag, _driver, _profile } = browse(&app, backend).await;
    sign_in(&c, &base, &staff, PASSWORD).await;

    // Thai: the due date is a text box with the Thai hint and a calendar button the script reveals.
    c.goto(&format!("{base}/issues/{id}")).await.expect("issue page");
    wait_css(&c, "#assign", "issue page").await;
    let due = c.find(Locator::Css("#assign-due_on")).await.expect("due date field");
    assert_eq!(due.attr("placeholder").await.expect("attr").as_deref(), Some("วว/ดด/ปปปป"));
    assert_eq!(due.attr("type").await.expect("attr").as_deref(), Some("text"), "not the browser's CE-only picker");
    assert_eq!(js(&c, "return document.querySelector('#assign .date-field button.pick').hidden;").await, json!(false));
    fill(&c, "#assign-due_on", "31/12/2569").await;
    assert_eq!(text(&c, "output[for='assign-due_on']").await, "= 31 ธ.ค. 2569 (อ่านเป็น พ.ศ.)");
    fill(&c, "#assign-due_on", "2027-01-15").await;
    assert_eq!(text(&c, "output[for='assign-due_on']").await, "= 15 ม.ค. 2570 (อ่านเป็น ค.ศ. 2027)");
    assert_eq!(js(&c, &pick("assign-due_on", "2027-02-28")).await, json!("28/02/2570"), "picked: written in BE");
    assert_eq!(text(&c, "output[for='assign-due_on']").await, "= 28 ก.พ. 2570 (อ่านเป็น พ.ศ.)");

    // Every bad field at once: a blank assignee, an impossible date, a field date before the raise.
    fill(&c, "#assign-assignee", "   ").await;
    fill(&c, "#assign-due_on", "31/02/2569").await;
    fill(&c, "#assign-at_date", "30/02/2569").await;
    let events = app.event_count().await;
    click(&c, "#assign button[type=submit]").await;
    wait_css(&c, "#error-summary", "the error summary").await;
    let links: Vec<String> = serde_json::from_value(
        js(&c, "return Array.from(document.querySelectorAll('#error-summary a')).map(a => a.getAttribute('href'));")
            .await,
    )
    .expect("links");
    assert_eq!(
        links,
        ["#assign-assignee", "#assign-due_on", "#assign-at_date"],
        "one link per bad field, in form order"
    );
    wait_until(
        &c,
        "return document.activeElement && document.activeElement.id === 'error-summary';",
        "focus on the summary",
    )
    .await;
    assert_eq!(js(&c, "return document.getElementById('assign-due_on').value;").await, json!("31/02/2569"), "kept");
    assert_eq!(app.event_count().await, events, "nothing written");
    shot(&c, 1280, &format!("{tag}-form-errors")).await;
    c.set_window_size(1280, 900).await.expect("resize");

    // Put right and sent: the due date shows in the Buddhist Era, the action is dated the day typed.
    fill(&c, "#assign-assignee", "เทศบาลตำบลบานา").await;
    fill(&c, "#assign-due_on", "31/12/2569").await;
    fill(&c, "#assign-at_date", "21/11/2569").await;
    click(&c, "#assign button[type=submit]").await;
    wait_css(&c, "#address", "the address form after assigning").await;
    assert!(text(&c, "dl.facts").await.contains("31 ธ.ค. 2569"), "the due date in the Buddhist Era");
    assert!(text(&c, "ol.timeline").await.contains("21 พ.ย. 2569 23:59"), "dated the day typed (its end)");

    // English: the same field in the Common Era.
    click(&c, "form[action='/lang'] button").await;
    wait_until(&c, "return document.documentElement.lang === 'en' && document.readyState === 'complete';", "English")
        .await;
    c.goto(&format!("{base}/issues/{id}")).await.expect("issue page");
    wait_css(&c, "#address", "issue page in English").await;
    let at = c.find(Locator::Css("#address-at_date")).await.expect("date field");
    assert_eq!(at.attr("placeholder").await.expect("attr").as_deref(), Some("dd/mm/yyyy"));
    assert_eq!(js(&c, &pick("address-at_date", "2026-11-22")).await, json!("22/11/2026"), "picked: written in CE");
    assert_eq!(text(&c, "output[for='address-at_date']").await, "= 22 Nov 2026 (read as Common Era)");
    fill(&c, "#address-at_date", "22/11/2569").await;
    assert_eq!(text(&c, "output[for='address-at_date']").await, "= 22 Nov 2026 (read as Buddhist Era 2569)");
    fill(&c, "#address-action", " ").await;
    click(&c, "#address button[type=submit]").await;
    wait_css(&c, "#error-summary", "the English error summary").await;
    assert!(text(&c, "#error-summary").await.contains("This field is required"), "in English");
}
