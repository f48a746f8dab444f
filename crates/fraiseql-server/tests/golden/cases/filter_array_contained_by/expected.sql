-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'tags', t.d->'tags')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."data"->'tags' <@ $1::text::jsonb LIMIT $2::int8) AS t;
-- params: ["[\"sql\",\"rust\",\"python\"]",10]
