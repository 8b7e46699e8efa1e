"""Identifying who takes a contest, with the rules for children and class rosters in one place."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.privacy import is_mobile_phone, mask_phone
from organizations.models import Unit
from organizations.people import normalise_name, person_key, phone_digest

from ..choices import AgeBand
from ..errors import InvalidInput, NotOnRoster, UnitNotAllowed
from ..models.rosters import RosterEntry
from ..models.sheets import Participant


def check_roster(*, unit, name, class_name, by_class):
    """A unit with a roster admits only the names on it (in that class, where classes are asked);
    NotOnRoster otherwise. Checked when a person identifies and again when they start a sheet, so a
    roster imported during a contest applies to those already identified."""
    entries = RosterEntry.objects.filter(unit=unit)
    if not entries.exists():
        return
    entries = entries.filter(name_key=normalise_name(name))
    if by_class:
        entries = entries.filter(class_key=normalise_name(class_name))
    if not entries.exists():
        raise NotOnRoster()


def needs_guardian_consent(*, age_band, phone):
    """Under 14 always; 14–17 when a phone number is given (the Participant check constraints)."""
    return age_band == AgeBand.UNDER_14 or (age_band == AgeBand.FROM_14_TO_17 and bool(phone))


def identify_participant(*, contest, name, unit, age_band, class_name="", phone="", guardian_consent=False):
    """The participant for this person of ``unit``: found by their person key (unit, class, name
    and, where the contest asks, phone; compared normalised) if they identified before, from this
    browser or any other, else created. So a second identification gives back the same
    participant, with the sheets and allowances already used.

    Children under 14 need a guardian's consent and give no phone number (whatever was posted is
    dropped here); a teenager of 14–17 who gives a phone number needs that consent too (or leaves
    the phone out); no ID number is ever asked for."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 30 or not normalise_name(name):
        raise InvalidInput(_("请填写姓名（不超过 30 个字）。"), field="name")
    if not isinstance(unit, Unit) or not unit.is_active:
        raise InvalidInput(_("请选择你所在的单位。"), field="unit")
    if unit.kind not in contest.allowed_unit_kinds:
        raise UnitNotAllowed()
    if age_band not in AgeBand.values:
        raise InvalidInput(_("请选择年龄段。"), field="age_band")
    if age_band == AgeBand.UNDER_14 and not guardian_consent:
        raise InvalidInput(_("14 岁以下的同学需要监护人勾选同意后才能参加。"), field="guardian_consent")
    class_name = " ".join((class_name or "").split())[:30] if contest.ask_class_name else ""
    phone = (phone or "").strip() if contest.ask_phone and age_band != AgeBand.UNDER_14 else ""
    if phone and age_band == AgeBand.FROM_14_TO_17 and not guardian_consent:
        raise InvalidInput(
            _("14–17 岁的同学填写手机号，需要监护人阅读上面的同意书后勾选同意；不想请监护人同意的，请不填手机号。"),
            field="phone",
        )
    if phone and not is_mobile_phone(phone):
        raise InvalidInput(_("请输入11位手机号。"), field="phone")
    check_roster(unit=unit, name=name, class_name=class_name, by_class=contest.ask_class_name)
    # The phone goes into the person key here and is kept only as its digest and masked form.
    key = person_key(unit_id=unit.pk, name=name, class_name=class_name, phone=phone)
    try:
        with transaction.atomic():
            return _save_identity(
                contest=contest, key=key, name=name, unit=unit, class_name=class_name, phone=phone, age_band=age_band
            )
    except IntegrityError:
        # A concurrent identification of the same person created the row first: update that one.
        with transaction.atomic():
            return _save_identity(
                contest=contest, key=key, name=name, unit=unit, class_name=class_name, phone=phone, age_band=age_band
            )


def _save_identity(*, contest, key, name, unit, class_name, phone, age_band):
    participant = Participant.objects.select_for_update().filter(person_key=key).first()
    if participant is None:
        participant = Participant(
            person_key=key,
            name=name,
            unit=unit,
            class_name=class_name,
            phone_digest=phone_digest(phone),
            phone_masked=mask_phone(phone) if phone else "",
        )
    participant.age_band = age_band
    if needs_guardian_consent(age_band=age_band, phone=phone):
        # Consent is recorded for the text this contest showed, each time it is given.
        participant.guardian_consent_at = timezone.now()
        participant.guardian_consent_version = contest.consent_version
    try:
        # The person key's uniqueness is left to the database, where a concurrent identification
        # of the same person turns into IntegrityError and is retried as an update.
        participant.full_clean(exclude=["person_key"])
    except ValidationError as error:
        raise InvalidInput("；".join(error.messages)) from None
    participant.save()
    return participant
