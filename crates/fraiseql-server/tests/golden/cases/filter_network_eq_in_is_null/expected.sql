-- eq
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'ip')::inet = $1::text::inet LIMIT $2::int8) AS t;
-- params: ["8.8.8.8",10]

-- in
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'ip', t.d->'ip')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'ip')::inet = ANY($1::text[]::inet[]) LIMIT $2::int8) AS t;
-- params: [["::1","127.0.0.1"],10]

-- none
SELECT coalesce(json_agg(json_build_object('hostname', t.d->'hostname', 'ip', t.d->'ip', 'network', t.d->'network')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'ip') IS NULL LIMIT $1::int8) AS t;
-- params: [10]
