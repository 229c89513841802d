//! The audit API and the tamper-evident ledger: the global log and its export, the access log, roles and
//! bad input, and verification after tampering with the database directly (changed, deleted and forged
//! events, altered ledger rows, and a consistent rewrite that only an earlier digest catches).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use santisuk_projections::ledger::{self, Ledger};
use santisuk_projections::runner::Runner;
use santisuk_store::audit;
use santisuk_store::{Db, Pool, on_db};
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(
    as_of_cuts_by_stored_order_when_the_clock_steps_back,
    an_issues_history_is_paged_with_a_cursor,
    the_audit_log_lists_every_event_in_global_order_page_by_page,
    the_export_streams_the_whole_log_as_ndjson_and_as_csv,
    an_export_longer_than_a_page_carries_every_event_once_in_order,
    only_auditors_and_admins_may_use_the_audit_api,
    bad_audit_input_is_refused_with_a_json_error_and_records_nothing,
    reads_and_exports_of_the_audit_log_are_recorded_in_the_access_log,
    an_intact_log_verifies_and_still_matches_an_older_digest,
    a_changed_payload_is_reported_at_its_position,
    a_deleted_event_is_reported_at_its_position,
    a_forged_event_slipped_in_below_the_checkpoint_is_reported_at_its_position,
    an_altered_ledger_row_is_reported_as_a_ledger_mismatch,
    a_changed_event_with_its_ledger_row_rewritten_breaks_the_chain_at_the_next_row,
    a_consistent_rewrite_of_events_and_ledger_is_caught_only_by_a_later_digest,
    a_ledger_rebuild_reproduces_the_ledger_exactly,
    an_issues_history_shows_the_stored_payload_and_refuses_one_that_is_not_json,
    each_audit_filter_narrows_the_log_to_exactly_what_it_names,
    recorded_dates_are_bangkok_days_inclusive_in_either_era,
    newest_first_paging_visits_every_event_exactly_once,
    the_export_takes_the_same_filters_and_order_as_the_list,
    bad_audit_filters_are_refused_with_a_clear_message_and_record_nothing,
    staff_and_coordinators_may_not_filter_or_export_the_audit_log,
);

// --- helpers --------------------------------------------------------------------------------------------

async fn exec(db: &Db, sql: &str) {
    on_db!(db, p => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap_or_else(|e| panic!("{sql}: {e}")));
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap_or_else(|e| panic!("{sql}: {e}")))
}

