-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE ((r."data"->>'name') = $1::text AND (true)) LIMIT $2::int8) AS t;
-- params: ["Alice",10]
