//! Open311 GeoReport v2 (issue #18 §5) through `app()`: the specification's resources in JSON and XML with
//! its field names and root elements, checked against its own example request and answers; the key mapped
//! to a Santisuk user whose role, areas and restricted cases apply as in the API; and bad requests answered
//! in the specification's error format with the right status, writing nothing.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use santisuk_tests::{Backend, TestApp, both_backends};
use serde_json::{Value, json};
use tower::ServiceExt;

both_backends!(
    services_are_the_community_categories_in_json_and_xml,
    a_service_definition_offers_the_callers_areas_and_an_unknown_one_is_404,
    the_specifications_example_request_raises_a_problem_that_reads_back,
    bad_requests_get_the_specifications_errors_and_write_nothing,
    reads_keep_to_the_keys_areas_and_restricted_cases,
    the_list_filters_as_the_specification_says,
    a_request_reads_by_case_number_with_its_key_in_the_query_in_english_and_well_formed_xml,
);

/// A raw answer: status, content type and body text.
struct Raw {
    status: StatusCode,
    content_type: String,
    text: String,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

async fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>, form: Option<&str>) -> Raw {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if form.is_some() {
        req = req.header("content-type", "application/x-www-form-urlencoded; charset=utf-8");
    }
    let req = req.body(form.map(|f| Body::from(f.to_owned())).unwrap_or_else(Body::empty)).expect("request");
    let resp = app.router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Raw { status, content_type, text: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn get(app: &TestApp, path: &str, token: &str) -> Raw {
    call(app, Method::GET, path, Some(token), None).await
}

/// Posts a form with its key in `api_key` (no bearer header), as Open311 clients do.
async fn post_form(app: &TestApp, path: &str, form: &str) -> Raw {
    call(app, Method::POST, path, None, Some(form)).await
}

fn enc(text: &str) -> String {
    let pair = serde_urlencoded::to_string([("x", text)]).expect("encode");
    pair["x=".len()..].to_owned()
}

/// An error answer: the status, one error whose code is the status and whose description names `word`.
fn assert_error(r: &Raw, status: StatusCode, word: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    if r.content_type.starts_with("text/xml") {
        assert!(r.text.contains(&format!("<errors>\n  <error>\n    <code>{}</code>", status.as_u16())), "{}", r.text);
        assert!(r.text.contains(word), "{word} not in {}", r.text);
    } else {
        let body = r.json();
        let list = body.as_array().unwrap_or_else(|| panic!("an error list: {body}"));
        assert_eq!(list.len(), 1, "{body}");
        assert_eq!(list[0]["code"], json!(status.as_u16()), "{body}");
        let description = list[0]["description"].as_str().unwrap_or_default();
        assert!(description.contains(word), "{word} not in {description}");
    }
}

async fn services_are_the_community_categories_in_json_and_xml(backend: Backend) {
    let app = TestApp::new(backend).await;
    let r = get(&app, "/open311/v2/services.json", &app.staff).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.content_type.starts_with("application/json"), "{}", r.content_type);
    let list = r.json();
    let inf = list.as_array().unwrap().iter().find(|s| s["service_code"] == "INF").expect("INF is a service").clone();
    // The specification's fields, and nothing else.
    let mut keys: Vec<&str> = inf.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["description", "group", "keywords", "metadata", "service_code", "service_name", "type"]);
    assert_eq!(inf["metadata"], json!(true));
    assert_eq!(inf["type"], "realtime");
    assert!(
        !list.as_array().unwrap().iter().any(|s| s["service_code"].as_str().unwrap().starts_with("OBS")),
        "no obstacle category"
    );

    let r = get(&app, "/open311/v2/services.xml", &app.staff).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type.starts_with("text/xml"), "{}", r.content_type);
    assert!(r.text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services>\n  <service>"), "{}", r.text);
    assert!(
        r.text.contains("<service_code>INF</service_code>") && r.text.contains("<metadata>true</metadata>"),
        "{}",
        r.text
    );
    assert!(r.text.trim_end().ends_with("</services>"));

    // Thai names unless the client prefers English.
    let th_name = inf["service_name"].clone();
    assert!(th_name.as_str().unwrap().chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)), "{th_name}");
}

