//! TestDb: isolation between databases, cleanup on drop, readable SQL errors.

use fraiseql_testkit::TestDb;

#[tokio::test]
async fn databases_are_isolated_and_dropped() {
    let a = TestDb::create("testkit_iso").await;
    let b = TestDb::create("testkit_iso").await;
    assert_ne!(a.name, b.name);
    assert_ne!(a.url, b.url);
    assert!(
        a.name.starts_with("testkit_iso_") && a.name.len() <= 63,
        "{}",
        a.name
    );

    a.exec_sql("create table t (x int); insert into t values (1), (2);")
        .await;
    let a_client = a.connect().await;
    let count: i64 = a_client
        .query_one("select count(*) from t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 2);
    let b_client = b.connect().await;
    let missing: bool = b_client
        .query_one("select to_regclass('t') is null", &[])
        .await
        .unwrap()
        .get(0);
    assert!(missing, "table from database a is visible in database b");

    // Dropped inside this tokio runtime, with a connection still open (WITH (FORCE)).
    let (a_url, a_name) = (a.url.clone(), a.name.clone());
    drop(a);
    let err = tokio_postgres::connect(&a_url, tokio_postgres::NoTls)
        .await
        .err()
        .unwrap_or_else(|| panic!("database {a_name} still exists after drop"));
    let code = err.as_db_error().map(|e| e.code().code().to_owned());
    assert_eq!(code.as_deref(), Some("3D000"), "{err}");

    // b is untouched.
    let one: i32 = b_client.query_one("select 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
    let admin = fraiseql_testkit::admin_url().await;
    let (admin_client, connection) = tokio_postgres::connect(admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let gone: bool = admin_client
        .query_one(
            "select not exists (select 1 from pg_database where datname = $1)",
            &[&a_name],
        )
        .await
        .unwrap()
        .get(0);
    assert!(gone);
}

#[tokio::test(flavor = "multi_thread")]
#[should_panic(expected = "syntax error at or near \";\"\nat line 2, column 17")]
async fn exec_sql_panics_with_the_postgres_error() {
    let db = TestDb::create("testkit_err").await;
    db.exec_sql("select 1;\nselect oops from;").await;
}
