//! Personal data (issue #15): complainants' person records, who may read them, erasure (by request or by
//! the retention rule), the data-subject access export and the rotation of the master key. The sealing
//! itself is the store's (`santisuk_store::vault`); what is sealed is the domain's
//! (`santisuk_domain::personal::sealed_fields`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Months, Utc};
use cqrs_es::Aggregate as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use santisuk_domain::issue::{EraseText, Issue, IssueAction, IssueCommand, IssueEvent};
use santisuk_domain::personal::{NationalId, PersonDetails, Phone, SubjectId, sealed_fields};
use santisuk_domain::values::{IssueStatus, Name, Text};
/// What a sealed text starts with in a stored payload (pages that show stored payloads hide such texts).
pub use santisuk_store::vault::SEALED_PREFIX;
/// The master key and the vault, for the binary that opens the database.
pub use santisuk_store::vault::{MasterKey, Vault, master_id_of};
use santisuk_store::{events, persons};

use crate::caller::{Caller, Role};
use crate::error::AppError;
use crate::issues::FieldErrors;
use crate::{AppState, now, schema};

// --- the complainant at raise ---------------------------------------------------------------------------

/// The complainant of a problem being raised: an existing person record (`subject_id`), or a new one
/// (`name` and optionally the rest). Absent altogether: raised anonymously, or on behalf of the group
/// named in `raised_by`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplainantRequest {
    /// Link a person already recorded (for another problem) instead of recording a new one.
    #[schema(format = Uuid)]
    pub subject_id: Option<String>,
    #[schema(value_type = Option<schema::Name>)]
    pub name: Option<String>,
    /// A Thai number: `081-234-5678`, `+66 81 234 5678`, `073 123 456`.
    pub phone: Option<String>,
    #[schema(value_type = Option<schema::Text>)]
    pub address: Option<String>,
    /// 13 digits, checked by their check digit.
    pub national_id: Option<String>,
    /// Free-text contact notes.
    #[schema(value_type = Option<schema::Text>)]
    pub notes: Option<String>,
}

/// Who the complainant is, once checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Complainant {
    /// A person recorded before; must exist and not be erased.
    Existing(SubjectId),
    /// A new record, stored just before the raise with this id.
    New(SubjectId, PersonDetails),
}

impl Complainant {
    pub fn subject(&self) -> SubjectId {
        match self {
            Complainant::Existing(s) | Complainant::New(s, _) => *s,
        }
    }
}

