//! Ball-in-court (issue #17 §1): who held each problem, and for how long. An open problem is always
//! waiting for one party ([`Party`]): SBPAC, the agency it was referred to, or the community. Its
//! custody is the list of [`Span`]s, one per stretch of time with one party (and, beside it, the agency
//! the problem was referred to then), kept in the issue's row (`issues.custody`, JSON) by
//! [`crate::read_model::IssueRow::apply`].
//!
//! Why in the row and not a table of intervals: the row is folded by the one function the command's
//! inline write, the projection runner, a rebuild and the as-of fold all use, so the live figures and the
//! figures as of an instant come from the same fold by construction, and a problem's spans change in
//! the same statement as its status. A problem has a handful of spans; the figures read one column of
//! the rows the caller may see and sum them in memory ([`stats`]), which at the project's scale (thousands
//! of problems a year) is one scan, like the resolution statistics.
//!
//! Who holds the ball by default: raised → SBPAC; assigned to an agency → that agency; assigned without
//! an agency (a person) → SBPAC; `IssueWaitingChanged` → the party named; closed → nobody (the span
//! ends); reopened → the agency if the problem has one, else SBPAC. Field times may be entered late
//! and out of order (an action of last week recorded after today's), so a change never starts before the
//! last boundary: spans never overlap, and together they cover exactly the time the problem was open.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
pub use santisuk_domain::agency::Party;
use serde::{Deserialize, Serialize};

use crate::read_model::{IssueFilter, Restriction, filter_sql};
use santisuk_store::db::Reader;
use santisuk_store::error::StoreError;
use santisuk_store::on_reader;

/// One stretch of time a problem waited for one party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub party: Party,
    /// The agency the problem was referred to during the span (whoever held the ball), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_id: Option<String>,
    pub from: DateTime<Utc>,
    /// `None` while the span is open (the problem is waiting for `party` now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
}

/// A problem's spans, oldest first; at most the last one is open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Custody(pub Vec<Span>);

impl TryFrom<String> for Custody {
    type Error = serde_json::Error;

    fn try_from(text: String) -> Result<Custody, serde_json::Error> {
        serde_json::from_str(&text)
    }
}

impl Custody {
    /// A problem raised at `at`: with SBPAC.
    pub fn raised(at: DateTime<Utc>) -> Custody {
        Custody(vec![Span { party: Party::Sbpac, agency_id: None, from: at, to: None }])
    }

    /// The stored form (`issues.custody`).
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "[]".to_owned())
    }

    /// Who the problem waits for now (`None`: closed).
    pub fn current(&self) -> Option<Party> {
        self.0.last().filter(|s| s.to.is_none()).map(|s| s.party)
    }

    /// The last instant anything changed: no later change may start before it.
    fn boundary(&self) -> Option<DateTime<Utc>> {
        self.0.last().map(|s| s.to.unwrap_or(s.from))
    }

    fn clamp(&self, at: DateTime<Utc>) -> DateTime<Utc> {
        self.boundary().map_or(at, |b| at.max(b))
    }

    /// The ball passes to `party` (with `agency_id` the agency of the referral) at `at`. Nothing changes when
    /// it is already there, or when the problem is closed (the domain refuses that anyway).
    pub fn hand_to(&mut self, party: Party, agency_id: Option<&str>, at: DateTime<Utc>) {
        let at = self.clamp(at);
        let Some(open) = self.0.last_mut().filter(|s| s.to.is_none()) else { return };
        if open.party == party && open.agency_id.as_deref() == agency_id {
            return;
        }
        open.to = Some(at);
        self.0.push(Span { party, agency_id: agency_id.map(str::to_owned), from: at, to: None });
    }

    /// Closed at `at`: the open span ends.
    pub fn end(&mut self, at: DateTime<Utc>) {
        let at = self.clamp(at);
        if let Some(open) = self.0.last_mut().filter(|s| s.to.is_none()) {
            open.to = Some(at);
        }
    }

    /// Reopened at `at`, with `party` (no open span before; an open one is left as it is).
    pub fn reopen(&mut self, party: Party, agency_id: Option<&str>, at: DateTime<Utc>) {
        if self.current().is_some() {
            return;
        }
        let at = self.clamp(at);
        self.0.push(Span { party, agency_id: agency_id.map(str::to_owned), from: at, to: None });
    }

    /// Each span with its length in milliseconds, an open one counted up to `until` (never negative).
    pub fn lengths(&self, until: DateTime<Utc>) -> impl Iterator<Item = (&Span, i64)> {
        self.0.iter().map(move |s| {
            let to = s.to.unwrap_or(until);
            (s, (to - s.from).num_milliseconds().max(0))
        })
    }
}

