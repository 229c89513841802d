//! The web app's two languages: every visible string in Thai (the default) and English, names of statuses
//! and outcomes, and dates in the Buddhist Era, Asia/Bangkok time.
//!
//! Strings are constants rather than a catalogue file: the compiler finds a missing translation, and there
//! are two languages, not twenty.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use santisuk_domain::time::bangkok;

/// The language of a page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Th,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "th" => Some(Lang::Th),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }

    /// The other language, offered by the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Th => Lang::En,
            Lang::En => Lang::Th,
        }
    }

    /// Picks the Thai or the English of a pair.
    pub fn pick<'a>(self, th: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Th => th,
            Lang::En => en,
        }
    }
}

/// One string in both languages.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub &'static str, pub &'static str);

impl Tr {
    pub fn get(self, lang: Lang) -> &'static str {
        lang.pick(self.0, self.1)
    }
}

// --- chrome --------------------------------------------------------------------------------------------
pub const APP: Tr = Tr("สันติสุข", "Santisuk");
pub const APP_TAGLINE: Tr = Tr("ระบบติดตามปัญหาจากเวทีรับฟังปัญหา", "Tracking problems raised at listening forums");
pub const NAV_HOME: Tr = Tr("งานของฉัน", "My work");
pub const NAV_QUEUE: Tr = Tr("รายการปัญหา", "Issues");
pub const NAV_FORUM: Tr = Tr("บันทึกเวที", "Record a forum");
pub const NAV_DASHBOARD: Tr = Tr("แดชบอร์ด", "Dashboard");
pub const NAV_PROGRESS: Tr = Tr("รายงานความก้าวหน้า", "Progress report");
// Spreading marks on the areas page (#16).
pub const REACHED_FROM: Tr = Tr("ขยายผลจาก", "Reached from");
pub const TARGET_AREA: Tr = Tr("พื้นที่เป้าหมาย", "Target area");
pub const REACH_NEW: Tr = Tr("บันทึกการขยายผลไปยังพื้นที่ใกล้เคียง", "Mark an area as reached from another");
pub const REACH_AREA: Tr = Tr("พื้นที่ที่ขยายผลไปถึง", "Area reached");
pub const REACH_ON: Tr = Tr("วันที่ขยายผล", "Reached on");
pub const REACH_SAVE: Tr = Tr("บันทึกการขยายผล", "Save the mark");
pub const REACH_SAVED: Tr = Tr("บันทึกการขยายผลแล้ว", "Mark saved");
pub const NAV_AUDIT: Tr = Tr("บันทึกเหตุการณ์", "Event log");
pub const SIGN_OUT: Tr = Tr("ออกจากระบบ", "Sign out");
pub const SIGN_OUT_ASK: Tr = Tr("ออกจากระบบในเบราว์เซอร์นี้หรือไม่", "Sign out of Santisuk in this browser?");
pub const SWITCH_LANG: Tr = Tr("English", "ภาษาไทย");
pub const GEO_CREDIT: Tr = Tr("ข้อมูลเขตการปกครอง: GeoThai", "Administrative boundaries: GeoThai");
pub const SKIP_TO_CONTENT: Tr = Tr("ข้ามไปยังเนื้อหา", "Skip to content");
pub const DEMO_BANNER: Tr =
    Tr("ข้อมูลสาธิต: พื้นที่ที่ขึ้นต้นด้วย [ตัวอย่าง] เป็นข้อมูลสมมติ", "Demo data: areas marked [Demo] are invented");

