//! Bearer token (JWS compact JWT) verification against the keys of `[[auth.keys]]` and
//! `[auth.jwks]`.
//!
//! Algorithms: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384 and EdDSA (Ed25519).
//! Each key verifies exactly one algorithm (a config key's `algorithm`, a JWK's `alg` or the one
//! its key type implies, see [`crate::jwks`]); a token whose header names another algorithm is
//! refused with [`AuthError::AlgorithmNotAllowed`], so an HS256 token can never be checked with
//! an RSA public key as HMAC secret. `none` (in any casing) and unknown algorithms are refused
//! the same way before any key is looked at.
//!
//! Checks, in order (the first failure is the answer):
//!
//! 1. Shape: an empty token (after trimming whitespace), a token over 16 KiB, one that is not
//!    three base64url parts, or whose header is not a JSON object with a string `alg` is
//!    [`AuthError::Malformed`]. The empty token is `Malformed`, not `MissingToken`: the client
//!    did send credentials (`Authorization: Bearer ` with nothing after it), and an invalid
//!    credential must never fall back to the anonymous role. A header with `crit` is refused
//!    (no extension is understood, RFC 7515 §4.1.11); five parts (JWE) are refused.
//! 2. Key: by `kid` (see [`Verifier::verify`]); none → [`AuthError::UnknownKey`], or
//!    [`AuthError::KeysUnavailable`] when the JWKS could not be fetched yet.
//! 3. Algorithm: the header's `alg` must be the key's.
//! 4. Signature: [`AuthError::BadSignature`] (also for a key that cannot verify at all).
//! 5. Claims, only after the signature holds: the payload must be a JSON object; `exp` must
//!    be present when `require_exp` ([`AuthError::MissingClaim`]); `exp` and `nbf`, when present,
//!    must be numbers ([`AuthError::Malformed`] otherwise: a string `exp` never slips through)
//!    and the token is [`AuthError::Expired`] when `now >= exp + leeway_s` and
//!    [`AuthError::NotYetValid`] when `now + leeway_s < nbf`. When `issuers` is not empty,
//!    `iss` must be present and one of them ([`AuthError::WrongIssuer`]); when `audiences` is
//!    not empty, `aud` (a string or an array of strings) must be present and name one of them
//!    ([`AuthError::WrongAudience`]). With empty lists these claims are not looked at.
//!
//! Text that comes from the token (`alg`, `kid`) is cut to 64 printable ASCII characters
//! before it goes into an error, since errors end up in headers and logs.

use std::fmt;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use tracing::{info, warn};

use crate::AuthError;
use crate::config::{AuthConfig, KeyConfig};
use crate::jwks::JwksCache;

/// Longest token accepted, in bytes.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// The algorithm names accepted in `[[auth.keys]]` `algorithm` and token headers.
pub const SUPPORTED_ALGORITHMS: [&str; 12] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "EdDSA",
];

/// A key from `[[auth.keys]]`.
struct ConfigKey {
    /// `auth.keys[i]`, for logs.
    label: String,
    kid: Option<String>,
    algorithm: Algorithm,
    key: DecodingKey,
}

/// A key a token may be verified with.
enum Candidate<'a> {
    Config(&'a ConfigKey),
    Jwks(Arc<crate::jwks::JwkKey>),
}

impl Candidate<'_> {
    fn algorithm(&self) -> Algorithm {
        match self {
            Candidate::Config(k) => k.algorithm,
            Candidate::Jwks(k) => k.algorithm,
        }
    }

    fn key(&self) -> &DecodingKey {
        match self {
            Candidate::Config(k) => &k.key,
            Candidate::Jwks(k) => &k.key,
        }
    }
}

struct Inner {
    keys: Vec<ConfigKey>,
    jwks: Option<JwksCache>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    leeway_s: u64,
    require_exp: bool,
}

