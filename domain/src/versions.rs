//! Event versions: the shape each stored event type is in now, and the upcasters that bring an older
//! stored shape to it. Every reader of the log (a command loading its aggregate, the projections, the as-of
//! fold) decodes through [`upcast`], so old events keep meaning what they meant.
//!
//! Fail closed: an event whose version is not one listed here (written by a newer release, or damaged)
//! is refused with [`UnknownVersion`], never guessed at; the reader stops and names the event.

use cqrs_es::persist::{EventUpcaster, SerializedEvent};
use serde_json::Value;

/// The version every event type started at, and that most still are at.
pub const V1: &str = "1.0";

/// `ForumHeld` 2.0 (issue #12): `participants` became `head_count` (the forum's head count, beside the
/// participants by partner group to come).
/// `ForumHeld` 2.1 (issue #16): `participation` (who took part, by partner group) added; absent in a 2.0
/// event, which reads as "not recorded".
pub const FORUM_HELD: &str = "2.1";

/// `IssueRaised` 1.1 (issue #13): `case_number` added. A 1.0 event has none and reads as such; a release
/// that knows only 1.0 refuses a 1.1 event instead of dropping its case number.
/// `IssueRaised` 1.2 (issue #15): `complainant` (a person record's id) added.
/// `IssueRaised` 1.3 (issue #16): `kind` added (absent: a community problem; `obstacle`: a coordinator's own).
/// `IssueRaised` 1.4 (issue #18 §2): `source` added (the spreadsheet file and row an imported problem came
/// from); absent for a problem raised in Santisuk, as in every event stored before.
pub const ISSUE_RAISED: &str = "1.4";

/// `CategoryAdded` 1.1 (issue #16): `kind` added (absent: a category of community problems).
pub const CATEGORY_ADDED: &str = "1.1";

/// `IssueAssigned` 1.1 (issue #17): `agency` (the agency referred to) and `rule` (the routing rule followed)
/// added; absent in a 1.0 event, which reads as an assignment to a person or agency named only in `assignee`.
pub const ISSUE_ASSIGNED: &str = "1.1";

/// Every event type Santisuk stores, by aggregate: what the audit log's `type` filter accepts. A new event
/// type is added here with its enum variant: each event's golden JSON test checks that its type is listed.
pub const EVENT_TYPES: &[&str] = &[
    "IssueRaised",
    "IssueAssigned",
    "IssueAddressed",
    "IssueClosed",
    "IssueReopened",
    "IssueCorrected",
    "PersonalDataErased",
    "IssueRestrictionChanged",
    "ForumHeld",
    "ForumParticipationRecorded",
    "OrganisationRegistered",
    "OrganisationApproved",
    "OrganisationUpdated",
    "AreaRegistered",
    "AreaReached",
    "CategoryAdded",
    "CategoryRestrictionChanged",
    "UserCreated",
    "UserAreasChanged",
    "TokenIssued",
    "PasswordSet",
    "UserDeactivated",
    "RestrictedCategoriesGranted",
    "IssueWaitingChanged",
    "AgencyRegistered",
    "AgencyUpdated",
    "RoutingRuleSet",
    "RoutingRuleRemoved",
    "IssueEscalated",
    "ServiceLevelSet",
    "IssueMarkedDuplicate",
    "CommunityVerdictRecorded",
    "AttachmentAdded",
];

/// The version an event of `event_type` is written in now.
pub fn current(event_type: &str) -> &'static str {
    match event_type {
        "ForumHeld" => FORUM_HELD,
        "IssueRaised" => ISSUE_RAISED,
        "CategoryAdded" => CATEGORY_ADDED,
        "IssueAssigned" => ISSUE_ASSIGNED,
        _ => V1,
    }
}

/// A stored event's version that this release does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event_type} version {version:?} is not one this release knows ({current} is current)")]
pub struct UnknownVersion {
    pub event_type: String,
    pub version: String,
    pub current: &'static str,
}

/// Brings a stored payload (`{"<EventType>": {…}}`, as cqrs-es serialises an event) of `event_type` at
/// `version` to the current shape; refuses a version this release does not know.
pub fn upcast(event_type: &str, version: &str, payload: Value) -> Result<Value, UnknownVersion> {
    let now = current(event_type);
    if version == now {
        return Ok(payload);
    }
    match (event_type, version) {
        ("ForumHeld", V1) => Ok(rename(payload, "ForumHeld", "participants", "head_count")),
        // 2.1 only added the optional `participation`: a 2.0 event is a 2.1 event without it.
        ("ForumHeld", "2.0") => Ok(payload),
        // The new field is optional: absent means none.
        ("IssueRaised", V1 | "1.1" | "1.2" | "1.3") => Ok(payload),
        // Absent `kind`: a community problem, a category of community problems (all there was before).
        ("CategoryAdded", V1) => Ok(payload),
        // Absent `agency` and `rule`: an assignment named only by its `assignee` text (all there was before).
        ("IssueAssigned", V1) => Ok(payload),
        _ => Err(UnknownVersion { event_type: event_type.to_owned(), version: version.to_owned(), current: now }),
    }
}

/// The same rules as cqrs-es upcasters, for a plain `PersistedEventStore` on the Santisuk tables
/// (`PersistedEventStore::new_event_store(repo).with_upcasters(versions::upcasters())`).
pub fn upcasters() -> Vec<Box<dyn EventUpcaster>> {
    vec![Box::new(Upcaster)]
}

