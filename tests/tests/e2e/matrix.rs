//! The whole API as one matrix (issue #12): every endpoint and parameter × every role × the caller's own
//! area, another area and an area or id that does not exist, on both backends.
//!
//! Each cell checks the exact status; that a refused write stored no event and an allowed one stored some;
//! that nothing of another area reaches a coordinator (lists, counts, exports, as-of answers); and that a
//! coordinator's answer about another area's issue, forum or area is exactly the one for an id that does
//! not exist, so it cannot even learn that the thing exists. The OpenAPI document is checked against the
//! table, so an endpoint or parameter added later without a row fails here.

use std::collections::{BTreeMap, HashSet};
use std::io::Cursor;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use calamine::{Reader, Xlsx};
use http_body_util::BodyExt;
use santisuk_tests::{Backend, TestApp, both_backends, csv_records, settle};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(every_endpoint_answers_every_role_in_every_area_exactly_as_the_rules_say);

/// Who calls. A coordinator's own and other areas are the [`Place`] of the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Staff,
    Auditor,
    Coordinator,
    NoToken,
    BadToken,
}

const WHO: [Who; 6] = [Who::Admin, Who::Staff, Who::Auditor, Who::Coordinator, Who::NoToken, Who::BadToken];

impl Who {
    fn name(self) -> &'static str {
        match self {
            Who::Admin => "admin",
            Who::Staff => "staff",
            Who::Auditor => "auditor",
            Who::Coordinator => "coordinator",
            Who::NoToken => "notoken",
            Who::BadToken => "badtoken",
        }
    }

    fn index(self) -> usize {
        WHO.iter().position(|w| *w == self).expect("a role of the matrix")
    }
}

/// Where the cell acts: the coordinator's own area, an area that is not theirs, or ids that exist nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Own,
    Other,
    Unknown,
}

const PLACES: [Place; 3] = [Place::Own, Place::Other, Place::Unknown];

/// What one area holds for the matrix; for [`Place::Unknown`], ids that exist nowhere.
#[derive(Debug)]
struct Site {
    area: String,
    amphoe: &'static str,
    province: &'static str,
    /// Starts the title of every issue and forum of the area, so a leaked row shows in any answer or file.
    title: &'static str,
    /// A forum held in the area before `t0`.
    forum: String,
    /// An issue raised at `forum` before `t0`, assigned and overdue.
    issue: String,
    /// A list cursor pointing at `issue` (for the unknown place: at the same instant, an unknown id).
    cursor: String,
    /// Per role (in [`WHO`] order): a freshly raised issue the role assigns, addresses, closes and reopens.
    targets: Vec<String>,
    /// Per role: a freshly raised issue the role restricts and lifts the mark of (in the own area raised by the
    /// coordinator, who then still reads it; elsewhere by the staff).
    restrict_targets: Vec<String>,
    /// Per role: a coordinator of the area whose areas, token and password the role changes, and whom it
    /// deactivates.
    victims: Vec<String>,
    /// An organisation of the registry working in the area (active), named in no forum (#16).
    organisation: String,
    /// Issue #17: a problem closed as resolved in October, and a forum after it that asks about it.
    done: String,
    verdict_forum: String,
    /// The digest of a photo attached to `issue` (#17 §4).
    attachment: String,
}

#[derive(Debug)]
struct World {
    app: TestApp,
    /// The coordinator's areas: its home area and `OWN-01`.
    scope: Vec<String>,
    /// The user ids of the admin, staff, auditor and coordinator, for setting one's own password.
    me: [String; 4],
    /// An instant after the set-up and before the matrix, for every `as_of`.
    t0: String,
    /// The ledger digest at `t0`, for `verify?digest=`.
    digest: String,
    own: Site,
    other: Site,
    unknown: Site,
}

impl World {
    fn site(&self, place: Place) -> &Site {
        match place {
            Place::Own => &self.own,
            Place::Other => &self.other,
            Place::Unknown => &self.unknown,
        }
    }

    fn token(&self, who: Who) -> Option<&str> {
        match who {
            Who::Admin => Some(&self.app.admin),
            Who::Staff => Some(&self.app.staff),
            Who::Auditor => Some(&self.app.auditor),
            Who::Coordinator => Some(&self.app.coordinator),
            Who::NoToken => None,
            Who::BadToken => Some("santisuk-this-is-not-a-token"),
        }
    }
}

/// What an import answers a body that is no spreadsheet (#18 §2).
const IMPORT_REFUSED: u16 = 422;

/// A person record's id that no one recorded.
const NOBODY: &str = "00000000-0000-4000-8000-000000000015";

/// One row of the matrix.
#[derive(Debug, Clone)]
struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    headers: Vec<(&'static str, String)>,
    /// The status for the admin, staff, auditor and coordinator; without a token or with a bad one every
    /// `/api` endpoint answers 401.
    expect: [u16; 4],
    /// Anyone may call it (health, readiness, the OpenAPI document): no 401 without a token.
    public: bool,
    /// An allowed answer stores events (false: a replayed idempotent raise, which answers but stores none).
    stores: bool,
    /// An allowed answer lists the place's issues or forums (a positive control for the leak checks).
    shows: bool,
    /// A multipart body (the attachments' upload, #17 §4) instead of JSON, with [`BOUNDARY`].
    multipart: Option<Vec<u8>>,
}

fn get(path: impl Into<String>) -> Case {
    Case {
        method: Method::GET,
        path: path.into(),
        body: None,
        headers: Vec::new(),
        expect: [200; 4],
        public: false,
        stores: false,
        shows: false,
        multipart: None,
    }
}

/// An upload (multipart): a photo attached to an issue.
fn upload(path: impl Into<String>) -> Case {
    Case { method: Method::POST, stores: true, multipart: Some(matrix_upload()), ..get(path) }
}

const BOUNDARY: &str = "matrix-boundary-2f9a";

/// A small photo, as a phone sends it (named, with its claimed type).
fn matrix_photo() -> Vec<u8> {
    let image = image::RgbImage::from_pixel(8, 8, image::Rgb([10, 120, 200]));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).expect("a JPEG");
    out.into_inner()
}

/// The digest the matrix photo is stored under (after the metadata strip).
fn matrix_photo_digest() -> String {
    let checked = santisuk_app::attachments::check(matrix_photo(), santisuk_app::attachments::DEFAULT_MAX_BYTES, false)
        .expect("the matrix photo is accepted");
    santisuk_store::blobs::digest_of(&checked.bytes)
}

fn matrix_upload() -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"matrix.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&matrix_photo());
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn post(path: impl Into<String>, body: Value) -> Case {
    Case { method: Method::POST, body: Some(body), stores: true, ..get(path) }
}

/// A write by another method than POST (PUT, PATCH).
fn write(method: Method, path: impl Into<String>, body: Value) -> Case {
    Case { method, ..post(path, body) }
}

