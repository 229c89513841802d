//! Forum use cases: recording a forum held in an area (the API and the web app's forum page), and the
//! forums the caller may see.

use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use santisuk_domain::forum::{Forum, ForumCommand, HoldForum, LeaderRole, OrganisationId, Participation};
use santisuk_domain::values::{AreaId, ForumId, Name, Title};
use santisuk_projections::read_model;
pub use santisuk_projections::read_model::{ForumRow, IssueRow, ParticipationRow};
use santisuk_store::events::fmt_ts;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::caller::Caller;
use crate::command::Committed;
use crate::error::AppError;
use crate::parse::{opt, parse_date};
use crate::schema;
use crate::{AppState, now};

/// Records forum `id` once the actor may record forums in its area and the area exists. Shared by the API
/// and the web app's forum page.
pub async fn hold_forum_checked(
    state: &AppState,
    caller: &Caller,
    id: String,
    command: HoldForum,
) -> Result<Committed<Forum>, AppError> {
    hold_forum_with(state, caller, id, command, caller.metadata()).await
}

async fn hold_forum_with(
    state: &AppState,
    caller: &Caller,
    id: String,
    command: HoldForum,
    metadata: std::collections::HashMap<String, String>,
) -> Result<Committed<Forum>, AppError> {
    caller.require_issue_writer()?;
    let area = &command.area;
    if !caller.sees_area(area.as_str()) {
        return Err(AppError::forbidden(format!("you may record forums only in your own areas, not in {area}")));
    }
    if read_model::get_area(&state.db, area.as_str()).await?.is_none() {
        return Err(AppError::invalid("unknown_area", format!("no area {area}")));
    }
    if let Some(p) = &command.participation {
        require_known_organisations(state, p).await?;
    }
    state.command::<Forum>(id, command.into(), metadata, None).await
}

/// Scopes forum idempotency keys: a keyed forum's id is UUIDv5(this, "<user id>:<key>"), so a retry
/// targets the forum the first request recorded.
const IDEMPOTENCY_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x7f3b_2c9e_41d8_4a06_b5e1_9c2d_6f80_13a7);

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldForumRequest {
    /// An area the caller may record forums in.
    #[schema(value_type = schema::AreaId)]
    pub area_id: String,
    /// The day the forum was held (Asia/Bangkok), `YYYY-MM-DD`; not later than today.
    #[schema(format = Date)]
    pub held_on: String,
    #[schema(value_type = Option<schema::Title>)]
    pub title: Option<String>,
    #[schema(value_type = Option<schema::Name>)]
    pub facilitator: Option<String>,
    #[schema(value_type = Option<schema::Participants>)]
    #[serde(default, deserialize_with = "whole_number")]
    pub participants: Option<i64>,
    /// Who took part, by partner group; absent or `null`: not recorded (it may be recorded later with
    /// `PUT /api/forums/{id}/participation`). With a head count, the people counted here are at most it.
    #[serde(default)]
    pub participation: Option<ParticipationRequest>,
}

/// Who took part in a forum, by SBPAC's four partner groups and the villagers: counts, never names. A
/// count left out is 0; women and men left out are "not counted by gender".
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipationRequest {
    /// SBPAC staff present (the host).
    #[schema(value_type = Option<schema::Count>)]
    #[serde(default, deserialize_with = "whole_number")]
    pub sbpac_staff: Option<i64>,
    /// District coordinators present.
    #[schema(value_type = Option<schema::Count>)]
    #[serde(default, deserialize_with = "whole_number")]
    pub coordinators: Option<i64>,
    /// The organisations of the registry that took part (active or proposed; any area).
    #[schema(value_type = Option<schema::OrganisationIds>)]
    #[serde(default)]
    pub organisations: Option<Vec<String>>,
    /// Community leaders present by role: `village_headman`, `kamnan`, `imam`, `teacher`, `elder`,
    /// `women_leader`, `youth_leader`, `other` (another role is refused: `unknown_leader_role`).
    #[schema(value_type = Option<schema::Leaders>)]
    #[serde(default)]
    pub leaders: Option<BTreeMap<String, serde_json::Number>>,
    /// Villagers present.
    #[schema(value_type = Option<schema::Count>)]
    #[serde(default, deserialize_with = "whole_number")]
    pub villagers: Option<i64>,
    /// Of the villagers, the women (with the men at most the villagers).
    #[schema(value_type = Option<schema::Count>)]
    #[serde(default, deserialize_with = "whole_number")]
    pub villagers_women: Option<i64>,
    /// Of the villagers, the men.
    #[schema(value_type = Option<schema::Count>)]
    #[serde(default, deserialize_with = "whole_number")]
    pub villagers_men: Option<i64>,
}

