//! Exports for reports: the issue list and the resolution statistics as CSV or XLSX files. An issue export
//! holds personal data only when asked for (`personal=include`, with a reason) by a role that reads it.
//!
//! An export answers exactly what its JSON endpoint answers: the query is checked by the same parser
//! ([`ListParams::parse`], [`stats::parse_query`]), so filters, `as_of`, validation errors and the
//! caller's area scope cannot drift apart. The issue export ignores `limit` and `cursor` and walks every
//! page with the keyset cursor instead. Every export is recorded in the access log before any data is read.
//!
//! What bounds memory:
//! - CSV of the live list: one page of [`PAGE`] issues at a time. The first page is read before the
//!   answer starts (so a failing database is still a clean 500); each later page is read when hyper asks
//!   for more body, so a slow client slows the reads instead of filling a buffer. Pages are separate
//!   reads, not one transaction: an issue changed mid-export shows its state when its page was read.
//! - XLSX: the same pages go through a channel holding at most two pages to a blocking thread that
//!   writes them with rust_xlsxwriter's constant-memory mode (each row is flushed to a temporary file;
//!   strings are written inline, with no shared-string table growing with the sheet). The finished
//!   workbook is zipped into another anonymous temporary file and streamed from disk in 64 KiB chunks.
//!   Memory is a few pages plus the zip writer's buffers; disk holds about twice the file size for the
//!   duration of the request, and the anonymous files vanish when closed, even if the client leaves.
//! - `as_of` exports first fold the log as it stood into temporary tables on a connection of their own
//!   (`santisuk_projections::as_of`: one page of events and one issue in memory at a time), then read
//!   pages from them exactly as the live export does. Statistics rows are groups, not issues: small.

use std::collections::BTreeMap;
use std::io::Seek;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Router};
use chrono::{Datelike, NaiveDate, Timelike};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use rust_xlsxwriter::{Format, Workbook};
use santisuk_app::issues::{self, IssueRow};
use santisuk_app::parse::parse_ts;
use santisuk_app::privacy::{self, ExportPersonal, PersonView};
use santisuk_app::stats::{Counters, GroupBy, Stats};
use santisuk_domain::personal::ERASED;
use santisuk_domain::time::{bangkok, bangkok_date};
use santisuk_domain::values::Outcome;
use serde::Deserialize;
use tokio::io::AsyncReadExt;
use utoipa::{IntoParams, ToSchema};

use super::issues::{ListParams, ListQuery};
use super::stats::{self, ResolutionQuery};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::extract::AppQuery;
use crate::state::{AppState, now};
use santisuk_app::parse::clip;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/issues/export", get(issues_export))
        .route("/api/stats/resolution/export", get(stats_export))
        .route("/api/reports/progress/export", get(progress_export))
}

pub use santisuk_app::issues::EXPORT_PAGE as PAGE;

/// Pages sent ahead to the XLSX writer thread: enough to overlap reading and writing, no more.
const XLSX_PAGES_IN_FLIGHT: usize = 2;

/// The last data row a worksheet can hold (Excel's limit is 1,048,576 rows, one is the header).
const XLSX_MAX_ROWS: u32 = 1_048_575;

const CSV_TYPE: &str = "text/csv; charset=utf-8";
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The export's own parameters; every other parameter is the JSON endpoint's.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (default; UTF-8 with a byte-order mark, so Excel shows Thai) or `xlsx`.
    #[param(value_type = Option<FileFormat>, inline)]
    pub format: Option<String>,
    /// Column headers: `th` (default) or `en`.
    #[param(value_type = Option<Lang>, inline)]
    pub lang: Option<String>,
    /// `iso` (default: dates and instants as the JSON has them) or `be` (Buddhist Era, `dd/mm/yyyy`;
    /// instants as Asia/Bangkok local time).
    #[param(value_type = Option<Dates>, inline)]
    pub dates: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "lowercase")]
enum FileFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "lowercase")]
enum Lang {
    Th,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "lowercase")]
enum Dates {
    Iso,
    Be,
}

#[derive(Debug, Clone, Copy)]
struct Options {
    format: FileFormat,
    lang: Lang,
    dates: Dates,
}

impl Options {
    fn parse(q: &ExportQuery) -> Result<Options, ApiError> {
        let format = match q.format.as_deref() {
            None | Some("csv") => FileFormat::Csv,
            Some("xlsx") => FileFormat::Xlsx,
            Some(other) => {
                return Err(ApiError::invalid(
                    "bad_format",
                    format!("format must be csv or xlsx (got {:?})", clip(other)),
                ));
            }
        };
        let lang = match q.lang.as_deref() {
            None | Some("th") => Lang::Th,
            Some("en") => Lang::En,
            Some(other) => {
                return Err(ApiError::invalid("bad_lang", format!("lang must be th or en (got {:?})", clip(other))));
            }
        };
        let dates = match q.dates.as_deref() {
            None | Some("iso") => Dates::Iso,
            Some("be") => Dates::Be,
            Some(other) => {
                return Err(ApiError::invalid("bad_dates", format!("dates must be iso or be (got {:?})", clip(other))));
            }
        };
        Ok(Options { format, lang, dates })
    }
}

// --- handlers -------------------------------------------------------------------------------------------

/// An XLSX file's bytes, as the document describes them.
#[derive(Debug)]
pub struct Spreadsheet;

impl utoipa::PartialSchema for Spreadsheet {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let binary = utoipa::openapi::schema::SchemaFormat::KnownFormat(utoipa::openapi::schema::KnownFormat::Binary);
        utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::String).format(Some(binary)).into()
    }
}

impl ToSchema for Spreadsheet {}

