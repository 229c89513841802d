//! The read model: areas, categories, forums and the issue list, derived from the events.
//!
//! Each row is built by a pure function of the events (`*_row`, [`IssueRow::apply`]); the SQL projection
//! and the in-memory fold used for as-of reports ([`Snapshot`]) share those functions, so both agree by
//! construction.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use santisuk_domain::agency::{AgencyEvent, Party};
use santisuk_domain::area::AreaEvent;
use santisuk_domain::category::CategoryEvent;
use santisuk_domain::forum::{ForumEvent, Participation};
use santisuk_domain::issue::IssueEvent;
use santisuk_domain::organisation::OrganisationEvent;
use santisuk_domain::routing::RoutingRuleEvent;
use santisuk_domain::time::bangkok_date;
use santisuk_domain::user::UserEvent;
use santisuk_domain::values::{IssueKind, IssueStatus};
use serde::{Deserialize, Serialize};

use santisuk_store::append::{InlineTable, RowValues, SqlValue};
use santisuk_store::bind_row;
use santisuk_store::db::{Backend, values_placeholders, values_placeholders_from};
use santisuk_store::db::{Db, DbTx, Reader};
use santisuk_store::error::StoreError;
use santisuk_store::events::{Covered, StoredEvent, fmt_ts};

use crate::agencies::{AgencyRow, RoutingRuleRow};
use crate::binds::placeholder;
use crate::changes::Changes;
use crate::custody::Custody;
use crate::runner::{Projection, at_event};
use santisuk_store::{on_db, on_reader, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AreaRow {
    pub id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    pub amphoe_code: String,
    pub province_code: String,
    pub tambon_code: Option<String>,
    pub registered_at: String,
    /// The area this one was reached from (ขยายผล), by its last `AreaReached` mark; none for a target area.
    pub reached_from: Option<String>,
    /// The day of that mark (`YYYY-MM-DD`).
    pub reached_on: Option<String>,
}

/// Also the API's `CategoryView`: the same shape, so the API answers the row itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = CategoryView)]
pub struct CategoryRow {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
    /// Every case of the category is restricted: its details are shown only to admins, to staff and
    /// auditors granted the category, and to whoever raised it.
    pub restricted: bool,
    /// `community`: offered when a community problem is raised; `obstacle`: when a coordinator raises an
    /// obstacle of their own work. An issue takes only a category of its own kind.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "community")]
    pub kind: IssueKind,
    /// The service level (issue #17 §2): days its problems may wait for a first assignment; `null`: no limit.
    pub days_to_assign: Option<i64>,
    /// Days its problems may stay open; `null`: no limit.
    pub days_to_resolve: Option<i64>,
}

/// Also the API's `ForumView`: the same shape, so the API answers the row itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ForumView)]
pub struct ForumRow {
    pub id: String,
    pub area_id: String,
    pub held_on: String,
    pub title: Option<String>,
    pub facilitator: Option<String>,
    /// The forum's head count, if counted.
    pub participants: Option<i64>,
    pub recorded_at: String,
    /// Who took part, by partner group; `null`: not recorded (every forum recorded before issue #16, and
    /// any recorded without it since).
    pub participation: Option<ParticipationRow>,
}

/// Who took part in a forum by SBPAC's four partner groups, beside the villagers (counts, never names).
/// Also the API's `ParticipationView`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = ParticipationView)]
pub struct ParticipationRow {
    /// SBPAC staff present (the host).
    pub sbpac_staff: i64,
    /// District coordinators present.
    pub coordinators: i64,
    /// The ids of the registry's organisations that took part, sorted.
    pub organisations: Vec<String>,
    /// Community leaders present, all roles together.
    pub leaders: i64,
    /// Community leaders present by role (`village_headman`, `kamnan`, `imam`, `teacher`, `elder`,
    /// `women_leader`, `youth_leader`, `other`); roles with none are left out.
    pub leaders_by_role: BTreeMap<String, i64>,
    /// Villagers present.
    pub villagers: i64,
    /// Of the villagers, the women, where counted.
    pub villagers_women: Option<i64>,
    /// Of the villagers, the men, where counted.
    pub villagers_men: Option<i64>,
}

/// The columns of `forums` as stored; [`ForumRow`] once its organisations are attached.
#[derive(Debug, sqlx::FromRow)]
struct ForumRecord {
    id: String,
    area_id: String,
    held_on: String,
    title: Option<String>,
    facilitator: Option<String>,
    participants: Option<i64>,
    recorded_at: String,
    participation_recorded: bool,
    sbpac_staff: Option<i64>,
    coordinators: Option<i64>,
    leaders: Option<i64>,
    leaders_by_role: Option<String>,
    villagers: Option<i64>,
    villagers_women: Option<i64>,
    villagers_men: Option<i64>,
}

const FORUM_COLUMNS: &str = "id, area_id, held_on, title, facilitator, participants, recorded_at, \
     participation_recorded, sbpac_staff, coordinators, leaders, leaders_by_role, villagers, villagers_women, villagers_men";

impl ForumRecord {
    /// The row, with the organisations that took part (`organisations`: forum id → ids, sorted).
    fn into_row(self, organisations: &mut BTreeMap<String, Vec<String>>) -> Result<ForumRow, StoreError> {
        let participation = if self.participation_recorded {
            let by_role = match &self.leaders_by_role {
                Some(json) => serde_json::from_str(json).map_err(StoreError::corrupt)?,
                None => BTreeMap::new(),
            };
            Some(ParticipationRow {
                sbpac_staff: self.sbpac_staff.unwrap_or(0),
                coordinators: self.coordinators.unwrap_or(0),
                organisations: organisations.remove(&self.id).unwrap_or_default(),
                leaders: self.leaders.unwrap_or(0),
                leaders_by_role: by_role,
                villagers: self.villagers.unwrap_or(0),
                villagers_women: self.villagers_women,
                villagers_men: self.villagers_men,
            })
        } else {
            None
        };
        Ok(ForumRow {
            id: self.id,
            area_id: self.area_id,
            held_on: self.held_on,
            title: self.title,
            facilitator: self.facilitator,
            participants: self.participants,
            recorded_at: self.recorded_at,
            participation,
        })
    }
}

impl ParticipationRow {
    /// The row of a participation record (already checked and in its stored form).
    pub fn of(p: &Participation) -> ParticipationRow {
        ParticipationRow {
            sbpac_staff: i64::from(p.sbpac_staff),
            coordinators: i64::from(p.coordinators),
            organisations: p.organisations.iter().map(ToString::to_string).collect(),
            leaders: i64::try_from(p.leaders_total()).unwrap_or(i64::MAX),
            leaders_by_role: p.leaders.iter().map(|(r, n)| (r.as_str().to_owned(), i64::from(*n))).collect(),
            villagers: i64::from(p.villagers),
            villagers_women: p.villagers_women.map(i64::from),
            villagers_men: p.villagers_men.map(i64::from),
        }
    }
}

/// Inserts a forum row (binds [`ForumRow::values`]); its organisations go to `forum_organisations`
/// ([`FORUM_ORGANISATION_INSERT`]).
pub(crate) const FORUM_INSERT: &str = "INSERT INTO forums (id, area_id, held_on, title, facilitator, participants, \
     recorded_at, participation_recorded, sbpac_staff, coordinators, leaders, leaders_by_role, villagers, \
     villagers_women, villagers_men) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

/// Replaces a forum's participation (binds [`ForumRow::participation_values`], then the forum's id).
const FORUM_PARTICIPATION_UPDATE: &str = "UPDATE forums SET participation_recorded = $1, sbpac_staff = $2, \
     coordinators = $3, leaders = $4, leaders_by_role = $5, villagers = $6, villagers_women = $7, villagers_men = $8 \
     WHERE id = $9";

/// One organisation that took part in a forum (binds the forum's id, then the organisation's).
pub(crate) const FORUM_ORGANISATION_INSERT: &str =
    "INSERT INTO forum_organisations (forum_id, organisation_id) VALUES ($1, $2)";

const FORUM_ORGANISATIONS_DELETE: &str = "DELETE FROM forum_organisations WHERE forum_id = $1";

impl ForumRow {
    /// The row's columns in [`FORUM_INSERT`] order.
    pub(crate) fn values(&self) -> RowValues {
        use SqlValue::{OptInt, OptText, Text};
        let mut v = vec![
            Text(self.id.clone()),
            Text(self.area_id.clone()),
            Text(self.held_on.clone()),
            OptText(self.title.clone()),
            OptText(self.facilitator.clone()),
            OptInt(self.participants),
            Text(self.recorded_at.clone()),
        ];
        v.extend(self.participation_values());
        v
    }

    /// The participation columns, in [`FORUM_PARTICIPATION_UPDATE`] order (all NULL: not recorded).
    pub(crate) fn participation_values(&self) -> RowValues {
        use SqlValue::{Bool, OptInt, OptText};
        let p = self.participation.as_ref();
        vec![
            Bool(p.is_some()),
            OptInt(p.map(|p| p.sbpac_staff)),
            OptInt(p.map(|p| p.coordinators)),
            OptInt(p.map(|p| p.leaders)),
            OptText(p.map(|p| serde_json::to_string(&p.leaders_by_role).unwrap_or_default())),
            OptInt(p.map(|p| p.villagers)),
            OptInt(p.and_then(|p| p.villagers_women)),
            OptInt(p.and_then(|p| p.villagers_men)),
        ]
    }

    /// The organisations that took part.
    pub fn organisations(&self) -> &[String] {
        self.participation.as_ref().map_or(&[], |p| &p.organisations)
    }
}

/// A civil-society organisation of the registry. Also the API's `OrganisationView`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = OrganisationView)]
pub struct OrganisationRow {
    pub id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    /// `foundation`, `association`, `womens_group`, `youth_group`, `religious_body`, `network`,
    /// `community_enterprise` or `other`.
    pub kind: String,
    /// `active`, or `proposed` (by a coordinator, until an admin or staff approves it).
    pub status: String,
    /// The target areas it works in, sorted.
    pub area_ids: Vec<String>,
    pub registered_at: String,
}

#[derive(Debug, sqlx::FromRow)]
struct OrganisationRecord {
    id: String,
    name_th: String,
    name_en: Option<String>,
    kind: String,
    status: String,
    registered_at: String,
}

/// Inserts an organisation row (binds [`OrganisationRow::values`]); its areas go to `organisation_areas`
/// ([`ORGANISATION_AREA_INSERT`]).
pub(crate) const ORGANISATION_INSERT: &str =
    "INSERT INTO organisations (id, name_th, name_en, kind, status, registered_at) VALUES ($1, $2, $3, $4, $5, $6)";

/// One area an organisation works in (binds the organisation's id, then the area's).
pub(crate) const ORGANISATION_AREA_INSERT: &str =
    "INSERT INTO organisation_areas (organisation_id, area_id) VALUES ($1, $2)";

impl OrganisationRow {
    /// The row's columns in [`ORGANISATION_INSERT`] order.
    pub(crate) fn values(&self) -> RowValues {
        use SqlValue::{OptText, Text};
        vec![
            Text(self.id.clone()),
            Text(self.name_th.clone()),
            OptText(self.name_en.clone()),
            Text(self.kind.clone()),
            Text(self.status.clone()),
            Text(self.registered_at.clone()),
        ]
    }

    /// Folds one of its events into the row (`None` before it is registered): shared by the projection
    /// and the as-of [`Snapshot`].
    fn fold(row: Option<OrganisationRow>, event: &StoredEvent, e: &OrganisationEvent) -> Option<OrganisationRow> {
        let areas = |ids: &[santisuk_domain::values::AreaId]| ids.iter().map(ToString::to_string).collect();
        match (row, e) {
            (_, OrganisationEvent::OrganisationRegistered { name_th, name_en, kind, area_ids, proposed }) => {
                Some(OrganisationRow {
                    id: event.aggregate_id.clone(),
                    name_th: name_th.to_string(),
                    name_en: name_en.as_ref().map(ToString::to_string),
                    kind: kind.as_str().to_owned(),
                    status: if *proposed { "proposed" } else { "active" }.to_owned(),
                    area_ids: areas(area_ids),
                    registered_at: fmt_ts(event.recorded_at),
                })
            }
            (Some(mut row), OrganisationEvent::OrganisationApproved {}) => {
                row.status = "active".to_owned();
                Some(row)
            }
            (Some(mut row), OrganisationEvent::OrganisationUpdated { name_th, name_en, kind, area_ids }) => {
                row.name_th = name_th.to_string();
                row.name_en = name_en.as_ref().map(ToString::to_string);
                row.kind = kind.as_str().to_owned();
                row.area_ids = areas(area_ids);
                Some(row)
            }
            (None, _) => None,
        }
    }
}

/// One issue as the lists and the detail page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IssueRow {
    pub id: String,
    pub area_id: String,
    pub category: String,
    pub title: String,
    pub description: Option<String>,
    pub forum_id: Option<String>,
    pub raised_by: Option<String>,
    /// `PTN-2569-00123`; `None` for issues raised before case numbers (`IssueRaised` 1.0).
    pub case_number: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: IssueStatus,
    pub assignee: Option<String>,
    pub due_on: Option<String>,
    pub outcome: Option<String>,
    /// `at` of `IssueRaised`.
    pub raised_at: String,
    /// The Asia/Bangkok date of `raised_at` (statistics windows and fiscal years use it).
    pub raised_on: String,
    /// `at` of the last `IssueClosed` while the issue is closed.
    pub closed_at: Option<String>,
    /// The case itself is marked restricted (it is also restricted while its category is).
    pub restricted: bool,
    /// The id of the user who raised it (the `actor_id` of `IssueRaised`'s metadata): a restricted case
    /// stays visible to them.
    pub raised_by_user: Option<String>,
    /// A community problem, or a coordinator's own obstacle (seen only by admins, staff, auditors and the
    /// coordinator who raised it; counted in no community list or statistic).
    #[sqlx(try_from = "String")]
    pub kind: IssueKind,
    /// The agency the last assignment referred the problem to (none: a person, or not assigned).
    pub agency_id: Option<String>,
    /// Who the problem waits for now: `sbpac`, `agency` or `community`; none while closed.
    pub waiting_for: Option<String>,
    /// Who it waited for, when (ball in court; see [`crate::custody`]).
    #[sqlx(try_from = "String")]
    pub custody: Custody,
    /// How far up the chain the problem has been escalated (issue #17 §2): 0 the district coordinator,
    /// 1 the provincial office, 2 the SBPAC centre. Never goes down.
    pub escalation_level: i64,
    /// Who is responsible at that level (`None` at level 0: the assignee, as before).
    pub responsible: Option<String>,
    /// `at` of the first assignment: the assignment deadline was met or missed by it.
    pub assigned_at: Option<String>,
    /// Issue #17 §3: the original, while this problem is marked a duplicate of it.
    pub duplicate_of: Option<String>,
    /// Issue #17 §6: the community's verdict on the current closure (`confirmed`, `disputed`, `not_asked`),
    /// the forum it was given at and when (`at`). Cleared by the next close or reopen; a dispute, which
    /// reopens the problem, stays until then.
    pub verdict: Option<String>,
    pub verdict_forum_id: Option<String>,
    pub verdict_at: Option<String>,
    pub version: i64,
    pub last_position: i64,
}

