//! `fraiseql demo`: a working API with sample data in one command.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use fraiseql_server::Config;

const DEMO_SQL: &str = include_str!("../demo/demo.sql");
const DEMO_MUTATIONS_SQL: &str = include_str!("../demo/mutations.sql");
const DEMO_SDL: &str = include_str!("../demo/schema.graphql");
const DEMO_DB: &str = "fraiseql_demo";

/// Starts the demo: database, data, server; runs until Ctrl-C.
pub(crate) async fn run(listen: SocketAddr) -> Result<()> {
    // Keeps a private PostgreSQL alive for as long as the demo runs.
    let mut _local = None;
    let url = match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => demo_database(&url).await?,
        None => {
            eprintln!(
                "DATABASE_URL is not set: starting a private PostgreSQL from the local server binaries..."
            );
            let pg = tokio::task::spawn_blocking(fraiseql_localpg::LocalPg::start)
                .await?
                .context("cannot start a private PostgreSQL for the demo")?;
            let url = pg.url();
            _local = Some(pg);
            url
        }
    };
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    tokio::spawn(conn);
    client
        .batch_execute(&format!(
            "SET client_min_messages = warning;\n{DEMO_SQL}\n{}\n{DEMO_MUTATIONS_SQL}",
            fraiseql_server::setup_sql()
        ))
        .await
        .context("loading the demo data failed")?;
    drop(client);

    let mut config = Config::default();
    config.server.listen = listen;
    config.server.dev = true;
    config.database.url = Some(url);
    let settings = config.validate()?;
    let state = fraiseql_server::start_with_sources(
        settings,
        &[("demo/schema.graphql".into(), DEMO_SDL.into())],
    )
    .await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| {
            format!("cannot listen on {listen}: pass another address with --listen")
        })?;
    println!("FraiseQL demo is running.");
    println!("  GraphiQL:  http://{listen}/graphql  (open it in a browser)");
    println!(
        "  Try:       curl -s http://{listen}/graphql -H 'content-type: application/json' -d '{{\"query\":\"{{ users(limit: 3) {{ id username fullName }} }}\"}}'"
    );
    println!("Press Ctrl-C to stop.");
    fraiseql_server::serve(state, listener, crate::shutdown_signal()).await?;
    Ok(())
}

/// Creates (or reuses) a `fraiseql_demo` database next to the one in `url`,
/// so the demo never writes into the user's own database.
async fn demo_database(url: &str) -> Result<String> {
    let mut config: tokio_postgres::Config = url
        .parse()
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    let (client, conn) = config
        .connect(tokio_postgres::NoTls)
        .await
        .with_context(|| {
            format!(
                "cannot connect to DATABASE_URL ({})",
                fraiseql_server::db::describe(&config)
            )
        })?;
    tokio::spawn(conn);
    if let Err(e) = client
        .batch_execute(&format!("CREATE DATABASE {DEMO_DB}"))
        .await
        && e.code() != Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE)
    {
        return Err(e).context("cannot create the demo database (the role needs CREATEDB)");
    }
    config.dbname(DEMO_DB);
    Ok(demo_url(url, DEMO_DB))
}

/// The same URL with another database name.
fn demo_url(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{db}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::demo_url;

    #[test]
    fn demo_url_replaces_the_database() {
        assert_eq!(
            demo_url("postgres://u@h:5432/app", "d"),
            "postgres://u@h:5432/d"
        );
        assert_eq!(
            demo_url("postgres://u@h/app?sslmode=disable", "d"),
            "postgres://u@h/d?sslmode=disable"
        );
        assert_eq!(demo_url("postgres://u@h", "d"), "postgres://u@h/d");
    }
}
