"""Exactly once under real concurrency, on PostgreSQL with real threads and committed data.

These tests do not use ``transactional_db``: its flush would delete the demo site every other test
reads. They commit their own contest, questions and participants and delete them afterwards.
"""

import threading
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from django.db import connection, connections
from django.urls import reverse

from home.models import HomePage, Topic
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from quizzes.choices import AgeBand, Level, QuestionKind, SheetStatus
from quizzes.errors import AllowanceUsed, SheetFinished
from quizzes.factories import (
    ContestIndexPageFactory,
    ContestPageFactory,
    DrawRuleFactory,
    ParticipantFactory,
    QuestionFactory,
)
from quizzes.models import AnswerSheet, Participant, Question, QuestionVersion, SheetQuestion
from quizzes.services import answering
from quizzes.services.drawing import start_answer_sheet
from quizzes.services.participants import identify_participant
from quizzes.signals import sheet_finished
from tests import committed_db

from .conftest import correct_answers, signed_in_client

db = committed_db.db  # no wrapping transaction: the threads must see the data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and concurrent transactions are tested on PostgreSQL (SQLite serialises all writers)",
)

THREADS = 50


@pytest.fixture
def committed(db):
    """A contest with committed data, removed again after the test."""
    topic, _created = Topic.objects.get_or_create(slug="race-questions", defaults={"name": "并发测试题目"})
    questions = [
        QuestionFactory(key=f"race-{n}", kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=topic) for n in range(6)
    ]
    index = ContestIndexPageFactory(parent=HomePage.objects.get())
    contest = ContestPageFactory(parent=index, attempts_per_day=1, attempts_total=3)
    DrawRuleFactory(contest=contest, kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=topic, count=5, points=20)
    school = UnitFactory(kind=UnitKind.SCHOOL, name="并发测试小学")
    participant = ParticipantFactory(unit=school, name="并发同学")
    yield contest, participant
    for alias in connections:
        connections[alias].close()
    SheetQuestion.objects.filter(sheet__contest=contest).delete()
    AnswerSheet.objects.filter(contest=contest).delete()
    Participant.objects.filter(unit=school).delete()
    index.delete()
    QuestionVersion.objects.filter(question__in=questions).delete()
    Question.objects.filter(pk__in=[q.pk for q in questions]).delete()
    topic.delete()
    committed_db.delete_unit_and_made_ancestors(school)


def run_concurrently(work, count=THREADS):
    """Call ``work()`` from ``count`` threads released at the same moment; return the results."""
    barrier = threading.Barrier(count)

    def task():
        barrier.wait()
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [future.result() for future in [pool.submit(task) for _ in range(count)]]


def test_fifty_concurrent_identifications_of_one_person_give_one_participant(committed):
    contest, participant = committed

    def identify():
        return identify_participant(
            contest=contest, name="同 一人", unit=participant.unit, age_band=AgeBand.UNDER_14, guardian_consent=True
        ).pk

    assert len(set(run_concurrently(identify))) == 1
    assert Participant.objects.filter(unit=participant.unit, name="同 一人").count() == 1


def test_fifty_concurrent_submits_grade_one_sheet_once_with_identical_responses(committed, monkeypatch):
    contest, participant = committed
    sheet = start_answer_sheet(contest=contest, participant=participant)
    gradings = []
    real_grade = answering._grade

    def counting_grade(sheet, **kwargs):
        gradings.append(sheet.pk)
        return real_grade(sheet, **kwargs)

    monkeypatch.setattr(answering, "_grade", counting_grade)
    form = {"action": "submit"}
    for position, choice_ids in correct_answers(sheet).items():
        form[f"q{position}"] = [str(c) for c in choice_ids]
    sheet_url = contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id])

    def submit():
        response = signed_in_client(participant).post(sheet_url, form)
        return response.status_code, response.get("Location")

    responses = run_concurrently(submit)
    assert len(set(responses)) == 1, set(responses)
    assert responses[0][0] == 302 and "result" in responses[0][1]
    assert gradings == [sheet.pk], f"graded {len(gradings)} times"
    graded = AnswerSheet.objects.get(pk=sheet.pk)
    assert graded.status == SheetStatus.SUBMITTED
    assert graded.score == 100
    assert AnswerSheet.objects.filter(contest=contest).count() == 1


def test_fifty_concurrent_submits_send_sheet_finished_once(committed):
    """The signal goes out after the grading transaction commits, so it follows the row lock:
    one grading, one ``sheet_finished``, whichever thread won."""
    contest, participant = committed
    sheet = start_answer_sheet(contest=contest, participant=participant)
    sent = []
    lock = threading.Lock()

    def receiver(sender, sheet, **kwargs):
        with lock:
            sent.append((sheet.pk, sheet.status, sheet.score))

    sheet_finished.connect(receiver, weak=False, dispatch_uid="tests-concurrent-sheet-finished")
    try:
        answers = correct_answers(sheet)
        run_concurrently(
            lambda: answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)
        )
    finally:
        sheet_finished.disconnect(dispatch_uid="tests-concurrent-sheet-finished")
    assert sent == [(sheet.pk, SheetStatus.SUBMITTED, 100)]