impl IssueRow {
    /// A community problem just raised at `at`, with nothing else known: the base every row starts from
    /// (and what tests build their rows on, so that a new column is added in one place).
    pub fn open(id: &str, area_id: &str, category: &str, title: &str, at: chrono::DateTime<chrono::Utc>) -> IssueRow {
        IssueRow {
            id: id.to_owned(),
            area_id: area_id.to_owned(),
            category: category.to_owned(),
            title: title.to_owned(),
            description: None,
            forum_id: None,
            raised_by: None,
            case_number: None,
            status: IssueStatus::Raised,
            assignee: None,
            due_on: None,
            outcome: None,
            raised_at: fmt_ts(at),
            raised_on: bangkok_date(at).to_string(),
            closed_at: None,
            restricted: false,
            // Not in the event: the fold that creates the row sets it from the event's metadata.
            raised_by_user: None,
            kind: IssueKind::default(),
            agency_id: None,
            waiting_for: Some(Party::Sbpac.as_str().to_owned()),
            custody: Custody::raised(at),
            escalation_level: 0,
            responsible: None,
            assigned_at: None,
            duplicate_of: None,
            verdict: None,
            verdict_forum_id: None,
            verdict_at: None,
            version: 1,
            last_position: 1,
        }
    }

    /// The row an `IssueRaised` creates; `None` for any other event (it needs an existing row).
    pub fn raised(id: &str, event: &IssueEvent, sequence: i64, position: i64) -> Option<IssueRow> {
        let IssueEvent::IssueRaised {
            area_id,
            category,
            title,
            description,
            forum_id,
            raised_by,
            at,
            case_number,
            restricted,
            kind,
            ..
        } = event
        else {
            return None;
        };
        Some(IssueRow {
            description: description.as_ref().map(ToString::to_string),
            forum_id: forum_id.map(|f| f.to_string()),
            raised_by: raised_by.as_ref().map(ToString::to_string),
            case_number: case_number.as_ref().map(ToString::to_string),
            restricted: *restricted,
            kind: *kind,
            version: sequence,
            last_position: position,
            ..IssueRow::open(id, &area_id.to_string(), &category.to_string(), &title.to_string(), *at)
        })
    }

    /// Folds a later event into the row.
    pub fn apply(&mut self, event: &IssueEvent, sequence: i64, position: i64) {
        match event {
            IssueEvent::IssueRaised { .. } => {}
            IssueEvent::IssueAssigned { assignee, due_on, agency, at, .. } => {
                if self.assigned_at.is_none() {
                    self.assigned_at = Some(fmt_ts(*at));
                }
                self.status = IssueStatus::Assigned;
                self.assignee = Some(assignee.to_string());
                self.due_on = due_on.map(|d| d.to_string());
                self.agency_id = agency.map(|a| a.to_string());
                self.custody.hand_to(Party::by_default(agency.is_some()), self.agency_id.as_deref(), *at);
            }
            IssueEvent::IssueAddressed { .. } => self.status = IssueStatus::Addressed,
            IssueEvent::IssueClosed { outcome, at, .. } => {
                self.status = IssueStatus::Closed;
                self.outcome = Some(outcome.as_str().to_owned());
                self.closed_at = Some(fmt_ts(*at));
                self.custody.end(*at);
                // A new closure awaits its own verdict.
                self.clear_verdict();
            }
            IssueEvent::IssueReopened { at, .. } => {
                self.reopen(*at);
                self.clear_verdict();
            }
            // The row holds what the record says now; statistics read the row, so a corrected category
            // moves the problem to its new group.
            IssueEvent::IssueCorrected { title, description, category, .. } => {
                if let Some(c) = title {
                    self.title = c.to.to_string();
                }
                if let Some(c) = description {
                    self.description = c.to.as_ref().map(ToString::to_string);
                }
                if let Some(c) = category {
                    self.category = c.to.to_string();
                }
            }
            // The row's free text reads as erased at once (the inline write of the erasure), as a rebuild
            // would read it from the sealed events whose keys are gone.
            IssueEvent::PersonalDataErased { .. } => {
                let erased = santisuk_domain::personal::ERASED;
                for text in [&mut self.description, &mut self.raised_by].into_iter().flatten() {
                    *text = erased.to_owned();
                }
            }
            IssueEvent::IssueRestrictionChanged { restricted, .. } => self.restricted = *restricted,
            IssueEvent::IssueWaitingChanged { waiting_for, at, .. } => {
                self.custody.hand_to(*waiting_for, self.agency_id.as_deref(), *at);
            }
            IssueEvent::IssueEscalated { level, responsible, .. } => {
                if i64::from(*level) > self.escalation_level {
                    self.escalation_level = i64::from(*level);
                    self.responsible = Some(responsible.to_string());
                }
            }
            IssueEvent::IssueMarkedDuplicate { of, at, .. } => {
                self.status = IssueStatus::Closed;
                self.outcome = Some(santisuk_domain::values::Outcome::Duplicate.as_str().to_owned());
                self.closed_at = Some(fmt_ts(*at));
                self.duplicate_of = Some(of.to_string());
                self.custody.end(*at);
                self.clear_verdict();
            }
            IssueEvent::CommunityVerdictRecorded { forum_id, verdict, at, .. } => {
                if *verdict == santisuk_domain::verdict::Verdict::Disputed {
                    self.reopen(*at);
                }
                self.verdict = Some(verdict.as_str().to_owned());
                self.verdict_forum_id = Some(forum_id.to_string());
                self.verdict_at = Some(fmt_ts(*at));
            }
            // Files are rows of their own (`attachments`); the issue's row only moves to the new version.
            IssueEvent::AttachmentAdded { .. } => {}
        }
        // One definition of "waiting for now": the open span (none while closed).
        self.waiting_for = self.custody.current().map(|p| p.as_str().to_owned());
        self.version = sequence;
        self.last_position = position;
    }
}

