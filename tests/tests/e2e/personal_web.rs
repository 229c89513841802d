//! Personal data in the web app (#15) through `app()`, as a browser without a script sends it: the forum
//! page's complainant (anonymous by default, a person, a group), its field errors writing nothing, the
//! complainant's card for the roles that read people and not for auditors, and the administrators' erasure
//! behind a confirmation naming every case it touches, after which pages show the marker and never any
//! ciphertext.

use axum::http::StatusCode;
use santisuk_projections::users::Role;
use santisuk_tests::web::{Page, WebClient};
use santisuk_tests::{Backend, TestApp, both_backends, settle};
use serde_json::json;

both_backends!(
    a_problem_raised_on_the_forum_page_is_anonymous_unless_someone_is_named,
    a_complainant_named_on_the_forum_page_is_shown_to_staff_and_never_to_an_auditor,
    a_bad_phone_or_national_id_comes_back_beside_its_field_and_writes_nothing,
    erasing_a_complainant_names_every_case_first_and_leaves_only_markers,
    erasing_one_problems_text_keeps_its_complainant,
    only_administrators_reach_the_erase_form,
);

const NAME: &str = "นางสาวฮาลีเมาะ ดอเลาะ";
const PHONE: &str = "081-234-5678";
const NATIONAL_ID: &str = "1-1017-00230-70-8";
const ADDRESS: &str = "12 หมู่ 3 ต.บานา อ.เมืองปัตตานี";
const NOTES: &str = "โทรหลัง 17.00 น. ผ่านผู้ใหญ่บ้าน";
const DESCRIPTION: &str = "บ้านของนางสาวฮาลีเมาะถูกน้ำท่วมซ้ำทุกปี";

/// A problem row of the forum form: title, category, description, the complainant's choice, raised by, and
/// the person's name, phone, address, national id number and notes.
struct RowIn<'a> {
    title: &'a str,
    description: &'a str,
    kind: &'a str,
    raised_by: &'a str,
    person: [&'a str; 5],
}

impl<'a> RowIn<'a> {
    fn anonymous(title: &'a str) -> RowIn<'a> {
        RowIn { title, description: "", kind: "anonymous", raised_by: "", person: [""; 5] }
    }

    fn person(title: &'a str, phone: &'a str, national_id: &'a str) -> RowIn<'a> {
        RowIn {
            title,
            description: DESCRIPTION,
            kind: "person",
            raised_by: "",
            person: [NAME, phone, ADDRESS, national_id, NOTES],
        }
    }
}

async fn forum_form(web: &mut WebClient) -> (String, String) {
    let page = web.get("/forums/new").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (page.csrf(), page.hidden("submission").expect("a submission id"))
}

fn fields<'a>(csrf: &'a str, submission: &'a str, area: &'a str, rows: &'a [RowIn<'a>]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("_csrf", csrf),
        ("submission", submission),
        ("area_id", area),
        ("held_on", "2026-11-20"),
        ("title", "เวทีประชาคมบ้านบานา"),
        ("participants", "30"),
        ("op", "save"),
    ];
    for r in rows {
        f.extend([
            ("p_title", r.title),
            ("p_category", "INF"),
            ("p_description", r.description),
            ("p_kind", r.kind),
            ("p_raised_by", r.raised_by),
            ("p_c_name", r.person[0]),
            ("p_c_phone", r.person[1]),
            ("p_c_address", r.person[2]),
            ("p_c_national_id", r.person[3]),
            ("p_c_notes", r.person[4]),
        ]);
    }
    f
}

async fn persons(app: &TestApp) -> i64 {
    santisuk_store::on_db!(app.db(), p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM persons")
        .fetch_one(p).await.expect("count persons"))
}

/// The issues of an area, as the API lists them: (id, case number).
async fn issues_in(app: &TestApp, area: &str) -> Vec<(String, String)> {
    settle(&app.state.runner, app.db()).await;
    let listed = app.get(&format!("/api/issues?area_id={area}"), &app.admin).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    listed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["id"].as_str().expect("id").to_owned(), i["case_number"].as_str().expect("case").to_owned()))
        .collect()
}

