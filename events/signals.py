"""SEQUENCE is kept on ``pre_save`` of an event page. Every way a page goes live (发布 in the admin,
approval in a workflow, ``publish_scheduled``, ``revision.publish()`` in code) ends in one full
save of the page, and until then the stored row still holds what calendar clients last saw.
Wagtail's ``before/after_publish_page`` hooks run only in the admin's edit view, and
``page_published`` comes after the row is written.
"""

from django.db.models.signals import pre_save

from . import services
from .models import EventPage


def _update_sequence(sender, instance, raw, update_fields, **kwargs):
    # Saving a draft revision updates only the page's bookkeeping fields (update_fields), and
    # fixtures (raw) are stored as they are.
    if raw or update_fields is not None or instance.pk is None:
        return
    services.update_sequence(event=instance)


pre_save.connect(_update_sequence, sender=EventPage, dispatch_uid="events-update-sequence")
