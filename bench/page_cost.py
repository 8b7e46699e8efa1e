"""Queries and CPU milliseconds of one uncached page request, in this process: Django's test client on
``bench.settings`` (production settings, DEBUG off) with the page cache off, against a database that
holds the demo content (``DATABASE_URL``, or the SQLite file in ``SQLITE_PATH``).

    DJANGO_SETTINGS_MODULE=bench.settings PAGE_CACHE_SECONDS=0 SQLITE_PATH=/tmp/demo.sqlite3 \\
        STATIC_ROOT=bench/out/static SECRET_KEY=… PERSON_KEY_SECRET=… \\
        .venv/bin/python -m bench.page_cost [--requests 30] [/path/ …]

(``STATIC_ROOT`` must hold a ``collectstatic`` of the tree: production settings use the manifest.)

Run it from each tree being compared (a baseline worktree and this one), alternating, and compare
the medians of the rounds: CPU time (``time.process_time``) does not count waiting for another
process, so it compares better than wall time on a busy machine.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

DEFAULT_PATHS = {
    "home": "/",
    "listing": "/safety-month-2026/",
    "article": "/safety-month-2026/household-gas-leak-response/",
    "event": "/events/2026-consultation-day/",
    "contest": "/contests/students-2026/",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="paths to measure (default: the demo's five page types)")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    paths = {path: path for path in args.paths} or DEFAULT_PATHS
    sys.path.insert(0, str(Path.cwd()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for name, path in paths.items():
        for _warm_up in range(3):  # imports, connections, the shared caches
            assert client.get(path).status_code == 200, path
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(path)
        started = time.process_time()
        for _request in range(args.requests):
            client.get(path)
        cpu_ms = 1000 * (time.process_time() - started) / args.requests
        results[name] = {"queries": len(queries), "cpu_ms": round(cpu_ms, 1)}
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
