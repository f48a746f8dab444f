-- noPets
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'pets', CASE WHEN jsonb_typeof(t.d->'pets') = 'array' THEN coalesce((SELECT json_agg(CASE WHEN jsonb_typeof(a1.v) = 'object' THEN json_build_object('name', a1.v->'name') END ORDER BY a1.i) FROM jsonb_array_elements(t.d->'pets') WITH ORDINALITY AS a1(v, i)), '[]'::json) END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE nullif(r."data"->'pets', 'null'::jsonb) IS NULL LIMIT $1::int8) AS t;
-- params: [10]

-- somePetsField
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE nullif(r."data"->'pets', 'null'::jsonb) IS NOT NULL LIMIT $1::int8) AS t;
-- params: [10]
