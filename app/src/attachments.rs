//! Photos and documents attached to a problem or to one of its actions (issue #17 §4): the upload (who may,
//! what may be uploaded, the metadata strip, the thumbnail, the blob store, then the `AttachmentAdded`
//! command), the reads (under the same rules as the case's other details, each recorded in the access
//! log), and the removal of an erased issue's files.
//!
//! What a file is, is decided by its content: its first bytes name its kind (`infer`), and a photo must
//! then decode as one (`image`); its name and the type its sender claims are never trusted. Photos lose
//! their EXIF (location, camera), XMP, IPTC and text metadata by default, without re-encoding
//! (`img-parts`); the orientation alone is kept, so a phone's portrait photo stays upright. The digest in
//! the event is that of the bytes stored.

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use santisuk_domain::attachment::{FileDigest, MediaType};
use santisuk_domain::issue::{AttachFile, Issue, IssueAction, IssueCommand};
use santisuk_domain::values::Text;
pub use santisuk_projections::attachments::AttachmentRow;
use santisuk_projections::read_model::{self, IssueRow};
use santisuk_store::blobs::digest_of;

use crate::caller::Caller;
use crate::error::AppError;
use crate::{AppState, now};

/// The default largest file accepted: 10 MiB (a phone photo is 2–6 MiB; a scanned letter less).
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// The longest side of a thumbnail, in pixels: sharp on a phone's page, a few kilobytes.
pub const THUMBNAIL_SIDE: u32 = 320;

/// Photos wider or taller than this are refused as unreadable (a decompression bomb declares a huge size
/// in a small file).
const MAX_SIDE: u32 = 16_384;

/// Memory the decoder of one photo may take.
const MAX_DECODE_BYTES: u64 = 512 * 1024 * 1024;

/// What the server accepts (`--attachment-max-bytes`, `--attachment-keep-metadata`), set once at start.
#[derive(Debug)]
pub struct Policy {
    max_bytes: AtomicU64,
    keep_metadata: AtomicBool,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy { max_bytes: AtomicU64::new(DEFAULT_MAX_BYTES), keep_metadata: AtomicBool::new(false) }
    }
}

impl Policy {
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes.load(Ordering::Relaxed)
    }

    /// Whether photos keep their metadata (off by default: a photo's GPS position can endanger the person
    /// who took it, or the people in it).
    pub fn keep_metadata(&self) -> bool {
        self.keep_metadata.load(Ordering::Relaxed)
    }

    pub fn set(&self, max_bytes: u64, keep_metadata: bool) {
        self.max_bytes.store(max_bytes.max(1), Ordering::Relaxed);
        self.keep_metadata.store(keep_metadata, Ordering::Relaxed);
    }
}

/// A file as received: its bytes, the name it came with, and the action it documents (as sent).
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub bytes: Vec<u8>,
    pub name: Option<String>,
    /// The sequence of the action (`IssueAddressed`) the file documents, as text; blank: the problem.
    pub action: Option<String>,
}

/// One attached file, as the API lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub sha256: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `application/pdf`.
    pub media_type: String,
    /// Bytes stored (after the metadata strip).
    pub size: i64,
    /// The name given at upload; `[erased]` after an erasure.
    pub name: Option<String>,
    /// The sequence of the action it documents; absent: the problem itself.
    pub action: Option<i64>,
    /// When it was attached (RFC 3339).
    pub at: String,
    /// The issue's version that recorded it (its `AttachmentAdded` event).
    pub sequence: i64,
    /// Where the file is read: `/api/issues/{id}/attachments/{sha256}`.
    pub url: String,
    /// Where its thumbnail is read (a document's is the same page icon for all).
    pub thumbnail_url: Option<String>,
    /// The issue's personal data was erased since: the file is no longer served.
    pub erased: bool,
}

impl AttachmentView {
    fn of(row: AttachmentRow) -> AttachmentView {
        let url = format!("/api/issues/{}/attachments/{}", row.issue_id, row.sha256);
        AttachmentView {
            thumbnail_url: row.thumbnail.as_ref().map(|_| format!("{url}/thumbnail")),
            url,
            sha256: row.sha256,
            media_type: row.media_type,
            size: row.size,
            name: row.name,
            action: row.action,
            at: row.at,
            sequence: row.sequence,
            erased: row.erased,
        }
    }
}

