//! The request pipeline's pure stages: parse + validate (cached), plan (SQL per
//! root field, cached when the operation has no variables, shared with slots when its
//! variables only feed parameters: see `slots`), and response assembly.

pub mod collect;
mod inputs;
mod slots;

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Operation, OperationType};
use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;

use crate::error::{GqlError, codes};
use crate::schema::CompiledSchema;
use crate::shape::Shape;
use crate::sql::SqlQuery;
pub use crate::sql::mutation::RequestContext;
use crate::sql::select::Planner;
use collect::Ctx;

/// Planner options, from the server config.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Rows returned by a list (or connection) when the request gives no limit.
    pub default_limit: i64,
    /// The largest `limit`, `first` or `last` a request may ask for.
    pub max_limit: i64,
    /// Number of distinct (document, operation name) plans kept.
    pub plan_cache_capacity: u64,
    /// Whether `__schema` and `__type` may be queried.
    pub introspection: bool,
    /// Function parameters filled from the request context when a function declares them.
    pub context_params: Vec<String>,
    /// Tenant isolation: every read of a view with this column is filtered by the context
    /// value of this key (column, context key).
    pub tenant: Option<(String, String)>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            // A page that a client forgot to bound stays small.
            default_limit: 100,
            // Big enough for any screen, small enough to bound one response.
            max_limit: 1000,
            // Applications send a bounded set of documents; 1000 covers typical apps.
            plan_cache_capacity: 1000,
            introspection: true,
            // The context values every deployment has once auth is on.
            context_params: vec!["user_id".to_owned(), "tenant_id".to_owned()],
            tenant: None,
        }
    }
}

/// One root field's part of the response.
#[derive(Debug)]
pub enum Step {
    /// A value known at plan time (`__typename`, introspection), as JSON text.
    Value { key: String, json: String },
    /// A statement to run; its single text column is the value, no row means null.
    Query {
        key: String,
        query: SqlQuery,
        shape: Shape,
        /// For a mutation: how to write its error member when the function raises.
        mutation: Option<crate::sql::mutation::ErrorTemplate>,
    },
    /// A field error found while planning.
    Error {
        key: String,
        error: GqlError,
        non_null: bool,
    },
}

/// What one request executes.
#[derive(Debug)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Mutation fields: run one after another, each in its own transaction.
    pub serial: bool,
    /// An access rule was consulted: the plan holds for this request's roles only.
    pub guarded: bool,
}

impl Plan {
    /// The statements to run, in order.
    pub fn queries(&self) -> impl Iterator<Item = &SqlQuery> {
        self.steps.iter().filter_map(|s| match s {
            Step::Query { query, .. } => Some(query),
            _ => None,
        })
    }
}

/// A validated document and the selected operation, cached by document text and operation name.
#[derive(Debug)]
pub struct Prepared {
    document: Valid<ExecutableDocument>,
    text: String,
    operation_name: Option<String>,
    pub operation_type: OperationType,
    static_plan: Option<Arc<Plan>>,
    /// A plan shared by every request, its variables bound per request (see `slots`).
    shared_plan: Option<slots::SharedPlan>,
}

/// Why a request cannot run at all (no `data` in the response).
#[derive(Debug)]
pub enum RequestFailure {
    /// Parse, validation, operation selection or variable coercion errors.
    Invalid(Vec<GqlError>),
    /// A mutation was sent with GET.
    MutationOverGet,
}

/// The engine: a compiled schema, options and the plan cache.
pub struct Engine {
    pub schema: Arc<CompiledSchema>,
    pub options: EngineOptions,
    cache: moka::sync::Cache<u64, Arc<Prepared>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("options", &self.options)
            .finish()
    }
}

fn cache_key(text: &str, operation_name: Option<&str>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    operation_name.hash(&mut h);
    h.finish()
}

fn diagnostics(
    errors: &apollo_compiler::validation::DiagnosticList,
    code: &'static str,
) -> Vec<GqlError> {
    errors
        .iter()
        .map(|d| {
            let json = d.unstable_to_json_compat();
            GqlError {
                message: json.message,
                locations: json.locations.iter().map(|l| (l.line, l.column)).collect(),
                path: Vec::new(),
                code,
            }
        })
        .collect()
}

