//! Organisations and participation in the web app (issue #16 §1): the registry's page
//! (`/admin/organisations`, admins and staff: list, register, approve the proposed, edit), the participation
//! fields of the forum form and of the forum page (record or correct who took part), the forum page's
//! participation or "ไม่ได้บันทึก" (not recorded), and the coordinator's "propose an organisation" form there.
//!
//! Every write goes through the application functions the API calls (`organisations::*`,
//! `forums::record_participation`), so the web app decides nothing the API would not.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use santisuk_app::caller::Role;
use santisuk_app::forums::{self, ParticipationRequest, ParticipationRow};
use santisuk_app::organisations::{
    self, OrganisationQuery, OrganisationRow, RegisterOrganisationRequest, UpdateOrganisationRequest,
};
use santisuk_app::reference::{self, AreaRow};
use santisuk_domain::forum::LeaderRole;
use santisuk_domain::organisation::OrganisationKind;
use santisuk_domain::values::Name;
use serde::Deserialize;
use uuid::Uuid;

use super::i18n::{self, Lang, Tr};
use super::layout::{self, Nav, field_error, invalid};
use super::{Posted, Web, WebError};
use crate::error::{ApiError, AppError};
use crate::state::AppState;

// --- words (Thai first) -----------------------------------------------------------------------------------

pub const ORGANISATIONS: Tr = Tr("organisations");
pub const ORGANISATIONS_NAV: Tr = Tr("organisations-nav");
const ORGANISATION_NEW: Tr = Tr("organisation-new");
const ORGANISATION_PROPOSE: Tr = Tr("organisation-propose");
const ORGANISATION_PROPOSE_HINT: Tr = Tr("organisation-propose-hint");
pub const ORGANISATION_SAVED: Tr = Tr("organisation-saved");
const ORGANISATION_KIND: Tr = Tr("organisation-kind");
const ORGANISATION_AREAS: Tr = Tr("organisation-areas");
const STATUS_ACTIVE: Tr = Tr("status-active");
const STATUS_PROPOSED: Tr = Tr("status-proposed");
const APPROVE: Tr = Tr("approve");
const EDIT: Tr = Tr("edit");
const NONE_YET: Tr = Tr("none-yet");
const NAME_TH: Tr = Tr("organisations-name-th");
const NAME_EN: Tr = Tr("organisations-name-en");

pub const PARTICIPATION: Tr = Tr("participation");
const PARTICIPATION_HINT: Tr = Tr("participation-hint");
pub const NOT_RECORDED: Tr = Tr("not-recorded");
const SBPAC_STAFF: Tr = Tr("sbpac-staff");
const COORDINATORS: Tr = Tr("coordinators");
const LEADERS: Tr = Tr("leaders");
const LEADERS_TOTAL: Tr = Tr("leaders-total");
const VILLAGERS: Tr = Tr("villagers");
const WOMEN: Tr = Tr("women");
const MEN: Tr = Tr("men");
const ORGANISATIONS_AT: Tr = Tr("organisations-at");
const NO_ORGANISATIONS: Tr = Tr("no-organisations");
const RECORD_PARTICIPATION: Tr = Tr("record-participation");
pub const PARTICIPATION_SAVED: Tr = Tr("participation-saved");
const BY_GENDER_UNKNOWN: Tr = Tr("by-gender-unknown");

fn kind_label(kind: OrganisationKind) -> Tr {
    match kind {
        OrganisationKind::Foundation => Tr("kind-label-foundation"),
        OrganisationKind::Association => Tr("kind-label-association"),
        OrganisationKind::WomensGroup => Tr("kind-label-women-s-group"),
        OrganisationKind::YouthGroup => Tr("kind-label-youth-group"),
        OrganisationKind::ReligiousBody => Tr("kind-label-religious-body"),
        OrganisationKind::Network => Tr("kind-label-network"),
        OrganisationKind::CommunityEnterprise => Tr("kind-label-community-enterprise"),
        OrganisationKind::Other => Tr("kind-label-other"),
    }
}

