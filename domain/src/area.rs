//! The `Area` aggregate: one area, registered by an administrator, and its spreading mark (ขยายผล).
//!
//! Areas are event-sourced like issues so that auditors see who registered what, and when. An area with
//! no `AreaReached` mark is a target area (พื้นที่เป้าหมาย); one marked as reached from another was reached
//! by the project spreading from it. The aggregate checks what it alone can (not itself, not in the
//! future, registered); that the other area exists and that the marks form no cycle needs every area and
//! is checked by the application against the read model.

use chrono::NaiveDate;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::values::{AmphoeCode, AreaId, Name, TambonCode};

/// Register a target area. The id is the aggregate id; the codes were checked against the geography.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterArea {
    pub id: AreaId,
    pub name_th: Name,
    pub name_en: Option<Name>,
    pub amphoe: AmphoeCode,
    pub tambon: Option<TambonCode>,
}

/// Mark an area as reached from another (ขยายผล) on a day; given again, it replaces the mark.
#[derive(Debug, Clone, PartialEq)]
pub struct ReachArea {
    /// The area being marked (the aggregate's id, repeated so the rule "not from itself" is the domain's).
    pub id: AreaId,
    pub from: AreaId,
    pub on: NaiveDate,
    /// The Bangkok date the command was given: `on` may not be after it.
    pub today: NaiveDate,
}

/// What may be asked of an area.
#[derive(Debug, Clone, PartialEq)]
pub enum AreaCommand {
    Register(RegisterArea),
    Reach(ReachArea),
}

