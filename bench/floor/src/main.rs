//! A minimal HTTP + PostgreSQL service: the floor FraiseQL is measured against.
//!
//! Per request it runs one or more prepared statements (the SQL `fraiseql explain` gives
//! for the request), several of them concurrently on the pool like FraiseQL's root fields,
//! and returns their text wrapped as a GraphQL response: `{"data":{"<key>":<text>,...}}`.
//!
//! Environment: `DATABASE_URL`, `FLOOR_LISTEN` (default 127.0.0.1:8090), `FLOOR_POOL`
//! (default 8), and either
//! - `FLOOR_SPEC`: a JSON file `{"statements": [{"key": "user", "sql": "...", "params":
//!   [P, ...]}, ...]}` where each parameter P is `{"ptr": "/variables/id"}` (a JSON pointer
//!   into the request body) or `{"value": V}` (a constant, e.g. from `fraiseql explain`), and
//!   `"custom_plan": true` when `fraiseql explain` marks the statement so: it is then sent
//!   unnamed with typed parameters (`query_typed`), planned with each request's values, as
//!   FraiseQL sends it; or
//! - `FLOOR_SQL` (one statement returning one text column), `FLOOR_PARAMS` (comma-separated
//!   JSON pointers into the request body) and `FLOOR_KEY` (the root field name).
//!
//! Binding follows FraiseQL's own parameter kinds: a JSON string is bound as `text`, an
//! integer as `int8`, an array of strings as `text[]`, any other value (an object, say) as
//! its JSON text.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use serde_json::Value;
use tokio_postgres::types::{ToSql, Type};

enum ParamSpec {
    Pointer(String),
    Constant(Value),
}

struct Statement {
    key: String,
    sql: String,
    params: Vec<ParamSpec>,
    custom_plan: bool,
}

struct Floor {
    pool: Pool,
    statements: Vec<Arc<Statement>>,
    needs_body: bool,
}

/// A bound parameter, by kind.
enum Bound {
    Text(String),
    Int(i64),
    TextArray(Vec<String>),
    Null(Option<String>),
}

impl Bound {
    fn from_json(v: Option<&Value>) -> Bound {
        match v {
            None | Some(Value::Null) => Bound::Null(None),
            Some(Value::String(s)) => Bound::Text(s.clone()),
            Some(Value::Number(n)) if n.is_i64() => Bound::Int(n.as_i64().unwrap_or_default()),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => Bound::TextArray(
                items
                    .iter()
                    .map(|i| i.as_str().unwrap_or_default().to_owned())
                    .collect(),
            ),
            Some(other) => Bound::Text(other.to_string()),
        }
    }

    fn sql_type(&self) -> Type {
        match self {
            Bound::Int(_) => Type::INT8,
            Bound::TextArray(_) => Type::TEXT_ARRAY,
            Bound::Text(_) | Bound::Null(_) => Type::TEXT,
        }
    }

    fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Bound::Text(s) => s,
            Bound::Int(i) => i,
            Bound::TextArray(v) => v,
            Bound::Null(n) => n,
        }
    }
}

async fn run_one(pool: &Pool, stmt: &Statement, values: Vec<Bound>) -> Result<String, String> {
    let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(Bound::as_sql).collect();
    let client = pool.get().await.map_err(|e| e.to_string())?;
    if stmt.custom_plan {
        let typed: Vec<(&(dyn ToSql + Sync), Type)> =
            values.iter().map(|v| (v.as_sql(), v.sql_type())).collect();
        let rows = client
            .query_typed(&stmt.sql, &typed)
            .await
            .map_err(|e| e.to_string())?;
        let row = rows.first().ok_or("no row")?;
        return Ok(row
            .get::<_, Option<String>>(0)
            .unwrap_or_else(|| "null".to_owned()));
    }
    let prepared = client
        .prepare_cached(&stmt.sql)
        .await
        .map_err(|e| e.to_string())?;
    let row = client
        .query_one(&prepared, &params)
        .await
        .map_err(|e| e.to_string())?;
    Ok(row
        .get::<_, Option<String>>(0)
        .unwrap_or_else(|| "null".to_owned()))
}