impl IssueRow {
    /// What the escalation rule needs to know about the problem (issue #17 §2), from the row.
    pub fn escalation_facts(&self) -> Option<santisuk_domain::escalation::Facts> {
        let ts = |t: &str| santisuk_store::events::parse_ts(t).ok();
        Some(santisuk_domain::escalation::Facts {
            raised_at: ts(&self.raised_at)?,
            first_assigned_at: self.assigned_at.as_deref().and_then(ts),
            open: self.status != IssueStatus::Closed,
        })
    }

    /// Whether the problem is overdue at `now` under its category's service level, and for which limit.
    pub fn overdue(
        &self,
        level: &santisuk_domain::service_level::ServiceLevel,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<santisuk_domain::escalation::Breach> {
        santisuk_domain::escalation::overdue(&self.escalation_facts()?, level, now)
    }

    /// Raises the row to the level the rule says was due at `now` (never lowers it): an as-of read shows
    /// what was escalated on that day even when the escalator recorded it later. `province_th` names the
    /// provincial office.
    pub fn escalate_to_due(
        &mut self,
        level: &santisuk_domain::service_level::ServiceLevel,
        now: chrono::DateTime<chrono::Utc>,
        province_th: &str,
    ) {
        let Some(facts) = self.escalation_facts() else { return };
        let due = i64::from(santisuk_domain::escalation::level_due(&facts, level, now));
        if due > self.escalation_level {
            self.escalation_level = due;
            self.responsible = santisuk_domain::escalation::responsible(due as u8, province_th).map(|n| n.to_string());
        }
    }
}

impl IssueRow {
    /// Open again at `at` (a reopen, or a disputed verdict): back to assigned if it has an assignee, else
    /// raised; no outcome, no closure, no longer anyone's duplicate; waiting again for the party it waits for
    /// by default (#17 §1's custody).
    fn reopen(&mut self, at: chrono::DateTime<chrono::Utc>) {
        self.status = if self.assignee.is_some() { IssueStatus::Assigned } else { IssueStatus::Raised };
        self.outcome = None;
        self.closed_at = None;
        self.duplicate_of = None;
        let party = Party::by_default(self.agency_id.is_some());
        self.custody.reopen(party, self.agency_id.as_deref(), at);
    }

    fn clear_verdict(&mut self) {
        self.verdict = None;
        self.verdict_forum_id = None;
        self.verdict_at = None;
    }
}

/// A stored event decoded into the domain event of its aggregate.
#[derive(Debug)]
enum Decoded {
    Issue(IssueEvent),
    Forum(ForumEvent),
    Area(AreaEvent),
    Category(CategoryEvent),
    User(UserEvent),
    Organisation(OrganisationEvent),
    Agency(AgencyEvent),
    RoutingRule(RoutingRuleEvent),
}

/// Decodes a stored event, bringing an older version to the current shape first (`versions::upcast`). An
/// unknown version is refused: the reader stops at this event (the runner names its position) rather than
/// guess what it means.
fn decode(event: &StoredEvent) -> Result<Decoded, StoreError> {
    use cqrs_es::Aggregate;
    let bad = |e: serde_json::Error| StoreError::corrupt(format!("cannot decode {}: {e}", event.event_type));
    let upcast;
    // Deserialised from a reference to the parsed payload: no copy of it per event of the current version.
    let payload = if event.event_version == santisuk_domain::versions::current(&event.event_type) {
        &event.payload
    } else {
        upcast = santisuk_domain::versions::upcast(&event.event_type, &event.event_version, event.payload.clone())
            .map_err(|e| StoreError::corrupt(e.to_string()))?;
        &upcast
    };
    Ok(match event.aggregate_type.as_str() {
        santisuk_domain::issue::Issue::TYPE => Decoded::Issue(IssueEvent::deserialize(payload).map_err(bad)?),
        santisuk_domain::forum::Forum::TYPE => Decoded::Forum(ForumEvent::deserialize(payload).map_err(bad)?),
        santisuk_domain::area::Area::TYPE => Decoded::Area(AreaEvent::deserialize(payload).map_err(bad)?),
        santisuk_domain::category::Category::TYPE => {
            Decoded::Category(CategoryEvent::deserialize(payload).map_err(bad)?)
        }
        santisuk_domain::user::User::TYPE => Decoded::User(UserEvent::deserialize(payload).map_err(bad)?),
        santisuk_domain::organisation::Organisation::TYPE => {
            Decoded::Organisation(OrganisationEvent::deserialize(payload).map_err(bad)?)
        }
        santisuk_domain::agency::Agency::TYPE => Decoded::Agency(AgencyEvent::deserialize(payload).map_err(bad)?),
        santisuk_domain::routing::RoutingRule::TYPE => {
            Decoded::RoutingRule(RoutingRuleEvent::deserialize(payload).map_err(bad)?)
        }
        other => return Err(StoreError::corrupt(format!("unknown aggregate type {other:?}"))),
    })
}

/// The row an `AreaRegistered` creates; `None` for a later event (it changes the existing row, see
/// [`AreaRow::apply`]).
fn area_row(event: &StoredEvent, e: &AreaEvent) -> Option<AreaRow> {
    match e {
        AreaEvent::AreaRegistered { name_th, name_en, amphoe_code, province_code, tambon_code } => Some(AreaRow {
            id: event.aggregate_id.clone(),
            name_th: name_th.to_string(),
            name_en: name_en.as_ref().map(ToString::to_string),
            amphoe_code: amphoe_code.as_str().to_owned(),
            province_code: province_code.clone(),
            tambon_code: tambon_code.as_ref().map(|t| t.as_str().to_owned()),
            registered_at: fmt_ts(event.recorded_at),
            reached_from: None,
            reached_on: None,
        }),
        AreaEvent::AreaReached { .. } => None,
    }
}

/// Inserts an area row (binds [`AreaRow::values`]).
pub(crate) const AREA_INSERT: &str = "INSERT INTO areas (id, name_th, name_en, amphoe_code, province_code, tambon_code, registered_at, \
     reached_from, reached_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

/// Records an area's spreading mark (binds from, on, then the id).
const AREA_REACH: &str = "UPDATE areas SET reached_from = $1, reached_on = $2 WHERE id = $3";

/// The columns of an area row, in [`AreaRow`] order.
const AREA_COLUMNS: &str =
    "id, name_th, name_en, amphoe_code, province_code, tambon_code, registered_at, reached_from, reached_on";

/// Inserts a category row (binds [`CategoryRow::values`]).
pub(crate) const CATEGORY_INSERT: &str = "INSERT INTO categories (code, name_th, name_en, restricted, kind, days_to_assign, days_to_resolve) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Sets a category's service level (binds days to assign, days to resolve, then the code).
const CATEGORY_SERVICE_LEVEL: &str = "UPDATE categories SET days_to_assign = $1, days_to_resolve = $2 WHERE code = $3";

/// Marks a category restricted or not (binds the flag, then the code).
const CATEGORY_RESTRICT: &str = "UPDATE categories SET restricted = $1 WHERE code = $2";

impl AreaRow {
    /// The row's columns in [`AREA_INSERT`] order.
    pub(crate) fn values(&self) -> RowValues {
        use SqlValue::{OptText, Text};
        vec![
            Text(self.id.clone()),
            Text(self.name_th.clone()),
            OptText(self.name_en.clone()),
            Text(self.amphoe_code.clone()),
            Text(self.province_code.clone()),
            OptText(self.tambon_code.clone()),
            Text(self.registered_at.clone()),
            OptText(self.reached_from.clone()),
            OptText(self.reached_on.clone()),
        ]
    }

    /// Folds a later event of the area into its row (the projection's `UPDATE` does the same in SQL).
    fn apply(&mut self, e: &AreaEvent) {
        match e {
            AreaEvent::AreaRegistered { .. } => {}
            AreaEvent::AreaReached { from, on } => {
                self.reached_from = Some(from.to_string());
                self.reached_on = Some(on.to_string());
            }
        }
    }
}

impl CategoryRow {
    /// The row's columns in [`CATEGORY_INSERT`] order.
    pub(crate) fn values(&self) -> RowValues {
        vec![
            SqlValue::Text(self.code.clone()),
            SqlValue::Text(self.name_th.clone()),
            SqlValue::Text(self.name_en.clone()),
            SqlValue::Bool(self.restricted),
            SqlValue::Text(self.kind.as_str().to_owned()),
            SqlValue::OptInt(self.days_to_assign),
            SqlValue::OptInt(self.days_to_resolve),
        ]
    }

