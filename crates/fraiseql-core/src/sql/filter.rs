//! `where` → SQL predicate, driven by the operator table.

use apollo_compiler::response::JsonValue;

use crate::error::{GqlError, codes};
use crate::operators::{Op, OpDef, array_operator, scalar_operator};
use crate::scalars::ScalarKind;
use crate::schema::CompiledSchema;
use crate::schema::model::{FieldKind, FieldModel, ObjectModel, quote_ident};
use crate::sql::{Param, Sql, json_get, json_get_text};

/// Where a row's JSON lives, and its real columns when it is a view row.
pub(crate) struct Row<'a> {
    /// A jsonb expression: `r."data"`, or an array element.
    pub base: String,
    /// Alias of the view row whose real columns may be used (`r`), with the columns.
    pub columns: Option<(&'a str, &'a std::collections::HashMap<String, String>)>,
}

impl Row<'_> {
    pub(crate) fn nested(base: String) -> Row<'static> {
        Row {
            base,
            columns: None,
        }
    }
}

/// The SQL forms of one scalar value being filtered or sorted.
pub(crate) struct Target {
    /// The value as SQL text.
    pub text: String,
    /// The value with its comparison type.
    pub typed: String,
    /// The cast applied to an operand to compare with `typed` (`::numeric`), empty for text.
    pub cast: String,
    /// An expression that is SQL NULL exactly when the value is null or absent.
    pub nullable: String,
    pub kind: Option<ScalarKind>,
}

/// The target of a scalar field: its real column when the view has one, else its JSON path.
pub(crate) fn target(field: &FieldModel, row: &Row<'_>) -> Target {
    let kind = match field.kind {
        FieldKind::Scalar(k) => Some(k),
        _ => None,
    };
    if let Some((alias, columns)) = row.columns
        && let Some(col_type) = columns.get(&field.json_key)
    {
        let col = format!("{alias}.{}", quote_ident(&field.json_key));
        let is_text = matches!(col_type.as_str(), "text" | "character varying" | "name")
            || col_type.starts_with("character varying(")
            || col_type.starts_with("character(");
        return Target {
            text: if is_text {
                col.clone()
            } else {
                format!("{col}::text")
            },
            typed: col.clone(),
            cast: format!("::{col_type}"),
            nullable: col,
            kind,
        };
    }
    let text = json_get_text(&row.base, &field.json_key);
    let (typed, cast) = match kind.and_then(ScalarKind::sql_cast) {
        Some("jsonb") => (
            format!(
                "nullif({}, 'null'::jsonb)",
                json_get(&row.base, &field.json_key)
            ),
            "::jsonb".to_owned(),
        ),
        Some(c) => (format!("{text}::{c}"), format!("::{c}")),
        None => (text.clone(), String::new()),
    };
    Target {
        nullable: text.clone(),
        text,
        typed,
        cast,
        kind,
    }
}

fn bad(path: &str, message: impl std::fmt::Display) -> GqlError {
    GqlError::new(codes::BAD_USER_INPUT, format!("{path}: {message}"))
}

