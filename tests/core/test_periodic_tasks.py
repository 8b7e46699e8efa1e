"""The scheduler of periodic tasks (core.periodic, manage.py run_periodic_tasks): each task is
enqueued once per interval, however often the scheduler ticks, and a worker then runs it."""

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from core import periodic

from . import periodic_sample

SAMPLE = "tests.core.periodic_sample.count_run"


@pytest.fixture(autouse=True)
def schedule(settings):
    settings.PERIODIC_TASKS = {SAMPLE: 60}
    cache.delete(f"periodic-task:{SAMPLE}")
    periodic_sample.RUNS.clear()
    yield
    cache.delete(f"periodic-task:{SAMPLE}")


def tick():
    out = io.StringIO()
    call_command("run_periodic_tasks", "--once", stdout=out)
    return out.getvalue()


def run_background_worker(monkeypatch):
    # As tests/participation/exporting.py: the worker would close the test's own connection.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command(
        "db_worker",
        "--batch",
        "--backend=background",
        "--queue-name=maintenance",
        "--no-startup-delay",
        "--no-reload",
        verbosity=0,
    )


def queued():
    return DBTaskResult.objects.filter(task_path=SAMPLE, status="READY").count()


@pytest.mark.django_db
def test_a_task_is_enqueued_once_per_interval_and_run_by_the_worker(monkeypatch):
    output = tick()
    assert f"{SAMPLE} 每 60 秒" in output and f"已放入队列：{SAMPLE}" in output
    tick()
    tick()
    assert queued() == 1

    run_background_worker(monkeypatch)
    assert periodic_sample.RUNS == [1]
    assert queued() == 0

    # The interval has passed (its mark expired): the next tick enqueues it again.
    cache.delete(f"periodic-task:{SAMPLE}")
    tick()
    assert queued() == 1


@pytest.mark.django_db
def test_a_failed_enqueue_is_tried_again_at_the_next_tick(monkeypatch):
    def refuse(backend, task, args, kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(DatabaseBackend, "enqueue", refuse)
    assert periodic.enqueue_due_tasks() == []
    monkeypatch.undo()
    assert periodic.enqueue_due_tasks() == [SAMPLE]
    assert queued() == 1


@pytest.mark.parametrize("interval", [0, -5, 1.5, "60", True])
def test_an_interval_that_is_not_a_whole_number_of_seconds_is_refused(settings, interval):
    settings.PERIODIC_TASKS = {SAMPLE: interval}
    with pytest.raises(ImproperlyConfigured, match="whole number of seconds"):
        periodic.periodic_tasks()
