"""Contest participants' phones are no longer kept as typed (issue 9, PIPL): each becomes its keyed
digest (``organizations.people.phone_digest``, so a lookup by phone still finds the person) and its
masked form (138****1234, what staff see). Person keys are unchanged: they were computed from the
phone when the person identified and stay as they are.

Not reversible in substance: migrating backwards restores the ``phone`` column empty (the numbers
are gone) and drops the digests."""

from django.db import migrations, models
from django.db.models import Q

from core.privacy import mask_phone
from organizations.people import phone_digest


def digest_phones(apps, schema_editor):
    Participant = apps.get_model("quizzes", "Participant")
    db = schema_editor.connection.alias
    for pk, phone in list(Participant.objects.using(db).exclude(phone="").values_list("pk", "phone")):
        Participant.objects.using(db).filter(pk=pk).update(
            phone_digest=phone_digest(phone), phone_masked=mask_phone(phone)
        )


NO_PHONE = Q(phone_digest="", phone_masked="")


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0005_phone_14_to_17_needs_consent"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="participant", name="participant_no_phone_under_14"),
        migrations.RemoveConstraint(model_name="participant", name="participant_phone_14_to_17_needs_consent"),
        migrations.RemoveConstraint(model_name="participant", name="participant_phone_format"),
        migrations.AddField(
            model_name="participant",
            name="phone_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="participant",
            name="phone_masked",
            field=models.CharField(blank=True, default="", editable=False, max_length=11, verbose_name="手机号"),
            preserve_default=False,
        ),
        migrations.RunPython(digest_phones, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="participant", name="phone"),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.CheckConstraint(
                condition=~Q(age_band="under14") | NO_PHONE, name="participant_no_phone_under_14"
            ),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.CheckConstraint(
                condition=~Q(age_band="14to17")
                | NO_PHONE
                | (Q(guardian_consent_at__isnull=False) & ~Q(guardian_consent_version="")),
                name="participant_phone_14_to_17_needs_consent",
            ),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.CheckConstraint(
                condition=NO_PHONE
                | (Q(phone_digest__regex=r"^[0-9a-f]{64}\Z") & Q(phone_masked__regex=r"^1[3-9][0-9]\*{4}[0-9]{4}\Z")),
                name="participant_phone_format",
            ),
        ),
    ]