impl Case {
    fn expect(self, expect: [u16; 4]) -> Case {
        Case { expect, ..self }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Case {
        self.headers.push((name, value.into()));
        self
    }

    fn public(self) -> Case {
        Case { public: true, ..self }
    }

    fn replay(self) -> Case {
        Case { stores: false, ..self }
    }

    /// A write of state that is not an event (a notification channel, #17 §5): allowed, it stores none.
    fn no_events(self) -> Case {
        Case { stores: false, ..self }
    }

    fn shows(self) -> Case {
        Case { shows: true, ..self }
    }

    fn expected(&self, who: Who) -> u16 {
        match who {
            Who::NoToken | Who::BadToken if !self.public => 401,
            Who::NoToken | Who::BadToken => self.expect[0],
            _ => self.expect[who.index()],
        }
    }

    /// The request as text, for the leak checks: what the caller sent may come back.
    fn request_text(&self) -> String {
        let headers: Vec<String> = self.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        format!(
            "{} {} {} {}",
            self.method,
            self.path,
            self.body.as_ref().map(Value::to_string).unwrap_or_default(),
            headers.join(" ")
        )
    }
}

/// The matrix's rows for one role and place. Rows that do not depend on an area are in the own place only,
/// so the other and unknown places have the same rows in the same order (compared pairwise below).
fn cases(w: &World, who: Who, place: Place) -> Vec<Case> {
    let s = w.site(place);
    let r = who.index();
    let (area, issue, forum, target, victim) = (&s.area, &s.issue, &s.forum, &s.targets[r], &s.victims[r]);
    let restrict_target = &s.restrict_targets[r];
    let t0 = &w.t0;
    let role = who.name();
    // The answer in the own area, another area, and for an area or id that does not exist.
    let p = |own: u16, other: u16, unknown: u16| match place {
        Place::Own => own,
        Place::Other => other,
        Place::Unknown => unknown,
    };
    // Writers acting on an issue: the admin and staff anywhere; the coordinator only in their own area,
    // and elsewhere exactly as for an issue that does not exist.
    let act = [p(200, 200, 404), p(200, 200, 404), 403, p(200, 404, 404)];
    let read_one = [p(200, 200, 404), p(200, 200, 404), p(200, 200, 404), p(200, 404, 404)];
    // Raising or recording a forum names the area itself: another area is refused to a coordinator as an
    // area that does not exist is (403 before the area is looked up), while others learn it is unknown.
    let write_in_area = [p(201, 201, 422), p(201, 201, 422), 403, p(201, 403, 403)];
    let admin_only = |ok: u16| [ok, 403, 403, 403];
    let auditors = [200, 403, 200, 403];
    let raise = json!({
        "area_id": area, "category": "LIV", "title": format!("{} raised by {role}", s.title),
        "description": "น้ำท่วมขังหน้าโรงเรียน", "forum_id": forum, "raised_by": "ผู้นำชุมชน",
        "at": "2026-11-25T03:00:00Z",
    });
    let plain_raise = json!({"area_id": area, "category": "EDU", "title": format!("{} keyed by {role}", s.title)});
    // Restricted at the raise outside the coordinator's areas only: a case they may not read in their own
    // areas would leave their figures (checked against the admin's below) short of it.
    let restricted_raise = json!({"area_id": area, "category": "HLT", "title": format!("{} restricted by {role}", s.title),
        "restricted": place != Place::Own});
    let key = format!("key-{role}-{area}");
    let mut v = vec![
        // --- issues: commands ---
        post("/api/issues", raise).expect(write_in_area),
        post("/api/issues", plain_raise.clone()).header("idempotency-key", &key).expect(write_in_area),
        // The same key again answers as the first time and stores nothing.
        post("/api/issues", plain_raise).header("idempotency-key", &key).expect(write_in_area).replay(),
        post("/api/issues", restricted_raise).expect(write_in_area),
        // An issue of the own area raised at this place's forum: only a forum of the same area will do, and
        // another area's forum is, to a coordinator, a forum that does not exist.
        post(
            "/api/issues",
            json!({"area_id": w.own.area, "category": "GOV", "title": "near-mark at a forum", "forum_id": forum}),
        )
        .expect([p(201, 422, 422), p(201, 422, 422), 403, p(201, 422, 422)]),
        post(
            format!("/api/issues/{target}/assign"),
            json!({"assignee": format!("team-{area}"), "due_on": "2027-01-31", "note": "รับเรื่อง"}),
        )
        .header("if-match", "1")
        .expect(act),
        post(format!("/api/issues/{target}/address"), json!({"action": "ประสานอำเภอแล้ว", "note": "ลงพื้นที่"}))
            .header("if-match", "2")
            .header("idempotency-key", format!("{key}-address"))
            .expect(act),
        post(format!("/api/issues/{target}/close"), json!({"outcome": "resolved", "note": "เสร็จ"}))
            .header("if-match", "3")
            .header("idempotency-key", format!("{key}-close"))
            .expect(act),
        post(format!("/api/issues/{target}/reopen"), json!({"reason": "น้ำท่วมอีก"}))
            .header("if-match", "\"4\"")
            .header("idempotency-key", format!("{key}-reopen"))
            .expect(act),
        post(format!("/api/issues/{target}/assign"), json!({"assignee": "อำเภอ"}))
            .header("idempotency-key", format!("{key}-assign"))
            .expect(act),
        // The same key again answers as the first time and stores nothing.
        post(format!("/api/issues/{target}/assign"), json!({"assignee": "อำเภอ"}))
            .header("idempotency-key", format!("{key}-assign"))
            .expect(act)
            .replay(),
        post(
            format!("/api/issues/{target}/correct"),
            json!({"title": format!("{} corrected by {role}", s.title), "category": "GOV", "reason": "พิมพ์ผิด"}),
        )
        .header("if-match", "6")
        .header("idempotency-key", format!("{key}-correct"))
        .expect(act),
        // Who the problem waits for (#17): the person's assignment left it with SBPAC; now the community.
        post(format!("/api/issues/{target}/waiting"), json!({"waiting_for": "community", "note": "รอรายชื่อ"}))
            .header("if-match", "7")
            .header("idempotency-key", format!("{key}-waiting"))
            .expect(act),
        // The routing rules' suggestion for the area (#17): issue writers, a coordinator in their own areas.
        get(format!("/api/routing-rules/suggest?category=INF&area={area}")).expect([
            p(200, 200, 422),
            p(200, 200, 422),
            403,
            p(200, 403, 403),
        ]),
        // --- duplicates and verdicts (#17) ---
        // The target is marked a duplicate of the place's base issue (closing it).
        post(format!("/api/issues/{target}/duplicate"), json!({"of": issue, "note": "เรื่องเดียวกัน"}))
            .header("if-match", "8")
            .expect(act),
        get(format!("/api/issues/{issue}/duplicates")).expect(read_one),
        get(format!(
            "/api/duplicates/suggest?area={area}&category=LIV&title={}&description=x&exclude={issue}",
            s.title
        )),
        get(format!("/api/forums/{}/verdicts", s.verdict_forum)).expect(read_one),
        post(
            format!("/api/forums/{}/verdicts", s.verdict_forum),
            json!({"verdicts": [{"issue_id": s.done, "verdict": "not_asked"}]}),
        )
        .expect(act),
        // Restricting, then lifting the mark. In the own area the case was raised by the coordinator, so the
        // staff member who restricted it may no longer read it (the lift is "no such issue"); elsewhere the
        // staff raised it and reads it still.
        post(format!("/api/issues/{restrict_target}/restrict"), json!({"restricted": true, "reason": "ผู้ร้องเสี่ยง"}))
            .header("if-match", "1")
            .header("idempotency-key", format!("{key}-restrict"))
            .expect(act),
        post(format!("/api/issues/{restrict_target}/restrict"), json!({"restricted": false, "reason": "ยินยอมแล้ว"}))
            .expect([p(200, 200, 404), p(404, 200, 404), 403, p(200, 404, 404)]),
        // --- photos and documents (#17 §4): writers attach, readers of the case read; an auditor never uploads ---
        upload(format!("/api/issues/{issue}/attachments")).expect([
            p(201, 201, 404),
            p(201, 201, 404),
            403,
            p(201, 404, 404),
        ]),
        get(format!("/api/issues/{issue}/attachments")).expect(read_one),
        get(format!("/api/issues/{issue}/attachments/{}", s.attachment)).expect(read_one),
        get(format!("/api/issues/{issue}/attachments/{}/thumbnail", s.attachment)).expect(read_one),
        // --- issues: reads ---
        get(format!("/api/issues/{issue}")).expect(read_one),
        get(format!("/api/issues/{issue}?as_of={t0}")).expect(read_one),
        get(format!("/api/issues/{issue}/history")).expect(read_one),
        get(format!("/api/issues/{issue}/history?after=1&limit=1")).expect(read_one),
        get(format!("/api/issues?area_id={area}")).shows(),
        get(format!("/api/issues?assignee=team-{area}")).shows(),
        get(format!("/api/issues?amphoe_code={}", s.amphoe)).shows(),
        get(format!("/api/issues?province_code={}", s.province)).shows(),
        get(format!("/api/issues?limit=2&cursor={}", s.cursor)),
        get(format!("/api/issues?as_of={t0}&area_id={area}")).shows(),
        // A search by the area's code finds the place's issues, within the caller's scope like any filter.
        // The dashboard's drill-down filters (#13): the base issue was raised on 2026-09-20 (fiscal year 2569)
        // and is open; nothing of the area was closed on the first day of 2000.
        get(format!(
            "/api/issues?area_id={area}&raised_from=2026-09-01&raised_to=30/09/2569&fiscal_year=2569&open=true"
        ))
        .shows(),
        get(format!("/api/issues?area_id={area}&outcome=resolved&closed_from=2000-01-01&closed_to=2000-01-01")),
        get(format!(
            "/api/issues/export?area_id={area}&raised_from=2026-09-01&raised_to=2569-09-30&fiscal_year=2569&open=true\
             &outcome=resolved&closed_from=2000-01-01&closed_to=2099-12-31"
        )),
        get(format!("/api/issues?q={area}")).shows(),
        get(format!("/api/issues?q={area}&as_of={t0}")).shows(),
        get(format!("/api/issues/export?format=csv&q={area}")).shows(),
        get(format!("/api/issues/export?format=csv&lang=en&dates=be&area_id={area}")).shows(),
        get(format!("/api/issues/export?format=xlsx&lang=th&dates=iso&area_id={area}")).shows(),
        get(format!("/api/issues/export?format=xlsx&as_of={t0}&area_id={area}")).shows(),
        get(format!(
            "/api/issues/export?category=LIV&assignee=team-{area}&amphoe_code={}&province_code={}",
            s.amphoe, s.province
        ))
        .shows(),
        // Personal data in an export (#15): for those who work the cases, with a reason; never auditors.
        get(format!("/api/issues/export?personal=include&reason=matrix%20check&area_id={area}"))
            .expect([200, 200, 403, 200]),
        // --- forums ---
        post(
            "/api/forums",
            json!({"area_id": area, "held_on": "2026-11-20", "title": format!("{} forum by {role}", s.title),
                "facilitator": "ครูสมศรี", "participants": 40}),
        )
        .expect(write_in_area),
        post("/api/forums", json!({"area_id": area, "held_on": "2026-11-21", "title": format!("{key} forum")}))
            .header("idempotency-key", format!("{key}-forum"))
            .expect(write_in_area),
        post("/api/forums", json!({"area_id": area, "held_on": "2026-11-21", "title": format!("{key} forum")}))
            .header("idempotency-key", format!("{key}-forum"))
            .expect(write_in_area)
            .replay(),
        get(format!("/api/forums?area_id={area}")).shows(),
        get(format!("/api/forums/{forum}")).expect(read_one),
        // The printed papers (#18 §3, §4): whoever may see the forum or read the problem prints it.
        get(format!("/api/forums/{forum}/report.pdf?lang=th")).expect(read_one),
        get(format!("/api/issues/{issue}/receipt.pdf?lang=ms")).expect(read_one),
        // A spreadsheet import (#18 §2), admins and staff only; a body that is no spreadsheet is refused before
        // anything is written, whatever the place.
        post("/api/imports?dry_run=true&name=matrix.csv&sheet=Sheet1&encoding=utf-8", json!({"not": "a sheet"}))
            .expect([IMPORT_REFUSED, IMPORT_REFUSED, 403, 403]),
        // --- coordinators' obstacles (#16): only a coordinator raises one, in their own area ---
        post(
            "/api/obstacles",
            json!({"area_id": area, "category": "OBS_BUDGET", "title": format!("{} obstacle by {role}", s.title)}),
        )
        .expect([403, 403, 403, p(201, 403, 403)]),
        post("/api/obstacles", json!({"area_id": area, "category": "OBS_AGENCY", "title": format!("{key} obstacle")}))
            .header("idempotency-key", format!("{key}-obstacle"))
            .expect([403, 403, 403, p(201, 403, 403)]),
        post("/api/obstacles", json!({"area_id": area, "category": "OBS_AGENCY", "title": format!("{key} obstacle")}))
            .header("idempotency-key", format!("{key}-obstacle"))
            .expect([403, 403, 403, p(201, 403, 403)])
            .replay(),
        get(format!(
            "/api/obstacles?area_id={area}&category=OBS_BUDGET&status=raised&open=true&raised_from=2026-01-01\
             &raised_to=2099-12-31&q={area}&limit=5"
        )),
        get(format!(
            "/api/obstacles?as_of={t0}&amphoe_code={}&province_code={}&assignee=x&overdue=true&outcome=resolved\
             &closed_from=2000-01-01&closed_to=2000-01-02&fiscal_year=2570&cursor={}",
            s.amphoe, s.province, s.cursor
        )),
        // --- participation and organisations (#16) ---
        post(
            "/api/forums",
            json!({"area_id": area, "held_on": "2026-11-22", "participants": 30, "participation": {"sbpac_staff": 2,
                "coordinators": 1, "leaders": {"imam": 1}, "villagers": 20, "villagers_women": 11}}),
        )
        .expect(write_in_area),
        write(Method::PUT, format!("/api/forums/{forum}/participation"), json!({"villagers": 12, "leaders": {"elder": 2}}))
            .expect(act),
        post(
            "/api/organisations",
            json!({"name_th": format!("{} organisation by {role}", s.title), "kind": "womens_group", "area_ids": [area]}),
        )
        .expect(write_in_area),
        get(format!("/api/organisations?area_id={area}&status=active")),
        get(format!("/api/organisations/{}", s.organisation)).expect(read_one),
        write(Method::PATCH, format!("/api/organisations/{}", s.organisation), json!({"name_en": format!("by {role}")}))
            .expect([p(200, 200, 404), p(200, 200, 404), 403, 403]),
        // Registered active: approving it is a conflict, once the caller may approve and it exists.
        post(format!("/api/organisations/{}/approve", s.organisation), json!({}))
            .expect([p(409, 409, 404), p(409, 409, 404), 403, 403]),
        // --- reference data and users (administrators) ---
        post("/api/areas", json!({"id": format!("N-{role}-{area}"), "name_th": "ใหม่", "amphoe_code": s.amphoe}))
            .expect(admin_only(p(201, 201, 422))),
        post("/api/users", json!({"name": format!("made-{role}-{area}"), "role": "coordinator", "areas": [area]}))
            .expect(admin_only(p(201, 201, 422))),
        post(format!("/api/users/{victim}/areas"), json!({"areas": [area]})).expect(admin_only(p(200, 200, 404))),
        post(format!("/api/users/{victim}/token"), json!({})).expect(admin_only(p(200, 200, 404))),
        post(format!("/api/users/{victim}/password"), json!({"password": "correct horse battery"}))
            .expect(admin_only(p(200, 200, 404))),
        // Restricted categories are granted to staff and auditors, never to a coordinator (nothing stored).
        post(format!("/api/users/{victim}/categories"), json!({"categories": ["JUS"]}))
            .expect(admin_only(p(422, 422, 404))),
        // --- spreading marks and the progress report (#16) ---
        // Reached from the harness's home area (never marked itself, so no mark here makes a cycle).
        write(Method::PUT, format!("/api/areas/{area}/reach"), json!({"from": format!("HOME-{}", w.app.suffix), "on": "2026-10-01"}))
            .expect([p(200, 200, 404), p(200, 200, 404), 403, 403]),
        get(format!("/api/reports/progress?period=fiscal_year&fiscal_year=2570&scope=area&scope_id={area}")).expect([
            p(200, 200, 422),
            p(200, 200, 422),
            p(200, 200, 422),
            p(200, 422, 422),
        ]),
        get(format!("/api/reports/progress/trend?scope=amphoe&scope_id={}&quarters=2", s.amphoe)).expect([
            p(200, 200, 422),
            p(200, 200, 422),
            p(200, 200, 422),
            p(200, 422, 422),
        ]),
        get(format!("/api/reports/progress/export?scope=province&scope_id={}&format=xlsx", s.province)).expect([
            p(200, 200, 422),
            p(200, 200, 422),
            p(200, 200, 422),
            p(200, 422, 422),
        ]),
    ];
    // User commands with `Idempotency-Key`: the first stores, the same again answers alike and stores nothing.
    let made = json!({"name": format!("keyed-{role}-{area}"), "role": "coordinator", "areas": [area]});
    for (path, body, ok) in [
        ("/api/users".to_owned(), made, 201),
        (format!("/api/users/{victim}/areas"), json!({"areas": [area]}), 200),
        (format!("/api/users/{victim}/token"), json!({}), 200),
        (format!("/api/users/{victim}/deactivate"), json!({}), 200),
    ] {
        let key = format!("{key}-{path}");
        let expect = admin_only(p(ok, ok, if ok == 201 { 422 } else { 404 }));
        v.push(post(&path, body.clone()).header("idempotency-key", &key).expect(expect));
        v.push(post(&path, body).header("idempotency-key", &key).expect(expect).replay());
    }
    if place == Place::Own {
        let me = &w.me[r.min(3)];
        let digest = &w.digest;
        v.extend([
            get("/healthz").public(),
            get("/readyz").public(),
            get("/metrics").public(),
            get("/api/openapi.json").public(),
            get("/api/issues"),
            get("/api/issues?category=LIV&status=assigned"),
            get("/api/issues?overdue=true"),
            get("/api/issues?limit=1"),
            get(format!("/api/issues?as_of={t0}")),
            get(format!("/api/issues?as_of={t0}&overdue=true&limit=500")),
            // Escalated problems only (#17 §2).
            get("/api/issues?escalated=true"),
            get("/api/obstacles?escalated=false"),
            get("/api/issues/export"),
            get(format!("/api/issues/export?format=csv&lang=en&status=closed&as_of={t0}")),
            // The export walks every page itself: `limit` and `cursor` are accepted and ignored.
            get(format!("/api/issues/export?overdue=true&limit=1&cursor={}", w.own.cursor)),
            get("/api/forums"),
            get("/api/areas"),
            get("/api/categories"),
            get("/api/categories?kind=obstacle"),
            get("/api/obstacles"),
            post(
                "/api/categories",
                json!({"code": format!("M_{}", role.to_uppercase()), "name_th": "ใหม่", "name_en": "New"}),
            )
            .expect(admin_only(201)),
            // A category of its own (no case is in it), restricted and lifted again.
            post(format!("/api/categories/M_{}/restrict", role.to_uppercase()), json!({"restricted": true}))
                .expect(admin_only(200)),
            post(format!("/api/categories/M_{}/restrict", role.to_uppercase()), json!({"restricted": false}))
                .expect(admin_only(200)),
            post("/api/categories/NOPE_99/restrict", json!({"restricted": true})).expect(admin_only(404)),
            // Service levels (#17 §2) on the role's own category (no case in it): set, then lifted again.
            write(Method::PUT, format!("/api/categories/M_{}/service-level", role.to_uppercase()),
                json!({"days_to_assign": 3, "days_to_resolve": 30}))
                .expect(admin_only(200)),
            write(Method::PUT, format!("/api/categories/M_{}/service-level", role.to_uppercase()), json!({}))
                .expect(admin_only(200)),
            write(Method::PUT, "/api/categories/NOPE_99/service-level", json!({"days_to_assign": 1}))
                .expect(admin_only(404)),
            // Notifications (#17 §5), administrators only. The harness's deliverer is off: nothing is sent.
            get("/api/notifications/channels").expect(admin_only(200)),
            post("/api/notifications/channels", json!({"kind": "webhook", "target": "http://127.0.0.1:9/hook",
                "secret": "matrix-secret-0123456789"}))
                .expect(admin_only(201))
                .no_events(),
            post("/api/notifications/channels", json!({"kind": "webhook", "target": "ftp://127.0.0.1/hook",
                "secret": "matrix-secret-0123456789"}))
                .expect(admin_only(422)),
            write(Method::DELETE, "/api/notifications/channels/nope", json!({})).expect(admin_only(404)),
            get("/api/notifications/deliveries?state=failed").expect(admin_only(200)),
            post("/api/notifications/deliveries/nope/retry", json!({})).expect(admin_only(404)),
            // The staff member's grants, replaced by the same (none), with a key and again.
            post(format!("/api/users/{}/categories", w.me[1]), json!({"categories": []}))
                .header("idempotency-key", format!("{key}-grant"))
                .expect(admin_only(200)),
            post(format!("/api/users/{}/categories", w.me[1]), json!({"categories": []}))
                .header("idempotency-key", format!("{key}-grant"))
                .expect(admin_only(200))
                .replay(),
            // --- statistics ---
            get("/api/stats/resolution"),
            get("/api/stats/resolution?by=area,category"),
            get("/api/stats/resolution?by=amphoe"),
            get("/api/stats/resolution?by=province"),
            get("/api/stats/resolution?by=forum"),
            get("/api/stats/resolution?by=month"),
            get("/api/stats/resolution?by=fiscal_year"),
            get("/api/stats/resolution?by=month&from=2026-09-01&to=2026-10-31"),
            get("/api/stats/resolution?by=area&fiscal_year=2570"),
            get(format!("/api/stats/resolution?by=forum,month&as_of={t0}")),
            get(format!("/api/stats/resolution?by=month&as_of={t0}")),
            get("/api/stats/resolution/export"),
            get("/api/stats/resolution/export?by=month&format=csv&lang=en&dates=be"),
            get(format!("/api/stats/resolution/export?by=forum&format=xlsx&lang=en&as_of={t0}")),
            get("/api/stats/resolution/export?by=area,month&from=2026-09-01&to=2026-12-31&fiscal_year=2570"),
            // --- agencies and referral (#17) ---
            post("/api/agencies", json!({"name_th": format!("หน่วยงานของ {role}"), "level": "national"}))
                .expect(admin_only(201)),
            get("/api/agencies"),
            get("/api/agencies?district=9401&level=national"),
            get(format!("/api/agencies/{NOBODY}")).expect([404; 4]),
            write(Method::PATCH, format!("/api/agencies/{NOBODY}"), json!({"contact": "x"})).expect(admin_only(404)),
            get("/api/routing-rules"),
            post("/api/routing-rules", json!({"category": "INF", "district": "9401", "agency": NOBODY}))
                .expect(admin_only(422)),
            write(Method::DELETE, format!("/api/routing-rules/{NOBODY}"), json!({})).expect(admin_only(404)),
            get("/api/stats/custody"),
            get("/api/stats/custody?by=category&from=2026-09-01&to=2026-12-31"),
            get(format!("/api/stats/custody?by=party&as_of={t0}")),
            get("/api/stats/resolution?by=agency"),
            // --- the progress report (#16) ---
            get("/api/reports/progress"),
            get("/api/reports/progress?period=month&month=2026-11&quiet_days=30&roll_up=target"),
            get("/api/reports/progress?period=quarter&quarter=2026-Q4&scope=all"),
            get("/api/reports/progress?period=custom&from=2026-09-01&to=2026-11-30&quarters=4"),
            get(format!("/api/reports/progress?period=fiscal_year&fiscal_year=2570&as_of={t0}")),
            get(format!("/api/reports/progress?scope=coordinator&scope_id={me}")).expect([422, 422, 422, 200]),
            get("/api/reports/progress/trend"),
            get(format!("/api/reports/progress/trend?period=month&month=2026-11&roll_up=target&quiet_days=60&quarters=8&as_of={t0}")),
            get("/api/reports/progress/trend?period=custom&from=2026-09-01&to=2026-11-30&fiscal_year=2570&quarter=2026-Q4&scope=all"),
            get("/api/reports/progress/export"),
            get(format!("/api/reports/progress/export?period=month&month=2026-11&format=csv&lang=en&dates=be&as_of={t0}")),
            get("/api/reports/progress/export?period=custom&from=2026-09-01&to=2026-11-30&quiet_days=30&roll_up=target&quarters=2&quarter=2026-Q4&fiscal_year=2570"),
            // --- users ---
            get("/api/users").expect(admin_only(200)),
            // Anyone may set their own password.
            post(format!("/api/users/{me}/password"), json!({"password": format!("{role} has a long password")})),
            // --- audit (auditors and administrators) ---
            get("/api/audit/events").expect(auditors),
            get("/api/audit/events?after=1&limit=5").expect(auditors),
            get("/api/audit/export").expect(auditors),
            get("/api/audit/export?format=ndjson").expect(auditors),
            get("/api/audit/export?format=csv").expect(auditors),
            // Filters and order (issue #13): the list and the export take the same ones.
            get(format!("/api/audit/events?issue={issue}&actor=system&type=IssueRaised&from=2026-01-01&to=31/12/2569&order=desc&limit=5"))
                .expect(auditors),
            // A cursor the log holds: the digest's position.
            get(format!("/api/audit/events?order=desc&before={}", digest.split(':').next().unwrap_or("1"))).expect(auditors),
            get(format!("/api/audit/export?format=csv&issue={issue}&actor=system&type=IssueRaised&from=2026-01-01&to=2026-12-31&order=desc"))
                .expect(auditors),
            get("/api/audit/access-log?after=0&limit=10").expect(auditors),
            get("/api/audit/digest").expect(auditors),
            get("/api/audit/verify").expect(auditors),
            // --- personal data (#15): administrators only; a person nobody recorded is not found ---
            post("/api/privacy/erase", json!({"subject": NOBODY, "legal_basis": "PDPA s.33"})).expect(admin_only(404)),
            get(format!("/api/privacy/subjects/{NOBODY}")).expect(admin_only(404)),
            get(format!("/api/audit/verify?digest={digest}")).expect(auditors),
        ]);
    }
    v
}

// --- answers ------------------------------------------------------------------------------------------

/// An answer's body, read as what it is.
#[derive(Debug, Clone, PartialEq)]
enum Content {
    Json(Value),
    /// CSV or NDJSON, without the byte-order mark.
    Text(String),
    /// The first sheet of an XLSX file (compared by cells: the file's zip carries a creation time).
    Cells(Vec<Vec<String>>),
}

impl Content {
    fn render(&self) -> String {
        match self {
            Content::Json(v) => v.to_string(),
            Content::Text(t) => t.clone(),
            Content::Cells(rows) => rows.iter().map(|r| r.join("\t")).collect::<Vec<_>>().join("\n"),
        }
    }

