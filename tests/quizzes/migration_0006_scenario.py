"""Migration 0006 run on a database of its own, in a process of its own (as
migration_0005_scenario): migrate to quizzes 0005, store participants with and without a phone,
migrate to 0006 and print what became of them as JSON, then migrate back to 0005 (which must not
fail; the phones cannot come back)."""

import json

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.utils import timezone  # noqa: E402

from organizations.people import person_key  # noqa: E402

BEFORE = [("quizzes", "0005_phone_14_to_17_needs_consent")]
AFTER = [("quizzes", "0006_participant_phone_digest")]


def historical_apps(targets):
    return MigrationExecutor(connection).loader.project_state(targets).apps


def main():
    call_command("migrate", "quizzes", BEFORE[0][1], verbosity=0)
    apps = historical_apps(BEFORE)
    Participant = apps.get_model("quizzes", "Participant")
    Unit = apps.get_model("organizations", "Unit")
    city = Unit.objects.create(name="迁移测试市", kind="city", join_token="migration-0006-city")
    town = Unit.objects.create(name="迁移测试镇", kind="town", parent=city, join_token="migration-0006-town")
    Unit.objects.filter(pk=town.pk).update(town=town)
    school = Unit.objects.create(
        name="迁移测试中学", kind="school", parent=town, town=town, join_token="migration-0006-school"
    )

    def participant(name, phone, age_band="adult"):
        return Participant.objects.create(
            name=name,
            unit=school,
            age_band=age_band,
            phone=phone,
            person_key=person_key(unit_id=school.pk, name=name, phone=phone),
            guardian_consent_at=timezone.now(),
            guardian_consent_version="2026-1",
        )

    people = {
        "adult": participant("孙丽", "13900000003"),
        "teen": participant("钱军", "13900000002", age_band="14to17"),
        "no_phone": participant("李华", ""),
    }
    before = {label: row.person_key for label, row in people.items()}

    call_command("migrate", "quizzes", AFTER[0][1], verbosity=0)
    Participant = historical_apps(AFTER).get_model("quizzes", "Participant")
    after = {}
    for label, row in people.items():
        values = Participant.objects.filter(pk=row.pk).values().get()
        after[label] = {key: str(value) for key, value in values.items()}

    call_command("migrate", "quizzes", BEFORE[0][1], verbosity=0)
    Participant = historical_apps(BEFORE).get_model("quizzes", "Participant")
    back = {label: Participant.objects.get(pk=row.pk).phone for label, row in people.items()}
    print(json.dumps({"before": before, "after": after, "back": back}))


if __name__ == "__main__":
    main()
