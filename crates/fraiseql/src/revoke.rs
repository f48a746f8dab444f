//! `fraiseql revoke`: revokes a token by its id (`jti`), or every token of a user issued at
//! or before a time, in the tables `fraiseql.revoked_tokens` / `fraiseql.revoked_users`
//! that `fraiseql setup` installs. Servers with `[auth.revocation] store = "postgres"` see
//! the revocation within their `staleness_ms`.

use anyhow::{Context, Result, anyhow, bail};
use fraiseql_auth::revocation::{now_s, revoke_token_in, revoke_user_in};

/// Revokes the token `jti` (kept forever) and/or the tokens of `user` issued at or before
/// `before` (seconds since the epoch; default now), printing what was revoked.
pub(crate) async fn run(
    database_url: &str,
    jti: Option<String>,
    user: Option<String>,
    before: Option<i64>,
) -> Result<()> {
    if jti.is_none() && user.is_none() {
        bail!("nothing to revoke: pass --jti <token id> or --user <user id>");
    }
    if before.is_some() && user.is_none() {
        bail!("--before applies to --user only");
    }
    let (client, conn) = tokio_postgres::connect(database_url, tokio_postgres::NoTls)
        .await
        .context("cannot connect to the database")?;
    tokio::spawn(conn);

    if let Some(jti) = jti {
        // The token's expiry is unknown here, so the revocation is kept until deleted.
        revoke_token_in(&client, &jti, None)
            .await
            .map_err(|e| anyhow!(e))?;
        println!("revoked: token {jti:?}");
    }
    if let Some(user) = user {
        let before = before.unwrap_or_else(now_s);
        let cut_off = revoke_user_in(&client, &user, before)
            .await
            .map_err(|e| anyhow!(e))?;
        let when = utc(&client, cut_off).await;
        println!(
            "revoked: every token of user {user:?} issued at or before {when} ({cut_off} s since the epoch)"
        );
        if cut_off > before {
            println!("note: the user already had this later cut-off; it was kept");
        }
    }
    Ok(())
}

/// `seconds` as an ISO 8601 UTC time, formatted by PostgreSQL (`"infinity"` when out of range).
async fn utc(client: &tokio_postgres::Client, seconds: i64) -> String {
    client
        .query_one(
            "SELECT to_char(to_timestamp($1::int8) AT TIME ZONE 'UTC', \
             'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            &[&seconds],
        )
        .await
        .ok()
        .and_then(|row| row.try_get(0).ok())
        .unwrap_or_else(|| "infinity".into())
}