    /// The service level in force, as the escalation rule takes it.
    pub fn service_level(&self) -> santisuk_domain::service_level::ServiceLevel {
        let days = |d: Option<i64>| d.and_then(|d| u32::try_from(d).ok());
        santisuk_domain::service_level::ServiceLevel {
            days_to_assign: days(self.days_to_assign),
            days_to_resolve: days(self.days_to_resolve),
        }
    }
}

/// The row a `CategoryAdded` creates; `None` for a later event (it changes the existing row).
fn category_row(event: &StoredEvent, e: &CategoryEvent) -> Option<CategoryRow> {
    match e {
        CategoryEvent::CategoryAdded { name_th, name_en, kind } => Some(CategoryRow {
            code: event.aggregate_id.clone(),
            name_th: name_th.to_string(),
            name_en: name_en.to_string(),
            restricted: false,
            kind: *kind,
            days_to_assign: None,
            days_to_resolve: None,
        }),
        CategoryEvent::CategoryRestrictionChanged { .. } | CategoryEvent::ServiceLevelSet { .. } => None,
    }
}

/// Folds one forum event into its row (`None` before it is held): shared by the projection and the as-of
/// [`Snapshot`]. A later participation record replaces the earlier one whole.
fn fold_forum(row: Option<ForumRow>, event: &StoredEvent, e: &ForumEvent) -> Option<ForumRow> {
    match (row, e) {
        (_, ForumEvent::ForumHeld { area_id, held_on, title, facilitator, head_count, participation }) => {
            Some(ForumRow {
                id: event.aggregate_id.clone(),
                area_id: area_id.to_string(),
                held_on: held_on.to_string(),
                title: title.as_ref().map(ToString::to_string),
                facilitator: facilitator.as_ref().map(ToString::to_string),
                participants: head_count.map(i64::from),
                recorded_at: fmt_ts(event.recorded_at),
                participation: participation.as_ref().map(ParticipationRow::of),
            })
        }
        (Some(mut row), ForumEvent::ForumParticipationRecorded { participation, .. }) => {
            row.participation = Some(ParticipationRow::of(participation));
            Some(row)
        }
        (None, ForumEvent::ForumParticipationRecorded { .. }) => None,
    }
}

/// The SQL projection over the tables `areas`, `categories`, `forums`, `issues` and the users' tables.
/// It bumps [`Changes`] after every batch it commits, so caches of what it holds drop their entries.
#[derive(Debug, Clone, Default)]
pub struct ReadModel {
    changes: Changes,
    /// When this process last folded the statistics counters' changes ([`crate::stats::compact`]).
    compacted: Arc<Mutex<Option<std::time::Instant>>>,
}

impl ReadModel {
    /// The projection, reporting its changes to `changes` (shared with the caches that depend on it).
    pub fn new(changes: Changes) -> ReadModel {
        ReadModel { changes, compacted: Arc::default() }
    }
}

/// How often the runner folds the statistics counters' changes into their cells: readers add up the
/// changes not yet folded, so this bounds their number (about a second of commands), not the freshness.
const COMPACT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl Projection for ReadModel {
    const NAME: &'static str = "read_model";

    /// Issues are folded in memory and written once per batch: the rows the batch touches are loaded in
    /// one query, the events are folded with [`IssueRow::apply`] (the function the as-of [`Snapshot`] and
    /// the command path use), and the rows that moved are written back with one multi-row upsert. A
    /// command writes its issue's row in the same statement as its events (the inline table, [`IssueTable`]), so in
    /// live running the rows are already there and nothing is written: the fold skips every event at or
    /// below a row's version. The runner still owns the rows in a rebuild, and heals any row a writer
    /// without the inline write (an older release, an SQL import) left behind. Reference data and users
    /// are rare and written event by event.
    async fn apply(&self, tx: &mut DbTx, events: &[StoredEvent]) -> Result<(), StoreError> {
        self.project(tx, events, false).await
    }

    /// Folds the statistics counters' changes at most every [`COMPACT_EVERY`] (see `stats::compact`).
    async fn tend(&self, tx: &mut DbTx) -> Result<(), StoreError> {
        if crate::runner::due(&self.compacted, COMPACT_EVERY) {
            crate::stats::compact(tx).await?;
        }
        Ok(())
    }

    /// In a rebuild the issue table holds only what earlier batches of the rebuild wrote: an issue raised in
    /// this batch has no row yet, so only the others are looked up (the lookups of rows the rebuild has
    /// just deleted made a rebuild 5× slower).
    async fn replay(&self, tx: &mut DbTx, events: &[StoredEvent]) -> Result<(), StoreError> {
        self.project(tx, events, true).await
    }

    /// In live running an issue event whose row already holds it (the command wrote the row with it) is
    /// not read back: [`Projection::apply`] would decode it, load the row and skip it. A row that is missing
    /// or behind gets its events in full and is healed; attachments and erasures are always read (they
    /// write the `attachments` table, which commands do not).
    const COVERED: Option<Covered> = Some(Covered {
        aggregate_type: <santisuk_domain::issue::Issue as cqrs_es::Aggregate>::TYPE,
        table: "issues",
        always: crate::attachments::EVENT_TYPES,
    });

    /// Cached token lookups (`users::TokenCache`) are dropped after any batch that changed users, and
    /// cached statistics (`stats::StatsCache`) after any batch at all, covered events included (another
    /// instance's commands wrote those rows).
    fn committed(&self, events: &[StoredEvent], covered: usize) {
        use cqrs_es::Aggregate;
        if events.iter().any(|e| e.aggregate_type == santisuk_domain::user::User::TYPE) {
            self.changes.users_changed();
        } else if !events.is_empty() || covered > 0 {
            self.changes.read_model_changed();
        }
    }

    async fn finish_rebuild(&self, tx: &mut DbTx) -> Result<(), StoreError> {
        crate::stats::recount(tx).await
    }

    fn rebuilt(&self) {
        self.changes.users_changed();
    }

    /// Another instance projected: whatever it applied may have changed users too.
    fn advanced_elsewhere(&self) {
        self.changes.users_changed();
    }

    const TABLES: &'static [&'static str] = &[
        "routing_rules",
        "agency_districts",
        "agencies",
        "attachments",
        "issues",
        "issue_counts",
        "issue_count_changes",
        "forum_organisations",
        "forums",
        "organisation_areas",
        "organisations",
        "categories",
        "areas",
        "users",
    ];

    /// The statistics counters' triggers are paused for the rebuild's transaction first (every row is
    /// rewritten; [`Projection::finish_rebuild`] recounts them once at the end).
    async fn reset(&self, tx: &mut DbTx) -> Result<(), StoreError> {
        crate::stats::pause_counting(tx).await?;
        for table in Self::TABLES {
            on_tx!(tx, t => sqlx::query(&format!("DELETE FROM {table}")).execute(&mut **t).await.map(|_| ())?);
        }
        Ok(())
    }
}

impl ReadModel {
    /// One batch; `fresh` in a rebuild (see [`Projection::replay`]).
    async fn project(&self, tx: &mut DbTx, events: &[StoredEvent], fresh: bool) -> Result<(), StoreError> {
        let decoded =
            events.iter().map(|e| decode(e).map_err(|err| at_event(e, err))).collect::<Result<Vec<_>, _>>()?;
        let mut raised_here = BTreeSet::new();
        let mut wanted = BTreeSet::new();
        for (event, d) in events.iter().zip(&decoded) {
            if let Decoded::Issue(e) = d {
                if fresh && matches!(e, IssueEvent::IssueRaised { .. }) {
                    raised_here.insert(event.aggregate_id.as_str());
                } else if !raised_here.contains(event.aggregate_id.as_str()) {
                    wanted.insert(event.aggregate_id.as_str());
                }
            }
        }
        let mut issues: BTreeMap<String, IssueRow> = issues_in(tx, &wanted.into_iter().collect::<Vec<_>>())
            .await?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let stored: BTreeMap<String, i64> = issues.iter().map(|(id, r)| (id.clone(), r.version)).collect();
        let mut touched = BTreeSet::new();
        for (event, d) in events.iter().zip(decoded) {
            match d {
                Decoded::Issue(e) => {
                    fold_issue(&mut issues, event, &e)?;
                    touched.insert(event.aggregate_id.as_str());
                    crate::attachments::project(tx, event, &e).await?;
                }
                Decoded::Area(e) => match (area_row(event, &e), &e) {
                    (Some(row), _) => {
                        let values = row.values();
                        on_tx!(tx, t => bind_row!(sqlx::query(AREA_INSERT), values)
                            .execute(&mut **t).await.map(|_| ())?);
                    }
                    (None, AreaEvent::AreaReached { from, on }) => {
                        on_tx!(tx, t => sqlx::query(AREA_REACH).bind(from.as_str()).bind(on.to_string())
                            .bind(&event.aggregate_id).execute(&mut **t).await.map(|_| ())?);
                    }
                    (None, AreaEvent::AreaRegistered { .. }) => unreachable!("a registered area has a row"),
                },
                Decoded::Category(e) => match (category_row(event, &e), &e) {
                    (Some(row), _) => {
                        let values = row.values();
                        on_tx!(tx, t => bind_row!(sqlx::query(CATEGORY_INSERT), values)
                            .execute(&mut **t).await.map(|_| ())?);
                    }
                    (None, CategoryEvent::CategoryRestrictionChanged { restricted }) => {
                        on_tx!(tx, t => sqlx::query(CATEGORY_RESTRICT).bind(*restricted).bind(&event.aggregate_id)
                            .execute(&mut **t).await.map(|_| ())?);
                    }
                    (None, CategoryEvent::ServiceLevelSet { days_to_assign, days_to_resolve, .. }) => {
                        on_tx!(tx, t => sqlx::query(CATEGORY_SERVICE_LEVEL)
                            .bind(days_to_assign.map(i64::from)).bind(days_to_resolve.map(i64::from))
                            .bind(&event.aggregate_id).execute(&mut **t).await.map(|_| ())?);
                    }
                    (None, CategoryEvent::CategoryAdded { .. }) => unreachable!("an added category has a row"),
                },
                Decoded::User(e) => {
                    crate::users::project(tx, &event.aggregate_id, &[(&e, event.sequence, event.position)]).await?
                }
                Decoded::Forum(e) => project_forum(tx, event, &e).await?,
                Decoded::Organisation(e) => project_organisation(tx, event, &e).await?,
                Decoded::Agency(e) => crate::agencies::project_agency(tx, event, &e).await?,
                Decoded::RoutingRule(e) => crate::agencies::project_rule(tx, event, &e).await?,
            }
        }
        let rows: Vec<&IssueRow> = touched
            .iter()
            .filter_map(|id| issues.get(*id))
            .filter(|r| stored.get(&r.id).is_none_or(|v| r.version > *v))
            .collect();
        upsert_issues(tx, &rows).await
    }
}

/// Writes one forum event: a new row with its organisations, or a participation record replacing the last.
async fn project_forum(tx: &mut DbTx, event: &StoredEvent, e: &ForumEvent) -> Result<(), StoreError> {
    let id = &event.aggregate_id;
    match e {
        ForumEvent::ForumHeld { .. } => {
            let Some(row) = fold_forum(None, event, e) else { return Ok(()) };
            let values = row.values();
            on_tx!(tx, t => bind_row!(sqlx::query(FORUM_INSERT), values).execute(&mut **t).await.map(|_| ())?);
            insert_forum_organisations(tx, &row).await
        }
        ForumEvent::ForumParticipationRecorded { participation, .. } => {
            let row = ForumRow {
                id: id.clone(),
                area_id: String::new(),
                held_on: String::new(),
                title: None,
                facilitator: None,
                participants: None,
                recorded_at: String::new(),
                participation: Some(ParticipationRow::of(participation)),
            };
            let mut values = row.participation_values();
            values.push(SqlValue::Text(id.clone()));
            on_tx!(tx, t => bind_row!(sqlx::query(FORUM_PARTICIPATION_UPDATE), values)
                .execute(&mut **t).await.map(|_| ())?);
            on_tx!(tx, t => sqlx::query(FORUM_ORGANISATIONS_DELETE).bind(id).execute(&mut **t).await.map(|_| ())?);
            insert_forum_organisations(tx, &row).await
        }
    }
}

