//! Maps a verified token's claims to an [`Identity`] with the JSON pointers (RFC 6901) of
//! `[auth.claims]`.
//!
//! Rules (all lenient: a claim of an unexpected shape is left out, never an error, because the
//! token's signature has already been checked and refusing it here would only hide the cause):
//!
//! - `subject` is the `sub` claim; `token_id` is `jti`; `issued_at` and `expires_at` are `iat`
//!   and `exp` (seconds since the epoch; a fractional NumericDate is rounded down).
//! - `user_id` and `tenant_id` take a string as is, a number as its decimal text (`42`, `4.5`)
//!   and a boolean as `true`/`false`. An empty string, `null`, an object or an array gives
//!   `None` (an empty tenant id is never a real tenant).
//! - `roles` and `permissions` take an array (string items kept, numbers and booleans as text,
//!   other items skipped) or one string split on spaces and commas (the OAuth `scope` form).
//!   Empty items are dropped and duplicates removed, first occurrence kept.
//! - `custom` values: scalars as text, objects and arrays as compact JSON, `null` left out.
//!
//! A pointer is `""` (the whole claims document) or starts with `/`; `~` must be followed by
//! `0` or `1`. A claim whose name holds a `/`, such as `https://example.com/claims`, is written
//! with `~1`: `/https:~1~1example.com~1claims/user_id`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Identity;
use crate::config::ClaimsConfig;

/// The validated claim → identity mapping of `[auth.claims]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimMap {
    user_id: Option<String>,
    tenant_id: Option<String>,
    roles: Option<String>,
    permissions: Option<String>,
    custom: BTreeMap<String, String>,
}

impl ClaimMap {
    /// Validates the pointers of `cfg`. The error names the config key at fault, e.g.
    /// `auth.claims.tenant_id: "tid" is not a JSON pointer: it must start with '/' (did you mean "/tid"?)`.
    pub fn new(cfg: &ClaimsConfig) -> Result<ClaimMap, String> {
        let check = |key: &str, ptr: &Option<String>| -> Result<Option<String>, String> {
            match ptr {
                Some(p) => validate_pointer(p)
                    .map(|()| Some(p.clone()))
                    .map_err(|e| format!("auth.claims.{key}: {e}")),
                None => Ok(None),
            }
        };
        let mut custom = BTreeMap::new();
        for (name, ptr) in &cfg.custom {
            if name.is_empty() {
                return Err("auth.claims.custom: a value name must not be empty".into());
            }
            validate_pointer(ptr).map_err(|e| format!("auth.claims.custom.{name}: {e}"))?;
            custom.insert(name.clone(), ptr.clone());
        }
        Ok(ClaimMap {
            user_id: check("user_id", &cfg.user_id)?,
            tenant_id: check("tenant_id", &cfg.tenant_id)?,
            roles: check("roles", &cfg.roles)?,
            permissions: check("permissions", &cfg.permissions)?,
            custom,
        })
    }

    /// The identity that verified `claims` describe (never anonymous). Claims of an
    /// unexpected shape are left out (see the module docs).
    pub fn identity(&self, claims: &Value) -> Identity {
        let at = |ptr: &Option<String>| ptr.as_deref().and_then(|p| claims.pointer(p));
        Identity {
            subject: claims.get("sub").and_then(scalar_text),
            user_id: at(&self.user_id).and_then(scalar_text),
            tenant_id: at(&self.tenant_id).and_then(scalar_text),
            roles: at(&self.roles).map(list).unwrap_or_default(),
            permissions: at(&self.permissions).map(list).unwrap_or_default(),
            custom: self
                .custom
                .iter()
                .filter_map(|(name, ptr)| {
                    claims
                        .pointer(ptr)
                        .and_then(any_text)
                        .map(|v| (name.clone(), v))
                })
                .collect(),
            token_id: claims.get("jti").and_then(scalar_text),
            issued_at: claims.get("iat").and_then(numeric_date),
            expires_at: claims.get("exp").and_then(numeric_date),
            anonymous: false,
        }
    }
}

