-- percent
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'nickname', t.d->'Nick')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'Nick') LIKE $1::text LIMIT $2::int8) AS t;
-- params: ["%\\%%",10]

-- underscore
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'nickname', t.d->'Nick')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'Nick') LIKE $1::text LIMIT $2::int8) AS t;
-- params: ["%\\_%",10]

-- backslash
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'Nick') LIKE $1::text LIMIT $2::int8) AS t;
-- params: ["%\\\\",10]

-- prefix
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'nickname', t.d->'Nick')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'Nick') ILIKE $1::text LIMIT $2::int8) AS t;
-- params: ["c%",10]