    /// Every string the answer holds: JSON strings and keys (and list cursors, decoded: they are hex of
    /// an instant and an issue id), CSV fields, sheet cells.
    fn fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Content::Json(v) => strings(v, &mut out),
            Content::Text(t) => out.extend(csv_records(t).into_iter().flatten()),
            Content::Cells(rows) => out.extend(rows.iter().flatten().cloned()),
        }
        out
    }

    fn records(&self) -> Vec<Vec<String>> {
        match self {
            Content::Text(t) => csv_records(t),
            Content::Cells(rows) => rows.clone(),
            Content::Json(_) => Vec::new(),
        }
    }
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if let Some(decoded) = unhex(s) {
                out.push(decoded);
            }
            out.push(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                strings(v, out);
            }
        }
        _ => {}
    }
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<String> {
    if text.len() < 2 || text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect();
    String::from_utf8(bytes?).ok()
}

#[derive(Debug, Clone)]
struct Answer {
    status: StatusCode,
    content: Content,
}

impl Answer {
    fn code(&self) -> &str {
        match &self.content {
            Content::Json(v) => v["error"]["code"].as_str().unwrap_or(""),
            _ => "",
        }
    }

    fn json(&self) -> &Value {
        match &self.content {
            Content::Json(v) => v,
            _ => &Value::Null,
        }
    }
}

