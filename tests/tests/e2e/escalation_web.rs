//! Service levels, escalation and notifications in the web app (issue #17 §2, §5), on both backends: the
//! admin pages `/admin/service-levels` and `/admin/notifications` (Thai first), refused input shown with
//! nothing written, and an escalated problem first in the queue with its badge and office on its page.

use axum::http::StatusCode;
use chrono::Duration;
use santisuk_projections::users::Role;
use santisuk_tests::notify::WebhookReceiver;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::json;

both_backends!(
    an_admin_sets_a_service_level_and_the_escalated_problem_leads_the_queue,
    an_admin_adds_a_webhook_sees_its_failures_and_retries_them,
);

async fn an_admin_sets_a_service_level_and_the_escalated_problem_leads_the_queue(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.state.set_escalator(false);
    let area = app.area("ESW-1").await;
    let mut staff = app.web_as(Role::Staff).await;
    assert_eq!(staff.get("/admin/service-levels").await.status, StatusCode::FORBIDDEN);
    let mut web = app.web_as(Role::Admin).await;
    let page = web.get("/admin/service-levels").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("ระยะเวลามาตรฐาน") && page.body.contains("วันที่ต้องมอบหมาย"), "{}", page.body);
    let csrf = page.csrf();
    let before = app.event_count().await;
    let refused = web
        .post("/admin/service-levels/INF", &[("_csrf", &csrf), ("days_to_assign", "5"), ("days_to_resolve", "2")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("bad_service_days"), "{}", refused.body);
    let refused = web.post("/admin/service-levels/INF", &[("_csrf", &csrf), ("days_to_assign", "สอง")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.event_count().await, before, "nothing written");
    let saved = web
        .post("/admin/service-levels/INF", &[("_csrf", &csrf), ("days_to_assign", "1"), ("days_to_resolve", "")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let categories = app.get("/api/categories", &app.staff).await;
    let inf = categories
        .body
        .as_array()
        .map(|a| a.to_vec())
        .unwrap_or_else(|| categories.body["items"].as_array().unwrap().clone());
    let inf = inf.iter().find(|c| c["code"] == "INF").unwrap();
    assert_eq!((inf["days_to_assign"].as_i64(), inf["days_to_resolve"].as_i64()), (Some(1), None));

    let at = (santisuk_app::now() - Duration::days(2)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let r = app
        .post("/api/issues", &app.staff, json!({"area_id": area, "category": "INF", "title": "ถนนขาด", "at": at}))
        .await;
    let late = r.body["id"].as_str().unwrap().to_owned();
    app.raise(&area, "LIV", "ใหม่กว่าแต่ไม่เร่งด่วน").await;
    santisuk_app::escalation::escalate_due(&app.state, santisuk_app::now()).await.unwrap();
    let queue = web.get(&format!("/issues?area_id={area}")).await;
    assert_eq!(queue.status, StatusCode::OK);
    let first = queue.body.find("ถนนขาด").unwrap();
    assert!(first < queue.body.find("ใหม่กว่าแต่ไม่เร่งด่วน").unwrap(), "the escalated problem first");
    assert!(queue.body.contains("ยกระดับ 1"), "its badge");
    let page = web.get(&format!("/issues/{late}")).await;
    assert!(page.body.contains("สำนักงานประสานงาน ศอ.บต. จังหวัดปัตตานี"), "{}", page.body);
    assert!(page.body.contains("เกินกำหนดมอบหมาย"));
    assert!(page.body.contains("ยกระดับเรื่องที่เกินกำหนด"), "the timeline names the event");
}

async fn an_admin_adds_a_webhook_sees_its_failures_and_retries_them(backend: Backend) {
    let receiver = WebhookReceiver::start("web-secret-0123456789").await;
    let app = TestApp::new(backend).await;
    app.state.notifier.set_running(false);
    let area = app.area("ESW-2").await;
    let mut web = app.web_as(Role::Admin).await;
    let page = web.get("/admin/notifications").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("ช่องทางการแจ้งเตือน") && page.body.contains("ยังไม่มีช่องทาง"));
    let csrf = page.csrf();
    let refused = web
        .post(
            "/admin/notifications/channels",
            &[
                ("_csrf", &csrf),
                ("kind", "webhook"),
                ("target", "file:///etc/passwd"),
                ("secret", "web-secret-0123456789"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("bad_webhook_url"));
    assert_eq!(app.get("/api/notifications/channels", &app.admin).await.body["items"], json!([]));
    let url = receiver.url();
    let saved = web
        .post(
            "/admin/notifications/channels",
            &[("_csrf", &csrf), ("kind", "webhook"), ("target", &url), ("secret", "web-secret-0123456789")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let id = app.raise(&area, "INF", "ไฟดับ").await;
    let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "การไฟฟ้า"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    receiver.fail(500);
    loop {
        app.state.notifications.catch_up().await.unwrap();
        if santisuk_app::notifications::deliver_due(&app.state, santisuk_app::now()).await.unwrap().failed == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no delivery to fail");
    }
    let page = web.get("/admin/notifications").await;
    assert!(page.body.contains("การส่งที่ล้มเหลว") && page.body.contains("500"), "{}", page.body);
    let deliveries = app.get("/api/notifications/deliveries?state=retrying", &app.admin).await;
    let key = deliveries.body["items"][0]["key"].as_str().unwrap().to_owned();
    receiver.fail(0);
    let retried = web.post(&format!("/admin/notifications/deliveries/{key}/retry"), &[("_csrf", &csrf)]).await;
    assert_eq!(retried.status, StatusCode::SEE_OTHER, "{}", retried.body);
    assert_eq!(santisuk_app::notifications::deliver_due(&app.state, santisuk_app::now()).await.unwrap().sent, 1);
    assert_eq!(receiver.hooks().len(), 1);
}
