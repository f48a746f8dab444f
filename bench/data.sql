-- FraiseQL benchmark data set (BENCHMARKS.md): users 10,000, posts 50,000, comments 200,000.
--
-- Deterministic: every value is a function of the row number (arithmetic and md5, no
-- random()), so two loads give identical tables. Integer keys 1..N, so load generators can
-- draw a random row with `random(1, 10000)` (pgbench \set, wrk Lua) without an id list.
--
-- Write model: tables in schema `app` (app.users, app.posts, app.comments), with primary
-- keys, foreign keys and indexes on the key columns. PostGraphile is pointed at schema
-- `app` and serves these tables directly.
-- Read model (FraiseQL, FraiseQL v2): views in `public` with real filter columns plus a
-- JSONB `data` column holding each object's shape with snake_case keys:
--   v_user    id, username, age, created_at | data {id, username, full_name, email, age, bio, created_at}
--   v_post    id, author_id, view_count, created_at | data {id, title, body, view_count, author_id,
--             created_at, author {id, username, full_name}}
--   v_comment id, post_id, author_id, created_at | data {id, body, author_id, created_at,
--             author {id, username, full_name}, post {id, title}}
-- Ids are rendered as JSON strings in `data` (GraphQL ID). The M1 write function
-- fn_update_user is in bench/functions.sql (it needs `fraiseql setup` first).
--
-- Run with: psql -v ON_ERROR_STOP=1 -f bench/data.sql  (drops and recreates what it owns)

DROP VIEW IF EXISTS public.v_comment;
DROP VIEW IF EXISTS public.v_post;
DROP VIEW IF EXISTS public.v_user;
DROP SCHEMA IF EXISTS app CASCADE;
CREATE SCHEMA app;

CREATE TABLE app.users (
    id         integer PRIMARY KEY,
    username   text NOT NULL UNIQUE,
    full_name  text NOT NULL,
    email      text NOT NULL UNIQUE,
    age        integer NOT NULL,
    bio        text,
    created_at timestamptz NOT NULL
);

CREATE TABLE app.posts (
    id         integer PRIMARY KEY,
    author_id  integer NOT NULL REFERENCES app.users (id),
    title      text NOT NULL,
    body       text NOT NULL,
    view_count integer NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE app.comments (
    id         integer PRIMARY KEY,
    post_id    integer NOT NULL REFERENCES app.posts (id),
    author_id  integer NOT NULL REFERENCES app.users (id),
    body       text NOT NULL,
    created_at timestamptz NOT NULL
);

-- Users: user_00001 .. user_10000.
INSERT INTO app.users (id, username, full_name, email, age, bio, created_at)
SELECT n,
       'user_' || lpad(n::text, 5, '0'),
       (ARRAY['Alice', 'Bruno', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas'])[1 + n % 10]
           || ' ' ||
       (ARRAY['Martin', 'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Varga'])[1 + (n / 10) % 10],
       'user_' || lpad(n::text, 5, '0') || '@example.com',
       18 + get_byte(decode(md5('age-' || n), 'hex'), 0) % 60,
       CASE WHEN n % 5 = 0 THEN NULL ELSE 'Writes about topic ' || (n % 37) || '.' END,
       timestamptz '2024-01-01 00:00:00+00' + n * interval '47 minutes'
FROM generate_series(1, 10000) AS n;

-- Posts: author spread over all users (5 posts each on average), view_count 0..4999.
INSERT INTO app.posts (id, author_id, title, body, view_count, created_at)
SELECT p,
       1 + (get_byte(h, 0) * 65536 + get_byte(h, 1) * 256 + get_byte(h, 2)) % 10000,
       (ARRAY['Async Rust in practice', 'Choosing PostgreSQL indexes', 'JSONB in PostgreSQL',
              'GraphQL schema design', 'A week in Lisbon', 'Sourdough for beginners',
              'Reading the genome', 'Street food in Osaka'])[1 + p % 8] || ', part ' || p,
       'In this post we look at topic ' || (p % 97) || '. ' || repeat('Lorem ipsum dolor sit amet. ', 1 + p % 4),
       (get_byte(h, 3) * 256 + get_byte(h, 4)) % 5000,
       timestamptz '2024-02-01 00:00:00+00' + p * interval '9 minutes'
FROM (SELECT p, decode(md5('post-' || p), 'hex') AS h FROM generate_series(1, 50000) AS p) AS s;

-- Comments: 4 per post on average, authors spread over all users.
INSERT INTO app.comments (id, post_id, author_id, body, created_at)
SELECT c,
       1 + (get_byte(h, 0) * 65536 + get_byte(h, 1) * 256 + get_byte(h, 2)) % 50000,
       1 + (get_byte(h, 3) * 65536 + get_byte(h, 4) * 256 + get_byte(h, 5)) % 10000,
       (ARRAY['Great post, thanks!', 'I disagree with the second point.', 'Could you share the code?',
              'This helped me a lot.', 'What about the edge cases?', 'Bookmarked.'])[1 + c % 6]
           || ' (#' || c || ')',
       timestamptz '2024-03-01 00:00:00+00' + c * interval '2 minutes'
FROM (SELECT c, decode(md5('comment-' || c), 'hex') AS h FROM generate_series(1, 200000) AS c) AS s;

CREATE INDEX posts_author_id_idx ON app.posts (author_id);
CREATE INDEX posts_view_count_idx ON app.posts (view_count);
CREATE INDEX posts_created_at_idx ON app.posts (created_at);
CREATE INDEX comments_post_id_idx ON app.comments (post_id);
CREATE INDEX comments_author_id_idx ON app.comments (author_id);

CREATE VIEW public.v_user AS
SELECT u.id, u.username, u.age, u.created_at,
       jsonb_build_object(
           'id', u.id::text,
           'username', u.username,
           'full_name', u.full_name,
           'email', u.email,
           'age', u.age,
           'bio', u.bio,
           'created_at', to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
       ) AS data
FROM app.users AS u;

CREATE VIEW public.v_post AS
SELECT p.id, p.author_id, p.view_count, p.created_at,
       jsonb_build_object(
           'id', p.id::text,
           'title', p.title,
           'body', p.body,
           'view_count', p.view_count,
           'author_id', p.author_id::text,
           'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'author', jsonb_build_object('id', u.id::text, 'username', u.username, 'full_name', u.full_name)
       ) AS data
FROM app.posts AS p
JOIN app.users AS u ON u.id = p.author_id;

CREATE VIEW public.v_comment AS
SELECT c.id, c.post_id, c.author_id, c.created_at,
       jsonb_build_object(
           'id', c.id::text,
           'body', c.body,
           'author_id', c.author_id::text,
           'created_at', to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'author', jsonb_build_object('id', u.id::text, 'username', u.username, 'full_name', u.full_name),
           'post', jsonb_build_object('id', p.id::text, 'title', p.title)
       ) AS data
FROM app.comments AS c
JOIN app.users AS u ON u.id = c.author_id
JOIN app.posts AS p ON p.id = c.post_id;

ANALYZE app.users;
ANALYZE app.posts;
ANALYZE app.comments;