async fn a_service_definition_offers_the_callers_areas_and_an_unknown_one_is_404(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area(&format!("O311-{}", &app.suffix[..4])).await;
    let r = get(&app, "/open311/v2/services/INF.json", &app.coordinator).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let d = r.json();
    assert_eq!(d["service_code"], "INF");
    let attribute = &d["attributes"][0];
    assert_eq!(
        (attribute["code"].as_str(), attribute["datatype"].as_str()),
        (Some("area_id"), Some("singlevaluelist"))
    );
    assert_eq!(attribute["required"], json!(true));
    assert!(attribute["values"].as_array().unwrap().iter().any(|v| v["key"] == json!(area)), "{d}");

    let r = get(&app, "/open311/v2/services/INF.xml", &app.coordinator).await;
    assert!(r.text.contains("<service_definition>\n  <attributes>\n    <attribute>"), "{}", r.text);
    assert!(r.text.contains("<values>") && r.text.contains(&format!("<key>{area}</key>")), "{}", r.text);

    assert_error(
        &get(&app, "/open311/v2/services/NOPE.json", &app.staff).await,
        StatusCode::NOT_FOUND,
        "open311_unknown_service",
    );
    assert_error(
        &get(&app, "/open311/v2/services/NOPE.xml", &app.staff).await,
        StatusCode::NOT_FOUND,
        "open311_unknown_service",
    );
    // An obstacle category is no service.
    assert_error(
        &get(&app, "/open311/v2/services/OBS_BUDGET.json", &app.staff).await,
        StatusCode::NOT_FOUND,
        "open311_unknown_service",
    );
}

