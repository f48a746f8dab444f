//! Token verification over real HTTP: the shared `jwt-fixtures.mjs` (Node + npm `jose`)
//! tokens and JWKS, OIDC discovery, key rotation and the refetch floor against a tiny JWKS
//! server of this file, and config keys (HS*, RS*, PS*, ES*, EdDSA).
//!
//! Keys under `tests/fixtures/keys/` are test-only (see the README there).
//!
//! The Node tests run the fixture through `fraiseql_testkit::jwt::JwtFixtures` (which installs
//! `jose` once into `target/node-tools-jwt`) and skip, loudly, only when `node` or `npm` is not
//! installed.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fraiseql_auth::AuthError;
use fraiseql_auth::claims::ClaimMap;
use fraiseql_auth::config::{AuthConfig, ClaimsConfig, JwksConfig, KeyConfig};
use fraiseql_auth::jwt::Verifier;
use fraiseql_testkit::jwt::JwtFixtures;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------------------------
// Helpers: fixture keys and signing

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_path(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
        .display()
        .to_string()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The private key `<name>.key.pem` as an EncodingKey for `alg`.
fn encoding_key(name: &str, alg: Algorithm) -> EncodingKey {
    let pem = fixture(&format!("{name}.key.pem"));
    match alg {
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem.as_bytes()),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()),
    }
    .unwrap()
}

fn sign_with(alg: Algorithm, key: &EncodingKey, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

/// Signs `claims` with fixture key `name`.
fn sign(alg: Algorithm, name: &str, kid: Option<&str>, claims: &Value) -> String {
    sign_with(alg, &encoding_key(name, alg), kid, claims)
}

fn claims() -> Value {
    json!({ "sub": "user-1", "iat": now(), "exp": now() + 600 })
}

/// The public JWK of fixture key `name`, with `kid` and optionally `alg`.
fn jwk(name: &str, kid: &str, alg: Option<&str>) -> Value {
    let mut jwk: Value = serde_json::from_str(&fixture(&format!("{name}.jwk.json"))).unwrap();
    jwk["kid"] = json!(kid);
    if let Some(alg) = alg {
        jwk["alg"] = json!(alg);
    }
    jwk
}

fn jwks(keys: &[Value]) -> String {
    json!({ "keys": keys }).to_string()
}

fn code<T: std::fmt::Debug>(r: Result<T, AuthError>) -> &'static str {
    match r {
        Ok(v) => panic!("expected an error, got Ok({v:?})"),
        Err(e) => e.code(),
    }
}

