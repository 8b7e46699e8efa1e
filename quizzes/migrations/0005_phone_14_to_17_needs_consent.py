"""A teenager of 14–17 gives a phone number only with a guardian's consent (issue 9, PIPL).

The phones of the 14–17-year-olds kept without consent are cleared first, and each such
participant's person key is recomputed without the phone, as identifying now computes it
(quizzes.services.participants). Where another participant already has that key (the same person
identified again without a phone), that one keeps it, as in 0004, and this one's becomes null.
The ledger is not touched here (contests know nothing of it): ``manage.py rekey_people`` re-records
it with the new keys, as after any upgrade that changes keys."""

from django.db import migrations, models
from django.db.models import Q

from organizations.people import person_key

FROM_14_TO_17 = "14to17"


def clear_phones_given_without_consent(apps, schema_editor):
    Participant = apps.get_model("quizzes", "Participant")
    db = schema_editor.connection.alias
    without_consent = (
        Participant.objects.using(db)
        .filter(age_band=FROM_14_TO_17)
        .exclude(phone="")
        .filter(Q(guardian_consent_at__isnull=True) | Q(guardian_consent_version=""))
        .order_by("pk")
    )
    # Listed first: the loop changes the very rows the query selects (and there are few of them).
    for participant in list(without_consent):
        key = person_key(unit_id=participant.unit_id, name=participant.name, class_name=participant.class_name)
        if participant.person_key is not None:
            taken = Participant.objects.using(db).filter(person_key=key).exclude(pk=participant.pk).exists()
            participant.person_key = None if taken else key
        Participant.objects.using(db).filter(pk=participant.pk).update(phone="", person_key=participant.person_key)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0004_one_person_one_allowance"),
    ]

    operations = [
        migrations.RunPython(clear_phones_given_without_consent, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("age_band", "14to17"), _negated=True),
                    ("phone", ""),
                    models.Q(("guardian_consent_at__isnull", False), models.Q(("guardian_consent_version", ""), _negated=True)),
                    _connector="OR",
                ),
                name="participant_phone_14_to_17_needs_consent",
            ),
        ),
    ]