/// Verifies bearer tokens against the configured keys. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<(&str, Option<&str>, Algorithm)> = self
            .inner
            .keys
            .iter()
            .map(|k| (k.label.as_str(), k.kid.as_deref(), k.algorithm))
            .collect();
        f.debug_struct("Verifier")
            .field("keys", &keys)
            .field("jwks", &self.inner.jwks)
            .field("issuers", &self.inner.issuers)
            .field("audiences", &self.inner.audiences)
            .field("leeway_s", &self.inner.leeway_s)
            .field("require_exp", &self.inner.require_exp)
            .finish()
    }
}

impl Verifier {
    /// Loads the keys of `cfg` (reading `public_key_file`s and `secret_env`s) and fetches the
    /// JWKS once. A configuration error is returned with the config key at fault, e.g.
    /// `auth.keys[0]: ES256 needs public_key_pem or public_key_file`. A failed first JWKS fetch
    /// is not an error: it is logged and retried on demand (see [`crate::jwks`]). With no keys
    /// and no JWKS the verifier refuses every token with [`AuthError::UnknownKey`].
    pub async fn new(cfg: &AuthConfig) -> Result<Verifier, String> {
        let mut keys: Vec<ConfigKey> = Vec::with_capacity(cfg.keys.len());
        for (i, k) in cfg.keys.iter().enumerate() {
            let key = load_key(&format!("auth.keys[{i}]"), k).await?;
            if let Some(kid) = &key.kid
                && let Some(other) = keys.iter().find(|o| o.kid.as_ref() == Some(kid))
            {
                return Err(format!(
                    "{}.kid: {kid:?} is already the kid of {}",
                    key.label, other.label
                ));
            }
            keys.push(key);
        }
        let jwks = match &cfg.jwks {
            None => None,
            Some(j) => {
                let cache = JwksCache::new(j)?;
                match cache.start().await {
                    Ok(n) => info!(keys = n, "JWKS fetched"),
                    Err(e) => warn!(
                        "auth.jwks: the first fetch failed ({e}); tokens that need its keys are \
                         refused (503) until a retry succeeds"
                    ),
                }
                Some(cache)
            }
        };
        Ok(Verifier {
            inner: Arc::new(Inner {
                keys,
                jwks,
                issuers: cfg.issuers.clone(),
                audiences: cfg.audiences.clone(),
                leeway_s: cfg.leeway_s,
                require_exp: cfg.require_exp,
            }),
        })
    }

    /// The JWKS cache, when `[auth.jwks]` is configured (for metrics and tests).
    pub fn jwks(&self) -> Option<&JwksCache> {
        self.inner.jwks.as_ref()
    }

    /// Verifies `token` (without the `Bearer ` prefix) and returns its claims (a JSON object).
    ///
    /// Key selection: a token with a `kid` is checked with the config keys of that `kid`;
    /// when there are none, with the JWKS keys of that `kid` (refetching the JWKS on an unknown
    /// kid, see [`crate::jwks`]). A config key without `kid` matches tokens without one, and
    /// tokens with any kid when it is the only key and there is no JWKS. A token without `kid`
    /// is checked with the config keys without one, else with the JWKS key when the set has
    /// exactly one. Of the selected keys, those of the token's algorithm are tried in turn
    /// (several only when keys share a kid, or lack one).
    ///
    /// The checks and their errors are listed in the module docs.
    pub async fn verify(&self, token: &str) -> Result<Value, AuthError> {
        let token = token.trim();
        let header = parse_header(token)?;
        let kid = header.kid.as_deref();

        let config: Vec<Candidate<'_>> = self.config_candidates(kid);
        let candidates = if !config.is_empty() {
            config
        } else if let Some(jwks) = &self.inner.jwks {
            jwks.candidates(kid)
                .await
                .map_err(|e| match e {
                    AuthError::UnknownKey(k) => AuthError::UnknownKey(k.map(|k| printable(&k))),
                    other => other,
                })?
                .into_iter()
                .map(Candidate::Jwks)
                .collect()
        } else {
            return Err(AuthError::UnknownKey(kid.map(printable)));
        };

        let mut last_error = AuthError::AlgorithmNotAllowed(header.alg_name.clone());
        for candidate in candidates
            .iter()
            .filter(|c| c.algorithm() == header.algorithm)
        {
            match decode(token, candidate.key(), header.algorithm, &header.alg_name) {
                Ok(claims) => return self.check_claims(claims),
                // Another key of the same kid/alg may still hold.
                Err(AuthError::BadSignature) => last_error = AuthError::BadSignature,
                Err(e) => return Err(e),
            }
        }
        Err(last_error)
    }

