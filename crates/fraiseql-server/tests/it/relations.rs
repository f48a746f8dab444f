//! `@relation`: a nested filter on an embedded object becomes a semi-join on the related
//! view's real columns. The answers must equal those of the same filter over the JSON.

use fraiseql_core::Step;
use fraiseql_server::AppState;
use serde_json::{Value, json};

use crate::support::{self, start};

const SQL: &str = r#"
CREATE TABLE tb_user (id integer PRIMARY KEY, username text NOT NULL, age integer, city text);
CREATE TABLE tb_post (id integer PRIMARY KEY, author_id integer REFERENCES tb_user (id),
                      editor_id bigint, title text NOT NULL, views integer NOT NULL);
INSERT INTO tb_user VALUES
  (1, 'ada', 36, 'London'), (2, 'bob_1', 25, NULL), (3, 'bo%b', 41, 'Paris'), (4, 'cyd', NULL, 'Oslo');
INSERT INTO tb_post VALUES
  (10, 1, 2, 'Engines', 120), (11, 2, 1, 'Tables', 5), (12, 3, NULL, 'Indexes', 300),
  (13, NULL, NULL, 'Orphan', 7), (14, 1, 3, 'Notes', 42), (15, 4, 4, 'Maps', 9);
CREATE VIEW v_user AS
SELECT u.id, u.username, u.age,
       jsonb_build_object('id', u.id::text, 'username', u.username, 'age', u.age,
                          'city', u.city) AS data
FROM tb_user u;
CREATE VIEW v_post AS
SELECT p.id, p.author_id, p.editor_id, p.views,
       jsonb_build_object('id', p.id::text, 'title', p.title, 'views', p.views,
         'author', (SELECT v.data FROM v_user v WHERE v.id = p.author_id)) AS data
FROM tb_post p;
"#;

const TYPES: &str = r#"
type User @view(name: "v_user") {
  id: ID!
  username: String!
  age: Int
  city: String
}
type Query {
  posts: [Post!]!
  users: [User!]!
}
"#;

fn sdl(author_directive: &str) -> String {
    format!(
        "type Post @view(name: \"v_post\") {{\n  id: ID!\n  title: String!\n  views: Int!\n  author: User {author_directive}\n}}\n{TYPES}"
    )
}

/// Post embeds `Author`, a type without a view: the relation names the view to join.
fn sdl_embedded(author_directive: &str) -> String {
    format!(
        "type Post @view(name: \"v_post\") {{\n  id: ID!\n  title: String!\n  views: Int!\n  author: Author {author_directive}\n}}\ntype Author {{\n  id: ID!\n  username: String!\n  city: String\n}}\n{TYPES}"
    )
}

/// The statements a request plans, as SQL texts.
fn planned_sql(state: &AppState, query: &str, variables: Value) -> Vec<String> {
    let engine = &state.executor.engine;
    let prepared = engine.prepare(query, None, true).expect("prepares");
    let vars = match serde_json::from_value(variables).expect("variables") {
        fraiseql_server::exec::JsonValue::Object(m) => m,
        _ => Default::default(),
    };
    let plan = engine.plan(&prepared, &vars).expect("plans");
    plan.steps
        .iter()
        .filter_map(|s| match s {
            Step::Query { query, .. } => Some(query.sql.clone()),
            _ => None,
        })
        .collect()
}

const QUERY: &str = "query($w: PostWhereInput) { posts(where: $w, orderBy: [{id: ASC}]) { id title author { username } } }";

