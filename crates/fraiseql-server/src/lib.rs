//! FraiseQL's server: loads the schema and checks it against PostgreSQL, keeps
//! the connection pool, executes requests and serves them over HTTP.

pub mod auth;
pub mod config;
pub mod db;
pub mod exec;
pub mod graphiql;
pub mod http;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fraiseql_core::{CompiledSchema, Engine, SchemaOptions};

pub use config::{Config, Settings};
pub use exec::Executor;

/// Why the server could not start; each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("schema file {path}: {message}")]
    SchemaFile { path: String, message: String },
    #[error("the schema has problems:\n{0}")]
    Schema(fraiseql_core::SchemaError),
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error("auth: {0}")]
    Auth(String),
}

impl From<fraiseql_core::SchemaError> for StartupError {
    fn from(e: fraiseql_core::SchemaError) -> Self {
        StartupError::Schema(e)
    }
}

/// The SQL `fraiseql setup` installs: the mutation response types and helpers (idempotent).
pub const SETUP_SQL: &str = include_str!("../sql/setup.sql");

/// Everything `fraiseql setup` installs: [`SETUP_SQL`] and the auth tables
/// (revocations, roles), all idempotent.
pub fn setup_sql() -> String {
    format!("{SETUP_SQL}\n{}", fraiseql_auth::revocation::AUTH_SETUP_SQL)
}

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    pub executor: Executor,
    pub settings: Arc<Settings>,
    pub auth: Arc<auth::Authenticator>,
}

/// Reads SDL sources: files, or every `.graphql` file of a directory (sorted).
pub fn read_schema_sources(paths: &[PathBuf]) -> Result<Vec<(String, String)>, StartupError> {
    let mut files = Vec::new();
    for p in paths {
        let err = |e: std::io::Error| StartupError::SchemaFile {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(err)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension()
                        .is_some_and(|x| x == "graphql" || x == "graphqls")
                })
                .collect();
            entries.sort();
            files.extend(entries);
        } else {
            files.push(p.clone());
        }
    }
    files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .map(|text| (display(f), text))
                .map_err(|e| StartupError::SchemaFile {
                    path: f.display().to_string(),
                    message: e.to_string(),
                })
        })
        .collect()
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

/// Builds the schema from SDL sources (no database needed).
pub fn compile_schema(
    config: &Config,
    sources: &[(String, String)],
) -> Result<CompiledSchema, StartupError> {
    let options = SchemaOptions {
        snake_case_keys: config.schema.snake_case_keys,
    };
    Ok(CompiledSchema::build(sources, &options)?)
}

/// Compiles the configured schema files, connects, and checks every view against the database.
pub async fn start(settings: Settings) -> Result<AppState, StartupError> {
    let sources = read_schema_sources(&settings.config.schema.paths)?;
    start_with_sources(settings, &sources).await
}

/// As [`start`], with the SDL given as (path, text) sources.
pub async fn start_with_sources(
    settings: Settings,
    sources: &[(String, String)],
) -> Result<AppState, StartupError> {
    let mut schema = compile_schema(&settings.config, sources)?;
    let pool = db::pool(&settings.database_url, &settings.config.database)?;
    let target = settings
        .database_url
        .parse::<tokio_postgres::Config>()
        .map(|c| db::describe(&c))
        .unwrap_or_default();
    let catalog = db::catalog(&pool, &schema.views(), &target).await?;
    schema.bind(&catalog)?;
    let functions = db::function_catalog(&pool, &schema.functions(), &target).await?;
    schema.bind_functions(&functions, &settings.engine.context_params)?;
    let engine = Engine::new(Arc::new(schema), settings.engine.clone());
    // Context from headers is a dev-mode stand-in for tokens, never on otherwise.
    let dev_headers = if settings.config.server.dev {
        settings
            .config
            .mutations
            .dev_context_headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let auth = auth::Authenticator::new(
        &settings.config.auth,
        &pool,
        &settings.database_url,
        dev_headers,
    )
    .await
    .map_err(StartupError::Auth)?;
    let session_variables = settings
        .config
        .auth
        .session_variables
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(AppState {
        executor: Executor {
            engine: Arc::new(engine),
            pool,
            dev: settings.config.server.dev,
            session_variables: Arc::new(session_variables),
            cache: settings.config.cache.enabled.then(|| {
                Arc::new(exec::ResultCache::new(
                    std::time::Duration::from_millis(settings.config.cache.ttl_ms),
                    settings.config.cache.max_entries,
                ))
            }),
        },
        settings: Arc::new(settings),
        auth: Arc::new(auth),
    })
}

/// The application router (`oneshot`-testable).
pub fn app(state: AppState) -> axum::Router {
    http::router(state)
}

/// Serves until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}
