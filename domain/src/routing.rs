//! The `RoutingRule` aggregate: "a problem of this category in this district goes to this agency". The
//! raise and the assign forms suggest the agency of the rule that matches; an assignment records the rule
//! it followed (`IssueAssigned.rule`), so a report can tell routine referrals from decisions.
//!
//! One aggregate per (category, district): its id is derived from the pair ([`RoutingRuleId::of`]), so two
//! rules for the same pair cannot exist, whoever sets them at the same moment (the event store refuses the
//! second first event). Setting the rule again changes its agency; removing it leaves the aggregate, which
//! a later set brings back.

use std::fmt;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::agency::AgencyId;
use crate::error::ErrorKind;
use crate::values::{AmphoeCode, CategoryCode};

/// Derives a rule's id from its category and district (UUIDv5 in a namespace of its own).
const RULE_NAMESPACE: Uuid = Uuid::from_u128(0x3c1e_9a7b_52d4_4f08_b1e6_7d2a_9c40_5e13);

/// The identity of a routing rule (aggregate id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoutingRuleId(pub Uuid);

impl RoutingRuleId {
    /// The one id of the rule for this category in this district.
    pub fn of(category: &CategoryCode, district: &AmphoeCode) -> RoutingRuleId {
        RoutingRuleId(Uuid::new_v5(&RULE_NAMESPACE, format!("{category}:{}", district.as_str()).as_bytes()))
    }

    /// A UUID in any of its usual spellings; anything else is no rule.
    pub fn parse(raw: &str) -> Option<RoutingRuleId> {
        Uuid::parse_str(raw.trim()).ok().map(RoutingRuleId)
    }
}

impl fmt::Display for RoutingRuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What may be asked of a rule. The application checked that the category, the district and the agency
/// exist, and that the id is [`RoutingRuleId::of`] the pair.
#[derive(Debug, Clone, PartialEq)]
pub enum RoutingRuleCommand {
    /// Route the pair to `agency` (a new rule, a rule removed before, or a change of agency).
    Set {
        category: CategoryCode,
        district: AmphoeCode,
        agency: AgencyId,
    },
    Remove,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RoutingRuleEvent {
    RoutingRuleSet { category: CategoryCode, district: AmphoeCode, agency: AgencyId },
    RoutingRuleRemoved {},
}

impl DomainEvent for RoutingRuleEvent {
    fn event_type(&self) -> String {
        match self {
            RoutingRuleEvent::RoutingRuleSet { .. } => "RoutingRuleSet".to_owned(),
            RoutingRuleEvent::RoutingRuleRemoved {} => "RoutingRuleRemoved".to_owned(),
        }
    }

    fn event_version(&self) -> String {
        crate::versions::current(&self.event_type()).to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingRuleError {
    #[error("no such routing rule")]
    NotFound,
    #[error("the rule already routes to this agency")]
    Unchanged,
    #[error("a rule's category and district never change: remove it and set the other pair")]
    OtherPair,
}

impl RoutingRuleError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            RoutingRuleError::NotFound => ErrorKind::NotFound,
            RoutingRuleError::Unchanged => ErrorKind::Conflict,
            RoutingRuleError::OtherPair => ErrorKind::Invalid,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            RoutingRuleError::NotFound => "routing_rule_not_found",
            RoutingRuleError::Unchanged => "routing_rule_unchanged",
            RoutingRuleError::OtherPair => "routing_rule_other_pair",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// The pair, once set (never changes).
    pair: Option<(CategoryCode, AmphoeCode)>,
    /// The agency while the rule is in force; `None` before it is set and after it is removed.
    agency: Option<AgencyId>,
}

impl RoutingRule {
    pub fn decide(&self, command: RoutingRuleCommand) -> Result<Vec<RoutingRuleEvent>, RoutingRuleError> {
        match command {
            RoutingRuleCommand::Set { category, district, agency } => {
                if self.pair.as_ref().is_some_and(|(c, d)| *c != category || *d != district) {
                    return Err(RoutingRuleError::OtherPair);
                }
                if self.agency == Some(agency) {
                    return Err(RoutingRuleError::Unchanged);
                }
                Ok(vec![RoutingRuleEvent::RoutingRuleSet { category, district, agency }])
            }
            RoutingRuleCommand::Remove => match self.agency {
                None => Err(RoutingRuleError::NotFound),
                Some(_) => Ok(vec![RoutingRuleEvent::RoutingRuleRemoved {}]),
            },
        }
    }

    /// The agency the rule routes to while in force.
    pub fn agency(&self) -> Option<AgencyId> {
        self.agency
    }
}

impl Aggregate for RoutingRule {
    /// Stored in every event row: frozen.
    const TYPE: &'static str = "RoutingRule";
    type Command = RoutingRuleCommand;
    type Event = RoutingRuleEvent;
    type Error = RoutingRuleError;
    type Services = ();

