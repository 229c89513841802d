//! Importing the spreadsheets of forum problems kept before Santisuk (issue #18 §2): read an xlsx or CSV
//! file (bounded: [`MAX_FILE_BYTES`], [`MAX_ROWS`]), find its header row and map the columns by their Thai
//! or English names, check every row (area, date in either era, category, title, status, assignee,
//! outcome) and report every problem before anything is written; then, only when every row is valid,
//! raise each problem with its field dates and the file and row it came from (`IssueRaised` 1.4), and the
//! later events its status, assignee and outcome call for. The CLI, the API and the web page all come here.
//!
//! Idempotent: a problem's id is derived from what the row says ([`imported_issue_id`]), so importing a file
//! twice, or the same sheet saved again with rows added, creates only what is not there yet; an import cut
//! off half-way is finished by running it again.

use std::collections::HashMap;
use std::io::Cursor;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use santisuk_domain::import::{
    Column, DateProblem, HeaderMap, ImportSource, YearEra, imported_issue_id, map_headers, normalise_header,
    normalise_text, parse_outcome, parse_sheet_date, parse_status,
};
use santisuk_domain::issue::{AddressIssue, AssignIssue, CloseIssue, Issue, IssueAction, IssueCommand, RaiseIssue};
use santisuk_domain::time::{bangkok, bangkok_date};
use santisuk_domain::values::{AreaId, Assignee, CategoryCode, IssueKind, IssueStatus, Outcome, Text, Title};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::caller::{Caller, Role};
use crate::error::AppError;
use crate::{AppState, now};

/// The largest file accepted (10 MiB): far above a forum-problems sheet of [`MAX_ROWS`] rows, and a bound
/// on the memory an import takes (the file is read whole; its rows are streamed).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The most data rows one import takes. A sheet with more is refused as soon as the reader passes this row
/// (an xlsx sheet that declares more in its dimension, before any cell is read): split it into several files.
pub const MAX_ROWS: usize = 5_000;
/// How far down the header row is looked for (a title or a forum's name often sits above it).
const HEADER_SEARCH_ROWS: usize = 10;
/// A text cell longer than this is cut when echoed in a message.
const ECHO: usize = 40;

/// A file to import, as uploaded.
#[derive(Debug, Clone)]
pub struct ImportFile {
    /// The name it was uploaded under (`forum-2567.xlsx`); decides nothing but CSV when the content is text.
    pub name: String,
    pub bytes: Vec<u8>,
    /// The sheet to read (xlsx); absent: the first sheet with a header row Santisuk recognises.
    pub sheet: Option<String>,
    /// A CSV's encoding when it is not UTF-8: only `windows-874` (TIS-620) is accepted, and only when asked
    /// for: a CSV that is not UTF-8 is otherwise refused, naming the encoding it looks like.
    pub encoding: Option<String>,
}

/// A column as the sheet's header names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ColumnMapping {
    /// Santisuk's column: `area`, `date`, `category`, `title`, `description`, `status`, `assignee`,
    /// `outcome`, `action`, `closed_on`.
    pub column: String,
    /// The header as written in the sheet.
    pub header: String,
    /// The sheet's column letter (`A`, `B`, …).
    pub letter: String,
}

/// One problem of one row: the field (column) it concerns, a stable code and a message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowProblem {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// One data row as checked: what it will become, or every problem it has.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowReport {
    /// The row number as the spreadsheet shows it (the header's row counts).
    pub row: u32,
    /// `new` (will be created), `already_imported` (its problem exists: nothing is written), `incomplete`
    /// (exists, but an earlier import was cut off before its later events: they are written),
    /// `invalid` (has problems), `imported` (written by this import).
    pub state: String,
    /// The problem's id (derived from the row's content); absent when the row is invalid.
    pub issue_id: Option<String>,
    pub area: String,
    /// The raise date, in the Common Era (`YYYY-MM-DD`).
    pub date: Option<String>,
    pub title: String,
    /// The status it will have.
    pub status: Option<String>,
    pub outcome: Option<String>,
    /// The events the row makes, in order (`IssueRaised`, `IssueAssigned`, `IssueAddressed`, `IssueClosed`).
    pub events: Vec<String>,
    pub problems: Vec<RowProblem>,
    /// What was read in a way worth knowing (a Buddhist-Era year converted, a formula's saved value used).
    pub notes: Vec<String>,
}

/// Row counts of a report.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportCounts {
    pub rows: usize,
    pub valid: usize,
    pub invalid: usize,
    /// Valid rows whose problem does not exist yet.
    pub new: usize,
    pub already_imported: usize,
    /// Rows whose date was written in the Buddhist Era (converted).
    pub buddhist_era_dates: usize,
    /// Problems created by this import (0 in a dry run).
    pub created: usize,
    /// Events written by this import (0 in a dry run).
    pub events_written: usize,
}

/// What an import found (a dry run) or did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub file_name: String,
    /// SHA-256 of the file, hex: recorded in each imported problem's `IssueRaised`.
    pub file_sha256: String,
    /// `xlsx` or `csv`.
    pub format: String,
    /// The sheet read (xlsx), and why it was chosen.
    pub sheet: Option<String>,
    /// Every sheet of the workbook (xlsx).
    pub sheets: Vec<String>,
    /// The row the headers were found on.
    pub header_row: u32,
    pub mapping: Vec<ColumnMapping>,
    /// Headers not recognised: their columns are not read.
    pub ignored_headers: Vec<String>,
    /// Notes about the file as a whole (the sheet chosen, formulas, the encoding).
    pub notes: Vec<String>,
    pub dry_run: bool,
    /// Whether anything was written.
    pub written: bool,
    pub counts: ImportCounts,
    pub rows: Vec<RowReport>,
}

/// A cell's value as read.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    /// A cell Excel holds as a date.
    Date(NaiveDate),
    Number(f64),
    /// A cell holding an error value (`#REF!`).
    Error(String),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_owned(),
            Cell::Date(d) => d.to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }
}