    fn config_candidates(&self, kid: Option<&str>) -> Vec<Candidate<'_>> {
        let keys = &self.inner.keys;
        let mut found: Vec<Candidate<'_>> = keys
            .iter()
            .filter(|k| k.kid.as_deref() == kid)
            .map(Candidate::Config)
            .collect();
        if found.is_empty()
            && kid.is_some()
            && keys.len() == 1
            && keys[0].kid.is_none()
            && self.inner.jwks.is_none()
        {
            found.push(Candidate::Config(&keys[0]));
        }
        found
    }

    /// The claim checks of step 5 (module docs), after the signature held.
    fn check_claims(&self, claims: Value) -> Result<Value, AuthError> {
        let Some(obj) = claims.as_object() else {
            return Err(AuthError::Malformed(
                "the claims are not a JSON object".into(),
            ));
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs() as f64);
        let leeway = self.inner.leeway_s as f64;
        let number = |name: &str| -> Result<Option<f64>, AuthError> {
            match obj.get(name) {
                None => Ok(None),
                Some(v) => v
                    .as_f64()
                    .filter(|f| f.is_finite())
                    .map(Some)
                    .ok_or_else(|| {
                        AuthError::Malformed(format!("the {name} claim is not a number"))
                    }),
            }
        };
        match number("exp")? {
            None if self.inner.require_exp => return Err(AuthError::MissingClaim("exp".into())),
            Some(exp) if now >= exp + leeway => return Err(AuthError::Expired),
            _ => {}
        }
        if let Some(nbf) = number("nbf")?
            && now + leeway < nbf
        {
            return Err(AuthError::NotYetValid);
        }
        if !self.inner.issuers.is_empty() {
            match obj.get("iss") {
                None => return Err(AuthError::MissingClaim("iss".into())),
                Some(Value::String(iss)) if self.inner.issuers.iter().any(|i| i == iss) => {}
                Some(Value::String(_)) => return Err(AuthError::WrongIssuer),
                Some(_) => {
                    return Err(AuthError::Malformed("the iss claim is not a string".into()));
                }
            }
        }
        if !self.inner.audiences.is_empty() {
            let accepted = |a: &str| self.inner.audiences.iter().any(|x| x == a);
            let ok = match obj.get("aud") {
                None => return Err(AuthError::MissingClaim("aud".into())),
                Some(Value::String(aud)) => accepted(aud),
                Some(Value::Array(items)) => {
                    let mut ok = false;
                    for item in items {
                        let Some(aud) = item.as_str() else {
                            return Err(AuthError::Malformed(
                                "the aud claim is not a string or an array of strings".into(),
                            ));
                        };
                        ok |= accepted(aud);
                    }
                    ok
                }
                Some(_) => {
                    return Err(AuthError::Malformed(
                        "the aud claim is not a string or an array of strings".into(),
                    ));
                }
            };
            if !ok {
                return Err(AuthError::WrongAudience);
            }
        }
        Ok(claims)
    }
}

/// What the verifier needs from a token's header.
struct Header {
    algorithm: Algorithm,
    /// `alg` as written (printable), for errors.
    alg_name: String,
    kid: Option<String>,
}

