//! Personal data (issue #15) end to end: a complainant is shown to those who work the case and to nobody
//! else; bad input is refused and writes nothing; an erasure marks every text and keeps the history, the
//! statistics and the ledger; exports hold personal data only when asked for with a reason; every read of
//! it is in the access log; no complainant's details are stored in plain text; and the retention rule.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use santisuk_projections::access_log::AccessEntry;
use santisuk_store::on_db;
use santisuk_tests::{Backend, Reply, TestApp, both_backends, csv_records};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(
    a_complainant_is_shown_to_those_who_work_the_case_and_not_to_auditors,
    bad_complainants_and_bad_erasures_are_refused_and_write_nothing,
    exports_hold_personal_data_only_when_asked_for_with_a_reason,
    every_read_of_personal_data_is_in_the_access_log,
    an_erasure_marks_every_text_and_keeps_history_statistics_and_ledger,
    no_complainant_detail_is_stored_in_plain_text,
    retention_erases_only_people_whose_every_problem_closed_long_enough_ago,
);

const ERASED: &str = santisuk_domain::personal::ERASED;

// Distinctive values: a match anywhere in a file or a dump can only be a leak.
const NAME: &str = "Zebulon Phanomwan-Quist";
const THAI_NAME: &str = "นางสาวพิมพ์ลดา ตะลุโบะทดสอบ";
const PHONE_AS_TYPED: &str = "081-234-5678";
const PHONE: &str = "0812345678";
const NATIONAL_ID: &str = "1101700230708";
const ADDRESS: &str = "99 Moo 7 Tambon Xylocarpus";
const NOTES: &str = "call after five through headman Vorapong-Kestrel";

/// The complainant's details as a raise sends them.
fn person() -> Value {
    json!({"name": NAME, "phone": PHONE_AS_TYPED, "address": ADDRESS, "national_id": NATIONAL_ID, "notes": NOTES})
}

/// Every complainant detail the tests look for where it must not be.
fn details() -> Vec<&'static str> {
    vec![NAME, THAI_NAME, PHONE_AS_TYPED, PHONE, NATIONAL_ID, ADDRESS, NOTES]
}

async fn raise_with(app: &TestApp, token: &str, area: &str, title: &str, extra: Value) -> Reply {
    let mut body = json!({"area_id": area, "category": "GOV", "title": title});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    app.post("/api/issues", token, body).await
}

async fn raised(app: &TestApp, area: &str, title: &str, extra: Value) -> String {
    let r = raise_with(app, &app.staff, area, title, extra).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn act(app: &TestApp, id: &str, verb: &str, body: Value) {
    let r = app.post(&format!("/api/issues/{id}/{verb}"), &app.staff, body).await;
    assert_eq!(r.status, StatusCode::OK, "{verb}: {:?}", r.body);
}

/// The complainant's subject id, as staff read it.
async fn subject_of(app: &TestApp, issue: &str) -> String {
    let one = app.get(&format!("/api/issues/{issue}"), &app.staff).await;
    one.body["complainant"]["subject_id"].as_str().unwrap_or_else(|| panic!("a complainant: {:?}", one.body)).to_owned()
}

async fn erase(app: &TestApp, token: &str, subject: &str, legal_basis: &str) -> Reply {
    app.post("/api/privacy/erase", token, json!({"subject": subject, "legal_basis": legal_basis})).await
}

/// What a refused request must leave as it was: events, person records, erased records, destroyed keys.
async fn writes(app: &TestApp) -> (i64, i64, i64, i64) {
    let (persons, erased): (i64, i64) = on_db!(app.db(), p => sqlx::query_as(
        "SELECT COUNT(*), COUNT(erased_at) FROM persons").fetch_one(p).await.unwrap());
    let destroyed: i64 = on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT COUNT(destroyed_at) FROM data_keys").fetch_one(p).await.unwrap());
    (app.event_count().await, persons, erased, destroyed)
}

/// A GET's status and body bytes, untouched.
async fn raw(app: &TestApp, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::get(path).header("authorization", format!("Bearer {token}")).body(Body::empty()).unwrap();
    let resp = app.router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    (status, resp.into_body().collect().await.expect("body").to_bytes().to_vec())
}

/// An issue export's CSV records (header first).
async fn export_csv(app: &TestApp, query: &str, token: &str) -> Vec<Vec<String>> {
    let (status, bytes) = raw(app, &format!("/api/issues/export?lang=en&{query}"), token).await;
    assert_eq!(status, StatusCode::OK, "{query}: {}", String::from_utf8_lossy(&bytes));
    let text = String::from_utf8(bytes).unwrap();
    csv_records(text.strip_prefix('\u{feff}').expect("a BOM"))
}

fn row_of<'a>(records: &'a [Vec<String>], id: &str) -> &'a [String] {
    records.iter().find(|r| r[0] == id).unwrap_or_else(|| panic!("no row for {id}: {records:?}"))
}

async fn access_log(app: &TestApp) -> Vec<AccessEntry> {
    santisuk_projections::access_log::list(app.db(), 0, 10_000).await.expect("access log").0
}