/// Waits until the ledger has a row for every stored event (the runner is also running in the background).
async fn ledger_settled(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        app.state.ledger.catch_up().await.expect("ledger");
        if scalar(app.db(), "SELECT COUNT(*) FROM ledger").await == app.event_count().await {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the ledger did not settle");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Every event's position in the global order the runner uses.
async fn positions_in_order(app: &TestApp) -> Vec<i64> {
    let sql = match app.db().pool() {
        Pool::Sqlite(_) => "SELECT position FROM events ORDER BY position",
        Pool::Postgres(_) => "SELECT position FROM events ORDER BY tx, position",
    };
    on_db!(app.db(), p => sqlx::query_scalar::<_, i64>(sql).fetch_all(p).await.unwrap())
}

/// A few areas, issues and their lifecycles: some dozens of events of several aggregate types.
async fn history(app: &TestApp, issues: usize) -> Vec<String> {
    let area = match santisuk_projections::read_model::get_area(app.db(), "PTN-01").await.unwrap() {
        Some(a) => a.id,
        None => app.area("PTN-01").await,
    };
    let mut ids = Vec::new();
    for i in 0..issues {
        let id = app.raise(&area, "LIV", &format!("เรื่อง {i}")).await;
        if i % 2 == 0 {
            let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต."})).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        }
        ids.push(id);
    }
    ids
}

async fn digest(app: &TestApp) -> String {
    let r = app.get("/api/audit/digest", &app.auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    format!("{}:{}", r.body["position"], r.body["chain_hash"].as_str().unwrap())
}

async fn verify(app: &TestApp, digest: Option<&str>) -> Value {
    let path = match digest {
        Some(d) => format!("/api/audit/verify?digest={d}"),
        None => "/api/audit/verify".to_owned(),
    };
    let r = app.get(&path, &app.auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// The position of the `IssueRaised` of `issue`.
async fn raised_position(app: &TestApp, issue: &str) -> i64 {
    on_db!(app.db(), p => sqlx::query_scalar::<_, i64>(
        "SELECT position FROM events WHERE aggregate_id = $1 AND sequence = 1")
        .bind(issue).fetch_one(p).await.unwrap())
}

/// What someone with DDL rights does first: lift the append-only triggers.
async fn lift_event_triggers(app: &TestApp) {
    match app.db().pool() {
        Pool::Sqlite(_) => {
            exec(app.db(), "DROP TRIGGER events_no_update").await;
            exec(app.db(), "DROP TRIGGER events_no_delete").await;
        }
        Pool::Postgres(_) => exec(app.db(), "ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete").await,
    }
}

async fn lift_ledger_trigger(app: &TestApp) {
    match app.db().pool() {
        Pool::Sqlite(_) => exec(app.db(), "DROP TRIGGER ledger_no_update").await,
        Pool::Postgres(_) => exec(app.db(), "ALTER TABLE ledger DISABLE TRIGGER ledger_no_update").await,
    }
}

/// Rewrites the title in the stored payload of the event at `position`.
async fn forge_title(app: &TestApp, position: i64) {
    let sql = match app.db().pool() {
        Pool::Sqlite(_) => {
            "UPDATE events SET payload = json_set(payload, '$.IssueRaised.title', 'ปลอม') WHERE position = $1"
        }
        Pool::Postgres(_) => {
            "UPDATE events SET payload = jsonb_set(payload, '{IssueRaised,title}', '\"ปลอม\"') WHERE position = $1"
        }
    };
    let n = on_db!(app.db(), p => sqlx::query(sql).bind(position).execute(p).await.unwrap().rows_affected());
    assert_eq!(n, 1);
}

/// A GET whose body is not JSON: status, content type and text.
async fn get_text(app: &TestApp, path: &str, token: &str) -> (StatusCode, String, String) {
    let req = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let content_type = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, String::from_utf8(bytes.to_vec()).unwrap())
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn access_count(app: &TestApp) -> i64 {
    scalar(app.db(), "SELECT COUNT(*) FROM access_log").await
}

// --- the log, its export and the access log -------------------------------------------------------------

async fn the_audit_log_lists_every_event_in_global_order_page_by_page(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ids = history(&app, 5).await;
    ledger_settled(&app).await;
    let mut seen = Vec::new();
    let mut items = Vec::new();
    let mut path = "/api/audit/events?limit=7".to_owned();
    loop {
        let r = app.get(&path, &app.auditor).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let page = r.body["items"].as_array().unwrap().clone();
        assert!(page.len() <= 7);
        seen.extend(page.iter().map(|e| e["position"].as_i64().unwrap()));
        items.extend(page.iter().cloned());
        match r.body["next_cursor"].as_i64() {
            Some(next) => {
                assert_eq!(
                    Some(next),
                    page.last().and_then(|e| e["position"].as_i64()),
                    "the cursor is the last position"
                );
                path = format!("/api/audit/events?limit=7&after={next}");
            }
            None => break,
        }
    }
    assert_eq!(seen, positions_in_order(&app).await, "every event once, in the runner's order");
    assert!(seen.len() > 20, "categories, the area, users, issues: {}", seen.len());
    let raised = items
        .iter()
        .find(|e| e["aggregate_id"] == ids[0].as_str() && e["event_type"] == "IssueRaised")
        .expect("the first issue is in the log");
    assert_eq!(raised["aggregate_type"], "Issue");
    assert_eq!(raised["sequence"], 1);
    assert_eq!(raised["data"]["title"], "เรื่อง 0", "data is the payload's inner object");
    assert_eq!(raised["at"], raised["data"]["at"]);
    assert!(raised["actor"].as_str().unwrap().starts_with("staff-"), "{raised}");
    assert!(raised["recorded_at"].as_str().unwrap().ends_with('Z'));
    assert!(raised["event_version"].is_string());
    // Reference data is in the same log.
    assert!(items.iter().any(|e| e["aggregate_type"] == "Category" && e["actor"] == "system"));
    // The default page size is 100 and the limit may go up to 1000.
    let all = app.get("/api/audit/events?limit=1000", &app.admin).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), seen.len());
    assert!(all.body["next_cursor"].is_null());
}

async fn the_export_streams_the_whole_log_as_ndjson_and_as_csv(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 4).await;
    ledger_settled(&app).await;
    let order = positions_in_order(&app).await;

    let (status, content_type, text) = get_text(&app, "/api/audit/export?format=ndjson", &app.auditor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/x-ndjson");
    assert!(text.ends_with('\n'));
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert_eq!(lines.len(), order.len());
    assert_eq!(lines.iter().map(|e| e["position"].as_i64().unwrap()).collect::<Vec<_>>(), order);
    let listed = app.get("/api/audit/events?limit=1000", &app.auditor).await;
    assert_eq!(&Value::Array(lines), &listed.body["items"], "the export carries exactly what the API lists");

    let (status, content_type, text) = get_text(&app, "/api/audit/export?format=csv", &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/csv; charset=utf-8");
    let text = text.strip_prefix('\u{feff}').expect("a BOM, for Excel and Thai");
    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(
        lines[0],
        "position,aggregate_type,aggregate_id,sequence,event_type,event_version,at,recorded_at,actor,data"
    );
    assert_eq!(lines.len(), order.len() + 1, "a header and one line per event");
    let first_positions: Vec<i64> = lines[1..].iter().map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(first_positions, order);
}

async fn an_export_longer_than_a_page_carries_every_event_once_in_order(backend: Backend) {
    let app = TestApp::new(backend).await;
    // 2 500 events written with our own SQL (as the event store does), more than two export pages.
    let mut tx = app.db().begin_write().await.unwrap();
    for i in 0..2_500 {
        let payload = json!({"IssueRaised": {"area_id": "PTN-01", "category": "LIV", "title": format!("เรื่อง {i}"),
            "description": null, "forum_id": null, "raised_by": null, "at": "2026-01-05T03:00:00Z"}});
        santisuk_store::on_tx!(&mut tx, t => sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('Issue', $1, 1, 'IssueRaised', '1.0', $2, $3)")
            .bind(uuid::Uuid::new_v4().to_string()).bind(sqlx::types::Json(payload))
            .bind(sqlx::types::Json(json!({"actor": "bulk"})))
            .execute(&mut **t).await.map(|_| ()).unwrap());
    }
    tx.commit().await.unwrap();
    ledger_settled(&app).await;
    let order = positions_in_order(&app).await;
    assert!(order.len() > 2_500);
    let (status, _, text) = get_text(&app, "/api/audit/export", &app.auditor).await;
    assert_eq!(status, StatusCode::OK);
    let exported: Vec<i64> =
        text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["position"].as_i64().unwrap()).collect();
    assert_eq!(exported, order, "ndjson is the default; no event lost or repeated at page boundaries");
    let (_, _, csv) = get_text(&app, "/api/audit/export?format=csv", &app.auditor).await;
    assert_eq!(csv.split_terminator("\r\n").count(), order.len() + 1);
}

async fn only_auditors_and_admins_may_use_the_audit_api(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 1).await;
    let paths = [
        "/api/audit/events",
        "/api/audit/export?format=csv",
        "/api/audit/access-log",
        "/api/audit/digest",
        "/api/audit/verify",
    ];
    let before = access_count(&app).await;
    for path in paths {
        for token in [&app.staff, &app.coordinator] {
            let r = app.get(path, token).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(r.code(), "forbidden", "{path}");
        }
        let r = app.send(axum::http::Method::GET, path, None, None, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(access_count(&app).await, before, "refused requests read nothing and record nothing");
    for path in paths {
        for token in [&app.auditor, &app.admin] {
            let (status, _, _) = get_text(&app, path, token).await;
            assert_eq!(status, StatusCode::OK, "{path}");
        }
    }
}

async fn bad_audit_input_is_refused_with_a_json_error_and_records_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 1).await;
    ledger_settled(&app).await;
    let events = app.event_count().await;
    let accesses = access_count(&app).await;
    let hash = "ab".repeat(32);
    let cases = [
        ("/api/audit/events?after=abc".to_owned(), StatusCode::BAD_REQUEST, "bad_cursor"),
        ("/api/audit/events?after=-1".to_owned(), StatusCode::BAD_REQUEST, "bad_cursor"),
        ("/api/audit/events?after=99999999".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "unknown_position"),
        ("/api/audit/events?limit=0".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_limit"),
        ("/api/audit/events?limit=1001".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_limit"),
        ("/api/audit/events?limit=ten".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_limit"),
        ("/api/audit/events?page=2".to_owned(), StatusCode::BAD_REQUEST, "bad_query"),
        ("/api/audit/export?format=xml".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_format"),
        ("/api/audit/access-log?after=x".to_owned(), StatusCode::BAD_REQUEST, "bad_cursor"),
        ("/api/audit/access-log?limit=5000".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_limit"),
        ("/api/audit/verify?digest=nonsense".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_digest"),
        ("/api/audit/verify?digest=5:abc".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_digest"),
        (format!("/api/audit/verify?digest=-1:{hash}"), StatusCode::UNPROCESSABLE_ENTITY, "bad_digest"),
        (format!("/api/audit/verify?digest=5:{hash}ff"), StatusCode::UNPROCESSABLE_ENTITY, "bad_digest"),
        ("/api/audit/verify?digest=5%00".to_owned(), StatusCode::BAD_REQUEST, "bad_query"),
    ];
    for (path, status, code) in cases {
        let r = app.get(&path, &app.auditor).await;
        assert_eq!(r.status, status, "{path}: {:?}", r.body);
        assert_eq!(r.code(), code, "{path}");
        assert!(r.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}");
    }
    assert_eq!(access_count(&app).await, accesses, "a refused read is not recorded");
    assert_eq!(app.event_count().await, events);
}

async fn reads_and_exports_of_the_audit_log_are_recorded_in_the_access_log(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 1).await;
    ledger_settled(&app).await;
    let auditor = santisuk_projections::users::user_by_token(app.db(), &app.auditor).await.unwrap().unwrap();
    let admin = santisuk_projections::users::user_by_token(app.db(), &app.admin).await.unwrap().unwrap();
    let before = access_count(&app).await;
    let first = app.get("/api/audit/events?limit=5", &app.auditor).await;
    let after = first.body["next_cursor"].as_i64().unwrap();
    app.get(&format!("/api/audit/events?limit=5&after={after}"), &app.auditor).await;
    let (status, _, _) = get_text(&app, "/api/audit/export?format=csv", &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(access_count(&app).await, before + 3);

    let r = app.get("/api/audit/access-log?limit=1000", &app.auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let items = r.body["items"].as_array().unwrap();
    let reads: Vec<&Value> = items.iter().filter(|e| e["action"] == "audit_events").collect();
    assert_eq!(reads.len(), 2);
    assert_eq!(reads[0]["actor"], auditor.name.as_str());
    assert_eq!(reads[0]["actor_role"], "auditor");
    assert_eq!(reads[0]["filters"], json!({"after": null, "limit": 5}));
    assert_eq!(reads[1]["filters"], json!({"after": after, "limit": 5}));
    let export = items.iter().find(|e| e["action"] == "audit_export").expect("the export is recorded");
    assert_eq!(export["actor"], admin.name.as_str());
    assert_eq!(export["actor_role"], "admin");
    assert_eq!(export["filters"], json!({"format": "csv"}));
    assert!(export["request_id"].is_string());

    // The access log pages by id.
    let one = app.get("/api/audit/access-log?limit=1", &app.admin).await;
    let next = one.body["next_cursor"].as_i64().expect("more than one entry");
    assert_eq!(Some(next), one.body["items"][0]["id"].as_i64());
    let two = app.get(&format!("/api/audit/access-log?limit=1&after={next}"), &app.admin).await;
    assert!(two.body["items"][0]["id"].as_i64().unwrap() > next);
}

// --- verification ---------------------------------------------------------------------------------------

async fn an_intact_log_verifies_and_still_matches_an_older_digest(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 3).await;
    ledger_settled(&app).await;
    let older = digest(&app).await;
    let (position, hash) = older.split_once(':').unwrap();
    assert_eq!(position.parse::<i64>().unwrap(), *positions_in_order(&app).await.last().unwrap());
    assert_eq!(hash.len(), 64);
    history(&app, 2).await;
    ledger_settled(&app).await;

    let report = verify(&app, None).await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["checked"], app.event_count().await);
    let newer = digest(&app).await;
    assert_eq!(format!("{}:{}", report["position"], report["chain_hash"].as_str().unwrap()), newer);
    assert!(report["digest_matches"].is_null());
    assert!(report["first_bad_position"].is_null());

    let report = verify(&app, Some(&older)).await;
    assert_eq!(report["ok"], true, "appending never breaks an older digest: {report}");
    assert_eq!(report["digest_matches"], true);
    assert_eq!(verify(&app, Some(&newer.to_uppercase())).await["digest_matches"], true, "hex in either case");

    // A digest that was never handed out does not match.
    let wrong = format!("{position}:{}", "0".repeat(64));
    let report = verify(&app, Some(&wrong)).await;
    assert_eq!(report["ok"], false);
    assert_eq!(report["reason"], "digest_mismatch");
    assert_eq!(report["digest_matches"], false);
    assert!(report["first_bad_position"].is_null());
    // Nor does one naming a position the log does not have.
    let report = verify(&app, Some(&format!("99999999:{hash}"))).await;
    assert_eq!(report["digest_matches"], false);
    assert!(report["detail"].as_str().unwrap().contains("99999999"));
}

async fn a_changed_payload_is_reported_at_its_position(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 2).await;
    ledger_settled(&app).await;
    let before = digest(&app).await;
    let later = history(&app, 3).await;
    ledger_settled(&app).await;
    let after = digest(&app).await;
    let target = raised_position(&app, &later[1]).await;

    lift_event_triggers(&app).await;
    forge_title(&app, target).await;

    let report = verify(&app, Some(&after)).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["reason"], "changed");
    assert_eq!(report["first_bad_position"], target);
    assert_eq!(report["digest_matches"], false);
    let report = verify(&app, Some(&before)).await;
    assert_eq!(report["first_bad_position"], target);
    assert_eq!(report["digest_matches"], true, "the change is after the older digest");
    // The change is visible to auditors, too.
    let r = app.get("/api/audit/events?limit=1000", &app.auditor).await;
    let forged = r.body["items"].as_array().unwrap().iter().find(|e| e["position"] == target).unwrap().clone();
    assert_eq!(forged["data"]["title"], "ปลอม");
}

/// The history view passes the stored JSON through: a hand-edited payload shows as edited (the ledger is
/// what tells it was changed), and a payload that is no longer JSON is a clear server error, never a
/// silently shortened history.
async fn an_issues_history_shows_the_stored_payload_and_refuses_one_that_is_not_json(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ids = history(&app, 1).await;
    let target = raised_position(&app, &ids[0]).await;
    lift_event_triggers(&app).await;
    forge_title(&app, target).await;
    let path = format!("/api/issues/{}/history", ids[0]);
    let r = app.get(&path, &app.auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["items"][0]["data"]["title"], "ปลอม");

    let garble = "UPDATE events SET payload = 'not json' WHERE position = $1";
    let garbled = on_db!(app.db(), p => sqlx::query(garble).bind(target).execute(p).await.map(|r| r.rows_affected()));
    match app.db().pool() {
        Pool::Sqlite(_) => {
            assert_eq!(garbled.unwrap(), 1);
            let r = app.get(&path, &app.auditor).await;
            assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(r.body["error"]["code"], "internal", "{}", r.body);
        }
        // A jsonb column cannot hold it: the store itself refuses the write.
        Pool::Postgres(_) => assert!(garbled.is_err(), "PostgreSQL stored a payload that is not JSON"),
    }
}

async fn a_deleted_event_is_reported_at_its_position(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ids = history(&app, 4).await;
    ledger_settled(&app).await;
    let d = digest(&app).await;
    let target = raised_position(&app, &ids[2]).await;

    lift_event_triggers(&app).await;
    let n = on_db!(app.db(), p => sqlx::query("DELETE FROM events WHERE position = $1")
        .bind(target).execute(p).await.unwrap().rows_affected());
    assert_eq!(n, 1);

    let report = verify(&app, Some(&d)).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["reason"], "deleted");
    assert_eq!(report["first_bad_position"], target);
    assert_eq!(report["digest_matches"], false);
}

async fn a_forged_event_slipped_in_below_the_checkpoint_is_reported_at_its_position(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 2).await;
    // PostgreSQL: a rolled-back append leaves a hole in the positions, as happens in real life.
    let hole = match app.db().pool() {
        Pool::Postgres(p) => {
            let mut t = p.begin().await.unwrap();
            let hole: i64 = sqlx::query_scalar(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
                 VALUES ('Issue', 'rolled-back', 1, 'IssueRaised', '1.0', '{}', '{}') RETURNING position",
            )
            .fetch_one(&mut *t)
            .await
            .unwrap();
            t.rollback().await.unwrap();
            Some(hole)
        }
        Pool::Sqlite(_) => None,
    };
    history(&app, 2).await;
    ledger_settled(&app).await;
    let d = digest(&app).await;
    let payload = r#"{"IssueRaised":{"area_id":"PTN-01","category":"LIV","title":"ปลอม","description":null,"forum_id":null,"raised_by":null,"at":"2026-01-05T03:00:00Z"}}"#;
    let forged_id = uuid::Uuid::new_v4().to_string();
    let position = match (app.db().pool(), hole) {
        (Pool::Postgres(p), Some(hole)) => {
            // Into the hole, in the transaction of the event before it: below the ledger's checkpoint in
            // (tx, position) order, so no runner will ever pick it up.
            sqlx::query(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
                 metadata, position, tx) OVERRIDING SYSTEM VALUE \
                 VALUES ('Issue', $1, 1, 'IssueRaised', '1.0', $2::jsonb, '{\"actor\":\"staff\"}'::jsonb, $3, \
                 (SELECT tx FROM events WHERE position = $3 - 1))",
            )
            .bind(&forged_id)
            .bind(payload)
            .bind(hole)
            .execute(p)
            .await
            .unwrap();
            hole
        }
        (Pool::Sqlite(p), _) => {
            // SQLite positions have no holes (MAX + 1 under one writer): the forger lifts the trigger that
            // assigns positions and takes position 0, before every real event.
            exec(app.db(), "DROP TRIGGER events_assign_position").await;
            sqlx::query(
                "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
                 metadata, position) VALUES ('Issue', $1, 1, 'IssueRaised', '1.0', $2, '{\"actor\":\"staff\"}', 0)",
            )
            .bind(&forged_id)
            .bind(payload)
            .execute(p)
            .await
            .unwrap();
            0
        }
        _ => unreachable!(),
    };
    // The runners carry on: the forged event is behind their checkpoints and never reaches the ledger.
    app.state.ledger.catch_up().await.unwrap();

    let report = verify(&app, Some(&d)).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["reason"], "inserted");
    assert_eq!(report["first_bad_position"], position);
    assert_eq!(report["digest_matches"], false);
    assert!(report["detail"].as_str().unwrap().contains(&forged_id));
}

async fn an_altered_ledger_row_is_reported_as_a_ledger_mismatch(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ids = history(&app, 3).await;
    ledger_settled(&app).await;
    let d = digest(&app).await;
    let target = raised_position(&app, &ids[1]).await;
    lift_ledger_trigger(&app).await;
    let n = on_db!(app.db(), p => sqlx::query("UPDATE ledger SET event_hash = $1 WHERE position = $2")
        .bind("ab".repeat(32)).bind(target).execute(p).await.unwrap().rows_affected());
    assert_eq!(n, 1);

    let report = verify(&app, Some(&d)).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["reason"], "ledger_mismatch", "the event is intact; its ledger row is not");
    assert_eq!(report["first_bad_position"], target);
    assert_eq!(report["digest_matches"], true, "the events still hash to the digest");
}

async fn a_changed_event_with_its_ledger_row_rewritten_breaks_the_chain_at_the_next_row(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ids = history(&app, 3).await;
    ledger_settled(&app).await;
    let d = digest(&app).await;
    let target = raised_position(&app, &ids[1]).await;
    lift_event_triggers(&app).await;
    forge_title(&app, target).await;

    // The forger recomputes the ledger row of the event they changed (not the rows after it).
    let order = positions_in_order(&app).await;
    let at = order.iter().position(|p| *p == target).unwrap();
    let next = order[at + 1];
    let raw =
        audit::page(app.db(), None, None, 10_000).await.unwrap().into_iter().find(|e| e.position == target).unwrap();
    let previous: String = on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT chain_hash FROM ledger WHERE position = $1").bind(order[at - 1]).fetch_one(p).await.unwrap());
    let prev: [u8; 32] = (0..32)
        .map(|i| u8::from_str_radix(&previous[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let event_hash = ledger::event_hash(&raw);
    let chain_hash = ledger::chain_next(&prev, &event_hash);
    lift_ledger_trigger(&app).await;
    on_db!(app.db(), p => sqlx::query("UPDATE ledger SET event_hash = $1, chain_hash = $2 WHERE position = $3")
        .bind(to_hex(&event_hash)).bind(to_hex(&chain_hash)).bind(target).execute(p).await.unwrap().rows_affected());

    let report = verify(&app, Some(&d)).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["reason"], "ledger_mismatch");
    assert_eq!(report["first_bad_position"], next, "the rewritten row matches; the chain breaks at the next one");
    assert_eq!(report["digest_matches"], false);
}

async fn a_consistent_rewrite_of_events_and_ledger_is_caught_only_by_a_later_digest(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 2).await;
    ledger_settled(&app).await;
    let before = digest(&app).await;
    let later = history(&app, 2).await;
    ledger_settled(&app).await;
    let after = digest(&app).await;
    let target = raised_position(&app, &later[0]).await;

    lift_event_triggers(&app).await;
    forge_title(&app, target).await;
    // The forger also recomputes the whole ledger from the altered events, as a rebuild does.
    Runner::new(app.db().clone(), Ledger).rebuild().await.unwrap();

    let report = verify(&app, None).await;
    assert_eq!(report["ok"], true, "without a digest, the ledger agrees with the events: {report}");
    let report = verify(&app, Some(&before)).await;
    assert_eq!(report["ok"], true, "a digest older than the change cannot see it: {report}");
    assert_eq!(report["digest_matches"], true);
    let report = verify(&app, Some(&after)).await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["reason"], "digest_mismatch");
    assert_eq!(report["digest_matches"], false);
    assert!(report["first_bad_position"].is_null(), "a digest cannot say where");
    assert!(report["detail"].as_str().unwrap().contains("unknown"), "{report}");
}

async fn a_ledger_rebuild_reproduces_the_ledger_exactly(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 6).await;
    ledger_settled(&app).await;
    let live = ledger::dump(app.db()).await.unwrap();
    assert_eq!(live.lines().count() as i64, app.event_count().await);
    let d = digest(&app).await;
    let replayed = Runner::new(app.db().clone(), Ledger).rebuild().await.unwrap();
    assert_eq!(replayed as i64, app.event_count().await);
    assert_eq!(ledger::dump(app.db()).await.unwrap(), live);
    let report = verify(&app, Some(&d)).await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["digest_matches"], true);
}

