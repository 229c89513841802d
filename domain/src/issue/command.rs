//! Commands to the `Issue` aggregate. They carry checked values only; the actor travels in the event
//! metadata, not here, because it is not a business fact the rules depend on.

use chrono::{DateTime, NaiveDate, Utc};

use crate::agency::{AgencyId, Party};
use crate::attachment::{FileDigest, MediaType};
use crate::escalation::Breach;
use crate::personal::SubjectId;
use crate::routing::RoutingRuleId;
use crate::values::{
    AreaId, Assignee, CaseNumber, CategoryCode, ForumId, IssueId, IssueKind, Name, Outcome, Text, Title,
};
use crate::verdict::Verdict;

/// A command with the clock reading it is judged against (`now`), so the rules stay pure.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueCommand {
    /// When the command reached the server; `at` may not be later than this.
    pub now: DateTime<Utc>,
    pub action: IssueAction,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IssueAction {
    Raise(RaiseIssue),
    Assign(AssignIssue),
    Address(AddressIssue),
    Close(CloseIssue),
    Reopen(ReopenIssue),
    Correct(CorrectIssue),
    Erase(EraseText),
    Restrict(RestrictIssue),
    Wait(WaitFor),
    Escalate(EscalateIssue),
    MarkDuplicate(MarkDuplicate),
    RecordVerdict(RecordVerdict),
    Attach(AttachFile),
}

/// Record a problem raised at a forum (or directly). The area and category were checked to exist
/// before the command was built.
#[derive(Debug, Clone, PartialEq)]
pub struct RaiseIssue {
    pub area: AreaId,
    pub category: CategoryCode,
    pub title: Title,
    pub description: Option<Text>,
    pub forum: Option<ForumId>,
    /// Who raised it in the field (a group or community leader), if recorded; free text.
    pub raised_by: Option<Name>,
    pub at: DateTime<Utc>,
    /// Allocated by the application just before the command (see `CaseNumber`); a raise without one is
    /// refused.
    pub case_number: Option<CaseNumber>,
    /// The complainant's person record, stored before the command (the record never enters the log).
    pub complainant: Option<SubjectId>,
    /// Restricted from the start: its details are shown only to those the application lets see them.
    pub restricted: bool,
    /// A community problem, or a coordinator's own obstacle (who may raise which is the application's
    /// to decide: only a coordinator raises an obstacle).
    pub kind: IssueKind,
    /// The kind of `category`, as the application found it when it checked that the category exists: it
    /// must be `kind` (obstacles have categories of their own).
    pub category_kind: IssueKind,
    /// The spreadsheet row it was imported from (issue #18 §2); `None` for a problem raised in Santisuk.
    pub source: Option<crate::import::ImportSource>,
}

/// Give the issue to a person or agency (again, if it already had one).
#[derive(Debug, Clone, PartialEq)]
pub struct AssignIssue {
    /// The name shown (a person, or an agency named in free text); absent: the agency's Thai name.
    pub assignee: Option<Assignee>,
    /// The registered agency the problem is referred to, if any.
    pub agency: Option<AgencyId>,
    /// The agency's Thai name, as the application found it when it checked that `agency` exists: an
    /// agency without one is an agency that does not exist.
    pub agency_name: Option<Assignee>,
    /// The routing rule followed (the application checked that it is in force and routes to `agency`).
    pub rule: Option<RoutingRuleId>,
    pub due_on: Option<NaiveDate>,
    pub note: Option<Text>,
    pub at: DateTime<Utc>,
}

/// Record an action taken on the issue.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressIssue {
    pub action: Text,
    pub note: Option<Text>,
    pub at: DateTime<Utc>,
}

/// Close the issue with an outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct CloseIssue {
    pub outcome: Outcome,
    pub note: Option<Text>,
    pub at: DateTime<Utc>,
}

/// Open a closed issue again.
#[derive(Debug, Clone, PartialEq)]
pub struct ReopenIssue {
    pub reason: Text,
    pub at: DateTime<Utc>,
}

/// Put right what was recorded at the raise: the new title, description (`Some(None)` removes it) or
/// category; absent fields stay as they are. The category was checked to exist before the command was built.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrectIssue {
    pub title: Option<Title>,
    pub description: Option<Option<Text>>,
    pub category: Option<CategoryCode>,
    /// The kind of the new `category`, as the application found it: a correction keeps the issue among
    /// the categories of its kind.
    pub category_kind: Option<IssueKind>,
    pub reason: Text,
    pub at: DateTime<Utc>,
}

