-- zero
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r LIMIT $1::int8) AS t;
-- params: [0]

-- beyond
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r LIMIT $1::int8 OFFSET $2::int8) AS t;
-- params: [10,20]

-- lastPage
SELECT coalesce(json_agg(json_build_object('n', t.d->'n')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_tick" AS r LIMIT $1::int8 OFFSET $2::int8) AS t;
-- params: [10,10]
