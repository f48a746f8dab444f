//! Reads the user's SDL: FraiseQL directives are taken out and recorded, root
//! fields are classified, and the AST is left ready to be served.

use std::collections::{HashMap, HashSet};

use apollo_compiler::Node;
use apollo_compiler::ast::{self, Definition, Document};
use apollo_compiler::parser::{SourceMap, SourceSpan};

use crate::error::SourceLoc;
use crate::schema::model::{RootKind, quote_relation};

/// The FraiseQL directives, documented here and taken out of the served schema.
pub(crate) const DIRECTIVES: &[&str] = &[
    "view", "key", "function", "channel", "auth", "requires", "relation",
];

/// What a `@view` says.
#[derive(Debug, Clone)]
pub(crate) struct ViewDecl {
    pub relation: String,
    pub quoted: String,
    pub column: String,
    pub loc: SourceLoc,
}

/// Kinds of user-declared named types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeclKind {
    Object,
    Scalar,
    Enum,
    Input,
    Interface,
    Union,
}

/// A field as declared in the SDL.
#[derive(Debug, Clone)]
pub(crate) struct DeclField {
    pub name: String,
    pub ty: ast::Type,
    pub arg_names: Vec<String>,
    pub loc: SourceLoc,
}

/// A root Query field, classified.
#[derive(Debug, Clone)]
pub(crate) struct RootDecl {
    pub name: String,
    pub entity: String,
    pub kind: RootKind,
    pub declared_args: Vec<String>,
    pub loc: SourceLoc,
}

/// Everything learnt from the user's SDL.
#[derive(Debug, Default)]
pub(crate) struct SdlInfo {
    pub docs: Vec<Document>,
    pub kinds: HashMap<String, DeclKind>,
    pub fields: HashMap<String, Vec<DeclField>>,
    pub type_locs: HashMap<String, SourceLoc>,
    pub views: HashMap<String, ViewDecl>,
    pub keys: HashMap<(String, String), String>,
    /// `@relation` on fields: (type, field) → the relation.
    pub relations: HashMap<(String, String), crate::schema::model::Relation>,
    pub referenced: HashSet<String>,
    pub roots: Vec<RootDecl>,
    pub functions: HashMap<String, FunctionDecl>,
    pub unions: HashMap<String, Vec<String>>,
    pub guards: crate::authz::Guards,
}

/// What a `@function` on a Mutation field says.
#[derive(Debug, Clone)]
pub(crate) struct FunctionDecl {
    pub name: String,
    pub quoted: String,
    pub schema: Option<String>,
    pub args_mode: crate::schema::model::ArgsMode,
    pub entity: Option<String>,
    pub context: Option<Vec<String>>,
    pub loc: SourceLoc,
}

fn read_function(
    d: &ast::Directive,
    at: &SourceLoc,
    problems: &mut Vec<String>,
) -> Option<FunctionDecl> {
    use crate::schema::model::ArgsMode;
    let mut decl = FunctionDecl {
        name: String::new(),
        quoted: String::new(),
        schema: None,
        args_mode: ArgsMode::Jsonb,
        entity: None,
        context: None,
        loc: at.clone(),
    };
    let mut schema = None;
    for arg in &d.arguments {
        let v = &arg.value;
        match (arg.name.as_str(), v.as_str()) {
            ("name", Some(s)) => decl.name = s.to_owned(),
            ("schema", Some(s)) => schema = Some(s.to_owned()),
            ("entity", Some(s)) => decl.entity = Some(s.to_owned()),
            ("args", _) => {
                let text = v.as_str().map(str::to_owned).or_else(|| v.as_enum().map(|e| e.to_string()));
                decl.args_mode = match text.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    Some("jsonb") => ArgsMode::Jsonb,
                    Some("positional") => ArgsMode::Positional,
                    _ => {
                        problems.push(format!("{at}: @function(args:) must be JSONB or POSITIONAL"));
                        return None;
                    }
                };
            }
            ("context", _) => match v.as_list() {
                Some(items) => {
                    decl.context = Some(items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect());
                }
                None => problems.push(format!("{at}: @function(context:) must be a list of strings")),
            },
            (other, _) => problems.push(format!(
                "{at}: @function has no argument `{other}` with that value (it takes name, schema, args, entity, context)"
            )),
        }
    }
    if decl.name.is_empty() {
        problems.push(format!("{at}: @function needs the argument `name`"));
        return None;
    }
    decl.quoted = quote_relation(schema.as_deref(), &decl.name);
    decl.schema = schema.or_else(|| decl.name.split_once('.').map(|(s, _)| s.to_owned()));
    Some(decl)
}

