//! Checked value types: built once with `parse`, trusted everywhere after ("parse, don't validate").

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ValueError;
use crate::geo::Geography;

fn check_text(field: &'static str, raw: &str, max: usize, allow_newlines: bool) -> Result<String, ValueError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValueError::Empty { field });
    }
    if text.chars().count() > max {
        return Err(ValueError::TooLong { field, max });
    }
    if text.chars().any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))) {
        return Err(ValueError::ControlCharacters { field });
    }
    Ok(text.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr, $newlines:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Longest accepted value, in characters.
            pub const MAX: usize = $max;

            /// Trims and checks a raw value: not empty, at most `MAX` characters, no control characters.
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                check_text($field, raw, $max, $newlines).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// The one-line title of an issue or forum.
    Title, "title", 200, false
);
text_type!(
    /// Free text: an issue's description, a note, an action taken, a reason (newlines allowed).
    Text, "text", 10_000, true
);
text_type!(
    /// A person or agency an issue is assigned to, e.g. "อบต.ตะลุโบะ" or "Yala provincial health office".
    Assignee, "assignee", 200, false
);
text_type!(
    /// A human name (of an area, a category, the people who raised an issue).
    Name, "name", 200, false
);

/// The identity of an issue (aggregate id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IssueId(pub Uuid);

/// The identity of a forum (aggregate id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ForumId(pub Uuid);

