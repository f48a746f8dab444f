#!/usr/bin/env bash
# M1 (BENCHMARKS.md) in miniature: FraiseQL's updateUser mutation over HTTP against
# (1) pgbench calling the same function directly and (2) the hand-written floor
# (bench/floor: axum + tokio-postgres running the SQL `fraiseql explain` gives), same
# connection count, alternating rounds on the demo data. Prints each round and the medians.
#
# usage: bench/m1-quick.sh [rounds] [seconds]   (needs wrk and pgbench; DATABASE_URL
#   defaults to the local PostgreSQL; the demo database fraiseql_demo is (re)loaded)
set -euo pipefail
rounds="${1:-6}"; secs="${2:-8}"; conns=8
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
bin="$repo/target/release/fraiseql"
(cd "$repo" && cargo build --release -q -p fraiseql -p fraiseql-bench-floor)
floor_bin="$repo/target/release/fraiseql-bench-floor"
work="$(mktemp -d)"; floor=""; trap 'kill $server $floor 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
DATABASE_URL="$url" FRAISEQL_LOG=warn "$bin" demo --listen "127.0.0.1:$port" >"$work/demo.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
demo_url="${url%/*}/fraiseql_demo"
psql -q "$demo_url" -c "DROP TABLE IF EXISTS bench_ids; CREATE TABLE bench_ids AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM (SELECT id FROM tb_user ORDER BY id LIMIT 40) s; CREATE UNIQUE INDEX ON bench_ids (n);"
psql -At "$demo_url" -c "SELECT id FROM bench_ids ORDER BY n" >"$work/ids"
cat >"$work/m1.sql" <<'SQL'
\set n random(1, 40)
\set b random(1, 1000000)
SELECT * FROM fn_update_user(jsonb_build_object('id', (SELECT id FROM bench_ids WHERE n = :n), 'bio', 'bio ' || :b));
SQL
{
  printf 'local ids = {'; sed 's/.*/"&",/' "$work/ids" | tr -d '\n'; printf '}\n'
  cat <<'LUA'
math.randomseed(42)
request = function()
  local id = ids[math.random(#ids)]
  local body = '{"query":"mutation($i: UpdateUserInput!) { updateUser(input: $i) { __typename ... on UpdateUserSuccess { status user { id profile { bio } } } } }","variables":{"i":{"id":"' .. id .. '","bio":"bio ' .. math.random(1000000) .. '"}}}'
  return wrk.format("POST", "/graphql", {["Content-Type"]="application/json"}, body)
end
LUA
} >"$work/m1.lua"
curl -fs "http://127.0.0.1:$port/graphql" -H 'content-type: application/json' \
  -d "{\"query\":\"mutation { updateUser(input: {id: \\\"$(head -1 "$work/ids")\\\", bio: \\\"check\\\"}) { __typename } }\"}" | grep -q UpdateUserSuccess \
  || { echo "the mutation does not answer UpdateUserSuccess" >&2; exit 1; }
m1='mutation($i: UpdateUserInput!) { updateUser(input: $i) { __typename ... on UpdateUserSuccess { status user { id profile { bio } } } } }'
sql=$("$bin" explain --json --database-url "$demo_url" --schema "$repo/crates/fraiseql/demo/schema.graphql" \
  --variables "{\"i\": {\"id\": \"$(head -1 "$work/ids")\", \"bio\": \"x\"}}" "$m1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["sql"])')
fport=$((port + 1))
DATABASE_URL="$demo_url" FLOOR_LISTEN="127.0.0.1:$fport" FLOOR_SQL="$sql" FLOOR_PARAMS=/variables/i FLOOR_KEY=updateUser \
  "$floor_bin" >"$work/floor.log" 2>&1 &
floor=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$fport/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
echo "machine: $(nproc) cores, $(uname -sr); $conns connections; $secs s per run"
ratios=(); fratios=()
for r in $(seq 1 "$rounds"); do
  p=$(pgbench -n -M prepared -c "$conns" -j 1 -T "$secs" -f "$work/m1.sql" "$demo_url" 2>&1 | awk '/^tps/ {print $3}')
  f=$(wrk -t1 -c"$conns" -d"${secs}s" -s "$work/m1.lua" "http://127.0.0.1:$fport/graphql" | awk '/Requests\/sec/ {print $2}')
  w=$(wrk -t1 -c"$conns" -d"${secs}s" -s "$work/m1.lua" "http://127.0.0.1:$port/graphql" | awk '/Requests\/sec/ {print $2}')
  ratio=$(python3 -c "print(round($w/$p, 3))"); fratio=$(python3 -c "print(round($w/$f, 3))")
  ratios+=("$ratio"); fratios+=("$fratio")
  echo "round $r: pgbench ${p%.*} tps, floor ${f%.*} req/s, fraiseql ${w%.*} req/s; fraiseql/pgbench $ratio, fraiseql/floor $fratio"
done
python3 -c "import statistics,sys; print('median fraiseql/pgbench', statistics.median(map(float, sys.argv[1:])))" "${ratios[@]}"
python3 -c "import statistics,sys; print('median fraiseql/floor', statistics.median(map(float, sys.argv[1:])))" "${fratios[@]}"
