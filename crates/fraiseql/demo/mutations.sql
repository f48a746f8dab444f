-- FraiseQL demo: write functions (mutations) for the demo blog.
--
-- REQUIRES, in this order: demo.sql (tables tb_user, tb_post, tb_comment and views v_user,
-- v_post, v_comment) and crates/fraiseql-server/sql/setup.sql (schema `fraiseql`: types
-- fraiseql.mutation_response / fraiseql.mutation_result_v1 and the helpers mutation_ok,
-- mutation_noop, mutation_err). Run with: psql -v ON_ERROR_STOP=1 -f mutations.sql
--
-- The script is idempotent (CREATE OR REPLACE, IF NOT EXISTS) and can run inside one
-- transaction or as one multi-statement execute. Objects are created in the current schema
-- (like demo.sql); the functions find the demo tables through the caller's search_path.
-- Re-running demo.sql afterwards keeps these functions working (it does not drop them, nor
-- tb_mutation_call_log).
--
-- Functions (all inputs use snake_case keys; errors are returned as data, never raised):
--   fn_create_user(input jsonb)    -> fraiseql.mutation_response   created | validation | conflict
--   fn_update_user(input jsonb)    -> fraiseql.mutation_response   updated | noop:unchanged |
--                                                                    validation | not_found | conflict
--   fn_delete_user(id uuid)        -> fraiseql.mutation_response   deleted | validation | not_found
--   fn_publish_post(input jsonb)   -> fraiseql.mutation_response   updated | noop:already_published |
--                                                                    validation | not_found
--   fn_rename_post_v1(input jsonb) -> fraiseql.mutation_result_v1  updated | noop:unchanged |
--                                                                    validation:title_blank | ... | not_found:post
--   fn_fail_after_write(input jsonb) -> fraiseql.mutation_response  inserts a user, then raises
--                                                                    'boom' (SQLSTATE P0001)
--   fn_record_call(input jsonb)    -> fraiseql.mutation_response   logs the call in tb_mutation_call_log
-- Helpers used by them (not mutations): demo_user_field_errors, demo_cascade, demo_post_dependents.
--
-- Validation errors: error_detail = {"fields": [{"field": "username", "message": "must not be blank"}, ...]}
-- sorted by field; status_detail 'validation:invalid_input'. Unknown input keys are errors
-- ("unknown field"), so a camelCase key such as fullName is reported instead of ignored.

DO $check$
BEGIN
    IF to_regtype('fraiseql.mutation_response') IS NULL
       OR to_regtype('fraiseql.mutation_result_v1') IS NULL
       OR to_regprocedure('fraiseql.mutation_ok(text, text, jsonb, text, text[], jsonb, boolean, text, jsonb)') IS NULL THEN
        RAISE EXCEPTION 'mutations.sql needs the fraiseql schema: run crates/fraiseql-server/sql/setup.sql (fraiseql setup) first';
    END IF;
    IF to_regclass('tb_user') IS NULL OR to_regclass('v_user') IS NULL THEN
        RAISE EXCEPTION 'mutations.sql needs the demo tables and views: run demo.sql first';
    END IF;
END
$check$;