/// A count as a request gives it: negative or fractional is malformed (`bad_participants`), beyond
/// `Forum::MAX_PARTICIPANTS` absurd (`too_many_participants`).
fn count(field: &str, n: i64) -> Result<u32, AppError> {
    if n < 0 {
        return Err(AppError::invalid("bad_participants", format!("{field} must be a whole number from 0")));
    }
    match u32::try_from(n) {
        Ok(n) if n <= Forum::MAX_PARTICIPANTS => Ok(n),
        _ => Err(AppError::invalid(
            "too_many_participants",
            format!("{field} must be at most {}", Forum::MAX_PARTICIPANTS),
        )),
    }
}

impl ParticipationRequest {
    /// The participation the request describes, its values checked one by one; the forum checks the rest
    /// (women + men ≤ villagers, the head count), the application that the organisations exist.
    pub fn into_participation(self) -> Result<Participation, AppError> {
        let opt = |field: &str, n: Option<i64>| n.map(|n| count(field, n)).transpose();
        let mut leaders = BTreeMap::new();
        for (role, n) in self.leaders.unwrap_or_default() {
            let Some(role) = LeaderRole::parse(role.trim()) else {
                return Err(AppError::invalid(
                    "unknown_leader_role",
                    format!(
                        "unknown leader role {role:?}: expected one of {}",
                        LeaderRole::ALL.map(LeaderRole::as_str).join(", ")
                    ),
                ));
            };
            let n = n.as_i64().ok_or_else(|| {
                AppError::invalid(
                    "bad_participants",
                    format!("leaders.{} must be a whole number from 0", role.as_str()),
                )
            })?;
            leaders.insert(role, count(role.as_str(), n)?);
        }
        let mut organisations = Vec::new();
        for raw in self.organisations.unwrap_or_default() {
            let id = OrganisationId::parse(&raw)
                .ok_or_else(|| AppError::invalid("unknown_organisation", format!("no organisation {raw:?}")))?;
            organisations.push(id);
        }
        Ok(Participation {
            sbpac_staff: opt("sbpac_staff", self.sbpac_staff)?.unwrap_or(0),
            coordinators: opt("coordinators", self.coordinators)?.unwrap_or(0),
            organisations,
            leaders,
            villagers: opt("villagers", self.villagers)?.unwrap_or(0),
            villagers_women: opt("villagers_women", self.villagers_women)?,
            villagers_men: opt("villagers_men", self.villagers_men)?,
        }
        .normalised())
    }
}

/// Refuses a participation naming an organisation the registry does not have (`unknown_organisation`).
/// An organisation of another area may take part (organisations travel); a proposed one as well.
async fn require_known_organisations(state: &AppState, p: &Participation) -> Result<(), AppError> {
    let ids: Vec<String> = p.organisations.iter().map(ToString::to_string).collect();
    let unknown = read_model::unknown_organisations(&state.db, &ids).await?;
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid("unknown_organisation", format!("no organisation {}", unknown.join(", "))))
    }
}

/// A whole number however JSON writes it, `40` or `40.0`: JSON Schema's `integer`, which the document
/// promises, is both (some clients' serialisers write every number with a fraction).
fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else { return Ok(None) };
    let whole = n.as_i64().or_else(|| {
        // Beyond ±2^63 an f64 is no i64: `as` would saturate, so refuse it instead.
        n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18).map(|f| f as i64)
    });
    whole.map(Some).ok_or_else(|| D::Error::custom(format!("invalid value: {n}, expected a whole number")))
}

