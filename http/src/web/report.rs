//! The printed forum report and the complainant's receipt (issue #18 §3, §4): a print-ready HTML page (A4,
//! print CSS) and a PDF made by the server (`crate::pdf`), in Thai, English or Malay (`?lang=th|en|ms`).
//!
//! Both forms are drawn from one [`Sheet`] (a column of headings, items, fields and notes) built from the
//! application layer's [`ForumReport`] or [`Receipt`], so the page and the PDF cannot say different things.
//! What a paper may show (no complainant's name, no restricted case) is decided in `santisuk_app::report`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use santisuk_app::report::{self, ForumReport, Named, Place, PrintedProblem, Receipt};
use serde::Deserialize;

use super::i18n::{Lang, Tr};
use super::strings_report as s;
use super::{Web, WebError, assets};
use crate::error::{ApiError, AppError};
use crate::pdf::{self, Block, Printable, Style};
use crate::state::AppState;

/// One piece of a paper's column.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Title(String),
    Subtitle(String),
    Heading(String),
    /// A problem's first line (its case number and title).
    Item(String),
    /// `label: value` under an item or in the forum's details.
    Field(String, String),
    /// A field standing alone at the left margin.
    Fact(String, String),
    Para(String),
    /// Long free text under an item (a description).
    Free(String),
    Note(String),
    Rule,
}

/// A paper: its language, title, and column.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub lang: Lang,
    pub title: String,
    pub pieces: Vec<Piece>,
}

/// The paper's language: `?lang=` when given (`th`, `en`, `ms`), else the user's page language.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaperQuery {
    /// `th` (default), `en` or `ms` (Malay, Rumi script).
    #[param(value_type = Option<PaperLangSchema>, inline)]
    pub lang: Option<String>,
}

/// A paper's language.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = PaperLang)]
pub enum PaperLangSchema {
    #[schema(rename = "th")]
    Th,
    #[schema(rename = "en")]
    En,
    #[schema(rename = "ms")]
    Ms,
}

impl PaperQuery {
    /// The language asked for, or `fallback`; anything else is refused (422) naming the parameter.
    pub fn lang(&self, fallback: Lang) -> Result<Lang, AppError> {
        match self.lang.as_deref().map(str::trim) {
            None | Some("") => Ok(fallback),
            Some(code) => Lang::parse_villager(code)
                .ok_or_else(|| AppError::invalid("report_bad_lang", "lang must be one of th, en, ms")),
        }
    }
}

/// The catalogue's name of each language, by `Lang as usize`.
const LANG_IDS: [&str; 3] = ["lang-th", "lang-en", "lang-ms"];

fn web_lang(web: &Web) -> Lang {
    web.lang
}

fn pick(lang: Lang, named: &Named) -> String {
    match (lang, &named.en) {
        (Lang::Th, _) | (_, None) => named.th.clone(),
        (_, Some(en)) => en.clone(),
    }
}

fn place_line(lang: Lang, place: &Place) -> String {
    let area = match (lang, &place.name_en) {
        (Lang::Th, _) | (_, None) => place.name_th.clone(),
        (_, Some(en)) => en.clone(),
    };
    let (amphoe, province) = match lang {
        Lang::Th => (place.amphoe_th.clone(), place.province_th.clone()),
        Lang::En | Lang::Ms => (place.amphoe_en.clone(), place.province_en.clone()),
    };
    let mut parts = vec![area];
    if let Some(a) = amphoe {
        parts.push(format!("{} {a}", s::DISTRICT.get(lang)));
    }
    if let Some(p) = province {
        parts.push(format!("{} {p}", s::PROVINCE.get(lang)));
    }
    parts.join(" · ")
}

fn label(lang: Lang, p: Tr) -> String {
    p.get(lang).to_owned()
}

