"""Load the contest's participant flow with N simulated participants, against gunicorn and PostgreSQL.

Each participant has its own cookie jar and walks the student contest (/contests/students-2026/)
as a browser with JavaScript does (bench/contest_flow.py): the landing page, identify/, start/ and
the sheet, one JSON autosave per question, then the submit. Every participant is new (the contest
allows one attempt a day).

In the default ``phased`` mode all N participants identify, then all start, then all save their
answers (closed loop, no think time), then all submit, so every step is measured on its own
window at N concurrent clients; ``--mode mixed`` lets each participant run its whole flow freely.
Right before and right after the answer saves, at the same concurrency and through the same
gunicorn, the harness posts N x questions requests to ``/bench/insert/`` (bench/urls.py), a bare
Django view that inserts one row in a transaction: the write ceiling of this stack. The CPU of
every phase is metered from /proc (bench/cpu.py).

After each round the database is checked against what the server acknowledged
(bench/contest_checks.py).

    make bench-contest BENCH_ARGS="--participants 200 --rounds 3"
    .venv/bin/python -m bench.contest_load [--participants 200] [--rounds 3] [--workers 2] [--threads 1]

With ``--kill-worker`` a gunicorn worker is killed with SIGKILL halfway through the answer saves
and again halfway through the submits of every round (the master starts a new one): requests
broken by it are sent again, every tenth participant sends each save and its submit twice, and
the checks hold that nothing acknowledged was lost and every retry was answered as the first.

Only 127.0.0.1 is loaded; each round is aborted after ``--max-seconds``. The per-IP rate limits
(settings.QUIZ_RATE_LIMITS, read through bench.settings) stay on: the harness paces its rounds to
stay inside them and refuses a round that alone would not fit. Markdown tables go to stdout,
numbers to bench/out/contest_load.json.
"""

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file (python bench/contest_load.py): import bench from the root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import OUT  # noqa: E402
from bench.contest_checks import integrity  # noqa: E402
from bench.contest_flow import RateBudget, per_ip_per_minute, run_round  # noqa: E402
from bench.cpu import CpuMeter  # noqa: E402
from bench.harness import (  # noqa: E402
    Gunicorn,
    active_school_ids,
    bench_env,
    code_state,
    ensure_ceiling_table,
    ensure_database,
    free_port,
    manage,
    reset_rate_counters,
    setting,
)
from bench.report import combine, contest_markdown, median  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/outreach_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200, help="simulated participants, all at once")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each with new participants; medians reported")
    parser.add_argument("--mode", choices=("phased", "mixed"), default="phased")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: the gthread worker)")
    parser.add_argument("--questions", type=int, default=10, help="questions per sheet (the demo contest has 10)")
    parser.add_argument("--max-seconds", type=float, default=300, help="each round is aborted after this long")
    parser.add_argument("--request-timeout", type=float, default=60)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--skip-setup", action="store_true", help="skip migrate / load_demo_content / collectstatic")
    parser.add_argument("--profile", action="store_true", help="also profile one answer save in this process")
    parser.add_argument(
        "--kill-worker",
        action="store_true",
        help="kill -9 a gunicorn worker halfway through the saves and the submits of every round; broken "
        "requests are retried and every tenth participant sends its saves and submit twice (checked)",
    )
    parser.add_argument("--out", type=Path, default=OUT / "contest_load.json")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not 1 <= args.participants <= 2000:
        parser.error("--participants must be between 1 and 2000")
    return args


def main():
    args = _arguments()
    env = bench_env(DATABASE_URL=args.database_url, REDIS_URL=args.redis_url)

    limits = per_ip_per_minute(setting(env, "QUIZ_RATE_LIMITS"))
    budget = RateBudget(limits)
    per_round = {"start": args.participants, "save": args.participants * args.questions, "submit": args.participants}
    if not budget.fits(per_round):
        sys.exit(
            f"one round needs {per_round} requests but the per-IP limits per minute are {limits}: "
            "lower --participants (settings.QUIZ_RATE_LIMITS stay as they are)"
        )

    OUT.mkdir(exist_ok=True)
    ensure_database(args.database_url)
    if not args.skip_setup:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo_content", "--sheets", "0")
        manage(env, "collectstatic", "--noinput", "-v0")
    ensure_ceiling_table(args.database_url)
    schools = active_school_ids(args.database_url)
    dropped = reset_rate_counters(args.redis_url)

    code = code_state()
    run_id = time.strftime("%m%d%H%M%S")
    rounds = []
    integrity_reports = {}
    warmup = {}
    server = Gunicorn(
        env,
        port=free_port(),
        workers=args.workers,
        threads=args.threads,
        extra=["--timeout", "60", "--backlog", "2048"],
        log=OUT / "contest_gunicorn.log",
    )
    with server:
        meter = CpuMeter(server.pid, args.database_url)

        async def load():
            # Warm-up: every worker imports, connects and fills its caches before anything counts.
            warm = argparse.Namespace(**{**vars(args), "participants": min(8, args.participants)})
            tag = f"lb{run_id}-warm"
            result = await run_round(
                base_url=server.base_url, args=warm, tag=tag, schools=schools, budget=budget, meter=meter,
                seed=args.seed,
            )  # fmt: skip
            integrity_reports[tag] = integrity(args.database_url, tag, result["acknowledged"])
            warmup.update({name: step for name, step in result["steps"].items() if step["requests"]})
            for number in range(1, args.rounds + 1):
                tag = f"lb{run_id}-r{number}"
                print(f"round {number}: {args.participants} participants ({tag})", file=sys.stderr)
                result = await run_round(
                    base_url=server.base_url, args=args, tag=tag, schools=schools, budget=budget, meter=meter,
                    seed=args.seed + number, master_pid=server.pid,
                )  # fmt: skip
                integrity_reports[tag] = integrity(args.database_url, tag, result["acknowledged"])
                rounds.append(result)

        asyncio.run(load())
    profile = None
    if args.profile:
        from bench.contest_profile import profile_saves

        profile = profile_saves(args, env=env, tag=f"lb{run_id}-profile", budget=budget)

    complete = [r for r in rounds if not r["aborted"]] or rounds  # an aborted round counts only if all are
    if not complete:
        print(json.dumps(profile, ensure_ascii=False, indent=2) if profile else "no round was run")
        return
    combined = combine(complete)
    ratios = [r["answer_to_ceiling"] for r in complete]
    worker = f"{args.workers} × gthread ({args.threads} threads)" if args.threads > 1 else f"{args.workers} × sync"
    print(
        contest_markdown(
            args=args, worker=worker, code=code, combined=combined, complete=complete, rounds=rounds,
            warmup=warmup, integrity_reports=integrity_reports,
        )
    )  # fmt: skip
    if profile:
        print("\n" + json.dumps(profile, ensure_ascii=False, indent=2))

    for result in rounds:
        result.pop("acknowledged")
    args.out.write_text(
        json.dumps(
            {
                "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                "worker": worker,
                "code": code,
                "rate_limits_per_ip_per_minute": limits,
                "rate_counters_reset": dropped,
                "combined": combined,
                "answer_to_ceiling": median(ratios),
                "answer_to_ceiling_per_round": ratios,
                "rounds": rounds,
                "integrity": integrity_reports,
                "warmup": warmup,
                "profile": profile,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    if not all(r["ok"] for r in integrity_reports.values()):
        sys.exit("integrity check FAILED")


if __name__ == "__main__":
    main()
