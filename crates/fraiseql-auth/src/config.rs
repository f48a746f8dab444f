//! `[auth]` in `fraiseql.toml`. Every section is optional; with no keys and no JWKS
//! URL, authentication is off and every request is anonymous.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `[auth]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Refuse requests without a token (401). When false, they run as `anonymous_role`.
    pub required: bool,
    /// The role of a request without a token, when tokens are optional.
    pub anonymous_role: String,
    /// A cookie that carries the token when there is no `Authorization` header.
    pub cookie: Option<String>,
    /// The realm named in `WWW-Authenticate`.
    pub realm: String,
    /// Accepted issuers (`iss`); empty accepts any.
    pub issuers: Vec<String>,
    /// Accepted audiences (`aud`); empty accepts any.
    pub audiences: Vec<String>,
    /// Clock skew allowed on `exp` and `nbf`, in seconds.
    pub leeway_s: u64,
    /// Refuse tokens without `exp`.
    pub require_exp: bool,
    /// Keys given in the config.
    pub keys: Vec<KeyConfig>,
    /// Keys fetched from a JWKS URL.
    pub jwks: Option<JwksConfig>,
    /// Claim → context mapping.
    pub claims: ClaimsConfig,
    /// Token revocation.
    pub revocation: RevocationConfig,
    /// Roles, their inheritance and permissions.
    pub roles: RolesConfig,
    /// Context values set as transaction-local PostgreSQL settings (setting name → context key).
    pub session_variables: BTreeMap<String, String>,
    /// Tenant isolation: a filter added to every read.
    pub tenant: Option<TenantConfig>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            required: false,
            anonymous_role: "anonymous".into(),
            cookie: None,
            realm: "graphql".into(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            // Covers ordinary clock drift between the issuer and this server.
            leeway_s: 30,
            require_exp: true,
            keys: Vec::new(),
            jwks: None,
            claims: ClaimsConfig::default(),
            revocation: RevocationConfig::default(),
            roles: RolesConfig::default(),
            session_variables: BTreeMap::new(),
            tenant: None,
        }
    }
}

impl AuthConfig {
    /// Whether any key source is configured, i.e. tokens can be verified at all.
    pub fn enabled(&self) -> bool {
        !self.keys.is_empty() || self.jwks.is_some()
    }
}

/// One `[[auth.keys]]` entry. The algorithm is tied to the key: a token naming another
/// algorithm is refused.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// Matches the token header's `kid`; a key without one matches tokens without one
    /// (and any kid when it is the only key).
    pub kid: Option<String>,
    /// `HS256`, `HS384`, `HS512`, `RS256`, `RS384`, `RS512`, `PS256`, `ES256`, `ES384`, `EdDSA`.
    pub algorithm: String,
    /// HMAC secret (HS*), as text.
    pub secret: Option<String>,
    /// Environment variable holding the HMAC secret.
    pub secret_env: Option<String>,
    /// Public key in PEM (RS*, PS*, ES*, EdDSA).
    pub public_key_pem: Option<String>,
    /// File holding the PEM public key.
    pub public_key_file: Option<String>,
}

/// `[auth.jwks]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JwksConfig {
    /// The JWKS document's URL.
    pub url: Option<String>,
    /// An OIDC issuer URL: its `/.well-known/openid-configuration` names the JWKS URL.
    pub oidc_issuer: Option<String>,
    /// Keys are refetched after this many seconds.
    pub cache_s: u64,
    /// Floor between two fetches triggered by an unknown `kid`, in seconds.
    pub min_refresh_s: u64,
    /// Timeout of one fetch, in milliseconds.
    pub timeout_ms: u64,
}

impl Default for JwksConfig {
    fn default() -> Self {
        JwksConfig {
            url: None,
            oidc_issuer: None,
            // Issuers rotate keys over days; five minutes is a common cache-control.
            cache_s: 300,
            // Bounds the fetches an attacker can cause by sending made-up kids.
            min_refresh_s: 10,
            timeout_ms: 5000,
        }
    }
}

/// `[auth.claims]`: JSON pointers (RFC 6901) into the token's claims.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimsConfig {
    pub user_id: Option<String>,
    pub tenant_id: Option<String>,
    /// An array of strings, or one string (space- or comma-separated).
    pub roles: Option<String>,
    /// An array of strings, or one string (space- or comma-separated).
    pub permissions: Option<String>,
    /// Other context values: name → pointer.
    pub custom: BTreeMap<String, String>,
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        ClaimsConfig {
            user_id: Some("/sub".into()),
            tenant_id: None,
            roles: Some("/roles".into()),
            permissions: Some("/permissions".into()),
            custom: BTreeMap::new(),
        }
    }
}

/// Where revocations are kept.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum RevocationStore {
    /// In this process only.
    #[default]
    Memory,
    /// In `fraiseql.revoked_tokens` / `fraiseql.revoked_users`, shared by every instance.
    Postgres,
}

/// `[auth.revocation]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RevocationConfig {
    pub store: RevocationStore,
    /// How stale the cached view of the PostgreSQL store may be, in milliseconds.
    pub staleness_ms: u64,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        RevocationConfig {
            store: RevocationStore::Memory,
            // A revoked token stops working within two seconds on every instance.
            staleness_ms: 2000,
        }
    }
}

/// `[auth.roles]`
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RolesConfig {
    /// Also read roles from `fraiseql.roles`, `fraiseql.role_inherits` and
    /// `fraiseql.role_permissions` (installed by `fraiseql setup`).
    pub from_database: bool,
    /// Roles defined in the config: name → definition.
    pub define: BTreeMap<String, RoleDefinition>,
}

/// One role in `[auth.roles.define.<name>]`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RoleDefinition {
    /// Roles whose permissions (and parents) this role has too.
    pub inherits: Vec<String>,
    pub permissions: Vec<String>,
}

/// `[auth.tenant]`: every read of a view with `column` is filtered by the context value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// The view column holding the tenant.
    pub column: String,
    /// The context key whose value must equal it (default `tenant_id`).
    #[serde(default = "default_tenant_key")]
    pub context: String,
}

fn default_tenant_key() -> String {
    "tenant_id".into()
}
