//! The web app's languages: Thai (the default), English, and Malay (Rumi) for what villagers read; every
//! visible string comes from the Fluent catalogues `http/locales/{th,en,ms}.ftl`, and dates are shown in
//! the Buddhist Era (Thai) or the Common Era (English, Malay), Asia/Bangkok time.
//!
//! The catalogues are built into the binary (`include_str!`) and parsed once, on first use, into
//! immutable bundles shared by every thread. A message is named by a [`Tr`] constant holding its id; a
//! test checks that every id the code names exists in th.ftl, that th and en have the same ids, and that
//! every Malay message exists in Thai (a message missing in Malay is shown in Thai).

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
/// A value for a message's variable (`Tr::with`).
pub use fluent_bundle::FluentValue;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use santisuk_domain::time::bangkok;

/// The language of a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Th,
    En,
    /// Malay in Rumi (Latin) script: only on what villagers read (the printed forum report, the
    /// complainant's receipt). Staff pages switch between Thai and English alone.
    Ms,
}

impl Lang {
    /// The language of a staff page (`th` or `en`; the switch and the cookie take no other).
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "th" => Some(Lang::Th),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of a page villagers read: Thai, English or Malay.
    pub fn parse_villager(code: &str) -> Option<Lang> {
        match code {
            "ms" => Some(Lang::Ms),
            other => Lang::parse(other),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
            Lang::Ms => "ms",
        }
    }

    /// The other language, offered by the switch (staff pages: Malay switches to Thai).
    pub fn other(self) -> Lang {
        match self {
            Lang::Th => Lang::En,
            Lang::En | Lang::Ms => Lang::Th,
        }
    }

    /// Picks the Thai or the English of a pair of data (names stored in both languages); Malay readers get
    /// the Thai, as the place names they know are the Thai ones.
    pub fn pick<'a>(self, th: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Th | Lang::Ms => th,
            Lang::En => en,
        }
    }

    /// Whether the page's years are Buddhist Era (Thai) or Common Era (English, Malay).
    pub fn buddhist_era(self) -> bool {
        self == Lang::Th
    }
}

/// One message of the catalogues, by its id (`Tr("nav-home")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr(pub &'static str);

impl Tr {
    /// The message in `lang` (Thai when Malay lacks it; the id itself if no catalogue has it, which the
    /// catalogue test rules out for every id in the code). A message with variables shows them unfilled:
    /// use [`Tr::with`] for those.
    pub fn get(self, lang: Lang) -> &'static str {
        let c = &*CATALOGUES;
        c.plain(lang).get(self.0).or_else(|| c.plain(Lang::Th).get(self.0)).map(String::as_str).unwrap_or(self.0)
    }

    /// The message in `lang` with its variables (`{ $name }`) filled in.
    pub fn with(self, lang: Lang, args: &[(&str, FluentValue<'_>)]) -> String {
        let c = &*CATALOGUES;
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            fargs.set(*k, v.clone());
        }
        for l in [lang, Lang::Th] {
            let bundle = c.bundle(l);
            if let Some(pattern) = bundle.get_message(self.0).and_then(|m| m.value()) {
                let mut errors = vec![];
                return bundle.format_pattern(pattern, Some(&fargs), &mut errors).into_owned();
            }
        }
        self.0.to_owned()
    }

    /// The message around one variable, for markup put in its place: `(before, after)`.
    pub fn split(self, lang: Lang, var: &str) -> (String, String) {
        const MARK: &str = "\u{1}";
        let text = self.with(lang, &[(var, FluentValue::from(MARK))]);
        match text.split_once(MARK) {
            Some((before, after)) => (before.to_owned(), after.to_owned()),
            None => (text, String::new()),
        }
    }
}

/// The catalogues' source, built into the binary.
pub const CATALOGUE_SOURCES: [(Lang, &str); 3] = [
    (Lang::Th, include_str!("../../locales/th.ftl")),
    (Lang::En, include_str!("../../locales/en.ftl")),
    (Lang::Ms, include_str!("../../locales/ms.ftl")),
];

/// The parsed catalogues: a bundle per language (for messages with variables) and every message
/// formatted once without variables (what [`Tr::get`] lends out for the life of the program).
struct Catalogues {
    bundles: [FluentBundle<FluentResource>; 3],
    plain: [HashMap<String, String>; 3],
}

impl Catalogues {
    fn index(lang: Lang) -> usize {
        match lang {
            Lang::Th => 0,
            Lang::En => 1,
            Lang::Ms => 2,
        }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        &self.bundles[Self::index(lang)]
    }

    fn plain(&self, lang: Lang) -> &HashMap<String, String> {
        &self.plain[Self::index(lang)]
    }
}

/// Parses one catalogue into a bundle; the errors of the syntax as text (the test fails on any).
pub fn parse_catalogue(lang: Lang, source: &str) -> Result<FluentBundle<FluentResource>, Vec<String>> {
    let resource = FluentResource::try_new(source.to_owned())
        .map_err(|(_, errors)| errors.iter().map(|e| format!("{}.ftl: {e:?}", lang.code())).collect::<Vec<_>>())?;
    let locale = lang.code().parse().map_err(|e| vec![format!("{e:?}")])?;
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // No Unicode isolation marks around variables: pages are plain left-to-right text.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| errors.iter().map(|e| format!("{}.ftl: {e:?}", lang.code())).collect::<Vec<_>>())?;
    Ok(bundle)
}

