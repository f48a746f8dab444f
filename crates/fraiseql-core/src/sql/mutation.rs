//! Mutation root fields → one function call whose response row is projected
//! into the result union in SQL, entity included, exactly as queries project.

use std::collections::HashMap;

use apollo_compiler::ast::Type;
use apollo_compiler::response::JsonValue;
use apollo_compiler::schema::ExtendedType;

use crate::error::{GqlError, codes};
use crate::naming::to_snake_case;
use crate::plan::collect::Collected;
use crate::schema::model::{ArgsMode, MutationField, RowShape, quote_ident};
use crate::shape::{Shape, ShapeKind};
use crate::sql::project::{self, Item, guard_object};
use crate::sql::select::Planner;
use crate::sql::{Param, Sql, SqlQuery, literal};

/// Values from the request context (user id, tenant id, ...), by key.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub values: HashMap<String, String>,
    /// The request's roles, inheritance resolved (for `@auth`).
    pub roles: std::collections::BTreeSet<String>,
    /// The request's permissions, roles' permissions included (for `@requires`).
    pub permissions: std::collections::BTreeSet<String>,
}

/// A field of the error member, for errors raised inside the function.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorField {
    Typename(String),
    Status,
    Code,
    Message,
    Details,
}

/// How to write the error member when the function raised an exception.
#[derive(Debug, Clone, Default)]
pub struct ErrorTemplate {
    pub fields: Vec<(String, ErrorField)>,
}

impl ErrorTemplate {
    /// The error member's JSON, in selection order.
    pub fn render(&self, code: &str, status: &str, message: &str) -> String {
        let mut map = serde_json::Map::new();
        for (key, f) in &self.fields {
            let v = match f {
                ErrorField::Typename(t) => serde_json::Value::from(t.as_str()),
                ErrorField::Status => status.into(),
                ErrorField::Code => code.into(),
                ErrorField::Message => message.into(),
                ErrorField::Details => serde_json::Value::Null,
            };
            map.insert(key.clone(), v);
        }
        serde_json::Value::Object(map).to_string()
    }
}

struct Columns {
    ok: &'static str,
    noop: &'static str,
    status: &'static str,
    code: &'static str,
    details: &'static str,
}

const V2: Columns = Columns {
    ok: "coalesce(m.succeeded, false)",
    noop: "NOT coalesce(m.state_changed, true)",
    status: "coalesce(m.status_detail, CASE WHEN m.succeeded THEN CASE WHEN coalesce(m.state_changed, true) THEN 'success' ELSE 'noop' END ELSE coalesce(m.error_class, 'failed') END)",
    code: "upper(coalesce(m.error_class, 'failed'))",
    details: "m.error_detail",
};

const V1: Columns = Columns {
    ok: "coalesce(split_part(m.status, ':', 1) IN ('created', 'updated', 'deleted', 'success', 'noop'), false)",
    noop: "coalesce(m.status LIKE 'noop%', false)",
    status: "coalesce(m.status, 'failed:no_status')",
    code: "upper(split_part(coalesce(m.status, 'failed'), ':', 1))",
    details: "m.metadata",
};

impl<'a> Planner<'a> {
    /// Plans one mutation root field.
    pub(crate) fn mutation(
        &self,
        m: &MutationField,
        c: &Collected<'a>,
        context: &RequestContext,
    ) -> Result<(SqlQuery, Shape, ErrorTemplate), GqlError> {
        let binding = m.binding.as_ref().ok_or_else(|| {
            GqlError::new(
                codes::INTERNAL,
                format!("Mutation.{} is not bound to its function", m.name),
            )
        })?;
        let mut sql = Sql::default();
        let types: Vec<String> = binding.inputs.iter().map(|(_, t)| t.clone()).collect();
        let args = self.call_args(&mut sql, m, &types, c)?;
        // With every input named, pass them all by name: the context parameters may
        // come anywhere in the signature.
        let named = binding.inputs.iter().all(|(n, _)| !n.is_empty());
        let mut call_args: Vec<String> = if named {
            binding
                .inputs
                .iter()
                .zip(args)
                .map(|((n, _), a)| format!("{} => {a}", quote_ident(n)))
                .collect()
        } else {
            args
        };
        for (param, ty) in &binding.context {
            let value = match context.values.get(param) {
                Some(v) => format!("{}::{ty}", sql.text(v.clone())),
                None => format!("NULL::{ty}"),
            };
            call_args.push(format!("{} => {value}", quote_ident(param)));
        }
        let cols = match binding.shape {
            RowShape::V2 => &V2,
            RowShape::V1 => &V1,
        };
        let success = self.success_object(&mut sql, m, c, cols)?;
        let (error, template) = self.error_object(m, c, cols);
        let text = format!(
            "SELECT CASE WHEN {} THEN {success} ELSE {error} END::text FROM {}({}) AS m",
            cols.ok,
            m.quoted,
            call_args.join(", ")
        );
        let field = c.first();
        let shape = Shape::of(
            &field.definition.ty,
            ShapeKind::Leaf,
            format!("Mutation.{}", m.name),
            c.location(self.ctx.doc),
        );
        Ok((
            SqlQuery {
                sql: text,
                params: sql.params,
                custom_plan: sql.custom_plan,
            },
            shape,
            template,
        ))
    }

