-- FraiseQL demo: a small blog (users, posts, comments).
--
-- Tables (tb_*) hold the write model; views (v_*) are the read model: real columns for
-- filtering and sorting (id, created_at, author_id, ...) plus a JSONB column `data` holding
-- each object's full shape with snake_case keys.
--
-- Data is deterministic (generate_series + md5, no random()): 50 users, 200 posts,
-- 600 comments. The script is idempotent: it drops and recreates everything it owns.
-- Run with: psql -v ON_ERROR_STOP=1 -f demo.sql

CREATE EXTENSION IF NOT EXISTS ltree;

DROP VIEW IF EXISTS v_comment CASCADE;
DROP VIEW IF EXISTS v_post CASCADE;
DROP VIEW IF EXISTS v_user CASCADE;
DROP TABLE IF EXISTS tb_comment CASCADE;
DROP TABLE IF EXISTS tb_post CASCADE;
DROP TABLE IF EXISTS tb_user CASCADE;

-- ---------------------------------------------------------------------------------------
-- Write model
-- ---------------------------------------------------------------------------------------

CREATE TABLE tb_user (
    id            uuid PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    full_name     text NOT NULL,
    email         text NOT NULL UNIQUE,
    bio           text,
    website       text,
    location      text,
    age           integer NOT NULL,
    is_active     boolean NOT NULL DEFAULT true,
    birth_date    date NOT NULL,
    last_login_ip inet,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tb_post (
    id            uuid PRIMARY KEY,
    author_id     uuid NOT NULL REFERENCES tb_user (id) ON DELETE CASCADE,
    title         text NOT NULL,
    slug          text NOT NULL UNIQUE,
    body          text NOT NULL,
    tags          text[] NOT NULL DEFAULT '{}',
    category_path ltree NOT NULL,
    view_count    integer NOT NULL DEFAULT 0,
    rating        double precision NOT NULL,
    is_published  boolean NOT NULL DEFAULT false,
    published_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tb_post_author_id_idx ON tb_post (author_id);
CREATE INDEX tb_post_created_at_idx ON tb_post (created_at);
CREATE INDEX tb_post_category_path_idx ON tb_post USING gist (category_path);

CREATE TABLE tb_comment (
    id         uuid PRIMARY KEY,
    post_id    uuid NOT NULL REFERENCES tb_post (id) ON DELETE CASCADE,
    author_id  uuid NOT NULL REFERENCES tb_user (id) ON DELETE CASCADE,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tb_comment_post_id_idx ON tb_comment (post_id);
CREATE INDEX tb_comment_author_id_idx ON tb_comment (author_id);

-- ---------------------------------------------------------------------------------------
-- Deterministic data
-- ---------------------------------------------------------------------------------------

-- 50 users. User n has id md5('user-' || n)::uuid; users 41-50 have no posts.
INSERT INTO tb_user (id, username, full_name, email, bio, website, location, age, is_active,
                     birth_date, last_login_ip, created_at)
SELECT md5('user-' || n)::uuid,
       lower(first_name) || '.' || lower(last_name),
       first_name || ' ' || last_name,
       lower(first_name) || '.' || lower(last_name) || '@example.com',
       CASE WHEN n % 5 = 0 THEN NULL
            ELSE 'Writes about ' || (ARRAY['databases', 'Rust', 'GraphQL', 'travel', 'cooking',
                                           'physics', 'distributed systems', 'web performance'])[1 + n % 8]
                 || '. Member #' || n || '.'
       END,
       CASE WHEN n % 4 = 0 THEN NULL ELSE 'https://' || lower(last_name) || n || '.example.org' END,
       (ARRAY['Lyon', 'Berlin', 'Montréal', 'Tokyo', 'Nairobi', 'Lima', 'Oslo', 'Austin'])[1 + n % 8],
       age,
       n % 7 <> 0,
       make_date(2025 - age, 1 + n % 12, 1 + (n * 3) % 28),
       CASE n % 6
           WHEN 0 THEN ('10.0.' || n % 4 || '.' || n)::inet          -- private (RFC 1918)
           WHEN 1 THEN ('192.168.1.' || n)::inet                     -- private (RFC 1918)
           WHEN 2 THEN ('203.0.113.' || n)::inet                     -- public (documentation range)
           WHEN 3 THEN '127.0.0.1'::inet                             -- loopback
           WHEN 4 THEN ('2001:db8::' || to_hex(n))::inet             -- IPv6 (documentation range)
           ELSE CASE WHEN n % 4 = 1 THEN '::1'::inet ELSE NULL END   -- IPv6 loopback, or never logged in
       END,
       timestamptz '2024-01-01 08:00:00+00' + n * interval '17 hours 23 minutes'
FROM (
    SELECT n,
           (ARRAY['Alice', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas'])
               [1 + (n - 1) % 10] AS first_name,
           (ARRAY['Martin', 'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rossi', 'Schmidt', 'Tanaka',
                  'Usman', 'Varga'])[1 + (3 * ((n - 1) / 10) + (n - 1) % 10) % 10] AS last_name,
           18 + get_byte(decode(md5('user-age-' || n), 'hex'), 0) % 50 AS age
    FROM generate_series(1, 50) AS n
) AS u;

-- 200 posts. Post p has id md5('post-' || p)::uuid; every 9th post is a draft.
INSERT INTO tb_post (id, author_id, title, slug, body, tags, category_path, view_count, rating,
                     is_published, published_at, created_at)
SELECT md5('post-' || p)::uuid,
       md5('user-' || (1 + get_byte(h, 0) % 40))::uuid,
       topic || ', part ' || p,
       replace(lower(topic), ' ', '-') || '-' || p,
       'In this post we look at ' || lower(topic) || '. ' || repeat('Lorem ipsum dolor sit amet. ', 1 + p % 4),
       CASE WHEN p % 13 = 0 THEN '{}'::text[]
            ELSE ARRAY(SELECT DISTINCT t
                       FROM unnest(ARRAY[tag_pool[1 + get_byte(h, 2) % 12],
                                         tag_pool[1 + get_byte(h, 3) % 12],
                                         tag_pool[1 + get_byte(h, 4) % 12]]) AS t
                       ORDER BY t)
       END,
       category::ltree,
       (get_byte(h, 5) * 256 + get_byte(h, 6)) % 5000,
       1 + (get_byte(h, 7) % 41) / 10.0,
       p % 9 <> 0,
       CASE WHEN p % 9 <> 0 THEN created_at + interval '1 day 2 hours' END,
       created_at
FROM (
    SELECT p,
           decode(md5('post-data-' || p), 'hex') AS h,
           ARRAY['rust', 'postgres', 'graphql', 'performance', 'tutorial', 'opinion', 'async',
                 'sql', 'travel', 'food', 'science', 'beginner'] AS tag_pool,
           (ARRAY['tech.rust.async', 'tech.rust.web', 'tech.postgres.indexing', 'tech.postgres.json',
                  'tech.graphql', 'life.travel.europe', 'life.travel.asia', 'life.cooking',
                  'science.physics', 'science.biology.genetics'])[1 + p % 10] AS category,
           (ARRAY['Async Rust in practice', 'Building web services in Rust', 'Choosing PostgreSQL indexes',
                  'JSONB in PostgreSQL', 'GraphQL schema design', 'A week in Lisbon',
                  'Street food in Osaka', 'Sourdough for beginners', 'Quantum physics for the curious',
                  'Reading the genome'])[1 + p % 10] AS topic,
           timestamptz '2024-02-01 09:30:00+00' + p * interval '1 day 3 hours 7 minutes' AS created_at
    FROM generate_series(1, 200) AS p
) AS src;

-- 600 comments, spread unevenly over posts (some posts have none).
INSERT INTO tb_comment (id, post_id, author_id, body, created_at)
SELECT md5('comment-' || c)::uuid,
       post.id,
       md5('user-' || (1 + get_byte(h, 2) % 50))::uuid,
       (ARRAY['Great post, thanks!', 'I disagree with the second point.', 'Could you share the benchmark code?',
              'This helped me a lot.', 'What about the edge cases?', 'Bookmarked.',
              'Nice write-up; a follow-up on testing would be welcome.', 'Typo in the third paragraph.'])
           [1 + get_byte(h, 3) % 8],
       post.created_at + (1 + get_byte(h, 4) % 96) * interval '1 hour' + (c % 60) * interval '1 minute'
FROM (
    SELECT c, decode(md5('comment-data-' || c), 'hex') AS h
    FROM generate_series(1, 600) AS c
) AS src
JOIN tb_post AS post
  ON post.id = md5('post-' || (1 + (get_byte(src.h, 0) * 256 + get_byte(src.h, 1)) % 200))::uuid;

-- ---------------------------------------------------------------------------------------
-- Read model: one view per GraphQL type with @view. Timestamps are rendered as ISO 8601 in
-- UTC (independent of the session time zone); dates as YYYY-MM-DD; inet and ltree as text.
-- ---------------------------------------------------------------------------------------

CREATE VIEW v_user AS
SELECT u.id,
       u.username,
       u.is_active,
       u.created_at,
       jsonb_build_object(
           'id', u.id,
           'username', u.username,
           'full_name', u.full_name,
           'email', u.email,
           'age', u.age,
           'is_active', u.is_active,
           'birth_date', u.birth_date,
           'last_login_ip', host(u.last_login_ip),
           'created_at', to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'profile', jsonb_build_object('bio', u.bio, 'website', u.website, 'location', u.location),
           'posts', coalesce((
               SELECT jsonb_agg(jsonb_build_object(
                          'id', p.id,
                          'title', p.title,
                          'published_at', to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
                      ORDER BY p.created_at, p.id)
               FROM tb_post AS p
               WHERE p.author_id = u.id), '[]'::jsonb)
       ) AS data
FROM tb_user AS u;

CREATE VIEW v_post AS
SELECT p.id,
       p.author_id,
       p.is_published,
       p.view_count,
       p.created_at,
       p.published_at,
       jsonb_build_object(
           'id', p.id,
           'title', p.title,
           'slug', p.slug,
           'body', p.body,
           'tags', to_jsonb(p.tags),
           'category_path', p.category_path::text,
           'view_count', p.view_count,
           'rating', p.rating,
           'is_published', p.is_published,
           'published_at', to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'created_at', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'author', jsonb_build_object('id', a.id, 'username', a.username, 'full_name', a.full_name),
           'comment_count', (SELECT count(*) FROM tb_comment AS c WHERE c.post_id = p.id)
       ) AS data
FROM tb_post AS p
JOIN tb_user AS a ON a.id = p.author_id;

CREATE VIEW v_comment AS
SELECT c.id,
       c.post_id,
       c.author_id,
       c.created_at,
       jsonb_build_object(
           'id', c.id,
           'body', c.body,
           'created_at', to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'author', jsonb_build_object('id', a.id, 'username', a.username, 'full_name', a.full_name),
           'post', jsonb_build_object(
               'id', p.id,
               'title', p.title,
               'published_at', to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
       ) AS data
FROM tb_comment AS c
JOIN tb_user AS a ON a.id = c.author_id
JOIN tb_post AS p ON p.id = c.post_id;

COMMENT ON VIEW v_user IS 'A member of the blog: writes posts and comments.';
COMMENT ON VIEW v_post IS 'A blog post, with its author and tags.';
COMMENT ON VIEW v_comment IS 'A comment on a post.';
