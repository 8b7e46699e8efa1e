"""The embedded SQLite default must take concurrent writers without "database is locked" and keep
every commit; the rate-limit counters must outlive the page cache."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django_ratelimit.core import is_ratelimited


@pytest.fixture
def scratch_sqlite(tmp_path, django_db_blocker):
    """A second alias with the project's SQLite options on an empty file, outside the test
    transaction, so that threads really commit."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific settings")
    alias = "scratch"
    connections.settings[alias] = {**connections.settings["default"], "NAME": str(tmp_path / "scratch.sqlite3")}
    with django_db_blocker.unblock():
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, seen INTEGER NOT NULL)")
        yield alias
        connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(scratch_sqlite):
    with connections[scratch_sqlite].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connections[scratch_sqlite].transaction_mode == "IMMEDIATE"


def test_concurrent_read_then_write_transactions_all_succeed(scratch_sqlite):
    """Each writer reads, pauses, then writes: with deferred transactions some would fail with
    "database is locked"; with IMMEDIATE they queue on the busy timeout and all commit."""
    errors = []

    def writer():
        try:
            with transaction.atomic(using=scratch_sqlite), connections[scratch_sqlite].cursor() as cursor:
                cursor.execute("SELECT count(*) FROM ledger")
                seen = cursor.fetchone()[0]
                time.sleep(0.02)
                cursor.execute("INSERT INTO ledger (seen) VALUES (%s)", [seen])
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections[scratch_sqlite].close()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with connections[scratch_sqlite].cursor() as cursor:
        cursor.execute("SELECT seen FROM ledger ORDER BY id")
        # Serialised: every writer saw all the rows committed before it.
        assert [row[0] for row in cursor.fetchall()] == list(range(8))


def test_sqlite_syncs_every_commit(scratch_sqlite):
    # NORMAL in WAL mode may lose the last commits on a power cut.
    with connections[scratch_sqlite].cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL


def test_rate_limit_counters_survive_the_page_cache_being_emptied(rf):
    """A page cache that fills its memory evicts its own entries (LRU), never the counters."""
    request = rf.post("/answer-sheets/", REMOTE_ADDR="203.0.113.7")
    for _ in range(2):
        assert not is_ratelimited(request, group="settings-test", key="ip", rate="2/m", increment=True)
    # What eviction does to the page cache, at worst: all of its own keys gone. On Redis the
    # counters may share the instance (no RATELIMIT_REDIS_URL), so only the page cache's keys go.
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
    assert is_ratelimited(request, group="settings-test", key="ip", rate="2/m", increment=True)
