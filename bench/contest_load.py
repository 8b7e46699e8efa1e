"""Load the contest's participant flow with N simulated participants, against gunicorn and PostgreSQL.

Each participant has its own cookie jar and walks the student contest (/contests/students-2026/)
as a browser with JavaScript does: GET the landing page (CSRF token), POST identify/ (a demo
school, a name, under 14 with the guardian's consent), POST start/ and GET the sheet it redirects
to, POST one JSON autosave per question to the form's data-answer-url, then POST the sheet form
with action=submit. Every participant is new (the contest allows one attempt a day).

In the default ``phased`` mode all N participants identify, then all start, then all save their
answers (closed loop, no think time), then all submit, so every step is measured on its own
window at N concurrent clients; ``--mode mixed`` lets each participant run its whole flow freely.
Right before and right after the answer saves, at the same concurrency and through the same
gunicorn, the harness posts N x questions requests to ``/bench/insert/`` (bench/urls.py), a bare
Django view that inserts one row in a transaction: the write ceiling of this stack.

After each round the database is checked: sheets acknowledged (a submit answered by a redirect to
the result page) = sheets stored as submitted, no participant has two sheets, and every
acknowledged autosave is what SheetQuestion.selected holds.

    .venv/bin/python bench/contest_load.py [--participants 200] [--rounds 3] [--workers 2] [--threads 1]

Only 127.0.0.1 is loaded; each round is aborted after ``--max-seconds``. The per-IP rate limits of
quizzes/views.py stay on: the harness paces its rounds to stay inside them and refuses a round
that alone would not fit. Markdown tables go to stdout, numbers to bench/out/contest_load.json.
"""

import argparse
import ast
import asyncio
import contextlib
import json
import math
import os
import random
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
CONTEST_PATH = "/contests/students-2026/"
CEILING_PATH = "/bench/insert/"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/outreach_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
STEPS = ("landing", "identify", "start", "sheet page", "answer", "submit")
CEILING = "insert (ceiling)"

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INPUT_RE = re.compile(r'<input type="(radio|checkbox)" name="q(\d+)" value="(\d+)"')
ANSWER_URL_RE = re.compile(r'data-answer-url="([^"]+)"')
SHEET_RE = re.compile(re.escape(CONTEST_PATH) + r"sheet/([0-9a-f-]{36})/$")
RESULT_RE = re.compile(re.escape(CONTEST_PATH) + r"sheet/([0-9a-f-]{36})/result/$")


# Setup: environment, database, demo content, gunicorn