async fn insert_forum_organisations(tx: &mut DbTx, row: &ForumRow) -> Result<(), StoreError> {
    for organisation in row.organisations() {
        on_tx!(tx, t => sqlx::query(FORUM_ORGANISATION_INSERT).bind(&row.id).bind(organisation)
            .execute(&mut **t).await.map(|_| ())?);
    }
    Ok(())
}

/// Writes one organisation event: its row, and its areas whole.
async fn project_organisation(tx: &mut DbTx, event: &StoredEvent, e: &OrganisationEvent) -> Result<(), StoreError> {
    let id = &event.aggregate_id;
    match e {
        OrganisationEvent::OrganisationRegistered { .. } => {
            let Some(row) = OrganisationRow::fold(None, event, e) else { return Ok(()) };
            let values = row.values();
            on_tx!(tx, t => bind_row!(sqlx::query(ORGANISATION_INSERT), values).execute(&mut **t).await.map(|_| ())?);
            insert_organisation_areas(tx, &row).await
        }
        OrganisationEvent::OrganisationApproved {} => {
            on_tx!(tx, t => sqlx::query("UPDATE organisations SET status = 'active' WHERE id = $1").bind(id)
                .execute(&mut **t).await.map(|_| ())?);
            Ok(())
        }
        OrganisationEvent::OrganisationUpdated { name_th, name_en, kind, area_ids } => {
            let name_en = name_en.as_ref().map(ToString::to_string);
            on_tx!(tx, t => sqlx::query("UPDATE organisations SET name_th = $1, name_en = $2, kind = $3 WHERE id = $4")
                .bind(name_th.as_str()).bind(&name_en).bind(kind.as_str()).bind(id)
                .execute(&mut **t).await.map(|_| ())?);
            on_tx!(tx, t => sqlx::query("DELETE FROM organisation_areas WHERE organisation_id = $1").bind(id)
                .execute(&mut **t).await.map(|_| ())?);
            for area in area_ids {
                on_tx!(tx, t => sqlx::query(ORGANISATION_AREA_INSERT).bind(id).bind(area.as_str())
                    .execute(&mut **t).await.map(|_| ())?);
            }
            Ok(())
        }
    }
}

async fn insert_organisation_areas(tx: &mut DbTx, row: &OrganisationRow) -> Result<(), StoreError> {
    for area in &row.area_ids {
        on_tx!(tx, t => sqlx::query(ORGANISATION_AREA_INSERT).bind(&row.id).bind(area)
            .execute(&mut **t).await.map(|_| ())?);
    }
    Ok(())
}

/// Folds one issue event into the rows held in memory: the one step the SQL projection and the as-of
/// [`Snapshot`] share. An event at or below a row's version is already in the row and is skipped, which
/// makes the fold idempotent (rows written by commands are met again by the runner).
fn fold_issue(issues: &mut BTreeMap<String, IssueRow>, event: &StoredEvent, e: &IssueEvent) -> Result<(), StoreError> {
    match issues.get_mut(&event.aggregate_id) {
        Some(row) if event.sequence <= row.version => {}
        Some(row) => row.apply(e, event.sequence, event.position),
        None => {
            let mut row = IssueRow::raised(&event.aggregate_id, e, event.sequence, event.position)
                .ok_or_else(|| at_event(event, format!("{} for an issue never raised", event.event_type)))?;
            row.raised_by_user = event.meta("actor_id").map(str::to_owned);
            issues.insert(row.id.clone(), row);
        }
    }
    Ok(())
}

const ISSUE_COLUMNS: &str = "id, area_id, category, title, description, forum_id, raised_by, status, assignee, \
     due_on, outcome, raised_at, raised_on, closed_at, case_number, restricted, raised_by_user, kind, agency_id, \
     waiting_for, custody, escalation_level, responsible, assigned_at, duplicate_of, verdict, verdict_forum_id, \
     verdict_at, version, last_position";

/// [`ISSUE_COLUMNS`] of `issues i`, for the lists' queries.
pub(crate) const ISSUE_COLUMNS_I: &str = "i.id, i.area_id, i.category, i.title, i.description, i.forum_id, \
     i.raised_by, i.status, i.assignee, i.due_on, i.outcome, i.raised_at, i.raised_on, i.closed_at, i.case_number, \
     i.restricted, i.raised_by_user, i.kind, i.agency_id, i.waiting_for, i.custody, i.escalation_level, \
     i.responsible, i.assigned_at, i.duplicate_of, i.verdict, i.verdict_forum_id, i.verdict_at, i.version, \
     i.last_position";

/// How many rows one multi-row statement reads or writes: 20 columns × 200 rows stays far below both
/// backends' limits on bound parameters (SQLite 32,766; PostgreSQL 65,535).
const ROWS_PER_STATEMENT: usize = 200;

/// The stored rows of these issues (those that exist), in chunks of one query each.
pub(crate) async fn issues_in(tx: &mut DbTx, ids: &[&str]) -> Result<Vec<IssueRow>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let placeholders =
            santisuk_store::db::values_placeholders(tx.backend(), chunk.len(), 1).replace(['(', ')'], "");
        let sql = format!("SELECT {ISSUE_COLUMNS} FROM issues WHERE id IN ({placeholders})");
        let rows: Vec<IssueRow> = on_tx!(tx, t => {
            let mut q = sqlx::query_as(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **t).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

/// The columns an upsert of an issue row replaces. The guard keeps a row from moving backwards whoever
/// writes it: a command's inline write and a runner batch (or a rebuild) may meet on PostgreSQL.
const ISSUE_UPSERT_SET: &str = "ON CONFLICT (id) DO UPDATE SET area_id = excluded.area_id, \
     category = excluded.category, title = excluded.title, description = excluded.description, \
     forum_id = excluded.forum_id, raised_by = excluded.raised_by, status = excluded.status, \
     assignee = excluded.assignee, due_on = excluded.due_on, outcome = excluded.outcome, \
     raised_at = excluded.raised_at, raised_on = excluded.raised_on, closed_at = excluded.closed_at, \
     case_number = excluded.case_number, restricted = excluded.restricted, \
     raised_by_user = COALESCE(excluded.raised_by_user, issues.raised_by_user), kind = excluded.kind, \
     agency_id = excluded.agency_id, waiting_for = excluded.waiting_for, custody = excluded.custody, \
     escalation_level = excluded.escalation_level, responsible = excluded.responsible, \
     assigned_at = excluded.assigned_at, \
     duplicate_of = excluded.duplicate_of, verdict = excluded.verdict, verdict_forum_id = excluded.verdict_forum_id, \
     verdict_at = excluded.verdict_at, \
     version = excluded.version, \
     last_position = excluded.last_position WHERE issues.version < excluded.version";

impl IssueRow {
    /// The row's columns in `ISSUE_COLUMNS` order, all but `last_position` (which the writer binds after
    /// them: the append knows it only once the events have landed).
    pub fn values(&self) -> RowValues {
        use SqlValue::{Int, OptText, Text};
        vec![
            Text(self.id.clone()),
            Text(self.area_id.clone()),
            Text(self.category.clone()),
            Text(self.title.clone()),
            OptText(self.description.clone()),
            OptText(self.forum_id.clone()),
            OptText(self.raised_by.clone()),
            Text(self.status.as_str().to_owned()),
            OptText(self.assignee.clone()),
            OptText(self.due_on.clone()),
            OptText(self.outcome.clone()),
            Text(self.raised_at.clone()),
            Text(self.raised_on.clone()),
            OptText(self.closed_at.clone()),
            OptText(self.case_number.clone()),
            SqlValue::Bool(self.restricted),
            OptText(self.raised_by_user.clone()),
            Text(self.kind.as_str().to_owned()),
            OptText(self.agency_id.clone()),
            OptText(self.waiting_for.clone()),
            Text(self.custody.to_text()),
            Int(self.escalation_level),
            OptText(self.responsible.clone()),
            OptText(self.assigned_at.clone()),
            OptText(self.duplicate_of.clone()),
            OptText(self.verdict.clone()),
            OptText(self.verdict_forum_id.clone()),
            OptText(self.verdict_at.clone()),
            Int(self.version),
        ]
    }
}

/// Writes these rows (distinct ids), in multi-row upserts.
async fn upsert_issues(tx: &mut DbTx, rows: &[&IssueRow]) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = IssueTable.upsert_sql(tx.backend(), chunk.len());
        let values: Vec<RowValues> = chunk.iter().map(|r| r.values()).collect();
        on_tx!(tx, t => {
            let mut q = sqlx::query(&sql);
            for (r, v) in chunk.iter().zip(&values) {
                q = bind_row!(q, v).bind(r.last_position);
            }
            q.execute(&mut **t).await.map(|_| ())?
        });
    }
    Ok(())
}

/// The issue list as the store's inline table: a command on an issue writes the issue's row
/// ([`IssueRow::values`]) in the same statement as its events, so every list, page and statistic is
/// current the moment the command answers. The application registers it with the store at start-up.
#[derive(Debug, Clone, Copy, Default)]
pub struct IssueTable;

