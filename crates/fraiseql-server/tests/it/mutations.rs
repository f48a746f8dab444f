//! Mutations through PostgreSQL functions (PRODUCT.md §3, issue 3), against a real
//! database: both result row shapes with success, noop and every error class; cascade
//! projection; rollback on exceptions; serial execution; the start-up signature check;
//! input validation before the database; query/mutation projection parity; GET refusal;
//! positional arguments; context parameters.

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fraiseql_core::Step;
use fraiseql_core::plan::RequestContext;
use fraiseql_core::sql::Param;
use fraiseql_server::AppState;
use fraiseql_server::exec::{GraphQLRequest, JsonMap, Outcome};
use fraiseql_testkit::TestDb;
use serde_json::{Value, json};
use tokio_postgres::Client;
use tower::ServiceExt as _;

use crate::support::{self, start};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The demo SDL with `fields` added to `type Mutation` and `types` appended.
fn demo_sdl_with(fields: &str, types: &str) -> String {
    let anchor = "type Mutation {\n";
    assert!(
        support::DEMO_SDL.contains(anchor),
        "the demo SDL declares `type Mutation {{`"
    );
    let sdl = support::DEMO_SDL.replacen(anchor, &format!("{anchor}{fields}\n"), 1);
    format!("{sdl}\n{types}\n")
}

/// The demo SQL (data, `fraiseql setup`, demo functions) followed by `extra`.
fn demo_sql_with(extra: &str) -> String {
    format!(
        "{}\n{}\n{}\n{extra}",
        support::DEMO_SQL,
        fraiseql_server::SETUP_SQL,
        support::DEMO_MUTATIONS_SQL
    )
}

/// The demo plus extra SQL, Mutation fields and types.
async fn demo_plus(prefix: &str, sql: &str, fields: &str, types: &str) -> (TestDb, AppState) {
    support::state_with(
        prefix,
        &demo_sql_with(sql),
        &demo_sdl_with(fields, types),
        |_| {},
    )
    .await
}

