-- three
SELECT coalesce(json_agg(json_build_object('path', t.d->'path')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE nlevel((r."data"->>'path')::ltree) = $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["3",10]

-- two
SELECT coalesce(json_agg(json_build_object('path', t.d->'path')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (nlevel((r."data"->>'path')::ltree) > $1::text::numeric AND nlevel((r."data"->>'path')::ltree) < $2::text::numeric) LIMIT $3::int8) AS t;
-- params: ["1","3",10]

-- eq
SELECT coalesce(json_agg(json_build_object('path', t.d->'path')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->>'path')::ltree = $1::text::ltree LIMIT $2::int8) AS t;
-- params: ["tech",10]
