//! `santisuk-bench`: Santisuk against the physical limit of its storage, side by side, with targets.
//!
//! One command builds its own data (a fresh PostgreSQL database on the local server, or a throwaway
//! cluster when none answers; temporary SQLite files), runs every figure as rounds of baseline, Santisuk,
//! baseline, prints a table and writes `target/bench/report.json`. `--smoke` runs the same code with tiny
//! sizes and does not judge targets. See docs/benchmarks.md for what each figure measures.

mod figures;
mod load;
mod report;
mod server;
mod work;

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use santisuk_projections::ledger::Ledger;
use santisuk_projections::read_model::ReadModel;
use santisuk_projections::runner::Runner;
use santisuk_store::testing::fresh_database;
use santisuk_store::{Db, Pool};
use serde_json::{Value, json};
use sqlx::ConnectOptions;

use crate::load::Raw;
use crate::report::Report;
use crate::server::{OpenDb, Server, server_runtime};

#[derive(Debug, Parser)]
#[command(name = "santisuk-bench", about = "Benchmarks Santisuk against raw database baselines")]
struct Args {
    /// Tiny sizes, seconds in all: checks that every figure runs; reports but judges no target.
    #[arg(long)]
    smoke: bool,
    /// Events bulk-loaded for the rebuild, statistics and memory figures (4 per issue).
    #[arg(long)]
    events: Option<u64>,
    /// Events of the one issue with a long history (P8; default 1000, smoke 200).
    #[arg(long)]
    long_events: Option<i64>,
    /// Events of each of P10's issues (two per client; default 5000, smoke 50).
    #[arg(long)]
    heavy_events: Option<i64>,
    /// Rounds of baseline, Santisuk, baseline per figure.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Seconds each throughput or latency turn runs.
    #[arg(long)]
    secs: Option<f64>,
    /// Concurrent clients of the throughput figures.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Requests per turn of the read figures (P6, P8).
    #[arg(long)]
    requests: Option<usize>,
    /// Run only these figures (comma-separated ids, e.g. `P1,P4`; `P6` is P6a–P6e, `P9` is P9 with P4, P6c,
    /// P6d, P6d-fy and P7 at the bulk size). P1, P2, P5 and P1u always run together.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Where the JSON report goes.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The `santisuk` binary for P7 (default: built beside this one).
    #[arg(long)]
    santisuk_bin: Option<PathBuf>,
}

/// The sizes every figure runs with.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub rounds: usize,
    pub turn: Duration,
    pub clients: usize,
    pub requests: usize,
    pub events: u64,
    pub long_events: i64,
    /// Events of each of P10's issues.
    pub heavy_events: i64,
    /// Events of the small database P9 compares the bulk one with.
    pub small_events: u64,
    pub smoke: bool,
}

/// The figures `--only P9` runs besides P9 itself: the issue's scale figures at the bulk size.
const P9_FIGURES: [&str; 5] = ["P4", "P6c", "P6d", "P6d-fy", "P7"];

/// Above this many bulk events the P9 targets apply to the figures it reuses (rebuild under 3 minutes,
/// statistics right after a change under 50 ms) instead of those at 1M (30 s, 20 ms).
const P9_SCALE: u64 = 2_000_000;

/// Whether `--only` asks for figure `id`: by its id, by a prefix followed by its suffix (`P6` for `P6a` and
/// `P6d-fy`, `P6d` for `P6d-fy`; not `P1` for `P12`), or through P9.
fn selected(only: &[String], id: &str) -> bool {
    only.is_empty()
        || only.iter().any(|o| {
            o == id
                || id
                    .strip_prefix(o.as_str())
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_lowercase() || c == '-'))
                || (o == "P9" && P9_FIGURES.contains(&id))
        })
}

