//! Property tests of the filter and ordering compilers over the demo data: random `where`
//! and `orderBy` inputs never make PostgreSQL fail.
//!
//! Inputs are generated from the served schema itself (the filter inputs the engine
//! generates from its operator table), so every operator of every field is reached: nested
//! objects, lists of objects (`some`/`every`/`none`), arrays, `_and`/`_or`/`_not` to a
//! bounded depth, nulls, and a single value where a list is expected. They are sent as
//! variables to each list root (`limit: 5`) and connection root (a first page, the page
//! after its end cursor and the page before it) in two modes:
//! - well-formed: values of the right shape for their type and operator (real dates,
//!   addresses, ltree paths, regular expressions, tsquery expressions...): the response
//!   must have no error at all;
//! - wild: edge-case values as well (empty strings, quotes, backslashes, `%` and `_`,
//!   unicode, NUL, extreme numbers, malformed dates, addresses, paths, patterns and
//!   queries, JSON of the wrong kind for custom scalars): the only error allowed is
//!   BAD_USER_INPUT, for values PostgreSQL rejects as input. Never DATABASE_ERROR, never
//!   an internal error.
//!
//! One database for the whole run; a fixed seed keeps CI deterministic, no failure file is
//! written. `PROPTEST_CASES` overrides the number of cases per root and mode (default 200).

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use apollo_compiler::Schema;
use apollo_compiler::ast::Type;
use apollo_compiler::schema::ExtendedType;
use fraiseql_server::AppState;
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::{Value, json};

use crate::support;

/// Which values are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Values of the right shape: no error is acceptable.
    WellFormed,
    /// Edge cases too: BAD_USER_INPUT is acceptable.
    Wild,
}

/// How deep input objects nest: each one entered spends one unit of the budget, and with
/// none left, fields of input object types are left out (`where` → `_and` → `posts` →
/// `some` → `publishedAt` filter is five).
const BUDGET: u32 = 6;

type Gen = Rc<BoxedStrategy<Value>>;

/// Builds value strategies from the served schema's input types.
struct Inputs<'s> {
    schema: &'s Schema,
    mode: Mode,
    memo: HashMap<(String, u32), Gen>,
}

impl<'s> Inputs<'s> {
    fn new(schema: &'s Schema, mode: Mode) -> Self {
        Inputs {
            schema,
            mode,
            memo: HashMap::new(),
        }
    }

    /// A strategy for the argument `arg` of `Query.root`.
    fn argument(&mut self, root: &str, arg: &str) -> BoxedStrategy<Value> {
        let ExtendedType::Object(query) = &self.schema.types["Query"] else {
            panic!("Query is an object type");
        };
        let def = query.fields[root]
            .argument_by_name(arg)
            .unwrap_or_else(|| panic!("Query.{root} has an argument {arg}"));
        self.value(&def.ty, BUDGET + 1, root, arg)
            .expect("the budget allows the argument's input type")
    }

    /// An input object of type `name`: up to three of its fields (a later duplicate wins).
    fn object(&mut self, name: &str, budget: u32) -> Gen {
        if let Some(g) = self.memo.get(&(name.to_owned(), budget)) {
            return g.clone();
        }
        let ExtendedType::InputObject(def) = &self.schema.types[name] else {
            panic!("{name} is an input object type");
        };
        let fields: Vec<BoxedStrategy<(String, Value)>> = def
            .fields
            .iter()
            .filter_map(|(field, f)| {
                let key = field.to_string();
                let value = self.value(&f.ty, budget, name, field.as_str())?;
                Some(value.prop_map(move |v| (key.clone(), v)).boxed())
            })
            .collect();
        let g: Gen = Rc::new(if fields.is_empty() {
            Just(json!({})).boxed()
        } else {
            proptest::collection::vec(Union::new(fields), 0..=3)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
                .boxed()
        });
        self.memo.insert((name.to_owned(), budget), g.clone());
        g
    }

