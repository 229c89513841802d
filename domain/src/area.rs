//! The `Area` aggregate: one target area (พื้นที่เป้าหมาย), registered by an administrator.
//!
//! Areas are event-sourced like issues so that auditors see who registered what, and when.

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AreaEvent {
    AreaRegistered {
        name_th: Name,
        name_en: Option<Name>,
        amphoe_code: AmphoeCode,
        province_code: String,
        tambon_code: Option<TambonCode>,
    },
}

impl DomainEvent for AreaEvent {
    fn event_type(&self) -> String {
        match self {
            AreaEvent::AreaRegistered { .. } => "AreaRegistered".to_owned(),
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
}

impl AreaError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            AreaError::AlreadyRegistered => ErrorKind::Conflict,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AreaError::AlreadyRegistered => "area_exists",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Area {
    registered: bool,
}

impl Area {
    pub fn decide(&self, c: RegisterArea) -> Result<Vec<AreaEvent>, AreaError> {
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
}

impl Aggregate for Area {
    const TYPE: &'static str = "Area";
    type Command = RegisterArea;
    type Event = AreaEvent;
    type Error = AreaError;
    type Services = ();

    async fn handle(&mut self, command: RegisterArea, _: &(), sink: &EventSink<Self>) -> Result<(), AreaError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: AreaEvent) {
        match event {
            AreaEvent::AreaRegistered { .. } => self.registered = true,
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
            .when(register())
            .then_expect_events(vec![registered()]);
    }

    #[test]
    fn registering_an_area_id_twice_is_rejected() {
        TestFramework::<Area>::with(())
            .given(vec![registered()])
            .when(register())
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
}
