-- descendants
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'path', t.d->'path')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->>'path')::ltree <@ $1::text::ltree LIMIT $2::int8) AS t;
-- params: ["tech.rust",10]

-- ancestors
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'path', t.d->'path')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->>'path')::ltree @> $1::text::ltree LIMIT $2::int8) AS t;
-- params: ["tech.rust.async",10]