/// The issue list's filters: [`ListQuery`] without its page (`limit`, `cursor`), since the export walks
/// every page itself.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportFilters {
    /// Only the issues of this area.
    #[param(value_type = Option<santisuk_app::schema::Filter>, inline)]
    pub area_id: Option<String>,
    /// Only the issues of this category (its code).
    #[param(value_type = Option<santisuk_app::schema::Filter>, inline)]
    pub category: Option<String>,
    /// `raised`, `assigned`, `addressed` or `closed`.
    #[param(value_type = Option<santisuk_app::schema::IssueStatus>, inline)]
    pub status: Option<String>,
    /// Only the issues assigned to exactly this name.
    #[param(value_type = Option<santisuk_app::schema::Filter>, inline)]
    pub assignee: Option<String>,
    /// Only the issues of areas in this district.
    #[param(value_type = Option<santisuk_app::schema::Filter>, inline)]
    pub amphoe_code: Option<String>,
    /// Only the issues of areas in this province.
    #[param(value_type = Option<santisuk_app::schema::Filter>, inline)]
    pub province_code: Option<String>,
    /// `true`: only open issues past their due date.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// RFC 3339: the list as the log stood at this recorded instant (not in the future).
    #[param(format = DateTime)]
    pub as_of: Option<String>,
    /// Search, as in the list (`q`): the export holds what the search finds, best matches first.
    #[param(value_type = Option<santisuk_app::schema::Search>, inline)]
    pub q: Option<String>,
    /// First day of the raise date (inclusive, Asia/Bangkok), as in the list.
    #[param(format = Date)]
    pub raised_from: Option<String>,
    /// Last day of the raise date (inclusive, Asia/Bangkok), as in the list.
    #[param(format = Date)]
    pub raised_to: Option<String>,
    /// Thai fiscal year of the raise (Buddhist Era), as in the list.
    #[param(value_type = Option<i32>, minimum = 2500, maximum = 2700)]
    pub fiscal_year: Option<String>,
    /// `true`: only issues not closed, as in the list.
    #[param(value_type = Option<bool>)]
    pub open: Option<String>,
    /// Only issues closed with this outcome, as in the list.
    #[param(value_type = Option<santisuk_app::schema::Outcome>, inline)]
    pub outcome: Option<String>,
    /// First day of closing (inclusive, Asia/Bangkok), as in the list.
    #[param(format = Date)]
    pub closed_from: Option<String>,
    /// Last day of closing (inclusive, Asia/Bangkok), as in the list.
    #[param(format = Date)]
    pub closed_to: Option<String>,
}

impl From<ExportFilters> for ListQuery {
    fn from(f: ExportFilters) -> ListQuery {
        // Every field named: a filter added to the list does not go unnoticed here.
        let ExportFilters {
            area_id,
            category,
            status,
            assignee,
            amphoe_code,
            province_code,
            overdue,
            as_of,
            q,
            raised_from,
            raised_to,
            fiscal_year,
            open,
            outcome,
            closed_from,
            closed_to,
        } = f;
        ListQuery {
            area_id,
            category,
            status,
            assignee,
            amphoe_code,
            province_code,
            overdue,
            limit: None,
            cursor: None,
            as_of,
            q,
            raised_from,
            raised_to,
            fiscal_year,
            open,
            outcome,
            closed_from,
            closed_to,
            escalated: None,
        }
    }
}

/// Whether an issue export holds personal data (see [`santisuk_app::privacy::export_personal`]).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonalQuery {
    /// `exclude` (default): no complainant, and neither the description nor `raised_by` (free text that
    /// identifies people). `include`: those columns too, plus the complainant's name, phone, address,
    /// national id and contact notes (blank for an anonymous problem, `[erased]` for an erased person).
    /// Administrators, staff and coordinators (their own areas) only; needs `reason`.
    #[param(value_type = Option<PersonalColumns>, inline)]
    pub personal: Option<String>,
    /// Why personal data is exported (one line, at most 500 characters, itself without personal data):
    /// recorded in the access log with the rest of the query. Required with `personal=include`.
    #[param(value_type = Option<santisuk_app::schema::ExportReason>, inline)]
    pub reason: Option<String>,
}

/// The values of `personal`, for the OpenAPI document (the application parses the text itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(rename_all = "lowercase")]
#[expect(dead_code, reason = "only describes the parameter's values")]
enum PersonalColumns {
    Exclude,
    Include,
}

/// The issue list as a file: every issue `GET /api/issues` would list for the same filters (all pages).
/// Without `personal=include` the file has no personal data: no complainant, and neither the description
/// nor `raised_by`. With it (and a `reason`), those columns keep the places they had in earlier exports and
/// the complainant's follow at the end; the access log records the query, reason included.
#[utoipa::path(get, path = "/api/issues/export", tag = "exports", params(ExportQuery, PersonalQuery, ExportFilters),
    security(("bearer" = [])),
    responses((status = 200, description = "the file, as an attachment",
            content((String = "text/csv"), (Spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, description = "`personal=include` by a role that does not read personal data (auditors)", body = crate::error::ErrorBody),
        (status = 422, description = "an invalid filter, `as_of`, format, language or date style; `personal` other than include or exclude; include without a `reason` (`reason_required`); a blank or too long reason (`bad_reason`)", body = crate::error::ErrorBody)))]
pub async fn issues_export(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(raw): AppQuery<BTreeMap<String, String>>,
    AppQuery(export): AppQuery<ExportQuery>,
    AppQuery(personal): AppQuery<PersonalQuery>,
    AppQuery(filters): AppQuery<ExportFilters>,
) -> Result<Response, ApiError> {
    let now = now();
    let params = ListParams::parse(filters.into(), &ctx, now)?;
    let opts = Options::parse(&export)?;
    let include = privacy::export_personal(&ctx, personal.personal.as_deref(), personal.reason.as_deref())?
        == ExportPersonal::Include;
    log_export(&state, &ctx, "issues_export", &raw).await?;
    let dates = opts.dates;
    let people_state = state.clone();
    let rows = issues::all_pages(&state, params)
        .await?
        .and_then(move |page| {
            let state = people_state.clone();
            async move {
                if !include {
                    return Ok(page.iter().map(|r| issue_cells(r, dates, None)).collect());
                }
                let people = privacy::complainants_of_rows(&state, &page).await?;
                Ok(page.iter().map(|r| issue_cells(r, dates, Some(people.get(&r.id)))).collect())
            }
        })
        .map_err(ApiError::from)
        .boxed();
    let columns = issue_columns(include);
    let name = format!("issues-{}", bangkok_date(now));
    match opts.format {
        FileFormat::Csv => Ok(csv_response(&name, &columns, opts.lang, rows)),
        FileFormat::Xlsx => {
            xlsx_response(&name, sheet_name(opts.lang, "เรื่อง", "Issues"), &columns, opts.lang, rows).await
        }
    }
}

