//! The `Issue` aggregate's state and rules: `decide` judges a command, `apply` folds an event.

use chrono::{DateTime, Utc};
use cqrs_es::Aggregate;
use cqrs_es::event_sink::EventSink;
use serde::{Deserialize, Serialize};

use super::command::{IssueAction, IssueCommand};
use super::error::IssueError;
use super::event::Change;
use super::event::IssueEvent;
use crate::agency::{AgencyId, Party};
use crate::time::bangkok_date;
use crate::values::{
    AreaId, Assignee, CaseNumber, CategoryCode, IssueId, IssueKind, IssueStatus, Outcome, Text, Title,
};
use crate::verdict::Verdict;

/// What the rules need to know about an issue; everything else lives in the events and read models.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// `None` until `IssueRaised`: the aggregate does not exist yet.
    status: Option<IssueStatus>,
    raised_at: Option<DateTime<Utc>>,
    assignee: Option<Assignee>,
    outcome: Option<Outcome>,
    /// `None` for issues raised before case numbers (`IssueRaised` 1.0).
    #[serde(default)]
    case_number: Option<CaseNumber>,
    /// What a correction may change, kept so that it can record what each field was.
    #[serde(default)]
    title: Option<Title>,
    #[serde(default)]
    description: Option<Text>,
    #[serde(default)]
    category: Option<CategoryCode>,
    /// Whether the case itself is marked restricted (its category may be restricted too; that is the
    /// application's to know).
    #[serde(default)]
    restricted: bool,
    /// A community problem or a coordinator's obstacle: fixed at the raise (a correction of the category
    /// stays within it).
    #[serde(default)]
    kind: IssueKind,
    /// The agency the problem is referred to by its last assignment (none: a person, or not assigned).
    #[serde(default)]
    agency: Option<AgencyId>,
    /// Who the problem waits for now; `None` while closed.
    #[serde(default)]
    waiting_for: Option<Party>,
    /// How far up the chain it has gone (0: the district coordinator); never goes down.
    #[serde(default)]
    escalation_level: u8,
    /// Issue #17: the area (a verdict comes from a forum of the same area), when the issue was last closed
    /// (a forum before it cannot judge the closure), and the original while it is marked a duplicate.
    #[serde(default)]
    area: Option<AreaId>,
    #[serde(default)]
    closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    duplicate_of: Option<IssueId>,
    /// How many events the issue has: the sequence of the next is one more (issue #17 §4).
    #[serde(default)]
    events: i64,
    /// The sequences of its `IssueAddressed` events: the actions a file may document.
    #[serde(default)]
    actions: Vec<i64>,
}

impl Issue {
    pub fn status(&self) -> Option<IssueStatus> {
        self.status
    }

