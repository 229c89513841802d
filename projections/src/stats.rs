//! Resolution statistics with the exact definitions of the design: counts, rates, overdue backlog and
//! days to resolve, grouped by area, category, district, province, forum, month or fiscal year.
//!
//! One definition, one query: [`live`] counts in the database with one `GROUP BY` over the `issues` table
//! and brings back only what the medians need ([`median`], [`nearest_rank`]). Live figures run it on the
//! shared tables (cached per query by [`StatsCache`] until the read model changes); figures as of an
//! instant run the same query on the tables folded from the log for that instant
//! ([`crate::as_of::AsOf`]). That the two agree is tested end to end (live against as of "now", after
//! random histories, on both backends).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use santisuk_domain::values::Outcome;
use serde::Serialize;

use crate::changes::Changes;
use crate::read_model::{IssueFilter, Restriction, filter_sql, hidden_sql};
use santisuk_store::db::{Backend, Db, Reader};
use santisuk_store::error::StoreError;
use santisuk_store::events::parse_ts;
use santisuk_store::on_reader;

/// A dimension to group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupBy {
    Area,
    Category,
    Amphoe,
    Province,
    Forum,
    Month,
    FiscalYear,
    /// The agency the problem is referred to now (issue #17; `null`: none).
    Agency,
}

impl GroupBy {
    pub const ALL: [GroupBy; 8] = [
        GroupBy::Area,
        GroupBy::Category,
        GroupBy::Amphoe,
        GroupBy::Province,
        GroupBy::Forum,
        GroupBy::Month,
        GroupBy::FiscalYear,
        GroupBy::Agency,
    ];

    /// The name used in `by=` and the key the group's value has in each row.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            GroupBy::Area => ("area", "area_id"),
            GroupBy::Category => ("category", "category"),
            GroupBy::Amphoe => ("amphoe", "amphoe_code"),
            GroupBy::Province => ("province", "province_code"),
            GroupBy::Forum => ("forum", "forum_id"),
            GroupBy::Month => ("month", "month"),
            GroupBy::FiscalYear => ("fiscal_year", "fiscal_year"),
            GroupBy::Agency => ("agency", "agency_id"),
        }
    }

    /// Parses `by=area,category` (no repeats; order kept).
    pub fn parse_list(raw: &str) -> Option<Vec<GroupBy>> {
        let mut out = Vec::new();
        for part in raw.split(',').map(str::trim) {
            let g = Self::ALL.into_iter().find(|g| g.names().0 == part)?;
            if out.contains(&g) {
                return None;
            }
            out.push(g);
        }
        Some(out)
    }
}

/// The counters of one group, as defined in the design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Counters {
    /// Problems raised, each once: a problem marked a duplicate of another (issue #17 §3) is counted with
    /// its original, not here (nor in `closed` or `unresolved_by_outcome`).
    pub raised: i64,
    /// Times problems were raised: `raised` plus the duplicates raised in the window (a duplicate counts in
    /// its own group, by its own raise), so `times_raised − raised` is how often the group's problems were
    /// raised again.
    pub times_raised: i64,
    pub closed: i64,
    pub resolved: i64,
    /// Issue #17 §6: of `resolved`, those whose closure the community confirmed at a forum (and which are
    /// still closed as resolved).
    pub confirmed: i64,
    pub unresolved: i64,
    /// `unresolved` split by outcome (`unresolved`, `referred`, `duplicate`, `withdrawn`).
    pub unresolved_by_outcome: BTreeMap<String, i64>,
    pub open: i64,
    pub overdue: i64,
    /// Open problems escalated for passing their category's service level (issue #17 §2); as of an
    /// instant, those the rule had escalated by then.
    pub escalated: i64,
    pub resolution_rate: Option<f64>,
    /// `confirmed / raised`, beside `resolution_rate` (`resolved / raised`); null when nothing was raised.
    pub confirmed_rate: Option<f64>,
    pub closure_rate: Option<f64>,
    pub median_days_to_resolve: Option<f64>,
    pub p90_days_to_resolve: Option<f64>,
    /// True when the rates rest on fewer than 10 issues.
    pub small_sample: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsRow {
    /// The group's keys, e.g. `{"area_id": "PTN-01", "category": "LIV"}`.
    #[serde(flatten)]
    pub keys: BTreeMap<&'static str, Option<String>>,
    #[serde(flatten)]
    pub counters: Counters,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub rows: Vec<StatsRow>,
    pub totals: Counters,
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatsQuery {
    pub by: Vec<GroupBy>,
    /// Inclusive window on the Bangkok date of the raise.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only issues raised in this Thai fiscal year (Buddhist Era, e.g. 2570).
    pub fiscal_year: Option<i32>,
    /// The date "overdue" is judged against: the Bangkok date of the as-of instant (or today).
    pub today: NaiveDate,
    /// Only these areas (a coordinator's scope), in the rows and in the totals; `None` means every area.
    pub areas: Option<Vec<String>>,
    /// For a reader who may not read every restricted case: how those cases are counted ([`Suppression`]);
    /// `None` counts every case.
    pub suppress: Option<Suppression>,
}

/// Small-cell suppression for a reader who may not read some restricted cases (the *hidden* ones): a group's
/// hidden cases are counted in it only when the group holds at least `threshold` of them; otherwise they are
/// left out of it (medians and percentiles included), and a group left with no case is not shown. Totals are
/// the sum of what the groups show. So every figure shown rests on no hidden case or on at least `threshold`
/// of them, and adding or removing hidden cases in a group that holds fewer than `threshold` changes no
/// figure at all (tested by a property test).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Suppression {
    pub restriction: Restriction,
    /// At least 1; the server's `--small-cell-threshold` (default [`SMALL_CELL_THRESHOLD`]).
    pub threshold: i64,
}

