//! Configuration: `fraiseql.toml`, then `FRAISEQL_*` environment variables and
//! `DATABASE_URL`, then command-line flags. Unknown keys are errors.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A configuration problem, naming the key and where it came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    #[error("{0}")]
    Invalid(String),
}

/// The whole configuration, as read from TOML.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub schema: SchemaConfig,
    pub query: QueryConfig,
    pub mutations: MutationsConfig,
    pub cache: CacheConfig,
    pub auth: fraiseql_auth::AuthConfig,
}

/// `[cache]`: the result cache of query responses (off by default).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Keep query responses and answer identical requests from memory.
    pub enabled: bool,
    /// How long a response is kept, in ms: the most a write made elsewhere can go unseen.
    pub ttl_ms: u64,
    /// Responses kept at most; the least used go first.
    pub max_entries: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            enabled: false,
            ttl_ms: 1_000,
            max_entries: 10_000,
        }
    }
}

/// `[mutations]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MutationsConfig {
    /// Function parameters filled from the request context, by parameter name.
    pub context_params: Vec<String>,
    /// Dev mode only, until authentication provides them: the request headers that carry
    /// context values (context key → header name).
    pub dev_context_headers: std::collections::BTreeMap<String, String>,
}

impl Default for MutationsConfig {
    fn default() -> Self {
        MutationsConfig {
            // The two values every multi-user deployment has.
            context_params: fraiseql_core::EngineOptions::default().context_params,
            dev_context_headers: [("user_id", "x-user-id"), ("tenant_id", "x-tenant-id")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on. Loopback by default: exposing the API is a deliberate choice.
    pub listen: SocketAddr,
    /// Dev mode: GraphiQL on, database error details in responses.
    pub dev: bool,
    /// Serve GraphiQL on `GET /graphql` to browsers. Unset: on in dev mode, off otherwise.
    pub graphiql: Option<bool>,
    /// Largest request body accepted, in bytes (1 MiB: generous for any query document).
    pub max_body_bytes: usize,
    /// Most operations in one batched request (a JSON array); 0 disables batching.
    pub max_batch: usize,
    /// Time allowed for one whole request, in milliseconds.
    pub request_timeout_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            dev: false,
            graphiql: None,
            max_body_bytes: 1024 * 1024,
            max_batch: 10,
            request_timeout_ms: 30_000,
        }
    }
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// PostgreSQL URL; `DATABASE_URL` overrides it. No default: a server must be told.
    pub url: Option<String>,
    /// Connections in the pool. Twice the cores of a small machine keeps PostgreSQL busy without thrashing.
    pub pool_size: usize,
    /// Time to open a connection before giving up, in ms: short, so an outage fails fast.
    pub connect_timeout_ms: u64,
    /// Time to wait for a free pooled connection, in ms.
    pub acquire_timeout_ms: u64,
    /// PostgreSQL `statement_timeout` for every statement, in ms (0: none).
    pub statement_timeout_ms: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            pool_size: 8,
            connect_timeout_ms: 2_000,
            acquire_timeout_ms: 2_000,
            statement_timeout_ms: 10_000,
        }
    }
}

/// `[schema]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchemaConfig {
    /// SDL files (or directories of `.graphql` files), relative to the config file.
    pub paths: Vec<PathBuf>,
    /// Map camelCase field names to snake_case JSON keys.
    pub snake_case_keys: bool,
}

impl Default for SchemaConfig {
    fn default() -> Self {
        SchemaConfig {
            paths: vec![PathBuf::from("schema.graphql")],
            snake_case_keys: true,
        }
    }
}

/// `[query]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueryConfig {
    /// Rows a list returns when the request gives no `limit`.
    pub default_limit: i64,
    /// Largest `limit`/`first`/`last` accepted.
    pub max_limit: i64,
    /// Plans kept in the plan cache.
    pub plan_cache_capacity: u64,
    /// Allow `__schema`/`__type`. Unset: on in dev mode, off otherwise.
    pub introspection: Option<bool>,
}

impl Default for QueryConfig {
    fn default() -> Self {
        let d = fraiseql_core::EngineOptions::default();
        QueryConfig {
            default_limit: d.default_limit,
            max_limit: d.max_limit,
            plan_cache_capacity: d.plan_cache_capacity,
            introspection: None,
        }
    }
}

