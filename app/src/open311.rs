//! Open311 GeoReport v2 (issue #18 §5): services are the community categories, service requests the
//! community problems, and a request filed through it is raised as a problem. Every read and write goes
//! through the issue use cases (`crate::issues`), so the caller's role, areas and restricted cases apply
//! exactly as in the API, and reads are recorded in the access log as theirs are. The adapter
//! (`http/src/routes/open311.rs`) only turns these values into the specification's JSON and XML.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use santisuk_domain::time::bangkok_date;
use santisuk_domain::values::{IssueKind, IssueStatus, Title};
use santisuk_projections::read_model::{CategoryRow, IssueRow};
use serde::Serialize;

use crate::caller::Caller;
use crate::error::AppError;
use crate::issues::{self, ListParams, ListQuery, RaiseIssueRequest};
use crate::privacy::ComplainantRequest;
use crate::{AppState, now};

/// The most requests one list answers (the specification's "first 1000 requests").
pub const MAX_REQUESTS: usize = 1000;
/// The longest window of `start_date`..`end_date`, and the default one ending now (the specification's
/// "span of 90 days").
pub const MAX_SPAN_DAYS: i64 = 90;
/// The most ids one `service_request_id` list may name.
pub const MAX_IDS: usize = 100;
/// The specification's limit on a description.
pub const MAX_DESCRIPTION: usize = 4000;

/// Which of a name's two languages to answer in (Thai unless the client prefers English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameLang {
    #[default]
    Th,
    En,
}

impl NameLang {
    fn pick<'a>(self, th: &'a str, en: Option<&'a str>) -> &'a str {
        match (self, en) {
            (NameLang::En, Some(en)) if !en.trim().is_empty() => en,
            _ => th,
        }
    }
}

// --- services -------------------------------------------------------------------------------------------

/// One service type: a community category.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// Always `true`: filing needs the area (`attribute[area_id]`), described by the service definition.
    pub metadata: bool,
    /// Always `realtime`: the id is answered at once.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub keywords: String,
    pub group: String,
}

/// A service's definition: the attributes a request of it takes.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<Attribute>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attribute {
    pub variable: bool,
    pub code: &'static str,
    pub datatype: &'static str,
    pub required: bool,
    pub datatype_description: Option<String>,
    pub order: u32,
    pub description: String,
    pub values: Vec<AttributeValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttributeValue {
    pub key: String,
    pub name: String,
}

fn service_of(c: &CategoryRow, lang: NameLang) -> Service {
    let name = lang.pick(&c.name_th, Some(&c.name_en)).to_owned();
    Service {
        service_code: c.code.clone(),
        description: format!("{} / {}", c.name_th, c.name_en),
        service_name: name,
        metadata: true,
        kind: "realtime",
        keywords: format!("{}, {}", c.name_th, c.name_en),
        group: "community".to_owned(),
    }
}

/// The service list: every community category (an obstacle category is a coordinator's own, not a
/// service). Needs a valid key like every Open311 call here (see README: the data is not public).
pub async fn services(state: &AppState, _caller: &Caller, lang: NameLang) -> Result<Vec<Service>, AppError> {
    let categories = crate::reference::list_categories_of(state, Some(IssueKind::Community)).await?;
    Ok(categories.iter().map(|c| service_of(c, lang)).collect())
}

fn unknown_service(code: &str) -> AppError {
    AppError::not_found("open311_unknown_service", format!("service_code {:?} was not found", crate::parse::clip(code)))
}

async fn community_category(state: &AppState, code: &str) -> Result<CategoryRow, AppError> {
    crate::reference::get_category(state, code)
        .await?
        .filter(|c| c.kind == IssueKind::Community)
        .ok_or_else(|| unknown_service(code))
}

