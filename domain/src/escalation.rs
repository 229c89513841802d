//! The escalation rule (issue #17 §2), pure: given when a problem was raised and first assigned, whether it
//! is open, and its category's service level in force, which deadlines it has, whether it is overdue at an
//! instant, and which escalations are due then.
//!
//! One definition serves every path: the background escalator asks [`due`] what to record, the live
//! queue and the as-of reports ask [`overdue`] and [`level_due`] through the same functions (the read model
//! keeps the facts they need on the issue row), so what a report shows for a past day is what the rule
//! said then, whenever the escalator actually ran.
//!
//! The chain: level 0 is the district coordinator, 1 the provincial office, 2 the SBPAC centre (ศอ.บต.).
//! Each passed deadline raises the level by one: the assignment deadline (raised + days to assign) if the
//! problem had no assignment by then, and the resolution deadlines (raised + days to resolve, and once more
//! a full period later) while it is open. An escalation's `at` is the deadline it answers, so an escalator
//! that runs late records the same events as one that ran on time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::service_level::ServiceLevel;
use crate::values::Name;

/// The highest level: the SBPAC centre. No deadline escalates beyond it.
pub const MAX_LEVEL: u8 = 2;

/// Which limit a problem passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Breach {
    /// It had no assignment by its category's days to assign.
    Assignment,
    /// It was still open after its category's days to resolve.
    Resolution,
}

impl Breach {
    pub fn as_str(self) -> &'static str {
        match self {
            Breach::Assignment => "assignment",
            Breach::Resolution => "resolution",
        }
    }
}

/// What the rule needs to know about a problem at the instant it is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub raised_at: DateTime<Utc>,
    /// `at` of its first assignment; one later than the instant asked about is not known then.
    pub first_assigned_at: Option<DateTime<Utc>>,
    /// Not closed at the instant asked about: a closed problem has nothing due.
    pub open: bool,
}

/// One escalation the rule asks for: the level reached, the limit passed, and the deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub level: u8,
    pub breach: Breach,
    pub at: DateTime<Utc>,
}

fn days(n: u32) -> Duration {
    Duration::days(i64::from(n))
}

/// When the problem is due assigned and due resolved under `level` (`None`: no such limit).
pub fn deadlines(raised_at: DateTime<Utc>, level: &ServiceLevel) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    (level.days_to_assign.map(|d| raised_at + days(d)), level.days_to_resolve.map(|d| raised_at + days(d)))
}

/// Every deadline that escalates the problem, in time order, whether or not it has passed yet: the
/// assignment deadline unless it was assigned by then, then the two resolution deadlines. (Whether the
/// problem is open is not considered here; see [`due`].)
pub fn escalating_deadlines(facts: &Facts, level: &ServiceLevel) -> Vec<(DateTime<Utc>, Breach)> {
    let mut out = Vec::with_capacity(3);
    if let Some(by) = level.days_to_assign.map(|d| facts.raised_at + days(d)) {
        if facts.first_assigned_at.is_none_or(|a| a > by) {
            out.push((by, Breach::Assignment));
        }
    }
    if let Some(d) = level.days_to_resolve {
        out.push((facts.raised_at + days(d), Breach::Resolution));
        out.push((facts.raised_at + days(2 * d), Breach::Resolution));
    }
    // Stable: at the same instant the assignment deadline counts first.
    out.sort_by_key(|(at, _)| *at);
    out
}

/// The level the problem should have reached at `now`: one per escalating deadline passed (at or before
/// `now`), at most [`MAX_LEVEL`]. A closed problem has nothing due: 0 (its recorded level stays).
pub fn level_due(facts: &Facts, level: &ServiceLevel, now: DateTime<Utc>) -> u8 {
    if !facts.open {
        return 0;
    }
    let facts = known_at(facts, now);
    let passed = escalating_deadlines(&facts, level).into_iter().filter(|(at, _)| *at <= now).count();
    passed.min(usize::from(MAX_LEVEL)) as u8
}

