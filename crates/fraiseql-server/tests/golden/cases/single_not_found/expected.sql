-- person
SELECT json_build_object('name', t.d->'name')::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE r."id" = $1::text::uuid LIMIT 1) AS t;
-- params: ["00000000-0000-0000-0000-000000000099"]

-- personByEmail
SELECT json_build_object('name', t.d->'name')::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'email') = $1::text LIMIT 1) AS t;
-- params: ["nobody@example.com"]
