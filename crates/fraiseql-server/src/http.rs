//! The HTTP surface: `POST`/`GET /graphql` per the GraphQL-over-HTTP spec,
//! GraphiQL for browsers, `/healthz` and `/readyz`.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fraiseql_core::GqlError;
use fraiseql_core::error::codes;

use crate::AppState;
use crate::exec::{GraphQLRequest, Outcome, request_from_json};
use crate::graphiql;

/// The media type of the response, from the `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphqlResponse,
    Json,
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

impl MediaType {
    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        })
    }
}

/// Picks the acceptable media type the client prefers most (highest `q`, then
/// `Accept` order); no `Accept` header means JSON.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let mut accept: Vec<(f32, &str)> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter(|item| !item.trim().is_empty())
        .map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default();
            let q = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
                .map_or(1.0, |(_, v)| v.trim().parse::<f32>().unwrap_or(1.0));
            (q, media)
        })
        .collect();
    if accept.is_empty() {
        return Some(MediaType::Json);
    }
    // Stable: equal weights keep the client's order.
    accept.sort_by(|a, b| b.0.total_cmp(&a.0));
    accept
        .into_iter()
        .filter(|(q, _)| *q > 0.0)
        .find_map(|(_, media)| {
            let media = media.to_ascii_lowercase();
            match media.as_str() {
                GRAPHQL_RESPONSE => Some(MediaType::GraphqlResponse),
                "application/json" | "application/*" | "*/*" => Some(MediaType::Json),
                _ => None,
            }
        })
}

/// The router. Every route the server has is here.
pub fn router(state: AppState) -> Router {
    let max_body = state.settings.config.server.max_body_bytes;
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(|| async { (StatusCode::OK, "ok") }))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
        .merge(graphiql::assets_router())
}

fn respond(status: StatusCode, media: MediaType, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    res
}

fn request_error(
    status: StatusCode,
    media: MediaType,
    code: &'static str,
    message: impl Into<String>,
) -> Response {
    let body = fraiseql_core::response::request_errors(&[GqlError::new(code, message)]);
    respond(status, media, body)
}

fn not_acceptable() -> Response {
    request_error(
        StatusCode::NOT_ACCEPTABLE,
        MediaType::Json,
        codes::BAD_REQUEST,
        format!("Accept must allow {GRAPHQL_RESPONSE} or application/json."),
    )
}

fn timed_out() -> String {
    fraiseql_core::response::request_errors(&[GqlError::new(
        codes::TIMEOUT,
        "The request took too long.",
    )])
}

/// The request context from the request's credentials, or the 401 refusing them
/// (with `WWW-Authenticate`); nothing runs for a refused request.
async fn authenticate(
    state: &AppState,
    media: MediaType,
    headers: &HeaderMap,
) -> Result<fraiseql_core::plan::RequestContext, Response> {
    state.auth.authenticate(headers).await.map_err(|e| {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
        let mut res = request_error(status, media, e.code(), e.to_string());
        if let Ok(v) = HeaderValue::from_str(&e.www_authenticate(&state.settings.config.auth.realm))
        {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        res
    })
}

async fn run(
    state: &AppState,
    media: MediaType,
    req: GraphQLRequest,
    allow_mutation: bool,
) -> Response {
    let timeout = state.settings.request_timeout;
    let (status, body) =
        match tokio::time::timeout(timeout, state.executor.execute(req, allow_mutation)).await {
            Ok(res) => (status_of(res.outcome, media), res.body),
            Err(_) => (StatusCode::GATEWAY_TIMEOUT, timed_out()),
        };
    let mut res = respond(status, media, body);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    res
}

fn status_of(outcome: Outcome, media: MediaType) -> StatusCode {
    match (outcome, media) {
        (Outcome::Executed, _) | (Outcome::RequestError, MediaType::Json) => StatusCode::OK,
        (Outcome::RequestError, MediaType::GraphqlResponse) => StatusCode::BAD_REQUEST,
        (Outcome::MethodNotAllowed, _) => StatusCode::METHOD_NOT_ALLOWED,
        (Outcome::Unavailable, _) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

fn is_json_content_type(headers: &HeaderMap) -> Result<(), String> {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Err("The request has no Content-Type: send application/json.".into());
    };
    let mut parts = ct.split(';').map(str::trim);
    let media = parts.next().unwrap_or_default().to_ascii_lowercase();
    if media != "application/json" {
        return Err(format!(
            "Content-Type {media} is not supported: send application/json."
        ));
    }
    for p in parts {
        if let Some((k, v)) = p.split_once('=')
            && k.trim().eq_ignore_ascii_case("charset")
            && !v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(format!(
                "charset {} is not supported: send utf-8.",
                v.trim()
            ));
        }
    }
    Ok(())
}

async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    if let Err(m) = is_json_content_type(&headers) {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            codes::BAD_REQUEST,
            m,
        );
    }
    let body = match body {
        Ok(b) => b,
        // Too large (413) or cut short: answered in GraphQL's error shape, not as plain text.
        Err(rejection) => {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!(
                    "The request body is larger than {} bytes.",
                    state.settings.config.server.max_body_bytes
                )
            } else {
                "The request body could not be read.".to_owned()
            };
            return request_error(status, media, codes::BAD_REQUEST, message);
        }
    };
    let value: apollo_compiler::response::JsonValue = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                media,
                codes::BAD_REQUEST,
                format!("The body is not valid JSON: {e}."),
            );
        }
    };
    let context = match authenticate(&state, media, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    match value {
        apollo_compiler::response::JsonValue::Array(items) => {
            batch(&state, media, items, context).await
        }
        single => match request_from_json(single) {
            Ok(mut req) => {
                req.context = context;
                run(&state, media, req, true).await
            }
            Err(m) => request_error(StatusCode::BAD_REQUEST, media, codes::BAD_REQUEST, m),
        },
    }
}

