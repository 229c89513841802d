//! The words of the printed forum report and the complainant's receipt (issue #18 §3, §4), in Thai, English
//! and Malay (Rumi script): the papers that go back to villagers, in the language they read most easily.
//!
//! The Malay is machine-drafted and needs review by a native speaker before it is relied on.

/// The language a paper is printed in: `th` (default), `en` or `ms` (Malay in Rumi script).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrintLang {
    #[default]
    Th,
    En,
    Ms,
}

impl PrintLang {
    pub fn parse(code: &str) -> Option<PrintLang> {
        match code {
            "th" => Some(PrintLang::Th),
            "en" => Some(PrintLang::En),
            "ms" => Some(PrintLang::Ms),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PrintLang::Th => "th",
            PrintLang::En => "en",
            PrintLang::Ms => "ms",
        }
    }
}

/// One string in the three languages.
#[derive(Debug, Clone, Copy)]
pub struct P3(pub &'static str, pub &'static str, pub &'static str);

impl P3 {
    pub fn get(self, lang: PrintLang) -> &'static str {
        match lang {
            PrintLang::Th => self.0,
            PrintLang::En => self.1,
            PrintLang::Ms => self.2,
        }
    }
}

pub const REPORT_TITLE: P3 = P3("รายงานผลเวทีรับฟังปัญหา", "Forum report", "Laporan forum");
pub const REPORT_FOR_COMMUNITY: P3 = P3(
    "สำหรับส่งคืนชุมชนและเก็บเป็นหลักฐาน",
    "To hand back to the community and to file",
    "Untuk diserahkan kembali kepada komuniti dan untuk difailkan",
);
pub const FORUM_DETAILS: P3 = P3("รายละเอียดเวที", "The forum", "Butiran forum");
pub const HELD_ON: P3 = P3("วันที่จัดเวที", "Held on", "Tarikh forum");
pub const FORUM_NAME: P3 = P3("ชื่อเวที", "Forum", "Forum");
pub const AREA: P3 = P3("พื้นที่", "Area", "Kawasan");
pub const DISTRICT: P3 = P3("อำเภอ", "District", "Daerah");
pub const PROVINCE: P3 = P3("จังหวัด", "Province", "Wilayah");
pub const FACILITATOR: P3 = P3("ผู้ดำเนินเวที", "Facilitator", "Fasilitator");
pub const PARTICIPANTS: P3 = P3("จำนวนผู้เข้าร่วม", "Participants", "Bilangan peserta");
pub const PARTICIPANTS_NOT_RECORDED: P3 = P3("ไม่ได้บันทึก", "not recorded", "tidak direkodkan");
pub const SBPAC_STAFF: P3 = P3("เจ้าหน้าที่ ศอ.บต.", "SBPAC staff", "Kakitangan SBPAC");
pub const COORDINATORS: P3 = P3("ผู้ประสานงานอำเภอ", "District coordinators", "Penyelaras daerah");
pub const LEADERS: P3 = P3("ผู้นำชุมชน", "Community leaders", "Pemimpin komuniti");
pub const VILLAGERS: P3 = P3("ชาวบ้าน", "Villagers", "Penduduk kampung");
pub const WOMEN: P3 = P3("หญิง", "women", "wanita");
pub const MEN: P3 = P3("ชาย", "men", "lelaki");
pub const ORGANISATIONS: P3 = P3("องค์กรที่เข้าร่วม", "Organisations", "Organisasi yang menyertai");
pub const PEOPLE: P3 = P3("คน", "people", "orang");

pub const RAISED_HEADING: P3 =
    P3("ปัญหาที่ได้รับแจ้งในเวทีนี้", "Problems raised at this forum", "Masalah yang dibangkitkan di forum ini");
pub const RAISED_NONE: P3 =
    P3("ไม่มีปัญหาที่ได้รับแจ้งในเวทีนี้", "No problem was raised at this forum", "Tiada masalah dibangkitkan di forum ini");
