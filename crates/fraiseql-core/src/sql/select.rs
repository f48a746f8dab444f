//! Root fields → one SQL statement each: lists, single rows and Relay connections.

use apollo_compiler::executable::SelectionSet;
use apollo_compiler::response::JsonValue;
use base64::Engine as _;

use crate::error::{GqlError, codes};
use crate::operators::Op;
use crate::plan::EngineOptions;
use crate::plan::collect::{Collected, Ctx};
use crate::schema::CompiledSchema;
use crate::schema::model::{FieldKind, ObjectModel, RootField, RootKind, ViewModel, quote_ident};
use crate::shape::{Shape, ShapeKind};
use crate::sql::filter::{self, Row, and_all, target};
use crate::sql::order::{self, SortKey};
use crate::sql::project::{self, Item, array_of, guard_object};
use crate::sql::{Param, Sql, SqlQuery, json_get, literal};

/// Plans root fields against the compiled schema.
pub(crate) struct Planner<'a> {
    pub ctx: &'a Ctx<'a>,
    pub schema: &'a CompiledSchema,
    pub options: &'a EngineOptions,
    /// The request's roles and permissions, for `@auth` / `@requires`.
    pub request: &'a crate::plan::RequestContext,
    /// Set when an access rule was consulted: the plan then depends on the request.
    pub guarded: std::cell::Cell<bool>,
}

fn bad(field: &str, message: impl std::fmt::Display) -> GqlError {
    GqlError::new(codes::BAD_USER_INPUT, format!("{field}: {message}"))
}

impl<'a> Planner<'a> {
    /// Plans one root field of Query into its statement and result shape.
    pub(crate) fn root(
        &self,
        root: &RootField,
        c: &Collected<'a>,
    ) -> Result<(SqlQuery, Shape), GqlError> {
        let entity = &self.schema.objects[&root.entity];
        let view = entity
            .view
            .as_ref()
            .ok_or_else(|| GqlError::new(codes::INTERNAL, "entity without view"))?;
        let mut sql = Sql::default();
        let field = c.first();
        let loc = c.location(self.ctx.doc);
        let (text, inner) = match root.kind {
            RootKind::List => self.list(&mut sql, root, entity, view, c)?,
            RootKind::Single => self.single(&mut sql, root, entity, view, c)?,
            RootKind::Connection => self.connection(&mut sql, root, entity, view, c)?,
        };
        let shape = Shape::of(
            &field.definition.ty,
            inner,
            format!("Query.{}", root.name),
            loc,
        );
        Ok((
            SqlQuery {
                sql: text,
                params: sql.params,
                custom_plan: sql.custom_plan,
            },
            shape,
        ))
    }

    fn row(view: &'a ViewModel) -> Row<'a> {
        Row {
            base: format!("r.{}", quote_ident(&view.column)),
            columns: Some(("r", &view.columns)),
        }
    }

    /// `where` argument and equality arguments, ANDed.
    fn conditions(
        &self,
        sql: &mut Sql,
        root: &RootField,
        entity: &ObjectModel,
        row: &Row<'_>,
        c: &Collected<'a>,
    ) -> Result<Option<String>, GqlError> {
        let field = c.first();
        let mut conds = Vec::new();
        for (arg, field_name) in &root.equality_args {
            let Some(value) = self.ctx.arg(field, arg) else {
                continue;
            };
            let f = &entity.fields[field_name];
            if matches!(f.kind, FieldKind::Object(_)) || f.is_list() {
                return Err(bad(
                    &root.name,
                    format!("argument {arg} cannot filter on a list or object"),
                ));
            }
            let t = target(f, row);
            conds.push(if value.is_null() {
                format!("{} IS NULL", t.nullable)
            } else {
                filter::scalar_op(sql, &t, Op::Eq, &value, &format!("{}.{arg}", root.name))?
            });
        }
        if root.kind != RootKind::Single
            && let Some(w) = self.ctx.arg(field, "where")
        {
            conds.extend(filter::compile(
                sql,
                self.schema,
                entity,
                &w,
                row,
                &format!("{}.where", root.name),
            )?);
        }
        conds.extend(self.tenant_condition(sql, entity));
        Ok(and_all(conds))
    }

    /// `r.tenant_id = $n`, the value bound from the request context at execution time,
    /// when tenant isolation is on and the entity's view has the tenant column.
    fn tenant_condition(&self, sql: &mut Sql, entity: &ObjectModel) -> Option<String> {
        let (column, key) = self.options.tenant.as_ref()?;
        let ty = entity.view.as_ref()?.columns.get(column)?;
        let p = sql.bind(Param::Context(key.clone()));
        Some(format!("r.{} = CAST({p} AS {ty})", quote_ident(column)))
    }

    fn sort_keys(
        &self,
        root: &RootField,
        entity: &ObjectModel,
        row: &Row<'_>,
        c: &Collected<'a>,
    ) -> Result<Vec<SortKey>, GqlError> {
        let mut keys = Vec::new();
        if let Some(v) = self.ctx.arg(c.first(), "orderBy") {
            order::compile(
                self.schema,
                entity,
                &v,
                row,
                &format!("{}.orderBy", root.name),
                &mut keys,
            )?;
        }
        Ok(keys)
    }

    fn page_size(
        &self,
        name: &str,
        arg: &str,
        v: Option<JsonValue>,
    ) -> Result<Option<i64>, GqlError> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let n = v
            .as_i64()
            .ok_or_else(|| bad(name, format!("{arg} must be an Int")))?;
        if n < 0 {
            return Err(bad(name, format!("{arg} must not be negative, got {n}")));
        }
        if n > self.options.max_limit {
            return Err(bad(
                name,
                format!(
                    "{arg} is {n}, above the maximum page size of {}",
                    self.options.max_limit
                ),
            ));
        }
        Ok(Some(n))
    }

