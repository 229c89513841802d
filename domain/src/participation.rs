//! Who took part in a forum, by SBPAC's four partner groups: SBPAC staff (the host), the civil-society
//! organisations of the registry, community leaders by role, and the coordinators, beside the villagers.
//!
//! Counts only, never names: a forum's record must not become a list of who spoke up. The checks here are
//! the ones that need no other aggregate (bounds, women + men ≤ villagers); the forum checks the sum against
//! its head count ([`crate::forum::Forum`]), and the application checks that each organisation exists.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ErrorKind;

/// The identity of a civil-society organisation (the `Organisation` aggregate's id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrganisationId(pub Uuid);

impl OrganisationId {
    /// A UUID in any of its usual spellings; anything else is no organisation.
    pub fn parse(raw: &str) -> Option<OrganisationId> {
        Uuid::parse_str(raw.trim()).ok().map(OrganisationId)
    }
}

impl fmt::Display for OrganisationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A community leader's role. Stored names are frozen (snake_case); a role not listed is refused
/// (`unknown_leader_role`), never read as "other".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaderRole {
    /// ผู้ใหญ่บ้าน
    VillageHeadman,
    /// กำนัน
    Kamnan,
    /// อิหม่าม (and the mosque committee's leaders)
    Imam,
    /// ครู / ครูตาดีกา
    Teacher,
    /// ผู้อาวุโส / ผู้นำตามธรรมชาติ
    Elder,
    /// ผู้นำสตรี
    WomenLeader,
    /// ผู้นำเยาวชน
    YouthLeader,
    /// ผู้นำอื่น ๆ
    Other,
}

impl LeaderRole {
    pub const ALL: [LeaderRole; 8] = [
        LeaderRole::VillageHeadman,
        LeaderRole::Kamnan,
        LeaderRole::Imam,
        LeaderRole::Teacher,
        LeaderRole::Elder,
        LeaderRole::WomenLeader,
        LeaderRole::YouthLeader,
        LeaderRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeaderRole::VillageHeadman => "village_headman",
            LeaderRole::Kamnan => "kamnan",
            LeaderRole::Imam => "imam",
            LeaderRole::Teacher => "teacher",
            LeaderRole::Elder => "elder",
            LeaderRole::WomenLeader => "women_leader",
            LeaderRole::YouthLeader => "youth_leader",
            LeaderRole::Other => "other",
        }
    }

    /// The role named exactly as stored; `None` for any other text.
    pub fn parse(raw: &str) -> Option<LeaderRole> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// Who took part in a forum. Built by the application from a request and checked with
/// [`Participation::check`] before any event carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    /// SBPAC staff present (the host).
    pub sbpac_staff: u32,
    /// District coordinators present.
    pub coordinators: u32,
    /// The organisations that took part, from the registry: sorted, each once.
    pub organisations: Vec<OrganisationId>,
    /// Community leaders present, by role (roles with none are left out).
    pub leaders: BTreeMap<LeaderRole, u32>,
    /// Villagers present.
    pub villagers: u32,
    /// Of the villagers, the women and the men, where known (each may be unknown; together at most
    /// `villagers`, since some may not have been counted by gender).
    pub villagers_women: Option<u32>,
    pub villagers_men: Option<u32>,
}

/// Why a participation record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParticipationError {
    #[error("each count, and the sum of the partner groups, must be at most {max}", max = crate::forum::Forum::MAX_PARTICIPANTS)]
    TooMany,
    #[error("women and men together exceed the villagers counted")]
    GenderExceedsVillagers,
    #[error("at most {max} organisations per forum", max = Participation::MAX_ORGANISATIONS)]
    TooManyOrganisations,
    #[error("the partner groups together ({total}) exceed the forum's head count ({head_count})")]
    ExceedsHeadCount { total: u64, head_count: u32 },
}

impl ParticipationError {
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Invalid
    }

    pub fn code(&self) -> &'static str {
        match self {
            ParticipationError::TooMany => "too_many_participants",
            ParticipationError::GenderExceedsVillagers => "gender_exceeds_villagers",
            ParticipationError::TooManyOrganisations => "too_many_organisations",
            ParticipationError::ExceedsHeadCount { .. } => "participation_exceeds_head_count",
        }
    }
}

