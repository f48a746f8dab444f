//! Auth end to end, over real HTTP on a loopback port against a real PostgreSQL:
//! the shared fixture tokens, row-level security through transaction-local settings
//! (and no leak to the next request on the same connection), tenant injection under
//! random queries, RBAC (inheritance, field denial, root denial running no SQL, cache
//! invalidation), and revocation across two server instances.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use fraiseql_auth::config::{
    ClaimsConfig, JwksConfig, KeyConfig, RevocationStore, RoleDefinition, TenantConfig,
};
use fraiseql_server::{AppState, Config};
use fraiseql_testkit::TestDb;
use fraiseql_testkit::jwt::JwtFixtures;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use crate::support;

const SECRET: &str = "a-test-secret-of-at-least-32-bytes!!";

/// Tables, an RLS policy, views (one `security_invoker`), a view reporting the settings,
/// and a function counting every row read through `v_note` (to prove nothing ran).
const SQL: &str = r#"
CREATE TABLE reads (id bigserial PRIMARY KEY);
CREATE FUNCTION note_read() RETURNS int LANGUAGE sql VOLATILE
  AS $$ INSERT INTO reads DEFAULT VALUES RETURNING 1 $$;
CREATE TABLE tb_note (
  id int PRIMARY KEY,
  tenant_id text NOT NULL,
  title text NOT NULL,
  salary int,
  author jsonb NOT NULL
);
CREATE INDEX ON tb_note (tenant_id);
ALTER TABLE tb_note ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_notes ON tb_note
  USING (tenant_id = current_setting('app.tenant_id', true));
CREATE VIEW v_note WITH (security_invoker = true) AS
  SELECT id, tenant_id, title, salary,
         jsonb_build_object('id', id::text, 'tenant_id', tenant_id, 'title', title,
                            'salary', salary, 'read', note_read(), 'author', author) AS data
  FROM tb_note;
CREATE VIEW v_setting AS
  SELECT 1 AS id, jsonb_build_object(
    'tenant', current_setting('app.tenant_id', true),
    'user', current_setting('app.user_id', true)) AS data;
"#;

const SDL: &str = r#"
type Author { name: String! level: Int! }
type Note @view(name: "v_note") {
  id: ID!
  tenantId: String!
  title: String!
  salary: Int @requires(permission: "salary:read")
  secretTitle: String! @key(name: "title") @auth(roles: ["admin"])
  read: Int
  author: Author!
}
type Setting @view(name: "v_setting") { tenant: String user: String }
type Query {
  notes: [Note!]!
  note(id: ID!): Note
  notesConnection: NoteConnection!
  adminNotes: [Note!]! @auth(roles: ["admin"])
  setting: Setting
}
"#;

/// Notes of three tenants: `t{k}` owns ids k*100+1 ..= k*100+n.
fn notes_sql(tenants: usize, per_tenant: usize) -> String {
    let mut rows = Vec::new();
    for t in 0..tenants {
        for i in 1..=per_tenant {
            let id = t * 100 + i;
            rows.push(format!(
                "({id}, 't{t}', 'note {id}', {}, '{{\"name\": \"author {}\", \"level\": {}}}')",
                1000 + id,
                i % 4,
                i % 5
            ));
        }
    }
    format!(
        "INSERT INTO tb_note (id, tenant_id, title, salary, author) VALUES {};",
        rows.join(",\n")
    )
}

fn hs256_key() -> KeyConfig {
    KeyConfig {
        kid: None,
        algorithm: "HS256".into(),
        secret: Some(SECRET.into()),
        secret_env: None,
        public_key_pem: None,
        public_key_file: None,
    }
}

/// An HS256 token for `sub`, with the given extra claims, valid for an hour.
fn token(sub: &str, extra: Value) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut claims = json!({ "sub": sub, "iat": now - 5, "exp": now + 3600 });
    if let (Value::Object(c), Value::Object(e)) = (&mut claims, extra) {
        c.extend(e);
    }
    jsonwebtoken::encode(
        &Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign")
}