impl HoldForumRequest {
    /// The command, judged against the server clock `now`.
    pub fn into_command(self, now: DateTime<Utc>) -> Result<HoldForum, AppError> {
        let area = AreaId::parse(&self.area_id)?;
        let participants = match self.participants {
            None => None,
            Some(n) => Some(
                u32::try_from(n)
                    .map_err(|_| AppError::invalid("bad_participants", "participants must be a whole number from 0"))?,
            ),
        };
        Ok(HoldForum {
            area,
            held_on: parse_date("held_on", &self.held_on)?,
            title: opt(self.title.as_deref(), Title::parse)?,
            facilitator: opt(self.facilitator.as_deref(), Name::parse)?,
            participants,
            participation: self.participation.map(ParticipationRequest::into_participation).transpose()?,
            now,
        })
    }
}

/// Records a new forum from an API request; answers with its row (from the read model, or built from the
/// command when the read model lags) and where it was committed.
/// Records a forum. With an idempotency key, a retry of the same request answers the forum the first one
/// recorded and records nothing; the same key with another request is refused.
pub async fn hold_forum(
    state: &AppState,
    caller: &Caller,
    req: HoldForumRequest,
    idempotency_key: Option<String>,
) -> Result<(ForumRow, Committed<Forum>), AppError> {
    caller.require_issue_writer()?;
    let metadata = caller.keyed_metadata(idempotency_key.as_deref(), &req);
    let command = req.into_command(now())?;
    let uuid = match &idempotency_key {
        Some(k) => uuid::Uuid::new_v5(&IDEMPOTENCY_NAMESPACE, format!("{}:{k}", caller.user.id).as_bytes()),
        None => uuid::Uuid::new_v4(),
    };
    let id = ForumId(uuid).to_string();
    let fallback = ForumRow {
        id: id.clone(),
        area_id: command.area.to_string(),
        held_on: command.held_on.to_string(),
        title: command.title.as_ref().map(ToString::to_string),
        facilitator: command.facilitator.as_ref().map(ToString::to_string),
        participants: command.participants.map(i64::from),
        recorded_at: fmt_ts(command.now),
        participation: command.participation.as_ref().map(ParticipationRow::of),
    };
    let done = hold_forum_with(state, caller, id.clone(), command, metadata).await?;
    // The projected row carries the exact recorded time.
    let row = read_model::get_forum(&state.db, &id).await?.unwrap_or(fallback);
    Ok((row, done))
}

/// Forums the caller may see, newest first, optionally of one area.
pub async fn list_forums(state: &AppState, caller: &Caller, area_id: Option<&str>) -> Result<Vec<ForumRow>, AppError> {
    Ok(read_model::list_forums(&state.db, area_id)
        .await?
        .into_iter()
        .filter(|f| caller.sees_area(&f.area_id))
        .collect())
}

/// One forum; another area's forum is "not found" to a coordinator.
pub async fn get_forum(state: &AppState, caller: &Caller, id: &str) -> Result<ForumRow, AppError> {
    find_forum(state, caller, id).await?.ok_or_else(|| AppError::not_found("forum_not_found", "no such forum"))
}

/// One forum, if it exists and the caller may see it.
pub async fn find_forum(state: &AppState, caller: &Caller, id: &str) -> Result<Option<ForumRow>, AppError> {
    Ok(read_model::get_forum(&state.db, id).await?.filter(|f| caller.sees_area(&f.area_id)))
}

/// The issues raised at a forum the caller got through [`get_forum`] (so within their scope), but the
/// restricted ones the caller may not read.
pub async fn issues_of(state: &AppState, caller: &Caller, forum: &ForumRow) -> Result<Vec<IssueRow>, AppError> {
    let hidden = caller.restriction();
    Ok(santisuk_projections::queue::issues_of_forum(&state.db, &forum.id, hidden.as_ref()).await?)
}

/// Records who took part in a forum already held, or corrects the record (the last one wins): the
/// coordinator of the forum's area, staff or an admin. A forum the caller may not see is "not found".
pub async fn record_participation(
    state: &AppState,
    caller: &Caller,
    id: &str,
    req: ParticipationRequest,
) -> Result<ForumRow, AppError> {
    caller.require_issue_writer()?;
    let mut forum = get_forum(state, caller, id).await?;
    let participation = req.into_participation()?;
    require_known_organisations(state, &participation).await?;
    let command = ForumCommand::RecordParticipation { participation: participation.clone(), now: now() };
    state.command::<Forum>(forum.id.clone(), command, caller.metadata(), None).await?;
    forum.participation = Some(ParticipationRow::of(&participation));
    Ok(read_model::get_forum(&state.db, &forum.id).await?.unwrap_or(forum))
}
