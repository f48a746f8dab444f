-- tags
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'tags', t.d->'tags')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE EXISTS (SELECT 1 FROM jsonb_array_elements($1::text::jsonb) AS x1(v) WHERE r."data"->'tags' @> jsonb_build_array(x1.v)) LIMIT $2::int8) AS t;
-- params: ["[\"go\",\"python\"]",10]

-- scores
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'scores', t.d->'scores')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE EXISTS (SELECT 1 FROM jsonb_array_elements($1::text::jsonb) AS x1(v) WHERE r."data"->'scores' @> jsonb_build_array(x1.v)) LIMIT $2::int8) AS t;
-- params: ["[100,50]",10]
