//! The rules for reading a spreadsheet of forum problems kept before Santisuk (issue #18 §2), pure: which
//! header names mean which column (Thai or English, several spellings each), how a cell's text becomes a
//! date (either era, Thai month names, Thai digits), a status or an outcome, the deterministic id of an
//! imported problem, and the provenance its `IssueRaised` records. Reading the file itself (xlsx, CSV) and
//! looking areas and categories up is the application's.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::values::{IssueId, IssueStatus, Outcome};

/// Where an imported problem came from, recorded in its first event (`IssueRaised` 1.4): the file's
/// SHA-256 (hex), its name as uploaded, the sheet (xlsx only) and the row number as the spreadsheet shows
/// it (1 = the first row of the sheet, the header's row included), so anyone can open the file and find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSource {
    pub file_sha256: String,
    pub file_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub row: u32,
}

/// A column Santisuk reads from a sheet. The first four are required; the others may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Area,
    Date,
    Category,
    Title,
    Description,
    Status,
    Assignee,
    Outcome,
    /// What was done (an `IssueAddressed`): optional.
    Action,
    /// When it was closed: optional; absent, a closed row is closed on its raise date.
    ClosedOn,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Area,
        Column::Date,
        Column::Category,
        Column::Title,
        Column::Description,
        Column::Status,
        Column::Assignee,
        Column::Outcome,
        Column::Action,
        Column::ClosedOn,
    ];

    /// The stored/API name of the column.
    pub fn key(self) -> &'static str {
        match self {
            Column::Area => "area",
            Column::Date => "date",
            Column::Category => "category",
            Column::Title => "title",
            Column::Description => "description",
            Column::Status => "status",
            Column::Assignee => "assignee",
            Column::Outcome => "outcome",
            Column::Action => "action",
            Column::ClosedOn => "closed_on",
        }
    }

    pub fn required(self) -> bool {
        matches!(self, Column::Area | Column::Date | Column::Category | Column::Title)
    }

    /// The header names that mean this column, compared after [`normalise_header`]. The first is the one
    /// the documentation shows first.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Column::Area => &["พื้นที่", "area", "area id", "area_id", "ชุมชน", "หมู่บ้าน", "ตำบล", "village"],
            Column::Date => &["วันที่", "date", "วันที่รับเรื่อง", "วันที่เสนอ", "วันที่จัดเวที", "raised on", "raised_on"],
            Column::Category => &["ประเภท", "หมวด", "หมวดหมู่", "ประเภทปัญหา", "category"],
            Column::Title => &["เรื่อง", "หัวข้อ", "ปัญหา", "ชื่อเรื่อง", "title", "problem", "subject"],
            Column::Description => &["รายละเอียด", "รายละเอียดปัญหา", "description", "details"],
            Column::Status => &["สถานะ", "status"],
            Column::Assignee => &["ผู้รับผิดชอบ", "หน่วยงานรับผิดชอบ", "assignee", "responsible", "assigned to"],
            Column::Outcome => &["ผล", "ผลการดำเนินการ", "ผลลัพธ์", "outcome", "result"],
            Column::Action => &["การดำเนินการ", "สิ่งที่ดำเนินการ", "action", "action taken"],
            Column::ClosedOn => &["วันที่ปิด", "วันที่ปิดเรื่อง", "วันที่แล้วเสร็จ", "closed on", "closed_on", "date closed"],
        }
    }
}

/// A header cell as compared: Thai digits, letter case, spaces, underscores and decoration (`*`, `:`,
/// brackets) do not matter (`"วันที่ *"`, `"Area_ID"`, `"Title:"`).
pub fn normalise_header(raw: &str) -> String {
    let text = thai_digits(raw).to_lowercase();
    let kept: String = text
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .filter(|c| !matches!(c, '*' | ':' | '(' | ')' | '[' | ']' | '.' | '\u{200b}' | '\u{feff}'))
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The column a header names, if any.
pub fn column_for_header(raw: &str) -> Option<Column> {
    let h = normalise_header(raw);
    if h.is_empty() {
        return None;
    }
    Column::ALL.into_iter().find(|c| c.names().iter().any(|n| normalise_header(n) == h))
}

/// How a sheet's header row maps to the columns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderMap {
    /// The column each recognised header stands for, by its position (0-based).
    pub columns: Vec<(usize, Column)>,
    /// Headers not recognised (ignored), by position.
    pub ignored: Vec<(usize, String)>,
}

