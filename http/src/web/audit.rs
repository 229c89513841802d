//! The global event log for auditors (and administrators): every stored event of every aggregate, newest
//! first by default, narrowed by issue or case number, user, event type and recorded dates (a plain GET
//! form: bookmarkable, no script needed), with a jump to a position or a date and a download of what the
//! filters show. Each event is a card: its type and fields in words, with Thai labels, never raw JSON.
//!
//! The filters, cursors and jumps are checked by the application layer (`app::audit`), exactly as for
//! `GET /api/audit/events`; the download is the API's export (`routes::audit::export_with`) under the web
//! session.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use santisuk_app::audit::{EVENT_TYPES, LogParams, RawEvent};
use santisuk_app::caller::Role;
use santisuk_app::reference::{self, AreaRow, CategoryRow};
use serde::Deserialize;
use serde_json::Value;

use super::i18n::{self, Lang};
use super::layout::{self, Nav};
use super::{Web, WebError};
use crate::error::ApiError;
use crate::routes::audit::{AUDITORS, ExportQuery, events_page, export_with};
use crate::state::AppState;

const PAGE: i64 = 50;

/// The page's query: the filters, the order, a cursor or a jump, each as typed (blank is none).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    issue: String,
    #[serde(default)]
    actor: String,
    #[serde(default, rename = "type")]
    event_type: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    order: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    date: String,
}

fn some(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl LogQuery {
    /// Newest first unless oldest first was asked for.
    fn order(&self) -> &str {
        if self.order.trim() == "asc" { "asc" } else { "desc" }
    }

    fn params(&self) -> LogParams {
        LogParams {
            issue: some(&self.issue),
            actor: some(&self.actor),
            event_type: some(&self.event_type),
            from: some(&self.from),
            to: some(&self.to),
            order: Some(self.order.trim()).filter(|o| !o.is_empty()).or(Some("desc")).map(str::to_owned),
            after: some(&self.after),
            before: some(&self.before),
            position: some(&self.position),
            date: some(&self.date),
        }
    }

    /// The filters and the order as query pairs (for links, the jumps' hidden fields and the download).
    fn filter_pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("issue", self.issue.trim()),
            ("actor", self.actor.trim()),
            ("type", self.event_type.trim()),
            ("from", self.from.trim()),
            ("to", self.to.trim()),
            ("order", if self.order() == "asc" { "asc" } else { "" }),
        ]
    }
}

