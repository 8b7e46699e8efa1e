"""``sheet_finished``: sent once per finished sheet, after the commit, from every path that
finishes a sheet; and ``sheet_outcome``, what a listener reads from it."""

import datetime
import io
import logging
import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from home.factories import TopicFactory
from organizations.models import Campaign
from quizzes.choices import AgeBand, Level, MultipleChoiceScoring, QuestionKind, SheetStatus
from quizzes.demo.loader import _simulate
from quizzes.errors import TimeUp
from quizzes.factories import ContestIndexPageFactory, ContestPageFactory, ParticipantFactory, QuestionFactory
from quizzes.models import AnswerSheet, DrawRule
from quizzes.selectors import sheet_outcome
from quizzes.services import answering
from quizzes.services.drawing import start_answer_sheet
from quizzes.signals import sheet_finished

from .conftest import correct_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(db):
    """The sheets ``sheet_finished`` was sent for, in order (other listeners stay connected)."""
    sent = []

    def receiver(sender, sheet, **kwargs):
        sent.append((sender, sheet.pk, sheet.status))

    sheet_finished.connect(receiver, weak=False, dispatch_uid="tests-sheet-finished")
    yield sent
    sheet_finished.disconnect(dispatch_uid="tests-sheet-finished")


def overdue(sheet, minutes=5):
    AnswerSheet.objects.filter(pk=sheet.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes + 5), deadline=timezone.now() - timedelta(minutes=minutes)
    )


def test_submitting_sends_once_after_the_commit_and_submitting_again_sends_nothing(
    contest, participant, finished, django_capture_on_commit_callbacks
):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    assert finished == []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answering.submit_answer_sheet(
            public_id=sheet.public_id, participant=participant, answers=correct_answers(sheet)
        )
    assert finished == [], "sent before the commit"
    assert len(callbacks) == 1
    callbacks[0]()
    assert finished == [(AnswerSheet, sheet.pk, SheetStatus.SUBMITTED)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers={})
    assert callbacks == []
    assert len(finished) == 1


def test_submitting_through_the_page_twice_sends_once(
    participant_client, contest, participant, finished, django_capture_on_commit_callbacks
):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    sheet_url = contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        first = participant_client.post(sheet_url, {"action": "submit"})
        second = participant_client.post(sheet_url, {"action": "submit"})
    assert first.status_code == second.status_code == 302
    assert finished == [(AnswerSheet, sheet.pk, SheetStatus.SUBMITTED)]


def test_a_rolled_back_submit_sends_nothing(contest, participant, finished, django_capture_on_commit_callbacks):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant)
        raise RuntimeError("rolled back")
    assert callbacks == [] and finished == []
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.IN_PROGRESS


def test_a_save_after_the_deadline_finalises_and_sends_once(
    contest, participant, finished, django_capture_on_commit_callbacks
):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    overdue(sheet)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(TimeUp):
            answering.save_answers(public_id=sheet.public_id, participant=participant, answers={1: [1]})
        answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant)
    assert finished == [(AnswerSheet, sheet.pk, SheetStatus.TIMED_OUT)]


def test_a_submit_after_the_deadline_finalises_and_sends_once(
    contest, participant, finished, django_capture_on_commit_callbacks
):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    overdue(sheet)
    with django_capture_on_commit_callbacks(execute=True):
        answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant)
        answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant)
    assert finished == [(AnswerSheet, sheet.pk, SheetStatus.TIMED_OUT)]


def test_opening_an_overdue_sheet_finalises_it_lazily_and_sends_once(
    participant_client, contest, participant, finished, django_capture_on_commit_callbacks
):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    overdue(sheet)
    sheet_url = contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        assert participant_client.get(sheet_url).status_code == 302
        assert participant_client.get(sheet_url).status_code == 302
    assert finished == [(AnswerSheet, sheet.pk, SheetStatus.TIMED_OUT)]


def test_starting_again_after_an_overdue_sheet_finalises_it_and_sends_once(
    contest, participant, finished, django_capture_on_commit_callbacks
):
    contest.attempts_per_day = 2
    contest.save()
    first = start_answer_sheet(contest=contest, participant=participant)
    overdue(first)
    with django_capture_on_commit_callbacks(execute=True):
        second = start_answer_sheet(contest=contest, participant=participant)
    assert second.pk != first.pk
    assert finished == [(AnswerSheet, first.pk, SheetStatus.TIMED_OUT)]