impl HeaderMap {
    /// The position of `column`, if the sheet has it.
    pub fn position(&self, column: Column) -> Option<usize> {
        self.columns.iter().find(|(_, c)| *c == column).map(|(i, _)| *i)
    }

    /// The required columns the sheet lacks.
    pub fn missing(&self) -> Vec<Column> {
        Column::ALL.into_iter().filter(|c| c.required() && self.position(*c).is_none()).collect()
    }

    /// How many columns were recognised (a header row is told from a title row by this).
    pub fn recognised(&self) -> usize {
        self.columns.len()
    }
}

/// Why a header row cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("two headers name the column {column}: columns {first} and {second}", column = .column.key())]
    Duplicate { column: Column, first: usize, second: usize },
}

/// Maps a header row. Two headers for one column are refused (which one is meant is a guess).
pub fn map_headers(headers: &[String]) -> Result<HeaderMap, HeaderError> {
    let mut map = HeaderMap::default();
    for (i, h) in headers.iter().enumerate() {
        match column_for_header(h) {
            Some(c) => {
                if let Some(first) = map.position(c) {
                    return Err(HeaderError::Duplicate { column: c, first, second: i });
                }
                map.columns.push((i, c));
            }
            None if h.trim().is_empty() => {}
            None => map.ignored.push((i, h.trim().to_owned())),
        }
    }
    Ok(map)
}

/// The calendar a year was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearEra {
    Common,
    Buddhist,
}

/// Why a cell is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateProblem {
    #[error("not a date (write 15/01/2567, 2024-01-15 or 15 มกราคม 2567)")]
    NotADate,
    #[error("a two-digit year is ambiguous: write the year in full (2567 or 2024)")]
    TwoDigitYear,
    #[error("the year {0} is neither a Common-Era year (1900–2199) nor a Buddhist-Era one (2443–2742)")]
    ImplausibleYear(i32),
    #[error("no such day")]
    NoSuchDay,
}

/// Buddhist Era = Common Era + 543.
pub const BE_OFFSET: i32 = 543;

/// Thai months, full and abbreviated, then English ones (full and three letters), 1-based by position % 12.
const MONTHS: [[&str; 12]; 4] = [
    [
        "มกราคม",
        "กุมภาพันธ์",
        "มีนาคม",
        "เมษายน",
        "พฤษภาคม",
        "มิถุนายน",
        "กรกฎาคม",
        "สิงหาคม",
        "กันยายน",
        "ตุลาคม",
        "พฤศจิกายน",
        "ธันวาคม",
    ],
    ["มค", "กพ", "มีค", "เมย", "พค", "มิย", "กค", "สค", "กย", "ตค", "พย", "ธค"],
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
];

/// Thai digits (๐–๙) as ASCII digits.
pub fn thai_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '๐'..='๙' => char::from_digit(c as u32 - '๐' as u32, 10).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn month_number(word: &str) -> Option<u32> {
    let w: String = word.to_lowercase().chars().filter(|c| *c != '.').collect();
    MONTHS.iter().find_map(|names| names.iter().position(|n| *n == w).map(|i| i as u32 + 1))
}

/// A year as written: four digits, either era (a year from 2400 on is Buddhist Era).
fn year_of(text: &str) -> Result<(i32, YearEra), DateProblem> {
    if !text.bytes().all(|b| b.is_ascii_digit()) || text.is_empty() {
        return Err(DateProblem::NotADate);
    }
    if text.len() <= 2 {
        return Err(DateProblem::TwoDigitYear);
    }
    let y: i32 = text.parse().map_err(|_| DateProblem::NotADate)?;
    match y {
        1900..=2199 => Ok((y, YearEra::Common)),
        2443..=2742 => Ok((y - BE_OFFSET, YearEra::Buddhist)),
        _ => Err(DateProblem::ImplausibleYear(y)),
    }
}

fn small(text: &str) -> Result<u32, DateProblem> {
    if text.is_empty() || text.len() > 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateProblem::NotADate);
    }
    text.parse().map_err(|_| DateProblem::NotADate)
}

