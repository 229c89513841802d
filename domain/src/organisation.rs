//! The `Organisation` aggregate: one civil-society organisation (องค์กรภาคประชาสังคม) of the registry, one
//! of SBPAC's four partner groups, named in the forums it takes part in.
//!
//! Reference data, event-sourced like areas so that auditors see who registered, approved or changed what.
//! Admins and staff register organisations (active at once); a coordinator proposes one from the forum page
//! (proposed until an admin or staff approves it; it may be named at forums meanwhile, so that the forum's
//! record is complete the day it is written).

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::values::{AreaId, Name};

pub use crate::participation::OrganisationId;

/// What kind of organisation it is. Stored names are frozen (snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// มูลนิธิ
    Foundation,
    /// สมาคม
    Association,
    /// กลุ่มสตรี
    WomensGroup,
    /// กลุ่มเยาวชน
    YouthGroup,
    /// องค์กรศาสนา (mosque committees, temples, churches)
    ReligiousBody,
    /// เครือข่าย
    Network,
    /// วิสาหกิจชุมชน
    CommunityEnterprise,
    /// อื่น ๆ
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 8] = [
        OrganisationKind::Foundation,
        OrganisationKind::Association,
        OrganisationKind::WomensGroup,
        OrganisationKind::YouthGroup,
        OrganisationKind::ReligiousBody,
        OrganisationKind::Network,
        OrganisationKind::CommunityEnterprise,
        OrganisationKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Foundation => "foundation",
            OrganisationKind::Association => "association",
            OrganisationKind::WomensGroup => "womens_group",
            OrganisationKind::YouthGroup => "youth_group",
            OrganisationKind::ReligiousBody => "religious_body",
            OrganisationKind::Network => "network",
            OrganisationKind::CommunityEnterprise => "community_enterprise",
            OrganisationKind::Other => "other",
        }
    }

    /// The kind named exactly as stored; `None` for any other text.
    pub fn parse(raw: &str) -> Option<OrganisationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// An organisation's details, as registered or updated.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationDetails {
    pub name_th: Name,
    pub name_en: Option<Name>,
    pub kind: OrganisationKind,
    /// The target areas it works in (checked to exist by the application); at least one.
    pub area_ids: Vec<AreaId>,
}

/// What may be asked of an organisation; the id is the aggregate id.
#[derive(Debug, Clone, PartialEq)]
pub enum OrganisationCommand {
    /// Register it: active at once (`proposed: false`, admins and staff) or proposed (a coordinator).
    Register { details: OrganisationDetails, proposed: bool },
    /// Approve a proposed organisation (admins and staff).
    Approve,
    /// Change its names, kind or areas (admins and staff).
    Update(OrganisationDetails),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OrganisationEvent {
    OrganisationRegistered {
        name_th: Name,
        name_en: Option<Name>,
        kind: OrganisationKind,
        area_ids: Vec<AreaId>,
        proposed: bool,
    },
    OrganisationApproved {},
    OrganisationUpdated {
        name_th: Name,
        name_en: Option<Name>,
        kind: OrganisationKind,
        area_ids: Vec<AreaId>,
    },
}

impl DomainEvent for OrganisationEvent {
    fn event_type(&self) -> String {
        match self {
            OrganisationEvent::OrganisationRegistered { .. } => "OrganisationRegistered".to_owned(),
            OrganisationEvent::OrganisationApproved {} => "OrganisationApproved".to_owned(),
            OrganisationEvent::OrganisationUpdated { .. } => "OrganisationUpdated".to_owned(),
        }
    }

    fn event_version(&self) -> String {
        crate::versions::current(&self.event_type()).to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganisationError {
    #[error("this organisation is already registered")]
    AlreadyRegistered,
    #[error("no such organisation")]
    NotFound,
    #[error("the organisation is already approved")]
    NotProposed,
    #[error("an organisation works in at least one area")]
    NoAreas,
    #[error("at most {max} areas", max = Organisation::MAX_AREAS)]
    TooManyAreas,
    #[error("the update changes nothing")]
    Unchanged,
}

impl OrganisationError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            OrganisationError::NotFound => ErrorKind::NotFound,
            OrganisationError::AlreadyRegistered | OrganisationError::NotProposed | OrganisationError::Unchanged => {
                ErrorKind::Conflict
            }
            OrganisationError::NoAreas | OrganisationError::TooManyAreas => ErrorKind::Invalid,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            OrganisationError::AlreadyRegistered => "organisation_exists",
            OrganisationError::NotFound => "organisation_not_found",
            OrganisationError::NotProposed => "organisation_not_proposed",
            OrganisationError::NoAreas => "no_areas",
            OrganisationError::TooManyAreas => "too_many_areas",
            OrganisationError::Unchanged => "organisation_unchanged",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    registered: bool,
    proposed: bool,
    /// The details as they stand, to refuse an update that changes nothing.
    #[serde(default)]
    details: Option<DetailsKey>,
}

impl Organisation {
    /// More areas than this is a mistake of the form: the project has tens of target areas.
    pub const MAX_AREAS: usize = 500;

