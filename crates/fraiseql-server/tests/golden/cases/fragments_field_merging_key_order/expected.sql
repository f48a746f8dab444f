-- people
SELECT coalesce(json_agg(json_build_object('email', t.d->'email', 'name', t.d->'name', 'age', t.d->'age', 'role', t.d->'role', 'id', t.d->'id')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r LIMIT $1::int8) AS t;
-- params: [2]