// --- statistics -------------------------------------------------------------------------------------

/// What the ball-in-court figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustodyBy {
    /// The agency the problem was referred to during each span (`null`: not referred to an agency).
    Agency,
    /// The problem's category (as corrected, like the resolution statistics).
    Category,
    /// The party holding the ball.
    Party,
}

impl CustodyBy {
    pub const ALL: [CustodyBy; 3] = [CustodyBy::Agency, CustodyBy::Category, CustodyBy::Party];

    /// The name used in `by=` and the key of the group's value in each row.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            CustodyBy::Agency => ("agency", "agency_id"),
            CustodyBy::Category => ("category", "category"),
            CustodyBy::Party => ("party", "party"),
        }
    }

    pub fn parse(raw: &str) -> Option<CustodyBy> {
        Self::ALL.into_iter().find(|b| b.names().0 == raw.trim())
    }
}

/// A figure for each party.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = CustodyPartyFigures)]
pub struct PartyFigures<T> {
    pub sbpac: T,
    pub agency: T,
    pub community: T,
}

impl<T> PartyFigures<T> {
    fn get_mut(&mut self, party: Party) -> &mut T {
        match party {
            Party::Sbpac => &mut self.sbpac,
            Party::Agency => &mut self.agency,
            Party::Community => &mut self.community,
        }
    }

    fn map<U>(&self, f: impl Fn(&T) -> U) -> PartyFigures<U> {
        PartyFigures { sbpac: f(&self.sbpac), agency: f(&self.agency), community: f(&self.community) }
    }

    fn zip<U, V>(&self, other: &PartyFigures<U>, f: impl Fn(&T, &U) -> V) -> PartyFigures<V> {
        PartyFigures {
            sbpac: f(&self.sbpac, &other.sbpac),
            agency: f(&self.agency, &other.agency),
            community: f(&self.community, &other.community),
        }
    }
}

/// One group's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustodyRow {
    /// The group's key, e.g. `{"agency_id": "…"}`, `{"category": "INF"}` or `{"party": "agency"}`.
    #[serde(flatten)]
    pub keys: BTreeMap<&'static str, Option<String>>,
    /// The problems with any time in the group.
    pub problems: i64,
    /// Days the group's problems spent with each party, in all.
    pub days: PartyFigures<f64>,
    /// Of the group's problems, how many spent any time with each party.
    pub problems_with: PartyFigures<i64>,
    /// Mean days per problem with each party (`days ÷ problems_with`; none when no problem was with it).
    pub mean_days: PartyFigures<Option<f64>>,
    /// The group's problems waiting for each party at the end of the period (now, or the `as_of` instant).
    pub waiting_now: PartyFigures<i64>,
}

/// The figures per group and over every problem.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustodyStats {
    /// `agency`, `category` or `party`.
    pub by: &'static str,
    /// The instant open spans are counted up to (now, or the `as_of` instant).
    pub until: String,
    pub rows: Vec<CustodyRow>,
    pub totals: CustodyRow,
}

/// What to compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyQuery {
    pub by: CustodyBy,
    /// Inclusive window on the Bangkok date of the raise.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Only these areas (a coordinator's scope); `None`: every area.
    pub areas: Option<Vec<String>>,
    /// The restricted cases this reader may not read are left out altogether (`None`: a reader who reads all).
    pub hidden: Option<Restriction>,
    /// Open spans count up to this instant.
    pub until: DateTime<Utc>,
}

#[derive(Default)]
struct Acc {
    problems: BTreeSet<String>,
    ms: PartyFigures<i64>,
    with: PartyFigures<BTreeSet<String>>,
    waiting: PartyFigures<i64>,
}

