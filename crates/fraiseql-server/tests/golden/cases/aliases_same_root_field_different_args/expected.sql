-- young
SELECT coalesce(json_agg(json_build_object('n', t.d->'name')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."age" < $1::text::integer LIMIT $2::int8) AS t;
-- params: ["30",10]

-- old
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'years', t.d->'age')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."age" > $1::text::integer LIMIT $2::int8) AS t;
-- params: ["40",10]
