//! Request authentication: the bearer token (or cookie) is verified, checked
//! against revocations, mapped to the request context, and its roles resolved.
//! Without `[auth]` keys every request is anonymous (and, in dev mode only, may
//! carry context values in headers).

use std::sync::Arc;

use axum::http::{HeaderMap, header};
use fraiseql_auth::claims::ClaimMap;
use fraiseql_auth::config::RevocationStore;
use fraiseql_auth::jwt::Verifier;
use fraiseql_auth::revocation::Revocations;
use fraiseql_auth::roles::Roles;
use fraiseql_auth::{AuthConfig, AuthError, Identity};
use fraiseql_core::plan::RequestContext;

/// Everything needed to turn a request's credentials into its context.
pub struct Authenticator {
    config: AuthConfig,
    verifier: Option<Verifier>,
    claims: ClaimMap,
    revocations: Revocations,
    roles: Roles,
    /// Dev mode: context values from these headers (context key → header), when auth is off.
    dev_headers: Vec<(String, String)>,
    /// Tokens already verified → their identity, so that a client sending the same token
    /// again skips the signature check (an RSA or ECDSA verification costs tens of µs).
    /// Entries live at most [`VERIFIED_TTL`] and never past the token's `exp`; revocation
    /// is still checked on every request.
    verified: moka::sync::Cache<String, Arc<Identity>>,
}

/// How long a verified token is trusted without verifying its signature again: bounds how
/// long a token signed by a key that was withdrawn from the JWKS keeps working.
const VERIFIED_TTL: std::time::Duration = std::time::Duration::from_secs(60);
/// Distinct tokens kept verified (a few hundred bytes each).
const VERIFIED_CAPACITY: u64 = 10_000;

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("enabled", &self.verifier.is_some())
            .finish()
    }
}

impl Authenticator {
    /// Builds the verifier (fetching JWKS), the revocation store and the role resolver.
    pub async fn new(
        config: &AuthConfig,
        pool: &deadpool_postgres::Pool,
        database_url: &str,
        dev_headers: Vec<(String, String)>,
    ) -> Result<Authenticator, String> {
        let verifier = if config.enabled() {
            Some(Verifier::new(config).await?)
        } else {
            None
        };
        let claims = ClaimMap::new(&config.claims)?;
        let revocations = match config.revocation.store {
            RevocationStore::Memory => Revocations::memory(),
            RevocationStore::Postgres => {
                // Reloaded every `staleness_ms`, and at once on NOTIFY from another instance.
                let pg: tokio_postgres::Config = database_url
                    .parse()
                    .map_err(|e| format!("database URL: {e}"))?;
                Revocations::postgres_listening(
                    pool.clone(),
                    pg,
                    std::time::Duration::from_millis(config.revocation.staleness_ms),
                )
                .await?
            }
        };
        let db = if config.roles.from_database {
            let pg: tokio_postgres::Config = database_url
                .parse()
                .map_err(|e| format!("database URL: {e}"))?;
            Some((pool.clone(), pg))
        } else {
            None
        };
        let roles = Roles::new(&config.roles, db).await?;
        Ok(Authenticator {
            config: config.clone(),
            verifier,
            claims,
            revocations,
            roles,
            dev_headers,
            verified: moka::sync::Cache::builder()
                .max_capacity(VERIFIED_CAPACITY)
                .time_to_live(VERIFIED_TTL)
                .build(),
        })
    }

    /// The revocation store (for tests and the CLI).
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// The request context of a request, or why its credentials are refused.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<RequestContext, AuthError> {
        let Some(verifier) = &self.verifier else {
            let mut context = RequestContext::default();
            for (key, header) in &self.dev_headers {
                if let Some(v) = headers.get(header.as_str()).and_then(|v| v.to_str().ok()) {
                    context.values.insert(key.clone(), v.to_owned());
                }
            }
            context.roles.insert(self.config.anonymous_role.clone());
            return Ok(context);
        };
        let identity = match self.token(headers)? {
            Some(token) => {
                let identity = match self.verified.get(&token) {
                    // `exp` is checked again: a cached token must not outlive its expiry.
                    Some(known) if known.expires_at.is_none_or(|exp| exp > now_s()) => known,
                    _ => {
                        let claims = verifier.verify(&token).await?;
                        let identity = Arc::new(self.claims.identity(&claims));
                        self.verified.insert(token, identity.clone());
                        identity
                    }
                };
                self.revocations.check(&identity).await?;
                Identity::clone(&identity)
            }
            None if self.config.required => return Err(AuthError::MissingToken),
            None => Identity {
                anonymous: true,
                roles: vec![self.config.anonymous_role.clone()],
                ..Identity::default()
            },
        };
        self.context(identity).await
    }

    async fn context(&self, identity: Identity) -> Result<RequestContext, AuthError> {
        let resolved = self.roles.resolve(&identity.roles).await.map_err(|e| {
            tracing::error!(error = %e, "resolving roles failed");
            AuthError::RolesUnavailable
        })?;
        let mut context = RequestContext::default();
        context.values.extend(identity.context_values());
        context.roles.extend(resolved.roles.iter().cloned());
        context
            .permissions
            .extend(identity.permissions.iter().cloned());
        context
            .permissions
            .extend(resolved.permissions.iter().cloned());
        Ok(context)
    }

    /// The token from `Authorization: Bearer`, else from the configured cookie.
    fn token(&self, headers: &HeaderMap) -> Result<Option<String>, AuthError> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let value = value
                .to_str()
                .map_err(|_| AuthError::Malformed("the Authorization header is not text".into()))?;
            let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(AuthError::Malformed(format!(
                    "the Authorization scheme is {scheme}, expected Bearer"
                )));
            }
            let token = token.trim();
            if token.is_empty() {
                return Err(AuthError::Malformed("the bearer token is empty".into()));
            }
            return Ok(Some(token.to_owned()));
        }
        let Some(name) = &self.config.cookie else {
            return Ok(None);
        };
        let found = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        Ok(found)
    }
}