impl Acc {
    fn add(&mut self, id: &str, party: Party, ms: i64, open: bool) {
        self.problems.insert(id.to_owned());
        *self.ms.get_mut(party) += ms;
        self.with.get_mut(party).insert(id.to_owned());
        if open {
            *self.waiting.get_mut(party) += 1;
        }
    }

    fn finish(&self, keys: BTreeMap<&'static str, Option<String>>) -> CustodyRow {
        let days = self.ms.map(|ms| *ms as f64 / 86_400_000.0);
        let problems_with = self.with.map(|s| s.len() as i64);
        let mean_days = days.zip(&problems_with, |d, n| (*n > 0).then(|| d / *n as f64));
        CustodyRow {
            keys,
            problems: self.problems.len() as i64,
            days,
            problems_with,
            mean_days,
            waiting_now: self.waiting,
        }
    }
}

/// The figures of `q`, from the live tables or from the tables as of an instant ([`crate::as_of::AsOf`]):
/// one query over the issue rows the reader may see (community problems only, like every statistic), summed
/// here in integer milliseconds, so both paths give the same figures to the last digit.
pub async fn stats<'r>(reader: impl Into<Reader<'r>>, q: &CustodyQuery) -> Result<CustodyStats, StoreError> {
    let filter = IssueFilter {
        raised_from: q.from.map(|d| d.to_string()),
        raised_to: q.to.map(|d| d.to_string()),
        areas: q.areas.clone(),
        hidden: q.hidden.clone(),
        ..IssueFilter::default()
    };
    let mut binds = Vec::new();
    let clauses = filter_sql(&filter, &mut binds);
    let sql = format!(
        "SELECT i.id, i.category, i.custody FROM issues i LEFT JOIN areas a ON a.id = i.area_id \
         WHERE 1 = 1{clauses} ORDER BY i.id"
    );
    let rows: Vec<(String, String, String)> = on_reader!(reader.into(), p => {
        let mut query = sqlx::query_as(&sql);
        for b in &binds {
            query = query.bind(b);
        }
        query.fetch_all(p).await?
    });
    let mut groups: BTreeMap<Option<String>, Acc> = BTreeMap::new();
    let mut totals = Acc::default();
    for (id, category, custody) in rows {
        let custody = Custody::try_from(custody).map_err(StoreError::corrupt)?;
        for (span, ms) in custody.lengths(q.until) {
            let key = match q.by {
                CustodyBy::Agency => span.agency_id.clone(),
                CustodyBy::Category => Some(category.clone()),
                CustodyBy::Party => Some(span.party.as_str().to_owned()),
            };
            let open = span.to.is_none();
            groups.entry(key).or_default().add(&id, span.party, ms, open);
            totals.add(&id, span.party, ms, open);
        }
    }
    let name = q.by.names().1;
    Ok(CustodyStats {
        by: q.by.names().0,
        until: santisuk_store::events::fmt_ts(q.until),
        rows: groups.iter().map(|(k, acc)| acc.finish(BTreeMap::from([(name, k.clone())]))).collect(),
        totals: totals.finish(BTreeMap::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t(hours: i64) -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::hours(hours)
    }

    #[test]
    fn the_ball_follows_the_referral_and_the_waiting() {
        let mut c = Custody::raised(t(0));
        c.hand_to(Party::Agency, Some("a"), t(24));
        c.hand_to(Party::Agency, Some("a"), t(30));
        c.hand_to(Party::Community, Some("a"), t(48));
        c.end(t(72));
        assert_eq!(c.current(), None);
        let lengths: Vec<(Party, i64)> = c.lengths(t(1000)).map(|(s, ms)| (s.party, ms / 3_600_000)).collect();
        assert_eq!(lengths, [(Party::Sbpac, 24), (Party::Agency, 24), (Party::Community, 24)]);
        c.reopen(Party::Agency, Some("a"), t(80));
        assert_eq!(c.current(), Some(Party::Agency));
        assert_eq!(c.lengths(t(90)).last().map(|(_, ms)| ms / 3_600_000), Some(10));
    }

    #[test]
    fn a_change_entered_late_never_starts_before_the_last_one() {
        let mut c = Custody::raised(t(10));
        c.hand_to(Party::Agency, Some("a"), t(20));
        // Recorded later, happened "earlier": it starts where the last change left off.
        c.hand_to(Party::Community, Some("a"), t(15));
        c.end(t(12));
        let spans: Vec<_> = c.0.iter().map(|s| (s.from, s.to)).collect();
        assert_eq!(spans, [(t(10), Some(t(20))), (t(20), Some(t(20))), (t(20), Some(t(20)))]);
    }

    #[test]
    fn the_stored_form_is_compact_and_reads_back() {
        let mut c = Custody::raised(t(0));
        c.hand_to(Party::Agency, Some("a"), t(1));
        assert_eq!(
            c.to_text(),
            r#"[{"party":"sbpac","from":"2026-11-01T00:00:00Z","to":"2026-11-01T01:00:00Z"},{"party":"agency","agency_id":"a","from":"2026-11-01T01:00:00Z"}]"#
        );
        assert_eq!(Custody::try_from(c.to_text()).unwrap(), c);
        assert_eq!(CustodyBy::parse("agency"), Some(CustodyBy::Agency));
        assert_eq!(CustodyBy::parse("area"), None);
    }

    /// One change of a generated history: hours after the raise of its field time (any order: late entries).
    #[derive(Debug, Clone)]
    enum Change {
        Hand(Party, Option<&'static str>, i64),
        End(i64),
        Reopen(i64),
    }

    fn change() -> impl proptest::strategy::Strategy<Value = Change> {
        use proptest::prelude::*;
        let party = prop::sample::select(Party::ALL.to_vec());
        let agency = prop::option::of(prop::sample::select(vec!["a", "b"]));
        prop_oneof![
            3 => (party, agency, -50..500_i64).prop_map(|(p, a, h)| Change::Hand(p, a, h)),
            1 => (-50..500_i64).prop_map(Change::End),
            1 => (-50..500_i64).prop_map(Change::Reopen),
        ]
    }

    proptest::proptest! {
        /// Whatever the order of the field times, a problem's spans never overlap, at most the last is open
        /// (open exactly while the problem is), and together they last exactly as long as the problem was open:
        /// from the raise (or a reopening) to a closure, each instant taken no earlier than the last change.
        #[test]
        fn spans_never_overlap_and_sum_to_the_time_the_problem_was_open(changes in proptest::collection::vec(change(), 0..30)) {
            let mut c = Custody::raised(t(0));
            // The independent count: open since when, the last change's instant, and the time open so far.
            let (mut open_since, mut last, mut open_ms) = (Some(t(0)), t(0), 0_i64);
            let mut holder: Option<(Party, Option<&str>)> = Some((Party::Sbpac, None));
            for ch in &changes {
                match ch {
                    Change::Hand(p, a, h) => {
                        c.hand_to(*p, *a, t(*h));
                        if holder.is_some() && holder != Some((*p, *a)) {
                            holder = Some((*p, *a));
                            last = t(*h).max(last);
                        }
                    }
                    Change::End(h) => {
                        c.end(t(*h));
                        if let Some(since) = open_since.take() {
                            let at = t(*h).max(last);
                            open_ms += (at - since).num_milliseconds();
                            last = at;
                            holder = None;
                        }
                    }
                    Change::Reopen(h) => {
                        c.reopen(Party::Sbpac, None, t(*h));
                        if open_since.is_none() {
                            let at = t(*h).max(last);
                            open_since = Some(at);
                            last = at;
                            holder = Some((Party::Sbpac, None));
                        }
                    }
                }
            }
            let until = t(1000);
            if let Some(since) = open_since {
                open_ms += (until - since).num_milliseconds();
            }
            for pair in c.0.windows(2) {
                proptest::prop_assert!(pair[0].to.is_some_and(|to| to <= pair[1].from), "{:?}", c.0);
            }
            for s in &c.0 {
                proptest::prop_assert!(s.to.is_none_or(|to| s.from <= to), "{:?}", c.0);
            }
            proptest::prop_assert_eq!(c.current().is_some(), open_since.is_some());
            let total: i64 = c.lengths(until).map(|(_, ms)| ms).sum();
            proptest::prop_assert_eq!(total, open_ms, "{:?}", c.0);
        }
    }
}
