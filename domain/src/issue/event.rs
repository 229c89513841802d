//! Events of the `Issue` aggregate: the only truth about an issue. Names and fields are frozen once
//! stored; `golden_json` tests below pin the stored form.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::agency::{AgencyId, Party};
use crate::attachment::{FileDigest, MediaType};
use crate::escalation::Breach;
use crate::import::ImportSource;
use crate::personal::SubjectId;
use crate::routing::RoutingRuleId;
use crate::values::{
    AreaId, Assignee, CaseNumber, CategoryCode, ForumId, IssueId, IssueKind, Name, Outcome, Text, Title,
};
use crate::verdict::Verdict;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IssueEvent {
    IssueRaised {
        area_id: AreaId,
        category: CategoryCode,
        title: Title,
        description: Option<Text>,
        forum_id: Option<ForumId>,
        raised_by: Option<Name>,
        at: DateTime<Utc>,
        /// Since version 1.1; `None` in events stored before (they have no case number).
        #[serde(default)]
        case_number: Option<CaseNumber>,
        /// Since version 1.2: the person record of the complainant, when one was named (the record itself
        /// lives outside the log). `None`: raised anonymously, or on behalf of the group in `raised_by`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        complainant: Option<SubjectId>,
        /// Restricted from the start; absent (not restricted) in events stored before, and in new ones
        /// that are not.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        restricted: bool,
        /// Since version 1.3: a coordinator's own obstacle (`obstacle`); absent for a community problem,
        /// as in every event stored before.
        #[serde(default, skip_serializing_if = "IssueKind::is_community")]
        kind: IssueKind,
        /// Since version 1.4: the spreadsheet file and row the problem was imported from (issue #18 §2);
        /// absent for a problem raised in Santisuk.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<ImportSource>,
    },
    IssueAssigned {
        /// The name shown: the person, else the agency's Thai name as it was at the assignment.
        assignee: Assignee,
        due_on: Option<NaiveDate>,
        note: Option<Text>,
        at: DateTime<Utc>,
        /// Since version 1.1: the agency the problem was referred to; absent when none (a person only, and
        /// every assignment stored before). An assignment to an agency means the problem now waits for it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agency: Option<AgencyId>,
        /// Since version 1.1: the routing rule the assignment followed; absent when none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule: Option<RoutingRuleId>,
    },
    IssueAddressed {
        action: Text,
        note: Option<Text>,
        at: DateTime<Utc>,
    },
    IssueClosed {
        outcome: Outcome,
        note: Option<Text>,
        at: DateTime<Utc>,
    },
    IssueReopened {
        reason: Text,
        at: DateTime<Utc>,
    },
    /// A mistake in what was recorded at the raise, put right: each field changed carries what it was and
    /// what it is now, so the history reads before and after without folding. Absent fields did not change.
    IssueCorrected {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<Change<Title>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<Change<Option<Text>>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<Change<CategoryCode>>,
        reason: Text,
        at: DateTime<Utc>,
    },
    /// The issue's free text was erased: the data keys listed were destroyed, so every text sealed under
    /// them now reads as [`crate::personal::ERASED`]. `subject` is the person whose erasure this was part
    /// of (`None` when the issue's own text was erased). The legal basis is not personal data; the
    /// actor is in the metadata.
    PersonalDataErased {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<SubjectId>,
        legal_basis: Text,
        keys: Vec<String>,
        at: DateTime<Utc>,
    },
    /// The case was marked restricted (its details shown only to those allowed to see them), or the mark
    /// was lifted, and why.
    IssueRestrictionChanged {
        restricted: bool,
        reason: Text,
        at: DateTime<Utc>,
    },
    /// Who the problem is waiting for now (ball in court), set by SBPAC staff as a referral goes back and
    /// forth; an assignment, a closure and a reopening also move it (see `Party`).
    IssueWaitingChanged {
        waiting_for: Party,
        note: Option<Text>,
        at: DateTime<Utc>,
    },
    /// The problem passed a deadline of its category's service level and went one level up the chain
    /// (1: the provincial office, 2: the SBPAC centre), now the `responsible` one (issue #17 §2). `at` is
    /// the deadline passed, not when the escalator noticed, so reads as of any instant agree.
    IssueEscalated {
        level: u8,
        responsible: Name,
        breach: Breach,
        at: DateTime<Utc>,
    },
    /// Issue #17 §3: the problem is one already raised (`of`, the original), so it is closed with outcome
    /// `duplicate` and counted once, with the original. The link back is the original's read (the
    /// problems whose `duplicate_of` is its id); reopening the problem ends the link.
    IssueMarkedDuplicate {
        of: IssueId,
        note: Option<Text>,
        at: DateTime<Utc>,
    },
    /// Issue #17 §6: what the community said of the closed problem at a forum of its area. `disputed`
    /// reopens it (as `IssueReopened` does), with the reason, which it then requires.
    CommunityVerdictRecorded {
        forum_id: ForumId,
        verdict: Verdict,
        reason: Option<Text>,
        at: DateTime<Utc>,
    },
    /// A photo or document was attached to the problem, or to one of its actions (issue #17 §4). The file
    /// is kept outside the log under its SHA-256 (`sha256`, of the bytes as stored: a photo after its
    /// location and camera data were stripped), so this event's hash in the ledger covers the file.
    AttachmentAdded {
        sha256: FileDigest,
        media_type: MediaType,
        size: u64,
        /// The file's name as the uploader gave it: free text, sealed like the other texts.
        name: Option<Text>,
        /// The sequence of the `IssueAddressed` event the file documents; `None`: the problem itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<i64>,
        /// The SHA-256 of the thumbnail made for pages (a document's is a page icon), kept in the blob store as well.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thumbnail: Option<FileDigest>,
        at: DateTime<Utc>,
    },
}

