//! The OpenAPI schemas of request values: each states the rule the server applies to the value (the checked
//! types of `santisuk_domain::values`, [`crate::parse`]), built from the same constants, so that a request
//! the document allows is one the server accepts, and one it refuses is refused (the schema-driven fuzz
//! test, tests/tests/e2e/fuzz.rs, holds them to that). The request types name them with
//! `#[schema(value_type = …)]` and `#[param(value_type = …, inline)]`; in the document they are the
//! components `Title`, `Text`, `AreaId`, ….
//!
//! Rules no schema can state stay in prose: that an area, category or forum exists, that an instant is not
//! in the future, that a subdistrict lies in the district given with it.
//!
//! Patterns use only what ECMA-262, Python and Rust regexes read alike (`\xHH`, `\uHHHH`, classes); not
//! `\s` alone, whose meaning differs between them.

use santisuk_domain::forum::{Forum, LeaderRole};
use santisuk_domain::geo::Geography;
use santisuk_domain::organisation::OrganisationKind as OrganisationKindValue;
use santisuk_domain::user::Role as UserRole;
use santisuk_domain::values;
use santisuk_projections::stats::GroupBy;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, ObjectBuilder, Schema, Type};

/// Control characters (`char::is_control`: Unicode category Cc).
const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";
/// The white space `str::trim` removes that is not a control character (Unicode White_Space).
const SPACE: &str = r" \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// The white space `str::trim` removes that is a control character.
const CONTROL_SPACE: &str = r"\t\n\x0B\x0C\r\x85";

/// A schema type of the document: a marker whose [`utoipa::PartialSchema`] is `$schema`.
macro_rules! schema_type {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// Checked text (`values::check_text`): trimmed (of Unicode white space), it is not empty, has no control
/// character (but tabs and line breaks inside when `newlines`), and has at most `max` characters. Two
/// patterns, as one bounding the characters and the length at once is too large for Rust's regex engine:
/// white space around the text is not counted, so no `maxLength` could say it.
fn text(max: usize, newlines: bool, description: &str, example: &str) -> AllOfBuilder {
    let inner = if newlines { r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F" } else { CONTROL };
    let around = format!("[{CONTROL_SPACE}{SPACE}]*");
    let edge = format!("[^{CONTROL}{SPACE}]");
    let characters = format!("^{around}{edge}(?:[^{inner}]*{edge})?{around}$");
    // `[\s\S]`: any character, in every dialect.
    let (edge, most) = (format!("[^{CONTROL_SPACE}{SPACE}]"), max - 2);
    let length = format!("^{around}{edge}(?:[\\s\\S]{{0,{most}}}{edge})?{around}$");
    AllOfBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!("{description} At most {max} characters, not counting white space around them.")))
        .item(string().min_length(Some(1)).pattern(Some(characters)))
        .item(string().pattern(Some(length)))
        .examples([example])
}

fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    string().enum_values(Some(values))
}

