//! The tamper-evident ledger: a projection that hashes every stored event and chains the hashes, the
//! digest handed to auditors, and the verification that recomputes the chain from the events table.
//!
//! `event_hash` = SHA-256 over the event's stored bytes, each field length-prefixed (see [`event_hash`]);
//! `chain_hash` = SHA-256(previous chain_hash ‖ event_hash), starting from 32 zero bytes. Both are
//! computed in the runner's gap-safe order, so the chain has one well-defined shape on both backends.
//!
//! What verification proves, and what it cannot:
//! - an event changed, deleted or slipped in below the ledger's checkpoint, while the ledger was left
//!   alone, is found and named by position;
//! - a ledger row altered on its own breaks the chain at that row (`ledger_mismatch`);
//! - someone able to write both tables can recompute the ledger from the altered events (the ledger is
//!   derived data; a rebuild does exactly that). Then the ledger agrees with the events and only a
//!   digest (`<position>:<chain_hash>`) kept *outside* the database catches it: the chain recomputed up
//!   to that position no longer equals it. A digest is one hash, so it says *that* history before its
//!   position changed, never *where*;
//! - an event appended at the end through an ordinary INSERT is indistinguishable from a real one: the
//!   chain proves the past was not rewritten, not that every append came from the application. The
//!   database role of the application, and who holds it, is what guards appends.

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::runner::Projection;
use santisuk_store::audit::{self, RawEvent};
use santisuk_store::db::{Db, DbTx};
use santisuk_store::error::StoreError;
use santisuk_store::events::{Checkpoint, StoredEvent};
use santisuk_store::{on_db, on_tx};

/// The chain before the first event.
pub const GENESIS: [u8; 32] = [0; 32];

/// The form of a digest on the command line and in `?digest=`.
pub const DIGEST_FORMAT: &str = "<position>:<64 hex digits>";

/// How many events or ledger rows verification reads per query: memory stays flat however long the log.
const VERIFY_PAGE: i64 = 2_000;

/// The ledger projection: one row per event, written by the runner in the same transaction as its
/// checkpoint, so the ledger covers exactly the events up to that checkpoint.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ledger;

impl Projection for Ledger {
    const NAME: &'static str = "ledger";