async fn batch(
    state: &AppState,
    media: MediaType,
    items: Vec<apollo_compiler::response::JsonValue>,
    context: fraiseql_core::plan::RequestContext,
) -> Response {
    let max = state.settings.config.server.max_batch;
    if items.is_empty() || items.len() > max {
        let m = if max == 0 {
            "Batched requests are disabled.".to_owned()
        } else {
            format!(
                "A batch must hold 1 to {max} operations; it holds {}.",
                items.len()
            )
        };
        return request_error(StatusCode::BAD_REQUEST, media, codes::BAD_REQUEST, m);
    }
    // Operations run in order (a later one may depend on an earlier write), all
    // within the request timeout; 503 when the database answered none of them.
    let work = async {
        let mut bodies = Vec::with_capacity(items.len());
        let mut all_unavailable = true;
        for item in items {
            match request_from_json(item) {
                Ok(mut req) => {
                    req.context = context.clone();
                    let res = state.executor.execute(req, true).await;
                    all_unavailable &= res.outcome == Outcome::Unavailable;
                    bodies.push(res.body);
                }
                Err(m) => {
                    all_unavailable = false;
                    bodies.push(fraiseql_core::response::request_errors(&[GqlError::new(
                        codes::BAD_REQUEST,
                        m,
                    )]));
                }
            }
        }
        (bodies, all_unavailable)
    };
    match tokio::time::timeout(state.settings.request_timeout, work).await {
        Ok((bodies, all_unavailable)) => {
            let status = if all_unavailable {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::OK
            };
            respond(status, media, format!("[{}]", bodies.join(",")))
        }
        Err(_) => respond(StatusCode::GATEWAY_TIMEOUT, media, timed_out()),
    }
}

async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p);
    let has_query = params.as_ref().is_ok_and(|p| p.contains_key("query"));
    if state.settings.graphiql && !has_query && graphiql::wants_html(&headers) {
        return graphiql::page("/graphql").into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let bad = |m: &str| request_error(StatusCode::BAD_REQUEST, media, codes::BAD_REQUEST, m);
    let Ok(params) = params else {
        return bad("The query string is not valid URL encoding.");
    };
    let Some(query) = params.get("query").cloned() else {
        return bad("The request has no `query` parameter.");
    };
    let variables = match params
        .get("variables")
        .map(|v| serde_json::from_str::<apollo_compiler::response::JsonValue>(v))
    {
        None => Default::default(),
        Some(Ok(apollo_compiler::response::JsonValue::Object(m))) => m,
        Some(Ok(apollo_compiler::response::JsonValue::Null)) => Default::default(),
        Some(_) => return bad("`variables` must be a JSON object."),
    };
    if let Some(ext) = params.get("extensions")
        && !matches!(
            serde_json::from_str::<serde_json::Value>(ext),
            Ok(serde_json::Value::Object(_) | serde_json::Value::Null)
        )
    {
        return bad("`extensions` must be a JSON object.");
    }
    let context = match authenticate(&state, media, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let req = GraphQLRequest {
        query,
        operation_name: params
            .get("operationName")
            .filter(|s| !s.is_empty())
            .cloned(),
        variables,
        context,
    };
    run(&state, media, req, false).await
}

async fn readyz(State(state): State<AppState>) -> Response {
    let check = async {
        let client = state.executor.pool.get().await.ok()?;
        client.simple_query("SELECT 1").await.ok()
    };
    match tokio::time::timeout(Duration::from_secs(2), check).await {
        Ok(Some(_)) => (StatusCode::OK, "ready").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}
