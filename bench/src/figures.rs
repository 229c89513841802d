//! The figures P1–P8: each one runs its baseline and Santisuk in turns (baseline, Santisuk, baseline) for
//! every round, and turns the rounds into a [`Figure`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use santisuk_projections::read_model::ReadModel;
use santisuk_projections::runner::Runner;
use santisuk_store::Db;
use serde_json::json;

use crate::Sizes;
use crate::load::{LONG_ISSUE, Raw};
use crate::report::{Figure, Round, Target};
use crate::server::{Child, Http, Server, area_id};
use crate::work::{self, ms};

fn log(line: impl std::fmt::Display) {
    eprintln!("[bench] {line}");
}

/// P1 (PostgreSQL) and P3 (SQLite): commands/s of the mix over HTTP with `clients` clients, beside
/// durable single-row inserts by as many clients.
pub async fn throughput(
    id: &str,
    backend: &str,
    server: &Server,
    raw: &Raw,
    sizes: &Sizes,
    target: f64,
) -> anyhow::Result<Figure> {
    let http = server.client(&server.staff);
    let d = sizes.turn;
    let mut rounds = Vec::new();
    let mut p99 = Vec::new();
    for r in 0..sizes.rounds {
        let b1 = work::raw_inserts(raw, sizes.clients, d).await?.rate();
        let s = work::commands(&http, sizes.clients, d, None).await?;
        let b2 = work::raw_inserts(raw, sizes.clients, d).await?.rate();
        log(format_args!("{id} round {}: santisuk {:.0}/s, raw {b1:.0}/s and {b2:.0}/s", r + 1, s.rate()));
        p99.push(ms(&s.latency, 0.99));
        rounds.push(Round { value: s.rate(), baseline: Some((b1 + b2) / 2.0) });
    }
    // What HTTP alone costs here: requests that touch no database, from the same client, one turn.
    let floor = work::http_floor(&http, sizes.clients, d).await?.rate();
    let raw_rate = crate::report::median(&rounds.iter().filter_map(|r| r.baseline).collect::<Vec<_>>());
    log(format_args!("{id} HTTP floor: GET /healthz {floor:.0}/s ({:.2}× the raw insert rate)", floor / raw_rate));
    Ok(Figure::new(
        id,
        &format!("commands/s over HTTP, {} clients ({backend})", sizes.clients),
        "cmd/s",
        Some("durable single-row INSERT-commit/s, same clients"),
        &rounds,
        Target::RatioAtLeast(target),
        format!(
            "command latency p99 under this load: {:.1} ms (median of rounds); HTTP floor (GET /healthz, no \
             database, same clients): {floor:.0}/s = {:.2}× the raw insert rate",
            crate::report::median(&p99),
            floor / raw_rate
        ),
    ))
}

/// P2: one client, latency of a command beside one raw insert.
pub async fn single_client(server: &Server, raw: &Raw, sizes: &Sizes) -> anyhow::Result<Vec<Figure>> {
    let http = server.client(&server.staff);
    let d = sizes.turn;
    let (mut p50, mut p99) = (Vec::new(), Vec::new());
    for r in 0..sizes.rounds {
        let b1 = work::raw_inserts(raw, 1, d).await?;
        let s = work::commands(&http, 1, d, None).await?;
        let b2 = work::raw_inserts(raw, 1, d).await?;
        let mean = |q| (ms(&b1.latency, q) + ms(&b2.latency, q)) / 2.0;
        log(format_args!(
            "P2 round {}: command p50 {:.2} ms p99 {:.2} ms; raw p50 {:.2} ms p99 {:.2} ms",
            r + 1,
            ms(&s.latency, 0.5),
            ms(&s.latency, 0.99),
            mean(0.5),
            mean(0.99)
        ));
        p50.push(Round { value: ms(&s.latency, 0.5), baseline: Some(mean(0.5)) });
        p99.push(Round { value: ms(&s.latency, 0.99), baseline: Some(mean(0.99)) });
    }
    Ok(vec![
        Figure::new(
            "P2",
            "command latency p50, 1 client (PostgreSQL)",
            "ms",
            Some("raw INSERT-commit p50, 1 client"),
            &p50,
            Target::AtMostBaselinePlus(1.5),
            String::new(),
        ),
        Figure::new(
            "P2p99",
            "command latency p99, 1 client (PostgreSQL)",
            "ms",
            Some("raw INSERT-commit p99, 1 client"),
            &p99,
            Target::None,
            String::new(),
        ),
    ])
}