async fn call(w: &World, who: Who, case: &Case) -> Answer {
    send(
        &w.app,
        case.method.clone(),
        &case.path,
        w.token(who),
        case.body.as_ref(),
        &case.headers,
        case.multipart.as_deref(),
    )
    .await
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    headers: &[(&str, String)],
    multipart: Option<&[u8]>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    if multipart.is_some() {
        req = req.header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}"));
    }
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let body = match (body, multipart) {
        (_, Some(m)) => Body::from(m.to_vec()),
        (Some(b), None) => Body::from(b.to_string()),
        (None, None) => Body::empty(),
    };
    let req = req.body(body).expect("request");
    let resp = app.router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let kind = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = resp.into_body().collect().await.expect("the body arrives whole").to_bytes();
    let content = if kind.contains("spreadsheetml") {
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an XLSX file calamine can open");
        let range = book.worksheet_range_at(0).expect("a first sheet").expect("a readable sheet");
        Content::Cells(range.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect())
    } else if kind.starts_with("image/") || kind.starts_with("application/pdf") {
        // A file (#17 §4): its bytes are no text; what the leak checks need is that it came.
        Content::Text(format!("<{} bytes of {kind}>\n", bytes.len()))
    } else if kind.starts_with("application/json") || bytes.is_empty() {
        Content::Json(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    } else {
        let text = String::from_utf8(bytes.to_vec()).expect("a text answer is UTF-8");
        Content::Text(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text))
    };
    Answer { status, content }
}

