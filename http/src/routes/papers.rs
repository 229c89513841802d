//! The printed papers over the API (issue #18 §3, §4): the forum report's and the complainant's receipt's
//! PDFs, for tools that print them without the web app. The same use cases and the same PDFs as the pages
//! `/forums/{id}/report.pdf` and `/issues/{id}/receipt.pdf` (`crate::web::report`).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppPath, AppQuery};
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::report::{PaperQuery, forum_report_pdf, issue_receipt_pdf};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/forums/{id}/report.pdf", get(report_pdf))
        .route("/api/issues/{id}/receipt.pdf", get(receipt_pdf))
}

/// The forum's printed report as a PDF (A4, Sarabun embedded): the forum's details, every problem raised at
/// it with its status and what was done, and the area's problems closed since the previous forum. No
/// complainant's name and no restricted case is ever printed, whoever asks.
#[utoipa::path(get, path = "/api/forums/{id}/report.pdf", tag = "papers", operation_id = "forum_report_pdf",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "forum id"), PaperQuery),
    responses((status = 200, description = "the PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "no such forum (or, to a coordinator, one of another area)", body = ErrorBody),
        (status = 422, description = "a language other than `th`, `en`, `ms`", body = ErrorBody)))]
pub async fn report_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppQuery(q): AppQuery<PaperQuery>,
) -> Result<Response, ApiError> {
    let lang = q.lang(Lang::Th)?;
    forum_report_pdf(&state, &ctx, &id, lang).await
}

/// The complainant's receipt of a problem (by id or case number) as a PDF: its reference number, what
/// happens next and how to ask about it. Whoever may read the problem may print it.
#[utoipa::path(get, path = "/api/issues/{id}/receipt.pdf", tag = "papers", operation_id = "issue_receipt_pdf",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "issue id or case number"), PaperQuery),
    responses((status = 200, description = "the PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "no such issue (or one the caller may not read)", body = ErrorBody),
        (status = 422, description = "a language other than `th`, `en`, `ms`", body = ErrorBody)))]
pub async fn receipt_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppQuery(q): AppQuery<PaperQuery>,
) -> Result<Response, ApiError> {
    let lang = q.lang(Lang::Th)?;
    issue_receipt_pdf(&state, &ctx, &id, lang).await
}
