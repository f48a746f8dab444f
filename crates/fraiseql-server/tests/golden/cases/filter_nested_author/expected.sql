-- articles
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'author', CASE WHEN jsonb_typeof(t.d->'author') = 'object' THEN json_build_object('name', t.d->'author'->'name') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->'author'->>'name') = $1::text LIMIT $2::int8) AS t;
-- params: ["Bob",10]
