"""The full export of the participation ledger as a background task on PostgreSQL: wall time, peak
memory of the worker and rows per second, at two ledger sizes side by side (bounded memory means the
peak does not grow with the rows).

For each size the ledger is generated with ``bench.participation_bench.generate`` (a city, 12 towns,
1,000 member units, one June campaign; answer sheets plus a tenth as many event entries) and
``VACUUM ANALYZE``d. Then, for each format, the export is started as an admin would start it:
Django's test Client, logged in as a superuser, POSTs 参与记录明细 (``table=ledger``) for the city to
``/admin/participation/exports/new/``, which creates the job and enqueues the task on the database
backend. The worker then runs in its own process, as in production:
``manage.py db_worker --batch --backend exports --queue-name exports`` (it exits when the queue is
empty); its wall time is measured here and its peak RSS read from /proc (VmHWM, every 0.1 s),
while this process samples the job's progress every 0.5 s. The worker's start-up (Django, no task) is
measured the same way as a baseline. The database backend is used even when REDIS_URL is set.

    make bench-participation-export
    .venv/bin/python -m bench.participation_export_bench [--rows 20000,200000] [--keep]

The benchmark database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/outreach_bench_participation_export) is created and migrated here
and dropped at the end unless ``--keep``. Markdown on stdout, numbers in
bench/out/participation_export_bench.json.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: import bench from the root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import OUT, ROOT  # noqa: E402
from bench.harness import bench_env, code_state, database_name  # noqa: E402
from bench.participation_bench import (  # noqa: E402
    _setup_django,
    _superuser_client,
    _vacuum_analyze,
    drop_database,
    generate,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/outreach_bench_participation_export"
UNITS = 1000
FORMATS = ("xlsx", "csv")
WORKER = ["manage.py", "db_worker", "--batch", "--backend=exports", "--queue-name=exports"]
WORKER += ["--no-startup-delay", "--no-reload", "--verbosity=0"]
GOAL_SECONDS = 60


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="20000,200000", help="ledger rows per size, comma separated")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_PARTICIPATION_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--out", type=Path, default=OUT / "participation_export_bench.json")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.sizes = [int(part) for part in args.rows.split(",") if part.strip()]
    if not args.sizes or min(args.sizes) < 1000:
        parser.error("--rows: each size must be at least 1,000")
    if "outreach_bench_participation" not in database_name(args.database_url) and not args.keep:
        parser.error("refusing to drop a database not named outreach_bench_participation*: pass --keep")
    return args


def _peak_rss_mib(pid):
    """The process's resident high-water mark (VmHWM) so far, in MiB; None once it has gone. Read
    from /proc while it runs: ``wait4``'s ru_maxrss would also count the memory this (large,
    data-generating) process had when it forked the worker."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def _run_worker(env, job=None):
    """(wall seconds, peak RSS in MiB, progress samples) of one db_worker --batch process."""
    samples = []
    peak = [0.0]
    done = threading.Event()
    t0 = time.perf_counter()
    process = subprocess.Popen([sys.executable, *WORKER], cwd=ROOT, env=env)

    def sample():
        from django.db import connection

        ticks = 0
        while not done.wait(0.1):
            peak[0] = max(peak[0], _peak_rss_mib(process.pid) or 0.0)
            ticks += 1
            if job is not None and ticks % 5 == 0:
                job.refresh_from_db(fields=["status", "rows_done", "rows_total"])
                samples.append((round(time.perf_counter() - t0, 1), job.status, job.rows_done, job.rows_total))
        connection.close()

    sampler = threading.Thread(target=sample)
    sampler.start()
    status = process.wait()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    if status != 0:
        raise RuntimeError(f"db_worker exited with status {status}")
    return wall, peak[0], samples


