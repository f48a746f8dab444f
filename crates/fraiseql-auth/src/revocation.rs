//! Token revocation: revoked token ids (`jti`) and per-user cut-offs.
//!
//! # The rule
//!
//! [`Revocations::check`] refuses an identity ([`AuthError::Revoked`]) when
//! - its `token_id` (`jti`) has been revoked, or
//! - its `user_id` has a cut-off and its `issued_at` (`iat`) is missing or **at or before**
//!   the cut-off: `iat <= cut-off`. A token issued strictly after the cut-off passes. All
//!   times are whole seconds since the Unix epoch, as in JWT claims; a cut-off with a
//!   fraction of a second (set directly in SQL) is rounded down.
//!
//! Revoking never shortens a revocation: revoking a user again keeps the later of the two
//! cut-offs, and revoking a token again keeps the later expiry (none meaning forever).
//!
//! # Stores
//!
//! - [`Revocations::memory`]: this process only; lost on restart.
//! - [`Revocations::postgres`]: the tables `fraiseql.revoked_tokens` and
//!   `fraiseql.revoked_users` ([`AUTH_SETUP_SQL`], installed by `fraiseql setup`), shared by
//!   every instance. [`Revocations::check`] never queries the database: it reads an
//!   in-memory snapshot that a background task reloads every `staleness` (and, with
//!   [`Revocations::postgres_listening`], also as soon as `NOTIFY fraiseql_revocations`
//!   arrives). A revocation made on another instance (or with `fraiseql revoke`, or in SQL)
//!   is therefore seen within `staleness` plus the duration of one reload. A revocation made
//!   through this instance applies here at once.
//!
//! Token revocations whose `expires_at` has passed are dropped from the snapshot and
//! deleted from the table at the next reload (the token is refused as expired anyway), so
//! `expires_at` should be the token's own `exp`. User cut-offs are never deleted
//! automatically: delete the row to lift one.
//!
//! If a reload fails (database unreachable), the last snapshot stays in use and the
//! failure is logged (a warning when it starts failing, an info line when it recovers);
//! reloads go on at the same pace. Revocations made elsewhere during the outage are seen
//! once a reload succeeds. The background task stops when the [`Revocations`] is dropped.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use deadpool_postgres::Pool;
use tokio::sync::Notify;

use crate::roles::{AbortOnDrop, ListenEvent, db_error, spawn_listener};
use crate::{AuthError, Identity};

/// The SQL that creates the revocation and role tables and their notification triggers.
/// Idempotent; see the comments at the top of the file.
pub const AUTH_SETUP_SQL: &str = include_str!("../sql/auth.sql");

/// The channel the revocation tables' triggers notify.
pub const REVOCATIONS_CHANNEL: &str = "fraiseql_revocations";

/// The shortest reload period: a zero `staleness` would otherwise spin.
const MIN_STALENESS: Duration = Duration::from_millis(10);

/// Revoked token ids and user cut-offs; see the module documentation.
pub struct Revocations {
    shared: Arc<Shared>,
    /// The reload task (and the listener), in PostgreSQL mode; aborted on drop.
    _tasks: Vec<AbortOnDrop>,
}

impl std::fmt::Debug for Revocations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.shared.read();
        f.debug_struct("Revocations")
            .field("postgres", &self.shared.pool.is_some())
            .field("tokens", &state.tokens.len())
            .field("users", &state.users.len())
            .finish()
    }
}

struct Shared {
    state: RwLock<Snapshot>,
    pool: Option<Pool>,
}

#[derive(Default)]
struct Snapshot {
    /// Revoked token ids → their expiry (seconds since the epoch; `None`: forever).
    tokens: HashMap<String, Option<i64>>,
    /// User ids → cut-off (seconds since the epoch).
    users: HashMap<String, i64>,
    /// Revocations this instance wrote, with the instant they were committed. A reload that
    /// started before a commit may not include it, so they are re-applied to its result;
    /// a reload that started after a commit includes it, and the entry is dropped.
    recent: Vec<(Instant, Entry)>,
}

