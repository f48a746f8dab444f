-- plain
SELECT coalesce(json_agg(json_build_object('title', t.d->'title')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE to_tsvector((r."data"->>'body')) @@ (SELECT plainto_tsquery($1::text)) LIMIT $2::int8) AS t;
-- params: ["postgresql indexes",10]

-- phrase
SELECT coalesce(json_agg(json_build_object('title', t.d->'title')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE to_tsvector((r."data"->>'body')) @@ (SELECT phraseto_tsquery($1::text)) LIMIT $2::int8) AS t;
-- params: ["quick brown fox",10]

-- phraseWrongOrder
SELECT coalesce(json_agg(json_build_object('title', t.d->'title')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE to_tsvector((r."data"->>'body')) @@ (SELECT phraseto_tsquery($1::text)) LIMIT $2::int8) AS t;
-- params: ["brown quick fox",10]
