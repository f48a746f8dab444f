//! Shared plans for operations with variables.
//!
//! An operation whose every variable is an `ID` or `String` used only where the planner
//! binds the value itself as one text parameter (a root field's equality argument, or the
//! operand of `eq`/`neq`/`gt`/`gte`/`lt`/`lte` inside a literal `where`) plans the same
//! SQL for every value. Such a document is planned once, at prepare time, with a unique
//! marker string per variable; the parameters equal to a marker become
//! [`Param::Slot`]s, and each request binds its own values to them. Anything else (a
//! marker left in the SQL, inside another parameter, in an error or a value; a plan
//! that consulted access rules) means the plan depends on the value, and the document
//! is planned per request as before.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::ast::Value;
use apollo_compiler::executable::{Operation, Selection, SelectionSet};

use crate::plan::{Plan, Step};
use crate::schema::CompiledSchema;
use crate::sql::Param;

/// Operators whose operand the planner binds as the value's text, unchanged.
const PASS_THROUGH_OPS: &[&str] = &["eq", "neq", "gt", "gte", "lt", "lte"];

const MARKER_PREFIX: &str = "\u{1}fraiseql-slot-";

/// A marker no request value is: control characters around the slot number.
pub(crate) fn marker(i: usize) -> String {
    format!("{MARKER_PREFIX}{i}\u{1}")
}

/// The variables of `operation` in slot order, when every one of them can be a slot.
pub(crate) fn slot_variables(
    schema: &CompiledSchema,
    doc: &ExecutableDocument,
    operation: &Operation,
) -> Option<Vec<String>> {
    if operation.variables.is_empty() {
        return None;
    }
    for v in &operation.variables {
        if v.ty.is_list() || !matches!(v.ty.inner_named_type().as_str(), "ID" | "String") {
            return None;
        }
    }
    let mut visited = Vec::new();
    let root = operation.object_type().as_str();
    if !set_is_safe(schema, doc, &operation.selection_set, root, &mut visited) {
        return None;
    }
    Some(
        operation
            .variables
            .iter()
            .map(|v| v.name.to_string())
            .collect(),
    )
}

fn has_variable(v: &Value) -> bool {
    match v {
        Value::Variable(_) => true,
        Value::List(items) => items.iter().any(|i| has_variable(i)),
        Value::Object(fields) => fields.iter().any(|(_, v)| has_variable(v)),
        _ => false,
    }
}

fn directives_are_literal(d: &apollo_compiler::executable::DirectiveList) -> bool {
    d.iter()
        .all(|d| d.arguments.iter().all(|a| !has_variable(&a.value)))
}

/// Every variable inside a `where` value is the direct operand of a pass-through operator.
fn where_is_safe(v: &Value) -> bool {
    match v {
        Value::Variable(_) => false,
        Value::List(items) => items.iter().all(|i| where_is_safe(i)),
        Value::Object(fields) => fields.iter().all(|(k, v)| match v.as_ref() {
            Value::Variable(_) => PASS_THROUGH_OPS.contains(&k.as_str()),
            other => where_is_safe(other),
        }),
        _ => true,
    }
}

fn set_is_safe<'d>(
    schema: &CompiledSchema,
    doc: &'d ExecutableDocument,
    set: &'d SelectionSet,
    root: &str,
    visited: &mut Vec<&'d str>,
) -> bool {
    let at_root = set.ty.as_str() == root;
    set.selections.iter().all(|selection| match selection {
        Selection::Field(f) => {
            directives_are_literal(&f.directives)
                && f.arguments.iter().all(|a| {
                    if !has_variable(&a.value) {
                        return true;
                    }
                    match a.value.as_ref() {
                        Value::Variable(_) => {
                            at_root
                                && schema.roots.get(f.name.as_str()).is_some_and(|r| {
                                    r.equality_args
                                        .iter()
                                        .any(|(arg, _)| arg == a.name.as_str())
                                })
                        }
                        other => a.name == "where" && where_is_safe(other),
                    }
                })
                && set_is_safe(schema, doc, &f.selection_set, root, visited)
        }
        Selection::FragmentSpread(spread) => {
            let name = spread.fragment_name.as_str();
            if !directives_are_literal(&spread.directives) {
                return false;
            }
            if visited.contains(&name) {
                return true;
            }
            visited.push(name);
            doc.fragments.get(name).is_some_and(|fragment| {
                directives_are_literal(&fragment.directives)
                    && set_is_safe(schema, doc, &fragment.selection_set, root, visited)
            })
        }
        Selection::InlineFragment(inline) => {
            directives_are_literal(&inline.directives)
                && set_is_safe(schema, doc, &inline.selection_set, root, visited)
        }
    })
}

/// A shared plan and its slots' variable names.
#[derive(Debug)]
pub(crate) struct SharedPlan {
    pub plan: std::sync::Arc<Plan>,
    pub names: Vec<String>,
}

impl SharedPlan {
    /// Turns a plan made with markers (one per name) into a shared plan: each parameter
    /// equal to the marker of slot `i` becomes `Param::Slot(i)`. `None` when a marker is
    /// left anywhere else (the SQL, another parameter, a shape, a value).
    pub(crate) fn new(mut plan: Plan, names: Vec<String>) -> Option<SharedPlan> {
        if plan.guarded || plan.serial {
            return None;
        }
        let markers: Vec<String> = (0..names.len()).map(marker).collect();
        for step in &mut plan.steps {
            match step {
                Step::Query { query, .. } => {
                    for p in &mut query.params {
                        if let Param::Text(s) = p
                            && let Some(i) = markers.iter().position(|m| m == s)
                        {
                            *p = Param::Slot(i);
                        }
                    }
                }
                Step::Value { .. } => {}
                // An error planned for a marker may not be one for a real value.
                Step::Error { .. } => return None,
            }
        }
        if format!("{plan:?}").contains(MARKER_PREFIX) {
            return None;
        }
        Some(SharedPlan {
            plan: std::sync::Arc::new(plan),
            names,
        })
    }
}
