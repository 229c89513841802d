//! The `Agency` aggregate: one government agency a problem is referred to (the district office, the
//! provincial highway office, the PAO, a ministry), and the parties a problem can wait for ([`Party`]).
//!
//! Reference data, event-sourced like areas and organisations so that auditors see who registered or
//! changed an agency and when. Admins manage them. Most agencies do not use Santisuk: SBPAC refers a
//! problem to one and tracks, with "waiting for", who holds the ball (see `Party`).

use std::fmt;

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ErrorKind;
use crate::values::{AmphoeCode, Name};

/// The identity of an agency (aggregate id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgencyId(pub Uuid);

impl AgencyId {
    /// A UUID in any of its usual spellings; anything else is no agency.
    pub fn parse(raw: &str) -> Option<AgencyId> {
        Uuid::parse_str(raw.trim()).ok().map(AgencyId)
    }
}

impl fmt::Display for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The level of government an agency belongs to. Stored names are frozen (snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyLevel {
    /// ตำบล: an อบต. or เทศบาลตำบล.
    Tambon,
    /// อำเภอ: the district office (ที่ว่าการอำเภอ) and district branches of ministries.
    Amphoe,
    /// จังหวัด: provincial offices, the PAO (อบจ.), the highway district (แขวงทางหลวง).
    Province,
    /// ภาค: regional offices (e.g. the regional irrigation office, ศอ.บต. itself).
    Region,
    /// ส่วนกลาง: a ministry or department in Bangkok.
    National,
}

impl AgencyLevel {
    pub const ALL: [AgencyLevel; 5] =
        [AgencyLevel::Tambon, AgencyLevel::Amphoe, AgencyLevel::Province, AgencyLevel::Region, AgencyLevel::National];

    pub fn as_str(self) -> &'static str {
        match self {
            AgencyLevel::Tambon => "tambon",
            AgencyLevel::Amphoe => "amphoe",
            AgencyLevel::Province => "province",
            AgencyLevel::Region => "region",
            AgencyLevel::National => "national",
        }
    }

    /// The level named exactly as stored; `None` for any other text.
    pub fn parse(raw: &str) -> Option<AgencyLevel> {
        Self::ALL.into_iter().find(|l| l.as_str() == raw)
    }

    /// Whether an agency of this level must name the districts it covers: a regional or national agency
    /// may name none, which means it covers every district.
    pub fn needs_districts(self) -> bool {
        matches!(self, AgencyLevel::Tambon | AgencyLevel::Amphoe | AgencyLevel::Province)
    }
}

/// Who a problem is waiting for ("ball in court"): SBPAC (to triage, refer or chase), the agency it was
/// referred to (to act), or the community (to give information, or to confirm). Stored names are frozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Sbpac,
    Agency,
    Community,
}

impl Party {
    pub const ALL: [Party; 3] = [Party::Sbpac, Party::Agency, Party::Community];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::Sbpac => "sbpac",
            Party::Agency => "agency",
            Party::Community => "community",
        }
    }

    /// The party named exactly as stored; `None` for any other text.
    pub fn parse(raw: &str) -> Option<Party> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }
}

impl Party {
    /// Who a problem waits for after an assignment, or when it is reopened: the agency it is referred
    /// to, or SBPAC when it is referred to none (a person SBPAC follows up with). The one definition the
    /// aggregate and the ball-in-court projection share.
    pub fn by_default(referred: bool) -> Party {
        if referred { Party::Agency } else { Party::Sbpac }
    }
}

impl TryFrom<String> for Party {
    type Error = String;

    fn try_from(raw: String) -> Result<Party, String> {
        Party::parse(&raw).ok_or_else(|| format!("unknown party {raw:?}"))
    }
}

/// An agency's details, as registered or updated.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyDetails {
    pub name_th: Name,
    pub name_en: Option<Name>,
    pub level: AgencyLevel,
    /// The districts it covers (checked codes); none for a regional or national agency covering all.
    pub districts: Vec<AmphoeCode>,
    /// How to reach it: an e-mail address, a telephone number, a LINE id, as the office gives it (free text,
    /// one line: an office's contact, not a person's).
    pub contact: Option<Name>,
}

/// What may be asked of an agency; the id is the aggregate id.
#[derive(Debug, Clone, PartialEq)]
pub enum AgencyCommand {
    Register(AgencyDetails),
    Update(AgencyDetails),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AgencyEvent {
    AgencyRegistered {
        name_th: Name,
        name_en: Option<Name>,
        level: AgencyLevel,
        districts: Vec<AmphoeCode>,
        contact: Option<Name>,
    },
    AgencyUpdated {
        name_th: Name,
        name_en: Option<Name>,
        level: AgencyLevel,
        districts: Vec<AmphoeCode>,
        contact: Option<Name>,
    },
}

impl DomainEvent for AgencyEvent {
    fn event_type(&self) -> String {
        match self {
            AgencyEvent::AgencyRegistered { .. } => "AgencyRegistered".to_owned(),
            AgencyEvent::AgencyUpdated { .. } => "AgencyUpdated".to_owned(),
        }
    }