/// A corrected field: its value before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change<T> {
    pub from: T,
    pub to: T,
}

impl IssueEvent {
    /// When the thing happened in the field.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            IssueEvent::IssueRaised { at, .. }
            | IssueEvent::IssueAssigned { at, .. }
            | IssueEvent::IssueAddressed { at, .. }
            | IssueEvent::IssueClosed { at, .. }
            | IssueEvent::IssueReopened { at, .. }
            | IssueEvent::IssueCorrected { at, .. }
            | IssueEvent::PersonalDataErased { at, .. }
            | IssueEvent::IssueRestrictionChanged { at, .. }
            | IssueEvent::IssueWaitingChanged { at, .. }
            | IssueEvent::IssueEscalated { at, .. }
            | IssueEvent::IssueMarkedDuplicate { at, .. }
            | IssueEvent::CommunityVerdictRecorded { at, .. }
            | IssueEvent::AttachmentAdded { at, .. } => *at,
        }
    }
}

impl DomainEvent for IssueEvent {
    fn event_type(&self) -> String {
        match self {
            IssueEvent::IssueRaised { .. } => "IssueRaised",
            IssueEvent::IssueAssigned { .. } => "IssueAssigned",
            IssueEvent::IssueAddressed { .. } => "IssueAddressed",
            IssueEvent::IssueClosed { .. } => "IssueClosed",
            IssueEvent::IssueReopened { .. } => "IssueReopened",
            IssueEvent::IssueCorrected { .. } => "IssueCorrected",
            IssueEvent::PersonalDataErased { .. } => "PersonalDataErased",
            IssueEvent::IssueRestrictionChanged { .. } => "IssueRestrictionChanged",
            IssueEvent::IssueWaitingChanged { .. } => "IssueWaitingChanged",
            IssueEvent::IssueEscalated { .. } => "IssueEscalated",
            IssueEvent::IssueMarkedDuplicate { .. } => "IssueMarkedDuplicate",
            IssueEvent::CommunityVerdictRecorded { .. } => "CommunityVerdictRecorded",
            IssueEvent::AttachmentAdded { .. } => "AttachmentAdded",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        crate::versions::current(&self.event_type()).to_owned()
    }
}

#[cfg(test)]
mod golden_json {
    //! One test per event: the stored JSON must not drift. If one fails, you changed a stored format:
    //! add a new event version and an upcaster instead.
    use super::*;
    use serde_json::{Value, json};