-- ---------------------------------------------------------------------------------------
-- Call log (for tests: proves which calls reached the database)
-- ---------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS tb_mutation_call_log (
    id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    input     jsonb,
    called_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Older drafts of this file may have used other signatures.
DROP FUNCTION IF EXISTS fn_delete_user(jsonb);
DROP FUNCTION IF EXISTS fn_delete_user(text);

-- ---------------------------------------------------------------------------------------
-- Helpers
-- ---------------------------------------------------------------------------------------

-- Field errors of a user input, as a JSON array sorted by field ('[]' when valid).
-- creating: true for fn_create_user (all of username, full_name, email, age, birth_date
-- required), false for fn_update_user (id required, the rest optional, NOT NULL columns
-- may not be set to null).
CREATE OR REPLACE FUNCTION demo_user_field_errors(input jsonb, creating boolean)
RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $fn$
DECLARE
    v_allowed   text[] := ARRAY['username', 'full_name', 'email', 'age', 'birth_date',
                                'bio', 'website', 'location', 'is_active'];
    v_required  text[] := CASE WHEN creating
                               THEN ARRAY['username', 'full_name', 'email', 'age', 'birth_date']
                               ELSE ARRAY['id'] END;
    v_not_null  text[] := ARRAY['id', 'username', 'full_name', 'email', 'age', 'birth_date', 'is_active'];
    v_errors    jsonb := '[]';
    v_key       text;
    v_value     jsonb;
    v_type      text;
    v_text      text;
    v_msg       text;
    v_y int; v_m int; v_d int;
BEGIN
    IF input IS NULL OR jsonb_typeof(input) <> 'object' THEN
        RETURN jsonb_build_array(jsonb_build_object('field', 'input', 'message', 'must be a JSON object'));
    END IF;
    IF NOT creating THEN
        v_allowed := v_allowed || 'id'::text;
    END IF;

    FOREACH v_key IN ARRAY v_required LOOP
        IF NOT input ? v_key OR jsonb_typeof(input -> v_key) = 'null' THEN
            v_errors := v_errors || jsonb_build_object('field', v_key, 'message', 'is required');
        END IF;
    END LOOP;

    FOR v_key, v_value IN SELECT e.key, e.value FROM jsonb_each(input) AS e ORDER BY e.key LOOP
        v_type := jsonb_typeof(v_value);
        v_text := v_value #>> '{}';
        v_msg  := NULL;
        IF NOT v_key = ANY (v_allowed) THEN
            v_msg := 'unknown field';
        ELSIF v_type = 'null' THEN
            IF NOT v_key = ANY (v_required) AND v_key = ANY (v_not_null) AND NOT creating THEN
                v_msg := 'must not be null';
            END IF;
        ELSIF v_key = 'id' THEN
            IF v_type <> 'string' OR v_text !~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$' THEN
                v_msg := 'must be a UUID';
            END IF;
        ELSIF v_key = 'is_active' THEN
            IF v_type <> 'boolean' THEN
                v_msg := 'must be a boolean';
            END IF;
        ELSIF v_key = 'age' THEN
            IF v_type <> 'number' OR v_text !~ '^-?[0-9]+$' THEN
                v_msg := 'must be an integer';
            ELSIF v_text::numeric NOT BETWEEN 0 AND 150 THEN
                v_msg := 'must be between 0 and 150';
            END IF;
        ELSIF v_type <> 'string' THEN
            v_msg := 'must be a string';
        ELSIF v_key = 'username' THEN
            IF btrim(v_text) = '' THEN
                v_msg := 'must not be blank';
            ELSIF btrim(v_text) ~ '\s' THEN
                v_msg := 'must not contain spaces';
            ELSIF char_length(btrim(v_text)) > 64 THEN
                v_msg := 'must be at most 64 characters';
            END IF;
        ELSIF v_key = 'full_name' THEN
            IF btrim(v_text) = '' THEN
                v_msg := 'must not be blank';
            ELSIF char_length(btrim(v_text)) > 200 THEN
                v_msg := 'must be at most 200 characters';
            END IF;
        ELSIF v_key = 'email' THEN
            IF btrim(v_text) = '' THEN
                v_msg := 'must not be blank';
            ELSIF btrim(v_text) !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' THEN
                v_msg := 'must be a valid email address';
            ELSIF char_length(btrim(v_text)) > 254 THEN
                v_msg := 'must be at most 254 characters';
            END IF;
        ELSIF v_key = 'birth_date' THEN
            IF v_text !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
                v_msg := 'must be a date (YYYY-MM-DD)';
            ELSE
                v_y := substr(v_text, 1, 4)::int;
                v_m := substr(v_text, 6, 2)::int;
                v_d := substr(v_text, 9, 2)::int;
                -- Nested tests: no make_date call before the parts are known to be valid.
                IF v_y < 1 OR v_m NOT BETWEEN 1 AND 12 OR v_d < 1 THEN
                    v_msg := 'must be a date (YYYY-MM-DD)';
                ELSIF v_d > extract(day FROM make_date(v_y, v_m, 1) + interval '1 month - 1 day') THEN
                    v_msg := 'must be a date (YYYY-MM-DD)';
                ELSIF make_date(v_y, v_m, v_d) > current_date THEN
                    v_msg := 'must not be in the future';
                END IF;
            END IF;
        ELSE -- bio, website, location
            IF char_length(v_text) > 1000 THEN
                v_msg := 'must be at most 1000 characters';
            END IF;
        END IF;
        IF v_msg IS NOT NULL THEN
            v_errors := v_errors || jsonb_build_object('field', v_key, 'message', v_msg);
        END IF;
    END LOOP;

    RETURN coalesce((SELECT jsonb_agg(e ORDER BY e ->> 'field') FROM jsonb_array_elements(v_errors) AS e), '[]');
END
$fn$;

-- A graphql-cascade object from its lists, with metadata (timestamp, affected_count).
CREATE OR REPLACE FUNCTION demo_cascade(updated jsonb, deleted jsonb, invalidations jsonb)
RETURNS jsonb
LANGUAGE sql STABLE
AS $fn$
    SELECT jsonb_build_object(
        'updated', coalesce($1, '[]'),
        'deleted', coalesce($2, '[]'),
        'invalidations', coalesce($3, '[]'),
        'metadata', jsonb_build_object(
            'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'affected_count', jsonb_array_length(coalesce($1, '[]')) + jsonb_array_length(coalesce($2, '[]'))))
$fn$;

-- The cascade `updated` entries for a change to a post's summary (title, published_at):
-- its author (User.posts embeds it), then the comments on it (Comment.post embeds it).
CREATE OR REPLACE FUNCTION demo_post_dependents(post_id uuid)
RETURNS jsonb
LANGUAGE sql STABLE
AS $fn$
    SELECT coalesce(jsonb_agg(x.entry ORDER BY x.ord, x.created_at, x.id), '[]')
    FROM (
        SELECT 1 AS ord, u.created_at, u.id,
               jsonb_build_object('__typename', 'User', 'id', u.id, 'operation', 'UPDATED', 'entity', u.data) AS entry
        FROM v_user AS u
        WHERE u.id = (SELECT p.author_id FROM tb_post AS p WHERE p.id = $1)
        UNION ALL
        SELECT 2, c.created_at, c.id,
               jsonb_build_object('__typename', 'Comment', 'id', c.id, 'operation', 'UPDATED', 'entity', c.data)
        FROM v_comment AS c
        WHERE c.post_id = $1
    ) AS x
$fn$;

-- ---------------------------------------------------------------------------------------
-- fn_create_user(input jsonb)
--   input: username, full_name, email, age, birth_date (required); bio, website, location,
--          is_active (optional). username, full_name and email are trimmed.
--   created (201): entity = v_user.data, updated_fields = the input keys (sorted)
--   validation:invalid_input (422): error_detail {"fields": [...]}
--   conflict:username_taken / conflict:email_taken (409): error_detail {"fields": [...]}
--   (email uniqueness is checked case-insensitively)
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fn_create_user(input jsonb)
RETURNS fraiseql.mutation_response
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_errors   jsonb := demo_user_field_errors(fn_create_user.input, true);
    v_conflict jsonb := '[]';
    v_username text;
    v_email    text;
    v_id       uuid;
    v_data     jsonb;
BEGIN
    IF v_errors <> '[]' THEN
        RETURN fraiseql.mutation_err('validation', 'Invalid input',
                                     jsonb_build_object('fields', v_errors), 'validation:invalid_input');
    END IF;

    v_username := btrim(input ->> 'username');
    v_email    := btrim(input ->> 'email');
    IF EXISTS (SELECT 1 FROM tb_user AS u WHERE u.username = v_username) THEN
        v_conflict := v_conflict || jsonb_build_object('field', 'username', 'message', 'is already taken');
    END IF;
    IF EXISTS (SELECT 1 FROM tb_user AS u WHERE lower(u.email) = lower(v_email)) THEN
        v_conflict := v_conflict || jsonb_build_object('field', 'email', 'message', 'is already in use');
    END IF;
    IF v_conflict <> '[]' THEN
        RETURN fraiseql.mutation_err('conflict',
                                     CASE WHEN v_conflict @> '[{"field": "username"}]'
                                          THEN 'Username is already taken' ELSE 'Email is already in use' END,
                                     jsonb_build_object('fields', v_conflict),
                                     CASE WHEN v_conflict @> '[{"field": "username"}]'
                                          THEN 'conflict:username_taken' ELSE 'conflict:email_taken' END);
    END IF;

    -- ON CONFLICT covers a concurrent insert between the checks above and this statement.
    INSERT INTO tb_user (id, username, full_name, email, bio, website, location, age, is_active, birth_date)
    VALUES (gen_random_uuid(),
            v_username,
            btrim(input ->> 'full_name'),
            v_email,
            input ->> 'bio',
            input ->> 'website',
            input ->> 'location',
            (input ->> 'age')::int,
            coalesce((input ->> 'is_active')::boolean, true),
            (input ->> 'birth_date')::date)
    ON CONFLICT DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RETURN fraiseql.mutation_err('conflict', 'Username or email is already in use',
                                     jsonb_build_object('fields', jsonb_build_array(
                                         jsonb_build_object('field', 'username', 'message', 'may already be taken'),
                                         jsonb_build_object('field', 'email', 'message', 'may already be in use'))),
                                     'conflict:duplicate');
    END IF;

    SELECT u.data INTO v_data FROM v_user AS u WHERE u.id = v_id;
    RETURN fraiseql.mutation_ok(
        entity_id      => v_id::text,
        entity_type    => 'User',
        entity         => v_data,
        message        => 'User created',
        updated_fields => ARRAY(SELECT k FROM jsonb_object_keys(input) AS k ORDER BY k),
        status_detail  => 'created');
END
$fn$;

-- ---------------------------------------------------------------------------------------
-- fn_update_user(input jsonb)
--   input: id (required); username, full_name, email, age, birth_date, is_active (not null
--          when given); bio, website, location (null clears them).
--   updated (200): entity = v_user.data, updated_fields = the keys whose value changed
--                  (sorted); cascade NULL
--   noop:unchanged (200): nothing differs; entity = the current v_user.data
--   validation:invalid_input (422), not_found:user (404),
--   conflict:username_taken / conflict:email_taken (409, only for values that change)
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fn_update_user(input jsonb)
RETURNS fraiseql.mutation_response
LANGUAGE plpgsql
AS $fn$
-- Plain variables, not tb_user%ROWTYPE: re-running demo.sql recreates tb_user, and a row
-- type cached by a live session would then fail ("cache lookup failed for type").
DECLARE
    v_errors     jsonb := demo_user_field_errors(fn_update_user.input, false);
    v_conflict   jsonb := '[]';
    v_id         uuid;
    v_username   text;    v_new_username   text;
    v_full_name  text;    v_new_full_name  text;
    v_email      text;    v_new_email      text;
    v_bio        text;    v_new_bio        text;
    v_website    text;    v_new_website    text;
    v_location   text;    v_new_location   text;
    v_age        integer; v_new_age        integer;
    v_birth_date date;    v_new_birth_date date;
    v_is_active  boolean; v_new_is_active  boolean;
    v_changed    text[] := '{}';
    v_data       jsonb;
BEGIN
    IF v_errors <> '[]' THEN
        RETURN fraiseql.mutation_err('validation', 'Invalid input',
                                     jsonb_build_object('fields', v_errors), 'validation:invalid_input');
    END IF;

    v_id := (input ->> 'id')::uuid;
    SELECT u.username, u.full_name, u.email, u.bio, u.website, u.location, u.age, u.birth_date, u.is_active
      INTO v_username, v_full_name, v_email, v_bio, v_website, v_location, v_age, v_birth_date, v_is_active
      FROM tb_user AS u
     WHERE u.id = v_id
       FOR UPDATE;
    IF NOT FOUND THEN
        RETURN fraiseql.mutation_err('not_found', 'User not found',
                                     jsonb_build_object('id', v_id), 'not_found:user');
    END IF;

    v_new_username   := CASE WHEN input ? 'username'   THEN btrim(input ->> 'username')      ELSE v_username   END;
    v_new_full_name  := CASE WHEN input ? 'full_name'  THEN btrim(input ->> 'full_name')     ELSE v_full_name  END;
    v_new_email      := CASE WHEN input ? 'email'      THEN btrim(input ->> 'email')         ELSE v_email      END;
    v_new_bio        := CASE WHEN input ? 'bio'        THEN input ->> 'bio'                  ELSE v_bio        END;
    v_new_website    := CASE WHEN input ? 'website'    THEN input ->> 'website'              ELSE v_website    END;
    v_new_location   := CASE WHEN input ? 'location'   THEN input ->> 'location'             ELSE v_location   END;
    v_new_age        := CASE WHEN input ? 'age'        THEN (input ->> 'age')::int           ELSE v_age        END;
    v_new_birth_date := CASE WHEN input ? 'birth_date' THEN (input ->> 'birth_date')::date   ELSE v_birth_date END;
    v_new_is_active  := CASE WHEN input ? 'is_active'  THEN (input ->> 'is_active')::boolean ELSE v_is_active  END;

    -- Sorted by name.
    IF v_new_age        IS DISTINCT FROM v_age        THEN v_changed := v_changed || 'age'::text;        END IF;
    IF v_new_bio        IS DISTINCT FROM v_bio        THEN v_changed := v_changed || 'bio'::text;        END IF;
    IF v_new_birth_date IS DISTINCT FROM v_birth_date THEN v_changed := v_changed || 'birth_date'::text; END IF;
    IF v_new_email      IS DISTINCT FROM v_email      THEN v_changed := v_changed || 'email'::text;      END IF;
    IF v_new_full_name  IS DISTINCT FROM v_full_name  THEN v_changed := v_changed || 'full_name'::text;  END IF;
    IF v_new_is_active  IS DISTINCT FROM v_is_active  THEN v_changed := v_changed || 'is_active'::text;  END IF;
    IF v_new_location   IS DISTINCT FROM v_location   THEN v_changed := v_changed || 'location'::text;   END IF;
    IF v_new_username   IS DISTINCT FROM v_username   THEN v_changed := v_changed || 'username'::text;   END IF;
    IF v_new_website    IS DISTINCT FROM v_website    THEN v_changed := v_changed || 'website'::text;    END IF;

    IF cardinality(v_changed) = 0 THEN
        SELECT u.data INTO v_data FROM v_user AS u WHERE u.id = v_id;
        RETURN fraiseql.mutation_noop('unchanged', v_id::text, 'User', v_data, 'No changes');
    END IF;

    IF 'username' = ANY (v_changed)
       AND EXISTS (SELECT 1 FROM tb_user AS u WHERE u.username = v_new_username AND u.id <> v_id) THEN
        v_conflict := v_conflict || jsonb_build_object('field', 'username', 'message', 'is already taken');
    END IF;
    IF 'email' = ANY (v_changed)
       AND EXISTS (SELECT 1 FROM tb_user AS u WHERE lower(u.email) = lower(v_new_email) AND u.id <> v_id) THEN
        v_conflict := v_conflict || jsonb_build_object('field', 'email', 'message', 'is already in use');
    END IF;
    IF v_conflict <> '[]' THEN
        RETURN fraiseql.mutation_err('conflict',
                                     CASE WHEN v_conflict @> '[{"field": "username"}]'
                                          THEN 'Username is already taken' ELSE 'Email is already in use' END,
                                     jsonb_build_object('fields', v_conflict),
                                     CASE WHEN v_conflict @> '[{"field": "username"}]'
                                          THEN 'conflict:username_taken' ELSE 'conflict:email_taken' END);
    END IF;

    UPDATE tb_user AS u
       SET username   = v_new_username,
           full_name  = v_new_full_name,
           email      = v_new_email,
           bio        = v_new_bio,
           website    = v_new_website,
           location   = v_new_location,
           age        = v_new_age,
           birth_date = v_new_birth_date,
           is_active  = v_new_is_active
     WHERE u.id = v_id;

    SELECT u.data INTO v_data FROM v_user AS u WHERE u.id = v_id;
    RETURN fraiseql.mutation_ok(
        entity_id      => v_id::text,
        entity_type    => 'User',
        entity         => v_data,
        message        => 'User updated',
        updated_fields => v_changed,
        status_detail  => 'updated');
END
$fn$;

-- ---------------------------------------------------------------------------------------
-- fn_delete_user(id uuid)  -- positional: one uuid argument
--   deleted (200): entity = the user's v_user.data just before the delete; cascade:
--     deleted: the user, its posts, then every comment that goes with them (the user's own
--              comments and all comments on the user's posts), each {"__typename", "id"};
--     updated: other users' posts that lost comments (comment_count changed), entity = v_post.data;
--     invalidations: users, plus posts / comments when any were deleted (INVALIDATE, PREFIX).
--   validation:id_required (422) for a NULL id, not_found:user (404)
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fn_delete_user(id uuid)
RETURNS fraiseql.mutation_response
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_column
DECLARE
    v_id            uuid := fn_delete_user.id;
    v_data          jsonb;
    v_posts         jsonb;
    v_comments      jsonb;
    v_touched       uuid[];
    v_updated       jsonb;
    v_invalidations jsonb;
BEGIN
    IF v_id IS NULL THEN
        RETURN fraiseql.mutation_err('validation', 'Invalid input',
                                     '{"fields": [{"field": "id", "message": "is required"}]}',
                                     'validation:id_required');
    END IF;

    PERFORM 1 FROM tb_user AS u WHERE u.id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN fraiseql.mutation_err('not_found', 'User not found',
                                     jsonb_build_object('id', v_id), 'not_found:user');
    END IF;
    SELECT u.data INTO v_data FROM v_user AS u WHERE u.id = v_id;

    SELECT coalesce(jsonb_agg(jsonb_build_object('__typename', 'Post', 'id', p.id) ORDER BY p.created_at, p.id), '[]')
      INTO v_posts
      FROM tb_post AS p
     WHERE p.author_id = v_id;

    SELECT coalesce(jsonb_agg(jsonb_build_object('__typename', 'Comment', 'id', c.id) ORDER BY c.created_at, c.id), '[]')
      INTO v_comments
      FROM tb_comment AS c
     WHERE c.author_id = v_id
        OR c.post_id IN (SELECT p.id FROM tb_post AS p WHERE p.author_id = v_id);

    -- Posts of other authors that lose this user's comments.
    SELECT coalesce(array_agg(DISTINCT c.post_id), '{}')
      INTO v_touched
      FROM tb_comment AS c
      JOIN tb_post AS p ON p.id = c.post_id
     WHERE c.author_id = v_id AND p.author_id <> v_id;

    DELETE FROM tb_user AS u WHERE u.id = v_id;  -- posts and comments go by ON DELETE CASCADE

    SELECT coalesce(jsonb_agg(jsonb_build_object('__typename', 'Post', 'id', p.id, 'operation', 'UPDATED',
                                                 'entity', p.data) ORDER BY p.created_at, p.id), '[]')
      INTO v_updated
      FROM v_post AS p
     WHERE p.id = ANY (v_touched);

    v_invalidations := jsonb_build_array(
        jsonb_build_object('query_name', 'users', 'strategy', 'INVALIDATE', 'scope', 'PREFIX'));
    IF v_posts <> '[]' THEN
        v_invalidations := v_invalidations
            || jsonb_build_object('query_name', 'posts', 'strategy', 'INVALIDATE', 'scope', 'PREFIX');
    END IF;
    IF v_comments <> '[]' THEN
        v_invalidations := v_invalidations
            || jsonb_build_object('query_name', 'comments', 'strategy', 'INVALIDATE', 'scope', 'PREFIX');
    END IF;

    RETURN fraiseql.mutation_ok(
        entity_id     => v_id::text,
        entity_type   => 'User',
        entity        => v_data,
        message       => 'User deleted',
        cascade       => demo_cascade(
                             v_updated,
                             jsonb_build_array(jsonb_build_object('__typename', 'User', 'id', v_id))
                                 || v_posts || v_comments,
                             v_invalidations),
        status_detail => 'deleted');
END
$fn$;

-- ---------------------------------------------------------------------------------------
-- fn_publish_post(input jsonb)
--   input: id (required).
--   updated (200): sets is_published and published_at; entity = v_post.data;
--     updated_fields {is_published,published_at}; cascade updated: the author (User, whose
--     `posts` summary shows published_at) then the post's comments (Comment, whose `post`
--     summary shows it); invalidations: posts (INVALIDATE, PREFIX).
--   noop:already_published (200): entity = the current v_post.data
--   validation:invalid_input (422), not_found:post (404)
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fn_publish_post(input jsonb)
RETURNS fraiseql.mutation_response
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_errors    jsonb := '[]';
    v_id        uuid;
    v_published boolean;
    v_data      jsonb;
    v_key       text;
BEGIN
    IF input IS NULL OR jsonb_typeof(input) <> 'object' THEN
        v_errors := '[{"field": "input", "message": "must be a JSON object"}]';
    ELSE
        IF jsonb_typeof(input -> 'id') IS DISTINCT FROM 'string' THEN
            v_errors := v_errors || jsonb_build_object('field', 'id',
                'message', CASE WHEN coalesce(jsonb_typeof(input -> 'id'), 'null') = 'null'
                                THEN 'is required' ELSE 'must be a UUID' END);
        ELSIF input ->> 'id' !~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$' THEN
            v_errors := v_errors || '{"field": "id", "message": "must be a UUID"}';
        END IF;
        FOR v_key IN SELECT k FROM jsonb_object_keys(input) AS k WHERE k <> 'id' ORDER BY k LOOP
            v_errors := v_errors || jsonb_build_object('field', v_key, 'message', 'unknown field');
        END LOOP;
    END IF;
    IF v_errors <> '[]' THEN
        RETURN fraiseql.mutation_err('validation', 'Invalid input',
                                     jsonb_build_object('fields', v_errors), 'validation:invalid_input');
    END IF;

    v_id := (input ->> 'id')::uuid;
    SELECT p.is_published INTO v_published FROM tb_post AS p WHERE p.id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN fraiseql.mutation_err('not_found', 'Post not found',
                                     jsonb_build_object('id', v_id), 'not_found:post');
    END IF;
    IF v_published THEN
        SELECT p.data INTO v_data FROM v_post AS p WHERE p.id = v_id;
        RETURN fraiseql.mutation_noop('already_published', v_id::text, 'Post', v_data, 'Post is already published');
    END IF;

    UPDATE tb_post AS p SET is_published = true, published_at = now() WHERE p.id = v_id;

    SELECT p.data INTO v_data FROM v_post AS p WHERE p.id = v_id;
    RETURN fraiseql.mutation_ok(
        entity_id      => v_id::text,
        entity_type    => 'Post',
        entity         => v_data,
        message        => 'Post published',
        updated_fields => ARRAY['is_published', 'published_at'],
        cascade        => demo_cascade(
                              demo_post_dependents(v_id),
                              '[]',
                              '[{"query_name": "posts", "strategy": "INVALIDATE", "scope": "PREFIX"}]'),
        status_detail  => 'updated');
END
$fn$;

-- ---------------------------------------------------------------------------------------
-- fn_rename_post_v1(input jsonb) -> the v1 8-column row (fraiseql.mutation_result_v1)
--   input: id, title (trimmed).
--   status 'updated': entity = v_post.data, updated_fields {title}, cascade like
--     fn_publish_post (author, then the post's comments; invalidations: posts)
--   'noop:unchanged': the title is already that; entity = the current v_post.data
--   'validation:id_invalid' (id missing or not a UUID), 'validation:title_blank' (title
--   missing, not a string, or blank), 'validation:title_too_long' (> 200 characters):
--     v1 has no error_detail column, so the field errors go in metadata {"fields": [...]}
--   'not_found:post'
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fn_rename_post_v1(input jsonb)
RETURNS fraiseql.mutation_result_v1
LANGUAGE plpgsql
AS $fn$
DECLARE
    r       fraiseql.mutation_result_v1;
    v_id    uuid;
    v_title text;
    v_old   text;
BEGIN
    IF input IS NULL OR jsonb_typeof(input) <> 'object' OR jsonb_typeof(input -> 'id') IS DISTINCT FROM 'string'
       OR input ->> 'id' !~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$' THEN
        r.status   := 'validation:id_invalid';
        r.message  := 'id must be a UUID';
        r.metadata := '{"fields": [{"field": "id", "message": "must be a UUID"}]}';
        RETURN r;
    END IF;
    IF jsonb_typeof(input -> 'title') IS DISTINCT FROM 'string' OR btrim(input ->> 'title') = '' THEN
        r.status   := 'validation:title_blank';
        r.message  := 'Title must not be blank';
        r.metadata := '{"fields": [{"field": "title", "message": "must not be blank"}]}';
        RETURN r;
    END IF;
    v_title := btrim(input ->> 'title');
    IF char_length(v_title) > 200 THEN
        r.status   := 'validation:title_too_long';
        r.message  := 'Title must be at most 200 characters';
        r.metadata := '{"fields": [{"field": "title", "message": "must be at most 200 characters"}]}';
        RETURN r;
    END IF;

    v_id := (input ->> 'id')::uuid;
    SELECT p.title INTO v_old FROM tb_post AS p WHERE p.id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        r.status   := 'not_found:post';
        r.message  := 'Post not found';
        r.metadata := jsonb_build_object('id', v_id);
        RETURN r;
    END IF;

    r.entity_id   := v_id::text;
    r.entity_type := 'Post';
    IF v_old = v_title THEN
        r.status         := 'noop:unchanged';
        r.message        := 'Title unchanged';
        r.updated_fields := '{}';
    ELSE
        UPDATE tb_post AS p SET title = v_title WHERE p.id = v_id;
        r.status         := 'updated';
        r.message        := 'Post renamed';
        r.updated_fields := ARRAY['title'];
        r.cascade        := demo_cascade(
                                demo_post_dependents(v_id),
                                '[]',
                                '[{"query_name": "posts", "strategy": "INVALIDATE", "scope": "PREFIX"}]');
    END IF;
    SELECT p.data INTO r.entity FROM v_post AS p WHERE p.id = v_id;
    RETURN r;
END
$fn$;

-- ---------------------------------------------------------------------------------------
-- fn_fail_after_write(input jsonb): for rollback tests. Inserts a user (username =
-- input.username, default 'fail.after.write'; email <username>@fail.example.com), then
-- raises 'boom' (SQLSTATE P0001). After the call no such user may exist.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fn_fail_after_write(input jsonb)
RETURNS fraiseql.mutation_response
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_username text := coalesce(nullif(btrim(fn_fail_after_write.input ->> 'username'), ''), 'fail.after.write');
BEGIN
    INSERT INTO tb_user (id, username, full_name, email, age, birth_date)
    VALUES (gen_random_uuid(), v_username, 'Fail After Write', v_username || '@fail.example.com', 30, DATE '1995-01-01');
    RAISE EXCEPTION 'boom' USING ERRCODE = 'P0001';
END
$fn$;

-- ---------------------------------------------------------------------------------------
-- fn_record_call(input jsonb): for tests that prove invalid input never reaches a function.
-- Inserts (input, called_at) into tb_mutation_call_log and returns created (201) with
-- entity_type 'MutationCall', entity {"id", "input", "called_at"}. Accepts any input.
-- No other function writes to the log.
-- ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION fn_record_call(input jsonb)
RETURNS fraiseql.mutation_response
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_id        uuid;
    v_called_at timestamptz;
BEGIN
    INSERT INTO tb_mutation_call_log (input) VALUES (fn_record_call.input)
    RETURNING tb_mutation_call_log.id, tb_mutation_call_log.called_at INTO v_id, v_called_at;
    RETURN fraiseql.mutation_ok(
        entity_id     => v_id::text,
        entity_type   => 'MutationCall',
        entity        => jsonb_build_object(
                             'id', v_id,
                             'input', fn_record_call.input,
                             'called_at', to_char(v_called_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
        message       => 'Call recorded',
        status_detail => 'created');
END
$fn$;
