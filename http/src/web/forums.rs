//! Recording a forum (the unit of intake): the forum's details and every problem raised at it, saved at once.
//!
//! Saving is idempotent. The form carries a `submission` id made when it was first shown; the forum's id
//! and each problem's id are UUIDv5 of (user, submission, row), so a double-click or a retry after a
//! dropped connection finds them already recorded and creates nothing twice, and a save cut off half-way
//! is completed by the retry. Every field is checked before anything is written; on any error the page
//! comes back with each message beside its field and everything typed still there.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{Markup, html};
use santisuk_app::parse::{DayEdge, parse_when};
use santisuk_domain::forum::{HoldForum, Participation};
use santisuk_domain::issue::RaiseIssue;
use santisuk_domain::time::bangkok_date;
use santisuk_domain::values::{AreaId, CategoryCode, ForumId, Name, Text, Title};
use serde::Deserialize;
use uuid::Uuid;

use super::i18n::{self, Lang};
use super::layout::{self, Nav, field_error, invalid};
use super::organisations::ParticipationForm;
use super::{Posted, Web, WebError};
use crate::error::{ApiError, AppError};
use crate::state::{AppState, now};
use santisuk_app::forums::{self, hold_forum_checked};
use santisuk_app::issues::raise_checked;
use santisuk_app::privacy::{Complainant, ComplainantRequest};
use santisuk_app::reference::{self, AreaRow, CategoryRow};
use santisuk_domain::personal::SubjectId;

const FORUM_NAMESPACE: Uuid = Uuid::from_u128(0x2c4b_8e1a_6f3d_4a59_b0c7_93e2_d5f1_7a08);
const ISSUE_NAMESPACE: Uuid = Uuid::from_u128(0x9d07_3e5c_1b8a_4f26_8c4e_02a9_f6d3_b7e1);
/// Rows shown on a new form; more are added with the "add a problem" button.
const START_ROWS: usize = 3;
/// A bound on one save (a forum rarely raises more than a dozen problems).
const MAX_ROWS: usize = 60;

/// The forum form as posted: every field as typed, so that it can be shown again unchanged.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ForumForm {
    #[serde(default)]
    submission: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    held_on: String,
    /// The time the forum's problems were raised (optional; `HH:MM`, Bangkok).
    #[serde(default)]
    held_at: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    facilitator: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    p_title: Vec<String>,
    #[serde(default)]
    p_category: Vec<String>,
    #[serde(default)]
    p_description: Vec<String>,
    #[serde(default)]
    p_raised_by: Vec<String>,
    /// The numbers (from 1) of the rows whose "sensitive case" box is ticked: an unticked box is not sent,
    /// so each box carries its row's number.
    #[serde(default)]
    p_restricted: Vec<String>,
    /// Who raised each problem: `anonymous` (the default), `person` (the `p_c_*` fields) or `group`
    /// (`p_raised_by`). Blank (a form from before complainants): a group when `p_raised_by` is filled.
    #[serde(default)]
    p_kind: Vec<String>,
    #[serde(default)]
    p_c_name: Vec<String>,
    #[serde(default)]
    p_c_phone: Vec<String>,
    #[serde(default)]
    p_c_address: Vec<String>,
    #[serde(default)]
    p_c_national_id: Vec<String>,
    #[serde(default)]
    p_c_notes: Vec<String>,
    /// `add_row` (the no-script way to get another row) or `save`.
    #[serde(default)]
    op: String,
    // Who took part, by partner group (see `organisations::ParticipationForm`; all blank: not recorded).
    #[serde(default)]
    pa_sbpac_staff: String,
    #[serde(default)]
    pa_coordinators: String,
    #[serde(default)]
    pa_villagers: String,
    #[serde(default)]
    pa_women: String,
    #[serde(default)]
    pa_men: String,
    #[serde(default)]
    pa_organisations: Vec<String>,
    #[serde(default)]
    pa_role: Vec<String>,
    #[serde(default)]
    pa_leader: Vec<String>,
    /// The user who typed an entry kept offline (set by the offline page's sync, `super::offline`): a sync
    /// under another user's session is refused rather than recorded in their name.
    #[serde(default)]
    pub(super) typed_by: String,
}

/// One problem row as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct Row {
    title: String,
    category: String,
    description: String,
    raised_by: String,
    restricted: bool,
    kind: String,
    person: ComplainantRequest,
}

impl Row {
    fn is_empty(&self) -> bool {
        [&self.title, &self.category, &self.description, &self.raised_by].iter().all(|f| f.trim().is_empty())
            && self.person.is_empty()
    }

    /// Who raised the problem, as chosen (or, on a form without the choice, as the fields say).
    fn kind(&self) -> &str {
        match self.kind.trim() {
            "" if !self.raised_by.trim().is_empty() => KIND_GROUP,
            "" => KIND_ANONYMOUS,
            kind => kind,
        }
    }
}

const KIND_ANONYMOUS: &str = "anonymous";
const KIND_PERSON: &str = "person";
const KIND_GROUP: &str = "group";

impl ForumForm {
    fn participation(&self) -> ParticipationForm {
        ParticipationForm {
            pa_sbpac_staff: self.pa_sbpac_staff.clone(),
            pa_coordinators: self.pa_coordinators.clone(),
            pa_villagers: self.pa_villagers.clone(),
            pa_women: self.pa_women.clone(),
            pa_men: self.pa_men.clone(),
            pa_organisations: self.pa_organisations.clone(),
            pa_role: self.pa_role.clone(),
            pa_leader: self.pa_leader.clone(),
        }
    }