/// P5: projection lag p99 while the mix runs at half of P1's rate (paced, 16 clients).
pub async fn lag(server: &Server, lag_db: Db, sizes: &Sizes, p1_rate: f64) -> anyhow::Result<Figure> {
    let http = server.client(&server.staff);
    let rate = (p1_rate / 2.0).max(1.0);
    let pace = Duration::from_secs_f64(sizes.clients as f64 / rate);
    let mut rounds = Vec::new();
    let mut notes = Vec::new();
    for r in 0..sizes.rounds {
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = tokio::spawn(work::watch_lag(lag_db.clone(), Duration::from_millis(2), stop.clone()));
        let load = work::commands(&http, sizes.clients, sizes.turn, Some(pace)).await?;
        stop.store(true, Ordering::Relaxed);
        let h = tokio::time::timeout(Duration::from_secs(60), watcher).await???;
        log(format_args!(
            "P5 round {}: {:.0} cmd/s offered {rate:.0}/s; lag p50 {:.1} ms p99 {:.1} ms max {:.1} ms over {} events",
            r + 1,
            load.rate(),
            ms(&h, 0.5),
            ms(&h, 0.99),
            h.max() as f64 / 1000.0,
            h.len()
        ));
        notes.push(format!("{:.0}/s: p50 {:.1} ms, max {:.1} ms", load.rate(), ms(&h, 0.5), h.max() as f64 / 1000.0));
        rounds.push(Round { value: ms(&h, 0.99), baseline: None });
    }
    Ok(Figure::new(
        "P5",
        &format!("projection lag p99 at half P1's rate ({rate:.0} cmd/s)"),
        "ms",
        None,
        &rounds,
        Target::Below(500.0),
        format!("commit seen → projected seen, 2 ms polls; rounds: {}", notes.join("; ")),
    ))
}

/// P4: rebuilding the read model from every event, beside an ordered scan of the events table.
pub async fn rebuild(id: &str, backend: &str, db: &Db, raw: &Raw, sizes: &Sizes) -> anyhow::Result<Figure> {
    let events: i64 = santisuk_store::on_db!(db, p =>
        sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(p).await?);
    let mut rounds = Vec::new();
    let mut secs = Vec::new();
    for r in 0..sizes.rounds {
        let b1 = scan(raw).await?;
        let t0 = Instant::now();
        let n = Runner::new(db.clone(), ReadModel::default()).rebuild().await?;
        let s = t0.elapsed().as_secs_f64();
        let b2 = scan(raw).await?;
        log(format_args!("{id} round {}: rebuild of {n} events {s:.2} s; ordered scan {b1:.2} s and {b2:.2} s", r + 1));
        secs.push(s);
        rounds.push(Round { value: n as f64 / s, baseline: Some(2.0 * events as f64 / (b1 + b2)) });
    }
    let how = match raw {
        Raw::Postgres(_) => "COPY (SELECT … ORDER BY position) TO STDOUT",
        Raw::Sqlite(_) => "SELECT … ORDER BY position, every row fetched",
    };
    Ok(Figure::new(
        id,
        &format!("projection rebuild of {events} events ({backend})"),
        "events/s",
        Some(&format!("ordered scan: {how}")),
        &rounds,
        Target::RatioAndDuration { ratio: 0.1, work: events as f64, seconds: 30.0 },
        format!("rebuild took {:.1} s (median)", crate::report::median(&secs)),
    ))
}

