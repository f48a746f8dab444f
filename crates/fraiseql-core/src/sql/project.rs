//! Projection in SQL: the selection becomes `json_build_object(...)` over the
//! JSONB, keys in selection order, so PostgreSQL returns the response text.

use std::fmt::Write;

use crate::sql::literal;

/// One projected key: a response key and the SQL expression of its JSON value.
#[derive(Debug)]
pub(crate) struct Item {
    pub key: String,
    pub expr: String,
    /// The expression is SQL text to be emitted as a JSON string (`__typename`).
    pub is_text: bool,
}

/// json_build_object takes at most 100 arguments; wider objects are built as text.
const MAX_PAIRS: usize = 50;

/// Builds the JSON object expression for the items, in order.
pub(crate) fn object(items: &[Item]) -> String {
    if items.len() <= MAX_PAIRS {
        let mut s = String::from("json_build_object(");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "{}, {}", literal(&item.key), item.expr);
        }
        s.push(')');
        return s;
    }
    let mut s = String::from("('{'");
    for (i, item) in items.iter().enumerate() {
        let sep = if i > 0 { "," } else { "" };
        let value = if item.is_text {
            format!("to_json({}::text)::text", item.expr)
        } else {
            format!("coalesce(({})::text, 'null')", item.expr)
        };
        let _ = write!(
            s,
            " || {} || {value}",
            literal(&format!("{sep}\"{}\":", item.key))
        );
    }
    s.push_str(" || '}')::json");
    s
}

/// `CASE WHEN jsonb_typeof(e) = 'object' THEN <obj> END`: a JSON value that is
/// not an object projects to null.
pub(crate) fn guard_object(jsonb: &str, obj: &str) -> String {
    format!("CASE WHEN jsonb_typeof({jsonb}) = 'object' THEN {obj} END")
}

/// A JSON array of objects, each projected, order kept; null when not an array.
pub(crate) fn array_of(jsonb: &str, alias: &str, element_obj: &str) -> String {
    format!(
        "CASE WHEN jsonb_typeof({jsonb}) = 'array' THEN coalesce((SELECT json_agg({element_obj} ORDER BY {alias}.i) FROM jsonb_array_elements({jsonb}) WITH ORDINALITY AS {alias}(v, i)), '[]'::json) END"
    )
}
