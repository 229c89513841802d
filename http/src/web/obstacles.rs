//! Coordinators' own obstacles in the web app: the list (`/obstacles`: every obstacle for staff, admins
//! and auditors, a coordinator's own for a coordinator; open only or all; as of a past day) and the
//! coordinator's form to raise one (`/obstacles/new`). An obstacle's own page is the issue page, labelled
//! as an obstacle, where staff work it like any problem.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use santisuk_app::caller::Role;
use santisuk_app::error::AppError;
use santisuk_app::issues::{ListParams, ListQuery};
use santisuk_app::obstacles::{self, RaiseObstacleRequest};
use santisuk_app::reference::{self, CategoryRow};
use santisuk_domain::values::IssueKind;
use serde::Deserialize;

use super::i18n::{self, Tr};
use super::layout::{self, Nav};
use super::{Posted, Web, WebError};
use crate::error::ApiError;
use crate::state::{AppState, now};

const PAGE_SIZE: &str = "50";

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListForm {
    /// `1`: only obstacles not closed.
    #[serde(default)]
    open: String,
    /// A Bangkok day (either era): the list as it stood at the end of that day.
    #[serde(default)]
    as_of: String,
    #[serde(default)]
    cursor: String,
}

/// The list of obstacles the signed-in user may see.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<ListForm>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = query.map_err(|_| ApiError::bad_request("bad_query", "the filters could not be read"))?;
    let lang = web.lang;
    let open = match q.open.as_str() {
        "" => false,
        "1" => true,
        _ => return Err(ApiError::bad_request("bad_open", "open is 1 or nothing").into()),
    };
    // A day means the end of that day in Bangkok; today (or later) is the live list.
    let as_of = match super::queue::parse_day("as_of", &q.as_of)? {
        None => None,
        Some(day) => obstacles::end_of_day(day, now()),
    };
    let query = ListQuery {
        open: open.then(|| "true".to_owned()),
        as_of: as_of.clone(),
        limit: Some(PAGE_SIZE.to_owned()),
        cursor: Some(q.cursor.clone()).filter(|c| !c.is_empty()),
        ..ListQuery::default()
    };
    let params = ListParams::parse(query, &web.ctx, now())?;
    let (rows, next) = obstacles::list(&state, &web.ctx, params).await?;
    let names = obstacles::raisers(&state, &rows).await?;
    let areas = reference::list_areas(&state, &web.ctx).await?;
    let categories = reference::list_categories_of(&state, Some(IssueKind::Obstacle)).await?;
    let coordinator = web.ctx.user.role == Role::Coordinator;
    let next_link = next.map(|c| {
        let mut pairs = vec![("cursor", c.encode())];
        if open {
            pairs.push(("open", "1".into()));
        }
        if !q.as_of.is_empty() {
            pairs.push(("as_of", q.as_of.clone()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("/obstacles{}", layout::query(&pairs))
    });
    let content = html! {
        h1 { (i18n::OBSTACLES.get(lang)) }
        p.muted { (if coordinator { i18n::OBSTACLES_OWN } else { i18n::OBSTACLES_INTRO }.get(lang)) }
        @if coordinator { p { a.button href="/obstacles/new" { (i18n::OBSTACLE_NEW.get(lang)) } } }
        form.card.filters method="get" action="/obstacles" {
            label { input type="checkbox" name="open" value="1" checked[open]; " " (i18n::OPEN_ONLY.get(lang)) }
            label for="as_of" { (i18n::AS_OF_DAY.get(lang)) }
            (layout::date_input(lang, "as_of", "as_of", &q.as_of, false, &[]))
            button type="submit" { (i18n::SHOW.get(lang)) }
        }
        @if rows.is_empty() {
            p.muted { (i18n::NO_OBSTACLES.get(lang)) }
        } @else {
            table.stack {
                thead { tr {
                    th { (i18n::CASE_NUMBER.get(lang)) } th { (i18n::TITLE.get(lang)) } th { (i18n::OBSTACLE_CATEGORY.get(lang)) }
                    th { (i18n::AREA.get(lang)) } th { (i18n::OBSTACLE_RAISED_BY.get(lang)) } th { (i18n::STATUS.get(lang)) }
                    th { (i18n::RAISED_ON.get(lang)) }
                } }
                tbody {
                    @for r in &rows {
                        tr {
                            td data-label=(i18n::CASE_NUMBER.get(lang)) { (r.case_number.as_deref().unwrap_or("—")) }
                            td data-label=(i18n::TITLE.get(lang)) { a href={ "/issues/" (r.id) } dir="auto" { (r.title) } }
                            td data-label=(i18n::OBSTACLE_CATEGORY.get(lang)) {
                                (categories.iter().find(|c| c.code == r.category).map(|c| layout::category_label(lang, c)).unwrap_or_else(|| r.category.clone()))
                            }
                            td data-label=(i18n::AREA.get(lang)) {
                                (areas.iter().find(|a| a.id == r.area_id).map(|a| layout::area_label(lang, a)).unwrap_or_else(|| r.area_id.clone()))
                            }
                            td data-label=(i18n::OBSTACLE_RAISED_BY.get(lang)) dir="auto" {
                                (r.raised_by_user.as_ref().and_then(|u| names.get(u)).map(String::as_str).unwrap_or("—"))
                            }
                            td data-label=(i18n::STATUS.get(lang)) { (layout::status_badge(lang, r.status.as_str())) }
                            td data-label=(i18n::RAISED_ON.get(lang)) { (i18n::stored_time(lang, &r.raised_at)) }
                        }
                    }
                }
            }
        }
        @if let Some(link) = &next_link { p { a href=(link) rel="next" { (i18n::NEXT.get(lang)) } } }
    };
    Ok(layout::page(&web, Nav::Obstacles, i18n::OBSTACLES.get(lang), content).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RaiseForm {
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    /// A fresh id per form shown: the raise's idempotency key, so a double submit raises once.
    #[serde(default)]
    submission: String,
}

/// The coordinator's form to raise an obstacle.
pub async fn new_page(State(state): State<AppState>, web: Web) -> Result<Response, WebError> {
    obstacles::require_coordinator(&web.ctx)?;
    let form = RaiseForm { submission: uuid::Uuid::new_v4().to_string(), ..RaiseForm::default() };
    render_form(&state, &web, &form, &[], StatusCode::OK).await
}

/// Raises the obstacle and opens its page; a refused value is shown beside its field, with what was typed.
pub async fn raise(State(state): State<AppState>, posted: Posted<RaiseForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    obstacles::require_coordinator(&web.ctx)?;
    let req = RaiseObstacleRequest {
        area_id: form.area_id.trim().to_owned(),
        category: form.category.trim().to_owned(),
        title: form.title.clone(),
        description: Some(form.description.clone()).filter(|d| !d.trim().is_empty()),
        at: None,
    };
    let key = Some(form.submission.trim().to_owned()).filter(|k| (1..=255).contains(&k.len()));
    match obstacles::raise(&state, &web.ctx, req, key).await {
        Ok(reply) => Ok(Redirect::to(&format!("/issues/{}", reply.id)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Forbidden { .. })) => {
            let (code, message) = e.code_and_message();
            let field = match code {
                "unknown_area" | "bad_area_id" | "forbidden" => "area_id",
                "unknown_category" | "bad_category_code" | "category_kind_mismatch" => "category",
                "at_in_future" => "title",
                _ if message.contains("description") => "description",
                _ => "title",
            };
            let errors = vec![(field.to_owned(), i18n::error_message(web.lang, code, &message))];
            render_form(&state, &web, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

const LABELS: [(&str, Tr); 4] = [
    ("area_id", i18n::AREA),
    ("category", i18n::OBSTACLE_CATEGORY),
    ("title", i18n::TITLE),
    ("description", i18n::DESCRIPTION),
];

async fn render_form(
    state: &AppState,
    web: &Web,
    form: &RaiseForm,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let lang = web.lang;
    let areas = reference::list_areas(state, &web.ctx).await?;
    let categories: Vec<CategoryRow> = reference::list_categories_of(state, Some(IssueKind::Obstacle)).await?;
    let attrs =
        |name: &str| (layout::invalid(errors, name), layout::invalid(errors, name).map(|_| format!("err-{name}")));
    let content = html! {
        h1 { (i18n::OBSTACLE_NEW.get(lang)) }
        p.muted { (i18n::OBSTACLES_INTRO.get(lang)) }
        (layout::error_summary(lang, errors, &LABELS))
        form.card method="post" action="/obstacles" novalidate {
            input type="hidden" name="_csrf" value=(web.csrf);
            input type="hidden" name="submission" value=(form.submission);
            label for="area_id" { (i18n::AREA.get(lang)) }
            select id="area_id" name="area_id" required aria-invalid=[attrs("area_id").0] aria-describedby=[attrs("area_id").1] {
                @if areas.len() != 1 { option value="" { "—" } }
                @for a in &areas {
                    option value=(a.id) selected[a.id == form.area_id] { (layout::area_label(lang, a)) }
                }
            }
            (layout::field_error(errors, "area_id"))
            label for="category" { (i18n::OBSTACLE_CATEGORY.get(lang)) }
            select id="category" name="category" required aria-invalid=[attrs("category").0] aria-describedby=[attrs("category").1] {
                option value="" { "—" }
                @for c in &categories {
                    option value=(c.code) selected[c.code == form.category] { (layout::category_label(lang, c)) }
                }
            }
            (layout::field_error(errors, "category"))
            label for="title" { (i18n::TITLE.get(lang)) " " span.hint { "(" (i18n::OBSTACLE_HINT.get(lang)) ")" } }
            input id="title" type="text" name="title" value=(form.title) maxlength="200" required dir="auto"
                aria-invalid=[attrs("title").0] aria-describedby=[attrs("title").1];
            (layout::field_error(errors, "title"))
            label for="description" { (i18n::DESCRIPTION.get(lang)) }
            textarea id="description" name="description" rows="4" dir="auto"
                aria-invalid=[attrs("description").0] aria-describedby=[attrs("description").1] { (form.description) }
            (layout::field_error(errors, "description"))
            p { button type="submit" { (i18n::OBSTACLE_RAISE.get(lang)) } }
        }
    };
    Ok((status, layout::page(web, Nav::Obstacles, i18n::OBSTACLE_NEW.get(lang), content)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::Lang;

    #[test]
    fn every_label_of_the_form_reads_in_both_languages() {
        for (_, tr) in LABELS {
            assert!(!tr.get(Lang::Th).is_empty() && !tr.get(Lang::En).is_empty());
        }
    }
}
