-- quotedOr
SELECT coalesce(json_agg(json_build_object('title', t.d->'title')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE to_tsvector((r."data"->>'body')) @@ (SELECT websearch_to_tsquery($1::text)) LIMIT $2::int8) AS t;
-- params: ["\"async runtime\" or frost",10]

-- negation
SELECT coalesce(json_agg(json_build_object('title', t.d->'title')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE to_tsvector((r."data"->>'body')) @@ (SELECT websearch_to_tsquery($1::text)) LIMIT $2::int8) AS t;
-- params: ["technology -rust",10]
