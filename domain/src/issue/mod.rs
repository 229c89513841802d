//! The `Issue` aggregate: one problem raised at a forum (or directly), from raised to closed.

mod aggregate;
mod command;
mod error;
mod event;
#[cfg(test)]
mod tests_duplicates_verdicts;

pub use aggregate::Issue;
pub use command::{
    AddressIssue, AssignIssue, AttachFile, CloseIssue, CorrectIssue, EraseText, EscalateIssue, IssueAction,
    IssueCommand, RaiseIssue, ReopenIssue, RestrictIssue, WaitFor,
};
pub use command::{DuplicateFacts, MarkDuplicate, RecordVerdict};
pub use error::IssueError;
pub use event::{Change, IssueEvent};