/// Issue #12 §4: `as_of` never shows an event without the events stored before it, even if the server's
/// clock stepped back between them. Issue A is raised; then, with the clock 2 s behind, issue B's raise is
/// stored after A's but recorded before it. As of B's recorded time, the log as it stood holds neither
/// (A was not yet recorded, and B is stored after A); as of A's, both.
async fn as_of_cuts_by_stored_order_when_the_clock_steps_back(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("CLOCK-1").await;
    let a = app.raise(&area, "EDU", "ก่อน").await;
    let b = uuid::Uuid::new_v4().to_string();
    let db = app.db();
    let a_at: String = on_db!(db, p => sqlx::query_scalar(match backend {
        Backend::Sqlite => "SELECT CAST(recorded_at AS TEXT) FROM events WHERE aggregate_id = $1",
        Backend::Postgres => "SELECT to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') \
                              FROM events WHERE aggregate_id = $1",
    }).bind(&a).fetch_one(p).await.unwrap());
    let a_time = chrono::DateTime::parse_from_rfc3339(&a_at).unwrap().with_timezone(&chrono::Utc);
    let b_time = a_time - chrono::Duration::seconds(2);
    let b_at = b_time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // B's raise: A's, under another id and without A's case number (numbers are unique), stored now with a
    // recorded time 2 s before A's.
    let (recorded, payload) = match backend {
        Backend::Sqlite => ("$2", "json_remove(payload, '$.IssueRaised.case_number')"),
        Backend::Postgres => ("$2::timestamptz", "payload #- '{IssueRaised,case_number}'"),
    };
    let copy = format!(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, \
         recorded_at) SELECT aggregate_type, $1, sequence, event_type, event_version, {payload}, metadata, \
         {recorded} FROM events WHERE aggregate_id = $3"
    );
    on_db!(db, p => sqlx::query(&copy).bind(&b).bind(&b_at).bind(&a).execute(p).await.map(|_| ()))
        .expect("store B's raise with a clock 2 s behind");
    let ids = |r: &santisuk_tests::Reply| -> Vec<String> {
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let mut ids: Vec<String> =
            r.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    let encode = |t: &str| t.replace(':', "%3A");
    let at_b = app.get(&format!("/api/issues?as_of={}", encode(&b_at)), &app.auditor).await;
    assert_eq!(ids(&at_b), Vec::<String>::new(), "as of B's time, B must not show without A stored before it");
    let at_a = app.get(&format!("/api/issues?as_of={}", encode(&a_at)), &app.auditor).await;
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    assert_eq!(ids(&at_a), both);
    let one = app.get(&format!("/api/issues/{b}?as_of={}", encode(&b_at)), &app.auditor).await;
    assert_eq!(one.status, StatusCode::NOT_FOUND, "{:?}", one.body);
}

