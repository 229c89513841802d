//! The `Category` aggregate: one obstacle category (ประเภทปัญหา/อุปสรรค) with a stable code.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::values::{CategoryCode, Name};

/// Add a category; the code is the aggregate id.
#[derive(Debug, Clone, PartialEq)]
pub struct AddCategory {
    pub code: CategoryCode,
    pub name_th: Name,
    pub name_en: Name,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CategoryEvent {
    CategoryAdded { name_th: Name, name_en: Name },
}

impl DomainEvent for CategoryEvent {
    fn event_type(&self) -> String {
        match self {
            CategoryEvent::CategoryAdded { .. } => "CategoryAdded".to_owned(),
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
}

impl CategoryError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CategoryError::AlreadyExists => ErrorKind::Conflict,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            CategoryError::AlreadyExists => "category_exists",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Category {
    added: bool,
}

impl Category {
    pub fn decide(&self, c: AddCategory) -> Result<Vec<CategoryEvent>, CategoryError> {
        if self.added {
            return Err(CategoryError::AlreadyExists);
        }
        Ok(vec![CategoryEvent::CategoryAdded { name_th: c.name_th, name_en: c.name_en }])
    }
}

impl Aggregate for Category {
    const TYPE: &'static str = "Category";
    type Command = AddCategory;
    type Event = CategoryEvent;
    type Error = CategoryError;
    type Services = ();

    async fn handle(&mut self, command: AddCategory, _: &(), sink: &EventSink<Self>) -> Result<(), CategoryError> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: CategoryEvent) {
        match event {
            CategoryEvent::CategoryAdded { .. } => self.added = true,
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

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    fn add() -> AddCategory {
        AddCategory {
            code: CategoryCode::parse("LIV").unwrap(),
            name_th: Name::parse("อาชีพและรายได้").unwrap(),
            name_en: Name::parse("Livelihood and income").unwrap(),
        }
    }

    fn added() -> CategoryEvent {
        CategoryEvent::CategoryAdded {
            name_th: Name::parse("อาชีพและรายได้").unwrap(),
            name_en: Name::parse("Livelihood and income").unwrap(),
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
        for (code, th, en) in SEED_CATEGORIES {
            assert!(CategoryCode::parse(code).is_ok() && Name::parse(th).is_ok() && Name::parse(en).is_ok());
        }
    }

    #[test]
    fn golden_json_category_added() {
        let stored = json!({"CategoryAdded": {"name_th": "อาชีพและรายได้", "name_en": "Livelihood and income"}});
        assert_eq!(added().event_type(), "CategoryAdded");
        assert!(crate::versions::EVENT_TYPES.contains(&"CategoryAdded"), "listed for the audit log's filter");
        assert_eq!(serde_json::to_value(added()).unwrap(), stored);
        assert_eq!(serde_json::from_value::<CategoryEvent>(stored).unwrap(), added());
    }
}
