"""The workloads of BENCHMARKS.md, as each engine is asked them.

Bodies are GraphQL-over-HTTP JSON texts; `__ID__` is replaced by a random user id (1..10000)
per request, `__WID__` by a random user id in 5001..10000 (the rows M1 writes: updated rows
move inside the heap, and keeping writes away from the first pages keeps the unordered
lists of Q1 stable between engines), and `__RND__` by a random integer (bench/lib/wrk.lua).
CHECK_ID is the id used for the one-off correctness check and for `fraiseql explain`.
"""

import json

CHECK_ID = 4242
CHECK_WID = 7373
WORKLOADS = ["Q1", "Q2", "Q3", "F1", "C1", "M1", "T1"]

DESCRIPTION = {
    "Q1": "users(limit: 20) { id username fullName }",
    "Q2": "posts(limit: 20) { id title author { username } }",
    "Q3": "comments(limit: 20) { id body author { username } post { title } }",
    "F1": "posts where author.username startsWith \"user_00\" (nested, JSON) and 1000 <= viewCount < 1100 "
          "(real column), orderBy viewCount DESC, limit 20 { id title viewCount author { username } }",
    "C1": "user(id: $id) { id username fullName email }, random id",
    "M1": "updateUser(input: {id: $id, bio: ...}) through fn_update_user, random row among users 5001-10000; "
          "returns the user",
    "T1": "one request, 3 root fields: user(id: $id) + their posts (limit 10) + their comments "
          "(limit 10, with post title), random id",
}


def body(query, variables=None):
    d = {"query": query}
    if variables is not None:
        d["variables"] = variables
    return json.dumps(d, separators=(",", ":"))


# FraiseQL (this repository) and the floor: the floor answers the same bodies.
FRAISEQL = {
    "Q1": ("{ users(limit: 20) { id username fullName } }", None),
    "Q2": ("{ posts(limit: 20) { id title author { username } } }", None),
    "Q3": ("{ comments(limit: 20) { id body author { username } post { title } } }", None),
    "F1": ('{ posts(where: {author: {username: {startsWith: "user_00"}}, viewCount: {gte: 1000, lt: 1100}}, '
           "orderBy: [{viewCount: DESC}], limit: 20) { id title viewCount author { username } } }", None),
    "C1": ("query($id: ID!) { user(id: $id) { id username fullName email } }", {"id": "__ID__"}),
    "M1": ("mutation($i: UpdateUserInput!) { updateUser(input: $i) { __typename "
           "... on UpdateUserSuccess { user { id fullName bio } } ... on UpdateUserError { code message } } }",
           {"i": {"id": "__WID__", "bio": "bio __RND__"}}),
    "T1": ("query($id: ID!) { user(id: $id) { id username fullName } "
           "posts(where: {authorId: {eq: $id}}, limit: 10) { id title } "
           "comments(where: {authorId: {eq: $id}}, limit: 10) { id body post { title } } }", {"id": "__ID__"}),
}

# FraiseQL v2 2.15.0 (bench/v2/schema.json). Same shapes; differences: orderBy items are
# {field, direction}; the prefix operator is `startswith` (v2's WHERE operators are
# lower-case: fraiseql-db's where_clause/operator_table.rs); the mutation returns the User
# itself (no result union), through fn_update_user_v2 (bench/functions.sql); T1's
# per-author lists are list queries with a declared authorId argument (v2 maps a declared
# argument to the view's real column when the argument is named like the column: an `ID`
# argument named otherwise, e.g. authorId, is compiled as a uuid column of that name),
# since v2's `where` on authorId would read the JSON.
V2 = {
    "Q1": FRAISEQL["Q1"],
    "Q2": FRAISEQL["Q2"],
    "Q3": FRAISEQL["Q3"],
    "F1": ('{ posts(where: {author: {username: {startswith: "user_00"}}, viewCount: {gte: 1000, lt: 1100}}, '
           'orderBy: [{field: "viewCount", direction: DESC}], limit: 20) { id title viewCount author { username } } }',
           None),
    "C1": FRAISEQL["C1"],
    "M1": ("mutation($i: UpdateUserInput!) { updateUser(input: $i) { id fullName bio } }",
           {"i": {"id": "__WID__", "bio": "bio __RND__"}}),
    "T1": ("query($id: ID!) { user(id: $id) { id username fullName } "
           "postsByAuthor(author_id: $id, limit: 10) { id title } "
           "commentsByAuthor(author_id: $id, limit: 10) { id body post { title } } }", {"id": "__ID__"}),
}

# PostGraphile v5 over the tables of schema `app` (bench/postgraphile/graphile.config.mjs).
# Its names: allUsers(first:){nodes}, userByRowId, relation fields userByAuthorId /
# postByPostId, the `id` column as `rowId` (an Int), the CRUD mutation updateUserByRowId,
# `condition` for equality and the connection-filter plugin's `filter` for F1.
POSTGRAPHILE = {
    "Q1": ("{ allUsers(first: 20) { nodes { rowId username fullName } } }", None),
    "Q2": ("{ allPosts(first: 20) { nodes { rowId title userByAuthorId { username } } } }", None),
    "Q3": ("{ allComments(first: 20) { nodes { rowId body userByAuthorId { username } postByPostId { title } } } }",
           None),
    "F1": ('{ allPosts(first: 20, filter: {userByAuthorId: {username: {startsWith: "user_00"}}, '
           "viewCount: {greaterThanOrEqualTo: 1000, lessThan: 1100}}, orderBy: VIEW_COUNT_DESC) "
           "{ nodes { rowId title viewCount userByAuthorId { username } } } }", None),
    "C1": ("query($id: Int!) { userByRowId(rowId: $id) { rowId username fullName email } }", {"id": "__ID__"}),
    "M1": ("mutation($id: Int!, $bio: String) { updateUserByRowId(input: {rowId: $id, userPatch: {bio: $bio}}) "
           "{ user { rowId fullName bio } } }", {"id": "__WID__", "bio": "bio __RND__"}),
    "T1": ("query($id: Int!) { userByRowId(rowId: $id) { rowId username fullName } "
           "allPosts(condition: {authorId: $id}, first: 10) { nodes { rowId title } } "
           "allComments(condition: {authorId: $id}, first: 10) { nodes { rowId body postByPostId { title } } } }",
           {"id": "__ID__"}),
}


def template(engine_queries, workload):
    """The request body template (with __ID__/__RND__) for one engine and workload.

    Int-typed variables (PostGraphile) are written as bare numbers."""
    query, variables = engine_queries[workload]
    text = body(query, variables)
    if engine_queries is POSTGRAPHILE:
        text = text.replace('"__ID__"', "__ID__").replace('"__WID__"', "__WID__")
    return text


def concrete(text, id_value=CHECK_ID, rnd=777):
    return (text.replace("__ID__", str(id_value)).replace("__WID__", str(CHECK_WID))
            .replace("__RND__", str(rnd)))