fn blank(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ComplainantRequest {
    /// Whether the form or request names nobody (every field blank): raised anonymously.
    pub fn is_empty(&self) -> bool {
        [&self.subject_id, &self.name, &self.phone, &self.address, &self.national_id, &self.notes]
            .iter()
            .all(|f| blank(f).is_none())
    }

    /// The checked complainant (`None` when nobody is named), or every field that is wrong. A new record
    /// gets `subject` as its id (the caller makes it up; a keyed raise derives it from the key, so a retry
    /// names the same record).
    pub fn into_complainant(self, subject: SubjectId) -> Result<Option<Complainant>, FieldErrors> {
        if self.is_empty() {
            return Ok(None);
        }
        let mut e = FieldErrors::new();
        if let Some(id) = blank(&self.subject_id) {
            let others = [&self.name, &self.phone, &self.address, &self.national_id, &self.notes];
            if others.iter().any(|f| blank(f).is_some()) {
                e.push((
                    "complainant.subject_id",
                    AppError::invalid(
                        "complainant_ambiguous",
                        "give either subject_id or a new person's details, not both",
                    ),
                ));
                return Err(e);
            }
            return match Uuid::parse_str(id) {
                Ok(u) => Ok(Some(Complainant::Existing(SubjectId(u)))),
                Err(_) => Err(vec![("complainant.subject_id", unknown_subject())]),
            };
        }
        let name = match blank(&self.name) {
            Some(n) => Name::parse(n).map_err(|err| e.push(("complainant.name", err.into()))).ok(),
            None => {
                e.push(("complainant.name", AppError::invalid("empty_value", "a complainant needs a name")));
                None
            }
        };
        // Each field parsed once: its error collected, its value kept.
        fn optional<T, E: Into<AppError>>(
            e: &mut FieldErrors,
            field: &'static str,
            raw: &Option<String>,
            parse: impl Fn(&str) -> Result<T, E>,
        ) -> Option<T> {
            blank(raw).and_then(|v| parse(v).map_err(|err| e.push((field, err.into()))).ok())
        }
        let phone = optional(&mut e, "complainant.phone", &self.phone, Phone::parse);
        let address = optional(&mut e, "complainant.address", &self.address, Text::parse);
        let national_id = optional(&mut e, "complainant.national_id", &self.national_id, NationalId::parse);
        let notes = optional(&mut e, "complainant.notes", &self.notes, Text::parse);
        match name {
            Some(name) if e.is_empty() => {
                let details = PersonDetails { name, phone, address, national_id, notes };
                Ok(Some(Complainant::New(subject, details)))
            }
            _ => Err(e),
        }
    }
}

fn unknown_subject() -> AppError {
    AppError::not_found("unknown_subject", "no such person record")
}

/// Makes sure the complainant can be named on a raise: an existing record must exist and not be erased; a
/// new one is stored (its details sealed) right before the command. A retried keyed raise stores nothing
/// twice (the record's id is derived from the key).
pub async fn prepare_complainant(state: &AppState, caller: &Caller, complainant: &Complainant) -> Result<(), AppError> {
    let vault = vault(state)?;
    match complainant {
        Complainant::Existing(subject) => match persons::get(&state.db, vault, &subject.to_string()).await? {
            Some(p) if p.erased_at.is_none() => Ok(()),
            Some(_) => Err(AppError::Conflict {
                code: "already_erased",
                message: "this person's data was erased; record the complainant anew".into(),
            }),
            None => Err(unknown_subject()),
        },
        Complainant::New(subject, details) => {
            let id = subject.to_string();
            if persons::get(&state.db, vault, &id).await?.is_some() {
                return Ok(());
            }
            let json = serde_json::to_string(details).map_err(|e| AppError::Internal(e.to_string()))?;
            persons::insert(&state.db, vault, &id, &json, &caller.user.id).await?;
            Ok(())
        }
    }
}

fn vault(state: &AppState) -> Result<&santisuk_store::vault::Vault, AppError> {
    state.db.vault().ok_or_else(|| AppError::Internal("the server runs without a master key".into()))
}

// --- reading a person -----------------------------------------------------------------------------------

/// A person record as the API shows it: the details, or that they were erased (when, by whom, why).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    #[schema(format = Uuid)]
    pub subject_id: String,
    /// Absent once erased.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub erased: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// Whether this role may read complainants' details at all (of the problems it may see): the people who
/// work the case. Auditors read the history, not the people in it.
pub fn reads_personal_data(caller: &Caller) -> bool {
    matches!(caller.user.role, Role::Admin | Role::Staff | Role::Coordinator)
}

async fn person_view(state: &AppState, subject: &str) -> Result<Option<PersonView>, AppError> {
    let Some(record) = persons::get(&state.db, vault(state)?, subject).await? else { return Ok(None) };
    let details: Option<PersonDetails> = match &record.details {
        Some(json) => Some(serde_json::from_str(json).map_err(|e| AppError::Internal(e.to_string()))?),
        None => None,
    };
    Ok(Some(PersonView {
        subject_id: record.subject_id,
        name: details.as_ref().map(|d| d.name.to_string()),
        phone: details.as_ref().and_then(|d| d.phone.as_ref().map(|p| p.as_str().to_owned())),
        address: details.as_ref().and_then(|d| d.address.as_ref().map(ToString::to_string)),
        national_id: details.as_ref().and_then(|d| d.national_id.as_ref().map(|n| n.as_str().to_owned())),
        notes: details.as_ref().and_then(|d| d.notes.as_ref().map(ToString::to_string)),
        erased: record.erased_at.is_some(),
        erased_at: record.erased_at,
        legal_basis: record.legal_basis,
        recorded_at: record.created_at,
    }))
}

/// The complainant of an issue the caller has already been allowed to read (the caller checks scope and
/// restriction first), if it names one and the caller's role may read people: recorded in the access log
/// before it is read.
pub async fn complainant_of(
    state: &AppState,
    caller: &Caller,
    issue_id: &str,
    subject: Option<&str>,
) -> Result<Option<PersonView>, AppError> {
    let Some(subject) = subject else { return Ok(None) };
    if !reads_personal_data(caller) {
        return Ok(None);
    }
    caller.record_read(state, "person", Some(subject), serde_json::json!({ "issue": issue_id })).await?;
    person_view(state, subject).await
}

/// The complainant of one issue the caller has been allowed to read (see [`complainant_of`]).
pub async fn complainant_for_issue(
    state: &AppState,
    caller: &Caller,
    issue_id: &str,
) -> Result<Option<PersonView>, AppError> {
    if !reads_personal_data(caller) {
        return Ok(None);
    }
    let subject = persons::complainants_of(&state.db, &[issue_id.to_owned()]).await?.into_iter().next().map(|(_, s)| s);
    complainant_of(state, caller, issue_id, subject.as_deref()).await
}

/// The complainant named by the raise of each of these issues (issue id → subject id).
pub async fn complainants(state: &AppState, issue_ids: &[String]) -> Result<HashMap<String, String>, AppError> {
    Ok(persons::complainants_of(&state.db, issue_ids).await?.into_iter().collect())
}

/// The person records of these subjects (for exports that include personal data), each read once.
pub async fn people(state: &AppState, subjects: &[String]) -> Result<HashMap<String, PersonView>, AppError> {
    let mut out = HashMap::new();
    for s in subjects {
        if out.contains_key(s) {
            continue;
        }
        if let Some(p) = person_view(state, s).await? {
            out.insert(s.clone(), p);
        }
    }
    Ok(out)
}

// --- exports --------------------------------------------------------------------------------------------

/// Whether an issue export holds personal data. Without it, an export leaves out the complainant and the
/// free texts that identify people (`description`, `raised_by`); with it, they are added and the reason
/// is part of the export's access-log entry (the query as sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportPersonal {
    Leave,
    Include,
}

