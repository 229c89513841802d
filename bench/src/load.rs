//! Data for the benchmarks: the raw baseline table (the events row shape without Santisuk around it) and
//! bulk loading of valid issue events straight into the events table by SQL.
//!
//! The bulk events follow `domain/src/issue/event.rs` field for field, and every issue's sequence of events
//! is one the `Issue` aggregate accepts, so the projection, the history endpoint and new commands all
//! take them as if they had come through HTTP. Areas and categories come from the real commands
//! (`Server::start` registers the areas; start-up seeds the categories).

use std::path::Path;

use santisuk_store::{Db, Pool};
use sqlx::{PgPool, SqlitePool};

use crate::server::AREAS;

/// An events-like row: what every Santisuk command ultimately writes, and what the baselines write alone.
pub fn sample_payload(n: u64) -> String {
    serde_json::json!({"IssueRaised": {
        "area_id": "BENCH-3", "category": "INF", "title": format!("ถนนเข้าหมู่บ้านชำรุด {n}"),
        "description": "หลุมลึกหน้ามัสยิด รถจักรยานยนต์ล้มบ่อย", "forum_id": null, "raised_by": "ผู้ใหญ่บ้าน",
        "at": "2026-11-20T03:00:00Z"}})
    .to_string()
}

/// Metadata of the same shape as a command's (actor, actor id, role, request id).
pub fn sample_metadata() -> String {
    serde_json::json!({"actor": "bench-staff", "actor_id": uuid::Uuid::new_v4().to_string(),
        "actor_role": "staff", "request_id": uuid::Uuid::new_v4().to_string()})
    .to_string()
}

/// A pool for the raw baselines, set up as the product sets up its own.
#[derive(Debug, Clone)]
pub enum Raw {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

const PG_RAW_TABLE: &str = "\
CREATE TABLE IF NOT EXISTS bench_raw_events (
  aggregate_type text NOT NULL, aggregate_id text NOT NULL, sequence bigint NOT NULL,
  event_type text NOT NULL, event_version text NOT NULL, payload jsonb NOT NULL, metadata jsonb NOT NULL,
  position bigint GENERATED ALWAYS AS IDENTITY, tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (aggregate_type, aggregate_id, sequence));
CREATE UNIQUE INDEX IF NOT EXISTS bench_raw_position ON bench_raw_events (position);
CREATE INDEX IF NOT EXISTS bench_raw_tx_position ON bench_raw_events (tx, position);";

const SQLITE_RAW_TABLE: &str = "\
CREATE TABLE IF NOT EXISTS bench_raw_events (
  aggregate_type TEXT NOT NULL, aggregate_id TEXT NOT NULL, sequence INTEGER NOT NULL,
  event_type TEXT NOT NULL, event_version TEXT NOT NULL, payload TEXT NOT NULL, metadata TEXT NOT NULL,
  recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (aggregate_type, aggregate_id, sequence));";

const RAW_INSERT: &str = "INSERT INTO bench_raw_events \
    (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
    VALUES ('Issue', $1, 1, 'IssueRaised', '1.0', $2, $3)";

const PG_RAW_INSERT: &str = "INSERT INTO bench_raw_events \
    (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
    VALUES ('Issue', $1, 1, 'IssueRaised', '1.0', $2::jsonb, $3::jsonb)";

impl Raw {
    /// PostgreSQL: a pool opened by the product's own `Db::open_postgres`, with the binary's 16
    /// connections, so the baseline and Santisuk talk to the database the same way.
    pub async fn postgres(url: &str) -> anyhow::Result<Raw> {
        let Pool::Postgres(pool) = Db::open_postgres(url, 16).await?.pool().clone() else {
            unreachable!("a PostgreSQL pool")
        };
        sqlx::raw_sql(PG_RAW_TABLE).execute(&pool).await?;
        Ok(Raw::Postgres(pool))
    }