    fn at() -> DateTime<Utc> {
        "2026-11-20T03:04:05Z".parse().unwrap()
    }

    fn check(event: IssueEvent, expected: Value, event_type: &str) {
        assert_eq!(event.event_type(), event_type);
        assert!(crate::versions::EVENT_TYPES.contains(&event_type), "{event_type} listed for the audit log's filter");
        let version = match event_type {
            "IssueRaised" => crate::versions::ISSUE_RAISED,
            "IssueAssigned" => crate::versions::ISSUE_ASSIGNED,
            _ => "1.0",
        };
        assert_eq!(event.event_version(), version);
        assert_eq!(serde_json::to_value(&event).unwrap(), expected);
        assert_eq!(serde_json::from_value::<IssueEvent>(expected).unwrap(), event);
    }

    #[test]
    fn issue_raised() {
        let forum = ForumId("0b9c7a3e-4a0e-4d43-9f56-0d4b8a2f1c11".parse().unwrap());
        check(
            IssueEvent::IssueRaised {
                area_id: AreaId::parse("PTN-01").unwrap(),
                category: CategoryCode::parse("INF").unwrap(),
                title: Title::parse("ถนนเข้าหมู่บ้านชำรุด").unwrap(),
                description: Some(Text::parse("หลุมลึกหน้ามัสยิด").unwrap()),
                forum_id: Some(forum),
                raised_by: Some(Name::parse("กลุ่มสตรีบ้านตะโละ").unwrap()),
                at: at(),
                case_number: Some(CaseNumber::new("PTN", 2569, 7)),
                complainant: Some(SubjectId("5d1f0c2e-8a3b-4c6d-9e0f-112233445566".parse().unwrap())),
                restricted: false,
                kind: IssueKind::Community,
                source: None,
            },
            json!({"IssueRaised": {
                "area_id": "PTN-01", "category": "INF", "title": "ถนนเข้าหมู่บ้านชำรุด",
                "description": "หลุมลึกหน้ามัสยิด", "forum_id": "0b9c7a3e-4a0e-4d43-9f56-0d4b8a2f1c11",
                "raised_by": "กลุ่มสตรีบ้านตะโละ", "at": "2026-11-20T03:04:05Z", "case_number": "PTN-2569-00007",
                "complainant": "5d1f0c2e-8a3b-4c6d-9e0f-112233445566"}}),
            "IssueRaised",
        );
    }

    /// An `IssueRaised` as release 1.0 stored it (no case number) reads through the upcaster as one without.
    #[test]
    fn issue_raised_v1_has_no_case_number() {
        let stored = json!({"IssueRaised": {"area_id": "PTN-01", "category": "INF", "title": "ถนน",
            "description": null, "forum_id": null, "raised_by": null, "at": "2026-11-20T03:04:05Z"}});
        let event: IssueEvent =
            serde_json::from_value(crate::versions::upcast("IssueRaised", "1.0", stored).unwrap()).unwrap();
        assert!(matches!(event, IssueEvent::IssueRaised { case_number: None, .. }), "{event:?}");
    }

    #[test]
    fn issue_assigned() {
        check(
            IssueEvent::IssueAssigned {
                assignee: Assignee::parse("อบต.ตะลุโบะ").unwrap(),
                due_on: Some("2026-12-31".parse().unwrap()),
                note: None,
                at: at(),
                agency: None,
                rule: None,
            },
            json!({"IssueAssigned": {"assignee": "อบต.ตะลุโบะ", "due_on": "2026-12-31", "note": null,
                "at": "2026-11-20T03:04:05Z"}}),
            "IssueAssigned",
        );
    }

