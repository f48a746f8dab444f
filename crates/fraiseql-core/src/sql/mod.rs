//! SQL generation: one statement per root field, every request value a bound parameter.

pub mod filter;
pub mod mutation;
pub mod order;
pub mod project;
pub mod select;

use std::fmt::Write;

/// A bound parameter. The SQL names its type with a cast (`$1::text`), so a
/// plain `prepare` infers the types and the statement is self-describing.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    TextArray(Vec<String>),
    Int(i64),
    /// A text value taken from the request context at execution time (the tenant id):
    /// the statement's text is the same for every tenant, so plans stay shared.
    Context(String),
    /// The text of the request's variable in slot `i` of a shared plan (see
    /// `Engine::plan_request`): the statement is planned once per document and each
    /// request binds its own values.
    Slot(usize),
}

impl Param {
    /// The PostgreSQL type name used in the SQL cast.
    pub fn type_name(&self) -> &'static str {
        match self {
            Param::Text(_) | Param::Context(_) | Param::Slot(_) => "text",
            Param::TextArray(_) => "text[]",
            Param::Int(_) => "int8",
        }
    }

    /// The parameter as JSON, for `fraiseql explain` and golden tests.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Param::Text(s) => s.as_str().into(),
            Param::TextArray(v) => v.clone().into(),
            Param::Int(i) => (*i).into(),
            Param::Context(key) => serde_json::json!({ "context": key }),
            Param::Slot(i) => serde_json::json!({ "slot": i }),
        }
    }
}

/// A statement ready to run: the SQL returns one row with one text column
/// (the root field's JSON) or no row (null).
#[derive(Debug, Clone, PartialEq)]
pub struct SqlQuery {
    pub sql: String,
    pub params: Vec<Param>,
    /// The statement filters with an operator whose selectivity depends on the value (a
    /// range, a pattern, an array or JSON test): run it unnamed, so PostgreSQL plans it
    /// with the values each time instead of settling on a generic plan that ignores them.
    pub custom_plan: bool,
}

/// Builds one statement: the text, its parameters and fresh aliases.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub params: Vec<Param>,
    aliases: usize,
    /// See [`SqlQuery::custom_plan`].
    pub custom_plan: bool,
}

impl Sql {
    /// Binds a parameter and returns its placeholder with its type cast, e.g. `$3::text`.
    pub(crate) fn bind(&mut self, p: Param) -> String {
        let ty = p.type_name();
        self.params.push(p);
        format!("${}::{ty}", self.params.len())
    }

    pub(crate) fn text(&mut self, s: impl Into<String>) -> String {
        self.bind(Param::Text(s.into()))
    }

    /// A fresh alias for a subquery or set-returning function.
    pub(crate) fn alias(&mut self, prefix: &str) -> String {
        self.aliases += 1;
        format!("{prefix}{}", self.aliases)
    }
}

/// An SQL string literal. Only used for names the engine itself validated
/// (GraphQL names, JSON keys from the schema), never for request values.
pub(crate) fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `base->'key'`.
pub(crate) fn json_get(base: &str, key: &str) -> String {
    let mut s = String::with_capacity(base.len() + key.len() + 6);
    let _ = write!(s, "{base}->{}", literal(key));
    s
}

/// `(base->>'key')`.
pub(crate) fn json_get_text(base: &str, key: &str) -> String {
    format!("({base}->>{})", literal(key))
}
