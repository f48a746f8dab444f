//! Micro benchmarks of the engine's pure stages over the demo schema (BENCHMARKS.md, "Micro level").
//!
//! Stages, per workload:
//! - `parse_validate`: apollo-compiler's `ExecutableDocument::parse_and_validate` alone;
//! - `prepare_miss`: `Engine::prepare` of a document it has not seen (parse, validate,
//!   select the operation and, without variables, plan it), i.e. a plan-cache miss;
//! - `cache_hit`: `prepare` + `plan_request` of a repeated document, as the server runs it:
//!   a document whose variables only feed parameters (C1) takes its shared plan and binds
//!   the values; others with variables (F1_var, connection) coerce them and plan again;
//! - `plan`: `plan` alone on a prepared document with variables: coercion and SQL generation
//!   (what a request costs without a shared plan);
//! - `assemble`: the response body from PostgreSQL's text (fast path: no `null` in it;
//!   slow path: a `null` in a non-null field, parsed and null-propagated);
//! - `request`: what the engine does per request on a plan-cache hit: `cache_hit` + `assemble`.
//!
//! The catalog is hand-made from the demo views' real columns (crates/fraiseql/demo/demo.sql).

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use apollo_compiler::ExecutableDocument;
use apollo_compiler::response::JsonMap;
use common::schema;
use criterion::{Criterion, criterion_group, criterion_main};
use fraiseql_core::response::assemble;
use fraiseql_core::{CompiledSchema, Engine, EngineOptions, Plan};

/// Q1 of BENCHMARKS.md.
const Q1: &str = "{ users(limit: 20) { id username fullName } }";
/// Q1 with its page size as a variable: planned on every request.
const Q1_VAR: &str = "query($limit: Int) { users(limit: $limit) { id username fullName } }";
/// F1-like: a filter on a nested field and a numeric range, two sort keys.
const F1: &str = r#"{ posts(where: { author: { username: { startsWith: "alice" } }, viewCount: { gte: 100, lt: 4000 }, isPublished: { eq: true } }, orderBy: [{ viewCount: DESC }, { createdAt: ASC }], limit: 20) { id title viewCount author { username } } }"#;
/// F1 with the filter and order as variables.
const F1_VAR: &str = "query($w: PostWhereInput, $o: [PostOrderByInput!]) { posts(where: $w, orderBy: $o, limit: 20) { id title viewCount author { username } } }";
/// C1 of BENCHMARKS.md.
const C1: &str = "query($id: ID!) { user(id: $id) { id username fullName } }";
/// A Relay connection page.
const CONN: &str = "query($first: Int, $after: String) { usersConnection(first: $first, after: $after, orderBy: [{ createdAt: DESC }]) { totalCount edges { cursor node { id username } } pageInfo { hasNextPage endCursor } } }";

fn vars(json: serde_json::Value) -> JsonMap {
    serde_json::from_value(json).expect("variables are an object")
}

/// The workloads: name, document, variables.
fn workloads() -> Vec<(&'static str, &'static str, JsonMap)> {
    let cursor =
        "WyIyMDI0LTAxLTIwVDEwOjAwOjAwWiIsICIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEiXQ==";
    vec![
        ("Q1", Q1, JsonMap::new()),
        ("Q1_var", Q1_VAR, vars(serde_json::json!({ "limit": 20 }))),
        ("F1", F1, JsonMap::new()),
        (
            "F1_var",
            F1_VAR,
            vars(serde_json::json!({
                "w": {
                    "author": { "username": { "startsWith": "alice" } },
                    "viewCount": { "gte": 100, "lt": 4000 },
                    "isPublished": { "eq": true }
                },
                "o": [{ "viewCount": "DESC" }, { "createdAt": "ASC" }]
            })),
        ),
        (
            "C1",
            C1,
            vars(serde_json::json!({ "id": "7e9d6f1c-3c6b-4a59-9d43-6f1f3a1b2c4d" })),
        ),
        (
            "connection",
            CONN,
            vars(serde_json::json!({ "first": 10, "after": cursor })),
        ),
    ]
}

/// 20 rows of Q1 as PostgreSQL returns them (`json_agg` of `json_build_object`).
fn q1_rows(null_at: Option<usize>) -> String {
    let names = [
        "Alice Martin",
        "Bruno Nakamura",
        "Chloé Okafor",
        "Dmitri Petrov",
        "Elena Quispe",
    ];
    let rows: Vec<String> = (0..20)
        .map(|i| {
            let name = names[i % names.len()];
            let username = name.to_lowercase().replace(' ', ".");
            let full_name = if null_at == Some(i) {
                "null".to_owned()
            } else {
                format!("\"{name}\"")
            };
            format!(
                "{{\"id\" : \"{:08x}-0000-4000-8000-{:012x}\", \"username\" : \"{username}\", \"fullName\" : {full_name}}}",
                i * 7919,
                i * 104_729
            )
        })
        .collect();
    format!("[{}]", rows.join(", \n "))
}

