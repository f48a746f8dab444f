//! The `fraiseql` command: serve, demo, explain, schema print, check.

mod demo;
mod revoke;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use fraiseql_server::{Config, Settings};

#[derive(Parser)]
#[command(name = "fraiseql", version, about = "A GraphQL engine for PostgreSQL")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API.
    Serve(Common),
    /// Start a demo API with sample data (uses DATABASE_URL, or a private PostgreSQL).
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// Print the SQL and parameters a query becomes.
    Explain {
        /// The GraphQL document.
        query: String,
        /// Variables as a JSON object.
        #[arg(long)]
        variables: Option<String>,
        /// The operation to explain, when the document has several.
        #[arg(long)]
        operation_name: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Schema commands.
    Schema {
        #[command(subcommand)]
        command: SchemaCommand,
    },
    /// Check the schema against the database: views, JSONB columns, real columns, functions.
    Check(Common),
    /// Install the SQL helpers (schema `fraiseql`: mutation response types,
    /// mutation_ok / mutation_noop / mutation_err). Safe to run again.
    Setup(Common),
    /// Revoke a token by its id (`jti`), or every token of a user issued at or before a
    /// time (needs the tables `fraiseql setup` installs).
    #[command(group(
        clap::ArgGroup::new("revoked").required(true).multiple(true).args(["jti", "user"])
    ))]
    Revoke {
        /// The token id (`jti` claim) to revoke; the revocation is kept until deleted.
        #[arg(long)]
        jti: Option<String>,
        /// The user id whose tokens to revoke.
        #[arg(long)]
        user: Option<String>,
        /// With --user: revoke the tokens issued at or before this time, in seconds since
        /// the epoch (default: now).
        #[arg(long, requires = "user", allow_negative_numbers = true)]
        before: Option<i64>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum SchemaCommand {
    /// Print the served SDL (with the generated inputs and types).
    Print(Common),
}

/// Options every command that reads the configuration takes.
#[derive(Args, Clone)]
struct Common {
    /// Configuration file (default: ./fraiseql.toml when it exists).
    #[arg(long, env = "FRAISEQL_CONFIG")]
    config: Option<PathBuf>,
    /// PostgreSQL URL (overrides DATABASE_URL and the file).
    #[arg(long)]
    database_url: Option<String>,
    /// SDL files or directories (overrides schema.paths).
    #[arg(long)]
    schema: Vec<PathBuf>,
    /// Address to listen on (overrides server.listen).
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Dev mode: GraphiQL, introspection and error details on.
    #[arg(long)]
    dev: bool,
}

impl Common {
    /// File, then environment, then flags.
    fn load(&self) -> Result<Config> {
        let mut config = match &self.config {
            Some(path) => Config::from_file(path)?,
            None if PathBuf::from("fraiseql.toml").exists() => {
                Config::from_file("fraiseql.toml".as_ref())?
            }
            None => Config::default(),
        };
        config.apply_env(std::env::vars())?;
        if let Some(url) = &self.database_url {
            config.database.url = Some(url.clone());
        }
        if !self.schema.is_empty() {
            config.schema.paths = self.schema.clone();
        }
        if let Some(listen) = self.listen {
            config.server.listen = listen;
        }
        if self.dev {
            config.server.dev = true;
        }
        Ok(config)
    }

    fn settings(&self) -> Result<Settings> {
        Ok(self.load()?.validate()?)
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FRAISEQL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(run(cli)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The chain of causes without a backtrace: these messages are for users.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(common) => {
            let settings = common.settings()?;
            let listen = settings.config.server.listen;
            let state = fraiseql_server::start(settings).await?;
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| {
                    format!("cannot listen on {listen} (set server.listen or --listen)")
                })?;
            tracing::info!(address = %listen, "serving GraphQL at /graphql");
            fraiseql_server::serve(state, listener, shutdown_signal()).await?;
            Ok(())
        }
        Command::Demo { listen } => demo::run(listen).await,
        Command::Explain {
            query,
            variables,
            operation_name,
            json,
            common,
        } => {
            explain(
                &common,
                &query,
                variables.as_deref(),
                operation_name.as_deref(),
                json,
            )
            .await
        }
        Command::Schema {
            command: SchemaCommand::Print(common),
        } => {
            let config = common.load()?;
            let sources = fraiseql_server::read_schema_sources(&config.schema.paths)?;
            let schema = fraiseql_server::compile_schema(&config, &sources)?;
            print!("{}", schema.sdl());
            Ok(())
        }
        Command::Setup(common) => {
            let settings = common.settings()?;
            let (client, conn) =
                tokio_postgres::connect(&settings.database_url, tokio_postgres::NoTls)
                    .await
                    .context("cannot connect to the database")?;
            tokio::spawn(conn);
            client
                .batch_execute(&format!(
                    "SET client_min_messages = warning;\n{}",
                    fraiseql_server::setup_sql()
                ))
                .await
                .context("installing the SQL helpers failed")?;
            println!(
                "ok: schema fraiseql with mutation_response, mutation_result_v1, mutation_ok, mutation_noop, mutation_err, \
                 revoked_tokens, revoked_users, roles, role_inherits, role_permissions"
            );
            Ok(())
        }
        Command::Revoke {
            jti,
            user,
            before,
            common,
        } => {
            let config = common.load()?;
            let url = config.database.url.context(
                "no database: set DATABASE_URL, database.url in fraiseql.toml, or --database-url",
            )?;
            revoke::run(&url, jti, user, before).await
        }
        Command::Check(common) => {
            let settings = common.settings()?;
            let state = fraiseql_server::start(settings).await?;
            let schema = &state.executor.engine.schema;
            println!(
                "ok: {} types, {} views, {} root fields; every view exists and has its JSONB column",
                schema.objects.len(),
                schema.views().len(),
                schema.roots.len()
            );
            Ok(())
        }
    }
}

async fn explain(
    common: &Common,
    query: &str,
    variables: Option<&str>,
    operation_name: Option<&str>,
    json: bool,
) -> Result<()> {
    let settings = common.settings()?;
    let state = fraiseql_server::start(settings).await?;
    let engine = &state.executor.engine;
    let vars = match variables {
        Some(v) => match serde_json::from_str(v).context("--variables is not JSON")? {
            apollo_json::JsonValue::Object(m) => m,
            _ => bail!("--variables must be a JSON object"),
        },
        None => Default::default(),
    };
    let failure = |f: fraiseql_core::RequestFailure| match f {
        fraiseql_core::RequestFailure::Invalid(errors) => {
            anyhow::anyhow!(
                errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        }
        fraiseql_core::RequestFailure::MutationOverGet => anyhow::anyhow!("mutation over GET"),
    };
    let prepared = engine
        .prepare(query, operation_name, true)
        .map_err(failure)?;
    let plan = engine.plan(&prepared, &vars).map_err(failure)?;
    let mut out = Vec::new();
    for step in &plan.steps {
        match step {
            fraiseql_core::Step::Query { key, query, .. } => {
                let params: Vec<serde_json::Value> =
                    query.params.iter().map(|p| p.to_json()).collect();
                if json {
                    out.push(serde_json::json!({
                        "field": key,
                        "sql": query.sql,
                        "params": params,
                        "custom_plan": query.custom_plan,
                    }));
                } else {
                    let custom = if query.custom_plan {
                        "\n-- custom plan: sent unnamed, planned with these values each time"
                    } else {
                        ""
                    };
                    println!(
                        "-- {key}\n{};\n-- params: {}{custom}\n",
                        query.sql,
                        serde_json::Value::Array(params)
                    );
                }
            }
            fraiseql_core::Step::Error { error, .. } => bail!("{}", error.message),
            fraiseql_core::Step::Value { key, .. } => {
                if !json {
                    println!("-- {key}: answered without SQL\n");
                }
            }
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

mod apollo_json {
    pub(crate) use fraiseql_server::exec::JsonValue;
}