    pub fn case_number(&self) -> Option<&CaseNumber> {
        self.case_number.as_ref()
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    pub fn restricted(&self) -> bool {
        self.restricted
    }

    pub fn kind(&self) -> IssueKind {
        self.kind
    }

    /// Who the problem waits for now (`None` while closed or before it is raised).
    pub fn waiting_for(&self) -> Option<Party> {
        self.waiting_for
    }

    pub fn escalation_level(&self) -> u8 {
        self.escalation_level
    }

    /// The original, while the issue is marked a duplicate of it.
    pub fn duplicate_of(&self) -> Option<IssueId> {
        self.duplicate_of
    }

    /// Reopening: back to assigned if it has an assignee, else raised (also a disputed verdict's effect).
    fn reopen(&mut self) {
        self.outcome = None;
        self.waiting_for = Some(Party::by_default(self.agency.is_some()));
        self.closed_at = None;
        self.duplicate_of = None;
        self.status = Some(if self.assignee.is_some() { IssueStatus::Assigned } else { IssueStatus::Raised });
    }

    /// Judges a command against the current state; returns the events to append or the rule it breaks.
    pub fn decide(&self, command: IssueCommand) -> Result<Vec<IssueEvent>, IssueError> {
        let IssueCommand { now, action } = command;
        if action.at() > now {
            return Err(IssueError::AtInFuture);
        }
        let IssueAction::Raise(raise) = action else {
            return self.decide_on_existing(action);
        };
        if self.status.is_some() {
            return Err(IssueError::AlreadyRaised);
        }
        let year = crate::time::be_year(raise.at);
        if raise.case_number.as_ref().is_none_or(|n| n.year() != year) {
            return Err(IssueError::BadCaseNumber);
        }
        if raise.category_kind != raise.kind {
            return Err(IssueError::CategoryKindMismatch { kind: raise.kind });
        }
        Ok(vec![IssueEvent::IssueRaised {
            area_id: raise.area,
            category: raise.category,
            title: raise.title,
            description: raise.description,
            forum_id: raise.forum,
            raised_by: raise.raised_by,
            at: raise.at,
            case_number: raise.case_number,
            complainant: raise.complainant,
            restricted: raise.restricted,
            kind: raise.kind,
            source: raise.source,
        }])
    }

    fn decide_on_existing(&self, action: IssueAction) -> Result<Vec<IssueEvent>, IssueError> {
        let (Some(status), Some(raised_at)) = (self.status, self.raised_at) else {
            return Err(IssueError::NotFound);
        };
        if action.at() < raised_at {
            return Err(IssueError::AtBeforeRaise);
        }
        let event = match action {
            IssueAction::Raise(_) => unreachable!("handled by decide"),
            IssueAction::Assign(c) => {
                if status == IssueStatus::Closed {
                    return Err(IssueError::Closed);
                }
                if c.due_on.is_some_and(|due| due < bangkok_date(c.at)) {
                    return Err(IssueError::DueBeforeAssignment);
                }
                if c.agency.is_some() && c.agency_name.is_none() {
                    return Err(IssueError::UnknownAgency);
                }
                if c.rule.is_some() && c.agency.is_none() {
                    return Err(IssueError::RuleWithoutAgency);
                }
                let assignee = c.assignee.or(c.agency_name).ok_or(IssueError::NoAssignee)?;
                IssueEvent::IssueAssigned {
                    assignee,
                    due_on: c.due_on,
                    note: c.note,
                    at: c.at,
                    agency: c.agency,
                    rule: c.rule,
                }
            }
            IssueAction::Wait(c) => {
                let Some(current) = self.waiting_for else { return Err(IssueError::Closed) };
                if c.waiting_for == Party::Agency && self.agency.is_none() {
                    return Err(IssueError::NoAgency);
                }
                if c.waiting_for == current {
                    return Err(IssueError::WaitingUnchanged(current.as_str()));
                }
                IssueEvent::IssueWaitingChanged { waiting_for: c.waiting_for, note: c.note, at: c.at }
            }
            IssueAction::Address(c) => match status {
                IssueStatus::Assigned | IssueStatus::Addressed => {
                    IssueEvent::IssueAddressed { action: c.action, note: c.note, at: c.at }
                }
                IssueStatus::Closed => return Err(IssueError::Closed),
                IssueStatus::Raised => return Err(IssueError::NotAssigned { status }),
            },
            IssueAction::Close(c) => {
                if status == IssueStatus::Closed {
                    return Err(IssueError::Closed);
                }
                if c.outcome == Outcome::Resolved && status != IssueStatus::Addressed {
                    return Err(IssueError::ResolvedWithoutAction { status });
                }
                IssueEvent::IssueClosed { outcome: c.outcome, note: c.note, at: c.at }
            }
            IssueAction::Reopen(c) => {
                if status != IssueStatus::Closed {
                    return Err(IssueError::NotClosed { status });
                }
                IssueEvent::IssueReopened { reason: c.reason, at: c.at }
            }
            // A record can be put right in any status: a typo in a closed problem is still a typo.
            IssueAction::Correct(c) => {
                fn changed<T: PartialEq + Clone>(from: &T, to: Option<T>) -> Option<Change<T>> {
                    to.filter(|to| to != from).map(|to| Change { from: from.clone(), to })
                }
                let title = self.title.as_ref().and_then(|from| changed(from, c.title));
                let description = changed(&self.description, c.description);
                let category = self.category.as_ref().and_then(|from| changed(from, c.category));
                if category.is_some() && c.category_kind != Some(self.kind) {
                    return Err(IssueError::CategoryKindMismatch { kind: self.kind });
                }
                if title.is_none() && description.is_none() && category.is_none() {
                    return Err(IssueError::NothingToCorrect);
                }
                IssueEvent::IssueCorrected { title, description, category, reason: c.reason, at: c.at }
            }
            // Erasure is possible in any status. The issue's own erasure needs a key left to destroy; one
            // that is part of a person's erasure is recorded even without (the person's record went).
            IssueAction::Erase(c) => {
                if c.keys.is_empty() && c.subject.is_none() {
                    return Err(IssueError::AlreadyErased);
                }
                IssueEvent::PersonalDataErased {
                    subject: c.subject,
                    legal_basis: c.legal_basis,
                    keys: c.keys,
                    at: c.at,
                }
            }
            // Sensitivity does not depend on the status: a closed case can still endanger the person.
            IssueAction::Restrict(c) => {
                if c.restricted == self.restricted {
                    return Err(IssueError::RestrictionUnchanged { restricted: self.restricted });
                }
                IssueEvent::IssueRestrictionChanged { restricted: c.restricted, reason: c.reason, at: c.at }
            }
            // Idempotent across escalators: a level reached is refused, so two instances racing (or one
            // running twice) record it once.
            IssueAction::Escalate(c) => {
                if c.level <= self.escalation_level {
                    return Err(IssueError::EscalationReached { level: self.escalation_level });
                }
                if c.level != self.escalation_level + 1 || c.level > crate::escalation::MAX_LEVEL {
                    return Err(IssueError::EscalationSkipsLevel { level: self.escalation_level });
                }
                if status == IssueStatus::Closed {
                    return Err(IssueError::Closed);
                }
                IssueEvent::IssueEscalated { level: c.level, responsible: c.responsible, breach: c.breach, at: c.at }
            }
            // Issue #17 §3. No chains: neither the original nor this issue may already be part of a link in
            // the wrong direction, so every duplicate's original is an original (see ARCHITECTURE.md).
            IssueAction::MarkDuplicate(c) => {
                let facts = c.facts;
                if facts.same_issue {
                    return Err(IssueError::DuplicateOfItself);
                }
                if status == IssueStatus::Closed {
                    return Err(IssueError::Closed);
                }
                if facts.original_kind != self.kind {
                    return Err(IssueError::DuplicateOfOtherKind);
                }
                if let Some(original) = facts.original_duplicate_of {
                    return Err(IssueError::DuplicateOfDuplicate { original });
                }
                if facts.own_duplicates > 0 {
                    return Err(IssueError::HasDuplicates { count: facts.own_duplicates });
                }
                IssueEvent::IssueMarkedDuplicate { of: c.of, note: c.note, at: c.at }
            }
            // Issue #17 §6.
            IssueAction::RecordVerdict(c) => {
                if status != IssueStatus::Closed {
                    return Err(IssueError::VerdictOnOpen { status });
                }
                if self.area.as_ref().is_some_and(|a| *a != c.forum_area) {
                    return Err(IssueError::VerdictFromOtherArea);
                }
                if self.duplicate_of.is_some() {
                    return Err(IssueError::VerdictOnDuplicate);
                }
                if self.closed_at.is_some_and(|closed| bangkok_date(closed) > c.forum_held_on) {
                    return Err(IssueError::ForumBeforeClosure);
                }
                match (c.verdict, self.outcome) {
                    (Verdict::Disputed, _) if c.reason.is_none() => return Err(IssueError::ReasonRequired),
                    (Verdict::Confirmed, Some(outcome)) if outcome != Outcome::Resolved => {
                        return Err(IssueError::ConfirmedNotResolved { outcome });
                    }
                    _ => {}
                }
                IssueEvent::CommunityVerdictRecorded {
                    forum_id: c.forum,
                    verdict: c.verdict,
                    reason: c.reason,
                    at: c.at,
                }
            }
            // A file documents the problem or one of its actions, in any status: the photo of the mended
            // road comes after the closing as often as before it.
            IssueAction::Attach(c) => {
                if c.size == 0 {
                    return Err(IssueError::EmptyFile);
                }
                if let Some(sequence) = c.action.filter(|s| !self.actions.contains(s)) {
                    return Err(IssueError::UnknownAction { sequence });
                }
                IssueEvent::AttachmentAdded {
                    sha256: c.sha256,
                    media_type: c.media_type,
                    size: c.size,
                    name: c.name,
                    action: c.action,
                    thumbnail: c.thumbnail,
                    at: c.at,
                }
            }
        };
        Ok(vec![event])
    }
}

impl Aggregate for Issue {
    /// Stored in every event row: frozen.
    const TYPE: &'static str = "Issue";
    type Command = IssueCommand;
    type Event = IssueEvent;
    type Error = IssueError;
    type Services = ();

