-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'birthDate', t.d->'birth_date')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY (r."data"->>'birth_date')::date DESC NULLS FIRST, (r."data"->>'name') ASC NULLS LAST LIMIT $1::int8) AS t;
-- params: [10]
