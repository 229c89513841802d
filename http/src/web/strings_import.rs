//! The words of the import page (issue #18 §2), Thai first, in the catalogue's old form (`Tr`) until they
//! are moved into the message catalogues at the merge.

use super::i18n::{Lang, Tr};

pub const IMPORT_NAV: Tr = Tr("นำเข้าตาราง", "Import");
pub const IMPORT_TITLE: Tr = Tr("นำเข้าตารางปัญหาจากเวทีที่ผ่านมา", "Import a spreadsheet of past forum problems");
pub const IMPORT_HINT: Tr = Tr(
    "เลือกไฟล์ Excel (.xlsx) หรือ CSV ที่มีแถวหัวตาราง ระบบจะตรวจทุกแถวและแสดงตัวอย่างก่อน ยังไม่บันทึกอะไรจนกว่าจะกดยืนยัน นำเข้าไฟล์เดิมซ้ำได้โดยไม่เกิดเรื่องซ้ำ",
    "Choose an Excel (.xlsx) or CSV file with a header row. Every row is checked and previewed first; nothing is saved until you confirm. Importing the same file again creates nothing twice.",
);
pub const FILE: Tr = Tr("ไฟล์", "File");
pub const SHEET: Tr = Tr("ชื่อชีต (ไม่บังคับ)", "Sheet name (optional)");
pub const SHEET_HINT: Tr = Tr(
    "เว้นว่างไว้เพื่อใช้ชีตแรกที่มีหัวตารางที่ระบบรู้จัก",
    "Leave empty to use the first sheet with a header row Santisuk recognises",
);
pub const ENCODING: Tr = Tr("การเข้ารหัสของไฟล์ CSV", "CSV encoding");
pub const ENCODING_UTF8: Tr = Tr("UTF-8 (ค่าปกติ)", "UTF-8 (the default)");
pub const ENCODING_874: Tr =
    Tr("TIS-620 / windows-874 (Excel ภาษาไทยรุ่นเก่า)", "TIS-620 / windows-874 (older Thai Excel)");
