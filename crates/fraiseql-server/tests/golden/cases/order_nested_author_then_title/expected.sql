-- articles
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'author', CASE WHEN jsonb_typeof(t.d->'author') = 'object' THEN json_build_object('name', t.d->'author'->'name') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r ORDER BY (r."data"->'author'->>'name') DESC NULLS FIRST, (r."data"->>'title') ASC NULLS LAST LIMIT $1::int8) AS t;
-- params: [10]
