//! Executes a GraphQL request: prepare (cached), plan, run each root field's
//! statement concurrently, assemble the body.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use apollo_compiler::executable::OperationType;

pub use apollo_compiler::response::{JsonMap, JsonValue};
use deadpool_postgres::Pool;
use fraiseql_core::error::codes;
use fraiseql_core::{Engine, GqlError, RequestFailure};

/// One GraphQL request, its parameters checked for type.
#[derive(Debug, Default)]
pub struct GraphQLRequest {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: JsonMap,
    /// Context values (user id, tenant id, ...) that mutations may pass to their functions.
    pub context: fraiseql_core::plan::RequestContext,
}

/// How the request ended, which decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Executed (possibly with field errors).
    Executed,
    /// A request error: no `data` key.
    RequestError,
    /// A mutation over GET.
    MethodNotAllowed,
    /// Nothing could be read because the database is unreachable.
    Unavailable,
}

/// A response body and how it ended.
#[derive(Debug)]
pub struct Response {
    pub body: String,
    pub outcome: Outcome,
}

/// The engine and the pool, shared by every request.
#[derive(Clone)]
pub struct Executor {
    pub engine: Arc<Engine>,
    pub pool: Pool,
    pub dev: bool,
    /// Context values set as transaction-local settings: (setting name, context key).
    pub session_variables: Arc<Vec<(String, String)>>,
    /// The result cache of query responses; `None` when `[cache]` is off.
    pub cache: Option<Arc<ResultCache>>,
}

/// Query responses kept for `ttl`, per request; emptied by every mutation run here.
pub struct ResultCache {
    entries: moka::sync::Cache<Arc<CacheKey>, Arc<str>>,
    /// Bumped by every mutation: a query that saw it change while running stores nothing.
    generation: AtomicU64,
}

/// Everything a query's response depends on, compared in full (a hash collision
/// can never hand one caller another's response).
#[derive(Hash, PartialEq, Eq)]
struct CacheKey {
    query: String,
    operation_name: Option<String>,
    /// The variables as given, serialized (key order included).
    variables: String,
    /// The context values, sorted by key.
    values: Vec<(String, String)>,
    roles: Vec<String>,
    permissions: Vec<String>,
}

impl CacheKey {
    fn new(req: &GraphQLRequest) -> CacheKey {
        let mut values: Vec<(String, String)> = req
            .context
            .values
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        values.sort_unstable();
        CacheKey {
            query: req.query.clone(),
            operation_name: req.operation_name.clone(),
            variables: serde_json::to_string(&req.variables).unwrap_or_default(),
            values,
            roles: req.context.roles.iter().cloned().collect(),
            permissions: req.context.permissions.iter().cloned().collect(),
        }
    }
}

impl ResultCache {
    pub fn new(ttl: Duration, max_entries: u64) -> ResultCache {
        ResultCache {
            entries: moka::sync::Cache::builder()
                .time_to_live(ttl)
                .max_capacity(max_entries)
                .build(),
            generation: AtomicU64::new(0),
        }
    }

    /// Forgets every response (after a mutation).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries.invalidate_all();
    }

    /// Responses currently kept (approximate until moka's pending work runs).
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Stores `body` unless a mutation ran since `generation` was read; checked again
    /// after the insert, so a mutation racing with it never leaves a stale entry.
    fn store(&self, key: CacheKey, body: &str, generation: u64) {
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        let key = Arc::new(key);
        self.entries.insert(Arc::clone(&key), Arc::from(body));
        if self.generation.load(Ordering::SeqCst) != generation {
            self.entries.invalidate(&key);
        }
    }
}

impl Executor {
    pub async fn execute(&self, req: GraphQLRequest, allow_mutation: bool) -> Response {
        let prepared =
            match self
                .engine
                .prepare(&req.query, req.operation_name.as_deref(), allow_mutation)
            {
                Ok(p) => p,
                Err(f) => return failure(f),
            };
        match (&self.cache, prepared.operation_type) {
            (Some(cache), OperationType::Query) => {
                let key = CacheKey::new(&req);
                if let Some(body) = cache.entries.get(&key) {
                    return Response {
                        body: String::from(&*body),
                        outcome: Outcome::Executed,
                    };
                }
                let generation = cache.generation.load(Ordering::SeqCst);
                let res = self.run(&prepared, &req).await;
                // A response with errors (a field's, the database's) is never kept.
                if res.outcome == Outcome::Executed && !res.body.starts_with("{\"errors\"") {
                    cache.store(key, &res.body, generation);
                }
                res
            }
            (Some(cache), OperationType::Mutation) => {
                let res = self.run(&prepared, &req).await;
                cache.clear();
                res
            }
            _ => self.run(&prepared, &req).await,
        }
    }