/// A date as Thai spreadsheets hold it in text: `15/01/2567`, `15-1-2567`, `15.01.2024`, `2567-01-15`,
/// `15 มกราคม 2567`, `15 ม.ค. 2567`, `15 มกราคม พ.ศ. 2567`, `15 Jan 2024`, in Thai or ASCII digits, with or
/// without a time after it (ignored). Day first when the year is last (as Thai forms write it). Returns the
/// date (Common Era) and the era its year was written in.
pub fn parse_sheet_date(raw: &str) -> Result<(NaiveDate, YearEra), DateProblem> {
    let text = thai_digits(raw.trim());
    // A time after the date ("15/01/2567 10:30", "2024-01-15T10:30:00") is dropped.
    let text = match text.find('T') {
        Some(10) if text.as_bytes()[..4].iter().all(u8::is_ascii_digit) => &text[..10],
        _ => &text[..],
    };
    let mut words: Vec<&str> = text.split_whitespace().collect();
    if words.len() > 1 && words.last().is_some_and(|w| w.contains(':')) {
        words.pop();
    }
    let date = match words[..] {
        [one] => {
            let parts: Vec<&str> = one.split(['/', '-', '.']).collect();
            let [a, b, c] = parts[..] else { return Err(DateProblem::NotADate) };
            if a.len() == 4 {
                let (y, era) = year_of(a)?;
                (y, small(b)?, small(c)?, era)
            } else {
                let (y, era) = year_of(c)?;
                (y, small(b)?, small(a)?, era)
            }
        }
        _ => {
            // "15 มกราคม 2567", "15 ม.ค. พ.ศ. 2567", "15 Jan 2024": day, month's name, optional era, year.
            let words: Vec<&str> = words
                .into_iter()
                .filter(|w| !matches!(w.replace('.', "").as_str(), "พศ" | "คศ" | "be" | "ce" | "ad"))
                .map(|w| w.trim_end_matches(','))
                .collect();
            let [d, m, y] = words[..] else { return Err(DateProblem::NotADate) };
            let month = month_number(m).ok_or(DateProblem::NotADate)?;
            let (y, era) = year_of(y)?;
            (y, month, small(d)?, era)
        }
    };
    let (year, month, day, era) = date;
    NaiveDate::from_ymd_opt(year, month, day).map(|d| (d, era)).ok_or(DateProblem::NoSuchDay)
}

fn label(raw: &str) -> String {
    normalise_header(raw)
}

/// A status cell: the codes (`raised`, `assigned`, `addressed`, `closed`) or the words Thai sheets use
/// (รับเรื่อง, มอบหมายแล้ว, อยู่ระหว่างดำเนินการ, ปิดเรื่อง, …). `None`: not a status Santisuk knows.
pub fn parse_status(raw: &str) -> Option<IssueStatus> {
    let l = label(raw);
    let is = |names: &[&str]| names.iter().any(|n| label(n) == l);
    if is(&["raised", "new", "open", "รับเรื่อง", "รับเรื่องแล้ว", "ใหม่", "รอดำเนินการ", "ยังไม่ดำเนินการ"])
    {
        Some(IssueStatus::Raised)
    } else if is(&["assigned", "มอบหมาย", "มอบหมายแล้ว", "ส่งเรื่องแล้ว"])
    {
        Some(IssueStatus::Assigned)
    } else if is(&["addressed", "in progress", "อยู่ระหว่างดำเนินการ", "กำลังดำเนินการ", "ดำเนินการแล้ว"])
    {
        Some(IssueStatus::Addressed)
    } else if is(&["closed", "done", "ปิด", "ปิดเรื่อง", "ปิดเรื่องแล้ว", "เสร็จสิ้น", "ยุติ", "ยุติเรื่อง"])
    {
        Some(IssueStatus::Closed)
    } else {
        None
    }
}