    pub(super) fn rows(&self) -> Vec<Row> {
        let n = [
            &self.p_title,
            &self.p_category,
            &self.p_description,
            &self.p_raised_by,
            &self.p_kind,
            &self.p_c_name,
            &self.p_c_phone,
            &self.p_c_address,
            &self.p_c_national_id,
            &self.p_c_notes,
        ]
        .iter()
        .map(|v| v.len())
        .max()
        .unwrap_or(0);
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        let given = |v: &Vec<String>, i: usize| v.get(i).cloned().filter(|s| !s.trim().is_empty());
        (0..n)
            .map(|i| Row {
                title: at(&self.p_title, i),
                category: at(&self.p_category, i),
                description: at(&self.p_description, i),
                raised_by: at(&self.p_raised_by, i),
                restricted: self.p_restricted.iter().any(|n| n.trim() == (i + 1).to_string()),
                kind: at(&self.p_kind, i),
                person: ComplainantRequest {
                    subject_id: None,
                    name: given(&self.p_c_name, i),
                    phone: given(&self.p_c_phone, i),
                    address: given(&self.p_c_address, i),
                    national_id: given(&self.p_c_national_id, i),
                    notes: given(&self.p_c_notes, i),
                },
            })
            .collect()
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct NewQuery {
    area: Option<String>,
}

/// An empty forum form (a new submission id, today's date, three empty rows).
pub async fn new_page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<NewQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    web.ctx.require_issue_writer()?;
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let form = ForumForm {
        submission: Uuid::new_v4().to_string(),
        area_id: q.area.unwrap_or_default(),
        held_on: bangkok_date(now()).to_string(),
        ..ForumForm::default()
    };
    let rows = vec![Row::default(); START_ROWS];
    render(&state, &web, &form, rows, &[], StatusCode::OK).await
}

async fn render(
    state: &AppState,
    web: &Web,
    form: &ForumForm,
    rows: Vec<Row>,
    errors: &[(String, String)],
    status: StatusCode,
) -> Result<Response, WebError> {
    let areas: Vec<AreaRow> = reference::list_areas(state, &web.ctx).await?;
    let categories = reference::list_categories(state).await?;
    let organisations = super::organisations::pickable(state, web).await?;
    let lang = web.lang;
    let mut content = form_markup(web, lang, &areas, &categories, form, &rows, errors);
    // Issue #17 §3: under each problem, the likely duplicates already raised in its area and category.
    let mut html = content.into_string();
    for (i, row) in rows.iter().enumerate() {
        let found =
            super::verdicts::row_suggestions(state, web, &form.area_id, &row.category, &row.title, &row.description)
                .await?;
        html = html.replacen(&duplicates_mark(i + 1), &found.into_string(), 1);
    }
    content = maud::PreEscaped(html);
    // The participation fields go before the problems (inserted at the marker the form leaves for them).
    let fields = super::organisations::fields(lang, &form.participation(), &organisations, errors);
    content = maud::PreEscaped(content.into_string().replacen(PARTICIPATION_MARK, &fields.into_string(), 1));
    Ok((status, layout::page(web, Nav::Forum, i18n::FORUM_NEW.get(lang), content)).into_response())
}

fn form_markup(
    web: &Web,
    lang: Lang,
    areas: &[AreaRow],
    categories: &[CategoryRow],
    form: &ForumForm,
    rows: &[Row],
    errors: &[(String, String)],
) -> Markup {
    let text = |name: &str, label: i18n::Tr, value: &str, max: usize, optional: bool| {
        html! {
            label for=(name) { (label.get(lang)) @if optional { " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } } }
            input id=(name) type="text" name=(name) value=(value) maxlength=(max) dir="auto"
                aria-invalid=[invalid(errors, name)] aria-describedby=[invalid(errors, name).map(|_| format!("err-{name}"))];
            (field_error(errors, name))
        }
    };
    html! {
            h1 { (i18n::FORUM_NEW.get(lang)) }
            (layout::error_summary(lang, errors, &labels(rows.len())))
            // Issue #18 §1: what is kept on this phone and waiting to be sent (shown by `offline.js`).
            (super::offline::panel(web))
            form.card #forum-form method="post" action="/forums" novalidate data-user=(web.ctx.user.id) {
                input type="hidden" name="_csrf" value=(web.csrf);
                input type="hidden" name="submission" value=(form.submission);
                div.grid.two {
                    div {
                        label for="area_id" { (i18n::AREA.get(lang)) }
                        select #area_id name="area_id" required aria-invalid=[invalid(errors, "area_id")] {
                            option value="" { (i18n::CHOOSE.get(lang)) }
                            @for a in areas {
                                option value=(a.id) selected[a.id == form.area_id] { (layout::area_label(lang, a)) }
                            }
                        }
                        (field_error(errors, "area_id"))
                    }
                    div {
                        label for="held_on" { (i18n::FORUM_HELD_ON.get(lang)) }
                        (layout::date_input(lang, "held_on", "held_on", &form.held_on, true, errors))
                    }
                    div {
                        label for="held_at" { (i18n::FORUM_HELD_AT.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
                        input #held_at type="time" name="held_at" value=(form.held_at) aria-invalid=[invalid(errors, "held_at")]
                            aria-describedby="held_at-hint";
                        span.hint #held_at-hint { (i18n::FORUM_HELD_AT_HINT.get(lang)) }
                        (field_error(errors, "held_at"))
                    }
                    div { (text("title", i18n::FORUM_TITLE, &form.title, Title::MAX, true)) }
                    div { (text("facilitator", i18n::FACILITATOR, &form.facilitator, Name::MAX, true)) }
                    div {
                        label for="participants" { (i18n::PARTICIPANTS.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
                        input #participants type="number" name="participants" min="0" max="100000" inputmode="numeric"
                            value=(form.participants) aria-invalid=[invalid(errors, "participants")];
                        (field_error(errors, "participants"))
                    }
                }
                (maud::PreEscaped(PARTICIPATION_MARK))
                h2 { (i18n::PROBLEMS.get(lang)) }
                p.hint { (i18n::EMPTY_ROWS_IGNORED.get(lang)) }
                @for (i, row) in rows.iter().enumerate() {
                    @let n = i + 1;
                    fieldset.problem {
                        legend { (i18n::PROBLEM_N.get(lang)) " " span.n { (n) } }
                        div.grid.two {
                            div {
                                @let f = format!("p_title-{n}");
                                label for=(f) { (i18n::TITLE.get(lang)) }
                                input id=(f) type="text" name="p_title" value=(row.title) maxlength=(Title::MAX) dir="auto"
                                    aria-invalid=[invalid(errors, &f)] aria-describedby={ (f) "-hint" };
                                // Titles stay readable in lists and statistics (only the texts are sealed).
                                span.hint id={ (f) "-hint" } { (i18n::TITLE_NO_NAMES.get(lang)) }
                                (field_error(errors, &f))
                            }
                            div {
                                @let f = format!("p_category-{n}");
                                label for=(f) { (i18n::CATEGORY.get(lang)) }
                                select id=(f) name="p_category" aria-invalid=[invalid(errors, &f)] {
                                    option value="" { (i18n::CHOOSE.get(lang)) }
                                    @for c in categories {
                                        option value=(c.code) selected[c.code == row.category] { (layout::category_label(lang, c)) }
                                    }
                                }
                                (field_error(errors, &f))
                            }
                        }
                        @let f = format!("p_description-{n}");
                        label for=(f) { (i18n::DESCRIPTION.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
                        textarea id=(f) name="p_description" maxlength=(Text::MAX) dir="auto" aria-invalid=[invalid(errors, &f)] { (row.description) }
                        (field_error(errors, &f))
                        div.dup-suggestions data-row=(n) { (maud::PreEscaped(duplicates_mark(n))) }
                        (complainant_fields(lang, n, row, errors))
    @let f = format!("p_restricted-{n}");
                        label.check for=(f) {
                            input id=(f) type="checkbox" name="p_restricted" value=(n) checked[row.restricted];
                            " " (i18n::RESTRICTED_CHECKBOX.get(lang))
                        }
                    }
                }
                (field_error(errors, "rows"))
                div {
                    button type="submit" name="op" value="add_row" formnovalidate { "+ " (i18n::ADD_ROW.get(lang)) }
                    " "
                    button.primary type="submit" name="op" value="save" { (i18n::SAVE_FORUM.get(lang)) }
                }
            }
        }
}

/// Where a problem's likely duplicates go in the forum form (row `n`, from 1).
fn duplicates_mark(n: usize) -> String {
    format!("<!--duplicates-{n}-->")
}

/// Where the participation fields go in the forum form.
const PARTICIPATION_MARK: &str = "<!--participation-->";

/// The labels of the form's fields by id, for its error summary (a problem's fields are `<name>-<row>`).
pub(super) fn labels(rows: usize) -> Vec<(String, i18n::Tr)> {
    let mut labels: Vec<(String, i18n::Tr)> = [
        ("area_id", i18n::AREA),
        ("held_on", i18n::FORUM_HELD_ON),
        ("held_at", i18n::FORUM_HELD_AT),
        ("title", i18n::FORUM_TITLE),
        ("facilitator", i18n::FACILITATOR),
        ("participants", i18n::PARTICIPANTS),
        ("participation", super::organisations::PARTICIPATION),
    ]
    .into_iter()
    .map(|(f, l)| (f.to_owned(), l))
    .collect();
    for n in 1..=rows {
        for (f, l) in ROW_FIELDS {
            labels.push((format!("{f}-{n}"), l));
        }
    }
    labels
}

const ROW_FIELDS: [(&str, i18n::Tr); 10] = [
    ("p_title", i18n::TITLE),
    ("p_category", i18n::CATEGORY),
    ("p_description", i18n::DESCRIPTION),
    ("p_kind", i18n::COMPLAINANT),
    ("p_raised_by", i18n::RAISED_BY),
    ("p_c_name", i18n::PERSON_NAME),
    ("p_c_phone", i18n::PHONE),
    ("p_c_address", i18n::ADDRESS),
    ("p_c_national_id", i18n::NATIONAL_ID),
    ("p_c_notes", i18n::CONTACT_NOTES),
];

/// A problem's complainant: anonymous (the default), a person (their details, folded away until needed;
/// kept sealed outside the log), or a group named in "raised by".
fn complainant_fields(lang: Lang, n: usize, row: &Row, errors: &[(String, String)]) -> Markup {
    let kind = row.kind();
    let id = |field: &str| format!("{field}-{n}");
    let person_error = ROW_FIELDS[5..].iter().any(|(f, _)| invalid(errors, &id(f)).is_some());
    let person = &row.person;
    let input = |field: &str, label: i18n::Tr, value: &Option<String>, max: usize, mode: &str| {
        let f = id(field);
        html! {
            div {
                label for=(f) { (label.get(lang)) @if field != "p_c_name" { " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } } }
                input id=(f) type="text" name=(field) value=(value.as_deref().unwrap_or_default()) maxlength=(max)
                    dir="auto" inputmode=(mode) autocomplete="off" aria-invalid=[invalid(errors, &f)];
                (field_error(errors, &f))
            }
        }
    };
    let (kind_id, raised_by_id, notes_id) = (id("p_kind"), id("p_raised_by"), id("p_c_notes"));
    html! {
        fieldset.complainant {
            legend { (i18n::COMPLAINANT.get(lang)) }
            select id=(kind_id) name="p_kind" aria-label=(i18n::COMPLAINANT.get(lang)) aria-invalid=[invalid(errors, &kind_id)] {
                option value=(KIND_ANONYMOUS) selected[kind == KIND_ANONYMOUS] { (i18n::KIND_ANONYMOUS.get(lang)) }
                option value=(KIND_PERSON) selected[kind == KIND_PERSON] { (i18n::KIND_PERSON.get(lang)) }
                option value=(KIND_GROUP) selected[kind == KIND_GROUP] { (i18n::KIND_GROUP.get(lang)) }
            }
            (field_error(errors, &kind_id))
            label for=(raised_by_id) { (i18n::RAISED_BY.get(lang)) " " span.hint { "(" (i18n::RAISED_BY_GROUP.get(lang)) ")" } }
            input id=(raised_by_id) type="text" name="p_raised_by" value=(row.raised_by) maxlength=(Name::MAX) dir="auto"
                aria-invalid=[invalid(errors, &raised_by_id)];
            (field_error(errors, &raised_by_id))
            details open[kind == KIND_PERSON || person_error] {
                summary { (i18n::PERSON_DETAILS.get(lang)) }
                p.hint { (i18n::PERSON_DETAILS_HINT.get(lang)) }
                div.grid.two {
                    (input("p_c_name", i18n::PERSON_NAME, &person.name, Name::MAX, "text"))
                    (input("p_c_phone", i18n::PHONE, &person.phone, 32, "tel"))
                    (input("p_c_national_id", i18n::NATIONAL_ID, &person.national_id, 32, "numeric"))
                    (input("p_c_address", i18n::ADDRESS, &person.address, Text::MAX, "text"))
                }
                label for=(notes_id) { (i18n::CONTACT_NOTES.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
                textarea id=(notes_id) name="p_c_notes" maxlength=(Text::MAX) dir="auto" aria-invalid=[invalid(errors, &notes_id)] {
                    (person.notes.as_deref().unwrap_or_default())
                }
                (field_error(errors, &notes_id))
            }
        }
    }
}

/// Checked values of a whole form, or every error found (field name → message).

#[derive(Debug)]
struct Checked {
    area: AreaId,
    held_on: NaiveDate,
    /// When the forum's problems were raised: its day and the time given, else the start of the day (or now
    /// for a forum held today).
    at: DateTime<Utc>,
    title: Option<Title>,
    facilitator: Option<Name>,
    participants: Option<u32>,
    /// Who took part, if any participation field was filled (checked value by value; the forum checks
    /// the sums, the application the organisations).
    participation: Option<Participation>,
    problems: Vec<Problem>,
}

/// One problem of a form, checked.
#[derive(Debug)]
struct Problem {
    category: CategoryCode,
    title: Title,
    description: Option<Text>,
    raised_by: Option<Name>,
    /// The "sensitive case" box was ticked: restricted from the start.
    restricted: bool,
    /// The complainant (a new person record, keyed by the row's issue id when saved).
    complainant: Option<Complainant>,
}

fn optional<T, E>(raw: &str, parse: impl Fn(&str) -> Result<T, E>) -> Result<Option<T>, E> {
    if raw.trim().is_empty() { Ok(None) } else { parse(raw).map(Some) }
}

fn check(
    lang: Lang,
    form: &ForumForm,
    rows: &[Row],
    categories: &[CategoryRow],
    now: DateTime<Utc>,
) -> Result<Checked, Vec<(String, String)>> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut errors_participation: Vec<(String, String)> = Vec::new();
    let mut err = |field: String, e: ApiError| {
        let (_, code, message) = e.parts();
        errors.push((field, i18n::error_message(lang, code, &message)));
    };
    let area = AreaId::parse(form.area_id.trim()).map_err(|e| err("area_id".into(), e.into())).ok();
    // The API's reading: either era, year or day first (a browser whose date picker shows the Buddhist Era
    // sends 2569-11-28, which is 28 November 2026).
    let held_on =
        santisuk_app::parse::parse_date("held_on", &form.held_on).map_err(|e| err("held_on".into(), e.into())).ok();
    // Problems raised at a forum happened on its day: at the time given, else at the start of that day, so
    // that anything done about them later that day comes after (never an invented time of day).
    let at = match held_on.map(|_| parse_when(&form.held_on, &form.held_at, now, DayEdge::Start)) {
        Some(Ok(at)) => at,
        Some(Err((_, e))) => {
            err("held_at".into(), e.into());
            None
        }
        None => None,
    };
    let title = optional(&form.title, Title::parse).map_err(|e| err("title".into(), e.into())).ok().flatten();
    let facilitator =
        optional(&form.facilitator, Name::parse).map_err(|e| err("facilitator".into(), e.into())).ok().flatten();
    let participants = match form.participants.trim() {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(n) if n <= 100_000 => Some(n),
            _ => {
                err("participants".into(), ApiError::invalid("bad_participants", "bad participants"));
                None
            }
        },
    };
    let typed = form.participation();
    let participation = if typed.is_empty() {
        None
    } else {
        match typed.request().and_then(|r| r.into_participation()) {
            Ok(p) => Some(p),
            Err(e) => {
                let (code, message) = e.code_and_message();
                let message = super::organisations::error_message(lang, code, &message);
                errors_participation.push(("participation".to_owned(), message));
                None
            }
        }
    };
    let mut problems = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
        let n = i + 1;
        let title = Title::parse(&row.title).map_err(|e| err(format!("p_title-{n}"), e.into())).ok();
        let category =
            CategoryCode::parse(row.category.trim()).ok().filter(|c| categories.iter().any(|k| k.code == c.as_str()));
        if category.is_none() {
            err(format!("p_category-{n}"), ApiError::invalid("unknown_category", "choose a category"));
        }
        let description = optional(&row.description, Text::parse)
            .map_err(|e| err(format!("p_description-{n}"), e.into()))
            .ok()
            .flatten();
        let raised_by =
            optional(&row.raised_by, Name::parse).map_err(|e| err(format!("p_raised_by-{n}"), e.into())).ok().flatten();
        let complainant = check_complainant(n, row, &mut err);
        if let (Some(title), Some(category)) = (title, category) {
            problems.push(Problem { category, title, description, raised_by, restricted: row.restricted, complainant });
        }
    }
    // In the order of the form: the participation fields come before the problems.
    let first_problem = errors.iter().position(|(f, _)| f.starts_with("p_")).unwrap_or(errors.len());
    errors.splice(first_problem..first_problem, errors_participation);
    match (area, held_on, at) {
        (Some(area), Some(held_on), Some(at)) if errors.is_empty() => {
            Ok(Checked { area, held_on, at, title, facilitator, participants, participation, problems })
        }
        _ => Err(errors),
    }
}

/// The complainant a row names, checked as the API checks it (`ComplainantRequest::into_complainant`), under
/// a placeholder id until the row's issue id is known. Details typed for another choice than the one made
/// are refused rather than guessed at: "anonymous" never records a name by accident.
fn check_complainant(n: usize, row: &Row, err: &mut impl FnMut(String, ApiError)) -> Option<Complainant> {
    let mismatch = || ApiError::invalid("complainant_mismatch", "complainant details do not match the choice made");
    let raised_by = !row.raised_by.trim().is_empty();
    match row.kind() {
        KIND_ANONYMOUS if raised_by || !row.person.is_empty() => err(format!("p_kind-{n}"), mismatch()),
        KIND_ANONYMOUS => {}
        KIND_GROUP if !row.person.is_empty() => err(format!("p_kind-{n}"), mismatch()),
        KIND_GROUP if !raised_by => {
            err(format!("p_raised_by-{n}"), ApiError::invalid("empty_value", "name the group that raised it"))
        }
        KIND_GROUP => {}
        KIND_PERSON => match row.person.clone().into_complainant(SubjectId(Uuid::nil())) {
            Ok(Some(c)) => return Some(c),
            Ok(None) => err(format!("p_c_name-{n}"), ApiError::invalid("empty_value", "a complainant needs a name")),
            Err(fields) => {
                for (field, e) in fields {
                    let name = field.strip_prefix("complainant.").unwrap_or(field);
                    err(format!("p_c_{name}-{n}"), ApiError(e));
                }
            }
        },
        _ => err(format!("p_kind-{n}"), ApiError::invalid("bad_complainant_kind", "choose who raised the problem")),
    }
    None
}

/// Adds a row (no-script path) or checks and saves the forum and its problems.
pub async fn save(State(state): State<AppState>, posted: Posted<ForumForm>) -> Result<Response, WebError> {
    let Posted { web, form } = posted;
    web.ctx.require_issue_writer()?;
    let mut rows = form.rows();
    if rows.len() > MAX_ROWS {
        return Err(ApiError::invalid("too_many_rows", format!("at most {MAX_ROWS} problems per save")).into());
    }
    if form.op == "add_row" {
        rows.push(Row::default());
        return render(&state, &web, &form, rows, &[], StatusCode::OK).await;
    }
    match record(&state, &web, &form, &rows).await? {
        Recorded::Saved { forum_id, .. } => Ok(Redirect::to(&format!("/forums/{forum_id}?saved=1")).into_response()),
        Recorded::Refused(errors) => render(&state, &web, &form, rows, &errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// What became of a checked save.
pub(super) enum Recorded {
    /// The forum and every problem are stored (now, or by an earlier try of the same submission).
    Saved { forum_id: Uuid, problems: usize },
    /// Nothing was written: each refused field with its message, in the user's language.
    Refused(Vec<(String, String)>),
}

/// Checks a whole form and records the forum and its problems under ids made from (user, submission, row),
/// so that the page's save and the offline page's sync (`super::offline`) are one path: a repeated or
/// half-cut save finds what an earlier try stored and completes it, creating nothing twice.
pub(super) async fn record(state: &AppState, web: &Web, form: &ForumForm, rows: &[Row]) -> Result<Recorded, ApiError> {
    let lang = web.lang;
    if rows.len() > MAX_ROWS {
        return Err(ApiError::invalid("too_many_rows", format!("at most {MAX_ROWS} problems per save")));
    }
    let Ok(submission) = Uuid::parse_str(form.submission.trim()) else {
        return Err(ApiError::bad_request("bad_submission", "the form has no valid submission id; open it again"));
    };
    let categories = reference::list_categories(state).await?;
    let now = now();
    let checked = match check(lang, form, rows, &categories, now) {
        Ok(c) => c,
        Err(errors) => return Ok(Recorded::Refused(errors)),
    };
    let user = &web.ctx.user.id;
    let forum_id = Uuid::new_v5(&FORUM_NAMESPACE, format!("{user}:{submission}").as_bytes());
    let area_name = checked.area.as_str().to_owned();
    let command = HoldForum {
        area: checked.area.clone(),
        held_on: checked.held_on,
        title: checked.title,
        facilitator: checked.facilitator,
        participants: checked.participants,
        participation: checked.participation,
        now,
    };
    let refused = |e: AppError| {
        let e = ApiError(e);
        let (_, code, message) = e.parts();
        if super::organisations::is_participation_error(code) {
            return vec![("participation".to_owned(), super::organisations::error_message(lang, code, &message))];
        }
        let field = match code {
            "held_on_in_future" | "bad_date" => "held_on",
            "at_in_future" => "held_at",
            "too_many_participants" | "bad_participants" => "participants",
            _ => "area_id",
        };
        // Refused by the area rule: say which area, as an entry kept offline may name one the user has lost
        // since it was typed (issue #18 §1).
        if code == "forbidden" {
            let area = i18n::FluentValue::from(area_name.as_str());
            let text = super::strings_offline::OFFLINE_AREA_NOT_YOURS.with(lang, &[("area", area)]);
            return vec![(field.to_owned(), text)];
        }
        vec![(field.to_owned(), i18n::error_message(lang, code, &message))]
    };
    match hold_forum_checked(state, &web.ctx, forum_id.to_string(), command).await {
        Ok(_) => {}
        // A retry of a save that got this far before: the forum is there; go on with its problems.
        Err(AppError::Conflict { code: "forum_already_recorded", .. }) => {}
        Err(e @ (AppError::Forbidden { .. } | AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            return Ok(Recorded::Refused(refused(e)));
        }
        Err(e) => return Err(e.into()),
    }
    let at = checked.at;
    let problems = checked.problems.len();
    for (i, Problem { category, title, description, raised_by, restricted, complainant }) in
        checked.problems.into_iter().enumerate()
    {
        let id = Uuid::new_v5(&ISSUE_NAMESPACE, format!("{user}:{submission}:{i}").as_bytes());
        // The person record's id comes from the row's issue id, so a retried save names the same record
        // (and stores it once).
        let complainant = complainant.map(|c| match c {
            Complainant::New(_, details) => Complainant::New(
                SubjectId(Uuid::new_v5(&ISSUE_NAMESPACE, format!("{id}:complainant").as_bytes())),
                details,
            ),
            existing @ Complainant::Existing(_) => existing,
        });
        let raise = RaiseIssue {
            area: checked.area.clone(),
            category,
            title,
            description,
            forum: Some(ForumId(forum_id)),
            raised_by,
            at,
            complainant: complainant.as_ref().map(Complainant::subject),
            // Allocated by `raise_checked`.
            case_number: None,
            restricted,
            kind: santisuk_domain::values::IssueKind::Community,
            // Set by `raise_checked` from the category it finds.
            category_kind: santisuk_domain::values::IssueKind::Community,
            source: None,
        };
        match raise_checked(state, &web.ctx, id.to_string(), false, raise, complainant.as_ref(), now).await {
            Ok(_) | Err(AppError::Conflict { code: "issue_already_raised", .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Recorded::Saved { forum_id, problems })
}

#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    saved: Option<String>,
    participation: Option<String>,
    proposed: Option<String>,
}

/// A recorded forum and the problems raised at it.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    query: Result<Query<ShowQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let not_found = || WebError::from(ApiError::not_found("forum_not_found", "no such forum"));
    let id = Uuid::parse_str(&id).map_err(|_| not_found())?.to_string();
    show_with(&state, &web, &id, &ParticipationForm::default(), &[], StatusCode::OK, Some(&q)).await
}

/// The forum page, with the participation form as typed and its errors (after a refused save), or filled
/// with the recorded participation.
pub async fn show_with(
    state: &AppState,
    web: &Web,
    id: &str,
    typed: &ParticipationForm,
    errors: &[(String, String)],
    status: StatusCode,
    q: Option<&ShowQuery>,
) -> Result<Response, WebError> {
    let (state, web) = (state.clone(), web);
    let lang = web.lang;
    let forum = forums::get_forum(&state, &web.ctx, id).await?;
    let filled;
    let typed = if errors.is_empty() {
        filled = ParticipationForm::of(forum.participation.as_ref());
        &filled
    } else {
        typed
    };
    let names = super::organisations::pickable(&state, web).await?;
    let participation = super::organisations::view(lang, forum.participation.as_ref(), &names);
    let forms = super::organisations::forum_forms(&state, web, &forum.id, typed, errors).await?;
    let notice = |flag: Option<&String>| flag.is_some();
    let saved = q.is_some_and(|q| notice(q.saved.as_ref()));
    let participation_saved = q.is_some_and(|q| notice(q.participation.as_ref()));
    let proposed = q.is_some_and(|q| notice(q.proposed.as_ref()));
    let area = reference::get_area(&state, &web.ctx, &forum.area_id).await?;
    let categories = reference::list_categories(&state).await?;
    let issues = forums::issues_of(&state, &web.ctx, &forum).await?;
    let verdicts = super::verdicts::forum_section(&state, web, &forum.id).await?;
    let files =
        santisuk_app::attachments::rows_of_issues(&state, &issues.iter().map(|i| i.id.clone()).collect::<Vec<_>>())
            .await?;
    let category = |code: &str| {
        categories
            .iter()
            .find(|c| c.code == code)
            .map(|c| layout::category_label(lang, c))
            .unwrap_or_else(|| code.to_owned())
    };
    let suggestions = super::agencies::forum_suggestions(&state, web, &forum, &issues).await?;
    let title = forum.title.clone().unwrap_or_else(|| i18n::FORUM.get(lang).to_owned());
    let content = html! {
        @if saved { p.notice role="status" { (i18n::FORUM_SAVED.get(lang)) } }
        @if participation_saved { p.notice role="status" { (super::organisations::PARTICIPATION_SAVED.get(lang)) } }
        @if proposed { p.notice role="status" { (super::organisations::ORGANISATION_SAVED.get(lang)) } }
        h1 dir="auto" { (title) }
        (super::report::papers_links(lang, &format!("/forums/{}/report", forum.id), super::strings_report::PRINT_REPORT))
        section.card {
            dl.facts {
                dt { (i18n::AREA.get(lang)) } dd { (area.as_ref().map(|a| layout::area_label(lang, a)).unwrap_or_else(|| forum.area_id.clone())) }
                dt { (i18n::FORUM_HELD_ON.get(lang)) } dd { (i18n::stored_date(lang, &forum.held_on)) }
                @if let Some(f) = &forum.facilitator { dt { (i18n::FACILITATOR.get(lang)) } dd dir="auto" { (layout::text(lang, f)) } }
                @if let Some(p) = forum.participants { dt { (i18n::PARTICIPANTS.get(lang)) } dd { (p) } }
                dt { (i18n::RECORDED.get(lang)) } dd { (i18n::stored_time(lang, &forum.recorded_at)) }
            }
        }
        (participation)
        (forms)
        (suggestions)
        h2 { (i18n::PROBLEMS.get(lang)) " (" (issues.len()) ")" }
        table.stack {
            thead { tr { th { (i18n::TITLE.get(lang)) } th { (i18n::CATEGORY.get(lang)) } th { (i18n::STATUS.get(lang)) } } }
            tbody {
                @for i in &issues {
                    tr {
                        td data-label=(i18n::TITLE.get(lang)) {
                            @if let Some(n) = &i.case_number { span.case-number { (n) } " " }
                            a href={ "/issues/" (i.case_number.as_deref().unwrap_or(&i.id)) } dir="auto" { (i.title) }
                            (super::attachments::forum_problem(web, &i.id, &files, &forum.id))
                        }
                        td data-label=(i18n::CATEGORY.get(lang)) { (category(&i.category)) }
                        td data-label=(i18n::STATUS.get(lang)) { (layout::status_badge(lang, i.status.as_str())) }
                    }
                }
            }
        }
        (verdicts)
    };
    Ok((status, layout::page(web, Nav::Forum, &title, content)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(rows: &[(&str, &str)]) -> ForumForm {
        ForumForm {
            submission: Uuid::new_v4().to_string(),
            area_id: "PTN-01".into(),
            held_on: "2026-11-20".into(),
            p_title: rows.iter().map(|r| r.0.to_owned()).collect(),
            p_category: rows.iter().map(|r| r.1.to_owned()).collect(),
            p_description: vec![String::new(); rows.len()],
            p_raised_by: vec![String::new(); rows.len()],
            ..ForumForm::default()
        }
    }

    fn categories() -> Vec<CategoryRow> {
        vec![CategoryRow {
            code: "INF".into(),
            name_th: "โครงสร้างพื้นฐาน".into(),
            name_en: "Infrastructure".into(),
            restricted: false,
            kind: Default::default(),
            days_to_assign: None,
            days_to_resolve: None,
        }]
    }

    /// A ticked box carries its row's number: only that row's problem is restricted.
    #[test]
    fn the_sensitive_box_marks_its_own_row() {
        let mut f = form(&[("ถนนชำรุด", "INF"), ("", ""), ("ถูกข่มขู่", "INF")]);
        f.p_restricted = vec!["3".into()];
        let checked = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap();
        let marks: Vec<bool> = checked.problems.iter().map(|p| p.restricted).collect();
        assert_eq!(marks, [false, true]);
    }

    #[test]
    fn empty_rows_are_skipped_and_filled_rows_become_problems() {
        let f = form(&[("ถนนชำรุด", "INF"), ("", ""), ("ไฟฟ้าดับบ่อย", "INF")]);
        let checked = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap();
        assert_eq!(checked.problems.len(), 2);
    }

    #[test]
    fn each_bad_field_gets_its_own_thai_message() {
        let mut f = form(&[("", "INF"), ("ถนน", "NOPE")]);
        f.participants = "-3".into();
        f.held_on = "31/02/2569".into();
        let errors = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["held_on", "participants", "p_title-1", "p_category-2"]);
        assert!(errors.iter().all(|(_, m)| m.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c))), "{errors:?}");
    }

    /// A one-row form naming a complainant: `kind`, then the person's name, phone and national id number.
    fn with_complainant(kind: &str, raised_by: &str, person: [&str; 3]) -> ForumForm {
        let mut f = form(&[("ถนนชำรุด", "INF")]);
        f.p_kind = vec![kind.into()];
        f.p_raised_by = vec![raised_by.into()];
        f.p_c_name = vec![person[0].into()];
        f.p_c_phone = vec![person[1].into()];
        f.p_c_national_id = vec![person[2].into()];
        f
    }

    fn fields(errors: &[(String, String)]) -> Vec<&str> {
        errors.iter().map(|(f, _)| f.as_str()).collect()
    }

    #[test]
    fn a_person_complainant_is_checked_field_by_field_in_thai() {
        let f = with_complainant("person", "", ["นางมารีนา", "081-234-5678", "1-1017-00230-70-8"]);
        let checked = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap();
        let Some(Complainant::New(_, person)) = &checked.problems[0].complainant else {
            panic!("{:?}", checked.problems)
        };
        assert_eq!((person.phone.as_ref().unwrap().as_str(), person.name.as_str()), ("0812345678", "นางมารีนา"));
        let f = with_complainant("person", "", ["", "12345", "1101700230707"]);
        let errors = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap_err();
        assert_eq!(fields(&errors), ["p_c_name-1", "p_c_phone-1", "p_c_national_id-1"]);
        assert!(errors[1].1.contains("หมายเลขโทรศัพท์ไม่ถูกต้อง"), "{errors:?}");
        assert!(errors[2].1.contains("เลขประจำตัวประชาชนไม่ถูกต้อง"), "{errors:?}");
    }

    #[test]
    fn details_typed_for_another_choice_are_refused_rather_than_guessed() {
        let anonymous_with_a_name = with_complainant("anonymous", "", ["นางมารีนา", "", ""]);
        let group_with_a_phone = with_complainant("group", "กลุ่มประมงพื้นบ้าน", ["", "0812345678", ""]);
        let anonymous_with_a_group = with_complainant("anonymous", "กลุ่มประมงพื้นบ้าน", ["", "", ""]);
        for f in [anonymous_with_a_name, group_with_a_phone, anonymous_with_a_group] {
            let errors = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap_err();
            assert_eq!(fields(&errors), ["p_kind-1"]);
        }
        let unnamed_group = with_complainant("group", " ", ["", "", ""]);
        let errors = check(Lang::Th, &unnamed_group, &unnamed_group.rows(), &categories(), now()).unwrap_err();
        assert_eq!(fields(&errors), ["p_raised_by-1"]);
    }

    #[test]
    fn a_row_is_anonymous_by_default_and_a_form_without_the_choice_reads_raised_by_as_a_group() {
        let f = with_complainant("anonymous", "", ["", "", ""]);
        let checked = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap();
        assert!(checked.problems[0].raised_by.is_none() && checked.problems[0].complainant.is_none());
        let f = with_complainant("", "กลุ่มสตรีบ้านบานา", ["", "", ""]);
        let checked = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap();
        assert_eq!(checked.problems[0].raised_by.as_ref().map(Name::as_str), Some("กลุ่มสตรีบ้านบานา"));
        assert!(checked.problems[0].complainant.is_none());
    }

    #[test]
    fn the_forum_date_is_read_in_either_era() {
        for typed in ["28/11/2569", "2569-11-28", "2026-11-28"] {
            let mut f = form(&[("ถนนชำรุด", "INF")]);
            f.held_on = typed.into();
            let checked = check(Lang::Th, &f, &f.rows(), &categories(), now()).unwrap();
            assert_eq!(checked.held_on, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), "{typed}");
        }
    }

    #[test]
    fn problems_are_dated_at_the_forum_time_or_the_start_of_its_day_but_never_in_the_future() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z").unwrap().with_timezone(&Utc);
        let at = |day: &str, time: &str| {
            let mut f = form(&[("ถนนชำรุด", "INF")]);
            (f.held_on, f.held_at) = (day.into(), time.into());
            check(Lang::Th, &f, &f.rows(), &categories(), now).map(|c| c.at.to_rfc3339())
        };
        assert_eq!(at("20/11/2569", "").unwrap(), "2026-11-19T17:00:00+00:00", "00:00 in Bangkok");
        assert_eq!(at("20/11/2569", "14:30").unwrap(), "2026-11-20T07:30:00+00:00");
        assert_eq!(at("25/11/2569", "").unwrap(), now.to_rfc3339(), "today without a time is now");
        let errors = at("20/11/2569", "25:00").unwrap_err();
        assert_eq!(errors.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["held_at"]);
    }
}
