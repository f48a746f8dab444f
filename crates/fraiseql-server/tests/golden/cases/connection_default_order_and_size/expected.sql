-- articlesConnection
WITH page AS (SELECT r."data" AS d, r."id" AS s0 FROM "v_article" AS r ORDER BY r."id" ASC NULLS LAST LIMIT $1::int8 + 1), edges AS (SELECT * FROM page ORDER BY s0 ASC NULLS LAST LIMIT $1::int8) SELECT json_build_object('edges', (SELECT coalesce(json_agg(json_build_object('node', json_build_object('id', e.d->'id', 'title', e.d->'title')) ORDER BY e.s0 ASC NULLS LAST), '[]'::json) FROM edges AS e), 'pageInfo', json_build_object('hasNextPage', ((SELECT count(*) FROM page) > $1::int8), 'hasPreviousPage', false))::text;
-- params: [10]