/// Saves a forum with `rows` as `web` (a writer) and returns its problems.
async fn save_forum(app: &TestApp, web: &mut WebClient, area: &str, rows: &[RowIn<'_>]) -> Vec<(String, String)> {
    let (csrf, submission) = forum_form(web).await;
    let page = web.post("/forums", &fields(&csrf, &submission, area, rows)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    issues_in(app, area).await
}

fn no_ciphertext(what: &str, page: &Page) {
    assert!(!page.body.contains("sealed:v1:"), "ciphertext on {what}: {}", page.body);
}

async fn a_problem_raised_on_the_forum_page_is_anonymous_unless_someone_is_named(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PDW-1").await;
    let mut web = app.web_as(Role::Staff).await;
    let form = web.get("/forums/new").await;
    assert!(form.body.contains("อย่าใส่ชื่อบุคคลในหัวข้อ"), "the hint beside the title");
    assert!(
        form.body.contains("<option value=\"anonymous\" selected>ไม่ประสงค์ออกนาม</option>"),
        "anonymous is the default: {}",
        form.body
    );
    let group = RowIn {
        kind: "group", raised_by: "กลุ่มประมงพื้นบ้านบานา", ..RowIn::anonymous("เรือประมงเสียหาย")
    };
    let issues = save_forum(&app, &mut web, &area, &[RowIn::anonymous("ถนนเข้าหมู่บ้านชำรุด"), group]).await;
    assert_eq!(issues.len(), 2);
    assert_eq!(persons(&app).await, 0, "nobody was recorded");
    let mut raised_by = Vec::new();
    for (id, _) in &issues {
        let r = app.get(&format!("/api/issues/{id}"), &app.staff).await;
        assert_eq!(r.body.get("complainant"), None, "{:?}", r.body);
        raised_by.push(r.body["raised_by"].clone());
        let page = web.get(&format!("/issues/{id}")).await;
        assert!(!page.body.contains("id=\"complainant\""), "no card for a problem naming nobody");
    }
    raised_by.sort_by_key(|v| v.to_string());
    assert_eq!(raised_by, [json!("กลุ่มประมงพื้นบ้านบานา"), json!(null)], "a group is the raise's raised_by");
}

async fn a_complainant_named_on_the_forum_page_is_shown_to_staff_and_never_to_an_auditor(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PDW-2").await;
    let mut web = app.web_as(Role::Coordinator).await;
    let (csrf, submission) = forum_form(&mut web).await;
    let rows = [RowIn::person("น้ำท่วมซ้ำซาก", PHONE, NATIONAL_ID)];
    let form = fields(&csrf, &submission, &area, &rows);
    let page = web.post("/forums", &form).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(persons(&app).await, 1);
    // A retry of the very same form records the person once.
    let events = app.event_count().await;
    assert_eq!(web.post("/forums", &form).await.status, StatusCode::SEE_OTHER);
    assert_eq!((app.event_count().await, persons(&app).await), (events, 1), "nothing written twice");
    let issues = issues_in(&app, &area).await;
    let (id, case) = &issues[0];

    let mut staff = app.web_as(Role::Staff).await;
    let page = staff.get(&format!("/issues/{case}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let card = &page.body[page.body.find("id=\"complainant\"").expect("the complainant's card")..];
    for shown in [NAME, "0812345678", ADDRESS, NOTES, "•••••••••0708"] {
        assert!(card.contains(shown), "{shown} on the card: {card}");
    }
    assert!(!page.body.contains("1101700230708"), "the national id number is never shown whole");
    assert!(page.body.contains(DESCRIPTION), "the description is opened for the page");
    no_ciphertext("the issue page", &page);
    let staff_name = format!("staff-{}", app.suffix);
    let reads: i64 = santisuk_store::on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM access_log WHERE action = 'person' AND actor = $1")
        .bind(&staff_name).fetch_one(p).await.expect("access log"));
    assert_eq!(reads, 1, "the read of the person is in the access log");

    let mut auditor = app.web_as(Role::Auditor).await;
    let page = auditor.get(&format!("/issues/{id}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("id=\"complainant\""), "no card for an auditor");
    for hidden in [NAME, "0812345678", "0708", NOTES] {
        assert!(!page.body.contains(hidden), "{hidden} shown to an auditor");
    }
    // The audit log shows the stored event: its texts sealed, never their ciphertext.
    let log = auditor.get(&format!("/audit?issue={case}")).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    assert!(log.body.contains("เข้ารหัส (sealed)"), "{}", log.body);
    assert!(!log.body.contains(DESCRIPTION), "the audit log shows the stored (sealed) form");
    no_ciphertext("the audit log", &log);
}

async fn a_bad_phone_or_national_id_comes_back_beside_its_field_and_writes_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PDW-3").await;
    let mut web = app.web_as(Role::Staff).await;
    let (events, people) = (app.event_count().await, persons(&app).await);
    for (row, field, message) in [
        (RowIn::person("ไฟฟ้าดับ", "12345", NATIONAL_ID), "p_c_phone-1", "หมายเลขโทรศัพท์ไม่ถูกต้อง"),
        (RowIn::person("ไฟฟ้าดับ", PHONE, "1-1017-00230-70-7"), "p_c_national_id-1", "เลขประจำตัวประชาชนไม่ถูกต้อง"),
    ] {
        let (csrf, submission) = forum_form(&mut web).await;
        let rows = [RowIn::anonymous("ถนนชำรุด"), row];
        let form = fields(&csrf, &submission, &area, &rows);
        // The error is the second row's: its fields are numbered 2.
        let field = field.replace("-1", "-2");
        let page = web.post("/forums", &form).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
        let marker = format!("id=\"err-{field}\" role=\"alert\">{message}");
        assert!(page.body.contains(&marker), "{marker} not in {}", page.body);
        assert!(page.body.contains(&format!("href=\"#{field}\"")), "the summary links to {field}");
        assert!(page.body.contains(&format!("value=\"{NAME}\"")), "what was typed is kept");
        assert!(page.body.contains("<details open"), "the person's fields are unfolded");
        assert_eq!((app.event_count().await, persons(&app).await), (events, people), "nothing was written");
    }
}

