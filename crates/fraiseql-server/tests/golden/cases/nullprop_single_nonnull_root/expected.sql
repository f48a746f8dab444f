-- brokenStrict
SELECT json_build_object('name', t.d->'name')::text FROM (SELECT r."data" AS d FROM "v_broken" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-0000000000b2"]

-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r LIMIT $1::int8) AS t;
-- params: [1]
