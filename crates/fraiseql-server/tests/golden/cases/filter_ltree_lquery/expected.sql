-- rust
SELECT coalesce(json_agg(json_build_object('path', t.d->'path')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->>'path')::ltree ~ $1::text::lquery LIMIT $2::int8) AS t;
-- params: ["*.rust.*",10]

-- gardenOneLevel
SELECT coalesce(json_agg(json_build_object('path', t.d->'path')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->>'path')::ltree ~ $1::text::lquery LIMIT $2::int8) AS t;
-- params: ["garden.*{1}",10]
