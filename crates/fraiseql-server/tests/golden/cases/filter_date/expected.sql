-- eq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'birthDate', t.d->'birth_date')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'birth_date')::date = $1::text::date LIMIT $2::int8) AS t;
-- params: ["1990-03-15",10]

-- neq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'birthDate', t.d->'birth_date')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'birth_date')::date <> $1::text::date LIMIT $2::int8) AS t;
-- params: ["1990-03-15",10]

-- lt
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'birthDate', t.d->'birth_date')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'birth_date')::date < $1::text::date LIMIT $2::int8) AS t;
-- params: ["1970-01-01",10]

-- gte
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'birthDate', t.d->'birth_date')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'birth_date')::date >= $1::text::date LIMIT $2::int8) AS t;
-- params: ["1997-01-01",10]

-- isNull
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'birthDate', t.d->'birth_date')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'birth_date') IS NULL LIMIT $1::int8) AS t;
-- params: [10]