    fn list(
        &self,
        sql: &mut Sql,
        root: &RootField,
        entity: &ObjectModel,
        view: &'a ViewModel,
        c: &Collected<'a>,
    ) -> Result<(String, ShapeKind), GqlError> {
        let row = Self::row(view);
        let field = c.first();
        let cond = self.conditions(sql, root, entity, &row, c)?;
        let keys = self.sort_keys(root, entity, &row, c)?;
        let limit = self
            .page_size(&root.name, "limit", self.ctx.arg(field, "limit"))?
            .unwrap_or(self.options.default_limit);
        let offset = self.offset(&root.name, self.ctx.arg(field, "offset"))?;
        let mut inner = format!("SELECT {} AS d FROM {} AS r", row.base, view.quoted);
        if let Some(cond) = cond {
            inner.push_str(&format!(" WHERE {cond}"));
        }
        if !keys.is_empty() {
            let exprs: Vec<String> = keys.iter().map(|k| k.expr.clone()).collect();
            inner.push_str(&format!(" ORDER BY {}", order::order_by(&keys, &exprs)));
        }
        inner.push_str(&format!(" LIMIT {}", sql.bind(Param::Int(limit))));
        if let Some(o) = offset {
            inner.push_str(&format!(" OFFSET {}", sql.bind(Param::Int(o))));
        }
        let (proj, kind) = self.project(sql, entity, c.sub_selections().collect(), "t.d")?;
        Ok((
            format!("SELECT coalesce(json_agg({proj}), '[]'::json)::text FROM ({inner}) AS t"),
            kind,
        ))
    }

    fn single(
        &self,
        sql: &mut Sql,
        root: &RootField,
        entity: &ObjectModel,
        view: &'a ViewModel,
        c: &Collected<'a>,
    ) -> Result<(String, ShapeKind), GqlError> {
        let row = Self::row(view);
        // A field that declares arguments but got none would pick an arbitrary row: refuse.
        // One that declares none reads a single-row view (settings, a singleton).
        let cond = self.conditions(sql, root, entity, &row, c)?;
        let given = root
            .equality_args
            .iter()
            .any(|(arg, _)| self.ctx.arg(c.first(), arg).is_some());
        if !given && !root.equality_args.is_empty() {
            return Err(bad(
                &root.name,
                "give at least one argument: a single-row field picks the row by its arguments",
            ));
        }
        let mut inner = format!("SELECT {} AS d FROM {} AS r", row.base, view.quoted);
        if let Some(cond) = cond {
            inner.push_str(&format!(" WHERE {cond}"));
        }
        inner.push_str(" LIMIT 1");
        let (proj, kind) = self.project(sql, entity, c.sub_selections().collect(), "t.d")?;
        Ok((format!("SELECT {proj}::text FROM ({inner}) AS t"), kind))
    }

