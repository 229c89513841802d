//! The workloads: concurrent clients running the command mix over HTTP or the raw insert over sqlx, timed
//! requests, and the projection-lag watcher.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use santisuk_store::{Db, Pool};
use serde_json::{Value, json};

use crate::load::Raw;
use crate::server::{AREAS, Http, area_id};

/// Latencies in microseconds, 1 µs to 10 minutes, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid bounds")
}

pub fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

/// What one timed turn of a workload did.
#[derive(Debug)]
pub struct Load {
    pub ops: u64,
    pub elapsed: Duration,
    pub latency: Histogram<u64>,
}

impl Load {
    pub fn rate(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }
}

/// One client's issues, by state, so that each command is one the rules accept: assign takes a raised
/// issue, address an assigned one, close (resolved) an addressed one. Each client owns its issues, as a
/// field officer does, so clients never contend for one aggregate.
#[derive(Debug)]
pub struct Mix {
    rng: StdRng,
    raised: Vec<String>,
    assigned: Vec<String>,
    addressed: Vec<String>,
    due_on: String,
    n: u64,
}

impl Mix {
    pub fn new(seed: u64) -> Mix {
        let due = chrono::Utc::now().date_naive() + chrono::Duration::days(60);
        Mix {
            rng: StdRng::seed_from_u64(seed),
            raised: Vec::new(),
            assigned: Vec::new(),
            addressed: Vec::new(),
            due_on: due.to_string(),
            n: seed * 1_000_000,
        }
    }

    /// Sends the next command of the mix (40% raise, 25% assign, 20% address, 15% close); a command
    /// whose issue kind has run out falls back to a raise. Returns the command's reply. An issue whose
    /// command failed is dropped from the client's queues (its state is unknown).
    pub async fn step(&mut self, http: &Http) -> anyhow::Result<Value> {
        self.n += 1;
        let pick = self.rng.random_range(0..100);
        let queue = match pick {
            0..40 => None,
            40..65 => Some(0),
            65..85 => Some(1),
            _ => Some(2),
        };
        let target = match queue {
            Some(0) => self.raised.pop().map(|id| (0, id)),
            Some(1) => self.assigned.pop().map(|id| (1, id)),
            Some(_) => self.addressed.pop().map(|id| (2, id)),
            None => None,
        };
        let reply = match target {
            None => {
                let area = area_id(1 + (self.n as usize % AREAS));
                let body = json!({"area_id": area, "category": "INF",
                    "title": format!("ถนนเข้าหมู่บ้านชำรุด {}", self.n),
                    "description": "หลุมลึกหน้ามัสยิด รถจักรยานยนต์ล้มบ่อย", "raised_by": "ผู้ใหญ่บ้าน"});
                let reply = http.post_ok("/api/issues", &body).await?;
                let id = reply["id"].as_str().context("raise reply without id")?.to_owned();
                self.raised.push(id);
                reply
            }
            Some((0, id)) => {
                let body = json!({"assignee": "อบต.สะบารัง", "due_on": self.due_on});
                let reply = http.post_ok(&format!("/api/issues/{id}/assign"), &body).await?;
                self.assigned.push(id);
                reply
            }
            Some((1, id)) => {
                let body = json!({"action": "ซ่อมผิวถนนช่วงที่ชำรุด 300 เมตร"});
                let reply = http.post_ok(&format!("/api/issues/{id}/address"), &body).await?;
                self.addressed.push(id);
                reply
            }
            Some((_, id)) => {
                let body = json!({"outcome": "resolved", "note": "ชาวบ้านยืนยันแล้ว"});
                http.post_ok(&format!("/api/issues/{id}/close"), &body).await?
            }
        };
        Ok(reply)
    }
}

/// What a command's reply says was stored: the issue, its version after the command, and the event's global
/// position (`CommandReply`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ack {
    pub id: String,
    pub version: i64,
    pub position: i64,
}

impl Ack {
    fn of(reply: &Value) -> anyhow::Result<Ack> {
        Ok(Ack {
            id: reply["id"].as_str().context("a reply without id")?.to_owned(),
            version: reply["version"].as_i64().context("a reply without version")?,
            position: reply["position"].as_i64().context("a reply without position")?,
        })
    }
}

/// The mix run with every reply kept: what was acknowledged, and how many commands failed (answered with an
/// error or not answered), with the first few errors.
#[derive(Debug)]
pub struct Checked {
    pub load: Load,
    pub acks: Vec<Ack>,
    pub failed: u64,
    pub errors: Vec<String>,
}

impl Checked {
    /// Acknowledged commands per second.
    pub fn rate(&self) -> f64 {
        self.acks.len() as f64 / self.load.elapsed.as_secs_f64()
    }
}

