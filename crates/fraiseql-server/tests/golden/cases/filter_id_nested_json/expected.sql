-- articles
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'author', CASE WHEN jsonb_typeof(t.d->'author') = 'object' THEN json_build_object('id', t.d->'author'->'id', 'name', t.d->'author'->'name') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->'author'->>'id') = $1::text LIMIT $2::int8) AS t;
-- params: ["00000000-0000-0000-0000-000000000001",10]
