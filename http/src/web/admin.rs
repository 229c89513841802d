//! Administration (administrators only): users (create, areas, password, deactivation, tokens), target
//! areas and categories, over the application functions the API calls (`users::*`, `reference::*`).
//!
//! Every form carries the session's CSRF token ([`Posted`]). Where the API takes an `Idempotency-Key`
//! (creating a user, setting areas, deactivating, rotating a token) the form carries a submission id made
//! when it was shown, sent as that key: a retried POST is answered from the first run and writes nothing
//! twice. Areas and categories are keyed by their own code, so a retry meets the record it made; when that
//! record is exactly what was typed, the retry is taken as done. Fields are read with the domain's own
//! parsers, each on its own, so every error shows at once (beside its field and in a summary at the top);
//! the application function then decides, as it does for the API.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use santisuk_app::caller::Role;
use santisuk_app::reference::{self, AddCategoryRequest, AreaRow, CategoryRow, RegisterAreaRequest};
use santisuk_app::users::{self, Token, UserRow};
use santisuk_domain::geo::Geography;
use santisuk_domain::user::{UserName, check_areas};
use santisuk_domain::values::{AmphoeCode, AreaId, CategoryCode, Name, TambonCode};
use serde::Deserialize;
use uuid::Uuid;

use super::i18n::{self, Lang, Tr};
use super::layout::{self, Nav, field_error, invalid};
use super::{Posted, Web, WebError};
use crate::error::{ApiError, AppError};
use crate::state::AppState;

/// Field name → message, in the order found (the summary lists them in that order).
type Errors = Vec<(String, String)>;

/// Refuses (403 page) anyone but an administrator, before anything is read or written.
fn require_admin(web: &Web) -> Result<(), WebError> {
    Ok(web.ctx.require(&[Role::Admin], "administer users, areas and categories")?)
}

fn add(errors: &mut Errors, lang: Lang, field: &str, e: &AppError) {
    let (code, message) = e.code_and_message();
    errors.push((field.to_owned(), i18n::admin_error(lang, code, &message)));
}

fn new_submission() -> String {
    Uuid::new_v4().to_string()
}

/// The submission id of a form, sent as the command's idempotency key.
fn submission_key(raw: &str) -> Result<String, WebError> {
    Uuid::parse_str(raw.trim()).map(|u| u.to_string()).map_err(|_| {
        ApiError::bad_request("bad_submission", "the form has no valid submission id; open it again").into()
    })
}

/// Where an application error about a user belongs on the form.
fn user_field(code: &str) -> &'static str {
    match code {
        "bad_user_name" | "user_exists" => "name",
        "unknown_role" => "role",
        c if c.starts_with("password") => "password",
        "idempotency_key_reused" => "form",
        _ => "areas",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Users,
    Areas,
    Categories,
}

fn tabs(lang: Lang, current: Tab) -> Markup {
    let item = |tab: Tab, href: &str, label: Tr| {
        html! { li { a href=(href) aria-current=[(tab == current).then_some("page")] { (label.get(lang)) } } }
    };
    html! {
        nav.subnav aria-label=(i18n::NAV_ADMIN.get(lang)) {
            ul {
                (item(Tab::Users, "/admin/users", i18n::ADMIN_USERS))
                (item(Tab::Areas, "/admin/areas", i18n::ADMIN_AREAS))
                (item(Tab::Categories, "/admin/categories", i18n::ADMIN_CATEGORIES))
                li { a href="/admin/service-levels" { (super::escalation::SERVICE_LEVELS.get(lang)) } }
                li { a href="/admin/notifications" { (super::notifications::NOTIFICATIONS.get(lang)) } }
            }
        }
    }
}

fn page(web: &Web, title: &str, content: Markup) -> Markup {
    layout::page(web, Nav::Admin, title, content)
}

/// A page showing a secret once: never stored by the browser or a proxy.
fn secret_page(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The API token, shown once with a warning to copy it now.
fn token_box(lang: Lang, token: Option<&Token>) -> Markup {
    html! {
        @if let Some(token) = token {
            section.card.token {
                p.warn role="alert" { (i18n::TOKEN_COPY_NOW.get(lang)) }
                label for="token" { (i18n::API_TOKEN.get(lang)) }
                input #token type="text" name="token" value=(token.expose()) readonly spellcheck="false" autocomplete="off";
            }
        } @else {
            p.warn role="status" { (i18n::TOKEN_ALREADY_SHOWN.get(lang)) }
        }
    }
}

pub async fn home(web: Web) -> Result<Response, WebError> {
    require_admin(&web)?;
    Ok(Redirect::to("/admin/users").into_response())
}

// --- users ----------------------------------------------------------------------------------------------

/// The new-user form as posted (the password is never shown again).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    submission: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    areas: Vec<String>,
    #[serde(default)]
    password: String,
}

const USER_LABELS: [(&str, Tr); 4] =
    [("name", i18n::USER_NAME), ("role", i18n::ROLE), ("areas", i18n::ADMIN_AREAS), ("password", i18n::PASSWORD)];

