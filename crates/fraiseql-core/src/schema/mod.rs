//! The served schema: built from the user's SDL, checked, and bound to the database catalog.

mod generate;
pub mod model;
pub mod mutation;
mod sdl;

use std::collections::HashMap;

use apollo_compiler::ast::{self, Definition};
use apollo_compiler::schema::{ExtendedType, Implementers};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node, Schema};
use indexmap::IndexMap;

use crate::error::SchemaError;
use crate::naming::to_snake_case;
use crate::scalars::ScalarKind;
use model::{
    FieldKind, FieldModel, FunctionSignature, MutationField, ObjectModel, RootField, RootKind,
    ViewModel,
};
use sdl::SdlInfo;

/// How names map between GraphQL and JSON.
#[derive(Debug, Clone)]
pub struct SchemaOptions {
    /// Map camelCase field names to snake_case JSON keys (on by default: keys in `data` are snake_case).
    pub snake_case_keys: bool,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        SchemaOptions {
            snake_case_keys: true,
        }
    }
}

/// One view the schema reads, to be checked against the database.
#[derive(Debug, Clone)]
pub struct ViewRef {
    pub type_name: String,
    pub relation: String,
    pub quoted: String,
    pub column: String,
    pub loc: crate::error::SourceLoc,
}

/// What the database says about one relation: `None` when it does not exist,
/// else its columns as (name, SQL type).
pub type RelationColumns = Option<Vec<(String, String)>>;

/// The schema the engine serves, with its model.
#[derive(Debug)]
pub struct CompiledSchema {
    pub served: Valid<Schema>,
    pub implementers: apollo_compiler::collections::HashMap<Name, Implementers>,
    pub objects: IndexMap<String, ObjectModel>,
    pub roots: IndexMap<String, RootField>,
    pub mutations: IndexMap<String, MutationField>,
    /// GraphQL names map to snake_case JSON keys (mutation inputs follow the same rule).
    pub snake_case_keys: bool,
    /// `@auth` / `@requires` rules.
    pub guards: crate::authz::Guards,
}