/// The environment variables read, each with the key it sets.
pub const ENV_KEYS: &[(&str, &str)] = &[
    ("FRAISEQL_LISTEN", "server.listen"),
    ("FRAISEQL_DEV", "server.dev"),
    ("FRAISEQL_GRAPHIQL", "server.graphiql"),
    ("FRAISEQL_MAX_BODY_BYTES", "server.max_body_bytes"),
    ("FRAISEQL_MAX_BATCH", "server.max_batch"),
    ("FRAISEQL_REQUEST_TIMEOUT_MS", "server.request_timeout_ms"),
    ("FRAISEQL_DATABASE_URL", "database.url"),
    ("FRAISEQL_POOL_SIZE", "database.pool_size"),
    ("FRAISEQL_CONNECT_TIMEOUT_MS", "database.connect_timeout_ms"),
    ("FRAISEQL_ACQUIRE_TIMEOUT_MS", "database.acquire_timeout_ms"),
    (
        "FRAISEQL_STATEMENT_TIMEOUT_MS",
        "database.statement_timeout_ms",
    ),
    ("FRAISEQL_SCHEMA", "schema.paths"),
    ("FRAISEQL_SNAKE_CASE_KEYS", "schema.snake_case_keys"),
    ("FRAISEQL_DEFAULT_LIMIT", "query.default_limit"),
    ("FRAISEQL_MAX_LIMIT", "query.max_limit"),
    ("FRAISEQL_PLAN_CACHE_CAPACITY", "query.plan_cache_capacity"),
    ("FRAISEQL_INTROSPECTION", "query.introspection"),
    ("FRAISEQL_CONTEXT_PARAMS", "mutations.context_params"),
    (
        "FRAISEQL_DEV_CONTEXT_HEADERS",
        "mutations.dev_context_headers",
    ),
    ("FRAISEQL_CACHE_ENABLED", "cache.enabled"),
    ("FRAISEQL_CACHE_TTL_MS", "cache.ttl_ms"),
    ("FRAISEQL_CACHE_MAX_ENTRIES", "cache.max_entries"),
    ("FRAISEQL_AUTH_REQUIRED", "auth.required"),
    ("FRAISEQL_AUTH_ANONYMOUS_ROLE", "auth.anonymous_role"),
    ("FRAISEQL_AUTH_COOKIE", "auth.cookie"),
    ("FRAISEQL_AUTH_REALM", "auth.realm"),
    ("FRAISEQL_AUTH_ISSUERS", "auth.issuers"),
    ("FRAISEQL_AUTH_AUDIENCES", "auth.audiences"),
    ("FRAISEQL_AUTH_LEEWAY_S", "auth.leeway_s"),
    ("FRAISEQL_AUTH_REQUIRE_EXP", "auth.require_exp"),
    ("FRAISEQL_AUTH_JWKS_URL", "auth.jwks.url"),
];

/// Variables named `FRAISEQL_*` that are not settings (the CLI's own, test and tooling knobs).
const ENV_IGNORED: &[&str] = &[
    "FRAISEQL_CONFIG",
    "FRAISEQL_LOG",
    "FRAISEQL_PG_BINDIR",
    "FRAISEQL_PG_USER",
    "FRAISEQL_TEST_DATABASE_URL",
];