    /// Projects a selection on `object`, whose JSON is the jsonb expression `base`.
    pub(crate) fn project(
        &self,
        sql: &mut Sql,
        object: &ObjectModel,
        sets: Vec<&'a SelectionSet>,
        base: &str,
    ) -> Result<(String, ShapeKind), GqlError> {
        let mut items = Vec::new();
        let mut shapes = Vec::new();
        for c in self.ctx.collect(&object.name, sets) {
            let f = c.first();
            let name = f.name.as_str();
            if name == "__typename" {
                items.push(Item {
                    key: c.key.to_owned(),
                    expr: literal(&object.name),
                    is_text: true,
                });
                continue;
            }
            let field = object.fields.get(name).ok_or_else(|| {
                GqlError::new(
                    codes::INTERNAL,
                    format!("{}.{name} is not in the model", object.name),
                )
            })?;
            let label = format!("{}.{name}", object.name);
            let returns = f.definition.ty.inner_named_type().as_str();
            if let Some(guard) = self.schema.guards.on_field(&object.name, name, returns) {
                self.guarded.set(true);
                if !guard.allows(self.request) {
                    let mut shape = Shape::of(
                        &f.definition.ty,
                        ShapeKind::Leaf,
                        label,
                        c.location(self.ctx.doc),
                    );
                    shape.denied = Some(format!(
                        "Access to {}.{name} is denied: it requires {}.",
                        object.name,
                        guard.describe()
                    ));
                    shapes.push((c.key.to_owned(), shape));
                    items.push(Item {
                        key: c.key.to_owned(),
                        expr: "NULL".to_owned(),
                        is_text: false,
                    });
                    continue;
                }
            }
            let json = json_get(base, &field.json_key);
            let (expr, inner) = match &field.kind {
                FieldKind::Object(t) => {
                    let nested = &self.schema.objects[t];
                    if field.is_list() {
                        self.nested_list(sql, nested, &c, &json)?
                    } else {
                        let (obj, kind) =
                            self.project(sql, nested, c.sub_selections().collect(), &json)?;
                        (guard_object(&json, &obj), kind)
                    }
                }
                FieldKind::Union(members) => {
                    let mut whens = String::new();
                    for member in members {
                        let Some(obj) = self.schema.objects.get(member) else {
                            continue;
                        };
                        let (o, _) = self.project(sql, obj, c.sub_selections().collect(), &json)?;
                        whens.push_str(&format!(
                            " WHEN {} THEN {}",
                            literal(member),
                            guard_object(&json, &o)
                        ));
                    }
                    (
                        format!("CASE ({base})->>'__typename'{whens} END"),
                        ShapeKind::Leaf,
                    )
                }
                _ => (json, ShapeKind::Leaf),
            };
            shapes.push((
                c.key.to_owned(),
                Shape::of(&f.definition.ty, inner, label, c.location(self.ctx.doc)),
            ));
            items.push(Item {
                key: c.key.to_owned(),
                expr,
                is_text: false,
            });
        }
        Ok((project::object(&items), ShapeKind::Object(shapes)))
    }

