-- default
SELECT coalesce(json_agg(json_build_object('n', t.d->'n')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_tick" AS r LIMIT $1::int8) AS t;
-- params: [10]

-- explicit
SELECT coalesce(json_agg(json_build_object('n', t.d->'n')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_tick" AS r LIMIT $1::int8) AS t;
-- params: [25]
