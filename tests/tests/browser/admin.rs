//! The administration pages in a real browser: an administrator finds the entry, adds a coordinator with
//! the plain form (a select, checkboxes, a password), reads the token once, and every administration page
//! fits a 360-px phone.

use fantoccini::Locator;
use santisuk_tests::web::PASSWORD;
use santisuk_tests::{Backend, TestApp, both_backends};

use super::{Browsing, browse, click, fill, fits, shot, wait_css};

both_backends!(an_administrator_adds_a_coordinator_and_every_page_fits_a_phone);

async fn an_administrator_adds_a_coordinator_and_every_page_fits_a_phone(backend: Backend) {
    let app = TestApp::new(backend).await;
    let admin = format!("admin-{}", app.suffix);
    app.set_password(&admin).await;
    let Browsing { base, c, tag, _driver, _profile } = browse(&app, backend).await;
    super::sign_in(&c, &base, &admin, PASSWORD).await;
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    click(&c, "header nav a[href='/admin/users']").await;
    wait_css(&c, "form[action='/admin/users'] #name", "the users page").await;
    fill(&c, "#name", "somchai").await;
    c.find(Locator::Css("#role")).await.expect("role").select_by_value("coordinator").await.expect("choose role");
    click(&c, &format!("input[name=areas][value='HOME-{}']", app.suffix)).await;
    fill(&c, "#password", "รหัสผ่านยาวพอแล้ว-1").await;
    click(&c, "form[action='/admin/users'] button[type=submit]").await;
    wait_css(&c, "#token", "the token shown once").await;
    let token = c.find(Locator::Css("#token")).await.expect("token").attr("value").await.expect("value");
    let token = token.expect("a token");
    assert_eq!(app.get("/api/areas", &token).await.status.as_u16(), 200, "the token works");
    shot(&c, 1280, &format!("{tag}-admin-user-created")).await;
    let user_page = format!("/admin/users/{}", app.coordinator_id);
    for (path, name) in [
        ("/admin/users", "users"),
        ("/admin/areas", "areas"),
        ("/admin/categories", "categories"),
        (&user_page, "user"),
    ] {
        c.set_window_size(360, 760).await.expect("phone size");
        c.goto(&format!("{base}{path}")).await.expect(path);
        wait_css(&c, "main h1", path).await;
        fits(&c, path).await;
        shot(&c, 360, &format!("{tag}-phone-admin-{name}")).await;
    }
    c.close().await.expect("close the browser");
}