/// What an upload answers: the file as listed, and where the command landed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentAnswer {
    pub attachment: AttachmentView,
    pub id: String,
    pub version: i64,
    pub position: i64,
}

/// The blob store in the database's own `blobs` table (for the binary's configuration).
pub fn database_blobs(db: &santisuk_store::Db) -> std::sync::Arc<dyn santisuk_store::blobs::BlobStore> {
    std::sync::Arc::new(santisuk_store::blobs::DatabaseBlobs::new(db.pool().clone()))
}

/// The blob store in a folder of the server's disk (for the binary's configuration).
pub fn folder_blobs(dir: std::path::PathBuf) -> std::sync::Arc<dyn santisuk_store::blobs::BlobStore> {
    std::sync::Arc::new(santisuk_store::blobs::FolderBlobs::new(dir))
}

// --- content ---------------------------------------------------------------------------------------------

/// A file once checked: its kind, the bytes to store, and its thumbnail (photos).
#[derive(Debug)]
pub struct Checked {
    pub media_type: MediaType,
    pub bytes: Vec<u8>,
    pub thumbnail: Option<Vec<u8>>,
}

fn unsupported() -> AppError {
    AppError::UnsupportedMediaType {
        code: "unsupported_file_type",
        message: "only photos (JPEG, PNG, WebP) and PDF documents are accepted; the file's content is neither, \
                  whatever its name says"
            .into(),
    }
}

fn unreadable() -> AppError {
    AppError::invalid("unreadable_file", "the file looks like a photo or a PDF but cannot be read as one")
}

/// The kind of a file, from its content only.
pub fn sniff(bytes: &[u8]) -> Result<MediaType, AppError> {
    let kind = infer::get(bytes).ok_or_else(unsupported)?;
    MediaType::parse(kind.mime_type()).map_err(|_| unsupported())
}

/// Checks a file's size and content, strips a photo's metadata (unless `keep_metadata`) and makes its
/// thumbnail. Pure: nothing is stored.
pub fn check(bytes: Vec<u8>, max_bytes: u64, keep_metadata: bool) -> Result<Checked, AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid("empty_file", "the file is empty"));
    }
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(max_bytes));
    }
    let media_type = sniff(&bytes)?;
    if media_type == MediaType::Pdf {
        // A PDF starts with `%PDF-` (what `infer` saw) and ends with `%%EOF` (a truncated upload does not).
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        if !tail.windows(5).any(|w| w == b"%%EOF") {
            return Err(unreadable());
        }
        return Ok(Checked { media_type, bytes, thumbnail: Some(document_icon()?) });
    }
    let (image, orientation) = decode(&bytes, media_type)?;
    let bytes = if keep_metadata { bytes } else { strip(bytes, media_type, orientation)? };
    Ok(Checked { media_type, bytes, thumbnail: Some(thumbnail(image, orientation)?) })
}

/// The 413 an oversized file answers, naming the limit.
pub fn too_large(max_bytes: u64) -> AppError {
    AppError::TooLarge {
        code: "file_too_large",
        message: format!("the file is over the limit of {} KiB", max_bytes.div_ceil(1024)),
    }
}

fn image_format(media_type: MediaType) -> image::ImageFormat {
    match media_type {
        MediaType::Jpeg => image::ImageFormat::Jpeg,
        MediaType::Png => image::ImageFormat::Png,
        MediaType::Webp | MediaType::Pdf => image::ImageFormat::WebP,
    }
}

/// Decodes a photo fully (a file that only starts like one fails here), within bounds on its size.
fn decode(
    bytes: &[u8],
    media_type: MediaType,
) -> Result<(image::DynamicImage, image::metadata::Orientation), AppError> {
    use image::ImageDecoder as _;
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), image_format(media_type));
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| unreadable())?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let image = image::DynamicImage::from_decoder(decoder).map_err(|_| unreadable())?;
    Ok((image, orientation))
}