fn problem_pieces(lang: Lang, n: usize, p: &PrintedProblem, ask: bool, pieces: &mut Vec<Piece>) {
    let head = match &p.case_number {
        Some(c) => format!("{n}. {c}  {}", p.title),
        None => format!("{n}. {}", p.title),
    };
    pieces.push(Piece::Item(head));
    let mut status = s::status(lang, &p.status).to_owned();
    if let Some(o) = &p.outcome {
        status = format!("{status} ({} {})", s::OUTCOME.get(lang), s::outcome(lang, o));
    }
    pieces.push(Piece::Field(label(lang, s::CATEGORY), pick(lang, &p.category)));
    pieces.push(Piece::Field(label(lang, s::STATUS), status));
    if let Some(d) = p.description.as_deref().filter(|d| !d.trim().is_empty()) {
        pieces.push(Piece::Field(label(lang, s::DESCRIPTION), String::new()));
        pieces.push(Piece::Free(d.trim().to_owned()));
    }
    for (day, action) in &p.actions {
        pieces.push(Piece::Field(format!("{} {}", s::ACTION.get(lang), s::date(lang, day)), String::new()));
        pieces.push(Piece::Free(action.clone()));
    }
    let responsible = p.responsible.as_ref().map_or_else(|| label(lang, s::NOT_YET_ASSIGNED), |r| pick(lang, r));
    pieces.push(Piece::Field(label(lang, s::RESPONSIBLE), responsible));
    if let Some(d) = &p.due_on
        && p.status != "closed"
    {
        pieces.push(Piece::Field(label(lang, s::DUE_ON), s::date(lang, d)));
    }
    if let Some(c) = &p.closed_on {
        pieces.push(Piece::Field(label(lang, s::CLOSED_ON), s::date(lang, c)));
    }
    match &p.verdict {
        Some(v) => pieces.push(Piece::Field(label(lang, s::VERDICT), s::verdict(lang, v).to_owned())),
        None if ask => pieces.push(Piece::Field(String::new(), label(lang, s::VERDICT_BLANK))),
        None => {}
    }
}

/// The forum report as a paper.
pub fn report_sheet(lang: Lang, r: &ForumReport) -> Sheet {
    let mut pieces = vec![
        Piece::Title(label(lang, s::REPORT_TITLE)),
        Piece::Subtitle(label(lang, s::REPORT_FOR_COMMUNITY)),
        Piece::Heading(label(lang, s::FORUM_DETAILS)),
    ];
    if let Some(t) = &r.title {
        pieces.push(Piece::Fact(label(lang, s::FORUM_NAME), t.clone()));
    }
    pieces.push(Piece::Fact(label(lang, s::HELD_ON), s::date(lang, &r.held_on)));
    pieces.push(Piece::Fact(label(lang, s::AREA), place_line(lang, &r.place)));
    if let Some(f) = &r.facilitator {
        pieces.push(Piece::Fact(label(lang, s::FACILITATOR), f.clone()));
    }
    let a = &r.attendance;
    let people = |n: i64| format!("{n} {}", s::PEOPLE.get(lang));
    let total = a
        .participants
        .or(a.villagers.map(|v| v + a.sbpac_staff.unwrap_or(0) + a.coordinators.unwrap_or(0) + a.leaders.unwrap_or(0)));
    pieces.push(Piece::Fact(
        label(lang, s::PARTICIPANTS),
        total.map_or_else(|| label(lang, s::PARTICIPANTS_NOT_RECORDED), people),
    ));
    if let Some(v) = a.villagers {
        let mut villagers = people(v);
        if let (Some(w), Some(m)) = (a.villagers_women, a.villagers_men) {
            villagers = format!("{villagers} ({} {w}, {} {m})", s::WOMEN.get(lang), s::MEN.get(lang));
        }
        pieces.push(Piece::Field(label(lang, s::VILLAGERS), villagers));
        for (p, n) in [(s::LEADERS, a.leaders), (s::SBPAC_STAFF, a.sbpac_staff), (s::COORDINATORS, a.coordinators)] {
            if let Some(n) = n {
                pieces.push(Piece::Field(label(lang, p), people(n)));
            }
        }
    }
    if !a.organisations.is_empty() {
        let names: Vec<String> = a.organisations.iter().map(|o| pick(lang, o)).collect();
        pieces.push(Piece::Field(label(lang, s::ORGANISATIONS), names.join(", ")));
    }
    pieces.push(Piece::Rule);
    pieces.push(Piece::Heading(format!("{} ({})", s::RAISED_HEADING.get(lang), r.raised.len())));
    if r.raised.is_empty() {
        pieces.push(Piece::Para(label(lang, s::RAISED_NONE)));
    }
    for (i, p) in r.raised.iter().enumerate() {
        problem_pieces(lang, i + 1, p, false, &mut pieces);
    }
    pieces.push(Piece::Rule);
    let heading = match &r.since {
        Some(d) => format!("{} ({} {})", s::CLOSED_HEADING.get(lang), s::CLOSED_SINCE.get(lang), s::date(lang, d)),
        None => label(lang, s::CLOSED_FIRST),
    };
    pieces.push(Piece::Heading(heading));
    if r.closed_since.is_empty() {
        pieces.push(Piece::Para(label(lang, s::CLOSED_NONE)));
    } else {
        pieces.push(Piece::Para(label(lang, s::CLOSED_ASK)));
    }
    for (i, p) in r.closed_since.iter().enumerate() {
        problem_pieces(lang, i + 1, p, true, &mut pieces);
    }
    pieces.push(Piece::Note(label(lang, s::LEFT_OUT)));
    let title = format!("{} · {}", s::REPORT_TITLE.get(lang), s::date(lang, &r.held_on));
    Sheet { lang, title, pieces }
}

