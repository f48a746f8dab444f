//! Roles with inheritance and their permissions, from the config and from PostgreSQL.
//!
//! A request names some roles (from its token, or the anonymous role). [`Roles::resolve`]
//! turns them into the full set: the named roles, every role they inherit from, directly or
//! not, and the union of the permissions of all of them.
//!
//! # Sources
//!
//! - `[auth.roles.define.<name>]` in the config (`inherits`, `permissions`).
//! - With `[auth.roles] from_database = true`, the tables `fraiseql.roles`,
//!   `fraiseql.role_inherits` and `fraiseql.role_permissions` (installed by
//!   `fraiseql setup`, see [`crate::revocation::AUTH_SETUP_SQL`]).
//!
//! The two sources merge: a role's parents are the union of its config and database
//! parents, its permissions the union of both, and inheritance can cross from one source to
//! the other (a config role may inherit a database role and the other way round). A role
//! named by a request but defined nowhere stays in the resolved set, with no permissions.
//! Inheritance cycles are allowed: every role of the cycle gets the permissions of all.
//!
//! # Database resolution and caching
//!
//! A role set is resolved with one recursive query (a `WITH RECURSIVE ... UNION` over the
//! database edges plus the config edges, passed as parameters), and the result is cached by
//! role set. A dedicated connection (not from the pool) runs `LISTEN fraiseql_roles`; the
//! triggers on the three tables notify it on every change and the whole cache is dropped.
//! If that connection drops, it is reopened with exponential backoff (100 ms to 30 s);
//! meanwhile a cached resolution is trusted for at most [`DISCONNECTED_TTL`], and every
//! cached resolution is dropped when the listener reconnects. While connected, an entry
//! lives at most [`CONNECTED_TTL`], a safety net should a notification ever be lost.
//!
//! If the database cannot be queried, [`Roles::resolve`] fails: the server should refuse
//! the request rather than authorize it with possibly withdrawn permissions.
//!
//! # Permissions
//!
//! Permissions are opaque strings compared exactly, except `*`: a role holding the
//! permission `*` has every permission ([`Resolved::has_permission`]). No other pattern is
//! special (`posts:*` is just a string).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::config::{RoleDefinition, RolesConfig};

/// How long a cached resolution is trusted while the `LISTEN` connection is down.
pub const DISCONNECTED_TTL: Duration = Duration::from_secs(1);
/// How long a cached resolution is kept while notifications arrive (a safety net only).
pub const CONNECTED_TTL: Duration = Duration::from_secs(300);
/// At most this many role sets are cached.
const CACHE_CAPACITY: u64 = 10_000;
/// The channel the role tables' triggers notify.
pub const ROLES_CHANNEL: &str = "fraiseql_roles";

/// One recursive query: the closure of `$1` over the database edges plus the config edges
/// (`$2[i]` inherits `$3[i]`), with each role's database permissions. `UNION` (not
/// `UNION ALL`) makes a cycle terminate: a role already in the closure adds no row.
const RESOLVE_SQL: &str = "\
WITH RECURSIVE edges(role, parent) AS (
    SELECT role, parent FROM fraiseql.role_inherits
    UNION
    SELECT * FROM unnest($2::text[], $3::text[])
), closure(name) AS (
    SELECT unnest($1::text[])
    UNION
    SELECT e.parent FROM closure c JOIN edges e ON e.role = c.name
)
SELECT c.name, p.permission
FROM closure c LEFT JOIN fraiseql.role_permissions p ON p.role = c.name";

/// A request's roles after inheritance, and their permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The requested roles and every role they inherit from; sorted, without duplicates.
    pub roles: Vec<String>,
    /// The union of the permissions of `roles`; sorted, without duplicates.
    pub permissions: Vec<String>,
}

impl Resolved {
    /// Whether `role` is one of the resolved roles (named or inherited).
    pub fn has_role(&self, role: &str) -> bool {
        self.roles
            .binary_search_by(|r| r.as_str().cmp(role))
            .is_ok()
    }

    /// Whether the roles grant `permission`: it is among the permissions, or `*` is.
    pub fn has_permission(&self, permission: &str) -> bool {
        let has = |p: &str| {
            self.permissions
                .binary_search_by(|x| x.as_str().cmp(p))
                .is_ok()
        };
        has(permission) || has("*")
    }
}