schema_type!(
    /// [`values::Title`].
    Title => text(values::Title::MAX, false, "One line of text, not blank, no control characters.", "ถนนชำรุด")
);
schema_type!(
    /// [`values::Text`]: a description, note, action or reason.
    Text => text(values::Text::MAX, true, "Free text, not blank; line breaks and tabs allowed, no other control \
        characters.", "ซ่อมท่อระบายน้ำแล้ว")
);
schema_type!(
    /// A [`values::Text`], or blank to remove the text: a correction's description.
    TextOrBlank => utoipa::openapi::schema::OneOfBuilder::new()
        .description(Some("The new text, or an empty (blank) string to remove it."))
        .item(text(values::Text::MAX, true, "Free text, not blank; line breaks and tabs allowed, no other control \
            characters.", "หลุมลึกหน้ามัสยิด"))
        .item(string().pattern(Some(format!("^[{CONTROL_SPACE}{SPACE}]*$"))))
);
schema_type!(
    /// [`values::Name`].
    Name => text(values::Name::MAX, false, "A name: one line, not blank, without control characters.", "บ้านบานา")
);
schema_type!(
    /// [`values::Assignee`].
    Assignee => text(values::Assignee::MAX, false, "The person or agency responsible: one line, not blank.",
        "อบต.ตะลุโบะ")
);
schema_type!(
    /// Why an export includes personal data (`privacy::export_personal`).
    ExportReason => text(crate::privacy::EXPORT_REASON_MAX, false, "Why personal data is exported: one line, not \
        blank, no control characters, and itself without personal data.", "referral to the district centre")
);
schema_type!(
    /// [`values::AreaId`]: as given, not trimmed.
    AreaId => string().pattern(Some("^[A-Za-z0-9-]{1,32}$")).examples(["PTN-01"])
);
schema_type!(
    /// [`values::CaseNumber`]: province, Buddhist-Era year, running number (in a filter or a URL also
    /// lower case and without the leading zeros).
    CaseNumber => string().pattern(Some("^[A-Z]{2,4}-[0-9]{4}-[0-9]{5,}$")).examples(["PTN-2569-00123"])
);
schema_type!(
    /// A search (`q`): at most 200 characters, none of them a control character.
    Search => string()
        .pattern(Some(format!("^[^{CONTROL}]{{0,200}}$")))
        .description(Some("Words to find, 200 characters at most, without control characters."))
);
schema_type!(
    /// [`values::CategoryCode`].
    CategoryCode => string().pattern(Some("^[A-Z0-9_]{2,16}$")).examples(["LIV"])
);
schema_type!(
    /// [`values::AmphoeCode`]: one of the districts in scope.
    AmphoeCode => one_of(Geography::get().amphoes().map(|a| a.code.as_str()))
        .description(Some("A district in scope (DOPA code)."))
        .examples(["9401"])
);
schema_type!(
    /// [`values::TambonCode`]: one of the subdistricts in scope (of the district given with it).
    TambonCode => one_of(Geography::get().tambons().map(|t| t.code.as_str()))
        .description(Some("A subdistrict in scope (DOPA code); it must lie in the district given with it."))
        .examples(["940101"])
);
schema_type!(
    /// [`values::Outcome`].
    Outcome => one_of(values::Outcome::ALL.map(values::Outcome::as_str)).examples(["resolved"])
);
schema_type!(
    /// [`values::IssueStatus`].
    IssueStatus => one_of(values::IssueStatus::ALL.map(values::IssueStatus::as_str)).examples(["raised"])
);
schema_type!(
    /// [`values::IssueKind`]: a community problem or a coordinator's own obstacle.
    IssueKind => one_of(values::IssueKind::ALL.map(values::IssueKind::as_str)).examples(["obstacle"])
);
schema_type!(
    /// A user's role.
    Role => one_of(UserRole::ALL.map(UserRole::as_str)).examples(["staff"])
);
schema_type!(
    /// `GroupBy::parse_list`: one or more groupings, each once; comma-separated on the wire.
    Groupings => ArrayBuilder::new()
        .items(one_of(GroupBy::ALL.map(|g| g.names().0)))
        .min_items(Some(1))
        .max_items(Some(GroupBy::ALL.len()))
        .unique_items(true)
        .examples([serde_json::json!(["area", "category"])])
);
schema_type!(
    /// The people at a forum: a whole number up to `Forum::MAX_PARTICIPANTS`.
    Participants => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(Forum::MAX_PARTICIPANTS))
        .examples([40])
);
schema_type!(
    /// A [`values::Name`], or blank to remove it: an organisation's English name in an update.
    NameOrBlank => utoipa::openapi::schema::OneOfBuilder::new()
        .description(Some("The new name, or an empty (blank) string to remove it."))
        .item(text(values::Name::MAX, false, "A name: one line, not blank, without control characters.",
            "Women's group of Ban Taluboh"))
        .item(string().pattern(Some(format!("^[{CONTROL_SPACE}{SPACE}]*$"))))
);
schema_type!(
    /// An organisation's kind (`OrganisationKind`).
    OrganisationKind => one_of(OrganisationKindValue::ALL.map(OrganisationKindValue::as_str)).examples(["womens_group"])
);
schema_type!(
    /// The status of an organisation of the registry.
    OrganisationStatus => one_of(["active", "proposed"]).examples(["proposed"])
);
schema_type!(
    /// The target areas an organisation works in: at least one.
    OrganisationAreas => ArrayBuilder::new()
        .items(string().pattern(Some("^[A-Za-z0-9-]{1,32}$")))
        .min_items(Some(1))
        .max_items(Some(santisuk_domain::organisation::Organisation::MAX_AREAS))
        .examples([serde_json::json!(["PTN-01"])])
);
schema_type!(
    /// A count of people at a forum in one partner group: a whole number up to `Forum::MAX_PARTICIPANTS`.
    Count => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(Forum::MAX_PARTICIPANTS))
        .examples([3])
);
schema_type!(
    /// Community leaders present by role (`LeaderRole`): each role a count; no other key.
    Leaders => LeaderRole::ALL.into_iter().fold(
        ObjectBuilder::new().schema_type(Type::Object).additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::<Schema>::FreeForm(false))),
        |o, role| o.property(role.as_str(), ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0))
            .maximum(Some(Forum::MAX_PARTICIPANTS))),
    ).examples([serde_json::json!({"village_headman": 1, "imam": 1, "teacher": 2})])
);
schema_type!(
    /// The organisations of the registry that took part (their ids).
    OrganisationIds => ArrayBuilder::new()
        .items(string().format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
            utoipa::openapi::schema::KnownFormat::Uuid))))
        .max_items(Some(santisuk_domain::participation::Participation::MAX_ORGANISATIONS))
);
schema_type!(
    /// `UserName`: letters and digits of any script (`char::is_alphanumeric`), '.', '_', '-'.
    UserName => string().pattern(Some(r"^[\p{Alpha}\p{N}._-]{1,64}$")).examples(["somchai.k"])
);
schema_type!(
    /// A new web password (`password::check`).
    Password => string()
        .min_length(Some(crate::password::MIN_CHARS))
        .max_length(Some(crate::password::MAX_CHARS))
        .pattern(Some(format!("^[^{CONTROL}]*$")))
        .examples(["correct horse battery"])
);
schema_type!(
    /// A free query value (a filter matched as given): any text but a NUL byte, which `AppQuery` refuses.
    Filter => string().pattern(Some(r"^[^\x00]*$")).description(Some("Any text without a NUL byte."))
);