/// A sheet read: its rows (row number, cells) and which cells held formulas.
#[derive(Debug, Default)]
struct Sheet {
    rows: Vec<(u32, Vec<Cell>)>,
    formulas: Vec<(u32, usize)>,
}

// --- reading the file -----------------------------------------------------------------------------------

fn too_many_rows(seen: impl std::fmt::Display) -> AppError {
    AppError::TooLarge {
        code: "import_too_many_rows",
        message: format!(
            "the sheet has {seen} rows; one import takes at most {MAX_ROWS} rows of problems: split the file into \
             several and import each"
        ),
    }
}

fn not_spreadsheet(why: &str) -> AppError {
    AppError::UnsupportedMediaType {
        code: "import_not_spreadsheet",
        message: format!("the file is not a spreadsheet Santisuk reads ({why}): send an .xlsx workbook or a CSV file"),
    }
}

/// The column letter of a 0-based position (`0` → `A`, `27` → `AB`).
pub fn letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The kind of file, by its first bytes (never by its name alone).
enum Format {
    Xlsx,
    Csv,
}

fn sniff(file: &ImportFile) -> Result<Format, AppError> {
    let b = &file.bytes;
    if b.is_empty() {
        return Err(not_spreadsheet("the file is empty"));
    }
    if b.starts_with(b"PK\x03\x04") {
        return Ok(Format::Xlsx);
    }
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(AppError::UnsupportedMediaType {
            code: "import_not_spreadsheet",
            message: "an Excel 97–2003 workbook (.xls) is not read: open it in Excel or LibreOffice and save it as \
                      .xlsx (Excel Workbook) or CSV UTF-8"
                .into(),
        });
    }
    if b.starts_with(b"%PDF") {
        return Err(not_spreadsheet("it is a PDF document"));
    }
    // Text has no NUL bytes and few control characters; anything else (an image, a program) is not a CSV.
    let sample = &b[..b.len().min(8192)];
    let controls = sample.iter().filter(|&&c| c < 0x20 && !matches!(c, b'\n' | b'\r' | b'\t')).count();
    if sample.contains(&0) || controls * 100 > sample.len() {
        return Err(not_spreadsheet("it is binary data, not a workbook or text"));
    }
    Ok(Format::Csv)
}

/// The text of a CSV file: UTF-8 (a BOM is dropped); windows-874 (TIS-620) only when asked for, else
/// refused with the encoding named.
fn csv_text(file: &ImportFile, notes: &mut Vec<String>) -> Result<String, AppError> {
    let bytes = file.bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&file.bytes);
    let asked = file.encoding.as_deref().map(|e| e.trim().to_ascii_lowercase()).filter(|e| !e.is_empty());
    match asked.as_deref() {
        None | Some("utf-8" | "utf8") => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(e) => {
                let (_, _, bad) = encoding_rs::WINDOWS_874.decode(bytes);
                let thai = !bad && looks_thai_874(bytes);
                let line = bytes[..e.valid_up_to()].iter().filter(|&&c| c == b'\n').count() + 1;
                let guess = if thai {
                    "it looks like Thai in TIS-620 / windows-874 (as older Excel saves \"CSV\")"
                } else {
                    "its encoding is not one Santisuk recognises"
                };
                Err(AppError::invalid(
                    "import_not_utf8",
                    format!(
                        "the CSV file is not UTF-8 (first bad byte on line {line}): {guess}. Save it again as \
                         \"CSV UTF-8\", or import it with the encoding windows-874 (--encoding windows-874, \
                         encoding=windows-874)"
                    ),
                ))
            }
        },
        Some("windows-874" | "tis-620" | "tis620" | "cp874") => {
            let (text, _, bad) = encoding_rs::WINDOWS_874.decode(bytes);
            if bad {
                return Err(AppError::invalid(
                    "import_not_utf8",
                    "the CSV file is not valid windows-874 (TIS-620) either: save it again as \"CSV UTF-8\"",
                ));
            }
            notes.push("the CSV file was read as windows-874 (TIS-620), as asked".into());
            Ok(text.into_owned())
        }
        Some(other) => Err(AppError::invalid(
            "import_bad_encoding",
            format!("`encoding` must be utf-8 or windows-874 (got {:?})", other.chars().take(ECHO).collect::<String>()),
        )),
    }
}

/// Whether bytes that are not UTF-8 hold Thai letters as TIS-620 codes them (0xA1–0xFB).
fn looks_thai_874(bytes: &[u8]) -> bool {
    let high = bytes.iter().filter(|&&b| b >= 0x80).count();
    let thai = bytes.iter().filter(|&&b| (0xA1..=0xFB).contains(&b)).count();
    high > 0 && thai * 10 >= high * 9
}

fn read_csv(text: &str) -> Result<Sheet, AppError> {
    // A sheet saved by a Thai Excel may use `;` or a tab: the separator is the one the first line has most of.
    let first = text.lines().next().unwrap_or_default();
    let delimiter =
        [b',', b';', b'\t'].into_iter().max_by_key(|d| first.bytes().filter(|b| b == d).count()).unwrap_or(b',');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut sheet = Sheet::default();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(i as u64 + 1);
            AppError::invalid("import_bad_csv", format!("the CSV file cannot be read at line {line}: {e}"))
        })?;
        if sheet.rows.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(too_many_rows(format!("more than {}", MAX_ROWS + HEADER_SEARCH_ROWS)));
        }
        let row = record.iter().map(|c| Cell::Text(c.to_owned())).collect();
        sheet.rows.push((i as u32 + 1, row));
    }
    Ok(sheet)
}

type Workbook = calamine::Xlsx<Cursor<Vec<u8>>>;

/// The most a workbook's parts may unpack to, together: a forum-problems sheet of [`MAX_ROWS`] rows unpacks
/// to a few MiB. A workbook is a zip, and calamine holds parts such as the shared strings whole in memory, so
/// a small file packing gigabytes (a zip bomb) would take the server's memory with it.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;

