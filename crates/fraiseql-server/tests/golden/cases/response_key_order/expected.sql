-- zeta
SELECT coalesce(json_agg(json_build_object('role', t.d->'role', 'name', t.d->'name', 'id', t.d->'id', '__typename', 'Person', 'email', t.d->'email', 'age', t.d->'age', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('zip', t.d->'address'->'zip', 'country', t.d->'address'->'country', 'city', t.d->'address'->'city') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'name') = $1::text LIMIT $2::int8) AS t;
-- params: ["Eve",10]

-- alpha
SELECT coalesce(json_agg(json_build_object('wordCount', t.d->'word_count', 'title', t.d->'title')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r LIMIT $1::int8) AS t;
-- params: [1]
