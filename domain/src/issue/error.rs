//! Why the `Issue` aggregate refuses a command: one variant per rule.

use crate::error::ErrorKind;
use crate::values::{IssueKind, IssueStatus};

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
            IssueError::RestrictionUnchanged { .. } => ErrorKind::Conflict,
            IssueError::AtInFuture
            | IssueError::AtBeforeRaise
            | IssueError::DueBeforeAssignment
            | IssueError::BadCaseNumber
            | IssueError::NothingToCorrect
            | IssueError::CategoryKindMismatch { .. } => ErrorKind::Invalid,
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
            IssueError::UnknownAction { .. } => "unknown_action",
            IssueError::EmptyFile => "empty_file",
        }
    }
}