#[tokio::test]
async fn nested_filters_through_a_relation_match_the_json_answers() {
    let (db, joined) = support::state_with(
        "relation_answers",
        SQL,
        &sdl("@relation(column: \"author_id\")"),
        |_| {},
    )
    .await;
    let plain = start(&db.url, &sdl("")).await.expect("plain schema starts");
    let embedded = start(
        &db.url,
        &sdl_embedded("@relation(column: \"author_id\", view: \"v_user\")"),
    )
    .await
    .expect("schema with an embedded Author starts");

    let filters = [
        json!({"author": {"username": {"startsWith": "bo"}}}),
        // LIKE metacharacters in the value are literal on both paths.
        json!({"author": {"username": {"startsWith": "bo%"}}}),
        json!({"author": {"username": {"eq": "ada"}}, "views": {"gte": 50}}),
        // A real column of the related view (age) and a JSON-only key (city).
        json!({"author": {"age": {"gt": 30}, "city": {"isNull": false}}}),
        json!({"author": {"_or": [{"username": {"eq": "cyd"}}, {"age": {"lt": 30}}]}}),
        json!({"_or": [{"author": {"id": {"eq": "3"}}}, {"title": {"eq": "Orphan"}}]}),
        json!({"author": {"username": {"eq": "nobody"}}}),
        // An empty nested filter is no condition: every post, the orphan included.
        json!({"author": {}}),
    ];
    for w in filters {
        let vars = json!({ "w": w });
        let via_join = support::execute(&joined, QUERY, vars.clone()).await;
        let via_json = support::execute(&plain, QUERY, vars.clone()).await;
        assert!(via_join.get("errors").is_none(), "{w}: {via_join}");
        assert_eq!(via_join, via_json, "filter {w}");
        if !w.to_string().contains("age") {
            let via_embedded = support::execute(&embedded, QUERY, vars).await;
            assert_eq!(via_embedded, via_json, "embedded Author, filter {w}");
        }
    }

    // Where the JSON path would let a post without an author match (a condition true of
    // a null object), the relation asks for an existing author that matches: the
    // orphan post is left out, as documented in docs/filters.md.
    for (w, with_json, with_join) in [
        (
            json!({"author": {"city": {"isNull": true}}}),
            vec!["Tables", "Orphan"],
            vec!["Tables"],
        ),
        (
            json!({"author": {"_not": {"username": {"in": ["ada", "bob_1"]}}}}),
            vec!["Indexes", "Orphan", "Maps"],
            vec!["Indexes", "Maps"],
        ),
    ] {
        let vars = json!({ "w": w });
        let titles = |r: &Value| -> Vec<String> {
            r["data"]["posts"]
                .as_array()
                .unwrap_or_else(|| panic!("{w}: {r}"))
                .iter()
                .map(|p| p["title"].as_str().expect("title").to_owned())
                .collect()
        };
        let via_join = support::execute(&joined, QUERY, vars.clone()).await;
        let via_json = support::execute(&plain, QUERY, vars).await;
        assert_eq!(titles(&via_json), with_json, "JSON path, {w}");
        assert_eq!(titles(&via_join), with_join, "relation, {w}");
    }

    // The answers are the expected rows, not merely equal to each other.
    let r = support::execute(
        &joined,
        QUERY,
        json!({"w": {"author": {"username": {"startsWith": "bo"}}}}),
    )
    .await;
    let titles: Vec<&str> = r["data"]["posts"]
        .as_array()
        .expect("list")
        .iter()
        .map(|p| p["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Tables", "Indexes"]);

    // The plan reads the related view's real column through a semi-join.
    let sql = planned_sql(
        &joined,
        QUERY,
        json!({"w": {"author": {"username": {"startsWith": "bo"}}}}),
    );
    assert!(
        sql[0].contains(r#"EXISTS (SELECT 1 FROM "v_user" AS j"#)
            && sql[0].contains(r#"."id" = r."author_id""#)
            && sql[0].contains(r#"."username" LIKE $"#),
        "{}",
        sql[0]
    );
    let plain_sql = planned_sql(
        &plain,
        QUERY,
        json!({"w": {"author": {"username": {"startsWith": "bo"}}}}),
    );
    assert!(!plain_sql[0].contains("EXISTS"), "{}", plain_sql[0]);
    let embedded_sql = planned_sql(
        &embedded,
        QUERY,
        json!({"w": {"author": {"username": {"startsWith": "bo"}}}}),
    );
    assert!(
        embedded_sql[0].contains(r#"EXISTS (SELECT 1 FROM "v_user" AS j"#),
        "{}",
        embedded_sql[0]
    );
    drop((joined, plain, embedded));
    drop(db);
}

#[tokio::test]
async fn relation_mistakes_stop_start_up_naming_the_place() {
    let (db, state) = support::state_with(
        "relation_errors",
        SQL,
        &sdl("@relation(column: \"author_id\", references: \"id\")"),
        |_| {},
    )
    .await;
    drop(state);
    let cases = [
        (
            sdl("@relation(column: \"writer_id\")"),
            "@relation(column: \"writer_id\") on Post.author: the view v_post has no real column \"writer_id\"",
        ),
        (
            sdl("@relation(column: \"author_id\", references: \"uid\")"),
            "the view v_user (type User) has no real column \"uid\"",
        ),
        (
            sdl("@relation(column: \"editor_id\")"),
            "v_post.editor_id is bigint but v_user.id is integer; the join needs one type",
        ),
        (
            sdl_embedded("@relation(column: \"author_id\")"),
            "type Author has no @view to join to (name one with `view:`)",
        ),
        (
            sdl_embedded("@relation(column: \"author_id\", view: \"v_nope\")"),
            "no type of the schema reads the view v_nope",
        ),
        (
            sdl("@relation(references: \"id\")"),
            "@relation needs the argument `column`",
        ),
        (
            format!(
                "type Post @view(name: \"v_post\") {{ id: ID! title: String! @relation(column: \"author_id\") }}\n{TYPES}"
            ),
            "@relation on Post.title: only a single embedded object",
        ),
    ];
    for (schema, expected) in cases {
        let err = start(&db.url, &schema).await.err().unwrap_or_else(|| {
            panic!("start-up should fail for:\n{schema}");
        });
        assert!(err.contains(expected), "expected `{expected}` in:\n{err}");
        assert!(err.contains("schema.graphql:"), "no place in:\n{err}");
    }
    drop(db);
}
