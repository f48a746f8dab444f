//! Mutations: `@function` fields of Mutation, their generated result unions and
//! cascade types, and their binding to PostgreSQL function signatures.

use std::collections::HashMap;
use std::fmt::Write;

use crate::error::SourceLoc;
use crate::schema::model::{
    ArgsMode, FunctionBinding, FunctionSignature, MutationField, RowShape, V1_COLUMNS, V2_COLUMNS,
};
use crate::schema::sdl::{DeclKind, SdlInfo};

/// The generated cascade types (graphql-cascade shape).
pub(crate) const CASCADE_TYPES: &[&str] = &[
    "Cascade",
    "CascadeUpdate",
    "CascadeDelete",
    "CascadeInvalidation",
];
pub(crate) const CASCADE_ENTITY: &str = "CascadeEntity";

/// The field of a success member that carries the entity: `User` → `user`.
pub fn entity_field_name(entity: &str) -> String {
    let mut chars = entity.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Classifies the fields of Mutation; the second value says which result unions to generate.
pub(crate) fn classify(
    info: &SdlInfo,
    problems: &mut Vec<String>,
) -> (Vec<MutationField>, Vec<String>) {
    let mut out = Vec::new();
    let mut generate = Vec::new();
    let Some(fields) = info.fields.get("Mutation") else {
        return (out, generate);
    };
    for f in fields {
        let at = &f.loc;
        let Some(decl) = info.functions.get(&f.name) else {
            problems.push(format!(
                "{at}: Mutation.{} needs @function(name: \"fn_...\"): writes go through PostgreSQL functions",
                f.name
            ));
            continue;
        };
        let result = f.ty.inner_named_type().to_string();
        if f.ty.is_list() {
            problems.push(format!(
                "{at}: Mutation.{} must return one result, not a list",
                f.name
            ));
            continue;
        }
        let (success, error) = match info.kinds.get(&result) {
            None => match result.strip_suffix("Result") {
                Some(base) if !base.is_empty() => {
                    generate.push(result.clone());
                    (format!("{base}Success"), format!("{base}Error"))
                }
                _ => {
                    problems.push(format!(
                        "{at}: Mutation.{} returns {result}, which is not declared: name it <Name>Result to have the engine generate it",
                        f.name
                    ));
                    continue;
                }
            },
            Some(DeclKind::Union) => {
                let members = info.unions.get(&result).cloned().unwrap_or_default();
                let success = members
                    .iter()
                    .find(|m| m.ends_with("Success"))
                    .or(members.first())
                    .cloned();
                let error = members
                    .iter()
                    .find(|m| m.ends_with("Error"))
                    .or(members.get(1))
                    .cloned();
                match (success, error, members.len()) {
                    (Some(s), Some(e), 2) if s != e => (s, e),
                    _ => {
                        problems.push(format!(
                            "{at}: {result} must be a union of two types, a success member (…Success) and an error member (…Error)"
                        ));
                        continue;
                    }
                }
            }
            Some(_) => {
                problems.push(format!(
                    "{at}: Mutation.{} returns {result}: a mutation returns a result union (success | error); name it <Name>Result to have it generated",
                    f.name
                ));
                continue;
            }
        };
        let entity = match &decl.entity {
            Some(e) => e.clone(),
            None => {
                let start = f
                    .name
                    .find(|c: char| c.is_ascii_uppercase())
                    .unwrap_or(f.name.len());
                f.name[start..].to_owned()
            }
        };
        if info.kind_of(&entity) != Some(DeclKind::Object) {
            problems.push(format!(
                "{at}: cannot tell which object type Mutation.{} writes (`{entity}` is not one): add @function(entity: \"TypeName\")",
                f.name
            ));
            continue;
        }
        if !generate.contains(&result) {
            check_members(info, &success, &error, &entity, at, problems);
        }
        out.push(MutationField {
            name: f.name.clone(),
            function: decl.name.clone(),
            quoted: decl.quoted.clone(),
            schema: decl.schema.clone(),
            args_mode: decl.args_mode,
            entity,
            result,
            success,
            error,
            context_keys: decl.context.clone(),
            loc: decl.loc.clone(),
            binding: None,
        });
    }
    (out, generate)
}

/// The fields of a declared result union's members must be ones the engine fills.
fn check_members(
    info: &SdlInfo,
    success: &str,
    error: &str,
    entity: &str,
    at: &SourceLoc,
    problems: &mut Vec<String>,
) {
    const SUCCESS: &[&str] = &["status", "noop", "message", "updatedFields", "cascade"];
    const ERROR: &[&str] = &["status", "code", "message", "details"];
    for (member, allowed) in [(success, SUCCESS), (error, ERROR)] {
        for f in info.fields.get(member).into_iter().flatten() {
            let entity_field = member == success && f.ty.inner_named_type().as_str() == entity;
            if !allowed.contains(&f.name.as_str()) && !entity_field {
                problems.push(format!(
                    "{at}: {member}.{} is not a field the engine can fill; a {} member may have {}{}",
                    f.name,
                    if member == success { "success" } else { "error" },
                    allowed.join(", "),
                    if member == success { format!(" and a field of type {entity}") } else { String::new() }
                ));
            }
        }
    }
}

/// The SDL of the generated result unions and, when there are mutations, the cascade types.
pub(crate) fn generated_sdl(
    info: &SdlInfo,
    mutations: &[MutationField],
    generate: &[String],
) -> String {
    let mut out = String::new();
    if mutations.is_empty() {
        return out;
    }
    let mut views: Vec<&String> = info.views.keys().collect();
    views.sort();
    let entity_line = if views.is_empty() {
        String::new()
    } else {
        let members: Vec<&str> = views.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(
            out,
            "\"\"\"Any entity a cascade can carry.\"\"\"\nunion {CASCADE_ENTITY} = {}\n",
            members.join(" | ")
        );
        format!(
            "  \"\"\"The entity as it is now, selected like a query would.\"\"\"\n  entity: {CASCADE_ENTITY}\n"
        )
    };
    let _ = writeln!(
        out,
        r#""""What else a mutation changed (graphql-cascade)."""
type Cascade {{
  updated: [CascadeUpdate!]!
  deleted: [CascadeDelete!]!
  invalidations: [CascadeInvalidation!]!
  metadata: JSON
}}

"""An entity the mutation created or updated."""
type CascadeUpdate {{
  """The entity's type name."""
  typename: String!
  id: ID!
  """CREATED or UPDATED."""
  operation: String!
{entity_line}}}

"""An entity the mutation deleted."""
type CascadeDelete {{
  """The entity's type name."""
  typename: String!
  id: ID!
}}

"""A cached query the client should refresh."""
type CascadeInvalidation {{
  queryName: String!
  strategy: String!
  scope: String!
}}
"#
    );
    for m in mutations.iter().filter(|m| generate.contains(&m.result)) {
        let field = entity_field_name(&m.entity);
        let _ = writeln!(
            out,
            r#""""The result of {name}: {success} or {error}."""
union {result} = {success} | {error}

"""{name} succeeded, or changed nothing (noop)."""
type {success} {{
  """created, updated, deleted, success, or noop:<reason>."""
  status: String!
  """True when the call changed nothing."""
  noop: Boolean!
  message: String
  {field}: {entity}
  """The fields the call changed."""
  updatedFields: [String!]!
  cascade: Cascade
}}

"""{name} failed: the function reported an error (or raised one, and nothing was written)."""
type {error} {{
  """The full status, e.g. validation:email_taken."""
  status: String!
  """VALIDATION, NOT_FOUND, CONFLICT, UNAUTHORIZED, FORBIDDEN, TIMEOUT or FAILED, or a database error code."""
  code: String!
  message: String
  """Structured details, e.g. field errors."""
  details: JSON
}}
"#,
            name = m.name,
            result = m.result,
            success = m.success,
            error = m.error,
            entity = m.entity,
        );
    }
    out
}

/// One function to look up in the database.
#[derive(Debug, Clone)]
pub struct FunctionRef {
    pub field: String,
    /// The function's schema (from `schema:` or a qualified name), `None`: the search path.
    pub schema: Option<String>,
    /// The function's name, unqualified.
    pub name: String,
    /// The quoted, possibly qualified name: the key of the catalog.
    pub quoted: String,
    pub loc: SourceLoc,
}

/// What a POSITIONAL input is, to check it against its parameter's SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputKind {
    Object,
    List,
    Int,
    Float,
    Boolean,
    Json,
    Text,
}

