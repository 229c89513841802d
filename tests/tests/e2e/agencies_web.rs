//! Agencies and referral in the web app (issue #17 §1), on both backends: an admin registers an agency and a
//! routing rule on their pages (Thai first; a refused one shown in Thai with nothing written), the issue
//! page offers the rule's agency chosen in the assign form (no script needed), the referral and the
//! "waiting for" form change who the problem waits for, and the ball-in-court page names the agency.

use axum::http::StatusCode;
use santisuk_projections::users::Role;
use santisuk_tests::{Backend, TestApp, both_backends};

both_backends!(an_admin_sets_up_a_referral_that_the_issue_page_suggests_and_follows,);

async fn an_admin_sets_up_a_referral_that_the_issue_page_suggests_and_follows(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("WEB-1").await;
    let mut admin = app.web_as(Role::Admin).await;
    let page = admin.get("/admin/agencies").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("ลงทะเบียนหน่วยงาน"), "Thai first: {}", page.body);
    let csrf = page.csrf();
    // Refused: a provincial agency without a district, in Thai, nothing written.
    let before = app.event_count().await;
    let form = [("_csrf", csrf.as_str()), ("name_th", "แขวงทางหลวงปัตตานี"), ("level", "province")];
    let refused = admin.post("/admin/agencies", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("อย่างน้อยหนึ่งอำเภอ"), "{}", refused.body);
    assert_eq!(app.event_count().await, before);
    let mut form = form.to_vec();
    form.push(("districts", "9401"));
    form.push(("contact", "โทร 073-000-000"));
    let saved = admin.post("/admin/agencies", &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let agencies = app.get("/api/agencies", &app.staff).await.body;
    let agency = agencies["items"][0]["id"].as_str().unwrap().to_owned();
    // The rule: infrastructure in Mueang Pattani goes to the highway office.
    let rules = admin.get("/admin/routing").await;
    assert!(rules.body.contains("ยังไม่มีกฎการส่งต่อเรื่อง"), "{}", rules.body);
    let set = admin
        .post(
            "/admin/routing",
            &[("_csrf", csrf.as_str()), ("category", "INF"), ("district", "9401"), ("agency", &agency)],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let rule = app.get("/api/routing-rules", &app.staff).await.body["items"][0]["id"].as_str().unwrap().to_owned();
    // A coordinator sees the rules and the agencies but may not change them.
    let mut coordinator = app.web_as(Role::Coordinator).await;
    let read = coordinator.get("/admin/routing").await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.contains("แขวงทางหลวงปัตตานี") && !read.body.contains("ตั้งกฎ</button>"), "{}", read.body);
    let refused = coordinator.post("/admin/routing", &[("_csrf", read.csrf().as_str()), ("category", "INF")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The forum form suggests it as the problem is typed (the fragment its script fetches, and the form shown
    // again), for the area and category chosen; not for a category no rule routes.
    let mut staff = app.web_as(Role::Staff).await;
    let typed = staff
        .get(&format!(
            "/duplicates/suggest?area={area}&category=INF&title=%E0%B8%AA%E0%B8%B0%E0%B8%9E%E0%B8%B2%E0%B8%99"
        ))
        .await;
    assert_eq!(typed.status, StatusCode::OK, "{}", typed.body);
    assert!(
        typed.body.contains("หน่วยงานที่แนะนำตามกฎการส่งต่อเรื่อง") && typed.body.contains("แขวงทางหลวงปัตตานี"),
        "{}",
        typed.body
    );
    let other = staff.get(&format!("/duplicates/suggest?area={area}&category=EDU&title=x")).await;
    assert!(!other.body.contains("หน่วยงานที่แนะนำ"), "{}", other.body);
    // The problem's page suggests the agency, chosen; the forum-less raise goes through the API.
    let id = app.raise(&area, "INF", "ถนนเข้าหมู่บ้านชำรุด").await;
    let page = staff.get(&format!("/issues/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let chosen = format!("<option value=\"rule:{rule}\" selected>");
    assert!(page.body.contains(&chosen), "the rule's agency is chosen: {}", page.body);
    assert!(page.body.contains("หน่วยงานที่แนะนำตามกฎการส่งต่อเรื่อง"), "{}", page.body);
    let version = page.hidden("version").unwrap();
    let csrf = page.csrf();
    let choice = format!("rule:{rule}");
    let assigned = staff
        .post(
            &format!("/issues/{id}/assign"),
            &[("_csrf", csrf.as_str()), ("version", version.as_str()), ("agency", choice.as_str()), ("assignee", "")],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
    assert_eq!((issue["agency_id"].as_str(), issue["waiting_for"].as_str()), (Some(agency.as_str()), Some("agency")));
    let page = staff.get(&format!("/issues/{id}")).await;
    assert!(page.body.contains("หน่วยงานที่รับเรื่อง"), "waiting for the agency: {}", page.body);
    // The waiting form: now the community; a repeat is refused in Thai with nothing written.
    let version = page.hidden("version").unwrap();
    let wait = [("_csrf", csrf.as_str()), ("version", version.as_str()), ("waiting_for", "community"), ("note", "")];
    let waited = staff.post(&format!("/issues/{id}/wait"), &wait).await;
    assert_eq!(waited.status, StatusCode::SEE_OTHER, "{}", waited.body);
    let page = staff.get(&format!("/issues/{id}")).await;
    assert!(page.body.contains("<strong>ชุมชน</strong>"), "{}", page.body);
    let before = app.event_count().await;
    let version = page.hidden("version").unwrap();
    let again = [("_csrf", csrf.as_str()), ("version", version.as_str()), ("waiting_for", "community"), ("note", "")];
    let refused = staff.post(&format!("/issues/{id}/wait"), &again).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("เรื่องนี้รอฝ่ายนี้อยู่แล้ว"), "{}", refused.body);
    assert_eq!(app.event_count().await, before);
    // The ball-in-court page names the agency (Thai first), and the English page too.
    let custody = staff.get("/reports/custody").await;
    assert_eq!(custody.status, StatusCode::OK, "{}", custody.body);
    assert!(custody.body.contains("แขวงทางหลวงปัตตานี") && custody.body.contains("เรื่องอยู่ที่ใคร"), "{}", custody.body);
    let by_category = staff.get("/reports/custody?by=category").await;
    assert_eq!(by_category.status, StatusCode::OK, "{}", by_category.body);
}
