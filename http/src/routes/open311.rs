//! Open311 GeoReport v2 (issue #18 §5) at `/open311/v2/`: the specification's resources, each in JSON
//! (`.json`) and XML (`.xml`), its error format (a list of `{code, description}`, `code` the HTTP status),
//! and its form-encoded POST. The use cases and every rule are in `santisuk_app::open311`; this module
//! reads the key, the format and the language, and writes the answer.
//!
//! The key: `api_key` (the form's field for POST, a query parameter for GET) or `Authorization: Bearer`,
//! either way a Santisuk user's API token: the façade acts as that user, with their role, areas and
//! restricted cases. A missing or unknown key is refused with 403, as the specification's example does.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use santisuk_app::open311::{self as app, NameLang, PostRequest, RequestsQuery, ServiceRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Caller, bearer_token, request_id};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::Lang;
use crate::web::i18n;

pub fn router() -> Router<AppState> {
    // Each top resource by its own name, so that a 405 names exactly its methods (`Allow`); any other file
    // falls to `{file}` and is answered "no such resource".
    let mut router = Router::new();
    for format in ["json", "xml"] {
        router = router
            .route(&format!("/open311/v2/discovery.{format}"), get(top))
            .route(&format!("/open311/v2/services.{format}"), get(top))
            .route(&format!("/open311/v2/requests.{format}"), get(top).post(post_requests));
    }
    router
        .route("/open311/v2/{file}", get(top).post(post_requests))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
}

// --- the format and the errors ------------------------------------------------------------------------

/// The format a resource was asked in, by its file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Xml,
}

/// `requests.json` → (`requests`, JSON); an extension other than `.json` or `.xml` is no resource here.
fn split_file(file: &str) -> Result<(&str, Format), Open311Error> {
    let not_found =
        || Open311Error(AppError::not_found("open311_not_found", "no such resource: use .json or .xml"), Format::Json);
    let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
    match ext {
        "json" => Ok((name, Format::Json)),
        "xml" => Ok((name, Format::Xml)),
        _ => Err(not_found()),
    }
}

/// The path's last segment (`name.json` or `name.xml`, percent-decoded) as its name and format; another
/// extension is answered at once (in JSON: no format could be read).
fn file_of(uri: &axum::http::Uri) -> Result<(String, Format), Open311Error> {
    let last = uri.path().rsplit('/').next().unwrap_or_default();
    let file = percent_encoding::percent_decode_str(last)
        .decode_utf8()
        .map_err(|_| Open311Error(AppError::bad_request("open311_bad_path", "the path is not UTF-8"), Format::Json))?;
    let (name, format) = split_file(&file)?;
    Ok((name.to_owned(), format))
}

/// One error of the specification's error list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Open311ErrorItem {
    /// The HTTP status code.
    pub code: u16,
    /// What was wrong, naming the field, with Santisuk's error code in brackets.
    pub description: String,
}

/// An error answered in the specification's format (`[{code, description}]`, or `<errors><error>…`).
#[derive(Debug)]
pub struct Open311Error(pub AppError, pub Format);

impl IntoResponse for Open311Error {
    fn into_response(self) -> Response {
        let api = crate::error::ApiError(self.0);
        if let AppError::Internal(detail) = &api.0 {
            tracing::error!(error = %detail, "open311 request failed");
        }
        let (status, code, message) = api.parts();
        // The specification has no 401 nor 422: a missing or bad key is 403, a bad value 400.
        let status = match status {
            StatusCode::UNAUTHORIZED => StatusCode::FORBIDDEN,
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            other => other,
        };
        let message = match &api.0 {
            AppError::Unauthorized => "api_key is missing or not a live Santisuk API token".to_owned(),
            _ => message,
        };
        let code = if matches!(api.0, AppError::Unauthorized) { "open311_invalid_api_key" } else { code };
        let items = vec![Open311ErrorItem { code: status.as_u16(), description: format!("{message} ({code})") }];
        let mut response = answer(self.1, "errors", "error", &items);
        *response.status_mut() = status;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

// --- the answer -----------------------------------------------------------------------------------------

/// A body in `format`: JSON as serialised, XML by the specification's mapping (the JSON list's items are
/// `item` elements under `root`; an object's fields are elements; a list field's items are elements named
/// by its singular; null is an empty element).
fn answer<T: Serialize>(format: Format, root: &str, item: &str, body: &T) -> Response {
    match format {
        Format::Json => {
            let mut r = Json(body).into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
            r
        }
        Format::Xml => match serde_json::to_value(body).map(|v| to_xml(root, item, &v)) {
            Ok(Ok(text)) => ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], text).into_response(),
            _ => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        },
    }
}