/// Unpacks every part of the workbook once, counting what comes out and stopping past
/// [`MAX_UNPACKED_BYTES`]. The sizes a zip declares are not trusted: they can be written to lie.
fn check_unpacked(bytes: &[u8]) -> Result<(), AppError> {
    use std::io::Read as _;
    let unreadable = |e: zip::result::ZipError| not_spreadsheet(&format!("the workbook cannot be read: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(unreadable)?;
        let mut bounded = entry.take(MAX_UNPACKED_BYTES - total + 1);
        total += std::io::copy(&mut bounded, &mut std::io::sink())
            .map_err(|e| not_spreadsheet(&format!("the workbook cannot be read: {e}")))?;
        if total > MAX_UNPACKED_BYTES {
            return Err(AppError::TooLarge {
                code: "import_too_large",
                message: format!(
                    "the workbook unpacks to more than {} MiB: save only the sheet of problems, or split it",
                    MAX_UNPACKED_BYTES / (1024 * 1024)
                ),
            });
        }
    }
    Ok(())
}

fn xlsx_error(e: calamine::XlsxError) -> AppError {
    match e {
        calamine::XlsxError::Password => AppError::invalid(
            "import_not_spreadsheet",
            "the workbook is protected by a password: save a copy without it and import that",
        ),
        other => not_spreadsheet(&format!("the workbook cannot be read: {other}")),
    }
}

/// Reads one sheet of a workbook, streaming its cells: a sheet whose declared size is over the limit is
/// refused before any cell is read, and one without a declared size as soon as a row past it appears.
fn read_sheet(wb: &mut Workbook, name: &str) -> Result<Sheet, AppError> {
    use calamine::DataRef;
    let limit = (MAX_ROWS + HEADER_SEARCH_ROWS) as u32;
    let mut sheet = Sheet::default();
    {
        let mut cells = wb.worksheet_cells_reader(name).map_err(xlsx_error)?;
        let dim = cells.dimensions();
        if dim.end.0 > limit {
            return Err(too_many_rows(dim.end.0 + 1));
        }
        let mut rows: std::collections::BTreeMap<u32, Vec<Cell>> = Default::default();
        while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
            let (r, c) = cell.get_position();
            if r > limit {
                return Err(too_many_rows(format!("more than {limit}")));
            }
            if c > 200 {
                continue;
            }
            let value = match cell.get_value() {
                DataRef::Empty => Cell::Empty,
                DataRef::String(s) => Cell::Text(s.clone()),
                DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
                DataRef::Int(i) => Cell::Number(*i as f64),
                DataRef::Float(f) => Cell::Number(*f),
                DataRef::Bool(b) => Cell::Text(b.to_string()),
                DataRef::DateTime(d) => match d.as_datetime() {
                    Some(dt) if d.is_datetime() => Cell::Date(dt.date()),
                    _ => Cell::Number(d.as_f64()),
                },
                DataRef::DateTimeIso(s) => Cell::Text(s.clone()),
                DataRef::DurationIso(s) => Cell::Text(s.clone()),
                DataRef::Error(e) => Cell::Error(format!("{e}")),
            };
            let row = rows.entry(r + 1).or_default();
            if row.len() <= c as usize {
                row.resize(c as usize + 1, Cell::Empty);
            }
            row[c as usize] = value;
        }
        sheet.rows = rows.into_iter().collect();
    }
    // The formulas (a second bounded pass): their saved values were read above.
    let mut cells = wb.worksheet_cells_reader(name).map_err(xlsx_error)?;
    while let Some(f) = cells.next_formula().map_err(xlsx_error)? {
        let (r, c) = f.get_position();
        if r > limit {
            break;
        }
        if !f.get_value().is_empty() {
            sheet.formulas.push((r + 1, c as usize));
        }
    }
    Ok(sheet)
}

/// The header row of a sheet: the first of its first rows that names at least three of Santisuk's columns.
fn find_header(sheet: &Sheet) -> Option<(usize, HeaderMap)> {
    sheet.rows.iter().take(HEADER_SEARCH_ROWS).enumerate().find_map(|(i, (_, cells))| {
        let headers: Vec<String> = cells.iter().map(Cell::text).collect();
        match map_headers(&headers) {
            Ok(map) if map.recognised() >= 3 => Some((i, map)),
            _ => None,
        }
    })
}

/// What every column name looks like, for an error that has found none.
fn expected_headers() -> String {
    Column::ALL.into_iter().filter(|c| c.required()).map(|c| c.names()[..2].join("/")).collect::<Vec<_>>().join(", ")
}

/// A sheet's rows with the header found: the file read and bounded.
struct Read {
    format: &'static str,
    sheet_name: Option<String>,
    sheets: Vec<String>,
    sheet: Sheet,
    header_index: usize,
    map: HeaderMap,
    notes: Vec<String>,
}