/// Seconds to read every event in global order, the cheapest a replay could ever be.
async fn scan(raw: &Raw) -> anyhow::Result<f64> {
    let t0 = Instant::now();
    match raw {
        Raw::Postgres(p) => {
            let mut conn = p.acquire().await?;
            let mut stream = conn
                .copy_out_raw(
                    "COPY (SELECT position, tx, aggregate_type, aggregate_id, sequence, event_type, event_version, \
                     payload, metadata, recorded_at FROM events ORDER BY position) TO STDOUT",
                )
                .await?;
            let mut bytes = 0usize;
            while let Some(chunk) = stream.next().await {
                bytes += chunk?.len();
            }
            anyhow::ensure!(bytes > 0, "COPY returned nothing");
        }
        Raw::Sqlite(p) => {
            let mut rows = sqlx::query(
                "SELECT position, aggregate_type, aggregate_id, sequence, event_type, event_version, payload, \
                 metadata, recorded_at FROM events ORDER BY position",
            )
            .fetch(p);
            let mut n = 0usize;
            while let Some(row) = rows.next().await {
                row?;
                n += 1;
            }
            anyhow::ensure!(n > 0, "the scan returned nothing");
        }
    }
    Ok(t0.elapsed().as_secs_f64())
}

/// One read measured over HTTP beside the SQL that answers it most directly.
struct Read {
    id: &'static str,
    name: String,
    path: String,
    baseline_name: &'static str,
    baseline_sql: &'static str,
    binds: Vec<String>,
}

/// P6 (statistics and the filtered list) and P8 (an issue with a long history): p99 latency over HTTP.
pub async fn reads(server: &Server, raw: &Raw, sizes: &Sizes, long_events: i64) -> anyhow::Result<Vec<Figure>> {
    let http = server.client(&server.staff);
    let pool = raw.pg().ok_or_else(|| anyhow::anyhow!("reads are measured on PostgreSQL"))?;
    let area = area_id(3);
    let reads = [
        Read {
            id: "P6a",
            name: "statistics by area × category, everything".into(),
            path: "/api/stats/resolution?by=area,category".into(),
            baseline_name: "SQL GROUP BY area, category, status, outcome",
            baseline_sql: "SELECT area_id, category, status, outcome, COUNT(*) FROM issues GROUP BY 1, 2, 3, 4",
            binds: vec![],
        },
        Read {
            id: "P6b",
            name: "statistics by area × category, fiscal year 2569".into(),
            path: "/api/stats/resolution?by=area,category&fiscal_year=2569".into(),
            baseline_name: "the same GROUP BY over one fiscal year",
            baseline_sql: "SELECT area_id, category, status, outcome, COUNT(*) FROM issues \
                 WHERE raised_on BETWEEN '2025-10-01' AND '2026-09-30' GROUP BY 1, 2, 3, 4",
            binds: vec![],
        },
        Read {
            id: "P6c",
            name: "issue list, area and status filters".into(),
            path: format!("/api/issues?area_id={area}&status=assigned"),
            baseline_name: "the same page by SQL",
            baseline_sql: "SELECT * FROM issues WHERE area_id = $1 AND status = $2 \
                 ORDER BY raised_at DESC, id DESC LIMIT 51",
            binds: vec![area.clone(), "assigned".into()],
        },
        Read {
            id: "P8a",
            name: format!("history of an issue with {long_events} events"),
            path: format!("/api/issues/{LONG_ISSUE}/history"),
            baseline_name: "its rows by SQL",
            baseline_sql: "SELECT * FROM events WHERE aggregate_type = 'Issue' AND aggregate_id = $1 ORDER BY sequence",
            binds: vec![LONG_ISSUE.into()],
        },
    ];
    let budget = Duration::from_secs(60);
    let mut figures = Vec::new();
    for read in &reads {
        let mut rounds = Vec::new();
        let mut p50 = Vec::new();
        let sql = |read: &Read| {
            let pool = pool.clone();
            let (text, binds) = (read.baseline_sql, read.binds.clone());
            move || {
                let (pool, binds) = (pool.clone(), binds.clone());
                async move {
                    let mut q = sqlx::query(text);
                    for b in binds {
                        q = q.bind(b);
                    }
                    Ok::<_, anyhow::Error>(q.fetch_all(&pool).await?.len())
                }
            }
        };
        // Warm both paths (caches, prepared statements) before timing.
        http.get_ok(&read.path).await?;
        sql(read)().await?;
        for r in 0..sizes.rounds {
            let b1 = work::timed(sizes.requests, budget, sql(read)).await?;
            let s = work::timed(sizes.requests, budget, || http.get_ok(&read.path)).await?;
            let b2 = work::timed(sizes.requests, budget, sql(read)).await?;
            log(format_args!(
                "{} round {}: p50 {:.2} ms p99 {:.2} ms over {} requests; SQL p99 {:.2} / {:.2} ms",
                read.id,
                r + 1,
                ms(&s, 0.5),
                ms(&s, 0.99),
                s.len(),
                ms(&b1, 0.99),
                ms(&b2, 0.99)
            ));
            p50.push(ms(&s, 0.5));
            rounds.push(Round { value: ms(&s, 0.99), baseline: Some((ms(&b1, 0.99) + ms(&b2, 0.99)) / 2.0) });
        }
        let limit = if read.id.starts_with("P8") { 20.0 } else { 50.0 };
        let mut note = format!("p50 {:.2} ms; GET {}", crate::report::median(&p50), read.path);
        if read.path.starts_with("/api/stats/") {
            // Repeated statistics are served from memory until the read model changes (StatsCache): say
            // what a request right after a change costs, computed from the rows.
            let after = after_a_change(&http, &read.path, (sizes.requests / 5).max(3)).await?;
            log(format_args!(
                "{} right after a change: p50 {:.2} ms p99 {:.2} ms over {} requests",
                read.id,
                ms(&after, 0.5),
                ms(&after, 0.99),
                after.len()
            ));
            note.push_str(&format!(
                "; right after a change (computed from the rows): p50 {:.1} ms, p99 {:.1} ms",
                ms(&after, 0.5),
                ms(&after, 0.99)
            ));
        }
        figures.push(Figure::new(
            read.id,
            &format!("{} p99", read.name),
            "ms",
            Some(read.baseline_name),
            &rounds,
            Target::Below(limit),
            note,
        ));
    }
    figures.push(long_command(&http, raw, sizes, long_events).await?);
    Ok(figures)
}