/// The longest reason accepted for an export with personal data, in characters: a sentence, not a letter.
pub const EXPORT_REASON_MAX: usize = 500;

/// Checks an export's `personal` and `reason` parameters: `personal=include` needs a role that reads
/// personal data (403 otherwise, whatever the reason) and a reason (422 `reason_required`); `exclude` or
/// nothing leaves personal data out. A reason, whenever given, is one line of at most
/// [`EXPORT_REASON_MAX`] characters, not blank (`schema::ExportReason`).
pub fn export_personal(
    caller: &Caller,
    personal: Option<&str>,
    reason: Option<&str>,
) -> Result<ExportPersonal, AppError> {
    let include = match personal {
        None | Some("exclude") => false,
        Some("include") => true,
        Some(_) => return Err(AppError::invalid("bad_personal", "personal must be include or exclude")),
    };
    if include && !reads_personal_data(caller) {
        return Err(AppError::forbidden(format!(
            "a {} may not export personal data; leave out `personal=include`",
            caller.user.role.as_str()
        )));
    }
    let required = || {
        AppError::invalid(
            "reason_required",
            "an export with personal data needs a reason (`reason=`), recorded in the access log",
        )
    };
    match reason.map(str::trim) {
        None if include => Err(required()),
        Some("") if include => Err(required()),
        Some(r) if r.is_empty() || r.chars().count() > EXPORT_REASON_MAX || r.chars().any(char::is_control) => {
            Err(AppError::invalid(
                "bad_reason",
                format!("a reason is one line of at most {EXPORT_REASON_MAX} characters, not blank"),
            ))
        }
        _ if include => Ok(ExportPersonal::Include),
        _ => Ok(ExportPersonal::Leave),
    }
}

/// The complainant of each of these issues that names one (issue id → the record), for an export with
/// personal data: the caller has already been allowed it ([`export_personal`]) and the export is recorded.
pub async fn complainants_of_rows(
    state: &AppState,
    rows: &[crate::issues::IssueRow],
) -> Result<HashMap<String, PersonView>, AppError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let links = complainants(state, &ids).await?;
    let subjects: Vec<String> = links.values().cloned().collect();
    let people = people(state, &subjects).await?;
    Ok(links.into_iter().filter_map(|(issue, subject)| people.get(&subject).map(|p| (issue, p.clone()))).collect())
}