/// A service's definition: the area to file in (one of the caller's areas, a list), and an optional
/// title (otherwise the description's first line).
pub async fn service_definition(
    state: &AppState,
    caller: &Caller,
    code: &str,
    lang: NameLang,
) -> Result<ServiceDefinition, AppError> {
    let category = community_category(state, code).await?;
    let areas = crate::reference::list_areas(state, caller).await?;
    let values = areas
        .iter()
        .map(|a| AttributeValue { key: a.id.clone(), name: lang.pick(&a.name_th, a.name_en.as_deref()).to_owned() })
        .collect();
    Ok(ServiceDefinition {
        service_code: category.code,
        attributes: vec![
            Attribute {
                variable: true,
                code: "area_id",
                datatype: "singlevaluelist",
                required: true,
                datatype_description: None,
                order: 1,
                description: "The target area the problem is in (also accepted as address_id)".to_owned(),
                values,
            },
            Attribute {
                variable: true,
                code: "title",
                datatype: "string",
                required: false,
                datatype_description: Some(format!("At most {} characters, one line", Title::MAX)),
                order: 2,
                description: "A short title; the description's first line when left out".to_owned(),
                values: vec![],
            },
        ],
    })
}

// --- service requests -----------------------------------------------------------------------------------

/// One service request: a community problem as Open311 shows it. Personal data is never in it: not the
/// complainant, not who raised it in the field.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    /// `open` or `closed`.
    pub status: &'static str,
    /// Set by the adapter in the page's language from `detail` (the status and outcome in words).
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    /// Set by the adapter: the case number, the reference to quote when asking about it.
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: String,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
    /// What the adapter words `status_notes` and `service_notice` from.
    #[serde(skip)]
    pub detail: Detail,
}

/// The Santisuk side of a request, for the adapter's words.
#[derive(Debug, Clone, Default)]
pub struct Detail {
    pub status: String,
    pub outcome: Option<String>,
    pub case_number: Option<String>,
    pub title: String,
}

/// The names a request's fields show, read once per answer.
struct Names {
    categories: HashMap<String, CategoryRow>,
    areas: HashMap<String, String>,
    agencies: HashMap<String, String>,
    lang: NameLang,
}

impl Names {
    async fn load(state: &AppState, caller: &Caller, lang: NameLang) -> Result<Names, AppError> {
        let categories =
            crate::reference::list_categories(state).await?.into_iter().map(|c| (c.code.clone(), c)).collect();
        let areas = crate::reference::list_areas(state, caller)
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), lang.pick(&a.name_th, a.name_en.as_deref()).to_owned()))
            .collect();
        let agencies = santisuk_projections::agencies::list_agencies(&state.db)
            .await?
            .into_iter()
            .map(|a| (a.id.clone(), lang.pick(&a.name_th, a.name_en.as_deref()).to_owned()))
            .collect();
        Ok(Names { categories, areas, agencies, lang })
    }

    fn request(&self, r: IssueRow, updated: Option<&String>) -> ServiceRequest {
        let service_name = self
            .categories
            .get(&r.category)
            .map(|c| self.lang.pick(&c.name_th, Some(&c.name_en)).to_owned())
            .unwrap_or_else(|| r.category.clone());
        let closed = r.status == IssueStatus::Closed;
        // The spec: "for requests with status=closed, this will be the date the request was closed".
        let updated_datetime = match (&r.closed_at, updated) {
            (Some(c), _) if closed => c.clone(),
            (_, Some(u)) => u.clone(),
            _ => r.raised_at.clone(),
        };
        let agency_responsible = r
            .agency_id
            .as_ref()
            .and_then(|a| self.agencies.get(a).cloned())
            .or_else(|| r.assignee.clone())
            .filter(|a| !a.trim().is_empty());
        ServiceRequest {
            status: if closed { "closed" } else { "open" },
            status_notes: None,
            service_name,
            service_code: r.category.clone(),
            description: Some(described(&r.title, r.description.as_deref())),
            agency_responsible,
            service_notice: None,
            requested_datetime: r.raised_at.clone(),
            updated_datetime,
            // Due by the end of its day in Asia/Bangkok.
            expected_datetime: r.due_on.as_ref().filter(|_| !closed).map(|d| format!("{d}T23:59:59+07:00")),
            address: self.areas.get(&r.area_id).cloned(),
            address_id: r.area_id.clone(),
            zipcode: None,
            lat: None,
            long: None,
            media_url: None,
            detail: Detail {
                status: r.status.as_str().to_owned(),
                outcome: r.outcome.clone(),
                case_number: r.case_number.clone(),
                title: r.title.clone(),
            },
            service_request_id: r.id,
        }
    }

    async fn requests(&self, state: &AppState, rows: Vec<IssueRow>) -> Result<Vec<ServiceRequest>, AppError> {
        let positions: Vec<i64> = rows.iter().map(|r| r.last_position).collect();
        let at = santisuk_store::events::at_of_positions(&state.db, &positions).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let updated = at.get(&r.last_position).cloned();
                self.request(r, updated.as_ref())
            })
            .collect())
    }
}

