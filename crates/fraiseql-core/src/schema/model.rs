//! The schema model the planner works from: object types, their JSON keys and views.

use std::collections::HashMap;

use apollo_compiler::ast::Type;
use indexmap::IndexMap;

use crate::error::SourceLoc;
use crate::scalars::ScalarKind;

/// What a field holds, by its innermost named type.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Scalar(ScalarKind),
    Enum,
    Object(String),
    /// A union whose member is named by the parent object's `__typename` key (cascade entities).
    Union(Vec<String>),
}

/// A field of an object type stored in JSONB.
#[derive(Debug, Clone)]
pub struct FieldModel {
    pub name: String,
    /// The key in the JSONB object.
    pub json_key: String,
    pub ty: Type,
    pub kind: FieldKind,
    /// `@relation`: the embedded object is the row of its type's view whose key column
    /// equals a real column of this type's view; nested filters become a semi-join.
    pub relation: Option<Relation>,
}

/// What `@relation(column:, references:)` on an embedded object field says.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    /// The real column of the parent's view, e.g. `author_id`.
    pub column: String,
    /// The key column of the related view, `id` unless given.
    pub references: String,
    /// The related view as written in `view:`; by default the field type's own `@view`.
    pub view: Option<String>,
    /// The type whose `@view` is the related view, resolved at bind time.
    pub view_type: Option<String>,
    pub loc: SourceLoc,
}

impl FieldModel {
    pub fn is_list(&self) -> bool {
        self.ty.is_list()
    }
}

/// The read model behind an object type declared with `@view`.
#[derive(Debug, Clone)]
pub struct ViewModel {
    /// The relation as written, e.g. `v_user` or `public.v_user`.
    pub relation: String,
    /// The quoted relation for SQL, e.g. `"public"."v_user"`.
    pub quoted: String,
    /// The JSONB column.
    pub column: String,
    /// Real columns found at bind time (name → SQL type), the JSONB column excluded.
    pub columns: HashMap<String, String>,
    pub loc: SourceLoc,
}

/// An object type: an entity with a view, or an object embedded in another's JSON.
#[derive(Debug, Clone)]
pub struct ObjectModel {
    pub name: String,
    pub view: Option<ViewModel>,
    pub fields: IndexMap<String, FieldModel>,
    pub loc: SourceLoc,
}

/// How a root Query field reads its view.
#[derive(Debug, Clone, PartialEq)]
pub enum RootKind {
    /// `[T!]!` with `where`, `orderBy`, `limit`, `offset` (and any declared equality arguments).
    List,
    /// `T`: every argument is an equality filter on the same-named field.
    Single,
    /// `TConnection`: Relay connection with keyset cursors.
    Connection,
}

/// A root field of Query.
#[derive(Debug, Clone)]
pub struct RootField {
    pub name: String,
    pub entity: String,
    pub kind: RootKind,
    /// Declared arguments used as equality filters: argument name → field name.
    pub equality_args: Vec<(String, String)>,
    pub loc: SourceLoc,
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a possibly schema-qualified relation name: `a.b` → `"a"."b"`.
pub fn quote_relation(schema: Option<&str>, name: &str) -> String {
    match (schema, name.split_once('.')) {
        (Some(s), _) => format!("{}.{}", quote_ident(s), quote_ident(name)),
        (None, Some((s, n))) => format!("{}.{}", quote_ident(s), quote_ident(n)),
        (None, None) => quote_ident(name),
    }
}

/// How a mutation's GraphQL arguments reach its function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgsMode {
    /// One jsonb argument: the input object (or all arguments) with snake_case keys.
    Jsonb,
    /// One argument per input field (or per GraphQL argument), in declaration order.
    Positional,
}

/// Which mutation response row the function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowShape {
    /// 13 columns: `succeeded, state_changed, error_class, status_detail, http_status, message,
    /// entity_id, entity_type, entity, updated_fields, cascade, error_detail, metadata`.
    V2,
    /// 8 columns: `status, message, entity_id, entity_type, entity, updated_fields, cascade, metadata`.
    V1,
}

/// The columns of each row shape, in order.
pub const V2_COLUMNS: &[&str] = &[
    "succeeded",
    "state_changed",
    "error_class",
    "status_detail",
    "http_status",
    "message",
    "entity_id",
    "entity_type",
    "entity",
    "updated_fields",
    "cascade",
    "error_detail",
    "metadata",
];
pub const V1_COLUMNS: &[&str] = &[
    "status",
    "message",
    "entity_id",
    "entity_type",
    "entity",
    "updated_fields",
    "cascade",
    "metadata",
];

/// What the database says a function looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSignature {
    /// Input parameters as (name, SQL type); unnamed ones have an empty name.
    pub inputs: Vec<(String, String)>,
    /// Columns of the result row.
    pub result_columns: Vec<String>,
    /// The declared result type, e.g. `fraiseql.mutation_response` or `integer`.
    pub result_type: String,
    /// `RETURNS SETOF ...`.
    pub returns_set: bool,
    /// More than one function has this name: FraiseQL cannot tell which to call.
    pub overloads: usize,
}

/// A function bound at start-up.
#[derive(Debug, Clone)]
pub struct FunctionBinding {
    /// The inputs (after the context parameters are taken out) as (name, SQL type);
    /// when every input has a name, the call passes them all by name.
    pub inputs: Vec<(String, String)>,
    /// Context parameters: (parameter name, SQL type), passed by name.
    pub context: Vec<(String, String)>,
    pub shape: RowShape,
}

/// A root field of Mutation backed by a function.
#[derive(Debug, Clone)]
pub struct MutationField {
    pub name: String,
    /// The function as written, e.g. `fn_create_user`.
    pub function: String,
    /// The quoted function name for SQL.
    pub quoted: String,
    /// The function's schema, when given (`schema:` or a qualified name).
    pub schema: Option<String>,
    pub args_mode: ArgsMode,
    /// The entity type the success member carries.
    pub entity: String,
    /// The union, its success and error members.
    pub result: String,
    pub success: String,
    pub error: String,
    /// Context keys this mutation may pass (`None`: the configured default).
    pub context_keys: Option<Vec<String>>,
    pub loc: SourceLoc,
    pub binding: Option<FunctionBinding>,
}
