-- rust
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'tags', t.d->'tags')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."data"->'tags' @> $1::text::jsonb LIMIT $2::int8) AS t;
-- params: ["[\"rust\"]",10]

-- rustAndGo
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'tags', t.d->'tags')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."data"->'tags' @> $1::text::jsonb LIMIT $2::int8) AS t;
-- params: ["[\"rust\",\"go\"]",10]

-- score99
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'scores', t.d->'scores')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."data"->'scores' @> $1::text::jsonb LIMIT $2::int8) AS t;
-- params: ["[99]",10]