fn log(line: impl std::fmt::Display) {
    eprintln!("[bench] {line}");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("bench").join("report.json")
    });
    let report = run(args).await?;
    report.write(&out)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "\nSantisuk benchmarks ({}), {}", report.mode, report.started_at)?;
    write!(stdout, "{}", report.table())?;
    writeln!(stdout, "report: {}", out.display())?;
    let missed: Vec<&str> = report.figures.iter().filter(|f| f.met == Some(false)).map(|f| f.id.as_str()).collect();
    if report.judged && !missed.is_empty() {
        writeln!(stdout, "targets missed: {}", missed.join(", "))?;
        drop(stdout);
        std::process::exit(1);
    }
    Ok(())
}

async fn run(args: Args) -> anyhow::Result<Report> {
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let sizes = Sizes {
        rounds: args.rounds.max(1),
        turn: Duration::from_secs_f64(args.secs.unwrap_or(if args.smoke { 0.5 } else { 10.0 })),
        clients: args.clients.max(1),
        requests: args.requests.unwrap_or(if args.smoke { 5 } else { 200 }),
        events: args.events.unwrap_or(if args.smoke { 4_000 } else { 1_000_000 }),
        long_events: args.long_events.unwrap_or(if args.smoke { 200 } else { 1000 }).max(2),
        heavy_events: args.heavy_events.unwrap_or(if args.smoke { 50 } else { 5000 }).max(2),
        small_events: if args.smoke { 400 } else { 10_000 },
        smoke: args.smoke,
    };
    let pick = |id: &str| selected(&args.only, id);
    let want = |ids: &[&str]| ids.iter().any(|id| pick(id));
    let mut figures = Vec::new();
    let mut setup = Vec::new();
    let mut settings = json!({});
    let issues = (sizes.events / 4).max(1);

    if want(&["P1", "P2", "P5"]) {
        log("PostgreSQL: commands (P1, P2, P5)");
        let (url, _drop) = fresh_database().await;
        durable(&url).await?;
        let raw = Raw::postgres(&url).await?;
        settings["postgresql"] = pg_settings(&raw).await?;
        let server = Server::start(server_runtime()?, OpenDb::Postgres(url.clone())).await?;
        let p1 = figures::throughput("P1", "PostgreSQL", &server, &raw, &sizes, 0.7).await?;
        let rate = p1.value;
        figures.push(p1);
        figures.extend(figures::single_client(&server, &raw, &sizes).await?);
        let lag_db = Db::open_postgres(&url, 2).await?;
        figures.push(figures::lag(&server, lag_db.clone(), &sizes, rate).await?);
        lag_db.close().await;
        server.stop().await;
        // What sealing personal text costs (issue #15): the same mix against a server without a master key,
        // on a database of its own, beside the same raw inserts.
        let (plain_url, _drop_plain) = fresh_database().await;
        durable(&plain_url).await?;
        let plain = Server::start(server_runtime()?, OpenDb::PostgresUnsealed(plain_url)).await?;
        let mut unsealed =
            figures::throughput("P1u", "PostgreSQL, texts not sealed", &plain, &raw, &sizes, 0.5).await?;
        (unsealed.target, unsealed.met) = ("— (reference for P1)".to_owned(), None);
        figures.push(unsealed);
        plain.stop().await;
        if let Raw::Postgres(p) = raw {
            p.close().await;
        }
    }

    if want(&["P3"]) {
        log("SQLite: commands (P3)");
        let dir = tempfile::tempdir()?;
        let raw = Raw::sqlite(&dir.path().join("raw.db")).await?;
        let server = Server::start(server_runtime()?, OpenDb::Sqlite(dir.path().to_owned())).await?;
        settings["sqlite"] = sqlite_settings(&server).await?;
        figures.push(figures::throughput("P3", "SQLite", &server, &raw, &sizes, 0.95).await?);
        server.stop().await;
    }

    let bulk = ["P4", "P6a", "P6b", "P6c", "P6d", "P6d-fy", "P6e", "P7", "P8a", "P8b", "P9", "P12"];
    if want(&bulk) {
        log(format_args!("PostgreSQL: {} events ({})", sizes.events, bulk.join(", ")));
        let large = sizes.events > P9_SCALE;
        let (url, _drop) = fresh_database().await;
        durable(&url).await?;
        let raw = Raw::postgres(&url).await?;
        if settings.get("postgresql").is_none() {
            settings["postgresql"] = pg_settings(&raw).await?;
        }
        // Migrations, seeded categories, users and areas, through the product itself.
        Server::start(server_runtime()?, OpenDb::Postgres(url.clone())).await?.stop().await;
        let t0 = Instant::now();
        load::load_issues(&raw, issues, |n| {
            if n % 250_000 == 0 || n == issues {
                log(format_args!("loaded {n} of {issues} issues in {:.0} s", t0.elapsed().as_secs_f64()));
            }
        })
        .await?;
        load::load_long_issue(&raw, sizes.long_events).await?;
        setup.push(format!(
            "PostgreSQL: {} events loaded by SQL ({issues} issues × 4 + one issue of {}) in {:.1} s",
            issues * 4 + sizes.long_events as u64,
            sizes.long_events,
            t0.elapsed().as_secs_f64()
        ));
        log(setup.last().expect("just pushed"));
        let db = Db::open_postgres(&url, 16).await?;
        if pick("P4") {
            let limit = if large { 180.0 } else { 30.0 };
            figures.push(figures::rebuild("P4", "PostgreSQL", &db, &raw, &sizes, limit).await?);
        } else {
            let t0 = Instant::now();
            Runner::new(db.clone(), ReadModel::default()).rebuild().await?;
            setup.push(format!("PostgreSQL: read model rebuilt in {:.1} s", t0.elapsed().as_secs_f64()));
        }
        // The ledger (the second projection) must be caught up before a server starts, or its start-up
        // would do it: done once here, and timed, because it is what a first start after an import costs.
        let t0 = Instant::now();
        let n = Runner::new(db.clone(), Ledger).catch_up().await?;
        setup.push(format!("PostgreSQL: ledger caught up over {n} events in {:.1} s", t0.elapsed().as_secs_f64()));
        log(setup.last().expect("just pushed"));
        db.close().await;
        let server = Server::start(server_runtime()?, OpenDb::Postgres(url.clone())).await?;
        figures.extend(figures::reads(&server, &raw, &sizes, sizes.long_events, &pick).await?);
        if want(&["P6d", "P6d-fy"]) {
            let limit = if large { 50.0 } else { 20.0 };
            figures.extend(figures::stats_after_change(&server, &raw, &sizes, limit, &pick).await?);
        }
        if pick("P6e") {
            figures.push(figures::dashboard_after_change(&server, &sizes).await?);
        }
        if pick("P9") {
            // After the reads, which are taken on the loaded data alone.
            let (small_url, _drop_small) = fresh_database().await;
            durable(&small_url).await?;
            Server::start(server_runtime()?, OpenDb::Postgres(small_url.clone())).await?.stop().await;
            let small_raw = Raw::postgres(&small_url).await?;
            load::load_issues(&small_raw, (sizes.small_events / 4).max(1), |_| {}).await?;
            if let Raw::Postgres(p) = small_raw {
                p.close().await;
            }
            let small = Server::start(server_runtime()?, OpenDb::Postgres(small_url.clone())).await?;
            // One round in smoke mode: it only has to run.
            let p9_sizes = Sizes { rounds: if sizes.smoke { 1 } else { sizes.rounds }, ..sizes.clone() };
            figures.push(figures::commands_at_size(&server, &small, &p9_sizes, sizes.small_events).await?);
            small.stop().await;
        }
        let token = server.staff.clone();
        server.stop().await;
        if pick("P7") {
            let binary = server::santisuk_binary(args.santisuk_bin.clone())?;
            figures.push(figures::peak_rss(&binary, &url, &token, &sizes, issues).await?);
        }
        if pick("P12") {
            let binary = server::santisuk_binary(args.santisuk_bin.clone())?;
            figures.push(figures::as_of_export_rss(&binary, &url, &token, &sizes).await?);
        }
        if let Raw::Postgres(p) = raw {
            p.close().await;
        }
    }

    if pick("P10") {
        log(format_args!("PostgreSQL: issues of {} events (P10)", sizes.heavy_events));
        let (url, _drop) = fresh_database().await;
        durable(&url).await?;
        let raw = Raw::postgres(&url).await?;
        let server = Server::start(server_runtime()?, OpenDb::Postgres(url.clone())).await?;
        let token = server.staff.clone();
        server.stop().await;
        let ids: Vec<String> = (0..2 * sizes.clients).map(load::heavy_issue).collect();
        let t0 = Instant::now();
        load::load_long_issues(&raw, &ids, sizes.heavy_events).await?;
        // Projected before the server starts, as after an import: the figure is about commands.
        let db = Db::open_postgres(&url, 16).await?;
        Runner::new(db.clone(), ReadModel::default()).catch_up().await?;
        Runner::new(db.clone(), Ledger).catch_up().await?;
        db.close().await;
        setup.push(format!(
            "PostgreSQL: {} issues of {} events loaded by SQL and projected in {:.1} s (P10)",
            ids.len(),
            sizes.heavy_events,
            t0.elapsed().as_secs_f64()
        ));
        log(setup.last().expect("just pushed"));
        let binary = server::santisuk_binary(args.santisuk_bin.clone())?;
        figures.push(figures::heavy_issues(&binary, &url, &token, &raw, &ids, &sizes).await?);
        if let Raw::Postgres(p) = raw {
            p.close().await;
        }
    }

    if pick("P11") {
        let count = 3;
        log(format_args!("PostgreSQL: {count} instances of santisuk serve on one database (P11)"));
        let (url, _drop) = fresh_database().await;
        durable(&url).await?;
        let server = Server::start(server_runtime()?, OpenDb::Postgres(url.clone())).await?;
        let token = server.staff.clone();
        server.stop().await;
        let binary = server::santisuk_binary(args.santisuk_bin.clone())?;
        let db = Db::open_postgres(&url, 4).await?;
        // Small in smoke mode: one round is enough to run the check.
        let sizes = Sizes { rounds: if sizes.smoke { 1 } else { sizes.rounds }, ..sizes.clone() };
        figures.push(figures::instances(&binary, &url, &token, &db, &sizes, count).await?);
        db.close().await;
    }

    if want(&["P4s"]) {
        log(format_args!("SQLite: {} events (P4s)", sizes.events));
        let dir = tempfile::tempdir()?;
        Server::start(server_runtime()?, OpenDb::Sqlite(dir.path().to_owned())).await?.stop().await;
        // The product's own file, opened with the product's settings, for loading and for the scan.
        let raw = Raw::sqlite(&dir.path().join("santisuk.db")).await?;
        let t0 = Instant::now();
        load::load_issues(&raw, issues, |n| log(format_args!("loaded {n} of {issues} issues"))).await?;
        setup.push(format!("SQLite: {} events loaded by SQL in {:.1} s", issues * 4, t0.elapsed().as_secs_f64()));
        let db = Db::open_sqlite(dir.path()).await?;
        figures.push(figures::rebuild("P4s", "SQLite", &db, &raw, &sizes, 30.0).await?);
        db.close().await;
    }

    Ok(Report {
        mode: if args.smoke { "smoke" } else { "full" }.to_owned(),
        judged: !args.smoke,
        started_at,
        sizes: json!({
            "rounds": sizes.rounds, "turn_seconds": sizes.turn.as_secs_f64(), "clients": sizes.clients,
            "requests_per_turn": sizes.requests, "events": issues * 4, "issues": issues,
            "long_issue_events": sizes.long_events, "heavy_issue_events": sizes.heavy_events,
            "heavy_issues": 2 * sizes.clients, "small_events": sizes.small_events,
            "p9_targets": sizes.events > P9_SCALE, "only": args.only,
        }),
        figures,
        machine: report::machine(),
        backend_settings: settings,
        setup,
    })
}

