"""Writes for events: registration, cancellation with waitlist promotion, and check-in.

Never overbooked, never overtaken: every write that changes who holds a place locks the event
row first (``select_for_update``; SQLite serialises writers anyway), counts the confirmed places
of the occurrence and decides inside that lock. Free places go to the waitlist in the order
people registered (a group too large for what is free is skipped, keeping its turn), and a
newcomer is served after everyone already waiting. A group larger than ``max_public_group()``
registered by anyone but its unit's liaison is held as 待审核 and takes no place until staff
confirm it (``review_group``), so nobody can hoard places with one form. A unique constraint on
(event, occurrence date, phone) among active registrations stops the same phone registering twice
even if two requests race.

Every change to a registration sends ``events.signals.registration_changed`` after the commit.

Also the calendar SEQUENCE of an event, kept right on every full save (``events.signals``).
"""

import hashlib
import re
import secrets
import unicodedata

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core.privacy import is_mobile_phone

from .choices import EnteredBy, EventStatus, RegistrationStatus
from .errors import (
    DuplicateRegistration,
    InvalidRegistration,
    MissingConsent,
    RegistrationClosed,
    RegistrationNotFound,
)
from .lookup import code_digest, code_for_token, grant_is_valid
from .recurrence import find_occurrence
from .signals import send_registration_changed_on_commit

# A group is one unit's class or staff; larger groups register in several parts.
MAX_PARTY_SIZE = 500
# What the public form asks everyone to tick, since minors register with a phone too. Stored with
# each registration as its version: change the text, change the version.
ADULT_OR_GUARDIAN_CONSENT_TEXT = "我已满18周岁，或已获得监护人同意"
ADULT_OR_GUARDIAN_CONSENT_VERSION = "2026-1"
# Wagtail audit-log actions on the event page (registered in events.wagtail_hooks).
GROUP_CONFIRMED_ACTION = "events.group_confirmed"
GROUP_REFUSED_ACTION = "events.group_refused"


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


def clean_phone(phone):
    """The mobile number as typed, without spaces or hyphens; else ``InvalidRegistration``."""
    phone = re.sub(r"[\s-]", "", phone or "")
    if not is_mobile_phone(phone):
        raise InvalidRegistration(_("请填写正确的11位手机号。"), field="phone")
    return phone


def max_public_group():
    """The largest group anyone may register without being its unit's liaison."""
    return getattr(settings, "EVENTS_MAX_PUBLIC_GROUP", 5)


def _clean_name(name):
    name = (name or "").strip()
    if not name or len(name) > 30:
        raise InvalidRegistration(_("请填写姓名（不超过30个字）。"), field="name")
    # NUL cannot be stored in PostgreSQL; no name has a tab or line break either.
    if any(unicodedata.category(character) == "Cc" for character in name):
        raise InvalidRegistration(_("姓名中不能含有控制字符。"), field="name")
    return name


def register(
    *,
    event,
    occurrence_date,
    name,
    phone,
    unit=None,
    party_size=1,
    by_liaison=False,
    adult_or_guardian_consent=False,
    outlet=None,
    now=None,
):
    """Register for one occurrence; returns ``(registration, token)``. ``outlet`` is the media
    outlet whose embed the form was sent from (counted for it), None on the site itself.

    Whoever registers on the public form must confirm ``ADULT_OR_GUARDIAN_CONSENT_TEXT``
    (``adult_or_guardian_consent``; its time and version are stored), else ``MissingConsent``; a
    signed-in liaison registering for their unit (``by_liaison``) may leave it out.

    The newcomer joins the back of the queue: it is confirmed only if places remain once everyone
    already waiting who fits has been given one, otherwise it waits. A group larger than
    ``max_public_group()`` is held for staff confirmation (待审核, no place taken) unless
    ``by_liaison`` (the view checked that a signed-in liaison of ``unit`` sent it). The token is
    returned once for the cancel link; only its hash is stored, and the digest of the 查询码
    derived from it (``events.lookup``).
    """
    name = _clean_name(name)
    phone = clean_phone(phone)
    if party_size != 1:
        if not event.allow_groups:
            raise InvalidRegistration(_("本活动只接受个人报名。"), field="party_size")
        if unit is None:
            raise InvalidRegistration(_("集体报名须选择报名单位。"), field="unit")
        if not 1 <= party_size <= MAX_PARTY_SIZE:
            raise InvalidRegistration(
                _("集体报名人数须在1至%(max)s人之间。") % {"max": MAX_PARTY_SIZE}, field="party_size"
            )
    if not adult_or_guardian_consent and not by_liaison:
        raise MissingConsent()
    consent_at, consent_version = (
        (timezone.now(), ADULT_OR_GUARDIAN_CONSENT_VERSION) if adult_or_guardian_consent else (None, "")
    )
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
            if party_size > max_public_group() and not by_liaison:
                status = RegistrationStatus.PENDING
            else:
                _promoted, free = _fill_places(event=locked, occurrence_date=occurrence_date)
                fits = free is None or party_size <= free
                status = RegistrationStatus.CONFIRMED if fits else RegistrationStatus.WAITLISTED
            registration = Registration(
                event=locked,
                occurrence_date=occurrence_date,
                name=name,
                phone=phone,
                unit=unit,
                party_size=party_size,
                status=status,
                token_hash=_hash_token(token),
                lookup_code_hash=code_digest(phone=phone, code=code_for_token(token)),
                entered_by=EnteredBy.LIAISON if by_liaison else EnteredBy.PUBLIC,
                adult_or_guardian_consent_at=consent_at,
                adult_or_guardian_consent_version=consent_version,
                outlet=outlet,
            )
            try:
                registration.full_clean(exclude=["event"])
            except ValidationError as error:
                raise InvalidRegistration() from error
            registration.save()
            # A group held for review is no participation yet: the ledger hears of it once reviewed.
            if status != RegistrationStatus.PENDING:
                send_registration_changed_on_commit(registration)
    except IntegrityError:
        raise DuplicateRegistration() from None
    return registration, token