/// The latency of `path` each time right after a command changed the read model (a raise, untimed).
async fn after_a_change(http: &Http, path: &str, requests: usize) -> anyhow::Result<hdrhistogram::Histogram<u64>> {
    let mut histogram = work::histogram();
    for n in 0..requests {
        let body = json!({"area_id": area_id(1 + n % 5), "category": "INF", "title": format!("หลังการเปลี่ยนแปลง {n}")});
        http.post_ok("/api/issues", &body).await?;
        let t0 = Instant::now();
        http.get_ok(path).await?;
        histogram.record(t0.elapsed().as_micros() as u64)?;
    }
    Ok(histogram)
}

/// P8b: a command on the issue with a long history (its events are all loaded to judge it).
async fn long_command(http: &Http, raw: &Raw, sizes: &Sizes, long_events: i64) -> anyhow::Result<Figure> {
    let pool = raw.pg().ok_or_else(|| anyhow::anyhow!("PostgreSQL only"))?.clone();
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string();
    let path = format!("/api/issues/{LONG_ISSUE}/assign");
    let body = json!({"assignee": "อบต.สะบารัง", "due_on": due});
    let baseline = || {
        let (pool, raw) = (pool.clone(), raw.clone());
        async move {
            sqlx::query("SELECT * FROM events WHERE aggregate_type = 'Issue' AND aggregate_id = $1 ORDER BY sequence")
                .bind(LONG_ISSUE)
                .fetch_all(&pool)
                .await?;
            raw.insert(0).await
        }
    };
    let budget = Duration::from_secs(60);
    let mut rounds = Vec::new();
    let mut p50 = Vec::new();
    for r in 0..sizes.rounds {
        let b1 = work::timed(sizes.requests, budget, baseline).await?;
        let s = work::timed(sizes.requests, budget, || http.post_ok(&path, &body)).await?;
        let b2 = work::timed(sizes.requests, budget, baseline).await?;
        log(format_args!(
            "P8b round {}: p50 {:.2} ms p99 {:.2} ms; SQL p99 {:.2} / {:.2} ms",
            r + 1,
            ms(&s, 0.5),
            ms(&s, 0.99),
            ms(&b1, 0.99),
            ms(&b2, 0.99)
        ));
        p50.push(ms(&s, 0.5));
        rounds.push(Round { value: ms(&s, 0.99), baseline: Some((ms(&b1, 0.99) + ms(&b2, 0.99)) / 2.0) });
    }
    Ok(Figure::new(
        "P8b",
        &format!("command on an issue with {long_events}+ events p99"),
        "ms",
        Some("its rows by SQL + one INSERT-commit"),
        &rounds,
        Target::Below(20.0),
        format!("p50 {:.2} ms; POST {path}", crate::report::median(&p50)),
    ))
}

