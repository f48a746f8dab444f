//! The shape of a root field's result, used to apply the spec's null
//! propagation to the JSON PostgreSQL returns.

use crate::error::{GqlError, PathSegment, codes};
use apollo_compiler::ast::Type;

/// What a value must look like: nullability at each level, and the keys of objects.
#[derive(Debug, Clone)]
pub struct Shape {
    pub non_null: bool,
    pub kind: ShapeKind,
    /// `Type.field`, for the error message.
    pub label: String,
    pub loc: Option<(usize, usize)>,
    /// Access to this field was denied: its value is null and an error names why.
    pub denied: Option<String>,
}

/// A null reached a non-null position: the parent must become null in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NullPropagates;

#[derive(Debug, Clone)]
pub enum ShapeKind {
    Leaf,
    List(Box<Shape>),
    Object(Vec<(String, Shape)>),
}

impl Shape {
    /// The shape of a field of GraphQL type `ty` whose innermost value has `inner`.
    pub fn of(ty: &Type, inner: ShapeKind, label: String, loc: Option<(usize, usize)>) -> Shape {
        let kind = match ty {
            Type::List(item) | Type::NonNullList(item) => {
                ShapeKind::List(Box::new(Shape::of(item, inner, label.clone(), loc)))
            }
            Type::Named(_) | Type::NonNullNamed(_) => inner,
        };
        Shape {
            non_null: ty.is_non_null(),
            kind,
            label,
            loc,
            denied: None,
        }
    }

    /// Whether any level is non-null or denied, i.e. whether the value may need completing.
    pub fn has_non_null(&self) -> bool {
        self.non_null
            || self.denied.is_some()
            || match &self.kind {
                ShapeKind::Leaf => false,
                ShapeKind::List(item) => item.has_non_null(),
                ShapeKind::Object(fields) => fields.iter().any(|(_, s)| s.has_non_null()),
            }
    }

    /// Applies null propagation in place. `Err(NullPropagates)` means this value is null but
    /// must not be: the caller nulls its own value (or propagates further).
    pub fn complete(
        &self,
        v: &mut serde_json::Value,
        path: &mut Vec<PathSegment>,
        errors: &mut Vec<GqlError>,
    ) -> Result<(), NullPropagates> {
        if let Some(message) = &self.denied {
            *v = serde_json::Value::Null;
            errors.push(
                GqlError::new(codes::FORBIDDEN, message.clone())
                    .at(self.loc)
                    .with_path(path.clone()),
            );
            return if self.non_null {
                Err(NullPropagates)
            } else {
                Ok(())
            };
        }
        if v.is_null() {
            return self.null_here(path, errors);
        }
        let failed = match (&self.kind, &mut *v) {
            (ShapeKind::List(item), serde_json::Value::Array(items)) => {
                let mut failed = false;
                for (i, el) in items.iter_mut().enumerate() {
                    path.push(PathSegment::Index(i));
                    let r = item.complete(el, path, errors);
                    path.pop();
                    if r.is_err() {
                        failed = true;
                        break;
                    }
                }
                failed
            }
            (ShapeKind::Object(fields), serde_json::Value::Object(map)) => {
                let mut failed = false;
                for (key, shape) in fields {
                    path.push(PathSegment::Key(key.clone()));
                    let r = match map.get_mut(key) {
                        Some(child) => shape.complete(child, path, errors),
                        None => shape.null_here(path, errors),
                    };
                    path.pop();
                    if r.is_err() {
                        failed = true;
                        break;
                    }
                }
                failed
            }
            _ => false,
        };
        if failed {
            *v = serde_json::Value::Null;
            if self.non_null {
                return Err(NullPropagates);
            }
        }
        Ok(())
    }

    fn null_here(
        &self,
        path: &[PathSegment],
        errors: &mut Vec<GqlError>,
    ) -> Result<(), NullPropagates> {
        if !self.non_null {
            return Ok(());
        }
        errors.push(
            GqlError::new(
                codes::NON_NULL_VIOLATION,
                format!("Cannot return null for non-nullable field {}.", self.label),
            )
            .at(self.loc)
            .with_path(path.to_vec()),
        );
        Err(NullPropagates)
    }
}
