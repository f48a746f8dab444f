-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r."data"->'pets') = 'array' THEN r."data"->'pets' ELSE '[]'::jsonb END) AS e1(v) WHERE NOT coalesce(EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(e1.v->'toys') = 'array' THEN e1.v->'toys' ELSE '[]'::jsonb END) AS e2(v) WHERE (e2.v->>'name') = $1::text), false)) LIMIT $2::int8) AS t;
-- params: ["Ball",10]
