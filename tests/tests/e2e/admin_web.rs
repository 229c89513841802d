//! The administration pages (`/admin/...`) through `app()`, as a browser without a script sends them:
//! each form writes exactly the events the API writes for the same change, bad input comes back with every
//! error and writes nothing, only administrators get in, retries write nothing twice, and error pages
//! speak the user's language only.

use axum::http::StatusCode;
use santisuk_projections::users::Role;
use santisuk_tests::web::{PASSWORD, Page, WebClient};
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

both_backends!(
    a_user_made_on_the_web_has_the_api_events_a_working_token_and_a_password,
    a_bad_new_user_comes_back_with_every_error_beside_its_field_and_nothing_written,
    only_administrators_see_and_use_the_administration_pages,
    administration_forms_without_a_csrf_token_are_refused,
    areas_password_token_and_deactivation_are_the_api_changes,
    the_last_active_administrator_cannot_be_deactivated,
    areas_and_categories_are_registered_once_with_every_error_shown,
    error_pages_speak_the_users_language_only,
);

/// The event types of one aggregate, in order.
async fn events_of(app: &TestApp, aggregate_type: &str, id: &str) -> Vec<String> {
    santisuk_store::on_db!(app.db(), p => sqlx::query_scalar::<_, String>(
        "SELECT event_type FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence")
        .bind(aggregate_type).bind(id).fetch_all(p).await.expect("events"))
}

async fn user_id(app: &TestApp, name: &str) -> String {
    let listed = app.get("/api/users", &app.admin).await;
    listed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["name"] == json!(name))
        .unwrap_or_else(|| panic!("no user {name}"))["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// The CSRF token and the submission id of the form posting to `action` on the page at `path`.
async fn form_of(web: &mut WebClient, path: &str, action: &str) -> (String, String) {
    let page = web.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    let at = page.body.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("no form to {action}"));
    let form = Page { body: page.body[at..].to_owned(), ..page.clone() };
    (page.csrf(), form.hidden("submission").unwrap_or_default())
}

fn token_on(page: &Page) -> Option<String> {
    page.hidden("token")
}