def _fill_places(*, event, occurrence_date):
    """Give free places to the waitlist in the order people registered, skipping only a group too
    large for what is free (it keeps its turn for later). Call with the event row locked. Returns
    the registrations confirmed and the places still free (None when the event has no limit)."""
    Registration = _models()[1]
    waiting = Registration.objects.for_occurrence(event, occurrence_date).waitlisted().order_by("created_at", "pk")
    free = (
        None
        if event.capacity is None
        else event.capacity - confirmed_places(event=event, occurrence_date=occurrence_date)
    )
    promoted = []
    for registration in waiting:
        if free is not None and registration.party_size > free:
            continue
        registration.status = RegistrationStatus.CONFIRMED
        registration.save(update_fields=["status"])
        send_registration_changed_on_commit(registration)
        promoted.append(registration)
        if free is not None:
            free -= registration.party_size
    return promoted, free


def fill_places_after_capacity_change(*, event):
    """Give the places a raised (or removed) capacity adds to each occurrence's waitlist
    (``events.signals`` calls this when an event is saved with more places than before)."""
    EventPage, Registration = _models()
    with transaction.atomic():
        locked = EventPage.objects.select_for_update().get(pk=event.pk)
        dates = (
            Registration.objects.filter(event=locked)
            .waitlisted()
            .order_by("occurrence_date")
            .values_list("occurrence_date", flat=True)
            .distinct()
        )
        for occurrence_date in list(dates):
            _fill_places(event=locked, occurrence_date=occurrence_date)


def registration_for_token(*, event, public_id, token):
    """The registration whose cancel link holds ``token``, or a grant a 我的报名 lookup gave."""
    Registration = _models()[1]
    registration = Registration.objects.filter(event=event, public_id=public_id).select_related("unit").first()
    if registration is None or not (holds_token(registration, token) or grant_is_valid(registration, token)):
        raise RegistrationNotFound()
    return registration


def holds_token(registration, token):
    """Is ``token`` the registration's own cancel token (not a lookup's grant)?"""
    return secrets.compare_digest(registration.token_hash, _hash_token(token))


def cancel_registration(*, event, public_id, token):
    """Cancel with the secret token; a freed place goes to the waitlist. Returns the registrations
    confirmed from it."""
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
        return _fill_places(event=locked, occurrence_date=registration.occurrence_date)[0]


def review_group(*, public_id, approve, user):
    """Staff confirm (or refuse) a group held as 待审核; recorded in Wagtail's audit log. A
    confirmed group joins the waitlist in the order it registered and gets places if free."""
    EventPage, Registration = _models()
    with transaction.atomic():
        event_id = Registration.objects.filter(public_id=public_id).values_list("event_id", flat=True).first()
        if event_id is None:
            raise RegistrationNotFound()
        locked = EventPage.objects.select_for_update().get(pk=event_id)
        registration = Registration.objects.select_related("unit").get(public_id=public_id)
        if registration.status != RegistrationStatus.PENDING:
            raise InvalidRegistration(_("这条报名已经审核过了。"))
        registration.status = RegistrationStatus.WAITLISTED if approve else RegistrationStatus.CANCELLED
        registration.save(update_fields=["status"])
        if approve:
            _fill_places(event=locked, occurrence_date=registration.occurrence_date)
            registration.refresh_from_db(fields=["status"])
        if registration.status != RegistrationStatus.CONFIRMED:  # else _fill_places has sent it
            send_registration_changed_on_commit(registration)
        log(
            instance=locked,
            action=GROUP_CONFIRMED_ACTION if approve else GROUP_REFUSED_ACTION,
            user=user,
            data={
                "registration": str(registration.public_id),
                "occurrence_date": registration.occurrence_date.isoformat(),
                "unit": registration.unit.name if registration.unit else "",
                "party_size": registration.party_size,
                "status": registration.status,
            },
        )
        return registration


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
