//! Validation conformance: graphql-js's validation test cases run through apollo-compiler.
//!
//! The corpus (`shared/conformance/graphql-js-validation-corpus.jsonl`, beside the
//! repository) holds graphql-js's own validation tests as JSON lines: a document, the
//! schema it is checked against, and the errors graphql-js reports. Executable documents
//! go through what the engine runs per request, `ExecutableDocument::parse_and_validate`
//! then `introspection::check_max_depth`; SDL documents through what it runs on the user's
//! schema, schema building and validation. Message text is never compared:
//!
//! - the verdict (valid or not) of every case. An executable case is expected to be
//!   invalid when graphql-js's full rule set reports an error (`errors_all_rules`); an SDL
//!   case when its rule under test does (`errors`, the only errors the corpus gives);
//! - the error locations, where the corpus pins them: an executable case whose errors all
//!   come from the rule under test must be reported at the same places (each graphql-js
//!   error at one of its locations, and nowhere else); an SDL case must have each error of
//!   its rule reported at one of its locations (other rules' errors are not recorded).
//!   Executable cases that also break other rules (mostly documents written against
//!   another schema) are compared by verdict only.
//!
//! Where apollo-compiler legitimately differs, the case is listed in [`KNOWN`] with the
//! reason. Any other disagreement fails the test, and so does a listed case that agrees.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::validation::{DiagnosticList, Valid};
use apollo_compiler::{ExecutableDocument, Schema};
use serde::Deserialize;

/// One line of the corpus.
#[derive(Debug, Deserialize)]
struct Case {
    test: String,
    /// `executable` or `sdl`.
    kind: String,
    rule: String,
    /// `@testSchema`, an SDL text, or (for SDL cases) null or a base schema being extended.
    schema: Option<String>,
    source: String,
    /// Errors of the rule under test alone.
    errors: Vec<JsError>,
    /// Errors of all of graphql-js's specified rules (executable cases only).
    errors_all_rules: Option<Vec<JsError>>,
}

#[derive(Debug, Deserialize)]
struct JsError {
    #[serde(default)]
    locations: Vec<Loc>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Loc {
    line: usize,
    column: usize,
}

/// How apollo-compiler disagrees with graphql-js on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Disagreement {
    /// graphql-js rejects the document, apollo-compiler accepts it.
    MissedError,
    /// apollo-compiler rejects a document graphql-js accepts.
    ExtraError,
    /// Both reject it, but not at the same places.
    Locations,
}

use Disagreement::{ExtraError, Locations, MissedError};

const FULL_SCHEMA: &str = "apollo-compiler validates the whole schema (a query root type, fields in every \
     object, interface and input type, members in unions, values in enums, interfaces implemented \
     only by interfaces); graphql-js leaves these to assertValidSchema, and the corpus records only \
     its SDL rules";
const EXECUTABLE_IN_SDL: &str = "apollo-compiler rejects an operation or fragment in a schema document; \
     graphql-js's SDL validation ignores them";
const OTHER_SDL_RULE: &str = "the document breaks another graphql-js rule (unknown type, or a \
     non-repeatable directive on both a definition and its extension); for SDL cases the corpus \
     records only the rule under test";
const DISTINCT_ROOTS: &str = "apollo-compiler enforces that the query, mutation and subscription root \
     types differ (GraphQL spec, Root Operation Types); graphql-js 16 does not check it";
const ONE_OF: &str = "apollo-compiler 1.x does not implement @oneOf input objects (graphql-js 16.9 \
     does); the harness declares the directive so that the test schema builds";
const NULL_DEFAULT: &str = "apollo-compiler lets a nullable variable with any default, even null, flow \
     into a non-null position; the spec's IsVariableUsageAllowed requires a non-null default";
const SUBSCRIPTION_FIELDS: &str = "apollo-compiler counts a subscription's root field selections \
     before merging same-named ones; graphql-js counts response keys (`newMessage` twice is one field)";
const SUBSCRIPTION_ROOT: &str = "apollo-compiler rejects an operation whose root type the schema does \
     not define; graphql-js 16 has no validation rule for it (execution fails instead)";
const INTROSPECTION_DEPTH: &str = "check_max_depth reports one error, at the first field past the \
     limit; graphql-js reports each root introspection field whose selection is too deep";
