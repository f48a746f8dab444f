-- FraiseQL setup: the mutation response types and the helpers that build them.
--
-- Everything lives in schema `fraiseql`; no other schema is touched. The script is
-- idempotent: it can run any number of times, with `psql -v ON_ERROR_STOP=1 -f setup.sql`,
-- inside one transaction (`psql --single-transaction`, or BEGIN ... COMMIT around it), or as
-- one multi-statement simple-query execute. It takes a transaction-scoped advisory lock, so
-- concurrent runs are safe when each runs as one transaction (a single execute, or
-- --single-transaction); concurrent autocommit runs (plain `psql -f`) can fail with "tuple
-- concurrently updated" on CREATE OR REPLACE FUNCTION. An existing type with a different
-- shape is an error (it is never altered or dropped).
--
-- Writes go through PostgreSQL functions that return one "mutation response" row. FraiseQL
-- detects the shape from the function's result type at startup.
--
-- fraiseql.mutation_response (v2, 13 columns, in this order)
--   succeeded      boolean   true: the call did what was asked, or found nothing to do (noop)
--   state_changed  boolean   true when something was written; false for noops and errors
--   error_class    text      NULL on success; else validation | not_found | conflict |
--                            unauthorized | forbidden | timeout | failed
--   status_detail  text      success: created | updated | deleted | success | noop:<reason>;
--                            error: <error_class>[:<reason>], e.g. conflict:username_taken
--   http_status    smallint  200, 201 (created), or the error's status (422, 404, 409, ...)
--   message        text      human-readable message, may be NULL
--   entity_id      text      id of the primary entity (text, whatever the key type is)
--   entity_type    text      GraphQL type name of the entity, e.g. 'User'
--   entity         jsonb     the entity as its view's `data` (snake_case keys)
--   updated_fields text[]    input keys the call changed (snake_case)
--   cascade        jsonb     graphql-cascade object, see below; NULL when nothing else changed
--   error_detail   jsonb     structured error details, e.g.
--                            {"fields": [{"field": "username", "message": "must not be blank"}]}
--   metadata       jsonb     free-form extra data
--
-- fraiseql.mutation_result_v1 (v1, 8 columns, in this order)
--   status text, message text, entity_id text, entity_type text, entity jsonb,
--   updated_fields text[], cascade jsonb, metadata jsonb
--   where status is created | updated | deleted | success | noop:<reason> | failed:<reason> |
--   validation:<reason> | not_found:<reason> | conflict:<reason> | unauthorized:<reason> |
--   forbidden:<reason> | timeout:<reason>.
--
-- cascade (graphql-cascade shape, snake_case keys):
--   {"updated": [{"__typename": "Post", "id": "...", "operation": "UPDATED",   -- or CREATED
--                 "entity": {... the entity's full JSON, like its view's data ...}}],
--    "deleted": [{"__typename": "Comment", "id": "..."}],
--    "invalidations": [{"query_name": "posts", "strategy": "INVALIDATE", "scope": "PREFIX"}],
--    "metadata": {"timestamp": "2025-01-01T00:00:00.000Z", "affected_count": 2}}
--
-- Helpers (all return fraiseql.mutation_response):
--   fraiseql.mutation_ok(entity_id, entity_type, entity, message, updated_fields, cascade,
--                        state_changed, status_detail, metadata)
--       Success. status_detail defaults to 'success' ('noop' when state_changed is false);
--       http_status is 201 when status_detail = 'created', else 200.
--   fraiseql.mutation_noop(reason, entity_id, entity_type, entity, message)
--       Success that changed nothing: state_changed false, status_detail 'noop:<reason>',
--       updated_fields '{}', http_status 200.
--   fraiseql.mutation_err(error_class, message, error_detail, status_detail, http_status)
--       Error as data. error_class is one of validation (422), not_found (404),
--       conflict (409), unauthorized (401), forbidden (403), timeout (504), failed (500);
--       any other class raises an exception (SQLSTATE 22023). status_detail defaults to
--       error_class. http_status is smallint: pass 418::smallint, not a bare 418.
--
-- Example:
--   RETURN fraiseql.mutation_err('validation', 'Invalid input',
--       '{"fields": [{"field": "email", "message": "must contain @"}]}',
--       'validation:invalid_input');

