"""Migration 0005 (a 14–17-year-old's phone needs a guardian's consent): the phones kept without
consent are cleared before the constraint is added, the participants' person keys are recomputed
without the phone (the ledger follows with ``manage.py rekey_people``, which upgrades run anyway). On a database of its own of the test database's kind (SQLite or PostgreSQL), in
a process of its own (tests/quizzes/migration_0005_scenario.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from organizations.people import person_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def scratch_environment(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "outreach.settings.test"}
    if connection.vendor != "postgresql":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp_path / "migration-0005.sqlite3")
        yield env
        return
    name = f"{connection.settings_dict['NAME']}_migration_0005"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env["DATABASE_URL"] = f"{base}/{name}"
    try:
        yield env
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run_scenario(module, environment):
    """Run a migration scenario in its own process; the facts it printed as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module],
        cwd=Path(settings.BASE_DIR),
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_phones_given_without_consent_are_cleared_and_rekeyed_before_the_constraint(scratch_environment):
    facts = run_scenario("tests.quizzes.migration_0005_scenario", scratch_environment)
    before, after, school = facts["before"], facts["after"], facts["school"]

    rekeyed = person_key(unit_id=school, name="赵强", class_name="初二一班")
    assert after["without_consent"] == {"phone": "", "person_key": rekeyed}
    assert after["with_consent"] == {"phone": "13900000002", "person_key": before["with_consent"]}
    assert after["adult"] == {"phone": "13900000003", "person_key": before["adult"]}
    assert after["no_phone"] == {"phone": "", "person_key": before["no_phone"]}
    # The one already holding the key without phone keeps it; the other's becomes null (as in 0004).
    assert after["twice_with_phone"] == {"phone": "", "person_key": None}
    assert after["twice_without_phone"] == {"phone": "", "person_key": before["twice_without_phone"]}


def test_0006_keeps_phones_only_as_digest_and_masked_and_migrates_back(scratch_environment):
    from organizations.people import phone_digest

    facts = run_scenario("tests.quizzes.migration_0006_scenario", scratch_environment)
    before, after, back = facts["before"], facts["after"], facts["back"]
    for label, phone in (("adult", "13900000003"), ("teen", "13900000002")):
        row = after[label]
        assert "phone" not in row and not [column for column, value in row.items() if phone in value]
        assert (row["phone_digest"], row["phone_masked"]) == (phone_digest(phone), f"{phone[:3]}****{phone[-4:]}")
        assert row["person_key"] == before[label]  # keys were computed from the phone and stay
    assert (after["no_phone"]["phone_digest"], after["no_phone"]["phone_masked"]) == ("", "")
    # Backwards does not fail, but the numbers are gone.
    assert back == {"adult": "", "teen": "", "no_phone": ""}
