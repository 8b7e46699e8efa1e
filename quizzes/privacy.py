"""Anonymising contest participants whose campaigns' retention has passed, or on a person's request
(outreach.privacy decides whom; this module knows only its own rows), and deleting class rosters
once they are old: a roster belongs to a unit, not to a campaign, so it is kept for a number of
days from its import (``ROSTER_RETENTION_DAYS``) rather than by a campaign's retention."""

from collections import Counter

from django.db import transaction
from django.db.models import Q
from wagtail.log_actions import log

from organizations.models import Unit
from organizations.people import (
    ALIAS_PREFIX,
    anonymous_alias,
    is_anonymous_alias,
    normalise_name,
    person_key,
    phone_digest,
)

from .models import AnswerSheet, Participant, RosterEntry

# Audit-log action of a roster purge (labels in wagtail_hooks), logged against each unit.
ROSTER_PURGE_ACTION = "privacy.purge_rosters"


def _original_key(participant):
    # The key the person identified with (computed from the phone then; the phone is not kept);
    # a participant from before person keys has none and is known by unit, class and name.
    return participant.person_key or person_key(
        unit_id=participant.unit_id, name=participant.name, class_name=participant.class_name
    )


def participants_only_in(*, campaign_ids):
    """Participants not yet anonymised whose every sheet belongs to a contest of ``campaign_ids``:
    someone still taking part in a later campaign (or a contest without one) keeps their data."""
    elsewhere = AnswerSheet.objects.exclude(contest__campaign_id__in=campaign_ids)
    return (
        Participant.objects.filter(sheets__contest__campaign_id__in=campaign_ids)
        .exclude(sheets__in=elsewhere)
        .exclude(name__startswith=ALIAS_PREFIX, class_name="", phone_digest="", phone_masked="")
        .distinct()
        .order_by("pk")
    )


def find_participants(*, unit=None, name="", phone=""):
    """A person's participant rows: by unit and name (compared as the person key compares them),
    or by phone (compared as its digest: the number itself is not kept)."""
    if phone:
        digest = phone_digest(phone)
        return list(Participant.objects.filter(phone_digest=digest).select_related("unit").order_by("pk"))
    wanted = person_key(unit_id=unit.pk, name=name)
    rows = Participant.objects.filter(unit=unit).select_related("unit").order_by("pk")
    return [row for row in rows if person_key(unit_id=unit.pk, name=row.name) == wanted]


def sheets_of(*, participants):
    return list(
        AnswerSheet.objects.filter(participant__in=participants)
        .select_related("contest", "unit")
        .order_by("participant_id", "started_at")
    )


@transaction.atomic
def anonymise_participants(*, participants) -> tuple[int, list[AnswerSheet]]:
    """Replace name, class and phone by the person's alias and drop the sheets' IP addresses.
    Returns how many participants changed and their finished sheets, whose ledger entries the
    caller records again."""
    done = []
    for participant in Participant.objects.select_for_update().filter(pk__in=[p.pk for p in participants]):
        if is_anonymous_alias(participant.name):
            continue
        alias = anonymous_alias(_original_key(participant))
        participant.name, participant.class_name = alias, ""
        participant.phone_digest, participant.phone_masked = "", ""
        if participant.person_key:
            participant.person_key = person_key(unit_id=participant.unit_id, name=alias)
        participant.full_clean()
        participant.save(update_fields=["name", "class_name", "phone_digest", "phone_masked", "person_key"])
        done.append(participant.pk)
    sheets = AnswerSheet.objects.filter(participant_id__in=done)
    sheets.filter(~Q(ip_address=None)).update(ip_address=None)
    return len(done), list(sheets.finished().order_by("pk"))


# Class rosters ---------------------------------------------------------------------------------


def find_roster_entries(*, unit=None, name="", phone=""):
    """A person's roster entries: by unit and name, compared normalised as identifying compares
    them. Rosters hold no phones, so a lookup by phone finds none."""
    if phone or unit is None:
        return []
    return list(
        RosterEntry.objects.filter(unit=unit, name_key=normalise_name(name)[:120])
        .select_related("unit")
        .order_by("class_key", "pk")
    )


def delete_roster_entries(*, entries) -> int:
    deleted, _by_model = RosterEntry.objects.filter(pk__in=[entry.pk for entry in entries]).delete()
    return deleted


@transaction.atomic
def purge_rosters(*, older_than, dry_run=False) -> int:
    """Delete the roster entries created before ``older_than`` (an aware datetime); returns how
    many (with ``dry_run``, how many would be). Each unit that lost entries gets an audit-log entry
    with their number. A unit whose whole roster is deleted is open to any name again, as a unit
    that never had one."""
    due = RosterEntry.objects.filter(created_at__lt=older_than)
    per_unit = Counter(due.values_list("unit_id", flat=True))
    if dry_run or not per_unit:
        return sum(per_unit.values())
    due.delete()
    for unit in Unit.objects.filter(pk__in=per_unit).order_by("pk"):
        log(
            instance=unit,
            action=ROSTER_PURGE_ACTION,
            data={"roster_entries": per_unit[unit.pk], "created_before": older_than.isoformat()},
        )
    return sum(per_unit.values())
