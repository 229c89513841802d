//! Agencies and referral in the web app (issue #17 §1): the agencies page (`/admin/agencies`: everyone reads,
//! admins register and edit), the routing rules page (`/admin/routing`: everyone reads, admins set and
//! remove), the referral part of the issue page (the agency and who the problem waits for, the agency picker
//! of the assign form with the rule's suggestion chosen, the "waiting for" form), the suggestions on a
//! forum's page right after its problems were raised, and the ball-in-court page (`/reports/custody`).
//!
//! Every write goes through the application functions the API calls (`santisuk_app::agencies`, the issue
//! actions), so the web app decides nothing the API would not. Everything works without script: a
//! suggestion is chosen in the server-rendered `<select>`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use santisuk_app::agencies::{
    self, AgencyQuery, AgencyRow, CustodyParams, RegisterAgencyRequest, RoutingRuleRow, RoutingSuggestion,
    SetRoutingRuleRequest, UpdateAgencyRequest,
};
use santisuk_app::caller::Role;
use santisuk_app::forums::ForumRow;
use santisuk_app::issues::IssueRow;
use santisuk_app::reference::{self, CategoryRow};
use santisuk_domain::agency::{AgencyLevel, Party};
use santisuk_domain::geo::Geography;
use santisuk_domain::values::{IssueStatus, Name, Text};
use serde::Deserialize;

use super::i18n::{self, Lang};
use super::layout::{self, Nav, field_error, invalid};
use super::{Posted, Web, WebError};
use crate::error::AppError;
use crate::state::{AppState, now};

/// The value of the assign form's agency option that follows a routing rule: `rule:<id>` (the application
/// takes the rule's agency and records the rule); any other value is an agency id.
const RULE_PREFIX: &str = "rule:";

/// The agency and rule an assign form's agency choice names: `(agency, rule)`.
pub fn referral_choice(raw: &str) -> (Option<String>, Option<String>) {
    let raw = raw.trim();
    match raw.strip_prefix(RULE_PREFIX) {
        Some(rule) => (None, Some(rule.to_owned())),
        None if raw.is_empty() => (None, None),
        None => (Some(raw.to_owned()), None),
    }
}

fn district_label(lang: Lang, code: &str) -> String {
    match Geography::get().amphoe(code) {
        Some(a) => format!("{} ({})", lang.pick(&a.name_th, &a.name_en), lang.pick(&a.province_th, &a.province_en)),
        None => code.to_owned(),
    }
}

fn agency_name<'a>(lang: Lang, agencies: &'a [AgencyRow], id: &'a str) -> &'a str {
    agencies
        .iter()
        .find(|a| a.id == id)
        .map(|a| match (lang, &a.name_en) {
            (Lang::En, Some(en)) => en.as_str(),
            _ => a.name_th.as_str(),
        })
        .unwrap_or(id)
}

// --- the issue page: referral --------------------------------------------------------------------------------

/// What the issue page shows of the referral: the agencies to pick from and the rule's suggestion.
#[derive(Debug, Default)]
pub struct Referral {
    agencies: Vec<AgencyRow>,
    suggestion: Option<RoutingSuggestion>,
}

/// The referral of `row` for the issue page (the suggestion only for a writer who may act on it).
pub async fn referral(state: &AppState, web: &Web, row: &IssueRow, writer: bool) -> Result<Referral, WebError> {
    let agencies = agencies::list_agencies(state, &web.ctx, &AgencyQuery::default()).await?;
    let suggestion = match (writer, reference::get_area(state, &web.ctx, &row.area_id).await?) {
        (true, Some(area)) => Some(agencies::suggest_for(state, &row.category, &area.amphoe_code).await?),
        _ => None,
    };
    Ok(Referral { agencies, suggestion })
}

/// The referral's facts (inside the issue page's `dl.facts`): the agency and who the problem waits for.
pub fn facts(lang: Lang, referral: &Referral, row: &IssueRow) -> Markup {
    html! {
        dt { (i18n::AGENCY.get(lang)) }
        dd dir="auto" { @match &row.agency_id {
            Some(id) => a href={ "/admin/agencies#agency-" (id) } { (agency_name(lang, &referral.agencies, id)) },
            None => "—",
        } }
        dt { (i18n::WAITING_FOR.get(lang)) }
        dd #waiting-for { @match &row.waiting_for {
            Some(p) => strong { (i18n::party(lang, p)) },
            None => (i18n::WAITING_NOBODY.get(lang)),
        } }
    }
}

