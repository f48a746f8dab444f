//! Field collection (the spec's CollectFields) and argument values.

use apollo_compiler::ast::Value;
use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::response::{JsonMap, JsonValue};
use apollo_compiler::{ExecutableDocument, Node, Schema};
use indexmap::IndexMap;

/// What the planner reads from: the served schema, the document and the coerced variables.
pub(crate) struct Ctx<'d> {
    pub schema: &'d Schema,
    pub doc: &'d ExecutableDocument,
    pub vars: &'d JsonMap,
}

/// The fields of one response key, merged across fragments.
pub(crate) struct Collected<'d> {
    pub key: &'d str,
    pub fields: Vec<&'d Node<Field>>,
}

impl<'d> Collected<'d> {
    pub(crate) fn first(&self) -> &'d Node<Field> {
        self.fields[0]
    }

    /// Line and column of the first field, for errors.
    pub(crate) fn location(&self, doc: &ExecutableDocument) -> Option<(usize, usize)> {
        let lc = self.first().location()?.line_column(&doc.sources)?;
        Some((lc.line, lc.column))
    }

    /// The merged sub-selections of every field under this key.
    pub(crate) fn sub_selections(&self) -> impl Iterator<Item = &'d SelectionSet> + '_ {
        self.fields.iter().map(|f| &f.selection_set)
    }
}

impl<'d> Ctx<'d> {
    /// Collects the fields of `sets` for an object of type `type_name`, applying
    /// `@skip`/`@include` and fragments whose type condition applies.
    pub(crate) fn collect(
        &self,
        type_name: &str,
        sets: impl IntoIterator<Item = &'d SelectionSet>,
    ) -> Vec<Collected<'d>> {
        let mut out: IndexMap<&'d str, Vec<&'d Node<Field>>> = IndexMap::new();
        let mut visited = Vec::new();
        for set in sets {
            self.collect_into(type_name, set, &mut out, &mut visited);
        }
        out.into_iter()
            .map(|(key, fields)| Collected { key, fields })
            .collect()
    }

    fn collect_into(
        &self,
        type_name: &str,
        set: &'d SelectionSet,
        out: &mut IndexMap<&'d str, Vec<&'d Node<Field>>>,
        visited: &mut Vec<&'d str>,
    ) {
        for selection in &set.selections {
            if !self.included(selection.directives()) {
                continue;
            }
            match selection {
                Selection::Field(f) => out.entry(f.response_key().as_str()).or_default().push(f),
                Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name.as_str();
                    if visited.contains(&name) {
                        continue;
                    }
                    visited.push(name);
                    if let Some(fragment) = self.doc.fragments.get(name)
                        && self.applies(fragment.type_condition().as_str(), type_name)
                    {
                        self.collect_into(type_name, &fragment.selection_set, out, visited);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let applies = inline
                        .type_condition
                        .as_ref()
                        .is_none_or(|c| self.applies(c.as_str(), type_name));
                    if applies {
                        self.collect_into(type_name, &inline.selection_set, out, visited);
                    }
                }
            }
        }
    }

    fn applies(&self, condition: &str, type_name: &str) -> bool {
        condition == type_name || self.schema.is_subtype(condition, type_name)
    }

    fn included(&self, directives: &apollo_compiler::executable::DirectiveList) -> bool {
        for d in directives.iter() {
            let want = match d.name.as_str() {
                "skip" => false,
                "include" => true,
                _ => continue,
            };
            let value = d
                .specified_argument_by_name("if")
                .map(|v| self.value(v))
                .and_then(|v| v.and_then(|v| v.as_bool()));
            if value.is_some_and(|v| v != want) {
                return false;
            }
        }
        true
    }

    /// A literal with its variables substituted; `None` when it is an absent variable.
    pub(crate) fn value(&self, v: &Value) -> Option<JsonValue> {
        Some(match v {
            Value::Null => JsonValue::Null,
            Value::Variable(name) => return self.vars.get(name.as_str()).cloned(),
            Value::Enum(e) => JsonValue::String(e.as_str().into()),
            Value::String(s) => JsonValue::String(s.as_str().into()),
            Value::Boolean(b) => JsonValue::Bool(*b),
            Value::Int(i) => i
                .as_str()
                .parse::<i64>()
                .map(JsonValue::from)
                .unwrap_or_else(|_| JsonValue::from(i.try_to_f64().unwrap_or(f64::NAN))),
            Value::Float(f) => JsonValue::from(f.try_to_f64().unwrap_or(f64::NAN)),
            Value::List(items) => JsonValue::Array(
                items
                    .iter()
                    .map(|i| self.value(i).unwrap_or(JsonValue::Null))
                    .collect(),
            ),
            Value::Object(fields) => {
                let mut map = JsonMap::new();
                for (k, v) in fields {
                    if let Some(v) = self.value(v) {
                        map.insert(k.as_str(), v);
                    }
                }
                JsonValue::Object(map)
            }
        })
    }

    /// The value of a field's argument: given, or its default, or `None`.
    pub(crate) fn arg(&self, field: &Field, name: &str) -> Option<JsonValue> {
        let given = field
            .arguments
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| self.value(&a.value));
        given.or_else(|| {
            field
                .definition
                .argument_by_name(name)
                .and_then(|d| d.default_value.as_ref())
                .and_then(|v| self.value(v))
        })
    }
}