/// The XML of a JSON value (see [`answer`]).
pub fn to_xml(root: &str, item: &str, value: &Value) -> Result<String, std::io::Error> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    match value {
        Value::Array(items) => {
            w.write_event(Event::Start(BytesStart::new(root)))?;
            for v in items {
                element(&mut w, item, v)?;
            }
            w.write_event(Event::End(BytesEnd::new(root)))?;
        }
        other => element(&mut w, root, other)?,
    }
    String::from_utf8(w.into_inner()).map_err(std::io::Error::other)
}

fn element(w: &mut Writer<Vec<u8>>, name: &str, value: &Value) -> Result<(), std::io::Error> {
    match value {
        Value::Null => w.write_event(Event::Empty(BytesStart::new(name)))?,
        Value::Object(fields) => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            for (k, v) in fields {
                element(w, k, v)?;
            }
            w.write_event(Event::End(BytesEnd::new(name)))?;
        }
        Value::Array(items) => {
            let singular = name.strip_suffix('s').unwrap_or(name);
            w.write_event(Event::Start(BytesStart::new(name)))?;
            for v in items {
                element(w, singular, v)?;
            }
            w.write_event(Event::End(BytesEnd::new(name)))?;
        }
        Value::String(s) if s.is_empty() => w.write_event(Event::Empty(BytesStart::new(name)))?,
        Value::String(s) => {
            w.create_element(name).write_text_content(BytesText::new(s))?;
        }
        Value::Bool(_) | Value::Number(_) => {
            w.create_element(name).write_text_content(BytesText::new(&value.to_string()))?;
        }
    }
    Ok(())
}

// --- who asks, in which language ------------------------------------------------------------------------

/// The caller of an Open311 request: the `api_key` if one is given (it must be live), else the bearer token.
async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    extensions_client: String,
    api_key: Option<&str>,
) -> Result<Caller, AppError> {
    let key = match api_key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(k),
        None => bearer_token(headers),
    };
    let key = key.filter(|k| k.len() <= 200).ok_or(AppError::Unauthorized)?;
    Caller::by_token(state, key, request_id(headers), extensions_client).await
}

/// Thai names unless the client's `Accept-Language` prefers English.
fn name_lang(headers: &HeaderMap) -> NameLang {
    let first = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|t| t.trim().to_ascii_lowercase());
    match first {
        Some(t) if t.starts_with("en") => NameLang::En,
        _ => NameLang::Th,
    }
}

fn page_lang(lang: NameLang) -> Lang {
    match lang {
        NameLang::Th => Lang::Th,
        NameLang::En => Lang::En,
    }
}

/// The words of a request: its status and outcome in `status_notes`, its case number in `service_notice`.
fn worded(mut r: ServiceRequest, lang: NameLang) -> ServiceRequest {
    let l = page_lang(lang);
    let status = i18n::status(l, &r.detail.status);
    r.status_notes = Some(match &r.detail.outcome {
        Some(o) => format!("{status}: {}", i18n::outcome(l, o)),
        None => status.to_owned(),
    });
    r.service_notice = r.detail.case_number.as_ref().map(|n| format!("{} {n}", i18n::CASE_NUMBER.get(l)));
    r
}

fn client(headers: &axum::http::Extensions) -> String {
    crate::limits::ClientAddr::of(headers)
}

// --- the resources --------------------------------------------------------------------------------------

/// The query every GET takes besides its own filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyQuery {
    /// Accepted and ignored: this endpoint serves one jurisdiction.
    pub jurisdiction_id: Option<String>,
    /// A Santisuk API token, for a client that cannot send `Authorization: Bearer`.
    pub api_key: Option<String>,
}

/// The service discovery document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Discovery {
    pub changeset: String,
    pub contact: String,
    pub key_service: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    pub specification: String,
    pub url: String,
    pub changeset: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub formats: Vec<String>,
}

