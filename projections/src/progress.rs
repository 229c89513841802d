//! The progress report of the meeting with the district coordinators (issue #16 §2): per area and per
//! coordinator, what was held, who took part, what was raised and done, and how long each area has gone
//! without a forum; and the per-area trend over quarters.
//!
//! One definition, one set of queries: [`report`] reads the tables `areas`, `forums`,
//! `forum_organisations`, `issues` and `users` through a [`Reader`]. Live reports run it on the shared
//! tables; reports as of an instant run the very same SQL on the temporary tables
//! [`crate::as_of::AsOf::build`] folds from the log for that instant. The queries count in the database
//! (`GROUP BY` area) and bring back a few rows per area; the grouping into target areas, coordinators and
//! totals happens here, in memory, over those rows (tens of areas, about a hundred coordinators).
//!
//! Definitions (the README's "The progress report" says the same to users):
//! - a forum is *held in the period* when its `held_on` day falls in it (both ends included);
//! - participants by partner group are summed over the forums held whose participation is recorded; the
//!   others are counted as `forums_not_recorded`;
//! - organisations engaged: distinct organisations named at the forums held;
//! - problems are community problems only (`issues.kind = 'community'`): *raised* when their Bangkok raise
//!   day is in the period, *resolved* when closed as resolved on a Bangkok day of the period and still
//!   closed at the report's instant, *open* when raised on or before the period's last day and not closed
//!   at the report's instant (now, or the `as_of` instant);
//! - days since the last forum: from the last forum held on or before the report's *end* (the period's
//!   last day, or the report's day if the period has not ended) to that end; an area is *quiet* (flagged)
//!   when it exceeds `quiet_days` or has held no forum at all;
//! - a coordinator's obstacles are the issues of kind `obstacle` they raised, counted like problems.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::binds::Binds;
use crate::read_model::{AreaRow, hidden_sql, list_areas};
use crate::stats::{Suppression, bangkok_midnight};
use santisuk_store::db::Reader;
use santisuk_store::error::StoreError;
use santisuk_store::on_reader;

/// The default of `quiet_days`: an area without a forum for more than a quarter is flagged.
pub const QUIET_DAYS: i64 = 90;

/// The default number of quarters of the trend (the project's horizon of two years).
pub const TREND_QUARTERS: u32 = 8;

/// What to report on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressQuery {
    /// The period, Bangkok days, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The day "days since the last forum" is counted to: the period's last day, or the report's day if the
    /// period has not ended.
    pub end: NaiveDate,
    /// The areas reported (the scope asked, within the caller's); `None` for every area.
    pub areas: Option<Vec<String>>,
    /// The coordinators whose section is shown; `None` for every coordinator.
    pub coordinators: Option<Vec<String>>,
    /// Areas without a forum for more than this many days are flagged.
    pub quiet_days: i64,
    /// Group reached areas under the target area they were reached from (following the marks to the root).
    pub roll_up: bool,
    /// For a reader who may not read some restricted cases: how those count (per area, as the statistics).
    pub suppress: Option<Suppression>,
}

/// The participants of the forums held, by the four partner groups. (Not named `Participants`: in the OpenAPI
/// document that is the forum's head count, and utoipa would let one name silently replace the other.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PartnerGroups {
    /// Forums held whose participation is recorded.
    pub forums_recorded: i64,
    /// Forums held without a recorded participation ("not recorded").
    pub forums_not_recorded: i64,
    pub sbpac_staff: i64,
    pub coordinators: i64,
    /// Community leaders, all roles.
    pub leaders: i64,
    pub villagers: i64,
    /// Villagers by gender, where the forum recorded it.
    pub villagers_women: i64,
    pub villagers_men: i64,
    /// The sum of the four groups (staff, coordinators, leaders, villagers).
    pub total: i64,
}

