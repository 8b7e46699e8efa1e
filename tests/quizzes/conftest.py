import pytest
from django.test import Client

from home.factories import TopicFactory
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from quizzes.choices import Level, QuestionKind
from quizzes.factories import (
    ContestIndexPageFactory,
    ContestPageFactory,
    DrawRuleFactory,
    ParticipantFactory,
    QuestionFactory,
)
from quizzes.participant_cookie import PARTICIPANT_COOKIE, PARTICIPANT_COOKIE_SALT

EXPLANATION = "燃气泄漏时不能开关电器，以免产生电火花。"


@pytest.fixture
def topic(db):
    # A topic of its own, so contests draw only these questions and not the demo bank's.
    return TopicFactory(slug="test-questions", name="测试题目")


@pytest.fixture
def questions(topic):
    """Six single-choice questions whose correct answer is the second option."""
    return [
        QuestionFactory(
            key=f"test-single-{n}",
            kind=QuestionKind.SINGLE,
            level=Level.PRIMARY,
            topic=topic,
            explanation=EXPLANATION,
            choices=[(f"错误选项A{n}", False), (f"正确选项{n}", True), (f"错误选项C{n}", False)],
        )
        for n in range(6)
    ]


@pytest.fixture
def contest(home_page, questions):
    index = ContestIndexPageFactory(parent=home_page)
    contest = ContestPageFactory(parent=index, time_limit_seconds=150, attempts_per_day=1, attempts_total=2)
    DrawRuleFactory(
        contest=contest, kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=questions[0].topic, count=5, points=20
    )
    return contest


@pytest.fixture
def school(db):
    return UnitFactory(kind=UnitKind.SCHOOL, name="测试实验小学")


@pytest.fixture
def participant(school):
    return ParticipantFactory(unit=school, name="张小明")


def signed_in_client(participant):
    client = Client()
    client.cookies[PARTICIPANT_COOKIE] = client_signed_value(participant)
    return client


def client_signed_value(participant):
    from django.core.signing import get_cookie_signer

    return get_cookie_signer(salt=PARTICIPANT_COOKIE + PARTICIPANT_COOKIE_SALT).sign(str(participant.token))


@pytest.fixture
def participant_client(participant):
    return signed_in_client(participant)


def correct_answers(sheet):
    """{position: [correct choice ids]} for a sheet, read from the snapshots (as the grader does)."""
    return {q.position: sorted(q.version.correct_ids) for q in sheet.questions.select_related("version")}


def url(contest, route="", *args):
    """The address of one of the contest's routes (its landing page without ``route``)."""
    return contest.url + (contest.reverse_subpage(route, args=args) if route else "")


def child_form(where, **overrides):
    """A valid identify form for a pupil under 14 of the unit ``where``, with the guardian's
    consent; ``overrides`` may replace any field, ``unit`` included."""
    return {
        "unit": where.pk,
        "name": "王小红",
        "class_name": "五年级二班",
        "age_band": "under14",
        "guardian_consent": "on",
        **overrides,
    }