pub const CHECK: Tr = Tr("ตรวจและแสดงตัวอย่าง", "Check and preview");
pub const COLUMNS: Tr = Tr("คอลัมน์ที่อ่าน", "Columns read");
pub const COLUMNS_HINT: Tr = Tr(
    "ชื่อหัวคอลัมน์ที่ระบบรู้จัก (ภาษาไทยหรืออังกฤษ) สี่คอลัมน์แรกต้องมี",
    "Header names Santisuk recognises (Thai or English); the first four are required",
);
pub const COLUMN: Tr = Tr("คอลัมน์", "Column");
pub const HEADER: Tr = Tr("หัวคอลัมน์ในไฟล์", "Header in the file");
pub const NAMES: Tr = Tr("ชื่อที่ใช้ได้", "Names accepted");
pub const PREVIEW: Tr = Tr("ตัวอย่างก่อนนำเข้า", "Preview");
pub const RESULT: Tr = Tr("ผลการนำเข้า", "Import result");
pub const SHA256: Tr = Tr("รหัสตรวจสอบไฟล์ (SHA-256)", "File checksum (SHA-256)");
pub const SHEET_READ: Tr = Tr("ชีตที่อ่าน", "Sheet read");
pub const HEADER_ROW: Tr = Tr("แถวหัวตาราง", "Header row");
pub const IGNORED: Tr = Tr("คอลัมน์ที่ไม่ได้อ่าน", "Columns not read");
pub const NOTES: Tr = Tr("ข้อสังเกต", "Notes");
pub const ROW: Tr = Tr("แถว", "Row");
pub const STATE: Tr = Tr("ผลตรวจ", "Check");
pub const PROBLEMS: Tr = Tr("ปัญหาที่พบ", "Problems found");
pub const ROWS: Tr = Tr("แถวทั้งหมด", "Rows");
pub const VALID: Tr = Tr("แถวที่ถูกต้อง", "Valid rows");
pub const INVALID: Tr = Tr("แถวที่มีปัญหา", "Rows with problems");
pub const NEW: Tr = Tr("เรื่องใหม่ที่จะนำเข้า", "New problems to import");
pub const ALREADY: Tr = Tr("นำเข้าไว้แล้ว (ข้าม)", "Already imported (skipped)");
pub const BE_DATES: Tr = Tr("วันที่ที่เขียนเป็น พ.ศ. (แปลงแล้ว)", "Dates written in the Buddhist Era (converted)");
pub const CREATED: Tr = Tr("เรื่องที่สร้างใหม่", "Problems created");
pub const EVENTS_WRITTEN: Tr = Tr("เหตุการณ์ที่บันทึก", "Events recorded");
pub const CONFIRM: Tr = Tr("ยืนยันนำเข้า", "Confirm the import");
pub const CONFIRM_HINT: Tr = Tr(
    "ทุกแถวถูกต้อง กดยืนยันเพื่อบันทึกเรื่องใหม่ตามวันที่ในตาราง ไฟล์และแถวที่มาจะบันทึกไว้กับแต่ละเรื่อง",
    "Every row is valid. Confirm to record the new problems with the dates in the sheet; the file and row each came from is recorded with it.",
);
pub const FIX_FIRST: Tr = Tr(
    "ยังนำเข้าไม่ได้: แก้ไขแถวที่มีปัญหาในไฟล์แล้วเลือกไฟล์ใหม่อีกครั้ง ระบบจะไม่บันทึกอะไรจนกว่าทุกแถวจะถูกต้อง",
    "Not importable yet: correct the rows with problems in the file and choose it again. Nothing is saved until every row is valid.",
);
pub const NOTHING_NEW: Tr = Tr("ทุกแถวนำเข้าไว้แล้ว ไม่มีอะไรต้องบันทึก", "Every row was imported before: nothing to save");
pub const ANOTHER: Tr = Tr("นำเข้าไฟล์อื่น", "Import another file");
pub const TO_QUEUE: Tr = Tr("ไปที่รายการเรื่อง", "Go to the issue list");
pub const FILE_REFUSED: Tr = Tr("ไฟล์นี้นำเข้าไม่ได้", "This file cannot be imported");
pub const MISSING_FILE: Tr = Tr("กรุณาเลือกไฟล์", "Choose a file");

/// A row's check result in words.
pub fn state(lang: Lang, state: &str) -> &'static str {
    match state {
        "new" => lang.pick("จะนำเข้า", "Will be imported"),
        "already_imported" => lang.pick("นำเข้าไว้แล้ว", "Already imported"),
        "incomplete" => lang.pick("นำเข้าไม่ครบ จะบันทึกส่วนที่เหลือ", "Incomplete: the rest will be recorded"),
        "imported" => lang.pick("นำเข้าแล้ว", "Imported"),
        _ => lang.pick("มีปัญหา", "Has problems"),
    }
}

/// A column's name in words.
pub fn column(lang: Lang, key: &str) -> &'static str {
    match key {
        "area" => lang.pick("พื้นที่", "Area"),
        "date" => lang.pick("วันที่", "Date"),
        "category" => lang.pick("ประเภท", "Category"),
        "title" => lang.pick("เรื่อง", "Title"),
        "description" => lang.pick("รายละเอียด", "Description"),
        "status" => lang.pick("สถานะ", "Status"),
        "assignee" => lang.pick("ผู้รับผิดชอบ", "Assignee"),
        "outcome" => lang.pick("ผล", "Outcome"),
        "action" => lang.pick("การดำเนินการ", "Action"),
        "closed_on" => lang.pick("วันที่ปิดเรื่อง", "Closed on"),
        _ => lang.pick("คอลัมน์อื่น", "Other column"),
    }
}

