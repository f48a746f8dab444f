-- brokensLoose: error BAD_USER_INPUT: brokensLoose: limit is 1000, above the maximum page size of 25

-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r LIMIT $1::int8) AS t;
-- params: [1]