impl CompiledSchema {
    /// Builds the served schema from SDL sources given as (path, text).
    pub fn build(
        sources: &[(String, String)],
        options: &SchemaOptions,
    ) -> Result<Self, SchemaError> {
        let mut problems = Vec::new();
        let mut info = SdlInfo::read(sources, &mut problems);
        info.classify_roots(&mut problems);
        if !problems.is_empty() {
            return Err(SchemaError { problems });
        }
        let nested_lists = info.nested_lists(&mut problems);
        if !problems.is_empty() {
            return Err(SchemaError { problems });
        }
        let (mutations, results) = mutation::classify(&info, &mut problems);
        if !problems.is_empty() {
            return Err(SchemaError { problems });
        }
        if !mutations.is_empty() {
            info.referenced.insert("JSON".to_owned());
        }
        let mut generated = generate::Generator::new(&info).run(&nested_lists);
        generated.push_str(&mutation::generated_sdl(&info, &mutations, &results));
        if !mutations.is_empty() {
            for t in mutation::CASCADE_TYPES {
                info.kinds.insert((*t).to_owned(), sdl::DeclKind::Object);
            }
            for t in ["CascadeUpdate", "CascadeDelete"] {
                info.keys.insert(
                    (t.to_owned(), "typename".to_owned()),
                    "__typename".to_owned(),
                );
            }
        }
        add_field_args(&mut info, &nested_lists);
        let generated = ast::Document::parse(generated, "<fraiseql generated>").map_err(|e| {
            SchemaError::one(format!(
                "internal error, generated SDL does not parse: {}",
                e.errors
            ))
        })?;
        let mut builder = Schema::builder();
        for doc in &info.docs {
            builder = builder.add_ast(doc);
        }
        let schema = builder
            .add_ast(&generated)
            .build()
            .map_err(|e| SchemaError::one(e.errors.to_string()))?;
        let mut served = schema
            .validate()
            .map_err(|e| SchemaError::one(e.errors.to_string()))?
            .into_inner();
        crate::introspection::install_types(&mut served);
        let served = Valid::assume_valid(served);
        let implementers = served.implementers_map();
        let objects = build_objects(&served, &info, options, &mut problems);
        let roots: IndexMap<String, RootField> = info
            .roots
            .iter()
            .map(|r| {
                let equality_args = r
                    .declared_args
                    .iter()
                    .filter(|a| match r.kind {
                        RootKind::Single => true,
                        RootKind::List => !matches!(a.as_str(), "where" | "orderBy" | "limit" | "offset"),
                        RootKind::Connection => !matches!(
                            a.as_str(),
                            "where" | "orderBy" | "first" | "after" | "last" | "before"
                        ),
                    })
                    .filter_map(|a| {
                        let known = objects.get(&r.entity).is_some_and(|o| o.fields.contains_key(a));
                        if !known {
                            problems.push(format!(
                                "{}: argument `{a}` of Query.{} is not a field of {} (declared arguments are equality filters on same-named fields)",
                                r.loc, r.name, r.entity
                            ));
                        }
                        known.then(|| (a.clone(), a.clone()))
                    })
                    .collect();
                let root = RootField {
                    name: r.name.clone(),
                    entity: r.entity.clone(),
                    kind: r.kind.clone(),
                    equality_args,
                    loc: r.loc.clone(),
                };
                (r.name.clone(), root)
            })
            .collect();
        for r in roots.values() {
            let has_id = objects
                .get(&r.entity)
                .is_some_and(|o| o.fields.contains_key("id"));
            if r.kind == RootKind::Connection && !has_id {
                problems.push(format!(
                    "{}: Query.{} is a connection over {}, which has no `id` field: keyset cursors need it as the final sort key",
                    r.loc, r.name, r.entity
                ));
            }
        }
        if !problems.is_empty() {
            return Err(SchemaError { problems });
        }
        Ok(CompiledSchema {
            served,
            implementers,
            objects,
            roots,
            mutations: mutations.into_iter().map(|m| (m.name.clone(), m)).collect(),
            snake_case_keys: options.snake_case_keys,
            guards: std::mem::take(&mut info.guards),
        })
    }

    /// The served SDL, as `fraiseql schema print` shows it.
    pub fn sdl(&self) -> String {
        // The introspection types are installed as ordinary types: leave them out.
        let mut schema = self.served.as_ref().clone();
        schema.types.retain(|name, _| !name.starts_with("__"));
        schema.to_string()
    }

    /// The views to check against the database.
    pub fn views(&self) -> Vec<ViewRef> {
        self.objects
            .values()
            .filter_map(|o| {
                o.view.as_ref().map(|v| ViewRef {
                    type_name: o.name.clone(),
                    relation: v.relation.clone(),
                    quoted: v.quoted.clone(),
                    column: v.column.clone(),
                    loc: v.loc.clone(),
                })
            })
            .collect()
    }

    /// The functions the mutations call, to look up in the database.
    pub fn functions(&self) -> Vec<mutation::FunctionRef> {
        self.mutations
            .values()
            .map(|m| mutation::FunctionRef {
                field: m.name.clone(),
                schema: m.schema.clone(),
                name: m.function.clone(),
                quoted: m.quoted.clone(),
                loc: m.loc.clone(),
            })
            .collect()
    }

    fn mutation_field(
        &self,
        mutation: &str,
    ) -> Option<&apollo_compiler::schema::Component<apollo_compiler::ast::FieldDefinition>> {
        let root = self
            .served
            .root_operation(apollo_compiler::executable::OperationType::Mutation)?;
        self.served.type_field(root, mutation).ok()
    }

