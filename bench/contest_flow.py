"""The load generator of the contest benchmark: simulated participants walking the contest flow
over HTTP as a browser with JavaScript does, the write ceiling, and one round of both.

Each participant has its own cookie jar (all share one httpx connection pool): GET the landing
page (CSRF token), POST identify/ (a demo school, a name, under 14 with the guardian's consent),
POST start/ and GET the sheet it redirects to, POST one JSON autosave per question to the form's
data-answer-url, then POST the sheet form with action=submit. Every request is timed by the
client and every acknowledgement kept, for bench/contest_checks.py to hold against the database.
"""

import asyncio
import math
import os
import random
import re
import signal
import sys
import time
from collections import Counter, deque
from urllib.parse import urlsplit

import httpx

CONTEST_PATH = "/contests/students-2026/"
CEILING_PATH = "/bench/insert/"
STEPS = ("landing", "identify", "start", "sheet page", "answer", "submit")
CEILING = "insert (ceiling)"

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INPUT_RE = re.compile(r'<input type="(radio|checkbox)" name="q(\d+)" value="(\d+)"')
ANSWER_URL_RE = re.compile(r'data-answer-url="([^"]+)"')
SHEET_RE = re.compile(re.escape(CONTEST_PATH) + r"sheet/([0-9a-f-]{36})/$")
RESULT_RE = re.compile(re.escape(CONTEST_PATH) + r"sheet/([0-9a-f-]{36})/result/$")
UUID_RE = re.compile(r"[0-9a-f-]{36}")


# Pacing: the per-IP rate limits stay on


def per_ip_per_minute(limits):
    """``settings.QUIZ_RATE_LIMITS`` ({action: (per participant, per IP)}, rates like "1200/m") as
    {action: per-IP requests per minute}."""
    per_minute = {}
    for action, (_per_participant, per_ip) in limits.items():
        count, _slash, period = per_ip.partition("/")
        if period != "m":
            raise ValueError(f"QUIZ_RATE_LIMITS[{action!r}] = {per_ip!r}: the bench paces per minute only")
        per_minute[action] = int(count)
    return per_minute


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
        self.retried = 0

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
            "retried": self.retried,
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


# A request whose connection broke (a worker killed under it) is sent again as it was, as a
# browser's retry would be: the server must answer the retry as it would have answered the first.
RETRIES = 3
RETRY_PAUSE = 0.5


async def timed(step, send, check, *, retries=0):
    """Send one request; ``check(response)`` returns an error label or None. With ``retries``, a
    transport error (no response at all) is recorded and the same request sent again."""
    for attempt in range(retries + 1):
        started = time.monotonic()
        try:
            response = await send()
        except httpx.HTTPError as error:
            step.record(started, time.monotonic(), type(error).__name__)
            if attempt < retries:
                step.retried += 1
                await asyncio.sleep(RETRY_PAUSE)
            continue
        ended = time.monotonic()
        error = check(response)
        step.record(started, ended, error)
        return None if error else response
    return None


def status_is(*codes):
    def check(response):
        return None if response.status_code in codes else f"HTTP {response.status_code}"

    return check


def redirect_to(pattern):
    def check(response):
        if response.status_code not in (301, 302, 303):
            return f"HTTP {response.status_code}"
        return None if pattern.search(urlsplit(response.headers.get("location", "")).path) else "unexpected redirect"

    return check


def json_ok(response):
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    try:
        return None if response.json().get("ok") is True else "not ok"
    except ValueError:
        return "not JSON"


# The participant


class Participant:
    def __init__(self, *, index, tag, unit_id, client, rng, retries=0, check_retries=False):
        self.index = index
        self.retries = retries
        # Sends each save and the submit a second time once answered, as a retry after a lost
        # response would, and keeps what differs from the first answer.
        self.check_retries = check_retries
        self.retry_mismatches = []
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
        response = await timed(steps["landing"], lambda: self.client.get(CONTEST_PATH), status_is(200))
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
        response = await timed(
            steps["identify"],
            lambda: self.client.post(CONTEST_PATH + "identify/", data=data),
            redirect_to(re.compile(re.escape(CONTEST_PATH) + "$")),
        )
        signed = self.client.cookies.get("participant") if response is not None else None
        if not signed:
            self.alive = False
            return
        self.token = signed.strip('"').split(":")[0]

    async def start(self, steps):
        response = await timed(
            steps["start"],
            lambda: self.client.post(CONTEST_PATH + "start/", data={"csrfmiddlewaretoken": self.csrf}),
            redirect_to(SHEET_RE),
        )
        if response is None:
            self.alive = False
            return
        self.sheet_url = urlsplit(response.headers["location"]).path
        self.sheet_id = SHEET_RE.search(self.sheet_url).group(1)
        response = await timed(steps["sheet page"], lambda: self.client.get(self.sheet_url), status_is(200))
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
            send = lambda p=position, c=choices: self.client.post(  # noqa: E731
                self.answer_url, json={"position": p, "choices": c}, headers=headers
            )
            response = await timed(steps["answer"], send, json_ok, retries=self.retries)
            if response is not None:
                self.saved[position] = choices
                if self.check_retries:
                    again = await timed(steps["answer"], send, json_ok, retries=self.retries)
                    if again is None:
                        self.retry_mismatches.append(("save", position, "retry refused"))

    async def submit(self, steps):
        # What the browser posts: the form, with the choices already checked.
        data = {"csrfmiddlewaretoken": self.csrf, "action": "submit"}
        data.update({f"q{position}": [str(c) for c in choices] for position, choices in self.saved.items()})
        send = lambda: self.client.post(self.sheet_url, data=data)  # noqa: E731
        response = await timed(steps["submit"], send, redirect_to(RESULT_RE), retries=self.retries)
        self.submitted = response is not None
        if self.submitted and self.check_retries:
            again = await timed(steps["submit"], send, redirect_to(RESULT_RE), retries=self.retries)
            if again is None or again.headers["location"] != response.headers["location"]:
                self.retry_mismatches.append(("submit", None, "a different answer to the retry"))

    async def whole_flow(self, steps):
        for phase in (self.identify, self.start, self.answer, self.submit):
            await phase(steps)
            if not self.alive:
                return