def test_concurrent_starts_make_one_sheet(committed):
    contest, participant = committed
    start_url = contest.url + contest.reverse_subpage("start")

    def start():
        response = signed_in_client(participant).post(start_url)
        return response.status_code, response.get("Location")

    responses = run_concurrently(start, count=20)
    assert AnswerSheet.objects.filter(contest=contest, participant=participant).count() == 1
    sheet = AnswerSheet.objects.get(contest=contest, participant=participant)
    assert set(responses) == {(302, contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id]))}


def test_concurrent_starts_never_exceed_the_daily_allowance(committed):
    contest, participant = committed
    first = start_answer_sheet(contest=contest, participant=participant)
    answering.submit_answer_sheet(public_id=first.public_id, participant=participant)

    def start():
        try:
            start_answer_sheet(contest=contest, participant=participant)
            return "started"
        except AllowanceUsed:
            return "refused"

    results = run_concurrently(start, count=20)
    assert results == ["refused"] * 20
    assert AnswerSheet.objects.filter(contest=contest, participant=participant).count() == 1


def test_concurrent_answer_saves_and_submit_lose_nothing_acknowledged(committed):
    """Saves racing a submit either land before grading (and count) or are refused (409)."""
    contest, participant = committed
    sheet = start_answer_sheet(contest=contest, participant=participant)
    answers = correct_answers(sheet)
    answer_url = reverse("quizzes:answer", args=[sheet.public_id])
    sheet_url = contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id])
    positions = iter(sorted(answers) * 10)
    lock = threading.Lock()

    def act():
        client = signed_in_client(participant)
        with lock:
            position = next(positions, None)
        if position is None:
            return "submit", client.post(sheet_url, {"action": "submit"}).status_code, None
        response = client.post(
            answer_url, {"position": position, "choices": answers[position]}, HTTP_ACCEPT="application/json"
        )
        return "save", response.status_code, position

    results = run_concurrently(act, count=51)
    graded = AnswerSheet.objects.get(pk=sheet.pk)
    assert graded.status == SheetStatus.SUBMITTED
    acknowledged = {position for kind, status, position in results if kind == "save" and status == 200}
    assert {status for kind, status, _ in results if kind == "save"} <= {200, 409}
    awarded = dict(graded.questions.values_list("position", "awarded"))
    for position in acknowledged:
        assert awarded[position] == 20, f"answer {position} was acknowledged but not graded"


def test_a_save_arriving_while_the_sheet_is_graded_waits_and_is_refused(committed, monkeypatch):
    """The one-statement autosave locks the sheet row as grading does: a save that arrives after a
    submit has read the answers waits for the grading, then finds the sheet finished (409). Without
    that lock it would be written, and acknowledged, after the answers were graded, and not count."""
    contest, participant = committed
    sheet = start_answer_sheet(contest=contest, participant=participant)
    position, choices = next(iter(correct_answers(sheet).items()))
    grading, release = threading.Event(), threading.Event()
    real_grade = answering._grade

    def paused_grade(sheet, **kwargs):
        grading.set()  # the sheet is locked and its answers are read
        release.wait(10)
        return real_grade(sheet, **kwargs)

    monkeypatch.setattr(answering, "_grade", paused_grade)

    def in_thread(work):
        try:
            return work()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        submit = pool.submit(
            in_thread, lambda: answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant)
        )
        assert grading.wait(10)
        save = pool.submit(
            in_thread,
            lambda: answering.save_answer(
                public_id=sheet.public_id, participant_token=participant.token, position=position, choices=choices
            ),
        )
        waited = not save.done() and not wait([save], timeout=0.5).done
        release.set()
        submitted, saved = submit.result(), save.result()
    assert waited, "the save did not wait for the grading"
    assert isinstance(saved, SheetFinished), saved
    assert submitted.status == SheetStatus.SUBMITTED
    assert SheetQuestion.objects.get(sheet=sheet, position=position).selected == []


def test_concurrent_first_starts_of_new_questions_do_not_deadlock(committed):
    """Twenty people start at once while no question has a stored version yet: each start creates
    the same versions, which once deadlocked inside the sheet transactions (HTTP 500)."""
    contest, participant = committed
    others = [ParticipantFactory(unit=participant.unit, name=f"同时开始{n}") for n in range(20)]
    start_url = contest.url + contest.reverse_subpage("start")
    queue = iter(others)
    lock = threading.Lock()

    def start():
        with lock:
            person = next(queue)
        return signed_in_client(person).post(start_url).status_code

    assert run_concurrently(start, count=20) == [302] * 20
    assert AnswerSheet.objects.filter(contest=contest).count() == 20