    /// SQLite: its own file, opened by the product's own `Db::open_sqlite_file` (WAL, synchronous=FULL,
    /// busy_timeout 10 s, 8 connections), so the baseline runs in exactly Santisuk's modes.
    pub async fn sqlite(file: &Path) -> anyhow::Result<Raw> {
        let Pool::Sqlite(pool) = Db::open_sqlite_file(file).await?.pool().clone() else {
            unreachable!("a SQLite pool")
        };
        sqlx::raw_sql(SQLITE_RAW_TABLE).execute(&pool).await?;
        Ok(Raw::Sqlite(pool))
    }

    /// One durable single-row INSERT, committed on its own (autocommit).
    pub async fn insert(&self, n: u64) -> anyhow::Result<()> {
        let id = uuid::Uuid::new_v4().to_string();
        let (payload, metadata) = (sample_payload(n), sample_metadata());
        match self {
            Raw::Postgres(p) => {
                sqlx::query(PG_RAW_INSERT).bind(id).bind(payload).bind(metadata).execute(p).await?;
            }
            Raw::Sqlite(p) => {
                sqlx::query(RAW_INSERT).bind(id).bind(payload).bind(metadata).execute(p).await?;
            }
        }
        Ok(())
    }

    pub fn pg(&self) -> Option<&PgPool> {
        match self {
            Raw::Postgres(p) => Some(p),
            Raw::Sqlite(_) => None,
        }
    }
}

/// The 13 seeded category codes, three letters each, picked by `substr` in SQL.
const CATEGORIES: &str = "LIVDRGINFEDUHLTSECJUSLNDRELENVDISGOVOTH";