/// A path's query as pairs, and the path rebuilt from pairs.
fn query_of(path: &str) -> (String, Vec<(String, String)>) {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    (base.to_owned(), pairs)
}

fn with_query(base: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return base.to_owned();
    }
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{base}?{}", query.join("&"))
}

// --- what a coordinator may not learn -----------------------------------------------------------------

/// Everything of places outside the coordinator's areas: ids and the title mark are found inside any
/// string; the district and province codes must not be a whole string or field.
#[derive(Debug)]
struct Markers {
    ids: HashSet<String>,
    codes: HashSet<String>,
}

impl Markers {
    fn leaks(&self, request: &str, content: &Content) -> Vec<String> {
        let fields = content.fields();
        let mut found = Vec::new();
        for id in self.ids.iter().filter(|id| !request.contains(id.as_str())) {
            if fields.iter().any(|f| f.contains(id.as_str())) {
                found.push(id.clone());
            }
        }
        for code in &self.codes {
            let asked = request.contains(&format!("={code}")) || request.contains(&format!("\"{code}\""));
            if !asked && fields.iter().any(|f| f == code) {
                found.push(code.clone());
            }
        }
        found.sort();
        found
    }
}

/// Checks a coordinator's successful read beyond the leak check: every row is of their areas, figures
/// count only their areas, and a file holds exactly what its JSON endpoint answers.
async fn coordinator_reads(w: &World, case: &Case, answer: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    if case.method != Method::GET || answer.status != StatusCode::OK {
        return problems;
    }
    let in_scope = |area: &Value| area.as_str().is_some_and(|a| w.scope.iter().any(|s| s == a));
    let (base, pairs) = query_of(&case.path);
    let items = answer.json()["items"].as_array().cloned().unwrap_or_default();
    match base.as_str() {
        "/api/issues" | "/api/forums" => {
            for item in items.iter().filter(|i| !in_scope(&i["area_id"])) {
                problems.push(format!("lists {} of area {}", item["id"], item["area_id"]));
            }
        }
        "/api/areas" => {
            for item in items.iter().filter(|i| !in_scope(&i["id"])) {
                problems.push(format!("lists area {}", item["id"]));
            }
        }
        "/api/reports/progress" => {
            let report = answer.json();
            for row in report["rows"].as_array().into_iter().flatten() {
                for a in row["areas"].as_array().into_iter().flatten().filter(|a| !in_scope(a)) {
                    problems.push(format!("reports area {a}"));
                }
            }
            let sections = report["coordinators"].as_array().map_or(0, Vec::len);
            if sections > 1 {
                problems.push(format!("shows {sections} coordinators' sections"));
            }
        }
        "/api/stats/resolution" => {
            // The same query by area, asked by the admin, summed over the coordinator's areas.
            let mut by_area: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "by").cloned().collect();
            by_area.push(("by".into(), "area".into()));
            let all =
                send(&w.app, Method::GET, &with_query(&base, &by_area), Some(w.app.admin.as_str()), None, &[], None)
                    .await;
            let rows = all.json()["rows"].as_array().cloned().unwrap_or_default();
            for counter in ["raised", "closed", "resolved", "unresolved", "open", "overdue"] {
                let expected: i64 =
                    rows.iter().filter(|r| in_scope(&r["area_id"])).map(|r| r[counter].as_i64().unwrap_or(0)).sum();
                let got = answer.json()["totals"][counter].as_i64();
                if got != Some(expected) {
                    problems.push(format!("totals.{counter} is {got:?}, their areas hold {expected}"));
                }
            }
        }
        "/api/issues/export" => {
            // The JSON list for the same filters (every page: the file ignores `limit` and `cursor`), which
            // is what the file must hold.
            let own = ["format", "lang", "dates", "limit", "cursor"];
            let mut list: Vec<(String, String)> =
                pairs.iter().filter(|(k, _)| !own.contains(&k.as_str())).cloned().collect();
            list.push(("limit".into(), "500".into()));
            let json = send(
                &w.app,
                Method::GET,
                &with_query("/api/issues", &list),
                w.token(Who::Coordinator),
                None,
                &[],
                None,
            )
            .await;
            let expected = json.json()["items"].as_array().map_or(0, Vec::len);
            let records = answer.content.records();
            let rows = records.len().saturating_sub(1);
            if rows != expected {
                problems.push(format!("the file has {rows} issues, the list for the same filters {expected}"));
            }
            for row in records.iter().skip(1).filter(|r| !in_scope(&json!(r.get(1)))) {
                problems.push(format!("the file has an issue of area {:?}", row.get(1)));
            }
        }
        "/api/stats/resolution/export" => {
            let stats: Vec<(String, String)> =
                pairs.iter().filter(|(k, _)| !["format", "lang", "dates"].contains(&k.as_str())).cloned().collect();
            let json = send(
                &w.app,
                Method::GET,
                &with_query("/api/stats/resolution", &stats),
                w.token(Who::Coordinator),
                None,
                &[],
                None,
            )
            .await;
            let groups = pairs.iter().find(|(k, _)| k == "by").map_or(1, |(_, v)| v.split(',').count());
            let records = answer.content.records();
            let raised = records.last().and_then(|r| r.get(groups)).and_then(|c| c.parse::<f64>().ok());
            let expected = json.json()["totals"]["raised"].as_f64();
            if raised.is_none() || raised != expected {
                problems.push(format!("the file's total raised is {raised:?}, the JSON's {expected:?}"));
            }
        }
        _ => {}
    }
    problems
}