    /// A value of type `ty` for the field `field` of `parent`; `None` when the budget is spent.
    fn value(
        &mut self,
        ty: &Type,
        budget: u32,
        parent: &str,
        field: &str,
    ) -> Option<BoxedStrategy<Value>> {
        let inner = match ty {
            Type::Named(n) | Type::NonNullNamed(n) => {
                self.named(n.as_str(), budget, parent, field)?
            }
            Type::List(item) | Type::NonNullList(item) => {
                let item = Rc::new(self.value(item, budget, parent, field)?);
                prop_oneof![
                    6 => proptest::collection::vec(item.clone(), 0..=3).prop_map(Value::Array),
                    // Input coercion: a single value stands for a list of one.
                    1 => item,
                ]
                .boxed()
            }
        };
        Some(if ty.is_non_null() {
            inner
        } else {
            prop_oneof![12 => inner, 1 => Just(Value::Null)].boxed()
        })
    }

    fn named(
        &mut self,
        name: &str,
        budget: u32,
        parent: &str,
        field: &str,
    ) -> Option<BoxedStrategy<Value>> {
        Some(match &self.schema.types[name] {
            ExtendedType::InputObject(_) if budget == 0 => return None,
            ExtendedType::InputObject(_) => self.object(name, budget - 1).boxed(),
            ExtendedType::Enum(e) => {
                let values: Vec<Value> = e.values.keys().map(|v| json!(v.as_str())).collect();
                proptest::sample::select(values).boxed()
            }
            _ => scalar(name, operator_of(parent, field), self.mode),
        })
    }
}

/// The operator a value is the operand of, when it is one (`StringFilter.regex` → `regex`).
fn operator_of<'a>(parent: &str, field: &'a str) -> Option<&'a str> {
    parent.ends_with("Filter").then_some(field)
}

fn strings(items: &[&str]) -> BoxedStrategy<Value> {
    let items: Vec<Value> = items.iter().map(|s| json!(s)).collect();
    proptest::sample::select(items).boxed()
}

/// Text without NUL, which PostgreSQL cannot store.
fn text() -> BoxedStrategy<Value> {
    prop_oneof![
        "[a-zA-Z0-9 %_'\"\\\\.*()|&!:-]{0,10}",
        "\\PC{0,8}",
        Just("Alice".to_owned()),
        Just("alice.martin".to_owned()),
        Just("Montréal".to_owned()),
        Just("Lorem".to_owned()),
    ]
    .prop_map(Value::String)
    .boxed()
}

/// Strings that are hard on quoting, escaping and parsing, most of them malformed for some type.
#[rustfmt::skip]
const TRICKY: &[&str] = &[
    "", " ", "'", "''", "\"", "\\", "\\\\", "a\\", "%", "_", "%_%", "\\%", "O'Brien", "Montréal",
    "日本語", "🦀", "\u{0}", "a\u{0}b", "NULL", "null", "true", "1e309", "-0", "NaN", "Infinity",
    "-infinity", "epoch", "now", "allballs", "$1", "?", ";--", "/* */", "\n\t", "(", ")", "[", "]",
    "{", "}", "*", "+", "|", "&", "!", ":", "a:*", "a & b", "a | b", "!a", "a <-> b", "a &", "& a",
    "a.b.c", "a..b", ".a", "a.", "*.a.*", "a{1,2}", "*{", "a-b", "a b", "10.0.0.0/8", "10.0.0.0/33",
    "::1", "2001:db8::/32", "192.168.1.", "1.2.3.4.5", "::g",
    "00000000-0000-0000-0000-000000000000", "not-a-uuid", "2024-01-01", "2024-02-30",
    "2024-01-01T12:00:00Z", "2024-01-01T25:00:00Z", "12:00", "99:99",
];

