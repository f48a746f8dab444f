-- noTags
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'tags', t.d->'tags')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE nullif(r."data"->'tags', 'null'::jsonb) IS NULL LIMIT $1::int8) AS t;
-- params: [10]

-- noScores
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'scores', t.d->'scores')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE nullif(r."data"->'scores', 'null'::jsonb) IS NULL LIMIT $1::int8) AS t;
-- params: [10]
