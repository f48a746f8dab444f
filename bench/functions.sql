-- M1's write function for the benchmark data set (bench/data.sql).
--
-- REQUIRES: bench/data.sql and `fraiseql setup` (schema fraiseql: mutation_response and
-- the helpers). Idempotent. Run with: psql -v ON_ERROR_STOP=1 -f bench/functions.sql
--
-- fn_update_user(input jsonb) -> fraiseql.mutation_response
--   input: {"id": "42", "full_name"?: text, "email"?: text, "age"?: int, "bio"?: text|null}
--   (snake_case keys; a key that is absent is left unchanged). Returns the user as v_user
--   shows it, status 'updated', or the error member 'not_found'.
-- FraiseQL (@function) calls it directly. FraiseQL v2 (an `update` mutation, which passes
-- the whole input object as one jsonb) calls fn_update_user_v2 below, the same write with
-- the row's entity_id as a UUID.

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

-- fn_update_user_v2(input jsonb) -> fraiseql.mutation_response: FraiseQL v2's M1 function
-- (bench/v2/schema.json), the same write through fn_update_user above. v2 2.15.0 reads the
-- row's entity_id as a UUID (`MutationResponse.entity_id: Option<Uuid>` in fraiseql-core's
-- runtime/mutation_result.rs), so the integer id "7373" fails to deserialize; this wrapper
-- rewrites entity_id as a deterministic UUID holding the integer in its last hex digits
-- (7373 -> 00000000-0000-0000-0000-000000001ccd). entity_id is only cache-invalidation
-- metadata for v2; the response is projected from `entity` (v_user.data, id "7373").
CREATE OR REPLACE FUNCTION public.fn_update_user_v2(input jsonb)
RETURNS fraiseql.mutation_response
LANGUAGE plpgsql
AS $fn$
DECLARE
    r fraiseql.mutation_response;
BEGIN
    r := public.fn_update_user(input);
    IF r.entity_id IS NOT NULL THEN
        r.entity_id := lpad(to_hex(r.entity_id::bigint), 32, '0')::uuid::text;
    END IF;
    RETURN r;
END
$fn$;
