//! Projections never miss an event: out-of-order commits, crashes, concurrent writers and instances,
//! failing events, and rebuilds that reproduce the live tables.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::Utc;
use santisuk_domain::issue::IssueEvent;
use santisuk_domain::values::{AreaId, CategoryCode, Title};
use santisuk_projections::read_model::{self, ReadModel, Snapshot};
use santisuk_projections::runner::Runner;
use santisuk_store::{Db, DbTx, Pool, on_tx};
use santisuk_tests::{Backend, TestApp, TestDb, both_backends, settle};
use serde_json::json;

both_backends!(
    events_committed_out_of_position_order_are_all_projected,
    a_crash_between_commit_and_projection_is_healed_at_the_next_start,
    a_rebuild_reproduces_the_live_tables_byte_for_byte,
    batches_touching_more_rows_than_one_statement_holds_project_every_event,
    concurrent_commands_on_one_issue_lose_no_update,
    two_instances_writing_at_once_project_every_event_exactly_once,
    a_command_is_judged_on_the_stored_history_when_another_instance_moved_the_issue,
    a_failing_event_stops_the_projection_without_skipping_it,
    the_events_table_refuses_updates_and_deletes,
    a_command_writes_its_issue_row_with_its_events_without_the_runner,
    a_refused_append_writes_no_row_and_the_next_command_folds_the_stored_history,
    an_id_wrongly_expected_new_is_judged_on_its_stored_history,
    cached_statistics_follow_every_change_of_this_instance_and_of_another,
    appends_committed_together_keep_a_conflict_to_its_own_command,
    an_as_of_report_sees_every_committed_event_whatever_else_is_open,
    an_old_event_version_is_upcast_and_an_unknown_one_stops_every_reader,
    the_runner_passes_over_rows_written_with_their_events_and_heals_the_others,
);

fn raised_payload(title: &str) -> serde_json::Value {
    serde_json::to_value(IssueEvent::IssueRaised {
        area_id: AreaId::parse("PTN-01").unwrap(),
        category: CategoryCode::parse("LIV").unwrap(),
        title: Title::parse(title).unwrap(),
        description: None,
        forum_id: None,
        raised_by: None,
        at: Utc::now(),
        case_number: santisuk_tests::case_number(Utc::now()),
        complainant: None,
        restricted: false,
        kind: santisuk_domain::values::IssueKind::Community,
        source: None,
    })
    .unwrap()
}

/// Appends one event with our own SQL inside an open transaction, as postgres-es/sqlite-es do.
async fn insert_event(tx: &mut DbTx, id: &str, payload: serde_json::Value) {
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('Issue', $1, 1, 'IssueRaised', '1.0', $2, $3)")
        .bind(id).bind(sqlx::types::Json(payload)).bind(sqlx::types::Json(json!({"actor": "test"})))
        .execute(&mut **t).await.map(|_| ()).expect("insert event"));
}

async fn issue_exists(db: &Db, id: &str) -> bool {
    read_model::get_issue(db, id).await.unwrap().is_some()
}