/// A request value as the text PostgreSQL parses: strings as is, other JSON as JSON.
pub(crate) fn value_text(v: &JsonValue) -> String {
    match v {
        JsonValue::String(s) => s.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// Input coercion of a list: a single value stands for a list of one.
fn as_list(v: &JsonValue) -> Vec<&JsonValue> {
    match v {
        JsonValue::Array(items) => items.iter().collect(),
        JsonValue::Null => Vec::new(),
        one => vec![one],
    }
}

fn json_array_param(v: &JsonValue) -> String {
    let items: Vec<JsonValue> = as_list(v).into_iter().cloned().collect();
    JsonValue::Array(items).to_string()
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Joins conditions with AND; `None` when there are none.
pub(crate) fn and_all(conds: Vec<String>) -> Option<String> {
    match conds.len() {
        0 => None,
        1 => conds.into_iter().next(),
        _ => Some(format!("({})", conds.join(" AND "))),
    }
}

/// Compiles the `where` value of `object` into a predicate (`None`: no condition).
pub(crate) fn compile(
    sql: &mut Sql,
    schema: &CompiledSchema,
    object: &ObjectModel,
    value: &JsonValue,
    row: &Row<'_>,
    path: &str,
) -> Result<Option<String>, GqlError> {
    let JsonValue::Object(entries) = value else {
        return Ok(None);
    };
    let mut conds = Vec::new();
    for (key, v) in entries.iter() {
        let key = key.as_str();
        if v.is_null() {
            continue;
        }
        let here = format!("{path}.{key}");
        match key {
            "_and" | "_or" => {
                let mut parts = Vec::new();
                for (i, item) in as_list(v).into_iter().enumerate() {
                    let part = compile(sql, schema, object, item, row, &format!("{here}[{i}]"))?;
                    parts.push(part.unwrap_or_else(|| "true".to_owned()));
                }
                let (join, empty) = if key == "_and" {
                    (" AND ", "true")
                } else {
                    (" OR ", "false")
                };
                conds.push(if parts.is_empty() {
                    empty.to_owned()
                } else {
                    format!("({})", parts.join(join))
                });
            }
            "_not" => {
                // An empty filter matches every row, so its negation matches none.
                conds.push(match compile(sql, schema, object, v, row, &here)? {
                    Some(inner) => format!("NOT coalesce({inner}, false)"),
                    None => "false".to_owned(),
                });
            }
            _ => {
                let field = object
                    .fields
                    .get(key)
                    .ok_or_else(|| bad(&here, format!("{} has no field {key}", object.name)))?;
                if let Some(c) = field_condition(sql, schema, field, v, row, &here)? {
                    conds.push(c);
                }
            }
        }
    }
    Ok(and_all(conds))
}

fn field_condition(
    sql: &mut Sql,
    schema: &CompiledSchema,
    field: &FieldModel,
    v: &JsonValue,
    row: &Row<'_>,
    path: &str,
) -> Result<Option<String>, GqlError> {
    match (&field.kind, field.is_list()) {
        (FieldKind::Object(name), list) => {
            let nested = schema
                .objects
                .get(name)
                .ok_or_else(|| bad(path, format!("unknown type {name}")))?;
            if !list
                && let Some(rel) = &field.relation
                && let Some((alias, columns)) = row.columns
                && columns.contains_key(&rel.column)
                && let Some(view) = rel
                    .view_type
                    .as_ref()
                    .and_then(|t| schema.objects.get(t))
                    .and_then(|o| o.view.as_ref())
            {
                return related_condition(sql, schema, nested, view, rel, alias, v, path);
            }
            let jsonb = json_get(&row.base, &field.json_key);
            if list {
                list_condition(sql, schema, nested, &jsonb, v, path)
            } else {
                compile(sql, schema, nested, v, &Row::nested(jsonb), path)
            }
        }
        (_, true) => array_condition(sql, field, v, row, path),
        (_, false) => {
            let target = target(field, row);
            operators(sql, &target, v, path, |name| {
                scalar_operator(target.kind.filter(|_| field.kind != FieldKind::Enum), name)
            })
        }
    }
}

/// A filter on an embedded object declared with `@relation`: a semi-join on the related
/// row of the target's view, so its real columns (and indexes) serve the filter instead of
/// the parent's JSON, which PostgreSQL would have to build for every candidate row.
#[allow(clippy::too_many_arguments)]
fn related_condition(
    sql: &mut Sql,
    schema: &CompiledSchema,
    nested: &ObjectModel,
    view: &crate::schema::model::ViewModel,
    rel: &crate::schema::model::Relation,
    parent_alias: &str,
    v: &JsonValue,
    path: &str,
) -> Result<Option<String>, GqlError> {
    let alias = sql.alias("j");
    let inner_row = Row {
        base: format!("{alias}.{}", quote_ident(&view.column)),
        columns: Some((alias.as_str(), &view.columns)),
    };
    let Some(inner) = compile(sql, schema, nested, v, &inner_row, path)? else {
        return Ok(None);
    };
    Ok(Some(format!(
        "EXISTS (SELECT 1 FROM {} AS {alias} WHERE {alias}.{} = {parent_alias}.{} AND {inner})",
        view.quoted,
        quote_ident(&rel.references),
        quote_ident(&rel.column),
    )))
}

/// Applies each operator of a filter input to a target.
fn operators(
    sql: &mut Sql,
    t: &Target,
    v: &JsonValue,
    path: &str,
    lookup: impl Fn(&str) -> Option<&'static OpDef>,
) -> Result<Option<String>, GqlError> {
    let JsonValue::Object(ops) = v else {
        return Err(bad(path, "expected an object of operators"));
    };
    let mut conds = Vec::new();
    for (name, operand) in ops.iter() {
        if operand.is_null() {
            continue;
        }
        let here = format!("{path}.{}", name.as_str());
        let def = lookup(name.as_str()).ok_or_else(|| bad(&here, "unknown operator"))?;
        conds.push(scalar_op(sql, t, def.op, operand, &here)?);
    }
    Ok(and_all(conds))
}

fn bool_operand(operand: &JsonValue, path: &str) -> Result<bool, GqlError> {
    operand
        .as_bool()
        .ok_or_else(|| bad(path, "expected a Boolean"))
}

pub(crate) fn scalar_op(
    sql: &mut Sql,
    t: &Target,
    op: Op,
    operand: &JsonValue,
    path: &str,
) -> Result<String, GqlError> {
    // Equality's selectivity barely depends on the value; a range's or pattern's does.
    if !matches!(op, Op::Eq | Op::Neq | Op::In | Op::Nin | Op::IsNull) {
        sql.custom_plan = true;
    }
    // A JSON field compares JSON values: its operands are JSON-encoded, strings included.
    let is_json = t.kind == Some(ScalarKind::Json);
    let value_text = |v: &JsonValue| {
        if is_json {
            v.to_string()
        } else {
            value_text(v)
        }
    };
    let cmp = |sql: &mut Sql, sym: &str| {
        let p = sql.text(value_text(operand));
        format!("{} {sym} {p}{}", t.typed, t.cast)
    };
    let like = |sql: &mut Sql, sym: &str, pattern: String| {
        format!("{} {sym} {}", t.text, sql.text(pattern))
    };
    let s = || value_text(operand);
    Ok(match op {
        Op::Eq => cmp(sql, "="),
        Op::Neq => cmp(sql, "<>"),
        Op::Gt => cmp(sql, ">"),
        Op::Gte => cmp(sql, ">="),
        Op::Lt => cmp(sql, "<"),
        Op::Lte => cmp(sql, "<="),
        Op::In | Op::Nin => {
            let values = as_list(operand).into_iter().map(value_text).collect();
            let p = sql.bind(Param::TextArray(values));
            let array_cast = if t.cast.is_empty() {
                String::new()
            } else {
                format!("{}[]", t.cast)
            };
            if op == Op::In {
                format!("{} = ANY({p}{array_cast})", t.typed)
            } else {
                // `x <> ALL('{}')` is true for a null x: exclude nulls explicitly.
                format!(
                    "({} IS NOT NULL AND {} <> ALL({p}{array_cast}))",
                    t.nullable, t.typed
                )
            }
        }
        Op::IsNull => {
            let not = if bool_operand(operand, path)? {
                ""
            } else {
                "NOT "
            };
            format!("{} IS {not}NULL", t.nullable)
        }
        Op::Contains => like(sql, "LIKE", format!("%{}%", like_escape(&s()))),
        Op::Icontains => like(sql, "ILIKE", format!("%{}%", like_escape(&s()))),
        Op::StartsWith => like(sql, "LIKE", format!("{}%", like_escape(&s()))),
        Op::IstartsWith => like(sql, "ILIKE", format!("{}%", like_escape(&s()))),
        Op::EndsWith => like(sql, "LIKE", format!("%{}", like_escape(&s()))),
        Op::IendsWith => like(sql, "ILIKE", format!("%{}", like_escape(&s()))),
        Op::Like => like(sql, "LIKE", s()),
        Op::Ilike => like(sql, "ILIKE", s()),
        Op::Regex => like(sql, "~", s()),
        Op::Iregex => like(sql, "~*", s()),
        Op::Matches | Op::PlainQuery | Op::PhraseQuery | Op::WebsearchQuery => {
            let f = match op {
                Op::Matches => "to_tsquery",
                Op::PlainQuery => "plainto_tsquery",
                Op::PhraseQuery => "phraseto_tsquery",
                _ => "websearch_to_tsquery",
            };
            // A scalar subquery: the query text is parsed once, not once per row.
            format!("to_tsvector({}) @@ (SELECT {f}({}))", t.text, sql.text(s()))
        }
        Op::InSubnet => format!("{} <<= {}::inet", t.typed, sql.text(s())),
        Op::ContainsIp => format!("{} >>= {}::inet", t.typed, sql.text(s())),
        Op::IsPrivate | Op::IsLoopback | Op::IsIpv4 | Op::IsIpv6 => {
            let x = &t.typed;
            let cond = match op {
                Op::IsPrivate => format!(
                    "({x} <<= '10.0.0.0/8'::inet OR {x} <<= '172.16.0.0/12'::inet OR {x} <<= '192.168.0.0/16'::inet OR {x} <<= 'fc00::/7'::inet)"
                ),
                Op::IsLoopback => format!("({x} <<= '127.0.0.0/8'::inet OR {x} = '::1'::inet)"),
                Op::IsIpv4 => format!("family({x}) = 4"),
                _ => format!("family({x}) = 6"),
            };
            if bool_operand(operand, path)? {
                cond
            } else {
                format!("NOT {cond}")
            }
        }
        Op::AncestorOf => format!("{} @> {}::ltree", t.typed, sql.text(s())),
        Op::DescendantOf => format!("{} <@ {}::ltree", t.typed, sql.text(s())),
        Op::MatchesLquery => format!("{} ~ {}::lquery", t.typed, sql.text(s())),
        Op::Depth => {
            let depth = int_target(format!("nlevel({})", t.typed));
            return Ok(
                operators(sql, &depth, operand, path, int_op)?.unwrap_or_else(|| "true".to_owned())
            );
        }
        Op::ArrayContains | Op::ArrayContainedBy | Op::ArrayOverlaps | Op::ArrayLength => {
            return Err(bad(path, "array operator on a scalar field"));
        }
    })
}

fn int_op(name: &str) -> Option<&'static OpDef> {
    scalar_operator(Some(ScalarKind::Int), name)
}

/// A computed integer, filtered with IntFilter.
fn int_target(expr: String) -> Target {
    Target {
        text: format!("({expr})::text"),
        typed: expr.clone(),
        cast: "::numeric".to_owned(),
        nullable: expr,
        kind: Some(ScalarKind::Int),
    }
}

fn array_condition(
    sql: &mut Sql,
    field: &FieldModel,
    v: &JsonValue,
    row: &Row<'_>,
    path: &str,
) -> Result<Option<String>, GqlError> {
    sql.custom_plan = true;
    let JsonValue::Object(ops) = v else {
        return Err(bad(path, "expected an object of operators"));
    };
    let arr = json_get(&row.base, &field.json_key);
    let mut conds = Vec::new();
    for (name, operand) in ops.iter() {
        if operand.is_null() {
            continue;
        }
        let here = format!("{path}.{}", name.as_str());
        let def = array_operator(name.as_str()).ok_or_else(|| bad(&here, "unknown operator"))?;
        conds.push(match def.op {
            Op::ArrayContains => format!("{arr} @> {}::jsonb", sql.text(json_array_param(operand))),
            Op::ArrayContainedBy => format!("{arr} <@ {}::jsonb", sql.text(json_array_param(operand))),
            Op::ArrayOverlaps => {
                let p = sql.text(json_array_param(operand));
                let x = sql.alias("x");
                format!("EXISTS (SELECT 1 FROM jsonb_array_elements({p}::jsonb) AS {x}(v) WHERE {arr} @> jsonb_build_array({x}.v))")
            }
            Op::ArrayLength => {
                let len = int_target(format!(
                    "CASE WHEN jsonb_typeof({arr}) = 'array' THEN jsonb_array_length({arr}) END"
                ));
                match operators(sql, &len, operand, &here, int_op)? {
                    Some(c) => c,
                    None => continue,
                }
            }
            Op::IsNull => {
                let not = if bool_operand(operand, &here)? { "" } else { "NOT " };
                format!("nullif({arr}, 'null'::jsonb) IS {not}NULL")
            }
            _ => return Err(bad(&here, "unknown operator")),
        });
    }
    Ok(and_all(conds))
}

fn list_condition(
    sql: &mut Sql,
    schema: &CompiledSchema,
    element: &ObjectModel,
    arr: &str,
    v: &JsonValue,
    path: &str,
) -> Result<Option<String>, GqlError> {
    sql.custom_plan = true;
    let JsonValue::Object(ops) = v else {
        return Err(bad(path, "expected an object with some, every or none"));
    };
    let mut conds = Vec::new();
    for (name, operand) in ops.iter() {
        if operand.is_null() {
            continue;
        }
        let name = name.as_str();
        let here = format!("{path}.{name}");
        if name == "isNull" {
            let not = if bool_operand(operand, &here)? {
                ""
            } else {
                "NOT "
            };
            conds.push(format!("nullif({arr}, 'null'::jsonb) IS {not}NULL"));
            continue;
        }
        let e = sql.alias("e");
        let cond = compile(
            sql,
            schema,
            element,
            operand,
            &Row::nested(format!("{e}.v")),
            &here,
        )?
        .unwrap_or_else(|| "true".to_owned());
        let elements = format!(
            "jsonb_array_elements(CASE WHEN jsonb_typeof({arr}) = 'array' THEN {arr} ELSE '[]'::jsonb END) AS {e}(v)"
        );
        conds.push(match name {
            "some" => format!("EXISTS (SELECT 1 FROM {elements} WHERE {cond})"),
            "every" => {
                format!("NOT EXISTS (SELECT 1 FROM {elements} WHERE NOT coalesce({cond}, false))")
            }
            "none" => format!("NOT EXISTS (SELECT 1 FROM {elements} WHERE {cond})"),
            _ => {
                return Err(bad(
                    &here,
                    "unknown operator (expected some, every, none or isNull)",
                ));
            }
        });
    }
    Ok(and_all(conds))
}
