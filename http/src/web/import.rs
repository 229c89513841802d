//! The import page (issue #18 §2), `/admin/import`, for admins and staff: choose an xlsx or CSV file, see
//! how its columns were mapped and every row's problem (a dry run), then confirm. Works without JavaScript:
//! the preview carries the file back in a hidden field, so nothing is kept on the server between the two
//! steps and the confirmed import checks the very same bytes again. The rules are `santisuk_app::import`'s.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use maud::{Markup, html};
use santisuk_app::import::{self, ImportFile, ImportReport};
use santisuk_domain::import::Column;

use super::extract::same_secret;
use super::i18n;
use super::layout::{self, Nav};
use super::strings_import as s;
use super::{Web, WebError};
use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    // The preview sends the file back base64-encoded (4/3 of its size) with the form's few fields.
    let limit = import::MAX_FILE_BYTES / 3 * 4 + 64 * 1024;
    Router::new().route("/admin/import", get(page).post(submit).layer(DefaultBodyLimit::max(limit)))
}

/// The form: file, sheet, encoding; the columns Santisuk reads and the names it knows them by.
fn form(web: &Web, error: Option<(&str, &str)>) -> Markup {
    let lang = web.lang;
    html! {
        h1 { (s::IMPORT_TITLE.get(lang)) }
        p.hint { (s::IMPORT_HINT.get(lang)) }
        @if let Some((code, message)) = error {
            div.error-summary #error-summary role="alert" tabindex="-1" {
                p { strong { (s::FILE_REFUSED.get(lang)) } }
                ul { li { a href="#file" { (s::problem(lang, code)) } } }
                p.muted dir="auto" lang="en" { (message) " (" code { (code) } ")" }
            }
        }
        form.card method="post" action="/admin/import" enctype="multipart/form-data" {
            input type="hidden" name="_csrf" value=(web.csrf);
            p {
                label for="file" { (s::FILE.get(lang)) }
                input #file type="file" name="file" required accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    aria-invalid=[error.map(|_| "true")];
            }
            p {
                label for="sheet" { (s::SHEET.get(lang)) }
                input #sheet type="text" name="sheet" maxlength="100" aria-describedby="sheet-hint";
                span.hint #sheet-hint { (s::SHEET_HINT.get(lang)) }
            }
            p {
                label for="encoding" { (s::ENCODING.get(lang)) }
                select #encoding name="encoding" {
                    option value="utf-8" selected { (s::ENCODING_UTF8.get(lang)) }
                    option value="windows-874" { (s::ENCODING_874.get(lang)) }
                }
            }
            button type="submit" { (s::CHECK.get(lang)) }
        }
        section {
            h2 { (s::COLUMNS.get(lang)) }
            p.hint { (s::COLUMNS_HINT.get(lang)) }
            table.stack {
                thead { tr { th { (s::COLUMN.get(lang)) } th { (s::NAMES.get(lang)) } } }
                tbody {
                    @for c in Column::ALL {
                        tr {
                            td data-label=(s::COLUMN.get(lang)) { (s::column(lang, c.key())) @if c.required() { " *" } }
                            td data-label=(s::NAMES.get(lang)) { (c.names().join(", ")) }
                        }
                    }
                }
            }
        }
    }
}

/// The import page (admins and staff).
pub async fn page(web: Web) -> Result<Response, WebError> {
    import::require_importer(&web.ctx).map_err(crate::error::ApiError::from)?;
    Ok(layout::page(&web, Nav::Import, s::IMPORT_TITLE.get(web.lang), form(&web, None)).into_response())
}

/// The form's parts.
#[derive(Default)]
struct Posted {
    csrf: String,
    file: Option<(Vec<u8>, String)>,
    content: Option<String>,
    name: String,
    sheet: String,
    encoding: String,
    confirm: bool,
}

async fn read(multipart: &mut Multipart) -> Result<Posted, AppError> {
    let malformed = |e: axum::extract::multipart::MultipartError| {
        AppError::bad_request("bad_multipart", format!("the form cannot be read: {}", e.body_text()))
    };
    let mut p = Posted::default();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let sent = field.file_name().unwrap_or("").to_owned();
                let bytes = field.bytes().await.map_err(malformed)?.to_vec();
                if !bytes.is_empty() {
                    p.file = Some((bytes, sent));
                }
            }
            "_csrf" => p.csrf = field.text().await.map_err(malformed)?,
            "content" => p.content = Some(field.text().await.map_err(malformed)?),
            "name" => p.name = field.text().await.map_err(malformed)?,
            "sheet" => p.sheet = field.text().await.map_err(malformed)?,
            "encoding" => p.encoding = field.text().await.map_err(malformed)?,
            "confirm" => p.confirm = field.text().await.map_err(malformed)? == "1",
            _ => {}
        }
    }
    Ok(p)
}

