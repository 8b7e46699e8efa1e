"""Anonymising event registrations whose campaigns' retention has passed, or on a person's request
(outreach.privacy decides whom; this module knows only its own rows)."""

from django.db import transaction

from organizations.people import ALIAS_PREFIX, anonymous_alias, person_key

from .models import Registration


def _original_key(registration):
    return person_key(unit_id=registration.unit_id or 0, name=registration.name, phone=registration.phone)


def _not_anonymised(registrations):
    return registrations.exclude(name__startswith=ALIAS_PREFIX, phone="")


def registrations_in(*, campaign_ids):
    return _not_anonymised(Registration.objects.filter(event__campaign_id__in=campaign_ids)).order_by("pk")


def find_registrations(*, unit=None, name="", phone=""):
    """A person's registrations: by unit and name (compared as the person key compares them), or by phone."""
    if phone:
        return list(Registration.objects.filter(phone=phone).select_related("event", "unit").order_by("pk"))
    rows = Registration.objects.filter(unit=unit).select_related("event", "unit").order_by("pk")
    wanted = person_key(unit_id=unit.pk, name=name)
    return [row for row in rows if person_key(unit_id=unit.pk, name=row.name) == wanted]


@transaction.atomic
def anonymise_registrations(*, registrations) -> list[Registration]:
    """Replace the name by the person's alias and empty the phone (and the 查询码 digest); returns
    the rows changed, whose ledger entries the caller records again. The alias comes from the same
    person key the ledger used (unit, name, phone), and an empty phone adds nothing to the new key,
    so a person who also answered a contest (whose participant row becomes the same alias without
    phone) stays one."""
    done = []
    for registration in _not_anonymised(
        Registration.objects.select_for_update().filter(pk__in=[r.pk for r in registrations])
    ):
        key = _original_key(registration)
        # The 查询码 digest goes too: with no phone it finds nothing, and it ends the lookup's links.
        registration.name, registration.phone, registration.lookup_code_hash = anonymous_alias(key), "", ""
        registration.full_clean(exclude=["event"])
        registration.save(update_fields=["name", "phone", "lookup_code_hash"])
        done.append(registration)
    return done
