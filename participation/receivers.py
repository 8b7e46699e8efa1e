"""Adapters from the contest and event signals into the ledger. The ledger itself (models,
services, selectors) knows nothing of contests or events; this module reads their outcomes
through their selectors and records them. Connected once in ``ParticipationConfig.ready``.

Sources (unique in the ledger, so a repeated signal updates in place):
- ``quizzes.sheet:<public id>``: a finished answer sheet (channel contest);
- ``events.registration:<id>``: a registration while it is not cancelled (confirmed or waitlisted);
- ``events.checkin:<id>``: the same registration once checked in;
- ``events.attendance:<record id>``: one staff-recorded attendance count; records no longer in
  the event's attendance are withdrawn.
A contest or event that names no campaign records nothing (and withdraws what it had recorded).
"""

import datetime

from django.db.models.signals import post_delete
from django.utils import timezone

from events import signals as event_signals
from events.choices import RegistrationStatus
from events.selectors import attendance_outcomes, registration_outcome
from organizations.models import Unit, audience_for_unit_kind
from organizations.people import person_key
from quizzes import signals as quiz_signals
from quizzes.selectors import sheet_outcome, sheet_outcomes

from . import services
from .choices import Channel
from .models import ActivityReport, ParticipationEntry, activity_source

SHEET_SOURCE = "quizzes.sheet:{}"
REGISTRATION_SOURCE = "events.registration:{}"
CHECKIN_SOURCE = "events.checkin:{}"
ATTENDANCE_SOURCE = "events.attendance:{}"


def _unit_kinds(unit_ids):
    ids = {unit_id for unit_id in unit_ids if unit_id is not None}
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "kind")) if ids else {}


def _noon(day):
    if isinstance(day, datetime.datetime):
        return day
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def record_sheet(*, sheet):
    outcome = sheet_outcome(sheet=sheet)
    if outcome["campaign_id"] is None:
        services.withdraw_participation(source=SHEET_SOURCE.format(sheet.public_id))
        return None
    return services.record_participation(**_sheet_entry(outcome))


def record_sheets(*, sheet_ids):
    """``record_sheet`` for many finished sheets, in a few queries whatever their number (the
    demo's simulated sheets): the same entries, one bulk upsert. Returns how many were recorded."""
    entries = []
    for outcome in sheet_outcomes(sheet_ids=sheet_ids).values():
        if outcome["campaign_id"] is None:
            services.withdraw_participation(source=SHEET_SOURCE.format(outcome["public_id"]))
        else:
            entries.append(_sheet_entry(outcome))
    return services.record_participations(entries=entries)


def _sheet_entry(outcome):
    """``services.record_participation``'s arguments for a sheet's outcome."""
    return {
        "source": SHEET_SOURCE.format(outcome["public_id"]),
        "campaign": outcome["campaign_id"],
        "unit": outcome["unit_id"],
        "channel": Channel.CONTEST,
        "audience": audience_for_unit_kind(outcome["unit_kind"]),
        # The participant's own key (the phone is in it and not kept in plain text); one from before
        # person keys is counted by unit, class and name.
        "person_key": outcome["person_key"]
        or person_key(unit_id=outcome["unit_id"], name=outcome["name"], class_name=outcome["class_name"]),
        "class_name": outcome["class_name"],
        "occurred_at": outcome["finished_at"],
        "score": outcome["score"],
        "max_score": outcome["max_score"],
        "passed": outcome["passed"],
        "full_marks": outcome["full_marks"],
        "topic_results": outcome["topic_results"],
        "page_id": outcome["contest_page_id"],
    }


def record_registration(*, registration):
    outcome = registration_outcome(registration=registration)
    registration_source = REGISTRATION_SOURCE.format(registration.pk)
    checkin_source = CHECKIN_SOURCE.format(registration.pk)
    # A cancelled registration, or a group held for staff review, is no participation (yet).
    if outcome["campaign_id"] is None or outcome["status"] in (
        RegistrationStatus.CANCELLED,
        RegistrationStatus.PENDING,
    ):
        services.withdraw_participation(source=registration_source)
        services.withdraw_participation(source=checkin_source)
        return
    unit_id = outcome["unit_id"]
    kind = _unit_kinds([unit_id]).get(unit_id)
    party_size = outcome["party_size"]
    # One person is one person (deduplicated with their sheets); a unit's group is a head count.
    key = person_key(unit_id=unit_id or 0, name=outcome["name"], phone=outcome["phone"]) if party_size == 1 else ""
    common = {
        "campaign": outcome["campaign_id"],
        "unit": unit_id,
        "audience": audience_for_unit_kind(kind),
        "person_key": key,
        "people": party_size,
        "page_id": outcome["event_page_id"],
    }
    services.record_participation(
        source=registration_source, channel=Channel.EVENT_REGISTRATION, occurred_at=outcome["created_at"], **common
    )
    if outcome["checked_in_at"] is not None:
        services.record_participation(
            source=checkin_source, channel=Channel.EVENT_CHECKIN, occurred_at=outcome["checked_in_at"], **common
        )
    else:
        services.withdraw_participation(source=checkin_source)


def record_attendance(*, event):
    outcomes = [row for row in attendance_outcomes(event=event) if row["campaign_id"] is not None]
    kinds = _unit_kinds(row["unit_id"] for row in outcomes)
    kept = []
    for row in outcomes:
        source = ATTENDANCE_SOURCE.format(row["source_id"])
        kept.append(source)
        services.record_participation(
            source=source,
            campaign=row["campaign_id"],
            unit=row["unit_id"],
            channel=Channel.EVENT_ATTENDANCE,
            audience=audience_for_unit_kind(kinds.get(row["unit_id"])),
            people=row["people"],
            occurred_at=_noon(row["date"]),
            page_id=event.pk,
        )
    stale = ParticipationEntry.objects.filter(page_id=event.pk, channel=Channel.EVENT_ATTENDANCE).exclude(
        source__in=kept
    )
    for source in stale.values_list("source", flat=True):
        services.withdraw_participation(source=source)


def _on_sheet_finished(sender, sheet, **kwargs):
    record_sheet(sheet=sheet)


def _on_registration_changed(sender, registration, **kwargs):
    record_registration(registration=registration)


def _on_attendance_changed(sender, event, **kwargs):
    record_attendance(event=event)


def _on_activity_report_deleted(sender, instance, **kwargs):
    # However a report goes (the admin, a bulk delete, the shell), its entry goes with it.
    services.withdraw_participation(source=activity_source(instance.pk))


def connect():
    post_delete.connect(
        _on_activity_report_deleted, sender=ActivityReport, dispatch_uid="participation-activity-report-deleted"
    )

    quiz_signals.sheet_finished.connect(_on_sheet_finished, dispatch_uid="participation-sheet-finished")
    event_signals.registration_changed.connect(
        _on_registration_changed, dispatch_uid="participation-registration-changed"
    )
    event_signals.attendance_changed.connect(_on_attendance_changed, dispatch_uid="participation-attendance-changed")
