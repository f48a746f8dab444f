//! Response assembly: PostgreSQL's JSON text is spliced into the body as is,
//! unless a null might need propagating, in which case it is completed per the spec.

use std::borrow::Cow;

use crate::error::{GqlError, PathSegment};
use crate::plan::{Plan, Step};

/// The result of one statement: its JSON text, no row (null), or an error.
pub type QueryOutcome = Result<Option<String>, GqlError>;

/// The start of a body without errors; the data object follows it.
const DATA_PREFIX: &str = "{\"data\":{";

/// Builds the response body. `outcomes` holds one entry per `Step::Query`, in order.
///
/// The body is written once, into a buffer sized from PostgreSQL's texts and the keys: on the
/// usual path (no error, data not null) each text is copied exactly once, into the body.
pub fn assemble(plan: &Plan, outcomes: Vec<QueryOutcome>) -> String {
    let mut errors: Vec<GqlError> = Vec::new();
    let mut data_is_null = false;
    // `"key":` and a `,` per field, "null" at most where there is no text.
    let capacity = DATA_PREFIX.len()
        + 2
        + plan
            .steps
            .iter()
            .map(|s| match s {
                Step::Value { key, json } => key.len() + 4 + json.len(),
                Step::Query { key, .. } | Step::Error { key, .. } => key.len() + 8,
            })
            .sum::<usize>()
        + outcomes
            .iter()
            .map(|o| match o {
                Ok(Some(text)) => text.len(),
                _ => 0,
            })
            .sum::<usize>();
    let mut out = String::with_capacity(capacity);
    out.push_str(DATA_PREFIX);
    let mut outcomes = outcomes.into_iter();
    for (i, step) in plan.steps.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let (key, value, non_null): (&str, Option<Cow<'_, str>>, bool) = match step {
            Step::Value { key, json } => (key, Some(Cow::Borrowed(json)), false),
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
                    Ok(Some(text)) => complete(text, shape, key, &mut errors).map(Cow::Owned),
                };
                (key, value, shape.non_null)
            }
        };
        out.push('"');
        out.push_str(key);
        out.push_str("\":");
        match value {
            Some(v) => out.push_str(&v),
            None => {
                out.push_str("null");
                data_is_null |= non_null;
            }
        }
    }
    out.push_str("}}");
    if errors.is_empty() && !data_is_null {
        return out;
    }
    // Errors come before data, and a null non-null root field nulls all of data: rewrite.
    let data = &out[DATA_PREFIX.len() - 1..out.len() - 1];
    let mut body = String::with_capacity(data.len() + 64);
    body.push('{');
    if !errors.is_empty() {
        body.push_str("\"errors\":");
        let list: Vec<serde_json::Value> = errors.iter().map(GqlError::to_json).collect();
        body.push_str(&serde_json::Value::Array(list).to_string());
        body.push(',');
    }
    body.push_str("\"data\":");
    body.push_str(if data_is_null { "null" } else { data });
    body.push('}');
    body
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
