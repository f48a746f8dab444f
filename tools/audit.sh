#!/usr/bin/env bash
# The GraphQL-over-HTTP audit (graphql-http 1.23.1) and the introspection round trip
# (graphql-js rebuilds the schema from our introspection and compares) against a live
# `fraiseql demo`.
#
# usage: tools/audit.sh [path/to/fraiseql]
#
#   The binary is the argument, else $FRAISEQL_BIN, else target/release/fraiseql, else
#   target/debug/fraiseql. The demo uses DATABASE_URL when set, else a private PostgreSQL.
#   The shared tools are read from $FRAISEQL_SHARED (default: ../shared beside the repo).
#   npm packages are installed once into target/node-tools (ignored by git).
#
# Exits non-zero on any MUST or SHOULD failure, an introspection error or difference, or
# when the server cannot be started.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${FRAISEQL_SHARED:-$repo/../shared}"
tools_dir="$repo/target/node-tools"
startup_timeout="${FRAISEQL_AUDIT_STARTUP_TIMEOUT:-120}"

say() { printf '[audit] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 2; }

bin="${1:-${FRAISEQL_BIN:-}}"
if [[ -z "$bin" ]]; then
  for candidate in "$repo/target/release/fraiseql" "$repo/target/debug/fraiseql"; do
    if [[ -x "$candidate" ]]; then bin="$candidate"; break; fi
  done
fi
[[ -n "$bin" && -x "$bin" ]] ||
  die "no fraiseql binary: build one (cargo build --release -p fraiseql) or pass its path"
[[ -f "$shared/tools/audit.mjs" && -f "$shared/tools/introspect.mjs" ]] ||
  die "shared tools not found in $shared/tools (set FRAISEQL_SHARED)"
command -v node >/dev/null || die "node is not installed (Node >= 18 is needed)"
command -v npm >/dev/null || die "npm is not installed"

# --- npm packages, cached -----------------------------------------------------------
installed_version() {
  node -e 'try { console.log(require(process.argv[1]).version) } catch { console.log("") }' \
    "$tools_dir/node_modules/$1/package.json"
}
mkdir -p "$tools_dir"
if [[ "$(installed_version graphql-http)" != "1.23.1" || "$(installed_version graphql)" != 16.* ]]; then
  say "installing graphql-http@1.23.1 graphql@16 into $tools_dir"
  [[ -f "$tools_dir/package.json" ]] || echo '{ "private": true }' >"$tools_dir/package.json"
  (cd "$tools_dir" && npm install --no-audit --no-fund --loglevel=error graphql-http@1.23.1 graphql@16 >&2)
fi
# Node resolves imports from the script's folder: run copies placed beside node_modules.
cp "$shared/tools/audit.mjs" "$shared/tools/introspect.mjs" "$tools_dir/"

# --- the demo server --------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/fraiseql-audit.XXXXXX")"
server_log="$work/server.log"
server_pid=""

stop_server() {
  [[ -n "$server_pid" ]] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    # SIGTERM: graceful; the demo then stops its private PostgreSQL itself.
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      say "the server did not stop within 10 s: killing it"
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(node -e '
  const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
base="http://127.0.0.1:$port"
say "starting $bin demo --listen 127.0.0.1:$port"
"$bin" demo --listen "127.0.0.1:$port" >"$server_log" 2>&1 &
server_pid=$!

http_ok() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
      .then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1));' "$1"
}
deadline=$((SECONDS + startup_timeout))
until http_ok "$base/healthz"; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$server_log" >&2
    server_pid=""
    die "the server exited before answering /healthz"
  fi
  if ((SECONDS >= deadline)); then
    cat "$server_log" >&2
    die "no answer from $base/healthz within ${startup_timeout} s"
  fi
  sleep 0.25
done
say "server is up at $base/graphql"

# --- the audit --------------------------------------------------------------------
status=0
say "graphql-http audit"
audit_rc=0
audit_out="$(cd "$tools_dir" && timeout 300 node audit.mjs "$base/graphql")" || audit_rc=$?
printf '%s\n' "$audit_out"
tally="$(printf '%s\n' "$audit_out" | grep -E '^\{.*\}$' | tail -n 1 || true)"
count() { # count LEVEL:RESULT from the tally line, 0 when absent
  node -e 'const t = JSON.parse(process.argv[1] || "{}"); console.log(t[process.argv[2]] ?? 0)' \
    "$tally" "$1"
}
must_fail="$(count MUST:fail)"
should_fail="$(count SHOULD:fail)"
if [[ -z "$tally" ]]; then
  say "FAIL: the audit printed no tally (exit $audit_rc)"
  status=1
elif ((audit_rc != 0 || must_fail > 0 || should_fail > 0)); then
  say "FAIL: $must_fail MUST and $should_fail SHOULD failures (exit $audit_rc)"
  status=1
else
  say "audit: 0 MUST and 0 SHOULD failures"
fi

# --- introspection round trip -----------------------------------------------------
say "introspection round trip (graphql-js)"
introspect_rc=0
(cd "$tools_dir" && timeout 120 node introspect.mjs "$base/graphql") >"$work/schema.graphql" ||
  introspect_rc=$?
if ((introspect_rc != 0)); then
  say "FAIL: introspection reported errors or differences (exit $introspect_rc)"
  status=1
else
  cp "$work/schema.graphql" "$tools_dir/schema.graphql"
  say "introspection: no difference ($(grep -c '^type ' "$tools_dir/schema.graphql") object types; schema in $tools_dir/schema.graphql)"
fi

stop_server
if ((status != 0)); then
  say "server log:"
  tail -n 50 "$server_log" >&2 || true
  say "FAILED"
else
  say "OK"
fi
exit "$status"
