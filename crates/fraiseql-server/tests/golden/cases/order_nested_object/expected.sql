-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('city', t.d->'address'->'city') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY (r."data"->'address'->>'city') ASC NULLS LAST, (r."data"->>'name') ASC NULLS LAST LIMIT $1::int8) AS t;
-- params: [10]
