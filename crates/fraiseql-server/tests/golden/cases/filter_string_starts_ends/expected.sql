-- startsWith
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') LIKE $1::text LIMIT $2::int8) AS t;
-- params: ["d%",10]

-- startsWithCase
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') LIKE $1::text LIMIT $2::int8) AS t;
-- params: ["G%",10]

-- istartsWith
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') ILIKE $1::text LIMIT $2::int8) AS t;
-- params: ["G%",10]

-- endsWith
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') LIKE $1::text LIMIT $2::int8) AS t;
-- params: ["%.com",10]

-- iendsWith
SELECT coalesce(json_agg(json_build_object('email', t.d->'email')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') ILIKE $1::text LIMIT $2::int8) AS t;
-- params: ["%.COM",10]