async fn a_user_made_on_the_web_has_the_api_events_a_working_token_and_a_password(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("ADM-1").await;
    let mut web = app.web_as(Role::Admin).await;
    let (csrf, submission) = form_of(&mut web, "/admin/users", "/admin/users").await;
    let name = format!("somchai-{}", app.suffix);
    let password = "รหัสผ่านยาวพอแล้ว-1";
    let form = [
        ("_csrf", csrf.as_str()),
        ("submission", submission.as_str()),
        ("name", name.as_str()),
        ("role", "coordinator"),
        ("areas", area.as_str()),
        ("password", password),
    ];
    let before = app.event_count().await;
    let page = web.post("/admin/users", &form).await;
    assert_eq!(page.status, StatusCode::CREATED, "{}", page.body);
    let token = token_on(&page).expect("the token is shown once");
    assert!(page.body.contains("คัดลอกโทเค็นนี้เก็บไว้ทันที"), "with a warning to copy it");
    let id = user_id(&app, &name).await;
    let web_events = events_of(&app, "User", &id).await;
    assert_eq!(web_events, ["UserCreated", "TokenIssued", "PasswordSet"]);
    assert_eq!(app.event_count().await, before + 3);
    // The API, for the same user: create, then set the password.
    let api_name = format!("somsak-{}", app.suffix);
    let r = app.post("/api/users", &app.admin, json!({"name": api_name, "role": "coordinator", "areas": [area]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let api_id = r.body["id"].as_str().expect("id").to_owned();
    let r = app.post(&format!("/api/users/{api_id}/password"), &app.admin, json!({"password": password})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(events_of(&app, "User", &api_id).await, web_events, "the same events as the API");
    // The token works at once, and the password signs in.
    let r = app.get("/api/areas", &token).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["items"].as_array().expect("items").len(), 1, "a coordinator of one area");
    WebClient::new(&app).sign_in(&name, password).await;
    // A double-click sends the very same form again: nothing more is written, no token is shown twice.
    let events = app.event_count().await;
    let again = web.post("/admin/users", &form).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(token_on(&again), None);
    assert!(again.body.contains("แบบฟอร์มนี้ถูกส่งไปแล้ว"), "{}", again.body);
    assert_eq!(app.event_count().await, events, "nothing created twice");
    // The list shows the new user.
    let list = web.get("/admin/users").await;
    assert!(list.body.contains(&name) && list.body.contains("ผู้ประสานงานพื้นที่") && list.body.contains(&area));
}

async fn a_bad_new_user_comes_back_with_every_error_beside_its_field_and_nothing_written(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut web = app.web_as(Role::Admin).await;
    let (csrf, submission) = form_of(&mut web, "/admin/users", "/admin/users").await;
    let before = app.event_count().await;
    let form = [
        ("_csrf", csrf.as_str()),
        ("submission", submission.as_str()),
        ("name", "มี ช่องว่าง<b>"),
        ("role", "coordinator"),
        ("password", "สั้น"),
    ];
    let page = web.post("/admin/users", &form).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    for (field, message) in [
        ("name", "ชื่อผู้ใช้ต้องเป็นตัวอักษร"),
        ("areas", "ผู้ประสานงานพื้นที่ต้องมีอย่างน้อยหนึ่งพื้นที่"),
        ("password", "รหัสผ่านต้องมีอย่างน้อย 10 ตัวอักษร"),
    ] {
        let marker = format!("id=\"err-{field}\" role=\"alert\">{message}");
        assert!(page.body.contains(&marker), "{field}: {marker} not in {}", page.body);
        assert!(page.body.contains(&format!("href=\"#{field}\"")), "the summary links to {field}");
    }
    assert!(page.body.contains("id=\"error-summary\" role=\"alert\""));
    assert!(page.body.contains("value=\"มี ช่องว่าง&lt;b&gt;\""), "what was typed is kept, as text");
    assert!(page.body.contains("value=\"coordinator\" selected"), "the role chosen is kept");
    assert!(!page.body.contains("สั้น"), "a password is never sent back");
    assert_eq!(app.event_count().await, before, "nothing was written");
    // Areas for a role that has none, and an area that does not exist, are refused beside the areas.
    let name = format!("ok-name-{}", app.suffix);
    let staff =
        [("_csrf", csrf.as_str()), ("submission", submission.as_str()), ("name", name.as_str()), ("role", "staff")];
    let mut with_area = staff.to_vec();
    with_area.push(("areas", "NOPE-1"));
    let page = web.post("/admin/users", &with_area).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"err-areas\" role=\"alert\">ไม่มีพื้นที่นี้ในระบบ"), "{}", page.body);
    // A name that exists is found by the application when everything else is right.
    let taken = format!("staff-{}", app.suffix);
    let mut dup = staff.to_vec();
    dup[2] = ("name", taken.as_str());
    let page = web.post("/admin/users", &dup).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"err-name\" role=\"alert\">มีผู้ใช้ชื่อนี้แล้ว"), "{}", page.body);
    assert_eq!(app.event_count().await, before, "still nothing written");
}

async fn only_administrators_see_and_use_the_administration_pages(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut admin = app.web_as(Role::Admin).await;
    assert!(admin.get("/dashboard").await.body.contains("href=\"/admin/users\""), "an admin sees the entry");
    let staff_id = user_id(&app, &format!("staff-{}", app.suffix)).await;
    for role in [Role::Staff, Role::Coordinator, Role::Auditor] {
        let mut web = app.web_as(role).await;
        let dashboard = web.get("/dashboard").await;
        // Staff manage the registry of organisations (#16), read the agencies they refer problems to (#17) and
        // import spreadsheets (#18): the pages under /admin/ that are not the administrators' alone.
        let body = if role == Role::Staff {
            dashboard
                .body
                .replace("href=\"/admin/organisations\"", "")
                .replace("href=\"/admin/agencies\"", "")
                .replace("href=\"/admin/import\"", "")
        } else {
            dashboard.body.clone()
        };
        assert!(!body.contains("/admin/"), "{role:?} must not see the entry");
        let csrf = dashboard.csrf();
        let before = app.event_count().await;
        let user_path = format!("/admin/users/{staff_id}");
        for path in ["/admin", "/admin/users", "/admin/areas", "/admin/categories", user_path.as_str()] {
            assert_eq!(web.get(path).await.status, StatusCode::FORBIDDEN, "{role:?} {path}");
        }
        let sub = uuid::Uuid::new_v4().to_string();
        let name = format!("intruder-{}", app.suffix);
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            ("/admin/users".into(), vec![("name", name.as_str()), ("role", "admin"), ("submission", sub.as_str())]),
            (format!("/admin/users/{staff_id}/deactivate"), vec![("submission", sub.as_str())]),
            (format!("/admin/users/{staff_id}/token"), vec![("submission", sub.as_str())]),
            (format!("/admin/users/{staff_id}/password"), vec![("password", "ยึดบัญชีนี้เสียเลย")]),
            (format!("/admin/users/{staff_id}/areas"), vec![("submission", sub.as_str())]),
            ("/admin/areas".into(), vec![("id", "X-1"), ("name_th", "ก"), ("amphoe_code", "9401")]),
            ("/admin/categories".into(), vec![("code", "XX"), ("name_th", "ก"), ("name_en", "x")]),
        ];
        for (path, mut fields) in posts {
            fields.push(("_csrf", &csrf));
            let page = web.post(&path, &fields).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{role:?} {path}: {}", page.body);
            assert!(page.body.contains("คุณไม่มีสิทธิ์เข้าถึง"), "the 403 page");
        }
        assert_eq!(app.event_count().await, before, "{role:?} wrote nothing");
    }
}