/// A page of the log.
pub async fn page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    web.ctx.require(AUDITORS, "read the audit log")?;
    let Query(q) = query.map_err(|_| ApiError::bad_request("bad_query", "the query could not be read"))?;
    let lang = web.lang;
    let (rows, next) = events_page(&state, &web.ctx, &q.params(), PAGE, Some("web")).await?;
    let case_numbers = santisuk_app::audit::case_numbers(&state, &rows).await?;
    let areas = reference::list_areas(&state, &web.ctx).await?;
    // Every category, obstacles' too: the log names whatever it holds.
    let categories = reference::list_categories_of(&state, None).await?;
    let names = Names { lang, areas: &areas, categories: &categories, case_numbers: &case_numbers };
    let desc = q.order() == "desc";
    let filters = q.filter_pairs();
    let link = |extra: (&'static str, &str)| {
        let mut pairs = filters.clone();
        pairs.push(extra);
        format!("/audit{}", layout::query(&pairs))
    };
    let download = |format: &'static str| {
        let mut pairs = vec![("format", format)];
        pairs.extend(filters.iter().map(|(k, v)| (*k, if *k == "order" && desc { "desc" } else { *v })));
        format!("/audit/export{}", layout::query(&pairs))
    };
    let moved = [&q.after, &q.before, &q.position, &q.date].iter().any(|v| !v.trim().is_empty());
    let hidden = html! {
        @for (name, value) in &filters { @if !value.is_empty() { input type="hidden" name=(name) value=(value); } }
    };
    let content = html! {
        h1 { (i18n::EVENT_LOG.get(lang)) }
        form.card.filters.audit-filters method="get" action="/audit" role="search" aria-label=(i18n::AUDIT_FILTERS.get(lang)) {
            div {
                label for="issue" { (i18n::AUDIT_ISSUE.get(lang)) }
                input #issue type="text" name="issue" value=(q.issue) maxlength="64" placeholder="PTN-2569-00123" autocomplete="off";
            }
            div {
                label for="actor" { (i18n::AUDIT_ACTOR.get(lang)) }
                input #actor type="text" name="actor" value=(q.actor) maxlength="200" dir="auto" autocomplete="off"
                    placeholder=(i18n::AUDIT_ACTOR_HINT.get(lang));
            }
            div {
                label for="type" { (i18n::AUDIT_TYPE.get(lang)) }
                select #type name="type" {
                    option value="" { (i18n::ALL.get(lang)) }
                    @for t in EVENT_TYPES {
                        option value=(t) selected[q.event_type.trim() == *t] { (i18n::event(lang, t)) }
                    }
                }
            }
            div {
                label for="order" { (i18n::AUDIT_ORDER.get(lang)) }
                select #order name="order" {
                    option value="desc" selected[desc] { (i18n::AUDIT_NEWEST.get(lang)) }
                    option value="asc" selected[!desc] { (i18n::AUDIT_OLDEST.get(lang)) }
                }
            }
            div {
                label for="from" { (i18n::AUDIT_FROM.get(lang)) }
                (layout::date_input(lang, "from", "from", &q.from, false, &[]))
            }
            div {
                label for="to" { (i18n::AUDIT_TO.get(lang)) }
                (layout::date_input(lang, "to", "to", &q.to, false, &[]))
            }
            div.actions {
                button.primary type="submit" { (i18n::FILTER.get(lang)) }
                a href="/audit" { (i18n::CLEAR.get(lang)) }
            }
        }
        div.card.jump {
            form #jump-position method="get" action="/audit" {
                (hidden)
                div {
                    label for="position" { (i18n::AUDIT_JUMP_POSITION.get(lang)) }
                    input #position type="number" name="position" min="0" value=(q.position) inputmode="numeric";
                }
                button type="submit" { (i18n::AUDIT_GO.get(lang)) }
            }
            form #jump-date method="get" action="/audit" {
                (hidden)
                div {
                    label for="date" { (i18n::AUDIT_JUMP_DATE.get(lang)) }
                    (layout::date_input(lang, "date", "date", &q.date, false, &[]))
                }
                button type="submit" { (i18n::AUDIT_GO.get(lang)) }
            }
            p.download {
                (i18n::AUDIT_DOWNLOAD.get(lang)) ": "
                a #download-csv href=(download("csv")) download { (i18n::AUDIT_CSV.get(lang)) }
                " · "
                a #download-ndjson href=(download("ndjson")) download { (i18n::AUDIT_NDJSON.get(lang)) }
            }
        }
        @if rows.is_empty() {
            p.card.muted #no-events { (i18n::AUDIT_NONE.get(lang)) }
        } @else {
            ol.audit-log #events {
                @for e in &rows { (event_card(&names, e)) }
            }
        }
        @if next.is_some() || moved {
            nav.pager aria-label=(i18n::PAGE.get(lang)) {
                @if moved { a href=(link(("", ""))) rel="first" { "« " (i18n::AUDIT_FIRST_PAGE.get(lang)) } }
                @if let Some(last) = next {
                    @let cursor = last.to_string();
                    a href=(link((if desc { "before" } else { "after" }, &cursor))) rel="next" { (i18n::NEXT.get(lang)) " ›" }
                }
            }
        }
    };
    Ok(layout::page(&web, Nav::Audit, i18n::NAV_AUDIT.get(lang), content).into_response())
}

/// The download of what the page's filters show: the API's export, under the web session.
pub async fn export(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    web.ctx.require(AUDITORS, "export the audit log")?;
    let Query(q) = query.map_err(|_| ApiError::bad_request("bad_query", "the query could not be read"))?;
    Ok(export_with(state, web.ctx, q, Some("web")).await?)
}

/// What turns stored codes into names people read.
struct Names<'a> {
    lang: Lang,
    areas: &'a [AreaRow],
    categories: &'a [CategoryRow],
    case_numbers: &'a HashMap<String, String>,
}

impl Names<'_> {
    fn area(&self, id: &str) -> String {
        match self.areas.iter().find(|a| a.id == id) {
            Some(a) => format!("{} ({id})", layout::area_label(self.lang, a)),
            None => id.to_owned(),
        }
    }

    fn category(&self, code: &str) -> String {
        match self.categories.iter().find(|c| c.code == code) {
            Some(c) => format!("{} ({code})", layout::category_label(self.lang, c)),
            None => code.to_owned(),
        }
    }
}