pub const CLOSED_HEADING: P3 = P3(
    "เรื่องในพื้นที่ที่ปิดแล้วตั้งแต่เวทีครั้งก่อน",
    "Problems of the area closed since the previous forum",
    "Masalah kawasan ini yang ditutup sejak forum yang lalu",
);
pub const CLOSED_FIRST: P3 = P3(
    "เรื่องในพื้นที่ที่ปิดแล้ว (เวทีแรกของพื้นที่)",
    "Closed problems of the area (its first forum)",
    "Masalah kawasan ini yang telah ditutup (forum pertamanya)",
);
pub const CLOSED_SINCE: P3 = P3("ตั้งแต่เวทีวันที่", "since the forum of", "sejak forum pada");
pub const CLOSED_ASK: P3 = P3(
    "ขอให้ชุมชนพิจารณาว่าแต่ละเรื่องได้รับการแก้ไขแล้วจริงหรือไม่",
    "The community is asked whether each of them was really resolved",
    "Komuniti diminta menilai sama ada setiap masalah ini benar-benar telah diselesaikan",
);
pub const CLOSED_NONE: P3 = P3(
    "ไม่มีเรื่องที่ปิดให้ชุมชนพิจารณา",
    "No closed problem for the community to judge",
    "Tiada masalah yang ditutup untuk dinilai oleh komuniti",
);
pub const CATEGORY: P3 = P3("ประเภท", "Category", "Kategori");
pub const STATUS: P3 = P3("สถานะ", "Status", "Status");
pub const OUTCOME: P3 = P3("ผล", "Outcome", "Keputusan");
pub const DESCRIPTION: P3 = P3("รายละเอียด", "Details", "Butiran");
pub const ACTION: P3 = P3("การดำเนินการเมื่อ", "Action taken on", "Tindakan pada");
pub const RESPONSIBLE: P3 = P3("ผู้รับผิดชอบ", "Responsible", "Dipertanggungjawabkan kepada");
pub const NOT_YET_ASSIGNED: P3 = P3("ยังไม่ได้มอบหมาย", "not yet assigned", "belum diserahkan");
pub const DUE_ON: P3 = P3("กำหนดเสร็จ", "Due", "Tarikh sasaran");
pub const RAISED_ON: P3 = P3("วันที่แจ้ง", "Raised on", "Tarikh dibangkitkan");
pub const CLOSED_ON: P3 = P3("ปิดเมื่อ", "Closed on", "Ditutup pada");
pub const VERDICT: P3 = P3("ความเห็นของชุมชน", "Community verdict", "Pandangan komuniti");
pub const VERDICT_BLANK: P3 = P3(
    "ความเห็นของชุมชน:  [   ] แก้ไขแล้ว   [   ] ยังไม่ได้แก้ไข",
    "Community verdict:  [   ] resolved   [   ] not resolved",
    "Pandangan komuniti:  [   ] selesai   [   ] belum selesai",
);
pub const LEFT_OUT: P3 = P3(
    "รายงานนี้ไม่แสดงชื่อหรือข้อมูลส่วนบุคคลของผู้แจ้งเรื่อง และไม่แสดงเรื่องที่เป็นความลับ",
    "This report shows no complainant's name or personal details, and no restricted case",
    "Laporan ini tidak memaparkan nama atau butiran peribadi pengadu, dan tiada kes terhad",
);
pub const PAGE_OF: P3 = P3("หน้า {n} จาก {total}", "Page {n} of {total}", "Halaman {n} daripada {total}");
pub const PRINT: P3 = P3("พิมพ์", "Print", "Cetak");
pub const DOWNLOAD_PDF: P3 = P3("ดาวน์โหลด PDF", "Download PDF", "Muat turun PDF");
pub const LANGUAGE: P3 = P3("ภาษา", "Language", "Bahasa");
pub const BACK: P3 = P3("กลับ", "Back", "Kembali");
pub const PRINT_REPORT: P3 = P3("รายงานสำหรับพิมพ์", "Printable report", "Laporan untuk dicetak");
pub const PRINT_RECEIPT: P3 = P3("ใบรับเรื่องสำหรับผู้แจ้ง", "Receipt for the complainant", "Resit untuk pengadu");

pub const RECEIPT_TITLE: P3 = P3("ใบรับเรื่อง", "Receipt for your problem", "Resit aduan");
pub const RECEIPT_THANKS: P3 = P3(
    "ศอ.บต. ได้รับเรื่องของท่านแล้ว โปรดเก็บใบนี้ไว้",
    "SBPAC has received your problem. Please keep this receipt.",
    "SBPAC telah menerima aduan anda. Sila simpan resit ini.",
);
pub const REFERENCE: P3 = P3("เลขที่อ้างอิง", "Reference number", "Nombor rujukan");
pub const PROBLEM: P3 = P3("เรื่อง", "Problem", "Perkara");
pub const RESTRICTED_TITLE: P3 = P3(
    "(เรื่องนี้เป็นความลับ จึงไม่พิมพ์รายละเอียด)",
    "(a restricted case: its details are not printed)",
    "(kes terhad: butirannya tidak dicetak)",
);
pub const RAISED_AT_FORUM: P3 = P3("แจ้งในเวทีวันที่", "Raised at the forum of", "Dibangkitkan di forum pada");
pub const WHAT_NEXT: P3 = P3("ขั้นตอนต่อไป", "What happens next", "Langkah seterusnya");
pub const NEXT_RAISED: P3 = P3(
    "ผู้ประสานงานอำเภอจะส่งเรื่องของท่านไปยังหน่วยงานที่รับผิดชอบ และจะรายงานความคืบหน้าในเวทีครั้งถัดไปของพื้นที่",
    "The district coordinator will pass your problem to the agency responsible, and will report its progress at the area's next forum.",
    "Penyelaras daerah akan menyerahkan aduan anda kepada agensi yang bertanggungjawab, dan akan melaporkan kemajuannya di forum kawasan yang akan datang.",
);
pub const NEXT_ASSIGNED: P3 = P3(
    "เรื่องของท่านอยู่ระหว่างดำเนินการโดยผู้รับผิดชอบข้างต้น ความคืบหน้าจะรายงานในเวทีครั้งถัดไปของพื้นที่",
    "Your problem is with the one responsible named above. Its progress will be reported at the area's next forum.",
    "Aduan anda sedang diuruskan oleh pihak yang bertanggungjawab di atas. Kemajuannya akan dilaporkan di forum kawasan yang akan datang.",
);
pub const NEXT_CLOSED: P3 = P3(
    "เรื่องนี้ปิดแล้ว ในเวทีครั้งถัดไปชุมชนจะได้พิจารณาว่าแก้ไขแล้วจริงหรือไม่ หากยังไม่ได้แก้ไข เรื่องจะถูกเปิดขึ้นใหม่",
    "This problem is closed. At the next forum the community will be asked whether it was really resolved; if it was not, the problem is reopened.",
    "Masalah ini telah ditutup. Di forum yang akan datang komuniti akan ditanya sama ada ia benar-benar selesai; jika tidak, masalah ini akan dibuka semula.",
);
pub const HOW_TO_ASK: P3 = P3("วิธีสอบถามความคืบหน้า", "How to ask about it", "Cara bertanya tentang aduan ini");
pub const HOW_TO_ASK_TEXT: P3 = P3(
    "แจ้งเลขที่อ้างอิงข้างต้นกับผู้ประสานงานอำเภอ ในเวทีครั้งถัดไปของพื้นที่ หรือโทรสายด่วน ศอ.บต. 1880",
    "Quote the reference number above to the district coordinator, at the area's next forum, or by calling the SBPAC hotline 1880.",
    "Sebutkan nombor rujukan di atas kepada penyelaras daerah, di forum kawasan yang akan datang, atau hubungi talian panas SBPAC 1880.",
);