fn bind(stmt: &Statement, req: &Value) -> Vec<Bound> {
    stmt.params
        .iter()
        .map(|p| match p {
            ParamSpec::Pointer(ptr) => Bound::from_json(req.pointer(ptr)),
            ParamSpec::Constant(v) => Bound::from_json(Some(v)),
        })
        .collect()
}

fn error_body(message: &str) -> String {
    serde_json::json!({"errors": [{"message": message}]}).to_string()
}

async fn handle(
    State(floor): State<Arc<Floor>>,
    body: Bytes,
) -> ([(&'static str, &'static str); 1], String) {
    let header = [("content-type", "application/json")];
    let req = if floor.needs_body {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => v,
            Err(_) => return (header, error_body("bad JSON")),
        }
    } else {
        Value::Null
    };
    let results: Vec<Result<String, String>> = if floor.statements.len() == 1 {
        let stmt = &floor.statements[0];
        vec![run_one(&floor.pool, stmt, bind(stmt, &req)).await]
    } else {
        // Several root fields: concurrently, each on its own pooled connection.
        let handles: Vec<_> = floor
            .statements
            .iter()
            .map(|stmt| {
                let values = bind(stmt, &req);
                let (pool, stmt) = (floor.pool.clone(), Arc::clone(stmt));
                tokio::spawn(async move { run_one(&pool, &stmt, values).await })
            })
            .collect();
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.await.unwrap_or_else(|e| Err(e.to_string())));
        }
        out
    };
    let mut text = String::from("{\"data\":{");
    for (i, (stmt, result)) in floor.statements.iter().zip(results).enumerate() {
        match result {
            Ok(t) => {
                if i > 0 {
                    text.push(',');
                }
                text.push('"');
                text.push_str(&stmt.key);
                text.push_str("\":");
                text.push_str(&t);
            }
            Err(e) => return (header, error_body(&e)),
        }
    }
    text.push_str("}}");
    (header, text)
}

fn statements_from_env(var: impl Fn(&str, &str) -> String) -> Vec<Statement> {
    if let Ok(path) = std::env::var("FLOOR_SPEC") {
        let text = std::fs::read_to_string(&path).expect("FLOOR_SPEC: cannot read the file");
        let spec: Value = serde_json::from_str(&text).expect("FLOOR_SPEC: not JSON");
        let list = spec["statements"]
            .as_array()
            .expect("FLOOR_SPEC: no \"statements\" array");
        return list
            .iter()
            .map(|s| Statement {
                key: s["key"].as_str().expect("statement key").to_owned(),
                sql: s["sql"].as_str().expect("statement sql").to_owned(),
                params: s["params"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| match p.get("ptr").and_then(Value::as_str) {
                                Some(ptr) => ParamSpec::Pointer(ptr.to_owned()),
                                None => ParamSpec::Constant(
                                    p.get("value").cloned().unwrap_or(Value::Null),
                                ),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                custom_plan: s["custom_plan"].as_bool().unwrap_or(false),
            })
            .collect();
    }
    vec![Statement {
        key: var("FLOOR_KEY", "result"),
        sql: var("FLOOR_SQL", "SELECT '1'"),
        params: var("FLOOR_PARAMS", "")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| ParamSpec::Pointer(s.to_owned()))
            .collect(),
        custom_plan: false,
    }]
}

#[tokio::main]
async fn main() {
    let var = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let url = var(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/postgres",
    );
    let pg: tokio_postgres::Config = url.parse().expect("DATABASE_URL");
    let manager = Manager::from_config(
        pg,
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let size = var("FLOOR_POOL", "8").parse().expect("FLOOR_POOL");
    let pool = Pool::builder(manager).max_size(size).build().expect("pool");
    let statements = statements_from_env(var);
    let needs_body = statements
        .iter()
        .any(|s| s.params.iter().any(|p| matches!(p, ParamSpec::Pointer(_))));
    let floor = Arc::new(Floor {
        pool,
        statements: statements.into_iter().map(Arc::new).collect(),
        needs_body,
    });
    let app = Router::new()
        .route("/graphql", post(handle))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .with_state(floor);
    let listener = tokio::net::TcpListener::bind(var("FLOOR_LISTEN", "127.0.0.1:8090"))
        .await
        .expect("listen");
    axum::serve(listener, app).await.expect("serve");
}