/// Resolution statistics as a file: the rows `GET /api/stats/resolution` gives for the same query, then
/// a totals row.
///
/// Restricted cases the caller may not read count as in `GET /api/stats/resolution`: only in groups holding
/// at least the server's small-cell threshold of them (default 5).
#[utoipa::path(get, path = "/api/stats/resolution/export", tag = "exports", params(ExportQuery, ResolutionQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "the file, as an attachment",
            content((String = "text/csv"), (Spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, description = "an invalid grouping, date, window, fiscal year, `as_of`, format, language or date style", body = crate::error::ErrorBody)))]
pub async fn stats_export(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(raw): AppQuery<BTreeMap<String, String>>,
    AppQuery(export): AppQuery<ExportQuery>,
    AppQuery(q): AppQuery<ResolutionQuery>,
) -> Result<Response, ApiError> {
    let now = now();
    let (query, as_of) = stats::parse_query(&state, q, &ctx, now)?;
    let opts = Options::parse(&export)?;
    log_export(&state, &ctx, "stats_export", &raw).await?;
    let result = santisuk_app::stats::resolution(&state, &query, as_of).await?;
    let columns = stats_columns(&query.by);
    let cells = stats_cells(&result, &query.by, opts);
    let rows = stream::once(async move { Ok::<_, ApiError>(cells) }).boxed();
    let name = format!("resolution-{}", bangkok_date(now));
    match opts.format {
        FileFormat::Csv => Ok(csv_response(&name, &columns, opts.lang, rows)),
        FileFormat::Xlsx => {
            xlsx_response(&name, sheet_name(opts.lang, "สถิติการแก้ไข", "Resolution"), &columns, opts.lang, rows).await
        }
    }
}

/// The statistics of a query the web dashboard built (already narrowed to what its page shows) as a file,
/// with the same columns, cells and access-log entry as [`stats_export`]: the page's download of what is on
/// screen.
pub(crate) async fn stats_file(
    state: &AppState,
    ctx: &Ctx,
    raw: &BTreeMap<String, String>,
    query: &santisuk_app::stats::StatsQuery,
    export: &ExportQuery,
) -> Result<Response, ApiError> {
    let opts = Options::parse(export)?;
    log_export(state, ctx, "stats_export", raw).await?;
    let result = santisuk_app::stats::live(state, ctx, query).await?;
    let columns = stats_columns(&query.by);
    let cells = stats_cells(&result, &query.by, opts);
    let rows = stream::once(async move { Ok::<_, ApiError>(cells) }).boxed();
    let name = format!("resolution-{}", bangkok_date(now()));
    match opts.format {
        FileFormat::Csv => Ok(csv_response(&name, &columns, opts.lang, rows)),
        FileFormat::Xlsx => {
            xlsx_response(&name, sheet_name(opts.lang, "สถิติการแก้ไข", "Resolution"), &columns, opts.lang, rows).await
        }
    }
}

/// The progress report as a file: one row per area (or target area, with `roll_up=target`) as
/// `GET /api/reports/progress` gives them, a totals row, then one row per coordinator with their obstacles.
/// The first column says which kind of row it is.
#[utoipa::path(get, path = "/api/reports/progress/export", tag = "exports", operation_id = "progress_export",
    params(ExportQuery, santisuk_app::progress::ProgressParams),
    security(("bearer" = [])),
    responses((status = 200, description = "the file, as an attachment",
            content((String = "text/csv"), (Spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 422, description = "a bad period, scope, `quiet_days`, `roll_up`, `as_of`, format, language or date style",
            body = crate::error::ErrorBody)))]
pub async fn progress_export(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(raw): AppQuery<BTreeMap<String, String>>,
    AppQuery(export): AppQuery<ExportQuery>,
    AppQuery(q): AppQuery<santisuk_app::progress::ProgressParams>,
) -> Result<Response, ApiError> {
    progress_file(&state, &ctx, &raw, &q, &export).await
}

/// The progress report as a file, for the API and the web page's downloads alike (same checks, same
/// access-log entry, same cells).
pub(crate) async fn progress_file(
    state: &AppState,
    ctx: &Ctx,
    raw: &BTreeMap<String, String>,
    q: &santisuk_app::progress::ProgressParams,
    export: &ExportQuery,
) -> Result<Response, ApiError> {
    let req = santisuk_app::progress::parse_request(state, ctx, q, now()).await?;
    let opts = Options::parse(export)?;
    log_export(state, ctx, "progress_export", raw).await?;
    let report = santisuk_app::progress::report(state, &req).await?;
    let cells = progress_cells(&report, opts);
    let rows = stream::once(async move { Ok::<_, ApiError>(cells) }).boxed();
    let name = format!("progress-{}", santisuk_app::progress::period_label(q, &req.query).replace("..", "_"));
    match opts.format {
        FileFormat::Csv => Ok(csv_response(&name, &PROGRESS_COLUMNS, opts.lang, rows)),
        FileFormat::Xlsx => {
            xlsx_response(
                &name,
                sheet_name(opts.lang, "รายงานความก้าวหน้า", "Progress"),
                &PROGRESS_COLUMNS,
                opts.lang,
                rows,
            )
            .await
        }
    }
}