/// The ids of a catalogue's messages, in order.
pub fn catalogue_ids(source: &str) -> Vec<String> {
    let resource = match FluentResource::try_new(source.to_owned()) {
        Ok(r) | Err((r, _)) => r,
    };
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// Immutable once built: parsed on first use from the constant sources above.
static CATALOGUES: LazyLock<Catalogues> = LazyLock::new(|| {
    let bundles = CATALOGUE_SOURCES.map(|(lang, source)| match parse_catalogue(lang, source) {
        Ok(b) => b,
        // The catalogue test fails first on any syntax error; a release build never gets here.
        Err(errors) => panic!("the {} catalogue does not parse: {errors:?}", lang.code()),
    });
    let plain = [0, 1, 2].map(|i| {
        let (_, source) = CATALOGUE_SOURCES[i];
        let bundle = &bundles[i];
        catalogue_ids(source)
            .into_iter()
            .filter_map(|id| {
                let pattern = bundle.get_message(&id)?.value()?;
                let mut errors = vec![];
                let text = bundle.format_pattern(pattern, None, &mut errors).into_owned();
                Some((id, text))
            })
            .collect()
    });
    Catalogues { bundles, plain }
});

// --- chrome --------------------------------------------------------------------------------------------
pub const APP: Tr = Tr("app");
pub const APP_TAGLINE: Tr = Tr("app-tagline");
pub const NAV_HOME: Tr = Tr("nav-home");
pub const NAV_QUEUE: Tr = Tr("nav-queue");
pub const NAV_FORUM: Tr = Tr("nav-forum");
pub const NAV_DASHBOARD: Tr = Tr("nav-dashboard");
pub const NAV_PROGRESS: Tr = Tr("nav-progress");
// Spreading marks on the areas page (#16).
pub const REACHED_FROM: Tr = Tr("reached-from");
pub const TARGET_AREA: Tr = Tr("target-area");
pub const REACH_NEW: Tr = Tr("reach-new");
pub const REACH_AREA: Tr = Tr("reach-area");
pub const REACH_ON: Tr = Tr("reach-on");
pub const REACH_SAVE: Tr = Tr("reach-save");
pub const REACH_SAVED: Tr = Tr("reach-saved");
pub const NAV_AUDIT: Tr = Tr("nav-audit");
pub const SIGN_OUT: Tr = Tr("sign-out");
pub const SIGN_OUT_ASK: Tr = Tr("sign-out-ask");
pub const SWITCH_LANG: Tr = Tr("switch-lang");
pub const GEO_CREDIT: Tr = Tr("geo-credit");
pub const SKIP_TO_CONTENT: Tr = Tr("skip-to-content");
pub const DEMO_BANNER: Tr = Tr("demo-banner");

// --- sign-in -------------------------------------------------------------------------------------------
pub const SIGN_IN: Tr = Tr("sign-in");
pub const USER_NAME: Tr = Tr("user-name");
pub const PASSWORD: Tr = Tr("password");
pub const WRONG_PASSWORD: Tr = Tr("wrong-password");
pub const THROTTLED: Tr = Tr("throttled");
pub const SIGNED_OUT: Tr = Tr("signed-out");
pub const SESSION_EXPIRED: Tr = Tr("session-expired");

// --- issues --------------------------------------------------------------------------------------------
pub const AREA: Tr = Tr("area");
pub const CATEGORY: Tr = Tr("category");
pub const STATUS: Tr = Tr("status");
pub const ASSIGNEE: Tr = Tr("assignee");
pub const DUE_ON: Tr = Tr("due-on");
pub const RAISED_ON: Tr = Tr("raised-on");
pub const RAISED_BY: Tr = Tr("raised-by");
pub const TITLE: Tr = Tr("title");
pub const DESCRIPTION: Tr = Tr("description");
pub const PROVINCE: Tr = Tr("province");
pub const DISTRICT: Tr = Tr("district");
pub const OVERDUE: Tr = Tr("overdue");
pub const OVERDUE_ONLY: Tr = Tr("overdue-only");
pub const ALL: Tr = Tr("all");
pub const SORT: Tr = Tr("sort");
pub const SORT_NEWEST: Tr = Tr("sort-newest");
pub const SORT_OLDEST: Tr = Tr("sort-oldest");
pub const SORT_DUE: Tr = Tr("sort-due");
pub const SORT_CHANGED: Tr = Tr("sort-changed");
pub const FILTER: Tr = Tr("filter");
pub const SEARCH: Tr = Tr("search");
pub const SEARCH_HINT: Tr = Tr("search-hint");
pub const CASE_NUMBER: Tr = Tr("case-number");
pub const CLEAR: Tr = Tr("clear");
pub const FOUND: Tr = Tr("found");
pub const ISSUES_UNIT: Tr = Tr("issues-unit");
pub const PAGE: Tr = Tr("page");
pub const PREVIOUS: Tr = Tr("previous");
pub const NEXT: Tr = Tr("next");
pub const NO_ISSUES: Tr = Tr("no-issues");
pub const FORUM: Tr = Tr("forum");
pub const TIMELINE: Tr = Tr("timeline");
pub const NOTE: Tr = Tr("note");
pub const RECORDED: Tr = Tr("recorded");
pub const BY: Tr = Tr("by");

pub const ACT_ASSIGN: Tr = Tr("act-assign");
pub const ACT_ADDRESS: Tr = Tr("act-address");
pub const ACT_CLOSE: Tr = Tr("act-close");
pub const ACT_REOPEN: Tr = Tr("act-reopen");
pub const ACTION_TAKEN: Tr = Tr("action-taken");
pub const OUTCOME: Tr = Tr("outcome");
pub const REASON: Tr = Tr("reason");
pub const LEGAL_BASIS: Tr = Tr("legal-basis");
pub const KEYS_DESTROYED: Tr = Tr("keys-destroyed");

// --- personal data (issue #15): the complainant, erased and sealed text, erasure -------------------------
pub const COMPLAINANT: Tr = Tr("complainant");
pub const KIND_ANONYMOUS: Tr = Tr("kind-anonymous");
pub const KIND_PERSON: Tr = Tr("kind-person");
pub const KIND_GROUP: Tr = Tr("kind-group");
pub const RAISED_BY_GROUP: Tr = Tr("raised-by-group");
pub const PERSON_DETAILS: Tr = Tr("person-details");
pub const PERSON_DETAILS_HINT: Tr = Tr("person-details-hint");
pub const PERSON_NAME: Tr = Tr("person-name");
pub const PHONE: Tr = Tr("phone");
pub const ADDRESS: Tr = Tr("address");
pub const NATIONAL_ID: Tr = Tr("national-id");
pub const CONTACT_NOTES: Tr = Tr("contact-notes");
pub const TITLE_NO_NAMES: Tr = Tr("title-no-names");
pub const ERASED_TEXT: Tr = Tr("erased-text");
pub const SEALED_TEXT: Tr = Tr("sealed-text");
pub const PERSON_ERASED: Tr = Tr("person-erased");
pub const ERASED_ON: Tr = Tr("erased-on");
pub const ERASE: Tr = Tr("erase");
pub const ERASE_HINT: Tr = Tr("erase-hint");
pub const ERASE_ISSUE: Tr = Tr("erase-issue");
pub const ERASE_ISSUE_WHAT: Tr = Tr("erase-issue-what");
pub const ERASE_ISSUE_BUTTON: Tr = Tr("erase-issue-button");
pub const ERASE_PERSON: Tr = Tr("erase-person");
pub const ERASE_PERSON_WHAT: Tr = Tr("erase-person-what");
pub const ERASE_PERSON_BUTTON: Tr = Tr("erase-person-button");
pub const ERASE_KEEPS: Tr = Tr("erase-keeps");
pub const LEGAL_BASIS_HINT: Tr = Tr("legal-basis-hint");
pub const ERASE_DONE: Tr = Tr("erase-done");
pub const ERASE_DONE_PERSON: Tr = Tr("erase-done-person");
pub const ERASED_ISSUES: Tr = Tr("erased-issues");
pub const BACK_TO_ISSUE: Tr = Tr("back-to-issue");
pub const UNSEALED_LEFT: Tr = Tr("unsealed-left");
pub const DONE_SAVED: Tr = Tr("done-saved");
pub const STALE: Tr = Tr("stale");
pub const READ_ONLY: Tr = Tr("read-only");
pub const FIX_ERRORS: Tr = Tr("fix-errors");

// --- forum ---------------------------------------------------------------------------------------------
pub const FORUM_NEW: Tr = Tr("forum-new");
pub const FORUM_HELD_ON: Tr = Tr("forum-held-on");
pub const FORUM_TITLE: Tr = Tr("forum-title");
pub const FACILITATOR: Tr = Tr("facilitator");
pub const PARTICIPANTS: Tr = Tr("participants");
pub const PROBLEMS: Tr = Tr("problems");
pub const PROBLEM_N: Tr = Tr("problem-n");
pub const ADD_ROW: Tr = Tr("add-row");
pub const SAVE_FORUM: Tr = Tr("save-forum");
pub const CHOOSE: Tr = Tr("choose");
pub const EMPTY_ROWS_IGNORED: Tr = Tr("empty-rows-ignored");
pub const FORUM_SAVED: Tr = Tr("forum-saved");
pub const OPTIONAL: Tr = Tr("optional");
pub const DATE_PLACEHOLDER: Tr = Tr("date-placeholder");
pub const DATE_HINT: Tr = Tr("date-hint");
pub const PICK_DATE: Tr = Tr("pick-date");
pub const WHEN: Tr = Tr("when");
pub const WHEN_HINT: Tr = Tr("when-hint");
pub const WHEN_DATE: Tr = Tr("when-date");
pub const WHEN_TIME: Tr = Tr("when-time");

// --- home ----------------------------------------------------------------------------------------------
pub const HOME_TITLE: Tr = Tr("home-title");
pub const HOME_INTRO: Tr = Tr("home-intro");
pub const HOME_OVERDUE: Tr = Tr("home-overdue");
pub const HOME_DUE_SOON: Tr = Tr("home-due-soon");
pub const HOME_UNASSIGNED: Tr = Tr("home-unassigned");
pub const HOME_NOTHING: Tr = Tr("home-nothing");
pub const SEE_ALL: Tr = Tr("see-all");
pub const FORUM_HELD_AT: Tr = Tr("forum-held-at");
pub const FORUM_HELD_AT_HINT: Tr = Tr("forum-held-at-hint");
pub const ACT_CORRECT: Tr = Tr("act-correct");
pub const CORRECT_HINT: Tr = Tr("correct-hint");
pub const BEFORE: Tr = Tr("before");
pub const AFTER: Tr = Tr("after");
pub const NONE: Tr = Tr("none");

// --- dashboard -----------------------------------------------------------------------------------------
pub const FISCAL_YEAR: Tr = Tr("fiscal-year");
pub const PERIOD: Tr = Tr("period");
pub const LAST_12_MONTHS: Tr = Tr("last-12-months");
pub const BY_AREA: Tr = Tr("by-area");
pub const BY_CATEGORY: Tr = Tr("by-category");
pub const TREND: Tr = Tr("trend");
pub const RAISED: Tr = Tr("raised");
pub const RESOLVED: Tr = Tr("resolved");
pub const OPEN: Tr = Tr("open");
pub const RESOLUTION_RATE: Tr = Tr("resolution-rate");
pub const MEDIAN_DAYS: Tr = Tr("median-days");
pub const SMALL_SAMPLE: Tr = Tr("small-sample");
pub const NO_DATA: Tr = Tr("no-data");

// --- restricted cases (#15) ---------------------------------------------------------------------------
pub const RESTRICTED: Tr = Tr("restricted");
pub const RESTRICTED_CHECKBOX: Tr = Tr("restricted-checkbox");
pub const RESTRICTED_BY_CATEGORY: Tr = Tr("restricted-by-category");
pub const ACT_RESTRICT: Tr = Tr("act-restrict");
pub const ACT_UNRESTRICT: Tr = Tr("act-unrestrict");
pub const RESTRICT_HINT: Tr = Tr("restrict-hint");
pub const GRANTED_CATEGORIES: Tr = Tr("granted-categories");
pub const GRANTED_CATEGORIES_HINT: Tr = Tr("granted-categories-hint");
pub const SAVE_GRANTS: Tr = Tr("save-grants");
pub const RESTRICT_CATEGORY: Tr = Tr("restrict-category");
pub const UNRESTRICT_CATEGORY: Tr = Tr("unrestrict-category");
pub const NOT_RESTRICTED: Tr = Tr("not-restricted");
pub const YES: Tr = Tr("yes");
pub const NO: Tr = Tr("no");

/// The dashboard's and the API's word on small-cell suppression, for a reader who may not read every
/// restricted case.
pub fn suppression_note(lang: Lang, threshold: i64) -> String {
    Tr("suppression-note").with(lang, &[("threshold", FluentValue::from(threshold.to_string()))])
}

// --- audit ---------------------------------------------------------------------------------------------
pub const EVENT_LOG: Tr = Tr("event-log");
pub const POSITION: Tr = Tr("position");
pub const AGGREGATE: Tr = Tr("aggregate");
pub const DATA: Tr = Tr("data");

/// The Thai / English name of an issue status (stored code → words people use).
pub fn status(lang: Lang, code: &str) -> &'static str {
    match code {
        "raised" => Tr("status-raised").get(lang),
        "assigned" => Tr("status-assigned").get(lang),
        // An action recorded, the problem not yet closed: still being worked on ("done" misled readers).
        "addressed" => Tr("status-addressed").get(lang),
        "closed" => Tr("status-closed").get(lang),
        _ => Tr("status-unknown-status").get(lang),
    }
}