/// One POSITIONAL input: its snake_case name, its GraphQL type as written, its kind.
pub(crate) type FlatInput = (String, String, InputKind);

/// Whether a GraphQL input of `kind` can be cast to the SQL type `pg`.
fn compatible(kind: InputKind, pg: &str) -> bool {
    let json = matches!(pg, "jsonb" | "json");
    let number = matches!(
        pg,
        "smallint" | "integer" | "bigint" | "real" | "double precision"
    ) || pg.starts_with("numeric");
    match kind {
        InputKind::Object => json,
        InputKind::List => json || pg.ends_with("[]"),
        InputKind::Int | InputKind::Float => number || pg == "text",
        InputKind::Boolean => pg == "boolean" || pg == "text",
        InputKind::Json => true,
        InputKind::Text => !json && !pg.ends_with("[]"),
    }
}

/// An input and a parameter match when the parameter is unnamed or has the input's
/// snake_case name, possibly behind a `p_`, `in_`, `v_` or `_` prefix.
fn same_name(input: &str, param: &str) -> bool {
    param.is_empty()
        || ["", "p_", "in_", "v_", "_"]
            .iter()
            .any(|prefix| param.strip_prefix(prefix) == Some(input))
}

/// Binds each mutation to its function's signature; every mismatch names the
/// field, the function and the expected signature.
pub(crate) fn bind(
    mutations: &mut [MutationField],
    catalog: &HashMap<String, Option<FunctionSignature>>,
    flattened: &HashMap<String, Vec<FlatInput>>,
    default_context: &[String],
    problems: &mut Vec<String>,
) {
    for m in mutations.iter_mut() {
        let at = format!(
            "{}: Mutation.{} @function(name: \"{}\")",
            m.loc, m.name, m.function
        );
        let Some(Some(sig)) = catalog.get(&m.quoted) else {
            problems.push(format!(
                "{at}: the function {} does not exist in the database",
                m.quoted
            ));
            continue;
        };
        if sig.overloads > 1 {
            problems.push(format!(
                "{at}: {} functions are named {}: FraiseQL calls exactly one function per field; rename or drop the other overloads",
                sig.overloads, m.quoted
            ));
            continue;
        }
        if sig.returns_set {
            problems.push(format!(
                "{at}: the function returns SETOF {} ({}): a mutation function returns exactly one row (RETURNS fraiseql.mutation_response)",
                sig.result_type,
                sig.result_columns.join(", ")
            ));
            continue;
        }
        let shape = if sig.result_columns == V2_COLUMNS {
            RowShape::V2
        } else if sig.result_columns == V1_COLUMNS {
            RowShape::V1
        } else {
            problems.push(format!(
                "{at}: the function returns {} ({}), which is neither mutation response shape: expected fraiseql.mutation_response ({}) or the v1 row ({})",
                sig.result_type,
                sig.result_columns.join(", "),
                V2_COLUMNS.join(", "),
                V1_COLUMNS.join(", ")
            ));
            continue;
        };
        let allowed = m.context_keys.as_deref().unwrap_or(default_context);
        let (context, inputs): (Vec<_>, Vec<_>) = sig
            .inputs
            .iter()
            .cloned()
            .partition(|(n, _)| allowed.contains(n));
        let flat = flattened.get(&m.name).cloned().unwrap_or_default();
        let (fits, expected) = match m.args_mode {
            ArgsMode::Jsonb => (
                inputs.len() == 1 && matches!(inputs[0].1.as_str(), "jsonb" | "json"),
                "input jsonb".to_owned(),
            ),
            ArgsMode::Positional => (
                inputs.len() == flat.len()
                    && flat
                        .iter()
                        .zip(&inputs)
                        .all(|((name, _, kind), (param, pg))| {
                            compatible(*kind, pg) && same_name(name, param)
                        }),
                flat.iter()
                    .map(|(n, ty, _)| format!("{n} <{ty}>"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        };
        if !fits {
            let takes = sig
                .inputs
                .iter()
                .map(|(n, t)| format!("{n} {t}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut want = expected;
            for c in allowed {
                want.push_str(&format!(", [{c} => context]"));
            }
            problems.push(format!(
                "{at}: the function takes ({takes}) but {} mode expects ({want})",
                match m.args_mode {
                    ArgsMode::Jsonb => "JSONB",
                    ArgsMode::Positional => "POSITIONAL",
                }
            ));
            continue;
        }
        m.binding = Some(FunctionBinding {
            inputs,
            context,
            shape,
        });
    }
}
