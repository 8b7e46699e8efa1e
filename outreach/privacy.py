"""Personal data across the apps (PIPL): anonymising a campaign's once its retention has passed,
and finding, exporting and deleting one person's on request. Every such action is audit-logged.

Anonymising replaces a name by an alias kept per person (organizations.people.anonymous_alias),
clears classes, phones and IP addresses, and records the rows' ledger entries again, so each
entry's person key becomes the alias's: a person still counts once, and no key can be recomputed
from a guessed name. The participation figures stay as they were.

Class rosters (full names of pupils) belong to a unit, not to a campaign: the same run deletes the
entries imported more than ``ROSTER_RETENTION_DAYS`` days ago (default 365), and deleting one
person's data deletes their roster entries too.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.privacy import mask_name, mask_phone
from events import privacy as event_privacy
from organizations import selectors as organization_selectors
from organizations.people import DELETE_ACTION, EXPORT_ACTION, LOOKUP_ACTION, PURGE_ACTION
from participation import receivers
from quizzes import privacy as quiz_privacy


@dataclass
class PurgeResult:
    campaign: object
    participants: int = 0
    registrations: int = 0


def _anonymise(*, participants, registrations):
    """Anonymise the rows and record their ledger entries again; returns (participants, registrations) changed."""
    anonymised, sheets = quiz_privacy.anonymise_participants(participants=participants)
    for sheet in sheets:
        receivers.record_sheet(sheet=sheet)
    changed = event_privacy.anonymise_registrations(registrations=registrations)
    for registration in changed:
        receivers.record_registration(registration=registration)
    return anonymised, len(changed)


class PurgeRun(list):
    """The campaigns' ``PurgeResult``s, and how many roster entries were deleted (or, in a dry
    run, would be) before ``rosters_created_before``."""

    roster_entries = 0
    rosters_created_before = None


ROSTER_RETENTION_DAYS = 365


def roster_cutoff(*, today: datetime.date) -> datetime.datetime:
    """Roster entries created before this (local midnight, ``ROSTER_RETENTION_DAYS`` before
    ``today``) are due."""
    days = getattr(settings, "ROSTER_RETENTION_DAYS", ROSTER_RETENTION_DAYS)
    return timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time.min))


def purge_personal_data(*, today: datetime.date | None = None, dry_run=False) -> PurgeRun:
    """Anonymise the personal data of every campaign kept until before ``today``. A participant is
    anonymised once all the campaigns they answered for are due. Then delete the roster entries
    older than ``ROSTER_RETENTION_DAYS`` (each unit's deletion audit-logged against the unit)."""
    today = today or timezone.localdate()
    due = organization_selectors.campaigns_past_retention(today=today)
    due_ids = [campaign.pk for campaign in due]
    eligible = quiz_privacy.participants_only_in(campaign_ids=due_ids)
    results = PurgeRun()
    for campaign in due:
        in_campaign = list(eligible.filter(sheets__contest__campaign_id=campaign.pk))
        registrations = list(event_privacy.registrations_in(campaign_ids=[campaign.pk]))
        result = PurgeResult(campaign=campaign, participants=len(in_campaign), registrations=len(registrations))
        if not dry_run and (in_campaign or registrations):
            with transaction.atomic():
                result.participants, result.registrations = _anonymise(
                    participants=in_campaign, registrations=registrations
                )
                if result.participants or result.registrations:
                    log(
                        instance=campaign,
                        action=PURGE_ACTION,
                        data={
                            "kept_until": campaign.personal_data_kept_until.isoformat(),
                            "participants": result.participants,
                            "registrations": result.registrations,
                        },
                    )
        results.append(result)
    results.rosters_created_before = roster_cutoff(today=today)
    results.roster_entries = quiz_privacy.purge_rosters(older_than=results.rosters_created_before, dry_run=dry_run)
    return results


# One person's data ---------------------------------------------------------------------------


@dataclass
class PersonData:
    participants: list = field(default_factory=list)
    sheets: list = field(default_factory=list)
    registrations: list = field(default_factory=list)
    roster_entries: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.participants or self.registrations or self.roster_entries)


