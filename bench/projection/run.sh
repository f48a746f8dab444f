#!/usr/bin/env bash
# Projection in SQL vs in Rust, for Q1 Q2 Q3 (bench/projection/README.md).
# usage: bench/projection/run.sh [all|fetch|pgbench|explain|micro|callgrind|e2e]...   (default: all)
# env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/fraiseql_bench, used
#      read-only), FRAISEQL_BIN (default target/release/fraiseql, else the bench cache's),
#      ROUNDS (3), PGB_SECS (10), E2E_SECS (8), CONNS (8), THREADS (2)
# Output: bench/projection/.work/{sql,texts,logs}/ and .work/*.tsv (git-ignored).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
url="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fraiseql_bench}"
rounds="${ROUNDS:-3}"; pgb_secs="${PGB_SECS:-10}"; e2e_secs="${E2E_SECS:-8}"
conns="${CONNS:-8}"; threads="${THREADS:-2}"
work="$here/.work"; mkdir -p "$work/sql" "$work/texts" "$work/logs"
steps=("$@"); [ ${#steps[@]} -eq 0 ] && steps=(all)
want() { for s in "${steps[@]}"; do [ "$s" = all ] || [ "$s" = "$1" ] && return 0; done; return 1; }

shapes=(Q1 Q2 Q3)
declare -A query=(
  [Q1]='{ users(limit: 20) { id username fullName } }'
  [Q2]='{ posts(limit: 20) { id title author { username } } }'
  [Q3]='{ comments(limit: 20) { id body author { username } post { title } } }')
declare -A view=([Q1]=v_user [Q2]=v_post [Q3]=v_comment)
variants=(sql rows agg)

bin_rs="$here/target/release/projection-bench"
build_rs() {
  [ -x "$bin_rs" ] || (cd "$here" && CARGO_TARGET_DIR="$here/target" timeout 1800 cargo build --release -q)
}

# 1. The SQL: FraiseQL's (fraiseql explain --json), and the two "whole data" variants.
if want fetch; then
  fq="${FRAISEQL_BIN:-}"
  if [ -z "$fq" ]; then
    if [ -x "$repo/target/release/fraiseql" ]; then fq="$repo/target/release/fraiseql"
    elif [ -x "${BENCH_CACHE:-$HOME/.cache/fraiseql-bench}/target/release/fraiseql" ]; then
      fq="${BENCH_CACHE:-$HOME/.cache/fraiseql-bench}/target/release/fraiseql"
    else (cd "$repo" && timeout 1800 cargo build --release -q -p fraiseql); fq="$repo/target/release/fraiseql"; fi
  fi
  echo "fraiseql: $fq"
  for q in "${shapes[@]}"; do
    timeout 60 "$fq" explain --json --schema "$repo/bench/schema.graphql" --database-url "$url" "${query[$q]}" \
      | python3 -c 'import json,sys; s=json.load(sys.stdin); assert len(s)==1 and s[0]["params"]==[20], s; print(s[0]["sql"])' \
      >"$work/sql/$q-sql.sql"
    echo "SELECT data::text FROM ${view[$q]} LIMIT \$1::int8" >"$work/sql/$q-rows.sql"
    echo "SELECT coalesce(json_agg(data), '[]')::text FROM (SELECT data FROM ${view[$q]} LIMIT \$1::int8) AS t" >"$work/sql/$q-agg.sql"
    for v in "${variants[@]}"; do
      # pgbench: $1 becomes the variable :lim (-D lim=20), still a bound parameter with -M prepared
      sed 's/\$1/:lim/g' "$work/sql/$q-$v.sql" >"$work/sql/$q-$v.pgbench"
      sed 's/\$1/20/g' "$work/sql/$q-$v.sql" | timeout 60 psql "$url" -X -At -v ON_ERROR_STOP=1 >"$work/texts/$q-$v.txt"
    done
  done
  # bytes of the text values (rows: the sum over the 20 rows) and rows per statement
  { printf 'shape\tvariant\trows\ttext_bytes\n'
    for q in "${shapes[@]}"; do for v in "${variants[@]}"; do
      f="$work/texts/$q-$v.txt"
      printf '%s\t%s\t%s\t%s\n' "$q" "$v" "$(wc -l <"$f")" "$(( $(wc -c <"$f") - $(wc -l <"$f") ))"
    done; done; } | tee "$work/bytes.tsv"
fi

# 2. PostgreSQL side: pgbench -M prepared, variants alternated (order rotated each round).
if want pgbench; then
  printf 'shape\tvariant\tround\ttps\tlat_ms\n' >"$work/pgbench.tsv"
  for r in $(seq 1 "$rounds"); do
    for q in "${shapes[@]}"; do
      for k in 0 1 2; do
        v="${variants[$(( (k + r) % 3 ))]}"
        log="$work/logs/pgbench-$q-$v-$r.log"
        timeout $((pgb_secs + 30)) pgbench -n -M prepared -c "$conns" -j "$threads" -T "$pgb_secs" \
          -D lim=20 -f "$work/sql/$q-$v.pgbench" "$url" >"$log" 2>&1
        tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log" | tail -1)
        lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$log")
        printf '%s\t%s\t%s\t%s\t%s\n' "$q" "$v" "$r" "$tps" "$lat" | tee -a "$work/pgbench.tsv"
      done
    done
  done
  python3 - "$work/pgbench.tsv" <<'PY' | tee "$work/pgbench-medians.tsv"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("shape\tvariant\tmedian_tps\tmin\tmax\tratio_to_sql\tmedian_ratio_per_round")
for q in ("Q1", "Q2", "Q3"):
    sql = statistics.median(float(r["tps"]) for r in rows if r["shape"] == q and r["variant"] == "sql")
    for v in ("sql", "rows", "agg"):
        t = [float(r["tps"]) for r in rows if r["shape"] == q and r["variant"] == v]
        per = [float(a["tps"]) / float(b["tps"]) for a in rows for b in rows
               if a["shape"] == b["shape"] == q and a["round"] == b["round"] and a["variant"] == v and b["variant"] == "sql"]
        print(f"{q}\t{v}\t{statistics.median(t):.0f}\t{min(t):.0f}\t{max(t):.0f}\t{statistics.median(t)/sql:.3f}\t{statistics.median(per):.3f}")
PY
fi

# 2b. PostgreSQL side, one connection: executor time (EXPLAIN ANALYZE, TIMING OFF), 50
#     rounds, variants alternated in one session; medians in µs. Includes the ::text output
#     (it is computed in the plan) but not the protocol.
if want explain; then
  sqlf="$work/explain.sql"; : >"$sqlf"
  for i in $(seq 1 50); do for q in "${shapes[@]}"; do for v in "${variants[@]}"; do
    printf '\\echo %s %s\n' "$q" "$v" >>"$sqlf"
    printf 'EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) %s;\n' "$(sed 's/\$1/20/g' "$work/sql/$q-$v.sql")" >>"$sqlf"
  done; done; done
  timeout 300 psql "$url" -X -At -f "$sqlf" >"$work/logs/explain.log"
  python3 - "$work/logs/explain.log" <<'PY' | tee "$work/explain.tsv"
import re, statistics, sys
cur, t = None, {}
for line in open(sys.argv[1]):
    m = re.match(r"^(Q\d) (\w+)$", line.strip())
    if m: cur = m.groups(); continue
    m = re.match(r"^Execution Time: ([0-9.]+) ms", line.strip())
    if m: t.setdefault(cur, []).append(float(m.group(1)) * 1000)
print("shape\tvariant\tmedian_exec_us\tratio_to_sql")
for q in ("Q1", "Q2", "Q3"):
    s = statistics.median(t[(q, "sql")])
    for v in ("sql", "rows", "agg"):
        m = statistics.median(t[(q, v)])
        print(f"{q}\t{v}\t{m:.0f}\t{m/s:.3f}")
PY
fi

# 3. Rust side, wall time: building the response body from the fetched texts.
if want micro; then
  build_rs
  timeout 600 "$bin_rs" micro "$work/texts" "${MICRO_ROUNDS:-7}" "${MICRO_MS:-300}" | tee "$work/micro.tsv"
fi

# 3b. Rust side, instructions (callgrind, deterministic): (Ir at 1100 requests - Ir at 100) / 1000.
if want callgrind; then
  build_rs
  printf 'shape\tmethod\tinstructions_per_request\n' >"$work/callgrind.tsv"
  for q in "${shapes[@]}"; do
    for m in splice rows-raw rows-value agg-raw agg-value; do
      ir=()
      for n in 100 1100; do
        out="$work/logs/callgrind-$q-$m-$n.out"
        timeout 300 valgrind --tool=callgrind --callgrind-out-file="$out" "$bin_rs" count "$work/texts" "$q" "$m" "$n" \
          >"$work/logs/callgrind-$q-$m-$n.log" 2>&1
        ir+=("$(sed -n 's/^summary: //p' "$out")")
      done
      printf '%s\t%s\t%s\n' "$q" "$m" "$(( (ir[1] - ir[0]) / 1000 ))" | tee -a "$work/callgrind.tsv"
    done
  done
fi

# 4. End to end with tokio-postgres (the engine's client): fetch + build the body, req/s.
if want e2e; then
  build_rs
  timeout $(( rounds * 9 * (e2e_secs + 5) + 60 )) "$bin_rs" e2e "$url" "$work/sql" "$e2e_secs" "$conns" "$rounds" | tee "$work/e2e.tsv"
fi
