-- articles
SELECT coalesce(json_agg(json_build_object('title', t.d->'title', 'rating', t.d->'rating')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE ((r."data"->>'rating')::numeric >= $1::text::numeric AND (r."data"->>'rating')::numeric < $2::text::numeric) LIMIT $3::int8) AS t;
-- params: ["4","5",10]