fn role_label(role: LeaderRole) -> Tr {
    match role {
        LeaderRole::VillageHeadman => Tr("role-label-village-headman"),
        LeaderRole::Kamnan => Tr("role-label-kamnan"),
        LeaderRole::Imam => Tr("role-label-imam"),
        LeaderRole::Teacher => Tr("role-label-teacher"),
        LeaderRole::Elder => Tr("role-label-elder"),
        LeaderRole::WomenLeader => Tr("role-label-women-s-leader"),
        LeaderRole::YouthLeader => Tr("role-label-youth-leader"),
        LeaderRole::Other => Tr("role-label-other-leader"),
    }
}

/// An organisation's kind in words (the audit log's cards).
pub fn kind_words(lang: Lang, raw: &str) -> String {
    kind_text(lang, raw)
}

/// A stored participation record in words (the audit log's cards never show raw JSON).
pub fn participation_words(lang: Lang, value: &serde_json::Value) -> String {
    let n = |key: &str| value[key].as_i64().map_or_else(|| BY_GENDER_UNKNOWN.get(lang).to_owned(), |n| n.to_string());
    let leaders: Vec<String> = value["leaders"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(role, count)| {
            let role = LeaderRole::parse(role).map_or(role.as_str(), |r| role_label(r).get(lang));
            format!("{role} {count}")
        })
        .collect();
    let organisations = value["organisations"].as_array().map_or(0, Vec::len);
    format!(
        "{} {}; {} {}; {} {}; {} {} ({} {}, {} {}); {} {}",
        SBPAC_STAFF.get(lang),
        n("sbpac_staff"),
        COORDINATORS.get(lang),
        n("coordinators"),
        LEADERS.get(lang),
        if leaders.is_empty() { "0".to_owned() } else { leaders.join(", ") },
        VILLAGERS.get(lang),
        n("villagers"),
        WOMEN.get(lang),
        n("villagers_women"),
        MEN.get(lang),
        n("villagers_men"),
        ORGANISATIONS_AT.get(lang),
        organisations,
    )
}

fn kind_text(lang: Lang, raw: &str) -> String {
    OrganisationKind::parse(raw).map_or_else(|| raw.to_owned(), |k| kind_label(k).get(lang).to_owned())
}

fn status_text(lang: Lang, raw: &str) -> &'static str {
    if raw == "proposed" { STATUS_PROPOSED.get(lang) } else { STATUS_ACTIVE.get(lang) }
}

/// The message of an error code of this feature (others: the shared messages).
pub fn error_message(lang: Lang, code: &str, fallback: &str) -> String {
    let tr = match code {
        "unknown_organisation" => Tr("error-message-unknown-organisation"),
        "unknown_leader_role" => Tr("error-message-unknown-leader-role"),
        "gender_exceeds_villagers" => Tr("error-message-gender-exceeds-villagers"),
        "participation_exceeds_head_count" => Tr("error-message-participation-exceeds-head-count"),
        "too_many_organisations" => Tr("error-message-too-many-organisations"),
        "duplicate_organisation" => Tr("error-message-duplicate-organisation"),
        "unknown_organisation_kind" => Tr("error-message-unknown-organisation-kind"),
        "no_areas" => Tr("error-message-no-areas"),
        "organisation_unchanged" => Tr("error-message-organisation-unchanged"),
        "organisation_not_proposed" => Tr("error-message-organisation-not-proposed"),
        _ => return i18n::error_message(lang, code, fallback),
    };
    tr.get(lang).to_owned()
}

/// Whether an error code is about the participation fields.
pub fn is_participation_error(code: &str) -> bool {
    matches!(
        code,
        "unknown_organisation"
            | "unknown_leader_role"
            | "gender_exceeds_villagers"
            | "participation_exceeds_head_count"
            | "too_many_organisations"
    )
}