/// The assign form's agency picker: the rule's suggestion (chosen unless something else was typed), every
/// agency, or none. `typed`: the choice of a refused form.
pub fn assign_fields(
    lang: Lang,
    referral: &Referral,
    row: &IssueRow,
    typed: Option<&str>,
    errors: &[(String, String)],
) -> Markup {
    let suggested = referral.suggestion.as_ref().and_then(|s| Some((s.rule.as_ref()?, s.agency.as_ref()?)));
    let rule_value = suggested.map(|(r, _)| format!("{RULE_PREFIX}{}", r.id));
    let chosen = match typed {
        Some(t) => t.to_owned(),
        None => rule_value.clone().or_else(|| row.agency_id.clone()).unwrap_or_default(),
    };
    html! {
        label for="assign-agency" { (i18n::AGENCY.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
        select #assign-agency name="agency" aria-invalid=[invalid(errors, "assign-agency")] aria-describedby="assign-agency-hint" {
            option value="" { (i18n::AGENCY_NONE.get(lang)) }
            @if let (Some((_, agency)), Some(value)) = (suggested, &rule_value) {
                option value=(value) selected[chosen == *value] { "★ " (agency.name_th) " — " (i18n::ROUTING_RULE.get(lang)) }
            }
            @for a in &referral.agencies {
                option value=(a.id) selected[chosen == a.id] { (a.name_th) }
            }
        }
        span.hint #assign-agency-hint {
            @match suggested {
                Some((_, agency)) => { (i18n::SUGGESTED_AGENCY.get(lang)) ": " strong dir="auto" { (agency.name_th) } }
                None => (i18n::SUGGESTED_NONE.get(lang)),
            }
        }
        (field_error(errors, "assign-agency"))
    }
}

/// The "waiting for" form of an open problem (a writer's; the page's action forms carry the same fields).
pub fn waiting_form(web: &Web, row: &IssueRow, typed: Option<(&str, &str)>, errors: &[(String, String)]) -> Markup {
    let lang = web.lang;
    if row.status == IssueStatus::Closed {
        return html! {};
    }
    let (party, note) = typed.unwrap_or((row.waiting_for.as_deref().unwrap_or_default(), ""));
    html! {
        form.card #wait method="post" action={ "/issues/" (row.id) "/wait" } {
            h2 { (i18n::WAITING_SET.get(lang)) }
            input type="hidden" name="_csrf" value=(web.csrf);
            input type="hidden" name="version" value=(row.version);
            label for="wait-waiting_for" { (i18n::WAITING_FOR.get(lang)) }
            select #wait-waiting_for name="waiting_for" required aria-invalid=[invalid(errors, "wait-waiting_for")] {
                @for p in Party::ALL {
                    // Waiting for "the agency" needs a referral (the domain's rule): not offered without one.
                    @if p != Party::Agency || row.agency_id.is_some() {
                        option value=(p.as_str()) selected[party == p.as_str()] { (i18n::party(lang, p.as_str())) }
                    }
                }
            }
            (field_error(errors, "wait-waiting_for"))
            label for="wait-note" { (i18n::NOTE.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
            textarea #wait-note name="note" maxlength=(Text::MAX) dir="auto" { (note) }
            (layout::when_input(lang, "wait", "", "", errors))
            button.primary type="submit" { (i18n::WAITING_SET.get(lang)) }
        }
    }
}

// --- a forum's page: suggestions for the problems just raised ------------------------------------------------

/// The agencies the routing rules suggest for the forum's problems not yet assigned (right after the raise),
/// The agency the routing rules suggest for a problem being raised, once its area and category are chosen:
/// one line under the problem on the forum form (when it is shown again, and fetched by the script as one
/// types, with the likely duplicates). Nothing for readers, another area, or no rule.
pub async fn row_agency(state: &AppState, web: &Web, area: &str, category: &str) -> Result<Markup, WebError> {
    let (area, category) = (area.trim(), category.trim());
    if area.is_empty() || category.is_empty() || web.ctx.require_issue_writer().is_err() || !web.ctx.sees_area(area) {
        return Ok(html! {});
    }
    let Some(row) = reference::get_area(state, &web.ctx, area).await? else { return Ok(html! {}) };
    let suggestion = agencies::suggest_for(state, category, &row.amphoe_code).await?;
    Ok(match suggestion.agency {
        Some(agency) => html! {
            p.suggested-agency role="status" {
                (i18n::SUGGESTED_AGENCY.get(web.lang)) ": " strong dir="auto" { (agency.name_th) }
            }
        },
        None => html! {},
    })
}