// --- the set-up -----------------------------------------------------------------------------------------

async fn ok(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let r = app.post(path, token, body.clone()).await;
    assert!(r.status.is_success(), "{path} {body}: {} {:?}", r.status, r.body);
    r.body
}

async fn site(
    app: &TestApp,
    area: &str,
    amphoe: &'static str,
    province: &'static str,
    title: &'static str,
    hour: u32,
) -> Site {
    let staff = &app.staff;
    let forum = ok(
        app,
        "/api/forums",
        staff,
        json!({"area_id": area, "held_on": "2026-09-15", "title": format!("{title} forum")}),
    )
    .await["id"]
        .as_str()
        .expect("forum id")
        .to_owned();
    let raise = |category: &str, what: &str, at: String, forum: Option<&str>| {
        let title = format!("{title} {what}");
        json!({"area_id": area, "category": category, "title": title, "forum_id": forum, "at": at})
    };
    let team = format!("team-{area}");
    // Open, assigned and overdue; raised at the forum in fiscal year 2569.
    let issue = ok(app, "/api/issues", staff, raise("LIV", "base", format!("2026-09-20T0{hour}:00:00Z"), Some(&forum)))
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let on = |id: &str, verb: &str| format!("/api/issues/{id}/{verb}");
    ok(
        app,
        &on(&issue, "assign"),
        staff,
        json!({"assignee": team, "due_on": "2026-10-01", "at": "2026-09-21T00:00:00Z"}),
    )
    .await;
    // Resolved in October (fiscal year 2570).
    let done = ok(app, "/api/issues", staff, raise("EDU", "done", format!("2026-10-10T0{hour}:00:00Z"), Some(&forum)))
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    ok(app, &on(&done, "assign"), staff, json!({"assignee": team, "at": "2026-10-11T00:00:00Z"})).await;
    ok(app, &on(&done, "address"), staff, json!({"action": "ซ่อมแล้ว", "at": "2026-10-12T00:00:00Z"})).await;
    ok(app, &on(&done, "close"), staff, json!({"outcome": "resolved", "at": "2026-10-13T00:00:00Z"})).await;
    // A forum after that closure, which asks the community about it (#17).
    let verdict_forum = ok(
        app,
        "/api/forums",
        staff,
        json!({"area_id": area, "held_on": "2026-10-20", "title": format!("{title} verdicts")}),
    )
    .await["id"]
        .as_str()
        .expect("forum id")
        .to_owned();
    // Just raised, in November.
    ok(app, "/api/issues", staff, raise("GOV", "new", format!("2026-11-05T0{hour}:00:00Z"), None)).await;
    let raised_at = app.get(&format!("/api/issues/{issue}"), &app.admin).await.body["raised_at"]
        .as_str()
        .expect("raised_at")
        .to_owned();
    let mut targets = Vec::new();
    let mut restrict_targets = Vec::new();
    let mut victims = Vec::new();
    let restricter = if area == "OWN-01" { &app.coordinator } else { staff };
    for who in WHO {
        let r = ok(
            app,
            "/api/issues",
            staff,
            json!({"area_id": area, "category": "LIV", "title": format!("{title} for {}", who.name())}),
        )
        .await;
        assert_eq!(r["version"], 1, "If-Match in the matrix counts from 1");
        targets.push(r["id"].as_str().expect("id").to_owned());
        let body =
            json!({"area_id": area, "category": "INF", "title": format!("{title} to restrict for {}", who.name())});
        restrict_targets.push(ok(app, "/api/issues", restricter, body).await["id"].as_str().expect("id").to_owned());
        let name = format!("victim-{}-{area}", who.name());
        let u = ok(app, "/api/users", &app.admin, json!({"name": name, "role": "coordinator", "areas": [area]})).await;
        victims.push(u["id"].as_str().expect("user id").to_owned());
    }
    let organisation = json!({"name_th": format!("{title} organisation"), "kind": "network", "area_ids": [area]});
    let organisation =
        ok(app, "/api/organisations", staff, organisation).await["id"].as_str().expect("organisation id").to_owned();
    let attached = send(
        app,
        Method::POST,
        &format!("/api/issues/{issue}/attachments"),
        Some(staff),
        None,
        &[],
        Some(&matrix_upload()),
    )
    .await;
    assert_eq!(attached.status, StatusCode::CREATED, "{:?}", attached.json());
    let attachment = attached.json()["attachment"]["sha256"].as_str().expect("sha256").to_owned();
    assert_eq!(attachment, matrix_photo_digest());
    Site {
        area: area.to_owned(),
        amphoe,
        province,
        title,
        forum,
        cursor: hex(&format!("{raised_at}|{issue}")),
        issue,
        targets,
        restrict_targets,
        victims,
        organisation,
        done,
        verdict_forum,
        attachment,
    }
}