async fn count(c: &Client, sql: &str) -> i64 {
    c.query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

async fn text(c: &Client, sql: &str) -> String {
    c.query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

/// The id of the demo's user `n` (1..=50).
async fn user_id(c: &Client, n: i32) -> String {
    c.query_one("SELECT md5('user-' || $1::int)::uuid::text", &[&n])
        .await
        .expect("user id")
        .get(0)
}

/// The id of the demo's post `n` (1..=200; every 9th is a draft).
async fn post_id(c: &Client, n: i32) -> String {
    c.query_one("SELECT md5('post-' || $1::int)::uuid::text", &[&n])
        .await
        .expect("post id")
        .get(0)
}

/// Executes and returns `data`, asserting there are no errors.
#[track_caller]
fn no_errors(r: &Value) -> &Value {
    assert!(r.get("errors").is_none(), "unexpected errors: {r}");
    &r["data"]
}

async fn data(state: &AppState, query: &str, variables: Value) -> Value {
    let r = support::execute(state, query, variables).await;
    no_errors(&r).clone()
}

/// Executes a request that must fail as a whole: no `data`, the errors.
async fn request_errors(state: &AppState, query: &str, variables: Value) -> Vec<Value> {
    let r = support::execute(state, query, variables).await;
    assert!(
        r.get("data").is_none(),
        "a request error has no `data`: {r}"
    );
    let errors = r["errors"].as_array().cloned().unwrap_or_default();
    assert!(!errors.is_empty(), "errors expected: {r}");
    errors
}

/// The key order of an object, recursively, as JSON text (serde_json keeps insertion order).
fn ordered(v: &Value) -> String {
    serde_json::to_string(v).expect("json")
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

const USER_SELECTION: &str = "__typename id username name: fullName email age isActive birthDate \
     lastLoginIp createdAt profile { location bio website } posts { title id publishedAt }";

// ---------------------------------------------------------------------------------------
// v2 rows (fraiseql.mutation_response) through the demo functions
// ---------------------------------------------------------------------------------------

const CREATE_USER: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { __typename \
     ... on CreateUserSuccess { status noop message user { username fullName email age birthDate \
     isActive profile { bio location } posts { id } } updatedFields cascade { deleted { id } } } \
     ... on CreateUserError { status code message details } } }";

#[tokio::test]
async fn v2_create_user_created_validation_and_conflict() {
    let (db, state) = support::demo("mut_v2_create").await;
    let c = db.connect().await;
    let before = count(&c, "SELECT count(*) FROM tb_user").await;

    // created
    let d = data(
        &state,
        CREATE_USER,
        json!({"i": {"username": " zoe.new ", "fullName": "Zoe New", "email": "zoe@new.example",
                      "age": 33, "birthDate": "1992-03-04", "bio": "Hi"}}),
    )
    .await;
    assert_eq!(
        ordered(&d["createUser"]),
        ordered(&json!({
            "__typename": "CreateUserSuccess",
            "status": "created",
            "noop": false,
            "message": "User created",
            "user": {
                "username": "zoe.new", "fullName": "Zoe New", "email": "zoe@new.example",
                "age": 33, "birthDate": "1992-03-04", "isActive": true,
                "profile": {"bio": "Hi", "location": null}, "posts": []
            },
            "updatedFields": ["age", "bio", "birthDate", "email", "fullName", "username"],
            "cascade": null
        }))
    );
    assert_eq!(count(&c, "SELECT count(*) FROM tb_user").await, before + 1);
    assert_eq!(
        text(
            &c,
            "SELECT full_name || '|' || email || '|' || bio FROM tb_user WHERE username = 'zoe.new'"
        )
        .await,
        "Zoe New|zoe@new.example|Hi"
    );

    // validation: field errors in details, sorted by field; nothing written
    let d = data(
        &state,
        CREATE_USER,
        json!({"i": {"username": "  ", "fullName": "Zoe", "email": "not-an-email",
                      "age": 200, "birthDate": "1990-01-01"}}),
    )
    .await;
    assert_eq!(
        d["createUser"],
        json!({
            "__typename": "CreateUserError",
            "status": "validation:invalid_input",
            "code": "VALIDATION",
            "message": "Invalid input",
            "details": {"fields": [
                {"field": "age", "message": "must be between 0 and 150"},
                {"field": "email", "message": "must be a valid email address"},
                {"field": "username", "message": "must not be blank"}
            ]}
        })
    );

    // conflict: an existing username, then an existing email in another case
    let taken = text(&c, "SELECT username FROM tb_user ORDER BY username LIMIT 1").await;
    let d = data(
        &state,
        CREATE_USER,
        json!({"i": {"username": taken, "fullName": "Dup", "email": "dup@new.example",
                      "age": 30, "birthDate": "1990-01-01"}}),
    )
    .await;
    assert_eq!(
        d["createUser"],
        json!({
            "__typename": "CreateUserError",
            "status": "conflict:username_taken",
            "code": "CONFLICT",
            "message": "Username is already taken",
            "details": {"fields": [{"field": "username", "message": "is already taken"}]}
        })
    );
    let d = data(
        &state,
        CREATE_USER,
        json!({"i": {"username": "someone.else", "fullName": "Dup", "email": "ZOE@NEW.example",
                      "age": 30, "birthDate": "1990-01-01"}}),
    )
    .await;
    assert_eq!(d["createUser"]["__typename"], "CreateUserError");
    assert_eq!(d["createUser"]["code"], "CONFLICT");
    assert_eq!(d["createUser"]["status"], "conflict:email_taken");
    assert_eq!(count(&c, "SELECT count(*) FROM tb_user").await, before + 1);
}

const UPDATE_USER: &str = "mutation($i: UpdateUserInput!) { updateUser(input: $i) { __typename \
     ... on UpdateUserSuccess { status noop message user { id fullName email isActive } updatedFields cascade { deleted { id } } } \
     ... on UpdateUserError { status code message details } } }";

#[tokio::test]
async fn v2_update_user_updated_noop_validation_conflict_not_found() {
    let (db, state) = support::demo("mut_v2_update").await;
    let c = db.connect().await;
    let id = user_id(&c, 3).await;
    let other_email = text(
        &c,
        "SELECT email FROM tb_user WHERE id = md5('user-4')::uuid",
    )
    .await;
    let original_email = text(
        &c,
        "SELECT email FROM tb_user WHERE id = md5('user-3')::uuid",
    )
    .await;

    // updated
    let d = data(
        &state,
        UPDATE_USER,
        json!({"i": {"id": id, "fullName": "Renamed Three", "isActive": false}}),
    )
    .await;
    assert_eq!(
        d["updateUser"],
        json!({
            "__typename": "UpdateUserSuccess",
            "status": "updated",
            "noop": false,
            "message": "User updated",
            "user": {"id": id, "fullName": "Renamed Three", "email": original_email, "isActive": false},
            "updatedFields": ["fullName", "isActive"],
            "cascade": null
        })
    );
    let row_sql =
        "SELECT full_name || '|' || is_active::text FROM tb_user WHERE id = md5('user-3')::uuid";
    assert_eq!(text(&c, row_sql).await, "Renamed Three|false");

    // noop: the same values again; a success that says it changed nothing
    let d = data(
        &state,
        UPDATE_USER,
        json!({"i": {"id": id, "fullName": "Renamed Three", "isActive": false}}),
    )
    .await;
    assert_eq!(
        d["updateUser"],
        json!({
            "__typename": "UpdateUserSuccess",
            "status": "noop:unchanged",
            "noop": true,
            "message": "No changes",
            "user": {"id": id, "fullName": "Renamed Three", "email": original_email, "isActive": false},
            "updatedFields": [],
            "cascade": null
        })
    );

    // validation: GraphQL allows null for isActive, the function does not
    let d = data(
        &state,
        UPDATE_USER,
        json!({"i": {"id": id, "isActive": null, "email": "nope"}}),
    )
    .await;
    assert_eq!(
        d["updateUser"],
        json!({
            "__typename": "UpdateUserError",
            "status": "validation:invalid_input",
            "code": "VALIDATION",
            "message": "Invalid input",
            "details": {"fields": [
                {"field": "email", "message": "must be a valid email address"},
                {"field": "is_active", "message": "must not be null"}
            ]}
        })
    );

    // conflict: another user's email
    let d = data(
        &state,
        UPDATE_USER,
        json!({"i": {"id": id, "email": other_email}}),
    )
    .await;
    assert_eq!(
        d["updateUser"],
        json!({
            "__typename": "UpdateUserError",
            "status": "conflict:email_taken",
            "code": "CONFLICT",
            "message": "Email is already in use",
            "details": {"fields": [{"field": "email", "message": "is already in use"}]}
        })
    );

    // not_found
    let missing = "00000000-0000-0000-0000-000000000000";
    let d = data(
        &state,
        UPDATE_USER,
        json!({"i": {"id": missing, "fullName": "Nobody"}}),
    )
    .await;
    assert_eq!(
        d["updateUser"],
        json!({
            "__typename": "UpdateUserError",
            "status": "not_found:user",
            "code": "NOT_FOUND",
            "message": "User not found",
            "details": {"id": missing}
        })
    );

    // None of the errors wrote anything.
    assert_eq!(text(&c, row_sql).await, "Renamed Three|false");
    assert_eq!(
        text(
            &c,
            "SELECT email FROM tb_user WHERE id = md5('user-3')::uuid"
        )
        .await,
        original_email
    );
}

// ---------------------------------------------------------------------------------------
// v1 rows (8 columns, status strings) through fn_rename_post_v1
// ---------------------------------------------------------------------------------------

const RENAME_POST: &str = "mutation($i: RenamePostInput!) { renamePost(input: $i) { __typename \
     ... on RenamePostSuccess { status noop message post { id title } updatedFields \
     cascade { updated { typename id operation } deleted { id } invalidations { queryName strategy scope } } } \
     ... on RenamePostError { status code message details } } }";

#[tokio::test]
async fn v1_rename_post_updated_noop_validation_not_found() {
    let (db, state) = support::demo("mut_v1_rename").await;
    let c = db.connect().await;
    let id = post_id(&c, 5).await;
    let author = text(
        &c,
        "SELECT author_id::text FROM tb_post WHERE id = md5('post-5')::uuid",
    )
    .await;
    let comments: Vec<String> = c
        .query(
            "SELECT id::text FROM tb_comment WHERE post_id = md5('post-5')::uuid ORDER BY created_at, id",
            &[],
        )
        .await
        .expect("comments")
        .iter()
        .map(|r| r.get(0))
        .collect();

    // updated, with the cascade the function reports
    let d = data(
        &state,
        RENAME_POST,
        json!({"i": {"id": id, "title": "  A new title "}}),
    )
    .await;
    let r = &d["renamePost"];
    assert_eq!(r["__typename"], "RenamePostSuccess", "{r}");
    assert_eq!(r["status"], "updated");
    assert_eq!(r["noop"], false);
    assert_eq!(r["message"], "Post renamed");
    assert_eq!(r["post"], json!({"id": id, "title": "A new title"}));
    assert_eq!(r["updatedFields"], json!(["title"]));
    let mut expected_updated =
        vec![json!({"typename": "User", "id": author, "operation": "UPDATED"})];
    expected_updated.extend(
        comments
            .iter()
            .map(|c| json!({"typename": "Comment", "id": c, "operation": "UPDATED"})),
    );
    assert_eq!(
        r["cascade"],
        json!({
            "updated": expected_updated,
            "deleted": [],
            "invalidations": [{"queryName": "posts", "strategy": "INVALIDATE", "scope": "PREFIX"}]
        })
    );
    let title_sql = "SELECT title FROM tb_post WHERE id = md5('post-5')::uuid";
    assert_eq!(text(&c, title_sql).await, "A new title");

    // noop
    let d = data(
        &state,
        RENAME_POST,
        json!({"i": {"id": id, "title": "A new title"}}),
    )
    .await;
    assert_eq!(
        d["renamePost"],
        json!({
            "__typename": "RenamePostSuccess",
            "status": "noop:unchanged",
            "noop": true,
            "message": "Title unchanged",
            "post": {"id": id, "title": "A new title"},
            "updatedFields": [],
            "cascade": null
        })
    );

    // validation: the v1 row has no error_detail; details come from metadata
    let d = data(
        &state,
        RENAME_POST,
        json!({"i": {"id": id, "title": "   "}}),
    )
    .await;
    assert_eq!(
        d["renamePost"],
        json!({
            "__typename": "RenamePostError",
            "status": "validation:title_blank",
            "code": "VALIDATION",
            "message": "Title must not be blank",
            "details": {"fields": [{"field": "title", "message": "must not be blank"}]}
        })
    );
    let d = data(
        &state,
        RENAME_POST,
        json!({"i": {"id": "not-a-uuid", "title": "x"}}),
    )
    .await;
    assert_eq!(d["renamePost"]["status"], "validation:id_invalid");
    assert_eq!(d["renamePost"]["code"], "VALIDATION");
    assert_eq!(d["renamePost"]["message"], "id must be a UUID");

    // not_found
    let missing = "00000000-0000-0000-0000-000000000001";
    let d = data(
        &state,
        RENAME_POST,
        json!({"i": {"id": missing, "title": "Whatever"}}),
    )
    .await;
    assert_eq!(
        d["renamePost"],
        json!({
            "__typename": "RenamePostError",
            "status": "not_found:post",
            "code": "NOT_FOUND",
            "message": "Post not found",
            "details": {"id": missing}
        })
    );
    assert_eq!(text(&c, title_sql).await, "A new title");
}

// ---------------------------------------------------------------------------------------
// Every error class, for both row shapes, from small functions
// ---------------------------------------------------------------------------------------

const CLASS_SQL: &str = r#"
CREATE FUNCTION fn_v2_outcome(input jsonb) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$
    SELECT CASE WHEN input ->> 'error_class' IS NULL
                THEN fraiseql.mutation_ok(NULL, 'User', NULL, input ->> 'message',
                                          status_detail => input ->> 'status_detail')
                ELSE fraiseql.mutation_err(input ->> 'error_class', input ->> 'message',
                                           input -> 'details', input ->> 'status_detail')
           END
$fn$;
CREATE FUNCTION fn_v1_outcome(input jsonb) RETURNS fraiseql.mutation_result_v1
LANGUAGE sql AS $fn$
    SELECT ROW(input ->> 'status', input ->> 'message', NULL, NULL, NULL, NULL, NULL,
               input -> 'details')::fraiseql.mutation_result_v1
$fn$;
"#;

const CLASS_FIELDS: &str = r#"
  v2Outcome(input: OutcomeInput!): V2OutcomeResult! @function(name: "fn_v2_outcome", entity: "User")
  v1Outcome(input: OutcomeInput!): V1OutcomeResult! @function(name: "fn_v1_outcome", entity: "User")
"#;

const CLASS_TYPES: &str = r#"
input OutcomeInput {
  errorClass: String
  statusDetail: String
  status: String
  message: String
  details: JSON
}
"#;

#[tokio::test]
async fn every_error_class_for_both_row_shapes() {
    let (_db, state) = demo_plus("mut_classes", CLASS_SQL, CLASS_FIELDS, CLASS_TYPES).await;
    let v2 = "mutation($i: OutcomeInput!) { r: v2Outcome(input: $i) { __typename \
              ... on V2OutcomeSuccess { status noop message user { id } } \
              ... on V2OutcomeError { status code message details } } }";
    let v1 = "mutation($i: OutcomeInput!) { r: v1Outcome(input: $i) { __typename \
              ... on V1OutcomeSuccess { status noop message user { id } } \
              ... on V1OutcomeError { status code message details } } }";
    let classes = [
        "validation",
        "not_found",
        "conflict",
        "unauthorized",
        "forbidden",
        "timeout",
        "failed",
    ];
    for class in classes {
        let code = class.to_uppercase();
        let message = format!("{class} happened");
        let details = json!({"reason": class, "fields": [{"field": "x", "message": "bad"}]});

        // v2 with a reason
        let d = data(
            &state,
            v2,
            json!({"i": {"errorClass": class, "statusDetail": format!("{class}:why"),
                          "message": message, "details": details}}),
        )
        .await;
        assert_eq!(
            d["r"],
            json!({"__typename": "V2OutcomeError", "status": format!("{class}:why"),
                   "code": code, "message": message, "details": details}),
            "v2 {class}"
        );
        // v2 without one: the status is the class
        let d = data(
            &state,
            v2,
            json!({"i": {"errorClass": class, "message": message}}),
        )
        .await;
        assert_eq!(
            d["r"],
            json!({"__typename": "V2OutcomeError", "status": class,
                   "code": code, "message": message, "details": null}),
            "v2 {class} without status_detail"
        );
        // v1: `<class>:<reason>`, details from metadata
        let d = data(
            &state,
            v1,
            json!({"i": {"status": format!("{class}:why"), "message": message, "details": details}}),
        )
        .await;
        assert_eq!(
            d["r"],
            json!({"__typename": "V1OutcomeError", "status": format!("{class}:why"),
                   "code": code, "message": message, "details": details}),
            "v1 {class}"
        );
    }

    // Successes and noops of both shapes.
    for (status, noop) in [
        ("created", false),
        ("updated", false),
        ("deleted", false),
        ("success", false),
        ("noop:nothing_to_do", true),
    ] {
        let d = data(
            &state,
            v1,
            json!({"i": {"status": status, "message": "ok"}}),
        )
        .await;
        assert_eq!(
            d["r"],
            json!({"__typename": "V1OutcomeSuccess", "status": status, "noop": noop,
                   "message": "ok", "user": null}),
            "v1 {status}"
        );
    }
    let d = data(
        &state,
        v2,
        json!({"i": {"statusDetail": "updated", "message": "ok"}}),
    )
    .await;
    assert_eq!(
        d["r"],
        json!({"__typename": "V2OutcomeSuccess", "status": "updated", "noop": false,
               "message": "ok", "user": null})
    );
}

// ---------------------------------------------------------------------------------------
// Exceptions raised inside functions: typed errors, rolled back
// ---------------------------------------------------------------------------------------

const FAIL_FIELDS: &str = r#"
  failAfterWrite(input: FailAfterWriteInput!): FailAfterWriteResult! @function(name: "fn_fail_after_write", entity: "User")
  raiseError(input: RaiseErrorInput!): RaiseErrorResult! @function(name: "fn_raise", entity: "User")
"#;

const FAIL_TYPES: &str = r#"
input FailAfterWriteInput {
  username: String
}
input RaiseErrorInput {
  sqlstate: String!
  message: String!
}
"#;

const FAIL_SQL: &str = r#"
CREATE TABLE tb_raise_log (id serial PRIMARY KEY);
CREATE FUNCTION fn_raise(input jsonb) RETURNS fraiseql.mutation_response
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO tb_raise_log DEFAULT VALUES;
    RAISE EXCEPTION USING MESSAGE = input ->> 'message', ERRCODE = input ->> 'sqlstate';
END
$fn$;
"#;

const FAIL_AFTER_WRITE: &str = "mutation($i: FailAfterWriteInput!) { failAfterWrite(input: $i) { __typename \
     ... on FailAfterWriteSuccess { status user { id } } \
     ... on FailAfterWriteError { status code message details } } }";

#[tokio::test]
async fn exception_in_function_is_a_typed_error_and_rolls_back() {
    let (db, state) = demo_plus("mut_rollback", FAIL_SQL, FAIL_FIELDS, FAIL_TYPES).await;
    let c = db.connect().await;
    let before = count(&c, "SELECT count(*) FROM tb_user").await;

    for _ in 0..2 {
        // Twice with the same username: a leftover row would make the second a unique violation.
        let r = support::execute(
            &state,
            FAIL_AFTER_WRITE,
            json!({"i": {"username": "left.over"}}),
        )
        .await;
        let d = no_errors(&r);
        assert_eq!(
            d["failAfterWrite"],
            json!({"__typename": "FailAfterWriteError", "status": "failed:P0001",
                   "code": "FAILED", "message": "boom", "details": null}),
            "{r}"
        );
    }
    assert_eq!(count(&c, "SELECT count(*) FROM tb_user").await, before);
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM tb_user WHERE username = 'left.over'"
        )
        .await,
        0
    );

    // Only the union's __typename selected, or only the success member: the error member as selected.
    let d = data(
        &state,
        "mutation { t: failAfterWrite(input: {}) { __typename } \
           s: failAfterWrite(input: {}) { ... on FailAfterWriteSuccess { status } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        ordered(&d),
        ordered(&json!({"t": {"__typename": "FailAfterWriteError"}, "s": {}}))
    );

    // Each field has its own transaction: the update before the failure stays, the one after runs.
    let id = user_id(&c, 7).await;
    let q = "mutation($id: ID!) {
        first: updateUser(input: {id: $id, location: \"Before\"}) { ... on UpdateUserSuccess { status } }
        boom: failAfterWrite(input: {}) { ... on FailAfterWriteError { code message } }
        last: updateUser(input: {id: $id, website: \"https://after.example\"}) { ... on UpdateUserSuccess { status } }
    }";
    let d = data(&state, q, json!({"id": id})).await;
    assert_eq!(
        ordered(&d),
        ordered(&json!({
            "first": {"status": "updated"},
            "boom": {"code": "FAILED", "message": "boom"},
            "last": {"status": "updated"}
        }))
    );
    assert_eq!(
        text(
            &c,
            "SELECT location || '|' || website FROM tb_user WHERE id = md5('user-7')::uuid"
        )
        .await,
        "Before|https://after.example"
    );
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM tb_user WHERE username = 'fail.after.write'"
        )
        .await,
        0
    );
    assert_eq!(count(&c, "SELECT count(*) FROM tb_user").await, before);
}

#[tokio::test]
async fn sqlstates_map_to_stable_codes_and_hide_messages_outside_dev() {
    let cases = [
        ("P0001", "FAILED"),
        ("23505", "CONFLICT"),
        ("23503", "CONFLICT"),
        ("40001", "CONFLICT"),
        ("23502", "VALIDATION"),
        ("23514", "VALIDATION"),
        ("22012", "VALIDATION"),
        ("42501", "FORBIDDEN"),
        ("57014", "TIMEOUT"),
        ("P0002", "DATABASE_ERROR"),
    ];
    let q = "mutation($i: RaiseErrorInput!) { raiseError(input: $i) { __typename \
             ... on RaiseErrorError { status code message details } } }";
    for dev in [true, false] {
        let (db, state) = support::state_with(
            if dev {
                "mut_sqlstate_dev"
            } else {
                "mut_sqlstate_prod"
            },
            &demo_sql_with(FAIL_SQL),
            &demo_sdl_with(FAIL_FIELDS, FAIL_TYPES),
            |cfg| cfg.server.dev = dev,
        )
        .await;
        let c = db.connect().await;
        for (sqlstate, code) in cases {
            let raw = format!("secret internals of {sqlstate}");
            let d = data(
                &state,
                q,
                json!({"i": {"sqlstate": sqlstate, "message": raw}}),
            )
            .await;
            let e = &d["raiseError"];
            assert_eq!(e["__typename"], "RaiseErrorError", "{sqlstate}: {e}");
            assert_eq!(e["code"], code, "{sqlstate}: {e}");
            assert_eq!(e["status"], format!("failed:{sqlstate}"), "{sqlstate}: {e}");
            assert_eq!(e["details"], Value::Null, "{sqlstate}: {e}");
            let message = e["message"].as_str().unwrap_or_default();
            if dev || sqlstate == "P0001" {
                // RAISE EXCEPTION messages are for the caller; others only in dev mode.
                assert_eq!(message, raw, "{sqlstate} (dev {dev})");
            } else {
                assert!(
                    !message.is_empty() && !message.contains("secret"),
                    "{sqlstate}: a generic message outside dev mode, got {message:?}"
                );
            }
        }
        assert_eq!(
            count(&c, "SELECT count(*) FROM tb_raise_log").await,
            0,
            "every raise rolled its insert back"
        );
    }
}

#[tokio::test]
async fn statement_timeout_in_a_function_is_a_timeout_error() {
    let sql = r#"
CREATE TABLE tb_slow_log (id serial PRIMARY KEY);
CREATE FUNCTION fn_slow(input jsonb) RETURNS fraiseql.mutation_response
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO tb_slow_log DEFAULT VALUES;
    PERFORM pg_sleep(5);
    RETURN fraiseql.mutation_ok(NULL, 'User', NULL, 'slept');
END
$fn$;
"#;
    let (db, state) = support::state_with(
        "mut_timeout",
        &demo_sql_with(sql),
        &demo_sdl_with(
            r#"  slow(input: SlowInput!): SlowResult! @function(name: "fn_slow", entity: "User")"#,
            "input SlowInput { note: String }",
        ),
        |cfg| cfg.database.statement_timeout_ms = 300,
    )
    .await;
    let started = std::time::Instant::now();
    let d = data(
        &state,
        "mutation { slow(input: {}) { __typename ... on SlowError { status code } ... on SlowSuccess { message } } }",
        json!({}),
    )
    .await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "cancelled by statement_timeout"
    );
    assert_eq!(
        d["slow"],
        json!({"__typename": "SlowError", "status": "failed:57014", "code": "TIMEOUT"})
    );
    let c = db.connect().await;
    assert_eq!(count(&c, "SELECT count(*) FROM tb_slow_log").await, 0);
}