/// The query of `GET requests`, as received (every value text; empty is as absent, as the spec says).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestsQuery {
    /// Accepted and ignored: this endpoint serves one jurisdiction.
    pub jurisdiction_id: Option<String>,
    /// Comma-separated ids (issue ids or case numbers), at most 100; overrides every other filter.
    pub service_request_id: Option<String>,
    /// Comma-separated service codes (category codes).
    pub service_code: Option<String>,
    /// W3C date-time (e.g. `2026-11-01T00:00:00Z`): the earliest `requested_datetime`.
    pub start_date: Option<String>,
    /// W3C date-time: the latest `requested_datetime`; at most 90 days after `start_date`.
    pub end_date: Option<String>,
    /// `open`, `closed`, or both comma-separated.
    pub status: Option<String>,
    /// The key, for a client that cannot send `Authorization: Bearer` (see README).
    pub api_key: Option<String>,
}

fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn bad(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::bad_request(code, message)
}

fn parse_instant(field: &str, raw: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(raw).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        bad(
            "open311_bad_date",
            format!(
                "{field} must be a W3C date-time with a time zone, e.g. 2026-11-01T00:00:00Z (got {:?})",
                crate::parse::clip(raw)
            ),
        )
    })
}

fn comma_list(raw: &str) -> Vec<&str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// The checked filters of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestsFilter {
    pub ids: Option<Vec<String>>,
    pub codes: Vec<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `None`: both.
    pub closed: Option<bool>,
}

impl RequestsFilter {
    /// Checks a query (the spec's defaults: the last 90 days; both statuses; every service).
    pub fn parse(q: &RequestsQuery, now: DateTime<Utc>) -> Result<RequestsFilter, AppError> {
        let ids = present(&q.service_request_id)
            .map(|raw| comma_list(raw).into_iter().map(str::to_owned).collect::<Vec<_>>());
        if let Some(ids) = &ids {
            if ids.len() > MAX_IDS {
                return Err(bad(
                    "open311_too_many_ids",
                    format!("service_request_id names at most {MAX_IDS} requests"),
                ));
            }
        }
        let codes =
            present(&q.service_code).map(comma_list).unwrap_or_default().into_iter().map(str::to_owned).collect();
        let start = present(&q.start_date).map(|s| parse_instant("start_date", s)).transpose()?;
        let end = present(&q.end_date).map(|s| parse_instant("end_date", s)).transpose()?;
        let span = Duration::days(MAX_SPAN_DAYS);
        let (from, to) = match (start, end) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s, (s + span).min(now)),
            (None, Some(e)) => (e - span, e),
            (None, None) => (now - span, now),
        };
        if from > to {
            return Err(bad("open311_bad_date", "start_date is after end_date"));
        }
        if to - from > span {
            return Err(bad(
                "open311_span_too_long",
                format!("start_date to end_date may not span more than {MAX_SPAN_DAYS} days"),
            ));
        }
        let closed = match present(&q.status).map(comma_list) {
            None => None,
            Some(list) => {
                let mut open = false;
                let mut closed = false;
                for s in list {
                    match s {
                        "open" => open = true,
                        "closed" => closed = true,
                        other => {
                            return Err(bad(
                                "open311_bad_status",
                                format!("status is open, closed or both (got {:?})", crate::parse::clip(other)),
                            ));
                        }
                    }
                }
                if open == closed { None } else { Some(closed) }
            }
        };
        Ok(RequestsFilter { ids, codes, from, to, closed })
    }
}