// --- participation: the fields, as typed ---------------------------------------------------------------------

/// The participation fields of a form, as typed (so they can be shown again unchanged). Each leader count
/// comes with its role in a hidden field beside it (`pa_role`, `pa_leader`, in the same order).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ParticipationForm {
    #[serde(default)]
    pub pa_sbpac_staff: String,
    #[serde(default)]
    pub pa_coordinators: String,
    #[serde(default)]
    pub pa_villagers: String,
    #[serde(default)]
    pub pa_women: String,
    #[serde(default)]
    pub pa_men: String,
    #[serde(default)]
    pub pa_organisations: Vec<String>,
    #[serde(default)]
    pub pa_role: Vec<String>,
    #[serde(default)]
    pub pa_leader: Vec<String>,
}

impl ParticipationForm {
    /// Nothing typed: the participation is not recorded.
    pub fn is_empty(&self) -> bool {
        [&self.pa_sbpac_staff, &self.pa_coordinators, &self.pa_villagers, &self.pa_women, &self.pa_men]
            .iter()
            .all(|f| f.trim().is_empty())
            && self.pa_organisations.iter().all(|o| o.trim().is_empty())
            && self.pa_leader.iter().all(|n| n.trim().is_empty())
    }

    fn leader(&self, role: LeaderRole) -> &str {
        self.pa_role.iter().position(|r| r == role.as_str()).and_then(|i| self.pa_leader.get(i)).map_or("", |s| s)
    }

    /// The form as the API's request: a number that is not one is refused here (`bad_participants`), the
    /// rest by the application as for the API.
    pub fn request(&self) -> Result<ParticipationRequest, AppError> {
        let number = |raw: &str| -> Result<Option<i64>, AppError> {
            match raw.trim() {
                "" => Ok(None),
                t => t
                    .parse::<i64>()
                    .map(Some)
                    .map_err(|_| AppError::invalid("bad_participants", "participants must be a whole number from 0")),
            }
        };
        let mut leaders = std::collections::BTreeMap::new();
        for (role, n) in self.pa_role.iter().zip(&self.pa_leader) {
            if let Some(n) = number(n)? {
                leaders.insert(role.trim().to_owned(), serde_json::Number::from(n));
            }
        }
        Ok(ParticipationRequest {
            sbpac_staff: number(&self.pa_sbpac_staff)?,
            coordinators: number(&self.pa_coordinators)?,
            organisations: Some(
                self.pa_organisations.iter().filter(|o| !o.trim().is_empty()).map(|o| o.trim().to_owned()).collect(),
            ),
            leaders: Some(leaders),
            villagers: number(&self.pa_villagers)?,
            villagers_women: number(&self.pa_women)?,
            villagers_men: number(&self.pa_men)?,
        })
    }

    /// The form filled with a recorded participation (to correct it).
    pub fn of(p: Option<&ParticipationRow>) -> ParticipationForm {
        let Some(p) = p else { return ParticipationForm::default() };
        let n = |v: i64| v.to_string();
        ParticipationForm {
            pa_sbpac_staff: n(p.sbpac_staff),
            pa_coordinators: n(p.coordinators),
            pa_villagers: n(p.villagers),
            pa_women: p.villagers_women.map(n).unwrap_or_default(),
            pa_men: p.villagers_men.map(n).unwrap_or_default(),
            pa_organisations: p.organisations.clone(),
            pa_role: LeaderRole::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
            pa_leader: LeaderRole::ALL
                .iter()
                .map(|r| p.leaders_by_role.get(r.as_str()).map(|n| n.to_string()).unwrap_or_default())
                .collect(),
        }
    }
}

