//! Revocation and role stores against a real PostgreSQL (one database per test).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use fraiseql_auth::config::{RoleDefinition, RolesConfig};
use fraiseql_auth::revocation::{AUTH_SETUP_SQL, Revocations, now_s};
use fraiseql_auth::roles::Roles;
use fraiseql_auth::{AuthError, Identity};
use fraiseql_testkit::TestDb;
use tokio_postgres::NoTls;

const STALENESS: Duration = Duration::from_millis(300);
/// Time allowed on top of the staleness bound for one reload on a busy machine.
const MARGIN: Duration = Duration::from_millis(700);

fn pool(db: &TestDb) -> (Pool, tokio_postgres::Config) {
    let config: tokio_postgres::Config = db.url.parse().expect("test database URL");
    let manager = Manager::from_config(
        config.clone(),
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(4)
        .runtime(Runtime::Tokio1)
        .build()
        .expect("pool");
    (pool, config)
}

async fn setup(prefix: &str) -> TestDb {
    let db = TestDb::create(prefix).await;
    db.exec_sql(&format!(
        "SET client_min_messages = warning;\n{AUTH_SETUP_SQL}"
    ))
    .await;
    db
}

fn token(jti: &str, user: &str, iat: Option<i64>) -> Identity {
    Identity {
        token_id: Some(jti.into()),
        user_id: Some(user.into()),
        issued_at: iat,
        ..Identity::default()
    }
}

/// Polls `check` until it refuses `identity`, returning how long that took, or `None` if
/// it still passes at the deadline.
async fn refused_within(
    store: &Revocations,
    identity: &Identity,
    deadline: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    loop {
        if store.check(identity).await == Err(AuthError::Revoked) {
            return Some(start.elapsed());
        }
        if start.elapsed() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn role(inherits: &[&str], permissions: &[&str]) -> RoleDefinition {
    RoleDefinition {
        inherits: strings(inherits),
        permissions: strings(permissions),
    }
}

// ---------------------------------------------------------------------------------------
// Revocation

#[tokio::test]
async fn memory_revokes_by_token_id_and_user_cut_off() {
    let store = Revocations::memory();
    let later = now_s() + 3600;
    assert_eq!(store.check(&token("t1", "alice", Some(100))).await, Ok(()));

    store.revoke_token("t1", Some(later)).await.unwrap();
    assert_eq!(
        store.check(&token("t1", "alice", Some(100))).await,
        Err(AuthError::Revoked)
    );
    assert_eq!(store.check(&token("t2", "alice", Some(100))).await, Ok(()));
    // A token without a jti is unaffected by token revocations.
    let no_jti = Identity {
        user_id: Some("alice".into()),
        issued_at: Some(100),
        ..Identity::default()
    };
    assert_eq!(store.check(&no_jti).await, Ok(()));

    // Cut-off 1000: issued at or before it is refused, after it passes, no iat is refused.
    store.revoke_user("bob", 1000).await.unwrap();
    for iat in [Some(999), Some(1000), None] {
        assert_eq!(
            store.check(&token("b", "bob", iat)).await,
            Err(AuthError::Revoked),
            "iat {iat:?}"
        );
    }
    assert_eq!(store.check(&token("b", "bob", Some(1001))).await, Ok(()));
    assert_eq!(store.check(&token("b", "carol", Some(10))).await, Ok(()));

    // An earlier cut-off does not shorten the existing one.
    store.revoke_user("bob", 500).await.unwrap();
    assert_eq!(
        store.check(&token("b", "bob", Some(1000))).await,
        Err(AuthError::Revoked)
    );
    // A later one extends it.
    store.revoke_user("bob", 2000).await.unwrap();
    assert_eq!(
        store.check(&token("b", "bob", Some(1500))).await,
        Err(AuthError::Revoked)
    );

    // A revocation whose expiry has passed is forgotten (the token is expired anyway).
    store
        .revoke_token("gone", Some(now_s() - 60))
        .await
        .unwrap();
    assert_eq!(store.check(&token("gone", "dave", Some(1))).await, Ok(()));
    // Empty ids are refused.
    assert!(store.revoke_token("", None).await.is_err());
    assert!(store.revoke_user("", 1).await.is_err());
}

#[tokio::test]
async fn setup_sql_runs_twice_and_inside_a_transaction() {
    let db = TestDb::create("auth_setup").await;
    db.exec_sql(AUTH_SETUP_SQL).await;
    db.exec_sql(AUTH_SETUP_SQL).await;
    db.exec_sql(&format!("BEGIN;\n{AUTH_SETUP_SQL}\nCOMMIT;"))
        .await;
    let client = db.connect().await;
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'fraiseql' AND tablename IN \
             ('revoked_tokens', 'revoked_users', 'roles', 'role_inherits', 'role_permissions')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 5);
    // One trigger per table, not one per run.
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'fraiseql' AND NOT t.tgisinternal",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 5);
}

#[tokio::test]
async fn postgres_revocation_on_one_instance_is_seen_by_another_within_staleness() {
    let db = setup("auth_revoke_two").await;
    let (pool_a, _) = pool(&db);
    let (pool_b, _) = pool(&db);
    let a = Revocations::postgres(pool_a, STALENESS).await.unwrap();
    let b = Revocations::postgres(pool_b, STALENESS).await.unwrap();
    let now = now_s();

    let stolen = token("jti-stolen", "erin", Some(now - 5));
    assert_eq!(b.check(&stolen).await, Ok(()));
    a.revoke_token("jti-stolen", Some(now + 3600))
        .await
        .unwrap();
    // Instance A applies its own revocation at once.
    assert_eq!(a.check(&stolen).await, Err(AuthError::Revoked));
    let seen = refused_within(&b, &stolen, STALENESS + MARGIN).await;
    assert!(
        seen.is_some(),
        "instance B still accepts the revoked token after {:?}",
        STALENESS + MARGIN
    );

    // User cut-off: tokens issued at or before it are refused on B, later ones pass.
    let cut_off = now;
    let old = token("jti-old", "frank", Some(cut_off - 10));
    let at_cut_off = token("jti-at", "frank", Some(cut_off));
    let newer = token("jti-new", "frank", Some(cut_off + 1));
    a.revoke_user("frank", cut_off).await.unwrap();
    assert!(
        refused_within(&b, &old, STALENESS + MARGIN).await.is_some(),
        "instance B still accepts a token issued before the cut-off"
    );
    assert_eq!(b.check(&at_cut_off).await, Err(AuthError::Revoked));
    assert_eq!(b.check(&newer).await, Ok(()));
    assert_eq!(a.check(&newer).await, Ok(()));

    // Both instances stored the same rows.
    let client = db.connect().await;
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM fraiseql.revoked_tokens), \
                    (SELECT floor(extract(epoch FROM revoked_before))::int8 \
                       FROM fraiseql.revoked_users WHERE user_id = 'frank')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1);
    assert_eq!(row.get::<_, i64>(1), cut_off);
}