/// Step 1 and the algorithm part of step 3 of the module docs.
fn parse_header(token: &str) -> Result<Header, AuthError> {
    let malformed = |m: &str| AuthError::Malformed(m.to_owned());
    if token.is_empty() {
        return Err(malformed("the token is empty"));
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(malformed("the token is longer than 16 KiB"));
    }
    let parts: Vec<&str> = token.split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err(malformed("encrypted tokens (JWE) are not accepted")),
        _ => return Err(malformed("a JWT has three dot-separated parts")),
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(parts[0])
        .map_err(|_| malformed("the header is not base64url"))?;
    let header: Value =
        serde_json::from_slice(&bytes).map_err(|_| malformed("the header is not JSON"))?;
    let Some(obj) = header.as_object() else {
        return Err(malformed("the header is not a JSON object"));
    };
    let alg = match obj.get("alg") {
        Some(Value::String(alg)) => alg.as_str(),
        Some(_) => return Err(malformed("the header's alg is not a string")),
        None => return Err(malformed("the header has no alg")),
    };
    let kid = match obj.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(malformed("the header's kid is not a string")),
    };
    // Exact names only (JOSE names are case-sensitive); this also refuses `none`, `None`, ….
    let algorithm = SUPPORTED_ALGORITHMS
        .contains(&alg)
        .then(|| Algorithm::from_str(alg).ok())
        .flatten()
        .ok_or_else(|| AuthError::AlgorithmNotAllowed(printable(alg)))?;
    if obj.contains_key("crit") {
        return Err(malformed(
            "the header has critical extensions (crit), none is supported",
        ));
    }
    Ok(Header {
        algorithm,
        alg_name: printable(alg),
        kid,
    })
}

/// Signature check with jsonwebtoken; its own claim checks are off (step 5 is ours).
fn decode(
    token: &str,
    key: &DecodingKey,
    algorithm: Algorithm,
    alg_name: &str,
) -> Result<Value, AuthError> {
    let mut validation = Validation::new(algorithm);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    jsonwebtoken::decode::<Value>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| map_error(e.kind(), alg_name))
}

/// The [`AuthError`] for a jsonwebtoken error.
fn map_error(kind: &ErrorKind, alg_name: &str) -> AuthError {
    match kind {
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidRsaKey(_)
        | ErrorKind::InvalidKeyFormat
        | ErrorKind::Crypto(_) => {
            warn!("a signing key cannot verify tokens: {kind:?}");
            AuthError::BadSignature
        }
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::MissingRequiredClaim(c) => AuthError::MissingClaim(c.clone()),
        ErrorKind::InvalidAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::InvalidAlgorithmName => AuthError::AlgorithmNotAllowed(alg_name.to_owned()),
        ErrorKind::InvalidToken => {
            AuthError::Malformed("a JWT has three dot-separated parts".into())
        }
        ErrorKind::Base64(_) => AuthError::Malformed("a part is not base64url".into()),
        ErrorKind::Json(_) => {
            AuthError::Malformed("the header or claims are not valid JSON".into())
        }
        ErrorKind::Utf8(_) => AuthError::Malformed("a part is not UTF-8".into()),
        ErrorKind::InvalidSubject => AuthError::Malformed("the sub claim is not accepted".into()),
        other => AuthError::Malformed(format!("{other:?}")),
    }
}

/// Token-supplied text made safe for errors, headers and logs: printable ASCII, ≤ 64 chars.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(64)
        .collect()
}

/// Parses an `algorithm` of `[[auth.keys]]` (case-insensitive).
fn config_algorithm(label: &str, name: &str) -> Result<Algorithm, String> {
    SUPPORTED_ALGORITHMS
        .iter()
        .find(|a| a.eq_ignore_ascii_case(name))
        .and_then(|a| Algorithm::from_str(a).ok())
        .ok_or_else(|| {
            format!(
                "{label}.algorithm: {name:?} is not supported; use one of {}",
                SUPPORTED_ALGORITHMS.join(", ")
            )
        })
}

