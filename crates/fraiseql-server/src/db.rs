//! PostgreSQL: the pool, the catalog read at start-up, and running one statement.

use std::collections::HashMap;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use fraiseql_core::GqlError;
use fraiseql_core::error::codes;
use fraiseql_core::schema::model::FunctionSignature;
use fraiseql_core::schema::{RelationColumns, ViewRef};
use fraiseql_core::sql::{Param, SqlQuery};
use tokio_postgres::types::ToSql;

use crate::config::DatabaseConfig;

/// Start-up failures talking to PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database URL: {0}")]
    Url(String),
    #[error("cannot connect to PostgreSQL at {target}: {message}")]
    Connect { target: String, message: String },
    #[error("reading the catalog failed: {0}")]
    Catalog(String),
}

/// `host:port/db` of a config, without credentials, for messages.
pub fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(s) => s.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{host}:{port}/{}",
        config.get_dbname().unwrap_or("postgres")
    )
}

/// Builds the pool. Connections open lazily; timeouts keep an outage fast to report.
pub fn pool(url: &str, cfg: &DatabaseConfig) -> Result<Pool, DbError> {
    let mut pg: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| DbError::Url(e.to_string()))?;
    pg.connect_timeout(Duration::from_millis(cfg.connect_timeout_ms));
    pg.application_name("fraiseql");
    if cfg.statement_timeout_ms > 0 {
        pg.options(format!("-c statement_timeout={}", cfg.statement_timeout_ms));
    }
    let manager = Manager::from_config(
        pg,
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(cfg.pool_size)
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(Duration::from_millis(cfg.acquire_timeout_ms)),
            create: Some(Duration::from_millis(cfg.connect_timeout_ms)),
            recycle: Some(Duration::from_millis(cfg.connect_timeout_ms)),
        })
        .build()
        .map_err(|e| DbError::Url(e.to_string()))
}

/// Reads the columns of every view the schema uses.
pub async fn catalog(
    pool: &Pool,
    views: &[ViewRef],
    target: &str,
) -> Result<HashMap<String, RelationColumns>, DbError> {
    let client = connect(pool, target).await?;
    let stmt = client
        .prepare(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
             WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        )
        .await
        .map_err(|e| DbError::Catalog(with_causes(&e)))?;
    let exists = client
        .prepare("SELECT to_regclass($1) IS NOT NULL")
        .await
        .map_err(|e| DbError::Catalog(with_causes(&e)))?;
    let mut out = HashMap::new();
    for v in views {
        let found: bool = client
            .query_one(&exists, &[&v.quoted])
            .await
            .map(|r| r.get(0))
            .unwrap_or(false);
        let columns = if found {
            let rows = client
                .query(&stmt, &[&v.quoted])
                .await
                .map_err(|e| DbError::Catalog(with_causes(&e)))?;
            Some(
                rows.iter()
                    .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
                    .collect(),
            )
        } else {
            None
        };
        out.insert(v.quoted.clone(), columns);
    }
    Ok(out)
}

/// Reads the signature of every function the mutations call.
pub async fn function_catalog(
    pool: &Pool,
    functions: &[fraiseql_core::schema::mutation::FunctionRef],
    target: &str,
) -> Result<HashMap<String, Option<FunctionSignature>>, DbError> {
    let mut out = HashMap::new();
    if functions.is_empty() {
        return Ok(out);
    }
    let client = connect(pool, target).await?;
    let stmt = client
        .prepare(
            "SELECT coalesce(p.proargnames, '{}'::text[]), coalesce(p.proargmodes::text[], '{}'::text[]), \
             array(SELECT format_type(t, NULL) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS u(t, i) ORDER BY i), \
             array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = (SELECT typrelid FROM pg_type WHERE oid = p.prorettype) \
                   AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum), \
             format_type(p.prorettype, NULL), p.proretset \
             FROM pg_proc p WHERE p.oid = to_regproc($1)",
        )
        .await
        .map_err(|e| DbError::Catalog(with_causes(&e)))?;
    // to_regproc is NULL for a missing name and for an overloaded one: count to tell them apart.
    let count = client
        .prepare(
            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE p.proname = $1 AND (CASE WHEN $2::text IS NULL THEN pg_function_is_visible(p.oid) ELSE n.nspname = $2 END)",
        )
        .await
        .map_err(|e| DbError::Catalog(with_causes(&e)))?;
    for f in functions {
        let row = client
            .query_opt(&stmt, &[&f.quoted])
            .await
            .map_err(|e| DbError::Catalog(with_causes(&e)))?;
        let sig = match row {
            Some(r) => Some(signature(&r)),
            None => {
                let bare = f.name.rsplit('.').next().unwrap_or(&f.name).to_owned();
                let n: i64 = client
                    .query_one(&count, &[&bare, &f.schema])
                    .await
                    .map(|r| r.get(0))
                    .map_err(|e| DbError::Catalog(with_causes(&e)))?;
                (n > 1).then(|| FunctionSignature {
                    inputs: Vec::new(),
                    result_columns: Vec::new(),
                    result_type: String::new(),
                    returns_set: false,
                    overloads: usize::try_from(n).unwrap_or(usize::MAX),
                })
            }
        };
        out.insert(f.quoted.clone(), sig);
    }
    Ok(out)
}