#[derive(Clone)]
enum Entry {
    Token(String, Option<i64>),
    User(String, i64),
}

impl Snapshot {
    fn apply(&mut self, entry: &Entry) {
        match entry {
            Entry::Token(jti, expires_at) => {
                let merged = match self.tokens.get(jti) {
                    Some(existing) => later_expiry(*existing, *expires_at),
                    None => *expires_at,
                };
                self.tokens.insert(jti.clone(), merged);
            }
            Entry::User(user, before) => {
                let cut_off = self.users.entry(user.clone()).or_insert(*before);
                *cut_off = (*cut_off).max(*before);
            }
        }
    }

    fn prune_expired(&mut self, now: i64) {
        self.tokens.retain(|_, exp| exp.is_none_or(|e| e >= now));
    }
}

/// The later of two expiries, `None` (never) being the latest.
fn later_expiry(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    Some(a?.max(b?))
}

impl Shared {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Snapshot> {
        // A panic while the lock was held cannot leave the maps half-updated in a way
        // that matters (each update is one insert); keep serving.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Snapshot> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Revocations {
    /// A store in this process's memory.
    pub fn memory() -> Self {
        Revocations {
            shared: Arc::new(Shared {
                state: RwLock::new(Snapshot::default()),
                pool: None,
            }),
            _tasks: Vec::new(),
        }
    }

    /// A store in PostgreSQL, seen through a snapshot reloaded every `staleness` (at least
    /// 10 ms). Loads the snapshot once before returning: fails if the database cannot be
    /// read or the tables are missing (the message then says to run `fraiseql setup`).
    /// Must be called within a tokio runtime.
    pub async fn postgres(pool: Pool, staleness: Duration) -> Result<Self, String> {
        Self::start(pool, None, staleness).await
    }

    /// Like [`Revocations::postgres`], and also reloads as soon as the revocation tables
    /// change: a dedicated connection opened from `listen` (normally the config the pool
    /// was built from) runs `LISTEN fraiseql_revocations`, reconnecting with backoff if it
    /// drops. The periodic reload still bounds the staleness when notifications are lost.
    pub async fn postgres_listening(
        pool: Pool,
        listen: tokio_postgres::Config,
        staleness: Duration,
    ) -> Result<Self, String> {
        Self::start(pool, Some(listen), staleness).await
    }