/// Malformed operands aimed at one type or operator, beyond [`TRICKY`]: values past
/// PostgreSQL's limits (an ltree label of 300 characters, 70,000 labels or lquery items,
/// a repetition bound past 65,535, 5,000 nested tsquery negations, an 84 kB regex).
fn aimed(name: &str, op: Option<&str>) -> Option<BoxedStrategy<Value>> {
    let long_label = "a".repeat(300);
    let many_labels = vec!["a"; 70_000].join(".");
    Some(match (name, op) {
        ("LTree", _) => strings(&[&long_label, &many_labels, "a..b", "a-b", "a.", "日本"]),
        (_, Some("matchesLquery")) => strings(&[
            &format!("{long_label}.*"),
            &many_labels,
            "*{70000}",
            "*{2,1}",
            "a|",
            "!",
        ]),
        (_, Some("matches")) => strings(&[
            &format!("{}a", "!".repeat(5000)),
            "a &",
            "&",
            "a | | b",
            "(a",
            "a:*:*",
        ]),
        (_, Some("regex" | "iregex")) => strings(&[
            &"a|b|c|d".repeat(12_000),
            "(",
            "a{2,1}",
            "*",
            "[z-a]",
            "\\",
            "(?<x",
        ]),
        (_, Some("inSubnet" | "containsIp")) => {
            strings(&["10.0.0.0/33", "1.2.3", "::g", "300.1.1.1/8"])
        }
        _ => return None,
    })
}

fn tricky() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => strings(TRICKY),
        2 => "\\PC{0,8}".prop_map(Value::String),
        1 => "[\\x00-\\x7f]{0,6}".prop_map(Value::String),
    ]
    .boxed()
}

/// JSON of any kind: custom scalars accept it at coercion.
fn any_json() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1.5)),
        Just(json!(true)),
        Just(json!({ "a": 1 })),
        Just(json!([1, "x"])),
        Just(json!([])),
    ]
    .boxed()
}

fn date() -> impl Strategy<Value = String> {
    (1900..2100i32, 1..=12u32, 1..=28u32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn date_time() -> impl Strategy<Value = String> {
    (
        date(),
        0..24u32,
        0..60u32,
        proptest::sample::select(vec!["Z", "+02:00", "-05:30"]),
    )
        .prop_map(|(d, h, m, z)| format!("{d}T{h:02}:{m:02}:00{z}"))
}

fn ip() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|b| std::net::Ipv4Addr::from(b).to_string()),
        any::<[u8; 16]>().prop_map(|b| std::net::Ipv6Addr::from(b).to_string()),
        Just("127.0.0.1".to_owned()),
        Just("::1".to_owned()),
    ]
}

fn ltree() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec("[a-z0-9_]{1,6}", 0..=4).prop_map(|labels| labels.join(".")),
        strings_of(&[
            "tech",
            "tech.rust",
            "tech.rust.async",
            "life.travel",
            "science"
        ]),
    ]
}

fn strings_of(items: &[&str]) -> BoxedStrategy<String> {
    let items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
    proptest::sample::select(items).boxed()
}

fn uuid() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u128>().prop_map(|n| {
            let h = format!("{n:032x}");
            format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            )
        }),
        // The demo's user 1 (md5('user-1')).
        Just("d6d77053-92bc-7af6-3332-8bea8c4c6904".to_owned()),
    ]
}

/// A well-formed operand for a String operator whose text PostgreSQL parses.
fn operator_text(op: &str) -> Option<BoxedStrategy<Value>> {
    let items: &[&str] = match op {
        "regex" | "iregex" => &["^a", "a.*b", "[0-9]+", "(rust|sql)", "\\.", "^$", "é"],
        "like" | "ilike" => &["%a%", "a_c", "%", "", "\\%%", "Al%", "%.%"],
        "matches" => &[
            "rust",
            "rust & async",
            "rust | sql",
            "!lorem",
            "lor:*",
            "(rust | sql) & post",
        ],
        "inSubnet" | "containsIp" => &[
            "10.0.0.0/8",
            "192.168.0.0/16",
            "::1/128",
            "2001:db8::/32",
            "127.0.0.1",
        ],
        "matchesLquery" => &["tech.*", "*.rust.*", "*{1}", "tech|life.*", "!tech.*", "*"],
        _ => return None,
    };
    Some(strings(items))
}

