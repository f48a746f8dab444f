//! `orderBy` → sort keys, and keyset conditions over them for connection cursors.

use apollo_compiler::response::JsonValue;

use crate::error::{GqlError, codes};
use crate::schema::CompiledSchema;
use crate::schema::model::{FieldKind, ObjectModel};
use crate::sql::filter::{Row, target};
use crate::sql::json_get;

/// One sort key.
#[derive(Debug, Clone)]
pub(crate) struct SortKey {
    /// The typed expression sorted on.
    pub expr: String,
    pub descending: bool,
    pub nulls_first: bool,
    /// The cast that turns a cursor's text back into the key's type (`::numeric`), empty for text.
    pub cast: String,
}

impl SortKey {
    pub(crate) fn sql(&self, expr: &str) -> String {
        format!(
            "{expr} {} NULLS {}",
            if self.descending { "DESC" } else { "ASC" },
            if self.nulls_first { "FIRST" } else { "LAST" }
        )
    }

    /// The same key sorted the other way (for `last`/`before`).
    pub(crate) fn flipped(&self) -> SortKey {
        SortKey {
            descending: !self.descending,
            nulls_first: !self.nulls_first,
            ..self.clone()
        }
    }
}

fn direction(name: &str) -> Option<(bool, bool)> {
    Some(match name {
        "ASC" | "ASC_NULLS_LAST" => (false, false),
        "DESC" | "DESC_NULLS_FIRST" => (true, true),
        "ASC_NULLS_FIRST" => (false, true),
        "DESC_NULLS_LAST" => (true, false),
        _ => return None,
    })
}

/// Compiles an `orderBy` value (a list of inputs, or one input) into sort keys.
pub(crate) fn compile(
    schema: &CompiledSchema,
    object: &ObjectModel,
    value: &JsonValue,
    row: &Row<'_>,
    path: &str,
    keys: &mut Vec<SortKey>,
) -> Result<(), GqlError> {
    match value {
        JsonValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                compile(schema, object, item, row, &format!("{path}[{i}]"), keys)?;
            }
        }
        JsonValue::Object(entries) => {
            for (name, v) in entries.iter() {
                if v.is_null() {
                    continue;
                }
                let here = format!("{path}.{}", name.as_str());
                let bad = |m: &str| GqlError::new(codes::BAD_USER_INPUT, format!("{here}: {m}"));
                let field = object
                    .fields
                    .get(name.as_str())
                    .ok_or_else(|| bad("unknown field"))?;
                match &field.kind {
                    FieldKind::Object(nested) => {
                        let nested_obj = schema
                            .objects
                            .get(nested)
                            .ok_or_else(|| bad("unknown type"))?;
                        let nested_row = Row::nested(json_get(&row.base, &field.json_key));
                        compile(schema, nested_obj, v, &nested_row, &here, keys)?;
                    }
                    _ => {
                        let dir = v
                            .as_str()
                            .and_then(direction)
                            .ok_or_else(|| bad("expected an OrderDirection"))?;
                        let t = target(field, row);
                        keys.push(SortKey {
                            expr: t.typed,
                            descending: dir.0,
                            nulls_first: dir.1,
                            cast: t.cast,
                        });
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// `ORDER BY` text for keys, reading each key from `exprs[i]`.
pub(crate) fn order_by(keys: &[SortKey], exprs: &[String]) -> String {
    keys.iter()
        .zip(exprs)
        .map(|(k, e)| k.sql(e))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The keyset predicate "the row comes strictly after the cursor" in the order of `keys`.
/// `row[i]` is the row's value of key i; the cursor is the jsonb array `cursor`.
pub(crate) fn after(keys: &[SortKey], row: &[String], cursor: &str) -> String {
    let mut ors = Vec::new();
    for i in 0..keys.len() {
        let mut ands: Vec<String> = (0..i)
            .map(|j| {
                format!(
                    "{} IS NOT DISTINCT FROM {}",
                    row[j],
                    cursor_value(&keys[j], cursor, j)
                )
            })
            .collect();
        ands.push(strictly_after(
            &keys[i],
            &row[i],
            &cursor_value(&keys[i], cursor, i),
        ));
        ors.push(format!("({})", ands.join(" AND ")));
    }
    format!("({})", ors.join(" OR "))
}

fn cursor_value(key: &SortKey, cursor: &str, i: usize) -> String {
    if key.cast == "::jsonb" {
        format!("nullif(({cursor})->{i}, 'null'::jsonb)")
    } else {
        format!("(({cursor})->>{i}){}", key.cast)
    }
}

fn strictly_after(key: &SortKey, v: &str, c: &str) -> String {
    let op = if key.descending { "<" } else { ">" };
    if key.nulls_first {
        format!("CASE WHEN {c} IS NULL THEN {v} IS NOT NULL ELSE coalesce({v} {op} {c}, false) END")
    } else {
        format!(
            "CASE WHEN {c} IS NULL THEN false ELSE ({v} IS NULL OR coalesce({v} {op} {c}, false)) END"
        )
    }
}