/// Records who exported what, with the query as sent, before anything is read.
async fn log_export(state: &AppState, ctx: &Ctx, action: &str, raw: &BTreeMap<String, String>) -> Result<(), ApiError> {
    let filters = serde_json::to_value(raw).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(ctx.record_read(state, action, None, filters).await?)
}

// --- columns and cells ----------------------------------------------------------------------------------

/// One column: its Thai and English header and its XLSX width (in characters).
#[derive(Debug, Clone, Copy)]
struct Column {
    th: &'static str,
    en: &'static str,
    width: f64,
}

impl Column {
    const fn new(th: &'static str, en: &'static str, width: f64) -> Column {
        Column { th, en, width }
    }

    fn header(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Th => self.th,
            Lang::En => self.en,
        }
    }
}

/// One cell, typed so XLSX gets numbers as numbers and CSV gets plain text.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Text(String),
    Count(i64),
    /// A fraction (0.5 = 50 %), shown with a percent format in XLSX.
    Rate(f64),
    /// A number of days, one decimal in XLSX.
    Days(f64),
    Flag(bool),
}

impl Cell {
    fn text(value: Option<String>) -> Cell {
        value.map_or(Cell::Empty, Cell::Text)
    }
}

/// The issue columns in the order earlier exports had them; `true` marks the free texts that identify
/// people, left out unless the export includes personal data.
const ISSUE_COLUMNS: [(Column, bool); 15] = [
    (Column::new("รหัสเรื่อง", "Issue ID", 38.0), false),
    (Column::new("พื้นที่", "Area", 12.0), false),
    (Column::new("ประเภทปัญหา", "Category", 10.0), false),
    (Column::new("หัวเรื่อง", "Title", 40.0), false),
    (Column::new("รายละเอียด", "Description", 50.0), true),
    (Column::new("เวที", "Forum", 38.0), false),
    (Column::new("ผู้เสนอ", "Raised by", 20.0), true),
    (Column::new("สถานะ", "Status", 10.0), false),
    (Column::new("ผู้รับผิดชอบ", "Assignee", 24.0), false),
    (Column::new("กำหนดเสร็จ", "Due on", 12.0), false),
    (Column::new("ผลการดำเนินการ", "Outcome", 12.0), false),
    (Column::new("วันที่รับเรื่อง", "Raised at", 28.0), false),
    (Column::new("วันที่ปิดเรื่อง", "Closed at", 28.0), false),
    (Column::new("ฉบับที่", "Version", 8.0), false),
    // Last, so that the columns of earlier exports keep their places in the sheets people built on them.
    (Column::new("เลขที่เรื่อง", "Case number", 16.0), false),
];

/// The complainant's record, after every other column of an export that includes personal data.
const COMPLAINANT_COLUMNS: [Column; 5] = [
    Column::new("ชื่อผู้ร้องเรียน", "Complainant name", 24.0),
    Column::new("โทรศัพท์ผู้ร้องเรียน", "Complainant phone", 14.0),
    Column::new("ที่อยู่ผู้ร้องเรียน", "Complainant address", 40.0),
    Column::new("เลขประจำตัวประชาชนผู้ร้องเรียน", "Complainant national ID", 16.0),
    Column::new("หมายเหตุการติดต่อ", "Complainant contact notes", 40.0),
];

/// The columns of an issue export, with or without personal data.
fn issue_columns(include_personal: bool) -> Vec<Column> {
    let base = ISSUE_COLUMNS.iter().filter(|(_, personal)| include_personal || !personal).map(|(c, _)| *c);
    let complainant = COMPLAINANT_COLUMNS.iter().copied().filter(|_| include_personal);
    base.chain(complainant).collect()
}

/// An issue's cells, in [`issue_columns`] order: the fields of the JSON list's `IssueView`, and with
/// `personal` (`Some`, holding the complainant if the problem names one) the personal columns too.
fn issue_cells(r: &IssueRow, dates: Dates, personal: Option<Option<&PersonView>>) -> Vec<Cell> {
    let all = [
        Cell::Text(r.id.clone()),
        Cell::Text(r.area_id.clone()),
        Cell::Text(r.category.clone()),
        Cell::Text(r.title.clone()),
        Cell::text(r.description.clone()),
        Cell::text(r.forum_id.clone()),
        Cell::text(r.raised_by.clone()),
        Cell::Text(r.status.as_str().to_owned()),
        Cell::text(r.assignee.clone()),
        Cell::text(r.due_on.as_deref().map(|d| date(d, dates))),
        Cell::text(r.outcome.clone()),
        Cell::Text(instant(&r.raised_at, dates)),
        Cell::text(r.closed_at.as_deref().map(|t| instant(t, dates))),
        Cell::Count(r.version),
        Cell::text(r.case_number.clone()),
    ];
    let include = personal.is_some();
    let mut cells: Vec<Cell> =
        all.into_iter().zip(&ISSUE_COLUMNS).filter(|(_, (_, p))| include || !p).map(|(c, _)| c).collect();
    if let Some(person) = personal {
        cells.extend(complainant_cells(person));
    }
    cells
}

/// The complainant's cells: blank for a problem raised anonymously (or for a group), the marker in each
/// for a person whose data was erased.
fn complainant_cells(person: Option<&PersonView>) -> [Cell; 5] {
    match person {
        None => std::array::from_fn(|_| Cell::Empty),
        Some(p) if p.erased => std::array::from_fn(|_| Cell::Text(ERASED.to_owned())),
        Some(p) => [
            Cell::text(p.name.clone()),
            Cell::text(p.phone.clone()),
            Cell::text(p.address.clone()),
            Cell::text(p.national_id.clone()),
            Cell::text(p.notes.clone()),
        ],
    }
}