/// A value of the scalar `name`, the operand of `op` when it is an operator's.
fn scalar(name: &str, op: Option<&str>, mode: Mode) -> BoxedStrategy<Value> {
    let well_formed: BoxedStrategy<Value> = match name {
        "Int" => {
            return prop_oneof![
                Just(i32::MIN),
                Just(i32::MAX),
                Just(0),
                Just(-1),
                -5..60i32,
                any::<i32>()
            ]
            .prop_map(|n| json!(n))
            .boxed();
        }
        "Float" => {
            return prop_oneof![
                Just(f64::MAX),
                Just(f64::MIN),
                Just(f64::MIN_POSITIVE),
                Just(5e-324),
                Just(-0.0),
                0.0..6.0f64,
                any::<f64>().prop_filter("finite", |f| f.is_finite()),
            ]
            .prop_map(|f| json!(f))
            .boxed();
        }
        "Boolean" => return any::<bool>().prop_map(|b| json!(b)).boxed(),
        "String" => op.and_then(operator_text).unwrap_or_else(text),
        "ID" => uuid().prop_map(Value::String).boxed(),
        "Date" => date().prop_map(Value::String).boxed(),
        "DateTime" => date_time().prop_map(Value::String).boxed(),
        "IpAddress" => ip().prop_map(Value::String).boxed(),
        "LTree" => ltree().prop_map(Value::String).boxed(),
        _ => text(),
    };
    if mode == Mode::WellFormed {
        return well_formed;
    }
    let mut wild = vec![(2, well_formed), (2, tricky())];
    if !matches!(name, "String" | "ID") {
        wild.push((1, any_json()));
    }
    wild.extend(aimed(name, op).map(|s| (5, s)));
    Union::new_weighted(wild).boxed()
}

/// Engine bugs tolerated while a fix is pending, as (SQLSTATE, message text) of the
/// DATABASE_ERROR they surface as. Empty: every known one is fixed; keep it empty.
const KNOWN_ENGINE_BUGS: &[(&str, &str)] = &[];

/// How many errors [`KNOWN_ENGINE_BUGS`] excused, for the summary.
static EXCUSED: AtomicUsize = AtomicUsize::new(0);

fn known_bug(error: &Value) -> bool {
    let message = error["message"].as_str().unwrap_or_default();
    let known = error["extensions"]["code"] == "DATABASE_ERROR"
        && KNOWN_ENGINE_BUGS.iter().any(|(state, text)| {
            message.starts_with(&format!("Database error {state}:")) && message.contains(text)
        });
    if known {
        EXCUSED.fetch_add(1, Ordering::Relaxed);
    }
    known
}

/// The errors of a response that break the property, as text; empty when it holds.
fn violations(response: &Value, mode: Mode) -> Vec<String> {
    let errors = response["errors"].as_array().cloned().unwrap_or_default();
    let mut out: Vec<String> = errors
        .iter()
        .filter(|e| match mode {
            Mode::WellFormed => true,
            Mode::Wild => e["extensions"]["code"] != "BAD_USER_INPUT" && !known_bug(e),
        })
        .map(Value::to_string)
        .collect();
    if response.get("data").is_none() && errors.is_empty() {
        out.push(format!("neither data nor errors: {response}"));
    }
    out
}

/// A root field under test.
struct Root {
    field: &'static str,
    entity: &'static str,
    connection: bool,
}