/// The expected outcome of a verification; `Code` pins only the error code.
#[derive(Clone, Debug)]
enum Want {
    Accepted,
    Refused(AuthError),
    Code(&'static str),
}

impl Want {
    fn check<T: std::fmt::Debug>(&self, got: Result<T, AuthError>, what: &str) {
        match self {
            Want::Accepted => assert!(got.is_ok(), "{what}: {got:?}"),
            Want::Refused(e) => assert_eq!(got.err().as_ref(), Some(e), "{what}"),
            Want::Code(c) => assert_eq!(got.err().map(|e| e.code()), Some(*c), "{what}"),
        }
    }
}

fn key(kid: Option<&str>, algorithm: &str) -> KeyConfig {
    KeyConfig {
        kid: kid.map(str::to_owned),
        algorithm: algorithm.to_owned(),
        secret: None,
        secret_env: None,
        public_key_pem: None,
        public_key_file: None,
    }
}

fn pem_key(kid: Option<&str>, algorithm: &str, pub_pem: &str) -> KeyConfig {
    KeyConfig {
        public_key_pem: Some(fixture(pub_pem)),
        ..key(kid, algorithm)
    }
}

fn keys_config(keys: Vec<KeyConfig>) -> AuthConfig {
    AuthConfig {
        keys,
        ..AuthConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// A tiny JWKS / OIDC discovery server (tokio TcpListener, one fixed response per request)

struct JwksServer {
    base: String,
    jwks: Arc<Mutex<String>>,
    /// The `issuer` its discovery document names.
    issuer: Arc<Mutex<String>>,
    /// When set, `/jwks.json` answers 500.
    failing: Arc<AtomicBool>,
    fetches: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl JwksServer {
    async fn start(initial: String) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let jwks = Arc::new(Mutex::new(initial));
        let issuer = Arc::new(Mutex::new(base.clone()));
        let failing = Arc::new(AtomicBool::new(false));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (j, i, f, n, b) = (
            jwks.clone(),
            issuer.clone(),
            failing.clone(),
            fetches.clone(),
            base.clone(),
        );
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut conn, _)) = listener.accept().await else {
                    continue;
                };
                let (j, i, f, n, b) = (j.clone(), i.clone(), f.clone(), n.clone(), b.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 1024];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
                        match conn.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                    }
                    let request = String::from_utf8_lossy(&buf);
                    let path = request.split_whitespace().nth(1).unwrap_or("");
                    let (status, body) = match path {
                        "/jwks.json" => {
                            n.fetch_add(1, Ordering::SeqCst);
                            if f.load(Ordering::SeqCst) {
                                ("500 Internal Server Error", "{}".to_owned())
                            } else {
                                ("200 OK", j.lock().unwrap().clone())
                            }
                        }
                        "/.well-known/openid-configuration" => (
                            "200 OK",
                            json!({
                                "issuer": *i.lock().unwrap(),
                                "jwks_uri": format!("{b}/jwks.json"),
                            })
                            .to_string(),
                        ),
                        _ => ("404 Not Found", "{}".to_owned()),
                    };
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = conn.write_all(response.as_bytes()).await;
                    let _ = conn.shutdown().await;
                });
            }
        });
        JwksServer {
            base,
            jwks,
            issuer,
            failing,
            fetches,
            task,
        }
    }

    fn url(&self) -> String {
        format!("{}/jwks.json", self.base)
    }

    fn publish(&self, jwks: String) {
        *self.jwks.lock().unwrap() = jwks;
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    fn config(&self, cache_s: u64, min_refresh_s: u64) -> AuthConfig {
        AuthConfig {
            jwks: Some(JwksConfig {
                url: Some(self.url()),
                cache_s,
                min_refresh_s,
                timeout_ms: 5000,
                ..JwksConfig::default()
            }),
            ..AuthConfig::default()
        }
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------------------------------------
// The Node fixture (`jwt-fixtures.mjs`, run by `fraiseql_testkit::jwt::JwtFixtures`)

/// Starts the shared fixture server; `None` (after a loud message) when node or npm is missing.
fn start_fixtures(test: &str) -> Option<JwtFixtures> {
    // One start at a time: the testkit copies the script to one shared path before running it.
    static START: Mutex<()> = Mutex::new(());
    let _guard = START.lock().unwrap_or_else(|e| e.into_inner());
    let fixtures = JwtFixtures::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    if fixtures.is_none() {
        // Straight to the stderr handle: the test harness captures `eprintln!`.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED {test} (no node/npm) !!!\n"
        );
    }
    fixtures
}

// ---------------------------------------------------------------------------------------------
// The 16 tokens of jwt-fixtures.mjs

/// Every token of `jwt-fixtures.mjs` and the expected outcome: `None` = accepted, else the
/// error code.
const FIXTURE_EXPECTATIONS: [(&str, Option<&str>); 16] = [
    ("valid", None),
    ("valid_es256", None),
    ("expired", Some("TOKEN_EXPIRED")),
    ("not_yet_valid", Some("TOKEN_NOT_YET_VALID")),
    ("wrong_audience", Some("TOKEN_WRONG_AUDIENCE")),
    ("wrong_issuer", Some("TOKEN_WRONG_ISSUER")),
    ("no_exp", Some("TOKEN_MISSING_CLAIM")),
    ("unknown_kid", Some("TOKEN_UNKNOWN_KEY")),
    ("right_kid_wrong_key", Some("TOKEN_BAD_SIGNATURE")),
    ("tampered_payload", Some("TOKEN_BAD_SIGNATURE")),
    ("bad_signature", Some("TOKEN_BAD_SIGNATURE")),
    ("alg_none", Some("TOKEN_ALGORITHM_NOT_ALLOWED")),
    ("alg_none_uppercase", Some("TOKEN_ALGORITHM_NOT_ALLOWED")),
    // HS256 signed with the RSA public key as secret, with the RSA key's kid.
    ("alg_hs256_confusion", Some("TOKEN_ALGORITHM_NOT_ALLOWED")),
    ("malformed", Some("TOKEN_MALFORMED")),
    // An empty bearer is a malformed credential, never "no token" (see jwt.rs docs).
    ("empty_bearer", Some("TOKEN_MALFORMED")),
];

fn fixture_config(fixtures: &JwtFixtures, jwks: JwksConfig) -> AuthConfig {
    AuthConfig {
        jwks: Some(jwks),
        issuers: vec![fixtures.issuer()],
        audiences: vec![JwtFixtures::AUDIENCE.into()],
        ..AuthConfig::default()
    }
}

/// A verifier on `jwks` that loaded both fixture keys and passes [`FIXTURE_EXPECTATIONS`].
async fn fixture_table_verifier(fixtures: &JwtFixtures, jwks: JwksConfig) -> Verifier {
    let verifier = Verifier::new(&fixture_config(fixtures, jwks))
        .await
        .unwrap();
    assert_eq!(verifier.jwks().unwrap().key_count(), 2);
    let listed: Vec<&str> = FIXTURE_EXPECTATIONS.iter().map(|(n, _)| *n).collect();
    for name in fixtures.tokens.keys() {
        assert!(
            listed.contains(&name.as_str()),
            "token {name} of jwt-fixtures.mjs is not in FIXTURE_EXPECTATIONS"
        );
    }
    for (name, expected) in FIXTURE_EXPECTATIONS {
        let got = verifier.verify(fixtures.token(name)).await;
        match (expected, &got) {
            (None, Ok(claims)) => assert_eq!(claims["sub"], "user-42", "{name}"),
            (Some(code), Err(e)) => {
                assert_eq!(e.code(), code, "{name}: {e}");
                assert_eq!(e.status(), 401, "{name}");
                assert!(
                    e.www_authenticate("graphql")
                        .contains("error=\"invalid_token\""),
                    "{name}"
                );
            }
            _ => panic!("{name}: expected {expected:?}, got {got:?}"),
        }
    }
    verifier
}

/// Exactly `valid` and `valid_es256` are accepted; every other token fails with its code.
#[tokio::test]
async fn node_fixture_tokens_via_jwks_url() {
    let Some(fixtures) = start_fixtures("node_fixture_tokens_via_jwks_url") else {
        return;
    };
    let jwks = JwksConfig {
        url: Some(fixtures.jwks_url()),
        ..JwksConfig::default()
    };
    let verifier = fixture_table_verifier(&fixtures, jwks).await;

    // The accepted claims map to an identity (the user id sits in a namespaced claim).
    let claims = verifier.verify(fixtures.token("valid")).await.unwrap();
    let map = ClaimMap::new(&ClaimsConfig {
        user_id: Some("/https:~1~1example.com~1claims/user_id".into()),
        custom: BTreeMap::from([("role".into(), "/role".into())]),
        ..ClaimsConfig::default()
    })
    .unwrap();
    let id = map.identity(&claims);
    assert_eq!(id.subject.as_deref(), Some("user-42"));
    assert_eq!(id.user_id.as_deref(), Some("42"));
    assert_eq!(id.custom["role"], "app_user");
    assert!(id.expires_at.unwrap() > now());
}

/// The same table with the JWKS found through OIDC discovery (`oidc_issuer`).
#[tokio::test]
async fn node_fixture_tokens_via_oidc_discovery() {
    let Some(fixtures) = start_fixtures("node_fixture_tokens_via_oidc_discovery") else {
        return;
    };
    // The testkit has no discovery URL: the issuer is the discovery base.
    let oidc = |issuer: String| JwksConfig {
        oidc_issuer: Some(issuer),
        ..JwksConfig::default()
    };
    fixture_table_verifier(&fixtures, oidc(fixtures.issuer())).await;

    // An issuer without discovery document: no keys, 503 rather than a false "unknown key".
    let missing = oidc(format!("{}no-such-issuer", fixtures.issuer()));
    let verifier = Verifier::new(&fixture_config(&fixtures, missing))
        .await
        .unwrap();
    let err = verifier.verify(fixtures.token("valid")).await.unwrap_err();
    assert_eq!(err, AuthError::KeysUnavailable);
    assert_eq!(err.status(), 503);
}

// ---------------------------------------------------------------------------------------------
// JWKS behaviour against the Rust server

/// OIDC discovery against the Rust server; the discovery document's issuer must match.
#[tokio::test]
async fn oidc_discovery_checks_the_issuer() {
    let server = JwksServer::start(jwks(&[jwk("rsa-a", "a", Some("RS256"))])).await;
    let token = sign(Algorithm::RS256, "rsa-a", Some("a"), &claims());
    let cfg = |issuer: String| AuthConfig {
        jwks: Some(JwksConfig {
            oidc_issuer: Some(issuer),
            ..JwksConfig::default()
        }),
        ..AuthConfig::default()
    };
    // A trailing slash on either side is ignored.
    let verifier = Verifier::new(&cfg(format!("{}/", server.base)))
        .await
        .unwrap();
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(server.fetches(), 1);

    *server.issuer.lock().unwrap() = "http://evil.example".into();
    let verifier = Verifier::new(&cfg(server.base.clone())).await.unwrap();
    assert_eq!(
        verifier.verify(&token).await,
        Err(AuthError::KeysUnavailable)
    );
    assert_eq!(
        server.fetches(),
        1,
        "the JWKS of a mismatched issuer is not fetched"
    );
}

/// Rotation without restart: a new kid is picked up by the unknown-kid refetch (one fetch for
/// many concurrent requests), old tokens work while their key is published, and the
/// `min_refresh_s` floor bounds the fetches unknown kids cause.
#[tokio::test]
async fn key_rotation_and_refresh_floor() {
    const FLOOR: Duration = Duration::from_secs(2);
    let past_floor = FLOOR + Duration::from_millis(300);
    let server = JwksServer::start(jwks(&[jwk("rsa-a", "a", Some("RS256"))])).await;
    let verifier = Verifier::new(&server.config(300, FLOOR.as_secs()))
        .await
        .unwrap();
    assert_eq!(server.fetches(), 1, "fetched once at start-up");

    let token_a = sign(Algorithm::RS256, "rsa-a", Some("a"), &claims());
    let token_b = sign(Algorithm::ES256, "ec-p256", Some("b"), &claims());
    let token_c = sign(Algorithm::RS256, "rsa-c", Some("c"), &claims());
    let token_x = sign(Algorithm::RS256, "rsa-c", Some("x"), &claims());
    let token_y = sign(Algorithm::RS256, "rsa-c", Some("y"), &claims());
    assert!(verifier.verify(&token_a).await.is_ok());

    // Publish b; past the floor, 16 concurrent requests with kid b cause one fetch.
    tokio::time::sleep(past_floor).await;
    server.publish(jwks(&[
        jwk("rsa-a", "a", Some("RS256")),
        jwk("ec-p256", "b", None),
    ]));
    let started = Instant::now();
    let results = futures::future::join_all((0..16).map(|_| verifier.verify(&token_b))).await;
    for r in &results {
        assert!(r.is_ok(), "{r:?}");
    }
    assert_eq!(
        server.fetches(),
        2,
        "one fetch for 16 concurrent unknown-kid requests"
    );
    assert!(
        verifier.verify(&token_a).await.is_ok(),
        "a is still published"
    );

    // Within the floor: unknown kids cause no fetch.
    assert_eq!(code(verifier.verify(&token_x).await), "TOKEN_UNKNOWN_KEY");
    assert_eq!(server.fetches(), 2);
    assert!(
        started.elapsed() < FLOOR,
        "the test machine is too slow for this check"
    );

    // Past the floor: two unknown kids in a row cause one fetch.
    tokio::time::sleep(past_floor).await;
    assert_eq!(
        verifier.verify(&token_x).await,
        Err(AuthError::UnknownKey(Some("x".into())))
    );
    let started = Instant::now();
    assert_eq!(server.fetches(), 3);
    assert_eq!(code(verifier.verify(&token_y).await), "TOKEN_UNKNOWN_KEY");
    assert_eq!(
        server.fetches(),
        3,
        "the second unknown kid within the floor: no fetch"
    );

    // Rotate a out and c in: c waits for the floor; a works from the cache meanwhile.
    server.publish(jwks(&[jwk("ec-p256", "b", None), jwk("rsa-c", "c", None)]));
    assert_eq!(code(verifier.verify(&token_c).await), "TOKEN_UNKNOWN_KEY");
    assert!(verifier.verify(&token_a).await.is_ok());
    assert_eq!(server.fetches(), 3);
    assert!(
        started.elapsed() < FLOOR,
        "the test machine is too slow for this check"
    );

    tokio::time::sleep(past_floor).await;
    assert!(verifier.verify(&token_c).await.is_ok());
    assert_eq!(server.fetches(), 4);
    // a is no longer published: its tokens stop working.
    assert_eq!(code(verifier.verify(&token_a).await), "TOKEN_UNKNOWN_KEY");
    assert!(verifier.verify(&token_b).await.is_ok());
    assert_eq!(server.fetches(), 4);
    assert_eq!(verifier.jwks().unwrap().fetch_count(), 4);
}

/// Past `cache_s` the set is refetched; a key removed meanwhile stops working, and that request
/// causes one fetch, not two.
#[tokio::test]
async fn cache_expiry_refetches() {
    let server = JwksServer::start(jwks(&[jwk("rsa-a", "a", None)])).await;
    let verifier = Verifier::new(&server.config(2, 1)).await.unwrap();
    let token_a = sign(Algorithm::RS256, "rsa-a", Some("a"), &claims());
    let token_b = sign(Algorithm::RS256, "rsa-b", Some("b"), &claims());
    assert!(verifier.verify(&token_a).await.is_ok());
    assert_eq!(server.fetches(), 1);

    server.publish(jwks(&[jwk("rsa-b", "b", None)]));
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert_eq!(code(verifier.verify(&token_a).await), "TOKEN_UNKNOWN_KEY");
    assert_eq!(server.fetches(), 2);
    assert!(verifier.verify(&token_b).await.is_ok());
    assert_eq!(server.fetches(), 2);
}

/// A JWKS that is down at start-up: the verifier starts, tokens get 503 until a fetch (at
/// most one per floor) succeeds.
#[tokio::test]
async fn jwks_down_at_start_up_then_recovers() {
    let server = JwksServer::start(jwks(&[jwk("rsa-a", "a", None)])).await;
    server.failing.store(true, Ordering::SeqCst);
    let verifier = Verifier::new(&server.config(300, 2)).await.unwrap();
    assert_eq!(server.fetches(), 1);
    let token = sign(Algorithm::RS256, "rsa-a", Some("a"), &claims());
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(err, AuthError::KeysUnavailable);
    assert_eq!((err.code(), err.status()), ("AUTH_KEYS_UNAVAILABLE", 503));
    assert_eq!(server.fetches(), 1, "no retry within the floor");

    server.failing.store(false, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(2300)).await;
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(server.fetches(), 2);
}

/// JWKS keys are tied to their algorithm: RS256 key ≠ PS256/HS256 tokens, an EC key without
/// `alg` is ES256, an Ed25519 JWK verifies EdDSA, a kid-less token uses the only key.
#[tokio::test]
async fn jwks_keys_are_tied_to_their_algorithm() {
    let server = JwksServer::start(jwks(&[jwk("rsa-a", "a", Some("RS256"))])).await;
    let verifier = Verifier::new(&server.config(300, 0)).await.unwrap();
    let c = claims();
    assert!(
        verifier
            .verify(&sign(Algorithm::RS256, "rsa-a", None, &c))
            .await
            .is_ok()
    );
    let ps = sign(Algorithm::PS256, "rsa-a", Some("a"), &c);
    assert_eq!(
        verifier.verify(&ps).await,
        Err(AuthError::AlgorithmNotAllowed("PS256".into()))
    );
    let hs = sign_with(
        Algorithm::HS256,
        &EncodingKey::from_secret(fixture("rsa-a.pub.pem").as_bytes()),
        Some("a"),
        &c,
    );
    assert_eq!(
        code(verifier.verify(&hs).await),
        "TOKEN_ALGORITHM_NOT_ALLOWED"
    );

    server.publish(jwks(&[
        jwk("rsa-a", "a", Some("PS256")),
        jwk("ec-p256", "e256", None),
        jwk("ec-p384", "e384", None),
        jwk("ed25519", "ed", None),
    ]));
    let verifier = Verifier::new(&server.config(300, 0)).await.unwrap();
    assert!(verifier.verify(&ps).await.is_ok());
    for (alg, name, kid) in [
        (Algorithm::ES256, "ec-p256", "e256"),
        (Algorithm::ES384, "ec-p384", "e384"),
        (Algorithm::EdDSA, "ed25519", "ed"),
    ] {
        assert!(
            verifier
                .verify(&sign(alg, name, Some(kid), &c))
                .await
                .is_ok(),
            "{alg:?}"
        );
    }
    // Several keys: a token without kid matches none.
    let no_kid = sign(Algorithm::ES256, "ec-p256", None, &c);
    assert_eq!(
        verifier.verify(&no_kid).await,
        Err(AuthError::UnknownKey(None))
    );
    // ES384 token naming the P-256 key.
    let wrong = sign(Algorithm::ES384, "ec-p384", Some("e256"), &c);
    assert_eq!(
        code(verifier.verify(&wrong).await),
        "TOKEN_ALGORITHM_NOT_ALLOWED"
    );
}

// ---------------------------------------------------------------------------------------------
// Config keys

/// HS256 with a secret: signature, algorithm pinning, exp/nbf with leeway, iss and aud.
#[tokio::test]
async fn hs256_config_key_and_claim_checks() {
    const SECRET: &str = "a-test-only-secret-of-32-bytes!!";
    let mut cfg = keys_config(vec![KeyConfig {
        secret: Some(SECRET.into()),
        ..key(None, "HS256")
    }]);
    cfg.issuers = vec!["https://issuer.example/".into()];
    cfg.audiences = vec!["graphql-api".into(), "other-api".into()];
    let verifier = Verifier::new(&cfg).await.unwrap();
    let hs = |alg: Algorithm, secret: &str, claims: Value| {
        sign_with(
            alg,
            &EncodingKey::from_secret(secret.as_bytes()),
            None,
            &claims,
        )
    };
    let base = |extra: Value| {
        let mut c = json!({
            "sub": "u", "iss": "https://issuer.example/", "aud": "graphql-api", "exp": now() + 60
        });
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let check = |claims: Value| {
        let token = hs(Algorithm::HS256, SECRET, claims);
        let verifier = verifier.clone();
        async move { verifier.verify(&token).await }
    };

    assert_eq!(check(base(json!({}))).await.unwrap()["sub"], "u");
    // Any kid matches the only, kid-less key.
    let with_kid = sign_with(
        Algorithm::HS256,
        &EncodingKey::from_secret(SECRET.as_bytes()),
        Some("whatever"),
        &base(json!({})),
    );
    assert!(verifier.verify(&with_kid).await.is_ok());
    // Signature and algorithm.
    let wrong_secret = hs(
        Algorithm::HS256,
        "another-secret-of-32-bytes-long!",
        base(json!({})),
    );
    assert_eq!(
        verifier.verify(&wrong_secret).await,
        Err(AuthError::BadSignature)
    );
    let hs384 = hs(Algorithm::HS384, SECRET, base(json!({})));
    assert_eq!(
        verifier.verify(&hs384).await,
        Err(AuthError::AlgorithmNotAllowed("HS384".into()))
    );
    let rs = sign(Algorithm::RS256, "rsa-a", None, &base(json!({})));
    assert_eq!(
        code(verifier.verify(&rs).await),
        "TOKEN_ALGORITHM_NOT_ALLOWED"
    );
    // exp / nbf with the default 30 s leeway; fractional NumericDates are fine; then iss, and
    // aud: a string or an array naming one accepted audience.
    let malformed = Want::Code("TOKEN_MALFORMED");
    let claim_cases = [
        (json!({"exp": now() - 10}), Want::Accepted),
        (json!({"exp": now() as f64 + 60.5}), Want::Accepted),
        (
            json!({"exp": now() - 40}),
            Want::Refused(AuthError::Expired),
        ),
        (json!({"nbf": now() + 10}), Want::Accepted),
        (
            json!({"nbf": now() + 100}),
            Want::Refused(AuthError::NotYetValid),
        ),
        (
            json!({"exp": null}),
            Want::Refused(AuthError::MissingClaim("exp".into())),
        ),
        (json!({"exp": "tomorrow"}), malformed.clone()),
        (json!({"nbf": "later"}), malformed.clone()),
        (
            json!({"iss": null}),
            Want::Refused(AuthError::MissingClaim("iss".into())),
        ),
        (
            json!({"iss": "https://issuer.example"}),
            Want::Refused(AuthError::WrongIssuer),
        ),
        (json!({"iss": 5}), malformed.clone()),
        (json!({"aud": ["x", "other-api"]}), Want::Accepted),
        (
            json!({"aud": ["x", "y"]}),
            Want::Refused(AuthError::WrongAudience),
        ),
        (json!({"aud": []}), Want::Refused(AuthError::WrongAudience)),
        (json!({"aud": "x"}), Want::Refused(AuthError::WrongAudience)),
        (
            json!({"aud": null}),
            Want::Refused(AuthError::MissingClaim("aud".into())),
        ),
        (json!({"aud": 1}), malformed.clone()),
        (json!({"aud": ["graphql-api", 1]}), malformed),
    ];
    for (extra, want) in claim_cases {
        let what = extra.to_string();
        want.check(check(base(extra)).await, &what);
    }
    // Claims that are not an object.
    assert_eq!(code(check(json!("just a string")).await), "TOKEN_MALFORMED");

    // Without require_exp, issuers and audiences: none of those claims is needed.
    let relaxed = Verifier::new(&AuthConfig {
        require_exp: false,
        ..keys_config(vec![KeyConfig {
            secret: Some(SECRET.into()),
            ..key(None, "HS256")
        }])
    })
    .await
    .unwrap();
    let bare = hs(
        Algorithm::HS256,
        SECRET,
        json!({"sub": "u", "aud": "anyone"}),
    );
    assert!(relaxed.verify(&bare).await.is_ok());
    let expired = hs(Algorithm::HS256, SECRET, json!({"exp": now() - 100}));
    assert_eq!(relaxed.verify(&expired).await, Err(AuthError::Expired));
}

/// HS384/HS512 and secret_env.
#[tokio::test]
async fn hmac_variants_and_secret_env() {
    for (alg, name) in [(Algorithm::HS384, "HS384"), (Algorithm::HS512, "HS512")] {
        let secret = "s".repeat(64);
        let verifier = Verifier::new(&keys_config(vec![KeyConfig {
            secret: Some(secret.clone()),
            ..key(Some("h"), name)
        }]))
        .await
        .unwrap();
        let token = sign_with(
            alg,
            &EncodingKey::from_secret(secret.as_bytes()),
            Some("h"),
            &claims(),
        );
        assert!(verifier.verify(&token).await.is_ok(), "{name}");
    }
    // secret_env reads the variable at start-up (cargo sets CARGO_MANIFEST_DIR for tests).
    if let Ok(secret) = std::env::var("CARGO_MANIFEST_DIR") {
        let verifier = Verifier::new(&keys_config(vec![KeyConfig {
            secret_env: Some("CARGO_MANIFEST_DIR".into()),
            ..key(None, "HS256")
        }]))
        .await
        .unwrap();
        let token = sign_with(
            Algorithm::HS256,
            &EncodingKey::from_secret(secret.as_bytes()),
            None,
            &claims(),
        );
        assert!(verifier.verify(&token).await.is_ok());
    }
}

/// EdDSA with `public_key_file`, and every RSA algorithm with a PEM key.
#[tokio::test]
async fn eddsa_and_rsa_config_keys() {
    let verifier = Verifier::new(&keys_config(vec![KeyConfig {
        public_key_file: Some(fixture_path("ed25519.pub.pem")),
        ..key(Some("ed"), "EdDSA")
    }]))
    .await
    .unwrap();
    let c = claims();
    // The only key has a kid: another kid is unknown.
    for (alg, name, kid, want) in [
        (Algorithm::EdDSA, "ed25519", "ed", Want::Accepted),
        (
            Algorithm::ES256,
            "ec-p256",
            "ed",
            Want::Code("TOKEN_ALGORITHM_NOT_ALLOWED"),
        ),
        (
            Algorithm::EdDSA,
            "ed25519",
            "zz",
            Want::Refused(AuthError::UnknownKey(Some("zz".into()))),
        ),
    ] {
        want.check(verifier.verify(&sign(alg, name, Some(kid), &c)).await, kid);
    }

    for (alg, name) in [
        (Algorithm::RS256, "RS256"),
        (Algorithm::RS384, "RS384"),
        (Algorithm::RS512, "RS512"),
        (Algorithm::PS256, "PS256"),
        (Algorithm::PS384, "PS384"),
        (Algorithm::PS512, "PS512"),
    ] {
        let verifier = Verifier::new(&keys_config(vec![pem_key(None, name, "rsa-a.pub.pem")]))
            .await
            .unwrap();
        assert!(
            verifier.verify(&sign(alg, "rsa-a", None, &c)).await.is_ok(),
            "{name}"
        );
        assert_eq!(
            verifier.verify(&sign(alg, "rsa-b", None, &c)).await,
            Err(AuthError::BadSignature),
            "{name}: another key"
        );
        let other = if alg == Algorithm::RS256 {
            Algorithm::PS256
        } else {
            Algorithm::RS256
        };
        assert_eq!(
            code(verifier.verify(&sign(other, "rsa-a", None, &c)).await),
            "TOKEN_ALGORITHM_NOT_ALLOWED",
            "{name}"
        );
    }
}

/// Several config keys: selection by kid, kid-less keys for kid-less tokens.
#[tokio::test]
async fn config_keys_are_selected_by_kid() {
    let verifier = Verifier::new(&keys_config(vec![
        pem_key(Some("a"), "RS256", "rsa-a.pub.pem"),
        pem_key(Some("e256"), "ES256", "ec-p256.pub.pem"),
        pem_key(Some("e384"), "ES384", "ec-p384.pub.pem"),
        pem_key(None, "RS256", "rsa-b.pub.pem"),
    ]))
    .await
    .unwrap();
    let c = claims();
    let cases = [
        (Algorithm::RS256, "rsa-a", Some("a"), Ok(())),
        (Algorithm::ES256, "ec-p256", Some("e256"), Ok(())),
        (Algorithm::ES384, "ec-p384", Some("e384"), Ok(())),
        (Algorithm::RS256, "rsa-b", None, Ok(())),
        // A kid-less token is checked with the kid-less key only.
        (
            Algorithm::RS256,
            "rsa-a",
            None,
            Err(AuthError::BadSignature),
        ),
        (
            Algorithm::RS256,
            "rsa-b",
            Some("a"),
            Err(AuthError::BadSignature),
        ),
        (
            Algorithm::RS256,
            "rsa-a",
            Some("nope"),
            Err(AuthError::UnknownKey(Some("nope".into()))),
        ),
        (
            Algorithm::ES384,
            "ec-p384",
            Some("e256"),
            Err(AuthError::AlgorithmNotAllowed("ES384".into())),
        ),
        (
            Algorithm::ES256,
            "ec-p256",
            Some("a"),
            Err(AuthError::AlgorithmNotAllowed("ES256".into())),
        ),
    ];
    for (alg, name, kid, want) in cases {
        let got = verifier.verify(&sign(alg, name, kid, &c)).await.map(drop);
        assert_eq!(got, want, "{alg:?} signed by {name}, kid {kid:?}");
    }
}

/// No keys at all: every token is an unknown key (never accepted, never a panic).
#[tokio::test]
async fn no_keys_refuses_everything() {
    let verifier = Verifier::new(&AuthConfig::default()).await.unwrap();
    // The server awaits verification inside multi-threaded handlers.
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    fn assert_send<T: Send>(_: T) {}
    assert_send_sync(&verifier);
    assert_send(verifier.verify("x"));
    let token = sign(Algorithm::RS256, "rsa-a", None, &claims());
    assert_eq!(
        verifier.verify(&token).await,
        Err(AuthError::UnknownKey(None))
    );
    assert_eq!(code(verifier.verify("").await), "TOKEN_MALFORMED");
    assert_eq!(code(verifier.verify("   ").await), "TOKEN_MALFORMED");
    assert_eq!(code(verifier.verify("a.b.c").await), "TOKEN_MALFORMED");
}

/// Start-up errors name the config key at fault.
#[tokio::test]
async fn start_up_errors_name_the_config_key() {
    /// The whole start-up error, or how it starts.
    enum Msg {
        Is(&'static str),
        StartsWith(&'static str),
    }
    use Msg::{Is, StartsWith};
    let one = |k: KeyConfig| keys_config(vec![k]);
    let jwks = |jwks: JwksConfig| AuthConfig {
        jwks: Some(jwks),
        ..AuthConfig::default()
    };
    let cases = [
        (
            one(key(None, "ES256")),
            Is("auth.keys[0]: ES256 needs public_key_pem or public_key_file"),
        ),
        (
            one(key(None, "HS256")),
            Is("auth.keys[0]: HS256 needs secret or secret_env"),
        ),
        (
            one(key(None, "none")),
            StartsWith("auth.keys[0].algorithm: \"none\" is not supported"),
        ),
        (
            one(key(None, "ES512")),
            StartsWith("auth.keys[0].algorithm: "),
        ),
        (
            one(KeyConfig {
                secret: Some("x".repeat(32)),
                ..key(None, "RS256")
            }),
            StartsWith("auth.keys[0]: RS256 is verified with a public key"),
        ),
        (
            one(KeyConfig {
                public_key_pem: Some(fixture("rsa-a.pub.pem")),
                ..key(None, "HS256")
            }),
            StartsWith("auth.keys[0]: HS256 is an HMAC algorithm"),
        ),
        (
            one(KeyConfig {
                secret: Some(String::new()),
                ..key(None, "HS256")
            }),
            StartsWith("auth.keys[0]: "),
        ),
        (
            one(KeyConfig {
                secret_env: Some("FRAISEQL_TEST_SURELY_UNSET_SECRET".into()),
                ..key(None, "HS256")
            }),
            StartsWith("auth.keys[0].secret_env: "),
        ),
        (
            one(pem_key(None, "RS256", "rsa-a.key.pem")),
            StartsWith("auth.keys[0].public_key_pem: this is a private key"),
        ),
        (
            one(pem_key(None, "ES256", "ec-p384.pub.pem")),
            Is("auth.keys[0].public_key_pem: ES256 needs a P-256 key, this one is P-384"),
        ),
        (
            one(pem_key(None, "ES384", "rsa-a.pub.pem")),
            StartsWith("auth.keys[0].public_key_pem: not an EC public key"),
        ),
        (
            one(pem_key(None, "EdDSA", "ec-p256.pub.pem")),
            StartsWith("auth.keys[0].public_key_pem: "),
        ),
        (
            one(KeyConfig {
                public_key_pem: Some("not a pem".into()),
                ..key(None, "RS256")
            }),
            StartsWith("auth.keys[0].public_key_pem: not an RSA public key"),
        ),
        (
            one(KeyConfig {
                public_key_file: Some("/nonexistent/key.pem".into()),
                ..key(None, "RS256")
            }),
            StartsWith("auth.keys[0].public_key_file: cannot read /nonexistent/key.pem"),
        ),
        (
            one(KeyConfig {
                public_key_file: Some(fixture_path("rsa-a.pub.pem")),
                ..pem_key(None, "RS256", "rsa-a.pub.pem")
            }),
            StartsWith("auth.keys[0]: set public_key_pem or public_key_file, not both"),
        ),
        (
            keys_config(vec![
                pem_key(Some("k"), "RS256", "rsa-a.pub.pem"),
                pem_key(Some("k"), "ES256", "ec-p256.pub.pem"),
            ]),
            Is("auth.keys[1].kid: \"k\" is already the kid of auth.keys[0]"),
        ),
        (jwks(JwksConfig::default()), StartsWith("auth.jwks: ")),
        (
            jwks(JwksConfig {
                url: Some("not a url".into()),
                ..JwksConfig::default()
            }),
            StartsWith("auth.jwks.url: "),
        ),
    ];
    for (cfg, msg) in cases {
        let e = Verifier::new(&cfg).await.unwrap_err();
        match msg {
            Is(m) => assert_eq!(e, m),
            StartsWith(m) => assert!(e.starts_with(m), "{e}"),
        }
    }
}
