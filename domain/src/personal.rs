//! Personal data: the complainant as a person record kept outside the event log, the checked values it is
//! made of, and which event fields hold free text that can identify people (sealed by the application
//! before they are stored, so that destroying a key erases them; see ARCHITECTURE.md, "Personal data").

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ValueError;
use crate::values::{Name, Text};

/// What a sealed text reads as once its key is destroyed: every page, answer and export shows it in
/// place of the text (pages translate it). A stored text is never this exact string: it is the marker.
pub const ERASED: &str = "[erased]";

/// The identity of a person record (a complainant): the only thing about them an event carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubjectId(pub Uuid);

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A Thai telephone number, kept as its digits with a leading 0: a mobile number (`08x`, `09x`, `06x`;
/// ten digits) or a landline (`02`–`07`; nine digits). Spaces, dashes and a `+66` prefix are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, ValueError> {
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
        let national = match compact.strip_prefix("+66").or_else(|| compact.strip_prefix("0066")) {
            Some(rest) if !rest.starts_with('0') => format!("0{rest}"),
            Some(_) => return Err(ValueError::BadPhone),
            None => compact,
        };
        if !national.bytes().all(|b| b.is_ascii_digit()) || !national.starts_with('0') {
            return Err(ValueError::BadPhone);
        }
        let ok = match national.as_bytes().get(1) {
            Some(b'6' | b'8' | b'9') => national.len() == 10,
            Some(b'2'..=b'7') => national.len() == 9,
            _ => false,
        };
        if ok { Ok(Phone(national)) } else { Err(ValueError::BadPhone) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Thai national identification number: 13 digits whose last is the check digit of the first twelve
/// (weights 13 down to 2, sum modulo 11, subtracted from 11, last digit). Dashes and spaces are accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NationalId(String);

impl NationalId {
    pub fn parse(raw: &str) -> Result<NationalId, ValueError> {
        let digits: Vec<u32> = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_digit(10))
            .collect::<Option<_>>()
            .ok_or(ValueError::BadNationalId)?;
        if digits.len() != 13 {
            return Err(ValueError::BadNationalId);
        }
        let sum: u32 = digits[..12].iter().zip((2..=13).rev()).map(|(d, w)| d * w).sum();
        if (11 - sum % 11) % 10 != digits[12] {
            return Err(ValueError::BadNationalId);
        }
        Ok(NationalId(digits.iter().map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What is recorded about a complainant. Stored sealed, in its own table (never in an event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetails {
    pub name: Name,
    #[serde(default)]
    pub phone: Option<Phone>,
    #[serde(default)]
    pub address: Option<Text>,
    #[serde(default)]
    pub national_id: Option<NationalId>,
    /// Free-text contact notes ("call after 5 pm; through the village headman").
    #[serde(default)]
    pub notes: Option<Text>,
}

/// The fields of each event that hold free text that can identify people, as paths into the event's own
/// object (`{"IssueAddressed": {"action": …}}` → `["action"]`). The application seals exactly these before
/// an event is stored. Titles, assignees, categories, areas and dates stay readable: lists, statistics and
/// routing need them, and the forms ask that a title name nobody.
pub fn sealed_fields(event_type: &str) -> &'static [&'static [&'static str]] {
    match event_type {
        "IssueRaised" => &[&["description"], &["raised_by"]],
        "IssueAssigned" | "IssueClosed" => &[&["note"]],
        "IssueAddressed" => &[&["action"], &["note"]],
        "IssueReopened" | "IssueRestrictionChanged" => &[&["reason"]],
        "IssueCorrected" => &[&["description", "from"], &["description", "to"], &["reason"]],
        "ForumHeld" => &[&["facilitator"]],
        // Issue #17: a duplicate's note and the community's reason are free text like any note.
        "IssueMarkedDuplicate" => &[&["note"]],
        "CommunityVerdictRecorded" => &[&["reason"]],
        // A file's name can name a person ("บัตรประชาชน นายสมชาย.jpg").
        "AttachmentAdded" => &[&["name"]],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_phone_numbers_are_read_in_their_usual_forms() {
        for (raw, digits) in [
            ("081-234-5678", "0812345678"),
            ("+66 81 234 5678", "0812345678"),
            ("0066812345678", "0812345678"),
            ("073 123 456", "073123456"),
            ("02-123-4567", "021234567"),
            ("0612345678", "0612345678"),
        ] {
            assert_eq!(Phone::parse(raw).map(|p| p.0), Ok(digits.to_owned()), "{raw}");
        }
        for bad in ["", "12345", "081234567", "08123456789", "0112345678", "+660812345678", "08x2345678", "1234567890"]
        {
            assert_eq!(Phone::parse(bad), Err(ValueError::BadPhone), "{bad:?}");
        }
    }

    #[test]
    fn national_ids_must_pass_their_check_digit() {
        // 1-1017-00230-70-8: a well-known valid specimen; its check digit is 8.
        assert_eq!(NationalId::parse("1-1017-00230-70-8").map(|n| n.0), Ok("1101700230708".to_owned()));
        assert_eq!(NationalId::parse("1101700230708").unwrap().as_str(), "1101700230708");
        for bad in ["1101700230707", "110170023070", "11017002307088", "abcdefghijklm", ""] {
            assert_eq!(NationalId::parse(bad), Err(ValueError::BadNationalId), "{bad:?}");
        }
    }

    #[test]
    fn every_check_digit_is_the_only_one_accepted() {
        let first = "110170023070";
        let valid: Vec<u32> = (0..10).filter(|d| NationalId::parse(&format!("{first}{d}")).is_ok()).collect();
        assert_eq!(valid, vec![8]);
    }

    #[test]
    fn sealed_fields_name_the_free_text_of_issue_and_forum_events() {
        assert!(sealed_fields("IssueRaised").contains(&&["description"][..]));
        assert!(sealed_fields("ForumHeld").contains(&&["facilitator"][..]));
        assert!(sealed_fields("AreaRegistered").is_empty());
    }
}
