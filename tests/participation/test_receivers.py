"""The ledger fills itself from the contest and event signals, through their real services."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from events import services as event_services
from events.choices import RegistrationStatus
from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import AttendanceRecord
from events.recurrence import LOCAL_TIME_ZONE
from home.factories import TopicFactory
from organizations.factories import UnitFactory
from organizations.models import AudienceGroup, UnitKind
from organizations.people import person_key
from participation import selectors
from participation.choices import Channel
from participation.models import ParticipationEntry
from quizzes.choices import Level, QuestionKind
from quizzes.factories import (
    ContestIndexPageFactory,
    ContestPageFactory,
    DrawRuleFactory,
    ParticipantFactory,
    QuestionFactory,
)
from quizzes.services import answering, drawing


@pytest.fixture
def school(db):
    town = UnitFactory(kind=UnitKind.TOWN, name="接收测试镇")
    return UnitFactory(kind=UnitKind.SCHOOL, name="接收测试小学", parent=town)


@pytest.fixture
def contest(home_page, campaign):
    topic = TopicFactory(slug="participation-test", name="参与测试主题")
    for n in range(3):
        QuestionFactory(
            key=f"participation-{n}",
            kind=QuestionKind.SINGLE,
            level=Level.PRIMARY,
            topic=topic,
            choices=[("错", False), ("对", True)],
        )
    index = ContestIndexPageFactory(parent=home_page)
    contest = ContestPageFactory(parent=index, campaign=campaign, attempts_per_day=2, attempts_total=3)
    DrawRuleFactory(contest=contest, kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=topic, count=3, points=10)
    return contest


def finish_sheet(contest, participant, *, correct):
    sheet = drawing.start_answer_sheet(contest=contest, participant=participant)
    answers = {}
    for question in sheet.questions.select_related("version"):
        right = sorted(question.version.correct_ids)
        wrong = [choice for choice in question.choice_order if choice not in right]
        answers[question.position] = right if correct else wrong[:1]
    return answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)


def test_a_finished_sheet_appears_in_the_ledger(contest, school, campaign, django_capture_on_commit_callbacks):
    participant = ParticipantFactory(unit=school, name="张小明", class_name="三年级一班")
    with django_capture_on_commit_callbacks(execute=True):
        sheet = finish_sheet(contest, participant, correct=True)
    entry = ParticipationEntry.objects.get(source=f"quizzes.sheet:{sheet.public_id}")
    assert entry.channel == Channel.CONTEST
    assert (entry.campaign_id, entry.unit_id, entry.page_id) == (campaign.pk, school.pk, contest.pk)
    assert entry.audience == AudienceGroup.STUDENTS
    assert entry.person_key == person_key(unit_id=school.pk, name="张小明", class_name="三年级一班")
    assert (entry.score, entry.max_score, entry.passed, entry.full_marks) == (30, 30, True, True)
    assert list(entry.topic_results.values()) == [[3, 3]]
    assert entry.class_name == "三年级一班"


def test_two_cookies_of_one_person_count_once(contest, school, campaign, django_capture_on_commit_callbacks):
    # The same child on two phones: two participants (two cookies), one name and class.
    first = ParticipantFactory(unit=school, name="李华", class_name="三年级一班")
    second = ParticipantFactory(unit=school, name="李 华", class_name="三年级一班")
    with django_capture_on_commit_callbacks(execute=True):
        finish_sheet(contest, first, correct=True)
        finish_sheet(contest, second, correct=False)
        finish_sheet(contest, first, correct=False)
    figures = selectors.figures_for(campaign=campaign, unit=school)
    assert (figures.sheets, figures.participants) == (3, 1)


def test_a_contest_without_campaign_records_nothing(contest, school, django_capture_on_commit_callbacks):
    contest.campaign = None
    contest.save()
    with django_capture_on_commit_callbacks(execute=True):
        sheet = finish_sheet(contest, ParticipantFactory(unit=school), correct=True)
    assert not ParticipationEntry.objects.filter(source=f"quizzes.sheet:{sheet.public_id}").exists()


@pytest.fixture
def event(home_page, campaign, school):
    index = EventIndexPageFactory(parent=home_page, title="参与测试活动")
    index.save_revision().publish()
    starts_at = (timezone.now() + datetime.timedelta(days=5)).replace(second=0, microsecond=0)
    event = EventPageFactory(
        parent=index,
        organiser=school,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        registration_enabled=True,
        capacity=10,
        allow_groups=True,
        campaign=campaign,
    )
    event.save_revision().publish()
    event.refresh_from_db()
    return event


def occurrence(event):
    return event.starts_at.astimezone(LOCAL_TIME_ZONE).date()


def test_registration_check_in_and_cancel(event, school, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration, token = event_services.register(
            event=event,
            occurrence_date=occurrence(event),
            name="王芳",
            phone="13800000001",
            unit=school,
            adult_or_guardian_consent=True,
        )
    entry = ParticipationEntry.objects.get(source=f"events.registration:{registration.pk}")
    assert (entry.channel, entry.unit_id, entry.people, entry.page_id) == (
        Channel.EVENT_REGISTRATION,
        school.pk,
        1,
        event.pk,
    )
    assert entry.person_key == person_key(unit_id=school.pk, name="王芳", phone="13800000001")
    assert not ParticipationEntry.objects.filter(source=f"events.checkin:{registration.pk}").exists()

    with django_capture_on_commit_callbacks(execute=True):
        event_services.check_in(event=event, public_id=registration.public_id)
    assert ParticipationEntry.objects.get(source=f"events.checkin:{registration.pk}").channel == Channel.EVENT_CHECKIN
    assert selectors.figures_for(campaign=campaign, unit=school).checked_in_people == 1

    with django_capture_on_commit_callbacks(execute=True):
        event_services.cancel_registration(event=event, public_id=registration.public_id, token=token)
    assert not ParticipationEntry.objects.filter(page_id=event.pk).exists()


def test_a_group_and_a_person_without_unit(event, campaign, django_capture_on_commit_callbacks, school):
    with django_capture_on_commit_callbacks(execute=True):
        group, _token = event_services.register(
            event=event,
            occurrence_date=occurrence(event),
            name="李老师",
            phone="13800000002",
            unit=school,
            party_size=4,
            adult_or_guardian_consent=True,
        )
        alone, _token = event_services.register(
            event=event,
            occurrence_date=occurrence(event),
            name="赵六",
            phone="13800000003",
            adult_or_guardian_consent=True,
        )
    group_entry = ParticipationEntry.objects.get(source=f"events.registration:{group.pk}")
    assert (group_entry.people, group_entry.person_key) == (4, "")
    alone_entry = ParticipationEntry.objects.get(source=f"events.registration:{alone.pk}")
    assert (alone_entry.unit_id, alone_entry.audience) == (None, AudienceGroup.RESIDENTS)
    assert selectors.figures_for(campaign=campaign).registered_people >= 5


def test_attendance_one_entry_per_record_and_stale_ones_withdrawn(
    event, campaign, school, django_capture_on_commit_callbacks
):
    community = UnitFactory(kind=UnitKind.COMMUNITY, name="接收测试社区", parent=school.parent)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        kept = AttendanceRecord.objects.create(page=event, unit=school, count=30)
        dropped = AttendanceRecord.objects.create(page=event, unit=community, count=12)
    assert set(
        ParticipationEntry.objects.filter(channel=Channel.EVENT_ATTENDANCE, page_id=event.pk).values_list(
            "source", "people", "audience"
        )
    ) == {
        (f"events.attendance:{kept.pk}", 30, AudienceGroup.STUDENTS),
        (f"events.attendance:{dropped.pk}", 12, AudienceGroup.RESIDENTS),
    }
    with django_capture_on_commit_callbacks(execute=True):
        dropped.delete()
    assert list(
        ParticipationEntry.objects.filter(channel=Channel.EVENT_ATTENDANCE, page_id=event.pk).values_list(
            "source", flat=True
        )
    ) == [f"events.attendance:{kept.pk}"]
    assert selectors.figures_for(campaign=campaign, unit=school).attendance_people == 30

    with django_capture_on_commit_callbacks(execute=True):
        event.unpublish()
    assert not ParticipationEntry.objects.filter(channel=Channel.EVENT_ATTENDANCE, page_id=event.pk).exists()


def test_rebuild_participation_records_what_no_signal_delivered(contest, school, campaign):
    # No on-commit callbacks run here: the sheets finish as they did before the ledger existed.
    finish_sheet(contest, ParticipantFactory(unit=school, name="补录甲"), correct=True)
    finish_sheet(contest, ParticipantFactory(unit=school, name="补录乙"), correct=False)
    assert selectors.figures_for(campaign=campaign, unit=school).sheets == 0

    out = io.StringIO()
    call_command("rebuild_participation", stdout=out)
    call_command("rebuild_participation", stdout=out)  # idempotent
    figures = selectors.figures_for(campaign=campaign, unit=school)
    assert (figures.sheets, figures.participants, figures.passed_sheets) == (2, 2, 1)
    assert "份答卷" in out.getvalue() and "统计汇总" in out.getvalue()

    contest.campaign = None
    contest.save()
    call_command("rebuild_participation", stdout=out)
    assert selectors.figures_for(campaign=campaign, unit=school).sheets == 0


def test_a_large_group_held_for_review_counts_only_once_confirmed(event, campaign, school):
    # No on-commit callbacks: rebuild_participation must not count the held group either.
    held, _token = event_services.register(
        event=event,
        occurrence_date=occurrence(event),
        name="李老师",
        phone="13800000009",
        unit=school,
        party_size=8,
        adult_or_guardian_consent=True,
    )
    assert held.status == RegistrationStatus.PENDING
    call_command("rebuild_participation", stdout=io.StringIO())
    assert not ParticipationEntry.objects.filter(source=f"events.registration:{held.pk}").exists()
    assert selectors.figures_for(campaign=campaign, unit=school).registered_people == 0


def test_rekey_people_after_the_person_key_secret_changes(contest, school, campaign, settings):
    from quizzes.services.participants import identify_participant

    def identify():
        return identify_participant(
            contest=contest,
            name="换钥同学",
            unit=school,
            age_band="under14",
            class_name="五年级二班",
            guardian_consent=True,
        )

    first = identify()
    finish_sheet(contest, first, correct=True)
    call_command("rebuild_participation", stdout=io.StringIO())
    settings.PERSON_KEY_SECRET = "a-new-secret-after-a-leak"
    new_key = person_key(unit_id=school.pk, name="换钥同学", class_name="五年级二班")
    assert first.person_key != new_key

    out = io.StringIO()
    call_command("rekey_people", stdout=out)
    first.refresh_from_db()
    assert first.person_key == new_key and "人员标识" in out.getvalue()
    assert identify().pk == first.pk  # the same person again under the new key, with their allowance
    assert set(ParticipationEntry.objects.filter(unit=school).values_list("person_key", flat=True)) == {new_key}
    assert selectors.figures_for(campaign=campaign, unit=school).participants == 1


def test_a_sheet_is_counted_under_the_participants_key_and_rekey_leaves_phones_alone(
    contest, school, campaign, settings
):
    """The phone is in the person key but kept only as a digest: the ledger takes the participant's
    stored key, and rekey_people cannot recompute the key of someone who gave a phone."""
    from quizzes.services.participants import identify_participant

    contest.ask_phone = True
    contest.save_revision().publish()
    with_phone = identify_participant(
        contest=contest, name="留号同学", unit=school, age_band="adult", phone="13812345678"
    )
    without_phone = identify_participant(contest=contest, name="无号同学", unit=school, age_band="adult")
    finish_sheet(contest, with_phone, correct=True)
    finish_sheet(contest, without_phone, correct=True)
    call_command("rebuild_participation", stdout=io.StringIO())
    phone_key = person_key(unit_id=school.pk, name="留号同学", phone="13812345678")
    assert with_phone.person_key == phone_key
    assert set(ParticipationEntry.objects.filter(unit=school).values_list("person_key", flat=True)) == {
        phone_key,
        without_phone.person_key,
    }

    settings.PERSON_KEY_SECRET = "a-new-secret-after-a-leak"
    out = io.StringIO()
    call_command("rekey_people", stdout=out)
    with_phone.refresh_from_db()
    without_phone.refresh_from_db()
    assert with_phone.person_key == phone_key
    assert without_phone.person_key == person_key(unit_id=school.pk, name="无号同学")
    # (Other tests' participants may be in the database too: only the wording is checked here.)
    assert "位留了手机号的参赛者无法重新计算" in out.getvalue()
    assert selectors.figures_for(campaign=campaign, unit=school).participants == 2
