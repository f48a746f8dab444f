-- firstTick
SELECT json_build_object('id', t.d->'id', 'n', t.d->'n')::text FROM (SELECT r."data" AS d FROM "v_tick" AS r LIMIT 1) AS t;
-- params: []
