-- active
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'active', t.d->'active')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'active')::boolean = $1::text::boolean LIMIT $2::int8) AS t;
-- params: ["true",10]

-- inactive
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'active', t.d->'active')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'active')::boolean = $1::text::boolean LIMIT $2::int8) AS t;
-- params: ["false",10]

-- notActive
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'active', t.d->'active')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'active')::boolean <> $1::text::boolean LIMIT $2::int8) AS t;
-- params: ["true",10]

-- unknown
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'active', t.d->'active')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'active') IS NULL LIMIT $1::int8) AS t;
-- params: [10]