    /// Version 1.1: the agency referred to and the routing rule followed.
    #[test]
    fn issue_assigned_to_an_agency_by_a_rule() {
        check(
            IssueEvent::IssueAssigned {
                assignee: Assignee::parse("แขวงทางหลวงปัตตานี").unwrap(),
                due_on: None,
                note: None,
                at: at(),
                agency: Some(AgencyId("7e57a9c0-1111-4222-8333-944455556666".parse().unwrap())),
                rule: Some(RoutingRuleId("2b1c0d9e-aaaa-5bbb-8ccc-dddd0000eeee".parse().unwrap())),
            },
            json!({"IssueAssigned": {"assignee": "แขวงทางหลวงปัตตานี", "due_on": null, "note": null,
                "at": "2026-11-20T03:04:05Z", "agency": "7e57a9c0-1111-4222-8333-944455556666",
                "rule": "2b1c0d9e-aaaa-5bbb-8ccc-dddd0000eeee"}}),
            "IssueAssigned",
        );
    }

    /// An `IssueAssigned` 1.0 reads, through the upcaster, as an assignment with no agency and no rule;
    /// a newer version is refused.
    #[test]
    fn issue_assigned_v1_has_no_agency() {
        let stored = json!({"IssueAssigned": {"assignee": "อบต.ตะลุโบะ", "due_on": null, "note": null,
            "at": "2026-11-20T03:04:05Z"}});
        let event: IssueEvent =
            serde_json::from_value(crate::versions::upcast("IssueAssigned", "1.0", stored).unwrap()).unwrap();
        assert!(matches!(event, IssueEvent::IssueAssigned { agency: None, rule: None, .. }), "{event:?}");
        assert!(crate::versions::upcast("IssueAssigned", "1.2", json!({})).is_err(), "a newer version is refused");
    }

    #[test]
    fn issue_waiting_changed() {
        check(
            IssueEvent::IssueWaitingChanged {
                waiting_for: Party::Community,
                note: Some(Text::parse("รอผู้ใหญ่บ้านส่งรายชื่อ").unwrap()),
                at: at(),
            },
            json!({"IssueWaitingChanged": {"waiting_for": "community", "note": "รอผู้ใหญ่บ้านส่งรายชื่อ",
                "at": "2026-11-20T03:04:05Z"}}),
            "IssueWaitingChanged",
        );
    }

    #[test]
    fn issue_addressed() {
        check(
            IssueEvent::IssueAddressed {
                action: Text::parse("ซ่อมถนนแล้ว").unwrap(), note: None, at: at()
            },
            json!({"IssueAddressed": {"action": "ซ่อมถนนแล้ว", "note": null, "at": "2026-11-20T03:04:05Z"}}),
            "IssueAddressed",
        );
    }

    #[test]
    fn issue_closed() {
        check(
            IssueEvent::IssueClosed { outcome: Outcome::Resolved, note: Some(Text::parse("ok").unwrap()), at: at() },
            json!({"IssueClosed": {"outcome": "resolved", "note": "ok", "at": "2026-11-20T03:04:05Z"}}),
            "IssueClosed",
        );
    }

    #[test]
    fn issue_reopened() {
        check(
            IssueEvent::IssueReopened { reason: Text::parse("ถนนพังอีก").unwrap(), at: at() },
            json!({"IssueReopened": {"reason": "ถนนพังอีก", "at": "2026-11-20T03:04:05Z"}}),
            "IssueReopened",
        );
    }

