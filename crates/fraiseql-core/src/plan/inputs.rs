//! Custom scalar values in the request (variables and literal arguments) are
//! checked before planning, so bad input never reaches the database.

use apollo_compiler::ast::Type;
use apollo_compiler::executable::{Operation, Selection, SelectionSet};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{ExecutableDocument, Schema};

use crate::error::{GqlError, codes};

/// Checks `value` of input type `ty`; each problem is (path, message).
fn check(
    schema: &Schema,
    ty: &Type,
    value: &JsonValue,
    path: &str,
    out: &mut Vec<(String, String)>,
) {
    match value {
        JsonValue::Null => {}
        JsonValue::Array(items) if ty.is_list() => {
            for (i, item) in items.iter().enumerate() {
                check(schema, ty.item_type(), item, &format!("{path}[{i}]"), out);
            }
        }
        _ if ty.is_list() => check(schema, ty.item_type(), value, path, out),
        _ => match schema.types.get(ty.inner_named_type()) {
            Some(ExtendedType::Scalar(s)) => {
                if let Err(m) = crate::scalars::validate(s.name.as_str(), value) {
                    out.push((path.to_owned(), m));
                }
            }
            Some(ExtendedType::InputObject(def)) => {
                if let JsonValue::Object(map) = value {
                    for (name, field) in &def.fields {
                        if let Some(v) = map.get(name.as_str()) {
                            check(schema, &field.ty, v, &format!("{path}.{name}"), out);
                        }
                    }
                }
            }
            _ => {}
        },
    }
}

fn line_column(
    span: Option<apollo_compiler::parser::SourceSpan>,
    doc: &ExecutableDocument,
) -> Option<(usize, usize)> {
    let lc = span?.line_column(&doc.sources)?;
    Some((lc.line, lc.column))
}

/// Checks the coerced variables against their declared types.
pub(crate) fn check_variables(
    schema: &Schema,
    doc: &ExecutableDocument,
    operation: &Operation,
    vars: &JsonMap,
) -> Vec<GqlError> {
    let mut errors = Vec::new();
    for def in &operation.variables {
        let Some(v) = vars.get(def.name.as_str()) else {
            continue;
        };
        let mut problems = Vec::new();
        check(schema, &def.ty, v, &def.name, &mut problems);
        let loc = line_column(def.location(), doc);
        for (path, m) in problems {
            errors.push(
                GqlError::new(
                    codes::BAD_USER_INPUT,
                    format!("Variable \"${}\" at {path}: {m}", def.name),
                )
                .at(loc),
            );
        }
    }
    errors
}

/// Checks the literal arguments of every field in the document.
pub(crate) fn check_literals(schema: &Schema, doc: &ExecutableDocument) -> Vec<GqlError> {
    let no_variables = JsonMap::new();
    let literals = crate::plan::collect::Ctx {
        schema,
        doc,
        vars: &no_variables,
    };
    let mut errors = Vec::new();
    let mut sets: Vec<&SelectionSet> = doc.operations.iter().map(|o| &o.selection_set).collect();
    sets.extend(doc.fragments.values().map(|f| &f.selection_set));
    while let Some(set) = sets.pop() {
        for sel in &set.selections {
            match sel {
                Selection::Field(f) => {
                    for arg in &f.arguments {
                        let Some(def) = f.definition.argument_by_name(&arg.name) else {
                            continue;
                        };
                        let mut problems = Vec::new();
                        // Variables are checked on their own: here they read as absent (null).
                        let value = literals.value(&arg.value).unwrap_or(JsonValue::Null);
                        check(schema, &def.ty, &value, &arg.name, &mut problems);
                        let loc = line_column(arg.location(), doc);
                        for (path, m) in problems {
                            errors.push(
                                GqlError::new(
                                    codes::VALIDATION_FAILED,
                                    format!(
                                        "Argument \"{}\" of \"{}\" at {path}: {m}",
                                        arg.name, f.name
                                    ),
                                )
                                .at(loc),
                            );
                        }
                    }
                    sets.push(&f.selection_set);
                }
                Selection::InlineFragment(i) => sets.push(&i.selection_set),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    errors
}
