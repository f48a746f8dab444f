-- andObject
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."age" > $1::text::integer) LIMIT $2::int8) AS t;
-- params: ["40",10]

-- inScalar
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."age" = ANY($1::text[]::integer[]) LIMIT $2::int8) AS t;
-- params: [["34"],10]

-- orObject
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE ((r."data"->>'name') = $1::text) LIMIT $2::int8) AS t;
-- params: ["Bob",10]

-- orderObject
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY r."age" ASC NULLS LAST LIMIT $1::int8) AS t;
-- params: [2]