/// Below this many hidden cases a group does not count them ([`Suppression`]), unless configured otherwise.
pub const SMALL_CELL_THRESHOLD: i64 = 5;

/// Below this many raised issues a rate is flagged as resting on a small sample.
pub const SMALL_SAMPLE: i64 = 10;

#[derive(Default)]
struct Acc {
    raised: i64,
    times_raised: i64,
    closed: i64,
    resolved: i64,
    confirmed: i64,
    by_outcome: BTreeMap<String, i64>,
    overdue: i64,
    escalated: i64,
    days: Vec<f64>,
}

impl Acc {
    fn merge(&mut self, other: &Acc) {
        self.raised += other.raised;
        self.times_raised += other.times_raised;
        self.closed += other.closed;
        self.resolved += other.resolved;
        self.confirmed += other.confirmed;
        self.overdue += other.overdue;
        self.escalated += other.escalated;
        for (o, n) in &other.by_outcome {
            *self.by_outcome.entry(o.clone()).or_default() += n;
        }
        self.days.extend_from_slice(&other.days);
    }

    fn finish(mut self) -> Counters {
        let rate = |n: i64| (self.raised > 0).then(|| n as f64 / self.raised as f64);
        self.days.sort_by(f64::total_cmp);
        let mut by_outcome = self.by_outcome;
        for o in Outcome::ALL.into_iter().filter(|o| *o != Outcome::Resolved) {
            by_outcome.entry(o.as_str().to_owned()).or_default();
        }
        Counters {
            raised: self.raised,
            times_raised: self.times_raised,
            closed: self.closed,
            resolved: self.resolved,
            confirmed: self.confirmed,
            unresolved: self.closed - self.resolved,
            unresolved_by_outcome: by_outcome,
            open: self.raised - self.closed,
            overdue: self.overdue,
            escalated: self.escalated,
            resolution_rate: rate(self.resolved),
            confirmed_rate: rate(self.confirmed),
            closure_rate: rate(self.closed),
            median_days_to_resolve: median(&self.days),
            p90_days_to_resolve: nearest_rank(&self.days, 0.9),
            small_sample: self.raised < SMALL_SAMPLE,
        }
    }
}

fn days_between(raised_at: &str, closed_at: Option<&str>) -> Option<f64> {
    let raised = parse_ts(raised_at).ok()?;
    let closed = parse_ts(closed_at?).ok()?;
    Some((closed - raised).num_milliseconds() as f64 / 86_400_000.0)
}