    /// One read of the chain's head per batch, the hashes chained in memory, and the rows written with
    /// multi-row inserts.
    async fn apply(&self, tx: &mut DbTx, events: &[StoredEvent]) -> Result<(), StoreError> {
        let last: Option<(i64, String)> = on_tx!(tx, t => sqlx::query_as(
            "SELECT seq, chain_hash FROM ledger ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **t).await?);
        let (mut seq, mut previous) = match last {
            None => (0, GENESIS),
            Some((seq, hex_chain)) => (
                seq,
                parse_hash(&hex_chain)
                    .ok_or_else(|| StoreError::corrupt(format!("ledger row {seq} has a malformed chain_hash")))?,
            ),
        };
        let mut rows = Vec::with_capacity(events.len());
        for event in events {
            // The hash covers the bytes as stored, which the runner read along with the parsed event.
            let raw = &event.raw;
            let event_hash = event_hash(raw);
            let chain_hash = chain_next(&previous, &event_hash);
            seq += 1;
            rows.push((seq, raw, hex::encode(event_hash), hex::encode(chain_hash)));
            previous = chain_hash;
        }
        // 6 parameters a row: far below both backends' limits.
        for chunk in rows.chunks(500) {
            let values = santisuk_store::db::values_placeholders(tx.backend(), chunk.len(), 6);
            let sql =
                format!("INSERT INTO ledger (seq, position, tx, event_hash, chain_hash, recorded_at) VALUES {values}");
            on_tx!(tx, t => {
                let mut q = sqlx::query(&sql);
                for (seq, raw, event_hash, chain_hash) in chunk {
                    q = q.bind(*seq).bind(raw.position).bind(raw.tx).bind(event_hash).bind(chain_hash)
                        .bind(&raw.recorded_at);
                }
                q.execute(&mut **t).await.map(|_| ())?
            });
        }
        Ok(())
    }

    const TABLES: &'static [&'static str] = &["ledger"];

    async fn reset(&self, tx: &mut DbTx) -> Result<(), StoreError> {
        on_tx!(tx, t => sqlx::query("DELETE FROM ledger").execute(&mut **t).await.map(|_| ())?);
        Ok(())
    }
}

/// SHA-256 over the event's stored bytes. Every field is written as its length (8 bytes, big-endian)
/// followed by its bytes, so no two different events encode the same (`"ab","c"` ≠ `"a","bc"`); numbers
/// are written as decimal text. The order: a version tag `santisuk-ledger-v1`, aggregate_type,
/// aggregate_id, sequence, event_type, event_version, payload, metadata, recorded_at, position.
/// Reproducible with any SHA-256 tool (see the README, "For auditors").
pub fn event_hash(e: &RawEvent) -> [u8; 32] {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(b"santisuk-ledger-v1");
    field(e.aggregate_type.as_bytes());
    field(e.aggregate_id.as_bytes());
    field(e.sequence.to_string().as_bytes());
    field(e.event_type.as_bytes());
    field(e.event_version.as_bytes());
    field(e.payload.as_bytes());
    field(e.metadata.as_bytes());
    field(e.recorded_at.as_bytes());
    field(e.position.to_string().as_bytes());
    h.finalize().into()
}

/// SHA-256(previous ‖ event_hash).
pub fn chain_next(previous: &[u8; 32], event_hash: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(event_hash);
    h.finalize().into()
}

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// A statement of the chain at one position, handed to an auditor to keep outside the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub position: i64,
    /// 64 lower-case hex digits.
    pub chain_hash: String,
}

impl Digest {
    /// Parses [`DIGEST_FORMAT`]: a position ≥ 0, a colon, and 64 hex digits (either case).
    pub fn parse(text: &str) -> Option<Digest> {
        let (position, hash) = text.trim().split_once(':')?;
        if !position_text_is_plain(position) {
            return None;
        }
        let position: i64 = position.parse().ok()?;
        let hash = hash.to_ascii_lowercase();
        parse_hash(&hash)?;
        Some(Digest { position, chain_hash: hash })
    }
}

/// `+5` and `05` parse as numbers but are not how a position is written; refuse them so one digest has
/// one spelling.
fn position_text_is_plain(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'))
}

/// The newest ledger row: what `GET /api/audit/digest` hands out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    /// The position of the last ledgered event (0 on an empty log).
    pub position: i64,
    pub chain_hash: String,
    /// That event's recorded time (null on an empty log).
    pub recorded_at: Option<String>,
}

/// The ledger's newest row (rows and checkpoint are committed together, so this is the checkpoint).
pub async fn head(db: &Db) -> Result<Head, StoreError> {
    let row: Option<(i64, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT position, chain_hash, recorded_at FROM ledger ORDER BY seq DESC LIMIT 1")
        .fetch_optional(p).await?);
    Ok(match row {
        Some((position, chain_hash, recorded_at)) => Head { position, chain_hash, recorded_at: Some(recorded_at) },
        None => Head { position: 0, chain_hash: hex::encode(GENESIS), recorded_at: None },
    })
}

/// One ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct LedgerRow {
    pub seq: i64,
    pub position: i64,
    pub tx: i64,
    pub event_hash: String,
    pub chain_hash: String,
    pub recorded_at: String,
}

impl LedgerRow {
    fn checkpoint(&self) -> Checkpoint {
        Checkpoint { tx: self.tx, position: self.position }
    }
}

/// Ledger rows after `after_seq` up to `upto_seq`, in order.
pub async fn rows(db: &Db, after_seq: i64, upto_seq: i64, limit: i64) -> Result<Vec<LedgerRow>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT seq, position, tx, event_hash, chain_hash, recorded_at FROM ledger \
         WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3")
        .bind(after_seq).bind(upto_seq).bind(limit).fetch_all(p).await?))
}