const ROOTS: &[Root] = &[
    Root {
        field: "users",
        entity: "User",
        connection: false,
    },
    Root {
        field: "posts",
        entity: "Post",
        connection: false,
    },
    Root {
        field: "comments",
        entity: "Comment",
        connection: false,
    },
    Root {
        field: "usersConnection",
        entity: "User",
        connection: true,
    },
    Root {
        field: "postsConnection",
        entity: "Post",
        connection: true,
    },
];

fn document(root: &Root) -> String {
    let Root { field, entity, .. } = root;
    if root.connection {
        format!(
            "query($w: {entity}WhereInput, $o: [{entity}OrderByInput!], $first: Int, $after: String, $last: Int, $before: String) {{ \
             {field}(where: $w, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {{ \
             totalCount edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"
        )
    } else {
        format!(
            "query($w: {entity}WhereInput, $o: [{entity}OrderByInput!]) {{ {field}(where: $w, orderBy: $o, limit: 5) {{ id }} }}"
        )
    }
}

/// Sends one request and checks its response; returns the response.
async fn request(
    state: &AppState,
    root: &Root,
    mode: Mode,
    variables: Value,
) -> Result<Value, TestCaseError> {
    let response = support::execute(state, &document(root), variables.clone()).await;
    let bad = violations(&response, mode);
    if bad.is_empty() {
        Ok(response)
    } else {
        Err(TestCaseError::fail(format!(
            "{}({variables}):\n{}",
            root.field,
            bad.join("\n")
        )))
    }
}

/// Checks one input: a list root once; a connection's first page, then the page after its
/// end cursor and the page before it.
async fn check(
    state: &AppState,
    root: &Root,
    mode: Mode,
    input: &Value,
) -> Result<(), TestCaseError> {
    let (w, o) = (&input["w"], &input["o"]);
    if !root.connection {
        return request(state, root, mode, json!({ "w": w, "o": o }))
            .await
            .map(drop);
    }
    let page = request(state, root, mode, json!({ "w": w, "o": o, "first": 3 })).await?;
    let end = &page["data"][root.field]["pageInfo"]["endCursor"];
    if end.is_string() {
        request(
            state,
            root,
            mode,
            json!({ "w": w, "o": o, "first": 3, "after": end }),
        )
        .await?;
        request(
            state,
            root,
            mode,
            json!({ "w": w, "o": o, "last": 2, "before": end }),
        )
        .await?;
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Runs the property for one root and mode; the minimal failing input when it fails.
fn run(
    runtime: &tokio::runtime::Runtime,
    state: &AppState,
    root: &Root,
    mode: Mode,
) -> Option<String> {
    let schema = &state.executor.engine.schema.served;
    let mut inputs = Inputs::new(schema, mode);
    let strategy = (
        inputs.argument(root.field, "where"),
        inputs.argument(root.field, "orderBy"),
    )
        .prop_map(|(w, o)| json!({ "w": w, "o": o }));
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    match runner.run(&strategy, |input| {
        runtime.block_on(check(state, root, mode, &input))
    }) {
        Ok(()) => None,
        Err(TestError::Fail(reason, input)) => Some(format!(
            "{} ({mode:?}): minimal failing input {input}\n{reason}",
            root.field
        )),
        Err(TestError::Abort(reason)) => {
            Some(format!("{} ({mode:?}): aborted: {reason}", root.field))
        }
    }
}

#[test]
fn where_and_order_by_never_fail_in_postgresql() {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let (db, state) = runtime.block_on(support::demo("property"));
    let failures: Vec<String> = [Mode::WellFormed, Mode::Wild]
        .into_iter()
        .flat_map(|mode| ROOTS.iter().map(move |root| (root, mode)))
        .filter_map(|(root, mode)| run(&runtime, &state, root, mode))
        .collect();
    drop(state);
    drop(db);
    eprintln!(
        "property: {} errors excused as known engine bugs (KNOWN_ENGINE_BUGS)",
        EXCUSED.load(Ordering::Relaxed)
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