async fn world(backend: Backend) -> World {
    let app = TestApp::new(backend).await;
    let home = format!("HOME-{}", app.suffix);
    app.area("OWN-01").await;
    // Registered directly, so the coordinator does not get it; in Narathiwat, so even its district and
    // province codes are another area's.
    let other = json!({"id": "OTHER-01", "name_th": "พื้นที่อื่น", "amphoe_code": "9601"});
    ok(&app, "/api/areas", &app.admin, other).await;
    let own = site(&app, "OWN-01", "9401", "94", "near-mark", 3).await;
    let other = site(&app, "OTHER-01", "9601", "96", "far-secret", 4).await;
    let unknown_id = || uuid::Uuid::new_v4().to_string();
    let other_raised_at =
        unhex(&other.cursor).and_then(|c| c.split_once('|').map(|(t, _)| t.to_owned())).expect("cursor");
    let unknown = Site {
        area: "NOPE-99".into(),
        amphoe: "9999",
        province: "99",
        title: "nope-mark",
        forum: unknown_id(),
        issue: unknown_id(),
        // The same instant as the other area's cursor: the page after it must be the same.
        cursor: hex(&format!("{other_raised_at}|{}", unknown_id())),
        targets: WHO.iter().map(|_| unknown_id()).collect(),
        restrict_targets: WHO.iter().map(|_| unknown_id()).collect(),
        victims: WHO.iter().map(|_| unknown_id()).collect(),
        organisation: unknown_id(),
        done: unknown_id(),
        verdict_forum: unknown_id(),
        attachment: matrix_photo_digest(),
    };
    let users = app.get("/api/users", &app.admin).await.body;
    let id_of = |name: String| {
        let users = users["items"].as_array().expect("users");
        let user = users.iter().find(|u| u["name"] == name.as_str()).expect("a harness user");
        user["id"].as_str().expect("id").to_owned()
    };
    let me = [
        id_of(format!("admin-{}", app.suffix)),
        id_of(format!("staff-{}", app.suffix)),
        id_of(format!("auditor-{}", app.suffix)),
        app.coordinator_id.clone(),
    ];
    settle(&app.state.runner, app.db()).await;
    let d = app.get("/api/audit/digest", &app.auditor).await.body;
    let digest = format!("{}:{}", d["position"], d["chain_hash"].as_str().expect("chain hash"));
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let t0 = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    World { app, scope: vec![home, "OWN-01".into()], me, t0, digest, own, other, unknown }
}