    /// Plans and runs a prepared request.
    async fn run(&self, prepared: &fraiseql_core::Prepared, req: &GraphQLRequest) -> Response {
        let (plan, slots) = match self
            .engine
            .plan_request(prepared, &req.variables, &req.context)
        {
            Ok(p) => p,
            Err(f) => return failure(f),
        };
        let settings = self.settings(&req.context);
        if settings.iter().any(|(_, v)| v.contains('\0')) {
            return failure(RequestFailure::Invalid(vec![GqlError::new(
                codes::BAD_REQUEST,
                "A context value from the request's credentials contains a NUL character.",
            )]));
        }
        let scope = crate::db::Scope {
            context: &req.context,
            settings: &settings,
            slots: &slots,
        };
        let outcomes = if plan.serial {
            self.run_serially(&plan, scope).await
        } else {
            match plan.queries().count() {
                0 => Vec::new(),
                1 => {
                    let q = plan.queries().next().expect("one query");
                    vec![crate::db::run(&self.pool, q, scope, self.dev).await]
                }
                _ => {
                    futures::future::join_all(
                        plan.queries()
                            .map(|q| crate::db::run(&self.pool, q, scope, self.dev)),
                    )
                    .await
                }
            }
        };
        let unavailable = !outcomes.is_empty()
            && outcomes
                .iter()
                .all(|o| matches!(o, Err(e) if e.code == codes::DATABASE_UNAVAILABLE));
        Response {
            body: fraiseql_core::response::assemble(&plan, outcomes),
            outcome: if unavailable {
                Outcome::Unavailable
            } else {
                Outcome::Executed
            },
        }
    }
}

impl Executor {
    /// The transaction-local settings of a request: each configured context value it has.
    pub fn settings(&self, context: &fraiseql_core::plan::RequestContext) -> Vec<(String, String)> {
        self.session_variables
            .iter()
            .filter_map(|(setting, key)| {
                context
                    .values
                    .get(key)
                    .map(|v| (setting.clone(), v.clone()))
            })
            .collect()
    }

    /// Mutation fields run one after another, each in its own transaction.
    async fn run_serially(
        &self,
        plan: &fraiseql_core::Plan,
        scope: crate::db::Scope<'_>,
    ) -> Vec<fraiseql_core::response::QueryOutcome> {
        let mut outcomes = Vec::new();
        for step in &plan.steps {
            if let fraiseql_core::Step::Query {
                query, mutation, ..
            } = step
            {
                let outcome = match mutation {
                    Some(template) => {
                        crate::db::run_mutation(&self.pool, query, template, scope, self.dev).await
                    }
                    None => crate::db::run(&self.pool, query, scope, self.dev).await,
                };
                outcomes.push(outcome);
            }
        }
        outcomes
    }
}

fn failure(f: RequestFailure) -> Response {
    match f {
        RequestFailure::Invalid(errors) => Response {
            body: fraiseql_core::response::request_errors(&errors),
            outcome: Outcome::RequestError,
        },
        RequestFailure::MutationOverGet => Response {
            body: fraiseql_core::response::request_errors(&[GqlError::new(
                codes::METHOD_NOT_ALLOWED,
                "Mutations cannot be sent with GET; use POST.",
            )]),
            outcome: Outcome::MethodNotAllowed,
        },
    }
}

/// Checks the parameters of a request object (`query`, `operationName`, `variables`, `extensions`).
pub fn request_from_json(value: JsonValue) -> Result<GraphQLRequest, String> {
    let JsonValue::Object(mut map) = value else {
        return Err(
            "The request body must be a JSON object (or an array of them for a batch).".into(),
        );
    };
    let query = match map.remove("query") {
        Some(JsonValue::String(s)) => s.as_str().to_owned(),
        None | Some(JsonValue::Null) => return Err("The request has no `query` string.".into()),
        Some(_) => return Err("`query` must be a string.".into()),
    };
    let operation_name = match map.remove("operationName") {
        // An empty name means none, as in a GET query string.
        Some(JsonValue::String(s)) if s.as_str().is_empty() => None,
        Some(JsonValue::String(s)) => Some(s.as_str().to_owned()),
        None | Some(JsonValue::Null) => None,
        Some(_) => return Err("`operationName` must be a string or null.".into()),
    };
    let variables = match map.remove("variables") {
        Some(JsonValue::Object(v)) => v,
        None | Some(JsonValue::Null) => JsonMap::new(),
        Some(_) => return Err("`variables` must be an object or null.".into()),
    };
    match map.remove("extensions") {
        None | Some(JsonValue::Null) | Some(JsonValue::Object(_)) => {}
        Some(_) => return Err("`extensions` must be an object or null.".into()),
    }
    Ok(GraphQLRequest {
        query,
        operation_name,
        variables,
        context: Default::default(),
    })
}
