-- articles
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'publishedOn', t.d->'published_on')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE (r."data"->>'published_on')::date < $1::text::date LIMIT $2::int8) AS t;
-- params: ["2024-02-01",10]