/// The median of sorted values: the middle one, or the mean of the two middle ones.
pub fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The nearest-rank percentile of sorted values (the smallest value with at least `p` of them at or
/// below it).
pub fn nearest_rank(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Adds the quiet areas or categories, totals every group (each issue is in exactly one), and finishes.
fn assemble<'a>(
    q: &StatsQuery,
    mut groups: BTreeMap<Vec<Option<String>>, Acc>,
    area_ids: impl Iterator<Item = &'a String>,
    category_codes: impl Iterator<Item = &'a String>,
) -> Stats {
    match q.by.as_slice() {
        [GroupBy::Area] => area_ids.filter(|k| q.areas.as_ref().is_none_or(|a| a.contains(k))).for_each(|k| {
            groups.entry(vec![Some(k.clone())]).or_default();
        }),
        [GroupBy::Category] => category_codes.for_each(|k| {
            groups.entry(vec![Some(k.clone())]).or_default();
        }),
        _ => {}
    }
    let mut totals = Acc::default();
    for acc in groups.values() {
        totals.merge(acc);
    }
    let rows = groups
        .into_iter()
        .map(|(key, acc)| StatsRow {
            keys: q.by.iter().map(|g| g.names().1).zip(key).collect(),
            counters: acc.finish(),
        })
        .collect();
    Stats { rows, totals: totals.finish() }
}

/// The SQL expression of a group key.
fn key_sql(g: GroupBy) -> &'static str {
    match g {
        GroupBy::Area => "i.area_id",
        GroupBy::Category => "i.category",
        GroupBy::Amphoe => "a.amphoe_code",
        GroupBy::Province => "a.province_code",
        GroupBy::Forum => "i.forum_id",
        GroupBy::Month => "substr(i.raised_on, 1, 7)",
        GroupBy::FiscalYear => FISCAL_YEAR_SQL,
        GroupBy::Agency => "i.agency_id",
    }
}

/// The Thai fiscal year (Buddhist Era) of `raised_on`, as text: October and later belong to the next year.
const FISCAL_YEAR_SQL: &str = "CAST(CAST(substr(i.raised_on, 1, 4) AS INTEGER) + \
     CASE WHEN substr(i.raised_on, 6, 2) >= '10' THEN 544 ELSE 543 END AS TEXT)";