fn group_column(g: GroupBy) -> Column {
    match g {
        GroupBy::Area => Column::new("พื้นที่", "Area", 12.0),
        GroupBy::Category => Column::new("ประเภทปัญหา", "Category", 10.0),
        GroupBy::Amphoe => Column::new("อำเภอ (รหัส)", "District code", 12.0),
        GroupBy::Province => Column::new("จังหวัด (รหัส)", "Province code", 12.0),
        GroupBy::Forum => Column::new("เวที", "Forum", 38.0),
        GroupBy::Month => Column::new("เดือน", "Month", 10.0),
        GroupBy::FiscalYear => Column::new("ปีงบประมาณ (พ.ศ.)", "Fiscal year (BE)", 12.0),
        GroupBy::Agency => Column::new("หน่วยงาน (รหัส)", "Agency id", 38.0),
    }
}

/// The outcomes counted as "closed, not resolved", in the order of their columns.
fn unresolved_outcomes() -> impl Iterator<Item = Outcome> {
    Outcome::ALL.into_iter().filter(|o| *o != Outcome::Resolved)
}

fn outcome_column(o: Outcome) -> Column {
    match o {
        Outcome::Unresolved => Column::new("ผล: แก้ไขไม่ได้", "Outcome: unresolved", 12.0),
        Outcome::Referred => Column::new("ผล: ส่งต่อหน่วยงานอื่น", "Outcome: referred", 12.0),
        Outcome::Duplicate => Column::new("ผล: เรื่องซ้ำ", "Outcome: duplicate", 12.0),
        Outcome::Withdrawn => Column::new("ผล: ถอนเรื่อง", "Outcome: withdrawn", 12.0),
        Outcome::Resolved => Column::new("ผล: แก้ไขได้", "Outcome: resolved", 12.0),
    }
}

fn stats_columns(by: &[GroupBy]) -> Vec<Column> {
    let mut columns: Vec<Column> = by.iter().map(|g| group_column(*g)).collect();
    columns.extend([
        Column::new("จำนวนเรื่อง", "Raised", 10.0),
        Column::new("ปิดแล้ว", "Closed", 10.0),
        Column::new("แก้ไขได้", "Resolved", 10.0),
        Column::new("ปิดโดยไม่ได้แก้ไข", "Closed unresolved", 12.0),
    ]);
    columns.extend(unresolved_outcomes().map(outcome_column));
    columns.extend([
        Column::new("ยังไม่ปิด", "Open", 10.0),
        Column::new("เกินกำหนด", "Overdue", 10.0),
        Column::new("อัตราการแก้ไข", "Resolution rate", 12.0),
        Column::new("อัตราการปิดเรื่อง", "Closure rate", 12.0),
        Column::new("มัธยฐานวันที่ใช้แก้ไข", "Median days to resolve", 12.0),
        Column::new("เปอร์เซ็นไทล์ 90 ของวันที่ใช้แก้ไข", "P90 days to resolve", 12.0),
        Column::new("ตัวอย่างน้อย", "Small sample", 10.0),
        // Issue #17: how often the problems were raised (duplicates included), and the community's verdict.
        Column::new("จำนวนครั้งที่ยกขึ้นมา", "Times raised", 10.0),
        Column::new("ชุมชนยืนยันว่าแก้ไขได้", "Confirmed by the community", 12.0),
        Column::new("อัตราการแก้ไขที่ชุมชนยืนยัน", "Confirmed resolution rate", 12.0),
    ]);
    columns
}

/// The statistics rows in the JSON's order, then one totals row.
fn stats_cells(stats: &Stats, by: &[GroupBy], opts: Options) -> Vec<Vec<Cell>> {
    let mut rows: Vec<Vec<Cell>> = stats
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<Cell> = by
                .iter()
                .map(|g| {
                    let value = row.keys.get(g.names().1).cloned().flatten();
                    Cell::text(match g {
                        GroupBy::Month => value.map(|m| month(&m, opts.dates)),
                        _ => value,
                    })
                })
                .collect();
            cells.extend(counter_cells(&row.counters));
            cells
        })
        .collect();
    let total = match opts.lang {
        Lang::Th => "รวม",
        Lang::En => "Total",
    };
    let mut totals: Vec<Cell> =
        (0..by.len()).map(|i| if i == 0 { Cell::Text(total.into()) } else { Cell::Empty }).collect();
    totals.extend(counter_cells(&stats.totals));
    rows.push(totals);
    rows
}

fn counter_cells(c: &Counters) -> Vec<Cell> {
    let mut cells =
        vec![Cell::Count(c.raised), Cell::Count(c.closed), Cell::Count(c.resolved), Cell::Count(c.unresolved)];
    cells.extend(
        unresolved_outcomes().map(|o| Cell::Count(c.unresolved_by_outcome.get(o.as_str()).copied().unwrap_or(0))),
    );
    cells.extend([
        Cell::Count(c.open),
        Cell::Count(c.overdue),
        c.resolution_rate.map_or(Cell::Empty, Cell::Rate),
        c.closure_rate.map_or(Cell::Empty, Cell::Rate),
        c.median_days_to_resolve.map_or(Cell::Empty, Cell::Days),
        c.p90_days_to_resolve.map_or(Cell::Empty, Cell::Days),
        Cell::Flag(c.small_sample),
        Cell::Count(c.times_raised),
        Cell::Count(c.confirmed),
        c.confirmed_rate.map_or(Cell::Empty, Cell::Rate),
    ]);
    cells
}

