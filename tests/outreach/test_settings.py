"""The embedded SQLite default must take concurrent writers without "database is locked"."""

import threading
import time

import pytest
from django.db import connection, connections, transaction


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
