-- broken
SELECT json_build_object('id', t.d->'id', 'name', t.d->'name')::text FROM (SELECT r."data" AS d FROM "v_broken" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-0000000000b2"]