/// P7: the real binary's peak RSS (VmHWM) after serving the P1 load and the P6 reads, one fresh process
/// per round.
pub async fn peak_rss(
    binary: &std::path::Path,
    url: &str,
    token: &str,
    sizes: &Sizes,
    issues: u64,
) -> anyhow::Result<Figure> {
    let mut rounds = Vec::new();
    let mut notes = Vec::new();
    for r in 0..sizes.rounds {
        let t0 = Instant::now();
        let child = Child::start(binary, url).await?;
        let started = t0.elapsed().as_secs_f64();
        let http = Http::new(&child.base, token);
        let load = work::commands(&http, sizes.clients, sizes.turn, None).await?;
        let after_commands = child.peak_rss_mb()?;
        for path in [
            "/api/stats/resolution?by=area,category".to_owned(),
            "/api/stats/resolution?by=area,category&fiscal_year=2569".to_owned(),
            format!("/api/issues?area_id={}&status=assigned", area_id(3)),
        ] {
            // Concurrently, as a dashboard opened by several people would.
            let calls = (0..sizes.clients.min(8)).map(|_| http.get_ok(&path));
            for res in futures::future::join_all(calls).await {
                res?;
            }
        }
        let peak = child.peak_rss_mb()?;
        child.stop().await?;
        log(format_args!(
            "P7 round {}: started in {started:.1} s; {:.0} cmd/s; VmHWM {after_commands:.1} MiB after commands, {peak:.1} MiB after reads",
            r + 1,
            load.rate()
        ));
        notes.push(format!("{after_commands:.0} MiB after commands"));
        rounds.push(Round { value: peak, baseline: None });
    }
    Ok(Figure::new(
        "P7",
        &format!("santisuk peak RSS serving P1 + P6, {issues} issues"),
        "MiB",
        None,
        &rounds,
        Target::Below(200.0),
        format!("VmHWM of the real binary; rounds: {}", notes.join(", ")),
    ))
}

/// P12: the real binary's peak RSS (VmHWM) while it answers an as-of CSV export of every issue over the
/// whole bulk log (`as_of` = now), one fresh process per round.
pub async fn as_of_export_rss(
    binary: &std::path::Path,
    url: &str,
    token: &str,
    sizes: &Sizes,
) -> anyhow::Result<Figure> {
    let mut rounds = Vec::new();
    let mut notes = Vec::new();
    for r in 0..sizes.rounds {
        let child = Child::start(binary, url).await?;
        let http = Http::new(&child.base, token);
        let idle = child.peak_rss_mb()?;
        let as_of = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true).replace(':', "%3A");
        let t0 = Instant::now();
        let bytes = http.get_ok(&format!("/api/issues/export?format=csv&as_of={as_of}")).await?;
        let took = t0.elapsed().as_secs_f64();
        let peak = child.peak_rss_mb()?;
        child.stop().await?;
        log(format_args!(
            "P12 round {}: {:.1} MB of CSV in {took:.1} s; VmHWM {idle:.1} MiB before, {peak:.1} MiB after",
            r + 1,
            bytes as f64 / 1e6
        ));
        notes.push(format!("{:.0} MB in {took:.1} s", bytes as f64 / 1e6));
        rounds.push(Round { value: peak, baseline: None });
    }
    Ok(Figure::new(
        "P12",
        &format!("santisuk peak RSS of an as-of CSV export over {} events", sizes.events),
        "MiB",
        None,
        &rounds,
        Target::Below(200.0),
        format!("VmHWM of the real binary; rounds: {}", notes.join(", ")),
    ))
}
