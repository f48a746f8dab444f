-- birthThenName
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'birthDate', t.d->'birth_date')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY (r."data"->>'birth_date')::date ASC NULLS LAST, (r."data"->>'name') DESC NULLS FIRST LIMIT $1::int8) AS t;
-- params: [10]

-- nameThenBirth
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'birthDate', t.d->'birth_date')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY (r."data"->>'name') DESC NULLS FIRST, (r."data"->>'birth_date')::date ASC NULLS LAST LIMIT $1::int8) AS t;
-- params: [10]
