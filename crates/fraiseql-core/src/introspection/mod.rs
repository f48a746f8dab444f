//! Schema introspection (`__schema`, `__type`), executed over the served schema
//! with the graphql-js 16 introspection types, so graphql-js clients rebuild
//! exactly the schema we serve.

use apollo_compiler::ast::{self, Type};
use apollo_compiler::executable::{Field, SelectionSet};
use apollo_compiler::schema::{ExtendedType, Implementers};
use apollo_compiler::{Name, Node, Schema};
use serde_json::{Map, Value};

use crate::plan::collect::Ctx;

const TYPES_SDL: &str = include_str!("types.graphql");
const INTROSPECTION_TYPES: &[&str] = &[
    "__Schema",
    "__Type",
    "__TypeKind",
    "__Field",
    "__InputValue",
    "__EnumValue",
    "__Directive",
    "__DirectiveLocation",
];
/// A stand-in prefix: apollo-compiler refuses SDL that redefines `__` types,
/// so they are parsed under this prefix and renamed.
const PREFIX: &str = "FraiseqlIntrospection";

/// Replaces the built-in introspection types of `schema` with graphql-js's.
pub(crate) fn install_types(schema: &mut Schema) {
    let sdl = format!(
        "{}\ntype Query {{ a: Int }}\n",
        TYPES_SDL.replace("__", PREFIX)
    );
    let Ok(parsed) = Schema::builder()
        .parse(sdl, "introspection.graphql")
        .build()
    else {
        return;
    };
    for name in INTROSPECTION_TYPES {
        let stand_in = name.replacen("__", PREFIX, 1);
        let Some(mut def) = parsed.types.get(stand_in.as_str()).cloned() else {
            continue;
        };
        rename(&mut def);
        if let Ok(n) = Name::new(name) {
            schema.types.insert(n, def);
        }
    }
}

fn unprefix(s: &str) -> String {
    s.replace(PREFIX, "__")
}

fn renamed_type(ty: &Type) -> Type {
    let named = |n: &Name| Name::new(&unprefix(n)).unwrap_or_else(|_| n.clone());
    match ty {
        Type::Named(n) => Type::Named(named(n)),
        Type::NonNullNamed(n) => Type::NonNullNamed(named(n)),
        Type::List(t) => Type::List(Box::new(renamed_type(t))),
        Type::NonNullList(t) => Type::NonNullList(Box::new(renamed_type(t))),
    }
}

fn renamed_description(d: &Option<Node<str>>) -> Option<Node<str>> {
    d.as_ref().map(|d| unprefix(d).into())
}

fn rename(def: &mut ExtendedType) {
    match def {
        ExtendedType::Object(o) => {
            let o = o.make_mut();
            o.name = Name::new(&unprefix(&o.name)).unwrap_or_else(|_| o.name.clone());
            o.description = renamed_description(&o.description);
            for f in o.fields.values_mut() {
                let f = f.make_mut();
                f.ty = renamed_type(&f.ty);
                f.description = renamed_description(&f.description);
            }
        }
        ExtendedType::Enum(e) => {
            let e = e.make_mut();
            e.name = Name::new(&unprefix(&e.name)).unwrap_or_else(|_| e.name.clone());
            e.description = renamed_description(&e.description);
        }
        _ => {}
    }
}

/// What an introspection object is.
enum Obj<'s> {
    Schema,
    Type(Type),
    Named(&'s ExtendedType),
    Field(&'s ast::FieldDefinition),
    InputValue(&'s ast::InputValueDefinition),
    EnumValue(&'s ast::EnumValueDefinition),
    Directive(&'s ast::DirectiveDefinition),
}

impl Obj<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            Obj::Schema => "__Schema",
            Obj::Type(_) | Obj::Named(_) => "__Type",
            Obj::Field(_) => "__Field",
            Obj::InputValue(_) => "__InputValue",
            Obj::EnumValue(_) => "__EnumValue",
            Obj::Directive(_) => "__Directive",
        }
    }
}

/// Executes introspection root fields.
pub(crate) struct Introspector<'a> {
    pub ctx: &'a Ctx<'a>,
    pub schema: &'a Schema,
    pub implementers: &'a apollo_compiler::collections::HashMap<Name, Implementers>,
}

fn deprecation(directives: &ast::DirectiveList) -> (bool, Value) {
    match directives.get("deprecated") {
        None => (false, Value::Null),
        Some(d) => {
            let reason = d
                .specified_argument_by_name("reason")
                .and_then(|v| v.as_str())
                .unwrap_or("No longer supported");
            (true, Value::from(reason))
        }
    }
}