/// The figures of one area, one group of areas, a coordinator or the totals.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub forums_held: i64,
    /// The head counts of the forums held, where given.
    pub head_count: i64,
    pub participants: PartnerGroups,
    /// Distinct organisations named at the forums held.
    pub organisations_engaged: i64,
    pub problems_raised: i64,
    pub problems_resolved: i64,
    pub problems_open: i64,
    /// The community's verdicts (issue #17 §6) given at the forums held in the period, by verdict
    /// (`confirmed`, `disputed`, `not_asked`; each key present): the verdict each problem holds now, so a
    /// verdict overtaken since (the problem closed again, or reopened) is no longer counted.
    pub verdicts: Option<BTreeMap<String, i64>>,
    /// The day of the last forum held on or before the report's end (`YYYY-MM-DD`), if any.
    pub last_forum_on: Option<String>,
    /// Days from that forum to the report's end; null when no forum was ever held.
    pub days_since_last_forum: Option<i64>,
    /// No forum for more than `quiet_days`, or none at all.
    pub quiet: bool,
}

/// One row of the report: an area, or under roll-up a target area with the areas reached from it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ProgressRow {
    pub area_id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    pub amphoe_code: String,
    pub province_code: String,
    /// A target area (no spreading mark); false for an area reached from another.
    pub target_area: bool,
    /// The area it was reached from (ขยายผล), and when.
    pub reached_from: Option<String>,
    pub reached_on: Option<String>,
    /// The target area at the root of its marks (itself for a target area).
    pub root_area: String,
    /// Under roll-up, the areas the row adds up (the target area first); otherwise the area alone.
    pub areas: Vec<String>,
    #[serde(flatten)]
    #[schema(inline)]
    pub figures: Figures,
}

/// A coordinator's obstacles (issues of kind `obstacle` they raised), counted like problems.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Obstacles {
    pub raised: i64,
    pub resolved: i64,
    pub open: i64,
}

/// A coordinator's section: the figures of their areas within the report's scope, and their obstacles.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CoordinatorRow {
    pub user_id: String,
    pub name: String,
    /// Their areas within the report's scope.
    pub areas: Vec<String>,
    #[serde(flatten)]
    #[schema(inline)]
    pub figures: Figures,
    pub obstacles: Obstacles,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Progress {
    pub from: String,
    pub to: String,
    pub end: String,
    pub quiet_days: i64,
    pub roll_up: bool,
    pub rows: Vec<ProgressRow>,
    pub totals: Figures,
    pub coordinators: Vec<CoordinatorRow>,
}

/// What one area (or group) accumulates before its figures are finished.
#[derive(Debug, Clone, Default)]
struct Acc {
    forums: i64,
    head_count: i64,
    participants: PartnerGroups,
    organisations: BTreeSet<String>,
    raised: i64,
    resolved: i64,
    open: i64,
    verdicts: BTreeMap<String, i64>,
    last_forum: Option<NaiveDate>,
}

impl Acc {
    fn merge(&mut self, o: &Acc) {
        self.forums += o.forums;
        self.head_count += o.head_count;
        let (p, q) = (&mut self.participants, &o.participants);
        p.forums_recorded += q.forums_recorded;
        p.forums_not_recorded += q.forums_not_recorded;
        p.sbpac_staff += q.sbpac_staff;
        p.coordinators += q.coordinators;
        p.leaders += q.leaders;
        p.villagers += q.villagers;
        p.villagers_women += q.villagers_women;
        p.villagers_men += q.villagers_men;
        self.organisations.extend(o.organisations.iter().cloned());
        self.raised += o.raised;
        self.resolved += o.resolved;
        self.open += o.open;
        for (v, n) in &o.verdicts {
            *self.verdicts.entry(v.clone()).or_default() += n;
        }
        self.last_forum = self.last_forum.max(o.last_forum);
    }