impl Config {
    /// Reads a TOML file; relative schema paths are resolved against its folder.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            file: file.clone(),
            message: format!("cannot read: {e}"),
        })?;
        let mut config = Config::from_toml(&text, &file)?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.schema.paths = config.schema.paths.iter().map(|p| base.join(p)).collect();
        Ok(config)
    }

    /// Parses TOML text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::File {
            file: file.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })
    }

    /// Applies `FRAISEQL_*` variables and `DATABASE_URL` from `vars`.
    pub fn apply_env(
        &mut self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        // DATABASE_URL first, so that FRAISEQL_DATABASE_URL wins whatever the order.
        let mut vars: Vec<(String, String)> = vars.into_iter().collect();
        vars.sort_by_key(|(var, _)| var != "DATABASE_URL");
        for (var, value) in vars {
            if var == "DATABASE_URL" {
                self.database.url = Some(value);
                continue;
            }
            if !var.starts_with("FRAISEQL_") || ENV_IGNORED.contains(&var.as_str()) {
                continue;
            }
            let Some((_, key)) = ENV_KEYS.iter().find(|(v, _)| *v == var) else {
                return Err(ConfigError::Env {
                    var,
                    message: "unknown setting (see docs/configuration.md for the list)".into(),
                });
            };
            self.set(key, &value).map_err(|message| ConfigError::Env {
                var: var.clone(),
                message,
            })?;
        }
        Ok(())
    }

    /// Sets one key from its text form (environment variables and flags).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        fn parse<T: std::str::FromStr>(v: &str) -> Result<T, String>
        where
            T::Err: std::fmt::Display,
        {
            v.trim()
                .parse()
                .map_err(|e| format!("invalid value {v:?}: {e}"))
        }
        fn list(v: &str) -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        }
        match key {
            "server.listen" => self.server.listen = parse(value)?,
            "server.dev" => self.server.dev = parse(value)?,
            "server.graphiql" => self.server.graphiql = Some(parse(value)?),
            "server.max_body_bytes" => self.server.max_body_bytes = parse(value)?,
            "server.max_batch" => self.server.max_batch = parse(value)?,
            "server.request_timeout_ms" => self.server.request_timeout_ms = parse(value)?,
            "database.url" => self.database.url = Some(value.to_owned()),
            "database.pool_size" => self.database.pool_size = parse(value)?,
            "database.connect_timeout_ms" => self.database.connect_timeout_ms = parse(value)?,
            "database.acquire_timeout_ms" => self.database.acquire_timeout_ms = parse(value)?,
            "database.statement_timeout_ms" => self.database.statement_timeout_ms = parse(value)?,
            "schema.paths" => {
                self.schema.paths = value.split(',').map(|s| PathBuf::from(s.trim())).collect()
            }
            "schema.snake_case_keys" => self.schema.snake_case_keys = parse(value)?,
            "query.default_limit" => self.query.default_limit = parse(value)?,
            "query.max_limit" => self.query.max_limit = parse(value)?,
            "query.plan_cache_capacity" => self.query.plan_cache_capacity = parse(value)?,
            "query.introspection" => self.query.introspection = Some(parse(value)?),
            "mutations.context_params" => {
                self.mutations.context_params = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "mutations.dev_context_headers" => {
                let mut map = std::collections::BTreeMap::new();
                for pair in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let (k, v) = pair
                        .split_once('=')
                        .ok_or_else(|| format!("expected key=header pairs, got {pair:?}"))?;
                    map.insert(k.trim().to_owned(), v.trim().to_owned());
                }
                self.mutations.dev_context_headers = map;
            }
            "cache.enabled" => self.cache.enabled = parse(value)?,
            "cache.ttl_ms" => self.cache.ttl_ms = parse(value)?,
            "cache.max_entries" => self.cache.max_entries = parse(value)?,
            "auth.required" => self.auth.required = parse(value)?,
            "auth.anonymous_role" => self.auth.anonymous_role = value.to_owned(),
            "auth.cookie" => self.auth.cookie = Some(value.to_owned()),
            "auth.realm" => self.auth.realm = value.to_owned(),
            "auth.issuers" => self.auth.issuers = list(value),
            "auth.audiences" => self.auth.audiences = list(value),
            "auth.leeway_s" => self.auth.leeway_s = parse(value)?,
            "auth.require_exp" => self.auth.require_exp = parse(value)?,
            "auth.jwks.url" => {
                self.auth.jwks.get_or_insert_with(Default::default).url = Some(value.to_owned())
            }
            _ => return Err(format!("unknown key {key}")),
        }
        Ok(())
    }

    /// Checks the values and resolves the defaults that depend on dev mode.
    pub fn validate(self) -> Result<Settings, ConfigError> {
        let invalid = |m: String| Err(ConfigError::Invalid(m));
        let Some(url) = self.database.url.clone() else {
            return invalid(
                "no database: set DATABASE_URL, database.url in fraiseql.toml, or --database-url"
                    .into(),
            );
        };
        if self.database.pool_size == 0 {
            return invalid("database.pool_size must be at least 1".into());
        }
        if self.query.default_limit < 0
            || self.query.max_limit < 1
            || self.query.default_limit > self.query.max_limit
        {
            return invalid(format!(
                "query.default_limit ({}) must be between 0 and query.max_limit ({}), and max_limit at least 1",
                self.query.default_limit, self.query.max_limit
            ));
        }
        if self.cache.enabled && self.cache.ttl_ms == 0 {
            return invalid("cache.ttl_ms must be at least 1 when cache.enabled is true".into());
        }
        if self.cache.enabled && self.cache.max_entries == 0 {
            return invalid(
                "cache.max_entries must be at least 1 when cache.enabled is true".into(),
            );
        }
        if self.schema.paths.is_empty() {
            return invalid("schema.paths is empty: name at least one .graphql file".into());
        }
        for setting in self.auth.session_variables.keys() {
            let ok = setting.contains('.')
                && !setting.starts_with('.')
                && !setting.ends_with('.')
                && setting
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if !ok {
                return invalid(format!(
                    "auth.session_variables: {setting:?} is not a custom setting name: use a prefix and a dot, e.g. \"app.tenant_id\""
                ));
            }
        }
        if self.auth.required && !self.auth.enabled() {
            return invalid(
                "auth.required is true but no key source is set: add [[auth.keys]] or [auth.jwks]"
                    .into(),
            );
        }
        let dev = self.server.dev;
        Ok(Settings {
            database_url: url,
            graphiql: self.server.graphiql.unwrap_or(dev),
            engine: fraiseql_core::EngineOptions {
                default_limit: self.query.default_limit,
                max_limit: self.query.max_limit,
                plan_cache_capacity: self.query.plan_cache_capacity,
                introspection: self.query.introspection.unwrap_or(dev),
                context_params: self.mutations.context_params.clone(),
                tenant: self
                    .auth
                    .tenant
                    .as_ref()
                    .map(|t| (t.column.clone(), t.context.clone())),
            },
            request_timeout: Duration::from_millis(self.server.request_timeout_ms),
            config: self,
        })
    }
}