/// The complainant's receipt as a paper.
pub fn receipt_sheet(lang: Lang, r: &Receipt) -> Sheet {
    let mut pieces = vec![
        Piece::Title(label(lang, s::RECEIPT_TITLE)),
        Piece::Subtitle(label(lang, s::RECEIPT_THANKS)),
        Piece::Heading(format!("{}: {}", s::REFERENCE.get(lang), r.reference)),
        Piece::Fact(label(lang, s::PROBLEM), r.title.clone().unwrap_or_else(|| label(lang, s::RESTRICTED_TITLE))),
        Piece::Fact(label(lang, s::CATEGORY), pick(lang, &r.category)),
        Piece::Fact(label(lang, s::AREA), place_line(lang, &r.place)),
        Piece::Fact(label(lang, s::RAISED_ON), s::date(lang, &r.raised_on)),
    ];
    if let Some(f) = &r.forum_held_on {
        pieces.push(Piece::Fact(label(lang, s::RAISED_AT_FORUM), s::date(lang, f)));
    }
    let mut status = s::status(lang, &r.status).to_owned();
    if let Some(o) = &r.outcome {
        status = format!("{status} ({} {})", s::OUTCOME.get(lang), s::outcome(lang, o));
    }
    pieces.push(Piece::Fact(label(lang, s::STATUS), status));
    if let Some(who) = &r.responsible {
        pieces.push(Piece::Fact(label(lang, s::RESPONSIBLE), pick(lang, who)));
    }
    if let Some(d) = &r.due_on
        && r.status != "closed"
    {
        pieces.push(Piece::Fact(label(lang, s::DUE_ON), s::date(lang, d)));
    }
    if let Some(c) = &r.closed_on {
        pieces.push(Piece::Fact(label(lang, s::CLOSED_ON), s::date(lang, c)));
    }
    let next = match r.status.as_str() {
        "closed" => s::NEXT_CLOSED,
        "assigned" | "addressed" => s::NEXT_ASSIGNED,
        _ => s::NEXT_RAISED,
    };
    pieces.push(Piece::Rule);
    pieces.push(Piece::Heading(label(lang, s::WHAT_NEXT)));
    pieces.push(Piece::Para(label(lang, next)));
    pieces.push(Piece::Heading(label(lang, s::HOW_TO_ASK)));
    pieces.push(Piece::Para(label(lang, s::HOW_TO_ASK_TEXT)));
    let title = format!("{} · {}", s::RECEIPT_TITLE.get(lang), r.reference);
    Sheet { lang, title, pieces }
}