/// Why verification failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// An event's stored bytes no longer hash to its ledger row's event_hash.
    Changed,
    /// The ledger has a position the events table lacks.
    Deleted,
    /// An event at or below the ledger's checkpoint has no ledger row.
    Inserted,
    /// A ledger row does not follow from its event and the row before it: the ledger itself was altered.
    LedgerMismatch,
    /// The ledger agrees with the events, but the chain recomputed up to the digest's position does not
    /// equal the digest: both were rewritten consistently. Where is unknown.
    DigestMismatch,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub ok: bool,
    /// Events whose ledger row was found intact, in order, before the first problem.
    pub checked: i64,
    /// When intact: the ledger's checkpoint position and the chain recomputed up to it (a new digest).
    pub position: Option<i64>,
    pub chain_hash: Option<String>,
    /// When not intact: the first position found wrong (null when only the digest caught it).
    pub first_bad_position: Option<i64>,
    pub reason: Option<Reason>,
    /// A sentence for people.
    pub detail: Option<String>,
    /// Whether the events still hash to the digest given (null when none was given).
    pub digest_matches: Option<bool>,
}

/// A keyset-paged reader over one ordered source.
struct Pages<T> {
    buffer: std::collections::VecDeque<T>,
    done: bool,
}

impl<T> Pages<T> {
    fn new() -> Self {
        Pages { buffer: Default::default(), done: false }
    }

    /// Refills from `fetch` when empty; a short page means the source is exhausted.
    async fn peek<F, Fut>(&mut self, fetch: F) -> Result<Option<&T>, StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<T>, StoreError>>,
    {
        if self.buffer.is_empty() && !self.done {
            let page = fetch().await?;
            self.done = (page.len() as i64) < VERIFY_PAGE;
            self.buffer.extend(page);
        }
        Ok(self.buffer.front())
    }
}

