-- devices
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'ip')::inet <<= $1::text::inet LIMIT $2::int8) AS t;
-- params: ["10.0.0.0/33",10]