/// Live statistics from the read tables, in one query. Counting happens in the database (`GROUP BY`);
/// only resolved issues' raise and close times come back (aggregated into one text per group), to
/// compute the medians with the same arithmetic as the as-of path.
pub async fn live<'r>(reader: impl Into<Reader<'r>>, q: &StatsQuery) -> Result<Stats, StoreError> {
    let mut reader = reader.into();
    // Community problems only: coordinators' own obstacles are counted in no statistic (issue #16).
    let mut filter = String::from(" FROM issues i LEFT JOIN areas a ON a.id = i.area_id WHERE i.kind = 'community'");
    let mut binds: Vec<String> = Vec::new();
    let mut bind = |filter: &mut String, clause: &str, value: String| {
        binds.push(value);
        filter.push_str(&clause.replace('?', &format!("${}", binds.len())));
    };
    if let Some(from) = q.from {
        bind(&mut filter, " AND i.raised_on >= ?", from.to_string());
    }
    if let Some(to) = q.to {
        bind(&mut filter, " AND i.raised_on <= ?", to.to_string());
    }
    if let Some(fy) = q.fiscal_year {
        // A date range, so the index on raised_on serves it: FY2570 is 2026-10-01 .. 2027-09-30.
        let ends = fy - 543;
        bind(&mut filter, " AND i.raised_on >= ?", format!("{:04}-10-01", ends - 1));
        bind(&mut filter, " AND i.raised_on <= ?", format!("{ends:04}-09-30"));
    }
    if let Some(areas) = &q.areas {
        if areas.is_empty() {
            filter.push_str(" AND 1 = 0");
        }
        for (n, area) in areas.iter().enumerate() {
            let clause = if n == 0 { " AND i.area_id IN (?" } else { ", ?" };
            bind(&mut filter, clause, area.clone());
        }
        if !areas.is_empty() {
            filter.push(')');
        }
    }
    bind(&mut filter, "", q.today.to_string());
    let today = format!("${}", binds.len());
    // For a reader with hidden cases, whether each case is one (1) or not (0), as one more grouping column
    // after the keys; nothing is added for a reader who sees every case, whose query is unchanged.
    let hidden = q.suppress.as_ref().map(|s| {
        let mut bind = |v: &str| {
            binds.push(v.to_owned());
            format!("${}", binds.len())
        };
        format!("CASE WHEN {} THEN 1 ELSE 0 END", hidden_sql(&s.restriction, &mut bind))
    });
    let mut keys: Vec<&str> = q.by.iter().map(|g| key_sql(*g)).collect();
    let n = keys.len();
    keys.extend(hidden.as_deref());
    // Each key followed by a comma (none for the totals alone).
    let keys_sql: String = keys.iter().map(|k| format!("{k}, ")).collect();
    // The raise and close times of the group's resolved issues, "raised closed" pairs joined by commas
    // (neither contains a space or a comma: RFC 3339 with a fixed format), for the medians: one scan and
    // one row per group instead of a second query returning a row per resolved issue.
    let resolved_times = "CASE WHEN i.status = 'closed' AND i.outcome = 'resolved' AND i.closed_at IS NOT NULL \
         THEN i.raised_at || ' ' || i.closed_at END";
    let resolved_list = match reader.backend() {
        Backend::Sqlite => format!("group_concat({resolved_times}, ',')"),
        Backend::Postgres => format!("string_agg({resolved_times}, ',')"),
    };
    // Grouped by status and outcome too (a few rows per group) and summed below with the rules of
    // `Acc::add`: cheaper for the database than a conditional sum per counter.
    let counts_sql = format!(
        "SELECT {keys_sql}i.status, i.outcome, COUNT(*), \
           SUM(CASE WHEN i.status <> 'closed' AND i.due_on IS NOT NULL AND i.due_on < {today} THEN 1 ELSE 0 END), \
           {resolved_list}, \
           SUM(CASE WHEN i.status <> 'closed' AND i.escalation_level > 0 THEN 1 ELSE 0 END), \
           SUM(CASE WHEN i.duplicate_of IS NOT NULL THEN 1 ELSE 0 END), \
           SUM(CASE WHEN i.verdict = 'confirmed' THEN 1 ELSE 0 END){filter} \
         GROUP BY {keys_sql}i.status, i.outcome"
    );
    let skip = keys.len() - n;
    // Each group's visible cases, and (with suppression) its hidden ones apart.
    let mut groups: BTreeMap<Vec<Option<String>>, (Acc, Acc)> = BTreeMap::new();
    on_reader!(reader.reborrow(), p => {
        use sqlx::Row;
        let mut query = sqlx::query(&counts_sql);
        for b in &binds {
            query = query.bind(b);
        }
        for row in query.fetch_all(p).await? {
            let key = (0..n).map(|i| row.try_get::<Option<String>, _>(i)).collect::<Result<Vec<_>, _>>()?;
            let is_hidden = skip == 1 && row.try_get::<i32, _>(n)? == 1;
            let n = n + skip;
            let status: String = row.try_get(n)?;
            let outcome: Option<String> = row.try_get(n + 1)?;
            let count: i64 = row.try_get(n + 2)?;
            let overdue: Option<i64> = row.try_get(n + 3)?;
            let resolved: Option<String> = row.try_get(n + 4)?;
            let escalated: Option<i64> = row.try_get(n + 5)?;
            // Marked duplicates (closed, outcome `duplicate`) count only in `times_raised`; a confirmed
            // verdict counts only on a problem still closed as resolved (a reopen clears it in the row, but
            // the rule is stated here too, where the figure is defined).
            let duplicates = row.try_get::<Option<i64>, _>(n + 6)?.unwrap_or_default();
            let confirmed = row.try_get::<Option<i64>, _>(n + 7)?.unwrap_or_default();
            let (visible, hidden) = groups.entry(key).or_default();
            let acc = if is_hidden { hidden } else { visible };
            acc.times_raised += count;
            acc.raised += count - duplicates;
            acc.overdue += overdue.unwrap_or_default();
            acc.escalated += escalated.unwrap_or_default();
            if status == "closed" {
                acc.closed += count - duplicates;
                match outcome {
                    Some(o) if o == Outcome::Resolved.as_str() => {
                        acc.resolved += count;
                        acc.confirmed += confirmed;
                    }
                    Some(o) => *acc.by_outcome.entry(o).or_default() += count - duplicates,
                    None => {}
                }
            }
            for pair in resolved.as_deref().unwrap_or_default().split(',').filter(|p| !p.is_empty()) {
                let (raised_at, closed_at) = pair
                    .split_once(' ')
                    .ok_or_else(|| StoreError::corrupt(format!("malformed raise and close times {pair:?}")))?;
                if let Some(days) = days_between(raised_at, Some(closed_at)) {
                    acc.days.push(days);
                }
            }
        }
    });
    let (area_ids, category_codes) = match q.by.as_slice() {
        [GroupBy::Area] => {
            (crate::read_model::list_areas(reader).await?.into_iter().map(|a| a.id).collect(), Vec::new())
        }
        [GroupBy::Category] => {
            (Vec::new(), crate::read_model::list_categories(reader).await?.into_iter().map(|c| c.code).collect())
        }
        _ => (Vec::new(), Vec::new()),
    };
    let threshold = q.suppress.as_ref().map_or(0, |s| s.threshold);
    let groups = suppress(groups, threshold);
    Ok(assemble(q, groups, area_ids.iter(), category_codes.iter()))
}

