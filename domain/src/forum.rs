//! The `Forum` aggregate: one listening session (เวทีรับฟังปัญหา) held in an area on a date.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
pub use crate::participation::{LeaderRole, OrganisationId, Participation, ParticipationError};
use crate::time::bangkok_date;
use crate::values::{AreaId, Name, Title};

/// Record that a forum was held. The area was checked to exist before the command was built.
#[derive(Debug, Clone, PartialEq)]
pub struct HoldForum {
    pub area: AreaId,
    pub held_on: NaiveDate,
    pub title: Option<Title>,
    pub facilitator: Option<Name>,
    pub participants: Option<u32>,
    /// Who took part by partner group, if recorded with the forum (the organisations were checked to exist).
    pub participation: Option<Participation>,
    /// The server clock: a forum cannot be held on a later Bangkok date than today.
    pub now: DateTime<Utc>,
}

/// What may be asked of a forum.
#[derive(Debug, Clone, PartialEq)]
pub enum ForumCommand {
    Hold(HoldForum),
    /// Record who took part in a forum already held, or correct the record (the last one wins).
    RecordParticipation {
        participation: Participation,
        now: DateTime<Utc>,
    },
}

impl From<HoldForum> for ForumCommand {
    fn from(c: HoldForum) -> ForumCommand {
        ForumCommand::Hold(c)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ForumEvent {
    ForumHeld {
        area_id: AreaId,
        held_on: NaiveDate,
        title: Option<Title>,
        facilitator: Option<Name>,
        /// How many people took part. Stored as `participants` in version 1.0 (see [`crate::versions`]).
        head_count: Option<u32>,
        /// Who took part, by partner group (version 2.1); absent: not recorded with the forum.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        participation: Option<Participation>,
    },
    /// Who took part, recorded after the forum or corrected; replaces any earlier record.
    ForumParticipationRecorded { participation: Participation, at: DateTime<Utc> },
}

impl DomainEvent for ForumEvent {
    fn event_type(&self) -> String {
        match self {
            ForumEvent::ForumHeld { .. } => "ForumHeld".to_owned(),
            ForumEvent::ForumParticipationRecorded { .. } => "ForumParticipationRecorded".to_owned(),
        }
    }

    fn event_version(&self) -> String {
        crate::versions::current(&self.event_type()).to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForumError {
    #[error("this forum has already been recorded")]
    AlreadyHeld,
    #[error("`held_on` is later than today in Asia/Bangkok")]
    HeldInFuture,
    #[error("participants must be at most {max}", max = Forum::MAX_PARTICIPANTS)]
    TooManyParticipants,
    #[error("no such forum")]
    NotFound,
    #[error(transparent)]
    Participation(#[from] ParticipationError),
}

impl ForumError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ForumError::AlreadyHeld => ErrorKind::Conflict,
            ForumError::HeldInFuture | ForumError::TooManyParticipants => ErrorKind::Invalid,
            ForumError::NotFound => ErrorKind::NotFound,
            ForumError::Participation(e) => e.kind(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ForumError::AlreadyHeld => "forum_already_recorded",
            ForumError::HeldInFuture => "held_on_in_future",
            ForumError::TooManyParticipants => "too_many_participants",
            ForumError::NotFound => "forum_not_found",
            ForumError::Participation(e) => e.code(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Forum {
    held: bool,
    /// The head count the forum was recorded with: what a participation record is checked against.
    #[serde(default)]
    head_count: Option<u32>,
}

impl Forum {
    /// More than this in one village forum is a typing error, not a forum.
    pub const MAX_PARTICIPANTS: u32 = 100_000;

    pub fn decide(&self, command: ForumCommand) -> Result<Vec<ForumEvent>, ForumError> {
        match command {
            ForumCommand::Hold(c) => self.hold(c),
            ForumCommand::RecordParticipation { participation, now } => {
                if !self.held {
                    return Err(ForumError::NotFound);
                }
                let participation = participation.normalised();
                participation.check_against(self.head_count)?;
                Ok(vec![ForumEvent::ForumParticipationRecorded { participation, at: now }])
            }
        }
    }

    fn hold(&self, c: HoldForum) -> Result<Vec<ForumEvent>, ForumError> {
        if self.held {
            return Err(ForumError::AlreadyHeld);
        }
        if c.held_on > bangkok_date(c.now) {
            return Err(ForumError::HeldInFuture);
        }
        if c.participants.is_some_and(|p| p > Self::MAX_PARTICIPANTS) {
            return Err(ForumError::TooManyParticipants);
        }
        let participation = c.participation.map(Participation::normalised);
        if let Some(p) = &participation {
            p.check_against(c.participants)?;
        }
        Ok(vec![ForumEvent::ForumHeld {
            area_id: c.area,
            held_on: c.held_on,
            title: c.title,
            facilitator: c.facilitator,
            head_count: c.participants,
            participation,
        }])
    }
}

impl Aggregate for Forum {
    const TYPE: &'static str = "Forum";
    type Command = ForumCommand;
    type Event = ForumEvent;
    type Error = ForumError;
    type Services = ();

    async fn handle(&mut self, command: ForumCommand, _: &(), sink: &EventSink<Self>) -> Result<(), ForumError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: ForumEvent) {
        match event {
            ForumEvent::ForumHeld { head_count, .. } => {
                self.held = true;
                self.head_count = head_count;
            }
            ForumEvent::ForumParticipationRecorded { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        // 2026-11-25 06:00 in Bangkok.
        "2026-11-24T23:00:00Z".parse().unwrap()
    }

    fn hold(held_on: &str, participants: Option<u32>) -> HoldForum {
        HoldForum {
            area: AreaId::parse("YLA-03").unwrap(),
            held_on: held_on.parse().unwrap(),
            title: Some(Title::parse("เวทีประชาคม ต.ตาเซะ").unwrap()),
            facilitator: None,
            participants,
            participation: None,
            now: now(),
        }
    }

    fn held(held_on: &str, participants: Option<u32>) -> ForumEvent {
        held_with(held_on, participants, None)
    }

    fn held_with(held_on: &str, participants: Option<u32>, participation: Option<Participation>) -> ForumEvent {
        ForumEvent::ForumHeld {
            area_id: AreaId::parse("YLA-03").unwrap(),
            held_on: held_on.parse().unwrap(),
            title: Some(Title::parse("เวทีประชาคม ต.ตาเซะ").unwrap()),
            facilitator: None,
            head_count: participants,
            participation,
        }
    }

    #[test]
    fn holding_a_forum_today_in_bangkok_is_recorded() {
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(hold("2026-11-25", Some(42)).into())
            .then_expect_events(vec![held("2026-11-25", Some(42))]);
    }

    #[test]
    fn a_forum_held_tomorrow_is_rejected() {
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(hold("2026-11-26", None).into())
            .then_expect_error(ForumError::HeldInFuture);
    }

    #[test]
    fn recording_the_same_forum_twice_is_rejected() {
        TestFramework::<Forum>::with(())
            .given(vec![held("2026-11-20", None)])
            .when(hold("2026-11-20", None).into())
            .then_expect_error(ForumError::AlreadyHeld);
    }

    #[test]
    fn an_absurd_participant_count_is_rejected() {
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(hold("2026-11-20", Some(Forum::MAX_PARTICIPANTS + 1)).into())
            .then_expect_error(ForumError::TooManyParticipants);
    }

    /// Version 2.1 (the current one) without participation is byte for byte the 2.0 shape; the 1.0 shape, with `participants`, is upcast (`versions`).
    #[test]
    fn golden_json_forum_held() {
        let event = held("2026-11-20", Some(35));
        let stored = json!({"ForumHeld": {"area_id": "YLA-03", "held_on": "2026-11-20",
            "title": "เวทีประชาคม ต.ตาเซะ", "facilitator": null, "head_count": 35}});
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("ForumHeld", "2.1"));
        assert!(crate::versions::EVENT_TYPES.contains(&"ForumHeld"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<ForumEvent>(stored).unwrap(), event);
        let v1 = json!({"ForumHeld": {"area_id": "YLA-03", "held_on": "2026-11-20",
            "title": "เวทีประชาคม ต.ตาเซะ", "facilitator": null, "participants": 35}});
        let upcast = crate::versions::upcast("ForumHeld", "1.0", v1).unwrap();
        assert_eq!(serde_json::from_value::<ForumEvent>(upcast).unwrap(), event);
    }

    fn participation(villagers: u32) -> Participation {
        Participation {
            sbpac_staff: 2,
            coordinators: 1,
            organisations: vec![OrganisationId(uuid::Uuid::from_u128(7))],
            leaders: std::collections::BTreeMap::from([(LeaderRole::Imam, 1), (LeaderRole::Teacher, 2)]),
            villagers,
            villagers_women: Some(10),
            villagers_men: None,
        }
    }

    #[test]
    fn a_forum_is_held_with_its_participation_by_partner_group() {
        let command = HoldForum { participation: Some(participation(29)), ..hold("2026-11-25", Some(35)) };
        let event = held_with("2026-11-25", Some(35), Some(participation(29)));
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(command.into())
            .then_expect_events(vec![event]);
    }

    #[test]
    fn more_people_by_partner_group_than_the_head_count_is_refused_at_hold_and_later() {
        let command = HoldForum { participation: Some(participation(30)), ..hold("2026-11-25", Some(35)) };
        let exceeds = ForumError::Participation(ParticipationError::ExceedsHeadCount { total: 36, head_count: 35 });
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(command.into())
            .then_expect_error(exceeds.clone());
        TestFramework::<Forum>::with(())
            .given(vec![held("2026-11-20", Some(35))])
            .when(ForumCommand::RecordParticipation { participation: participation(30), now: now() })
            .then_expect_error(exceeds);
        assert_eq!(
            ForumError::Participation(ParticipationError::ExceedsHeadCount { total: 1, head_count: 0 }).code(),
            "participation_exceeds_head_count"
        );
    }

    #[test]
    fn participation_is_recorded_later_in_its_stored_form_and_without_a_head_count_unbounded_by_it() {
        let mut given = participation(500);
        given.organisations.push(given.organisations[0]);
        given.leaders.insert(LeaderRole::Elder, 0);
        TestFramework::<Forum>::with(())
            .given(vec![held("2026-11-20", None)])
            .when(ForumCommand::RecordParticipation { participation: given, now: now() })
            .then_expect_events(vec![ForumEvent::ForumParticipationRecorded {
                participation: participation(500),
                at: now(),
            }]);
    }

    #[test]
    fn participation_of_a_forum_never_held_or_with_women_beyond_villagers_is_refused() {
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(ForumCommand::RecordParticipation { participation: participation(20), now: now() })
            .then_expect_error(ForumError::NotFound);
        TestFramework::<Forum>::with(())
            .given(vec![held("2026-11-20", None)])
            .when(ForumCommand::RecordParticipation { participation: participation(9), now: now() })
            .then_expect_error(ForumError::Participation(ParticipationError::GenderExceedsVillagers));
    }

    #[test]
    fn golden_json_forum_held_with_participation() {
        let event = held_with("2026-11-20", Some(35), Some(participation(29)));
        let stored = json!({"ForumHeld": {"area_id": "YLA-03", "held_on": "2026-11-20",
            "title": "เวทีประชาคม ต.ตาเซะ", "facilitator": null, "head_count": 35,
            "participation": {"sbpac_staff": 2, "coordinators": 1,
                "organisations": ["00000000-0000-0000-0000-000000000007"], "leaders": {"imam": 1, "teacher": 2},
                "villagers": 29, "villagers_women": 10, "villagers_men": null}}});
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<ForumEvent>(stored).unwrap(), event);
        // A 2.0 event (no participation) is read as it is: "not recorded".
        let v2 = json!({"ForumHeld": {"area_id": "YLA-03", "held_on": "2026-11-20",
            "title": "เวทีประชาคม ต.ตาเซะ", "facilitator": null, "head_count": 35}});
        let upcast = crate::versions::upcast("ForumHeld", "2.0", v2).unwrap();
        assert_eq!(serde_json::from_value::<ForumEvent>(upcast).unwrap(), held("2026-11-20", Some(35)));
    }

    #[test]
    fn golden_json_forum_participation_recorded() {
        let event = ForumEvent::ForumParticipationRecorded { participation: participation(29), at: now() };
        let stored = json!({"ForumParticipationRecorded": {"participation": {"sbpac_staff": 2, "coordinators": 1,
            "organisations": ["00000000-0000-0000-0000-000000000007"], "leaders": {"imam": 1, "teacher": 2},
            "villagers": 29, "villagers_women": 10, "villagers_men": null}, "at": "2026-11-24T23:00:00Z"}});
        assert_eq!(
            (event.event_type().as_str(), event.event_version().as_str()),
            ("ForumParticipationRecorded", "1.0")
        );
        assert!(
            crate::versions::EVENT_TYPES.contains(&"ForumParticipationRecorded"),
            "listed for the audit log's filter"
        );
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<ForumEvent>(stored).unwrap(), event);
    }
}
