//! Schema-driven fuzzing (issue #12, part 5): schemathesis reads `/api/openapi.json` from the app on a real
//! socket, generates requests from it (valid ones and invalid ones) and checks every answer against it.
//!
//! What must hold, for every role and on both backends: the document itself is valid OpenAPI; no request
//! gets a 5xx; every answer has a documented status, content type and headers, and a body its schema
//! allows; a request the schema calls invalid is refused (4xx), and one it calls valid is not refused as
//! malformed (400, 422): the request schemas carry the server's rules (lengths, patterns, enums, formats).
//!
//! Some rules no schema can state, because they depend on the data or the clock: an area, category or
//! forum must exist, an instant must not be in the future nor before the issue was raised, an
//! idempotency key names one request, a cursor is one the server issued. A valid request from a
//! well-behaved client satisfies them, so the fuzzer is made to behave like one (`fuzz_hooks.py`, applied
//! to valid requests only): it refers to the data seeded here, and sends instants between the seeded
//! issue's raise and now. Invalid requests are sent as generated.
//!
//! Schemathesis is installed from PyPI (pinned) into a virtualenv under the target directory, once; the
//! run is seeded and bounded, so it is repeatable and fits in CI (see [`MAX_EXAMPLES`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};

both_backends!(generated_requests_get_the_answers_the_document_promises);

/// The schemathesis release the checks below were written against (its 4.x CLI and configuration).
const SCHEMATHESIS: &str = "4.32.5";

/// The same cases every run: a failure here reproduces with the same seed.
const SEED: u64 = 20_261_125;

/// Cases generated per operation by the fuzzing phase, per role: about 30 operations × 4 roles × 2 backends
/// on two shared cores stay near two minutes (most requests are the coverage phase's boundary cases,
/// which this does not bound). For a deeper run: `SANTISUK_FUZZ_EXAMPLES=100`, and other seeds with
/// `SANTISUK_FUZZ_SEED`.
const MAX_EXAMPLES: u32 = 5;

/// The hooks that make valid requests well-behaved (see the module documentation).
const HOOKS: &str = include_str!("fuzz_hooks.py");

/// Checks the document itself: against the OpenAPI 3.1 schema (schemathesis' own check), and every schema
/// in it against the JSON Schema 2020-12 meta-schema, and every `pattern` compiled by jsonschema-rs, which
/// reads ECMA-262 regexes (Unicode property escapes such as `\p{Alpha}` included, which Python's `re` lacks).
const VALIDATE: &str = r#"
import json, sys, urllib.request
import jsonschema_rs, schemathesis

document = json.load(urllib.request.urlopen(sys.argv[1]))
schemathesis.openapi.from_dict(document).validate()

def schemas(node, key=None):
    if isinstance(node, dict):
        if key == "schema":
            yield node
        for k, v in node.items():
            yield from schemas(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from schemas(v)

def patterns(node):
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for v in node.values():
            yield from patterns(v)
    elif isinstance(node, list):
        for v in node:
            yield from patterns(v)

roots = [*document["components"]["schemas"].values(), *schemas(document)]
for root in roots:
    jsonschema_rs.meta.validate(root)
    for pattern in patterns(root):
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
print(f"the document is valid: {len(roots)} schemas")
"#;

/// The instant the seeded issue was raised at: every generated `at` of an action is moved after it.
const RAISED_AT: &str = "2020-01-01T00:00:00Z";

async fn generated_requests_get_the_answers_the_document_promises(backend: Backend) {
    let python = tokio::task::spawn_blocking(install).await.expect("installing schemathesis");
    let app = TestApp::new(backend).await;
    let seeded = Seeded::plant(&app).await;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    // As `santisuk serve` runs it (the client's address known); the harness's router has relaxed limits, so
    // the fuzzer is not throttled.
    let service = app.router.clone().into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.expect("serve") });

    let work = tempfile::tempdir().expect("temp dir");
    std::fs::write(work.path().join("fuzz_hooks.py"), HOOKS).expect("write the hooks");
    std::fs::write(work.path().join("schemathesis.toml"), seeded.config()).expect("write the configuration");

    let check = tokio::process::Command::new(&python)
        .args(["-c", VALIDATE, &format!("{base}/api/openapi.json")])
        .output()
        .await
        .expect("run the document check");
    let said = format!("{}{}", String::from_utf8_lossy(&check.stdout), String::from_utf8_lossy(&check.stderr));
    assert!(check.status.success(), "the OpenAPI document is not valid:\n{said}");

    let roles =
        [("staff", &app.staff), ("coordinator", &app.coordinator), ("auditor", &app.auditor), ("admin", &app.admin)];
    let mut failed = Vec::new();
    let started = Instant::now();
    for (role, token) in roles {
        let run = run(&python, work.path(), &base, role, token, &seeded).await;
        eprintln!("schemathesis as {role} on {backend:?}: {} requests in {:.0?}", run.requests, run.took);
        if !run.passed {
            failed.push(format!("--- as {role} ---\n{}", run.output));
        }
    }
    eprintln!("schemathesis on {backend:?}: {:.0?} in all", started.elapsed());
    assert!(failed.is_empty(), "the API broke its document:\n{}", failed.join("\n"));
}

