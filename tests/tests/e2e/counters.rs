//! The statistics counters (issue #19) against the log, on both backends. Generated histories of raises
//! (some in earlier months and fiscal years), assignments with due dates before and after today, actions,
//! closes with every outcome, reopens, late entries, duplicate marks, corrections of the category,
//! restrictions and erasures are played through the API. Then, for every grouping and for windows of whole
//! months, fiscal years and odd days, and for a reader with hidden cases: the statistics from the counters
//! equal the same statistics counted from the issue rows, and the statistics as of now (the fold of the
//! log); every counter cell equals the issue rows it counts and none is below zero; and all of this holds
//! again after the changes are folded into the cells and after a rebuild of the read model. The problems
//! closed in a window (the dashboard's closures) are checked the same way, cells by close month against rows
//! by close time.

use axum::http::StatusCode;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use santisuk_projections::read_model::{ReadModel, Restriction};
use santisuk_projections::runner::Runner;
use santisuk_projections::stats::{self, GroupBy, StatsQuery, Suppression};
use santisuk_tests::{Backend, TestApp, both_backends, quiet_instant};
use serde_json::json;

both_backends!(counters_equal_the_rows_and_the_fold_of_the_log_after_random_histories);

const CATEGORIES: [&str; 3] = ["LIV", "INF", "JUS"];
const OUTCOMES: [&str; 4] = ["resolved", "referred", "unresolved", "withdrawn"];

/// One generated step; issue numbers pick among the problems raised so far. `back` is how many days before
/// now the field time of a late entry lies (refused when before the raise, and then skipped).
#[derive(Debug, Clone)]
enum Op {
    Raise { area: usize, category: usize, days_ago: i64 },
    Assign { issue: usize, due_in: Option<i64>, back: Option<i64> },
    Address { issue: usize, back: Option<i64> },
    Close { issue: usize, outcome: usize, back: Option<i64> },
    Reopen { issue: usize },
    Duplicate { issue: usize, of: usize },
    Correct { issue: usize, category: usize },
    Restrict { issue: usize, on: bool },
    Erase { issue: usize },
}

fn back() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![2 => Just(None), 1 => (0..90_i64).prop_map(Some)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..3_usize, 0..3_usize, prop_oneof![Just(0_i64), 0..500_i64])
            .prop_map(|(area, category, days_ago)| Op::Raise { area, category, days_ago }),
        4 => (any::<usize>(), proptest::option::of(0..45_i64), back())
            .prop_map(|(issue, due_in, back)| Op::Assign { issue, due_in, back }),
        2 => (any::<usize>(), back()).prop_map(|(issue, back)| Op::Address { issue, back }),
        3 => (any::<usize>(), 0..4_usize, back()).prop_map(|(issue, outcome, back)| Op::Close { issue, outcome, back }),
        2 => any::<usize>().prop_map(|issue| Op::Reopen { issue }),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(issue, of)| Op::Duplicate { issue, of }),
        1 => (any::<usize>(), 0..3_usize).prop_map(|(issue, category)| Op::Correct { issue, category }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(issue, on)| Op::Restrict { issue, on }),
        1 => any::<usize>().prop_map(|issue| Op::Erase { issue }),
    ]
}