/// The escalations to record at `now` for a problem now at `current` level: one per level above it up to
/// [`level_due`], each at the deadline that reached it. Empty when nothing is due (so running the
/// escalator again records nothing).
pub fn due(facts: &Facts, level: &ServiceLevel, current: u8, now: DateTime<Utc>) -> Vec<Due> {
    if !facts.open {
        return Vec::new();
    }
    let facts = known_at(facts, now);
    escalating_deadlines(&facts, level)
        .into_iter()
        .filter(|(at, _)| *at <= now)
        .take(usize::from(MAX_LEVEL))
        .enumerate()
        .map(|(i, (at, breach))| Due { level: i as u8 + 1, breach, at })
        .filter(|d| d.level > current)
        .collect()
}

/// Whether the problem is overdue at `now`, and for which limit: still unassigned after its days to
/// assign, or still open after its days to resolve (the resolution limit wins when both passed).
pub fn overdue(facts: &Facts, level: &ServiceLevel, now: DateTime<Utc>) -> Option<Breach> {
    if !facts.open {
        return None;
    }
    let facts = known_at(facts, now);
    let (assign_by, resolve_by) = deadlines(facts.raised_at, level);
    if resolve_by.is_some_and(|by| by < now) {
        return Some(Breach::Resolution);
    }
    if facts.first_assigned_at.is_none() && assign_by.is_some_and(|by| by < now) {
        return Some(Breach::Assignment);
    }
    None
}

/// The facts as they were known at `now`: an assignment after it had not happened yet.
fn known_at(facts: &Facts, now: DateTime<Utc>) -> Facts {
    Facts { first_assigned_at: facts.first_assigned_at.filter(|a| *a <= now), ..*facts }
}

