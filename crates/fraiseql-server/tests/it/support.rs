//! Shared test support: a database loaded with SQL, and a server state over it.

#![allow(dead_code, unreachable_pub)]

use fraiseql_server::{AppState, Config};
use fraiseql_testkit::TestDb;

/// The demo data and schema, shipped with the CLI.
pub const DEMO_SQL: &str = include_str!("../../../fraiseql/demo/demo.sql");
pub const DEMO_SDL: &str = include_str!("../../../fraiseql/demo/schema.graphql");
pub const DEMO_MUTATIONS_SQL: &str = include_str!("../../../fraiseql/demo/mutations.sql");

/// A database loaded with `sql` and a server state serving `sdl` over it.
/// `tweak` adjusts the configuration (dev mode is on by default here).
pub async fn state_with(
    prefix: &str,
    sql: &str,
    sdl: &str,
    tweak: impl FnOnce(&mut Config),
) -> (TestDb, AppState) {
    let db = TestDb::create(prefix).await;
    db.exec_sql(&format!("SET client_min_messages = warning;\n{sql}"))
        .await;
    let mut config = Config::default();
    config.server.dev = true;
    config.database.url = Some(db.url.clone());
    config.database.pool_size = 4;
    tweak(&mut config);
    let settings = config.validate().expect("valid test config");
    let state =
        fraiseql_server::start_with_sources(settings, &[("schema.graphql".into(), sdl.into())])
            .await
            .expect("server starts");
    (db, state)
}

/// Starts a server on `url` with `sdl`; the error's text when start-up fails.
pub async fn start(url: &str, sdl: &str) -> Result<AppState, String> {
    let mut config = Config::default();
    config.server.dev = true;
    config.database.url = Some(url.to_owned());
    config.database.pool_size = 2;
    let settings = config.validate().expect("valid test config");
    fraiseql_server::start_with_sources(settings, &[("schema.graphql".into(), sdl.into())])
        .await
        .map_err(|e| e.to_string())
}

/// The demo database and schema.
pub async fn demo(prefix: &str) -> (TestDb, AppState) {
    demo_with(prefix, |_| {}).await
}

/// The demo (data, setup helpers, mutation functions), configuration adjusted by `tweak`.
pub async fn demo_with(prefix: &str, tweak: impl FnOnce(&mut Config)) -> (TestDb, AppState) {
    let sql = format!(
        "{DEMO_SQL}\n{}\n{DEMO_MUTATIONS_SQL}",
        fraiseql_server::SETUP_SQL
    );
    state_with(prefix, &sql, DEMO_SDL, tweak).await
}

/// Executes a query through the executor (no HTTP) and returns the parsed response.
pub async fn execute(
    state: &AppState,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    let variables = match serde_json::from_value(variables).expect("variables") {
        fraiseql_server::exec::JsonValue::Object(m) => m,
        _ => Default::default(),
    };
    let req = fraiseql_server::exec::GraphQLRequest {
        query: query.to_owned(),
        operation_name: None,
        variables,
        ..Default::default()
    };
    let res = state.executor.execute(req, true).await;
    serde_json::from_str(&res.body)
        .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", res.body))
}