/// A photo's JPEG thumbnail, at most [`THUMBNAIL_SIDE`] pixels on its longer side, upright; re-encoded from pixels,
/// so it carries no metadata at all.
fn thumbnail(mut image: image::DynamicImage, orientation: image::metadata::Orientation) -> Result<Vec<u8>, AppError> {
    image.apply_orientation(orientation);
    // Shrunk to fit, never enlarged.
    let small = if image.width() > THUMBNAIL_SIDE || image.height() > THUMBNAIL_SIDE {
        image.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgb8()
    } else {
        image.to_rgb8()
    };
    let mut out = Cursor::new(Vec::new());
    small
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|e| AppError::Internal(format!("cannot encode a thumbnail: {e}")))?;
    Ok(out.into_inner())
}

/// The thumbnail of every PDF: a plain page with a red band, the same bytes each time (one blob for all
/// documents). Pages and clients then show every file the same way, and no document is rendered (a PDF
/// renderer is a large attack surface for a thumbnail).
fn document_icon() -> Result<Vec<u8>, AppError> {
    let page = image::RgbImage::from_fn(96, 128, |x, y| {
        let border = !(3..=92).contains(&x) || !(3..=124).contains(&y);
        if border {
            image::Rgb([120, 120, 120])
        } else if (84..104).contains(&y) {
            image::Rgb([200, 40, 40])
        } else {
            image::Rgb([250, 250, 250])
        }
    });
    let mut out = Cursor::new(Vec::new());
    page.write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|e| AppError::Internal(format!("cannot encode the document icon: {e}")))?;
    Ok(out.into_inner())
}

/// An EXIF block (big-endian TIFF) holding one tag, the orientation: what a stripped JPEG keeps so that it
/// still shows upright.
fn orientation_exif(orientation: image::metadata::Orientation) -> Vec<u8> {
    let mut exif = b"MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&1u16.to_be_bytes());
    exif.extend_from_slice(&0x0112u16.to_be_bytes());
    exif.extend_from_slice(&3u16.to_be_bytes());
    exif.extend_from_slice(&1u32.to_be_bytes());
    exif.extend_from_slice(&u16::from(orientation.to_exif()).to_be_bytes());
    exif.extend_from_slice(&[0, 0]);
    exif.extend_from_slice(&0u32.to_be_bytes());
    exif
}

/// Removes a photo's metadata without touching its pixels: JPEG APP1 (EXIF, XMP), APP12/APP13 (IPTC,
/// Photoshop) and comments; PNG `eXIf` and text chunks (`tEXt`, `zTXt`, `iTXt`) and `tIME`; WebP `EXIF` and
/// `XMP `. Colour profiles stay.
pub fn strip(
    bytes: Vec<u8>,
    media_type: MediaType,
    orientation: image::metadata::Orientation,
) -> Result<Vec<u8>, AppError> {
    use img_parts::ImageEXIF as _;
    use img_parts::jpeg::markers;
    let bytes = img_parts::Bytes::from(bytes);
    let out = match media_type {
        MediaType::Jpeg => {
            let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(bytes).map_err(|_| unreadable())?;
            jpeg.segments_mut()
                .retain(|s| !matches!(s.marker(), markers::APP1 | markers::APP12 | markers::APP13 | markers::COM));
            if orientation != image::metadata::Orientation::NoTransforms && jpeg.segments().len() >= 3 {
                jpeg.set_exif(Some(orientation_exif(orientation).into()));
            }
            jpeg.encoder().bytes()
        }
        MediaType::Png => {
            let mut png = img_parts::png::Png::from_bytes(bytes).map_err(|_| unreadable())?;
            png.chunks_mut().retain(|c| !matches!(&c.kind(), b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME"));
            png.encoder().bytes()
        }
        MediaType::Webp => {
            let mut webp = img_parts::webp::WebP::from_bytes(bytes).map_err(|_| unreadable())?;
            webp.set_exif(None);
            webp.remove_chunks_by_id(img_parts::webp::CHUNK_XMP);
            webp.encoder().bytes()
        }
        MediaType::Pdf => bytes,
    };
    Ok(out.to_vec())
}

// --- the upload ------------------------------------------------------------------------------------------

/// The issue `raw_id` names, if the caller may see its details (`None` otherwise: then it is, to them,
/// no issue at all). Another area's issue for a coordinator, a restricted case they may not read and an
/// obstacle of another coordinator all answer as an id no issue has.
async fn visible_issue(state: &AppState, caller: &Caller, raw_id: &str) -> Result<IssueRow, AppError> {
    let not_found = || AppError::not_found("issue_not_found", "no such issue");
    let id = crate::issues::resolve_issue(state, raw_id).await?;
    let row =
        read_model::get_issue(&state.db, &id).await?.filter(|r| caller.sees_area(&r.area_id)).ok_or_else(not_found)?;
    caller.require_readable(state, &id).await?;
    Ok(row)
}

/// The name a file came with, without the folders some browsers send (`C:\fakepath\photo.jpg`); blank:
/// none.
fn file_name(raw: Option<&str>) -> Result<Option<Text>, AppError> {
    let Some(raw) = raw else { return Ok(None) };
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw).trim();
    if base.is_empty() {
        return Ok(None);
    }
    Ok(Some(Text::parse(base)?))
}

fn action_sequence(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse::<i64>().ok().filter(|n| *n > 0).map(Some).ok_or_else(|| {
            AppError::invalid("bad_action", "`action` is the sequence number of one of the issue's recorded actions")
        }),
    }
}