impl InlineTable for IssueTable {
    fn aggregate_type(&self) -> &'static str {
        "Issue"
    }

    fn columns(&self) -> usize {
        29
    }

    fn upsert_sql(&self, backend: Backend, rows: usize) -> String {
        let values = values_placeholders(backend, rows, self.columns() + 1);
        format!("INSERT INTO issues ({ISSUE_COLUMNS}) VALUES {values} {ISSUE_UPSERT_SET}")
    }

    /// With `numbers`, a raise's row takes the case number the statement allocated (the bound one is
    /// the series' placeholder, [`CaseNumber::to_allocate`](santisuk_domain::values::CaseNumber::to_allocate)).
    fn grouped_upsert_sql(&self, first: usize, rows: usize, numbers: Option<&str>) -> String {
        let values = values_placeholders_from(Backend::Postgres, first, rows, self.columns());
        let folded = ISSUE_COLUMNS.trim_end_matches(", last_position");
        let selected = match numbers {
            None => "v.*".to_owned(),
            Some(numbers) => folded
                .split(", ")
                .map(|c| match c {
                    "case_number" => format!(
                        "COALESCE((SELECT n.number FROM {numbers} n WHERE n.aggregate_type = 'Issue' \
                         AND n.aggregate_id = v.id), v.case_number)"
                    ),
                    c => format!("v.{c}"),
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        // A comma join with WHERE: after `JOIN … ON`, the upsert's `ON CONFLICT` would read ambiguously.
        format!(
            "INSERT INTO issues ({ISSUE_COLUMNS}) SELECT {selected}, e.position FROM (VALUES {values}) AS v({folded}), e \
             WHERE e.aggregate_type = 'Issue' AND e.aggregate_id = v.id AND e.sequence = v.version {ISSUE_UPSERT_SET}"
        )
    }

    /// The case number, which the store allocates at raise.
    fn number_column(&self) -> Option<usize> {
        ISSUE_COLUMNS.split(", ").position(|c| c == "case_number")
    }

    /// The highest case number of each length a series' numbers can have (five to nine digits, as
    /// `CaseNumber::parse` reads them), each one lookup in `issues_case_number_order` (migration 0027); the
    /// store compares them by value. PostgreSQL: the same probes in `santisuk_highest_case_numbers`
    /// (migrations 0028 and 0030), whose plan each connection keeps (the store reads them inside its group
    /// statement, which PostgreSQL plans anew for each new shape of group).
    fn highest_number_sql(&self, backend: Backend, series: &str, upper: &str) -> Option<String> {
        if backend == Backend::Postgres {
            return Some(format!("SELECT * FROM santisuk_highest_case_numbers({series})"));
        }
        let probes: Vec<String> = (5..=9)
            .map(|digits| {
                format!(
                    "SELECT * FROM (SELECT case_number FROM issues WHERE length(case_number) = length({series}) + {digits} \
                     AND case_number >= {series} AND case_number < {upper} ORDER BY case_number DESC LIMIT 1) AS h{digits}"
                )
            })
            .collect();
        Some(probes.join(" UNION ALL "))
    }
}

/// Registers the read model's inline tables with `db`: issue rows and user rows are written with their
/// events ([`IssueTable`], [`crate::users::UserTable`]).
pub fn register_inline_tables(db: &Db) {
    db.register_inline_table(std::sync::Arc::new(IssueTable));
    db.register_inline_table(std::sync::Arc::new(crate::users::UserTable));
}

/// The read model held in memory, folded from events with the same row functions as the projection.
/// Used to answer "as of" questions from the event log itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub areas: BTreeMap<String, AreaRow>,
    pub categories: BTreeMap<String, CategoryRow>,
    pub forums: BTreeMap<String, ForumRow>,
    pub issues: BTreeMap<String, IssueRow>,
    pub organisations: BTreeMap<String, OrganisationRow>,
    pub agencies: BTreeMap<String, AgencyRow>,
    /// The routing rules in force.
    pub routing_rules: BTreeMap<String, RoutingRuleRow>,
}

impl Snapshot {
    pub fn apply(&mut self, event: &StoredEvent) -> Result<(), StoreError> {
        match decode(event).map_err(|e| at_event(event, e))? {
            Decoded::Issue(e) => fold_issue(&mut self.issues, event, &e)?,
            Decoded::Area(e) => match area_row(event, &e) {
                Some(row) => {
                    self.areas.insert(event.aggregate_id.clone(), row);
                }
                None => {
                    if let Some(row) = self.areas.get_mut(&event.aggregate_id) {
                        row.apply(&e);
                    }
                }
            },
            Decoded::Category(e) => match (category_row(event, &e), &e) {
                (Some(row), _) => {
                    self.categories.insert(event.aggregate_id.clone(), row);
                }
                (None, CategoryEvent::CategoryRestrictionChanged { restricted }) => {
                    if let Some(row) = self.categories.get_mut(&event.aggregate_id) {
                        row.restricted = *restricted;
                    }
                }
                (None, CategoryEvent::ServiceLevelSet { days_to_assign, days_to_resolve, .. }) => {
                    if let Some(row) = self.categories.get_mut(&event.aggregate_id) {
                        row.days_to_assign = days_to_assign.map(i64::from);
                        row.days_to_resolve = days_to_resolve.map(i64::from);
                    }
                }
                (None, CategoryEvent::CategoryAdded { .. }) => unreachable!("an added category has a row"),
            },
            Decoded::Forum(e) => {
                let row = self.forums.remove(&event.aggregate_id);
                if let Some(row) = fold_forum(row, event, &e) {
                    self.forums.insert(event.aggregate_id.clone(), row);
                }
            }
            Decoded::Organisation(e) => {
                let row = self.organisations.remove(&event.aggregate_id);
                if let Some(row) = OrganisationRow::fold(row, event, &e) {
                    self.organisations.insert(event.aggregate_id.clone(), row);
                }
            }
            Decoded::Agency(e) => {
                let row = self.agencies.remove(&event.aggregate_id);
                if let Some(row) = AgencyRow::fold(row, event, &e) {
                    self.agencies.insert(event.aggregate_id.clone(), row);
                }
            }
            Decoded::RoutingRule(e) => match RoutingRuleRow::fold(event, &e) {
                Some(row) => {
                    self.routing_rules.insert(event.aggregate_id.clone(), row);
                }
                None => {
                    self.routing_rules.remove(&event.aggregate_id);
                }
            },
            // Who may log in is not part of the as-of read model (issues, areas, categories, forums).
            Decoded::User(_) => {}
        }
        Ok(())
    }

    /// Folds the log as it was recorded up to `until`.
    pub async fn as_of(db: &Db, until: chrono::DateTime<chrono::Utc>) -> Result<Snapshot, StoreError> {
        let mut snapshot = Snapshot::default();
        let mut after = santisuk_store::events::Checkpoint::default();
        let mut tx = db.begin_snapshot().await?;
        loop {
            let mut events = santisuk_store::events::read_recorded_until(&mut tx, until, after, 5_000).await?;
            santisuk_store::events::open(db, &mut events).await?;
            let Some(last) = events.last().map(StoredEvent::checkpoint) else { break };
            for e in &events {
                snapshot.apply(e)?;
            }
            after = last;
        }
        tx.commit().await?;
        Ok(snapshot)
    }
}

// --- queries ------------------------------------------------------------------------------------------

pub async fn list_areas<'r>(reader: impl Into<Reader<'r>>) -> Result<Vec<AreaRow>, StoreError> {
    let sql = format!("SELECT {AREA_COLUMNS} FROM areas ORDER BY id");
    Ok(on_reader!(reader.into(), p => sqlx::query_as(&sql).fetch_all(p).await?))
}

pub async fn get_area(db: &Db, id: &str) -> Result<Option<AreaRow>, StoreError> {
    let sql = format!("SELECT {AREA_COLUMNS} FROM areas WHERE id = $1");
    Ok(on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
}

/// Whether an area exists, and the kind of a category if it exists, in one round trip (checked before
/// every raise: an issue takes only a category of its own kind).
pub async fn area_and_category_exist(
    db: &Db,
    area_id: &str,
    category: &str,
) -> Result<(bool, Option<IssueKind>), StoreError> {
    let (area, kind): (i64, Option<String>) = on_db!(db, p => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM areas WHERE id = $1), (SELECT kind FROM categories WHERE code = $2)")
        .bind(area_id).bind(category).fetch_one(p).await?);
    let kind = kind.map(IssueKind::try_from).transpose().map_err(StoreError::corrupt)?;
    Ok((area > 0, kind))
}

/// The areas and categories this process has seen exist (with each category's kind), so that a raise
/// checks them without a query. Only "exists" is remembered: no event removes an area or a category or
/// changes a category's kind, and a rebuild replaces the tables with the same rows, so a "yes" stays true
/// for ever; a "no" is always asked again (the area may be registered a moment later, by any instance).
/// One per database handle (the application state).
#[derive(Debug, Clone, Default)]
pub struct KnownReferences {
    seen: std::sync::Arc<std::sync::RwLock<BTreeMap<(bool, String), IssueKind>>>,
}

impl KnownReferences {
    /// [`area_and_category_exist`], answered from memory when both were seen before.
    pub async fn area_and_category_exist(
        &self,
        db: &Db,
        area_id: &str,
        category: &str,
    ) -> Result<(bool, Option<IssueKind>), StoreError> {
        let (area_key, category_key) = ((true, area_id.to_owned()), (false, category.to_owned()));
        {
            let seen = self.seen.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let (true, Some(kind)) = (seen.contains_key(&area_key), seen.get(&category_key)) {
                return Ok((true, Some(*kind)));
            }
        }
        let (area, kind) = area_and_category_exist(db, area_id, category).await?;
        let mut seen = self.seen.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded by the reference data itself (tens of areas, 20 categories); never grows with use.
        if area {
            seen.insert(area_key, IssueKind::Community);
        }
        if let Some(kind) = kind {
            seen.insert(category_key, kind);
        }
        Ok((area, kind))
    }
}

pub async fn list_categories<'r>(reader: impl Into<Reader<'r>>) -> Result<Vec<CategoryRow>, StoreError> {
    Ok(on_reader!(reader.into(), p => sqlx::query_as(
        "SELECT code, name_th, name_en, restricted, kind, days_to_assign, days_to_resolve FROM categories ORDER BY code")
        .fetch_all(p).await?))
}

pub async fn get_category(db: &Db, code: &str) -> Result<Option<CategoryRow>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT code, name_th, name_en, restricted, kind, days_to_assign, days_to_resolve FROM categories WHERE code = $1")
        .bind(code).fetch_optional(p).await?))
}

pub async fn list_forums(db: &Db, area_id: Option<&str>) -> Result<Vec<ForumRow>, StoreError> {
    let sql =
        format!("SELECT {FORUM_COLUMNS} FROM forums WHERE ($1 IS NULL OR area_id = $1) ORDER BY held_on DESC, id");
    let records: Vec<ForumRecord> = on_db!(db, p => sqlx::query_as(&sql).bind(area_id).fetch_all(p).await?);
    let pairs: Vec<(String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT fo.forum_id, fo.organisation_id FROM forum_organisations fo JOIN forums f ON f.id = fo.forum_id \
         WHERE ($1 IS NULL OR f.area_id = $1) ORDER BY fo.forum_id, fo.organisation_id")
        .bind(area_id).fetch_all(p).await?);
    with_organisations(records, pairs)
}

pub async fn get_forum(db: &Db, id: &str) -> Result<Option<ForumRow>, StoreError> {
    let sql = format!("SELECT {FORUM_COLUMNS} FROM forums WHERE id = $1");
    let records: Vec<ForumRecord> = on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_all(p).await?);
    let pairs: Vec<(String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT forum_id, organisation_id FROM forum_organisations WHERE forum_id = $1 ORDER BY organisation_id")
        .bind(id).fetch_all(p).await?);
    Ok(with_organisations(records, pairs)?.pop())
}

