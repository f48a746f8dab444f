-- loopback
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'ip', t.d->'ip')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE ((r."data"->>'ip')::inet <<= '127.0.0.0/8'::inet OR (r."data"->>'ip')::inet = '::1'::inet) LIMIT $1::int8) AS t;
-- params: [10]

-- notLoopback
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE NOT ((r."data"->>'ip')::inet <<= '127.0.0.0/8'::inet OR (r."data"->>'ip')::inet = '::1'::inet) LIMIT $1::int8) AS t;
-- params: [10]