/// The PDF of a paper.
pub fn pdf_of(sheet: &Sheet) -> Result<Vec<u8>, AppError> {
    let blocks = sheet
        .pieces
        .iter()
        .map(|p| match p {
            Piece::Title(t) => Block::Text(t.clone(), Style::TITLE),
            Piece::Subtitle(t) => Block::Text(t.clone(), Style { before: 2.0, grey: true, ..Style::BODY }),
            Piece::Heading(t) => Block::Text(t.clone(), Style::HEADING),
            Piece::Item(t) => Block::Text(t.clone(), Style::ITEM),
            Piece::Field(l, v) if l.is_empty() => Block::Text(v.clone(), Style::DETAIL),
            Piece::Field(l, v) if v.is_empty() => Block::Text(format!("{l}:"), Style::DETAIL),
            Piece::Field(l, v) => Block::Text(format!("{l}: {v}"), Style::DETAIL),
            Piece::Fact(l, v) => Block::Text(format!("{l}: {v}"), Style { before: 2.0, ..Style::BODY }),
            Piece::Para(t) => Block::Text(t.clone(), Style { before: 4.0, ..Style::BODY }),
            Piece::Free(t) => Block::Text(t.clone(), Style { indent: 28.0, ..Style::DETAIL }),
            Piece::Note(t) => Block::Text(t.clone(), Style::NOTE),
            Piece::Rule => Block::Rule(10.0),
        })
        .collect();
    let doc = Printable {
        lang: sheet.lang.code().to_owned(),
        title: sheet.title.clone(),
        footer: format!("Santisuk · {}", s::page_of(sheet.lang)),
        blocks,
    };
    pdf::render(&doc).map_err(|e| AppError::Internal(e.to_string()))
}

/// The HTML print page of a paper, with (on screen only) its other languages and its PDF.
pub fn page_of(sheet: &Sheet, here: &str) -> Markup {
    let lang = sheet.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (sheet.title) }
                link rel="stylesheet" href=(assets::css_url());
            }
            body.paper {
                nav.paper-tools.no-print aria-label=(s::LANGUAGE.get(lang)) {
                    a href=(format!("{here}.pdf?lang={}", lang.code())) { (s::DOWNLOAD_PDF.get(lang)) }
                    " · " (s::LANGUAGE.get(lang)) ":"
                    // Each language named in itself, so a reader finds theirs whatever the page is in.
                    @for other in [Lang::Th, Lang::Ms, Lang::En] {
                        " "
                        a href=(format!("{here}?lang={}", other.code())) aria-current=[(other == lang).then_some("page")]
                            lang=(other.code()) { (Tr(LANG_IDS[other as usize]).get(other)) }
                    }
                }
                main.sheet {
                    @for piece in &sheet.pieces {
                        @match piece {
                            Piece::Title(t) => h1 { (t) },
                            Piece::Subtitle(t) => p.subtitle { (t) },
                            Piece::Heading(t) => h2 { (t) },
                            Piece::Item(t) => h3 dir="auto" { (t) },
                            Piece::Field(l, v) => p.field {
                                @if !l.is_empty() { span.label { (l) ":" } " " }
                                span dir="auto" { (v) }
                            },
                            Piece::Fact(l, v) => p.fact { span.label { (l) ":" } " " span dir="auto" { (v) } },
                            Piece::Para(t) => p { (t) },
                            Piece::Free(t) => p.free dir="auto" { (t) },
                            Piece::Note(t) => p.note { (t) },
                            Piece::Rule => hr;
                        }
                    }
                }
            }
        }
    }
}

