//! Test support: a throwaway PostgreSQL database per test.
//!
//! [`TestDb::create`] creates a uniquely named database on an admin server and drops it
//! (`WITH (FORCE)`) when the [`TestDb`] is dropped. The admin server is, in order:
//! - `FRAISEQL_TEST_DATABASE_URL` or `DATABASE_URL` when set, else
//!   `postgres://postgres@127.0.0.1:5432/postgres`;
//! - if that server cannot be reached, a private PostgreSQL started once per process with
//!   [`fraiseql_localpg::LocalPg`] from the locally installed server binaries. It is stopped
//!   and deleted when the test process exits.
//!
//! ```no_run
//! # async fn demo() {
//! let db = fraiseql_testkit::TestDb::create("users").await;
//! db.exec_sql("create table t (id int); insert into t values (1);").await;
//! let client = db.connect().await;
//! # let _ = client;
//! # }
//! ```

pub mod jwt;

use std::fmt::Write as _;
use std::hash::BuildHasher as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use tokio::sync::OnceCell;
use tokio_postgres::error::ErrorPosition;
use tokio_postgres::{Client, NoTls};

/// Environment variable for the admin database URL, preferred over `DATABASE_URL`.
pub const TEST_DATABASE_URL_ENV: &str = "FRAISEQL_TEST_DATABASE_URL";
/// The admin URL used when neither environment variable is set.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

const MAX_IDENTIFIER_LEN: usize = 63;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

static ADMIN_URL: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database created for one test; dropped (`WITH (FORCE)`) when this value is dropped.
#[derive(Debug)]
pub struct TestDb {
    /// Connection URL (or key=value connection string) of the test database.
    pub url: String,
    /// Database name: `<prefix>_<pid>_<counter>_<random>`, lowercase, at most 63 bytes.
    pub name: String,
    admin_url: String,
}

impl TestDb {
    /// Creates a fresh, empty database whose name starts with `prefix` (sanitised to
    /// `[a-z0-9_]`). Panics with a descriptive message when no PostgreSQL is available.
    pub async fn create(prefix: &str) -> TestDb {
        let admin_url = admin_url().await.to_owned();
        let name = database_name(prefix);
        let client = connect_url(&admin_url).await.unwrap_or_else(|e| {
            panic!(
                "connecting to admin database {admin_url}: {}",
                describe(&e, None)
            )
        });
        let sql = format!("CREATE DATABASE {}", quote_ident(&name));
        if let Err(e) = client.batch_execute(&sql).await {
            panic!("{sql} on {admin_url} failed: {}", describe(&e, Some(&sql)));
        }
        TestDb {
            url: with_database(&admin_url, &name),
            name,
            admin_url,
        }
    }

    /// Opens a new connection to the test database (its connection task runs on the current
    /// tokio runtime). Panics if it cannot connect.
    pub async fn connect(&self) -> Client {
        connect_url(&self.url).await.unwrap_or_else(|e| {
            panic!(
                "connecting to test database {}: {}",
                self.name,
                describe(&e, None)
            )
        })
    }

    /// Runs a script of one or more SQL statements (simple query protocol). Panics with the
    /// PostgreSQL error (message, detail, hint, line and column) if any statement fails.
    pub async fn exec_sql(&self, sql: &str) {
        let client = self.connect().await;
        if let Err(e) = client.batch_execute(sql).await {
            panic!(
                "SQL failed in test database {}: {}",
                self.name,
                describe(&e, Some(sql))
            );
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&self.name)
        );
        // Drop may run inside a tokio runtime, where blocking on another future is not
        // allowed: do the work on a separate thread with its own runtime.
        let outcome = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("building a tokio runtime: {e}"))?;
            runtime.block_on(async {
                let client = connect_url(&admin_url)
                    .await
                    .map_err(|e| describe(&e, None))?;
                client
                    .batch_execute(&sql)
                    .await
                    .map_err(|e| describe(&e, Some(&sql)))
            })
        })
        .join();
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!(
                "fraiseql-testkit: could not drop test database {}: {e}",
                self.name
            ),
            Err(_) => eprintln!(
                "fraiseql-testkit: dropping test database {} panicked",
                self.name
            ),
        }
    }
}

/// The admin URL test databases are created from, resolved once per process (see the crate
/// docs). Starts a private PostgreSQL if the configured server is unreachable.
pub async fn admin_url() -> &'static str {
    ADMIN_URL.get_or_init(resolve_admin_url).await
}

async fn resolve_admin_url() -> String {
    let configured = [TEST_DATABASE_URL_ENV, "DATABASE_URL"]
        .iter()
        .find_map(|var| {
            std::env::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| (*var, v))
        });
    let (source, url) = configured.unwrap_or(("default", DEFAULT_ADMIN_URL.to_owned()));
    let probe_error = match probe(&url).await {
        Ok(()) => return url,
        Err(e) => e,
    };
    eprintln!(
        "fraiseql-testkit: PostgreSQL at {url} ({source}) is unreachable ({probe_error}); \
         starting a private server from the local PostgreSQL binaries"
    );
    let started = tokio::task::spawn_blocking(|| {
        fraiseql_localpg::LocalPg::start()
            .and_then(fraiseql_localpg::LocalPg::stop_when_process_exits)
    })
    .await
    .expect("starting the local PostgreSQL panicked");
    started.unwrap_or_else(|e| {
        panic!(
            "no PostgreSQL for tests: {url} ({source}) is unreachable ({probe_error}), \
             and starting a private server failed: {e}"
        )
    })
}

