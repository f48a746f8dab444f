-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY (r."data"->>'name') ASC NULLS LAST LIMIT $1::int8 OFFSET $2::int8) AS t;
-- params: [2,2]
