-- v4
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE family((r."data"->>'ip')::inet) = 4 LIMIT $1::int8) AS t;
-- params: [10]

-- v6
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE family((r."data"->>'ip')::inet) = 6 LIMIT $1::int8) AS t;
-- params: [10]

-- notV4
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE NOT family((r."data"->>'ip')::inet) = 4 LIMIT $1::int8) AS t;
-- params: [10]