/// Auth with the HS256 key, tenant claim `/tenant`, roles from `/roles`.
fn hs256_auth(c: &mut Config) {
    c.auth.keys = vec![hs256_key()];
    c.auth.claims = ClaimsConfig {
        tenant_id: Some("/tenant".into()),
        ..ClaimsConfig::default()
    };
}

/// A server listening on a loopback port; stops when dropped.
struct Running {
    url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn spawn(state: AppState) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(fraiseql_server::serve(state, listener, async move {
        let _ = rx.await;
    }));
    Running {
        url: format!("http://{addr}/graphql"),
        _stop: tx,
    }
}

struct Reply {
    status: u16,
    www_authenticate: Option<String>,
    body: Value,
}

async fn post(url: &str, token: Option<&str>, query: &str) -> Reply {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = bearer
        .as_deref()
        .map(|b| ("authorization", b))
        .into_iter()
        .collect();
    post_with(url, &headers, query).await
}

async fn post_with(url: &str, headers: &[(&str, &str)], query: &str) -> Reply {
    let client = reqwest::Client::new();
    let mut req = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(json!({ "query": query }).to_string());
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let www_authenticate = res
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = res.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    Reply {
        status,
        www_authenticate,
        body,
    }
}

async fn reads(db: &TestDb) -> i64 {
    let client = db.connect().await;
    client
        .query_one("SELECT count(*) FROM reads", &[])
        .await
        .expect("count reads")
        .get(0)
}

fn first_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_tokens_only_the_two_valid_ones_pass() {
    let Some(fx) = JwtFixtures::start(Path::new(env!("CARGO_TARGET_TMPDIR"))) else {
        return;
    };
    let (db, state) = support::state_with(
        "auth_fixtures",
        &format!("{SQL}\n{}", notes_sql(1, 3)),
        SDL,
        |c| {
            c.server.dev = false;
            c.auth.required = true;
            c.auth.jwks = Some(JwksConfig {
                url: Some(fx.jwks_url()),
                ..JwksConfig::default()
            });
            c.auth.issuers = vec![fx.issuer()];
            c.auth.audiences = vec![JwtFixtures::AUDIENCE.into()];
        },
    )
    .await;
    let server = spawn(state).await;
    // RLS is on and the server connects as a superuser here (which bypasses it).
    let expected: &[(&str, &str)] = &[
        ("expired", "TOKEN_EXPIRED"),
        ("not_yet_valid", "TOKEN_NOT_YET_VALID"),
        ("wrong_audience", "TOKEN_WRONG_AUDIENCE"),
        ("wrong_issuer", "TOKEN_WRONG_ISSUER"),
        ("no_exp", "TOKEN_MISSING_CLAIM"),
        ("unknown_kid", "TOKEN_UNKNOWN_KEY"),
        ("right_kid_wrong_key", "TOKEN_BAD_SIGNATURE"),
        ("tampered_payload", "TOKEN_BAD_SIGNATURE"),
        ("bad_signature", "TOKEN_BAD_SIGNATURE"),
        ("alg_none", ""),
        ("alg_none_uppercase", ""),
        ("alg_hs256_confusion", ""),
        ("malformed", "TOKEN_MALFORMED"),
        ("empty_bearer", "TOKEN_MALFORMED"),
    ];
    assert_eq!(fx.tokens.len(), expected.len() + 2, "fixture token count");
    for (name, code) in expected {
        let reply = post(&server.url, Some(fx.token(name)), "{ notes { id } }").await;
        assert_eq!(reply.status, 401, "{name}: {}", reply.body);
        assert!(reply.body.get("data").is_none(), "{name}: {}", reply.body);
        let got = first_code(&reply.body);
        if code.is_empty() {
            assert!(got.starts_with("TOKEN_"), "{name}: code {got}");
        } else {
            assert_eq!(got, *code, "{name}: {}", reply.body);
        }
        let challenge = reply.www_authenticate.unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer realm=\"graphql\"")
                && challenge.contains("error=\"invalid_token\""),
            "{name}: WWW-Authenticate {challenge:?}"
        );
    }
    assert_eq!(reads(&db).await, 0, "a refused request read rows");
    // No token at all: 401 without an error code in the challenge.
    let reply = post(&server.url, None, "{ notes { id } }").await;
    assert_eq!(reply.status, 401);
    assert_eq!(first_code(&reply.body), "UNAUTHENTICATED");
    assert_eq!(
        reply.www_authenticate.as_deref(),
        Some("Bearer realm=\"graphql\"")
    );
    assert_eq!(reads(&db).await, 0, "a refused request read rows");
    for name in ["valid", "valid_es256"] {
        let reply = post(&server.url, Some(fx.token(name)), "{ notes { id } }").await;
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        assert_eq!(
            reply.body,
            json!({"data": {"notes": [{"id": "1"}, {"id": "2"}, {"id": "3"}]}}),
            "{name}"
        );
    }
    assert_eq!(reads(&db).await, 6, "each valid request read three rows");
}

