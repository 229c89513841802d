//! The words of the printed forum report and the complainant's receipt (issue #18 §3, §4): ids of the
//! messages in `http/locales/{th,en,ms}.ftl` (section `## #18 §3`), for the papers that go back to villagers
//! in the language they read most easily. The Malay is machine-drafted and marked `# needs-review` there.

use super::i18n::{FluentValue, Lang, Tr};
pub const REPORT_TITLE: Tr = Tr("report-report-title");
pub const REPORT_FOR_COMMUNITY: Tr = Tr("report-report-for-community");
pub const FORUM_DETAILS: Tr = Tr("report-forum-details");
pub const HELD_ON: Tr = Tr("report-held-on");
pub const FORUM_NAME: Tr = Tr("report-forum-name");
pub const AREA: Tr = Tr("report-area");
pub const DISTRICT: Tr = Tr("report-district");
pub const PROVINCE: Tr = Tr("report-province");
pub const FACILITATOR: Tr = Tr("report-facilitator");
pub const PARTICIPANTS: Tr = Tr("report-participants");
pub const PARTICIPANTS_NOT_RECORDED: Tr = Tr("report-participants-not-recorded");
pub const SBPAC_STAFF: Tr = Tr("report-sbpac-staff");
pub const COORDINATORS: Tr = Tr("report-coordinators");
pub const LEADERS: Tr = Tr("report-leaders");
pub const VILLAGERS: Tr = Tr("report-villagers");
pub const WOMEN: Tr = Tr("report-women");
pub const MEN: Tr = Tr("report-men");
pub const ORGANISATIONS: Tr = Tr("report-organisations");
pub const PEOPLE: Tr = Tr("report-people");
pub const RAISED_HEADING: Tr = Tr("report-raised-heading");
pub const RAISED_NONE: Tr = Tr("report-raised-none");
pub const CLOSED_HEADING: Tr = Tr("report-closed-heading");
pub const CLOSED_FIRST: Tr = Tr("report-closed-first");
pub const CLOSED_SINCE: Tr = Tr("report-closed-since");
pub const CLOSED_ASK: Tr = Tr("report-closed-ask");
pub const CLOSED_NONE: Tr = Tr("report-closed-none");
pub const CATEGORY: Tr = Tr("report-category");
pub const STATUS: Tr = Tr("report-status");
pub const OUTCOME: Tr = Tr("report-outcome");
pub const DESCRIPTION: Tr = Tr("report-description");
pub const ACTION: Tr = Tr("report-action");
pub const RESPONSIBLE: Tr = Tr("report-responsible");
pub const NOT_YET_ASSIGNED: Tr = Tr("report-not-yet-assigned");
pub const DUE_ON: Tr = Tr("report-due-on");
pub const RAISED_ON: Tr = Tr("report-raised-on");
pub const CLOSED_ON: Tr = Tr("report-closed-on");
pub const VERDICT: Tr = Tr("report-verdict");
pub const VERDICT_BLANK: Tr = Tr("report-verdict-blank");
pub const LEFT_OUT: Tr = Tr("report-left-out");
pub const PAGE_OF: Tr = Tr("report-page-of");
pub const PRINT: Tr = Tr("report-print");
pub const DOWNLOAD_PDF: Tr = Tr("report-download-pdf");
pub const LANGUAGE: Tr = Tr("report-language");
pub const BACK: Tr = Tr("report-back");
pub const PRINT_REPORT: Tr = Tr("report-print-report");
pub const PRINT_RECEIPT: Tr = Tr("report-print-receipt");
pub const RECEIPT_TITLE: Tr = Tr("report-receipt-title");
pub const RECEIPT_THANKS: Tr = Tr("report-receipt-thanks");
pub const REFERENCE: Tr = Tr("report-reference");
pub const PROBLEM: Tr = Tr("report-problem");
pub const RESTRICTED_TITLE: Tr = Tr("report-restricted-title");
pub const RAISED_AT_FORUM: Tr = Tr("report-raised-at-forum");
pub const WHAT_NEXT: Tr = Tr("report-what-next");
pub const NEXT_RAISED: Tr = Tr("report-next-raised");
pub const NEXT_ASSIGNED: Tr = Tr("report-next-assigned");
pub const NEXT_CLOSED: Tr = Tr("report-next-closed");
pub const HOW_TO_ASK: Tr = Tr("report-how-to-ask");
pub const HOW_TO_ASK_TEXT: Tr = Tr("report-how-to-ask-text");

/// An issue status in words (the stored codes of `IssueStatus`).
pub fn status(lang: Lang, code: &str) -> &'static str {
    match code {
        "raised" => Tr("report-status-raised"),
        "assigned" => Tr("report-status-assigned"),
        "addressed" => Tr("report-status-addressed"),
        "closed" => Tr("report-status-closed"),
        _ => Tr("report-status-other"),
    }
    .get(lang)
}

/// A closing outcome in words.
pub fn outcome(lang: Lang, code: &str) -> &'static str {
    match code {
        "resolved" => Tr("report-outcome-resolved"),
        "unresolved" => Tr("report-outcome-unresolved"),
        "referred" => Tr("report-outcome-referred"),
        "duplicate" => Tr("report-outcome-duplicate"),
        "withdrawn" => Tr("report-outcome-withdrawn"),
        _ => Tr("report-outcome-other"),
    }
    .get(lang)
}

/// A community verdict in words.
pub fn verdict(lang: Lang, code: &str) -> &'static str {
    match code {
        "confirmed" => Tr("report-verdict-confirmed"),
        "disputed" => Tr("report-verdict-disputed"),
        "not_asked" => Tr("report-verdict-not-asked"),
        _ => Tr("report-verdict-other"),
    }
    .get(lang)
}

const MONTHS: [Tr; 12] = [
    Tr("report-month-1"),
    Tr("report-month-2"),
    Tr("report-month-3"),
    Tr("report-month-4"),
    Tr("report-month-5"),
    Tr("report-month-6"),
    Tr("report-month-7"),
    Tr("report-month-8"),
    Tr("report-month-9"),
    Tr("report-month-10"),
    Tr("report-month-11"),
    Tr("report-month-12"),
];

/// A stored `YYYY-MM-DD` in words, the month in full: `7 ธันวาคม 2569` (Buddhist Era) in Thai, `7 December
/// 2026` in English, `7 Disember 2026` in Malay; the text itself if it does not parse.
pub fn date(lang: Lang, stored: &str) -> String {
    use chrono::Datelike;
    let Ok(d) = chrono::NaiveDate::parse_from_str(stored, "%Y-%m-%d") else { return stored.to_owned() };
    let year = if lang.buddhist_era() { d.year() + 543 } else { d.year() };
    format!("{} {} {year}", d.day(), MONTHS[d.month0() as usize].get(lang))
}

/// The footer's page number, with `{n}` and `{total}` left for the PDF writer to fill in on each page.
pub fn page_of(lang: Lang) -> String {
    PAGE_OF.with(lang, &[("n", FluentValue::from("{n}")), ("total", FluentValue::from("{total}"))])
}
