-- noEmail
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') IS NULL LIMIT $1::int8) AS t;
-- params: [10]

-- noNickname
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'nickname', t.d->'Nick')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'Nick') IS NULL LIMIT $1::int8) AS t;
-- params: [10]