fn read_file(file: &ImportFile) -> Result<Read, AppError> {
    if file.bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::TooLarge {
            code: "import_too_large",
            message: format!("the file is over {} MiB: split it into several", MAX_FILE_BYTES / (1024 * 1024)),
        });
    }
    let mut notes = Vec::new();
    match sniff(file)? {
        Format::Csv => {
            let text = csv_text(file, &mut notes)?;
            let sheet = read_csv(&text)?;
            let (header_index, map) = find_header(&sheet).ok_or_else(|| no_header(None))?;
            Ok(Read { format: "csv", sheet_name: None, sheets: Vec::new(), sheet, header_index, map, notes })
        }
        Format::Xlsx => {
            use calamine::Reader;
            check_unpacked(&file.bytes)?;
            let mut wb: Workbook = calamine::Xlsx::new(Cursor::new(file.bytes.clone())).map_err(xlsx_error)?;
            let sheets = wb.sheet_names();
            let wanted = file.sheet.as_deref().map(str::trim).filter(|s| !s.is_empty());
            let candidates: Vec<String> = match wanted {
                Some(w) => {
                    let found = sheets.iter().find(|s| s.trim() == w || s.trim().eq_ignore_ascii_case(w));
                    vec![found.cloned().ok_or_else(|| {
                        AppError::invalid(
                            "import_sheet_not_found",
                            format!(
                                "the workbook has no sheet {:?}; its sheets are: {}",
                                w.chars().take(ECHO).collect::<String>(),
                                sheets.join(", ")
                            ),
                        )
                    })?]
                }
                None => sheets.clone(),
            };
            for name in &candidates {
                let sheet = read_sheet(&mut wb, name)?;
                let Some((header_index, map)) = find_header(&sheet) else {
                    if wanted.is_some() {
                        return Err(no_header(Some(name)));
                    }
                    continue;
                };
                let header_row = sheet.rows[header_index].0;
                check_merged(&mut wb, name, header_row)?;
                notes.push(match wanted {
                    Some(_) => format!("sheet {name:?} was read, as asked"),
                    None if sheets.len() > 1 => format!(
                        "sheet {name:?} was read: the first of the workbook's {} sheets with a header row Santisuk \
                         recognises (choose another with `sheet`)",
                        sheets.len()
                    ),
                    None => format!("sheet {name:?} was read"),
                });
                return Ok(Read {
                    format: "xlsx",
                    sheet_name: Some(name.clone()),
                    sheets,
                    sheet,
                    header_index,
                    map,
                    notes,
                });
            }
            Err(AppError::invalid(
                "import_no_header",
                format!(
                    "no sheet of the workbook ({}) has a header row naming the columns ({} …) in its first {} rows",
                    sheets.join(", "),
                    expected_headers(),
                    HEADER_SEARCH_ROWS
                ),
            ))
        }
    }
}

fn no_header(sheet: Option<&str>) -> AppError {
    let place = sheet.map(|s| format!("sheet {s:?}")).unwrap_or_else(|| "the file".into());
    AppError::invalid(
        "import_no_header",
        format!(
            "{place} has no header row naming the columns ({} …) in its first {HEADER_SEARCH_ROWS} rows",
            expected_headers()
        ),
    )
}

/// Merged cells below the header are refused: a merged cell holds its value in its first row only, so the
/// rows it spans would read as empty (or be guessed at). Above the header (a title) they do no harm.
fn check_merged(wb: &mut Workbook, name: &str, header_row: u32) -> Result<(), AppError> {
    let Some(merged) = wb.worksheet_merge_cells(name) else { return Ok(()) };
    let merged = merged.map_err(xlsx_error)?;
    let within: Vec<String> = merged
        .iter()
        .filter(|d| d.end.0 + 1 >= header_row)
        .map(|d| format!("{}{}:{}{}", letter(d.start.1 as usize), d.start.0 + 1, letter(d.end.1 as usize), d.end.0 + 1))
        .collect();
    if within.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = merged
        .iter()
        .filter(|d| d.end.0 + 1 >= header_row)
        .map(|d| {
            if d.start.0 == d.end.0 {
                format!("{}", d.start.0 + 1)
            } else {
                format!("{}–{}", d.start.0 + 1, d.end.0 + 1)
            }
        })
        .collect();
    Err(AppError::invalid(
        "import_merged_cells",
        format!(
            "sheet {name:?} has merged cells in its table ({}; rows {}): a merged cell keeps its value in its first row \
             only. Unmerge them and fill every row, then import again",
            within.join(", "),
            rows.join(", ")
        ),
    ))
}

// --- checking the rows ----------------------------------------------------------------------------------

/// Reference data a row is checked against.
struct Refs {
    /// Area id (upper case) or normalised Thai/English name → area id.
    areas: HashMap<String, String>,
    /// Category code (upper case) or normalised name → code (community categories only).
    categories: HashMap<String, String>,
}

async fn load_refs(state: &AppState) -> Result<Refs, AppError> {
    let mut areas = HashMap::new();
    for a in santisuk_projections::read_model::list_areas(&state.db).await? {
        areas.insert(normalise_header(&a.name_th), a.id.clone());
        if let Some(en) = &a.name_en {
            areas.insert(normalise_header(en), a.id.clone());
        }
        areas.insert(a.id.to_uppercase(), a.id.clone());
    }
    let mut categories = HashMap::new();
    for c in crate::reference::list_categories_of(state, Some(IssueKind::Community)).await? {
        categories.insert(normalise_header(&c.name_th), c.code.clone());
        categories.insert(normalise_header(&c.name_en), c.code.clone());
        categories.insert(c.code.to_uppercase(), c.code.clone());
    }
    Ok(Refs { areas, categories })
}

fn lookup(map: &HashMap<String, String>, raw: &str) -> Option<String> {
    let t = normalise_text(raw);
    map.get(&t.to_uppercase()).or_else(|| map.get(&normalise_header(&t))).cloned()
}

/// A row checked: the commands it makes, or its problems.
struct Checked {
    report: RowReport,
    plan: Option<Plan>,
}

/// What a valid row writes.
#[derive(Debug, Clone)]
struct Plan {
    id: String,
    raise: RaiseIssue,
    later: Vec<IssueAction>,
}

fn echo(raw: &str) -> String {
    raw.chars().take(ECHO).collect()
}

/// The instant a day stands for: its start in Bangkok (a raise), or its last second (an action), never
/// later than `now`.
fn day_at(day: NaiveDate, end: bool, now: DateTime<Utc>) -> DateTime<Utc> {
    let time = if end { NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN) } else { NaiveTime::MIN };
    bangkok().from_local_datetime(&day.and_time(time)).earliest().map(|t| t.with_timezone(&Utc)).unwrap_or(now).min(now)
}

