-- Fixture of the golden test suite (tests/it/golden.rs). Small, hand-written and
-- deterministic, so every expected.json can be checked by reading this file.
--
-- Each view exposes a JSONB column `data` (snake_case keys) and, for Person, real
-- columns `id` (uuid), `created_at` (timestamptz) and `age` (integer) that the engine
-- filters and sorts on instead of the JSON. Views keep a fixed row order (ORDER BY seq)
-- so that queries without orderBy are deterministic too.

CREATE EXTENSION IF NOT EXISTS ltree;

-- Cursors and full-text search depend on these session settings: pin them.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET timezone TO %L', current_database(), 'UTC');
  EXECUTE format('ALTER DATABASE %I SET default_text_search_config TO %L', current_database(), 'pg_catalog.english');
END
$$;

-- ---------------------------------------------------------------------------------------
-- People: ids 00000000-0000-0000-0000-00000000000N, N = 1..8 (= seq).
--
--  N name  age  height active role   birth_date last_login_at (UTC)    manager Nick   created_at
--  1 Alice  34  1.68   true   ADMIN  1990-03-15 2024-06-01 08:30       -       Ali    2024-01-05
--  2 Bob    27  1.80   false  EDITOR 1997-07-01 null                   1       null   2024-01-01
--  3 Carol  -   1.60   true   VIEWER 1985-12-24 2024-05-20 12:00       1       Caro   2024-01-08
--  4 Dave   45  null   -      ADMIN  -          2023-12-31 23:00       3       D_S    2024-01-03
--  5 Eve    22  1.75   true   VIEWER 2002-02-02 2024-06-01 08:00 (*)   -       100%   2024-01-02
--  6 Frank  34  1.92   false  EDITOR 1990-03-15 -                      2       -      2024-01-07
--  7 Grace  61  1.55   true   VIEWER 1963-08-08 2024-01-15 00:00       -       Gigi   2024-01-04
--  8 Heidi  29  1.70   true   ADMIN  1995-05-05 -                      5       Hei    2024-01-06
--  (- : key absent; null: explicit JSON null; (*) stored as 2024-06-01T10:00:00+02:00;
--   created_at is at 09:00 UTC.)
-- ---------------------------------------------------------------------------------------

CREATE TABLE tb_person (
    seq        integer PRIMARY KEY,
    id         uuid NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    age        integer,
    data       jsonb NOT NULL
);