    fn event_version(&self) -> String {
        crate::versions::current(&self.event_type()).to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgencyError {
    #[error("this agency is already registered")]
    AlreadyRegistered,
    #[error("no such agency")]
    NotFound,
    #[error("an agency of level {0} covers at least one district")]
    NoDistricts(&'static str),
    #[error("the update changes nothing")]
    Unchanged,
}

impl AgencyError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            AgencyError::NotFound => ErrorKind::NotFound,
            AgencyError::AlreadyRegistered | AgencyError::Unchanged => ErrorKind::Conflict,
            AgencyError::NoDistricts(_) => ErrorKind::Invalid,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AgencyError::AlreadyRegistered => "agency_exists",
            AgencyError::NotFound => "agency_not_found",
            AgencyError::NoDistricts(_) => "no_districts",
            AgencyError::Unchanged => "agency_unchanged",
        }
    }
}

/// The details in their one stored form (districts sorted, each once), or why they are refused.
fn checked(mut d: AgencyDetails) -> Result<AgencyDetails, AgencyError> {
    d.districts.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    d.districts.dedup();
    if d.districts.is_empty() && d.level.needs_districts() {
        return Err(AgencyError::NoDistricts(d.level.as_str()));
    }
    Ok(d)
}

type DetailsKey = (String, Option<String>, AgencyLevel, Vec<String>, Option<String>);

fn key(
    name_th: &Name,
    name_en: Option<&Name>,
    level: AgencyLevel,
    districts: &[AmphoeCode],
    contact: Option<&Name>,
) -> DetailsKey {
    (
        name_th.to_string(),
        name_en.map(ToString::to_string),
        level,
        districts.iter().map(|d| d.as_str().to_owned()).collect(),
        contact.map(ToString::to_string),
    )
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Agency {
    /// The details as they stand (`None` before it is registered), to refuse an update that changes nothing.
    details: Option<DetailsKey>,
}

impl Agency {
    pub fn decide(&self, command: AgencyCommand) -> Result<Vec<AgencyEvent>, AgencyError> {
        match command {
            AgencyCommand::Register(details) => {
                if self.details.is_some() {
                    return Err(AgencyError::AlreadyRegistered);
                }
                let AgencyDetails { name_th, name_en, level, districts, contact } = checked(details)?;
                Ok(vec![AgencyEvent::AgencyRegistered { name_th, name_en, level, districts, contact }])
            }
            AgencyCommand::Update(details) => {
                let Some(current) = &self.details else { return Err(AgencyError::NotFound) };
                let AgencyDetails { name_th, name_en, level, districts, contact } = checked(details)?;
                if *current == key(&name_th, name_en.as_ref(), level, &districts, contact.as_ref()) {
                    return Err(AgencyError::Unchanged);
                }
                Ok(vec![AgencyEvent::AgencyUpdated { name_th, name_en, level, districts, contact }])
            }
        }
    }
}

impl Aggregate for Agency {
    /// Stored in every event row: frozen.
    const TYPE: &'static str = "Agency";
    type Command = AgencyCommand;
    type Event = AgencyEvent;
    type Error = AgencyError;
    type Services = ();

    async fn handle(&mut self, command: AgencyCommand, _: &(), sink: &EventSink<Self>) -> Result<(), AgencyError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: AgencyEvent) {
        match event {
            AgencyEvent::AgencyRegistered { name_th, name_en, level, districts, contact }
            | AgencyEvent::AgencyUpdated { name_th, name_en, level, districts, contact } => {
                self.details = Some(key(&name_th, name_en.as_ref(), level, &districts, contact.as_ref()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    fn amphoe(code: &str) -> AmphoeCode {
        AmphoeCode::parse(code).unwrap()
    }

    fn details(level: AgencyLevel, districts: &[&str]) -> AgencyDetails {
        AgencyDetails {
            name_th: Name::parse("ที่ว่าการอำเภอเมืองปัตตานี").unwrap(),
            name_en: None,
            level,
            districts: districts.iter().map(|d| amphoe(d)).collect(),
            contact: Some(Name::parse("โทร 073-331-111").unwrap()),
        }
    }

    fn registered(districts: &[&str]) -> AgencyEvent {
        AgencyEvent::AgencyRegistered {
            name_th: Name::parse("ที่ว่าการอำเภอเมืองปัตตานี").unwrap(),
            name_en: None,
            level: AgencyLevel::Amphoe,
            districts: districts.iter().map(|d| amphoe(d)).collect(),
            contact: Some(Name::parse("โทร 073-331-111").unwrap()),
        }
    }

    #[test]
    fn registering_records_it_once_with_its_districts_sorted() {
        TestFramework::<Agency>::with(())
            .given_no_previous_events()
            .when(AgencyCommand::Register(details(AgencyLevel::Amphoe, &["9402", "9401", "9402"])))
            .then_expect_events(vec![registered(&["9401", "9402"])]);
        TestFramework::<Agency>::with(())
            .given(vec![registered(&["9401"])])
            .when(AgencyCommand::Register(details(AgencyLevel::Amphoe, &["9401"])))
            .then_expect_error(AgencyError::AlreadyRegistered);
    }

    #[test]
    fn a_local_agency_covers_a_district_and_a_national_one_may_cover_all() {
        TestFramework::<Agency>::with(())
            .given_no_previous_events()
            .when(AgencyCommand::Register(details(AgencyLevel::Province, &[])))
            .then_expect_error(AgencyError::NoDistricts("province"));
        let result = TestFramework::<Agency>::with(())
            .given_no_previous_events()
            .when(AgencyCommand::Register(details(AgencyLevel::National, &[])))
            .inspect_result();
        assert!(
            matches!(&result.unwrap()[..], [AgencyEvent::AgencyRegistered { districts, .. }] if districts.is_empty())
        );
    }

    #[test]
    fn an_existing_agency_is_updated_and_an_update_changing_nothing_refused() {
        let mut changed = details(AgencyLevel::Amphoe, &["9401"]);
        changed.contact = Some(Name::parse("saraban@pattani.go.th").unwrap());
        let result = TestFramework::<Agency>::with(())
            .given(vec![registered(&["9401"])])
            .when(AgencyCommand::Update(changed))
            .inspect_result();
        assert!(
            matches!(&result.unwrap()[..], [AgencyEvent::AgencyUpdated { contact: Some(c), .. }] if c.as_str() == "saraban@pattani.go.th")
        );
        TestFramework::<Agency>::with(())
            .given(vec![registered(&["9401"])])
            .when(AgencyCommand::Update(details(AgencyLevel::Amphoe, &["9401", "9401"])))
            .then_expect_error(AgencyError::Unchanged);
        TestFramework::<Agency>::with(())
            .given_no_previous_events()
            .when(AgencyCommand::Update(details(AgencyLevel::Amphoe, &["9401"])))
            .then_expect_error(AgencyError::NotFound);
    }

    #[test]
    fn levels_and_parties_are_named_as_stored() {
        for level in AgencyLevel::ALL {
            assert_eq!(AgencyLevel::parse(level.as_str()), Some(level));
            assert_eq!(serde_json::to_value(level).unwrap(), json!(level.as_str()));
        }
        for party in Party::ALL {
            assert_eq!(Party::parse(party.as_str()), Some(party));
            assert_eq!(serde_json::to_value(party).unwrap(), json!(party.as_str()));
        }
        assert_eq!((AgencyLevel::parse("village"), Party::parse("SBPAC")), (None, None));
        assert_eq!(AgencyError::NoDistricts("tambon").code(), "no_districts");
    }

    #[test]
    fn golden_json_agency_registered() {
        let stored = json!({"AgencyRegistered": {"name_th": "ที่ว่าการอำเภอเมืองปัตตานี", "name_en": null,
            "level": "amphoe", "districts": ["9401"], "contact": "โทร 073-331-111"}});
        let event = registered(&["9401"]);
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("AgencyRegistered", "1.0"));
        assert!(crate::versions::EVENT_TYPES.contains(&"AgencyRegistered"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<AgencyEvent>(stored).unwrap(), event);
    }

    #[test]
    fn golden_json_agency_updated() {
        let stored = json!({"AgencyUpdated": {"name_th": "กรมทางหลวงชนบท", "name_en": "Department of Rural Roads",
            "level": "national", "districts": [], "contact": null}});
        let event = AgencyEvent::AgencyUpdated {
            name_th: Name::parse("กรมทางหลวงชนบท").unwrap(),
            name_en: Some(Name::parse("Department of Rural Roads").unwrap()),
            level: AgencyLevel::National,
            districts: vec![],
            contact: None,
        };
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("AgencyUpdated", "1.0"));
        assert!(crate::versions::EVENT_TYPES.contains(&"AgencyUpdated"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<AgencyEvent>(stored).unwrap(), event);
    }
}
