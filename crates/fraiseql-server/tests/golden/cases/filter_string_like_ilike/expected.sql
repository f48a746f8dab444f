-- like
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') LIKE $1::text LIMIT $2::int8) AS t;
-- params: ["%@example.___",10]

-- ilike
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') ILIKE $1::text LIMIT $2::int8) AS t;
-- params: ["%@EXAMPLE.%",10]
