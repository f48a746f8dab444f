-- peopleConnection
WITH page AS (SELECT r."data" AS d, r."id" AS s0 FROM "v_person" AS r WHERE (r."data"->>'active')::boolean = $1::text::boolean ORDER BY r."id" ASC NULLS LAST LIMIT $2::int8 + 1), edges AS (SELECT * FROM page ORDER BY s0 ASC NULLS LAST LIMIT $2::int8) SELECT json_build_object('totalCount', (SELECT count(*) FROM "v_person" AS r WHERE (r."data"->>'active')::boolean = $1::text::boolean))::text;
-- params: ["true",10]