impl Participation {
    /// More organisations than this at one village forum is a mistake of the form.
    pub const MAX_ORGANISATIONS: usize = 200;

    /// Σ of the leaders of every role.
    pub fn leaders_total(&self) -> u64 {
        self.leaders.values().map(|n| u64::from(*n)).sum()
    }

    /// The people counted in the partner groups and the villagers: what the head count bounds.
    /// Organisations are counted as organisations, not as people (their members present are counted
    /// among the leaders or villagers), so they do not add to it.
    pub fn people(&self) -> u64 {
        u64::from(self.sbpac_staff) + u64::from(self.coordinators) + self.leaders_total() + u64::from(self.villagers)
    }

    /// Puts the record in its one stored form: organisations sorted, each once; roles with none dropped.
    pub fn normalised(mut self) -> Participation {
        self.organisations.sort();
        self.organisations.dedup();
        self.leaders.retain(|_, n| *n > 0);
        self
    }

    /// The checks that need nothing else: every count and the sum within bounds, women + men ≤ villagers,
    /// a bounded list of organisations.
    pub fn check(&self) -> Result<(), ParticipationError> {
        let max = crate::forum::Forum::MAX_PARTICIPANTS;
        let counts = [self.sbpac_staff, self.coordinators, self.villagers]
            .into_iter()
            .chain(self.leaders.values().copied())
            .chain(self.villagers_women)
            .chain(self.villagers_men);
        if counts.into_iter().any(|n| n > max) || self.people() > u64::from(max) {
            return Err(ParticipationError::TooMany);
        }
        let gendered = u64::from(self.villagers_women.unwrap_or(0)) + u64::from(self.villagers_men.unwrap_or(0));
        if gendered > u64::from(self.villagers) {
            return Err(ParticipationError::GenderExceedsVillagers);
        }
        if self.organisations.len() > Self::MAX_ORGANISATIONS {
            return Err(ParticipationError::TooManyOrganisations);
        }
        Ok(())
    }

