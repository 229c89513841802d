//! A problem followed to the village in a real browser (issue #17): raised at a forum five days ago, referred
//! to the agency the routing rule suggests, escalated because nobody assigned it within its service level,
//! acted on and closed as resolved, and confirmed by the community at the next forum of its area, which the
//! dashboard then counts beside the resolution rate.

use chrono::Duration;
use fantoccini::Locator;
use santisuk_tests::web::PASSWORD;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

use super::{Browsing, browse, click, fill, js, shot, sign_in, text, wait_css, wait_until};

both_backends!(a_problem_from_its_forum_through_referral_escalation_and_closure_to_the_communitys_verdict);

async fn a_problem_from_its_forum_through_referral_escalation_and_closure_to_the_communitys_verdict(backend: Backend) {
    let app = TestApp::new(backend).await;
    // The escalator's passes are run by the test, so that the story does not depend on its timer.
    app.state.set_escalator(false);
    let area = format!("WFB-{}", app.suffix);
    let r = app
        .post("/api/areas", &app.admin, json!({"id": area, "name_th": "ตำบลบานา (เรื่องเดินทาง)", "amphoe_code": "9401"}))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    // Reference data an admin keeps: the agency, the rule that routes roads in the district to it, and the
    // service level of roads (one day to a first assignment).
    let r = app
        .post(
            "/api/agencies",
            &app.admin,
            json!({"name_th": "แขวงทางหลวงปัตตานี (ทดสอบ)", "name_en": "Pattani Highway District (test)",
                   "level": "province", "districts": ["9401"], "contact": "saraban@example.go.th"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let agency = r.body["id"].as_str().expect("agency id").to_owned();
    let r = app
        .post("/api/routing-rules", &app.admin, json!({"category": "INF", "district": "9401", "agency": agency}))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let r = app
        .send(
            axum::http::Method::PUT,
            "/api/categories/INF/service-level",
            Some(&app.admin),
            Some(axum::body::Body::from(json!({"days_to_assign": 1, "days_to_resolve": 30}).to_string())),
            &[],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{:?}", r.body);

    let staff = format!("staff-{}", app.suffix);
    app.set_password(&staff).await;
    let Browsing { base, c, tag, _driver, _profile } = browse(&app, backend).await;
    sign_in(&c, &base, &staff, PASSWORD).await;

    // The forum, recorded as it was held five days ago: its problem is raised on that day.
    let held = santisuk_domain::time::bangkok_date(santisuk_app::now()) - Duration::days(5);
    c.goto(&format!("{base}/forums/new")).await.expect("forum page");
    c.find(Locator::Css("#area_id")).await.expect("area").select_by_value(&area).await.expect("choose area");
    js(&c, &format!("document.getElementById('held_on').value = '{held}'; return 1;")).await;
    fill(&c, "#title", "เวทีประชาคมตำบลบานา ครั้งที่ 4").await;
    fill(&c, "#participants", "38").await;
    fill(&c, "#p_title-1", "สะพานข้ามคลองบานาชำรุด รถผ่านไม่ได้").await;
    c.find(Locator::Css("#p_category-1")).await.expect("category").select_by_value("INF").await.expect("INF");
    click(&c, "button[value=save]").await;
    wait_css(&c, "p.notice", "the forum saved").await;
    click(&c, "table.stack tbody tr:first-child a").await;
    wait_css(&c, "#assign", "the issue page").await;
    let issue_url = c.current_url().await.expect("url").to_string();
    let id = issue_url.rsplit('/').next().expect("id").split('?').next().expect("id").to_owned();

    // Referral: the assign form offers the agency the rule routes to, already chosen; nobody is named.
    let chosen =
        js(&c, "var s = document.getElementById('assign-agency'); return s.options[s.selectedIndex].value;").await;
    assert!(chosen.as_str().is_some_and(|v| v.starts_with("rule:")), "the rule's suggestion is chosen: {chosen}");
    assert!(text(&c, "#assign-agency").await.contains("แขวงทางหลวงปัตตานี (ทดสอบ)"));
    click(&c, "#assign button[type=submit]").await;
    wait_css(&c, "#address", "the address form after the referral").await;
    let main = text(&c, "main").await;
    assert!(main.contains("แขวงทางหลวงปัตตานี (ทดสอบ)"), "the page names the agency: {main}");
    assert!(main.contains("หน่วยงานที่รับเรื่อง"), "the problem now waits for the agency: {main}");
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(
        (issue.body["agency_id"].as_str(), issue.body["waiting_for"].as_str()),
        (Some(agency.as_str()), Some("agency"))
    );
    let rule = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await;
    assert!(rule.body.to_string().contains("\"rule\""), "the rule applied is recorded: {}", rule.body);

    // Escalation: it was referred four days after its one-day level; the escalator's pass records that once.
    let escalated = santisuk_app::escalation::escalate_due(&app.state, santisuk_app::now()).await.expect("escalator");
    assert!(escalated >= 1, "the passed assignment deadline escalates the problem");
    c.goto(&issue_url).await.expect("the issue page again");
    wait_css(&c, "#address", "the issue page").await;
    let main = text(&c, "main").await;
    assert!(main.contains("สำนักงานประสานงาน ศอ.บต. จังหวัดปัตตานี"), "now the provincial office's: {main}");
    assert!(text(&c, "ol.timeline").await.contains("ยกระดับเรื่องที่เกินกำหนด"), "the timeline names it");
    c.goto(&format!("{base}/issues?area_id={area}")).await.expect("queue");
    wait_css(&c, "main", "the queue").await;
    assert!(text(&c, "main").await.contains("ยกระดับ 1"), "the queue shows its badge");
    shot(&c, 1280, &format!("{tag}-workflow-escalated")).await;
    c.set_window_size(1280, 900).await.expect("resize");

    // The agency acts; staff record it and close the problem as resolved.
    c.goto(&issue_url).await.expect("the issue page");
    wait_css(&c, "#address", "the address form").await;
    fill(&c, "#address-action", "แขวงทางหลวงซ่อมพื้นสะพานและติดตั้งราวกันตก").await;
    click(&c, "#address button[type=submit]").await;
    wait_until(&c, "return document.querySelector('main .badge').textContent === 'อยู่ระหว่างดำเนินการ';", "addressed")
        .await;
    c.find(Locator::Css("#close-outcome")).await.expect("outcome").select_by_value("resolved").await.expect("resolved");
    click(&c, "#close button[type=submit]").await;
    wait_css(&c, "#reopen", "closed").await;

    // The next forum of the area lists the problem closed since the last one; the community confirms it.
    let today = santisuk_domain::time::bangkok_date(santisuk_app::now());
    let r = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": today, "participants": 41})).await;
    assert_eq!(r.status.as_u16(), 201, "{:?}", r.body);
    let forum = r.body["id"].as_str().expect("forum id").to_owned();
    c.goto(&format!("{base}/forums/{forum}")).await.expect("the next forum's page");
    wait_css(&c, "#verdicts select[name=v_verdict]", "the verdict form").await;
    assert!(text(&c, "#verdicts").await.contains("สะพานข้ามคลองบานาชำรุด"), "the closed problem is listed");
    c.find(Locator::Css("#verdicts select[name=v_verdict]"))
        .await
        .expect("verdict")
        .select_by_value("confirmed")
        .await
        .expect("confirmed");
    let before = app.event_count().await;
    click(&c, "#verdicts button[type=submit]").await;
    wait_css(&c, "p.notice", "the verdicts saved").await;
    assert_eq!(app.event_count().await, before + 1, "one verdict recorded");
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(issue.body["status"], json!("closed"), "a confirmed problem stays closed: {:?}", issue.body);
    shot(&c, 1280, &format!("{tag}-workflow-verdict")).await;
    c.set_window_size(1280, 900).await.expect("resize");

    // The dashboard counts it beside the resolution rate, and its area's row says so.
    c.goto(&format!("{base}/dashboard")).await.expect("dashboard");
    wait_css(&c, "#kpi-confirmed", "the confirmed figure").await;
    let confirmed: i64 = text(&c, "#kpi-confirmed .v").await.trim().parse().expect("a number");
    assert!(confirmed >= 1, "the confirmed resolution is counted");
    let stats = app.get("/api/stats/resolution?by=area", &app.staff).await;
    let row = group(&stats.body, &area).unwrap_or_else(|| panic!("the area's row: {}", stats.body));
    assert_eq!((row["resolved"].as_i64(), row["confirmed"].as_i64()), (Some(1), Some(1)), "{row}");
}

/// The statistics' group whose `area_id` is `area`, wherever the answer holds it.
fn group(v: &serde_json::Value, area: &str) -> Option<serde_json::Value> {
    match v {
        serde_json::Value::Object(m) if m.get("area_id").and_then(|a| a.as_str()) == Some(area) => Some(v.clone()),
        serde_json::Value::Object(m) => m.values().find_map(|x| group(x, area)),
        serde_json::Value::Array(a) => a.iter().find_map(|x| group(x, area)),
        _ => None,
    }
}