/// A check (the preview) or, confirmed, the import. The CSRF token is checked before anything is read
/// further; a file refused as a whole shows the form again with the reason.
pub async fn submit(
    State(state): State<AppState>,
    web: Web,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let mut multipart = multipart.map_err(crate::routes::attachments::not_multipart)?;
    let posted = read(&mut multipart).await;
    let posted = match posted {
        Ok(p) if same_secret(&p.csrf, &web.csrf) => p,
        Ok(_) => return Err(WebError::BadForm { lang: web.lang }),
        Err(e) => return Err(crate::error::ApiError::from(e).into()),
    };
    import::require_importer(&web.ctx).map_err(crate::error::ApiError::from)?;
    let lang = web.lang;
    let refuse = |code: &str, message: &str, status: StatusCode| -> Response {
        (status, layout::page(&web, Nav::Import, s::IMPORT_TITLE.get(lang), form(&web, Some((code, message)))))
            .into_response()
    };
    let (bytes, name) = match (posted.file, posted.content) {
        (Some((bytes, sent)), _) => (bytes, sent),
        (None, Some(content)) => match base64::engine::general_purpose::STANDARD.decode(content.trim()) {
            Ok(bytes) => (bytes, posted.name.clone()),
            Err(_) => return Ok(refuse("missing_file", s::MISSING_FILE.get(lang), StatusCode::UNPROCESSABLE_ENTITY)),
        },
        (None, None) => return Ok(refuse("missing_file", s::MISSING_FILE.get(lang), StatusCode::UNPROCESSABLE_ENTITY)),
    };
    let file = ImportFile {
        name: if posted.name.trim().is_empty() { name } else { posted.name.clone() },
        bytes: bytes.clone(),
        sheet: Some(posted.sheet.clone()).filter(|s| !s.trim().is_empty()),
        encoding: Some(posted.encoding.clone()).filter(|s| !s.trim().is_empty()),
    };
    let confirm = posted.confirm;
    let caller = web.ctx.0.clone();
    let task_state = state.clone();
    // Run to completion whatever the browser does (see the API's twin).
    let result = tokio::spawn(async move { import::import(&task_state, &caller, file, !confirm).await })
        .await
        .map_err(|e| crate::error::ApiError::from(AppError::Internal(format!("the import task failed: {e}"))))?;
    match result {
        Ok(report) => {
            let content = report_view(&web, &report, &bytes, &posted.sheet, &posted.encoding);
            let title = if report.dry_run { s::PREVIEW } else { s::RESULT };
            Ok(layout::page(&web, Nav::Import, title.get(lang), content).into_response())
        }
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::TooLarge { .. }
            | AppError::UnsupportedMediaType { .. }
            | AppError::BadRequest { .. }),
        ) => {
            let e = crate::error::ApiError::from(e);
            let (status, code, message) = e.parts();
            Ok(refuse(code, &message, status))
        }
        Err(e) => Err(crate::error::ApiError::from(e).into()),
    }
}