/// The users and the form to create one.
pub async fn users_page(State(state): State<AppState>, web: Web) -> Result<Response, WebError> {
    require_admin(&web)?;
    let form = UserForm { submission: new_submission(), role: Role::Staff.as_str().to_owned(), ..UserForm::default() };
    render_users(&state, &web, &form, &[], StatusCode::OK).await
}

fn area_checkboxes(lang: Lang, areas: &[AreaRow], checked: &[String], errors: &[(String, String)]) -> Markup {
    html! {
        fieldset #areas aria-invalid=[invalid(errors, "areas")] aria-describedby=[invalid(errors, "areas").map(|_| "err-areas")] {
            legend { (i18n::ADMIN_AREAS.get(lang)) " " span.hint { "(" (i18n::AREAS_HINT.get(lang)) ")" } }
            @for a in areas {
                label.check { input type="checkbox" name="areas" value=(a.id) checked[checked.contains(&a.id)]; (a.id) " · " (layout::area_label(lang, a)) }
            }
            (field_error(errors, "areas"))
        }
    }
}

async fn render_users(
    state: &AppState,
    web: &Web,
    form: &UserForm,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let list = users::list(state, &web.ctx).await?;
    let areas = reference::list_areas(state, &web.ctx).await?;
    let lang = web.lang;
    let content = html! {
        (tabs(lang, Tab::Users))
        h1 { (i18n::ADMIN_USERS.get(lang)) }
        (layout::error_summary(lang, errors, &USER_LABELS))
        table.stack {
            thead { tr {
                th { (i18n::USER_NAME.get(lang)) } th { (i18n::ROLE.get(lang)) } th { (i18n::ADMIN_AREAS.get(lang)) }
                th { (i18n::ACTIVE.get(lang)) }
            } }
            tbody {
                @for u in &list {
                    tr {
                        td data-label=(i18n::USER_NAME.get(lang)) { a href={ "/admin/users/" (u.id) } { (u.name) } }
                        td data-label=(i18n::ROLE.get(lang)) { (role_label(lang, &u.role)) }
                        td data-label=(i18n::ADMIN_AREAS.get(lang)) { (areas_text(lang, &u.areas)) }
                        td data-label=(i18n::ACTIVE.get(lang)) { (active_text(lang, u.active)) }
                    }
                }
            }
        }
        form.card method="post" action="/admin/users" novalidate {
            h2 { (i18n::USER_NEW.get(lang)) }
            input type="hidden" name="_csrf" value=(web.csrf);
            input type="hidden" name="submission" value=(form.submission);
            div.grid.two {
                div {
                    label for="name" { (i18n::USER_NAME.get(lang)) " " span.hint { "(" (i18n::USER_NAME_HINT.get(lang)) ")" } }
                    input #name type="text" name="name" value=(form.name) maxlength="64" autocomplete="off" spellcheck="false"
                        aria-invalid=[invalid(errors, "name")] aria-describedby=[invalid(errors, "name").map(|_| "err-name")];
                    (field_error(errors, "name"))
                }
                div {
                    label for="role" { (i18n::ROLE.get(lang)) }
                    select #role name="role" aria-invalid=[invalid(errors, "role")] aria-describedby=[invalid(errors, "role").map(|_| "err-role")] {
                        @for r in Role::ALL {
                            option value=(r.as_str()) selected[r.as_str() == form.role] { (layout::role_name(lang, r)) }
                        }
                    }
                    (field_error(errors, "role"))
                }
            }
            (area_checkboxes(lang, &areas, &form.areas, errors))
            label for="password" { (i18n::INITIAL_PASSWORD.get(lang)) " " span.hint { "(" (i18n::INITIAL_PASSWORD_HINT.get(lang)) ")" } }
            input #password type="password" name="password" value="" maxlength="256" autocomplete="new-password"
                aria-invalid=[invalid(errors, "password")] aria-describedby=[invalid(errors, "password").map(|_| "err-password")];
            (field_error(errors, "password"))
            p { button.primary type="submit" { (i18n::USER_CREATE.get(lang)) } }
        }
    };
    Ok((status, page(web, i18n::ADMIN_USERS.get(lang), content)).into_response())
}

fn role_label(lang: Lang, raw: &str) -> String {
    Role::parse(raw).map(|r| layout::role_name(lang, r).to_owned()).unwrap_or_else(|| raw.to_owned())
}

fn areas_text(lang: Lang, areas: &[String]) -> String {
    if areas.is_empty() { i18n::EVERY_AREA.get(lang).to_owned() } else { areas.join(", ") }
}

fn active_text(lang: Lang, active: bool) -> &'static str {
    if active { i18n::ACTIVE_YES.get(lang) } else { i18n::ACTIVE_NO.get(lang) }
}

