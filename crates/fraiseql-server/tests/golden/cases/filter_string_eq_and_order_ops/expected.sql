-- eq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'name') = $1::text LIMIT $2::int8) AS t;
-- params: ["Carol",10]

-- gt
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'name') > $1::text LIMIT $2::int8) AS t;
-- params: ["Eve",10]

-- lte
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'name') <= $1::text LIMIT $2::int8) AS t;
-- params: ["Bob",10]

-- in
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'name') = ANY($1::text[]) LIMIT $2::int8) AS t;
-- params: [["Alice","Zed","Heidi"],10]

-- nin
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE ((r."data"->>'name') IS NOT NULL AND (r."data"->>'name') <> ALL($1::text[])) LIMIT $2::int8) AS t;
-- params: [["Alice","Bob","Carol","Dave"],10]