fn filters(e: &AccessEntry) -> Value {
    serde_json::from_str(&e.filters).expect("filters are JSON")
}

async fn a_complainant_is_shown_to_those_who_work_the_case_and_not_to_auditors(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PD-01").await;
    let id = raised(&app, &area, "ร้องเรียนด่านตรวจ", json!({"complainant": person()})).await;
    for (who, token) in [("staff", &app.staff), ("admin", &app.admin), ("the area's coordinator", &app.coordinator)] {
        let one = app.get(&format!("/api/issues/{id}"), token).await;
        assert_eq!(one.status, StatusCode::OK, "{who}: {:?}", one.body);
        let c = &one.body["complainant"];
        assert_eq!(
            [&c["name"], &c["phone"], &c["address"], &c["national_id"], &c["notes"], &c["erased"]],
            [&json!(NAME), &json!(PHONE), &json!(ADDRESS), &json!(NATIONAL_ID), &json!(NOTES), &json!(false)],
            "{who}: {c}"
        );
    }
    let audited = app.get(&format!("/api/issues/{id}"), &app.auditor).await;
    assert_eq!(audited.status, StatusCode::OK, "an auditor reads the problem");
    assert!(audited.body.get("complainant").is_none_or(Value::is_null), "{:?}", audited.body);
    let text = audited.body.to_string();
    assert!(details().iter().all(|d| !text.contains(d)), "nothing of the person: {text}");

    // The same person raises a second problem: linked, not recorded twice.
    let subject = subject_of(&app, &id).await;
    let before = writes(&app).await;
    let second = raised(&app, &area, "เรื่องที่สอง", json!({"complainant": {"subject_id": subject}})).await;
    let two = app.get(&format!("/api/issues/{second}"), &app.staff).await;
    assert_eq!(
        (&two.body["complainant"]["subject_id"], &two.body["complainant"]["name"]),
        (&json!(subject), &json!(NAME))
    );
    assert_eq!(writes(&app).await.1, before.1, "no second person record");

    // An unknown person, or one erased, cannot be named.
    for unknown in [uuid::Uuid::new_v4().to_string(), "not-a-subject".to_owned()] {
        let before = writes(&app).await;
        let r = raise_with(&app, &app.staff, &area, "x", json!({"complainant": {"subject_id": unknown}})).await;
        assert_eq!((r.status, r.code()), (StatusCode::NOT_FOUND, "unknown_subject"), "{unknown}: {:?}", r.body);
        assert_eq!(writes(&app).await, before, "{unknown}: nothing written");
    }
    let r = erase(&app, &app.admin, &subject, "PDPA s.33: request of the data subject").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let before = writes(&app).await;
    let r = raise_with(&app, &app.staff, &area, "x", json!({"complainant": {"subject_id": subject}})).await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "already_erased"), "{:?}", r.body);
    assert_eq!(writes(&app).await, before, "nothing written");
}

async fn bad_complainants_and_bad_erasures_are_refused_and_write_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PD-02").await;
    let id = raised(&app, &area, "ร้องเรียน", json!({"complainant": person(), "description": "รายละเอียด"})).await;
    let subject = subject_of(&app, &id).await;
    for (complainant, code) in [
        (json!({"name": "สมชาย", "phone": "12345"}), "bad_phone"),
        (json!({"name": "สมชาย", "phone": "081-234-567"}), "bad_phone"),
        (json!({"name": "สมชาย", "national_id": "1101700230707"}), "bad_national_id"),
        (json!({"name": "สมชาย", "national_id": "110170023070"}), "bad_national_id"),
        (json!({"subject_id": subject, "name": "สมชาย"}), "complainant_ambiguous"),
        (json!({"phone": PHONE}), "empty_value"),
    ] {
        let before = writes(&app).await;
        let r = raise_with(&app, &app.staff, &area, "x", json!({"complainant": complainant, "description": "y"})).await;
        assert_eq!((r.status, r.code()), (StatusCode::UNPROCESSABLE_ENTITY, code), "{complainant}: {:?}", r.body);
        assert_eq!(writes(&app).await, before, "{complainant}: nothing written");
    }

    let unknown = uuid::Uuid::new_v4().to_string();
    for (who, token, subject, basis, status, code) in [
        ("admin", &app.admin, unknown.as_str(), "PDPA s.33", StatusCode::NOT_FOUND, "unknown_subject"),
        ("admin", &app.admin, "nobody-at-all", "PDPA s.33", StatusCode::NOT_FOUND, "unknown_subject"),
        ("admin", &app.admin, subject.as_str(), "   ", StatusCode::UNPROCESSABLE_ENTITY, "empty_value"),
        ("staff", &app.staff, subject.as_str(), "PDPA s.33", StatusCode::FORBIDDEN, "forbidden"),
        ("coordinator", &app.coordinator, subject.as_str(), "PDPA s.33", StatusCode::FORBIDDEN, "forbidden"),
        ("auditor", &app.auditor, subject.as_str(), "PDPA s.33", StatusCode::FORBIDDEN, "forbidden"),
    ] {
        let before = writes(&app).await;
        let r = erase(&app, token, subject, basis).await;
        assert_eq!((r.status, r.code()), (status, code), "{who} erasing {subject:?} for {basis:?}: {:?}", r.body);
        assert_eq!(writes(&app).await, before, "{who}: nothing written");
    }
    let still = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(still.body["complainant"]["name"], NAME, "none of the refusals erased anything");

    let r = erase(&app, &app.admin, &subject, "PDPA s.33").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let before = writes(&app).await;
    let again = erase(&app, &app.admin, &subject, "PDPA s.33").await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "already_erased"), "{:?}", again.body);
    assert_eq!(writes(&app).await, before, "a second erasure writes nothing");
    for token in [&app.staff, &app.auditor, &app.coordinator] {
        let r = app.get(&format!("/api/privacy/subjects/{subject}"), token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "the access request is for administrators: {:?}", r.body);
    }
}

