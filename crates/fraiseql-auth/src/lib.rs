//! Authentication and authorization for FraiseQL.
//!
//! - [`jwt`]: verifies a bearer token (HS256, RS256, ES256, EdDSA) against keys from
//!   the config or a JWKS URL ([`jwks`]), checking `iss`, `aud`, `exp`, `nbf`.
//! - [`claims`]: maps a verified token's claims to an [`Identity`] (JSON pointers).
//! - [`revocation`]: revoked token ids and per-user cut-offs, in memory or in PostgreSQL.
//! - [`roles`]: roles with inheritance and their permissions, from the config and PostgreSQL.
//!
//! The server turns an [`AuthError`] into a 401 with a `WWW-Authenticate` header.

pub mod claims;
pub mod config;
pub mod jwks;
pub mod jwt;
pub mod revocation;
pub mod roles;

use std::collections::BTreeMap;

pub use config::AuthConfig;

/// Who sent a request, from a verified token (or the anonymous role).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// The `sub` claim.
    pub subject: Option<String>,
    /// The user id, from the configured claim (default `/sub`).
    pub user_id: Option<String>,
    /// The tenant id, from the configured claim (none by default).
    pub tenant_id: Option<String>,
    /// Roles named by the token (before inheritance is resolved).
    pub roles: Vec<String>,
    /// Permissions named by the token (before roles add theirs).
    pub permissions: Vec<String>,
    /// Other context values, by the names the config gives them.
    pub custom: BTreeMap<String, String>,
    /// The `jti` claim, for revocation by token id.
    pub token_id: Option<String>,
    /// The `iat` claim (seconds since the epoch), for revocation of a user's older tokens.
    pub issued_at: Option<i64>,
    /// The `exp` claim (seconds since the epoch).
    pub expires_at: Option<i64>,
    /// True when no token was sent and the anonymous role applies.
    pub anonymous: bool,
}

impl Identity {
    /// The context values a request carries, by name: `user_id`, `tenant_id`, `roles`
    /// (comma-separated), `permissions` and each custom value.
    pub fn context_values(&self) -> BTreeMap<String, String> {
        let mut out = self.custom.clone();
        if let Some(u) = &self.user_id {
            out.insert("user_id".into(), u.clone());
        }
        if let Some(t) = &self.tenant_id {
            out.insert("tenant_id".into(), t.clone());
        }
        if !self.roles.is_empty() {
            out.insert("roles".into(), self.roles.join(","));
        }
        if !self.permissions.is_empty() {
            out.insert("permissions".into(), self.permissions.join(","));
        }
        out
    }
}

/// Why a request's credentials were refused. Each has a stable code for
/// `extensions.code` and a `WWW-Authenticate` challenge (RFC 6750).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Authentication is required: send a bearer token.")]
    MissingToken,
    #[error("The token is malformed: {0}.")]
    Malformed(String),
    #[error("The token's algorithm {0} is not accepted for its key.")]
    AlgorithmNotAllowed(String),
    #[error("The token's signing key (kid {0:?}) is unknown.")]
    UnknownKey(Option<String>),
    #[error("The token's signature is invalid.")]
    BadSignature,
    #[error("The token has expired.")]
    Expired,
    #[error("The token is not valid yet.")]
    NotYetValid,
    #[error("The token lacks the required claim `{0}`.")]
    MissingClaim(String),
    #[error("The token's audience is not accepted.")]
    WrongAudience,
    #[error("The token's issuer is not accepted.")]
    WrongIssuer,
    #[error("The token has been revoked.")]
    Revoked,
    #[error("The signing keys could not be fetched; try again shortly.")]
    KeysUnavailable,
    #[error("The request's roles could not be resolved; try again shortly.")]
    RolesUnavailable,
}

impl AuthError {
    /// The stable `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingToken => "UNAUTHENTICATED",
            AuthError::Malformed(_) => "TOKEN_MALFORMED",
            AuthError::AlgorithmNotAllowed(_) => "TOKEN_ALGORITHM_NOT_ALLOWED",
            AuthError::UnknownKey(_) => "TOKEN_UNKNOWN_KEY",
            AuthError::BadSignature => "TOKEN_BAD_SIGNATURE",
            AuthError::Expired => "TOKEN_EXPIRED",
            AuthError::NotYetValid => "TOKEN_NOT_YET_VALID",
            AuthError::MissingClaim(_) => "TOKEN_MISSING_CLAIM",
            AuthError::WrongAudience => "TOKEN_WRONG_AUDIENCE",
            AuthError::WrongIssuer => "TOKEN_WRONG_ISSUER",
            AuthError::Revoked => "TOKEN_REVOKED",
            AuthError::KeysUnavailable => "AUTH_KEYS_UNAVAILABLE",
            AuthError::RolesUnavailable => "AUTH_ROLES_UNAVAILABLE",
        }
    }

    /// The HTTP status: 401, except 503 when keys could not be fetched.
    pub fn status(&self) -> u16 {
        match self {
            AuthError::KeysUnavailable | AuthError::RolesUnavailable => 503,
            _ => 401,
        }
    }

    /// The `WWW-Authenticate` header value (RFC 6750 §3).
    pub fn www_authenticate(&self, realm: &str) -> String {
        match self {
            AuthError::MissingToken => format!("Bearer realm=\"{realm}\""),
            other => format!(
                "Bearer realm=\"{realm}\", error=\"invalid_token\", error_description=\"{}\"",
                other.to_string().replace('"', "'")
            ),
        }
    }
}