INSERT INTO tb_person VALUES
(1, '00000000-0000-0000-0000-000000000001', '2024-01-05T09:00:00Z', 34, '{
  "id": "00000000-0000-0000-0000-000000000001", "name": "Alice", "email": "alice@example.com",
  "age": 34, "height": 1.68, "active": true, "role": "ADMIN", "birth_date": "1990-03-15",
  "created_at": "2024-01-05T09:00:00Z", "last_login_at": "2024-06-01T08:30:00Z",
  "Nick": "Ali", "web_url": "https://alice.example.com",
  "tags": ["rust", "sql"], "scores": [90, 85],
  "address": {"city": "Paris", "country": "FR", "zip": "75001", "geo": {"lat": 48.85, "lng": 2.35}},
  "pets": [{"name": "Rex", "species": "DOG", "age": 5,
            "toys": [{"name": "Ball", "color": "red"}, {"name": "Rope", "color": "blue"}]}]
}'),
(2, '00000000-0000-0000-0000-000000000002', '2024-01-01T09:00:00Z', 27, '{
  "id": "00000000-0000-0000-0000-000000000002", "name": "Bob", "email": "bob@Example.org",
  "age": 27, "height": 1.80, "active": false, "role": "EDITOR", "birth_date": "1997-07-01",
  "created_at": "2024-01-01T09:00:00Z", "last_login_at": null,
  "manager_id": "00000000-0000-0000-0000-000000000001", "Nick": null,
  "tags": ["go"], "scores": [70],
  "address": {"city": "Lyon", "country": "FR"},
  "pets": []
}'),
(3, '00000000-0000-0000-0000-000000000003', '2024-01-08T09:00:00Z', NULL, '{
  "id": "00000000-0000-0000-0000-000000000003", "name": "Carol",
  "height": 1.60, "active": true, "role": "VIEWER", "birth_date": "1985-12-24",
  "created_at": "2024-01-08T09:00:00Z", "last_login_at": "2024-05-20T12:00:00Z",
  "manager_id": "00000000-0000-0000-0000-000000000001", "Nick": "Caro",
  "tags": [], "scores": [],
  "address": {"city": "Berlin", "country": "DE", "zip": "10115"},
  "pets": [{"name": "Tom", "species": "CAT", "age": 3, "toys": [{"name": "Mouse", "color": "grey"}]},
           {"name": "Kiwi", "species": "BIRD", "age": 1, "toys": []}]
}'),
(4, '00000000-0000-0000-0000-000000000004', '2024-01-03T09:00:00Z', 45, '{
  "id": "00000000-0000-0000-0000-000000000004", "name": "Dave", "email": "dave_smith@test.io",
  "age": 45, "height": null, "role": "ADMIN",
  "created_at": "2024-01-03T09:00:00Z", "last_login_at": "2023-12-31T23:00:00Z",
  "manager_id": "00000000-0000-0000-0000-000000000003", "Nick": "D_S",
  "tags": ["rust", "go", "k8s"], "scores": [60, 75, 99]
}'),
(5, '00000000-0000-0000-0000-000000000005', '2024-01-02T09:00:00Z', 22, '{
  "id": "00000000-0000-0000-0000-000000000005", "name": "Eve", "email": "eve@example.com",
  "age": 22, "height": 1.75, "active": true, "role": "VIEWER", "birth_date": "2002-02-02",
  "created_at": "2024-01-02T09:00:00Z", "last_login_at": "2024-06-01T10:00:00+02:00",
  "Nick": "100%", "web_url": "https://eve.example.com",
  "tags": ["sql"], "scores": [100],
  "address": {"city": "Paris", "country": "FR", "zip": "75011"},
  "pets": [{"name": "Fido", "species": "DOG", "age": 2, "toys": [{"name": "Bone", "color": "white"}]},
           {"name": "Max", "species": "DOG", "age": 8, "toys": []}]
}'),
(6, '00000000-0000-0000-0000-000000000006', '2024-01-07T09:00:00Z', 34, '{
  "id": "00000000-0000-0000-0000-000000000006", "name": "Frank", "email": "frank@example.net",
  "age": 34, "height": 1.92, "active": false, "role": "EDITOR", "birth_date": "1990-03-15",
  "created_at": "2024-01-07T09:00:00Z",
  "manager_id": "00000000-0000-0000-0000-000000000002",
  "scores": [50],
  "address": {"city": "São Paulo", "country": "BR"},
  "pets": [{"name": "Tweety", "species": "BIRD", "age": 4,
            "toys": [{"name": "Bell", "color": "gold"}, {"name": "Mirror", "color": "silver"}]}]
}'),
(7, '00000000-0000-0000-0000-000000000007', '2024-01-04T09:00:00Z', 61, '{
  "id": "00000000-0000-0000-0000-000000000007", "name": "Grace", "email": "grace@EXAMPLE.COM",
  "age": 61, "height": 1.55, "active": true, "role": "VIEWER", "birth_date": "1963-08-08",
  "created_at": "2024-01-04T09:00:00Z", "last_login_at": "2024-01-15T00:00:00Z",
  "Nick": "Gigi",
  "tags": ["sql", "python"],
  "address": {"city": null, "country": "GB"},
  "pets": [{"name": "Luna", "species": "CAT", "age": 12, "toys": [{"name": "Ball", "color": "red"}]}]
}'),
(8, '00000000-0000-0000-0000-000000000008', '2024-01-06T09:00:00Z', 29, '{
  "id": "00000000-0000-0000-0000-000000000008", "name": "Heidi", "email": "heidi@example.com",
  "age": 29, "height": 1.70, "active": true, "role": "ADMIN", "birth_date": "1995-05-05",
  "created_at": "2024-01-06T09:00:00Z",
  "manager_id": "00000000-0000-0000-0000-000000000005", "Nick": "Hei",
  "tags": ["rust"], "scores": [88, 92],
  "address": {"city": "Zurich", "country": "CH", "zip": "8001"},
  "pets": [{"name": "Spot", "species": "DOG", "age": 1, "toys": [{"name": "Ball", "color": "blue"}]}]
}');

CREATE VIEW v_person AS
SELECT id, created_at, age, data FROM tb_person ORDER BY seq;

-- ---------------------------------------------------------------------------------------
-- Articles: ids 00000000-0000-0000-0000-0000000000aN, N = 1..6 (= seq).
--
--  N title                      path                     status    words rating author published_on
--  1 Getting started with Rust  tech.rust                PUBLISHED 1200  4.5    Alice  2024-02-01
--  2 Async Rust in depth        tech.rust.async          PUBLISHED 3400  4.8    Heidi  2024-03-10
--  3 PostgreSQL indexes         tech.databases.postgres  PUBLISHED 2100  4.1    Alice  2024-01-20
--  4 Growing tomatoes           garden.vegetables        DRAFT      800  null   Bob    null
--  5 Roses in winter            garden.flowers.roses     ARCHIVED   650  3.2    Bob    2023-11-11
--  6 Technology overview        tech                     PUBLISHED  100  2.0    -      2024-04-01
-- ---------------------------------------------------------------------------------------

