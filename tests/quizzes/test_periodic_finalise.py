"""Overdue sheets are finalised by the periodic background task (settings.PERIODIC_TASKS), not only
by cron: a student who closed the page gets the result of the answers saved before time ran out."""

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from quizzes.choices import SheetStatus
from quizzes.factories import ParticipantFactory
from quizzes.models import AnswerSheet
from quizzes.services import answering
from quizzes.services.drawing import start_answer_sheet
from tests.core.test_periodic_tasks import run_background_worker

from .conftest import correct_answers

TASK = "quizzes.tasks.finalise_overdue_sheets_task"


@pytest.fixture
def schedule(settings):
    assert TASK in settings.PERIODIC_TASKS
    settings.PERIODIC_TASKS = {TASK: settings.PERIODIC_TASKS[TASK]}
    cache.delete(f"periodic-task:{TASK}")
    yield
    cache.delete(f"periodic-task:{TASK}")


def test_the_scheduled_task_submits_overdue_sheets_with_their_saved_answers(schedule, contest, school, monkeypatch):
    late, on_time = (start_answer_sheet(contest=contest, participant=ParticipantFactory(unit=school)) for _ in range(2))
    for sheet in (late, on_time):
        answering.save_answers(public_id=sheet.public_id, participant=sheet.participant, answers=correct_answers(sheet))
    AnswerSheet.objects.filter(pk=late.pk).update(
        started_at=timezone.now() - timedelta(minutes=10), deadline=timezone.now() - timedelta(minutes=5)
    )

    call_command("run_periodic_tasks", "--once", stdout=io.StringIO())
    run_background_worker(monkeypatch)

    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.status, late.score) == (SheetStatus.TIMED_OUT, 100)
    assert on_time.status == SheetStatus.IN_PROGRESS
