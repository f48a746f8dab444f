-- atLeastTwo
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'tags', t.d->'tags')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE CASE WHEN jsonb_typeof(r."data"->'tags') = 'array' THEN jsonb_array_length(r."data"->'tags') END >= $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["2",10]

-- empty
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'tags', t.d->'tags')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE CASE WHEN jsonb_typeof(r."data"->'tags') = 'array' THEN jsonb_array_length(r."data"->'tags') END = $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["0",10]

-- moreThanTwoScores
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'scores', t.d->'scores')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE CASE WHEN jsonb_typeof(r."data"->'scores') = 'array' THEN jsonb_array_length(r."data"->'scores') END > $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["2",10]
