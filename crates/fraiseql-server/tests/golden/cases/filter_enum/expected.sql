-- eq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'role', t.d->'role')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'role') = $1::text LIMIT $2::int8) AS t;
-- params: ["ADMIN",10]

-- neq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'role', t.d->'role')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'role') <> $1::text LIMIT $2::int8) AS t;
-- params: ["VIEWER",10]

-- in
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'role', t.d->'role')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'role') = ANY($1::text[]) LIMIT $2::int8) AS t;
-- params: [["EDITOR"],10]

-- nin
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'role', t.d->'role')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE ((r."data"->>'role') IS NOT NULL AND (r."data"->>'role') <> ALL($1::text[])) LIMIT $2::int8) AS t;
-- params: [["ADMIN","VIEWER"],10]

-- isNull
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'role') IS NOT NULL LIMIT $1::int8) AS t;
-- params: [10]