/// The links from a forum's or a problem's page to its paper (`here`: the paper's print page): the print
/// page in the page's language, and the PDF in each language a villager may read, named in itself.
pub fn papers_links(lang: Lang, here: &str, what: Tr) -> Markup {
    html! {
        p.papers.no-print {
            a href=(format!("{here}?lang={}", lang.code())) { (what.get(lang)) }
            " · PDF:"
            @for other in [Lang::Th, Lang::Ms, Lang::En] {
                " "
                a href=(format!("{here}.pdf?lang={}", other.code())) lang=(other.code()) {
                    (Tr(LANG_IDS[other as usize]).get(other))
                }
            }
        }
    }
}

fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}.pdf\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// A PDF's file name: the reference or the day, ASCII only.
fn file_name(prefix: &str, key: &str) -> String {
    let key: String = key.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("{prefix}-{key}")
}

/// `GET /forums/{id}/report`: the forum report to print.
pub async fn report_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<PaperQuery>,
) -> Result<Markup, WebError> {
    let lang = q.lang(web_lang(&web)).map_err(ApiError)?;
    let r = report::forum_report(&state, &web.ctx, &id).await?;
    Ok(page_of(&report_sheet(lang, &r), &format!("/forums/{}/report", r.forum_id)))
}

/// `GET /forums/{id}/report.pdf`: the same as a PDF.
pub async fn report_pdf(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<PaperQuery>,
) -> Result<Response, WebError> {
    let lang = q.lang(web_lang(&web)).map_err(ApiError)?;
    Ok(forum_report_pdf(&state, &web.ctx, &id, lang).await?)
}

/// `GET /issues/{id}/receipt`: the complainant's receipt to print.
pub async fn receipt_page(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<PaperQuery>,
) -> Result<Markup, WebError> {
    let lang = q.lang(web_lang(&web)).map_err(ApiError)?;
    let r = report::receipt(&state, &web.ctx, &id).await?;
    Ok(page_of(&receipt_sheet(lang, &r), &format!("/issues/{id}/receipt")))
}

/// `GET /issues/{id}/receipt.pdf`: the same as a PDF.
pub async fn receipt_pdf(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<String>,
    Query(q): Query<PaperQuery>,
) -> Result<Response, WebError> {
    let lang = q.lang(web_lang(&web)).map_err(ApiError)?;
    Ok(issue_receipt_pdf(&state, &web.ctx, &id, lang).await?)
}

/// The forum report's PDF, for the page and the API alike. Laying out and writing the PDF is CPU work of
/// some milliseconds per page: it runs on the blocking pool, not on a request thread.
pub async fn forum_report_pdf(
    state: &AppState,
    caller: &santisuk_app::Caller,
    id: &str,
    lang: Lang,
) -> Result<Response, ApiError> {
    let r = report::forum_report(state, caller, id).await?;
    sheet_pdf(report_sheet(lang, &r), &file_name("forum-report", &r.held_on)).await
}

/// The receipt's PDF, for the page and the API alike.
pub async fn issue_receipt_pdf(
    state: &AppState,
    caller: &santisuk_app::Caller,
    id: &str,
    lang: Lang,
) -> Result<Response, ApiError> {
    let r = report::receipt(state, caller, id).await?;
    sheet_pdf(receipt_sheet(lang, &r), &file_name("receipt", &r.reference)).await
}

/// A sheet written as a PDF on the blocking pool, answered as the file `name`.
async fn sheet_pdf(sheet: Sheet, name: &str) -> Result<Response, ApiError> {
    let bytes = tokio::task::spawn_blocking(move || pdf_of(&sheet))
        .await
        .map_err(|e| AppError::Internal(format!("pdf task: {e}")))??;
    Ok(pdf_response(bytes, name))
}