/// The name of a closing outcome.
pub fn outcome(lang: Lang, code: &str) -> &'static str {
    match code {
        "resolved" => Tr("outcome-resolved").get(lang),
        "unresolved" => Tr("outcome-unresolved").get(lang),
        "referred" => Tr("outcome-referred").get(lang),
        "duplicate" => Tr("outcome-duplicate").get(lang),
        "withdrawn" => Tr("outcome-withdrawn").get(lang),
        _ => Tr("outcome-unknown-outcome").get(lang),
    }
}

/// A checked-value or rule error, as a sentence for the field it concerns. Codes come from the domain
/// (`ValueError::code`, rule errors) and the application layer; an unknown code falls back to the English
/// message it came with.
pub fn error_message(lang: Lang, code: &str, fallback: &str) -> String {
    let tr = match code {
        // Uploads (issue #17 §4).
        "file_too_large" => Tr("error-message-file-too-large"),
        "unsupported_file_type" => Tr("error-message-unsupported-file-type"),
        "unreadable_file" => Tr("error-message-unreadable-file"),
        "empty_file" => Tr("error-message-empty-file"),
        "missing_file" => Tr("error-message-missing-file"),
        "unknown_action" | "bad_action" => Tr("error-message-unknown-action"),
        "attachment_erased" => Tr("error-message-attachment-erased"),
        "attachment_not_found" | "no_thumbnail" => Tr("error-message-attachment-not-found"),
        "empty_value" | "required" => Tr("error-message-empty-value"),
        "value_too_long" => Tr("error-message-value-too-long"),
        "control_characters" => Tr("error-message-control-characters"),
        "bad_date" => Tr("error-message-bad-date"),
        "bad_participants" | "too_many_participants" => Tr("error-message-bad-participants"),
        "held_on_in_future" => Tr("error-message-held-on-in-future"),
        "unknown_area" | "bad_area_id" => Tr("error-message-unknown-area"),
        "unknown_category" | "bad_category_code" => Tr("error-message-unknown-category"),
        "unknown_outcome" => Tr("error-message-unknown-outcome"),
        "due_before_assignment" => Tr("error-message-due-before-assignment"),
        "resolved_without_action" => Tr("error-message-resolved-without-action"),
        "issue_closed" => Tr("error-message-issue-closed"),
        "issue_not_assigned" => Tr("error-message-issue-not-assigned"),
        "issue_not_closed" => Tr("error-message-issue-not-closed"),
        "stale_version" | "concurrent_change" => STALE,
        "at_in_future" => Tr("error-message-at-in-future"),
        "at_before_raise" => Tr("error-message-at-before-raise"),
        "bad_clock" => Tr("error-message-bad-clock"),
        "nothing_to_correct" => Tr("error-message-nothing-to-correct"),
        "forbidden" => Tr("error-message-forbidden"),
        "restriction_unchanged" => Tr("error-message-restriction-unchanged"),
        "grant_for_other_role" => Tr("error-message-grant-for-other-role"),
        "password_too_short" => Tr("error-message-password-too-short"),
        "bad_phone" => Tr("error-message-bad-phone"),
        "bad_national_id" => Tr("error-message-bad-national-id"),
        "complainant_mismatch" => Tr("error-message-complainant-mismatch"),
        "already_erased" => Tr("error-message-already-erased"),
        "unknown_subject" => Tr("error-message-unknown-subject"),
        "not_a_coordinator" => Tr("error-message-not-a-coordinator"),
        "category_kind_mismatch" => Tr("error-message-category-kind-mismatch"),
        "obstacle_worked_by_staff" => Tr("error-message-obstacle-worked-by-staff"),
        "unknown_agency" => Tr("error-message-unknown-agency"),
        "unknown_routing_rule" => Tr("error-message-unknown-routing-rule"),
        "routing_rule_mismatch" => Tr("error-message-routing-rule-mismatch"),
        "rule_without_agency" => Tr("error-message-rule-without-agency"),
        "no_assignee" => Tr("error-message-no-assignee"),
        "no_agency" => Tr("error-message-no-agency"),
        "waiting_unchanged" => Tr("error-message-waiting-unchanged"),
        "unknown_party" => Tr("error-message-unknown-party"),
        "unknown_agency_level" => Tr("error-message-unknown-agency-level"),
        "no_districts" => Tr("error-message-no-districts"),
        "unknown_amphoe" => Tr("error-message-unknown-amphoe"),
        "duplicate_agency" => Tr("error-message-duplicate-agency"),
        "agency_unchanged" => Tr("error-message-agency-unchanged"),
        "routing_rule_unchanged" => Tr("error-message-routing-rule-unchanged"),
        _ => return fallback.to_owned(),
    };
    tr.get(lang).to_owned()
}