/// A non-superuser login role for `db`, so that row-level security applies; the URL
/// connects as it. Dropped by [`drop_role`].
async fn app_role(db: &TestDb) -> (String, String) {
    let role = format!("{}_app", db.name);
    db.exec_sql(&format!(
        "CREATE ROLE {role} LOGIN; \
         GRANT USAGE ON SCHEMA public TO {role}; \
         GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {role}; \
         GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role};"
    ))
    .await;
    let mut pg: tokio_postgres::Config = db.url.parse().expect("test url");
    pg.user(&role);
    pg.password("");
    let host = match pg.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "127.0.0.1".into(),
    };
    let port = pg.get_ports().first().copied().unwrap_or(5432);
    (
        role.clone(),
        format!("host={host} port={port} user={role} dbname={}", db.name),
    )
}

async fn drop_role(db: &TestDb, role: &str) {
    db.exec_sql(&format!("DROP OWNED BY {role}")).await;
    let admin = fraiseql_testkit::admin_url().await;
    let (client, conn) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
        .await
        .expect("admin");
    tokio::spawn(conn);
    // The role still has sessions in the pool until the state is dropped: retry briefly.
    for _ in 0..50 {
        if client
            .batch_execute(&format!("DROP ROLE IF EXISTS {role}"))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_level_security_sees_only_the_tenants_rows_and_settings_never_leak() {
    let db = TestDb::create("auth_rls").await;
    db.exec_sql(&format!(
        "SET client_min_messages = warning;\n{SQL}\n{}",
        notes_sql(2, 3)
    ))
    .await;
    let (role, url) = app_role(&db).await;
    let mut config = Config::default();
    config.database.url = Some(url);
    // One connection: every request reuses the previous request's connection.
    config.database.pool_size = 1;
    hs256_auth(&mut config);
    config.auth.session_variables = BTreeMap::from([
        ("app.tenant_id".to_owned(), "tenant_id".to_owned()),
        ("app.user_id".to_owned(), "user_id".to_owned()),
    ]);
    let settings = config.validate().expect("config");
    let state =
        fraiseql_server::start_with_sources(settings, &[("schema.graphql".into(), SDL.into())])
            .await
            .expect("server starts as a non-superuser");
    let server = spawn(state).await;
    let a = token("alice", json!({"tenant": "t0"}));
    let b = token("bob", json!({"tenant": "t1"}));

    for (tok, tenant, ids) in [
        (&a, "t0", ["1", "2", "3"]),
        (&b, "t1", ["101", "102", "103"]),
    ] {
        let reply = post(
            &server.url,
            Some(tok),
            "{ notes { id tenantId } setting { tenant } }",
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let notes = reply.body["data"]["notes"].as_array().expect("notes");
        let got: Vec<&str> = notes.iter().map(|n| n["id"].as_str().unwrap()).collect();
        assert_eq!(got, ids, "tenant {tenant}: {}", reply.body);
        assert!(notes.iter().all(|n| n["tenantId"] == tenant));
        assert_eq!(reply.body["data"]["setting"]["tenant"], tenant);
        // The same row of the other tenant is invisible.
        let other = if tenant == "t0" { "101" } else { "1" };
        let reply = post(
            &server.url,
            Some(tok),
            &format!("{{ note(id: \"{other}\") {{ id }} }}"),
        )
        .await;
        assert_eq!(reply.body, json!({"data": {"note": null}}));
    }
    // Anonymous, on the same single pooled connection: no setting survives. (Once a
    // custom setting has existed in a session, PostgreSQL reports it as '' afterwards.)
    let unset = |v: &Value| v.is_null() || v == "";
    let reply = post(
        &server.url,
        None,
        "{ notes { id } setting { tenant user } }",
    )
    .await;
    assert_eq!(reply.body["data"]["notes"], json!([]), "{}", reply.body);
    let setting = &reply.body["data"]["setting"];
    assert!(
        unset(&setting["tenant"]) && unset(&setting["user"]),
        "a setting leaked to the next request: {}",
        reply.body
    );
    // A request whose statement fails still ends its transaction.
    let reply = post(&server.url, Some(&a), "{ note(id: \"x\") { id } }").await;
    assert!(reply.body["errors"].is_array(), "{}", reply.body);
    let reply = post(&server.url, None, "{ setting { tenant } }").await;
    assert!(
        unset(&reply.body["data"]["setting"]["tenant"]),
        "a setting leaked after a failed statement: {}",
        reply.body
    );
    drop(server);
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop_role(&db, &role).await;
}

/// A small deterministic generator (no dependency): xorshift.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random read: a list (filters, order, limit), a single row by a random id, a
/// connection with `totalCount`, with nested filters.
fn random_query(rng: &mut Rng) -> String {
    let filter = match rng.below(5) {
        0 => String::new(),
        1 => format!("where: {{ salary: {{ gt: {} }} }}", 1000 + rng.below(400)),
        2 => format!(
            "where: {{ author: {{ level: {{ lte: {} }} }} }}",
            rng.below(5)
        ),
        3 => format!(
            "where: {{ _or: [{{ title: {{ eq: \"note {}\" }} }}, {{ author: {{ name: {{ like: \"%{}\" }} }} }}] }}",
            rng.below(400),
            rng.below(4)
        ),
        _ => format!(
            "where: {{ id: {{ in: [\"{}\", \"{}\"] }} }}",
            rng.below(400),
            rng.below(400)
        ),
    };
    match rng.below(3) {
        0 => format!(
            "{{ notes({filter} orderBy: [{{ salary: DESC }}], limit: {}) {{ id tenantId author {{ level }} }} }}",
            1 + rng.below(30)
        ),
        1 => format!("{{ note(id: \"{}\") {{ id tenantId }} }}", rng.below(400)),
        _ => format!(
            "{{ notesConnection({filter} first: {}) {{ totalCount edges {{ node {{ id tenantId }} }} }} }}",
            1 + rng.below(10)
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_injection_never_returns_another_tenants_row() {
    let tenants = 3;
    let per_tenant = 40;
    let (db, state) = support::state_with(
        "auth_tenant",
        &format!("{SQL}\n{}", notes_sql(tenants, per_tenant)),
        SDL,
        |c| {
            c.server.dev = false;
            hs256_auth(c);
            c.auth.tenant = Some(TenantConfig {
                column: "tenant_id".into(),
                context: "tenant_id".into(),
            });
        },
    )
    .await;
    // The plan (SQL text) is the same for every tenant: the tenant is a parameter.
    let prepared = state
        .executor
        .engine
        .prepare("{ notes { id } }", None, false)
        .expect("prepare");
    let plan = state
        .executor
        .engine
        .plan(&prepared, &Default::default())
        .expect("plan");
    let q = plan.queries().next().expect("a statement");
    assert!(
        q.sql.contains("r.\"tenant_id\" = CAST($")
            && q.params
                .contains(&fraiseql_core::sql::Param::Context("tenant_id".into())),
        "tenant filter not in the statement: {} {:?}",
        q.sql,
        q.params
    );
    let server = spawn(state).await;
    let tokens: Vec<String> = (0..tenants)
        .map(|t| token(&format!("user{t}"), json!({"tenant": format!("t{t}")})))
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rows_seen = 0;
    for i in 0..150 {
        let t = (rng.below(tenants as u64)) as usize;
        let tenant = format!("t{t}");
        let query = random_query(&mut rng);
        let reply = post(&server.url, Some(&tokens[t]), &query).await;
        assert_eq!(reply.status, 200, "#{i} {query}: {}", reply.body);
        assert!(
            reply.body.get("errors").is_none(),
            "#{i} {query}: {}",
            reply.body
        );
        let data = &reply.body["data"];
        let nodes: Vec<&Value> = if let Some(list) = data["notes"].as_array() {
            list.iter().collect()
        } else if let Some(conn) = data.get("notesConnection") {
            let edges: Vec<&Value> = conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| &e["node"])
                .collect();
            let total = conn["totalCount"].as_u64().unwrap();
            assert!(
                total <= per_tenant as u64,
                "#{i} {query}: totalCount {total} counts other tenants"
            );
            edges
        } else {
            data["note"]
                .as_object()
                .map(|_| &data["note"])
                .into_iter()
                .collect()
        };
        for n in nodes {
            rows_seen += 1;
            assert_eq!(
                n["tenantId"],
                tenant.as_str(),
                "#{i} {query}: {}",
                reply.body
            );
        }
    }
    assert!(
        rows_seen > 300,
        "the random queries returned too few rows ({rows_seen}) to mean much"
    );
    // Totals per tenant are exactly the tenant's rows.
    for (t, tok) in tokens.iter().enumerate() {
        let reply = post(
            &server.url,
            Some(tok),
            "{ notesConnection(first: 1) { totalCount } }",
        )
        .await;
        assert_eq!(
            reply.body["data"]["notesConnection"]["totalCount"], per_tenant,
            "tenant t{t}"
        );
    }
    // Without the tenant claim: refused, never unfiltered.
    let no_tenant = token("nobody", json!({}));
    let before = reads(&db).await;
    for query in [
        "{ notes { id } }",
        "{ note(id: \"1\") { id } }",
        "{ notesConnection { totalCount } }",
    ] {
        let reply = post(&server.url, Some(&no_tenant), query).await;
        assert_eq!(
            first_code(&reply.body),
            "FORBIDDEN",
            "{query}: {}",
            reply.body
        );
        assert!(
            reply.body["data"].is_null()
                || reply.body["data"]
                    .as_object()
                    .is_some_and(|d| d.values().all(Value::is_null)),
            "{query}: {}",
            reply.body
        );
    }
    let reply = post(&server.url, None, "{ notes { id } }").await;
    assert_eq!(
        first_code(&reply.body),
        "FORBIDDEN",
        "anonymous: {}",
        reply.body
    );
    assert_eq!(
        reads(&db).await,
        before,
        "a request without a tenant read rows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_inheritance_field_denial_and_root_denial() {
    let (db, state) = support::state_with(
        "auth_rbac",
        &format!("{SQL}\n{}", notes_sql(1, 2)),
        SDL,
        |c| {
            c.server.dev = false;
            hs256_auth(c);
            c.auth.roles.define = BTreeMap::from([
                (
                    "staff".to_owned(),
                    RoleDefinition {
                        inherits: vec![],
                        permissions: vec!["notes:read".into()],
                    },
                ),
                (
                    "manager".to_owned(),
                    RoleDefinition {
                        inherits: vec!["staff".into()],
                        permissions: vec!["salary:read".into()],
                    },
                ),
                (
                    "admin".to_owned(),
                    RoleDefinition {
                        inherits: vec!["manager".into()],
                        permissions: vec![],
                    },
                ),
            ]);
        },
    )
    .await;
    let server = spawn(state).await;
    let staff = token("s", json!({"roles": ["staff"]}));
    let admin = token("a", json!({"roles": ["admin"]}));

    // Root denial: FORBIDDEN at the field, no SQL ran (no row read).
    let before = reads(&db).await;
    let reply = post(&server.url, Some(&staff), "{ adminNotes { id } }").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["data"], Value::Null, "{}", reply.body);
    assert_eq!(reply.body["errors"][0]["path"], json!(["adminNotes"]));
    assert_eq!(first_code(&reply.body), "FORBIDDEN");
    assert_eq!(reads(&db).await, before, "a denied root field ran SQL");

    // Field denial: nullable field → null with an error at its path, per row.
    let reply = post(&server.url, Some(&staff), "{ notes { id salary } }").await;
    assert_eq!(
        reply.body["data"],
        json!({"notes": [{"id": "1", "salary": null}, {"id": "2", "salary": null}]}),
        "{}",
        reply.body
    );
    let paths: Vec<&Value> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["path"])
        .collect();
    assert_eq!(
        paths,
        [
            &json!(["notes", 0, "salary"]),
            &json!(["notes", 1, "salary"])
        ]
    );
    assert!(
        reply.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["extensions"]["code"] == "FORBIDDEN")
    );
    assert!(
        !reply.body.to_string().contains("1001"),
        "a denied value leaked: {}",
        reply.body
    );

    // Non-null field denied: the null propagates to the nearest nullable parent.
    let reply = post(
        &server.url,
        Some(&staff),
        "{ note(id: \"1\") { id secretTitle } }",
    )
    .await;
    assert_eq!(reply.body["data"], json!({"note": null}), "{}", reply.body);
    assert_eq!(
        reply.body["errors"][0]["path"],
        json!(["note", "secretTitle"])
    );

    // Inheritance: admin → manager (salary:read) → staff.
    let reply = post(
        &server.url,
        Some(&admin),
        "{ notes { id salary secretTitle } adminNotes { id } }",
    )
    .await;
    assert_eq!(
        reply.body,
        json!({"data": {"notes": [{"id": "1", "salary": 1001, "secretTitle": "note 1"}, {"id": "2", "salary": 1002, "secretTitle": "note 2"}], "adminNotes": [{"id": "1"}, {"id": "2"}]}})
    );
    // The same document for two roles: plans are per request when rules apply.
    let reply = post(
        &server.url,
        Some(&staff),
        "{ notes { id salary secretTitle } adminNotes { id } }",
    )
    .await;
    assert_eq!(reply.body["data"], Value::Null, "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rbac_roles_from_the_database_follow_changes() {
    let (db, state) = support::state_with(
        "auth_rbac_db",
        &format!(
            "{SQL}\n{}\n{}",
            notes_sql(1, 1),
            fraiseql_server::setup_sql()
        ),
        SDL,
        |c| {
            hs256_auth(c);
            c.auth.roles.from_database = true;
        },
    )
    .await;
    db.exec_sql(
        "INSERT INTO fraiseql.roles VALUES ('viewer'), ('payroll'); \
         INSERT INTO fraiseql.role_inherits VALUES ('payroll', 'viewer'); \
         INSERT INTO fraiseql.role_permissions VALUES ('viewer', 'notes:read');",
    )
    .await;
    let server = spawn(state).await;
    let payroll = token("p", json!({"roles": ["payroll"]}));
    let reply = post(&server.url, Some(&payroll), "{ notes { salary } }").await;
    assert_eq!(first_code(&reply.body), "FORBIDDEN", "{}", reply.body);
    // Granting the permission to the parent role reaches the child through NOTIFY.
    db.exec_sql("INSERT INTO fraiseql.role_permissions VALUES ('viewer', 'salary:read');")
        .await;
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let reply = post(&server.url, Some(&payroll), "{ notes { salary } }").await;
        if reply.body == json!({"data": {"notes": [{"salary": 1001}]}}) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "role change not seen: {}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_is_shared_by_two_instances() {
    let sql = format!(
        "{SQL}\n{}\n{}",
        notes_sql(1, 1),
        fraiseql_server::setup_sql()
    );
    let tweak = |c: &mut Config| {
        hs256_auth(c);
        c.auth.revocation.store = RevocationStore::Postgres;
        c.auth.revocation.staleness_ms = 200;
    };
    let (db, first) = support::state_with("auth_revoke", &sql, SDL, tweak).await;
    let mut config = Config::default();
    config.database.url = Some(db.url.clone());
    tweak(&mut config);
    let second = fraiseql_server::start_with_sources(
        config.validate().expect("config"),
        &[("schema.graphql".into(), SDL.into())],
    )
    .await
    .expect("second instance");
    let (a, b) = (spawn(first.clone()).await, spawn(second).await);
    let jti_token = token("carol", json!({"jti": "token-1"}));
    let user_token = token("dave", json!({"jti": "token-2"}));
    for url in [&a.url, &b.url] {
        for t in [&jti_token, &user_token] {
            assert_eq!(post(url, Some(t), "{ notes { id } }").await.status, 200);
        }
    }
    // Revoked through instance A's store, seen by instance B within the staleness bound.
    let store = first.auth.revocations();
    store
        .revoke_token("token-1", None)
        .await
        .expect("revoke token");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    store.revoke_user("dave", now).await.expect("revoke user");
    let deadline = Instant::now() + Duration::from_millis(1500);
    loop {
        let r1 = post(&b.url, Some(&jti_token), "{ notes { id } }").await;
        let r2 = post(&b.url, Some(&user_token), "{ notes { id } }").await;
        if r1.status == 401 && r2.status == 401 {
            assert_eq!(first_code(&r1.body), "TOKEN_REVOKED");
            assert_eq!(first_code(&r2.body), "TOKEN_REVOKED");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "instance B still accepts revoked tokens"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Another token of the same user, issued after the cut-off, passes.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let later = {
        let now = now + 1;
        jsonwebtoken::encode(
            &Header::new(jsonwebtoken::Algorithm::HS256),
            &json!({"sub": "dave", "iat": now, "exp": now + 3600}),
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    };
    assert_eq!(
        post(&b.url, Some(&later), "{ notes { id } }").await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_token_is_not_trusted_past_its_expiry() {
    let (_db, state) = support::state_with(
        "auth_expiry",
        &format!("{SQL}\n{}", notes_sql(1, 1)),
        SDL,
        |c| {
            hs256_auth(c);
            c.auth.leeway_s = 0;
        },
    )
    .await;
    let server = spawn(state).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let short = jsonwebtoken::encode(
        &Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": "erin", "iat": now, "exp": now + 2}),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    // Verified once, then served from the verified-token cache.
    for _ in 0..2 {
        assert_eq!(
            post(&server.url, Some(&short), "{ notes { id } }")
                .await
                .status,
            200
        );
    }
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let reply = post(&server.url, Some(&short), "{ notes { id } }").await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(first_code(&reply.body), "TOKEN_EXPIRED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_may_come_from_a_cookie() {
    let (_db, state) = support::state_with(
        "auth_cookie",
        &format!("{SQL}\n{}", notes_sql(2, 1)),
        SDL,
        |c| {
            hs256_auth(c);
            c.auth.cookie = Some("access_token".into());
            c.auth.required = true;
            c.auth.tenant = Some(TenantConfig {
                column: "tenant_id".into(),
                context: "tenant_id".into(),
            });
        },
    )
    .await;
    let server = spawn(state).await;
    let tok = token("frank", json!({"tenant": "t1"}));
    let cookie = format!("theme=dark; access_token={tok}; other=1");
    let reply = post_with(&server.url, &[("cookie", &cookie)], "{ notes { id } }").await;
    assert_eq!(reply.body, json!({"data": {"notes": [{"id": "101"}]}}));
    // A bad token in the cookie is refused like a bad bearer token.
    let bad = format!("access_token={tok}x");
    let reply = post_with(&server.url, &[("cookie", &bad)], "{ notes { id } }").await;
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(first_code(&reply.body), "TOKEN_BAD_SIGNATURE");
    // Another cookie name does not count: no token at all.
    let other = format!("session={tok}");
    let reply = post_with(&server.url, &[("cookie", &other)], "{ notes { id } }").await;
    assert_eq!(reply.status, 401);
    assert_eq!(first_code(&reply.body), "UNAUTHENTICATED");
}