    async fn start(
        pool: Pool,
        listen: Option<tokio_postgres::Config>,
        staleness: Duration,
    ) -> Result<Self, String> {
        let shared = Arc::new(Shared {
            state: RwLock::new(Snapshot::default()),
            pool: Some(pool.clone()),
        });
        reload(&shared, &pool).await?;
        let wake = Arc::new(Notify::new());
        let mut tasks = Vec::new();
        if let Some(config) = listen {
            let wake = Arc::clone(&wake);
            tasks.push(spawn_listener(config, REVOCATIONS_CHANNEL, move |event| {
                // On (re)connection, changes may have been missed: reload too.
                if matches!(event, ListenEvent::Notified | ListenEvent::Listening) {
                    wake.notify_one();
                }
            }));
        }
        let period = staleness.max(MIN_STALENESS);
        let task_shared = Arc::clone(&shared);
        tasks.push(AbortOnDrop(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // The snapshot was just loaded: the first reload is one period away.
            ticks.reset();
            let mut failing = false;
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    () = wake.notified() => {}
                }
                match reload(&task_shared, &pool).await {
                    Ok(()) if failing => {
                        failing = false;
                        tracing::info!("revocations: reloading from the database works again");
                    }
                    Ok(()) => {}
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!(
                            "revocations: reload failed, keeping the last snapshot: {e}"
                        );
                    }
                    Err(e) => tracing::debug!("revocations: reload failed again: {e}"),
                }
            }
        })));
        Ok(Revocations {
            shared,
            _tasks: tasks,
        })
    }

    /// `Err(AuthError::Revoked)` when the identity's token id is revoked, or when its user
    /// has a cut-off and the token was issued at or before it (or has no `iat`). Never does
    /// I/O.
    pub async fn check(&self, identity: &Identity) -> Result<(), AuthError> {
        let state = self.shared.read();
        if let Some(jti) = &identity.token_id
            && state.tokens.contains_key(jti)
        {
            return Err(AuthError::Revoked);
        }
        if let Some(user) = &identity.user_id
            && let Some(cut_off) = state.users.get(user)
            && identity.issued_at.is_none_or(|iat| iat <= *cut_off)
        {
            return Err(AuthError::Revoked);
        }
        Ok(())
    }

    /// Revokes the token `jti`. `expires_at` (seconds since the epoch) should be the token's
    /// `exp`: the revocation is forgotten after it; `None` keeps it forever. In PostgreSQL
    /// mode the row is written (the error is the database's) and applies here at once.
    pub async fn revoke_token(&self, jti: &str, expires_at: Option<i64>) -> Result<(), String> {
        if jti.is_empty() {
            return Err("cannot revoke a token: its id (jti) is empty".into());
        }
        let expires_at = match &self.shared.pool {
            Some(pool) => {
                let client = pool
                    .get()
                    .await
                    .map_err(|e| format!("revoking a token: no database connection: {e}"))?;
                revoke_token_in(&client, jti, expires_at).await?
            }
            None => expires_at,
        };
        self.record(Entry::Token(jti.to_owned(), expires_at));
        Ok(())
    }

    /// Revokes every token of `user_id` issued at or before `before` (seconds since the
    /// epoch). An existing later cut-off is kept. In PostgreSQL mode the row is written
    /// (the error is the database's) and applies here at once.
    pub async fn revoke_user(&self, user_id: &str, before: i64) -> Result<(), String> {
        if user_id.is_empty() {
            return Err("cannot revoke a user: the user id is empty".into());
        }
        let before = match &self.shared.pool {
            Some(pool) => {
                let client = pool
                    .get()
                    .await
                    .map_err(|e| format!("revoking a user: no database connection: {e}"))?;
                revoke_user_in(&client, user_id, before).await?
            }
            None => before,
        };
        self.record(Entry::User(user_id.to_owned(), before));
        Ok(())
    }

    fn record(&self, entry: Entry) {
        let mut state = self.shared.write();
        state.apply(&entry);
        if self.shared.pool.is_some() {
            state.recent.push((Instant::now(), entry));
        } else {
            state.prune_expired(now_s());
        }
    }
}