/// A function's signature from its catalog row.
fn signature(r: &tokio_postgres::Row) -> FunctionSignature {
    let names: Vec<String> = r.get(0);
    let modes: Vec<String> = r.get(1);
    let types: Vec<String> = r.get(2);
    let composite: Vec<String> = r.get(3);
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for (i, ty) in types.iter().enumerate() {
        let name = names.get(i).cloned().unwrap_or_default();
        match modes.get(i).map(String::as_str) {
            Some("o" | "t") => outputs.push(name),
            Some("b") => {
                outputs.push(name.clone());
                inputs.push((name, ty.clone()));
            }
            _ => inputs.push((name, ty.clone())),
        }
    }
    FunctionSignature {
        inputs,
        result_columns: if composite.is_empty() {
            outputs
        } else {
            composite
        },
        result_type: r.get(4),
        returns_set: r.get(5),
        overloads: 1,
    }
}

/// A pooled connection for start-up work; the error names the server.
async fn connect(pool: &Pool, target: &str) -> Result<deadpool_postgres::Object, DbError> {
    pool.get().await.map_err(|e| DbError::Connect {
        target: target.to_owned(),
        message: pool_error_message(&e),
    })
}

fn pool_error_message(e: &deadpool_postgres::PoolError) -> String {
    match e {
        deadpool_postgres::PoolError::Timeout(_) => "timed out".into(),
        deadpool_postgres::PoolError::Backend(b) => with_causes(b),
        other => other.to_string(),
    }
}

/// An error and its causes, e.g. "error connecting to server: Connection refused".
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The parameters of a statement, context values filled from the request.
/// A statement that needs a context value the request lacks does not run.
fn bind_params<'q>(
    query: &'q SqlQuery,
    scope: &'q Scope<'q>,
) -> Result<Vec<&'q (dyn ToSql + Sync)>, GqlError> {
    query
        .params
        .iter()
        .map(|p| {
            Ok(match p {
                Param::Text(s) => s as &(dyn ToSql + Sync),
                Param::TextArray(v) => v as &(dyn ToSql + Sync),
                Param::Int(i) => i as &(dyn ToSql + Sync),
                Param::Slot(i) => match scope.slots.get(*i) {
                    Some(v) => v as &(dyn ToSql + Sync),
                    None => {
                        return Err(GqlError::new(
                            codes::INTERNAL,
                            format!("No value for the plan's variable slot {i}."),
                        ));
                    }
                },
                Param::Context(key) => match scope.context.values.get(key) {
                    Some(v) => v as &(dyn ToSql + Sync),
                    None => {
                        return Err(GqlError::new(
                            codes::FORBIDDEN,
                            format!(
                                "This data is scoped by `{key}`, and the request's credentials carry none."
                            ),
                        ));
                    }
                },
            })
        })
        .collect()
}

/// What a statement runs with besides its own parameters: the request context (for
/// context parameters) and the transaction-local settings (for row-level security).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub context: &'a fraiseql_core::plan::RequestContext,
    /// `(setting name, value)` pairs, set with `set_config(name, value, true)`.
    pub settings: &'a [(String, String)],
    /// The request's values for a shared plan's `Param::Slot`s.
    pub slots: &'a [String],
}

/// `SELECT set_config($1, $2, true), ...` for `n` settings: one cached statement per count.
fn set_config_sql(n: usize) -> String {
    let calls: Vec<String> = (0..n)
        .map(|i| format!("set_config(${}, ${}, true)", 2 * i + 1, 2 * i + 2))
        .collect();
    format!("SELECT {}", calls.join(", "))
}