/// Recomputes the chain from the events table and compares it, row by row, with the ledger, up to the
/// ledger's checkpoint; and, given a digest, whether the recomputed chain still passes through it.
///
/// Both sides are read in pages of [`VERIFY_PAGE`] with keyset cursors, one short query at a time: memory
/// stays flat, no transaction is held open (writers and the runners carry on), and a server answering
/// this request keeps serving others between pages. Rows below the checkpoint never change in normal
/// operation, so reading them page by page sees one consistent history.
pub async fn verify(db: &Db, digest: Option<&Digest>) -> Result<Verification, StoreError> {
    // The checkpoint and the seq of its ledger row, in one statement (one snapshot).
    let top: Option<(i64, i64, Option<i64>)> = on_db!(db, p => sqlx::query_as(
        "SELECT c.tx, c.position, l.seq FROM projection_checkpoints c \
         LEFT JOIN ledger l ON l.position = c.position WHERE c.name = $1")
        .bind(Ledger::NAME).fetch_optional(p).await?);
    let (upto, last_seq) = match top {
        None => (Checkpoint::default(), Some(0)),
        Some((tx, position, seq)) => (Checkpoint { tx, position }, seq),
    };

    let mut bad: Option<(i64, Reason, String)> = None;
    if last_seq.is_none() {
        bad = Some((
            upto.position,
            Reason::LedgerMismatch,
            format!("the ledger's checkpoint is position {} but the ledger has no row for it", upto.position),
        ));
    }
    let last_seq = last_seq.unwrap_or(0);
    let mut digest_matches = digest.filter(|d| d.position == 0).map(|d| d.chain_hash == hex::encode(GENESIS));

    let mut events: Pages<RawEvent> = Pages::new();
    let mut ledger: Pages<LedgerRow> = Pages::new();
    let (mut events_after, mut ledger_after) = (None, 0i64);
    let mut chain = GENESIS;
    let mut checked = 0i64;

    loop {
        let digest_pending = digest.is_some() && digest_matches.is_none();
        if bad.is_some() && !digest_pending {
            break;
        }
        let Some(event) = events.peek(|| audit::page(db, events_after, Some(upto), VERIFY_PAGE)).await?.cloned() else {
            break;
        };
        let event_hash = event_hash(&event);
        let next_chain = chain_next(&chain, &event_hash);
        if bad.is_none() {
            let row = ledger.peek(|| rows(db, ledger_after, last_seq, VERIFY_PAGE)).await?;
            let expected_seq = checked + 1;
            bad = match row {
                None => Some(inserted(&event)),
                Some(row) if row.checkpoint() < event.checkpoint() => Some(deleted(row)),
                Some(row) if row.checkpoint() > event.checkpoint() => Some(if row.seq == expected_seq {
                    inserted(&event)
                } else {
                    (
                        event.position,
                        Reason::LedgerMismatch,
                        format!(
                            "the event at position {} has no ledger row and the ledger skips from seq {} to {}: \
                             ledger rows were removed",
                            event.position, checked, row.seq
                        ),
                    )
                }),
                Some(row) if row.seq != expected_seq => Some((
                    event.position,
                    Reason::LedgerMismatch,
                    format!("the ledger row for position {} is numbered {}, not {expected_seq}", row.position, row.seq),
                )),
                Some(row) if row.event_hash != hex::encode(event_hash) && row.chain_hash == hex::encode(next_chain) => {
                    Some((
                        event.position,
                        Reason::LedgerMismatch,
                        format!(
                            "the ledger row for position {} records another event_hash, yet its chain_hash follows from \
                         the event as stored: the event is intact and the ledger row was altered",
                            event.position
                        ),
                    ))
                }
                Some(row) if row.event_hash != hex::encode(event_hash) => Some((
                    event.position,
                    Reason::Changed,
                    format!(
                        "the event at position {} ({} {}#{}) is not the one ledgered: its stored bytes hash \
                         differently (payload, metadata or another column was changed)",
                        event.position, event.aggregate_type, event.aggregate_id, event.sequence
                    ),
                )),
                Some(row) if row.chain_hash != hex::encode(next_chain) => Some((
                    event.position,
                    Reason::LedgerMismatch,
                    format!(
                        "the ledger row for position {} does not follow from the row before it: the ledger was \
                         altered here or in the row before (rewriting one row breaks the chain at the next)",
                        event.position
                    ),
                )),
                Some(row) => {
                    ledger_after = row.seq;
                    ledger.buffer.pop_front();
                    checked += 1;
                    None
                }
            };
        }
        chain = next_chain;
        if let Some(d) = digest.filter(|d| d.position == event.position && digest_matches.is_none()) {
            digest_matches = Some(d.chain_hash == hex::encode(chain));
        }
        events_after = Some(event.checkpoint());
        events.buffer.pop_front();
    }
    if bad.is_none() {
        // Every event is accounted for, yet the ledger goes on: those events are gone.
        bad = ledger.peek(|| rows(db, ledger_after, last_seq, VERIFY_PAGE)).await?.map(deleted);
    }
    let digest_detail = match (digest, digest_matches) {
        (Some(d), None) => {
            digest_matches = Some(false);
            Some(format!(
                "the log has no event at the digest's position {} (up to the ledger's checkpoint {})",
                d.position, upto.position
            ))
        }
        _ => None,
    };

    Ok(match bad {
        Some((position, reason, detail)) => Verification {
            ok: false,
            checked,
            position: None,
            chain_hash: None,
            first_bad_position: Some(position),
            reason: Some(reason),
            detail: Some(join(detail, digest_detail)),
            digest_matches,
        },
        None if digest_matches == Some(false) => {
            let d = digest.map(|d| d.position).unwrap_or_default();
            let detail = digest_detail.unwrap_or_else(|| {
                format!(
                    "the ledger agrees with the events, but the chain recomputed from the events up to position {d} \
                     differs from the digest: events at or before position {d} were changed, deleted or inserted \
                     and the ledger was rewritten to match. A digest is a single hash, so the first position where \
                     the history departs from it is unknown; compare with an export or backup from the digest's time"
                )
            });
            Verification {
                ok: false,
                checked,
                position: None,
                chain_hash: None,
                first_bad_position: None,
                reason: Some(Reason::DigestMismatch),
                detail: Some(detail),
                digest_matches,
            }
        }
        None => Verification {
            ok: true,
            checked,
            position: Some(upto.position),
            chain_hash: Some(hex::encode(chain)),
            first_bad_position: None,
            reason: None,
            detail: None,
            digest_matches,
        },
    })
}

