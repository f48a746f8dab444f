//! The result cache (`[cache]`): hits within the TTL, expiry, invalidation by
//! mutations, one entry per variables and per caller, no caching of errors, and
//! the default (off) seeing every write at once.

use std::time::Duration;

use fraiseql_core::plan::RequestContext;
use fraiseql_server::AppState;
use fraiseql_server::exec::{GraphQLRequest, JsonValue, Outcome};
use serde_json::{Value, json};
use tokio_postgres::Client;

use crate::support;

const USER_NAME: &str = "query($id: ID!) { user(id: $id) { id fullName } }";

const UPDATE_USER: &str = "mutation($i: UpdateUserInput!) { updateUser(input: $i) { __typename \
     ... on UpdateUserSuccess { status user { fullName } } \
     ... on UpdateUserError { status code message } } }";

async fn user_id(c: &Client, n: i32) -> String {
    c.query_one("SELECT md5('user-' || $1::int)::uuid::text", &[&n])
        .await
        .expect("user id")
        .get(0)
}

async fn full_name_in_db(c: &Client, id: &str) -> String {
    c.query_one("SELECT full_name FROM tb_user WHERE id::text = $1", &[&id])
        .await
        .expect("full_name")
        .get(0)
}

async fn rename_directly(c: &Client, id: &str, name: &str) {
    let n = c
        .execute(
            "UPDATE tb_user SET full_name = $2 WHERE id::text = $1",
            &[&id, &name],
        )
        .await
        .expect("direct update");
    assert_eq!(n, 1, "the direct UPDATE changed one row");
}

/// The `fullName` the engine answers for user `id`.
async fn name_of(state: &AppState, id: &str) -> Value {
    let r = support::execute(state, USER_NAME, json!({"id": id})).await;
    assert!(r.get("errors").is_none(), "unexpected errors: {r}");
    r["data"]["user"]["fullName"].clone()
}

/// Executes `query` with `variables` and a request context; the outcome and the parsed body.
async fn execute_as(
    state: &AppState,
    query: &str,
    variables: Value,
    context: RequestContext,
) -> (Outcome, Value) {
    let variables = match serde_json::from_value(variables).expect("variables") {
        JsonValue::Object(m) => m,
        _ => Default::default(),
    };
    let req = GraphQLRequest {
        query: query.to_owned(),
        operation_name: None,
        variables,
        context,
    };
    let res = state.executor.execute(req, true).await;
    let body = serde_json::from_str(&res.body)
        .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", res.body));
    (res.outcome, body)
}

fn cached_entries(state: &AppState) -> u64 {
    state
        .executor
        .cache
        .as_ref()
        .expect("the cache is enabled")
        .len()
}

/// The demo with the cache on (`ttl_ms`), and a direct connection to its database.
async fn cached_demo(prefix: &str, ttl_ms: u64) -> (fraiseql_testkit::TestDb, AppState, Client) {
    let (db, state) = support::demo_with(prefix, |c| {
        c.cache.enabled = true;
        c.cache.ttl_ms = ttl_ms;
    })
    .await;
    let c = db.connect().await;
    (db, state, c)
}

#[tokio::test]
async fn a_hit_serves_the_old_value_until_the_ttl_passes() {
    let (_db, state, c) = cached_demo("cache_ttl", 1_500).await;
    let id = user_id(&c, 3).await;
    let original = full_name_in_db(&c, &id).await;

    assert_eq!(name_of(&state, &id).await, json!(original));
    rename_directly(&c, &id, "Renamed Directly").await;
    assert_eq!(full_name_in_db(&c, &id).await, "Renamed Directly");

    // Within the TTL: the stored response, although the row changed.
    assert_eq!(
        name_of(&state, &id).await,
        json!(original),
        "served from the cache within the TTL"
    );

    // Past the TTL: executed again, the new value.
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    assert_eq!(name_of(&state, &id).await, json!("Renamed Directly"));
}

#[tokio::test]
async fn a_mutation_through_the_engine_clears_the_cache() {
    let (_db, state, c) = cached_demo("cache_mutation", 600_000).await;
    let id = user_id(&c, 4).await;
    let original = full_name_in_db(&c, &id).await;

    assert_eq!(name_of(&state, &id).await, json!(original));
    // A write outside the engine is not seen: the response is cached.
    rename_directly(&c, &id, "Outside Write").await;
    assert_eq!(name_of(&state, &id).await, json!(original));
    assert!(cached_entries(&state) >= 1);

    // A mutation through the engine: the next query sees the database at once.
    let m = support::execute(
        &state,
        UPDATE_USER,
        json!({"i": {"id": id, "fullName": "Via Mutation"}}),
    )
    .await;
    assert_eq!(
        m["data"]["updateUser"],
        json!({"__typename": "UpdateUserSuccess", "status": "updated", "user": {"fullName": "Via Mutation"}}),
        "{m}"
    );
    assert_eq!(cached_entries(&state), 0, "the mutation emptied the cache");
    assert_eq!(name_of(&state, &id).await, json!("Via Mutation"));

    // The same mutation again is never answered from the cache: it runs (noop).
    let m = support::execute(
        &state,
        UPDATE_USER,
        json!({"i": {"id": id, "fullName": "Via Mutation"}}),
    )
    .await;
    assert_eq!(
        m["data"]["updateUser"]["status"],
        json!("noop:unchanged"),
        "{m}"
    );
}