    #[test]
    fn personal_data_erased() {
        check(
            IssueEvent::PersonalDataErased {
                subject: Some(SubjectId("5d1f0c2e-8a3b-4c6d-9e0f-112233445566".parse().unwrap())),
                legal_basis: Text::parse("PDPA s.33: request of the data subject").unwrap(),
                keys: vec!["k1".into()],
                at: at(),
            },
            json!({"PersonalDataErased": {"subject": "5d1f0c2e-8a3b-4c6d-9e0f-112233445566",
                "legal_basis": "PDPA s.33: request of the data subject", "keys": ["k1"], "at": "2026-11-20T03:04:05Z"}}),
            "PersonalDataErased",
        );
    }

    /// An `IssueRaised` 1.1 (no complainant) reads as one raised without a person record.
    #[test]
    fn issue_raised_v1_1_has_no_complainant() {
        let stored = json!({"IssueRaised": {"area_id": "PTN-01", "category": "INF", "title": "ถนน",
            "description": null, "forum_id": null, "raised_by": null, "at": "2026-11-20T03:04:05Z",
            "case_number": "PTN-2569-00001"}});
        let event: IssueEvent =
            serde_json::from_value(crate::versions::upcast("IssueRaised", "1.1", stored).unwrap()).unwrap();
        assert!(matches!(event, IssueEvent::IssueRaised { complainant: None, .. }), "{event:?}");
    }

    #[test]
    fn issue_corrected() {
        check(
            IssueEvent::IssueCorrected {
                title: Some(Change {
                    from: Title::parse("ถนนชำรุ").unwrap(), to: Title::parse("ถนนชำรุด").unwrap()
                }),
                description: Some(Change {
                    from: None, to: Some(Text::parse("หน้ามัสยิด").unwrap())
                }),
                category: None,
                reason: Text::parse("พิมพ์ผิด").unwrap(),
                at: at(),
            },
            json!({"IssueCorrected": {"title": {"from": "ถนนชำรุ", "to": "ถนนชำรุด"},
                "description": {"from": null, "to": "หน้ามัสยิด"}, "reason": "พิมพ์ผิด", "at": "2026-11-20T03:04:05Z"}}),
            "IssueCorrected",
        );
    }

    /// A raise restricted from the start says so; one that is not stores no `restricted` at all (above).
    #[test]
    fn issue_raised_restricted() {
        check(
            IssueEvent::IssueRaised {
                area_id: AreaId::parse("PTN-01").unwrap(),
                category: CategoryCode::parse("JUS").unwrap(),
                title: Title::parse("ถูกข่มขู่").unwrap(),
                description: None,
                forum_id: None,
                raised_by: None,
                at: at(),
                case_number: Some(CaseNumber::new("PTN", 2569, 8)),
                complainant: None,
                restricted: true,
                kind: IssueKind::Community,
                source: None,
            },
            json!({"IssueRaised": {
                "area_id": "PTN-01", "category": "JUS", "title": "ถูกข่มขู่", "description": null,
                "forum_id": null, "raised_by": null, "at": "2026-11-20T03:04:05Z", "case_number": "PTN-2569-00008",
                "restricted": true}}),
            "IssueRaised",
        );
    }

    /// A coordinator's obstacle says so; a community problem stores no `kind` at all (above).
    #[test]
    fn issue_raised_obstacle() {
        check(
            IssueEvent::IssueRaised {
                area_id: AreaId::parse("PTN-01").unwrap(),
                category: CategoryCode::parse("OBS_TRANSPORT").unwrap(),
                title: Title::parse("ไม่มีรถไปประชุมเวที").unwrap(),
                description: None,
                forum_id: None,
                raised_by: None,
                at: at(),
                case_number: Some(CaseNumber::new("PTN", 2569, 9)),
                complainant: None,
                restricted: false,
                kind: IssueKind::Obstacle,
                source: None,
            },
            json!({"IssueRaised": {
                "area_id": "PTN-01", "category": "OBS_TRANSPORT", "title": "ไม่มีรถไปประชุมเวที", "description": null,
                "forum_id": null, "raised_by": null, "at": "2026-11-20T03:04:05Z", "case_number": "PTN-2569-00009",
                "kind": "obstacle"}}),
            "IssueRaised",
        );
    }

