//! Importing a spreadsheet of forum problems (issue #18 §2): `POST /api/imports`, the body the file's bytes
//! as they are (xlsx or CSV), its name and the options in the query. A dry run (the default) reports every
//! row's problem and writes nothing; `dry_run=false` imports when every row is valid. The rules are
//! `santisuk_app::import`'s.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::post;
use axum::{Json, Router};
use santisuk_app::error::AppError;
use santisuk_app::import::{self, ImportFile, ImportReport};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::AppQuery;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    // The body limit is the file's, plus nothing: the body is the file.
    Router::new().route("/api/imports", post(run).layer(DefaultBodyLimit::max(import::MAX_FILE_BYTES + 1)))
}

/// The options of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `true` (the default): check and report, write nothing. `false`: import, only if every row is valid.
    #[param(value_type = Option<bool>)]
    pub dry_run: Option<String>,
    /// The file's name, recorded with each imported problem (e.g. `forum-2567.xlsx`).
    pub name: Option<String>,
    /// The sheet to read (xlsx); default: the first sheet with a header row Santisuk recognises.
    pub sheet: Option<String>,
    /// A CSV's encoding when it is not UTF-8: `windows-874` (TIS-620). Default `utf-8`.
    #[param(pattern = "^ *([Uu][Tt][Ff]-?8|[Ww][Ii][Nn][Dd][Oo][Ww][Ss]-874|[Tt][Ii][Ss]-?620|[Cc][Pp]874)? *$")]
    pub encoding: Option<String>,
}

/// Checks (dry run) or imports a spreadsheet of forum problems (admins and staff).
///
/// The body is the file itself (`Content-Type: application/octet-stream`, or the file's own type): an xlsx
/// workbook or a CSV file, at most 10 MiB and 5,000 rows. The header row (within the first 10 rows) names
/// the columns in Thai or English (README, "Importing spreadsheets"). The answer lists how the columns were
/// mapped and, for every row, its problems (unknown area, bad date, empty title, …), its notes (a
/// Buddhist-Era year converted, a formula's saved value used) and the events it makes. An import writes only
/// when every row is valid, and is idempotent: rows already imported (by their content) are not written again.
#[utoipa::path(post, path = "/api/imports", tag = "imports", security(("bearer" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "the xlsx or CSV file's bytes"),
    responses((status = 200, description = "the report (written: whether anything was imported)", body = ImportReport),
        (status = 400, description = "an unknown query parameter", body = ErrorBody),
        (status = 403, description = "a coordinator or an auditor (only admins and staff import)", body = ErrorBody),
        (status = 413, description = "a file over 10 MiB (`import_too_large`, `payload_too_large`), or a sheet over \
            5,000 rows (`import_too_many_rows`)", body = ErrorBody),
        (status = 415, description = "not an xlsx workbook or a CSV file (`import_not_spreadsheet`)", body = ErrorBody),
        (status = 422, description = "a CSV not in UTF-8 (`import_not_utf8`, naming TIS-620 when it looks like it), \
            an unknown `encoding` (`import_bad_encoding`), no sheet of that name (`import_sheet_not_found`), no \
            header row (`import_no_header`), required columns missing (`import_missing_columns`), merged cells in \
            the table (`import_merged_cells`), no rows (`import_no_rows`), a bad `dry_run`, or (`dry_run=false`) rows \
            with problems (`import_rows_invalid`, naming them)", body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<ImportQuery>,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    // The role first: a coordinator is refused as such, whatever it sent.
    import::require_importer(&ctx)?;
    let dry_run = match q.dry_run.as_deref().map(str::trim) {
        None | Some("true" | "1") => true,
        Some("false" | "0") => false,
        Some(_) => return Err(AppError::invalid("bad_dry_run", "`dry_run` must be true or false").into()),
    };
    let file =
        ImportFile { name: q.name.unwrap_or_default(), bytes: body.to_vec(), sheet: q.sheet, encoding: q.encoding };
    // Run to completion whatever the client does: an import dropped half-way would leave its rows half
    // written until someone runs it again.
    let caller = ctx.0.clone();
    let task = tokio::spawn(async move { import::import(&state, &caller, file, dry_run).await });
    let report = task.await.map_err(|e| AppError::Internal(format!("the import task failed: {e}")))??;
    Ok(Json(report))
}
