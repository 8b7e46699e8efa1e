"""Serve the demo site with gunicorn (production settings, DEBUG off) and load it with wrk.

Measures requests/s and p50/p95/p99 latency for the home page, a listing and an article, side by
side in the same run with a bare Django view returning a fixed response (the ceiling for this
stack), once with the anonymous page cache off and once with it on. Only 127.0.0.1 is loaded,
each run is bounded in time. Needs `wrk` (`apt-get install -y wrk`).

    make bench BENCH_ARGS="--duration 10 --rounds 3"
    .venv/bin/python -m bench.http_bench [--duration 10] [--connections 16] [--workers 2]

Set DATABASE_URL to measure on PostgreSQL instead of the bundled SQLite file.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python bench/http_bench.py): import bench from the root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import OUT, ROOT  # noqa: E402
from bench.harness import Gunicorn, bench_env, free_port, manage  # noqa: E402
from bench.report import http_table  # noqa: E402

TARGETS = {
    "bare view (ceiling)": "/bench/bare/",
    "home page": "/",
    "listing": "/safety-month-2026/",
    "article": "/safety-month-2026/household-gas-leak-response/",
}


def _env(page_cache_seconds):
    return bench_env(SQLITE_PATH=OUT / "bench.sqlite3", PAGE_CACHE_SECONDS=page_cache_seconds)


def _wrk(url, *, duration, connections):
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "-s",
            str(ROOT / "bench" / "report.lua"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _check_status(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status


def run(*, page_cache_seconds, port, duration, connections, workers, rounds):
    # The access log goes to gunicorn's stdout, which is dropped: as in every run recorded so far.
    with Gunicorn(_env(page_cache_seconds), port=port, workers=workers, extra=["--access-logfile", "-"]) as server:
        results = {name: [] for name in TARGETS}
        for path in TARGETS.values():
            status = _check_status(server.base_url + path)
            assert status == 200, f"{path} answered {status}"
            _wrk(server.base_url + path, duration=2, connections=connections)  # warm-up (fills the page cache)
        # Interleave targets round by round so drift on the machine hits every target alike.
        for _ in range(rounds):
            for name, path in TARGETS.items():
                results[name].append(_wrk(server.base_url + path, duration=duration, connections=connections))
    return {
        name: {
            "rps": statistics.median(r["rps"] for r in runs),
            "p50": statistics.median(r["p50"] for r in runs),
            "p95": statistics.median(r["p95"] for r in runs),
            "p99": statistics.median(r["p99"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "requests": sum(r["requests"] for r in runs),
        }
        for name, runs in results.items()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per target; the median is reported")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765, help="0: any free port")
    args = parser.parse_args()
    args.port = args.port or free_port()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    OUT.mkdir(exist_ok=True)
    env = _env(0)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo_content")
    manage(env, "collectstatic", "--noinput", "-v0")

    report = {}
    for label, seconds in (("page cache off", 0), ("page cache on", 600)):
        report[label] = run(
            page_cache_seconds=seconds,
            port=args.port,
            duration=args.duration,
            connections=args.connections,
            workers=args.workers,
            rounds=args.rounds,
        )
        print(http_table(label, report[label]), end="\n\n", flush=True)
    (OUT / "http_bench.json").write_text(
        json.dumps({"args": vars(args), "results": report}, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