CREATE TABLE tb_article (
    seq  integer PRIMARY KEY,
    id   uuid NOT NULL UNIQUE,
    data jsonb NOT NULL
);

INSERT INTO tb_article VALUES
(1, '00000000-0000-0000-0000-0000000000a1', '{
  "id": "00000000-0000-0000-0000-0000000000a1", "title": "Getting started with Rust",
  "body": "Rust is a systems programming language focused on safety and speed.",
  "path": "tech.rust", "status": "PUBLISHED", "word_count": 1200, "rating": 4.5,
  "published_on": "2024-02-01",
  "author": {"id": "00000000-0000-0000-0000-000000000001", "name": "Alice"}
}'),
(2, '00000000-0000-0000-0000-0000000000a2', '{
  "id": "00000000-0000-0000-0000-0000000000a2", "title": "Async Rust in depth",
  "body": "Futures, executors and the async runtime explained with examples.",
  "path": "tech.rust.async", "status": "PUBLISHED", "word_count": 3400, "rating": 4.8,
  "published_on": "2024-03-10",
  "author": {"id": "00000000-0000-0000-0000-000000000008", "name": "Heidi"}
}'),
(3, '00000000-0000-0000-0000-0000000000a3', '{
  "id": "00000000-0000-0000-0000-0000000000a3", "title": "PostgreSQL indexes",
  "body": "Indexes make queries fast: B-tree, GIN and GiST indexes in PostgreSQL.",
  "path": "tech.databases.postgres", "status": "PUBLISHED", "word_count": 2100, "rating": 4.1,
  "published_on": "2024-01-20",
  "author": {"id": "00000000-0000-0000-0000-000000000001", "name": "Alice"}
}'),
(4, '00000000-0000-0000-0000-0000000000a4', '{
  "id": "00000000-0000-0000-0000-0000000000a4", "title": "Growing tomatoes",
  "body": "Tomatoes need sun and water. The quick brown fox eats them.",
  "path": "garden.vegetables", "status": "DRAFT", "word_count": 800, "rating": null,
  "published_on": null,
  "author": {"id": "00000000-0000-0000-0000-000000000002", "name": "Bob"}
}'),
(5, '00000000-0000-0000-0000-0000000000a5', '{
  "id": "00000000-0000-0000-0000-0000000000a5", "title": "Roses in winter",
  "body": "Protect your roses from frost in winter.",
  "path": "garden.flowers.roses", "status": "ARCHIVED", "word_count": 650, "rating": 3.2,
  "published_on": "2023-11-11",
  "author": {"id": "00000000-0000-0000-0000-000000000002", "name": "Bob"}
}'),
(6, '00000000-0000-0000-0000-0000000000a6', '{
  "id": "00000000-0000-0000-0000-0000000000a6", "title": "Technology overview",
  "body": "An overview of all technology articles.",
  "path": "tech", "status": "PUBLISHED", "word_count": 100, "rating": 2.0,
  "published_on": "2024-04-01"
}');

CREATE VIEW v_article AS
SELECT id, data FROM tb_article ORDER BY seq;

-- ---------------------------------------------------------------------------------------
-- Devices: ids 00000000-0000-0000-0000-0000000000dN, N = 1..9 (= seq).
--
--  N hostname   ip            network
--  1 web-1      10.0.0.5      10.0.0.0/24
--  2 web-2      192.168.1.20  192.168.1.0/24
--  3 gw         8.8.8.8       8.8.8.0/24
--  4 lo         127.0.0.1     127.0.0.0/8
--  5 v6-ula     fd12:3456::1  fd12:3456::/32
--  6 v6-lo      ::1           ::1/128
--  7 v6-global  2001:db8::10  2001:db8::/32
--  8 no-ip      -             -
--  9 dmz        172.20.5.5    172.16.0.0/12
-- ---------------------------------------------------------------------------------------

CREATE TABLE tb_device (
    seq  integer PRIMARY KEY,
    id   uuid NOT NULL UNIQUE,
    data jsonb NOT NULL
);