/// The months' short names, January first.
const MONTHS: [Tr; 12] = [
    Tr("month-jan"),
    Tr("month-feb"),
    Tr("month-mar"),
    Tr("month-apr"),
    Tr("month-may"),
    Tr("month-jun"),
    Tr("month-jul"),
    Tr("month-aug"),
    Tr("month-sep"),
    Tr("month-oct"),
    Tr("month-nov"),
    Tr("month-dec"),
];

/// A month's short name.
pub fn month(lang: Lang, month0: u32) -> &'static str {
    MONTHS[(month0 as usize).min(11)].get(lang)
}

/// The year as the page counts it: Buddhist Era in Thai, Common Era otherwise.
fn year(lang: Lang, d: NaiveDate) -> i32 {
    if lang.buddhist_era() { d.year() + 543 } else { d.year() }
}

/// `พ.ย. 2569` in Thai, `Nov 2026` in English.
pub fn month_year(lang: Lang, d: NaiveDate) -> String {
    format!("{} {}", month(lang, d.month0()), year(lang, d))
}

/// `25 พ.ย. 2569` (Buddhist Era) in Thai, `25 Nov 2026` in English.
pub fn date(lang: Lang, d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month(lang, d.month0()), year(lang, d))
}

/// `28/11/2569` (Thai, Buddhist Era) or `28/11/2026` (English): a date as the date fields take it.
pub fn date_numeric(lang: Lang, d: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month(), year(lang, d))
}

/// What a typed date was read as, shown beside the date field: the date in words and the era the year was
/// taken to be in.
pub fn understood(lang: Lang, d: NaiveDate, era: santisuk_app::parse::Era) -> String {
    use santisuk_app::parse::Era;
    let words = date(lang, d);
    let args = [
        ("words", FluentValue::from(words)),
        ("buddhist", FluentValue::from((d.year() + 543).to_string())),
        ("common", FluentValue::from(d.year().to_string())),
    ];
    let tr = match era {
        Era::Buddhist => Tr("understood-buddhist"),
        Era::Common => Tr("understood-common"),
    };
    format!("= {}", tr.with(lang, &args))
}

/// `25 พ.ย. 2569 14:05`: an instant in Asia/Bangkok time.
pub fn date_time(lang: Lang, at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&bangkok());
    format!("{} {:02}:{:02}", date(lang, local.date_naive()), local.hour(), local.minute())
}

/// [`date_time`] of a stored RFC 3339 timestamp; the text itself if it does not parse.
pub fn stored_time(lang: Lang, text: &str) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => date_time(lang, t.with_timezone(&Utc)),
        Err(_) => text.to_owned(),
    }
}

/// [`date`] of a stored `YYYY-MM-DD`; the text itself if it does not parse.
pub fn stored_date(lang: Lang, text: &str) -> String {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => date(lang, d),
        Err(_) => text.to_owned(),
    }
}