fn report_view(web: &Web, r: &ImportReport, bytes: &[u8], sheet: &str, encoding: &str) -> Markup {
    let lang = web.lang;
    let date = |d: &Option<String>| {
        d.as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .map(|d| i18n::date(lang, d))
            .unwrap_or_default()
    };
    let importable = r.dry_run && r.counts.invalid == 0 && r.counts.new + incomplete(r) > 0;
    html! {
        h1 { @if r.dry_run { (s::PREVIEW.get(lang)) } @else { (s::RESULT.get(lang)) } }
        @if !r.dry_run {
            p.notice role="status" {
                (s::CREATED.get(lang)) ": " strong { (r.counts.created) } " · "
                (s::EVENTS_WRITTEN.get(lang)) ": " (r.counts.events_written) " · "
                (s::ALREADY.get(lang)) ": " (r.counts.already_imported)
            }
        }
        @if r.dry_run && r.counts.invalid > 0 {
            div.error-summary #error-summary role="alert" tabindex="-1" {
                p { strong { (s::FIX_FIRST.get(lang)) } }
                ul {
                    @for row in r.rows.iter().filter(|row| !row.problems.is_empty()) {
                        @for p in &row.problems {
                            li { a href={ "#row-" (row.row) } {
                                (s::ROW.get(lang)) " " (row.row) " · " (s::column(lang, &p.field)) ": " (s::problem(lang, &p.code))
                            } }
                        }
                    }
                }
            }
        }
        dl.card {
            dt { (s::FILE.get(lang)) } dd dir="auto" { (r.file_name) " (" (r.format) ")" }
            dt { (s::SHA256.get(lang)) } dd { code { (r.file_sha256) } }
            @if let Some(sheet) = &r.sheet { dt { (s::SHEET_READ.get(lang)) } dd dir="auto" { (sheet) } }
            dt { (s::HEADER_ROW.get(lang)) } dd { (r.header_row) }
            dt { (s::ROWS.get(lang)) } dd { (r.counts.rows) }
            dt { (s::VALID.get(lang)) } dd { (r.counts.valid) }
            dt { (s::INVALID.get(lang)) } dd { (r.counts.invalid) }
            dt { (s::NEW.get(lang)) } dd { (r.counts.new) }
            dt { (s::ALREADY.get(lang)) } dd { (r.counts.already_imported) }
            dt { (s::BE_DATES.get(lang)) } dd { (r.counts.buddhist_era_dates) }
        }
        @if !r.notes.is_empty() {
            h2 { (s::NOTES.get(lang)) }
            ul { @for n in &r.notes { li dir="auto" lang="en" { (n) } } }
        }
        h2 { (s::COLUMNS.get(lang)) }
        table.stack {
            thead { tr { th { (s::COLUMN.get(lang)) } th { (s::HEADER.get(lang)) } } }
            tbody {
                @for m in &r.mapping {
                    tr {
                        td data-label=(s::COLUMN.get(lang)) { (s::column(lang, &m.column)) }
                        td data-label=(s::HEADER.get(lang)) dir="auto" { (m.letter) ": " (m.header) }
                    }
                }
            }
        }
        @if !r.ignored_headers.is_empty() {
            p.muted { (s::IGNORED.get(lang)) ": " (r.ignored_headers.join(", ")) }
        }
        @if importable {
            form.card method="post" action="/admin/import" enctype="multipart/form-data" {
                input type="hidden" name="_csrf" value=(web.csrf);
                input type="hidden" name="content" value=(base64::engine::general_purpose::STANDARD.encode(bytes));
                input type="hidden" name="name" value=(r.file_name);
                input type="hidden" name="sheet" value=(r.sheet.clone().unwrap_or_else(|| sheet.to_owned()));
                input type="hidden" name="encoding" value=(encoding);
                input type="hidden" name="confirm" value="1";
                p { (s::CONFIRM_HINT.get(lang)) }
                button type="submit" { (s::CONFIRM.get(lang)) " (" (r.counts.new + incomplete(r)) ")" }
            }
        } @else if r.dry_run && r.counts.invalid == 0 {
            p.notice role="status" { (s::NOTHING_NEW.get(lang)) }
        }
        h2 { (s::ROWS.get(lang)) }
        table.stack {
            thead { tr {
                th { (s::ROW.get(lang)) } th { (s::STATE.get(lang)) } th { (s::column(lang, "area")) }
                th { (s::column(lang, "date")) } th { (s::column(lang, "title")) } th { (s::column(lang, "status")) }
                th { (s::PROBLEMS.get(lang)) }
            } }
            tbody {
                @for row in &r.rows {
                    tr #{ "row-" (row.row) } {
                        td data-label=(s::ROW.get(lang)) { (row.row) }
                        td data-label=(s::STATE.get(lang)) {
                            @if row.state == "imported" || row.state == "already_imported" {
                                @if let Some(id) = &row.issue_id { a href={ "/issues/" (id) } { (s::state(lang, &row.state)) } }
                            } @else { (s::state(lang, &row.state)) }
                        }
                        td data-label=(s::column(lang, "area")) dir="auto" { (row.area) }
                        td data-label=(s::column(lang, "date")) { (date(&row.date)) }
                        td data-label=(s::column(lang, "title")) dir="auto" { (row.title) }
                        td data-label=(s::column(lang, "status")) {
                            @if let Some(st) = &row.status { (layout::status_badge(lang, st)) }
                            @if let Some(o) = &row.outcome { " " (i18n::outcome(lang, o)) }
                        }
                        td data-label=(s::PROBLEMS.get(lang)) {
                            @if !row.problems.is_empty() {
                                ul { @for p in &row.problems {
                                    li.error { strong { (s::column(lang, &p.field)) } ": " (s::problem(lang, &p.code))
                                        br; span.muted dir="auto" lang="en" { (p.message) } }
                                } }
                            }
                            @if !row.notes.is_empty() {
                                ul { @for n in &row.notes { li.muted dir="auto" lang="en" { (n) } } }
                            }
                        }
                    }
                }
            }
        }
        p { a href="/admin/import" { (s::ANOTHER.get(lang)) } " · " a href="/issues" { (s::TO_QUEUE.get(lang)) } }
    }
}

fn incomplete(r: &ImportReport) -> usize {
    r.rows.iter().filter(|row| row.state == "incomplete").count()
}