fn description(d: Option<&Node<str>>) -> Value {
    d.map_or(Value::Null, |d| Value::from(d.as_str()))
}

impl<'a> Introspector<'a> {
    /// The value of a `__schema` or `__type` root field.
    pub(crate) fn root(&self, field: &'a Field, sets: Vec<&'a SelectionSet>) -> Value {
        match field.name.as_str() {
            "__schema" => self.object(&Obj::Schema, sets),
            _ => {
                let name = self.ctx.arg(field, "name");
                match name
                    .as_ref()
                    .and_then(|n| n.as_str())
                    .and_then(|n| self.schema.types.get(n))
                {
                    Some(def) => self.object(&Obj::Named(def), sets),
                    None => Value::Null,
                }
            }
        }
    }

    fn object(&self, obj: &Obj<'a>, sets: Vec<&'a SelectionSet>) -> Value {
        let mut map = Map::new();
        for c in self.ctx.collect(obj.type_name(), sets) {
            let f = c.first();
            let value = if f.name == "__typename" {
                Value::from(obj.type_name())
            } else {
                self.field(obj, f, c.sub_selections().collect())
            };
            map.insert(c.key.to_owned(), value);
        }
        Value::Object(map)
    }

    fn list<'o>(
        &self,
        items: impl IntoIterator<Item = Obj<'a>>,
        sets: &[&'a SelectionSet],
    ) -> Value {
        Value::Array(
            items
                .into_iter()
                .map(|o| self.object(&o, sets.to_vec()))
                .collect(),
        )
    }

    fn include_deprecated(&self, f: &Field) -> bool {
        self.ctx
            .arg(f, "includeDeprecated")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    fn named(&self, name: &str) -> Obj<'a> {
        match self.schema.types.get(name) {
            Some(def) => Obj::Named(def),
            None => Obj::Type(Type::Named(
                Name::new(name).unwrap_or_else(|_| Name::new("Unknown").expect("valid")),
            )),
        }
    }

