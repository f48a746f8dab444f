//! Generates the SDL the engine adds to the user's: filter and ordering inputs,
//! connection types, library scalars, and the arguments of root fields.

use std::collections::HashSet;
use std::fmt::Write;

use crate::operators::{ARRAY_OPERATORS, OpDef, Operand, scalar_operators};
use crate::scalars::{LIBRARY_SCALARS, ScalarKind};
use crate::schema::model::RootKind;
use crate::schema::sdl::{DeclKind, SdlInfo};

/// Builds the generated SDL text.
pub(crate) struct Generator<'a> {
    info: &'a SdlInfo,
    out: String,
    done: HashSet<String>,
}

/// The arguments the engine adds to a root field, as SDL argument definitions.
pub(crate) fn root_args(
    kind: &RootKind,
    entity: &str,
    has_order: bool,
) -> Vec<(&'static str, String, &'static str)> {
    let mut args = Vec::new();
    if *kind == RootKind::Single {
        return args;
    }
    args.push((
        "where",
        format!("{entity}WhereInput"),
        "Filters the rows; sibling fields are ANDed.",
    ));
    if has_order {
        args.push((
            "orderBy",
            format!("[{entity}OrderByInput!]"),
            "Sort order: the first element sorts first.",
        ));
    }
    match kind {
        RootKind::List => {
            args.push((
                "limit",
                "Int".to_owned(),
                "Maximum number of rows to return.",
            ));
            args.push(("offset", "Int".to_owned(), "Number of rows to skip."));
        }
        RootKind::Connection => {
            args.push((
                "first",
                "Int".to_owned(),
                "Returns the first n edges after `after`.",
            ));
            args.push((
                "after",
                "String".to_owned(),
                "A cursor: returns edges after it.",
            ));
            args.push((
                "last",
                "Int".to_owned(),
                "Returns the last n edges before `before`.",
            ));
            args.push((
                "before",
                "String".to_owned(),
                "A cursor: returns edges before it.",
            ));
        }
        RootKind::Single => {}
    }
    args
}

impl<'a> Generator<'a> {
    pub(crate) fn new(info: &'a SdlInfo) -> Self {
        Generator {
            info,
            out: String::new(),
            done: HashSet::new(),
        }
    }

    /// Generates everything the roots need and returns the SDL text.
    pub(crate) fn run(mut self, nested_lists: &[(String, String, String)]) -> String {
        for (name, description) in LIBRARY_SCALARS {
            if self.info.referenced.contains(*name) && !self.info.kinds.contains_key(*name) {
                let _ = writeln!(self.out, "\"\"\"{description}\"\"\"\nscalar {name}\n");
            }
        }
        let roots = self.info.roots.clone();
        for root in &roots {
            if root.kind == RootKind::Single {
                continue;
            }
            self.where_input(&root.entity);
            if self.has_order(&root.entity) {
                self.order_input(&root.entity);
            }
            if root.kind == RootKind::Connection {
                self.connection(&root.entity);
            }
        }
        for (_, _, element) in nested_lists {
            self.where_input(element);
            if self.has_order(element) {
                self.order_input(element);
            }
        }
        self.out
    }

    fn first_time(&mut self, name: &str) -> bool {
        self.done.insert(name.to_owned())
    }

    fn fields(&self, ty: &str) -> Vec<(String, apollo_compiler::ast::Type)> {
        self.info
            .fields
            .get(ty)
            .map(|fs| fs.iter().map(|f| (f.name.clone(), f.ty.clone())).collect())
            .unwrap_or_default()
    }

    fn where_input(&mut self, ty: &str) {
        let name = format!("{ty}WhereInput");
        if !self.first_time(&name) {
            return;
        }
        let mut body = String::new();
        for (field, fty) in self.fields(ty) {
            let inner = fty.inner_named_type().to_string();
            let filter = match (self.info.kind_of(&inner), fty.is_list()) {
                (Some(DeclKind::Scalar), false) => {
                    self.scalar_filter(&inner, Some(ScalarKind::of(&inner)))
                }
                (Some(DeclKind::Enum), false) => self.scalar_filter(&inner, None),
                (Some(DeclKind::Scalar | DeclKind::Enum), true) => self.array_filter(&inner),
                (Some(DeclKind::Object), false) => {
                    self.where_input(&inner);
                    format!("{inner}WhereInput")
                }
                (Some(DeclKind::Object), true) => self.list_filter(&inner),
                _ => continue,
            };
            let _ = writeln!(body, "  {field}: {filter}");
        }
        let _ = writeln!(
            self.out,
            "\"\"\"Filter on {ty}. Sibling fields are ANDed; null operands are ignored.\"\"\"\ninput {name} {{\n{body}  \"\"\"All of these hold.\"\"\"\n  _and: [{name}!]\n  \"\"\"At least one of these holds.\"\"\"\n  _or: [{name}!]\n  \"\"\"This does not hold.\"\"\"\n  _not: {name}\n}}\n"
        );
    }

