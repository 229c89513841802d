//! The page frame (head, navigation, language switch, footer) and small pieces of HTML the pages share.

use axum::http::StatusCode;
use chrono::NaiveDate;
use maud::{DOCTYPE, Markup, html};
use santisuk_app::caller::Role;
use santisuk_app::reference::{AreaRow, CategoryRow};

use super::assets;
use super::extract::Web;
use super::i18n::{self, Lang, Tr};

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Home,
    Queue,
    Obstacles,
    Forum,
    Dashboard,
    Progress,
    Audit,
    Admin,
    /// The registry of organisations (admins and staff).
    Organisations,
    Agencies,
    /// Importing spreadsheets (issue #18 §2).
    Import,
    None,
}

fn head(lang: Lang, title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="color-scheme" content="light";
            title { (title) " · " (i18n::APP.get(lang)) }
            link rel="preload" href=(assets::FONT_THAI_400) as="font" type="font/woff2" crossorigin;
            link rel="stylesheet" href=(assets::css_url());
            link rel="icon" href=(assets::ICON_URL) type="image/svg+xml";
            script src=(assets::js_url()) defer {}
        }
    }
}

/// A full page for a signed-in user.
pub fn page(web: &Web, nav: Nav, title: &str, content: Markup) -> Markup {
    let lang = web.lang;
    let role = web.ctx.user.role;
    let writer = matches!(role, Role::Admin | Role::Staff | Role::Coordinator);
    let auditor = matches!(role, Role::Admin | Role::Auditor);
    let admin = role == Role::Admin;
    let item = |target: Nav, href: &str, label: Tr| {
        html! {
            li { a href=(href) aria-current=[(nav == target).then_some("page")] { (label.get(lang)) } }
        }
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title))
            body {
                a.skip href="#main" { (i18n::SKIP_TO_CONTENT.get(lang)) }
                header.top {
                    a.brand href="/" { (i18n::APP.get(lang)) }
                    nav aria-label="main" {
                        ul {
                            @if writer { (item(Nav::Home, "/", i18n::NAV_HOME)) }
                            (item(Nav::Dashboard, "/dashboard", i18n::NAV_DASHBOARD))
                            (item(Nav::Progress, "/reports/progress", i18n::NAV_PROGRESS))
                            (item(Nav::Queue, "/issues", i18n::NAV_QUEUE))
                            @if writer { (item(Nav::Forum, "/forums/new", i18n::NAV_FORUM)) }
                            // Every role sees obstacles: all of them, or (a coordinator) their own.
                            (item(Nav::Obstacles, "/obstacles", i18n::NAV_OBSTACLES))
                            @if auditor { (item(Nav::Audit, "/audit", i18n::NAV_AUDIT)) }
                            @if admin { (item(Nav::Admin, "/admin/users", i18n::NAV_ADMIN)) }
                            @if matches!(role, Role::Admin | Role::Staff) {
                                (item(Nav::Organisations, "/admin/organisations", super::organisations::ORGANISATIONS_NAV))
                            }
                            // Everyone may read the agencies; the entry is for those who refer problems to them.
                            @if matches!(role, Role::Admin | Role::Staff) {
                                (item(Nav::Agencies, "/admin/agencies", i18n::AGENCIES))
                            }
                            // Issue #18 §2: importing past forums' spreadsheets (admins and staff).
                            @if matches!(role, Role::Admin | Role::Staff) {
                                (item(Nav::Import, "/admin/import", super::strings_import::IMPORT_NAV))
                            }
                        }
                    }
                    div.who {
                        span.user dir="auto" { (web.ctx.user.name) " · " (role_name(lang, role)) }
                        (lang_switch(lang, &web.csrf, "__back__"))
                        form.inline method="post" action="/logout" {
                            input type="hidden" name="_csrf" value=(web.csrf);
                            button.link type="submit" { (i18n::SIGN_OUT.get(lang)) }
                        }
                    }
                }
                main #main { (content) }
                (footer(lang))
            }
        }
    }
}