def test_the_finalise_command_sends_once_per_sheet_and_nothing_when_run_again(
    contest, school, finished, django_capture_on_commit_callbacks
):
    sheets = [start_answer_sheet(contest=contest, participant=ParticipantFactory(unit=school)) for _ in range(3)]
    for sheet in sheets[:2]:
        overdue(sheet)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("finalise_overdue_sheets", stdout=io.StringIO())
        call_command("finalise_overdue_sheets", stdout=io.StringIO())
    assert sorted(pk for _sender, pk, _status in finished) == sorted(sheet.pk for sheet in sheets[:2])
    assert {status for _sender, _pk, status in finished} == {SheetStatus.TIMED_OUT}


def test_a_failing_receiver_is_logged_and_neither_fails_the_submit_nor_stops_other_receivers(
    participant_client, contest, participant, finished, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, sheet, **kwargs):
        raise RuntimeError("ledger down")

    sheet_finished.connect(broken, weak=False, dispatch_uid="tests-broken-receiver")
    try:
        sheet = start_answer_sheet(contest=contest, participant=participant)
        sheet_url = contest.url + contest.reverse_subpage("sheet", args=[sheet.public_id])
        with caplog.at_level(logging.ERROR, logger="quizzes.signals"), django_capture_on_commit_callbacks(execute=True):
            response = participant_client.post(sheet_url, {"action": "submit"})
    finally:
        sheet_finished.disconnect(dispatch_uid="tests-broken-receiver")
    assert response.status_code == 302 and "result" in response["Location"]
    assert finished == [(AnswerSheet, sheet.pk, SheetStatus.SUBMITTED)]
    errors = [
        record for record in caplog.records if record.name == "quizzes.signals" and "ledger down" in record.getMessage()
    ]
    assert len(errors) == 1
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED


def test_the_demo_simulates_once_and_sends_nothing(contest, school, finished, django_capture_on_commit_callbacks):
    # Simulated sheets reach the ledger in bulk through the participation demo
    # (tests/quizzes/test_demo_loader_bulk.py), not through one signal each.
    with django_capture_on_commit_callbacks(execute=True):
        count = _simulate(contest, count=7, rng=random.Random(1), skill=0.8)
        again = _simulate(contest, count=7, rng=random.Random(1), skill=0.8)
    assert count == 7 and again == 0
    assert set(AnswerSheet.objects.filter(contest=contest).values_list("status", flat=True)) == {SheetStatus.SUBMITTED}
    assert finished == []


# The outcome


@pytest.fixture
def mixed_contest(home_page, school):
    """Two topics: three single-choice questions on one, two multiple-choice (scored per option)
    on the other, in a contest of the 2026 campaign with a pass mark of 60."""
    fire, gas = TopicFactory(slug="signal-fire", name="信号消防"), TopicFactory(slug="signal-gas", name="信号燃气")
    for n in range(3):
        QuestionFactory(key=f"signal-single-{n}", kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=fire)
    for n in range(2):
        QuestionFactory(key=f"signal-multiple-{n}", kind=QuestionKind.MULTIPLE, level=Level.PRIMARY, topic=gas)
    campaign = Campaign.objects.create(
        name="测试信号宣传活动",
        year=2026,
        starts_on=datetime.date(2026, 6, 1),
        ends_on=datetime.date(2026, 6, 30),
    )
    contest = ContestPageFactory(
        parent=ContestIndexPageFactory(parent=home_page),
        campaign=campaign,
        pass_mark=60,
        multiple_scoring=MultipleChoiceScoring.PER_OPTION,
    )
    DrawRule.objects.create(
        contest=contest, kind=QuestionKind.SINGLE, topic=fire, level=Level.PRIMARY, count=3, points=20
    )
    DrawRule.objects.create(
        contest=contest, kind=QuestionKind.MULTIPLE, topic=gas, level=Level.PRIMARY, count=2, points=20
    )
    return contest, fire, gas


def answer(sheet, *, singles_right, multiple_half):
    """Answer ``singles_right`` single-choice questions right (the rest wrong), one multiple
    choice fully right and the other with one of its two correct choices (half the points)."""
    answers = {}
    singles = multiples = 0
    for question in sheet.questions.select_related("version"):
        correct = sorted(question.version.correct_ids)
        wrong = [c["id"] for c in question.version.content["choices"] if not c["correct"]]
        if question.version.content["kind"] == QuestionKind.SINGLE:
            answers[question.position] = correct if singles < singles_right else [wrong[0]]
            singles += 1
        else:
            answers[question.position] = correct[:1] if multiple_half and multiples == 0 else correct
            multiples += 1
    return answers