    async fn handle(
        &mut self,
        command: RoutingRuleCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), RoutingRuleError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: RoutingRuleEvent) {
        match event {
            RoutingRuleEvent::RoutingRuleSet { category, district, agency } => {
                self.pair = Some((category, district));
                self.agency = Some(agency);
            }
            RoutingRuleEvent::RoutingRuleRemoved {} => self.agency = None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    fn agency(n: u128) -> AgencyId {
        AgencyId(Uuid::from_u128(n))
    }

    fn set(n: u128) -> RoutingRuleCommand {
        RoutingRuleCommand::Set {
            category: CategoryCode::parse("INF").unwrap(),
            district: AmphoeCode::parse("9401").unwrap(),
            agency: agency(n),
        }
    }

    fn was_set(n: u128) -> RoutingRuleEvent {
        RoutingRuleEvent::RoutingRuleSet {
            category: CategoryCode::parse("INF").unwrap(),
            district: AmphoeCode::parse("9401").unwrap(),
            agency: agency(n),
        }
    }

    #[test]
    fn a_rule_is_set_changed_removed_and_set_again() {
        TestFramework::<RoutingRule>::with(())
            .given_no_previous_events()
            .when(set(1))
            .then_expect_events(vec![was_set(1)]);
        TestFramework::<RoutingRule>::with(())
            .given(vec![was_set(1)])
            .when(set(2))
            .then_expect_events(vec![was_set(2)]);
        TestFramework::<RoutingRule>::with(())
            .given(vec![was_set(1)])
            .when(RoutingRuleCommand::Remove)
            .then_expect_events(vec![RoutingRuleEvent::RoutingRuleRemoved {}]);
        TestFramework::<RoutingRule>::with(())
            .given(vec![was_set(1), RoutingRuleEvent::RoutingRuleRemoved {}])
            .when(set(1))
            .then_expect_events(vec![was_set(1)]);
    }

    #[test]
    fn setting_the_same_agency_or_removing_what_is_not_there_is_refused() {
        TestFramework::<RoutingRule>::with(())
            .given(vec![was_set(1)])
            .when(set(1))
            .then_expect_error(RoutingRuleError::Unchanged);
        TestFramework::<RoutingRule>::with(())
            .given_no_previous_events()
            .when(RoutingRuleCommand::Remove)
            .then_expect_error(RoutingRuleError::NotFound);
        TestFramework::<RoutingRule>::with(())
            .given(vec![was_set(1), RoutingRuleEvent::RoutingRuleRemoved {}])
            .when(RoutingRuleCommand::Remove)
            .then_expect_error(RoutingRuleError::NotFound);
    }

    #[test]
    fn a_rule_keeps_its_pair() {
        let other = RoutingRuleCommand::Set {
            category: CategoryCode::parse("EDU").unwrap(),
            district: AmphoeCode::parse("9401").unwrap(),
            agency: agency(1),
        };
        TestFramework::<RoutingRule>::with(())
            .given(vec![was_set(1)])
            .when(other)
            .then_expect_error(RoutingRuleError::OtherPair);
    }

    #[test]
    fn a_rule_id_is_the_pairs_own() {
        let inf = CategoryCode::parse("INF").unwrap();
        let a = RoutingRuleId::of(&inf, &AmphoeCode::parse("9401").unwrap());
        assert_eq!(a, RoutingRuleId::of(&inf, &AmphoeCode::parse("9401").unwrap()));
        assert_ne!(a, RoutingRuleId::of(&inf, &AmphoeCode::parse("9402").unwrap()));
        assert_eq!(RoutingRuleId::parse(&a.to_string()), Some(a));
    }

    #[test]
    fn golden_json_routing_rule_set() {
        let stored = json!({"RoutingRuleSet": {"category": "INF", "district": "9401",
            "agency": "00000000-0000-0000-0000-000000000001"}});
        let event = was_set(1);
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("RoutingRuleSet", "1.0"));
        assert!(crate::versions::EVENT_TYPES.contains(&"RoutingRuleSet"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<RoutingRuleEvent>(stored).unwrap(), event);
    }

    #[test]
    fn golden_json_routing_rule_removed() {
        let stored = json!({"RoutingRuleRemoved": {}});
        let event = RoutingRuleEvent::RoutingRuleRemoved {};
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("RoutingRuleRemoved", "1.0"));
        assert!(crate::versions::EVENT_TYPES.contains(&"RoutingRuleRemoved"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<RoutingRuleEvent>(stored).unwrap(), event);
    }
}