    async fn handle(&mut self, command: IssueCommand, _: &(), sink: &EventSink<Self>) -> Result<(), IssueError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: IssueEvent) {
        self.events += 1;
        match event {
            IssueEvent::IssueRaised {
                at,
                case_number,
                title,
                description,
                category,
                restricted,
                kind,
                area_id,
                ..
            } => {
                self.status = Some(IssueStatus::Raised);
                self.area = Some(area_id);
                self.kind = kind;
                self.restricted = restricted;
                self.raised_at = Some(at);
                self.case_number = case_number;
                self.title = Some(title);
                self.description = description;
                self.category = Some(category);
                self.waiting_for = Some(Party::Sbpac);
            }
            IssueEvent::IssueAssigned { assignee, agency, .. } => {
                self.status = Some(IssueStatus::Assigned);
                self.assignee = Some(assignee);
                self.agency = agency;
                self.waiting_for = Some(Party::by_default(agency.is_some()));
            }
            IssueEvent::IssueAddressed { .. } => {
                self.status = Some(IssueStatus::Addressed);
                self.actions.push(self.events);
            }
            IssueEvent::IssueClosed { outcome, at, .. } => {
                self.status = Some(IssueStatus::Closed);
                self.outcome = Some(outcome);
                self.waiting_for = None;
                self.closed_at = Some(at);
            }
            IssueEvent::IssueReopened { .. } => self.reopen(),
            IssueEvent::IssueCorrected { title, description, category, .. } => {
                if let Some(c) = title {
                    self.title = Some(c.to);
                }
                if let Some(c) = description {
                    self.description = c.to;
                }
                if let Some(c) = category {
                    self.category = Some(c.to);
                }
            }
            // The texts now read as erased; a correction after this records "[erased]" as what it was.
            IssueEvent::PersonalDataErased { .. } => {
                if self.description.is_some() {
                    self.description = Some(Text::parse(crate::personal::ERASED).expect("the marker is a valid text"));
                }
            }
            IssueEvent::IssueRestrictionChanged { restricted, .. } => self.restricted = restricted,
            IssueEvent::IssueWaitingChanged { waiting_for, .. } => self.waiting_for = Some(waiting_for),
            IssueEvent::IssueEscalated { level, .. } => self.escalation_level = self.escalation_level.max(level),
            IssueEvent::IssueMarkedDuplicate { of, at, .. } => {
                self.status = Some(IssueStatus::Closed);
                self.outcome = Some(Outcome::Duplicate);
                self.closed_at = Some(at);
                self.duplicate_of = Some(of);
                self.waiting_for = None;
            }
            IssueEvent::CommunityVerdictRecorded { verdict, .. } => {
                if verdict == Verdict::Disputed {
                    self.reopen();
                }
            }
            IssueEvent::AttachmentAdded { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    //! Given past events, when a command arrives, then these events (or this error).
    use super::*;
    use crate::issue::command::*;
    use crate::values::{AreaId, CategoryCode, Text, Title};
    use chrono::{Duration, NaiveDate};
    use cqrs_es::test::TestFramework;

    type IssueTest = TestFramework<Issue>;

    fn t(minutes: i64) -> DateTime<Utc> {
        "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
    }

    /// The server clock in these tests: a day after the issue was raised.
    fn now() -> DateTime<Utc> {
        t(24 * 60)
    }

    fn cmd(action: IssueAction) -> IssueCommand {
        IssueCommand { now: now(), action }
    }

    fn text(s: &str) -> Text {
        Text::parse(s).unwrap()
    }

    fn raise_at(at: DateTime<Utc>) -> IssueAction {
        IssueAction::Raise(RaiseIssue {
            area: AreaId::parse("PTN-01").unwrap(),
            category: CategoryCode::parse("INF").unwrap(),
            title: Title::parse("ถนนชำรุด").unwrap(),
            description: None,
            forum: None,
            raised_by: None,
            at,
            case_number: Some(CaseNumber::new("PTN", crate::time::be_year(at), 1)),
            complainant: None,
            restricted: false,
            kind: IssueKind::Community,
            category_kind: IssueKind::Community,
            source: None,
        })
    }

    fn raised() -> IssueEvent {
        IssueEvent::IssueRaised {
            area_id: AreaId::parse("PTN-01").unwrap(),
            category: CategoryCode::parse("INF").unwrap(),
            title: Title::parse("ถนนชำรุด").unwrap(),
            description: None,
            forum_id: None,
            raised_by: None,
            at: t(0),
            case_number: Some(CaseNumber::new("PTN", crate::time::be_year(t(0)), 1)),
            complainant: None,
            restricted: false,
            kind: IssueKind::Community,
            source: None,
        }
    }

    /// A raise carries a case number of the Buddhist-Era year its `at` falls in (Asia/Bangkok: 31 December
    /// 2026 at 17:00 UTC is already 2570), and none at all is refused.
    #[test]
    fn a_raise_needs_a_case_number_of_its_own_year() {
        let with = |at: DateTime<Utc>, number: Option<CaseNumber>| {
            let IssueAction::Raise(mut r) = raise_at(at) else { unreachable!() };
            r.case_number = number;
            IssueCommand { now: at, action: IssueAction::Raise(r) }
        };
        let new_year = "2026-12-31T17:00:00Z".parse::<DateTime<Utc>>().unwrap();
        for (at, number, ok) in [
            (t(0), Some(CaseNumber::new("PTN", 2569, 4)), true),
            (t(0), Some(CaseNumber::new("YLA", 2570, 4)), false),
            (t(0), None, false),
            (new_year, Some(CaseNumber::new("NWT", 2570, 1)), true),
            (new_year, Some(CaseNumber::new("NWT", 2569, 1)), false),
        ] {
            let result = Issue::default().decide(with(at, number.clone()));
            match ok {
                true => assert!(
                    matches!(&result, Ok(e) if matches!(&e[0], IssueEvent::IssueRaised { case_number, .. } if *case_number == number)),
                    "{number:?}: {result:?}"
                ),
                false => assert_eq!(result, Err(IssueError::BadCaseNumber), "{at} {number:?}"),
            }
        }
    }

    fn assign(at: DateTime<Utc>, due_on: Option<NaiveDate>) -> IssueAction {
        IssueAction::Assign(AssignIssue {
            assignee: Some(Assignee::parse("อบต.ตะลุโบะ").unwrap()),
            agency: None,
            agency_name: None,
            rule: None,
            due_on,
            note: None,
            at,
        })
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

    fn address(at: DateTime<Utc>) -> IssueAction {
        IssueAction::Address(AddressIssue { action: text("ซ่อมแล้ว"), note: None, at })
    }

    fn addressed() -> IssueEvent {
        IssueEvent::IssueAddressed { action: text("ซ่อมแล้ว"), note: None, at: t(20) }
    }

    fn close(outcome: Outcome, at: DateTime<Utc>) -> IssueAction {
        IssueAction::Close(CloseIssue { outcome, note: None, at })
    }

    fn closed(outcome: Outcome) -> IssueEvent {
        IssueEvent::IssueClosed { outcome, note: None, at: t(30) }
    }

    fn reopen(at: DateTime<Utc>) -> IssueAction {
        IssueAction::Reopen(ReopenIssue { reason: text("กลับมาอีก"), at })
    }

    fn reopened() -> IssueEvent {
        IssueEvent::IssueReopened { reason: text("กลับมาอีก"), at: t(40) }
    }

    // --- raise -------------------------------------------------------------------------------------

    #[test]
    fn raising_a_new_issue_records_it() {
        IssueTest::with(()).given_no_previous_events().when(cmd(raise_at(t(0)))).then_expect_events(vec![raised()]);
    }

    #[test]
    fn raising_an_issue_twice_is_rejected() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(raise_at(t(0))))
            .then_expect_error(IssueError::AlreadyRaised);
    }

    #[test]
    fn raising_an_issue_in_the_future_is_rejected() {
        IssueTest::with(())
            .given_no_previous_events()
            .when(cmd(raise_at(now() + Duration::seconds(1))))
            .then_expect_error(IssueError::AtInFuture);
    }

    #[test]
    fn raising_an_issue_that_happened_last_week_is_allowed() {
        let last_week = now() - Duration::days(7);
        let result = IssueTest::with(()).given_no_previous_events().when(cmd(raise_at(last_week))).inspect_result();
        assert_eq!(result.unwrap()[0].at(), last_week);
    }

    // --- commands on an issue that does not exist ---------------------------------------------------

    #[test]
    fn acting_on_an_issue_that_was_never_raised_is_not_found() {
        for action in [assign(t(1), None), address(t(1)), close(Outcome::Withdrawn, t(1)), reopen(t(1))] {
            IssueTest::with(()).given_no_previous_events().when(cmd(action)).then_expect_error(IssueError::NotFound);
        }
    }

    // --- assign ------------------------------------------------------------------------------------

    fn agency() -> crate::agency::AgencyId {
        crate::agency::AgencyId(uuid::Uuid::from_u128(7))
    }

    fn rule() -> crate::routing::RoutingRuleId {
        crate::routing::RoutingRuleId(uuid::Uuid::from_u128(9))
    }

    /// An assignment to an agency: the agency's Thai name (as the application found it) unless a person is named.
    fn refer(
        at: DateTime<Utc>,
        person: Option<&str>,
        name: Option<&str>,
        rule: Option<crate::routing::RoutingRuleId>,
    ) -> IssueAction {
        IssueAction::Assign(AssignIssue {
            assignee: person.map(|p| Assignee::parse(p).unwrap()),
            agency: Some(agency()),
            agency_name: name.map(|n| Assignee::parse(n).unwrap()),
            rule,
            due_on: None,
            note: None,
            at,
        })
    }

    fn referred(assignee: &str, rule: Option<crate::routing::RoutingRuleId>) -> IssueEvent {
        IssueEvent::IssueAssigned {
            assignee: Assignee::parse(assignee).unwrap(),
            due_on: None,
            note: None,
            at: t(10),
            agency: Some(agency()),
            rule,
        }
    }

    #[test]
    fn an_assignment_to_an_agency_names_it_or_the_person_and_records_the_rule() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(refer(t(10), None, Some("แขวงทางหลวงปัตตานี"), Some(rule()))))
            .then_expect_events(vec![referred("แขวงทางหลวงปัตตานี", Some(rule()))]);
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(refer(t(10), Some("นายช่างสมชาย"), Some("แขวงทางหลวงปัตตานี"), None)))
            .then_expect_events(vec![referred("นายช่างสมชาย", None)]);
    }

    #[test]
    fn an_assignment_to_an_unknown_agency_or_to_nobody_is_refused() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(refer(t(10), Some("นายช่างสมชาย"), None, None)))
            .then_expect_error(IssueError::UnknownAgency);
        let nobody = IssueAction::Assign(AssignIssue {
            assignee: None,
            agency: None,
            agency_name: None,
            rule: None,
            due_on: None,
            note: None,
            at: t(10),
        });
        IssueTest::with(()).given(vec![raised()]).when(cmd(nobody)).then_expect_error(IssueError::NoAssignee);
        let IssueAction::Assign(mut by_rule) = assign(t(10), None) else { unreachable!() };
        by_rule.rule = Some(rule());
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(IssueAction::Assign(by_rule)))
            .then_expect_error(IssueError::RuleWithoutAgency);
    }

    // --- waiting for (ball in court) ---------------------------------------------------------------

    fn wait(party: crate::agency::Party) -> IssueAction {
        IssueAction::Wait(WaitFor { waiting_for: party, note: None, at: t(60) })
    }

    fn waited(party: crate::agency::Party) -> IssueEvent {
        IssueEvent::IssueWaitingChanged { waiting_for: party, note: None, at: t(60) }
    }

    #[test]
    fn a_raised_problem_waits_for_sbpac_and_a_referral_for_the_agency() {
        use crate::agency::Party;
        let state = |events: Vec<IssueEvent>| {
            let mut issue = Issue::default();
            events.into_iter().for_each(|e| issue.apply(e));
            issue.waiting_for()
        };
        assert_eq!(state(vec![raised()]), Some(Party::Sbpac));
        assert_eq!(state(vec![raised(), referred("แขวง", None)]), Some(Party::Agency));
        assert_eq!(state(vec![raised(), referred("แขวง", None), assigned()]), Some(Party::Sbpac));
        assert_eq!(state(vec![raised(), referred("แขวง", None), closed(Outcome::Referred)]), None);
        assert_eq!(
            state(vec![raised(), referred("แขวง", None), closed(Outcome::Referred), reopened()]),
            Some(Party::Agency)
        );
        assert_eq!(state(vec![raised(), closed(Outcome::Withdrawn), reopened()]), Some(Party::Sbpac));
        assert_eq!(state(vec![raised(), waited(Party::Community)]), Some(Party::Community));
    }

    #[test]
    fn the_waiting_party_changes_and_an_unchanged_one_is_refused() {
        use crate::agency::Party;
        IssueTest::with(())
            .given(vec![raised(), referred("แขวง", None)])
            .when(cmd(wait(Party::Community)))
            .then_expect_events(vec![waited(Party::Community)]);
        IssueTest::with(())
            .given(vec![raised(), referred("แขวง", None), waited(Party::Community)])
            .when(cmd(wait(Party::Agency)))
            .then_expect_events(vec![waited(Party::Agency)]);
        IssueTest::with(())
            .given(vec![raised(), referred("แขวง", None)])
            .when(cmd(wait(Party::Agency)))
            .then_expect_error(IssueError::WaitingUnchanged("agency"));
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(wait(Party::Sbpac)))
            .then_expect_error(IssueError::WaitingUnchanged("sbpac"));
    }

    #[test]
    fn waiting_for_an_agency_needs_a_referral_and_a_closed_problem_waits_for_nobody() {
        use crate::agency::Party;
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(wait(Party::Agency)))
            .then_expect_error(IssueError::NoAgency);
        IssueTest::with(())
            .given(vec![raised(), referred("แขวง", None), assigned()])
            .when(cmd(wait(Party::Agency)))
            .then_expect_error(IssueError::NoAgency);
        IssueTest::with(())
            .given(vec![raised(), closed(Outcome::Withdrawn)])
            .when(cmd(wait(Party::Community)))
            .then_expect_error(IssueError::Closed);
        IssueTest::with(())
            .given_no_previous_events()
            .when(cmd(wait(Party::Community)))
            .then_expect_error(IssueError::NotFound);
    }

    #[test]
    fn assigning_a_raised_issue_records_the_assignee() {
        IssueTest::with(()).given(vec![raised()]).when(cmd(assign(t(10), None))).then_expect_events(vec![assigned()]);
    }

    #[test]
    fn reassigning_an_assigned_or_addressed_issue_is_allowed() {
        let due = NaiveDate::from_ymd_opt(2026, 12, 1);
        let expected = IssueEvent::IssueAssigned {
            assignee: Assignee::parse("อบต.ตะลุโบะ").unwrap(),
            due_on: due,
            note: None,
            at: t(50),
            agency: None,
            rule: None,
        };
        IssueTest::with(())
            .given(vec![raised(), assigned()])
            .when(cmd(assign(t(50), due)))
            .then_expect_events(vec![expected.clone()]);
        IssueTest::with(())
            .given(vec![raised(), assigned(), addressed()])
            .when(cmd(assign(t(50), due)))
            .then_expect_events(vec![expected]);
    }

    #[test]
    fn assigning_a_closed_issue_is_rejected() {
        IssueTest::with(())
            .given(vec![raised(), closed(Outcome::Withdrawn)])
            .when(cmd(assign(t(50), None)))
            .then_expect_error(IssueError::Closed);
    }

    #[test]
    fn assigning_before_the_issue_was_raised_is_rejected() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(assign(t(-1), None)))
            .then_expect_error(IssueError::AtBeforeRaise);
    }

    #[test]
    fn assigning_in_the_future_is_rejected() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(assign(now() + Duration::minutes(5), None)))
            .then_expect_error(IssueError::AtInFuture);
    }

    #[test]
    fn a_due_date_before_the_assignment_day_is_rejected() {
        // t(10) is 2026-11-01 07:10 in Bangkok.
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(assign(t(10), NaiveDate::from_ymd_opt(2026, 10, 31))))
            .then_expect_error(IssueError::DueBeforeAssignment);
        let same_day = NaiveDate::from_ymd_opt(2026, 11, 1);
        assert!(IssueTest::with(()).given(vec![raised()]).when(cmd(assign(t(10), same_day))).inspect_result().is_ok());
    }

    // --- address -----------------------------------------------------------------------------------

    #[test]
    fn addressing_an_assigned_issue_records_the_action() {
        IssueTest::with(())
            .given(vec![raised(), assigned()])
            .when(cmd(address(t(20))))
            .then_expect_events(vec![addressed()]);
    }

    #[test]
    fn several_actions_may_be_recorded() {
        IssueTest::with(())
            .given(vec![raised(), assigned(), addressed()])
            .when(cmd(address(t(20))))
            .then_expect_events(vec![addressed()]);
    }

    #[test]
    fn addressing_an_unassigned_issue_is_rejected() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(address(t(20))))
            .then_expect_error(IssueError::NotAssigned { status: IssueStatus::Raised });
    }

    #[test]
    fn addressing_a_closed_issue_is_rejected() {
        IssueTest::with(())
            .given(vec![raised(), assigned(), closed(Outcome::Referred)])
            .when(cmd(address(t(40))))
            .then_expect_error(IssueError::Closed);
    }

    #[test]
    fn addressing_before_the_raise_is_rejected() {
        IssueTest::with(())
            .given(vec![raised(), assigned()])
            .when(cmd(address(t(-5))))
            .then_expect_error(IssueError::AtBeforeRaise);
    }

    // --- close -------------------------------------------------------------------------------------

    #[test]
    fn closing_an_addressed_issue_as_resolved_is_allowed() {
        IssueTest::with(())
            .given(vec![raised(), assigned(), addressed()])
            .when(cmd(close(Outcome::Resolved, t(30))))
            .then_expect_events(vec![closed(Outcome::Resolved)]);
    }

    #[test]
    fn closing_as_resolved_without_an_action_is_rejected() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(close(Outcome::Resolved, t(30))))
            .then_expect_error(IssueError::ResolvedWithoutAction { status: IssueStatus::Raised });
        IssueTest::with(())
            .given(vec![raised(), assigned()])
            .when(cmd(close(Outcome::Resolved, t(30))))
            .then_expect_error(IssueError::ResolvedWithoutAction { status: IssueStatus::Assigned });
    }

    #[test]
    fn closing_with_any_other_outcome_is_allowed_from_every_open_status() {
        let histories = [vec![raised()], vec![raised(), assigned()], vec![raised(), assigned(), addressed()]];
        for history in histories {
            for outcome in [Outcome::Unresolved, Outcome::Referred, Outcome::Duplicate, Outcome::Withdrawn] {
                IssueTest::with(())
                    .given(history.clone())
                    .when(cmd(close(outcome, t(30))))
                    .then_expect_events(vec![closed(outcome)]);
            }
        }
    }

    #[test]
    fn closing_a_closed_issue_is_rejected() {
        IssueTest::with(())
            .given(vec![raised(), closed(Outcome::Withdrawn)])
            .when(cmd(close(Outcome::Withdrawn, t(35))))
            .then_expect_error(IssueError::Closed);
    }

    #[test]
    fn closing_before_the_raise_is_rejected() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(close(Outcome::Withdrawn, t(-30))))
            .then_expect_error(IssueError::AtBeforeRaise);
    }

    // --- reopen ------------------------------------------------------------------------------------

    #[test]
    fn reopening_a_closed_issue_is_allowed() {
        IssueTest::with(())
            .given(vec![raised(), assigned(), addressed(), closed(Outcome::Resolved)])
            .when(cmd(reopen(t(40))))
            .then_expect_events(vec![reopened()]);
    }

    #[test]
    fn reopening_an_open_issue_is_rejected() {
        IssueTest::with(())
            .given(vec![raised(), assigned()])
            .when(cmd(reopen(t(40))))
            .then_expect_error(IssueError::NotClosed { status: IssueStatus::Assigned });
    }

    #[test]
    fn reopening_in_the_future_is_rejected() {
        IssueTest::with(())
            .given(vec![raised(), closed(Outcome::Withdrawn)])
            .when(cmd(reopen(now() + Duration::hours(1))))
            .then_expect_error(IssueError::AtInFuture);
    }

    // --- state after events ------------------------------------------------------------------------

    fn state_after(events: Vec<IssueEvent>) -> Issue {
        let mut issue = Issue::default();
        for e in events {
            issue.apply(e);
        }
        issue
    }

    #[test]
    fn a_reopened_issue_with_an_assignee_goes_back_to_assigned() {
        let issue = state_after(vec![raised(), assigned(), addressed(), closed(Outcome::Resolved), reopened()]);
        assert_eq!(issue.status(), Some(IssueStatus::Assigned));
        assert_eq!(issue.outcome(), None);
    }

    #[test]
    fn a_reopened_issue_without_an_assignee_goes_back_to_raised() {
        let issue = state_after(vec![raised(), closed(Outcome::Duplicate), reopened()]);
        assert_eq!(issue.status(), Some(IssueStatus::Raised));
    }

    #[test]
    fn a_reopened_issue_can_be_acted_on_again() {
        IssueTest::with(())
            .given(vec![raised(), assigned(), closed(Outcome::Referred), reopened()])
            .when(cmd(address(t(45))))
            .then_expect_events(vec![IssueEvent::IssueAddressed {
                action: text("ซ่อมแล้ว"), note: None, at: t(45)
            }]);
    }

    #[tokio::test]
    async fn the_cqrs_handle_writes_exactly_what_decide_returns() {
        // `TestFramework::when` starts its own runtime; inside #[tokio::test] use `when_async`.
        IssueTest::with(())
            .given(vec![raised()])
            .when_async(cmd(assign(t(10), None)))
            .await
            .then_expect_events(vec![assigned()]);
    }

    // --- corrections --------------------------------------------------------------------------------

    fn correct(title: Option<&str>, description: Option<Option<&str>>, category: Option<&str>) -> IssueAction {
        IssueAction::Correct(CorrectIssue {
            title: title.map(|t| Title::parse(t).unwrap()),
            description: description.map(|d| d.map(text)),
            category: category.map(|c| CategoryCode::parse(c).unwrap()),
            category_kind: category.map(|_| IssueKind::Community),
            reason: text("พิมพ์ผิด"),
            at: t(50),
        })
    }

    #[test]
    fn a_correction_records_each_changed_field_before_and_after() {
        IssueTest::with(())
            .given(vec![raised(), assigned()])
            .when(cmd(correct(Some("ถนนเข้าหมู่บ้านชำรุด"), Some(Some("หลุมลึก")), Some("INF"))))
            .then_expect_events(vec![IssueEvent::IssueCorrected {
                title: Some(Change {
                    from: Title::parse("ถนนชำรุด").unwrap(),
                    to: Title::parse("ถนนเข้าหมู่บ้านชำรุด").unwrap(),
                }),
                description: Some(Change { from: None, to: Some(text("หลุมลึก")) }),
                // The same category as recorded is not a change.
                category: None,
                reason: text("พิมพ์ผิด"),
                at: t(50),
            }]);
    }

    #[test]
    fn a_correction_that_changes_nothing_is_refused() {
        for action in [correct(None, None, None), correct(Some("ถนนชำรุด"), Some(None), Some("INF"))] {
            IssueTest::with(()).given(vec![raised()]).when(cmd(action)).then_expect_error(IssueError::NothingToCorrect);
        }
    }

    #[test]
    fn a_closed_issue_can_be_corrected_and_a_second_correction_starts_from_the_first() {
        let first = IssueEvent::IssueCorrected {
            title: None,
            description: None,
            category: Some(Change {
                from: CategoryCode::parse("INF").unwrap(),
                to: CategoryCode::parse("EDU").unwrap(),
            }),
            reason: text("พิมพ์ผิด"),
            at: t(45),
        };
        IssueTest::with(())
            .given(vec![raised(), closed(Outcome::Withdrawn), first])
            .when(cmd(correct(None, None, Some("INF"))))
            .then_expect_events(vec![IssueEvent::IssueCorrected {
                title: None,
                description: None,
                category: Some(Change {
                    from: CategoryCode::parse("EDU").unwrap(),
                    to: CategoryCode::parse("INF").unwrap(),
                }),
                reason: text("พิมพ์ผิด"),
                at: t(50),
            }]);
    }

    #[test]
    fn a_correction_is_judged_like_every_action() {
        IssueTest::with(())
            .given_no_previous_events()
            .when(cmd(correct(Some("ก"), None, None)))
            .then_expect_error(IssueError::NotFound);
        let IssueAction::Correct(mut early) = correct(Some("ก"), None, None) else { unreachable!() };
        early.at = t(-1);
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(IssueAction::Correct(early)))
            .then_expect_error(IssueError::AtBeforeRaise);
    }

    #[test]
    fn a_correction_does_not_change_the_status() {
        let corrected = IssueEvent::IssueCorrected {
            title: Some(Change {
                from: Title::parse("ถนนชำรุด").unwrap(), to: Title::parse("ถนน").unwrap()
            }),
            description: None,
            category: None,
            reason: text("พิมพ์ผิด"),
            at: t(50),
        };
        let issue = state_after(vec![raised(), assigned(), corrected]);
        assert_eq!(issue.status(), Some(IssueStatus::Assigned));
    }

    fn erase(subject: Option<crate::personal::SubjectId>, keys: &[&str]) -> IssueAction {
        IssueAction::Erase(EraseText {
            subject,
            legal_basis: text("PDPA s.33"),
            keys: keys.iter().map(|k| (*k).to_owned()).collect(),
            at: t(60),
        })
    }

    #[test]
    fn erasing_records_the_destroyed_keys_in_any_status() {
        let closed = IssueEvent::IssueClosed { outcome: Outcome::Withdrawn, note: None, at: t(30) };
        IssueTest::with(()).given(vec![raised(), closed]).when(cmd(erase(None, &["k1", "k2"]))).then_expect_events(
            vec![IssueEvent::PersonalDataErased {
                subject: None,
                legal_basis: text("PDPA s.33"),
                keys: vec!["k1".into(), "k2".into()],
                at: t(60),
            }],
        );
    }

    #[test]
    fn erasing_an_issue_with_nothing_left_to_erase_is_refused_unless_a_person_went() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(erase(None, &[])))
            .then_expect_error(IssueError::AlreadyErased);
        let person = crate::personal::SubjectId(uuid::Uuid::nil());
        IssueTest::with(()).given(vec![raised()]).when(cmd(erase(Some(person), &[]))).then_expect_events(vec![
            IssueEvent::PersonalDataErased {
                subject: Some(person),
                legal_basis: text("PDPA s.33"),
                keys: vec![],
                at: t(60),
            },
        ]);
        IssueTest::with(())
            .given_no_previous_events()
            .when(cmd(erase(None, &["k"])))
            .then_expect_error(IssueError::NotFound);
    }

    #[test]
    fn a_correction_after_an_erasure_records_the_marker_as_what_the_description_was() {
        let IssueEvent::IssueRaised {
            area_id, category, title, forum_id, raised_by, at, case_number, complainant, ..
        } = raised()
        else {
            unreachable!()
        };
        let with_text = IssueEvent::IssueRaised {
            area_id,
            category,
            title,
            description: Some(text("บ้านนายเอ")),
            forum_id,
            raised_by,
            at,
            case_number,
            complainant,
            restricted: false,
            kind: IssueKind::Community,
            source: None,
        };
        let erased = IssueEvent::PersonalDataErased {
            subject: None,
            legal_basis: text("PDPA s.33"),
            keys: vec!["k".into()],
            at: t(60),
        };
        let issue = state_after(vec![with_text, erased]);
        let events =
            issue.decide(IssueCommand { now: t(100), action: correct(None, Some(Some("ใหม่")), None) }).unwrap();
        let IssueEvent::IssueCorrected { description: Some(change), .. } = &events[0] else { panic!("{events:?}") };
        assert_eq!(change.from.as_ref().map(Text::as_str), Some(crate::personal::ERASED));
    }

    // --- restriction --------------------------------------------------------------------------------

    fn restrict(restricted: bool, at: DateTime<Utc>) -> IssueAction {
        IssueAction::Restrict(RestrictIssue {
            restricted, reason: text("ผู้ร้องเสี่ยงอันตราย"), at
        })
    }

    fn restriction_changed(restricted: bool) -> IssueEvent {
        IssueEvent::IssueRestrictionChanged {
            restricted, reason: text("ผู้ร้องเสี่ยงอันตราย"), at: t(50)
        }
    }

    #[test]
    fn restricting_a_case_records_it_and_lifting_it_again_too() {
        IssueTest::with(())
            .given(vec![raised(), assigned()])
            .when(cmd(restrict(true, t(50))))
            .then_expect_events(vec![restriction_changed(true)]);
        IssueTest::with(())
            .given(vec![raised(), restriction_changed(true)])
            .when(cmd(restrict(false, t(50))))
            .then_expect_events(vec![restriction_changed(false)]);
    }

    #[test]
    fn a_closed_case_can_be_restricted() {
        IssueTest::with(())
            .given(vec![raised(), closed(Outcome::Withdrawn)])
            .when(cmd(restrict(true, t(50))))
            .then_expect_events(vec![restriction_changed(true)]);
    }

    #[test]
    fn a_restriction_that_changes_nothing_is_refused() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(restrict(false, t(50))))
            .then_expect_error(IssueError::RestrictionUnchanged { restricted: false });
        IssueTest::with(())
            .given(vec![raised(), restriction_changed(true)])
            .when(cmd(restrict(true, t(50))))
            .then_expect_error(IssueError::RestrictionUnchanged { restricted: true });
        assert_eq!(IssueError::RestrictionUnchanged { restricted: true }.kind(), crate::ErrorKind::Conflict);
    }

    #[test]
    fn a_case_raised_restricted_is_restricted_and_cannot_be_restricted_again() {
        let IssueAction::Raise(mut r) = raise_at(t(0)) else { unreachable!() };
        r.restricted = true;
        let events = Issue::default().decide(IssueCommand { now: now(), action: IssueAction::Raise(r) }).unwrap();
        assert!(matches!(&events[0], IssueEvent::IssueRaised { restricted: true, .. }), "{events:?}");
        let issue = state_after(events.clone());
        assert!(issue.restricted());
        IssueTest::with(())
            .given(events)
            .when(cmd(restrict(true, t(50))))
            .then_expect_error(IssueError::RestrictionUnchanged { restricted: true });
    }

    #[test]
    fn a_restriction_is_judged_like_every_action() {
        IssueTest::with(())
            .given_no_previous_events()
            .when(cmd(restrict(true, t(50))))
            .then_expect_error(IssueError::NotFound);
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(restrict(true, t(-1))))
            .then_expect_error(IssueError::AtBeforeRaise);
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(restrict(true, now() + Duration::minutes(1))))
            .then_expect_error(IssueError::AtInFuture);
    }

    #[test]
    fn lifting_a_restriction_leaves_the_status_alone() {
        let issue = state_after(vec![raised(), assigned(), restriction_changed(true), restriction_changed(false)]);
        assert_eq!((issue.status(), issue.restricted()), (Some(IssueStatus::Assigned), false));
    }

    // --- coordinators' obstacles --------------------------------------------------------------------

    fn raise_kind(kind: IssueKind, category_kind: IssueKind) -> IssueCommand {
        let IssueAction::Raise(mut r) = raise_at(t(0)) else { unreachable!() };
        r.category = CategoryCode::parse(if category_kind.is_community() { "INF" } else { "OBS_BUDGET" }).unwrap();
        r.kind = kind;
        r.category_kind = category_kind;
        cmd(IssueAction::Raise(r))
    }

    fn obstacle_raised() -> IssueEvent {
        let IssueEvent::IssueRaised { area_id, title, forum_id, raised_by, at, case_number, complainant, .. } =
            raised()
        else {
            unreachable!()
        };
        IssueEvent::IssueRaised {
            area_id,
            category: CategoryCode::parse("OBS_BUDGET").unwrap(),
            title,
            description: None,
            forum_id,
            raised_by,
            at,
            case_number,
            complainant,
            restricted: false,
            kind: IssueKind::Obstacle,
            source: None,
        }
    }

    #[test]
    fn an_obstacle_with_an_obstacle_category_is_raised_as_an_obstacle() {
        IssueTest::with(())
            .given_no_previous_events()
            .when(raise_kind(IssueKind::Obstacle, IssueKind::Obstacle))
            .then_expect_events(vec![obstacle_raised()]);
        assert_eq!(state_after(vec![obstacle_raised()]).kind(), IssueKind::Obstacle);
        assert_eq!(state_after(vec![raised()]).kind(), IssueKind::Community);
    }

    #[test]
    fn a_raise_needs_a_category_of_its_own_kind() {
        IssueTest::with(())
            .given_no_previous_events()
            .when(raise_kind(IssueKind::Obstacle, IssueKind::Community))
            .then_expect_error(IssueError::CategoryKindMismatch { kind: IssueKind::Obstacle });
        IssueTest::with(())
            .given_no_previous_events()
            .when(raise_kind(IssueKind::Community, IssueKind::Obstacle))
            .then_expect_error(IssueError::CategoryKindMismatch { kind: IssueKind::Community });
        let e = IssueError::CategoryKindMismatch { kind: IssueKind::Obstacle };
        assert_eq!((e.code(), e.kind()), ("category_kind_mismatch", crate::ErrorKind::Invalid));
    }

    /// An obstacle lives the same life as a community problem: assigned, acted on, closed, reopened.
    #[test]
    fn an_obstacle_follows_the_same_life() {
        IssueTest::with(())
            .given(vec![obstacle_raised()])
            .when(cmd(assign(t(10), None)))
            .then_expect_events(vec![assigned()]);
        IssueTest::with(())
            .given(vec![obstacle_raised(), assigned(), addressed()])
            .when(cmd(IssueAction::Close(CloseIssue { outcome: Outcome::Resolved, note: None, at: t(30) })))
            .then_expect_events(vec![IssueEvent::IssueClosed { outcome: Outcome::Resolved, note: None, at: t(30) }]);
        let issue = state_after(vec![obstacle_raised(), assigned(), closed(Outcome::Referred), reopened()]);
        assert_eq!((issue.status(), issue.kind()), (Some(IssueStatus::Assigned), IssueKind::Obstacle));
    }

    #[test]
    fn a_correction_keeps_the_category_within_the_issues_kind() {
        let to = |code: &str, kind: IssueKind| {
            cmd(IssueAction::Correct(CorrectIssue {
                title: None,
                description: None,
                category: Some(CategoryCode::parse(code).unwrap()),
                category_kind: Some(kind),
                reason: text("ผิดประเภท"),
                at: t(50),
            }))
        };
        IssueTest::with(())
            .given(vec![obstacle_raised()])
            .when(to("INF", IssueKind::Community))
            .then_expect_error(IssueError::CategoryKindMismatch { kind: IssueKind::Obstacle });
        IssueTest::with(())
            .given(vec![raised()])
            .when(to("OBS_SAFETY", IssueKind::Obstacle))
            .then_expect_error(IssueError::CategoryKindMismatch { kind: IssueKind::Community });
        let events = state_after(vec![obstacle_raised()]).decide(to("OBS_SAFETY", IssueKind::Obstacle)).unwrap();
        assert!(matches!(&events[0], IssueEvent::IssueCorrected { category: Some(_), .. }), "{events:?}");
    }

    /// Every sequence of up to four actions after an obstacle's raise (all 7^4 of them, not a sample): the
    /// issue stays an obstacle, its category stays an obstacle category, and a move to a community category
    /// is refused whatever the status.
    #[test]
    fn no_sequence_of_actions_makes_an_obstacle_a_community_problem() {
        let actions: Vec<IssueAction> = vec![
            assign(t(10), None),
            address(t(20)),
            close(Outcome::Resolved, t(30)),
            close(Outcome::Withdrawn, t(30)),
            reopen(t(40)),
            IssueAction::Correct(CorrectIssue {
                title: None,
                description: None,
                category: Some(CategoryCode::parse("INF").unwrap()),
                category_kind: Some(IssueKind::Community),
                reason: text("x"),
                at: t(50),
            }),
            IssueAction::Correct(CorrectIssue {
                title: None,
                description: None,
                category: Some(CategoryCode::parse("OBS_OTHER").unwrap()),
                category_kind: Some(IssueKind::Obstacle),
                reason: text("x"),
                at: t(50),
            }),
        ];
        let n = actions.len();
        for code in 0..n.pow(4) {
            let mut issue = state_after(vec![obstacle_raised()]);
            let mut category = "OBS_BUDGET".to_owned();
            for step in 0..4 {
                let action = actions[(code / n.pow(step)) % n].clone();
                let to_community =
                    matches!(&action, IssueAction::Correct(c) if c.category_kind == Some(IssueKind::Community));
                match issue.decide(cmd(action)) {
                    Ok(events) => {
                        assert!(!to_community, "sequence {code}: a community category was accepted");
                        for e in events {
                            if let IssueEvent::IssueCorrected { category: Some(c), .. } = &e {
                                category = c.to.to_string();
                            }
                            issue.apply(e);
                        }
                    }
                    Err(e) if to_community => {
                        assert_eq!(e, IssueError::CategoryKindMismatch { kind: IssueKind::Obstacle })
                    }
                    Err(_) => {}
                }
                assert_eq!(issue.kind(), IssueKind::Obstacle, "sequence {code}");
                assert!(category.starts_with("OBS_"), "sequence {code}: {category}");
            }
        }
    }

    // --- escalate (issue #17 §2) -----------------------------------------------------------------------

    fn escalate(level: u8, at: DateTime<Utc>) -> IssueAction {
        IssueAction::Escalate(EscalateIssue {
            level,
            responsible: crate::escalation::responsible(level.max(1), "ปัตตานี").unwrap(),
            breach: crate::escalation::Breach::Assignment,
            at,
        })
    }

    fn escalated(level: u8, at: DateTime<Utc>) -> IssueEvent {
        IssueEvent::IssueEscalated {
            level,
            responsible: crate::escalation::responsible(level.max(1), "ปัตตานี").unwrap(),
            breach: crate::escalation::Breach::Assignment,
            at,
        }
    }

    #[test]
    fn an_overdue_problem_is_escalated_one_level_at_a_time() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(escalate(1, t(60))))
            .then_expect_events(vec![escalated(1, t(60))]);
        IssueTest::with(())
            .given(vec![raised(), escalated(1, t(60))])
            .when(cmd(escalate(2, t(120))))
            .then_expect_events(vec![escalated(2, t(120))]);
        let issue = state_after(vec![raised(), escalated(1, t(60)), escalated(2, t(120))]);
        assert_eq!(issue.escalation_level(), 2);
    }

    /// Two escalators (or one that ran twice) ask for the same level: the second is refused, so the level
    /// is recorded once.
    #[test]
    fn a_level_already_reached_is_refused() {
        IssueTest::with(())
            .given(vec![raised(), escalated(1, t(60))])
            .when(cmd(escalate(1, t(60))))
            .then_expect_error(IssueError::EscalationReached { level: 1 });
        IssueTest::with(())
            .given(vec![raised(), escalated(1, t(60)), escalated(2, t(70))])
            .when(cmd(escalate(1, t(60))))
            .then_expect_error(IssueError::EscalationReached { level: 2 });
    }

    #[test]
    fn an_escalation_that_skips_a_level_goes_beyond_the_centre_or_comes_after_closing_is_refused() {
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(escalate(2, t(60))))
            .then_expect_error(IssueError::EscalationSkipsLevel { level: 0 });
        IssueTest::with(())
            .given(vec![raised(), escalated(1, t(60)), escalated(2, t(70))])
            .when(cmd(escalate(3, t(80))))
            .then_expect_error(IssueError::EscalationSkipsLevel { level: 2 });
        IssueTest::with(())
            .given(vec![raised(), assigned(), closed(Outcome::Unresolved)])
            .when(cmd(escalate(1, t(60))))
            .then_expect_error(IssueError::Closed);
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(escalate(1, now() + Duration::minutes(1))))
            .then_expect_error(IssueError::AtInFuture);
    }

    /// A reopened problem keeps the level it reached: the level never goes down.
    #[test]
    fn a_reopened_problem_keeps_its_level() {
        let issue =
            state_after(vec![raised(), escalated(1, t(5)), assigned(), closed(Outcome::Unresolved), reopened()]);
        assert_eq!(issue.escalation_level(), 1);
        IssueTest::with(())
            .given(vec![raised(), escalated(1, t(5)), assigned(), closed(Outcome::Unresolved), reopened()])
            .when(cmd(escalate(1, t(50))))
            .then_expect_error(IssueError::EscalationReached { level: 1 });
    }

    // --- attachments (issue #17 §4) ----------------------------------------------------------------

    fn attach(action: Option<i64>, size: u64) -> IssueAction {
        IssueAction::Attach(AttachFile {
            sha256: crate::attachment::FileDigest::parse(&"ab".repeat(32)).unwrap(),
            media_type: crate::attachment::MediaType::Jpeg,
            size,
            name: Some(text("สะพาน.jpg")),
            action,
            thumbnail: Some(crate::attachment::FileDigest::parse(&"cd".repeat(32)).unwrap()),
            at: t(50),
        })
    }

    fn attached(action: Option<i64>) -> IssueEvent {
        IssueEvent::AttachmentAdded {
            sha256: crate::attachment::FileDigest::parse(&"ab".repeat(32)).unwrap(),
            media_type: crate::attachment::MediaType::Jpeg,
            size: 10,
            name: Some(text("สะพาน.jpg")),
            action,
            thumbnail: Some(crate::attachment::FileDigest::parse(&"cd".repeat(32)).unwrap()),
            at: t(50),
        }
    }

    #[test]
    fn attaching_a_photo_to_the_problem_records_its_digest() {
        IssueTest::with(()).given(vec![raised()]).when(cmd(attach(None, 10))).then_expect_events(vec![attached(None)]);
    }

    #[test]
    fn attaching_a_photo_to_a_recorded_action_names_its_sequence() {
        // raised = 1, assigned = 2, addressed = 3.
        IssueTest::with(())
            .given(vec![raised(), assigned(), addressed()])
            .when(cmd(attach(Some(3), 10)))
            .then_expect_events(vec![attached(Some(3))]);
    }

    #[test]
    fn attaching_to_an_event_that_is_no_action_is_rejected() {
        IssueTest::with(())
            .given(vec![raised(), assigned(), addressed()])
            .when(cmd(attach(Some(2), 10)))
            .then_expect_error(IssueError::UnknownAction { sequence: 2 });
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(attach(Some(7), 10)))
            .then_expect_error(IssueError::UnknownAction { sequence: 7 });
    }

    #[test]
    fn attaching_an_empty_file_is_rejected() {
        IssueTest::with(()).given(vec![raised()]).when(cmd(attach(None, 0))).then_expect_error(IssueError::EmptyFile);
    }

    #[test]
    fn attaching_to_a_closed_issue_is_allowed() {
        IssueTest::with(())
            .given(vec![raised(), assigned(), addressed(), closed(Outcome::Resolved)])
            .when(cmd(attach(Some(3), 10)))
            .then_expect_events(vec![attached(Some(3))]);
    }

    #[test]
    fn attaching_to_an_issue_never_raised_is_not_found() {
        IssueTest::with(())
            .given_no_previous_events()
            .when(cmd(attach(None, 10)))
            .then_expect_error(IssueError::NotFound);
    }

    #[test]
    fn attaching_before_the_raise_is_rejected() {
        let IssueAction::Attach(mut c) = attach(None, 10) else { unreachable!() };
        c.at = t(-5);
        IssueTest::with(())
            .given(vec![raised()])
            .when(cmd(IssueAction::Attach(c)))
            .then_expect_error(IssueError::AtBeforeRaise);
    }
}
