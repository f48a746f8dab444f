//! Signing keys fetched from a JWKS document (RFC 7517), `[auth.jwks]`.
//!
//! The document comes from `url`, or from an OIDC issuer: `oidc_issuer` (a trailing `/` is
//! ignored) + `/.well-known/openid-configuration` names it in `jwks_uri`. The discovery
//! document's `issuer` must equal `oidc_issuer` (trailing `/` ignored; OIDC Discovery §4.3),
//! else the fetch fails. The discovered `jwks_uri` is kept until a fetch of it fails.
//!
//! Decisions:
//!
//! - **Start-up**: [`JwksCache::start`] fetches once. When that fails, [`crate::jwt::Verifier::new`]
//!   logs a warning and the server starts anyway (an identity provider outage must not keep the
//!   API, its anonymous requests and its config keys, down). Until a fetch succeeds every token
//!   that needs a JWKS key is refused with [`AuthError::KeysUnavailable`] (503), and a fetch is
//!   retried on demand at most once per `min_refresh_s`.
//! - **Cache**: the key set is refetched when it is older than `cache_s`, by the first request
//!   that notices; when that fetch fails the old keys stay in use (and a warning is logged).
//! - **Rotation**: a token whose `kid` is not in the set causes a refetch, at most once per
//!   `min_refresh_s` (the floor, counted from the last fetch of any kind), then the lookup is
//!   repeated. Fetches are single-flight: concurrent requests wait for the one fetch in
//!   progress (a tokio mutex) and then use its result instead of fetching again, and one
//!   request causes at most one fetch.
//! - **Keys**: only signature keys are used (`use` absent or `sig`; `key_ops`, when given, must
//!   include `verify`). Each key's algorithm is its `alg` or, when absent, follows from the key:
//!   `RSA` → RS256, `EC` `P-256` → ES256, `EC` `P-384` → ES384, `OKP` `Ed25519` → EdDSA. Keys
//!   of another `kty` or curve, symmetric (`oct`) keys, keys whose `alg` does not fit the key,
//!   encryption keys and keys that cannot be decoded are skipped with a warning; the others
//!   are still used. A second key with an already used `kid` and `alg` is skipped too.
//! - **Lookup**: a token with a `kid` matches the keys with that `kid`; a token without one
//!   matches the only key of the set, when the set has exactly one.
//! - **Limits**: a document larger than 1 MiB is refused; each fetch is bounded by
//!   `timeout_ms`. This build's HTTP client speaks plain `http` (the workspace's `reqwest` has
//!   no TLS feature): an `https` URL needs `reqwest`'s `rustls-tls` feature enabled.

use std::fmt;
use std::str::FromStr as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use tracing::{debug, info, warn};

use crate::AuthError;
use crate::config::JwksConfig;

/// The largest JWKS or discovery document accepted.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// One usable key of a JWKS document.
#[derive(Clone)]
pub struct JwkKey {
    /// The key's `kid`.
    pub kid: Option<String>,
    /// The only algorithm this key verifies.
    pub algorithm: Algorithm,
    /// The key itself.
    pub key: DecodingKey,
}

impl fmt::Debug for JwkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwkKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Parses a JWKS document (`{"keys": [...]}`) into its usable signature keys. Unusable keys
/// are skipped with a warning (see the module docs); only a document that is not a JSON
/// object with a `keys` array is an error.
pub fn parse_jwks(body: &[u8]) -> Result<Vec<JwkKey>, String> {
    let doc: Value =
        serde_json::from_slice(body).map_err(|e| format!("the JWKS is not JSON: {e}"))?;
    let Some(items) = doc.get("keys").and_then(Value::as_array) else {
        return Err("the JWKS has no \"keys\" array".into());
    };
    let mut keys: Vec<JwkKey> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let kid = item.get("kid").and_then(Value::as_str);
        match parse_jwk(item) {
            Ok(key) => {
                if keys
                    .iter()
                    .any(|k| k.kid == key.kid && k.algorithm == key.algorithm)
                {
                    warn!(
                        index = i,
                        kid, "JWKS key skipped: its kid and alg repeat an earlier key"
                    );
                } else {
                    keys.push(key);
                }
            }
            Err(reason) => warn!(index = i, kid, "JWKS key skipped: {reason}"),
        }
    }
    Ok(keys)
}

