-- __typename: answered without SQL

-- people
SELECT coalesce(json_agg(json_build_object('__typename', 'Person', 'name', t.d->'name', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('__typename', 'Address', 'city', t.d->'address'->'city') END, 'pets', CASE WHEN jsonb_typeof(t.d->'pets') = 'array' THEN coalesce((SELECT json_agg(CASE WHEN jsonb_typeof(a1.v) = 'object' THEN json_build_object('__typename', 'Pet', 'name', a1.v->'name', 'toys', CASE WHEN jsonb_typeof(a1.v->'toys') = 'array' THEN coalesce((SELECT json_agg(CASE WHEN jsonb_typeof(a2.v) = 'object' THEN json_build_object('__typename', 'Toy') END ORDER BY a2.i) FROM jsonb_array_elements(a1.v->'toys') WITH ORDINALITY AS a2(v, i)), '[]'::json) END) END ORDER BY a1.i) FROM jsonb_array_elements(t.d->'pets') WITH ORDINALITY AS a1(v, i)), '[]'::json) END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r LIMIT $1::int8) AS t;
-- params: [1]

-- kind: answered without SQL
