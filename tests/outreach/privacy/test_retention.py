"""Retention: a campaign's names, classes, phones and IP addresses are anonymised after its
retention period, the participation figures stay exactly as they were, and it is audit-logged."""

import contextlib
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import services as event_services
from events.models import Registration
from events.recurrence import LOCAL_TIME_ZONE
from organizations.people import PURGE_ACTION, is_anonymous_alias, person_key
from outreach import privacy, tasks
from participation import selectors
from participation.models import ParticipationEntry
from quizzes.choices import AgeBand
from quizzes.factories import ParticipantFactory
from quizzes.models import AnswerSheet, Participant
from tests.outreach.privacy.conftest import finish_sheet

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def _today(day):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", localdate)
        yield


def _figures(campaign, school):
    return [selectors.figures_for(campaign=campaign), selectors.figures_for(campaign=campaign, unit=school)]


def _ledger(campaign):
    return sorted(
        ParticipationEntry.objects.filter(campaign=campaign).values_list("source", "person_key", "class_name")
    )


def test_nothing_changes_until_the_retention_has_passed(campaign, school, people):
    ledger = _ledger(campaign)
    results = privacy.purge_personal_data(today=campaign.personal_data_kept_until)
    assert [result.campaign for result in results] == []
    assert sorted(Participant.objects.filter(unit=school).values_list("name", flat=True)) == ["张小明", "李华", "赵强"]
    assert set(Registration.objects.filter(unit=school).values_list("phone", flat=True)) == {
        "13800000001",
        "13800000002",
    }
    assert _ledger(campaign) == ledger


def test_after_the_retention_names_classes_phones_and_ips_are_gone_and_figures_stay(campaign, school, people):
    before = _figures(campaign, school)
    original_keys = set(ParticipationEntry.objects.filter(campaign=campaign).values_list("person_key", flat=True))

    [result] = privacy.purge_personal_data(today=campaign.personal_data_kept_until + datetime.timedelta(days=1))

    assert (result.campaign, result.participants, result.registrations) == (campaign, 3, 2)
    for participant in Participant.objects.filter(unit=school):
        assert is_anonymous_alias(participant.name)
        assert (participant.class_name, participant.phone_digest, participant.phone_masked) == ("", "", "")
    assert not AnswerSheet.objects.filter(participant__in=people).exclude(ip_address=None).exists()
    for registration in Registration.objects.filter(unit=school):
        assert is_anonymous_alias(registration.name)
        assert registration.phone == ""
    entries = ParticipationEntry.objects.filter(campaign=campaign)
    assert not entries.exclude(class_name="").exists()
    # No entry keeps a key that a guessed name, class and phone would give.
    assert not original_keys & set(entries.values_list("person_key", flat=True))
    assert person_key(unit_id=school.pk, name="张小明", class_name="三年级一班") in original_keys
    assert _figures(campaign, school) == before

    log = ModelLogEntry.objects.get(action=PURGE_ACTION, object_id=str(campaign.pk))
    assert (log.data["participants"], log.data["registrations"]) == (3, 2)


def test_someone_who_answered_and_came_to_the_event_still_counts_once_after_the_purge(
    campaign, contest, event, school, people, django_capture_on_commit_callbacks
):
    # A teacher answered the contest with the phone they registered with: one person, one key.
    teacher = ParticipantFactory(
        unit=school,
        name="周老师",
        class_name="",
        age_band=AgeBand.ADULT,
        phone="13800000003",
        # As identifying gives it: the phone is in the key, and kept only as its digest.
        person_key=person_key(unit_id=school.pk, name="周老师", phone="13800000003"),
        guardian_consent_at=None,
        guardian_consent_version="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        sheet = finish_sheet(contest, teacher, correct=True)
        registration, _token = event_services.register(
            event=event,
            occurrence_date=event.starts_at.astimezone(LOCAL_TIME_ZONE).date(),
            name="周老师",
            phone="13800000003",
            unit=school,
            adult_or_guardian_consent=True,
        )
        event_services.check_in(event=event, public_id=registration.public_id)
    sources = [f"quizzes.sheet:{sheet.public_id}", f"events.checkin:{registration.pk}"]

    def teachers_keys():
        return set(ParticipationEntry.objects.filter(source__in=sources).values_list("person_key", flat=True))

    assert len(teachers_keys()) == 1
    before = _figures(campaign, school)
    # 张小明, 李华, 赵强 (sheets) and the teacher once (a sheet and a check-in).
    assert before[1].participants == 4

    privacy.purge_personal_data(today=campaign.personal_data_kept_until + datetime.timedelta(days=1))

    registration.refresh_from_db()
    teacher.refresh_from_db()
    assert registration.phone == "" and registration.name == teacher.name and is_anonymous_alias(teacher.name)
    assert len(teachers_keys()) == 1
    assert _figures(campaign, school) == before


def test_a_second_run_changes_nothing(campaign, school, people):
    day = campaign.personal_data_kept_until + datetime.timedelta(days=1)
    privacy.purge_personal_data(today=day)
    ledger = _ledger(campaign)
    names = sorted(Participant.objects.filter(unit=school).values_list("name", flat=True))
    [result] = privacy.purge_personal_data(today=day)
    assert (result.participants, result.registrations) == (0, 0)
    assert _ledger(campaign) == ledger
    assert sorted(Participant.objects.filter(unit=school).values_list("name", flat=True)) == names
    assert ModelLogEntry.objects.filter(action=PURGE_ACTION, object_id=str(campaign.pk)).count() == 1


def test_dry_run_only_counts(campaign, school, people):
    ledger = _ledger(campaign)
    out = io.StringIO()
    with _today(campaign.personal_data_kept_until + datetime.timedelta(days=1)):
        call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "将匿名化 3 个答题人、2 条报名" in out.getvalue()
    assert "班级名单：将删除 0 条" in out.getvalue()
    assert "张小明" in Participant.objects.filter(unit=school).values_list("name", flat=True)
    assert _ledger(campaign) == ledger
    assert not ModelLogEntry.objects.filter(action=PURGE_ACTION).exists()


def test_someone_taking_part_in_a_later_campaign_keeps_their_data(
    campaign, school, people, later_contest, django_capture_on_commit_callbacks
):
    ming = people[0]
    with django_capture_on_commit_callbacks(execute=True):
        finish_sheet(later_contest, ming, correct=True)
    [result] = privacy.purge_personal_data(today=campaign.personal_data_kept_until + datetime.timedelta(days=1))
    assert result.participants == 2
    ming.refresh_from_db()
    assert (ming.name, ming.class_name) == ("张小明", "三年级一班")


def test_the_scheduled_task_purges_too(campaign, school, people):
    with _today(campaign.personal_data_kept_until + datetime.timedelta(days=1)):
        result = tasks.purge_personal_data.enqueue()
    assert result.return_value == [{"campaign": campaign.pk, "participants": 3, "registrations": 2}]
    assert not Participant.objects.filter(unit=school, name="张小明").exists()