    fn call_args(
        &self,
        sql: &mut Sql,
        m: &MutationField,
        types: &[String],
        c: &Collected<'a>,
    ) -> Result<Vec<String>, GqlError> {
        let field = c.first();
        let def = &field.definition;
        match m.args_mode {
            ArgsMode::Jsonb => {
                let value = match def.arguments.as_slice() {
                    [arg] if self.is_input_object(&arg.ty) => {
                        let v = self.ctx.arg(field, &arg.name).unwrap_or(JsonValue::Null);
                        self.snake_keys(&v, &arg.ty)
                    }
                    args => {
                        let mut map = serde_json::Map::new();
                        for a in args {
                            if let Some(v) = self.ctx.arg(field, &a.name) {
                                map.insert(self.key(&a.name), self.snake_keys(&v, &a.ty));
                            }
                        }
                        serde_json::Value::Object(map)
                    }
                };
                let ty = types.first().map_or("jsonb", String::as_str);
                Ok(vec![format!("{}::{ty}", sql.text(value.to_string()))])
            }
            ArgsMode::Positional => {
                let inputs = self.schema.flattened_inputs(&m.name);
                let mut out = Vec::with_capacity(inputs.len());
                for ((arg, input_field), ty) in inputs.iter().zip(types) {
                    let mut value = self.ctx.arg(field, arg).unwrap_or(JsonValue::Null);
                    if let Some(f) = input_field {
                        value = match value {
                            JsonValue::Object(mut o) => {
                                o.remove(f.as_str()).unwrap_or(JsonValue::Null)
                            }
                            _ => JsonValue::Null,
                        };
                    }
                    if let JsonValue::Object(_) = value {
                        let converted = self.snake_all(&value);
                        out.push(format!("{}::{ty}", sql.text(converted.to_string())));
                        continue;
                    }
                    out.push(positional(sql, &value, ty));
                }
                Ok(out)
            }
        }
    }

    fn key(&self, name: &str) -> String {
        if self.schema.snake_case_keys {
            to_snake_case(name)
        } else {
            name.to_owned()
        }
    }

    fn is_input_object(&self, ty: &Type) -> bool {
        !ty.is_list()
            && matches!(
                self.schema.served.types.get(ty.inner_named_type()),
                Some(ExtendedType::InputObject(_))
            )
    }

    /// Converts a value of GraphQL input type `ty` to JSON with snake_case keys
    /// (input objects only: values of custom scalars such as JSON are kept as they are).
    fn snake_keys(&self, v: &JsonValue, ty: &Type) -> serde_json::Value {
        match (v, self.schema.served.types.get(ty.inner_named_type())) {
            (JsonValue::Array(items), _) if ty.is_list() => serde_json::Value::Array(
                items
                    .iter()
                    .map(|i| self.snake_keys(i, ty.item_type()))
                    .collect(),
            ),
            (JsonValue::Object(map), Some(ExtendedType::InputObject(def))) => {
                let mut out = serde_json::Map::new();
                for (k, val) in map.iter() {
                    let field_ty = def.fields.get(k.as_str()).map(|f| f.ty.as_ref().clone());
                    let converted = match field_ty {
                        Some(t) => self.snake_keys(val, &t),
                        None => serde_json::to_value(val).unwrap_or_default(),
                    };
                    out.insert(self.key(k.as_str()), converted);
                }
                serde_json::Value::Object(out)
            }
            (other, _) => serde_json::to_value(other).unwrap_or_default(),
        }
    }