/// Makes every session of the benchmark database commit durably (`synchronous_commit = on`), whatever
/// the server's default, so the baselines and Santisuk pay for the same flush.
async fn durable(url: &str) -> anyhow::Result<()> {
    let name = url.rsplit('/').next().and_then(|s| s.split('?').next()).context("no database in the URL")?;
    let mut conn = sqlx::postgres::PgConnectOptions::from_str(url)?.connect().await?;
    sqlx::query(&format!("ALTER DATABASE \"{name}\" SET synchronous_commit = on")).execute(&mut conn).await?;
    Ok(())
}

/// The storage settings that decide what a commit costs, and whether anything else was writing on the
/// cluster: the projection's horizon is cluster-wide (ARCHITECTURE.md), so another database's open write
/// transactions delay Santisuk's read-your-writes and rebuilds, and skew P1, P2, P4 and P5 (not the
/// baselines). Set SANTISUK_TEST_PG to a port where nothing listens for a private throwaway cluster.
async fn pg_settings(raw: &Raw) -> anyhow::Result<Value> {
    let pool = raw.pg().context("PostgreSQL")?;
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() \
         AND datname IS DISTINCT FROM current_database()",
    )
    .fetch_one(pool)
    .await?;
    let databases: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE NOT datistemplate").fetch_one(pool).await?;
    if others > 0 {
        log(format_args!(
            "warning: {others} write transaction(s) of other databases are open on this PostgreSQL cluster; \
             they hold back the projection horizon (see docs/benchmarks.md)"
        ));
    }
    let port: i32 = sqlx::query_scalar("SELECT current_setting('port')::int").fetch_one(pool).await?;
    let mut out = json!({"port": port, "databases_on_cluster": databases,
        "other_write_transactions_at_start": others});
    for name in
        ["server_version", "synchronous_commit", "fsync", "wal_sync_method", "full_page_writes", "shared_buffers"]
    {
        let v: String = sqlx::query_scalar(&format!("SHOW {name}")).fetch_one(pool).await?;
        out[name] = Value::String(v);
    }
    Ok(out)
}

