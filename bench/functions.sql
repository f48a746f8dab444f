-- M1's write function for the benchmark data set (bench/data.sql).
--
-- REQUIRES: bench/data.sql and `fraiseql setup` (schema fraiseql: mutation_response and
-- the helpers). Idempotent. Run with: psql -v ON_ERROR_STOP=1 -f bench/functions.sql
--
-- fn_update_user(input jsonb) -> fraiseql.mutation_response
--   input: {"id": "42", "full_name"?: text, "email"?: text, "age"?: int, "bio"?: text|null}
--   (snake_case keys; a key that is absent is left unchanged). Returns the user as v_user
--   shows it, status 'updated', or the error member 'not_found'.
-- The same function serves FraiseQL (@function) and FraiseQL v2 (an `update` mutation,
-- which passes the whole input object as one jsonb): both read the 13-column row.

CREATE OR REPLACE FUNCTION public.fn_update_user(input jsonb)
RETURNS fraiseql.mutation_response
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_id integer := (input ->> 'id')::integer;
BEGIN
    UPDATE app.users AS u
       SET full_name = CASE WHEN input ? 'full_name' THEN input ->> 'full_name' ELSE u.full_name END,
           email     = CASE WHEN input ? 'email' THEN input ->> 'email' ELSE u.email END,
           age       = CASE WHEN input ? 'age' THEN (input ->> 'age')::integer ELSE u.age END,
           bio       = CASE WHEN input ? 'bio' THEN input ->> 'bio' ELSE u.bio END
     WHERE u.id = v_id;
    IF NOT FOUND THEN
        RETURN fraiseql.mutation_err('not_found', 'User not found');
    END IF;
    RETURN fraiseql.mutation_ok(
        entity_id      => v_id::text,
        entity_type    => 'User',
        entity         => (SELECT v.data FROM public.v_user AS v WHERE v.id = v_id),
        message        => 'User updated',
        updated_fields => ARRAY(SELECT k FROM jsonb_object_keys(input) AS k WHERE k <> 'id' ORDER BY k),
        status_detail  => 'updated');
END
$fn$;