/// A problem a person raised, as the erasure's confirmation names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RaisedIssue {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
}

/// Every problem whose raise names `subject` as complainant, oldest first: what erasing the person erases
/// besides their record. Admins only (the web app's erasure confirmation lists them).
pub async fn issues_of_subject(state: &AppState, caller: &Caller, subject: &str) -> Result<Vec<RaisedIssue>, AppError> {
    caller.require(&[Role::Admin], "erase personal data")?;
    let mut out = Vec::new();
    for id in persons::issues_of(&state.db, subject).await? {
        // The read model may not have projected a raise of a moment ago: the id stands in for its number.
        let row = santisuk_projections::read_model::get_issue(&state.db, &id).await?;
        out.push(RaisedIssue { case_number: row.and_then(|r| r.case_number), id });
    }
    Ok(out)
}

// --- erasure --------------------------------------------------------------------------------------------

/// What an erasure did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErasureReport {
    pub subject: String,
    /// `person` (a complainant's record and the text of every problem they raised) or `issue` (one
    /// problem's text).
    pub kind: &'static str,
    pub person_erased: bool,
    pub issues: Vec<ErasedIssue>,
    pub legal_basis: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErasedIssue {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    /// Data keys destroyed.
    pub keys_destroyed: usize,
    /// Texts of this issue stored before sealing existed (unsealed, so not erasable without rewriting the
    /// log); 0 for everything written by this release.
    pub unsealed_texts: usize,
    /// The issue's version after the `PersonalDataErased` event.
    pub version: i64,
    /// Attached files (and thumbnails) deleted from the blob store: those no other issue still refers to.
    pub files_deleted: usize,
}

/// `POST /api/privacy/erase` and `santisuk privacy erase`: the subject is a person record's id, or an
/// issue's id or case number. Admins only.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseRequest {
    pub subject: String,
    /// Why (for example "PDPA s.33: request of the data subject, letter of 2 Dec 2026"). Recorded in the
    /// event; must not itself hold personal data.
    #[schema(value_type = schema::Text)]
    pub legal_basis: String,
}

/// Erases a subject's personal data (see [`EraseRequest`]).
pub async fn erase(state: &AppState, caller: &Caller, req: EraseRequest) -> Result<ErasureReport, AppError> {
    caller.require(&[Role::Admin], "erase personal data")?;
    let legal_basis = Text::parse(&req.legal_basis)?;
    erase_as(state, caller.metadata(), &caller.user.id, req.subject.trim(), legal_basis).await
}

/// A legal basis as given on the command line.
pub fn legal_basis(raw: &str) -> Result<Text, AppError> {
    Ok(Text::parse(raw)?)
}

/// [`erase`] for the operator's command line and the retention rule (no caller: the metadata says who).
pub async fn erase_as(
    state: &AppState,
    metadata: HashMap<String, String>,
    actor_id: &str,
    subject: &str,
    legal_basis: Text,
) -> Result<ErasureReport, AppError> {
    let vault = vault(state)?;
    if let Ok(uuid) = Uuid::parse_str(subject) {
        if let Some(person) = persons::get(&state.db, vault, &uuid.to_string()).await? {
            if person.erased_at.is_some() {
                return Err(already_erased());
            }
            let subject_id = SubjectId(uuid);
            // The record first: once its key is gone, nothing can bring the person back, whatever fails next.
            persons::erase(&state.db, vault, &person.subject_id, actor_id, legal_basis.as_str()).await?;
            let mut issues = Vec::new();
            for issue in persons::issues_of(&state.db, &person.subject_id).await? {
                issues.push(erase_issue(state, &metadata, &issue, Some(subject_id), &legal_basis).await?);
            }
            tracing::info!(subject = %subject_id, issues = issues.len(), "personal data erased");
            flush_log(state).await;
            return Ok(ErasureReport {
                subject: person.subject_id,
                kind: "person",
                person_erased: true,
                issues,
                legal_basis: legal_basis.to_string(),
            });
        }
    }
    let issue = match crate::issues::resolve_issue(state, subject).await {
        Ok(id) if santisuk_store::load::current_version(&state.db, Issue::TYPE, &id).await? > 0 => id,
        _ => return Err(unknown_subject()),
    };
    let erased = erase_issue(state, &metadata, &issue, None, &legal_basis).await?;
    tracing::info!(issue = %issue, keys = erased.keys_destroyed, "an issue's personal data erased");
    flush_log(state).await;
    Ok(ErasureReport {
        subject: issue,
        kind: "issue",
        person_erased: false,
        issues: vec![erased],
        legal_basis: legal_basis.to_string(),
    })
}