/// The location of the variable definition an error message names.
fn variable_location(
    prepared: &Prepared,
    operation: &Operation,
    message: &str,
) -> Option<(usize, usize)> {
    let vars = &operation.variables;
    // Named in the message; else the only variable; else the one whose input type is named
    // (errors inside an input object name the type, e.g. "input field RecordCallInput.n").
    let var = vars
        .iter()
        .find(|v| {
            message.contains(&format!("variable {}:", v.name))
                || message.contains(&format!("variable {} ", v.name))
                || message.contains(&format!("variable '{}'", v.name))
        })
        .or_else(|| (vars.len() == 1).then(|| &vars[0]))
        .or_else(|| {
            vars.iter().find(|v| {
                let t = v.ty.inner_named_type().as_str();
                message.contains(&format!(" {t}.")) || message.contains(&format!(" {t} "))
            })
        })?;
    let lc = var.location()?.line_column(&prepared.document.sources)?;
    Some((lc.line, lc.column))
}

impl Engine {
    pub fn new(schema: Arc<CompiledSchema>, options: EngineOptions) -> Self {
        let cache = moka::sync::Cache::new(options.plan_cache_capacity);
        Engine {
            schema,
            options,
            cache,
        }
    }

    /// Parses and validates a document (or takes it from the cache) and selects the operation.
    pub fn prepare(
        &self,
        text: &str,
        operation_name: Option<&str>,
        allow_mutation: bool,
    ) -> Result<Arc<Prepared>, RequestFailure> {
        let key = cache_key(text, operation_name);
        if let Some(p) = self.cache.get(&key)
            && p.text == text
            && p.operation_name.as_deref() == operation_name
        {
            if !allow_mutation && p.operation_type == OperationType::Mutation {
                return Err(RequestFailure::MutationOverGet);
            }
            return Ok(p);
        }
        let prepared = Arc::new(self.prepare_uncached(text, operation_name, allow_mutation)?);
        self.cache.insert(key, prepared.clone());
        Ok(prepared)
    }