// ---------------------------------------------------------------------------------------
// Cascade projection
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn publish_post_cascade_projects_only_the_selection() {
    let (db, state) = support::demo("mut_cascade").await;
    let c = db.connect().await;
    // Post 9 is a draft.
    let id = post_id(&c, 9).await;
    let author = text(
        &c,
        "SELECT author_id::text FROM tb_post WHERE id = md5('post-9')::uuid",
    )
    .await;
    let comments: Vec<String> = c
        .query(
            "SELECT id::text FROM tb_comment WHERE post_id = md5('post-9')::uuid ORDER BY created_at, id",
            &[],
        )
        .await
        .expect("comments")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(!comments.is_empty(), "post 9 has comments in the demo data");

    let q = "mutation($i: PublishPostInput!) { publishPost(input: $i) { \
             ... on PublishPostSuccess { status updatedFields post { id isPublished } \
               cascade { updated { typename id operation entity { ... on User { username } } } \
                         deleted { typename id } invalidations { queryName } } } \
             ... on PublishPostError { code message } } }";
    let r = support::execute(&state, q, json!({"i": {"id": id}})).await;
    let d = no_errors(&r);
    let p = &d["publishPost"];
    assert_eq!(p["status"], "updated", "{p}");
    assert_eq!(p["updatedFields"], json!(["isPublished", "publishedAt"]));
    assert_eq!(p["post"], json!({"id": id, "isPublished": true}));
    let cascade = &p["cascade"];
    assert_eq!(keys(cascade), ["updated", "deleted", "invalidations"]);
    assert_eq!(cascade["deleted"], json!([]));
    assert_eq!(cascade["invalidations"], json!([{"queryName": "posts"}]));

    let updated = cascade["updated"].as_array().expect("updated list");
    assert_eq!(updated.len(), 1 + comments.len(), "{cascade}");
    let username = text(
        &c,
        &format!("SELECT username FROM tb_user WHERE id = '{author}'"),
    )
    .await;
    assert_eq!(
        ordered(&updated[0]),
        ordered(
            &json!({"typename": "User", "id": author, "operation": "UPDATED",
                        "entity": {"username": username}})
        )
    );
    for (entry, comment) in updated[1..].iter().zip(&comments) {
        // A Comment with a selection on User only: an empty object, nothing leaked.
        assert_eq!(
            ordered(entry),
            ordered(
                &json!({"typename": "Comment", "id": comment, "operation": "UPDATED",
                            "entity": {}})
            )
        );
    }
    // Nothing of the entities' JSON beyond the selection reaches the client.
    let body = cascade.to_string();
    for leaked in [
        "full_name",
        "fullName",
        "email",
        "body",
        "published_at",
        "created_at",
        "__typename",
    ] {
        assert!(
            !body.contains(leaked),
            "`{leaked}` leaked into the response: {body}"
        );
    }
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM tb_post WHERE id = md5('post-9')::uuid AND is_published AND published_at IS NOT NULL"
        )
        .await,
        1
    );

    // Publishing again is a noop without cascade.
    let d = data(&state, q, json!({"i": {"id": id}})).await;
    assert_eq!(d["publishPost"]["status"], "noop:already_published");
    assert_eq!(d["publishPost"]["cascade"], Value::Null);
    assert_eq!(d["publishPost"]["updatedFields"], json!([]));
}

