//! Access rules from the SDL: `@auth(roles: [...])` and `@requires(permission: "...")`
//! on object types, on their fields and on root fields.
//!
//! A rule on a type applies wherever a field returns that type; a rule on a field
//! applies to that field. Both must pass. `@auth` passes when the request has any
//! of the roles; `@requires` when it has the permission (or `*`). Rules are checked
//! at plan time against the request context: a denied root field is an error with
//! code FORBIDDEN and runs no SQL; a denied nested field is projected as null and
//! reported at its path.

use std::collections::HashMap;

use crate::plan::RequestContext;

/// One place's rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// Any of these roles (empty: no role needed).
    pub roles: Vec<String>,
    /// All of these permissions.
    pub permissions: Vec<String>,
}

impl Guard {
    fn merge(&mut self, other: Guard) {
        self.roles.extend(other.roles);
        self.permissions.extend(other.permissions);
    }

    /// Whether a request with this context passes.
    pub fn allows(&self, ctx: &RequestContext) -> bool {
        let role_ok = self.roles.is_empty() || self.roles.iter().any(|r| ctx.roles.contains(r));
        let perms_ok = self
            .permissions
            .iter()
            .all(|p| ctx.permissions.contains(p) || ctx.permissions.contains("*"));
        role_ok && perms_ok
    }

    /// What the guard asks for, for error messages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.roles.is_empty() {
            parts.push(format!("one of the roles {}", self.roles.join(", ")));
        }
        if !self.permissions.is_empty() {
            parts.push(format!("the permission {}", self.permissions.join(", ")));
        }
        parts.join(" and ")
    }
}

/// Every rule of a schema.
#[derive(Debug, Clone, Default)]
pub struct Guards {
    pub types: HashMap<String, Guard>,
    pub fields: HashMap<(String, String), Guard>,
}

impl Guards {
    pub fn is_empty(&self) -> bool {
        self.types.is_empty() && self.fields.is_empty()
    }

    pub(crate) fn add(&mut self, type_name: &str, field: Option<&str>, guard: Guard) {
        let slot = match field {
            Some(f) => self
                .fields
                .entry((type_name.to_owned(), f.to_owned()))
                .or_default(),
            None => self.types.entry(type_name.to_owned()).or_default(),
        };
        slot.merge(guard);
    }

    /// The rules on `parent.field`, which returns the named type `returns`; `None` when none.
    pub fn on_field(&self, parent: &str, field: &str, returns: &str) -> Option<Guard> {
        let f = self.fields.get(&(parent.to_owned(), field.to_owned()));
        let t = self.types.get(returns);
        match (f, t) {
            (None, None) => None,
            (Some(g), None) | (None, Some(g)) => Some(g.clone()),
            (Some(a), Some(b)) => {
                let mut g = a.clone();
                g.merge(b.clone());
                Some(g)
            }
        }
    }

    /// Checks `parent.field` against the context: `Err(message)` when denied.
    pub fn check(
        &self,
        parent: &str,
        field: &str,
        returns: &str,
        ctx: &RequestContext,
    ) -> Result<(), String> {
        match self.on_field(parent, field, returns) {
            Some(g) if !g.allows(ctx) => Err(format!(
                "Access to {parent}.{field} is denied: it requires {}.",
                g.describe()
            )),
            _ => Ok(()),
        }
    }
}