/// An issue in an audit filter ([`crate::audit::parse_filter`]): its id (a hyphenated UUID) or a case number
/// shaped as people type it (any letter case, with or without the leading zeros).
pub const ISSUE_REF: &str =
    "^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[A-Za-z]{2,4}-[0-9]{4}-[0-9]+)$";

schema_type!(
    /// [`ISSUE_REF`]: an issue id or a case number. A well-formed one that names no issue is 404.
    IssueRef => string().pattern(Some(ISSUE_REF)).examples(["PTN-2569-00123"])
);
schema_type!(
    /// A stored event type ([`santisuk_domain::versions::EVENT_TYPES`]), exactly.
    EventType => one_of(santisuk_domain::versions::EVENT_TYPES.iter().copied()).examples(["IssueClosed"])
);
schema_type!(
    /// A user name in an audit filter, matched exactly: at most 200 characters, no NUL byte.
    Actor => string().pattern(Some(r"^[^\x00]{0,200}$")).examples(["demo-staff"])
);
schema_type!(
    /// An agency's level of government (issue #17).
    AgencyLevel => one_of(santisuk_domain::agency::AgencyLevel::ALL.map(santisuk_domain::agency::AgencyLevel::as_str))
        .examples(["province"])
);
schema_type!(
    /// The districts an agency covers: DOPA codes of the 37 districts in scope, at most 200 (repeats count once).
    AgencyDistricts => ArrayBuilder::new()
        .items(one_of(Geography::get().amphoes().map(|a| a.code.as_str())))
        .max_items(Some(200))
        .examples([serde_json::json!(["9401"])])
);
schema_type!(
    /// Who a problem is waiting for (ball in court).
    Party => one_of(santisuk_domain::agency::Party::ALL.map(santisuk_domain::agency::Party::as_str)).examples(["agency"])
);
schema_type!(
    /// What the ball-in-court figures are grouped by.
    CustodyGrouping => one_of(santisuk_projections::custody::CustodyBy::ALL.map(|b| b.names().0)).examples(["agency"])
);
