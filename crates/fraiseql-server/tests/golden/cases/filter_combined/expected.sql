-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('city', t.d->'address'->'city') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE ((r."data"->>'role') = ANY($1::text[]) AND ((r."data"->'address'->>'city') = $2::text OR NOT coalesce(r."age" < $3::text::integer, false))) LIMIT $4::int8) AS t;
-- params: [["ADMIN","VIEWER"],"Paris","50",10]