async fn exports_hold_personal_data_only_when_asked_for_with_a_reason(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PD-03").await;
    let named = raised(
        &app,
        &area,
        "ไฟฟ้าดับ",
        json!({"complainant": person(), "description": "DESC-named-Quokka", "raised_by": "BY-named-Wombat"}),
    )
    .await;
    let anonymous =
        raised(&app, &area, "ถนนชำรุด", json!({"description": "DESC-anon-Tapir", "raised_by": "BY-anon-Okapi"})).await;
    // Another area, not the coordinator's, with another person.
    let r = app.post("/api/areas", &app.admin, json!({"id": "PD-FAR", "name_th": "ไกล", "amphoe_code": "9601"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let far = raised(&app, "PD-FAR", "ที่อื่น", json!({"complainant": {"name": THAI_NAME}})).await;
    let secrets = ["DESC-named-Quokka", "BY-named-Wombat", "DESC-anon-Tapir", "BY-anon-Okapi"];

    // By default: nothing personal, whoever asks, in either format.
    for token in [&app.admin, &app.staff, &app.coordinator, &app.auditor] {
        let records = export_csv(&app, "", token).await;
        assert_eq!(records[0].len(), 13, "{:?}", records[0]);
        assert!(!records[0].iter().any(|h| h == "Description" || h == "Raised by"), "{:?}", records[0]);
        let all = records.concat().join("\n");
        for secret in details().iter().chain(&secrets) {
            assert!(!all.contains(secret), "{secret} in a default export: {all}");
        }
        let (status, xlsx) = raw(&app, "/api/issues/export?format=xlsx", token).await;
        assert_eq!(status, StatusCode::OK);
        let cells = xlsx_text(xlsx);
        assert!(cells.contains(&named) && cells.contains(&anonymous), "the rows are there");
        for secret in details().iter().chain(&secrets) {
            assert!(!cells.contains(secret), "{secret} in a default XLSX export");
        }
    }

    // Refused: no reason, a role that does not read people, an unknown value. None is recorded as a read.
    let logged = access_log(&app).await.len();
    for (path, token, status, code) in [
        ("personal=include", &app.staff, StatusCode::UNPROCESSABLE_ENTITY, "reason_required"),
        ("personal=include&reason=%20%20", &app.staff, StatusCode::UNPROCESSABLE_ENTITY, "reason_required"),
        ("personal=include&reason=audit%20sample", &app.auditor, StatusCode::FORBIDDEN, "forbidden"),
        ("personal=everything&reason=x", &app.staff, StatusCode::UNPROCESSABLE_ENTITY, "bad_personal"),
    ] {
        let r = app.get(&format!("/api/issues/export?{path}"), token).await;
        assert_eq!((r.status, r.code()), (status, code), "{path}: {:?}", r.body);
    }
    assert_eq!(access_log(&app).await.len(), logged, "refused exports read nothing");

    // Included, with a reason: the earlier columns in their places, then the complainant's.
    let query = "personal=include&reason=referral%20to%20the%20district%20centre";
    let records = export_csv(&app, query, &app.staff).await;
    let header: Vec<&str> = records[0].iter().map(String::as_str).collect();
    assert_eq!(header[4], "Description");
    assert_eq!(header[6], "Raised by");
    assert_eq!(
        header[15..],
        [
            "Complainant name",
            "Complainant phone",
            "Complainant address",
            "Complainant national ID",
            "Complainant contact notes"
        ]
    );
    let row = row_of(&records, &named);
    assert_eq!((row[4].as_str(), row[6].as_str()), ("DESC-named-Quokka", "BY-named-Wombat"));
    assert_eq!(row[15..], [NAME, PHONE, ADDRESS, NATIONAL_ID, NOTES]);
    let row = row_of(&records, &anonymous);
    assert_eq!((row[4].as_str(), row[6].as_str()), ("DESC-anon-Tapir", "BY-anon-Okapi"));
    assert!(row[15..].iter().all(String::is_empty), "anonymous: blank {row:?}");
    assert_eq!(row_of(&records, &far)[15], THAI_NAME);
    let (status, xlsx) = raw(&app, &format!("/api/issues/export?format=xlsx&{query}"), &app.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx_text(xlsx).contains(NATIONAL_ID), "the XLSX has the columns too");

    // A coordinator's file holds their own areas' people only.
    let mine = export_csv(&app, query, &app.coordinator).await;
    assert_eq!(row_of(&mine, &named)[15], NAME);
    assert!(!mine.concat().iter().any(|c| c == THAI_NAME || c == &far), "{mine:?}");

    let entries = access_log(&app).await;
    let with = entries
        .iter()
        .find(|e| e.action == "issues_export" && e.actor.starts_with("staff-") && filters(e).get("personal").is_some())
        .expect("logged");
    assert_eq!(
        filters(with),
        json!({"lang": "en", "personal": "include", "reason": "referral to the district centre"}),
        "the export's entry records that it included personal data, and why"
    );

    // Erased: the marker in every personal cell of that problem; the others as they were.
    let r = erase(&app, &app.admin, &subject_of(&app, &named).await, "PDPA s.33").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let records = export_csv(&app, query, &app.staff).await;
    let row = row_of(&records, &named);
    assert_eq!((row[4].as_str(), row[6].as_str()), (ERASED, ERASED));
    assert!(row[15..].iter().all(|c| c == ERASED), "{row:?}");
    assert_eq!(row[3], "ไฟฟ้าดับ", "the title stays");
    assert_eq!(row_of(&records, &anonymous)[4], "DESC-anon-Tapir");
    assert_eq!(row_of(&records, &far)[15], THAI_NAME);
}

/// Every cell of an XLSX file's first sheet, as text.
fn xlsx_text(bytes: Vec<u8>) -> String {
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
    let range = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    range.rows().flat_map(|r| r.iter().map(ToString::to_string)).collect::<Vec<_>>().join("\n")
}

async fn every_read_of_personal_data_is_in_the_access_log(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PD-04").await;
    let named = raised(&app, &area, "ร้องเรียน", json!({"complainant": person()})).await;
    let anonymous = raised(&app, &area, "ไม่ประสงค์ออกนาม", json!({})).await;
    let subject: String = on_db!(app.db(), p => sqlx::query_scalar("SELECT subject_id FROM persons")
        .fetch_one(p).await.unwrap());
    let start = access_log(&app).await.len();

    assert_eq!(app.get(&format!("/api/issues/{named}"), &app.staff).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/issues/{named}"), &app.auditor).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/issues/{anonymous}"), &app.admin).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/privacy/subjects/{subject}"), &app.admin).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/privacy/subjects/{subject}"), &app.staff).await.status, StatusCode::FORBIDDEN);
    let include = "/api/issues/export?personal=include&reason=case%20conference";
    assert_eq!(raw(&app, include, &app.coordinator).await.0, StatusCode::OK);
    assert_eq!(raw(&app, include, &app.auditor).await.0, StatusCode::FORBIDDEN);
    assert_eq!(raw(&app, "/api/issues/export", &app.staff).await.0, StatusCode::OK);

    let entries = access_log(&app).await;
    let new = &entries[start..];
    let of = |action: &str| new.iter().filter(|e| e.action == action).collect::<Vec<_>>();
    let person = of("person");
    assert_eq!(person.len(), 1, "the staff member's read of the complainant, nobody else's: {new:?}");
    assert!(person[0].actor.starts_with("staff-"), "{:?}", person[0]);
    assert_eq!(person[0].target.as_deref(), Some(subject.as_str()));
    assert_eq!(filters(person[0]), json!({"issue": named}));
    let export = of("person_export");
    assert_eq!(export.len(), 1, "the administrator's access request: {new:?}");
    assert_eq!((export[0].actor_role.as_str(), export[0].target.as_deref()), ("admin", Some(subject.as_str())));
    let files = of("issues_export");
    assert_eq!(files.len(), 2, "two exports; the refused one is not a read: {new:?}");
    assert_eq!(files[0].actor_role, "coordinator");
    assert_eq!(filters(files[0]), json!({"personal": "include", "reason": "case conference"}));
    assert_eq!(files[1].actor_role, "staff");
    assert_eq!(filters(files[1]), json!({}), "an export without personal data says so by having no `personal`");
}

