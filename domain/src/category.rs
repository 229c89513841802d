//! The `Category` aggregate: one obstacle category (ประเภทปัญหา/อุปสรรค) with a stable code.

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::service_level::ServiceLevel;
use crate::values::{CategoryCode, IssueKind, Name};

/// Add a category; the code is the aggregate id.
#[derive(Debug, Clone, PartialEq)]
pub struct AddCategory {
    pub code: CategoryCode,
    pub name_th: Name,
    pub name_en: Name,
    /// A category of community problems, or of coordinators' obstacles: an issue takes only a category
    /// of its own kind.
    pub kind: IssueKind,
}

/// What may be asked of a category.
#[derive(Debug, Clone, PartialEq)]
pub enum CategoryCommand {
    Add(AddCategory),
    /// Mark the category restricted (its cases' details shown only to those granted it), or lift the mark.
    SetRestricted {
        restricted: bool,
    },
    /// Set the days its problems may take to be assigned and resolved (issue #17 §2); `at` is when the
    /// level took effect (the server's clock).
    SetServiceLevel {
        level: ServiceLevel,
        at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CategoryEvent {
    CategoryAdded {
        name_th: Name,
        name_en: Name,
        /// Since version 1.1: `obstacle` for a category of coordinators' obstacles; absent for a category
        /// of community problems, as in every event stored before.
        #[serde(default, skip_serializing_if = "IssueKind::is_community")]
        kind: IssueKind,
    },
    /// Every case of the category is restricted while this holds (security-force conduct, the justice
    /// process, gender-based violence, …).
    CategoryRestrictionChanged { restricted: bool },
    /// The category's service level from `at` on (issue #17 §2); `None`: no limit of that kind.
    ServiceLevelSet { days_to_assign: Option<u32>, days_to_resolve: Option<u32>, at: DateTime<Utc> },
}

impl DomainEvent for CategoryEvent {
    fn event_type(&self) -> String {
        match self {
            CategoryEvent::CategoryAdded { .. } => "CategoryAdded".to_owned(),
            CategoryEvent::CategoryRestrictionChanged { .. } => "CategoryRestrictionChanged".to_owned(),
            CategoryEvent::ServiceLevelSet { .. } => "ServiceLevelSet".to_owned(),
        }
    }

    fn event_version(&self) -> String {
        crate::versions::current(&self.event_type()).to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    #[error("a category with this code already exists")]
    AlreadyExists,
    #[error("no such category")]
    NotFound,
    #[error("the category is already {}", if *restricted { "restricted" } else { "not restricted" })]
    RestrictionUnchanged { restricted: bool },
    #[error("the category already has this service level")]
    ServiceLevelUnchanged,
}

impl CategoryError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CategoryError::NotFound => ErrorKind::NotFound,
            CategoryError::AlreadyExists
            | CategoryError::RestrictionUnchanged { .. }
            | CategoryError::ServiceLevelUnchanged => ErrorKind::Conflict,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            CategoryError::AlreadyExists => "category_exists",
            CategoryError::NotFound => "category_not_found",
            CategoryError::RestrictionUnchanged { .. } => "restriction_unchanged",
            CategoryError::ServiceLevelUnchanged => "service_level_unchanged",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Category {
    added: bool,
    #[serde(default)]
    restricted: bool,
    #[serde(default)]
    service_level: ServiceLevel,
}

impl Category {
    pub fn decide(&self, command: CategoryCommand) -> Result<Vec<CategoryEvent>, CategoryError> {
        match command {
            CategoryCommand::Add(c) => {
                if self.added {
                    return Err(CategoryError::AlreadyExists);
                }
                Ok(vec![CategoryEvent::CategoryAdded { name_th: c.name_th, name_en: c.name_en, kind: c.kind }])
            }
            CategoryCommand::SetRestricted { restricted } => {
                if !self.added {
                    return Err(CategoryError::NotFound);
                }
                if restricted == self.restricted {
                    return Err(CategoryError::RestrictionUnchanged { restricted });
                }
                Ok(vec![CategoryEvent::CategoryRestrictionChanged { restricted }])
            }
            CategoryCommand::SetServiceLevel { level, at } => {
                if !self.added {
                    return Err(CategoryError::NotFound);
                }
                if level == self.service_level {
                    return Err(CategoryError::ServiceLevelUnchanged);
                }
                Ok(vec![CategoryEvent::ServiceLevelSet {
                    days_to_assign: level.days_to_assign,
                    days_to_resolve: level.days_to_resolve,
                    at,
                }])
            }
        }
    }

    pub fn restricted(&self) -> bool {
        self.restricted
    }

    pub fn service_level(&self) -> ServiceLevel {
        self.service_level
    }
}

impl Aggregate for Category {
    const TYPE: &'static str = "Category";
    type Command = CategoryCommand;
    type Event = CategoryEvent;
    type Error = CategoryError;
    type Services = ();

    async fn handle(&mut self, command: CategoryCommand, _: &(), sink: &EventSink<Self>) -> Result<(), CategoryError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: CategoryEvent) {
        match event {
            CategoryEvent::CategoryAdded { .. } => self.added = true,
            CategoryEvent::CategoryRestrictionChanged { restricted } => self.restricted = restricted,
            CategoryEvent::ServiceLevelSet { days_to_assign, days_to_resolve, .. } => {
                self.service_level = ServiceLevel { days_to_assign, days_to_resolve }
            }
        }
    }
}

/// The categories every new database starts with (code, Thai name, English name).
pub const SEED_CATEGORIES: [(&str, &str, &str); 13] = [
    ("LIV", "อาชีพและรายได้", "Livelihood and income"),
    ("DRG", "ยาเสพติด", "Drugs"),
    ("INF", "โครงสร้างพื้นฐานและสาธารณูปโภค", "Infrastructure and utilities"),
    ("EDU", "การศึกษา", "Education"),
    ("HLT", "สาธารณสุขและสวัสดิการสังคม", "Health and social welfare"),
    ("SEC", "ความปลอดภัยในชีวิตและทรัพย์สิน", "Safety of life and property"),
    ("JUS", "ความเป็นธรรมและกระบวนการยุติธรรม", "Fairness and the justice process"),
    ("LND", "ที่ดินทำกิน", "Farmland"),
    ("REL", "ศาสนา วัฒนธรรม และอัตลักษณ์", "Religion, culture and identity"),
    ("ENV", "ทรัพยากรธรรมชาติและสิ่งแวดล้อม", "Natural resources and environment"),
    ("DIS", "ภัยพิบัติและการเยียวยา", "Disasters and relief"),
    ("GOV", "การบริการภาครัฐ", "Public services"),
    ("OTH", "อื่น ๆ", "Other"),
];

/// The categories of coordinators' own obstacles (issue #16), seeded beside the standard ones (also into a
/// database seeded before they existed): code, Thai name, English name.
pub const SEED_OBSTACLE_CATEGORIES: [(&str, &str, &str); 7] = [
    ("OBS_BUDGET", "งบประมาณ", "Budget"),
    ("OBS_TRANSPORT", "การเดินทางและยานพาหนะ", "Transport"),
    ("OBS_SAFETY", "ความปลอดภัยในการปฏิบัติงาน", "Safety at work"),
    ("OBS_DOCUMENTS", "เอกสารและระเบียบ", "Documents and paperwork"),
    ("OBS_AGENCY", "ความร่วมมือของหน่วยงาน", "Cooperation of an agency"),
    ("OBS_WORKLOAD", "ภาระงาน", "Workload"),
    ("OBS_OTHER", "อุปสรรคอื่น ๆ", "Other obstacle"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    fn add() -> CategoryCommand {
        CategoryCommand::Add(AddCategory {
            code: CategoryCode::parse("LIV").unwrap(),
            name_th: Name::parse("อาชีพและรายได้").unwrap(),
            name_en: Name::parse("Livelihood and income").unwrap(),
            kind: IssueKind::Community,
        })
    }

    fn added() -> CategoryEvent {
        CategoryEvent::CategoryAdded {
            name_th: Name::parse("อาชีพและรายได้").unwrap(),
            name_en: Name::parse("Livelihood and income").unwrap(),
            kind: IssueKind::Community,
        }
    }

    #[test]
    fn adding_a_new_category_records_it() {
        TestFramework::<Category>::with(()).given_no_previous_events().when(add()).then_expect_events(vec![added()]);
    }

    #[test]
    fn adding_a_category_code_twice_is_rejected() {
        TestFramework::<Category>::with(())
            .given(vec![added()])
            .when(add())
            .then_expect_error(CategoryError::AlreadyExists);
    }

    #[test]
    fn the_seed_categories_are_valid_values() {
        for (code, th, en) in SEED_CATEGORIES.into_iter().chain(SEED_OBSTACLE_CATEGORIES) {
            assert!(CategoryCode::parse(code).is_ok() && Name::parse(th).is_ok() && Name::parse(en).is_ok());
        }
        let codes: std::collections::BTreeSet<&str> =
            SEED_CATEGORIES.iter().chain(&SEED_OBSTACLE_CATEGORIES).map(|c| c.0).collect();
        assert_eq!(codes.len(), 20, "no obstacle category shares a code with a standard one");
    }

    #[test]
    fn an_obstacle_category_is_added_as_one() {
        let obstacle = |kind| CategoryEvent::CategoryAdded {
            name_th: Name::parse("งบประมาณ").unwrap(),
            name_en: Name::parse("Budget").unwrap(),
            kind,
        };
        TestFramework::<Category>::with(())
            .given_no_previous_events()
            .when(CategoryCommand::Add(AddCategory {
                code: CategoryCode::parse("OBS_BUDGET").unwrap(),
                name_th: Name::parse("งบประมาณ").unwrap(),
                name_en: Name::parse("Budget").unwrap(),
                kind: IssueKind::Obstacle,
            }))
            .then_expect_events(vec![obstacle(IssueKind::Obstacle)]);
        // Golden: the kind is stored only for an obstacle category; version 1.1.
        let stored = json!({"CategoryAdded": {"name_th": "งบประมาณ", "name_en": "Budget", "kind": "obstacle"}});
        assert_eq!(obstacle(IssueKind::Obstacle).event_version(), "1.1");
        assert_eq!(serde_json::to_value(obstacle(IssueKind::Obstacle)).unwrap(), stored);
        assert_eq!(serde_json::from_value::<CategoryEvent>(stored).unwrap(), obstacle(IssueKind::Obstacle));
    }

    /// A `CategoryAdded` 1.0 (no kind) reads, through the upcaster, as a category of community problems.
    #[test]
    fn a_stored_v1_category_added_is_a_community_category() {
        let stored = json!({"CategoryAdded": {"name_th": "อาชีพและรายได้", "name_en": "Livelihood and income"}});
        let upcast = crate::versions::upcast("CategoryAdded", "1.0", stored).unwrap();
        assert_eq!(serde_json::from_value::<CategoryEvent>(upcast).unwrap(), added());
        assert!(crate::versions::upcast("CategoryAdded", "1.2", json!({})).is_err());
    }

    #[test]
    fn golden_json_category_added() {
        let stored = json!({"CategoryAdded": {"name_th": "อาชีพและรายได้", "name_en": "Livelihood and income"}});
        assert_eq!(added().event_type(), "CategoryAdded");
        assert!(crate::versions::EVENT_TYPES.contains(&"CategoryAdded"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(added()).unwrap(), stored);
        assert_eq!(serde_json::from_value::<CategoryEvent>(stored).unwrap(), added());
    }

    #[test]
    fn a_category_is_restricted_and_the_mark_lifted_again() {
        let restricted = |r: bool| CategoryEvent::CategoryRestrictionChanged { restricted: r };
        TestFramework::<Category>::with(())
            .given(vec![added()])
            .when(CategoryCommand::SetRestricted { restricted: true })
            .then_expect_events(vec![restricted(true)]);
        TestFramework::<Category>::with(())
            .given(vec![added(), restricted(true)])
            .when(CategoryCommand::SetRestricted { restricted: false })
            .then_expect_events(vec![restricted(false)]);
    }

    #[test]
    fn a_restriction_that_changes_nothing_or_of_no_category_is_refused() {
        TestFramework::<Category>::with(())
            .given(vec![added()])
            .when(CategoryCommand::SetRestricted { restricted: false })
            .then_expect_error(CategoryError::RestrictionUnchanged { restricted: false });
        TestFramework::<Category>::with(())
            .given(vec![added(), CategoryEvent::CategoryRestrictionChanged { restricted: true }])
            .when(CategoryCommand::SetRestricted { restricted: true })
            .then_expect_error(CategoryError::RestrictionUnchanged { restricted: true });
        TestFramework::<Category>::with(())
            .given_no_previous_events()
            .when(CategoryCommand::SetRestricted { restricted: true })
            .then_expect_error(CategoryError::NotFound);
        assert_eq!(CategoryError::NotFound.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn golden_json_category_restriction_changed() {
        let event = CategoryEvent::CategoryRestrictionChanged { restricted: true };
        let stored = json!({"CategoryRestrictionChanged": {"restricted": true}});
        assert_eq!(event.event_type(), "CategoryRestrictionChanged");
        assert_eq!(event.event_version(), "1.0");
        assert!(
            crate::versions::EVENT_TYPES.contains(&"CategoryRestrictionChanged"),
            "listed for the audit log's filter"
        );
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<CategoryEvent>(stored).unwrap(), event);
    }

    fn level(a: Option<u32>, r: Option<u32>) -> ServiceLevel {
        ServiceLevel { days_to_assign: a, days_to_resolve: r }
    }

    fn level_set(a: Option<u32>, r: Option<u32>) -> CategoryEvent {
        CategoryEvent::ServiceLevelSet {
            days_to_assign: a,
            days_to_resolve: r,
            at: "2026-11-20T03:04:05Z".parse().unwrap(),
        }
    }

    fn set_level(a: Option<u32>, r: Option<u32>) -> CategoryCommand {
        CategoryCommand::SetServiceLevel { level: level(a, r), at: "2026-11-20T03:04:05Z".parse().unwrap() }
    }

    #[test]
    fn a_service_level_is_set_and_changed() {
        TestFramework::<Category>::with(())
            .given(vec![added()])
            .when(set_level(Some(3), Some(30)))
            .then_expect_events(vec![level_set(Some(3), Some(30))]);
        TestFramework::<Category>::with(())
            .given(vec![added(), level_set(Some(3), Some(30))])
            .when(set_level(None, Some(14)))
            .then_expect_events(vec![level_set(None, Some(14))]);
        // Lifting every limit is a change too.
        TestFramework::<Category>::with(())
            .given(vec![added(), level_set(Some(3), None)])
            .when(set_level(None, None))
            .then_expect_events(vec![level_set(None, None)]);
    }

    #[test]
    fn a_service_level_that_changes_nothing_or_of_no_category_is_refused() {
        TestFramework::<Category>::with(())
            .given(vec![added(), level_set(Some(3), Some(30))])
            .when(set_level(Some(3), Some(30)))
            .then_expect_error(CategoryError::ServiceLevelUnchanged);
        // A category starts with no limits: setting none changes nothing.
        TestFramework::<Category>::with(())
            .given(vec![added()])
            .when(set_level(None, None))
            .then_expect_error(CategoryError::ServiceLevelUnchanged);
        TestFramework::<Category>::with(())
            .given_no_previous_events()
            .when(set_level(Some(1), None))
            .then_expect_error(CategoryError::NotFound);
    }

    #[test]
    fn golden_json_service_level_set() {
        let event = level_set(Some(3), None);
        let stored = json!({"ServiceLevelSet": {"days_to_assign": 3, "days_to_resolve": null,
            "at": "2026-11-20T03:04:05Z"}});
        assert_eq!(event.event_type(), "ServiceLevelSet");
        assert_eq!(event.event_version(), "1.0");
        assert!(crate::versions::EVENT_TYPES.contains(&"ServiceLevelSet"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(&event).unwrap(), stored);
        assert_eq!(serde_json::from_value::<CategoryEvent>(stored).unwrap(), event);
    }
}
