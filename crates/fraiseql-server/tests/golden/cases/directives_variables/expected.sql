-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r LIMIT $1::int8) AS t;
-- params: [2]
