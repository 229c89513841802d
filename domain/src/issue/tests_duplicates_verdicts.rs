//! Given/when/then for issue #17's rules on the `Issue` aggregate: marking a duplicate (§3) and the
//! community's verdict (§6).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use cqrs_es::Aggregate;
use cqrs_es::test::TestFramework;

use super::*;
use crate::values::{
    AreaId, Assignee, CaseNumber, CategoryCode, ForumId, IssueId, IssueKind, IssueStatus, Outcome, Text, Title,
};
use crate::verdict::Verdict;

type IssueTest = TestFramework<Issue>;

fn t(minutes: i64) -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
}

/// The server clock: ten days after the raise.
fn cmd(action: IssueAction) -> IssueCommand {
    IssueCommand { now: t(10 * 24 * 60), action }
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

fn original() -> IssueId {
    IssueId("7c0e5a2b-1d3f-4e6a-8b9c-0d1e2f3a4b5c".parse().unwrap())
}

fn forum() -> ForumId {
    ForumId("0b9c7a3e-4a0e-4d43-9f56-0d4b8a2f1c11".parse().unwrap())
}

fn raised_kind(kind: IssueKind) -> IssueEvent {
    IssueEvent::IssueRaised {
        area_id: AreaId::parse("PTN-01").unwrap(),
        category: CategoryCode::parse(if kind == IssueKind::Community { "INF" } else { "OBS_BUDGET" }).unwrap(),
        title: Title::parse("สะพานข้ามคลองชำรุด").unwrap(),
        description: None,
        forum_id: None,
        raised_by: None,
        at: t(0),
        case_number: Some(CaseNumber::new("PTN", 2569, 2)),
        complainant: None,
        restricted: false,
        kind,
        source: None,
    }
}

fn raised() -> IssueEvent {
    raised_kind(IssueKind::Community)
}

fn assigned() -> IssueEvent {
    IssueEvent::IssueAssigned {
        assignee: Assignee::parse("อบต.ตะลุโบะ").unwrap(),
        due_on: None,
        note: None,
        at: t(10),
        agency: None,
        rule: None,
    }
}

fn addressed() -> IssueEvent {
    IssueEvent::IssueAddressed { action: text("ซ่อมสะพานแล้ว"), note: None, at: t(20) }
}

/// Closed on 2026-11-01 (Bangkok) at t(30).
fn closed(outcome: Outcome) -> IssueEvent {
    IssueEvent::IssueClosed { outcome, note: None, at: t(30) }
}

fn facts() -> DuplicateFacts {
    DuplicateFacts {
        same_issue: false,
        original_duplicate_of: None,
        original_kind: IssueKind::Community,
        own_duplicates: 0,
    }
}

fn mark(facts: DuplicateFacts) -> IssueAction {
    IssueAction::MarkDuplicate(MarkDuplicate {
        of: original(), note: Some(text("สะพานเดียวกัน")), at: t(40), facts
    })
}

fn marked() -> IssueEvent {
    IssueEvent::IssueMarkedDuplicate {
        of: original(), note: Some(text("สะพานเดียวกัน")), at: t(40)
    }
}

fn verdict(v: Verdict, reason: Option<&str>, held_on: NaiveDate, area: &str) -> IssueAction {
    IssueAction::RecordVerdict(RecordVerdict {
        forum: forum(),
        forum_area: AreaId::parse(area).unwrap(),
        forum_held_on: held_on,
        verdict: v,
        reason: reason.map(text),
        at: t(3 * 24 * 60),
    })
}

fn forum_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 4).unwrap()
}

fn recorded(v: Verdict, reason: Option<&str>) -> IssueEvent {
    IssueEvent::CommunityVerdictRecorded { forum_id: forum(), verdict: v, reason: reason.map(text), at: t(3 * 24 * 60) }
}

fn state_after(events: Vec<IssueEvent>) -> Issue {
    let mut issue = Issue::default();
    for e in events {
        issue.apply(e);
    }
    issue
}

// --- duplicates ------------------------------------------------------------------------------------------

