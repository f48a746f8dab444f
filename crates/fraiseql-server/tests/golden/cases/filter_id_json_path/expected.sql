-- eq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'managerId', t.d->'manager_id')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'manager_id') = $1::text LIMIT $2::int8) AS t;
-- params: ["00000000-0000-0000-0000-000000000001",10]

-- in
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'managerId', t.d->'manager_id')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'manager_id') = ANY($1::text[]) LIMIT $2::int8) AS t;
-- params: [["00000000-0000-0000-0000-000000000002","00000000-0000-0000-0000-000000000003"],10]

-- isNull
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'managerId', t.d->'manager_id')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'manager_id') IS NULL LIMIT $1::int8) AS t;
-- params: [10]
