-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."age" = $1::text::integer LIMIT $2::int8) AS t;
-- params: ["34",10]
