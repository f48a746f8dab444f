-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'age', t.d->'age', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('city', t.d->'address'->'city', 'country', t.d->'address'->'country') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'name') = ANY($1::text[]) LIMIT $2::int8) AS t;
-- params: [["Alice","Dave"],10]