/// A scenario with a complainant on two problems (descriptions, notes, actions, a correction, a reopen)
/// and an unrelated problem, in one of the coordinator's areas.
struct Scenario {
    first: String,
    second: String,
    unrelated: String,
    subject: String,
    /// The free texts of the complainant's problems, each a distinctive word.
    texts: Vec<&'static str>,
    unrelated_text: &'static str,
    facilitator: &'static str,
}

async fn scenario(app: &TestApp) -> Scenario {
    let area = app.area("PD-05").await;
    let facilitator = "Facilitator Ombretta-Lindqvist";
    let forum = app
        .post("/api/forums", &app.staff, json!({"area_id": area, "held_on": "2026-11-01", "facilitator": facilitator}))
        .await;
    assert_eq!(forum.status, StatusCode::CREATED, "{:?}", forum.body);
    let forum = forum.body["id"].as_str().unwrap().to_owned();
    let first = raised(
        app,
        &area,
        "ร้องเรียนเรื่องที่ดิน",
        json!({"complainant": person(), "description": "TEXT-desc-Aardwolf", "raised_by": "TEXT-by-Bandicoot",
            "forum_id": forum}),
    )
    .await;
    act(app, &first, "assign", json!({"assignee": "อบต.ตะลุโบะ", "note": "TEXT-note-Caracal"})).await;
    act(app, &first, "address", json!({"action": "TEXT-action-Dugong", "note": "TEXT-note-Echidna"})).await;
    act(app, &first, "close", json!({"outcome": "resolved", "note": "TEXT-note-Fossa"})).await;
    act(app, &first, "reopen", json!({"reason": "TEXT-reason-Gharial"})).await;
    let subject = subject_of(app, &first).await;
    let second = raised(
        app,
        &area,
        "เรื่องที่สอง",
        json!({"complainant": {"subject_id": subject}, "description": "TEXT-desc-Hoatzin"}),
    )
    .await;
    act(app, &second, "correct", json!({"description": "TEXT-desc-Ibex", "reason": "TEXT-reason-Jerboa"})).await;
    let unrelated_text = "OTHER-desc-Kinkajou";
    let unrelated = raised(app, &area, "เรื่องอื่น", json!({"description": unrelated_text})).await;
    act(app, &unrelated, "assign", json!({"assignee": "อบต.บานา"})).await;
    act(app, &unrelated, "address", json!({"action": "OTHER-action-Lemur"})).await;
    let texts = vec![
        "TEXT-desc-Aardwolf",
        "TEXT-by-Bandicoot",
        "TEXT-note-Caracal",
        "TEXT-action-Dugong",
        "TEXT-note-Echidna",
        "TEXT-note-Fossa",
        "TEXT-reason-Gharial",
        "TEXT-desc-Hoatzin",
        "TEXT-desc-Ibex",
        "TEXT-reason-Jerboa",
    ];
    Scenario { first, second, unrelated, subject, texts, unrelated_text, facilitator }
}