/// A page without navigation: sign-in and errors.
pub fn bare(lang: Lang, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            (head(lang, title))
            body.bare {
                header.top { a.brand href="/" { (i18n::APP.get(lang)) } span.tagline { (i18n::APP_TAGLINE.get(lang)) } }
                main #main { (content) }
                (footer(lang))
            }
        }
    }
}

fn footer(lang: Lang) -> Markup {
    html! {
        footer.bottom {
            span { (i18n::APP.get(lang)) " · " (i18n::APP_TAGLINE.get(lang)) }
            span { (i18n::GEO_CREDIT.get(lang)) }
        }
    }
}

/// The form that switches to the other language. `back` is where to return; `__back__` is replaced by the
/// current page's address by the script, and the server falls back to `/` without it.
pub fn lang_switch(lang: Lang, csrf: &str, back: &str) -> Markup {
    let other = lang.other();
    html! {
        form.inline.lang method="post" action="/lang" {
            input type="hidden" name="_csrf" value=(csrf);
            input type="hidden" name="lang" value=(other.code());
            input type="hidden" name="back" value=(back) data-back;
            button.link type="submit" lang=(other.code()) { (i18n::SWITCH_LANG.get(lang)) }
        }
    }
}

pub fn role_name(lang: Lang, role: Role) -> &'static str {
    match role {
        Role::Admin => Tr("role-name-administrator").get(lang),
        Role::Staff => Tr("role-name-sbpac-staff").get(lang),
        Role::Coordinator => Tr("role-name-area-coordinator").get(lang),
        Role::Auditor => Tr("role-name-auditor").get(lang),
    }
}

/// "Sign in again" after a refused form.
pub fn notice_sign_in_again(lang: Lang) -> Markup {
    html! {
        section.card.narrow {
            p.error-summary role="alert" { (i18n::SESSION_EXPIRED.get(lang)) }
            p { a.button href="/login" { (i18n::SIGN_IN.get(lang)) } }
        }
    }
}

/// An error as a page, in the page's language only: a heading by status, the reason when there is one in
/// that language, and the error's code (the same in both, for whoever supports the user).
pub fn error_page(lang: Lang, status: StatusCode, code: &str, message: &str) -> Markup {
    let heading = i18n::error_heading(status).get(lang);
    // The message that came with the error is English: shown only on an English page.
    let detail = match lang {
        Lang::En => i18n::admin_error(lang, code, message),
        Lang::Th | Lang::Ms => i18n::admin_error(lang, code, ""),
    };
    let content = html! {
        section.card.narrow {
            h1 { (heading) }
            @if !detail.is_empty() { p dir="auto" { (detail) } }
            p.muted { code { (code) } }
            p { a href="/" { (i18n::HOME.get(lang)) } }
        }
    };
    bare(lang, heading, content)
}

/// A status as a coloured label.
pub fn status_badge(lang: Lang, status: &str) -> Markup {
    html! { span class={ "badge s-" (status) } { (i18n::status(lang, status)) } }
}

/// The plain mark of a restricted case (its own mark or its category's).
pub fn restricted_badge(lang: Lang) -> Markup {
    html! { span.badge.restricted { (i18n::RESTRICTED.get(lang)) } }
}

/// A free text that may hold personal data, as a page shows it: the text itself, or a muted badge where it
/// was erased (it reads as `personal::ERASED` once its key is gone) or where it is still sealed (a stored
/// payload shown as stored, on the audit log: the ciphertext is never printed; the export keeps it).
pub fn text(lang: Lang, text: &str) -> Markup {
    if text == santisuk_domain::personal::ERASED {
        html! { span.badge.erased { (i18n::ERASED_TEXT.get(lang)) } }
    } else if text.starts_with(santisuk_app::privacy::SEALED_PREFIX) {
        html! { span.badge.sealed { span aria-hidden="true" { "🔒 " } (i18n::SEALED_TEXT.get(lang)) } }
    } else {
        html! { (text) }
    }
}