fn bench_parse_validate(c: &mut Criterion, schema: &Arc<CompiledSchema>) {
    let mut group = c.benchmark_group("parse_validate");
    for (name, doc, _) in workloads() {
        group.bench_function(name, |b| {
            b.iter(|| {
                ExecutableDocument::parse_and_validate(&schema.served, black_box(doc), "q.graphql")
                    .expect("valid")
            });
        });
    }
    group.finish();
}

fn bench_prepare_miss(c: &mut Criterion, schema: &Arc<CompiledSchema>) {
    let mut group = c.benchmark_group("prepare_miss");
    let engine = Engine::new(schema.clone(), EngineOptions::default());
    let counter = AtomicU64::new(0);
    for (name, doc, _) in workloads() {
        group.bench_function(name, |b| {
            // A comment makes each document new to the plan cache at the cost of a few bytes.
            b.iter_batched(
                || format!("{doc}\n# {}", counter.fetch_add(1, Ordering::Relaxed)),
                |text| engine.prepare(&text, None, true).expect("prepares"),
                criterion::BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn bench_cache_hit(c: &mut Criterion, schema: &Arc<CompiledSchema>) {
    let mut group = c.benchmark_group("cache_hit");
    let engine = Engine::new(schema.clone(), EngineOptions::default());
    for (name, doc, vars) in workloads() {
        engine.prepare(doc, None, true).expect("prepares");
        group.bench_function(name, |b| {
            b.iter(|| {
                let prepared = engine.prepare(black_box(doc), None, true).expect("cached");
                engine
                    .plan_request(&prepared, black_box(&vars), &Default::default())
                    .expect("plans")
            });
        });
    }
    group.finish();
}

fn bench_plan(c: &mut Criterion, schema: &Arc<CompiledSchema>) {
    let mut group = c.benchmark_group("plan");
    let engine = Engine::new(schema.clone(), EngineOptions::default());
    for (name, doc, vars) in workloads().into_iter().filter(|(_, _, v)| !v.is_empty()) {
        let prepared = engine.prepare(doc, None, true).expect("prepares");
        group.bench_function(name, |b| {
            b.iter(|| engine.plan(&prepared, black_box(&vars)).expect("plans"));
        });
    }
    group.finish();
}

fn q1_plan(engine: &Engine) -> Arc<Plan> {
    let prepared = engine.prepare(Q1, None, true).expect("prepares");
    engine.plan(&prepared, &JsonMap::new()).expect("plans")
}

fn bench_assemble(c: &mut Criterion, schema: &Arc<CompiledSchema>) {
    let mut group = c.benchmark_group("assemble");
    let engine = Engine::new(schema.clone(), EngineOptions::default());
    let plan = q1_plan(&engine);
    for (name, text) in [
        ("Q1_20_rows_fast", q1_rows(None)),
        ("Q1_20_rows_null", q1_rows(Some(11))),
    ] {
        let body = assemble(&plan, vec![Ok(Some(text.clone()))]);
        assert_eq!(
            body.contains("NON_NULL_VIOLATION"),
            name.ends_with("null"),
            "{body}"
        );
        group.bench_function(name, |b| {
            b.iter_batched(
                || vec![Ok(Some(text.clone()))],
                |outcomes| assemble(&plan, outcomes),
                criterion::BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn bench_request(c: &mut Criterion, schema: &Arc<CompiledSchema>) {
    let mut group = c.benchmark_group("request");
    let engine = Engine::new(schema.clone(), EngineOptions::default());
    let rows = q1_rows(None);
    let one = r#"{"id" : "7e9d6f1c-3c6b-4a59-9d43-6f1f3a1b2c4d", "username" : "alice.martin", "fullName" : "Alice Martin"}"#;
    let cases = [
        ("Q1", Q1, JsonMap::new(), rows.as_str()),
        ("C1", C1, workloads()[4].2.clone(), one),
    ];
    for (name, doc, vars, text) in cases {
        engine.prepare(doc, None, true).expect("prepares");
        group.bench_function(name, |b| {
            b.iter_batched(
                || vec![Ok(Some(text.to_owned()))],
                |outcomes| {
                    let prepared = engine.prepare(black_box(doc), None, true).expect("cached");
                    let (plan, _slots) = engine
                        .plan_request(&prepared, black_box(&vars), &Default::default())
                        .expect("plans");
                    assemble(&plan, outcomes)
                },
                criterion::BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let schema = schema();
    bench_parse_validate(c, &schema);
    bench_prepare_miss(c, &schema);
    bench_cache_hit(c, &schema);
    bench_plan(c, &schema);
    bench_assemble(c, &schema);
    bench_request(c, &schema);
}

criterion_group!(engine, benches);
criterion_main!(engine);
