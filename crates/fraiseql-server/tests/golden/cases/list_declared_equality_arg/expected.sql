-- editors
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'role', t.d->'role')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'role') = $1::text LIMIT $2::int8) AS t;
-- params: ["EDITOR",10]

-- twoAdmins
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'role') = $1::text LIMIT $2::int8) AS t;
-- params: ["ADMIN",2]