const SUBSCRIPTION_AT_OPERATION: &str = "apollo-compiler points at the subscription operation, \
     graphql-js at the extra root fields";
const VARIABLE_AT_ARGUMENT: &str = "apollo-compiler points at the argument, graphql-js at the \
     variable's definition and its use";
const INPUT_FIELD_AT_VALUE: &str = "apollo-compiler points at the unknown input field's value, \
     graphql-js at its name";
const EXTENSION_KIND_AT_NAME: &str = "apollo-compiler points at the extension's type name, graphql-js \
     at the definition and the extension";
const BUILT_IN_REDEFINED: &str = "apollo-compiler lets a schema redefine a built-in directive (@skip); \
     it rejects this document only for a missing query root and an empty type";
const STOPS_AT_UNDEFINED: &str = "apollo-compiler reports the extensions of undefined types and not \
     the directives repeated on them";
const STOPS_AT_DUPLICATE_TYPE: &str = "apollo-compiler reports the scalar defined twice and not the \
     directive repeated across its definitions";
const STOPS_AT_EXECUTABLE: &str = "apollo-compiler reports the operation and fragment in the schema \
     document and not the unknown type";

/// Cases where apollo-compiler legitimately differs from graphql-js, keyed by the corpus's
/// test name (with ` [n]` for the n-th case of a name used more than once).
#[rustfmt::skip]
const KNOWN: &[(&str, Disagreement, &str)] = &[
    // Verdicts: SDL.
    ("Validate: Known directives > within SDL > with overridden standard directive", ExtraError, OTHER_SDL_RULE),
    ("Validate: Known directives > within SDL > with well placed directives", ExtraError, OTHER_SDL_RULE),
    ("Validate: Known type names > within SDL > reference types defined inside the same document", ExtraError, FULL_SCHEMA),
    ("Validate: Known type names > within SDL > reference standard types inside extension document", ExtraError, FULL_SCHEMA),
    ("Validate: Known type names > within SDL > reference types inside extension document", ExtraError, FULL_SCHEMA),
    ("Validate: Possible type extensions > no extensions", ExtraError, FULL_SCHEMA),
    ("Validate: Possible type extensions > one extension per type", ExtraError, FULL_SCHEMA),
    ("Validate: Possible type extensions > many extensions per type", ExtraError, FULL_SCHEMA),
    ("Validate: Possible type extensions > extending types within existing schema", ExtraError, FULL_SCHEMA),
    ("Validate: Unique argument definition names > no args", ExtraError, FULL_SCHEMA),
    ("Validate: Unique argument definition names > one argument", ExtraError, FULL_SCHEMA),
    ("Validate: Unique argument definition names > multiple arguments", ExtraError, FULL_SCHEMA),
    ("Validate: Unique directive names > no directive", ExtraError, FULL_SCHEMA),
    ("Validate: Unique directive names > one directive", ExtraError, FULL_SCHEMA),
    ("Validate: Unique directive names > many directives", ExtraError, FULL_SCHEMA),
    ("Validate: Unique directive names > directive and non-directive definitions named the same", ExtraError, EXECUTABLE_IN_SDL),
    ("Validate: Unique directive names > adding new directive to existing schema", ExtraError, FULL_SCHEMA),
    ("Validate: Unique directive names > adding new directive to existing schema with same-named type", ExtraError, FULL_SCHEMA),
    ("Validate: Unique enum value names > no values", ExtraError, FULL_SCHEMA),
    ("Validate: Unique enum value names > one value", ExtraError, FULL_SCHEMA),
    ("Validate: Unique enum value names > multiple values", ExtraError, FULL_SCHEMA),
    ("Validate: Unique enum value names > extend enum with new value", ExtraError, FULL_SCHEMA),
    ("Validate: Unique enum value names > adding new value to the type inside existing schema", ExtraError, FULL_SCHEMA),
    ("Validate: Unique field definition names > no fields", ExtraError, FULL_SCHEMA),
    ("Validate: Unique field definition names > one field", ExtraError, FULL_SCHEMA),
    ("Validate: Unique field definition names > multiple fields", ExtraError, FULL_SCHEMA),
    ("Validate: Unique field definition names > extend type with new field", ExtraError, FULL_SCHEMA),
    ("Validate: Unique field definition names > adding new field to the type inside existing schema", ExtraError, FULL_SCHEMA),
    ("Validate: Unique operation types > no schema definition", ExtraError, FULL_SCHEMA),
    ("Validate: Unique operation types > schema definition with all types", ExtraError, DISTINCT_ROOTS),
    ("Validate: Unique operation types > schema definition with single extension", ExtraError, DISTINCT_ROOTS),
    ("Validate: Unique operation types > schema definition with separate extensions", ExtraError, DISTINCT_ROOTS),
    ("Validate: Unique operation types > extend schema before definition", ExtraError, DISTINCT_ROOTS),
    ("Validate: Unique operation types > define schema inside extension SDL", ExtraError, DISTINCT_ROOTS),
    ("Validate: Unique operation types > define and extend schema inside extension SDL", ExtraError, DISTINCT_ROOTS),
    ("Validate: Unique operation types > adding new operation types to existing schema", ExtraError, OTHER_SDL_RULE),
    ("Validate: Unique type names > no types", ExtraError, FULL_SCHEMA),
    ("Validate: Unique type names > one type", ExtraError, FULL_SCHEMA),
    ("Validate: Unique type names > many types", ExtraError, FULL_SCHEMA),
    ("Validate: Unique type names > type and non-type definitions named the same", ExtraError, EXECUTABLE_IN_SDL),
    ("Validate: Unique type names > adding new type to existing schema", ExtraError, FULL_SCHEMA),
    ("Validate: Unique type names > adding new type to existing schema with same-named directive", ExtraError, FULL_SCHEMA),
    // Verdicts: executable documents.
    ("Validate: Subscriptions with single field > valid subscription with fragment and field", ExtraError, SUBSCRIPTION_FIELDS),
    ("Validate: Subscriptions with single field > skips if not subscription type", ExtraError, SUBSCRIPTION_ROOT),
    ("Validate: Values of correct type > Invalid oneOf input object value > Exactly one null field", MissedError, ONE_OF),
    ("Validate: Values of correct type > Invalid oneOf input object value > Exactly one nullable variable", MissedError, ONE_OF),
    ("Validate: Values of correct type > Invalid oneOf input object value > More than one field", MissedError, ONE_OF),
    ("Validates OneOf Input Objects > Forbids one nullable variable", MissedError, ONE_OF),
    ("Validate: Variables are in allowed positions > Allows optional (nullable) variables with default values > Int => Int! fails when variable provides null default value", MissedError, NULL_DEFAULT),
    // Locations: executable documents.
    ("Validate: Max introspection nodes rule > 3 fields deep introspection query from __schema", Locations, INTROSPECTION_DEPTH),
    ("Validate: Max introspection nodes rule > 3 interfaces deep introspection query from __schema", Locations, INTROSPECTION_DEPTH),
    ("Validate: Max introspection nodes rule > 3 possibleTypes deep introspection query from __schema", Locations, INTROSPECTION_DEPTH),
    ("Validate: Max introspection nodes rule > 3 inputFields deep introspection query from __schema", Locations, INTROSPECTION_DEPTH),
    ("Validate: Max introspection nodes rule > 3 fields deep introspection query from multiple __schema", Locations, INTROSPECTION_DEPTH),
    ("Validate: Max introspection nodes rule > 3 fields deep from varying parents introspection query", Locations, INTROSPECTION_DEPTH),
    ("Validate: Max introspection nodes rule > 3 fields deep introspection query with inline fragments", Locations, INTROSPECTION_DEPTH),
    ("Validate: Max introspection nodes rule > 3 fields deep introspection query with fragments", Locations, INTROSPECTION_DEPTH),
    ("Validate: Max introspection nodes rule > 3 fields deep inside inline fragment on query", Locations, INTROSPECTION_DEPTH),
    ("Validate: Subscriptions with single field > fails with more than one root field", Locations, SUBSCRIPTION_AT_OPERATION),
    ("Validate: Subscriptions with single field > fails with more than one root field including introspection", Locations, SUBSCRIPTION_AT_OPERATION),
    ("Validate: Subscriptions with single field > fails with more than one root field including aliased introspection via fragment", Locations, SUBSCRIPTION_AT_OPERATION),
    ("Validate: Subscriptions with single field > fails with many more than one root field", Locations, SUBSCRIPTION_AT_OPERATION),
    ("Validate: Subscriptions with single field > fails with many more than one root field via fragments", Locations, SUBSCRIPTION_AT_OPERATION),
    ("Validate: Subscriptions with single field > fails with more than one root field in anonymous subscriptions", Locations, SUBSCRIPTION_AT_OPERATION),
    ("Validate: Values of correct type > Invalid input object value > Partial object, unknown field arg", Locations, INPUT_FIELD_AT_VALUE),
    ("Validate: Variables are in allowed positions > Int => Int!", Locations, VARIABLE_AT_ARGUMENT),
    ("Validate: Variables are in allowed positions > Int => Int! within fragment", Locations, VARIABLE_AT_ARGUMENT),
    ("Validate: Variables are in allowed positions > Int => Int! within nested fragment", Locations, VARIABLE_AT_ARGUMENT),
    ("Validate: Variables are in allowed positions > String over Boolean", Locations, VARIABLE_AT_ARGUMENT),
    ("Validate: Variables are in allowed positions > String => [String]", Locations, VARIABLE_AT_ARGUMENT),
    ("Validate: Variables are in allowed positions > [String] => [String!]", Locations, VARIABLE_AT_ARGUMENT),
    // Locations: SDL.
    ("Validate: Known type names > within SDL > does not consider non-type definitions", Locations, STOPS_AT_EXECUTABLE),
    ("Validate: Possible type extensions > extending with different kinds", Locations, EXTENSION_KIND_AT_NAME),
    ("Validate: Possible type extensions > extending types with different kinds within existing schema", Locations, EXTENSION_KIND_AT_NAME),
    ("Validate: Unique directive names > adding new directive with standard name to existing schema", Locations, BUILT_IN_REDEFINED),
    ("Validate: Directives Are Unique Per Location > duplicate directives on SDL extensions", Locations, STOPS_AT_UNDEFINED),
    ("Validate: Directives Are Unique Per Location > duplicate directives between SDL definitions and extensions [2]", Locations, STOPS_AT_DUPLICATE_TYPE),
];

fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance")
}

fn read(name: &str) -> String {
    let path = shared_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): the conformance corpus lives in shared/ beside the repository",
            path.display()
        )
    })
}

/// The path diagnostics name the document under test by.
const DOC: &str = "document.graphql";

/// The location of each diagnostic in the document under test (not in its schema).
fn apollo_locations(errors: &DiagnosticList) -> BTreeSet<Loc> {
    errors
        .iter()
        .filter_map(|d| {
            let span = d.error.location()?;
            let file = d.sources.get(&span.file_id())?;
            if file.path().to_str() != Some(DOC) {
                return None;
            }
            let lc = span.line_column(d.sources)?;
            Some(Loc {
                line: lc.line,
                column: lc.column,
            })
        })
        .collect()
}

/// apollo-compiler's verdict: `None` when valid, else the error locations in the document.
type Verdict = Option<BTreeSet<Loc>>;

fn validate_executable(schema: &Valid<Schema>, source: &str) -> Verdict {
    let doc = match ExecutableDocument::parse_and_validate(schema, source, DOC) {
        Ok(doc) => doc,
        Err(with) => return Some(apollo_locations(&with.errors)),
    };
    let mut depth_errors = doc
        .operations
        .iter()
        .filter_map(|op| apollo_compiler::introspection::check_max_depth(&doc, op).err())
        .peekable();
    depth_errors.peek()?;
    Some(
        depth_errors
            .flat_map(|e| e.to_graphql_error(&doc.sources).locations)
            .map(|l| Loc {
                line: l.line,
                column: l.column,
            })
            .collect(),
    )
}