-- Serialise concurrent runs inside transactions (the lock is released when the enclosing
-- transaction ends; in autocommit mode each statement is its own transaction).
DO $lock$
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('fraiseql.setup'));
END
$lock$;

CREATE SCHEMA IF NOT EXISTS fraiseql;

-- Composite types have no IF NOT EXISTS: create each one only if missing, and refuse to
-- go on if one exists with another shape.
DO $types$
DECLARE
    wanted record;
    actual text;
BEGIN
    FOR wanted IN
        SELECT *
        FROM (VALUES
            ('mutation_response',
             'succeeded boolean, state_changed boolean, error_class text, status_detail text, '
             'http_status smallint, message text, entity_id text, entity_type text, entity jsonb, '
             'updated_fields text[], cascade jsonb, error_detail jsonb, metadata jsonb'),
            ('mutation_result_v1',
             'status text, message text, entity_id text, entity_type text, entity jsonb, '
             'updated_fields text[], cascade jsonb, metadata jsonb')
        ) AS t (name, columns)
    LOOP
        IF NOT EXISTS (SELECT 1
                         FROM pg_catalog.pg_type AS ty
                         JOIN pg_catalog.pg_namespace AS ns ON ns.oid = ty.typnamespace
                        WHERE ns.nspname = 'fraiseql' AND ty.typname = wanted.name) THEN
            EXECUTE pg_catalog.format('CREATE TYPE fraiseql.%I AS (%s)', wanted.name, wanted.columns);
            CONTINUE;
        END IF;
        SELECT pg_catalog.string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod),
                                     ', ' ORDER BY a.attnum)
          INTO actual
          FROM pg_catalog.pg_type AS ty
          JOIN pg_catalog.pg_namespace AS ns ON ns.oid = ty.typnamespace
          JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid = ty.typrelid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE ns.nspname = 'fraiseql' AND ty.typname = wanted.name;
        IF actual IS DISTINCT FROM wanted.columns THEN
            RAISE EXCEPTION 'fraiseql.% exists with a different shape', wanted.name
                USING ERRCODE = 'duplicate_object',
                      DETAIL = pg_catalog.format('found (%s), expected (%s)', coalesce(actual, 'not a composite type'), wanted.columns),
                      HINT = 'Drop the type (and the functions that use it) or fix it by hand, then run setup again.';
        END IF;
    END LOOP;
END
$types$;

COMMENT ON TYPE fraiseql.mutation_response IS
    'FraiseQL mutation response (v2): the row a mutation function returns. Build it with fraiseql.mutation_ok, fraiseql.mutation_noop or fraiseql.mutation_err.';
COMMENT ON TYPE fraiseql.mutation_result_v1 IS
    'FraiseQL mutation response (v1, legacy 8-column shape): status is created|updated|deleted|success, noop:<reason> or <error_class>:<reason>.';

-- ---------------------------------------------------------------------------------------
-- fraiseql.mutation_ok: a success row.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fraiseql.mutation_ok(
    entity_id      text,
    entity_type    text,
    entity         jsonb,
    message        text    DEFAULT NULL,
    updated_fields text[]  DEFAULT NULL,
    cascade        jsonb   DEFAULT NULL,
    state_changed  boolean DEFAULT true,
    status_detail  text    DEFAULT NULL,
    metadata       jsonb   DEFAULT NULL
) RETURNS fraiseql.mutation_response
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $fn$
DECLARE
    r      fraiseql.mutation_response;
    detail text := coalesce(mutation_ok.status_detail,
                            CASE WHEN coalesce(mutation_ok.state_changed, true) THEN 'success' ELSE 'noop' END);
