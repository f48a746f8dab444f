//! Projection in SQL (FraiseQL today: one JSON text per root field, spliced into the
//! response) versus projection in Rust (PostgreSQL returns each row's whole `data`, the
//! engine keeps the selected keys in selection order, renames them, writes the body).
//!
//! Modes (see README.md, run.sh):
//!   micro DIR [ROUNDS] [MS]         ns per request of building the response body from the
//!                                   texts fetched into DIR, every method alternated per round
//!   count DIR SHAPE METHOD ITERS    run ITERS requests of one method (for callgrind)
//!   e2e URL SQLDIR SECS CONNS ROUNDS   req/s and client CPU per request with tokio-postgres:
//!                                   fetch + build the body, variants alternated per round

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// One selected field: response key, JSON key in `data`, sub-selection for an object.
struct Sel {
    key: &'static str,
    json: &'static str,
    sub: Option<&'static [Sel]>,
}

const fn leaf(key: &'static str, json: &'static str) -> Sel {
    Sel { key, json, sub: None }
}

static AUTHOR_USERNAME: [Sel; 1] = [leaf("username", "username")];
static POST_TITLE: [Sel; 1] = [leaf("title", "title")];
static Q1: [Sel; 3] = [leaf("id", "id"), leaf("username", "username"), leaf("fullName", "full_name")];
static Q2: [Sel; 3] = [
    leaf("id", "id"),
    leaf("title", "title"),
    Sel { key: "author", json: "author", sub: Some(&AUTHOR_USERNAME) },
];
static Q3: [Sel; 4] = [
    leaf("id", "id"),
    leaf("body", "body"),
    Sel { key: "author", json: "author", sub: Some(&AUTHOR_USERNAME) },
    Sel { key: "post", json: "post", sub: Some(&POST_TITLE) },
];

struct Shape {
    name: &'static str,
    field: &'static str,
    sel: &'static [Sel],
}

static SHAPES: [Shape; 3] = [
    Shape { name: "Q1", field: "users", sel: &Q1 },
    Shape { name: "Q2", field: "posts", sel: &Q2 },
    Shape { name: "Q3", field: "comments", sel: &Q3 },
];

fn prefix(out: &mut Vec<u8>, field: &str) {
    out.extend_from_slice(b"{\"data\":{\"");
    out.extend_from_slice(field.as_bytes());
    out.extend_from_slice(b"\":");
}

// ---------------------------------------------------------------------------------------
// SQL variant: what FraiseQL does with the text (response.rs): look for `null` (the fast
// path needs none), then copy the text between the envelope's bytes.

fn splice(field: &str, text: &str, out: &mut Vec<u8>) {
    let has_null = memchr::memmem::find(text.as_bytes(), b"null").is_some();
    black_box(has_null);
    out.reserve(text.len() + field.len() + 16);
    prefix(out, field);
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"}}");
}

// ---------------------------------------------------------------------------------------
// Rust projection, DOM: serde_json::Value per row (the workspace's features:
// preserve_order + raw_value), then the selected keys written in selection order.

fn write_key(out: &mut Vec<u8>, key: &str) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

fn write_value(v: &Value, sel: &[Sel], out: &mut Vec<u8>) {
    let Value::Object(m) = v else {
        out.extend_from_slice(b"null");
        return;
    };
    out.push(b'{');
    for (i, s) in sel.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_key(out, s.key);
        match (m.get(s.json), s.sub) {
            (Some(x), Some(sub)) => write_value(x, sub, out),
            (Some(x), None) => serde_json::to_writer(&mut *out, x).unwrap(),
            (None, _) => out.extend_from_slice(b"null"),
        }
    }
    out.push(b'}');
}

fn rows_value(shape: &Shape, rows: &[&str], out: &mut Vec<u8>) {
    prefix(out, shape.field);
    out.push(b'[');
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let v: Value = serde_json::from_str(r).unwrap();
        write_value(&v, shape.sel, out);
    }
    out.extend_from_slice(b"]}}");
}

fn agg_value(shape: &Shape, text: &str, out: &mut Vec<u8>) {
    prefix(out, shape.field);
    out.push(b'[');
    let v: Value = serde_json::from_str(text).unwrap();
    for (i, x) in v.as_array().unwrap().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_value(x, shape.sel, out);
    }
    out.extend_from_slice(b"]}}");
}