    fn type_ref(&self, ty: &Type) -> Obj<'a> {
        match ty {
            Type::Named(n) => self.named(n),
            other => Obj::Type(other.clone()),
        }
    }

    fn field(&self, obj: &Obj<'a>, f: &'a Field, sets: Vec<&'a SelectionSet>) -> Value {
        let name = f.name.as_str();
        match obj {
            Obj::Schema => self.schema_field(name, f, &sets),
            Obj::Type(ty) => self.wrapper_field(ty, name, sets),
            Obj::Named(def) => self.type_field(def, name, f, &sets),
            Obj::Field(fd) => match name {
                "name" => Value::from(fd.name.as_str()),
                "description" => description(fd.description.as_ref()),
                "args" => {
                    let all = self.include_deprecated(f);
                    self.list(
                        fd.arguments
                            .iter()
                            .filter(|a| all || !deprecation(&a.directives).0)
                            .map(|a| Obj::InputValue(a)),
                        &sets,
                    )
                }
                "type" => self.object(&self.type_ref(&fd.ty), sets),
                "isDeprecated" => Value::from(deprecation(&fd.directives).0),
                "deprecationReason" => deprecation(&fd.directives).1,
                _ => Value::Null,
            },
            Obj::InputValue(iv) => match name {
                "name" => Value::from(iv.name.as_str()),
                "description" => description(iv.description.as_ref()),
                "type" => self.object(&self.type_ref(&iv.ty), sets),
                "defaultValue" => iv
                    .default_value
                    .as_ref()
                    .map_or(Value::Null, |v| Value::from(v.to_string())),
                "isDeprecated" => Value::from(deprecation(&iv.directives).0),
                "deprecationReason" => deprecation(&iv.directives).1,
                _ => Value::Null,
            },
            Obj::EnumValue(ev) => match name {
                "name" => Value::from(ev.value.as_str()),
                "description" => description(ev.description.as_ref()),
                "isDeprecated" => Value::from(deprecation(&ev.directives).0),
                "deprecationReason" => deprecation(&ev.directives).1,
                _ => Value::Null,
            },
            Obj::Directive(d) => match name {
                "name" => Value::from(d.name.as_str()),
                "description" => description(d.description.as_ref()),
                "isRepeatable" => Value::from(d.repeatable),
                "locations" => {
                    Value::Array(d.locations.iter().map(|l| Value::from(l.name())).collect())
                }
                "args" => {
                    let all = self.include_deprecated(f);
                    self.list(
                        d.arguments
                            .iter()
                            .filter(|a| all || !deprecation(&a.directives).0)
                            .map(|a| Obj::InputValue(a)),
                        &sets,
                    )
                }
                "isDeprecated" => Value::from(false),
                _ => Value::Null,
            },
        }
    }

    fn schema_field(&self, name: &str, f: &'a Field, sets: &[&'a SelectionSet]) -> Value {
        let root = |n: &Option<apollo_compiler::schema::ComponentName>| match n {
            Some(n) => self.object(&self.named(n), sets.to_vec()),
            None => Value::Null,
        };
        let def = &self.schema.schema_definition;
        match name {
            "description" => description(def.description.as_ref()),
            "types" => self.list(self.schema.types.values().map(Obj::Named), sets),
            "queryType" => root(&def.query),
            "mutationType" => root(&def.mutation),
            "subscriptionType" => root(&def.subscription),
            "directives" => {
                let _ = f;
                self.list(
                    self.schema
                        .directive_definitions
                        .values()
                        .map(|d| Obj::Directive(d)),
                    sets,
                )
            }
            _ => Value::Null,
        }
    }

    fn wrapper_field(&self, ty: &Type, name: &str, sets: Vec<&'a SelectionSet>) -> Value {
        let (kind, of): (&str, Obj<'a>) = match ty {
            Type::NonNullNamed(n) => ("NON_NULL", self.named(n)),
            Type::NonNullList(t) => ("NON_NULL", Obj::Type(Type::List(t.clone()))),
            Type::List(t) => ("LIST", self.type_ref(t)),
            Type::Named(n) => return self.object(&self.named(n), sets),
        };
        match name {
            "kind" => Value::from(kind),
            "ofType" => self.object(&of, sets),
            _ => Value::Null,
        }
    }

    fn type_field(
        &self,
        def: &'a ExtendedType,
        name: &str,
        f: &'a Field,
        sets: &[&'a SelectionSet],
    ) -> Value {
        let all = self.include_deprecated(f);
        match name {
            "kind" => Value::from(match def {
                ExtendedType::Scalar(_) => "SCALAR",
                ExtendedType::Object(_) => "OBJECT",
                ExtendedType::Interface(_) => "INTERFACE",
                ExtendedType::Union(_) => "UNION",
                ExtendedType::Enum(_) => "ENUM",
                ExtendedType::InputObject(_) => "INPUT_OBJECT",
            }),
            "name" => Value::from(def.name().as_str()),
            "description" => description(def.description()),
            "specifiedByURL" => match def {
                ExtendedType::Scalar(s) => s
                    .directives
                    .get("specifiedBy")
                    .and_then(|d| d.specified_argument_by_name("url"))
                    .and_then(|v| v.as_str())
                    .map_or(Value::Null, Value::from),
                _ => Value::Null,
            },
            "fields" => {
                let fields = match def {
                    ExtendedType::Object(o) => &o.fields,
                    ExtendedType::Interface(i) => &i.fields,
                    _ => return Value::Null,
                };
                self.list(
                    fields
                        .values()
                        .filter(|fd| !fd.name.starts_with("__"))
                        .filter(|fd| all || !deprecation(&fd.directives).0)
                        .map(|fd| Obj::Field(fd)),
                    sets,
                )
            }
            "interfaces" => match def {
                ExtendedType::Object(o) => {
                    self.list(o.implements_interfaces.iter().map(|n| self.named(n)), sets)
                }
                ExtendedType::Interface(i) => {
                    self.list(i.implements_interfaces.iter().map(|n| self.named(n)), sets)
                }
                _ => Value::Null,
            },
            "possibleTypes" => match def {
                ExtendedType::Union(u) => self.list(u.members.iter().map(|n| self.named(n)), sets),
                ExtendedType::Interface(i) => {
                    let objects = self
                        .implementers
                        .get(&i.name)
                        .map(|imp| imp.objects.iter().cloned().collect::<Vec<_>>())
                        .unwrap_or_default();
                    self.list(objects.iter().map(|n| self.named(n)), sets)
                }
                _ => Value::Null,
            },
            "enumValues" => match def {
                ExtendedType::Enum(e) => self.list(
                    e.values
                        .values()
                        .filter(|v| all || !deprecation(&v.directives).0)
                        .map(|v| Obj::EnumValue(v)),
                    sets,
                ),
                _ => Value::Null,
            },
            "inputFields" => match def {
                ExtendedType::InputObject(io) => self.list(
                    io.fields
                        .values()
                        .filter(|v| all || !deprecation(&v.directives).0)
                        .map(|v| Obj::InputValue(v)),
                    sets,
                ),
                _ => Value::Null,
            },
            "isOneOf" => match def {
                ExtendedType::InputObject(io) => Value::from(io.directives.get("oneOf").is_some()),
                _ => Value::Null,
            },
            _ => Value::Null,
        }
    }
}