BEGIN
    r.succeeded      := true;
    r.state_changed  := coalesce(mutation_ok.state_changed, true);
    r.error_class    := NULL;
    r.status_detail  := detail;
    r.http_status    := CASE WHEN detail = 'created' THEN 201 ELSE 200 END;
    r.message        := mutation_ok.message;
    r.entity_id      := mutation_ok.entity_id;
    r.entity_type    := mutation_ok.entity_type;
    r.entity         := mutation_ok.entity;
    r.updated_fields := mutation_ok.updated_fields;
    r.cascade        := mutation_ok.cascade;
    r.error_detail   := NULL;
    r.metadata       := mutation_ok.metadata;
    RETURN r;
END
$fn$;

COMMENT ON FUNCTION fraiseql.mutation_ok(text, text, jsonb, text, text[], jsonb, boolean, text, jsonb) IS
    'Success row: succeeded true; status_detail defaults to success (noop when state_changed is false); http_status 201 for created, else 200.';

-- ---------------------------------------------------------------------------------------
-- fraiseql.mutation_noop: a success that changed nothing.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fraiseql.mutation_noop(
    reason      text,
    entity_id   text  DEFAULT NULL,
    entity_type text  DEFAULT NULL,
    entity      jsonb DEFAULT NULL,
    message     text  DEFAULT NULL
) RETURNS fraiseql.mutation_response
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $fn$
DECLARE
    r fraiseql.mutation_response;
BEGIN
    r.succeeded      := true;
    r.state_changed  := false;
    r.error_class    := NULL;
    r.status_detail  := CASE WHEN coalesce(mutation_noop.reason, '') = '' THEN 'noop'
                             ELSE 'noop:' || mutation_noop.reason END;
    r.http_status    := 200;
    r.message        := mutation_noop.message;
    r.entity_id      := mutation_noop.entity_id;
    r.entity_type    := mutation_noop.entity_type;
    r.entity         := mutation_noop.entity;
    r.updated_fields := '{}';
    r.cascade        := NULL;
    r.error_detail   := NULL;
    r.metadata       := NULL;
    RETURN r;
END
$fn$;

COMMENT ON FUNCTION fraiseql.mutation_noop(text, text, text, jsonb, text) IS
    'Success that changed nothing: state_changed false, status_detail noop:<reason>, updated_fields empty, http_status 200.';

-- ---------------------------------------------------------------------------------------
-- fraiseql.mutation_err: an error returned as data.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fraiseql.mutation_err(
    error_class   text,
    message       text,
    error_detail  jsonb    DEFAULT NULL,
    status_detail text     DEFAULT NULL,
    http_status   smallint DEFAULT NULL
) RETURNS fraiseql.mutation_response
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $fn$
DECLARE
    r      fraiseql.mutation_response;
    status smallint;
BEGIN
    status := CASE mutation_err.error_class
                  WHEN 'validation'   THEN 422
                  WHEN 'not_found'    THEN 404
                  WHEN 'conflict'     THEN 409
                  WHEN 'unauthorized' THEN 401
                  WHEN 'forbidden'    THEN 403
                  WHEN 'timeout'      THEN 504
                  WHEN 'failed'       THEN 500
              END;
    IF status IS NULL THEN
        RAISE EXCEPTION 'fraiseql.mutation_err: unknown error_class %', coalesce(quote_literal(mutation_err.error_class), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use one of validation, not_found, conflict, unauthorized, forbidden, timeout, failed.';
    END IF;
    r.succeeded      := false;
    r.state_changed  := false;
    r.error_class    := mutation_err.error_class;
    r.status_detail  := coalesce(mutation_err.status_detail, mutation_err.error_class);
    r.http_status    := coalesce(mutation_err.http_status, status);
    r.message        := mutation_err.message;
    r.entity_id      := NULL;
    r.entity_type    := NULL;
    r.entity         := NULL;
    r.updated_fields := NULL;
    r.cascade        := NULL;
    r.error_detail   := mutation_err.error_detail;
    r.metadata       := NULL;
    RETURN r;
END
$fn$;

COMMENT ON FUNCTION fraiseql.mutation_err(text, text, jsonb, text, smallint) IS
    'Error row: succeeded false, state_changed false; error_class validation|not_found|conflict|unauthorized|forbidden|timeout|failed (http 422|404|409|401|403|504|500 unless given); status_detail defaults to error_class.';
