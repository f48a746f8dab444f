//! GraphiQL IDE: an HTML page and the vendored static assets it needs, embedded in the binary so
//! the IDE works offline (no CDN at runtime).
//!
//! The assets (GraphiQL 3.9.0 plus the React 18.3.1 UMD builds, all MIT-licensed; see
//! `assets/graphiql/LICENSES.md`) are compiled in with `include_bytes!` and served by
//! [`assets_router`] under [`ASSETS_PATH`]. Their file names contain the upstream version, so they
//! can be cached forever (`immutable`): upgrading them changes the URLs.

use axum::{
    Router,
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};

/// URL path (from the server root) under which [`assets_router`] serves the embedded assets.
pub const ASSETS_PATH: &str = "/graphiql/assets";

const GRAPHIQL_JS: &str = "graphiql-3.9.0.min.js";
const GRAPHIQL_CSS: &str = "graphiql-3.9.0.min.css";
const REACT_JS: &str = "react-18.3.1.production.min.js";
const REACT_DOM_JS: &str = "react-dom-18.3.1.production.min.js";

const GRAPHIQL_JS_BYTES: &[u8] = include_bytes!("../assets/graphiql/graphiql-3.9.0.min.js");
const GRAPHIQL_CSS_BYTES: &[u8] = include_bytes!("../assets/graphiql/graphiql-3.9.0.min.css");
const REACT_JS_BYTES: &[u8] = include_bytes!("../assets/graphiql/react-18.3.1.production.min.js");
const REACT_DOM_JS_BYTES: &[u8] =
    include_bytes!("../assets/graphiql/react-dom-18.3.1.production.min.js");

const CONTENT_TYPE_JS: &str = "text/javascript; charset=utf-8";
const CONTENT_TYPE_CSS: &str = "text/css; charset=utf-8";
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// Looks an asset up by file name in the fixed list of embedded assets.
/// Returns its content type and bytes, or `None` for any other name.
fn asset(file: &str) -> Option<(&'static str, &'static [u8])> {
    match file {
        GRAPHIQL_JS => Some((CONTENT_TYPE_JS, GRAPHIQL_JS_BYTES)),
        GRAPHIQL_CSS => Some((CONTENT_TYPE_CSS, GRAPHIQL_CSS_BYTES)),
        REACT_JS => Some((CONTENT_TYPE_JS, REACT_JS_BYTES)),
        REACT_DOM_JS => Some((CONTENT_TYPE_JS, REACT_DOM_JS_BYTES)),
        _ => None,
    }
}

/// Router serving `GET /graphiql/assets/{file}` from the embedded assets (`HEAD` works too).
///
/// Known files get `200` with their content type and
/// `Cache-Control: public, max-age=31536000, immutable`; any other name gets `404`.
/// The filesystem is never read at runtime.
pub fn assets_router() -> Router {
    Router::new().route("/graphiql/assets/{file}", get(serve_asset))
}

async fn serve_asset(Path(file): Path<String>) -> Response {
    match asset(&file) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(CACHE_FOREVER),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            "asset not found",
        )
            .into_response(),
    }
}

/// Encodes `value` as a JSON string literal that is safe to place inside an HTML `<script>`
/// element: besides JSON escaping, `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026` (so
/// neither `</script>` nor `<!--` can appear), and U+2028/U+2029 are escaped too.
fn script_string_literal(value: &str) -> String {
    // Serializing a `&str` cannot fail.
    let json = serde_json::to_string(value).unwrap_or_else(|_| String::from("\"\""));
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The GraphiQL HTML page. It loads its assets from `/graphiql/assets/<file>` (relative to the
/// server root, see [`assets_router`]) and sends GraphQL requests as `POST` to `endpoint`
/// (usually a root-relative path such as `/graphql`). The headers editor is enabled; headers are
/// not saved in the browser's local storage.
pub fn page(endpoint: &str) -> Html<String> {
    let endpoint = script_string_literal(endpoint);
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FraiseQL GraphiQL</title>
<style>html, body {{ height: 100%; margin: 0; overflow: hidden; }} #graphiql {{ height: 100vh; }}</style>
<link rel="stylesheet" href="{assets}/{css}">
<script src="{assets}/{react}"></script>
<script src="{assets}/{react_dom}"></script>
<script src="{assets}/{graphiql}"></script>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script>
(function () {{
  "use strict";
  var endpoint = {endpoint};
  var fetcher = GraphiQL.createFetcher({{ url: endpoint }});
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {{
    fetcher: fetcher,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: true
  }}));
}})();
</script>
</body>
</html>
"#,
        assets = ASSETS_PATH,
        css = GRAPHIQL_CSS,
        react = REACT_JS,
        react_dom = REACT_DOM_JS,
        graphiql = GRAPHIQL_JS,
        endpoint = endpoint,
    ))
}