/// `GET requests`: the caller's visible community problems matching the filter, newest first, at most
/// [`MAX_REQUESTS`]. Named ids the caller may not see (another area's, a restricted case not theirs, an
/// obstacle, no such id) are left out, as an id no issue has.
pub async fn requests(
    state: &AppState,
    caller: &Caller,
    q: &RequestsQuery,
    lang: NameLang,
) -> Result<Vec<ServiceRequest>, AppError> {
    let filter = RequestsFilter::parse(q, now())?;
    let names = Names::load(state, caller, lang).await?;
    let mut rows = Vec::new();
    if let Some(ids) = &filter.ids {
        for id in ids {
            match issues::get(state, caller, id, None).await {
                Ok(row) if row.kind == IssueKind::Community => rows.push(row),
                Ok(_) | Err(AppError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    } else {
        let query = ListQuery {
            category: (filter.codes.len() == 1).then(|| filter.codes[0].clone()),
            status: (filter.closed == Some(true)).then(|| "closed".to_owned()),
            open: (filter.closed == Some(false)).then(|| "true".to_owned()),
            raised_from: Some(bangkok_date(filter.from).to_string()),
            raised_to: Some(bangkok_date(filter.to).to_string()),
            limit: Some("500".to_owned()),
            ..ListQuery::default()
        };
        let mut params = ListParams::parse(query, caller, now())?;
        loop {
            let (page, next) = issues::list(state, caller, &params).await?;
            for row in page {
                let at = santisuk_store::events::parse_ts(&row.raised_at).ok();
                let in_window = at.is_some_and(|t| t >= filter.from && t <= filter.to);
                let of_code = filter.codes.is_empty() || filter.codes.contains(&row.category);
                if in_window && of_code && rows.len() < MAX_REQUESTS {
                    rows.push(row);
                }
            }
            match next {
                Some(cursor) if rows.len() < MAX_REQUESTS => params.cursor = Some(cursor),
                _ => break,
            }
        }
    }
    names.requests(state, rows).await
}

/// `GET requests/{id}`: one request (an issue id or a case number), as [`issues::get`] finds it for this
/// caller; an obstacle is not a service request.
pub async fn request(state: &AppState, caller: &Caller, id: &str, lang: NameLang) -> Result<ServiceRequest, AppError> {
    let row = issues::get(state, caller, id, None).await.map_err(|e| match e {
        AppError::NotFound { .. } => request_not_found(id),
        other => other,
    })?;
    if row.kind != IssueKind::Community {
        return Err(request_not_found(id));
    }
    let names = Names::load(state, caller, lang).await?;
    Ok(names.requests(state, vec![row]).await?.remove(0))
}

fn request_not_found(id: &str) -> AppError {
    AppError::not_found(
        "open311_unknown_request",
        format!("service_request_id {:?} was not found", crate::parse::clip(id)),
    )
}

// --- POST requests --------------------------------------------------------------------------------------

/// The fields of `POST requests` (application/x-www-form-urlencoded), as received.
#[derive(Debug, Clone, Default)]
pub struct PostRequest {
    pub service_code: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    /// `attribute[code]=value`.
    pub attributes: BTreeMap<String, String>,
}

/// The fields the form may carry besides `attribute[…]` (and `api_key`, taken by the adapter).
pub const POST_FIELDS: [&str; 15] = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
];

impl PostRequest {
    /// Reads the form's pairs; an unknown field, a field given twice, or an attribute this service does not
    /// define is refused, naming it.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<PostRequest, AppError> {
        let mut r = PostRequest::default();
        let mut seen = std::collections::BTreeSet::new();
        for (key, value) in pairs {
            if !seen.insert(key.clone()) {
                return Err(bad(
                    "open311_repeated_field",
                    format!("{} is given more than once", crate::parse::clip(&key)),
                ));
            }
            if let Some(code) = key.strip_prefix("attribute[").and_then(|k| k.strip_suffix(']')) {
                if !matches!(code, "area_id" | "title") {
                    return Err(bad(
                        "open311_unknown_attribute",
                        format!(
                            "attribute[{}] is not an attribute of the service definition (area_id, title)",
                            crate::parse::clip(code)
                        ),
                    ));
                }
                r.attributes.insert(code.to_owned(), value);
                continue;
            }
            let slot = match key.as_str() {
                "api_key" | "jurisdiction_id" => continue,
                "service_code" => &mut r.service_code,
                "lat" => &mut r.lat,
                "long" => &mut r.long,
                "address_string" => &mut r.address_string,
                "address_id" => &mut r.address_id,
                "email" => &mut r.email,
                "device_id" => &mut r.device_id,
                "account_id" => &mut r.account_id,
                "first_name" => &mut r.first_name,
                "last_name" => &mut r.last_name,
                "phone" => &mut r.phone,
                "description" => &mut r.description,
                "media_url" => &mut r.media_url,
                other => {
                    return Err(bad(
                        "open311_unknown_field",
                        format!("{:?} is not a field of a GeoReport v2 request", crate::parse::clip(other)),
                    ));
                }
            };
            *slot = Some(value);
        }
        Ok(r)
    }
}

/// The answer to a POST.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub service_request_id: String,
    /// Set by the adapter: the case number and what happens next.
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
    #[serde(skip)]
    pub case_number: Option<String>,
}