fn validate_sdl(base: Option<&str>, source: &str) -> Verdict {
    let mut builder = Schema::builder();
    if let Some(base) = base {
        builder = builder.parse(base, "base.graphql");
    }
    let result = builder
        .parse(source, DOC)
        .build()
        .map_err(|with| with.errors)
        .and_then(|schema| schema.validate().map_err(|with| with.errors));
    result.err().map(|errors| apollo_locations(&errors))
}

/// apollo-compiler 1.x predates `@oneOf`: a schema using it declares it (see [`ONE_OF`]).
fn with_one_of(sdl: &str) -> String {
    if sdl.contains("@oneOf") && !sdl.contains("directive @oneOf") {
        format!("{sdl}\ndirective @oneOf on INPUT_OBJECT\n")
    } else {
        sdl.to_owned()
    }
}

/// Whether each error is reported at one of its locations.
fn each_found(errors: &[JsError], got: &BTreeSet<Loc>) -> bool {
    errors
        .iter()
        .all(|e| e.locations.is_empty() || e.locations.iter().any(|l| got.contains(l)))
}

fn locations_of(errors: &[JsError]) -> BTreeSet<Loc> {
    errors
        .iter()
        .flat_map(|e| e.locations.iter().copied())
        .collect()
}

/// What is compared of one case, and whether its locations are.
struct Outcome {
    disagreement: Option<Disagreement>,
    locations_compared: bool,
}

