//! A minimal HTTP + PostgreSQL service: the floor FraiseQL is measured against.
//!
//! Environment: `DATABASE_URL`, `FLOOR_LISTEN` (default 127.0.0.1:8090), `FLOOR_SQL` (one
//! statement returning one text column), `FLOOR_PARAMS` (comma-separated JSON pointers into
//! the request body, each bound as text: `/variables/i` binds the JSON text of that value,
//! or a string as is), `FLOOR_KEY` (the root field name in the response), `FLOOR_POOL`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

struct Floor {
    pool: Pool,
    sql: String,
    params: Vec<String>,
    key: String,
}

async fn handle(
    State(floor): State<Arc<Floor>>,
    body: Bytes,
) -> ([(&'static str, &'static str); 1], String) {
    let header = [("content-type", "application/json")];
    let values: Vec<String> = if floor.params.is_empty() {
        Vec::new()
    } else {
        let Ok(req) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return (header, r#"{"errors":[{"message":"bad JSON"}]}"#.to_owned());
        };
        floor
            .params
            .iter()
            .map(|p| match req.pointer(p) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            })
            .collect()
    };
    let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = values
        .iter()
        .map(|v| v as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect();
    let result = async {
        let client = floor.pool.get().await.map_err(|e| e.to_string())?;
        let stmt = client
            .prepare_cached(&floor.sql)
            .await
            .map_err(|e| e.to_string())?;
        let row = client
            .query_one(&stmt, &params)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<String, String>(
            row.get::<_, Option<String>>(0)
                .unwrap_or_else(|| "null".to_owned()),
        )
    }
    .await;
    match result {
        Ok(text) => (header, format!("{{\"data\":{{\"{}\":{text}}}}}", floor.key)),
        Err(e) => (
            header,
            serde_json::json!({"errors": [{"message": e}]}).to_string(),
        ),
    }
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
    let floor = Arc::new(Floor {
        pool,
        sql: var("FLOOR_SQL", "SELECT '1'"),
        params: var("FLOOR_PARAMS", "")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        key: var("FLOOR_KEY", "result"),
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