/// A row's or a file's problem in words, by its code; the message the application gave (with the value
/// found) is shown beside it.
pub fn problem(lang: Lang, code: &str) -> &'static str {
    match code {
        "empty_area" => lang.pick("ไม่ได้ระบุพื้นที่", "The area is empty"),
        "unknown_area" => lang.pick("ไม่มีพื้นที่นี้ในระบบ", "No such area"),
        "empty_date" => lang.pick("ไม่ได้ระบุวันที่", "The date is empty"),
        "bad_date" => lang.pick("อ่านวันที่ไม่ได้", "Not a date"),
        "two_digit_year" => lang.pick("ปีสองหลักไม่ชัดเจน ให้เขียนปีเต็ม เช่น 2567", "A two-digit year is ambiguous"),
        "date_in_future" => lang.pick("วันที่อยู่ในอนาคต", "The date is in the future"),
        "empty_category" => lang.pick("ไม่ได้ระบุประเภท", "The category is empty"),
        "unknown_category" => lang.pick("ไม่มีประเภทนี้ในระบบ", "No such category"),
        "empty_title" => lang.pick("ไม่ได้ระบุเรื่อง", "The title is empty"),
        "unknown_status" => lang.pick("ไม่รู้จักสถานะนี้", "Unknown status"),
        "unknown_outcome" => lang.pick("ไม่รู้จักผลนี้", "Unknown outcome"),
        "closed_without_outcome" => lang.pick("ปิดเรื่องแล้วแต่ไม่ได้ระบุผล", "Closed without an outcome"),
        "outcome_without_closure" => lang.pick("ระบุผลแต่สถานะยังไม่ปิดเรื่อง", "An outcome but not closed"),
        "assignee_required" => lang.pick("ต้องระบุผู้รับผิดชอบ", "Who was responsible is needed"),
        "closed_on_without_closure" => lang.pick("ระบุวันที่ปิดแต่ยังไม่ปิดเรื่อง", "A closing date but not closed"),
        "closed_before_raised" => lang.pick("วันที่ปิดก่อนวันที่รับเรื่อง", "Closed before it was raised"),
        "cell_error" => lang.pick("ช่องนี้มีค่าผิดพลาดของสูตร", "The cell holds a formula error"),
        "import_not_spreadsheet" => lang.pick("ไม่ใช่ไฟล์ตาราง .xlsx หรือ CSV", "Not an .xlsx or CSV spreadsheet"),
        "import_not_utf8" => lang.pick(
            "ไฟล์ CSV ไม่ได้เข้ารหัสแบบ UTF-8 (อาจเป็น TIS-620): บันทึกใหม่เป็น \"CSV UTF-8\" หรือเลือกการเข้ารหัส windows-874",
            "The CSV file is not UTF-8 (it may be TIS-620)",
        ),
        "import_bad_encoding" => lang.pick("ไม่รู้จักการเข้ารหัสนี้", "Unknown encoding"),
        "import_too_large" => lang.pick("ไฟล์ใหญ่เกิน 10 MiB", "The file is over 10 MiB"),
        "import_too_many_rows" => lang.pick("มีแถวเกิน 5,000 แถว: แบ่งเป็นหลายไฟล์", "Over 5,000 rows: split the file"),
        "import_sheet_not_found" => lang.pick("ไม่มีชีตชื่อนี้ในไฟล์", "No sheet of that name"),
        "import_no_header" => lang.pick("ไม่พบแถวหัวตารางที่ระบบรู้จัก", "No header row Santisuk recognises"),
        "import_missing_columns" => lang.pick("ขาดคอลัมน์ที่ต้องมี", "Required columns are missing"),
        "import_merged_cells" => lang.pick(
            "มีช่องที่ผสานกัน (merge) ในตาราง: ยกเลิกการผสานและกรอกทุกแถวก่อน",
            "Merged cells in the table: unmerge them and fill every row",
        ),
        "import_no_rows" => lang.pick("ไม่มีแถวข้อมูลใต้หัวตาราง", "No rows under the header"),
        "import_bad_csv" => lang.pick("อ่านไฟล์ CSV ไม่ได้", "The CSV file cannot be read"),
        "import_rows_invalid" => lang.pick("บางแถวมีปัญหา ไม่ได้บันทึกอะไร", "Some rows have problems; nothing was saved"),
        "import_interrupted" => lang.pick(
            "การนำเข้าหยุดกลางคัน: นำเข้าไฟล์เดิมอีกครั้งเพื่อให้ครบ",
            "The import stopped part-way: import the same file again to finish",
        ),
        _ => lang.pick("ข้อมูลไม่ถูกต้อง", "Invalid value"),
    }
}
