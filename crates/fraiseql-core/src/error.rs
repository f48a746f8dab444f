//! Error types of the core: schema building, binding and request planning.

use std::fmt;

/// Where something is in the user's SDL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceLoc {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for SourceLoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A schema that cannot be served: every problem found, each with its place.
#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.join("\n"))]
pub struct SchemaError {
    pub problems: Vec<String>,
}

impl SchemaError {
    pub(crate) fn one(problem: impl Into<String>) -> Self {
        SchemaError {
            problems: vec![problem.into()],
        }
    }
}

/// A GraphQL error produced before or during planning, in spec shape.
#[derive(Debug, Clone, PartialEq)]
pub struct GqlError {
    pub message: String,
    pub locations: Vec<(usize, usize)>,
    pub path: Vec<PathSegment>,
    pub code: &'static str,
}

/// One step of an error path.
#[derive(Debug, Clone, PartialEq)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

impl GqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        GqlError {
            message: message.into(),
            locations: Vec::new(),
            path: Vec::new(),
            code,
        }
    }

    pub fn at(mut self, loc: Option<(usize, usize)>) -> Self {
        self.locations.extend(loc);
        self
    }

    pub fn with_path(mut self, path: Vec<PathSegment>) -> Self {
        self.path = path;
        self
    }

    /// Serialises the error as a GraphQL error object.
    pub fn to_json(&self) -> serde_json::Value {
        let mut obj = serde_json::Map::new();
        obj.insert("message".into(), self.message.clone().into());
        if !self.locations.is_empty() {
            let locs = self
                .locations
                .iter()
                .map(|(l, c)| serde_json::json!({"line": l, "column": c}))
                .collect();
            obj.insert("locations".into(), serde_json::Value::Array(locs));
        }
        if !self.path.is_empty() {
            let path = self
                .path
                .iter()
                .map(|s| match s {
                    PathSegment::Key(k) => serde_json::Value::from(k.as_str()),
                    PathSegment::Index(i) => serde_json::Value::from(*i),
                })
                .collect();
            obj.insert("path".into(), serde_json::Value::Array(path));
        }
        obj.insert(
            "extensions".into(),
            serde_json::json!({ "code": self.code }),
        );
        serde_json::Value::Object(obj)
    }
}

/// Stable error codes (`extensions.code`).
pub mod codes {
    pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const OPERATION_NOT_FOUND: &str = "OPERATION_NOT_FOUND";
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const NON_NULL_VIOLATION: &str = "NON_NULL_VIOLATION";
    pub const DATABASE_ERROR: &str = "DATABASE_ERROR";
    pub const DATABASE_UNAVAILABLE: &str = "DATABASE_UNAVAILABLE";
    pub const TIMEOUT: &str = "TIMEOUT";
    pub const INTERNAL: &str = "INTERNAL_SERVER_ERROR";
    pub const NOT_SUPPORTED: &str = "NOT_SUPPORTED";
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
}
