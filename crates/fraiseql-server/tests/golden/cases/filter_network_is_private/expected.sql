-- private
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'ip', t.d->'ip')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE ((r."data"->>'ip')::inet <<= '10.0.0.0/8'::inet OR (r."data"->>'ip')::inet <<= '172.16.0.0/12'::inet OR (r."data"->>'ip')::inet <<= '192.168.0.0/16'::inet OR (r."data"->>'ip')::inet <<= 'fc00::/7'::inet) LIMIT $1::int8) AS t;
-- params: [10]

-- public
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'ip', t.d->'ip')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE NOT ((r."data"->>'ip')::inet <<= '10.0.0.0/8'::inet OR (r."data"->>'ip')::inet <<= '172.16.0.0/12'::inet OR (r."data"->>'ip')::inet <<= '192.168.0.0/16'::inet OR (r."data"->>'ip')::inet <<= 'fc00::/7'::inet) LIMIT $1::int8) AS t;
-- params: [10]
