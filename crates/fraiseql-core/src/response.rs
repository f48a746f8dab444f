//! Response assembly: PostgreSQL's JSON text is spliced into the body as is,
//! unless a null might need propagating, in which case it is completed per the spec.

use std::fmt::Write;

use crate::error::{GqlError, PathSegment};
use crate::plan::{Plan, Step};

/// The result of one statement: its JSON text, no row (null), or an error.
pub type QueryOutcome = Result<Option<String>, GqlError>;

/// Builds the response body. `outcomes` holds one entry per `Step::Query`, in order.
pub fn assemble(plan: &Plan, outcomes: Vec<QueryOutcome>) -> String {
    let mut errors: Vec<GqlError> = Vec::new();
    let mut data = String::with_capacity(256);
    let mut data_is_null = false;
    let mut outcomes = outcomes.into_iter();
    data.push('{');
    for (i, step) in plan.steps.iter().enumerate() {
        if i > 0 {
            data.push(',');
        }
        let (key, value, non_null) = match step {
            Step::Value { key, json } => (key, Some(json.clone()), false),
            Step::Error {
                key,
                error,
                non_null,
            } => {
                errors.push(error.clone());
                (key, None, *non_null)
            }
            Step::Query { key, shape, .. } => {
                let outcome = outcomes.next().unwrap_or(Ok(None));
                let value = match outcome {
                    Err(mut e) => {
                        e.path = vec![PathSegment::Key(key.clone())];
                        if e.locations.is_empty() {
                            e.locations.extend(shape.loc);
                        }
                        errors.push(e);
                        None
                    }
                    Ok(None) => {
                        let mut v = serde_json::Value::Null;
                        let _ = shape.complete(
                            &mut v,
                            &mut vec![PathSegment::Key(key.clone())],
                            &mut errors,
                        );
                        None
                    }
                    Ok(Some(text)) => complete(text, shape, key, &mut errors),
                };
                (key, value, shape.non_null)
            }
        };
        let _ = write!(data, "\"{key}\":");
        match value {
            Some(v) => data.push_str(&v),
            None => {
                data.push_str("null");
                data_is_null |= non_null;
            }
        }
    }
    data.push('}');
    let mut out = String::with_capacity(data.len() + 64);
    out.push('{');
    if !errors.is_empty() {
        out.push_str("\"errors\":");
        let list: Vec<serde_json::Value> = errors.iter().map(GqlError::to_json).collect();
        out.push_str(&serde_json::Value::Array(list).to_string());
        out.push(',');
    }
    out.push_str("\"data\":");
    out.push_str(if data_is_null { "null" } else { &data });
    out.push('}');
    out
}

/// The fast path keeps PostgreSQL's text untouched: without any `null` in it,
/// no non-null field can be violated.
fn complete(
    text: String,
    shape: &crate::shape::Shape,
    key: &str,
    errors: &mut Vec<GqlError>,
) -> Option<String> {
    if !shape.has_non_null() || memchr::memmem::find(text.as_bytes(), b"null").is_none() {
        return Some(text);
    }
    let mut v: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(_) => return Some(text),
    };
    let before = errors.len();
    match shape.complete(&mut v, &mut vec![PathSegment::Key(key.to_owned())], errors) {
        Err(_) => None,
        Ok(()) if errors.len() == before => Some(text),
        Ok(()) => Some(v.to_string()),
    }
}

/// A response with request errors only (no `data` key).
pub fn request_errors(errors: &[GqlError]) -> String {
    let list: Vec<serde_json::Value> = errors.iter().map(GqlError::to_json).collect();
    serde_json::json!({ "errors": list }).to_string()
}