/// The mix over several servers: client `c` talks to `servers[c % servers.len()]` for the whole turn, and a
/// failed command is counted, not fatal (the multi-instance check needs to know about it).
pub async fn commands_checked(servers: &[Http], n: usize, duration: Duration) -> anyhow::Result<Checked> {
    let seed = rand::random_range(1..1_000_000u64);
    let servers = servers.to_vec();
    let (load, states) = clients_with_state(
        n,
        duration,
        None,
        move |c| (servers[c % servers.len()].clone(), Mix::new(seed * 64 + c as u64), Vec::new(), 0u64, Vec::new()),
        |(http, mut mix, mut acks, mut failed, mut errors): (Http, Mix, Vec<Ack>, u64, Vec<String>), _| async move {
            match mix.step(&http).await {
                Ok(reply) => acks.push(Ack::of(&reply)?),
                Err(e) => {
                    failed += 1;
                    if errors.len() < 3 {
                        errors.push(format!("{e:#}"));
                    }
                }
            }
            Ok((http, mix, acks, failed, errors))
        },
    )
    .await?;
    let mut out = Checked { load, acks: Vec::new(), failed: 0, errors: Vec::new() };
    for (_, _, acks, failed, errors) in states {
        out.acks.extend(acks);
        out.failed += failed;
        out.errors.extend(errors);
    }
    Ok(out)
}

/// Commands on issues with long histories (P10), each client owning `issues[c]`, `issues[c + n]`, … and
/// going round them; each issue cycles through re-assign, re-assign, address, close (resolved), reopen, all
/// of which its rules accept forever. Where each issue is in its cycle is read from the API before the turn
/// (a read never fills the write side's aggregate cache). Returns the turn and the latency of the first
/// command on each issue (the one that may have to load its whole history).
pub async fn heavy_commands(
    http: &Http,
    issues: &[String],
    n: usize,
    duration: Duration,
) -> anyhow::Result<(Load, Histogram<u64>)> {
    let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(60)).to_string();
    let mut steps = HashMap::new();
    for id in issues {
        let (status, body) = http.get(&format!("/api/issues/{id}")).await?;
        anyhow::ensure!(status.is_success(), "GET /api/issues/{id}: {status}");
        let issue: Value = serde_json::from_slice(&body)?;
        let step = match issue["status"].as_str() {
            Some("assigned") => 0,
            Some("addressed") => 3,
            Some("closed") => 4,
            other => anyhow::bail!("issue {id} is {other:?}, not in the cycle"),
        };
        steps.insert(id.clone(), step);
    }
    let http = http.clone();
    let owned: Vec<Vec<(String, usize, bool)>> =
        (0..n).map(|c| issues.iter().skip(c).step_by(n).map(|id| (id.clone(), steps[id], true)).collect()).collect();
    let (load, states) = clients_with_state(
        n,
        duration,
        None,
        move |c| (http.clone(), owned[c].clone(), histogram()),
        move |(http, mut mine, mut first): (Http, Vec<(String, usize, bool)>, Histogram<u64>), i| {
            let due = due.clone();
            async move {
                if mine.is_empty() {
                    anyhow::bail!("a client without an issue: fewer issues than clients");
                }
                let k = i as usize % mine.len();
                let (id, step, untouched) = &mut mine[k];
                let (action, body) = match *step % 5 {
                    0 => ("assign", json!({"assignee": "อบต.สะบารัง", "due_on": due})),
                    1 => ("assign", json!({"assignee": "อบต.ตะลุโบะ", "due_on": due, "note": "ส่งต่อ"})),
                    2 => ("address", json!({"action": "ซ่อมผิวถนนช่วงที่ชำรุด 300 เมตร"})),
                    3 => ("close", json!({"outcome": "resolved", "note": "ชาวบ้านยืนยันแล้ว"})),
                    _ => ("reopen", json!({"reason": "ปัญหากลับมาอีก"})),
                };
                let t0 = Instant::now();
                http.post_ok(&format!("/api/issues/{id}/{action}"), &body).await?;
                if std::mem::take(untouched) {
                    first.record(t0.elapsed().as_micros().max(1) as u64)?;
                }
                *step += 1;
                Ok((http, mine, first))
            }
        },
    )
    .await?;
    let mut first = histogram();
    for (_, _, h) in states {
        first.add(&h)?;
    }
    Ok((load, first))
}

/// Runs `clients` concurrent closed-loop clients for `duration` (or, with `pace`, each client starting
/// one operation every `pace`), each calling `op(state, n)`, which hands its state back; returns the
/// merged count and latencies.
async fn clients<S, F, Fut>(
    clients: usize,
    duration: Duration,
    pace: Option<Duration>,
    state: impl FnMut(usize) -> S,
    op: F,
) -> anyhow::Result<Load>
where
    S: Send + 'static,
    F: Fn(S, u64) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = anyhow::Result<S>> + Send,
{
    Ok(clients_with_state(clients, duration, pace, state, op).await?.0)
}