// ---------------------------------------------------------------------------------------
// Rust projection, borrowed: a serde visitor walks each object once, keeps a borrowed
// `&RawValue` slice for the selected keys (others skipped with IgnoredAny, no allocation),
// then writes them in selection order, the leaves copied verbatim; a sub-selection parses
// its object's slice again the same way.

struct Key<'de>(Cow<'de, str>);
impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Writes one projected object (or `null` when the value is not an object), preceded by
/// a comma when `comma`.
struct ObjSeed<'a> {
    sel: &'static [Sel],
    out: &'a mut Vec<u8>,
    comma: bool,
}

impl<'de> DeserializeSeed<'de> for ObjSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ObjSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        if self.comma {
            self.out.push(b',');
        }
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut slots: [Option<&'de RawValue>; 8] = [None; 8];
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            match self.sel.iter().position(|s| s.json == k) {
                Some(i) => slots[i] = Some(map.next_value::<&'de RawValue>()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let out = self.out;
        if self.comma {
            out.push(b',');
        }
        out.push(b'{');
        for (i, s) in self.sel.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_key(out, s.key);
            match (slots[i], s.sub) {
                (Some(raw), Some(sub)) => project_raw(raw.get(), sub, out, false),
                (Some(raw), None) => out.extend_from_slice(raw.get().as_bytes()),
                (None, _) => out.extend_from_slice(b"null"),
            }
        }
        out.push(b'}');
        Ok(())
    }
}

fn project_raw(text: &str, sel: &'static [Sel], out: &mut Vec<u8>, comma: bool) {
    let mut d = serde_json::Deserializer::from_str(text);
    ObjSeed { sel, out, comma }.deserialize(&mut d).unwrap();
    d.end().unwrap();
}

struct SeqSeed<'a> {
    sel: &'static [Sel],
    out: &'a mut Vec<u8>,
}

impl<'de> Visitor<'de> for SeqSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        let mut comma = false;
        while seq
            .next_element_seed(ObjSeed { sel: self.sel, out: &mut *self.out, comma })?
            .is_some()
        {
            comma = true;
        }
        self.out.push(b']');
        Ok(())
    }
}

fn rows_raw(shape: &Shape, rows: &[&str], out: &mut Vec<u8>) {
    prefix(out, shape.field);
    out.push(b'[');
    for (i, r) in rows.iter().enumerate() {
        project_raw(r, shape.sel, out, i > 0);
    }
    out.extend_from_slice(b"]}}");
}

fn agg_raw(shape: &Shape, text: &str, out: &mut Vec<u8>) {
    prefix(out, shape.field);
    let mut d = serde_json::Deserializer::from_str(text);
    d.deserialize_seq(SeqSeed { sel: shape.sel, out: &mut *out }).unwrap();
    d.end().unwrap();
    out.extend_from_slice(b"}}");
}

// ---------------------------------------------------------------------------------------

struct Texts {
    sql: String,
    rows: Vec<String>,
    agg: String,
}