fn field_error(field: &str, e: impl std::fmt::Display) -> AppError {
    bad("open311_invalid_field", format!("{field}: {e}"))
}

/// A request's `description` as Open311 shows it: the problem's title (the specification has no title
/// field, and most problems raised at forums have a title only), then its details, unless they already begin
/// with it (a request filed without a title, whose title is its description's first line).
fn described(title: &str, description: Option<&str>) -> String {
    match description.map(str::trim).filter(|d| !d.is_empty()) {
        None => title.to_owned(),
        Some(d) if title_of(d) == title => d.to_owned(),
        Some(d) => format!("{title}\n{d}"),
    }
}

/// The title of a request filed without one: the description's first line, cut to a title's length.
pub fn title_of(description: &str) -> String {
    let line = description.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    if line.chars().count() <= Title::MAX {
        line.to_owned()
    } else {
        let mut t: String = line.chars().take(Title::MAX - 1).collect();
        t.push('…');
        t
    }
}

fn coordinate(field: &str, raw: &str, limit: f64) -> Result<f64, AppError> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= limit)
        .ok_or_else(|| bad("open311_invalid_field", format!("{field} must be a WGS84 number from -{limit} to {limit}")))
}

/// `POST requests`: raises a community problem as [`issues::raise`] does for the API (the caller's role
/// and areas decide; a coordinator outside their areas is refused). Checked entirely before anything is
/// written: a refused request writes nothing.
///
/// Mapping: `service_code` → category; `attribute[area_id]` or `address_id` (or an `address_string` that
/// is an area's id or exact name) → the area; `attribute[title]` or the description's first line → the
/// title; `description` → the description; `first_name`, `last_name`, `phone`, `email` → the complainant's
/// record (kept encrypted outside the event log; a name is needed with a phone or e-mail); `lat`/`long`,
/// `device_id`, `account_id` are checked and not kept (Santisuk locates problems by area, and keeps no
/// device ids); `media_url` is kept as the description's last line (never fetched).
pub async fn post(state: &AppState, caller: &Caller, r: PostRequest) -> Result<Created, AppError> {
    caller.require_issue_writer()?;
    let code = present(&r.service_code).ok_or_else(|| bad("open311_missing_field", "service_code is required"))?;
    let category = community_category(state, code).await?;

    let lat = present(&r.lat).map(|v| coordinate("lat", v, 90.0)).transpose()?;
    let long = present(&r.long).map(|v| coordinate("long", v, 180.0)).transpose()?;
    if lat.is_some() != long.is_some() {
        return Err(bad("open311_missing_field", "lat and long are sent together"));
    }
    let area_id =
        match (r.attributes.get("area_id").map(|s| s.trim()).filter(|s| !s.is_empty()), present(&r.address_id)) {
            (Some(a), Some(b)) if a != b => {
                return Err(bad("open311_invalid_field", "attribute[area_id] and address_id name different areas"));
            }
            (Some(a), _) | (None, Some(a)) => Some(a.to_owned()),
            (None, None) => match present(&r.address_string) {
                Some(text) => {
                    let areas = crate::reference::list_areas(state, caller).await?;
                    areas
                        .iter()
                        .find(|a| a.id == text || a.name_th == text || a.name_en.as_deref() == Some(text))
                        .map(|a| a.id.clone())
                }
                None => None,
            },
        };
    let Some(area_id) = area_id else {
        return Err(bad(
            "open311_missing_location",
            "a location Santisuk knows is required: attribute[area_id] or address_id (the target area's id, see the \
             service definition), or an address_string that is an area's id or name; lat/long alone cannot be placed",
        ));
    };

    let description = present(&r.description)
        .ok_or_else(|| bad("open311_missing_field", "description is required (it gives the problem its title)"))?;
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(field_error("description", format!("at most {MAX_DESCRIPTION} characters")));
    }
    let title = match r.attributes.get("title").map(|t| t.trim()).filter(|t| !t.is_empty()) {
        Some(t) => t.to_owned(),
        None => title_of(description),
    };
    let mut text = description.to_owned();
    if let Some(url) = present(&r.media_url) {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() <= 2000
            && !url.chars().any(|c| c.is_control() || c.is_whitespace());
        if !ok {
            return Err(field_error("media_url", "an http(s) URL of at most 2000 characters"));
        }
        text.push_str("\n\nmedia_url: ");
        text.push_str(url);
    }
    for (field, value, max) in [("device_id", &r.device_id, 200), ("account_id", &r.account_id, 200)] {
        if present(value).is_some_and(|v| v.chars().count() > max || v.chars().any(char::is_control)) {
            return Err(field_error(field, format!("at most {max} characters, no control characters")));
        }
    }

    let name = [present(&r.first_name), present(&r.last_name)].into_iter().flatten().collect::<Vec<_>>().join(" ");
    let email = present(&r.email);
    if let Some(e) = email {
        let ok = e.len() <= 254 && e.split_once('@').is_some_and(|(u, d)| !u.is_empty() && d.contains('.'));
        if !ok || e.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(field_error("email", "not an e-mail address"));
        }
    }
    let phone = present(&r.phone);
    let complainant = if name.is_empty() {
        if phone.is_some() || email.is_some() {
            return Err(bad(
                "open311_missing_field",
                "first_name or last_name is required with a phone or an e-mail (the complainant's record needs a name)",
            ));
        }
        None
    } else {
        Some(ComplainantRequest {
            name: Some(name),
            phone: phone.map(str::to_owned),
            notes: email.map(|e| format!("e-mail: {e}")),
            ..ComplainantRequest::default()
        })
    };

    let req = RaiseIssueRequest {
        area_id,
        category: category.code,
        title,
        description: Some(text),
        forum_id: None,
        raised_by: None,
        at: None,
        complainant,
        restricted: None,
    };
    let reply = issues::raise(state, caller, req, None).await?;
    Ok(Created { service_request_id: reply.id, service_notice: None, account_id: None, case_number: reply.case_number })
}