/// One event: its name, where it sits, when and by whom, and its fields as label and value.
fn event_card(names: &Names, e: &RawEvent) -> Markup {
    let lang = names.lang;
    let data = e.data();
    let at = data.get("at").and_then(Value::as_str);
    let fields: Vec<(&String, &Value)> = match &data {
        Value::Object(map) => map.iter().filter(|(k, _)| k.as_str() != "at").collect(),
        _ => Vec::new(),
    };
    html! {
        li.event.card id={ "e" (e.position) } {
            // The stored type (what the export and the API carry) is shown on the English page; the Thai page
            // has no English event names (the glossary's rule), only the stored type as the name's tooltip.
            h2 {
                span.name title=(e.event_type) { (i18n::event(lang, &e.event_type)) }
                @if lang == Lang::En { " " code.type { (e.event_type) } }
            }
            dl.facts {
                dt { (i18n::POSITION.get(lang)) } dd.num { (e.position) }
                dt { (i18n::AGGREGATE.get(lang)) }
                dd { (record(names, e)) }
                dt { (i18n::RECORDED.get(lang)) } dd { (i18n::stored_time(lang, &e.recorded_at)) }
                @if let Some(at) = at {
                    dt { (i18n::AUDIT_HAPPENED.get(lang)) } dd { (i18n::stored_time(lang, at)) }
                }
                dt { (i18n::AUDIT_BY.get(lang)) } dd dir="auto" { (e.meta("actor").unwrap_or_else(|| "—".into())) }
                @for (key, value) in &fields {
                    dt { (i18n::audit_field(lang, &e.event_type, key)) }
                    dd dir="auto" { (field_value(names, key, value)) }
                }
                @if !data.is_object() {
                    // Not the JSON object every event is stored as (damage or tampering): the stored text.
                    dt { (i18n::DATA.get(lang)) } dd.id { (redact_sealed(&data.as_str().map(str::to_owned).unwrap_or_else(|| data.to_string()))) }
                }
            }
        }
    }
}

/// A stored text with every sealed string in it (`sealed:v1:…` up to its closing quote) cut to its prefix:
/// a payload shown as stored keeps its shape without printing ciphertext.
fn redact_sealed(stored: &str) -> String {
    let prefix = santisuk_app::privacy::SEALED_PREFIX;
    let mut out = String::with_capacity(stored.len());
    let mut rest = stored;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        out.push_str("sealed:…");
        let tail = &rest[at + prefix.len()..];
        rest = &tail[tail.find('"').unwrap_or(tail.len())..];
    }
    out.push_str(rest);
    out
}

/// The record an event belongs to: an issue by its case number, linked to its page; a forum linked to its
/// page; anything else by its kind and id.
fn record(names: &Names, e: &RawEvent) -> Markup {
    let lang = names.lang;
    let kind = i18n::audit_record(lang, &e.aggregate_type);
    html! {
        @match e.aggregate_type.as_str() {
            "Issue" => {
                (kind) " "
                a href={ "/issues/" (e.aggregate_id) } {
                    @match names.case_numbers.get(&e.aggregate_id) {
                        Some(number) => { span.case-number { (number) } }
                        None => { span.id { (e.aggregate_id) } }
                    }
                }
            }
            "Forum" => { (kind) " " a.id href={ "/forums/" (e.aggregate_id) } { (e.aggregate_id) } }
            _ => { (kind) " " span.id { (e.aggregate_id) } }
        }
        " · #" (e.sequence)
    }
}

