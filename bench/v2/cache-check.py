#!/usr/bin/env python3
"""Shows whether FraiseQL v2 answers repeated identical requests from its result cache.

For v2 (cache off) and v2-cache (cache on), configured exactly as bench/lib/bench.py runs
them, this sends each workload's check request (fixed ids, so every request is the same)
once, then N more times one after another, and prints what PostgreSQL counted
for the database meanwhile (pg_stat_database: transactions committed, tuples returned),
per request. A request that reaches PostgreSQL costs at least one transaction; one answered
from v2's cache costs none. v2-cache's last answer is also compared with v2's (same JSON).
Only the database of BENCH_DATABASE_URL is read, and it must
already hold the data set and bench/functions.sql (bench/run.sh loads them).

usage: bench/v2/cache-check.py [--requests N] [--workloads Q1,Q2,...] [--engines v2,v2-cache]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import bench as B  # noqa: E402
import workloads as W  # noqa: E402

# A backend publishes its counters when it goes idle, but at most once a second; counters
# it could not publish then wait for its idle timeout, 10 s (PostgreSQL 15's
# pgstat_report_stat, PGSTAT_MIN_INTERVAL / PGSTAT_IDLE_INTERVAL). Wait longer than that
# before each reading, or a burst's counters land in the next one's.
STATS_DELAY = 11.0


def counters(db_url):
    out = B.sh(["psql", "-At", "-F", " ", db_url, "-c",
                "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched "
                "FROM pg_stat_database WHERE datname = current_database()"]).split()
    return [int(x) for x in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--workloads", default="Q1,Q2,Q3,F1,C1,T1,M1")
    ap.add_argument("--engines", default="v2,v2-cache")
    ap.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                       "postgres://postgres@127.0.0.1:5432/fraiseql_bench"))
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE",
                                                      os.path.expanduser("~/.cache/fraiseql-bench")))
    args = ap.parse_args()
    args.conns = 8
    args.work = tempfile.mkdtemp(prefix="v2-cache-check-")
    workloads = [w for w in args.workloads.split(",") if w]
    try:
        # The counters move by themselves only with our own psql readings: measured here.
        a = counters(args.db_url)
        time.sleep(STATS_DELAY)
        b = counters(args.db_url)
        base = [y - x for x, y in zip(a, b)]
        print(f"idle: {base[0]} transactions, {base[1]} tuples returned between two readings")
        print(f"{'engine':9} {'workload':11} {'requests':>8} {'pg xacts':>9} {'per req':>8} "
              f"{'tup_returned':>12} {'per req':>9}  check")
        answers = {}
        # Each workload: one request first (it fills the cache), then the counted ones.
        # "Q1 after M1": Q1 again right after M1, without that first request: M1's
        # mutations evicted v_user's entries, so v2-cache reads PostgreSQL once, then
        # answers from the cache again.
        steps = [(w, w, True) for w in workloads]
        if "M1" in workloads and "Q1" in workloads and workloads.index("M1") > workloads.index("Q1"):
            steps.append(("Q1 after M1", "Q1", False))
        for engine in [e for e in args.engines.split(",") if e]:
            cache_on = engine == "v2-cache"
            eng = B.start_v2(args, cache_on, B.v2_compile(args, cache_on))
            try:
                for label, w, warm in steps:
                    body = W.concrete(W.template(W.V2, w))
                    problem = None
                    if warm:
                        status, text = B.post(eng.url, body)
                        problem = B.check_response(status, text)
                    time.sleep(STATS_DELAY)
                    before = counters(args.db_url)
                    for _ in range(args.requests):
                        status, text = B.post(eng.url, body)
                        problem = problem or B.check_response(status, text)
                    time.sleep(STATS_DELAY)
                    after = counters(args.db_url)
                    if not cache_on:
                        answers[label] = B._loads(text)
                    elif label in answers and not problem:
                        problem = "same JSON as v2's" if answers[label] == B._loads(text) else \
                            f"DIFFERS from v2's: {text[:200]}"
                    d = [y - x - z for x, y, z in zip(before, after, base)]
                    print(f"{engine:9} {label:11} {args.requests:8d} {d[0]:9d} {d[0] / args.requests:8.2f} "
                          f"{d[1]:12d} {d[1] / args.requests:9.1f}  {problem or 'ok'}", flush=True)
            finally:
                B.stop(eng.proc)
    finally:
        B.stop_all()
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