/// Who is responsible at a level: the area's district coordinator (level 0, `None`: the assignee as
/// before), the coordination office of the area's province (1), the SBPAC centre (2).
pub fn responsible(level: u8, province_th: &str) -> Option<Name> {
    let name = match level {
        0 => return None,
        1 => format!("สำนักงานประสานงาน ศอ.บต. จังหวัด{province_th}"),
        _ => "ศูนย์อำนวยการบริหารจังหวัดชายแดนภาคใต้ (ศอ.บต.)".to_owned(),
    };
    Some(Name::parse(&name).expect("a province's name makes a valid name"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(hours: i64) -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::hours(hours)
    }

    fn sl(a: Option<u32>, r: Option<u32>) -> ServiceLevel {
        ServiceLevel { days_to_assign: a, days_to_resolve: r }
    }

    fn open(first_assigned_at: Option<DateTime<Utc>>) -> Facts {
        Facts { raised_at: t(0), first_assigned_at, open: true }
    }

    #[test]
    fn an_unassigned_problem_escalates_at_its_assignment_deadline_and_not_before() {
        let level = sl(Some(1), None);
        assert_eq!(due(&open(None), &level, 0, t(23)), vec![]);
        assert_eq!(overdue(&open(None), &level, t(24)), None, "due at the instant, overdue after it");
        assert_eq!(due(&open(None), &level, 0, t(24)), vec![Due { level: 1, breach: Breach::Assignment, at: t(24) }]);
        assert_eq!(overdue(&open(None), &level, t(25)), Some(Breach::Assignment));
        // Already at level 1: nothing more is due (the escalator may run again).
        assert_eq!(due(&open(None), &level, 1, t(500)), vec![]);
    }

    #[test]
    fn an_assignment_in_time_prevents_the_assignment_escalation_but_a_late_one_does_not() {
        let level = sl(Some(1), None);
        assert_eq!(due(&open(Some(t(10))), &level, 0, t(100)), vec![]);
        assert_eq!(overdue(&open(Some(t(10))), &level, t(100)), None);
        let late = due(&open(Some(t(30))), &level, 0, t(100));
        assert_eq!(late, vec![Due { level: 1, breach: Breach::Assignment, at: t(24) }]);
        // Known at t(26) the assignment at t(30) had not happened yet.
        assert_eq!(overdue(&open(Some(t(30))), &level, t(26)), Some(Breach::Assignment));
    }

    #[test]
    fn an_open_problem_climbs_to_the_centre_and_no_further() {
        let level = sl(Some(1), Some(2));
        let all = due(&open(None), &level, 0, t(24 * 30));
        assert_eq!(
            all,
            vec![
                Due { level: 1, breach: Breach::Assignment, at: t(24) },
                Due { level: 2, breach: Breach::Resolution, at: t(48) },
            ]
        );
        assert_eq!(level_due(&open(None), &level, t(24 * 30)), MAX_LEVEL);
        // Resolution only: the second period escalates again.
        let resolution = due(&open(Some(t(1))), &sl(None, Some(3)), 0, t(24 * 7));
        assert_eq!(resolution.iter().map(|d| (d.level, d.at)).collect::<Vec<_>>(), vec![(1, t(72)), (2, t(144))]);
    }

    #[test]
    fn a_closed_problem_or_one_without_a_service_level_has_nothing_due() {
        let closed = Facts { open: false, ..open(None) };
        assert_eq!(due(&closed, &sl(Some(1), Some(1)), 0, t(1000)), vec![]);
        assert_eq!(overdue(&closed, &sl(Some(1), Some(1)), t(1000)), None);
        assert_eq!(due(&open(None), &ServiceLevel::default(), 0, t(100_000)), vec![]);
        assert_eq!(overdue(&open(None), &ServiceLevel::default(), t(100_000)), None);
    }

    #[test]
    fn the_responsible_office_names_the_province_then_the_centre() {
        assert_eq!(responsible(0, "ปัตตานี"), None);
        assert_eq!(responsible(1, "ปัตตานี").unwrap().as_str(), "สำนักงานประสานงาน ศอ.บต. จังหวัดปัตตานี");
        assert!(responsible(2, "ยะลา").unwrap().as_str().contains("ศอ.บต."));
    }

    fn facts() -> impl Strategy<Value = (Facts, ServiceLevel)> {
        (
            proptest::option::of(0i64..24 * 40),
            proptest::option::of(1u32..10),
            proptest::option::of(1u32..10),
            any::<bool>(),
        )
            .prop_map(|(assigned, a, r, open)| {
                (Facts { raised_at: t(0), first_assigned_at: assigned.map(t), open }, sl(a, r))
            })
    }

    proptest! {
        /// As the clock moves on, the level due never goes down.
        #[test]
        fn the_level_due_never_decreases((facts, level) in facts(), a in 0i64..24 * 60, b in 0i64..24 * 60) {
            let (early, late) = (t(a.min(b)), t(a.max(b)));
            prop_assert!(level_due(&facts, &level, early) <= level_due(&facts, &level, late));
        }

        /// Every escalation is at a deadline that has passed, never before it; levels follow one another
        /// from the current one up to the level due, and recording them leaves nothing due.
        #[test]
        fn an_escalation_is_never_before_its_deadline((facts, level) in facts(), now in 0i64..24 * 60, current in 0u8..=2) {
            let now = t(now);
            let dues = due(&facts, &level, current, now);
            let deadlines = escalating_deadlines(&Facts { first_assigned_at: facts.first_assigned_at.filter(|a| *a <= now), ..facts }, &level);
            for (i, d) in dues.iter().enumerate() {
                prop_assert!(d.at <= now);
                prop_assert!(d.at > facts.raised_at);
                prop_assert!(deadlines.contains(&(d.at, d.breach)));
                prop_assert_eq!(d.level, current + 1 + i as u8);
                prop_assert!(d.level <= MAX_LEVEL);
                if i > 0 {
                    prop_assert!(dues[i - 1].at <= d.at);
                }
            }
            let reached = dues.last().map_or(current, |d| d.level);
            prop_assert!(due(&facts, &level, reached, now).is_empty());
            prop_assert_eq!(reached.max(current), level_due(&facts, &level, now).max(current));
        }

        /// Overdue means a deadline passed: an overdue problem has at least one escalation due by then.
        #[test]
        fn an_overdue_problem_has_passed_a_deadline((facts, level) in facts(), now in 0i64..24 * 60) {
            let now = t(now);
            if overdue(&facts, &level, now).is_some() {
                prop_assert!(level_due(&facts, &level, now) >= 1);
            }
        }
    }
}