/// The progress report's columns: the row's kind and who it is, then the figures, then the obstacles.
const PROGRESS_COLUMNS: [Column; 29] = [
    Column::new("แถว", "Row", 12.0),
    Column::new("รหัส", "ID", 14.0),
    Column::new("ชื่อ", "Name", 30.0),
    Column::new("พื้นที่เป้าหมาย", "Target area", 10.0),
    Column::new("ขยายผลจาก", "Reached from", 12.0),
    Column::new("วันที่ขยายผล", "Reached on", 12.0),
    Column::new("พื้นที่ที่รวม", "Areas", 24.0),
    Column::new("เวทีที่จัด", "Forums held", 10.0),
    Column::new("จำนวนผู้เข้าร่วม (นับรวม)", "Head count", 10.0),
    Column::new("เวทีที่บันทึกผู้เข้าร่วม", "Forums with participation", 10.0),
    Column::new("เวทีที่ไม่ได้บันทึก", "Forums not recorded", 10.0),
    Column::new("เจ้าหน้าที่ ศอ.บต.", "SBPAC staff", 10.0),
    Column::new("ผู้ประสานงาน", "Coordinators", 10.0),
    Column::new("ผู้นำชุมชน", "Community leaders", 10.0),
    Column::new("ชาวบ้าน", "Villagers", 10.0),
    Column::new("ชาวบ้านหญิง", "Villagers (women)", 10.0),
    Column::new("ชาวบ้านชาย", "Villagers (men)", 10.0),
    Column::new("ผู้เข้าร่วมรวม", "Participants", 10.0),
    Column::new("องค์กรที่ร่วม", "Organisations engaged", 10.0),
    Column::new("ปัญหาที่เสนอ", "Problems raised", 10.0),
    Column::new("ปัญหาที่แก้ไขแล้ว", "Problems resolved", 10.0),
    Column::new("ปัญหาที่ค้าง", "Problems open", 10.0),
    Column::new("ความเห็นของชุมชน", "Community verdicts", 14.0),
    Column::new("เวทีล่าสุด", "Last forum", 12.0),
    Column::new("วันนับจากเวทีล่าสุด", "Days since last forum", 10.0),
    Column::new("ขาดเวทีนานเกินกำหนด", "Quiet", 10.0),
    Column::new("อุปสรรคที่แจ้ง", "Obstacles raised", 10.0),
    Column::new("อุปสรรคที่แก้แล้ว", "Obstacles resolved", 10.0),
    Column::new("อุปสรรคที่ค้าง", "Obstacles open", 10.0),
];

/// The report's rows in [`PROGRESS_COLUMNS`] order: areas, the totals, then coordinators.
fn progress_cells(report: &santisuk_app::progress::Progress, opts: Options) -> Vec<Vec<Cell>> {
    use santisuk_app::progress::Figures;
    let label = |th: &str, en: &str| {
        Cell::Text(match opts.lang {
            Lang::Th => th.to_owned(),
            Lang::En => en.to_owned(),
        })
    };
    let not_recorded = label("ไม่ได้บันทึก", "not recorded");
    let figures = |f: &Figures| -> Vec<Cell> {
        let p = &f.participants;
        vec![
            Cell::Count(f.forums_held),
            Cell::Count(f.head_count),
            Cell::Count(p.forums_recorded),
            Cell::Count(p.forums_not_recorded),
            Cell::Count(p.sbpac_staff),
            Cell::Count(p.coordinators),
            Cell::Count(p.leaders),
            Cell::Count(p.villagers),
            Cell::Count(p.villagers_women),
            Cell::Count(p.villagers_men),
            Cell::Count(p.total),
            Cell::Count(f.organisations_engaged),
            Cell::Count(f.problems_raised),
            Cell::Count(f.problems_resolved),
            Cell::Count(f.problems_open),
            // The verdicts given at the period's forums (issue #17 §6); "not recorded" when none was.
            crate::web::progress::verdict_counts(
                match opts.lang {
                    Lang::Th => crate::web::Lang::Th,
                    Lang::En => crate::web::Lang::En,
                },
                f.verdicts.as_ref(),
            )
            .map_or_else(|| not_recorded.clone(), Cell::Text),
            Cell::text(f.last_forum_on.as_deref().map(|d| date(d, opts.dates))),
            f.days_since_last_forum.map_or(Cell::Empty, Cell::Count),
            Cell::Flag(f.quiet),
        ]
    };
    let mut rows = Vec::new();
    for r in &report.rows {
        let mut cells = vec![
            label("พื้นที่", "area"),
            Cell::Text(r.area_id.clone()),
            Cell::Text(match opts.lang {
                Lang::Th => r.name_th.clone(),
                Lang::En => r.name_en.clone().unwrap_or_else(|| r.name_th.clone()),
            }),
            Cell::Flag(r.target_area),
            Cell::text(r.reached_from.clone()),
            Cell::text(r.reached_on.as_deref().map(|d| date(d, opts.dates))),
            Cell::Text(r.areas.join(" ")),
        ];
        cells.extend(figures(&r.figures));
        cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
        rows.push(cells);
    }
    let mut totals = vec![label("รวม", "total")];
    totals.extend((0..6).map(|_| Cell::Empty));
    totals.extend(figures(&report.totals));
    totals.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
    rows.push(totals);
    for c in &report.coordinators {
        let mut cells = vec![
            label("ผู้ประสานงาน", "coordinator"),
            Cell::Text(c.user_id.clone()),
            Cell::Text(c.name.clone()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Text(c.areas.join(" ")),
        ];
        cells.extend(figures(&c.figures));
        cells.extend([
            Cell::Count(c.obstacles.raised),
            Cell::Count(c.obstacles.resolved),
            Cell::Count(c.obstacles.open),
        ]);
        rows.push(cells);
    }
    rows
}

// --- dates ----------------------------------------------------------------------------------------------

fn be_date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), d.year() + 543)
}

/// A stored `YYYY-MM-DD` date. Stored values are always well-formed; anything else is passed through.
fn date(text: &str, dates: Dates) -> String {
    match (dates, text.parse::<NaiveDate>()) {
        (Dates::Be, Ok(d)) => be_date(d),
        _ => text.to_owned(),
    }
}