async fn administration_forms_without_a_csrf_token_are_refused(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut web = app.web_as(Role::Admin).await;
    let (_, submission) = form_of(&mut web, "/admin/users", "/admin/users").await;
    let staff_id = user_id(&app, &format!("staff-{}", app.suffix)).await;
    let before = app.event_count().await;
    let forged = "0".repeat(64);
    for csrf in [None, Some(forged.as_str())] {
        let with = |mut f: Vec<(&'static str, String)>| {
            if let Some(c) = csrf {
                f.push(("_csrf", c.to_owned()));
            }
            f
        };
        let posts = [
            (
                "/admin/users".to_owned(),
                with(vec![("name", "newbie".into()), ("role", "staff".into()), ("submission", submission.clone())]),
            ),
            (format!("/admin/users/{staff_id}/deactivate"), with(vec![("submission", submission.clone())])),
            (format!("/admin/users/{staff_id}/token"), with(vec![("submission", submission.clone())])),
            (format!("/admin/users/{staff_id}/password"), with(vec![("password", "รหัสใหม่ยาวพอสมควร".into())])),
            (
                "/admin/areas".to_owned(),
                with(vec![("id", "X-1".into()), ("name_th", "ก".into()), ("amphoe_code", "9401".into())]),
            ),
            (
                "/admin/categories".to_owned(),
                with(vec![("code", "XX".into()), ("name_th", "ก".into()), ("name_en", "x".into())]),
            ),
        ];
        for (path, fields) in posts {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let page = web.post(&path, &pairs).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path} with {csrf:?}");
            assert!(page.body.contains("ข้อมูลยังไม่ถูกบันทึก"), "{}", page.body);
        }
    }
    assert_eq!(app.event_count().await, before, "nothing was written");
}

