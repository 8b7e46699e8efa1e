"""The event page's model signals, and what events tell other apps (``participation`` keeps its
ledger from these; events never imports its listeners).

**SEQUENCE** is kept on ``pre_save`` of an event page. Every way a page goes live (发布 in the
admin, approval in a workflow, ``publish_scheduled``, ``revision.publish()`` in code) ends in one
full save of the page, and until then the stored row still holds what calendar clients last saw.
Wagtail's ``before/after_publish_page`` hooks run only in the admin's edit view, and
``page_published`` comes after the row is written.

**registration_changed** (``sender=Registration, registration=``) is sent by ``events.services``
after the commit of every change to a registration: registering (confirmed or waitlisted),
cancelling, each promotion from the waitlist, and a first check-in (checking in again changes
nothing and sends nothing). A large group held for staff confirmation (待审核) is no participation
yet: registering it sends nothing; staff confirming or refusing it, or its cancelling, sends. Read it with
``events.selectors.registration_outcome``.

**Places added**: an event saved (published) with a higher capacity, or none, gives the new
places to its waitlists (``services.fill_places_after_capacity_change``) as soon as its row is written.

**attendance_changed** (``sender=EventPage, event=``) is sent after the commit of a transaction
that changed the event's recorded attendance: a row of the 参加人数 inline added, deleted or given
another unit or count (staff record attendance in the page editor; publishing writes the rows),
or the event going live or being unpublished while it has rows (only a live event's attendance
counts). Once per event per transaction, however many rows changed. An event deleted meanwhile
sends nothing: what it recorded stays recorded. Read it with
``events.selectors.attendance_outcomes``, which gives the event's whole current attendance.

Receivers run after the commit, so the change is saved whatever they do. A receiver that raises is
logged (by ``django.dispatch`` with the traceback, and by ``events.signals`` naming the object, both
at ERROR) and the others still run: a registration or check-in never fails because a listener did.

This module does not import ``events.models`` (the services import it, and must not reach the
models): senders are named by label and looked up when needed.
"""

import logging
import threading
from functools import partial

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Arguments: registration (an events Registration).
registration_changed = Signal()
# Arguments: event (an EventPage).
attendance_changed = Signal()


def _send(signal, **kwargs):
    for receiver, result in signal.send_robust(**kwargs):
        if isinstance(result, Exception):
            # send_robust has logged the traceback (logger django.dispatch); this names the object.
            logger.error("events signal receiver %r failed for %r: %r", receiver, kwargs, result)


def send_registration_changed_on_commit(registration):
    """Send ``registration_changed`` once the current transaction commits (the services call this
    for each registration they change)."""
    transaction.on_commit(
        partial(_send, registration_changed, sender=apps.get_model("events", "Registration"), registration=registration)
    )


# Events whose attendance changed in this thread's open transaction(s). Each change registers a
# callback; the first of an event's callbacks to run after the commit sends and clears the entry,
# so one commit sends once. (An entry left by a rolled-back transaction is cleared by the next
# commit that changes that event, which sends as it should.)
_pending = threading.local()


def _pending_events():
    if not hasattr(_pending, "events"):
        _pending.events = set()
    return _pending.events


def _attendance_changed_on_commit(event_id):
    _pending_events().add(event_id)
    transaction.on_commit(partial(_send_attendance_changed, event_id))


def _send_attendance_changed(event_id):
    pending = _pending_events()
    if event_id not in pending:
        return
    pending.discard(event_id)
    EventPage = apps.get_model("events", "EventPage")
    event = EventPage.objects.filter(pk=event_id).first()
    if event is not None:
        _send(attendance_changed, sender=EventPage, event=event)


def _update_sequence(sender, instance, raw, update_fields, **kwargs):
    # Saving a draft revision updates only the page's bookkeeping fields (update_fields), and
    # fixtures (raw) are stored as they are.
    if raw or update_fields is not None or instance.pk is None:
        return
    from . import services  # the services import this module

    services.update_sequence(event=instance)
    stored = type(instance).objects.filter(pk=instance.pk).values_list("live", "capacity").first()
    if stored is None:
        return
    stored_live, stored_capacity = stored
    if stored_live != instance.live and instance.attendance.exists():
        _attendance_changed_on_commit(instance.pk)
    # More places (or no limit any more): the waitlist gets them once the row is written.
    instance._capacity_grew = stored_capacity is not None and (
        instance.capacity is None or instance.capacity > stored_capacity
    )


def _fill_places_if_capacity_grew(sender, instance, raw, update_fields, **kwargs):
    if raw or update_fields is not None or not getattr(instance, "_capacity_grew", False):
        return
    instance._capacity_grew = False
    from . import services  # the services import this module

    services.fill_places_after_capacity_change(event=instance)


def _attendance_pre_save(sender, instance, raw, **kwargs):
    # modelcluster saves every inline row whenever the page is saved: only a real change counts.
    if raw:
        instance._attendance_changed = False
        return
    stored = None
    if instance.pk is not None:
        stored = sender.objects.filter(pk=instance.pk).values_list("page_id", "unit_id", "count").first()
    instance._attendance_changed = stored != (instance.page_id, instance.unit_id, instance.count)
    instance._attendance_moved_from = stored[0] if stored and stored[0] != instance.page_id else None


def _attendance_post_save(sender, instance, raw, **kwargs):
    if getattr(instance, "_attendance_changed", False):
        _attendance_changed_on_commit(instance.page_id)
        if instance._attendance_moved_from is not None:
            _attendance_changed_on_commit(instance._attendance_moved_from)


def _attendance_post_delete(sender, instance, **kwargs):
    _attendance_changed_on_commit(instance.page_id)


pre_save.connect(_update_sequence, sender="events.EventPage", dispatch_uid="events-update-sequence")
post_save.connect(
    _fill_places_if_capacity_grew, sender="events.EventPage", dispatch_uid="events-fill-places-if-capacity-grew"
)
pre_save.connect(_attendance_pre_save, sender="events.AttendanceRecord", dispatch_uid="events-attendance-pre-save")
post_save.connect(_attendance_post_save, sender="events.AttendanceRecord", dispatch_uid="events-attendance-post-save")
post_delete.connect(
    _attendance_post_delete, sender="events.AttendanceRecord", dispatch_uid="events-attendance-post-delete"
)
