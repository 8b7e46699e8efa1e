"""Migration 0004 (headcounts per campaign) on a database of its own holding year-based headcounts:
run forwards and back, on SQLite and on PostgreSQL (where linking rows and then altering the table
in one transaction is what could fail)."""

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("organizations", "0003_campaign")]
AFTER = [("organizations", "0004_headcount_campaign")]


ALIAS = "organizations_migrations"


@pytest.fixture
def scratch(tmp_path, django_db_blocker):
    """A connection to an empty database of the same kind as the test database, under an alias of
    its own (the migration recorder and RunPython look their database up by alias). Outside the
    test database and its transaction, as SQLite cannot change its schema inside one."""
    with django_db_blocker.unblock():
        settings = {**connection.settings_dict}
        if connection.vendor == "postgresql":
            settings["NAME"] = f"{connection.settings_dict['NAME']}_migrations"
            _recreate_postgresql_database(settings["NAME"])
        else:
            settings["NAME"] = str(tmp_path / "migrations.sqlite3")
        connections.settings[ALIAS] = settings
        try:
            yield connections[ALIAS]
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]
            if connection.vendor == "postgresql":
                _recreate_postgresql_database(settings["NAME"], create=False)


def _recreate_postgresql_database(name, create=True):
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')


def migrate(conn, targets):
    MigrationExecutor(conn).migrate(targets)


def execute(conn, sql, params=()):
    with conn.cursor() as cursor:
        cursor.execute(sql, params)


def rows(conn, sql):
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def insert_unit(conn, pk, name, kind, parent=None):
    execute(
        conn,
        "INSERT INTO organizations_unit (id, name, kind, code, parent_id, town_id, aliases, is_active, join_token)"
        " VALUES (%s, %s, %s, '', %s, %s, '', %s, %s)",
        [pk, name, kind, parent, pk if kind == "town" else None, True, f"token{pk}"],
    )


def test_year_headcounts_become_campaign_headcounts_and_back(scratch):
    migrate(scratch, BEFORE)
    insert_unit(scratch, 1, "迁移市", "city")
    insert_unit(scratch, 2, "迁移街道", "town", parent=1)
    # A campaign of that name exists already (0003 came first): it is reused, not duplicated.
    execute(
        scratch,
        "INSERT INTO organizations_campaign (id, name, year, theme, starts_on, ends_on, public_report)"
        " VALUES (9, '2026年安全生产月', 2026, '人人讲安全、个个会应急', '2026-06-01', '2026-06-30', %s)",
        [False],
    )
    for pk, unit, year, audience, expected in [
        (1, 1, 2025, "residents", 100),
        (2, 2, 2025, "residents", 40),
        (3, 2, 2026, "residents", 50),
        (4, 2, 2026, "staff", 5),
    ]:
        execute(
            scratch,
            "INSERT INTO organizations_headcount (id, unit_id, campaign_year, audience, expected)"
            " VALUES (%s, %s, %s, %s, %s)",
            [pk, unit, year, audience, expected],
        )

    migrate(scratch, AFTER)
    campaigns = rows(
        scratch, "SELECT id, name, year, theme, starts_on, ends_on FROM organizations_campaign ORDER BY year"
    )
    (c2025, c2026) = campaigns
    assert [str(value) for value in c2025[1:]] == ["2025年安全生产月", "2025", "", "2025-06-01", "2025-06-30"]
    assert c2026[:4] == (9, "2026年安全生产月", 2026, "人人讲安全、个个会应急")
    linked = rows(scratch, "SELECT id, campaign_id FROM organizations_headcount ORDER BY id")
    assert linked == [(1, c2025[0]), (2, c2025[0]), (3, 9), (4, 9)]

    migrate(scratch, BEFORE)
    years = rows(scratch, "SELECT id, campaign_year, expected FROM organizations_headcount ORDER BY id")
    assert years == [(1, 2025, 100), (2, 2025, 40), (3, 2026, 50), (4, 2026, 5)]