    /// [`Participation::check`], and the people counted at most the forum's head count when it has one.
    pub fn check_against(&self, head_count: Option<u32>) -> Result<(), ParticipationError> {
        self.check()?;
        match head_count {
            Some(head_count) if self.people() > u64::from(head_count) => {
                Err(ParticipationError::ExceedsHeadCount { total: self.people(), head_count })
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn sample() -> Participation {
        Participation {
            sbpac_staff: 2,
            coordinators: 1,
            organisations: vec![OrganisationId(Uuid::from_u128(1))],
            leaders: BTreeMap::from([(LeaderRole::Imam, 1), (LeaderRole::VillageHeadman, 1)]),
            villagers: 30,
            villagers_women: Some(18),
            villagers_men: Some(12),
        }
    }

    #[test]
    fn a_sensible_record_passes_and_counts_its_people() {
        let p = sample();
        assert_eq!(p.check_against(Some(35)), Ok(()));
        assert_eq!((p.leaders_total(), p.people()), (2, 35));
        assert_eq!(p.check_against(Some(34)), Err(ParticipationError::ExceedsHeadCount { total: 35, head_count: 34 }));
        assert_eq!(p.check_against(None), Ok(()));
    }

    #[test]
    fn women_and_men_beyond_the_villagers_are_refused() {
        let p = Participation { villagers_men: Some(13), ..sample() };
        assert_eq!(p.check(), Err(ParticipationError::GenderExceedsVillagers));
        let p = Participation { villagers_women: Some(30), villagers_men: None, ..sample() };
        assert_eq!(p.check(), Ok(()));
    }

    #[test]
    fn absurd_counts_are_refused() {
        let max = crate::forum::Forum::MAX_PARTICIPANTS;
        let p = Participation { villagers: max + 1, ..Participation::default() };
        assert_eq!(p.check(), Err(ParticipationError::TooMany));
        let p = Participation { villagers: max, sbpac_staff: 1, ..Participation::default() };
        assert_eq!(p.check(), Err(ParticipationError::TooMany), "the sum is bounded as well");
        let p = Participation {
            leaders: BTreeMap::from([(LeaderRole::Elder, u32::MAX), (LeaderRole::Imam, u32::MAX)]),
            ..Participation::default()
        };
        assert_eq!(p.check(), Err(ParticipationError::TooMany), "no overflow");
        let many = (0..=200u128).map(|i| OrganisationId(Uuid::from_u128(i))).collect();
        let p = Participation { organisations: many, ..Participation::default() };
        assert_eq!(p.check(), Err(ParticipationError::TooManyOrganisations));
    }

    #[test]
    fn the_stored_form_is_sorted_and_without_empty_roles() {
        let (a, b) = (OrganisationId(Uuid::from_u128(2)), OrganisationId(Uuid::from_u128(1)));
        let p = Participation {
            organisations: vec![a, b, a],
            leaders: BTreeMap::from([(LeaderRole::Teacher, 0), (LeaderRole::Kamnan, 1)]),
            ..Participation::default()
        }
        .normalised();
        assert_eq!(p.organisations, vec![b, a]);
        assert_eq!(p.leaders, BTreeMap::from([(LeaderRole::Kamnan, 1)]));
    }

    #[test]
    fn roles_are_named_as_stored_and_an_unknown_role_is_refused() {
        for role in LeaderRole::ALL {
            assert_eq!(LeaderRole::parse(role.as_str()), Some(role));
            assert_eq!(serde_json::to_value(role).unwrap(), json!(role.as_str()));
        }
        assert_eq!(LeaderRole::parse("sheriff"), None);
        assert_eq!(LeaderRole::parse("Imam"), None);
        let stored = json!({"sbpac_staff": 0, "coordinators": 0, "organisations": [], "leaders": {"sheriff": 1},
            "villagers": 0, "villagers_women": null, "villagers_men": null});
        assert!(serde_json::from_value::<Participation>(stored).is_err());
    }

    /// Golden: the value as events carry it.
    #[test]
    fn golden_json_participation() {
        let stored = json!({"sbpac_staff": 2, "coordinators": 1,
            "organisations": ["00000000-0000-0000-0000-000000000001"],
            "leaders": {"village_headman": 1, "imam": 1}, "villagers": 30,
            "villagers_women": 18, "villagers_men": 12});
        assert_eq!(serde_json::to_value(sample()).unwrap(), stored);
        assert_eq!(serde_json::from_value::<Participation>(stored).unwrap(), sample());
    }

    fn arb_participation() -> impl Strategy<Value = Participation> {
        let count = prop_oneof![0u32..50, 0u32..=200_000, Just(u32::MAX)];
        (
            count.clone(),
            count.clone(),
            proptest::collection::btree_map(proptest::sample::select(LeaderRole::ALL.to_vec()), count.clone(), 0..4),
            count.clone(),
            proptest::option::of(count.clone()),
            proptest::option::of(count),
        )
            .prop_map(|(sbpac_staff, coordinators, leaders, villagers, villagers_women, villagers_men)| {
                Participation {
                    sbpac_staff,
                    coordinators,
                    organisations: vec![],
                    leaders,
                    villagers,
                    villagers_women,
                    villagers_men,
                }
            })
    }

    proptest! {
        /// A record passes exactly when every count is within bounds, the people sum within bounds,
        /// women + men within the villagers, and (with a head count) the people within it.
        #[test]
        fn accepted_exactly_when_the_invariants_hold(p in arb_participation(), head in proptest::option::of(0u32..=200_000)) {
            let max = u64::from(crate::forum::Forum::MAX_PARTICIPANTS);
            let each = [p.sbpac_staff, p.coordinators, p.villagers].into_iter()
                .chain(p.leaders.values().copied()).chain(p.villagers_women).chain(p.villagers_men)
                .all(|n| u64::from(n) <= max);
            let people: u64 = u64::from(p.sbpac_staff) + u64::from(p.coordinators) + u64::from(p.villagers)
                + p.leaders.values().map(|n| u64::from(*n)).sum::<u64>();
            let gender = u64::from(p.villagers_women.unwrap_or(0)) + u64::from(p.villagers_men.unwrap_or(0))
                <= u64::from(p.villagers);
            let within_head = head.is_none_or(|h| people <= u64::from(h));
            prop_assert_eq!(p.check_against(head).is_ok(), each && people <= max && gender && within_head);
            // Normalising never changes the verdict or the people counted.
            let n = p.clone().normalised();
            prop_assert_eq!(n.check_against(head).is_ok(), p.check_against(head).is_ok());
            prop_assert_eq!(n.people(), p.people());
        }
    }
}