/// The error of one field, if any, placed after its input and tied to it by `aria-describedby`.
pub fn field_error(errors: &[(String, String)], field: &str) -> Markup {
    html! {
        @for (f, message) in errors.iter().filter(|(f, _)| f == field) {
            span.field-error id={ "err-" (f) } role="alert" { (message) }
        }
    }
}

/// Every error of a refused form in one place, at its top: one line per field, each a link to the field,
/// named by its label when `labels` has it. The script moves the focus here when the page loads, so a
/// screen reader reads it first; without the script it is still the first thing under the heading. Errors
/// not tied to a field (`form`) are listed without a link.
pub fn error_summary<S: AsRef<str>>(lang: Lang, errors: &[(String, String)], labels: &[(S, Tr)]) -> Markup {
    let label = |field: &str| labels.iter().find(|(f, _)| f.as_ref() == field).map(|(_, l)| l.get(lang));
    html! {
        @if !errors.is_empty() {
            div.error-summary #error-summary role="alert" tabindex="-1" {
                p { strong { (i18n::FIX_ERRORS.get(lang)) } }
                ul {
                    @for (field, message) in errors {
                        @if field == "form" { li { (message) } }
                        @else {
                            li { a href={ "#" (field) } { @if let Some(l) = label(field) { (l) ": " } (message) } }
                        }
                    }
                }
            }
        }
    }
}

/// A date field people can type the Thai way or pick from a calendar. The text box takes `วว/ดด/ปปปป` in the
/// Buddhist or the Common Era (a year from 2400 is Buddhist Era), or `YYYY-MM-DD`; the server reads it with
/// `parse::parse_date_era` and the page shows the date it understood beside the box. The calendar button
/// (added by the script, which also fills the box in the page's era) opens the browser's own picker; without
/// the script the box alone works. `value` is what was typed, or a stored `YYYY-MM-DD`, shown in the page's era.
pub fn date_input(
    lang: Lang,
    id: &str,
    name: &str,
    value: &str,
    required: bool,
    errors: &[(String, String)],
) -> Markup {
    let shown = match value.parse::<NaiveDate>() {
        Ok(d) => i18n::date_numeric(lang, d),
        Err(_) => value.to_owned(),
    };
    let understood = santisuk_app::parse::parse_date_era(value).map(|(d, era)| i18n::understood(lang, d, era));
    html! {
        span.date-field {
            input id=(id) type="text" name=(name) value=(shown) inputmode="numeric" autocomplete="off"
                placeholder=(i18n::DATE_PLACEHOLDER.get(lang)) maxlength="10" data-date=(lang.code())
                required[required] aria-invalid=[invalid(errors, id)] aria-describedby={ (id) "-hint" };
            button.pick type="button" hidden aria-label=(i18n::PICK_DATE.get(lang)) title=(i18n::PICK_DATE.get(lang)) {
                // A calendar drawn inline: an emoji needs a font many office PCs and phones lack.
                svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false" {
                    rect x="3" y="5" width="18" height="16" rx="2" fill="none" stroke="currentColor" stroke-width="2" {}
                    path d="M3 10h18M8 3v4M16 3v4" stroke="currentColor" stroke-width="2" fill="none" {}
                }
            }
            input.picker type="date" tabindex="-1" aria-hidden="true";
        }
        span.hint id={ (id) "-hint" } { (i18n::DATE_HINT.get(lang)) }
        output.understood for=(id) aria-live="polite" { @if let Some(u) = understood { (u) } }
        (field_error(errors, id))
    }
}