#[test]
fn marking_an_open_problem_a_duplicate_closes_it_as_duplicate() {
    IssueTest::with(()).given(vec![raised(), assigned()]).when(cmd(mark(facts()))).then_expect_events(vec![marked()]);
    let issue = state_after(vec![raised(), marked()]);
    assert_eq!(
        (issue.status(), issue.outcome(), issue.duplicate_of()),
        (Some(IssueStatus::Closed), Some(Outcome::Duplicate), Some(original()))
    );
}

#[test]
fn a_problem_is_not_a_duplicate_of_itself() {
    IssueTest::with(())
        .given(vec![raised()])
        .when(cmd(mark(DuplicateFacts { same_issue: true, ..facts() })))
        .then_expect_error(IssueError::DuplicateOfItself);
}

#[test]
fn a_duplicate_of_a_duplicate_is_refused_naming_the_original() {
    let root = IssueId("11111111-2222-4333-8444-555555555555".parse().unwrap());
    IssueTest::with(())
        .given(vec![raised()])
        .when(cmd(mark(DuplicateFacts { original_duplicate_of: Some(root), ..facts() })))
        .then_expect_error(IssueError::DuplicateOfDuplicate { original: root });
    let message = IssueError::DuplicateOfDuplicate { original: root }.to_string();
    assert!(message.contains("11111111-2222-4333-8444-555555555555"), "{message}");
}

/// A problem that others duplicate cannot become a duplicate: with the rule above, no chain and no cycle
/// (A → B → A needs B to have a duplicate) can ever be made.
#[test]
fn a_problem_with_duplicates_of_its_own_is_not_marked_a_duplicate() {
    IssueTest::with(())
        .given(vec![raised()])
        .when(cmd(mark(DuplicateFacts { own_duplicates: 2, ..facts() })))
        .then_expect_error(IssueError::HasDuplicates { count: 2 });
}

#[test]
fn a_closed_problem_is_reopened_before_it_is_marked() {
    IssueTest::with(())
        .given(vec![raised(), closed(Outcome::Withdrawn)])
        .when(cmd(mark(facts())))
        .then_expect_error(IssueError::Closed);
    IssueTest::with(()).given(vec![raised(), marked()]).when(cmd(mark(facts()))).then_expect_error(IssueError::Closed);
}

#[test]
fn an_obstacle_is_not_a_duplicate_of_a_community_problem() {
    IssueTest::with(())
        .given(vec![raised_kind(IssueKind::Obstacle)])
        .when(cmd(mark(facts())))
        .then_expect_error(IssueError::DuplicateOfOtherKind);
}

#[test]
fn reopening_a_duplicate_ends_the_link() {
    let reopened = IssueEvent::IssueReopened { reason: text("คนละสะพาน"), at: t(50) };
    let issue = state_after(vec![raised(), marked(), reopened]);
    assert_eq!((issue.status(), issue.duplicate_of()), (Some(IssueStatus::Raised), None));
}

#[test]
fn marking_before_the_raise_or_in_the_future_is_refused() {
    let IssueAction::MarkDuplicate(mut m) = mark(facts()) else { unreachable!() };
    m.at = t(-1);
    IssueTest::with(())
        .given(vec![raised()])
        .when(cmd(IssueAction::MarkDuplicate(m.clone())))
        .then_expect_error(IssueError::AtBeforeRaise);
    m.at = t(11 * 24 * 60);
    IssueTest::with(())
        .given(vec![raised()])
        .when(cmd(IssueAction::MarkDuplicate(m)))
        .then_expect_error(IssueError::AtInFuture);
}

// --- the community's verdict ------------------------------------------------------------------------------

#[test]
fn the_community_confirms_a_resolved_problem() {
    IssueTest::with(())
        .given(vec![raised(), assigned(), addressed(), closed(Outcome::Resolved)])
        .when(cmd(verdict(Verdict::Confirmed, None, forum_day(), "PTN-01")))
        .then_expect_events(vec![recorded(Verdict::Confirmed, None)]);
}