/// Each group's visible cases, with its hidden ones only when there are at least `threshold` of them; a group
/// left with no case is dropped (see [`Suppression`]).
fn suppress(groups: BTreeMap<Vec<Option<String>>, (Acc, Acc)>, threshold: i64) -> BTreeMap<Vec<Option<String>>, Acc> {
    groups
        .into_iter()
        .filter_map(|(key, (mut visible, hidden))| {
            // Cases, duplicates included: a group of hidden duplicates alone is still a group of hidden cases.
            if hidden.times_raised >= threshold.max(1) {
                visible.merge(&hidden);
            }
            (visible.times_raised > 0).then_some((key, visible))
        })
        .collect()
}

/// The issues *closed* in a window of Bangkok days, whatever day they were raised, and how many of them were
/// closed as resolved: the figure read beside the resolution rate, which does not fall for recent months
/// because their issues are still open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closures {
    pub closed: i64,
    pub resolved: i64,
    /// `resolved ÷ closed`; none when nothing was closed.
    pub resolved_share: Option<f64>,
}

/// The first instant of a Bangkok day, written as stored instants are (so the two compare as text).
pub fn bangkok_midnight(day: NaiveDate) -> String {
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    santisuk_store::events::fmt_ts(local.and_utc() - chrono::Duration::hours(7))
}

/// The issue filter of "closed from `from` to `to` (Bangkok days, inclusive)" within `areas`: the one
/// definition [`closures`] counts with and the queue lists with.
pub fn closed_in(from: NaiveDate, to: NaiveDate, areas: Option<Vec<String>>) -> IssueFilter {
    IssueFilter {
        closed_from: Some(bangkok_midnight(from)),
        closed_before: Some(bangkok_midnight(to.succ_opt().unwrap_or(to))),
        areas,
        // A duplicate's closure is not a problem closed: it is counted with its original (issue #17).
        originals: true,
        ..IssueFilter::default()
    }
}

