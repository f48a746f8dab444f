-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE ((r."data"->>'active')::boolean = $1::text::boolean AND (r."data"->>'role') = $2::text) LIMIT $3::int8) AS t;
-- params: ["true","ADMIN",10]
