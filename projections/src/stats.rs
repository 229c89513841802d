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

use chrono::{Datelike, NaiveDate};
use santisuk_domain::values::Outcome;
use serde::Serialize;

use crate::binds::{Binds, placeholder};
use crate::changes::Changes;
use crate::read_model::{IssueFilter, Restriction, filter_sql, hidden_sql};
use santisuk_store::db::{Backend, Db, DbTx, Reader};
use santisuk_store::error::StoreError;
use santisuk_store::{on_db, on_reader, on_tx};

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
    /// Resolved problems by whole days from raise to close: a histogram, so medians stay exact when the
    /// counts come from the counters.
    days: BTreeMap<i64, i64>,
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
        for (d, n) in &other.days {
            *self.days.entry(*d).or_default() += n;
        }
    }

    fn finish(self) -> Counters {
        let rate = |n: i64| (self.raised > 0).then(|| n as f64 / self.raised as f64);
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

/// The value of the `rank`-th smallest (1-based) of a histogram's values.
fn ranked(histogram: &BTreeMap<i64, i64>, rank: i64) -> Option<i64> {
    let mut seen = 0;
    histogram.iter().find_map(|(value, n)| {
        seen += n;
        (seen >= rank).then_some(*value)
    })
}

/// The median of a histogram of whole days: the middle value, or the mean of the two middle ones.
pub fn median(histogram: &BTreeMap<i64, i64>) -> Option<f64> {
    let n: i64 = histogram.values().sum();
    if n <= 0 {
        return None;
    }
    let low = ranked(histogram, (n + 1) / 2)?;
    let high = ranked(histogram, n / 2 + 1)?;
    Some(if n % 2 == 1 { low as f64 } else { (low + high) as f64 / 2.0 })
}

/// The nearest-rank percentile of a histogram (the smallest value with at least `p` of them at or below it).
pub fn nearest_rank(histogram: &BTreeMap<i64, i64>, p: f64) -> Option<f64> {
    let n: i64 = histogram.values().sum();
    if n <= 0 {
        return None;
    }
    let rank = ((p * n as f64).ceil() as i64).clamp(1, n);
    ranked(histogram, rank).map(|v| v as f64)
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

/// Where a statistics query reads: the issue rows themselves (live or folded as of an instant), or the
/// counters' cells (`issue_counts` and its unfolded changes; migration 0024).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Rows,
    Counters,
}

/// The SQL expression of a group key over issue rows (`i`) or counter cells (`c`); `a` is the area joined.
fn key_sql(g: GroupBy, source: Source) -> String {
    match (g, source) {
        (GroupBy::Area, Source::Rows) => "i.area_id".into(),
        (GroupBy::Area, Source::Counters) => "c.area_id".into(),
        (GroupBy::Category, Source::Rows) => "i.category".into(),
        (GroupBy::Category, Source::Counters) => "c.category".into(),
        (GroupBy::Amphoe, _) => "a.amphoe_code".into(),
        (GroupBy::Province, _) => "a.province_code".into(),
        (GroupBy::Forum, Source::Rows) => "i.forum_id".into(),
        (GroupBy::Forum, Source::Counters) => "NULLIF(c.forum_id, '')".into(),
        (GroupBy::Month, Source::Rows) => "substr(i.raised_on, 1, 7)".into(),
        (GroupBy::Month, Source::Counters) => "c.month".into(),
        (GroupBy::FiscalYear, Source::Rows) => fiscal_year_sql("i.raised_on"),
        (GroupBy::FiscalYear, Source::Counters) => fiscal_year_sql("c.month"),
        (GroupBy::Agency, Source::Rows) => "i.agency_id".into(),
        (GroupBy::Agency, Source::Counters) => "NULLIF(c.agency_id, '')".into(),
    }
}

/// The Thai fiscal year (Buddhist Era) of a date or month (`YYYY-MM…`), as text: October and later belong to
/// the next year.
fn fiscal_year_sql(column: &str) -> String {
    format!(
        "CAST(CAST(substr({column}, 1, 4) AS INTEGER) + \
         CASE WHEN substr({column}, 6, 2) >= '10' THEN 544 ELSE 543 END AS TEXT)"
    )
}

/// Whole days from raise to close of the issue row `i`, for a problem closed as resolved (else -1): the key
/// of the days-to-resolve histogram. The same expression as the triggers of migration 0024 (PostgreSQL:
/// exact interval arithmetic; SQLite: `julianday`, rounded to the millisecond stored instants are exact to).
fn days_sql(backend: Backend, i: &str) -> String {
    let span = match backend {
        Backend::Postgres => format!(
            "floor(extract(epoch FROM ({i}.closed_at::timestamptz - {i}.raised_at::timestamptz)) / 86400)::bigint"
        ),
        Backend::Sqlite => format!(
            "CAST(round((julianday({i}.closed_at) - julianday({i}.raised_at)) * 86400000) AS INTEGER) / 86400000"
        ),
    };
    format!(
        "CASE WHEN {i}.status = 'closed' AND {i}.outcome = 'resolved' AND {i}.closed_at IS NOT NULL \
         THEN {span} ELSE -1 END"
    )
}

/// The key columns of a counter cell, in the tables' order.
const CELL_COLUMNS: &str = "area_id, category, month, status, outcome, days, forum_id, agency_id, duplicate, \
     confirmed, escalated, due_month, restricted, raised_by_user, closed_month";

/// How many key columns a cell has ([`CELL_COLUMNS`]).
const CELL_KEYS: usize = 15;

/// The cell of the issue row `i`, in [`CELL_COLUMNS`] order: the expressions of the triggers (migrations
/// 0024 and 0025).
fn cell_sql(backend: Backend, i: &str) -> String {
    format!(
        "{i}.area_id, {i}.category, substr({i}.raised_on, 1, 7), {i}.status, COALESCE({i}.outcome, ''), {days}, \
         COALESCE({i}.forum_id, ''), COALESCE({i}.agency_id, ''), \
         CASE WHEN {i}.duplicate_of IS NOT NULL THEN 1 ELSE 0 END, \
         CASE WHEN {i}.verdict = 'confirmed' THEN 1 ELSE 0 END, \
         CASE WHEN {i}.status <> 'closed' AND {i}.escalation_level > 0 THEN 1 ELSE 0 END, \
         CASE WHEN {i}.status <> 'closed' THEN COALESCE(substr({i}.due_on, 1, 7), '') ELSE '' END, \
         CASE WHEN {i}.restricted THEN 1 ELSE 0 END, COALESCE({i}.raised_by_user, ''), \
         CASE WHEN {i}.status = 'closed' AND {i}.closed_at IS NOT NULL THEN {closed_month} ELSE '' END",
        days = days_sql(backend, i),
        closed_month = closed_month_sql(backend, i),
    )
}

/// The Bangkok month (`YYYY-MM`) of the row `i`'s close time.
fn closed_month_sql(backend: Backend, i: &str) -> String {
    match backend {
        Backend::Postgres => format!("to_char({i}.closed_at::timestamptz AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM')"),
        // Asia/Bangkok keeps UTC+7 all year.
        Backend::Sqlite => format!("strftime('%Y-%m', {i}.closed_at, '+7 hours')"),
    }
}

/// Stops the counters' triggers for the rest of the transaction `tx` (a rebuild, which rewrites every issue
/// row; [`recount`] ends the pause). The row it inserts is never committed, so no other writer sees it.
pub async fn pause_counting(tx: &mut DbTx) -> Result<(), StoreError> {
    // PostgreSQL: a setting local to the transaction, read in the triggers' WHEN (no call per row).
    let sql = match tx.backend() {
        Backend::Postgres => "SELECT set_config('santisuk.counting', 'off', true)",
        Backend::Sqlite => "INSERT INTO issue_counts_paused VALUES (1)",
    };
    on_tx!(tx, t => sqlx::query(sql).execute(&mut **t).await.map(|_| ())?);
    Ok(())
}

/// Ends the pause and counts every cell again from the issue rows, in the transaction `tx`. On PostgreSQL
/// the changes are dropped in the same statement that counts, so both see one snapshot: a change committed
/// by a concurrent command either is dropped with its row counted, or stays for a row not counted.
pub async fn recount(tx: &mut DbTx) -> Result<(), StoreError> {
    let backend = tx.backend();
    let cells = cell_sql(backend, "i");
    let keys = ordinals(CELL_KEYS);
    let count = format!(
        "INSERT INTO issue_counts ({CELL_COLUMNS}, n) SELECT {cells}, COUNT(*) FROM issues i \
         WHERE i.kind = 'community' GROUP BY {keys}"
    );
    let statements = match backend {
        Backend::Postgres => vec![
            "SELECT set_config('santisuk.counting', 'on', true)".to_owned(),
            "DELETE FROM issue_counts".to_owned(),
            format!("WITH dropped AS (DELETE FROM issue_count_changes) {count}"),
        ],
        Backend::Sqlite => vec![
            "DELETE FROM issue_counts_paused".to_owned(),
            "DELETE FROM issue_counts".to_owned(),
            "DELETE FROM issue_count_changes".to_owned(),
            count,
        ],
    };
    for sql in statements {
        on_tx!(tx, t => sqlx::query(&sql).execute(&mut **t).await.map(|_| ())?);
    }
    Ok(())
}

/// Folds the counters' changes into their cells and removes emptied cells, in the transaction `tx` (the
/// read-model runner's, so one instance at a time). Readers add up cells and changes in one statement, so
/// they see the same totals before and after.
pub async fn compact(tx: &mut DbTx) -> Result<(), StoreError> {
    let keys = ordinals(CELL_KEYS);
    let fold = |source: &str| {
        format!(
            "INSERT INTO issue_counts ({CELL_COLUMNS}, n) SELECT {CELL_COLUMNS}, SUM(n) FROM {source} \
             GROUP BY {keys} ON CONFLICT ({CELL_COLUMNS}) DO UPDATE SET n = issue_counts.n + excluded.n"
        )
    };
    match tx {
        DbTx::Postgres(t) => {
            // Deletes exactly the changes it sees, and folds those: changes committed meanwhile stay.
            let sql = format!("WITH moved AS (DELETE FROM issue_count_changes RETURNING *) {}", fold("moved"));
            sqlx::query(&sql).execute(&mut **t).await?;
            sqlx::query("DELETE FROM issue_counts WHERE n = 0").execute(&mut **t).await?;
        }
        DbTx::Sqlite(t) => {
            // The runner holds the only write transaction: nothing is appended meanwhile.
            sqlx::query(&fold("issue_count_changes WHERE true")).execute(&mut **t).await?;
            sqlx::query("DELETE FROM issue_count_changes").execute(&mut **t).await?;
            sqlx::query("DELETE FROM issue_counts WHERE n = 0").execute(&mut **t).await?;
        }
    }
    Ok(())
}

/// The counter cells that disagree with the issue rows (each as "cell: counted n, rows m"), and any stored
/// cell below zero: empty when the counters are right. For tests and for `santisuk verify`-like checks.
pub async fn counters_disagree(db: &Db) -> Result<Vec<String>, StoreError> {
    let cells = cell_sql(db.backend(), "i");
    // One text column for the whole key (the key columns are text and integers).
    let key: Vec<String> = CELL_COLUMNS.split(", ").map(|c| format!("CAST({c} AS TEXT)")).collect();
    let key = key.join(" || '|' || ");
    let sql = format!(
        "SELECT {key}, CAST(SUM(counted) AS BIGINT), CAST(SUM(rows) AS BIGINT) FROM ( \
           SELECT {CELL_COLUMNS}, n AS counted, 0 AS rows FROM issue_counts \
           UNION ALL SELECT {CELL_COLUMNS}, n, 0 FROM issue_count_changes \
           UNION ALL SELECT {cells}, 0, 1 FROM issues i WHERE i.kind = 'community') x \
         GROUP BY {CELL_COLUMNS} HAVING SUM(counted) <> SUM(rows) \
         UNION ALL SELECT {key}, n, -1 FROM issue_counts WHERE n < 0"
    );
    let rows: Vec<(String, i64, i64)> = on_db!(db, p => sqlx::query_as(&sql).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(key, counted, rows)| match rows {
            -1 => format!("{key}: a stored cell of {counted}"),
            rows => format!("{key}: counted {counted}, rows {rows}"),
        })
        .collect())
}

