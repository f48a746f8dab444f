-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'birth_date')::date = $1::text::date LIMIT $2::int8) AS t;
-- params: ["2024-13-45",10]