/// An issue status in words (the stored codes of `IssueStatus`).
pub fn status(lang: PrintLang, code: &str) -> &'static str {
    match code {
        "raised" => P3("รับเรื่องแล้ว", "Received", "Diterima"),
        "assigned" => P3("มอบหมายผู้รับผิดชอบแล้ว", "Assigned", "Telah diserahkan"),
        "addressed" => P3("อยู่ระหว่างดำเนินการ", "In progress", "Sedang diuruskan"),
        "closed" => P3("ปิดเรื่อง", "Closed", "Ditutup"),
        _ => P3("ไม่ทราบสถานะ", "Unknown status", "Status tidak diketahui"),
    }
    .get(lang)
}

/// A closing outcome in words.
pub fn outcome(lang: PrintLang, code: &str) -> &'static str {
    match code {
        "resolved" => P3("แก้ไขได้แล้ว", "Resolved", "Telah diselesaikan"),
        "unresolved" => P3("แก้ไขไม่ได้", "Unresolved", "Tidak dapat diselesaikan"),
        "referred" => P3("ส่งต่อหน่วยงานอื่น", "Referred elsewhere", "Dirujuk kepada pihak lain"),
        "duplicate" => P3("ซ้ำกับเรื่องอื่น", "Duplicate", "Berulang dengan aduan lain"),
        "withdrawn" => P3("ผู้เสนอถอนเรื่อง", "Withdrawn", "Ditarik balik"),
        _ => P3("ไม่ทราบผล", "Unknown outcome", "Keputusan tidak diketahui"),
    }
    .get(lang)
}

/// A community verdict in words.
pub fn verdict(lang: PrintLang, code: &str) -> &'static str {
    match code {
        "confirmed" => P3("ชุมชนยืนยันว่าแก้ไขแล้ว", "Confirmed resolved by the community", "Disahkan selesai oleh komuniti"),
        "disputed" => P3("ชุมชนแย้งว่ายังไม่ได้แก้ไข", "Disputed by the community", "Dipertikaikan oleh komuniti"),
        "not_asked" => P3("ยังไม่ได้ถามชุมชน", "The community was not asked", "Komuniti belum ditanya"),
        _ => P3("—", "—", "—"),
    }
    .get(lang)
}

const TH_MONTHS: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MS_MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Mac",
    "April",
    "Mei",
    "Jun",
    "Julai",
    "Ogos",
    "September",
    "Oktober",
    "November",
    "Disember",
];

/// A stored `YYYY-MM-DD` in words: `7 ธันวาคม 2569` (Buddhist Era) in Thai, `7 December 2026` in English,
/// `7 Disember 2026` in Malay; the text itself if it does not parse.
pub fn date(lang: PrintLang, stored: &str) -> String {
    use chrono::Datelike;
    let Ok(d) = chrono::NaiveDate::parse_from_str(stored, "%Y-%m-%d") else { return stored.to_owned() };
    let m = d.month0() as usize;
    match lang {
        PrintLang::Th => format!("{} {} {}", d.day(), TH_MONTHS[m], d.year() + 543),
        PrintLang::En => format!("{} {} {}", d.day(), EN_MONTHS[m], d.year()),
        PrintLang::Ms => format!("{} {} {}", d.day(), MS_MONTHS[m], d.year()),
    }
}
