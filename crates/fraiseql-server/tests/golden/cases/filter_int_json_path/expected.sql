-- long
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'wordCount', t.d->'word_count')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->>'word_count')::numeric > $1::text::numeric LIMIT $2::int8) AS t;
-- params: ["1000",10]

-- short
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'wordCount', t.d->'word_count')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE ((r."data"->>'word_count')::numeric <= $1::text::numeric AND (r."data"->>'word_count')::numeric <> $2::text::numeric) LIMIT $3::int8) AS t;
-- params: ["800","650",10]