/// Whether the request looks like a browser navigation, i.e. its `Accept` header lists
/// `text/html` (case-insensitively, in any of possibly several `Accept` headers) without `q=0`.
///
/// The caller is expected to also check that the request has no `query` parameter before
/// serving [`page`] instead of executing a GraphQL request.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|range| {
            let mut parts = range.split(';');
            let media_type = parts.next().unwrap_or("").trim();
            media_type.eq_ignore_ascii_case("text/html") && !parts.any(is_zero_quality)
        })
}

/// Whether a media-range parameter is `q=0` (also `q=0.0`, `q=0.000`, ...).
fn is_zero_quality(param: &str) -> bool {
    let Some((name, value)) = param.split_once('=') else {
        return false;
    };
    name.trim().eq_ignore_ascii_case("q")
        && value
            .trim()
            .strip_prefix('0')
            .is_some_and(|rest| rest.is_empty() || rest.trim_start_matches(['.', '0']).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    async fn get_asset(file: &str) -> Response {
        assets_router()
            .oneshot(
                Request::builder()
                    .uri(format!("{ASSETS_PATH}/{file}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible")
    }

    async fn body_bytes(response: Response) -> bytes::Bytes {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body")
    }

    #[tokio::test]
    async fn known_asset_is_served_with_type_and_cache_headers() {
        for (file, content_type) in [
            (GRAPHIQL_JS, CONTENT_TYPE_JS),
            (GRAPHIQL_CSS, CONTENT_TYPE_CSS),
            (REACT_JS, CONTENT_TYPE_JS),
            (REACT_DOM_JS, CONTENT_TYPE_JS),
        ] {
            let response = get_asset(file).await;
            assert_eq!(response.status(), StatusCode::OK, "{file}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                "public, max-age=31536000, immutable"
            );
            let body = body_bytes(response).await;
            assert!(!body.is_empty(), "{file}");
            assert_eq!(body, asset(file).expect("known").1);
        }
    }

    #[tokio::test]
    async fn unknown_asset_is_404() {
        for file in [
            "nope.js",
            "graphiql.min.js",
            "..%2FCargo.toml",
            "LICENSES.md",
        ] {
            let response = get_asset(file).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{file}");
        }
        let response = assets_router()
            .oneshot(
                Request::builder()
                    .uri("/graphiql/assets/../../Cargo.toml")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn page_references_every_asset_and_the_endpoint() {
        let html = page("/graphql").0;
        for file in [GRAPHIQL_JS, GRAPHIQL_CSS, REACT_JS, REACT_DOM_JS] {
            assert!(
                html.contains(&format!("\"/graphiql/assets/{file}\"")),
                "{file}"
            );
            assert!(asset(file).is_some());
        }
        assert!(html.contains(r#"var endpoint = "/graphql";"#));
        assert!(html.contains("GraphiQL.createFetcher"));
        assert!(html.contains("isHeadersEditorEnabled: true"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    #[test]
    fn endpoint_cannot_break_out_of_the_script_tag() {
        let html = page("/x\"</script><script>alert(1)</script><!--\u{2028}&").0;
        assert_eq!(
            html.matches("</script>").count(),
            4,
            "only the page's own tags"
        );
        assert!(!html.contains("<!--"));
        assert!(!html.contains("alert(1)</"));
        assert!(html.contains(
            r#"var endpoint = "/x\"\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e\u003c!--\u2028\u0026";"#
        ));
    }

    #[test]
    fn script_literal_round_trips_as_json() {
        let value = "a</script>\"\\\n\u{2028}&<>é";
        let literal = script_string_literal(value);
        let decoded: String = serde_json::from_str(&literal).expect("valid JSON");
        assert_eq!(decoded, value);
    }

    #[test]
    fn wants_html_detects_browser_navigation() {
        let accept = |values: &[&str]| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(header::ACCEPT, HeaderValue::from_str(value).expect("value"));
            }
            wants_html(&headers)
        };
        assert!(accept(&[
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ]));
        assert!(accept(&["application/json", "TEXT/HTML; charset=utf-8"]));
        assert!(accept(&["text/html;q=0.5"]));
        assert!(!accept(&[]));
        assert!(!accept(&["application/json"]));
        assert!(!accept(&["*/*"]));
        assert!(!accept(&[
            "application/graphql-response+json, application/json;q=0.9"
        ]));
        assert!(!accept(&["text/html;q=0", "application/json"]));
        assert!(!accept(&["text/html; q=0.000"]));
    }
}