    /// The GraphQL inputs a POSITIONAL mutation passes, in order: the fields of its single
    /// input-object argument, or else its arguments. Each is (argument, input field).
    pub fn flattened_inputs(&self, mutation: &str) -> Vec<(String, Option<String>)> {
        let Some(field) = self.mutation_field(mutation) else {
            return Vec::new();
        };
        if let [arg] = field.arguments.as_slice()
            && let Some(ExtendedType::InputObject(input)) =
                self.served.types.get(arg.ty.inner_named_type())
            && !arg.ty.is_list()
        {
            return input
                .fields
                .keys()
                .map(|k| (arg.name.to_string(), Some(k.to_string())))
                .collect();
        }
        field
            .arguments
            .iter()
            .map(|a| (a.name.to_string(), None))
            .collect()
    }

    /// The POSITIONAL inputs of a mutation with their GraphQL types and kinds.
    fn flat_inputs(&self, mutation: &str) -> Vec<mutation::FlatInput> {
        use mutation::InputKind;
        let Some(field) = self.mutation_field(mutation) else {
            return Vec::new();
        };
        self.flattened_inputs(mutation)
            .into_iter()
            .map(|(arg, input_field)| {
                let arg_def = field.arguments.iter().find(|a| a.name == arg.as_str());
                let ty = match (&input_field, arg_def) {
                    (Some(f), Some(a)) => match self.served.types.get(a.ty.inner_named_type()) {
                        Some(ExtendedType::InputObject(io)) => {
                            io.fields.get(f.as_str()).map(|d| d.ty.as_ref().clone())
                        }
                        _ => None,
                    },
                    (None, Some(a)) => Some(a.ty.as_ref().clone()),
                    _ => None,
                };
                let kind = match &ty {
                    None => InputKind::Text,
                    Some(t) if t.is_list() => InputKind::List,
                    Some(t) => match (
                        t.inner_named_type().as_str(),
                        self.served.types.get(t.inner_named_type()),
                    ) {
                        (_, Some(ExtendedType::InputObject(_))) => InputKind::Object,
                        ("JSON", _) => InputKind::Json,
                        (name, _) => match ScalarKind::of(name) {
                            ScalarKind::Int => InputKind::Int,
                            ScalarKind::Float => InputKind::Float,
                            ScalarKind::Boolean => InputKind::Boolean,
                            _ => InputKind::Text,
                        },
                    },
                };
                let name = to_snake_case(input_field.as_deref().unwrap_or(&arg));
                let shown = ty.map(|t| t.to_string()).unwrap_or_default();
                (name, shown, kind)
            })
            .collect()
    }

    /// Binds each mutation to its function; `default_context` names the function
    /// parameters filled from the request context.
    pub fn bind_functions(
        &mut self,
        catalog: &HashMap<String, Option<FunctionSignature>>,
        default_context: &[String],
    ) -> Result<(), SchemaError> {
        let flattened = self
            .mutations
            .keys()
            .map(|m| (m.clone(), self.flat_inputs(m)))
            .collect();
        let mut problems = Vec::new();
        let mut mutations: Vec<MutationField> = self.mutations.values().cloned().collect();
        mutation::bind(
            &mut mutations,
            catalog,
            &flattened,
            default_context,
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(SchemaError { problems });
        }
        self.mutations = mutations.into_iter().map(|m| (m.name.clone(), m)).collect();
        Ok(())
    }