// --- dashboard drill-down and the queue on a phone (#13) ---
pub const FILTERS: Tr = Tr("filters");
pub const RAISED_FROM: Tr = Tr("raised-from");
pub const RAISED_TO: Tr = Tr("raised-to");
pub const OPEN_ONLY: Tr = Tr("open-only");
pub const DASH_SORT_NAME: Tr = Tr("dash-sort-name");
pub const DASH_SORT_RATE: Tr = Tr("dash-sort-rate");
pub const DASH_SORT_OPEN: Tr = Tr("dash-sort-open");
pub const DASH_SORT_OVERDUE: Tr = Tr("dash-sort-overdue");
pub const DASH_CUSTOM_RANGE: Tr = Tr("dash-custom-range");
pub const DASH_RANGE_HINT: Tr = Tr("dash-range-hint");
pub const DASH_RATE_DEF: Tr = Tr("dash-rate-def");
pub const DASH_DOWNLOAD: Tr = Tr("dash-download");
pub const DASH_PRINT: Tr = Tr("dash-print");
pub const DASH_MONTH: Tr = Tr("dash-month");
pub const CLOSED_FROM: Tr = Tr("closed-from");
pub const CLOSED_TO: Tr = Tr("closed-to");
pub const DASH_CLOSED_IN: Tr = Tr("dash-closed-in");
pub const DASH_CLOSED_IN_DEF: Tr = Tr("dash-closed-in-def");
// --- audit log (issue #13) ------------------------------------------------------------------------------
pub const AUDIT_FILTERS: Tr = Tr("audit-filters");
pub const AUDIT_ISSUE: Tr = Tr("audit-issue");
pub const AUDIT_ACTOR: Tr = Tr("audit-actor");
pub const AUDIT_ACTOR_HINT: Tr = Tr("audit-actor-hint");
pub const AUDIT_TYPE: Tr = Tr("audit-type");
pub const AUDIT_FROM: Tr = Tr("audit-from");
pub const AUDIT_TO: Tr = Tr("audit-to");
pub const AUDIT_ORDER: Tr = Tr("audit-order");
pub const AUDIT_NEWEST: Tr = Tr("audit-newest");
pub const AUDIT_OLDEST: Tr = Tr("audit-oldest");
pub const AUDIT_JUMP_POSITION: Tr = Tr("audit-jump-position");
pub const AUDIT_JUMP_DATE: Tr = Tr("audit-jump-date");
pub const AUDIT_GO: Tr = Tr("audit-go");
pub const AUDIT_DOWNLOAD: Tr = Tr("audit-download");
pub const AUDIT_CSV: Tr = Tr("audit-csv");
pub const AUDIT_NDJSON: Tr = Tr("audit-ndjson");
pub const AUDIT_HAPPENED: Tr = Tr("audit-happened");
pub const AUDIT_BY: Tr = Tr("audit-actor");
pub const AUDIT_NONE: Tr = Tr("audit-none");
pub const AUDIT_FIRST_PAGE: Tr = Tr("audit-first-page");
pub const AUDIT_NO_VALUE: Tr = Tr("audit-no-value");

/// An event type's name in words (the timeline and the event log); an unknown type is shown as stored.
pub fn event(lang: Lang, event_type: &str) -> String {
    let tr = match event_type {
        "IssueRaised" => Tr("event-issueraised"),
        "IssueAssigned" => Tr("event-issueassigned"),
        "IssueAddressed" => Tr("event-issueaddressed"),
        "IssueClosed" => Tr("event-issueclosed"),
        "IssueReopened" => Tr("event-issuereopened"),
        "IssueCorrected" => Tr("event-issuecorrected"),
        "PersonalDataErased" => Tr("event-personaldataerased"),
        "ForumHeld" => Tr("event-forumheld"),
        "AreaRegistered" => Tr("event-arearegistered"),
        "AreaReached" => Tr("event-areareached"),
        "CategoryAdded" => Tr("event-categoryadded"),
        "UserCreated" => Tr("event-usercreated"),
        "UserAreasChanged" => Tr("event-userareaschanged"),
        "TokenIssued" => Tr("event-tokenissued"),
        "PasswordSet" => Tr("event-passwordset"),
        "UserDeactivated" => Tr("event-userdeactivated"),
        "IssueRestrictionChanged" => Tr("event-issuerestrictionchanged"),
        "CategoryRestrictionChanged" => Tr("event-categoryrestrictionchanged"),
        "RestrictedCategoriesGranted" => Tr("event-restrictedcategoriesgranted"),
        "ForumParticipationRecorded" => Tr("event-forumparticipationrecorded"),
        "OrganisationRegistered" => Tr("event-organisationregistered"),
        "OrganisationApproved" => Tr("event-organisationapproved"),
        "OrganisationUpdated" => Tr("event-organisationupdated"),
        "IssueWaitingChanged" => Tr("event-issuewaitingchanged"),
        "AgencyRegistered" => Tr("event-agencyregistered"),
        "AgencyUpdated" => Tr("event-agencyupdated"),
        "RoutingRuleSet" => Tr("event-routingruleset"),
        "RoutingRuleRemoved" => Tr("event-routingruleremoved"),
        "IssueEscalated" => Tr("event-issueescalated"),
        "ServiceLevelSet" => Tr("event-servicelevelset"),
        // Issue #17 §3, §6.
        "IssueMarkedDuplicate" => Tr("event-issuemarkedduplicate"),
        "CommunityVerdictRecorded" => Tr("event-communityverdictrecorded"),
        "AttachmentAdded" => Tr("event-attachmentadded"),
        other => return other.to_owned(),
    };
    tr.get(lang).to_owned()
}

/// What kind of record an event belongs to (the aggregate type); an unknown one as stored.
pub fn audit_record(lang: Lang, aggregate_type: &str) -> String {
    let tr = match aggregate_type {
        "Issue" => Tr("audit-record-issue"),
        "Forum" => Tr("forum"),
        "Area" => Tr("area"),
        "Category" => Tr("category"),
        "User" => Tr("audit-record-user"),
        "Organisation" => Tr("audit-record-organisation"),
        "Agency" => Tr("agency"),
        "RoutingRule" => Tr("routing-rule"),
        other => return other.to_owned(),
    };
    tr.get(lang).to_owned()
}

