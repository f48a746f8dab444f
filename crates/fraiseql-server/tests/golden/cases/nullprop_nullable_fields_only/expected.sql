-- brokens
SELECT coalesce(json_agg(json_build_object('id', t.d->'id', 'nickname', t.d->'nickname', 'inner', CASE WHEN jsonb_typeof(t.d->'inner') = 'object' THEN json_build_object('__typename', 'Inner') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_broken" AS r LIMIT $1::int8) AS t;
-- params: [10]