fn inserted(event: &RawEvent) -> (i64, Reason, String) {
    (
        event.position,
        Reason::Inserted,
        format!(
            "the event at position {} ({} {}#{}) lies at or below the ledger's checkpoint but has no ledger row: \
             it was inserted behind the application's back",
            event.position, event.aggregate_type, event.aggregate_id, event.sequence
        ),
    )
}

fn deleted(row: &LedgerRow) -> (i64, Reason, String) {
    (
        row.position,
        Reason::Deleted,
        format!("the ledger has position {} but the events table does not: the event was deleted", row.position),
    )
}

fn join(detail: String, more: Option<String>) -> String {
    match more {
        Some(more) => format!("{detail}; {more}"),
        None => detail,
    }
}

/// Every ledger row as text, one per line (to compare a rebuild with the live table).
pub async fn dump(db: &Db) -> Result<String, StoreError> {
    let mut out = String::new();
    let mut after = 0;
    loop {
        let page = rows(db, after, i64::MAX, 10_000).await?;
        let Some(last) = page.last() else { return Ok(out) };
        after = last.seq;
        for r in &page {
            out.push_str(&format!(
                "{}|{}|{}|{}|{}|{}\n",
                r.seq, r.position, r.tx, r.event_hash, r.chain_hash, r.recorded_at
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> RawEvent {
        RawEvent {
            position: 7,
            tx: 0,
            aggregate_type: "Issue".into(),
            aggregate_id: "a".into(),
            sequence: 1,
            event_type: "IssueRaised".into(),
            event_version: "1.0".into(),
            payload: r#"{"IssueRaised":{}}"#.into(),
            metadata: "{}".into(),
            recorded_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn moving_bytes_between_fields_changes_the_hash() {
        let a = event();
        let mut b = event();
        b.aggregate_type = "Issuea".into();
        b.aggregate_id = String::new();
        assert_ne!(event_hash(&a), event_hash(&b));
    }

    #[test]
    fn the_event_hash_is_the_documented_encoding() {
        // Computed independently (Python hashlib, as in the README's "For auditors"). Changing the encoding would
        // break every ledger already written.
        assert_eq!(
            hex::encode(event_hash(&event())),
            "f1e29468fb0ec1ed9ac9bffa94caa72c45ae698b41e17f5c7133063d62436537"
        );
        let mut other = event();
        other.position = 8;
        assert_ne!(event_hash(&event()), event_hash(&other), "the position is hashed");
    }

    #[test]
    fn digests_parse_only_in_their_one_spelling() {
        let hash = "ab".repeat(32);
        assert_eq!(Digest::parse(&format!("42:{hash}")), Some(Digest { position: 42, chain_hash: hash.clone() }));
        assert_eq!(
            Digest::parse(&format!("0:{}", hash.to_uppercase())).map(|d| d.chain_hash),
            Some(hash.clone()),
            "hex is case-insensitive"
        );
        for bad in [
            "".to_owned(),
            "42".to_owned(),
            format!("-1:{hash}"),
            format!("+4:{hash}"),
            format!("042:{hash}"),
            format!("x:{hash}"),
            format!("42:{}", &hash[1..]),
            format!("42:{hash}00"),
            format!("42:{}", "zz".repeat(32)),
        ] {
            assert_eq!(Digest::parse(&bad), None, "{bad:?}");
        }
    }
}
