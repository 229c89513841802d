//! The offline forum page's own words (issue #18 §1), in the `Tr("ไทย", "English")` form until the message
//! catalogues take them over. Most are used by `assets/offline.js`, which receives them as JSON; `{n}`,
//! `{when}`, `{why}` and `{title}` are filled in there.

use super::i18n::Tr;

pub const OFFLINE_HEADING: Tr = Tr("ส่งข้อมูลจากเครื่องนี้", "Sending from this phone");
pub const OFFLINE_NONE_WAITING: Tr = Tr("ไม่มีรายการรอส่ง", "Nothing is waiting to be sent");
pub const OFFLINE_WAITING_N: Tr = Tr("รอส่ง {n} รายการ (เก็บไว้ในเครื่องนี้)", "{n} waiting to be sent (kept on this phone)");
pub const OFFLINE_REFUSED_N: Tr =
    Tr("เซิร์ฟเวอร์ไม่รับ {n} รายการ: แก้ไขหรือทิ้ง", "{n} refused by the server: fix or discard them");
pub const OFFLINE_NEVER: Tr = Tr("ยังไม่ได้ส่งจากเครื่องนี้", "Nothing sent from this phone yet");
pub const OFFLINE_LAST_OK: Tr = Tr("ส่งครั้งล่าสุดสำเร็จ เมื่อ {when}", "Last sync worked at {when}");
pub const OFFLINE_LAST_FAILED: Tr = Tr("ส่งครั้งล่าสุดไม่สำเร็จ เมื่อ {when}: {why}", "Last sync failed at {when}: {why}");
pub const OFFLINE_NO_CONNECTION: Tr = Tr(
    "ไม่มีสัญญาณ: บันทึกต่อได้ ข้อมูลจะเก็บไว้ในเครื่องนี้และส่งเมื่อกลับมามีสัญญาณ",
    "No connection: keep recording; entries are kept on this phone and sent when the connection returns",
);
pub const OFFLINE_WHY_NETWORK: Tr = Tr("ติดต่อเซิร์ฟเวอร์ไม่ได้", "the server could not be reached");
pub const OFFLINE_WHY_SIGNED_OUT: Tr = Tr(
    "การเข้าสู่ระบบหมดอายุ รายการยังเก็บไว้ เข้าสู่ระบบอีกครั้งเพื่อส่ง",
    "your sign-in has expired; the entries are kept: sign in again to send them",
);
pub const OFFLINE_WHY_SERVER: Tr = Tr("เซิร์ฟเวอร์ขัดข้อง จะลองส่งอีกครั้ง", "the server failed; it will be tried again");
pub const OFFLINE_SIGN_IN: Tr = Tr("เข้าสู่ระบบอีกครั้ง", "Sign in again");
pub const OFFLINE_KEPT: Tr = Tr(
    "บันทึกเวทีไว้ในเครื่องนี้แล้ว จะส่งเมื่อมีสัญญาณ กรอกเวทีถัดไปได้เลย",
    "The forum is kept on this phone and will be sent when there is a connection; you can record the next one",
);
pub const OFFLINE_SENT: Tr = Tr("ส่งแล้ว: {title}", "Sent: {title}");
pub const OFFLINE_REFUSED: Tr = Tr("เซิร์ฟเวอร์ไม่รับรายการนี้", "The server refused this entry");
pub const OFFLINE_FIX: Tr = Tr("แก้ไข", "Fix");
pub const OFFLINE_DISCARD: Tr = Tr("ทิ้ง", "Discard");
pub const OFFLINE_DISCARD_CONFIRM: Tr =
    Tr("ทิ้งรายการนี้? สิ่งที่พิมพ์ไว้จะหายไป", "Discard this entry? What was typed will be lost.");
pub const OFFLINE_SEND_NOW: Tr = Tr("ส่งเดี๋ยวนี้", "Send now");
pub const OFFLINE_SENDING: Tr = Tr("กำลังส่ง…", "Sending…");
pub const OFFLINE_PROBLEMS_N: Tr = Tr("{n} ปัญหา", "{n} problems");
pub const OFFLINE_UNTITLED: Tr = Tr("เวทีวันที่ {date}", "Forum of {date}");
pub const OFFLINE_FIXING: Tr = Tr(
    "กำลังแก้ไขรายการที่เซิร์ฟเวอร์ไม่รับ: แก้ตามข้อความแล้วกดบันทึกอีกครั้ง",
    "Fixing a refused entry: correct it as the messages say and save again",
);
pub const OFFLINE_NO_STORAGE: Tr = Tr(
    "เบราว์เซอร์นี้เก็บข้อมูลในเครื่องไม่ได้ ต้องมีสัญญาณจึงจะบันทึกได้",
    "This browser cannot keep entries on the phone: saving needs a connection",
);
pub const OFFLINE_OTHER_USER: Tr = Tr(
    "รายการนี้พิมพ์โดยผู้ใช้อื่น ต้องเข้าสู่ระบบเป็นผู้ใช้นั้นจึงจะส่งได้",
    "This entry was typed by another user: only they can send it, signed in as themselves",
);
pub const OFFLINE_SIGNED_OUT_SERVER: Tr = Tr(
    "ไม่ได้เข้าสู่ระบบหรือโทเค็นของแบบฟอร์มไม่ถูกต้อง ไม่ได้บันทึกสิ่งใด",
    "not signed in, or the form's token is wrong: nothing was saved",
);
pub const AREA_NOT_YOURS: Tr = Tr(
    "พื้นที่ {area} ไม่ได้อยู่ในความรับผิดชอบของคุณ (อาจถูกถอนออกหลังจากบันทึกไว้) เลือกพื้นที่อื่นหรือทิ้งรายการนี้",
    "{area} is not one of your areas (it may have been taken from you since this was typed): choose another area or discard it",
);