/// Creates a user (and their web password, when one is typed) and shows their first API token once.
pub async fn create_user(State(state): State<AppState>, posted: Posted<UserForm>) -> Result<Response, WebError> {
    let Posted { web, mut form } = posted;
    require_admin(&web)?;
    let key = submission_key(&form.submission)?;
    let lang = web.lang;
    let mut errors = Errors::new();
    let name = form.name.trim().to_owned();
    if let Err(e) = UserName::parse(&name) {
        add(&mut errors, lang, "name", &e.into());
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        add(&mut errors, lang, "role", &AppError::invalid("unknown_role", "choose a role"));
    }
    match (users::checked_areas(&state, &form.areas).await, role) {
        (Ok(areas), Some(role)) => {
            if let Err(e) = check_areas(role, &areas) {
                add(&mut errors, lang, "areas", &AppError::domain(e.kind(), e.code(), e.to_string()));
            }
        }
        (Ok(_), None) => {}
        (Err(e), _) => add(&mut errors, lang, "areas", &e),
    }
    let password = std::mem::take(&mut form.password);
    let password = (!password.is_empty()).then_some(password);
    if let Some(p) = &password {
        if let Err(e) = santisuk_app::password::check(p) {
            add(&mut errors, lang, "password", &e);
        }
    }
    if !errors.is_empty() {
        return render_users(&state, &web, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let created =
        users::create_with_password(&state, &web.ctx, Some(&key), &name, &form.role, &form.areas, password).await;
    let (user, token) = match created {
        Ok(done) => done,
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let (code, _) = e.code_and_message();
            if code == "idempotency_key_reused" {
                form.submission = new_submission();
            }
            add(&mut errors, lang, user_field(code), &e);
            return render_users(&state, &web, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(e.into()),
    };
    let content = html! {
        (tabs(lang, Tab::Users))
        h1 { (i18n::USER_CREATED.get(lang)) ": " (user.name) }
        (token_box(lang, token.as_ref()))
        p { a href={ "/admin/users/" (user.id) } { (i18n::MANAGE_USER.get(lang)) } " · " a href="/admin/users" { (i18n::ADMIN_USERS.get(lang)) } }
    };
    Ok(secret_page(StatusCode::CREATED, page(&web, i18n::USER_CREATED.get(lang), content)))
}

/// The user `raw_id` names, or "not found".
async fn find_user(state: &AppState, web: &Web, raw_id: &str) -> Result<UserRow, WebError> {
    let id = Uuid::parse_str(raw_id).map(|u| u.to_string()).unwrap_or_default();
    users::list(state, &web.ctx)
        .await?
        .into_iter()
        .find(|u| u.id == id)
        .ok_or_else(|| ApiError::not_found("user_not_found", "no such user").into())
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// What the user page's forms bring back after a refusal.
#[derive(Debug, Default)]
struct UserSticky {
    areas: Option<Vec<String>>,
    areas_submission: String,
    categories: Option<Vec<String>>,
    categories_submission: String,
    errors: Errors,
}

const USER_PAGE_LABELS: [(&str, Tr); 3] =
    [("areas", i18n::ADMIN_AREAS), ("categories", i18n::GRANTED_CATEGORIES), ("password", i18n::NEW_PASSWORD)];

/// One user, and the forms to change them.
pub async fn user_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    require_admin(&web)?;
    let done = query.map(|Query(q)| q).unwrap_or_default().done;
    let user = find_user(&state, &web, &id).await?;
    let sticky = UserSticky {
        areas_submission: new_submission(),
        categories_submission: new_submission(),
        ..UserSticky::default()
    };
    render_user(&state, &web, &user, &sticky, done.as_deref(), StatusCode::OK).await
}

async fn render_user(
    state: &AppState,
    web: &Web,
    user: &UserRow,
    sticky: &UserSticky,
    done: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let areas = reference::list_areas(state, &web.ctx).await?;
    let categories = reference::list_categories(state).await?;
    let errors = &sticky.errors;
    let base = format!("/admin/users/{}", user.id);
    let grantable = user.role == Role::Staff.as_str() || user.role == Role::Auditor.as_str();
    let granted = sticky.categories.as_ref().unwrap_or(&user.categories);
    let notice = match done {
        Some("areas") => Some(i18n::AREAS_SAVED),
        Some("categories") => Some(i18n::DONE_SAVED),
        Some("password") => Some(i18n::PASSWORD_SAVED),
        Some("deactivated") => Some(i18n::USER_DEACTIVATED),
        _ => None,
    };
    let content = html! {
        (tabs(lang, Tab::Users))
        @if let Some(n) = notice { p.notice role="status" { (n.get(lang)) } }
        h1 { (user.name) }
        (layout::error_summary(lang, errors, &USER_PAGE_LABELS))
        section.card {
            dl.facts {
                dt { (i18n::ROLE.get(lang)) } dd { (role_label(lang, &user.role)) }
                dt { (i18n::ADMIN_AREAS.get(lang)) } dd { (areas_text(lang, &user.areas)) }
                @if grantable {
                    dt { (i18n::GRANTED_CATEGORIES.get(lang)) }
                    dd { @if user.categories.is_empty() { (i18n::HOME_NOTHING.get(lang)) } @else { (user.categories.join(", ")) } }
                }
                dt { (i18n::ACTIVE.get(lang)) } dd { (active_text(lang, user.active)) }
                dt { (i18n::RECORDED.get(lang)) } dd { (i18n::stored_time(lang, &user.created_at)) }
            }
        }
        @if user.active {
            @if user.role == Role::Coordinator.as_str() {
                form.card method="post" action={ (base) "/areas" } novalidate {
                    h2 { (i18n::SET_AREAS.get(lang)) }
                    input type="hidden" name="_csrf" value=(web.csrf);
                    input type="hidden" name="submission" value=(sticky.areas_submission);
                    (area_checkboxes(lang, &areas, sticky.areas.as_ref().unwrap_or(&user.areas), errors))
                    p { button.primary type="submit" { (i18n::SAVE.get(lang)) } }
                }
            } @else {
                p.hint { (i18n::ROLE_SEES_EVERY_AREA.get(lang)) }
            }
            // Restricted cases: staff and auditors read those of the categories granted here.
            @if grantable {
                form.card method="post" action={ (base) "/categories" } novalidate {
                    h2 { (i18n::GRANTED_CATEGORIES.get(lang)) }
                    input type="hidden" name="_csrf" value=(web.csrf);
                    input type="hidden" name="submission" value=(sticky.categories_submission);
                    fieldset #categories aria-invalid=[invalid(errors, "categories")]
                        aria-describedby=[invalid(errors, "categories").map(|_| "err-categories")] {
                        legend { (i18n::GRANTED_CATEGORIES.get(lang)) " " span.hint { "(" (i18n::GRANTED_CATEGORIES_HINT.get(lang)) ")" } }
                        @for c in &categories {
                            label.check {
                                input type="checkbox" name="categories" value=(c.code) checked[granted.contains(&c.code)];
                                (c.code) " · " (layout::category_label(lang, c))
                                @if c.restricted { " " (layout::restricted_badge(lang)) }
                            }
                        }
                        (field_error(errors, "categories"))
                    }
                    p { button.primary type="submit" { (i18n::SAVE_GRANTS.get(lang)) } }
                }
            }
            form.card method="post" action={ (base) "/password" } novalidate {
                h2 { (i18n::RESET_PASSWORD.get(lang)) }
                input type="hidden" name="_csrf" value=(web.csrf);
                label for="password" { (i18n::NEW_PASSWORD.get(lang)) " " span.hint { "(" (i18n::PASSWORD_RULE.get(lang)) ")" } }
                input #password type="password" name="password" value="" maxlength="256" autocomplete="new-password"
                    aria-invalid=[invalid(errors, "password")] aria-describedby=[invalid(errors, "password").map(|_| "err-password")];
                (field_error(errors, "password"))
                p.hint { (i18n::PASSWORD_ENDS_SESSIONS.get(lang)) }
                p { button.primary type="submit" { (i18n::RESET_PASSWORD.get(lang)) } }
            }
            form.card method="post" action={ (base) "/token" } {
                h2 { (i18n::ROTATE_TOKEN.get(lang)) }
                input type="hidden" name="_csrf" value=(web.csrf);
                input type="hidden" name="submission" value=(new_submission());
                p.hint { (i18n::ROTATE_TOKEN_HINT.get(lang)) }
                p { button type="submit" { (i18n::ROTATE_TOKEN.get(lang)) } }
            }
            section.card {
                h2 { (i18n::DEACTIVATE.get(lang)) }
                p.hint { (i18n::DEACTIVATE_HINT.get(lang)) }
                p { a.button href={ (base) "/deactivate" } { (i18n::DEACTIVATE.get(lang)) "…" } }
            }
        } @else {
            p.warn { (i18n::USER_IS_DEACTIVATED.get(lang)) }
        }
        p { a href="/admin/users" { (i18n::ADMIN_USERS.get(lang)) } }
    };
    Ok((status, page(web, &user.name, content)).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AreasForm {
    #[serde(default)]
    submission: String,
    #[serde(default)]
    areas: Vec<String>,
}

/// Replaces a coordinator's areas.
pub async fn set_areas(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<AreasForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let key = submission_key(&form.submission)?;
    match users::set_areas(&state, &web.ctx, Some(&key), &id, &form.areas).await {
        Ok(user) => Ok(Redirect::to(&format!("/admin/users/{}?done=areas", user.id)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let user = find_user(&state, &web, &id).await?;
            let (code, _) = e.code_and_message();
            let mut sticky = UserSticky {
                areas: Some(form.areas.clone()),
                areas_submission: if code == "idempotency_key_reused" { new_submission() } else { key },
                categories_submission: new_submission(),
                ..UserSticky::default()
            };
            add(&mut sticky.errors, web.lang, "areas", &e);
            render_user(&state, &web, &user, &sticky, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CategoriesForm {
    #[serde(default)]
    submission: String,
    #[serde(default)]
    categories: Vec<String>,
}

/// Replaces the restricted categories a staff member or an auditor may read.
pub async fn grant_categories(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<CategoriesForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let key = submission_key(&form.submission)?;
    match users::grant_categories(&state, &web.ctx, Some(&key), &id, &form.categories).await {
        Ok(user) => Ok(Redirect::to(&format!("/admin/users/{}?done=categories", user.id)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let user = find_user(&state, &web, &id).await?;
            let (code, _) = e.code_and_message();
            let mut sticky = UserSticky {
                areas_submission: new_submission(),
                categories: Some(form.categories.clone()),
                categories_submission: if code == "idempotency_key_reused" { new_submission() } else { key },
                ..UserSticky::default()
            };
            add(&mut sticky.errors, web.lang, "categories", &e);
            render_user(&state, &web, &user, &sticky, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

impl std::fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordForm { password: <redacted> }")
    }
}

/// Sets a user's web password (the API's `set_password`); every session of that user ends.
pub async fn set_password(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<PasswordForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    match users::set_password(&state, &web.ctx, &id, form.password).await {
        Ok(user) => Ok(Redirect::to(&format!("/admin/users/{}?done=password", user.id)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let user = find_user(&state, &web, &id).await?;
            let mut sticky = UserSticky {
                areas_submission: new_submission(),
                categories_submission: new_submission(),
                ..UserSticky::default()
            };
            add(&mut sticky.errors, web.lang, "password", &e);
            render_user(&state, &web, &user, &sticky, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    submission: String,
}

/// Issues a new API token and shows it once; the old one stops working.
pub async fn rotate_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<KeyForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let key = submission_key(&form.submission)?;
    let (user, token) = users::rotate_token(&state, &web.ctx, Some(&key), &id).await?;
    let lang = web.lang;
    let content = html! {
        (tabs(lang, Tab::Users))
        h1 { (i18n::TOKEN_ROTATED.get(lang)) ": " (user.name) }
        (token_box(lang, token.as_ref()))
        p { a href={ "/admin/users/" (user.id) } { (i18n::MANAGE_USER.get(lang)) } }
    };
    Ok(secret_page(StatusCode::OK, page(&web, i18n::TOKEN_ROTATED.get(lang), content)))
}

/// The confirmation step before a deactivation.
pub async fn deactivate_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    require_admin(&web)?;
    let user = find_user(&state, &web, &id).await?;
    Ok(render_deactivate(&web, &user, &new_submission(), &[], StatusCode::OK))
}

fn render_deactivate(
    web: &Web,
    user: &UserRow,
    submission: &str,
    errors: &[(String, String)],
    status: StatusCode,
) -> Response {
    let lang = web.lang;
    let content = html! {
        (tabs(lang, Tab::Users))
        h1 { (i18n::DEACTIVATE_ASK.get(lang)) " " (user.name) "?" }
        (layout::error_summary::<&str>(lang, errors, &[]))
        section.card.narrow {
            p { (i18n::DEACTIVATE_HINT.get(lang)) }
            form method="post" action={ "/admin/users/" (user.id) "/deactivate" } {
                input type="hidden" name="_csrf" value=(web.csrf);
                input type="hidden" name="submission" value=(submission);
                button.primary type="submit" { (i18n::DEACTIVATE_CONFIRM.get(lang)) }
                " "
                a href={ "/admin/users/" (user.id) } { (i18n::CANCEL.get(lang)) }
            }
        }
    };
    (status, page(web, i18n::DEACTIVATE.get(lang), content)).into_response()
}

/// Deactivates a user once confirmed: their token and their web sessions stop working at once.
pub async fn deactivate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    posted: Posted<KeyForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let key = submission_key(&form.submission)?;
    match users::deactivate(&state, &web.ctx, Some(&key), &id).await {
        Ok(user) => Ok(Redirect::to(&format!("/admin/users/{}?done=deactivated", user.id)).into_response()),
        Err(e @ AppError::Conflict { .. }) => {
            let user = find_user(&state, &web, &id).await?;
            let mut errors = Errors::new();
            add(&mut errors, web.lang, "form", &e);
            Ok(render_deactivate(&web, &user, &new_submission(), &errors, StatusCode::CONFLICT))
        }
        Err(e) => Err(e.into()),
    }
}

// --- areas ----------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AreaForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name_th: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    amphoe_code: String,
    #[serde(default)]
    tambon_code: String,
}

const AREA_LABELS: [(&str, Tr); 5] = [
    ("id", i18n::AREA_CODE),
    ("name_th", i18n::NAME_TH),
    ("name_en", i18n::NAME_EN),
    ("amphoe_code", i18n::DISTRICT),
    ("tambon_code", i18n::SUBDISTRICT),
];

/// The target areas and the form to register one.
pub async fn areas_page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    require_admin(&web)?;
    let done = query.map(|Query(q)| q).unwrap_or_default().done;
    render_areas(&state, &web, &AreaForm::default(), &[], done.as_deref(), StatusCode::OK).await
}

async fn render_areas(
    state: &AppState,
    web: &Web,
    form: &AreaForm,
    errors: &[(String, String)],
    done: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let areas = reference::list_areas(state, &web.ctx).await?;
    let geo = Geography::get();
    let mut districts: Vec<_> = geo.amphoes().collect();
    districts.sort_by(|a, b| (&a.province_code, &a.code).cmp(&(&b.province_code, &b.code)));
    let mut provinces: Vec<(&str, &str)> = Vec::new();
    for d in &districts {
        let p = (d.province_code.as_str(), lang.pick(&d.province_th, &d.province_en));
        if !provinces.contains(&p) {
            provinces.push(p);
        }
    }
    let text = |name: &str, label: Tr, value: &str, max: usize, hint: Option<Tr>| {
        html! {
            label for=(name) { (label.get(lang)) @if let Some(h) = hint { " " span.hint { "(" (h.get(lang)) ")" } } }
            input id=(name) type="text" name=(name) value=(value) maxlength=(max) dir="auto"
                aria-invalid=[invalid(errors, name)] aria-describedby=[invalid(errors, name).map(|_| format!("err-{name}"))];
            (field_error(errors, name))
        }
    };
    let content = html! {
        (tabs(lang, Tab::Areas))
        @if let Some(id) = done { p.notice role="status" { (i18n::AREA_SAVED.get(lang)) ": " (id) } }
        h1 { (i18n::ADMIN_AREAS.get(lang)) }
        (layout::error_summary(lang, errors, &AREA_LABELS))
        table.stack {
            thead { tr {
                th { (i18n::AREA_CODE.get(lang)) } th { (i18n::NAME_TH.get(lang)) } th { (i18n::NAME_EN.get(lang)) }
                th { (i18n::DISTRICT.get(lang)) } th { (i18n::PROVINCE.get(lang)) } th { (i18n::REACHED_FROM.get(lang)) }
            } }
            tbody {
                @for a in &areas {
                    @let amphoe = geo.amphoe(&a.amphoe_code);
                    tr {
                        td data-label=(i18n::AREA_CODE.get(lang)) { (a.id) }
                        td data-label=(i18n::NAME_TH.get(lang)) lang="th" { (a.name_th) }
                        td data-label=(i18n::NAME_EN.get(lang)) { (a.name_en.as_deref().unwrap_or("—")) }
                        td data-label=(i18n::DISTRICT.get(lang)) {
                            (amphoe.map(|d| lang.pick(&d.name_th, &d.name_en)).unwrap_or("—")) " (" (a.amphoe_code) ")"
                            @if let Some(t) = &a.tambon_code { " · " (geo.tambon(t).map(|t| lang.pick(&t.name_th, &t.name_en)).unwrap_or("")) " (" (t) ")" }
                        }
                        td data-label=(i18n::PROVINCE.get(lang)) { (amphoe.map(|d| lang.pick(&d.province_th, &d.province_en)).unwrap_or("—")) }
                        td data-label=(i18n::REACHED_FROM.get(lang)) {
                            @match (&a.reached_from, &a.reached_on) {
                                (Some(from), on) => { (from) @if let Some(d) = on.as_deref().and_then(|d| d.parse().ok()) { " (" (i18n::date(lang, d)) ")" } }
                                (None, _) => span.muted { (i18n::TARGET_AREA.get(lang)) }
                            }
                        }
                    }
                }
            }
        }
        form.card method="post" action="/admin/areas" novalidate {
            h2 { (i18n::AREA_NEW.get(lang)) }
            input type="hidden" name="_csrf" value=(web.csrf);
            div.grid.two {
                div { (text("id", i18n::AREA_CODE, &form.id, 32, Some(i18n::AREA_CODE_HINT))) }
                div {
                    label for="amphoe_code" { (i18n::DISTRICT.get(lang)) }
                    select #amphoe_code name="amphoe_code" aria-invalid=[invalid(errors, "amphoe_code")]
                        aria-describedby=[invalid(errors, "amphoe_code").map(|_| "err-amphoe_code")] {
                        option value="" { (i18n::CHOOSE.get(lang)) }
                        @for (code, province) in &provinces {
                            optgroup label=(province) {
                                @for d in districts.iter().filter(|d| d.province_code == *code) {
                                    option value=(d.code) selected[d.code == form.amphoe_code] { (lang.pick(&d.name_th, &d.name_en)) " (" (d.code) ")" }
                                }
                            }
                        }
                    }
                    (field_error(errors, "amphoe_code"))
                }
                div { (text("name_th", i18n::NAME_TH, &form.name_th, Name::MAX, None)) }
                div { (text("name_en", i18n::NAME_EN, &form.name_en, Name::MAX, Some(i18n::OPTIONAL))) }
                div { (text("tambon_code", i18n::SUBDISTRICT, &form.tambon_code, 6, Some(i18n::SUBDISTRICT_HINT))) }
            }
            p { button.primary type="submit" { (i18n::AREA_REGISTER.get(lang)) } }
        }
        @if areas.len() > 1 {
            form.card #reach method="post" action="/admin/areas/reach" {
                h2 { (i18n::REACH_NEW.get(lang)) }
                input type="hidden" name="_csrf" value=(web.csrf);
                div.grid.two {
                    div {
                        label for="reach_area" { (i18n::REACH_AREA.get(lang)) }
                        select #reach_area name="area" required {
                            @for a in &areas { option value=(a.id) { (layout::area_label(lang, a)) " (" (a.id) ")" } }
                        }
                    }
                    div {
                        label for="reach_from" { (i18n::REACHED_FROM.get(lang)) }
                        select #reach_from name="from" required {
                            @for a in &areas { option value=(a.id) { (layout::area_label(lang, a)) " (" (a.id) ")" } }
                        }
                    }
                    div {
                        label for="reach_on" { (i18n::REACH_ON.get(lang)) }
                        input #reach_on type="date" name="on" required;
                    }
                }
                p { button.primary type="submit" { (i18n::REACH_SAVE.get(lang)) } }
            }
        }
    };
    Ok((status, page(web, i18n::ADMIN_AREAS.get(lang), content)).into_response())
}

fn optional(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Registers a target area (the API's `register_area`).
pub async fn register_area(State(state): State<AppState>, posted: Posted<AreaForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let lang = web.lang;
    let mut errors = Errors::new();
    let (id, name_th, name_en, tambon) =
        (form.id.trim(), form.name_th.trim(), optional(&form.name_en), optional(&form.tambon_code));
    if let Err(e) = AreaId::parse(id) {
        add(&mut errors, lang, "id", &e.into());
    }
    if let Err(e) = Name::parse(name_th) {
        add(&mut errors, lang, "name_th", &e.into());
    }
    if let Some(Err(e)) = name_en.as_deref().map(Name::parse) {
        add(&mut errors, lang, "name_en", &e.into());
    }
    match AmphoeCode::parse(form.amphoe_code.trim()) {
        Ok(amphoe) => {
            if let Some(Err(e)) = tambon.as_deref().map(|t| TambonCode::parse_in(t, &amphoe)) {
                add(&mut errors, lang, "tambon_code", &e.into());
            }
        }
        Err(e) => add(&mut errors, lang, "amphoe_code", &e.into()),
    }
    if !errors.is_empty() {
        return render_areas(&state, &web, &form, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let req = RegisterAreaRequest {
        id: id.to_owned(),
        name_th: name_th.to_owned(),
        name_en: name_en.clone(),
        amphoe_code: form.amphoe_code.trim().to_owned(),
        tambon_code: tambon.clone(),
    };
    let result = match reference::register_area(&state, &web.ctx, req).await {
        // A retry of this very registration (a double-click, a lost answer) finds it done.
        Err(AppError::Conflict { code: "area_exists", message }) => {
            let same = reference::get_area(&state, &web.ctx, id).await?.is_some_and(|a| {
                a.name_th == name_th
                    && a.name_en == name_en
                    && a.amphoe_code == form.amphoe_code.trim()
                    && a.tambon_code == tambon
            });
            if same { Ok(()) } else { Err(AppError::Conflict { code: "area_exists", message }) }
        }
        other => other.map(|_| ()),
    };
    match result {
        Ok(()) => {}
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let (code, _) = e.code_and_message();
            let field = match code {
                "unknown_amphoe" => "amphoe_code",
                "unknown_tambon" => "tambon_code",
                _ => "id",
            };
            add(&mut errors, lang, field, &e);
            return render_areas(&state, &web, &form, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/admin/areas?done={}", layout::url_encode(id))).into_response())
}

/// The spreading mark form of the areas page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReachForm {
    #[serde(default)]
    area: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    on: String,
}

/// Marks an area as reached from another (the API's `PUT /api/areas/{id}/reach`); a refusal is shown above
/// the page in the user's language, and nothing is written.
pub async fn reach_area(State(state): State<AppState>, posted: Posted<ReachForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let req =
        santisuk_app::progress::ReachAreaRequest { from: form.from.trim().to_owned(), on: form.on.trim().to_owned() };
    match santisuk_app::progress::reach_area(&state, &web.ctx, form.area.trim(), req).await {
        Ok(area) => Ok(Redirect::to(&format!("/admin/areas?done={}", layout::url_encode(&area.id))).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::NotFound { .. })) => {
            let mut errors = Errors::new();
            add(&mut errors, web.lang, "form", &e);
            render_areas(&state, &web, &AreaForm::default(), &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

// --- categories -----------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_th: String,
    #[serde(default)]
    name_en: String,
    /// `obstacle`: a category of coordinators' obstacles; otherwise of community problems.
    #[serde(default)]
    kind: String,
}

const CATEGORY_LABELS: [(&str, Tr); 3] =
    [("code", i18n::CATEGORY_CODE), ("name_th", i18n::NAME_TH), ("name_en", i18n::NAME_EN)];

/// The categories and the form to add one.
pub async fn categories_page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    require_admin(&web)?;
    let done = query.map(|Query(q)| q).unwrap_or_default().done;
    render_categories(&state, &web, &CategoryForm::default(), &[], done.as_deref(), StatusCode::OK).await
}

async fn render_categories(
    state: &AppState,
    web: &Web,
    form: &CategoryForm,
    errors: &[(String, String)],
    done: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    // Both kinds: the administrator manages them all (obstacles' are marked).
    let categories: Vec<CategoryRow> = reference::list_categories_of(state, None).await?;
    let text = |name: &str, label: Tr, value: &str, max: usize, hint: Option<Tr>| {
        html! {
            label for=(name) { (label.get(lang)) @if let Some(h) = hint { " " span.hint { "(" (h.get(lang)) ")" } } }
            input id=(name) type="text" name=(name) value=(value) maxlength=(max) dir="auto"
                aria-invalid=[invalid(errors, name)] aria-describedby=[invalid(errors, name).map(|_| format!("err-{name}"))];
            (field_error(errors, name))
        }
    };
    let content = html! {
        (tabs(lang, Tab::Categories))
        @if let Some(code) = done { p.notice role="status" { (i18n::CATEGORY_SAVED.get(lang)) ": " (code) } }
        h1 { (i18n::ADMIN_CATEGORIES.get(lang)) }
        (layout::error_summary(lang, errors, &CATEGORY_LABELS))
        table.stack {
            thead { tr { th { (i18n::CATEGORY_CODE.get(lang)) } th { (i18n::NAME_TH.get(lang)) } th { (i18n::NAME_EN.get(lang)) }
                th { (i18n::RESTRICTED.get(lang)) } } }
            tbody {
                @for c in &categories {
                    tr {
                        td data-label=(i18n::CATEGORY_CODE.get(lang)) { (c.code) }
                        td data-label=(i18n::NAME_TH.get(lang)) lang="th" { (c.name_th)
                            @if c.kind == santisuk_domain::values::IssueKind::Obstacle { " " span.badge { (i18n::NAV_OBSTACLES.get(lang)) } } }
                        td data-label=(i18n::NAME_EN.get(lang)) lang="en" { (c.name_en) }
                        // The toggle: every case of a restricted category is shown only to those granted it.
                        td data-label=(i18n::RESTRICTED.get(lang)) {
                            form.inline method="post" action={ "/admin/categories/" (c.code) "/restrict" } {
                                input type="hidden" name="_csrf" value=(web.csrf);
                                input type="hidden" name="restricted" value=(if c.restricted { "false" } else { "true" });
                                @if c.restricted { (layout::restricted_badge(lang)) " " } @else { span.muted { (i18n::NOT_RESTRICTED.get(lang)) } " " }
                                button type="submit" {
                                    (if c.restricted { i18n::UNRESTRICT_CATEGORY } else { i18n::RESTRICT_CATEGORY }.get(lang))
                                }
                            }
                        }
                    }
                }
            }
            p.hint { (i18n::RESTRICT_HINT.get(lang)) }
        }
        form.card method="post" action="/admin/categories" novalidate {
            h2 { (i18n::CATEGORY_NEW.get(lang)) }
            input type="hidden" name="_csrf" value=(web.csrf);
            div.grid.two {
                div { (text("code", i18n::CATEGORY_CODE, &form.code, 16, Some(i18n::CATEGORY_CODE_HINT))) }
                div {
                    label { input type="checkbox" name="kind" value="obstacle" checked[form.kind == "obstacle"];
                        " " (i18n::OBSTACLE_CATEGORY.get(lang)) " (" (i18n::OBSTACLES.get(lang)) ")" }
                }
                div { (text("name_th", i18n::NAME_TH, &form.name_th, Name::MAX, None)) }
                div { (text("name_en", i18n::NAME_EN, &form.name_en, Name::MAX, None)) }
            }
            p { button.primary type="submit" { (i18n::CATEGORY_ADD.get(lang)) } }
        }
    };
    Ok((status, page(web, i18n::ADMIN_CATEGORIES.get(lang), content)).into_response())
}

/// Adds a category (the API's `add_category`).
pub async fn add_category(State(state): State<AppState>, posted: Posted<CategoryForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let lang = web.lang;
    let mut errors = Errors::new();
    let (code, name_th, name_en) = (form.code.trim(), form.name_th.trim(), form.name_en.trim());
    if let Err(e) = CategoryCode::parse(code) {
        add(&mut errors, lang, "code", &e.into());
    }
    if let Err(e) = Name::parse(name_th) {
        add(&mut errors, lang, "name_th", &e.into());
    }
    if let Err(e) = Name::parse(name_en) {
        add(&mut errors, lang, "name_en", &e.into());
    }
    if !errors.is_empty() {
        return render_categories(&state, &web, &form, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let req = AddCategoryRequest {
        code: code.to_owned(),
        name_th: name_th.to_owned(),
        name_en: name_en.to_owned(),
        kind: (form.kind == "obstacle").then(|| "obstacle".to_owned()),
    };
    let result = match reference::add_category(&state, &web.ctx, req).await {
        // A retry of this very addition finds it done.
        Err(AppError::Conflict { code: "category_exists", message }) => {
            let same = reference::get_category(&state, code)
                .await?
                .is_some_and(|c| c.name_th == name_th && c.name_en == name_en);
            if same { Ok(()) } else { Err(AppError::Conflict { code: "category_exists", message }) }
        }
        other => other.map(|_| ()),
    };
    match result {
        Ok(()) => {}
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            add(&mut errors, lang, "code", &e);
            return render_categories(&state, &web, &form, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/admin/categories?done={}", layout::url_encode(code))).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestrictCategoryForm {
    #[serde(default)]
    restricted: String,
}

/// Marks a category restricted or lifts the mark (the API's `restrict_category`). A retry of the same change
/// finds it made, and is taken as done.
pub async fn restrict_category(
    State(state): State<AppState>,
    Path(code): Path<String>,
    posted: Posted<RestrictCategoryForm>,
) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    require_admin(&web)?;
    let restricted = match form.restricted.trim() {
        "true" => true,
        "false" => false,
        _ => return Err(ApiError::bad_request("bad_form", "restricted must be true or false").into()),
    };
    let req = reference::RestrictCategoryRequest { restricted };
    match reference::restrict_category(&state, &web.ctx, &code, req).await {
        Ok(_) | Err(AppError::Conflict { code: "restriction_unchanged", .. }) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/admin/categories?done={}", layout::url_encode(code.trim()))).into_response())
}