/// The forums' rows, each with its organisations (`pairs`: forum id, organisation id).
fn with_organisations(records: Vec<ForumRecord>, pairs: Vec<(String, String)>) -> Result<Vec<ForumRow>, StoreError> {
    let mut organisations: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (forum, organisation) in pairs {
        organisations.entry(forum).or_default().push(organisation);
    }
    records.into_iter().map(|r| r.into_row(&mut organisations)).collect()
}

/// The registry of organisations, by Thai name, each with its areas.
pub async fn list_organisations<'r>(reader: impl Into<Reader<'r>>) -> Result<Vec<OrganisationRow>, StoreError> {
    let mut reader = reader.into();
    let records: Vec<OrganisationRecord> = on_reader!(reader.reborrow(), p => sqlx::query_as(
        "SELECT id, name_th, name_en, kind, status, registered_at FROM organisations ORDER BY name_th, id")
        .fetch_all(p).await?);
    let pairs: Vec<(String, String)> = on_reader!(reader, p => sqlx::query_as(
        "SELECT organisation_id, area_id FROM organisation_areas ORDER BY organisation_id, area_id")
        .fetch_all(p).await?);
    Ok(organisations_with_areas(records, pairs))
}

/// One organisation of the registry.
pub async fn get_organisation(db: &Db, id: &str) -> Result<Option<OrganisationRow>, StoreError> {
    let records: Vec<OrganisationRecord> = on_db!(db, p => sqlx::query_as(
        "SELECT id, name_th, name_en, kind, status, registered_at FROM organisations WHERE id = $1")
        .bind(id).fetch_all(p).await?);
    let pairs: Vec<(String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT organisation_id, area_id FROM organisation_areas WHERE organisation_id = $1 ORDER BY area_id")
        .bind(id).fetch_all(p).await?);
    Ok(organisations_with_areas(records, pairs).pop())
}

fn organisations_with_areas(records: Vec<OrganisationRecord>, pairs: Vec<(String, String)>) -> Vec<OrganisationRow> {
    let mut areas: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (organisation, area) in pairs {
        areas.entry(organisation).or_default().push(area);
    }
    records
        .into_iter()
        .map(|r| OrganisationRow {
            area_ids: areas.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name_th: r.name_th,
            name_en: r.name_en,
            kind: r.kind,
            status: r.status,
            registered_at: r.registered_at,
        })
        .collect()
}

pub async fn get_issue(db: &Db, id: &str) -> Result<Option<IssueRow>, StoreError> {
    let sql = format!("SELECT {ISSUE_COLUMNS} FROM issues WHERE id = $1");
    Ok(on_db!(db, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?))
}

/// The id of the issue with this case number (as stored: `PTN-2569-00123`).
pub async fn issue_id_by_case_number(db: &Db, case_number: &str) -> Result<Option<String>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar("SELECT id FROM issues WHERE case_number = $1")
        .bind(case_number).fetch_optional(p).await?))
}

/// Filters of the issue list; every field narrows the list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueFilter {
    pub area_id: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub assignee: Option<String>,
    pub amphoe_code: Option<String>,
    pub province_code: Option<String>,
    /// Only open issues whose `due_on` is before this date (YYYY-MM-DD, today in Bangkok).
    pub overdue_before: Option<String>,
    /// Only issues raised on or after this Bangkok date (YYYY-MM-DD): the statistics' window, so that a
    /// dashboard figure and the list it links to count the same issues.
    pub raised_from: Option<String>,
    /// Only issues raised on or before this Bangkok date (YYYY-MM-DD, inclusive).
    pub raised_to: Option<String>,
    /// Only issues not yet closed: what the statistics count as open (`raised − closed`), whatever their
    /// status on the way.
    pub open: bool,
    /// Only issues closed with this outcome (`resolved`, …): the statistics' "resolved" is closed and resolved.
    pub outcome: Option<String>,
    /// Only closed issues closed at or after this instant (as stored: RFC 3339, microseconds, `Z`), whatever
    /// day they were raised: the dashboard's closure figure ([`crate::stats::closures`]).
    pub closed_from: Option<String>,
    /// Only closed issues closed before this instant (exclusive).
    pub closed_before: Option<String>,
    /// Only issues in these areas (a coordinator's scope); `None` means every area.
    pub areas: Option<Vec<String>>,
    /// Only issues of this kind: community problems unless obstacles are asked for, so that every list,
    /// statistic, queue, export and dashboard counts community problems only ([`filter_sql`]).
    pub kind: IssueKind,
    /// A search ([`Search`]): only issues that match every word, best matches first.
    pub search: Option<Search>,
    /// Leaves out the cases restricted now that this reader may not read; `None` for a reader who may read
    /// every case (an admin).
    pub hidden: Option<Restriction>,
    /// Only open problems escalated for passing their category's service level (issue #17 §2; the
    /// dashboard's "escalated").
    pub escalated: bool,
    /// Issue #17: only problems not marked duplicates, what the statistics count (an original once), so
    /// that a dashboard figure and the queue it links to count the same problems.
    pub originals: bool,
    /// Issue #17: only problems holding this community verdict (`confirmed`, `disputed`, `not_asked`).
    pub verdict: Option<String>,
}

/// Which restricted cases a reader may read, for one who may not read them all (see `app::caller`): the
/// cases restricted now (their own mark, or their category's; the view `restricted_issues`) are left out
/// except those of the categories granted to the reader and those the reader raised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Restriction {
    /// The restricted categories granted to the reader (codes).
    pub categories: Vec<String>,
    /// The reader's user id: the restricted cases they raised stay visible to them.
    pub user_id: String,
    /// The reader sees only their own coordinators' obstacles (a coordinator): another's is hidden like a
    /// restricted case they may not read, on every path that hides cases.
    pub own_obstacles_only: bool,
}

/// An SQL condition on `issues i`, true when the case is restricted now and `r`'s reader may not read it;
/// pushes its values like [`filter_sql`]. The one definition every read that hides cases uses (lists, the
/// queue, one issue, statistics), live and as of an instant: `restricted_issues` is a view over the shared
/// tables, so a read as of an instant hides what is restricted *now*. Correlated on the case's id (migration
/// 0026), so asking about one case reads that case: a command asks it of every issue it acts on.
pub(crate) fn hidden_sql(r: &Restriction, bind: &mut impl FnMut(&str) -> String) -> String {
    let mut sql = format!(
        "EXISTS (SELECT 1 FROM restricted_issues r WHERE r.id = i.id \
           AND (r.raised_by_user IS NULL OR r.raised_by_user <> {})",
        bind(&r.user_id)
    );
    if !r.categories.is_empty() {
        let granted: Vec<String> = r.categories.iter().map(|c| bind(c)).collect();
        sql.push_str(&format!(" AND r.category NOT IN ({})", granted.join(", ")));
    }
    sql.push(')');
    // A coordinator's obstacle is their own: to another coordinator it does not exist. The kind and who
    // raised it never change, so the row read (live or as of an instant) answers for now as well.
    if r.own_obstacles_only {
        sql = format!(
            "({sql} OR (i.kind = 'obstacle' AND (i.raised_by_user IS NULL OR i.raised_by_user <> {})))",
            bind(&r.user_id)
        );
    }
    sql
}

/// Whether the issue `id` is restricted now and `hidden`'s reader may not read it (`false` for a reader who
/// may read every case, and for an id no issue has).
pub async fn is_hidden(db: &Db, id: &str, hidden: Option<&Restriction>) -> Result<bool, StoreError> {
    let Some(r) = hidden else { return Ok(false) };
    let mut binds = vec![id.to_owned()];
    let mut bind = |v: &str| placeholder(&mut binds, v);
    let sql = format!("SELECT COUNT(*) FROM issues i WHERE i.id = $1 AND {}", hidden_sql(r, &mut bind));
    let n: i64 = on_db!(db, p => {
        let mut q = sqlx::query_scalar(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_one(p).await?
    });
    Ok(n > 0)
}

/// What a search box asks for: words, each of which must appear somewhere in an issue (its case number, title,
/// description, area code or name, or assignee), as a substring without regard to ASCII case. Thai is
/// written without spaces between words, so a substring is the unit (a word typed is found inside a longer
/// run of text), which needs no word segmenter and serves Thai, Malay and English alike.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub words: Vec<SearchWord>,
}

/// One word of a [`Search`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchWord {
    /// Lower case, as looked for.
    pub text: String,
    /// The case number the word names, as stored (`PTN-2569-00123` for `ptn-2569-123`), matched exactly.
    pub case_number: Option<String>,
}

impl Search {
    /// The longest search, in characters (which also bounds the words, and so the query's size).
    pub const MAX_CHARS: usize = 200;
}

/// Where a page of the issue list ends. Newest first: the last row's `(raised_at, id)`. A search, ranked by
/// how well each issue matches: how many rows came before (search results are few and read from the top).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueCursor {
    After { raised_at: String, id: String },
    Skip(i64),
}

impl IssueCursor {
    /// An opaque token: hex of `raised_at|id`, or of `#rows`.
    pub fn encode(&self) -> String {
        match self {
            IssueCursor::After { raised_at, id } => hex::encode(format!("{raised_at}|{id}")),
            IssueCursor::Skip(n) => hex::encode(format!("#{n}")),
        }
    }

    /// `None` for anything `encode` did not produce.
    pub fn decode(token: &str) -> Option<IssueCursor> {
        let text = String::from_utf8(hex::decode(token).ok()?).ok()?;
        if let Some(n) = text.strip_prefix('#') {
            return n.parse().ok().filter(|n| *n > 0).map(IssueCursor::Skip);
        }
        let (raised_at, id) = text.split_once('|')?;
        santisuk_store::events::parse_ts(raised_at).ok()?;
        uuid::Uuid::parse_str(id).ok()?;
        Some(IssueCursor::After { raised_at: raised_at.to_owned(), id: id.to_owned() })
    }
}

/// The columns a search word is looked for in (over `issues i LEFT JOIN areas a`).
const SEARCHED: [&str; 7] =
    ["i.case_number", "i.title", "i.description", "i.area_id", "a.name_th", "a.name_en", "i.assignee"];

