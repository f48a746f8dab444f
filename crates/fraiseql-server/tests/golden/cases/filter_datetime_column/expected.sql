-- since
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'createdAt', t.d->'created_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."created_at" >= $1::text::timestamp with time zone LIMIT $2::int8) AS t;
-- params: ["2024-01-05T09:00:00Z",10]

-- before
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'createdAt', t.d->'created_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."created_at" < $1::text::timestamp with time zone LIMIT $2::int8) AS t;
-- params: ["2024-01-03T09:00:00Z",10]

-- between
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'createdAt', t.d->'created_at')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."created_at" > $1::text::timestamp with time zone AND r."created_at" <= $2::text::timestamp with time zone) LIMIT $3::int8) AS t;
-- params: ["2024-01-03T10:00:00+01:00","2024-01-04T09:00:00Z",10]