pub(crate) fn loc_of(sources: &SourceMap, span: Option<SourceSpan>) -> SourceLoc {
    let Some(span) = span else {
        return SourceLoc::default();
    };
    let file = sources
        .get(&span.file_id())
        .map(|f| f.path().display().to_string())
        .unwrap_or_default();
    let lc = span
        .line_column(sources)
        .unwrap_or(apollo_compiler::parser::LineColumn { line: 0, column: 0 });
    SourceLoc {
        file,
        line: lc.line,
        column: lc.column,
    }
}

fn string_arg(d: &ast::Directive, name: &str) -> Option<String> {
    d.specified_argument_by_name(name)
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Checks a FraiseQL directive's arguments: known names, string values, required ones present.
fn check_args(
    d: &ast::Directive,
    allowed: &[&str],
    required: &[&str],
    at: &SourceLoc,
    problems: &mut Vec<String>,
) {
    for arg in &d.arguments {
        if !allowed.contains(&arg.name.as_str()) {
            problems.push(format!(
                "{at}: @{} has no argument `{}` (it takes {})",
                d.name,
                arg.name,
                allowed.join(", ")
            ));
        } else if arg.value.as_str().is_none() {
            problems.push(format!("{at}: @{}({}:) must be a string", d.name, arg.name));
        }
    }
    for r in required {
        if d.specified_argument_by_name(r).is_none() {
            problems.push(format!("{at}: @{} needs the argument `{r}`", d.name));
        }
    }
}

fn is_guard(d: &ast::Directive) -> bool {
    matches!(d.name.as_str(), "auth" | "requires")
}

/// Reads `@auth(roles: [String!]!)` or `@requires(permission: String!)`; `None` for other
/// directives and for malformed ones (reported).
fn read_guard(
    d: &ast::Directive,
    at: &SourceLoc,
    problems: &mut Vec<String>,
) -> Option<crate::authz::Guard> {
    let mut guard = crate::authz::Guard::default();
    match d.name.as_str() {
        "auth" => {
            for arg in &d.arguments {
                if arg.name != "roles" {
                    problems.push(format!(
                        "{at}: @auth has no argument `{}` (it takes roles)",
                        arg.name
                    ));
                }
            }
            let roles = match d.specified_argument_by_name("roles").map(|v| v.as_ref()) {
                Some(ast::Value::List(items)) => items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>(),
                Some(ast::Value::String(s)) => Some(vec![s.to_string()]),
                _ => None,
            };
            match roles {
                Some(r) if !r.is_empty() => guard.roles = r,
                _ => {
                    problems.push(format!(
                        "{at}: @auth needs `roles`, a non-empty list of role names"
                    ));
                    return None;
                }
            }
        }
        "requires" => {
            check_args(d, &["permission"], &["permission"], at, problems);
            guard.permissions = vec![string_arg(d, "permission")?];
        }
        _ => return None,
    }
    Some(guard)
}

fn note_type(ty: &ast::Type, referenced: &mut HashSet<String>) {
    referenced.insert(ty.inner_named_type().to_string());
}

impl SdlInfo {
    /// Parses every source and records what the FraiseQL directives say.
    pub(crate) fn read(sources: &[(String, String)], problems: &mut Vec<String>) -> SdlInfo {
        let mut info = SdlInfo::default();
        for (path, text) in sources {
            match Document::parse(text.as_str(), path.as_str()) {
                Ok(doc) => info.docs.push(doc),
                Err(e) => problems.push(e.errors.to_string()),
            }
        }
        let mut docs = std::mem::take(&mut info.docs);
        for doc in &mut docs {
            let sources = doc.sources.clone();
            doc.definitions.retain(|d| match d {
                Definition::DirectiveDefinition(dd) => !DIRECTIVES.contains(&dd.name.as_str()),
                _ => true,
            });
            for def in &mut doc.definitions {
                info.read_definition(def, &sources, problems);
            }
        }
        info.docs = docs;
        info
    }

    fn read_definition(
        &mut self,
        def: &mut Definition,
        sources: &SourceMap,
        problems: &mut Vec<String>,
    ) {
        let loc = loc_of(sources, def.location());
        match def {
            Definition::ObjectTypeDefinition(node) => {
                let t = node.make_mut();
                self.kinds.insert(t.name.to_string(), DeclKind::Object);
                self.type_locs
                    .entry(t.name.to_string())
                    .or_insert(loc.clone());
                self.read_type_directives(&t.name, &mut t.directives, &loc, problems);
                self.read_fields(&t.name, &mut t.fields, sources, problems);
            }
            Definition::ObjectTypeExtension(node) => {
                let t = node.make_mut();
                self.read_type_directives(&t.name, &mut t.directives, &loc, problems);
                self.read_fields(&t.name, &mut t.fields, sources, problems);
            }
            Definition::InterfaceTypeDefinition(node) => {
                self.kinds
                    .insert(node.name.to_string(), DeclKind::Interface);
                for f in &node.fields {
                    note_type(&f.ty, &mut self.referenced);
                }
            }
            Definition::UnionTypeDefinition(node) => {
                self.kinds.insert(node.name.to_string(), DeclKind::Union);
                self.unions.insert(
                    node.name.to_string(),
                    node.members.iter().map(|m| m.to_string()).collect(),
                );
            }
            Definition::EnumTypeDefinition(node) => {
                self.kinds.insert(node.name.to_string(), DeclKind::Enum);
            }
            Definition::ScalarTypeDefinition(node) => {
                self.kinds.insert(node.name.to_string(), DeclKind::Scalar);
            }
            Definition::InputObjectTypeDefinition(node) => {
                self.kinds.insert(node.name.to_string(), DeclKind::Input);
                for f in &node.fields {
                    note_type(&f.ty, &mut self.referenced);
                }
            }
            _ => {}
        }
    }

    fn read_type_directives(
        &mut self,
        type_name: &str,
        directives: &mut ast::DirectiveList,
        loc: &SourceLoc,
        problems: &mut Vec<String>,
    ) {
        for d in directives.iter() {
            if d.name == "view" {
                check_args(d, &["name", "column", "schema"], &["name"], loc, problems);
                let Some(relation) = string_arg(d, "name") else {
                    continue;
                };
                let schema = string_arg(d, "schema");
                let quoted = quote_relation(schema.as_deref(), &relation);
                let column = string_arg(d, "column").unwrap_or_else(|| "data".to_owned());
                self.views.insert(
                    type_name.to_owned(),
                    ViewDecl {
                        relation,
                        quoted,
                        column,
                        loc: loc.clone(),
                    },
                );
            } else if let Some(guard) = read_guard(d, loc, problems) {
                self.guards.add(type_name, None, guard);
            } else if DIRECTIVES.contains(&d.name.as_str()) && !is_guard(d) {
                problems.push(format!(
                    "{loc}: @{} is not allowed on a type (type {type_name})",
                    d.name
                ));
            }
        }
        directives.retain(|d| !DIRECTIVES.contains(&d.name.as_str()));
    }

    fn read_fields(
        &mut self,
        type_name: &str,
        fields: &mut [Node<ast::FieldDefinition>],
        sources: &SourceMap,
        problems: &mut Vec<String>,
    ) {
        for field in fields.iter_mut() {
            let floc = loc_of(sources, field.location());
            let f = field.make_mut();
            note_type(&f.ty, &mut self.referenced);
            for a in &f.arguments {
                note_type(&a.ty, &mut self.referenced);
            }
            for d in f.directives.iter() {
                match d.name.as_str() {
                    "key" => {
                        check_args(d, &["name"], &["name"], &floc, problems);
                        if let Some(k) = string_arg(d, "name") {
                            self.keys
                                .insert((type_name.to_owned(), f.name.to_string()), k);
                        }
                    }
                    "relation" => {
                        check_args(
                            d,
                            &["column", "references", "view"],
                            &["column"],
                            &floc,
                            problems,
                        );
                        if let Some(column) = string_arg(d, "column") {
                            self.relations.insert(
                                (type_name.to_owned(), f.name.to_string()),
                                crate::schema::model::Relation {
                                    column,
                                    references: string_arg(d, "references")
                                        .unwrap_or_else(|| "id".to_owned()),
                                    view: string_arg(d, "view"),
                                    view_type: None,
                                    loc: floc.clone(),
                                },
                            );
                        }
                    }
                    "function" if type_name == "Mutation" => {
                        if let Some(decl) = read_function(d, &floc, problems) {
                            self.functions.insert(f.name.to_string(), decl);
                        }
                    }
                    "function" | "channel" => problems.push(format!(
                        "{floc}: @{} on {type_name}.{} is not supported yet",
                        d.name, f.name
                    )),
                    "view" => problems.push(format!(
                        "{floc}: @view belongs on a type, not on the field {type_name}.{}",
                        f.name
                    )),
                    "auth" | "requires" => {
                        if let Some(guard) = read_guard(d, &floc, problems) {
                            self.guards.add(type_name, Some(f.name.as_str()), guard);
                        }
                    }
                    _ => {}
                }
            }
            f.directives
                .retain(|d| !DIRECTIVES.contains(&d.name.as_str()));
            self.fields
                .entry(type_name.to_owned())
                .or_default()
                .push(DeclField {
                    name: f.name.to_string(),
                    ty: f.ty.clone(),
                    arg_names: f.arguments.iter().map(|a| a.name.to_string()).collect(),
                    loc: floc,
                });
        }
    }

    /// Classifies the fields of `Query`; problems name the field and its place.
    pub(crate) fn classify_roots(&mut self, problems: &mut Vec<String>) {
        let Some(fields) = self.fields.get("Query") else {
            problems.push("the schema has no `type Query`".to_owned());
            return;
        };
        let mut roots = Vec::new();
        for f in fields {
            let named = f.ty.inner_named_type().as_str();
            let at = &f.loc;
            let kind = if f.ty.is_list() {
                if f.ty.item_type().is_list() {
                    problems.push(format!(
                        "{at}: Query.{} returns a list of lists, which a view cannot",
                        f.name
                    ));
                    continue;
                }
                Some((RootKind::List, named.to_owned()))
            } else if let Some(entity) = named.strip_suffix("Connection")
                && self.views.contains_key(entity)
                && !self.kinds.contains_key(named)
            {
                Some((RootKind::Connection, entity.to_owned()))
            } else {
                Some((RootKind::Single, named.to_owned()))
            };
            let Some((kind, entity)) = kind else { continue };
            if !self.views.contains_key(&entity) {
                problems.push(format!(
                    "{at}: Query.{} returns {entity}, which has no @view: declare `type {entity} @view(name: \"v_...\")`",
                    f.name
                ));
                continue;
            }
            roots.push(RootDecl {
                name: f.name.clone(),
                entity,
                kind,
                declared_args: f.arg_names.clone(),
                loc: at.clone(),
            });
        }
        self.roots = roots;
    }

    /// Fields of non-root object types holding a list of objects, as
    /// (type, field, element type); declared arguments on them are reported.
    pub(crate) fn nested_lists(&self, problems: &mut Vec<String>) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for (ty, fields) in &self.fields {
            if matches!(ty.as_str(), "Query" | "Mutation" | "Subscription") {
                continue;
            }
            for f in fields {
                let elem = f.ty.inner_named_type().as_str();
                if !f.ty.is_list() || self.kind_of(elem) != Some(DeclKind::Object) {
                    continue;
                }
                if !f.arg_names.is_empty() {
                    problems.push(format!(
                        "{}: {ty}.{} declares arguments; embedded lists get where, orderBy, limit and offset generated, remove the declared ones",
                        f.loc, f.name
                    ));
                    continue;
                }
                out.push((ty.clone(), f.name.clone(), elem.to_owned()));
            }
        }
        out.sort();
        out
    }

    /// The kind of a named type: declared, built in, or from the scalar library.
    pub(crate) fn kind_of(&self, name: &str) -> Option<DeclKind> {
        if let Some(k) = self.kinds.get(name) {
            return Some(*k);
        }
        if crate::scalars::is_builtin(name)
            || crate::scalars::LIBRARY_SCALARS
                .iter()
                .any(|(n, _)| *n == name)
        {
            return Some(DeclKind::Scalar);
        }
        None
    }
}
