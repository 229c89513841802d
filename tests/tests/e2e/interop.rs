//! Santisuk's store as a member of the cqrs-es stack: the stock postgres-es / sqlite-es repositories read
//! what Santisuk wrote, what they append is projected, chained and counted like Santisuk's own events, a
//! race between the two writers on one aggregate has one winner and no gap, and a cqrs-es
//! `CqrsFramework` runs on Santisuk's own repository.

use std::collections::HashMap;

use axum::http::StatusCode;
use chrono::Utc;
use cqrs_es::persist::{PersistedEventRepository, PersistedEventStore, SerializedEvent};
use cqrs_es::{Aggregate, AggregateContext, AggregateError, CqrsFramework, EventStore};
use postgres_es::PostgresEventRepository;
use santisuk_domain::area::Area;
use santisuk_domain::category::Category;
use santisuk_domain::forum::Forum;
use santisuk_domain::issue::{AssignIssue, Issue, IssueAction, IssueCommand, IssueError, IssueEvent, RaiseIssue};
use santisuk_domain::user::User;
use santisuk_domain::values::{AreaId, Assignee, CategoryCode, Text, Title};
use santisuk_domain::versions::upcasters;
use santisuk_store::repository::EventRepository;
use santisuk_store::{Pool, on_db};
use santisuk_tests::{Backend, TestApp, both_backends, settle};
use serde_json::{Value, json};
use sqlite_es::SqliteEventRepository;

/// The stock repository of the backend in use, on the app's own pool (the repositories are not `Clone`:
/// one is made per use, as cheap as cloning the pool).
#[derive(Clone)]
enum Stock {
    Postgres(sqlx::PgPool),
    Sqlite(sqlx::SqlitePool),
}

impl Stock {
    fn of(app: &TestApp) -> Stock {
        match app.db().pool() {
            Pool::Postgres(p) => Stock::Postgres(p.clone()),
            Pool::Sqlite(p) => Stock::Sqlite(p.clone()),
        }
    }

    /// The aggregate and its version as the stock event store loads it.
    async fn load<A: Aggregate>(&self, id: &str) -> (Value, usize) {
        match self {
            Stock::Postgres(p) => {
                loaded(
                    &PersistedEventStore::<_, A>::new_event_store(PostgresEventRepository::new(p.clone()))
                        .with_upcasters(upcasters()),
                    id,
                )
                .await
            }
            Stock::Sqlite(p) => {
                loaded(
                    &PersistedEventStore::<_, A>::new_event_store(SqliteEventRepository::new(p.clone()))
                        .with_upcasters(upcasters()),
                    id,
                )
                .await
            }
        }
    }

    async fn events<A: Aggregate>(&self, id: &str) -> Vec<SerializedEvent> {
        match self {
            Stock::Postgres(p) => PostgresEventRepository::new(p.clone())
                .get_events::<A>(id)
                .await
                .expect("stock postgres-es reads the events"),
            Stock::Sqlite(p) => SqliteEventRepository::new(p.clone())
                .get_events::<A>(id)
                .await
                .expect("stock sqlite-es reads the events"),
        }
    }

    /// Appends events at the sequences they carry, as the stock repository does for its own framework.
    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
    ) -> Result<(), cqrs_es::persist::PersistenceError> {
        match self {
            Stock::Postgres(p) => PostgresEventRepository::new(p.clone()).persist::<A>(events, None).await,
            Stock::Sqlite(p) => SqliteEventRepository::new(p.clone()).persist::<A>(events, None).await,
        }
    }

    /// Runs a command through a stock `CqrsFramework` (the way any cqrs-es application writes).
    async fn execute(&self, id: &str, command: IssueCommand, actor: &str) -> Result<(), AggregateError<IssueError>> {
        let metadata = HashMap::from([("actor".to_owned(), actor.to_owned())]);
        match self {
            Stock::Postgres(p) => {
                let store = PersistedEventStore::<_, Issue>::new_event_store(PostgresEventRepository::new(p.clone()));
                let cqrs = CqrsFramework::new(store, vec![], ());
                cqrs.execute_with_metadata(id, command, metadata).await
            }
            Stock::Sqlite(p) => {
                let store = PersistedEventStore::<_, Issue>::new_event_store(SqliteEventRepository::new(p.clone()));
                let cqrs = CqrsFramework::new(store, vec![], ());
                cqrs.execute_with_metadata(id, command, metadata).await
            }
        }
    }
}