/// A field's value in words: names for codes, Buddhist-Era dates, outcomes and roles in words; anything
/// else as its text.
fn field_value(names: &Names, key: &str, value: &Value) -> Markup {
    let lang = names.lang;
    // A corrected field (`IssueCorrected`): what it was, struck through, and what it is now.
    if let (Some(from), Some(to)) = (value.get("from"), value.get("to")) {
        return html! {
            span.muted { (i18n::BEFORE.get(lang)) " " } del { (field_value(names, key, from)) }
            " → " span.muted { (i18n::AFTER.get(lang)) " " } ins { (field_value(names, key, to)) }
        };
    }
    let text = match value {
        Value::Null => return html! { span.muted { (i18n::AUDIT_NO_VALUE.get(lang)) } },
        Value::String(s) => s.as_str(),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|v| match (key, v.as_str()) {
                    ("areas" | "area_ids", Some(id)) => names.area(id),
                    ("categories", Some(code)) => names.category(code),
                    (_, Some(s)) => s.to_owned(),
                    (_, None) => v.to_string(),
                })
                .collect();
            if parts.is_empty() {
                return html! { span.muted { (i18n::AUDIT_NO_VALUE.get(lang)) } };
            }
            return html! { (parts.join(", ")) };
        }
        Value::Bool(b) => return html! { (if *b { i18n::YES } else { i18n::NO }.get(lang)) },
        Value::Object(_) if key == "participation" => {
            return html! { (super::organisations::participation_words(lang, value)) };
        }
        other => return html! { (other.to_string()) },
    };
    let geo = santisuk_domain::geo::Geography::get();
    html! {
        @match key {
            "area_id" => { (names.area(text)) }
            "category" => { (names.category(text)) }
            "due_on" | "held_on" => { (i18n::stored_date(lang, text)) }
            "outcome" => { (i18n::outcome(lang, text)) }
            "kind" => { (super::organisations::kind_words(lang, text)) }
            "role" => { (Role::parse(text).map(|r| layout::role_name(lang, r)).unwrap_or(text)) }
            "forum_id" => { a.id href={ "/forums/" (text) } { (text) } }
            "of" => { a.id href={ "/issues/" (text) } { (text) } }
            "verdict" => { (super::verdicts::verdict_words(lang, text)) }
            "amphoe_code" => {
                @match geo.amphoe(text) {
                    Some(a) => { (lang.pick(&a.name_th, &a.name_en)) " (" (text) ")" }
                    None => { (text) }
                }
            }
            "tambon_code" => {
                @match geo.tambon(text) {
                    Some(t) => { (lang.pick(&t.name_th, &t.name_en)) " (" (text) ")" }
                    None => { (text) }
                }
            }
            "token_sha256" | "case_number" | "complainant" | "subject" => { span.id { (text) } }
            // Free text is stored sealed: the card says so and never prints the ciphertext.
            _ => { (layout::text(lang, text)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thai(text: &str) -> bool {
        text.chars().any(|c| ('\u{0E01}'..='\u{0E5B}').contains(&c))
    }

    #[test]
    fn every_event_type_has_a_thai_and_an_english_name() {
        for t in EVENT_TYPES {
            let (th, en) = (i18n::event(Lang::Th, t), i18n::event(Lang::En, t));
            assert!(thai(&th), "{t}: {th}");
            assert!(!thai(&en) && en != *t, "{t}: {en}");
        }
        assert_eq!(i18n::event(Lang::Th, "SomethingNew"), "SomethingNew", "an unknown type as stored");
    }

    #[test]
    fn every_stored_field_has_a_thai_label_and_an_unknown_one_keeps_its_name() {
        let fields = [
            "area_id",
            "category",
            "title",
            "description",
            "forum_id",
            "raised_by",
            "case_number",
            "assignee",
            "due_on",
            "note",
            "action",
            "outcome",
            "reason",
            "held_on",
            "facilitator",
            "head_count",
            "participants",
            "name_th",
            "name_en",
            "amphoe_code",
            "province_code",
            "tambon_code",
            "name",
            "role",
            "areas",
            "token_sha256",
            "restricted",
            "categories",
        ];
        for f in fields {
            assert!(thai(&i18n::audit_field(Lang::Th, "IssueRaised", f)), "{f}");
        }
        assert_eq!(i18n::audit_field(Lang::Th, "ForumHeld", "title"), "ชื่อเวที");
        assert_eq!(i18n::audit_field(Lang::Th, "IssueRaised", "mystery"), "mystery");
    }

    #[test]
    fn values_are_shown_in_words_and_unknown_ones_as_text() {
        let names = Names { lang: Lang::Th, areas: &[], categories: &[], case_numbers: &HashMap::new() };
        let show = |key: &str, value: Value| field_value(&names, key, &value).into_string();
        assert_eq!(show("due_on", Value::from("2026-12-31")), "31 ธ.ค. 2569");
        assert_eq!(show("outcome", Value::from("referred")), "ส่งต่อหน่วยงานอื่น");
        assert_eq!(show("role", Value::from("auditor")), "ผู้ตรวจสอบ");
        assert_eq!(show("amphoe_code", Value::from("9401")), "เมืองปัตตานี (9401)");
        assert_eq!(show("mystery", serde_json::json!({"a": 1})), "{&quot;a&quot;:1}", "as text, escaped");
        assert!(show("note", Value::Null).contains("ไม่ระบุ"));
        assert_eq!(show("areas", serde_json::json!(["PTN-01", "YLA-02"])), "PTN-01, YLA-02");
        let sealed = show("description", Value::from("sealed:v1:k1:c2VjcmV0IGNpcGhlcnRleHQ"));
        assert!(sealed.contains("เข้ารหัส (sealed)") && !sealed.contains("sealed:v1"), "{sealed}");
        assert!(show("note", Value::from("[erased]")).contains("[ลบข้อมูลส่วนบุคคลแล้ว]"));
    }

    #[test]
    fn a_damaged_payload_is_shown_without_its_ciphertext() {
        let stored = r#"{"IssueRaised": {"description": "sealed:v1:k1:QUJD", "title": "ถนน"}"#;
        assert_eq!(redact_sealed(stored), r#"{"IssueRaised": {"description": "sealed:…", "title": "ถนน"}"#);
        assert_eq!(redact_sealed("sealed:v1:k1:QUJD"), "sealed:…");
    }
}
