//! Why the `Issue` aggregate refuses a command: one variant per rule.

use crate::error::ErrorKind;
use crate::values::{IssueId, IssueKind, IssueStatus, Outcome};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("no such issue")]
    NotFound,
    #[error("the issue has already been raised")]
    AlreadyRaised,
    #[error("the issue is closed; reopen it first")]
    Closed,
    #[error("an issue must be assigned before an action is recorded (status: {status})")]
    NotAssigned { status: IssueStatus },
    #[error("an issue can be closed as resolved only after an action was recorded (status: {status})")]
    ResolvedWithoutAction { status: IssueStatus },
    #[error("only a closed issue can be reopened (status: {status})")]
    NotClosed { status: IssueStatus },
    #[error("`at` is in the future")]
    AtInFuture,
    #[error("`at` is before the issue was raised")]
    AtBeforeRaise,
    #[error("`due_on` is before the day of the assignment")]
    DueBeforeAssignment,
    /// A raise must carry a case number of the Buddhist-Era year of its `at` (Asia/Bangkok).
    #[error("a raise needs a case number of the year it was raised in")]
    BadCaseNumber,
    /// A correction must change at least one of title, description and category.
    #[error("the correction changes nothing: give a title, description or category that differs from the recorded one")]
    NothingToCorrect,
    /// An erasure of the issue's own text when no text of it is left to erase.
    #[error("the issue's personal data has already been erased (no text written since is left to erase)")]
    AlreadyErased,
    /// Restricting a restricted case, or lifting the mark from one that has none.
    #[error("the case is already {}", if *restricted { "restricted" } else { "not restricted" })]
    RestrictionUnchanged { restricted: bool },
    /// A community problem needs a community category, a coordinator's obstacle an obstacle category.
    #[error("{} needs a category of its own kind ({kind})", match kind { IssueKind::Community => "a community problem", IssueKind::Obstacle => "a coordinator's obstacle" })]
    CategoryKindMismatch { kind: IssueKind },
    /// An assignment names neither a person nor an agency.
    #[error("an assignment names a person or an agency")]
    NoAssignee,
    /// An assignment to an agency the application did not find (it names the agency it found).
    #[error("no such agency")]
    UnknownAgency,
    /// A routing rule is followed only to the agency it routes to.
    #[error("a routing rule is followed only by an assignment to an agency")]
    RuleWithoutAgency,
    /// Waiting for "the agency" of a problem referred to none.
    #[error("the problem is not referred to an agency: assign it to one first")]
    NoAgency,
    /// The problem already waits for this party.
    #[error("the problem is already waiting for {0}")]
    WaitingUnchanged(&'static str),
    /// An escalation to a level the problem has already reached (the escalator ran twice, or on two
    /// instances): nothing is recorded twice.
    #[error("the issue has already reached escalation level {level}")]
    EscalationReached { level: u8 },
    /// An escalation must go exactly one level up, to at most the SBPAC centre (2).
    #[error("an escalation goes one level up at a time, to at most level 2 (now at level {level})")]
    EscalationSkipsLevel { level: u8 },
    /// Issue #17 §3: a problem cannot duplicate itself.
    #[error("a problem cannot be a duplicate of itself")]
    DuplicateOfItself,
    /// The original named is itself a duplicate: name its original instead (no chains).
    #[error("that problem is itself a duplicate of {original}: mark this one a duplicate of {original}")]
    DuplicateOfDuplicate { original: IssueId },
    /// This problem has duplicates of its own: marking it a duplicate would make a chain.
    #[error(
        "{count} problem(s) are marked duplicates of this one: mark the other problem a duplicate of this one instead"
    )]
    HasDuplicates { count: usize },
    /// A community problem and a coordinator's obstacle are never the same problem.
    #[error("a problem can only be a duplicate of a problem of its own kind")]
    DuplicateOfOtherKind,
    /// Issue #17 §6: the community judges a closed problem only.
    #[error("the community's verdict is recorded on a closed problem only (status: {status})")]
    VerdictOnOpen { status: IssueStatus },
    /// The forum was held in another area than the problem's.
    #[error("the forum was held in another area than the problem's")]
    VerdictFromOtherArea,
    /// `disputed` reopens the problem and needs the community's reason.
    #[error("a disputed verdict needs the community's reason")]
    ReasonRequired,
    /// Only a problem closed as resolved can be confirmed resolved.
    #[error("only a problem closed as resolved can be confirmed resolved (it was closed as {})", outcome.as_str())]
    ConfirmedNotResolved { outcome: Outcome },
    /// A duplicate is judged through its original.
    #[error("a duplicate has no verdict of its own: ask about the problem it duplicates")]
    VerdictOnDuplicate,
    /// The forum was held before the problem was closed: nobody could judge the closure there.
    #[error("the forum was held before the problem was closed")]
    ForumBeforeClosure,
    /// An attachment names an action that is not one of the issue's recorded actions.
    #[error("the issue has no recorded action with sequence {sequence}")]
    UnknownAction { sequence: i64 },
    /// An attachment of no bytes.
    #[error("the file is empty")]
    EmptyFile,
}