def _export(client, env, campaign, fmt):
    from core.models import ExportJob

    response = client.post(
        "/admin/participation/exports/new/", {"campaign": campaign.pk, "table": "ledger", "format": fmt}
    )
    if response.status_code != 302:
        raise RuntimeError(f"starting the export: HTTP {response.status_code}")
    job = ExportJob.objects.order_by("-pk").first()
    wall, rss, samples = _run_worker(env, job)
    job.refresh_from_db()
    if job.status != "done":
        raise RuntimeError(f"export failed: {job.error}")
    task_s = (job.finished_at - job.started_at).total_seconds()
    return {
        "rows": job.rows_done,
        "worker_s": wall,
        "task_s": task_s,
        "rows_per_s": job.rows_done / task_s,
        "peak_rss_mib": rss,
        "file_mib": job.file.size / 2**20,
        "progress_updates_seen": len({s[2] for s in samples if s[1] == "running"}),
        "samples": samples,
    }


def markdown(runs, baseline):
    lines = [
        "| ledger rows | format | worker wall s | task s (running → done) | rows/s | worker peak RSS MiB | file MiB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in runs:
        for fmt, row in runs[size]["exports"].items():
            lines.append(
                f"| {row['rows']:,} | {fmt} | {row['worker_s']:.1f} | {row['task_s']:.1f} | {row['rows_per_s']:,.0f} "
                f"| {row['peak_rss_mib']:.0f} | {row['file_mib']:.1f} |"
            )
    lines.append(
        f"| 0 (no task: start-up only) | — | {baseline['worker_s']:.1f} | — | — | {baseline['peak_rss_mib']:.0f} | — |"
    )
    return "\n".join(lines) + "\n"


def main():
    args = _arguments()
    os.environ.pop("REDIS_URL", None)  # the database backend, whatever this shell has
    rng = random.Random(args.seed)
    started = time.perf_counter()
    migrate_s = _setup_django(args.database_url)
    env = bench_env(DATABASE_URL=args.database_url, CONN_MAX_AGE=0, PAGE_CACHE_SECONDS=0)
    print(f"migrated in {migrate_s:.1f} s", file=sys.stderr)
    runs = {}
    try:
        client = _superuser_client()
        wall, rss, _samples = _run_worker(env)
        baseline = {"worker_s": wall, "peak_rss_mib": rss}
        for size in args.sizes:
            sheets = round(size / 1.1)  # generate adds a tenth as many event entries
            t0 = time.perf_counter()
            campaign, _town, _school, counts = generate(UNITS, sheets, round(sheets / 10), rng)
            generate_s = time.perf_counter() - t0
            _vacuum_analyze(args.database_url)
            print(f"{counts['entries']:,} entries in {generate_s:.1f} s", file=sys.stderr)
            runs[size] = {"counts": counts, "generate_s": generate_s, "exports": {}}
            for fmt in FORMATS:
                result = _export(client, env, campaign, fmt)
                runs[size]["exports"][fmt] = result
                print(
                    f"  {fmt}: {result['rows']:,} rows, task {result['task_s']:.1f} s, "
                    f"peak RSS {result['peak_rss_mib']:.0f} MiB",
                    file=sys.stderr,
                )
        table = markdown(runs, baseline)
        print(table)
        largest = runs[args.sizes[-1]]["exports"]
        slowest = max(row["task_s"] for row in largest.values())
        print(
            f"goal: the full export under {GOAL_SECONDS} s as a task: {'met' if slowest < GOAL_SECONDS else 'NOT met'}"
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "sizes": args.sizes,
                    "baseline": baseline,
                    "runs": {str(size): run for size, run in runs.items()},
                    "code": code_state(("participation", "core", "bench")),
                    "total_s": time.perf_counter() - started,
                    "migrate_s": migrate_s,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        print(f"total {time.perf_counter() - started:.0f} s; numbers in {args.out}", file=sys.stderr)
    finally:
        if not args.keep:
            drop_database(args.database_url)


if __name__ == "__main__":
    main()