fn load(dir: &str, shape: &Shape) -> Texts {
    let read = |v: &str| {
        let p = format!("{dir}/{}-{v}.txt", shape.name);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let trim = |s: String| s.trim_end_matches('\n').to_owned();
    Texts {
        sql: trim(read("sql")),
        rows: read("rows").lines().map(str::to_owned).collect(),
        agg: trim(read("agg")),
    }
}

const METHODS: [&str; 5] = ["splice", "rows-raw", "rows-value", "agg-raw", "agg-value"];

/// One request's body, built by `method`, into a new buffer (as a server would).
fn build(method: &str, shape: &Shape, t: &Texts, rows: &[&str]) -> Vec<u8> {
    // splice reserves the exact size itself; the others grow from 256 bytes
    let mut out = if method == "splice" { Vec::new() } else { Vec::with_capacity(256) };
    match method {
        "splice" => splice(shape.field, &t.sql, &mut out),
        "rows-raw" => rows_raw(shape, rows, &mut out),
        "rows-value" => rows_value(shape, rows, &mut out),
        "agg-raw" => agg_raw(shape, &t.agg, &mut out),
        "agg-value" => agg_value(shape, &t.agg, &mut out),
        m => panic!("unknown method {m}"),
    }
    out
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn micro(dir: &str, rounds: usize, ms: u64) {
    let data: Vec<Texts> = SHAPES.iter().map(|s| load(dir, s)).collect();
    // Every method must give the same JSON as PostgreSQL's projection.
    println!("# outputs (bytes of the response body; all equal as JSON to splice's)");
    println!("shape\tmethod\tbody_bytes\tinput_bytes");
    for (shape, t) in SHAPES.iter().zip(&data) {
        let rows: Vec<&str> = t.rows.iter().map(String::as_str).collect();
        let reference: Value = serde_json::from_slice(&build("splice", shape, t, &rows)).unwrap();
        for m in METHODS {
            let body = build(m, shape, t, &rows);
            let v: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v, reference, "{} {m}", shape.name);
            // preserve_order: key order is compared too
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                serde_json::to_string(&reference).unwrap(),
                "{} {m} key order",
                shape.name
            );
            let input: usize = match m {
                "splice" => t.sql.len(),
                "rows-raw" | "rows-value" => rows.iter().map(|r| r.len()).sum(),
                _ => t.agg.len(),
            };
            println!("{}\t{m}\t{}\t{input}", shape.name, body.len());
        }
    }
    println!("# ns per request, {rounds} rounds x {ms} ms per method, methods alternated");
    println!("shape\tmethod\tround\tns");
    let mut results: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); METHODS.len()]; SHAPES.len()];
    for round in 0..rounds {
        for (si, (shape, t)) in SHAPES.iter().zip(&data).enumerate() {
            let rows: Vec<&str> = t.rows.iter().map(String::as_str).collect();
            for k in 0..METHODS.len() {
                // rotate the order each round
                let mi = (k + round) % METHODS.len();
                let m = METHODS[mi];
                // calibrate: iterations for ~ms
                let t0 = Instant::now();
                let mut n = 0u64;
                while t0.elapsed() < Duration::from_millis(ms / 10 + 1) {
                    black_box(build(m, shape, black_box(t), black_box(&rows)));
                    n += 1;
                }
                let iters = n * 10;
                let t0 = Instant::now();
                for _ in 0..iters {
                    black_box(build(m, shape, black_box(t), black_box(&rows)));
                }
                let ns = t0.elapsed().as_nanos() as f64 / iters as f64;
                println!("{}\t{m}\t{round}\t{ns:.0}", shape.name);
                results[si][mi].push(ns);
            }
        }
    }
    println!("# medians");
    println!("shape\tmethod\tmedian_ns\tmin_ns\tmax_ns");
    for (si, shape) in SHAPES.iter().enumerate() {
        for (mi, m) in METHODS.iter().enumerate() {
            let v = &mut results[si][mi];
            let (lo, hi) = (
                v.iter().cloned().fold(f64::MAX, f64::min),
                v.iter().cloned().fold(0.0, f64::max),
            );
            println!("{}\t{m}\t{:.0}\t{lo:.0}\t{hi:.0}", shape.name, median(v));
        }
    }
}

fn count(dir: &str, shape: &str, method: &str, iters: u64) {
    let shape = SHAPES.iter().find(|s| s.name == shape).expect("shape");
    let t = load(dir, shape);
    let rows: Vec<&str> = t.rows.iter().map(String::as_str).collect();
    for _ in 0..iters {
        black_box(build(method, shape, black_box(&t), black_box(&rows)));
    }
}

// ---------------------------------------------------------------------------------------
// End to end with the engine's client library: C connections, each a task running its
// prepared statement in a loop for SECS and building the body from what it received.