/// One JWK → a key, or why it is not usable.
fn parse_jwk(item: &Value) -> Result<JwkKey, String> {
    let Some(obj) = item.as_object() else {
        return Err("not a JSON object".into());
    };
    let text = |name: &str| -> Result<Option<&str>, String> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(format!("\"{name}\" is not a string")),
        }
    };
    let kty = text("kty")?.ok_or("it has no \"kty\"")?;
    let kid = text("kid")?.map(str::to_owned);
    if let Some(usage) = text("use")?
        && usage != "sig"
    {
        return Err(format!("its use is {usage:?}, not \"sig\""));
    }
    if let Some(ops) = obj.get("key_ops")
        && !ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op == "verify"))
    {
        return Err("its key_ops do not include \"verify\"".into());
    }
    let alg = text("alg")?;
    let crv = text("crv")?;
    let algorithm = match (kty, crv) {
        ("RSA", _) => match alg {
            None => Algorithm::RS256,
            Some(a @ ("RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512")) => {
                Algorithm::from_str(a).map_err(|e| e.to_string())?
            }
            Some(a) => return Err(format!("alg {a:?} is not a signature algorithm for RSA")),
        },
        ("EC", Some(c)) => {
            let (expected, len) = match c {
                "P-256" => (Algorithm::ES256, 32),
                "P-384" => (Algorithm::ES384, 48),
                other => return Err(format!("curve {other:?} is not supported")),
            };
            check_alg(alg, expected, c)?;
            for coord in ["x", "y"] {
                check_coordinate(text(coord)?, coord, len)?;
            }
            expected
        }
        ("OKP", Some("Ed25519")) => {
            check_alg(alg, Algorithm::EdDSA, "Ed25519")?;
            check_coordinate(text("x")?, "x", 32)?;
            Algorithm::EdDSA
        }
        ("EC" | "OKP", None) => return Err("it has no \"crv\"".into()),
        ("OKP", Some(other)) => return Err(format!("curve {other:?} is not supported")),
        ("oct", _) => return Err("symmetric (oct) keys are not accepted from a JWKS".into()),
        (other, _) => return Err(format!("kty {other:?} is not supported")),
    };
    // The checks above guarantee one of the shapes `Jwk` knows.
    let jwk: Jwk = serde_json::from_value(item.clone()).map_err(|e| format!("bad JWK: {e}"))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("bad key material: {e}"))?;
    Ok(JwkKey {
        kid,
        algorithm,
        key,
    })
}

/// An `alg`, when given, must be the curve's algorithm.
fn check_alg(alg: Option<&str>, expected: Algorithm, curve: &str) -> Result<(), String> {
    match alg {
        Some(a) if Algorithm::from_str(a).ok() != Some(expected) => Err(format!(
            "alg {a:?} does not fit curve {curve} (expected {expected:?})"
        )),
        _ => Ok(()),
    }
}

/// A base64url coordinate of exactly `len` bytes.
fn check_coordinate(value: Option<&str>, name: &str, len: usize) -> Result<(), String> {
    let value = value.ok_or_else(|| format!("it has no \"{name}\""))?;
    match URL_SAFE_NO_PAD.decode(value) {
        Ok(bytes) if bytes.len() == len => Ok(()),
        Ok(bytes) => Err(format!(
            "\"{name}\" has {} bytes, the curve needs {len}",
            bytes.len()
        )),
        Err(e) => Err(format!("\"{name}\" is not base64url: {e}")),
    }
}

/// Where the JWKS document comes from.
#[derive(Debug, Clone)]
enum Source {
    Url(String),
    Oidc { issuer: String, discovery: String },
}

/// A fetched key set.
struct KeySet {
    keys: Vec<Arc<JwkKey>>,
    fetched_at: Instant,
}