    fn offset(&self, label: &str, v: Option<JsonValue>) -> Result<Option<i64>, GqlError> {
        match v.filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) if n >= 0 => Ok(Some(n)),
                _ => Err(bad(label, "offset must be a non-negative Int")),
            },
        }
    }

    /// An embedded array of objects: filtered, sorted and paged when the field has arguments.
    fn nested_list(
        &self,
        sql: &mut Sql,
        element: &ObjectModel,
        c: &Collected<'a>,
        json: &str,
    ) -> Result<(String, ShapeKind), GqlError> {
        let f = c.first();
        let label = f.name.as_str();
        let e = sql.alias("a");
        let v = format!("{e}.v");
        let row = Row::nested(v.clone());
        let conds = match self.ctx.arg(f, "where") {
            Some(w) => filter::compile(
                sql,
                self.schema,
                element,
                &w,
                &row,
                &format!("{label}.where"),
            )?,
            None => None,
        };
        let mut keys = Vec::new();
        if let Some(o) = self.ctx.arg(f, "orderBy") {
            order::compile(
                self.schema,
                element,
                &o,
                &row,
                &format!("{label}.orderBy"),
                &mut keys,
            )?;
        }
        let limit = self.page_size(label, "limit", self.ctx.arg(f, "limit"))?;
        let offset = self.offset(label, self.ctx.arg(f, "offset"))?;
        let (obj, kind) = self.project(sql, element, c.sub_selections().collect(), &v)?;
        let projected = guard_object(&v, &obj);
        if conds.is_none() && keys.is_empty() && limit.is_none() && offset.is_none() {
            return Ok((array_of(json, &e, &projected), kind));
        }
        let mut inner =
            format!("SELECT {e}.v FROM jsonb_array_elements({json}) WITH ORDINALITY AS {e}(v, i)");
        if let Some(cond) = conds {
            inner.push_str(&format!(" WHERE {cond}"));
        }
        let exprs: Vec<String> = keys.iter().map(|k| k.expr.clone()).collect();
        inner.push_str(" ORDER BY ");
        if !keys.is_empty() {
            inner.push_str(&order::order_by(&keys, &exprs));
            inner.push_str(", ");
        }
        inner.push_str(&format!("{e}.i"));
        if let Some(l) = limit {
            inner.push_str(&format!(" LIMIT {}", sql.bind(Param::Int(l))));
        }
        if let Some(o) = offset {
            inner.push_str(&format!(" OFFSET {}", sql.bind(Param::Int(o))));
        }
        Ok((
            format!(
                "CASE WHEN jsonb_typeof({json}) = 'array' THEN coalesce((SELECT json_agg({projected}) FROM ({inner}) AS {e}), '[]'::json) END"
            ),
            kind,
        ))
    }

    fn connection(
        &self,
        sql: &mut Sql,
        root: &RootField,
        entity: &ObjectModel,
        view: &'a ViewModel,
        c: &Collected<'a>,
    ) -> Result<(String, ShapeKind), GqlError> {
        let row = Self::row(view);
        let field = c.first();
        let name = root.name.as_str();
        let cond = self.conditions(sql, root, entity, &row, c)?;
        let mut keys = self.sort_keys(root, entity, &row, c)?;
        let id = entity.fields.get("id").ok_or_else(|| {
            bad(
                name,
                format!("{} has no id field to order a connection by", entity.name),
            )
        })?;
        let t = target(id, &row);
        keys.push(SortKey {
            expr: t.typed,
            descending: false,
            nulls_first: false,
            cast: t.cast,
        });
        let first = self.page_size(name, "first", self.ctx.arg(field, "first"))?;
        let last = self.page_size(name, "last", self.ctx.arg(field, "last"))?;
        if first.is_some() && last.is_some() {
            return Err(bad(name, "give first or last, not both"));
        }
        let backward = last.is_some();
        let count = first.or(last).unwrap_or(self.options.default_limit);
        let exprs: Vec<String> = keys.iter().map(|k| k.expr.clone()).collect();
        let flipped: Vec<SortKey> = keys.iter().map(SortKey::flipped).collect();
        let mut page_conds: Vec<String> = cond.iter().cloned().collect();
        let mut after_cond = None;
        let mut before_cond = None;
        for (arg, is_after) in [("after", true), ("before", false)] {
            let Some(v) = self.ctx.arg(field, arg).filter(|v| !v.is_null()) else {
                continue;
            };
            let cursor = decode_cursor(v.as_str().unwrap_or_default(), keys.len())
                .ok_or_else(|| bad(name, format!("{arg} is not a cursor of this connection")))?;
            let p = format!("{}::jsonb", sql.text(cursor));
            let k = if is_after { &keys } else { &flipped };
            let c = order::after(k, &exprs, &p);
            page_conds.push(c.clone());
            if is_after {
                after_cond = Some(c)
            } else {
                before_cond = Some(c)
            }
        }
        let page_keys = if backward { &flipped } else { &keys };
        let s_cols: Vec<String> = (0..keys.len()).map(|i| format!("s{i}")).collect();
        let e_cols: Vec<String> = (0..keys.len()).map(|i| format!("e.s{i}")).collect();
        let count_p = sql.bind(Param::Int(count));
        let where_sql = |conds: &[String]| match and_all(conds.to_vec()) {
            Some(c) => format!(" WHERE {c}"),
            None => String::new(),
        };
        let select_keys: String = exprs
            .iter()
            .enumerate()
            .map(|(i, e)| format!(", {e} AS s{i}"))
            .collect();
        let page = format!(
            "page AS (SELECT {} AS d{select_keys} FROM {} AS r{} ORDER BY {} LIMIT {count_p} + 1)",
            row.base,
            view.quoted,
            where_sql(&page_conds),
            order::order_by(page_keys, &exprs)
        );
        let edges = format!(
            "edges AS (SELECT * FROM page ORDER BY {} LIMIT {count_p})",
            order::order_by(page_keys, &s_cols)
        );
        let normal = order::order_by(&keys, &e_cols);
        let reverse = order::order_by(&flipped, &e_cols);
        let cursor = format!(
            "translate(encode(convert_to(jsonb_build_array({})::text, 'UTF8'), 'base64'), E'\\n', '')",
            e_cols.join(", ")
        );
        let more = format!("((SELECT count(*) FROM page) > {count_p})");
        let exists_outside = |c: &Option<String>| match c {
            Some(c) => {
                let mut conds: Vec<String> = cond.iter().cloned().collect();
                conds.push(format!("NOT coalesce({c}, false)"));
                format!(
                    "EXISTS (SELECT 1 FROM {} AS r{})",
                    view.quoted,
                    where_sql(&conds)
                )
            }
            None => "false".to_owned(),
        };
        let (has_next, has_previous) = if backward {
            (exists_outside(&before_cond), more)
        } else {
            (more, exists_outside(&after_cond))
        };
        let conn_type = field.definition.ty.inner_named_type().to_string();
        let edge_type = format!("{}Edge", entity.name);
        let mut items = Vec::new();
        let mut shapes = Vec::new();
        for cc in self.ctx.collect(&conn_type, c.sub_selections()) {
            let f = cc.first();
            let (expr, kind) = match f.name.as_str() {
                "__typename" => {
                    items.push(Item {
                        key: cc.key.to_owned(),
                        expr: literal(&conn_type),
                        is_text: true,
                    });
                    continue;
                }
                "totalCount" => (
                    format!(
                        "(SELECT count(*) FROM {} AS r{})",
                        view.quoted,
                        where_sql(&cond.iter().cloned().collect::<Vec<_>>())
                    ),
                    ShapeKind::Leaf,
                ),
                "edges" => {
                    let mut e_items = Vec::new();
                    let mut e_shapes = Vec::new();
                    for ec in self.ctx.collect(&edge_type, cc.sub_selections()) {
                        let ef = ec.first();
                        let (expr, kind, is_text) = match ef.name.as_str() {
                            "__typename" => (literal(&edge_type), ShapeKind::Leaf, true),
                            "cursor" => (cursor.clone(), ShapeKind::Leaf, false),
                            _ => {
                                let (obj, kind) = self.project(
                                    sql,
                                    entity,
                                    ec.sub_selections().collect(),
                                    "e.d",
                                )?;
                                (obj, kind, false)
                            }
                        };
                        if !is_text {
                            let label = format!("{edge_type}.{}", ef.name);
                            e_shapes.push((
                                ec.key.to_owned(),
                                Shape::of(
                                    &ef.definition.ty,
                                    kind,
                                    label,
                                    ec.location(self.ctx.doc),
                                ),
                            ));
                        }
                        e_items.push(Item {
                            key: ec.key.to_owned(),
                            expr,
                            is_text,
                        });
                    }
                    (
                        format!(
                            "(SELECT coalesce(json_agg({} ORDER BY {normal}), '[]'::json) FROM edges AS e)",
                            project::object(&e_items)
                        ),
                        ShapeKind::Object(e_shapes),
                    )
                }
                _ => {
                    let mut p_items = Vec::new();
                    for pc in self.ctx.collect("PageInfo", cc.sub_selections()) {
                        let (expr, is_text) = match pc.first().name.as_str() {
                            "__typename" => (literal("PageInfo"), true),
                            "hasNextPage" => (has_next.clone(), false),
                            "hasPreviousPage" => (has_previous.clone(), false),
                            "startCursor" => (
                                format!(
                                    "(SELECT {cursor} FROM edges AS e ORDER BY {normal} LIMIT 1)"
                                ),
                                false,
                            ),
                            _ => (
                                format!(
                                    "(SELECT {cursor} FROM edges AS e ORDER BY {reverse} LIMIT 1)"
                                ),
                                false,
                            ),
                        };
                        p_items.push(Item {
                            key: pc.key.to_owned(),
                            expr,
                            is_text,
                        });
                    }
                    (project::object(&p_items), ShapeKind::Leaf)
                }
            };
            let label = format!("{conn_type}.{}", f.name);
            shapes.push((
                cc.key.to_owned(),
                Shape::of(&f.definition.ty, kind, label, cc.location(self.ctx.doc)),
            ));
            items.push(Item {
                key: cc.key.to_owned(),
                expr,
                is_text: false,
            });
        }
        Ok((
            format!(
                "WITH {page}, {edges} SELECT {}::text",
                project::object(&items)
            ),
            ShapeKind::Object(shapes),
        ))
    }
}

/// A cursor is base64 of the JSON array of the row's sort-key values.
fn decode_cursor(cursor: &str, keys: usize) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    (value.as_array()?.len() == keys).then_some(text)
}