    fn finish(&self, q: &ProgressQuery) -> Figures {
        let mut participants = self.participants.clone();
        participants.total =
            participants.sbpac_staff + participants.coordinators + participants.leaders + participants.villagers;
        let days = self.last_forum.map(|d| (q.end - d).num_days());
        Figures {
            forums_held: self.forums,
            head_count: self.head_count,
            participants,
            organisations_engaged: self.organisations.len() as i64,
            problems_raised: self.raised,
            problems_resolved: self.resolved,
            problems_open: self.open,
            verdicts: Some(
                santisuk_domain::verdict::Verdict::ALL
                    .iter()
                    .map(|v| (v.as_str().to_owned(), self.verdicts.get(v.as_str()).copied().unwrap_or(0)))
                    .collect(),
            ),
            last_forum_on: self.last_forum.map(|d| d.to_string()),
            days_since_last_forum: days,
            quiet: days.is_none_or(|d| d > q.quiet_days),
        }
    }
}

/// `SUM(column)` as a 64-bit integer on both backends (PostgreSQL sums a `bigint` column as `numeric`).
fn sum(column: &str) -> String {
    format!("CAST(SUM({column}) AS BIGINT)")
}

/// The forums held in the period, per area: counts and participants (one query).
async fn forum_figures(
    reader: &mut Reader<'_>,
    q: &ProgressQuery,
    accs: &mut BTreeMap<String, Acc>,
) -> Result<(), StoreError> {
    let mut b = Binds::default();
    let (from, to) = (b.bind(q.from.to_string()), b.bind(q.to.to_string()));
    let within = b.within("f.area_id", q.areas.as_deref());
    // A forum's participation is recorded when its villagers count is (set whenever participation is).
    let sql = format!(
        "SELECT f.area_id, COUNT(*), COUNT(f.villagers), {}, {}, {}, {}, {}, {}, {} \
         FROM forums f WHERE f.held_on >= {from} AND f.held_on <= {to}{within} GROUP BY f.area_id",
        sum("f.participants"),
        sum("f.sbpac_staff"),
        sum("f.coordinators"),
        sum("f.leaders"),
        sum("f.villagers"),
        sum("f.villagers_women"),
        sum("f.villagers_men"),
    );
    type Row =
        (String, i64, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = on_reader!(reader.reborrow(), p => {
        let mut query = sqlx::query_as(&sql);
        for v in &b.0 {
            query = query.bind(v);
        }
        query.fetch_all(p).await?
    });
    for (area, n, recorded, head, staff, coordinators, leaders, villagers, women, men) in rows {
        let acc = accs.entry(area).or_default();
        acc.forums += n;
        acc.head_count += head.unwrap_or(0);
        let p = &mut acc.participants;
        p.forums_recorded += recorded;
        p.forums_not_recorded += n - recorded;
        p.sbpac_staff += staff.unwrap_or(0);
        p.coordinators += coordinators.unwrap_or(0);
        p.leaders += leaders.unwrap_or(0);
        p.villagers += villagers.unwrap_or(0);
        p.villagers_women += women.unwrap_or(0);
        p.villagers_men += men.unwrap_or(0);
    }
    // The organisations named at those forums, per area (distinct), and the last forum up to the end.
    let mut b = Binds::default();
    let (from, to) = (b.bind(q.from.to_string()), b.bind(q.to.to_string()));
    let within = b.within("f.area_id", q.areas.as_deref());
    let sql = format!(
        "SELECT DISTINCT f.area_id, fo.organisation_id FROM forum_organisations fo JOIN forums f ON f.id = fo.forum_id \
         WHERE f.held_on >= {from} AND f.held_on <= {to}{within}"
    );
    let pairs: Vec<(String, String)> = on_reader!(reader.reborrow(), p => {
        let mut query = sqlx::query_as(&sql);
        for v in &b.0 {
            query = query.bind(v);
        }
        query.fetch_all(p).await?
    });
    for (area, organisation) in pairs {
        accs.entry(area).or_default().organisations.insert(organisation);
    }
    let mut b = Binds::default();
    let end = b.bind(q.end.to_string());
    let within = b.within("f.area_id", q.areas.as_deref());
    let sql =
        format!("SELECT f.area_id, MAX(f.held_on) FROM forums f WHERE f.held_on <= {end}{within} GROUP BY f.area_id");
    let last: Vec<(String, Option<String>)> = on_reader!(reader.reborrow(), p => {
        let mut query = sqlx::query_as(&sql);
        for v in &b.0 {
            query = query.bind(v);
        }
        query.fetch_all(p).await?
    });
    for (area, day) in last {
        let day = day
            .map(|d| d.parse::<NaiveDate>().map_err(|e| StoreError::corrupt(format!("forum day {d:?}: {e}"))))
            .transpose()?;
        accs.entry(area).or_default().last_forum = day;
    }
    Ok(())
}

/// `(key, hidden, cases, raised, resolved, open)`: see [`issue_counts`].
type IssueCounts = (Option<String>, i32, i64, i64, i64, i64);

/// The issues of `kind` counted in the period, grouped by `key` (an area, or who raised them), with for a
/// reader with hidden cases whether each is one: `(key, hidden, cases, raised, resolved, open)`.
async fn issue_counts(
    reader: &mut Reader<'_>,
    q: &ProgressQuery,
    kind: &str,
    key: &str,
    suppress: Option<&Suppression>,
) -> Result<Vec<IssueCounts>, StoreError> {
    let mut b = Binds::default();
    let kind = b.bind(kind);
    let (from, to) = (b.bind(q.from.to_string()), b.bind(q.to.to_string()));
    let closed_from = b.bind(bangkok_midnight(q.from));
    let closed_before = b.bind(bangkok_midnight(q.to.succ_opt().unwrap_or(q.to)));
    let within = b.within("i.area_id", q.areas.as_deref());
    let hidden = match suppress {
        None => "0".to_owned(),
        Some(s) => format!("CASE WHEN {} THEN 1 ELSE 0 END", hidden_sql(&s.restriction, &mut |v| b.bind(v))),
    };
    let raised = format!("i.raised_on >= {from} AND i.raised_on <= {to}");
    let resolved = format!(
        "i.status = 'closed' AND i.outcome = 'resolved' AND i.closed_at >= {closed_from} AND i.closed_at < {closed_before}"
    );
    let open = format!("i.status <> 'closed' AND i.raised_on <= {to}");
    let sql = format!(
        "SELECT {key}, {hidden}, COUNT(*), {}, {}, {} \
         FROM issues i WHERE i.kind = {kind}{within} AND i.duplicate_of IS NULL \
         AND (({raised}) OR ({resolved}) OR ({open})) GROUP BY 1, 2",
        sum(&format!("CASE WHEN {raised} THEN 1 ELSE 0 END")),
        sum(&format!("CASE WHEN {resolved} THEN 1 ELSE 0 END")),
        sum(&format!("CASE WHEN {open} THEN 1 ELSE 0 END")),
    );
    type Counted = (Option<String>, i32, i64, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Counted> = on_reader!(reader.reborrow(), p => {
        let mut query = sqlx::query_as(&sql);
        for v in &b.0 {
            query = query.bind(v);
        }
        query.fetch_all(p).await?
    });
    Ok(rows.into_iter().map(|(k, h, n, r, s, o)| (k, h, n, r.unwrap_or(0), s.unwrap_or(0), o.unwrap_or(0))).collect())
}

/// The community problems per area, the hidden cases of an area counted only from the threshold on.
async fn problem_figures(
    reader: &mut Reader<'_>,
    q: &ProgressQuery,
    accs: &mut BTreeMap<String, Acc>,
) -> Result<(), StoreError> {
    let threshold = q.suppress.as_ref().map_or(0, |s| s.threshold.max(1));
    for (area, hidden, cases, raised, resolved, open) in
        issue_counts(reader, q, "community", "i.area_id", q.suppress.as_ref()).await?
    {
        if hidden == 1 && cases < threshold {
            continue;
        }
        let acc = accs.entry(area.unwrap_or_default()).or_default();
        acc.raised += raised;
        acc.resolved += resolved;
        acc.open += open;
    }
    verdict_figures(reader, q, accs).await
}

/// The verdicts given at the forums held in the period, per area; an area's hidden cases counted only from
/// the threshold on, as its problems are.
async fn verdict_figures(
    reader: &mut Reader<'_>,
    q: &ProgressQuery,
    accs: &mut BTreeMap<String, Acc>,
) -> Result<(), StoreError> {
    let mut b = Binds::default();
    let (from, to) = (b.bind(q.from.to_string()), b.bind(q.to.to_string()));
    let within = b.within("i.area_id", q.areas.as_deref());
    let hidden = match q.suppress.as_ref() {
        None => "0".to_owned(),
        Some(s) => format!("CASE WHEN {} THEN 1 ELSE 0 END", hidden_sql(&s.restriction, &mut |v| b.bind(v))),
    };
    let sql = format!(
        "SELECT i.area_id, {hidden}, i.verdict, COUNT(*) FROM issues i JOIN forums f ON f.id = i.verdict_forum_id \
         WHERE i.kind = 'community' AND i.verdict IS NOT NULL AND f.held_on >= {from} AND f.held_on <= {to}{within} \
         GROUP BY 1, 2, 3"
    );
    let rows: Vec<(String, i32, String, i64)> = on_reader!(reader.reborrow(), p => {
        let mut query = sqlx::query_as(&sql);
        for v in &b.0 {
            query = query.bind(v);
        }
        query.fetch_all(p).await?
    });
    let threshold = q.suppress.as_ref().map_or(0, |s| s.threshold.max(1));
    let mut hidden_cases: BTreeMap<&str, i64> = BTreeMap::new();
    for (area, hidden, _, n) in &rows {
        if *hidden == 1 {
            *hidden_cases.entry(area).or_default() += n;
        }
    }
    for (area, hidden, verdict, n) in &rows {
        if *hidden == 1 && hidden_cases.get(area.as_str()).copied().unwrap_or(0) < threshold {
            continue;
        }
        *accs.entry(area.clone()).or_default().verdicts.entry(verdict.clone()).or_default() += n;
    }
    Ok(())
}

/// A coordinator as the `users` table has them.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Coordinator {
    id: String,
    name: String,
    areas: String,
}

/// Follows the spreading marks from `id` to the target area at their root (a mark leading nowhere, or back
/// into itself, ends the walk where it is).
pub fn root_of<'a>(areas: &'a BTreeMap<String, AreaRow>, id: &'a str) -> &'a str {
    let mut seen = BTreeSet::new();
    let mut at = id;
    while seen.insert(at) {
        match areas.get(at).and_then(|a| a.reached_from.as_deref()) {
            Some(from) if areas.contains_key(from) => at = from,
            _ => break,
        }
    }
    at
}

/// The report (see the module's comment for every definition).
pub async fn report<'r>(reader: impl Into<Reader<'r>>, q: &ProgressQuery) -> Result<Progress, StoreError> {
    let mut reader = reader.into();
    let areas: BTreeMap<String, AreaRow> =
        list_areas(reader.reborrow()).await?.into_iter().map(|a| (a.id.clone(), a)).collect();
    let in_scope = |id: &str| q.areas.as_ref().is_none_or(|a| a.iter().any(|x| x == id));
    let mut accs: BTreeMap<String, Acc> =
        areas.keys().filter(|id| in_scope(id)).map(|id| (id.clone(), Acc::default())).collect();
    forum_figures(&mut reader, q, &mut accs).await?;
    problem_figures(&mut reader, q, &mut accs).await?;
    // Rows: each area, or each root target area with what was reached from it.
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in accs.keys().filter(|id| areas.contains_key(*id)) {
        let key = if q.roll_up { root_of(&areas, id).to_owned() } else { id.clone() };
        groups.entry(key).or_default().push(id.clone());
    }
    let mut totals = Acc::default();
    let mut rows = Vec::with_capacity(groups.len());
    for (key, mut members) in groups {
        members.sort_by_key(|m| (*m != key, m.clone()));
        let mut acc = Acc::default();
        for m in &members {
            acc.merge(&accs[m]);
        }
        totals.merge(&acc);
        let area = &areas[&key];
        rows.push(ProgressRow {
            area_id: key.clone(),
            name_th: area.name_th.clone(),
            name_en: area.name_en.clone(),
            amphoe_code: area.amphoe_code.clone(),
            province_code: area.province_code.clone(),
            target_area: area.reached_from.is_none(),
            reached_from: area.reached_from.clone(),
            reached_on: area.reached_on.clone(),
            root_area: root_of(&areas, &key).to_owned(),
            areas: members,
            figures: acc.finish(q),
        });
    }
    let coordinators = coordinator_rows(&mut reader, q, &accs).await?;
    Ok(Progress {
        from: q.from.to_string(),
        to: q.to.to_string(),
        end: q.end.to_string(),
        quiet_days: q.quiet_days,
        roll_up: q.roll_up,
        rows,
        totals: totals.finish(q),
        coordinators,
    })
}