// --- sign-in -------------------------------------------------------------------------------------------
pub const SIGN_IN: Tr = Tr("เข้าสู่ระบบ", "Sign in");
pub const USER_NAME: Tr = Tr("ชื่อผู้ใช้", "User name");
pub const PASSWORD: Tr = Tr("รหัสผ่าน", "Password");
pub const WRONG_PASSWORD: Tr = Tr("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "Wrong user name or password");
pub const THROTTLED: Tr = Tr(
    "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป กรุณารอ 15 นาทีแล้วลองใหม่",
    "Too many failed sign-ins. Please wait 15 minutes and try again",
);
pub const SIGNED_OUT: Tr = Tr("ออกจากระบบแล้ว", "You have signed out");
pub const SESSION_EXPIRED: Tr = Tr(
    "การเข้าสู่ระบบหมดอายุหรือแบบฟอร์มไม่ถูกต้อง ข้อมูลยังไม่ถูกบันทึก กรุณาเข้าสู่ระบบใหม่",
    "Your session has expired or the form is not valid. Nothing was saved. Please sign in again",
);

// --- issues --------------------------------------------------------------------------------------------
pub const AREA: Tr = Tr("พื้นที่", "Area");
pub const CATEGORY: Tr = Tr("ประเภทปัญหา", "Category");
pub const STATUS: Tr = Tr("สถานะ", "Status");
pub const ASSIGNEE: Tr = Tr("ผู้รับผิดชอบ", "Assignee");
pub const DUE_ON: Tr = Tr("กำหนดเสร็จ", "Due");
pub const RAISED_ON: Tr = Tr("วันที่รับเรื่อง", "Raised");
pub const RAISED_BY: Tr = Tr("ผู้เสนอปัญหา", "Raised by");
pub const TITLE: Tr = Tr("เรื่อง", "Title");
pub const DESCRIPTION: Tr = Tr("รายละเอียด", "Description");
pub const PROVINCE: Tr = Tr("จังหวัด", "Province");
pub const DISTRICT: Tr = Tr("อำเภอ", "District");
pub const OVERDUE: Tr = Tr("เกินกำหนด", "Overdue");
pub const OVERDUE_ONLY: Tr = Tr("เฉพาะที่เกินกำหนด", "Overdue only");
pub const ALL: Tr = Tr("ทั้งหมด", "All");
pub const SORT: Tr = Tr("เรียงตาม", "Sort by");
pub const SORT_NEWEST: Tr = Tr("รับเรื่องล่าสุด", "Newest");
pub const SORT_OLDEST: Tr = Tr("รับเรื่องเก่าสุด", "Oldest");
pub const SORT_DUE: Tr = Tr("ใกล้ครบกำหนด", "Due soonest");
pub const SORT_CHANGED: Tr = Tr("เปลี่ยนแปลงล่าสุด", "Recently changed");
pub const FILTER: Tr = Tr("กรอง", "Filter");
pub const SEARCH: Tr = Tr("ค้นหา", "Search");
pub const SEARCH_HINT: Tr = Tr("เลขที่เรื่อง คำในเรื่อง ชื่อพื้นที่ หรือผู้รับผิดชอบ", "Case number, words, area or assignee");
pub const CASE_NUMBER: Tr = Tr("เลขที่เรื่อง", "Case no.");
pub const CLEAR: Tr = Tr("ล้าง", "Clear");
pub const FOUND: Tr = Tr("พบ", "Found");
pub const ISSUES_UNIT: Tr = Tr("เรื่อง", "issues");
pub const PAGE: Tr = Tr("หน้า", "Page");
pub const PREVIOUS: Tr = Tr("ก่อนหน้า", "Previous");
pub const NEXT: Tr = Tr("ถัดไป", "Next");
pub const NO_ISSUES: Tr = Tr("ไม่พบเรื่องตามเงื่อนไข", "No issue matches");
pub const FORUM: Tr = Tr("เวที", "Forum");
pub const TIMELINE: Tr = Tr("ลำดับเหตุการณ์", "Timeline");
pub const NOTE: Tr = Tr("หมายเหตุ", "Note");
pub const RECORDED: Tr = Tr("บันทึกเมื่อ", "Recorded");
pub const BY: Tr = Tr("โดย", "by");

pub const ACT_ASSIGN: Tr = Tr("มอบหมาย", "Assign");
pub const ACT_ADDRESS: Tr = Tr("บันทึกการดำเนินการ", "Record an action");
pub const ACT_CLOSE: Tr = Tr("ปิดเรื่อง", "Close");
pub const ACT_REOPEN: Tr = Tr("เปิดเรื่องใหม่", "Reopen");
pub const ACTION_TAKEN: Tr = Tr("การดำเนินการ", "Action taken");
pub const OUTCOME: Tr = Tr("ผลการดำเนินการ", "Outcome");
pub const REASON: Tr = Tr("เหตุผล", "Reason");
pub const LEGAL_BASIS: Tr = Tr("ฐานทางกฎหมาย", "Legal basis");
pub const KEYS_DESTROYED: Tr = Tr("กุญแจข้อมูลที่ทำลาย", "Data keys destroyed");

// --- personal data (issue #15): the complainant, erased and sealed text, erasure -------------------------
pub const COMPLAINANT: Tr = Tr("ผู้ร้องเรียน", "Complainant");
pub const KIND_ANONYMOUS: Tr = Tr("ไม่ประสงค์ออกนาม", "Anonymous");
pub const KIND_PERSON: Tr = Tr("บุคคล (บันทึกชื่อและการติดต่อ)", "A person (name and contact)");
pub const KIND_GROUP: Tr = Tr("กลุ่มหรือองค์กร", "A group");
pub const RAISED_BY_GROUP: Tr = Tr("ชื่อกลุ่มหรือองค์กร เมื่อเลือก “กลุ่มหรือองค์กร”", "the group's name, when “A group” is chosen");
pub const PERSON_DETAILS: Tr = Tr("ข้อมูลผู้ร้องเรียน", "The complainant's details");
pub const PERSON_DETAILS_HINT: Tr = Tr(
    "กรอกเมื่อเลือก “บุคคล” ข้อมูลนี้เก็บแบบเข้ารหัส แยกจากประวัติเรื่อง และแสดงเฉพาะเจ้าหน้าที่ผู้ดูแลเรื่อง",
    "Fill in when “A person” is chosen: kept encrypted, apart from the history, shown only to those who work the case",
);
pub const PERSON_NAME: Tr = Tr("ชื่อ-นามสกุล", "Name");
pub const PHONE: Tr = Tr("โทรศัพท์", "Phone");
pub const ADDRESS: Tr = Tr("ที่อยู่", "Address");
pub const NATIONAL_ID: Tr = Tr("เลขประจำตัวประชาชน", "National ID number");
pub const CONTACT_NOTES: Tr = Tr("หมายเหตุการติดต่อ", "Contact notes");
pub const TITLE_NO_NAMES: Tr = Tr("อย่าใส่ชื่อบุคคลในหัวข้อ", "Do not name people in the title");
pub const ERASED_TEXT: Tr = Tr("[ลบข้อมูลส่วนบุคคลแล้ว]", "[personal data erased]");
pub const SEALED_TEXT: Tr = Tr("เข้ารหัส (sealed)", "sealed (encrypted)");
pub const PERSON_ERASED: Tr = Tr("ลบข้อมูลแล้ว", "Erased");
pub const ERASED_ON: Tr = Tr("ลบเมื่อ", "Erased on");
pub const ERASE: Tr = Tr("ลบข้อมูลส่วนบุคคล", "Erase personal data");
pub const ERASE_HINT: Tr = Tr(
    "ลบข้อความที่อาจระบุตัวบุคคลของเรื่องนี้ หรือข้อมูลผู้ร้องเรียน ตามคำขอของเจ้าของข้อมูลหรือตามกฎหมาย (มีขั้นตอนยืนยันก่อนลบ)",
    "Erase the text of this problem that can identify people, or its complainant's data, on request or by law (you confirm first)",
);
pub const ERASE_ISSUE: Tr = Tr("ลบข้อความของเรื่องนี้", "Erase this problem's text");
pub const ERASE_ISSUE_WHAT: Tr = Tr(
    "จะลบรายละเอียด หมายเหตุ การดำเนินการ เหตุผล และ “ผู้เสนอปัญหา” ของเรื่อง",
    "This erases the description, notes, actions, reasons and the “raised by” of problem",
);
pub const ERASE_ISSUE_BUTTON: Tr = Tr("ยืนยันลบข้อความของเรื่อง", "Erase the text of problem");
pub const ERASE_PERSON: Tr = Tr("ลบข้อมูลผู้ร้องเรียน", "Erase the complainant");
pub const ERASE_PERSON_WHAT: Tr = Tr(
    "จะลบข้อมูลของ {name} (ชื่อ โทรศัพท์ ที่อยู่ เลขประจำตัวประชาชน หมายเหตุการติดต่อ) และข้อความของทุกเรื่องที่บุคคลนี้ร้องเรียน:",
    "This erases the record of {name} (name, phone, address, national ID number, contact notes) and the text of every problem they raised:",
);
pub const ERASE_PERSON_BUTTON: Tr = Tr("ยืนยันลบข้อมูลของ", "Erase the data of");
pub const ERASE_KEEPS: Tr = Tr(
    "ลบแล้วกู้คืนไม่ได้ ชื่อเรื่อง ประเภท พื้นที่ วันที่ สถานะ และสถิติยังอยู่ครบ ประวัติไม่ถูกแก้ไข และการลบจะถูกบันทึกไว้ในประวัติ",
    "This cannot be undone. Titles, categories, areas, dates, statuses and statistics stay; the history is not rewritten, and the erasure is recorded in it.",
);
pub const LEGAL_BASIS_HINT: Tr = Tr(
    "เช่น “พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล ม.33 ตามคำขอของเจ้าของข้อมูล หนังสือลงวันที่ 2 ธ.ค. 2569” ห้ามใส่ข้อมูลส่วนบุคคล",
    "e.g. “PDPA s.33: request of the data subject, letter of 2 Dec 2026”; no personal data",
);
pub const ERASE_DONE: Tr = Tr("ลบข้อมูลส่วนบุคคลแล้ว", "Personal data erased");
pub const ERASE_DONE_PERSON: Tr = Tr("ลบข้อมูลผู้ร้องเรียนแล้ว", "The complainant's record was erased");
pub const ERASED_ISSUES: Tr = Tr("เรื่องที่ลบข้อความแล้ว", "Problems whose text was erased");
pub const BACK_TO_ISSUE: Tr = Tr("กลับไปที่เรื่อง", "Back to the problem");
pub const UNSEALED_LEFT: Tr = Tr(
    "ข้อความที่บันทึกก่อนมีการเข้ารหัส (ลบไม่ได้โดยไม่แก้ประวัติ)",
    "Texts stored before sealing existed (not erasable without rewriting the history)",
);
pub const DONE_SAVED: Tr = Tr("บันทึกแล้ว", "Saved");
pub const STALE: Tr = Tr(
    "มีผู้อื่นดำเนินการกับเรื่องนี้ก่อนคุณ ข้อมูลของคุณยังไม่ถูกบันทึก กรุณาตรวจสอบสถานะล่าสุดด้านล่างแล้วส่งอีกครั้ง",
    "Someone else acted on this issue in the meantime. Your change was not saved: check the current state below and send it again",
);
pub const READ_ONLY: Tr = Tr("คุณดูได้อย่างเดียว", "You can read, not change");
pub const FIX_ERRORS: Tr = Tr("กรุณาแก้ไขช่องที่มีข้อผิดพลาด", "Please correct the fields marked below");

// --- forum ---------------------------------------------------------------------------------------------
pub const FORUM_NEW: Tr = Tr("บันทึกเวทีรับฟังปัญหา", "Record a listening forum");
pub const FORUM_HELD_ON: Tr = Tr("วันที่จัดเวที", "Held on");
pub const FORUM_TITLE: Tr = Tr("ชื่อเวที", "Forum title");
pub const FACILITATOR: Tr = Tr("ผู้ดำเนินเวที", "Facilitator");
pub const PARTICIPANTS: Tr = Tr("จำนวนผู้เข้าร่วม", "Participants");
pub const PROBLEMS: Tr = Tr("ปัญหาที่ได้รับแจ้ง", "Problems raised");
pub const PROBLEM_N: Tr = Tr("ปัญหาที่", "Problem");
pub const ADD_ROW: Tr = Tr("เพิ่มปัญหา", "Add a problem");
pub const SAVE_FORUM: Tr = Tr("บันทึกเวทีและปัญหาทั้งหมด", "Save the forum and every problem");
pub const CHOOSE: Tr = Tr("— เลือก —", "— choose —");
pub const EMPTY_ROWS_IGNORED: Tr = Tr("แถวที่เว้นว่างทั้งแถวจะไม่ถูกบันทึก", "Rows left completely empty are not saved");
pub const FORUM_SAVED: Tr = Tr("บันทึกเวทีและปัญหาแล้ว", "The forum and its problems are saved");
pub const OPTIONAL: Tr = Tr("ไม่บังคับ", "optional");
pub const DATE_PLACEHOLDER: Tr = Tr("วว/ดด/ปปปป", "dd/mm/yyyy");
pub const DATE_HINT: Tr =
    Tr("วว/ดด/ปปปป เช่น 28/11/2569 (พ.ศ. หรือ ค.ศ. ก็ได้)", "dd/mm/yyyy, e.g. 28/11/2026 (Buddhist or Common Era)");
pub const PICK_DATE: Tr = Tr("เลือกวันที่จากปฏิทิน", "Pick the date from a calendar");
pub const WHEN: Tr = Tr("เกิดขึ้นเมื่อ", "When it happened");
pub const WHEN_HINT: Tr = Tr("เว้นว่างไว้ = ตอนนี้; ใส่แต่วันที่ได้", "Leave empty for now; a date alone is fine");
pub const WHEN_DATE: Tr = Tr("วันที่", "Date");
pub const WHEN_TIME: Tr = Tr("เวลา", "Time");

// --- home ----------------------------------------------------------------------------------------------
pub const HOME_TITLE: Tr = Tr("งานที่ต้องทำก่อน", "What needs you first");
pub const HOME_INTRO: Tr = Tr(
    "ปัญหาในพื้นที่ของคุณที่เกินกำหนด ครบกำหนดใน 7 วัน และที่ยังไม่มีผู้รับผิดชอบ",
    "Problems in your areas that are overdue, due in the next 7 days, and not yet given to anyone",
);
pub const HOME_OVERDUE: Tr = Tr("เกินกำหนดแล้ว", "Overdue");
pub const HOME_DUE_SOON: Tr = Tr("ครบกำหนดใน 7 วัน", "Due in the next 7 days");
pub const HOME_UNASSIGNED: Tr = Tr("ยังไม่มีผู้รับผิดชอบ (เก่าสุดก่อน)", "Not yet assigned (oldest first)");
pub const HOME_NOTHING: Tr = Tr("ไม่มี", "None");
pub const SEE_ALL: Tr = Tr("ดูทั้งหมดในรายการปัญหา", "See them all in the issue list");
pub const FORUM_HELD_AT: Tr = Tr("เวลาที่รับฟังปัญหา", "Time the problems were raised");
pub const FORUM_HELD_AT_HINT: Tr =
    Tr("ถ้าไม่ระบุ ปัญหาจะลงวันที่ของเวที (เวลา 00:00)", "Without a time the problems are dated the forum's day (00:00)");
pub const ACT_CORRECT: Tr = Tr("แก้ไขข้อมูลที่บันทึกผิด", "Correct the record");
pub const CORRECT_HINT: Tr = Tr(
    "แก้ชื่อเรื่อง รายละเอียด หรือประเภทที่บันทึกผิด พร้อมเหตุผล ประวัติจะเก็บทั้งค่าเดิมและค่าใหม่",
    "Put right a title, description or category recorded wrongly, with a reason; the history keeps the old and the new",
);
pub const BEFORE: Tr = Tr("เดิม", "was");
pub const AFTER: Tr = Tr("เป็น", "now");
pub const NONE: Tr = Tr("(ไม่มี)", "(none)");

// --- dashboard -----------------------------------------------------------------------------------------
pub const FISCAL_YEAR: Tr = Tr("ปีงบประมาณ", "Fiscal year");
pub const PERIOD: Tr = Tr("ช่วงเวลา", "Period");
pub const LAST_12_MONTHS: Tr = Tr("12 เดือนล่าสุด", "Last 12 months");
pub const BY_AREA: Tr = Tr("อัตราการแก้ไขปัญหาได้ รายพื้นที่", "Resolution rate by area");
pub const BY_CATEGORY: Tr = Tr("อัตราการแก้ไขปัญหาได้ รายประเภทปัญหา", "Resolution rate by category");
pub const TREND: Tr = Tr("แนวโน้มรายเดือน", "Monthly trend");
pub const RAISED: Tr = Tr("รับเรื่อง", "Raised");
pub const RESOLVED: Tr = Tr("แก้ไขได้", "Resolved");
pub const OPEN: Tr = Tr("ค้างอยู่", "Open");
pub const RESOLUTION_RATE: Tr = Tr("อัตราการแก้ไขได้", "Resolution rate");
pub const MEDIAN_DAYS: Tr = Tr("มัธยฐานวันที่ใช้แก้ไข", "Median days to resolve");
pub const SMALL_SAMPLE: Tr = Tr("น้อยกว่า 10 เรื่อง: อัตราอาจคลาดเคลื่อน", "Fewer than 10 issues: the rate is unreliable");
pub const NO_DATA: Tr = Tr("ยังไม่มีข้อมูล", "No data yet");

// --- restricted cases (#15) ---------------------------------------------------------------------------
pub const RESTRICTED: Tr = Tr("จำกัดการเข้าถึง", "Restricted");
pub const RESTRICTED_CHECKBOX: Tr = Tr("เรื่องละเอียดอ่อน (จำกัดการเข้าถึง)", "Sensitive case (restricted access)");
pub const RESTRICTED_BY_CATEGORY: Tr =
    Tr("ทุกเรื่องในประเภทปัญหานี้จำกัดการเข้าถึง", "Every case of this category is restricted");
pub const ACT_RESTRICT: Tr = Tr("จำกัดการเข้าถึงเรื่องนี้", "Restrict access to this case");
pub const ACT_UNRESTRICT: Tr = Tr("ยกเลิกการจำกัดการเข้าถึงเรื่องนี้", "Lift this case's restriction");
pub const RESTRICT_HINT: Tr = Tr(
    "เรื่องที่จำกัดการเข้าถึง แสดงรายละเอียดเฉพาะผู้ดูแลระบบ เจ้าหน้าที่หรือผู้ตรวจสอบที่ได้รับสิทธิ์ในประเภทปัญหานั้น และผู้ที่รับเรื่อง ผู้อื่นจะไม่เห็นเรื่องนี้เลย",
    "A restricted case's details are shown only to administrators, to staff and auditors granted its category, and to whoever raised it; nobody else sees the case at all",
);
pub const GRANTED_CATEGORIES: Tr = Tr("ประเภทปัญหาที่จำกัดการเข้าถึงที่ดูได้", "Restricted categories they may read");
pub const GRANTED_CATEGORIES_HINT: Tr = Tr(
    "เฉพาะเจ้าหน้าที่และผู้ตรวจสอบ ผู้ดูแลระบบเห็นทุกเรื่องอยู่แล้ว ผู้ประสานงานเห็นเรื่องที่ตนรับไว้",
    "staff and auditors only: administrators read every case, coordinators the cases they raised",
);
pub const SAVE_GRANTS: Tr = Tr("บันทึกสิทธิ์", "Save the grants");
pub const RESTRICT_CATEGORY: Tr = Tr("จำกัดการเข้าถึง", "Restrict");
pub const UNRESTRICT_CATEGORY: Tr = Tr("ยกเลิกการจำกัด", "Lift the restriction");
pub const NOT_RESTRICTED: Tr = Tr("ไม่จำกัด", "Not restricted");
pub const YES: Tr = Tr("ใช่", "Yes");
pub const NO: Tr = Tr("ไม่ใช่", "No");

/// The dashboard's and the API's word on small-cell suppression, for a reader who may not read every
/// restricted case.
pub fn suppression_note(lang: Lang, threshold: i64) -> String {
    match lang {
        Lang::Th => format!(
            "เรื่องที่จำกัดการเข้าถึงซึ่งคุณไม่มีสิทธิ์ดู นับรวมในตัวเลขเฉพาะกลุ่มที่มีเรื่องเช่นนี้อย่างน้อย {threshold} เรื่อง \
             เพื่อไม่ให้ระบุตัวผู้ร้องได้จากกลุ่มเล็ก"
        ),
        Lang::En => format!(
            "Restricted cases you may not read are counted only in groups holding at least {threshold} of them, so that \
             nobody can be identified from a small group"
        ),
    }
}

// --- audit ---------------------------------------------------------------------------------------------
pub const EVENT_LOG: Tr = Tr("บันทึกเหตุการณ์ทั้งหมด (อ่านอย่างเดียว)", "The global event log (read-only)");
pub const POSITION: Tr = Tr("ลำดับ", "Position");
pub const AGGREGATE: Tr = Tr("รายการ", "Record");
pub const DATA: Tr = Tr("ข้อมูล", "Data");

/// The Thai / English name of an issue status (stored code → words people use).
pub fn status(lang: Lang, code: &str) -> &'static str {
    match code {
        "raised" => lang.pick("รับเรื่อง", "Raised"),
        "assigned" => lang.pick("มอบหมายแล้ว", "Assigned"),
        // An action recorded, the problem not yet closed: still being worked on ("done" misled readers).
        "addressed" => lang.pick("อยู่ระหว่างดำเนินการ", "In progress"),
        "closed" => lang.pick("ปิดเรื่อง", "Closed"),
        _ => lang.pick("ไม่ทราบสถานะ", "Unknown status"),
    }
}

