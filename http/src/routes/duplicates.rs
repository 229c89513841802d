//! Duplicates and the community's verdict (issue #17 §3, §6): mark a problem a duplicate, an original's
//! duplicates, suggestions while raising, a forum's list of closed problems and its verdicts. Who may do
//! what is decided in `santisuk_app::duplicates` and `santisuk_app::verdicts`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use santisuk_app::duplicates::{self, DuplicateSuggestQuery};
pub use santisuk_app::duplicates::{DuplicateItem, DuplicateMarkRequest, DuplicateSuggestion, DuplicatesOfIssue};
use santisuk_app::verdicts;
pub use santisuk_app::verdicts::{ForumVerdicts, VerdictEntry, VerdictItem, VerdictsRecorded, VerdictsRequest};

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AppJson, AppPath, AppQuery, if_match};
use crate::routes::issues::{CommandReply, IfMatch};
use crate::routes::reference::Items;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/issues/{id}/duplicate", post(mark_duplicate))
        .route("/api/issues/{id}/duplicates", get(duplicates_of))
        .route("/api/duplicates/suggest", get(suggest))
        .route("/api/forums/{id}/verdicts", get(forum_verdicts).post(record_verdicts))
}

/// Marks a problem a duplicate of another: it is closed with outcome `duplicate`, counted once with its
/// original in the statistics, and listed on the original's page. No chains: the original may not itself
/// be a duplicate (the answer names its original), and a problem with duplicates of its own is not marked.
#[utoipa::path(post, path = "/api/issues/{id}/duplicate", tag = "duplicates", request_body = DuplicateMarkRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "issue id or case number"), IfMatch),
    responses((status = 200, body = CommandReply),
        (status = 400, description = "a malformed body or If-Match", body = ErrorBody),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such issue (or one the caller may not read)", body = ErrorBody),
        (status = 409, description = "the problem is closed (`issue_closed`), the original is itself a duplicate \
            (`duplicate_of_duplicate`, naming its original), the problem has duplicates of its own \
            (`has_duplicates`), or it is no longer at the If-Match version", body = ErrorBody),
        (status = 422, description = "an invalid value, a duplicate of itself (`duplicate_of_itself`), an original \
            that does not exist or the caller may not read (`unknown_original`), one of the other kind \
            (`duplicate_of_other_kind`), `at` in the future or before the raise", body = ErrorBody)))]
pub async fn mark_duplicate(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<DuplicateMarkRequest>,
) -> Result<Json<CommandReply>, ApiError> {
    let expected = if_match(&headers)?;
    Ok(Json(duplicates::mark(&state, &ctx, &id, req, expected).await?))
}

/// A problem's duplicates the caller may see, with the forums they were raised at, and how many times the
/// problem was raised (1 + those duplicates).
#[utoipa::path(get, path = "/api/issues/{id}/duplicates", tag = "duplicates", security(("bearer" = [])),
    params(("id" = String, Path, description = "issue id or case number")),
    responses((status = 200, body = DuplicatesOfIssue),
        (status = 404, description = "no such issue (or one the caller may not read)", body = ErrorBody)))]
pub async fn duplicates_of(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<DuplicatesOfIssue>, ApiError> {
    Ok(Json(duplicates::of_issue(&state, &ctx, &id).await?))
}

/// Likely duplicates of a problem about to be raised: open problems of the same area and category the
/// caller may see, whose Thai text is alike (character n-grams, see README "Duplicates"), best first, at
/// most five.
#[utoipa::path(get, path = "/api/duplicates/suggest", tag = "duplicates", operation_id = "suggest_duplicates", params(DuplicateSuggestQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Items<DuplicateSuggestion>),
        (status = 422, description = "an invalid area code, category code or title", body = ErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    ctx: Ctx,
    AppQuery(q): AppQuery<DuplicateSuggestQuery>,
) -> Result<Json<Items<DuplicateSuggestion>>, ApiError> {
    Ok(Json(Items { items: duplicates::suggest(&state, &ctx, &q).await? }))
}

/// The problems a forum asks its community about: those of its area closed since the previous forum there
/// (and any not asked at an earlier one), with the verdicts recorded.
#[utoipa::path(get, path = "/api/forums/{id}/verdicts", tag = "verdicts", operation_id = "forum_verdicts", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid, description = "forum id")),
    responses((status = 200, body = ForumVerdicts),
        (status = 404, description = "no such forum (or, to a coordinator, one of another area)", body = ErrorBody)))]
pub async fn forum_verdicts(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<ForumVerdicts>, ApiError> {
    Ok(Json(verdicts::list(&state, &ctx, &id).await?))
}

/// Records what the community said of closed problems of the forum's area: `confirmed`, `disputed` (which
/// reopens the problem; `reason` required) or `not_asked`. Every verdict is checked before any is written.
#[utoipa::path(post, path = "/api/forums/{id}/verdicts", tag = "verdicts", request_body = VerdictsRequest,
    security(("bearer" = [])), params(("id" = String, Path, format = Uuid, description = "forum id")),
    responses((status = 200, body = VerdictsRecorded),
        (status = 403, description = "a reader", body = ErrorBody),
        (status = 404, description = "no such forum (or, to a coordinator, one of another area)", body = ErrorBody),
        (status = 409, description = "a problem that is open (`verdict_on_open_issue`), a duplicate \
            (`verdict_on_duplicate`), or confirmed though not closed as resolved (`confirmed_not_resolved`)",
            body = ErrorBody),
        (status = 422, description = "no verdict (`no_verdicts`), an unknown problem (`unknown_issue`), one named \
            twice (`repeated_issue`), an unknown verdict (`unknown_verdict`), a problem of another area \
            (`forum_in_other_area`), a dispute without a reason (`reason_required`), a forum held before the \
            closure (`forum_before_closure`), or an invalid value", body = ErrorBody)))]
pub async fn record_verdicts(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    AppJson(req): AppJson<VerdictsRequest>,
) -> Result<Json<VerdictsRecorded>, ApiError> {
    Ok(Json(verdicts::record(&state, &ctx, &id, req).await?))
}