/// each linking to its assign form, where the suggestion is chosen. Nothing for readers or without rules.
pub async fn forum_suggestions(
    state: &AppState,
    web: &Web,
    forum: &ForumRow,
    issues: &[IssueRow],
) -> Result<Markup, WebError> {
    let lang = web.lang;
    if web.ctx.require_issue_writer().is_err() {
        return Ok(html! {});
    }
    let Some(area) = reference::get_area(state, &web.ctx, &forum.area_id).await? else { return Ok(html! {}) };
    let mut rows = Vec::new();
    for issue in issues.iter().filter(|i| i.status == IssueStatus::Raised) {
        let s = agencies::suggest_for(state, &issue.category, &area.amphoe_code).await?;
        if let Some(agency) = s.agency {
            rows.push((issue, agency));
        }
    }
    if rows.is_empty() {
        return Ok(html! {});
    }
    Ok(html! {
        section.card #suggestions {
            h2 { (i18n::SUGGESTED_AGENCY.get(lang)) }
            ul { @for (issue, agency) in &rows {
                li { a href={ "/issues/" (issue.id) "#assign" } dir="auto" { (issue.title) } " → " strong dir="auto" { (agency.name_th) } }
            } }
        }
    })
}

// --- /admin/agencies ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AgencyForm {
    #[serde(default)]
    name_th: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    districts: Vec<String>,
    #[serde(default)]
    contact: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

fn require_admin(web: &Web) -> Result<(), WebError> {
    Ok(web.ctx.require(&[Role::Admin], "manage agencies and routing rules")?)
}

fn level_select(lang: Lang, chosen: &str) -> Markup {
    html! {
        select name="level" required {
            @for l in AgencyLevel::ALL {
                option value=(l.as_str()) selected[l.as_str() == chosen] { (i18n::agency_level(lang, l.as_str())) }
            }
        }
    }
}

fn district_select(lang: Lang, chosen: &[String]) -> Markup {
    html! {
        select name="districts" multiple size="8" aria-describedby="districts-hint" {
            @for a in Geography::get().amphoes() {
                option value=(a.code) selected[chosen.contains(&a.code)] { (district_label(lang, &a.code)) }
            }
        }
        span.hint #districts-hint { (i18n::AGENCY_DISTRICTS_HINT.get(lang)) }
    }
}