/// Raises a problem through the API naming an existing person record.
async fn raise_for(app: &TestApp, area: &str, subject: &str, title: &str) -> String {
    let body = json!({"area_id": area, "category": "INF", "title": title, "description": "ถูกข่มขู่ที่ด่านตรวจ",
        "complainant": {"subject_id": subject}});
    let r = app.post("/api/issues", &app.staff, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().expect("id").to_owned()
}

async fn erasing_a_complainant_names_every_case_first_and_leaves_only_markers(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PDW-4").await;
    let mut admin = app.web_as(Role::Admin).await;
    let issues = save_forum(&app, &mut admin, &area, &[RowIn::person("น้ำท่วมซ้ำซาก", PHONE, NATIONAL_ID)]).await;
    let (first, first_case) = issues[0].clone();
    let r = app.get(&format!("/api/issues/{first}"), &app.staff).await;
    let subject = r.body["complainant"]["subject_id"].as_str().expect("a complainant").to_owned();
    let second = raise_for(&app, &area, &subject, "ถูกข่มขู่หลังร้องเรียน").await;
    let issues = issues_in(&app, &area).await;
    let second_case = issues.iter().find(|(id, _)| *id == second).expect("second").1.clone();
    let page = admin.get(&format!("/issues/{first}")).await;
    assert!(page.body.contains(&format!("href=\"/issues/{first}/erase\"")), "the way to the erasure");

    // The confirmation names the problem, the person and every case they raised.
    let confirm = admin.get(&format!("/issues/{first}/erase")).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let person = &confirm.body[confirm.body.find("id=\"erase-person\"").expect("the person's part")..];
    assert!(person.contains(NAME) && person.contains(&first_case) && person.contains(&second_case), "{person}");
    let issue = &confirm.body[confirm.body.find("id=\"erase-issue\"").expect("the problem's part")..];
    assert!(issue.contains("รายละเอียด หมายเหตุ การดำเนินการ เหตุผล และ “ผู้เสนอปัญหา” ของเรื่อง"), "{issue}");
    assert!(issue.contains(&first_case));
    let csrf = confirm.csrf();

    // Without a legal basis: refused beside the field, nothing erased.
    let events = app.event_count().await;
    let path = format!("/issues/{first}/erase");
    let page = admin.post(&path, &[("_csrf", &csrf), ("legal_basis", " "), ("target", "person")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("id=\"err-legal_basis\" role=\"alert\">กรุณากรอกช่องนี้"), "{}", page.body);
    assert_eq!(app.event_count().await, events, "nothing was erased");
    assert!(app.get(&format!("/api/issues/{first}"), &app.staff).await.body["complainant"]["name"] == json!(NAME));

    let basis = "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล ม.33 ตามคำขอ";
    let done = admin.post(&path, &[("_csrf", &csrf), ("legal_basis", basis), ("target", "person")]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let report = &done.body[done.body.find("id=\"erasure-report\"").expect("the report")..];
    assert!(done.body.contains("ลบข้อมูลผู้ร้องเรียนแล้ว"), "{}", done.body);
    assert!(report.contains(&first_case) && report.contains(&second_case) && report.contains(basis), "{report}");
    assert_eq!(app.event_count().await, events + 2, "one PersonalDataErased per problem");
    settle(&app.state.runner, app.db()).await;

    // Every page now shows the marker, the card says erased, and no page prints ciphertext or the person.
    let mut staff = app.web_as(Role::Staff).await;
    let page = staff.get(&format!("/issues/{first}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("[ลบข้อมูลส่วนบุคคลแล้ว]"), "{}", page.body);
    let card = &page.body[page.body.find("id=\"complainant\"").expect("the card")..];
    assert!(card.contains("ลบข้อมูลแล้ว") && card.contains(basis), "{card}");
    let mut auditor = app.web_as(Role::Auditor).await;
    let pages = [
        ("the first issue", staff.get(&format!("/issues/{first}")).await),
        ("the second issue", staff.get(&format!("/issues/{second}")).await),
        ("the queue", staff.get(&format!("/issues?area={area}")).await),
        ("the confirmation", admin.get(&format!("/issues/{first}/erase")).await),
        ("the audit log", auditor.get("/audit").await),
        ("the issue's audit log", auditor.get(&format!("/audit?issue={first_case}")).await),
    ];
    for (what, page) in &pages {
        assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.body);
        no_ciphertext(what, page);
        for gone in [NAME, DESCRIPTION, "ถูกข่มขู่ที่ด่านตรวจ", "0812345678"] {
            assert!(!page.body.contains(gone), "{gone} still on {what}");
        }
    }
    assert!(pages[1].1.body.contains("[ลบข้อมูลส่วนบุคคลแล้ว]"), "the second problem's text is erased too");
    assert!(!pages[3].1.body.contains("id=\"erase-person\""), "an erased person cannot be erased again");
    // A second confirmation of the same erasure (a double-click) is told plainly.
    let again = admin.post(&path, &[("_csrf", &csrf), ("legal_basis", basis), ("target", "person")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("ข้อมูลส่วนบุคคลนี้ถูกลบไปแล้ว"), "{}", again.body);
    // The English page says it in English.
    let lang = staff.post("/lang", &[("_csrf", &page.csrf()), ("lang", "en"), ("back", "/")]).await;
    assert!(lang.status.is_redirection(), "{}", lang.body);
    let english = staff.get(&format!("/issues/{first}")).await;
    assert!(english.body.contains("[personal data erased]"), "{}", english.body);
}

async fn erasing_one_problems_text_keeps_its_complainant(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PDW-5").await;
    let mut admin = app.web_as(Role::Admin).await;
    let issues = save_forum(&app, &mut admin, &area, &[RowIn::person("น้ำท่วมซ้ำซาก", PHONE, "")]).await;
    let (id, case) = issues[0].clone();
    let confirm = admin.get(&format!("/issues/{case}/erase")).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
    let path = format!("/issues/{id}/erase");
    let form = [("_csrf", confirm.csrf()), ("legal_basis", "คำสั่งศาล".to_owned()), ("target", "issue".to_owned())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = admin.post(&path, &form).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(!done.body.contains("id=\"person-erased\""), "the person's record stays");
    settle(&app.state.runner, app.db()).await;
    let page = admin.get(&format!("/issues/{id}")).await;
    assert!(page.body.contains("[ลบข้อมูลส่วนบุคคลแล้ว]"), "{}", page.body);
    assert!(!page.body.contains(DESCRIPTION), "the description is gone");
    let card = &page.body[page.body.find("id=\"complainant\"").expect("the card")..];
    assert!(card.contains(NAME), "the complainant is still recorded: {card}");
    no_ciphertext("the issue page", &page);
}

async fn only_administrators_reach_the_erase_form(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area("PDW-6").await;
    let mut admin = app.web_as(Role::Admin).await;
    let issues = save_forum(&app, &mut admin, &area, &[RowIn::person("น้ำท่วมซ้ำซาก", PHONE, NATIONAL_ID)]).await;
    let (id, _) = issues[0].clone();
    let mut clients = Vec::new();
    for role in [Role::Auditor, Role::Coordinator, Role::Staff] {
        clients.push((role, app.web_as(role).await));
    }
    let events = app.event_count().await;
    for (role, mut web) in clients {
        let page = web.get(&format!("/issues/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{role:?}: {}", page.body);
        assert!(!page.body.contains("/erase"), "{role:?} sees no way to the erasure");
        let csrf = page.csrf();
        let form = web.get(&format!("/issues/{id}/erase")).await;
        assert_eq!(form.status, StatusCode::FORBIDDEN, "{role:?}: {}", form.body);
        assert!(!form.body.contains("legal_basis"), "{role:?} never sees the form");
        for target in ["issue", "person"] {
            let posted = web
                .post(&format!("/issues/{id}/erase"), &[("_csrf", &csrf), ("legal_basis", "ขอลบ"), ("target", target)])
                .await;
            assert_eq!(posted.status, StatusCode::FORBIDDEN, "{role:?} {target}: {}", posted.body);
        }
    }
    assert_eq!(app.event_count().await, events, "nothing was erased");
    let r = app.get(&format!("/api/issues/{id}"), &app.admin).await;
    assert_eq!(r.body["complainant"]["name"], json!(NAME), "the person is still recorded");
}