async fn areas_password_token_and_deactivation_are_the_api_changes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("ADM-2").await;
    let mut web = app.web_as(Role::Admin).await;
    // Areas: the coordinator's are replaced; a retry of the same form writes nothing more.
    let coordinator = app.coordinator_id.clone();
    let page_path = format!("/admin/users/{coordinator}");
    let action = format!("{page_path}/areas");
    let (csrf, submission) = form_of(&mut web, &page_path, &action).await;
    let before = events_of(&app, "User", &coordinator).await;
    let form = [("_csrf", csrf.as_str()), ("submission", submission.as_str()), ("areas", area.as_str())];
    let page = web.post(&action, &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let after = events_of(&app, "User", &coordinator).await;
    assert_eq!(after[before.len()..], ["UserAreasChanged"]);
    assert_eq!(web.post(&action, &form).await.status, StatusCode::SEE_OTHER);
    assert_eq!(events_of(&app, "User", &coordinator).await, after, "the retry wrote nothing");
    let r = app.get("/api/areas", &app.coordinator).await;
    assert_eq!(
        r.body["items"],
        json!([{"id": area, "name_th": "พื้นที่ ADM-2", "name_en": null, "amphoe_code": "9401", "province_code": "94",
            "tambon_code": null, "target_area": true, "reached_from": null, "reached_on": null}])
    );
    // No area at all for a coordinator: refused beside the field, nothing written.
    let (csrf, submission) = form_of(&mut web, &page_path, &action).await;
    let page = web.post(&action, &[("_csrf", csrf.as_str()), ("submission", submission.as_str())]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"err-areas\" role=\"alert\">ผู้ประสานงานพื้นที่ต้องมีอย่างน้อยหนึ่งพื้นที่"));
    assert_eq!(events_of(&app, "User", &coordinator).await, after);

    // Password: a short one is refused; a good one signs in, and ends the user's sessions.
    let staff_name = format!("staff-{}", app.suffix);
    let staff = user_id(&app, &staff_name).await;
    let mut staff_web = app.web_as(Role::Staff).await;
    let page_path = format!("/admin/users/{staff}");
    let action = format!("{page_path}/password");
    let (csrf, _) = form_of(&mut web, &page_path, &action).await;
    let before = events_of(&app, "User", &staff).await;
    let page = web.post(&action, &[("_csrf", csrf.as_str()), ("password", "short")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"err-password\" role=\"alert\">รหัสผ่านต้องมีอย่างน้อย 10 ตัวอักษร"));
    assert_eq!(events_of(&app, "User", &staff).await, before);
    let new_password = "ทะเลสาบสงขลา-2569";
    let page = web.post(&action, &[("_csrf", csrf.as_str()), ("password", new_password)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(events_of(&app, "User", &staff).await[before.len()..], ["PasswordSet"]);
    assert_eq!(staff_web.get("/issues").await.status, StatusCode::SEE_OTHER, "signed out everywhere");
    assert_eq!(WebClient::new(&app).try_sign_in(&staff_name, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    WebClient::new(&app).sign_in(&staff_name, new_password).await;

    // Token: the new one works, the old one does not; a retry issues none.
    let action = format!("{page_path}/token");
    let (csrf, submission) = form_of(&mut web, &page_path, &action).await;
    let before = events_of(&app, "User", &staff).await;
    let form = [("_csrf", csrf.as_str()), ("submission", submission.as_str())];
    let page = web.post(&action, &form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = token_on(&page).expect("the new token is shown");
    assert_eq!(events_of(&app, "User", &staff).await[before.len()..], ["TokenIssued"]);
    assert_eq!(app.get("/api/areas", &token).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/areas", &app.staff).await.status, StatusCode::UNAUTHORIZED, "the old token fails");
    let again = web.post(&action, &form).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(token_on(&again), None, "a retry shows no token");
    assert_eq!(events_of(&app, "User", &staff).await.len(), before.len() + 1, "and issues none");
    assert_eq!(app.get("/api/areas", &token).await.status, StatusCode::OK, "the token shown still works");

    // Deactivation: a confirmation step, then the user can neither sign in nor use their token.
    let confirm = format!("{page_path}/deactivate");
    let page = web.get(&page_path).await;
    assert!(page.body.contains(&format!("href=\"{confirm}\"")), "the user page links to the confirmation");
    let (csrf, submission) = form_of(&mut web, &confirm, &confirm).await;
    let form = [("_csrf", csrf.as_str()), ("submission", submission.as_str())];
    let page = web.post(&confirm, &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let after = events_of(&app, "User", &staff).await;
    assert_eq!(after.last().map(String::as_str), Some("UserDeactivated"));
    assert_eq!(web.post(&confirm, &form).await.status, StatusCode::SEE_OTHER, "a retry is answered as done");
    assert_eq!(events_of(&app, "User", &staff).await, after, "and writes nothing");
    assert_eq!(WebClient::new(&app).try_sign_in(&staff_name, new_password).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/areas", &token).await.status, StatusCode::UNAUTHORIZED);
    let page = web.get(&page_path).await;
    assert!(page.body.contains("บัญชีนี้ถูกระงับแล้ว"));
    assert!(!page.body.contains(&format!("action=\"{page_path}/token\"")), "no forms for a deactivated user");
}

async fn the_last_active_administrator_cannot_be_deactivated(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut web = app.web_as(Role::Admin).await;
    let admin = user_id(&app, &format!("admin-{}", app.suffix)).await;
    let confirm = format!("/admin/users/{admin}/deactivate");
    let (csrf, submission) = form_of(&mut web, &confirm, &confirm).await;
    let before = app.event_count().await;
    let page = web.post(&confirm, &[("_csrf", csrf.as_str()), ("submission", submission.as_str())]).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("ผู้ดูแลระบบคนสุดท้าย"), "{}", page.body);
    assert_eq!(app.event_count().await, before);
}

async fn areas_and_categories_are_registered_once_with_every_error_shown(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut web = app.web_as(Role::Admin).await;
    let csrf = web.get("/admin/areas").await.csrf();
    let before = app.event_count().await;
    // Every error at once, what was typed kept.
    let bad = [
        ("_csrf", csrf.as_str()),
        ("id", "มี ช่องว่าง"),
        ("name_th", ""),
        ("name_en", ""),
        ("amphoe_code", "9401"),
        ("tambon_code", "950101"),
    ];
    let page = web.post("/admin/areas", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    for (field, message) in
        [("id", "รหัสพื้นที่ต้องเป็น"), ("name_th", "กรุณากรอกช่องนี้"), ("tambon_code", "ไม่มีตำบลรหัสนี้ในอำเภอที่เลือก")]
    {
        assert!(page.body.contains(&format!("id=\"err-{field}\" role=\"alert\">{message}")), "{field}: {}", page.body);
        assert!(page.body.contains(&format!("href=\"#{field}\"")), "the summary links to {field}");
    }
    assert!(page.body.contains("value=\"มี ช่องว่าง\"") && page.body.contains("value=\"9401\" selected"));
    let page = web.post("/admin/areas", &[("_csrf", csrf.as_str()), ("id", "A-1"), ("name_th", "ก")]).await;
    assert!(page.body.contains("id=\"err-amphoe_code\" role=\"alert\">กรุณาเลือกอำเภอ"), "{}", page.body);
    assert_eq!(app.event_count().await, before, "nothing was written");
    // Registered as the API registers it, with a subdistrict; a retry is taken as done.
    let good = [
        ("_csrf", csrf.as_str()),
        ("id", "BANA-1"),
        ("name_th", "บานา"),
        ("name_en", "Bana"),
        ("amphoe_code", "9401"),
        ("tambon_code", "940101"),
    ];
    let page = web.post("/admin/areas", &good).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(events_of(&app, "Area", "BANA-1").await, ["AreaRegistered"]);
    assert_eq!(web.post("/admin/areas", &good).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.event_count().await, before + 1, "registered once");
    let r = app.post("/api/areas", &app.admin, json!({"id": "BANA-2", "name_th": "บานา", "amphoe_code": "9401"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(events_of(&app, "Area", "BANA-2").await, events_of(&app, "Area", "BANA-1").await);
    let listed = web.get("/admin/areas").await;
    assert!(listed.body.contains("BANA-1") && listed.body.contains("Bana") && listed.body.contains("940101"));
    // Another area under a code taken is refused beside the code.
    let mut other = good;
    other[2] = ("name_th", "อื่น");
    let page = web.post("/admin/areas", &other).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"err-id\" role=\"alert\">มีพื้นที่รหัสนี้แล้ว"), "{}", page.body);

    // Categories.
    let before = app.event_count().await;
    let page = web
        .post("/admin/categories", &[("_csrf", csrf.as_str()), ("code", "x"), ("name_th", ""), ("name_en", "")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["code", "name_th", "name_en"] {
        assert!(page.body.contains(&format!("id=\"err-{field}\"")), "{field}");
    }
    assert_eq!(app.event_count().await, before);
    let good = [("_csrf", csrf.as_str()), ("code", "FISH"), ("name_th", "ประมง"), ("name_en", "Fisheries")];
    assert_eq!(web.post("/admin/categories", &good).await.status, StatusCode::SEE_OTHER);
    assert_eq!(web.post("/admin/categories", &good).await.status, StatusCode::SEE_OTHER, "a retry is done");
    assert_eq!(events_of(&app, "Category", "FISH").await, ["CategoryAdded"]);
    assert_eq!(app.event_count().await, before + 1);
    let r = app.get("/api/categories", &app.staff).await;
    assert!(r.body["items"].as_array().expect("items").iter().any(|c| c["code"] == "FISH"));
}

async fn error_pages_speak_the_users_language_only(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mut web = app.web_as(Role::Staff).await;
    let page = web.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("<html lang=\"th\"") && page.body.contains("คุณไม่มีสิทธิ์เข้าถึง"));
    assert!(!page.body.contains("Not allowed"), "Thai only: {}", page.body);
    let csrf = web.get("/dashboard").await.csrf();
    let switched = web.post("/lang", &[("_csrf", csrf.as_str()), ("lang", "en"), ("back", "/dashboard")]).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    for (path, status, heading) in [
        ("/admin/users", StatusCode::FORBIDDEN, "Not allowed"),
        ("/issues/PTN-2569-99999", StatusCode::NOT_FOUND, "Not found"),
    ] {
        let page = web.get(path).await;
        assert_eq!(page.status, status, "{path}");
        assert!(page.body.contains("<html lang=\"en\""), "{path}");
        assert!(page.body.contains(&format!("<h1>{heading}</h1>")), "{path}: {}", page.body);
        assert!(!page.body.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)), "no Thai: {}", page.body);
    }
    // The language is the user's, not only the browser's: a new browser signed in as them reads English.
    let mut other = WebClient::new(&app);
    other.sign_in(&format!("staff-{}", app.suffix), PASSWORD).await;
    let page = other.get("/admin/areas").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("<h1>Not allowed</h1>"), "{}", page.body);
}