/// The label of an event's field; an unknown field is shown by its name.
pub fn audit_field(lang: Lang, event_type: &str, field: &str) -> String {
    let tr = match (event_type, field) {
        ("ForumHeld", "title") => FORUM_TITLE,
        (_, "area_id") => AREA,
        (_, "category") => CATEGORY,
        (_, "title") => TITLE,
        (_, "description") => DESCRIPTION,
        (_, "forum_id") => FORUM,
        (_, "raised_by") => RAISED_BY,
        (_, "case_number") => CASE_NUMBER,
        (_, "assignee") => ASSIGNEE,
        (_, "due_on") => DUE_ON,
        (_, "note") => NOTE,
        (_, "action") => ACTION_TAKEN,
        (_, "outcome") => OUTCOME,
        (_, "reason") => REASON,
        (_, "held_on") => FORUM_HELD_ON,
        (_, "facilitator") => FACILITATOR,
        (_, "head_count" | "participants") => PARTICIPANTS,
        (_, "name_th") => Tr("name-th"),
        (_, "name_en") => Tr("name-en"),
        (_, "amphoe_code") => DISTRICT,
        (_, "province_code") => PROVINCE,
        (_, "tambon_code") => Tr("subdistrict"),
        (_, "name") => USER_NAME,
        (_, "role") => Tr("role"),
        (_, "areas") => Tr("audit-field-areas"),
        (_, "token_sha256") => Tr("audit-field-token-sha256"),
        (_, "restricted") => RESTRICTED,
        (_, "categories") => GRANTED_CATEGORIES,
        (_, "complainant") => Tr("audit-field-complainant"),
        (_, "kind") => Tr("audit-field-kind"),
        (_, "area_ids") => Tr("audit-field-area-ids"),
        (_, "proposed") => Tr("audit-field-proposed"),
        (_, "participation") => Tr("audit-field-participation"),
        (_, "subject") => Tr("audit-field-subject"),
        (_, "legal_basis") => LEGAL_BASIS,
        (_, "keys") => KEYS_DESTROYED,
        (_, "agency") => AGENCY,
        (_, "rule") => ROUTING_RULE,
        (_, "waiting_for") => WAITING_FOR,
        (_, "level") => AGENCY_LEVEL,
        (_, "districts") => AGENCY_DISTRICTS,
        (_, "district") => DISTRICT,
        (_, "contact") => AGENCY_CONTACT,
        (_, "of") => Tr("audit-field-of"),
        (_, "verdict") => Tr("audit-field-verdict"),
        (_, other) => return other.to_owned(),
    };
    tr.get(lang).to_owned()
}

// --- administration (users, areas, categories) and error pages ----------------------------------------
pub const NAV_ADMIN: Tr = Tr("nav-admin");
pub const ADMIN_USERS: Tr = Tr("admin-users");
pub const ADMIN_AREAS: Tr = Tr("admin-areas");
pub const ADMIN_CATEGORIES: Tr = Tr("admin-categories");
pub const ROLE: Tr = Tr("role");
pub const ACTIVE: Tr = Tr("active");
pub const ACTIVE_YES: Tr = Tr("active-yes");
pub const ACTIVE_NO: Tr = Tr("active-no");
pub const EVERY_AREA: Tr = Tr("every-area");
pub const AREAS_HINT: Tr = Tr("areas-hint");
pub const USER_NEW: Tr = Tr("user-new");
pub const USER_CREATE: Tr = Tr("user-create");
pub const USER_NAME_HINT: Tr = Tr("user-name-hint");
pub const INITIAL_PASSWORD: Tr = Tr("initial-password");
pub const INITIAL_PASSWORD_HINT: Tr = Tr("initial-password-hint");
pub const USER_CREATED: Tr = Tr("user-created");
pub const MANAGE_USER: Tr = Tr("manage-user");
pub const API_TOKEN: Tr = Tr("api-token");
pub const TOKEN_COPY_NOW: Tr = Tr("token-copy-now");
pub const TOKEN_ALREADY_SHOWN: Tr = Tr("token-already-shown");
pub const SET_AREAS: Tr = Tr("set-areas");
pub const SAVE: Tr = Tr("save");
pub const AREAS_SAVED: Tr = Tr("areas-saved");
pub const ROLE_SEES_EVERY_AREA: Tr = Tr("role-sees-every-area");
pub const RESET_PASSWORD: Tr = Tr("reset-password");
pub const NEW_PASSWORD: Tr = Tr("new-password");
pub const PASSWORD_RULE: Tr = Tr("password-rule");
pub const PASSWORD_ENDS_SESSIONS: Tr = Tr("password-ends-sessions");
pub const PASSWORD_SAVED: Tr = Tr("password-saved");
pub const ROTATE_TOKEN: Tr = Tr("rotate-token");
pub const ROTATE_TOKEN_HINT: Tr = Tr("rotate-token-hint");
pub const TOKEN_ROTATED: Tr = Tr("token-rotated");
pub const DEACTIVATE: Tr = Tr("deactivate");
pub const DEACTIVATE_ASK: Tr = Tr("deactivate");
pub const DEACTIVATE_HINT: Tr = Tr("deactivate-hint");
pub const DEACTIVATE_CONFIRM: Tr = Tr("deactivate-confirm");
pub const CANCEL: Tr = Tr("cancel");
pub const USER_DEACTIVATED: Tr = Tr("user-deactivated");
pub const USER_IS_DEACTIVATED: Tr = Tr("user-is-deactivated");
pub const AREA_CODE: Tr = Tr("area-code");
pub const AREA_CODE_HINT: Tr = Tr("area-code-hint");
pub const NAME_TH: Tr = Tr("name-th");
pub const NAME_EN: Tr = Tr("name-en");
pub const SUBDISTRICT: Tr = Tr("subdistrict");
pub const SUBDISTRICT_HINT: Tr = Tr("subdistrict-hint");
pub const AREA_NEW: Tr = Tr("area-new");
pub const AREA_REGISTER: Tr = Tr("area-register");
pub const AREA_SAVED: Tr = Tr("area-saved");
pub const CATEGORY_CODE: Tr = Tr("category-code");
pub const CATEGORY_CODE_HINT: Tr = Tr("category-code-hint");
pub const CATEGORY_NEW: Tr = Tr("category-new");
pub const CATEGORY_ADD: Tr = Tr("category-add");
pub const CATEGORY_SAVED: Tr = Tr("category-saved");
pub const HOME: Tr = Tr("home");

/// The heading of an error page by its status.
pub fn error_heading(status: axum::http::StatusCode) -> Tr {
    use axum::http::StatusCode as S;
    match status {
        S::NOT_FOUND => Tr("error-heading-not-found"),
        S::FORBIDDEN => Tr("error-heading-not-allowed"),
        S::BAD_REQUEST | S::UNPROCESSABLE_ENTITY => Tr("error-heading-the-request-is-not-valid"),
        S::PAYLOAD_TOO_LARGE => Tr("error-heading-what-was-sent-is-too"),
        S::CONFLICT => Tr("error-heading-the-state-has-changed"),
        S::SERVICE_UNAVAILABLE | S::TOO_MANY_REQUESTS => Tr("error-heading-busy-right-now-please-try"),
        _ => Tr("error-heading-something-went-wrong-on-our"),
    }
}

