-- Q1 data for the auth comparison: 10,000 users in 10 tenants, a view with a real
-- tenant_id column (for tenant injection) and the JSONB `data` column.
DROP VIEW IF EXISTS v_user;
DROP TABLE IF EXISTS tb_user;
CREATE TABLE tb_user (
  id int PRIMARY KEY,
  tenant_id text NOT NULL,
  username text NOT NULL,
  full_name text NOT NULL
);
INSERT INTO tb_user
SELECT i, 't' || (i % 10), 'user_' || lpad(i::text, 5, '0'), 'User ' || i
FROM generate_series(1, 10000) AS i;
CREATE INDEX ON tb_user (tenant_id, id);
CREATE VIEW v_user AS
SELECT id, tenant_id,
       jsonb_build_object('id', id::text, 'username', username, 'full_name', full_name) AS data
FROM tb_user;
ANALYZE tb_user;