async fn the_specifications_example_request_raises_a_problem_that_reads_back(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area(&format!("O311-{}", &app.suffix[..4])).await;
    // The specification's example POST, with this server's service code and area (its attributes are the
    // example city's: this service defines area_id and title).
    let form = format!(
        "api_key={}&jurisdiction_id=city.gov&service_code=INF&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street\
         &address_id={area}&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith\
         &phone=081-234-5678&description=A+large+sinkhole+is+destroying+the+street\
         &media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg",
        enc(&app.coordinator)
    );
    let before = app.event_count().await;
    let r = post_form(&app, "/open311/v2/requests.json", &form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let body = r.json();
    let created = &body.as_array().expect("a list, as the specification answers")[0];
    let id = created["service_request_id"].as_str().expect("id").to_owned();
    assert!(created["service_notice"].as_str().unwrap().contains("PTN-"), "the case number: {created}");
    assert_eq!(created["account_id"], Value::Null);
    assert!(app.event_count().await > before);

    // The problem as the API shows it: the title from the description, the complainant recorded apart.
    let issue = app.get(&format!("/api/issues/{id}"), &app.staff).await;
    assert_eq!(issue.body["title"], "A large sinkhole is destroying the street");
    assert_eq!(issue.body["area_id"], json!(area));
    assert_eq!(issue.body["category"], "INF");
    assert_eq!(issue.body["complainant"]["name"], "john smith", "{}", issue.body);

    // Read back: the specification's fields; no personal data.
    for (path, token) in [
        (format!("/open311/v2/requests/{id}.json"), &app.coordinator),
        (format!("/open311/v2/requests.json?service_request_id={id}"), &app.staff),
    ] {
        let r = get(&app, &path, token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let list = r.json();
        let one = &list.as_array().unwrap()[0];
        assert_eq!(one["service_request_id"], json!(id));
        assert_eq!(one["status"], "open");
        assert_eq!(one["service_code"], "INF");
        assert_eq!(one["address_id"], json!(area));
        assert!(one["description"].as_str().unwrap().starts_with("A large sinkhole"), "{one}");
        for key in [
            "status_notes",
            "service_name",
            "agency_responsible",
            "service_notice",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "address",
            "zipcode",
            "lat",
            "long",
            "media_url",
        ] {
            assert!(one.get(key).is_some(), "{key} missing in {one}");
        }
        for secret in ["john", "smith", "081", "smit333", "tt222111", "123456"] {
            assert!(!r.text.contains(secret), "{secret} leaked: {}", r.text);
        }
    }
    let r = get(&app, &format!("/open311/v2/requests/{id}.xml"), &app.staff).await;
    assert!(
        r.text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests>\n  <request>"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains(&format!("<service_request_id>{id}</service_request_id>"))
            && r.text.contains("<status>open</status>"),
        "{}",
        r.text
    );

    // Assigned to an agency and closed: agency_responsible, then status closed with the closing time.
    let r = app.post(&format!("/api/issues/{id}/assign"), &app.staff, json!({"assignee": "อบต.บานา"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let one = get(&app, &format!("/open311/v2/requests/{id}.json"), &app.staff).await.json()[0].clone();
    assert_eq!(one["agency_responsible"], "อบต.บานา");
    let r =
        app.post(&format!("/api/issues/{id}/close"), &app.staff, json!({"outcome": "referred", "note": "ส่งต่อ"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let one = get(&app, &format!("/open311/v2/requests/{id}.json"), &app.staff).await.json()[0].clone();
    assert_eq!(one["status"], "closed");
    let closed_at = app.get(&format!("/api/issues/{id}"), &app.staff).await.body["closed_at"].clone();
    assert_eq!(one["updated_datetime"], closed_at, "a closed request's update is its closing");

    // XML in, XML out: the POST answer's root and item.
    let form = format!("api_key={}&service_code=LIV&attribute[area_id]={area}&description=ไฟฟ้าดับบ่อย", enc(&app.staff));
    let r = post_form(&app, "/open311/v2/requests.xml", &form).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.text.contains("<service_requests>\n  <request>") && r.text.contains("<account_id/>"), "{}", r.text);
}

async fn bad_requests_get_the_specifications_errors_and_write_nothing(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area(&format!("O311-{}", &app.suffix[..4])).await;
    // An area the coordinator does not work in.
    let r = app
        .post(
            "/api/areas",
            &app.admin,
            json!({"id": format!("FAR-{}", &app.suffix[..4]), "name_th": "ไกล", "amphoe_code": "9401"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let far = format!("FAR-{}", &app.suffix[..4]);
    let key = |t: &str| enc(t);
    let ok = |token: &str| format!("api_key={}&service_code=INF&address_id={area}&description=ถนนชำรุด", key(token));
    let before = app.event_count().await;
    let cases: Vec<(String, &str, StatusCode, &str)> = vec![
        (
            format!("service_code=INF&address_id={area}&description=x"),
            "json",
            StatusCode::FORBIDDEN,
            "open311_invalid_api_key",
        ),
        (
            format!("api_key=not-a-token&service_code=INF&address_id={area}&description=x"),
            "xml",
            StatusCode::FORBIDDEN,
            "open311_invalid_api_key",
        ),
        (
            format!("api_key={}&address_id={area}&description=x", key(&app.staff)),
            "json",
            StatusCode::BAD_REQUEST,
            "service_code is required",
        ),
        (
            format!("api_key={}&service_code=NOPE&address_id={area}&description=x", key(&app.staff)),
            "json",
            StatusCode::NOT_FOUND,
            "open311_unknown_service",
        ),
        (
            format!("api_key={}&service_code=INF&lat=6.8&long=101.2&description=x", key(&app.staff)),
            "json",
            StatusCode::BAD_REQUEST,
            "open311_missing_location",
        ),
        (
            format!("api_key={}&service_code=INF&lat=6.8&address_id={area}&description=x", key(&app.staff)),
            "json",
            StatusCode::BAD_REQUEST,
            "lat and long",
        ),
        (
            format!("api_key={}&service_code=INF&address_id={area}", key(&app.staff)),
            "xml",
            StatusCode::BAD_REQUEST,
            "description is required",
        ),
        (
            format!("api_key={}&service_code=INF&address_id=NO-SUCH&description=x", key(&app.staff)),
            "json",
            StatusCode::BAD_REQUEST,
            "unknown_area",
        ),
        (format!("{}&colour=red", ok(&app.staff)), "json", StatusCode::BAD_REQUEST, "colour"),
        (format!("{}&attribute[WHISPAWN]=123456", ok(&app.staff)), "json", StatusCode::BAD_REQUEST, "WHISPAWN"),
        (format!("{}&phone=081-234-5678", ok(&app.staff)), "json", StatusCode::BAD_REQUEST, "first_name or last_name"),
        (format!("{}&first_name=a&phone=12", ok(&app.staff)), "json", StatusCode::BAD_REQUEST, "bad_phone"),
        (format!("{}&media_url=javascript:alert(1)", ok(&app.staff)), "json", StatusCode::BAD_REQUEST, "media_url"),
        (ok(&app.auditor), "json", StatusCode::FORBIDDEN, "forbidden"),
        (
            format!("api_key={}&service_code=INF&address_id={far}&description=x", key(&app.coordinator)),
            "json",
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (ok(&app.staff), "csv", StatusCode::NOT_FOUND, "open311_not_found"),
    ];
    for (form, format, status, word) in cases {
        let r = post_form(&app, &format!("/open311/v2/requests.{format}"), &form).await;
        assert_error(&r, status, word);
    }
    assert_eq!(app.event_count().await, before, "no refused request wrote anything");

    // Reads: no key, a bad key, a bad window.
    let r = call(&app, Method::GET, "/open311/v2/requests.json", None, None).await;
    assert_error(&r, StatusCode::FORBIDDEN, "open311_invalid_api_key");
    let r = call(&app, Method::GET, "/open311/v2/services.xml?api_key=nope", None, None).await;
    assert_error(&r, StatusCode::FORBIDDEN, "open311_invalid_api_key");
    let r = get(
        &app,
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        &app.staff,
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "90 days");
    let r = get(&app, "/open311/v2/requests.json?start_date=yesterday", &app.staff).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "start_date");
    let r = get(&app, "/open311/v2/requests.json?status=pending", &app.staff).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "status");
    let r = get(&app, "/open311/v2/requests/00000000-0000-0000-0000-000000000000.json", &app.staff).await;
    assert_error(&r, StatusCode::NOT_FOUND, "open311_unknown_request");
    assert_eq!(app.event_count().await, before);
}

async fn reads_keep_to_the_keys_areas_and_restricted_cases(backend: Backend) {
    let app = TestApp::new(backend).await;
    let mine = app.area(&format!("O311-{}", &app.suffix[..4])).await;
    let far = format!("FAR-{}", &app.suffix[..4]);
    let r = app.post("/api/areas", &app.admin, json!({"id": far, "name_th": "ไกล", "amphoe_code": "9401"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let here = app.raise(&mine, "INF", "ถนนชำรุดในพื้นที่").await;
    let there = app.raise(&far, "INF", "ถนนชำรุดนอกพื้นที่").await;
    // Raised by the administrator: neither the staff member nor the coordinator raised it or holds its
    // category, so to them it does not exist.
    let r = app
        .post("/api/issues", &app.admin, json!({"area_id": mine, "category": "INF", "title": "เรื่องละเอียดอ่อน"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let secret = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(&format!("/api/issues/{secret}/restrict"), &app.admin, json!({"restricted": true, "reason": "ผู้ร้องเสี่ยง"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    let ids = |r: &Raw| -> Vec<String> {
        r.json().as_array().unwrap().iter().map(|x| x["service_request_id"].as_str().unwrap().to_owned()).collect()
    };
    let coordinator = get(&app, "/open311/v2/requests.json", &app.coordinator).await;
    assert_eq!(ids(&coordinator), vec![here.clone()], "only their area's, not the restricted case");
    let staff = ids(&get(&app, "/open311/v2/requests.json", &app.staff).await);
    assert!(staff.contains(&here) && staff.contains(&there) && !staff.contains(&secret), "{staff:?}");
    let admin = ids(&get(&app, "/open311/v2/requests.json", &app.admin).await);
    assert!(admin.contains(&secret), "an administrator reads every case");

    // One by one, and named in a list: the same answer as an id no issue has.
    for id in [&there, &secret] {
        let r = get(&app, &format!("/open311/v2/requests/{id}.json"), &app.coordinator).await;
        assert_error(&r, StatusCode::NOT_FOUND, "open311_unknown_request");
        assert!(!r.text.contains("ถนน") && !r.text.contains("ละเอียดอ่อน"));
    }
    let listed =
        get(&app, &format!("/open311/v2/requests.json?service_request_id={here},{there},{secret}"), &app.coordinator)
            .await;
    assert_eq!(ids(&listed), vec![here.clone()]);
    // Nor does a restricted case show in the services' counts or anywhere in the XML.
    let xml = get(&app, "/open311/v2/requests.xml", &app.staff).await;
    assert!(!xml.text.contains(&secret) && !xml.text.contains("ละเอียดอ่อน"), "{}", xml.text);
}

async fn the_list_filters_as_the_specification_says(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area(&format!("O311-{}", &app.suffix[..4])).await;
    let road = app.raise(&area, "INF", "ถนนชำรุด").await;
    let power = app.raise(&area, "LIV", "ไฟฟ้าดับ").await;
    let r = app
        .post(&format!("/api/issues/{power}/close"), &app.staff, json!({"outcome": "withdrawn", "note": "ผู้เสนอถอน"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let ids = |r: Raw| -> Vec<String> {
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json().as_array().unwrap().iter().map(|x| x["service_request_id"].as_str().unwrap().to_owned()).collect()
    };
    let both = ids(get(&app, "/open311/v2/requests.json", &app.staff).await);
    assert!(both.contains(&road) && both.contains(&power));
    let open = ids(get(&app, "/open311/v2/requests.json?status=open", &app.staff).await);
    assert!(open.contains(&road) && !open.contains(&power), "{open:?}");
    assert_eq!(ids(get(&app, "/open311/v2/requests.json?status=closed", &app.staff).await), vec![power.clone()]);
    let closed_or_open = ids(get(&app, "/open311/v2/requests.json?status=open,closed", &app.staff).await);
    assert_eq!(closed_or_open.len(), both.len());
    assert_eq!(ids(get(&app, "/open311/v2/requests.json?service_code=LIV", &app.staff).await), vec![power.clone()]);
    let two_codes = ids(get(&app, "/open311/v2/requests.json?service_code=INF,LIV", &app.staff).await);
    assert!(two_codes.contains(&road) && two_codes.contains(&power));
    // A window in the past holds nothing raised now; the id list overrides every other filter.
    assert!(
        ids(get(
            &app,
            "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z",
            &app.staff
        )
        .await)
        .is_empty()
    );
    let by_id = format!(
        "/open311/v2/requests.json?service_request_id={road}&start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z"
    );
    assert_eq!(ids(get(&app, &by_id, &app.staff).await), vec![road.clone()]);
    // Empty parameters are as absent (the specification's "optional arguments").
    let empty = ids(get(&app, "/open311/v2/requests.json?status=&service_code=&start_date=", &app.staff).await);
    assert_eq!(empty.len(), both.len());
    let closed = get(&app, &format!("/open311/v2/requests/{power}.json"), &app.staff).await.json()[0].clone();
    assert!(closed["status_notes"].as_str().unwrap().contains("ผู้เสนอถอนเรื่อง"), "{closed}");
}

/// What the other tests leave out: a request read by its case number, the key as the `api_key` query
/// parameter of a GET, names in English for a client that prefers it, and a title holding XML's own
/// characters answered as well-formed XML.
async fn a_request_reads_by_case_number_with_its_key_in_the_query_in_english_and_well_formed_xml(backend: Backend) {
    let app = TestApp::new(backend).await;
    let area = app.area(&format!("O311-{}", &app.suffix[..4])).await;
    let id = app.raise(&area, "INF", "ท่อ <แตก> & \"รั่ว\" ริมถนน").await;
    let case = app.get(&format!("/api/issues/{id}"), &app.staff).await.body["case_number"].as_str().unwrap().to_owned();
    let by_case = call(
        &app,
        Method::GET,
        &format!("/open311/v2/requests/{case}.json?api_key={}", enc(&app.coordinator)),
        None,
        None,
    )
    .await;
    assert_eq!(by_case.status, StatusCode::OK, "{}", by_case.text);
    assert_eq!(by_case.json()[0]["service_request_id"], json!(id));
    let xml = get(&app, &format!("/open311/v2/requests/{id}.xml"), &app.staff).await;
    // The specification has no title: a problem raised with a title only shows it as its description.
    assert!(xml.text.contains("<description>ท่อ &lt;แตก&gt; &amp; "), "{}", xml.text);
    let json = get(&app, &format!("/open311/v2/requests/{id}.json"), &app.staff).await.json();
    assert_eq!(json[0]["description"], "ท่อ <แตก> & \"รั่ว\" ริมถนน");
    assert!(!xml.text.contains("<แตก>"), "{}", xml.text);
    // English names for a client that prefers English; Thai otherwise.
    let req = Request::builder()
        .uri("/open311/v2/services.json")
        .header("authorization", format!("Bearer {}", app.staff))
        .header("accept-language", "en-GB,en;q=0.9,th;q=0.5")
        .body(Body::empty())
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let services: Value = serde_json::from_slice(&bytes).unwrap();
    let inf = services.as_array().unwrap().iter().find(|s| s["service_code"] == "INF").unwrap().clone();
    let name = inf["service_name"].as_str().unwrap();
    assert!(name.is_ascii() && !name.is_empty(), "{name}");
    // A coordinator's key in the query reads nothing outside their areas, by case number either.
    let far = format!("FAR-{}", &app.suffix[..4]);
    let r = app.post("/api/areas", &app.admin, json!({"id": far, "name_th": "ไกล", "amphoe_code": "9401"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let there = app.raise(&far, "INF", "ถนนนอกพื้นที่").await;
    let there_case =
        app.get(&format!("/api/issues/{there}"), &app.staff).await.body["case_number"].as_str().unwrap().to_owned();
    let r = call(
        &app,
        Method::GET,
        &format!("/open311/v2/requests/{there_case}.json?api_key={}", enc(&app.coordinator)),
        None,
        None,
    )
    .await;
    assert_error(&r, StatusCode::NOT_FOUND, "open311_unknown_request");
}