impl IssueError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            IssueError::NotFound => ErrorKind::NotFound,
            IssueError::AlreadyRaised
            | IssueError::Closed
            | IssueError::NotAssigned { .. }
            | IssueError::ResolvedWithoutAction { .. }
            | IssueError::NotClosed { .. }
            | IssueError::AlreadyErased => ErrorKind::Conflict,
            IssueError::RestrictionUnchanged { .. }
            | IssueError::NoAgency
            | IssueError::WaitingUnchanged(_)
            | IssueError::EscalationReached { .. }
            | IssueError::DuplicateOfDuplicate { .. }
            | IssueError::HasDuplicates { .. }
            | IssueError::VerdictOnOpen { .. }
            | IssueError::ConfirmedNotResolved { .. }
            | IssueError::VerdictOnDuplicate => ErrorKind::Conflict,
            IssueError::DuplicateOfItself
            | IssueError::DuplicateOfOtherKind
            | IssueError::VerdictFromOtherArea
            | IssueError::ReasonRequired
            | IssueError::ForumBeforeClosure => ErrorKind::Invalid,
            IssueError::AtInFuture
            | IssueError::AtBeforeRaise
            | IssueError::DueBeforeAssignment
            | IssueError::BadCaseNumber
            | IssueError::NothingToCorrect
            | IssueError::CategoryKindMismatch { .. }
            | IssueError::NoAssignee
            | IssueError::UnknownAgency
            | IssueError::RuleWithoutAgency
            | IssueError::EscalationSkipsLevel { .. } => ErrorKind::Invalid,
            IssueError::UnknownAction { .. } | IssueError::EmptyFile => ErrorKind::Invalid,
        }
    }

    /// A stable, machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            IssueError::NotFound => "issue_not_found",
            IssueError::AlreadyRaised => "issue_already_raised",
            IssueError::Closed => "issue_closed",
            IssueError::NotAssigned { .. } => "issue_not_assigned",
            IssueError::ResolvedWithoutAction { .. } => "resolved_without_action",
            IssueError::NotClosed { .. } => "issue_not_closed",
            IssueError::AtInFuture => "at_in_future",
            IssueError::AtBeforeRaise => "at_before_raise",
            IssueError::DueBeforeAssignment => "due_before_assignment",
            IssueError::BadCaseNumber => "bad_case_number",
            IssueError::NothingToCorrect => "nothing_to_correct",
            IssueError::AlreadyErased => "already_erased",
            IssueError::RestrictionUnchanged { .. } => "restriction_unchanged",
            IssueError::CategoryKindMismatch { .. } => "category_kind_mismatch",
            IssueError::NoAssignee => "no_assignee",
            IssueError::UnknownAgency => "unknown_agency",
            IssueError::RuleWithoutAgency => "rule_without_agency",
            IssueError::NoAgency => "no_agency",
            IssueError::WaitingUnchanged(_) => "waiting_unchanged",
            IssueError::EscalationReached { .. } => "escalation_reached",
            IssueError::EscalationSkipsLevel { .. } => "escalation_skips_level",
            IssueError::DuplicateOfItself => "duplicate_of_itself",
            IssueError::DuplicateOfDuplicate { .. } => "duplicate_of_duplicate",
            IssueError::HasDuplicates { .. } => "has_duplicates",
            IssueError::DuplicateOfOtherKind => "duplicate_of_other_kind",
            IssueError::VerdictOnOpen { .. } => "verdict_on_open_issue",
            IssueError::VerdictFromOtherArea => "forum_in_other_area",
            IssueError::ReasonRequired => "reason_required",
            IssueError::ConfirmedNotResolved { .. } => "confirmed_not_resolved",
            IssueError::VerdictOnDuplicate => "verdict_on_duplicate",
            IssueError::ForumBeforeClosure => "forum_before_closure",
            IssueError::UnknownAction { .. } => "unknown_action",
            IssueError::EmptyFile => "empty_file",
        }
    }
}