/// A stored RFC 3339 UTC instant; in the Buddhist Era as Asia/Bangkok wall-clock time, to the second.
fn instant(text: &str, dates: Dates) -> String {
    match (dates, parse_ts(text)) {
        (Dates::Be, Ok(t)) => {
            let local = t.with_timezone(&bangkok());
            format!("{} {:02}:{:02}:{:02}", be_date(local.date_naive()), local.hour(), local.minute(), local.second())
        }
        _ => text.to_owned(),
    }
}

/// A statistics month `YYYY-MM`; `mm/yyyy` in the Buddhist Era.
fn month(text: &str, dates: Dates) -> String {
    match (dates, text.split_once('-').and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m)))) {
        (Dates::Be, Some((year, m))) => format!("{m}/{}", year + 543),
        _ => text.to_owned(),
    }
}

// --- CSV ------------------------------------------------------------------------------------------------

/// Cells a spreadsheet would run as a formula when the CSV is opened ("CSV injection"): free text typed
/// in the field must never become one, so it gets a leading apostrophe, as OWASP advises.
fn defuse(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}").into() } else { text.into() }
}

fn csv_field(cell: &Cell, lang: Lang) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => defuse(t).into_owned(),
        Cell::Count(n) => n.to_string(),
        // Shortest text that reads back as the same number: the CSV agrees with the JSON exactly.
        Cell::Rate(x) | Cell::Days(x) => x.to_string(),
        Cell::Flag(b) => match (lang, b) {
            (Lang::Th, true) => "ใช่",
            (Lang::Th, false) => "ไม่ใช่",
            (Lang::En, true) => "yes",
            (Lang::En, false) => "no",
        }
        .to_owned(),
    }
}

/// Encodes rows as CSV (RFC 4180: CRLF, quoting as needed), after `prefix` (the BOM and header line).
fn csv_chunk<'a>(prefix: &[u8], rows: impl IntoIterator<Item = &'a [String]>) -> Result<Bytes, BoxError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(prefix.to_vec());
    for row in rows {
        w.write_record(row)?;
    }
    Ok(Bytes::from(w.into_inner().map_err(|e| e.into_error())?))
}

fn csv_response(
    name: &str,
    columns: &[Column],
    lang: Lang,
    rows: BoxStream<'static, Result<Vec<Vec<Cell>>, ApiError>>,
) -> Response {
    let header: Vec<String> = columns.iter().map(|c| c.header(lang).to_owned()).collect();
    // Excel reads a BOM-less CSV in the local code page and garbles Thai.
    let head = csv_chunk("\u{feff}".as_bytes(), [header.as_slice()]);
    let body = stream::once(async { head }).chain(rows.map(move |page| {
        let page = page.map_err(|e| BoxError::from(format!("{e:?}")))?;
        let fields: Vec<Vec<String>> =
            page.iter().map(|row| row.iter().map(|c| csv_field(c, lang)).collect()).collect();
        csv_chunk(b"", fields.iter().map(Vec::as_slice))
    }));
    // Headers are already sent when a later page fails: all that is left is to log it and cut the body
    // short, which the client sees as a failed download rather than a silently short file.
    let body = body.inspect_err(|e| tracing::error!(error = %e, "export failed mid-stream"));
    file_response(name, "csv", CSV_TYPE, None, Body::from_stream(body))
}

// --- XLSX -----------------------------------------------------------------------------------------------

fn sheet_name(lang: Lang, th: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Th => th,
        Lang::En => en,
    }
}

async fn xlsx_response(
    name: &str,
    sheet: &'static str,
    columns: &[Column],
    lang: Lang,
    rows: BoxStream<'static, Result<Vec<Vec<Cell>>, ApiError>>,
) -> Result<Response, ApiError> {
    let file = xlsx_file(sheet, columns.to_vec(), lang, rows).await?;
    let len = file.metadata().map_err(|e| ApiError::internal(format!("export file: {e}")))?.len();
    let file = tokio::fs::File::from_std(file);
    let body = stream::try_unfold(file, |mut file| async move {
        let mut buf = vec![0; 64 * 1024];
        let n = file.read(&mut buf).await?;
        buf.truncate(n);
        Ok::<_, std::io::Error>((n > 0).then(|| (Bytes::from(buf), file)))
    });
    Ok(file_response(name, "xlsx", XLSX_TYPE, Some(len), Body::from_stream(body)))
}

/// Writes the rows into a workbook on a blocking thread (constant-memory mode) and returns the finished
/// file, rewound. The workbook is complete before the answer starts, so every failure is a clean error.
async fn xlsx_file(
    sheet: &'static str,
    columns: Vec<Column>,
    lang: Lang,
    mut rows: BoxStream<'static, Result<Vec<Vec<Cell>>, ApiError>>,
) -> Result<std::fs::File, ApiError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(XLSX_PAGES_IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || -> Result<std::fs::File, ApiError> {
        let xlsx = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("xlsx export: {e}"));
        let io = |e: std::io::Error| ApiError::internal(format!("xlsx export file: {e}"));
        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet_with_constant_memory();
        ws.set_name(sheet).map_err(xlsx)?;
        let bold = Format::new().set_bold();
        let percent = Format::new().set_num_format("0.0%");
        let days = Format::new().set_num_format("0.0");
        for (col, c) in (0u16..).zip(&columns) {
            ws.set_column_width(col, c.width).map_err(xlsx)?;
            // Constant-memory mode writes rows in order, so the header goes first.
            ws.write_string_with_format(0, col, c.header(lang), &bold).map_err(xlsx)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx)?;
        let mut row: u32 = 0;
        while let Some(page) = rx.blocking_recv() {
            for cells in page {
                row += 1;
                if row > XLSX_MAX_ROWS {
                    return Err(ApiError::invalid(
                        "export_too_large",
                        "more rows than a worksheet holds (1,048,575): narrow the filters or export CSV",
                    ));
                }
                for (col, cell) in (0u16..).zip(&cells) {
                    match cell {
                        Cell::Empty => continue,
                        Cell::Text(t) => ws.write_string(row, col, t.as_str()),
                        Cell::Count(n) => ws.write_number(row, col, *n as f64),
                        Cell::Rate(x) => ws.write_number_with_format(row, col, *x, &percent),
                        Cell::Days(x) => ws.write_number_with_format(row, col, *x, &days),
                        Cell::Flag(b) => ws.write_boolean(row, col, *b),
                    }
                    .map_err(xlsx)?;
                }
            }
        }
        let mut file = tempfile::tempfile().map_err(io)?;
        workbook.save_to_writer(&mut file).map_err(xlsx)?;
        file.rewind().map_err(io)?;
        Ok(file)
    });
    // Moved in, so the sender is dropped when the pages end and the writer's loop finishes.
    let feed = async move {
        while let Some(page) = rows.try_next().await? {
            if tx.send(page).await.is_err() {
                break; // the writer stopped with an error, reported below
            }
        }
        Ok::<_, ApiError>(())
    }
    .await;
    let written = writer.await.map_err(|e| ApiError::internal(format!("xlsx writer thread: {e}")))?;
    feed?;
    written
}

