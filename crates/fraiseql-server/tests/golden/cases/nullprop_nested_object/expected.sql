-- broken
SELECT json_build_object('name', t.d->'name', 'inner', CASE WHEN jsonb_typeof(t.d->'inner') = 'object' THEN json_build_object('label', t.d->'inner'->'label') END)::text FROM (SELECT r."data" AS d FROM "v_broken" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-0000000000b3"]