/// Issue #12 §3: `/api/issues/{id}/history` comes a page at a time (`after`, `limit`, `next_cursor`), every
/// event once and in order; bad cursors and limits are refused.
async fn an_issues_history_is_paged_with_a_cursor(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("HIST-1").await;
    let id = app.raise(&area, "EDU", "ห้องเรียนรั่ว").await;
    for n in 0..4 {
        let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": format!("ทีม {n}")})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let mut seen = Vec::new();
    let mut after = None;
    for _ in 0..10 {
        let path = match after {
            None => format!("/api/issues/{id}/history?limit=2"),
            Some(a) => format!("/api/issues/{id}/history?limit=2&after={a}"),
        };
        let page = app.get(&path, &app.auditor).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|e| e["sequence"].as_i64().unwrap()));
        match page.body["next_cursor"].as_i64() {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    let all = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await;
    assert_eq!((all.body["items"].as_array().unwrap().len(), &all.body["next_cursor"]), (5, &Value::Null));
    for (query, status, code) in [
        ("after=-1", StatusCode::BAD_REQUEST, "bad_cursor"),
        ("after=x", StatusCode::BAD_REQUEST, "bad_cursor"),
        ("limit=0", StatusCode::UNPROCESSABLE_ENTITY, "bad_limit"),
        ("limit=1001", StatusCode::UNPROCESSABLE_ENTITY, "bad_limit"),
    ] {
        let r = app.get(&format!("/api/issues/{id}/history?{query}"), &app.auditor).await;
        assert_eq!((r.status, r.code()), (status, code), "{query}: {:?}", r.body);
    }
}

// --- filters, order and paging (issue #13) --------------------------------------------------------------

/// Every event of the log through the API (oldest first, one page).
async fn whole_log(app: &TestApp) -> Vec<Value> {
    let r = app.get("/api/audit/events?limit=1000", &app.auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(r.body["next_cursor"].is_null(), "the test log fits one page");
    r.body["items"].as_array().unwrap().clone()
}

fn positions(items: &[Value]) -> Vec<i64> {
    items.iter().map(|e| e["position"].as_i64().unwrap()).collect()
}

/// The positions `path` lists (one page of up to 1000).
async fn listed(app: &TestApp, path: &str) -> Vec<i64> {
    let r = app.get(path, &app.auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
    assert!(r.body["next_cursor"].is_null(), "{path}: one page");
    positions(r.body["items"].as_array().unwrap())
}

/// Issues with assignments by staff and by the admin, a closed one: several actors and types.
async fn varied_history(app: &TestApp) -> Vec<String> {
    let ids = history(app, 4).await;
    let r = app.post(&format!("/api/issues/{}/assign", ids[1]), &app.admin, json!({"assignee": "ศอ.บต."})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{}/close", ids[2]), &app.staff, json!({"outcome": "referred"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    ledger_settled(app).await;
    ids
}

async fn each_audit_filter_narrows_the_log_to_exactly_what_it_names(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ids = varied_history(&app).await;
    let all = whole_log(&app).await;
    let pick = |keep: &dyn Fn(&Value) -> bool| positions(&all.iter().filter(|e| keep(e)).cloned().collect::<Vec<_>>());

    // An issue, by id and by case number (in any letter case): its events and nothing else.
    let issue = &ids[0];
    let expected = pick(&|e| e["aggregate_type"] == "Issue" && e["aggregate_id"] == issue.as_str());
    assert_eq!(expected.len(), 2, "raised and assigned");
    assert_eq!(listed(&app, &format!("/api/audit/events?limit=1000&issue={issue}")).await, expected);
    let case = all
        .iter()
        .find(|e| e["aggregate_id"] == issue.as_str() && e["event_type"] == "IssueRaised")
        .and_then(|e| e["data"]["case_number"].as_str())
        .expect("the raise carries a case number")
        .to_owned();
    assert_eq!(listed(&app, &format!("/api/audit/events?limit=1000&issue={case}")).await, expected);
    let lower = case.to_lowercase();
    assert_eq!(listed(&app, &format!("/api/audit/events?limit=1000&issue={lower}")).await, expected);

    // A user: what they did.
    let admin = format!("admin-{}", app.suffix);
    let expected = pick(&|e| e["actor"] == admin.as_str());
    assert!(!expected.is_empty() && expected.len() < all.len());
    assert_eq!(listed(&app, &format!("/api/audit/events?limit=1000&actor={admin}")).await, expected);
    assert!(listed(&app, "/api/audit/events?limit=1000&actor=nobody-at-all").await.is_empty());

    // A type; every type the log holds is one the filter knows.
    for t in all.iter().map(|e| e["event_type"].as_str().unwrap().to_owned()).collect::<std::collections::BTreeSet<_>>()
    {
        let expected = pick(&|e| e["event_type"] == t.as_str());
        assert_eq!(listed(&app, &format!("/api/audit/events?limit=1000&type={t}")).await, expected, "{t}");
    }
    let closed = listed(&app, "/api/audit/events?limit=1000&type=IssueClosed").await;
    assert_eq!(closed.len(), 1);

    // Filters combine: each narrows further.
    let staff = format!("staff-{}", app.suffix);
    let expected = pick(&|e| e["event_type"] == "IssueAssigned" && e["actor"] == staff.as_str());
    assert_eq!(expected.len(), 2, "issues 0 and 2; the admin assigned issue 1");
    let path = format!("/api/audit/events?limit=1000&type=IssueAssigned&actor={staff}");
    assert_eq!(listed(&app, &path).await, expected);

    // Newest first lists the same events the other way round.
    let mut reversed = pick(&|e| e["event_type"] == "IssueRaised");
    reversed.reverse();
    assert_eq!(listed(&app, "/api/audit/events?limit=1000&type=IssueRaised&order=desc").await, reversed);

    // The read is recorded with its filters, the issue as its id.
    let log = app.get("/api/audit/access-log?limit=1000", &app.admin).await;
    let reads: Vec<&Value> =
        log.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "audit_events").collect();
    assert!(reads.iter().any(|e| e["filters"] == json!({"after": null, "limit": 1000, "issue": issue})));
    assert!(
        reads
            .iter()
            .any(|e| e["filters"] == json!({"after": null, "limit": 1000, "type": "IssueRaised", "order": "desc"}))
    );
}

/// Writes an event directly, recorded at `recorded_at` (UTC), as the event store would.
async fn event_recorded_at(app: &TestApp, recorded_at: &str, title: &str) {
    let payload = json!({"IssueRaised": {"area_id": "PTN-01", "category": "LIV", "title": title,
        "description": null, "forum_id": null, "raised_by": null, "at": "2026-01-01T03:00:00Z"}});
    let (sql, time) = match app.db().pool() {
        Pool::Sqlite(_) => (
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at) \
             VALUES ('Issue', $1, 1, 'IssueRaised', '1.0', $2, $3, $4)",
            // The table's own format: milliseconds and `Z`.
            recorded_at.replace('Z', ".000Z"),
        ),
        Pool::Postgres(_) => (
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at) \
             VALUES ('Issue', $1, 1, 'IssueRaised', '1.0', $2, $3, $4::text::timestamptz)",
            recorded_at.to_owned(),
        ),
    };
    on_db!(app.db(), p => sqlx::query(sql)
        .bind(uuid::Uuid::new_v4().to_string()).bind(sqlx::types::Json(payload))
        .bind(sqlx::types::Json(json!({"actor": "importer"}))).bind(time)
        .execute(p).await.map(|_| ()).unwrap());
}

async fn recorded_dates_are_bangkok_days_inclusive_in_either_era(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 1).await;
    // Bangkok is UTC+7: 17:00 UTC is the next day's midnight there.
    event_recorded_at(&app, "2026-01-04T16:59:59Z", "4 January in Bangkok").await;
    event_recorded_at(&app, "2026-01-04T17:00:00Z", "5 January, first moment").await;
    event_recorded_at(&app, "2026-01-05T16:59:59Z", "5 January, last second").await;
    event_recorded_at(&app, "2026-01-05T17:00:00Z", "6 January in Bangkok").await;
    ledger_settled(&app).await;
    let all = whole_log(&app).await;
    let titled = |titles: &[&str]| {
        let mut found: Vec<i64> = positions(
            &all.iter().filter(|e| titles.iter().any(|t| e["data"]["title"] == *t)).cloned().collect::<Vec<_>>(),
        );
        found.sort_unstable();
        found
    };
    let day5 = titled(&["5 January, first moment", "5 January, last second"]);
    for (from, to) in [("2026-01-05", "2026-01-05"), ("2569-01-05", "05/01/2569"), ("05/01/2026", "2026-01-05")] {
        let mut got = listed(&app, &format!("/api/audit/events?limit=1000&from={from}&to={to}")).await;
        got.sort_unstable();
        assert_eq!(got, day5, "from {from} to {to}");
    }
    // Open-ended: up to 5 January, and from 6 January (which includes everything recorded today).
    let mut upto = listed(&app, "/api/audit/events?limit=1000&to=2026-01-05").await;
    upto.sort_unstable();
    assert_eq!(upto, titled(&["4 January in Bangkok", "5 January, first moment", "5 January, last second"]));
    let since = listed(&app, "/api/audit/events?limit=1000&from=06/01/2569").await;
    assert_eq!(since.len(), all.len() - 3);
    assert!(!since.iter().any(|p| upto.contains(p)));
    // A day with nothing recorded.
    assert!(listed(&app, "/api/audit/events?limit=1000&from=2026-01-07&to=2026-01-07").await.is_empty());
}

