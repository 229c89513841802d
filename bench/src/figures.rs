//! The figures P1–P12: each one runs its baseline and Santisuk in turns (baseline, Santisuk, baseline) for
//! every round, and turns the rounds into a [`Figure`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
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
///
/// `seconds`: the longest the whole rebuild may take (30 s at 1M events; P9's 3 minutes at 10M).
pub async fn rebuild(
    id: &str,
    backend: &str,
    db: &Db,
    raw: &Raw,
    sizes: &Sizes,
    seconds: f64,
) -> anyhow::Result<Figure> {
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
        Target::RatioAndDuration { ratio: 0.1, work: events as f64, seconds },
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
pub async fn reads(
    server: &Server,
    raw: &Raw,
    sizes: &Sizes,
    long_events: i64,
    pick: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Vec<Figure>> {
    let http = server.client(&server.staff);
    let pool = raw.pg().ok_or_else(|| anyhow::anyhow!("reads are measured on PostgreSQL"))?;
    let area = area_id(3);
    let reads = [
        Read {
            id: "P6a",
            name: "statistics by area × category, everything".into(),
            path: "/api/stats/resolution?by=area,category".into(),
            baseline_name: "SQL GROUP BY area, category, status, outcome",
            baseline_sql: STATS_SQL,
            binds: vec![],
        },
        Read {
            id: "P6b",
            name: "statistics by area × category, fiscal year 2569".into(),
            path: "/api/stats/resolution?by=area,category&fiscal_year=2569".into(),
            baseline_name: "the same GROUP BY over one fiscal year",
            baseline_sql: STATS_FY_SQL,
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
    for read in reads.iter().filter(|r| pick(r.id)) {
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
        let note = format!("p50 {:.2} ms; GET {}", crate::report::median(&p50), read.path);
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
    if pick("P8b") {
        figures.push(long_command(&http, raw, sizes, long_events).await?);
    }
    Ok(figures)
}

/// The statistics' baseline: the counts the answer is made of, by one `GROUP BY` over every issue row.
const STATS_SQL: &str = "SELECT area_id, category, status, outcome, COUNT(*) FROM issues GROUP BY 1, 2, 3, 4";
/// The same over the issues raised in fiscal year 2569.
const STATS_FY_SQL: &str = "SELECT area_id, category, status, outcome, COUNT(*) FROM issues \
     WHERE raised_on BETWEEN '2025-10-01' AND '2026-09-30' GROUP BY 1, 2, 3, 4";

/// One change to the data per call, as staff make them: a raise, then assign, address and close (resolved)
/// of that issue, then a new raise; each moves the statistics (counts by status and outcome, durations).
struct Changer {
    issue: Option<String>,
    step: usize,
    n: usize,
    due: String,
}

impl Changer {
    fn new() -> Changer {
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string();
        Changer { issue: None, step: 0, n: 0, due }
    }

    async fn change(&mut self, http: &Http) -> anyhow::Result<()> {
        self.n += 1;
        match (self.issue.clone(), self.step % 4) {
            (Some(id), 1) => {
                let body = json!({"assignee": "อบต.สะบารัง", "due_on": self.due});
                http.post_ok(&format!("/api/issues/{id}/assign"), &body).await?;
            }
            (Some(id), 2) => {
                let body = json!({"action": "ซ่อมผิวถนนช่วงที่ชำรุด 300 เมตร"});
                http.post_ok(&format!("/api/issues/{id}/address"), &body).await?;
            }
            (Some(id), 3) => {
                let body = json!({"outcome": "resolved", "note": "ชาวบ้านยืนยันแล้ว"});
                http.post_ok(&format!("/api/issues/{id}/close"), &body).await?;
            }
            _ => {
                let body = json!({"area_id": area_id(1 + self.n % 5), "category": "INF",
                    "title": format!("หลังการเปลี่ยนแปลง {}", self.n)});
                let reply = http.post_ok("/api/issues", &body).await?;
                self.issue = Some(reply["id"].as_str().context("raise reply without id")?.to_owned());
                self.step = 0;
            }
        }
        self.step += 1;
        Ok(())
    }
}

/// The latency of `GET path` (as `reader`) each time right after `writer` changed the data by one command
/// (untimed; see [`Changer`]).
async fn after_a_change(
    writer: &Http,
    reader: &Http,
    path: &str,
    requests: usize,
    budget: Duration,
) -> anyhow::Result<hdrhistogram::Histogram<u64>> {
    let mut histogram = work::histogram();
    let mut changer = Changer::new();
    let started = Instant::now();
    for _ in 0..requests {
        changer.change(writer).await?;
        let t0 = Instant::now();
        reader.get_ok(path).await?;
        histogram.record(t0.elapsed().as_micros().max(1) as u64)?;
        if started.elapsed() > budget && histogram.len() >= 5 {
            break;
        }
    }
    Ok(histogram)
}

/// P6d and P6d-fy: the statistics of P6a and P6b, each request right after a command changed the data
/// (what a dashboard costs when staff open it after entering something), beside the same `GROUP BY`.
/// `limit`: the p99 target in ms (20 at 1M events; 50 at P9's 10M).
pub async fn stats_after_change(
    server: &Server,
    raw: &Raw,
    sizes: &Sizes,
    limit: f64,
    pick: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Vec<Figure>> {
    let http = server.client(&server.staff);
    let pool = raw.pg().ok_or_else(|| anyhow::anyhow!("reads are measured on PostgreSQL"))?.clone();
    let budget = Duration::from_secs(120);
    let mut figures = Vec::new();
    for (id, what, path, sql) in [
        ("P6d", "everything", "/api/stats/resolution?by=area,category", STATS_SQL),
        ("P6d-fy", "fiscal year 2569", "/api/stats/resolution?by=area,category&fiscal_year=2569", STATS_FY_SQL),
    ] {
        if !pick(id) {
            continue;
        }
        let baseline = || {
            let pool = pool.clone();
            async move { Ok::<_, anyhow::Error>(sqlx::query(sql).fetch_all(&pool).await?.len()) }
        };
        http.get_ok(path).await?;
        baseline().await?;
        let mut rounds = Vec::new();
        let mut p50 = Vec::new();
        for r in 0..sizes.rounds {
            let b1 = work::timed(sizes.requests, budget, baseline).await?;
            let s = after_a_change(&http, &http, path, sizes.requests, budget).await?;
            let b2 = work::timed(sizes.requests, budget, baseline).await?;
            let sql = format!("; SQL p99 {:.2} / {:.2} ms", ms(&b1, 0.99), ms(&b2, 0.99));
            let value = round_after_change(id, r, "", &s, &sql, &mut p50);
            rounds.push(Round { value, baseline: Some((ms(&b1, 0.99) + ms(&b2, 0.99)) / 2.0) });
        }
        figures.push(Figure::new(
            id,
            &format!("statistics by area × category, {what}, right after a change p99"),
            "ms",
            Some("SQL GROUP BY area, category, status, outcome"),
            &rounds,
            Target::Below(limit),
            format!(
                "p50 {:.2} ms; a command (raise/assign/address/close) before each GET {path}",
                crate::report::median(&p50)
            ),
        ));
    }
    Ok(figures)
}

/// One round of a figure timed right after a change (P6d, P6e): logs it (`what` names the page, `also` adds
/// to the line), notes its p50 in `p50` and answers its p99.
fn round_after_change(
    id: &str,
    round: usize,
    what: &str,
    s: &hdrhistogram::Histogram<u64>,
    also: &str,
    p50: &mut Vec<f64>,
) -> f64 {
    log(format_args!(
        "{id} round {}: {what}right after a change p50 {:.2} ms p99 {:.2} ms over {} requests{also}",
        round + 1,
        ms(s, 0.5),
        ms(s, 0.99),
        s.len()
    ));
    p50.push(ms(s, 0.5));
    ms(s, 0.99)
}

/// P6e: the web dashboard (`GET /dashboard`, the whole HTML page, as staff signed in with a web session)
/// right after a change, timed by the client over a keep-alive connection: the server's time plus the
/// transfer over loopback.
pub async fn dashboard_after_change(server: &Server, sizes: &Sizes) -> anyhow::Result<Figure> {
    let writer = server.client(&server.staff);
    let browser = server.web_staff().await?;
    let path = "/dashboard";
    let bytes = browser.get_ok(path).await?;
    anyhow::ensure!(bytes > 1000, "GET /dashboard answered {bytes} bytes, not a page");
    let budget = Duration::from_secs(120);
    let mut rounds = Vec::new();
    let mut p50 = Vec::new();
    for r in 0..sizes.rounds {
        let s = after_a_change(&writer, &browser, path, sizes.requests, budget).await?;
        let value = round_after_change("P6e", r, "dashboard ", &s, "", &mut p50);
        rounds.push(Round { value, baseline: None });
    }
    Ok(Figure::new(
        "P6e",
        "web dashboard page right after a change p99",
        "ms",
        None,
        &rounds,
        Target::Below(30.0),
        format!(
            "p50 {:.2} ms; GET {path} ({} kB of HTML) with a web session, a command before each; client-side \
             time over keep-alive (server + loopback transfer)",
            crate::report::median(&p50),
            bytes / 1000
        ),
    ))
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

/// P9: commands/s of the P1 mix on the bulk database, beside the same mix from the same clients on a small
/// one (`small`, a few thousand events) in the same round: how much the size of the log and of the tables
/// slows the write path.
pub async fn commands_at_size(
    bulk: &Server,
    small: &Server,
    sizes: &Sizes,
    small_events: u64,
) -> anyhow::Result<Figure> {
    let (at_size, at_small) = (bulk.client(&bulk.staff), small.client(&small.staff));
    let d = sizes.turn;
    let mut rounds = Vec::new();
    for r in 0..sizes.rounds {
        let b1 = work::commands(&at_small, sizes.clients, d, None).await?.rate();
        let s = work::commands(&at_size, sizes.clients, d, None).await?.rate();
        let b2 = work::commands(&at_small, sizes.clients, d, None).await?.rate();
        log(format_args!(
            "P9 round {}: {s:.0} cmd/s at {} events; {b1:.0} and {b2:.0} cmd/s at {small_events}",
            r + 1,
            sizes.events
        ));
        rounds.push(Round { value: s, baseline: Some((b1 + b2) / 2.0) });
    }
    Ok(Figure::new(
        "P9",
        &format!("commands/s over HTTP, {} clients, on {} events", sizes.clients, sizes.events),
        "cmd/s",
        Some(&format!("the same mix on a database of {small_events} events")),
        &rounds,
        Target::RatioAtLeast(0.85),
        "P1's mix; both servers in this process, one loaded at a time".to_owned(),
    ))
}

/// P10: commands/s on issues that already hold `sizes.heavy_events` events each (`issues`, two per client),
/// beside the raw inserts of P1. Each round starts a fresh `santisuk serve` (the real binary, its own
/// aggregate cache), so every issue's first command in the round loads its whole history, as after a restart
/// or on another instance; later commands on it are judged on the cached aggregate, as in production.
pub async fn heavy_issues(
    binary: &std::path::Path,
    url: &str,
    token: &str,
    raw: &Raw,
    issues: &[String],
    sizes: &Sizes,
) -> anyhow::Result<Figure> {
    let d = sizes.turn;
    let mut rounds = Vec::new();
    let mut notes = Vec::new();
    for r in 0..sizes.rounds {
        let child = Child::start(binary, url).await?;
        let http = Http::new(&child.base, token);
        let b1 = work::raw_inserts(raw, sizes.clients, d).await?.rate();
        let (s, first) = work::heavy_commands(&http, issues, sizes.clients, d).await?;
        let b2 = work::raw_inserts(raw, sizes.clients, d).await?.rate();
        child.stop().await?;
        log(format_args!(
            "P10 round {}: {:.0} cmd/s on {} issues of {}+ events (first command on each: p50 {:.1} ms, max {:.1} \
             ms); raw {b1:.0}/s and {b2:.0}/s",
            r + 1,
            s.rate(),
            issues.len(),
            sizes.heavy_events,
            ms(&first, 0.5),
            first.max() as f64 / 1000.0
        ));
        notes.push(format!("first command p50 {:.1} ms, max {:.1} ms", ms(&first, 0.5), first.max() as f64 / 1000.0));
        rounds.push(Round { value: s.rate(), baseline: Some((b1 + b2) / 2.0) });
    }
    Ok(Figure::new(
        "P10",
        &format!("commands/s on {} issues of {}+ events each", issues.len(), sizes.heavy_events),
        "cmd/s",
        Some("durable single-row INSERT-commit/s, same clients"),
        &rounds,
        Target::RatioAtLeast(0.5),
        format!(
            "fresh santisuk serve per round; re-assign, re-assign, address, close, reopen on each issue; rounds: {}",
            notes.join("; ")
        ),
    ))
}

/// P11: three `santisuk serve` processes on one PostgreSQL database, the P1 mix from `sizes.clients`
/// clients spread round-robin over them, beside the same clients all on the first instance in the same
/// round. Afterwards every acknowledged command must be stored exactly once and projected: a failure of
/// that check is an error of the run.
pub async fn instances(
    binary: &std::path::Path,
    url: &str,
    token: &str,
    db: &Db,
    sizes: &Sizes,
    count: usize,
) -> anyhow::Result<Figure> {
    let mut children = Vec::new();
    for _ in 0..count {
        children.push(Child::start(binary, url).await?);
    }
    let all: Vec<Http> = children.iter().map(|c| Http::new(&c.base, token)).collect();
    let one = &all[..1];
    let d = sizes.turn;
    let mut rounds = Vec::new();
    let mut acks = Vec::new();
    let mut failed = 0u64;
    let mut errors = Vec::new();
    let mut keep = |c: work::Checked| {
        let rate = c.rate();
        acks.extend(c.acks);
        failed += c.failed;
        errors.extend(c.errors);
        rate
    };
    // Transactions the database rolled back, per acknowledged command, for one instance and for all: what the
    // instances cost each other. Most are not conflicts: a runner that finds its projection's lock held by
    // another instance (or nothing to project) ends its transaction with a rollback; refused appends (a
    // unique value taken first, which commands then retry) count too.
    let rollbacks = || async {
        let n: i64 = santisuk_store::on_db!(db, p => sqlx::query_scalar(
            "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()")
            .fetch_one(p).await?);
        // The counters are sent by each backend at most every second or so.
        Ok::<_, anyhow::Error>(n)
    };
    let (mut rolled_one, mut rolled_all, mut acked_one, mut acked_all) = (0i64, 0i64, 0usize, 0usize);
    for r in 0..sizes.rounds {
        let before = rollbacks().await?;
        let t1 = work::commands_checked(one, sizes.clients, d).await?;
        let mid = rollbacks().await?;
        let t2 = work::commands_checked(&all, sizes.clients, d).await?;
        let after = rollbacks().await?;
        let t3 = work::commands_checked(one, sizes.clients, d).await?;
        (rolled_one, rolled_all) = (rolled_one + mid - before, rolled_all + after - mid);
        (acked_one, acked_all) = (acked_one + t1.acks.len(), acked_all + t2.acks.len());
        let (b1, s, b2) = (keep(t1), keep(t2), keep(t3));
        log(format_args!("P11 round {}: {s:.0} cmd/s over {count} instances; {b1:.0} and {b2:.0} on one", r + 1));
        rounds.push(Round { value: s, baseline: Some((b1 + b2) / 2.0) });
    }
    let per = |rolled: i64, acked: usize| rolled as f64 / acked.max(1) as f64;
    let conflicts = format!(
        "rolled-back transactions per acknowledged command (pg_stat_database, approximate): {:.3} on one \
         instance, {:.3} over {count}",
        per(rolled_one, acked_one),
        per(rolled_all, acked_all)
    );
    log(format_args!("P11: {conflicts}"));
    let checked = check_stored_once(db, &acks, failed).await;
    for child in children {
        child.stop().await?;
    }
    let checked = checked?;
    log(format_args!("P11 check: {checked}"));
    if failed > 0 {
        log(format_args!("P11: {failed} command(s) failed, e.g. {}", errors.first().map_or("", String::as_str)));
    }
    Ok(Figure::new(
        "P11",
        &format!("commands/s over HTTP, {} clients over {count} instances", sizes.clients),
        "cmd/s",
        Some("the same clients on one instance"),
        &rounds,
        Target::RatioAtLeast(0.9),
        format!("real binaries on one PostgreSQL database; {failed} command(s) failed; {conflicts}; check: {checked}"),
    ))
}

/// Checks the issue events against the acknowledged commands: each acknowledgement's (issue, version) is
/// stored exactly once, at the position it was told; no other issue event exists beyond one per failed
/// command; every issue's row has as many versions as its events and its last event's position; and the
/// read model's checkpoint reaches the last event (waited for up to 60 s). The database must hold no issue
/// events but the checked run's.
async fn check_stored_once(db: &Db, acks: &[work::Ack], failed: u64) -> anyhow::Result<String> {
    let santisuk_store::Pool::Postgres(pool) = db.pool() else { anyhow::bail!("P11 runs on PostgreSQL") };
    let mut acked = std::collections::HashMap::new();
    for a in acks {
        if acked.insert((a.id.clone(), a.version), a.position).is_some() {
            anyhow::bail!("P11 check: issue {} version {} was acknowledged twice", a.id, a.version);
        }
    }
    let events: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT aggregate_id, sequence, position FROM events WHERE aggregate_type = 'Issue'")
            .fetch_all(pool)
            .await?;
    let stored: std::collections::HashMap<(String, i64), i64> =
        events.iter().map(|(id, seq, pos)| ((id.clone(), *seq), *pos)).collect();
    anyhow::ensure!(stored.len() == events.len(), "P11 check: an issue version is stored twice");
    for ((id, version), position) in &acked {
        match stored.get(&(id.clone(), *version)) {
            None => anyhow::bail!("P11 check: acknowledged issue {id} version {version} is not stored"),
            Some(p) if p != position => {
                anyhow::bail!("P11 check: issue {id} version {version} acknowledged at {position}, stored at {p}")
            }
            Some(_) => {}
        }
    }
    let extra = events.len() - acked.len();
    anyhow::ensure!(
        extra as u64 <= failed,
        "P11 check: {extra} issue events beyond the {} acknowledged commands, and only {failed} failed",
        acked.len()
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let last: Option<(i64, i64)> = sqlx::query_as(
        "SELECT tx::text::bigint, position FROM events ORDER BY tx::text::bigint DESC, position DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let last = last.context("P11 check: no events")?;
    loop {
        let cp = santisuk_projections::runner::load_checkpoint(db, "read_model").await?;
        if (cp.tx, cp.position) >= last {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "P11 check: the read model stopped at ({}, {}), the last event is {last:?}",
            cp.tx,
            cp.position
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (issues, wrong): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE i.version IS DISTINCT FROM e.n OR i.last_position IS DISTINCT FROM e.last)
         FROM (SELECT aggregate_id, COUNT(*) AS n, MAX(position) AS last FROM events
               WHERE aggregate_type = 'Issue' GROUP BY aggregate_id) e
         LEFT JOIN issues i ON i.id = e.aggregate_id",
    )
    .fetch_one(pool)
    .await?;
    anyhow::ensure!(wrong == 0, "P11 check: {wrong} of {issues} issue rows disagree with their events");
    Ok(format!(
        "{} acknowledged commands stored once each, {extra} other events ({failed} failed); {issues} issue rows \
         match their events; read model at the last event",
        acked.len()
    ))
}
