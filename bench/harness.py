"""What every benchmark here needs around the load: the environment of bench.settings, manage.py,
PostgreSQL and Redis, gunicorn started and stopped by process group, and a fingerprint of the code.

Nothing in here knows an app's internals: the site is reached over HTTP, set up with management
commands and read through Django settings.
"""

import contextlib
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

from bench import OUT, ROOT

SETTINGS_MODULE = "bench.settings"
READY_PATH = "/bench/bare/"  # bench/urls.py: answers 200 once a worker has loaded the site


def bench_env(**overrides):
    """The environment of a process on bench.settings (gunicorn, manage.py, this one's settings).
    ``overrides`` go on top; SECRET_KEY is the caller's, or one made up for this run."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
        SECRET_KEY=env.get("SECRET_KEY") or _run_secret(),
        STATIC_ROOT=str(OUT / "static"),
        MEDIA_ROOT=str(OUT / "media"),
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update({name: str(value) for name, value in overrides.items()})
    return env


_SECRET = []


def _run_secret():
    if not _SECRET:
        _SECRET.append(secrets.token_urlsafe(50))
    return _SECRET[0]


def manage(env, *command):
    """Run a management command on ``env``'s settings and database; its output is dropped."""
    subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def setting(env, name):
    """A Django setting as ``env``'s settings module defines it (bench.settings by default).

    Reads the settings in this process (no app loading, no database) after putting ``env`` in
    os.environ, as a process started with that environment would see them."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from django.conf import settings

    return getattr(settings, name)


# PostgreSQL and Redis


def conninfo(database_url, dbname=None):
    """DATABASE_URL in the form psycopg takes, optionally pointed at another database."""
    parts = urlsplit(database_url)
    scheme = "postgresql" if parts.scheme in {"postgres", "postgresql", "pgsql"} else parts.scheme
    path = f"/{dbname}" if dbname else parts.path
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def database_name(database_url):
    return urlsplit(database_url).path.lstrip("/")


def ensure_database(database_url):
    name = database_name(database_url)
    with psycopg.connect(conninfo(database_url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", file=sys.stderr)


CEILING_TABLE = "bench_ceiling"  # bench/urls.py inserts into it: raw SQL, no model, no migration


def ensure_ceiling_table(database_url):
    with psycopg.connect(conninfo(database_url), autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {CEILING_TABLE} "
            "(id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL)"
        )


def active_school_ids(database_url):
    with psycopg.connect(conninfo(database_url)) as conn:
        rows = conn.execute(
            "SELECT id FROM organizations_unit WHERE kind = 'school' AND is_active ORDER BY id"
        ).fetchall()
    if not rows:
        sys.exit("no active school in the database: did load_demo_content run?")
    return [row[0] for row in rows]


def reset_rate_counters(redis_url):
    """Drop django-ratelimit's counters left in the bench's own Redis database by an earlier run,
    so this run starts from a fresh minute like a freshly deployed server. The limits stay on."""
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match="*:rl:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


# gunicorn


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``outreach.wsgi`` served by gunicorn on 127.0.0.1 in its own process group; a context
    manager that waits until a worker answers and stops the whole group on the way out.

    ``log``: a file for gunicorn's output (None: dropped); ``extra``: more command-line options."""

    def __init__(self, env, *, port, workers, threads=1, extra=(), log=None, start_timeout=60):
        self.env = env
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.command = [sys.executable, "-m", "gunicorn", "outreach.wsgi", "-b", f"127.0.0.1:{port}"]
        self.command += ["-w", str(workers)]
        if threads > 1:
            self.command += ["-k", "gthread", "--threads", str(threads)]
        self.command += list(extra)
        self.log_path = log
        self.start_timeout = start_timeout
        self.process = None

    @property
    def pid(self):
        return self.process.pid

    def __enter__(self):
        if self.log_path:
            self.log = open(self.log_path, "w")  # noqa: SIM115 (closed with the server)
        else:
            self.log = open(os.devnull, "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _wait_until_up(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(self.base_url + READY_PATH, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        where = f"; see {self.log_path}" if self.log_path else ""
        raise RuntimeError(f"gunicorn did not start{where}")

    def stop(self):
        """SIGTERM to the process group (the master and its workers), SIGKILL after 15 s."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.log.close()
        self.process = None


# The code under test


CODE_FOLDERS = ("core", "quizzes", "events", "home", "organizations", "search", "outreach", "templates", "bench")


def code_state(folders=CODE_FOLDERS):
    """A fingerprint of the code under test (benchmarks run without git): sha256 of the apps'
    Python files, templates and demo data, and the newest modification time among them."""
    files = sorted(
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".html", ".json"} and "migrations" not in path.parts and path.is_file()
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
