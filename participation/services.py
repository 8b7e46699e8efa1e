"""Writes to the ledger. Every producer (the receivers for contests and events, activity reports,
the demo) goes through ``record_participation``, or ``record_participations`` for many at once,
idempotent on ``source``: recording the same thing again updates its entry in place, so a repeated
or late signal never counts twice."""

from collections import defaultdict
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import rollups
from .choices import Channel
from .models import ActivityReport, ParticipationEntry, StaleRollup, activity_source

# Past this many stale units of one campaign, one pass over the campaign's whole ledger is cheaper
# than filtering it by a long list of units.
WHOLE_CAMPAIGN_REBUILD = 200


@transaction.atomic
def record_participation(*, source, **fields) -> ParticipationEntry:
    """Create or update the entry for ``source``. ``fields`` are ``_entry_values``'s keywords
    (``campaign`` and ``unit`` instances or ids, ``channel``, ``audience``, ``occurred_at``, and
    the optional ``person_key``, ``class_name``, ``people``, scores, ``topic_results``, ``page_id``)."""
    values = _entry_values(**fields)
    candidate = ParticipationEntry(source=source, **values)
    # Field checks in Python (no queries); the foreign keys and the check constraints are the
    # database's, whose refusal comes back as the constraint's own message. That keeps the
    # receivers, which run for every finished sheet, at three queries an entry (the row, its
    # insert or update, the rollups' stale marker).
    _check(candidate)
    try:
        try:
            entry, previous = _upsert_entry(source, values)
        except IntegrityError:
            if not ParticipationEntry.objects.filter(source=source).exists():
                raise
            # Another delivery of this source inserted it first: update it in place, in order.
            entry, previous = _upsert_entry(source, values)
    except IntegrityError as error:
        raise _constraint_error(error) from error
    mark_rollups_stale(pairs=[*previous, (entry.campaign_id, entry.unit_id)])
    return entry


@transaction.atomic
def record_participations(*, entries) -> int:
    """``record_participation`` for many entries at once (dicts of its arguments), with the same
    checks and the same resulting rows, in a few statements whatever their number: one upsert on
    ``source`` and one stale marker per (campaign, unit). Nothing is written if one entry is
    invalid. A source given twice keeps its last entry, as two calls would. Returns how many
    entries were recorded."""
    candidates = {}
    for arguments in entries:
        arguments = dict(arguments)
        source = arguments.pop("source")
        candidate = ParticipationEntry(source=source, **_entry_values(**arguments))
        _check(candidate)
        candidates[source] = candidate
    if not candidates:
        return 0
    # The rows being replaced, locked (in one order, so two bulk writers cannot deadlock) and read
    # for their old campaign and unit, whose rollups go stale too.
    previous = list(
        ParticipationEntry.objects.select_for_update()
        .filter(source__in=list(candidates))
        .order_by("pk")
        .values_list("campaign_id", "unit_id")
    )
    try:
        ParticipationEntry.objects.bulk_create(
            candidates.values(),
            update_conflicts=True,
            unique_fields=["source"],
            update_fields=[*_VALUE_FIELDS, "updated_at"],
        )
    except IntegrityError as error:
        raise _constraint_error(error) from error
    mark_rollups_stale(pairs=[*previous, *((c.campaign_id, c.unit_id) for c in candidates.values())])
    return len(candidates)


_VALUE_FIELDS = (
    "campaign_id",
    "unit_id",
    "channel",
    "audience",
    "person_key",
    "class_name",
    "people",
    "occurred_at",
    "occurred_on",
    "score",
    "max_score",
    "passed",
    "full_marks",
    "topic_results",
    "page_id",
)