/// [`Closures`] of the issues `filter` selects (made by [`closed_in`]), from the live tables or from the
/// tables as of an instant; with `suppress`, the hidden cases among them count only when there are at least
/// its threshold of them (one group: see [`Suppression`]).
pub async fn closures<'r>(
    reader: impl Into<Reader<'r>>,
    filter: &IssueFilter,
    suppress: Option<&Suppression>,
) -> Result<Closures, StoreError> {
    let mut binds = Vec::new();
    let clauses = filter_sql(filter, &mut binds);
    let hidden = match suppress {
        None => "0".to_owned(),
        Some(s) => {
            let mut bind = |v: &str| {
                binds.push(v.to_owned());
                format!("${}", binds.len())
            };
            format!("CASE WHEN {} THEN 1 ELSE 0 END", hidden_sql(&s.restriction, &mut bind))
        }
    };
    let sql = format!(
        "SELECT {hidden}, COUNT(*), COALESCE(SUM(CASE WHEN i.outcome = 'resolved' THEN 1 ELSE 0 END), 0) \
         FROM issues i LEFT JOIN areas a ON a.id = i.area_id WHERE 1 = 1{clauses} GROUP BY 1"
    );
    let rows: Vec<(i32, i64, i64)> = on_reader!(reader.into(), p => {
        let mut q = sqlx::query_as(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    });
    let threshold = suppress.map_or(0, |s| s.threshold.max(1));
    let (mut closed, mut resolved) = (0, 0);
    for (hidden, n, r) in rows {
        if hidden == 0 || n >= threshold {
            closed += n;
            resolved += r;
        }
    }
    Ok(Closures { closed, resolved, resolved_share: (closed > 0).then(|| resolved as f64 / closed as f64) })
}

/// Bounds the memory of the cache (cleared when full): one entry per distinct query asked since the
/// last change (a dashboard asks three).
const STATS_CACHE_MAX: usize = 256;

/// Live statistics per query, kept until the read model changes. A dashboard scans every issue row
/// (~200 ms at 250,000 issues on a small machine), while it is viewed far more often than forums add
/// issues: between two changes every viewer gets the same answer from memory.
///
/// Correctness: an entry is used only while the read model's generation ([`Changes::read_model`]) holds the
/// value it had *before* the entry was computed. The application bumps it after every append it commits,
/// so a command's effect is in the very next statistics this instance serves (read-your-writes); the read
/// model bumps it after every batch it projects, and whenever it sees another instance's runner move the
/// checkpoint, so a change committed through *another* instance is seen within the projection lag plus
/// the runner's poll interval (`/readyz` reports the lag). As-of statistics are computed
/// from the log and never cached. Today's date is part of the query, so "overdue" moves with the day.
#[derive(Debug, Clone)]
pub struct StatsCache {
    entries: Arc<Mutex<HashMap<StatsQuery, (u64, Stats)>>>,
    changes: Changes,
}

impl StatsCache {
    /// An empty cache whose entries `changes` outdates.
    pub fn new(changes: Changes) -> StatsCache {
        StatsCache { entries: Arc::default(), changes }
    }

    /// [`live`], answered from the cache while nothing has changed since it was computed.
    pub async fn live(&self, db: &Db, q: &StatsQuery) -> Result<Stats, StoreError> {
        // Read before computing: a change committed while the query runs leaves an entry that the
        // bump following that commit already outdates.
        let generation = self.changes.read_model();
        if let Some((g, stats)) = self.lock().get(q) {
            if *g == generation {
                return Ok(stats.clone());
            }
        }
        let stats = live(db, q).await?;
        let mut entries = self.lock();
        if entries.len() >= STATS_CACHE_MAX {
            entries.clear();
        }
        entries.insert(q.clone(), (generation, stats.clone()));
        Ok(stats)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<StatsQuery, (u64, Stats)>> {
        // Single inserts and clears: a panic elsewhere cannot leave the map inconsistent.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_model::{AREA_INSERT, AreaRow, IssueRow, IssueTable};
    use santisuk_domain::values::IssueStatus;
    use santisuk_store::append::InlineTable;
    use santisuk_store::{SqlValue, bind_row, on_db};

    /// A migrated SQLite file holding these areas and issue rows, and the folder it lives in.
    async fn tables(areas: &[AreaRow], issues: &[IssueRow]) -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(dir.path()).await.unwrap();
        db.migrate().await.unwrap();
        for area in areas {
            let values = area.values();
            on_db!(db, p => bind_row!(sqlx::query(AREA_INSERT), values).execute(p).await.map(|_| ())).unwrap();
        }
        for row in issues {
            let mut values = row.values();
            values.push(SqlValue::Int(row.last_position));
            let sql = IssueTable.upsert_sql(db.backend(), 1);
            on_db!(db, p => bind_row!(sqlx::query(&sql), values).execute(p).await.map(|_| ())).unwrap();
        }
        (db, dir)
    }

    fn row(id: &str, area: &str, status: &str, outcome: Option<&str>, closed_after_days: Option<f64>) -> IssueRow {
        let raised = parse_ts("2026-11-01T00:00:00Z").unwrap();
        IssueRow {
            status: IssueStatus::parse(status).unwrap(),
            outcome: outcome.map(Into::into),
            closed_at: closed_after_days.map(|d| {
                santisuk_store::events::fmt_ts(raised + chrono::Duration::milliseconds((d * 86_400_000.0) as i64))
            }),
            ..IssueRow::open(id, area, "LIV", "t", raised)
        }
    }

    fn query(by: &[GroupBy]) -> StatsQuery {
        StatsQuery {
            by: by.to_vec(),
            from: None,
            to: None,
            fiscal_year: None,
            today: "2026-11-25".parse().unwrap(),
            areas: None,
            suppress: None,
        }
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
        assert_eq!(median(&[1.0, 2.0, 4.0, 10.0]), Some(3.0));
        assert_eq!(median(&[1.0, 2.0, 4.0]), Some(2.0));
        assert_eq!(median(&[]), None);
        assert_eq!(nearest_rank(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9), Some(9.0));
    }

    #[tokio::test]
    async fn counters_follow_the_design_definitions() {
        let mut overdue = row("e", "A", "assigned", None, None);
        overdue.due_on = Some("2026-11-24".into());
        let mut due_today = row("f", "A", "assigned", None, None);
        due_today.due_on = Some("2026-11-25".into());
        let rows = vec![
            row("a", "A", "closed", Some("resolved"), Some(2.0)),
            row("b", "A", "closed", Some("resolved"), Some(4.0)),
            row("c", "A", "closed", Some("referred"), Some(1.0)),
            row("d", "A", "raised", None, None),
            overdue,
            due_today,
        ];
        let (db, _dir) = tables(&[], &rows).await;
        let stats = live(&db, &query(&[])).await.unwrap();
        let t = stats.totals;
        assert_eq!((t.raised, t.closed, t.resolved, t.unresolved, t.open, t.overdue), (6, 3, 2, 1, 3, 1));
        assert_eq!(t.unresolved_by_outcome["referred"], 1);
        assert_eq!(t.resolution_rate, Some(2.0 / 6.0));
        assert_eq!(t.closure_rate, Some(0.5));
        assert_eq!(t.median_days_to_resolve, Some(3.0));
        assert!(t.small_sample);
    }

    #[tokio::test]
    async fn rates_are_null_without_raised_issues_and_quiet_areas_are_listed() {
        let mut areas = Vec::new();
        for id in ["A", "B"] {
            areas.push(AreaRow {
                id: id.into(),
                name_th: id.into(),
                name_en: None,
                amphoe_code: "9401".into(),
                province_code: "94".into(),
                tambon_code: None,
                registered_at: String::new(),
                reached_from: None,
                reached_on: None,
            });
        }
        let rows = vec![row("a", "A", "raised", None, None)];
        let (db, _dir) = tables(&areas, &rows).await;
        let stats = live(&db, &query(&[GroupBy::Area])).await.unwrap();
        assert_eq!(stats.rows.len(), 2);
        let quiet = &stats.rows[1];
        assert_eq!(quiet.keys["area_id"].as_deref(), Some("B"));
        assert_eq!((quiet.counters.raised, quiet.counters.resolution_rate), (0, None));
    }

    #[tokio::test]
    async fn closures_count_by_the_bangkok_day_of_closing() {
        // Raised 2026-11-01T00:00Z; closed 16:48Z (23:48 in Bangkok, 1 November) and 18:00Z (01:00, 2 November).
        let rows = vec![
            row("a", "A", "closed", Some("resolved"), Some(0.7)),
            row("b", "A", "closed", Some("referred"), Some(0.75)),
            row("c", "B", "closed", Some("resolved"), Some(0.75)),
            row("d", "A", "raised", None, None),
        ];
        let (db, _dir) = tables(&[], &rows).await;
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let first = closures(&db, &closed_in(day(1), day(1), None), None).await.unwrap();
        assert_eq!((first.closed, first.resolved, first.resolved_share), (1, 1, Some(1.0)));
        let second = closures(&db, &closed_in(day(2), day(2), None), None).await.unwrap();
        assert_eq!((second.closed, second.resolved), (2, 1));
        let in_a = closures(&db, &closed_in(day(1), day(2), Some(vec!["A".into()])), None).await.unwrap();
        assert_eq!((in_a.closed, in_a.resolved), (2, 1));
        let none = closures(&db, &closed_in(day(3), day(30), None), None).await.unwrap();
        assert_eq!((none.closed, none.resolved_share), (0, None));
        assert_eq!(bangkok_midnight(day(2)), "2026-11-01T17:00:00.000000Z");
    }

    #[test]
    fn group_lists_parse_known_names_without_repeats() {
        assert_eq!(GroupBy::parse_list("area,category"), Some(vec![GroupBy::Area, GroupBy::Category]));
        assert_eq!(GroupBy::parse_list("fiscal_year"), Some(vec![GroupBy::FiscalYear]));
        assert_eq!(GroupBy::parse_list("agency,category"), Some(vec![GroupBy::Agency, GroupBy::Category]));
        assert_eq!(GroupBy::parse_list("area,area"), None);
        assert_eq!(GroupBy::parse_list("village"), None);
        assert_eq!(GroupBy::parse_list(""), None);
    }

    fn suppressed(by: &[GroupBy], threshold: i64) -> StatsQuery {
        let restriction =
            Restriction { categories: vec!["JUS".into()], user_id: "me".into(), own_obstacles_only: false };
        StatsQuery { suppress: Some(Suppression { restriction, threshold }), ..query(by) }
    }

    /// Hidden cases count in a group only from the threshold on; a group of hidden cases alone below it is
    /// not shown; the cases of a granted category and those the reader raised are not hidden at all.
    #[tokio::test]
    async fn hidden_cases_count_only_in_groups_holding_the_threshold_of_them() {
        let hidden = |id: &str, area: &str, month: &str| {
            let mut r = row(id, area, "closed", Some("resolved"), Some(1.0));
            r.restricted = true;
            r.raised_on = format!("2026-{month}-01");
            r
        };
        let mut rows = vec![row("v1", "A", "raised", None, None)];
        rows.extend((0..3).map(|n| hidden(&format!("a{n}"), "A", "11")));
        rows.extend((0..5).map(|n| hidden(&format!("b{n}"), "B", "11")));
        // Area C: two hidden cases alone, in a month of their own.
        rows.extend((0..2).map(|n| hidden(&format!("c{n}"), "C", "10")));
        let mut mine = hidden("mine", "C", "11");
        mine.raised_by_user = Some("me".into());
        let mut granted = hidden("granted", "C", "11");
        granted.category = "JUS".into();
        rows.extend([mine, granted]);
        let (db, _dir) = tables(&[], &rows).await;
        let by_area = live(&db, &suppressed(&[GroupBy::Area], 5)).await.unwrap();
        let raised: Vec<(Option<String>, i64)> =
            by_area.rows.iter().map(|r| (r.keys["area_id"].clone(), r.counters.raised)).collect();
        assert_eq!(raised, [(Some("A".into()), 1), (Some("B".into()), 5), (Some("C".into()), 2)]);
        assert_eq!((by_area.totals.raised, by_area.totals.resolved), (8, 7));
        let b = &by_area.rows[1].counters;
        assert_eq!((b.resolved, b.median_days_to_resolve), (5, Some(1.0)));
        let by_month = live(&db, &suppressed(&[GroupBy::Month], 5)).await.unwrap();
        let months: Vec<_> = by_month.rows.iter().map(|r| r.keys["month"].clone()).collect();
        assert_eq!(months, [Some("2026-11".into())], "October holds two hidden cases only");
        // With a threshold of 2 everything counts; a reader who sees all counts everything whatever it is.
        assert_eq!(live(&db, &suppressed(&[GroupBy::Area], 2)).await.unwrap().totals.raised, 13);
        assert_eq!(live(&db, &query(&[GroupBy::Area])).await.unwrap().totals.raised, 13);
        let all = closed_in("2026-11-01".parse().unwrap(), "2026-11-30".parse().unwrap(), None);
        let s = suppressed(&[], 13);
        assert_eq!(closures(&db, &all, s.suppress.as_ref()).await.unwrap().closed, 2);
        assert_eq!(closures(&db, &all, suppressed(&[], 10).suppress.as_ref()).await.unwrap().closed, 12);
        assert_eq!(closures(&db, &all, None).await.unwrap().closed, 12);
    }
}
