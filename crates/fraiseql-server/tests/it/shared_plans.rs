//! Shared plans: an operation whose variables only feed parameters is planned once and
//! each request binds its own values. Its answers must equal those of the same document
//! with the values written as literals (which is planned the ordinary way).

use fraiseql_core::sql::Param;
use fraiseql_server::AppState;
use serde_json::{Value, json};

use crate::support;

/// Plans a request the way the executor does: (uses a shared plan, its slot values).
fn plan_request(state: &AppState, query: &str, variables: &Value) -> (bool, Vec<String>) {
    let engine = &state.executor.engine;
    let prepared = engine.prepare(query, None, true).expect("prepares");
    let vars = match serde_json::from_value(variables.clone()).expect("variables") {
        fraiseql_server::exec::JsonValue::Object(m) => m,
        _ => Default::default(),
    };
    let (plan, slots) = engine
        .plan_request(&prepared, &vars, &Default::default())
        .expect("plans");
    let shared = plan
        .queries()
        .any(|q| q.params.iter().any(|p| matches!(p, Param::Slot(_))));
    (shared, slots)
}

/// A GraphQL string literal of `s`.
fn literal(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

/// Documents with `$a` (and `$b`): each with variables, and with the values inlined.
struct Case {
    with_vars: &'static str,
    inline: fn(&str, &str) -> String,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            with_vars: "query($a: ID!) { user(id: $a) { id username fullName } }",
            inline: |a, _| format!("{{ user(id: {}) {{ id username fullName }} }}", literal(a)),
        },
        Case {
            with_vars: "query($a: String, $b: String!) { users(where: {username: {gte: $a, lt: $b}}, orderBy: [{username: ASC}], limit: 5) { username } }",
            inline: |a, b| {
                format!(
                    "{{ users(where: {{username: {{gte: {}, lt: {}}}}}, orderBy: [{{username: ASC}}], limit: 5) {{ username }} }}",
                    literal(a),
                    literal(b)
                )
            },
        },
        Case {
            // Two root fields, a nested relation filter and a JSON field compared as text.
            with_vars: "query($a: String!, $b: String!) { posts(where: {author: {username: {eq: $a}}}, orderBy: [{title: ASC}], limit: 3) { title } again: users(where: {_or: [{username: {eq: $a}}, {email: {neq: $b}}]}, limit: 2, orderBy: [{username: DESC}]) { username email } }",
            inline: |a, b| {
                format!(
                    "{{ posts(where: {{author: {{username: {{eq: {a}}}}}}}, orderBy: [{{title: ASC}}], limit: 3) {{ title }} again: users(where: {{_or: [{{username: {{eq: {a}}}}}, {{email: {{neq: {b}}}}}]}}, limit: 2, orderBy: [{{username: DESC}}]) {{ username email }} }}",
                    a = literal(a),
                    b = literal(b)
                )
            },
        },
    ]
}