/// Reads a date cell: a date Excel holds as one, or text in any form [`parse_sheet_date`] reads.
fn date_of(
    cell: &Cell,
    field: Column,
    today: NaiveDate,
    problems: &mut Vec<RowProblem>,
    notes: &mut Vec<String>,
) -> Option<(NaiveDate, bool)> {
    let mut problem = |code: &str, message: String| {
        problems.push(RowProblem { field: field.key().into(), code: code.into(), message });
    };
    let (date, buddhist) = match cell {
        Cell::Date(d) => (*d, false),
        Cell::Text(t) => match parse_sheet_date(t) {
            Ok((d, era)) => (d, era == YearEra::Buddhist),
            Err(e) => {
                let code = match e {
                    DateProblem::TwoDigitYear => "two_digit_year",
                    _ => "bad_date",
                };
                problem(code, format!("{:?} is not a date: {e}", echo(t)));
                return None;
            }
        },
        Cell::Number(n) => {
            problem("bad_date", format!("{n} is a number, not a date: format the cell as a date or write 15/01/2567"));
            return None;
        }
        Cell::Error(e) => {
            problem("bad_date", format!("the cell holds the error {e}"));
            return None;
        }
        Cell::Empty => return None,
    };
    if date > today {
        problem("date_in_future", format!("{date} is in the future"));
        return None;
    }
    if buddhist {
        use chrono::Datelike;
        notes.push(format!(
            "{}: the Buddhist-Era year {} was read as {} ({date})",
            field.key(),
            date.year() + santisuk_domain::import::BE_OFFSET,
            date.year()
        ));
    }
    Some((date, buddhist))
}