/// "When it happened": an optional date ([`date_input`]) and time, named `at_date` and `at_time` with ids
/// `<prefix>-at_date` and `<prefix>-at_time`; empty means now (`parse::parse_when`).
pub fn when_input(lang: Lang, prefix: &str, date: &str, time: &str, errors: &[(String, String)]) -> Markup {
    let (date_id, time_id) = (format!("{prefix}-at_date"), format!("{prefix}-at_time"));
    html! {
        fieldset.when {
            legend { (i18n::WHEN.get(lang)) " " span.hint { "(" (i18n::OPTIONAL.get(lang)) ")" } }
            p.hint { (i18n::WHEN_HINT.get(lang)) }
            div.when-row {
                div {
                    label for=(date_id) { (i18n::WHEN_DATE.get(lang)) }
                    (date_input(lang, &date_id, "at_date", date, false, errors))
                }
                div {
                    label for=(time_id) { (i18n::WHEN_TIME.get(lang)) }
                    input id=(time_id) type="time" name="at_time" value=(time) aria-invalid=[invalid(errors, &time_id)];
                    (field_error(errors, &time_id))
                }
            }
        }
    }
}

/// Whether a field has an error (for `aria-invalid`).
pub fn invalid(errors: &[(String, String)], field: &str) -> Option<&'static str> {
    errors.iter().any(|(f, _)| f == field).then_some("true")
}

/// Percent-encodes a query value.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A query string from pairs, skipping empty values.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", url_encode(v))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

/// An area as people name it: Thai name (or English when chosen and known).
pub fn area_label(lang: Lang, area: &AreaRow) -> String {
    match (lang, &area.name_en) {
        (Lang::En, Some(en)) => en.clone(),
        _ => area.name_th.clone(),
    }
}

/// A category's name in the page's language.
pub fn category_label(lang: Lang, category: &CategoryRow) -> String {
    lang.pick(&category.name_th, &category.name_en).to_owned()
}

/// One option of a filter: its value and what it shows.
pub type Choice = (String, String);

/// The provinces of `areas`, and their districts (only those in `province` when one is chosen), as
/// `(code, name)` options for the filters, by code.
pub fn places(lang: Lang, areas: &[AreaRow], province: &str) -> (Vec<Choice>, Vec<Choice>) {
    let geo = santisuk_domain::geo::Geography::get();
    let mut provinces: Vec<Choice> = Vec::new();
    let mut amphoes: Vec<Choice> = Vec::new();
    for amphoe in areas.iter().filter_map(|a| geo.amphoe(&a.amphoe_code)) {
        let p = (amphoe.province_code.clone(), lang.pick(&amphoe.province_th, &amphoe.province_en).to_owned());
        if !provinces.contains(&p) {
            provinces.push(p);
        }
        let d = (amphoe.code.clone(), lang.pick(&amphoe.name_th, &amphoe.name_en).to_owned());
        if (province.is_empty() || amphoe.province_code == province) && !amphoes.contains(&d) {
            amphoes.push(d);
        }
    }
    provinces.sort();
    amphoes.sort();
    (provinces, amphoes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded_and_empty_ones_dropped() {
        assert_eq!(query(&[("area", "PTN-01"), ("q", ""), ("x", "a b&c")]), "?area=PTN-01&x=a%20b%26c");
        assert_eq!(query(&[("q", "")]), "");
    }

    #[test]
    fn an_error_page_is_in_one_language() {
        let th = error_page(Lang::Th, StatusCode::FORBIDDEN, "forbidden", "the staff role may not do it").into_string();
        assert!(th.contains("<h1>คุณไม่มีสิทธิ์เข้าถึง</h1>") && th.contains("lang=\"th\""), "{th}");
        assert!(!th.contains("Not allowed") && !th.contains("may not"), "no English: {th}");
        let en = error_page(Lang::En, StatusCode::NOT_FOUND, "issue_not_found", "no such issue").into_string();
        assert!(en.contains("<h1>Not found</h1>") && en.contains("no such issue"), "{en}");
        assert!(!en.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)), "no Thai: {en}");
    }

    #[test]
    fn field_errors_are_escaped_text() {
        let errors = vec![("title".to_owned(), "<script>alert(1)</script>".to_owned())];
        let html = field_error(&errors, "title").into_string();
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }
}