    pub fn decide(&self, command: OrganisationCommand) -> Result<Vec<OrganisationEvent>, OrganisationError> {
        match command {
            OrganisationCommand::Register { details, proposed } => {
                if self.registered {
                    return Err(OrganisationError::AlreadyRegistered);
                }
                let OrganisationDetails { name_th, name_en, kind, area_ids } = checked(details)?;
                Ok(vec![OrganisationEvent::OrganisationRegistered { name_th, name_en, kind, area_ids, proposed }])
            }
            OrganisationCommand::Approve => {
                if !self.registered {
                    return Err(OrganisationError::NotFound);
                }
                if !self.proposed {
                    return Err(OrganisationError::NotProposed);
                }
                Ok(vec![OrganisationEvent::OrganisationApproved {}])
            }
            OrganisationCommand::Update(details) => {
                if !self.registered {
                    return Err(OrganisationError::NotFound);
                }
                let OrganisationDetails { name_th, name_en, kind, area_ids } = checked(details)?;
                if self.details == Some(key(&name_th, name_en.as_ref(), kind, &area_ids)) {
                    return Err(OrganisationError::Unchanged);
                }
                Ok(vec![OrganisationEvent::OrganisationUpdated { name_th, name_en, kind, area_ids }])
            }
        }
    }

    /// Whether it waits for approval.
    pub fn proposed(&self) -> bool {
        self.proposed
    }
}

/// The details in their one stored form (areas sorted, each once), or why they are refused.
fn checked(mut d: OrganisationDetails) -> Result<OrganisationDetails, OrganisationError> {
    d.area_ids.sort();
    d.area_ids.dedup();
    if d.area_ids.is_empty() {
        return Err(OrganisationError::NoAreas);
    }
    if d.area_ids.len() > Organisation::MAX_AREAS {
        return Err(OrganisationError::TooManyAreas);
    }
    Ok(d)
}

type DetailsKey = (String, Option<String>, Option<OrganisationKind>, Vec<AreaId>);

fn key(name_th: &Name, name_en: Option<&Name>, kind: OrganisationKind, area_ids: &[AreaId]) -> DetailsKey {
    (name_th.to_string(), name_en.map(ToString::to_string), Some(kind), area_ids.to_vec())
}

impl Aggregate for Organisation {
    const TYPE: &'static str = "Organisation";
    type Command = OrganisationCommand;
    type Event = OrganisationEvent;
    type Error = OrganisationError;
    type Services = ();