/// Whether the counters can answer `q`: their cells hold raise months, so a window must start on the first
/// day of a month and end on the last day of one (a fiscal year always does), or on today or later: no
/// problem is raised after today (an `at` may not be in the future), so such a window ends with this month's
/// cells. The dashboard's default window, twelve whole months up to today, is one. Live queries only:
/// `today` is the Bangkok date of now.
fn counters_serve(q: &StatsQuery) -> bool {
    q.from.is_none_or(|f| f.day() == 1)
        && q.to.is_none_or(|t| t >= q.today || t.succ_opt().is_some_and(|n| n.day() == 1))
}

/// The window and scope clauses of `q` over issue rows (`raised_on`) or counter cells (`month`).
fn window_sql(q: &StatsQuery, source: Source, binds: &mut Binds) -> String {
    let mut sql = String::new();
    // The fiscal year as a window of its own beside `from` and `to` (all three apply): FY2570 is 2026-10-01 ..
    // 2027-09-30, a date range, so the index on raised_on serves it.
    let fiscal =
        q.fiscal_year.map(|fy| (NaiveDate::from_ymd_opt(fy - 544, 10, 1), NaiveDate::from_ymd_opt(fy - 543, 9, 30)));
    let (starts, ends) = fiscal.unwrap_or_default();
    for (bound, op) in [(q.from, ">="), (q.to, "<="), (starts, ">="), (ends, "<=")] {
        let Some(day) = bound else { continue };
        match source {
            Source::Rows => sql.push_str(&format!(" AND i.raised_on {op} {}", binds.bind(day.to_string()))),
            Source::Counters => {
                sql.push_str(&format!(" AND c.month {op} {}", binds.bind(day.format("%Y-%m").to_string())))
            }
        }
    }
    let column = if source == Source::Rows { "i.area_id" } else { "c.area_id" };
    sql.push_str(&binds.within(column, q.areas.as_deref()));
    sql
}

