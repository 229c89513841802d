//! The words of the import page (issue #18 §2): names of messages in the catalogues (`http/locales/*.ftl`,
//! section `#18 §2 import`), and the words for the import's states, columns and problem codes.

use super::i18n::{Lang, Tr};

pub const IMPORT_NAV: Tr = Tr("import-nav");
pub const IMPORT_TITLE: Tr = Tr("import-title");
pub const IMPORT_HINT: Tr = Tr("import-hint");
pub const FILE: Tr = Tr("strings-import-file");
pub const SHEET: Tr = Tr("sheet");
pub const SHEET_HINT: Tr = Tr("sheet-hint");
pub const ENCODING: Tr = Tr("encoding");
pub const ENCODING_UTF8: Tr = Tr("encoding-utf8");
pub const ENCODING_874: Tr = Tr("encoding-874");
pub const CHECK: Tr = Tr("check");
pub const COLUMNS: Tr = Tr("columns");
pub const COLUMNS_HINT: Tr = Tr("columns-hint");
pub const COLUMN: Tr = Tr("column");
pub const HEADER: Tr = Tr("header");
pub const NAMES: Tr = Tr("names");
pub const PREVIEW: Tr = Tr("preview");
pub const RESULT: Tr = Tr("result");
pub const SHA256: Tr = Tr("sha256");
pub const SHEET_READ: Tr = Tr("sheet-read");
pub const HEADER_ROW: Tr = Tr("header-row");
pub const IGNORED: Tr = Tr("ignored");
pub const NOTES: Tr = Tr("notes");
pub const ROW: Tr = Tr("row");
pub const STATE: Tr = Tr("state");
pub const PROBLEMS: Tr = Tr("strings-import-problems");
pub const ROWS: Tr = Tr("rows");
pub const VALID: Tr = Tr("valid");
pub const INVALID: Tr = Tr("invalid");
pub const NEW: Tr = Tr("new");
pub const ALREADY: Tr = Tr("already");
pub const BE_DATES: Tr = Tr("be-dates");
pub const CREATED: Tr = Tr("created");
pub const EVENTS_WRITTEN: Tr = Tr("events-written");
pub const CONFIRM: Tr = Tr("confirm");
pub const CONFIRM_HINT: Tr = Tr("confirm-hint");
pub const FIX_FIRST: Tr = Tr("fix-first");
pub const NOTHING_NEW: Tr = Tr("nothing-new");
pub const ANOTHER: Tr = Tr("another");
pub const TO_QUEUE: Tr = Tr("to-queue");
pub const FILE_REFUSED: Tr = Tr("file-refused");
pub const MISSING_FILE: Tr = Tr("missing-file");

/// A row's check result in words.
pub fn state(lang: Lang, state: &str) -> &'static str {
    match state {
        "new" => Tr("state-new").get(lang),
        "already_imported" => Tr("state-already-imported").get(lang),
        "incomplete" => Tr("state-incomplete").get(lang),
        "imported" => Tr("state-imported").get(lang),
        _ => Tr("state-has-problems").get(lang),
    }
}

/// A column's name in words.
pub fn column(lang: Lang, key: &str) -> &'static str {
    match key {
        "area" => Tr("column-area").get(lang),
        "date" => Tr("column-date").get(lang),
        "category" => Tr("column-category").get(lang),
        "title" => Tr("column-title").get(lang),
        "description" => Tr("column-description").get(lang),
        "status" => Tr("column-status").get(lang),
        "assignee" => Tr("column-assignee").get(lang),
        "outcome" => Tr("column-outcome").get(lang),
        "action" => Tr("column-action").get(lang),
        "closed_on" => Tr("column-closed-on").get(lang),
        _ => Tr("column-other-column").get(lang),
    }
}

/// A row's or a file's problem in words, by its code; the message the application gave (with the value
/// found) is shown beside it.
pub fn problem(lang: Lang, code: &str) -> &'static str {
    match code {
        "empty_area" => Tr("problem-empty-area").get(lang),
        "unknown_area" => Tr("problem-unknown-area").get(lang),
        "empty_date" => Tr("problem-empty-date").get(lang),
        "bad_date" => Tr("problem-bad-date").get(lang),
        "two_digit_year" => Tr("problem-two-digit-year").get(lang),
        "date_in_future" => Tr("problem-date-in-future").get(lang),
        "empty_category" => Tr("problem-empty-category").get(lang),
        "unknown_category" => Tr("problem-unknown-category").get(lang),
        "empty_title" => Tr("problem-empty-title").get(lang),
        "unknown_status" => Tr("problem-unknown-status").get(lang),
        "unknown_outcome" => Tr("problem-unknown-outcome").get(lang),
        "closed_without_outcome" => Tr("problem-closed-without-outcome").get(lang),
        "outcome_without_closure" => Tr("problem-outcome-without-closure").get(lang),
        "assignee_required" => Tr("problem-assignee-required").get(lang),
        "closed_on_without_closure" => Tr("problem-closed-on-without-closure").get(lang),
        "closed_before_raised" => Tr("problem-closed-before-raised").get(lang),
        "action_on_raised" => Tr("problem-action-on-raised").get(lang),
        "cell_error" => Tr("problem-cell-error").get(lang),
        "import_not_spreadsheet" => Tr("problem-import-not-spreadsheet").get(lang),
        "import_not_utf8" => Tr("problem-import-not-utf8").get(lang),
        "import_bad_encoding" => Tr("problem-import-bad-encoding").get(lang),
        "import_too_large" => Tr("problem-import-too-large").get(lang),
        "import_too_many_rows" => Tr("problem-import-too-many-rows").get(lang),
        "import_sheet_not_found" => Tr("problem-import-sheet-not-found").get(lang),
        "import_no_header" => Tr("problem-import-no-header").get(lang),
        "import_missing_columns" => Tr("problem-import-missing-columns").get(lang),
        "import_merged_cells" => Tr("problem-import-merged-cells").get(lang),
        "import_no_rows" => Tr("problem-import-no-rows").get(lang),
        "import_bad_csv" => Tr("problem-import-bad-csv").get(lang),
        "import_rows_invalid" => Tr("problem-import-rows-invalid").get(lang),
        "import_interrupted" => Tr("problem-import-interrupted").get(lang),
        _ => Tr("problem-invalid-value").get(lang),
    }
}