def _log_staff_action(user, action, data):
    # Logged against the account that acted. The admin's request.user is a lazy wrapper, in which
    # wagtail's log registry finds no model (and would silently log nothing): the account itself.
    account = get_user_model().objects.get(pk=user.pk)
    log(instance=account, action=action, user=account, data=data)


def _query_for_log(*, unit, name, phone):
    # The audit log must not become one more copy of the data it protects.
    return {"unit": unit.pk if unit else None, "name": mask_name(name) if name else "", "phone": mask_phone(phone)}


def find_person(*, user, unit=None, name="", phone="") -> PersonData:
    """Everything kept about one person: by unit and name, or by phone. Logged against ``user``."""
    participants = quiz_privacy.find_participants(unit=unit, name=name, phone=phone)
    found = PersonData(
        participants=participants,
        sheets=quiz_privacy.sheets_of(participants=participants),
        registrations=event_privacy.find_registrations(unit=unit, name=name, phone=phone),
        roster_entries=quiz_privacy.find_roster_entries(unit=unit, name=name, phone=phone),
    )
    _log_staff_action(
        user,
        LOOKUP_ACTION,
        {
            **_query_for_log(unit=unit, name=name, phone=phone),
            "participants": len(found.participants),
            "registrations": len(found.registrations),
            "roster_entries": len(found.roster_entries),
        },
    )
    return found


def export_rows(*, user, found: PersonData, unit=None, name="", phone=""):
    """(header, rows) of one person's data for a spreadsheet. Logged against ``user``."""
    header = [_("类别"), _("姓名"), _("单位"), _("班级"), _("手机号"), _("内容"), _("时间"), _("IP 地址")]
    rows = []
    sheets_by_participant = {}
    for sheet in found.sheets:
        sheets_by_participant.setdefault(sheet.participant_id, []).append(sheet)
    for participant in found.participants:
        rows.append(
            [
                _("答题人"),
                participant.name,
                participant.unit.name,
                participant.class_name,
                participant.phone_masked,
                participant.get_age_band_display(),
                timezone.localtime(participant.created_at).isoformat(timespec="seconds"),
                "",
            ]
        )
        for sheet in sheets_by_participant.get(participant.pk, []):
            score = "" if sheet.score is None else f"{sheet.score}/{sheet.max_score}"
            rows.append(
                [
                    _("答卷"),
                    participant.name,
                    sheet.unit.name,
                    participant.class_name,
                    "",
                    f"{sheet.contest.title} {score}".strip(),
                    timezone.localtime(sheet.started_at).isoformat(timespec="seconds"),
                    sheet.ip_address or "",
                ]
            )
    for registration in found.registrations:
        rows.append(
            [
                _("活动报名"),
                registration.name,
                registration.unit.name if registration.unit else "",
                "",
                registration.phone,
                f"{registration.event.title} {registration.occurrence_date.isoformat()}",
                timezone.localtime(registration.created_at).isoformat(timespec="seconds"),
                "",
            ]
        )
    for entry in found.roster_entries:
        rows.append(
            [
                _("班级名单"),
                entry.name,
                entry.unit.name,
                entry.class_name,
                "",
                "",
                timezone.localtime(entry.created_at).isoformat(timespec="seconds"),
                "",
            ]
        )
    _log_staff_action(
        user,
        EXPORT_ACTION,
        {**_query_for_log(unit=unit, name=name, phone=phone), "rows": len(rows)},
    )
    return header, rows


@transaction.atomic
def delete_person(*, user, found: PersonData, unit=None, name="", phone=""):
    """Anonymise one person's rows now, as retention would (their figures stay), and delete their
    roster entries (the name is then no longer on the unit's roster). Logged against ``user``;
    returns (participants, registrations) changed."""
    participants, registrations = _anonymise(participants=found.participants, registrations=found.registrations)
    roster_entries = quiz_privacy.delete_roster_entries(entries=found.roster_entries)
    _log_staff_action(
        user,
        DELETE_ACTION,
        {
            **_query_for_log(unit=unit, name=name, phone=phone),
            "participants": participants,
            "registrations": registrations,
            "roster_entries": roster_entries,
        },
    )
    return participants, registrations
