-- personByNickname
SELECT json_build_object('name', t.d->'name', 'nickname', t.d->'Nick')::text FROM (SELECT r."data" AS d FROM "v_person" AS r WHERE (r."data"->>'Nick') = $1::text LIMIT 1) AS t;
-- params: ["Caro"]
