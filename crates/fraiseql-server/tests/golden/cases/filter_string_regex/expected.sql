-- regex
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') ~ $1::text LIMIT $2::int8) AS t;
-- params: ["^[a-e].*\\.com$",10]

-- iregex
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') ~* $1::text LIMIT $2::int8) AS t;
-- params: ["^(BOB|GRACE)@",10]