/// Four events per issue, each issue on one of four paths the `Issue` rules accept:
/// p = 0, 1: raised → assigned → addressed → closed (resolved);
/// p = 2: raised → assigned → re-assigned → addressed;
/// p = 3: raised → assigned → closed (referred) → reopened.
/// Raises are spread over 700 days from 2024-10-01 (two Thai fiscal years, 2568 and 2569); events of 64
/// issues at a time interleave in the log, as they would in real use.
fn pg_issues_sql() -> String {
    format!(
        "WITH g AS (
           SELECT i, k, (i % 4)::int AS p,
             format('%s-0000-4000-8000-%s', lpad(to_hex(i), 8, '0'), lpad(to_hex(i), 12, '0')) AS id,
             timestamptz '2024-10-01 03:00:00+00' + make_interval(days => (i % 700)::int) AS t0
           FROM generate_series($1::bigint, $2::bigint) AS i, generate_series(1, 4) AS k
         ), e AS (
           SELECT i, k, p, id, t0,
             CASE WHEN k = 1 THEN 'IssueRaised' WHEN k = 2 THEN 'IssueAssigned'
                  WHEN k = 3 THEN (CASE p WHEN 2 THEN 'IssueAssigned' WHEN 3 THEN 'IssueClosed' ELSE 'IssueAddressed' END)
                  ELSE (CASE p WHEN 2 THEN 'IssueAddressed' WHEN 3 THEN 'IssueReopened' ELSE 'IssueClosed' END)
             END AS event_type,
             to_char((t0 + make_interval(days => k - 1)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at
           FROM g
         )
         INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata, tx)
         SELECT 'Issue', id, k, event_type, '1.0', jsonb_build_object(event_type, CASE event_type
             WHEN 'IssueRaised' THEN jsonb_build_object('area_id', 'BENCH-' || (i % {AREAS} + 1),
               'category', substr('{CATEGORIES}', (1 + 3 * (i % 13))::int, 3),
               'title', 'ปัญหาจากเวทีรับฟัง ครั้งที่ ' || i,
               'description', CASE WHEN i % 2 = 0 THEN 'รายละเอียดของปัญหาที่ชาวบ้านแจ้งในเวที' END,
               'forum_id', NULL, 'raised_by', 'ผู้ใหญ่บ้าน', 'at', at)
             WHEN 'IssueAssigned' THEN jsonb_build_object(
               'assignee', CASE WHEN k = 2 THEN 'อบต.สะบารัง' ELSE 'อบต.ตะลุโบะ' END,
               'due_on', to_char((t0 + make_interval(days => 30 * k)) AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
               'note', NULL, 'at', at)
             WHEN 'IssueAddressed' THEN jsonb_build_object('action', 'ซ่อมผิวถนนช่วงที่ชำรุด 300 เมตร', 'note', NULL, 'at', at)
             WHEN 'IssueClosed' THEN jsonb_build_object(
               'outcome', CASE WHEN p = 3 THEN 'referred' ELSE 'resolved' END, 'note', NULL, 'at', at)
             ELSE jsonb_build_object('reason', 'ปัญหากลับมาอีก', 'at', at) END),
           $3::jsonb, $4::text::xid8
         FROM e ORDER BY i / 64, k, i"
    )
}

/// The same events for SQLite (recursive CTE for the numbers, `printf` for the ids).
fn sqlite_issues_sql() -> String {
    format!(
        "WITH RECURSIVE n(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM n WHERE i < $2),
         s(k) AS (VALUES (1), (2), (3), (4)),
         g AS (SELECT i, k, i % 4 AS p, printf('%08x-0000-4000-8000-%012x', i, i) AS id, i % 700 AS d FROM n, s),
         e AS (
           SELECT i, k, p, id, d,
             CASE WHEN k = 1 THEN 'IssueRaised' WHEN k = 2 THEN 'IssueAssigned'
                  WHEN k = 3 THEN (CASE p WHEN 2 THEN 'IssueAssigned' WHEN 3 THEN 'IssueClosed' ELSE 'IssueAddressed' END)
                  ELSE (CASE p WHEN 2 THEN 'IssueAddressed' WHEN 3 THEN 'IssueReopened' ELSE 'IssueClosed' END)
             END AS event_type,
             strftime('%Y-%m-%dT%H:%M:%SZ', '2024-10-01 03:00:00', '+' || (d + k - 1) || ' days') AS at
           FROM g
         )
         INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         SELECT 'Issue', id, k, event_type, '1.0', json_object(event_type, json(CASE event_type
             WHEN 'IssueRaised' THEN json_object('area_id', 'BENCH-' || (i % {AREAS} + 1),
               'category', substr('{CATEGORIES}', 1 + 3 * (i % 13), 3),
               'title', 'ปัญหาจากเวทีรับฟัง ครั้งที่ ' || i,
               'description', CASE WHEN i % 2 = 0 THEN 'รายละเอียดของปัญหาที่ชาวบ้านแจ้งในเวที' END,
               'forum_id', NULL, 'raised_by', 'ผู้ใหญ่บ้าน', 'at', at)
             WHEN 'IssueAssigned' THEN json_object(
               'assignee', CASE WHEN k = 2 THEN 'อบต.สะบารัง' ELSE 'อบต.ตะลุโบะ' END,
               'due_on', date('2024-10-01', '+' || (d + 30 * k) || ' days'), 'note', NULL, 'at', at)
             WHEN 'IssueAddressed' THEN json_object('action', 'ซ่อมผิวถนนช่วงที่ชำรุด 300 เมตร', 'note', NULL, 'at', at)
             WHEN 'IssueClosed' THEN json_object(
               'outcome', CASE WHEN p = 3 THEN 'referred' ELSE 'resolved' END, 'note', NULL, 'at', at)
             ELSE json_object('reason', 'ปัญหากลับมาอีก', 'at', at) END)),
           $3
         FROM e ORDER BY i / 64, k, i"
    )
}

fn loader_metadata() -> String {
    serde_json::json!({"actor": "bench-loader", "actor_id": "00000000-0000-4000-8000-000000000000",
        "actor_role": "admin", "request_id": "bench-load"})
    .to_string()
}

/// Appends `issues` issues (4 events each) in chunks of 25,000 issues, each chunk one statement in one
/// transaction: memory stays bounded (the database sorts one chunk) whatever the size, 10M events included.
/// On PostgreSQL the chunk's `tx` is computed once by the column's own default function (`santisuk_tx()`,
/// which gives every row of a transaction the same value) and written with the rows, instead of being
/// evaluated per row (two index lookups each): the same values, ~1.5 times as fast (800,000 events each
/// way, interleaved chunks, on a busy 2-core machine: 21.7 s against 33.7 s).
pub async fn load_issues(raw: &Raw, issues: u64, mut progress: impl FnMut(u64)) -> anyhow::Result<()> {
    const CHUNK: u64 = 25_000;
    let meta = loader_metadata();
    let (pg_sql, sqlite_sql) = (pg_issues_sql(), sqlite_issues_sql());
    let mut from = 1;
    while from <= issues {
        let to = (from + CHUNK - 1).min(issues);
        match raw {
            Raw::Postgres(p) => {
                let mut tx = p.begin().await?;
                let xid: String = sqlx::query_scalar("SELECT santisuk_tx()::text").fetch_one(&mut *tx).await?;
                sqlx::query(&pg_sql).bind(from as i64).bind(to as i64).bind(&meta).bind(xid).execute(&mut *tx).await?;
                tx.commit().await?;
            }
            Raw::Sqlite(p) => {
                sqlx::query(&sqlite_sql).bind(from as i64).bind(to as i64).bind(&meta).execute(p).await?;
            }
        }
        progress(to);
        from = to + 1;
    }
    match raw {
        Raw::Postgres(p) => sqlx::query("ANALYZE").execute(p).await.map(|_| ())?,
        Raw::Sqlite(p) => sqlx::query("ANALYZE").execute(p).await.map(|_| ())?,
    }
    Ok(())
}

/// The id of the issue with a long history (P8); the bulk ids never have this shape.
pub const LONG_ISSUE: &str = "b0000000-0000-4000-8000-00000000100a";

/// The ids of the issues with long histories of P10 (`heavy_issue(0)`, `heavy_issue(1)`, …); like
/// [`LONG_ISSUE`], never the shape of a bulk id (whose two hex parts are the same number).
pub fn heavy_issue(n: usize) -> String {
    format!("c{n:07x}-0000-4000-8000-0000000c{n:04x}")
}

/// One issue with `events` events: raised, then re-assigned `events - 1` times (PostgreSQL).
pub async fn load_long_issue(raw: &Raw, events: i64) -> anyhow::Result<()> {
    load_long_issues(raw, &[LONG_ISSUE.to_owned()], events).await
}

/// Issues with `events` events each, one statement (one transaction) per issue: raised, then re-assigned
/// `events - 1` times, so each is assigned at the end (PostgreSQL).
pub async fn load_long_issues(raw: &Raw, ids: &[String], events: i64) -> anyhow::Result<()> {
    let pool = raw.pg().ok_or_else(|| anyhow::anyhow!("long issues are loaded on PostgreSQL only"))?;
    for id in ids {
        sqlx::query(
            "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
             SELECT 'Issue', $1, k, CASE WHEN k = 1 THEN 'IssueRaised' ELSE 'IssueAssigned' END, '1.0',
               CASE WHEN k = 1 THEN jsonb_build_object('IssueRaised', jsonb_build_object('area_id', 'BENCH-1',
                   'category', 'INF', 'title', 'ปัญหาที่มีประวัติยาว', 'description', NULL, 'forum_id', NULL,
                   'raised_by', NULL, 'at', '2025-01-01T03:00:00Z'))
               ELSE jsonb_build_object('IssueAssigned', jsonb_build_object('assignee', 'หน่วยงานที่ ' || k,
                   'due_on', '2027-12-31', 'note', NULL, 'at', '2025-01-02T03:00:00Z')) END,
               $2::jsonb
             FROM generate_series(1, $3::bigint) AS k ORDER BY k",
        )
        .bind(id)
        .bind(loader_metadata())
        .bind(events)
        .execute(pool)
        .await?;
    }
    Ok(())
}
