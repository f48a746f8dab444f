-- ten
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'ip', t.d->'ip')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'ip')::inet <<= $1::text::inet LIMIT $2::int8) AS t;
-- params: ["10.0.0.0/8",10]

-- private192
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'ip', t.d->'ip')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'ip')::inet <<= $1::text::inet LIMIT $2::int8) AS t;
-- params: ["192.168.0.0/16",10]

-- doc6
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'ip', t.d->'ip')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'ip')::inet <<= $1::text::inet LIMIT $2::int8) AS t;
-- params: ["2001:db8::/32",10]

-- networkIn
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'network', t.d->'network')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'network')::cidr <<= $1::text::inet LIMIT $2::int8) AS t;
-- params: ["172.0.0.0/8",10]
