-- brokensConnection
WITH page AS (SELECT r."data" AS d, r."id" AS s0 FROM "v_broken" AS r ORDER BY r."id" ASC NULLS LAST LIMIT $1::int8 + 1), edges AS (SELECT * FROM page ORDER BY s0 ASC NULLS LAST LIMIT $1::int8) SELECT json_build_object('edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object('id', e.d->'id', 'name', e.d->'name')) ORDER BY e.s0 ASC NULLS LAST), '[]'::json) FROM edges AS e))::text;
-- params: [3]