/// [`error_message`], and the codes of administration and of error pages (an unknown code gives
/// `fallback`: an error page in Thai passes "" rather than the English message).
pub fn admin_error(lang: Lang, code: &str, fallback: &str) -> String {
    let tr = match code {
        "bad_user_name" => Tr("admin-error-bad-user-name"),
        "user_exists" => Tr("admin-error-user-exists"),
        "unknown_role" => Tr("admin-error-unknown-role"),
        "coordinator_without_area" => Tr("admin-error-coordinator-without-area"),
        "areas_for_other_role" => Tr("admin-error-areas-for-other-role"),
        "unknown_area" => Tr("admin-error-unknown-area"),
        "password_too_long" => Tr("admin-error-password-too-long"),
        "password_control_characters" => Tr("admin-error-password-control-characters"),
        "last_admin" => Tr("admin-error-last-admin"),
        "user_deactivated" => Tr("admin-error-user-deactivated"),
        "user_not_found" => Tr("admin-error-user-not-found"),
        "idempotency_key_reused" => Tr("admin-error-idempotency-key-reused"),
        "bad_area_id" => Tr("admin-error-bad-area-id"),
        "area_exists" => Tr("admin-error-area-exists"),
        "reached_from_itself" => Tr("admin-error-reached-from-itself"),
        "reach_cycle" => Tr("admin-error-reach-cycle"),
        "reached_in_future" => Tr("admin-error-reached-in-future"),
        "area_not_found" => Tr("admin-error-unknown-area"),
        "unknown_amphoe" => Tr("admin-error-unknown-amphoe"),
        "unknown_tambon" => Tr("admin-error-unknown-tambon"),
        "bad_category_code" => Tr("admin-error-bad-category-code"),
        "category_exists" => Tr("admin-error-category-exists"),
        _ => return error_message(lang, code, fallback),
    };
    tr.get(lang).to_owned()
}

// --- coordinators' obstacles (issue #16) ----------------------------------------------------------------

pub const NAV_OBSTACLES: Tr = Tr("nav-obstacles");
pub const OBSTACLES: Tr = Tr("obstacles");
pub const OBSTACLE_LABEL: Tr = Tr("obstacle-label");
pub const OBSTACLES_INTRO: Tr = Tr("obstacles-intro");
pub const OBSTACLES_OWN: Tr = Tr("obstacles-own");
pub const OBSTACLE_NEW: Tr = Tr("obstacle-new");
pub const OBSTACLE_CATEGORY: Tr = Tr("obstacle-category");
pub const OBSTACLE_RAISE: Tr = Tr("obstacle-raise");
pub const NO_OBSTACLES: Tr = Tr("no-obstacles");
pub const OBSTACLE_RAISED_BY: Tr = Tr("obstacle-raised-by");
pub const ALL_OBSTACLES: Tr = Tr("all");
pub const AS_OF_DAY: Tr = Tr("as-of-day");
pub const SHOW: Tr = Tr("show");
pub const OBSTACLE_HINT: Tr = Tr("obstacle-hint");

// --- agencies and referral (issue #17 §1) ---------------------------------------------------------------
pub const AGENCY: Tr = Tr("agency");
pub const AGENCIES: Tr = Tr("agencies");
pub const AGENCY_LEVEL: Tr = Tr("agency-level");
pub const AGENCY_DISTRICTS: Tr = Tr("agency-districts");
pub const AGENCY_ALL_DISTRICTS: Tr = Tr("agency-all-districts");
pub const AGENCY_CONTACT: Tr = Tr("agency-contact");
pub const AGENCY_NEW: Tr = Tr("agency-new");
pub const AGENCY_EDIT: Tr = Tr("agency-edit");
pub const ASSIGNEE_OR_AGENCY: Tr = Tr("assignee-or-agency");
pub const AGENCY_NONE: Tr = Tr("agency-none");
pub const AGENCY_DISTRICTS_HINT: Tr = Tr("agency-districts-hint");
pub const ROUTING_RULE: Tr = Tr("routing-rule");
pub const ROUTING_RULES: Tr = Tr("routing-rules");
pub const ROUTING_SET: Tr = Tr("routing-set");
pub const ROUTING_REMOVE: Tr = Tr("routing-remove");
pub const ROUTING_NONE: Tr = Tr("routing-none");
pub const SUGGESTED_AGENCY: Tr = Tr("suggested-agency");
pub const SUGGESTED_NONE: Tr = Tr("suggested-none");
pub const WAITING_FOR: Tr = Tr("waiting-for");
pub const WAITING_SET: Tr = Tr("waiting-set");
pub const WAITING_NOBODY: Tr = Tr("waiting-nobody");
pub const CUSTODY_TITLE: Tr = Tr("custody-title");
pub const CUSTODY_HINT: Tr = Tr("custody-hint");
pub const CUSTODY_PROBLEMS: Tr = Tr("custody-problems");
pub const CUSTODY_MEAN: Tr = Tr("custody-mean");
pub const CUSTODY_DAYS: Tr = Tr("custody-days");
pub const CUSTODY_WAITING_NOW: Tr = Tr("custody-waiting-now");
pub const CUSTODY_BY_AGENCY: Tr = Tr("custody-by-agency");
pub const CUSTODY_BY_CATEGORY: Tr = Tr("custody-by-category");

/// The name of a party a problem waits for.
pub fn party(lang: Lang, code: &str) -> &'static str {
    match code {
        "sbpac" => Tr("party-sbpac").get(lang),
        "agency" => Tr("party-agency").get(lang),
        "community" => Tr("party-community").get(lang),
        _ => Tr("party-unknown").get(lang),
    }
}

