-- devices
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r LIMIT $1::int8) AS t;
-- params: [2]

-- person
SELECT json_build_object('name', t.d->'name')::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-000000000002"]

-- articles
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'status', t.d->'status')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->>'status') = $1::text LIMIT $2::int8) AS t;
-- params: ["DRAFT",10]

-- ticks
SELECT coalesce(json_agg(json_build_object('n', t.d->'n')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_tick" AS r LIMIT $1::int8) AS t;
-- params: [1]
