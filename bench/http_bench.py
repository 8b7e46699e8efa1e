"""Serve the demo site with gunicorn (production settings, DEBUG off) and load it with wrk.

Measures requests/s and p50/p95/p99 latency for the home page, a listing and an article, side by
side in the same run with a bare Django view returning a fixed response (the ceiling for this
stack), once with the anonymous page cache off and once with it on. Only 127.0.0.1 is loaded,
each run is bounded in time. Needs `wrk` (`apt-get install -y wrk`).

    .venv/bin/python bench/http_bench.py [--duration 10] [--connections 16] [--workers 2]

Set DATABASE_URL to measure on PostgreSQL instead of the bundled SQLite file.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TARGETS = {
    "bare view (ceiling)": "/bench/bare/",
    "home page": "/",
    "listing": "/safety-month-2026/",
    "article": "/safety-month-2026/household-gas-leak-response/",
}


def _env(page_cache_seconds):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        SQLITE_PATH=str(OUT / "bench.sqlite3"),
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(OUT / "media"),
        PAGE_CACHE_SECONDS=str(page_cache_seconds),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(0), check=True, stdout=subprocess.DEVNULL)


def _wait_until_up(base_url, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base_url + "/bench/bare/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


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
    base_url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "outreach.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=_env(page_cache_seconds),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_up(base_url)
        results = {name: [] for name in TARGETS}
        for path in TARGETS.values():
            status = _check_status(base_url + path)
            assert status == 200, f"{path} answered {status}"
            _wrk(base_url + path, duration=2, connections=connections)  # warm-up (fills the page cache)
        # Interleave targets round by round so drift on the machine hits every target alike.
        for _ in range(rounds):
            for name, path in TARGETS.items():
                results[name].append(_wrk(base_url + path, duration=duration, connections=connections))
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
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def _table(title, results):
    ceiling = results["bare view (ceiling)"]["rps"]
    lines = [
        f"### {title}",
        "",
        "| target | req/s (median) | × bare | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['rps'] / ceiling:.2f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per target; the median is reported")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    OUT.mkdir(exist_ok=True)
    _manage("migrate", "--noinput", "-v0")
    _manage("load_demo_content")
    _manage("collectstatic", "--noinput", "-v0")

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
        print(_table(label, report[label]), end="\n\n", flush=True)
    (OUT / "http_bench.json").write_text(
        json.dumps({"args": vars(args), "results": report}, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