/// After an erasure, the read model's overwritten texts leave SQLite's write-ahead log too (see
/// `Db::flush_log`). The erasure is done whatever this says: a failure is logged, not answered.
async fn flush_log(state: &AppState) {
    match state.db.flush_log().await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            "after an erasure, readers kept the write-ahead log from being emptied; the next checkpoint does it"
        ),
        Err(e) => tracing::warn!(error = %e, "after an erasure, the write-ahead log could not be emptied"),
    }
}

fn already_erased() -> AppError {
    AppError::Conflict {
        code: "already_erased",
        message: "this subject's personal data has already been erased".into(),
    }
}

/// Destroys the live data keys of an issue's events and records `PersonalDataErased` in its stream. The
/// keys go first; the event is appended against the version the keys were read at, so a text sealed in
/// between (under a key not destroyed yet) makes the append fail and the round run again.
async fn erase_issue(
    state: &AppState,
    metadata: &HashMap<String, String>,
    issue: &str,
    subject: Option<SubjectId>,
    legal_basis: &Text,
) -> Result<ErasedIssue, AppError> {
    let vault = vault(state)?;
    let mut destroyed = Vec::new();
    for _ in 0..8 {
        let version = santisuk_store::load::current_version(&state.db, Issue::TYPE, issue).await?;
        let keys = vault.live_keys_of(&state.db, Issue::TYPE, issue).await?;
        vault.destroy(&state.db, &keys).await?;
        destroyed.extend(keys);
        destroyed.sort();
        destroyed.dedup();
        // What this process holds of the issue may be text that is erased now.
        state.aggregates.forget::<Issue>(issue);
        // One reading of the clock: two could straddle a millisecond and put `at` after `now`.
        let t = now();
        let command = IssueCommand {
            now: t,
            action: IssueAction::Erase(EraseText {
                subject,
                legal_basis: legal_basis.clone(),
                keys: destroyed.clone(),
                at: t,
            }),
        };
        match state.command::<Issue>(issue.to_owned(), command, metadata.clone(), Some(version)).await {
            Ok(done) => {
                let unsealed = unsealed_texts(state, issue).await?;
                // The files go with the text: their digests stay in the log (the ledger still verifies). Once
                // the read model has marked their rows erased, so none is served in between.
                crate::attachments::settle(state, done.checkpoint).await?;
                let files_deleted = crate::attachments::erase_files(state, issue).await?;
                return Ok(ErasedIssue {
                    id: issue.to_owned(),
                    case_number: done.aggregate.case_number().map(ToString::to_string),
                    keys_destroyed: destroyed.len(),
                    unsealed_texts: unsealed,
                    version: done.version,
                    files_deleted,
                });
            }
            Err(AppError::Conflict { code: "stale_version" | "concurrent_change", .. }) => continue,
            Err(AppError::Conflict { code: "already_erased", .. }) => return Err(already_erased()),
            Err(e) => return Err(e),
        }
    }
    Err(AppError::Unavailable { message: "the issue kept changing while it was being erased; try again".into() })
}