/// [`upcast`] as a cqrs-es [`EventUpcaster`]. Its `upcast` cannot fail, so an unknown version is turned
/// into a payload no event decodes from: cqrs-es then refuses the load with a deserialisation error
/// (fail closed) instead of reading the event as something it is not.
#[derive(Debug, Clone, Copy)]
pub struct Upcaster;

impl EventUpcaster for Upcaster {
    fn can_upcast(&self, event_type: &str, event_version: &str) -> bool {
        event_version != current(event_type)
    }

    fn upcast(&self, mut event: SerializedEvent) -> SerializedEvent {
        let payload = std::mem::take(&mut event.payload);
        event.payload = upcast(&event.event_type, &event.event_version, payload)
            .unwrap_or_else(|unknown| Value::String(unknown.to_string()));
        event.event_version = current(&event.event_type).to_owned();
        event
    }
}

/// Renames one field of the event's body (absent stays absent).
fn rename(mut payload: Value, event_type: &str, from: &str, to: &str) -> Value {
    if let Some(body) = payload.get_mut(event_type).and_then(Value::as_object_mut) {
        if let Some(value) = body.remove(from) {
            body.insert(to.to_owned(), value);
        }
    }
    payload
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forum::ForumEvent;
    use serde_json::json;

    /// Golden: a `ForumHeld` exactly as release 1.0 stored it decodes, through the upcaster, to the current
    /// event with the same meaning.
    #[test]
    fn a_stored_v1_forum_held_is_upcast_to_the_current_shape() {
        let stored = r#"{"ForumHeld":{"area_id":"PTN-01","held_on":"2026-11-28","title":"เวทีรับฟังปัญหา","facilitator":"นายอาลี","participants":42}}"#;
        let upcast = upcast("ForumHeld", "1.0", serde_json::from_str(stored).unwrap()).unwrap();
        let event: ForumEvent = serde_json::from_value(upcast).unwrap();
        let ForumEvent::ForumHeld { head_count, area_id, .. } = event else { panic!("not a ForumHeld") };
        assert_eq!((head_count, area_id.as_str()), (Some(42), "PTN-01"));
        let without = r#"{"ForumHeld":{"area_id":"PTN-01","held_on":"2026-11-28","title":null,"facilitator":null,"participants":null}}"#;
        let event: ForumEvent = serde_json::from_value(upcast_v1(without)).unwrap();
        let ForumEvent::ForumHeld { head_count, .. } = event else { panic!("not a ForumHeld") };
        assert_eq!(head_count, None);
    }

    fn upcast_v1(stored: &str) -> Value {
        upcast("ForumHeld", "1.0", serde_json::from_str(stored).unwrap()).unwrap()
    }

    #[test]
    fn the_current_version_passes_unchanged_and_an_unknown_one_is_refused() {
        let body = json!({"ForumHeld": {"head_count": 3}});
        assert_eq!(upcast("ForumHeld", FORUM_HELD, body.clone()), Ok(body.clone()));
        let issue = json!({"IssueClosed": {"outcome": "resolved"}});
        assert_eq!(upcast("IssueClosed", "1.0", issue.clone()), Ok(issue.clone()));
        for (event_type, version) in
            [("ForumHeld", "3.0"), ("IssueClosed", "2.0"), ("IssueClosed", ""), ("UserCreated", "1")]
        {
            let err = upcast(event_type, version, issue.clone()).unwrap_err();
            assert_eq!((err.event_type.as_str(), err.version.as_str()), (event_type, version));
        }
    }

    /// The cqrs-es form: a v1 event is upcast, a current one untouched, an unknown one made undecodable.
    #[test]
    fn the_cqrs_es_upcaster_follows_the_same_rules() {
        let event = |version: &str, payload: Value| SerializedEvent {
            aggregate_id: "f".into(),
            sequence: 1,
            aggregate_type: "Forum".into(),
            event_type: "ForumHeld".into(),
            event_version: version.into(),
            payload,
            metadata: json!({}),
        };
        let v1 = json!({"ForumHeld": {"area_id": "PTN-01", "held_on": "2026-11-28", "title": null,
            "facilitator": null, "participants": 9}});
        assert!(Upcaster.can_upcast("ForumHeld", "1.0"));
        assert!(!Upcaster.can_upcast("ForumHeld", FORUM_HELD));
        let up = Upcaster.upcast(event("1.0", v1));
        assert_eq!((up.event_version.as_str(), &up.payload["ForumHeld"]["head_count"]), (FORUM_HELD, &json!(9)));
        let unknown = Upcaster.upcast(event("9.0", json!({"ForumHeld": {}})));
        assert!(serde_json::from_value::<ForumEvent>(unknown.payload).is_err());
    }

    /// A v1 payload read as v2 without the upcaster would lose the head count: the rename is what keeps it.
    #[test]
    fn without_the_upcaster_the_old_field_would_be_lost() {
        let stored = json!({"ForumHeld": {"area_id": "PTN-01", "held_on": "2026-11-28", "title": null,
            "facilitator": null, "participants": 7}});
        let raw: ForumEvent = serde_json::from_value(stored).unwrap();
        let ForumEvent::ForumHeld { head_count, .. } = raw else { panic!("not a ForumHeld") };
        assert_eq!(head_count, None);
    }
}