#[tokio::test]
async fn different_variables_and_callers_get_their_own_entries() {
    let (_db, state, c) = cached_demo("cache_keys", 600_000).await;
    let a = user_id(&c, 1).await;
    let b = user_id(&c, 2).await;
    let name_a = full_name_in_db(&c, &a).await;
    let name_b = full_name_in_db(&c, &b).await;
    assert_ne!(name_a, name_b);

    for _ in 0..3 {
        assert_eq!(name_of(&state, &a).await, json!(name_a));
        assert_eq!(name_of(&state, &b).await, json!(name_b));
    }
    assert_eq!(cached_entries(&state), 2, "one entry per set of variables");

    // Callers with different context values, roles or permissions share no entry:
    // after a direct write, a caller that has not asked before sees the new value.
    let alice = RequestContext {
        values: [("user_id".to_owned(), "alice".to_owned())].into(),
        ..Default::default()
    };
    let bob = RequestContext {
        values: [("user_id".to_owned(), "bob".to_owned())].into(),
        ..Default::default()
    };
    let bob_admin = RequestContext {
        values: [("user_id".to_owned(), "bob".to_owned())].into(),
        roles: ["admin".to_owned()].into(),
        ..Default::default()
    };
    let bob_admin_reader = RequestContext {
        values: [("user_id".to_owned(), "bob".to_owned())].into(),
        roles: ["admin".to_owned()].into(),
        permissions: ["read".to_owned()].into(),
    };
    let name = |v: &Value| v["data"]["user"]["fullName"].clone();

    let (outcome, r) = execute_as(&state, USER_NAME, json!({"id": a}), alice.clone()).await;
    assert_eq!(outcome, Outcome::Executed);
    assert_eq!(name(&r), json!(name_a));

    rename_directly(&c, &a, "Second Name").await;
    let (_, r) = execute_as(&state, USER_NAME, json!({"id": a}), alice.clone()).await;
    assert_eq!(name(&r), json!(name_a), "alice: her own cached entry");
    let (_, r) = execute_as(&state, USER_NAME, json!({"id": a}), bob.clone()).await;
    assert_eq!(name(&r), json!("Second Name"), "bob: not alice's entry");

    rename_directly(&c, &a, "Third Name").await;
    let (_, r) = execute_as(&state, USER_NAME, json!({"id": a}), bob).await;
    assert_eq!(name(&r), json!("Second Name"), "bob: his own cached entry");
    let (_, r) = execute_as(&state, USER_NAME, json!({"id": a}), bob_admin).await;
    assert_eq!(name(&r), json!("Third Name"), "another role: another entry");

    rename_directly(&c, &a, "Fourth Name").await;
    let (_, r) = execute_as(&state, USER_NAME, json!({"id": a}), bob_admin_reader).await;
    assert_eq!(
        name(&r),
        json!("Fourth Name"),
        "another permission: another entry"
    );

    // The anonymous caller (empty context) still has its first entry.
    assert_eq!(name_of(&state, &a).await, json!(name_a));
}

#[tokio::test]
async fn responses_with_errors_are_not_cached() {
    let (_db, state, c) = cached_demo("cache_errors", 600_000).await;
    let id = user_id(&c, 5).await;
    let expected = full_name_in_db(&c, &id).await;

    // A database error: the view is missing while the query runs.
    c.batch_execute("ALTER VIEW v_user RENAME TO v_user_away")
        .await
        .expect("rename view");
    let r = support::execute(&state, USER_NAME, json!({"id": id})).await;
    assert!(r.get("errors").is_some(), "the query fails: {r}");
    assert_eq!(r["data"]["user"], Value::Null, "{r}");
    assert_eq!(cached_entries(&state), 0, "an error response is not stored");

    // Back in place: the same request runs again and succeeds.
    c.batch_execute("ALTER VIEW v_user_away RENAME TO v_user")
        .await
        .expect("rename view back");
    assert_eq!(name_of(&state, &id).await, json!(expected));
    assert_eq!(cached_entries(&state), 1);

    // A value PostgreSQL rejects (not a UUID): an error each time, never stored.
    let first = support::execute(&state, USER_NAME, json!({"id": "not-a-uuid"})).await;
    assert!(first.get("errors").is_some(), "a bad UUID fails: {first}");
    let second = support::execute(&state, USER_NAME, json!({"id": "not-a-uuid"})).await;
    assert_eq!(second, first);
    assert_eq!(
        cached_entries(&state),
        1,
        "only the successful response is kept"
    );
}

#[tokio::test]
async fn without_the_cache_a_direct_write_is_seen_at_once() {
    let (db, state) = support::demo("cache_off").await;
    assert!(
        state.executor.cache.is_none(),
        "the cache is off by default"
    );
    let c = db.connect().await;
    let id = user_id(&c, 6).await;
    let original = full_name_in_db(&c, &id).await;

    assert_eq!(name_of(&state, &id).await, json!(original));
    rename_directly(&c, &id, "Seen At Once").await;
    assert_eq!(name_of(&state, &id).await, json!("Seen At Once"));
}