/// The data valid requests refer to.
struct Seeded {
    area: String,
    forum: String,
    issue: String,
    /// A coordinator whose areas, token and password the administrator's requests change (never one whose
    /// token the run uses).
    user: String,
    /// An auditor the administrator's requests grant restricted categories to.
    reader: String,
    /// A complainant's person record.
    subject: String,
    /// An organisation of the registry working in `area` (#16).
    organisation: String,
    /// An area never marked as reached, which the seeded area may be marked as reached from (no cycle).
    home: String,
    /// A national agency (covering every district) a valid assignment refers to (#17).
    agency: String,
    /// Issue #17: an original the seeded issue may be marked a duplicate of, a problem closed as resolved,
    /// and a forum held after its closure that asks about it.
    original: String,
    closed: String,
    verdict_forum: String,
}

impl Seeded {
    async fn plant(app: &TestApp) -> Seeded {
        let area = app.area("FUZZ-01").await;
        let r = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": "2020-01-01"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let forum = r.body["id"].as_str().expect("forum id").to_owned();
        let body = json!({"area_id": area, "category": "LIV", "title": "ทดสอบ", "forum_id": forum, "at": RAISED_AT});
        let r = app.post("/api/issues", &app.staff, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let issue = r.body["id"].as_str().expect("issue id").to_owned();
        let body = json!({"name": "fuzz-target", "role": "coordinator", "areas": [area]});
        let r = app.post("/api/users", &app.admin, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let user = r.body["id"].as_str().expect("user id").to_owned();
        let r = app.post("/api/users", &app.admin, json!({"name": "fuzz-reader", "role": "auditor"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let reader = r.body["id"].as_str().expect("user id").to_owned();
        // A person record valid raises may name (`complainant.subject_id`).
        let body = json!({"area_id": area, "category": "LIV", "title": "ผู้ร้อง", "complainant": {"name": "fuzz-person"}});
        let r = app.post("/api/issues", &app.staff, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let one = app.get(&format!("/api/issues/{}", r.body["id"].as_str().expect("issue id")), &app.staff).await;
        let subject = one.body["complainant"]["subject_id"].as_str().expect("a complainant").to_owned();
        let body = json!({"name_th": "องค์กรทดสอบ", "kind": "network", "area_ids": [area]});
        let r = app.post("/api/organisations", &app.staff, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let organisation = r.body["id"].as_str().expect("organisation id").to_owned();
        let body = json!({"name_th": "หน่วยงานทดสอบ", "level": "national"});
        let r = app.post("/api/agencies", &app.admin, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let agency = r.body["id"].as_str().expect("agency id").to_owned();
        let body = json!({"area_id": area, "category": "LIV", "title": "เรื่องเดิม", "at": RAISED_AT});
        let r = app.post("/api/issues", &app.staff, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let original = r.body["id"].as_str().expect("issue id").to_owned();
        let body = json!({"area_id": area, "category": "LIV", "title": "ปิดแล้ว", "at": RAISED_AT});
        let closed = app.post("/api/issues", &app.staff, body).await.body["id"].as_str().expect("issue id").to_owned();
        for (verb, body) in [
            ("assign", json!({"assignee": "อบต.", "at": RAISED_AT})),
            ("address", json!({"action": "ซ่อมแล้ว", "at": RAISED_AT})),
            ("close", json!({"outcome": "resolved", "at": RAISED_AT})),
        ] {
            let r = app.post(&format!("/api/issues/{closed}/{verb}"), &app.staff, body).await;
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        }
        let today = santisuk_domain::time::bangkok_date(chrono::Utc::now()).to_string();
        let r = app.post("/api/forums", &app.staff, json!({"area_id": area, "held_on": today})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let verdict_forum = r.body["id"].as_str().expect("forum id").to_owned();
        Seeded {
            area,
            forum,
            issue,
            user,
            reader,
            subject,
            organisation,
            home: format!("HOME-{}", app.suffix),
            agency,
            original,
            closed,
            verdict_forum,
        }
    }

    /// Path ids are the seeded ones (a random id is only ever "not found"); everything else is generated.
    fn config(&self) -> String {
        format!(
            r#"
[[operations]]
include-path-regex = '^/api/issues/\{{id\}}'
parameters = {{ "path.id" = "{issue}" }}

[[operations]]
include-path = "/api/forums/{{id}}"
parameters = {{ "path.id" = "{forum}" }}

[[operations]]
include-path = "/open311/v2/requests/{{service_request_id}}.{{format}}"
parameters = {{ "path.service_request_id" = "{issue}" }}

[[operations]]
include-path = "/open311/v2/services/{{service_code}}.{{format}}"
parameters = {{ "path.service_code" = "LIV" }}

[[operations]]
include-path-regex = '^/api/users/\{{id\}}/(areas|token|password|deactivate)$'
parameters = {{ "path.id" = "{user}" }}

[[operations]]
include-path = "/api/users/{{id}}/categories"
parameters = {{ "path.id" = "{reader}" }}

[[operations]]
include-path = "/api/privacy/subjects/{{id}}"
parameters = {{ "path.id" = "{subject}" }}

[[operations]]
include-path = "/api/forums/{{id}}/participation"
parameters = {{ "path.id" = "{forum}" }}

[[operations]]
include-path-regex = '^/api/organisations/\{{id\}}'
parameters = {{ "path.id" = "{organisation}" }}

[[operations]]
include-path = "/api/areas/{{id}}/reach"
parameters = {{ "path.id" = "{area}" }}

[[operations]]
include-path = "/api/agencies/{{id}}"
parameters = {{ "path.id" = "{agency}" }}

[[operations]]
include-path = "/api/forums/{{id}}/verdicts"
parameters = {{ "path.id" = "{verdict_forum}" }}
"#,
            verdict_forum = self.verdict_forum,
            area = self.area,
            issue = self.issue,
            forum = self.forum,
            user = self.user,
            reader = self.reader,
            subject = self.subject,
            organisation = self.organisation,
            agency = self.agency,
        )
    }
}

/// What one schemathesis run did.
struct Run {
    passed: bool,
    requests: u64,
    took: Duration,
    output: String,
}

async fn run(python: &Path, work: &Path, base: &str, role: &str, token: &str, seeded: &Seeded) -> Run {
    let reports = work.join(format!("report-{role}"));
    let started = Instant::now();
    let out = tokio::process::Command::new(python)
        .current_dir(work)
        .args(["-m", "schemathesis.cli", "--config-file", "schemathesis.toml", "--no-color", "run"])
        .arg(format!("{base}/api/openapi.json"))
        .args(["--checks", "all", "--seed", &setting("SANTISUK_FUZZ_SEED", SEED)])
        .args(["--max-examples", &setting("SANTISUK_FUZZ_EXAMPLES", MAX_EXAMPLES.into())])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        // No example database: every run starts from the seed alone.
        .args(["--generation-database", "none", "--report", "ndjson", "--report-dir"])
        .arg(&reports)
        .env("PYTHONPATH", work)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("SCHEMATHESIS_HOOKS", "fuzz_hooks")
        .env("FUZZ_AREA", &seeded.area)
        .env("FUZZ_HOME", &seeded.home)
        .env("FUZZ_FORUM", &seeded.forum)
        .env("FUZZ_SUBJECT", &seeded.subject)
        .env("FUZZ_ORGANISATION", &seeded.organisation)
        .env("FUZZ_AGENCY", &seeded.agency)
        .env("FUZZ_ORIGINAL", &seeded.original)
        .env("FUZZ_CLOSED", &seeded.closed)
        .env("FUZZ_RAISED_AT", RAISED_AT)
        .output()
        .await
        .expect("run schemathesis");
    let took = started.elapsed();
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Run { passed: out.status.success(), requests: requests_sent(&reports), took, output }
}

/// A number from the environment, or `default`.
fn setting(name: &str, default: u64) -> String {
    match std::env::var(name) {
        Ok(v) => v.parse::<u64>().unwrap_or_else(|_| panic!("{name} must be a whole number, not {v:?}")).to_string(),
        Err(_) => default.to_string(),
    }
}

/// How many requests the run sent, from its NDJSON event report.
fn requests_sent(reports: &Path) -> u64 {
    let Ok(dir) = std::fs::read_dir(reports) else { return 0 };
    let mut n = 0;
    for entry in dir.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let Ok(event) = serde_json::from_str::<Value>(line) else { continue };
            if let Some(results) = event.get("ScenarioFinished").and_then(|e| e["recorder"]["interactions"].as_object())
            {
                n += results.len() as u64;
            }
        }
    }
    n
}

/// The virtualenv's python with schemathesis installed: made once under the target directory and reused.
/// Built in a folder of its own and renamed into place when complete, so an interrupted or concurrent
/// install never leaves a half-made one behind (the venv is run as `python -m`, which does not care where
/// it was built).
fn install() -> PathBuf {
    // The two backends' tests run at once in one process: one installs, the other waits for it.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let venv = root.join(format!("schemathesis-{SCHEMATHESIS}"));
    let python = venv.join("bin").join("python");
    if python.exists() {
        return python;
    }
    let building = root.join(format!("schemathesis-{SCHEMATHESIS}.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&building);
    let status = std::process::Command::new("python3").arg("-m").arg("venv").arg(&building).status();
    assert!(status.is_ok_and(|s| s.success()), "python3 -m venv failed: the fuzz test needs Python 3 with venv");
    let status = std::process::Command::new(building.join("bin").join("python"))
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
        .arg(format!("schemathesis=={SCHEMATHESIS}"))
        .status();
    assert!(status.is_ok_and(|s| s.success()), "pip could not install schemathesis {SCHEMATHESIS} from PyPI");
    // Another test may have finished first: then theirs is used and this one goes.
    if std::fs::rename(&building, &venv).is_err() {
        let _ = std::fs::remove_dir_all(&building);
    }
    assert!(python.exists(), "no schemathesis virtualenv at {}", venv.display());
    python
}