fn file_response(name: &str, ext: &str, content_type: &'static str, len: Option<u64>, body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The name is ASCII we built (a word and a date), so it needs no quoting rules beyond the quotes.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"santisuk-{name}.{ext}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    // Exports hold personal and sensitive data: no shared cache may keep a copy.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(len) = len {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buddhist_era_dates_add_543_years_and_use_bangkok_time() {
        assert_eq!(date("2026-12-31", Dates::Be), "31/12/2569");
        assert_eq!(date("2026-12-31", Dates::Iso), "2026-12-31");
        // 17:30 UTC is 00:30 the next day in Bangkok.
        assert_eq!(instant("2026-11-24T17:30:00.000000Z", Dates::Be), "25/11/2569 00:30:00");
        assert_eq!(instant("2026-11-24T17:30:00.000000Z", Dates::Iso), "2026-11-24T17:30:00.000000Z");
        assert_eq!(month("2026-10", Dates::Be), "10/2569");
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_as_a_formula_is_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("-1"), "'-1");
        assert_eq!(defuse("ถนนชำรุด"), "ถนนชำรุด");
    }

    #[test]
    fn personal_columns_are_in_an_issue_export_only_when_included() {
        let row = IssueRow {
            description: Some("บ้านนายสมชาย".into()),
            raised_by: Some("นางสาวมาลี".into()),
            ..IssueRow::open("7d3c", "PTN-01", "LIV", "ถนนชำรุด", "2026-11-01T00:00:00Z".parse().unwrap())
        };
        let without = issue_cells(&row, Dates::Iso, None);
        let headers: Vec<&str> = issue_columns(false).iter().map(|c| c.header(Lang::En)).collect();
        assert_eq!(without.len(), headers.len());
        assert!(!headers.contains(&"Description") && !headers.contains(&"Raised by"), "{headers:?}");
        assert!(!without.contains(&Cell::Text("บ้านนายสมชาย".into())), "{without:?}");
        assert!(!without.contains(&Cell::Text("นางสาวมาลี".into())), "{without:?}");

        let person = PersonView {
            subject_id: "s".into(),
            name: Some("สมชาย".into()),
            phone: Some("0812345678".into()),
            address: None,
            national_id: None,
            notes: None,
            erased: false,
            erased_at: None,
            legal_basis: None,
            recorded_at: chrono::Utc::now(),
        };
        let columns = issue_columns(true);
        let with = issue_cells(&row, Dates::Iso, Some(Some(&person)));
        assert_eq!(with.len(), columns.len());
        assert_eq!(columns[4].header(Lang::En), "Description", "the earlier place");
        assert_eq!(with[4], Cell::Text("บ้านนายสมชาย".into()));
        assert_eq!(columns[15].header(Lang::En), "Complainant name");
        assert_eq!(
            (&with[15], &with[16], &with[17]),
            (&Cell::Text("สมชาย".into()), &Cell::Text("0812345678".into()), &Cell::Empty)
        );
        let anonymous = issue_cells(&row, Dates::Iso, Some(None));
        assert!(anonymous[15..].iter().all(|c| *c == Cell::Empty));
        let erased = PersonView { name: None, phone: None, erased: true, ..person };
        let erased = issue_cells(&row, Dates::Iso, Some(Some(&erased)));
        assert!(erased[15..].iter().all(|c| *c == Cell::Text(ERASED.into())), "{erased:?}");
    }

    #[test]
    fn every_issue_cell_has_a_column_and_every_stats_cell_too() {
        let counters = Counters {
            raised: 3,
            times_raised: 4,
            closed: 2,
            resolved: 1,
            confirmed: 1,
            unresolved: 1,
            unresolved_by_outcome: BTreeMap::from([("referred".to_owned(), 1)]),
            open: 1,
            overdue: 0,
            escalated: 0,
            resolution_rate: Some(0.5),
            confirmed_rate: Some(1.0 / 3.0),
            closure_rate: Some(2.0 / 3.0),
            median_days_to_resolve: Some(4.0),
            p90_days_to_resolve: Some(4.0),
            small_sample: true,
        };
        let keys = BTreeMap::from([("area_id", Some("PTN-01".to_owned())), ("month", Some("2026-11".to_owned()))]);
        let stats = Stats {
            rows: vec![santisuk_projections::stats::StatsRow { keys, counters: counters.clone() }],
            totals: counters,
        };
        let by = [GroupBy::Area, GroupBy::Month];
        let opts = Options { format: FileFormat::Csv, lang: Lang::En, dates: Dates::Iso };
        let rows = stats_cells(&stats, &by, opts);
        assert_eq!(rows.len(), 2, "one group, one totals row");
        for row in &rows {
            assert_eq!(row.len(), stats_columns(&by).len());
        }
        assert_eq!(rows[0][0], Cell::Text("PTN-01".into()));
        assert_eq!(rows[1][0], Cell::Text("Total".into()));
    }
}