/// Resolves role sets; see the module documentation.
pub struct Roles {
    config: BTreeMap<String, RoleDefinition>,
    /// The config's inheritance edges, as the two arrays the query takes.
    edge_roles: Vec<String>,
    edge_parents: Vec<String>,
    db: Option<Database>,
}

impl std::fmt::Debug for Roles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Roles")
            .field("config_roles", &self.config.len())
            .field("from_database", &self.db.is_some())
            .field("listening", &self.listening())
            .finish()
    }
}

struct Database {
    pool: Pool,
    cache: moka::sync::Cache<Vec<String>, Cached>,
    state: Arc<CacheState>,
    _listener: AbortOnDrop,
}

#[derive(Clone)]
struct Cached {
    resolved: Arc<Resolved>,
    generation: u64,
    loaded: Instant,
}

/// Shared between the resolver and the listener task.
#[derive(Default)]
struct CacheState {
    /// Bumped on every notification and reconnection; an entry of an older generation is stale.
    generation: AtomicU64,
    /// Whether `LISTEN` is active, i.e. changes are being notified.
    listening: AtomicBool,
}

impl Roles {
    /// Builds the resolver.
    ///
    /// `db` is used only when `cfg.from_database` is true: the pool runs the resolution
    /// queries, and the `tokio_postgres::Config` (normally the one the pool was built from)
    /// opens the dedicated `LISTEN` connection, since a pooled connection cannot receive
    /// notifications. Must be called within a tokio runtime.
    ///
    /// Fails when `from_database` is set without a database, or when the role tables are
    /// missing (the message says to run `fraiseql setup`). The listener connects in the
    /// background: until it does, cached resolutions are trusted for [`DISCONNECTED_TTL`].
    pub async fn new(
        cfg: &RolesConfig,
        db: Option<(Pool, tokio_postgres::Config)>,
    ) -> Result<Roles, String> {
        let mut edge_roles = Vec::new();
        let mut edge_parents = Vec::new();
        for (name, def) in &cfg.define {
            for parent in &def.inherits {
                edge_roles.push(name.clone());
                edge_parents.push(parent.clone());
            }
        }
        let db = match (cfg.from_database, db) {
            (false, _) => None,
            (true, None) => {
                return Err(
                    "auth.roles.from_database is set but there is no database to read roles from"
                        .into(),
                );
            }
            (true, Some((pool, pg_config))) => {
                check_tables(&pool).await?;
                let state = Arc::new(CacheState::default());
                let listener_state = Arc::clone(&state);
                let listener = spawn_listener(pg_config, ROLES_CHANNEL, move |event| {
                    listener_state.on_event(event)
                });
                Some(Database {
                    pool,
                    cache: moka::sync::Cache::builder()
                        .max_capacity(CACHE_CAPACITY)
                        .time_to_live(CONNECTED_TTL)
                        .build(),
                    state,
                    _listener: listener,
                })
            }
        };
        Ok(Roles {
            config: cfg.define.clone(),
            edge_roles,
            edge_parents,
            db,
        })
    }

    /// Whether role changes in the database are being notified (always false without a
    /// database). While false, cached resolutions expire after [`DISCONNECTED_TTL`].
    pub fn listening(&self) -> bool {
        self.db
            .as_ref()
            .is_some_and(|db| db.state.listening.load(Ordering::Acquire))
    }

    /// The full role set and permissions of `roles`. Without a database this never fails
    /// and does no I/O. With one, a cached answer is returned when fresh; otherwise one
    /// query runs, and its error (database unreachable, tables missing) is returned.
    pub async fn resolve(&self, roles: &[String]) -> Result<Arc<Resolved>, String> {
        let mut key: Vec<String> = roles.to_vec();
        key.sort_unstable();
        key.dedup();
        let Some(db) = &self.db else {
            return Ok(Arc::new(self.resolve_from_config(key)));
        };
        if key.is_empty() {
            return Ok(Arc::new(Resolved::default()));
        }
        // Read the generation before querying: a change notified while the query runs
        // makes this result stale at once.
        let generation = db.state.generation.load(Ordering::Acquire);
        if let Some(hit) = db.cache.get(&key) {
            let ttl_ok = db.state.listening.load(Ordering::Acquire)
                || hit.loaded.elapsed() < DISCONNECTED_TTL;
            if hit.generation == generation && ttl_ok {
                return Ok(hit.resolved);
            }
        }
        let loaded = Instant::now();
        let resolved = Arc::new(self.resolve_from_database(&db.pool, &key).await?);
        db.cache.insert(
            key,
            Cached {
                resolved: Arc::clone(&resolved),
                generation,
                loaded,
            },
        );
        Ok(resolved)
    }