// --- the matrix ---------------------------------------------------------------------------------------

async fn every_endpoint_answers_every_role_in_every_area_exactly_as_the_rules_say(backend: Backend) {
    let w = world(backend).await;
    let app = &w.app;
    let mut markers = Markers {
        ids: HashSet::from([
            "OTHER-01".to_owned(),
            "far-secret".to_owned(),
            w.other.forum.clone(),
            w.other.issue.clone(),
        ]),
        codes: HashSet::from(["9601".to_owned(), "96".to_owned()]),
    };
    markers.ids.extend(w.other.targets.iter().cloned());
    markers.ids.extend(w.other.restrict_targets.iter().cloned());
    for (id, area) in app.get("/api/issues?limit=500", &app.admin).await.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["id"].as_str().unwrap_or("").to_owned(), i["area_id"].clone()))
    {
        if !w.scope.iter().any(|s| area == s.as_str()) {
            markers.ids.insert(id);
        }
    }
    let mut failures = Vec::new();
    // The coordinator's answers in the other and the unknown place, row by row.
    let mut twins: BTreeMap<usize, Vec<(Case, Answer)>> = BTreeMap::new();
    let mut cells = 0;
    for who in WHO {
        for place in PLACES {
            for (row, case) in cases(&w, who, place).into_iter().enumerate() {
                cells += 1;
                let cell = format!("{} {} {} ({place:?} area)", who.name(), case.method, case.path);
                let before = app.event_count().await;
                let answer = call(&w, who, &case).await;
                let stored = app.event_count().await - before;
                let expected = case.expected(who);
                if answer.status.as_u16() != expected {
                    failures.push(format!(
                        "{cell}: expected {expected}, got {} {}",
                        answer.status,
                        answer.content.render()
                    ));
                }
                if answer.status.is_server_error() {
                    failures.push(format!("{cell}: a server error"));
                }
                let allowed_write = case.method != Method::GET && answer.status.is_success() && case.stores;
                if allowed_write && stored == 0 {
                    failures.push(format!("{cell}: answered {} but stored no event", answer.status));
                }
                if !allowed_write && stored != 0 {
                    failures.push(format!("{cell}: answered {} and stored {stored} events", answer.status));
                }
                if allowed_write {
                    // Whatever was just made outside the coordinator's areas is theirs never to see.
                    let outside = place == Place::Other || case.path == "/api/areas";
                    if let Some(id) = answer.json()["id"].as_str().filter(|_| outside) {
                        markers.ids.insert(id.to_owned());
                    }
                    settle(&app.state.runner, app.db()).await;
                }
                let sees_place = match (who, place) {
                    (_, Place::Unknown) | (Who::NoToken | Who::BadToken, _) => false,
                    (Who::Coordinator, place) => place == Place::Own,
                    _ => true,
                };
                if case.shows && sees_place && !answer.content.render().contains(w.site(place).title) {
                    failures.push(format!("{cell}: does not show the area's issues: {}", answer.content.render()));
                }
                // The public documents hold no area data, only reference lists (the OpenAPI document names
                // every district in scope).
                if who == Who::Coordinator && !case.public {
                    let leaked = markers.leaks(&case.request_text(), &answer.content);
                    if !leaked.is_empty() {
                        failures.push(format!("{cell}: another area's {leaked:?} in {}", answer.content.render()));
                    }
                    for problem in coordinator_reads(&w, &case, &answer).await {
                        failures.push(format!("{cell}: {problem}"));
                    }
                    if place != Place::Own {
                        twins.entry(row).or_default().push((case, answer));
                    }
                }
            }
        }
    }
    // Another area's issue, forum or area answers a coordinator exactly as one that does not exist: the
    // same status, code and body once each place's own ids are written alike.
    let subs = |place: Place| {
        let s = w.site(place);
        let c = Who::Coordinator.index();
        vec![
            s.area.clone(),
            s.issue.clone(),
            s.forum.clone(),
            s.cursor.clone(),
            s.targets[c].clone(),
            s.restrict_targets[c].clone(),
            s.victims[c].clone(),
            s.organisation.clone(),
        ]
    };
    let normal = |answer: &Answer, place: Place| {
        subs(place).iter().fold(answer.content.render(), |text, id| text.replace(id.as_str(), "<id>"))
    };
    for pair in twins.values() {
        let [(case, other), (_, unknown)] = pair.as_slice() else { panic!("one answer per place") };
        let (a, b) = (normal(other, Place::Other), normal(unknown, Place::Unknown));
        if (other.status, other.code(), &a) != (unknown.status, unknown.code(), &b) {
            failures.push(format!(
                "coordinator {} {}: another area answers {} {a}, an unknown one {} {b}",
                case.method, case.path, other.status, unknown.status
            ));
        }
    }
    // Every operation and parameter of the OpenAPI document has a row.
    let doc = app.get("/api/openapi.json", &app.admin).await.body;
    let rows: Vec<Case> = PLACES.iter().flat_map(|p| cases(&w, Who::Admin, *p)).collect();
    for (template, ops) in doc["paths"].as_object().expect("paths") {
        // The Open311 façade (#18 §5) answers in the GeoReport error format with its own key rules (403
        // without a key); its scope, restricted cases and refusals are tested in `open311.rs`.
        if template.starts_with("/open311/") {
            continue;
        }
        for (method, op) in ops.as_object().expect("operations") {
            let matching: Vec<&Case> = rows
                .iter()
                .filter(|c| c.method.as_str().eq_ignore_ascii_case(method) && matches(template, &c.path))
                .collect();
            if matching.is_empty() {
                failures.push(format!("no row for {method} {template}"));
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap_or("");
                let covered = match param["in"].as_str() {
                    Some("query") => matching.iter().any(|c| query_of(&c.path).1.iter().any(|(k, _)| k == name)),
                    Some("header") => {
                        matching.iter().any(|c| c.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)))
                    }
                    _ => true,
                };
                if !covered {
                    failures.push(format!("no row for {method} {template} with parameter {name}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {cells} cells wrong:\n{}", failures.len(), failures.join("\n"));
}

/// Whether `path` (with its query) is an instance of the OpenAPI `template`.
fn matches(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
}
