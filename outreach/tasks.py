"""Scheduled work of the whole site (django-tasks): enqueue ``purge_personal_data`` once a day
from a scheduler, or run the management command of the same name from cron."""

from django_tasks import task

from . import privacy


@task()
def purge_personal_data():
    results = privacy.purge_personal_data()
    return [
        {"campaign": result.campaign.pk, "participants": result.participants, "registrations": result.registrations}
        for result in results
    ]