fn check_row(
    row: u32,
    cells: &[Cell],
    map: &HeaderMap,
    refs: &Refs,
    source: &ImportSource,
    now: DateTime<Utc>,
    occurrences: &mut HashMap<uuid::Uuid, u32>,
) -> Checked {
    let today = bangkok_date(now);
    let get = |c: Column| map.position(c).and_then(|i| cells.get(i)).cloned().unwrap_or(Cell::Empty);
    let text = |c: Column| get(c).text();
    let mut problems: Vec<RowProblem> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let problem = |problems: &mut Vec<RowProblem>, c: Column, code: &str, message: String| {
        problems.push(RowProblem { field: c.key().into(), code: code.into(), message });
    };
    for c in Column::ALL {
        if let Cell::Error(e) = get(c) {
            if !matches!(c, Column::Date | Column::ClosedOn) {
                problem(&mut problems, c, "cell_error", format!("the cell holds the error {e}"));
            }
        }
    }

    let area_raw = text(Column::Area);
    let area = match area_raw.as_str() {
        "" => {
            problem(&mut problems, Column::Area, "empty_area", "the area is empty".into());
            None
        }
        raw => lookup(&refs.areas, raw).or_else(|| {
            problem(
                &mut problems,
                Column::Area,
                "unknown_area",
                format!("no area {:?} (by its id or Thai name)", echo(raw)),
            );
            None
        }),
    };
    let date = match get(Column::Date) {
        c if c.is_empty() => {
            problem(&mut problems, Column::Date, "empty_date", "the date is empty".into());
            None
        }
        c => date_of(&c, Column::Date, today, &mut problems, &mut notes).map(|(d, _)| d),
    };
    let category_raw = text(Column::Category);
    let category = match category_raw.as_str() {
        "" => {
            problem(&mut problems, Column::Category, "empty_category", "the category is empty".into());
            None
        }
        raw => lookup(&refs.categories, raw).or_else(|| {
            problem(
                &mut problems,
                Column::Category,
                "unknown_category",
                format!("no category {:?} (by its code or its Thai or English name)", echo(raw)),
            );
            None
        }),
    };
    let title_raw = text(Column::Title);
    let title = match Title::parse(&title_raw) {
        Ok(t) => Some(t),
        Err(_) if title_raw.is_empty() => {
            problem(&mut problems, Column::Title, "empty_title", "the title is empty".into());
            None
        }
        Err(e) => {
            problem(&mut problems, Column::Title, e.code(), e.to_string());
            None
        }
    };
    let description_raw = text(Column::Description);
    let description = match description_raw.as_str() {
        "" => Some(None),
        d => match Text::parse(d) {
            Ok(t) => Some(Some(t)),
            Err(e) => {
                problem(&mut problems, Column::Description, e.code(), e.to_string());
                None
            }
        },
    };
    let status_raw = text(Column::Status);
    let status = match status_raw.as_str() {
        "" => Some(None),
        s => match parse_status(s) {
            Some(st) => Some(Some(st)),
            None => {
                problem(
                    &mut problems,
                    Column::Status,
                    "unknown_status",
                    format!("{:?} is not a status (รับเรื่อง, มอบหมายแล้ว, อยู่ระหว่างดำเนินการ, ปิดเรื่อง)", echo(s)),
                );
                None
            }
        },
    };
    let assignee_raw = text(Column::Assignee);
    let assignee = match assignee_raw.as_str() {
        "" => Some(None),
        a => match Assignee::parse(a) {
            Ok(a) => Some(Some(a)),
            Err(e) => {
                problem(&mut problems, Column::Assignee, e.code(), e.to_string());
                None
            }
        },
    };
    let outcome_raw = text(Column::Outcome);
    let outcome = match outcome_raw.as_str() {
        "" => Some(None),
        o => match parse_outcome(o) {
            Some(o) => Some(Some(o)),
            None => {
                problem(
                    &mut problems,
                    Column::Outcome,
                    "unknown_outcome",
                    format!(
                        "{:?} is not an outcome (แก้ไขได้แล้ว, แก้ไขไม่ได้, ส่งต่อหน่วยงานอื่น, ซ้ำกับเรื่องอื่น, ผู้เสนอถอนเรื่อง)",
                        echo(o)
                    ),
                );
                None
            }
        },
    };
    let action_raw = text(Column::Action);
    let action = match action_raw.as_str() {
        "" => Some(None),
        a => match Text::parse(a) {
            Ok(t) => Some(Some(t)),
            Err(e) => {
                problem(&mut problems, Column::Action, e.code(), e.to_string());
                None
            }
        },
    };
    let closed_on = match get(Column::ClosedOn) {
        c if c.is_empty() => Some(None),
        c => date_of(&c, Column::ClosedOn, today, &mut problems, &mut notes).map(|(d, _)| Some(d)),
    };

    // The status the row ends in: as written, else what its other columns imply.
    let final_status = match (&status, &outcome, &assignee, &action) {
        (Some(Some(s)), ..) => Some(*s),
        (Some(None), Some(Some(_)), ..) => Some(IssueStatus::Closed),
        (Some(None), _, _, Some(Some(_))) => Some(IssueStatus::Addressed),
        (Some(None), _, Some(Some(_)), _) => Some(IssueStatus::Assigned),
        (Some(None), ..) => Some(IssueStatus::Raised),
        _ => None,
    };
    if let (Some(st), Some(o), Some(a), Some(closed)) = (final_status, &outcome, &assignee, &closed_on) {
        match (st, o) {
            (IssueStatus::Closed, None) => problem(
                &mut problems,
                Column::Outcome,
                "closed_without_outcome",
                "a closed problem needs its outcome (แก้ไขได้แล้ว, แก้ไขไม่ได้, …)".into(),
            ),
            (s, Some(_)) if s != IssueStatus::Closed => problem(
                &mut problems,
                Column::Outcome,
                "outcome_without_closure",
                format!("an outcome is given but the status is {:?}, not closed", s.as_str()),
            ),
            _ => {}
        }
        let needs_assignee =
            matches!(st, IssueStatus::Assigned | IssueStatus::Addressed) || *o == Some(Outcome::Resolved);
        if needs_assignee && a.is_none() {
            problem(
                &mut problems,
                Column::Assignee,
                "assignee_required",
                format!(
                    "a problem {} needs who was responsible (ผู้รับผิดชอบ): Santisuk records an action only after an \
                     assignment",
                    if *o == Some(Outcome::Resolved) { "resolved" } else { "in this status" }
                ),
            );
        }
        // Said here, in the dry run: the domain records an action only after an assignment, which a row
        // whose status is raised does not make, so the import would stop after this row's raise.
        if st == IssueStatus::Raised && matches!(action, Some(Some(_))) {
            problem(
                &mut problems,
                Column::Action,
                "action_on_raised",
                "an action is given but the status is raised (รับเรื่อง/รอดำเนินการ): set the status to \
                 อยู่ระหว่างดำเนินการ or ปิดเรื่อง, or clear the action"
                    .into(),
            );
        }
        if st == IssueStatus::Raised && a.is_some() {
            notes.push("assignee: not recorded, as the status is raised (รับเรื่อง)".into());
        }
        // The rules record an action only after an assignment: without an assignee it cannot be kept.
        if st != IssueStatus::Raised && a.is_none() && matches!(action, Some(Some(_))) {
            notes.push("action: not recorded, as no assignee is given (an action follows an assignment)".into());
        }
        if closed.is_some() && st != IssueStatus::Closed {
            problem(
                &mut problems,
                Column::ClosedOn,
                "closed_on_without_closure",
                "a closing date is given but the problem is not closed".into(),
            );
        }
        if let (Some(c), Some(d)) = (closed, date) {
            if *c < d {
                problem(
                    &mut problems,
                    Column::ClosedOn,
                    "closed_before_raised",
                    format!("closed on {c}, before it was raised ({d})"),
                );
            }
        }
    }

    let mut report = RowReport {
        row,
        state: "invalid".into(),
        issue_id: None,
        area: area.clone().unwrap_or_else(|| echo(&area_raw)),
        date: date.map(|d| d.to_string()),
        title: echo(&title_raw),
        status: final_status.map(|s| s.as_str().to_owned()),
        outcome: outcome.flatten().map(|o| o.as_str().to_owned()),
        events: Vec::new(),
        problems: Vec::new(),
        notes,
    };
    let (
        Some(area),
        Some(date),
        Some(category),
        Some(title),
        Some(description),
        Some(status),
        Some(assignee),
        Some(outcome),
        Some(action),
        Some(closed_on),
        true,
    ) = (
        area,
        date,
        category,
        title,
        description,
        final_status,
        assignee,
        outcome,
        action,
        closed_on,
        problems.is_empty(),
    )
    else {
        report.problems = problems;
        return Checked { report, plan: None };
    };
    let key = imported_issue_id(&area, date, &category, title.as_str(), &description_raw, 0).0;
    let occurrence = occurrences.entry(key).or_insert(0);
    let id = imported_issue_id(&area, date, &category, title.as_str(), &description_raw, *occurrence);
    *occurrence += 1;

    let raised_at = day_at(date, false, now);
    let closed_at = day_at(closed_on.unwrap_or(date), true, now).max(raised_at);
    let mut later = Vec::new();
    if let Some(a) = assignee.clone().filter(|_| status != IssueStatus::Raised) {
        later.push(IssueAction::Assign(AssignIssue {
            assignee: Some(a),
            agency: None,
            agency_name: None,
            rule: None,
            due_on: None,
            note: None,
            at: raised_at,
        }));
    }
    let addressed = status == IssueStatus::Addressed
        || outcome == Some(Outcome::Resolved)
        || (action.is_some() && assignee.is_some());
    if addressed && assignee.is_some() {
        let what = action.clone().unwrap_or_else(|| {
            Text::parse("นำเข้าจากตาราง: ไม่ได้ระบุการดำเนินการ (imported from a spreadsheet; no action recorded)")
                .expect("a valid text")
        });
        let at = if status == IssueStatus::Closed { closed_at } else { raised_at };
        later.push(IssueAction::Address(AddressIssue { action: what, note: None, at }));
    }
    if let (IssueStatus::Closed, Some(o)) = (status, outcome) {
        later.push(IssueAction::Close(CloseIssue { outcome: o, note: None, at: closed_at }));
    }
    let raise = RaiseIssue {
        area: AreaId::parse(&area).expect("a registered area's id"),
        category: CategoryCode::parse(&category).expect("a registered category's code"),
        title,
        description,
        forum: None,
        raised_by: None,
        at: raised_at,
        case_number: None,
        complainant: None,
        restricted: false,
        kind: IssueKind::Community,
        category_kind: IssueKind::Community,
        source: Some(ImportSource { row, ..source.clone() }),
    };
    report.events =
        std::iter::once("IssueRaised").chain(later.iter().map(|a| written_as(a).0)).map(str::to_owned).collect();
    // The status the import's events leave, which the dry run must report: an action on a row marked
    // assigned moves the problem on to in progress (#18).
    let leaves = later.last().map_or(IssueStatus::Raised, |a| written_as(a).1);
    if leaves != status {
        report.notes.push(format!(
            "status: {} after the import, not {} as written (an action on an assigned problem moves it to in \
             progress)",
            leaves.as_str(),
            status.as_str()
        ));
    }
    report.status = Some(leaves.as_str().to_owned());
    report.state = "new".into();
    report.issue_id = Some(id.to_string());
    Checked { report, plan: Some(Plan { id: id.to_string(), raise, later }) }
}