impl From<RegisterArea> for AreaCommand {
    fn from(c: RegisterArea) -> AreaCommand {
        AreaCommand::Register(c)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AreaEvent {
    AreaRegistered {
        name_th: Name,
        name_en: Option<Name>,
        amphoe_code: AmphoeCode,
        province_code: String,
        tambon_code: Option<TambonCode>,
    },
    /// The area was reached from `from` (the project spread to it from there) on `on`. The last mark holds.
    AreaReached { from: AreaId, on: NaiveDate },
}

impl DomainEvent for AreaEvent {
    fn event_type(&self) -> String {
        match self {
            AreaEvent::AreaRegistered { .. } => "AreaRegistered".to_owned(),
            AreaEvent::AreaReached { .. } => "AreaReached".to_owned(),
        }
    }

    fn event_version(&self) -> String {
        crate::versions::current(&self.event_type()).to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaError {
    #[error("an area with this id is already registered")]
    AlreadyRegistered,
    #[error("no such area")]
    NotFound,
    #[error("an area cannot be reached from itself")]
    ReachedFromItself,
    #[error("the day an area was reached cannot be in the future")]
    ReachedInFuture,
}

impl AreaError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            AreaError::AlreadyRegistered => ErrorKind::Conflict,
            AreaError::NotFound => ErrorKind::NotFound,
            AreaError::ReachedFromItself | AreaError::ReachedInFuture => ErrorKind::Invalid,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AreaError::AlreadyRegistered => "area_exists",
            AreaError::NotFound => "area_not_found",
            AreaError::ReachedFromItself => "reached_from_itself",
            AreaError::ReachedInFuture => "reached_in_future",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Area {
    registered: bool,
    /// The area it was reached from, if marked (the last mark).
    #[serde(default)]
    reached_from: Option<AreaId>,
}

impl Area {
    pub fn decide(&self, command: AreaCommand) -> Result<Vec<AreaEvent>, AreaError> {
        match command {
            AreaCommand::Register(c) => {
                if self.registered {
                    return Err(AreaError::AlreadyRegistered);
                }
                Ok(vec![AreaEvent::AreaRegistered {
                    name_th: c.name_th,
                    name_en: c.name_en,
                    province_code: c.amphoe.province_code().to_owned(),
                    amphoe_code: c.amphoe,
                    tambon_code: c.tambon,
                }])
            }
            AreaCommand::Reach(c) => {
                if !self.registered {
                    return Err(AreaError::NotFound);
                }
                if c.from == c.id {
                    return Err(AreaError::ReachedFromItself);
                }
                if c.on > c.today {
                    return Err(AreaError::ReachedInFuture);
                }
                Ok(vec![AreaEvent::AreaReached { from: c.from, on: c.on }])
            }
        }
    }

    /// The area this one was reached from, if it is marked.
    pub fn reached_from(&self) -> Option<&AreaId> {
        self.reached_from.as_ref()
    }
}

impl Aggregate for Area {
    const TYPE: &'static str = "Area";
    type Command = AreaCommand;
    type Event = AreaEvent;
    type Error = AreaError;
    type Services = ();

    async fn handle(&mut self, command: AreaCommand, _: &(), sink: &EventSink<Self>) -> Result<(), AreaError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: AreaEvent) {
        match event {
            AreaEvent::AreaRegistered { .. } => self.registered = true,
            AreaEvent::AreaReached { from, .. } => self.reached_from = Some(from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    fn register() -> RegisterArea {
        let amphoe = AmphoeCode::parse("9401").unwrap();
        RegisterArea {
            id: AreaId::parse("PTN-01").unwrap(),
            name_th: Name::parse("บ้านตะลุโบะ").unwrap(),
            name_en: None,
            tambon: Some(TambonCode::parse_in("940101", &amphoe).unwrap()),
            amphoe,
        }
    }

    fn registered() -> AreaEvent {
        let amphoe = AmphoeCode::parse("9401").unwrap();
        AreaEvent::AreaRegistered {
            name_th: Name::parse("บ้านตะลุโบะ").unwrap(),
            name_en: None,
            province_code: "94".into(),
            tambon_code: Some(TambonCode::parse_in("940101", &amphoe).unwrap()),
            amphoe_code: amphoe,
        }
    }

    #[test]
    fn registering_a_new_area_records_its_province() {
        TestFramework::<Area>::with(())
            .given_no_previous_events()
            .when(register().into())
            .then_expect_events(vec![registered()]);
    }

    #[test]
    fn registering_an_area_id_twice_is_rejected() {
        TestFramework::<Area>::with(())
            .given(vec![registered()])
            .when(register().into())
            .then_expect_error(AreaError::AlreadyRegistered);
    }

    #[test]
    fn golden_json_area_registered() {
        let stored = json!({"AreaRegistered": {"name_th": "บ้านตะลุโบะ", "name_en": null, "amphoe_code": "9401",
            "province_code": "94", "tambon_code": "940101"}});
        assert_eq!(registered().event_type(), "AreaRegistered");
        assert!(crate::versions::EVENT_TYPES.contains(&"AreaRegistered"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(registered()).unwrap(), stored);
        assert_eq!(serde_json::from_value::<AreaEvent>(stored).unwrap(), registered());
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn reach(from: &str, on: &str) -> AreaCommand {
        AreaCommand::Reach(ReachArea {
            id: AreaId::parse("PTN-01").unwrap(),
            from: AreaId::parse(from).unwrap(),
            on: day(on),
            today: day("2026-12-07"),
        })
    }

    fn reached(from: &str, on: &str) -> AreaEvent {
        AreaEvent::AreaReached { from: AreaId::parse(from).unwrap(), on: day(on) }
    }

    #[test]
    fn an_area_is_marked_as_reached_from_another_up_to_today() {
        TestFramework::<Area>::with(())
            .given(vec![registered()])
            .when(reach("PTN-02", "2026-12-07"))
            .then_expect_events(vec![reached("PTN-02", "2026-12-07")]);
    }

    #[test]
    fn a_mark_given_again_replaces_the_last_one() {
        TestFramework::<Area>::with(())
            .given(vec![registered(), reached("PTN-02", "2026-01-01")])
            .when(reach("YLA-01", "2026-03-01"))
            .then_expect_events(vec![reached("YLA-01", "2026-03-01")]);
    }

    #[test]
    fn an_area_reached_from_itself_is_rejected() {
        TestFramework::<Area>::with(())
            .given(vec![registered()])
            .when(reach("PTN-01", "2026-01-01"))
            .then_expect_error(AreaError::ReachedFromItself);
        assert_eq!(AreaError::ReachedFromItself.code(), "reached_from_itself");
    }

    #[test]
    fn a_reach_in_the_future_is_rejected() {
        TestFramework::<Area>::with(())
            .given(vec![registered()])
            .when(reach("PTN-02", "2026-12-08"))
            .then_expect_error(AreaError::ReachedInFuture);
    }

    #[test]
    fn an_unregistered_area_cannot_be_marked() {
        TestFramework::<Area>::with(())
            .given_no_previous_events()
            .when(reach("PTN-02", "2026-01-01"))
            .then_expect_error(AreaError::NotFound);
    }

    #[test]
    fn the_aggregate_remembers_the_last_mark() {
        let mut area = Area::default();
        area.apply(registered());
        assert_eq!(area.reached_from(), None);
        area.apply(reached("PTN-02", "2026-01-01"));
        area.apply(reached("YLA-01", "2026-02-01"));
        assert_eq!(area.reached_from().map(AreaId::as_str), Some("YLA-01"));
    }

    #[test]
    fn golden_json_area_reached() {
        let stored = json!({"AreaReached": {"from": "PTN-02", "on": "2026-03-01"}});
        let event = reached("PTN-02", "2026-03-01");
        assert_eq!(event.event_type(), "AreaReached");
        assert_eq!(event.event_version(), "1.0");
        assert!(crate::versions::EVENT_TYPES.contains(&"AreaReached"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<AreaEvent>(stored).unwrap(), event);
    }
}