/// Each coordinator shown: their areas' figures within the scope, and their own obstacles.
async fn coordinator_rows(
    reader: &mut Reader<'_>,
    q: &ProgressQuery,
    accs: &BTreeMap<String, Acc>,
) -> Result<Vec<CoordinatorRow>, StoreError> {
    let mut b = Binds::default();
    let within = b.within("u.id", q.coordinators.as_deref());
    let sql = format!("SELECT u.id, u.name, u.areas FROM users u WHERE u.role = 'coordinator'{within} ORDER BY u.name");
    let coordinators: Vec<Coordinator> = on_reader!(reader.reborrow(), p => {
        let mut query = sqlx::query_as(&sql);
        for v in &b.0 {
            query = query.bind(v);
        }
        query.fetch_all(p).await?
    });
    // Obstacles are counted whatever their area: they are the coordinator's own work, not an area's.
    let everywhere = ProgressQuery { areas: None, ..q.clone() };
    let mut obstacles: BTreeMap<String, Obstacles> = BTreeMap::new();
    for (by, _, _, raised, resolved, open) in
        issue_counts(reader, &everywhere, "obstacle", "i.raised_by_user", None).await?
    {
        let o = obstacles.entry(by.unwrap_or_default()).or_default();
        o.raised += raised;
        o.resolved += resolved;
        o.open += open;
    }
    Ok(coordinators
        .into_iter()
        .map(|c| {
            let areas: Vec<String> =
                c.areas.split(',').filter(|a| !a.is_empty() && accs.contains_key(*a)).map(str::to_owned).collect();
            let mut acc = Acc::default();
            for a in &areas {
                acc.merge(&accs[a]);
            }
            CoordinatorRow {
                obstacles: obstacles.remove(&c.id).unwrap_or_default(),
                user_id: c.id,
                name: c.name,
                areas,
                figures: acc.finish(q),
            }
        })
        .collect())
}

