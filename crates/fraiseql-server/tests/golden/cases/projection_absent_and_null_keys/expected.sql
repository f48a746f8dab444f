-- people
SELECT coalesce(json_agg(json_build_object('name', t.d->'name', 'nickname', t.d->'Nick', 'lastLoginAt', t.d->'last_login_at', 'webURL', t.d->'web_url', 'tags', t.d->'tags', 'address', CASE WHEN jsonb_typeof(t.d->'address') = 'object' THEN json_build_object('zip', t.d->'address'->'zip') END)), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'name') = ANY($1::text[]) LIMIT $2::int8) AS t;
-- params: [["Bob","Frank"],10]