async fn newest_first_paging_visits_every_event_exactly_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 6).await;
    ledger_settled(&app).await;
    let mut expected = positions_in_order(&app).await;
    expected.reverse();
    for (filter, limit) in [("", 7), ("&type=IssueRaised", 2), ("&type=IssueRaised", 1), ("", 1000)] {
        let mut seen = Vec::new();
        let mut path = format!("/api/audit/events?order=desc&limit={limit}{filter}");
        let mut pages = 0;
        loop {
            let r = app.get(&path, &app.auditor).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
            let page = positions(r.body["items"].as_array().unwrap());
            assert!(page.len() <= limit, "bounded: {path}");
            seen.extend(page.iter().copied());
            pages += 1;
            match r.body["next_cursor"].as_i64() {
                Some(next) => {
                    assert_eq!(Some(&next), page.last(), "the cursor is the last position");
                    path = format!("/api/audit/events?order=desc&limit={limit}{filter}&before={next}");
                }
                None => break,
            }
        }
        let want: Vec<i64> = if filter.is_empty() {
            expected.clone()
        } else {
            let raised = listed(&app, "/api/audit/events?limit=1000&type=IssueRaised").await;
            expected.iter().copied().filter(|p| raised.contains(p)).collect()
        };
        assert_eq!(seen, want, "newest first, every event once ({filter}, {limit} a page)");
        assert!(pages >= want.len() / limit, "paged");
    }
    // Oldest first with a filter pages with `after`, the same events the other way round.
    let mut seen = Vec::new();
    let mut path = "/api/audit/events?type=IssueRaised&limit=4".to_owned();
    loop {
        let r = app.get(&path, &app.auditor).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {:?}", r.body);
        seen.extend(positions(r.body["items"].as_array().unwrap()));
        match r.body["next_cursor"].as_i64() {
            Some(next) => path = format!("/api/audit/events?type=IssueRaised&limit=4&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, listed(&app, "/api/audit/events?limit=1000&type=IssueRaised").await);
    assert_eq!(seen.len(), 6);
}

async fn the_export_takes_the_same_filters_and_order_as_the_list(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ids = varied_history(&app).await;
    let filters = [
        "type=IssueRaised&order=desc".to_owned(),
        format!("issue={}", ids[1]),
        format!("actor=admin-{}&order=asc", app.suffix),
        "from=2026-01-01".to_owned(),
    ];
    for f in &filters {
        let listed = app.get(&format!("/api/audit/events?limit=1000&{f}"), &app.auditor).await;
        assert_eq!(listed.status, StatusCode::OK, "{f}");
        let (status, _, text) = get_text(&app, &format!("/api/audit/export?format=ndjson&{f}"), &app.auditor).await;
        assert_eq!(status, StatusCode::OK, "{f}");
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(Value::Array(lines), listed.body["items"], "the export carries exactly what the list shows: {f}");
        let (status, _, csv) = get_text(&app, &format!("/api/audit/export?format=csv&{f}"), &app.auditor).await;
        assert_eq!(status, StatusCode::OK, "{f}");
        let rows = santisuk_tests::csv_records(csv.strip_prefix('\u{feff}').unwrap());
        let firsts: Vec<i64> = rows[1..].iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(firsts, positions(listed.body["items"].as_array().unwrap()), "csv: {f}");
    }
    // Filtered to one issue: only its events.
    let (_, _, csv) = get_text(&app, &format!("/api/audit/export?format=csv&issue={}", ids[1]), &app.auditor).await;
    assert_eq!(csv.split_terminator("\r\n").count(), 1 + 2, "a header, the raise and the assignment");
    // The export records its filters.
    let log = app.get("/api/audit/access-log?limit=1000", &app.admin).await;
    assert!(log.body["items"].as_array().unwrap().iter().any(|e| e["action"] == "audit_export"
        && e["filters"] == json!({"format": "ndjson", "type": "IssueRaised", "order": "desc"})));
}

async fn bad_audit_filters_are_refused_with_a_clear_message_and_record_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    history(&app, 1).await;
    ledger_settled(&app).await;
    let events = app.event_count().await;
    let accesses = access_count(&app).await;
    // 201 Thai letters (ก), percent-encoded.
    let long = "%E0%B8%81".repeat(201);
    let cases = [
        (
            "/api/audit/events?type=IssueExploded".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_event_type",
            "IssueClosed",
        ),
        (
            "/api/audit/events?issue=not-a-case".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_issue",
            "PTN-2569-00123",
        ),
        (
            "/api/audit/events?issue=PTN-2569-99999".to_owned(),
            StatusCode::NOT_FOUND,
            "issue_not_found",
            "PTN-2569-99999",
        ),
        ("/api/audit/events?from=2026-13-01".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_date", "from"),
        ("/api/audit/events?to=31/02/2569".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_date", "to"),
        (
            "/api/audit/events?from=2026-12-02&to=2026-12-01".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_date_range",
            "after",
        ),
        ("/api/audit/events?order=sideways".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_order", "desc"),
        (
            "/api/audit/events?order=desc&after=1".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor_and_order",
            "before",
        ),
        ("/api/audit/events?before=1".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "cursor_and_order", "after"),
        ("/api/audit/events?order=desc&before=abc".to_owned(), StatusCode::BAD_REQUEST, "bad_cursor", "before"),
        (
            "/api/audit/events?order=desc&before=99999999".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_position",
            "99999999",
        ),
        (format!("/api/audit/events?actor={long}"), StatusCode::UNPROCESSABLE_ENTITY, "bad_actor", "200"),
        ("/api/audit/events?position=5".to_owned(), StatusCode::BAD_REQUEST, "bad_query", ""),
        (
            "/api/audit/export?type=Nope".to_owned(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_event_type",
            "IssueRaised",
        ),
        ("/api/audit/export?format=csv&order=up".to_owned(), StatusCode::UNPROCESSABLE_ENTITY, "bad_order", "asc"),
        ("/api/audit/export?before=3".to_owned(), StatusCode::BAD_REQUEST, "bad_query", ""),
    ];
    for (path, status, code, hint) in cases {
        let r = app.get(&path, &app.auditor).await;
        assert_eq!(r.status, status, "{path}: {:?}", r.body);
        assert_eq!(r.code(), code, "{path}");
        let message = r.body["error"]["message"].as_str().unwrap_or("");
        assert!(!message.is_empty() && message.contains(hint), "{path}: {message}");
    }
    assert_eq!(access_count(&app).await, accesses, "a refused read is not recorded");
    assert_eq!(app.event_count().await, events, "and writes nothing");
}

async fn staff_and_coordinators_may_not_filter_or_export_the_audit_log(backend: Backend) {
    let app = TestApp::new(backend).await;
    let ids = history(&app, 1).await;
    let accesses = access_count(&app).await;
    let paths = [
        format!("/api/audit/events?issue={}&order=desc", ids[0]),
        "/api/audit/events?type=IssueRaised&from=2026-01-01".to_owned(),
        "/api/audit/export?format=csv&type=IssueRaised&order=desc".to_owned(),
        // A bad value is not even looked at: the role is the answer.
        "/api/audit/events?type=Nonsense".to_owned(),
    ];
    for path in &paths {
        for token in [&app.staff, &app.coordinator] {
            let r = app.get(path, token).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(r.code(), "forbidden", "{path}");
        }
    }
    assert_eq!(access_count(&app).await, accesses);
}
