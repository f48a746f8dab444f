//! Allocation profile of the engine's per-request work on a plan-cache hit
//! (bench/ALLOCATIONS.md): `prepare` (a hit) + `plan` + `response::assemble` over a
//! realistic PostgreSQL text, for Q1 (no variables), C1 (one variable) and T1 (three root
//! fields, one variable), on the demo schema the criterion bench (`engine.rs`) uses.
//!
//! The global allocator is `stats_alloc`'s counting wrapper around the system allocator,
//! so the figures are exact counts, not timings: `cargo bench -p fraiseql-core --bench alloc`
//! prints allocations and bytes per request, split by stage.
//!
//! The statement texts (the `String`s tokio-postgres hands over) are made before counting
//! starts: they are the database layer's allocations, not the engine's.
//!
//! Instructions per request: run the binary under callgrind with collection limited to
//! [`request`] and one workload (`ALLOC_ONLY=Q1`), e.g.
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='alloc::request' <bin>`
//! and divide the inclusive cost by the number of calls (printed by the binary).

mod common;

use std::alloc::System;
use std::hint::black_box;

use apollo_compiler::response::JsonMap;
use common::schema;
use fraiseql_core::response::{QueryOutcome, assemble};
use fraiseql_core::{Engine, EngineOptions};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, Stats, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Q1 of bench/lib/workloads.py.
const Q1: &str = "{ users(limit: 20) { id username fullName } }";
/// C1 of bench/lib/workloads.py.
const C1: &str = "query($id: ID!) { user(id: $id) { id username fullName email } }";
/// T1 of bench/lib/workloads.py, with the demo schema's nested `author.id` filter.
const T1: &str = "query($id: ID!) { user(id: $id) { id username fullName } \
    posts(where: {author: {id: {eq: $id}}}, limit: 10) { id title } \
    comments(where: {author: {id: {eq: $id}}}, limit: 10) { id body post { title } } }";

const ID: &str = "7e9d6f1c-3c6b-4a59-9d43-6f1f3a1b2c4d";

/// Measured requests per workload (after one warm-up request).
const ITERATIONS: u64 = 1000;

/// `n` rows as PostgreSQL's `json_agg` of `json_build_object` writes them.
fn json_agg(n: usize, row: impl Fn(usize) -> String) -> String {
    let rows: Vec<String> = (0..n).map(row).collect();
    format!("[{}]", rows.join(", \n "))
}

fn uuid(i: usize) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", i * 7919, i * 104_729)
}

const NAMES: [&str; 5] = [
    "Alice Martin",
    "Bruno Nakamura",
    "Chloé Okafor",
    "Dmitri Petrov",
    "Elena Quispe",
];

fn q1_text() -> String {
    json_agg(20, |i| {
        let name = NAMES[i % NAMES.len()];
        let username = name.to_lowercase().replace(' ', ".");
        format!(
            "{{\"id\" : \"{}\", \"username\" : \"{username}\", \"fullName\" : \"{name}\"}}",
            uuid(i)
        )
    })
}

fn c1_text() -> String {
    format!(
        "{{\"id\" : \"{ID}\", \"username\" : \"alice.martin\", \"fullName\" : \"Alice Martin\", \
         \"email\" : \"alice.martin@example.com\"}}"
    )
}

fn t1_texts() -> Vec<String> {
    let user = format!(
        "{{\"id\" : \"{ID}\", \"username\" : \"alice.martin\", \"fullName\" : \"Alice Martin\"}}"
    );
    let posts = json_agg(10, |i| {
        format!(
            "{{\"id\" : \"{}\", \"title\" : \"Async Rust in practice, part {i}\"}}",
            uuid(i)
        )
    });
    let comments = json_agg(10, |i| {
        format!(
            "{{\"id\" : \"{}\", \"body\" : \"Thanks, this helped with part {i}.\", \
             \"post\" : {{\"title\" : \"Street food in Osaka, part {i}\"}}}}",
            uuid(i + 100)
        )
    });
    vec![user, posts, comments]
}

struct Workload {
    name: &'static str,
    document: &'static str,
    variables: JsonMap,
    texts: Vec<String>,
}

fn workloads() -> Vec<Workload> {
    let id: JsonMap =
        serde_json::from_value(serde_json::json!({ "id": ID })).expect("variables are an object");
    vec![
        Workload {
            name: "Q1",
            document: Q1,
            variables: JsonMap::new(),
            texts: vec![q1_text()],
        },
        Workload {
            name: "C1",
            document: C1,
            variables: id.clone(),
            texts: vec![c1_text()],
        },
        Workload {
            name: "T1",
            document: T1,
            variables: id,
            texts: t1_texts(),
        },
    ]
}

/// Allocation counts of one stage, summed over the measured requests.
#[derive(Default, Clone, Copy)]
struct Count {
    allocations: u64,
    reallocations: u64,
    bytes: u64,
}

impl Count {
    fn add(&mut self, s: Stats) {
        self.allocations += s.allocations as u64;
        self.reallocations += s.reallocations as u64;
        // Bytes newly requested: stats_alloc adds what a reallocation grew by to this figure.
        self.bytes += s.bytes_allocated as u64;
    }
}

/// `prepare` + `plan_request`, as the server's `exec.rs` calls them.
fn planned(engine: &Engine, w: &Workload) -> std::sync::Arc<fraiseql_core::Plan> {
    let prepared = engine
        .prepare(black_box(w.document), None, true)
        .expect("cached");
    let (plan, _slots) = engine
        .plan_request(&prepared, black_box(&w.variables), &Default::default())
        .expect("plans");
    plan
}

/// One request on a plan-cache hit: what the server's `exec.rs` asks of the engine, less the
/// database round trip. Kept out of line so callgrind can collect exactly this function.
#[inline(never)]
fn request(
    engine: &Engine,
    w: &Workload,
    outcomes: Vec<QueryOutcome>,
    split: Option<(&mut Count, &mut Count)>,
) -> String {
    match split {
        None => {
            let plan = planned(engine, w);
            assemble(&plan, outcomes)
        }
        Some((planning, assembly)) => {
            let region = Region::new(GLOBAL);
            let plan = planned(engine, w);
            planning.add(region.change());
            let region = Region::new(GLOBAL);
            let body = assemble(&plan, outcomes);
            assembly.add(region.change());
            body
        }
    }
}

fn outcomes(w: &Workload) -> Vec<QueryOutcome> {
    w.texts.iter().map(|t| Ok(Some(t.clone()))).collect()
}

fn main() {
    let only = std::env::var("ALLOC_ONLY").ok();
    let schema = schema();
    let engine = Engine::new(schema, EngineOptions::default());
    println!(
        "Per request on a plan-cache hit (prepare + plan + assemble), mean of {ITERATIONS}; \
         allocs = allocations + reallocations, bytes = bytes requested"
    );
    println!(
        "{:<4} {:>7} {:>7} {:>8} {:>9} {:>9} {:>10} {:>10} {:>8}",
        "", "allocs", "reallocs", "bytes", "plan/al", "plan/B", "assem/al", "assem/B", "body B"
    );
    for w in workloads() {
        if only.as_deref().is_some_and(|o| o != w.name) {
            continue;
        }
        // Warm-up: the miss fills the plan cache; the hit after it settles any lazy state.
        engine.prepare(w.document, None, true).expect("prepares");
        let body = request(&engine, &w, outcomes(&w), None);
        assert!(!body.contains("\"errors\""), "{}: {body}", w.name);
        let (mut planning, mut assembly) = (Count::default(), Count::default());
        let mut body_len = 0;
        for _ in 0..ITERATIONS {
            let outcomes = outcomes(&w);
            let body = if only.is_some() {
                request(&engine, &w, outcomes, None)
            } else {
                request(&engine, &w, outcomes, Some((&mut planning, &mut assembly)))
            };
            body_len = black_box(body).len();
        }
        if only.is_some() {
            println!(
                "{}: {} calls of alloc::request (1 warm-up + {ITERATIONS})",
                w.name,
                ITERATIONS + 1
            );
            continue;
        }
        let per = |n: u64| n as f64 / ITERATIONS as f64;
        let allocs = |c: &Count| per(c.allocations + c.reallocations);
        println!(
            "{:<4} {:>7.1} {:>7.1} {:>8.0} {:>9.1} {:>9.0} {:>10.1} {:>10.0} {:>8}",
            w.name,
            allocs(&planning) + allocs(&assembly),
            per(planning.reallocations + assembly.reallocations),
            per(planning.bytes + assembly.bytes),
            allocs(&planning),
            per(planning.bytes),
            allocs(&assembly),
            per(assembly.bytes),
            body_len,
        );
    }
}
