-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('geo', CASE WHEN jsonb_typeof(t.d->'address'->'geo') = 'object' THEN json_build_object('lat', t.d->'address'->'geo'->'lat', 'lng', t.d->'address'->'geo'->'lng') END) END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->'address'->'geo'->>'lat')::numeric > $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["40",10]
