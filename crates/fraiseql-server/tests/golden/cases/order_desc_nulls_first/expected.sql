-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'height', t.d->'height')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r ORDER BY (r."data"->>'height')::numeric DESC NULLS FIRST LIMIT $1::int8) AS t;
-- params: [10]
