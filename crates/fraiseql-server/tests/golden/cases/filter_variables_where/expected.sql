-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE ((r."data"->'address'->>'country') = $1::text AND (r."data"->>'active')::boolean = $2::text::boolean) LIMIT $3::int8) AS t;
-- params: ["FR","true",10]
