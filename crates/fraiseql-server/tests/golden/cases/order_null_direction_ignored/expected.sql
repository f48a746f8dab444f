-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY r."age" DESC NULLS LAST LIMIT $1::int8) AS t;
-- params: [2]