    /// Checks each `@relation` against the bound views and resolves its related view: the
    /// parent's view has the column, the related view (`view:` or the field type's own) is
    /// one the schema reads and has the referenced column, and both columns have one type.
    fn check_relations(&mut self, problems: &mut Vec<String>) {
        let mut resolved = Vec::new();
        for object in self.objects.values() {
            for field in object.fields.values() {
                let (Some(rel), FieldKind::Object(target)) = (&field.relation, &field.kind) else {
                    continue;
                };
                let at = format!(
                    "{}: @relation(column: \"{}\") on {}.{}",
                    rel.loc, rel.column, object.name, field.name
                );
                let Some(view) = &object.view else {
                    problems.push(format!(
                        "{at}: type {} has no @view, so there is no row to join from",
                        object.name
                    ));
                    continue;
                };
                let Some(parent_type) = view.columns.get(&rel.column) else {
                    problems.push(format!(
                        "{at}: the view {} has no real column \"{}\"",
                        view.relation, rel.column
                    ));
                    continue;
                };
                let related = match &rel.view {
                    Some(name) => self.objects.values().find(|o| {
                        o.view
                            .as_ref()
                            .is_some_and(|v| v.relation == *name || v.quoted == *name)
                    }),
                    None => self.objects.get(target).filter(|t| t.view.is_some()),
                };
                let Some((vtype, tview)) = related.and_then(|o| Some((&o.name, o.view.as_ref()?)))
                else {
                    problems.push(match &rel.view {
                        Some(name) => format!(
                            "{at}: no type of the schema reads the view {name} (declare it with @view on a type)"
                        ),
                        None => format!(
                            "{at}: type {target} has no @view to join to (name one with `view:`)"
                        ),
                    });
                    continue;
                };
                match tview.columns.get(&rel.references) {
                    None => problems.push(format!(
                        "{at}: the view {} (type {vtype}) has no real column \"{}\"",
                        tview.relation, rel.references
                    )),
                    Some(t) if t != parent_type => problems.push(format!(
                        "{at}: {}.{} is {parent_type} but {}.{} is {t}; the join needs one type",
                        view.relation, rel.column, tview.relation, rel.references
                    )),
                    Some(_) => {
                        resolved.push((object.name.clone(), field.name.clone(), vtype.clone()))
                    }
                }
            }
        }
        for (object, field, vtype) in resolved {
            if let Some(rel) = self
                .objects
                .get_mut(&object)
                .and_then(|o| o.fields.get_mut(&field))
                .and_then(|f| f.relation.as_mut())
            {
                rel.view_type = Some(vtype);
            }
        }
    }

