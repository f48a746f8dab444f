-- person
SELECT json_build_object('name', t.d->'name', 'email', t.d->'email')::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-000000000005"]

-- personByEmail
SELECT json_build_object('name', t.d->'name')::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') = $1::text LIMIT 1) AS t;
-- params: ["grace@EXAMPLE.COM"]

-- article
SELECT json_build_object('title', t.d->'title')::text FROM (SELECT r."data" AS d FROM "v_article" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-0000000000a3"]
