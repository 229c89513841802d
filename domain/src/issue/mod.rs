//! The `Issue` aggregate: one problem raised at a forum (or directly), from raised to closed.

mod aggregate;
mod command;
mod error;
mod event;

pub use aggregate::Issue;
pub use command::{
    AddressIssue, AssignIssue, AttachFile, CloseIssue, CorrectIssue, EraseText, IssueAction, IssueCommand, RaiseIssue,
    ReopenIssue, RestrictIssue,
};
pub use error::IssueError;
pub use event::{Change, IssueEvent};