/// An issue's whole history, as staff read it.
async fn history(app: &TestApp, id: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/issues/{id}/history"), &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Every sealed field present in a history, as (event type, path, value).
fn sealed_values(items: &[Value]) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for item in items {
        let kind = item["event_type"].as_str().unwrap();
        for path in santisuk_domain::personal::sealed_fields(kind) {
            let value = path.iter().fold(&item["data"], |v, k| &v[*k]);
            if !value.is_null() {
                out.push((kind.to_owned(), path.join("."), value.clone()));
            }
        }
    }
    out
}

const GROUPINGS: [&str; 9] = [
    "area",
    "category",
    "amphoe",
    "province",
    "forum",
    "month",
    "fiscal_year",
    "category,area",
    "fiscal_year,province",
];

/// Every grouping of the statistics, as the bytes an administrator and an auditor get.
async fn all_stats(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for by in GROUPINGS {
        for token in [&app.admin, &app.auditor] {
            let path = format!("/api/stats/resolution?by={by}");
            let (status, bytes) = raw(app, &path, token).await;
            assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&bytes));
            out.push((path, bytes));
        }
    }
    out
}

/// A digest of the ledger that covers every event stored so far (the ledger is projected; wait for it).
async fn digest_of_everything(app: &TestApp) -> santisuk_app::audit::Digest {
    let head = santisuk_store::events::head(app.db()).await.unwrap().position;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = app.get("/api/audit/digest", &app.auditor).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        if r.body["position"].as_i64().unwrap_or(0) >= head {
            let text = format!("{}:{}", r.body["position"], r.body["chain_hash"].as_str().unwrap());
            return santisuk_app::audit::Digest::parse(&text).expect("a digest");
        }
        assert!(std::time::Instant::now() < deadline, "the ledger did not catch up: {:?}", r.body);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn an_erasure_marks_every_text_and_keeps_history_statistics_and_ledger(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = scenario(&app).await;
    let before_history: Vec<Vec<Value>> = vec![history(&app, &s.first).await, history(&app, &s.second).await];
    let sealed_before: Vec<_> = before_history.iter().flat_map(|h| sealed_values(h)).collect();
    let opened: BTreeSet<&str> = sealed_before.iter().filter_map(|(_, _, v)| v.as_str()).collect();
    for text in &s.texts {
        assert!(opened.contains(text), "before the erasure the history reads {text}: {opened:?}");
    }
    let stats = all_stats(&app).await;
    let digest = digest_of_everything(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let cut = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let as_of = cut.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let then_before = app.get(&format!("/api/issues/{}?as_of={as_of}", s.first), &app.staff).await.body;
    assert_eq!(then_before["description"], "TEXT-desc-Aardwolf", "as of the cut, before the erasure: {then_before}");

    let r = erase(&app, &app.admin, &s.subject, "PDPA s.33: request of the data subject, letter of 2 Dec 2026").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["person_erased"], true);
    let erased: BTreeSet<&str> =
        r.body["issues"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(erased, BTreeSet::from([s.first.as_str(), s.second.as_str()]), "both problems, not the unrelated one");

    // The problem: its texts marked, the complainant erased (when, why), the rest as it was.
    for (id, title) in [(&s.first, "ร้องเรียนเรื่องที่ดิน"), (&s.second, "เรื่องที่สอง")]
    {
        let one = app.get(&format!("/api/issues/{id}"), &app.staff).await;
        assert_eq!(one.body["description"], ERASED, "{:?}", one.body);
        assert_eq!(one.body["title"], title, "titles stay");
        let c = &one.body["complainant"];
        assert_eq!((&c["subject_id"], &c["erased"]), (&json!(s.subject), &json!(true)), "{c}");
        assert!(c.get("name").is_none() && c["erased_at"].is_string(), "{c}");
        assert!(c["legal_basis"].as_str().unwrap().starts_with("PDPA s.33"), "{c}");
        let text = one.body.to_string();
        assert!(details().iter().chain(&s.texts).all(|d| !text.contains(d)), "{text}");
    }
    assert_eq!(app.get(&format!("/api/issues/{}", s.first), &app.staff).await.body["raised_by"], ERASED);

    // The history: every event still there, every sealed field marked, PersonalDataErased at the end.
    for (i, id) in [&s.first, &s.second].into_iter().enumerate() {
        let after = history(&app, id).await;
        assert_eq!(after.len(), before_history[i].len() + 1, "one event more");
        for (old, new) in before_history[i].iter().zip(&after) {
            assert_eq!(
                (&old["sequence"], &old["event_type"], &old["at"]),
                (&new["sequence"], &new["event_type"], &new["at"])
            );
        }
        let last = after.last().unwrap();
        assert_eq!(last["event_type"], "PersonalDataErased");
        let text = last.to_string();
        assert!(details().iter().chain(&s.texts).all(|d| !text.contains(d)), "no personal data in it: {text}");
        let sealed = sealed_values(&after);
        assert_eq!(sealed.len(), sealed_values(&before_history[i]).len(), "the same fields, each present");
        for (kind, path, value) in &sealed {
            assert_eq!(value, ERASED, "{kind}.{path}");
        }
    }
    // The unrelated problem reads as before.
    let other = app.get(&format!("/api/issues/{}", s.unrelated), &app.staff).await;
    assert_eq!(other.body["description"], s.unrelated_text);
    assert!(sealed_values(&history(&app, &s.unrelated).await).iter().any(|(_, _, v)| v == "OTHER-action-Lemur"));

    // Exports and the access request show the marker.
    let records = export_csv(&app, "personal=include&reason=erasure%20check", &app.admin).await;
    let row = row_of(&records, &s.first);
    assert_eq!((row[4].as_str(), row[6].as_str()), (ERASED, ERASED));
    assert!(row[15..].iter().all(|c| c == ERASED), "{row:?}");
    assert_eq!(row_of(&records, &s.unrelated)[4], s.unrelated_text);
    let access = app.get(&format!("/api/privacy/subjects/{}", s.subject), &app.admin).await;
    assert_eq!(access.status, StatusCode::OK, "{:?}", access.body);
    assert_eq!(access.body["person"]["erased"], true);
    let text = access.body.to_string();
    assert!(details().iter().chain(&s.texts).all(|d| !text.contains(d)), "{text}");

    // Statistics: byte for byte what they were.
    for ((path, before), (_, after)) in stats.iter().zip(all_stats(&app).await) {
        assert_eq!(String::from_utf8_lossy(before), String::from_utf8_lossy(&after), "{path}");
    }
    // The ledger: intact, and the events still hash to the digest taken before the erasure.
    let verified = santisuk_app::admin::verify_ledger(app.db(), Some(&digest)).await.expect("verify");
    assert!(verified.ok, "{verified:?}");
    assert_eq!(verified.digest_matches, Some(true), "{verified:?}");

    // As of an instant before the erasure, the text is gone too.
    let then = app.get(&format!("/api/issues/{}?as_of={as_of}", s.first), &app.staff).await;
    assert_eq!(then.status, StatusCode::OK, "{:?}", then.body);
    assert_eq!(then.body["description"], ERASED, "{:?}", then.body);
    assert_eq!(then.body["raised_by"], ERASED, "{:?}", then.body);
    for field in ["status", "version", "title", "assignee", "raised_at"] {
        assert_eq!(then.body[field], then_before[field], "{field}: as it stood then");
    }
    let unrelated_then = app.get(&format!("/api/issues/{}?as_of={as_of}", s.unrelated), &app.staff).await;
    assert_eq!(unrelated_then.body["description"], s.unrelated_text);

    // A rebuild from the log reproduces the erased rows exactly.
    let mut live = Vec::new();
    for id in [&s.first, &s.second, &s.unrelated] {
        live.push(app.get(&format!("/api/issues/{id}"), &app.staff).await.body);
    }
    santisuk_app::admin::rebuild_read_model(app.db()).await.expect("rebuild");
    for (id, before) in [&s.first, &s.second, &s.unrelated].into_iter().zip(&live) {
        let rebuilt = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
        assert_eq!(&rebuilt, before, "{id} after a rebuild");
    }
    for ((path, before), (_, after)) in stats.iter().zip(all_stats(&app).await) {
        assert_eq!(String::from_utf8_lossy(before), String::from_utf8_lossy(&after), "{path} after a rebuild");
    }
}

/// The texts of every stored event (payload and metadata), one string per event.
async fn stored_events(app: &TestApp) -> Vec<String> {
    let sql = match app.db_handle.backend {
        Backend::Sqlite => "SELECT payload || ' ' || metadata FROM events",
        Backend::Postgres => "SELECT payload::text || ' ' || metadata::text FROM events",
    };
    on_db!(app.db(), p => sqlx::query_scalar(sql).fetch_all(p).await.unwrap())
}

/// Every byte the database keeps at rest: the SQLite files (database and write-ahead log), or a `pg_dump`
/// of the PostgreSQL database.
async fn at_rest(app: &TestApp) -> Vec<u8> {
    match app.db_handle.backend {
        Backend::Sqlite => {
            let dir = app.db_handle.sqlite_dir().expect("a SQLite folder");
            let mut bytes = Vec::new();
            let mut names = Vec::new();
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                names.push(path.file_name().unwrap().to_string_lossy().into_owned());
                bytes.extend(std::fs::read(&path).unwrap());
            }
            assert!(names.iter().any(|n| n == "santisuk.db"), "{names:?}");
            assert!(bytes.len() > 100_000, "the files hold the data: {} bytes in {names:?}", bytes.len());
            bytes
        }
        Backend::Postgres => {
            let url = app.db_handle.url().expect("the test database's URL");
            let pg_dump = santisuk_store::testing::binary("pg_dump").expect("pg_dump is installed");
            let out = std::process::Command::new(pg_dump).args(["--no-owner", "--dbname", url]).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let dump = String::from_utf8(out.stdout).unwrap();
            assert!(dump.contains("COPY public.events"), "the dump holds the events");
            assert!(dump.contains("COPY public.persons"), "and the person records");
            dump.into_bytes()
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn no_complainant_detail_is_stored_in_plain_text(backend: Backend) {
    let app = TestApp::new(backend).await;
    let s = scenario(&app).await;
    // A second person, with a Thai name (its UTF-8 bytes are looked for).
    let area = "PD-05";
    let thai = raised(&app, area, "ไฟฟ้า", json!({"complainant": {"name": THAI_NAME, "phone": "073 123 456"}})).await;
    let one = app.get(&format!("/api/issues/{thai}"), &app.staff).await;
    assert_eq!(one.body["complainant"]["name"], THAI_NAME, "stored, and read back");
    // Reads, an export with personal data and the access request: none leaves a copy behind.
    export_csv(&app, "personal=include&reason=monthly%20case%20review", &app.admin).await;
    assert_eq!(app.get(&format!("/api/privacy/subjects/{}", s.subject), &app.admin).await.status, StatusCode::OK);
    santisuk_tests::settle(&app.state.runner, app.db()).await;

    let bytes = at_rest(&app).await;
    assert!(contains(&bytes, "ร้องเรียนเรื่องที่ดิน"), "the scan sees what is stored in the clear (a title)");
    for detail in details().into_iter().chain(["073123456", "073 123 456"]) {
        assert!(!contains(&bytes, detail), "{detail:?} is stored in plain text");
    }
    // The log holds no free text either: every text of the complainant's problems and the forum's
    // facilitator are sealed in the events. (The unrelated problem's are sealed too.)
    let events = stored_events(&app).await;
    assert!(events.iter().any(|e| e.contains("sealed:v1:")), "texts are sealed");
    for text in s.texts.iter().chain([&s.unrelated_text, &s.facilitator, &"OTHER-action-Lemur"]) {
        assert!(!events.iter().any(|e| e.contains(text)), "{text} in the events table");
        if backend == Backend::Postgres {
            let dump = String::from_utf8_lossy(&bytes);
            let section = dump.split("COPY public.events").nth(1).unwrap().split("\\.\n").next().unwrap();
            assert!(!section.contains(text), "{text} in the dump's events");
        }
    }
    // The read model keeps each problem's current description (and raised_by) in plain text by design: the
    // list, its search and the exports read them from there. An erasure overwrites them.
    let db = app.db().clone();
    let current = |id: String| {
        let db = db.clone();
        async move {
            let row: (Option<String>, Option<String>) = on_db!(&db, p => sqlx::query_as(
                "SELECT description, raised_by FROM issues WHERE id = $1").bind(&id).fetch_one(p).await.unwrap());
            row
        }
    };
    assert_eq!(current(s.first.clone()).await, (Some("TEXT-desc-Aardwolf".into()), Some("TEXT-by-Bandicoot".into())));
    let r = erase(&app, &app.admin, &s.subject, "PDPA s.33").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(current(s.first.clone()).await, (Some(ERASED.into()), Some(ERASED.into())));
    assert_eq!(current(s.second.clone()).await.0.as_deref(), Some(ERASED));
    let texts: Vec<String> = on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT COALESCE(description, '') || ' ' || COALESCE(raised_by, '') FROM issues").fetch_all(p).await.unwrap());
    for text in &s.texts {
        assert!(!texts.iter().any(|t| t.contains(text)), "{text} is still in the read model");
    }
    assert!(texts.iter().any(|t| t.contains(s.unrelated_text)), "the unrelated problem keeps its description");
    let bytes = at_rest(&app).await;
    for detail in details() {
        assert!(!contains(&bytes, detail), "{detail:?} is stored in plain text after the erasure");
    }
    // Nor do the erased texts: SQLite's write-ahead log, which kept the pages as they were, is emptied by
    // the erasure (PostgreSQL's dump holds the live rows; old row versions go with vacuum).
    for text in &s.texts {
        assert!(!contains(&bytes, text), "{text:?} is still in the database files after the erasure");
    }
    assert!(contains(&bytes, s.unrelated_text), "the unrelated description is still there");
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

async fn retention_erases_only_people_whose_every_problem_closed_long_enough_ago(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PD-06").await;
    let problem = |name: &str, raised: &str| json!({"complainant": {"name": name}, "description": format!("about {name}"), "at": raised});
    let close = |closed: String| json!({"outcome": "withdrawn", "at": closed});
    // A: two problems, both closed early in 2025.
    let a1 = raised(&app, &area, "A1", problem("Retention Alpha", "2025-01-10T03:00:00Z")).await;
    act(&app, &a1, "close", close("2025-02-01T03:00:00Z".into())).await;
    let alpha = subject_of(&app, &a1).await;
    let a2 = raised(
        &app,
        &area,
        "A2",
        json!({"complainant": {"subject_id": alpha}, "description": "again", "at": "2025-01-15T03:00:00Z"}),
    )
    .await;
    act(&app, &a2, "close", close("2025-03-01T03:00:00Z".into())).await;
    // B: one problem closed long ago, another still open.
    let b1 = raised(&app, &area, "B1", problem("Retention Bravo", "2025-01-10T03:00:00Z")).await;
    act(&app, &b1, "close", close("2025-02-01T03:00:00Z".into())).await;
    let bravo = subject_of(&app, &b1).await;
    let b2 = raised(
        &app,
        &area,
        "B2",
        json!({"complainant": {"subject_id": bravo}, "description": "open", "at": "2025-01-20T03:00:00Z"}),
    )
    .await;
    // C: closed twenty days ago.
    let now = Utc::now();
    let c1 =
        raised(&app, &area, "C1", problem("Retention Charlie", &(now - chrono::Duration::days(60)).to_rfc3339())).await;
    act(&app, &c1, "close", close((now - chrono::Duration::days(20)).to_rfc3339())).await;
    let charlie = subject_of(&app, &c1).await;
    // An anonymous problem closed long ago has nobody to erase.
    let anonymous = raised(&app, &area, "D1", json!({"description": "nobody", "at": "2025-01-10T03:00:00Z"})).await;
    act(&app, &anonymous, "close", close("2025-02-01T03:00:00Z".into())).await;

    let due = |months: u32, now: DateTime<Utc>| {
        let state = app.state.clone();
        async move {
            santisuk_app::privacy::due_for_retention(&state, months, now)
                .await
                .expect("due")
                .into_iter()
                .collect::<BTreeSet<_>>()
        }
    };
    assert_eq!(due(6, now).await, BTreeSet::from([alpha.clone()]), "six months: only A");
    assert_eq!(due(0, now).await, BTreeSet::from([alpha.clone(), charlie.clone()]), "B has an open problem");
    assert_eq!(due(120, now).await, BTreeSet::new(), "ten years: nobody yet");
    // The boundary: A's last problem closed at 03:00 on 1 March 2025.
    assert_eq!(due(1, at("2025-04-01T03:00:00Z")).await, BTreeSet::from([alpha.clone()]), "a month to the second");
    assert_eq!(due(1, at("2025-04-01T02:59:59Z")).await, BTreeSet::new(), "a second short of a month");

    let before = writes(&app).await;
    let done = santisuk_app::privacy::apply_retention(&app.state, 6).await.expect("retention");
    assert_eq!(done.len(), 1, "{done:?}");
    assert_eq!(done[0].subject, alpha);
    assert_eq!(
        done[0].issues.iter().map(|i| i.id.as_str()).collect::<BTreeSet<_>>(),
        BTreeSet::from([a1.as_str(), a2.as_str()])
    );
    let after = writes(&app).await;
    assert_eq!((after.0 - before.0, after.2 - before.2), (2, 1), "one PersonalDataErased per problem, one record");
    for id in [&a1, &a2] {
        let one = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
        assert_eq!((&one["description"], &one["complainant"]["erased"]), (&json!(ERASED), &json!(true)), "{one}");
        assert!(one["complainant"]["legal_basis"].as_str().unwrap().starts_with("retention: 6 months"), "{one}");
    }
    for (id, name) in [(&b1, "Retention Bravo"), (&b2, "Retention Bravo"), (&c1, "Retention Charlie")] {
        let one = app.get(&format!("/api/issues/{id}"), &app.staff).await.body;
        assert_eq!(one["complainant"]["name"], name, "{one}");
        assert_ne!(one["description"], ERASED);
    }
    assert_eq!(app.get(&format!("/api/issues/{anonymous}"), &app.staff).await.body["description"], "nobody");
    let again = santisuk_app::privacy::apply_retention(&app.state, 6).await.expect("retention");
    assert!(again.is_empty(), "nobody is due twice: {again:?}");
}
