-- notAdmin
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'role', t.d->'role')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE NOT coalesce((r."data"->>'role') = $1::text, false) LIMIT $2::int8) AS t;
-- params: ["ADMIN",10]

-- notOver30
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE NOT coalesce(r."age" > $1::text::integer, false) LIMIT $2::int8) AS t;
-- params: ["30",10]