async fn events_committed_out_of_position_order_are_all_projected(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.db.clone();
    db.migrate().await.unwrap();
    // What `AppState::prepare` does: commands on issues write the issue's row with their events.
    read_model::register_inline_tables(&db);
    let runner = Runner::new(db.clone(), ReadModel::default());
    let (first, second) = (uuid::Uuid::new_v4().to_string(), uuid::Uuid::new_v4().to_string());

    // Transaction A takes the lower position and stays open…
    let mut a = db.begin_write().await.unwrap();
    insert_event(&mut a, &first, raised_payload("first")).await;
    // …while B takes a higher position and commits first (on SQLite B waits for A's write lock, so the
    // race cannot happen there; the test still checks the outcome).
    let db_b = db.clone();
    let second_b = second.clone();
    let b = tokio::spawn(async move {
        let mut b = match db_b.pool() {
            Pool::Sqlite(p) => DbTx::Sqlite(p.begin().await.unwrap()),
            Pool::Postgres(p) => DbTx::Postgres(p.begin().await.unwrap()),
        };
        insert_event(&mut b, &second_b, raised_payload("second")).await;
        b.commit().await.unwrap();
    });
    if backend == Backend::Postgres {
        // Wait until B has committed, then let the runner look while A is still open.
        let Pool::Postgres(p) = db.pool() else { unreachable!() };
        for _ in 0..200 {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(p).await.unwrap();
            if n == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        runner.catch_up().await.unwrap();
        assert!(
            !issue_exists(&db, &second).await,
            "B must wait for A: projecting it now would move the checkpoint past A"
        );
    }
    a.commit().await.unwrap();
    b.await.unwrap();
    settle(&runner, &db).await;
    assert!(issue_exists(&db, &first).await, "the event committed late with the lower position is projected");
    assert!(issue_exists(&db, &second).await);
}

async fn a_crash_between_commit_and_projection_is_healed_at_the_next_start(backend: Backend) {
    let test_db = Arc::new(TestDb::new(backend).await);
    let app = TestApp::on(test_db.clone()).await;
    let area = app.area("PTN-01").await;
    // Commit through the event store only, as if the process died right after the commit.
    let id = uuid::Uuid::new_v4().to_string();
    let now = Utc::now();
    let command = santisuk_domain::issue::IssueCommand {
        now,
        action: santisuk_domain::issue::IssueAction::Raise(santisuk_domain::issue::RaiseIssue {
            area: AreaId::parse(&area).unwrap(),
            category: CategoryCode::parse("LIV").unwrap(),
            title: Title::parse("หลังล่ม").unwrap(),
            description: None,
            forum: None,
            raised_by: None,
            at: now,
            case_number: santisuk_tests::case_number(now),
            complainant: None,
            restricted: false,
            kind: santisuk_domain::values::IssueKind::Community,
            category_kind: santisuk_domain::values::IssueKind::Community,
            source: None,
        }),
    };
    let other = test_db.second_pool().await;
    read_model::register_inline_tables(&other);
    santisuk_app::command::execute::<santisuk_domain::issue::Issue>(&other, &id, command, Default::default(), None)
        .await
        .unwrap();
    // The next start catches up before serving.
    let restarted = santisuk_http::state::AppState::prepare(other.clone()).await.unwrap();
    settle(&restarted.runner, &restarted.db).await;
    assert!(issue_exists(&restarted.db, &id).await);
    assert_eq!(restarted.projection_lag().await.unwrap().events, 0);
}

async fn busy_history(app: &TestApp) {
    let a = app.area_in("PTN-01", "9401").await;
    let b = app.area_in("SKA-01", "9005").await;
    let f = app
        .post("/api/forums", &app.coordinator, json!({"area_id": a, "held_on": "2026-11-01", "participants": 30}))
        .await;
    let forum = f.body["id"].as_str().unwrap().to_owned();
    // Organisations (registered, proposed and approved, updated) and participation at a forum's hold and later.
    let org =
        |name: &str, areas: serde_json::Value| json!({"name_th": name, "kind": "womens_group", "area_ids": areas});
    let o1 = app.post("/api/organisations", &app.staff, org("กลุ่มสตรี ก", json!([a, b]))).await;
    let o1 = o1.body["id"].as_str().unwrap().to_owned();
    let o2 = app.post("/api/organisations", &app.coordinator, org("มูลนิธิ ข", json!([a]))).await;
    let o2 = o2.body["id"].as_str().unwrap().to_owned();
    let r = app.post(&format!("/api/organisations/{o2}/approve"), &app.staff, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let body = |v: serde_json::Value| Some(axum::body::Body::from(v.to_string()));
    let patch = json!({"kind": "network", "area_ids": [b]});
    let path = format!("/api/organisations/{o1}");
    let r = app.send(axum::http::Method::PATCH, &path, Some(&app.admin), body(patch), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let participation = json!({"sbpac_staff": 2, "coordinators": 1, "organisations": [o1, o2],
        "leaders": {"imam": 1, "village_headman": 1}, "villagers": 20, "villagers_women": 12});
    let r = app
        .post(
            "/api/forums",
            &app.coordinator,
            json!({"area_id": a, "held_on": "2026-11-02", "participants": 30, "participation": participation}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let later = json!({"villagers": 25, "villagers_men": 10, "organisations": [o2]});
    let path = format!("/api/forums/{forum}/participation");
    let r = app.send(axum::http::Method::PUT, &path, Some(&app.coordinator), body(later), &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    for i in 0..12 {
        let area = if i % 3 == 0 { &b } else { &a };
        let body = if area == &a {
            json!({"area_id": area, "category": "LIV", "title": format!("เรื่อง {i}"), "forum_id": forum})
        } else {
            json!({"area_id": area, "category": "SEC", "title": format!("เรื่อง {i}")})
        };
        let id = app.post("/api/issues", &app.coordinator, body).await.body["id"].as_str().unwrap().to_owned();
        if i % 2 == 0 {
            app.post(
                &format!("/api/issues/{id}/assign"),
                &app.staff,
                json!({"assignee": "อบต.", "due_on": "2026-12-01"}),
            )
            .await;
        }
        if i % 4 == 0 {
            app.post(&format!("/api/issues/{id}/address"), &app.staff, json!({"action": "ดำเนินการ"})).await;
            app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "resolved"})).await;
        }
        if i == 8 {
            app.post(&format!("/api/issues/{id}/reopen"), &app.staff, json!({"reason": "ยังไม่เสร็จ"})).await;
        }
    }
}

async fn a_rebuild_reproduces_the_live_tables_byte_for_byte(backend: Backend) {
    let app = TestApp::new(backend).await;
    busy_history(&app).await;
    let live = read_model::dump(app.db()).await.unwrap();
    assert!(live.lines().count() > 20, "the history is not trivial");
    let replayed = Runner::new(app.db().clone(), ReadModel::default()).rebuild().await.unwrap();
    assert_eq!(replayed as i64, app.event_count().await);
    assert_eq!(read_model::dump(app.db()).await.unwrap(), live);
    // And the log folded in memory agrees with both.
    let folded = Snapshot::as_of(app.db(), Utc::now()).await.unwrap();
    assert_eq!(folded.dump().unwrap(), live);
    // The API still reads the rebuilt tables.
    assert_eq!(app.get("/api/issues?limit=100", &app.staff).await.body["items"].as_array().unwrap().len(), 12);
}

/// The projection reads and writes the issues of a batch with multi-row statements of at most 200 rows:
/// batches of 500 events touching 450 issues (raised in one batch, changed in the next) must give what
/// the in-memory fold gives, live and after a rebuild.
async fn batches_touching_more_rows_than_one_statement_holds_project_every_event(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.db.clone();
    db.migrate().await.unwrap();
    // What `AppState::prepare` does: commands on issues write the issue's row with their events.
    read_model::register_inline_tables(&db);
    let ids: Vec<String> = (0..450).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let mut tx = db.begin_write().await.unwrap();
    for (n, id) in ids.iter().enumerate() {
        insert_event(&mut tx, id, raised_payload(&format!("เรื่อง {n}"))).await;
    }
    for (n, id) in ids.iter().enumerate().filter(|(n, _)| n % 3 != 0) {
        let assigned = IssueEvent::IssueAssigned {
            assignee: santisuk_domain::values::Assignee::parse(&format!("หน่วย {n}")).unwrap(),
            due_on: None,
            note: None,
            at: Utc::now(),
            agency: None,
            rule: None,
        };
        on_tx!(&mut tx, t => sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
             VALUES ('Issue', $1, 2, 'IssueAssigned', '1.0', $2, $3)")
            .bind(id).bind(sqlx::types::Json(serde_json::to_value(assigned).unwrap()))
            .bind(sqlx::types::Json(json!({"actor": "test"})))
            .execute(&mut **t).await.map(|_| ()).expect("insert event"));
    }
    tx.commit().await.unwrap();
    let runner = Runner::new(db.clone(), ReadModel::default());
    settle(&runner, &db).await;
    let live = read_model::dump(&db).await.unwrap();
    assert_eq!(live.lines().count(), 450);
    assert_eq!(live.matches("\"status\":\"assigned\"").count(), 300);
    let folded = Snapshot::as_of(&db, Utc::now()).await.unwrap();
    assert_eq!(folded.dump().unwrap(), live);
    assert_eq!(runner.rebuild().await.unwrap(), 750);
    assert_eq!(read_model::dump(&db).await.unwrap(), live);
}

async fn concurrent_commands_on_one_issue_lose_no_update(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    let id = app.raise(&area, "INF", "ไฟฟ้า").await;
    let path = format!("/api/issues/{id}/assign");
    let replies = futures::future::join_all(
        (0..20).map(|i| app.post(&path, &app.staff, json!({"assignee": format!("หน่วย {i}")}))),
    )
    .await;
    let failed: Vec<_> = replies.iter().filter(|r| r.status != StatusCode::OK).map(|r| r.body.clone()).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let mut versions: Vec<i64> = replies.iter().map(|r| r.body["version"].as_i64().unwrap()).collect();
    versions.sort();
    assert_eq!(versions, (2..=21).collect::<Vec<_>>(), "every command got its own version");
    let history = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await;
    assert_eq!(history.body["items"].as_array().unwrap().len(), 21);
    assert_eq!(app.get(&format!("/api/issues/{id}"), &app.staff).await.body["version"], 21);
}

async fn two_instances_writing_at_once_project_every_event_exactly_once(backend: Backend) {
    let test_db = Arc::new(TestDb::new(backend).await);
    let one = TestApp::on(test_db.clone()).await;
    // A second instance: its own pool, its own runner, the same database.
    let second_db = test_db.second_pool().await;
    let two_state = santisuk_http::state::AppState::prepare(second_db).await.unwrap();
    two_state.spawn_runner(std::future::pending());
    let two_router = santisuk_http::app(two_state.clone());
    let two = TestApp { state: two_state, router: two_router, ..one.clone() };

    let area = one.area("PTN-01").await;
    let work = |app: TestApp, n: usize| {
        let area = area.clone();
        async move {
            for i in 0..n {
                let id = app.raise(&area, "LIV", &format!("เรื่อง {i}")).await;
                let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต."})).await;
                assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            }
        }
    };
    tokio::join!(work(one.clone(), 15), work(two.clone(), 15), work(one.clone(), 10));
    settle(&one.state.runner, one.db()).await;
    two.state.runner.catch_up().await.unwrap();
    let folded = Snapshot::as_of(one.db(), Utc::now()).await.unwrap();
    assert_eq!(folded.issues.len(), 40);
    assert_eq!(read_model::dump(one.db()).await.unwrap(), folded.dump().unwrap());
    assert_eq!(one.state.projection_lag().await.unwrap().events, 0);
}

/// Two server instances on one database, each with its own pool, caches and runners; the second uses the
/// first's users and tokens.
async fn two_instances(backend: Backend) -> (TestApp, TestApp) {
    let test_db = Arc::new(TestDb::new(backend).await);
    let one = TestApp::on(test_db.clone()).await;
    let two_state = santisuk_http::state::AppState::prepare(test_db.second_pool().await).await.unwrap();
    two_state.spawn_runner(std::future::pending());
    let two_router = santisuk_http::app(two_state.clone());
    let two = TestApp { state: two_state, router: two_router, ..one.clone() };
    (one, two)
}

/// Each instance keeps the aggregates its last commands left (`AggregateCache`); another instance's commands
/// make them stale, and a stale one must never decide anything.
async fn a_command_is_judged_on_the_stored_history_when_another_instance_moved_the_issue(backend: Backend) {
    let (one, two) = two_instances(backend).await;
    let area = one.area("PTN-01").await;
    let id = one.raise(&area, "LIV", "ถนนชำรุด").await;
    let path = |what: &str| format!("/api/issues/{id}/{what}");

    // Two assigns (version 2); one still holds version 1 and is told the client's version 2 is current.
    let r = two.post(&path("assign"), &two.staff, json!({"assignee": "อบต."})).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(2)));
    let r = one.post_with(&path("assign"), &one.staff, json!({"assignee": "อำเภอ"}), &[("if-match", "2")]).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(3)), "{:?}", r.body);

    // Two closes it; one still holds it as assigned, where addressing would be allowed.
    let r = two.post(&path("close"), &two.staff, json!({"outcome": "referred"})).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(4)), "{:?}", r.body);
    let from_one = one.post(&path("address"), &one.staff, json!({"action": "ซ่อมแล้ว"})).await;
    let from_two = two.post(&path("address"), &two.staff, json!({"action": "ซ่อมแล้ว"})).await;
    assert!(from_two.status.is_client_error(), "{:?}", from_two.body);
    assert_eq!((from_one.status, from_one.code()), (from_two.status, from_two.code()));
    // And a refusal judged on a stale state is judged again: one reopens it (version 5), two closes it
    // (6), and one, which last saw it open, reopens it again: accepted on the stored history.
    let r = one.post(&path("reopen"), &one.staff, json!({"reason": "ยังไม่เสร็จ"})).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(5)), "{:?}", r.body);
    let r = two.post(&path("close"), &two.staff, json!({"outcome": "referred"})).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(6)), "{:?}", r.body);
    let r = one.post(&path("reopen"), &one.staff, json!({"reason": "อีกครั้ง"})).await;
    assert_eq!((r.status, r.body["version"].as_i64()), (StatusCode::OK, Some(7)), "{:?}", r.body);
    assert_eq!(santisuk_store::events::aggregate_history(one.db(), "Issue", &id).await.unwrap().len(), 7);
}

