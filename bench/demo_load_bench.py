"""``manage.py load_demo_content --sheets N`` on a fresh database: wall time, peak RSS and CPU of
the loader's process, for one or more code trees side by side (say a baseline worktree and this
checkout), in interleaved rounds.

Each tree is migrated once into a template (PostgreSQL: a database ``demoload_tpl_<i>``; SQLite: a
file), and every run starts from a copy of it (``CREATE DATABASE … TEMPLATE``, or a file copy), so
a run measures the loader alone. The loader runs as ``manage.py`` does in ``make run`` (the dev
settings, DEBUG on, the local-memory cache); its resource use is read with ``os.wait4`` for that
one child (ru_maxrss is the peak resident set, user and system CPU seconds). After each run the
script checks that every finished sheet has its ledger entry; ``--twice`` runs the loader a second
time on the same database and checks that it created nothing.

    .venv/bin/python bench/demo_load_bench.py --db postgres --sheets 200000 --rounds 3 \\
        --tree baseline=/tmp/baseline_demoload --tree new=.

Markdown on stdout (medians, ratios to the first tree), every run in bench/out/demo_load_bench.json.
"""

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
SECRET_KEY = "demo-load-bench-secret-key-not-for-production-0123456789"

COUNTS = {
    "sheets": "SELECT count(*) FROM quizzes_answersheet WHERE status <> 'in_progress'",
    "sheet_entries": "SELECT count(*) FROM participation_participationentry WHERE source LIKE 'quizzes.sheet:%'",
    "entries": "SELECT count(*) FROM participation_participationentry",
    "answers": "SELECT count(*) FROM quizzes_sheetquestion",
}


def _env(db, target):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH"}}
    env.update(DJANGO_SETTINGS_MODULE="outreach.settings.dev", SECRET_KEY=SECRET_KEY, PYTHONHASHSEED="0")
    if db == "postgres":
        env["DATABASE_URL"] = f"{PG_SERVER}/{target}"
    else:
        env["SQLITE_PATH"] = str(target)
    return env


def _admin(sql):
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _counts(db, target):
    if db == "postgres":
        with psycopg.connect(f"{PG_SERVER}/{target}") as conn:
            return {name: conn.execute(sql).fetchone()[0] for name, sql in COUNTS.items()}
    with sqlite3.connect(target) as conn:
        return {name: conn.execute(sql).fetchone()[0] for name, sql in COUNTS.items()}


def _run(tree, env, *command):
    """(wall seconds, peak RSS MiB, user + system CPU seconds) of one manage.py process."""
    python = Path(tree) / ".venv" / "bin" / "python"
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(python), "manage.py", *command], cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed in {tree}:\n{process.stderr.read().decode()[-4000:]}")
    process.stderr.close()
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


class Tree:
    def __init__(self, label, path, index, db, workdir, prefix):
        self.label, self.path, self.db = label, str(Path(path).resolve()), db
        self.run_db = f"{prefix}_run"
        self.template = f"{prefix}_tpl_{index}" if db == "postgres" else Path(workdir) / f"template_{index}.sqlite3"

    def prepare(self):
        if self.db == "postgres":
            _admin(f'DROP DATABASE IF EXISTS "{self.template}"')
            _admin(f'CREATE DATABASE "{self.template}"')
        _run(self.path, _env(self.db, self.template), "migrate", "--noinput")

    def fresh(self, workdir):
        if self.db == "postgres":
            _admin(f'DROP DATABASE IF EXISTS "{self.run_db}"')
            _admin(f'CREATE DATABASE "{self.run_db}" TEMPLATE "{self.template}"')
            return self.run_db
        target = Path(workdir) / "run.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, target)
        return target

    def cleanup(self):
        if self.db == "postgres":
            _admin(f'DROP DATABASE IF EXISTS "{self.template}"')
            _admin(f'DROP DATABASE IF EXISTS "{self.run_db}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--sheets", type=int, default=200000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", action="append", metavar="LABEL=PATH", help="a code tree (repeatable)")
    parser.add_argument("--prefix", default="demoload", help="PostgreSQL databases <prefix>_tpl_<i>, <prefix>_run")
    parser.add_argument("--twice", action="store_true", help="run the loader again and check it adds nothing")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="demoload_bench_")
    trees = [
        Tree(*spec.split("=", 1), index, args.db, workdir, args.prefix)
        for index, spec in enumerate(args.tree or [f"new={ROOT}"])
    ]
    runs = []
    try:
        for tree in trees:
            tree.prepare()
        for round_number in range(args.rounds):
            # Interleaved, the order alternating, so a slow spell on the shared machine hits both.
            order = trees if round_number % 2 == 0 else trees[::-1]
            for tree in order:
                target = tree.fresh(workdir)
                env = _env(args.db, target)
                wall, rss, cpu = _run(tree.path, env, "load_demo_content", "--sheets", str(args.sheets))
                run = {"tree": tree.label, "round": round_number, "wall_s": wall, "rss_mib": rss, "cpu_s": cpu}
                run["counts"] = _counts(args.db, target)
                if args.twice:
                    run["again_wall_s"], _rss, _cpu = _run(
                        tree.path, env, "load_demo_content", "--sheets", str(args.sheets)
                    )
                    run["again_counts"] = _counts(args.db, target)
                runs.append(run)
                print(json.dumps(run), file=sys.stderr, flush=True)
    finally:
        for tree in trees:
            tree.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "demo_load_bench.json").write_text(json.dumps({"args": vars(args), "runs": runs}, indent=1))
    _report(args, trees, runs)


def _report(args, trees, runs):
    def median(label, key):
        return statistics.median(run[key] for run in runs if run["tree"] == label)

    first = trees[0].label
    print(f"`load_demo_content --sheets {args.sheets}` on {args.db}, medians of {args.rounds} interleaved rounds\n")
    print("| code | wall | peak RSS | CPU (user+sys) | wall ÷ first | RSS ÷ first | ledger = finished sheets |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for tree in trees:
        mine = [run for run in runs if run["tree"] == tree.label]
        complete = all(run["counts"]["sheets"] == run["counts"]["sheet_entries"] for run in mine)
        if args.twice:
            complete = complete and all(run["again_counts"] == run["counts"] for run in mine)
        wall, rss, cpu = (median(tree.label, key) for key in ("wall_s", "rss_mib", "cpu_s"))
        print(
            f"| {tree.label} | {wall:.1f} s | {rss:.0f} MiB | {cpu:.1f} s | "
            f"{wall / median(first, 'wall_s'):.2f}× | {rss / median(first, 'rss_mib'):.2f}× | "
            f"{'yes' if complete else 'NO'} |"
        )
    print("\nRounds (wall s / peak RSS MiB):", end=" ")
    print("; ".join(f"{run['tree']} {run['wall_s']:.1f}/{run['rss_mib']:.0f}" for run in runs))


if __name__ == "__main__":
    main()
