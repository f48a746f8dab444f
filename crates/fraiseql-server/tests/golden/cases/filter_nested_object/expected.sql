-- paris
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('city', t.d->'address'->'city') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->'address'->>'city') = $1::text LIMIT $2::int8) AS t;
-- params: ["Paris",10]

-- countries
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('country', t.d->'address'->'country') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->'address'->>'country') = ANY($1::text[]) LIMIT $2::int8) AS t;
-- params: [["DE","CH"],10]

-- noCity
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('city', t.d->'address'->'city', 'country', t.d->'address'->'country') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->'address'->>'city') IS NULL LIMIT $1::int8) AS t;
-- params: [10]