/// An outcome cell: the codes or the Thai words (แก้ไขได้แล้ว, แก้ไขไม่ได้, ส่งต่อหน่วยงานอื่น, ซ้ำ,
/// ถอนเรื่อง, …). `None`: not an outcome Santisuk knows.
pub fn parse_outcome(raw: &str) -> Option<Outcome> {
    let l = label(raw);
    let is = |names: &[&str]| names.iter().any(|n| label(n) == l);
    if is(&["resolved", "แก้ไขได้แล้ว", "แก้ไขแล้ว", "แก้ไขได้", "สำเร็จ", "เสร็จแล้ว"])
    {
        Some(Outcome::Resolved)
    } else if is(&["unresolved", "แก้ไขไม่ได้", "ไม่สำเร็จ", "แก้ไขไม่สำเร็จ"])
    {
        Some(Outcome::Unresolved)
    } else if is(&["referred", "ส่งต่อ", "ส่งต่อหน่วยงานอื่น", "ส่งต่อแล้ว"])
    {
        Some(Outcome::Referred)
    } else if is(&["duplicate", "ซ้ำ", "เรื่องซ้ำ", "ซ้ำกับเรื่องอื่น"])
    {
        Some(Outcome::Duplicate)
    } else if is(&["withdrawn", "ถอนเรื่อง", "ผู้เสนอถอนเรื่อง"]) {
        Some(Outcome::Withdrawn)
    } else {
        None
    }
}

/// Namespace of imported problems' ids.
const IMPORT_NAMESPACE: Uuid = Uuid::from_u128(0x1b7e_55c0_9a43_4d21_8f6e_b3a0_4c2d_7e91);

