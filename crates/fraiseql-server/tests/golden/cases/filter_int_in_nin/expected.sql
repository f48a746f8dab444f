-- in
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."age" = ANY($1::text[]::integer[]) LIMIT $2::int8) AS t;
-- params: [["22","61","99"],10]

-- nin
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."age" IS NOT NULL AND r."age" <> ALL($1::text[]::integer[])) LIMIT $2::int8) AS t;
-- params: [["34","45"],10]

-- inEmpty
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."age" = ANY($1::text[]::integer[]) LIMIT $2::int8) AS t;
-- params: [[],10]