/// State only touched by the task holding the fetch lock.
struct FetchState {
    last_attempt: Option<Instant>,
    /// The `jwks_uri` of the last discovery (OIDC only).
    jwks_uri: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// No key set yet.
    Missing,
    /// The key set is older than `cache_s`.
    Expired,
    /// A token named a kid the set lacks.
    UnknownKid,
}

/// The cached JWKS key set of `[auth.jwks]`: fetched at start-up, refetched after `cache_s`
/// and on unknown kids (at most once per `min_refresh_s`), one fetch at a time.
pub struct JwksCache {
    source: Source,
    client: reqwest::Client,
    cache_for: Duration,
    floor: Duration,
    keys: RwLock<Option<Arc<KeySet>>>,
    /// Bumped after every fetch attempt; tells waiters that a fetch happened meanwhile.
    generation: AtomicU64,
    /// Fetch attempts of the JWKS document, for logs and tests.
    fetches: AtomicU64,
    state: tokio::sync::Mutex<FetchState>,
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("source", &self.source)
            .field("cache_for", &self.cache_for)
            .field("floor", &self.floor)
            .field("fetches", &self.fetch_count())
            .finish_non_exhaustive()
    }
}

impl JwksCache {
    /// Validates `[auth.jwks]` and builds the HTTP client; fetches nothing (see
    /// [`JwksCache::start`]). Errors name the config key at fault.
    pub fn new(cfg: &JwksConfig) -> Result<JwksCache, String> {
        let source = match (&cfg.url, &cfg.oidc_issuer) {
            (Some(_), Some(_)) => {
                return Err("auth.jwks: set either url or oidc_issuer, not both".into());
            }
            (None, None) => {
                return Err(
                    "auth.jwks: set url (the JWKS document) or oidc_issuer (an OIDC issuer)".into(),
                );
            }
            (Some(url), None) => {
                check_http_url(url).map_err(|e| format!("auth.jwks.url: {e}"))?;
                Source::Url(url.clone())
            }
            (None, Some(issuer)) => {
                check_http_url(issuer).map_err(|e| format!("auth.jwks.oidc_issuer: {e}"))?;
                let base = issuer.trim_end_matches('/');
                Source::Oidc {
                    issuer: issuer.clone(),
                    discovery: format!("{base}/.well-known/openid-configuration"),
                }
            }
        };
        if cfg.timeout_ms == 0 {
            return Err("auth.jwks.timeout_ms: must be at least 1".into());
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(cfg.timeout_ms))
            .user_agent(concat!("fraiseql/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("auth.jwks: cannot build the HTTP client: {}", chain(&e)))?;
        Ok(JwksCache {
            source,
            client,
            cache_for: Duration::from_secs(cfg.cache_s),
            floor: Duration::from_secs(cfg.min_refresh_s),
            keys: RwLock::new(None),
            generation: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
            state: tokio::sync::Mutex::new(FetchState {
                last_attempt: None,
                jwks_uri: None,
            }),
        })
    }

    /// The first fetch: the number of usable keys, or why the fetch failed (the cache then
    /// retries on demand, see the module docs).
    pub async fn start(&self) -> Result<usize, String> {
        let mut state = self.state.lock().await;
        let result = self.fetch_locked(&mut state).await;
        result.map(|keys| keys.keys.len())
    }

    /// How many times the JWKS document was requested (successfully or not).
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// How many usable keys the cached set holds (0 before the first successful fetch).
    pub fn key_count(&self) -> usize {
        self.snapshot().map_or(0, |s| s.keys.len())
    }

    /// The keys a token's `kid` selects (see the module docs), refetching the set when it is
    /// missing, stale or lacks the kid. Never empty when `Ok`.
    ///
    /// Errors: [`AuthError::KeysUnavailable`] when no key set could be fetched yet,
    /// [`AuthError::UnknownKey`] when the kid is still unknown after the refetch (or the
    /// floor forbade one).
    pub async fn candidates(&self, kid: Option<&str>) -> Result<Vec<Arc<JwkKey>>, AuthError> {
        let generation = self.generation.load(Ordering::Acquire);
        let set = match self.snapshot() {
            None => {
                self.refresh(Reason::Missing, generation).await;
                self.snapshot().ok_or(AuthError::KeysUnavailable)?
            }
            Some(set) if set.fetched_at.elapsed() >= self.cache_for => {
                self.refresh(Reason::Expired, generation).await;
                self.snapshot().unwrap_or(set)
            }
            Some(set) => set,
        };
        let found = select(&set, kid);
        if !found.is_empty() {
            return Ok(found);
        }
        // Passing the generation seen at the start: when any fetch happened during this call
        // (the expiry refresh above, or another task's), the set is as fresh as it gets.
        self.refresh(Reason::UnknownKid, generation).await;
        let set = self.snapshot().unwrap_or(set);
        let found = select(&set, kid);
        if found.is_empty() {
            Err(AuthError::UnknownKey(kid.map(str::to_owned)))
        } else {
            Ok(found)
        }
    }

    fn snapshot(&self) -> Option<Arc<KeySet>> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Single-flight refetch: waits for the fetch lock, then fetches unless another task did
    /// meanwhile or the floor forbids it.
    async fn refresh(&self, reason: Reason, seen_generation: u64) {
        let mut state = self.state.lock().await;
        if self.generation.load(Ordering::Acquire) != seen_generation {
            return; // another task fetched while this one waited: use its result
        }
        if let Some(last) = state.last_attempt
            && last.elapsed() < self.floor
        {
            debug!(
                ?reason,
                "JWKS refetch skipped: the last fetch is within min_refresh_s"
            );
            return;
        }
        if reason == Reason::Expired
            && self
                .snapshot()
                .is_some_and(|s| s.fetched_at.elapsed() < self.cache_for)
        {
            return;
        }
        match self.fetch_locked(&mut state).await {
            Ok(set) => info!(?reason, keys = set.keys.len(), "JWKS refetched"),
            Err(e) if reason == Reason::Expired => {
                warn!("JWKS refetch failed, the cached keys stay in use: {e}");
            }
            Err(e) => warn!(?reason, "JWKS fetch failed: {e}"),
        }
    }

    /// Fetches (discovering the JWKS URL first for OIDC) and installs the key set. Callers
    /// hold the fetch lock.
    async fn fetch_locked(&self, state: &mut FetchState) -> Result<Arc<KeySet>, String> {
        state.last_attempt = Some(Instant::now());
        let result = self.fetch_keys(state).await;
        if result.is_err() {
            state.jwks_uri = None; // rediscover next time
        }
        let result = result.map(|keys| {
            let set = Arc::new(KeySet {
                keys: keys.into_iter().map(Arc::new).collect(),
                fetched_at: Instant::now(),
            });
            if set.keys.is_empty() {
                warn!("the JWKS holds no usable signature key");
            }
            *self
                .keys
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(set.clone());
            set
        });
        self.generation.fetch_add(1, Ordering::AcqRel);
        result
    }

    async fn fetch_keys(&self, state: &mut FetchState) -> Result<Vec<JwkKey>, String> {
        let url = match &self.source {
            Source::Url(url) => url.clone(),
            Source::Oidc { issuer, discovery } => match &state.jwks_uri {
                Some(uri) => uri.clone(),
                None => {
                    let uri = self.discover(issuer, discovery).await?;
                    state.jwks_uri = Some(uri.clone());
                    uri
                }
            },
        };
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let body = self.get(&url).await?;
        parse_jwks(&body).map_err(|e| format!("{url}: {e}"))
    }

    /// The `jwks_uri` of an OIDC issuer's discovery document.
    async fn discover(&self, issuer: &str, discovery: &str) -> Result<String, String> {
        let body = self.get(discovery).await?;
        let doc: Value = serde_json::from_slice(&body)
            .map_err(|e| format!("{discovery}: not a JSON document: {e}"))?;
        let named = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
        if named.trim_end_matches('/') != issuer.trim_end_matches('/') {
            return Err(format!(
                "{discovery}: its issuer {named:?} is not auth.jwks.oidc_issuer {issuer:?}"
            ));
        }
        let uri = doc
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{discovery}: no \"jwks_uri\""))?;
        check_http_url(uri).map_err(|e| format!("{discovery}: jwks_uri: {e}"))?;
        Ok(uri.to_owned())
    }

