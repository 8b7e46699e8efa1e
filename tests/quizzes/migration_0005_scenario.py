"""Migration 0005 run on a database of its own, in a process of its own (wagtail's first migration
writes to the default database whatever the alias, so the scratch database must be the default):
migrate to quizzes 0004, store 14–17-year-olds with and without consent, migrate to 0005 and print
what became of them as JSON. Run by tests/quizzes/test_migrations.py with SQLITE_PATH or
DATABASE_URL pointing at an empty database."""

import json

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.utils import timezone  # noqa: E402

from organizations.people import person_key  # noqa: E402

BEFORE = [("quizzes", "0004_one_person_one_allowance")]


def historical_apps(targets):
    return MigrationExecutor(connection).loader.project_state(targets).apps


def main():
    for app_label, name in BEFORE:
        call_command("migrate", app_label, name, verbosity=0)
    apps = historical_apps(BEFORE)
    Participant = apps.get_model("quizzes", "Participant")
    now = timezone.now()
    Unit = apps.get_model("organizations", "Unit")
    city = Unit.objects.create(name="迁移测试市", kind="city", join_token="migration-0005-city")
    town = Unit.objects.create(name="迁移测试镇", kind="town", parent=city, join_token="migration-0005-town")
    Unit.objects.filter(pk=town.pk).update(town=town)
    school = Unit.objects.create(
        name="迁移测试中学", kind="school", parent=town, town=town, join_token="migration-0005-school"
    )

    def participant(name, phone, age_band="14to17", consent=False):
        return Participant.objects.create(
            name=name,
            unit=school,
            class_name="初二一班",
            age_band=age_band,
            phone=phone,
            person_key=person_key(unit_id=school.pk, name=name, class_name="初二一班", phone=phone),
            guardian_consent_at=now if consent else None,
            guardian_consent_version="2026-1" if consent else "",
        )

    people = {
        "without_consent": participant("赵强", "13900000001"),
        "with_consent": participant("钱军", "13900000002", consent=True),
        "adult": participant("孙丽", "13900000003", age_band="adult"),
        "no_phone": participant("李华", ""),
        # 周明 identified once with a phone (no consent) and once without: the latter has that key.
        "twice_with_phone": participant("周明", "13900000004"),
        "twice_without_phone": participant("周明", ""),
    }
    before = {label: row.person_key for label, row in people.items()}

    call_command("migrate", "quizzes", "0005", verbosity=0)
    apps = historical_apps([("quizzes", "0005_phone_14_to_17_needs_consent")])
    after = {row.pk: row for row in apps.get_model("quizzes", "Participant").objects.all()}
    print(
        json.dumps(
            {
                "school": school.pk,
                "before": before,
                "after": {
                    label: {"phone": after[row.pk].phone, "person_key": after[row.pk].person_key}
                    for label, row in people.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
