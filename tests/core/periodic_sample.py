"""A task for the scheduler's tests: it only counts its runs."""

from django_tasks import task

RUNS = []


@task(backend="background", queue_name="maintenance")
def count_run():
    RUNS.append(1)
