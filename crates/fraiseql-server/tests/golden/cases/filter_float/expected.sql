-- gt
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'height', t.d->'height')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'height')::numeric > $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["1.7",10]

-- eq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'height', t.d->'height')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'height')::numeric = $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["1.6",10]

-- lte
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'height', t.d->'height')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'height')::numeric <= $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["1.6",10]

-- in
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'height', t.d->'height')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'height')::numeric = ANY($1::text[]::numeric[]) LIMIT $2::int8) AS t;
-- params: [["1.68","1.7"],10]

-- isNull
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'height', t.d->'height')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'height') IS NULL LIMIT $1::int8) AS t;
-- params: [10]