/// Checks RFC 6901 syntax: `""` or `/`-prefixed, every `~` followed by `0` or `1`.
fn validate_pointer(p: &str) -> Result<(), String> {
    if !p.is_empty() && !p.starts_with('/') {
        return Err(format!(
            "{p:?} is not a JSON pointer: it must start with '/' (did you mean \"/{p}\"?)"
        ));
    }
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Err(format!(
                "{p:?} is not a JSON pointer: '~' must be followed by 0 or 1 (~0 is '~', ~1 is '/')"
            ));
        }
    }
    Ok(())
}

/// A string (non-empty), number or boolean as text.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Scalars as text (an empty string stays empty), objects and arrays as compact JSON.
fn any_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(_) | Value::Object(_) => Some(v.to_string()),
    }
}

/// An array of strings, or one string split on spaces and commas; deduplicated.
fn list(v: &Value) -> Vec<String> {
    let items: Vec<String> = match v {
        Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
        Value::String(s) => s
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}

/// A NumericDate (seconds since the epoch, possibly fractional), rounded down.
fn numeric_date(v: &Value) -> Option<i64> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    // i64::MAX as f64 rounds up to 2^63, so `<` keeps the cast in range.
    (f.is_finite() && f >= i64::MIN as f64 && f < i64::MAX as f64).then(|| f.floor() as i64)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(cfg: ClaimsConfig) -> ClaimMap {
        ClaimMap::new(&cfg).expect("valid claims config")
    }

    #[test]
    fn defaults_map_sub_roles_permissions_and_registered_claims() {
        let m = map(ClaimsConfig::default());
        let id = m.identity(&json!({
            "sub": "user-42", "jti": "t-1", "iat": 1_700_000_000, "exp": 1_700_003_600.9,
            "roles": ["editor", "viewer", "editor"], "permissions": "read:posts write:posts,read:posts"
        }));
        assert_eq!(id.subject.as_deref(), Some("user-42"));
        assert_eq!(id.user_id.as_deref(), Some("user-42"));
        assert_eq!(id.tenant_id, None);
        assert_eq!(id.roles, ["editor", "viewer"]);
        assert_eq!(id.permissions, ["read:posts", "write:posts"]);
        assert_eq!(id.token_id.as_deref(), Some("t-1"));
        assert_eq!(id.issued_at, Some(1_700_000_000));
        assert_eq!(id.expires_at, Some(1_700_003_600));
        assert!(!id.anonymous);
        assert!(id.custom.is_empty());
    }

    #[test]
    fn numbers_and_booleans_become_text() {
        let m = map(ClaimsConfig {
            user_id: Some("/https:~1~1example.com~1claims/user_id".into()),
            tenant_id: Some("/org/id".into()),
            custom: BTreeMap::from([
                ("admin".into(), "/admin".into()),
                ("ratio".into(), "/ratio".into()),
            ]),
            ..ClaimsConfig::default()
        });
        let id = m.identity(&json!({
            "sub": 7, "https://example.com/claims": {"user_id": 42}, "org": {"id": true},
            "admin": false, "ratio": 0.5, "jti": 99
        }));
        assert_eq!(id.subject.as_deref(), Some("7"));
        assert_eq!(id.user_id.as_deref(), Some("42"));
        assert_eq!(id.tenant_id.as_deref(), Some("true"));
        assert_eq!(id.custom["admin"], "false");
        assert_eq!(id.custom["ratio"], "0.5");
        assert_eq!(id.token_id.as_deref(), Some("99"));
    }

    #[test]
    fn custom_objects_and_arrays_are_compact_json_and_null_is_left_out() {
        let m = map(ClaimsConfig {
            custom: BTreeMap::from([
                ("org".into(), "/org".into()),
                ("groups".into(), "/groups".into()),
                ("gone".into(), "/gone".into()),
                ("missing".into(), "/missing".into()),
                ("empty".into(), "/empty".into()),
            ]),
            ..ClaimsConfig::default()
        });
        let id = m.identity(&json!({
            "org": {"id": 1, "name": "A"}, "groups": ["a", 2], "gone": null, "empty": ""
        }));
        assert_eq!(id.custom["org"], r#"{"id":1,"name":"A"}"#);
        assert_eq!(id.custom["groups"], r#"["a",2]"#);
        assert_eq!(id.custom["empty"], "");
        assert!(!id.custom.contains_key("gone"));
        assert!(!id.custom.contains_key("missing"));
        assert_eq!(
            id.context_values().get("org").map(String::as_str),
            Some(r#"{"id":1,"name":"A"}"#)
        );
    }

    #[test]
    fn unexpected_shapes_are_left_out() {
        let m = map(ClaimsConfig {
            tenant_id: Some("/tenant".into()),
            ..ClaimsConfig::default()
        });
        let id = m.identity(&json!({
            "sub": {"nested": 1}, "tenant": "", "roles": {"a": 1}, "permissions": 5,
            "iat": "yesterday", "exp": 1e300
        }));
        assert_eq!(id.subject, None);
        assert_eq!(id.user_id, None);
        assert_eq!(id.tenant_id, None);
        assert!(id.roles.is_empty());
        assert!(id.permissions.is_empty());
        assert_eq!(id.issued_at, None);
        assert_eq!(id.expires_at, None);
        // Not even an object: everything is empty, nothing panics.
        assert_eq!(
            m.identity(&json!("just a string")),
            Identity {
                anonymous: false,
                ..Identity::default()
            }
        );
    }

    #[test]
    fn role_lists_split_on_spaces_and_commas_and_keep_scalar_array_items() {
        let m = map(ClaimsConfig {
            roles: Some("/realm_access/roles".into()),
            permissions: Some("/scope".into()),
            ..ClaimsConfig::default()
        });
        let id = m.identity(&json!({
            "realm_access": {"roles": ["admin", "", 3, true, null, ["x"], " spaced "]},
            "scope": " openid,profile  email,,openid\tread "
        }));
        assert_eq!(id.roles, ["admin", "3", "true", "spaced"]);
        assert_eq!(id.permissions, ["openid", "profile", "email", "read"]);
    }

    #[test]
    fn absent_mappings_leave_fields_empty() {
        let m = map(ClaimsConfig {
            user_id: None,
            roles: None,
            permissions: None,
            ..ClaimsConfig::default()
        });
        let id = m.identity(&json!({"sub": "u", "roles": ["admin"]}));
        assert_eq!(id.subject.as_deref(), Some("u"));
        assert_eq!(id.user_id, None);
        assert!(id.roles.is_empty());
    }

    #[test]
    fn empty_pointer_is_the_whole_document() {
        let m = map(ClaimsConfig {
            custom: BTreeMap::from([("all".into(), String::new())]),
            ..ClaimsConfig::default()
        });
        let id = m.identity(&json!({"a": 1}));
        assert_eq!(id.custom["all"], r#"{"a":1}"#);
    }

    #[test]
    fn invalid_pointers_name_the_config_key() {
        let err = ClaimMap::new(&ClaimsConfig {
            tenant_id: Some("tid".into()),
            ..ClaimsConfig::default()
        })
        .unwrap_err();
        assert!(err.starts_with("auth.claims.tenant_id: "), "{err}");
        assert!(err.contains("\"/tid\""), "{err}");

        let err = ClaimMap::new(&ClaimsConfig {
            roles: Some("/a~2b".into()),
            ..ClaimsConfig::default()
        })
        .unwrap_err();
        assert!(err.starts_with("auth.claims.roles: "), "{err}");

        let err = ClaimMap::new(&ClaimsConfig {
            custom: BTreeMap::from([("org".into(), "org/id".into())]),
            ..ClaimsConfig::default()
        })
        .unwrap_err();
        assert!(err.starts_with("auth.claims.custom.org: "), "{err}");

        let err = ClaimMap::new(&ClaimsConfig {
            permissions: Some("/trailing~".into()),
            ..ClaimsConfig::default()
        })
        .unwrap_err();
        assert!(err.starts_with("auth.claims.permissions: "), "{err}");

        assert!(
            ClaimMap::new(&ClaimsConfig {
                user_id: Some("/a~0b~1c".into()),
                ..ClaimsConfig::default()
            })
            .is_ok()
        );
    }
}
