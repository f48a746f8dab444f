-- FraiseQL authentication tables: token revocation and roles.
--
-- Everything lives in schema `fraiseql`. The script is idempotent: tables are created only
-- when missing (an existing table is never altered or dropped), functions are replaced and
-- triggers are dropped and recreated. It can run any number of times, on its own or after
-- the main setup script, as one multi-statement execute or with `psql -f`. Like the main
-- setup script it takes the `fraiseql.setup` transaction-scoped advisory lock, so concurrent
-- runs are serialised when each runs as one transaction.
--
-- fraiseql.revoked_tokens   one row per revoked token id (`jti`). `expires_at` is the
--                           token's own expiry (NULL: keep forever); once it has passed the
--                           token is refused anyway, and FraiseQL deletes the row.
-- fraiseql.revoked_users    one cut-off per user: every token of `user_id` issued (`iat`) at
--                           or before `revoked_before` is refused, and so is any token of
--                           that user without `iat`. Rows are never deleted automatically.
-- fraiseql.roles            role names.
-- fraiseql.role_inherits    `role` has every permission (and parent) of `parent`.
--                           Cycles are allowed and harmless.
-- fraiseql.role_permissions permissions granted to a role.
--
-- Any change to the three role tables sends NOTIFY fraiseql_roles (FraiseQL drops its
-- cached role resolutions); any change to the two revocation tables sends
-- NOTIFY fraiseql_revocations. The triggers are statement-level: one notification per
-- statement, and PostgreSQL folds identical notifications of one transaction into one.

DO $lock$
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('fraiseql.setup'));
END
$lock$;

CREATE SCHEMA IF NOT EXISTS fraiseql;

CREATE TABLE IF NOT EXISTS fraiseql.revoked_tokens (
    jti        text PRIMARY KEY,
    expires_at timestamptz,
    revoked_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS revoked_tokens_expires_at
    ON fraiseql.revoked_tokens (expires_at)
    WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS fraiseql.revoked_users (
    user_id        text PRIMARY KEY,
    revoked_before timestamptz NOT NULL,
    revoked_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS fraiseql.roles (
    name text PRIMARY KEY
);

CREATE TABLE IF NOT EXISTS fraiseql.role_inherits (
    role   text NOT NULL REFERENCES fraiseql.roles (name) ON UPDATE CASCADE ON DELETE CASCADE,
    parent text NOT NULL REFERENCES fraiseql.roles (name) ON UPDATE CASCADE ON DELETE CASCADE,
    PRIMARY KEY (role, parent)
);

-- The recursive resolution walks role -> parent; the primary key serves it. This index
-- serves the foreign key on `parent` (deleting or renaming a role).
CREATE INDEX IF NOT EXISTS role_inherits_parent ON fraiseql.role_inherits (parent);

CREATE TABLE IF NOT EXISTS fraiseql.role_permissions (
    role       text NOT NULL REFERENCES fraiseql.roles (name) ON UPDATE CASCADE ON DELETE CASCADE,
    permission text NOT NULL,
    PRIMARY KEY (role, permission)
);

CREATE OR REPLACE FUNCTION fraiseql.notify_roles_changed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_catalog.pg_notify('fraiseql_roles', '');
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION fraiseql.notify_revocations_changed() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_catalog.pg_notify('fraiseql_revocations', '');
    RETURN NULL;
END
$fn$;

-- Drop and recreate each table's trigger (works on every supported PostgreSQL version, unlike
-- CREATE OR REPLACE TRIGGER, which needs 14).
DO $triggers$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT *
        FROM (VALUES
            ('roles',            'notify_roles_changed'),
            ('role_inherits',    'notify_roles_changed'),
            ('role_permissions', 'notify_roles_changed'),
            ('revoked_tokens',   'notify_revocations_changed'),
            ('revoked_users',    'notify_revocations_changed')
        ) AS v (table_name, function_name)
    LOOP
        EXECUTE pg_catalog.format(
            'DROP TRIGGER IF EXISTS fraiseql_notify ON fraiseql.%I', t.table_name);
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER fraiseql_notify
                 AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON fraiseql.%I
                 FOR EACH STATEMENT EXECUTE FUNCTION fraiseql.%I()',
            t.table_name, t.function_name);
    END LOOP;
END
$triggers$;