#[tokio::test]
async fn cascade_entities_are_projected_like_queries() {
    let (db, state) = support::demo("mut_cascade_parity").await;
    let c = db.connect().await;
    let id = post_id(&c, 18).await; // a draft
    let q = format!(
        "mutation($i: PublishPostInput!) {{ publishPost(input: $i) {{ \
         ... on PublishPostSuccess {{ cascade {{ updated {{ typename id entity {{ __typename \
           ... on User {{ {USER_SELECTION} }} \
           ... on Comment {{ id body author {{ username }} post {{ id title publishedAt }} }} }} }} \
           metadata }} }} }} }}"
    );
    let d = data(&state, &q, json!({"i": {"id": id}})).await;
    let cascade = &d["publishPost"]["cascade"];
    assert_eq!(
        cascade["metadata"]["affected_count"],
        json!(cascade["updated"].as_array().map(Vec::len).unwrap_or(0))
    );
    assert!(cascade["metadata"]["timestamp"].is_string(), "{cascade}");
    for entry in cascade["updated"].as_array().expect("updated") {
        let entity_id = entry["id"].as_str().expect("id");
        let query = match entry["typename"].as_str() {
            Some("User") => {
                format!("query($id: ID!) {{ x: user(id: $id) {{ {USER_SELECTION} }} }}")
            }
            Some("Comment") => {
                // No comment(id:) root: read the comment from the list.
                let d = data(
                    &state,
                    "{ comments(limit: 1000) { __typename id body author { username } post { id title publishedAt } } }",
                    json!({}),
                )
                .await;
                let found = d["comments"]
                    .as_array()
                    .expect("comments")
                    .iter()
                    .find(|c| c["id"] == entity_id)
                    .cloned()
                    .expect("the comment");
                assert_eq!(ordered(&entry["entity"]), ordered(&found));
                assert!(found["post"]["publishedAt"].is_string(), "{found}");
                continue;
            }
            other => panic!("unexpected typename {other:?}"),
        };
        let d = data(&state, &query, json!({"id": entity_id})).await;
        assert_eq!(ordered(&entry["entity"]), ordered(&d["x"]));
    }
}

#[tokio::test]
async fn delete_user_positional_with_cascade_deleted_list() {
    let (db, state) = support::demo("mut_delete").await;
    let c = db.connect().await;
    let id = user_id(&c, 2).await;
    let expected_deleted: Vec<Value> = c
        .query(
            "SELECT typename, id FROM (
                 SELECT 0 AS ord, 'User' AS typename, u.id::text AS id, now() AS at FROM tb_user u WHERE u.id = md5('user-2')::uuid
                 UNION ALL
                 SELECT 1, 'Post', p.id::text, p.created_at FROM tb_post p WHERE p.author_id = md5('user-2')::uuid
                 UNION ALL
                 SELECT 2, 'Comment', c.id::text, c.created_at FROM tb_comment c
                  WHERE c.author_id = md5('user-2')::uuid
                     OR c.post_id IN (SELECT p.id FROM tb_post p WHERE p.author_id = md5('user-2')::uuid)
             ) x ORDER BY ord, at, id",
            &[],
        )
        .await
        .expect("expected deletions")
        .iter()
        .map(|r| json!({"typename": r.get::<_, String>(0), "id": r.get::<_, String>(1)}))
        .collect();
    assert!(expected_deleted.len() > 2, "user 2 has posts and comments");
    let q = "mutation($id: ID!) { deleteUser(id: $id) { __typename \
             ... on DeleteUserSuccess { status noop message user { id username } \
               cascade { deleted { typename id } updated { typename operation } invalidations { queryName strategy scope } } } \
             ... on DeleteUserError { status code message details } } }";
    let username = text(
        &c,
        "SELECT username FROM tb_user WHERE id = md5('user-2')::uuid",
    )
    .await;
    let d = data(&state, q, json!({"id": id})).await;
    let r = &d["deleteUser"];
    assert_eq!(r["__typename"], "DeleteUserSuccess", "{r}");
    assert_eq!(r["status"], "deleted");
    assert_eq!(r["noop"], false);
    assert_eq!(r["message"], "User deleted");
    assert_eq!(r["user"], json!({"id": id, "username": username}));
    assert_eq!(r["cascade"]["deleted"], Value::Array(expected_deleted));
    for u in r["cascade"]["updated"].as_array().expect("updated") {
        assert_eq!(u, &json!({"typename": "Post", "operation": "UPDATED"}));
    }
    assert_eq!(
        r["cascade"]["invalidations"][0],
        json!({"queryName": "users", "strategy": "INVALIDATE", "scope": "PREFIX"})
    );
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM tb_user WHERE id = md5('user-2')::uuid"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM tb_post WHERE author_id = md5('user-2')::uuid"
        )
        .await,
        0
    );

    // Again: not_found. An id that is not a UUID fails in the cast, as a typed error.
    let d = data(&state, q, json!({"id": id})).await;
    assert_eq!(
        d["deleteUser"],
        json!({"__typename": "DeleteUserError", "status": "not_found:user", "code": "NOT_FOUND",
               "message": "User not found", "details": {"id": id}})
    );
    let before = count(&c, "SELECT count(*) FROM tb_user").await;
    let d = data(&state, q, json!({"id": "not-a-uuid"})).await;
    assert_eq!(d["deleteUser"]["__typename"], "DeleteUserError", "{d}");
    assert_eq!(d["deleteUser"]["code"], "VALIDATION", "{d}");
    assert_eq!(count(&c, "SELECT count(*) FROM tb_user").await, before);
}