    /// An `IssueRaised` 1.2 (no kind) reads, through the upcaster, as a community problem.
    #[test]
    fn issue_raised_v1_2_is_a_community_problem() {
        let stored = json!({"IssueRaised": {"area_id": "PTN-01", "category": "INF", "title": "ถนน",
            "description": null, "forum_id": null, "raised_by": null, "at": "2026-11-20T03:04:05Z",
            "case_number": "PTN-2569-00001", "complainant": "5d1f0c2e-8a3b-4c6d-9e0f-112233445566"}});
        let event: IssueEvent =
            serde_json::from_value(crate::versions::upcast("IssueRaised", "1.2", stored).unwrap()).unwrap();
        assert!(matches!(event, IssueEvent::IssueRaised { kind: IssueKind::Community, .. }), "{event:?}");
        assert!(crate::versions::upcast("IssueRaised", "1.5", json!({})).is_err(), "a newer version is refused");
    }

    /// An imported problem (issue #18 §2) records the file and row it came from.
    #[test]
    fn issue_raised_imported() {
        check(
            IssueEvent::IssueRaised {
                area_id: AreaId::parse("PTN-01").unwrap(),
                category: CategoryCode::parse("INF").unwrap(),
                title: Title::parse("ถนนชำรุด").unwrap(),
                description: None,
                forum_id: None,
                raised_by: None,
                at: at(),
                case_number: Some(CaseNumber::new("PTN", 2569, 10)),
                complainant: None,
                restricted: false,
                kind: IssueKind::Community,
                source: Some(crate::import::ImportSource {
                    file_sha256: "ab".repeat(32),
                    file_name: "เวที-2567.xlsx".into(),
                    sheet: Some("ปัญหา".into()),
                    row: 7,
                }),
            },
            json!({"IssueRaised": {
                "area_id": "PTN-01", "category": "INF", "title": "ถนนชำรุด", "description": null,
                "forum_id": null, "raised_by": null, "at": "2026-11-20T03:04:05Z", "case_number": "PTN-2569-00010",
                "source": {"file_sha256": "ab".repeat(32), "file_name": "เวที-2567.xlsx", "sheet": "ปัญหา", "row": 7}}}),
            "IssueRaised",
        );
    }

    /// An `IssueRaised` 1.3 (no source) reads, through the upcaster, as a problem raised in Santisuk.
    #[test]
    fn issue_raised_v1_3_has_no_source() {
        let stored = json!({"IssueRaised": {"area_id": "PTN-01", "category": "INF", "title": "ถนน",
            "description": null, "forum_id": null, "raised_by": null, "at": "2026-11-20T03:04:05Z",
            "case_number": "PTN-2569-00001", "kind": "obstacle"}});
        let event: IssueEvent =
            serde_json::from_value(crate::versions::upcast("IssueRaised", "1.3", stored).unwrap()).unwrap();
        assert!(matches!(event, IssueEvent::IssueRaised { source: None, kind: IssueKind::Obstacle, .. }), "{event:?}");
    }

    #[test]
    fn issue_restriction_changed() {
        check(
            IssueEvent::IssueRestrictionChanged {
                restricted: true,
                reason: Text::parse("ผู้ร้องเสี่ยงอันตราย").unwrap(),
                at: at(),
            },
            json!({"IssueRestrictionChanged": {"restricted": true, "reason": "ผู้ร้องเสี่ยงอันตราย",
                "at": "2026-11-20T03:04:05Z"}}),
            "IssueRestrictionChanged",
        );
    }