def _env(args):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=args.secret_key,
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(OUT / "media"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _conninfo(database_url, dbname=None):
    """DATABASE_URL in the form psycopg takes, optionally pointed at another database."""
    parts = urlsplit(database_url)
    scheme = "postgresql" if parts.scheme in {"postgres", "postgresql", "pgsql"} else parts.scheme
    path = f"/{dbname}" if dbname else parts.path
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def _ensure_database(database_url):
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(_conninfo(database_url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", file=sys.stderr)


def _ensure_ceiling_table(database_url):
    with psycopg.connect(_conninfo(database_url), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_ceiling "
            "(id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL)"
        )


def _manage(args, *command):
    subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=_env(args), check=True, stdout=subprocess.DEVNULL
    )


def _school_ids(database_url):
    with psycopg.connect(_conninfo(database_url)) as conn:
        rows = conn.execute(
            "SELECT id FROM organizations_unit WHERE kind = 'school' AND is_active ORDER BY id"
        ).fetchall()
    if not rows:
        sys.exit("no active school in the database: did load_demo_content run?")
    return [row[0] for row in rows]


def _reset_rate_counters(redis_url):
    """Drop django-ratelimit's counters left in the bench's own Redis database by an earlier run,
    so this run starts from a fresh minute like a freshly deployed server. The limits stay on."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match="*:rl:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(args, port):
    command = [sys.executable, "-m", "gunicorn", "outreach.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers)]
    if args.threads > 1:
        command += ["-k", "gthread", "--threads", str(args.threads)]
    command += ["--timeout", "60", "--backlog", "2048"]
    log = open(OUT / "contest_gunicorn.log", "w")  # noqa: SIM115 (closed with the server)
    server = subprocess.Popen(command, cwd=ROOT, env=_env(args), stdout=log, stderr=log, start_new_session=True)
    server.log = log
    return server


def _stop_gunicorn(server):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)
    server.log.close()


def _wait_until_up(base_url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/bench/bare/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start; see bench/out/contest_gunicorn.log")


def _code_state():
    """A fingerprint of the code under test (this benchmark runs without git): sha256 of the apps'
    Python files and templates, and the newest modification time among them."""
    import hashlib

    files = sorted(
        path
        for folder in ("quizzes", "home", "organizations", "search", "outreach", "templates", "bench")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html"} and "migrations" not in path.parts and path.is_file()
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    newest = max(files, key=lambda path: path.stat().st_mtime)
    return {
        "sha256": digest.hexdigest()[:16],
        "newest_file": str(newest.relative_to(ROOT)),
        "newest_mtime": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(newest.stat().st_mtime)),
    }


def _rate_limits():
    """The per-IP limits per minute from quizzes/views.py's RATE_LIMITS (read, not imported)."""
    tree = ast.parse((ROOT / "quizzes" / "views.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "RATE_LIMITS" for t in node.targets):
            limits = ast.literal_eval(node.value)
            return {action: int(per_ip.split("/")[0]) for action, (_per_participant, per_ip) in limits.items()}
    raise RuntimeError("RATE_LIMITS not found in quizzes/views.py")


class RateBudget:
    """Keeps every 60-second window of this run's starts, saves and submits under the per-IP
    limits (django-ratelimit counts fixed minute windows; staying under them on every sliding
    window is sufficient)."""

    def __init__(self, limits):
        self.limits = limits
        self.sent = {action: deque() for action in limits}

    def fits(self, plan):
        return all(count <= self.limits[action] for action, count in plan.items())

    def wait_for(self, plan):
        """Seconds to wait before ``plan`` ({action: requests}) can be sent."""
        now = time.monotonic()
        wait = 0.0
        for action, count in plan.items():
            times = self.sent[action]
            while times and times[0] < now - 61:
                times.popleft()
            excess = len(times) + count - self.limits[action]
            if excess > 0:
                wait = max(wait, times[excess - 1] + 61 - now)
        return wait

    def record(self, action, times):
        self.sent[action].extend(sorted(times))


# Measuring


class Step:
    """Latencies and errors of one step. Its throughput is the successful requests over its active
    time: from the first request sent to the last answered, summed over its windows (the ceiling
    runs in two, right before and right after the answer saves)."""

    def __init__(self, name):
        self.name = name
        self.latencies = []
        self.errors = Counter()
        self.windows = []  # [first sent, last answered, successful requests]
        self.sent_at = []

    def new_window(self):
        self.windows.append([math.inf, 0.0, 0])

    def record(self, started, ended, error=None):
        if not self.windows:
            self.new_window()
        window = self.windows[-1]
        window[0] = min(window[0], started)
        window[1] = max(window[1], ended)
        self.sent_at.append(started)
        if error:
            self.errors[error] += 1
        else:
            window[2] += 1
            self.latencies.append(ended - started)

    def summary(self):
        ok = len(self.latencies)
        active = sum(last - first for first, last, _ok in self.windows if last > first)
        ordered = sorted(self.latencies)

        def pct(p):
            return 1000 * ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else None

        return {
            "requests": ok + sum(self.errors.values()),
            "ok": ok,
            "errors": sum(self.errors.values()),
            "error_kinds": dict(self.errors),
            "active_s": round(active, 3),
            "rps": ok / active if active > 0 else None,
            "rps_per_window": [round(n / (last - first), 1) for first, last, n in self.windows if last > first],
            "p50": pct(50),
            "p95": pct(95),
            "p99": pct(99),
            "max": 1000 * ordered[-1] if ordered else None,
        }


async def _timed(step, send, check):
    """Send one request; ``check(response)`` returns an error label or None."""
    started = time.monotonic()
    try:
        response = await send()
    except httpx.HTTPError as error:
        step.record(started, time.monotonic(), type(error).__name__)
        return None
    ended = time.monotonic()
    error = check(response)
    step.record(started, ended, error)
    return None if error else response


def _status_is(*codes):
    def check(response):
        return None if response.status_code in codes else f"HTTP {response.status_code}"

    return check


def _redirect_to(pattern):
    def check(response):
        if response.status_code not in (301, 302, 303):
            return f"HTTP {response.status_code}"
        return None if pattern.search(urlsplit(response.headers.get("location", "")).path) else "unexpected redirect"

    return check


def _json_ok(response):
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        return None if response.json().get("ok") is True else "not ok"
    except ValueError:
        return "not JSON"


class CpuMeter:
    """CPU seconds used by gunicorn (its process group), the PostgreSQL backends of the bench
    database, Redis, this harness and everything else on the machine, over one phase.

    Processes are sampled every second while the phase runs, so a PostgreSQL backend that exits
    meanwhile (Django drops a connection older than CONN_MAX_AGE) still counts."""

    GROUPS = ("gunicorn", "postgres", "redis", "harness")

    def __init__(self, server_pgid, database_url):
        self.server_pgid = server_pgid
        self.dbname = urlsplit(database_url).path.lstrip("/")
        self.tick = os.sysconf("SC_CLK_TCK")
        self.conn = psycopg.connect(_conninfo(database_url), autocommit=True)

    def _processes(self):
        found = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    stat = f.read()
                comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2 :].split()
                cpu = (int(fields[11]) / self.tick, int(fields[12]) / self.tick)  # user, system
                if int(fields[2]) == self.server_pgid:
                    group = "gunicorn"
                elif comm == "redis-server":
                    group = "redis"
                elif comm == "postgres":
                    with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                        if f" {self.dbname} ".encode() not in f.read():
                            continue
                    group = "postgres"
                else:
                    continue
                found[(group, entry.name, fields[19])] = cpu  # (group, pid, start time)
            except (OSError, ValueError, IndexError):
                continue
        return found

    def _machine(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open("/proc/stat") as f:
            cpu = [int(value) for value in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal: all but idle and iowait is busy.
        return usage.ru_utime + usage.ru_stime, (sum(cpu[:8]) - cpu[3] - cpu[4]) / self.tick

    async def _poll(self):
        while True:
            await asyncio.sleep(1)
            self.latest.update(self._processes())

    def _database(self):
        """Transactions and rows the bench database has seen (pg_stat_database; flushed by the
        backends at least once a second, so close enough over a phase of several seconds)."""
        row = self.conn.execute(
            "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched, tup_inserted + tup_updated + tup_deleted "
            "FROM pg_stat_database WHERE datname = %s",
            [self.dbname],
        ).fetchone()
        return dict(zip(("db_transactions", "db_rows_scanned", "db_rows_fetched", "db_rows_written"), row, strict=True))

    def start(self):
        self.database = self._database()
        self.baseline = self._processes()
        self.latest = dict(self.baseline)
        self.machine = self._machine()
        self.wall = time.monotonic()
        self.poller = asyncio.get_running_loop().create_task(self._poll())

    def stop(self):
        self.poller.cancel()
        self.latest.update(self._processes())
        harness, busy = (after - before for after, before in zip(self._machine(), self.machine, strict=True))
        result = dict.fromkeys(self.GROUPS, 0.0)
        gunicorn_system = 0.0
        for key, (user, system) in self.latest.items():
            user_before, system_before = self.baseline.get(key, (0.0, 0.0))
            result[key[0]] += user - user_before + system - system_before
            if key[0] == "gunicorn":
                gunicorn_system += system - system_before
        result["harness"] = harness
        # Anything else on the machine meanwhile: other people's jobs, the kernel.
        result["others"] = max(0.0, busy - sum(result.values()))
        result["wall"] = time.monotonic() - self.wall
        result["gunicorn_system"] = gunicorn_system
        result = {name: round(value, 2) for name, value in result.items()}
        time.sleep(1.1)  # let the backends flush their statistics
        result.update({name: value - self.database[name] for name, value in self._database().items()})
        return result


# The participant


class Participant:
    def __init__(self, *, index, tag, unit_id, client, rng):
        self.index = index
        self.tag = tag
        self.unit_id = unit_id
        self.client = client
        self.rng = rng
        self.alive = True
        self.csrf = None
        self.token = None
        self.sheet_id = None
        self.sheet_url = None
        self.answer_url = None
        self.questions = {}  # position -> (input type, [choice ids])
        self.saved = {}  # position -> [choice ids] acknowledged
        self.submitted = False

    async def identify(self, steps):
        response = await _timed(steps["landing"], lambda: self.client.get(CONTEST_PATH), _status_is(200))
        match = CSRF_RE.search(response.text) if response is not None else None
        if match is None:
            self.alive = False
            if response is not None:
                steps["landing"].errors["no CSRF token"] += 1
            return
        self.csrf = match.group(1)
        data = {
            "csrfmiddlewaretoken": self.csrf,
            "unit": str(self.unit_id),
            "name": f"压测{self.index:05d}",
            "class_name": self.tag,
            "age_band": "under14",
            "guardian_consent": "on",
        }
        response = await _timed(
            steps["identify"],
            lambda: self.client.post(CONTEST_PATH + "identify/", data=data),
            _redirect_to(re.compile(re.escape(CONTEST_PATH) + "$")),
        )
        signed = self.client.cookies.get("participant") if response is not None else None
        if not signed:
            self.alive = False
            return
        self.token = signed.strip('"').split(":")[0]

    async def start(self, steps):
        response = await _timed(
            steps["start"],
            lambda: self.client.post(CONTEST_PATH + "start/", data={"csrfmiddlewaretoken": self.csrf}),
            _redirect_to(SHEET_RE),
        )
        if response is None:
            self.alive = False
            return
        self.sheet_url = urlsplit(response.headers["location"]).path
        self.sheet_id = SHEET_RE.search(self.sheet_url).group(1)
        response = await _timed(steps["sheet page"], lambda: self.client.get(self.sheet_url), _status_is(200))
        if response is None:
            self.alive = False
            return
        for kind, position, choice_id in INPUT_RE.findall(response.text):
            self.questions.setdefault(int(position), (kind, []))[1].append(int(choice_id))
        answer_url = ANSWER_URL_RE.search(response.text)
        if not self.questions or answer_url is None:
            steps["sheet page"].errors["unparsable sheet"] += 1
            self.alive = False
            return
        self.answer_url = answer_url.group(1)

    def _pick(self, kind, choice_ids):
        if kind == "checkbox":
            return sorted(self.rng.sample(choice_ids, self.rng.choice([1, 2])))
        return [self.rng.choice(choice_ids)]

    async def answer(self, steps):
        headers = {"X-CSRFToken": self.csrf, "Accept": "application/json"}
        for position, (kind, choice_ids) in sorted(self.questions.items()):
            choices = self._pick(kind, choice_ids)
            response = await _timed(
                steps["answer"],
                lambda p=position, c=choices: self.client.post(
                    self.answer_url, json={"position": p, "choices": c}, headers=headers
                ),
                _json_ok,
            )
            if response is not None:
                self.saved[position] = choices

    async def submit(self, steps):
        # What the browser posts: the form, with the choices already checked.
        data = {"csrfmiddlewaretoken": self.csrf, "action": "submit"}
        data.update({f"q{position}": [str(c) for c in choices] for position, choices in self.saved.items()})
        response = await _timed(
            steps["submit"], lambda: self.client.post(self.sheet_url, data=data), _redirect_to(RESULT_RE)
        )
        self.submitted = response is not None

    async def whole_flow(self, steps):
        for phase in (self.identify, self.start, self.answer, self.submit):
            await phase(steps)
            if not self.alive:
                return


async def _ceiling(client, *, concurrency, total, tag, step):
    """``total`` inserts by ``concurrency`` closed-loop clients; returns how many were acknowledged."""
    numbers = iter(range(total))
    acknowledged = 0

    async def worker():
        nonlocal acknowledged
        for number in numbers:
            response = await _timed(
                step, lambda n=number: client.post(CEILING_PATH, json={"run": tag, "n": n}), _json_ok
            )
            acknowledged += response is not None

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return acknowledged


# One round: the ceiling, then N participants


async def _round(*, base_url, args, tag, schools, budget, meter, seed):
    """One round: new participants through the flow, and the ceiling right before and right after
    the answer saves (or the whole flow in ``mixed`` mode), bounded by ``--max-seconds``."""
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=args.participants + 8, max_keepalive_connections=args.participants + 8),
        retries=0,
    )
    timeout = httpx.Timeout(args.request_timeout, pool=args.request_timeout)

    def client():
        # Every participant has its own cookie jar; all share the transport (its connection pool).
        return httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout, follow_redirects=False)

    rng = random.Random(seed)
    steps = {name: Step(name) for name in (CEILING, *STEPS)}
    cpu = {}
    participants = [
        Participant(index=i, tag=tag, unit_id=schools[i % len(schools)], client=client(), rng=rng)
        for i in range(args.participants)
    ]
    ceiling_client = client()  # never closed on its own: that would close the shared transport
    result = {"tag": tag, "aborted": False}

    def requests_so_far():
        return sum(len(step.sent_at) for step in steps.values())

    async def phase(name, coroutines, plan=None):
        if plan:
            wait = budget.wait_for(plan)
            if wait > 0:
                print(f"  waiting {wait:.0f} s to stay within the per-IP limits", file=sys.stderr)
                await asyncio.sleep(wait)
        before = requests_so_far()
        meter.start()
        try:
            await asyncio.gather(*coroutines)
        finally:
            cpu[name] = meter.stop()
            cpu[name]["requests"] = requests_so_far() - before

    async def ceiling(label):
        steps[CEILING].new_window()
        total = args.participants * args.questions
        load = _ceiling(ceiling_client, concurrency=args.participants, total=total, tag=tag, step=steps[CEILING])
        await phase(f"{CEILING} {label}", [load])

    def record(action, step):
        budget.record(action, steps[step].sent_at)

    try:
        async with asyncio.timeout(args.max_seconds):
            if args.mode == "phased":
                await phase("identify", [p.identify(steps) for p in participants])
                live = [p for p in participants if p.alive]
                await phase("start", [p.start(steps) for p in live], {"start": len(live)})
                record("start", "start")
                live = [p for p in live if p.alive]
                await ceiling("before")
                await phase("answer", [p.answer(steps) for p in live], {"save": sum(len(p.questions) for p in live)})
                record("save", "answer")
                await ceiling("after")
                await phase("submit", [p.submit(steps) for p in live], {"submit": len(live)})
                record("submit", "submit")
            else:
                await ceiling("before")
                plan = {"start": len(participants), "save": len(participants) * args.questions}
                await phase(
                    "whole flow", [p.whole_flow(steps) for p in participants], {**plan, "submit": len(participants)}
                )
                for action, step in (("start", "start"), ("save", "answer"), ("submit", "submit")):
                    record(action, step)
                await ceiling("after")
    except TimeoutError:
        result["aborted"] = True
        print(f"  round {tag} aborted at the time bound (--max-seconds {args.max_seconds:g})", file=sys.stderr)
    finally:
        await transport.aclose()

    result["steps"] = {name: step.summary() for name, step in steps.items()}
    result["cpu"] = cpu
    answer, insert = result["steps"]["answer"]["rps"], result["steps"][CEILING]["rps"]
    result["answer_to_ceiling"] = answer / insert if answer and insert else None
    answer_url = next((p.answer_url for p in participants if p.answer_url), "")
    result["answer_url"] = re.sub(r"[0-9a-f-]{36}", "<uuid>", answer_url)
    result["acknowledged"] = {
        "participants": {p.token: p for p in participants if p.token},
        "sheets": {p.sheet_id: p for p in participants if p.sheet_id},
        "submitted": {p.sheet_id for p in participants if p.submitted},
        "saves": [(p.sheet_id, position, choices) for p in participants for position, choices in p.saved.items()],
        "ceiling": steps[CEILING].summary()["ok"],
    }
    return result


# Integrity


def integrity(database_url, tag, acknowledged):
    with psycopg.connect(_conninfo(database_url)) as conn:
        participants = conn.execute(
            "SELECT token::text, name FROM quizzes_participant WHERE class_name = %s", [tag]
        ).fetchall()
        sheets = conn.execute(
            "SELECT s.public_id::text, p.token::text, s.status, s.score FROM quizzes_answersheet s "
            "JOIN quizzes_participant p ON p.id = s.participant_id WHERE p.class_name = %s",
            [tag],
        ).fetchall()
        selected = conn.execute(
            "SELECT s.public_id::text, q.position, q.selected FROM quizzes_sheetquestion q "
            "JOIN quizzes_answersheet s ON s.id = q.sheet_id JOIN quizzes_participant p ON p.id = s.participant_id "
            "WHERE p.class_name = %s",
            [tag],
        ).fetchall()
        duplicate_rows = conn.execute(
            "SELECT count(*) FROM (SELECT q.sheet_id, q.position FROM quizzes_sheetquestion q "
            "JOIN quizzes_answersheet s ON s.id = q.sheet_id JOIN quizzes_participant p ON p.id = s.participant_id "
            "WHERE p.class_name = %s GROUP BY q.sheet_id, q.position HAVING count(*) > 1) d",
            [tag],
        ).fetchone()[0]
        ceiling_rows = conn.execute("SELECT count(*) FROM bench_ceiling WHERE payload->>'run' = %s", [tag]).fetchone()[
            0
        ]

    stored_tokens = Counter(token for token, _name in participants)
    sheets_per_participant = Counter(token for _sheet, token, _status, _score in sheets)
    status = {sheet: (state, score) for sheet, _token, state, score in sheets}
    stored_submitted = {sheet for sheet, (state, _score) in status.items() if state == "submitted"}
    answers = {(sheet, position): value for sheet, position, value in selected}
    ack = acknowledged
    lost_saves = [save for save in ack["saves"] if answers.get((save[0], save[1])) != save[2]]
    report = {
        "participants_acknowledged": len(ack["participants"]),
        "participants_stored": len(participants),
        "participants_acknowledged_missing": len(set(ack["participants"]) - set(stored_tokens)),
        "duplicate_participants": sum(1 for n in Counter(name for _t, name in participants).values() if n > 1),
        "sheets_started_acknowledged": len(ack["sheets"]),
        "sheets_stored": len(sheets),
        "participants_with_two_sheets": sum(1 for n in sheets_per_participant.values() if n > 1),
        "sheets_acknowledged_submitted": len(ack["submitted"]),
        "sheets_stored_submitted": len(stored_submitted),
        "acknowledged_not_stored_submitted": len(ack["submitted"] - stored_submitted),
        "stored_submitted_not_acknowledged": len(stored_submitted - ack["submitted"]),
        "submitted_without_score": sum(1 for s in ack["submitted"] if status.get(s, (None, None))[1] is None),
        "answer_saves_acknowledged": len(ack["saves"]),
        "answer_saves_not_stored": len(lost_saves),
        "duplicate_sheet_questions": duplicate_rows,
        "ceiling_acknowledged": ack["ceiling"],
        "ceiling_rows_stored": ceiling_rows,
    }
    report["duplicates"] = (
        report["duplicate_participants"] + report["participants_with_two_sheets"] + report["duplicate_sheet_questions"]
    )
    report["ok"] = (
        report["participants_acknowledged_missing"] == 0
        and report["sheets_acknowledged_submitted"] == report["sheets_stored_submitted"]
        and report["acknowledged_not_stored_submitted"] == 0
        and report["submitted_without_score"] == 0
        and report["answer_saves_not_stored"] == 0
        and report["duplicates"] == 0
        and report["ceiling_rows_stored"] == report["ceiling_acknowledged"]
    )
    return report


# Reporting


def _fmt(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def combine(rounds):
    """Per step: medians over rounds of rps and percentiles; counts and errors summed."""
    combined = {}
    for name in (CEILING, *STEPS):
        summaries = [r["steps"][name] for r in rounds if r["steps"][name]["requests"]]
        if not summaries:
            continue
        errors = Counter()
        for s in summaries:
            errors.update(s["error_kinds"])
        combined[name] = {
            "requests": sum(s["requests"] for s in summaries),
            "errors": sum(s["errors"] for s in summaries),
            "error_kinds": dict(errors),
            **{key: _median(s[key] for s in summaries) for key in ("rps", "p50", "p95", "p99", "max")},
            "rps_per_round": [s["rps"] for s in summaries],
        }
    return combined


def table(combined, rounds):
    ceiling = combined.get(CEILING, {}).get("rps")
    lines = [
        "| step | requests | errors | req/s | × ceiling | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in combined.items():
        ratio = s["rps"] / ceiling if ceiling and s["rps"] else None
        lines.append(
            f"| {name} | {s['requests']} | {s['errors']} | {_fmt(s['rps'], 0)} | {_fmt(ratio, 2)} "
            f"| {_fmt(s['p50'])} | {_fmt(s['p95'])} | {_fmt(s['p99'])} |"
        )
    cpu_lines = [
        "",
        "| phase | wall s | requests | gunicorn CPU s (system) | postgres CPU s | redis CPU s "
        "| server CPU ms/request | DB rows read/request | harness CPU s | others CPU s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in rounds[0]["cpu"]:
        rows = [r["cpu"][name] for r in rounds if name in r["cpu"]]
        for row in rows:
            server = row["gunicorn"] + row["postgres"] + row["redis"]
            row["server_ms_per_request"] = 1000 * server / row["requests"] if row["requests"] else None
            read = row.get("db_rows_scanned", 0) + row.get("db_rows_fetched", 0)
            row["db_rows_read_per_request"] = read / row["requests"] if row["requests"] else None

        def cell(key, digits=2, rows=rows):
            return _fmt(_median(row.get(key) for row in rows), digits)

        cells = [
            cell("wall"),
            cell("requests", 0),
            f"{cell('gunicorn')} ({cell('gunicorn_system')})",
            cell("postgres"),
            cell("redis"),
            cell("server_ms_per_request"),
            cell("db_rows_read_per_request", 0),
            cell("harness"),
            cell("others"),
        ]
        cpu_lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines + cpu_lines)


# In-process profile of one answer save (optional)


def profile_saves(args, *, tag, budget, participants=10, repeat=100):
    """Where one answer save spends its time, in this process with Django's test client (no HTTP,
    no gunicorn; the same settings, database and Redis): its SQL and Redis commands, the whole
    request against the ceiling view, and the parts of the save timed one by one."""
    os.environ.update(_env(args))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import redis
    from django.db import connection, transaction
    from django.test import Client, RequestFactory
    from wagtail.models import Page, Site

    from quizzes import selectors, services

    plan = {"start": participants, "save": participants * args.questions}
    time.sleep(budget.wait_for(plan))
    budget.record("start", [time.monotonic()] * participants)
    budget.record("save", [time.monotonic()] * participants * args.questions)
    schools = _school_ids(args.database_url)
    saves = []  # (client, answer URL, position, [choice ids of the question])
    for index in range(participants):
        client = Client(HTTP_HOST="127.0.0.1")  # one per participant: a new Client re-instantiates the middleware
        data = {"unit": schools[0], "name": f"剖析{index:03d}", "class_name": tag, "age_band": "under14"}
        client.post(CONTEST_PATH + "identify/", {**data, "guardian_consent": "on"})
        sheet_url = client.post(CONTEST_PATH + "start/")["Location"]
        html = client.get(sheet_url).content.decode()
        answer_url = ANSWER_URL_RE.search(html).group(1)
        questions = {}
        for _kind, position, choice_id in INPUT_RE.findall(html):
            questions.setdefault(int(position), []).append(int(choice_id))
        saves += [(client, answer_url, position, ids) for position, ids in sorted(questions.items())]

    def save(item):
        client, url, position, ids = item
        payload = {"position": position, "choices": ids[:1]}
        response = client.post(url, payload, content_type="application/json", HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content

    insert_client = Client(HTTP_HOST="127.0.0.1")

    def insert(number):
        response = insert_client.post(CEILING_PATH, {"run": tag, "n": number}, content_type="application/json")
        assert response.status_code == 200, response.content

    sql, commands = [], []

    def log_sql(execute, statement, params, many, context):
        sql.append(statement[:150])
        return execute(statement, params, many, context)

    execute_command = redis.Redis.execute_command

    def log_redis(self, *command, **options):
        commands.append(" ".join(str(part) for part in command[:2])[:60])
        return execute_command(self, *command, **options)

    insert(0)
    redis.Redis.execute_command = log_redis
    try:
        with connection.execute_wrapper(log_sql):
            save(saves[0])
            save_sql, save_redis, sql[:], commands[:] = list(sql), list(commands), [], []
            insert(1)
            insert_sql, insert_redis = list(sql), list(commands)
    finally:
        redis.Redis.execute_command = execute_command

    def mean_ms(call, items):
        started = time.monotonic()
        for item in items:
            call(item)
        return 1000 * (time.monotonic() - started) / len(items)

    full_save = mean_ms(save, saves[1:])
    full_insert = mean_ms(insert, range(2, 2 + len(saves)))

    # The parts of one save, each on its own (the save alternates between two choices so that
    # every call writes).
    client, answer_url, position, ids = saves[0]
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    factory = RequestFactory(HTTP_HOST="127.0.0.1")

    def request():
        req = factory.post(answer_url, b"{}", content_type="application/json")
        req.COOKIES.update(cookies)
        return req

    participant = selectors.participant_from_request(request())
    public_id = answer_url.rstrip("/").split("/")[-2]
    choices = [ids[:1], ids[1:2] or ids[:1]]
    parts = {}
    if answer_url.startswith(CONTEST_PATH):  # the autosave is routed through Wagtail's page tree
        parts["Site.find_for_request"] = mean_ms(lambda _i: Site.find_for_request(request()), range(repeat))
        parts["Page.route_for_request (site, page tree, .specific)"] = mean_ms(
            lambda _i: Page.route_for_request(request(), answer_url), range(repeat)
        )
    parts["participant_from_request (signed cookie, 1 query)"] = mean_ms(
        lambda _i: selectors.participant_from_request(request()), range(repeat)
    )
    parts["services.save_answers (transaction, lock, read, update)"] = mean_ms(
        lambda i: services.save_answers(
            public_id=public_id, participant=participant, answers={position: choices[i % 2]}
        ),
        range(repeat),
    )
    parts["the rest: middleware, 2 rate limits (Redis), JSON in and out"] = full_save - sum(parts.values())
    with connection.cursor() as cursor:

        def raw_insert(_i):
            with transaction.atomic():
                cursor.execute(
                    "INSERT INTO bench_ceiling (payload, created_at) VALUES (%s::jsonb, now())", ['{"run": "x"}']
                )

        parts["raw INSERT in a transaction (no HTTP, no middleware)"] = mean_ms(raw_insert, range(repeat))
        cursor.execute("DELETE FROM bench_ceiling WHERE payload->>'run' = 'x'")
    return {
        "answer_url": re.sub(r"[0-9a-f-]{36}", "<uuid>", answer_url),
        "answer_save_sql": save_sql,
        "answer_save_redis": save_redis,
        "insert_sql": insert_sql,
        "insert_redis": insert_redis,
        "in_process_ms": {"answer save (whole request)": round(full_save, 2), "insert view": round(full_insert, 2)},
        "answer_save_parts_ms": {name: round(ms, 2) for name, ms in parts.items()},
    }


# Main


def main():
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
    parser.add_argument("--out", type=Path, default=OUT / "contest_load.json")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.secret_key = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
    if not 1 <= args.participants <= 2000:
        parser.error("--participants must be between 1 and 2000")

    limits = _rate_limits()
    budget = RateBudget(limits)
    per_round = {"start": args.participants, "save": args.participants * args.questions, "submit": args.participants}
    if not budget.fits(per_round):
        sys.exit(
            f"one round needs {per_round} requests but the per-IP limits per minute are {limits}: "
            "lower --participants (the limits in quizzes/views.py stay as they are)"
        )

    OUT.mkdir(exist_ok=True)
    _ensure_database(args.database_url)
    if not args.skip_setup:
        _manage(args, "migrate", "--noinput", "-v0")
        _manage(args, "load_demo_content", "--sheets", "0")
        _manage(args, "collectstatic", "--noinput", "-v0")
    _ensure_ceiling_table(args.database_url)
    schools = _school_ids(args.database_url)
    dropped = _reset_rate_counters(args.redis_url)

    code = _code_state()
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    run_id = time.strftime("%m%d%H%M%S")
    server = _start_gunicorn(args, port)
    rounds = []
    integrity_reports = {}
    warmup = {}
    profile = None
    try:
        _wait_until_up(base_url)
        meter = CpuMeter(server.pid, args.database_url)

        async def load():
            # Warm-up: every worker imports, connects and fills its caches before anything counts.
            warm = argparse.Namespace(**{**vars(args), "participants": min(8, args.participants)})
            tag = f"lb{run_id}-warm"
            result = await _round(
                base_url=base_url, args=warm, tag=tag, schools=schools, budget=budget, meter=meter, seed=args.seed
            )
            integrity_reports[tag] = integrity(args.database_url, tag, result["acknowledged"])
            warmup.update({name: step for name, step in result["steps"].items() if step["requests"]})
            for number in range(1, args.rounds + 1):
                tag = f"lb{run_id}-r{number}"
                print(f"round {number}: {args.participants} participants ({tag})", file=sys.stderr)
                result = await _round(
                    base_url=base_url, args=args, tag=tag, schools=schools, budget=budget, meter=meter,
                    seed=args.seed + number,
                )  # fmt: skip
                integrity_reports[tag] = integrity(args.database_url, tag, result["acknowledged"])
                rounds.append(result)

        asyncio.run(load())
    finally:
        _stop_gunicorn(server)
    if args.profile:
        profile = profile_saves(args, tag=f"lb{run_id}-profile", budget=budget)

    complete = [r for r in rounds if not r["aborted"]] or rounds  # an aborted round counts only if all are
    if not complete:
        print(json.dumps(profile, ensure_ascii=False, indent=2) if profile else "no round was run")
        return
    combined = combine(complete)
    ratios = [r["answer_to_ceiling"] for r in complete]
    ratio = _median(ratios)
    worker = f"{args.workers} × gthread ({args.threads} threads)" if args.threads > 1 else f"{args.workers} × sync"
    title = f"{args.participants} participants, {args.mode}, gunicorn {worker}, {len(complete)} rounds (medians)"
    print(f"### {title}\n")
    print(
        f"code {code['sha256']} (newest file {code['newest_file']}, {code['newest_mtime']}); autosave URL {complete[0]['answer_url']}\n"
    )
    print(f"{table(combined, complete)}\n")
    print(
        f"answer save / insert ceiling: **{_fmt(ratio, 2)}×** (median of the rounds: "
        + ", ".join(_fmt(r, 3) for r in ratios)
        + "; aim ≥ 0.5×)\n"
    )
    if len(complete) < len(rounds):
        print(f"{len(rounds) - len(complete)} round(s) aborted at the time bound, left out of the medians\n")
    warm_errors = {name: step["error_kinds"] for name, step in warmup.items() if step["errors"]}
    print(f"warm-up ({min(8, args.participants)} participants, not in the table): errors {warm_errors or 'none'}\n")
    print("| integrity | " + " | ".join(integrity_reports) + " |")
    print("| --- |" + " ---: |" * len(integrity_reports))
    for key in next(iter(integrity_reports.values())):
        print(f"| {key} | " + " | ".join(str(r[key]) for r in integrity_reports.values()) + " |")
    if profile:
        print("\n" + json.dumps(profile, ensure_ascii=False, indent=2))

    for result in rounds:
        result.pop("acknowledged")
    args.out.write_text(
        json.dumps(
            {
                "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "secret_key"},
                "worker": worker,
                "code": code,
                "rate_limits_per_ip_per_minute": limits,
                "rate_counters_reset": dropped,
                "combined": combined,
                "answer_to_ceiling": ratio,
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