// ---------------------------------------------------------------------------------------
// Serial execution
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn several_mutation_fields_run_serially_in_document_order() {
    let sql = r#"
CREATE TABLE tb_serial_log (id serial PRIMARY KEY, label text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE FUNCTION fn_slow_log(input jsonb) RETURNS fraiseql.mutation_response
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_sleep((input ->> 'sleep_ms')::int / 1000.0);
    INSERT INTO tb_serial_log (label) VALUES (input ->> 'label');
    RETURN fraiseql.mutation_ok(NULL, 'User', NULL, input ->> 'label');
END
$fn$;
"#;
    let (db, state) = demo_plus(
        "mut_serial",
        sql,
        r#"  slowLog(input: SlowLogInput!): SlowLogResult! @function(name: "fn_slow_log", entity: "User")"#,
        "input SlowLogInput { label: String!, sleepMs: Int! }",
    )
    .await;
    let c = db.connect().await;
    let id = user_id(&c, 11).await;

    let q = "mutation($id: ID!) {
        a: updateUser(input: {id: $id, fullName: \"A\"}) { ... on UpdateUserSuccess { status user { fullName } } }
        b: updateUser(input: {id: $id, fullName: \"B\"}) { ... on UpdateUserSuccess { status user { fullName } } }
        again: updateUser(input: {id: $id, fullName: \"B\"}) { ... on UpdateUserSuccess { status user { fullName } } }
    }";
    let d = data(&state, q, json!({"id": id})).await;
    assert_eq!(
        ordered(&d),
        ordered(&json!({
            "a": {"status": "updated", "user": {"fullName": "A"}},
            "b": {"status": "updated", "user": {"fullName": "B"}},
            // The third sees the second's commit.
            "again": {"status": "noop:unchanged", "user": {"fullName": "B"}}
        }))
    );
    let d = data(
        &state,
        "query($id: ID!) { user(id: $id) { fullName } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(d["user"]["fullName"], "B");

    // A create then the same create: the second conflicts with the first's committed row.
    let q = "mutation {
        z: createUser(input: {username: \"serial.one\", fullName: \"S\", email: \"s1@x.example\", age: 20, birthDate: \"2000-01-01\"}) { __typename }
        y: createUser(input: {username: \"serial.one\", fullName: \"S\", email: \"s2@x.example\", age: 20, birthDate: \"2000-01-01\"}) { __typename ... on CreateUserError { code } }
    }";
    let d = data(&state, q, json!({})).await;
    assert_eq!(
        ordered(&d),
        ordered(&json!({"z": {"__typename": "CreateUserSuccess"},
                        "y": {"__typename": "CreateUserError", "code": "CONFLICT"}}))
    );

    // A slow first field still finishes before the second starts.
    let q = "mutation {
        first: slowLog(input: {label: \"first\", sleepMs: 400}) { ... on SlowLogSuccess { message } }
        second: slowLog(input: {label: \"second\", sleepMs: 0}) { ... on SlowLogSuccess { message } }
        third: slowLog(input: {label: \"third\", sleepMs: 100}) { ... on SlowLogSuccess { message } }
    }";
    let d = data(&state, q, json!({})).await;
    assert_eq!(
        ordered(&d),
        ordered(
            &json!({"first": {"message": "first"}, "second": {"message": "second"},
                        "third": {"message": "third"}})
        )
    );
    assert_eq!(
        text(
            &c,
            "SELECT string_agg(label, ',' ORDER BY at) FROM tb_serial_log"
        )
        .await,
        "first,second,third"
    );
}

// ---------------------------------------------------------------------------------------
// Signature check at start-up
// ---------------------------------------------------------------------------------------

const THING_SQL: &str = r#"
CREATE TABLE tb_thing (id uuid PRIMARY KEY, name text NOT NULL);
CREATE VIEW v_thing AS SELECT id, jsonb_build_object('id', id, 'name', name) AS data FROM tb_thing;
CREATE FUNCTION fn_jsonb(input jsonb) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$ SELECT fraiseql.mutation_ok(NULL, 'Thing', input) $fn$;
CREATE FUNCTION fn_uuid(id uuid) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$ SELECT fraiseql.mutation_ok(id::text, 'Thing', NULL) $fn$;
CREATE FUNCTION fn_two(input jsonb, extra int) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$ SELECT fraiseql.mutation_ok(NULL, 'Thing', input) $fn$;
CREATE FUNCTION fn_int(input jsonb) RETURNS int LANGUAGE sql AS $fn$ SELECT 1 $fn$;
CREATE FUNCTION fn_table(input jsonb) RETURNS TABLE (ok boolean, msg text)
LANGUAGE sql AS $fn$ SELECT true, 'x' $fn$;
CREATE FUNCTION fn_over(input jsonb) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$ SELECT fraiseql.mutation_ok(NULL, 'Thing', input) $fn$;
CREATE FUNCTION fn_over(id uuid) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$ SELECT fraiseql.mutation_ok(id::text, 'Thing', NULL) $fn$;
CREATE SCHEMA app;
CREATE FUNCTION app.fn_in_app(input jsonb) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$ SELECT fraiseql.mutation_ok(NULL, 'Thing', input || '{"from": "app"}') $fn$;
"#;

fn thing_sdl(mutation_fields: &str) -> String {
    format!(
        r#"
type Thing @view(name: "v_thing") {{ id: ID! name: String! }}
type Query {{ things: [Thing!]! }}
type Mutation {{
{mutation_fields}
}}
input ThingInput {{ id: ID!, name: String! }}
"#
    )
}

#[tokio::test]
async fn signature_mismatch_stops_start_up_naming_field_function_and_signature() {
    let db = thing_db("mut_signature").await;

    // The matching declarations start.
    let ok = thing_sdl(
        r#"
  saveThing(input: ThingInput!): SaveThingResult! @function(name: "fn_jsonb")
  removeThing(id: ID!): RemoveThingResult! @function(name: "fn_uuid", args: POSITIONAL)"#,
    );
    if let Err(e) = start(&db.url, &ok).await {
        panic!("a matching schema starts: {e}");
    }

    // (field, declaration, what the message must name)
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "POSITIONAL with two arguments, function takes one jsonb",
            r#"  renameThing(id: ID!, name: String!): RenameThingResult! @function(name: "fn_jsonb", args: "POSITIONAL", entity: "Thing")"#,
            &[
                "Mutation.renameThing",
                "fn_jsonb",
                "POSITIONAL",
                "input jsonb",
                "(id ",
                "name ",
            ],
        ),
        (
            "JSONB (default), function takes a uuid",
            r#"  saveThing(input: ThingInput!): SaveThingResult! @function(name: "fn_uuid")"#,
            &[
                "Mutation.saveThing",
                "fn_uuid",
                "JSONB",
                "id uuid",
                "input jsonb",
            ],
        ),
        (
            "JSONB, function takes an extra argument",
            r#"  saveThing(input: ThingInput!): SaveThingResult! @function(name: "fn_two")"#,
            &[
                "Mutation.saveThing",
                "fn_two",
                "input jsonb, extra integer",
                "(input jsonb",
            ],
        ),
        (
            "missing function",
            r#"  saveThing(input: ThingInput!): SaveThingResult! @function(name: "fn_nowhere")"#,
            &["Mutation.saveThing", "fn_nowhere", "does not exist"],
        ),
        (
            "function returning int",
            r#"  saveThing(input: ThingInput!): SaveThingResult! @function(name: "fn_int")"#,
            &[
                "Mutation.saveThing",
                "fn_int",
                "fraiseql.mutation_response",
                "succeeded, state_changed",
                "status, message",
            ],
        ),
        (
            "function returning another table",
            r#"  saveThing(input: ThingInput!): SaveThingResult! @function(name: "fn_table")"#,
            &[
                "Mutation.saveThing",
                "fn_table",
                "ok, msg",
                "fraiseql.mutation_response",
            ],
        ),
    ];
    for (what, field, needles) in cases {
        let err = match start(&db.url, &thing_sdl(field)).await {
            Ok(_) => panic!("{what}: start-up should fail"),
            Err(e) => e,
        };
        for n in *needles {
            assert!(err.contains(n), "{what}: the message names `{n}`: {err}");
        }
        assert!(
            err.contains("schema.graphql:"),
            "{what}: the message has the SDL location: {err}"
        );
    }

    // Every mismatch is reported at once.
    let err = match start(
        &db.url,
        &thing_sdl(
            r#"
  a(input: ThingInput!): AResult! @function(name: "fn_uuid", entity: "Thing")
  b(input: ThingInput!): BResult! @function(name: "fn_missing", entity: "Thing")"#,
        ),
    )
    .await
    {
        Ok(_) => panic!("two bad mutations: start-up should fail"),
        Err(e) => e,
    };
    assert!(
        err.contains("Mutation.a") && err.contains("Mutation.b"),
        "both named: {err}"
    );
}

/// A database with `fraiseql setup` and the signature-test functions.
async fn thing_db(prefix: &str) -> TestDb {
    let db = TestDb::create(prefix).await;
    db.exec_sql(&format!(
        "SET client_min_messages = warning;\n{}\n{THING_SQL}",
        fraiseql_server::SETUP_SQL
    ))
    .await;
    db
}

#[tokio::test]
async fn function_in_another_schema_is_found() {
    let db = thing_db("mut_sig_schema").await;
    // `schema: "app"`: app is not on the search_path.
    let sdl = thing_sdl(
        r#"  saveThing(input: ThingInput!): SaveThingResult! @function(name: "fn_in_app", schema: "app")"#,
    );
    match start(&db.url, &sdl).await {
        Ok(state) => {
            let d = data(
                &state,
                "mutation { saveThing(input: {id: \"1\", name: \"n\"}) { ... on SaveThingSuccess { thing { name } } } }",
                json!({}),
            )
            .await;
            assert_eq!(d["saveThing"]["thing"]["name"], "n");
        }
        Err(e) => panic!("@function(schema: \"app\") finds app.fn_in_app: {e}"),
    }
}

#[tokio::test]
async fn overloaded_function_is_not_reported_missing() {
    let db = thing_db("mut_sig_overload").await;
    let sdl = thing_sdl(
        r#"  saveThing(input: ThingInput!): SaveThingResult! @function(name: "fn_over")"#,
    );
    match start(&db.url, &sdl).await {
        Ok(_) => {} // picking the overload that fits is acceptable too
        Err(e) => {
            assert!(
                e.contains("Mutation.saveThing") && e.contains("fn_over"),
                "{e}"
            );
            assert!(
                !e.contains("does not exist"),
                "an overloaded function exists; say it is ambiguous: {e}"
            );
        }
    }
}

#[tokio::test]
async fn positional_scalar_into_a_jsonb_parameter_stops_start_up() {
    let db = thing_db("mut_sig_types").await;
    // One GraphQL argument, one function parameter, but ID is not jsonb.
    let sdl = thing_sdl(
        r#"  removeThing(id: ID!): RemoveThingResult! @function(name: "fn_jsonb", args: "POSITIONAL", entity: "Thing")"#,
    );
    match start(&db.url, &sdl).await {
        Ok(state) => {
            let r = support::execute(
                &state,
                "mutation { removeThing(id: \"abc\") { __typename ... on RemoveThingError { code status message } } }",
                json!({}),
            )
            .await;
            panic!("start-up accepted ID → jsonb; at run time: {r}");
        }
        Err(e) => {
            assert!(
                e.contains("Mutation.removeThing")
                    && e.contains("fn_jsonb")
                    && e.contains("input jsonb"),
                "{e}"
            );
        }
    }
}

#[tokio::test]
async fn set_returning_function_is_refused_or_a_typed_error() {
    let sql = r#"
CREATE FUNCTION fn_many(input jsonb) RETURNS SETOF fraiseql.mutation_response
LANGUAGE sql AS $fn$
    SELECT fraiseql.mutation_ok(NULL, 'User', NULL, 'one')
    UNION ALL SELECT fraiseql.mutation_ok(NULL, 'User', NULL, 'two')
$fn$;
"#;
    let db = TestDb::create("mut_setof").await;
    db.exec_sql(&format!(
        "SET client_min_messages = warning;\n{}",
        demo_sql_with(sql)
    ))
    .await;
    let sdl = demo_sdl_with(
        r#"  many(input: ManyInput): ManyResult! @function(name: "fn_many", entity: "User")"#,
        "input ManyInput { note: String }",
    );
    match start(&db.url, &sdl).await {
        Err(e) => assert!(e.contains("Mutation.many") && e.contains("fn_many"), "{e}"),
        Ok(state) => {
            let r = support::execute(&state, "mutation { many { __typename } }", json!({})).await;
            assert_ne!(
                r["errors"][0]["extensions"]["code"], "DATABASE_UNAVAILABLE",
                "the database is fine; the function returned two rows: {r}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Input validation before the database
// ---------------------------------------------------------------------------------------

const RECORD_FIELDS: &str = r#"  recordCall(input: RecordCallInput!): RecordCallResult! @function(name: "fn_record_call", entity: "User")"#;

const RECORD_TYPES: &str = r#"
enum CallKind { FAST SLOW }
input CallNested { innerValue: Int! }
input RecordCallInput {
  n: Int!
  email: String!
  kind: CallKind!
  fullName: String
  tags: [String!]
  nested: CallNested
  when: Date
}
"#;

/// Variables for `recordCall(input: $i)` that coercion must refuse.
fn invalid_variables() -> Vec<Value> {
    vec![
        json!({"i": {"n": "x", "email": "a@b.c", "kind": "FAST"}}),
        json!({"i": {"n": 1, "kind": "FAST"}}),
        json!({"i": {"n": 1, "email": "a@b.c", "kind": "MEDIUM"}}),
        json!({"i": {"n": null, "email": "a@b.c", "kind": "FAST"}}),
        json!({"i": {"n": 1.5, "email": "a@b.c", "kind": "FAST"}}),
        json!({"i": {"n": 2_147_483_648_i64, "email": "a@b.c", "kind": "FAST"}}),
        json!({"i": {"n": 1, "email": "a@b.c", "kind": "FAST", "bogus": 1}}),
        json!({"i": {"n": 1, "email": "a@b.c", "kind": "FAST", "nested": {}}}),
        json!({"i": {"n": 1, "email": "a@b.c", "kind": "FAST", "tags": [1]}}),
        json!({"i": {"n": 1, "email": ["a"], "kind": "FAST"}}),
        json!({"i": null}),
        json!({}),
        json!({"i": "not an object"}),
    ]
}

#[tokio::test]
async fn invalid_input_never_reaches_the_function() {
    let (db, state) = demo_plus("mut_input", "", RECORD_FIELDS, RECORD_TYPES).await;
    let c = db.connect().await;
    let selection =
        "{ __typename ... on RecordCallSuccess { status } ... on RecordCallError { code } }";

    // Literals: document validation.
    let literals = [
        "n: \"x\", email: \"a@b.c\", kind: FAST",
        "n: 1, kind: FAST",
        "n: 1, email: \"a@b.c\", kind: MEDIUM",
        "n: null, email: \"a@b.c\", kind: FAST",
        "n: 1, email: \"a@b.c\", kind: \"FAST\"",
        "n: 1.5, email: \"a@b.c\", kind: FAST",
        "n: 1, email: \"a@b.c\", kind: FAST, bogus: 1",
        "n: 1, email: \"a@b.c\", kind: FAST, nested: {}",
        "n: 1, email: 42, kind: FAST",
        "n: 1, email: \"a@b.c\", kind: FAST, tags: [1]",
        "n: 3000000000, email: \"a@b.c\", kind: FAST",
    ];
    for args in literals {
        let q = format!("mutation {{ recordCall(input: {{ {args} }}) {selection} }}");
        for e in request_errors(&state, &q, json!({})).await {
            assert_eq!(
                e["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
                "{args}: {e}"
            );
            assert!(
                e["locations"].as_array().is_some_and(|l| !l.is_empty()),
                "{args}: the error has a location: {e}"
            );
        }
    }
    let q = format!("mutation($i: RecordCallInput!) {{ recordCall(input: $i) {selection} }}");
    let variables = invalid_variables();
    for v in &variables {
        for e in request_errors(&state, &q, v.clone()).await {
            assert_eq!(e["extensions"]["code"], "BAD_USER_INPUT", "{v}: {e}");
            assert!(e["message"].is_string(), "{v}: {e}");
        }
    }
    assert_eq!(
        count(&c, "SELECT count(*) FROM tb_mutation_call_log").await,
        0,
        "no invalid call reached the function"
    );

    // A valid call reaches it once, with snake_case keys (nested too) and only the given fields.
    let d = data(
        &state,
        &q,
        json!({"i": {"n": 3, "email": "a@b.c", "kind": "SLOW", "fullName": "Zed Zee",
                      "tags": ["x", "y"], "nested": {"innerValue": 2}}}),
    )
    .await;
    assert_eq!(
        d["recordCall"],
        json!({"__typename": "RecordCallSuccess", "status": "created"})
    );
    let rows = c
        .query("SELECT input FROM tb_mutation_call_log", &[])
        .await
        .expect("log");
    assert_eq!(rows.len(), 1);
    let input: Value = rows[0].get(0);
    assert_eq!(
        input,
        json!({"n": 3, "email": "a@b.c", "kind": "SLOW", "full_name": "Zed Zee",
               "tags": ["x", "y"], "nested": {"inner_value": 2}})
    );
    // Literals too.
    let d = data(
        &state,
        &format!(
            "mutation {{ recordCall(input: {{n: 4, email: \"b@c.d\", kind: FAST, nested: {{innerValue: 5}}}}) {selection} }}"
        ),
        json!({}),
    )
    .await;
    assert_eq!(d["recordCall"]["status"], "created");
    let input: Value = c
        .query_one(
            "SELECT input FROM tb_mutation_call_log ORDER BY called_at DESC LIMIT 1",
            &[],
        )
        .await
        .expect("log")
        .get(0);
    assert_eq!(
        input,
        json!({"n": 4, "email": "b@c.d", "kind": "FAST", "nested": {"inner_value": 5}})
    );
}

#[tokio::test]
async fn variable_coercion_errors_have_a_location_or_path() {
    let (_db, state) = demo_plus("mut_input_loc", "", RECORD_FIELDS, RECORD_TYPES).await;
    let q = "mutation($i: RecordCallInput!) { recordCall(input: $i) { __typename } }";
    let mut missing = Vec::new();
    for v in invalid_variables() {
        for e in request_errors(&state, q, v.clone()).await {
            let located = e["locations"].as_array().is_some_and(|l| !l.is_empty())
                || e["path"].as_array().is_some_and(|p| !p.is_empty());
            if !located {
                missing.push(format!("{v} => {e}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "errors without a location or path:\n{}",
        missing.join("\n")
    );
}

#[tokio::test]
async fn invalid_custom_scalar_input_never_reaches_the_function() {
    let (db, state) = demo_plus("mut_input_scalar", "", RECORD_FIELDS, RECORD_TYPES).await;
    let c = db.connect().await;
    let q = "mutation($i: RecordCallInput!) { recordCall(input: $i) { __typename } }";
    for when in ["2024-13-45", "yesterday", "2024-02-30"] {
        let r = support::execute(
            &state,
            q,
            json!({"i": {"n": 1, "email": "a@b.c", "kind": "FAST", "when": when}}),
        )
        .await;
        assert!(
            r.get("data").is_none() && r["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT",
            "Date {when:?} is rejected before the database: {r}"
        );
    }
    assert_eq!(
        count(&c, "SELECT count(*) FROM tb_mutation_call_log").await,
        0
    );
}

// ---------------------------------------------------------------------------------------
// Query/mutation projection parity
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn mutation_entity_is_projected_exactly_like_the_query() {
    let (db, state) = support::demo("mut_parity").await;
    let c = db.connect().await;
    let query = format!("query($id: ID!) {{ x: user(id: $id) {{ {USER_SELECTION} }} }}");
    let update = format!(
        "mutation($i: UpdateUserInput!) {{ updateUser(input: $i) {{ \
         ... on UpdateUserSuccess {{ status x: user {{ {USER_SELECTION} }} }} }} }}"
    );
    // Users with and without posts, IPv4/IPv6/no last login, null profile parts.
    for n in [1, 5, 6, 12, 44, 45] {
        let id = user_id(&c, n).await;
        for input in [
            json!({"id": id, "location": "Quito", "bio": null}),
            json!({"id": id, "location": "Quito", "bio": null}), // noop: same entity again
        ] {
            let m = data(&state, &update, json!({"i": input})).await;
            let q = data(&state, &query, json!({"id": id})).await;
            assert!(m["updateUser"]["x"].is_object(), "{m}");
            assert_eq!(
                ordered(&m["updateUser"]["x"]),
                ordered(&q["x"]),
                "user {n}: mutation and query project the same"
            );
        }
    }

    // createUser's entity, and a v1 row's (Post: floats, ltree, lists, nested author).
    let create = format!(
        "mutation {{ createUser(input: {{username: \"par.ity\", fullName: \"Par Ity\", email: \"p@ity.example\", \
         age: 41, birthDate: \"1984-02-29\", website: \"https://p.example\"}}) {{ \
         ... on CreateUserSuccess {{ x: user {{ {USER_SELECTION} }} }} }} }}"
    );
    let m = data(&state, &create, json!({})).await;
    let id = m["createUser"]["x"]["id"].as_str().expect("id").to_owned();
    let q = data(&state, &query, json!({"id": id})).await;
    assert_eq!(ordered(&m["createUser"]["x"]), ordered(&q["x"]));

    let post_selection = "__typename id title slug body tags categoryPath viewCount rating isPublished \
                          publishedAt createdAt commentCount author { username id fullName }";
    for p in [1, 9, 13] {
        let id = post_id(&c, p).await;
        let m = data(
            &state,
            &format!(
                "mutation($i: RenamePostInput!) {{ renamePost(input: $i) {{ \
                 ... on RenamePostSuccess {{ x: post {{ {post_selection} }} }} }} }}"
            ),
            json!({"i": {"id": id, "title": format!("Parity {p}")}}),
        )
        .await;
        let q = data(
            &state,
            &format!("query($id: ID!) {{ x: post(id: $id) {{ {post_selection} }} }}"),
            json!({"id": id}),
        )
        .await;
        assert!(m["renamePost"]["x"].is_object(), "{m}");
        assert_eq!(ordered(&m["renamePost"]["x"]), ordered(&q["x"]), "post {p}");
    }
}

// ---------------------------------------------------------------------------------------
// HTTP: no mutations over GET
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn mutations_over_get_are_refused_and_write_nothing() {
    let (db, state) = support::demo("mut_get").await;
    let c = db.connect().await;
    let id = user_id(&c, 8).await;
    let before = text(
        &c,
        "SELECT full_name FROM tb_user WHERE id = md5('user-8')::uuid",
    )
    .await;
    let query = format!(
        "mutation {{ updateUser(input: {{id: \"{id}\", fullName: \"Via GET\"}}) {{ __typename }} }}"
    );
    let encoded: String = query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let app = fraiseql_server::app(state.clone());
    for _ in 0..2 {
        let req = Request::get(format!("/graphql?query={encoded}"))
            .header(header::ACCEPT, "application/graphql-response+json")
            .body(Body::empty())
            .expect("request");
        let res = app.clone().oneshot(req).await.expect("infallible");
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            res.headers()
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok()),
            Some("POST")
        );
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        let body: Value = serde_json::from_slice(&body).expect("json body");
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "METHOD_NOT_ALLOWED"
        );
    }
    // The executor refuses it too when mutations are not allowed.
    let res = state
        .executor
        .execute(
            GraphQLRequest {
                query: query.clone(),
                operation_name: None,
                variables: JsonMap::new(),
                ..Default::default()
            },
            false,
        )
        .await;
    assert_eq!(res.outcome, Outcome::MethodNotAllowed);
    assert_eq!(
        text(
            &c,
            "SELECT full_name FROM tb_user WHERE id = md5('user-8')::uuid"
        )
        .await,
        before,
        "nothing was written"
    );
    // The same over POST runs.
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "query": query }).to_string()))
        .expect("request");
    let res = app.oneshot(req).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        text(
            &c,
            "SELECT full_name FROM tb_user WHERE id = md5('user-8')::uuid"
        )
        .await,
        "Via GET"
    );
}

// ---------------------------------------------------------------------------------------
// POSITIONAL arguments
// ---------------------------------------------------------------------------------------

const POSITIONAL_SQL: &str = r#"
CREATE TABLE tb_positional_log (id serial PRIMARY KEY, title text, count int, tags text[]);
CREATE FUNCTION fn_add_item(p_title text, p_count int, p_tags text[]) RETURNS fraiseql.mutation_response
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO tb_positional_log (title, count, tags) VALUES (p_title, p_count, p_tags);
    RETURN fraiseql.mutation_ok(NULL, 'Item',
        jsonb_build_object('title', p_title, 'count', p_count, 'tags', to_jsonb(p_tags)),
        status_detail => 'created');
END
$fn$;
"#;

const POSITIONAL_FIELDS: &str = r#"
  addItem(title: String!, count: Int!, tags: [String!]): AddItemResult! @function(name: "fn_add_item", args: "POSITIONAL", entity: "Item")
  addItemInput(input: AddItemInput!): AddItemInputResult! @function(name: "fn_add_item", args: "POSITIONAL", entity: "Item")
"#;

const POSITIONAL_TYPES: &str = r#"
type Item { title: String! count: Int! tags: [String!] }
input AddItemInput { title: String!, count: Int!, tags: [String!] }
"#;

#[tokio::test]
async fn positional_arguments_follow_declaration_order() {
    let (db, state) = demo_plus(
        "mut_positional",
        POSITIONAL_SQL,
        POSITIONAL_FIELDS,
        POSITIONAL_TYPES,
    )
    .await;
    let c = db.connect().await;
    // Arguments given in another order than declared.
    let d = data(
        &state,
        "mutation { addItem(tags: [\"a\", \"b\"], count: 7, title: \"Seven\") { \
         ... on AddItemSuccess { status item { title count tags } } ... on AddItemError { code message } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        d["addItem"],
        json!({"status": "created", "item": {"title": "Seven", "count": 7, "tags": ["a", "b"]}})
    );
    // Variables, an omitted optional argument (NULL), and the flattened input object.
    let d = data(
        &state,
        "mutation($c: Int!, $t: String!) { \
           one: addItem(count: $c, title: $t) { ... on AddItemSuccess { item { title count tags } } } \
           two: addItemInput(input: {count: 2, tags: [\"it's\", \"x,y\"], title: \"Two\"}) { \
             ... on AddItemInputSuccess { item { title count tags } } ... on AddItemInputError { code message } } }",
        json!({"c": 1, "t": "One"}),
    )
    .await;
    assert_eq!(
        d,
        json!({
            "one": {"item": {"title": "One", "count": 1, "tags": null}},
            "two": {"item": {"title": "Two", "count": 2, "tags": ["it's", "x,y"]}}
        })
    );
    let rows: Vec<(String, i32, Option<Vec<String>>)> = c
        .query(
            "SELECT title, count, tags FROM tb_positional_log ORDER BY id",
            &[],
        )
        .await
        .expect("log")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("Seven".into(), 7, Some(vec!["a".into(), "b".into()])),
            ("One".into(), 1, None),
            ("Two".into(), 2, Some(vec!["it's".into(), "x,y".into()])),
        ]
    );

    // The demo's deleteUser(id:) is positional too (fn_delete_user(id uuid)).
    let id = user_id(&c, 45).await;
    let d = data(
        &state,
        "mutation($id: ID!) { deleteUser(id: $id) { ... on DeleteUserSuccess { status user { id } } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        d["deleteUser"],
        json!({"status": "deleted", "user": {"id": id}})
    );
    assert_eq!(
        count(
            &c,
            "SELECT count(*) FROM tb_user WHERE id = md5('user-45')::uuid"
        )
        .await,
        0
    );
}

// ---------------------------------------------------------------------------------------
// Context parameters
// ---------------------------------------------------------------------------------------

const CONTEXT_SQL: &str = r#"
CREATE FUNCTION fn_whoami(input jsonb, user_id text, tenant_id uuid) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$
    SELECT fraiseql.mutation_ok(NULL, 'User',
        jsonb_build_object('username', coalesce(user_id, '<none>'),
                           'full_name', coalesce(tenant_id::text, '<none>'),
                           'email', input ->> 'note'))
$fn$;
CREATE FUNCTION fn_org(p_note text, org text) RETURNS fraiseql.mutation_response
LANGUAGE sql AS $fn$
    SELECT fraiseql.mutation_ok(NULL, 'User',
        jsonb_build_object('username', coalesce(org, '<none>'), 'email', p_note))
$fn$;
"#;

const CONTEXT_FIELDS: &str = r#"
  whoami(input: WhoamiInput!): WhoamiResult! @function(name: "fn_whoami", entity: "User")
  orgNote(note: String!): OrgNoteResult! @function(name: "fn_org", args: "POSITIONAL", entity: "User", context: ["org"])
"#;

const CONTEXT_TYPES: &str = "input WhoamiInput { note: String }";

/// Plans with `context` and runs the mutation steps the way the executor does.
async fn run_with_context(state: &AppState, query: &str, context: &RequestContext) -> Value {
    let engine = &state.executor.engine;
    let prepared = engine
        .prepare(query, None, true)
        .unwrap_or_else(|e| panic!("prepare: {e:?}"));
    let plan = engine
        .plan_with_context(&prepared, &JsonMap::new(), context)
        .unwrap_or_else(|e| panic!("plan: {e:?}"));
    let mut outcomes = Vec::new();
    for step in &plan.steps {
        if let Step::Query {
            query, mutation, ..
        } = step
        {
            let template = mutation.as_ref().expect("a mutation step");
            outcomes.push(
                fraiseql_server::db::run_mutation(
                    &state.executor.pool,
                    query,
                    template,
                    fraiseql_server::db::Scope {
                        context,
                        settings: &[],
                        slots: &[],
                    },
                    true,
                )
                .await,
            );
        }
    }
    serde_json::from_str(&fraiseql_core::response::assemble(&plan, outcomes)).expect("json")
}

#[tokio::test]
async fn context_parameters_come_from_the_request_context() {
    let (_db, state) = demo_plus("mut_context", CONTEXT_SQL, CONTEXT_FIELDS, CONTEXT_TYPES).await;
    let q = "mutation { whoami(input: {note: \"hello\"}) { ... on WhoamiSuccess { user { username fullName email } } } \
               orgNote(note: \"n\") { ... on OrgNoteSuccess { user { username email } } } }";
    let tenant = "6f1c2a4e-0000-4000-8000-000000000001";
    let context = RequestContext {
        values: HashMap::from([
            ("user_id".to_owned(), "user-42".to_owned()),
            ("tenant_id".to_owned(), tenant.to_owned()),
            ("org".to_owned(), "acme".to_owned()),
        ]),
        ..RequestContext::default()
    };

    // The plan passes each context value by name, bound as a parameter.
    let engine = &state.executor.engine;
    let prepared = engine.prepare(q, None, true).expect("prepare");
    let plan = engine
        .plan_with_context(&prepared, &JsonMap::new(), &context)
        .expect("plan");
    let sqls: Vec<&fraiseql_core::sql::SqlQuery> = plan.queries().collect();
    assert_eq!(sqls.len(), 2);
    assert!(
        sqls[0].sql.contains("\"user_id\" => $") && sqls[0].sql.contains("\"tenant_id\" => $"),
        "{}",
        sqls[0].sql
    );
    assert!(sqls[0].params.contains(&Param::Text("user-42".into())));
    assert!(sqls[0].params.contains(&Param::Text(tenant.into())));
    assert!(sqls[1].sql.contains("\"org\" => $"), "{}", sqls[1].sql);
    assert!(sqls[1].params.contains(&Param::Text("acme".into())));
    assert!(
        !sqls[0].sql.contains("user-42") && !sqls[1].sql.contains("acme"),
        "values are parameters, not SQL text"
    );

    // Run: the function sees them.
    let r = run_with_context(&state, q, &context).await;
    assert_eq!(
        no_errors(&r),
        &json!({
            "whoami": {"user": {"username": "user-42", "fullName": tenant, "email": "hello"}},
            "orgNote": {"user": {"username": "acme", "email": "n"}}
        })
    );
    // Through the executor, with the request's context.
    let res = state
        .executor
        .execute(
            GraphQLRequest {
                query: q.to_owned(),
                context: context.clone(),
                ..Default::default()
            },
            true,
        )
        .await;
    let r: Value = serde_json::from_str(&res.body).expect("json");
    assert_eq!(
        no_errors(&r),
        &json!({
            "whoami": {"user": {"username": "user-42", "fullName": tenant, "email": "hello"}},
            "orgNote": {"user": {"username": "acme", "email": "n"}}
        })
    );
    // Without a context they are NULL.
    let d = data(&state, q, json!({})).await;
    assert_eq!(
        d,
        json!({
            "whoami": {"user": {"username": "<none>", "fullName": "<none>", "email": "hello"}},
            "orgNote": {"user": {"username": "<none>", "email": "n"}}
        })
    );
    // Over HTTP in dev mode: from the configured headers (x-user-id, x-tenant-id).
    let post = |with_headers: bool| {
        let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        if with_headers {
            req = req
                .header("x-user-id", "header-user")
                .header("x-tenant-id", tenant);
        }
        req.body(Body::from(json!({ "query": q }).to_string()))
            .expect("request")
    };
    let body = |res: axum::response::Response| async move {
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        serde_json::from_slice::<Value>(&bytes).expect("json body")
    };
    let app = fraiseql_server::app(state.clone());
    let r = body(app.clone().oneshot(post(true)).await.expect("infallible")).await;
    assert_eq!(
        no_errors(&r)["whoami"]["user"],
        json!({"username": "header-user", "fullName": tenant, "email": "hello"})
    );
    assert_eq!(no_errors(&r)["orgNote"]["user"]["username"], "<none>");
    // Outside dev mode the headers are ignored.
    let (_db2, prod) = support::state_with(
        "mut_context_prod",
        &demo_sql_with(CONTEXT_SQL),
        &demo_sdl_with(CONTEXT_FIELDS, CONTEXT_TYPES),
        |cfg| cfg.server.dev = false,
    )
    .await;
    let app = fraiseql_server::app(prod);
    let r = body(app.oneshot(post(true)).await.expect("infallible")).await;
    assert_eq!(
        no_errors(&r)["whoami"]["user"],
        json!({"username": "<none>", "fullName": "<none>", "email": "hello"})
    );
    // A client cannot set a context parameter through the input.
    let r = support::execute(
        &state,
        "mutation { whoami(input: {note: \"x\", userId: \"evil\"}) { __typename } }",
        json!({}),
    )
    .await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{r}"
    );
}

// ---------------------------------------------------------------------------------------
// A result union declared in the SDL, and `fraiseql setup` run twice
// ---------------------------------------------------------------------------------------

const DECLARED_FIELDS: &str = r#"  renameUser(input: UpdateUserInput!): RenameOutcome! @function(name: "fn_update_user", entity: "User")"#;
const DECLARED_TYPES: &str = r#"
"Declared by the user: the engine fills the fields it knows by name."
union RenameOutcome = Renamed | RenameRefused
type Renamed {
  status: String!
  noop: Boolean!
  user: User
}
type RenameRefused {
  code: String!
  message: String
}
"#;

#[tokio::test]
async fn a_declared_result_union_is_honoured() {
    let (db, state) = demo_plus("mut_declared", "", DECLARED_FIELDS, DECLARED_TYPES).await;
    let c = db.connect().await;
    let id = user_id(&c, 3).await;
    let q = "mutation($i: UpdateUserInput!) { renameUser(input: $i) { __typename \
             ... on Renamed { status noop user { fullName } } ... on RenameRefused { code message } } }";
    let d = data(
        &state,
        q,
        json!({"i": {"id": id, "fullName": "Declared Name"}}),
    )
    .await;
    assert_eq!(
        ordered(&d["renameUser"]),
        ordered(
            &json!({"__typename": "Renamed", "status": "updated", "noop": false, "user": {"fullName": "Declared Name"}})
        )
    );
    let d = data(
        &state,
        q,
        json!({"i": {"id": "00000000-0000-0000-0000-000000000000", "fullName": "x"}}),
    )
    .await;
    assert_eq!(d["renameUser"]["__typename"], "RenameRefused");
    assert_eq!(d["renameUser"]["code"], "NOT_FOUND");
    // The engine generated nothing for the declared union.
    let sdl = state.executor.engine.schema.sdl();
    assert!(
        !sdl.contains("RenameOutcomeSuccess")
            && sdl.contains("union RenameOutcome = Renamed | RenameRefused")
    );
}

#[tokio::test]
async fn setup_sql_runs_twice_and_installs_the_helpers() {
    let db = TestDb::create("mut_setup_twice").await;
    db.exec_sql(fraiseql_server::SETUP_SQL).await;
    db.exec_sql(fraiseql_server::SETUP_SQL).await;
    let c = db.connect().await;
    let n = count(
        &c,
        "SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE n.nspname = 'fraiseql' AND t.typname IN ('mutation_response', 'mutation_result_v1')",
    )
    .await;
    assert_eq!(n, 2);
    let ok = text(
        &c,
        "SELECT (fraiseql.mutation_ok('1', 'User', '{\"id\": \"1\"}'::jsonb)).status_detail",
    )
    .await;
    assert_eq!(ok, "success");
    let err = text(
        &c,
        "SELECT (fraiseql.mutation_err('not_found', 'gone')).http_status::text",
    )
    .await;
    assert_eq!(err, "404");
}
