-- eq
SELECT coalesce(json_agg(json_build_object('id', t.d->'id', 'name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."id" = $1::text::uuid LIMIT $2::int8) AS t;
-- params: ["00000000-0000-0000-0000-000000000003",10]

-- in
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."id" = ANY($1::text[]::uuid[]) LIMIT $2::int8) AS t;
-- params: [["00000000-0000-0000-0000-000000000001","00000000-0000-0000-0000-000000000008"],10]

-- nin
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."id" IS NOT NULL AND r."id" <> ALL($1::text[]::uuid[])) LIMIT $2::int8) AS t;
-- params: [["00000000-0000-0000-0000-000000000001","00000000-0000-0000-0000-000000000002","00000000-0000-0000-0000-000000000003"],10]

-- neq
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."id" <> $1::text::uuid AND r."age" > $2::text::integer) LIMIT $3::int8) AS t;
-- params: ["00000000-0000-0000-0000-000000000004","40",10]