/// One quarter of an area's trend.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    /// The calendar quarter, `2026-Q4` (Thai fiscal quarter 1 of the year 2570).
    pub quarter: String,
    pub from: String,
    pub to: String,
    pub forums_held: i64,
    /// The participants of the forums held (the four partner groups, where recorded).
    pub participants: i64,
    pub forums_not_recorded: i64,
    pub problems_resolved: i64,
}

/// One area's (or under roll-up one target area's) trend.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrendRow {
    pub area_id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    pub target_area: bool,
    pub areas: Vec<String>,
    pub quarters: Vec<TrendPoint>,
}

/// The trend: the report's rows over `quarters` calendar quarters ending with the one holding `q.end`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Trend {
    pub quarters: Vec<String>,
    pub rows: Vec<TrendRow>,
}

/// The first day of the calendar quarter holding `day`.
pub fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
}

/// The last day of the calendar quarter starting on `start`.
pub fn quarter_end(start: NaiveDate) -> NaiveDate {
    start.checked_add_months(chrono::Months::new(3)).and_then(|d| d.pred_opt()).unwrap_or(start)
}

/// `2026-Q4` for a day of that quarter.
pub fn quarter_name(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), day.month0() / 3 + 1)
}

/// The trend, each quarter answered by [`report`] itself (one definition), on the same reader.
pub async fn trend<'r>(reader: impl Into<Reader<'r>>, q: &ProgressQuery, quarters: u32) -> Result<Trend, StoreError> {
    let mut reader = reader.into();
    let last = quarter_start(q.end);
    let starts: Vec<NaiveDate> =
        (0..quarters).rev().filter_map(|n| last.checked_sub_months(chrono::Months::new(3 * n))).collect();
    let mut rows: BTreeMap<String, TrendRow> = BTreeMap::new();
    for start in &starts {
        let end = quarter_end(*start);
        let one =
            ProgressQuery { from: *start, to: end, end: end.min(q.end), coordinators: Some(Vec::new()), ..q.clone() };
        let report = report(reader.reborrow(), &one).await?;
        for r in report.rows {
            let row = rows.entry(r.area_id.clone()).or_insert_with(|| TrendRow {
                area_id: r.area_id.clone(),
                name_th: r.name_th.clone(),
                name_en: r.name_en.clone(),
                target_area: r.target_area,
                areas: r.areas.clone(),
                quarters: Vec::new(),
            });
            row.quarters.push(TrendPoint {
                quarter: quarter_name(*start),
                from: start.to_string(),
                to: end.to_string(),
                forums_held: r.figures.forums_held,
                participants: r.figures.participants.total,
                forums_not_recorded: r.figures.participants.forums_not_recorded,
                problems_resolved: r.figures.problems_resolved,
            });
        }
    }
    Ok(Trend { quarters: starts.iter().map(|s| quarter_name(*s)).collect(), rows: rows.into_values().collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(id: &str, from: Option<&str>) -> (String, AreaRow) {
        let row = AreaRow {
            id: id.into(),
            name_th: id.into(),
            name_en: None,
            amphoe_code: "9401".into(),
            province_code: "94".into(),
            tambon_code: None,
            registered_at: String::new(),
            reached_from: from.map(Into::into),
            reached_on: from.map(|_| "2026-01-01".into()),
        };
        (id.into(), row)
    }

    #[test]
    fn marks_are_followed_to_the_target_area_at_their_root() {
        let areas: BTreeMap<_, _> =
            [area("T", None), area("A", Some("T")), area("B", Some("A")), area("X", Some("gone"))].into();
        assert_eq!(root_of(&areas, "B"), "T");
        assert_eq!(root_of(&areas, "T"), "T");
        assert_eq!(root_of(&areas, "X"), "X", "a mark to an unknown area ends the walk");
        // A cycle (which the application refuses) still ends.
        let cycle: BTreeMap<_, _> = [area("P", Some("Q")), area("Q", Some("P"))].into();
        assert!(["P", "Q"].contains(&root_of(&cycle, "P")));
    }

    #[test]
    fn quarters_are_calendar_quarters() {
        let d: NaiveDate = "2026-11-15".parse().unwrap();
        assert_eq!(quarter_start(d).to_string(), "2026-10-01");
        assert_eq!(quarter_end(quarter_start(d)).to_string(), "2026-12-31");
        assert_eq!(quarter_name(d), "2026-Q4");
    }
}