/// Text as compared for identity: Thai digits, runs of white space and surrounding space do not matter.
pub fn normalise_text(raw: &str) -> String {
    thai_digits(raw).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The id of an imported problem: UUID v5 of what identifies the row (area, date, category, title and
/// description, normalised) and how many rows of the same file said exactly the same before it
/// (`occurrence`, 0 for the first). Not of the file or the row number: the same sheet saved again with a
/// row added, rows sorted or a column moved names the same problems, so importing it creates only the
/// new ones.
pub fn imported_issue_id(
    area: &str,
    date: NaiveDate,
    category: &str,
    title: &str,
    description: &str,
    occurrence: u32,
) -> IssueId {
    let key = [
        normalise_text(area).to_uppercase(),
        date.to_string(),
        normalise_text(category).to_uppercase(),
        normalise_text(title),
        normalise_text(description),
        occurrence.to_string(),
    ]
    .join("\u{1f}");
    IssueId(Uuid::new_v5(&IMPORT_NAMESPACE, key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn thai_and_english_headers_map_to_columns() {
        let headers: Vec<String> = ["ลำดับ", "พื้นที่", "วันที่ *", "หมวด", "หัวข้อ", "Description", "STATUS", "ผลการดำเนินการ"]
            .map(String::from)
            .to_vec();
        let map = map_headers(&headers).unwrap();
        assert_eq!(map.position(Column::Area), Some(1));
        assert_eq!(map.position(Column::Date), Some(2));
        assert_eq!(map.position(Column::Category), Some(3));
        assert_eq!(map.position(Column::Title), Some(4));
        assert_eq!(map.position(Column::Description), Some(5));
        assert_eq!(map.position(Column::Status), Some(6));
        assert_eq!(map.position(Column::Outcome), Some(7));
        assert_eq!(map.ignored, vec![(0, "ลำดับ".to_owned())]);
        assert!(map.missing().is_empty());
    }

    #[test]
    fn two_headers_for_one_column_are_refused() {
        let headers: Vec<String> = ["เรื่อง", "title"].map(String::from).to_vec();
        assert!(matches!(map_headers(&headers), Err(HeaderError::Duplicate { column: Column::Title, .. })));
    }

    #[test]
    fn dates_in_the_forms_thai_sheets_use() {
        let be = YearEra::Buddhist;
        let ce = YearEra::Common;
        assert_eq!(parse_sheet_date("15/01/2567"), Ok((d(2024, 1, 15), be)));
        assert_eq!(parse_sheet_date("๑๕/๐๑/๒๕๖๗"), Ok((d(2024, 1, 15), be)));
        assert_eq!(parse_sheet_date("2024-01-15"), Ok((d(2024, 1, 15), ce)));
        assert_eq!(parse_sheet_date("2567-01-15"), Ok((d(2024, 1, 15), be)));
        assert_eq!(parse_sheet_date("15 มกราคม 2567"), Ok((d(2024, 1, 15), be)));
        assert_eq!(parse_sheet_date("15 ม.ค. 2567"), Ok((d(2024, 1, 15), be)));
        assert_eq!(parse_sheet_date("15 ม.ค. พ.ศ. 2567"), Ok((d(2024, 1, 15), be)));
        assert_eq!(parse_sheet_date("15 Jan 2024"), Ok((d(2024, 1, 15), ce)));
        assert_eq!(parse_sheet_date("15/01/2567 10:30"), Ok((d(2024, 1, 15), be)));
        assert_eq!(parse_sheet_date("15/01/67"), Err(DateProblem::TwoDigitYear));
        assert_eq!(parse_sheet_date("31/02/2567"), Err(DateProblem::NoSuchDay));
        assert_eq!(parse_sheet_date("เมื่อวาน"), Err(DateProblem::NotADate));
        assert_eq!(parse_sheet_date("15/01/3000"), Err(DateProblem::ImplausibleYear(3000)));
    }

    #[test]
    fn statuses_and_outcomes_in_thai_and_english() {
        assert_eq!(parse_status("ปิดเรื่อง"), Some(IssueStatus::Closed));
        assert_eq!(parse_status(" Assigned "), Some(IssueStatus::Assigned));
        assert_eq!(parse_status("อยู่ระหว่างดำเนินการ"), Some(IssueStatus::Addressed));
        assert_eq!(parse_status("รอพิจารณา"), None);
        assert_eq!(parse_outcome("แก้ไขได้แล้ว"), Some(Outcome::Resolved));
        assert_eq!(parse_outcome("ส่งต่อ"), Some(Outcome::Referred));
        assert_eq!(parse_outcome("ก็ดี"), None);
    }

    #[test]
    fn the_same_row_gets_the_same_id_whatever_its_spacing() {
        let a = imported_issue_id("PTN-01", d(2024, 1, 15), "INF", "ถนน  ชำรุด", "", 0);
        let b = imported_issue_id(" ptn-01", d(2024, 1, 15), "inf", "ถนน ชำรุด ", "", 0);
        assert_eq!(a, b);
        assert_ne!(a, imported_issue_id("PTN-01", d(2024, 1, 15), "INF", "ถนน ชำรุด", "", 1));
        assert_ne!(a, imported_issue_id("PTN-01", d(2024, 1, 16), "INF", "ถนน ชำรุด", "", 0));
    }

    fn thai(n: u32) -> String {
        thai_from(&n.to_string())
    }

    fn thai_from(ascii: &str) -> String {
        ascii.chars().map(|c| c.to_digit(10).and_then(|d| char::from_u32('๐' as u32 + d)).unwrap_or(c)).collect()
    }

    proptest! {
        /// Every day from 1950 to 2100, written in any of the forms in either era (and Thai digits), reads
        /// back as that day, with the era it was written in.
        #[test]
        fn every_written_form_reads_back_as_the_day(
            days in 0i64..55_000,
            form in 0usize..6,
            buddhist: bool,
            thai_digits_used: bool,
        ) {
            let date = d(1950, 1, 1) + chrono::Duration::days(days);
            use chrono::Datelike;
            let year = if buddhist { date.year() + BE_OFFSET } else { date.year() };
            let (day, month) = (date.day(), date.month());
            let text = match form {
                0 => format!("{day:02}/{month:02}/{year}"),
                1 => format!("{day}-{month}-{year}"),
                2 => format!("{year}-{month:02}-{day:02}"),
                3 => format!("{day} {} {year}", MONTHS[0][month as usize - 1]),
                4 => format!("{day} {}. {year}", MONTHS[1][month as usize - 1]),
                _ => format!("{day} {} {year}", MONTHS[3][month as usize - 1]),
            };
            let text = if thai_digits_used { thai_from(&text) } else { text };
            let era = if buddhist { YearEra::Buddhist } else { YearEra::Common };
            prop_assert_eq!(parse_sheet_date(&text), Ok((date, era)));
        }

        /// A two-digit year is never guessed, whatever the rest.
        #[test]
        fn a_two_digit_year_is_never_guessed(day in 1u32..29, month in 1u32..13, year in 0u32..100) {
            prop_assert_eq!(parse_sheet_date(&format!("{day}/{month}/{year:02}")), Err(DateProblem::TwoDigitYear));
            prop_assert_eq!(parse_sheet_date(&format!("{}/{}/{}", thai(day), thai(month), thai(year))).is_ok(), false);
        }

        /// Arbitrary text never panics the date reader.
        #[test]
        fn any_text_is_read_or_refused(text in "\\PC{0,24}") {
            let _ = parse_sheet_date(&text);
        }
    }
}