/// With suppression, whether a row or cell is a case hidden from the reader (1) or not (0): the same rule as
/// `read_model::hidden_sql` (restricted by its flag or its category, not raised by the reader, not in a
/// granted category).
fn hidden_cell_sql(s: &Suppression, binds: &mut Binds) -> String {
    let mut sql = format!(
        "CASE WHEN (c.restricted = 1 OR k.restricted) AND (c.raised_by_user = '' OR c.raised_by_user <> {})",
        binds.bind(s.restriction.user_id.clone())
    );
    if !s.restriction.categories.is_empty() {
        let granted: Vec<String> = s.restriction.categories.iter().map(|c| binds.bind(c.clone())).collect();
        sql.push_str(&format!(" AND c.category NOT IN ({})", granted.join(", ")));
    }
    sql.push_str(" THEN 1 ELSE 0 END");
    sql
}

/// The issue-row part of a statistics statement: the keys (and the hidden flag) of each group of rows.
fn row_keys(q: &StatsQuery, binds: &mut Binds) -> Vec<String> {
    let mut keys: Vec<String> = q.by.iter().map(|g| key_sql(*g, Source::Rows)).collect();
    if let Some(s) = &q.suppress {
        let mut bind = |v: &str| binds.bind(v);
        keys.push(format!("CASE WHEN {} THEN 1 ELSE 0 END", hidden_sql(&s.restriction, &mut bind)));
    }
    keys
}