async def ceiling_load(client, *, concurrency, total, tag, step):
    """``total`` inserts by ``concurrency`` closed-loop clients; returns how many were acknowledged."""
    numbers = iter(range(total))
    acknowledged = 0

    async def worker():
        nonlocal acknowledged
        for number in numbers:
            response = await timed(step, lambda n=number: client.post(CEILING_PATH, json={"run": tag, "n": n}), json_ok)
            acknowledged += response is not None

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return acknowledged


# Killing a worker mid-run


def worker_pids(master_pid):
    """gunicorn's workers: the master's children, from /proc."""
    with open(f"/proc/{master_pid}/task/{master_pid}/children") as children:
        return [int(pid) for pid in children.read().split()]


async def kill_a_worker(*, master_pid, step, after, killed):
    """SIGKILL one gunicorn worker once ``after`` requests of ``step`` were sent (the master
    starts a new one); the pid and moment go into ``killed``."""
    while len(step.sent_at) < after:
        await asyncio.sleep(0.05)
    pids = worker_pids(master_pid)
    if pids:
        os.kill(pids[0], signal.SIGKILL)
        killed.append({"step": step.name, "pid": pids[0], "after_requests": len(step.sent_at)})
        print(f"  killed worker {pids[0]} (kill -9) during {step.name}", file=sys.stderr)


# One round: the ceiling, then N participants


async def run_round(*, base_url, args, tag, schools, budget, meter, seed, master_pid=None):
    """One round: new participants through the flow, and the ceiling right before and right after
    the answer saves (or the whole flow in ``mixed`` mode), bounded by ``--max-seconds``. With
    ``args.kill_worker`` (phased mode) a gunicorn worker is killed with SIGKILL halfway through the
    answer saves and again halfway through the submits; broken requests are sent again, and every
    tenth participant sends each save and its submit twice to hold the retry's answer against the
    first."""
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
    kill = getattr(args, "kill_worker", False) and master_pid is not None and args.mode == "phased"
    participants = [
        Participant(
            index=i, tag=tag, unit_id=schools[i % len(schools)], client=client(), rng=rng,
            retries=RETRIES if kill else 0, check_retries=kill and i % 10 == 0,
        )
        for i in range(args.participants)
    ]  # fmt: skip
    killed = []
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
        load = ceiling_load(ceiling_client, concurrency=args.participants, total=total, tag=tag, step=steps[CEILING])
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
                saves = sum(len(p.questions) for p in live)
                # Made only when used: a coroutine never awaited is a warning.
                killer = (
                    [kill_a_worker(master_pid=master_pid, step=steps["answer"], after=saves // 2, killed=killed)]
                    if kill
                    else []
                )
                # Every tenth participant sends its saves twice, and retries come on top: planned as double.
                plan = {"save": 2 * saves if kill else saves}
                await phase("answer", [p.answer(steps) for p in live] + killer, plan)
                record("save", "answer")
                await ceiling("after")
                killer = (
                    [kill_a_worker(master_pid=master_pid, step=steps["submit"], after=len(live) // 2, killed=killed)]
                    if kill
                    else []
                )
                plan = {"submit": 2 * len(live) if kill else len(live)}
                await phase("submit", [p.submit(steps) for p in live] + killer, plan)
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
    result["killed_workers"] = killed
    result["retry_checked_participants"] = sum(1 for p in participants if p.check_retries)
    result["retry_mismatches"] = [m for p in participants for m in p.retry_mismatches]
    result["cpu"] = cpu
    answer, insert = result["steps"]["answer"]["rps"], result["steps"][CEILING]["rps"]
    result["answer_to_ceiling"] = answer / insert if answer and insert else None
    answer_url = next((p.answer_url for p in participants if p.answer_url), "")
    result["answer_url"] = UUID_RE.sub("<uuid>", answer_url)
    result["acknowledged"] = {
        "participants": {p.token: p for p in participants if p.token},
        "sheets": {p.sheet_id: p for p in participants if p.sheet_id},
        "submitted": {p.sheet_id for p in participants if p.submitted},
        "saves": [(p.sheet_id, position, choices) for p in participants for position, choices in p.saved.items()],
        "ceiling": steps[CEILING].summary()["ok"],
        "retry_mismatches": result["retry_mismatches"],
    }
    return result
