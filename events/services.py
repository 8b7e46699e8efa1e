"""Writes for events: registration, cancellation with waitlist promotion, and check-in.

Never overbooked: every write that changes who holds a place locks the event row first
(``select_for_update``; SQLite serialises writers anyway), counts the confirmed places of the
occurrence and decides inside that lock. A unique constraint on (event, occurrence date, phone)
among active registrations stops the same phone registering twice even if two requests race.

Every change to a registration sends ``events.signals.registration_changed`` after the commit.

Also the calendar SEQUENCE of an event, kept right on every full save (``events.signals``).
"""

import hashlib
import re
import secrets

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.privacy import is_mobile_phone

from .choices import EventStatus, RegistrationStatus
from .errors import (
    DuplicateRegistration,
    InvalidRegistration,
    RegistrationClosed,
    RegistrationNotFound,
)
from .recurrence import find_occurrence
from .signals import send_registration_changed_on_commit

# A group is one unit's class or staff; larger groups register in several parts.
MAX_PARTY_SIZE = 500


def registration_state(*, event, occurrence, now=None):
    """Why registration for ``occurrence`` is closed (a message), or None when it is open."""
    now = now or timezone.now()
    if not event.registration_enabled:
        return _("本活动无需报名。")
    if occurrence is None:
        return _("没有找到这一场活动。")
    if occurrence.is_cancelled or event.status == EventStatus.CANCELLED:
        return _("本场活动已取消，不再接受报名。")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("报名尚未开始。")
    closes_at = event.registration_closes_at or occurrence.starts_at
    if now >= min(closes_at, occurrence.starts_at):
        return _("报名已截止。")
    return None


def _models():
    # Resolved when called: models.py imports the views, which import this module.
    return apps.get_model("events", "EventPage"), apps.get_model("events", "Registration")


def _hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def confirmed_places(*, event, occurrence_date):
    Registration = _models()[1]
    total = (
        Registration.objects.for_occurrence(event, occurrence_date)
        .confirmed()
        .aggregate(total=Sum("party_size"))["total"]
    )
    return total or 0


def _clean_phone(phone):
    phone = re.sub(r"[\s-]", "", phone or "")
    if not is_mobile_phone(phone):
        raise InvalidRegistration(_("请填写正确的11位手机号。"))
    return phone


def register(*, event, occurrence_date, name, phone, unit=None, party_size=1, now=None):
    """Register for one occurrence; returns ``(registration, token)``.

    The registration is confirmed while places remain, otherwise it joins the waitlist. The token
    is returned once for the cancel link; only its hash is stored.
    """
    name = (name or "").strip()
    if not name or len(name) > 30:
        raise InvalidRegistration(_("请填写姓名（不超过30个字）。"))
    phone = _clean_phone(phone)
    if party_size != 1:
        if not event.allow_groups:
            raise InvalidRegistration(_("本活动只接受个人报名。"))
        if unit is None:
            raise InvalidRegistration(_("集体报名须选择报名单位。"))
        if not 1 <= party_size <= MAX_PARTY_SIZE:
            raise InvalidRegistration(_("集体报名人数须在1至%(max)s人之间。") % {"max": MAX_PARTY_SIZE})
    EventPage, Registration = _models()
    token = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            locked = EventPage.objects.select_for_update().get(pk=event.pk)
            occurrence = find_occurrence(locked, occurrence_date)
            closed = registration_state(event=locked, occurrence=occurrence, now=now)
            if closed:
                raise RegistrationClosed(closed)
            if Registration.objects.for_occurrence(locked, occurrence_date).active().filter(phone=phone).exists():
                raise DuplicateRegistration()
            taken = confirmed_places(event=locked, occurrence_date=occurrence_date)
            fits = locked.capacity is None or taken + party_size <= locked.capacity
            registration = Registration(
                event=locked,
                occurrence_date=occurrence_date,
                name=name,
                phone=phone,
                unit=unit,
                party_size=party_size,
                status=RegistrationStatus.CONFIRMED if fits else RegistrationStatus.WAITLISTED,
                token_hash=_hash_token(token),
            )
            try:
                registration.full_clean(exclude=["event"])
            except ValidationError as error:
                raise InvalidRegistration() from error
            registration.save()
            send_registration_changed_on_commit(registration)
    except IntegrityError:
        raise DuplicateRegistration() from None
    return registration, token


def _promote_waitlist(*, event, occurrence_date):
    """Confirm waitlisted registrations in order while they fit; the first that does not fit
    waits for the next free place, so nobody is overtaken by a smaller group behind them."""
    Registration = _models()[1]
    taken = confirmed_places(event=event, occurrence_date=occurrence_date)
    promoted = []
    for waiting in (
        Registration.objects.for_occurrence(event, occurrence_date).waitlisted().order_by("created_at", "pk")
    ):
        if event.capacity is not None and taken + waiting.party_size > event.capacity:
            break
        waiting.status = RegistrationStatus.CONFIRMED
        waiting.save(update_fields=["status"])
        send_registration_changed_on_commit(waiting)
        taken += waiting.party_size
        promoted.append(waiting)
    return promoted


def registration_for_token(*, event, public_id, token):
    Registration = _models()[1]
    registration = Registration.objects.filter(event=event, public_id=public_id).select_related("unit").first()
    if registration is None or not secrets.compare_digest(registration.token_hash, _hash_token(token)):
        raise RegistrationNotFound()
    return registration


def cancel_registration(*, event, public_id, token):
    """Cancel with the secret token; the waitlist moves up. Returns the promoted registrations."""
    EventPage = _models()[0]
    with transaction.atomic():
        locked = EventPage.objects.select_for_update().get(pk=event.pk)
        registration = registration_for_token(event=locked, public_id=public_id, token=token)
        if registration.status == RegistrationStatus.CANCELLED:
            return []
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.save(update_fields=["status"])
        send_registration_changed_on_commit(registration)
        if not was_confirmed:
            return []
        return _promote_waitlist(event=locked, occurrence_date=registration.occurrence_date)


def check_in(*, event, public_id, now=None):
    """Mark a confirmed registration as arrived; checking in twice keeps the first time."""
    Registration = _models()[1]
    with transaction.atomic():
        registration = Registration.objects.select_for_update().filter(event=event, public_id=public_id).first()
        if registration is None:
            raise RegistrationNotFound()
        if registration.status != RegistrationStatus.CONFIRMED:
            raise InvalidRegistration(_("只有报名成功的记录才能签到。"))
        if registration.checked_in_at is None:
            registration.checked_in_at = now or timezone.now()
            registration.save(update_fields=["checked_in_at"])
            send_registration_changed_on_commit(registration)
        return registration


# The fields whose change calendar clients must see: a change bumps SEQUENCE (RFC 5545 3.8.7.4).
SCHEDULE_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "latitude",
    "longitude",
    "status",
    "rrule",
    "summary",
)


def _schedule_fingerprint(event):
    fields = tuple(getattr(event, name) for name in SCHEDULE_FIELDS)
    exceptions = tuple(
        sorted((e.original_date, e.action, e.new_starts_at, e.new_ends_at) for e in event.exceptions.all())
    )
    return fields, exceptions


def update_sequence(*, event):
    """Called just before a full save of a stored event (``events.signals``): SEQUENCE goes up when
    the schedule differs from the stored one, since calendar clients only replace an event they
    already have when its SEQUENCE goes up."""
    stored = _models()[0].objects.filter(pk=event.pk).first()
    if stored is not None:
        changed = _schedule_fingerprint(stored) != _schedule_fingerprint(event)
        event.sequence = stored.sequence + (1 if changed else 0)