/// Live statistics are kept per query until the read model changes (`StatsCache`): a command through this
/// instance is in the very next answer, and one through another instance once this instance's projection
/// has gathered it. Coordinators' answers are kept apart from everyone else's.
async fn cached_statistics_follow_every_change_of_this_instance_and_of_another(backend: Backend) {
    let (one, two) = two_instances(backend).await;
    let area = one.area("PTN-01").await;
    let stats = |app: &TestApp, token: &str| {
        let (app, token) = (app.clone(), token.to_owned());
        async move {
            let r = app.get("/api/stats/resolution?by=area", &token).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.body["totals"].clone()
        }
    };
    // An area the coordinator was not given (the harness's `area` grants it).
    let body = json!({"id": "NWT-09", "name_th": "พื้นที่อื่น", "amphoe_code": "9601"});
    assert_eq!(one.post("/api/areas", &one.admin, body).await.status, StatusCode::CREATED);
    let id = one.raise(&area, "LIV", "ถนนชำรุด").await;
    one.raise("NWT-09", "LIV", "ที่อื่น").await;
    assert_eq!(stats(&one, &one.staff).await["raised"], 2);
    // The coordinator sees only their areas: their answer is not the staff's.
    assert_eq!(stats(&one, &one.coordinator).await["raised"], 1);
    assert_eq!(stats(&one, &one.staff).await["raised"], 2, "asked again, unchanged");

    // A change through this instance: in the next answer.
    one.raise(&area, "LIV", "สะพาน").await;
    assert_eq!(stats(&one, &one.staff).await["raised"], 3);
    assert_eq!(stats(&one, &one.coordinator).await["raised"], 2);

    // A change through the other instance: once this instance's projection has gathered it.
    let r = two.post(&format!("/api/issues/{id}/close"), &two.staff, json!({"outcome": "referred"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let totals = stats(&one, &one.staff).await;
        if totals["closed"] == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the other instance's close never showed: {totals}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(stats(&two, &two.staff).await["closed"], 1);
}

async fn a_failing_event_stops_the_projection_without_skipping_it(backend: Backend) {
    let test_db = TestDb::new(backend).await;
    let db = test_db.db.clone();
    db.migrate().await.unwrap();
    // What `AppState::prepare` does: commands on issues write the issue's row with their events.
    read_model::register_inline_tables(&db);
    let runner = Runner::new(db.clone(), ReadModel::default());
    let good_before = uuid::Uuid::new_v4().to_string();
    let bad = uuid::Uuid::new_v4().to_string();
    let good_after = uuid::Uuid::new_v4().to_string();
    for (id, payload) in [
        (&good_before, raised_payload("ok")),
        (&bad, json!({"IssueRaised": {"unexpected": true}})),
        (&good_after, raised_payload("after")),
    ] {
        let mut tx = db.begin_write().await.unwrap();
        insert_event(&mut tx, id, payload).await;
        tx.commit().await.unwrap();
    }
    // Other tests' open transactions may hold the PostgreSQL horizon back for a moment: retry until the
    // runner reaches the broken event.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let err = loop {
        match runner.catch_up().await {
            Err(e) => break e,
            Ok(_) => assert!(std::time::Instant::now() < deadline, "the broken event was never reached"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert!(err.to_string().contains(&bad), "the error names the event: {err}");
    // The batch rolled back: the checkpoint stays before the broken event (on PostgreSQL the first good
    // event may have been projected in an earlier batch, while the horizon held the others back), nothing
    // after it was applied, and nothing was skipped.
    let bad_position: i64 = santisuk_store::on_db!(&db, p => sqlx::query_scalar(
        "SELECT position FROM events WHERE aggregate_id = $1").bind(&bad).fetch_one(p).await.unwrap());
    assert!(runner.checkpoint().await.unwrap().position < bad_position);
    assert!(!issue_exists(&db, &good_after).await);
    assert!(runner.catch_up().await.is_err(), "it keeps stopping there instead of skipping");
}

async fn the_events_table_refuses_updates_and_deletes(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    app.raise(&area, "LIV", "เรื่อง").await;
    let count = app.event_count().await;
    let update = santisuk_store::on_db!(app.db(), p => sqlx::query("UPDATE events SET event_type = 'Forged'").execute(p).await.map(|_| ()));
    assert!(update.is_err(), "UPDATE must be refused");
    let delete = santisuk_store::on_db!(app.db(), p => sqlx::query("DELETE FROM events").execute(p).await.map(|_| ()));
    assert!(delete.is_err(), "DELETE must be refused");
    assert_eq!(app.event_count().await, count);
}

fn issue_command(action: santisuk_domain::issue::IssueAction) -> santisuk_domain::issue::IssueCommand {
    santisuk_domain::issue::IssueCommand { now: Utc::now(), action }
}

fn raise_action(title: &str) -> santisuk_domain::issue::IssueAction {
    santisuk_domain::issue::IssueAction::Raise(santisuk_domain::issue::RaiseIssue {
        area: AreaId::parse("PTN-01").unwrap(),
        category: CategoryCode::parse("LIV").unwrap(),
        title: Title::parse(title).unwrap(),
        description: None,
        forum: None,
        raised_by: None,
        at: Utc::now(),
        case_number: santisuk_tests::case_number(Utc::now()),
        complainant: None,
        restricted: false,
        kind: santisuk_domain::values::IssueKind::Community,
        category_kind: santisuk_domain::values::IssueKind::Community,
        source: None,
    })
}

/// The issue's row as the log folded in memory gives it (the runner's and the as-of reports' fold).
async fn folded_row(db: &Db, id: &str) -> read_model::IssueRow {
    Snapshot::as_of(db, Utc::now()).await.unwrap().issues.remove(id).expect("the log holds the issue")
}

/// A command on an issue writes the issue's row in the same statement as its events: after every command
/// the row is what folding the log gives, with no projection runner running at all; the runner, meeting
/// those events later, changes nothing, and a rebuild gives the same tables.
async fn a_command_writes_its_issue_row_with_its_events_without_the_runner(backend: Backend) {
    use santisuk_app::command::execute;
    use santisuk_domain::issue::{AddressIssue, AssignIssue, CloseIssue, Issue, IssueAction, ReopenIssue};
    use santisuk_domain::values::{Assignee, Outcome, Text};
    let test_db = TestDb::new(backend).await;
    let db = test_db.db.clone();
    db.migrate().await.unwrap();
    // What `AppState::prepare` does: commands on issues write the issue's row with their events.
    read_model::register_inline_tables(&db);
    let id = uuid::Uuid::new_v4().to_string();
    let text = |t: &str| Text::parse(t).unwrap();
    let actions = [
        raise_action("ท่อประปาแตก"),
        IssueAction::Assign(AssignIssue {
            assignee: Some(Assignee::parse("อบต.").unwrap()),
            agency: None,
            agency_name: None,
            rule: None,
            due_on: None,
            note: None,
            at: Utc::now(),
        }),
        IssueAction::Address(AddressIssue { action: text("ซ่อมแล้ว"), note: None, at: Utc::now() }),
        IssueAction::Close(CloseIssue { outcome: Outcome::Resolved, note: None, at: Utc::now() }),
        IssueAction::Reopen(ReopenIssue { reason: text("รั่วอีก"), at: Utc::now() }),
    ];
    let mut statuses = Vec::new();
    for (n, action) in actions.into_iter().enumerate() {
        let done = execute::<Issue>(&db, &id, issue_command(action), Default::default(), None).await.unwrap();
        let row = read_model::get_issue(&db, &id).await.unwrap().expect("the row is written with the event");
        assert_eq!(row.version, n as i64 + 1);
        assert_eq!(row.last_position, done.position, "the row names the position its event got");
        assert_eq!(row, folded_row(&db, &id).await);
        statuses.push(row.status.as_str());
    }
    assert_eq!(statuses, ["raised", "assigned", "addressed", "closed", "assigned"]);
    let runner = Runner::new(db.clone(), ReadModel::default());
    assert_eq!(runner.checkpoint().await.unwrap().position, 0, "no runner ran");
    let live = read_model::dump(&db).await.unwrap();
    settle(&runner, &db).await;
    assert_eq!(read_model::dump(&db).await.unwrap(), live, "the runner met the events and changed nothing");
    assert_eq!(runner.rebuild().await.unwrap(), 5);
    assert_eq!(read_model::dump(&db).await.unwrap(), live);
}

/// A command judged on a cached aggregate that another writer has moved past is refused by the append:
/// neither its event nor its row is written. The next command folds the row from the stored history,
/// including the event that writer added without writing any row (as an older release or an SQL import
/// would), and the runner finds nothing left to do.
async fn a_refused_append_writes_no_row_and_the_next_command_folds_the_stored_history(backend: Backend) {
    use santisuk_app::command::{AggregateCache, CommandError, execute_cached};
    use santisuk_domain::issue::{AddressIssue, AssignIssue, Issue, IssueAction};
    use santisuk_domain::values::{Assignee, Text};
    let test_db = TestDb::new(backend).await;
    let db = test_db.db.clone();
    db.migrate().await.unwrap();
    // What `AppState::prepare` does: commands on issues write the issue's row with their events.
    read_model::register_inline_tables(&db);
    let cache = AggregateCache::default();
    let id = uuid::Uuid::new_v4().to_string();
    execute_cached::<Issue>(&cache, &db, &id, issue_command(raise_action("สะพานชำรุด")), Default::default(), None)
        .await
        .unwrap();
    // Another writer appends version 2 with plain SQL: the cache still holds version 1.
    let assigned = IssueEvent::IssueAssigned {
        assignee: Assignee::parse("อำเภอ").unwrap(),
        due_on: None,
        note: None,
        at: Utc::now(),
        agency: None,
        rule: None,
    };
    santisuk_store::on_db!(&db, p => sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         VALUES ('Issue', $1, 2, 'IssueAssigned', '1.0', $2, $3)")
        .bind(&id).bind(sqlx::types::Json(serde_json::to_value(assigned).unwrap()))
        .bind(sqlx::types::Json(json!({"actor": "test"})))
        .execute(p).await.map(|_| ()).unwrap());

    let assign = |who: &str| {
        IssueAction::Assign(AssignIssue {
            assignee: Some(Assignee::parse(who).unwrap()),
            agency: None,
            agency_name: None,
            rule: None,
            due_on: None,
            note: None,
            at: Utc::now(),
        })
    };
    let refused =
        execute_cached::<Issue>(&cache, &db, &id, issue_command(assign("อบต.")), Default::default(), Some(1)).await;
    assert!(matches!(refused, Err(CommandError::StaleVersion { expected: 1, actual: 2 })), "{refused:?}");
    let row = read_model::get_issue(&db, &id).await.unwrap().unwrap();
    assert_eq!((row.version, row.status.as_str(), row.assignee), (1, "raised", None), "nothing of the refused command");
    let events: i64 = santisuk_store::on_db!(&db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE aggregate_id = $1").bind(&id).fetch_one(p).await.unwrap());
    assert_eq!(events, 2);

    let address =
        IssueAction::Address(AddressIssue {
            action: Text::parse("ซ่อมแล้ว").unwrap(), note: None, at: Utc::now()
        });
    let done =
        execute_cached::<Issue>(&cache, &db, &id, issue_command(address), Default::default(), None).await.unwrap();
    assert_eq!(done.version, 3);
    let row = read_model::get_issue(&db, &id).await.unwrap().unwrap();
    assert_eq!(
        (row.version, row.status.as_str(), row.assignee.as_deref()),
        (3, "addressed", Some("อำเภอ")),
        "the row holds the event written without a row"
    );
    assert_eq!(row, folded_row(&db, &id).await);
    let live = read_model::dump(&db).await.unwrap();
    settle(&Runner::new(db.clone(), ReadModel::default()), &db).await;
    assert_eq!(read_model::dump(&db).await.unwrap(), live);
}

/// A raise with an id the server made up skips reading the id's (empty) history (`expect_new`). Should the
/// id have a history after all, the append of sequence 1 is refused and the raise is judged on the stored
/// history: it is refused as a repeat, and nothing is written.
async fn an_id_wrongly_expected_new_is_judged_on_its_stored_history(backend: Backend) {
    use santisuk_app::command::{AggregateCache, CommandError, execute_cached};
    use santisuk_domain::issue::Issue;
    let test_db = TestDb::new(backend).await;
    let db = test_db.db.clone();
    db.migrate().await.unwrap();
    // What `AppState::prepare` does: commands on issues write the issue's row with their events.
    read_model::register_inline_tables(&db);
    let id = uuid::Uuid::new_v4().to_string();
    // Another instance (its own cache) raised it.
    execute_cached::<Issue>(
        &AggregateCache::default(),
        &db,
        &id,
        issue_command(raise_action("ถนน")),
        Default::default(),
        None,
    )
    .await
    .unwrap();
    let before = read_model::get_issue(&db, &id).await.unwrap().unwrap();

    let cache = AggregateCache::default();
    cache.expect_new::<Issue>(&id);
    let again =
        execute_cached::<Issue>(&cache, &db, &id, issue_command(raise_action("ปลอม")), Default::default(), None).await;
    assert!(matches!(again, Err(CommandError::Rejected(_))), "{again:?}");
    let events: i64 = santisuk_store::on_db!(&db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE aggregate_id = $1").bind(&id).fetch_one(p).await.unwrap());
    assert_eq!(events, 1, "the refused raise wrote nothing");
    assert_eq!(read_model::get_issue(&db, &id).await.unwrap().unwrap(), before, "nor changed the row");

    // A truly new id is raised from the expectation alone, row and all.
    let fresh = uuid::Uuid::new_v4().to_string();
    cache.expect_new::<Issue>(&fresh);
    let done =
        execute_cached::<Issue>(&cache, &db, &fresh, issue_command(raise_action("สะพาน")), Default::default(), None)
            .await
            .unwrap();
    assert_eq!(done.version, 1);
    let row = read_model::get_issue(&db, &fresh).await.unwrap().unwrap();
    assert_eq!((row.version, row.title.as_str()), (1, "สะพาน"));
    assert_eq!(row, folded_row(&db, &fresh).await);
}

/// The appends waiting together are committed as one group (SQLite: those waiting for the write lock;
/// PostgreSQL: those waiting for a flight). Here the test holds appends back while seven queue up: six new
/// issues and one that re-uses a sequence already taken. Only that one is refused, and nothing of it is
/// written; the six are committed, each with its own position and its row. Then five without a conflict
/// commit in one transaction.
async fn appends_committed_together_keep_a_conflict_to_its_own_command(backend: Backend) {
    use cqrs_es::persist::SerializedEvent;
    use santisuk_store::append::{Appended, append};
    let test_db = TestDb::new(backend).await;
    let db = test_db.db.clone();
    db.migrate().await.unwrap();
    // What `AppState::prepare` does: commands on issues write the issue's row with their events.
    read_model::register_inline_tables(&db);
    let raised = |id: &str, title: &str| {
        let event = IssueEvent::IssueRaised {
            area_id: AreaId::parse("PTN-01").unwrap(),
            category: CategoryCode::parse("LIV").unwrap(),
            title: Title::parse(title).unwrap(),
            description: None,
            forum_id: None,
            raised_by: None,
            kind: santisuk_domain::values::IssueKind::Community,
            at: Utc::now(),
            case_number: santisuk_tests::case_number(Utc::now()),
            complainant: None,
            restricted: false,
            source: None,
        };
        let row = read_model::IssueRow::raised(id, &event, 1, 0);
        let stored = SerializedEvent::new(
            id.to_owned(),
            1,
            "Issue".to_owned(),
            "IssueRaised".to_owned(),
            "1.0".to_owned(),
            serde_json::to_value(&event).unwrap(),
            json!({"actor": "test"}),
        );
        (vec![stored], row)
    };
    let taken = uuid::Uuid::new_v4().to_string();
    let (events, row) = raised(&taken, "เดิม");
    append(&db, "Issue", events, row.map(|r| r.values())).await.unwrap();

    let held = santisuk_store::append::hold(&db).await;
    let mut ids: Vec<String> = (0..6).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    ids.insert(3, taken.clone());
    let appends: Vec<_> = ids
        .iter()
        .map(|id| {
            let (db, id) = (db.clone(), id.clone());
            let title = if id == taken { "ซ้ำ" } else { "ใหม่" };
            let (events, row) = raised(&id, title);
            tokio::spawn(async move { append(&db, "Issue", events, row.map(|r| r.values())).await })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(held);
    let mut positions = Vec::new();
    for (id, handle) in ids.iter().zip(appends) {
        let result = handle.await.unwrap();
        if *id == taken {
            assert!(matches!(result, Err(Appended::Conflict)), "{result:?}");
            continue;
        }
        let at = result.unwrap();
        let row = read_model::get_issue(&db, id).await.unwrap().expect("its row is written");
        assert_eq!((row.title.as_str(), row.last_position), ("ใหม่", at.position));
        positions.push(at.position);
    }
    positions.sort();
    positions.dedup();
    assert_eq!(positions.len(), 6, "each append has its own position");
    assert_eq!(read_model::get_issue(&db, &taken).await.unwrap().unwrap().title, "เดิม");
    let stored: i64 = santisuk_store::on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(p).await.unwrap());
    assert_eq!(stored, 7);

    // Without a conflict the group is one transaction: on PostgreSQL every append reports the same one.
    let held = santisuk_store::append::hold(&db).await;
    let ids: Vec<String> = (0..5).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let appends: Vec<_> = ids
        .iter()
        .map(|id| {
            let (db, (events, row)) = (db.clone(), raised(id, "กลุ่ม"));
            tokio::spawn(async move { append(&db, "Issue", events, row.map(|r| r.values())).await })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(held);
    let mut landed = Vec::new();
    for (id, handle) in ids.iter().zip(appends) {
        let at = handle.await.unwrap().unwrap();
        assert_eq!(read_model::get_issue(&db, id).await.unwrap().unwrap().last_position, at.position);
        landed.push(at);
    }
    landed.dedup_by_key(|c| c.tx);
    assert_eq!(landed.len(), 1, "one transaction for the group: {landed:?}");
}

/// An as-of report reads the log in one snapshot: it sees every event committed before it started, even
/// while another transaction is open (on PostgreSQL, a write transaction holding the cluster's xmin back;
/// on SQLite, a reader), and it equals the live issue list.
async fn an_as_of_report_sees_every_committed_event_whatever_else_is_open(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    let first = app.raise(&area, "LIV", "ก่อน").await;
    let other = app.state.db.clone();
    let mut open = match other.pool() {
        Pool::Postgres(p) => {
            let mut t = p.begin().await.unwrap();
            let _: (i64,) =
                sqlx::query_as("SELECT pg_current_xact_id()::text::bigint").fetch_one(&mut *t).await.unwrap();
            Some(DbTx::Postgres(t))
        }
        Pool::Sqlite(p) => {
            let mut t = p.begin().await.unwrap();
            let _: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events").fetch_one(&mut *t).await.unwrap();
            Some(DbTx::Sqlite(t))
        }
    };
    let second = app.raise(&area, "LIV", "ระหว่าง").await;
    let now = Utc::now().to_rfc3339().replace('+', "%2B");
    let as_of = app.get(&format!("/api/issues?limit=10&as_of={now}"), &app.staff).await;
    let live = app.get("/api/issues?limit=10", &app.staff).await;
    let ids = |r: &santisuk_tests::Reply| {
        let mut ids: Vec<String> =
            r.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(ids(&as_of), expected, "{:?}", as_of.body);
    assert_eq!(ids(&live), expected);
    drop(open.take());
}

/// Stores an event as an older or newer release would have, with the version given.
async fn insert_raw(
    db: &Db,
    aggregate_type: &str,
    id: &str,
    event_type: &str,
    version: &str,
    payload: serde_json::Value,
) {
    let sql = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
               VALUES ($1, $2, 1, $3, $4, $5, $6)";
    let metadata = json!({"actor": "older-release"});
    santisuk_store::on_db!(db, p => sqlx::query(sql)
        .bind(aggregate_type).bind(id).bind(event_type).bind(version).bind(payload).bind(metadata)
        .execute(p).await.map(|_| ()))
    .expect("store a raw event");
}

/// Issue #12 §4: `event_version` is read. A `ForumHeld` stored in version 1.0 (`participants`) is upcast
/// to 2.0 (`head_count`) by the runner, the as-of fold and a command's load alike; an event of a version
/// this release does not know stops the runner and the as-of read with an error naming its position.
async fn an_old_event_version_is_upcast_and_an_unknown_one_stops_every_reader(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("VER-1").await;
    let forum = uuid::Uuid::new_v4().to_string();
    let v1 = json!({"ForumHeld": {"area_id": area, "held_on": "2026-11-20", "title": "เวทีเก่า",
        "facilitator": null, "participants": 12}});
    insert_raw(app.db(), "Forum", &forum, "ForumHeld", "1.0", v1).await;
    settle(&app.state.runner, app.db()).await;
    let live = app.get(&format!("/api/forums/{forum}"), &app.auditor).await;
    assert_eq!((live.status, &live.body["participants"]), (StatusCode::OK, &json!(12)), "{:?}", live.body);
    let past = Snapshot::as_of(app.db(), Utc::now()).await.expect("as-of fold");
    assert_eq!(past.forums[&forum].participants, Some(12), "the as-of fold upcasts too");

    // A version from the future: every reader stops at it and says where.
    let before = app.state.runner.checkpoint().await.expect("checkpoint");
    let future = json!({"ForumHeld": {"area_id": area, "held_on": "2026-11-21", "head_count": 3}});
    let unknown = uuid::Uuid::new_v4().to_string();
    insert_raw(app.db(), "Forum", &unknown, "ForumHeld", "9.0", future).await;
    let position: i64 = santisuk_store::on_db!(app.db(), p => sqlx::query_scalar("SELECT MAX(position) FROM events")
        .fetch_one(p).await.unwrap());
    // On PostgreSQL the event is projectable once no older transaction is open on the cluster (a
    // background turn of this app's own runner may be): try until it is.
    let mut turn = app.state.runner.catch_up().await;
    for _ in 0..100 {
        if turn.is_err() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        turn = app.state.runner.catch_up().await;
    }
    let err = turn.expect_err("the runner must stop at an unknown version");
    let text = err.to_string();
    assert!(text.contains(&format!("position {position}")) && text.contains("9.0"), "{text}");
    assert_eq!(app.state.runner.checkpoint().await.expect("checkpoint").position, before.position, "nothing skipped");
    let text = Snapshot::as_of(app.db(), Utc::now()).await.expect_err("the as-of fold must stop too").to_string();
    assert!(text.contains(&format!("position {position}")) && text.contains("9.0"), "{text}");
    // The as-of reads of issues fold issue events (and areas and categories), not forums: an issue event
    // of an unknown version stops them, as a single issue, the list and the statistics.
    let issue = uuid::Uuid::new_v4().to_string();
    let raised =
        json!({"IssueRaised": {"area_id": area, "category": "LIV", "title": "t", "at": "2026-11-21T00:00:00Z"}});
    insert_raw(app.db(), "Issue", &issue, "IssueRaised", "9.0", raised).await;
    let text = santisuk_projections::as_of::issue(app.db(), Utc::now(), &issue).await.expect_err("stops").to_string();
    assert!(text.contains("9.0") && text.contains("position"), "{text}");
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true).replace(':', "%3A");
    for path in [
        format!("/api/issues?as_of={now}"),
        format!("/api/issues/{issue}?as_of={now}"),
        format!("/api/stats/resolution?as_of={now}"),
    ] {
        let past = app.get(&path, &app.auditor).await;
        assert_eq!(past.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {:?}", past.body);
    }
    // A command's load refuses it as well.
    let hold = santisuk_domain::forum::HoldForum {
        area: AreaId::parse(&area).unwrap(),
        held_on: "2026-11-21".parse().unwrap(),
        title: None,
        facilitator: None,
        participants: None,
        participation: None,
        now: Utc::now(),
    };
    let refused = santisuk_app::command::execute::<santisuk_domain::forum::Forum>(
        app.db(),
        &unknown,
        hold.into(),
        std::collections::HashMap::new(),
        None,
    )
    .await
    .expect_err("a command must not be judged on an event it cannot read");
    assert!(refused.to_string().contains("9.0"), "{refused}");
}

/// Reads the whole log (up to 10,000 events) as the read model's runner reads a batch in live running.
async fn read_as_the_read_model(db: &Db) -> santisuk_store::events::Batch {
    use santisuk_projections::runner::Projection;
    let mut tx = db.begin_write().await.expect("begin");
    let covered = ReadModel::COVERED;
    assert!(covered.is_some(), "the read model passes over covered events");
    let batch = santisuk_store::events::read_batch_for(&mut tx, Default::default(), 10_000, covered.as_ref())
        .await
        .expect("batch");
    let all = santisuk_store::events::read_batch(&mut tx, Default::default(), 10_000).await.expect("all");
    // Every event is passed, applied or covered, and the batch ends where the whole log does.
    assert_eq!((batch.len(), batch.last), (all.len(), all.last().map(|e| e.checkpoint())));
    batch
}

/// Issue #19: in live running the read model's runner does not read back the events of rows the commands
/// wrote with them (no payload, no decoding, no row loaded), yet heals the rows nobody wrote (events
/// appended by a writer without the row: missing or behind), still reads attachments (another table), and
/// moves its checkpoint over everything.
async fn the_runner_passes_over_rows_written_with_their_events_and_heals_the_others(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("COV-1").await;
    let a = app.raise(&area, "LIV", "ถนนขาด").await;
    let b = app.raise(&area, "LIV", "ไฟดับ").await;
    let body = json!({"assignee": "อบต.ตะลุโบะ"});
    for id in [&a, &b] {
        let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    settle(&app.state.runner, app.db()).await;
    let full = |batch: &santisuk_store::events::Batch, id: &str| -> Vec<i64> {
        batch.events.iter().filter(|e| e.aggregate_id == id).map(|e| e.sequence).collect()
    };
    let batch = read_as_the_read_model(app.db()).await;
    assert_eq!((full(&batch, &a), full(&batch, &b)), (vec![], vec![]), "rows written inline are not read back");
    assert!(batch.covered >= 4, "{} covered", batch.covered);
    assert!(batch.events.iter().any(|e| e.aggregate_type == "Area"), "other aggregates are read in full");
    // The checkpoint went over the covered events.
    let head = santisuk_store::events::head(app.db()).await.unwrap();
    assert_eq!(app.state.runner.checkpoint().await.unwrap(), head);

    // Events stored without their row, as an older release or an SQL import would: a new issue (no row) and
    // a third event of `b` (its row behind). The runner reads them in full and folds them.
    let c = uuid::Uuid::new_v4().to_string();
    let raised = raised_payload("นำเข้า");
    let assigned = serde_json::to_value(IssueEvent::IssueAssigned {
        assignee: santisuk_domain::values::Assignee::parse("อบต.สะบารัง").unwrap(),
        due_on: None,
        note: None,
        at: Utc::now(),
        agency: None,
        rule: None,
    })
    .unwrap();
    insert_at(app.db(), &c, 1, "IssueRaised", raised).await;
    insert_at(app.db(), &b, 3, "IssueAssigned", assigned).await;
    settle(&app.state.runner, app.db()).await;
    let healed = read_model::get_issue(app.db(), &c).await.unwrap().expect("the imported issue has its row");
    assert_eq!(healed.version, 1);
    let behind = read_model::get_issue(app.db(), &b).await.unwrap().unwrap();
    assert_eq!((behind.version, behind.assignee.as_deref()), (3, Some("อบต.สะบารัง")));
    let head = santisuk_store::events::head(app.db()).await.unwrap();
    assert_eq!(app.state.runner.checkpoint().await.unwrap(), head);

    // The query itself: a row missing gets all its events in full, a row behind those past its version.
    on_db(app.db(), &format!("DELETE FROM issues WHERE id = '{a}'")).await;
    on_db(app.db(), &format!("UPDATE issues SET version = 2 WHERE id = '{b}'")).await;
    let batch = read_as_the_read_model(app.db()).await;
    assert_eq!((full(&batch, &a), full(&batch, &b), full(&batch, &c)), (vec![1, 2], vec![3], vec![]));
}

/// Stores an issue event at `sequence` with our own SQL, as a writer without the inline row would.
async fn insert_at(db: &Db, id: &str, sequence: i64, event_type: &str, payload: serde_json::Value) {
    let version = santisuk_domain::versions::current(event_type);
    let sql = "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
               VALUES ('Issue', $1, $2, $3, $4, $5, $6)";
    let metadata = json!({"actor": "import"});
    santisuk_store::on_db!(db, p => sqlx::query(sql)
        .bind(id).bind(sequence).bind(event_type).bind(version)
        .bind(sqlx::types::Json(&payload)).bind(sqlx::types::Json(&metadata))
        .execute(p).await.map(|_| ()))
    .expect("store an event without its row");
}

async fn on_db(db: &Db, sql: &str) {
    santisuk_store::on_db!(db, p => sqlx::query(sql).execute(p).await.map(|_| ())).expect(sql);
}
