-- person
SELECT json_build_object('id', t.d->'id', 'name', t.d->'name', 'email', t.d->'email', 'age', t.d->'age', 'height', t.d->'height', 'active', t.d->'active', 'role', t.d->'role', 'birthDate', t.d->'birth_date', 'createdAt', t.d->'created_at', 'lastLoginAt', t.d->'last_login_at', 'managerId', t.d->'manager_id', 'nickname', t.d->'Nick', 'webURL', t.d->'web_url')::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-000000000001"]

-- devices
SELECT coalesce(json_agg(json_build_object('id', t.d->'id', 'hostname', t.d->'hostname', 'ip', t.d->'ip', 'network', t.d->'network')), '[]'::json)::text FROM (SELECT r."data" AS d FROM "v_device" AS r WHERE (r."data"->>'hostname') = $1::text LIMIT $2::int8) AS t;
-- params: ["v6-ula",10]

-- article
SELECT json_build_object('path', t.d->'path', 'status', t.d->'status', 'rating', t.d->'rating', 'publishedOn', t.d->'published_on', 'author', CASE WHEN jsonb_typeof(t.d->'author') = 'object' THEN json_build_object('id', t.d->'author'->'id') END)::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-0000000000a6"]
