"""Fixtures of the personal-data tests: a campaign with a contest and an event at one school, and
people who answered and registered, all through the apps' own services."""

import datetime

import pytest
from django.utils import timezone

from events import services as event_services
from events.factories import EventIndexPageFactory, EventPageFactory
from events.recurrence import LOCAL_TIME_ZONE
from home.factories import TopicFactory
from organizations.factories import CampaignFactory, UnitFactory
from organizations.models import UnitKind
from quizzes.choices import AgeBand, Level, QuestionKind
from quizzes.factories import (
    ContestIndexPageFactory,
    ContestPageFactory,
    DrawRuleFactory,
    ParticipantFactory,
    QuestionFactory,
)
from quizzes.services import answering, drawing


@pytest.fixture
def campaign(db):
    return CampaignFactory(
        name="留存测试安全月",
        starts_on=datetime.date(2026, 6, 1),
        ends_on=datetime.date(2026, 6, 30),
        retention_days=30,
    )


@pytest.fixture
def later_campaign(db):
    return CampaignFactory(name="留存测试安全月（次年）", year=2027, retention_days=30)


@pytest.fixture
def school(db):
    town = UnitFactory(kind=UnitKind.TOWN, name="留存测试镇")
    return UnitFactory(kind=UnitKind.SCHOOL, name="留存测试小学", parent=town)


def _contest(home_page, campaign, n):
    topic = TopicFactory(slug=f"retention-{n}", name=f"留存测试主题{n}")
    for q in range(3):
        QuestionFactory(
            key=f"retention-{n}-{q}", topic=topic, level=Level.PRIMARY, choices=[("错", False), ("对", True)]
        )
    index = ContestIndexPageFactory(parent=home_page)
    contest = ContestPageFactory(parent=index, campaign=campaign, attempts_per_day=2, attempts_total=3)
    DrawRuleFactory(contest=contest, kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=topic, count=3, points=10)
    return contest


@pytest.fixture
def contest(home_page, campaign):
    return _contest(home_page, campaign, 1)


@pytest.fixture
def later_contest(home_page, later_campaign):
    return _contest(home_page, later_campaign, 2)


@pytest.fixture
def event(home_page, campaign, school):
    index = EventIndexPageFactory(parent=home_page, title="留存测试活动")
    index.save_revision().publish()
    starts_at = (timezone.now() + datetime.timedelta(days=5)).replace(second=0, microsecond=0)
    event = EventPageFactory(
        parent=index,
        organiser=school,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        registration_enabled=True,
        capacity=10,
        campaign=campaign,
    )
    event.save_revision().publish()
    event.refresh_from_db()
    return event


def finish_sheet(contest, participant, *, correct, ip_address="10.1.2.3"):
    sheet = drawing.start_answer_sheet(contest=contest, participant=participant, ip_address=ip_address)
    answers = {}
    for question in sheet.questions.select_related("version"):
        right = sorted(question.version.correct_ids)
        answers[question.position] = right if correct else [c for c in question.choice_order if c not in right][:1]
    return answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)


@pytest.fixture
def people(contest, event, school, django_capture_on_commit_callbacks):
    """Two pupils (one with two sheets), a teenager with a phone, two people registered for the event."""
    ming = ParticipantFactory(unit=school, name="张小明", class_name="三年级一班")
    hua = ParticipantFactory(unit=school, name="李华", class_name="三年级二班")
    teen = ParticipantFactory(
        unit=school,
        name="赵强",
        class_name="初二一班",
        age_band=AgeBand.FROM_14_TO_17,
        phone="13900000009",  # with the guardian's consent (the factory's), as 14–17 with a phone needs
    )
    occurrence_date = event.starts_at.astimezone(LOCAL_TIME_ZONE).date()
    with django_capture_on_commit_callbacks(execute=True):
        finish_sheet(contest, ming, correct=True)
        finish_sheet(contest, ming, correct=False)
        finish_sheet(contest, hua, correct=False)
        finish_sheet(contest, teen, correct=True)
        for name, phone in (("王芳", "13800000001"), ("陈刚", "13800000002")):
            event_services.register(
                event=event,
                occurrence_date=occurrence_date,
                name=name,
                phone=phone,
                unit=school,
                adult_or_guardian_consent=True,
            )
    return [ming, hua, teen]