/// Loads one `[[auth.keys]]` entry.
async fn load_key(label: &str, k: &KeyConfig) -> Result<ConfigKey, String> {
    let algorithm = config_algorithm(label, &k.algorithm)?;
    let name = format!("{algorithm:?}");
    let has_public = k.public_key_pem.is_some() || k.public_key_file.is_some();
    let has_secret = k.secret.is_some() || k.secret_env.is_some();
    let key = match algorithm {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            if has_public {
                return Err(format!(
                    "{label}: {name} is an HMAC algorithm: give secret or secret_env, not a public key"
                ));
            }
            let secret = match (&k.secret, &k.secret_env) {
                (Some(_), Some(_)) => {
                    return Err(format!("{label}: set secret or secret_env, not both"));
                }
                (None, None) => return Err(format!("{label}: {name} needs secret or secret_env")),
                (Some(s), None) => s.clone(),
                (None, Some(var)) => std::env::var(var).map_err(|_| {
                    format!(
                        "{label}.secret_env: environment variable {var} is not set (or not UTF-8)"
                    )
                })?,
            };
            if secret.is_empty() {
                return Err(format!("{label}: the {name} secret is empty"));
            }
            let min = match algorithm {
                Algorithm::HS256 => 32,
                Algorithm::HS384 => 48,
                _ => 64,
            };
            if secret.len() < min {
                warn!(
                    "{label}: the {name} secret has {} bytes; RFC 7518 asks for at least {min}",
                    secret.len()
                );
            }
            DecodingKey::from_secret(secret.as_bytes())
        }
        _ => {
            if has_secret {
                return Err(format!(
                    "{label}: {name} is verified with a public key; secret and secret_env are for \
                     HS256, HS384 and HS512"
                ));
            }
            let (field, pem) = match (&k.public_key_pem, &k.public_key_file) {
                (Some(_), Some(_)) => {
                    return Err(format!(
                        "{label}: set public_key_pem or public_key_file, not both"
                    ));
                }
                (None, None) => {
                    return Err(format!(
                        "{label}: {name} needs public_key_pem or public_key_file"
                    ));
                }
                (Some(pem), None) => ("public_key_pem", pem.clone()),
                (None, Some(path)) => (
                    "public_key_file",
                    tokio::fs::read_to_string(path)
                        .await
                        .map_err(|e| format!("{label}.public_key_file: cannot read {path}: {e}"))?,
                ),
            };
            public_key(algorithm, &pem).map_err(|e| format!("{label}.{field}: {e}"))?
        }
    };
    Ok(ConfigKey {
        label: label.to_owned(),
        kid: k.kid.clone(),
        algorithm,
        key,
    })
}

/// A PEM public key for an asymmetric algorithm.
fn public_key(algorithm: Algorithm, pem: &str) -> Result<DecodingKey, String> {
    if pem.contains("PRIVATE KEY") {
        return Err("this is a private key; give its public key \
                    (`openssl pkey -in key.pem -pubout`)"
            .into());
    }
    let name = format!("{algorithm:?}");
    let parsed = match algorithm {
        Algorithm::ES256 | Algorithm::ES384 => {
            let (wanted, other) = if algorithm == Algorithm::ES256 {
                ("P-256", "P-384")
            } else {
                ("P-384", "P-256")
            };
            if ec_curve(pem) == Some(other) {
                return Err(format!("{name} needs a {wanted} key, this one is {other}"));
            }
            DecodingKey::from_ec_pem(pem.as_bytes())
        }
        Algorithm::EdDSA => DecodingKey::from_ed_pem(pem.as_bytes()),
        _ => DecodingKey::from_rsa_pem(pem.as_bytes()),
    };
    let kind = match algorithm {
        Algorithm::ES256 | Algorithm::ES384 => "an EC",
        Algorithm::EdDSA => "an Ed25519",
        _ => "an RSA",
    };
    parsed.map_err(|e| format!("not {kind} public key in PEM, as {name} needs ({e})"))
}