#[test]
fn a_dispute_reopens_the_problem_with_its_reason() {
    IssueTest::with(())
        .given(vec![raised(), assigned(), addressed(), closed(Outcome::Resolved)])
        .when(cmd(verdict(Verdict::Disputed, Some("สะพานยังโยกอยู่"), forum_day(), "PTN-01")))
        .then_expect_events(vec![recorded(Verdict::Disputed, Some("สะพานยังโยกอยู่"))]);
    let issue = state_after(vec![
        raised(),
        assigned(),
        addressed(),
        closed(Outcome::Resolved),
        recorded(Verdict::Disputed, Some("สะพานยังโยกอยู่")),
    ]);
    assert_eq!((issue.status(), issue.outcome()), (Some(IssueStatus::Assigned), None));
}

#[test]
fn a_dispute_without_a_reason_is_refused() {
    IssueTest::with(())
        .given(vec![raised(), closed(Outcome::Withdrawn)])
        .when(cmd(verdict(Verdict::Disputed, None, forum_day(), "PTN-01")))
        .then_expect_error(IssueError::ReasonRequired);
}

#[test]
fn not_asked_changes_nothing_but_is_recorded() {
    IssueTest::with(())
        .given(vec![raised(), closed(Outcome::Referred)])
        .when(cmd(verdict(Verdict::NotAsked, None, forum_day(), "PTN-01")))
        .then_expect_events(vec![recorded(Verdict::NotAsked, None)]);
    let issue = state_after(vec![raised(), closed(Outcome::Referred), recorded(Verdict::NotAsked, None)]);
    assert_eq!(issue.status(), Some(IssueStatus::Closed));
}

#[test]
fn a_verdict_on_an_open_problem_is_refused() {
    IssueTest::with(())
        .given(vec![raised(), assigned()])
        .when(cmd(verdict(Verdict::Confirmed, None, forum_day(), "PTN-01")))
        .then_expect_error(IssueError::VerdictOnOpen { status: IssueStatus::Assigned });
}

#[test]
fn a_verdict_from_another_areas_forum_is_refused() {
    IssueTest::with(())
        .given(vec![raised(), closed(Outcome::Withdrawn)])
        .when(cmd(verdict(Verdict::NotAsked, None, forum_day(), "YLA-02")))
        .then_expect_error(IssueError::VerdictFromOtherArea);
}

#[test]
fn only_a_resolved_problem_is_confirmed_resolved() {
    IssueTest::with(())
        .given(vec![raised(), closed(Outcome::Referred)])
        .when(cmd(verdict(Verdict::Confirmed, None, forum_day(), "PTN-01")))
        .then_expect_error(IssueError::ConfirmedNotResolved { outcome: Outcome::Referred });
}

#[test]
fn a_duplicate_has_no_verdict_of_its_own() {
    IssueTest::with(())
        .given(vec![raised(), marked()])
        .when(cmd(verdict(Verdict::NotAsked, None, forum_day(), "PTN-01")))
        .then_expect_error(IssueError::VerdictOnDuplicate);
}

#[test]
fn a_forum_held_before_the_closure_cannot_judge_it() {
    let day_before = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
    IssueTest::with(())
        .given(vec![raised(), closed(Outcome::Withdrawn)])
        .when(cmd(verdict(Verdict::NotAsked, None, day_before, "PTN-01")))
        .then_expect_error(IssueError::ForumBeforeClosure);
    // The day of the closure itself is fine: the forum may have been held after it that day.
    let same_day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    assert!(
        IssueTest::with(())
            .given(vec![raised(), closed(Outcome::Withdrawn)])
            .when(cmd(verdict(Verdict::NotAsked, None, same_day, "PTN-01")))
            .inspect_result()
            .is_ok()
    );
}

#[test]
fn an_unknown_issue_gets_no_verdict() {
    IssueTest::with(())
        .given_no_previous_events()
        .when(cmd(verdict(Verdict::Confirmed, None, forum_day(), "PTN-01")))
        .then_expect_error(IssueError::NotFound);
}
