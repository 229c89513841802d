//! The app over a real TCP socket (not `oneshot`): what clients and load balancers see.

use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

both_backends!(a_client_over_tcp_raises_and_reads_an_issue);

/// One HTTP/1.1 request on a fresh connection; returns the status and the JSON body.
async fn call(addr: std::net::SocketAddr, method: &str, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8(raw).expect("utf-8 response");
    let status = text[9..12].parse().expect("status code");
    let (head, payload) = text.split_once("\r\n\r\n").expect("headers end");
    assert!(head.to_ascii_lowercase().contains("x-request-id:"), "every response carries a request id");
    (status, serde_json::from_str(payload).unwrap_or(Value::Null))
}

async fn a_client_over_tcp_raises_and_reads_an_issue(backend: Backend) {
    let app = TestApp::new(backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });

    let (status, _) = call(
        addr,
        "POST",
        "/api/areas",
        &app.admin,
        Some(json!({"id": "PTN-09", "name_th": "บ้านบานา", "amphoe_code": "9401"})),
    )
    .await;
    assert_eq!(status, 201);
    app.grant_coordinator("PTN-09").await;
    let (status, raised) = call(
        addr,
        "POST",
        "/api/issues",
        &app.coordinator,
        Some(json!({"area_id": "PTN-09", "category": "ENV", "title": "น้ำท่วมขัง"})),
    )
    .await;
    assert_eq!(status, 201, "{raised}");
    let id = raised["id"].as_str().expect("id");
    // The command answered after its projection: the next read on another connection sees it.
    let (status, issue) = call(addr, "GET", &format!("/api/issues/{id}"), &app.auditor, None).await;
    assert_eq!((status, issue["title"].as_str()), (200, Some("น้ำท่วมขัง")));
    let (status, err) = call(addr, "GET", "/api/issues", "not-a-token", None).await;
    assert_eq!((status, err["error"]["code"].as_str()), (401, Some("unauthorized")));
}