    #[test]
    fn issue_escalated() {
        check(
            IssueEvent::IssueEscalated {
                level: 1,
                responsible: Name::parse("สำนักงานประสานงาน ศอ.บต. จังหวัดปัตตานี").unwrap(),
                breach: crate::escalation::Breach::Assignment,
                at: at(),
            },
            json!({"IssueEscalated": {"level": 1, "responsible": "สำนักงานประสานงาน ศอ.บต. จังหวัดปัตตานี",
                "breach": "assignment", "at": "2026-11-20T03:04:05Z"}}),
            "IssueEscalated",
        );
    }

    #[test]
    fn issue_marked_duplicate() {
        check(
            IssueEvent::IssueMarkedDuplicate {
                of: IssueId("7c0e5a2b-1d3f-4e6a-8b9c-0d1e2f3a4b5c".parse().unwrap()),
                note: Some(Text::parse("สะพานเดียวกัน เวทีบ้านตะโละยกมาแล้ว").unwrap()),
                at: at(),
            },
            json!({"IssueMarkedDuplicate": {"of": "7c0e5a2b-1d3f-4e6a-8b9c-0d1e2f3a4b5c",
                "note": "สะพานเดียวกัน เวทีบ้านตะโละยกมาแล้ว", "at": "2026-11-20T03:04:05Z"}}),
            "IssueMarkedDuplicate",
        );
    }

    #[test]
    fn community_verdict_recorded() {
        let forum = ForumId("0b9c7a3e-4a0e-4d43-9f56-0d4b8a2f1c11".parse().unwrap());
        check(
            IssueEvent::CommunityVerdictRecorded {
                forum_id: forum,
                verdict: Verdict::Disputed,
                reason: Some(Text::parse("ถนนยังเป็นหลุมอยู่").unwrap()),
                at: at(),
            },
            json!({"CommunityVerdictRecorded": {"forum_id": "0b9c7a3e-4a0e-4d43-9f56-0d4b8a2f1c11",
                "verdict": "disputed", "reason": "ถนนยังเป็นหลุมอยู่", "at": "2026-11-20T03:04:05Z"}}),
            "CommunityVerdictRecorded",
        );
        check(
            IssueEvent::CommunityVerdictRecorded {
                forum_id: forum,
                verdict: Verdict::NotAsked,
                reason: None,
                at: at(),
            },
            json!({"CommunityVerdictRecorded": {"forum_id": "0b9c7a3e-4a0e-4d43-9f56-0d4b8a2f1c11",
                "verdict": "not_asked", "reason": null, "at": "2026-11-20T03:04:05Z"}}),
            "CommunityVerdictRecorded",
        );
    }

    #[test]
    fn attachment_added() {
        check(
            IssueEvent::AttachmentAdded {
                sha256: FileDigest::parse(&"ab".repeat(32)).unwrap(),
                media_type: MediaType::Jpeg,
                size: 123_456,
                name: Some(Text::parse("สะพานพัง.jpg").unwrap()),
                action: Some(3),
                thumbnail: Some(FileDigest::parse(&"cd".repeat(32)).unwrap()),
                at: at(),
            },
            json!({"AttachmentAdded": {"sha256": "ab".repeat(32), "media_type": "image/jpeg", "size": 123456,
                "name": "สะพานพัง.jpg", "action": 3, "thumbnail": "cd".repeat(32), "at": "2026-11-20T03:04:05Z"}}),
            "AttachmentAdded",
        );
    }

    /// A document of the problem itself stores no `action`, and a PDF no thumbnail.
    #[test]
    fn attachment_added_to_the_problem() {
        check(
            IssueEvent::AttachmentAdded {
                sha256: FileDigest::parse(&"ef".repeat(32)).unwrap(),
                media_type: MediaType::Pdf,
                size: 1,
                name: None,
                action: None,
                thumbnail: None,
                at: at(),
            },
            json!({"AttachmentAdded": {"sha256": "ef".repeat(32), "media_type": "application/pdf", "size": 1,
                "name": null, "at": "2026-11-20T03:04:05Z"}}),
            "AttachmentAdded",
        );
    }
}