async fn loaded<R: PersistedEventRepository, A: Aggregate>(
    store: &PersistedEventStore<R, A>,
    id: &str,
) -> (Value, usize) {
    let mut context = store.load_aggregate(id).await.expect("the event store loads the aggregate");
    let version = context.current_sequence;
    (serde_json::to_value(context.aggregate()).expect("aggregate as JSON"), version)
}

/// The same aggregate through Santisuk's own repository.
async fn ours<A: Aggregate>(app: &TestApp, id: &str) -> (Value, usize) {
    loaded(
        &PersistedEventStore::<_, A>::new_event_store(EventRepository::new(app.db().clone()))
            .with_upcasters(upcasters()),
        id,
    )
    .await
}

fn raise(title: &str) -> IssueCommand {
    let now = Utc::now();
    IssueCommand {
        now,
        action: IssueAction::Raise(RaiseIssue {
            area: AreaId::parse("PTN-01").unwrap(),
            category: CategoryCode::parse("LIV").unwrap(),
            title: Title::parse(title).unwrap(),
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
    }
}

fn assign(to: &str) -> IssueCommand {
    let now = Utc::now();
    IssueCommand {
        now,
        action: IssueAction::Assign(AssignIssue {
            assignee: Some(Assignee::parse(to).unwrap()),
            agency: None,
            agency_name: None,
            rule: None,
            due_on: None,
            note: None,
            at: now,
        }),
    }
}

/// One aggregate loads to the same state and version through the stock store as through Santisuk's, from
/// the very same serialized events.
async fn same_through_both<A: Aggregate>(app: &TestApp, stock: &Stock, id: &str) {
    let (theirs, mine) = (stock.load::<A>(id).await, ours::<A>(app, id).await);
    assert_eq!(theirs, mine, "{} {id}", A::TYPE);
    assert!(theirs.1 > 0, "{} {id} has events", A::TYPE);
    let ours_events = EventRepository::new(app.db().clone()).get_events::<A>(id).await.expect("our events");
    assert_eq!(stock.events::<A>(id).await, ours_events, "{} {id}: the same serialized events", A::TYPE);
}

/// Every stored (type, id, sequence) of one aggregate, and whether they run 1..=n without a hole.
async fn sequences(app: &TestApp, id: &str) -> Vec<i64> {
    on_db!(app.db(), p => sqlx::query_scalar::<_, i64>(
        "SELECT sequence FROM events WHERE aggregate_type = 'Issue' AND aggregate_id = $1 ORDER BY sequence")
        .bind(id).fetch_all(p).await.unwrap())
}

/// Runs both projections (read model and ledger) until they have every event stored so far.
async fn project_everything(app: &TestApp) {
    settle(&app.state.runner, app.db()).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        app.state.ledger.catch_up().await.expect("ledger");
        let checkpoint = app.state.ledger.checkpoint().await.unwrap();
        let (lag, _) = santisuk_store::events::lag_after(app.db(), checkpoint).await.unwrap();
        if lag == 0 {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the ledger did not settle");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Every aggregate Santisuk wrote (issues through their whole life, areas, forums, categories, users) loads
/// through the stock repository to the same state and version as through Santisuk's, and the stock
/// repository reads the very same serialized events.
async fn stock_repositories_read_every_aggregate_santisuk_wrote(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    let forum = app
        .post("/api/forums", &app.staff, json!({"area_id": area, "held_on": "2026-11-20", "participants": 12}))
        .await;
    assert_eq!(forum.status, StatusCode::CREATED, "{:?}", forum.body);
    let closed = app.raise(&area, "LIV", "ถนนชำรุด").await;
    for (verb, body) in [
        ("assign", json!({"assignee": "อบต.ตะลุโบะ"})),
        ("address", json!({"action": "ซ่อมแล้ว"})),
        ("close", json!({"outcome": "resolved"})),
        ("reopen", json!({"reason": "ชำรุดอีก"})),
    ] {
        let r = app.post(&format!("/api/issues/{closed}/{verb}"), &app.staff, body).await;
        assert_eq!(r.status, StatusCode::OK, "{verb}: {:?}", r.body);
    }
    app.raise(&area, "DRG", "ยาเสพติด").await;

    let stock = Stock::of(&app);
    let aggregates: Vec<(String, String)> = on_db!(app.db(), p => sqlx::query_as(
        "SELECT DISTINCT aggregate_type, aggregate_id FROM events ORDER BY aggregate_type, aggregate_id")
        .fetch_all(p).await.unwrap());
    let mut seen = HashMap::<String, usize>::new();
    for (kind, id) in &aggregates {
        match kind.as_str() {
            "Issue" => same_through_both::<Issue>(&app, &stock, id).await,
            "Area" => same_through_both::<Area>(&app, &stock, id).await,
            "Forum" => same_through_both::<Forum>(&app, &stock, id).await,
            "Category" => same_through_both::<Category>(&app, &stock, id).await,
            "User" => same_through_both::<User>(&app, &stock, id).await,
            other => panic!("an aggregate type this test does not know: {other}"),
        }
        *seen.entry(kind.clone()).or_default() += 1;
    }
    for kind in ["Issue", "Area", "Forum", "Category", "User"] {
        assert!(seen.get(kind).copied().unwrap_or(0) > 0, "no {kind} was compared: {seen:?}");
    }
    let (state, version) = stock.load::<Issue>(&closed).await;
    assert_eq!((state["status"].as_str(), version), (Some("assigned"), 5), "{state}");
}

/// Events a stock cqrs-es application appends are Santisuk's like any other: projected into the issue
/// list, shown by the API with their actor, chained in the ledger, counted in the statistics; and a
/// Santisuk command on an issue the stock writer moved on judges the stored history, not a stale copy.
async fn events_appended_by_stock_repositories_are_projected_chained_and_counted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    let ours = app.raise(&area, "LIV", "น้ำท่วม").await;
    let stats_before = app.get("/api/stats/resolution?by=area", &app.staff).await;
    assert_eq!(stats_before.body["totals"]["raised"], 1, "{:?}", stats_before.body);

    let stock = Stock::of(&app);
    let theirs = uuid::Uuid::new_v4().to_string();
    stock.execute(&theirs, raise("ไฟฟ้าดับ"), "stock-app").await.expect("a stock raise");
    stock.execute(&theirs, assign("กฟภ. ปัตตานี"), "stock-app").await.expect("a stock assign");
    stock.execute(&ours, assign("อบต. บานา"), "stock-app").await.expect("a stock assign on Santisuk's issue");
    project_everything(&app).await;

    let view = app.get(&format!("/api/issues/{theirs}"), &app.staff).await;
    assert_eq!(view.status, StatusCode::OK, "{:?}", view.body);
    assert_eq!(
        (view.body["status"].as_str(), view.body["version"].as_i64()),
        (Some("assigned"), Some(2)),
        "{:?}",
        view.body
    );
    let history = app.get(&format!("/api/issues/{theirs}/history"), &app.auditor).await;
    assert_eq!(history.status, StatusCode::OK, "{:?}", history.body);
    let events = history.body["items"].as_array().expect("history items");
    assert_eq!(events.len(), 2, "{:?}", history.body);
    assert!(history.body.to_string().contains("stock-app"), "the actor is shown: {:?}", history.body);
    let mine = app.get(&format!("/api/issues/{ours}"), &app.staff).await;
    assert_eq!(
        (mine.body["status"].as_str(), mine.body["version"].as_i64()),
        (Some("assigned"), Some(2)),
        "{:?}",
        mine.body
    );

    // The statistics cache learnt of the change from the runner, not from a Santisuk command.
    let stats = app.get("/api/stats/resolution?by=area", &app.staff).await;
    assert_eq!(stats.body["totals"]["raised"], 2, "{:?}", stats.body);

    let verified = app.get("/api/audit/verify", &app.auditor).await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
    assert_eq!(verified.body["ok"], true, "{:?}", verified.body);
    assert_eq!(verified.body["checked"].as_i64(), Some(app.event_count().await), "{:?}", verified.body);

    // Santisuk had `ours` at version 1 in its write cache; the stock writer took it to 2. The next command
    // judges the stored history and lands at 3.
    let r = app.post(&format!("/api/issues/{ours}/address"), &app.staff, json!({"action": "ประสานแล้ว"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["version"], 3, "{:?}", r.body);
    assert_eq!(sequences(&app, &ours).await, vec![1, 2, 3]);
}

/// Santisuk (through the API, at an expected version) and a stock repository append the next event of
/// the same issue at the same moment, many times over: each round has exactly one winner, the loser gets
/// a conflict (409 `stale_version` or cqrs-es' `AggregateConflict`), and the stored sequence never has a
/// hole or a double; the issue list follows the winner.
async fn a_race_between_santisuk_and_a_stock_writer_has_one_winner_and_no_gap(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PTN-01").await;
    let id = app.raise(&area, "LIV", "แย่งกันเขียน").await;
    let stock = Stock::of(&app);
    let (mut ours_won, mut theirs_won) = (0, 0);
    for version in 1..=20_i64 {
        let event = IssueEvent::IssueAssigned {
            assignee: Assignee::parse(&format!("stock-{version}")).unwrap(),
            due_on: None,
            note: None,
            at: Utc::now(),
            agency: None,
            rule: None,
        };
        let stored = SerializedEvent::new(
            id.clone(),
            usize::try_from(version + 1).unwrap(),
            "Issue".to_owned(),
            "IssueAssigned".to_owned(),
            "1.0".to_owned(),
            serde_json::to_value(&event).unwrap(),
            json!({"actor": "stock-app"}),
        );
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let (app2, b2, stock2) = (app.clone(), barrier.clone(), stock.clone());
        let (path, expected) = (format!("/api/issues/{id}/assign"), version.to_string());
        let santisuk = tokio::spawn(async move {
            b2.wait().await;
            app2.post_with(
                &path,
                &app2.staff,
                json!({"assignee": format!("santisuk-{version}")}),
                &[("if-match", &expected)],
            )
            .await
        });
        let theirs = tokio::spawn(async move {
            barrier.wait().await;
            stock2.persist::<Issue>(&[stored]).await
        });
        let (santisuk, theirs) = (santisuk.await.unwrap(), theirs.await.unwrap());
        match (santisuk.status, &theirs) {
            (StatusCode::OK, Err(cqrs_es::persist::PersistenceError::OptimisticLockError)) => ours_won += 1,
            (StatusCode::CONFLICT, Ok(())) => {
                assert_eq!(santisuk.code(), "stale_version", "{:?}", santisuk.body);
                theirs_won += 1;
            }
            other => panic!("round {version}: not one winner and one conflict: {other:?} {:?}", santisuk.body),
        }
    }
    let stored = sequences(&app, &id).await;
    assert_eq!(stored, (1..=21).collect::<Vec<_>>(), "one event per round, no hole, no double");
    project_everything(&app).await;
    let row = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(row.body["version"], 21, "{:?}", row.body);
    let last = stock.load::<Issue>(&id).await.0;
    assert_eq!(row.body["assignee"], last["assignee"], "the list shows the last winner");
    // Both writers won at least once over twenty rounds would be nice but is not a rule; the totals add up.
    assert_eq!(ours_won + theirs_won, 20);
}

/// A cqrs-es application runs its `CqrsFramework` on Santisuk's own repository: its commands are judged by
/// the aggregate, stored with positions, projected, and a second command that loses a race is a conflict.
async fn a_cqrs_framework_runs_on_santisuks_repository(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.area("PTN-01").await;
    let store = PersistedEventStore::<_, Issue>::new_event_store(EventRepository::new(app.db().clone()));
    let cqrs = CqrsFramework::new(store, vec![], ());
    let id = uuid::Uuid::new_v4().to_string();
    let metadata = HashMap::from([("actor".to_owned(), "framework".to_owned())]);
    cqrs.execute_with_metadata(&id, raise("ผ่านเฟรมเวิร์ก"), metadata.clone()).await.expect("raise");
    cqrs.execute_with_metadata(&id, assign("อำเภอ"), metadata.clone()).await.expect("assign");
    // The aggregate's own rules still decide: raising it again is refused and writes nothing.
    let before = app.event_count().await;
    let again = cqrs.execute_with_metadata(&id, raise("ซ้ำ"), metadata).await;
    assert!(matches!(again, Err(AggregateError::UserError(_))), "{again:?}");
    assert_eq!(app.event_count().await, before);

    project_everything(&app).await;
    let view = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(
        (view.body["status"].as_str(), view.body["version"].as_i64()),
        (Some("assigned"), Some(2)),
        "{:?}",
        view.body
    );
    let positions: Vec<Option<i64>> = on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT position FROM events WHERE aggregate_id = $1 ORDER BY sequence").bind(&id).fetch_all(p).await.unwrap());
    assert!(positions.iter().all(Option::is_some) && positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert_eq!(Stock::of(&app).load::<Issue>(&id).await, ours::<Issue>(&app, &id).await);

    // Two frameworks commit the same next sequence: the repository turns the loser into a conflict.
    let repo = EventRepository::new(app.db().clone());
    let next = |who: &str| {
        let event = IssueEvent::IssueAddressed { action: Text::parse(who).unwrap(), note: None, at: Utc::now() };
        SerializedEvent::new(
            id.clone(),
            3,
            "Issue".to_owned(),
            "IssueAddressed".to_owned(),
            "1.0".to_owned(),
            serde_json::to_value(&event).unwrap(),
            json!({"actor": who}),
        )
    };
    repo.persist::<Issue>(&[next("first")], None).await.expect("the first append");
    let second = repo.persist::<Issue>(&[next("second")], None).await;
    assert!(matches!(second, Err(cqrs_es::persist::PersistenceError::OptimisticLockError)), "{second:?}");
    assert_eq!(sequences(&app, &id).await, vec![1, 2, 3]);

    // Replays (cqrs-es' `QueryReplay`) stream the same events as the stock repository reads.
    let mut streamed = Vec::new();
    let mut stream = repo.stream_events::<Issue>(&id).await.expect("a stream");
    while let Some(event) = stream.next::<Issue>(&[]).await {
        let e = event.expect("a streamed event");
        streamed.push((e.sequence, serde_json::to_value(&e.payload).unwrap(), e.metadata));
    }
    let read: Vec<_> = Stock::of(&app)
        .events::<Issue>(&id)
        .await
        .into_iter()
        .map(|e| (e.sequence, e.payload, serde_json::from_value(e.metadata).unwrap()))
        .collect();
    assert_eq!(streamed, read);
    let mut all = 0;
    let mut stream = repo.stream_all_events::<Issue>().await.expect("a stream");
    while let Some(event) = stream.next::<Issue>(&[]).await {
        event.expect("a streamed event");
        all += 1;
    }
    let issue_events: i64 = on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE aggregate_type = 'Issue'").fetch_one(p).await.unwrap());
    assert_eq!(all, issue_events);
}

both_backends!(
    stock_repositories_read_every_aggregate_santisuk_wrote,
    events_appended_by_stock_repositories_are_projected_chained_and_counted,
    a_race_between_santisuk_and_a_stock_writer_has_one_winner_and_no_gap,
    a_cqrs_framework_runs_on_santisuks_repository,
);