/// The name of a closing outcome.
pub fn outcome(lang: Lang, code: &str) -> &'static str {
    match code {
        "resolved" => lang.pick("แก้ไขได้แล้ว", "Resolved"),
        "unresolved" => lang.pick("แก้ไขไม่ได้", "Unresolved"),
        "referred" => lang.pick("ส่งต่อหน่วยงานอื่น", "Referred elsewhere"),
        "duplicate" => lang.pick("ซ้ำกับเรื่องอื่น", "Duplicate"),
        "withdrawn" => lang.pick("ผู้เสนอถอนเรื่อง", "Withdrawn"),
        _ => lang.pick("ไม่ทราบผล", "Unknown outcome"),
    }
}

/// A checked-value or rule error, as a sentence for the field it concerns. Codes come from the domain
/// (`ValueError::code`, rule errors) and the application layer; an unknown code falls back to the English
/// message it came with.
pub fn error_message(lang: Lang, code: &str, fallback: &str) -> String {
    let (th, en) = match code {
        // Uploads (issue #17 §4).
        "file_too_large" => ("ไฟล์มีขนาดใหญ่เกินกำหนด", "The file is over the size limit"),
        "unsupported_file_type" => (
            "รับเฉพาะรูปถ่าย (JPEG, PNG, WebP) และเอกสาร PDF เท่านั้น ระบบตรวจจากเนื้อไฟล์ ไม่ใช่ชื่อไฟล์",
            "Only photos (JPEG, PNG, WebP) and PDF documents are accepted, judged by the content, not the name",
        ),
        "unreadable_file" => ("เปิดไฟล์นี้ไม่ได้ ไฟล์อาจเสียหาย", "This file cannot be read; it may be damaged"),
        "empty_file" => ("ไฟล์ว่างเปล่า", "The file is empty"),
        "missing_file" => ("กรุณาเลือกไฟล์", "Choose a file"),
        "unknown_action" | "bad_action" => ("ไม่พบการดำเนินการนี้ในเรื่องนี้", "The issue has no such action"),
        "attachment_erased" => ("ไฟล์ถูกลบพร้อมข้อมูลส่วนบุคคลแล้ว", "The file was erased with the personal data"),
        "attachment_not_found" | "no_thumbnail" => ("ไม่พบไฟล์นี้", "No such file"),
        "empty_value" | "required" => ("กรุณากรอกช่องนี้", "This field is required"),
        "value_too_long" => ("ข้อความยาวเกินกำหนด", "This text is too long"),
        "control_characters" => ("มีอักขระควบคุมที่ใช้ไม่ได้", "Contains control characters"),
        "bad_date" => (
            "วันที่ไม่ถูกต้อง: พิมพ์ วว/ดด/ปปปป เช่น 28/11/2569 (พ.ศ. หรือ ค.ศ. ก็ได้)",
            "Not a valid date: type DD/MM/YYYY, e.g. 28/11/2569 (Buddhist or Common Era)",
        ),
        "bad_participants" | "too_many_participants" => {
            ("จำนวนผู้เข้าร่วมต้องเป็นจำนวนเต็ม 0 ถึง 100000", "Participants must be a whole number from 0 to 100000")
        }
        "held_on_in_future" => ("วันที่จัดเวทียังมาไม่ถึง", "The forum date is in the future"),
        "unknown_area" | "bad_area_id" => ("กรุณาเลือกพื้นที่", "Choose an area"),
        "unknown_category" | "bad_category_code" => ("กรุณาเลือกประเภทปัญหา", "Choose a category"),
        "unknown_outcome" => ("กรุณาเลือกผลการดำเนินการ", "Choose an outcome"),
        "due_before_assignment" => {
            ("วันกำหนดเสร็จต้องไม่ก่อนวันที่มอบหมาย", "The due date cannot be before the day of assignment")
        }
        "resolved_without_action" => (
            "ปิดเรื่องว่า \"แก้ไขได้แล้ว\" ได้ต่อเมื่อมีการบันทึกการดำเนินการแล้ว",
            "An issue can be closed as resolved only after an action was recorded",
        ),
        "issue_closed" => ("เรื่องนี้ปิดแล้ว ต้องเปิดเรื่องใหม่ก่อน", "This issue is closed; reopen it first"),
        "issue_not_assigned" => ("ต้องมอบหมายผู้รับผิดชอบก่อน", "Assign the issue first"),
        "issue_not_closed" => ("เรื่องนี้ยังไม่ปิด", "This issue is not closed"),
        "stale_version" | "concurrent_change" => (STALE.0, STALE.1),
        "at_in_future" => ("เวลาที่ระบุยังมาไม่ถึง", "That time is in the future"),
        "at_before_raise" => ("เวลาที่ระบุอยู่ก่อนวันที่รับเรื่อง", "That time is before the issue was raised"),
        "bad_clock" => ("เวลาไม่ถูกต้อง: พิมพ์ ชช:นน เช่น 14:30", "Not a valid time: type HH:MM, e.g. 14:30"),
        "nothing_to_correct" => (
            "ไม่มีอะไรเปลี่ยน: แก้ชื่อเรื่อง รายละเอียด หรือประเภทอย่างน้อยหนึ่งอย่าง",
            "Nothing changed: correct the title, the description or the category",
        ),
        "forbidden" => ("คุณไม่มีสิทธิ์ทำรายการนี้", "You may not do this"),
        "restriction_unchanged" => ("การจำกัดการเข้าถึงเป็นอย่างนี้อยู่แล้ว", "The restriction is already as asked"),
        "grant_for_other_role" => (
            "ให้สิทธิ์ประเภทปัญหาที่จำกัดการเข้าถึงได้เฉพาะเจ้าหน้าที่และผู้ตรวจสอบ",
            "Restricted categories are granted to staff and auditors only",
        ),
        "password_too_short" => ("รหัสผ่านต้องมีอย่างน้อย 10 ตัวอักษร", "A password needs at least 10 characters"),
        "bad_phone" => (
            "หมายเลขโทรศัพท์ไม่ถูกต้อง: ใช้เบอร์ไทย 9 หรือ 10 หลัก ขึ้นต้นด้วย 0 (หรือ +66) เช่น 081-234-5678",
            "Not a valid phone number: a Thai number of 9 or 10 digits starting with 0 (or +66), e.g. 081-234-5678",
        ),
        "bad_national_id" => (
            "เลขประจำตัวประชาชนไม่ถูกต้อง: ต้องมี 13 หลัก และหลักสุดท้ายต้องตรงกับเลขตรวจสอบ กรุณาตรวจทานอีกครั้ง",
            "Not a valid national ID number: 13 digits whose last is the check digit; check it again",
        ),
        "complainant_mismatch" => (
            "กรอกข้อมูลผู้ร้องเรียนไว้แต่ไม่ได้เลือกแบบนั้น: เลือก “บุคคล” หรือ “กลุ่ม” ให้ตรง หรือลบข้อมูลที่กรอกออก",
            "Complainant details were typed but another choice is selected: choose “A person” or “A group”, or clear them",
        ),
        "already_erased" => ("ข้อมูลส่วนบุคคลนี้ถูกลบไปแล้ว", "This personal data has already been erased"),
        "unknown_subject" => ("ไม่พบข้อมูลบุคคลหรือเรื่องนี้", "No such person record or problem"),
        "not_a_coordinator" => (
            "เฉพาะผู้ประสานงานพื้นที่เท่านั้นที่แจ้งอุปสรรคในการทำงานของตนได้",
            "Only an area coordinator raises an obstacle of their own work",
        ),
        "category_kind_mismatch" => (
            "ประเภทนี้ใช้ไม่ได้กับเรื่องนี้: อุปสรรคของผู้ประสานงานใช้ประเภทอุปสรรค ปัญหาของชุมชนใช้ประเภทปัญหา",
            "This category does not fit: an obstacle takes an obstacle category, a community problem a problem category",
        ),
        "obstacle_worked_by_staff" => (
            "อุปสรรคของผู้ประสานงานดำเนินการโดยเจ้าหน้าที่ ศอ.บต. คุณติดตามความคืบหน้าได้ที่หน้านี้",
            "An obstacle is worked by SBPAC staff; you can follow it on this page",
        ),
        "unknown_agency" => ("ไม่พบหน่วยงานนี้ กรุณาเลือกจากรายการ", "No such agency: choose one from the list"),
        "unknown_routing_rule" => ("ไม่พบกฎการส่งต่อเรื่องนี้", "No such routing rule in force"),
        "routing_rule_mismatch" => (
            "กฎการส่งต่อเรื่องนี้ไม่ใช่ของประเภทปัญหา อำเภอ หรือหน่วยงานนี้",
            "This routing rule is not for this category, district or agency",
        ),
        "rule_without_agency" => ("กฎการส่งต่อเรื่องใช้ได้เมื่อส่งต่อให้หน่วยงาน", "A routing rule is followed only to an agency"),
        "no_assignee" => ("กรุณาระบุผู้รับผิดชอบหรือเลือกหน่วยงาน", "Name a person or choose an agency"),
        "no_agency" => (
            "เรื่องนี้ยังไม่ได้ส่งต่อให้หน่วยงาน: มอบหมายให้หน่วยงานก่อน",
            "This problem is not referred to an agency: assign it to one first",
        ),
        "waiting_unchanged" => ("เรื่องนี้รอฝ่ายนี้อยู่แล้ว", "The problem is already waiting for them"),
        "unknown_party" => ("กรุณาเลือกว่าเรื่องรอใคร", "Choose who the problem is waiting for"),
        "unknown_agency_level" => ("กรุณาเลือกระดับของหน่วยงาน", "Choose the agency's level"),
        "no_districts" => {
            ("หน่วยงานระดับนี้ต้องระบุอำเภอที่รับผิดชอบอย่างน้อยหนึ่งอำเภอ", "An agency of this level covers at least one district")
        }
        "unknown_amphoe" => ("ไม่พบอำเภอนี้", "No such district"),
        "duplicate_agency" => ("มีหน่วยงานชื่อนี้อยู่แล้ว", "An agency of this name is already registered"),
        "agency_unchanged" => ("ไม่มีอะไรเปลี่ยน", "Nothing changed"),
        "routing_rule_unchanged" => ("กฎนี้ส่งต่อให้หน่วยงานนี้อยู่แล้ว", "The rule already routes to this agency"),
        _ => return fallback.to_owned(),
    };
    lang.pick(th, en).to_owned()
}