async fn play(app: &TestApp, areas: &[String], ids: &mut Vec<String>, op: &Op) {
    let now = Utc::now();
    // No `at` is now (the server's clock); a late entry lies whole days and some minutes back.
    let at = |back: &Option<i64>| back.map(|d| (now - Duration::days(d) - Duration::minutes(7)).to_rfc3339());
    let pick = |n: &usize| (!ids.is_empty()).then(|| ids[n % ids.len()].clone());
    let (path, body) = match op {
        Op::Raise { area, category, days_ago } => {
            let at = (now - Duration::days(*days_ago) - Duration::hours(3)).to_rfc3339();
            let body = json!({"area_id": areas[*area], "category": CATEGORIES[*category], "title": "ปัญหาที่สร้างขึ้น",
                "description": "รายละเอียดของผู้แจ้ง", "at": at});
            let r = app.post("/api/issues", &app.staff, body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
            ids.push(r.body["id"].as_str().expect("an id").to_owned());
            return;
        }
        Op::Assign { issue, due_in, back } => {
            let Some(id) = pick(issue) else { return };
            // Due some days after the day of the assignment (the rules refuse an earlier one): with late
            // entries, due dates fall in earlier months, this month and later ones.
            let day = now - Duration::days(back.unwrap_or(0));
            let due = due_in.map(|d| (day + Duration::days(d)).date_naive().to_string());
            (format!("/api/issues/{id}/assign"), json!({"assignee": "อบต.", "due_on": due, "at": at(back)}))
        }
        Op::Address { issue, back } => {
            let Some(id) = pick(issue) else { return };
            (format!("/api/issues/{id}/address"), json!({"action": "ซ่อมแล้ว", "at": at(back)}))
        }
        Op::Close { issue, outcome, back } => {
            let Some(id) = pick(issue) else { return };
            (format!("/api/issues/{id}/close"), json!({"outcome": OUTCOMES[*outcome], "at": at(back)}))
        }
        Op::Reopen { issue } => {
            let Some(id) = pick(issue) else { return };
            (format!("/api/issues/{id}/reopen"), json!({"reason": "ยังไม่จบ"}))
        }
        Op::Duplicate { issue, of } => {
            let (Some(id), Some(of)) = (pick(issue), pick(of)) else { return };
            (format!("/api/issues/{id}/duplicate"), json!({"of": of, "note": "เรื่องเดียวกัน"}))
        }
        Op::Correct { issue, category } => {
            let Some(id) = pick(issue) else { return };
            (format!("/api/issues/{id}/correct"), json!({"category": CATEGORIES[*category], "reason": "ผิดหมวด"}))
        }
        Op::Restrict { issue, on } => {
            let Some(id) = pick(issue) else { return };
            (format!("/api/issues/{id}/restrict"), json!({"restricted": on, "reason": "คุ้มครองผู้แจ้ง"}))
        }
        Op::Erase { issue } => {
            let Some(id) = pick(issue) else { return };
            ("/api/privacy/erase".to_owned(), json!({"subject": id, "legal_basis": "PDPA s.33"}))
        }
    };
    let token = if path.starts_with("/api/privacy") { &app.admin } else { &app.staff };
    let r = app.post(&path, token, body).await;
    // The rules refuse steps they do not allow (closing a raised problem as resolved, an `at` before the
    // raise, a duplicate of itself, …): those write nothing and are skipped.
    assert!(r.status.is_success() || r.status.is_client_error(), "{path}: {} {:?}", r.status, r.body);
}

/// The queries compared: every grouping, whole months, fiscal years, odd days, and a reader with hidden cases.
fn queries(today: NaiveDate) -> Vec<StatsQuery> {
    let base = StatsQuery {
        by: vec![GroupBy::Area],
        from: None,
        to: None,
        fiscal_year: None,
        today,
        areas: None,
        suppress: None,
    };
    let month_start = |d: NaiveDate| d.with_day(1).expect("a first day");
    let three_months_ago = month_start(today - Duration::days(80));
    let end_of_last_month = month_start(today).pred_opt().expect("a day");
    let fy = if today.month() >= 10 { today.year() + 544 } else { today.year() + 543 };
    let hidden = Suppression {
        restriction: Restriction {
            categories: vec!["LIV".into()],
            user_id: "nobody".into(),
            own_obstacles_only: false,
        },
        threshold: 2,
    };
    let mut out = Vec::new();
    for g in GroupBy::ALL {
        out.push(StatsQuery { by: vec![g], ..base.clone() });
    }
    out.push(StatsQuery { by: vec![GroupBy::Area, GroupBy::Category], ..base.clone() });
    out.push(StatsQuery { by: vec![], ..base.clone() });
    out.push(StatsQuery { by: vec![GroupBy::Category], fiscal_year: Some(fy), ..base.clone() });
    out.push(StatsQuery { by: vec![GroupBy::Month], fiscal_year: Some(fy - 1), ..base.clone() });
    out.push(StatsQuery {
        by: vec![GroupBy::Area, GroupBy::Category],
        from: Some(three_months_ago),
        to: Some(end_of_last_month),
        ..base.clone()
    });
    out.push(StatsQuery { from: Some(three_months_ago), ..base.clone() });
    // The dashboard's default, twelve whole months up to today, only when `today` is today (the counters
    // rely on no raise lying after it).
    if today == santisuk_domain::time::bangkok_date(Utc::now()) {
        let from = Some(month_start(today - Duration::days(335)));
        out.push(StatsQuery { by: vec![GroupBy::Category], from, to: Some(today), ..base.clone() });
    }
    out.push(StatsQuery {
        from: Some(today - Duration::days(40)),
        to: Some(today - Duration::days(3)),
        ..base.clone()
    });
    out.push(StatsQuery { areas: Some(vec![]), ..base.clone() });
    out.push(StatsQuery { by: vec![GroupBy::Month], suppress: Some(hidden.clone()), ..base.clone() });
    out.push(StatsQuery {
        by: vec![GroupBy::Area, GroupBy::Category],
        suppress: Some(Suppression { threshold: 1, ..hidden }),
        ..base.clone()
    });
    out
}

/// Counters against the rows (every query, with today and two other days, so due dates fall before, in and
/// after the month judged), and against the fold of the log as of now through the API.
async fn check(app: &TestApp, when: &str) -> Result<(), TestCaseError> {
    let db = app.db();
    let wrong = stats::counters_disagree(db).await.expect("the counters read");
    prop_assert!(wrong.is_empty(), "{when}: counter cells disagree with the issue rows: {wrong:?}");
    let today = santisuk_domain::time::bangkok_date(Utc::now());
    for day in [today, today + Duration::days(12), today - Duration::days(33)] {
        for q in queries(day) {
            let counted = stats::live(db, &q).await.expect("statistics from the counters");
            let rows = stats::from_rows(db, &q).await.expect("statistics from the rows");
            prop_assert_eq!(&counted, &rows, "{}: {:?}", when, q);
            // The dashboard's three groupings in one pass: each as its own query would answer it.
            let groupings = [q.by.clone(), vec![GroupBy::Category], vec![GroupBy::Month]];
            let together = stats::live_many(db, &q, &groupings).await.expect("statistics in one pass");
            for (by, one_pass) in groupings.iter().zip(&together) {
                let alone = stats::live(db, &StatsQuery { by: by.clone(), ..q.clone() }).await.expect("statistics");
                prop_assert_eq!(one_pass, &alone, "{}: {:?} grouped by {:?} in one pass", when, q, by);
            }
        }
    }
    // The problems closed in a window, from the cells by close month against the rows by close time: this
    // month so far, whole earlier months, the dashboard's twelve months, and odd days (counted from the rows).
    let hidden = Suppression {
        restriction: Restriction {
            categories: vec!["INF".into()],
            user_id: "nobody".into(),
            own_obstacles_only: false,
        },
        threshold: 2,
    };
    let first = |d: NaiveDate| d.with_day(1).expect("a first day");
    for (from, to) in [
        (first(today), today),
        (first(today - Duration::days(80)), first(today).pred_opt().expect("a day")),
        (first(today - Duration::days(335)), today),
        (first(today - Duration::days(40)) + Duration::days(3), today),
    ] {
        for suppress in [None, Some(&hidden)] {
            for areas in [None, Some(vec!["CT-1".to_owned(), "CT-3".to_owned()])] {
                let counted =
                    stats::closures_live(db, from, to, today, areas.clone(), suppress).await.expect("closures");
                let rows = stats::closures(db, &stats::closed_in(from, to, areas.clone()), suppress)
                    .await
                    .expect("closures from the rows");
                prop_assert_eq!(&counted, &rows, "{}: closed {}..={} in {:?}, {:?}", when, from, to, areas, suppress);
            }
        }
    }
    let instant = quiet_instant().await;
    for by in ["area,category", "month", "fiscal_year", "agency"] {
        let live = app.get(&format!("/api/stats/resolution?by={by}"), &app.staff).await;
        let as_of = app
            .get(&format!("/api/stats/resolution?by={by}&as_of={}", santisuk_tests::as_of_param(instant)), &app.staff)
            .await;
        prop_assert_eq!(live.status, StatusCode::OK);
        prop_assert_eq!(&live.body, &as_of.body, "{}: by={} live against the fold of the log", when, by);
    }
    Ok(())
}

async fn run_case(backend: Backend, ops: &[Op]) -> Result<(), TestCaseError> {
    let app = TestApp::new(backend).await;
    let areas =
        vec![app.area_in("CT-1", "9401").await, app.area_in("CT-2", "9401").await, app.area_in("CT-3", "9501").await];
    let mut ids = Vec::new();
    for op in ops {
        play(&app, &areas, &mut ids, op).await;
    }
    check(&app, "after the history").await?;
    // The changes folded into the cells (what the runner does every second).
    let mut tx = app.db().begin_write().await.expect("a transaction");
    stats::compact(&mut tx).await.expect("the compaction");
    tx.commit().await.expect("a commit");
    let left: i64 = santisuk_store::on_db!(app.db(), p => sqlx::query_scalar("SELECT COUNT(*) FROM issue_count_changes")
        .fetch_one(p).await.expect("a count"));
    prop_assert_eq!(left, 0, "every change folded");
    check(&app, "after the compaction").await?;
    Runner::new(app.db().clone(), ReadModel::default()).rebuild().await.expect("a rebuild");
    check(&app, "after a rebuild").await?;
    // Counting goes on after a rebuild (its pause ended with it).
    play(&app, &areas, &mut ids, &Op::Raise { area: 0, category: 0, days_ago: 0 }).await;
    check(&app, "after a raise following the rebuild").await
}

async fn counters_equal_the_rows_and_the_fold_of_the_log_after_random_histories(backend: Backend) {
    let cases = match backend {
        Backend::Sqlite => 8,
        Backend::Postgres => 4,
    };
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[19; 32]));
    let handle = tokio::runtime::Handle::current();
    let result = runner.run(&proptest::collection::vec(op(), 8..50), |ops| {
        tokio::task::block_in_place(|| handle.block_on(run_case(backend, &ops)))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