/// What one of a row's later events is stored as, and the status it leaves the problem in (as
/// `Issue::apply` folds it).
fn written_as(action: &IssueAction) -> (&'static str, IssueStatus) {
    match action {
        IssueAction::Assign(_) => ("IssueAssigned", IssueStatus::Assigned),
        IssueAction::Address(_) => ("IssueAddressed", IssueStatus::Addressed),
        _ => ("IssueClosed", IssueStatus::Closed),
    }
}

// --- the use case ---------------------------------------------------------------------------------------

/// Who may import: admins and staff. A coordinator may not: an import writes many problems at once, dated in
/// the past, in any area, which is the office's to check and vouch for.
pub fn require_importer(caller: &Caller) -> Result<(), AppError> {
    caller.require(&[Role::Admin, Role::Staff], "import spreadsheets (admins and staff only)")
}

/// The command line's caller: the active user called `name` (`santisuk import --as <name>`), who must be
/// an admin or staff like anyone importing over the API or the web page.
pub async fn caller_named(state: &AppState, name: &str) -> Result<Caller, AppError> {
    let account = santisuk_projections::web::account_by_name(&state.db, name.trim())
        .await?
        .ok_or_else(|| AppError::not_found("user_not_found", format!("no active user called {:?}", echo(name))))?;
    let caller = Caller {
        user: account.user,
        request_id: format!("cli-import-{}", uuid::Uuid::new_v4()),
        client: String::new(),
    };
    require_importer(&caller)?;
    Ok(caller)
}