    async fn handle(
        &mut self,
        command: OrganisationCommand,
        _: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), OrganisationError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: OrganisationEvent) {
        match event {
            OrganisationEvent::OrganisationRegistered { name_th, name_en, kind, area_ids, proposed } => {
                self.registered = true;
                self.proposed = proposed;
                self.details = Some(key(&name_th, name_en.as_ref(), kind, &area_ids));
            }
            OrganisationEvent::OrganisationApproved {} => self.proposed = false,
            OrganisationEvent::OrganisationUpdated { name_th, name_en, kind, area_ids } => {
                self.details = Some(key(&name_th, name_en.as_ref(), kind, &area_ids));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    fn area(id: &str) -> AreaId {
        AreaId::parse(id).unwrap()
    }

    fn details(areas: &[&str]) -> OrganisationDetails {
        OrganisationDetails {
            name_th: Name::parse("กลุ่มสตรีบ้านตะลุโบะ").unwrap(),
            name_en: None,
            kind: OrganisationKind::WomensGroup,
            area_ids: areas.iter().map(|a| area(a)).collect(),
        }
    }

    fn registered(proposed: bool) -> OrganisationEvent {
        OrganisationEvent::OrganisationRegistered {
            name_th: Name::parse("กลุ่มสตรีบ้านตะลุโบะ").unwrap(),
            name_en: None,
            kind: OrganisationKind::WomensGroup,
            area_ids: vec![area("PTN-01"), area("PTN-02")],
            proposed,
        }
    }

    #[test]
    fn registering_records_it_once_with_its_areas_sorted() {
        TestFramework::<Organisation>::with(())
            .given_no_previous_events()
            .when(OrganisationCommand::Register { details: details(&["PTN-02", "PTN-01", "PTN-02"]), proposed: false })
            .then_expect_events(vec![registered(false)]);
        TestFramework::<Organisation>::with(())
            .given(vec![registered(false)])
            .when(OrganisationCommand::Register { details: details(&["PTN-01"]), proposed: true })
            .then_expect_error(OrganisationError::AlreadyRegistered);
    }

    #[test]
    fn an_organisation_works_in_at_least_one_area() {
        TestFramework::<Organisation>::with(())
            .given_no_previous_events()
            .when(OrganisationCommand::Register { details: details(&[]), proposed: true })
            .then_expect_error(OrganisationError::NoAreas);
        TestFramework::<Organisation>::with(())
            .given(vec![registered(false)])
            .when(OrganisationCommand::Update(details(&[])))
            .then_expect_error(OrganisationError::NoAreas);
    }

    #[test]
    fn only_a_proposed_organisation_is_approved() {
        TestFramework::<Organisation>::with(())
            .given(vec![registered(true)])
            .when(OrganisationCommand::Approve)
            .then_expect_events(vec![OrganisationEvent::OrganisationApproved {}]);
        TestFramework::<Organisation>::with(())
            .given(vec![registered(true), OrganisationEvent::OrganisationApproved {}])
            .when(OrganisationCommand::Approve)
            .then_expect_error(OrganisationError::NotProposed);
        TestFramework::<Organisation>::with(())
            .given(vec![registered(false)])
            .when(OrganisationCommand::Approve)
            .then_expect_error(OrganisationError::NotProposed);
        TestFramework::<Organisation>::with(())
            .given_no_previous_events()
            .when(OrganisationCommand::Approve)
            .then_expect_error(OrganisationError::NotFound);
    }

    #[test]
    fn an_existing_organisation_is_updated_and_an_update_changing_nothing_refused() {
        let updated = OrganisationEvent::OrganisationUpdated {
            name_th: Name::parse("กลุ่มสตรีบ้านตะลุโบะ").unwrap(),
            name_en: None,
            kind: OrganisationKind::WomensGroup,
            area_ids: vec![area("PTN-01")],
        };
        TestFramework::<Organisation>::with(())
            .given(vec![registered(true)])
            .when(OrganisationCommand::Update(details(&["PTN-01"])))
            .then_expect_events(vec![updated.clone()]);
        TestFramework::<Organisation>::with(())
            .given(vec![registered(true), updated])
            .when(OrganisationCommand::Update(details(&["PTN-01", "PTN-01"])))
            .then_expect_error(OrganisationError::Unchanged);
        TestFramework::<Organisation>::with(())
            .given(vec![registered(false)])
            .when(OrganisationCommand::Update(details(&["PTN-02", "PTN-01"])))
            .then_expect_error(OrganisationError::Unchanged);
        TestFramework::<Organisation>::with(())
            .given_no_previous_events()
            .when(OrganisationCommand::Update(details(&["PTN-01"])))
            .then_expect_error(OrganisationError::NotFound);
    }

    #[test]
    fn kinds_are_named_as_stored() {
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.as_str()));
        }
        assert_eq!(OrganisationKind::parse("party"), None);
        assert_eq!(OrganisationError::NotProposed.code(), "organisation_not_proposed");
    }

    #[test]
    fn golden_json_organisation_registered() {
        let stored = json!({"OrganisationRegistered": {"name_th": "กลุ่มสตรีบ้านตะลุโบะ", "name_en": null,
            "kind": "womens_group", "area_ids": ["PTN-01", "PTN-02"], "proposed": true}});
        let event = registered(true);
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("OrganisationRegistered", "1.0"));
        assert!(crate::versions::EVENT_TYPES.contains(&"OrganisationRegistered"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<OrganisationEvent>(stored).unwrap(), event);
    }

    #[test]
    fn golden_json_organisation_approved() {
        let stored = json!({"OrganisationApproved": {}});
        let event = OrganisationEvent::OrganisationApproved {};
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("OrganisationApproved", "1.0"));
        assert!(crate::versions::EVENT_TYPES.contains(&"OrganisationApproved"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<OrganisationEvent>(stored).unwrap(), event);
    }

    #[test]
    fn golden_json_organisation_updated() {
        let stored = json!({"OrganisationUpdated": {"name_th": "มูลนิธิผสานวัฒนธรรม",
            "name_en": "Cross Cultural Foundation", "kind": "foundation", "area_ids": ["YLA-03"]}});
        let event = OrganisationEvent::OrganisationUpdated {
            name_th: Name::parse("มูลนิธิผสานวัฒนธรรม").unwrap(),
            name_en: Some(Name::parse("Cross Cultural Foundation").unwrap()),
            kind: OrganisationKind::Foundation,
            area_ids: vec![area("YLA-03")],
        };
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("OrganisationUpdated", "1.0"));
        assert!(crate::versions::EVENT_TYPES.contains(&"OrganisationUpdated"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<OrganisationEvent>(stored).unwrap(), event);
    }
}