def _entry_values(
    *,
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
):
    """The entry's columns (all of ``_VALUE_FIELDS``) from ``record_participation``'s arguments."""
    return {
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


def _check(candidate):
    candidate.clean_fields(exclude=["campaign", "unit", "page"])
    candidate.clean()


def _upsert_entry(source, values):
    """(entry, [(old campaign id, old unit id)]) after inserting or updating the row of ``source``.
    The row lock keeps two deliveries of one source in order; the old campaign and unit are read so
    their rollups are marked stale too."""
    with transaction.atomic():
        entry = ParticipationEntry.objects.select_for_update().filter(source=source).first()
        if entry is None:
            return ParticipationEntry.objects.create(source=source, **values), []
        previous = [(entry.campaign_id, entry.unit_id)]
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save()
        return entry, previous


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
    entries = ParticipationEntry.objects.filter(source=source)
    mark_rollups_stale(pairs=entries.values_list("campaign_id", "unit_id"))
    deleted, _ = entries.delete()
    return bool(deleted)


@transaction.atomic
def withdraw_sources(*, prefix, keep=()) -> int:
    """Remove entries whose source starts with ``prefix`` except those in ``keep``: the stale
    attendance records of an event after its attendance changed."""
    stale = ParticipationEntry.objects.filter(source__startswith=prefix).exclude(source__in=list(keep))
    mark_rollups_stale(pairs=stale.values_list("campaign_id", "unit_id").distinct())
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


def mark_rollups_stale(*, pairs) -> None:
    """Mark the rollups of these (campaign id, unit id or None) pairs for recomputation.

    The marker is upserted, not merely inserted: the update takes its row lock until this
    transaction commits, so ``refresh_rollups`` (which locks the markers before reading the ledger)
    waits for this write and then sees it; a marker it already deleted is inserted again.
    """
    markers = {(campaign_id, unit_id or 0) for campaign_id, unit_id in pairs}
    if markers:
        StaleRollup.objects.bulk_create(
            [StaleRollup(campaign_id=campaign_id, unit_key=unit_key) for campaign_id, unit_key in sorted(markers)],
            update_conflicts=True,
            unique_fields=["campaign", "unit_key"],
            update_fields=["marked_at"],
        )


def rollups_are_stale(*, campaign) -> bool:
    return StaleRollup.objects.filter(campaign=campaign).exists()


@transaction.atomic
def refresh_rollups(*, campaign=None) -> int:
    """Recompute the rollups of every stale (campaign, unit), or only ``campaign``'s; returns how
    many units were recomputed. Safe to run concurrently with ledger writes and with itself."""
    markers = StaleRollup.objects.select_for_update().order_by("pk")
    if campaign is not None:
        markers = markers.filter(campaign=campaign)
    stale = list(markers.values_list("pk", "campaign_id", "unit_key"))
    by_campaign = defaultdict(set)
    for _pk, campaign_id, unit_key in stale:
        by_campaign[campaign_id].add(unit_key)
    for campaign_id, unit_keys in by_campaign.items():
        _rebuild(campaign_id, None if len(unit_keys) > WHOLE_CAMPAIGN_REBUILD else unit_keys)
    StaleRollup.objects.filter(pk__in=[pk for pk, _campaign_id, _unit_key in stale]).delete()
    return len(stale)


@transaction.atomic
def rebuild_rollups(*, campaign) -> None:
    """Recompute every rollup of ``campaign`` from the ledger (after a bulk load or a repair)."""
    StaleRollup.objects.select_for_update().filter(campaign=campaign).delete()
    _rebuild(getattr(campaign, "pk", campaign), None)


def _rebuild(campaign_id, unit_keys):
    """Replace the rollup rows of the campaign's units ``unit_keys`` (None: all) with the ledger's sums."""
    if unit_keys is None:
        units = Q()
    else:
        units = Q(unit_id__in=[key for key in unit_keys if key])
        if 0 in unit_keys:
            units |= Q(unit__isnull=True)
    entries = ParticipationEntry.objects.filter(units, campaign_id=campaign_id)
    for model, sums in rollups.ROLLUPS:
        model.objects.filter(units, campaign_id=campaign_id).delete()
        model.objects.bulk_create((model(campaign_id=campaign_id, **row) for row in sums(entries)), batch_size=2000)