#[tokio::test]
async fn shared_plans_answer_like_literal_documents() {
    let (db, state) = support::demo("shared_plans").await;
    let user_ids: Vec<String> = {
        let c = db.connect().await;
        c.query(
            "SELECT id::text FROM tb_user ORDER BY username LIMIT 3",
            &[],
        )
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let mut values: Vec<(String, String)> = vec![
        ("alice.martin".into(), "grace.schmidt".into()),
        ("b".into(), "m".into()),
        ("nobody".into(), "x@example.com".into()),
        // Quotes, backslashes, SQL and markers of other slots are plain values.
        (
            "o'brien\\\"; DROP TABLE tb_user; --".into(),
            "\u{1}fraiseql-slot-0\u{1}".into(),
        ),
        ("".into(), "zzz".into()),
        ("chloé.rossi".into(), "🦀".into()),
    ];
    values.extend(user_ids.iter().map(|id| (id.clone(), id.clone())));

    for case in cases() {
        let (shared, _) = plan_request(&state, case.with_vars, &json!({"a": "x", "b": "y"}));
        assert!(shared, "expected a shared plan for {}", case.with_vars);
        for (a, b) in &values {
            let vars = json!({"a": a, "b": b});
            let (_, slots) = plan_request(&state, case.with_vars, &vars);
            let got = support::execute(&state, case.with_vars, vars.clone()).await;
            let want = support::execute(&state, &(case.inline)(a, b), json!({})).await;
            let (got_data, want_data) = (&got["data"], &want["data"]);
            assert_eq!(
                got_data, want_data,
                "{} with {vars}: slots {slots:?}",
                case.with_vars
            );
            let codes = |r: &Value| -> Vec<String> {
                r["errors"]
                    .as_array()
                    .map(|e| {
                        e.iter()
                            .map(|e| e["extensions"]["code"].to_string())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            assert_eq!(codes(&got), codes(&want), "errors for {vars}");
        }
    }

    // A known row, to be sure the comparison is not between two empty answers.
    let r = support::execute(
        &state,
        "query($a: ID!) { user(id: $a) { id } }",
        json!({"a": user_ids[0]}),
    )
    .await;
    assert_eq!(r["data"]["user"]["id"], json!(user_ids[0]));
    drop(state);
    drop(db);
}

#[tokio::test]
async fn values_that_change_the_sql_are_planned_per_request() {
    let (db, state) = support::demo("shared_plans_not").await;
    // Each variable here changes the statement, not only a parameter.
    let per_request = [
        // startsWith escapes the value into a LIKE pattern.
        (
            "query($a: String) { users(where: {username: {startsWith: $a}}) { username } }",
            json!({"a": "ali"}),
        ),
        // In a directive.
        (
            "query($a: Boolean!) { users(limit: 1) { username @include(if: $a) } }",
            json!({"a": true}),
        ),
        // Not an ID or a String.
        (
            "query($a: Int) { users(limit: $a) { username } }",
            json!({"a": 2}),
        ),
        // A whole where object.
        (
            "query($a: UserWhereInput) { users(where: $a, limit: 1) { username } }",
            json!({"a": {"username": {"eq": "x"}}}),
        ),
    ];
    for (q, vars) in per_request {
        let (shared, slots) = plan_request(&state, q, &vars);
        assert!(
            !shared && slots.is_empty(),
            "{q} should be planned per request"
        );
        let r = support::execute(&state, q, vars).await;
        assert!(r.get("errors").is_none(), "{q}: {r}");
    }

    // A document that can share its plan still plans per request when a value is null:
    // `id: null` is `IS NULL`, not `= NULL`.
    let q = "query($a: String) { users(where: {email: {eq: $a}}, limit: 1) { username } }";
    assert!(plan_request(&state, q, &json!({"a": "x"})).0);
    let (shared, slots) = plan_request(&state, q, &json!({"a": null}));
    assert!(!shared && slots.is_empty());
    let r = support::execute(&state, q, json!({"a": null})).await;
    assert!(r.get("errors").is_none(), "{r}");

    // A bad value is refused before any SQL, as on the ordinary path.
    let r = support::execute(
        &state,
        "query($a: ID!) { user(id: $a) { id } }",
        json!({"a": {"not": "an id"}}),
    )
    .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT")
    );
    assert!(r.get("data").is_none(), "{r}");
    drop(state);
    drop(db);
}

/// The statements a document plans: (SQL, custom plan).
fn statements(state: &AppState, query: &str) -> Vec<(String, bool)> {
    let engine = &state.executor.engine;
    let prepared = engine.prepare(query, None, true).expect("prepares");
    let plan = engine.plan(&prepared, &Default::default()).expect("plans");
    plan.queries()
        .map(|q| (q.sql.clone(), q.custom_plan))
        .collect()
}

#[tokio::test]
async fn range_and_pattern_filters_are_planned_with_their_values() {
    let (db, state) = support::demo_with("custom_plans", |c| c.database.pool_size = 1).await;
    let cases = [
        ("{ users(where: {username: {eq: \"x\"}}) { id } }", false),
        ("{ users(where: {age: {in: [30, 31]}}) { id } }", false),
        ("{ users(where: {age: {gte: 30}}) { id } }", true),
        (
            "{ users(where: {username: {startsWith: \"ali\"}}) { id } }",
            true,
        ),
        (
            "{ posts(where: {author: {username: {eq: \"x\"}}}) { id } }",
            false,
        ),
        (
            "{ posts(where: {author: {username: {contains: \"li\"}}}) { id } }",
            true,
        ),
        ("{ users(limit: 3) { id } }", false),
    ];
    for (q, custom) in cases {
        let s = statements(&state, q);
        assert_eq!(s[0].1, custom, "{q}: {}", s[0].0);
    }

    // Over the one pooled connection: the equality statement is prepared (and kept), the
    // range statement is sent unnamed and leaves no prepared statement behind.
    let eq = "{ users(where: {username: {eq: \"alice.martin\"}}) { username } }";
    let range =
        "{ users(where: {age: {gte: 60}}, orderBy: [{age: DESC}], limit: 2) { username age } }";
    for q in [eq, range] {
        let r = support::execute(&state, q, json!({})).await;
        assert!(r.get("errors").is_none(), "{q}: {r}");
    }
    let r = support::execute(&state, eq, json!({})).await;
    assert_eq!(r["data"]["users"][0]["username"], json!("alice.martin"));
    let client = state
        .executor
        .pool
        .get()
        .await
        .expect("the pooled connection");
    let prepared: Vec<String> = client
        .query("SELECT statement FROM pg_prepared_statements", &[])
        .await
        .expect("pg_prepared_statements")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let (eq_sql, range_sql) = (
        &statements(&state, eq)[0].0,
        &statements(&state, range)[0].0,
    );
    assert!(
        prepared.iter().any(|s| s.contains(eq_sql.as_str())),
        "{prepared:?}"
    );
    assert!(
        !prepared.iter().any(|s| s.contains(range_sql.as_str())),
        "{prepared:?}"
    );
    drop(client);
    drop(state);
    drop(db);
}
