//! The `Forum` aggregate: one listening session (เวทีรับฟังปัญหา) held in an area on a date.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
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
    /// The server clock: a forum cannot be held on a later Bangkok date than today.
    pub now: DateTime<Utc>,
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
    },
}

impl DomainEvent for ForumEvent {
    fn event_type(&self) -> String {
        match self {
            ForumEvent::ForumHeld { .. } => "ForumHeld".to_owned(),
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
}

impl ForumError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ForumError::AlreadyHeld => ErrorKind::Conflict,
            ForumError::HeldInFuture | ForumError::TooManyParticipants => ErrorKind::Invalid,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ForumError::AlreadyHeld => "forum_already_recorded",
            ForumError::HeldInFuture => "held_on_in_future",
            ForumError::TooManyParticipants => "too_many_participants",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Forum {
    held: bool,
}

impl Forum {
    /// More than this in one village forum is a typing error, not a forum.
    pub const MAX_PARTICIPANTS: u32 = 100_000;

    pub fn decide(&self, c: HoldForum) -> Result<Vec<ForumEvent>, ForumError> {
        if self.held {
            return Err(ForumError::AlreadyHeld);
        }
        if c.held_on > bangkok_date(c.now) {
            return Err(ForumError::HeldInFuture);
        }
        if c.participants.is_some_and(|p| p > Self::MAX_PARTICIPANTS) {
            return Err(ForumError::TooManyParticipants);
        }
        Ok(vec![ForumEvent::ForumHeld {
            area_id: c.area,
            held_on: c.held_on,
            title: c.title,
            facilitator: c.facilitator,
            head_count: c.participants,
        }])
    }
}

impl Aggregate for Forum {
    const TYPE: &'static str = "Forum";
    type Command = HoldForum;
    type Event = ForumEvent;
    type Error = ForumError;
    type Services = ();

    async fn handle(&mut self, command: HoldForum, _: &(), sink: &EventSink<Self>) -> Result<(), ForumError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: ForumEvent) {
        match event {
            ForumEvent::ForumHeld { .. } => self.held = true,
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
            now: now(),
        }
    }

    fn held(held_on: &str, participants: Option<u32>) -> ForumEvent {
        ForumEvent::ForumHeld {
            area_id: AreaId::parse("YLA-03").unwrap(),
            held_on: held_on.parse().unwrap(),
            title: Some(Title::parse("เวทีประชาคม ต.ตาเซะ").unwrap()),
            facilitator: None,
            head_count: participants,
        }
    }

    #[test]
    fn holding_a_forum_today_in_bangkok_is_recorded() {
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(hold("2026-11-25", Some(42)))
            .then_expect_events(vec![held("2026-11-25", Some(42))]);
    }

    #[test]
    fn a_forum_held_tomorrow_is_rejected() {
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(hold("2026-11-26", None))
            .then_expect_error(ForumError::HeldInFuture);
    }

    #[test]
    fn recording_the_same_forum_twice_is_rejected() {
        TestFramework::<Forum>::with(())
            .given(vec![held("2026-11-20", None)])
            .when(hold("2026-11-20", None))
            .then_expect_error(ForumError::AlreadyHeld);
    }

    #[test]
    fn an_absurd_participant_count_is_rejected() {
        TestFramework::<Forum>::with(())
            .given_no_previous_events()
            .when(hold("2026-11-20", Some(Forum::MAX_PARTICIPANTS + 1)))
            .then_expect_error(ForumError::TooManyParticipants);
    }

    /// Version 2.0 (the current one); the 1.0 shape, with `participants`, is upcast (`versions`).
    #[test]
    fn golden_json_forum_held() {
        let event = held("2026-11-20", Some(35));
        let stored = json!({"ForumHeld": {"area_id": "YLA-03", "held_on": "2026-11-20",
            "title": "เวทีประชาคม ต.ตาเซะ", "facilitator": null, "head_count": 35}});
        assert_eq!((event.event_type().as_str(), event.event_version().as_str()), ("ForumHeld", "2.0"));
        assert!(crate::versions::EVENT_TYPES.contains(&"ForumHeld"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<ForumEvent>(stored).unwrap(), event);
        let v1 = json!({"ForumHeld": {"area_id": "YLA-03", "held_on": "2026-11-20",
            "title": "เวทีประชาคม ต.ตาเซะ", "facilitator": null, "participants": 35}});
        let upcast = crate::versions::upcast("ForumHeld", "1.0", v1).unwrap();
        assert_eq!(serde_json::from_value::<ForumEvent>(upcast).unwrap(), event);
    }
}