/// Runs one prepared statement. With settings, the statement runs inside
/// `BEGIN; SELECT set_config($1, $2, true), ...; <statement>; COMMIT`, the four
/// messages pipelined in one round trip (every value a bound parameter). Every
/// message is queued on the first poll, so even a cancelled request leaves no open
/// transaction (and no setting) on the pooled connection. An error in the statement
/// makes the COMMIT a rollback.
/// How a statement is run: prepared once per connection (PostgreSQL may settle on a
/// generic plan), or unnamed with typed parameters in the same single round trip, so it is
/// planned with each request's values (`SqlQuery::custom_plan`).
enum Stmt<'a> {
    Prepared(tokio_postgres::Statement),
    Unnamed(&'a SqlQuery),
}

/// The PostgreSQL type each parameter is sent as (the SQL casts it to the same type).
fn param_type(p: &Param) -> tokio_postgres::types::Type {
    use tokio_postgres::types::Type;
    match p {
        Param::TextArray(_) => Type::TEXT_ARRAY,
        Param::Int(_) => Type::INT8,
        Param::Text(_) | Param::Context(_) | Param::Slot(_) => Type::TEXT,
    }
}

async fn query_stmt(
    client: &deadpool_postgres::Client,
    stmt: &Stmt<'_>,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<tokio_postgres::Row>, tokio_postgres::Error> {
    match stmt {
        Stmt::Prepared(s) => client.query_opt(s, params).await,
        Stmt::Unnamed(q) => {
            let typed: Vec<(&(dyn ToSql + Sync), tokio_postgres::types::Type)> = params
                .iter()
                .zip(&q.params)
                .map(|(v, p)| (*v, param_type(p)))
                .collect();
            Ok(client.query_typed(&q.sql, &typed).await?.into_iter().next())
        }
    }
}

async fn prepare_stmt<'q>(
    client: &deadpool_postgres::Client,
    query: &'q SqlQuery,
) -> Result<Stmt<'q>, (tokio_postgres::Error, Stage)> {
    if query.custom_plan {
        return Ok(Stmt::Unnamed(query));
    }
    client
        .prepare_cached(&query.sql)
        .await
        .map(Stmt::Prepared)
        .map_err(|e| (e, Stage::Prepare))
}

async fn query_scoped(
    client: &deadpool_postgres::Client,
    stmt: &Stmt<'_>,
    params: &[&(dyn ToSql + Sync)],
    settings: &[(String, String)],
) -> Result<Option<tokio_postgres::Row>, (tokio_postgres::Error, Stage)> {
    if settings.is_empty() {
        return query_stmt(client, stmt, params)
            .await
            .map_err(|e| (e, Stage::Execute));
    }
    let set = client
        .prepare_cached(&set_config_sql(settings.len()))
        .await
        .map_err(|e| (e, Stage::Prepare))?;
    let set_params: Vec<&(dyn ToSql + Sync)> = settings
        .iter()
        .flat_map(|(k, v)| [k as &(dyn ToSql + Sync), v as &(dyn ToSql + Sync)])
        .collect();
    let (begin, set, row, commit) = futures::join!(
        client.batch_execute("BEGIN"),
        client.query_one(&set, &set_params),
        query_stmt(client, stmt, params),
        client.batch_execute("COMMIT"),
    );
    begin.map_err(|e| (e, Stage::Execute))?;
    set.map_err(|e| (e, Stage::Execute))?;
    let row = row.map_err(|e| (e, Stage::Execute))?;
    commit.map_err(|e| (e, Stage::Execute))?;
    Ok(row)
}

/// Runs one planned statement; returns its text value or `None` when it returned no row.
pub async fn run(
    pool: &Pool,
    query: &SqlQuery,
    scope: Scope<'_>,
    dev: bool,
) -> Result<Option<String>, GqlError> {
    let params = bind_params(query, &scope)?;
    // A connection broken by a database restart is noticed on use: retry once on a fresh one.
    for attempt in 0..2 {
        let client = pool.get().await.map_err(|e| unavailable(&e, dev))?;
        let result = match prepare_stmt(&client, query).await {
            Ok(stmt) => query_scoped(&client, &stmt, &params, scope.settings).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(row) => return Ok(row.and_then(|r| r.get::<_, Option<String>>(0))),
            Err((e, _)) if attempt == 0 && client.is_closed() => {
                tracing::warn!(error = %e, "connection lost, retrying on a new one");
                drop(deadpool_postgres::Object::take(client));
                continue;
            }
            Err((e, stage)) => return Err(statement_error(&e, stage, dev)),
        }
    }
    Err(GqlError::new(
        codes::DATABASE_UNAVAILABLE,
        "The database is unavailable.",
    ))
}