/// The Bangkok day of an instant (for tests of the window).
pub fn day_of(t: DateTime<Utc>) -> NaiveDate {
    bangkok_date(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> RequestsQuery {
        let mut q = RequestsQuery::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "service_request_id" => q.service_request_id = v,
                "service_code" => q.service_code = v,
                "start_date" => q.start_date = v,
                "end_date" => q.end_date = v,
                "status" => q.status = v,
                _ => unreachable!(),
            }
        }
        q
    }

    #[test]
    fn the_window_defaults_to_the_last_ninety_days_and_is_never_longer() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let f = RequestsFilter::parse(&q(&[]), now).unwrap();
        assert_eq!((f.to - f.from).num_days(), 90);
        assert_eq!(f.to, now);
        let long = q(&[("start_date", "2026-01-01T00:00:00Z"), ("end_date", "2026-06-01T00:00:00Z")]);
        assert_eq!(RequestsFilter::parse(&long, now).unwrap_err().code_and_message().0, "open311_span_too_long");
        let backwards = q(&[("start_date", "2026-06-01T00:00:00Z"), ("end_date", "2026-05-01T00:00:00Z")]);
        assert_eq!(RequestsFilter::parse(&backwards, now).unwrap_err().code_and_message().0, "open311_bad_date");
        let no_zone = q(&[("start_date", "2026-06-01T00:00:00")]);
        assert_eq!(RequestsFilter::parse(&no_zone, now).unwrap_err().code_and_message().0, "open311_bad_date");
    }

    #[test]
    fn status_takes_open_closed_or_both_and_empty_is_absent() {
        let now = Utc::now();
        assert_eq!(RequestsFilter::parse(&q(&[("status", "open")]), now).unwrap().closed, Some(false));
        assert_eq!(RequestsFilter::parse(&q(&[("status", "closed")]), now).unwrap().closed, Some(true));
        assert_eq!(RequestsFilter::parse(&q(&[("status", "open,closed")]), now).unwrap().closed, None);
        assert_eq!(RequestsFilter::parse(&q(&[("status", "")]), now).unwrap().closed, None);
        assert!(RequestsFilter::parse(&q(&[("status", "pending")]), now).is_err());
    }

    #[test]
    fn a_description_shows_the_title_once() {
        assert_eq!(described("ถนนชำรุด", None), "ถนนชำรุด");
        assert_eq!(described("ถนนชำรุด", Some("  ")), "ถนนชำรุด");
        assert_eq!(described("ถนนชำรุด", Some("หลุมลึก")), "ถนนชำรุด\nหลุมลึก");
        assert_eq!(described("A sinkhole", Some("A sinkhole\nnear the school")), "A sinkhole\nnear the school");
    }

    #[test]
    fn a_title_is_the_first_line_cut_to_a_titles_length() {
        assert_eq!(title_of("\n  ถนนชำรุด \nหน้ามัสยิด"), "ถนนชำรุด");
        let long = "ก".repeat(300);
        let t = title_of(&long);
        assert_eq!(t.chars().count(), Title::MAX);
        assert!(t.ends_with('…'));
    }

    #[test]
    fn unknown_and_repeated_fields_are_refused_by_name() {
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let e = PostRequest::from_pairs(pairs(&[("colour", "red")])).unwrap_err();
        assert!(e.code_and_message().1.contains("colour"));
        let e = PostRequest::from_pairs(pairs(&[("attribute[WHISPAWN]", "1")])).unwrap_err();
        assert_eq!(e.code_and_message().0, "open311_unknown_attribute");
        let e = PostRequest::from_pairs(pairs(&[("phone", "1"), ("phone", "2")])).unwrap_err();
        assert_eq!(e.code_and_message().0, "open311_repeated_field");
        let ok = PostRequest::from_pairs(pairs(&[("service_code", "INF"), ("attribute[area_id]", "PTN-01")])).unwrap();
        assert_eq!(ok.attributes["area_id"], "PTN-01");
    }
}
