"""The three requests of a contest burst (start, autosave, submit) cost a fixed number of queries:
not one more for a bigger question bank, a longer sheet or the answers already given. A whole
city's classes start at the same minute, so each query here is paid thousands of times over.

The ceilings are today's counts; a change that adds a query per question or per answer fails here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes.choices import Level, QuestionKind, QuestionStatus
from quizzes.factories import (
    ContestIndexPageFactory,
    ContestPageFactory,
    DrawRuleFactory,
    ParticipantFactory,
    QuestionFactory,
)
from quizzes.models import AnswerSheet
from quizzes.services.answering import submit_answer_sheet
from quizzes.services.drawing import start_answer_sheet

from .conftest import correct_answers, signed_in_client

START_QUERIES = 15
SAVE_QUERIES = 1
SUBMIT_QUERIES = 16


def _contest(home_page, topic, *, bank, drawn):
    for n in range(bank):
        QuestionFactory(
            key=f"hot-{bank}-{n}",
            kind=QuestionKind.SINGLE,
            level=Level.PRIMARY,
            topic=topic,
            choices=[(f"错{n}", False), (f"对{n}", True), (f"也错{n}", False)],
        )
    index = ContestIndexPageFactory(parent=home_page)
    contest = ContestPageFactory(parent=index, attempts_per_day=5, attempts_total=10)
    DrawRuleFactory(
        contest=contest, kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=topic, count=drawn, points=100 // drawn
    )
    return contest


def _queries(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


@pytest.fixture
def warm(home_page, topic, school):
    """A contest whose blueprint this process already holds (another classmate's start and save
    came first, as on every worker after the first minute of a burst)."""

    def make(*, bank, drawn):
        contest = _contest(home_page, topic, bank=bank, drawn=drawn)
        start_url = contest.url + contest.reverse_subpage("start")
        classmate = ParticipantFactory(unit=school, name="先到同学")
        client = signed_in_client(classmate)
        assert client.post(start_url).status_code == 302
        first = AnswerSheet.objects.get(contest=contest, participant=classmate)
        position, choices = next(iter(correct_answers(first).items()))
        client.post(reverse("quizzes:answer", args=[first.public_id]), {"position": position, "choices": choices})
        return contest, start_url

    return make


def _own_sheet(client, contest, start_url, participant):
    assert client.post(start_url).status_code == 302
    return AnswerSheet.objects.get(contest=contest, participant=participant)


@pytest.mark.parametrize(("bank", "drawn"), [(6, 5), (40, 20)])
def test_start_costs_the_same_whatever_the_bank_and_sheet_size(warm, participant_client, participant, bank, drawn):
    contest, start_url = warm(bank=bank, drawn=drawn)
    response, count = _queries(lambda: participant_client.post(start_url))
    assert response.status_code == 302
    assert AnswerSheet.objects.get(contest=contest, participant=participant).questions.count() == drawn
    assert count <= START_QUERIES, count


@pytest.mark.parametrize(("bank", "drawn"), [(6, 5), (40, 20)])
def test_an_autosave_is_one_statement(warm, participant_client, participant, bank, drawn):
    contest, start_url = warm(bank=bank, drawn=drawn)
    sheet = _own_sheet(participant_client, contest, start_url, participant)
    answers = correct_answers(sheet)
    url = reverse("quizzes:answer", args=[sheet.public_id])
    participant_client.post(url, {"position": 1, "choices": answers[1]})  # this sheet's facts, read once
    for position in sorted(answers)[1:4]:
        response, count = _queries(
            lambda position=position: participant_client.post(url, {"position": position, "choices": answers[position]})
        )
        assert response.status_code == 200 and response.json()["ok"]
        assert count == SAVE_QUERIES, count
    saved = dict(sheet.questions.values_list("position", "selected"))
    assert all(saved[position] == answers[position] for position in sorted(answers)[:4])


@pytest.mark.parametrize(("bank", "drawn"), [(6, 5), (40, 20)])
def test_submit_costs_the_same_whatever_the_sheet_size(warm, participant_client, participant, bank, drawn):
    contest, start_url = warm(bank=bank, drawn=drawn)
    sheet = _own_sheet(participant_client, contest, start_url, participant)
    answers = correct_answers(sheet)
    form = {"action": "submit"}
    for position, choices in answers.items():
        form[f"q{position}"] = [str(choice) for choice in choices]
    sheet_url = contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id])
    response, count = _queries(lambda: participant_client.post(sheet_url, form))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == "submitted" and sheet.score == sheet.max_score
    assert count <= SUBMIT_QUERIES, count


def test_a_new_question_in_the_bank_is_drawn_by_the_next_start(participant, home_page, topic):
    """The cached blueprint is replaced when the bank changes: a start right after a question is
    added (or deactivated) draws from the bank as it now is."""
    contest = _contest(home_page, topic, bank=3, drawn=3)
    first = start_answer_sheet(contest=contest, participant=participant)
    assert {q.version.question.key for q in first.questions.select_related("version__question")} == {
        "hot-3-0",
        "hot-3-1",
        "hot-3-2",
    }
    submit_answer_sheet(public_id=first.public_id, participant=participant)
    retired = first.questions.select_related("version__question").first().version.question
    retired.status = QuestionStatus.RETIRED
    retired.save()
    QuestionFactory(key="hot-new", kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=topic)
    second = start_answer_sheet(contest=contest, participant=participant)
    drawn = {q.version.question.key for q in second.questions.select_related("version__question")}
    assert "hot-new" in drawn and retired.key not in drawn