/// Attaches a file to an issue (admin, staff, a coordinator on an issue of their areas; never an
/// auditor). Every refusal writes nothing: the caller, the issue and the fields are checked before the
/// content, the content before anything is stored, and the blobs this upload stored are removed again if
/// the command is refused (unless another attachment refers to the same content).
pub async fn upload(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    upload: Upload,
) -> Result<AttachmentAnswer, AppError> {
    caller.require_issue_writer()?;
    let row = visible_issue(state, caller, raw_id).await?;
    // As for every action on it: a coordinator follows their own obstacle, SBPAC's staff work it.
    if caller.visible_areas().is_some() && row.kind == santisuk_domain::values::IssueKind::Obstacle {
        return Err(AppError::forbidden_as(
            "obstacle_worked_by_staff",
            "an obstacle's files are attached by SBPAC staff, who work it; you raised it and can follow it",
        ));
    }
    let name = file_name(upload.name.as_deref())?;
    let action = action_sequence(upload.action.as_deref())?;
    let policy = &state.attachment_policy;
    let (max_bytes, keep) = (policy.max_bytes(), policy.keep_metadata());
    // Decoding a photo takes tens of milliseconds of CPU: off the async workers.
    let checked = tokio::task::spawn_blocking(move || check(upload.bytes, max_bytes, keep))
        .await
        .map_err(|e| AppError::Internal(format!("the file check failed: {e}")))??;
    let sha256 = FileDigest::parse(&digest_of(&checked.bytes))?;
    let thumbnail = match &checked.thumbnail {
        Some(t) => Some(FileDigest::parse(&digest_of(t))?),
        None => None,
    };
    let blobs = state.db.blobs();
    let mut stored: Vec<FileDigest> = Vec::new();
    let mut files = vec![(&sha256, checked.bytes.as_slice())];
    if let (Some(t), Some(bytes)) = (&thumbnail, &checked.thumbnail) {
        files.push((t, bytes.as_slice()));
    }
    let mut result = Ok(());
    for (digest, bytes) in files {
        // A blob already there (the same file attached before) is not this upload's to remove.
        let put = match blobs.get(digest.as_str()).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => blobs.put(digest.as_str(), bytes).await.map(|()| stored.push(digest.clone())),
            Err(e) => Err(e),
        };
        if let Err(e) = put {
            result = Err(AppError::from(e));
            break;
        }
    }
    let at = now();
    let given_name = name.as_ref().map(|n| n.as_str().to_owned());
    let command = IssueCommand {
        now: at,
        action: IssueAction::Attach(AttachFile {
            sha256: sha256.clone(),
            media_type: checked.media_type,
            size: checked.bytes.len() as u64,
            name,
            action,
            thumbnail: thumbnail.clone(),
            at,
        }),
    };
    let done = match result {
        Ok(()) => state.command::<Issue>(row.id.clone(), command, caller.metadata(), None).await,
        Err(e) => Err(e),
    };
    let done = match done {
        Ok(done) => done,
        Err(e) => {
            for digest in &stored {
                if !santisuk_projections::attachments::still_referenced(&state.db, digest.as_str(), None).await? {
                    state.db.blobs().delete(digest.as_str()).await?;
                }
            }
            return Err(e);
        }
    };
    // The file's row is the read model's (a command on an issue writes only the issue's row with its
    // events): wait for it, so that a page read right after the answer shows the file.
    settle(state, done.checkpoint).await?;
    let attachment = santisuk_projections::attachments::of_issue(&state.db, &row.id)
        .await?
        .into_iter()
        .find(|a| a.sequence == done.version)
        .map(AttachmentView::of)
        .unwrap_or_else(|| {
            // The projection is behind (the command waited for it and gave up): answer from the command.
            AttachmentView::of(AttachmentRow {
                issue_id: row.id.clone(),
                sequence: done.version,
                sha256: sha256.to_string(),
                media_type: checked.media_type.as_str().to_owned(),
                size: checked.bytes.len() as i64,
                name: given_name,
                action,
                at: santisuk_store::events::fmt_ts(at),
                thumbnail: thumbnail.map(|t| t.to_string()),
                erased: false,
            })
        });
    Ok(AttachmentAnswer { attachment, id: row.id, version: done.version, position: done.position })
}