    /// Breadth-first over the config's `inherits`, visiting each role once.
    fn resolve_from_config(&self, start: Vec<String>) -> Resolved {
        let mut roles: BTreeSet<String> = BTreeSet::new();
        let mut queue: VecDeque<String> = start.into();
        while let Some(role) = queue.pop_front() {
            if roles.contains(&role) {
                continue;
            }
            if let Some(def) = self.config.get(&role) {
                queue.extend(def.inherits.iter().filter(|p| !roles.contains(*p)).cloned());
            }
            roles.insert(role);
        }
        let permissions = self.config_permissions(&roles, BTreeSet::new());
        Resolved {
            roles: roles.into_iter().collect(),
            permissions: permissions.into_iter().collect(),
        }
    }

    /// `permissions` plus the config permissions of every role in `roles`.
    fn config_permissions(
        &self,
        roles: &BTreeSet<String>,
        mut permissions: BTreeSet<String>,
    ) -> BTreeSet<String> {
        for role in roles {
            if let Some(def) = self.config.get(role) {
                permissions.extend(def.permissions.iter().cloned());
            }
        }
        permissions
    }

    async fn resolve_from_database(&self, pool: &Pool, key: &[String]) -> Result<Resolved, String> {
        let client = pool
            .get()
            .await
            .map_err(|e| format!("resolving roles: no database connection: {e}"))?;
        let stmt = client
            .prepare_cached(RESOLVE_SQL)
            .await
            .map_err(|e| db_error("resolving roles", &e))?;
        let rows = client
            .query(&stmt, &[&key, &self.edge_roles, &self.edge_parents])
            .await
            .map_err(|e| db_error("resolving roles", &e))?;
        let mut roles = BTreeSet::new();
        let mut permissions = BTreeSet::new();
        for row in rows {
            let name: Option<String> = row.try_get(0).map_err(|e| e.to_string())?;
            let permission: Option<String> = row.try_get(1).map_err(|e| e.to_string())?;
            roles.extend(name);
            permissions.extend(permission);
        }
        let permissions = self.config_permissions(&roles, permissions);
        Ok(Resolved {
            roles: roles.into_iter().collect(),
            permissions: permissions.into_iter().collect(),
        })
    }
}

impl CacheState {
    fn on_event(&self, event: ListenEvent) {
        match event {
            ListenEvent::Listening => {
                // Changes made while disconnected were not notified: start afresh.
                self.generation.fetch_add(1, Ordering::AcqRel);
                self.listening.store(true, Ordering::Release);
            }
            ListenEvent::Notified => {
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
            ListenEvent::Disconnected => {
                self.listening.store(false, Ordering::Release);
            }
        }
    }
}

async fn check_tables(pool: &Pool) -> Result<(), String> {
    let client = pool
        .get()
        .await
        .map_err(|e| format!("reading roles from the database: no connection: {e}"))?;
    let row = client
        .query_one(
            "SELECT to_regclass('fraiseql.roles') IS NOT NULL \
             AND to_regclass('fraiseql.role_inherits') IS NOT NULL \
             AND to_regclass('fraiseql.role_permissions') IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| db_error("reading roles from the database", &e))?;
    let present: bool = row.try_get(0).map_err(|e| e.to_string())?;
    if present {
        Ok(())
    } else {
        Err(
            "auth.roles.from_database is set but the tables fraiseql.roles, \
             fraiseql.role_inherits and fraiseql.role_permissions are missing: run `fraiseql setup`"
                .into(),
        )
    }
}

/// A database error as text, with PostgreSQL's detail; a missing table names `fraiseql setup`.
pub(crate) fn db_error(doing: &str, e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) if db.code() == &tokio_postgres::error::SqlState::UNDEFINED_TABLE => format!(
            "{doing}: {}; the FraiseQL auth tables are missing: run `fraiseql setup`",
            db.message()
        ),
        Some(db) => match db.detail() {
            Some(detail) => format!("{doing}: {} ({detail})", db.message()),
            None => format!("{doing}: {}", db.message()),
        },
        None => {
            let mut out = format!("{doing}: {e}");
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                out.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            out
        }
    }
}