/// The name of an agency level.
pub fn agency_level(lang: Lang, code: &str) -> &'static str {
    match code {
        "tambon" => Tr("subdistrict").get(lang),
        "amphoe" => Tr("district").get(lang),
        "province" => Tr("province").get(lang),
        "region" => Tr("agency-level-region").get(lang),
        "national" => Tr("agency-level-national").get(lang),
        _ => Tr("party-unknown").get(lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_dates_are_buddhist_era_in_bangkok_time() {
        // 07:05 UTC is 14:05 in Bangkok (UTC+7).
        let at = DateTime::parse_from_rfc3339("2026-11-25T07:05:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(date_time(Lang::Th, at), "25 พ.ย. 2569 14:05");
        assert_eq!(date_time(Lang::En, at), "25 Nov 2026 14:05");
    }

    #[test]
    fn the_bangkok_date_can_be_a_day_after_the_utc_date() {
        let at = DateTime::parse_from_rfc3339("2026-12-31T17:30:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(date_time(Lang::Th, at), "1 ม.ค. 2570 00:30");
    }

    #[test]
    fn every_status_and_outcome_has_a_thai_name() {
        for s in ["raised", "assigned", "addressed", "closed"] {
            assert_ne!(status(Lang::Th, s), status(Lang::Th, "nonsense"), "{s}");
        }
        assert_eq!(status(Lang::Th, "raised"), "รับเรื่อง");
        assert_eq!(status(Lang::Th, "closed"), "ปิดเรื่อง");
        for o in ["resolved", "unresolved", "referred", "duplicate", "withdrawn"] {
            assert_ne!(outcome(Lang::Th, o), outcome(Lang::Th, "nonsense"), "{o}");
        }
    }

    #[test]
    fn an_unknown_error_code_keeps_its_message() {
        assert_eq!(error_message(Lang::Th, "who_knows", "as sent"), "as sent");
        assert_eq!(error_message(Lang::Th, "empty_value", "x"), "กรุณากรอกช่องนี้");
    }

    // --- the catalogues (issue #18 §4) -----------------------------------------------------------------

    use fluent_syntax::ast;
    use std::collections::{BTreeMap, BTreeSet};

    fn source(lang: Lang) -> &'static str {
        CATALOGUE_SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, s)| *s).unwrap()
    }

    fn messages(lang: Lang) -> BTreeMap<String, ast::Message<&'static str>> {
        let resource =
            fluent_syntax::parser::parse(source(lang)).unwrap_or_else(|(_, e)| panic!("{}.ftl: {e:?}", lang.code()));
        let mut out = BTreeMap::new();
        for entry in resource.body {
            if let ast::Entry::Message(m) = entry {
                let id = m.id.name.to_owned();
                assert!(out.insert(id.clone(), m).is_none(), "{}.ftl: {id} twice", lang.code());
            }
        }
        out
    }

    /// The variables a message uses at its top level (`{ $name }`).
    fn variables(m: &ast::Message<&str>) -> BTreeSet<String> {
        let mut vars = BTreeSet::new();
        for element in m.value.iter().flat_map(|p| p.elements.iter()) {
            if let ast::PatternElement::Placeable {
                expression: ast::Expression::Inline(ast::InlineExpression::VariableReference { id }),
            } = element
            {
                vars.insert(id.name.to_owned());
            }
        }
        vars
    }

    #[test]
    fn every_catalogue_parses_without_an_error() {
        for (lang, src) in CATALOGUE_SOURCES {
            if let Err(errors) = parse_catalogue(lang, src) {
                panic!("{errors:#?}");
            }
            // A syntax error the bundle skips over still fails here.
            if let Err((_, errors)) = fluent_syntax::parser::parse(src) {
                panic!("{}.ftl: {errors:#?}", lang.code());
            }
        }
    }

    #[test]
    fn thai_and_english_have_the_same_messages_with_the_same_variables() {
        let (th, en) = (messages(Lang::Th), messages(Lang::En));
        let only_th: Vec<_> = th.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<_> = en.keys().filter(|k| !th.contains_key(*k)).collect();
        assert!(only_th.is_empty() && only_en.is_empty(), "only in th.ftl: {only_th:?}; only in en.ftl: {only_en:?}");
        // A translation may leave a variable out (the Thai reads a Buddhist-Era year without the Common
        // one); the Malay may use only variables the code passes, which are those of the Thai or English.
        for (id, m) in &th {
            assert!(m.value.is_some() && en[id].value.is_some(), "{id} has no text");
        }
    }

    #[test]
    fn every_malay_message_exists_in_thai_and_says_whether_it_was_reviewed() {
        let (th, en, ms) = (messages(Lang::Th), messages(Lang::En), messages(Lang::Ms));
        for (id, m) in &ms {
            assert!(th.contains_key(id), "ms.ftl has {id}, which th.ftl does not");
            let known: BTreeSet<String> = variables(&th[id]).union(&variables(&en[id])).cloned().collect();
            assert!(variables(m).is_subset(&known), "ms.ftl: {id} uses a variable the code does not pass");
            let marked = m.comment.as_ref().is_some_and(|c| {
                c.content.iter().any(|line| line.trim() == "needs-review" || line.trim().starts_with("reviewed:"))
            });
            assert!(
                marked,
                "ms.ftl: {id} has neither `# needs-review` nor `# reviewed: <who>, <when>` on the line above"
            );
        }
    }

    /// Every `Tr("id")` in the web app's code names a message of th.ftl (and so of en.ftl): a typo or a
    /// message removed from the catalogue fails here, not on a page.
    #[test]
    fn every_message_the_code_names_is_in_the_catalogue() {
        let th = messages(Lang::Th);
        let mut files = vec![];
        let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let mut named = 0;
        let mut missing = vec![];
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            // The code, not its tests or comments.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let code: String =
                code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
            let mut rest = code.as_str();
            while let Some(at) = rest.find("Tr(\"") {
                rest = &rest[at + 4..];
                let Some(end) = rest.find('"') else { break };
                let id = &rest[..end];
                // `Tr("ไทย", "English")` in the old form is not an id (tr2ftl.py converts those).
                if rest[end..].starts_with("\")")
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    named += 1;
                    if !th.contains_key(id) {
                        missing.push(format!("{}: {id}", file.display()));
                    }
                }
            }
        }
        assert!(named > 400, "only {named} ids found: is the scan still reading the code?");
        assert!(missing.is_empty(), "not in th.ftl: {missing:#?}");
    }

    #[test]
    fn a_message_missing_in_malay_is_shown_in_thai_and_present_ones_in_malay() {
        assert_eq!(NAV_HOME.get(Lang::Ms), NAV_HOME.get(Lang::Th));
        assert_eq!(Tr("lang-ms").get(Lang::Ms), "Bahasa Melayu");
        assert_eq!(Tr("no-such-message").get(Lang::En), "no-such-message");
    }

    #[test]
    fn dates_in_malay_use_malay_months_and_the_common_era() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 3).unwrap();
        assert_eq!(date(Lang::Ms, d), "3 Ogos 2026");
        assert_eq!(date(Lang::Th, d), "3 ส.ค. 2569");
        assert_eq!(date_numeric(Lang::Ms, d), "03/08/2026");
    }

    #[test]
    fn messages_with_variables_fill_them_in() {
        assert_eq!(
            suppression_note(Lang::En, 5),
            "Restricted cases you may not read are counted only in groups holding at least 5 of them, so that nobody can be identified from a small group"
        );
        let (before, after) = ERASE_PERSON_WHAT.split(Lang::En, "name");
        assert_eq!(before, "This erases the record of ");
        assert!(after.starts_with(" (name, phone"), "{after}");
        let d = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(understood(Lang::Th, d, santisuk_app::parse::Era::Common), "= 28 พ.ย. 2569 (อ่านเป็น ค.ศ. 2026)");
        assert_eq!(
            understood(Lang::En, d, santisuk_app::parse::Era::Buddhist),
            "= 28 Nov 2026 (read as Buddhist Era 2569)"
        );
    }
}
