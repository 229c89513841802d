//! Photos and documents attached to an issue (issue #17 §4): the checked values an `AttachmentAdded` event
//! carries. The file itself never enters the log, only its SHA-256: the ledger's hash of the event then
//! covers the file, and the blob store keeps the bytes under that digest.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// The SHA-256 of a stored file: 64 lowercase hexadecimal digits (the key of the blob store).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FileDigest(String);

impl FileDigest {
    /// Accepts 64 hexadecimal digits in either case; keeps them lowercase, so one file has one name.
    pub fn parse(raw: &str) -> Result<FileDigest, ValueError> {
        let raw = raw.trim();
        if raw.len() != 64 || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ValueError::BadDigest);
        }
        Ok(FileDigest(raw.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kinds of file accepted: photos (JPEG, PNG, WebP) and PDF documents. The application finds the kind
/// from the file's content, never from its name or the type the client claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaType {
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
    #[serde(rename = "image/webp")]
    Webp,
    #[serde(rename = "application/pdf")]
    Pdf,
}

impl MediaType {
    pub const ALL: [MediaType; 4] = [MediaType::Jpeg, MediaType::Png, MediaType::Webp, MediaType::Pdf];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Pdf => "application/pdf",
        }
    }

    pub fn parse(raw: &str) -> Result<MediaType, ValueError> {
        MediaType::ALL.into_iter().find(|m| m.as_str() == raw).ok_or_else(|| ValueError::UnknownMediaType(raw.into()))
    }

    /// A photo (shown as a thumbnail), as opposed to a document (shown as a link).
    pub fn is_image(self) -> bool {
        !matches!(self, MediaType::Pdf)
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_64_hex_digits_kept_lowercase() {
        let d = FileDigest::parse(&"AB".repeat(32)).unwrap();
        assert_eq!(d.as_str(), "ab".repeat(32));
        assert_eq!(FileDigest::parse("abc"), Err(ValueError::BadDigest));
        assert_eq!(FileDigest::parse(&"zz".repeat(32)), Err(ValueError::BadDigest));
        assert_eq!(FileDigest::parse(&format!("../{}", "a".repeat(61))), Err(ValueError::BadDigest));
    }

    #[test]
    fn media_types_read_back_as_written() {
        for m in MediaType::ALL {
            assert_eq!(MediaType::parse(m.as_str()), Ok(m));
            assert_eq!(serde_json::to_value(m).unwrap(), serde_json::json!(m.as_str()));
        }
        assert!(MediaType::parse("text/html").is_err());
        assert!(!MediaType::Pdf.is_image() && MediaType::Jpeg.is_image());
    }
}