/// Positions `1..=n` for a `GROUP BY`.
fn ordinals(n: usize) -> String {
    (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

/// Live statistics from the read tables. The counters answer (one statement adding up the cells of the
/// groups); a window that does not follow whole months is counted from the issue rows ([`from_rows`]).
pub async fn live(db: &Db, q: &StatsQuery) -> Result<Stats, StoreError> {
    let groups = live_groups(db, q).await?;
    finish(db.into(), q, groups).await
}

/// Live statistics of `q` under each grouping of `groupings` (its `by` is not used), from one statement
/// grouped by all their dimensions at once: each grouping's groups are sums of those finer groups, and the
/// small-cell suppression is applied to the coarse groups, as [`live`] would. The web dashboard shows three
/// groupings of one window; one pass over the cells costs less than three.
pub async fn live_many(db: &Db, q: &StatsQuery, groupings: &[Vec<GroupBy>]) -> Result<Vec<Stats>, StoreError> {
    let mut all: Vec<GroupBy> = Vec::new();
    for g in groupings.iter().flatten() {
        if !all.contains(g) {
            all.push(*g);
        }
    }
    let fine = live_groups(db, &StatsQuery { by: all.clone(), ..q.clone() }).await?;
    let mut out = Vec::with_capacity(groupings.len());
    for by in groupings {
        let at: Vec<usize> = by.iter().filter_map(|g| all.iter().position(|a| a == g)).collect();
        let mut coarse = Groups::new();
        for (key, (visible, hidden)) in &fine {
            let (v, h) = coarse.entry(at.iter().map(|&i| key[i].clone()).collect()).or_default();
            v.merge(visible);
            h.merge(hidden);
        }
        out.push(finish(db.into(), &StatsQuery { by: by.clone(), ..q.clone() }, coarse).await?);
    }
    Ok(out)
}

/// The groups of [`live`], before suppression: from the counters, or from the rows for a window the
/// counters do not serve.
async fn live_groups(db: &Db, q: &StatsQuery) -> Result<Groups, StoreError> {
    if !counters_serve(q) {
        return rows_groups(db.into(), q).await;
    }
    let mut binds = Binds::default();
    let mut keys: Vec<String> = q.by.iter().map(|g| key_sql(*g, Source::Counters)).collect();
    let categories = if let Some(s) = &q.suppress {
        keys.push(hidden_cell_sql(s, &mut binds));
        " LEFT JOIN categories k ON k.code = c.category"
    } else {
        ""
    };
    let keys_sql: String = keys.iter().map(|k| format!("{k}, ")).collect();
    let window = window_sql(q, Source::Counters, &mut binds);
    let month_start = q.today.with_day(1).unwrap_or(q.today);
    let this_month = binds.bind(month_start.format("%Y-%m").to_string());
    let group = ordinals(keys.len() + 3);
    // Open problems due in an earlier month are overdue whatever today is; those due earlier this month are
    // counted from their rows (few, through the index on open problems' due dates) in the same statement.
    let cells = format!(
        "SELECT {keys_sql}c.status, c.outcome, c.days, CAST(SUM(c.n) AS BIGINT), \
           CAST(SUM(CASE WHEN c.status <> 'closed' AND c.due_month <> '' AND c.due_month < {this_month} \
                THEN c.n ELSE 0 END) AS BIGINT), \
           CAST(SUM(c.escalated * c.n) AS BIGINT), CAST(SUM(c.duplicate * c.n) AS BIGINT), \
           CAST(SUM(c.confirmed * c.n) AS BIGINT) \
         FROM (SELECT * FROM issue_counts UNION ALL SELECT * FROM issue_count_changes) c \
           LEFT JOIN areas a ON a.id = c.area_id{categories} \
         WHERE 1 = 1{window} GROUP BY {group} HAVING SUM(c.n) <> 0"
    );
    let row_keys = row_keys(q, &mut binds);
    let row_keys_sql: String = row_keys.iter().map(|k| format!("{k}, ")).collect();
    let window = window_sql(q, Source::Rows, &mut binds);
    let (start, today) = (binds.bind(month_start.to_string()), binds.bind(q.today.to_string()));
    let due = format!(
        "SELECT {row_keys_sql}i.status, COALESCE(i.outcome, ''), -1, 0, COUNT(*), 0, 0, 0 \
         FROM issues i LEFT JOIN areas a ON a.id = i.area_id \
         WHERE i.kind = 'community'{window} AND i.status <> 'closed' AND i.due_on IS NOT NULL \
           AND i.due_on >= {start} AND i.due_on < {today} \
         GROUP BY {}",
        ordinals(row_keys.len() + 2)
    );
    let sql = format!("{cells} UNION ALL {due}");
    grouped(db.into(), q, &sql, &binds.0).await
}

/// Statistics counted from the issue rows `reader` reads: the live tables (a window that does not follow
/// whole months), or the tables folded from the log as of an instant ([`crate::as_of::AsOf`]). Counting
/// happens in the database, grouped down to the rows' days to resolve.
pub async fn from_rows<'r>(reader: impl Into<Reader<'r>>, q: &StatsQuery) -> Result<Stats, StoreError> {
    let mut reader = reader.into();
    let groups = rows_groups(reader.reborrow(), q).await?;
    finish(reader, q, groups).await
}

/// The groups of [`from_rows`], before suppression.
async fn rows_groups(reader: Reader<'_>, q: &StatsQuery) -> Result<Groups, StoreError> {
    let mut binds = Binds::default();
    let keys = row_keys(q, &mut binds);
    let keys_sql: String = keys.iter().map(|k| format!("{k}, ")).collect();
    let window = window_sql(q, Source::Rows, &mut binds);
    let today = binds.bind(q.today.to_string());
    let days = days_sql(reader.backend(), "i");
    let sql = format!(
        "SELECT {keys_sql}i.status, COALESCE(i.outcome, ''), {days}, CAST(COUNT(*) AS BIGINT), \
           CAST(SUM(CASE WHEN i.status <> 'closed' AND i.due_on IS NOT NULL AND i.due_on < {today} \
                THEN 1 ELSE 0 END) AS BIGINT), \
           CAST(SUM(CASE WHEN i.status <> 'closed' AND i.escalation_level > 0 THEN 1 ELSE 0 END) AS BIGINT), \
           CAST(SUM(CASE WHEN i.duplicate_of IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), \
           CAST(SUM(CASE WHEN i.verdict = 'confirmed' THEN 1 ELSE 0 END) AS BIGINT) \
         FROM issues i LEFT JOIN areas a ON a.id = i.area_id WHERE i.kind = 'community'{window} \
         GROUP BY {}",
        ordinals(keys.len() + 3)
    );
    grouped(reader, q, &sql, &binds.0).await
}

/// Each group's visible cases, and (with suppression) its hidden ones apart.
type Groups = BTreeMap<Vec<Option<String>>, (Acc, Acc)>;

/// Runs a statistics statement (rows of: the keys, the hidden flag with suppression, status, outcome, days
/// to resolve, count, overdue, escalated, duplicates, confirmed) and adds its rows up per group with the
/// design's rules.
async fn grouped(mut reader: Reader<'_>, q: &StatsQuery, sql: &str, binds: &[String]) -> Result<Groups, StoreError> {
    let n = q.by.len();
    let skip = usize::from(q.suppress.is_some());
    let mut groups = Groups::new();
    on_reader!(reader.reborrow(), p => {
        use sqlx::Row;
        let mut query = sqlx::query(sql);
        for b in binds {
            query = query.bind(b);
        }
        for row in query.fetch_all(p).await? {
            let key = (0..n).map(|i| row.try_get::<Option<String>, _>(i)).collect::<Result<Vec<_>, _>>()?;
            let is_hidden = skip == 1 && row.try_get::<i32, _>(n)? == 1;
            let n = n + skip;
            let status: String = row.try_get(n)?;
            let outcome: String = row.try_get(n + 1)?;
            let days: i64 = row.try_get(n + 2)?;
            let count: i64 = row.try_get(n + 3)?;
            let overdue: i64 = row.try_get(n + 4)?;
            let escalated: i64 = row.try_get(n + 5)?;
            // Marked duplicates (closed, outcome `duplicate`) count only in `times_raised`; a confirmed
            // verdict counts only on a problem still closed as resolved (a reopen clears it in the row, but
            // the rule is stated here too, where the figure is defined).
            let duplicates: i64 = row.try_get(n + 6)?;
            let confirmed: i64 = row.try_get(n + 7)?;
            let (visible, hidden) = groups.entry(key).or_default();
            let acc = if is_hidden { hidden } else { visible };
            acc.times_raised += count;
            acc.raised += count - duplicates;
            acc.overdue += overdue;
            acc.escalated += escalated;
            if status == "closed" {
                acc.closed += count - duplicates;
                match outcome.as_str() {
                    "resolved" => {
                        acc.resolved += count;
                        acc.confirmed += confirmed;
                        if days >= 0 && count > 0 {
                            *acc.days.entry(days).or_default() += count;
                        }
                    }
                    "" => {}
                    o => *acc.by_outcome.entry(o.to_owned()).or_default() += count - duplicates,
                }
            }
        }
    });
    Ok(groups)
}

/// Suppresses small groups of hidden cases, adds the quiet areas or categories, and totals.
async fn finish(reader: Reader<'_>, q: &StatsQuery, groups: Groups) -> Result<Stats, StoreError> {
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
fn suppress(groups: Groups, threshold: i64) -> BTreeMap<Vec<Option<String>>, Acc> {
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
            let mut bind = |v: &str| placeholder(&mut binds, v);
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
    Ok(closures_of(rows, suppress))
}

/// Live [`Closures`] of the Bangkok days `from..=to` within `areas` (`None`: every area), `today` being the
/// Bangkok date of now: added up from the counters' cells by close month when the window is whole months (or
/// ends on today or later: nothing closes after now), else counted from the rows ([`closures`] with
/// [`closed_in`], the definition the queue lists with).
pub async fn closures_live(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    areas: Option<Vec<String>>,
    suppress: Option<&Suppression>,
) -> Result<Closures, StoreError> {
    let whole_months = from.day() == 1 && (to >= today || to.succ_opt().is_some_and(|n| n.day() == 1));
    if !whole_months {
        return closures(db, &closed_in(from, to, areas), suppress).await;
    }
    let mut binds = Binds::default();
    let (first, last) = (binds.bind(from.format("%Y-%m").to_string()), binds.bind(to.format("%Y-%m").to_string()));
    let mut clauses = format!(" AND c.closed_month >= {first} AND c.closed_month <= {last}");
    clauses.push_str(&binds.within("c.area_id", areas.as_deref()));
    let (hidden, categories) = match suppress {
        None => ("0".to_owned(), ""),
        Some(s) => (hidden_cell_sql(s, &mut binds), " LEFT JOIN categories k ON k.code = c.category"),
    };
    // A duplicate's closure is counted with its original (as [`closed_in`] says).
    let sql = format!(
        "SELECT {hidden}, CAST(SUM(c.n) AS BIGINT), \
           CAST(SUM(CASE WHEN c.outcome = 'resolved' THEN c.n ELSE 0 END) AS BIGINT) \
         FROM (SELECT * FROM issue_counts UNION ALL SELECT * FROM issue_count_changes) c{categories} \
         WHERE c.status = 'closed' AND c.duplicate = 0{clauses} GROUP BY 1"
    );
    let rows: Vec<(i32, i64, i64)> = on_db!(db, p => {
        let mut q = sqlx::query_as(&sql);
        for b in &binds.0 {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    });
    Ok(closures_of(rows, suppress))
}

/// Closures from `(hidden, closed, resolved)` rows: hidden cases count only when there are at least the
/// suppression's threshold of them.
fn closures_of(rows: Vec<(i32, i64, i64)>, suppress: Option<&Suppression>) -> Closures {
    let threshold = suppress.map_or(0, |s| s.threshold.max(1));
    let (mut closed, mut resolved) = (0, 0);
    for (hidden, n, r) in rows {
        if hidden == 0 || n >= threshold {
            closed += n;
            resolved += r;
        }
    }
    Closures { closed, resolved, resolved_share: (closed > 0).then(|| resolved as f64 / closed as f64) }
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

    /// [`live_many`], each grouping's answer cached as [`StatsCache::live`] caches it: when every one of
    /// them is current, no statement runs.
    pub async fn live_many(
        &self,
        db: &Db,
        q: &StatsQuery,
        groupings: &[Vec<GroupBy>],
    ) -> Result<Vec<Stats>, StoreError> {
        let generation = self.changes.read_model();
        let queries: Vec<StatsQuery> = groupings.iter().map(|by| StatsQuery { by: by.clone(), ..q.clone() }).collect();
        let cached: Option<Vec<Stats>> = {
            let entries = self.lock();
            queries.iter().map(|q| entries.get(q).filter(|(g, _)| *g == generation).map(|(_, s)| s.clone())).collect()
        };
        if let Some(stats) = cached {
            return Ok(stats);
        }
        let stats = live_many(db, q, groupings).await?;
        let mut entries = self.lock();
        if entries.len() + queries.len() > STATS_CACHE_MAX {
            entries.clear();
        }
        for (q, s) in queries.into_iter().zip(&stats) {
            entries.insert(q, (generation, s.clone()));
        }
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
    use santisuk_store::events::parse_ts;
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
        let histogram = |days: &[i64]| {
            days.iter().fold(BTreeMap::new(), |mut h, d| {
                *h.entry(*d).or_default() += 1;
                h
            })
        };
        assert_eq!(median(&histogram(&[1, 2, 4, 10])), Some(3.0));
        assert_eq!(median(&histogram(&[1, 2, 4])), Some(2.0));
        assert_eq!(median(&histogram(&[4, 4, 1, 4])), Some(4.0));
        assert_eq!(median(&histogram(&[0, 1])), Some(0.5));
        assert_eq!(median(&histogram(&[])), None);
        assert_eq!(nearest_rank(&histogram(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0.9), Some(9.0));
        assert_eq!(nearest_rank(&histogram(&[7, 7, 7, 1]), 0.9), Some(7.0));
        assert_eq!(nearest_rank(&histogram(&[3]), 0.9), Some(3.0));
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

    #[tokio::test]
    async fn a_wrong_or_negative_cell_is_reported() {
        let rows = vec![row("a", "A", "closed", Some("resolved"), Some(2.5)), row("b", "A", "raised", None, None)];
        let (db, _dir) = tables(&[], &rows).await;
        assert_eq!(counters_disagree(&db).await.unwrap(), Vec::<String>::new());
        on_db!(&db, p => sqlx::query(
            "INSERT INTO issue_counts VALUES ('A', 'LIV', '2026-11', 'raised', '', -1, '', '', 0, 0, 0, '', 0, '', '', -2)")
            .execute(p).await.map(|_| ()).unwrap());
        let wrong = counters_disagree(&db).await.unwrap();
        assert_eq!(wrong.len(), 2, "{wrong:?}");
        assert!(wrong.contains(&"A|LIV|2026-11|raised||-1|||0|0|0||0||: counted -1, rows 1".to_owned()), "{wrong:?}");
        assert!(wrong.contains(&"A|LIV|2026-11|raised||-1|||0|0|0||0||: a stored cell of -2".to_owned()), "{wrong:?}");
    }

    #[tokio::test]
    async fn the_counters_place_a_closure_in_its_bangkok_month() {
        // Closed 2026-11-30 16:48Z (23:48 in Bangkok, still November) and 18:00Z (01:00 on 1 December).
        let rows = vec![
            row("a", "A", "closed", Some("resolved"), Some(29.7)),
            row("b", "A", "closed", Some("referred"), Some(29.75)),
            row("c", "A", "raised", None, None),
        ];
        let (db, _dir) = tables(&[], &rows).await;
        let today = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        let ymd = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        for ((from, to), expected) in [((ymd(11, 1), ymd(11, 30)), (1, 1)), ((ymd(12, 1), ymd(12, 31)), (1, 0))] {
            let counted = closures_live(&db, from, to, today, None, None).await.unwrap();
            assert_eq!((counted.closed, counted.resolved), expected, "{from}..={to}");
            assert_eq!(counted, closures(&db, &closed_in(from, to, None), None).await.unwrap());
        }
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