    /// GETs a JSON document of at most [`MAX_DOCUMENT_BYTES`].
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut resp = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("GET {url}: {}", chain(&e)))?;
        if !resp.status().is_success() {
            return Err(format!("GET {url}: HTTP {}", resp.status()));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
        {
            return Err(format!("GET {url}: larger than {MAX_DOCUMENT_BYTES} bytes"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| format!("GET {url}: {}", chain(&e)))?
        {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(format!("GET {url}: larger than {MAX_DOCUMENT_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// The keys of `set` a token's `kid` selects.
fn select(set: &KeySet, kid: Option<&str>) -> Vec<Arc<JwkKey>> {
    match kid {
        Some(kid) => set
            .keys
            .iter()
            .filter(|k| k.kid.as_deref() == Some(kid))
            .cloned()
            .collect(),
        None if set.keys.len() == 1 => set.keys.clone(),
        None => Vec::new(),
    }
}

fn check_http_url(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        Ok(_) => Err(format!("{url:?} is not an http(s) URL")),
        Err(e) => Err(format!("{url:?} is not a URL: {e}")),
    }
}

/// An error and its sources, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modulus of a test-only fixture key.
    fn rsa_n() -> String {
        let jwk: Value =
            serde_json::from_str(include_str!("../tests/fixtures/keys/rsa-a.jwk.json")).unwrap();
        jwk["n"].as_str().unwrap().to_owned()
    }

    fn parse(json: &str) -> Vec<JwkKey> {
        parse_jwks(json.as_bytes()).expect("a JWKS document")
    }

    #[test]
    fn algorithm_follows_alg_or_the_key() {
        let n = rsa_n();
        let x32 = URL_SAFE_NO_PAD.encode([7u8; 32]);
        let x48 = URL_SAFE_NO_PAD.encode([7u8; 48]);
        let keys = parse(&format!(
            r#"{{"keys": [
                {{"kty": "RSA", "kid": "r", "n": "{n}", "e": "AQAB"}},
                {{"kty": "RSA", "kid": "p", "alg": "PS384", "n": "{n}", "e": "AQAB", "use": "sig"}},
                {{"kty": "EC", "kid": "e", "crv": "P-256", "x": "{x32}", "y": "{x32}"}},
                {{"kty": "EC", "kid": "f", "crv": "P-384", "x": "{x48}", "y": "{x48}", "alg": "ES384"}},
                {{"kty": "OKP", "kid": "d", "crv": "Ed25519", "x": "{x32}", "key_ops": ["verify"]}}
            ]}}"#
        ));
        let got: Vec<(Option<&str>, Algorithm)> = keys
            .iter()
            .map(|k| (k.kid.as_deref(), k.algorithm))
            .collect();
        assert_eq!(
            got,
            [
                (Some("r"), Algorithm::RS256),
                (Some("p"), Algorithm::PS384),
                (Some("e"), Algorithm::ES256),
                (Some("f"), Algorithm::ES384),
                (Some("d"), Algorithm::EdDSA),
            ]
        );
    }

    #[test]
    fn unusable_keys_are_skipped_and_the_rest_kept() {
        let n = rsa_n();
        let x32 = URL_SAFE_NO_PAD.encode([7u8; 32]);
        let keys = parse(&format!(
            r#"{{"keys": [
                {{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}},
                {{"kty": "RSA", "kid": "enc", "use": "enc", "n": "{n}", "e": "AQAB"}},
                {{"kty": "RSA", "kid": "oaep", "alg": "RSA-OAEP", "n": "{n}", "e": "AQAB"}},
                {{"kty": "RSA", "kid": "hs", "alg": "HS256", "n": "{n}", "e": "AQAB"}},
                {{"kty": "EC", "kid": "p521", "crv": "P-521", "x": "{x32}", "y": "{x32}"}},
                {{"kty": "EC", "kid": "mismatch", "crv": "P-256", "alg": "ES384", "x": "{x32}", "y": "{x32}"}},
                {{"kty": "EC", "kid": "short", "crv": "P-256", "x": "AAAA", "y": "{x32}"}},
                {{"kty": "EC", "kid": "nocrv", "x": "{x32}", "y": "{x32}"}},
                {{"kty": "OKP", "kid": "x448", "crv": "X25519", "x": "{x32}"}},
                {{"kty": "RSA", "kid": "ops", "key_ops": ["encrypt"], "n": "{n}", "e": "AQAB"}},
                {{"kty": "RSA", "kid": "non"}},
                {{"kty": "XYZ", "kid": "weird"}},
                {{"kid": "nokty"}},
                {{"kty": 5}},
                "not an object",
                {{"kty": "RSA", "kid": "good", "n": "{n}", "e": "AQAB"}},
                {{"kty": "RSA", "kid": "good", "n": "{n}", "e": "AQAB"}}
            ]}}"#
        ));
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert_eq!(keys[0].kid.as_deref(), Some("good"));
    }

    #[test]
    fn documents_without_keys_are_errors() {
        assert!(parse_jwks(b"not json").is_err());
        assert!(parse_jwks(b"{}").is_err());
        assert!(parse_jwks(br#"{"keys": {}}"#).is_err());
        assert!(parse_jwks(br#"{"keys": []}"#).unwrap().is_empty());
    }

    #[test]
    fn config_errors_name_the_key() {
        let cfg = |url: Option<&str>, issuer: Option<&str>| JwksConfig {
            url: url.map(str::to_owned),
            oidc_issuer: issuer.map(str::to_owned),
            ..JwksConfig::default()
        };
        let err = |c: JwksConfig| JwksCache::new(&c).unwrap_err();
        assert!(err(cfg(None, None)).starts_with("auth.jwks: "));
        assert!(err(cfg(Some("http://a/"), Some("http://b/"))).starts_with("auth.jwks: "));
        assert!(err(cfg(Some("ftp://a/jwks"), None)).starts_with("auth.jwks.url: "));
        assert!(err(cfg(Some("jwks.json"), None)).starts_with("auth.jwks.url: "));
        assert!(err(cfg(None, Some("issuer"))).starts_with("auth.jwks.oidc_issuer: "));
        let mut c = cfg(Some("http://127.0.0.1:1/jwks"), None);
        c.timeout_ms = 0;
        assert!(err(c).starts_with("auth.jwks.timeout_ms: "));
        assert!(JwksCache::new(&cfg(Some("http://127.0.0.1:1/jwks"), None)).is_ok());
    }

    #[test]
    fn kidless_tokens_match_only_a_single_key() {
        let n = rsa_n();
        let keys = parse(&format!(
            r#"{{"keys": [{{"kty": "RSA", "kid": "a", "n": "{n}", "e": "AQAB"}}]}}"#
        ));
        let mut set = KeySet {
            keys: keys.into_iter().map(Arc::new).collect(),
            fetched_at: Instant::now(),
        };
        assert_eq!(select(&set, None).len(), 1);
        assert_eq!(select(&set, Some("a")).len(), 1);
        assert!(select(&set, Some("b")).is_empty());
        let extra = set.keys[0].clone();
        set.keys.push(extra);
        assert!(select(&set, None).is_empty());
    }

    #[tokio::test]
    async fn unreachable_jwks_is_keys_unavailable() {
        // Port 1 on loopback: connection refused at once.
        let cache = JwksCache::new(&JwksConfig {
            url: Some("http://127.0.0.1:1/jwks".into()),
            min_refresh_s: 60,
            ..JwksConfig::default()
        })
        .unwrap();
        assert!(cache.start().await.is_err());
        assert_eq!(cache.fetch_count(), 1);
        // Within the floor: no new fetch, 503.
        assert_eq!(
            cache.candidates(Some("k")).await.unwrap_err(),
            AuthError::KeysUnavailable
        );
        assert_eq!(cache.fetch_count(), 1);
    }
}