/// Reads both tables, deletes expired token revocations, and swaps the snapshot in.
async fn reload(shared: &Shared, pool: &Pool) -> Result<(), String> {
    let started = Instant::now();
    let client = pool
        .get()
        .await
        .map_err(|e| format!("reading revocations: no database connection: {e}"))?;
    let token_rows = client
        .query(
            "SELECT jti, \
                    CASE WHEN isfinite(expires_at) THEN floor(extract(epoch FROM expires_at))::int8 END, \
                    coalesce(expires_at < now(), false) \
             FROM fraiseql.revoked_tokens",
            &[],
        )
        .await
        .map_err(|e| db_error("reading fraiseql.revoked_tokens", &e))?;
    let user_rows = client
        .query(
            "SELECT user_id, \
                    CASE WHEN revoked_before = 'infinity' THEN 9223372036854775807 \
                         WHEN revoked_before = '-infinity' THEN -9223372036854775808 \
                         ELSE floor(extract(epoch FROM revoked_before))::int8 END \
             FROM fraiseql.revoked_users",
            &[],
        )
        .await
        .map_err(|e| db_error("reading fraiseql.revoked_users", &e))?;
    let mut tokens = HashMap::with_capacity(token_rows.len());
    let mut expired = 0usize;
    for row in &token_rows {
        let jti: String = row.try_get(0).map_err(|e| e.to_string())?;
        let expires_at: Option<i64> = row.try_get(1).map_err(|e| e.to_string())?;
        if row.try_get::<_, bool>(2).map_err(|e| e.to_string())? {
            expired += 1;
        } else {
            tokens.insert(jti, expires_at);
        }
    }
    let mut users = HashMap::with_capacity(user_rows.len());
    for row in &user_rows {
        let user: String = row.try_get(0).map_err(|e| e.to_string())?;
        let before: i64 = row.try_get(1).map_err(|e| e.to_string())?;
        users.insert(user, before);
    }
    // Delete only when something expired: the statement-level trigger notifies every
    // instance even for a DELETE of no rows.
    if expired > 0 {
        match client
            .execute(
                "DELETE FROM fraiseql.revoked_tokens WHERE expires_at < now()",
                &[],
            )
            .await
        {
            Ok(n) => tracing::debug!(
                deleted = n,
                "revocations: deleted expired token revocations"
            ),
            Err(e) => tracing::warn!(
                "revocations: {}",
                db_error("deleting expired token revocations", &e)
            ),
        }
    }
    let mut state = shared.write();
    let recent: Vec<(Instant, Entry)> = std::mem::take(&mut state.recent)
        .into_iter()
        .filter(|(committed, _)| *committed >= started)
        .collect();
    *state = Snapshot {
        tokens,
        users,
        recent: Vec::new(),
    };
    for (_, entry) in &recent {
        state.apply(entry);
    }
    state.recent = recent;
    state.prune_expired(now_s());
    Ok(())
}

/// Inserts (or extends) the revocation of token `jti` with `client`; returns the stored
/// expiry (seconds since the epoch; `None`: forever). Used by [`Revocations`] and by
/// `fraiseql revoke`. A missing table yields a message naming `fraiseql setup`.
pub async fn revoke_token_in(
    client: &tokio_postgres::Client,
    jti: &str,
    expires_at: Option<i64>,
) -> Result<Option<i64>, String> {
    let row = client
        .query_one(
            "INSERT INTO fraiseql.revoked_tokens AS t (jti, expires_at) \
             VALUES ($1, to_timestamp($2::int8)) \
             ON CONFLICT (jti) DO UPDATE SET \
                 expires_at = CASE WHEN t.expires_at IS NULL OR EXCLUDED.expires_at IS NULL THEN NULL \
                                   ELSE greatest(t.expires_at, EXCLUDED.expires_at) END, \
                 revoked_at = now() \
             RETURNING CASE WHEN isfinite(expires_at) THEN floor(extract(epoch FROM expires_at))::int8 END",
            &[&jti, &expires_at],
        )
        .await
        .map_err(|e| db_error("revoking a token", &e))?;
    row.try_get(0).map_err(|e| e.to_string())
}

/// Inserts (or moves later) the cut-off of `user_id` with `client`; returns the stored
/// cut-off (seconds since the epoch), which is later than `before` when an existing one
/// was. Used by [`Revocations`] and by `fraiseql revoke`. A missing table yields a message
/// naming `fraiseql setup`.
pub async fn revoke_user_in(
    client: &tokio_postgres::Client,
    user_id: &str,
    before: i64,
) -> Result<i64, String> {
    let row = client
        .query_one(
            "INSERT INTO fraiseql.revoked_users AS u (user_id, revoked_before) \
             VALUES ($1, to_timestamp($2::int8)) \
             ON CONFLICT (user_id) DO UPDATE SET \
                 revoked_before = greatest(u.revoked_before, EXCLUDED.revoked_before), \
                 revoked_at = now() \
             RETURNING CASE WHEN revoked_before = 'infinity' THEN 9223372036854775807 \
                            ELSE floor(extract(epoch FROM revoked_before))::int8 END",
            &[&user_id, &before],
        )
        .await
        .map_err(|e| db_error("revoking a user", &e))?;
    row.try_get(0).map_err(|e| e.to_string())
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
