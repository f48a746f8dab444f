-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'createdAt', t.d->'created_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY r."created_at" DESC NULLS FIRST LIMIT $1::int8) AS t;
-- params: [3]
