-- eq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'lastLoginAt', t.d->'last_login_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'last_login_at')::timestamptz = $1::text::timestamptz LIMIT $2::int8) AS t;
-- params: ["2024-06-01T08:00:00Z",10]

-- gt
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'lastLoginAt', t.d->'last_login_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'last_login_at')::timestamptz > $1::text::timestamptz LIMIT $2::int8) AS t;
-- params: ["2024-06-01T08:00:00Z",10]

-- gte
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'lastLoginAt', t.d->'last_login_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'last_login_at')::timestamptz >= $1::text::timestamptz LIMIT $2::int8) AS t;
-- params: ["2024-06-01T08:00:00Z",10]

-- in
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'lastLoginAt', t.d->'last_login_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'last_login_at')::timestamptz = ANY($1::text[]::timestamptz[]) LIMIT $2::int8) AS t;
-- params: [["2024-01-15T01:00:00+01:00","2023-12-31T23:00:00Z"],10]

-- isNull
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'lastLoginAt', t.d->'last_login_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'last_login_at') IS NULL LIMIT $1::int8) AS t;
-- params: [10]
