"""Writes to the ledger. Every producer (the receivers for contests and events, activity reports,
the demo) goes through ``record_participation``, idempotent on ``source``: recording the same
thing again updates its entry in place, so a repeated or late signal never counts twice."""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .choices import Channel
from .models import ActivityReport, ParticipationEntry, activity_source


@transaction.atomic
def record_participation(
    *,
    source,
    campaign,
    unit,
    channel,
    audience,
    occurred_at,
    person_key="",
    class_name="",
    people=1,
    score=None,
    max_score=None,
    passed=None,
    full_marks=None,
    topic_results=None,
    page_id=None,
) -> ParticipationEntry:
    """Create or update the entry for ``source``. ``campaign`` and ``unit`` are instances or ids."""
    values = {
        "campaign_id": getattr(campaign, "pk", campaign),
        "unit_id": getattr(unit, "pk", unit),
        "channel": channel,
        "audience": audience,
        "person_key": person_key or "",
        "class_name": (class_name or "")[:30],
        "people": people,
        "occurred_at": occurred_at,
        "occurred_on": timezone.localdate(occurred_at) if timezone.is_aware(occurred_at) else occurred_at.date(),
        "score": score,
        "max_score": max_score,
        "passed": passed,
        "full_marks": full_marks,
        "topic_results": _clean_topic_results(topic_results),
        "page_id": page_id,
    }
    candidate = ParticipationEntry(source=source, **values)
    # Field checks in Python (no queries); the foreign keys and the check constraints are the
    # database's, whose refusal comes back as the constraint's own message. That keeps the
    # receivers, which run for every finished sheet, at two queries an entry.
    candidate.clean_fields(exclude=["campaign", "unit", "page"])
    candidate.clean()
    try:
        with transaction.atomic():
            # update_or_create locks the row; two deliveries racing to insert meet the unique source.
            entry, _created = ParticipationEntry.objects.update_or_create(source=source, defaults=values)
    except IntegrityError as error:
        raise _constraint_error(error) from error
    return entry


def _constraint_error(error):
    for constraint in ParticipationEntry._meta.constraints:
        if constraint.name in str(error):
            return ValidationError(constraint.get_violation_error_message(), code="constraint")
    return error


def _clean_topic_results(topic_results):
    """{topic_id: [correct, total]} with string keys (as JSON stores them) and whole numbers."""
    cleaned = {}
    for topic_id, pair in (topic_results or {}).items():
        correct, total = (int(value) for value in pair)
        if total > 0 and 0 <= correct <= total:
            cleaned[str(topic_id)] = [correct, total]
    return cleaned


@transaction.atomic
def withdraw_participation(*, source) -> bool:
    """Remove the entry for ``source`` (a cancelled registration, a deleted record). True if one existed."""
    deleted, _ = ParticipationEntry.objects.filter(source=source).delete()
    return bool(deleted)


@transaction.atomic
def withdraw_sources(*, prefix, keep=()) -> int:
    """Remove entries whose source starts with ``prefix`` except those in ``keep``: the stale
    attendance records of an event after its attendance changed."""
    stale = ParticipationEntry.objects.filter(source__startswith=prefix).exclude(source__in=list(keep))
    deleted, _ = stale.delete()
    return deleted


@transaction.atomic
def save_activity_report(*, report: ActivityReport) -> ActivityReport:
    """Validate and save an activity report, and record (or update) its ledger entry."""
    report.full_clean()
    report.save()
    occurred_at = timezone.make_aware(datetime.combine(report.held_on, time(12)))
    record_participation(
        source=activity_source(report.pk),
        campaign=report.campaign_id,
        unit=report.unit_id,
        channel=Channel.ACTIVITY,
        audience=report.audience,
        people=report.people,
        occurred_at=occurred_at,
    )
    return report


@transaction.atomic
def delete_activity_report(*, report: ActivityReport) -> None:
    withdraw_participation(source=activity_source(report.pk))
    report.delete()
