-- broken
SELECT json_build_object('name', t.d->'name', 'codes', t.d->'codes')::text FROM (SELECT r."data" AS d FROM "v_broken" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-0000000000b4"]
