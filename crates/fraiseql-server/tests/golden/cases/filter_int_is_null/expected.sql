-- isNull
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."age" IS NULL LIMIT $1::int8) AS t;
-- params: [10]

-- isNotNull
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."age" IS NOT NULL LIMIT $1::int8) AS t;
-- params: [10]