/// Runs one mutation. Its single statement is its own transaction (autocommit, or
/// the pipelined BEGIN/COMMIT when settings apply): an exception raised in the
/// function rolls back everything the call wrote, and becomes the error member of
/// the result union. One round trip.
pub async fn run_mutation(
    pool: &Pool,
    query: &SqlQuery,
    template: &fraiseql_core::sql::mutation::ErrorTemplate,
    scope: Scope<'_>,
    dev: bool,
) -> Result<Option<String>, GqlError> {
    let params = bind_params(query, &scope)?;
    let client = pool.get().await.map_err(|e| unavailable(&e, dev))?;
    let stmt = prepare_stmt(&client, query)
        .await
        .map_err(|(e, stage)| statement_error(&e, stage, dev))?;
    match query_scoped(&client, &stmt, &params, scope.settings).await {
        Ok(row) => Ok(row.and_then(|r| r.get::<_, Option<String>>(0))),
        Err((e, stage)) => {
            let Some(db) = e.as_db_error() else {
                return Err(statement_error(&e, stage, dev));
            };
            let (code, message) = exception(db, dev);
            tracing::warn!(sqlstate = db.code().code(), error = %db.message(), "mutation function raised");
            Ok(Some(template.render(
                code,
                &format!("failed:{}", db.code().code()),
                &message,
            )))
        }
    }
}

/// A stable code and a client-safe message for an exception raised in a mutation function.
fn exception(db: &tokio_postgres::error::DbError, dev: bool) -> (&'static str, String) {
    let state = db.code().code();
    let (code, generic) = match state {
        "23505" | "23P01" | "40001" | "40P01" => {
            ("CONFLICT", "The change conflicts with existing data.")
        }
        "23503" => (
            "CONFLICT",
            "The change refers to data that does not exist or is still referenced.",
        ),
        "23502" | "23514" => (
            "VALIDATION",
            "A value was rejected by a database constraint.",
        ),
        "42501" => ("FORBIDDEN", "The database refused the change."),
        "57014" => ("TIMEOUT", "The change took too long and was cancelled."),
        "P0001" => ("FAILED", ""),
        s if s.starts_with("22") => ("VALIDATION", "A value was rejected by the database."),
        _ => (
            "DATABASE_ERROR",
            "A database error occurred; nothing was written.",
        ),
    };
    // RAISE EXCEPTION messages are written by the function's author for its callers.
    let message = if state == "P0001" || dev {
        db.message().to_owned()
    } else {
        generic.to_owned()
    };
    (code, message)
}

fn unavailable(e: &deadpool_postgres::PoolError, dev: bool) -> GqlError {
    tracing::error!(error = %e, "database unavailable");
    let mut message = "The database is unavailable; try again shortly.".to_owned();
    if dev {
        message.push_str(&format!(" ({})", pool_error_message(e)));
    }
    GqlError::new(codes::DATABASE_UNAVAILABLE, message)
}

/// Where a statement failed: a prepared statement that fails to execute with a
/// syntax error can only have met a bound value it cannot parse (ltree, lquery, tsquery).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Prepare,
    Execute,
}

/// SQLSTATEs that, raised while executing a statement that prepared fine, can only come
/// from a bound value: syntax (ltree, lquery, tsquery), names too long (ltree labels),
/// program limits (too many labels, regex or tsquery too deep).
const VALUE_STATES: &[&str] = &["42601", "42622", "54000", "54001"];

/// Maps a statement error: bad values from the client are BAD_USER_INPUT with
/// PostgreSQL's message; anything else is hidden unless in dev mode.
fn statement_error(e: &tokio_postgres::Error, stage: Stage, dev: bool) -> GqlError {
    let Some(db) = e.as_db_error() else {
        tracing::error!(error = %e, "database connection error");
        return GqlError::new(
            codes::DATABASE_UNAVAILABLE,
            "The database is unavailable; try again shortly.",
        );
    };
    let code = db.code().code();
    let client_value = code.starts_with("22")
        || (stage == Stage::Execute
            && (VALUE_STATES.contains(&code)
                || (code == "XX000" && db.message().contains("tsquery"))));
    if client_value {
        return GqlError::new(
            codes::BAD_USER_INPUT,
            format!("Invalid value: {}", db.message()),
        );
    }
    if code == "57014" {
        return GqlError::new(
            codes::TIMEOUT,
            "The statement took too long and was cancelled.",
        );
    }
    tracing::error!(sqlstate = code, error = %db.message(), "statement failed");
    let mut message = "A database error occurred.".to_owned();
    if dev {
        message = format!("Database error {code}: {}", db.message());
    }
    GqlError::new(codes::DATABASE_ERROR, message)
}