/// Validated settings: what the server runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    pub database_url: String,
    pub graphiql: bool,
    pub engine: fraiseql_core::EngineOptions,
    pub request_timeout: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented reference file, every key at its default.
    const REFERENCE: &str = include_str!("../../../docs/fraiseql.reference.toml");
    const REFERENCE_NAME: &str = "docs/fraiseql.reference.toml";

    #[test]
    fn reference_toml_parses_and_holds_the_defaults() {
        let parsed = Config::from_toml(REFERENCE, REFERENCE_NAME).expect("reference parses");
        let d = Config::default();

        assert_eq!(parsed.server.listen, d.server.listen);
        assert_eq!(parsed.server.dev, d.server.dev);
        assert_eq!(parsed.server.graphiql, d.server.graphiql);
        assert_eq!(parsed.server.max_body_bytes, d.server.max_body_bytes);
        assert_eq!(parsed.server.max_batch, d.server.max_batch);
        assert_eq!(
            parsed.server.request_timeout_ms,
            d.server.request_timeout_ms
        );

        assert_eq!(parsed.mutations.context_params, d.mutations.context_params);
        assert_eq!(
            parsed.mutations.dev_context_headers,
            d.mutations.dev_context_headers
        );

        assert_eq!(parsed.database.url, d.database.url);
        assert_eq!(parsed.database.pool_size, d.database.pool_size);
        assert_eq!(
            parsed.database.connect_timeout_ms,
            d.database.connect_timeout_ms
        );
        assert_eq!(
            parsed.database.acquire_timeout_ms,
            d.database.acquire_timeout_ms
        );
        assert_eq!(
            parsed.database.statement_timeout_ms,
            d.database.statement_timeout_ms
        );

        assert_eq!(parsed.schema.paths, d.schema.paths);
        assert_eq!(parsed.schema.snake_case_keys, d.schema.snake_case_keys);

        assert_eq!(parsed.query.default_limit, d.query.default_limit);
        assert_eq!(parsed.query.max_limit, d.query.max_limit);
        assert_eq!(
            parsed.query.plan_cache_capacity,
            d.query.plan_cache_capacity
        );
        assert_eq!(parsed.query.introspection, d.query.introspection);

        assert_eq!(parsed.cache.enabled, d.cache.enabled);
        assert_eq!(parsed.cache.ttl_ms, d.cache.ttl_ms);
        assert_eq!(parsed.cache.max_entries, d.cache.max_entries);
    }

    /// The settings without a default value are in the file, commented out;
    /// uncommented, the file must still parse and set them.
    #[test]
    fn reference_toml_optional_keys_parse_when_uncommented() {
        let text = REFERENCE
            .replace("# graphiql = false", "graphiql = false")
            .replace(
                "# url = \"postgres://user:password@localhost:5432/app\"",
                "url = \"postgres://user:password@localhost:5432/app\"",
            )
            .replace("# introspection = false", "introspection = false");
        let parsed =
            Config::from_toml(&text, REFERENCE_NAME).expect("uncommented reference parses");
        assert_eq!(parsed.server.graphiql, Some(false));
        assert_eq!(
            parsed.database.url.as_deref(),
            Some("postgres://user:password@localhost:5432/app")
        );
        assert_eq!(parsed.query.introspection, Some(false));
    }

    /// Every key that can be set (the ENV_KEYS table names them all) appears
    /// in the reference file under its section, set or commented out.
    #[test]
    fn reference_toml_lists_every_key() {
        let mut section = "";
        let mut listed = Vec::new();
        for line in REFERENCE.lines() {
            let line = line.trim();
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.trim_matches(|c| c == '[' || c == ']');
                continue;
            }
            // Sub-tables of [auth] hold lists and maps: set in the file only, except the
            // JWKS URL, which has a variable.
            if section.starts_with("auth.") && !line.contains("url = ") {
                continue;
            }
            // Maps under [auth] are file-only too.
            if section == "auth" && line.contains("= {") {
                continue;
            }
            let setting = line.strip_prefix("# ").unwrap_or(line);
            if let Some((key, _)) = setting.split_once(" = ")
                && !key.is_empty()
                && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            {
                listed.push(format!("{section}.{key}"));
            }
        }
        for (var, key) in ENV_KEYS {
            assert!(
                listed.iter().any(|l| l == key),
                "{key} (set by {var}) is missing from {REFERENCE_NAME}"
            );
        }
        for key in &listed {
            assert!(
                ENV_KEYS.iter().any(|(_, k)| k == key),
                "{REFERENCE_NAME} lists {key}, which is not a setting"
            );
        }
    }

    #[test]
    fn an_enabled_cache_needs_a_ttl_and_room() {
        let check = |ttl_ms: u64, max_entries: u64| {
            let mut c = Config::default();
            c.database.url = Some("postgres://localhost/x".into());
            c.cache.enabled = true;
            c.cache.ttl_ms = ttl_ms;
            c.cache.max_entries = max_entries;
            c.validate().err().map(|e| e.to_string())
        };
        assert_eq!(check(1000, 10), None);
        let ttl = check(0, 10).expect("ttl 0 refused");
        assert!(ttl.contains("cache.ttl_ms must be at least 1"), "{ttl}");
        let room = check(1000, 0).expect("max_entries 0 refused");
        assert!(
            room.contains("cache.max_entries must be at least 1"),
            "{room}"
        );
    }

    #[test]
    fn unknown_key_names_the_key_and_the_file() {
        let err = Config::from_toml("[server]\nlisen = \"0.0.0.0:8080\"\n", "/etc/fraiseql.toml")
            .expect_err("unknown key is an error");
        let message = err.to_string();
        assert!(message.contains("lisen"), "key not named: {message}");
        assert!(
            message.starts_with("/etc/fraiseql.toml: "),
            "file not named: {message}"
        );

        let err = Config::from_toml("[caches]\nsize = 1\n", "fraiseql.toml")
            .expect_err("unknown section is an error");
        let message = err.to_string();
        assert!(message.contains("caches"), "section not named: {message}");
        assert!(
            message.starts_with("fraiseql.toml: "),
            "file not named: {message}"
        );
    }
}