impl fmt::Display for IssueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for ForumId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An administrator-chosen target-area code, `[A-Za-z0-9-]{1,32}` (e.g. `PTN-01`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AreaId(String);

impl AreaId {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok = (1..=32).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if ok { Ok(AreaId(raw.to_owned())) } else { Err(ValueError::BadAreaId) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AreaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A problem's case number, quoted by people: `PTN-2569-00123` is the 123rd problem raised in Pattani in
/// Buddhist-Era year 2569 (the province of its area, the Asia/Bangkok year of its `at`). Allocated at raise
/// without gaps per province and year, and stored in the `IssueRaised` event itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseNumber(String);

impl CaseNumber {
    /// The `number`th case of province `prefix` (see [`crate::geo::province_prefix`]) in `be_year`.
    pub fn new(prefix: &str, be_year: i32, number: u32) -> CaseNumber {
        CaseNumber(format!("{prefix}-{be_year:04}-{number:05}"))
    }

    /// What a raise carries until the store allocates its number in the transaction that writes it: the
    /// raise's series with running number 0, which no stored case has (`PTN-2569-00000`).
    pub fn to_allocate(prefix: &str, be_year: i32) -> CaseNumber {
        CaseNumber::new(prefix, be_year, 0)
    }

    /// Whether this is a number still to be allocated ([`CaseNumber::to_allocate`]).
    pub fn is_to_allocate(&self) -> bool {
        self.number() == 0
    }

    /// A case number as people type it: any letter case, the running number with or without its leading
    /// zeros (`ptn-2569-123` is `PTN-2569-00123`).
    pub fn parse(raw: &str) -> Result<CaseNumber, ValueError> {
        let raw = raw.trim().to_ascii_uppercase();
        let mut parts = raw.split('-');
        let (Some(prefix), Some(year), Some(number), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ValueError::BadCaseNumber);
        };
        let prefix_ok = (2..=4).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_uppercase());
        let year = (year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())).then(|| year.parse::<i32>().ok());
        let number = (!number.is_empty() && number.len() <= 9 && number.bytes().all(|b| b.is_ascii_digit()))
            .then(|| number.parse::<u32>().ok());
        match (prefix_ok, year.flatten(), number.flatten()) {
            (true, Some(year), Some(number)) if number > 0 => Ok(CaseNumber::new(prefix, year, number)),
            _ => Err(ValueError::BadCaseNumber),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `PTN-2569-`: what every case number of this province and year starts with.
    pub fn series(&self) -> &str {
        &self.0[..self.0.rfind('-').map_or(0, |i| i + 1)]
    }

    /// The Buddhist-Era year.
    pub fn year(&self) -> i32 {
        self.0.split('-').nth(1).and_then(|y| y.parse().ok()).unwrap_or(0)
    }

    /// The running number within its province and year.
    pub fn number(&self) -> u32 {
        self.0.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or(0)
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stable obstacle-category code, `[A-Z0-9_]{2,16}` (e.g. `LIV`, `DRG`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CategoryCode(String);

impl CategoryCode {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok = (2..=16).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if ok { Ok(CategoryCode(raw.to_owned())) } else { Err(ValueError::BadCategoryCode) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CategoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A DOPA district code that is one of the 37 districts in scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AmphoeCode(String);

impl AmphoeCode {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        match Geography::get().amphoe(raw) {
            Some(_) => Ok(AmphoeCode(raw.to_owned())),
            None => Err(ValueError::UnknownAmphoe(raw.chars().take(16).collect())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The two-digit province code (the first two digits of the district code).
    pub fn province_code(&self) -> &str {
        &self.0[..2]
    }
}

/// A DOPA subdistrict code known to lie in a given district.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TambonCode(String);

impl TambonCode {
    /// Checks that `raw` is a tambon of `amphoe` (a tambon elsewhere is as wrong as an unknown one).
    pub fn parse_in(raw: &str, amphoe: &AmphoeCode) -> Result<Self, ValueError> {
        match Geography::get().tambon(raw) {
            Some(t) if t.amphoe_code == amphoe.as_str() => Ok(TambonCode(raw.to_owned())),
            _ => Err(ValueError::UnknownTambon {
                tambon: raw.chars().take(16).collect(),
                amphoe: amphoe.as_str().to_owned(),
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How an issue was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Resolved,
    Unresolved,
    Referred,
    Duplicate,
    Withdrawn,
}

impl Outcome {
    pub const ALL: [Outcome; 5] =
        [Outcome::Resolved, Outcome::Unresolved, Outcome::Referred, Outcome::Duplicate, Outcome::Withdrawn];

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == raw)
            .ok_or_else(|| ValueError::UnknownOutcome(raw.chars().take(32).collect()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Unresolved => "unresolved",
            Outcome::Referred => "referred",
            Outcome::Duplicate => "duplicate",
            Outcome::Withdrawn => "withdrawn",
        }
    }
}

/// Where an issue stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    Raised,
    Assigned,
    Addressed,
    Closed,
}

/// Reading a stored status (a read table's text column).
impl TryFrom<String> for IssueStatus {
    type Error = ValueError;

    fn try_from(raw: String) -> Result<Self, ValueError> {
        IssueStatus::parse(&raw)
    }
}

impl IssueStatus {
    pub const ALL: [IssueStatus; 4] =
        [IssueStatus::Raised, IssueStatus::Assigned, IssueStatus::Addressed, IssueStatus::Closed];

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ValueError::UnknownStatus(raw.chars().take(32).collect()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Raised => "raised",
            IssueStatus::Assigned => "assigned",
            IssueStatus::Addressed => "addressed",
            IssueStatus::Closed => "closed",
        }
    }
}

/// What an issue is: a community's problem (raised at a forum or directly, counted in every list and
/// statistic), or an obstacle a coordinator meets in their own work (อุปสรรคของผู้ประสานงาน), addressed to
/// SBPAC's central office. Both live the same life (assigned, actions, closed, reopened); the kind keeps them
/// apart in every read, and obstacles have their own categories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    #[default]
    Community,
    Obstacle,
}

impl IssueKind {
    pub const ALL: [IssueKind; 2] = [IssueKind::Community, IssueKind::Obstacle];

    /// `true` for the default kind: events and rows of community problems do not store a kind.
    pub fn is_community(&self) -> bool {
        *self == IssueKind::Community
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| ValueError::UnknownKind(raw.chars().take(32).collect()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::Community => "community",
            IssueKind::Obstacle => "obstacle",
        }
    }
}

/// Reading a stored kind (a read table's text column).
impl TryFrom<String> for IssueKind {
    type Error = ValueError;

    fn try_from(raw: String) -> Result<Self, ValueError> {
        IssueKind::parse(&raw)
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for IssueStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_must_not_be_empty_or_too_long() {
        assert_eq!(Title::parse("  ถนนชำรุด ").unwrap().as_str(), "ถนนชำรุด");
        assert_eq!(Title::parse("   "), Err(ValueError::Empty { field: "title" }));
        assert_eq!(Title::parse(&"ก".repeat(201)), Err(ValueError::TooLong { field: "title", max: 200 }));
        assert!(Title::parse(&"ก".repeat(200)).is_ok(), "the limit counts characters, not bytes");
        assert_eq!(Title::parse("a\u{0}b"), Err(ValueError::ControlCharacters { field: "title" }));
    }

    #[test]
    fn free_text_keeps_newlines_but_not_other_control_characters() {
        assert!(Text::parse("line one\nline two").is_ok());
        assert!(Text::parse("bell\u{7}").is_err());
    }

    #[test]
    fn area_ids_follow_the_documented_pattern() {
        assert!(AreaId::parse("PTN-01").is_ok());
        assert!(AreaId::parse(&"A".repeat(32)).is_ok());
        for bad in ["", "PTN 01", "ปัตตานี", &"A".repeat(33), "a/b"] {
            assert_eq!(AreaId::parse(bad), Err(ValueError::BadAreaId), "{bad:?}");
        }
    }

    #[test]
    fn case_numbers_are_read_the_way_people_type_them() {
        let n = CaseNumber::new("PTN", 2569, 123);
        assert_eq!((n.as_str(), n.series(), n.year(), n.number()), ("PTN-2569-00123", "PTN-2569-", 2569, 123));
        assert_eq!(CaseNumber::new("PTN", 702, 1).year(), 702, "a year of three digits (an `at` in 159 CE)");
        for typed in ["PTN-2569-00123", "ptn-2569-123", " Ptn-2569-0000123 "] {
            assert_eq!(CaseNumber::parse(typed), Ok(n.clone()), "{typed:?}");
        }
        assert_eq!(CaseNumber::new("YLA", 2570, 123_456).as_str(), "YLA-2570-123456");
        for bad in [
            "",
            "PTN",
            "PTN-2569",
            "PTN-2569-0",
            "PTN-69-1",
            "P-2569-1",
            "PT1-2569-1",
            "PTN-2569-1-2",
            "PTN-2569-",
            "PTN-2569-x1",
            "ปน-2569-1",
            "PTN-2569-99999999999",
        ] {
            assert_eq!(CaseNumber::parse(bad), Err(ValueError::BadCaseNumber), "{bad:?}");
        }
    }

    #[test]
    fn category_codes_are_upper_case_codes() {
        assert!(CategoryCode::parse("LIV").is_ok());
        for bad in ["", "L", "liv", "L-V", &"A".repeat(17)] {
            assert_eq!(CategoryCode::parse(bad), Err(ValueError::BadCategoryCode), "{bad:?}");
        }
    }

    #[test]
    fn amphoe_and_tambon_codes_must_be_in_scope_and_consistent() {
        let chana = AmphoeCode::parse("9003").unwrap();
        assert_eq!(chana.province_code(), "90");
        assert!(AmphoeCode::parse("1001").is_err(), "Bangkok is out of scope");
        assert!(TambonCode::parse_in("900304", &chana).is_ok());
        assert!(TambonCode::parse_in("900507", &chana).is_err(), "Sakom of Thepha is not in Chana");
    }

    #[test]
    fn outcomes_and_statuses_parse_their_wire_names_only() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Ok(o));
        }
        assert!(Outcome::parse("Resolved").is_err());
        for s in IssueStatus::ALL {
            assert_eq!(IssueStatus::parse(s.as_str()), Ok(s));
        }
        assert!(IssueStatus::parse("open").is_err());
    }

    #[test]
    fn issue_kinds_round_trip_and_default_to_community() {
        for k in IssueKind::ALL {
            assert_eq!(IssueKind::parse(k.as_str()), Ok(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.as_str()));
        }
        assert_eq!(IssueKind::default(), IssueKind::Community);
        assert!(IssueKind::Community.is_community() && !IssueKind::Obstacle.is_community());
        assert_eq!(IssueKind::parse("Obstacle"), Err(ValueError::UnknownKind("Obstacle".into())));
    }
}