    /// Binds each view to what the database has; every mismatch is reported with its place.
    pub fn bind(&mut self, catalog: &HashMap<String, RelationColumns>) -> Result<(), SchemaError> {
        let mut problems = Vec::new();
        for object in self.objects.values_mut() {
            let Some(view) = object.view.as_mut() else {
                continue;
            };
            let at = format!(
                "{}: type {} @view(name: \"{}\")",
                view.loc, object.name, view.relation
            );
            match catalog.get(&view.quoted) {
                None | Some(None) => problems.push(format!(
                    "{at}: the view {} does not exist in the database",
                    view.relation
                )),
                Some(Some(columns)) => match columns.iter().find(|(n, _)| *n == view.column) {
                    None => problems.push(format!(
                        "{at}: the view has no column \"{}\" (columns: {})",
                        view.column,
                        columns
                            .iter()
                            .map(|(n, _)| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    Some((_, ty)) if ty != "jsonb" => problems.push(format!(
                        "{at}: the column \"{}\" is {ty}, not jsonb",
                        view.column
                    )),
                    Some(_) => {
                        view.columns = columns
                            .iter()
                            .filter(|(n, ty)| *n != view.column && !ty.ends_with("[]"))
                            .cloned()
                            .collect();
                    }
                },
            }
        }
        if problems.is_empty() {
            self.check_relations(&mut problems);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SchemaError { problems })
        }
    }
}

type GeneratedArgs = Vec<(&'static str, String, &'static str)>;

/// Adds `where`/`orderBy`/`limit`/`offset` (or the connection arguments) to root
/// fields that declare no arguments of their own, and to embedded lists of objects.
fn add_field_args(info: &mut SdlInfo, nested_lists: &[(String, String, String)]) {
    let generator = generate::Generator::new(info);
    let mut wanted: HashMap<(String, String), GeneratedArgs> = info
        .roots
        .iter()
        .filter(|r| r.declared_args.is_empty())
        .map(|r| {
            (
                ("Query".to_owned(), r.name.clone()),
                generate::root_args(&r.kind, &r.entity, generator.has_order(&r.entity)),
            )
        })
        .collect();
    for (ty, field, element) in nested_lists {
        let args = generate::root_args(&RootKind::List, element, generator.has_order(element));
        wanted.insert((ty.clone(), field.clone()), args);
    }
    for doc in &mut info.docs {
        for def in &mut doc.definitions {
            let (type_name, fields) = match def {
                Definition::ObjectTypeDefinition(t) => {
                    (t.name.to_string(), &mut t.make_mut().fields)
                }
                Definition::ObjectTypeExtension(t) => {
                    (t.name.to_string(), &mut t.make_mut().fields)
                }
                _ => continue,
            };
            for field in fields.iter_mut() {
                let Some(args) = wanted.get(&(type_name.clone(), field.name.to_string())) else {
                    continue;
                };
                let f = field.make_mut();
                for (name, ty, description) in args {
                    let (Ok(name), Ok(ty)) = (
                        Name::new(name),
                        ast::Type::parse(ty.as_str(), "<fraiseql generated>"),
                    ) else {
                        continue;
                    };
                    f.arguments.push(Node::new(ast::InputValueDefinition {
                        description: Some((*description).into()),
                        name,
                        ty: Node::new(ty),
                        default_value: None,
                        directives: ast::DirectiveList::default(),
                    }));
                }
            }
        }
    }
}

const ROOT_TYPES: &[&str] = &["Query", "Mutation", "Subscription"];

fn build_objects(
    served: &Valid<Schema>,
    info: &SdlInfo,
    options: &SchemaOptions,
    problems: &mut Vec<String>,
) -> IndexMap<String, ObjectModel> {
    let mut objects = IndexMap::new();
    for (name, def) in &served.types {
        let ExtendedType::Object(obj) = def else {
            continue;
        };
        if ROOT_TYPES.contains(&name.as_str()) || !info.kinds.contains_key(name.as_str()) {
            continue;
        }
        let loc = info
            .type_locs
            .get(name.as_str())
            .cloned()
            .unwrap_or_default();
        let mut fields = IndexMap::new();
        for (fname, field) in &obj.fields {
            let inner = field.ty.inner_named_type();
            let kind = match served.types.get(inner) {
                Some(ExtendedType::Scalar(_)) => FieldKind::Scalar(ScalarKind::of(inner)),
                Some(ExtendedType::Enum(_)) => FieldKind::Enum,
                Some(ExtendedType::Object(_)) => FieldKind::Object(inner.to_string()),
                Some(ExtendedType::Union(u)) if inner == mutation::CASCADE_ENTITY => {
                    FieldKind::Union(u.members.iter().map(|m| m.to_string()).collect())
                }
                _ => {
                    problems.push(format!(
                        "{loc}: field {name}.{fname} has type {inner}: interfaces, unions and inputs cannot be read from JSON yet"
                    ));
                    continue;
                }
            };
            let relation = info
                .relations
                .get(&(name.to_string(), fname.to_string()))
                .cloned();
            if let Some(r) = &relation
                && (!matches!(kind, FieldKind::Object(_)) || field.ty.is_list())
            {
                problems.push(format!(
                    "{}: @relation on {name}.{fname}: only a single embedded object (not a list or a scalar) can name its related row",
                    r.loc
                ));
            }
            let json_key = match info.keys.get(&(name.to_string(), fname.to_string())) {
                Some(k) => k.clone(),
                None if options.snake_case_keys => to_snake_case(fname),
                None => fname.to_string(),
            };
            fields.insert(
                fname.to_string(),
                FieldModel {
                    name: fname.to_string(),
                    json_key,
                    ty: field.ty.clone(),
                    kind,
                    relation,
                },
            );
        }
        let view = info.views.get(name.as_str()).map(|v| ViewModel {
            relation: v.relation.clone(),
            quoted: v.quoted.clone(),
            column: v.column.clone(),
            columns: HashMap::new(),
            loc: v.loc.clone(),
        });
        objects.insert(
            name.to_string(),
            ObjectModel {
                name: name.to_string(),
                view,
                fields,
                loc,
            },
        );
    }
    objects
}