/// Waits (briefly) until the read model has applied everything up to `checkpoint`: the attachments table
/// is projected by the runner, not written with the command.
pub async fn settle(state: &AppState, checkpoint: santisuk_store::Checkpoint) -> Result<(), AppError> {
    state.runner.wake();
    if !state.runner.wait_for(checkpoint, std::time::Duration::from_secs(2)).await? {
        tracing::warn!("the attachments table is behind; answering anyway");
    }
    Ok(())
}

// --- reads -----------------------------------------------------------------------------------------------

/// The files of an issue, for whoever may read its details; the read is recorded in the access log.
pub async fn list(state: &AppState, caller: &Caller, raw_id: &str) -> Result<Vec<AttachmentView>, AppError> {
    let row = visible_issue(state, caller, raw_id).await?;
    caller.record_read(state, "issue_attachments", Some(&row.id), serde_json::json!({})).await?;
    Ok(rows_of(state, &row.id).await?.into_iter().map(AttachmentView::of).collect())
}

/// The rows of an issue's files, without a check or a record (for a page that already made both).
pub async fn rows_of(state: &AppState, issue_id: &str) -> Result<Vec<AttachmentRow>, AppError> {
    Ok(santisuk_projections::attachments::of_issue(&state.db, issue_id).await?)
}

/// The rows of several issues' files (a forum page's problems, already filtered to what the caller sees).
pub async fn rows_of_issues(state: &AppState, issue_ids: &[String]) -> Result<Vec<AttachmentRow>, AppError> {
    Ok(santisuk_projections::attachments::of_issues(&state.db, issue_ids).await?)
}

/// A file (or its thumbnail) to send: its bytes and media type.
#[derive(Debug)]
pub struct FileContent {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    /// The name to offer when it is saved (the stored one, or its digest).
    pub file_name: String,
    pub sha256: String,
}

/// A file of an issue, or its thumbnail, for whoever may read the issue's details; the read is recorded
/// in the access log before anything is read. A file whose issue was erased answers 410 `attachment_erased`.
pub async fn content(
    state: &AppState,
    caller: &Caller,
    raw_id: &str,
    sha256: &str,
    thumbnail: bool,
) -> Result<FileContent, AppError> {
    let row = visible_issue(state, caller, raw_id).await?;
    let not_found = || AppError::not_found("attachment_not_found", "the issue has no such file");
    let digest = FileDigest::parse(sha256).map_err(|_| not_found())?;
    let file = santisuk_projections::attachments::of_issue(&state.db, &row.id)
        .await?
        .into_iter()
        .rev()
        .find(|a| a.sha256 == digest.as_str())
        .ok_or_else(not_found)?;
    let action = if thumbnail { "attachment_thumbnail_read" } else { "attachment_read" };
    caller.record_read(state, action, Some(&row.id), serde_json::json!({"sha256": file.sha256})).await?;
    if file.erased {
        return Err(AppError::Gone {
            code: "attachment_erased",
            message: "the issue's personal data was erased: its files are gone".into(),
        });
    }
    let (key, media_type) = if thumbnail {
        (
            file.thumbnail.clone().ok_or_else(|| AppError::not_found("no_thumbnail", "a document has no thumbnail"))?,
            "image/jpeg",
        )
    } else {
        (
            file.sha256.clone(),
            MediaType::parse(&file.media_type).map_err(|e| AppError::Internal(e.to_string()))?.as_str(),
        )
    };
    let Some(bytes) = state.db.blobs().get(&key).await? else {
        // Erased a moment ago (the row not marked yet), or lost from the store: either way not servable.
        tracing::warn!(blob = %key, issue = %row.id, "an attachment's blob is missing from the store");
        return Err(AppError::not_found("attachment_missing", "the file is no longer in the store"));
    };
    // The bytes must still be those the ledger covers.
    if digest_of(&bytes) != key {
        return Err(AppError::Internal(format!("the blob {key} does not match its digest")));
    }
    let file_name = match (&file.name, thumbnail) {
        (Some(n), false) if n != santisuk_domain::personal::ERASED => n.clone(),
        _ => format!("{}.{}", &file.sha256[..16], extension(media_type)),
    };
    Ok(FileContent { bytes, media_type, file_name, sha256: key })
}