/// Compares one case.
fn compare(case: &Case, schemas: &mut HashMap<String, Valid<Schema>>) -> Outcome {
    let (expected, got, compare_locations) = if case.kind == "sdl" {
        let got = validate_sdl(case.schema.as_deref(), &case.source);
        (&case.errors, got, true)
    } else {
        let sdl = case
            .schema
            .as_deref()
            .expect("executable cases name a schema");
        let schema = schemas.entry(sdl.to_owned()).or_insert_with(|| {
            Schema::parse_and_validate(with_one_of(sdl), "schema.graphql")
                .unwrap_or_else(|e| panic!("{}: its schema is invalid: {}", case.test, e.errors))
        });
        let all = case
            .errors_all_rules
            .as_ref()
            .expect("executable cases give errors_all_rules");
        let focused = locations_of(all) == locations_of(&case.errors);
        (all, validate_executable(schema, &case.source), focused)
    };
    let disagreement = match (expected.is_empty(), &got) {
        (true, None) => None,
        (true, Some(_)) => Some(ExtraError),
        (false, None) => Some(MissedError),
        (false, Some(_)) if !compare_locations => None,
        (false, Some(got)) => {
            let agree = each_found(expected, got)
                && (case.kind == "sdl" || got.is_subset(&locations_of(expected)));
            (!agree).then_some(Locations)
        }
    };
    Outcome {
        disagreement,
        locations_compared: compare_locations && !expected.is_empty() && got.is_some(),
    }
}

#[test]
fn graphql_js_validation_corpus() {
    let test_schema = read("graphql-js-validation-testSchema.graphql");
    let corpus = read("graphql-js-validation-corpus.jsonl");
    let mut cases: Vec<Case> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("corpus line {}: {e}", i + 1))
        })
        .collect();
    assert_eq!(cases.len(), 536, "the corpus has 536 cases");
    for case in &mut cases {
        if case.schema.as_deref() == Some("@testSchema") {
            case.schema = Some(test_schema.clone());
        }
    }
    let mut occurrences: HashMap<&str, usize> = HashMap::new();
    let mut schemas = HashMap::new();
    let (mut verdicts_agree, mut locations_compared, mut locations_agree) = (0, 0, 0);
    let (mut new, mut stale, mut listed) = (Vec::new(), Vec::new(), Vec::new());
    for case in &cases {
        let n = occurrences.entry(case.test.as_str()).or_default();
        *n += 1;
        let key = match *n {
            1 => case.test.clone(),
            n => format!("{} [{n}]", case.test),
        };
        let outcome = compare(case, &mut schemas);
        let d = outcome.disagreement;
        verdicts_agree += usize::from(!matches!(d, Some(MissedError | ExtraError)));
        locations_compared += usize::from(outcome.locations_compared);
        locations_agree += usize::from(outcome.locations_compared && d.is_none());
        match (d, KNOWN.iter().find(|(k, ..)| *k == key)) {
            (None, None) => {}
            (None, Some(_)) => stale.push(key),
            (Some(d), Some((_, k, _))) if d == *k => listed.push(key),
            (Some(d), _) => new.push(format!("({key:?}, {d:?}) [{}]", case.rule)),
        }
    }
    eprintln!(
        "graphql-js validation corpus: verdicts agree on {verdicts_agree} of {} cases; \
         locations agree on {locations_agree} of {locations_compared} compared; \
         {} known disagreements",
        cases.len(),
        listed.len()
    );
    assert!(
        new.is_empty(),
        "{} disagreements with graphql-js not in KNOWN (fix them, or list them with the reason):\n{}",
        new.len(),
        new.join("\n")
    );
    assert!(
        stale.is_empty(),
        "these cases now agree with graphql-js, remove them from KNOWN:\n{}",
        stale.join("\n")
    );
}