const TH_MONTHS: [&str; 12] =
    ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
const EN_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A month's short name.
pub fn month(lang: Lang, month0: u32) -> &'static str {
    let i = (month0 as usize).min(11);
    lang.pick(TH_MONTHS[i], EN_MONTHS[i])
}

/// `พ.ย. 2569` in Thai, `Nov 2026` in English.
pub fn month_year(lang: Lang, d: NaiveDate) -> String {
    let year = match lang {
        Lang::Th => d.year() + 543,
        Lang::En => d.year(),
    };
    format!("{} {year}", month(lang, d.month0()))
}

/// `25 พ.ย. 2569` (Buddhist Era) in Thai, `25 Nov 2026` in English.
pub fn date(lang: Lang, d: NaiveDate) -> String {
    let year = match lang {
        Lang::Th => d.year() + 543,
        Lang::En => d.year(),
    };
    format!("{} {} {year}", d.day(), month(lang, d.month0()))
}

/// `28/11/2569` (Thai, Buddhist Era) or `28/11/2026` (English): a date as the date fields take it.
pub fn date_numeric(lang: Lang, d: NaiveDate) -> String {
    let year = match lang {
        Lang::Th => d.year() + 543,
        Lang::En => d.year(),
    };
    format!("{:02}/{:02}/{year}", d.day(), d.month())
}

