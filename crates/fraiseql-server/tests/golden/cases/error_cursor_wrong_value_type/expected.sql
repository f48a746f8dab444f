-- peopleConnection
WITH page AS (SELECT r."data" AS d, r."id" AS s0 FROM "v_person" AS r WHERE ((CASE WHEN (($1::text::jsonb)->>0)::uuid IS NULL THEN false ELSE (r."id" IS NULL OR coalesce(r."id" > (($1::text::jsonb)->>0)::uuid, false)) END)) ORDER BY r."id" ASC NULLS LAST LIMIT $2::int8 + 1), edges AS (SELECT * FROM page ORDER BY s0 ASC NULLS LAST LIMIT $2::int8) SELECT json_build_object('edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object('name', e.d->'name')) ORDER BY e.s0 ASC NULLS LAST), '[]'::json) FROM edges AS e))::text;
-- params: ["[\"x\"]",1]