fn agency_fields(lang: Lang, f: &AgencyForm, errors: &[(String, String)]) -> Markup {
    html! {
        label { (i18n::AGENCY.get(lang)) " (ไทย)"
            input type="text" name="name_th" value=(f.name_th) maxlength=(Name::MAX) dir="auto" required aria-invalid=[invalid(errors, "name_th")]; }
        (field_error(errors, "name_th"))
        label { (i18n::AGENCY.get(lang)) " (English) " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" }
            input type="text" name="name_en" value=(f.name_en) maxlength=(Name::MAX) dir="auto"; }
        label { (i18n::AGENCY_LEVEL.get(lang)) (level_select(lang, &f.level)) }
        (field_error(errors, "level"))
        label { (i18n::AGENCY_DISTRICTS.get(lang)) (district_select(lang, &f.districts)) }
        (field_error(errors, "districts"))
        label { (i18n::AGENCY_CONTACT.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" }
            input type="text" name="contact" value=(f.contact) maxlength=(Name::MAX) dir="auto"; }
    }
}

/// The agencies page: everyone reads; admins register and edit.
pub async fn page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|Query(q)| q).unwrap_or_default().done.is_some();
    let form = AgencyForm { level: "amphoe".into(), ..AgencyForm::default() };
    render(&state, &web, &form, &[], done, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    web: &Web,
    form: &AgencyForm,
    errors: &[(String, String)],
    done: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let admin = web.ctx.user.role == Role::Admin;
    let rows = agencies::list_agencies(state, &web.ctx, &AgencyQuery::default()).await?;
    let labels = [("name_th", i18n::AGENCY), ("level", i18n::AGENCY_LEVEL), ("districts", i18n::AGENCY_DISTRICTS)];
    let content = html! {
        @if done { p.notice role="status" { (i18n::DONE_SAVED.get(lang)) } }
        h1 { (i18n::AGENCIES.get(lang)) }
        p { a href="/admin/routing" { (i18n::ROUTING_RULES.get(lang)) } " · " a href="/reports/custody" { (i18n::CUSTODY_TITLE.get(lang)) } }
        (layout::error_summary(lang, errors, &labels))
        table.stack {
            thead { tr { th { (i18n::AGENCY.get(lang)) } th { (i18n::AGENCY_LEVEL.get(lang)) }
                th { (i18n::AGENCY_DISTRICTS.get(lang)) } th { (i18n::AGENCY_CONTACT.get(lang)) } } }
            tbody {
                @for a in &rows {
                    tr id={ "agency-" (a.id) } {
                        td data-label=(i18n::AGENCY.get(lang)) dir="auto" {
                            (a.name_th) @if let Some(en) = &a.name_en { br; span.hint lang="en" { (en) } }
                        }
                        td data-label=(i18n::AGENCY_LEVEL.get(lang)) { (i18n::agency_level(lang, &a.level)) }
                        td data-label=(i18n::AGENCY_DISTRICTS.get(lang)) {
                            @if a.districts.is_empty() { (i18n::AGENCY_ALL_DISTRICTS.get(lang)) }
                            @else { (a.districts.iter().map(|d| district_label(lang, d)).collect::<Vec<_>>().join(", ")) }
                        }
                        td data-label=(i18n::AGENCY_CONTACT.get(lang)) dir="auto" {
                            (a.contact.as_deref().unwrap_or("—"))
                            @if admin {
                                details {
                                    summary { (i18n::AGENCY_EDIT.get(lang)) }
                                    form method="post" action={ "/admin/agencies/" (a.id) } {
                                        input type="hidden" name="_csrf" value=(web.csrf);
                                        (agency_fields(lang, &AgencyForm {
                                            name_th: a.name_th.clone(),
                                            name_en: a.name_en.clone().unwrap_or_default(),
                                            level: a.level.clone(),
                                            districts: a.districts.clone(),
                                            contact: a.contact.clone().unwrap_or_default(),
                                        }, &[]))
                                        button type="submit" { (i18n::SAVE.get(lang)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if admin {
            form.card method="post" action="/admin/agencies" novalidate {
                h2 { (i18n::AGENCY_NEW.get(lang)) }
                input type="hidden" name="_csrf" value=(web.csrf);
                (agency_fields(lang, form, errors))
                p { button.primary type="submit" { (i18n::AGENCY_NEW.get(lang)) } }
            }
        }
    };
    Ok((status, layout::page(web, Nav::Agencies, i18n::AGENCIES.get(lang), content)).into_response())
}

/// Where an error of the agency forms belongs.
fn field_of(code: &str) -> &'static str {
    match code {
        "no_districts" | "unknown_amphoe" | "too_many_districts" => "districts",
        "unknown_agency_level" => "level",
        _ => "name_th",
    }
}

fn blank_is_none(raw: &str) -> Option<String> {
    Some(raw.to_owned()).filter(|r| !r.trim().is_empty())
}

async fn refused(state: &AppState, web: &Web, form: &AgencyForm, e: AppError) -> Result<Response, WebError> {
    match e {
        e @ (AppError::Invalid { .. } | AppError::Conflict { .. }) => {
            let (code, message) = e.code_and_message();
            let errors = vec![(field_of(code).to_owned(), i18n::error_message(web.lang, code, &message))];
            render(state, web, form, &errors, false, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        e => Err(e.into()),
    }
}

/// Registers an agency (admins).
pub async fn register(State(state): State<AppState>, posted: Posted<AgencyForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let req = RegisterAgencyRequest {
        name_th: form.name_th.clone(),
        name_en: blank_is_none(&form.name_en),
        level: form.level.clone(),
        districts: form.districts.clone(),
        contact: blank_is_none(&form.contact),
    };
    match agencies::register_agency(&state, &web.ctx, req).await {
        Ok(_) => Ok(Redirect::to("/admin/agencies?done=1").into_response()),
        Err(e) => refused(&state, &web, &form, e).await,
    }
}

/// Changes an agency (admins).
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<AgencyForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let req = UpdateAgencyRequest {
        name_th: Some(form.name_th.clone()),
        name_en: Some(form.name_en.clone()),
        level: Some(form.level.clone()),
        districts: Some(form.districts.clone()),
        contact: Some(form.contact.clone()),
    };
    match agencies::update_agency(&state, &web.ctx, &id, req).await {
        Ok(_) | Err(AppError::Conflict { code: "agency_unchanged", .. }) => {
            Ok(Redirect::to("/admin/agencies?done=1").into_response())
        }
        Err(e) => {
            let blank = AgencyForm { level: "amphoe".into(), ..AgencyForm::default() };
            refused(&state, &web, &blank, e).await
        }
    }
}

// --- /admin/routing ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    category: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    agency: String,
}

/// The routing rules page: everyone reads; admins set and remove.
pub async fn routing_page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let done = query.map(|Query(q)| q).unwrap_or_default().done.is_some();
    render_routing(&state, &web, &RuleForm::default(), &[], done, StatusCode::OK).await
}

async fn render_routing(
    state: &AppState,
    web: &Web,
    form: &RuleForm,
    errors: &[(String, String)],
    done: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let admin = web.ctx.user.role == Role::Admin;
    let rules: Vec<RoutingRuleRow> = agencies::list_routing_rules(state, &web.ctx).await?;
    let all = agencies::list_agencies(state, &web.ctx, &AgencyQuery::default()).await?;
    let categories: Vec<CategoryRow> = reference::list_categories(state).await?;
    let category = |code: &str| {
        categories
            .iter()
            .find(|c| c.code == code)
            .map(|c| layout::category_label(lang, c))
            .unwrap_or_else(|| code.to_owned())
    };
    let labels = [("category", i18n::CATEGORY), ("district", i18n::DISTRICT), ("agency", i18n::AGENCY)];
    let content = html! {
        @if done { p.notice role="status" { (i18n::DONE_SAVED.get(lang)) } }
        h1 { (i18n::ROUTING_RULES.get(lang)) }
        p { a href="/admin/agencies" { (i18n::AGENCIES.get(lang)) } }
        (layout::error_summary(lang, errors, &labels))
        @if rules.is_empty() { p.muted { (i18n::ROUTING_NONE.get(lang)) } }
        table.stack {
            thead { tr { th { (i18n::CATEGORY.get(lang)) } th { (i18n::DISTRICT.get(lang)) } th { (i18n::AGENCY.get(lang)) } } }
            tbody {
                @for r in &rules {
                    tr {
                        td data-label=(i18n::CATEGORY.get(lang)) { (category(&r.category)) }
                        td data-label=(i18n::DISTRICT.get(lang)) { (district_label(lang, &r.district)) }
                        td data-label=(i18n::AGENCY.get(lang)) dir="auto" { (agency_name(lang, &all, &r.agency_id))
                            @if admin {
                                form.inline method="post" action={ "/admin/routing/" (r.id) "/remove" } {
                                    input type="hidden" name="_csrf" value=(web.csrf);
                                    " " button type="submit" { (i18n::ROUTING_REMOVE.get(lang)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if admin {
            form.card method="post" action="/admin/routing" novalidate {
                h2 { (i18n::ROUTING_SET.get(lang)) }
                input type="hidden" name="_csrf" value=(web.csrf);
                label { (i18n::CATEGORY.get(lang))
                    select name="category" required aria-invalid=[invalid(errors, "category")] {
                        option value="" { (i18n::CHOOSE.get(lang)) }
                        @for c in &categories { option value=(c.code) selected[c.code == form.category] { (layout::category_label(lang, c)) } }
                    } }
                (field_error(errors, "category"))
                label { (i18n::DISTRICT.get(lang))
                    select name="district" required aria-invalid=[invalid(errors, "district")] {
                        option value="" { (i18n::CHOOSE.get(lang)) }
                        @for a in Geography::get().amphoes() { option value=(a.code) selected[a.code == form.district] { (district_label(lang, &a.code)) } }
                    } }
                (field_error(errors, "district"))
                label { (i18n::AGENCY.get(lang))
                    select name="agency" required aria-invalid=[invalid(errors, "agency")] {
                        option value="" { (i18n::CHOOSE.get(lang)) }
                        @for a in &all { option value=(a.id) selected[a.id == form.agency] { (a.name_th) } }
                    } }
                (field_error(errors, "agency"))
                p { button.primary type="submit" { (i18n::ROUTING_SET.get(lang)) } }
            }
        }
    };
    Ok((status, layout::page(web, Nav::Agencies, i18n::ROUTING_RULE.get(lang), content)).into_response())
}

/// Sets a routing rule (admins).
pub async fn set_rule(State(state): State<AppState>, posted: Posted<RuleForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let req = SetRoutingRuleRequest {
        category: form.category.clone(),
        district: form.district.clone(),
        agency: form.agency.clone(),
    };
    match agencies::set_routing_rule(&state, &web.ctx, req).await {
        Ok(_) | Err(AppError::Conflict { code: "routing_rule_unchanged", .. }) => {
            Ok(Redirect::to("/admin/routing?done=1").into_response())
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let (code, message) = e.code_and_message();
            let field = match code {
                "unknown_category" | "bad_category_code" => "category",
                "unknown_amphoe" => "district",
                _ => "agency",
            };
            let errors = vec![(field.to_owned(), i18n::error_message(web.lang, code, &message))];
            render_routing(&state, &web, &form, &errors, false, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a routing rule (admins); removing one already gone finds it done.
pub async fn remove_rule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let Posted { web, .. } = posted;
    require_admin(&web)?;
    match agencies::remove_routing_rule(&state, &web.ctx, &id).await {
        Ok(()) | Err(AppError::NotFound { code: "routing_rule_not_found", .. }) => {
            Ok(Redirect::to("/admin/routing?done=1").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// --- /reports/custody: ball in court ---------------------------------------------------------------------------------

/// Ball in court per agency (or per category), live or as of an instant: which agency holds problems long.
pub async fn custody_page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<CustodyParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let mut params = query.map(|Query(q)| q).unwrap_or_default();
    params.as_of = params.as_of.filter(|a| !a.trim().is_empty());
    let by = params.by.clone().unwrap_or_else(|| "agency".into());
    let (q, as_of) = agencies::parse_custody(&web.ctx, &params, now())?;
    let stats = agencies::custody(&state, &q, as_of).await?;
    let all = agencies::list_agencies(&state, &web.ctx, &AgencyQuery::default()).await?;
    let categories = reference::list_categories(&state).await?;
    let label = |row: &agencies::CustodyRow| -> String {
        let key = row.keys.values().next().cloned().flatten();
        match (by.as_str(), key) {
            ("category", Some(c)) => {
                categories.iter().find(|k| k.code == c).map(|k| layout::category_label(lang, k)).unwrap_or(c)
            }
            (_, Some(a)) => agency_name(lang, &all, &a).to_owned(),
            (_, None) => i18n::AGENCY_NONE.get(lang).to_owned(),
        }
    };
    let days = |d: f64| format!("{d:.1}");
    let mean = |d: Option<f64>| d.map_or_else(|| "—".to_owned(), |d| format!("{d:.1}"));
    // Slowest agency first: the mean days a problem waited for the agency.
    let mut rows: Vec<_> = stats.rows.iter().collect();
    rows.sort_by(|a, b| b.mean_days.agency.unwrap_or(-1.0).total_cmp(&a.mean_days.agency.unwrap_or(-1.0)));
    let content = html! {
        h1 { (i18n::CUSTODY_TITLE.get(lang)) }
        p.hint { (i18n::CUSTODY_HINT.get(lang)) }
        p { a href="/reports/custody?by=agency" { (i18n::CUSTODY_BY_AGENCY.get(lang)) } " · "
            a href="/reports/custody?by=category" { (i18n::CUSTODY_BY_CATEGORY.get(lang)) } }
        table.stack #custody {
            thead {
                tr { th { @if by == "category" { (i18n::CATEGORY.get(lang)) } @else { (i18n::AGENCY.get(lang)) } }
                    th { (i18n::CUSTODY_PROBLEMS.get(lang)) }
                    @for p in Party::ALL { th { (i18n::party(lang, p.as_str())) ": " (i18n::CUSTODY_MEAN.get(lang)) } }
                    @for p in Party::ALL { th { (i18n::party(lang, p.as_str())) ": " (i18n::CUSTODY_WAITING_NOW.get(lang)) } }
                    th { (i18n::CUSTODY_DAYS.get(lang)) } }
            }
            tbody {
                @for r in &rows {
                    tr {
                        td dir="auto" { (label(r)) }
                        td { (r.problems) }
                        td { (mean(r.mean_days.sbpac)) } td { (mean(r.mean_days.agency)) } td { (mean(r.mean_days.community)) }
                        td { (r.waiting_now.sbpac) } td { (r.waiting_now.agency) } td { (r.waiting_now.community) }
                        td { (days(r.days.sbpac + r.days.agency + r.days.community)) }
                    }
                }
            }
        }
    };
    Ok(layout::page(&web, Nav::Dashboard, i18n::CUSTODY_TITLE.get(lang), content).into_response())
}