    fn prepare_uncached(
        &self,
        text: &str,
        operation_name: Option<&str>,
        allow_mutation: bool,
    ) -> Result<Prepared, RequestFailure> {
        let invalid =
            |code, message: String| RequestFailure::Invalid(vec![GqlError::new(code, message)]);
        let ast = apollo_compiler::ast::Document::parse(text, "request.graphql")
            .map_err(|e| RequestFailure::Invalid(diagnostics(&e.errors, codes::PARSE_FAILED)))?;
        let mut ops = ast.definitions.iter().filter_map(|d| match d {
            apollo_compiler::ast::Definition::OperationDefinition(op) => Some(op),
            _ => None,
        });
        let op_type = match operation_name {
            Some(name) => ops
                .find(|o| o.name.as_deref() == Some(name))
                .map(|o| o.operation_type),
            None => {
                let first = ops.next();
                if ops.next().is_some() {
                    return Err(invalid(
                        codes::OPERATION_NOT_FOUND,
                        "The document has several operations: give operationName.".into(),
                    ));
                }
                first.map(|o| o.operation_type)
            }
        };
        let Some(op_type) = op_type else {
            return Err(invalid(
                codes::OPERATION_NOT_FOUND,
                match operation_name {
                    Some(n) => format!("Unknown operation named \"{n}\"."),
                    None => "The document has no operation.".into(),
                },
            ));
        };
        if !allow_mutation && op_type == OperationType::Mutation {
            return Err(RequestFailure::MutationOverGet);
        }
        let document = ast
            .to_executable_validate(&self.schema.served)
            .map_err(|e| {
                RequestFailure::Invalid(diagnostics(&e.errors, codes::VALIDATION_FAILED))
            })?;
        let literal_errors = inputs::check_literals(&self.schema.served, &document);
        if !literal_errors.is_empty() {
            return Err(RequestFailure::Invalid(literal_errors));
        }
        let operation = document
            .operations
            .get(operation_name)
            .map_err(|_| invalid(codes::OPERATION_NOT_FOUND, "operation not found".into()))?;
        if op_type == OperationType::Subscription {
            return Err(invalid(
                codes::NOT_SUPPORTED,
                "Subscriptions are not supported over HTTP.".into(),
            ));
        }
        let has_variables = !operation.variables.is_empty();
        let mut prepared = Prepared {
            text: text.to_owned(),
            operation_name: operation_name.map(str::to_owned),
            operation_type: op_type,
            static_plan: None,
            shared_plan: None,
            document,
        };
        // Mutations read the request context, so only queries have a static plan.
        if !has_variables && op_type == OperationType::Query {
            let plan =
                self.plan_operation(&prepared, &JsonMap::new(), &RequestContext::default())?;
            // A plan that consulted access rules depends on who asks: plan per request.
            if !plan.guarded {
                prepared.static_plan = Some(Arc::new(plan));
            }
        } else if op_type == OperationType::Query
            && let Some(names) =
                slots::slot_variables(&self.schema, &prepared.document, self.operation(&prepared))
        {
            let markers: JsonMap = names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str().into(), slots::marker(i).into()))
                .collect();
            // Planning may refuse a marker (a value check): then plan per request.
            if let Ok(plan) = self.plan_operation(&prepared, &markers, &RequestContext::default()) {
                prepared.shared_plan = slots::SharedPlan::new(plan, names);
            }
        }
        Ok(prepared)
    }

    fn operation<'p>(&self, prepared: &'p Prepared) -> &'p Operation {
        // prepare() checked the operation exists.
        prepared
            .document
            .operations
            .get(prepared.operation_name.as_deref())
            .expect("operation selected at prepare time")
    }

    /// Coerces the variables and plans the operation (a cache hit when it has no variables).
    pub fn plan(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
    ) -> Result<Arc<Plan>, RequestFailure> {
        self.plan_with_context(prepared, variables, &RequestContext::default())
    }

    /// As [`Engine::plan`], with the request context mutations may pass to their functions.
    pub fn plan_with_context(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        context: &RequestContext,
    ) -> Result<Arc<Plan>, RequestFailure> {
        if let Some(plan) = &prepared.static_plan {
            return Ok(plan.clone());
        }
        Ok(Arc::new(self.plan_operation(prepared, variables, context)?))
    }

    /// As [`Engine::plan_with_context`], for execution: the plan may be shared by every
    /// request of the document, with the texts to bind to its [`crate::sql::Param::Slot`]s
    /// (empty when the plan has none).
    pub fn plan_request(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        context: &RequestContext,
    ) -> Result<(Arc<Plan>, Vec<String>), RequestFailure> {
        if let Some(plan) = &prepared.static_plan {
            return Ok((plan.clone(), Vec::new()));
        }
        if let Some(shared) = &prepared.shared_plan
            // A null or absent variable can change the SQL (`IS NULL`, no condition).
            && shared
                .names
                .iter()
                .all(|n| variables.get(n.as_str()).is_some_and(|v| !v.is_null()))
        {
            let vars = self.coerce(prepared, self.operation(prepared), variables)?;
            let values = shared
                .names
                .iter()
                .map(|n| {
                    vars.get(n.as_str())
                        .map(crate::sql::filter::value_text)
                        .unwrap_or_default()
                })
                .collect();
            return Ok((shared.plan.clone(), values));
        }
        Ok((
            Arc::new(self.plan_operation(prepared, variables, context)?),
            Vec::new(),
        ))
    }

    /// Coerces the request's variables and checks custom scalar values.
    fn coerce(
        &self,
        prepared: &Prepared,
        operation: &Operation,
        variables: &JsonMap,
    ) -> Result<JsonMap, RequestFailure> {
        let vars = apollo_compiler::request::coerce_variable_values(
            &self.schema.served,
            operation,
            variables,
        )
        .map_err(|e| {
            let json = e.to_graphql_error(&prepared.document.sources);
            // Value errors come without a location: point at the variable's definition.
            let location = json
                .locations
                .first()
                .map(|l| (l.line, l.column))
                .or_else(|| variable_location(prepared, operation, &json.message));
            RequestFailure::Invalid(vec![
                GqlError::new(codes::BAD_USER_INPUT, json.message).at(location),
            ])
        })?;
        let variable_errors =
            inputs::check_variables(&self.schema.served, &prepared.document, operation, &vars);
        if !variable_errors.is_empty() {
            return Err(RequestFailure::Invalid(variable_errors));
        }
        Ok(vars.into_inner())
    }

    fn plan_operation(
        &self,
        prepared: &Prepared,
        variables: &JsonMap,
        context: &RequestContext,
    ) -> Result<Plan, RequestFailure> {
        let operation = self.operation(prepared);
        let vars = self.coerce(prepared, operation, variables)?;
        let ctx = Ctx {
            schema: &self.schema.served,
            doc: &prepared.document,
            vars: &vars,
        };
        let root_type = operation.object_type().as_str();
        let collected = ctx.collect(root_type, [&operation.selection_set]);
        let introspection = collected
            .iter()
            .any(|c| matches!(c.first().name.as_str(), "__schema" | "__type"));
        if introspection {
            if !self.options.introspection {
                return Err(RequestFailure::Invalid(vec![GqlError::new(
                    codes::VALIDATION_FAILED,
                    "Introspection is disabled.",
                )]));
            }
            apollo_compiler::introspection::check_max_depth(&prepared.document, operation)
                .map_err(|e| {
                    let json = e.to_graphql_error(&prepared.document.sources);
                    RequestFailure::Invalid(vec![GqlError::new(
                        codes::VALIDATION_FAILED,
                        json.message,
                    )])
                })?;
        }
        let introspector = crate::introspection::Introspector {
            ctx: &ctx,
            schema: &self.schema.served,
            implementers: &self.schema.implementers,
        };
        let planner = Planner {
            ctx: &ctx,
            schema: &self.schema,
            options: &self.options,
            request: context,
            guarded: std::cell::Cell::new(false),
        };
        let mut steps = Vec::with_capacity(collected.len());
        for c in &collected {
            let key = c.key.to_owned();
            let name = c.first().name.as_str();
            if name == "__typename" {
                steps.push(Step::Value {
                    key,
                    json: format!("\"{root_type}\""),
                });
                continue;
            }
            if matches!(name, "__schema" | "__type") {
                let json = introspector
                    .root(c.first(), c.sub_selections().collect())
                    .to_string();
                steps.push(Step::Value { key, json });
                continue;
            }
            let non_null = c.first().definition.ty.is_non_null();
            let returns = c.first().definition.ty.inner_named_type().as_str();
            if self
                .schema
                .guards
                .on_field(root_type, name, returns)
                .is_some()
            {
                planner.guarded.set(true);
            }
            if let Err(message) = self.schema.guards.check(root_type, name, returns, context) {
                steps.push(Step::Error {
                    error: GqlError::new(codes::FORBIDDEN, message)
                        .at(c.location(&prepared.document))
                        .with_path(vec![crate::error::PathSegment::Key(key.clone())]),
                    key,
                    non_null,
                });
                continue;
            }
            let planned = match prepared.operation_type {
                OperationType::Query => self
                    .schema
                    .roots
                    .get(name)
                    .map(|root| planner.root(root, c).map(|(q, s)| (q, s, None))),
                OperationType::Mutation => self.schema.mutations.get(name).map(|m| {
                    planner
                        .mutation(m, c, context)
                        .map(|(q, s, t)| (q, s, Some(t)))
                }),
                OperationType::Subscription => None,
            };
            let step = match planned {
                Some(Ok((query, shape, mutation))) => Step::Query {
                    key,
                    query,
                    shape,
                    mutation,
                },
                Some(Err(error)) => Step::Error {
                    error: error
                        .at(c.location(&prepared.document))
                        .with_path(vec![crate::error::PathSegment::Key(key.clone())]),
                    key,
                    non_null,
                },
                _ => Step::Error {
                    error: GqlError::new(
                        codes::NOT_SUPPORTED,
                        format!("{root_type}.{name} cannot be executed yet."),
                    )
                    .at(c.location(&prepared.document))
                    .with_path(vec![crate::error::PathSegment::Key(key.clone())]),
                    key,
                    non_null,
                },
            };
            steps.push(step);
        }
        Ok(Plan {
            steps,
            serial: prepared.operation_type == OperationType::Mutation,
            guarded: planner.guarded.get(),
        })
    }
}