/// Reads and checks `file`; with `dry_run`, reports and writes nothing. Otherwise writes only when every row
/// is valid (else `import_rows_invalid`, naming the rows, and nothing written), creating only the problems
/// that do not exist yet.
pub async fn import(
    state: &AppState,
    caller: &Caller,
    file: ImportFile,
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    require_importer(caller)?;
    let now = now();
    let read = read_file(&file)?;
    let file_sha256 = hex(&Sha256::digest(&file.bytes));
    let name = file.name.trim();
    // Kept as text a page can show: no control characters, at most 200 characters.
    let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
    let file_name = if name.trim().is_empty() { "upload".to_owned() } else { name.trim().to_owned() };
    let source = ImportSource {
        file_sha256: file_sha256.clone(),
        file_name: file_name.clone(),
        sheet: read.sheet_name.clone(),
        row: 0,
    };
    let refs = load_refs(state).await?;
    let (header_row, header_cells) = &read.sheet.rows[read.header_index];
    let mapping = read
        .map
        .columns
        .iter()
        .map(|(i, c)| ColumnMapping {
            column: c.key().into(),
            header: header_cells.get(*i).map(Cell::text).unwrap_or_default(),
            letter: letter(*i),
        })
        .collect();
    let mut notes = read.notes.clone();
    let missing = read.map.missing();
    if !missing.is_empty() {
        return Err(AppError::invalid(
            "import_missing_columns",
            format!(
                "the header row (row {header_row}) lacks the columns {}",
                missing
                    .iter()
                    .map(|c| format!("{} ({})", c.key(), c.names()[..2].join("/")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let data: Vec<&(u32, Vec<Cell>)> = read.sheet.rows[read.header_index + 1..]
        .iter()
        .filter(|(_, cells)| !cells.iter().all(Cell::is_empty))
        .collect();
    if data.len() > MAX_ROWS {
        return Err(too_many_rows(data.len()));
    }
    if data.is_empty() {
        return Err(AppError::invalid(
            "import_no_rows",
            format!("the sheet has no rows of problems under its header (row {header_row})"),
        ));
    }
    let read_columns: Vec<usize> = read.map.columns.iter().map(|(i, _)| *i).collect();
    let formula_rows: Vec<u32> = read
        .sheet
        .formulas
        .iter()
        .filter(|(r, c)| *r > *header_row && read_columns.contains(c))
        .map(|(r, _)| *r)
        .collect();
    if !formula_rows.is_empty() {
        notes.push(format!(
            "{} cells read hold formulas: the values Excel last saved for them were used (rows {})",
            formula_rows.len(),
            summarise(&formula_rows)
        ));
    }
    let mut occurrences = HashMap::new();
    let mut checked: Vec<Checked> = data
        .iter()
        .map(|(row, cells)| {
            let mut c = check_row(*row, cells, &read.map, &refs, &source, now, &mut occurrences);
            if formula_rows.contains(row) {
                c.report.notes.push("a formula's saved value was used".into());
            }
            c
        })
        .collect();
    // Which problems exist already (a file imported before, or an import cut off half-way).
    let mut existing: HashMap<String, usize> = HashMap::new();
    for c in &checked {
        if let Some(p) = &c.plan {
            let n = santisuk_store::events::aggregate_history(&state.db, "Issue", &p.id).await?.len();
            if n > 0 {
                existing.insert(p.id.clone(), n);
            }
        }
    }
    for c in &mut checked {
        if let Some(p) = &c.plan {
            if let Some(n) = existing.get(&p.id) {
                c.report.state = if *n > p.later.len() { "already_imported" } else { "incomplete" }.into();
            }
        }
    }
    let mut counts = ImportCounts { rows: checked.len(), ..Default::default() };
    for c in &checked {
        match c.report.state.as_str() {
            "invalid" => counts.invalid += 1,
            "new" => counts.new += 1,
            _ => counts.already_imported += 1,
        }
        if c.report.notes.iter().any(|n| n.contains("Buddhist-Era")) {
            counts.buddhist_era_dates += 1;
        }
    }
    counts.valid = counts.rows - counts.invalid;
    let mut report = ImportReport {
        file_name,
        file_sha256,
        format: read.format.into(),
        sheet: read.sheet_name.clone(),
        sheets: read.sheets.clone(),
        header_row: *header_row,
        mapping,
        ignored_headers: read.map.ignored.iter().map(|(i, h)| format!("{} ({h})", letter(*i))).collect(),
        notes,
        dry_run,
        written: false,
        counts,
        rows: Vec::new(),
    };
    if dry_run {
        report.rows = checked.into_iter().map(|c| c.report).collect();
        return Ok(report);
    }
    if report.counts.invalid > 0 {
        let listed: Vec<String> = checked
            .iter()
            .filter(|c| !c.report.problems.is_empty())
            .flat_map(|c| {
                c.report.problems.iter().map(move |p| format!("row {} {}: {}", c.report.row, p.field, p.message))
            })
            .collect();
        let shown = listed.iter().take(10).cloned().collect::<Vec<_>>().join("; ");
        let more = if listed.len() > 10 {
            format!("; and {} more (run a dry run to see them all)", listed.len() - 10)
        } else {
            String::new()
        };
        return Err(AppError::invalid(
            "import_rows_invalid",
            format!(
                "{} of {} rows have problems; nothing was imported: {shown}{more}",
                report.counts.invalid, report.counts.rows
            ),
        ));
    }
    for c in &mut checked {
        let Some(plan) = &c.plan else { continue };
        let done = existing.get(&plan.id).copied().unwrap_or(0);
        if done > plan.later.len() {
            continue;
        }
        let written = write_row(state, caller, plan, done, now).await.map_err(|e| {
            let (code, message) = e.code_and_message();
            AppError::Invalid {
                code: "import_interrupted",
                message: format!(
                    "row {} could not be written ({code}: {message}); the rows before it were imported: import the \
                     file again to finish",
                    c.report.row
                ),
            }
        })?;
        if done == 0 {
            report.counts.created += 1;
        }
        report.counts.events_written += written;
        c.report.state = "imported".into();
    }
    report.written = report.counts.events_written > 0;
    report.rows = checked.into_iter().map(|c| c.report).collect();
    tracing::info!(
        file = %report.file_name,
        sha256 = %report.file_sha256,
        created = report.counts.created,
        events = report.counts.events_written,
        "spreadsheet imported"
    );
    Ok(report)
}

/// Writes what a row makes, from its `done`-th event on (0: from the raise). Returns the events written.
async fn write_row(
    state: &AppState,
    caller: &Caller,
    plan: &Plan,
    done: usize,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut written = 0;
    if done == 0 {
        match crate::issues::raise_checked(state, caller, plan.id.clone(), false, plan.raise.clone(), None, now).await {
            Ok(_) => written += 1,
            // Another import of the same file got there first: it is the same problem.
            Err(AppError::Conflict { code, .. })
                if code == santisuk_domain::issue::IssueError::AlreadyRaised.code() =>
            {
                return Ok(0);
            }
            Err(e) => return Err(e),
        }
    }
    // Each later event keyed by its place in the row's plan, as the raise is by the problem's id: two imports
    // of the file at once (or one that read `done` before the other wrote) write each event once, the
    // second answered from the first's (the keyed command's check runs behind the aggregate's queue).
    for (n, action) in plan.later.iter().enumerate().skip(done.saturating_sub(1)) {
        let command = IssueCommand { now, action: action.clone() };
        let mut metadata = caller.metadata();
        metadata.insert(crate::command::IDEMPOTENCY_KEY.to_owned(), format!("import:{}", n + 2));
        let committed = state.command::<Issue>(plan.id.clone(), command, metadata, None).await?;
        written += usize::from(!committed.replayed);
    }
    Ok(written)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Row numbers as ranges (`3–5, 9`).
fn summarise(rows: &[u32]) -> String {
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let start = rows[i];
        while i + 1 < rows.len() && rows[i + 1] == rows[i] + 1 {
            i += 1;
        }
        out.push(if rows[i] == start { start.to_string() } else { format!("{start}–{}", rows[i]) });
        i += 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_run_as_in_a_spreadsheet() {
        assert_eq!(letter(0), "A");
        assert_eq!(letter(25), "Z");
        assert_eq!(letter(26), "AA");
        assert_eq!(letter(27), "AB");
        assert_eq!(letter(701), "ZZ");
        assert_eq!(letter(702), "AAA");
    }

    #[test]
    fn rows_are_summarised_as_ranges() {
        assert_eq!(summarise(&[9, 3, 4, 5, 5]), "3–5, 9");
    }

    #[test]
    fn thai_in_tis_620_is_recognised() {
        let (bytes, _, _) = encoding_rs::WINDOWS_874.encode("พื้นที่,วันที่,เรื่อง");
        assert!(std::str::from_utf8(&bytes).is_err());
        assert!(looks_thai_874(&bytes));
    }
}
