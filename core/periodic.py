"""Periodic background tasks: what cron would run, enqueued as django-tasks on a schedule.

``settings.PERIODIC_TASKS`` maps a task's dotted path to its interval in seconds.
``manage.py run_periodic_tasks`` enqueues each task once its interval has passed, and the workers
of the task's backend run it. The mark that a task was enqueued is a ``cache.add`` that expires
with the interval: with the Redis cache that every host shares, a task is enqueued once per
interval however many hosts run the scheduler, so one host can go down without the schedule
stopping.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def periodic_tasks():
    """(dotted path, task, interval in seconds) of each configured periodic task."""
    configured = []
    for path, seconds in settings.PERIODIC_TASKS.items():
        if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 1:
            raise ImproperlyConfigured(f"PERIODIC_TASKS[{path!r}] must be a whole number of seconds, at least 1.")
        configured.append((path, import_string(path), seconds))
    return configured


def enqueue_due_tasks():
    """Enqueue each periodic task whose interval has passed; the dotted paths enqueued."""
    enqueued = []
    for path, task, seconds in periodic_tasks():
        mark = f"periodic-task:{path}"
        if not cache.add(mark, 1, timeout=seconds):
            continue
        try:
            task.enqueue()
        except Exception:
            # Not marked as done: the next tick tries again instead of skipping a whole interval.
            cache.delete(mark)
            logger.exception("could not enqueue the periodic task %s", path)
            continue
        enqueued.append(path)
    return enqueued