// ---------------------------------------------------------------------------------------
// LISTEN on a dedicated connection, shared with the revocation store.

/// What a listener reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListenEvent {
    /// `LISTEN` succeeded on a new connection: notifications from now on will arrive.
    Listening,
    /// A notification arrived on the channel.
    Notified,
    /// The connection dropped; a reconnection is pending.
    Disconnected,
}

const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A query on the listening connection this often detects a silently dead connection.
const HEALTH_INTERVAL: Duration = Duration::from_secs(30);
const HEALTH_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Aborts a task when dropped.
#[derive(Debug)]
pub(crate) struct AbortOnDrop(pub(crate) JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Spawns a task that keeps a connection open with `LISTEN channel` and reports to
/// `on_event`, reconnecting with exponential backoff. It stops when the handle is dropped.
pub(crate) fn spawn_listener<F>(
    mut config: tokio_postgres::Config,
    channel: &'static str,
    mut on_event: F,
) -> AbortOnDrop
where
    F: FnMut(ListenEvent) + Send + 'static,
{
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    AbortOnDrop(tokio::spawn(async move {
        let mut backoff = MIN_BACKOFF;
        loop {
            let mut listened = false;
            let reason = match listen_once(&config, channel).await {
                Ok(mut notifications) => {
                    listened = true;
                    backoff = MIN_BACKOFF;
                    on_event(ListenEvent::Listening);
                    loop {
                        match notifications.next_event().await {
                            Ok(()) => on_event(ListenEvent::Notified),
                            Err(reason) => break reason,
                        }
                    }
                }
                Err(reason) => reason,
            };
            if listened {
                on_event(ListenEvent::Disconnected);
            }
            tracing::warn!(
                channel,
                retry_in_ms = backoff.as_millis() as u64,
                "LISTEN connection lost or not established: {reason}"
            );
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }))
}

/// An established `LISTEN` connection.
struct Notifications {
    client: tokio_postgres::Client,
    received: mpsc::UnboundedReceiver<()>,
    health: tokio::time::Interval,
    _driver: AbortOnDrop,
}

impl Notifications {
    /// Waits for the next notification; an error means the connection is gone.
    async fn next_event(&mut self) -> Result<(), String> {
        loop {
            tokio::select! {
                received = self.received.recv() => {
                    return received.ok_or_else(|| "the connection closed".to_owned());
                }
                _ = self.health.tick() => {
                    match tokio::time::timeout(HEALTH_TIMEOUT, self.client.simple_query("")).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => return Err(db_error("health check", &e)),
                        Err(_) => return Err("health check timed out".into()),
                    }
                }
            }
        }
    }
}

async fn listen_once(
    config: &tokio_postgres::Config,
    channel: &'static str,
) -> Result<Notifications, String> {
    let (client, mut connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| db_error("connecting", &e))?;
    let (sender, received) = mpsc::unbounded_channel();
    let driver = AbortOnDrop(tokio::spawn(async move {
        loop {
            match futures::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(_))) => {
                    if sender.send(()).is_err() {
                        break;
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::debug!(channel, "LISTEN connection error: {e}");
                    break;
                }
                None => break,
            }
        }
    }));
    // The channel name is a constant identifier, not user input.
    client
        .batch_execute(&format!("LISTEN {channel}"))
        .await
        .map_err(|e| db_error("LISTEN", &e))?;
    let mut health = tokio::time::interval(HEALTH_INTERVAL);
    health.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A new interval ticks at once: push its first tick one period away.
    health.reset();
    Ok(Notifications {
        client,
        received,
        health,
        _driver: driver,
    })
}