fn cpu_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let rest = &s[s.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    // fields 14 and 15 (utime, stime) are 12 and 13 after the state field
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

const E2E_VARIANTS: [&str; 3] = ["sql", "rows", "agg"];

async fn e2e(url: &str, sqldir: &str, secs: u64, conns: usize, rounds: usize) {
    let mut clients = Vec::new();
    for _ in 0..conns {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        let mut stmts = Vec::new();
        for shape in &SHAPES {
            for v in E2E_VARIANTS {
                let p = format!("{sqldir}/{}-{v}.sql", shape.name);
                let sql = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
                stmts.push(client.prepare(sql.trim()).await.unwrap());
            }
        }
        clients.push(std::sync::Arc::new((client, stmts)));
    }
    let tick = 100.0; // USER_HZ
    println!("# e2e: {conns} connections, {secs} s per variant, {rounds} rounds, variants alternated");
    println!("shape\tvariant\tround\treq_per_s\tclient_cpu_us_per_req");
    let mut res: Vec<Vec<Vec<(f64, f64)>>> = vec![vec![Vec::new(); 3]; 3];
    for round in 0..rounds {
        for (si, shape) in SHAPES.iter().enumerate() {
            for k in 0..3 {
                let vi = (k + round) % 3;
                let deadline = Instant::now() + Duration::from_secs(secs);
                let c0 = cpu_ticks();
                let t0 = Instant::now();
                let mut tasks = Vec::new();
                for c in &clients {
                    let c = c.clone();
                    tasks.push(tokio::spawn(async move {
                        let (client, stmts) = &*c;
                        let stmt = &stmts[si * 3 + vi];
                        let shape = &SHAPES[si];
                        let mut n = 0u64;
                        while Instant::now() < deadline {
                            let mut out = Vec::with_capacity(256);
                            match vi {
                                0 => {
                                    let row = client.query_one(stmt, &[&20i64]).await.unwrap();
                                    splice(shape.field, row.get::<_, &str>(0), &mut out);
                                }
                                1 => {
                                    let rows = client.query(stmt, &[&20i64]).await.unwrap();
                                    let texts: Vec<&str> = rows.iter().map(|r| r.get::<_, &str>(0)).collect();
                                    rows_raw(shape, &texts, &mut out);
                                }
                                _ => {
                                    let row = client.query_one(stmt, &[&20i64]).await.unwrap();
                                    agg_raw(shape, row.get::<_, &str>(0), &mut out);
                                }
                            }
                            black_box(&out);
                            n += 1;
                        }
                        n
                    }));
                }
                let mut total = 0;
                for t in tasks {
                    total += t.await.unwrap();
                }
                let wall = t0.elapsed().as_secs_f64();
                let cpu_us = (cpu_ticks() - c0) as f64 / tick * 1e6;
                let rps = total as f64 / wall;
                let cpr = cpu_us / total as f64;
                println!("{}\t{}\t{round}\t{rps:.0}\t{cpr:.1}", shape.name, E2E_VARIANTS[vi]);
                res[si][vi].push((rps, cpr));
            }
        }
    }
    println!("# medians");
    println!("shape\tvariant\treq_per_s\tclient_cpu_us_per_req\tratio_to_sql");
    for (si, shape) in SHAPES.iter().enumerate() {
        let mut sql_rps = 0.0;
        for vi in 0..3 {
            let mut r: Vec<f64> = res[si][vi].iter().map(|x| x.0).collect();
            let mut c: Vec<f64> = res[si][vi].iter().map(|x| x.1).collect();
            let (mr, mc) = (median(&mut r), median(&mut c));
            if vi == 0 {
                sql_rps = mr;
            }
            println!("{}\t{}\t{mr:.0}\t{mc:.1}\t{:.3}", shape.name, E2E_VARIANTS[vi], mr / sql_rps);
        }
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: &str| a.get(i).cloned().unwrap_or_else(|| d.to_owned());
    match a.get(1).map(String::as_str) {
        Some("micro") => micro(&a[2], arg(3, "5").parse().unwrap(), arg(4, "300").parse().unwrap()),
        Some("count") => count(&a[2], &a[3], &a[4], a[5].parse().unwrap()),
        Some("e2e") => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(e2e(
                &a[2],
                &a[3],
                arg(4, "8").parse().unwrap(),
                arg(5, "8").parse().unwrap(),
                arg(6, "3").parse().unwrap(),
            ));
        }
        _ => eprintln!("usage: projection-bench micro DIR [ROUNDS] [MS] | count DIR SHAPE METHOD ITERS | e2e URL SQLDIR [SECS] [CONNS] [ROUNDS]"),
    }
}