/// Record that the issue's free text was erased: the application destroyed the data keys listed (those
/// of its stored events still alive) before the command.
#[derive(Debug, Clone, PartialEq)]
pub struct EraseText {
    pub subject: Option<SubjectId>,
    pub legal_basis: Text,
    pub keys: Vec<String>,
    pub at: DateTime<Utc>,
}

/// Mark the case restricted (its details shown only to those allowed), or lift the mark, with a reason.
#[derive(Debug, Clone, PartialEq)]
pub struct RestrictIssue {
    pub restricted: bool,
    pub reason: Text,
    pub at: DateTime<Utc>,
}

/// Record who the problem is waiting for now (ball in court).
#[derive(Debug, Clone, PartialEq)]
pub struct WaitFor {
    pub waiting_for: Party,
    pub note: Option<Text>,
    pub at: DateTime<Utc>,
}

/// Move the problem one level up the chain because it passed a deadline (the background escalator
/// sends this; `at` is the deadline passed).
#[derive(Debug, Clone, PartialEq)]
pub struct EscalateIssue {
    pub level: u8,
    pub responsible: Name,
    pub breach: Breach,
    pub at: DateTime<Utc>,
}

/// Mark the issue a duplicate of another (issue #17 §3), closing it with outcome `duplicate`.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkDuplicate {
    pub of: IssueId,
    pub note: Option<Text>,
    pub at: DateTime<Utc>,
    /// What the application found of the original and of the links, which the aggregate cannot know.
    pub facts: DuplicateFacts,
}

/// The other aggregates' facts a duplicate mark is judged on, read by the application before the command.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateFacts {
    /// `of` is this very issue (the aggregate does not know its own id).
    pub same_issue: bool,
    /// The original is itself a duplicate of this one (its own original).
    pub original_duplicate_of: Option<IssueId>,
    /// The original's kind: a community problem is a duplicate only of a community problem.
    pub original_kind: IssueKind,
    /// How many problems are marked duplicates of *this* one: it cannot then become a duplicate itself
    /// (that would make a chain).
    pub own_duplicates: usize,
}

/// Record the community's verdict on the closed issue at a forum (issue #17 §6).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordVerdict {
    pub forum: ForumId,
    /// The forum's area and day, as the application found them.
    pub forum_area: AreaId,
    pub forum_held_on: NaiveDate,
    pub verdict: Verdict,
    pub reason: Option<Text>,
    pub at: DateTime<Utc>,
}

/// Attach a file already stored under its digest (the application checked its kind and size and stored it,
/// with its thumbnail, before the command).
#[derive(Debug, Clone, PartialEq)]
pub struct AttachFile {
    pub sha256: FileDigest,
    pub media_type: MediaType,
    pub size: u64,
    pub name: Option<Text>,
    /// The sequence of the action (`IssueAddressed`) it documents; `None` for the problem itself.
    pub action: Option<i64>,
    pub thumbnail: Option<FileDigest>,
    pub at: DateTime<Utc>,
}

impl IssueAction {
    /// When the thing happened in the field.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            IssueAction::Raise(c) => c.at,
            IssueAction::Assign(c) => c.at,
            IssueAction::Address(c) => c.at,
            IssueAction::Close(c) => c.at,
            IssueAction::Reopen(c) => c.at,
            IssueAction::Correct(c) => c.at,
            IssueAction::Erase(c) => c.at,
            IssueAction::Restrict(c) => c.at,
            IssueAction::Wait(c) => c.at,
            IssueAction::Escalate(c) => c.at,
            IssueAction::MarkDuplicate(c) => c.at,
            IssueAction::RecordVerdict(c) => c.at,
            IssueAction::Attach(c) => c.at,
        }
    }

    /// The command's name, as used in error messages.
    pub fn name(&self) -> &'static str {
        match self {
            IssueAction::Raise(_) => "raise",
            IssueAction::Assign(_) => "assign",
            IssueAction::Address(_) => "address",
            IssueAction::Close(_) => "close",
            IssueAction::Reopen(_) => "reopen",
            IssueAction::Correct(_) => "correct",
            IssueAction::Erase(_) => "erase",
            IssueAction::Restrict(_) => "restrict",
            IssueAction::Wait(_) => "wait",
            IssueAction::Escalate(_) => "escalate",
            IssueAction::MarkDuplicate(_) => "mark_duplicate",
            IssueAction::RecordVerdict(_) => "record_verdict",
            IssueAction::Attach(_) => "attach",
        }
    }
}
