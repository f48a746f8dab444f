-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age', 'role', t.d->'role')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r LIMIT $1::int8) AS t;
-- params: [1]

-- articles
SELECT coalesce(json_agg(json_build_object('title', t.d->'title')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r LIMIT $1::int8) AS t;
-- params: [1]