/// How many texts of an issue's stored events are not sealed (written before this release).
async fn unsealed_texts(state: &AppState, issue: &str) -> Result<usize, AppError> {
    let history = events::aggregate_history(&state.db, Issue::TYPE, issue).await?;
    let mut n = 0;
    for e in &history {
        let Ok(stored) = serde_json::from_str::<serde_json::Value>(&e.raw.payload) else { continue };
        let Some(inner) = stored.get(&e.event_type) else { continue };
        for path in sealed_fields(&e.event_type) {
            let value = path.iter().try_fold(inner, |v, k| v.get(*k));
            if let Some(serde_json::Value::String(s)) = value {
                if !s.starts_with(SEALED_PREFIX) {
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}

// --- retention ------------------------------------------------------------------------------------------

/// The complainants whose every problem has been closed for at least `months` months at `now`, and who
/// are not erased yet: what the retention rule erases.
pub async fn due_for_retention(state: &AppState, months: u32, now: DateTime<Utc>) -> Result<Vec<String>, AppError> {
    let cutoff = now.checked_sub_months(Months::new(months)).unwrap_or(now);
    let links = persons::unerased_links(&state.db).await?;
    let mut by_person: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (person, issue) in links {
        by_person.entry(person).or_default().push(issue);
    }
    let mut due = Vec::new();
    for (person, issues) in by_person {
        let mut all_closed_long_ago = true;
        for issue in &issues {
            let row = santisuk_projections::read_model::get_issue(&state.db, issue).await?;
            let closed_before_cutoff = row.is_some_and(|r| {
                r.status == IssueStatus::Closed
                    && r.closed_at
                        .as_deref()
                        .and_then(|c| events::parse_ts(c).ok())
                        .is_some_and(|closed| closed <= cutoff)
            });
            if !closed_before_cutoff {
                all_closed_long_ago = false;
                break;
            }
        }
        if all_closed_long_ago {
            due.push(person);
        }
    }
    Ok(due)
}

/// Applies the retention rule once: erases every complainant [`due_for_retention`]. Returns the erasures.
pub async fn apply_retention(state: &AppState, months: u32) -> Result<Vec<ErasureReport>, AppError> {
    let basis = Text::parse(&format!("retention: {months} months after the problems were closed (automatic)"))?;
    let metadata = HashMap::from([("actor".to_owned(), "retention".to_owned())]);
    let mut done = Vec::new();
    for person in due_for_retention(state, months, now()).await? {
        match erase_as(state, metadata.clone(), "retention", &person, basis.clone()).await {
            Ok(report) => done.push(report),
            // Erased by someone else in the meantime.
            Err(AppError::Conflict { code: "already_erased", .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

// --- the data-subject access request --------------------------------------------------------------------

/// Everything Santisuk holds about a person: the record, and each problem they raised with its history
/// (texts opened, or marked erased), and who read the record. Admins only; recorded in the access log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectExport {
    pub person: PersonView,
    pub issues: Vec<SubjectIssue>,
    pub exported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectIssue {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    /// Every event of the issue, as `{"type", "recorded_at", "data"}`.
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<serde_json::Value>,
}

/// `GET /api/privacy/subjects/{id}` and `santisuk privacy export --subject <id>`.
pub async fn export_subject(state: &AppState, caller: &Caller, subject: &str) -> Result<SubjectExport, AppError> {
    caller.require(&[Role::Admin], "export a person's data")?;
    caller.record_read(state, "person_export", Some(subject), serde_json::json!({})).await?;
    export_subject_as(state, subject).await
}

/// [`export_subject`] for the operator's command line.
pub async fn export_subject_as(state: &AppState, subject: &str) -> Result<SubjectExport, AppError> {
    let subject = Uuid::parse_str(subject.trim()).map_err(|_| unknown_subject())?.to_string();
    let person = person_view(state, &subject).await?.ok_or_else(unknown_subject)?;
    let mut issues = Vec::new();
    for id in persons::issues_of(&state.db, &subject).await? {
        let history = events::aggregate_history(&state.db, Issue::TYPE, &id).await?;
        let mut case_number = None;
        let mut out = Vec::new();
        for e in &history {
            if let Ok(IssueEvent::IssueRaised { case_number: Some(n), .. }) =
                serde_json::from_value::<IssueEvent>(e.payload.clone())
            {
                case_number = Some(n.to_string());
            }
            out.push(serde_json::json!({
                "type": e.event_type,
                "recorded_at": e.recorded_at,
                "data": e.payload.get(&e.event_type).cloned().unwrap_or_default(),
            }));
        }
        issues.push(SubjectIssue { id, case_number, events: out });
    }
    Ok(SubjectExport { person, issues, exported_at: now() })
}

// --- keys -----------------------------------------------------------------------------------------------

/// Re-wraps every data key with `new` (`santisuk privacy rotate-key`): the events are not touched. The
/// server must be restarted with the new key.
pub async fn rotate_master_key(state: &AppState, new: &MasterKey) -> Result<u64, AppError> {
    Ok(vault(state)?.rotate(&state.db, new).await?)
}