/// The named curve of an EC public key PEM, when recognisable.
fn ec_curve(pem: &str) -> Option<&'static str> {
    const P256: &[u8] = &[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
    const P384: &[u8] = &[0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22];
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    let der = STANDARD.decode(body).ok()?;
    let has = |oid: &[u8]| der.windows(oid.len()).any(|w| w == oid);
    if has(P256) {
        Some("P-256")
    } else if has(P384) {
        Some("P-384")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(v: &str) -> String {
        URL_SAFE_NO_PAD.encode(v)
    }

    #[test]
    fn header_shapes() {
        let err = |t: &str| parse_header(t).err().map(|e| e.code());
        assert_eq!(err(""), Some("TOKEN_MALFORMED"));
        assert_eq!(err("a.b"), Some("TOKEN_MALFORMED"));
        assert_eq!(err("a.b.c.d.e"), Some("TOKEN_MALFORMED"));
        assert_eq!(err("!!.b.c"), Some("TOKEN_MALFORMED"));
        assert_eq!(err(&format!("{}.b.c", b64("[1]"))), Some("TOKEN_MALFORMED"));
        assert_eq!(
            err(&format!("{}.b.c", b64(r#"{"typ":"JWT"}"#))),
            Some("TOKEN_MALFORMED")
        );
        assert_eq!(
            err(&format!("{}.b.c", b64(r#"{"alg":5}"#))),
            Some("TOKEN_MALFORMED")
        );
        assert_eq!(
            err(&format!("{}.b.c", b64(r#"{"alg":"RS256","kid":7}"#))),
            Some("TOKEN_MALFORMED")
        );
        assert_eq!(
            err(&format!("{}.b.c", b64(r#"{"alg":"RS256","crit":["exp"]}"#))),
            Some("TOKEN_MALFORMED")
        );
        for alg in [
            "none", "None", "NONE", "nOnE", "rs256", "ES512", "RSA-OAEP", "",
        ] {
            let token = format!("{}.b.", b64(&format!(r#"{{"alg":"{alg}"}}"#)));
            assert_eq!(
                parse_header(&token).err(),
                Some(AuthError::AlgorithmNotAllowed(alg.into())),
                "{alg}"
            );
        }
        let h = parse_header(&format!("{}.b.c", b64(r#"{"alg":"EdDSA","kid":"k1"}"#))).unwrap();
        assert_eq!(h.algorithm, Algorithm::EdDSA);
        assert_eq!(h.kid.as_deref(), Some("k1"));
    }

    #[test]
    fn token_text_in_errors_is_printable_and_short() {
        let alg = format!("x\r\nSet-Cookie: a{}", "b".repeat(100));
        let token = format!(
            "{}.b.c",
            b64(&serde_json::json!({ "alg": alg }).to_string())
        );
        let Err(AuthError::AlgorithmNotAllowed(shown)) = parse_header(&token) else {
            panic!("expected AlgorithmNotAllowed");
        };
        assert_eq!(shown.len(), 64);
        assert!(shown.starts_with("x??Set-Cookie: a"));
    }

    #[test]
    fn config_algorithms_are_case_insensitive_and_none_is_refused() {
        assert_eq!(config_algorithm("k", "rs256").unwrap(), Algorithm::RS256);
        assert_eq!(config_algorithm("k", "eddsa").unwrap(), Algorithm::EdDSA);
        let err = config_algorithm("auth.keys[2]", "none").unwrap_err();
        assert!(
            err.starts_with("auth.keys[2].algorithm: \"none\" is not supported"),
            "{err}"
        );
    }

    #[test]
    fn jsonwebtoken_errors_map_to_precise_variants() {
        let m = |k: ErrorKind| map_error(&k, "RS256");
        assert_eq!(m(ErrorKind::InvalidSignature), AuthError::BadSignature);
        assert_eq!(m(ErrorKind::ExpiredSignature), AuthError::Expired);
        assert_eq!(m(ErrorKind::ImmatureSignature), AuthError::NotYetValid);
        assert_eq!(m(ErrorKind::InvalidIssuer), AuthError::WrongIssuer);
        assert_eq!(m(ErrorKind::InvalidAudience), AuthError::WrongAudience);
        assert_eq!(
            m(ErrorKind::MissingRequiredClaim("exp".into())),
            AuthError::MissingClaim("exp".into())
        );
        assert_eq!(
            m(ErrorKind::InvalidAlgorithm),
            AuthError::AlgorithmNotAllowed("RS256".into())
        );
        assert_eq!(m(ErrorKind::InvalidToken).code(), "TOKEN_MALFORMED");
        assert_eq!(
            m(ErrorKind::InvalidRsaKey("x".into())),
            AuthError::BadSignature
        );
    }
}
