"""The restore drill: back the test database up with the command, restore it into a fresh database,
and compare every table's row count and checksum."""

import shutil
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, connections

from outreach.backups import fingerprint
from tests.committed_db import db  # noqa: F401 (committed data: the drill opens connections of its own)

# The drill's connections of its own would be refused inside pytest-django's wrapping test case.
pytestmark = pytest.mark.usefixtures("db")

# Tables the drill insists are not empty, so a backup of nothing cannot pass.
FILLED_TABLES = ["wagtailcore_page", "organizations_unit", "organizations_campaign", "auth_user"]


def _add_alias(alias, name):
    connections.settings[alias] = {**connections.settings["default"], "NAME": name}


def _drop_alias(alias):
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def _assert_same_tables(restored_alias):
    source = fingerprint()
    restored = fingerprint(alias=restored_alias)
    assert all(source[table][0] > 0 for table in FILLED_TABLES)
    assert restored == source


@pytest.fixture
def restored_sqlite(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite restore drill")
    _add_alias("restored", str(tmp_path / "restored.sqlite3"))
    yield "restored"
    _drop_alias("restored")


def test_sqlite_backup_restores_into_a_fresh_file_with_the_same_rows(tmp_path, restored_sqlite):
    backup = tmp_path / "backup.sqlite3"
    call_command("backup_database", str(backup))
    assert not (tmp_path / "backup.sqlite3.partial").exists()
    call_command("restore_database", str(backup), "--database", restored_sqlite, "--yes")
    _assert_same_tables(restored_sqlite)

    # The comparison sees a single changed value.
    with connections[restored_sqlite].cursor() as cursor:
        cursor.execute(
            "UPDATE organizations_unit SET name = name || '（改）' WHERE id = (SELECT min(id) FROM organizations_unit)"
        )
    assert fingerprint(alias=restored_sqlite)["organizations_unit"] != fingerprint()["organizations_unit"]


@pytest.fixture
def restored_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL restore drill")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    # CREATE DATABASE cannot run inside the test's transaction: a connection of its own, autocommitting.
    _add_alias("maintenance", connection.settings_dict["NAME"])
    maintenance = connections["maintenance"]
    with maintenance.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {maintenance.ops.quote_name(name)}")
    _add_alias("restored", name)
    yield "restored"
    _drop_alias("restored")
    with maintenance.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {maintenance.ops.quote_name(name)}")
    _drop_alias("maintenance")


def test_postgres_dump_restores_into_a_fresh_database_with_the_same_rows(tmp_path, restored_postgres):
    backup = tmp_path / "backup.dump"
    call_command("backup_database", str(backup))
    call_command("restore_database", str(backup), "--database", restored_postgres, "--yes")
    _assert_same_tables(restored_postgres)