INSERT INTO tb_device VALUES
(1, '00000000-0000-0000-0000-0000000000d1', '{"id": "00000000-0000-0000-0000-0000000000d1", "hostname": "web-1", "ip": "10.0.0.5", "network": "10.0.0.0/24"}'),
(2, '00000000-0000-0000-0000-0000000000d2', '{"id": "00000000-0000-0000-0000-0000000000d2", "hostname": "web-2", "ip": "192.168.1.20", "network": "192.168.1.0/24"}'),
(3, '00000000-0000-0000-0000-0000000000d3', '{"id": "00000000-0000-0000-0000-0000000000d3", "hostname": "gw", "ip": "8.8.8.8", "network": "8.8.8.0/24"}'),
(4, '00000000-0000-0000-0000-0000000000d4', '{"id": "00000000-0000-0000-0000-0000000000d4", "hostname": "lo", "ip": "127.0.0.1", "network": "127.0.0.0/8"}'),
(5, '00000000-0000-0000-0000-0000000000d5', '{"id": "00000000-0000-0000-0000-0000000000d5", "hostname": "v6-ula", "ip": "fd12:3456::1", "network": "fd12:3456::/32"}'),
(6, '00000000-0000-0000-0000-0000000000d6', '{"id": "00000000-0000-0000-0000-0000000000d6", "hostname": "v6-lo", "ip": "::1", "network": "::1/128"}'),
(7, '00000000-0000-0000-0000-0000000000d7', '{"id": "00000000-0000-0000-0000-0000000000d7", "hostname": "v6-global", "ip": "2001:db8::10", "network": "2001:db8::/32"}'),
(8, '00000000-0000-0000-0000-0000000000d8', '{"id": "00000000-0000-0000-0000-0000000000d8", "hostname": "no-ip"}'),
(9, '00000000-0000-0000-0000-0000000000d9', '{"id": "00000000-0000-0000-0000-0000000000d9", "hostname": "dmz", "ip": "172.20.5.5", "network": "172.16.0.0/12"}');

CREATE VIEW v_device AS
SELECT id, data FROM tb_device ORDER BY seq;

-- ---------------------------------------------------------------------------------------
-- Ticks: 12 rows, n = 1..12, id 00000000-0000-0000-0000-0000000001NN (NN = n, two digits),
-- to exercise the default limit (10 in this suite) and the maximum (25).
-- ---------------------------------------------------------------------------------------

CREATE TABLE tb_tick (
    n  integer PRIMARY KEY,
    id uuid NOT NULL UNIQUE
);

INSERT INTO tb_tick
SELECT n, ('00000000-0000-0000-0000-0000000001' || lpad(n::text, 2, '0'))::uuid
FROM generate_series(1, 12) AS n;

CREATE VIEW v_tick AS
SELECT id, jsonb_build_object('id', id, 'n', n) AS data FROM tb_tick ORDER BY n;

-- ---------------------------------------------------------------------------------------
-- Broken: data that violates the schema (name: String!, Inner.label: String!,
-- codes: [String!]). ids 00000000-0000-0000-0000-0000000000bN, N = 1..5 (= seq).
--
--  N name        inner            codes
--  1 ok-1        {label: "x"}     ["a"]
--  2 null        {label: "y"}     -
--  3 ok-3        {label: null}    -
--  4 ok-4        -                ["a", null]
--  5 - (absent)  -                -
-- ---------------------------------------------------------------------------------------

CREATE TABLE tb_broken (
    seq  integer PRIMARY KEY,
    id   uuid NOT NULL UNIQUE,
    data jsonb NOT NULL
);

INSERT INTO tb_broken VALUES
(1, '00000000-0000-0000-0000-0000000000b1', '{"id": "00000000-0000-0000-0000-0000000000b1", "name": "ok-1", "inner": {"label": "x"}, "codes": ["a"]}'),
(2, '00000000-0000-0000-0000-0000000000b2', '{"id": "00000000-0000-0000-0000-0000000000b2", "name": null, "nickname": "two", "inner": {"label": "y"}}'),
(3, '00000000-0000-0000-0000-0000000000b3', '{"id": "00000000-0000-0000-0000-0000000000b3", "name": "ok-3", "inner": {"label": null}}'),
(4, '00000000-0000-0000-0000-0000000000b4', '{"id": "00000000-0000-0000-0000-0000000000b4", "name": "ok-4", "codes": ["a", null]}'),
(5, '00000000-0000-0000-0000-0000000000b5', '{"id": "00000000-0000-0000-0000-0000000000b5", "nickname": "five"}');

CREATE VIEW v_broken AS
SELECT id, data FROM tb_broken ORDER BY seq;
