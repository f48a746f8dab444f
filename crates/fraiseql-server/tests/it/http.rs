//! The HTTP surface as a client sees it: status codes, media types, body shapes and
//! error codes of `POST`/`GET /graphql` (GraphQL-over-HTTP), GraphiQL, `/healthz`,
//! `/readyz`, and a database outage with recovery.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::support;

const GQL: &str = "application/graphql-response+json";
const JSON: &str = "application/json";
/// What a browser sends when the user opens a URL.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// What came back: status, headers and the body bytes.
struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    /// The media type of `Content-Type`, without parameters.
    fn media_type(&self) -> String {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    fn header(&self, name: header::HeaderName) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// `errors[i].extensions.code` of every error.
    fn codes(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no `errors` list: {}", self.text()))
            .iter()
            .map(|e| {
                e["extensions"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    /// Asserts a request error: status, media type, the first error's code, no `data` key.
    #[track_caller]
    fn assert_request_error(&self, status: StatusCode, media: &str, code: &str) {
        assert_eq!(self.status, status, "status; body: {}", self.text());
        assert_eq!(
            self.media_type(),
            media,
            "content type; body: {}",
            self.text()
        );
        let body = self.json();
        assert!(
            body.get("data").is_none(),
            "a request error has no `data` key: {body}"
        );
        let errors = body["errors"].as_array().expect("errors list");
        assert!(!errors.is_empty(), "at least one error: {body}");
        for e in errors {
            assert!(
                e["message"].is_string(),
                "every error has a message: {body}"
            );
        }
        assert_eq!(self.codes()[0], code, "error code; body: {body}");
    }
}

/// Sends one request through the router (no socket). Never a 500.
async fn send(app: &Router, req: Request<Body>) -> Reply {
    let what = format!("{} {}", req.method(), req.uri());
    let res = tokio::time::timeout(Duration::from_secs(30), app.clone().oneshot(req))
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within 30 s"))
        .expect("the router is infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    let reply = Reply {
        status,
        headers,
        body,
    };
    assert_ne!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{what}: 500: {}",
        reply.text()
    );
    reply
}

/// `POST /graphql` with a JSON body and an optional `Accept`.
fn post(body: impl Into<Body>, accept: Option<&str>) -> Request<Body> {
    post_with(body, Some("application/json"), accept)
}

fn post_with(
    body: impl Into<Body>,
    content_type: Option<&str>,
    accept: Option<&str>,
) -> Request<Body> {
    let mut req = Request::post("/graphql");
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    req.body(body.into()).expect("request")
}

fn post_json(body: &Value, accept: Option<&str>) -> Request<Body> {
    post(body.to_string(), accept)
}

/// `GET /graphql?...` with the parameters URL-encoded.
fn get(params: &[(&str, &str)], accept: Option<&str>) -> Request<Body> {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let uri = if query.is_empty() {
        "/graphql".to_owned()
    } else {
        format!("/graphql?{}", query.join("&"))
    };
    let mut req = Request::get(uri);
    if let Some(a) = accept {
        req = req.header(header::ACCEPT, a);
    }
    req.body(Body::empty()).expect("request")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The id of the first user of the demo, read over HTTP.
async fn first_user_id(app: &Router) -> String {
    let r = send(
        app,
        post_json(&json!({"query": "{ users(limit: 1) { id } }"}), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["data"]["users"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

#[tokio::test]
async fn post_query_returns_data_in_selection_order() {
    let (_db, state) = support::demo("http_post").await;
    let app = fraiseql_server::app(state);
    let query = "{ users(limit: 2) { username __typename id u: fullName } }";
    let r = send(&app, post_json(&json!({ "query": query }), Some(GQL))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.media_type(), GQL);
    let body = r.json();
    assert!(body.get("errors").is_none(), "{body}");
    let users = body["data"]["users"].as_array().expect("users list");
    assert_eq!(users.len(), 2, "{body}");
    for u in users {
        let keys: Vec<&str> = u
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["username", "__typename", "id", "u"], "{body}");
        assert_eq!(u["__typename"], "User");
    }
    // An empty operationName means none, over POST as over GET.
    let r = send(
        &app,
        post_json(&json!({"query": query, "operationName": ""}), Some(GQL)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["data"], body["data"]);
    let r = send(
        &app,
        get(&[("query", query), ("operationName", "")], Some(GQL)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["data"], body["data"]);
    // The same with `application/json` and explicit nulls for the optional parameters.
    let r = send(
        &app,
        post_json(
            &json!({"query": query, "variables": null, "operationName": null, "extensions": null}),
            Some(JSON),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.media_type(), JSON);
    assert_eq!(r.json()["data"], body["data"]);
}

#[tokio::test]
async fn get_query_with_variables_and_operation_name() {
    let (_db, state) = support::demo("http_get").await;
    let app = fraiseql_server::app(state);
    let id = first_user_id(&app).await;
    let query = "query Other { __typename } query One($id: ID!) { user(id: $id) { id username } }";
    let variables = json!({ "id": id }).to_string();
    for accept in [Some(GQL), Some(JSON), None] {
        let r = send(
            &app,
            get(
                &[
                    ("query", query),
                    ("variables", &variables),
                    ("operationName", "One"),
                ],
                accept,
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.media_type(), accept.unwrap_or(JSON));
        let body = r.json();
        assert_eq!(body["data"]["user"]["id"], json!(id), "{body}");
        assert!(body["data"]["user"]["username"].is_string(), "{body}");
        assert!(body.get("errors").is_none(), "{body}");
    }
    // HEAD is answered like GET, without a body.
    let mut req = get(&[("query", "{ __typename }")], None);
    *req.method_mut() = Method::HEAD;
    let r = send(&app, req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn accept_header_picks_the_media_type() {
    let (_db, state) = support::demo("http_accept").await;
    let app = fraiseql_server::app(state);
    let body = json!({"query": "{ __typename }"});
    let cases: &[(Option<&str>, &str)] = &[
        (None, JSON),
        (Some(GQL), GQL),
        (Some(JSON), JSON),
        (Some("*/*"), JSON),
        (Some("application/*"), JSON),
        (
            Some("application/graphql-response+json; charset=utf-8"),
            GQL,
        ),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            GQL,
        ),
        (
            Some("application/json, application/graphql-response+json"),
            JSON,
        ),
        // The client's weights win over the order.
        (
            Some("application/graphql-response+json;q=0.5, application/json"),
            JSON,
        ),
        (
            Some("application/json;q=0, application/graphql-response+json"),
            GQL,
        ),
        (Some("text/plain, application/json;q=0.1"), JSON),
    ];
    for (accept, expected) in cases {
        let r = send(&app, post_json(&body, *accept)).await;
        assert_eq!(r.status, StatusCode::OK, "Accept {accept:?}: {}", r.text());
        assert_eq!(r.media_type(), *expected, "Accept {accept:?}");
        let charset = r.header(header::CONTENT_TYPE).unwrap_or_default();
        assert!(charset.contains("charset=utf-8"), "{charset}");
        assert_eq!(r.json(), json!({"data": {"__typename": "Query"}}));
    }
    // Nothing acceptable: 406, explained in JSON.
    for accept in [
        "text/plain",
        "application/xml",
        "application/json;q=0",
        "image/*",
    ] {
        let r = send(&app, post_json(&body, Some(accept))).await;
        r.assert_request_error(StatusCode::NOT_ACCEPTABLE, JSON, "BAD_REQUEST");
        let r = send(&app, get(&[("query", "{ __typename }")], Some(accept))).await;
        r.assert_request_error(StatusCode::NOT_ACCEPTABLE, JSON, "BAD_REQUEST");
    }
}

/// Parse, validation, operation selection and variable coercion errors.
fn request_error_cases(user_id: &str) -> Vec<(&'static str, Value, &'static str)> {
    let by_id = "query Q($id: ID!) { user(id: $id) { id } }";
    vec![
        (
            "parse error",
            json!({"query": "{ users { id "}),
            "GRAPHQL_PARSE_FAILED",
        ),
        (
            "empty document",
            json!({"query": ""}),
            "GRAPHQL_PARSE_FAILED",
        ),
        (
            "unknown field",
            json!({"query": "{ users { id nope } }"}),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "unknown operationName",
            json!({"query": "query A { __typename }", "operationName": "B"}),
            "OPERATION_NOT_FOUND",
        ),
        (
            "several operations, no operationName",
            json!({"query": "query A { __typename } query B { __typename }"}),
            "OPERATION_NOT_FOUND",
        ),
        (
            "variable of the wrong type",
            json!({"query": by_id, "variables": {"id": {"not": "an id"}}}),
            "BAD_USER_INPUT",
        ),
        (
            "list for a scalar variable",
            json!({"query": by_id, "variables": {"id": [user_id]}}),
            "BAD_USER_INPUT",
        ),
        (
            "Int variable given a string",
            json!({"query": "query Q($n: Int) { users(limit: $n) { id } }", "variables": {"n": "ten"}}),
            "BAD_USER_INPUT",
        ),
        (
            "missing required variable",
            json!({"query": by_id, "variables": {}}),
            "BAD_USER_INPUT",
        ),
        (
            "null for a required variable",
            json!({"query": by_id, "variables": {"id": null}}),
            "BAD_USER_INPUT",
        ),
    ]
}

#[tokio::test]
async fn request_errors_are_400_with_graphql_response_json_and_200_with_json() {
    let (_db, state) = support::demo("http_reqerr").await;
    let app = fraiseql_server::app(state);
    let id = first_user_id(&app).await;
    for (what, body, code) in request_error_cases(&id) {
        let r = send(&app, post_json(&body, Some(GQL))).await;
        eprintln!("{what}: {}", r.text());
        r.assert_request_error(StatusCode::BAD_REQUEST, GQL, code);
        let r = send(&app, post_json(&body, Some(JSON))).await;
        r.assert_request_error(StatusCode::OK, JSON, code);
        // The same over GET.
        let mut params = vec![("query", body["query"].as_str().expect("query").to_owned())];
        if let Some(v) = body.get("variables") {
            params.push(("variables", v.to_string()));
        }
        if let Some(Value::String(op)) = body.get("operationName") {
            params.push(("operationName", op.clone()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = send(&app, get(&params, Some(GQL))).await;
        r.assert_request_error(StatusCode::BAD_REQUEST, GQL, code);
        let r = send(&app, get(&params, Some(JSON))).await;
        r.assert_request_error(StatusCode::OK, JSON, code);
    }
}

#[tokio::test]
async fn validation_errors_name_the_field_and_its_location() {
    let (_db, state) = support::demo("http_valid").await;
    let app = fraiseql_server::app(state);
    let query = "{\n  users {\n    id\n    nope\n  }\n}";
    let r = send(&app, post_json(&json!({ "query": query }), Some(GQL))).await;
    r.assert_request_error(StatusCode::BAD_REQUEST, GQL, "GRAPHQL_VALIDATION_FAILED");
    let body = r.json();
    let error = &body["errors"][0];
    let message = error["message"].as_str().expect("message");
    assert!(message.contains("nope"), "{message}");
    assert!(message.contains("User"), "{message}");
    assert_eq!(
        error["locations"],
        json!([{"line": 4, "column": 5}]),
        "{body}"
    );

    // Every invalid field is reported, each with its own location.
    let r = send(
        &app,
        post_json(&json!({"query": "{ nope1 users { id nope2 } }"}), Some(GQL)),
    )
    .await;
    r.assert_request_error(StatusCode::BAD_REQUEST, GQL, "GRAPHQL_VALIDATION_FAILED");
    let body = r.json();
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{body}");
    for (e, column) in errors.iter().zip([3, 20]) {
        assert_eq!(
            e["locations"],
            json!([{"line": 1, "column": column}]),
            "{body}"
        );
        assert_eq!(e["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    }
}

#[tokio::test]
async fn malformed_bodies_and_parameters_are_400() {
    let (_db, state) = support::demo("http_badbody").await;
    let app = fraiseql_server::app(state);
    let bodies: &[(&str, &[u8])] = &[
        ("malformed JSON", br#"{"query": "{ __typename }""#),
        ("trailing garbage", br#"{"query": "{ __typename }"} x"#),
        ("empty body", b""),
        ("invalid UTF-8", b"{\"query\": \"\xff\xfe\"}"),
        ("not an object", br#""{ __typename }""#),
        ("a number", b"42"),
        ("null", b"null"),
        ("no query", br#"{"variables": {}}"#),
        ("null query", br#"{"query": null}"#),
        ("non-string query", br#"{"query": 1}"#),
        ("object query", br#"{"query": {"a": 1}}"#),
        (
            "variables a list",
            br#"{"query": "{ __typename }", "variables": [1]}"#,
        ),
        (
            "variables a string",
            br#"{"query": "{ __typename }", "variables": "{}"}"#,
        ),
        (
            "operationName a number",
            br#"{"query": "{ __typename }", "operationName": 1}"#,
        ),
        (
            "extensions a string",
            br#"{"query": "{ __typename }", "extensions": "x"}"#,
        ),
    ];
    for (what, body) in bodies {
        for accept in [GQL, JSON] {
            let r = send(&app, post(body.to_vec(), Some(accept))).await;
            eprintln!("{what} ({accept}): {} {}", r.status, r.text());
            r.assert_request_error(StatusCode::BAD_REQUEST, accept, "BAD_REQUEST");
        }
    }
    // GET parameters.
    let gets: &[(&str, &[(&str, &str)])] = &[
        ("no query", &[]),
        (
            "variables not JSON",
            &[("query", "{ __typename }"), ("variables", "{")],
        ),
        (
            "variables a list",
            &[("query", "{ __typename }"), ("variables", "[1]")],
        ),
        (
            "extensions a list",
            &[("query", "{ __typename }"), ("extensions", "[]")],
        ),
    ];
    for (what, params) in gets {
        for accept in [GQL, JSON] {
            let r = send(&app, get(params, Some(accept))).await;
            eprintln!("GET {what} ({accept}): {} {}", r.status, r.text());
            r.assert_request_error(StatusCode::BAD_REQUEST, accept, "BAD_REQUEST");
        }
    }
    // Not URL encoding the server can read.
    let req = Request::get("/graphql?query=%FF%FE")
        .header(header::ACCEPT, GQL)
        .body(Body::empty())
        .expect("request");
    let r = send(&app, req).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.text());
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let (_db, state) = support::demo("http_ctype").await;
    let app = fraiseql_server::app(state);
    let body = json!({"query": "{ __typename }"}).to_string();
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/graphql"),
        Some("application/json; charset=latin1"),
    ] {
        for accept in [GQL, JSON] {
            let r = send(&app, post_with(body.clone(), ct, Some(accept))).await;
            r.assert_request_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, accept, "BAD_REQUEST");
        }
    }
    // Parameters and case of an accepted type are fine.
    for ct in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/json;charset=\"UTF-8\"",
    ] {
        let r = send(&app, post_with(body.clone(), Some(ct), Some(GQL))).await;
        assert_eq!(r.status, StatusCode::OK, "{ct}: {}", r.text());
    }
}

#[tokio::test]
async fn oversized_body_is_413() {
    let (_db, state) = support::demo_with("http_oversize", |c| c.server.max_body_bytes = 256).await;
    let app = fraiseql_server::app(state);
    let small = json!({"query": "{ __typename }"});
    let r = send(&app, post_json(&small, Some(GQL))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let padding = " ".repeat(300);
    let big = json!({ "query": format!("{{ __typename {padding}}}") });
    for accept in [GQL, JSON] {
        let r = send(&app, post_json(&big, Some(accept))).await;
        r.assert_request_error(StatusCode::PAYLOAD_TOO_LARGE, accept, "BAD_REQUEST");
        let message = r.json()["errors"][0]["message"].to_string();
        assert!(message.contains("256"), "{message}");
    }
    // Without Content-Length (a chunked upload): still 413, not a 500.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        vec![Ok(vec![b' '; 200]), Ok(vec![b' '; 200])];
    let stream = Body::from_stream(futures::stream::iter(chunks));
    let r = send(&app, post(stream, Some(GQL))).await;
    r.assert_request_error(StatusCode::PAYLOAD_TOO_LARGE, GQL, "BAD_REQUEST");
}

#[tokio::test]
async fn mutations_over_get_are_405_with_allow_post() {
    let (_db, state) = support::demo("http_mutget").await;
    let app = fraiseql_server::app(state);
    // The demo has no Mutation type: refused as a mutation over GET before validation.
    let cases: &[&[(&str, &str)]] = &[
        &[("query", "mutation { __typename }")],
        &[
            ("query", "mutation M { createUser { id } }"),
            ("operationName", "M"),
        ],
        &[
            ("query", "query Q { __typename } mutation M { __typename }"),
            ("operationName", "M"),
        ],
    ];
    for params in cases {
        for accept in [GQL, JSON] {
            let r = send(&app, get(params, Some(accept))).await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.text());
            assert_eq!(r.header(header::ALLOW).as_deref(), Some("POST"));
            r.assert_request_error(StatusCode::METHOD_NOT_ALLOWED, accept, "METHOD_NOT_ALLOWED");
        }
    }
    // Twice: the prepared-document cache must not let the second through.
    let r = send(&app, get(cases[0], Some(GQL))).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    // The query of a document that also holds a mutation runs over GET.
    let r = send(
        &app,
        get(
            &[
                ("query", "query Q { __typename } mutation M { __typename }"),
                ("operationName", "Q"),
            ],
            Some(GQL),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.text());
    assert_eq!(r.json()["data"]["__typename"], "Query");
    // Over POST the same mutation runs.
    let r = send(
        &app,
        post_json(&json!({"query": "mutation { __typename }"}), Some(GQL)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "body: {}", r.text());
    assert_eq!(r.json()["data"]["__typename"], "Mutation");
}

#[tokio::test]
async fn other_methods_are_405() {
    let (_db, state) = support::demo("http_methods").await;
    let app = fraiseql_server::app(state);
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let req = Request::builder()
            .method(method.clone())
            .uri("/graphql")
            .header(header::CONTENT_TYPE, JSON)
            .body(Body::from(r#"{"query":"{ __typename }"}"#))
            .expect("request");
        let r = send(&app, req).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        let allow = r.header(header::ALLOW).unwrap_or_default();
        assert!(
            allow.contains("POST") && allow.contains("GET"),
            "{method}: Allow {allow:?}"
        );
    }
}

#[tokio::test]
async fn batches_run_in_order_and_are_capped() {
    let (_db, state) = support::demo("http_batch").await;
    let app = fraiseql_server::app(state);
    let batch = json!([
        {"query": "{ __typename }"},
        {"query": "query Q($n: Int) { users(limit: $n) { id } }", "variables": {"n": 2}},
        {"query": "{ nope }"},
        "not an operation",
    ]);
    for accept in [GQL, JSON] {
        let r = send(&app, post_json(&batch, Some(accept))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.media_type(), accept);
        let body = r.json();
        let items = body.as_array().expect("a JSON array");
        assert_eq!(items.len(), 4, "{body}");
        assert_eq!(items[0], json!({"data": {"__typename": "Query"}}));
        assert_eq!(items[1]["data"]["users"].as_array().map(Vec::len), Some(2));
        assert!(items[2].get("data").is_none(), "{body}");
        assert_eq!(
            items[2]["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
        assert_eq!(items[3]["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    }
    // Default cap: 10.
    let ten: Vec<Value> = (0..10)
        .map(|_| json!({"query": "{ __typename }"}))
        .collect();
    let r = send(&app, post_json(&Value::Array(ten.clone()), Some(GQL))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json().as_array().map(Vec::len), Some(10));
    let mut eleven = ten;
    eleven.push(json!({"query": "{ __typename }"}));
    for accept in [GQL, JSON] {
        let r = send(&app, post_json(&Value::Array(eleven.clone()), Some(accept))).await;
        r.assert_request_error(StatusCode::BAD_REQUEST, accept, "BAD_REQUEST");
        let message = r.json()["errors"][0]["message"].to_string();
        assert!(message.contains("10"), "{message}");
    }
    let r = send(&app, post_json(&json!([]), Some(GQL))).await;
    r.assert_request_error(StatusCode::BAD_REQUEST, GQL, "BAD_REQUEST");
}

#[tokio::test]
async fn batching_can_be_disabled() {
    let (_db, state) = support::demo_with("http_nobatch", |c| c.server.max_batch = 0).await;
    let app = fraiseql_server::app(state);
    let r = send(
        &app,
        post_json(&json!([{"query": "{ __typename }"}]), Some(GQL)),
    )
    .await;
    r.assert_request_error(StatusCode::BAD_REQUEST, GQL, "BAD_REQUEST");
    let message = r.json()["errors"][0]["message"].to_string();
    assert!(message.contains("disabled"), "{message}");
    // Single operations still work.
    let r = send(
        &app,
        post_json(&json!({"query": "{ __typename }"}), Some(GQL)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn graphiql_is_served_to_browsers_in_dev() {
    let (_db, state) = support::demo("http_graphiql").await;
    let app = fraiseql_server::app(state);
    for accept in ["text/html", BROWSER_ACCEPT] {
        let r = send(&app, get(&[], Some(accept))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.media_type(), "text/html");
        let page = r.text();
        assert!(page.contains("GraphiQL"), "{page}");
        assert!(page.contains("\"/graphql\""), "{page}");
    }
    // With a query, a browser gets the result, not the page.
    let r = send(
        &app,
        get(&[("query", "{ __typename }")], Some(BROWSER_ACCEPT)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"data": {"__typename": "Query"}}));
    // A GraphQL client without a query gets a request error, not the page.
    let r = send(&app, get(&[], Some(GQL))).await;
    r.assert_request_error(StatusCode::BAD_REQUEST, GQL, "BAD_REQUEST");
}

#[tokio::test]
async fn graphiql_can_be_turned_off() {
    let (_db, state) =
        support::demo_with("http_nographiql", |c| c.server.graphiql = Some(false)).await;
    let app = fraiseql_server::app(state);
    for accept in ["text/html", BROWSER_ACCEPT] {
        let r = send(&app, get(&[], Some(accept))).await;
        assert_ne!(r.media_type(), "text/html", "{}", r.text());
        assert!(!r.text().contains("<html"), "{}", r.text());
        assert!(r.status.is_client_error(), "{}", r.status);
    }
}

#[tokio::test]
async fn health_and_readiness() {
    let (_db, state) = support::demo("http_health").await;
    let app = fraiseql_server::app(state);
    let get_path = |path: &str| Request::get(path).body(Body::empty()).expect("request");
    let r = send(&app, get_path("/healthz")).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(&app, get_path("/readyz")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = send(&app, get_path("/nowhere")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Odd but possible requests: each is answered, none with a 5xx.
#[tokio::test]
async fn odd_requests_never_get_a_5xx() {
    let (_db, state) = support::demo("http_odd").await;
    let app = fraiseql_server::app(state);
    let deep = "{ users { posts { id title } profile { bio } } }";
    let nested_list = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let many_aliases: String = (0..500).map(|i| format!("a{i}: __typename ")).collect();
    let bodies: Vec<Value> = vec![
        json!({"query": deep}),
        json!({"query": format!("{{ {many_aliases} }}")}),
        json!({"query": "{ users(limit: 99999999999) { id } }"}),
        json!({"query": "{ users(limit: -1) { id } }"}),
        json!({"query": "{ user(id: \"not-a-uuid\") { id } }"}),
        json!({"query": "{ __schema { queryType { name } } }"}),
        json!({"query": "subscription { users { id } }"}),
        json!({"query": "fragment F on Query { __typename }"}),
        json!({"query": "query { ...F } fragment F on Query { ...F }"}),
        json!({"query": "\u{0000}"}),
        json!({"query": "{ __typename }", "variables": {"unused": 1}}),
        json!({"query": "{ __typename }", "operationName": ""}),
        json!({"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1}}}),
        json!([[{"query": "{ __typename }"}]]),
        json!({}),
    ];
    for body in bodies {
        for accept in [GQL, JSON] {
            let r = send(&app, post_json(&body, Some(accept))).await;
            assert!(
                r.status.is_success() || r.status.is_client_error(),
                "{body}: {} {}",
                r.status,
                r.text()
            );
            assert_eq!(r.media_type(), accept, "{body}");
            let _ = r.json();
        }
    }
    let r = send(&app, post(nested_list, Some(GQL))).await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.text());
}

/// Runs a PostgreSQL program of a [`LocalPg`](fraiseql_localpg::LocalPg) cluster as
/// the cluster's owner (PostgreSQL refuses root), in its directory.
async fn pg_ctl(pg: &fraiseql_localpg::LocalPg, args: &[&str]) {
    let dir = pg.dir().to_path_buf();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || pg_ctl_blocking(&dir, &args))
        .await
        .expect("pg_ctl");
}

fn pg_ctl_blocking(dir: &std::path::Path, args: &[String]) {
    use std::os::unix::fs::MetadataExt as _;
    use std::os::unix::process::CommandExt as _;
    let bindir = fraiseql_localpg::find_bindir().expect("PostgreSQL binaries");
    let meta = std::fs::metadata(dir).expect("cluster directory");
    let out = std::process::Command::new(bindir.join("pg_ctl"))
        .arg("-D")
        .arg(dir.join("data"))
        .args(args)
        .current_dir(dir)
        .env_remove("PGDATA")
        .env_remove("PGPORT")
        .env_remove("PGHOST")
        .uid(meta.uid())
        .gid(meta.gid())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("running pg_ctl");
    assert!(
        out.status.success(),
        "pg_ctl {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A database outage is a quick 503 `DATABASE_UNAVAILABLE` without internal details
/// (dev mode off), and the same server answers again once PostgreSQL is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_is_a_quick_503_and_recovers() {
    let pg = match tokio::task::spawn_blocking(fraiseql_localpg::LocalPg::start)
        .await
        .expect("join")
    {
        Ok(pg) => pg,
        Err(e @ fraiseql_localpg::LocalPgError::BinariesNotFound { .. }) => {
            eprintln!("SKIPPED database_outage_is_a_quick_503_and_recovers: {e}");
            return;
        }
        Err(e) => panic!("starting a private PostgreSQL: {e}"),
    };
    let port = pg.port().to_string();
    let (client, conn) = tokio_postgres::connect(&pg.url(), tokio_postgres::NoTls)
        .await
        .expect("connect to the private PostgreSQL");
    let conn = tokio::spawn(conn);
    client
        .batch_execute(&format!(
            "SET client_min_messages = warning;\n{}\n{}\n{}",
            support::DEMO_SQL,
            fraiseql_server::SETUP_SQL,
            support::DEMO_MUTATIONS_SQL
        ))
        .await
        .expect("demo data loads");
    drop(client);
    let _ = conn.await;

    let mut config = fraiseql_server::Config::default();
    config.server.dev = false;
    config.database.url = Some(pg.url());
    config.database.pool_size = 4;
    let settings = config.validate().expect("valid config");
    let state = fraiseql_server::start_with_sources(
        settings,
        &[("schema.graphql".into(), support::DEMO_SDL.into())],
    )
    .await
    .expect("server starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(fraiseql_server::serve(state, listener, async {
        let _ = stop_rx.await;
    }));

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let query = json!({"query": "{ users(limit: 3) { id username } }"});
    let ask = |accept: &'static str| {
        let http = http.clone();
        let url = format!("{base}/graphql");
        let query = query.clone();
        async move {
            let started = Instant::now();
            let res = http
                .post(url)
                .header(header::ACCEPT, accept)
                .json(&query)
                .send()
                .await
                .expect("the server answers");
            let status = res.status();
            let ct = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let text = res.text().await.expect("body");
            (started.elapsed(), status, ct, text)
        }
    };
    let readyz = || {
        let http = http.clone();
        let url = format!("{base}/readyz");
        async move {
            let started = Instant::now();
            let status = http.get(url).send().await.expect("answer").status();
            (started.elapsed(), status)
        }
    };

    // Up: data.
    let (_, status, _, text) = ask(GQL).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let body: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        body["data"]["users"].as_array().map(Vec::len),
        Some(3),
        "{text}"
    );
    assert_eq!(readyz().await.1, StatusCode::OK);

    // Down: quick 503s with a stable code and nothing internal.
    pg_ctl(&pg, &["-m", "fast", "-w", "-t", "30", "stop"]).await;
    for accept in [GQL, JSON, GQL] {
        let (took, status, ct, text) = ask(accept).await;
        eprintln!("database down ({accept}): {took:?} {status} {text}");
        assert!(took < Duration::from_secs(3), "took {took:?}: {text}");
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
        assert!(ct.starts_with(accept), "{ct}");
        let body: Value = serde_json::from_str(&text).expect("JSON");
        let errors = body["errors"].as_array().expect("errors");
        assert!(!errors.is_empty(), "{text}");
        for e in errors {
            assert_eq!(e["extensions"]["code"], "DATABASE_UNAVAILABLE", "{text}");
        }
        let lower = text.to_lowercase();
        for leak in [
            "refused",
            "os error",
            "127.0.0.1",
            port.as_str(),
            "postgres",
            "tokio",
            "connection",
            "select",
            "v_user",
            "sqlstate",
        ] {
            assert!(!lower.contains(leak), "the body leaks {leak:?}: {text}");
        }
    }
    // A batch the database answered none of is a 503 too.
    let started = Instant::now();
    let res = http
        .post(format!("{base}/graphql"))
        .header(header::ACCEPT, GQL)
        .json(&json!([query, query]))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let items: Value = res.json().await.expect("JSON");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(items.as_array().map(Vec::len), Some(2), "{items}");
    for item in items.as_array().into_iter().flatten() {
        assert_eq!(
            item["errors"][0]["extensions"]["code"],
            "DATABASE_UNAVAILABLE"
        );
    }
    let (took, status) = readyz().await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(took < Duration::from_secs(3), "readyz took {took:?}");

    // Back on the same port: the same server answers again.
    let options = format!(
        "-p {port} -k '{}' -c listen_addresses=127.0.0.1 -c fsync=off",
        pg.dir().display()
    );
    let log = pg.dir().join("postgres.log").display().to_string();
    pg_ctl(
        &pg,
        &["-l", &log, "-w", "-t", "30", "-o", &options, "start"],
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, status, _, text) = ask(GQL).await;
        if status == StatusCode::OK {
            let body: Value = serde_json::from_str(&text).expect("JSON");
            assert!(body.get("errors").is_none(), "{text}");
            assert_eq!(
                body["data"]["users"].as_array().map(Vec::len),
                Some(3),
                "{text}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still failing 15 s after the restart: {status} {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(readyz().await.1, StatusCode::OK);

    let _ = stop_tx.send(());
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .expect("join")
        .expect("serve");
    drop(pg);
}