#[tokio::test]
async fn postgres_notify_reloads_before_the_staleness_period() {
    let db = setup("auth_revoke_notify").await;
    let (pool, config) = pool(&db);
    // A long period: only the notification can make the change visible quickly.
    let store = Revocations::postgres_listening(pool, config, Duration::from_secs(60))
        .await
        .unwrap();
    let identity = token("jti-sql", "gina", Some(now_s()));
    assert_eq!(store.check(&identity).await, Ok(()));
    // Give the listener time to connect (a reconnection reloads too, so this only avoids
    // counting the connection time against the bound below).
    tokio::time::sleep(Duration::from_millis(200)).await;
    db.exec_sql("INSERT INTO fraiseql.revoked_tokens (jti) VALUES ('jti-sql')")
        .await;
    assert!(
        refused_within(&store, &identity, Duration::from_secs(1))
            .await
            .is_some(),
        "a revocation inserted in SQL was not seen within 1 s despite NOTIFY"
    );
}

#[tokio::test]
async fn postgres_prunes_expired_revocations_and_keeps_the_snapshot_on_errors() {
    let db = setup("auth_revoke_prune").await;
    db.exec_sql(
        "INSERT INTO fraiseql.revoked_tokens (jti, expires_at) VALUES \
         ('expired', now() - interval '1 hour'), ('live', now() + interval '1 hour'), \
         ('forever', NULL);",
    )
    .await;
    let (pool, _) = pool(&db);
    let store = Revocations::postgres(pool, STALENESS).await.unwrap();
    assert_eq!(store.check(&token("expired", "h", Some(1))).await, Ok(()));
    assert_eq!(
        store.check(&token("live", "h", Some(1))).await,
        Err(AuthError::Revoked)
    );
    assert_eq!(
        store.check(&token("forever", "h", Some(1))).await,
        Err(AuthError::Revoked)
    );
    let client = db.connect().await;
    let remaining: Vec<String> = client
        .query("SELECT jti FROM fraiseql.revoked_tokens ORDER BY jti", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(remaining, ["forever", "live"]);

    // The table disappears: reloads fail, the last snapshot stays in use.
    client
        .batch_execute("ALTER TABLE fraiseql.revoked_tokens RENAME TO revoked_tokens_away")
        .await
        .unwrap();
    tokio::time::sleep(STALENESS * 3).await;
    assert_eq!(
        store.check(&token("live", "h", Some(1))).await,
        Err(AuthError::Revoked)
    );
    // Writing fails with a message that names `fraiseql setup`.
    let err = store.revoke_token("x", None).await.unwrap_err();
    assert!(err.contains("fraiseql setup"), "{err}");
}

#[tokio::test]
async fn postgres_store_without_tables_says_to_run_setup() {
    let db = TestDb::create("auth_revoke_missing").await;
    let (pool, _) = pool(&db);
    let err = Revocations::postgres(pool, STALENESS).await.unwrap_err();
    assert!(err.contains("fraiseql setup"), "{err}");
    let (pool, config) = self::pool(&db);
    let cfg = RolesConfig {
        from_database: true,
        define: BTreeMap::new(),
    };
    let err = Roles::new(&cfg, Some((pool, config))).await.unwrap_err();
    assert!(err.contains("fraiseql setup"), "{err}");
}

#[tokio::test]
async fn dropping_the_stores_stops_their_background_tasks() {
    let db = setup("auth_drop").await;
    let observer = db.connect().await;
    let backends = || async {
        observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
    };
    let (pool, config) = pool(&db);
    let revocations = Revocations::postgres_listening(pool, config.clone(), STALENESS)
        .await
        .unwrap();
    let (pool, _) = self::pool(&db);
    let cfg = RolesConfig {
        from_database: true,
        define: BTreeMap::new(),
    };
    let roles = Roles::new(&cfg, Some((pool, config))).await.unwrap();
    wait_until(
        "the roles listener connects",
        Duration::from_secs(5),
        || roles.listening(),
    )
    .await;
    // Pooled connections of both stores plus two listeners.
    assert!(backends().await >= 3, "{} backends", backends().await);
    drop(revocations);
    drop(roles);
    let start = Instant::now();
    while backends().await > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{} connections still open after dropping the stores",
            backends().await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------------------------
// Roles

#[tokio::test]
async fn config_roles_inherit_across_levels_and_cycles() {
    let cfg = RolesConfig {
        from_database: false,
        define: BTreeMap::from([
            ("viewer".into(), role(&[], &["posts:read"])),
            ("editor".into(), role(&["viewer"], &["posts:write"])),
            ("admin".into(), role(&["editor"], &["users:manage"])),
            ("ping".into(), role(&["pong"], &["ping"])),
            ("pong".into(), role(&["ping"], &["pong"])),
            ("root".into(), role(&[], &["*"])),
        ]),
    };
    let roles = Roles::new(&cfg, None).await.unwrap();
    assert!(!roles.listening());

    let admin = roles.resolve(&strings(&["admin"])).await.unwrap();
    assert_eq!(admin.roles, ["admin", "editor", "viewer"]);
    assert_eq!(
        admin.permissions,
        ["posts:read", "posts:write", "users:manage"]
    );
    assert!(admin.has_role("viewer"));
    assert!(!admin.has_role("root"));
    assert!(admin.has_permission("posts:read"));
    assert!(!admin.has_permission("billing"));

    // A cycle terminates; every role of it gets the permissions of all.
    let ping = roles.resolve(&strings(&["ping"])).await.unwrap();
    assert_eq!(ping.roles, ["ping", "pong"]);
    assert_eq!(ping.permissions, ["ping", "pong"]);

    // Several roles: the union; an undefined role stays, without permissions; `*` grants all.
    let mixed = roles
        .resolve(&strings(&["viewer", "ghost", "ping", "viewer"]))
        .await
        .unwrap();
    assert_eq!(mixed.roles, ["ghost", "ping", "pong", "viewer"]);
    assert_eq!(mixed.permissions, ["ping", "pong", "posts:read"]);
    let root = roles.resolve(&strings(&["root"])).await.unwrap();
    assert!(root.has_permission("anything:at:all"));

    assert!(roles.resolve(&[]).await.unwrap().roles.is_empty());
}

#[tokio::test]
async fn database_roles_inherit_cycle_and_merge_with_config() {
    let db = setup("auth_roles_db").await;
    db.exec_sql(
        "INSERT INTO fraiseql.roles (name) VALUES
             ('reader'), ('writer'), ('owner'), ('a'), ('b'), ('c'), ('lead'), ('ops');
         INSERT INTO fraiseql.role_inherits (role, parent) VALUES
             ('writer', 'reader'), ('owner', 'writer'),
             ('a', 'b'), ('b', 'c'), ('c', 'a'),
             ('lead', 'ops');
         INSERT INTO fraiseql.role_permissions (role, permission) VALUES
             ('reader', 'doc:read'), ('writer', 'doc:write'), ('owner', 'doc:delete'),
             ('a', 'pa'), ('b', 'pb'), ('c', 'pc'), ('lead', 'team:manage');",
    )
    .await;
    let cfg = RolesConfig {
        from_database: true,
        define: BTreeMap::from([
            // Config role inheriting a database role.
            ("auditor".into(), role(&["reader"], &["audit:read"])),
            // Config permissions for a role that the database also knows (reached from `lead`).
            ("ops".into(), role(&[], &["deploy"])),
            // Config adds a permission to a database role.
            ("writer".into(), role(&[], &["doc:comment"])),
        ]),
    };
    let (pool, config) = pool(&db);
    let roles = Roles::new(&cfg, Some((pool, config))).await.unwrap();

    let owner = roles.resolve(&strings(&["owner"])).await.unwrap();
    assert_eq!(owner.roles, ["owner", "reader", "writer"]);
    assert_eq!(
        owner.permissions,
        ["doc:comment", "doc:delete", "doc:read", "doc:write"]
    );

    let cycle = roles.resolve(&strings(&["b"])).await.unwrap();
    assert_eq!(cycle.roles, ["a", "b", "c"]);
    assert_eq!(cycle.permissions, ["pa", "pb", "pc"]);

    let auditor = roles.resolve(&strings(&["auditor"])).await.unwrap();
    assert_eq!(auditor.roles, ["auditor", "reader"]);
    assert_eq!(auditor.permissions, ["audit:read", "doc:read"]);

    let lead = roles.resolve(&strings(&["lead", "nobody"])).await.unwrap();
    assert_eq!(lead.roles, ["lead", "nobody", "ops"]);
    assert_eq!(lead.permissions, ["deploy", "team:manage"]);
    assert!(lead.has_permission("deploy") && !lead.has_permission("doc:read"));
}

#[tokio::test]
async fn database_role_changes_invalidate_the_cache_through_notify() {
    let db = setup("auth_roles_notify").await;
    db.exec_sql(
        "INSERT INTO fraiseql.roles (name) VALUES ('base'), ('mid'), ('top');
         INSERT INTO fraiseql.role_inherits (role, parent) VALUES ('mid', 'base'), ('top', 'mid');
         INSERT INTO fraiseql.role_permissions (role, permission) VALUES ('base', 'read');",
    )
    .await;
    let cfg = RolesConfig {
        from_database: true,
        define: BTreeMap::new(),
    };
    let (pool, config) = pool(&db);
    let roles = Roles::new(&cfg, Some((pool, config))).await.unwrap();
    wait_until("the listener connects", Duration::from_secs(5), || {
        roles.listening()
    })
    .await;
    let top = strings(&["top"]);
    assert_eq!(roles.resolve(&top).await.unwrap().permissions, ["read"]);

    // The answer is cached: a change that is not notified (trigger disabled) is not seen.
    db.exec_sql(
        "ALTER TABLE fraiseql.role_permissions DISABLE TRIGGER fraiseql_notify;
         INSERT INTO fraiseql.role_permissions VALUES ('base', 'silent');
         ALTER TABLE fraiseql.role_permissions ENABLE TRIGGER fraiseql_notify;",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(roles.resolve(&top).await.unwrap().permissions, ["read"]);

    // Another connection grants a permission to the grandparent: seen within a second.
    db.exec_sql("INSERT INTO fraiseql.role_permissions VALUES ('base', 'write')")
        .await;
    assert_eventually_permissions(&roles, &top, &["read", "silent", "write"]).await;

    // The listener's connection is killed: it reconnects and notifications work again.
    let client = db.connect().await;
    let listener_pid = |client: tokio_postgres::Client| async move {
        let rows = client
            .query(
                "SELECT pid FROM pg_stat_activity \
                 WHERE datname = current_database() AND query = 'LISTEN fraiseql_roles'",
                &[],
            )
            .await
            .unwrap();
        (client, rows.first().map(|r| r.get::<_, i32>(0)))
    };
    let (client, old_pid) = listener_pid(client).await;
    let old_pid = old_pid.expect("the listener's backend");
    client
        .execute("SELECT pg_terminate_backend($1)", &[&old_pid])
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut client = client;
    loop {
        let (c, pid) = listener_pid(client).await;
        client = c;
        if pid.is_some_and(|p| p != old_pid) && roles.listening() {
            break;
        }
        assert!(Instant::now() < deadline, "the listener did not reconnect");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Cache an answer on the new connection, then change the tables.
    assert_eq!(
        roles.resolve(&top).await.unwrap().permissions,
        ["read", "silent", "write"]
    );
    db.exec_sql("DELETE FROM fraiseql.role_inherits WHERE role = 'mid'")
        .await;
    assert_eventually_permissions(&roles, &top, &[]).await;
}

async fn wait_until(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn assert_eventually_permissions(roles: &Roles, request: &[String], expected: &[&str]) {
    let start = Instant::now();
    loop {
        let got = roles.resolve(request).await.unwrap();
        if got.permissions == expected {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "after 1 s, {request:?} still resolves to {:?}, expected {expected:?}",
            got.permissions
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