    fn operator_lines(&mut self, ops: impl Iterator<Item = &'static OpDef>, ty: &str) -> String {
        let mut body = String::new();
        for op in ops {
            let operand = match op.operand {
                Operand::Same => ty.to_owned(),
                Operand::SameList => format!("[{ty}!]"),
                Operand::String => "String".to_owned(),
                Operand::Boolean => "Boolean".to_owned(),
                Operand::IntFilter => self.scalar_filter("Int", Some(ScalarKind::Int)),
            };
            let _ = writeln!(
                body,
                "  \"\"\"{}\"\"\"\n  {}: {operand}",
                op.description, op.name
            );
        }
        body
    }

    fn scalar_filter(&mut self, ty: &str, kind: Option<ScalarKind>) -> String {
        let name = format!("{ty}Filter");
        if self.first_time(&name) {
            let body = self.operator_lines(scalar_operators(kind), ty);
            let _ = writeln!(
                self.out,
                "\"\"\"Operators on a {ty} field.\"\"\"\ninput {name} {{\n{body}}}\n"
            );
        }
        name
    }

    fn array_filter(&mut self, ty: &str) -> String {
        let name = format!("{ty}ArrayFilter");
        if self.first_time(&name) {
            let body = self.operator_lines(ARRAY_OPERATORS.iter(), ty);
            let _ = writeln!(
                self.out,
                "\"\"\"Operators on a JSON array of {ty}.\"\"\"\ninput {name} {{\n{body}}}\n"
            );
        }
        name
    }

    fn list_filter(&mut self, ty: &str) -> String {
        let name = format!("{ty}ListFilter");
        if self.first_time(&name) {
            self.where_input(ty);
            let _ = writeln!(
                self.out,
                "\"\"\"Operators on a JSON array of {ty} objects.\"\"\"\ninput {name} {{\n  \"\"\"At least one element matches.\"\"\"\n  some: {ty}WhereInput\n  \"\"\"Every element matches (true for an empty array).\"\"\"\n  every: {ty}WhereInput\n  \"\"\"No element matches.\"\"\"\n  none: {ty}WhereInput\n  \"\"\"true: the array is null or absent; false: it has a value.\"\"\"\n  isNull: Boolean\n}}\n"
            );
        }
        name
    }

    /// Whether `ty` has a field that can be sorted on directly.
    pub(crate) fn has_order(&self, ty: &str) -> bool {
        self.fields(ty).iter().any(|(_, fty)| {
            !fty.is_list()
                && matches!(
                    self.info.kind_of(fty.inner_named_type()),
                    Some(DeclKind::Scalar | DeclKind::Enum)
                )
        })
    }

    fn order_input(&mut self, ty: &str) {
        let name = format!("{ty}OrderByInput");
        if !self.first_time(&name) {
            return;
        }
        if self.first_time("OrderDirection") {
            self.out.push_str(ORDER_DIRECTION);
        }
        let mut body = String::new();
        for (field, fty) in self.fields(ty) {
            if fty.is_list() {
                continue;
            }
            let inner = fty.inner_named_type().to_string();
            match self.info.kind_of(&inner) {
                Some(DeclKind::Scalar | DeclKind::Enum) => {
                    let _ = writeln!(body, "  {field}: OrderDirection");
                }
                Some(DeclKind::Object) if self.has_order(&inner) => {
                    self.order_input(&inner);
                    let _ = writeln!(body, "  {field}: {inner}OrderByInput");
                }
                _ => {}
            }
        }
        let _ = writeln!(
            self.out,
            "\"\"\"Sort keys of {ty}; several keys in one element apply in the order written.\"\"\"\ninput {name} {{\n{body}}}\n"
        );
    }

    fn connection(&mut self, ty: &str) {
        let name = format!("{ty}Connection");
        if !self.first_time(&name) {
            return;
        }
        if self.first_time("PageInfo") && !self.info.kinds.contains_key("PageInfo") {
            self.out.push_str(PAGE_INFO);
        }
        let _ = writeln!(
            self.out,
            "\"\"\"A page of {ty} (Relay connection).\"\"\"\ntype {name} {{\n  edges: [{ty}Edge!]!\n  pageInfo: PageInfo!\n  \"\"\"Number of rows matching the filter, across all pages.\"\"\"\n  totalCount: Int!\n}}\n\n\"\"\"A {ty} and its cursor.\"\"\"\ntype {ty}Edge {{\n  \"\"\"Opaque keyset cursor of this edge.\"\"\"\n  cursor: String!\n  node: {ty}!\n}}\n"
        );
    }
}

const ORDER_DIRECTION: &str = r#""""Sort direction. ASC sorts nulls last and DESC nulls first, as PostgreSQL does."""
enum OrderDirection {
  ASC
  DESC
  ASC_NULLS_FIRST
  ASC_NULLS_LAST
  DESC_NULLS_FIRST
  DESC_NULLS_LAST
}

"#;

const PAGE_INFO: &str = r#""""Relay page information."""
type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

"#;