/// [`clients`], handing back every client's final state too.
async fn clients_with_state<S, F, Fut>(
    clients: usize,
    duration: Duration,
    pace: Option<Duration>,
    mut state: impl FnMut(usize) -> S,
    op: F,
) -> anyhow::Result<(Load, Vec<S>)>
where
    S: Send + 'static,
    F: Fn(S, u64) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = anyhow::Result<S>> + Send,
{
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let mut s = state(c);
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut h = histogram();
            let mut n = 0u64;
            let mut ticks = pace.map(|p| {
                // Spread the clients' first ticks over one period so they do not fire in bursts.
                let offset = p.mul_f64(c as f64 / clients as f64);
                let mut i = tokio::time::interval_at(tokio::time::Instant::now() + offset, p);
                i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                i
            });
            loop {
                if let Some(t) = ticks.as_mut() {
                    t.tick().await;
                }
                if Instant::now() >= deadline {
                    break;
                }
                let t0 = Instant::now();
                s = op(s, n).await?;
                h.record(t0.elapsed().as_micros().max(1) as u64)?;
                n += 1;
            }
            Ok::<_, anyhow::Error>((n, h, s))
        }));
    }
    let mut total = Load { ops: 0, elapsed: Duration::ZERO, latency: histogram() };
    let mut states = Vec::with_capacity(clients);
    for t in tasks {
        let (n, h, s) = t.await??;
        total.ops += n;
        total.latency.add(&h)?;
        states.push(s);
    }
    total.elapsed = started.elapsed();
    Ok((total, states))
}

/// The command mix over HTTP.
pub async fn commands(http: &Http, n: usize, duration: Duration, pace: Option<Duration>) -> anyhow::Result<Load> {
    let seed = rand::random_range(1..1_000_000u64);
    let http = http.clone();
    clients(
        n,
        duration,
        pace,
        move |c| (http.clone(), Mix::new(seed * 64 + c as u64)),
        |(http, mut mix), _| async move {
            mix.step(&http).await?;
            Ok((http, mix))
        },
    )
    .await
}

/// The HTTP floor: the same client and server answering `GET /healthz` (no database, no JSON body), to
/// show what the HTTP request alone costs on the machine's shared cores (reported beside P1/P3, not judged).
pub async fn http_floor(http: &Http, n: usize, duration: Duration) -> anyhow::Result<Load> {
    let http = http.clone();
    clients(
        n,
        duration,
        None,
        move |_| http.clone(),
        |http, _| async move {
            http.get_ok("/healthz").await?;
            Ok(http)
        },
    )
    .await
}

/// The raw durable insert over sqlx.
pub async fn raw_inserts(raw: &Raw, n: usize, duration: Duration) -> anyhow::Result<Load> {
    let raw = raw.clone();
    clients(
        n,
        duration,
        None,
        move |_| raw.clone(),
        |raw: Raw, i| async move {
            raw.insert(i).await?;
            Ok(raw)
        },
    )
    .await
}

/// Times `requests` sequential calls of `op` (stopping early after `budget`).
pub async fn timed<F, Fut, T>(requests: usize, budget: Duration, mut op: F) -> anyhow::Result<Histogram<u64>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let mut h = histogram();
    let started = Instant::now();
    for _ in 0..requests {
        let t0 = Instant::now();
        op().await?;
        h.record(t0.elapsed().as_micros().max(1) as u64)?;
        if started.elapsed() > budget && h.len() >= 5 {
            break;
        }
    }
    Ok(h)
}

/// Watches, every `period`, which events are committed and which the read model has applied, and records
/// for each event the time from the first poll that saw it committed to the first that saw it projected
/// (so both ends are quantised the same way, to about one period plus one query).
///
/// New events are found by position above the highest seen less a margin: on PostgreSQL a transaction can
/// commit a lower position after a higher one, but only within the handful of transactions in flight.
pub async fn watch_lag(db: Db, period: Duration, stop: Arc<AtomicBool>) -> anyhow::Result<Histogram<u64>> {
    let Pool::Postgres(pool) = db.pool() else { anyhow::bail!("lag is measured on PostgreSQL") };
    let mut h = histogram();
    let mut seen: HashSet<i64> = HashSet::new();
    let mut pending: HashMap<(i64, i64), Instant> = HashMap::new();
    let mut high: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM events").fetch_one(pool).await?;
    const MARGIN: i64 = 512;
    while !stop.load(Ordering::Relaxed) || !pending.is_empty() {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT tx::text::bigint, position FROM events WHERE position > $1 ORDER BY position")
                .bind(high - MARGIN)
                .fetch_all(pool)
                .await?;
        let now = Instant::now();
        for (tx, position) in rows {
            if seen.insert(position) {
                pending.insert((tx, position), now);
            }
            high = high.max(position);
        }
        seen.retain(|p| *p > high - 2 * MARGIN);
        let cp = santisuk_projections::runner::load_checkpoint(&db, "read_model").await?;
        let now = Instant::now();
        pending.retain(|(tx, position), first| {
            if (*tx, *position) <= (cp.tx, cp.position) {
                let _ = h.record(now.duration_since(*first).as_micros().max(1) as u64);
                false
            } else {
                true
            }
        });
        tokio::time::sleep(period).await;
    }
    Ok(h)
}