/// `LIKE` pattern of a word: found anywhere, with `%`, `_` and `\` taken literally.
fn like_pattern(word: &str) -> String {
    let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Whether `column` holds the `LIKE` pattern bound at `placeholder` ([`like_pattern`]), ASCII case aside.
fn contains(column: &str, placeholder: &str) -> String {
    format!("LOWER(COALESCE({column}, '')) LIKE {placeholder} ESCAPE '\\'")
}

/// The search's `AND …` clauses: every word somewhere (a case number typed in another form, exactly).
fn search_sql(search: &Search, bind: &mut impl FnMut(&str) -> String) -> String {
    let mut sql = String::new();
    for word in &search.words {
        let p = bind(&like_pattern(&word.text));
        let mut any: Vec<String> = SEARCHED.iter().map(|c| contains(c, &p)).collect();
        if let Some(number) = &word.case_number {
            any.push(format!("i.case_number = {}", bind(number)));
        }
        sql.push_str(&format!(" AND ({})", any.join(" OR ")));
    }
    sql
}

/// How well an issue matches a search, as an SQL expression (higher first): a case number typed in full
/// above all, then each word found in the title, then in the area or assignee, then elsewhere. `None`
/// without a search. Pushes its values onto `binds` like [`filter_sql`].
pub(crate) fn rank_sql(f: &IssueFilter, binds: &mut Vec<String>) -> Option<String> {
    let search = f.search.as_ref()?;
    let mut bind = |v: &str| placeholder(binds, v);
    let mut parts = Vec::new();
    for word in &search.words {
        let p = bind(&like_pattern(&word.text));
        let like = |c: &str| contains(c, &p);
        let exact = match &word.case_number {
            Some(number) => format!("WHEN i.case_number = {} THEN 1000 ", bind(number)),
            None => String::new(),
        };
        parts.push(format!(
            "CASE {exact}WHEN {} THEN 10 WHEN {} OR {} OR {} OR {} THEN 3 ELSE 1 END",
            like("i.title"),
            like("i.area_id"),
            like("a.name_th"),
            like("a.name_en"),
            like("i.assignee")
        ));
    }
    Some(if parts.is_empty() { "0".to_owned() } else { format!("({})", parts.join(" + ")) })
}

/// The `AND …` clauses of `filter` over `issues i LEFT JOIN areas a`, pushing its values onto `binds`
/// (placeholders `$n` follow on from what `binds` already holds). The one definition of the filter: the
/// live list and the list as of an instant ([`crate::as_of`]) both run it, so a rule (a coordinator's
/// scope above all) cannot be on one path and missing from the other.
pub(crate) fn filter_sql(f: &IssueFilter, binds: &mut Vec<String>) -> String {
    let mut sql = String::new();
    let mut bind = |v: &str| placeholder(binds, v);
    for (column, value) in [
        ("i.area_id", &f.area_id),
        ("i.category", &f.category),
        ("i.status", &f.status),
        ("i.assignee", &f.assignee),
        ("a.amphoe_code", &f.amphoe_code),
        ("a.province_code", &f.province_code),
        ("i.outcome", &f.outcome),
        ("i.verdict", &f.verdict),
    ] {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {column} = {}", bind(v)));
        }
    }
    if let Some(today) = &f.overdue_before {
        sql.push_str(&format!(" AND i.status <> 'closed' AND i.due_on IS NOT NULL AND i.due_on < {}", bind(today)));
    }
    // The same comparisons on `raised_on` as the statistics' window (`crate::stats::live`).
    if let Some(from) = &f.raised_from {
        sql.push_str(&format!(" AND i.raised_on >= {}", bind(from)));
    }
    if let Some(to) = &f.raised_to {
        sql.push_str(&format!(" AND i.raised_on <= {}", bind(to)));
    }
    if f.open {
        sql.push_str(" AND i.status <> 'closed'");
    }
    if f.escalated {
        sql.push_str(" AND i.status <> 'closed' AND i.escalation_level > 0");
    }
    if f.originals {
        sql.push_str(" AND i.duplicate_of IS NULL");
    }
    // A literal (the kind is one of two fixed words): the planner can use the partial index on obstacles.
    sql.push_str(&format!(" AND i.kind = '{}'", f.kind.as_str()));
    // Stored instants have one fixed format, so their text orders as the instants do.
    if let Some(from) = &f.closed_from {
        sql.push_str(&format!(" AND i.status = 'closed' AND i.closed_at >= {}", bind(from)));
    }
    if let Some(before) = &f.closed_before {
        sql.push_str(&format!(" AND i.status = 'closed' AND i.closed_at < {}", bind(before)));
    }
    match f.areas.as_deref() {
        None => {}
        Some([]) => sql.push_str(" AND 1 = 0"),
        Some(areas) => {
            let placeholders: Vec<String> = areas.iter().map(|a| bind(a)).collect();
            sql.push_str(&format!(" AND i.area_id IN ({})", placeholders.join(", ")));
        }
    }
    if let Some(search) = &f.search {
        sql.push_str(&search_sql(search, &mut bind));
    }
    if let Some(r) = &f.hidden {
        sql.push_str(&format!(" AND NOT ({})", hidden_sql(r, &mut bind)));
    }
    sql
}

/// One page of the issue list, newest raised first, and the cursor of the next page if there is one: of
/// the live tables, or of the tables as they stood at an instant ([`crate::as_of::AsOf::reader`]).
pub async fn list_issues<'r>(
    reader: impl Into<Reader<'r>>,
    filter: &IssueFilter,
    limit: i64,
    after: Option<&IssueCursor>,
) -> Result<(Vec<IssueRow>, Option<IssueCursor>), StoreError> {
    let mut sql = format!("SELECT {ISSUE_COLUMNS_I} FROM issues i LEFT JOIN areas a ON a.id = i.area_id WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    sql.push_str(&filter_sql(filter, &mut binds));
    let rank = rank_sql(filter, &mut binds);
    let mut skip = 0;
    match (after, &rank) {
        (Some(IssueCursor::After { raised_at, id }), None) => {
            binds.push(raised_at.clone());
            binds.push(id.clone());
            let (t, i) = (binds.len() - 1, binds.len());
            sql.push_str(&format!(" AND (i.raised_at < ${t} OR (i.raised_at = ${t} AND i.id < ${i}))"));
        }
        (Some(IssueCursor::Skip(n)), Some(_)) => skip = *n,
        // A cursor of the other kind belongs to another query: start from the top.
        _ => {}
    }
    let order = rank.map(|r| format!("{r} DESC, ")).unwrap_or_default();
    sql.push_str(&format!(" ORDER BY {order}i.raised_at DESC, i.id DESC LIMIT {} OFFSET {skip}", limit + 1));
    let mut rows: Vec<IssueRow> = on_reader!(reader.into(), p => {
        let mut q = sqlx::query_as(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    });
    let ranked = filter.search.is_some();
    Ok(page(&mut rows, limit, ranked.then_some(skip)))
}

/// The page and the cursor of the next one: keyset when newest first, the rows seen so far (`skipped`)
/// when ranked.
fn page(rows: &mut Vec<IssueRow>, limit: i64, skipped: Option<i64>) -> (Vec<IssueRow>, Option<IssueCursor>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = match (more, skipped) {
        (false, _) => None,
        (true, Some(skipped)) => Some(IssueCursor::Skip(skipped + limit)),
        (true, None) => rows.last().map(|r| IssueCursor::After { raised_at: r.raised_at.clone(), id: r.id.clone() }),
    };
    (std::mem::take(rows), next)
}

/// Every row of every read table, one JSON line per row, tables in a fixed order and rows in key order:
/// what "the rebuild equals the live tables" compares, byte for byte.
pub async fn dump(db: &Db) -> Result<String, StoreError> {
    let issues_sql = format!("SELECT {ISSUE_COLUMNS} FROM issues ORDER BY id");
    let issues: Vec<IssueRow> = on_db!(db, p => sqlx::query_as(&issues_sql).fetch_all(p).await?);
    let mut forums = list_forums(db, None).await?;
    forums.sort_by(|a, b| a.id.cmp(&b.id));
    let mut organisations = list_organisations(db).await?;
    organisations.sort_by(|a, b| a.id.cmp(&b.id));
    let mut agencies = crate::agencies::list_agencies(db).await?;
    agencies.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rules = crate::agencies::list_routing_rules(db).await?;
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let reference = Reference { agencies: &agencies, routing_rules: &rules };
    render(&list_areas(db).await?, &list_categories(db).await?, &forums, &issues, &organisations, reference)
}

/// The agencies and routing rules of a dump (issue #17), each in id order.
struct Reference<'a> {
    agencies: &'a [AgencyRow],
    routing_rules: &'a [RoutingRuleRow],
}

impl Snapshot {
    /// The same text as [`dump`] would give for tables holding this snapshot.
    pub fn dump(&self) -> Result<String, StoreError> {
        fn values<T: Clone>(m: &BTreeMap<String, T>) -> Vec<T> {
            m.values().cloned().collect()
        }
        render(
            &values(&self.areas),
            &values(&self.categories),
            &values(&self.forums),
            &values(&self.issues),
            &values(&self.organisations),
            Reference { agencies: &values(&self.agencies), routing_rules: &values(&self.routing_rules) },
        )
    }
}

fn render(
    areas: &[AreaRow],
    categories: &[CategoryRow],
    forums: &[ForumRow],
    issues: &[IssueRow],
    organisations: &[OrganisationRow],
    reference: Reference<'_>,
) -> Result<String, StoreError> {
    let mut out = String::new();
    let lines = areas
        .iter()
        .map(serde_json::to_string)
        .chain(categories.iter().map(serde_json::to_string))
        .chain(forums.iter().map(serde_json::to_string))
        .chain(issues.iter().map(serde_json::to_string))
        .chain(organisations.iter().map(serde_json::to_string))
        .chain(reference.agencies.iter().map(serde_json::to_string))
        .chain(reference.routing_rules.iter().map(serde_json::to_string));
    for line in lines {
        out.push_str(&line.map_err(StoreError::corrupt)?);
        out.push('\n');
    }
    Ok(out)
}

/// The open issues of these categories (issue #17 §2: the escalator's candidates), ordered by id.
pub async fn open_issues_of_categories(db: &Db, codes: &[String]) -> Result<Vec<IssueRow>, StoreError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = values_placeholders(db.backend(), codes.len(), 1).replace(['(', ')'], "");
    let sql = format!(
        "SELECT {ISSUE_COLUMNS} FROM issues WHERE status <> 'closed' AND category IN ({placeholders}) ORDER BY id"
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(&sql);
        for code in codes {
            q = q.bind(code);
        }
        q.fetch_all(p).await?
    }))
}