def test_the_outcome_of_a_sheet(mixed_contest, school, finished, django_capture_on_commit_callbacks):
    contest, fire, gas = mixed_contest
    person = ParticipantFactory(unit=school, name="李 小 红", class_name="三年级一班")
    sheet = start_answer_sheet(contest=contest, participant=person, rng=random.Random(3))
    with django_capture_on_commit_callbacks(execute=True):
        answering.submit_answer_sheet(
            public_id=sheet.public_id, participant=person, answers=answer(sheet, singles_right=2, multiple_half=True)
        )
    assert len(finished) == 1
    sheet.refresh_from_db()
    outcome = sheet_outcome(sheet=sheet)
    assert outcome == {
        "public_id": str(sheet.public_id),
        "contest_page_id": contest.pk,
        "campaign_id": contest.campaign_id,
        "unit_id": school.pk,
        "unit_kind": school.kind,
        "name": "李 小 红",
        "class_name": "三年级一班",
        "person_key": None,  # a factory participant has none (identify_participant gives one)
        "age_band": AgeBand.UNDER_14,
        "score": 70,  # 2 × 20 singles, 20 + 10 multiples
        "max_score": 100,
        "passed": True,
        "full_marks": False,
        "finished_at": sheet.finished_at,
        "topic_results": {fire.pk: [2, 3], gas.pk: [1, 2]},
    }
    assert outcome["finished_at"].tzinfo is not None


def test_full_marks_and_a_failed_sheet(mixed_contest, school):
    contest, fire, gas = mixed_contest
    best, worst = ParticipantFactory(unit=school), ParticipantFactory(unit=school)
    for person, singles_right, half in ((best, 3, False), (worst, 0, True)):
        sheet = start_answer_sheet(contest=contest, participant=person)
        answering.submit_answer_sheet(
            public_id=sheet.public_id,
            participant=person,
            answers=answer(sheet, singles_right=singles_right, multiple_half=half),
        )
    best_outcome = sheet_outcome(sheet=AnswerSheet.objects.get(participant=best))
    worst_outcome = sheet_outcome(sheet=AnswerSheet.objects.get(participant=worst))
    assert (best_outcome["score"], best_outcome["passed"], best_outcome["full_marks"]) == (100, True, True)
    assert best_outcome["topic_results"] == {fire.pk: [3, 3], gas.pk: [2, 2]}
    assert (worst_outcome["score"], worst_outcome["passed"], worst_outcome["full_marks"]) == (30, False, False)
    assert worst_outcome["topic_results"] == {fire.pk: [0, 3], gas.pk: [1, 2]}


def test_a_timed_out_sheet_counts_unanswered_questions_as_wrong(mixed_contest, school):
    contest, fire, gas = mixed_contest
    person = ParticipantFactory(unit=school)
    sheet = start_answer_sheet(contest=contest, participant=person)
    overdue(sheet)
    answering.finalise_overdue_sheets()
    outcome = sheet_outcome(sheet=sheet)
    assert outcome["score"] == 0 and not outcome["passed"]
    assert outcome["topic_results"] == {fire.pk: [0, 3], gas.pk: [0, 2]}
    assert outcome["finished_at"] == AnswerSheet.objects.get(pk=sheet.pk).deadline


def test_a_contest_without_a_campaign_gives_none(contest, participant):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant)
    assert sheet_outcome(sheet=sheet)["campaign_id"] is None


def test_the_outcome_of_an_unfinished_sheet_is_refused(contest, participant):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    with pytest.raises(ValueError):
        sheet_outcome(sheet=sheet)


def test_the_outcome_takes_two_queries(mixed_contest, school, django_assert_num_queries):
    contest, _fire, _gas = mixed_contest
    person = ParticipantFactory(unit=school)
    sheet = start_answer_sheet(contest=contest, participant=person)
    answering.submit_answer_sheet(public_id=sheet.public_id, participant=person)
    with django_assert_num_queries(2):
        sheet_outcome(sheet=sheet)


def test_the_answer_url_refuses_after_the_deadline_and_sends_once(
    participant_client, contest, participant, finished, django_capture_on_commit_callbacks
):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    overdue(sheet)
    with django_capture_on_commit_callbacks(execute=True):
        response = participant_client.post(
            reverse("quizzes:answer", args=[sheet.public_id]),
            {"position": 1, "choices": [1]},
            HTTP_ACCEPT="application/json",
        )
    assert response.status_code == 409
    assert finished == [(AnswerSheet, sheet.pk, SheetStatus.TIMED_OUT)]


def test_the_contest_editor_offers_the_campaign(client, mixed_contest):
    from django.contrib.auth import get_user_model

    contest, _fire, _gas = mixed_contest
    client.force_login(get_user_model().objects.get(username="admin"))
    html = client.get(f"/admin/pages/{contest.pk}/edit/").content.decode()
    assert "宣传活动" in html
    # Campaigns are snippets: the editor shows a chooser with the chosen campaign's id.
    assert f'name="campaign" value="{contest.campaign_id}"' in html
