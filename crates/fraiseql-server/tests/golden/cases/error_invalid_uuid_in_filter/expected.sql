-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."id" = ANY($1::text[]::uuid[]) LIMIT $2::int8) AS t;
-- params: [["00000000-0000-0000-0000-000000000001","nope"],10]
