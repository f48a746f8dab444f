-- people
SELECT coalesce(json_agg(json_build_object('address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('city', t.d->'address'->'city', 'zip', t.d->'address'->'zip') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'name') = $1::text LIMIT $2::int8) AS t;
-- params: ["Alice",10]