async fn probe(url: &str) -> Result<(), String> {
    let client = connect_url(url).await.map_err(|e| describe(&e, None))?;
    client
        .simple_query("select 1")
        .await
        .map(drop)
        .map_err(|e| describe(&e, None))
}

async fn connect_url(url: &str) -> Result<Client, tokio_postgres::Error> {
    let mut config: tokio_postgres::Config = url.parse()?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        // Errors surface on the client; a closed connection ends the task.
        let _ = connection.await;
    });
    Ok(client)
}

/// `<prefix>_<pid>_<counter>_<random>`, lowercase `[a-z0-9_]`, at most 63 bytes.
fn database_name(prefix: &str) -> String {
    let counter = COUNTER.fetch_add(1, Ordering::Relaxed);
    let random = std::collections::hash_map::RandomState::new()
        .hash_one((SystemTime::now(), counter)) as u32;
    let suffix = format!("_{}_{counter}_{random:08x}", std::process::id());
    let mut prefix: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !prefix.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        prefix.insert(0, 't');
    }
    prefix.truncate(MAX_IDENTIFIER_LEN - suffix.len());
    prefix + &suffix
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The admin URL with its database replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
    let Some(scheme_end) = ["postgres://", "postgresql://"]
        .iter()
        .find(|scheme| admin_url.starts_with(*scheme))
        .map(|scheme| scheme.len())
    else {
        // key=value connection string: a later key overrides an earlier one.
        return format!("{admin_url} dbname={name}");
    };
    let rest = &admin_url[scheme_end..];
    let authority_end = scheme_end + rest.find(['/', '?']).unwrap_or(rest.len());
    let query = admin_url[authority_end..]
        .find('?')
        .map_or("", |i| &admin_url[authority_end + i..]);
    format!("{}/{name}{query}", &admin_url[..authority_end])
}

/// A PostgreSQL error with message, detail, hint, context and the failing line of `sql`.
fn describe(err: &tokio_postgres::Error, sql: Option<&str>) -> String {
    let Some(db) = err.as_db_error() else {
        let mut out = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            let _ = write!(out, ": {cause}");
            source = cause.source();
        }
        return out;
    };
    let mut out = format!("{} {}: {}", db.severity(), db.code().code(), db.message());
    if let Some(detail) = db.detail() {
        let _ = write!(out, "\nDETAIL: {detail}");
    }
    if let Some(hint) = db.hint() {
        let _ = write!(out, "\nHINT: {hint}");
    }
    if let Some(context) = db.where_() {
        let _ = write!(out, "\nCONTEXT: {context}");
    }
    if let (Some(ErrorPosition::Original(position)), Some(sql)) = (db.position(), sql) {
        let _ = write!(out, "\n{}", locate(sql, *position as usize));
    }
    out
}

/// "at line L, column C:" plus the line and a caret, for a 1-based character position.
fn locate(sql: &str, position: usize) -> String {
    let offset = sql
        .char_indices()
        .nth(position.saturating_sub(1))
        .map_or(sql.len(), |(i, _)| i);
    let line_start = sql[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = sql[offset..].find('\n').map_or(sql.len(), |i| offset + i);
    let line_no = sql[..offset].matches('\n').count() + 1;
    let column = sql[line_start..offset].chars().count() + 1;
    format!(
        "at line {line_no}, column {column} (position {position}):\n  {}\n  {}^",
        &sql[line_start..line_end],
        " ".repeat(column - 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_safe_and_unique() {
        let a = database_name("My-Test");
        let b = database_name("My-Test");
        assert_ne!(a, b);
        assert!(a.starts_with("my_test_"), "{a}");
        let long = database_name(&"x".repeat(200));
        assert_eq!(long.len(), MAX_IDENTIFIER_LEN, "{long}");
        assert!(database_name("1abc").starts_with("t1abc_"));
        for name in [a, b, long] {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}"
            );
        }
    }

    #[test]
    fn replaces_database_in_urls() {
        assert_eq!(
            with_database("postgres://u:p@h:5/postgres", "d"),
            "postgres://u:p@h:5/d"
        );
        assert_eq!(with_database("postgresql://h", "d"), "postgresql://h/d");
        assert_eq!(
            with_database("postgres://h/x?sslmode=disable", "d"),
            "postgres://h/d?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h?sslmode=disable", "d"),
            "postgres://h/d?sslmode=disable"
        );
        assert_eq!(
            with_database("host=h user=u", "d"),
            "host=h user=u dbname=d"
        );
    }

    #[test]
    fn locates_error_positions() {
        let sql = "select 1;\nselect oops from;\n";
        assert_eq!(
            locate(sql, 27),
            "at line 2, column 17 (position 27):\n  select oops from;\n                  ^"
        );
    }
}