    /// JSON with every object key in snake_case (POSITIONAL object arguments).
    fn snake_all(&self, v: &JsonValue) -> serde_json::Value {
        match v {
            JsonValue::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| (self.key(k.as_str()), self.snake_all(v)))
                    .collect(),
            ),
            JsonValue::Array(items) => {
                serde_json::Value::Array(items.iter().map(|i| self.snake_all(i)).collect())
            }
            other => serde_json::to_value(other).unwrap_or_default(),
        }
    }

    fn success_object(
        &self,
        sql: &mut Sql,
        m: &MutationField,
        c: &Collected<'a>,
        cols: &Columns,
    ) -> Result<String, GqlError> {
        let entity = self.schema.objects.get(&m.entity).ok_or_else(|| {
            GqlError::new(codes::INTERNAL, format!("unknown entity {}", m.entity))
        })?;
        let mut items = Vec::new();
        for sc in self.ctx.collect(&m.success, c.sub_selections()) {
            let f = sc.first();
            let (expr, is_text) = match f.name.as_str() {
                "__typename" => (literal(&m.success), true),
                "status" => (cols.status.to_owned(), false),
                "noop" => (cols.noop.to_owned(), false),
                "message" => ("m.message".to_owned(), false),
                "updatedFields" => (updated_fields(entity), false),
                "cascade" => {
                    let cascade = self
                        .schema
                        .objects
                        .get("Cascade")
                        .ok_or_else(|| GqlError::new(codes::INTERNAL, "no Cascade type"))?;
                    let (obj, _) =
                        self.project(sql, cascade, sc.sub_selections().collect(), "m.cascade")?;
                    (guard_object("m.cascade", &obj), false)
                }
                _ if f.definition.ty.inner_named_type() == m.entity.as_str() => {
                    let (obj, _) =
                        self.project(sql, entity, sc.sub_selections().collect(), "m.entity")?;
                    (guard_object("m.entity", &obj), false)
                }
                other => {
                    return Err(GqlError::new(
                        codes::INTERNAL,
                        format!(
                            "{}.{other} is not a field the engine can fill (status, noop, message, updatedFields, cascade, or the {} entity)",
                            m.success, m.entity
                        ),
                    ));
                }
            };
            items.push(Item {
                key: sc.key.to_owned(),
                expr,
                is_text,
            });
        }
        Ok(project::object(&items))
    }

    fn error_object(
        &self,
        m: &MutationField,
        c: &Collected<'a>,
        cols: &Columns,
    ) -> (String, ErrorTemplate) {
        let mut items = Vec::new();
        let mut template = ErrorTemplate::default();
        for ec in self.ctx.collect(&m.error, c.sub_selections()) {
            let (expr, is_text, f) = match ec.first().name.as_str() {
                "__typename" => (
                    literal(&m.error),
                    true,
                    ErrorField::Typename(m.error.clone()),
                ),
                "status" => (cols.status.to_owned(), false, ErrorField::Status),
                "code" => (cols.code.to_owned(), false, ErrorField::Code),
                "message" => ("m.message".to_owned(), false, ErrorField::Message),
                _ => (cols.details.to_owned(), false, ErrorField::Details),
            };
            template.fields.push((ec.key.to_owned(), f));
            items.push(Item {
                key: ec.key.to_owned(),
                expr,
                is_text,
            });
        }
        (project::object(&items), template)
    }
}

/// `updated_fields` as GraphQL field names: the function writes JSON keys
/// (`full_name`), clients select `fullName`.
fn updated_fields(entity: &crate::schema::model::ObjectModel) -> String {
    let renames: String = entity
        .fields
        .values()
        .filter(|f| f.json_key != f.name)
        .map(|f| format!(" WHEN {} THEN {}", literal(&f.json_key), literal(&f.name)))
        .collect();
    if renames.is_empty() {
        return "coalesce(to_json(m.updated_fields), '[]'::json)".to_owned();
    }
    format!(
        "coalesce((SELECT json_agg(CASE u.f{renames} ELSE u.f END ORDER BY u.o) FROM unnest(m.updated_fields) WITH ORDINALITY AS u(f, o)), '[]'::json)"
    )
}

/// One positional argument, cast to the parameter's type.
fn positional(sql: &mut Sql, v: &JsonValue, ty: &str) -> String {
    match v {
        JsonValue::Null => format!("NULL::{ty}"),
        JsonValue::String(s) => format!("{}::{ty}", sql.text(s.as_str())),
        JsonValue::Array(items)
            if ty.ends_with("[]") && items.iter().all(|i| !i.is_object() && !i.is_array()) =>
        {
            let texts = items
                .iter()
                .map(|i| match i {
                    JsonValue::String(s) => s.as_str().to_owned(),
                    other => other.to_string(),
                })
                .collect();
            format!("{}::{ty}", sql.bind(Param::TextArray(texts)))
        }
        other => format!("{}::{ty}", sql.text(other.to_string())),
    }
}