/// The modes the product's own pool runs with, read back from a connection of that pool.
async fn sqlite_settings(server: &Server) -> anyhow::Result<Value> {
    let db = server.state.db.clone();
    server::on(server.runtime(), async move {
        let Pool::Sqlite(p) = db.pool() else { anyhow::bail!("not SQLite") };
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(p).await?;
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(p).await?;
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(p).await?;
        let sync = match sync {
            0 => "OFF",
            1 => "NORMAL",
            2 => "FULL",
            3 => "EXTRA",
            _ => "?",
        };
        let version: String = sqlx::query_scalar("SELECT sqlite_version()").fetch_one(p).await?;
        Ok(json!({"journal_mode": journal, "synchronous": sync, "busy_timeout_ms": busy, "version": version,
            "pool_connections": 8}))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::selected;

    #[test]
    fn only_picks_figures_by_id_prefix_and_p9() {
        let only = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(selected(&[], "P11"), "no --only: everything");
        assert!(selected(&only(&["P6"]), "P6a") && selected(&only(&["P6"]), "P6d-fy"));
        assert!(selected(&only(&["P6d"]), "P6d-fy") && !selected(&only(&["P6d"]), "P6e"));
        assert!(!selected(&only(&["P1"]), "P12") && !selected(&only(&["P1"]), "P11"));
        assert!(selected(&only(&["P1"]), "P1u"));
        assert!(selected(&only(&["P9"]), "P7") && selected(&only(&["P9"]), "P6d-fy"));
        assert!(!selected(&only(&["P9"]), "P6a") && !selected(&only(&["P9"]), "P12"));
        assert!(selected(&only(&["P10", "P11"]), "P11") && !selected(&only(&["P10", "P11"]), "P1"));
    }
}