/// What a typed date was read as, shown beside the date field: the date in words and the era the year was
/// taken to be in.
pub fn understood(lang: Lang, d: NaiveDate, era: santisuk_app::parse::Era) -> String {
    use santisuk_app::parse::Era;
    let words = date(lang, d);
    match (lang, era) {
        (Lang::Th, Era::Buddhist) => format!("= {words} (อ่านเป็น พ.ศ.)"),
        (Lang::Th, Era::Common) => format!("= {words} (อ่านเป็น ค.ศ. {})", d.year()),
        (Lang::En, Era::Buddhist) => format!("= {words} (read as Buddhist Era {})", d.year() + 543),
        (Lang::En, Era::Common) => format!("= {words} (read as Common Era)"),
    }
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
pub const FILTERS: Tr = Tr("ตัวกรอง", "Filters");
pub const RAISED_FROM: Tr = Tr("รับเรื่องตั้งแต่วันที่", "Raised from");
pub const RAISED_TO: Tr = Tr("ถึงวันที่", "Raised until");
pub const OPEN_ONLY: Tr = Tr("เฉพาะเรื่องที่ยังไม่ปิด", "Open only (not closed)");
pub const DASH_SORT_NAME: Tr = Tr("ตามชื่อ", "By name");
pub const DASH_SORT_RATE: Tr = Tr("อัตราการแก้ไข น้อยไปมาก", "Resolution rate, lowest first");
pub const DASH_SORT_OPEN: Tr = Tr("เรื่องค้าง มากไปน้อย", "Open, most first");
pub const DASH_SORT_OVERDUE: Tr = Tr("เกินกำหนด มากไปน้อย", "Overdue, most first");
pub const DASH_CUSTOM_RANGE: Tr = Tr("กำหนดช่วงวันที่เอง", "Custom range");
pub const DASH_RANGE_HINT: Tr = Tr(
    "กำหนดช่วงวันที่เอง: เลือก \"กำหนดช่วงวันที่เอง\" แล้วกรอกวันที่รับเรื่อง เช่น 1/10/2569 ถึง 31/3/2570",
    "Custom range: choose \"Custom range\" and type the raise dates, e.g. 2026-10-01 to 2027-03-31",
);
pub const DASH_RATE_DEF: Tr = Tr(
    "อัตราการแก้ไข คือ จำนวนเรื่องที่ปิดเพราะแก้ไขได้ หารด้วยจำนวนเรื่องทั้งหมดที่รับในช่วงเวลานี้ \
     โดยนับรวมเรื่องที่ยังค้างอยู่ด้วย เดือนล่าสุดจึงมักดูต่ำเพราะหลายเรื่องยังอยู่ระหว่างดำเนินการ",
    "The resolution rate is the issues closed as resolved divided by every issue raised in this period, open \
     ones included, so recent months read low while their issues are still being worked on.",
);
pub const DASH_DOWNLOAD: Tr = Tr("ดาวน์โหลดตารางนี้:", "Download this table:");
pub const DASH_PRINT: Tr = Tr("พิมพ์", "Print");
pub const DASH_MONTH: Tr = Tr("เดือน", "Month");
pub const CLOSED_FROM: Tr = Tr("ปิดเรื่องตั้งแต่วันที่", "Closed from");
pub const CLOSED_TO: Tr = Tr("ถึงวันที่", "Closed until");
pub const DASH_CLOSED_IN: Tr = Tr("แก้ไขได้ในเรื่องที่ปิดในช่วงนี้", "Resolved among those closed in the period");
pub const DASH_CLOSED_IN_DEF: Tr = Tr(
    "ในเรื่องที่ปิดในช่วงเวลานี้ (ไม่ว่ารับเรื่องเมื่อใด) สัดส่วนที่ปิดเพราะแก้ไขได้ \
     ไม่ขึ้นกับเรื่องที่ยังค้าง จึงไม่ทำให้เดือนล่าสุดดูเหมือนแก้ไขไม่ได้",
    "Of the issues closed in this period (whenever they were raised), the share closed as resolved; open \
     issues do not lower it, so recent months are not read as failures.",
);
// --- audit log (issue #13) ------------------------------------------------------------------------------
pub const AUDIT_FILTERS: Tr = Tr("ค้นหาในบันทึกเหตุการณ์", "Search the log");
pub const AUDIT_ISSUE: Tr = Tr("เลขที่เรื่อง", "Case no. or issue id");
pub const AUDIT_ACTOR: Tr = Tr("ผู้ดำเนินการ", "Done by");
pub const AUDIT_ACTOR_HINT: Tr = Tr("ชื่อผู้ใช้", "user name");
pub const AUDIT_TYPE: Tr = Tr("ประเภทเหตุการณ์", "Event type");
pub const AUDIT_FROM: Tr = Tr("บันทึกตั้งแต่วันที่", "Recorded from");
pub const AUDIT_TO: Tr = Tr("ถึงวันที่", "Recorded up to");
pub const AUDIT_ORDER: Tr = Tr("เรียงลำดับ", "Order");
pub const AUDIT_NEWEST: Tr = Tr("ล่าสุดก่อน", "Newest first");
pub const AUDIT_OLDEST: Tr = Tr("เก่าสุดก่อน", "Oldest first");
pub const AUDIT_JUMP_POSITION: Tr = Tr("ไปที่ลำดับ", "Jump to position");
pub const AUDIT_JUMP_DATE: Tr = Tr("ไปที่วันที่", "Jump to date");
pub const AUDIT_GO: Tr = Tr("ไป", "Go");
pub const AUDIT_DOWNLOAD: Tr = Tr("ดาวน์โหลดตามตัวกรองนี้", "Download what these filters show");
pub const AUDIT_CSV: Tr = Tr("CSV สำหรับ Excel", "CSV for spreadsheets");
pub const AUDIT_NDJSON: Tr = Tr("NDJSON (ข้อความตรงตามที่บันทึก)", "NDJSON (exact text)");
pub const AUDIT_HAPPENED: Tr = Tr("เกิดขึ้นเมื่อ", "Happened");
pub const AUDIT_BY: Tr = Tr("ผู้ดำเนินการ", "Done by");
pub const AUDIT_NONE: Tr = Tr("ไม่พบเหตุการณ์ตามเงื่อนไข", "No event matches");
pub const AUDIT_FIRST_PAGE: Tr = Tr("กลับไปหน้าแรก", "Back to the first page");
pub const AUDIT_NO_VALUE: Tr = Tr("ไม่ระบุ", "none");

/// An event type's name in words (the timeline and the event log); an unknown type is shown as stored.
pub fn event(lang: Lang, event_type: &str) -> String {
    let (th, en) = match event_type {
        "IssueRaised" => ("รับเรื่อง", "Issue raised"),
        "IssueAssigned" => ("มอบหมายผู้รับผิดชอบ", "Issue assigned"),
        "IssueAddressed" => ("บันทึกการดำเนินการ", "Action recorded"),
        "IssueClosed" => ("ปิดเรื่อง", "Issue closed"),
        "IssueReopened" => ("เปิดเรื่องใหม่", "Issue reopened"),
        "IssueCorrected" => ("แก้ไขข้อมูลเรื่อง", "Record corrected"),
        "PersonalDataErased" => ("ลบข้อมูลส่วนบุคคล", "Personal data erased"),
        "ForumHeld" => ("บันทึกเวทีรับฟังปัญหา", "Forum recorded"),
        "AreaRegistered" => ("ลงทะเบียนพื้นที่เป้าหมาย", "Area registered"),
        "AreaReached" => ("บันทึกการขยายผลจากพื้นที่อื่น", "Area reached from another"),
        "CategoryAdded" => ("เพิ่มประเภทปัญหา", "Category added"),
        "UserCreated" => ("สร้างผู้ใช้", "User created"),
        "UserAreasChanged" => ("เปลี่ยนพื้นที่ที่ผู้ใช้ดูแล", "User's areas changed"),
        "TokenIssued" => ("ออกโทเค็นสำหรับ API", "API token issued"),
        "PasswordSet" => ("ตั้งรหัสผ่าน", "Password set"),
        "UserDeactivated" => ("ระงับการใช้งานผู้ใช้", "User deactivated"),
        "IssueRestrictionChanged" => ("เปลี่ยนการจำกัดการเข้าถึงเรื่อง", "Case restriction changed"),
        "CategoryRestrictionChanged" => ("เปลี่ยนการจำกัดการเข้าถึงประเภทปัญหา", "Category restriction changed"),
        "RestrictedCategoriesGranted" => ("ให้สิทธิ์ดูประเภทปัญหาที่จำกัดการเข้าถึง", "Restricted categories granted"),
        "ForumParticipationRecorded" => ("บันทึกผู้เข้าร่วมตามภาคีเครือข่าย", "Participation recorded"),
        "OrganisationRegistered" => ("ลงทะเบียนองค์กร", "Organisation registered"),
        "OrganisationApproved" => ("อนุมัติองค์กร", "Organisation approved"),
        "OrganisationUpdated" => ("แก้ไของค์กร", "Organisation updated"),
        "IssueWaitingChanged" => ("เปลี่ยนผู้ที่เรื่องรออยู่", "Waiting for changed"),
        "AgencyRegistered" => ("ลงทะเบียนหน่วยงาน", "Agency registered"),
        "AgencyUpdated" => ("แก้ไขหน่วยงาน", "Agency updated"),
        "RoutingRuleSet" => ("ตั้งกฎการส่งต่อเรื่อง", "Routing rule set"),
        "RoutingRuleRemoved" => ("ยกเลิกกฎการส่งต่อเรื่อง", "Routing rule removed"),
        "IssueEscalated" => ("ยกระดับเรื่องที่เกินกำหนด", "Issue escalated"),
        "ServiceLevelSet" => ("กำหนดระยะเวลามาตรฐานของประเภทปัญหา", "Service level set"),
        // Issue #17 §3, §6.
        "IssueMarkedDuplicate" => ("บันทึกว่าเป็นเรื่องซ้ำ", "Marked a duplicate"),
        "CommunityVerdictRecorded" => ("บันทึกความเห็นของชุมชน", "Community verdict recorded"),
        "AttachmentAdded" => ("แนบรูปภาพหรือเอกสาร", "Photo or document attached"),
        other => return other.to_owned(),
    };
    lang.pick(th, en).to_owned()
}

/// What kind of record an event belongs to (the aggregate type); an unknown one as stored.
pub fn audit_record(lang: Lang, aggregate_type: &str) -> String {
    let (th, en) = match aggregate_type {
        "Issue" => ("เรื่อง", "Issue"),
        "Forum" => ("เวที", "Forum"),
        "Area" => ("พื้นที่", "Area"),
        "Category" => ("ประเภทปัญหา", "Category"),
        "User" => ("ผู้ใช้", "User"),
        "Organisation" => ("องค์กร", "Organisation"),
        "Agency" => ("หน่วยงาน", "Agency"),
        "RoutingRule" => ("กฎการส่งต่อเรื่อง", "Routing rule"),
        other => return other.to_owned(),
    };
    lang.pick(th, en).to_owned()
}

/// The label of an event's field; an unknown field is shown by its name.
pub fn audit_field(lang: Lang, event_type: &str, field: &str) -> String {
    let (th, en) = match (event_type, field) {
        ("ForumHeld", "title") => FORUM_TITLE.pair(),
        (_, "area_id") => AREA.pair(),
        (_, "category") => CATEGORY.pair(),
        (_, "title") => TITLE.pair(),
        (_, "description") => DESCRIPTION.pair(),
        (_, "forum_id") => FORUM.pair(),
        (_, "raised_by") => RAISED_BY.pair(),
        (_, "case_number") => CASE_NUMBER.pair(),
        (_, "assignee") => ASSIGNEE.pair(),
        (_, "due_on") => DUE_ON.pair(),
        (_, "note") => NOTE.pair(),
        (_, "action") => ACTION_TAKEN.pair(),
        (_, "outcome") => OUTCOME.pair(),
        (_, "reason") => REASON.pair(),
        (_, "held_on") => FORUM_HELD_ON.pair(),
        (_, "facilitator") => FACILITATOR.pair(),
        (_, "head_count" | "participants") => PARTICIPANTS.pair(),
        (_, "name_th") => ("ชื่อภาษาไทย", "Thai name"),
        (_, "name_en") => ("ชื่อภาษาอังกฤษ", "English name"),
        (_, "amphoe_code") => DISTRICT.pair(),
        (_, "province_code") => PROVINCE.pair(),
        (_, "tambon_code") => ("ตำบล", "Subdistrict"),
        (_, "name") => USER_NAME.pair(),
        (_, "role") => ("บทบาท", "Role"),
        (_, "areas") => ("พื้นที่ที่ดูแล", "Areas"),
        (_, "token_sha256") => ("ค่าแฮชของโทเค็น (SHA-256)", "Token hash (SHA-256)"),
        (_, "restricted") => RESTRICTED.pair(),
        (_, "categories") => GRANTED_CATEGORIES.pair(),
        (_, "complainant") => ("ผู้ร้องเรียน (รหัสบุคคล)", "Complainant (person id)"),
        (_, "kind") => ("ประเภทองค์กร", "Kind"),
        (_, "area_ids") => ("พื้นที่ที่ทำงาน", "Areas it works in"),
        (_, "proposed") => ("เสนอโดยผู้ประสานงาน (รออนุมัติ)", "Proposed (awaiting approval)"),
        (_, "participation") => ("ผู้เข้าร่วมตามภาคีเครือข่าย", "Participants by partner group"),
        (_, "subject") => ("บุคคล (รหัส)", "Person (id)"),
        (_, "legal_basis") => LEGAL_BASIS.pair(),
        (_, "keys") => KEYS_DESTROYED.pair(),
        (_, "agency") => AGENCY.pair(),
        (_, "rule") => ROUTING_RULE.pair(),
        (_, "waiting_for") => WAITING_FOR.pair(),
        (_, "level") => AGENCY_LEVEL.pair(),
        (_, "districts") => AGENCY_DISTRICTS.pair(),
        (_, "district") => DISTRICT.pair(),
        (_, "contact") => AGENCY_CONTACT.pair(),
        (_, "of") => ("เป็นเรื่องซ้ำกับ", "Duplicate of"),
        (_, "verdict") => ("ความเห็นของชุมชน", "Community verdict"),
        (_, other) => return other.to_owned(),
    };
    lang.pick(th, en).to_owned()
}

impl Tr {
    /// Both languages, for tables of pairs.
    pub fn pair(self) -> (&'static str, &'static str) {
        (self.0, self.1)
    }
}

// --- administration (users, areas, categories) and error pages ----------------------------------------
pub const NAV_ADMIN: Tr = Tr("ผู้ดูแลระบบ", "Administration");
pub const ADMIN_USERS: Tr = Tr("ผู้ใช้", "Users");
pub const ADMIN_AREAS: Tr = Tr("พื้นที่เป้าหมาย", "Target areas");
pub const ADMIN_CATEGORIES: Tr = Tr("ประเภทปัญหา", "Categories");
pub const ROLE: Tr = Tr("บทบาท", "Role");
pub const ACTIVE: Tr = Tr("สถานะบัญชี", "Account");
pub const ACTIVE_YES: Tr = Tr("ใช้งานอยู่", "Active");
pub const ACTIVE_NO: Tr = Tr("ระงับแล้ว", "Deactivated");
pub const EVERY_AREA: Tr = Tr("ทุกพื้นที่", "Every area");
pub const AREAS_HINT: Tr = Tr("เฉพาะผู้ประสานงานพื้นที่ ต้องเลือกอย่างน้อยหนึ่งพื้นที่", "coordinators only, at least one area");
pub const USER_NEW: Tr = Tr("เพิ่มผู้ใช้", "Add a user");
pub const USER_CREATE: Tr = Tr("เพิ่มผู้ใช้", "Create the user");
pub const USER_NAME_HINT: Tr = Tr("ตัวอักษร ตัวเลข . _ หรือ - ไม่เกิน 64 ตัว", "letters, digits, '.', '_' or '-', at most 64");
pub const INITIAL_PASSWORD: Tr = Tr("รหัสผ่านเริ่มต้นสำหรับเว็บ", "Initial web password");
pub const INITIAL_PASSWORD_HINT: Tr =
    Tr("อย่างน้อย 10 ตัวอักษร เว้นว่างได้ถ้าใช้เฉพาะ API", "at least 10 characters; leave empty for an API-only account");
pub const USER_CREATED: Tr = Tr("เพิ่มผู้ใช้แล้ว", "User created");
pub const MANAGE_USER: Tr = Tr("จัดการผู้ใช้นี้", "Manage this user");
pub const API_TOKEN: Tr = Tr("โทเค็น API", "API token");
pub const TOKEN_COPY_NOW: Tr = Tr(
    "คัดลอกโทเค็นนี้เก็บไว้ทันที ระบบจะไม่แสดงอีก (เก็บไว้เพียงค่าแฮช) หากทำหาย ให้ออกโทเค็นใหม่",
    "Copy this token now: it is not shown again (only its hash is stored). If it is lost, issue a new one",
);
pub const TOKEN_ALREADY_SHOWN: Tr = Tr(
    "แบบฟอร์มนี้ถูกส่งไปแล้วและดำเนินการเรียบร้อยก่อนหน้านี้ โทเค็นแสดงเพียงครั้งเดียวในครั้งแรก หากไม่ได้คัดลอกไว้ ให้ออกโทเค็นใหม่",
    "This form was already sent and done. The token was shown once, the first time; if it was not copied, issue a new one",
);
pub const SET_AREAS: Tr = Tr("กำหนดพื้นที่รับผิดชอบ", "Set areas");
pub const SAVE: Tr = Tr("บันทึก", "Save");
pub const AREAS_SAVED: Tr = Tr("บันทึกพื้นที่แล้ว", "The areas are saved");
pub const ROLE_SEES_EVERY_AREA: Tr =
    Tr("บทบาทนี้เห็นทุกพื้นที่ ไม่ต้องกำหนดพื้นที่", "This role sees every area; it has no areas to set");
pub const RESET_PASSWORD: Tr = Tr("ตั้งรหัสผ่านใหม่", "Reset the password");
pub const NEW_PASSWORD: Tr = Tr("รหัสผ่านใหม่", "New password");
pub const PASSWORD_RULE: Tr = Tr("10 ถึง 256 ตัวอักษร", "10 to 256 characters");
pub const PASSWORD_ENDS_SESSIONS: Tr = Tr("ผู้ใช้จะถูกออกจากระบบในทุกเครื่อง", "The user is signed out everywhere");
pub const PASSWORD_SAVED: Tr = Tr("ตั้งรหัสผ่านใหม่แล้ว", "The password is set");
pub const ROTATE_TOKEN: Tr = Tr("ออกโทเค็น API ใหม่", "Issue a new API token");
pub const ROTATE_TOKEN_HINT: Tr = Tr("โทเค็นเดิมจะใช้ไม่ได้ทันที", "The current token stops working at once");
pub const TOKEN_ROTATED: Tr = Tr("ออกโทเค็นใหม่แล้ว", "New token issued");
pub const DEACTIVATE: Tr = Tr("ระงับบัญชี", "Deactivate");
pub const DEACTIVATE_ASK: Tr = Tr("ระงับบัญชี", "Deactivate");
pub const DEACTIVATE_HINT: Tr = Tr(
    "โทเค็น API และการเข้าสู่ระบบเว็บของผู้ใช้จะใช้ไม่ได้ทันที และย้อนกลับไม่ได้ ประวัติการทำงานยังอยู่ครบ",
    "Their API token and web sign-in stop working at once, for good; their history stays",
);
pub const DEACTIVATE_CONFIRM: Tr = Tr("ยืนยัน ระงับบัญชีนี้", "Yes, deactivate this account");
pub const CANCEL: Tr = Tr("ยกเลิก", "Cancel");
pub const USER_DEACTIVATED: Tr = Tr("ระงับบัญชีแล้ว", "The account is deactivated");
pub const USER_IS_DEACTIVATED: Tr =
    Tr("บัญชีนี้ถูกระงับแล้ว เปลี่ยนแปลงไม่ได้อีก", "This account is deactivated and can no longer be changed");
pub const AREA_CODE: Tr = Tr("รหัสพื้นที่", "Area code");
pub const AREA_CODE_HINT: Tr = Tr("A–Z a–z 0–9 หรือ - ไม่เกิน 32 ตัว เช่น PTN-01", "A–Z, a–z, 0–9 or '-', e.g. PTN-01");
pub const NAME_TH: Tr = Tr("ชื่อภาษาไทย", "Thai name");
pub const NAME_EN: Tr = Tr("ชื่อภาษาอังกฤษ", "English name");
pub const SUBDISTRICT: Tr = Tr("ตำบล", "Subdistrict");
pub const SUBDISTRICT_HINT: Tr =
    Tr("รหัส 6 หลักของกรมการปกครอง เช่น 940101 ไม่บังคับ", "DOPA code of 6 digits, e.g. 940101; optional");
pub const AREA_NEW: Tr = Tr("ลงทะเบียนพื้นที่เป้าหมาย", "Register a target area");
pub const AREA_REGISTER: Tr = Tr("ลงทะเบียนพื้นที่", "Register the area");
pub const AREA_SAVED: Tr = Tr("ลงทะเบียนพื้นที่แล้ว", "Area registered");
pub const CATEGORY_CODE: Tr = Tr("รหัสประเภท", "Category code");
pub const CATEGORY_CODE_HINT: Tr = Tr("A–Z 0–9 หรือ _ 2 ถึง 16 ตัว เช่น LIV", "2–16 of A–Z, 0–9 or '_', e.g. LIV");
pub const CATEGORY_NEW: Tr = Tr("เพิ่มประเภทปัญหา", "Add a category");
pub const CATEGORY_ADD: Tr = Tr("เพิ่มประเภท", "Add the category");
pub const CATEGORY_SAVED: Tr = Tr("เพิ่มประเภทปัญหาแล้ว", "Category added");
pub const HOME: Tr = Tr("กลับหน้าแรก", "Home");

/// The heading of an error page by its status.
pub fn error_heading(status: axum::http::StatusCode) -> Tr {
    use axum::http::StatusCode as S;
    match status {
        S::NOT_FOUND => Tr("ไม่พบสิ่งที่ต้องการ", "Not found"),
        S::FORBIDDEN => Tr("คุณไม่มีสิทธิ์เข้าถึง", "Not allowed"),
        S::BAD_REQUEST | S::UNPROCESSABLE_ENTITY => Tr("คำขอไม่ถูกต้อง", "The request is not valid"),
        S::PAYLOAD_TOO_LARGE => Tr("ข้อมูลที่ส่งมีขนาดใหญ่เกินไป", "What was sent is too large"),
        S::CONFLICT => Tr("สถานะเปลี่ยนไปแล้ว", "The state has changed"),
        S::SERVICE_UNAVAILABLE | S::TOO_MANY_REQUESTS => {
            Tr("ระบบไม่ว่างในขณะนี้ กรุณาลองใหม่อีกครั้ง", "Busy right now; please try again in a moment")
        }
        _ => Tr("เกิดข้อผิดพลาดในระบบ", "Something went wrong on our side"),
    }
}

/// [`error_message`], and the codes of administration and of error pages (an unknown code gives
/// `fallback`: an error page in Thai passes "" rather than the English message).
pub fn admin_error(lang: Lang, code: &str, fallback: &str) -> String {
    let (th, en) = match code {
        "bad_user_name" => {
            ("ชื่อผู้ใช้ต้องเป็นตัวอักษร ตัวเลข . _ หรือ - 1 ถึง 64 ตัว", "A user name is 1–64 letters, digits, '.', '_' or '-'")
        }
        "user_exists" => ("มีผู้ใช้ชื่อนี้แล้ว", "A user of this name exists"),
        "unknown_role" => ("กรุณาเลือกบทบาท", "Choose a role"),
        "coordinator_without_area" => ("ผู้ประสานงานพื้นที่ต้องมีอย่างน้อยหนึ่งพื้นที่", "A coordinator needs at least one area"),
        "areas_for_other_role" => {
            ("กำหนดพื้นที่ได้เฉพาะผู้ประสานงานพื้นที่ บทบาทอื่นเห็นทุกพื้นที่", "Only coordinators have areas; other roles see every area")
        }
        "unknown_area" => ("ไม่มีพื้นที่นี้ในระบบ", "No such area"),
        "password_too_long" => ("รหัสผ่านยาวได้ไม่เกิน 256 ตัวอักษร", "A password has at most 256 characters"),
        "password_control_characters" => ("รหัสผ่านมีอักขระควบคุมที่ใช้ไม่ได้", "A password must not contain control characters"),
        "last_admin" => (
            "นี่คือผู้ดูแลระบบคนสุดท้ายที่ใช้งานอยู่ ต้องเพิ่มผู้ดูแลระบบคนอื่นก่อน",
            "This is the last active administrator; make another one first",
        ),
        "user_deactivated" => ("บัญชีนี้ถูกระงับแล้ว", "This account is deactivated"),
        "user_not_found" => ("ไม่พบผู้ใช้นี้", "No such user"),
        "idempotency_key_reused" => (
            "แบบฟอร์มนี้เคยถูกส่งด้วยข้อมูลอื่นแล้ว กรุณาตรวจสอบแล้วส่งอีกครั้ง",
            "This form was already sent with other values; check it and send it again",
        ),
        "bad_area_id" => {
            ("รหัสพื้นที่ต้องเป็น A–Z a–z 0–9 หรือ - 1 ถึง 32 ตัว", "An area code is 1–32 characters of A–Z, a–z, 0–9 or '-'")
        }
        "area_exists" => ("มีพื้นที่รหัสนี้แล้ว", "An area with this code exists"),
        "reached_from_itself" => ("พื้นที่ขยายผลจากตัวเองไม่ได้", "An area cannot be reached from itself"),
        "reach_cycle" => (
            "พื้นที่ต้นทางเป็นพื้นที่ที่ขยายผลมาจากพื้นที่นี้ การบันทึกจะทำให้วนกลับ",
            "The other area was itself reached from this one: the mark would make a cycle",
        ),
        "reached_in_future" => ("วันที่ขยายผลต้องไม่เกินวันนี้", "The day it was reached cannot be in the future"),
        "area_not_found" => ("ไม่มีพื้นที่นี้ในระบบ", "No such area"),
        "unknown_amphoe" => ("กรุณาเลือกอำเภอ", "Choose a district"),
        "unknown_tambon" => ("ไม่มีตำบลรหัสนี้ในอำเภอที่เลือก", "No subdistrict of this code in the district chosen"),
        "bad_category_code" => {
            ("รหัสประเภทต้องเป็น A–Z 0–9 หรือ _ 2 ถึง 16 ตัว", "A category code is 2–16 characters of A–Z, 0–9 or '_'")
        }
        "category_exists" => ("มีประเภทรหัสนี้แล้ว", "A category with this code exists"),
        _ => return error_message(lang, code, fallback),
    };
    lang.pick(th, en).to_owned()
}

// --- coordinators' obstacles (issue #16) ----------------------------------------------------------------

pub const NAV_OBSTACLES: Tr = Tr("อุปสรรค", "Obstacles");
pub const OBSTACLES: Tr = Tr("อุปสรรคของผู้ประสานงาน", "Coordinators' obstacles");
pub const OBSTACLE_LABEL: Tr = Tr("อุปสรรคของผู้ประสานงาน", "Coordinator's obstacle");
pub const OBSTACLES_INTRO: Tr = Tr(
    "อุปสรรคในการทำงานของผู้ประสานงานพื้นที่ที่แจ้งถึงส่วนกลาง ศอ.บต. แยกจากปัญหาของชุมชน ไม่นับรวมในรายการและสถิติของปัญหาชุมชน",
    "Obstacles area coordinators meet in their own work, addressed to SBPAC's central office; kept apart from community problems and counted in none of their lists or statistics",
);
pub const OBSTACLES_OWN: Tr = Tr("อุปสรรคที่คุณแจ้งไว้", "The obstacles you raised");
pub const OBSTACLE_NEW: Tr = Tr("แจ้งอุปสรรค", "Raise an obstacle");
pub const OBSTACLE_CATEGORY: Tr = Tr("ประเภทอุปสรรค", "Kind of obstacle");
pub const OBSTACLE_RAISE: Tr = Tr("ส่งถึง ศอ.บต.", "Send to SBPAC");
pub const NO_OBSTACLES: Tr = Tr("ไม่มีอุปสรรคตามเงื่อนไข", "No obstacle matches");
pub const OBSTACLE_RAISED_BY: Tr = Tr("ผู้แจ้ง", "Raised by");
pub const ALL_OBSTACLES: Tr = Tr("ทั้งหมด", "All");
pub const AS_OF_DAY: Tr = Tr("ณ วันที่", "As of");
pub const SHOW: Tr = Tr("แสดง", "Show");
pub const OBSTACLE_HINT: Tr = Tr(
    "อย่าใส่ชื่อบุคคลในหัวข้อ ระบุว่างานใดติดขัดและต้องการให้ส่วนกลางช่วยอะไร",
    "Do not name people in the title; say what work is held up and what help you need from the centre",
);

// --- agencies and referral (issue #17 §1) ---------------------------------------------------------------
pub const AGENCY: Tr = Tr("หน่วยงาน", "Agency");
pub const AGENCIES: Tr = Tr("หน่วยงาน", "Agencies");
pub const AGENCY_LEVEL: Tr = Tr("ระดับ", "Level");
pub const AGENCY_DISTRICTS: Tr = Tr("อำเภอที่รับผิดชอบ", "Districts covered");
pub const AGENCY_ALL_DISTRICTS: Tr = Tr("ทุกอำเภอ", "Every district");
pub const AGENCY_CONTACT: Tr = Tr("ช่องทางติดต่อ", "Contact");
pub const AGENCY_NEW: Tr = Tr("ลงทะเบียนหน่วยงาน", "Register an agency");
pub const AGENCY_EDIT: Tr = Tr("แก้ไขหน่วยงาน", "Change the agency");
pub const ASSIGNEE_OR_AGENCY: Tr =
    Tr("ชื่อผู้รับผิดชอบ เว้นว่างได้เมื่อเลือกหน่วยงาน", "A person's name; may be left blank when an agency is chosen");
pub const AGENCY_NONE: Tr = Tr("ไม่ระบุหน่วยงาน", "No agency");
pub const AGENCY_DISTRICTS_HINT: Tr = Tr(
    "เลือกได้หลายอำเภอ (กด Ctrl หรือ ⌘ ค้างไว้); หน่วยงานระดับภาคหรือส่วนกลางไม่ต้องเลือก หมายถึงทุกอำเภอ",
    "Pick several with Ctrl or ⌘; a regional or national agency may pick none, meaning every district",
);
pub const ROUTING_RULE: Tr = Tr("กฎการส่งต่อเรื่อง", "Routing rule");
pub const ROUTING_RULES: Tr =
    Tr("กฎการส่งต่อเรื่อง (ประเภทปัญหา × อำเภอ → หน่วยงาน)", "Routing rules (category × district → agency)");
pub const ROUTING_SET: Tr = Tr("ตั้งกฎ", "Set the rule");
pub const ROUTING_REMOVE: Tr = Tr("ยกเลิกกฎ", "Remove");
pub const ROUTING_NONE: Tr = Tr("ยังไม่มีกฎการส่งต่อเรื่อง", "No routing rules yet");
pub const SUGGESTED_AGENCY: Tr = Tr("หน่วยงานที่แนะนำตามกฎการส่งต่อเรื่อง", "Agency suggested by the routing rules");
pub const SUGGESTED_NONE: Tr =
    Tr("ไม่มีกฎการส่งต่อเรื่องสำหรับประเภทปัญหาและอำเภอนี้", "No routing rule for this category and district");
pub const WAITING_FOR: Tr = Tr("รอใครอยู่", "Waiting for");
pub const WAITING_SET: Tr = Tr("บันทึกว่าเรื่องรอใคร", "Record who it is waiting for");
pub const WAITING_NOBODY: Tr = Tr("ไม่มี (ปิดเรื่องแล้ว)", "Nobody (closed)");
pub const CUSTODY_TITLE: Tr = Tr("เรื่องอยู่ที่ใคร (ระยะเวลาที่แต่ละฝ่ายถือเรื่อง)", "Ball in court: time with each party");
pub const CUSTODY_HINT: Tr = Tr(
    "จำนวนวันที่ปัญหารอแต่ละฝ่าย: ศอ.บต. หน่วยงานที่รับเรื่อง หรือชุมชน นับจากรับเรื่องจนปิดเรื่อง (เรื่องที่ยังเปิดนับถึงปัจจุบัน)",
    "Days the problems waited for each party (SBPAC, the agency referred to, or the community), from raise to closure (open ones up to now)",
);
pub const CUSTODY_PROBLEMS: Tr = Tr("จำนวนเรื่อง", "Problems");
pub const CUSTODY_MEAN: Tr = Tr("เฉลี่ยวันต่อเรื่อง", "Mean days per problem");
pub const CUSTODY_DAYS: Tr = Tr("รวมวัน", "Total days");
pub const CUSTODY_WAITING_NOW: Tr = Tr("รออยู่ตอนนี้", "Waiting now");
pub const CUSTODY_BY_AGENCY: Tr = Tr("ตามหน่วยงาน", "By agency");
pub const CUSTODY_BY_CATEGORY: Tr = Tr("ตามประเภทปัญหา", "By category");

/// The name of a party a problem waits for.
pub fn party(lang: Lang, code: &str) -> &'static str {
    match code {
        "sbpac" => lang.pick("ศอ.บต.", "SBPAC"),
        "agency" => lang.pick("หน่วยงานที่รับเรื่อง", "The agency"),
        "community" => lang.pick("ชุมชน", "The community"),
        _ => lang.pick("ไม่ทราบ", "Unknown"),
    }
}

/// The name of an agency level.
pub fn agency_level(lang: Lang, code: &str) -> &'static str {
    match code {
        "tambon" => lang.pick("ตำบล", "Subdistrict"),
        "amphoe" => lang.pick("อำเภอ", "District"),
        "province" => lang.pick("จังหวัด", "Province"),
        "region" => lang.pick("ภาค", "Region"),
        "national" => lang.pick("ส่วนกลาง", "National"),
        _ => lang.pick("ไม่ทราบ", "Unknown"),
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
}
