//! Photos and documents of an issue (issue #17 §4): upload (multipart), list, and read a file or its
//! thumbnail. Who may do what, what a file may be and the access log are decided in
//! `santisuk_app::attachments`; this module reads the multipart body and shapes the answers.
//!
//! The upload route alone accepts a body above the global 1 MiB limit: the configured largest file plus
//! room for the multipart framing ([`upload_body_limit`]).

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use santisuk_app::AppError;
use santisuk_app::attachments::{self, FileContent, Upload};
pub use santisuk_app::attachments::{AttachmentAnswer, AttachmentView};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use crate::extract::AppPath;
use crate::routes::reference::Items;
use crate::state::AppState;

/// The body limit of an upload: the largest file plus 64 KiB of multipart framing and fields.
pub fn upload_body_limit(max_file_bytes: u64) -> usize {
    usize::try_from(max_file_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024)
}

pub fn router(max_file_bytes: u64) -> Router<AppState> {
    Router::new()
        .route(
            "/api/issues/{id}/attachments",
            get(list).post(upload).layer(DefaultBodyLimit::max(upload_body_limit(max_file_bytes))),
        )
        .route("/api/issues/{id}/attachments/{sha256}", get(file))
        .route("/api/issues/{id}/attachments/{sha256}/thumbnail", get(thumbnail))
}

/// The multipart form of an upload. Any other part is refused (422 `unknown_field`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentUploadForm {
    /// The photo (JPEG, PNG, WebP) or PDF document; its kind is found from its content, not its name.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// The sequence number of the action (an `IssueAddressed` event, see the issue's history) the file
    /// documents; absent: the problem itself.
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub action: Option<String>,
    /// A name for the file instead of the one it was sent with.
    #[schema(value_type = Option<santisuk_app::schema::Text>)]
    pub name: Option<String>,
}

/// Reads an upload's multipart body: `file` (required), `action`, `name`, and the web form's `_csrf` and
/// `back` (returned as they came). A body over the limit is the file's fault: 413 `file_too_large`.
pub async fn read_upload(
    multipart: &mut Multipart,
    max_file_bytes: u64,
) -> Result<(Upload, Vec<(String, String)>), AppError> {
    let malformed = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            attachments::too_large(max_file_bytes)
        } else {
            AppError::bad_request("bad_multipart", format!("the multipart body cannot be read: {}", e.body_text()))
        }
    };
    let mut upload = Upload::default();
    let mut file = None;
    let mut fields = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let sent_name = field.file_name().map(str::to_owned);
                file = Some((field.bytes().await.map_err(malformed)?.to_vec(), sent_name));
            }
            // `_csrf` and `back` are the web form's (checked there; an API client has no use for them).
            "action" | "name" | "_csrf" | "back" => {
                let text = field.text().await.map_err(malformed)?;
                fields.push((name, text));
            }
            _ => {
                return Err(AppError::invalid(
                    "unknown_field",
                    "the form has the parts `file`, `action` and `name` only",
                ));
            }
        }
    }
    let (bytes, sent_name) =
        file.ok_or_else(|| AppError::invalid("missing_file", "send the file in a multipart part named `file`"))?;
    upload.bytes = bytes;
    upload.name = sent_name;
    let mut extra = Vec::new();
    for (name, value) in fields {
        match name.as_str() {
            "action" => upload.action = Some(value),
            "name" if !value.trim().is_empty() => upload.name = Some(value),
            "name" => {}
            _ => extra.push((name, value)),
        }
    }
    Ok((upload, extra))
}

/// Attaches a photo or PDF to the issue, or to one of its actions (admin, staff, a coordinator on an issue
/// of their areas). Photos lose their location and camera data (EXIF, XMP, IPTC) unless the server keeps
/// them (`--attachment-keep-metadata`), and get a thumbnail. Nothing is written when the upload is refused.
#[utoipa::path(post, path = "/api/issues/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = String, Path, description = "issue id or case number")),
    request_body(content = AttachmentUploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentAnswer),
        (status = 400, description = "a body that is not multipart (`bad_multipart`)", body = ErrorBody),
        (status = 401, description = "no valid token", body = ErrorBody),
        (status = 403, description = "an auditor (read-only)", body = ErrorBody),
        (status = 404, description = "no such issue, or one the caller may not see (`issue_not_found`)", body = ErrorBody),
        (status = 413, description = "the file is over the limit (`file_too_large`)", body = ErrorBody),
        (status = 415, description = "the content is no JPEG, PNG, WebP or PDF, whatever its name \
            (`unsupported_file_type`)", body = ErrorBody),
        (status = 422, description = "a part other than `file`, `action` and `name` (`unknown_field`), no file (`missing_file`), an empty one (`empty_file`), one that starts like \
            a photo or PDF and is none (`unreadable_file`), an action that is none of the issue's (`bad_action`, \
            `unknown_action`), or a name too long or with control characters", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentAnswer>), ApiError> {
    // The role first: an auditor is refused as such, whatever it sent.
    ctx.require_issue_writer()?;
    let mut multipart = multipart.map_err(not_multipart)?;
    let (upload, _) = read_upload(&mut multipart, state.attachment_policy.max_bytes()).await?;
    Ok((StatusCode::CREATED, Json(attachments::upload(&state, &ctx, &id, upload).await?)))
}

