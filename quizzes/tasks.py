"""Background tasks of the contests (django-tasks, on the ``background`` backend)."""

from django_tasks import task

from .services.answering import finalise_overdue_sheets


@task(backend="background", queue_name="maintenance")
def finalise_overdue_sheets_task():
    """Submit the overdue sheets with the answers they saved (settings.PERIODIC_TASKS runs it every
    minute): a participant who closed the page still gets the result the saved answers earn."""
    return finalise_overdue_sheets()
