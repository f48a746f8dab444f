#!/usr/bin/env bash
# Q1 without auth vs Q1 with a valid RS256 token, tenant injection and a session
# variable, in one run: the two servers alternate, ROUNDS rounds of SECS seconds each,
# wrk with 8 connections. Prints a markdown table and the median ratio.
# usage: bench/auth/run.sh [rounds] [secs]   (default 5 rounds of 10 s)
# env: BENCH_AUTH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fraiseql_bench_auth;
#      the database is created if missing and reloaded), BENCH_FRAISEQL_BIN (default: build release).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rounds="${1:-5}"; secs="${2:-10}"
db_url="${BENCH_AUTH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fraiseql_bench_auth}"
admin_url="${db_url%/*}/postgres"
db_name="${db_url##*/}"
command -v wrk >/dev/null || { apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
if [ -z "${BENCH_FRAISEQL_BIN:-}" ]; then
  (cd "$repo" && cargo build --release -q -p fraiseql)
  BENCH_FRAISEQL_BIN="$repo/target/release/fraiseql"
fi
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

psql -q "$admin_url" -tc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1 \
  || psql -q "$admin_url" -c "CREATE DATABASE $db_name" >/dev/null
psql -q -v ON_ERROR_STOP=1 "$db_url" -f "$here/data.sql" >/dev/null 2>&1

# An RSA key and an RS256 token for tenant t3 (openssl only).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench"}' | b64url)
payload=$(printf '{"sub":"user-3","tenant":"t3","iat":%d,"exp":%d,"aud":"graphql-api"}' "$now" $((now + 3600)) | b64url)
sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/key.pem" -binary | b64url)
token="$header.$payload.$sig"

cat > "$work/plain.toml" <<TOML
[schema]
paths = ["$here/schema.graphql"]
TOML
cat > "$work/auth.toml" <<TOML
[schema]
paths = ["$here/schema.graphql"]
[auth]
required = true
audiences = ["graphql-api"]
session_variables = { "app.tenant_id" = "tenant_id" }
[[auth.keys]]
kid = "bench"
algorithm = "RS256"
public_key_file = "$work/pub.pem"
[auth.claims]
tenant_id = "/tenant"
[auth.tenant]
column = "tenant_id"
TOML

start() { # name config port
  FRAISEQL_LOG=warn "$BENCH_FRAISEQL_BIN" serve --config "$2" --database-url "$db_url" --listen "127.0.0.1:$3" \
    >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$3/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "$1 did not start:"; cat "$work/$1.log"; exit 1
}
start plain "$work/plain.toml" 18091
start auth "$work/auth.toml" 18092
export BENCH_QUERY='{"query":"{ users(limit: 20) { id username fullName } }"}'

# Correctness first: the auth server returns only tenant t3's users, the plain one any.
plain=$(curl -s -X POST -H 'Content-Type: application/json' -d "$BENCH_QUERY" http://127.0.0.1:18091/graphql)
authed=$(curl -s -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d "$BENCH_QUERY" http://127.0.0.1:18092/graphql)
refused=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$BENCH_QUERY" http://127.0.0.1:18092/graphql)
echo "$plain" | grep -q '"user_00001"' || { echo "plain answer wrong: $plain"; exit 1; }
echo "$authed" | grep -q '"user_00003"' || { echo "auth answer wrong: $authed"; exit 1; }
echo "$authed" | grep -q '"user_00001"' && { echo "auth answer has another tenant: $authed"; exit 1; }
[ "$refused" = 401 ] || { echo "no token should be 401, got $refused"; exit 1; }

load() { # port [header]
  local out
  if [ -n "${2:-}" ]; then
    out=$(wrk -t2 -c8 -d"${secs}s" --timeout 5s -s "$here/post.lua" -H "$2" "http://127.0.0.1:$1/graphql")
  else
    out=$(wrk -t2 -c8 -d"${secs}s" --timeout 5s -s "$here/post.lua" "http://127.0.0.1:$1/graphql")
  fi
  echo "$out" | awk '/^RESULT/ { printf "%.0f %.2f %.2f %d\n", $2 / ($3 / 1e6), $4 / 1000, $5 / 1000, $6 }'
}
load 18091 >/dev/null; load 18092 "Authorization: Bearer $token" >/dev/null   # warm-up
echo "| round | no auth req/s | p50 ms | p99 ms | errors | RS256 + tenant + session var req/s | p50 ms | p99 ms | errors | ratio |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
ratios=()
for r in $(seq 1 "$rounds"); do
  read -r a_rps a_p50 a_p99 a_err < <(load 18091)
  read -r b_rps b_p50 b_p99 b_err < <(load 18092 "Authorization: Bearer $token")
  ratio=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN { printf "%.3f", b / a }')
  ratios+=("$ratio")
  echo "| $r | $a_rps | $a_p50 | $a_p99 | $a_err | $b_rps | $b_p50 | $b_p99 | $b_err | $ratio |"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo
echo "median ratio (auth ÷ no auth): $median; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
