//! Request authentication: the bearer token (or cookie) is verified, checked
//! against revocations, mapped to the request context, and its roles resolved.
//! Without `[auth]` keys every request is anonymous (and, in dev mode only, may
//! carry context values in headers).

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
                let claims = verifier.verify(&token).await?;
                let identity = self.claims.identity(&claims);
                self.revocations.check(&identity).await?;
                identity
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
