-- a
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'network', t.d->'network')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'network')::cidr >>= $1::text::inet LIMIT $2::int8) AS t;
-- params: ["10.0.0.77",10]

-- b
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'network', t.d->'network')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'network')::cidr >>= $1::text::inet LIMIT $2::int8) AS t;
-- params: ["172.31.0.1",10]

-- c
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'network', t.d->'network')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'network')::cidr >>= $1::text::inet LIMIT $2::int8) AS t;
-- params: ["::1",10]