/// The participation fields: the four partner groups and the villagers, by gender where known.
/// `organisations`: those the caller may pick (a coordinator's: of their areas).
pub fn fields(
    lang: Lang,
    form: &ParticipationForm,
    organisations: &[OrganisationRow],
    errors: &[(String, String)],
) -> Markup {
    let number = |name: &str, label: Tr, value: &str| {
        html! {
            div {
                label for=(name) { (label.get(lang)) }
                input id=(name) type="number" name=(name) min="0" max="100000" inputmode="numeric" value=(value)
                    aria-invalid=[invalid(errors, "participation")];
            }
        }
    };
    html! {
        fieldset.participation #participation {
            legend { (PARTICIPATION.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
            p.hint { (PARTICIPATION_HINT.get(lang)) }
            (field_error(errors, "participation"))
            div.grid.two {
                (number("pa_sbpac_staff", SBPAC_STAFF, &form.pa_sbpac_staff))
                (number("pa_coordinators", COORDINATORS, &form.pa_coordinators))
            }
            fieldset {
                legend { (ORGANISATIONS_AT.get(lang)) }
                @if organisations.is_empty() { p.hint { (NO_ORGANISATIONS.get(lang)) } }
                @for o in organisations {
                    label.check {
                        input type="checkbox" name="pa_organisations" value=(o.id) checked[form.pa_organisations.contains(&o.id)];
                        " " span dir="auto" { (o.name_th) } " "
                        span.hint { "(" (kind_text(lang, &o.kind)) @if o.status == "proposed" { ", " (STATUS_PROPOSED.get(lang)) } ")" }
                    }
                }
            }
            fieldset {
                legend { (LEADERS.get(lang)) }
                div.grid.two {
                    @for role in LeaderRole::ALL {
                        @let id = format!("pa_leader-{}", role.as_str());
                        div {
                            label for=(id) { (role_label(role).get(lang)) }
                            input type="hidden" name="pa_role" value=(role.as_str());
                            input id=(id) type="number" name="pa_leader" min="0" max="100000" inputmode="numeric"
                                value=(form.leader(role));
                        }
                    }
                }
            }
            div.grid.two {
                (number("pa_villagers", VILLAGERS, &form.pa_villagers))
                div {}
                (number("pa_women", WOMEN, &form.pa_women))
                (number("pa_men", MEN, &form.pa_men))
            }
        }
    }
}

/// A forum's participation as the forum page shows it, or "ไม่ได้บันทึก" (not recorded).
pub fn view(lang: Lang, p: Option<&ParticipationRow>, names: &[OrganisationRow]) -> Markup {
    let name = |id: &str| names.iter().find(|o| o.id == id).map_or_else(|| id.to_owned(), |o| o.name_th.clone());
    html! {
        section.card.participation {
            h2 { (PARTICIPATION.get(lang)) }
            @match p {
                None => p.muted #participation-status { (NOT_RECORDED.get(lang)) },
                Some(p) => dl.facts {
                    dt { (SBPAC_STAFF.get(lang)) } dd { (p.sbpac_staff) }
                    dt { (COORDINATORS.get(lang)) } dd { (p.coordinators) }
                    dt { (LEADERS_TOTAL.get(lang)) } dd {
                        (p.leaders)
                        @if !p.leaders_by_role.is_empty() {
                            " ("
                            @for (i, (role, n)) in p.leaders_by_role.iter().enumerate() {
                                @if i > 0 { ", " }
                                (LeaderRole::parse(role).map_or(role.as_str(), |r| role_label(r).get(lang))) " " (n)
                            }
                            ")"
                        }
                    }
                    dt { (VILLAGERS.get(lang)) } dd {
                        (p.villagers) " (" (WOMEN.get(lang)) " "
                        (p.villagers_women.map_or_else(|| BY_GENDER_UNKNOWN.get(lang).to_owned(), |n| n.to_string()))
                        ", " (MEN.get(lang)) " "
                        (p.villagers_men.map_or_else(|| BY_GENDER_UNKNOWN.get(lang).to_owned(), |n| n.to_string())) ")"
                    }
                    dt { (ORGANISATIONS_AT.get(lang)) } dd {
                        @if p.organisations.is_empty() { "–" }
                        ul.plain { @for id in &p.organisations { li dir="auto" { (name(id)) } } }
                    }
                },
            }
        }
    }
}

/// The organisations the caller may pick at a forum: those they may see (a coordinator's: of their areas),
/// of `area` first when given.
pub async fn pickable(state: &AppState, web: &Web) -> Result<Vec<OrganisationRow>, AppError> {
    organisations::list_organisations(state, &web.ctx, &OrganisationQuery::default()).await
}

/// The forum page's forms: record or correct participation (writers), propose an organisation
/// (coordinators).
pub async fn forum_forms(
    state: &AppState,
    web: &Web,
    forum_id: &str,
    form: &ParticipationForm,
    errors: &[(String, String)],
) -> Result<Markup, AppError> {
    let lang = web.lang;
    let role = web.ctx.user.role;
    if !matches!(role, Role::Admin | Role::Staff | Role::Coordinator) {
        return Ok(html! {});
    }
    let organisations = pickable(state, web).await?;
    Ok(html! {
        details.card open[!errors.is_empty()] {
            summary { (RECORD_PARTICIPATION.get(lang)) }
            form method="post" action={ "/forums/" (forum_id) "/participation" } novalidate {
                input type="hidden" name="_csrf" value=(web.csrf);
                (fields(lang, form, &organisations, errors))
                p { button.primary type="submit" { (i18n::SAVE.get(lang)) } }
            }
        }
        @if role == Role::Coordinator {
            details.card {
                summary { (ORGANISATION_PROPOSE.get(lang)) }
                form method="post" action={ "/forums/" (forum_id) "/organisations" } novalidate {
                    input type="hidden" name="_csrf" value=(web.csrf);
                    p.hint { (ORGANISATION_PROPOSE_HINT.get(lang)) }
                    (name_fields(lang, "", "", errors))
                    (kind_select(lang, "other"))
                    p { button type="submit" { (ORGANISATION_PROPOSE.get(lang)) } }
                }
            }
        }
    })
}

fn name_fields(lang: Lang, name_th: &str, name_en: &str, errors: &[(String, String)]) -> Markup {
    html! {
        div.grid.two {
            div {
                label for="name_th" { (NAME_TH.get(lang)) }
                input #name_th type="text" name="name_th" value=(name_th) maxlength=(Name::MAX) dir="auto" required
                    aria-invalid=[invalid(errors, "name_th")];
                (field_error(errors, "name_th"))
            }
            div {
                label for="name_en" { (NAME_EN.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
                input #name_en type="text" name="name_en" value=(name_en) maxlength=(Name::MAX) dir="auto" lang="en";
            }
        }
    }
}

fn kind_select(lang: Lang, current: &str) -> Markup {
    html! {
        label for="kind" { (ORGANISATION_KIND.get(lang)) }
        select #kind name="kind" {
            @for k in OrganisationKind::ALL {
                option value=(k.as_str()) selected[k.as_str() == current] { (kind_label(k).get(lang)) }
            }
        }
    }
}

// --- the forum page's writes ------------------------------------------------------------------------------

/// Records or corrects a forum's participation (the API's `PUT /api/forums/{id}/participation`); on an
/// error, the forum page again with the fields as typed and the message beside them.
pub async fn record_participation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<ParticipationForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    web.ctx.require_issue_writer()?;
    let not_found = || WebError::from(ApiError::not_found("forum_not_found", "no such forum"));
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?.to_string();
    let result = match form.request() {
        Ok(req) => forums::record_participation(&state, &web.ctx, &id, req).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/forums/{id}?participation=1")).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let (code, message) = e.code_and_message();
            let errors = vec![("participation".to_owned(), error_message(web.lang, code, &message))];
            super::forums::show_with(&state, &web, &id, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    name_th: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    kind: String,
}

/// A coordinator proposes an organisation working in the forum's area (the API's `POST /api/organisations`).
pub async fn propose(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<ProposeForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    let not_found = || WebError::from(ApiError::not_found("forum_not_found", "no such forum"));
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?.to_string();
    let forum = forums::get_forum(&state, &web.ctx, &id).await?;
    let req = RegisterOrganisationRequest {
        name_th: form.name_th.clone(),
        name_en: Some(form.name_en.clone()).filter(|n| !n.trim().is_empty()),
        kind: form.kind.clone(),
        area_ids: vec![forum.area_id.clone()],
    };
    match organisations::register_organisation(&state, &web.ctx, req).await {
        Ok(_) => Ok(Redirect::to(&format!("/forums/{id}?proposed=1#participation")).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let (code, message) = e.code_and_message();
            let errors = vec![("name_th".to_owned(), error_message(web.lang, code, &message))];
            let empty = ParticipationForm::of(forum.participation.as_ref());
            super::forums::show_with(&state, &web, &id, &empty, &errors, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Err(e) => Err(e.into()),
    }
}

// --- the registry's page (admins and staff) -----------------------------------------------------------------

fn require_manager(web: &Web) -> Result<(), WebError> {
    Ok(web.ctx.require(&[Role::Admin, Role::Staff], "manage organisations")?)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrganisationForm {
    #[serde(default)]
    name_th: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    areas: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    require_manager(&web)?;
    let done = query.map(|Query(q)| q).unwrap_or_default().done.is_some();
    let form = OrganisationForm { kind: "other".to_owned(), ..OrganisationForm::default() };
    render(&state, &web, &form, &[], done, StatusCode::OK).await
}

fn area_boxes(lang: Lang, name: &str, areas: &[AreaRow], checked: &[String]) -> Markup {
    html! {
        div.checks {
            @for a in areas {
                label.check {
                    input type="checkbox" name=(name) value=(a.id) checked[checked.contains(&a.id)];
                    " " (layout::area_label(lang, a))
                }
            }
        }
    }
}

async fn render(
    state: &AppState,
    web: &Web,
    form: &OrganisationForm,
    errors: &[(String, String)],
    done: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let rows = organisations::list_organisations(state, &web.ctx, &OrganisationQuery::default()).await?;
    let areas = reference::list_areas(state, &web.ctx).await?;
    let labels = [("name_th", NAME_TH), ("areas", ORGANISATION_AREAS), ("kind", ORGANISATION_KIND)];
    let content = html! {
        @if done { p.notice role="status" { (ORGANISATION_SAVED.get(lang)) } }
        h1 { (ORGANISATIONS.get(lang)) }
        (layout::error_summary(lang, errors, &labels))
        @if rows.is_empty() { p.muted { (NONE_YET.get(lang)) } }
        table.stack {
            thead { tr { th { (NAME_TH.get(lang)) } th { (ORGANISATION_KIND.get(lang)) } th { (ORGANISATION_AREAS.get(lang)) }
                th { (i18n::STATUS.get(lang)) } } }
            tbody {
                @for o in &rows {
                    tr {
                        td data-label=(NAME_TH.get(lang)) dir="auto" {
                            (o.name_th) @if let Some(en) = &o.name_en { br; span.hint lang="en" { (en) } }
                        }
                        td data-label=(ORGANISATION_KIND.get(lang)) { (kind_text(lang, &o.kind)) }
                        td data-label=(ORGANISATION_AREAS.get(lang)) { (o.area_ids.join(", ")) }
                        td data-label=(i18n::STATUS.get(lang)) {
                            (status_text(lang, &o.status))
                            @if o.status == "proposed" {
                                form.inline method="post" action={ "/admin/organisations/" (o.id) "/approve" } {
                                    input type="hidden" name="_csrf" value=(web.csrf);
                                    " " button type="submit" { (APPROVE.get(lang)) }
                                }
                            }
                            details {
                                summary { (EDIT.get(lang)) }
                                form method="post" action={ "/admin/organisations/" (o.id) } {
                                    input type="hidden" name="_csrf" value=(web.csrf);
                                    label { (NAME_TH.get(lang))
                                        input type="text" name="name_th" value=(o.name_th) maxlength=(Name::MAX) dir="auto"; }
                                    label { (NAME_EN.get(lang))
                                        input type="text" name="name_en" value=(o.name_en.as_deref().unwrap_or_default()) maxlength=(Name::MAX) dir="auto"; }
                                    label { (ORGANISATION_KIND.get(lang))
                                        select name="kind" { @for k in OrganisationKind::ALL {
                                            option value=(k.as_str()) selected[k.as_str() == o.kind] { (kind_label(k).get(lang)) } } } }
                                    (area_boxes(lang, "areas", &areas, &o.area_ids))
                                    button type="submit" { (i18n::SAVE.get(lang)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        form.card method="post" action="/admin/organisations" novalidate {
            h2 { (ORGANISATION_NEW.get(lang)) }
            input type="hidden" name="_csrf" value=(web.csrf);
            (name_fields(lang, &form.name_th, &form.name_en, errors))
            (kind_select(lang, &form.kind))
            fieldset {
                legend { (ORGANISATION_AREAS.get(lang)) }
                (area_boxes(lang, "areas", &areas, &form.areas))
                (field_error(errors, "areas"))
            }
            p { button.primary type="submit" { (ORGANISATION_NEW.get(lang)) } }
        }
    };
    Ok((status, layout::page(web, Nav::Organisations, ORGANISATIONS.get(lang), content)).into_response())
}

/// Where an error of the registry's forms belongs.
fn field_of(code: &str) -> &'static str {
    match code {
        "no_areas" | "unknown_area" | "bad_area_id" | "too_many_areas" => "areas",
        "unknown_organisation_kind" => "kind",
        _ => "name_th",
    }
}

pub async fn register(State(state): State<AppState>, posted: Posted<OrganisationForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_manager(&web)?;
    let req = RegisterOrganisationRequest {
        name_th: form.name_th.clone(),
        name_en: Some(form.name_en.clone()).filter(|n| !n.trim().is_empty()),
        kind: form.kind.clone(),
        area_ids: form.areas.clone(),
    };
    match organisations::register_organisation(&state, &web.ctx, req).await {
        Ok(_) => Ok(Redirect::to("/admin/organisations?done=1").into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let (code, message) = e.code_and_message();
            let errors = vec![(field_of(code).to_owned(), error_message(web.lang, code, &message))];
            render(&state, &web, &form, &errors, false, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn approve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let Posted { web, .. } = posted;
    require_manager(&web)?;
    match organisations::approve_organisation(&state, &web.ctx, &id).await {
        // A retry of this very approval finds it done.
        Ok(_) | Err(AppError::Conflict { code: "organisation_not_proposed", .. }) => {
            Ok(Redirect::to("/admin/organisations?done=1").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<OrganisationForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_manager(&web)?;
    let req = UpdateOrganisationRequest {
        name_th: Some(form.name_th.clone()),
        name_en: Some(form.name_en.clone()),
        kind: Some(form.kind.clone()),
        area_ids: Some(form.areas.clone()),
    };
    match organisations::update_organisation(&state, &web.ctx, &id, req).await {
        Ok(_) | Err(AppError::Conflict { code: "organisation_unchanged", .. }) => {
            Ok(Redirect::to("/admin/organisations?done=1").into_response())
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let (code, message) = e.code_and_message();
            let errors = vec![(field_of(code).to_owned(), error_message(web.lang, code, &message))];
            let blank = OrganisationForm { kind: "other".to_owned(), ..OrganisationForm::default() };
            render(&state, &web, &blank, &errors, false, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