async fn top(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    uri: axum::http::Uri,
    query: Result<Query<RequestsQuery>, QueryRejection>,
) -> Response {
    let (name, format) = match file_of(&uri) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let name = name.as_str();
    let query = match query {
        Ok(Query(q)) => q,
        Err(e) => {
            return Open311Error(AppError::bad_request("open311_bad_query", e.body_text()), format).into_response();
        }
    };
    let result = match name {
        "discovery" => Ok(discovery(&headers, format)),
        "services" => services(&state, &headers, client(&extensions), &query, format).await,
        "requests" => requests(&state, &headers, client(&extensions), &query, format).await,
        _ => Err(AppError::not_found("open311_not_found", "no such resource")),
    };
    result.unwrap_or_else(|e| Open311Error(e, format).into_response())
}

/// Service discovery: where this API is and which formats it speaks.
#[utoipa::path(get, path = "/open311/v2/discovery.{format}", tag = "open311",
    params(("format" = Format, Path, description = "`json` or `xml`")),
    responses((status = 200, description = "the discovery document",
        content((Discovery = "application/json"), (String = "text/xml"))),
        (status = 404, description = "another extension than `.json` or `.xml`", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml")))))]
pub async fn get_discovery() {}

fn discovery(headers: &HeaderMap, format: Format) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let doc = Discovery {
        changeset: "2026-12-07T00:00:00Z".to_owned(),
        contact: "The Santisuk administrators of this server".to_owned(),
        key_service: "An administrator issues API tokens (santisuk user token, or /admin/users)".to_owned(),
        endpoints: vec![Endpoint {
            specification: "http://wiki.open311.org/GeoReport_v2".to_owned(),
            url: format!("https://{host}/open311/v2"),
            changeset: "2026-12-07T00:00:00Z".to_owned(),
            kind: "production".to_owned(),
            formats: vec!["text/xml".to_owned(), "application/json".to_owned()],
        }],
    };
    answer(format, "discovery", "discovery", &doc)
}

/// A service as the document describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDoc {
    /// The category's code.
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// Always `true`: a request needs `attribute[area_id]` (see the service definition).
    pub metadata: bool,
    /// Always `realtime`.
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

/// GET services: the community categories.
#[utoipa::path(get, path = "/open311/v2/services.{format}", tag = "open311",
    params(("format" = Format, Path, description = "`json` or `xml`"), KeyQuery),
    responses((status = 200, description = "the services", content((Vec<ServiceDoc> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "a malformed parameter", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 403, description = "no key, or not a live one", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "an extension other than .json or .xml", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml")))))]
pub async fn get_services() {}

async fn services(
    state: &AppState,
    headers: &HeaderMap,
    client: String,
    q: &RequestsQuery,
    format: Format,
) -> Result<Response, AppError> {
    let caller = caller(state, headers, client, q.api_key.as_deref()).await?;
    let list = app::services(state, &caller, name_lang(headers)).await?;
    Ok(answer(format, "services", "service", &list))
}

/// One request as the document describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDoc {
    /// The issue id (a UUID).
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// Santisuk's own status and outcome, in words.
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    /// The problem's title, then its details on the next line (unless they begin with the title).
    pub description: Option<String>,
    /// The agency the problem was referred to, else the assignee.
    pub agency_responsible: Option<String>,
    /// The case number to quote when asking about it.
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    /// The due date, end of its day in Asia/Bangkok, while open.
    pub expected_datetime: Option<String>,
    /// The area's name.
    pub address: Option<String>,
    /// The area's id.
    pub address_id: String,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// GET requests: the problems the key may see, newest first, at most 1000, raised in the last 90 days
/// unless `start_date`/`end_date` say otherwise (a window of at most 90 days).
#[utoipa::path(get, path = "/open311/v2/requests.{format}", tag = "open311",
    params(("format" = Format, Path, description = "`json` or `xml`"), RequestsQuery),
    responses((status = 200, description = "the requests", content((Vec<RequestDoc> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "a bad date, window, status or list", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 403, description = "no key, or not a live one", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "an extension other than .json or .xml", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml")))))]
pub async fn get_requests() {}

async fn requests(
    state: &AppState,
    headers: &HeaderMap,
    client: String,
    q: &RequestsQuery,
    format: Format,
) -> Result<Response, AppError> {
    let caller = caller(state, headers, client, q.api_key.as_deref()).await?;
    let lang = name_lang(headers);
    let list: Vec<ServiceRequest> =
        app::requests(state, &caller, q, lang).await?.into_iter().map(|r| worded(r, lang)).collect();
    Ok(answer(format, "service_requests", "request", &list))
}

/// A service definition as the document describes it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DefinitionDoc {
    pub service_code: String,
    pub attributes: Vec<AttributeDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeDoc {
    pub variable: bool,
    /// `area_id` (required: the area, one of `values`) or `title` (optional).
    pub code: String,
    /// `singlevaluelist` or `string`.
    pub datatype: String,
    pub required: bool,
    pub datatype_description: Option<String>,
    pub order: u32,
    pub description: String,
    pub values: Vec<AttributeValueDoc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttributeValueDoc {
    pub key: String,
    pub name: String,
}

/// GET services/{service_code}: a service's definition (the area to file in, an optional title).
#[utoipa::path(get, path = "/open311/v2/services/{service_code}.{format}", tag = "open311",
    params(("service_code" = String, Path, description = "a category code"),
        ("format" = Format, Path, description = "`json` or `xml`"), KeyQuery),
    responses((status = 200, description = "the definition", content((DefinitionDoc = "application/json"), (String = "text/xml"))),
        (status = 400, description = "a malformed parameter", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 403, description = "no key, or not a live one", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "no such service (`open311_unknown_service`)", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml")))))]
pub async fn service_definition(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    uri: axum::http::Uri,
    query: Result<Query<KeyQuery>, QueryRejection>,
) -> Response {
    let (code, format) = match file_of(&uri) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let code = code.as_str();
    let run = async {
        let Query(q) = query.map_err(|e| AppError::bad_request("open311_bad_query", e.body_text()))?;
        let caller = caller(&state, &headers, client(&extensions), q.api_key.as_deref()).await?;
        let definition = app::service_definition(&state, &caller, code, name_lang(&headers)).await?;
        Ok::<_, AppError>(answer(format, "service_definition", "service_definition", &definition))
    };
    run.await.unwrap_or_else(|e| Open311Error(e, format).into_response())
}

/// GET requests/{service_request_id}: one request (its issue id or case number), as a list of one.
#[utoipa::path(get, path = "/open311/v2/requests/{service_request_id}.{format}", tag = "open311",
    params(("service_request_id" = String, Path, description = "an issue id or case number"),
        ("format" = Format, Path, description = "`json` or `xml`"), KeyQuery),
    responses((status = 200, description = "the request", content((Vec<RequestDoc> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "a malformed parameter", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 403, description = "no key, or not a live one", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "no such request the key may see (`open311_unknown_request`)", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml")))))]
pub async fn one_request(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    uri: axum::http::Uri,
    query: Result<Query<KeyQuery>, QueryRejection>,
) -> Response {
    let (id, format) = match file_of(&uri) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let id = id.as_str();
    let run = async {
        let Query(q) = query.map_err(|e| AppError::bad_request("open311_bad_query", e.body_text()))?;
        let caller = caller(&state, &headers, client(&extensions), q.api_key.as_deref()).await?;
        let lang = name_lang(&headers);
        let one = worded(app::request(&state, &caller, id, lang).await?, lang);
        Ok::<_, AppError>(answer(format, "service_requests", "request", &vec![one]))
    };
    run.await.unwrap_or_else(|e| Open311Error(e, format).into_response())
}

/// The form of POST requests (application/x-www-form-urlencoded).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostForm {
    /// A Santisuk API token (or send `Authorization: Bearer`).
    pub api_key: Option<String>,
    /// Accepted and ignored.
    pub jurisdiction_id: Option<String>,
    /// A community category's code (`GET services`).
    pub service_code: String,
    /// The target area's id (or `attribute[area_id]`).
    pub address_id: Option<String>,
    /// An area's id or exact name, when neither `address_id` nor `attribute[area_id]` is given.
    pub address_string: Option<String>,
    /// Checked (with `long`), not kept.
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// The problem; its first line is the title unless `attribute[title]` gives one.
    pub description: String,
    /// The complainant (kept encrypted, outside the event log); a name is needed with a phone or e-mail.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// A Thai phone number.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Checked, not kept.
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    /// An http(s) URL, kept as the description's last line (never fetched).
    pub media_url: Option<String>,
    #[serde(rename = "attribute[area_id]")]
    pub attribute_area_id: Option<String>,
    #[serde(rename = "attribute[title]")]
    pub attribute_title: Option<String>,
}

/// The answer to a POST.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDoc {
    /// The new issue's id.
    pub service_request_id: String,
    /// The case number and what happens next.
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
}

/// POST requests: raises a problem as the key's user, with their role and areas (a coordinator outside
/// their areas, or an auditor, is refused with 403). A refused request writes nothing.
#[utoipa::path(post, path = "/open311/v2/requests.{format}", tag = "open311",
    params(("format" = Format, Path, description = "`json` or `xml`")),
    request_body(content = PostForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 201, description = "raised", content((Vec<CreatedDoc> = "application/json"), (String = "text/xml"))),
        (status = 400, description = "a required field missing (service_code, a location, description), an \
            invalid or unknown field, an area or value Santisuk refuses", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 403, description = "no key, not a live one, or a user who may not raise here", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 404, description = "no such service (`open311_unknown_service`) or extension", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 409, description = "the state refused it (e.g. a complainant record erased)", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml"))),
        (status = 413, description = "the body is over 1 MiB", content((Vec<Open311ErrorItem> = "application/json"), (String = "text/xml")))))]
pub async fn post_requests(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    uri: axum::http::Uri,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let (name, format) = match file_of(&uri) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let name = name.as_str();
    if name != "requests" {
        return Open311Error(
            AppError::not_found("open311_not_found", "POST goes to requests.json or requests.xml"),
            format,
        )
        .into_response();
    }
    let run = async {
        let body = body.map_err(|_| AppError::PayloadTooLarge)?;
        let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&body).map_err(|e| {
            AppError::bad_request("open311_bad_form", format!("not an application/x-www-form-urlencoded body: {e}"))
        })?;
        let api_key = pairs.iter().find(|(k, _)| k == "api_key").map(|(_, v)| v.clone());
        let caller = caller(&state, &headers, client(&extensions), api_key.as_deref()).await?;
        let request = PostRequest::from_pairs(pairs)?;
        let mut created = app::post(&state, &caller, request).await?;
        let lang = page_lang(name_lang(&headers));
        created.service_notice = Some(match &created.case_number {
            Some(n) => format!("{} {n}", i18n::CASE_NUMBER.get(lang)),
            None => i18n::status(lang, "raised").to_owned(),
        });
        let mut response = answer(format, "service_requests", "request", &vec![created]);
        *response.status_mut() = StatusCode::CREATED;
        Ok::<_, AppError>(response)
    };
    run.await.unwrap_or_else(|e| Open311Error(e, format).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The specification's own POST example answer, in both formats.
    #[test]
    fn the_xml_follows_the_specifications_mapping() {
        let created = json!([{"service_request_id": "293944", "service_notice": "notice", "account_id": null}]);
        let xml = to_xml("service_requests", "request", &created).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{xml}");
        assert!(xml.contains("<service_requests>\n  <request>"), "{xml}");
        assert!(
            xml.contains("<account_id/>") && xml.contains("<service_request_id>293944</service_request_id>"),
            "{xml}"
        );
        let definition =
            json!({"service_code": "DMV66", "attributes": [{"code": "A", "values": [{"key": "1", "name": "Ford"}]}]});
        let xml = to_xml("service_definition", "service_definition", &definition).unwrap();
        assert!(xml.contains("<attributes>\n    <attribute>"), "{xml}");
        assert!(xml.contains("<values>\n        <value>\n          <key>1</key>"), "{xml}");
        let text = to_xml("errors", "error", &json!([{"code": 403, "description": "a < b & c"}])).unwrap();
        assert!(
            text.contains("<errors>\n  <error>\n    <code>403</code>\n    <description>a &lt; b &amp; c</description>"),
            "{text}"
        );
    }
}