/// A body that is not `multipart/form-data` with a boundary: 400 `bad_multipart`, as JSON like every error.
pub fn not_multipart(r: MultipartRejection) -> AppError {
    AppError::bad_request("bad_multipart", format!("send the file as multipart/form-data: {}", r.body_text()))
}

/// The issue's files, in the order attached (whoever may read the issue's details). Recorded in the
/// access log.
#[utoipa::path(get, path = "/api/issues/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = String, Path, description = "issue id or case number")),
    responses((status = 200, body = Items<AttachmentView>),
        (status = 401, description = "no valid token", body = ErrorBody),
        (status = 404, description = "no such issue, or one the caller may not see (`issue_not_found`)", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath(id): AppPath<String>,
) -> Result<Json<Items<AttachmentView>>, ApiError> {
    Ok(Json(Items { items: attachments::list(&state, &ctx, &id).await? }))
}

/// One file of the issue, as stored (a photo without its metadata). Recorded in the access log.
#[utoipa::path(get, path = "/api/issues/{id}/attachments/{sha256}", tag = "attachments", security(("bearer" = [])),
    params(("id" = String, Path, description = "issue id or case number"),
        ("sha256" = String, Path, description = "the file's SHA-256 (64 hex digits)")),
    responses((status = 200, description = "the file", content(
            (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"), (Vec<u8> = "application/pdf"))),
        (status = 401, description = "no valid token", body = ErrorBody),
        (status = 404, description = "no such issue (`issue_not_found`) or file of it (`attachment_not_found`), or a file no \
            longer in the store (`attachment_missing`)", body = ErrorBody),
        (status = 410, description = "the issue's personal data was erased, its files with it (`attachment_erased`)", body = ErrorBody)))]
pub async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath((id, sha256)): AppPath<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(send_file(attachments::content(&state, &ctx, &id, &sha256, false).await?))
}

/// The thumbnail of a file of the issue (JPEG, at most 320 pixels a side; a PDF's is a page icon). Recorded in
/// the access log.
#[utoipa::path(get, path = "/api/issues/{id}/attachments/{sha256}/thumbnail", tag = "attachments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "issue id or case number"),
        ("sha256" = String, Path, description = "the file's SHA-256 (64 hex digits)")),
    responses((status = 200, description = "the thumbnail", content((Vec<u8> = "image/jpeg"))),
        (status = 401, description = "no valid token", body = ErrorBody),
        (status = 404, description = "no such issue (`issue_not_found`), file (`attachment_not_found`), or a file without one \
            (`no_thumbnail`)", body = ErrorBody),
        (status = 410, description = "the issue's personal data was erased (`attachment_erased`)", body = ErrorBody)))]
pub async fn thumbnail(
    State(state): State<AppState>,
    ctx: Ctx,
    AppPath((id, sha256)): AppPath<(String, String)>,
) -> Result<Response, ApiError> {
    Ok(send_file(attachments::content(&state, &ctx, &id, &sha256, true).await?))
}

/// A file as a response: its own type, never sniffed, never run (a sandboxing CSP), kept only in the
/// reader's own cache; photos shown inline, documents downloaded.
pub fn send_file(file: FileContent) -> Response {
    let disposition = if file.media_type.starts_with("image/") { "inline" } else { "attachment" };
    let mut response = (StatusCode::OK, file.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.media_type));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", file.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    let value = format!("{disposition}; filename*=UTF-8''{}", percent_encode(&file.file_name));
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// RFC 5987 encoding of a file name: every byte outside the unreserved set as `%XX`.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
