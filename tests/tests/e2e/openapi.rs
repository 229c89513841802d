//! The OpenAPI document is one generated clients can use (issue #12, part 5): every path parameter is in
//! its path and every `{name}` in a path is declared as one, filters are optional query parameters,
//! operationIds are unique, and a documented filter does what the document says.

use std::collections::HashSet;

use axum::http::{Method, StatusCode};
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::Value;

both_backends!(the_openapi_document_declares_parameters_where_they_are, documented_query_filters_are_accepted);

async fn document(app: &TestApp) -> Value {
    let doc = app.send(Method::GET, "/api/openapi.json", None, None, &[]).await;
    assert_eq!(doc.status, StatusCode::OK);
    doc.body
}

/// Every operation of the document: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                all.push((path.clone(), method.clone(), op.clone()));
            }
        }
    }
    all
}

async fn the_openapi_document_declares_parameters_where_they_are(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = document(&app).await;
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for (path, method, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        if id.is_empty() || !ids.insert(id.clone()) {
            problems.push(format!("{method} {path}: operationId {id:?} is missing or not unique"));
        }
        // A template may fill part of a segment (`/open311/v2/requests.{format}`).
        let in_path: HashSet<String> =
            path.split('{').skip(1).filter_map(|s| s.split_once('}')).map(|(name, _)| name.to_owned()).collect();
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let mut declared = HashSet::new();
        for p in &params {
            let (name, place) = (p["name"].as_str().unwrap_or_default(), p["in"].as_str().unwrap_or_default());
            if place == "path" {
                declared.insert(name.to_owned());
                if !in_path.contains(name) {
                    problems.push(format!("{method} {path}: `{name}` is declared in the path but is not in it"));
                }
            }
            if place == "query" && p["required"] == true {
                problems.push(format!("{method} {path}: query parameter `{name}` is required"));
            }
        }
        for name in in_path.difference(&declared) {
            problems.push(format!("{method} {path}: `{{{name}}}` is not declared"));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
    // The views answered as read-model rows keep the names clients know.
    for name in ["CategoryView", "ForumView", "AreaView", "IssueView"] {
        assert!(doc["components"]["schemas"].get(name).is_some(), "schema {name} is documented");
    }
}

/// The list's filters as the document declares them: optional query parameters the server accepts.
async fn documented_query_filters_are_accepted(backend: Backend) {
    let app = TestApp::new(backend).await;
    let doc = document(&app).await;
    let list = &doc["paths"]["/api/issues"]["get"]["parameters"];
    let names: Vec<&str> = list
        .as_array()
        .expect("the list has parameters")
        .iter()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str())
        .collect();
    for filter in ["area_id", "category", "status", "limit", "cursor", "as_of"] {
        assert!(names.contains(&filter), "`{filter}` is a documented query parameter: {names:?}");
    }
    let area = app.area("OA-01").await;
    app.raise(&area, "LIV", "ทดสอบ").await;
    let r = app.get(&format!("/api/issues?area_id={area}&limit=1"), &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
}