fn extension(media_type: &str) -> &'static str {
    match media_type {
        "image/png" => "png",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        _ => "jpg",
    }
}

// --- erasure ---------------------------------------------------------------------------------------------

/// After an issue's personal data was erased: deletes the blobs of its files (and thumbnails) that no
/// attachment of another issue, not erased itself, still refers to. The events keep their digests, so the
/// ledger still verifies; the files are gone. Returns how many blobs were deleted.
pub async fn erase_files(state: &AppState, issue_id: &str) -> Result<usize, AppError> {
    let mut deleted = 0;
    let blobs = state.db.blobs();
    for digest in santisuk_projections::attachments::digests_of(&state.db, issue_id).await? {
        if !santisuk_projections::attachments::still_referenced(&state.db, &digest, Some(issue_id)).await?
            && blobs.delete(&digest).await?
        {
            deleted += 1;
        }
    }
    Ok(deleted)
}

/// When a file was attached, as the pages show it.
pub fn attached_at(row: &AttachmentRow) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&row.at).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with_gps() -> Vec<u8> {
        // An 8×8 JPEG, with an EXIF block holding a GPS latitude reference inserted after SOI.
        let image = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        let plain = out.into_inner();
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
        exif.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0x1a, 0, 0, 0, 0]);
        exif.extend_from_slice(b"GPSLatitude 6.8696N 101.2501E");
        let mut with = plain[..2].to_vec();
        with.extend_from_slice(&[0xFF, 0xE1]);
        with.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        with.extend_from_slice(&exif);
        with.extend_from_slice(&plain[2..]);
        with
    }

    #[test]
    fn a_jpeg_loses_its_gps_data_and_keeps_its_pixels() {
        let photo = jpeg_with_gps();
        assert!(photo.windows(11).any(|w| w == b"GPSLatitude"));
        let checked = check(photo, DEFAULT_MAX_BYTES, false).unwrap();
        assert_eq!(checked.media_type, MediaType::Jpeg);
        assert!(!checked.bytes.windows(11).any(|w| w == b"GPSLatitude"), "the GPS block is gone");
        assert!(!checked.bytes.windows(4).any(|w| w == b"Exif"), "no EXIF block at all");
        let decoded = image::load_from_memory(&checked.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (8, 8));
        assert!(image::load_from_memory(checked.thumbnail.as_ref().unwrap()).is_ok());
    }

    /// A phone's portrait photo: the pixels are stored sideways with EXIF orientation 6. The strip keeps the
    /// orientation alone, so it still shows upright, and the thumbnail is upright itself.
    #[test]
    fn a_rotated_photo_keeps_its_orientation_and_nothing_else() {
        let image = image::RgbImage::from_pixel(16, 8, image::Rgb([0, 90, 0]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        let plain = out.into_inner();
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend_from_slice(&orientation_exif(image::metadata::Orientation::Rotate90));
        exif.extend_from_slice(b"GPSLatitude 6.5N Canon EOS serial 123456");
        let mut photo = plain[..2].to_vec();
        photo.extend_from_slice(&[0xFF, 0xE1]);
        photo.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        photo.extend_from_slice(&exif);
        photo.extend_from_slice(&plain[2..]);
        let checked = check(photo, DEFAULT_MAX_BYTES, false).unwrap();
        assert!(!checked.bytes.windows(11).any(|w| w == b"GPSLatitude"));
        assert!(!checked.bytes.windows(5).any(|w| w == b"Canon"));
        let (_, orientation) = decode(&checked.bytes, MediaType::Jpeg).unwrap();
        assert_eq!(orientation, image::metadata::Orientation::Rotate90);
        let thumb = image::load_from_memory(checked.thumbnail.as_ref().unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (8, 16), "the thumbnail is upright");
    }

    #[test]
    fn keeping_metadata_keeps_the_file_as_sent() {
        let photo = jpeg_with_gps();
        let checked = check(photo.clone(), DEFAULT_MAX_BYTES, true).unwrap();
        assert_eq!(checked.bytes, photo);
    }

    #[test]
    fn a_script_named_jpg_is_refused_by_its_content() {
        let script = b"#!/bin/sh\nrm -rf /\n".to_vec();
        let e = check(script, DEFAULT_MAX_BYTES, false).unwrap_err();
        assert_eq!(e.code_and_message().0, "unsupported_file_type");
        let html = b"<html><script>alert(1)</script></html>".to_vec();
        assert_eq!(check(html, DEFAULT_MAX_BYTES, false).unwrap_err().code_and_message().0, "unsupported_file_type");
    }

    #[test]
    fn a_file_that_only_starts_like_a_photo_is_refused() {
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake.extend_from_slice(b"not really a jpeg at all");
        assert_eq!(check(fake, DEFAULT_MAX_BYTES, false).unwrap_err().code_and_message().0, "unreadable_file");
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert_eq!(check(Vec::new(), 10, false).unwrap_err().code_and_message().0, "empty_file");
        let e = check(jpeg_with_gps(), 10, false).unwrap_err();
        assert!(matches!(e, AppError::TooLarge { code: "file_too_large", .. }), "{e:?}");
    }

    #[test]
    fn a_pdf_is_kept_as_sent_with_the_document_icon() {
        let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
        let checked = check(pdf.clone(), DEFAULT_MAX_BYTES, false).unwrap();
        let icon = document_icon().unwrap();
        assert_eq!(icon, document_icon().unwrap(), "one icon, one blob");
        assert_eq!((checked.media_type, checked.bytes, checked.thumbnail), (MediaType::Pdf, pdf, Some(icon)));
        assert_eq!(
            check(b"%PDF-1.4 truncated".to_vec(), 1000, false).unwrap_err().code_and_message().0,
            "unreadable_file"
        );
    }

    #[test]
    fn a_png_loses_its_text_chunks() {
        let image = image::RgbImage::from_pixel(4, 4, image::Rgb([1, 2, 3]));
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        let mut png = img_parts::png::Png::from_bytes(out.into_inner().into()).unwrap();
        let text = img_parts::png::PngChunk::new(*b"tEXt", img_parts::Bytes::from_static(b"Author\0Somchai"));
        png.chunks_mut().insert(1, text);
        let bytes = png.encoder().bytes().to_vec();
        assert!(bytes.windows(7).any(|w| w == b"Somchai"));
        let checked = check(bytes, DEFAULT_MAX_BYTES, false).unwrap();
        assert_eq!(checked.media_type, MediaType::Png);
        assert!(!checked.bytes.windows(7).any(|w| w == b"Somchai"));
        assert!(image::load_from_memory(&checked.bytes).is_ok());
    }

    #[test]
    fn names_lose_their_folders_and_actions_are_positive_numbers() {
        assert_eq!(file_name(Some("C:\\fakepath\\ถนน.jpg")).unwrap().unwrap().as_str(), "ถนน.jpg");
        assert_eq!(file_name(Some("  ")).unwrap(), None);
        assert_eq!(action_sequence(Some("3")).unwrap(), Some(3));
        assert_eq!(action_sequence(Some("")).unwrap(), None);
        assert!(action_sequence(Some("-1")).is_err() && action_sequence(Some("x")).is_err());
    }
}
